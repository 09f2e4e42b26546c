//! The real gphoto2 (libgphoto2's Sony path) against `sony_a6300` through the libusb drop-in
//! (`LD_PRELOAD=libvcam_libusb.so`): auto-detect, summary, the configuration tree, ISO and
//! shutter speed set and read back, values refused (by libgphoto2 against the body's list,
//! and by the body itself), capture and download, two different previews, a movie of many
//! frames, and a property change seen by `--wait-event`.
//!
//! Each gphoto2 run is its own process and so its own camera; HOME is private to the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The drop-in, built beside this test (target/<profile>/).
fn shim() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let so = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("libvcam_libusb.so");
    assert!(
        so.exists(),
        "{} is missing: build it with `cargo build -p vcam-libusb` (./scripts/test.sh does)",
        so.display()
    );
    so
}

struct Gphoto {
    home: tempfile::TempDir,
}

impl Gphoto {
    fn new() -> Self {
        assert!(
            Path::new("/usr/bin/gphoto2").exists(),
            "gphoto2 is missing: install it with `apt-get install gphoto2` (./scripts/test.sh does)"
        );
        Self {
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn dir(&self) -> &Path {
        self.home.path()
    }

    /// gphoto2 ARGS in the private HOME (also the working folder); (success, stdout+stderr).
    fn run(&self, args: &[&str]) -> (bool, String) {
        let out = Command::new("gphoto2")
            .args(args)
            .current_dir(self.dir())
            .env("HOME", self.dir())
            .env("LANG", "C")
            .env("LD_PRELOAD", shim())
            .env("VCAM_MODELS", "sony_a6300")
            .env("VCAM_LIVEVIEW_SIZE", "640x480")
            .env_remove("VCAM_FS")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    fn ok(&self, args: &[&str]) -> String {
        let (ok, text) = self.run(args);
        assert!(ok, "gphoto2 {args:?} failed:\n{text}");
        text
    }
}

fn decode(path: &Path) -> image::DynamicImage {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "{}", path.display());
    image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg).unwrap()
}

#[test]
fn gphoto2_detects_and_configures_the_a6300() {
    let g = Gphoto::new();
    let detect = g.ok(&["--auto-detect"]);
    assert!(detect.contains("Sony Alpha-A6300 (Control)"), "{detect}");

    let summary = g.ok(&["--summary"]);
    for line in [
        "Manufacturer: Sony Corporation",
        "Model: ILCE-6300",
        "Vendor Extension ID: 0x11",
        "Vendor Extension Description: Sony PTP Extensions",
        "Sony Capture",
        "ISO(0xd21e)",
    ] {
        assert!(summary.contains(line), "no {line:?} in:\n{summary}");
    }

    let config = g.ok(&["--list-config"]);
    for widget in [
        "/main/imgsettings/iso",
        "/main/capturesettings/f-number",
        "/main/capturesettings/shutterspeed",
        "/main/imgsettings/whitebalance",
        "/main/capturesettings/focusmode",
        "/main/capturesettings/exposurecompensation",
        "/main/capturesettings/imagequality",
        "/main/capturesettings/capturemode",
        "/main/status/batterylevel",
    ] {
        assert!(config.contains(widget), "no {widget} in:\n{config}");
    }

    // Set through 0x9207 steps (and libgphoto2's 0x9205 after them), read back from 0x9209.
    let iso = g.ok(&["--set-config-value", "iso=400", "--get-config", "iso"]);
    assert!(iso.contains("Current: 400"), "{iso}");
    let shutter = g.ok(&[
        "--set-config-value",
        "shutterspeed=1/250",
        "--get-config",
        "shutterspeed",
    ]);
    assert!(shutter.contains("Current: 1/250"), "{shutter}");
    let aperture = g.ok(&[
        "--set-config-value",
        "f-number=f/8",
        "--get-config",
        "f-number",
    ]);
    assert!(aperture.contains("Current: f/8"), "{aperture}");

    // A value outside the body's ISO list: libgphoto2 refuses it against the list.
    let (ok, text) = g.run(&["--set-config-value", "iso=12345"]);
    assert!(
        !ok && text.contains("Target value is not in enumeration"),
        "{text}"
    );
    // A white balance the body does not have: the body refuses it (InvalidDevicePropValue).
    let (ok, text) = g.run(&["--set-config-value", "whitebalance=Fluorescent"]);
    assert!(!ok && text.contains("0x201c"), "{text}");
    let wb = g.ok(&[
        "--set-config-value",
        "whitebalance=Daylight",
        "--get-config",
        "whitebalance",
    ]);
    assert!(wb.contains("Current: Daylight"), "{wb}");

    // C203 after a change, shown by --wait-event.
    let events = g.ok(&["--set-config-value", "iso=800", "--wait-event=3s"]);
    assert!(events.contains("PTP Property d21e changed"), "{events}");
}

#[test]
fn gphoto2_captures_previews_and_films_the_a6300() {
    let g = Gphoto::new();
    let capture = g.ok(&["--capture-image-and-download", "--filename", "shot.jpg"]);
    assert!(capture.contains("capt0000.jpg"), "{capture}");
    let shot = decode(&g.dir().join("shot.jpg"));
    assert_eq!((shot.width(), shot.height()), (1600, 1200));

    let first = g.ok(&["--capture-preview", "--filename", "first.jpg"]);
    let second = g.ok(&["--capture-preview", "--filename", "second.jpg"]);
    // gphoto2 saves previews with a thumb_ prefix.
    let saved = |name: &str, text: &str| {
        let thumb = g.dir().join(format!("thumb_{name}"));
        if thumb.exists() {
            thumb
        } else {
            panic!("no preview {name}:\n{text}")
        }
    };
    let (a, b) = (saved("first.jpg", &first), saved("second.jpg", &second));
    let (a_img, b_img) = (decode(&a), decode(&b));
    assert_eq!((a_img.width(), a_img.height()), (640, 480));
    assert_eq!((b_img.width(), b_img.height()), (640, 480));
    assert_ne!(
        std::fs::read(&a).unwrap(),
        std::fs::read(&b).unwrap(),
        "two previews, two frames"
    );
    assert_eq!(&std::fs::read(&a).unwrap()[..4], &[0xFF, 0xD8, 0xFF, 0xDB]);

    let movie = g.ok(&["--capture-movie=3s"]);
    let mjpeg = bytes::Bytes::from(std::fs::read(g.dir().join("movie.mjpg")).unwrap());
    let frames = vcam_core::frames::split_mjpeg(&mjpeg);
    assert!(
        frames.len() >= 20,
        "{} frames in 3 s:\n{movie}",
        frames.len()
    );
    for frame in frames.iter().step_by(7) {
        image::load_from_memory_with_format(frame, image::ImageFormat::Jpeg).unwrap();
    }
}
