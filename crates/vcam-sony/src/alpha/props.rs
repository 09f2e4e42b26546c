//! Properties: the 0x9209 answer, absolute values (0x9205), steps and buttons (0x9207), and
//! the C203 event that announces each change.
//!
//! The properties live in the core's [`Properties`] (type and form checks, change records);
//! the body's table adds what the Sony descriptor reports beyond a standard one and how each
//! property may be changed.

use vcam_core::events::NO_TRANSACTION;
use vcam_core::props::ChangeKind;
use vcam_core::ptp_types::{DevicePropCode, PropValue, ResponseCode, decode_value_exact};
use vcam_core::{Context, PropChange, Properties, Reply};

use crate::body::{Access, SonyBody, SonyProp};
use crate::codes::{button, ec, prop};
use crate::records::{ExtPropDesc, ExtPropList};

/// 0x9209: every property's descriptor with its current value, in the body's order
/// (`docs/reference/vendors-wifi-sony-fuji.md` §5.4).
pub(super) fn all_prop_info(props: &Properties, body: &SonyBody) -> Reply {
    let list = body
        .props
        .iter()
        .filter_map(|p| {
            let desc = props.desc(p.code)?;
            Some(ExtPropDesc {
                code: p.code,
                data_type: desc.data_type,
                get_set: p.get_set,
                is_enabled: p.is_enabled,
                factory_default: desc.factory_default.clone(),
                current: desc.current.clone(),
                form: desc.form.clone(),
            })
        })
        .collect();
    Reply::dataset(&ExtPropList(list))
}

/// The body's property `code`, or DevicePropNotSupported.
fn body_prop(body: &SonyBody, code: DevicePropCode) -> Result<&'static SonyProp, ResponseCode> {
    body.prop(code)
        .ok_or(ResponseCode::DEVICE_PROP_NOT_SUPPORTED)
}

/// Stores a value the body accepted, with the core's checks (type and form).
fn store(
    props: &mut Properties,
    code: DevicePropCode,
    value: PropValue,
) -> Result<(), ResponseCode> {
    props
        .set(code, value)
        .map(drop)
        .map_err(|e| e.response_code())
}

/// 0x9205: an absolute value typed as the property. A setting takes any value of its dial
/// (or its form); a setting changed only by steps answers OK and stays ([`Access::Stepped`]);
/// status values and controls are AccessDenied; data of another size is
/// InvalidDevicePropFormat; a value the body does not have is InvalidDevicePropValue.
pub(super) fn set_absolute(
    props: &mut Properties,
    body: &SonyBody,
    code: DevicePropCode,
    data: &[u8],
) -> Result<(), ResponseCode> {
    let p = body_prop(body, code)?;
    match p.access {
        Access::Setting => {}
        Access::Stepped => return Ok(()),
        Access::ReadOnly | Access::Control => return Err(ResponseCode::ACCESS_DENIED),
    }
    let value = decode_value_exact(data, p.ty.data_type())
        .map_err(|_| ResponseCode::INVALID_DEVICE_PROP_FORMAT)?;
    let accepted = value
        .as_i128()
        .and_then(|v| i64::try_from(v).ok())
        .is_some_and(|v| p.accepts(v));
    if !accepted {
        return Err(ResponseCode::INVALID_DEVICE_PROP_VALUE);
    }
    store(props, code, value)
}

/// 0x9207: a control takes a value of its type (buttons: 1 up, 2 down) and is returned for
/// the shutter to act on; a setting takes a signed step of one or two bytes (libgphoto2 sends
/// a `u8` step, INDIGO an `i16`) and moves that many positions along its dial, stopping at
/// either end (`docs/reference/client-expectations.md` §5.3).
pub(super) fn control(
    props: &mut Properties,
    body: &SonyBody,
    code: DevicePropCode,
    data: &[u8],
) -> Result<Option<(DevicePropCode, u16)>, ResponseCode> {
    let p = body_prop(body, code)?;
    match p.access {
        Access::ReadOnly => Err(ResponseCode::ACCESS_DENIED),
        Access::Control => {
            let value = decode_value_exact(data, p.ty.data_type())
                .map_err(|_| ResponseCode::INVALID_DEVICE_PROP_FORMAT)?;
            let PropValue::UInt16(pressed @ (button::UP | button::DOWN)) = value else {
                return Err(ResponseCode::INVALID_DEVICE_PROP_VALUE);
            };
            // A button's state is not a setting: no change is recorded, no C203 sent.
            props.refresh(code, value);
            Ok(Some((code, pressed)))
        }
        Access::Setting | Access::Stepped => {
            let steps = match *data {
                [b] => i64::from(i8::from_le_bytes([b])),
                [b0, b1] => i64::from(i16::from_le_bytes([b0, b1])),
                _ => return Err(ResponseCode::INVALID_DEVICE_PROP_FORMAT),
            };
            let current = props
                .int(code)
                .and_then(|v| i64::try_from(v).ok())
                .unwrap_or(p.current);
            let target = p.step(current, steps).ok_or(ResponseCode::ACCESS_DENIED)?;
            let value =
                p.ty.value(target)
                    .ok_or(ResponseCode::INVALID_DEVICE_PROP_VALUE)?;
            store(props, code, value).map(|()| None)
        }
    }
}

/// C203 for every value change of a body property, whoever made it (0x9205, 0x9207, the
/// body itself), as libgphoto2 and INDIGO expect (§5.7: both read 0x9209 again on it).
pub(super) fn announce(cx: &mut Context<'_>, body: &SonyBody, changes: &[PropChange]) {
    for change in changes {
        if change.kind == ChangeKind::Value && body.prop(change.code).is_some() {
            cx.queue_event(
                ec::PROPERTY_CHANGED,
                NO_TRANSACTION,
                [u32::from(change.code.0)],
            );
        }
    }
}

/// A body property's value as an integer.
pub(super) fn int(props: &Properties, code: DevicePropCode) -> Option<i64> {
    props.int(code).and_then(|v| i64::try_from(v).ok())
}

/// The exposure as a Sony body shows it, for the captures and the live view overlay.
pub(super) fn settings_lines(props: &Properties) -> Vec<String> {
    let iso = match int(props, prop::ISO) {
        Some(v) if v & 0xFF_FFFF == 0xFF_FFFF => "ISO AUTO".to_string(),
        Some(v) => format!("ISO {}", v & 0xFF_FFFF),
        None => "ISO ?".to_string(),
    };
    let aperture = int(props, DevicePropCode::F_NUMBER).map_or_else(
        || "f/?".to_string(),
        |f| format!("F{}", trim(f as f64 / 100.0)),
    );
    let shutter = match int(props, prop::SHUTTER_SPEED) {
        Some(0) => "BULB".to_string(),
        Some(v) => {
            let (num, den) = (v >> 16, v & 0xFFFF);
            if den == 1 || (den == 10 && num % 10 == 0) {
                format!("{}\"", num / den.max(1))
            } else if den == 10 {
                format!("{}\"", trim(num as f64 / 10.0))
            } else {
                format!("{num}/{den}")
            }
        }
        None => "?".to_string(),
    };
    let ev = int(props, DevicePropCode::EXPOSURE_BIAS_COMPENSATION)
        .map_or_else(|| "?".to_string(), |e| format!("{:+.1}", e as f64 / 1000.0));
    vec![
        format!("{shutter}  {aperture}  {iso}"),
        format!(
            "EV {ev}  WB 0x{:04X}",
            int(props, DevicePropCode::WHITE_BALANCE).unwrap_or(0)
        ),
    ]
}

/// A number without a trailing ".0".
fn trim(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}
