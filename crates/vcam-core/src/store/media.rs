//! What a camera knows about its files: the format from the name and the content, the image
//! size from the header, the EXIF thumbnail, and a generated thumbnail when there is none.

use std::io::Cursor;

use bytes::Bytes;
use ptp_types::ObjectFormatCode;

use crate::render::{Canvas, THUMB_HEIGHT, THUMB_WIDTH};

/// The ObjectFormatCode for a file name's extension (ISO 15740:2013 §6.2, table 18; MTP 1.1
/// appendix A for the MTP formats).
#[must_use]
pub fn format_from_name(name: &str) -> ObjectFormatCode {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" | "jpe" => ObjectFormatCode::EXIF_JPEG,
        "jfif" => ObjectFormatCode::JFIF,
        "png" => ObjectFormatCode::PNG,
        "tif" | "tiff" => ObjectFormatCode::TIFF,
        "dng" => ObjectFormatCode::DNG,
        "gif" => ObjectFormatCode::GIF,
        "bmp" => ObjectFormatCode::BMP,
        "jp2" => ObjectFormatCode::JP2,
        "jpx" => ObjectFormatCode::JPX,
        "txt" => ObjectFormatCode::TEXT,
        "htm" | "html" => ObjectFormatCode::HTML,
        "mrk" => ObjectFormatCode::DPOF,
        "aif" | "aiff" => ObjectFormatCode::AIFF,
        "wav" => ObjectFormatCode::WAV,
        "mp3" => ObjectFormatCode::MP3,
        "avi" => ObjectFormatCode::AVI,
        "mpg" | "mpeg" => ObjectFormatCode::MPEG,
        "asf" => ObjectFormatCode::ASF,
        "mov" | "qt" => ObjectFormatCode::QT,
        "mp4" | "m4v" => ObjectFormatCode::MP4_CONTAINER,
        "3gp" => ObjectFormatCode::THREE_GP_CONTAINER,
        "wma" => ObjectFormatCode::WMA,
        "wmv" => ObjectFormatCode::WMV,
        "ogg" => ObjectFormatCode::OGG,
        "aac" => ObjectFormatCode::AAC,
        "flac" => ObjectFormatCode::FLAC,
        "xml" => ObjectFormatCode::XML_DOCUMENT,
        _ => ObjectFormatCode::UNDEFINED,
    }
}

/// Whether the format of a file named `name` depends on its content: images (a `.JPG` may
/// hold a PNG) and names without a known extension. A movie or a text is what its extension
/// says, and is not opened to list it.
#[must_use]
pub fn needs_content(name: &str) -> bool {
    let by_name = format_from_name(name);
    by_name == ObjectFormatCode::UNDEFINED || by_name.is_image()
}

/// The format a file's first bytes show, for the formats that have a signature.
#[must_use]
pub fn sniff_format(head: &[u8]) -> Option<ObjectFormatCode> {
    Some(match head {
        [0xFF, 0xD8, 0xFF, ..] => {
            if exif_tiff(head).is_some() {
                ObjectFormatCode::EXIF_JPEG
            } else {
                ObjectFormatCode::JFIF
            }
        }
        [0x89, b'P', b'N', b'G', ..] => ObjectFormatCode::PNG,
        [b'G', b'I', b'F', b'8', ..] => ObjectFormatCode::GIF,
        [b'B', b'M', ..] => ObjectFormatCode::BMP,
        [b'I', b'I', 42, 0, ..] | [b'M', b'M', 0, 42, ..] => ObjectFormatCode::TIFF,
        _ => return None,
    })
}

/// The format of a file: its content when the content has a signature that agrees with the
/// family the extension names, otherwise the extension. (A `.JPG` without EXIF is still
/// reported as EXIF/JPEG, as cameras do.)
#[must_use]
pub fn object_format(name: &str, head: &[u8]) -> ObjectFormatCode {
    let by_name = format_from_name(name);
    match sniff_format(head) {
        Some(ObjectFormatCode::JFIF) if by_name == ObjectFormatCode::EXIF_JPEG => by_name,
        Some(sniffed) if by_name == ObjectFormatCode::UNDEFINED || by_name.is_image() => sniffed,
        _ => by_name,
    }
}

/// Width and height from a JPEG's SOF marker or a PNG's IHDR, reading only the header.
#[must_use]
pub fn image_size(data: &[u8]) -> Option<(u32, u32)> {
    if let [
        0x89,
        b'P',
        b'N',
        b'G',
        _,
        _,
        _,
        _,
        _,
        _,
        _,
        _,
        b'I',
        b'H',
        b'D',
        b'R',
        w0,
        w1,
        w2,
        w3,
        h0,
        h1,
        h2,
        h3,
        ..,
    ] = *data
    {
        return Some((
            u32::from_be_bytes([w0, w1, w2, w3]),
            u32::from_be_bytes([h0, h1, h2, h3]),
        ));
    }
    let mut segments = JpegSegments::new(data)?;
    segments.find_map(|(marker, body)| match (marker, body) {
        (0xC0..=0xCF, [_, h0, h1, w0, w1, ..]) if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => Some((
            u32::from(u16::from_be_bytes([*w0, *w1])),
            u32::from(u16::from_be_bytes([*h0, *h1])),
        )),
        _ => None,
    })
}

/// One marker segment of a JPEG header: its marker byte and its whole bytes (`FF`, marker,
/// length, body).
pub type JpegSegment<'a> = (u8, &'a [u8]);

/// A JPEG cut at its start of scan: the marker segments between SOI and SOS, each whole
/// (`FF`, marker, length, body) with its marker byte, in order, and the rest from the SOS
/// marker to the end, all borrowed from `data`. A body that reorders or drops header segments
/// (Sony live view sends no application segments and its quantisation tables first, so that
/// clients find frames by scanning for `FF D8 FF DB`) writes SOI, the segments it keeps, then
/// the rest, without copying the compressed data. `None` when `data` is not a JPEG or a
/// segment is cut short.
#[must_use]
pub fn jpeg_header_segments(data: &[u8]) -> Option<(Vec<JpegSegment<'_>>, &[u8])> {
    let [0xFF, 0xD8, after_soi @ ..] = data else {
        return None;
    };
    let mut rest = after_soi;
    let mut segments = Vec::new();
    loop {
        // Fill bytes before a marker (ITU T.81 §B.1.1.2).
        while let [0xFF, 0xFF, ..] = rest {
            rest = rest.get(1..)?;
        }
        match *rest {
            [0xFF, 0xDA, ..] => return Some((segments, rest)),
            [0xFF, marker, len0, len1, ..] if marker != 0xD9 && marker != 0x00 => {
                let len = usize::from(u16::from_be_bytes([len0, len1]));
                segments.push((marker, rest.get(..2 + len)?));
                rest = rest.get(2 + len..)?;
            }
            _ => return None,
        }
    }
}

/// Whether a JPEG is baseline sequential (its frame header is SOF0, ITU T.81 §B.2.2), the
/// kind every decoder reads.
#[must_use]
pub fn is_baseline_jpeg(data: &[u8]) -> bool {
    JpegSegments::new(data).is_some_and(|mut segments| {
        segments.find_map(|(marker, _)| match marker {
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => Some(marker == 0xC0),
            _ => None,
        }) == Some(true)
    })
}

/// Any picture the `image` crate decodes, encoded again as a baseline JPEG of `quality`
/// (its segments: SOI, the encoder's JFIF APP0, DQT, SOF0, DHT, SOS).
#[must_use]
pub fn reencode_baseline_jpeg(data: &[u8], quality: u8) -> Option<Bytes> {
    let reader = image::ImageReader::new(Cursor::new(data))
        .with_guessed_format()
        .ok()?;
    let rgb = reader.decode().ok()?.to_rgb8();
    let mut canvas = Canvas::new(rgb.width(), rgb.height());
    for (x, y, p) in rgb.enumerate_pixels() {
        canvas.fill(x as usize, y as usize, 1, 1, p.0);
    }
    canvas.encode_jpeg(quality, None).ok().map(Bytes::from)
}

/// Iterates over the marker segments of a JPEG up to the start of scan: (marker, body).
struct JpegSegments<'a> {
    rest: &'a [u8],
}

impl<'a> JpegSegments<'a> {
    fn new(data: &'a [u8]) -> Option<Self> {
        match data {
            [0xFF, 0xD8, rest @ ..] => Some(Self { rest }),
            _ => None,
        }
    }
}

impl<'a> Iterator for JpegSegments<'a> {
    type Item = (u8, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        // Fill bytes: a run of 0xFF before the marker byte (ITU T.81 §B.1.1.2).
        while let [0xFF, 0xFF, ..] = self.rest {
            self.rest = self.rest.get(1..)?;
        }
        let [0xFF, marker, len0, len1, ..] = *self.rest else {
            return None;
        };
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([len0, len1]));
        let body = self.rest.get(4..2 + len)?;
        self.rest = self.rest.get(2 + len..)?;
        Some((marker, body))
    }
}

/// How many bytes from the start of a JPEG are needed to read its header up to the frame
/// header (SOF), when `data` ends before it: the marker segments are walked as far as `data`
/// goes, and the answer is the end of the segment that runs past it plus the next marker. `None`
/// when `data` holds the frame header, reaches the scan or is not a JPEG. A reader asks for a
/// few KiB, then for exactly this many bytes, instead of a fixed large head.
#[must_use]
pub fn jpeg_bytes_needed(data: &[u8]) -> Option<usize> {
    let [0xFF, 0xD8, ..] = data else {
        return None;
    };
    let mut at = 2usize;
    loop {
        // Fill bytes before a marker (ITU T.81 §B.1.1.2).
        while data.get(at..at + 2) == Some(&[0xFF, 0xFF]) {
            at += 1;
        }
        let Some(&[0xFF, marker, len0, len1]) = data.get(at..at + 4) else {
            return (data.get(at) == Some(&0xFF) || at >= data.len()).then_some(at + 4);
        };
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let end = at + 2 + usize::from(u16::from_be_bytes([len0, len1]));
        let frame_header = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if frame_header {
            return (end > data.len()).then_some(end);
        }
        if end + 4 > data.len() {
            return Some(end + 4);
        }
        at = end;
    }
}

/// The TIFF structure inside a JPEG's APP1 "Exif" segment.
fn exif_tiff(data: &[u8]) -> Option<&[u8]> {
    JpegSegments::new(data)?.find_map(|(marker, body)| match body {
        [b'E', b'x', b'i', b'f', 0, 0, tiff @ ..] if marker == 0xE1 => Some(tiff),
        _ => None,
    })
}

/// The JPEG thumbnail stored in a JPEG's EXIF IFD1 (JPEGInterchangeFormat and
/// JPEGInterchangeFormatLength, Exif 2.3 §4.6.5), borrowed from `data`.
#[must_use]
pub fn exif_thumbnail(data: &[u8]) -> Option<&[u8]> {
    let tiff = exif_tiff(data)?;
    let le = match tiff.get(..4)? {
        b"II*\0" => true,
        b"MM\0*" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(at..at + 2)?.try_into().ok()?;
        Some(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(at..at + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let ifd0 = usize::try_from(u32_at(4)?).ok()?;
    let n0 = usize::from(u16_at(ifd0)?);
    let ifd1 = usize::try_from(u32_at(ifd0 + 2 + n0 * 12)?).ok()?;
    if ifd1 == 0 {
        return None;
    }
    let n1 = usize::from(u16_at(ifd1)?);
    let (mut offset, mut length) = (None, None);
    for i in 0..n1 {
        let e = ifd1 + 2 + i * 12;
        match u16_at(e)? {
            0x0201 => offset = Some(u32_at(e + 8)?),
            0x0202 => length = Some(u32_at(e + 8)?),
            _ => {}
        }
    }
    let start = usize::try_from(offset?).ok()?;
    let len = usize::try_from(length?).ok()?;
    let thumb = tiff.get(start..start.checked_add(len)?)?;
    thumb.starts_with(&[0xFF, 0xD8]).then_some(thumb)
}

/// Most bytes of a file read to learn its image size and EXIF thumbnail (an EXIF segment is at
/// most 64 KiB; the frame header follows the application segments).
pub const MAX_HEADER_LEN: usize = 128 * 1024;

/// Largest file a thumbnail is generated for (decoding needs the whole picture in memory).
pub const MAX_THUMBNAIL_SOURCE: u64 = 64 * 1024 * 1024;

/// Makes a 160x120 JPEG thumbnail of an image the `image` crate can decode, letterboxed.
#[must_use]
pub fn make_thumbnail(data: &[u8]) -> Option<Bytes> {
    let reader = image::ImageReader::new(Cursor::new(data))
        .with_guessed_format()
        .ok()?;
    let img = reader.decode().ok()?;
    let small = img.thumbnail(THUMB_WIDTH, THUMB_HEIGHT).to_rgb8();
    let mut canvas = Canvas::new(THUMB_WIDTH, THUMB_HEIGHT);
    let x0 = (THUMB_WIDTH - small.width()) / 2;
    let y0 = (THUMB_HEIGHT - small.height()) / 2;
    for (x, y, p) in small.enumerate_pixels() {
        canvas.fill((x0 + x) as usize, (y0 + y) as usize, 1, 1, p.0);
    }
    canvas.encode_jpeg(75, None).ok().map(Bytes::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name_and_content() {
        assert_eq!(
            format_from_name("IMG_0001.JPG"),
            ObjectFormatCode::EXIF_JPEG
        );
        assert_eq!(format_from_name("clip.MOV"), ObjectFormatCode::QT);
        assert_eq!(format_from_name("noext"), ObjectFormatCode::UNDEFINED);
        assert_eq!(
            object_format("x.bin", b"\x89PNG\r\n\x1a\n"),
            ObjectFormatCode::PNG
        );
        assert_eq!(
            object_format("x.jpg", &[0xFF, 0xD8, 0xFF, 0xE0]),
            ObjectFormatCode::EXIF_JPEG
        );
        assert_eq!(
            object_format("notes.txt", &[0xFF, 0xD8, 0xFF]),
            ObjectFormatCode::TEXT
        );
    }

    #[test]
    fn the_jpeg_header_length_is_found_from_the_segments() {
        // SOI, APP1 of 0x1000 bytes, then SOF0.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x10, 0x00];
        jpeg.resize(2 + 2 + 0x1000, 0);
        jpeg.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 8, 0x01, 0xE0, 0x02, 0x80]);
        jpeg.resize(jpeg.len() + 12, 0);
        assert_eq!(jpeg_bytes_needed(&jpeg[..64]), Some(0x1004 + 4));
        assert_eq!(jpeg_bytes_needed(&jpeg[..0x1008]), Some(0x1004 + 2 + 0x11));
        assert_eq!(jpeg_bytes_needed(&jpeg[..0x1004 + 2 + 0x11]), None);
        assert_eq!(image_size(&jpeg[..0x1004 + 2 + 0x11]), Some((640, 480)));
        assert_eq!(jpeg_bytes_needed(&jpeg[..3]), Some(6));
        assert_eq!(jpeg_bytes_needed(b"\x89PNG"), None);
        assert_eq!(jpeg_bytes_needed(&[0; 4096]), None);
    }

    #[test]
    fn header_segments_and_baseline_are_recognised() {
        let mut canvas = Canvas::new(64, 48);
        canvas.pattern(3, 0);
        let exif = crate::render::exif_segment("Make", "Model", None, &[]);
        let jpeg = canvas.encode_jpeg(80, exif).unwrap();
        let (segments, scan) = jpeg_header_segments(&jpeg).unwrap();
        let markers: Vec<u8> = segments.iter().map(|(m, _)| *m).collect();
        assert_eq!(&markers[..2], &[0xE0, 0xE1], "JFIF, then the EXIF segment");
        assert!(markers.contains(&0xDB) && markers.contains(&0xC0) && markers.contains(&0xC4));
        assert_eq!(&scan[..2], &[0xFF, 0xDA]);
        // Without application segments, tables first: still the same picture.
        let mut bare = vec![0xFF, 0xD8];
        for (marker, bytes) in segments.iter().filter(|(m, _)| *m == 0xDB) {
            assert_eq!(bytes[1], *marker);
            bare.extend_from_slice(bytes);
        }
        for (_, bytes) in segments
            .iter()
            .filter(|(m, _)| !matches!(m, 0xDB | 0xE0..=0xEF))
        {
            bare.extend_from_slice(bytes);
        }
        bare.extend_from_slice(scan);
        assert_eq!(&bare[..4], &[0xFF, 0xD8, 0xFF, 0xDB]);
        assert_eq!(image_size(&bare), Some((64, 48)));
        assert!(is_baseline_jpeg(&jpeg) && is_baseline_jpeg(&bare));
        assert_eq!(jpeg_header_segments(&jpeg[..5]), None);
        assert_eq!(jpeg_header_segments(b"GIF89a"), None);
        let again = reencode_baseline_jpeg(&bare, 80).unwrap();
        assert!(is_baseline_jpeg(&again));
        assert_eq!(image_size(&again), Some((64, 48)));
        assert!(!is_baseline_jpeg(b"\xFF\xD8\xFF\xC2\x00\x02"));
    }

    #[test]
    fn garbage_is_not_an_image() {
        assert_eq!(image_size(b""), None);
        assert_eq!(image_size(&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF]), None);
        assert_eq!(
            exif_thumbnail(&[
                0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x08, b'E', b'x', b'i', b'f', 0, 0
            ]),
            None
        );
    }
}
