//! Live view frames per second (Canon EOS GetViewFinderData) at 640x480 and 1920x1080:
//! through the core in-process, beside a memcpy of one frame; and over PTP/IP on loopback
//! with ptp-initiator, beside a raw loopback TCP request/response moving the same bytes.
//! Every request serves a frame already encoded (as a real body does between sensor frames):
//! both cameras play one recorded JPEG, so this measures delivery, not JPEG encoding (the
//! PTP/IP server reads the real clock, and a synthetic source would render and encode a new
//! frame every frame period in the middle of the measurement).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::SystemTime;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ptp_initiator::PtpIpClient;
use ptp_types::{OperationCode, ResponseCode};
use vcam_core::{
    FolderStore, FrameSource, JpegFolderFrames, LiveviewPacing, Responder, SyntheticFrames,
};
use vcam_testkit::cam::Cam;
use vcam_testkit::spawn_ptpip;

const GET_VIEWFINDER_DATA: OperationCode = OperationCode(0x9153);
const SET_EVENT_MODE: OperationCode = OperationCode(0x9115);
const SET_PROP_EX: OperationCode = OperationCode(0x9110);

/// A folder holding one `w` x `h` test-pattern JPEG, rendered once.
fn one_frame(w: u32, h: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let frame = SyntheticFrames::new(w, h, 30)
        .frame(SystemTime::UNIX_EPOCH, &[])
        .unwrap();
    std::fs::write(dir.path().join("frame.jpg"), &frame.jpeg).unwrap();
    dir
}

/// A 1300D with its card in `card`, playing the JPEG of `frames` as its live view, answering
/// every poll (`LiveviewPacing::EveryPoll`, the bench switch: the body itself answers NotReady
/// until its next sensor frame).
fn camera(card: &Path, frames: &Path) -> Responder {
    let (model, vendor) = vcam_models::lookup("canon_1300d").unwrap().build();
    Responder::new(
        model,
        vendor,
        Box::new(FolderStore::open(card, false).unwrap()),
        Box::new(JpegFolderFrames::load(frames, 30).unwrap()),
    )
    .with_liveview_pacing(LiveviewPacing::EveryPoll)
}

fn evf_on() -> Vec<u8> {
    let mut d = Vec::new();
    d.extend_from_slice(&12u32.to_le_bytes());
    d.extend_from_slice(&0xD1B0u32.to_le_bytes());
    d.extend_from_slice(&2u32.to_le_bytes());
    d
}

/// One transaction in process; returns the response code and the data phase length (the
/// data is looked at, not copied).
fn run(
    cam: &mut Cam,
    code: OperationCode,
    params: &[u32],
    data: Option<&[u8]>,
) -> (ResponseCode, usize) {
    let tid = cam.next_tid(code);
    let mut n = 0;
    let (code, _) = cam.stream(code, tid, params, data, |piece| n += black_box(piece).len());
    (code, n)
}

fn bench(c: &mut Criterion) {
    for (w, h) in [(640u32, 480u32), (1920, 1080)] {
        let frames = one_frame(w, h);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("DCIM/100CANON")).unwrap();
        let mut cam = Cam::open(camera(dir.path(), frames.path()));
        run(&mut cam, SET_EVENT_MODE, &[1], None);
        assert_eq!(
            run(&mut cam, SET_PROP_EX, &[], Some(&evf_on())).0,
            ResponseCode::OK
        );
        let (code, frame_len) = run(&mut cam, GET_VIEWFINDER_DATA, &[0x0020_0000, 0, 0], None);
        assert_eq!(code, ResponseCode::OK);
        eprintln!("liveview_{w}x{h}: {frame_len} bytes per GetViewFinderData");

        let mut group = c.benchmark_group(format!("liveview_{w}x{h}"));
        group.throughput(Throughput::Elements(1));
        group.bench_function("core_in_process_fps", |b| {
            b.iter(|| run(&mut cam, GET_VIEWFINDER_DATA, &[0x0020_0000, 0, 0], None));
        });
        let src = vec![0x5Au8; frame_len];
        let mut dst = vec![0u8; frame_len];
        group.bench_function("memcpy_one_frame_limit", |b| {
            b.iter(|| {
                dst.copy_from_slice(black_box(&src));
                black_box(&dst);
            });
        });

        // Over PTP/IP.
        let dir2 = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir2.path().join("DCIM/100CANON")).unwrap();
        let addr = spawn_ptpip(camera(dir2.path(), frames.path()));
        let mut client = PtpIpClient::connect(addr, [5; 16], "bench").unwrap();
        client.open_session(1).unwrap();
        client.transaction(SET_EVENT_MODE, &[1], None).unwrap();
        assert_eq!(
            client
                .transaction(SET_PROP_EX, &[], Some(&evf_on()))
                .unwrap()
                .code,
            ResponseCode::OK
        );
        group.bench_function("ptpip_loopback_fps", |b| {
            b.iter(|| {
                let r = client
                    .transaction(GET_VIEWFINDER_DATA, &[0x0020_0000, 0, 0], None)
                    .unwrap();
                assert_eq!(r.code, ResponseCode::OK);
                black_box(r.data.len())
            });
        });
        // Raw TCP: one request byte, one frame's bytes back.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let raw_addr = listener.local_addr().unwrap();
        let len = frame_len;
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            s.set_nodelay(true).unwrap();
            let frame = vec![0x33u8; len];
            let mut one = [0u8; 1];
            while s.read_exact(&mut one).is_ok() {
                s.write_all(&frame).unwrap();
            }
        });
        let mut raw = TcpStream::connect(raw_addr).unwrap();
        raw.set_nodelay(true).unwrap();
        let mut buf = vec![0u8; frame_len];
        group.bench_function("raw_tcp_one_frame_limit", |b| {
            b.iter(|| {
                raw.write_all(&[1]).unwrap();
                raw.read_exact(&mut buf).unwrap();
            });
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
