//! The device property group: GetDevicePropDesc, GetDevicePropValue, SetDevicePropValue and
//! ResetDevicePropValue (ISO 15740:2013 §10.5, datasets in §5.5.3).

use ptp_types::{
    DateTime, DevicePropCode, GetSet, OperationCode, PropValue, PtpString, ResponseCode,
    decode_value_exact,
};

use super::common::{Handled, MAX_DATASET_LEN, err, param_u16};
use crate::context::Context;
use crate::reply::{Reply, Request, Response};

/// Handles an operation of the device property group.
pub(super) fn handle(cx: &mut Context<'_>, req: &Request) -> Handled {
    match req.code {
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
        _ => err(ResponseCode::OPERATION_NOT_SUPPORTED),
    }
}

/// Receives the data phase of SetDevicePropValue.
pub(super) fn handle_data(cx: &mut Context<'_>, req: &Request, data: &[u8]) -> Response {
    match req.code {
        OperationCode::SET_DEVICE_PROP_VALUE => {
            set_prop_value(cx, DevicePropCode(param_u16(req.param(0))), data)
        }
        _ => Response::code(ResponseCode::GENERAL_ERROR),
    }
}

/// The property named by parameter 1, if DeviceInfo lists it.
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
    if let Err(e) = cx.props.check(code, &value) {
        tracing::info!(%e, "SetDevicePropValue refused");
        return Response::code(e.response_code());
    }
    if let Err(code) = follow(cx, code, &value) {
        return Response::code(code);
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

/// Applies a value to what the property stands for, before the value is stored: DateTime is
/// the camera clock, which then runs on from it. SetDevicePropValue and ResetDevicePropValue
/// both come through here, so a reset returns the clock to the factory default as it returns
/// every other property to its own.
fn follow(
    cx: &mut Context<'_>,
    code: DevicePropCode,
    value: &PropValue,
) -> Result<(), ResponseCode> {
    if code == DevicePropCode::DATE_TIME {
        let parsed = value.as_str().map(str::parse::<DateTime>);
        let Some(Ok(time)) = parsed else {
            return Err(ResponseCode::INVALID_DEVICE_PROP_VALUE);
        };
        cx.set_clock(&time);
    }
    Ok(())
}

/// ResetDevicePropValue (ISO 15740:2013 §10.5.23): one property, or with 0xFFFFFFFF every
/// settable one, back to its factory default, with what the value stands for.
fn reset_prop(cx: &mut Context<'_>, req: &Request) -> Handled {
    if req.param(0) == 0xFFFF_FFFF {
        let codes: Vec<_> = cx.props.listed().collect();
        for code in codes {
            // Read-only properties stay as they are.
            let _ = reset_one(cx, code);
        }
        return Handled::Reply(Reply::ok());
    }
    match listed(cx, req).and_then(|code| reset_one(cx, code)) {
        Ok(()) => Handled::Reply(Reply::ok()),
        Err(code) => err(code),
    }
}

fn reset_one(cx: &mut Context<'_>, code: DevicePropCode) -> Result<(), ResponseCode> {
    let default = match cx.props.desc(code) {
        Some(desc) if desc.get_set == GetSet::GET_SET => desc.factory_default.clone(),
        Some(_) => return Err(ResponseCode::ACCESS_DENIED),
        None => return Err(ResponseCode::DEVICE_PROP_NOT_SUPPORTED),
    };
    follow(cx, code, &default)?;
    cx.props
        .reset(code)
        .map(|_| ())
        .map_err(|e| e.response_code())
}
