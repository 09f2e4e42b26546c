//! A live view reader that stops reading costs dropped frames, not memory: with frames of a
//! few hundred KiB offered 1000 times a second, the process's resident memory after seconds of
//! a stalled reader is within a few MiB of what it was (measured, in its own test process), and
//! the command connection is served meanwhile.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::time::Duration;

use common::{APP_GUID, Client, OK};
use ptp_codec::OperationCode as Op;
use vcam_core::frames::JpegFolderFrames;
use vcam_core::pairing::{AcceptPolicy, Pairing};
use vcam_core::{FolderStore, Responder};
use vcam_testkit::{rss_kib, spawn_fujiwifi};

#[test]
fn a_stalled_reader_gets_dropped_frames_not_memory() {
    // Noisy frames compress badly: a few hundred KiB each.
    let frames = tempfile::tempdir().unwrap();
    let mut frame_len = 0;
    for i in 0..2u32 {
        let img = image::RgbImage::from_fn(1280, 720, |x, y| {
            let v = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503) ^ i) >> 7;
            image::Rgb([v as u8, (v >> 8) as u8, (v >> 16) as u8])
        });
        let path = frames.path().join(format!("f{i}.jpg"));
        img.save(&path).unwrap();
        frame_len = std::fs::metadata(&path).unwrap().len();
    }
    let card = tempfile::tempdir().unwrap();
    let (model, fuji) = vcam_fuji::fuji_xh1(vcam_fuji::Face::Wifi);
    let camera = Responder::new(
        model,
        fuji,
        Box::new(FolderStore::open(card.path(), false).unwrap()),
        Box::new(JpegFolderFrames::load(frames.path(), 1000).unwrap()),
    );
    let ports = spawn_fujiwifi(camera, Pairing::new(AcceptPolicy::Accept));

    let mut c = Client::open(ports, APP_GUID, "app");
    assert_eq!(c.run(Op::INITIATE_OPEN_CAPTURE, &[0, 0]).code(), OK);
    let stalled = common::connect(ports.liveview);
    // Let the socket buffers fill, then measure.
    std::thread::sleep(Duration::from_millis(500));
    let before = rss_kib();
    let mut peak = before;
    for _ in 0..20 {
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(
            c.get(0xDF00),
            (OK, vec![6, 0]),
            "the command connection is served"
        );
        peak = peak.max(rss_kib());
    }
    let offered_mib = (frame_len * 1000 * 2) >> 20;
    eprintln!(
        "frames of {} KiB, {offered_mib} MiB offered in 2 s: RSS {before} KiB before, peak {peak} KiB",
        frame_len >> 10
    );
    assert!(
        peak.saturating_sub(before) < 8 * 1024,
        "memory grew by {} KiB while the reader stalled",
        peak - before
    );
    drop(stalled);
    c.cmd.flush().unwrap();
}
