//! Issue 15, items 8 to 12: what robustness tests found on main, driven in-process as a transport
//! would drive the responder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Cam, card};
use vcam_core::ptp_types::{
    Decode, DevicePropCode, DevicePropDesc, Encode, ObjectInfo, OperationCode as Op, PropValue,
    PtpString, ResponseCode as Rc,
};

fn date_time(cam: &mut Cam) -> String {
    let dt = u32::from(DevicePropCode::DATE_TIME.0);
    let a = cam.run(Op::GET_DEVICE_PROP_VALUE, &[dt]);
    assert_eq!(a.code, Rc::OK);
    PtpString::decode_exact(&a.data).unwrap().to_string()
}

/// Item 8: ResetDevicePropValue returns DateTime to its factory default, as every other
/// property, alone and with 0xFFFFFFFF (all); the clock then runs on from there.
#[test]
fn reset_returns_date_time_to_its_factory_default() {
    let dir = card();
    let mut cam = Cam::open(dir.path());
    let dt = u32::from(DevicePropCode::DATE_TIME.0);
    let desc = cam.run(Op::GET_DEVICE_PROP_DESC, &[dt]);
    let desc = DevicePropDesc::decode_exact(&desc.data).unwrap();
    let PropValue::Str(default) = desc.factory_default else {
        panic!("DateTime is a string");
    };
    let set = |cam: &mut Cam| {
        let value = PropValue::Str(PtpString::truncating("20300102T030405"));
        let a = cam.send(Op::SET_DEVICE_PROP_VALUE, &[dt], &value.to_bytes());
        assert_eq!(a.code, Rc::OK);
        assert_eq!(date_time(cam), "20300102T030405");
    };
    set(&mut cam);
    assert_eq!(cam.run(Op::RESET_DEVICE_PROP_VALUE, &[dt]).code, Rc::OK);
    assert_eq!(date_time(&mut cam), default.as_str());
    cam.now += Duration::from_secs(61);
    let later = date_time(&mut cam);
    assert!(later > default.to_string(), "the clock runs on: {later}");

    set(&mut cam);
    let f = u32::from(DevicePropCode::F_NUMBER.0);
    assert_eq!(
        cam.send(Op::SET_DEVICE_PROP_VALUE, &[f], &800u16.to_le_bytes())
            .code,
        Rc::OK
    );
    assert_eq!(
        cam.run(Op::RESET_DEVICE_PROP_VALUE, &[0xFFFF_FFFF]).code,
        Rc::OK
    );
    assert_eq!(date_time(&mut cam), default.as_str());
    assert_eq!(
        cam.run(Op::GET_DEVICE_PROP_VALUE, &[f]).data,
        560u16.to_le_bytes()
    );
}

/// Item 11: a PTP-only body refuses a bad upload name with a PTP code (InvalidDataset
/// 0x2023), never MTP's 0xA806; the MTP camera answers the same PTP code.
#[test]
fn bad_upload_names_get_ptp_codes() {
    for model in [
        vcam_core::generic::generic(),
        vcam_core::generic::mtp_camera(),
    ] {
        let dir = card();
        let mut cam = Cam::open_model(model, dir.path());
        for bad in ["../evil", "a/b", "..", "a\\b", "x\u{1}y"] {
            let info = ObjectInfo {
                filename: PtpString::truncating(bad),
                object_compressed_size: 1,
                ..ObjectInfo::default()
            };
            let a = cam.send(Op::SEND_OBJECT_INFO, &[0, 0], &info.to_bytes());
            assert_eq!(a.code, Rc::INVALID_DATA_SET, "{bad:?}");
        }
    }
}

/// The process umask, from `/proc/self/status` (Linux 4.7 and later).
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .expect("Umask in /proc/self/status");
    u32::from_str_radix(line.trim(), 8).unwrap()
}

/// Item 10: uploads, captures and copies are created as a normal program creates a file: mode
/// 0666 less the umask (they used to be 0600 whatever the umask), and still appear atomically.
#[test]
fn new_files_get_0666_less_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let want = 0o666 & !umask();
    let dir = card();
    let mut cam = Cam::open(dir.path());
    let info = ObjectInfo {
        filename: PtpString::truncating("UP.BIN"),
        object_compressed_size: 3,
        ..ObjectInfo::default()
    };
    assert_eq!(
        cam.send(Op::SEND_OBJECT_INFO, &[0, 0], &info.to_bytes())
            .code,
        Rc::OK
    );
    assert_eq!(cam.send(Op::SEND_OBJECT, &[], b"abc").code, Rc::OK);
    assert_eq!(cam.run(Op::INITIATE_CAPTURE, &[0, 0]).code, Rc::OK);
    let up = cam.find("UP.BIN").unwrap();
    let dcim = cam.find("DCIM").unwrap();
    assert_eq!(
        cam.run(Op::COPY_OBJECT, &[up, 0x0001_0001, dcim]).code,
        Rc::OK
    );
    for path in ["UP.BIN", "DCIM/100VCAM/IMG_0001.JPG", "DCIM/UP.BIN"] {
        let mode = std::fs::metadata(dir.path().join(path))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, want, "{path}: {mode:o}, umask {:o}", umask());
    }
}
