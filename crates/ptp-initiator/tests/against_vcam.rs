//! ptp-initiator against vcam's PTP/IP server, in-process: handshake, datasets, object
//! transfer, upload, capture with events, properties, and error responses that leave the
//! session usable.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::time::Duration;

use ptp_initiator::{Error, PtpIpClient};
use ptp_types::{
    DevicePropCode, EventCode, ObjectFormatCode, ObjectHandle, ObjectInfo, OperationCode,
    PropValue, ResponseCode, StorageId,
};
use transport_ptpip::{PtpIpServer, ServerIdentity};
use vcam_core::{FolderStore, NoVendor, Responder, SyntheticFrames, generic};

fn start(dir: &std::path::Path) -> SocketAddr {
    let model = generic::generic();
    let identity = ServerIdentity {
        guid: model.ptpip_guid,
        friendly_name: model.ptpip_name.clone(),
    };
    let store = FolderStore::open(dir, false).unwrap();
    let camera = Responder::new(
        model,
        Box::new(NoVendor),
        Box::new(store),
        Box::new(SyntheticFrames::new(160, 120, 30)),
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let server = PtpIpServer::bind("127.0.0.1:0".parse().unwrap(), camera, identity)
                .await
                .unwrap();
            tx.send(server.local_addr().unwrap()).unwrap();
            let _ = server.run().await;
        });
    });
    rx.recv().unwrap()
}

#[test]
fn a_whole_session() {
    let dir = tempfile::tempdir().unwrap();
    let dcim = dir.path().join("DCIM/100TEST");
    std::fs::create_dir_all(&dcim).unwrap();
    let bytes: Vec<u8> = (0..2_500_000u32).map(|i| (i % 241) as u8).collect();
    std::fs::write(dcim.join("CLIP.MOV"), &bytes).unwrap();
    let addr = start(dir.path());

    let mut cam = PtpIpClient::connect(addr, [9; 16], "ptp-initiator test").unwrap();
    assert!(!cam.responder.friendly_name.is_empty());
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
