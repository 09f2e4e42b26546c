//! The Fujifilm vendor extension: what a Fujifilm body answers beyond ISO 15740, on each
//! [`Face`], driven by one body's table ([`FujiBody`]).
//!
//! Behaviour follows what the clients expect: libgphoto2 over USB and over "Fuji X (WLAN)"
//! (`camlibs/ptp2/library.c`: `camera_fuji_capture`, `camera_capture_preview`, the Fuji WLAN
//! part of `camera_init`; `config.c`: `camera_prepare_capture`; `ptp.c`: `ptp_fuji_getevents`)
//! and the official apps, whose session fudge mirrors (`lib/fuji.c`: `fuji_setup`;
//! docs/reference/vendors-wifi-sony-fuji.md §3.1). This file routes each operation; the work
//! is in `props` (properties, the event list, the property catalogue), `capture` (InitiateCapture
//! by CameraAction, the capture preview, movies, exposure steps) and `liveview` (open capture and
//! the live view object).

mod actions;
mod capture;
mod card;
mod liveview;
mod props;

use bytes::Bytes;
use vcam_core::ptp_types::{
    DeviceInfo, DevicePropCode, ObjectHandle, OperationCode, OperationSpec, ResponseCode,
};
use vcam_core::reply::Response;
use vcam_core::{
    ActionError, ActionOutcome, BodyAction, Context, PropChange, Properties, Reply, Request,
    VendorExtension,
};

use crate::body::{Face, FujiBody};
use crate::codes::{APP_INFO_OBJECT, LIVEVIEW_OBJECT, op, prop};
use crate::records::PropEvent;

/// Largest SetDevicePropValue (and focus point, movie stop) data phase accepted.
const MAX_PROP_DATA: usize = 4096;

/// A capture whose preview waits for GetCapturePreview (0x9022) on WiFi.
#[derive(Debug, Clone)]
struct PendingPreview {
    /// The InitiateCapture's TransactionID.
    tid: u32,
    /// The preview JPEG.
    jpeg: Bytes,
}

/// The Fujifilm extension state of one body on one [`Face`]: the event list of property
/// 0xD212, live view, a capture waiting for its preview, bulb and movie state.
#[derive(Debug)]
pub struct FujiX {
    body: &'static FujiBody,
    face: Face,
    /// The properties this face answers, in catalogue order.
    answered: Vec<DevicePropCode>,
    /// Changes not yet read through 0xD212, oldest first, one entry per property.
    pending: Vec<PropEvent>,
    /// The TransactionID of the InitiateOpenCapture that started live view.
    liveview: Option<u32>,
    preview: Option<PendingPreview>,
    bulb_open: bool,
    movie: Option<u32>,
}

impl FujiX {
    /// A `body` just switched on, seen on `face`.
    #[must_use]
    pub fn new(body: &'static FujiBody, face: Face) -> Self {
        let answered = (body.props)()
            .into_iter()
            .filter(|p| p.faces.includes(face))
            .map(|p| p.desc.code)
            .collect();
        Self {
            body,
            face,
            answered,
            pending: Vec::new(),
            liveview: None,
            preview: None,
            bulb_open: false,
            movie: None,
        }
    }

    /// The body this extension plays.
    #[must_use]
    pub const fn body(&self) -> &'static FujiBody {
        self.body
    }

    /// The face it shows.
    #[must_use]
    pub const fn face(&self) -> Face {
        self.face
    }

    /// Whether this face answers property `code`.
    fn answers(&self, code: DevicePropCode) -> bool {
        self.answered.contains(&code)
    }
}

impl VendorExtension for FujiX {
    fn operations(&self) -> &[OperationSpec] {
        op::OPERATIONS
    }

    fn device_info(&self, info: &mut DeviceInfo) {
        info.device_properties_supported = self.body.device_props.to_vec();
    }

    fn session_opened(&mut self, cx: &mut Context<'_>) {
        self.pending.clear();
        self.preview = None;
        self.bulb_open = false;
        self.movie = None;
        self.stop_liveview(cx);
        if self.face.is_wifi() {
            self.announce_access(cx);
        }
    }

    fn session_closed(&mut self, cx: &mut Context<'_>) {
        self.stop_liveview(cx);
        self.preview = None;
        self.movie = None;
    }

    fn handle(&mut self, cx: &mut Context<'_>, request: &Request) -> Option<Reply> {
        let p = |i| request.param(i);
        let prop_code = || u16::try_from(p(0)).map(DevicePropCode).ok();
        Some(match request.code {
            OperationCode::GET_DEVICE_PROP_DESC => match prop_code() {
                Some(code) => self.prop_desc(cx, code)?,
                None => Reply::from(ResponseCode::DEVICE_PROP_NOT_SUPPORTED),
            },
            OperationCode::GET_DEVICE_PROP_VALUE => match prop_code() {
                Some(code) => self.prop_value(cx, code)?,
                None => Reply::from(ResponseCode::DEVICE_PROP_NOT_SUPPORTED),
            },
            OperationCode::SET_DEVICE_PROP_VALUE => match prop_code() {
                Some(code) => self.set_prop(cx, code),
                None => Reply::from(ResponseCode::DEVICE_PROP_NOT_SUPPORTED),
            },
            OperationCode::RESET_DEVICE_PROP_VALUE => self.reset_prop(cx, p(0)),
            OperationCode::INITIATE_CAPTURE => self.initiate_capture(cx, request),
            OperationCode::INITIATE_OPEN_CAPTURE => self.start_liveview(cx, request),
            OperationCode::TERMINATE_OPEN_CAPTURE => self.terminate_open_capture(cx),
            OperationCode::GET_OBJECT_INFO | OperationCode::GET_OBJECT
                if p(0) == LIVEVIEW_OBJECT =>
            {
                self.liveview_object(cx, request.code == OperationCode::GET_OBJECT_INFO);
                return None;
            }
            OperationCode::GET_OBJECT_INFO if p(0) == APP_INFO_OBJECT => {
                Reply::from(ResponseCode::INVALID_OBJECT_HANDLE)
            }
            op::GET_DEVICE_INFO => self.catalogue(cx),
            op::GET_CAPTURE_PREVIEW => self.capture_preview(cx),
            op::INITIATE_MOVIE_CAPTURE => self.start_movie(request),
            op::TERMINATE_MOVIE_CAPTURE | op::SET_FOCUS_POINT => Reply::ReceiveData {
                limit: MAX_PROP_DATA,
                too_long: ResponseCode::INVALID_PARAMETER,
            },
            op::RESET_FOCUS_POINT => Reply::ok(),
            op::SET_SHUTTER_SPEED => self.step(cx, DevicePropCode::EXPOSURE_TIME, p(0)),
            op::SET_APERTURE => self.step(cx, DevicePropCode::F_NUMBER, p(0)),
            op::SET_EXPOSURE_COMPENSATION => {
                self.step(cx, DevicePropCode::EXPOSURE_BIAS_COMPENSATION, p(0))
            }
            _ => return None,
        })
    }

    fn handle_data(&mut self, cx: &mut Context<'_>, request: &Request, data: &[u8]) -> Response {
        match request.code {
            OperationCode::SET_DEVICE_PROP_VALUE => {
                match u16::try_from(request.param(0)).map(DevicePropCode) {
                    Ok(code) => self.set_prop_data(cx, code, data),
                    Err(_) => Response::code(ResponseCode::DEVICE_PROP_NOT_SUPPORTED),
                }
            }
            op::TERMINATE_MOVIE_CAPTURE => self.stop_movie(cx),
            op::SET_FOCUS_POINT => Response::ok(),
            _ => Response::code(ResponseCode::GENERAL_ERROR),
        }
    }

    fn properties_changed(&mut self, cx: &mut Context<'_>, changes: &[PropChange]) {
        self.record_changes(cx, changes);
    }

    fn card_changed(&mut self, cx: &mut Context<'_>, changes: &[vcam_core::Noticed]) {
        self.report_card_changes(cx, changes);
    }

    fn settings_lines(&self, props: &Properties) -> Option<Vec<String>> {
        Some(props::settings_lines(props))
    }

    fn body_action(
        &mut self,
        cx: &mut Context<'_>,
        action: &BodyAction,
    ) -> Result<ActionOutcome, ActionError> {
        self.on_body(cx, action)
    }
}

/// OK, or the error.
fn result(outcome: Result<(), ResponseCode>) -> Reply {
    outcome.map_or_else(Reply::from, |()| Reply::ok())
}

/// The object of `handle` as the core serves it.
const fn object(handle: u32) -> ObjectHandle {
    ObjectHandle(handle)
}

/// Whether `code` is the event-list property.
fn is_event_list(code: DevicePropCode) -> bool {
    code == prop::EVENTS_LIST
}
