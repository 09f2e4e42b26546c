#!/usr/bin/env bash
# Builds a small initramfs for booting Debian's kernel under qemu with USB/IP support and a
# shared folder: busybox; the usb-common, usbcore, usbip-core and vhci-hcd modules and the 9p
# over virtio stack of the installed linux-image-amd64 (with their dependencies, in load order);
# the real clients (gphoto2 with its ptp2 camlib and usb1/ptpip iolibs, usbip, libmtp's mtp-*
# tools) with every library they load; the given programs; and a guest script.
#
#   build-initramfs.sh OUT.cpio.gz GUEST_SCRIPT [FILE_OR_DIR...]
#
# Extra arguments are copied into the guest under the same absolute path (programs get their
# shared libraries too). The guest runs GUEST_SCRIPT as /test.sh and powers off when it ends.
set -euo pipefail

out=${1:?usage: build-initramfs.sh OUT.cpio.gz GUEST_SCRIPT [FILE...]}
guest_script=${2:?guest script}
shift 2

need() { command -v "$1" >/dev/null || { echo "missing $1: apt-get install $2" >&2; exit 1; }; }
need cpio cpio
need busybox busybox-static
need gphoto2 gphoto2
need usbip usbip
need mtp-detect mtp-tools

kver=${VCAM_KERNEL_VERSION:-$(ls /lib/modules | sort -V | tail -1)}
[ -n "$kver" ] && [ -d "/lib/modules/$kver" ] || { echo "no kernel modules in /lib/modules: apt-get install linux-image-amd64" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,lib/modules,usr/bin,usr/sbin,var/tmp}

busybox_bin=$(command -v busybox)
if ldd "$busybox_bin" >/dev/null 2>&1; then
    echo "busybox must be static (apt-get install busybox-static)" >&2
    exit 1
fi
cp "$busybox_bin" "$root/bin/busybox"

# Kernel modules, decompressed, each after the modules it depends on; /lib/modules/order
# lists the load order for the init script.
add_module() {
    local m=${1//-/_} f dep
    grep -qx "$m" "$root/lib/modules/order" 2>/dev/null && return 0
    f=$(modinfo -k "$kver" -n "$m" 2>/dev/null) || { echo "module $m not in $kver" >&2; exit 1; }
    case "$f" in
        *.ko*) ;;
        *) return 0 ;; # built into the kernel
    esac
    for dep in $(modinfo -k "$kver" -F depends "$m" | tr ',' ' '); do
        add_module "$dep"
    done
    case "$f" in
        *.xz) xz -dc "$f" >"$root/lib/modules/$m.ko" ;;
        *.zst) zstd -dqc "$f" >"$root/lib/modules/$m.ko" ;;
        *) cp "$f" "$root/lib/modules/$m.ko" ;;
    esac
    echo "$m" >>"$root/lib/modules/order"
}
for m in usb-common usbcore usbip-core vhci-hcd virtio_pci 9pnet_virtio 9p; do
    add_module "$m"
done

copy_with_libs() {
    local f=$1
    [ -e "$root$f" ] && return 0
    mkdir -p "$root$(dirname "$f")"
    cp -L "$f" "$root$f"
    # Shared libraries, including the dynamic loader.
    ldd "$f" 2>/dev/null | grep -o '/[^ )]*' | while read -r lib; do
        if [ ! -e "$root$lib" ]; then
            mkdir -p "$root$(dirname "$lib")"
            cp -L "$lib" "$root$lib"
        fi
    done
}

for tool in gphoto2 usbip mtp-detect mtp-files mtp-folders mtp-getfile mtp-sendfile mtp-delfile; do
    copy_with_libs "$(command -v "$tool")"
done
for dir in /usr/lib/x86_64-linux-gnu/libgphoto2/*/ /usr/lib/x86_64-linux-gnu/libgphoto2_port/*/; do
    for so in "$dir"ptp2.so "$dir"usb1.so "$dir"ptpip.so "$dir"disk.so; do
        [ -e "$so" ] && copy_with_libs "$so"
    done
done
# libmtp converts strings with iconv, which needs glibc's converter configuration.
for gconv in /usr/lib/x86_64-linux-gnu/gconv/gconv-modules /usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache \
    /usr/lib/x86_64-linux-gnu/gconv/gconv-modules.d /usr/lib/x86_64-linux-gnu/gconv/UNICODE.so \
    /usr/lib/x86_64-linux-gnu/gconv/UTF-16.so; do
    [ -e "$gconv" ] && { mkdir -p "$root$(dirname "$gconv")"; cp -a "$gconv" "$root$gconv"; }
done
# libgphoto2 reads its camera list from the camlib; usbip reads usb.ids when present.
for ids in /usr/share/hwdata/usb.ids /usr/share/misc/usb.ids; do
    [ -e "$ids" ] && { mkdir -p "$root$(dirname "$ids")"; cp -L "$ids" "$root$ids"; }
done

for extra in "$@"; do
    if [ -d "$extra" ]; then
        mkdir -p "$root$(dirname "$extra")"
        cp -a "$extra" "$root$(dirname "$extra")/"
    elif [ -x "$extra" ] && ldd "$extra" >/dev/null 2>&1; then
        copy_with_libs "$extra"
    else
        mkdir -p "$root$(dirname "$extra")"
        cp -L "$extra" "$root$extra"
    fi
done

cp "$guest_script" "$root/test.sh"
chmod +x "$root/test.sh"

cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /tmp
mount -t tmpfs tmpfs /tmp
ip link set lo up
for m in $(cat /lib/modules/order); do
    insmod /lib/modules/$m.ko || echo "VCAM-GUEST insmod $m failed"
done
export HOME=/root PATH=/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin LANG=C
echo "VCAM-GUEST booted $(uname -r)"
sh /test.sh
echo "VCAM-GUEST exit $?"
sync
poweroff -f
INIT
chmod +x "$root/init"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out"
echo "initramfs: $out ($(du -h "$out" | cut -f1))"
