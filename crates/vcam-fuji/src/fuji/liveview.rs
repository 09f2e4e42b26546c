//! Live view: InitiateOpenCapture starts it, TerminateOpenCapture stops it, and while it runs
//! the pseudo-object 0x80000001 holds the latest frame, a bare JPEG.
//!
//! libgphoto2 reads the object in two orders (`library.c`: `camera_capture_preview`, the Fuji
//! case; docs/reference/vendors-wifi-sony-fuji.md §1.4): 2.5.30 asks GetObjectInfo first and
//! calls InitiateOpenCapture only after InvalidObjectHandle answers, later versions call
//! InitiateOpenCapture first; both then GetObject and DeleteObject it. So the object does not
//! exist until live view runs, and every GetObjectInfo while it runs places a fresh frame
//! there (through the core's object service, [`Context::put_memory_object`]), which
//! GetObject, GetPartialObject and DeleteObject then answer for.
//!
//! On the WiFi face the body also reports its remote-mode burst of properties in the event
//! list after both operations, as an X-T5 does (§3.1 step 10); the frames themselves go out on
//! the live view port, which the transport serves.

use vcam_core::{Context, Reply, Request, jpeg_object_info};

use super::{FujiX, object};
use crate::codes::LIVEVIEW_OBJECT;

impl FujiX {
    /// InitiateOpenCapture (0x101C).
    pub(super) fn start_liveview(&mut self, cx: &mut Context<'_>, request: &Request) -> Reply {
        if self.liveview.is_none() {
            self.liveview = Some(request.transaction_id);
            tracing::info!(tid = request.transaction_id, "live view started");
        }
        if self.face.is_wifi() {
            self.report_remote_burst(cx);
        }
        Reply::ok()
    }

    /// TerminateOpenCapture (0x1018): libgphoto2 and fudge pass the TransactionID of the
    /// InitiateOpenCapture; the body stops live view whatever it is.
    pub(super) fn terminate_open_capture(&mut self, cx: &mut Context<'_>) -> Reply {
        self.stop_liveview(cx);
        if self.face.is_wifi() {
            self.report_remote_burst(cx);
        }
        Reply::ok()
    }

    /// Stops live view and removes the live view object.
    pub(super) fn stop_liveview(&mut self, cx: &mut Context<'_>) {
        if self.liveview.take().is_some() {
            tracing::info!("live view stopped");
        }
        cx.release_memory_object(object(LIVEVIEW_OBJECT));
    }

    /// Before the core answers GetObjectInfo (`fresh`) or GetObject of 0x80000001: while live
    /// view runs, a fresh frame for GetObjectInfo, and one for GetObject when none is there.
    pub(super) fn liveview_object(&mut self, cx: &mut Context<'_>, fresh: bool) {
        if self.liveview.is_none() {
            cx.release_memory_object(object(LIVEVIEW_OBJECT));
            return;
        }
        if !fresh && cx.memory_object(object(LIVEVIEW_OBJECT)).is_some() {
            return;
        }
        match cx.liveview_frame() {
            Ok(frame) => {
                let info = jpeg_object_info("LIVEVIEW.JPG", &frame.jpeg, Some(cx.clock()));
                cx.put_memory_object(object(LIVEVIEW_OBJECT), info, frame.jpeg);
            }
            Err(code) => tracing::warn!(?code, "no live view frame"),
        }
    }
}
