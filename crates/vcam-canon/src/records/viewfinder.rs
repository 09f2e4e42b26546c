//! The GetViewFinderData (0x9153) records and their types. libgphoto2 (`library.c`:
//! `camera_capture_preview`) saves the first record of type 1, 9 or 11 and skips the others by
//! their length; the metadata types follow the records of a real body's answer kept by vcam's
//! C original (`bin/eos_liveview.jpg`: types 4, 5, 6 after the JPEG).

use ptp_codec::{Decode, DecodeError, Encode, LengthPrefixed, Reader, read_length_prefixed};

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
            Self::Jpeg(_) => JPEG,
            Self::Zoom(_) => ZOOM,
            Self::ZoomPosition { .. } => ZOOM_POSITION,
            Self::HistogramStatus(_) => HISTOGRAM_STATUS,
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
            (JPEG, _) => Self::Jpeg(payload),
            (ZOOM, 4) => word(0).map_or(Self::Other { kind, payload }, Self::Zoom),
            (ZOOM_POSITION, 8) => match (word(0), word(1)) {
                (Some(x), Some(y)) => Self::ZoomPosition { x, y },
                _ => Self::Other { kind, payload },
            },
            (HISTOGRAM_STATUS, 4) => {
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
