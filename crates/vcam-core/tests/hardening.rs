//! Issue 15, items 8 to 12: what robustness tests found on main, driven in-process as a transport
//! would drive the responder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::card;
use vcam_core::ptp_types::{
    Decode, DevicePropCode, DevicePropDesc, Encode, ObjectInfo, OperationCode as Op, PropValue,
    PtpString, ResponseCode as Rc,
};
use vcam_testkit::cam::Cam;

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
    let mut cam = Cam::model("generic", dir.path());
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
    for model in ["generic", "mtp_camera"] {
        let dir = card();
        let mut cam = Cam::model(model, dir.path());
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
    let mut cam = Cam::model("generic", dir.path());
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

/// A card holding one sparse file of 4 GiB + 10 bytes, with markers at its start, around the
/// 4 GiB boundary and at its end.
fn huge_card() -> tempfile::TempDir {
    use std::io::{Seek, SeekFrom, Write};
    let dir = tempfile::tempdir().unwrap();
    let mut f = std::fs::File::create(dir.path().join("HUGE.MOV")).unwrap();
    f.set_len(HUGE).unwrap();
    for (at, mark) in [(0, b"HEAD"), (FOUR_GIB - 2, b"MID4"), (HUGE - 4, b"TAIL")] {
        f.seek(SeekFrom::Start(at)).unwrap();
        f.write_all(mark).unwrap();
    }
    dir
}

const FOUR_GIB: u64 = 4 << 30;
const HUGE: u64 = FOUR_GIB + 10;

/// Item 17: an object of 4 GiB and more. ObjectInfo says 0xFFFFFFFF; GetObjectPropValue
/// (ObjectSize 0xDC04) gives the 64-bit size; GetPartialObject64 reads past 4 GiB; and the
/// 32-bit GetPartialObject that ends at the 0xFFFFFFFF sentinel (the last block of a client
/// that believes ObjectInfo) is refused instead of letting it finish one byte short.
#[test]
fn objects_over_4_gib() {
    let dir = huge_card();
    let mut cam = Cam::model("mtp_camera", dir.path());
    let h = cam.find("HUGE.MOV").unwrap();
    assert_eq!(cam.info(h).object_compressed_size, u32::MAX);
    let size = cam.run(Op::GET_OBJECT_PROP_VALUE, &[h, 0xDC04]);
    assert_eq!(size.data, HUGE.to_le_bytes());
    let a = cam.run(
        vcam_core::android::GET_PARTIAL_OBJECT_64,
        &[h, u32::MAX - 1, 0, 8],
    );
    assert_eq!(
        (a.code, &a.params[..], &a.data[..]),
        (Rc::OK, &[8][..], &b"MID4\0\0\0\0"[..])
    );
    let a = cam.run(vcam_core::android::GET_PARTIAL_OBJECT_64, &[h, 6, 1, 100]);
    assert_eq!(
        (a.code, &a.params[..], &a.data[..]),
        (Rc::OK, &[4][..], &b"TAIL"[..])
    );
    // 32-bit reads: fine below the sentinel, refused when they end at it.
    let a = cam.run(Op::GET_PARTIAL_OBJECT, &[h, 0, 4]);
    assert_eq!((a.code, &a.data[..]), (Rc::OK, &b"HEAD"[..]));
    let a = cam.run(Op::GET_PARTIAL_OBJECT, &[h, 0xFFF0_0000, 0x000F_FFFF]);
    assert_eq!(a.code, Rc::INCOMPLETE_TRANSFER);
    assert!(a.data.is_empty());
    // The generic PTP camera refuses that read too.
    let mut cam = Cam::model("generic", dir.path());
    let h = cam.find("HUGE.MOV").unwrap();
    let a = cam.run(Op::GET_PARTIAL_OBJECT, &[h, 0xFFF0_0000, 0x000F_FFFF]);
    assert_eq!(a.code, Rc::INCOMPLETE_TRANSFER);
}

/// Item 14: with a pacing that answers "not ready", a live view poll before the next frame
/// is due gets that code; the next frame is served when its time comes.
#[test]
fn live_view_polls_are_paced() {
    let dir = card();
    let mut cam = Cam::open(
        vcam_core::Responder::new(
            vcam_core::generic::generic(),
            Box::new(vcam_core::NoVendor),
            Box::new(vcam_core::FolderStore::open(dir.path(), false).unwrap()),
            Box::new(vcam_core::SyntheticFrames::new(160, 120, 25)),
        )
        .with_liveview_pacing(vcam_core::LiveviewPacing::Busy(Rc::DEVICE_BUSY)),
    );
    let enabled = u32::from(DevicePropCode::ENABLED_STREAMS.0);
    assert_eq!(
        cam.send(Op::SET_DEVICE_PROP_VALUE, &[enabled], &1u32.to_le_bytes())
            .code,
        Rc::OK
    );
    let first = cam.run(Op::GET_STREAM, &[1]);
    assert_eq!(first.code, Rc::OK);
    cam.now += Duration::from_millis(10);
    assert_eq!(cam.run(Op::GET_STREAM, &[1]).code, Rc::DEVICE_BUSY);
    cam.now += Duration::from_millis(40);
    let next = cam.run(Op::GET_STREAM, &[1]);
    assert_eq!(next.code, Rc::OK);
    assert_ne!(next.data, first.data);
}

/// Item 9: a file replaced by a folder after the scan is answered InvalidObjectHandle by
/// GetObject and GetObjectInfo, never OK with 0 bytes or a folder's 4096.
#[test]
fn a_file_replaced_by_a_folder_is_another_object() {
    let dir = card();
    let mut cam = Cam::model("generic", dir.path());
    let h = cam.find("README.TXT").unwrap();
    std::fs::remove_file(dir.path().join("README.TXT")).unwrap();
    std::fs::create_dir(dir.path().join("README.TXT")).unwrap();
    let a = cam.run(Op::GET_OBJECT, &[h]);
    assert_eq!(
        (a.code, a.data.len()),
        (Rc::INVALID_OBJECT_HANDLE, 0),
        "GetObject"
    );
    assert_eq!(
        cam.run(Op::GET_OBJECT_INFO, &[h]).code,
        Rc::INVALID_OBJECT_HANDLE
    );
    let folder = cam.find("README.TXT").unwrap();
    assert_ne!(folder, h, "the folder is a new object");
    assert!(cam.info(folder).is_folder());
}

/// Item 12: a 255-character name, which no PTP string holds (254 characters and the NUL),
/// is shown under its FAT-style alias: the start of the name, `~1` and the extension.
#[test]
fn a_255_character_name_is_shown_under_an_alias() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("{}.jpg", "L".repeat(251));
    std::fs::write(dir.path().join(&long), b"x").unwrap();
    let mut cam = Cam::model("generic", dir.path());
    let h = cam.handles()[0];
    assert_eq!(
        cam.info(h).filename.as_str(),
        format!("{}~1.jpg", "L".repeat(248))
    );
    let a = cam.run(Op::GET_OBJECT, &[h]);
    assert_eq!((a.code, &a.data[..]), (Rc::OK, &b"x"[..]));
}
