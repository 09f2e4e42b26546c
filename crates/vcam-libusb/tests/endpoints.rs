//! A Canon EOS 1300D through the C ABI: only its own endpoints exist (issue 15 item 6), and
//! its descriptors are the real body's, byte for byte (item 7: the `lsusb -v` of a real EOS
//! Rebel T6 in vcam's C original, `src/notes/a.txt`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unsafe_code)]

use std::ffi::c_int;
use std::ptr;
use std::sync::Once;

use vcam_libusb::abi::*;
use vcam_libusb::*;

/// The shim reads its configuration once per process: every test here sees one 1300D.
fn open_1300d() -> *mut libusb_device_handle {
    static ENV: Once = Once::new();
    // SAFETY: set once, before any libusb call of this process reads the environment.
    ENV.call_once(|| unsafe {
        std::env::set_var("VCAM_MODELS", "canon_1300d");
        std::env::remove_var("VCAM_FS");
    });
    // SAFETY: the libusb API contract is followed.
    unsafe {
        let mut ctx = ptr::null_mut();
        assert_eq!(libusb_init(&raw mut ctx), 0);
        let mut list = ptr::null_mut();
        assert!(libusb_get_device_list(ctx, &raw mut list) >= 1);
        let mut h = ptr::null_mut();
        assert_eq!(libusb_open(*list, &raw mut h), 0);
        libusb_free_device_list(list, 1);
        assert_eq!(libusb_claim_interface(h, 0), 0);
        h
    }
}

/// An OpenSession command container (ISO 15740:2013 annex D.7.1).
fn open_session(tid: u32) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&0x1002u16.to_le_bytes());
    v.extend_from_slice(&tid.to_le_bytes());
    v.extend_from_slice(&1u32.to_le_bytes());
    v
}

fn bulk(h: *mut libusb_device_handle, endpoint: u8, buf: &mut [u8]) -> (c_int, c_int) {
    let mut done: c_int = -1;
    // SAFETY: `buf` is valid for its length; `done` is a valid out pointer.
    let r = unsafe {
        libusb_bulk_transfer(
            h,
            endpoint,
            buf.as_mut_ptr(),
            buf.len() as c_int,
            &raw mut done,
            200,
        )
    };
    (r, done)
}

/// Issue 15 item 6: OUT and IN transfers on endpoints the body does not have fail as libusb
/// fails them on Linux (usbfs refuses the URB with ENOENT, `submit_bulk_transfer` turns that
/// into LIBUSB_ERROR_IO) and nothing reaches the PTP pipe.
#[test]
fn only_the_models_endpoints_exist() {
    let h = open_1300d();
    for endpoint in [0x09, 0x0A, 0x7E, 0x01, 0x03] {
        let mut cmd = open_session(0);
        assert_eq!(
            bulk(h, endpoint, &mut cmd),
            (error::IO, 0),
            "OUT on {endpoint:#04x}"
        );
    }
    for endpoint in [0x85, 0x82, 0x8F] {
        let mut buf = [0u8; 64];
        assert_eq!(
            bulk(h, endpoint, &mut buf),
            (error::IO, 0),
            "IN on {endpoint:#04x}"
        );
    }
    // The asynchronous API refuses them at submission.
    // SAFETY: the transfer is allocated, filled and freed as libusb requires.
    unsafe {
        let t = libusb_alloc_transfer(0);
        let mut cmd = open_session(0);
        (*t).dev_handle = h;
        (*t).endpoint = 0x09;
        (*t).r#type = transfer_type::BULK;
        (*t).length = cmd.len() as c_int;
        (*t).buffer = cmd.as_mut_ptr();
        assert_eq!(libusb_submit_transfer(t), error::IO);
        libusb_free_transfer(t);
    }
    // None of the commands above reached the camera: the session opens now, for the first time.
    let mut cmd = open_session(0);
    assert_eq!(bulk(h, 0x02, &mut cmd), (error::SUCCESS, 16));
    let mut response = [0u8; 512];
    let (r, n) = bulk(h, 0x81, &mut response);
    assert_eq!((r, n), (error::SUCCESS, 12));
    assert_eq!(
        u16::from_le_bytes([response[6], response[7]]),
        0x2001,
        "OpenSession answered OK, not SessionAlreadyOpen"
    );
}

fn get_descriptor(h: *mut libusb_device_handle, kind: u8, index: u8) -> Result<Vec<u8>, c_int> {
    let mut buf = [0u8; 255];
    // SAFETY: `buf` holds 255 writable bytes.
    let n = unsafe {
        libusb_control_transfer(
            h,
            0x80,
            6,
            u16::from(kind) << 8 | u16::from(index),
            0x0409,
            buf.as_mut_ptr(),
            255,
            200,
        )
    };
    usize::try_from(n).map(|n| buf[..n].to_vec()).map_err(|_| n)
}

/// Issue 15 item 7: the descriptors of a real EOS Rebel T6 (`lsusb -v -d 04a9:32b4`):
/// bcdUSB 2.00, bcdDevice 0.02, no serial number string, self-powered at 2 mA, one Still
/// Image interface without a string, bulk 0x81 / 0x02 of 512 bytes, interrupt 0x83 of 8 bytes
/// every 10.
#[test]
fn the_descriptors_are_the_real_bodys() {
    let h = open_1300d();
    let device = [
        0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0xa9, 0x04, 0xb4, 0x32, 0x02, 0x00, 0x01,
        0x02, 0x00, 0x01,
    ];
    assert_eq!(get_descriptor(h, 1, 0).unwrap(), device);
    let configuration = [
        0x09, 0x02, 0x27, 0x00, 0x01, 0x01, 0x00, 0xc0, 0x01, // configuration
        0x09, 0x04, 0x00, 0x00, 0x03, 0x06, 0x01, 0x01, 0x00, // interface
        0x07, 0x05, 0x81, 0x02, 0x00, 0x02, 0x00, // bulk IN
        0x07, 0x05, 0x02, 0x02, 0x00, 0x02, 0x00, // bulk OUT
        0x07, 0x05, 0x83, 0x03, 0x08, 0x00, 0x0a, // interrupt IN
    ];
    assert_eq!(get_descriptor(h, 2, 0).unwrap(), configuration);
    let qualifier = [0x0a, 0x06, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0x01, 0x00];
    assert_eq!(get_descriptor(h, 6, 0).unwrap(), qualifier);
    let utf16 = |s: &str| -> Vec<u8> {
        let mut v = vec![(2 + 2 * s.len()) as u8, 3];
        v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        v
    };
    assert_eq!(get_descriptor(h, 3, 1).unwrap(), utf16("Canon Inc."));
    assert_eq!(
        get_descriptor(h, 3, 2).unwrap(),
        utf16("Canon Digital Camera")
    );
    assert_eq!(
        get_descriptor(h, 3, 3),
        Err(error::PIPE),
        "no serial number string"
    );
    // Device Status: self-powered.
    let mut status = [0u8; 2];
    // SAFETY: `status` holds 2 writable bytes.
    let n = unsafe { libusb_control_transfer(h, 0x80, 0, 0, 0, status.as_mut_ptr(), 2, 200) };
    assert_eq!((n, status), (2, [1, 0]));
}
