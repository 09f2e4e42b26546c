#!/bin/sh
# Runs inside the qemu guest (see bins/vcam-vhci/tests/qemu.rs): plugs the virtual camera
# into the guest kernel, first with `vcam-vhci --attach` (sysfs), then through
# `usbip attach` against `vcam-vhci --listen`, and drives it with the real gphoto2.
# Placeholders @VHCI@ (the vcam-vhci binary) and @CARD@ (the card folder) are filled in by
# the test. Each check prints "VCAM-TEST <name> PASS" or "VCAM-TEST <name> FAIL".
VHCI=@VHCI@
CARD=@CARD@
export HOME=/tmp/home LANG=C RUST_LOG=warn
mkdir -p "$HOME"

check() { name=$1; shift; if "$@"; then echo "VCAM-TEST $name PASS"; else echo "VCAM-TEST $name FAIL"; fi; }

wait_for() { # wait_for SECONDS COMMAND...: retries every 0.5 s
    n=$(( $1 * 2 )); shift
    while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.5; n=$((n - 1)); done
    return 1
}

enumerated() { grep -qs 1209 /sys/bus/usb/devices/*/idVendor; }
gone() { ! enumerated; }

same_files() { # every card file downloaded byte for byte into $1
    for f in "$CARD"/DCIM/100TEST/*; do
        cmp "$f" "$1/$(basename "$f")" || return 1
    done
}

is_jpeg() { [ "$(head -c 2 "$1" | od -An -tx1 | tr -d ' ')" = "ffd8" ]; }

session() { # session LABEL
    label=$1
    out=/tmp/$label
    mkdir -p "$out"
    check "$label-enumerated" wait_for 60 enumerated
    check "$label-usbfs-node" wait_for 10 sh -c 'ls /dev/bus/usb/*/* >/dev/null 2>&1'
    gphoto2 --auto-detect >"$out/detect.txt" 2>&1
    cat "$out/detect.txt"
    check "$label-auto-detect" grep -q "usb:" "$out/detect.txt"
    gphoto2 --summary >"$out/summary.txt" 2>&1
    grep -E "Model|Manufacturer" "$out/summary.txt"
    check "$label-summary" grep -q "Model: Generic PTP Camera" "$out/summary.txt"
    (cd "$out" && gphoto2 --get-all-files >"$out/get.txt" 2>&1)
    check "$label-get-all-files" same_files "$out"
    (cd "$out" && gphoto2 --capture-image-and-download --filename shot.jpg >"$out/capture.txt" 2>&1)
    cat "$out/capture.txt"
    check "$label-capture" is_jpeg "$out/shot.jpg"
}

# 1. Direct attach through sysfs.
"$VHCI" --fs "$CARD" --attach >/tmp/attach.out 2>/tmp/attach.log &
pid=$!
check attach wait_for 30 grep -q "attached on port" /tmp/attach.out
cat /tmp/attach.out
session sysfs
kill "$pid"
wait "$pid"
check detach wait_for 20 gone
tail -5 /tmp/attach.log

# 2. usbip attach against the USB/IP server (usbip records connections in /var/run/vhci_hcd).
mkdir -p /var/run/vhci_hcd
"$VHCI" --fs "$CARD" --listen 127.0.0.1:3240 >/tmp/listen.out 2>/tmp/listen.log &
pid=$!
check listen wait_for 30 grep -q "listening on" /tmp/listen.out
usbip list -r 127.0.0.1
check usbip-attach usbip attach -r 127.0.0.1 -b 1-1
session usbip
usbip port
usbip detach -p 0 >/dev/null 2>&1 || usbip detach -p 00 >/dev/null 2>&1
kill "$pid"
wait "$pid"
tail -5 /tmp/listen.log
echo "VCAM-TEST done"
