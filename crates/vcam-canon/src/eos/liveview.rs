//! Live view: GetViewFinderData and its zoom (libgphoto2 `library.c`:
//! `camera_canon_eos_capture_preview`; `config.c`: `_put_Canon_EOS_ViewFinder`,
//! `_put_Canon_EOS_Zoom`, `_put_Canon_EOS_ZoomPosition`).

use bytes::Bytes;
use vcam_core::ptp_types::{Encode, ResponseCode};
use vcam_core::reply::Response;
use vcam_core::{ChainSource, Context, Properties, Reply};

use super::CanonEos;
use crate::codes::{prop, rc};
use crate::props::{EVF_OUTPUT_HOST, u32_of};
use crate::records::{ViewfinderRecord, viewfinder};

/// The zoom factors an EOS body accepts.
const ZOOM_FACTORS: [u32; 3] = [1, 5, 10];

impl CanonEos {
    /// Whether live view frames are being produced: EVF output to the host with EVFMode 1, or
    /// InitiateViewfinder (libgphoto2 `library.c`: `camera_capture_preview`; `config.c`:
    /// `_put_Canon_EOS_ViewFinder`). Until then GetViewFinderData answers Canon NotReady.
    #[must_use]
    pub fn liveview_on(&self, props: &Properties) -> bool {
        let output = u32_of(props, prop::EVF_OUTPUT_DEVICE);
        let mode = u32_of(props, prop::EVF_MODE);
        self.viewfinder || (output & EVF_OUTPUT_HOST != 0 && mode == 1)
    }

    /// Zoom: 1, 5 or 10, else InvalidParameter.
    pub(super) fn set_zoom(&mut self, factor: u32) -> Result<(), ResponseCode> {
        if !ZOOM_FACTORS.contains(&factor) {
            return Err(ResponseCode::INVALID_PARAMETER);
        }
        self.zoom = factor;
        Ok(())
    }

    /// GetViewFinderData: the JPEG record, then the zoom, zoom position and histogram status
    /// records. The JPEG is sent without copying it.
    pub(super) fn viewfinder_data(&mut self, cx: &mut Context<'_>) -> Reply {
        if !self.liveview_on(cx.props) {
            return Reply::from(rc::NOT_READY);
        }
        let frame = match cx.liveview_frame() {
            Ok(f) => f,
            Err(code) => return Reply::from(code),
        };
        let head = viewfinder::jpeg_header(frame.jpeg.len());
        let mut tail = Vec::with_capacity(44);
        for record in [
            ViewfinderRecord::Zoom(self.zoom),
            ViewfinderRecord::ZoomPosition {
                x: self.zoom_position.0,
                y: self.zoom_position.1,
            },
            ViewfinderRecord::HistogramStatus(0),
        ] {
            record.encode(&mut tail);
        }
        Reply::Data {
            data: Box::new(ChainSource::from_bytes([
                Bytes::copy_from_slice(&head),
                frame.jpeg,
                Bytes::from(tail),
            ])),
            response: Response::ok(),
        }
    }
}
