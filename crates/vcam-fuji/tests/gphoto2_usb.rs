//! Acceptance over USB: the real gphoto2 with vcam's libusb-1.0 drop-in in `LD_PRELOAD`
//! (`VCAM_MODELS=fuji_xh1`) sees a Fujifilm X-H1 (04cb:02d7) and takes libgphoto2's Fujifilm path:
//! `--auto-detect`, `--summary`, the Fuji widgets of `--list-config`, set and get of ISO, white
//! balance and film simulation, a value outside the list refused, capture, two previews, a
//! movie, and `--wait-event` showing a change made by `--set-config`.
//!
//! Needs `cargo build -p vcam-libusb` first (./scripts/test.sh does it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The drop-in built beside this test binary (target/<profile>/libvcam_libusb.so).
fn shim() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let so = exe
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("libvcam_libusb.so");
    assert!(
        so.exists(),
        "{} missing: build it with `cargo build -p vcam-libusb` (./scripts/test.sh does)",
        so.display()
    );
    so
}

fn require(tool: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()));
    assert!(
        found,
        "`{tool}` is not installed: run ./scripts/test.sh (it installs it) or `apt-get install {package}`"
    );
}

struct Env {
    home: tempfile::TempDir,
    cwd: tempfile::TempDir,
    card: tempfile::TempDir,
}

struct Run {
    ok: bool,
    out: String,
}

impl Env {
    fn new() -> Self {
        require("gphoto2", "gphoto2");
        let card = tempfile::tempdir().unwrap();
        let dcim = card.path().join("DCIM/100_FUJI");
        std::fs::create_dir_all(&dcim).unwrap();
        let mut canvas = vcam_core::render::Canvas::new(320, 240);
        canvas.pattern(1, 0);
        std::fs::write(
            dcim.join("DSCF0001.JPG"),
            canvas.encode_jpeg(85, None).unwrap(),
        )
        .unwrap();
        Self {
            home: tempfile::tempdir().unwrap(),
            cwd: tempfile::tempdir().unwrap(),
            card,
        }
    }

    fn run(&self, args: &[&str]) -> Run {
        let started = Instant::now();
        let out = Command::new("gphoto2")
            .args(args)
            .env("HOME", self.home.path())
            .env("LANG", "C")
            .env("LD_PRELOAD", shim())
            .env("VCAM_MODELS", "fuji_xh1")
            .env("VCAM_FS", self.card.path())
            .env("VCAM_LIVEVIEW_SIZE", "320x240")
            .current_dir(self.cwd.path())
            .output()
            .unwrap();
        let run = Run {
            ok: out.status.success(),
            out: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        };
        eprintln!(
            "gphoto2 {args:?} ({:?}): ok={}\n{}",
            started.elapsed(),
            run.ok,
            run.out
        );
        run
    }

    fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert!(run.ok, "gphoto2 {args:?} failed:\n{}", run.out);
        run.out
    }

    fn file(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.cwd.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

fn jpeg_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
    let img = image::load_from_memory(bytes).unwrap();
    (img.width(), img.height())
}

#[test]
fn gphoto2_drives_the_x_h1_over_usb() {
    let env = Env::new();
    let detect = env.ok(&["--auto-detect"]);
    assert!(detect.contains("Fuji Fujifilm X-H1"), "{detect}");

    let summary = env.ok(&["--summary"]);
    for line in [
        "Model: X-H1",
        "Version: 2.14",
        // libgphoto2 took its Fujifilm path (VendorExtensionID 6 + "fujifilm.co.jp" + 0x04CB).
        "Vendor Extension ID: 0xe",
        "Battery Level(0x5001): error 200a on query.",
        "White Balance(0x5005):(readwrite) (type=0x4) Enumeration",
    ] {
        assert!(summary.contains(line), "--summary lacks {line:?}");
    }

    let config = env.ok(&["--list-config"]);
    for widget in [
        "/main/imgsettings/filmsimulation",
        "/main/imgsettings/iso",
        "/main/imgsettings/whitebalance",
        "/main/settings/cameraaction",
        "/main/settings/prioritymode",
        "/main/actions/autofocusdrive",
    ] {
        assert!(config.contains(widget), "--list-config lacks {widget}");
    }

    // Set, then get in another run (the libusb drop-in keeps no state between processes, so
    // each set is read back in the same run).
    for (name, value, shown) in [
        ("iso", "400", "Current: 400"),
        ("whitebalance", "Shade", "Current: Shade"),
        ("filmsimulation", "Velvia/Vivid", "Current: Velvia/Vivid"),
    ] {
        let out = env.ok(&[
            "--set-config-value",
            &format!("{name}={value}"),
            "--get-config",
            name,
        ]);
        assert!(out.contains(shown), "{name}: {out}");
    }
    let refused = env.run(&["--set-config-value", "iso=333"]);
    assert!(!refused.ok);
    assert!(refused.out.contains("0x201c"), "{}", refused.out);

    let out = env.ok(&["--capture-image-and-download", "--filename", "shot.jpg"]);
    assert!(out.contains("/DCIM/100_FUJI/DSCF"), "{out}");
    let (w, h) = jpeg_size(&env.file("shot.jpg"));
    assert!(w >= 2000 && h >= 1688, "{w}x{h}");

    env.ok(&["--capture-preview", "--filename", "a.jpg"]);
    env.ok(&["--capture-preview", "--filename", "b.jpg"]);
    let (a, b) = (env.file("thumb_a.jpg"), env.file("thumb_b.jpg"));
    assert_eq!(jpeg_size(&a), (320, 240));
    assert_eq!(jpeg_size(&b), (320, 240));
    assert_ne!(a, b, "two previews are two frames");

    env.ok(&["--capture-movie=3s", "--filename", "movie.mjpg"]);
    let movie = env.file("movie.mjpg");
    let frames = movie
        .windows(3)
        .filter(|w| w == &[0xFF, 0xD8, 0xFF])
        .count();
    eprintln!("movie: {} bytes, {frames} frames", movie.len());
    assert!(frames >= 10, "only {frames} frames");

    let out = env.ok(&[
        "--set-config-value",
        "filmsimulation=ASTIA/Soft",
        "--wait-event=3s",
    ]);
    assert!(
        out.contains("d001 changed") && out.contains("ASTIA/Soft"),
        "--wait-event did not show the change:\n{out}"
    );
}
