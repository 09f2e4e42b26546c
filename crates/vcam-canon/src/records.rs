//! EOS wire formats, in both directions ([`Decode`] and [`Encode`]), so that client tools can
//! parse what a body sends as well as vcam can send it:
//!
//! - the GetEvent (0x9116) records, [`EosEvent`] ([`decode_events`], [`encode_events`]), with
//!   the property values they carry ([`EosValue`]: numbers, strings, [`ImageFormat`],
//!   [`FocusInfo`]), as libgphoto2 parses them (`camlibs/ptp2/ptp-pack.c`:
//!   `ptp_unpack_CANON_changes`);
//! - the GetViewFinderData (0x9153) records, [`ViewfinderRecord`] (`camlibs/ptp2/library.c`:
//!   `camera_canon_eos_capture_preview`);
//! - the GetDeviceInfoEx (0x9108) dataset, [`DeviceInfoEx`] (`ptp-pack.c`: `ptp_unpack_EOS_DI`);
//! - the GetObjectInfoEx (0x9109) entries, [`FolderEntry`] (`ptp.c`:
//!   `ptp_canon_eos_getobjectinfoex`; `ptp-pack.c`: `ptp_unpack_Canon_EOS_FE`).
//!
//! Records are `u32 size (size field included) | u32 type | payload`, little endian, written
//! with [`LengthPrefixed`] and read with [`read_length_prefixed`]. No decoder panics on any
//! input. Event records whose payload does not have the shape of their type decode as
//! [`EosEvent::Other`] with the payload kept, so decoding and encoding a real body's answer
//! gives its bytes back.

use std::borrow::Cow;

use ptp_codec::{
    Decode, DecodeError, DevicePropCode, Encode, LengthPrefixed, ObjectFormatCode, Reader,
    decode_array, read_length_prefixed,
};
use vcam_core::ptp_types::{ObjectHandle, StorageId};

use crate::codes::{EventType, prop};

/// The size field of a file entry of an ImageFormat: four `u32` (`ptp_unpack_EOS_ImageFormat`
/// refuses any other).
const IMAGE_FILE_LEN: usize = 16;

/// One file of an [`ImageFormat`]: `(type, size, compression)`.
pub type ImageFile = (u32, u32, u32);

/// An EOS ImageFormat value: one or two files per shot, each `(type, size, compression)`
/// (type 1 JPEG, 6 RAW; size 0 L, 1 M, 0xE S1, 0xF S2, 0x10 S3; compression 2 normal,
/// 3 fine, 4 lossless). Encoded as `u32 count, count × (u32 0x10, type, size, compression)`
/// (`ptp_unpack_EOS_ImageFormat`, ptp-pack.c). A valid value has its first file present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageFormat {
    /// The files written per shot (the second `None` for a single file).
    pub files: [Option<ImageFile>; 2],
}

impl ImageFormat {
    /// One JPEG of `size` and `compression`.
    #[must_use]
    pub const fn jpeg(size: u32, compression: u32) -> Self {
        Self {
            files: [Some((1, size, compression)), None],
        }
    }

    /// RAW, optionally with a JPEG.
    #[must_use]
    pub const fn raw(jpeg: Option<(u32, u32)>) -> Self {
        let second = match jpeg {
            Some((size, compression)) => Some((1, size, compression)),
            None => None,
        };
        Self {
            files: [Some((6, 0, 4)), second],
        }
    }
}

impl Decode<'_> for ImageFormat {
    const NAME: &'static str = "EOS ImageFormat";
    const MIN_LEN: usize = 4 + IMAGE_FILE_LEN;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.position();
        let count = r.u32("ImageFormat count")?;
        if count != 1 && count != 2 {
            return Err(Reader::invalid_at(
                "ImageFormat count",
                at,
                "an ImageFormat has 1 or 2 files",
            ));
        }
        let mut files = [None, None];
        for slot in files.iter_mut().take(count as usize) {
            let at = r.position();
            let mut file = read_length_prefixed(r, "ImageFormat file")?;
            if file.remaining() != IMAGE_FILE_LEN - 4 {
                return Err(Reader::invalid_at(
                    "ImageFormat file",
                    at,
                    "a file entry is 16 bytes",
                ));
            }
            *slot = Some((
                file.u32("ImageFormat type")?,
                file.u32("ImageFormat size")?,
                file.u32("ImageFormat compression")?,
            ));
        }
        Ok(Self { files })
    }
}

impl Encode for ImageFormat {
    fn encode(&self, out: &mut Vec<u8>) {
        let files = self.files.iter().flatten();
        ptp_codec::encode_count(files.clone().count(), out);
        for &(kind, size, compression) in files {
            let mut file = LengthPrefixed::new(out);
            for v in [kind, size, compression] {
                v.encode(&mut file);
            }
        }
    }
}

/// One AF point `(x, y, width, height)` in FocusInfoEx coordinates (centre origin).
pub type AfPoint = (i16, i16, i16, i16);

/// FocusInfoEx (0xD1D3): the AF points of the body and which of them found focus, as
/// libgphoto2 decodes it (`camlibs/ptp2/ptp-pack.c`: `ptp_unpack_EOS_FocusInfoEx`). Layout:
/// `u32 size, u16 size-4, u16 version, u16 points in struct, u16 points in use, u16 width,
/// u16 height, u16 width2, u16 height2`, then four arrays of `points` i16 (h, w, x, y), the
/// selection bitmask (one bit per point, `(points + 7) / 8` bytes) and trailing bytes.
/// `camera_trigger_canon_eos_capture` (library.c) waits after the half press until a
/// FocusInfoEx with a selection arrives.
///
/// A body's table holds one with borrowed points and an empty selection
/// ([`FocusInfo::with_selection`] fills it in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FocusInfo {
    /// Structure version (4 on the 1300D).
    pub version: u16,
    /// Coordinate space (the sensor size in pixels).
    pub size: (u16, u16),
    /// The second size field (the same as `size` on the 1300D).
    pub size2: (u16, u16),
    /// How many of the points are in use (at most `points.len()`).
    pub points_in_use: u16,
    /// The AF points as `(x, y, w, h)`, centre origin (at most 65535).
    pub points: Cow<'static, [AfPoint]>,
    /// Bitmask of the points in focus, bit `n % 8` of byte `n / 8` for point `n`; written as
    /// exactly `(points + 7) / 8` bytes (cut or padded with zeros).
    pub selection: Vec<u8>,
    /// Bytes after the selection bitmask (the 1300D sends `ff 01 00 00 ff ff`).
    pub trailer: Cow<'static, [u8]>,
}

impl FocusInfo {
    /// The same structure with the points of `mask` (bit n = point n) in focus.
    #[must_use]
    pub fn with_selection(&self, mask: u32) -> Self {
        let len = self.points.len().div_ceil(8);
        let mut selection: Vec<u8> = mask.to_le_bytes().into_iter().take(len).collect();
        selection.resize(len, 0);
        Self {
            selection,
            ..self.clone()
        }
    }

    /// Whether point `n` is in focus.
    #[must_use]
    pub fn is_selected(&self, n: usize) -> bool {
        self.selection
            .get(n / 8)
            .is_some_and(|byte| byte & (1 << (n % 8)) != 0)
    }
}

impl Decode<'_> for FocusInfo {
    const NAME: &'static str = "EOS FocusInfoEx";
    const MIN_LEN: usize = 20;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut r = read_length_prefixed(r, "FocusInfoEx")?;
        let _half_size = r.u16("FocusInfoEx half size")?;
        let version = r.u16("FocusInfoEx version")?;
        let in_struct = usize::from(r.u16("FocusInfoEx points in struct")?);
        let points_in_use = r.u16("FocusInfoEx points in use")?;
        let size = (r.u16("FocusInfoEx width")?, r.u16("FocusInfoEx height")?);
        let size2 = (r.u16("FocusInfoEx width2")?, r.u16("FocusInfoEx height2")?);
        let column = |r: &mut Reader<'_>, what: &'static str| {
            r.take(2 * in_struct, what).map(|bytes| {
                bytes
                    .chunks_exact(2)
                    .filter_map(|b| b.try_into().ok())
                    .map(i16::from_le_bytes)
                    .collect::<Vec<i16>>()
            })
        };
        let heights = column(&mut r, "FocusInfoEx heights")?;
        let widths = column(&mut r, "FocusInfoEx widths")?;
        let xs = column(&mut r, "FocusInfoEx x")?;
        let ys = column(&mut r, "FocusInfoEx y")?;
        let points = xs
            .into_iter()
            .zip(ys)
            .zip(widths.into_iter().zip(heights))
            .map(|((x, y), (w, h))| (x, y, w, h))
            .collect::<Vec<AfPoint>>();
        let selection = r
            .take(in_struct.div_ceil(8), "FocusInfoEx selection")?
            .to_vec();
        Ok(Self {
            version,
            size,
            size2,
            points_in_use,
            points: Cow::Owned(points),
            selection,
            trailer: Cow::Owned(r.rest().to_vec()),
        })
    }
}

impl Encode for FocusInfo {
    fn encode(&self, out: &mut Vec<u8>) {
        let points = self
            .points
            .get(..usize::from(u16::MAX))
            .unwrap_or(&self.points);
        let n = points.len();
        let mask_len = n.div_ceil(8);
        let size = 20 + 8 * n + mask_len + self.trailer.len();
        let mut rec = LengthPrefixed::new(out);
        for v in [
            u16::try_from(size - 4).unwrap_or(u16::MAX),
            self.version,
            n as u16,
            self.points_in_use,
            self.size.0,
            self.size.1,
            self.size2.0,
            self.size2.1,
        ] {
            v.encode(&mut rec);
        }
        let columns: [fn(&AfPoint) -> i16; 4] = [|p| p.3, |p| p.2, |p| p.0, |p| p.1];
        for column in columns {
            for p in points {
                column(p).encode(&mut rec);
            }
        }
        let mut mask = self.selection.clone();
        mask.resize(mask_len, 0);
        rec.extend_from_slice(&mask);
        rec.extend_from_slice(&self.trailer);
    }
}

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
            Self::Str(s) => {
                out.extend_from_slice(s.as_bytes());
                out.push(0);
            }
            Self::ImageFormat(f) => f.encode(out),
            Self::FocusInfo(f) => f.encode(out),
            Self::Raw(bytes) => out.extend_from_slice(bytes),
        }
    }
}

/// Bytes up to the next NUL (consumed, not returned), or to the end when there is none.
fn c_string<'a>(r: &mut Reader<'a>) -> &'a [u8] {
    let rest = r.peek_rest();
    match rest.iter().position(|&b| b == 0) {
        Some(n) => {
            let text = rest.get(..n).unwrap_or_default();
            let _ = r.take(n + 1, "C string");
            text
        }
        None => r.rest(),
    }
}

/// Writes `name` as a C string.
fn put_c_string(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(name.as_bytes());
    out.push(0);
}

/// Reads a C string as text, replacing bytes that are not UTF-8.
fn read_name(r: &mut Reader<'_>) -> String {
    String::from_utf8_lossy(c_string(r)).into_owned()
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
            Self::CameraStatusChanged(status) => status.encode(&mut rec),
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

/// GetViewFinderData record types. libgphoto2 (`library.c`: `camera_capture_preview`) saves
/// the first record of type 1, 9 or 11 and skips the others by their length; the metadata
/// types follow the records of a real body's answer kept by vcam's C original
/// (`bin/eos_liveview.jpg`: types 4, 5, 6 after the JPEG).
pub mod viewfinder {
    /// The live view JPEG.
    pub const JPEG: u32 = 1;
    /// Zoom factor (u32).
    pub const ZOOM: u32 = 4;
    /// Zoom position (u32 x, u32 y).
    pub const ZOOM_POSITION: u32 = 5;
    /// Histogram status.
    pub const HISTOGRAM_STATUS: u32 = 6;

    /// The size and type of a JPEG record of `jpeg_len` bytes, to send before the JPEG itself
    /// without copying it.
    #[must_use]
    pub fn jpeg_header(jpeg_len: usize) -> [u8; 8] {
        let size = u32::try_from(jpeg_len.saturating_add(8)).unwrap_or(u32::MAX);
        let mut header = [0; 8];
        for (dst, src) in header
            .iter_mut()
            .zip(size.to_le_bytes().into_iter().chain(JPEG.to_le_bytes()))
        {
            *dst = src;
        }
        header
    }
}

/// One record of GetViewFinderData, borrowed from the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ViewfinderRecord<'a> {
    /// Type 1: the live view JPEG.
    Jpeg(&'a [u8]),
    /// Type 4: the zoom factor (1, 5 or 10).
    Zoom(u32),
    /// Type 5: the zoom position.
    ZoomPosition {
        /// Horizontal.
        x: u32,
        /// Vertical.
        y: u32,
    },
    /// Type 6: the histogram status.
    HistogramStatus(u32),
    /// Any other record, or a metadata record of another length.
    Other {
        /// Record type.
        kind: u32,
        /// The payload.
        payload: &'a [u8],
    },
}

impl ViewfinderRecord<'_> {
    /// The record type.
    #[must_use]
    pub const fn kind(&self) -> u32 {
        match self {
            Self::Jpeg(_) => viewfinder::JPEG,
            Self::Zoom(_) => viewfinder::ZOOM,
            Self::ZoomPosition { .. } => viewfinder::ZOOM_POSITION,
            Self::HistogramStatus(_) => viewfinder::HISTOGRAM_STATUS,
            Self::Other { kind, .. } => *kind,
        }
    }
}

impl<'a> Decode<'a> for ViewfinderRecord<'a> {
    const NAME: &'static str = "EOS viewfinder record";
    const MIN_LEN: usize = 8;

    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let mut record = read_length_prefixed(r, "EOS viewfinder record")?;
        let kind = record.u32("EOS viewfinder record type")?;
        let payload = record.rest();
        let word = |i: usize| {
            payload
                .get(i * 4..i * 4 + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(u32::from_le_bytes)
        };
        Ok(match (kind, payload.len()) {
            (viewfinder::JPEG, _) => Self::Jpeg(payload),
            (viewfinder::ZOOM, 4) => word(0).map_or(Self::Other { kind, payload }, Self::Zoom),
            (viewfinder::ZOOM_POSITION, 8) => match (word(0), word(1)) {
                (Some(x), Some(y)) => Self::ZoomPosition { x, y },
                _ => Self::Other { kind, payload },
            },
            (viewfinder::HISTOGRAM_STATUS, 4) => {
                word(0).map_or(Self::Other { kind, payload }, Self::HistogramStatus)
            }
            _ => Self::Other { kind, payload },
        })
    }
}

impl Encode for ViewfinderRecord<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        let mut rec = LengthPrefixed::new(out);
        self.kind().encode(&mut rec);
        match self {
            Self::Jpeg(jpeg) => rec.extend_from_slice(jpeg),
            Self::Zoom(v) | Self::HistogramStatus(v) => v.encode(&mut rec),
            Self::ZoomPosition { x, y } => {
                x.encode(&mut rec);
                y.encode(&mut rec);
            }
            Self::Other { payload, .. } => rec.extend_from_slice(payload),
        }
    }
}

/// The records of GetViewFinderData.
///
/// # Errors
/// A record whose size is below 8 or beyond the data, or bytes after the last record.
pub fn decode_viewfinder(bytes: &[u8]) -> Result<Vec<ViewfinderRecord<'_>>, DecodeError> {
    let mut r = Reader::new(bytes);
    let mut records = Vec::new();
    while !r.is_empty() {
        records.push(ViewfinderRecord::decode(&mut r)?);
    }
    Ok(records)
}

/// GetDeviceInfoEx (0x9108) data: `u32 size` (size included), then three `u32` arrays: the
/// GetEvent record types, the EOS properties and a third list (`ptp_unpack_EOS_DI`,
/// ptp-pack.c; libgphoto2 calls it `unk`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceInfoEx {
    /// The GetEvent record types the body sends.
    pub events_supported: Vec<EventType>,
    /// The EOS properties the body reports through GetEvent (each a `u32` on the wire).
    pub device_properties_supported: Vec<u32>,
    /// The third list (vcam sends `[1]`).
    pub unknown: Vec<u32>,
}

impl Decode<'_> for DeviceInfoEx {
    const NAME: &'static str = "EOS DeviceInfoEx";
    const MIN_LEN: usize = 16;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut body = read_length_prefixed(r, "EOS DeviceInfoEx")?;
        Ok(Self {
            events_supported: decode_array(&mut body, "DeviceInfoEx events")?,
            device_properties_supported: decode_array(&mut body, "DeviceInfoEx properties")?,
            unknown: decode_array(&mut body, "DeviceInfoEx third list")?,
        })
    }
}

impl Encode for DeviceInfoEx {
    fn encode(&self, out: &mut Vec<u8>) {
        let mut rec = LengthPrefixed::new(out);
        self.events_supported.encode(&mut rec);
        self.device_properties_supported.encode(&mut rec);
        self.unknown.encode(&mut rec);
    }
}

/// Length of the file name field of a [`FolderEntry`].
const FOLDER_ENTRY_NAME_LEN: usize = 16;

/// One entry of GetObjectInfoEx (0x9109) data, which is a PTP array of them (`u32 count`,
/// entries): a 56-byte record `u32 size, u32 handle, u32 storage, u16 format, u16 0, u32 0,
/// u32 flags, u32 size, u32 0, u32 parent, 16-byte file name, u32 time` (libgphoto2 `ptp.c`:
/// `ptp_canon_eos_getobjectinfoex`; `ptp-pack.c`: `ptp_unpack_Canon_EOS_FE`). The words vcam
/// writes as 0 are skipped when read; longer entries are accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderEntry {
    /// The object.
    pub handle: ObjectHandle,
    /// Its storage.
    pub storage: StorageId,
    /// ObjectFormat.
    pub format: ObjectFormatCode,
    /// [`FolderEntry::FOLDER`] or [`FolderEntry::FILE`], plus [`FolderEntry::READ_ONLY`].
    pub flags: u32,
    /// Size in bytes.
    pub size: u32,
    /// Its parent folder.
    pub parent: ObjectHandle,
    /// File name, at most 15 bytes (longer names are cut when written).
    pub name: String,
    /// Modification time, seconds since 1970.
    pub time: u32,
}

impl FolderEntry {
    /// Flag of a folder.
    pub const FOLDER: u32 = 0x10;
    /// Flag of a file.
    pub const FILE: u32 = 0x20;
    /// Flag of a protected object.
    pub const READ_ONLY: u32 = 0x01;
}

impl Decode<'_> for FolderEntry {
    const NAME: &'static str = "EOS folder entry";
    const MIN_LEN: usize = 56;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut e = read_length_prefixed(r, "EOS folder entry")?;
        let handle = ObjectHandle::decode(&mut e)?;
        let storage = StorageId::decode(&mut e)?;
        let format = ObjectFormatCode::decode(&mut e)?;
        e.take(6, "folder entry reserved")?;
        let flags = e.u32("folder entry flags")?;
        let size = e.u32("folder entry size")?;
        e.take(4, "folder entry reserved")?;
        let parent = ObjectHandle::decode(&mut e)?;
        let mut name = Reader::new(e.take(FOLDER_ENTRY_NAME_LEN, "folder entry name")?);
        let name = read_name(&mut name);
        let time = e.u32("folder entry time")?;
        Ok(Self {
            handle,
            storage,
            format,
            flags,
            size,
            parent,
            name,
            time,
        })
    }
}

impl Encode for FolderEntry {
    fn encode(&self, out: &mut Vec<u8>) {
        let mut rec = LengthPrefixed::new(out);
        self.handle.encode(&mut rec);
        self.storage.encode(&mut rec);
        self.format.encode(&mut rec);
        rec.extend_from_slice(&[0; 6]);
        self.flags.encode(&mut rec);
        self.size.encode(&mut rec);
        rec.extend_from_slice(&[0; 4]);
        self.parent.encode(&mut rec);
        let mut name = [0u8; FOLDER_ENTRY_NAME_LEN];
        for (dst, src) in name
            .iter_mut()
            .zip(self.name.bytes().take(FOLDER_ENTRY_NAME_LEN - 1))
        {
            *dst = src;
        }
        rec.extend_from_slice(&name);
        self.time.encode(&mut rec);
    }
}
