//! Driving a [`Responder`] in memory, as a transport would: `handle_request`, the data phase
//! through `handle_data_start` / `handle_data` / `handle_data_end`, then `poll_output` until
//! the response; events from `poll_event`; time moved by hand. For tests of the core and of
//! vendor extensions that look at raw response codes and bytes; typed operations are easier
//! through [`crate::initiator`].

use std::path::Path;
use std::time::{Duration, SystemTime};

use ptp_codec::{Decode, OperationCode, Params, ResponseCode};
use ptp_types::ObjectInfo;
use vcam_core::{
    CameraModel, DataHint, EventRecord, FolderStore, FrameSource, Output, Request, Responder,
    SyntheticFrames, VendorExtension,
};

/// The clock a [`Cam`] starts at (2027-01-15), far from the epoch so date handling is real.
#[must_use]
pub fn start_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

/// A camera of `model` with `vendor` behaviour serving the folder `card`, refusing every
/// write (StoreReadOnly) when `read_only`; its live view a 320x240 test pattern. For tests
/// that change a model before building it or want a read-only card; registry models as they
/// are come from [`crate::server::camera`].
#[must_use]
pub fn camera_of(
    model: CameraModel,
    vendor: Box<dyn VendorExtension>,
    card: &Path,
    read_only: bool,
) -> Responder {
    camera_with_frames(
        model,
        vendor,
        card,
        read_only,
        Box::new(SyntheticFrames::new(320, 240, 30)),
    )
}

/// [`camera_of`] with its live view from `frames` (another size, recorded frames).
#[must_use]
pub fn camera_with_frames(
    model: CameraModel,
    vendor: Box<dyn VendorExtension>,
    card: &Path,
    read_only: bool,
    frames: Box<dyn FrameSource>,
) -> Responder {
    let store = FolderStore::open(card, read_only)
        .unwrap_or_else(|e| panic!("opening the card {}: {e}", card.display()));
    Responder::new(model, vendor, Box::new(store), frames)
}

/// The answer to one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Response code.
    pub code: ResponseCode,
    /// Response parameters.
    pub params: Vec<u32>,
    /// The data phase the responder sent (empty when none).
    pub data: Vec<u8>,
}

/// A responder and the initiator side of its transactions, in memory.
pub struct Cam {
    /// The camera.
    pub responder: Responder,
    /// The time passed to the responder.
    pub now: SystemTime,
    /// The last TransactionID used.
    pub tid: u32,
    /// How far the clock moves before each transaction (zero: it stands still).
    pub tick: Duration,
    /// Data phases to the responder are handed over in pieces of this size.
    pub piece: usize,
}

impl std::fmt::Debug for Cam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cam")
            .field("now", &self.now)
            .field("tid", &self.tid)
            .finish_non_exhaustive()
    }
}

impl Cam {
    /// Drives `responder`, with no session open, the clock at [`start_time`].
    #[must_use]
    pub fn new(responder: Responder) -> Self {
        Self {
            responder,
            now: start_time(),
            tid: 0,
            tick: Duration::ZERO,
            piece: 1000,
        }
    }

    /// Drives `responder` and opens session 1.
    #[must_use]
    pub fn open(responder: Responder) -> Self {
        let mut cam = Self::new(responder);
        let answer = cam.run(OperationCode::OPEN_SESSION, &[1]);
        assert_eq!(answer.code, ResponseCode::OK, "OpenSession");
        cam
    }

    /// A camera of the registry model `model` serving the folder `card`, session open.
    #[must_use]
    pub fn model(model: &str, card: &Path) -> Self {
        Self::open(crate::server::camera(model, card, (320, 240)))
    }

    /// The TransactionID of the next transaction of `code` (0 for OpenSession, which does
    /// not count).
    pub fn next_tid(&mut self, code: OperationCode) -> u32 {
        if code == OperationCode::OPEN_SESSION {
            return 0;
        }
        self.tid = self.tid.wrapping_add(1);
        self.tid
    }

    /// A transaction without a data phase to the responder, with the next TransactionID.
    pub fn run(&mut self, code: OperationCode, params: &[u32]) -> Answer {
        let tid = self.next_tid(code);
        self.run_tid(code, tid, params, None)
    }

    /// A transaction sending `data` to the responder, with the next TransactionID.
    pub fn send(&mut self, code: OperationCode, params: &[u32], data: &[u8]) -> Answer {
        let tid = self.next_tid(code);
        self.run_tid(code, tid, params, Some(data))
    }

    /// A transaction with TransactionID `tid`, collecting the responder's data phase.
    pub fn run_tid(
        &mut self,
        code: OperationCode,
        tid: u32,
        params: &[u32],
        data: Option<&[u8]>,
    ) -> Answer {
        let mut out = Vec::new();
        let (code, params) = self.stream(code, tid, params, data, |piece| {
            out.extend_from_slice(piece);
        });
        Answer {
            code,
            params,
            data: out,
        }
    }

    /// A transaction with TransactionID `tid`, handing each piece of the responder's data
    /// phase to `on_data` (nothing is collected). Checks the response echoes `tid` and
    /// nothing follows it.
    pub fn stream(
        &mut self,
        code: OperationCode,
        tid: u32,
        params: &[u32],
        data: Option<&[u8]>,
        mut on_data: impl FnMut(&[u8]),
    ) -> (ResponseCode, Vec<u32>) {
        self.now += self.tick;
        let now = self.now;
        let params =
            Params::try_from(params).unwrap_or_else(|e| panic!("parameters {params:?}: {e}"));
        let hint = if data.is_some() {
            DataHint::DataOut
        } else {
            DataHint::NoDataOut
        };
        self.responder
            .handle_request(now, Request::new(code, tid, params), hint);
        if let Some(bytes) = data {
            self.responder
                .handle_data_start(now, tid, Some(bytes.len() as u64));
            for piece in bytes.chunks(self.piece.max(1)) {
                self.responder.handle_data(now, piece);
            }
            self.responder.handle_data_end(now);
        }
        loop {
            match self.responder.poll_output() {
                None => panic!("{code:?} (transaction {tid}) got no response"),
                Some(Output::DataStart { transaction_id, .. }) => {
                    assert_eq!(transaction_id, tid, "data phase of another transaction");
                }
                Some(Output::Data { bytes, .. }) => on_data(&bytes),
                Some(Output::Response {
                    code,
                    transaction_id,
                    params,
                }) => {
                    assert_eq!(transaction_id, tid, "TransactionID echoed");
                    assert!(
                        self.responder.poll_output().is_none(),
                        "output after the response"
                    );
                    return (code, params.as_slice().to_vec());
                }
            }
        }
    }

    /// The events queued so far.
    pub fn events(&mut self) -> Vec<EventRecord> {
        std::iter::from_fn(|| self.responder.poll_event()).collect()
    }

    /// Moves the clock on by `by`, running every timer that falls due on the way.
    pub fn advance(&mut self, by: Duration) {
        let end = self.now + by;
        while let Some(due) = self.responder.poll_timeout().filter(|&t| t <= end) {
            self.now = self.now.max(due);
            self.responder.handle_timeout(self.now);
        }
        self.now = end;
    }

    /// GetObjectHandles of every object.
    pub fn handles(&mut self) -> Vec<u32> {
        let a = self.run(OperationCode::GET_OBJECT_HANDLES, &[0xFFFF_FFFF]);
        assert_eq!(a.code, ResponseCode::OK, "GetObjectHandles");
        Vec::<u32>::decode_exact(&a.data).unwrap_or_else(|e| panic!("ObjectHandle array: {e}"))
    }

    /// GetObjectInfo of `handle`.
    pub fn info(&mut self, handle: u32) -> ObjectInfo {
        let a = self.run(OperationCode::GET_OBJECT_INFO, &[handle]);
        assert_eq!(a.code, ResponseCode::OK, "GetObjectInfo {handle:#x}");
        ObjectInfo::decode_exact(&a.data).unwrap_or_else(|e| panic!("ObjectInfo: {e}"))
    }

    /// The handle of the object called `name`.
    pub fn find(&mut self, name: &str) -> Option<u32> {
        self.handles()
            .into_iter()
            .find(|&h| self.info(h).filename == name)
    }
}
