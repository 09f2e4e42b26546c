//! The value structures: ImageFormat (`ptp_unpack_EOS_ImageFormat`) and FocusInfoEx
//! (`ptp_unpack_EOS_FocusInfoEx`), libgphoto2 `camlibs/ptp2/ptp-pack.c`.

use std::borrow::Cow;

use ptp_codec::{Decode, DecodeError, Encode, LengthPrefixed, Reader, read_length_prefixed};

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

    /// Full-size RAW, optionally with a JPEG.
    #[must_use]
    pub const fn raw(jpeg: Option<(u32, u32)>) -> Self {
        Self::raw_sized(0, jpeg)
    }

    /// RAW of `size` (0 RAW, 1 M-RAW, 2 S-RAW), optionally with a JPEG.
    #[must_use]
    pub const fn raw_sized(size: u32, jpeg: Option<(u32, u32)>) -> Self {
        let second = match jpeg {
            Some((size, compression)) => Some((1, size, compression)),
            None => None,
        };
        Self {
            files: [Some((6, size, 4)), second],
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
