//! The EOS extension driven in-process through the core responder: the GetEvent stream
//! (dump, terminator, changes reported once), SetDevicePropValueEx validation, remote release
//! to card and to host memory, viewfinder gating and records, ImageFormat structures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use vcam_canon::codes::{op, rc::NOT_READY as RC_NOT_READY};
use vcam_canon::records::ImageFormat;
use vcam_core::ptp_types::{Decode as _, Encode as _};
use vcam_core::ptp_types::{OperationCode, ResponseCode};
use vcam_testkit::cam::{Answer, Cam, camera_of};

/// A 1300D on its own card (kept alongside), session open, the clock moving 40 ms before each
/// transaction.
fn eos() -> (Cam, tempfile::TempDir) {
    eos_with(|_| {})
}

/// A 1300D with a changed model (for operations other EOS bodies advertise).
fn eos_with(change: impl FnOnce(&mut vcam_core::CameraModel)) -> (Cam, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("DCIM/100CANON")).unwrap();
    let (mut model, vendor) = vcam_canon::canon_1300d();
    change(&mut model);
    let mut cam = Cam::new(camera_of(model, vendor, dir.path(), false));
    cam.tick = Duration::from_millis(40);
    assert_eq!(
        cam.run(OperationCode::OPEN_SESSION, &[1]).code,
        ResponseCode::OK
    );
    (cam, dir)
}

/// The EOS operations these tests speak, on testkit's driver.
trait EosOps {
    /// GetEvent, parsed into (type, record bytes).
    fn get_event(&mut self) -> Vec<(u32, Vec<u8>)>;
    /// SetDevicePropValueEx of `prop` to `value`.
    fn set_ex(&mut self, prop: u32, value: &[u8]) -> ResponseCode;
}

impl EosOps for Cam {
    fn get_event(&mut self) -> Vec<(u32, Vec<u8>)> {
        let Answer { code, data, .. } = self.run(op::GET_EVENT, &[]);
        assert_eq!(code, ResponseCode::OK);
        let mut records = Vec::new();
        let mut at = 0;
        loop {
            let size = u32::from_le_bytes(data[at..at + 4].try_into().unwrap()) as usize;
            let kind = u32::from_le_bytes(data[at + 4..at + 8].try_into().unwrap());
            if kind == 0 {
                assert_eq!(
                    (size, at + size),
                    (8, data.len()),
                    "the terminator ends the list"
                );
                return records;
            }
            records.push((kind, data[at..at + size].to_vec()));
            at += size;
        }
    }

    fn set_ex(&mut self, prop: u32, value: &[u8]) -> ResponseCode {
        let mut d = Vec::new();
        d.extend_from_slice(&((8 + value.len()) as u32).to_le_bytes());
        d.extend_from_slice(&prop.to_le_bytes());
        d.extend_from_slice(value);
        self.send(op::SET_DEVICE_PROP_VALUE_EX, &[], &d).code
    }
}

fn prop_values(records: &[(u32, Vec<u8>)], prop: u32) -> Vec<u32> {
    records
        .iter()
        .filter(|(k, r)| *k == 0xC189 && u32::from_le_bytes(r[8..12].try_into().unwrap()) == prop)
        .map(|(_, r)| u32::from_le_bytes(r[12..16].try_into().unwrap()))
        .collect()
}

#[test]
fn event_stream_dump_then_changes_once() {
    let (mut cam, _card) = eos();
    assert!(cam.get_event().is_empty(), "nothing before SetEventMode");
    assert_eq!(cam.run(op::SET_REMOTE_MODE, &[1]).code, ResponseCode::OK);
    assert_eq!(cam.run(op::SET_EVENT_MODE, &[1]).code, ResponseCode::OK);
    let dump = cam.get_event();
    assert_eq!(
        prop_values(&dump, 0xD103),
        vec![0x68],
        "ISO 1600 as on the real body"
    );
    let iso_value = dump
        .iter()
        .position(|(k, r)| *k == 0xC189 && r[8..12] == 0xD103u32.to_le_bytes())
        .unwrap();
    let iso_list = dump
        .iter()
        .position(|(k, r)| *k == 0xC18A && r[8..12] == 0xD103u32.to_le_bytes())
        .unwrap();
    assert!(
        iso_value < iso_list,
        "AvailListChanged follows its PropValueChanged"
    );
    let list = &dump[iso_list].1;
    assert_eq!(
        u32::from_le_bytes(list[12..16].try_into().unwrap()),
        3,
        "enumeration"
    );
    assert_eq!(u32::from_le_bytes(list[16..20].try_into().unwrap()), 9);
    assert!(dump.iter().any(|(k, _)| *k == 0xC1A4), "InfoCheckComplete");
    assert!(cam.get_event().is_empty(), "then empty");

    assert_eq!(cam.set_ex(0xD103, &0x60u32.to_le_bytes()), ResponseCode::OK);
    let changes = cam.get_event();
    assert_eq!(prop_values(&changes, 0xD103), vec![0x60], "reported once");
    assert!(cam.get_event().is_empty());
    assert_eq!(
        cam.set_ex(0xD103, &0x61u32.to_le_bytes()),
        ResponseCode::INVALID_DEVICE_PROP_VALUE
    );
    assert_eq!(
        cam.set_ex(0xD116, &1u32.to_le_bytes()),
        ResponseCode::ACCESS_DENIED,
        "read-only ModelID"
    );
    assert_eq!(
        cam.set_ex(0xD1FF, &1u32.to_le_bytes()),
        ResponseCode::DEVICE_PROP_NOT_SUPPORTED
    );
    assert!(cam.get_event().is_empty(), "refused values change nothing");
    assert_eq!(
        cam.run(op::REQUEST_DEVICE_PROP_VALUE, &[0xD103]).code,
        ResponseCode::OK
    );
    assert_eq!(prop_values(&cam.get_event(), 0xD103), vec![0x60]);
    // ImageFormat travels as a structure.
    let raw_l = ImageFormat::raw(Some((0, 3))).to_bytes();
    assert_eq!(cam.set_ex(0xD120, &raw_l), ResponseCode::OK);
    let ev = cam.get_event();
    let rec = ev
        .iter()
        .find(|(k, r)| *k == 0xC189 && r[8..12] == 0xD120u32.to_le_bytes())
        .unwrap();
    assert_eq!(
        ImageFormat::decode_exact(&rec.1[12..]).ok(),
        Some(ImageFormat::raw(Some((0, 3))))
    );
    // GetDeviceInfoEx: size, then three non-empty u32 arrays.
    let Answer {
        code, data: info, ..
    } = cam.run(op::GET_DEVICE_INFO_EX, &[]);
    assert_eq!(code, ResponseCode::OK);
    assert_eq!(
        u32::from_le_bytes(info[..4].try_into().unwrap()) as usize,
        info.len()
    );
    assert!(u32::from_le_bytes(info[4..8].try_into().unwrap()) > 0);
}

#[test]
fn release_to_host_memory_and_to_card() {
    let (mut cam, _card) = eos();
    cam.run(op::SET_EVENT_MODE, &[1]);
    cam.get_event();
    // Host: RequestObjectTransfer, download with GetPartialObject, TransferComplete.
    assert_eq!(cam.set_ex(0xD11C, &4u32.to_le_bytes()), ResponseCode::OK);
    cam.get_event();
    assert_eq!(
        cam.run(op::REMOTE_RELEASE_ON, &[1, 0]).code,
        ResponseCode::OK
    );
    assert_eq!(
        cam.run(op::REMOTE_RELEASE_ON, &[2, 0]).code,
        ResponseCode::OK
    );
    assert_eq!(cam.run(op::REMOTE_RELEASE_OFF, &[2]).code, ResponseCode::OK);
    assert_eq!(cam.run(op::REMOTE_RELEASE_OFF, &[1]).code, ResponseCode::OK);
    let ev = cam.get_event();
    let (_, req) = ev
        .iter()
        .find(|(k, _)| *k == 0xC186)
        .expect("RequestObjectTransfer");
    let handle = u32::from_le_bytes(req[8..12].try_into().unwrap());
    let size = u32::from_le_bytes(req[20..24].try_into().unwrap());
    let Answer { code, params, data } =
        cam.run(OperationCode::GET_PARTIAL_OBJECT, &[handle, 0, size]);
    assert_eq!(
        (code, params, data.len()),
        (ResponseCode::OK, vec![size], size as usize)
    );
    assert_eq!(&data[..2], &[0xFF, 0xD8]);
    assert_eq!(
        cam.run(op::TRANSFER_COMPLETE, &[handle]).code,
        ResponseCode::OK
    );
    assert_eq!(
        cam.run(OperationCode::GET_OBJECT, &[handle]).code,
        ResponseCode::INVALID_OBJECT_HANDLE
    );
    assert_eq!(
        prop_values(&ev, 0xD1AC),
        vec![0x1241],
        "shutter counter counts"
    );
    // Card: ObjectAddedEx with a handle GetObject serves.
    assert_eq!(cam.set_ex(0xD11C, &2u32.to_le_bytes()), ResponseCode::OK);
    assert_eq!(cam.run(op::REMOTE_RELEASE, &[]).code, ResponseCode::OK);
    let ev = cam.get_event();
    let (_, added) = ev
        .iter()
        .find(|(k, _)| *k == 0xC181)
        .expect("ObjectAddedEx");
    let handle = u32::from_le_bytes(added[8..12].try_into().unwrap());
    let name = &added[0x28..added.iter().skip(0x28).position(|&b| b == 0).unwrap() + 0x28];
    assert!(
        name.starts_with(b"IMG_") && name.ends_with(b".JPG"),
        "{:?}",
        String::from_utf8_lossy(name)
    );
    let Answer { code, data, .. } = cam.run(OperationCode::GET_OBJECT, &[handle]);
    assert_eq!(code, ResponseCode::OK);
    assert_eq!(&data[..2], &[0xFF, 0xD8]);
}

#[test]
fn viewfinder_needs_live_view_and_sends_records() {
    let (mut cam, _card) = eos();
    cam.run(op::SET_EVENT_MODE, &[1]);
    assert_eq!(
        cam.run(op::GET_VIEWFINDER_DATA, &[0x0020_0000, 0, 0]).code,
        RC_NOT_READY
    );
    assert_eq!(cam.set_ex(0xD1B0, &2u32.to_le_bytes()), ResponseCode::OK);
    let Answer { code, data, .. } = cam.run(op::GET_VIEWFINDER_DATA, &[0x0020_0000, 0, 0]);
    assert_eq!(code, ResponseCode::OK);
    let len = u32::from_le_bytes(data[..4].try_into().unwrap()) as usize;
    assert_eq!(
        u32::from_le_bytes(data[4..8].try_into().unwrap()),
        1,
        "JPEG record first"
    );
    assert_eq!(&data[8..10], &[0xFF, 0xD8]);
    assert_eq!(&data[len - 2..len], &[0xFF, 0xD9]);
    let mut at = len;
    let mut kinds = Vec::new();
    while at < data.len() {
        let l = u32::from_le_bytes(data[at..at + 4].try_into().unwrap()) as usize;
        kinds.push(u32::from_le_bytes(data[at + 4..at + 8].try_into().unwrap()));
        at += l;
    }
    assert_eq!(at, data.len());
    assert!(
        kinds.contains(&4) && kinds.contains(&5),
        "zoom metadata: {kinds:?}"
    );
    assert_eq!(cam.run(op::ZOOM, &[5]).code, ResponseCode::OK);
    assert_eq!(
        cam.run(op::ZOOM, &[3]).code,
        ResponseCode::INVALID_PARAMETER
    );
    assert_eq!(cam.set_ex(0xD1B0, &1u32.to_le_bytes()), ResponseCode::OK);
    assert_eq!(
        cam.run(op::GET_VIEWFINDER_DATA, &[0x0020_0000, 0, 0]).code,
        RC_NOT_READY,
        "output back to the TFT"
    );
}

#[test]
fn image_format_structures_round_trip() {
    for f in vcam_canon::model::IMAGE_FORMATS_1300D {
        assert_eq!(ImageFormat::decode_exact(&f.to_bytes()).ok(), Some(f));
        assert_eq!(
            vcam_canon::props::from_compact(
                &vcam_canon::model::IMAGE_FORMATS_1300D,
                vcam_canon::props::compact(&f)
            ),
            Some(f)
        );
    }
    assert_eq!(ImageFormat::decode_exact(&[3, 0, 0, 0]).ok(), None);
    assert_eq!(ImageFormat::decode_exact(&[1, 0, 0, 0, 0x10]).ok(), None);
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// The FocusInfoEx records of a GetEvent answer, as the selection bitmask of each.
fn focus_selections(records: &[(u32, Vec<u8>)]) -> Vec<u16> {
    records
        .iter()
        .filter(|(k, r)| *k == 0xC189 && u32_at(r, 8) == 0xD1D3)
        .map(|(_, r)| {
            let s = &r[12..];
            assert_eq!(u32_at(s, 0) as usize, s.len(), "structure size");
            let points = usize::from(u16::from_le_bytes([s[8], s[9]]));
            assert_eq!(points, 9, "the 1300D's nine AF points");
            let at = 20 + 8 * points;
            u16::from_le_bytes([s[at], s[at + 1]])
        })
        .collect()
}

#[test]
fn device_info_is_the_real_bodys() {
    use vcam_core::ptp_types::{Decode, DeviceInfo};
    let (mut cam, _card) = eos();
    let Answer { code, data, .. } = cam.run(OperationCode::GET_DEVICE_INFO, &[]);
    assert_eq!(code, ResponseCode::OK);
    let info = DeviceInfo::decode_exact(&data).unwrap();
    assert_eq!(
        info.operations_supported,
        vcam_canon::model::OPERATIONS_1300D,
        "order kept"
    );
    assert_eq!(info.vendor_extension_id, 6);
    assert_eq!(info.manufacturer.as_str(), "Canon Inc.");
    assert_eq!(info.model.as_str(), "Canon EOS 1300D");
    let props: Vec<u16> = info
        .device_properties_supported
        .iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(props, [0xD402, 0xD407, 0xD406, 0xD303, 0x5001]);
    // Advertised but not implemented: answered like vcam's C original.
    assert_eq!(
        cam.run(OperationCode(0x9135), &[]).code,
        ResponseCode::OPERATION_NOT_SUPPORTED
    );
    // Implemented for other EOS bodies, not advertised by the 1300D.
    assert_eq!(
        cam.run(op::INITIATE_VIEWFINDER, &[]).code,
        ResponseCode::OPERATION_NOT_SUPPORTED
    );
    // libgphoto2's prepare calls SetRequestOLCInfoGroup when advertised.
    assert_eq!(
        cam.run(op::SET_REQUEST_OLC_INFO_GROUP, &[0x1FFF]).code,
        ResponseCode::OK
    );
    assert_eq!(vcam_canon::codes::name(0x9116), Some("EOS_GetEvent"));
    assert_eq!(
        vcam_canon::codes::name(0xC189),
        Some("EOS_PropValueChanged")
    );
    assert_eq!(
        vcam_canon::codes::name(0xD11C),
        Some("EOS_CaptureDestination")
    );
    assert_eq!(vcam_canon::codes::name(0xD1FF), None);
}

#[test]
fn half_press_reports_focus() {
    let (mut cam, _card) = eos();
    cam.run(op::SET_EVENT_MODE, &[1]);
    let dump = cam.get_event();
    assert_eq!(focus_selections(&dump), vec![0], "no point in focus yet");
    cam.run(op::REMOTE_RELEASE_ON, &[1, 0]);
    assert_eq!(
        focus_selections(&cam.get_event()),
        vec![1 << 4],
        "centre point"
    );
    cam.run(op::REMOTE_RELEASE_OFF, &[1]);
    assert_eq!(focus_selections(&cam.get_event()), vec![0]);
    // FocusMode follows the lens switch: the host cannot pick manual focus.
    let mut d = 12u32.to_le_bytes().to_vec();
    d.extend_from_slice(&0xD108u32.to_le_bytes());
    d.extend_from_slice(&3u32.to_le_bytes());
    assert_eq!(
        cam.send(op::SET_DEVICE_PROP_VALUE_EX, &[], &d).code,
        ResponseCode::INVALID_DEVICE_PROP_VALUE
    );
    // DoAf / AfCancel focus and release like the half press.
    cam.run(op::DO_AF, &[]);
    assert_eq!(focus_selections(&cam.get_event()), vec![1 << 4]);
    cam.run(op::AF_CANCEL, &[]);
    assert_eq!(focus_selections(&cam.get_event()), vec![0]);
}

#[test]
fn object_info_ex_lists_folders_and_partial_ex_reads() {
    let (mut cam, _card) = eos();
    cam.run(op::SET_EVENT_MODE, &[1]);
    cam.get_event();
    assert_eq!(cam.run(op::REMOTE_RELEASE, &[]).code, ResponseCode::OK);
    let ev = cam.get_event();
    let (_, added) = ev.iter().find(|(k, _)| *k == 0xC181).unwrap();
    let (handle, storage, parent) = (u32_at(added, 8), u32_at(added, 12), u32_at(added, 0x20));
    let size = u32_at(added, 0x1C);

    // Root of the card: the DCIM folder.
    let Answer {
        code, data: root, ..
    } = cam.run(op::GET_OBJECT_INFO_EX, &[storage, 0xFFFF_FFFF, 0x10_0000]);
    assert_eq!(code, ResponseCode::OK);
    assert_eq!(u32_at(&root, 0), 1);
    assert_eq!(u32_at(&root, 4), 56, "entry size");
    assert_eq!(u16::from_le_bytes([root[16], root[17]]), 0x3001, "a folder");
    assert_eq!(root[24] & 0x10, 0x10, "folder flag");
    assert!(root[40..].starts_with(b"DCIM\0"));

    // The capture folder holds the picture.
    let Answer { data: listing, .. } =
        cam.run(op::GET_OBJECT_INFO_EX, &[storage, parent, 0x10_0000]);
    assert_eq!(u32_at(&listing, 0), 1);
    let e = &listing[4..];
    assert_eq!(
        (u32_at(e, 4), u32_at(e, 8), u32_at(e, 24), u32_at(e, 32)),
        (handle, storage, size, parent)
    );
    assert_eq!(u16::from_le_bytes([e[12], e[13]]), 0x3801, "EXIF/JPEG");
    assert!(e[36..52].starts_with(b"IMG_"));
    assert!(u32_at(e, 52) > 1_700_000_000, "a time");
    assert_eq!(
        cam.run(op::GET_OBJECT_INFO_EX, &[storage, 0x1234_5678, 0x10_0000])
            .code,
        ResponseCode::INVALID_PARENT_OBJECT
    );

    // EOS GetPartialObjectEx (handle, offset low, size, offset high) and GetPartialObject.
    let Answer {
        code,
        params,
        data: tail,
    } = cam.run(op::GET_PARTIAL_OBJECT_EX, &[handle, 2, 0x10_0000, 0]);
    assert_eq!((code, params), (ResponseCode::OK, vec![size - 2]));
    let Answer { data: whole, .. } = cam.run(op::GET_OBJECT, &[handle]);
    assert_eq!(whole.len() as u32, size);
    assert_eq!(&whole[2..], &tail[..]);
    let Answer {
        params, data: head, ..
    } = cam.run(op::GET_PARTIAL_OBJECT, &[handle, 0, 10]);
    assert_eq!((params, &head[..]), (vec![10], &whole[..10]));
    assert_eq!(
        cam.run(op::GET_PARTIAL_OBJECT_EX, &[handle, 0, 1, 1]).code,
        ResponseCode::INVALID_PARAMETER,
        "offset past the end"
    );
    assert_eq!(
        cam.run(op::END_GET_PARTIAL_OBJECT_EX, &[handle]).code,
        ResponseCode::OK
    );

    // EOS DeleteObject: the object goes, ObjectRemoved follows.
    assert_eq!(cam.run(op::DELETE_OBJECT, &[handle]).code, ResponseCode::OK);
    let ev = cam.get_event();
    assert!(
        ev.iter()
            .any(|(k, r)| *k == 0xC182 && u32_at(r, 8) == handle)
    );
    let Answer { data: listing, .. } =
        cam.run(op::GET_OBJECT_INFO_EX, &[storage, parent, 0x10_0000]);
    assert_eq!(u32_at(&listing, 0), 0);
}

#[test]
fn bulb_by_remote_release_and_by_bulb_start() {
    let (mut cam, _card) = eos();
    cam.run(op::SET_EVENT_MODE, &[1]);
    cam.get_event();
    assert_eq!(cam.set_ex(0xD11C, &2u32.to_le_bytes()), ResponseCode::OK);
    assert_eq!(cam.set_ex(0xD102, &0x0Cu32.to_le_bytes()), ResponseCode::OK);
    cam.get_event();
    cam.run(op::REMOTE_RELEASE_ON, &[1, 0]);
    cam.run(op::REMOTE_RELEASE_ON, &[2, 0]);
    let open = cam.get_event();
    assert!(open.iter().all(|(k, _)| *k != 0xC181), "shutter still open");
    assert!(
        open.iter().any(|(k, r)| *k == 0xC18B && u32_at(r, 8) == 1),
        "busy"
    );
    cam.run(op::REMOTE_RELEASE_OFF, &[2]);
    cam.run(op::REMOTE_RELEASE_OFF, &[1]);
    let closed = cam.get_event();
    assert!(
        closed.iter().any(|(k, _)| *k == 0xC181),
        "picture on closing"
    );

    // Bodies that advertise BulbStart/BulbEnd (the 1300D does not).
    let (mut cam, _card) = eos_with(|m| {
        m.device_info
            .operations_supported
            .extend([op::BULB_START, op::BULB_END]);
    });
    cam.run(op::SET_EVENT_MODE, &[1]);
    cam.get_event();
    assert_eq!(cam.run(op::BULB_END, &[]).code, ResponseCode::GENERAL_ERROR);
    assert_eq!(cam.run(op::BULB_START, &[]).code, ResponseCode::OK);
    assert_eq!(cam.run(op::BULB_END, &[]).code, ResponseCode::OK);
    assert!(
        cam.get_event()
            .iter()
            .any(|(k, _)| *k == 0xC181 || *k == 0xC186)
    );
}

#[test]
fn initiate_viewfinder_where_advertised() {
    let (mut cam, _card) = eos_with(|m| {
        m.device_info
            .operations_supported
            .extend([op::INITIATE_VIEWFINDER, op::TERMINATE_VIEWFINDER]);
    });
    let vf = |cam: &mut Cam| cam.run(op::GET_VIEWFINDER_DATA, &[0x0020_0000, 0, 0]).code;
    assert_eq!(vf(&mut cam), RC_NOT_READY);
    assert_eq!(cam.run(op::INITIATE_VIEWFINDER, &[]).code, ResponseCode::OK);
    assert_eq!(vf(&mut cam), ResponseCode::OK);
    assert_eq!(
        cam.run(op::TERMINATE_VIEWFINDER, &[]).code,
        ResponseCode::OK
    );
    assert_eq!(vf(&mut cam), RC_NOT_READY);
}
