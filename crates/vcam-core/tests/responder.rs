//! The responder driven directly, as a transport would: every standard operation, the
//! protocol rules and the error answers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::card;

use std::fs;
use std::time::Duration;

use vcam_core::ptp_types::{
    DataTypeCode, Decode, DeviceInfo, DevicePropCode, DevicePropDesc, Encode, EventCode,
    ObjectFormatCode, ObjectHandle, ObjectInfo, OperationCode as Op, PropValue, PtpString,
    ResponseCode as Rc, StorageId, StorageInfo, StreamInfo,
};
use vcam_core::{NoVendor, generic};
use vcam_testkit::cam::{Cam, camera_of};

#[test]
fn device_info_outside_a_session_and_session_rules() {
    let dir = card();
    let mut cam = Cam::new(vcam_testkit::camera("generic", dir.path(), (320, 240)));
    let a = cam.run_tid(Op::GET_DEVICE_INFO, 0, &[], None);
    assert_eq!(a.code, Rc::OK);
    let info = DeviceInfo::decode_exact(&a.data).unwrap();
    assert_eq!(info.model, "Generic PTP Camera");
    assert!(info.operations_supported.contains(&Op::GET_PARTIAL_OBJECT));
    assert!(
        info.device_properties_supported
            .contains(&DevicePropCode::F_NUMBER)
    );

    assert_eq!(
        cam.run_tid(Op::GET_STORAGE_IDS, 1, &[], None).code,
        Rc::SESSION_NOT_OPEN
    );
    assert_eq!(
        cam.run_tid(Op::OPEN_SESSION, 0, &[0], None).code,
        Rc::INVALID_PARAMETER
    );
    assert_eq!(cam.run_tid(Op::OPEN_SESSION, 0, &[7], None).code, Rc::OK);
    let again = cam.run_tid(Op::OPEN_SESSION, 0, &[8], None);
    assert_eq!(again.code, Rc::SESSION_ALREADY_OPEN);
    assert_eq!(again.params, [7]);
    assert_eq!(cam.run_tid(Op::GET_STORAGE_IDS, 5, &[], None).code, Rc::OK);
    // A TransactionID that goes backwards is refused, and the session keeps working.
    assert_eq!(
        cam.run_tid(Op::GET_STORAGE_IDS, 3, &[], None).code,
        Rc::INVALID_TRANSACTION_ID
    );
    assert_eq!(cam.run_tid(Op::GET_STORAGE_IDS, 6, &[], None).code, Rc::OK);
    assert_eq!(
        cam.run_tid(Op(0x9999), 7, &[], None).code,
        Rc::OPERATION_NOT_SUPPORTED
    );
    assert_eq!(
        cam.run_tid(Op::GET_STORAGE_INFO, 8, &[1, 2, 3, 4, 5], None)
            .code,
        Rc::PARAMETER_NOT_SUPPORTED
    );
    assert_eq!(cam.run_tid(Op::CLOSE_SESSION, 9, &[], None).code, Rc::OK);
    assert_eq!(
        cam.run_tid(Op::GET_STORAGE_IDS, 10, &[], None).code,
        Rc::SESSION_NOT_OPEN
    );
}

#[test]
fn storage_objects_and_partial_reads() {
    let dir = card();
    let mut cam = Cam::model("generic", dir.path());
    let ids = Vec::<u32>::decode_exact(&cam.run(Op::GET_STORAGE_IDS, &[]).data).unwrap();
    assert_eq!(ids, [0x0001_0001]);
    let si = StorageInfo::decode_exact(&cam.run(Op::GET_STORAGE_INFO, &[ids[0]]).data).unwrap();
    assert!(si.max_capacity > 0);
    assert_eq!(
        cam.run(Op::GET_STORAGE_INFO, &[0x0002_0001]).code,
        Rc::INVALID_STORAGE_ID
    );

    let all = cam.handles();
    assert_eq!(all.len(), 4);
    let n = cam.run(Op::GET_NUM_OBJECTS, &[0xFFFF_FFFF]);
    assert_eq!(n.params, [4]);
    let root = Vec::<u32>::decode_exact(
        &cam.run(Op::GET_OBJECT_HANDLES, &[0xFFFF_FFFF, 0, 0xFFFF_FFFF])
            .data,
    )
    .unwrap();
    assert_eq!(root.len(), 2);
    assert_eq!(
        cam.run(Op::GET_OBJECT_HANDLES, &[0xFFFF_FFFF, 0, 0x7777])
            .code,
        Rc::INVALID_PARENT_OBJECT
    );
    assert_eq!(
        cam.run(Op::GET_OBJECT_HANDLES, &[0xFFFF_FFFF, 0x1_0000])
            .code,
        Rc::INVALID_OBJECT_FORMAT_CODE
    );
    let txt = Vec::<u32>::decode_exact(
        &cam.run(
            Op::GET_OBJECT_HANDLES,
            &[0xFFFF_FFFF, u32::from(ObjectFormatCode::TEXT.0)],
        )
        .data,
    )
    .unwrap();
    assert_eq!(txt.len(), 1);

    let big = cam.find("BIG.BIN").unwrap();
    let expected = fs::read(dir.path().join("DCIM/100VCAM/BIG.BIN")).unwrap();
    let a = cam.run(Op::GET_OBJECT, &[big]);
    assert_eq!(a.code, Rc::OK);
    assert!(a.data == expected, "GetObject returns the file's bytes");
    let p = cam.run(Op::GET_PARTIAL_OBJECT, &[big, 1_000_000, 5000]);
    assert_eq!(p.params, [5000]);
    assert_eq!(p.data, expected[1_000_000..1_005_000]);
    let tail = cam.run(Op::GET_PARTIAL_OBJECT, &[big, 2_999_990, 5000]);
    assert_eq!(tail.data, expected[2_999_990..]);
    assert_eq!(
        cam.run(Op::GET_OBJECT, &[0xDEAD]).code,
        Rc::INVALID_OBJECT_HANDLE
    );
    assert_eq!(
        cam.run(Op::GET_OBJECT_INFO, &[0]).code,
        Rc::INVALID_OBJECT_HANDLE
    );
    let txt = cam.find("README.TXT").unwrap();
    assert_eq!(
        cam.run(Op::GET_THUMB, &[txt]).code,
        Rc::NO_THUMBNAIL_PRESENT
    );
}

#[test]
fn upload_delete_and_capture() {
    let dir = card();
    let mut cam = Cam::model("generic", dir.path());
    let dcim = cam.find("DCIM").unwrap();
    let payload = b"uploaded bytes".to_vec();
    let info = ObjectInfo {
        object_format: ObjectFormatCode::TEXT,
        object_compressed_size: payload.len() as u32,
        filename: PtpString::truncating("UP.TXT"),
        ..ObjectInfo::default()
    };
    // SendObject before SendObjectInfo.
    assert_eq!(
        cam.send(Op::SEND_OBJECT, &[], &payload).code,
        Rc::NO_VALID_OBJECT_INFO
    );
    let a = cam.send(Op::SEND_OBJECT_INFO, &[0x0001_0001, dcim], &info.to_bytes());
    assert_eq!(a.code, Rc::OK);
    assert_eq!(a.params[..2], [0x0001_0001, dcim]);
    let handle = a.params[2];
    assert_eq!(cam.send(Op::SEND_OBJECT, &[], &payload).code, Rc::OK);
    assert_eq!(fs::read(dir.path().join("DCIM/UP.TXT")).unwrap(), payload);
    assert_eq!(cam.info(handle).filename, "UP.TXT");

    // Names that would leave the root are refused.
    for bad in ["../escape.txt", "/tmp/abs.txt", ".."] {
        let info = ObjectInfo {
            filename: PtpString::truncating(bad),
            ..info.clone()
        };
        let a = cam.send(Op::SEND_OBJECT_INFO, &[0x0001_0001, dcim], &info.to_bytes());
        assert_ne!(a.code, Rc::OK, "{bad}");
    }
    // A malformed ObjectInfo.
    assert_eq!(
        cam.send(Op::SEND_OBJECT_INFO, &[0x0001_0001, dcim], &[1, 2, 3])
            .code,
        Rc::INVALID_DATA_SET
    );

    assert_eq!(cam.run(Op::DELETE_OBJECT, &[handle]).code, Rc::OK);
    assert!(!dir.path().join("DCIM/UP.TXT").exists());
    assert_eq!(
        cam.run(Op::DELETE_OBJECT, &[handle]).code,
        Rc::INVALID_OBJECT_HANDLE
    );

    let before = cam.handles().len();
    assert_eq!(cam.run(Op::INITIATE_CAPTURE, &[0, 0]).code, Rc::OK);
    let events = cam.events();
    let added: Vec<_> = events
        .iter()
        .filter(|e| e.code == EventCode::OBJECT_ADDED)
        .collect();
    assert_eq!(added.len(), 1);
    assert!(events.iter().any(|e| e.code == EventCode::CAPTURE_COMPLETE));
    let new = added[0].params[0];
    let info = cam.info(new);
    assert_eq!(info.object_format, ObjectFormatCode::EXIF_JPEG);
    assert!(info.thumb_compressed_size > 0);
    let jpeg = cam.run(Op::GET_OBJECT, &[new]).data;
    let img = image::load_from_memory(&jpeg).unwrap();
    assert_eq!((img.width(), img.height()), (1600, 1200));
    let thumb = cam.run(Op::GET_THUMB, &[new]);
    assert_eq!(thumb.code, Rc::OK);
    assert!(image::load_from_memory(&thumb.data).is_ok());
    assert_eq!(cam.handles().len(), before + 1);
}

#[test]
fn properties_validate_and_announce_changes() {
    let dir = card();
    let mut cam = Cam::model("generic", dir.path());
    let d = cam.run(
        Op::GET_DEVICE_PROP_DESC,
        &[u32::from(DevicePropCode::F_NUMBER.0)],
    );
    let desc = DevicePropDesc::decode_exact(&d.data).unwrap();
    assert_eq!(desc.data_type, DataTypeCode::UINT16);
    let f = u32::from(DevicePropCode::F_NUMBER.0);
    assert_eq!(
        cam.send(Op::SET_DEVICE_PROP_VALUE, &[f], &800u16.to_le_bytes())
            .code,
        Rc::OK
    );
    let events: Vec<_> = cam
        .events()
        .iter()
        .map(|e| (e.code, e.params.to_vec()))
        .collect();
    assert_eq!(events, [(EventCode::DEVICE_PROP_CHANGED, vec![f])]);
    assert_eq!(
        cam.run(Op::GET_DEVICE_PROP_VALUE, &[f]).data,
        800u16.to_le_bytes()
    );
    // Not in the enumeration, wrong size: refused, nothing changes.
    assert_eq!(
        cam.send(Op::SET_DEVICE_PROP_VALUE, &[f], &810u16.to_le_bytes())
            .code,
        Rc::INVALID_DEVICE_PROP_VALUE
    );
    assert_eq!(
        cam.send(Op::SET_DEVICE_PROP_VALUE, &[f], &[1, 2, 3, 4])
            .code,
        Rc::INVALID_DEVICE_PROP_FORMAT
    );
    assert_eq!(
        cam.run(Op::GET_DEVICE_PROP_VALUE, &[f]).data,
        800u16.to_le_bytes()
    );
    assert!(cam.events().is_empty());
    // Read-only and unknown properties.
    let battery = u32::from(DevicePropCode::BATTERY_LEVEL.0);
    assert_eq!(
        cam.run(Op::SET_DEVICE_PROP_VALUE, &[battery]).code,
        Rc::ACCESS_DENIED
    );
    assert_eq!(
        cam.run(Op::GET_DEVICE_PROP_DESC, &[0xD999]).code,
        Rc::DEVICE_PROP_NOT_SUPPORTED
    );
    assert_eq!(cam.run(Op::RESET_DEVICE_PROP_VALUE, &[f]).code, Rc::OK);
    assert_eq!(
        cam.run(Op::GET_DEVICE_PROP_VALUE, &[f]).data,
        560u16.to_le_bytes()
    );
    // DateTime can be set and then runs on.
    let dt = u32::from(DevicePropCode::DATE_TIME.0);
    let value = PropValue::Str(PtpString::truncating("20300102T030405"));
    assert_eq!(
        cam.send(Op::SET_DEVICE_PROP_VALUE, &[dt], &value.to_bytes())
            .code,
        Rc::OK
    );
    cam.now += Duration::from_secs(10);
    let read = cam.run(Op::GET_DEVICE_PROP_VALUE, &[dt]).data;
    assert_eq!(PtpString::decode_exact(&read).unwrap(), "20300102T030415");
}

#[test]
fn stream_live_view() {
    let dir = card();
    let mut cam = Cam::model("generic", dir.path());
    assert_eq!(cam.run(Op::GET_STREAM, &[1]).code, Rc::NO_STREAM_ENABLED);
    let enabled = u32::from(DevicePropCode::ENABLED_STREAMS.0);
    assert_eq!(
        cam.send(Op::SET_DEVICE_PROP_VALUE, &[enabled], &1u32.to_le_bytes())
            .code,
        Rc::OK
    );
    let info = StreamInfo::decode_exact(&cam.run(Op::GET_STREAM_INFO, &[1]).data).unwrap();
    assert_eq!(info.dataset_size, 36);
    let a = cam.run(Op::GET_STREAM, &[1]);
    assert_eq!(a.code, Rc::OK);
    assert_eq!(&a.data[..2], &[0xFF, 0xD8]);
    cam.now += Duration::from_millis(100);
    let b = cam.run(Op::GET_STREAM, &[1]);
    assert_ne!(a.data, b.data);
}

#[test]
fn read_only_card() {
    let dir = card();
    let read_only = camera_of(generic::generic(), Box::new(NoVendor), dir.path(), true);
    let mut cam = Cam::new(read_only);
    assert_eq!(cam.run_tid(Op::OPEN_SESSION, 0, &[1], None).code, Rc::OK);
    cam.tid = 1;
    let h = cam.find("README.TXT").unwrap();
    assert_eq!(cam.run(Op::DELETE_OBJECT, &[h]).code, Rc::STORE_READ_ONLY);
    assert_eq!(cam.run(Op::INITIATE_CAPTURE, &[]).code, Rc::STORE_READ_ONLY);
    let info = ObjectInfo {
        filename: PtpString::truncating("X.TXT"),
        ..ObjectInfo::default()
    };
    assert_eq!(
        cam.send(Op::SEND_OBJECT_INFO, &[], &info.to_bytes()).code,
        Rc::STORE_READ_ONLY
    );
    assert!(dir.path().join("README.TXT").exists());
    let _ = ObjectHandle(0);
    let _ = StorageId(0);
}
