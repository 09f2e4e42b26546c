//! The live view port: frames streamed at the camera's frame rate as `u32 length | 14-byte
//! header | JPEG` (docs/reference/vendors-wifi-sony-fuji.md §2.6), every frame whole.
//!
//! Frames come from the camera's [`FrameSource`](vcam_core::FrameSource) through
//! [`Context::liveview_frame`](vcam_core::Context::liveview_frame), taken under the camera's
//! lock only for as long as it takes to get the frame (a synthetic frame is encoded once per
//! frame period). A writer sends them; between the two is room for one frame, so a client that
//! reads slowly gets fewer frames (the ticks that find the room taken are skipped, without
//! encoding a frame) and the memory held stays one frame plus the socket's buffer.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use vcam_record::ConnectionTap;

use crate::init::liveview_frame_header;
use crate::server::{Shared, blocking, lock};

/// Serves the live view port until the client leaves or the session ends (the task is then
/// aborted).
pub(crate) async fn stream(shared: Arc<Shared>, stream: TcpStream, tap: ConnectionTap) {
    let fps = blocking(|| {
        lock(&shared.link)
            .responder_mut()
            .with_context(SystemTime::now(), |cx| cx.frames.frame_rate())
    })
    .max(1);
    let period = Duration::from_secs(1) / fps;
    let (mut reader, mut writer) = stream.into_split();
    // Written by the writer, read by the reader: both record.
    let tap = std::sync::Mutex::new(tap);
    let tap = &tap;
    let (tx, mut rx) = mpsc::channel::<([u8; 18], Bytes)>(1);
    let write = async move {
        while let Some((head, jpeg)) = rx.recv().await {
            if writer.write_all(&head).await.is_err() || writer.write_all(&jpeg).await.is_err() {
                return;
            }
            lock(tap).sent_parts(&head, &jpeg);
        }
    };
    let produce = async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut dropped: u64 = 0;
        loop {
            tick.tick().await;
            if tx.capacity() == 0 {
                dropped += 1;
                if dropped.is_power_of_two() {
                    tracing::debug!(dropped, "live view reader is slow; frames dropped");
                }
                continue;
            }
            let frame = blocking(|| {
                lock(&shared.link)
                    .responder_mut()
                    .with_context(SystemTime::now(), |cx| cx.liveview_frame())
            });
            let jpeg = match frame {
                Ok(frame) => frame.jpeg,
                Err(code) => {
                    tracing::warn!(?code, "no live view frame");
                    continue;
                }
            };
            let Some(head) = liveview_frame_header(jpeg.len()) else {
                continue;
            };
            if tx.try_send((head, jpeg)).is_err() && tx.is_closed() {
                return;
            }
        }
    };
    let closed = async move {
        let mut sink = [0u8; 256];
        while let Ok(n @ 1..) = reader.read(&mut sink).await {
            lock(tap).received(sink.get(..n).unwrap_or_default());
        }
    };
    tokio::select! {
        () = write => tracing::debug!("live view connection lost"),
        () = produce => {}
        () = closed => tracing::debug!("live view connection closed"),
    }
}
