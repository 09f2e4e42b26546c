//! Live view at 0xFFFFC002: a header giving the offset and size of the JPEG, then the JPEG,
//! baseline and without application segments, so that it starts `FF D8 FF DB`
//! (`docs/reference/vendors-wifi-sony-fuji.md` §5.6).
//!
//! - Before the handshake and for a moment after it, GetObjectInfo and GetObject answer
//!   InvalidObjectHandle (0x2009): libgphoto2 retries every 50 ms (`camera_capture_preview`).
//! - GetObject serves each frame of the frame source once; asked again before the next frame
//!   (faster than the body's frame rate), it answers AccessDenied (0x200F) with no data, as
//!   Sony documents for its bodies: libgphoto2 retries after 20 ms, INDIGO after 100 ms.
//! - The compressed data is sent without copying: the object is the header, the JPEG's own
//!   header segments rewritten (SOI, the quantisation tables, the other tables and the frame
//!   header, no APPn or COM; a few hundred bytes, once per frame) and the frame's bytes from
//!   its start of scan, chained.

use bytes::Bytes;
use std::time::SystemTime;
use vcam_core::ptp_types::{OperationCode, ResponseCode};
use vcam_core::store::media;
use vcam_core::{ChainSource, Context, Frame, Reply, jpeg_object_info};

use crate::records::LiveViewHeader;

/// Start Of Image.
const SOI: [u8; 2] = [0xFF, 0xD8];
/// Define Quantization Table, the marker Sony's frames continue SOI with.
const DQT: u8 = 0xDB;
/// JPEG quality of frames that have to be encoded again.
const REENCODE_QUALITY: u8 = 85;

/// A frame made ready to send.
#[derive(Debug, Clone)]
struct Prepared {
    /// The frame source's number of the frame.
    number: u64,
    /// The object's header up to the JPEG.
    prefix: Bytes,
    /// The JPEG's header: SOI, quantisation tables, the other segments.
    head: Bytes,
    /// The JPEG from its start of scan.
    scan: Bytes,
    /// The frame as the source gave it (for its ObjectInfo).
    frame: Frame,
}

impl Prepared {
    fn len(&self) -> usize {
        self.prefix.len() + self.head.len() + self.scan.len()
    }
}

/// Live view state: the last frame served and the frame made ready.
#[derive(Debug, Default)]
pub(super) struct LiveView {
    last_served: Option<u64>,
    prepared: Option<Prepared>,
}

impl LiveView {
    /// GetObjectInfo or GetObject of 0xFFFFC002; frames are ready from `ready_at`.
    pub(super) fn handle(
        &mut self,
        cx: &mut Context<'_>,
        code: OperationCode,
        ready_at: Option<SystemTime>,
    ) -> Reply {
        if ready_at.is_none_or(|at| cx.now < at) {
            return Reply::from(ResponseCode::INVALID_OBJECT_HANDLE);
        }
        let frame = match cx.liveview_frame() {
            Ok(frame) => frame,
            Err(code) => return Reply::from(code),
        };
        let Some(prepared) = self.prepare(frame) else {
            tracing::error!("a live view frame is not a JPEG that can be sent");
            return Reply::from(ResponseCode::GENERAL_ERROR);
        };
        if code == OperationCode::GET_OBJECT_INFO {
            let mut info = jpeg_object_info("LIVEVIEW.JPG", &prepared.frame.jpeg, Some(cx.clock()));
            info.object_compressed_size = u32::try_from(prepared.len()).unwrap_or(u32::MAX);
            return Reply::dataset(&info);
        }
        if self.last_served == Some(prepared.number) {
            return Reply::from(ResponseCode::ACCESS_DENIED);
        }
        self.last_served = Some(prepared.number);
        let Prepared {
            prefix, head, scan, ..
        } = prepared;
        Reply::Data {
            data: Box::new(ChainSource::from_bytes([prefix, head, scan])),
            response: vcam_core::Response::ok(),
        }
    }

    /// The frame as a live view object, made once per frame.
    fn prepare(&mut self, frame: Frame) -> Option<Prepared> {
        if let Some(ready) = &self.prepared
            && ready.number == frame.number
        {
            return Some(ready.clone());
        }
        let (head, scan) = bare_baseline(&frame.jpeg).or_else(|| {
            let again = media::reencode_baseline_jpeg(&frame.jpeg, REENCODE_QUALITY)?;
            bare_baseline(&again)
        })?;
        let size = u32::try_from(head.len() + scan.len()).ok()?;
        let prepared = Prepared {
            number: frame.number,
            prefix: Bytes::from(LiveViewHeader::for_jpeg(size).prefix()),
            head,
            scan,
            frame,
        };
        self.prepared = Some(prepared.clone());
        Some(prepared)
    }
}

/// `jpeg` as Sony sends it, when it is baseline: a new header (SOI, the DQT segments, the
/// other segments but APPn and COM, in their order) and the frame's bytes from its start of
/// scan, borrowed.
fn bare_baseline(jpeg: &Bytes) -> Option<(Bytes, Bytes)> {
    if !media::is_baseline_jpeg(jpeg) {
        return None;
    }
    let (segments, scan) = media::jpeg_header_segments(jpeg)?;
    let kept = |marker: u8| !matches!(marker, 0xE0..=0xEF | 0xFE);
    let mut head =
        Vec::with_capacity(SOI.len() + segments.iter().map(|(_, s)| s.len()).sum::<usize>());
    head.extend_from_slice(&SOI);
    let tables = segments.iter().filter(|(m, _)| *m == DQT);
    let others = segments.iter().filter(|(m, _)| *m != DQT && kept(*m));
    for (_, segment) in tables.chain(others) {
        head.extend_from_slice(segment);
    }
    (head.get(2..4) == Some(&[0xFF, DQT][..])).then(|| (Bytes::from(head), jpeg.slice_ref(scan)))
}
