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
    DataPhase, DevicePropCode, Encode, ObjectHandle, OperationSpec, PropValue, ProtectionStatus,
    ResponseCode, StorageId,
};
use vcam_core::reply::Response;
use vcam_core::store::{BytesSource, DataSource, FormatFilter, ParentFilter};
use vcam_core::{
    CaptureTarget, Context, PropChange, Properties, Reply, Request, StoreError, VendorExtension,
};

use crate::codes::{RC_NOT_READY, event, op, prop};
use crate::model::{
    IMAGE_FORMATS_1300D, Kind, PROPS_1300D, focus_info_1300d, from_compact, kind_of,
};
use crate::records::{EosEvent, EosValue, ImageFormat, encode_events, viewfinder};

/// CaptureDestination 0xD11C value meaning "the host" (`PTP_CANON_EOS_CAPTUREDEST_HD` in
/// libgphoto2's `ptp.h`; set by `camera_canon_eos_update_capture_target`, library.c).
pub const CAPTURE_DESTINATION_HOST: u32 = 4;
/// EVFOutputDevice 0xD1B0 bit: live view to the host (libgphoto2 `library.c`:
/// `camera_capture_preview` sets it when `(value & ~1) == 0`).
pub const EVF_OUTPUT_HOST: u32 = 2;
/// ShutterSpeed 0xD102 code for bulb (libgphoto2 `config.c`: `canon_shutterspeed`, "bulb").
pub const SHUTTER_BULB: u32 = 0x0C;
/// Largest SetDevicePropValueEx data phase accepted.
const MAX_PROP_DATA: usize = 4096;

/// The EOS extension state of one body: remote and event mode, the GetEvent queue, release
/// and live view state. Answers what libgphoto2's EOS path sends (`library.c`:
/// `camera_prepare_canon_eos_capture`, `camera_trigger_canon_eos_capture`,
/// `camera_capture_preview`; `ptp.c`: `ptp_check_eos_events`).
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
    /// A body just switched on: no dump sent yet (it follows SetEventMode(1), as
    /// `camera_prepare_canon_eos_capture` in library.c expects).
    #[must_use]
    pub fn new() -> Self {
        use DataPhase::{None as N, ToInitiator as In, ToResponder as Out};
        let specs = vec![
            spec(op::GET_STORAGE_IDS, "EOS_GetStorageIDs", In, 0),
            spec(op::GET_STORAGE_INFO, "EOS_GetStorageInfo", In, 1),
            spec(op::GET_OBJECT, "EOS_GetObject", In, 1),
            spec(op::DELETE_OBJECT, "EOS_DeleteObject", N, 1),
            spec(op::GET_PARTIAL_OBJECT, "EOS_GetPartialObject", In, 3),
            spec(op::GET_DEVICE_INFO_EX, "EOS_GetDeviceInfoEx", In, 0),
            spec(op::GET_OBJECT_INFO_EX, "EOS_GetObjectInfoEx", In, 3),
            spec(op::SET_OBJECT_TIME, "EOS_SetObjectTime", N, 2),
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
            spec(op::SET_NULL_PACKET_MODE, "EOS_SetNullPacketMode", N, 1),
            spec(op::GET_PARTIAL_OBJECT_EX, "EOS_GetPartialObjectEx", In, 4),
            spec(
                op::RESET_MIRROR_LOCKUP_STATE,
                "EOS_ResetMirrorLockupState",
                N,
                0,
            ),
            spec(op::POPUP_BUILTIN_FLASH, "EOS_PopupBuiltinFlash", N, 0),
            spec(
                op::END_GET_PARTIAL_OBJECT_EX,
                "EOS_EndGetPartialObjectEx",
                N,
                1,
            ),
            spec(op::MOVIE_SELECT_SW_ON, "EOS_MovieSelectSWOn", N, 0),
            spec(op::MOVIE_SELECT_SW_OFF, "EOS_MovieSelectSWOff", N, 0),
            spec(
                op::SET_REQUEST_OLC_INFO_GROUP,
                "EOS_SetRequestOLCInfoGroup",
                N,
                1,
            ),
            spec(op::CLICK_WB, "EOS_ClickWB", N, 2),
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

    /// Records not yet fetched by GetEvent (`ptp_check_eos_events` in ptp.c polls until none
    /// are left).
    #[must_use]
    pub fn pending_events(&self) -> usize {
        self.pending.len()
    }

    /// Whether live view frames are being produced: EVF output to the host with EVFMode 1, or
    /// InitiateViewfinder (libgphoto2 `library.c`: `camera_capture_preview`; `config.c`:
    /// `_put_Canon_EOS_ViewFinder`). Until then GetViewFinderData answers Canon NotReady.
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
        self.pending.push_back(focus_event(0));
        self.pending.push_back(EosEvent::InfoCheckComplete);
    }

    /// Half press or DoAf: the body focuses on the centre point unless the lens is in manual
    /// focus (FocusMode 3), and reports where in FocusInfoEx.
    fn focus(&mut self, props: &Properties) {
        self.half_pressed = true;
        if u32_of(props, prop::FOCUS_MODE) != FOCUS_MODE_MANUAL {
            self.pending.push_back(focus_event(1 << 4));
        }
    }

    /// Half release or AfCancel: no point in focus any more.
    fn unfocus(&mut self) {
        if self.half_pressed {
            self.half_pressed = false;
            self.pending.push_back(focus_event(0));
        }
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
            _ => EosEvent::RequestObjectTransfer {
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

/// FocusMode value of manual focus (libgphoto2 `camera_trigger_canon_eos_capture` skips the
/// focus wait for it).
const FOCUS_MODE_MANUAL: u32 = 3;

fn focus_event(selected: u32) -> EosEvent {
    EosEvent::PropValueChanged {
        prop: u32::from(prop::FOCUS_INFO_EX.0),
        value: EosValue::FocusInfo(focus_info_1300d(selected)),
    }
}

/// The bytes `offset .. offset + len` (`None`: to the end) of a card or memory object, and the
/// number of bytes that will be sent.
fn object_range(
    cx: &mut Context<'_>,
    handle: ObjectHandle,
    offset: u64,
    len: Option<u64>,
) -> Result<Box<dyn DataSource>, ResponseCode> {
    if let Some((_, data)) = cx.memory_object(handle) {
        let size = data.len() as u64;
        if offset > size {
            return Err(ResponseCode::INVALID_PARAMETER);
        }
        let end = len.map_or(size, |l| offset.saturating_add(l).min(size));
        let (start, end) = (
            usize::try_from(offset).unwrap_or(usize::MAX),
            usize::try_from(end).unwrap_or(usize::MAX),
        );
        return Ok(Box::new(BytesSource::new(data.slice(start..end))));
    }
    let size = cx
        .store
        .object_size(handle)
        .map_err(|e| e.response_code())?;
    if offset > size {
        return Err(ResponseCode::INVALID_PARAMETER);
    }
    cx.store
        .open(handle, offset, len)
        .map_err(|e| e.response_code())
}

/// GetPartialObject answered the EOS way: the data, then OK with the number of bytes sent
/// (`ptp_canon_eos_getpartialobject`, ptp.c).
fn partial_reply(
    cx: &mut Context<'_>,
    handle: ObjectHandle,
    offset: u64,
    len: Option<u64>,
) -> Reply {
    match object_range(cx, handle, offset, len) {
        Ok(data) => {
            let sent = u32::try_from(data.len()).unwrap_or(u32::MAX);
            Reply::Data {
                data,
                response: Response::ok_with([sent]),
            }
        }
        Err(code) => Reply::Response(Response::code(code)),
    }
}

/// GetObjectInfoEx (0x9109) data: `u32 count`, then per object a 56-byte entry `u32 size,
/// u32 handle, u32 storage, u16 format, u16 0, u32 0, u32 flags (0x10 folder, 0x20 file,
/// 0x01 read-only), u32 size, u32 0, u32 parent, 16-byte file name, u32 time` (libgphoto2
/// `ptp.c`: `ptp_canon_eos_getobjectinfoex`; `ptp-pack.c`: `ptp_unpack_Canon_EOS_FE`).
fn object_info_ex(
    cx: &mut Context<'_>,
    storage: u32,
    parent: u32,
    max: u32,
) -> Result<Vec<u8>, ResponseCode> {
    let parent = match parent {
        0 | 0xFFFF_FFFF => ParentFilter::Root,
        h => ParentFilter::In(ObjectHandle(h)),
    };
    let handles = cx
        .store
        .object_handles(StorageId(storage), FormatFilter::Any, parent)
        .map_err(|e| e.response_code())?;
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    let mut out = Vec::with_capacity(4 + 56 * handles.len().min(max).min(4096));
    out.extend_from_slice(&[0; 4]);
    let mut count = 0u32;
    for handle in handles.into_iter().take(max) {
        let Ok(info) = cx.store.object_info(handle) else {
            continue;
        };
        let size = cx
            .store
            .object_size(handle)
            .map_or(0, |s| u32::try_from(s).unwrap_or(u32::MAX));
        let mut flags = if vcam_core::store::is_folder(&info) {
            0x10
        } else {
            0x20
        };
        if info.protection_status != ProtectionStatus::NO_PROTECTION {
            flags |= 0x01;
        }
        let time = info
            .modification_date
            .or(info.capture_date)
            .and_then(|d| d.to_unix_seconds())
            .map_or(0, |t| u32::try_from(t).unwrap_or(u32::MAX));
        let mut name = [0u8; 16];
        let bytes = info.filename.as_str().as_bytes();
        let n = bytes.len().min(15);
        name[..n].copy_from_slice(&bytes[..n]);
        for word in [56u32, handle.0, info.storage_id.0] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(&info.object_format.0.to_le_bytes());
        out.extend_from_slice(&[0; 2]);
        for word in [0, flags, size, 0, info.parent_object.0] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(&name);
        out.extend_from_slice(&time.to_le_bytes());
        count += 1;
    }
    out[..4].copy_from_slice(&count.to_le_bytes());
    Ok(out)
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
        // A bulb exposure outlives the session: scripts press and release from separate
        // gphoto2 runs (`--set-config eosremoterelease=...`).
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
            op::GET_OBJECT_INFO_EX => Some(
                match object_info_ex(cx, p0, request.param(1), request.param(2)) {
                    Ok(data) => Reply::data(data),
                    Err(code) => Reply::Response(Response::code(code)),
                },
            ),
            op::GET_OBJECT => Some(match object_range(cx, ObjectHandle(p0), 0, None) {
                Ok(data) => Reply::Data {
                    data,
                    response: Response::ok(),
                },
                Err(code) => Reply::Response(Response::code(code)),
            }),
            op::GET_PARTIAL_OBJECT => Some(partial_reply(
                cx,
                ObjectHandle(p0),
                u64::from(request.param(1)),
                Some(u64::from(request.param(2))),
            )),
            op::GET_PARTIAL_OBJECT_EX => {
                // handle, offset (low), size, offset (high).
                let offset = u64::from(request.param(1)) | (u64::from(request.param(3)) << 32);
                Some(partial_reply(
                    cx,
                    ObjectHandle(p0),
                    offset,
                    Some(u64::from(request.param(2))),
                ))
            }
            op::DELETE_OBJECT => {
                let handle = ObjectHandle(p0);
                if cx.release_memory_object(handle) {
                    return ok();
                }
                Some(match cx.store.delete(handle) {
                    Ok(()) => {
                        self.pending.push_back(EosEvent::ObjectRemoved(p0));
                        Reply::Response(Response::ok())
                    }
                    Err(e) => Reply::Response(Response::code(e.response_code())),
                })
            }
            op::CANCEL_TRANSFER
            | op::SET_OBJECT_ATTRIBUTES
            | op::SET_OBJECT_TIME
            | op::PC_HDD_CAPACITY
            | op::KEEP_DEVICE_ON
            | op::DRIVE_LENS
            | op::DEPTH_OF_FIELD_PREVIEW
            | op::SET_NULL_PACKET_MODE
            | op::END_GET_PARTIAL_OBJECT_EX
            | op::RESET_MIRROR_LOCKUP_STATE
            | op::POPUP_BUILTIN_FLASH
            | op::MOVIE_SELECT_SW_ON
            | op::MOVIE_SELECT_SW_OFF
            | op::SET_REQUEST_OLC_INFO_GROUP
            | op::CLICK_WB => ok(),
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
                if p0 & 1 != 0 && !self.half_pressed {
                    self.focus(cx.props);
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
                    self.unfocus();
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
                self.focus(cx.props);
                ok()
            }
            op::AF_CANCEL => {
                self.unfocus();
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

/// The ISO speed of an EOS ISO code: 0x48 is ISO 100, each 8 steps double it (libgphoto2
/// `config.c`: `canon_isospeed`).
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
