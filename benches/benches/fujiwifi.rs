//! Live view over Fujifilm's WiFi protocol: frames per second received on the live view port
//! (55742 of a real body) at 640x480 and 1920x1080, beside raw loopback TCP streaming frames of
//! the same size in the same run. The frames are JPEGs encoded beforehand (a folder source at
//! 1000 frames per second, the finest the server's timer paces), so this measures delivery, not
//! encoding. Then the memory of the process while a live view reader stalls.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ptp_codec::OperationCode;
use transport_fujiwifi::Ports;
use transport_fujiwifi::init::{INIT_MAGIC, init_request};
use vcam_core::frames::JpegFolderFrames;
use vcam_core::pairing::{AcceptPolicy, Pairing};
use vcam_core::{FolderStore, Responder};
use vcam_testkit::{rss_kib, spawn_fujiwifi, usb};

const FPS: u32 = 1000;

/// A folder of four JPEG frames of `w` x `h`.
fn frames(w: u32, h: u32) -> (tempfile::TempDir, usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut len = 0;
    for i in 0..4u64 {
        let mut canvas = vcam_core::render::Canvas::new(w, h);
        canvas.pattern(i, i as usize * 40);
        let jpeg = canvas.encode_jpeg(75, None).unwrap();
        len = jpeg.len();
        std::fs::write(dir.path().join(format!("f{i}.jpg")), jpeg).unwrap();
    }
    (dir, len)
}

struct Body {
    ports: Ports,
    _card: tempfile::TempDir,
    _frames: tempfile::TempDir,
}

fn body(w: u32, h: u32) -> (Body, usize) {
    let (frames_dir, frame_len) = frames(w, h);
    let card = tempfile::tempdir().unwrap();
    let (model, fuji) = vcam_fuji::fuji_xh1(vcam_fuji::Face::Wifi);
    let camera = Responder::new(
        model,
        fuji,
        Box::new(FolderStore::open(card.path(), false).unwrap()),
        Box::new(JpegFolderFrames::load(frames_dir.path(), FPS).unwrap()),
    );
    let ports = spawn_fujiwifi(camera, Pairing::new(AcceptPolicy::Accept));
    (
        Body {
            ports,
            _card: card,
            _frames: frames_dir,
        },
        frame_len,
    )
}

fn read_packet(s: &mut TcpStream, buf: &mut Vec<u8>) -> usize {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).unwrap();
    let n = u32::from_le_bytes(len) as usize;
    buf.resize(n - 4, 0);
    s.read_exact(buf).unwrap();
    n
}

fn command(s: &mut TcpStream, code: OperationCode, tid: u32, params: &[u32]) {
    s.write_all(&usb::command(code, tid, params)).unwrap();
    let mut buf = Vec::new();
    // The response (none of these operations sends data).
    read_packet(s, &mut buf);
}

/// A client in remote mode: init, OpenSession, InitiateOpenCapture; returns the command and
/// live view connections.
fn remote(ports: Ports) -> (TcpStream, TcpStream) {
    let mut cmd = TcpStream::connect((Ipv4Addr::LOCALHOST, ports.command)).unwrap();
    cmd.set_nodelay(true).unwrap();
    cmd.write_all(&init_request([3; 16], "bench", INIT_MAGIC))
        .unwrap();
    let mut buf = Vec::new();
    read_packet(&mut cmd, &mut buf);
    command(&mut cmd, OperationCode::OPEN_SESSION, 0, &[1]);
    command(&mut cmd, OperationCode::INITIATE_OPEN_CAPTURE, 1, &[0, 0]);
    let video = TcpStream::connect((Ipv4Addr::LOCALHOST, ports.liveview)).unwrap();
    (cmd, video)
}

fn bench(c: &mut Criterion) {
    for (w, h) in [(640u32, 480u32), (1920, 1080)] {
        let (body, frame_len) = body(w, h);
        let (_cmd, mut video) = remote(body.ports);
        let mut group = c.benchmark_group(format!("fujiwifi_liveview_{w}x{h}"));
        group.throughput(Throughput::Elements(1));
        let mut buf = Vec::new();
        group.bench_function("liveview_port_fps", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    read_packet(&mut video, &mut buf);
                }
                start.elapsed()
            });
        });

        // Raw TCP: a writer streams frames of the same size as fast as it can.
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut frame = vec![0x33u8; 18 + frame_len];
            frame[..4].copy_from_slice(&((18 + frame_len) as u32).to_le_bytes());
            while s.write_all(&frame).is_ok() {}
        });
        let mut raw = TcpStream::connect(addr).unwrap();
        group.bench_function("raw_tcp_stream_limit", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    read_packet(&mut raw, &mut buf);
                }
                start.elapsed()
            });
        });
        group.finish();
    }

    // A reader that stalls: the body keeps streaming into a full socket. Memory is measured
    // before and after; frames are dropped, not queued.
    let (body, frame_len) = body(1920, 1080);
    let (mut cmd, stalled) = remote(body.ports);
    std::thread::sleep(Duration::from_millis(500));
    let before = rss_kib();
    let mut samples = Vec::new();
    for _ in 0..6 {
        std::thread::sleep(Duration::from_millis(500));
        // The command connection is served meanwhile (SessionAlreadyOpen).
        command(&mut cmd, OperationCode::OPEN_SESSION, 0, &[1]);
        samples.push(rss_kib());
    }
    let after = rss_kib();
    println!(
        "stalled live view reader, 1920x1080 frames of {} KiB at {FPS} fps for 3 s ({} MiB if queued): \
         RSS {} KiB before, {:?} KiB while stalled, {} KiB after (+{} KiB)",
        frame_len / 1024,
        (frame_len as u64 * u64::from(FPS) * 3) >> 20,
        before,
        samples,
        after,
        after.saturating_sub(before)
    );
    drop(stalled);
}

criterion_group!(benches, bench);
criterion_main!(benches);
