#!/bin/sh
# Runs inside the qemu guest (see bins/ptp-liveview/tests/qemu.rs): plugs a sony_a6300 into
# the guest kernel with `vcam-vhci --attach` and drives it through the real kernel (vhci_hcd,
# usbfs) with gphoto2 and ptp-liveview. Placeholders @VHCI@ and @LIVEVIEW@ are the binaries.
# Each check prints "VCAM-TEST <name> PASS" or "VCAM-TEST <name> FAIL"; one Motion JPEG is
# printed in base64 between VCAM-MJPEG-BEGIN and VCAM-MJPEG-END for the host to decode.
VHCI=@VHCI@
LIVEVIEW=@LIVEVIEW@
export HOME=/tmp/home LANG=C RUST_LOG=warn
mkdir -p "$HOME"
cd "$HOME"

check() { name=$1; shift; if "$@"; then echo "VCAM-TEST $name PASS"; else echo "VCAM-TEST $name FAIL"; fi; }
wait_for() { n=$(( $1 * 2 )); shift; while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.5; n=$((n - 1)); done; return 1; }
enumerated() { grep -qs 054c /sys/bus/usb/devices/*/idVendor; }
is_jpeg() { [ "$(head -c 2 "$1" | od -An -tx1 | tr -d ' ')" = "ffd8" ]; }
has() { grep -q "$2" "$1"; }
done_frames() { grep -q "done frames=$2 .* bad=0 " "$1"; }

"$VHCI" sony_a6300 --liveview-size 320x240 --attach >/tmp/attach.out 2>/tmp/attach.log &
pid=$!
check attach wait_for 30 grep -q "attached on port" /tmp/attach.out
check enumerated wait_for 60 enumerated
check usbfs-node wait_for 10 sh -c 'ls /dev/bus/usb/*/* >/dev/null 2>&1'

gphoto2 --auto-detect >detect.txt 2>&1; cat detect.txt
check auto-detect has detect.txt "Sony Alpha-A6300 (Control)"
gphoto2 --summary >summary.txt 2>&1
check summary has summary.txt "Model: ILCE-6300"
gphoto2 --set-config-value iso=400 --get-config iso >iso.txt 2>&1
check iso has iso.txt "Current: 400"
gphoto2 --set-config-value shutterspeed=1/250 --get-config shutterspeed >shutter.txt 2>&1
check shutterspeed has shutter.txt "Current: 1/250"
gphoto2 --capture-image-and-download --filename shot.jpg >capture.txt 2>&1; cat capture.txt
check capture is_jpeg shot.jpg
gphoto2 --capture-preview --filename preview.jpg >preview.txt 2>&1
check preview is_jpeg thumb_preview.jpg

for size in 512 1000 4096 65536 524288 1048576; do
    "$LIVEVIEW" --device 054c:079c --frames 300 --in-transfer $size --report-every 0 \
        --output /tmp/live-$size.mjpg 2>/tmp/live-$size.txt
    tail -1 /tmp/live-$size.txt
    check "liveview-$size" done_frames /tmp/live-$size.txt 300
done
echo "VCAM-MJPEG-BEGIN"
base64 /tmp/live-512.mjpg
echo "VCAM-MJPEG-END"

kill "$pid"
wait "$pid"
echo "VCAM-TEST done"
