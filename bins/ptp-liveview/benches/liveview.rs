//! Sony a6300 live view frames per second at 1024x680 through the libusb drop-in, read with
//! the rusb client (`ptp_initiator::sony`) as `ptp-liveview` reads them, beside a memcpy of the
//! same frame measured in the same run.
//!
//! The bench runs itself again with `LD_PRELOAD` set to vcam's drop-in (built in release:
//! `cargo build --release -p vcam-libusb`; a debug build is used, and said, when there is no
//! release one), so rusb's libusb is the shim. The camera plays recorded 1024x680 frames at a
//! rate far above the request rate, so every request gets a new frame without encoding one:
//! this measures delivery (responder, USB framing, the shim, rusb), not JPEG encoding.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ptp_initiator::sony::{LiveViewPoll, SonyCamera};
use ptp_initiator::{UsbOptions, UsbSelector, UsbTransport};

/// Set in the re-run process.
const MARK: &str = "VCAM_BENCH_PRELOADED";
/// The recorded frames, set for the re-run process.
const FRAMES: &str = "VCAM_BENCH_FRAMES";

/// target/<profile>/ of this bench binary (it lives in target/<profile>/deps/).
fn target() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf()
}

fn shim() -> PathBuf {
    let root = target();
    for profile in ["release", "debug"] {
        let so = root.join(profile).join("libvcam_libusb.so");
        if so.exists() {
            if profile == "debug" {
                eprintln!(
                    "note: using the debug drop-in {}; `cargo build --release -p vcam-libusb` for the release one",
                    so.display()
                );
            }
            return so;
        }
    }
    panic!(
        "no libvcam_libusb.so under {}: build it with `cargo build --release -p vcam-libusb`",
        root.display()
    );
}

/// Eight 1024x680 test pattern frames as Motion JPEG.
fn recorded_frames(dir: &Path) -> PathBuf {
    let mut mjpeg = Vec::new();
    for i in 0..8u64 {
        let mut canvas = vcam_core::render::Canvas::new(1024, 680);
        canvas.pattern(i, usize::try_from(i).unwrap() * 40);
        canvas.text_block(&[format!("frame {i}")]);
        mjpeg.extend_from_slice(&canvas.encode_jpeg(80, None).unwrap());
    }
    let file = dir.join("frames.mjpg");
    std::fs::write(&file, mjpeg).unwrap();
    file
}

/// Runs this bench again under the drop-in and exits with its status.
fn rerun_preloaded() -> ! {
    let dir = tempfile::tempdir().unwrap();
    let frames = recorded_frames(dir.path());
    let status = Command::new(std::env::current_exe().unwrap())
        .args(std::env::args_os().skip(1))
        .env("LD_PRELOAD", shim())
        .env("VCAM_MODELS", "sony_a6300")
        .env("VCAM_LIVEVIEW_MJPEG", &frames)
        .env("VCAM_LIVEVIEW_FPS", "1000000")
        .env(FRAMES, &frames)
        .env(MARK, "1")
        .status()
        .unwrap();
    drop(dir);
    std::process::exit(status.code().unwrap_or(1));
}

fn next_frame(camera: &mut SonyCamera<UsbTransport>, buf: &mut Vec<u8>) -> usize {
    loop {
        match camera.liveview_frame(buf).unwrap() {
            LiveViewPoll::Frame(range) => return black_box(range).len(),
            LiveViewPoll::NotReady | LiveViewPoll::NoNewFrame => {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
    }
}

fn bench(c: &mut Criterion) {
    if std::env::var_os(MARK).is_none() {
        rerun_preloaded();
    }
    let transport = UsbTransport::open(UsbSelector::VidPid(0x054C, 0x079C), UsbOptions::default())
        .expect("the drop-in's a6300 (is LD_PRELOAD set?)");
    let (mut camera, _) = SonyCamera::connect(transport).unwrap();
    let mut buf = Vec::new();
    let len = next_frame(&mut camera, &mut buf);
    let frame = buf.clone();
    eprintln!(
        "a6300 live view object: {} bytes, JPEG {len} bytes",
        frame.len()
    );

    let mut group = c.benchmark_group("sony_a6300_liveview_1024x680");
    group.throughput(Throughput::Bytes(len as u64));
    group.bench_function("drop-in + rusb: GetObject 0xFFFFC002", |b| {
        b.iter(|| next_frame(&mut camera, &mut buf));
    });
    let mut copy = vec![0u8; frame.len()];
    group.bench_function("memcpy of the same frame", |b| {
        b.iter(|| {
            copy.copy_from_slice(black_box(&frame));
            black_box(&copy);
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
