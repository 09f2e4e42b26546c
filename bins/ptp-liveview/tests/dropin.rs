//! `ptp-liveview` against a virtual Sony a6300 through the libusb drop-in: rusb's libusb is
//! vcam's shim (`LD_PRELOAD`). Resident memory stays flat over 10,000 frames; the binary links
//! the system's libusb dynamically (so that the drop-in replaces it). Its acceptance with the
//! camera (300 complete, decodable frames at bulk IN transfers of 512 bytes to 1 MiB, through
//! the drop-in and through a real kernel in qemu; a headless Chromium on its HTTP stream) is
//! the `liveview_tool` and `liveview_http` scenarios of vcam-testkit's matrix.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

use vcam_testkit::require;
use vcam_testkit::server::built;

const BIN: &str = env!("CARGO_BIN_EXE_ptp-liveview");

/// `ptp-liveview ARGS` with the drop-in serving one a6300 with `env` live view settings.
fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("LD_PRELOAD", built("libvcam_libusb.so"))
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
        // Small frames at a high rate: the camera renders every frame, and rendering, not the
        // tool, would otherwise set the pace.
        &[
            ("VCAM_LIVEVIEW_SIZE", "160x120"),
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
    let readelf = require("readelf");
    let nm = require("nm");
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
