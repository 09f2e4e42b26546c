//! ptp-initiator against vcam: one whole session (handshake, datasets, object transfer,
//! upload, capture with events, properties, error responses that leave the session usable)
//! over PTP/IP on loopback, straight into the responder in memory, and through the USB
//! device model's endpoints; then what only PTP/IP has.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::time::Duration;

use ptp_initiator::{Client, Error, PtpIpClient, Transport};
use ptp_types::{
    DevicePropCode, EventCode, ObjectFormatCode, ObjectHandle, ObjectInfo, OperationCode,
    PropValue, ResponseCode, StorageId,
};
use vcam_testkit::initiator::{client, usb_client};
use vcam_testkit::{camera, spawn_ptpip};

fn start(dir: &std::path::Path) -> SocketAddr {
    spawn_ptpip(camera("generic", dir, (160, 120)))
}

/// A card with a 2.5 MB clip; returns the clip's bytes.
fn clip_card() -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let dcim = dir.path().join("DCIM/100TEST");
    std::fs::create_dir_all(&dcim).unwrap();
    let bytes: Vec<u8> = (0..2_500_000u32).map(|i| (i % 241) as u8).collect();
    std::fs::write(dcim.join("CLIP.MOV"), &bytes).unwrap();
    (dir, bytes)
}

#[test]
fn a_whole_session_over_ptpip() {
    let (dir, clip) = clip_card();
    let mut cam = PtpIpClient::connect(start(dir.path()), [9; 16], "ptp-initiator test").unwrap();
    assert!(!cam.responder().friendly_name.is_empty());
    a_whole_session(&mut cam, &clip);
}

#[test]
fn a_whole_session_in_memory() {
    let (dir, clip) = clip_card();
    a_whole_session(
        &mut client(camera("generic", dir.path(), (160, 120))),
        &clip,
    );
}

#[test]
fn a_whole_session_through_usb_endpoints() {
    let (dir, clip) = clip_card();
    a_whole_session(
        &mut usb_client(camera("generic", dir.path(), (160, 120))),
        &clip,
    );
}

fn a_whole_session<T: Transport>(cam: &mut Client<T>, bytes: &[u8]) {
    let info = cam.get_device_info().unwrap();
    assert_eq!(info.model.as_str(), "Generic PTP Camera");
    assert!(
        info.operations_supported
            .contains(&OperationCode::GET_OBJECT)
    );
    // Without a session: SessionNotOpen, and the connection keeps working.
    let r = cam
        .transaction(OperationCode::GET_STORAGE_IDS, &[], None)
        .unwrap();
    assert_eq!(r.code, ResponseCode::SESSION_NOT_OPEN);
    cam.open_session(1).unwrap();
    let storages = cam.get_storage_ids().unwrap();
    assert_eq!(storages.len(), 1);
    let si = cam.get_storage_info(storages[0]).unwrap();
    assert!(si.max_capacity > 0);

    let handles = cam.get_object_handles(StorageId::ALL, 0, 0).unwrap();
    let clip = handles
        .iter()
        .copied()
        .find(|&h| cam.get_object_info(h).unwrap().filename.as_str() == "CLIP.MOV")
        .unwrap();
    assert!(
        cam.get_object(clip).unwrap() == bytes,
        "GetObject bytes differ"
    );
    let mut sink = Vec::new();
    assert_eq!(
        cam.get_object_to(clip, &mut sink).unwrap(),
        bytes.len() as u64
    );
    assert!(sink == bytes);

    // Errors keep the session alive.
    match cam.get_object_info(ObjectHandle(0xDEAD)) {
        Err(Error::Response { code, .. }) => assert_eq!(code, ResponseCode::INVALID_OBJECT_HANDLE),
        other => panic!("{other:?}"),
    }

    // Upload.
    let payload = b"hello from ptp-initiator".to_vec();
    let info = ObjectInfo {
        storage_id: storages[0],
        object_format: ObjectFormatCode::TEXT,
        object_compressed_size: payload.len() as u32,
        filename: ptp_types::PtpString::truncating("HELLO.TXT"),
        ..ObjectInfo::default()
    };
    let params = cam
        .send_object_info(storages[0], 0xFFFF_FFFF, &info)
        .unwrap();
    assert_eq!(params.len(), 3);
    cam.send_object(&payload).unwrap();
    let new = ObjectHandle(params[2]);
    assert_eq!(cam.get_object(new).unwrap(), payload);
    cam.delete_object(new).unwrap();

    // Properties.
    let iso = DevicePropCode::EXPOSURE_INDEX;
    let desc = cam.get_device_prop_desc(iso).unwrap();
    let target = match &desc.form {
        ptp_types::PropForm::Enumeration(values) => values.last().unwrap().clone(),
        other => panic!("{other:?}"),
    };
    cam.set_device_prop_value(iso, &target).unwrap();
    assert_eq!(cam.get_device_prop_value(iso).unwrap(), target);
    match cam.set_device_prop_value(iso, &PropValue::UInt16(12345)) {
        Err(Error::Response { code, .. }) => {
            assert_eq!(code, ResponseCode::INVALID_DEVICE_PROP_VALUE)
        }
        other => panic!("{other:?}"),
    }

    // Capture: ObjectAdded and CaptureComplete on the event connection.
    cam.initiate_capture().unwrap();
    let mut seen = Vec::new();
    while let Some(ev) = cam.next_event(Duration::from_secs(5)).unwrap() {
        seen.push(ev.code);
        if ev.code == EventCode::CAPTURE_COMPLETE {
            break;
        }
    }
    assert!(seen.contains(&EventCode::OBJECT_ADDED), "{seen:?}");
    assert!(seen.contains(&EventCode::CAPTURE_COMPLETE), "{seen:?}");
    cam.close_session().unwrap();
}

fn card() -> (tempfile::TempDir, SocketAddr) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.TXT"), b"hello card").unwrap();
    let addr = start(dir.path());
    (dir, addr)
}

#[test]
fn a_second_initiator_is_refused_busy() {
    let (_dir, addr) = card();
    let mut first = PtpIpClient::connect(addr, [1; 16], "first").unwrap();
    match PtpIpClient::connect(addr, [2; 16], "second") {
        Err(Error::InitFail(reason)) => assert_eq!(reason, 2, "Busy"),
        other => panic!("{other:?}"),
    }
    // The first one is unaffected.
    first.get_device_info().unwrap();
}

#[test]
fn sessions_close_and_reopen_with_fresh_transaction_ids() {
    let (_dir, addr) = card();
    let mut cam = PtpIpClient::connect(addr, [4; 16], "reopen").unwrap();
    cam.open_session(1).unwrap();
    for _ in 0..3 {
        cam.get_storage_ids().unwrap();
    }
    cam.close_session().unwrap();
    let r = cam
        .transaction(OperationCode::GET_STORAGE_IDS, &[], None)
        .unwrap();
    assert_eq!(r.code, ResponseCode::SESSION_NOT_OPEN);
    // Sessionless operations keep working between sessions.
    cam.get_device_info().unwrap();
    cam.open_session(2).unwrap();
    assert_eq!(cam.get_storage_ids().unwrap().len(), 1);
    cam.close_session().unwrap();
}

#[test]
fn raw_transactions_return_error_codes_and_the_session_goes_on() {
    let (_dir, addr) = card();
    let mut cam = PtpIpClient::connect(addr, [5; 16], "raw").unwrap();
    cam.open_session(7).unwrap();
    let r = cam
        .transaction(OperationCode::GET_OBJECT, &[0x0BAD_0BAD], None)
        .unwrap();
    assert_eq!(r.code, ResponseCode::INVALID_OBJECT_HANDLE);
    assert!(r.data.is_empty());
    let mut sink = Vec::new();
    let (r, n) = cam
        .get_into(OperationCode::GET_OBJECT, &[0x0BAD_0BAD], &mut sink)
        .unwrap();
    assert_eq!((r.code, n), (ResponseCode::INVALID_OBJECT_HANDLE, 0));
    // An operation the generic model lacks.
    let r = cam.transaction(OperationCode(0x9FFF), &[], None).unwrap();
    assert_eq!(r.code, ResponseCode::OPERATION_NOT_SUPPORTED);
    // The raw data phase of GetObjectHandles, then the same through the typed method.
    let r = cam
        .transaction(OperationCode::GET_OBJECT_HANDLES, &[0xFFFF_FFFF], None)
        .unwrap();
    assert_eq!(r.code, ResponseCode::OK);
    let count = u32::from_le_bytes(r.data[..4].try_into().unwrap()) as usize;
    assert_eq!(r.data.len(), 4 + 4 * count);
    let handles = cam.get_object_handles(StorageId::ALL, 0, 0).unwrap();
    assert_eq!(handles.len(), count);
    let readme = handles
        .into_iter()
        .find(|&h| cam.get_object_info(h).unwrap().filename.as_str() == "README.TXT")
        .unwrap();
    assert_eq!(cam.get_object(readme).unwrap(), b"hello card");
    // No events were queued by any of this.
    assert_eq!(cam.next_event(Duration::from_millis(50)).unwrap(), None);
}
