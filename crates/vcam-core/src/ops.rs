//! Handlers of the standard ISO 15740 operations (MTP operations are in [`crate::mtp`]).
//!
//! Each handler validates its parameters and answers with the response code a real camera
//! uses; none can panic on a peer's input.

use ptp_types::{
    DateTime, Decode, DeviceInfo, DevicePropCode, EventCode, GetSet, ObjectHandle, ObjectInfo,
    OperationCode, PropValue, ProtectionStatus, PtpString, ResponseCode, StorageId, StreamInfo,
    decode_value_exact,
};

use crate::camera::{CaptureTarget, Context};
use crate::events::NO_TRANSACTION;
use crate::props::Properties;
use crate::reply::{Reply, Request, Response};
use crate::responder::{Timer, millis};
use crate::store::{
    BytesSource, Destination, FormatFilter, ParentFilter, PendingObject, StoreError, Upload,
};

/// Largest dataset accepted in a data phase that is buffered (ObjectInfo, property values).
pub(crate) const MAX_DATASET_LEN: usize = 64 * 1024;

/// Stream number of the video stream (PTP 1.1 SupportedStreams bit 0).
const VIDEO_STREAM: u32 = 1;

/// How a request was handled.
pub(crate) enum Handled {
    /// By the core.
    Reply(Reply),
    /// By the vendor extension (its data phase goes back to it).
    Vendor(Reply),
    /// SendObject: stream the data phase into the store.
    Upload {
        upload: Box<dyn Upload>,
        pending: PendingObject,
    },
}

pub(crate) fn err(code: ResponseCode) -> Handled {
    Handled::Reply(Reply::from(code))
}

pub(crate) fn store_err(e: &StoreError) -> Handled {
    tracing::debug!(%e, "store refused");
    err(e.response_code())
}

/// The DeviceInfo dataset of the camera (ISO 15740:2013 §5.5.1), before vendor changes.
pub(crate) fn device_info(cx: &Context<'_>) -> DeviceInfo {
    cx.model.get_device_info(cx.props.listed().collect())
}

/// Handles a standard or MTP operation.
pub(crate) fn handle(cx: &mut Context<'_>, req: &Request) -> Handled {
    match req.code {
        OperationCode::GET_STORAGE_IDS => Handled::Reply(Reply::dataset(&cx.store.storage_ids())),
        OperationCode::GET_STORAGE_INFO => match cx.store.storage_info(StorageId(req.param(0))) {
            Ok(info) => Handled::Reply(Reply::dataset(&info)),
            Err(e) => store_err(&e),
        },
        OperationCode::GET_NUM_OBJECTS => match handles(cx, req) {
            Ok(list) => Handled::Reply(Reply::ok_with([
                u32::try_from(list.len()).unwrap_or(u32::MAX)
            ])),
            Err(code) => err(code),
        },
        OperationCode::GET_OBJECT_HANDLES => match handles(cx, req) {
            Ok(list) => Handled::Reply(Reply::dataset(&list)),
            Err(code) => err(code),
        },
        OperationCode::GET_OBJECT_INFO => match object_info(cx, ObjectHandle(req.param(0))) {
            Ok(info) => Handled::Reply(Reply::dataset(&info)),
            Err(code) => err(code),
        },
        OperationCode::GET_OBJECT => get_object(cx, ObjectHandle(req.param(0)), 0, None),
        OperationCode::GET_PARTIAL_OBJECT => get_object(
            cx,
            ObjectHandle(req.param(0)),
            req.param(1),
            Some(req.param(2)),
        ),
        OperationCode::GET_THUMB => get_thumb(cx, ObjectHandle(req.param(0))),
        OperationCode::DELETE_OBJECT => delete_object(cx, req),
        OperationCode::SEND_OBJECT_INFO => {
            if cx.store.is_read_only() {
                err(ResponseCode::STORE_READ_ONLY)
            } else {
                Handled::Reply(Reply::receive(MAX_DATASET_LEN))
            }
        }
        OperationCode::SEND_OBJECT => send_object(cx),
        OperationCode::INITIATE_CAPTURE => initiate_capture(cx, req),
        OperationCode::INITIATE_OPEN_CAPTURE => initiate_open_capture(cx, req),
        OperationCode::TERMINATE_OPEN_CAPTURE => terminate_open_capture(cx, req),
        OperationCode::FORMAT_STORE => {
            if cx.store.is_read_only() {
                return err(ResponseCode::STORE_READ_ONLY);
            }
            match cx.store.format(StorageId(req.param(0))) {
                Ok(()) => {
                    cx.queue_event(
                        EventCode::STORAGE_INFO_CHANGED,
                        NO_TRANSACTION,
                        [req.param(0)],
                    );
                    Handled::Reply(Reply::ok())
                }
                Err(e) => store_err(&e),
            }
        }
        OperationCode::SELF_TEST | OperationCode::POWER_DOWN => Handled::Reply(Reply::ok()),
        OperationCode::SET_OBJECT_PROTECTION => set_protection(cx, req),
        OperationCode::MOVE_OBJECT | OperationCode::COPY_OBJECT => move_or_copy(cx, req),
        OperationCode::GET_DEVICE_PROP_DESC => match listed(cx, req) {
            Ok(code) => {
                refresh_dynamic(cx, code);
                match cx.props.desc(code) {
                    Some(desc) => Handled::Reply(Reply::dataset(desc)),
                    None => err(ResponseCode::DEVICE_PROP_NOT_SUPPORTED),
                }
            }
            Err(code) => err(code),
        },
        OperationCode::GET_DEVICE_PROP_VALUE => match listed(cx, req) {
            Ok(code) => {
                refresh_dynamic(cx, code);
                match cx.props.value(code) {
                    Some(value) => Handled::Reply(Reply::dataset(value)),
                    None => err(ResponseCode::DEVICE_PROP_NOT_SUPPORTED),
                }
            }
            Err(code) => err(code),
        },
        OperationCode::SET_DEVICE_PROP_VALUE => match listed(cx, req) {
            Ok(code) => match cx.props.desc(code) {
                Some(desc) if desc.get_set == GetSet::GET_SET => {
                    Handled::Reply(Reply::ReceiveData {
                        limit: MAX_DATASET_LEN,
                        too_long: ResponseCode::INVALID_DEVICE_PROP_VALUE,
                    })
                }
                Some(_) => err(ResponseCode::ACCESS_DENIED),
                None => err(ResponseCode::DEVICE_PROP_NOT_SUPPORTED),
            },
            Err(code) => err(code),
        },
        OperationCode::RESET_DEVICE_PROP_VALUE => reset_prop(cx, req),
        OperationCode::GET_STREAM_INFO => get_stream_info(cx, req),
        OperationCode::GET_STREAM => get_stream(cx),
        code if crate::mtp::handles(code) => crate::mtp::handle(cx, req),
        _ => err(ResponseCode::OPERATION_NOT_SUPPORTED),
    }
}

/// Receives the data phase of a standard operation.
pub(crate) fn handle_data(cx: &mut Context<'_>, req: &Request, data: &[u8]) -> Response {
    match req.code {
        OperationCode::SEND_OBJECT_INFO => send_object_info(cx, req, data),
        OperationCode::SET_DEVICE_PROP_VALUE => {
            set_prop_value(cx, DevicePropCode(param_u16(req.param(0))), data)
        }
        code if crate::mtp::handles(code) => crate::mtp::handle_data(cx, req, data),
        _ => Response::code(ResponseCode::GENERAL_ERROR),
    }
}

/// Ends a SendObject data phase: commits the upload when every announced byte arrived.
pub(crate) fn finish_upload(
    cx: &mut Context<'_>,
    upload: Box<dyn Upload>,
    pending: &PendingObject,
    received: u64,
) -> Response {
    cx.state.pending_upload = None;
    let announced = pending.info.object_compressed_size;
    if announced != u32::MAX && u64::from(announced) != received {
        tracing::warn!(
            announced,
            received,
            "SendObject size does not match SendObjectInfo; discarding the upload"
        );
        return Response::code(ResponseCode::INCOMPLETE_TRANSFER);
    }
    match upload.commit() {
        Ok(handle) => {
            tracing::info!(?handle, name = %pending.info.filename, bytes = received, "object uploaded");
            Response::ok()
        }
        Err(e) => {
            tracing::warn!(%e, "committing the upload failed");
            Response::code(e.response_code())
        }
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
            take_picture(cx, tid);
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
        }
        Timer::OpenCapture { tid, interval_ms } => {
            if cx.state.open_capture == Some(tid) {
                take_picture(cx, tid);
                cx.schedule(millis(interval_ms), Timer::OpenCapture { tid, interval_ms });
            }
        }
    }
}

/// Text describing the standard exposure settings.
pub(crate) fn settings_lines(props: &Properties) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(f) = props.int(DevicePropCode::F_NUMBER) {
        parts.push(format!("f/{}", trim_float(f as f64 / 100.0)));
    }
    if let Some(t) = props.int(DevicePropCode::EXPOSURE_TIME) {
        parts.push(exposure_time(t));
    }
    if let Some(iso) = props.int(DevicePropCode::EXPOSURE_INDEX) {
        parts.push(if iso == 0xFFFF {
            "ISO auto".into()
        } else {
            format!("ISO {iso}")
        });
    }
    if let Some(ev) = props.int(DevicePropCode::EXPOSURE_BIAS_COMPENSATION) {
        parts.push(format!("{:+} EV", trim_float(ev as f64 / 1000.0)));
    }
    let mut lines = vec![parts.join("  ")];
    if let Some(wb) = props.int(DevicePropCode::WHITE_BALANCE) {
        lines.push(format!("WB {}", white_balance_name(wb)));
    }
    lines
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map_or(s.clone(), String::from)
}

/// ExposureTime is in units of 0.1 ms (ISO 15740:2013 §13.5.13).
fn exposure_time(t: i128) -> String {
    if t >= 10_000 {
        format!("{} s", trim_float(t as f64 / 10_000.0))
    } else if t > 0 {
        format!("1/{} s", (10_000.0 / t as f64).round())
    } else {
        "bulb".into()
    }
}

fn white_balance_name(wb: i128) -> &'static str {
    match wb {
        1 => "manual",
        2 => "auto",
        3 => "one-push",
        4 => "daylight",
        5 => "fluorescent",
        6 => "tungsten",
        7 => "flash",
        _ => "vendor",
    }
}

fn param_u16(p: u32) -> u16 {
    u16::try_from(p).unwrap_or(0)
}

fn listed(cx: &Context<'_>, req: &Request) -> Result<DevicePropCode, ResponseCode> {
    let code = u16::try_from(req.param(0))
        .map(DevicePropCode)
        .map_err(|_| ResponseCode::DEVICE_PROP_NOT_SUPPORTED)?;
    if cx.props.is_listed(code) {
        Ok(code)
    } else {
        Err(ResponseCode::DEVICE_PROP_NOT_SUPPORTED)
    }
}

/// Brings properties that follow something else (the clock) up to date.
fn refresh_dynamic(cx: &mut Context<'_>, code: DevicePropCode) {
    if code == DevicePropCode::DATE_TIME {
        let now = cx.clock().to_string();
        cx.props
            .refresh(code, PropValue::Str(PtpString::truncating(&now)));
    }
}

fn handles(cx: &mut Context<'_>, req: &Request) -> Result<Vec<ObjectHandle>, ResponseCode> {
    let storage = StorageId(req.param(0));
    if storage != StorageId::ALL && !cx.store.storage_ids().contains(&storage) {
        return Err(ResponseCode::INVALID_STORAGE_ID);
    }
    let format =
        FormatFilter::from_param(req.param(1)).ok_or(ResponseCode::INVALID_OBJECT_FORMAT_CODE)?;
    let parent = ParentFilter::from_param(req.param(2));
    cx.store
        .object_handles(storage, format, parent)
        .map_err(|e| e.response_code())
}

pub(crate) fn object_info(
    cx: &mut Context<'_>,
    handle: ObjectHandle,
) -> Result<ObjectInfo, ResponseCode> {
    if let Some((info, _)) = cx.memory_object(handle) {
        return Ok(info.clone());
    }
    cx.store.object_info(handle).map_err(|e| e.response_code())
}

fn get_object(
    cx: &mut Context<'_>,
    handle: ObjectHandle,
    offset: u32,
    max: Option<u32>,
) -> Handled {
    let (size, memory) = match cx.memory_object(handle) {
        Some((_, data)) => (data.len() as u64, Some(data.clone())),
        None => match cx.store.object_size(handle) {
            Ok(size) => (size, None),
            Err(e) => return store_err(&e),
        },
    };
    let offset = u64::from(offset);
    if max.is_some() && offset > size {
        return err(ResponseCode::INVALID_PARAMETER);
    }
    let len = max.map_or(size, |max| u64::from(max).min(size - offset));
    let data: Box<dyn crate::store::DataSource> = match memory {
        Some(bytes) => {
            let start = usize::try_from(offset)
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            let end = start
                .saturating_add(usize::try_from(len).unwrap_or(usize::MAX))
                .min(bytes.len());
            Box::new(BytesSource::new(bytes.slice(start..end)))
        }
        None => match cx.store.open(handle, offset, Some(len)) {
            Ok(source) => source,
            Err(e) => return store_err(&e),
        },
    };
    // GetPartialObject answers with the number of bytes sent (ISO 15740:2013 §10.5.28).
    let response = match max {
        Some(_) => Response::ok_with([u32::try_from(data.len()).unwrap_or(u32::MAX)]),
        None => Response::ok(),
    };
    Handled::Reply(Reply::Data { data, response })
}

fn get_thumb(cx: &mut Context<'_>, handle: ObjectHandle) -> Handled {
    let thumb = match cx.memory_object(handle) {
        Some((_, data)) => crate::store::media::exif_thumbnail(data).map(|t| data.slice_ref(t)),
        None => match cx.store.thumbnail(handle) {
            Ok(t) => Some(t),
            Err(e) => return store_err(&e),
        },
    };
    match thumb {
        Some(t) => Handled::Reply(Reply::data(t)),
        None => err(ResponseCode::NO_THUMBNAIL_PRESENT),
    }
}

fn delete_object(cx: &mut Context<'_>, req: &Request) -> Handled {
    let handle = ObjectHandle(req.param(0));
    let Some(format) = FormatFilter::from_param(req.param(1)) else {
        return err(ResponseCode::INVALID_OBJECT_FORMAT_CODE);
    };
    if cx.release_memory_object(handle) {
        return Handled::Reply(Reply::ok());
    }
    if cx.store.is_read_only() {
        return err(ResponseCode::STORE_READ_ONLY);
    }
    if handle != ObjectHandle::ALL {
        if format != FormatFilter::Any {
            return err(ResponseCode::SPECIFICATION_BY_FORMAT_UNSUPPORTED);
        }
        return match cx.store.delete(handle) {
            Ok(()) => Handled::Reply(Reply::ok()),
            Err(e) => store_err(&e),
        };
    }
    let all = match cx
        .store
        .object_handles(StorageId::ALL, format, ParentFilter::Any)
    {
        Ok(list) => list,
        Err(e) => return store_err(&e),
    };
    let mut failed = 0usize;
    for h in all {
        match cx.store.delete(h) {
            // Children of a folder deleted earlier in the loop are gone already.
            Ok(()) | Err(StoreError::InvalidObjectHandle(_)) => {}
            Err(e) => {
                tracing::debug!(?h, %e, "not deleted");
                failed += 1;
            }
        }
    }
    if failed == 0 {
        Handled::Reply(Reply::ok())
    } else {
        err(ResponseCode::PARTIAL_DELETION)
    }
}

pub(crate) fn destination(
    cx: &mut Context<'_>,
    storage: u32,
    parent: u32,
) -> Result<Destination, ResponseCode> {
    let ids = cx.store.storage_ids();
    let storage = match storage {
        0 => ids
            .first()
            .copied()
            .ok_or(ResponseCode::STORE_NOT_AVAILABLE)?,
        s if ids.contains(&StorageId(s)) => StorageId(s),
        _ => return Err(ResponseCode::INVALID_STORAGE_ID),
    };
    let parent = match parent {
        0 | 0xFFFF_FFFF => None,
        p => Some(ObjectHandle(p)),
    };
    Ok(Destination { storage, parent })
}

fn send_object_info(cx: &mut Context<'_>, req: &Request, data: &[u8]) -> Response {
    let info = match ObjectInfo::decode_exact(data) {
        Ok(info) => info,
        Err(e) => {
            tracing::warn!(%e, "SendObjectInfo: malformed ObjectInfo");
            return Response::code(ResponseCode::INVALID_DATA_SET);
        }
    };
    let dest = match destination(cx, req.param(0), req.param(1)) {
        Ok(d) => d,
        Err(code) => return Response::code(code),
    };
    match cx.store.prepare(dest, info) {
        Ok(pending) => {
            let parent = pending.destination.parent.map_or(0xFFFF_FFFF, |h| h.0);
            let params = [pending.destination.storage.0, parent, pending.handle.0];
            let folder = crate::store::is_folder(&pending.info);
            cx.state.pending_upload = if folder { None } else { Some(pending) };
            Response::ok_with(params)
        }
        Err(e) => {
            tracing::debug!(%e, "SendObjectInfo refused");
            Response::code(e.response_code())
        }
    }
}

fn send_object(cx: &mut Context<'_>) -> Handled {
    if cx.store.is_read_only() {
        return err(ResponseCode::STORE_READ_ONLY);
    }
    let Some(pending) = cx.state.pending_upload.clone() else {
        return err(ResponseCode::NO_VALID_OBJECT_INFO);
    };
    match cx.store.begin_upload(&pending) {
        Ok(upload) => Handled::Upload { upload, pending },
        Err(e) => store_err(&e),
    }
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
        run_timer(cx, first);
    } else {
        cx.schedule(millis(delay), first);
    }
    Handled::Reply(Reply::ok())
}

fn take_picture(cx: &mut Context<'_>, tid: u32) {
    match cx.capture(CaptureTarget::Card) {
        Ok(captured) => {
            tracing::info!(handle = ?captured.handle, name = %captured.info.filename, "captured");
            cx.queue_event(EventCode::OBJECT_ADDED, tid, [captured.handle.0]);
        }
        Err(code) => {
            tracing::warn!(?code, "capture failed");
            if code == ResponseCode::STORE_FULL {
                let storage = cx.store.storage_ids().first().map_or(0, |s| s.0);
                cx.queue_event(EventCode::STORE_FULL, tid, [storage]);
            }
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

fn set_protection(cx: &mut Context<'_>, req: &Request) -> Handled {
    let status = ProtectionStatus(param_u16(req.param(1)));
    if req.param(1) > 0xFFFF || ProtectionStatus::KNOWN.iter().all(|s| s.0 != status.0) {
        return err(ResponseCode::INVALID_PARAMETER);
    }
    if cx.store.is_read_only() {
        return err(ResponseCode::STORE_READ_ONLY);
    }
    match cx.store.set_protection(ObjectHandle(req.param(0)), status) {
        Ok(()) => Handled::Reply(Reply::ok()),
        Err(e) => store_err(&e),
    }
}

fn move_or_copy(cx: &mut Context<'_>, req: &Request) -> Handled {
    if cx.store.is_read_only() {
        return err(ResponseCode::STORE_READ_ONLY);
    }
    let handle = ObjectHandle(req.param(0));
    let dest = match destination(cx, req.param(1), req.param(2)) {
        Ok(d) => d,
        Err(code) => return err(code),
    };
    let result = if req.code == OperationCode::MOVE_OBJECT {
        cx.store.move_object(handle, dest).map(|()| Reply::ok())
    } else {
        cx.store
            .copy_object(handle, dest)
            .map(|new| Reply::ok_with([new.0]))
    };
    match result {
        Ok(reply) => Handled::Reply(reply),
        Err(e) => store_err(&e),
    }
}

fn set_prop_value(cx: &mut Context<'_>, code: DevicePropCode, data: &[u8]) -> Response {
    let Some(data_type) = cx.props.desc(code).map(|d| d.data_type) else {
        return Response::code(ResponseCode::DEVICE_PROP_NOT_SUPPORTED);
    };
    let value = match decode_value_exact(data, data_type) {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(?code, %e, "SetDevicePropValue: malformed value");
            return Response::code(ResponseCode::INVALID_DEVICE_PROP_FORMAT);
        }
    };
    if code == DevicePropCode::DATE_TIME {
        let parsed = value.as_str().map(str::parse::<DateTime>);
        let Some(Ok(time)) = parsed else {
            return Response::code(ResponseCode::INVALID_DEVICE_PROP_VALUE);
        };
        cx.set_clock(&time);
    }
    match cx.props.set(code, value) {
        Ok(changed) => {
            tracing::info!(?code, changed, "device property set");
            Response::ok()
        }
        Err(e) => {
            tracing::info!(%e, "SetDevicePropValue refused");
            Response::code(e.response_code())
        }
    }
}

fn reset_prop(cx: &mut Context<'_>, req: &Request) -> Handled {
    if req.param(0) == 0xFFFF_FFFF {
        let codes: Vec<_> = cx.props.listed().collect();
        for code in codes {
            // Read-only properties stay as they are.
            let _ = cx.props.reset(code);
        }
        return Handled::Reply(Reply::ok());
    }
    match listed(cx, req) {
        Ok(code) => match cx.props.reset(code) {
            Ok(_) => Handled::Reply(Reply::ok()),
            Err(e) => err(e.response_code()),
        },
        Err(code) => err(code),
    }
}

fn stream_enabled(cx: &Context<'_>) -> bool {
    cx.props
        .int(DevicePropCode::ENABLED_STREAMS)
        .is_some_and(|v| v & 1 == 1)
}

/// GetStreamInfo (PTP 1.1, ISO 15740:2013 §10.5.40): the video stream is Motion JPEG with no
/// frame or packet headers, so GetStream returns one JPEG frame.
fn get_stream_info(cx: &mut Context<'_>, req: &Request) -> Handled {
    // libgphoto2's --summary asks with the bit index (0) rather than the StreamType bit (1)
    // (camlibs/ptp2/library.c, the "Streams" section of camera_summary); both mean video.
    if req.param(0) != VIDEO_STREAM && req.param(0) != 0 {
        return err(ResponseCode::INVALID_PARAMETER);
    }
    let (w, h) = cx.frames.size();
    let frame_max =
        u32::try_from((u64::from(w) * u64::from(h) * 3).max(64 * 1024)).unwrap_or(u32::MAX);
    let info = StreamInfo {
        dataset_size: 36,
        time_resolution: 1_000_000,
        frame_header_size: 0,
        frame_max_size: frame_max,
        packet_header_size: 0,
        packet_max_size: frame_max,
        packet_alignment: 0,
    };
    Handled::Reply(Reply::dataset(&info))
}

fn get_stream(cx: &mut Context<'_>) -> Handled {
    if !stream_enabled(cx) {
        return err(ResponseCode::NO_STREAM_ENABLED);
    }
    match cx.liveview_frame() {
        Ok(frame) => Handled::Reply(Reply::data(frame.jpeg)),
        Err(code) => err(code),
    }
}
