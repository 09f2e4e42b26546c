//! Recorded live view: a folder of JPEG files or a Motion JPEG file, played in a loop.

use std::fs;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use super::{Frame, FrameError, FrameSource};
use crate::store::media;

/// Largest number of frames loaded from a folder or file.
pub const MAX_FRAMES: usize = 10_000;
/// Largest total size of loaded frames.
pub const MAX_TOTAL_BYTES: u64 = 512 * 1024 * 1024;

/// Frames held in memory, shown in a loop at a fixed rate.
#[derive(Debug, Clone)]
struct Playlist {
    frames: Vec<Bytes>,
    width: u32,
    height: u32,
    fps: u32,
}

impl Playlist {
    fn new(frames: Vec<Bytes>, fps: u32, what: &str) -> Result<Self, FrameError> {
        let first = frames
            .first()
            .ok_or_else(|| FrameError(format!("{what}: no JPEG frames")))?;
        let (width, height) = media::image_size(first)
            .ok_or_else(|| FrameError(format!("{what}: the first frame has no JPEG size")))?;
        Ok(Self {
            frames,
            width,
            height,
            fps: fps.max(1),
        })
    }

    fn frame(&self, now: SystemTime) -> Result<Frame, FrameError> {
        let micros = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros());
        let slot = micros * u128::from(self.fps) / 1_000_000;
        let n = self.frames.len().max(1) as u128;
        let index = usize::try_from(slot % n).unwrap_or(0);
        let jpeg = self
            .frames
            .get(index)
            .cloned()
            .ok_or_else(|| FrameError("no frames".into()))?;
        Ok(Frame {
            jpeg,
            number: u64::try_from(slot).unwrap_or(u64::MAX),
            width: self.width,
            height: self.height,
        })
    }
}

/// Plays the `*.jpg` files of a folder, in name order.
#[derive(Debug, Clone)]
pub struct JpegFolderFrames(Playlist);

impl JpegFolderFrames {
    /// Loads the JPEG files of `dir` (at most [`MAX_FRAMES`], [`MAX_TOTAL_BYTES`] in all).
    ///
    /// # Errors
    /// When the folder cannot be read or holds no JPEG.
    pub fn load(dir: &Path, fps: u32) -> Result<Self, FrameError> {
        let what = dir.display().to_string();
        let mut paths: Vec<_> = fs::read_dir(dir)
            .map_err(|e| FrameError(format!("{what}: {e}")))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|e| {
                    e.eq_ignore_ascii_case("jpg") || e.eq_ignore_ascii_case("jpeg")
                })
            })
            .collect();
        paths.sort();
        let mut frames = Vec::new();
        let mut total = 0u64;
        for path in paths.into_iter().take(MAX_FRAMES) {
            let data =
                fs::read(&path).map_err(|e| FrameError(format!("{}: {e}", path.display())))?;
            total += data.len() as u64;
            if total > MAX_TOTAL_BYTES {
                break;
            }
            if data.starts_with(&[0xFF, 0xD8]) {
                frames.push(Bytes::from(data));
            }
        }
        Playlist::new(frames, fps, &what).map(Self)
    }
}

impl FrameSource for JpegFolderFrames {
    fn frame(&mut self, now: SystemTime, _overlay: &[String]) -> Result<Frame, FrameError> {
        self.0.frame(now)
    }

    fn size(&self) -> (u32, u32) {
        (self.0.width, self.0.height)
    }

    fn frame_rate(&self) -> u32 {
        self.0.fps
    }
}

/// Plays a Motion JPEG file: concatenated JPEG frames (as `gphoto2 --capture-movie` writes).
#[derive(Debug, Clone)]
pub struct MjpegFileFrames(Playlist);

impl MjpegFileFrames {
    /// Loads and splits an MJPEG file (at most [`MAX_TOTAL_BYTES`]).
    ///
    /// # Errors
    /// When the file cannot be read, is too large, or holds no JPEG frame.
    pub fn load(path: &Path, fps: u32) -> Result<Self, FrameError> {
        let what = path.display().to_string();
        let len = fs::metadata(path)
            .map_err(|e| FrameError(format!("{what}: {e}")))?
            .len();
        if len > MAX_TOTAL_BYTES {
            return Err(FrameError(format!(
                "{what}: larger than {MAX_TOTAL_BYTES} bytes"
            )));
        }
        let data = Bytes::from(fs::read(path).map_err(|e| FrameError(format!("{what}: {e}")))?);
        Playlist::new(split_mjpeg(&data), fps, &what).map(Self)
    }
}

impl FrameSource for MjpegFileFrames {
    fn frame(&mut self, now: SystemTime, _overlay: &[String]) -> Result<Frame, FrameError> {
        self.0.frame(now)
    }

    fn size(&self) -> (u32, u32) {
        (self.0.width, self.0.height)
    }

    fn frame_rate(&self) -> u32 {
        self.0.fps
    }
}

/// Splits concatenated JPEGs at each SOI (FF D8 FF) that follows an EOI (FF D9); the pieces
/// share `data`'s buffer.
#[must_use]
pub fn split_mjpeg(data: &Bytes) -> Vec<Bytes> {
    let mut frames = Vec::new();
    let mut start = None;
    let mut i = 0;
    while i + 2 < data.len() && frames.len() < MAX_FRAMES {
        match (data.get(i), data.get(i + 1), data.get(i + 2)) {
            (Some(0xFF), Some(0xD8), Some(0xFF)) if start.is_none() => {
                start = Some(i);
                i += 2;
            }
            (Some(0xFF), Some(0xD9), _) => {
                if let Some(s) = start.take() {
                    frames.push(data.slice(s..i + 2));
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    if let Some(s) = start
        && data.ends_with(&[0xFF, 0xD9])
    {
        frames.push(data.slice(s..));
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Canvas;

    #[test]
    fn splits_and_plays_an_mjpeg_stream() {
        let mut stream = Vec::new();
        for seed in 0..3 {
            let mut c = Canvas::new(64, 48);
            c.pattern(seed, 0);
            stream.extend(c.encode_jpeg(70, None).unwrap());
        }
        let frames = split_mjpeg(&Bytes::from(stream.clone()));
        assert_eq!(frames.len(), 3);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("movie.mjpg");
        fs::write(&path, &stream).unwrap();
        let mut src = MjpegFileFrames::load(&path, 10).unwrap();
        assert_eq!(src.size(), (64, 48));
        let f = src.frame(UNIX_EPOCH, &[]).unwrap();
        assert_eq!(f.jpeg, frames[0]);
    }
}
