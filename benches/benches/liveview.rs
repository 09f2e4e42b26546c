//! Live view frames per second (Canon EOS GetViewFinderData) at 640x480 and 1920x1080:
//! through the core in-process, beside a memcpy of one frame; and over PTP/IP on loopback
//! with ptp-initiator, beside a raw loopback TCP request/response moving the same bytes.
//! Every request serves a frame already encoded (as a real body does between sensor frames):
//! both cameras play one recorded JPEG, so this measures delivery, not JPEG encoding (the
//! PTP/IP server reads the real clock, and a synthetic source would render a new frame every
//! frame period in the middle of the measurement).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, SystemTime};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ptp_initiator::PtpIpClient;
use ptp_types::{OperationCode, ResponseCode};
use transport_ptpip::PtpIpServer;
use vcam_core::ptp_types::ptp_codec::Params;
use vcam_core::{
    DataHint, FolderStore, FrameSource, JpegFolderFrames, Output, Request, Responder,
    SyntheticFrames,
};

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

fn camera(frames: &std::path::Path, dir: &std::path::Path) -> (vcam_core::CameraModel, Responder) {
    let (model, eos) = vcam_canon::canon_1300d();
    let store = FolderStore::open(dir, false).unwrap();
    let r = Responder::new(
        model.clone(),
        eos,
        Box::new(store),
        Box::new(JpegFolderFrames::load(frames, 30).unwrap()),
    );
    (model, r)
}

fn evf_on() -> Vec<u8> {
    let mut d = Vec::new();
    d.extend_from_slice(&12u32.to_le_bytes());
    d.extend_from_slice(&0xD1B0u32.to_le_bytes());
    d.extend_from_slice(&2u32.to_le_bytes());
    d
}

fn run(
    r: &mut Responder,
    now: SystemTime,
    code: OperationCode,
    tid: u32,
    params: &[u32],
    data: Option<&[u8]>,
) -> (ResponseCode, usize) {
    let hint = if data.is_some() {
        DataHint::DataOut
    } else {
        DataHint::NoDataOut
    };
    r.handle_request(
        now,
        Request::new(code, tid, Params::new(params).unwrap()),
        hint,
    );
    if let Some(d) = data {
        r.handle_data_start(now, tid, Some(d.len() as u64));
        r.handle_data(now, d);
        r.handle_data_end(now);
    }
    let mut n = 0;
    while let Some(o) = r.poll_output() {
        match o {
            Output::Data { bytes, .. } => n += black_box(bytes).len(),
            Output::DataStart { .. } => {}
            Output::Response { code, .. } => return (code, n),
        }
    }
    panic!("no response")
}

fn bench(c: &mut Criterion) {
    for (w, h) in [(640u32, 480u32), (1920, 1080)] {
        let frames = one_frame(w, h);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("DCIM/100CANON")).unwrap();
        let (model, mut r) = camera(frames.path(), dir.path());
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut tid = 0;
        assert_eq!(
            run(&mut r, now, OperationCode::OPEN_SESSION, 0, &[1], None).0,
            ResponseCode::OK
        );
        tid += 1;
        run(&mut r, now, SET_EVENT_MODE, tid, &[1], None);
        tid += 1;
        assert_eq!(
            run(&mut r, now, SET_PROP_EX, tid, &[], Some(&evf_on())).0,
            ResponseCode::OK
        );
        tid += 1;
        let (code, frame_len) = run(
            &mut r,
            now,
            GET_VIEWFINDER_DATA,
            tid,
            &[0x0020_0000, 0, 0],
            None,
        );
        assert_eq!(code, ResponseCode::OK);
        eprintln!("liveview_{w}x{h}: {frame_len} bytes per GetViewFinderData");

        let mut group = c.benchmark_group(format!("liveview_{w}x{h}"));
        group.throughput(Throughput::Elements(1));
        group.bench_function("core_in_process_fps", |b| {
            b.iter(|| {
                tid += 1;
                run(
                    &mut r,
                    now,
                    GET_VIEWFINDER_DATA,
                    tid,
                    &[0x0020_0000, 0, 0],
                    None,
                )
            });
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
        let (_, server_cam) = camera(frames.path(), dir2.path());
        let identity = model.ptpip.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let server =
                    PtpIpServer::bind("127.0.0.1:0".parse().unwrap(), server_cam, identity)
                        .await
                        .unwrap();
                tx.send(server.local_addr().unwrap()).unwrap();
                let _ = server.run().await;
            });
        });
        let addr = rx.recv().unwrap();
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
