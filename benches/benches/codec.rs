//! Container and dataset codec throughput, beside memcpy of the same bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ptp_codec::container::emit_data_header;
use ptp_codec::{Container, ContainerRepr, DataContainer, OperationCode, Params};
use ptp_types::{
    Decode, DeviceInfo, DevicePropCode, Encode, EventCode, ObjectFormatCode, PtpString,
};

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
        // Encoding: the header alone (the payload is then written from where it lies, as the
        // transports do), and header plus a copy of the payload into one wire buffer.
        let payload = wire[12..].to_vec();
        let mut out = vec![0u8; wire.len()];
        group.bench_function("encode_header_only", |b| {
            b.iter(|| {
                emit_data_header(
                    black_box(&mut out),
                    OperationCode::GET_OBJECT.0,
                    7,
                    Some(payload.len() as u64),
                )
                .unwrap()
            });
        });
        group.bench_function("encode_copying_payload", |b| {
            b.iter(|| {
                emit_data_header(
                    &mut out,
                    OperationCode::GET_OBJECT.0,
                    7,
                    Some(payload.len() as u64),
                )
                .unwrap();
                out[12..].copy_from_slice(black_box(&payload));
                black_box(&out);
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

/// The DeviceInfo datasets of `fixtures/deviceinfo/*.bin` (real cameras'), or, when there are
/// none, a constructed one of realistic size (200 operations, 200 properties).
fn device_infos() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/deviceinfo");
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().replace('.', "_");
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    found.sort();
    if found.is_empty() {
        let info = DeviceInfo {
            standard_version: 100,
            vendor_extension_id: 6,
            vendor_extension_version: 100,
            vendor_extension_desc: PtpString::truncating("microsoft.com: 1.0; vcam.bench: 1.0"),
            operations_supported: (0x1001..0x1001 + 200).map(OperationCode).collect(),
            events_supported: (0x4001..0x4001 + 40).map(EventCode).collect(),
            device_properties_supported: (0x5001..0x5001 + 200).map(DevicePropCode).collect(),
            capture_formats: vec![ObjectFormatCode(0x3801); 4],
            playback_formats: (0x3000..0x3000 + 30).map(ObjectFormatCode).collect(),
            manufacturer: PtpString::truncating("vcam"),
            model: PtpString::truncating("Bench Body"),
            device_version: PtpString::truncating("1.0.0"),
            serial_number: PtpString::truncating("0123456789abcdef"),
            ..DeviceInfo::default()
        };
        found.push(("constructed".into(), info.to_bytes()));
    }
    found
}

fn device_info(c: &mut Criterion) {
    for (name, bytes) in device_infos() {
        let info = DeviceInfo::decode_exact(&bytes).unwrap();
        let mut group = c.benchmark_group(format!("deviceinfo_{name}"));
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
}

criterion_group!(benches, containers, device_info);
criterion_main!(benches);
