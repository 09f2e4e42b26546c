//! The stream group (PTP 1.1): GetStreamInfo and GetStream, the standard live view.

use ptp_types::{DevicePropCode, OperationCode, ResponseCode, StreamInfo};

use super::common::{Handled, err};
use crate::context::Context;
use crate::reply::{Reply, Request};

/// Stream number of the video stream (PTP 1.1 SupportedStreams bit 0).
const VIDEO_STREAM: u32 = 1;

/// Handles an operation of the stream group.
pub(super) fn handle(cx: &mut Context<'_>, req: &Request) -> Handled {
    match req.code {
        OperationCode::GET_STREAM_INFO => get_stream_info(cx, req),
        OperationCode::GET_STREAM => get_stream(cx),
        _ => err(ResponseCode::OPERATION_NOT_SUPPORTED),
    }
}

fn stream_enabled(cx: &Context<'_>) -> bool {
    cx.props
        .int(DevicePropCode::ENABLED_STREAMS)
        .is_some_and(|v| v & 1 == 1)
}

/// GetStreamInfo (PTP 1.1, ISO 15740:2013 §10.5.40): the video stream is Motion JPEG with no
/// frame or packet headers, so GetStream returns one JPEG frame.
fn get_stream_info(cx: &mut Context<'_>, req: &Request) -> Handled {
    // libgphoto2's --summary asks with the bit index (0) rather than the StreamType bit (1)
    // (camlibs/ptp2/library.c, the "Streams" section of camera_summary); both mean video.
    if req.param(0) != VIDEO_STREAM && req.param(0) != 0 {
        return err(ResponseCode::INVALID_PARAMETER);
    }
    let (w, h) = cx.frames.size();
    let frame_max =
        u32::try_from((u64::from(w) * u64::from(h) * 3).max(64 * 1024)).unwrap_or(u32::MAX);
    let info = StreamInfo {
        dataset_size: 36,
        time_resolution: 1_000_000,
        frame_header_size: 0,
        frame_max_size: frame_max,
        packet_header_size: 0,
        packet_max_size: frame_max,
        packet_alignment: 0,
    };
    Handled::Reply(Reply::dataset(&info))
}

fn get_stream(cx: &mut Context<'_>) -> Handled {
    if !stream_enabled(cx) {
        return err(ResponseCode::NO_STREAM_ENABLED);
    }
    match cx.liveview_frame() {
        Ok(frame) => Handled::Reply(Reply::data(frame.jpeg)),
        Err(code) => err(code),
    }
}
