//! GetObject throughput through the shim's synchronous bulk path, in-process, beside a memcpy
//! of the same bytes measured in the same run. A real client (libgphoto2) reads a data phase
//! with a 1024-byte first transfer and then 512 KiB transfers; so does this bench.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::ffi::c_int;
use std::hint::black_box;
use std::ptr;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ptp_codec::OperationCode;
use vcam_libusb::abi::libusb_device_handle;
use vcam_libusb::*;
use vcam_testkit::usb;

const SIZE: usize = 64 * 1024 * 1024;

fn transaction(
    h: *mut libusb_device_handle,
    code: u16,
    tid: u32,
    params: &[u32],
    sink: &mut Vec<u8>,
    buf: &mut [u8],
) {
    let mut cmd = usb::command(OperationCode(code), tid, params);
    let mut got: c_int = 0;
    // SAFETY: valid handle and buffers.
    unsafe {
        assert_eq!(
            libusb_bulk_transfer(
                h,
                0x02,
                cmd.as_mut_ptr(),
                cmd.len() as c_int,
                &raw mut got,
                5000
            ),
            0
        );
        loop {
            assert_eq!(
                libusb_bulk_transfer(h, 0x81, buf.as_mut_ptr(), 1024, &raw mut got, 5000),
                0
            );
            let kind = u16::from_le_bytes([buf[4], buf[5]]);
            if kind == 3 {
                assert_eq!(&buf[6..8], &[0x01, 0x20], "response OK");
                return;
            }
            let total = u32::from_le_bytes(buf[..4].try_into().unwrap()) as usize;
            sink.clear();
            sink.extend_from_slice(&buf[12..got as usize]);
            let mut have = got as usize;
            while have < total {
                let want = (total - have).min(buf.len());
                let want = if want > 512 { want - want % 512 } else { want };
                assert_eq!(
                    libusb_bulk_transfer(
                        h,
                        0x81,
                        buf.as_mut_ptr(),
                        want as c_int,
                        &raw mut got,
                        5000
                    ),
                    0
                );
                sink.extend_from_slice(&buf[..got as usize]);
                have += got as usize;
            }
        }
    }
}

fn bench(c: &mut Criterion) {
    let card = tempfile::tempdir().unwrap();
    let dcim = card.path().join("DCIM/100TEST");
    std::fs::create_dir_all(&dcim).unwrap();
    let payload: Vec<u8> = (0..SIZE).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(dcim.join("BIG.MOV"), &payload).unwrap();
    // SAFETY: single-threaded at this point; the shim reads its environment once, below.
    unsafe {
        std::env::set_var("VCAM_FS", card.path());
        std::env::set_var("VCAM_MODELS", "generic");
    }
    let mut h = ptr::null_mut();
    let mut buf = vec![0u8; 512 * 1024];
    let mut sink = Vec::with_capacity(SIZE);
    // SAFETY: libusb API contract.
    unsafe {
        assert_eq!(libusb_init(ptr::null_mut()), 0);
        let mut list = ptr::null_mut();
        assert!(libusb_get_device_list(ptr::null_mut(), &raw mut list) >= 1);
        assert_eq!(libusb_open(*list, &raw mut h), 0);
        libusb_free_device_list(list, 1);
    }
    transaction(h, 0x1002, 0, &[1], &mut sink, &mut buf);
    transaction(h, 0x1007, 1, &[0xFFFF_FFFF, 0, 0], &mut sink, &mut buf);
    let handles: Vec<u32> = sink[4..]
        .chunks(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let mut object = 0;
    let mut tid = 1;
    for &handle in &handles {
        tid += 1;
        transaction(h, 0x1008, tid, &[handle], &mut sink, &mut buf);
        let size = u32::from_le_bytes(sink[8..12].try_into().unwrap()) as usize;
        if size == SIZE {
            object = handle;
        }
    }
    assert_ne!(object, 0, "64 MiB object not found");

    let mut group = c.benchmark_group("getobject_64MiB");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(SIZE as u64));
    group.bench_function("libusb_shim_sync_bulk", |b| {
        b.iter(|| {
            tid += 1;
            transaction(h, 0x1009, tid, &[object], &mut sink, &mut buf);
            assert_eq!(sink.len(), SIZE);
        });
    });
    let mut dst = vec![0u8; SIZE];
    group.bench_function("memcpy_limit", |b| {
        b.iter(|| {
            dst.copy_from_slice(black_box(&payload));
            black_box(&dst);
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
