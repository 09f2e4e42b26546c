//! The GetEvent (0x9116) records (libgphoto2 `camlibs/ptp2/ptp-pack.c`:
//! `ptp_unpack_CANON_changes`).

use ptp_codec::{
    Decode, DecodeError, DevicePropCode, Encode, LengthPrefixed, ObjectFormatCode, Reader,
    read_length_prefixed,
};
use vcam_core::ptp_types::{ObjectHandle, StorageId};

use super::{FocusInfo, ImageFormat, c_string, put_c_string, read_name};
use crate::codes::{EventType, prop};

/// How a property's value travels in PropValueChanged and AvailListChanged records: decided by
/// the property code, as `ptp_unpack_CANON_changes` (ptp-pack.c) does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueKind {
    /// A number, always four bytes on the wire (libgphoto2 reads 1, 2 or 4 of them by a
    /// per-property type table).
    Number,
    /// An 8-bit NUL-terminated string (Owner, Artist, Copyright, SerialNumber, LensName,
    /// CameraNickname).
    Text,
    /// An [`ImageFormat`] structure (ImageFormat, ImageFormatCF, ImageFormatSD,
    /// ImageFormatExtHD); the core stores libgphoto2's compact u16 form.
    ImageFormat,
    /// A [`FocusInfo`] structure (FocusInfoEx).
    FocusInfo,
}

impl ValueKind {
    /// The kind of the values of `code`.
    #[must_use]
    pub const fn of(code: DevicePropCode) -> Self {
        match code {
            prop::OWNER
            | prop::ARTIST
            | prop::COPYRIGHT
            | prop::SERIAL_NUMBER
            | prop::LENS_NAME
            | prop::CAMERA_NICKNAME => Self::Text,
            prop::IMAGE_FORMAT
            | prop::IMAGE_FORMAT_CF
            | prop::IMAGE_FORMAT_SD
            | prop::IMAGE_FORMAT_EXT_HD => Self::ImageFormat,
            prop::FOCUS_INFO_EX => Self::FocusInfo,
            _ => Self::Number,
        }
    }

    /// The fewest bytes a value of this kind takes.
    const fn min_len(self) -> usize {
        match self {
            Self::Number => 4,
            Self::Text => 1,
            Self::ImageFormat => <ImageFormat as Decode<'_>>::MIN_LEN,
            Self::FocusInfo => <FocusInfo as Decode<'_>>::MIN_LEN,
        }
    }
}

/// A property value as EOS events carry it (`ptp_unpack_CANON_changes`, ptp-pack.c: numbers
/// are read by a per-property type table, strings as C strings, ImageFormat and FocusInfoEx as
/// structures).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EosValue {
    /// A number, always sent as 4 bytes.
    U32(u32),
    /// A NUL-terminated 8-bit string (Owner, Artist, LensName, ...), without the NUL.
    Str(String),
    /// An ImageFormat structure.
    ImageFormat(ImageFormat),
    /// A FocusInfoEx structure.
    FocusInfo(FocusInfo),
    /// A value that does not have the shape of its property's [`ValueKind`] (for example a
    /// number of other than four bytes), kept as it came.
    Raw(Vec<u8>),
}

impl EosValue {
    /// Reads one value of `kind` (an element of an AvailListChanged list).
    fn read(kind: ValueKind, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match kind {
            ValueKind::Number => r.u32("EOS value").map(Self::U32),
            ValueKind::Text => {
                let at = r.position();
                let text = c_string(r);
                String::from_utf8(text.to_vec())
                    .map(Self::Str)
                    .map_err(|_| Reader::invalid_at("EOS string", at, "not UTF-8"))
            }
            ValueKind::ImageFormat => ImageFormat::decode(r).map(Self::ImageFormat),
            ValueKind::FocusInfo => FocusInfo::decode(r).map(Self::FocusInfo),
        }
    }

    /// Reads the value of a PropValueChanged record, which takes the rest of the record: when
    /// it does not parse as `kind` or leaves bytes over, it is kept [`Raw`](Self::Raw).
    fn read_whole(kind: ValueKind, r: &mut Reader<'_>) -> Self {
        let mut attempt = r.clone();
        match Self::read(kind, &mut attempt) {
            Ok(value) if attempt.is_empty() => {
                *r = attempt;
                value
            }
            _ => Self::Raw(r.rest().to_vec()),
        }
    }
}

impl Encode for EosValue {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::U32(v) => v.encode(out),
            Self::Str(s) => put_c_string(out, s),
            Self::ImageFormat(f) => f.encode(out),
            Self::FocusInfo(f) => f.encode(out),
            Self::Raw(bytes) => out.extend_from_slice(bytes),
        }
    }
}

/// AvailListChanged form type of an enumeration (the only one libgphoto2 decodes).
const FORM_ENUMERATION: u32 = 3;
/// InfoCheckComplete payload as vcam sends it.
const INFO_CHECK_COMPLETE_PAYLOAD: u32 = 0x0002_0001;

/// One record of the GetEvent list (record types and offsets as `ptp_unpack_CANON_changes`
/// in libgphoto2's `ptp-pack.c` reads them).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EosEvent {
    /// 0xC189: a property's current value (`u32 property, value`).
    PropValueChanged {
        /// Property code.
        prop: DevicePropCode,
        /// Its value.
        value: EosValue,
    },
    /// 0xC18A: a property's available values (`u32 property, u32 form 3, u32 count,
    /// values`). Must follow that property's PropValueChanged.
    AvailListChanged {
        /// Property code.
        prop: DevicePropCode,
        /// The values.
        values: Vec<EosValue>,
    },
    /// 0xC181: a new object on the card (`@8 handle, @0x0C storage, @0x10 format,
    /// @0x1C size, @0x20 parent, @0x28 name`).
    ObjectAddedEx {
        /// Its handle.
        handle: ObjectHandle,
        /// Its storage.
        storage: StorageId,
        /// Its parent folder.
        parent: ObjectHandle,
        /// ObjectFormat.
        format: ObjectFormatCode,
        /// Size in bytes.
        size: u32,
        /// File name.
        name: String,
    },
    /// 0xC186: a picture waits in camera memory for the host, capture to PC (`@8 handle,
    /// @0x0C format, @0x14 size, @0x1C name`).
    RequestObjectTransfer {
        /// Its handle.
        handle: ObjectHandle,
        /// ObjectFormat.
        format: ObjectFormatCode,
        /// Size in bytes.
        size: u32,
        /// File name.
        name: String,
    },
    /// 0xC182: an object was removed (`@8 handle`).
    ObjectRemoved(ObjectHandle),
    /// 0xC18B: camera status (1 busy, 0 idle).
    CameraStatusChanged(u32),
    /// 0xC1A4: the end of the initial property dump.
    InfoCheckComplete,
    /// 0xC194: seconds since a bulb exposure began (`u32`; `ptp_unpack_CANON_changes`,
    /// ptp-pack.c, prints it as "BulbExposureTime").
    BulbExposureTime(u32),
    /// Any other record, or a record of a known type whose payload does not have its shape:
    /// the type and the payload after it.
    Other {
        /// Record type.
        kind: EventType,
        /// The payload.
        payload: Vec<u8>,
    },
}

impl EosEvent {
    /// The record type.
    #[must_use]
    pub const fn kind(&self) -> EventType {
        match self {
            Self::PropValueChanged { .. } => EventType::PROP_VALUE_CHANGED,
            Self::AvailListChanged { .. } => EventType::AVAIL_LIST_CHANGED,
            Self::ObjectAddedEx { .. } => EventType::OBJECT_ADDED_EX,
            Self::RequestObjectTransfer { .. } => EventType::REQUEST_OBJECT_TRANSFER,
            Self::ObjectRemoved(_) => EventType::OBJECT_REMOVED,
            Self::CameraStatusChanged(_) => EventType::CAMERA_STATUS_CHANGED,
            Self::InfoCheckComplete => EventType::INFO_CHECK_COMPLETE,
            Self::BulbExposureTime(_) => EventType::BULB_EXPOSURE_TIME,
            Self::Other { kind, .. } => *kind,
        }
    }

    /// The event a record of `kind` with `payload` stands for, when the payload has the shape
    /// of the type.
    fn parse(kind: EventType, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let prop = |r: &mut Reader<'_>| {
            let at = r.position();
            let code = r.u32("EOS property")?;
            u16::try_from(code)
                .map(DevicePropCode)
                .map_err(|_| Reader::invalid_at("EOS property", at, "wider than 16 bits"))
        };
        Ok(match kind {
            EventType::PROP_VALUE_CHANGED => {
                let prop = prop(r)?;
                let value = EosValue::read_whole(ValueKind::of(prop), r);
                Self::PropValueChanged { prop, value }
            }
            EventType::AVAIL_LIST_CHANGED => {
                let prop = prop(r)?;
                let at = r.position();
                if r.u32("EOS form type")? != FORM_ENUMERATION {
                    return Err(Reader::invalid_at(
                        "EOS form type",
                        at,
                        "not an enumeration",
                    ));
                }
                let kind = ValueKind::of(prop);
                let count = r.count(kind.min_len(), "EOS available values")?;
                let values = (0..count)
                    .map(|_| EosValue::read(kind, r))
                    .collect::<Result<Vec<_>, _>>()?;
                r.expect_end("EOS available values")?;
                Self::AvailListChanged { prop, values }
            }
            EventType::OBJECT_ADDED_EX => {
                let handle = ObjectHandle::decode(r)?;
                let storage = StorageId::decode(r)?;
                let format = ObjectFormatCode::decode(r)?;
                r.take(10, "ObjectAddedEx reserved")?;
                let size = r.u32("ObjectAddedEx size")?;
                let parent = ObjectHandle::decode(r)?;
                r.take(4, "ObjectAddedEx reserved")?;
                let name = read_name(r);
                Self::ObjectAddedEx {
                    handle,
                    storage,
                    parent,
                    format,
                    size,
                    name,
                }
            }
            EventType::REQUEST_OBJECT_TRANSFER => {
                let handle = ObjectHandle::decode(r)?;
                let format = ObjectFormatCode::decode(r)?;
                r.take(6, "RequestObjectTransfer reserved")?;
                let size = r.u32("RequestObjectTransfer size")?;
                r.take(4, "RequestObjectTransfer reserved")?;
                let name = read_name(r);
                Self::RequestObjectTransfer {
                    handle,
                    format,
                    size,
                    name,
                }
            }
            EventType::OBJECT_REMOVED => Self::ObjectRemoved(ObjectHandle::decode(r)?),
            EventType::CAMERA_STATUS_CHANGED => {
                Self::CameraStatusChanged(r.u32("CameraStatusChanged status")?)
            }
            EventType::INFO_CHECK_COMPLETE => {
                r.rest();
                Self::InfoCheckComplete
            }
            EventType::BULB_EXPOSURE_TIME => {
                Self::BulbExposureTime(r.u32("BulbExposureTime seconds")?)
            }
            _ => {
                return Err(Reader::invalid_at(
                    "EOS event",
                    r.position(),
                    "unknown type",
                ));
            }
        })
    }
}

impl Decode<'_> for EosEvent {
    const NAME: &'static str = "EOS event record";
    const MIN_LEN: usize = 8;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut record = read_length_prefixed(r, "EOS event record")?;
        let kind = EventType::decode(&mut record)?;
        let mut attempt = record.clone();
        Ok(
            Self::parse(kind, &mut attempt).unwrap_or_else(|_| Self::Other {
                kind,
                payload: record.rest().to_vec(),
            }),
        )
    }
}

impl Encode for EosEvent {
    fn encode(&self, out: &mut Vec<u8>) {
        let mut rec = LengthPrefixed::new(out);
        self.kind().encode(&mut rec);
        match self {
            Self::PropValueChanged { prop, value } => {
                u32::from(prop.0).encode(&mut rec);
                value.encode(&mut rec);
            }
            Self::AvailListChanged { prop, values } => {
                u32::from(prop.0).encode(&mut rec);
                FORM_ENUMERATION.encode(&mut rec);
                ptp_codec::encode_count(values.len(), &mut rec);
                for v in values {
                    v.encode(&mut rec);
                }
            }
            Self::ObjectAddedEx {
                handle,
                storage,
                parent,
                format,
                size,
                name,
            } => {
                handle.encode(&mut rec);
                storage.encode(&mut rec);
                format.encode(&mut rec);
                rec.extend_from_slice(&[0; 10]);
                size.encode(&mut rec);
                parent.encode(&mut rec);
                rec.extend_from_slice(&[0; 4]);
                put_c_string(&mut rec, name);
            }
            Self::RequestObjectTransfer {
                handle,
                format,
                size,
                name,
            } => {
                handle.encode(&mut rec);
                format.encode(&mut rec);
                rec.extend_from_slice(&[0; 6]);
                size.encode(&mut rec);
                rec.extend_from_slice(&[0; 4]);
                put_c_string(&mut rec, name);
            }
            Self::ObjectRemoved(handle) => handle.encode(&mut rec),
            Self::CameraStatusChanged(status) | Self::BulbExposureTime(status) => {
                status.encode(&mut rec);
            }
            Self::InfoCheckComplete => INFO_CHECK_COMPLETE_PAYLOAD.encode(&mut rec),
            Self::Other { payload, .. } => rec.extend_from_slice(payload),
        }
    }
}

/// The GetEvent data for `events`, terminator included (just the terminator when empty):
/// `ptp_unpack_CANON_changes` (ptp-pack.c) only decodes a record when 8 more bytes follow.
#[must_use]
pub fn encode_events(events: &[EosEvent]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in events {
        e.encode(&mut out);
    }
    let mut terminator = LengthPrefixed::new(&mut out);
    EventType::TERMINATOR.encode(&mut terminator);
    drop(terminator);
    out
}

/// The records of GetEvent data, up to the terminator record (type 0). Like
/// `ptp_unpack_CANON_changes` (ptp-pack.c), it also stops when fewer than 8 bytes are left.
///
/// # Errors
/// A record whose size is below 8 or beyond the data.
pub fn decode_events(bytes: &[u8]) -> Result<Vec<EosEvent>, DecodeError> {
    let mut r = Reader::new(bytes);
    let mut events = Vec::new();
    while r.remaining() >= 8 {
        let event = EosEvent::decode(&mut r)?;
        if event.kind() == EventType::TERMINATOR {
            break;
        }
        events.push(event);
    }
    Ok(events)
}
