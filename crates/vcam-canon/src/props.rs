//! EOS properties between the wire and the core: the core description of a body's property,
//! libgphoto2's compact ImageFormat form, the values of a few properties the protocol code
//! reads, and the conversions of values both ways (PropValueChanged out, SetDevicePropValueEx
//! in).
//!
//! EOS properties are ordinary core properties, hidden from DeviceInfo as on the real body:
//! libgphoto2 reads them from GetEvent (`ptp_unpack_CANON_changes`, ptp-pack.c) and its
//! `ptp_canon_eos_getdevicepropdesc` (ptp.c) is a cache lookup.

use vcam_core::Properties;
use vcam_core::model::prop::{desc, str};
use vcam_core::ptp_types::{
    Decode, DevicePropCode, DevicePropDesc, GetSet, PropForm, PropValue, PtpString, Reader,
    ResponseCode,
};

use crate::body::{EosBody, EosProp};
use crate::records::{EosValue, ImageFormat, ValueKind};

/// CaptureDestination 0xD11C value meaning "the host" (`PTP_CANON_EOS_CAPTUREDEST_HD` in
/// libgphoto2's `ptp.h`; set by `camera_canon_eos_update_capture_target`, library.c).
pub const CAPTURE_DESTINATION_HOST: u32 = 4;
/// EVFOutputDevice 0xD1B0 bit: live view to the host (libgphoto2 `library.c`:
/// `camera_capture_preview` sets it when `(value & ~1) == 0`).
pub const EVF_OUTPUT_HOST: u32 = 2;
/// ShutterSpeed 0xD102 code for bulb (libgphoto2 `config.c`: `canon_shutterspeed`, "bulb").
pub const SHUTTER_BULB: u32 = 0x0C;
/// EVFRecordStatus 0xD1B8 value that records a movie to the card (libgphoto2 `config.c`:
/// `canon_eos_evfrecordtarget`, "Card").
pub const RECORD_CARD: u32 = 4;
/// The EVFRecordStatus values a body accepts: none 0, SDRAM 3, card 4 (`config.c`:
/// `canon_eos_evfrecordtarget`). Bodies report it with no list; it is settable on every EOS
/// body that records movies.
pub const RECORD_TARGETS: &[u32] = &[0, 3, RECORD_CARD];
/// FocusMode 0xD108 value of manual focus (libgphoto2 `camera_trigger_canon_eos_capture`
/// skips the focus wait for it).
pub const FOCUS_MODE_MANUAL: u32 = 3;

/// libgphoto2's compact u16 form of an ImageFormat (`ptp_unpack_EOS_ImageFormat`): nibbles
/// size1, type|compression1, size2, type|compression2; S1–S3 sizes are stored one lower; RAW
/// sets bit 3 of the compression nibble; 0xFF marks a missing second file.
#[must_use]
pub fn compact(f: &ImageFormat) -> u32 {
    let nibbles = |(ty, size, comp): (u32, u32, u32)| {
        let s = if size >= 0xE { size - 1 } else { size } & 0xF;
        let c = (comp & 7) | if ty == 6 { 8 } else { 0 };
        (s << 4) | c
    };
    let first = f.files[0].map_or(0, nibbles);
    let second = f.files[1].map_or(0xFF, nibbles);
    (first << 8) | second
}

/// The ImageFormat whose compact form is `value`, among `formats` (the inverse of
/// `ptp_unpack_EOS_ImageFormat`, as `ptp_pack_EOS_ImageFormat` in ptp-pack.c).
#[must_use]
pub fn from_compact(formats: &[ImageFormat], value: u32) -> Option<ImageFormat> {
    formats.iter().copied().find(|f| compact(f) == value)
}

/// The kind of the body's property `code`, or `None` when the body does not have it.
#[must_use]
pub fn kind_of(body: &EosBody, code: DevicePropCode) -> Option<ValueKind> {
    body.prop(code).map(EosProp::kind)
}

/// The core's description of an EOS property of `body`: UINT32 (or string) with its list as
/// an enumeration; settable when it has a list.
#[must_use]
pub fn eos_desc(body: &EosBody, p: &EosProp) -> DevicePropDesc {
    match p.kind() {
        ValueKind::Text => desc(p.code, GetSet::GET_SET, str(p.text), PropForm::None),
        _ if p.code == crate::codes::prop::EVF_RECORD_STATUS => desc(
            p.code,
            GetSet::GET_SET,
            PropValue::UInt32(p.value),
            PropForm::Enumeration(
                RECORD_TARGETS
                    .iter()
                    .map(|&v| PropValue::UInt32(v))
                    .collect(),
            ),
        ),
        ValueKind::ImageFormat => desc(
            p.code,
            GetSet::GET_SET,
            PropValue::UInt32(p.value),
            PropForm::Enumeration(
                body.image_formats
                    .iter()
                    .map(|f| PropValue::UInt32(compact(f)))
                    .collect(),
            ),
        ),
        _ if p.list.is_empty() => desc(
            p.code,
            GetSet::GET,
            PropValue::UInt32(p.value),
            PropForm::None,
        ),
        _ => desc(
            p.code,
            GetSet::GET_SET,
            PropValue::UInt32(p.value),
            PropForm::Enumeration(p.list.iter().map(|&v| PropValue::UInt32(v)).collect()),
        ),
    }
}

/// The current value of a number property, 0 when it has none.
pub(crate) fn u32_of(props: &Properties, code: DevicePropCode) -> u32 {
    props
        .value(code)
        .and_then(PropValue::as_i128)
        .and_then(|v| u32::try_from(v).ok())
        .unwrap_or(0)
}

/// The current value of the body's property `code` as a PropValueChanged record carries it.
pub(crate) fn event_value(
    body: &EosBody,
    props: &Properties,
    code: DevicePropCode,
) -> Option<EosValue> {
    let value = props.value(code)?;
    Some(match (kind_of(body, code)?, value) {
        (ValueKind::ImageFormat, PropValue::UInt32(v)) => {
            EosValue::ImageFormat(from_compact(body.image_formats, *v)?)
        }
        (_, PropValue::Str(s)) => EosValue::Str(s.as_str().to_string()),
        (_, v) => EosValue::U32(u32::try_from(v.as_i128()?).ok()?),
    })
}

/// The property and value of a SetDevicePropValueEx data phase, `u32 size, u32 property,
/// value` (libgphoto2 `ptp.c`: `ptp_canon_eos_setdevicepropvalueex`), for a property of
/// `body`. The value is read as the property's kind: four bytes, a C string or an ImageFormat
/// structure (stored in compact form).
///
/// # Errors
/// The response code a body gives: InvalidDevicePropFormat for a short data phase or value,
/// DevicePropNotSupported for a property the body does not have, InvalidDevicePropValue for
/// a malformed ImageFormat.
pub fn set_prop_value_ex(
    body: &EosBody,
    data: &[u8],
) -> Result<(DevicePropCode, PropValue), ResponseCode> {
    let mut r = Reader::new(data);
    let (Ok(size), Ok(code)) = (r.u32("size"), r.u32("property")) else {
        return Err(ResponseCode::INVALID_DEVICE_PROP_FORMAT);
    };
    // The size counts the 8 bytes read so far; a short or long claim is cut to the data.
    let value_len = usize::try_from(size)
        .unwrap_or(usize::MAX)
        .saturating_sub(8);
    let raw = r.peek_rest().get(..value_len).unwrap_or(r.peek_rest());
    let code = u16::try_from(code)
        .map(DevicePropCode)
        .map_err(|_| ResponseCode::DEVICE_PROP_NOT_SUPPORTED)?;
    let kind = kind_of(body, code).ok_or(ResponseCode::DEVICE_PROP_NOT_SUPPORTED)?;
    let value = match kind {
        ValueKind::Text => {
            let text = raw.split(|&b| b == 0).next().unwrap_or_default();
            PropValue::Str(PtpString::truncating(&String::from_utf8_lossy(text)))
        }
        ValueKind::ImageFormat => {
            let format = ImageFormat::decode(&mut Reader::new(raw))
                .map_err(|_| ResponseCode::INVALID_DEVICE_PROP_VALUE)?;
            PropValue::UInt32(compact(&format))
        }
        _ => Reader::new(raw)
            .u32("value")
            .map(PropValue::UInt32)
            .map_err(|_| ResponseCode::INVALID_DEVICE_PROP_FORMAT)?,
    };
    Ok((code, value))
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
