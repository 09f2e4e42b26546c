//! The EOS event stream (GetEvent 0x9116 data) and the viewfinder data (GetViewFinderData
//! 0x9153) record formats, as libgphoto2 parses them (`camlibs/ptp2/ptp-pack.c`:
//! `ptp_unpack_CANON_changes`; `camlibs/ptp2/library.c`: `camera_canon_eos_capture_preview`).
//!
//! Both are sequences of records `u32 size (header included) | u32 type | payload`, little
//! endian. An event list always ends with the 8-byte terminator record (size 8, type 0):
//! libgphoto2 decodes a record only when 8 more bytes follow it.

use crate::codes::{EventType, event};

/// An EOS ImageFormat value: one or two files per shot, each `(type, size, compression)`
/// (type 1 JPEG, 6 RAW; size 0 L, 1 M, 0xE S1, 0xF S2, 0x10 S3; compression 2 normal,
/// 3 fine, 4 lossless). Encoded as `u32 count, count × (u32 0x10, type, size, compression)`
/// (`ptp_unpack_EOS_ImageFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageFormat {
    /// The files written per shot (the second `None` for a single file).
    pub files: [Option<(u32, u32, u32)>; 2],
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

    /// The wire form.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let files: Vec<(u32, u32, u32)> = self.files.iter().flatten().copied().collect();
        let mut out = Vec::with_capacity(4 + 16 * files.len());
        out.extend_from_slice(&(files.len() as u32).to_le_bytes());
        for (t, s, c) in files {
            for v in [0x10, t, s, c] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }

    /// Reads the wire form; `None` when malformed.
    #[must_use]
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let word = |i: usize| {
            bytes
                .get(i * 4..i * 4 + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(u32::from_le_bytes)
        };
        let n = word(0)?;
        if n != 1 && n != 2 {
            return None;
        }
        let mut files = [None, None];
        for (k, slot) in files.iter_mut().enumerate().take(n as usize) {
            let base = 1 + 4 * k;
            if word(base)? != 0x10 {
                return None;
            }
            *slot = Some((word(base + 1)?, word(base + 2)?, word(base + 3)?));
        }
        Some(Self { files })
    }
}

/// One AF point `(x, y, width, height)` in FocusInfoEx coordinates (centre origin).
pub type AfPoint = (i16, i16, i16, i16);

/// FocusInfoEx (0xD1D3): the AF points of the body and which of them found focus, as
/// libgphoto2 decodes it (`camlibs/ptp2/ptp-pack.c`: `ptp_unpack_EOS_FocusInfoEx`). Layout:
/// `u32 size, u16 size-4, u16 version, u16 points in struct, u16 points in use, u16 width,
/// u16 height, u16 width2, u16 height2`, then four arrays of `points` i16 (h, w, x, y), the
/// selection bitmask and trailing bytes. `camera_trigger_canon_eos_capture` (library.c) waits
/// after the half press until a FocusInfoEx with a selection arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FocusInfo {
    /// Structure version (4 on the 1300D).
    pub version: u16,
    /// Coordinate space (the sensor size in pixels).
    pub size: (u16, u16),
    /// The AF points as `(x, y, w, h)`, centre origin.
    pub points: &'static [AfPoint],
    /// Bitmask of the points in focus (bit n = point n).
    pub selected: u32,
    /// Bytes after the selection bitmask (the 1300D sends `ff 01 00 00 ff ff`).
    pub trailer: &'static [u8],
}

impl FocusInfo {
    /// The wire form.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let n = self.points.len().min(32);
        let mask_len = n.div_ceil(8);
        let size = 20 + 8 * n + mask_len + self.trailer.len();
        let mut out = Vec::with_capacity(size);
        out.extend_from_slice(&(size as u32).to_le_bytes());
        for v in [
            (size as u16).wrapping_sub(4),
            self.version,
            n as u16,
            n as u16,
            self.size.0,
            self.size.1,
            self.size.0,
            self.size.1,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        let points = &self.points[..n];
        // Arrays in the order h, w, x, y.
        for column in [3, 2, 0, 1] {
            for &(x, y, w, h) in points {
                let v = [x, y, w, h][column];
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out.extend_from_slice(&self.selected.to_le_bytes()[..mask_len]);
        out.extend_from_slice(self.trailer);
        out
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
    /// A NUL-terminated 8-bit string (Owner, Artist, LensName, ...).
    Str(String),
    /// An ImageFormat structure.
    ImageFormat(ImageFormat),
    /// A FocusInfoEx structure.
    FocusInfo(FocusInfo),
}

impl EosValue {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::U32(v) => out.extend_from_slice(&v.to_le_bytes()),
            Self::Str(s) => {
                out.extend_from_slice(s.as_bytes());
                out.push(0);
            }
            Self::ImageFormat(f) => out.extend_from_slice(&f.encode()),
            Self::FocusInfo(f) => out.extend_from_slice(&f.encode()),
        }
    }
}

/// One record of the GetEvent list (record types and offsets as `ptp_unpack_CANON_changes`
/// in libgphoto2's `ptp-pack.c` reads them).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EosEvent {
    /// 0xC189: a property's current value.
    PropValueChanged {
        /// Property code.
        prop: u32,
        /// Its value.
        value: EosValue,
    },
    /// 0xC18A: a property's available values (form type 3, enumeration). Must follow that
    /// property's PropValueChanged.
    AvailListChanged {
        /// Property code.
        prop: u32,
        /// The values.
        values: Vec<EosValue>,
    },
    /// 0xC181: a new object on the card.
    ObjectAddedEx {
        /// Its handle.
        handle: u32,
        /// Its storage.
        storage: u32,
        /// Its parent folder.
        parent: u32,
        /// ObjectFormat.
        format: u16,
        /// Size in bytes.
        size: u32,
        /// File name.
        name: String,
    },
    /// 0xC186: a picture waits in camera memory for the host (capture to PC).
    RequestObjectTransfer {
        /// Its handle.
        handle: u32,
        /// ObjectFormat.
        format: u16,
        /// Size in bytes.
        size: u32,
        /// File name.
        name: String,
    },
    /// 0xC182: an object was removed (`@8 handle`).
    ObjectRemoved(u32),
    /// 0xC18B: camera status (1 busy, 0 idle).
    CameraStatusChanged(u32),
    /// 0xC1A4: the end of the initial property dump.
    InfoCheckComplete,
}

fn record(out: &mut Vec<u8>, kind: EventType, body: &[u8]) {
    out.extend_from_slice(&((8 + body.len()) as u32).to_le_bytes());
    out.extend_from_slice(&kind.0.to_le_bytes());
    out.extend_from_slice(body);
}

fn c_string(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

impl EosEvent {
    /// Appends this record.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let mut b = Vec::with_capacity(64);
        match self {
            Self::PropValueChanged { prop, value } => {
                b.extend_from_slice(&prop.to_le_bytes());
                value.encode(&mut b);
                record(out, event::PROP_VALUE_CHANGED, &b);
            }
            Self::AvailListChanged { prop, values } => {
                b.extend_from_slice(&prop.to_le_bytes());
                b.extend_from_slice(&3u32.to_le_bytes());
                b.extend_from_slice(&(values.len() as u32).to_le_bytes());
                for v in values {
                    v.encode(&mut b);
                }
                record(out, event::AVAIL_LIST_CHANGED, &b);
            }
            Self::ObjectAddedEx {
                handle,
                storage,
                parent,
                format,
                size,
                name,
            } => {
                // @8 handle, @0x0C storage, @0x10 format, @0x1C size, @0x20 parent, @0x28 name.
                let mut body = vec![0u8; 0x28 - 8];
                body[0..4].copy_from_slice(&handle.to_le_bytes());
                body[4..8].copy_from_slice(&storage.to_le_bytes());
                body[8..10].copy_from_slice(&format.to_le_bytes());
                body[20..24].copy_from_slice(&size.to_le_bytes());
                body[24..28].copy_from_slice(&parent.to_le_bytes());
                body.extend_from_slice(&c_string(name));
                record(out, event::OBJECT_ADDED_EX, &body);
            }
            Self::RequestObjectTransfer {
                handle,
                format,
                size,
                name,
            } => {
                // @8 handle, @0x0C format, @0x14 size, @0x1C name.
                let mut body = vec![0u8; 0x1C - 8];
                body[0..4].copy_from_slice(&handle.to_le_bytes());
                body[4..6].copy_from_slice(&format.to_le_bytes());
                body[12..16].copy_from_slice(&size.to_le_bytes());
                body.extend_from_slice(&c_string(name));
                record(out, event::REQUEST_OBJECT_TRANSFER, &body);
            }
            Self::ObjectRemoved(handle) => {
                record(out, event::OBJECT_REMOVED, &handle.to_le_bytes());
            }
            Self::CameraStatusChanged(status) => {
                record(out, event::CAMERA_STATUS_CHANGED, &status.to_le_bytes())
            }
            Self::InfoCheckComplete => record(
                out,
                event::INFO_CHECK_COMPLETE,
                &0x0002_0001u32.to_le_bytes(),
            ),
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
    record(&mut out, event::TERMINATOR, &[]);
    out
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
}
