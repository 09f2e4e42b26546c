//! Remote capture: InitiateCapture does what CameraAction (0xD208) says (focus, shoot, bulb),
//! the capture preview of the WiFi protocol, movies and the exposure step operations.
//!
//! libgphoto2 (`library.c`: `camera_fuji_capture`) sets CameraAction 0x0200 and calls
//! InitiateCapture to focus, polls AFStatus (0xD209) while it is 1, sets 0x0304 and calls
//! InitiateCapture again to shoot, then polls the event list and the event queue for
//! ObjectAdded. Over WiFi a real body answers the shot with ObjectAdded (0xC004) and
//! PreviewAvailable (0xC001) on the event port, serves the preview through GetCapturePreview
//! (0x9022) and only then sends CaptureComplete (malc0mn ptp-ip `ip/packets_fuji.go` and
//! `ip/mockresponder_fuji_test.go`, an X-T1; docs/reference/vendors-wifi-sony-fuji.md §2.7).

use vcam_core::events::EventRecord;
use vcam_core::ptp_types::{
    DevicePropCode, EventCode, PropForm, PropValue, ResponseCode, ptp_codec::Params,
};
use vcam_core::reply::Response;
use vcam_core::{CaptureTarget, Context, Reply, Request};

use super::{FujiX, PendingPreview, result};
use crate::codes::{action, af_status, ec, prop};

/// The TransactionID field of the X-T1's ObjectAdded and PreviewAvailable events on the event
/// port (`04 00 04 c0 | 01 00 00 00 | ...`; malc0mn reads it as an "amount" of 1).
pub(super) const WIFI_EVENT_TID: u32 = 1;

impl FujiX {
    /// InitiateCapture: what CameraAction says.
    pub(super) fn initiate_capture(&mut self, cx: &mut Context<'_>, request: &Request) -> Reply {
        let action = cx
            .props
            .int(prop::CAMERA_ACTION)
            .and_then(|v| u16::try_from(v).ok())
            .unwrap_or(action::SHOOT);
        match action {
            action::FOCUS => result(set_af(cx, af_status::OK)),
            action::CANCEL_FOCUS => result(set_af(cx, af_status::BUSY)),
            action::START_BULB => {
                self.bulb_open = true;
                Reply::ok()
            }
            action::END_BULB if !self.bulb_open => Reply::ok(),
            _ => {
                self.bulb_open = false;
                self.shoot(cx, request.transaction_id)
            }
        }
    }

    /// Takes a picture onto the card and reports it.
    pub(super) fn shoot(&mut self, cx: &mut Context<'_>, tid: u32) -> Reply {
        let captured = match cx.capture(CaptureTarget::Card) {
            Ok(captured) => captured,
            Err(code) => {
                tracing::warn!(?code, "capture failed");
                return Reply::from(code);
            }
        };
        let handle = captured.handle.0;
        tracing::info!(handle, name = %captured.info.filename, "captured");
        count(cx, prop::SHOT_COUNT, 1);
        // Back to idle; the next focus sets it again.
        let _ = set_af(cx, af_status::BUSY);
        if !self.face.is_wifi() {
            cx.queue_event(EventCode::OBJECT_ADDED, tid, [handle]);
            cx.queue_event(EventCode::CAPTURE_COMPLETE, tid, []);
            return Reply::ok();
        }
        count(cx, prop::CAPTURE_REMAINING, -1);
        self.refresh_counts(cx);
        for code in [prop::OBJECT_COUNT, prop::OBJECT_COUNT2] {
            self.report_current(cx, code);
        }
        let jpeg = cx.thumbnail(captured.handle).unwrap_or_default();
        let size = u32::try_from(jpeg.len()).unwrap_or(u32::MAX);
        for (code, params) in [
            (ec::OBJECT_ADDED, [handle, tid, 0, 0]),
            (ec::PREVIEW_AVAILABLE, [handle, tid, size, 0]),
        ] {
            cx.events.push(EventRecord {
                code,
                transaction_id: WIFI_EVENT_TID,
                params: Params::from(params),
            });
        }
        self.preview = Some(PendingPreview { tid, jpeg });
        Reply::ok()
    }

    /// GetCapturePreview (0x9022): the preview of the last capture, then CaptureComplete.
    pub(super) fn capture_preview(&mut self, cx: &mut Context<'_>) -> Reply {
        match self.preview.take() {
            Some(PendingPreview { tid, jpeg }) => {
                cx.queue_event(EventCode::CAPTURE_COMPLETE, tid, []);
                Reply::data(jpeg)
            }
            None => Reply::from(ResponseCode::ACCESS_DENIED),
        }
    }

    /// InitiateMovieCapture (0x9020).
    pub(super) fn start_movie(&mut self, request: &Request) -> Reply {
        if self.movie.is_some() {
            return Reply::from(ResponseCode::DEVICE_BUSY);
        }
        self.movie = Some(request.transaction_id);
        Reply::ok()
    }

    /// TerminateMovieCapture (0x9021), after its data phase (the 0x9020's TransactionID).
    /// vcam records no movie file.
    pub(super) fn stop_movie(&mut self, cx: &mut Context<'_>) -> Response {
        match self.movie.take() {
            Some(tid) => {
                cx.queue_event(EventCode::CAPTURE_COMPLETE, tid, []);
                Response::ok()
            }
            None => Response::code(ResponseCode::CAPTURE_ALREADY_TERMINATED),
        }
    }

    /// The exposure step operations (0x902C to 0x902E): parameter 1 moves the property one
    /// value up its list (shutter: one faster), 0 one down; at either end it stays.
    pub(super) fn step(&mut self, cx: &mut Context<'_>, code: DevicePropCode, up: u32) -> Reply {
        let Some(desc) = cx.props.desc(code) else {
            return Reply::from(ResponseCode::OPERATION_NOT_SUPPORTED);
        };
        let PropForm::Enumeration(values) = &desc.form else {
            return Reply::from(ResponseCode::OPERATION_NOT_SUPPORTED);
        };
        let Some(at) = values.iter().position(|v| *v == desc.current) else {
            return Reply::from(ResponseCode::DEVICE_BUSY);
        };
        // A shorter exposure time is "faster": the list runs from short to long.
        let forward = (up != 0) != (code == DevicePropCode::EXPOSURE_TIME);
        let next = if forward {
            at.saturating_add(1).min(values.len().saturating_sub(1))
        } else {
            at.saturating_sub(1)
        };
        let Some(value) = values.get(next).cloned() else {
            return Reply::ok();
        };
        match cx.props.set(code, value) {
            Ok(_) => Reply::ok(),
            Err(e) => Reply::from(e.response_code()),
        }
    }
}

/// Sets AFStatus (0xD209) as the body does.
fn set_af(cx: &mut Context<'_>, status: u16) -> Result<(), ResponseCode> {
    cx.props
        .set_by_device(prop::AF_STATUS, PropValue::UInt16(status))
        .map(|_| ())
        .map_err(|e| e.response_code())
}

/// Moves a counter property (`u32`) by `delta`, as the body does.
fn count(cx: &mut Context<'_>, code: DevicePropCode, delta: i64) {
    let Some(now) = cx.props.int(code) else {
        return;
    };
    let next = i128::from(delta).saturating_add(now);
    if let Ok(next) = u32::try_from(next)
        && let Err(e) = cx.props.set_by_device(code, PropValue::UInt32(next))
    {
        tracing::debug!(%e, "counter not moved");
    }
}
