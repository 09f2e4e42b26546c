//! Property test of the responder session (issue 11 point 6): arbitrary sequences of requests
//! (standard, MTP and random opcodes; arbitrary parameters; TransactionIDs in and out of order;
//! any data-phase hint), initiator data phases (start, chunks, end, lying lengths, stray ones),
//! cancels, resets and timeouts, against the generic camera over a folder card.
//!
//! After every step the transport's side is checked:
//! - nothing panics;
//! - every response echoes the TransactionID of the transaction it ends, and no transaction
//!   gets two responses (a transaction cut short by a reset, a new request or a USB cancel gets
//!   none; a PTP/IP cancel naming it gets TransactionCancelled; a cancel naming another
//!   transaction is ignored);
//! - every transaction the initiator let finish is answered: when the responder is idle after
//!   a full drain, nothing is left unanswered;
//! - data phases are well formed: DataStart, then Data pieces adding up to its total, only the
//!   final one marked `last`, then the response of the same transaction;
//! - the card is unchanged (tree, contents, read-only flags) when every operation that writes
//!   to it was refused: it changes only after a writer answered OK, a deletion stopped part
//!   way ([`PARTLY_DONE`]), or a writer whose work precedes its data phase was cut short
//!   ([`WRITE_AT_REQUEST`]).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use proptest::prelude::*;
use vcam_core::ptp_types::ptp_codec::Params;
use vcam_core::ptp_types::{
    Encode, OPERATIONS, ObjectFormatCode, ObjectInfo, OperationCode as Op, PtpString, ResponseCode,
    operation_spec,
};
use vcam_core::render::Canvas;
use vcam_core::{
    CameraModel, CancelAnswer, DataHint, FolderStore, NoVendor, Output, Request, Responder,
    ResponderConfig, SyntheticFrames, generic,
};

/// Operations that change the card when the request arrives. When the initiator announces a
/// data phase for one of them anyway, the work is done before that data is read, and the
/// response waits for it: a transaction of these cut short (new request, cancel, reset) may
/// have written.
const WRITE_AT_REQUEST: &[Op] = &[
    Op::DELETE_OBJECT,
    Op::MOVE_OBJECT,
    Op::COPY_OBJECT,
    Op::FORMAT_STORE,
    Op::SET_OBJECT_PROTECTION,
    Op::INITIATE_CAPTURE,
    Op::INITIATE_OPEN_CAPTURE,
];

/// Deletions that stop at a write-protected object answer with an error after deleting what
/// came before it (DeleteObject of a folder or of all objects, FormatStore).
const PARTLY_DONE: &[(Op, ResponseCode)] = &[
    (Op::DELETE_OBJECT, ResponseCode::PARTIAL_DELETION),
    (Op::DELETE_OBJECT, ResponseCode::OBJECT_WRITE_PROTECTED),
    (Op::FORMAT_STORE, ResponseCode::OBJECT_WRITE_PROTECTED),
];

/// Operations that change the card once their data phase is complete, just before answering.
const WRITE_AT_DATA_END: &[Op] = &[
    Op::SEND_OBJECT_INFO,
    Op::SEND_OBJECT,
    Op::SET_OBJECT_PROP_VALUE,
    Op::SET_OBJECT_PROP_LIST,
    Op::SEND_OBJECT_PROP_LIST,
];

/// How a step picks a TransactionID.
#[derive(Debug, Clone, Copy)]
enum Tid {
    /// One more than the last one used.
    Next,
    /// The last one again.
    Same,
    /// Some earlier one.
    Back(u32),
    /// 0 (sessionless) or 0xFFFFFFFF (reserved).
    Zero,
    Max,
    /// Anything.
    Any(u32),
}

#[derive(Debug, Clone)]
enum Action {
    Request {
        code: u16,
        tid: Tid,
        params: Vec<u32>,
        hint: DataHint,
    },
    DataStart {
        tid: Tid,
        total: Option<u64>,
    },
    Data(Vec<u8>),
    DataEnd,
    Cancel {
        tid: Tid,
        answer: CancelAnswer,
    },
    Reset,
    Timeout {
        after_ms: u32,
    },
}

/// Actions, then how much output the transport collects after the last one: everything, or
/// (`Some(k)`) it stops in the middle of a data phase after `k` pieces, as a USB transport
/// waiting for the host's next IN transfer does. Between the actions of a step it collects
/// everything.
#[derive(Debug, Clone)]
struct Step {
    actions: Vec<Action>,
    drain: Option<u8>,
}

fn tid() -> impl Strategy<Value = Tid> {
    prop_oneof![
        16 => Just(Tid::Next),
        1 => Just(Tid::Same),
        1 => (1u32..4).prop_map(Tid::Back),
        1 => Just(Tid::Zero),
        1 => Just(Tid::Max),
        1 => any::<u32>().prop_map(Tid::Any),
    ]
}

/// Mostly what the camera advertises, except the operations that end the session (so that
/// sessions last); then every standard and MTP code; then anything.
fn opcode(mtp: bool) -> impl Strategy<Value = u16> {
    let enders = [Op::CLOSE_SESSION, Op::RESET_DEVICE, Op::POWER_DOWN];
    let advertised: Vec<u16> = model(mtp)
        .device_info
        .operations_supported
        .iter()
        .filter(|c| !enders.contains(c))
        .map(|c| c.0)
        .collect();
    let standard: Vec<u16> = OPERATIONS.iter().map(|s| s.code.0).collect();
    prop_oneof![
        10 => proptest::sample::select(advertised),
        2 => proptest::sample::select(standard),
        1 => any::<u16>(),
        1 => 0x9000u16..0x9300,
    ]
}

/// Parameters that hit the card's objects (handles 1 to 7 once listed), its storage, device
/// and object properties, and the special values 0 and 0xFFFFFFFF.
fn param() -> impl Strategy<Value = u32> {
    prop_oneof![
        2 => Just(0),
        8 => 1u32..8,
        2 => Just(0xFFFF_FFFF),
        2 => Just(0x0001_0001),
        1 => 0x5000u32..0x5020,
        1 => 0xD000u32..0xD010,
        1 => 0xDC00u32..0xDC10,
        1 => any::<u32>(),
    ]
}

/// An operation code and its parameters: mostly as many as the operation takes, sometimes
/// fewer or up to five.
fn request(mtp: bool) -> impl Strategy<Value = (u16, Vec<u32>)> {
    opcode(mtp).prop_flat_map(|code| {
        let max = operation_spec(Op(code)).map_or(5, |s| usize::from(s.max_params));
        (
            Just(code),
            prop_oneof![
                4 => proptest::collection::vec(param(), max..=max),
                1 => proptest::collection::vec(param(), 0..=max),
                1 => proptest::collection::vec(param(), 0..=5),
            ],
        )
    })
}

fn hint() -> impl Strategy<Value = DataHint> {
    prop_oneof![
        3 => Just(DataHint::Unknown),
        3 => Just(DataHint::NoDataOut),
        1 => Just(DataHint::DataOut)
    ]
}

/// Object sizes: small, so that SendObject data sometimes matches SendObjectInfo.
fn small_len() -> impl Strategy<Value = usize> {
    prop_oneof![Just(0usize), Just(3), Just(10), 0usize..64]
}

/// Data-phase bytes: noise, or datasets handlers accept (an ObjectInfo, a string, integers).
fn payload() -> impl Strategy<Value = Vec<u8>> {
    let info = (
        prop_oneof![
            Just("NEW.TXT"),
            Just("IMG_0001.JPG"),
            Just("SUB"),
            Just("../x"),
            Just("")
        ],
        prop_oneof![
            Just(ObjectFormatCode::TEXT),
            Just(ObjectFormatCode::ASSOCIATION),
            Just(ObjectFormatCode::EXIF_JPEG)
        ],
        small_len(),
    )
        .prop_map(|(name, format, size)| {
            ObjectInfo {
                object_format: format,
                object_compressed_size: u32::try_from(size).unwrap(),
                filename: PtpString::truncating(name),
                ..ObjectInfo::default()
            }
            .to_bytes()
            .to_vec()
        });
    prop_oneof![
        3 => small_len().prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n)),
        2 => info,
        1 => prop_oneof![Just("RENAMED.TXT"), Just("a/b")]
            .prop_map(|s| PtpString::truncating(s).to_bytes().to_vec()),
        1 => any::<u16>().prop_map(|v| v.to_le_bytes().to_vec()),
        1 => any::<u32>().prop_map(|v| v.to_le_bytes().to_vec()),
    ]
}

/// A whole data-out transaction as an initiator sends it: the request, a data phase of the
/// same TransactionID announcing its length (true, unknown or lying), the bytes in chunks,
/// and (usually) the end.
fn send(mtp: bool) -> impl Strategy<Value = Vec<Action>> {
    (
        request(mtp),
        prop_oneof![Just(DataHint::DataOut), Just(DataHint::Unknown)],
        payload(),
        prop_oneof![4 => Just(None), 1 => Just(Some(None)), 1 => (0u64..100).prop_map(|n| Some(Some(n)))],
        1usize..40,
        proptest::bool::weighted(0.9),
    )
        .prop_map(|((code, params), hint, bytes, lie, chunk, end)| {
            let total = lie.unwrap_or(Some(bytes.len() as u64));
            let mut actions = vec![
                Action::Request {
                    code,
                    tid: Tid::Next,
                    params,
                    hint,
                },
                Action::DataStart {
                    tid: Tid::Same,
                    total,
                },
            ];
            actions.extend(bytes.chunks(chunk).map(|c| Action::Data(c.to_vec())));
            if end {
                actions.push(Action::DataEnd);
            }
            actions
        })
}

fn action(mtp: bool) -> impl Strategy<Value = Action> {
    prop_oneof![
        8 => (request(mtp), tid(), hint())
            .prop_map(|((code, params), tid, hint)| Action::Request { code, tid, params, hint }),
        1 => Just(Action::Request {
            code: Op::OPEN_SESSION.0,
            tid: Tid::Next,
            params: vec![1],
            hint: DataHint::NoDataOut,
        }),
        2 => (tid(), proptest::option::of(0u64..200))
            .prop_map(|(tid, total)| Action::DataStart { tid, total }),
        3 => payload().prop_map(Action::Data),
        2 => Just(Action::DataEnd),
        1 => (tid(), prop_oneof![Just(CancelAnswer::Respond), Just(CancelAnswer::ViaDeviceStatus)])
            .prop_map(|(tid, answer)| Action::Cancel { tid, answer }),
        1 => (0u32..3000).prop_map(|after_ms| Action::Timeout { after_ms }),
    ]
}

/// A reset or disconnect, then mostly a new session in which the objects are listed again.
fn reset() -> impl Strategy<Value = Vec<Action>> {
    proptest::bool::weighted(0.8).prop_map(|reopen| {
        let mut actions = vec![Action::Reset];
        if reopen {
            actions.extend(open_session());
        }
        actions
    })
}

/// OpenSession, then GetObjectHandles of everything (the store gives out handles when objects
/// are first listed).
fn open_session() -> [Action; 2] {
    [
        Action::Request {
            code: Op::OPEN_SESSION.0,
            tid: Tid::Zero,
            params: vec![1],
            hint: DataHint::NoDataOut,
        },
        Action::Request {
            code: Op::GET_OBJECT_HANDLES.0,
            tid: Tid::Next,
            params: vec![0xFFFF_FFFF],
            hint: DataHint::NoDataOut,
        },
    ]
}

fn step(mtp: bool) -> impl Strategy<Value = Step> {
    (
        prop_oneof![
            8 => action(mtp).prop_map(|a| vec![a]),
            2 => send(mtp),
            1 => reset(),
        ],
        prop_oneof![3 => Just(None), 1 => (0u8..4).prop_map(Some)],
    )
        .prop_map(|(actions, drain)| Step { actions, drain })
}

/// The generic camera, or the same in MTP mode (MTP object property operations).
fn model(mtp: bool) -> CameraModel {
    if mtp {
        generic::mtp_camera()
    } else {
        generic::generic()
    }
}

/// What the card holds: every path with its contents (`None` for a folder) and read-only flag.
type Snapshot = BTreeMap<String, (Option<Vec<u8>>, bool)>;

fn snapshot(root: &Path) -> Snapshot {
    fn walk(root: &Path, dir: &Path, out: &mut Snapshot) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::metadata(&path).unwrap();
            let name = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let read_only = meta.permissions().readonly();
            if meta.is_dir() {
                out.insert(name, (None, read_only));
                walk(root, &path, out);
            } else {
                out.insert(name, (Some(fs::read(&path).unwrap()), read_only));
            }
        }
    }
    let mut out = Snapshot::new();
    walk(root, root, &mut out);
    out
}

/// Makes everything writable again, so the temporary card can be removed.
fn unlock(dir: &Path) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let mut perms = fs::metadata(&path).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        fs::set_permissions(&path, perms).unwrap();
        if path.is_dir() {
            unlock(&path);
        }
    }
}

fn seed_card() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("DCIM/100VCAM")).unwrap();
    let mut canvas = Canvas::new(64, 48);
    canvas.pattern(1, 0);
    fs::write(
        root.join("DCIM/100VCAM/IMG_0001.JPG"),
        canvas.encode_jpeg(75, None).unwrap(),
    )
    .unwrap();
    let notes: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    fs::write(root.join("DCIM/100VCAM/NOTES.TXT"), notes).unwrap();
    fs::write(root.join("README.TXT"), b"hello card").unwrap();
    fs::write(root.join("EMPTY.BIN"), b"").unwrap();
    let locked = root.join("LOCKED.TXT");
    fs::write(&locked, b"protected").unwrap();
    let mut perms = fs::metadata(&locked).unwrap().permissions();
    perms.set_readonly(true);
    fs::set_permissions(&locked, perms).unwrap();
    dir
}

/// A transaction waiting for its response.
#[derive(Debug, Clone, Copy)]
struct Open {
    tid: u32,
    code: Op,
}

/// The initiator's view: what it sent, and the checks on what comes back.
struct Harness {
    r: Responder,
    now: SystemTime,
    last_tid: u32,
    /// Transactions not answered yet, oldest first.
    open: VecDeque<Open>,
    /// The data phase being received: its TransactionID and the bytes still due.
    data: Option<(u32, u64)>,
    /// The TransactionID of the data phase just completed, whose response comes next.
    data_done: Option<u32>,
    /// The TransactionID of the last response seen.
    last_answered: Option<u32>,
    /// The responder is reading stray data of `tid`, a transaction already answered: no
    /// response comes for it.
    silent: Option<u32>,
    /// Whether an operation that writes to the card was answered OK (or cut short after its
    /// work, see [`WRITE_AT_REQUEST`]).
    wrote: bool,
}

impl Harness {
    fn pick(&mut self, tid: Tid) -> u32 {
        let t = match tid {
            Tid::Next => self.last_tid.wrapping_add(1),
            Tid::Same => self.last_tid,
            Tid::Back(k) => self.last_tid.saturating_sub(k),
            Tid::Zero => 0,
            Tid::Max => u32::MAX,
            Tid::Any(t) => t,
        };
        if t != 0 && t != u32::MAX {
            self.last_tid = t;
        }
        t
    }

    /// The transaction in progress, cut short (a new request, a cancel): no response comes.
    fn abandon_active(&mut self) {
        if self.silent.take().is_none() {
            let cut = self.open.pop_back();
            self.cut_short(cut.into_iter());
        }
        self.data = None;
        self.data_done = None;
    }

    /// Transactions that end without an answer (or with TransactionCancelled).
    fn cut_short(&mut self, cut: impl Iterator<Item = Open>) {
        for open in cut {
            if WRITE_AT_REQUEST.contains(&open.code) {
                self.wrote = true;
            }
        }
    }

    /// The TransactionID of the transaction in progress, if any.
    fn active(&self) -> Option<u32> {
        if !self.r.is_busy() {
            return None;
        }
        self.silent.or_else(|| self.open.back().map(|o| o.tid))
    }

    fn apply(&mut self, action: &Action) {
        let busy = self.r.is_busy();
        match *action {
            Action::Request {
                code,
                tid,
                ref params,
                hint,
            } => {
                let tid = self.pick(tid);
                if busy {
                    self.abandon_active();
                }
                self.open.push_back(Open {
                    tid,
                    code: Op(code),
                });
                let request = Request::new(Op(code), tid, Params::try_from(&params[..]).unwrap());
                self.r.handle_request(self.now, request, hint);
            }
            Action::DataStart { tid, total } => {
                let tid = self.pick(tid);
                // Stray data outside a transaction is read and answered with GeneralError,
                // unless its TransactionID was just answered.
                if !busy {
                    if self.last_answered == Some(tid) {
                        self.silent = Some(tid);
                    } else {
                        self.open.push_back(Open {
                            tid,
                            code: Op::UNDEFINED,
                        });
                    }
                }
                self.r.handle_data_start(self.now, tid, total);
            }
            Action::Data(ref bytes) => self.r.handle_data(self.now, bytes),
            Action::DataEnd => {
                self.r.handle_data_end(self.now);
                if !self.r.is_busy() {
                    self.silent = None;
                }
            }
            Action::Cancel { tid, answer } => {
                let tid = self.pick(tid);
                let active = self.active();
                let cancelled = self.r.handle_cancel(self.now, tid, answer);
                match (answer, active) {
                    // USB: whatever is in progress ends, without a response.
                    (CancelAnswer::ViaDeviceStatus, Some(_)) => {
                        assert!(cancelled);
                        self.abandon_active();
                    }
                    // PTP/IP: the named transaction ends with TransactionCancelled, unless
                    // it was already answered.
                    (CancelAnswer::Respond, Some(active)) if active == tid => {
                        assert!(
                            cancelled,
                            "a cancel of the active transaction {tid} is obeyed"
                        );
                        if self.silent.is_some() {
                            self.abandon_active();
                        } else {
                            self.data = None;
                            self.data_done = None;
                        }
                    }
                    _ => assert!(!cancelled, "a cancel of {tid}, not in progress, is ignored"),
                }
                assert_eq!(self.r.is_busy(), busy && !cancelled);
            }
            Action::Reset => {
                self.r.handle_reset(self.now);
                let cut = std::mem::take(&mut self.open);
                self.cut_short(cut.into_iter());
                self.data = None;
                self.data_done = None;
                self.last_answered = None;
                self.silent = None;
            }
            Action::Timeout { after_ms } => {
                self.now += Duration::from_millis(u64::from(after_ms));
                self.r.handle_timeout(self.now);
            }
        }
    }

    fn check_output(&mut self, out: Output) {
        match out {
            Output::DataStart {
                code,
                transaction_id,
                total_len,
            } => {
                assert!(
                    self.data.is_none() && self.data_done.is_none(),
                    "data phase inside a data phase"
                );
                let active = self
                    .open
                    .back()
                    .expect("a data phase belongs to a transaction");
                assert_eq!(
                    self.open.len(),
                    1,
                    "earlier transactions were answered first"
                );
                assert_eq!((transaction_id, code), (active.tid, active.code));
                self.data = Some((transaction_id, total_len));
            }
            Output::Data { bytes, last } => {
                let (tid, due) = self.data.as_mut().expect("Data after DataStart");
                let len = bytes.len() as u64;
                assert!(len <= *due, "{len} bytes where {due} were due");
                *due -= len;
                assert_eq!(last, *due == 0, "`last` marks exactly the final piece");
                if last {
                    self.data_done = Some(*tid);
                    self.data = None;
                }
            }
            Output::Response {
                code,
                transaction_id,
                ..
            } => {
                assert!(self.data.is_none(), "response inside a data phase");
                if let Some(tid) = self.data_done.take() {
                    assert_eq!(transaction_id, tid, "the response follows its data phase");
                }
                let first = self
                    .open
                    .pop_front()
                    .unwrap_or_else(|| panic!("response {code:?} for {transaction_id} to nothing"));
                assert_eq!(
                    transaction_id, first.tid,
                    "the response echoes the TransactionID of {:?}",
                    first.code
                );
                self.last_answered = Some(transaction_id);
                let writer = WRITE_AT_REQUEST.contains(&first.code)
                    || WRITE_AT_DATA_END.contains(&first.code);
                if (code == ResponseCode::OK && writer) || PARTLY_DONE.contains(&(first.code, code))
                {
                    self.wrote = true;
                }
                if code == ResponseCode::TRANSACTION_CANCELLED {
                    self.cut_short(std::iter::once(first));
                }
            }
        }
    }

    fn drain(&mut self, limit: Option<u8>) {
        let mut pieces = 0u32;
        while let Some(out) = self.r.poll_output() {
            let piece = matches!(
                out,
                Output::DataStart { .. } | Output::Data { last: false, .. }
            );
            self.check_output(out);
            if piece {
                pieces += 1;
                if limit.is_some_and(|k| pieces >= u32::from(k.max(1))) {
                    break;
                }
            }
        }
        while self.r.poll_event().is_some() {}
        if limit.is_none() && !self.r.is_busy() {
            assert!(
                self.open.is_empty(),
                "idle with unanswered transactions {:?}",
                self.open
            );
        }
    }
}

fn run(mtp: bool, open_first: bool, chunk_size: usize, steps: &[Step]) {
    let dir = seed_card();
    let before = snapshot(dir.path());
    let store = FolderStore::open(dir.path(), false).unwrap();
    let r = Responder::new(
        model(mtp),
        Box::new(NoVendor),
        Box::new(store),
        Box::new(SyntheticFrames::new(64, 48, 30)),
    )
    .with_config(ResponderConfig { chunk_size });
    let mut h = Harness {
        r,
        now: vcam_testkit::cam::start_time(),
        last_tid: 0,
        open: VecDeque::new(),
        data: None,
        data_done: None,
        last_answered: None,
        silent: None,
        wrote: false,
    };
    if open_first {
        for action in open_session() {
            h.apply(&action);
            h.drain(None);
        }
    }
    for step in steps {
        let Some((last, first)) = step.actions.split_last() else {
            continue;
        };
        for action in first {
            h.apply(action);
            h.drain(None);
        }
        h.apply(last);
        h.drain(step.drain);
    }
    h.drain(None);
    // What is still waiting for data ends with the camera.
    let cut = std::mem::take(&mut h.open);
    h.cut_short(cut.into_iter());
    let wrote = h.wrote;
    // Dropping the camera drops any upload in progress.
    drop(h);
    let after = snapshot(dir.path());
    unlock(dir.path());
    if !wrote {
        assert_eq!(
            after, before,
            "the card changed though every write was refused"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_session_keeps_the_protocol(
        (mtp, steps) in any::<bool>()
            .prop_flat_map(|mtp| (Just(mtp), proptest::collection::vec(step(mtp), 1..40))),
        open_first in proptest::bool::weighted(0.9),
        chunk_size in prop_oneof![1usize..64, 64usize..8192],
    ) {
        run(mtp, open_first, chunk_size, &steps);
    }
}
