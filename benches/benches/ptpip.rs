//! GetObject over PTP/IP on loopback with ptp-initiator, beside raw loopback TCP moving the
//! same bytes in the same run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ptp_initiator::PtpIpClient;
use ptp_types::StorageId;
use vcam_testkit::tools::ByteCount;
use vcam_testkit::{camera, spawn_ptpip};

const SIZE: usize = 64 << 20;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let dcim = dir.path().join("DCIM/100TEST");
    std::fs::create_dir_all(&dcim).unwrap();
    let payload: Vec<u8> = (0..SIZE).map(|i| (i * 131 % 251) as u8).collect();
    std::fs::write(dcim.join("BIG.MOV"), &payload).unwrap();
    let addr = spawn_ptpip(camera("generic", dir.path(), (160, 120)));
    let mut cam = PtpIpClient::connect(addr, [3; 16], "bench").unwrap();
    cam.open_session(1).unwrap();
    let handles = cam.get_object_handles(StorageId::ALL, 0, 0).unwrap();
    let big = handles
        .into_iter()
        .find(|&h| cam.get_object_info(h).unwrap().object_compressed_size as usize == SIZE)
        .unwrap();

    // Raw loopback TCP: a thread sends SIZE bytes per request byte received.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let raw_addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_nodelay(true).unwrap();
        let chunk = vec![0x5Au8; 1 << 20];
        let mut one = [0u8; 1];
        while s.read_exact(&mut one).is_ok() {
            for _ in 0..SIZE / chunk.len() {
                s.write_all(&chunk).unwrap();
            }
        }
    });
    let mut raw = TcpStream::connect(raw_addr).unwrap();
    raw.set_nodelay(true).unwrap();
    let mut buf = vec![0u8; 1 << 20];

    let mut group = c.benchmark_group("getobject_64MiB_loopback");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(SIZE as u64));
    group.bench_function("ptpip_getobject", |b| {
        b.iter(|| {
            let mut sink = ByteCount(0);
            assert_eq!(cam.get_object_to(big, &mut sink).unwrap(), SIZE as u64);
        });
    });
    group.bench_function("raw_tcp_limit", |b| {
        b.iter(|| {
            raw.write_all(&[1]).unwrap();
            let mut got = 0;
            while got < SIZE {
                got += raw.read(&mut buf).unwrap();
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
