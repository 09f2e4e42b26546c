//! Canon EOS live view frames per second through the shim's synchronous bulk path,
//! in-process, at 640x480 and 1920x1080 (two virtual cameras), beside a memcpy of one frame
//! measured in the same run. GetViewFinderData is read the way libgphoto2 reads data phases.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::undocumented_unsafe_blocks,
    missing_docs
)]

use std::ffi::c_int;
use std::hint::black_box;
use std::ptr;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ptp_codec::OperationCode;
use vcam_libusb::abi::libusb_device_handle;
use vcam_libusb::runtime::{Shim, install};
use vcam_libusb::*;
use vcam_testkit::usb;
use vcam_usb::UsbCamera;

/// One transaction; returns the data phase length.
fn transaction(
    h: *mut libusb_device_handle,
    code: u16,
    tid: u32,
    params: &[u32],
    out: Option<&[u8]>,
    buf: &mut [u8],
) -> usize {
    let mut got: c_int = 0;
    let mut send = |mut bytes: Vec<u8>| {
        // SAFETY: valid handle and buffer.
        let r = unsafe {
            libusb_bulk_transfer(
                h,
                0x02,
                bytes.as_mut_ptr(),
                bytes.len() as c_int,
                &raw mut got,
                5000,
            )
        };
        assert_eq!(r, 0);
    };
    send(usb::command(OperationCode(code), tid, params));
    if let Some(d) = out {
        send(usb::data(OperationCode(code), tid, d));
    }
    let mut data_len = 0;
    loop {
        // SAFETY: valid handle and buffer.
        assert_eq!(
            unsafe { libusb_bulk_transfer(h, 0x81, buf.as_mut_ptr(), 1024, &raw mut got, 5000) },
            0
        );
        if got == 0 {
            continue;
        }
        if u16::from_le_bytes([buf[4], buf[5]]) == 3 {
            assert_eq!(&buf[6..8], &[0x01, 0x20], "response OK");
            return data_len;
        }
        let total = u32::from_le_bytes(buf[..4].try_into().unwrap()) as usize;
        let mut have = got as usize;
        while have < total {
            let want = (total - have).min(512 * 1024);
            let want = if want > 512 { want - want % 512 } else { want };
            // SAFETY: valid handle and buffer.
            assert_eq!(
                unsafe {
                    libusb_bulk_transfer(
                        h,
                        0x81,
                        buf.as_mut_ptr(),
                        want as c_int,
                        &raw mut got,
                        5000,
                    )
                },
                0
            );
            black_box(&buf[..got as usize]);
            have += got as usize;
        }
        data_len = total - 12;
    }
}

fn bench(c: &mut Criterion) {
    let cards: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let sizes = [(640u32, 480u32), (1920, 1080)];
    let cameras = sizes
        .iter()
        .zip(&cards)
        .map(|(&(w, h), card)| {
            // Every poll gets a frame: the bench measures the path, not the camera's pacing.
            UsbCamera::new(
                vcam_testkit::camera("canon_1300d", card.path(), (w, h))
                    .with_liveview_pacing(vcam_core::LiveviewPacing::EveryPoll),
            )
        })
        .collect();
    install(Shim::with_cameras(cameras)).unwrap();
    let mut list = ptr::null_mut();
    // SAFETY: libusb API contract.
    unsafe {
        assert_eq!(libusb_init(ptr::null_mut()), 0);
        assert_eq!(libusb_get_device_list(ptr::null_mut(), &raw mut list), 2);
    }
    let mut buf = vec![0u8; 512 * 1024];
    let mut evf = Vec::new();
    for v in [12u32, 0xD1B0, 2] {
        evf.extend_from_slice(&v.to_le_bytes());
    }
    for (i, (w, h)) in sizes.into_iter().enumerate() {
        let mut handle = ptr::null_mut();
        // SAFETY: the list holds two devices.
        unsafe { assert_eq!(libusb_open(*list.add(i), &raw mut handle), 0) };
        transaction(handle, 0x1002, 0, &[1], None, &mut buf);
        transaction(handle, 0x9115, 1, &[1], None, &mut buf);
        transaction(handle, 0x9110, 2, &[], Some(&evf), &mut buf);
        let mut tid = 3;
        let frame_len = transaction(handle, 0x9153, tid, &[0x0020_0000, 0, 0], None, &mut buf);
        let mut group = c.benchmark_group(format!("liveview_{w}x{h}"));
        group.throughput(Throughput::Elements(1));
        group.bench_function("libusb_shim_fps", |b| {
            b.iter(|| {
                tid += 1;
                transaction(handle, 0x9153, tid, &[0x0020_0000, 0, 0], None, &mut buf)
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
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
