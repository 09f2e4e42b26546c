//! The command connection: pairing, the Init handshake, then the session (operations, data
//! phases both ways, responses), and the initiator's liveness.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Buf;
use ptp_codec::ptpip::{self, DataPhase, Guid, Identity, InitFailReason, Packet, PacketType};
use ptp_codec::stream::{Decoded, FrameKind, PtpIp};
use tokio::sync::{OwnedMutexGuard, mpsc};
use tokio::time::Instant;
use vcam_core::model::PtpIpDataFraming;
use vcam_core::pairing::{ClientId, Decision, Refusal};
use vcam_core::{CancelAnswer, DataHint, Output, Request, Responder};

use crate::conn::Conn;
use crate::event::ToEvent;
use crate::outbox::BATCH_LIMIT;
use crate::{ActiveSession, ConnectionError, Heard, Shared, SharedPairing, blocking, lock};

pub(crate) async fn command_connection(
    shared: Arc<Shared>,
    mut conn: Conn,
    initiator: Identity,
) -> Result<(), ConnectionError> {
    if initiator.protocol_version >> 16 != 1 {
        // Real bodies serve these (ptpy sends 0x00000064, camlib no version at all).
        tracing::debug!(
            version = format_args!("{:#010x}", initiator.protocol_version),
            "Init Command Request with an unusual protocol version"
        );
    }
    if let Some(pairing) = &shared.pairing
        && let Some(refusal) = pair(pairing, &initiator).await
    {
        tracing::info!(peer = %conn.peer, name = %initiator.friendly_name, guid = %initiator.guid, ?refusal, "refused: not the paired client");
        conn.send(&Packet::InitFail {
            reason: InitFailReason::REJECTED_INITIATOR,
        })
        .await?;
        return Ok(());
    }
    // The previous initiator may have hung up a moment ago without the server having seen it
    // yet (gphoto2 commands run back to back): wait a little before saying Busy.
    let Ok(camera) =
        tokio::time::timeout(crate::BUSY_WAIT, Arc::clone(&shared.camera).lock_owned()).await
    else {
        conn.send(&Packet::InitFail {
            reason: InitFailReason::BUSY,
        })
        .await?;
        tracing::info!(peer = %conn.peer, name = %initiator.friendly_name, "refused: another initiator is connected");
        return Ok(());
    };
    let heard = Arc::new(Heard::new());
    let connection_number = {
        let mut reg = lock(&shared.registry);
        let n = reg.next_connection;
        reg.next_connection = reg.next_connection.wrapping_add(1).max(1);
        reg.active = Some(ActiveSession {
            connection_number: n,
            peer: conn.peer.ip(),
            events: None,
            heard: Arc::clone(&heard),
        });
        n
    };
    tracing::info!(peer = %conn.peer, name = %initiator.friendly_name, guid = %initiator.guid, connection_number, "initiator connected");
    let ack = Packet::InitCommandAck {
        connection_number,
        identity: Identity {
            guid: Guid(shared.identity.guid),
            friendly_name: shared.identity.friendly_name.clone(),
            protocol_version: ptpip::PROTOCOL_VERSION_1_0,
        },
    };
    let mut session = Session {
        framing: shared.identity.data_framing,
        liveness: shared.probe_interval.map(|interval| Liveness {
            interval,
            heard,
            last_read: Instant::now(),
            probe_sent: None,
        }),
        shared: Arc::clone(&shared),
        conn,
        camera,
        data_in: None,
        data_out_tid: None,
        data_tid: None,
        probes: 0,
        events: None,
    };
    let result = match session.conn.send(&ack).await {
        Ok(()) => session.run().await,
        Err(e) => Err(e),
    };
    // Whatever happened, the session is over: close it, free the camera and end the event
    // connection (its sender goes with the registry entry).
    let camera = &mut session.camera;
    blocking(|| camera.handle_reset(SystemTime::now()));
    lock(&shared.registry).active = None;
    tracing::info!(peer = %session.conn.peer, "initiator disconnected");
    result
}

/// Asks the body's pairing about `initiator`; `Some` when it is refused. The owner's delay
/// holds the answer back; whoever got paired meanwhile wins.
async fn pair(pairing: &SharedPairing, initiator: &Identity) -> Option<Refusal> {
    let client = ClientId::new(initiator.guid.0, initiator.friendly_name.clone());
    let decision = lock(pairing).decide(SystemTime::now(), &client);
    match decision {
        Ok(Decision::Accept) => None,
        Ok(Decision::AcceptAt(at)) => {
            let wait = at.duration_since(SystemTime::now()).unwrap_or_default();
            tracing::info!(guid = %initiator.guid, ?wait, "waiting for the owner to accept the client on the body");
            tokio::time::sleep(wait).await;
            let mut pairing = lock(pairing);
            if pairing.paired().is_some_and(|p| p.guid != client.guid) {
                return Some(Refusal::OtherClientPaired);
            }
            if let Err(e) = pairing.confirm(&client) {
                tracing::warn!(%e, "the pairing could not be saved; it is kept until exit");
            }
            None
        }
        Ok(Decision::Refuse(refusal)) => Some(refusal),
        Ok(other) => {
            tracing::warn!(?other, "unknown pairing decision; refusing");
            Some(Refusal::RefusedOnBody)
        }
        Err(e) => {
            // The client is paired in memory; only saving failed.
            tracing::warn!(%e, "the pairing could not be saved; it is kept until exit");
            None
        }
    }
}

/// A streamed (large) Data or End Data packet being received.
#[derive(Debug, Clone, Copy)]
struct StreamedPacket {
    end: bool,
}

/// Probing a silent initiator (CIPA DC-005 §2.3.13).
struct Liveness {
    interval: Duration,
    /// Last heard on the event connection.
    heard: Arc<Heard>,
    /// Last heard on the command connection.
    last_read: Instant,
    /// When the Probe Request went out, while its answer is awaited.
    probe_sent: Option<Instant>,
}

impl Liveness {
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

/// What [`Session::check_liveness`] found.
enum Alive {
    Yes,
    /// Send a Probe Request now.
    Probe,
}

struct Session {
    shared: Arc<Shared>,
    conn: Conn,
    camera: OwnedMutexGuard<Responder>,
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
}

impl Session {
    async fn run(&mut self) -> Result<(), ConnectionError> {
        let mut force = false;
        loop {
            let stalled = {
                let this = &mut *self;
                blocking(|| this.process_input(force))?
            };
            self.flush().await?;
            if stalled {
                // A request waited for the transaction before it. Still busy after the flush
                // means the initiator gave up a data phase it owed: hand the request over.
                force = self.camera.is_busy();
                continue;
            }
            force = false;
            let camera_at = self.camera.poll_timeout();
            let camera_sleep = async {
                match camera_at {
                    Some(at) => {
                        let wait = at
                            .duration_since(SystemTime::now())
                            .unwrap_or(Duration::ZERO);
                        tokio::time::sleep(wait).await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let check_at = self.liveness.as_ref().map(Liveness::next_check);
            let liveness_sleep = async {
                match check_at {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                more = self.conn.fill() => {
                    if !more? {
                        return Ok(());
                    }
                    if let Some(l) = &mut self.liveness {
                        l.last_read = Instant::now();
                    }
                }
                () = camera_sleep => {
                    let camera = &mut self.camera;
                    blocking(|| camera.handle_timeout(SystemTime::now()));
                }
                () = liveness_sleep => {
                    if let Alive::Probe = self.check_liveness()? {
                        self.probe().await?;
                    }
                }
            }
        }
    }

    /// Whether the initiator spoke since it was last probed; an error ends the session when
    /// a probe went unanswered.
    fn check_liveness(&mut self) -> Result<Alive, ConnectionError> {
        let Some(l) = &mut self.liveness else {
            return Ok(Alive::Yes);
        };
        let now = Instant::now();
        let last = l.last_heard();
        match l.probe_sent {
            Some(sent) if last > sent => {
                l.probe_sent = None;
                Ok(Alive::Yes)
            }
            Some(sent) if now >= sent + l.interval => {
                tracing::warn!(peer = %self.conn.peer, "no Probe Response: ending the session");
                Err(ConnectionError::Timeout("Probe Response"))
            }
            Some(_) => Ok(Alive::Yes),
            None if now >= last + l.interval => {
                l.probe_sent = Some(now);
                Ok(Alive::Probe)
            }
            None => Ok(Alive::Yes),
        }
    }

    /// Sends a Probe Request on the event connection, or on the command connection when there
    /// is none.
    async fn probe(&mut self) -> Result<(), ConnectionError> {
        tracing::debug!(peer = %self.conn.peer, "initiator silent: Probe Request");
        if let Some(events) = self.event_sender()
            && events.try_send(ToEvent::Probe).is_ok()
        {
            return Ok(());
        }
        self.conn.send(&Packet::ProbeRequest).await
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
            let consumed = match self.conn.decoder.decode(&self.conn.buf)? {
                Decoded::NeedMore(_) => return Ok(false),
                Decoded::Frame(frame) => {
                    let packet = Packet::parse(frame)?;
                    let len = frame.len();
                    match packet {
                        Packet::ProbeRequest => self.probes += 1,
                        Packet::OperationRequest { .. } if self.camera.is_busy() && !force => {
                            return Ok(true);
                        }
                        Packet::OperationRequest { .. } => {
                            force = false;
                            self.data_out_tid = None;
                            handle_packet(&mut self.camera, now, packet)?;
                        }
                        Packet::StartData {
                            transaction_id,
                            total_length,
                        } => {
                            self.data_out_tid = (total_length != 0).then_some(transaction_id);
                            handle_packet(&mut self.camera, now, packet)?;
                        }
                        Packet::Data { transaction_id, .. } => {
                            check_data_tid(
                                &mut self.camera,
                                self.data_out_tid,
                                now,
                                transaction_id,
                            );
                            handle_packet(&mut self.camera, now, packet)?;
                        }
                        Packet::EndData { transaction_id, .. } => {
                            check_data_tid(
                                &mut self.camera,
                                self.data_out_tid,
                                now,
                                transaction_id,
                            );
                            self.data_out_tid = None;
                            handle_packet(&mut self.camera, now, packet)?;
                        }
                        other => handle_packet(&mut self.camera, now, other)?,
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
                    let len = head.len();
                    check_data_tid(&mut self.camera, self.data_out_tid, now, tid);
                    self.data_in = Some(StreamedPacket { end });
                    len
                }
                Decoded::Body(piece) => {
                    let len = piece.len();
                    self.camera.handle_data(now, piece);
                    if !self.conn.decoder.in_body()
                        && let Some(streamed) = self.data_in.take()
                        && streamed.end
                    {
                        self.data_out_tid = None;
                        self.camera.handle_data_end(now);
                    }
                    len
                }
            };
            self.conn.buf.advance(consumed);
        }
    }

    /// Sends everything the camera has to say, in batches of whole transactions where they
    /// fit, and hands its events to the event connection.
    async fn flush(&mut self) -> Result<(), ConnectionError> {
        let stall_limit = self.liveness.as_ref().map(|l| l.interval);
        loop {
            let more = {
                let this = &mut *self;
                blocking(|| this.gather())?
            };
            self.conn.write(stall_limit).await?;
            if !more {
                return Ok(());
            }
        }
    }

    /// Moves the camera's output into the outbox until it is empty or a batch is full;
    /// returns whether more output may be waiting.
    fn gather(&mut self) -> Result<bool, ConnectionError> {
        for _ in 0..std::mem::take(&mut self.probes) {
            self.conn.outbox.packet(&Packet::ProbeResponse)?;
        }
        while self.conn.outbox.len() < BATCH_LIMIT {
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
                    self.conn.outbox.packet(&Packet::StartData {
                        transaction_id,
                        total_length: total_len,
                    })?;
                    self.data_tid = Some(transaction_id);
                }
                Output::Data { bytes, last } => {
                    let tid = self.data_tid.unwrap_or(0);
                    self.conn
                        .outbox
                        .data_chunk(self.framing, tid, bytes, last)?;
                }
                Output::Response {
                    code,
                    transaction_id,
                    params,
                } => {
                    self.conn.outbox.packet(&Packet::OperationResponse {
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
