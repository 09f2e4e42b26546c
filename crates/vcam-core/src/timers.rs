//! Standard actions the core schedules for later (burst, timelapse and open-ended captures).
//!
//! The timers live in [`crate::context::CameraState`]; the responder runs those that are due in
//! [`crate::Responder::handle_timeout`].

use std::time::Duration;

/// Standard actions scheduled for later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    /// Take picture `index` of `count` for the capture started by transaction `tid`.
    Capture {
        tid: u32,
        index: u32,
        count: u32,
        interval_ms: u32,
    },
    /// Take the next picture of the open-ended capture started by `tid`.
    OpenCapture { tid: u32, interval_ms: u32 },
}

/// Converts a duration in milliseconds from a property into a [`Duration`].
pub(crate) fn millis(ms: u32) -> Duration {
    Duration::from_millis(u64::from(ms))
}
