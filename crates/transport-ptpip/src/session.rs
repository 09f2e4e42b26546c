//! A session on the command connection, on a thread of its own with a blocking socket:
//! operations, data phases both ways, responses, and the initiator's liveness.

use std::io::{self, Read};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

use ptp_codec::ptpip::{DataPhase, Packet, PacketType};
use ptp_codec::stream::{Decoded, FrameKind, PtpIp, StreamDecoder};
use tokio::sync::{OwnedMutexGuard, mpsc};
use vcam_core::model::PtpIpDataFraming;
use vcam_core::{CancelAnswer, DataHint, Output, Request, Responder};

use crate::conn::{Tap, quickack};
use crate::event::ToEvent;
use crate::outbox::{BATCH_LIMIT, Outbox};
use crate::{ConnectionError, Heard, MAX_FRAME_LEN, Shared, lock};

/// Receive buffer: room for a whole packet of [`MAX_FRAME_LEN`] behind what is pending.
const RECEIVE_BUFFER: usize = 2 * MAX_FRAME_LEN + 64 * 1024;

/// Probing a silent initiator (CIPA DC-005 §2.3.13).
pub(crate) struct Liveness {
    interval: Duration,
    /// Last heard on the event connection.
    heard: Arc<Heard>,
    /// Last heard on the command connection.
    last_read: Instant,
    /// When the Probe Request went out, while its answer is awaited.
    probe_sent: Option<Instant>,
}

impl Liveness {
    pub(crate) fn new(interval: Duration, heard: Arc<Heard>) -> Self {
        Self {
            interval,
            heard,
            last_read: Instant::now(),
            probe_sent: None,
        }
    }

    fn last_heard(&self) -> Instant {
        self.last_read.max(self.heard.at())
    }

    /// When to look again.
    fn next_check(&self) -> Instant {
        match self.probe_sent {
            Some(sent) => sent + self.interval,
            None => self.last_heard() + self.interval,
        }
    }
}

/// A streamed (large) Data or End Data packet being received.
#[derive(Debug, Clone, Copy)]
struct StreamedPacket {
    end: bool,
}

/// What waiting for the initiator gave.
enum Filled {
    Bytes,
    Closed,
    TimedOut,
}

pub(crate) struct Session {
    shared: Arc<Shared>,
    stream: TcpStream,
    peer: SocketAddr,
    /// Received bytes; `buf[start..end]` are pending.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    decoder: StreamDecoder<PtpIp>,
    outbox: Outbox,
    /// The read timeout set on the socket.
    read_timeout: Option<Duration>,
    pub(crate) camera: OwnedMutexGuard<Responder>,
    framing: PtpIpDataFraming,
    liveness: Option<Liveness>,
    /// The streamed Data / End Data packet being received.
    data_in: Option<StreamedPacket>,
    /// TransactionID of the initiator's data phase (its Start Data), while it lasts.
    data_out_tid: Option<u32>,
    /// TransactionID of the data-in phase being sent.
    data_tid: Option<u32>,
    /// Probe Requests waiting for their Probe Response.
    probes: usize,
    /// The event connection, once it is bound.
    events: Option<mpsc::Sender<ToEvent>>,
    /// The connection's recording: what the initiator sent is recorded packet by packet as
    /// it is consumed ([`Session::record_consumed`]).
    tap: Tap,
    /// Bytes at the head of the pending input that were recorded before the session began
    /// (read with the Init Command Request).
    recorded_ahead: usize,
}

impl Session {
    /// A session on `stream` (blocking), with the bytes already received after the Init
    /// Command Request.
    pub(crate) fn new(
        shared: Arc<Shared>,
        stream: TcpStream,
        peer: SocketAddr,
        pending: &[u8],
        camera: OwnedMutexGuard<Responder>,
        framing: PtpIpDataFraming,
        liveness: Option<Liveness>,
    ) -> Result<Self, ConnectionError> {
        // A peer that takes none of our bytes for a probe interval is as gone as a silent one.
        stream.set_write_timeout(liveness.as_ref().map(|l| l.interval))?;
        let mut buf = vec![0; RECEIVE_BUFFER.max(pending.len())];
        buf.get_mut(..pending.len())
            .unwrap_or_default()
            .copy_from_slice(pending);
        Ok(Self {
            shared,
            stream,
            peer,
            end: pending.len(),
            buf,
            start: 0,
            decoder: StreamDecoder::new(MAX_FRAME_LEN),
            outbox: Outbox::default(),
            read_timeout: None,
            camera,
            framing,
            liveness,
            data_in: None,
            data_out_tid: None,
            data_tid: None,
            probes: 0,
            events: None,
            tap: Tap::default(),
            recorded_ahead: pending.len(),
        })
    }

    /// Records the connection into `tap` (what [`crate::conn::Conn`] recorded into before).
    pub(crate) fn recording(mut self, tap: Tap) -> Self {
        self.tap = tap;
        self
    }

    pub(crate) fn run(&mut self) -> Result<(), ConnectionError> {
        let mut force = false;
        loop {
            let stalled = self.process_input(force)?;
            self.flush()?;
            if !self.camera.is_plugged() {
                // The link dropped (`Responder::is_plugged`): both connections close, as when
                // a body leaves the network.
                tracing::info!(peer = %self.peer, "the camera is unplugged: closing");
                return Ok(());
            }
            if stalled {
                // A request waited for the transaction before it. Still busy after the flush
                // means the initiator gave up a data phase it owed: hand the request over.
                force = self.camera.is_busy();
                continue;
            }
            force = false;
            let now = Instant::now();
            let camera_at = self.camera.poll_timeout();
            let camera_wait =
                camera_at.map(|at| at.duration_since(SystemTime::now()).unwrap_or_default());
            let check_wait = self
                .liveness
                .as_ref()
                .map(|l| l.next_check().saturating_duration_since(now));
            let wait = match (camera_wait, check_wait) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if wait != Some(Duration::ZERO) {
                match self.fill(wait)? {
                    Filled::Closed => return Ok(()),
                    Filled::Bytes => {
                        if let Some(l) = &mut self.liveness {
                            l.last_read = Instant::now();
                        }
                        continue;
                    }
                    Filled::TimedOut => {}
                }
            }
            if camera_at.is_some_and(|at| at <= SystemTime::now()) {
                self.camera.handle_timeout(SystemTime::now());
            }
            if self.liveness_due() {
                self.check_liveness()?;
            }
        }
    }

    /// Waits up to `wait` (for ever: `None`) for bytes from the initiator.
    fn fill(&mut self, wait: Option<Duration>) -> Result<Filled, ConnectionError> {
        // Waking early is harmless (the loop looks again), waking late by more than a sliver
        // is not; the socket option is left alone otherwise (a system call saved per read).
        let set = match (self.read_timeout, wait) {
            (None, None) => false,
            (Some(current), Some(wanted)) => current > wanted + wanted / 64 || current < wanted / 2,
            _ => true,
        };
        if set {
            self.stream
                .set_read_timeout(wait.map(|w| w.max(Duration::from_millis(1))))?;
            self.read_timeout = wait;
        }
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.buf.len() - self.end < 64 * 1024 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.camera.is_busy() {
            // Waiting for the initiator's data phase (a busy camera with everything sent is
            // receiving): acknowledge at once what arrives. libgphoto2 writes Start Data and
            // Data separately, Nagle holds the Data back until the Start Data is acknowledged,
            // and a delayed acknowledgement costs it about 40 ms (client-expectations.md §0.6).
            // Between transactions the acknowledgement rides on the answer instead.
            quickack(&self.stream);
        }
        let room = self.buf.get_mut(self.end..).unwrap_or_default();
        match self.stream.read(room) {
            Ok(0) => Ok(Filled::Closed),
            Ok(n) => {
                self.end += n;
                Ok(Filled::Bytes)
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(Filled::TimedOut)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn liveness_due(&self) -> bool {
        self.liveness
            .as_ref()
            .is_some_and(|l| l.next_check() <= Instant::now())
    }

    /// Probes an initiator silent for the interval; ends the session when a probe went
    /// unanswered for as long again.
    fn check_liveness(&mut self) -> Result<(), ConnectionError> {
        let Some(l) = &mut self.liveness else {
            return Ok(());
        };
        let now = Instant::now();
        let last = l.last_heard();
        match l.probe_sent {
            Some(sent) if last > sent => l.probe_sent = None,
            Some(sent) if now >= sent + l.interval => {
                if !self.shared.contended.load(Ordering::SeqCst) {
                    // Nobody else wants the camera: keep the session, probe again.
                    tracing::debug!(peer = %self.peer, "no Probe Response; nobody is waiting");
                    l.probe_sent = Some(now);
                    return self.probe();
                }
                tracing::warn!(peer = %self.peer, "no Probe Response: ending the session");
                return Err(ConnectionError::Timeout("Probe Response"));
            }
            Some(_) => {}
            None if now >= last + l.interval => {
                l.probe_sent = Some(now);
                self.probe()?;
            }
            None => {}
        }
        Ok(())
    }

    /// Sends a Probe Request on the event connection, or on the command connection when there
    /// is none.
    fn probe(&mut self) -> Result<(), ConnectionError> {
        tracing::debug!(peer = %self.peer, "initiator silent: Probe Request");
        if let Some(events) = self.event_sender()
            && events.try_send(ToEvent::Probe).is_ok()
        {
            return Ok(());
        }
        self.outbox.packet(&Packet::ProbeRequest)?;
        self.outbox
            .write_blocking(&mut self.stream, true, &mut self.tap)
    }

    /// The event connection's sender, once it exists.
    fn event_sender(&mut self) -> Option<&mpsc::Sender<ToEvent>> {
        if self.events.as_ref().is_none_or(mpsc::Sender::is_closed) {
            self.events = lock(&self.shared.registry)
                .active
                .as_ref()
                .and_then(|a| a.events.clone());
        }
        self.events.as_ref()
    }

    /// Feeds every complete packet (and every piece of a streamed one) to the camera. Returns
    /// true when it stopped before an Operation Request that must wait for the transaction in
    /// progress to be sent (unless `force`: then the request is handed over).
    fn process_input(&mut self, mut force: bool) -> Result<bool, ConnectionError> {
        let now = SystemTime::now();
        loop {
            let pending = self.buf.get(self.start..self.end).unwrap_or_default();
            let consumed = match self.decoder.decode(pending)? {
                Decoded::NeedMore(_) => return Ok(false),
                Decoded::Frame(frame) => {
                    let packet = Packet::parse(frame)?;
                    let len = frame.len();
                    let camera = &mut self.camera;
                    match packet {
                        Packet::ProbeRequest => self.probes += 1,
                        Packet::OperationRequest { .. } if camera.is_busy() && !force => {
                            return Ok(true);
                        }
                        Packet::OperationRequest { .. } => {
                            force = false;
                            self.data_out_tid = None;
                            handle_packet(camera, now, packet)?;
                        }
                        Packet::StartData {
                            transaction_id,
                            total_length,
                        } => {
                            self.data_out_tid = (total_length != 0).then_some(transaction_id);
                            handle_packet(camera, now, packet)?;
                        }
                        Packet::Data { transaction_id, .. } => {
                            check_data_tid(camera, self.data_out_tid, now, transaction_id);
                            handle_packet(camera, now, packet)?;
                        }
                        Packet::EndData { transaction_id, .. } => {
                            check_data_tid(camera, self.data_out_tid, now, transaction_id);
                            self.data_out_tid = None;
                            handle_packet(camera, now, packet)?;
                        }
                        other => handle_packet(camera, now, other)?,
                    }
                    len
                }
                Decoded::Head { head, .. } => {
                    // A Data or End Data packet too large to hold: its payload follows in pieces.
                    let end = PtpIp::kind(head) == PacketType::END_DATA;
                    let tid = head
                        .get(8..12)
                        .and_then(|b| b.try_into().ok())
                        .map_or(0, u32::from_le_bytes);
                    check_data_tid(&mut self.camera, self.data_out_tid, now, tid);
                    self.data_in = Some(StreamedPacket { end });
                    head.len()
                }
                Decoded::Body(piece) => {
                    self.camera.handle_data(now, piece);
                    if !self.decoder.in_body()
                        && let Some(streamed) = self.data_in.take()
                        && streamed.end
                    {
                        self.data_out_tid = None;
                        self.camera.handle_data_end(now);
                    }
                    piece.len()
                }
            };
            self.record_consumed(consumed);
            self.start += consumed;
        }
    }

    /// Records the next `consumed` bytes of input. Recording what the decoder consumed rather
    /// than what each read returned makes every packet start a segment of the recording, as it
    /// did on the wire (libgphoto2 writes one packet at a time; a read may join several), which
    /// is where Wireshark's PTP/IP dissector looks for packets.
    fn record_consumed(&mut self, consumed: usize) {
        if !self.tap.is_recording() {
            return;
        }
        let skip = consumed.min(self.recorded_ahead);
        self.recorded_ahead -= skip;
        let bytes = self
            .buf
            .get(self.start + skip..self.start + consumed)
            .unwrap_or_default();
        self.tap.received(bytes);
    }

    /// Records what the initiator sent that was never consumed (a packet cut short, or one
    /// that ended the session as malformed): called once the session is over.
    pub(crate) fn record_unconsumed(&mut self) {
        let start = self.start + self.recorded_ahead;
        if self.tap.is_recording() && start < self.end {
            let rest = self.buf.get(start..self.end).unwrap_or_default();
            self.tap.received(rest);
        }
    }

    /// Sends everything the camera has to say, and hands its events to the event connection:
    /// what fits in one batch of [`BATCH_LIMIT`] bytes in one write, a longer data phase one
    /// packet per write (see [`crate::outbox`]).
    fn flush(&mut self) -> Result<(), ConnectionError> {
        let mut long = false;
        loop {
            let more = self.gather()?;
            long |= more;
            self.outbox
                .write_blocking(&mut self.stream, !long, &mut self.tap)?;
            if !more {
                return Ok(());
            }
        }
    }

    /// Moves the camera's output into the outbox until it is empty or a batch is full;
    /// returns whether more output may be waiting.
    fn gather(&mut self) -> Result<bool, ConnectionError> {
        for _ in 0..std::mem::take(&mut self.probes) {
            self.outbox.packet(&Packet::ProbeResponse)?;
        }
        while self.outbox.len() < BATCH_LIMIT {
            let Some(output) = self.camera.poll_output() else {
                self.forward_events();
                return Ok(false);
            };
            match output {
                Output::DataStart {
                    transaction_id,
                    total_len,
                    ..
                } => {
                    self.outbox.packet(&Packet::StartData {
                        transaction_id,
                        total_length: total_len,
                    })?;
                    self.data_tid = Some(transaction_id);
                }
                Output::Data { bytes, last } => {
                    let tid = self.data_tid.unwrap_or(0);
                    self.outbox.data_chunk(self.framing, tid, bytes, last)?;
                }
                Output::Response {
                    code,
                    transaction_id,
                    params,
                } => {
                    self.outbox.packet(&Packet::OperationResponse {
                        code,
                        transaction_id,
                        params,
                    })?;
                }
            }
        }
        self.forward_events();
        Ok(true)
    }

    /// Hands the camera's events to the event connection (kept by the camera until there is
    /// one).
    fn forward_events(&mut self) {
        let Some(sender) = self.event_sender().cloned() else {
            return;
        };
        while let Some(event) = self.camera.poll_event() {
            if sender.try_send(ToEvent::Event(event)).is_err() {
                tracing::warn!("event connection backlog full; dropping an event");
            }
        }
    }
}

/// A Data or End Data packet of transaction `tid` arrived: it must belong to the data phase
/// its Start Data opened (`expected`).
fn check_data_tid(camera: &mut Responder, expected: Option<u32>, now: SystemTime, tid: u32) {
    if expected.is_some_and(|expected| expected != tid) {
        camera.handle_data_mismatch(now, tid);
    }
}

/// Hands one packet of the command connection to the camera.
fn handle_packet(
    camera: &mut Responder,
    now: SystemTime,
    packet: Packet<'_>,
) -> Result<(), ConnectionError> {
    match packet {
        Packet::OperationRequest {
            data_phase,
            code,
            transaction_id,
            params,
        } => {
            let hint = match data_phase {
                DataPhase::DATA_OUT => DataHint::DataOut,
                DataPhase::NO_DATA_OR_DATA_IN => DataHint::NoDataOut,
                _ => DataHint::Unknown,
            };
            camera.handle_request(
                now,
                Request {
                    code,
                    transaction_id,
                    params,
                },
                hint,
            );
        }
        Packet::StartData {
            transaction_id,
            total_length,
        } => {
            let total = (total_length != u64::MAX).then_some(total_length);
            camera.handle_data_start(now, transaction_id, total);
            if total == Some(0) {
                // libgphoto2 sends a zero-length data phase as Start Data alone.
                camera.handle_data_end(now);
            }
        }
        Packet::Data { payload, .. } => camera.handle_data(now, payload),
        Packet::EndData { payload, .. } => {
            camera.handle_data(now, payload);
            camera.handle_data_end(now);
        }
        Packet::Cancel { transaction_id } => {
            camera.handle_cancel(now, transaction_id, CancelAnswer::Respond);
        }
        Packet::ProbeResponse => {}
        other => {
            return Err(ConnectionError::Protocol(format!(
                "{:?} is not valid on an established command connection",
                other.packet_type()
            )));
        }
    }
    Ok(())
}
