#!/usr/bin/env bash
# The one test command: installs what the tests need when it is missing, then runs every check
# and every test (unit, property, real-client end-to-end, qemu guest), the doc build, the no_std
# build, cargo deny, cargo package of the published crates, each bench once, and a short fuzz
# run per target.
#
#   ./scripts/test.sh            everything (what CI runs through .ci/run)
#   VCAM_FUZZ_SECONDS=0 ./scripts/test.sh   skip the fuzz smoke runs (local iteration only)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

# --- system packages -------------------------------------------------------------------------
# Each entry: a file that must exist, and the Debian package that provides it.
NEEDED=(
  "/usr/bin/gphoto2 gphoto2"
  "/usr/bin/mtp-detect mtp-tools"
  "/usr/sbin/usbip usbip"
  "/usr/bin/tshark tshark"
  "/usr/bin/qemu-system-x86_64 qemu-system-x86"
  "/usr/bin/busybox busybox-static"
  "/usr/bin/cpio cpio"
  "/usr/include/libusb-1.0/libusb.h libusb-1.0-0-dev"
  "/usr/include/gphoto2/gphoto2.h libgphoto2-dev"
  "/usr/bin/pkg-config pkg-config"
  "/usr/bin/python3 python3"
  "/usr/bin/gssdp-discover gupnp-tools"
  "/usr/bin/unshare util-linux"
  "/usr/sbin/ip iproute2"
  "/usr/bin/chromium chromium"
  "/usr/bin/readelf binutils"
)
missing=()
for entry in "${NEEDED[@]}"; do
  set -- $entry
  [ -e "$1" ] || missing+=("$2")
done
# The venv for upnp-client (below) needs Debian's ensurepip.
if [ -e /usr/bin/python3 ] && ! /usr/bin/python3 -c 'import ensurepip' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
if ! ls /boot/vmlinuz-* >/dev/null 2>&1 || ! ls /lib/modules/*/kernel/drivers/usb/usbip/vhci-hcd.ko* >/dev/null 2>&1; then
  missing+=(linux-image-amd64)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --- Python clients ----------------------------------------------------------------------------
# upnp-client (PyPI async-upnp-client) for the discovery tests, in a venv of its own under target/.
UPNP_VENV=target/upnp-venv
if [ ! -x "$UPNP_VENV/bin/upnp-client" ]; then
  log "installing async-upnp-client into $UPNP_VENV"
  /usr/bin/python3 -m venv "$UPNP_VENV"
  "$UPNP_VENV/bin/pip" install -q "async-upnp-client==0.49.0"
fi
export VCAM_UPNP_CLIENT="$PWD/$UPNP_VENV/bin/upnp-client"

# --- static checks ---------------------------------------------------------------------------
log "cargo fmt --check"
cargo fmt --all --check

log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

log "cargo build -p ptp-codec --no-default-features (no_std)"
cargo build -p ptp-codec -p ptp-types --no-default-features --locked

log "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

# Licences, banned crates and sources of every dependency (deny.toml says why advisories are not
# checked here).
if ! cargo deny --version >/dev/null 2>&1; then
  log "installing cargo-deny"
  cargo install --locked cargo-deny@0.20.2
fi
log "cargo deny check bans licenses sources"
cargo deny --locked check bans licenses sources

# The crates published to crates.io package and build on their own, from their tarballs, against
# each other's tarballs (a target dir of its own: cargo never rebuilds a registry crate whose
# version did not change, so the previous run's copies of ours are dropped first).
PUBLISHED=(ptp-codec ptp-types vcam-core vcam-sony ptp-initiator vcam-record transport-ptpip)
PKG_TARGET=target/package-check
log "cargo package ${PUBLISHED[*]}"
for crate in "${PUBLISHED[@]}"; do rm -rf "$PKG_TARGET/debug/.fingerprint/$crate"-*; done
rm -rf "$PKG_TARGET/package"
cargo package --locked --target-dir "$PKG_TARGET" $(printf -- '-p %s ' "${PUBLISHED[@]}")

# --- tests -----------------------------------------------------------------------------------
log "cargo build -p vcam-libusb (the shared library the LD_PRELOAD tests load) and the camera binaries"
cargo build -p vcam-libusb -p vcam-ptpip -p vcam-vhci -p vcam-fujiwifi -p vcamctl --locked

log "cargo test --workspace (unit, property, doc and end-to-end tests)"
cargo test --workspace --locked

# Each bench once, in the test profile: they build and their setups and assertions hold (the
# measurements are `cargo bench`'s, by hand; see README).
log "cargo test --benches (every bench runs once)"
cargo test --workspace --benches --locked

# --- fuzz smoke runs ---------------------------------------------------------------------------
FUZZ_SECONDS="${VCAM_FUZZ_SECONDS:-10}"
if [ "$FUZZ_SECONDS" != "0" ]; then
  if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    log "installing cargo-fuzz"
    cargo +nightly install cargo-fuzz --locked
  fi
  # Seed the dataset corpus with real cameras' DeviceInfo (selector byte 0 = DeviceInfo).
  mkdir -p fuzz/corpus/datasets
  for f in fixtures/deviceinfo/*.bin; do
    { printf '\000'; cat "$f"; } >"fuzz/corpus/datasets/seed-$(basename "$f")"
  done
  for target in $(cd fuzz && cargo +nightly fuzz list); do
    log "fuzz $target for ${FUZZ_SECONDS}s"
    mkdir -p "fuzz/corpus/$target"
    (cd fuzz && cargo +nightly fuzz run "$target" "corpus/$target" -- \
      -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048)
  done
fi

log "all checks passed"
