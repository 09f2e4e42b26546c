//! Through a real Linux kernel: Debian's kernel boots under qemu (`scripts/qemu/`), and in
//! the guest `vcam-vhci sony_a6300 --attach` plugs the camera into vhci_hcd. gphoto2 finds and
//! drives it, and `ptp-liveview` (rusb on the guest's libusb and usbfs) reads 300 frames at
//! bulk IN transfer sizes from 512 bytes to 1 MiB, each checked from FF D8 to FF D9; the
//! frames read with 512-byte transfers come back on the console and must all decode with
//! `image` (`scripts/qemu/guest-sony.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

fn require(tool: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()));
    assert!(
        found,
        "`{tool}` is missing: run ./scripts/test.sh (it installs it) or `apt-get install {package}`"
    );
}

#[test]
fn ptp_liveview_and_gphoto2_in_a_qemu_guest_through_vhci() {
    for (tool, package) in [
        ("qemu-system-x86_64", "qemu-system-x86"),
        ("cpio", "cpio"),
        ("busybox", "busybox-static"),
        ("gphoto2", "gphoto2"),
        ("usbip", "usbip"),
    ] {
        require(tool, package);
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let liveview = env!("CARGO_BIN_EXE_ptp-liveview");
    let vhci = Path::new(liveview).parent().unwrap().join("vcam-vhci");
    assert!(
        vhci.exists(),
        "{} is missing: build it with `cargo build -p vcam-vhci` (./scripts/test.sh does)",
        vhci.display()
    );
    let work = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let script = std::fs::read_to_string(repo.join("scripts/qemu/guest-sony.sh"))
        .unwrap()
        .replace("@VHCI@", vhci.to_str().unwrap())
        .replace("@LIVEVIEW@", liveview);
    let guest = work.path().join("guest.sh");
    std::fs::write(&guest, script).unwrap();
    let initrd = work.path().join("initrd.cpio.gz");
    let build = Command::new("bash")
        .arg(repo.join("scripts/qemu/build-initramfs.sh"))
        .arg(&initrd)
        .arg(&guest)
        .arg(&vhci)
        .arg(liveview)
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
        .arg("900")
        .output()
        .unwrap();
    let console = String::from_utf8_lossy(&boot.stdout).into_owned();
    let (before, rest) = console
        .split_once("VCAM-MJPEG-BEGIN")
        .unwrap_or((&console, ""));
    let (encoded, after) = rest.split_once("VCAM-MJPEG-END").unwrap_or(("", rest));
    eprintln!(
        "--- guest console ---\n{before}\n[base64 MJPEG of {} characters]\n{after}",
        encoded.len()
    );
    assert!(
        console.contains("VCAM-TEST done"),
        "the guest script did not finish"
    );
    let failed: Vec<&str> = console
        .lines()
        .filter(|l| l.contains("VCAM-TEST") && l.trim_end().ends_with("FAIL"))
        .collect();
    assert!(failed.is_empty(), "failed in the guest: {failed:?}");
    for check in [
        "attach",
        "enumerated",
        "auto-detect",
        "summary",
        "iso",
        "shutterspeed",
        "capture",
        "preview",
    ]
    .into_iter()
    .map(String::from)
    .chain([512, 1000, 4096, 65536, 524_288, 1_048_576].map(|s| format!("liveview-{s}")))
    {
        assert!(
            console.contains(&format!("VCAM-TEST {check} PASS")),
            "check {check} did not pass"
        );
    }
    let mjpeg = bytes::Bytes::from(base64_decode(encoded));
    let frames = vcam_core::frames::split_mjpeg(&mjpeg);
    assert_eq!(
        frames.len(),
        300,
        "frames read in the guest with 512-byte transfers"
    );
    for (i, frame) in frames.iter().enumerate() {
        assert_eq!(&frame[..4], &[0xFF, 0xD8, 0xFF, 0xDB], "frame {i}");
        assert_eq!(&frame[frame.len() - 2..], &[0xFF, 0xD9], "frame {i}");
        let picture = image::load_from_memory_with_format(frame, image::ImageFormat::Jpeg)
            .unwrap_or_else(|e| panic!("frame {i}: {e}"));
        assert_eq!((picture.width(), picture.height()), (320, 240));
    }
}

/// Standard base64 (RFC 4648) with line breaks and console noise (carriage returns) ignored.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
