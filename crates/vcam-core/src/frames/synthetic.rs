//! Synthetic live view: a moving test pattern with the frame number, time and settings.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use super::{Frame, FrameError, FrameSource};
use crate::render::Canvas;

/// Renders a moving test pattern at a fixed size and frame rate. A frame is rendered and
/// encoded once per frame period; every request within the period gets the same bytes.
#[derive(Debug)]
pub struct SyntheticFrames {
    width: u32,
    height: u32,
    fps: u32,
    quality: u8,
    current: Option<(u64, Frame)>,
}

impl SyntheticFrames {
    /// A source of `width` x `height` frames at `fps` frames per second (all at least 1;
    /// sides at most 65535).
    #[must_use]
    pub fn new(width: u32, height: u32, fps: u32) -> Self {
        Self {
            width: width.clamp(16, 65535),
            height: height.clamp(16, 65535),
            fps: fps.max(1),
            quality: 75,
            current: None,
        }
    }

    fn slot(&self, now: SystemTime) -> u64 {
        let micros = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros());
        u64::try_from(micros * u128::from(self.fps) / 1_000_000).unwrap_or(u64::MAX)
    }
}

impl Default for SyntheticFrames {
    fn default() -> Self {
        Self::new(640, 480, 30)
    }
}

impl FrameSource for SyntheticFrames {
    fn frame(&mut self, now: SystemTime, overlay: &[String]) -> Result<Frame, FrameError> {
        let slot = self.slot(now);
        if let Some((s, frame)) = &self.current
            && *s == slot
        {
            return Ok(frame.clone());
        }
        let number = self.current.as_ref().map_or(1, |(_, f)| f.number + 1);
        let mut canvas = Canvas::new(self.width, self.height);
        let speed = (self.width as usize / 64).max(1);
        canvas.pattern(
            slot % 64,
            (slot as usize).wrapping_mul(speed) % self.width as usize,
        );
        let mut lines = vec![format!("LIVE #{number}")];
        lines.extend(overlay.iter().cloned());
        canvas.text_block(&lines);
        let jpeg = canvas
            .encode_jpeg(self.quality, None)
            .map_err(|e| FrameError(e.to_string()))?;
        let frame = Frame {
            jpeg: Bytes::from(jpeg),
            number,
            width: self.width,
            height: self.height,
        };
        self.current = Some((slot, frame.clone()));
        Ok(frame)
    }

    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn frame_rate(&self) -> u32 {
        self.fps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn frames_are_cached_within_a_period_and_change_after() {
        let mut src = SyntheticFrames::new(160, 120, 10);
        let t = UNIX_EPOCH + Duration::from_secs(1000);
        let a = src.frame(t, &[]).unwrap();
        let b = src.frame(t + Duration::from_millis(10), &[]).unwrap();
        assert_eq!(a.jpeg.as_ptr(), b.jpeg.as_ptr(), "same frame, no copy");
        let c = src.frame(t + Duration::from_millis(150), &[]).unwrap();
        assert_ne!(a.jpeg, c.jpeg);
        assert_eq!(c.number, a.number + 1);
        assert_eq!(crate::store::media::image_size(&c.jpeg), Some((160, 120)));
    }
}
