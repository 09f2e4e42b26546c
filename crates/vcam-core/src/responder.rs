//! The sans-IO responder: the session and transaction state machine of one camera.
//!
//! # Call contract
//!
//! A transport turns what it receives into calls and sends what the responder produces:
//!
//! - an operation request → [`Responder::handle_request`];
//! - a data phase from the initiator → [`Responder::handle_data_start`], any number of
//!   [`Responder::handle_data`], then [`Responder::handle_data_end`] (the transport calls
//!   `handle_data_end` itself when its framing has no end marker, such as a PTP/IP data phase
//!   of zero bytes, which is only a Start Data packet); a phase that does not match its
//!   announcement (data before the start, fewer or more bytes than announced, a start naming
//!   another transaction, or [`Responder::handle_data_mismatch`] for a piece naming one) ends
//!   its transaction with IncompleteTransfer and nothing it carried is used;
//! - a cancel → [`Responder::handle_cancel`]; a device reset or a lost connection →
//!   [`Responder::handle_reset`].
//!
//! After every call the transport drains [`Responder::poll_output`] (data and response phases,
//! in order; data is produced lazily, one bounded chunk per call, so a 4 GiB object never sits
//! in memory) and [`Responder::poll_event`], and arranges to call
//! [`Responder::handle_timeout`] at [`Responder::poll_timeout`]. Time is always passed in;
//! the responder reads no clock, opens no socket and starts no thread.
//!
//! # Blocking
//!
//! Sans-IO does not mean non-blocking: the calls above run operation handlers, and handlers
//! may block on the store (synchronous file I/O in [`FolderStore`](crate::FolderStore), a
//! directory scan on the first GetObjectHandles) or on the CPU (JPEG encoding of a capture, a
//! thumbnail or a live view frame). [`Responder::poll_output`] reads object data from the
//! store one chunk at a time, so it may block too. A driver on an async reactor runs these
//! calls off the reactor (the transports' `blocking()` helpers, `block_in_place` on tokio's
//! multi-threaded runtime, exist for this); a driver with its own thread calls them directly.
//!
//! # Where an operation is answered
//!
//! The router in `ops/mod.rs` decides, for every operation code, who answers it: the session
//! state machine here (OpenSession, CloseSession, ResetDevice, which no vendor extension sees),
//! or the [`VendorExtension`] first and then one group of standard handlers (device, objects,
//! capture, properties, stream, MTP).

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use ptp_types::{
    DataPhase, EventCode, OperationCode, OperationSpec, ResponseCode, operation_spec,
    ptp_codec::Params,
};

use crate::actions::{ActionError, ActionOutcome, BodyAction};
use crate::context::{CameraState, Context};
use crate::events::{EventQueue, EventRecord, NO_TRANSACTION};
use crate::faults::Fault;
use crate::frames::{FrameSource, LiveviewPacing};
use crate::model::CameraModel;
use crate::ops::{self, Handled, Route, SessionOp};
pub use crate::output::{CancelAnswer, DEFAULT_CHUNK_SIZE, DataHint, Output, ResponderConfig};
use crate::props::{ChangeKind, Properties};
use crate::remote::{Command, Remote, Status};
use crate::render;
use crate::reply::{Reply, Request, Response};
use crate::slot::CardSlot;
use crate::steer::{Allowance, Effect, Gate, Steer};
use crate::store::{DataSource, ObjectStore, PendingObject, Upload};
use crate::vendor::VendorExtension;
use crate::watch::{self, CardChange, CardFeed, WATCH_POLL};

#[derive(Debug, Clone, Copy)]
struct Session {
    id: u32,
    last_tid: u32,
}

enum Sink {
    /// Buffer up to `limit` bytes for a handler.
    Buffer {
        data: Vec<u8>,
        limit: usize,
        too_long: ResponseCode,
        vendor: bool,
    },
    /// Stream into the store.
    Upload {
        upload: Box<dyn Upload>,
        pending: PendingObject,
        received: u64,
    },
    /// Read and forget, then answer (or stay silent for stray data of a transaction already
    /// answered).
    Discard(Option<Response>),
}

impl Sink {
    /// The data phase went wrong: nothing it carries is used, and the transaction ends with
    /// `code`. Data read only to be discarded changes nothing: the response already decided
    /// stands (the operation ran without its data), and stray data of a transaction already
    /// answered stays unanswered.
    fn fail(&mut self, code: ResponseCode) {
        if !matches!(self, Self::Discard(_)) {
            *self = Self::Discard(Some(Response::code(code)));
        }
    }
}

/// What the initiator has said and sent of its data phase so far, to check that the data
/// matches its announcement.
#[derive(Debug, Clone, Copy, Default)]
struct Arrived {
    /// Whether the data phase started (USB container header, PTP/IP Start Data).
    started: bool,
    /// The announced total, when known.
    announced: Option<u64>,
    /// Bytes received.
    received: u64,
}

enum Phase {
    Idle,
    Receiving {
        request: Request,
        sink: Sink,
        arrived: Arrived,
    },
    Sending {
        code: OperationCode,
        tid: u32,
        source: Box<dyn DataSource>,
        remaining: u64,
        /// Bytes sent so far.
        sent: u64,
        started: bool,
        response: Response,
        failed: Option<ResponseCode>,
    },
}

impl fmt::Debug for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Idle => f.write_str("Idle"),
            Self::Receiving { request, .. } => f
                .debug_struct("Receiving")
                .field("request", request)
                .finish(),
            Self::Sending {
                code,
                tid,
                remaining,
                ..
            } => f
                .debug_struct("Sending")
                .field("code", code)
                .field("tid", tid)
                .field("remaining", remaining)
                .finish(),
        }
    }
}

/// Zeros used to complete a data phase whose source failed after its length was announced.
static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];

/// One virtual camera: model, vendor behaviour, storage, properties, live view, and the state
/// of the session with the current initiator. See the [module documentation](self) for the
/// call contract.
pub struct Responder {
    model: CameraModel,
    vendor: Box<dyn VendorExtension>,
    store: Box<dyn ObjectStore>,
    props: Properties,
    events: EventQueue,
    frames: Box<dyn FrameSource>,
    state: CameraState,
    session: Option<Session>,
    last_answered: Option<u32>,
    phase: Phase,
    out: VecDeque<Output>,
    config: ResponderConfig,
    /// Faults, the link, the battery and the card slot (`steer.rs`).
    steer: Steer,
    /// The link drops once the response of this transaction has gone out, back after the
    /// duration.
    drop_after: Option<(u32, Option<Duration>)>,
    /// Live view pacing chosen for this camera; `None`: the vendor's.
    pacing: Option<LiveviewPacing>,
    /// Card changes reported from another thread (`watch.rs`), and when to look at them next.
    feed: Option<(Arc<watch::Shared>, Option<SystemTime>)>,
    /// What feeds them (a folder watcher), kept as long as the camera.
    watcher: Option<Box<dyn Send>>,
}

impl fmt::Debug for Responder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Responder")
            .field("model", &self.model.id)
            .field("session", &self.session.map(|s| s.id))
            .field("phase", &self.phase)
            .finish_non_exhaustive()
    }
}

impl Responder {
    /// A camera of `model` with `vendor` behaviour, objects from `store` and live view from
    /// `frames`.
    #[must_use]
    pub fn new(
        model: CameraModel,
        vendor: Box<dyn VendorExtension>,
        store: Box<dyn ObjectStore>,
        frames: Box<dyn FrameSource>,
    ) -> Self {
        let props = Properties::from_defs(&model.properties);
        let steer = Steer::default();
        // Every card is reached through the body's slot, so it can come out, fill up or slow
        // down without the store knowing (`slot.rs`).
        let store: Box<dyn ObjectStore> = Box::new(CardSlot::new(store, Arc::clone(&steer.slot)));
        Self {
            model,
            vendor,
            store,
            props,
            events: EventQueue::default(),
            frames,
            state: CameraState::default(),
            session: None,
            last_answered: None,
            phase: Phase::Idle,
            out: VecDeque::new(),
            config: ResponderConfig::default(),
            steer,
            drop_after: None,
            pacing: None,
            feed: None,
            watcher: None,
        }
    }

    /// A feed through which a watcher on another thread reports changes made to the card's
    /// folder behind the camera's back ([`crate::watch`]). From now on
    /// [`Responder::poll_timeout`] asks to be run at least every
    /// [`WATCH_POLL`]; the changes are carried out then, and before
    /// every request.
    pub fn card_feed(&mut self) -> CardFeed {
        let (shared, _) = self.feed.get_or_insert_with(|| (Arc::default(), None));
        CardFeed::new(Arc::clone(shared))
    }

    /// Keeps `watcher` (what pushes into [`Responder::card_feed`], a folder watcher) alive
    /// for as long as the camera: it is dropped, and stops, with it.
    pub fn keep_card_watcher(&mut self, watcher: Box<dyn Send>) {
        self.watcher = Some(watcher);
    }

    /// Another program changed the card's folder ([`crate::watch`]): the store gives new
    /// objects their handles and forgets the ones that went, and, while a session is open,
    /// the vendor extension reports them its way
    /// ([`VendorExtension::card_changed`]). Changes the store has already seen (the
    /// camera's own captures and uploads, a folder listed since) report nothing.
    pub fn handle_card_change(&mut self, now: SystemTime, change: &CardChange) {
        let noticed = self.store.notice(change);
        if noticed.is_empty() {
            return;
        }
        tracing::info!(?change, ?noticed, "card changed on the host");
        if self.session.is_some() {
            let (vendor, mut cx) = self.split(now);
            vendor.card_changed(&mut cx, &noticed);
            self.settle(now);
        }
    }

    /// Carries out the changes waiting in the card feed, between transactions.
    fn drain_feed(&mut self, now: SystemTime) {
        let idle = matches!(self.phase, Phase::Idle);
        let Some((shared, next)) = &mut self.feed else {
            return;
        };
        *next = Some(now + WATCH_POLL);
        if !idle {
            return;
        }
        let changes = shared.take();
        for change in &changes {
            self.handle_card_change(now, change);
        }
    }

    /// Paces live view with `pacing` instead of the vendor's default
    /// ([`VendorExtension::liveview_pacing`]): [`LiveviewPacing::EveryPoll`] is the "as fast as
    /// possible" switch of benches.
    #[must_use]
    pub const fn with_liveview_pacing(mut self, pacing: LiveviewPacing) -> Self {
        self.pacing = Some(pacing);
        self
    }

    /// How live view polls are paced.
    #[must_use]
    pub fn liveview_pacing(&self) -> LiveviewPacing {
        self.pacing.unwrap_or_else(|| self.vendor.liveview_pacing())
    }

    /// Changes the tunables.
    #[must_use]
    pub const fn with_config(mut self, config: ResponderConfig) -> Self {
        self.config = config;
        self
    }

    /// The camera model.
    #[must_use]
    pub const fn model(&self) -> &CameraModel {
        &self.model
    }

    /// The device properties (read access, for transports and tests).
    #[must_use]
    pub const fn properties(&self) -> &Properties {
        &self.props
    }

    /// Whether a session is open.
    #[must_use]
    pub const fn session_open(&self) -> bool {
        self.session.is_some()
    }

    /// Whether a transaction is in progress (a data phase is being sent or received). USB's
    /// Get Device Status reports DeviceBusy then.
    #[must_use]
    pub const fn is_busy(&self) -> bool {
        !matches!(self.phase, Phase::Idle)
    }

    /// Runs `f` with a [`Context`] on the camera, then reports the property changes it made.
    /// For transports and tests that act as the camera's own buttons and dials.
    pub fn with_context<R>(&mut self, now: SystemTime, f: impl FnOnce(&mut Context<'_>) -> R) -> R {
        let result = {
            let mut cx = self.context(now);
            f(&mut cx)
        };
        self.settle(now);
        result
    }

    /// Does `action` on the body now, as a person would (see [`crate::actions`]): the core
    /// takes care of the link and the card slot, the vendor extension does the rest and
    /// reports it its own way ([`VendorExtension::body_action`]).
    ///
    /// # Errors
    /// What the body refuses ([`ActionError`]).
    pub fn act(
        &mut self,
        now: SystemTime,
        action: &BodyAction,
    ) -> Result<ActionOutcome, ActionError> {
        self.steer.touch(now);
        tracing::info!(%action, "body action");
        let outcome = match action {
            BodyAction::Unplug => {
                if !self.steer.link_up() {
                    return Ok(ActionOutcome::said("already unplugged"));
                }
                self.link_down(now, None);
                Ok(ActionOutcome::said("unplugged"))
            }
            BodyAction::Plug => {
                if self.steer.link_up() {
                    return Ok(ActionOutcome::said("already plugged in"));
                }
                self.steer.plug();
                Ok(ActionOutcome::said("plugged in"))
            }
            BodyAction::CardDoor { open } => {
                if !self.steer.slot.set_present(!open) {
                    return Ok(ActionOutcome::said(if *open {
                        "the card is already out"
                    } else {
                        "the card is already in"
                    }));
                }
                let (vendor, mut cx) = self.split(now);
                vendor.body_action(&mut cx, action)
            }
            BodyAction::Battery(percent) => {
                let dead = self.steer.battery == Some(0);
                self.steer.battery = Some(*percent);
                let (vendor, mut cx) = self.split(now);
                let outcome = vendor.body_action(&mut cx, action);
                if *percent == 0 {
                    // The body says so, then switches off a moment later.
                    self.steer.drop_later(now);
                } else if dead {
                    // A charged battery: the body switches on again.
                    self.steer.plug();
                }
                outcome
            }
            _ => {
                let (vendor, mut cx) = self.split(now);
                vendor.body_action(&mut cx, action)
            }
        };
        self.settle(now);
        self.publish_status();
        outcome
    }

    /// Plans `fault` (see [`crate::faults`]); it is armed the next time the camera runs.
    pub fn add_fault(&mut self, fault: Fault) {
        self.steer.add(fault);
        self.publish_status();
    }

    /// Drops every fault not yet over.
    pub fn clear_faults(&mut self) {
        self.steer.clear();
        self.publish_status();
    }

    /// The faults not yet over, in the `--fault` grammar.
    #[must_use]
    pub fn active_faults(&self) -> Vec<String> {
        self.steer.active()
    }

    /// Whether the body's link (its cable, its network) is up. A transport that finds it down
    /// ends its connection as the link would (PTP/IP closes its connections, a USB transport
    /// detaches the device or reports it gone) and offers the camera again once it is up;
    /// meanwhile it keeps calling [`Responder::handle_timeout`] at
    /// [`Responder::poll_timeout`], which is when the link comes back. The one signal every
    /// transport honours for `disconnect` faults, a dead battery and `vcamctl unplug`.
    #[must_use]
    pub const fn is_plugged(&self) -> bool {
        self.steer.link_up()
    }

    /// A handle to steer this camera from other threads ([`crate::remote`]). From now on
    /// [`Responder::poll_timeout`] asks to be run at least every
    /// [`REMOTE_POLL`](crate::remote::REMOTE_POLL).
    pub fn remote(&mut self) -> Remote {
        let shared = self.steer.remote.get_or_insert_with(Arc::default);
        let remote = Remote::new(Arc::clone(shared));
        self.publish_status();
        remote
    }

    /// The camera's state as a remote sees it.
    #[must_use]
    pub fn status(&self) -> Status {
        Status {
            model: self.model.id.to_string(),
            session_open: self.session.is_some(),
            link_up: self.steer.link_up(),
            card_in: self.steer.slot.present(),
            card_full: self.steer.slot.full(),
            battery: self.steer.battery,
            faults: self.steer.active(),
        }
    }

    fn publish_status(&self) {
        if let Some(remote) = &self.steer.remote {
            remote.set_status(self.status());
        }
    }

    /// Carries out what remotes queued.
    fn serve_remote(&mut self, now: SystemTime) {
        let Some(remote) = self.steer.remote.clone().filter(|r| r.waiting()) else {
            return;
        };
        for (command, answer) in remote.take() {
            let result = match command {
                Command::Act(action) => self.act(now, &action).map(|o| o.to_string()),
                Command::AddFault(fault) => {
                    let text = fault.to_string();
                    self.add_fault(fault);
                    self.steer.touch(now);
                    Ok(format!("fault planned: {text}"))
                }
                Command::ClearFaults => {
                    self.clear_faults();
                    Ok("faults cleared".to_string())
                }
            };
            // The asker may have stopped waiting.
            let _ = answer.send(result);
        }
        self.publish_status();
    }

    /// Carries out what faults did to the body.
    fn apply(&mut self, now: SystemTime, effects: Vec<Effect>) {
        if effects.is_empty() {
            return;
        }
        for effect in effects {
            match effect {
                Effect::Card(present) => {
                    if self.steer.slot.set_present(present) {
                        let action = BodyAction::CardDoor { open: !present };
                        let (vendor, mut cx) = self.split(now);
                        if let Err(e) = vendor.body_action(&mut cx, &action) {
                            tracing::warn!(%e, "reporting the card slot");
                        }
                    }
                }
                Effect::Battery(percent) => {
                    let (vendor, mut cx) = self.split(now);
                    if let Err(e) = vendor.body_action(&mut cx, &BodyAction::Battery(percent)) {
                        tracing::warn!(%e, "reporting the battery");
                    }
                }
                Effect::LinkDown(replug) => self.link_down(now, replug),
                Effect::LinkUp => {
                    tracing::info!("the link is back");
                    self.steer.plug();
                }
            }
        }
        self.settle(now);
        self.publish_status();
    }

    /// The link drops now: the session ends as for a pulled cable; back after `replug`.
    fn link_down(&mut self, now: SystemTime, replug: Option<Duration>) {
        tracing::info!(?replug, "the link is down");
        self.handle_reset(now);
        self.drop_after = None;
        self.steer.unplug(now, replug);
        self.publish_status();
    }

    /// An operation request arrived.
    pub fn handle_request(&mut self, now: SystemTime, request: Request, hint: DataHint) {
        tracing::debug!(code = ?request.code, tid = request.transaction_id, params = ?request.params, "request");
        if !matches!(self.phase, Phase::Idle) {
            tracing::warn!(phase = ?self.phase, "new request while a transaction was in progress; abandoning it");
            self.abandon();
        }
        self.drain_feed(now);
        let spec = self.operation_spec(request.code);
        let data_out = match hint {
            DataHint::DataOut => true,
            DataHint::NoDataOut => false,
            DataHint::Unknown => spec.is_some_and(|s| s.data == DataPhase::ToResponder),
        };
        // What remotes queued comes first (a busy initiator may leave no room for timeouts).
        self.serve_remote(now);
        // Faults see every request first (`steer.rs`): an unplugged body hears nothing, a
        // busy one answers DeviceBusy.
        let mut effects = Vec::new();
        let name = spec.map(|s| s.name);
        let gate = self.steer.gate(
            now,
            request.transaction_id,
            request.code,
            name,
            &mut effects,
        );
        self.apply(now, effects);
        if gate == Gate::Unheard {
            tracing::debug!(code = ?request.code, "the link is down: request unheard");
            return;
        }
        self.steer.slot.take_read();
        let handled = match self.check(&request, spec) {
            Err(code) => Handled::Reply(Reply::from(code)),
            Ok(()) => {
                if let Some(session) = self.session.as_mut()
                    && request.code != OperationCode::OPEN_SESSION
                    && request.transaction_id != 0
                {
                    session.last_tid = request.transaction_id;
                }
                match gate {
                    Gate::Refuse(code) => {
                        tracing::info!(code = ?request.code, refused = ?code, "fault: refused");
                        Handled::Reply(Reply::from(code))
                    }
                    _ => self.dispatch(now, &request),
                }
            }
        };
        let needs_data = spec.is_some_and(|s| s.data == DataPhase::ToResponder);
        self.start(now, request, handled, data_out, needs_data);
        self.settle(now);
    }

    /// A data phase from the initiator starts; `total_len` is its announced size when known.
    pub fn handle_data_start(
        &mut self,
        now: SystemTime,
        transaction_id: u32,
        total_len: Option<u64>,
    ) {
        let _ = now;
        match &mut self.phase {
            Phase::Receiving {
                request,
                sink,
                arrived,
            } => {
                if arrived.started {
                    tracing::warn!(transaction_id, "a second start of the data phase");
                    sink.fail(ResponseCode::INCOMPLETE_TRANSFER);
                    return;
                }
                arrived.started = true;
                arrived.announced = total_len;
                if request.transaction_id != transaction_id {
                    tracing::warn!(
                        expected = request.transaction_id,
                        got = transaction_id,
                        "data phase with another TransactionID; discarding it"
                    );
                    sink.fail(ResponseCode::INCOMPLETE_TRANSFER);
                    return;
                }
                if let (
                    Sink::Buffer {
                        limit, too_long, ..
                    },
                    Some(total),
                ) = (&*sink, total_len)
                    && total > *limit as u64
                {
                    tracing::warn!(
                        total,
                        limit,
                        "announced data phase exceeds the limit; discarding it"
                    );
                    *sink = Sink::Discard(Some(Response::code(*too_long)));
                }
            }
            Phase::Idle => {
                tracing::warn!(
                    transaction_id,
                    "data phase without a request expecting one; discarding it"
                );
                let answer = (self.last_answered != Some(transaction_id))
                    .then(|| Response::code(ResponseCode::GENERAL_ERROR));
                let request = Request {
                    code: OperationCode::UNDEFINED,
                    transaction_id,
                    params: Params::empty(),
                };
                self.phase = Phase::Receiving {
                    request,
                    sink: Sink::Discard(answer),
                    arrived: Arrived {
                        started: true,
                        announced: total_len,
                        received: 0,
                    },
                };
            }
            Phase::Sending { .. } => {
                tracing::warn!(
                    transaction_id,
                    "data received while sending data; ignoring it"
                );
            }
        }
    }

    /// A piece of the initiator's data phase.
    pub fn handle_data(&mut self, now: SystemTime, chunk: &[u8]) {
        self.steer.touch(now);
        let Phase::Receiving {
            request, arrived, ..
        } = &mut self.phase
        else {
            tracing::warn!(len = chunk.len(), "data outside a data phase; ignoring it");
            return;
        };
        // A fault may cut the data phase here (`steer.rs`).
        let done = arrived.received;
        let tid = request.transaction_id;
        let chunk = match self.steer.allowance(tid, done, chunk.len()) {
            Allowance::Go(n) if n >= chunk.len() => chunk,
            Allowance::Go(n) => {
                let cut = chunk.get(..n).unwrap_or_default();
                let after = self.steer.allowance(tid, done + n as u64, 1);
                self.cut_data_out(now, after, cut);
                return;
            }
            stop => {
                self.cut_data_out(now, stop, &[]);
                return;
            }
        };
        self.receive(chunk);
    }

    /// Stores a piece of the initiator's data phase in its sink.
    fn receive(&mut self, chunk: &[u8]) {
        let Phase::Receiving { sink, arrived, .. } = &mut self.phase else {
            return;
        };
        arrived.received = arrived.received.saturating_add(chunk.len() as u64);
        if !arrived.started {
            tracing::warn!(
                len = chunk.len(),
                "data before the data phase started; discarding it"
            );
            sink.fail(ResponseCode::INCOMPLETE_TRANSFER);
        } else if arrived
            .announced
            .is_some_and(|total| arrived.received > total)
        {
            tracing::warn!(
                announced = arrived.announced,
                received = arrived.received,
                "more data than announced; discarding it"
            );
            sink.fail(ResponseCode::INCOMPLETE_TRANSFER);
        }
        match sink {
            Sink::Buffer {
                data,
                limit,
                too_long,
                ..
            } => {
                if data.len() + chunk.len() > *limit {
                    tracing::warn!(
                        limit = *limit,
                        "data phase exceeds the limit; discarding it"
                    );
                    *sink = Sink::Discard(Some(Response::code(*too_long)));
                } else {
                    data.extend_from_slice(chunk);
                }
            }
            Sink::Upload {
                upload, received, ..
            } => {
                *received += chunk.len() as u64;
                if let Err(err) = upload.write(chunk) {
                    tracing::warn!(%err, "upload failed");
                    *sink = Sink::Discard(Some(Response::code(err.response_code())));
                }
            }
            Sink::Discard(_) => {}
        }
    }

    /// A fault cuts the initiator's data phase after `last`: the link drops (nothing of it
    /// is kept), or the camera cancels it (TransactionCancelled once the initiator has sent
    /// the rest, which is read and forgotten).
    fn cut_data_out(&mut self, now: SystemTime, stop: Allowance, last: &[u8]) {
        self.receive(last);
        match stop {
            Allowance::Disconnect => {
                let replug = self.steer.disconnect_replug();
                tracing::info!("fault: the link drops in the middle of the data phase");
                self.link_down(now, replug);
            }
            Allowance::Cancel => {
                tracing::info!("fault: the camera cancels the data phase");
                self.steer.cancelled();
                if let Phase::Receiving { sink, .. } = &mut self.phase {
                    // Dropping an upload discards it: nothing reaches the card.
                    *sink =
                        Sink::Discard(Some(Response::code(ResponseCode::TRANSACTION_CANCELLED)));
                }
                let mut cx = self.context(now);
                cx.queue_event(EventCode::CANCEL_TRANSACTION, NO_TRANSACTION, []);
            }
            Allowance::Go(_) | Allowance::Wait(_) => {}
        }
    }

    /// The transport met a piece of the initiator's data phase that names another transaction
    /// (a PTP/IP Data packet whose TransactionID is not the Start Data's): nothing the phase
    /// carries is used, and the transaction ends with IncompleteTransfer when the phase ends.
    pub fn handle_data_mismatch(&mut self, now: SystemTime, transaction_id: u32) {
        let _ = now;
        if let Phase::Receiving { request, sink, .. } = &mut self.phase {
            tracing::warn!(
                expected = request.transaction_id,
                got = transaction_id,
                "data of another transaction; discarding the data phase"
            );
            sink.fail(ResponseCode::INCOMPLETE_TRANSFER);
        }
    }

    /// The initiator's data phase is complete: run what waited for it and respond. When it
    /// did not match its announcement (no start, fewer or more bytes than announced, another
    /// TransactionID) nothing it carried is used: the transaction ends with IncompleteTransfer
    /// and nothing is written to the card.
    pub fn handle_data_end(&mut self, now: SystemTime) {
        if !matches!(self.phase, Phase::Receiving { .. }) {
            // Idle, or sending data: the transaction in progress (if any) goes on.
            tracing::warn!("end of a data phase that was not in progress; ignoring it");
            return;
        }
        let Phase::Receiving {
            request,
            mut sink,
            arrived,
        } = std::mem::replace(&mut self.phase, Phase::Idle)
        else {
            return;
        };
        if !arrived.started
            || arrived
                .announced
                .is_some_and(|total| total != arrived.received)
        {
            tracing::warn!(
                started = arrived.started,
                announced = arrived.announced,
                received = arrived.received,
                "the data phase does not match its announcement; nothing it carried is used"
            );
            sink.fail(ResponseCode::INCOMPLETE_TRANSFER);
        }
        let response = match sink {
            // Stray data of a transaction already answered: nothing more to say.
            Sink::Discard(None) => return,
            Sink::Discard(Some(response)) => response,
            Sink::Buffer { data, vendor, .. } => {
                let (vendor_ext, mut cx) = self.split(now);
                if vendor {
                    vendor_ext.handle_data(&mut cx, &request, &data)
                } else {
                    ops::handle_data(&mut cx, &request, &data)
                }
            }
            Sink::Upload {
                upload,
                pending,
                received,
            } => {
                let mut cx = self.context(now);
                ops::finish_upload(&mut cx, upload, &pending, received)
            }
        };
        self.respond(request.transaction_id, response);
        self.settle(now);
    }

    /// The initiator cancelled transaction `transaction_id` (PTP/IP Cancel, USB class request
    /// Cancel). Returns whether a transaction was cancelled.
    ///
    /// With [`CancelAnswer::Respond`] (PTP/IP) only the transaction in progress can be
    /// cancelled, and only when `transaction_id` names it; it then ends with a
    /// TransactionCancelled response (none when it was stray data of a transaction already
    /// answered). A cancel naming another transaction (one that ended while the cancel was on
    /// its way) is ignored, so no transaction gets two responses. With
    /// [`CancelAnswer::ViaDeviceStatus`] (USB) the transport has already dropped its transfers
    /// and reports the cancellation through Get Device Status, so the transaction in progress
    /// ends without a response whatever `transaction_id` says.
    pub fn handle_cancel(
        &mut self,
        now: SystemTime,
        transaction_id: u32,
        answer: CancelAnswer,
    ) -> bool {
        let (active, answered) = match &self.phase {
            Phase::Idle => {
                tracing::debug!(transaction_id, "cancel with no transaction in progress");
                return false;
            }
            Phase::Receiving { request, sink, .. } => {
                (request.transaction_id, matches!(sink, Sink::Discard(None)))
            }
            Phase::Sending { tid, .. } => (*tid, false),
        };
        if answer == CancelAnswer::Respond && active != transaction_id {
            tracing::warn!(
                transaction_id,
                active,
                "cancel of a transaction not in progress; ignoring it"
            );
            return false;
        }
        tracing::info!(transaction_id, active, "transaction cancelled");
        self.abandon();
        self.out.clear();
        if answer == CancelAnswer::Respond && !answered {
            self.respond(
                transaction_id,
                Response::code(ResponseCode::TRANSACTION_CANCELLED),
            );
        }
        self.settle(now);
        true
    }

    /// The device is reset (USB Device Reset, ResetDevice) or the initiator is gone: the
    /// session closes, transfers in progress are dropped, pending outputs and events are
    /// discarded. The camera itself (storage, properties, counters) is kept.
    pub fn handle_reset(&mut self, now: SystemTime) {
        self.abandon();
        self.out.clear();
        self.close_session(now);
        self.events.clear();
        self.last_answered = None;
    }

    /// The time has come for [`Responder::poll_timeout`].
    pub fn handle_timeout(&mut self, now: SystemTime) {
        self.drain_feed(now);
        let mut effects = Vec::new();
        self.steer.handle_timeout(now, &mut effects);
        self.apply(now, effects);
        self.serve_remote(now);
        while let Some((&(at, seq), _)) = self.state.timers.first_key_value() {
            if at > now {
                break;
            }
            let Some(timer) = self.state.timers.remove(&(at, seq)) else {
                break;
            };
            let mut cx = self.context(now);
            ops::run_timer(&mut cx, timer);
        }
        if self.vendor.poll_timeout().is_some_and(|at| at <= now) {
            let (vendor, mut cx) = self.split(now);
            vendor.handle_timeout(&mut cx);
        }
        self.settle(now);
        self.publish_status();
    }

    /// When [`Responder::handle_timeout`] should next be called.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<SystemTime> {
        let own = self.state.timers.keys().next().map(|&(at, _)| at);
        // A card feed is looked at every WATCH_POLL (at once the first time).
        let feed = self
            .feed
            .as_ref()
            .map(|(_, next)| next.unwrap_or(UNIX_EPOCH));
        [
            own,
            self.vendor.poll_timeout(),
            self.steer.poll_timeout(),
            feed,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The next thing to send on the command/data channel, if any.
    pub fn poll_output(&mut self) -> Option<Output> {
        if let Some(out) = self.out.pop_front() {
            if let (Output::Response { transaction_id, .. }, Some((tid, replug))) =
                (&out, self.drop_after)
                && *transaction_id == tid
            {
                // The response goes out, then the link drops (a `disconnect` fault).
                self.drop_after = None;
                tracing::info!(tid, "fault: the link drops after this response");
                let now = self.steer.last_now;
                self.link_down(now, replug);
            }
            return Some(out);
        }
        let chunk_size = self.config.chunk_size.max(1);
        let Phase::Sending {
            code,
            tid,
            source,
            remaining,
            sent,
            started,
            response,
            failed,
        } = &mut self.phase
        else {
            return None;
        };
        if !*started {
            *started = true;
            return Some(Output::DataStart {
                code: *code,
                transaction_id: *tid,
                total_len: *remaining,
            });
        }
        let mut want = usize::try_from(*remaining)
            .unwrap_or(usize::MAX)
            .min(chunk_size);
        // A fault may pace the data phase (a slow card) or cut it (`steer.rs`).
        if want > 0 && failed.is_none() {
            match self.steer.allowance(*tid, *sent, want) {
                Allowance::Go(n) => want = n.clamp(1, want),
                Allowance::Wait(_) => return None,
                Allowance::Disconnect => {
                    let replug = self.steer.disconnect_replug();
                    let now = self.steer.last_now;
                    tracing::info!(
                        sent = *sent,
                        "fault: the link drops in the middle of the data phase"
                    );
                    self.link_down(now, replug);
                    return None;
                }
                Allowance::Cancel => {
                    tracing::info!(sent = *sent, "fault: the camera cancels the data phase");
                    *failed = Some(ResponseCode::TRANSACTION_CANCELLED);
                    let now = self.steer.last_now;
                    let mut cx = self.context(now);
                    cx.queue_event(EventCode::CANCEL_TRANSACTION, NO_TRANSACTION, []);
                    return self.poll_output();
                }
            }
        }
        let bytes = if want == 0 {
            Bytes::new()
        } else if failed.is_some() {
            Bytes::from_static(ZEROS.get(..want.min(ZEROS.len())).unwrap_or_default())
        } else {
            match source.read_chunk_from(self.store.as_mut(), want) {
                Ok(bytes) if !bytes.is_empty() && bytes.len() <= want => bytes,
                Ok(bytes) => {
                    tracing::error!(
                        got = bytes.len(),
                        want,
                        "data source yielded a bad chunk; padding the data phase"
                    );
                    *failed = Some(ResponseCode::INCOMPLETE_TRANSFER);
                    Bytes::from_static(ZEROS.get(..want.min(ZEROS.len())).unwrap_or_default())
                }
                Err(err) => {
                    tracing::error!(%err, "reading object data failed; padding the data phase");
                    *failed = Some(ResponseCode::INCOMPLETE_TRANSFER);
                    Bytes::from_static(ZEROS.get(..want.min(ZEROS.len())).unwrap_or_default())
                }
            }
        };
        *remaining -= bytes.len() as u64;
        *sent += bytes.len() as u64;
        let last = *remaining == 0;
        if last {
            let tid = *tid;
            let response = match failed {
                Some(code) => Response::code(*code),
                None => *response,
            };
            self.phase = Phase::Idle;
            self.respond(tid, response);
        }
        Some(Output::Data { bytes, last })
    }

    /// The next event to deliver, if any.
    pub fn poll_event(&mut self) -> Option<EventRecord> {
        self.events.pop()
    }

    /// The specification (data direction, parameter counts, session need) the responder uses
    /// for `code`: the vendor extension's table first, then the standard one (ISO 15740 and
    /// MTP), then the extension operations the core answers ([`android`](crate::android)).
    /// `None` for a code none knows. Transports whose framing does not say whether
    /// the initiator sends data (USB-style containers) need it.
    #[must_use]
    pub fn operation_spec(&self, code: OperationCode) -> Option<OperationSpec> {
        self.vendor
            .operations()
            .iter()
            .find(|s| s.code == code)
            .copied()
            .or_else(|| operation_spec(code))
            .or_else(|| crate::android::op::spec(code).copied())
    }

    /// Session, TransactionID and parameter checks (ISO 15740:2013 §9.3, §10.1).
    fn check(&self, request: &Request, spec: Option<OperationSpec>) -> Result<(), ResponseCode> {
        if !self.model.supports(request.code) {
            return Err(ResponseCode::OPERATION_NOT_SUPPORTED);
        }
        let needs_session = spec.is_none_or(|s| s.needs_session);
        match &self.session {
            None if needs_session => return Err(ResponseCode::SESSION_NOT_OPEN),
            Some(session) if request.code != OperationCode::OPEN_SESSION => {
                let tid = request.transaction_id;
                let sessionless = !needs_session && tid == 0;
                if !sessionless && (tid == 0 || tid == u32::MAX || tid <= session.last_tid) {
                    return Err(ResponseCode::INVALID_TRANSACTION_ID);
                }
            }
            _ => {}
        }
        if let Some(spec) = spec
            && request
                .params
                .iter()
                .skip(usize::from(spec.max_params))
                .any(|&p| p != 0)
        {
            return Err(ResponseCode::PARAMETER_NOT_SUPPORTED);
        }
        Ok(())
    }

    /// Runs a checked request where the router (`ops::route`) sends it.
    fn dispatch(&mut self, now: SystemTime, request: &Request) -> Handled {
        match ops::route(request.code) {
            Route::Session(SessionOp::Open) => self.open_session(now, request),
            Route::Session(SessionOp::Close) => {
                self.close_session(now);
                Handled::Reply(Reply::ok())
            }
            Route::Handlers(group) => {
                let (vendor, mut cx) = self.split(now);
                if let Some(reply) = vendor.handle(&mut cx, request) {
                    return Handled::Vendor(reply);
                }
                match ops::handle(&mut cx, &*vendor, group, request) {
                    Handled::EndSession(reply) => {
                        self.close_session(now);
                        Handled::Reply(reply)
                    }
                    handled => handled,
                }
            }
        }
    }

    fn open_session(&mut self, now: SystemTime, request: &Request) -> Handled {
        let id = request.param(0);
        if id == 0 {
            return Handled::Reply(Reply::from(ResponseCode::INVALID_PARAMETER));
        }
        if let Some(session) = self.session {
            return Handled::Reply(Reply::Response(Response {
                code: ResponseCode::SESSION_ALREADY_OPEN,
                params: Params::from([session.id]),
            }));
        }
        self.session = Some(Session {
            id,
            last_tid: request.transaction_id,
        });
        tracing::info!(session = id, "session opened");
        self.steer.session_opened(now);
        let (vendor, mut cx) = self.split(now);
        vendor.session_opened(&mut cx);
        self.publish_status();
        Handled::Reply(Reply::ok())
    }

    fn close_session(&mut self, now: SystemTime) {
        if let Some(session) = self.session.take() {
            tracing::info!(session = session.id, "session closed");
            self.state.pending_upload = None;
            self.state.open_capture = None;
            self.state.timers.clear();
            let (vendor, mut cx) = self.split(now);
            vendor.session_closed(&mut cx);
            self.publish_status();
        }
    }

    fn start(
        &mut self,
        now: SystemTime,
        request: Request,
        handled: Handled,
        data_out: bool,
        needs_data: bool,
    ) {
        let tid = request.transaction_id;
        let receive = |sink| Phase::Receiving {
            request,
            sink,
            arrived: Arrived::default(),
        };
        let (reply, vendor) = match handled {
            Handled::Upload { upload, pending } => {
                if !data_out {
                    tracing::warn!(code = ?request.code, "SendObject without a data phase");
                    self.respond(tid, Response::code(ResponseCode::GENERAL_ERROR));
                    return;
                }
                self.phase = receive(Sink::Upload {
                    upload,
                    pending,
                    received: 0,
                });
                return;
            }
            Handled::Reply(reply) | Handled::EndSession(reply) => (reply, false),
            Handled::Vendor(reply) => (reply, true),
        };
        match reply {
            Reply::Response(response) => {
                if data_out {
                    // The initiator sends data whatever we think of the request: read it first.
                    self.phase = receive(Sink::Discard(Some(response)));
                } else if needs_data && response.code.is_ok() {
                    tracing::warn!(code = ?request.code, "operation needs a data phase the initiator did not announce");
                    self.respond(tid, Response::code(ResponseCode::GENERAL_ERROR));
                } else {
                    self.respond(tid, response);
                }
            }
            Reply::ReceiveData { limit, too_long } => {
                if data_out {
                    self.phase = receive(Sink::Buffer {
                        data: Vec::new(),
                        limit,
                        too_long,
                        vendor,
                    });
                } else {
                    tracing::warn!(code = ?request.code, "handler wants data but none is coming");
                    self.respond(tid, Response::code(ResponseCode::GENERAL_ERROR));
                }
            }
            Reply::Data { data, response } => {
                if data_out {
                    tracing::warn!(code = ?request.code, "initiator announced data for an operation that sends data");
                    self.phase = receive(Sink::Discard(Some(Response::code(
                        ResponseCode::GENERAL_ERROR,
                    ))));
                    return;
                }
                let remaining = data.len();
                let card = self.steer.slot.take_read();
                self.steer.data_in_started(now, tid, card);
                self.phase = Phase::Sending {
                    code: request.code,
                    tid,
                    source: data,
                    remaining,
                    sent: 0,
                    started: false,
                    response,
                    failed: None,
                };
            }
        }
        let _ = now;
    }

    fn respond(&mut self, transaction_id: u32, response: Response) {
        tracing::debug!(code = ?response.code, transaction_id, params = ?response.params, "response");
        if let Some(replug) = self.steer.responded(transaction_id) {
            self.drop_after = Some((transaction_id, replug));
        }
        self.last_answered = Some(transaction_id);
        self.out.push_back(Output::Response {
            code: response.code,
            transaction_id,
            params: response.params,
        });
    }

    fn abandon(&mut self) {
        // Dropping an Upload discards it; dropping a source closes it.
        self.phase = Phase::Idle;
    }

    /// Reports property changes: DevicePropChanged for listed properties, and the vendor hook.
    fn settle(&mut self, now: SystemTime) {
        for _ in 0..8 {
            let changes = self.props.take_changes();
            if changes.is_empty() {
                return;
            }
            for change in &changes {
                if change.kind == ChangeKind::Value && self.props.is_listed(change.code) {
                    let mut cx = self.context(now);
                    cx.queue_event(
                        EventCode::DEVICE_PROP_CHANGED,
                        NO_TRANSACTION,
                        [u32::from(change.code.0)],
                    );
                }
            }
            let (vendor, mut cx) = self.split(now);
            vendor.properties_changed(&mut cx, &changes);
        }
    }

    fn context(&mut self, now: SystemTime) -> Context<'_> {
        self.split(now).1
    }

    /// The vendor extension and a context over everything else, borrowed side by side.
    fn split(&mut self, now: SystemTime) -> (&mut dyn VendorExtension, Context<'_>) {
        let settings = self
            .vendor
            .settings_lines(&self.props)
            .unwrap_or_else(|| render::settings_lines(&self.props));
        let pacing = self.pacing.unwrap_or_else(|| self.vendor.liveview_pacing());
        let cx = Context {
            now,
            model: &self.model,
            store: self.store.as_mut(),
            props: &mut self.props,
            events: &mut self.events,
            frames: self.frames.as_mut(),
            state: &mut self.state,
            steer: &mut self.steer,
            settings,
            pacing,
        };
        (self.vendor.as_mut(), cx)
    }
}
