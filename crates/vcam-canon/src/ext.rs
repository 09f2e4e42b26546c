//! The EOS vendor extension: what a Canon EOS body answers beyond ISO 15740.
//!
//! Behaviour follows what libgphoto2 expects (`camlibs/ptp2/library.c`:
//! `camera_prepare_canon_eos_capture`, `camera_canon_eos_capture`,
//! `camera_canon_eos_capture_preview`; `camlibs/ptp2/ptp.c`: `ptp_check_eos_events`), measured
//! in ../shared/reference/client-expectations.md §4.

use std::collections::VecDeque;

use bytes::Bytes;
use vcam_core::props::ChangeKind;
use vcam_core::ptp_types::{
    DataPhase, DevicePropCode, Encode, ObjectHandle, OperationSpec, PropValue, ResponseCode,
    StorageId,
};
use vcam_core::reply::Response;
use vcam_core::store::DataSource;
use vcam_core::{
    CaptureTarget, Context, PropChange, Properties, Reply, Request, StoreError, VendorExtension,
};

use crate::codes::{RC_NOT_READY, event, op, prop};
use crate::model::{IMAGE_FORMATS_1300D, Kind, PROPS_1300D, from_compact, kind_of};
use crate::records::{EosEvent, EosValue, ImageFormat, encode_events, viewfinder};

/// CaptureDestination 0xD11C value meaning "the host" (`PTP_CANON_EOS_CAPTUREDEST_HD`).
pub const CAPTURE_DESTINATION_HOST: u32 = 4;
/// EVFOutputDevice bit: live view to the host.
pub const EVF_OUTPUT_HOST: u32 = 2;
/// ShutterSpeed code for bulb.
pub const SHUTTER_BULB: u32 = 0x0C;
/// Largest SetDevicePropValueEx data phase accepted.
const MAX_PROP_DATA: usize = 4096;

/// The EOS extension state of one body.
#[derive(Debug)]
pub struct CanonEos {
    specs: Vec<OperationSpec>,
    remote_mode: u32,
    event_mode: u32,
    dumped: bool,
    pending: VecDeque<EosEvent>,
    viewfinder: bool,
    half_pressed: bool,
    bulb_open: bool,
    ui_locked: bool,
    zoom: u32,
    zoom_position: (u32, u32),
}

impl Default for CanonEos {
    fn default() -> Self {
        Self::new()
    }
}

const fn spec(
    code: vcam_core::ptp_types::OperationCode,
    name: &'static str,
    data: DataPhase,
    max: u8,
) -> OperationSpec {
    OperationSpec::new(code, name, data, 0, max)
}

impl CanonEos {
    /// A body just switched on.
    #[must_use]
    pub fn new() -> Self {
        use DataPhase::{None as N, ToInitiator as In, ToResponder as Out};
        let specs = vec![
            spec(op::GET_STORAGE_IDS, "EOS_GetStorageIDs", In, 0),
            spec(op::GET_STORAGE_INFO, "EOS_GetStorageInfo", In, 1),
            spec(op::GET_DEVICE_INFO_EX, "EOS_GetDeviceInfoEx", In, 0),
            spec(op::SET_OBJECT_ATTRIBUTES, "EOS_SetObjectAttributes", N, 2),
            spec(op::REMOTE_RELEASE, "EOS_RemoteRelease", N, 0),
            spec(
                op::SET_DEVICE_PROP_VALUE_EX,
                "EOS_SetDevicePropValueEx",
                Out,
                0,
            ),
            spec(op::GET_REMOTE_MODE, "EOS_GetRemoteMode", N, 0),
            spec(op::SET_REMOTE_MODE, "EOS_SetRemoteMode", N, 1),
            spec(op::SET_EVENT_MODE, "EOS_SetEventMode", N, 1),
            spec(op::GET_EVENT, "EOS_GetEvent", In, 0),
            spec(op::TRANSFER_COMPLETE, "EOS_TransferComplete", N, 1),
            spec(op::CANCEL_TRANSFER, "EOS_CancelTransfer", N, 1),
            spec(op::PC_HDD_CAPACITY, "EOS_PCHDDCapacity", N, 3),
            spec(op::SET_UI_LOCK, "EOS_SetUILock", N, 0),
            spec(op::RESET_UI_LOCK, "EOS_ResetUILock", N, 0),
            spec(op::KEEP_DEVICE_ON, "EOS_KeepDeviceOn", N, 0),
            spec(op::BULB_START, "EOS_BulbStart", N, 0),
            spec(op::BULB_END, "EOS_BulbEnd", N, 0),
            spec(
                op::REQUEST_DEVICE_PROP_VALUE,
                "EOS_RequestDevicePropValue",
                N,
                1,
            ),
            spec(op::REMOTE_RELEASE_ON, "EOS_RemoteReleaseOn", N, 2),
            spec(op::REMOTE_RELEASE_OFF, "EOS_RemoteReleaseOff", N, 1),
            spec(op::INITIATE_VIEWFINDER, "EOS_InitiateViewfinder", N, 0),
            spec(op::TERMINATE_VIEWFINDER, "EOS_TerminateViewfinder", N, 0),
            spec(op::GET_VIEWFINDER_DATA, "EOS_GetViewFinderData", In, 3),
            spec(op::DO_AF, "EOS_DoAf", N, 0),
            spec(op::DRIVE_LENS, "EOS_DriveLens", N, 1),
            spec(op::DEPTH_OF_FIELD_PREVIEW, "EOS_DepthOfFieldPreview", N, 1),
            spec(op::ZOOM, "EOS_Zoom", N, 1),
            spec(op::ZOOM_POSITION, "EOS_ZoomPosition", N, 2),
            spec(op::SET_LIVE_AF_FRAME, "EOS_SetLiveAfFrame", Out, 0),
            spec(op::AF_CANCEL, "EOS_AfCancel", N, 0),
        ];
        Self {
            specs,
            remote_mode: 0,
            event_mode: 0,
            dumped: false,
            pending: VecDeque::new(),
            viewfinder: false,
            half_pressed: false,
            bulb_open: false,
            ui_locked: false,
            zoom: 1,
            zoom_position: (0, 0),
        }
    }

    /// Records not yet fetched by GetEvent.
    #[must_use]
    pub fn pending_events(&self) -> usize {
        self.pending.len()
    }

    /// Whether live view frames are being produced (EVF output to the host, or
    /// InitiateViewfinder).
    #[must_use]
    pub fn liveview_on(&self, props: &Properties) -> bool {
        let output = u32_of(props, prop::EVF_OUTPUT_DEVICE);
        let mode = u32_of(props, prop::EVF_MODE);
        self.viewfinder || (output & EVF_OUTPUT_HOST != 0 && mode == 1)
    }

    fn value_event(props: &Properties, code: u16) -> Option<EosEvent> {
        let value = props.value(DevicePropCode(code))?;
        let value = match (kind_of(code)?, value) {
            (Kind::ImageFormat, PropValue::UInt32(v)) => {
                EosValue::ImageFormat(from_compact(&IMAGE_FORMATS_1300D, *v)?)
            }
            (_, PropValue::Str(s)) => EosValue::Str(s.as_str().to_string()),
            (_, v) => EosValue::U32(u32::try_from(v.as_i128()?).ok()?),
        };
        Some(EosEvent::PropValueChanged {
            prop: u32::from(code),
            value,
        })
    }

    fn list_event(code: u16) -> Option<EosEvent> {
        let p = PROPS_1300D.iter().find(|p| p.code == code)?;
        let values: Vec<EosValue> = match p.kind {
            Kind::ImageFormat => IMAGE_FORMATS_1300D
                .iter()
                .map(|f| EosValue::ImageFormat(*f))
                .collect(),
            Kind::Text => return None,
            Kind::Number if p.list.is_empty() => return None,
            Kind::Number => p.list.iter().map(|&v| EosValue::U32(v)).collect(),
        };
        Some(EosEvent::AvailListChanged {
            prop: u32::from(code),
            values,
        })
    }

    /// Every property with its list, then InfoCheckComplete: what a body reports at the first
    /// GetEvent after SetEventMode(1).
    fn queue_dump(&mut self, props: &Properties) {
        for p in PROPS_1300D {
            if let Some(e) = Self::value_event(props, p.code) {
                self.pending.push_back(e);
            }
            if let Some(e) = Self::list_event(p.code) {
                self.pending.push_back(e);
            }
        }
        self.pending.push_back(EosEvent::InfoCheckComplete);
    }

    fn capture(&mut self, cx: &mut Context<'_>) -> Result<(), ResponseCode> {
        let target = if u32_of(cx.props, prop::CAPTURE_DESTINATION) == CAPTURE_DESTINATION_HOST {
            CaptureTarget::Memory
        } else {
            CaptureTarget::Card
        };
        self.pending.push_back(EosEvent::CameraStatusChanged(1));
        let shot = cx.capture(target)?;
        let name = shot.info.filename.as_str().to_string();
        let size = u32::try_from(shot.size).unwrap_or(u32::MAX);
        self.pending.push_back(match shot.target {
            CaptureTarget::Card => EosEvent::ObjectAddedEx {
                handle: shot.handle.0,
                storage: shot.info.storage_id.0,
                parent: shot.info.parent_object.0,
                format: shot.info.object_format.0,
                size,
                name,
            },
            CaptureTarget::Memory => EosEvent::RequestObjectTransfer {
                handle: shot.handle.0,
                format: shot.info.object_format.0,
                size,
                name,
            },
        });
        self.pending.push_back(EosEvent::CameraStatusChanged(0));
        // The shutter counter goes up; a card shot takes one of the available shots.
        let counter = u32_of(cx.props, prop::SHUTTER_COUNTER).wrapping_add(1);
        let _ = cx
            .props
            .set_by_device(prop::SHUTTER_COUNTER, PropValue::UInt32(counter));
        if shot.target == CaptureTarget::Card {
            let left = u32_of(cx.props, prop::AVAILABLE_SHOTS).saturating_sub(1);
            let _ = cx
                .props
                .set_by_device(prop::AVAILABLE_SHOTS, PropValue::UInt32(left));
        }
        Ok(())
    }

    fn viewfinder_data(&mut self, cx: &mut Context<'_>) -> Reply {
        if !self.liveview_on(cx.props) {
            return Reply::Response(Response::code(RC_NOT_READY));
        }
        let frame = match cx.liveview_frame() {
            Ok(f) => f,
            Err(code) => return Reply::Response(Response::code(code)),
        };
        // JPEG record, then metadata records (zoom, zoom position, histogram status).
        let mut head = Vec::with_capacity(8);
        head.extend_from_slice(&((8 + frame.jpeg.len()) as u32).to_le_bytes());
        head.extend_from_slice(&viewfinder::JPEG.to_le_bytes());
        let mut tail = Vec::with_capacity(48);
        for (kind, body) in [
            (viewfinder::ZOOM, vec![self.zoom]),
            (
                viewfinder::ZOOM_POSITION,
                vec![self.zoom_position.0, self.zoom_position.1],
            ),
            (viewfinder::HISTOGRAM_STATUS, vec![0]),
        ] {
            tail.extend_from_slice(&((8 + 4 * body.len()) as u32).to_le_bytes());
            tail.extend_from_slice(&kind.to_le_bytes());
            for v in body {
                tail.extend_from_slice(&v.to_le_bytes());
            }
        }
        Reply::Data {
            data: Box::new(Chain::new(vec![
                Bytes::from(head),
                frame.jpeg,
                Bytes::from(tail),
            ])),
            response: Response::ok(),
        }
    }

    fn device_info_ex(&self) -> Vec<u8> {
        let events = [
            event::OBJECT_ADDED_EX,
            event::OBJECT_REMOVED,
            event::REQUEST_OBJECT_TRANSFER,
            event::PROP_VALUE_CHANGED,
            event::AVAIL_LIST_CHANGED,
            event::CAMERA_STATUS_CHANGED,
            event::INFO_CHECK_COMPLETE,
        ];
        let mut out = vec![0u8; 4];
        let events: Vec<u32> = events.iter().map(|e| e.0).collect();
        events.encode(&mut out);
        let props: Vec<u32> = PROPS_1300D.iter().map(|p| u32::from(p.code)).collect();
        props.encode(&mut out);
        vec![1u32].encode(&mut out);
        let len = out.len() as u32;
        out[..4].copy_from_slice(&len.to_le_bytes());
        out
    }
}

fn u32_of(props: &Properties, code: DevicePropCode) -> u32 {
    props
        .value(code)
        .and_then(PropValue::as_i128)
        .and_then(|v| u32::try_from(v).ok())
        .unwrap_or(0)
}

fn ok() -> Option<Reply> {
    Some(Reply::Response(Response::ok()))
}

impl VendorExtension for CanonEos {
    fn operations(&self) -> &[OperationSpec] {
        &self.specs
    }

    fn session_opened(&mut self, _cx: &mut Context<'_>) {
        self.dumped = false;
        self.pending.clear();
        self.event_mode = 0;
    }

    fn session_closed(&mut self, _cx: &mut Context<'_>) {
        self.remote_mode = 0;
        self.event_mode = 0;
        self.viewfinder = false;
        self.half_pressed = false;
        self.ui_locked = false;
    }

    fn handle(&mut self, cx: &mut Context<'_>, request: &Request) -> Option<Reply> {
        let p0 = request.param(0);
        match request.code {
            op::GET_EVENT => {
                let events: Vec<EosEvent> = self.pending.drain(..).collect();
                Some(Reply::data(encode_events(&events)))
            }
            op::SET_EVENT_MODE => {
                self.event_mode = p0;
                if p0 != 0 && !self.dumped {
                    self.dumped = true;
                    self.queue_dump(cx.props);
                }
                ok()
            }
            op::SET_REMOTE_MODE => {
                self.remote_mode = p0;
                ok()
            }
            op::GET_REMOTE_MODE => Some(Reply::Response(Response::ok_with([self.remote_mode]))),
            op::SET_DEVICE_PROP_VALUE_EX | op::SET_LIVE_AF_FRAME => Some(Reply::ReceiveData {
                limit: MAX_PROP_DATA,
                too_long: ResponseCode::INVALID_DEVICE_PROP_VALUE,
            }),
            op::REQUEST_DEVICE_PROP_VALUE => {
                let code = u16::try_from(p0).unwrap_or(0);
                if let Some(e) = Self::value_event(cx.props, code) {
                    self.pending.push_back(e);
                }
                ok()
            }
            op::GET_DEVICE_INFO_EX => Some(Reply::data(self.device_info_ex())),
            op::GET_STORAGE_IDS => {
                let ids: Vec<u32> = cx.store.storage_ids().iter().map(|s| s.0).collect();
                Some(Reply::data(ids.to_bytes()))
            }
            op::GET_STORAGE_INFO => match cx.store.storage_info(StorageId(p0)) {
                Ok(info) => Some(Reply::data(info.to_bytes())),
                Err(e) => Some(Reply::Response(Response::code(e.response_code()))),
            },
            op::TRANSFER_COMPLETE => {
                cx.release_memory_object(ObjectHandle(p0));
                ok()
            }
            op::CANCEL_TRANSFER
            | op::SET_OBJECT_ATTRIBUTES
            | op::PC_HDD_CAPACITY
            | op::KEEP_DEVICE_ON
            | op::DRIVE_LENS
            | op::DEPTH_OF_FIELD_PREVIEW => ok(),
            op::SET_UI_LOCK => {
                self.ui_locked = true;
                ok()
            }
            op::RESET_UI_LOCK => {
                self.ui_locked = false;
                ok()
            }
            op::REMOTE_RELEASE => Some(match self.capture(cx) {
                Ok(()) => Reply::Response(Response::ok()),
                Err(code) => Reply::Response(Response::code(code)),
            }),
            op::REMOTE_RELEASE_ON => {
                // 1: half press (focus), 2: full press, 3: both (EOS M).
                if p0 & 1 != 0 {
                    self.half_pressed = true;
                }
                if p0 & 2 != 0 {
                    if u32_of(cx.props, prop::SHUTTER_SPEED) == SHUTTER_BULB {
                        self.bulb_open = true;
                        self.pending.push_back(EosEvent::CameraStatusChanged(1));
                    } else if let Err(code) = self.capture(cx) {
                        return Some(Reply::Response(Response::code(code)));
                    }
                }
                ok()
            }
            op::REMOTE_RELEASE_OFF => {
                if p0 & 2 != 0 && self.bulb_open {
                    self.bulb_open = false;
                    if let Err(code) = self.capture(cx) {
                        return Some(Reply::Response(Response::code(code)));
                    }
                }
                if p0 & 1 != 0 {
                    self.half_pressed = false;
                }
                ok()
            }
            op::BULB_START => {
                self.bulb_open = true;
                self.pending.push_back(EosEvent::CameraStatusChanged(1));
                ok()
            }
            op::BULB_END => {
                if !self.bulb_open {
                    return Some(Reply::Response(Response::code(ResponseCode::GENERAL_ERROR)));
                }
                self.bulb_open = false;
                Some(match self.capture(cx) {
                    Ok(()) => Reply::Response(Response::ok()),
                    Err(code) => Reply::Response(Response::code(code)),
                })
            }
            op::INITIATE_VIEWFINDER => {
                self.viewfinder = true;
                ok()
            }
            op::TERMINATE_VIEWFINDER => {
                self.viewfinder = false;
                ok()
            }
            op::GET_VIEWFINDER_DATA => Some(self.viewfinder_data(cx)),
            op::DO_AF => {
                self.half_pressed = true;
                ok()
            }
            op::AF_CANCEL => {
                self.half_pressed = false;
                ok()
            }
            op::ZOOM => {
                if !matches!(p0, 1 | 5 | 10) {
                    return Some(Reply::Response(Response::code(
                        ResponseCode::INVALID_PARAMETER,
                    )));
                }
                self.zoom = p0;
                ok()
            }
            op::ZOOM_POSITION => {
                self.zoom_position = (p0, request.param(1));
                ok()
            }
            _ => None,
        }
    }

    fn handle_data(&mut self, cx: &mut Context<'_>, request: &Request, data: &[u8]) -> Response {
        if request.code == op::SET_LIVE_AF_FRAME {
            return Response::ok();
        }
        // u32 size, u32 property, value (ptp_canon_eos_setdevicepropvalueex).
        let word = |i: usize| {
            data.get(i..i + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(u32::from_le_bytes)
        };
        let (Some(size), Some(code)) = (word(0), word(4)) else {
            return Response::code(ResponseCode::INVALID_DEVICE_PROP_FORMAT);
        };
        let end = (size as usize).min(data.len());
        let raw = data.get(8..end.max(8)).unwrap_or_default();
        let Ok(code16) = u16::try_from(code) else {
            return Response::code(ResponseCode::DEVICE_PROP_NOT_SUPPORTED);
        };
        let Some(kind) = kind_of(code16) else {
            return Response::code(ResponseCode::DEVICE_PROP_NOT_SUPPORTED);
        };
        let value = match kind {
            Kind::Number => match raw.get(..4).and_then(|b| <[u8; 4]>::try_from(b).ok()) {
                Some(b) => PropValue::UInt32(u32::from_le_bytes(b)),
                None => return Response::code(ResponseCode::INVALID_DEVICE_PROP_FORMAT),
            },
            Kind::Text => {
                let text = raw.split(|&b| b == 0).next().unwrap_or_default();
                PropValue::Str(vcam_core::ptp_types::PtpString::truncating(
                    &String::from_utf8_lossy(text),
                ))
            }
            Kind::ImageFormat => match ImageFormat::decode(raw) {
                Some(f) => PropValue::UInt32(crate::model::compact(&f)),
                None => return Response::code(ResponseCode::INVALID_DEVICE_PROP_VALUE),
            },
        };
        match cx.props.set(DevicePropCode(code16), value) {
            Ok(_) => Response::ok(),
            Err(e) => {
                tracing::info!(%e, "SetDevicePropValueEx refused");
                Response::code(e.response_code())
            }
        }
    }

    fn properties_changed(&mut self, cx: &mut Context<'_>, changes: &[PropChange]) {
        for change in changes {
            let code = change.code.0;
            if kind_of(code).is_none() {
                continue;
            }
            let e = match change.kind {
                ChangeKind::Value => Self::value_event(cx.props, code),
                ChangeKind::Form => Self::list_event(code),
            };
            if let Some(e) = e {
                self.pending.push_back(e);
            }
        }
    }

    fn settings_lines(&self, props: &Properties) -> Option<Vec<String>> {
        let iso = match u32_of(props, prop::ISO_SPEED) {
            0 => "ISO Auto".to_string(),
            code => format!("ISO {}", iso_value(code)),
        };
        Some(vec![
            format!(
                "{iso}  Av 0x{:02X}  Tv 0x{:02X}",
                u32_of(props, prop::APERTURE),
                u32_of(props, prop::SHUTTER_SPEED)
            ),
            format!(
                "WB {}  shots {}",
                u32_of(props, prop::WHITE_BALANCE),
                u32_of(props, prop::SHUTTER_COUNTER)
            ),
        ])
    }
}

/// The ISO speed of an EOS ISO code: 0x48 is ISO 100, each 8 steps double it.
#[must_use]
pub fn iso_value(code: u32) -> u32 {
    if code < 0x48 {
        return 0;
    }
    let steps = code - 0x48;
    let base = 100u32 << (steps / 8).min(20);
    // Third stops in between.
    match steps % 8 {
        3 => base * 5 / 4,
        5 => base * 8 / 5,
        _ => base,
    }
}

/// Several `Bytes` served one after another without copying.
struct Chain {
    parts: VecDeque<Bytes>,
    len: u64,
}

impl Chain {
    fn new(parts: Vec<Bytes>) -> Self {
        let len = parts.iter().map(|p| p.len() as u64).sum();
        Self {
            parts: parts.into_iter().filter(|p| !p.is_empty()).collect(),
            len,
        }
    }
}

impl DataSource for Chain {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_chunk(&mut self, max: usize) -> Result<Bytes, StoreError> {
        let Some(front) = self.parts.front_mut() else {
            return Ok(Bytes::new());
        };
        let take = max.min(front.len());
        let chunk = front.split_to(take);
        if front.is_empty() {
            self.parts.pop_front();
        }
        Ok(chunk)
    }
}
