//! The capture group: InitiateCapture, InitiateOpenCapture and TerminateOpenCapture (ISO
//! 15740:2013 §10.5), and the timers that take the later pictures of a burst, a timelapse or
//! an open-ended capture.

use ptp_types::{DevicePropCode, EventCode, OperationCode, ResponseCode, StorageId};

use super::common::{Handled, err};
use crate::context::{CaptureTarget, Context};
use crate::reply::{Reply, Request};
use crate::timers::{Timer, millis};

/// Handles an operation of the capture group.
pub(super) fn handle(cx: &mut Context<'_>, req: &Request) -> Handled {
    match req.code {
        OperationCode::INITIATE_CAPTURE => initiate_capture(cx, req),
        OperationCode::INITIATE_OPEN_CAPTURE => initiate_open_capture(cx, req),
        OperationCode::TERMINATE_OPEN_CAPTURE => terminate_open_capture(cx, req),
        _ => err(ResponseCode::OPERATION_NOT_SUPPORTED),
    }
}

/// Runs a standard timer.
pub(crate) fn run_timer(cx: &mut Context<'_>, timer: Timer) {
    match timer {
        Timer::Capture {
            tid,
            index,
            count,
            interval_ms,
        } => {
            let _ = capture_step(cx, tid, index, count, interval_ms);
        }
        Timer::OpenCapture { tid, interval_ms } => {
            if cx.state.open_capture == Some(tid) {
                let _ = take_picture(cx, tid);
                cx.schedule(millis(interval_ms), Timer::OpenCapture { tid, interval_ms });
            }
        }
    }
}

/// Takes picture `index` of `count` and schedules the next one, or reports the capture
/// complete; a picture that cannot be taken ends the capture without CaptureComplete.
fn capture_step(
    cx: &mut Context<'_>,
    tid: u32,
    index: u32,
    count: u32,
    interval_ms: u32,
) -> Result<(), ResponseCode> {
    take_picture(cx, tid)?;
    if index + 1 >= count {
        cx.queue_event(EventCode::CAPTURE_COMPLETE, tid, [tid]);
    } else {
        cx.schedule(
            millis(interval_ms),
            Timer::Capture {
                tid,
                index: index + 1,
                count,
                interval_ms,
            },
        );
    }
    Ok(())
}

fn check_capture_params(cx: &Context<'_>, req: &Request) -> Result<(), ResponseCode> {
    let storage = req.param(0);
    if storage != 0 && !cx.store.storage_ids().contains(&StorageId(storage)) {
        return Err(ResponseCode::INVALID_STORAGE_ID);
    }
    let format = req.param(1);
    if format != 0
        && !cx
            .model
            .device_info
            .capture_formats
            .iter()
            .any(|f| u32::from(f.0) == format)
    {
        return Err(ResponseCode::INVALID_OBJECT_FORMAT_CODE);
    }
    if cx.store.is_read_only() {
        return Err(ResponseCode::STORE_READ_ONLY);
    }
    Ok(())
}

fn prop_u32(cx: &Context<'_>, code: DevicePropCode, default: u32) -> u32 {
    cx.props
        .int(code)
        .and_then(|v| u32::try_from(v).ok())
        .unwrap_or(default)
}

/// InitiateCapture (ISO 15740:2013 §10.5.14): OK at once, then ObjectAdded for each picture
/// and CaptureComplete, honouring CaptureDelay and StillCaptureMode (normal, burst, timelapse).
fn initiate_capture(cx: &mut Context<'_>, req: &Request) -> Handled {
    if let Err(code) = check_capture_params(cx, req) {
        return err(code);
    }
    let (count, interval_ms) = match cx.props.int(DevicePropCode::STILL_CAPTURE_MODE) {
        Some(2) => (
            prop_u32(cx, DevicePropCode::BURST_NUMBER, 3).clamp(1, 100),
            prop_u32(cx, DevicePropCode::BURST_INTERVAL, 100),
        ),
        Some(3) => (
            prop_u32(cx, DevicePropCode::TIMELAPSE_NUMBER, 3).clamp(1, 100),
            prop_u32(cx, DevicePropCode::TIMELAPSE_INTERVAL, 1000),
        ),
        _ => (1, 0),
    };
    let tid = req.transaction_id;
    let delay = prop_u32(cx, DevicePropCode::CAPTURE_DELAY, 0);
    let first = Timer::Capture {
        tid,
        index: 0,
        count,
        interval_ms,
    };
    if delay == 0 {
        // The first picture is taken at once: when it cannot be, InitiateCapture says why
        // (StoreFull, a capture that fails), as a body that refuses to release does.
        if let Err(code) = capture_step(cx, tid, 0, count, interval_ms) {
            return err(code);
        }
    } else {
        cx.schedule(millis(delay), first);
    }
    Handled::Reply(Reply::ok())
}

fn take_picture(cx: &mut Context<'_>, tid: u32) -> Result<(), ResponseCode> {
    match cx.capture(CaptureTarget::Card) {
        Ok(captured) => {
            tracing::info!(handle = ?captured.handle, name = %captured.info.filename, "captured");
            cx.queue_event(EventCode::OBJECT_ADDED, tid, [captured.handle.0]);
            Ok(())
        }
        Err(code) => {
            tracing::warn!(?code, "capture failed");
            if code == ResponseCode::STORE_FULL {
                let storage = cx.store.storage_ids().first().map_or(0, |s| s.0);
                cx.queue_event(EventCode::STORE_FULL, tid, [storage]);
            }
            Err(code)
        }
    }
}

/// InitiateOpenCapture (ISO 15740:2013 §10.5.29): pictures every TimelapseInterval until
/// TerminateOpenCapture.
fn initiate_open_capture(cx: &mut Context<'_>, req: &Request) -> Handled {
    if let Err(code) = check_capture_params(cx, req) {
        return err(code);
    }
    if cx.state.open_capture.is_some() {
        return err(ResponseCode::DEVICE_BUSY);
    }
    let tid = req.transaction_id;
    cx.state.open_capture = Some(tid);
    let interval_ms = prop_u32(cx, DevicePropCode::TIMELAPSE_INTERVAL, 1000).max(100);
    run_timer(cx, Timer::OpenCapture { tid, interval_ms });
    Handled::Reply(Reply::ok())
}

fn terminate_open_capture(cx: &mut Context<'_>, req: &Request) -> Handled {
    match cx.state.open_capture {
        Some(tid) if req.param(0) == tid => {
            cx.state.open_capture = None;
            cx.queue_event(EventCode::CAPTURE_COMPLETE, tid, [tid]);
            Handled::Reply(Reply::ok())
        }
        Some(_) => err(ResponseCode::INVALID_TRANSACTION_ID),
        None => err(ResponseCode::CAPTURE_ALREADY_TERMINATED),
    }
}
