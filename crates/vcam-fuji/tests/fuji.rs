//! The Fujifilm extension driven in-process through the core responder, on its USB and WiFi
//! faces: the real X-H1 DeviceInfo byte for byte, properties and refusals, the 0xD212 event
//! list (each change once), the 0x902B catalogue, remote capture by CameraAction, the live view
//! object in both of libgphoto2's call orders, the official app's session properties.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use vcam_core::ptp_types::{
    Decode as _, DeviceInfo, DevicePropCode, DevicePropDesc, Encode as _, EventCode, ObjectInfo,
    OperationCode as Op, PropValue, ResponseCode as Rc,
};
use vcam_core::{FolderStore, Responder, SyntheticFrames};
use vcam_fuji::Face;
use vcam_fuji::codes::{ec, op, prop};
use vcam_fuji::records::{CatalogueEntry, EventList, PropCatalogue};
use vcam_testkit::cam::Cam;

const FIXTURE: &[u8] = include_bytes!("fixtures/xh1_device_info.bin");
const LIVEVIEW: u32 = 0x8000_0001;

/// An X-H1 on `face` with two pictures on its card, session open, its clock moving 40 ms per
/// transaction (so live view frames change), driven in memory by vcam-testkit's `Cam`.
struct Fuji {
    cam: Cam,
    _card: tempfile::TempDir,
}

impl Fuji {
    fn new(face: Face) -> Self {
        let card = tempfile::tempdir().unwrap();
        let dcim = card.path().join("DCIM/100_FUJI");
        std::fs::create_dir_all(&dcim).unwrap();
        let mut canvas = vcam_core::render::Canvas::new(64, 48);
        canvas.pattern(3, 0);
        for name in ["DSCF0001.JPG", "DSCF0002.JPG"] {
            std::fs::write(dcim.join(name), canvas.encode_jpeg(80, None).unwrap()).unwrap();
        }
        let (model, fuji) = vcam_fuji::fuji_xh1(face);
        let store = FolderStore::open(card.path(), false).unwrap();
        let responder = Responder::new(
            model,
            fuji,
            Box::new(store),
            Box::new(SyntheticFrames::new(320, 240, 30)),
        );
        let mut cam = Cam::open(responder);
        cam.tick = Duration::from_millis(40);
        Self { cam, _card: card }
    }

    fn run(&mut self, code: Op, params: &[u32], data: Option<&[u8]>) -> (Rc, Vec<u32>, Vec<u8>) {
        let a = match data {
            Some(d) => self.cam.send(code, params, d),
            None => self.cam.run(code, params),
        };
        (a.code, a.params, a.data)
    }

    fn tid(&self) -> u32 {
        self.cam.tid
    }

    fn get(&mut self, code: DevicePropCode) -> (Rc, Vec<u8>) {
        let (rc, _, data) = self.run(Op::GET_DEVICE_PROP_VALUE, &[u32::from(code.0)], None);
        (rc, data)
    }

    fn set(&mut self, code: DevicePropCode, value: &[u8]) -> Rc {
        self.run(Op::SET_DEVICE_PROP_VALUE, &[u32::from(code.0)], Some(value))
            .0
    }

    fn events_list(&mut self) -> Vec<(u16, u32)> {
        let (rc, data) = self.get(prop::EVENTS_LIST);
        assert_eq!(rc, Rc::OK);
        EventList::decode_exact(&data)
            .unwrap()
            .entries
            .iter()
            .map(|e| (e.code.0, e.value))
            .collect()
    }

    fn queued_events(&mut self) -> Vec<(u16, u32, Vec<u32>)> {
        self.cam
            .events()
            .into_iter()
            .map(|e| (e.code.0, e.transaction_id, e.params.as_slice().to_vec()))
            .collect()
    }
}

#[test]
fn usb_device_info_is_the_real_bodys_byte_for_byte() {
    let mut cam = Fuji::new(Face::Usb);
    let (rc, _, data) = cam.run(Op::GET_DEVICE_INFO, &[], None);
    assert_eq!(rc, Rc::OK);
    // The fixture is the whole container: 12-byte header (length, type 2, code 0x1001).
    assert_eq!(&FIXTURE[..8], &[0x5D, 0x02, 0, 0, 2, 0, 0x01, 0x10]);
    assert_eq!(data, &FIXTURE[12..]);
    let info = DeviceInfo::decode_exact(&data).unwrap();
    assert_eq!(info.vendor_extension_id, 6);
    assert_eq!(info.vendor_extension_desc.as_str(), "fujifilm.co.jp: 1.0; ");
}

#[test]
fn wifi_device_info_says_fujifilm_and_adds_the_remote_operations() {
    let mut cam = Fuji::new(Face::Wifi);
    let (rc, _, data) = cam.run(Op::GET_DEVICE_INFO, &[], None);
    assert_eq!(rc, Rc::OK);
    let info = DeviceInfo::decode_exact(&data).unwrap();
    assert_eq!(info.vendor_extension_id, 0x0E);
    for code in [op::GET_DEVICE_INFO, op::GET_CAPTURE_PREVIEW, Op(0x101C)] {
        assert!(info.operations_supported.contains(&code), "{code:?}");
    }
    assert_eq!(info.device_properties_supported.len(), 168);
}

#[test]
fn properties_validate_and_unknown_ones_are_answered_per_face() {
    let mut usb = Fuji::new(Face::Usb);
    // Listed but not described by the body (libgphoto2's dump: "error 200a on query").
    let (rc, _, _) = usb.run(Op::GET_DEVICE_PROP_DESC, &[0x5001], None);
    assert_eq!(rc, Rc::DEVICE_PROP_NOT_SUPPORTED);
    assert_eq!(
        usb.get(DevicePropCode(0xDF00)).0,
        Rc::DEVICE_PROP_NOT_SUPPORTED
    );
    // ISO (INT32 enumeration): 400 is allowed, 333 is not; a u16 is the wrong type.
    let iso = DevicePropCode::EXPOSURE_INDEX;
    assert_eq!(usb.set(iso, &400i32.to_le_bytes()), Rc::OK);
    assert_eq!(usb.get(iso), (Rc::OK, 400i32.to_le_bytes().to_vec()));
    assert_eq!(
        usb.set(iso, &333i32.to_le_bytes()),
        Rc::INVALID_DEVICE_PROP_VALUE
    );
    assert_eq!(usb.set(iso, &[1, 2]), Rc::INVALID_DEVICE_PROP_FORMAT);
    assert_eq!(usb.set(prop::FILM_SIMULATION, &2u16.to_le_bytes()), Rc::OK);
    assert_eq!(
        usb.set(prop::FILM_SIMULATION, &17u16.to_le_bytes()),
        Rc::INVALID_DEVICE_PROP_VALUE
    );
    assert_eq!(
        usb.set(prop::AF_STATUS, &2u16.to_le_bytes()),
        Rc::ACCESS_DENIED
    );
    let (rc, _, desc) = usb.run(Op::GET_DEVICE_PROP_DESC, &[0x5005], None);
    assert_eq!(rc, Rc::OK);
    let desc = DevicePropDesc::decode_exact(&desc).unwrap();
    assert_eq!(desc.current, PropValue::UInt16(4));

    let mut wifi = Fuji::new(Face::Wifi);
    // Unknown properties: an empty data phase and OK (DF23 on this body, DF26 on all).
    for code in [0xDF23, 0xDF26, 0xD235] {
        assert_eq!(
            wifi.get(DevicePropCode(code)),
            (Rc::OK, Vec::new()),
            "{code:#x}"
        );
    }
    assert_eq!(
        wifi.set(DevicePropCode(0xDF26), &[1, 0, 0, 0]),
        Rc::DEVICE_PROP_NOT_SUPPORTED
    );
}

#[test]
fn the_event_list_reports_each_change_once() {
    let mut cam = Fuji::new(Face::Usb);
    assert_eq!(cam.events_list(), []);
    assert_eq!(cam.set(prop::FILM_SIMULATION, &2u16.to_le_bytes()), Rc::OK);
    assert_eq!(cam.set(prop::FILM_SIMULATION, &3u16.to_le_bytes()), Rc::OK);
    assert_eq!(
        cam.set(DevicePropCode::WHITE_BALANCE, &2u16.to_le_bytes()),
        Rc::OK
    );
    assert_eq!(cam.events_list(), [(0xD001, 3), (0x5005, 2)]);
    assert_eq!(cam.events_list(), []);
    // Changes of DeviceInfo properties also go out as DevicePropChanged.
    let events = cam.queued_events();
    assert!(events.contains(&(0x4006, 0xFFFF_FFFF, vec![0xD001])));
    assert!(events.contains(&(0x4006, 0xFFFF_FFFF, vec![0x5005])));
    // The event list's own description has type UNDEF and no form.
    let (rc, _, desc) = cam.run(Op::GET_DEVICE_PROP_DESC, &[0xD212], None);
    assert_eq!((rc, desc), (Rc::OK, vec![0x12, 0xD2, 0, 0, 0, 0]));
}

#[test]
fn usb_capture_focuses_then_shoots_as_libgphoto2_drives_it() {
    let mut cam = Fuji::new(Face::Usb);
    // camera_prepare_capture: PC mode, then USB priority.
    assert_eq!(cam.set(prop::PC_MODE, &1u16.to_le_bytes()), Rc::OK);
    assert_eq!(cam.set(prop::PRIORITY_MODE, &2u16.to_le_bytes()), Rc::OK);
    assert_eq!(cam.get(DevicePropCode::EXPOSURE_TIME).0, Rc::OK);
    assert_eq!(
        cam.set(prop::CAMERA_ACTION, &0x0200u16.to_le_bytes()),
        Rc::OK
    );
    assert_eq!(cam.run(Op::INITIATE_CAPTURE, &[0, 0], None).0, Rc::OK);
    assert_eq!(cam.get(prop::AF_STATUS), (Rc::OK, vec![2, 0]));
    cam.queued_events();
    assert_eq!(
        cam.set(prop::CAMERA_ACTION, &0x0304u16.to_le_bytes()),
        Rc::OK
    );
    assert_eq!(cam.run(Op::INITIATE_CAPTURE, &[0, 0], None).0, Rc::OK);
    let tid = cam.tid();
    let events = cam.queued_events();
    let added = events
        .iter()
        .find(|e| e.0 == EventCode::OBJECT_ADDED.0)
        .expect("ObjectAdded");
    assert_eq!(added.1, tid);
    assert!(events.contains(&(EventCode::CAPTURE_COMPLETE.0, tid, vec![])));
    // The event list is not empty after a shot (libgphoto2 HEAD polls it until it is not).
    assert!(!cam.events_list().is_empty());
    let (rc, _, info) = cam.run(Op::GET_OBJECT_INFO, &[added.2[0]], None);
    assert_eq!(rc, Rc::OK);
    let info = ObjectInfo::decode_exact(&info).unwrap();
    assert!(info.filename.as_str().starts_with("DSCF"));
    let (rc, _, jpeg) = cam.run(Op::GET_OBJECT, &[added.2[0]], None);
    assert_eq!(rc, Rc::OK);
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
}

#[test]
fn wifi_capture_sends_the_x_t1_events_and_completes_after_the_preview() {
    let mut cam = Fuji::new(Face::Wifi);
    cam.events_list();
    cam.queued_events();
    assert_eq!(cam.run(Op::INITIATE_CAPTURE, &[0, 0], None).0, Rc::OK);
    let tid = cam.tid();
    let events: Vec<_> = cam
        .queued_events()
        .into_iter()
        .filter(|e| e.0 != 0x4006)
        .collect();
    assert_eq!(events.len(), 2, "{events:?}");
    let (added, preview) = (&events[0], &events[1]);
    assert_eq!((added.0, added.1), (ec::OBJECT_ADDED.0, 1));
    let handle = added.2[0];
    assert_eq!(added.2, [handle, tid, 0, 0]);
    assert_eq!((preview.0, preview.1), (ec::PREVIEW_AVAILABLE.0, 1));
    assert_eq!(&preview.2[..2], &[handle, tid]);
    let (rc, _, jpeg) = cam.run(op::GET_CAPTURE_PREVIEW, &[], None);
    assert_eq!(rc, Rc::OK);
    assert_eq!(jpeg.len() as u32, preview.2[2]);
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    assert_eq!(
        cam.queued_events(),
        [(EventCode::CAPTURE_COMPLETE.0, tid, vec![])]
    );
    assert_eq!(
        cam.run(op::GET_CAPTURE_PREVIEW, &[], None).0,
        Rc::ACCESS_DENIED
    );
    // The picture counts moved.
    let list = cam.events_list();
    assert!(list.contains(&(0xD222, 3)), "{list:?}");
}

#[test]
fn the_liveview_object_works_in_both_libgphoto2_orders() {
    // 2.5.30: GetObjectInfo first (InvalidObjectHandle until live view runs).
    let mut cam = Fuji::new(Face::Usb);
    let (rc, ..) = cam.run(Op::GET_OBJECT_INFO, &[LIVEVIEW], None);
    assert_eq!(rc, Rc::INVALID_OBJECT_HANDLE);
    assert_eq!(cam.run(Op::INITIATE_OPEN_CAPTURE, &[0, 0], None).0, Rc::OK);
    let open_tid = cam.tid();
    let (rc, _, first) = cam.run(Op::GET_OBJECT, &[LIVEVIEW], None);
    assert_eq!(rc, Rc::OK);
    assert_eq!(
        (&first[..2], &first[first.len() - 2..]),
        (&[0xFF, 0xD8][..], &[0xFF, 0xD9][..])
    );
    assert_eq!(cam.run(Op::DELETE_OBJECT, &[LIVEVIEW, 0], None).0, Rc::OK);
    // Later versions: InitiateOpenCapture first (again: it is running), then GetObjectInfo.
    assert_eq!(cam.run(Op::INITIATE_OPEN_CAPTURE, &[0, 0], None).0, Rc::OK);
    let (rc, _, info) = cam.run(Op::GET_OBJECT_INFO, &[LIVEVIEW], None);
    assert_eq!(rc, Rc::OK);
    let info = ObjectInfo::decode_exact(&info).unwrap();
    assert_eq!((info.image_pix_width, info.image_pix_height), (320, 240));
    let (rc, _, second) = cam.run(Op::GET_OBJECT, &[LIVEVIEW], None);
    assert_eq!(rc, Rc::OK);
    assert_eq!(second.len(), info.object_compressed_size as usize);
    assert_ne!(first, second, "two previews are two frames");
    assert_eq!(
        cam.run(Op::TERMINATE_OPEN_CAPTURE, &[open_tid], None).0,
        Rc::OK
    );
    let (rc, ..) = cam.run(Op::GET_OBJECT, &[LIVEVIEW], None);
    assert_eq!(rc, Rc::INVALID_OBJECT_HANDLE);
}

#[test]
fn the_official_apps_session_properties() {
    let mut cam = Fuji::new(Face::Wifi);
    // The first event list: CameraState 6 and the picture counts (fudge's access wait).
    let first = cam.events_list();
    assert_eq!(
        first,
        [
            (0xDF00, 6),
            (0xD220, 1),
            (0xD222, 2),
            (0xD52F, 1),
            (0xD400, 1),
            (0xD401, 2)
        ]
    );
    // DF00 and DF01 are u16; the versions are u32.
    assert_eq!(cam.get(prop::CAMERA_STATE), (Rc::OK, vec![6, 0]));
    assert_eq!(cam.set(prop::CLIENT_STATE, &5u16.to_le_bytes()), Rc::OK);
    assert_eq!(
        cam.set(prop::CLIENT_STATE, &[5, 0, 0, 0]),
        Rc::INVALID_DEVICE_PROP_FORMAT
    );
    for (code, value) in [
        (0xDF22, 4u32),
        (0xDF25, 4),
        (0xDF21, 3),
        (0xDF24, 0x0002_0006),
    ] {
        assert_eq!(
            cam.get(DevicePropCode(code)),
            (Rc::OK, value.to_le_bytes().to_vec()),
            "{code:#x}"
        );
    }
    assert_eq!(
        cam.set(prop::REMOTE_VERSION, &0x0002_000Cu32.to_le_bytes()),
        Rc::OK
    );
    let (rc, ..) = cam.run(Op::GET_OBJECT_INFO, &[0xFFFF_FFF1], None);
    assert_eq!(rc, Rc::INVALID_OBJECT_HANDLE);
    let (rc, _, data) = cam.run(op::GET_DEVICE_INFO, &[], None);
    assert_eq!(rc, Rc::OK);
    let catalogue = PropCatalogue::decode_exact(&data).unwrap();
    let codes: Vec<u16> = catalogue.entries.iter().map(|e| e.code().0).collect();
    for code in [0x5005, 0xD001, 0xD207, 0xD208, 0xDF01] {
        assert!(codes.contains(&code), "{code:#x} not in the catalogue");
    }
    assert!(
        catalogue
            .entries
            .iter()
            .all(|e| matches!(e, CatalogueEntry::Desc(_))),
        "libgphoto2 stops at a description it cannot unpack"
    );
    // Remote mode: the burst of properties after InitiateOpenCapture and after
    // TerminateOpenCapture.
    cam.events_list();
    assert_eq!(cam.run(Op::INITIATE_OPEN_CAPTURE, &[0, 0], None).0, Rc::OK);
    let open_tid = cam.tid();
    let burst = cam.events_list();
    assert_eq!(burst.len(), 21, "{burst:?}");
    assert_eq!(burst[0].0, 0xD21B);
    assert_eq!(
        cam.run(Op::TERMINATE_OPEN_CAPTURE, &[open_tid], None).0,
        Rc::OK
    );
    assert_eq!(cam.events_list().len(), 21);
    // The image viewer: CameraState 6, ClientState 11, RemoteGetObjectVersion 5.
    assert_eq!(cam.set(prop::CAMERA_STATE, &6u16.to_le_bytes()), Rc::OK);
    assert_eq!(cam.set(prop::CLIENT_STATE, &11u16.to_le_bytes()), Rc::OK);
    assert_eq!(
        cam.set(prop::REMOTE_GET_OBJECT_VERSION, &5u32.to_le_bytes()),
        Rc::OK
    );
    assert!(cam.events_list().contains(&(0xDF25, 5)));
}

#[test]
fn pc_autosave_face_reports_state_3_and_the_autosave_version() {
    let mut cam = Fuji::new(Face::PcAutoSave);
    assert_eq!(cam.events_list()[0], (0xDF00, 3));
    assert_eq!(
        cam.get(DevicePropCode(0xDF23)),
        (Rc::OK, 1u32.to_le_bytes().to_vec())
    );
    assert_eq!(cam.set(DevicePropCode(0xDF23), &1u32.to_le_bytes()), Rc::OK);
    assert_eq!(
        cam.set(prop::ENABLE_CORRECT_FILE_SIZE, &1u16.to_le_bytes()),
        Rc::OK
    );
    // D228 is a PTP string: "0/60" (fudge docs/autosave.md).
    let mut d228 = vec![5u8];
    for u in "0/60".encode_utf16().chain([0]) {
        d228.extend_from_slice(&u.to_le_bytes());
    }
    assert_eq!(cam.set(prop::AUTO_SAVE_DATABASE_STATUS, &d228), Rc::OK);
    assert_eq!(cam.get(prop::AUTO_SAVE_DATABASE_STATUS), (Rc::OK, d228));
    let _ = PropValue::UInt8(0).to_bytes();
}
