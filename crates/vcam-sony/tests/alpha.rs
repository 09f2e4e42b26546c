//! The Sony extension driven in-process through the core responder: DeviceInfo, the SDIO
//! handshake, 0x9209, absolute values and steps with C203, the S1/S2 capture to 0xFFFFC001,
//! live view at 0xFFFFC002, the hidden card, and bad input answered with real response codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use ptp_codec::{Decode, DevicePropCode, EventCode};
use ptp_types::{DeviceInfo, ObjectInfo, OperationCode, PropValue, ResponseCode};
use vcam_core::SyntheticFrames;
use vcam_core::frames::FrameSource;
use vcam_sony::SonyAlpha;
use vcam_sony::codes::{CAPTURE_OBJECT, LIVEVIEW_OBJECT, SDIO_VERSION_200, ec, op, prop};
use vcam_sony::records::{ExtDeviceInfo, ExtPropList, LiveViewFrame};
use vcam_testkit::cam::{Answer, Cam, camera_with_frames};
use vcam_testkit::card::files_under;

/// An a6300 driven in memory by vcam-testkit's [`Cam`], and its card.
struct Alpha {
    cam: Cam,
    card: tempfile::TempDir,
}

impl Deref for Alpha {
    type Target = Cam;
    fn deref(&self) -> &Cam {
        &self.cam
    }
}

impl DerefMut for Alpha {
    fn deref_mut(&mut self) -> &mut Cam {
        &mut self.cam
    }
}

impl Alpha {
    fn new() -> Self {
        Self::build(false, Box::new(SyntheticFrames::new(320, 240, 30)))
    }

    /// A session open on an a6300 ("PC Only", or "PC+Camera" when `save_to_card`) with its
    /// live view from `frames`.
    fn build(save_to_card: bool, frames: Box<dyn FrameSource>) -> Self {
        let card = tempfile::tempdir().unwrap();
        let sony = SonyAlpha::new(&vcam_sony::model::A6300).saving_to_card(save_to_card);
        let camera = camera_with_frames(
            vcam_sony::model::sony_a6300(),
            Box::new(sony),
            card.path(),
            false,
            frames,
        );
        Self {
            cam: Cam::open(camera),
            card,
        }
    }

    fn connected() -> Self {
        let mut cam = Self::new();
        cam.handshake();
        cam
    }

    fn handshake(&mut self) -> ExtDeviceInfo {
        assert_eq!(
            self.run(op::SDIO_CONNECT, &[1, 0, 0]).code,
            ResponseCode::OK
        );
        assert_eq!(
            self.run(op::SDIO_CONNECT, &[2, 0, 0]).code,
            ResponseCode::OK
        );
        let info = self.run(op::GET_EXT_DEVICE_INFO, &[0x12C, 1]);
        assert_eq!(info.code, ResponseCode::OK);
        let third = self.run(op::SDIO_CONNECT, &[3, 0, 0]);
        assert_eq!((third.code, third.data.len()), (ResponseCode::OK, 8));
        ExtDeviceInfo::decode_exact(&info.data).unwrap()
    }

    /// Lets `ms` milliseconds pass (running the camera's timers).
    fn wait(&mut self, ms: u64) {
        self.advance(Duration::from_millis(ms));
    }

    fn sony_events(&mut self) -> Vec<(EventCode, Vec<u32>)> {
        self.events()
            .into_iter()
            .map(|e| (e.code, e.params.to_vec()))
            .collect()
    }

    fn props(&mut self) -> ExtPropList {
        let answer = self.run(op::GET_ALL_EXT_DEVICE_PROP_INFO, &[]);
        assert_eq!(answer.code, ResponseCode::OK);
        ExtPropList::decode_exact(&answer.data).unwrap()
    }

    fn value(&mut self, code: DevicePropCode) -> PropValue {
        self.props()
            .0
            .into_iter()
            .find(|d| d.code == code)
            .unwrap()
            .current
    }

    fn step(&mut self, code: DevicePropCode, data: &[u8]) -> ResponseCode {
        self.send(op::CONTROL_DEVICE, &[u32::from(code.0)], data)
            .code
    }

    fn set(&mut self, code: DevicePropCode, value: &[u8]) -> ResponseCode {
        self.send(op::SET_EXT_DEVICE_PROP_VALUE, &[u32::from(code.0)], value)
            .code
    }

    fn card_files(&self) -> usize {
        files_under(self.card.path()).len()
    }
}

fn changed(code: DevicePropCode) -> (EventCode, Vec<u32>) {
    (ec::PROPERTY_CHANGED, vec![u32::from(code.0)])
}

#[test]
fn device_info_is_the_real_bodys_and_the_handshake_answers_version_2() {
    let mut cam = Alpha::new();
    let Answer { code, data, .. } = cam.run(OperationCode::GET_DEVICE_INFO, &[]);
    assert_eq!(code, ResponseCode::OK);
    let info = DeviceInfo::decode_exact(&data).unwrap();
    assert_eq!(info.vendor_extension_id, 0x11);
    assert_eq!(info.vendor_extension_desc.as_str(), "Sony PTP Extensions");
    assert_eq!(info.manufacturer.as_str(), "Sony Corporation");
    assert_eq!(info.model.as_str(), "ILCE-6300");
    for code in [
        op::SDIO_CONNECT,
        op::GET_EXT_DEVICE_INFO,
        op::SET_EXT_DEVICE_PROP_VALUE,
        op::CONTROL_DEVICE,
        op::GET_ALL_EXT_DEVICE_PROP_INFO,
    ] {
        assert!(info.operations_supported.contains(&code), "{code:?}");
    }
    assert_eq!(
        info.events_supported,
        [ec::OBJECT_ADDED, ec::OBJECT_REMOVED, ec::PROPERTY_CHANGED]
    );
    assert!(info.device_properties_supported.contains(&prop::ISO));
    assert!(!info.device_properties_supported.contains(&prop::AUTO_FOCUS));

    // Whatever version is asked for, the answer is 2.00, with the controls second.
    let ext = cam.handshake();
    assert_eq!(ext.version, SDIO_VERSION_200);
    assert!(ext.codes.is_empty());
    assert_eq!(
        ext.controls,
        [0xD2C1, 0xD2C2, 0xD2C3, 0xD2C9, 0xD2C8, 0xD2C5, 0xD2C7]
    );
    // A repeated handshake (libgphoto2 runs it at every GetDeviceInfo) works again.
    assert_eq!(cam.handshake().version, SDIO_VERSION_200);
    assert_eq!(
        cam.run(op::SDIO_CONNECT, &[4, 0, 0]).code,
        ResponseCode::INVALID_PARAMETER
    );

    let props = cam.props();
    assert_eq!(props.0.len(), vcam_sony::model::PROPS_A6300.len());
    let iso = props.0.iter().find(|d| d.code == prop::ISO).unwrap();
    assert_eq!(iso.current, PropValue::UInt32(0xFF_FFFF));
}

#[test]
fn before_the_handshake_settings_and_live_view_are_refused() {
    let mut cam = Alpha::new();
    assert_eq!(
        cam.run(op::GET_ALL_EXT_DEVICE_PROP_INFO, &[]).code,
        ResponseCode::ACCESS_DENIED
    );
    assert_eq!(
        cam.run(op::GET_EXT_DEVICE_INFO, &[0xC8]).code,
        ResponseCode::ACCESS_DENIED
    );
    assert_eq!(
        cam.set(prop::ISO, &400u32.to_le_bytes()),
        ResponseCode::ACCESS_DENIED
    );
    let Answer { code, data, .. } = cam.run(OperationCode::GET_OBJECT, &[LIVEVIEW_OBJECT.0]);
    assert_eq!((code, data.len()), (ResponseCode::INVALID_OBJECT_HANDLE, 0));
    assert_eq!(
        cam.run(OperationCode::GET_OBJECT_INFO, &[LIVEVIEW_OBJECT.0])
            .code,
        ResponseCode::INVALID_OBJECT_HANDLE
    );
    // The session goes on.
    cam.handshake();
    assert_eq!(cam.set(prop::ISO, &400u32.to_le_bytes()), ResponseCode::OK);
}

#[test]
fn absolute_values_and_steps_move_settings_and_announce_them() {
    let mut cam = Alpha::connected();
    cam.sony_events();
    assert_eq!(cam.set(prop::ISO, &400u32.to_le_bytes()), ResponseCode::OK);
    assert_eq!(cam.value(prop::ISO), PropValue::UInt32(400));
    assert_eq!(cam.sony_events(), [changed(prop::ISO)]);
    // Outside the list, wrong size, read-only, unknown.
    assert_eq!(
        cam.set(prop::ISO, &401u32.to_le_bytes()),
        ResponseCode::INVALID_DEVICE_PROP_VALUE
    );
    assert_eq!(
        cam.set(prop::ISO, &[1, 2]),
        ResponseCode::INVALID_DEVICE_PROP_FORMAT
    );
    assert_eq!(
        cam.set(prop::BATTERY_LEVEL, &[50]),
        ResponseCode::ACCESS_DENIED
    );
    assert_eq!(
        cam.set(prop::AUTO_FOCUS, &2u16.to_le_bytes()),
        ResponseCode::ACCESS_DENIED
    );
    assert_eq!(
        cam.set(DevicePropCode(0xD25A), &[1]),
        ResponseCode::DEVICE_PROP_NOT_SUPPORTED
    );
    assert!(cam.sony_events().is_empty());
    assert_eq!(cam.value(prop::ISO), PropValue::UInt32(400));

    // ISO walks its list in order: 400 is position 11; +3 is 800, -1 from there 640.
    assert_eq!(cam.step(prop::ISO, &[3]), ResponseCode::OK);
    assert_eq!(cam.value(prop::ISO), PropValue::UInt32(800));
    assert_eq!(
        cam.step(prop::ISO, &(-1i16).to_le_bytes()),
        ResponseCode::OK
    );
    assert_eq!(cam.value(prop::ISO), PropValue::UInt32(640));
    assert_eq!(cam.sony_events(), [changed(prop::ISO), changed(prop::ISO)]);
    // A step past the end stops at the end (as a dial does); past it nothing changes.
    assert_eq!(cam.step(prop::ISO, &[0x7F]), ResponseCode::OK);
    assert_eq!(cam.step(prop::ISO, &[0x7F]), ResponseCode::OK);
    let last = *vcam_sony::model::ISO_A6300.last().unwrap();
    assert_eq!(
        cam.value(prop::ISO),
        PropValue::UInt32(u32::try_from(last).unwrap())
    );
    assert_eq!(cam.sony_events(), [changed(prop::ISO)]);
    assert_eq!(cam.step(prop::ISO, &[0x80]), ResponseCode::OK);
    assert_eq!(
        cam.step(prop::ISO, &[]),
        ResponseCode::INVALID_DEVICE_PROP_FORMAT
    );
    assert_eq!(
        cam.step(prop::ISO, &[1, 2, 3]),
        ResponseCode::INVALID_DEVICE_PROP_FORMAT
    );
    assert_eq!(
        cam.step(prop::FOCUS_FOUND, &[1]),
        ResponseCode::ACCESS_DENIED
    );

    // Exposure compensation goes by value (its list starts at 0): +1 is +0.3, -2 is -0.3.
    let ev = DevicePropCode::EXPOSURE_BIAS_COMPENSATION;
    assert_eq!(cam.step(ev, &[1]), ResponseCode::OK);
    assert_eq!(cam.value(ev), PropValue::Int16(300));
    assert_eq!(cam.step(ev, &[0xFE]), ResponseCode::OK);
    assert_eq!(cam.value(ev), PropValue::Int16(-300));
    // The f-number walks the lens's stops, the shutter speed its speeds (+1: shorter).
    assert_eq!(cam.step(DevicePropCode::F_NUMBER, &[1]), ResponseCode::OK);
    assert_eq!(cam.value(DevicePropCode::F_NUMBER), PropValue::UInt16(630));
    assert_eq!(cam.step(prop::SHUTTER_SPEED, &[1]), ResponseCode::OK);
    assert_eq!(
        cam.value(prop::SHUTTER_SPEED),
        PropValue::UInt32((1 << 16) | 80)
    );
    // The shutter speed takes no absolute value (libgphoto2 2.5.30 sends a wrong one).
    assert_eq!(
        cam.set(prop::SHUTTER_SPEED, &0u32.to_le_bytes()),
        ResponseCode::OK
    );
    assert_eq!(
        cam.value(prop::SHUTTER_SPEED),
        PropValue::UInt32((1 << 16) | 80)
    );
    // Buttons take 1 or 2 as UINT16 only.
    assert_eq!(
        cam.step(prop::AE_LOCK, &3u16.to_le_bytes()),
        ResponseCode::INVALID_DEVICE_PROP_VALUE
    );
    assert_eq!(
        cam.step(prop::AE_LOCK, &[2]),
        ResponseCode::INVALID_DEVICE_PROP_FORMAT
    );
    assert_eq!(
        cam.step(prop::AE_LOCK, &2u16.to_le_bytes()),
        ResponseCode::OK
    );
    assert_eq!(
        cam.run(OperationCode::GET_DEVICE_INFO, &[]).code,
        ResponseCode::OK
    );
}

/// S1 down, S2 down, focus, S2 up, S1 up, then the picture: as libgphoto2's
/// `camera_sony_capture` drives it.
fn shoot(cam: &mut Alpha) -> Vec<(EventCode, Vec<u32>)> {
    let down = 2u16.to_le_bytes();
    let up = 1u16.to_le_bytes();
    cam.sony_events();
    assert_eq!(cam.step(prop::AUTO_FOCUS, &down), ResponseCode::OK);
    assert_eq!(cam.step(prop::CAPTURE, &down), ResponseCode::OK);
    assert_eq!(cam.value(prop::FOCUS_FOUND), PropValue::UInt8(1));
    cam.wait(100);
    assert_eq!(cam.value(prop::FOCUS_FOUND), PropValue::UInt8(2));
    assert_eq!(cam.step(prop::CAPTURE, &up), ResponseCode::OK);
    assert_eq!(cam.step(prop::AUTO_FOCUS, &up), ResponseCode::OK);
    cam.wait(200);
    assert_eq!(cam.value(prop::OBJECT_IN_MEMORY), PropValue::UInt16(0x8001));
    cam.sony_events()
}

#[test]
fn a_capture_waits_at_0xffffc001_and_leaves_the_card_alone() {
    let mut cam = Alpha::connected();
    let files = cam.card_files();
    let events = shoot(&mut cam);
    assert_eq!(
        events,
        [
            changed(prop::FOCUS_FOUND),
            changed(prop::FOCUS_FOUND),
            (ec::OBJECT_ADDED, vec![CAPTURE_OBJECT.0]),
            changed(prop::OBJECT_IN_MEMORY),
        ]
    );
    let Answer { code, data, .. } = cam.run(OperationCode::GET_OBJECT_INFO, &[CAPTURE_OBJECT.0]);
    assert_eq!(code, ResponseCode::OK);
    let info = ObjectInfo::decode_exact(&data).unwrap();
    assert!(
        info.filename.as_str().starts_with("DSC0"),
        "{}",
        info.filename
    );
    let Answer {
        code, data: jpeg, ..
    } = cam.run(OperationCode::GET_OBJECT, &[CAPTURE_OBJECT.0]);
    assert_eq!(code, ResponseCode::OK);
    assert_eq!(jpeg.len(), info.object_compressed_size as usize);
    image::load_from_memory(&jpeg).unwrap();
    assert_eq!(cam.value(prop::OBJECT_IN_MEMORY), PropValue::UInt16(0));
    assert_eq!(cam.card_files(), files, "the card is not touched");
    // In PC Remote mode the card is not visible at all.
    let Answer {
        code, data: ids, ..
    } = cam.run(OperationCode::GET_STORAGE_IDS, &[]);
    assert_eq!((code, ids), (ResponseCode::OK, vec![0, 0, 0, 0]));
    let Answer {
        code,
        data: handles,
        ..
    } = cam.run(OperationCode::GET_OBJECT_HANDLES, &[0xFFFF_FFFF, 0, 0]);
    assert_eq!((code, handles), (ResponseCode::OK, vec![0, 0, 0, 0]));
    assert_eq!(
        cam.run(OperationCode::GET_OBJECT_INFO, &[1]).code,
        ResponseCode::INVALID_OBJECT_HANDLE
    );
}

#[test]
fn manual_focus_shoots_without_waiting_and_pc_plus_camera_writes_the_card() {
    let mut cam = Alpha::build(true, Box::new(SyntheticFrames::new(160, 120, 30)));
    cam.handshake();
    assert_eq!(
        cam.set(DevicePropCode::FOCUS_MODE, &1u16.to_le_bytes()),
        ResponseCode::OK
    );
    let before = cam.card_files();
    let down = 2u16.to_le_bytes();
    assert_eq!(cam.step(prop::AUTO_FOCUS, &down), ResponseCode::OK);
    assert_eq!(cam.step(prop::CAPTURE, &down), ResponseCode::OK);
    cam.wait(200);
    assert_eq!(
        cam.value(prop::FOCUS_FOUND),
        PropValue::UInt8(1),
        "no autofocus in MF"
    );
    assert_eq!(cam.value(prop::OBJECT_IN_MEMORY), PropValue::UInt16(0x8001));
    assert_eq!(cam.card_files(), before + 1);
    assert!(cam.card.path().join("DCIM/100MSDCF").is_dir());
}

#[test]
fn live_view_frames_are_bare_baseline_jpegs_paced_at_the_frame_rate() {
    let mut cam = Alpha::connected();
    // Not ready just after the handshake.
    assert_eq!(
        cam.run(OperationCode::GET_OBJECT, &[LIVEVIEW_OBJECT.0])
            .code,
        ResponseCode::INVALID_OBJECT_HANDLE
    );
    cam.wait(200);
    let Answer { code, data, .. } = cam.run(OperationCode::GET_OBJECT_INFO, &[LIVEVIEW_OBJECT.0]);
    assert_eq!(code, ResponseCode::OK);
    let info = ObjectInfo::decode_exact(&data).unwrap();
    assert_eq!((info.image_pix_width, info.image_pix_height), (320, 240));
    let Answer {
        code, data: object, ..
    } = cam.run(OperationCode::GET_OBJECT, &[LIVEVIEW_OBJECT.0]);
    assert_eq!(code, ResponseCode::OK);
    assert_eq!(object.len(), info.object_compressed_size as usize);
    let frame = LiveViewFrame::parse(&object).unwrap();
    assert_eq!(frame.header.image_offset, 128);
    assert_eq!(&frame.jpeg[..4], &[0xFF, 0xD8, 0xFF, 0xDB]);
    assert_eq!(&frame.jpeg[frame.jpeg.len() - 2..], &[0xFF, 0xD9]);
    assert!(
        !frame.jpeg.windows(4).any(|w| w == [0xFF, 0xE0, 0x00, 0x10]),
        "no JFIF APP0"
    );
    let picture = image::load_from_memory(frame.jpeg).unwrap();
    assert_eq!((picture.width(), picture.height()), (320, 240));

    // Polled in a tight loop within one frame period: AccessDenied, no data, the session
    // goes on; the next period brings a new frame.
    for _ in 0..1000 {
        let Answer { code, data, .. } = cam.run(OperationCode::GET_OBJECT, &[LIVEVIEW_OBJECT.0]);
        assert_eq!((code, data.len()), (ResponseCode::ACCESS_DENIED, 0));
    }
    cam.wait(34);
    let Answer {
        code, data: next, ..
    } = cam.run(OperationCode::GET_OBJECT, &[LIVEVIEW_OBJECT.0]);
    assert_eq!(code, ResponseCode::OK);
    assert_ne!(next, object);
    assert_eq!(
        cam.run(OperationCode::GET_DEVICE_INFO, &[]).code,
        ResponseCode::OK
    );
}

#[test]
fn recorded_frames_with_application_data_or_progressive_coding_are_sent_bare_and_baseline() {
    // A Motion JPEG of two frames: one with JFIF and EXIF segments, one progressive.
    let mut canvas = vcam_core::render::Canvas::new(96, 64);
    canvas.pattern(1, 0);
    let exif = vcam_core::render::exif_segment("Sony", "ILCE-6300", None, &[]);
    let first = canvas.encode_jpeg(80, exif).unwrap();
    let rgb = image::RgbImage::from_fn(96, 64, |x, y| image::Rgb([x as u8, y as u8, 128]));
    let mut progressive = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut progressive, 80);
    encoder.set_progressive(true);
    encoder
        .encode(rgb.as_raw(), 96, 64, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    assert!(!vcam_core::store::media::is_baseline_jpeg(&progressive));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clip.mjpg");
    std::fs::write(&file, [first, progressive].concat()).unwrap();
    let frames = vcam_core::MjpegFileFrames::load(&file, 30).unwrap();
    let mut cam = Alpha::build(false, Box::new(frames));
    cam.handshake();
    cam.wait(200);
    for _ in 0..4 {
        let Answer {
            code, data: object, ..
        } = cam.run(OperationCode::GET_OBJECT, &[LIVEVIEW_OBJECT.0]);
        assert_eq!(code, ResponseCode::OK);
        let jpeg = LiveViewFrame::parse(&object).unwrap().jpeg;
        assert_eq!(&jpeg[..4], &[0xFF, 0xD8, 0xFF, 0xDB]);
        assert!(vcam_core::store::media::is_baseline_jpeg(jpeg));
        let picture = image::load_from_memory(jpeg).unwrap();
        assert_eq!((picture.width(), picture.height()), (96, 64));
        cam.wait(34);
    }
}

#[test]
fn body_actions_are_reported_with_sonys_events() {
    use vcam_core::{BodyAction, Dial, ObjectTarget};
    let mut cam = Alpha::connected();
    cam.sony_events();
    // The shutter on the body: the picture waits at 0xFFFFC001, 0xD215 says so, C201 names it.
    let now = cam.now;
    cam.responder.act(now, &BodyAction::Shutter).unwrap();
    let events = cam.sony_events();
    assert!(
        events.contains(&changed(prop::OBJECT_IN_MEMORY)),
        "{events:?}"
    );
    assert!(
        events.contains(&(ec::OBJECT_ADDED, vec![CAPTURE_OBJECT.0])),
        "{events:?}"
    );
    // A dial: the setting moves along the body's dial, C203.
    let before = cam.value(prop::ISO);
    cam.responder
        .act(
            now,
            &BodyAction::Dial {
                dial: Dial::Iso,
                steps: 1,
            },
        )
        .unwrap();
    assert_ne!(cam.value(prop::ISO), before);
    assert!(cam.sony_events().contains(&changed(prop::ISO)));
    // The battery: 0xD218 with C203.
    cam.responder.act(now, &BodyAction::Battery(10)).unwrap();
    assert_eq!(cam.value(prop::BATTERY_LEVEL), PropValue::Int8(10));
    assert!(cam.sony_events().contains(&changed(prop::BATTERY_LEVEL)));
    // A picture deleted on the body: C202 with its handle.
    std::fs::write(cam.card.path().join("DSC00009.JPG"), b"picture").unwrap();
    let gone = cam
        .responder
        .act(
            now,
            &BodyAction::Delete(ObjectTarget::Name("DSC00009.JPG".into())),
        )
        .unwrap();
    let handle = gone.object.unwrap();
    assert!(
        cam.sony_events()
            .contains(&(ec::OBJECT_REMOVED, vec![handle.0]))
    );
    assert!(!cam.card.path().join("DSC00009.JPG").exists());
}

#[test]
fn a_failed_capture_never_reaches_0xffffc001_and_the_next_one_does() {
    let mut cam = Alpha::connected();
    cam.responder.add_fault("capture-fail".parse().unwrap());
    cam.sony_events();
    // The buttons are accepted as a real body accepts them; no picture follows.
    let down = 2u16.to_le_bytes();
    let up = 1u16.to_le_bytes();
    for (button, state) in [
        (prop::AUTO_FOCUS, &down),
        (prop::CAPTURE, &down),
        (prop::CAPTURE, &up),
        (prop::AUTO_FOCUS, &up),
    ] {
        assert_eq!(cam.step(button, state), ResponseCode::OK);
        cam.wait(100);
    }
    cam.wait(200);
    assert_ne!(cam.value(prop::OBJECT_IN_MEMORY), PropValue::UInt16(0x8001));
    assert!(
        !cam.sony_events()
            .iter()
            .any(|(code, _)| *code == ec::OBJECT_ADDED),
        "no C201 for a failed capture"
    );
    // The fault was for one picture: the next press takes it.
    let events = shoot(&mut cam);
    assert!(events.contains(&(ec::OBJECT_ADDED, vec![CAPTURE_OBJECT.0])));
}
