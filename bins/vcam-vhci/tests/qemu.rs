//! A real Linux kernel: Debian's kernel boots under qemu with an initramfs holding busybox,
//! the usbip-core and vhci-hcd modules, vcam-vhci, gphoto2 and usbip. Inside the guest,
//! `vcam-vhci --attach` plugs the camera into vhci_hcd and gphoto2 auto-detects it, reads the
//! summary, downloads every file (byte for byte) and captures; then the same through
//! `usbip attach -r 127.0.0.1` against `vcam-vhci --listen`. The guest reports on the serial
//! console (`scripts/qemu/guest-vhci.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn require(path: &str, package: &str) {
    assert!(
        Path::new(path).exists() || which(path),
        "`{path}` is missing: run ./scripts/test.sh (it installs it) or `apt-get install {package}`"
    );
}

fn which(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

#[test]
fn gphoto2_in_a_qemu_guest_sees_the_camera_through_vhci() {
    require("qemu-system-x86_64", "qemu-system-x86");
    require("cpio", "cpio");
    require("busybox", "busybox-static");
    require("gphoto2", "gphoto2");
    require("usbip", "usbip");
    assert!(
        std::fs::read_dir("/boot")
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("vmlinuz-")),
        "no kernel in /boot: run ./scripts/test.sh (it installs it) or `apt-get install linux-image-amd64`"
    );
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // Not under /tmp: the guest mounts a tmpfs there.
    let work = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let card = work.path().join("card");
    let dcim = card.join("DCIM/100TEST");
    std::fs::create_dir_all(&dcim).unwrap();
    std::fs::write(dcim.join("NOTES.TXT"), b"vcam in a qemu guest\n").unwrap();
    let big: Vec<u8> = (0..700_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(dcim.join("CLIP.MOV"), big).unwrap();
    let mut canvas = vcam_core::render::Canvas::new(320, 240);
    canvas.pattern(7, 0);
    std::fs::write(
        dcim.join("IMG_0001.JPG"),
        canvas.encode_jpeg(85, None).unwrap(),
    )
    .unwrap();

    let vhci = env!("CARGO_BIN_EXE_vcam-vhci");
    let template = std::fs::read_to_string(repo.join("scripts/qemu/guest-vhci.sh")).unwrap();
    let script = template
        .replace("@VHCI@", vhci)
        .replace("@CARD@", card.to_str().unwrap());
    let guest = work.path().join("guest.sh");
    std::fs::write(&guest, script).unwrap();
    let initrd = work.path().join("initrd.cpio.gz");
    let started = Instant::now();
    let build = Command::new("bash")
        .arg(repo.join("scripts/qemu/build-initramfs.sh"))
        .arg(&initrd)
        .arg(&guest)
        .arg(vhci)
        .arg(&card)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "building the initramfs failed:\n{}{}",
        String::from_utf8_lossy(&build.stdout),
        String::from_utf8_lossy(&build.stderr)
    );
    let boot = Command::new("bash")
        .arg(repo.join("scripts/qemu/boot.sh"))
        .arg(&initrd)
        .arg("420")
        .output()
        .unwrap();
    let console = String::from_utf8_lossy(&boot.stdout).into_owned();
    eprintln!(
        "--- guest console ({:?}) ---\n{console}\n{}",
        started.elapsed(),
        String::from_utf8_lossy(&boot.stderr)
    );
    assert!(
        console.contains("VCAM-GUEST booted"),
        "the guest did not boot"
    );
    assert!(
        console.contains("VCAM-TEST done"),
        "the guest script did not finish (timeout?)"
    );
    let failed: Vec<&str> = console
        .lines()
        .filter(|l| l.contains("VCAM-TEST") && l.ends_with("FAIL"))
        .collect();
    assert!(failed.is_empty(), "failed in the guest: {failed:?}");
    for check in [
        "attach",
        "sysfs-enumerated",
        "sysfs-auto-detect",
        "sysfs-summary",
        "sysfs-get-all-files",
        "sysfs-capture",
        "detach",
        "listen",
        "usbip-attach",
        "usbip-enumerated",
        "usbip-auto-detect",
        "usbip-summary",
        "usbip-get-all-files",
        "usbip-capture",
    ] {
        assert!(
            console.contains(&format!("VCAM-TEST {check} PASS")),
            "check {check} did not pass"
        );
    }
}
