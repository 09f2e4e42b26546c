//! Live view frames: a [`FrameSource`] hands the responder JPEG frames to serve.
//!
//! A frame is encoded once and then served as shared [`Bytes`], without copying, to every
//! request that comes before the next frame is due.

use std::fmt;
use std::time::SystemTime;

use bytes::Bytes;
use ptp_types::ResponseCode;

mod files;
mod synthetic;

pub use files::{JpegFolderFrames, MAX_FRAMES, MAX_TOTAL_BYTES, MjpegFileFrames, split_mjpeg};
pub use synthetic::SyntheticFrames;

/// One encoded live view frame.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    /// The JPEG bytes (shared, never copied per request).
    pub jpeg: Bytes,
    /// Frame sequence number, increasing.
    pub number: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frame")
            .field("number", &self.number)
            .field("size", &format_args!("{}x{}", self.width, self.height))
            .field("jpeg_len", &self.jpeg.len())
            .finish()
    }
}

/// How live view answers an initiator that asks for frames faster than the sensor makes them.
/// A body delivers at its sensor's rate: a frame source has a rate
/// ([`FrameSource::frame_rate`]) and changes its frame number when a new frame is due; the
/// pacing says what a poll gets before then. The model's vendor extension gives the default
/// ([`VendorExtension::liveview_pacing`](crate::VendorExtension::liveview_pacing)), a
/// responder can be told otherwise
/// ([`Responder::with_liveview_pacing`](crate::Responder::with_liveview_pacing)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LiveviewPacing {
    /// A poll before the next frame is due is answered with this response code, as a body
    /// that says "not ready" does; the initiator waits and asks again (Canon EOS answers
    /// NotReady 0xA102, libgphoto2 `camlibs/ptp2/library.c`: `camera_capture_preview` sleeps
    /// and retries).
    Busy(ResponseCode),
    /// Every poll is answered with the source's current frame, which is the one sent before
    /// until the next is due: a body that repeats its last frame, and the "as fast as
    /// possible" switch of benches that measure delivery.
    #[default]
    EveryPoll,
}

/// Why no frame could be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("live view frame: {0}")]
pub struct FrameError(pub String);

/// A source of live view frames.
pub trait FrameSource: Send {
    /// The frame to show at `now`. `overlay` holds text lines a synthetic source burns into
    /// the picture (settings, time); sources that play recorded frames ignore it.
    fn frame(&mut self, now: SystemTime, overlay: &[String]) -> Result<Frame, FrameError>;

    /// Frame size in pixels.
    fn size(&self) -> (u32, u32);

    /// Nominal frames per second.
    fn frame_rate(&self) -> u32;
}

impl fmt::Debug for dyn FrameSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (w, h) = self.size();
        f.debug_struct("FrameSource")
            .field("size", &format_args!("{w}x{h}"))
            .finish_non_exhaustive()
    }
}
