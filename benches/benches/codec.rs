//! Container and dataset codec throughput, beside memcpy of the same bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ptp_codec::container::emit_data_header;
use ptp_codec::{Container, ContainerRepr, DataContainer, OperationCode, Params};
use ptp_types::{Decode, DeviceInfo, Encode};

fn data_container(payload: usize) -> Vec<u8> {
    let mut buf = vec![0u8; 12 + payload];
    emit_data_header(
        &mut buf,
        OperationCode::GET_OBJECT.0,
        7,
        Some(payload as u64),
    )
    .unwrap();
    for (i, b) in buf[12..].iter_mut().enumerate() {
        *b = i as u8;
    }
    buf
}

fn containers(c: &mut Criterion) {
    for (label, size) in [("1KiB", 1024usize), ("16MiB", 16 << 20)] {
        let wire = data_container(size);
        let mut group = c.benchmark_group(format!("data_container_{label}"));
        group.throughput(Throughput::Bytes(wire.len() as u64));
        group.bench_function("decode_borrowed", |b| {
            b.iter(|| {
                let view = Container::new_checked(black_box(&wire)).unwrap();
                let data = DataContainer::parse(&view).unwrap();
                black_box(data.payload.len())
            });
        });
        let mut dst = vec![0u8; wire.len()];
        group.bench_function("memcpy_limit", |b| {
            b.iter(|| {
                dst.copy_from_slice(black_box(&wire));
                black_box(&dst);
            });
        });
        group.finish();
    }
    let mut group = c.benchmark_group("command_container");
    let repr = ContainerRepr::command(
        OperationCode::GET_OBJECT_HANDLES,
        42,
        Params::new(&[1, 2, 3]).unwrap(),
    );
    let mut buf = [0u8; 32];
    let n = repr.emit(&mut buf).unwrap();
    group.throughput(Throughput::Bytes(n as u64));
    group.bench_function("emit", |b| {
        b.iter(|| black_box(&repr).emit(black_box(&mut buf)).unwrap())
    });
    group.bench_function("parse", |b| {
        b.iter(|| ContainerRepr::parse_bytes(black_box(&buf[..n])).unwrap())
    });
    group.finish();
}

fn device_info(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/deviceinfo/canon-eos-60d.debug.bin"
    );
    let bytes = std::fs::read(path).unwrap();
    let info = DeviceInfo::decode_exact(&bytes).unwrap();
    let mut group = c.benchmark_group("deviceinfo_canon_eos_60d");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("decode", |b| {
        b.iter(|| DeviceInfo::decode_exact(black_box(&bytes)).unwrap())
    });
    let mut out = Vec::with_capacity(bytes.len());
    group.bench_function("encode", |b| {
        b.iter(|| {
            out.clear();
            black_box(&info).encode(&mut out);
            black_box(out.len())
        });
    });
    let mut dst = vec![0u8; bytes.len()];
    group.bench_function("memcpy_limit", |b| {
        b.iter(|| {
            dst.copy_from_slice(black_box(&bytes));
            black_box(&dst);
        });
    });
    group.finish();
}

criterion_group!(benches, containers, device_info);
criterion_main!(benches);
