#!/usr/bin/env bash
# Boots Debian's kernel with an initramfs under qemu and prints the serial console.
#
#   boot.sh INITRAMFS [TIMEOUT_SECONDS]
#
# VCAM_QEMU_SHARE=DIR shares DIR with the guest over virtio 9p (mount tag `vcam`);
# VCAM_QEMU_AGENT=SOCKET connects the guest's second serial port (ttyS1) to the Unix socket
# SOCKET, which must be listening. No network device: the guest has loopback only.
#
# TCG by default: on the CI machines /dev/kvm exists but a KVM guest hangs before the kernel
# starts (nested virtualisation without the needed CPU features), while TCG boots the kernel
# and busybox in about 7 s. Set VCAM_QEMU_KVM=1 to try KVM (falls back to TCG if it cannot
# start). The guest powers itself off.
set -euo pipefail
initrd=${1:?usage: boot.sh INITRAMFS [TIMEOUT]}
timeout_s=${2:-300}
command -v qemu-system-x86_64 >/dev/null || { echo "missing qemu-system-x86_64: apt-get install qemu-system-x86" >&2; exit 1; }
kernel=${VCAM_KERNEL:-$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)}
[ -n "$kernel" ] && [ -r "$kernel" ] || { echo "no kernel in /boot: apt-get install linux-image-amd64" >&2; exit 1; }
accel=(-accel tcg)
if [ -w /dev/kvm ] && [ "${VCAM_QEMU_KVM:-}" = 1 ]; then
    accel=(-accel kvm -accel tcg)
fi
extra=(-serial mon:stdio)
if [ -n "${VCAM_QEMU_AGENT:-}" ]; then
    extra+=(-serial "unix:$VCAM_QEMU_AGENT")
fi
if [ -n "${VCAM_QEMU_SHARE:-}" ]; then
    extra+=(-virtfs "local,path=$VCAM_QEMU_SHARE,mount_tag=vcam,security_model=none")
fi
exec timeout "$timeout_s" qemu-system-x86_64 "${accel[@]}" -m 1024 -smp 2 -nographic -no-reboot \
    -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0 panic=-1 quiet loglevel=3" \
    -nic none "${extra[@]}"
