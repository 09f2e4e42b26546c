//! Test card pictures: what the virtual sensor "sees".
//!
//! A test card is colour bars, a gradient and a block of text (model, counter, time, current
//! exposure settings) drawn with an 8x8 bitmap font, encoded as a baseline JPEG with an EXIF
//! APP1 segment (Make, Model, DateTime and a 160x120 JPEG thumbnail in IFD1, as cameras write
//! them: CIPA DC-008 Exif 2.3 §4.5.8).

use bytes::Bytes;
use font8x8::UnicodeFonts;
use jpeg_encoder::{ColorType, Encoder};
use ptp_types::{DateTime, DevicePropCode};

use crate::props::Properties;

/// Width of the EXIF thumbnail.
pub const THUMB_WIDTH: u32 = 160;
/// Height of the EXIF thumbnail.
pub const THUMB_HEIGHT: u32 = 120;
/// JPEG quality of captures.
const QUALITY: u8 = 85;

/// What to draw.
#[derive(Debug, Clone, Copy)]
pub struct TestCard<'a> {
    /// Width in pixels (1 to 65535).
    pub width: u32,
    /// Height in pixels (1 to 65535).
    pub height: u32,
    /// Text lines, drawn top to bottom.
    pub lines: &'a [String],
    /// Varies the colours and the pattern's phase, so consecutive pictures differ.
    pub seed: u64,
    /// EXIF Make.
    pub make: &'a str,
    /// EXIF Model.
    pub model: &'a str,
    /// EXIF DateTime.
    pub time: Option<DateTime>,
}

/// Rendering failed (a size the JPEG format cannot hold, or an encoder error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rendering a {width}x{height} test card: {reason}")]
pub struct RenderError {
    width: u32,
    height: u32,
    reason: String,
}

/// An RGB picture being drawn.
#[derive(Debug, Clone)]
pub struct Canvas {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Canvas {
    /// A black canvas.
    #[must_use]
    pub fn new(width: u32, height: u32) -> Self {
        let (width, height) = (width as usize, height as usize);
        Self {
            width,
            height,
            rgb: vec![0; width * height * 3],
        }
    }

    /// Colour bars over the top two thirds (shifted by `phase` pixels) and a grey gradient
    /// below.
    pub fn pattern(&mut self, seed: u64, phase: usize) {
        const BARS: [[u8; 3]; 8] = [
            [235, 235, 235],
            [235, 235, 16],
            [16, 235, 235],
            [16, 235, 16],
            [235, 16, 235],
            [235, 16, 16],
            [16, 16, 235],
            [16, 16, 16],
        ];
        let tint = (seed % 64) as u8;
        let split = self.height * 2 / 3;
        let bar_w = (self.width / 8).max(1);
        for (y, row) in self.rgb.chunks_exact_mut(self.width * 3).enumerate() {
            for (x, px) in row.chunks_exact_mut(3).enumerate() {
                let c = if y < split {
                    let bar = BARS[((x + phase) / bar_w) % 8];
                    [
                        bar[0].saturating_sub(tint),
                        bar[1],
                        bar[2].saturating_add(tint / 2),
                    ]
                } else {
                    let g = ((x + phase) * 255 / self.width.max(1)) as u8;
                    [g, g, g]
                };
                px.copy_from_slice(&c);
            }
        }
    }

    /// Fills a rectangle, clipped to the canvas.
    pub fn fill(&mut self, x: usize, y: usize, w: usize, h: usize, color: [u8; 3]) {
        let x1 = (x + w).min(self.width);
        for yy in y..(y + h).min(self.height) {
            let start = (yy * self.width + x.min(x1)) * 3;
            let end = (yy * self.width + x1) * 3;
            if let Some(row) = self.rgb.get_mut(start..end) {
                for px in row.chunks_exact_mut(3) {
                    px.copy_from_slice(&color);
                }
            }
        }
    }

    /// Draws `text` at (x, y) with the 8x8 font magnified `scale` times, clipped.
    pub fn text(&mut self, x: usize, y: usize, scale: usize, text: &str, color: [u8; 3]) {
        let scale = scale.max(1);
        for (i, ch) in text.chars().enumerate() {
            let glyph = font8x8::BASIC_FONTS
                .get(ch)
                .or_else(|| font8x8::LATIN_FONTS.get(ch))
                .unwrap_or([0xFF; 8]);
            let gx = x + i * 8 * scale;
            if gx >= self.width {
                break;
            }
            for (row, bits) in glyph.iter().enumerate() {
                for col in 0..8 {
                    if bits & (1 << col) != 0 {
                        self.fill(gx + col * scale, y + row * scale, scale, scale, color);
                    }
                }
            }
        }
    }

    /// Draws a block of text lines on a dark panel, as large as fits.
    pub fn text_block(&mut self, lines: &[String]) {
        let longest = lines
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
            .max(1);
        let n = lines.len().max(1);
        let scale = (self.width / ((longest + 2) * 8))
            .min(self.height / ((n + 2) * 10))
            .clamp(1, 8);
        let line_h = 10 * scale;
        let panel_h = n * line_h + 2 * scale;
        let y0 = self.height.saturating_sub(panel_h) / 2;
        let x0 = 8 * scale;
        self.fill(x0 / 2, y0, (longest * 8 + 8) * scale, panel_h, [0, 0, 0]);
        for (i, line) in lines.iter().enumerate() {
            self.text(x0, y0 + scale + i * line_h, scale, line, [255, 255, 255]);
        }
    }

    /// Encodes the canvas as a baseline JPEG, with an optional APP1 segment.
    ///
    /// # Errors
    /// When the size does not fit a JPEG (65535 pixels a side) or the encoder fails.
    pub fn encode_jpeg(&self, quality: u8, app1: Option<Vec<u8>>) -> Result<Vec<u8>, RenderError> {
        let err = |reason: String| RenderError {
            width: self.width as u32,
            height: self.height as u32,
            reason,
        };
        let w = u16::try_from(self.width).map_err(|_| err("width above 65535".into()))?;
        let h = u16::try_from(self.height).map_err(|_| err("height above 65535".into()))?;
        if w == 0 || h == 0 {
            return Err(err("empty picture".into()));
        }
        let mut out = Vec::with_capacity(self.rgb.len() / 8);
        let mut encoder = Encoder::new(&mut out, quality);
        if let Some(segment) = app1 {
            encoder
                .add_app_segment(1, segment)
                .map_err(|e| err(e.to_string()))?;
        }
        encoder
            .encode(&self.rgb, w, h, ColorType::Rgb)
            .map_err(|e| err(e.to_string()))?;
        Ok(out)
    }
}

/// Renders a test card as a JPEG with EXIF data and thumbnail.
///
/// # Errors
/// When the size is not representable in a JPEG.
pub fn test_card_jpeg(card: &TestCard<'_>) -> Result<Bytes, RenderError> {
    let mut thumb = Canvas::new(THUMB_WIDTH, THUMB_HEIGHT);
    thumb.pattern(card.seed, (card.seed as usize * 7) % 160);
    thumb.text_block(&card.lines[..card.lines.len().min(3)]);
    let thumb_jpeg = thumb.encode_jpeg(70, None)?;

    let mut canvas = Canvas::new(card.width, card.height);
    canvas.pattern(
        card.seed,
        (card.seed as usize * 37) % card.width.max(1) as usize,
    );
    canvas.text_block(card.lines);
    let exif = exif_segment(card.make, card.model, card.time, &thumb_jpeg);
    canvas.encode_jpeg(QUALITY, exif).map(Bytes::from)
}

/// Builds an APP1 "Exif" segment body: a little-endian TIFF structure with IFD0 (Make, Model,
/// DateTime) and IFD1 (the JPEG thumbnail), or `None` if it would not fit a segment.
#[must_use]
pub fn exif_segment(
    make: &str,
    model: &str,
    time: Option<DateTime>,
    thumbnail: &[u8],
) -> Option<Vec<u8>> {
    fn ascii(s: &str) -> Vec<u8> {
        let mut v: Vec<u8> = s.bytes().filter(u8::is_ascii).collect();
        v.push(0);
        v
    }
    let time = time.map_or_else(String::new, |t| {
        format!(
            "{:04}:{:02}:{:02} {:02}:{:02}:{:02}",
            t.year, t.month, t.day, t.hour, t.minute, t.second
        )
    });
    let strings = [
        (0x010F_u16, ascii(make)),
        (0x0110, ascii(model)),
        (0x0132, ascii(&time)),
    ];

    // Layout: header (8) | IFD0 (2 + 3*12 + 4) | IFD1 (2 + 3*12 + 4) | string data | thumbnail.
    let ifd_len = 2 + 3 * 12 + 4;
    let ifd0 = 8;
    let ifd1 = ifd0 + ifd_len;
    let mut data_at = ifd1 + ifd_len;
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&(ifd0 as u32).to_le_bytes());
    let mut data = Vec::new();
    let entry = |out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
    };
    tiff.extend_from_slice(&3u16.to_le_bytes());
    for (tag, bytes) in &strings {
        let count = u32::try_from(bytes.len()).ok()?;
        if bytes.len() <= 4 {
            let mut v = [0u8; 4];
            v.get_mut(..bytes.len())?.copy_from_slice(bytes);
            entry(&mut tiff, *tag, 2, count, u32::from_le_bytes(v));
        } else {
            entry(&mut tiff, *tag, 2, count, u32::try_from(data_at).ok()?);
            data.extend_from_slice(bytes);
            data_at += bytes.len();
        }
    }
    tiff.extend_from_slice(&(ifd1 as u32).to_le_bytes());
    // IFD1: Compression = 6 (JPEG), JPEGInterchangeFormat, JPEGInterchangeFormatLength.
    tiff.extend_from_slice(&3u16.to_le_bytes());
    entry(&mut tiff, 0x0103, 3, 1, 6);
    entry(&mut tiff, 0x0201, 4, 1, u32::try_from(data_at).ok()?);
    entry(
        &mut tiff,
        0x0202,
        4,
        1,
        u32::try_from(thumbnail.len()).ok()?,
    );
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(&data);
    tiff.extend_from_slice(thumbnail);

    let mut segment = b"Exif\0\0".to_vec();
    segment.extend_from_slice(&tiff);
    (segment.len() <= 65533).then_some(segment)
}

/// Text lines describing the standard exposure settings (FNumber, ExposureTime,
/// ExposureIndex, ExposureBiasCompensation, WhiteBalance), as burned into captures and live
/// view frames when the vendor extension has no text of its own.
#[must_use]
pub fn settings_lines(props: &Properties) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::media;

    #[test]
    fn test_card_is_a_jpeg_with_an_exif_thumbnail() {
        let lines = vec!["vcam".to_string(), "IMG_0001.JPG".to_string()];
        let card = TestCard {
            width: 320,
            height: 240,
            lines: &lines,
            seed: 1,
            make: "vcam",
            model: "Generic",
            time: "20261123T101500".parse().ok(),
        };
        let jpeg = test_card_jpeg(&card).unwrap();
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
        assert_eq!(media::image_size(&jpeg), Some((320, 240)));
        let thumb = media::exif_thumbnail(&jpeg).unwrap();
        assert_eq!(media::image_size(thumb), Some((THUMB_WIDTH, THUMB_HEIGHT)));
        let decoded = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (320, 240));
        let other = test_card_jpeg(&TestCard { seed: 2, ..card }).unwrap();
        assert_ne!(jpeg, other);
    }
}
