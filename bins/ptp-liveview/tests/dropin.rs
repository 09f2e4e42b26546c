//! `ptp-liveview` against a virtual Sony a6300 through the libusb drop-in: rusb's libusb is
//! vcam's shim (`LD_PRELOAD`). Every frame of 300 is a complete JPEG the `image` crate
//! decodes, at bulk IN transfer sizes from 512 bytes to 1 MiB; a headless Chromium shows the
//! HTTP stream and its screenshot has the test pattern's colour bars; resident memory stays
//! flat over 10,000 frames; the binary links the system's libusb dynamically (so that the
//! drop-in replaces it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use bytes::Bytes;

const BIN: &str = env!("CARGO_BIN_EXE_ptp-liveview");

/// target/<profile>/, where the binary and the drop-in are built.
fn target_dir() -> PathBuf {
    Path::new(BIN).parent().unwrap().to_path_buf()
}

/// The drop-in, which must be built beside the binary.
fn shim() -> PathBuf {
    let so = target_dir().join("libvcam_libusb.so");
    assert!(
        so.exists(),
        "{} is missing: build it with `cargo build -p vcam-libusb` (./scripts/test.sh does)",
        so.display()
    );
    so
}

fn require(tool: &str, package: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join(tool)).find(|f| f.is_file()))
        .unwrap_or_else(|| {
            panic!("`{tool}` is missing: install it with `apt-get install {package}` (./scripts/test.sh does)")
        })
}

/// `ptp-liveview ARGS` with the drop-in serving one a6300 with `env` live view settings.
fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("LD_PRELOAD", shim())
        .env("VCAM_MODELS", "sony_a6300")
        .env_remove("VCAM_FS")
        .env_remove("VCAM_LIVEVIEW_JPEGS")
        .env_remove("VCAM_LIVEVIEW_MJPEG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = command(args, env).output().unwrap();
    assert!(
        out.status.success(),
        "ptp-liveview {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The status lines' `key=value` fields.
fn field(line: &str, key: &str) -> Option<u64> {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))?
        .parse()
        .ok()
}

#[test]
fn three_hundred_complete_frames_at_every_in_transfer_size() {
    let dir = tempfile::tempdir().unwrap();
    // 1024x680 frames (about 100 KB: hundreds of 512-byte packets each).
    let env = [
        ("VCAM_LIVEVIEW_SIZE", "1024x680"),
        ("VCAM_LIVEVIEW_FPS", "100"),
    ];
    for size in [512usize, 1000, 4096, 65536, 512 * 1024, 1024 * 1024] {
        let file = dir.path().join(format!("live-{size}.mjpg"));
        let out = run(
            &[
                "--frames",
                "300",
                "--in-transfer",
                &size.to_string(),
                "--report-every",
                "0",
                "--output",
                file.to_str().unwrap(),
            ],
            &env,
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        let done = stderr.lines().find(|l| l.contains("done frames=")).unwrap();
        assert_eq!(field(done, "frames"), Some(300), "{stderr}");
        assert_eq!(field(done, "bad"), Some(0), "{stderr}");
        let mjpeg = Bytes::from(std::fs::read(&file).unwrap());
        let frames = vcam_core::frames::split_mjpeg(&mjpeg);
        assert_eq!(frames.len(), 300, "IN transfers of {size} bytes");
        let total: usize = frames.iter().map(Bytes::len).sum();
        assert_eq!(total, mjpeg.len(), "nothing between the frames");
        for (i, frame) in frames.iter().enumerate() {
            assert_eq!(
                &frame[..4],
                &[0xFF, 0xD8, 0xFF, 0xDB],
                "frame {i} at {size}"
            );
            assert_eq!(
                &frame[frame.len() - 2..],
                &[0xFF, 0xD9],
                "frame {i} at {size}"
            );
            let picture = image::load_from_memory_with_format(frame, image::ImageFormat::Jpeg)
                .unwrap_or_else(|e| panic!("frame {i} at {size}: {e}"));
            assert_eq!((picture.width(), picture.height()), (1024, 680));
        }
        eprintln!("IN transfers of {size} bytes: {done}");
    }
}

/// Kills the child when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_headless_browser_shows_the_http_stream() {
    let chromium = require("chromium", "chromium");
    let mut child = Running(
        command(
            &["--http", "127.0.0.1:0", "--report-every", "0.5"],
            &[("VCAM_LIVEVIEW_SIZE", "640x480")],
        )
        .stderr(Stdio::piped())
        .spawn()
        .unwrap(),
    );
    let (tx, rx) = mpsc::channel();
    let stderr = child.0.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut log = Vec::new();
    let url = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("no address from ptp-liveview ({e}): {log:?}"));
        if let Some(url) = line.strip_prefix("ptp-liveview: serving ") {
            break url.to_string();
        }
        log.push(line);
    };
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("shot.png");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=800,600",
            // The stream never ends: take the screenshot after 4 s of it.
            "--timeout=4000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        shot.exists(),
        "chromium wrote no screenshot:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let picture = image::open(&shot).unwrap().to_rgb8();
    // The test pattern's colour bars: saturated yellow, cyan and magenta areas.
    let share = |test: fn(&image::Rgb<u8>) -> bool| {
        picture.pixels().filter(|p| test(p)).count() as f64
            / f64::from(picture.width() * picture.height())
    };
    let yellow = share(|p| p[0] > 180 && p[1] > 180 && p[2] < 90);
    let cyan = share(|p| p[0] < 90 && p[1] > 180 && p[2] > 180);
    let magenta = share(|p| p[0] > 180 && p[1] < 90 && p[2] > 180);
    assert!(
        yellow > 0.02 && cyan > 0.02 && magenta > 0.02,
        "no colour bars in the screenshot: yellow {yellow:.3}, cyan {cyan:.3}, magenta {magenta:.3}"
    );
    // ptp-liveview counted the frames it sent to the browser.
    let served = rx
        .iter()
        .find(|l| field(l, "served").is_some_and(|n| n > 0))
        .unwrap();
    assert_eq!(field(&served, "bad"), Some(0), "{served}");
}

#[test]
fn memory_stays_flat_over_ten_thousand_frames() {
    let out = run(
        &[
            "--frames",
            "10000",
            "--report-every",
            "0.25",
            "--in-transfer",
            "65536",
        ],
        &[
            ("VCAM_LIVEVIEW_SIZE", "320x240"),
            ("VCAM_LIVEVIEW_FPS", "2000"),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let samples: Vec<(u64, u64)> = stderr
        .lines()
        .filter_map(|l| Some((field(l, "frames")?, field(l, "rss_kib")?)))
        .collect();
    let done = samples.last().copied().unwrap();
    assert_eq!(done.0, 10_000, "{stderr}");
    // Resident memory once warmed up (after 1000 frames) against the end.
    let warm = samples
        .iter()
        .find(|(frames, _)| *frames >= 1000)
        .copied()
        .unwrap();
    let grown = done.1.saturating_sub(warm.1);
    eprintln!(
        "rss {} KiB at {} frames, {} KiB at 10000",
        warm.1, warm.0, done.1
    );
    assert!(
        grown < 2048,
        "resident memory grew by {grown} KiB from frame {} to 10000:\n{stderr}",
        warm.0
    );
}

#[test]
fn the_binary_links_the_system_libusb_dynamically() {
    let readelf = require("readelf", "binutils");
    let nm = require("nm", "binutils");
    let dynamic = Command::new(readelf).args(["-d", BIN]).output().unwrap();
    let dynamic = String::from_utf8_lossy(&dynamic.stdout);
    assert!(
        dynamic.contains("libusb-1.0.so.0"),
        "no NEEDED libusb-1.0.so.0:\n{dynamic}"
    );
    let defined = Command::new(nm)
        .args(["--defined-only", BIN])
        .output()
        .unwrap();
    let defined = String::from_utf8_lossy(&defined.stdout);
    assert!(
        !defined
            .lines()
            .any(|l| l.ends_with(" libusb_init") || l.ends_with(" libusb_bulk_transfer")),
        "libusb is linked statically (libusb1-sys built its vendored copy): LD_PRELOAD would not replace it"
    );
}
