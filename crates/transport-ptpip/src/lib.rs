//! PTP/IP (CIPA DC-005-2005) for vcam: one TCP listener serving a [`Responder`] to initiators
//! such as gphoto2 over their command and event connections.
//!
//! - The command connection opens with Init Command Request; the server answers Init Command
//!   Ack with a connection number, the camera's GUID and friendly name and protocol version
//!   1.0 (DC-005 §2.3.1), or Init Fail (a second initiator while one is connected: Busy; a
//!   major version other than 1: Rejected).
//! - The event connection opens with Init Event Request quoting that number and gets Init
//!   Event Ack; the camera's events then go out on it as Event packets.
//! - Operation Request, Start Data / Data / End Data in both directions (data-in phases are
//!   streamed from the store in bounded chunks; data-out phases are streamed into the
//!   responder), Operation Response, Cancel, Probe Request / Response.
//! - `TCP_NODELAY` on every connection and `TCP_QUICKACK` after every read: libgphoto2 writes
//!   Start Data and Data separately, and delayed acknowledgements cost it about 40 ms per
//!   data-out phase (../shared/reference/client-expectations.md §0.6).
//! - A zero-length data-out phase is a Start Data packet alone (libgphoto2's `ptpip.c`
//!   sends no End Data then), so it ends the phase.
//!
//! Initiators are served one after another; the camera (storage, properties, counters)
//! lives on between them, the session does not. A malformed packet or a peer that vanishes
//! ends its own connection, with the reason logged, and nothing else.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, SystemTime};

use bytes::{Buf, BytesMut};
use ptp_codec::ptpip::{self, DataPhase, Guid, Identity, InitFailReason, Packet, PacketType};
use ptp_codec::stream::{Decoded, FrameKind, PtpIp, StreamDecoder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, OwnedMutexGuard, mpsc};
use vcam_core::{CancelAnswer, DataHint, EventRecord, Output, Request, Responder};

/// Largest packet held whole; larger Data / End Data packets are streamed.
pub const MAX_FRAME_LEN: usize = 1024 * 1024;
/// How long a new connection may take to send its first packet.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a new initiator waits for the previous one to leave before Init Fail (Busy).
pub const BUSY_WAIT: Duration = Duration::from_millis(1500);
/// Events waiting for the event connection before new ones are dropped.
const EVENT_BACKLOG: usize = 1024;

/// What the camera says about itself in Init Command Ack: the model's PTP/IP identity.
pub use vcam_core::model::PtpIpIdentity as ServerIdentity;

/// Why a connection ended abnormally.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionError {
    /// Socket error.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The peer sent bytes that are not valid PTP/IP.
    #[error("malformed packet: {0}")]
    Malformed(#[from] ptp_codec::DecodeError),
    /// The peer sent a valid packet that makes no sense here.
    #[error("protocol violation: {0}")]
    Protocol(String),
    /// The peer sent nothing in time.
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
}

#[derive(Debug, Default)]
struct Registry {
    next_connection: u32,
    active: Option<ActiveSession>,
}

#[derive(Debug)]
struct ActiveSession {
    connection_number: u32,
    events: Option<mpsc::Sender<EventRecord>>,
}

struct Shared {
    camera: Arc<Mutex<Responder>>,
    identity: ServerIdentity,
    registry: StdMutex<Registry>,
}

/// A PTP/IP server: a TCP listener and the camera it serves.
pub struct PtpIpServer {
    listener: TcpListener,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for PtpIpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PtpIpServer")
            .field("listener", &self.listener.local_addr().ok())
            .finish_non_exhaustive()
    }
}

impl PtpIpServer {
    /// Binds `addr` (port 0 picks a free port) for `camera`.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn bind(
        addr: SocketAddr,
        camera: Responder,
        identity: ServerIdentity,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self {
            listener,
            shared: Arc::new(Shared {
                camera: Arc::new(Mutex::new(camera)),
                identity,
                registry: StdMutex::new(Registry {
                    next_connection: 1,
                    active: None,
                }),
            }),
        })
    }

    /// The address the server listens on.
    ///
    /// # Errors
    /// As [`TcpListener::local_addr`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The camera, for tests and embedders that act on it between sessions.
    #[must_use]
    pub fn camera(&self) -> Arc<Mutex<Responder>> {
        Arc::clone(&self.shared.camera)
    }

    /// Accepts and serves connections until the task is dropped.
    ///
    /// # Errors
    /// Only when accepting fails in a way that will not go away (per-connection errors are
    /// logged and end only that connection).
    pub async fn run(self) -> io::Result<()> {
        loop {
            let (stream, peer) = match self.listener.accept().await {
                Ok(x) => x,
                Err(e) if is_transient_accept_error(&e) => {
                    tracing::warn!(%e, "accept failed; continuing");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let shared = Arc::clone(&self.shared);
            tokio::spawn(async move {
                match serve_connection(shared, stream, peer).await {
                    Ok(()) => tracing::debug!(%peer, "connection closed"),
                    Err(e) => tracing::warn!(%peer, %e, "connection ended"),
                }
            });
        }
    }
}

fn is_transient_accept_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    ) || e
        .raw_os_error()
        .is_some_and(|code| code == 24 || code == 23) // EMFILE, ENFILE
}

/// A connection's socket with its receive buffer and decoder.
struct Conn {
    stream: TcpStream,
    buf: BytesMut,
    decoder: StreamDecoder<PtpIp>,
    peer: SocketAddr,
}

impl Conn {
    fn new(stream: TcpStream, peer: SocketAddr) -> Self {
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(%e, "TCP_NODELAY");
        }
        Self {
            stream,
            buf: BytesMut::with_capacity(64 * 1024),
            decoder: StreamDecoder::new(MAX_FRAME_LEN),
            peer,
        }
    }

    /// Reads more bytes; returns false at end of stream.
    async fn fill(&mut self) -> io::Result<bool> {
        if self.buf.capacity() - self.buf.len() < 16 * 1024 {
            self.buf.reserve(64 * 1024);
        }
        let n = self.stream.read_buf(&mut self.buf).await?;
        quickack(&self.stream);
        Ok(n > 0)
    }

    /// Reads one whole packet (used before the session starts, when nothing is streamed).
    async fn read_packet(&mut self) -> Result<Option<Vec<u8>>, ConnectionError> {
        loop {
            match self.decoder.decode(&self.buf)? {
                Decoded::Frame(frame) => {
                    let owned = frame.to_vec();
                    self.buf.advance(owned.len());
                    return Ok(Some(owned));
                }
                Decoded::NeedMore(_) => {
                    if !self.fill().await? {
                        return Ok(None);
                    }
                }
                Decoded::Head { .. } | Decoded::Body(_) => {
                    return Err(ConnectionError::Protocol(
                        "bulk data before the connection was initialised".into(),
                    ));
                }
            }
        }
    }

    async fn send(&mut self, packet: &Packet<'_>) -> Result<(), ConnectionError> {
        let mut out = vec![0u8; packet.buffer_len()];
        let n = packet
            .emit(&mut out)
            .map_err(|e| ConnectionError::Protocol(e.to_string()))?;
        out.truncate(n);
        self.stream.write_all(&out).await?;
        Ok(())
    }
}

/// Sets TCP_QUICKACK again (Linux clears it after each acknowledgement).
fn quickack(stream: &TcpStream) {
    #[cfg(target_os = "linux")]
    {
        let sock = socket2::SockRef::from(stream);
        if let Err(e) = sock.set_tcp_quickack(true) {
            tracing::trace!(%e, "TCP_QUICKACK");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = stream;
}

async fn serve_connection(
    shared: Arc<Shared>,
    stream: TcpStream,
    peer: SocketAddr,
) -> Result<(), ConnectionError> {
    let mut conn = Conn::new(stream, peer);
    loop {
        let first = tokio::time::timeout(INIT_TIMEOUT, conn.read_packet())
            .await
            .map_err(|_| {
                ConnectionError::Timeout("Init Command Request or Init Event Request")
            })??;
        let Some(bytes) = first else { return Ok(()) };
        match Packet::parse(&bytes)? {
            Packet::InitCommandRequest(identity) => {
                return command_connection(shared, conn, identity).await;
            }
            Packet::InitEventRequest { connection_number } => {
                return event_connection(shared, conn, connection_number).await;
            }
            Packet::ProbeRequest => conn.send(&Packet::ProbeResponse).await?,
            other => {
                let kind = other.packet_type();
                conn.send(&Packet::InitFail {
                    reason: InitFailReason::UNSPECIFIED,
                })
                .await?;
                return Err(ConnectionError::Protocol(format!(
                    "{kind:?} before Init Command Request"
                )));
            }
        }
    }
}

async fn command_connection(
    shared: Arc<Shared>,
    mut conn: Conn,
    initiator: Identity,
) -> Result<(), ConnectionError> {
    if initiator.protocol_version >> 16 != 1 {
        conn.send(&Packet::InitFail {
            reason: InitFailReason::REJECTED_INITIATOR,
        })
        .await?;
        return Err(ConnectionError::Protocol(format!(
            "unsupported protocol version {:#010x}",
            initiator.protocol_version
        )));
    }
    // The previous initiator may have hung up a moment ago without the server having seen it
    // yet (gphoto2 commands run back to back): wait a little before saying Busy.
    let Ok(mut camera) =
        tokio::time::timeout(BUSY_WAIT, Arc::clone(&shared.camera).lock_owned()).await
    else {
        conn.send(&Packet::InitFail {
            reason: InitFailReason::BUSY,
        })
        .await?;
        tracing::info!(peer = %conn.peer, name = %initiator.friendly_name, "refused: another initiator is connected");
        return Ok(());
    };
    // An unplugged body (a `disconnect` fault, a dead battery, `vcamctl unplug`) is not on the
    // network: the connection closes unanswered. What is due runs first: it may be back.
    let plugged = blocking(|| {
        camera.handle_timeout(SystemTime::now());
        camera.is_plugged()
    });
    if !plugged {
        tracing::info!(peer = %conn.peer, "the camera is unplugged: connection closed");
        return Ok(());
    }
    let connection_number = {
        let mut reg = lock(&shared.registry);
        let n = reg.next_connection;
        reg.next_connection = reg.next_connection.wrapping_add(1).max(1);
        reg.active = Some(ActiveSession {
            connection_number: n,
            events: None,
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
        shared: Arc::clone(&shared),
        conn,
        camera,
        data_in: None,
        data_tid: None,
        probes: 0,
    };
    let result = match session.conn.send(&ack).await {
        Ok(()) => session.run().await,
        Err(e) => Err(e),
    };
    // Whatever happened, the session is over: close it and free the camera.
    blocking(|| session.camera.handle_reset(SystemTime::now()));
    lock(&shared.registry).active = None;
    tracing::info!(peer = %session.conn.peer, "initiator disconnected");
    result
}

async fn event_connection(
    shared: Arc<Shared>,
    mut conn: Conn,
    connection_number: u32,
) -> Result<(), ConnectionError> {
    let (tx, mut rx) = mpsc::channel(EVENT_BACKLOG);
    let accepted = {
        let mut reg = lock(&shared.registry);
        match reg.active.as_mut() {
            Some(active) if active.connection_number == connection_number => {
                active.events = Some(tx);
                true
            }
            _ => false,
        }
    };
    if !accepted {
        conn.send(&Packet::InitFail {
            reason: InitFailReason::REJECTED_INITIATOR,
        })
        .await?;
        return Err(ConnectionError::Protocol(format!(
            "Init Event Request for unknown connection {connection_number}"
        )));
    }
    conn.send(&Packet::InitEventAck).await?;
    tracing::debug!(connection_number, "event connection established");
    loop {
        tokio::select! {
            event = rx.recv() => {
                let Some(event) = event else { return Ok(()) };
                let packet = Packet::Event { code: event.code, transaction_id: event.transaction_id, params: event.params };
                conn.send(&packet).await?;
            }
            more = conn.fill() => {
                if !more? {
                    return Ok(());
                }
                while let Decoded::Frame(frame) = conn.decoder.decode(&conn.buf)? {
                    let len = frame.len();
                    match Packet::parse(frame)? {
                        Packet::ProbeRequest => {
                            conn.buf.advance(len);
                            conn.send(&Packet::ProbeResponse).await?;
                        }
                        other => {
                            let kind = other.packet_type();
                            conn.buf.advance(len);
                            tracing::debug!(?kind, "ignoring a packet on the event connection");
                        }
                    }
                }
                if conn.decoder.in_body() {
                    return Err(ConnectionError::Protocol("bulk data on the event connection".into()));
                }
            }
        }
    }
}

/// A data-out phase being received in a streamed (large) Data or End Data packet.
#[derive(Debug, Clone, Copy)]
struct StreamedPacket {
    end: bool,
}

struct Session {
    shared: Arc<Shared>,
    conn: Conn,
    camera: OwnedMutexGuard<Responder>,
    /// The streamed Data / End Data packet being received.
    data_in: Option<StreamedPacket>,
    /// TransactionID of the data-in phase being sent.
    data_tid: Option<u32>,
    /// Probe Requests waiting for their Probe Response.
    probes: usize,
}

impl Session {
    async fn run(&mut self) -> Result<(), ConnectionError> {
        loop {
            self.process_input()?;
            self.flush().await?;
            if !self.camera.is_plugged() {
                // The link dropped (`Responder::is_plugged`): both connections close, as when
                // a body leaves the network.
                tracing::info!(peer = %self.conn.peer, "the camera is unplugged: closing");
                return Ok(());
            }
            let deadline = self.camera.poll_timeout();
            let sleep = async {
                match deadline {
                    Some(at) => {
                        let wait = at
                            .duration_since(SystemTime::now())
                            .unwrap_or(Duration::ZERO);
                        tokio::time::sleep(wait).await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                more = self.conn.fill() => {
                    if !more? {
                        return Ok(());
                    }
                }
                () = sleep => {
                    let camera = &mut self.camera;
                    blocking(|| camera.handle_timeout(SystemTime::now()));
                }
            }
        }
    }

    /// Feeds every complete packet (and every piece of a streamed one) to the camera.
    fn process_input(&mut self) -> Result<(), ConnectionError> {
        let now = SystemTime::now();
        loop {
            let consumed = match self.conn.decoder.decode(&self.conn.buf)? {
                Decoded::NeedMore(_) => return Ok(()),
                Decoded::Frame(frame) => {
                    let packet = Packet::parse(frame)?;
                    if matches!(packet, Packet::ProbeRequest) {
                        self.probes += 1;
                    } else {
                        let camera = &mut self.camera;
                        blocking(|| handle_packet(camera, now, packet))?;
                    }
                    frame.len()
                }
                Decoded::Head { head, .. } => {
                    // A Data or End Data packet too large to hold: its payload follows in pieces.
                    self.data_in = Some(StreamedPacket {
                        end: PtpIp::kind(head) == PacketType::END_DATA,
                    });
                    head.len()
                }
                Decoded::Body(piece) => {
                    let len = piece.len();
                    let camera = &mut self.camera;
                    blocking(|| camera.handle_data(now, piece));
                    if !self.conn.decoder.in_body()
                        && let Some(streamed) = self.data_in.take()
                        && streamed.end
                    {
                        let camera = &mut self.camera;
                        blocking(|| camera.handle_data_end(now));
                    }
                    len
                }
            };
            self.conn.buf.advance(consumed);
        }
    }

    /// Sends everything the camera has to say, and its events.
    async fn flush(&mut self) -> Result<(), ConnectionError> {
        for _ in 0..std::mem::take(&mut self.probes) {
            self.conn.send(&Packet::ProbeResponse).await?;
        }
        loop {
            let camera = &mut self.camera;
            let Some(output) = blocking(|| camera.poll_output()) else {
                break;
            };
            match output {
                Output::DataStart {
                    transaction_id,
                    total_len,
                    ..
                } => {
                    self.conn
                        .send(&Packet::StartData {
                            transaction_id,
                            total_length: total_len,
                        })
                        .await?;
                    self.data_tid = Some(transaction_id);
                }
                Output::Data { bytes, last } => {
                    let kind = if last {
                        PacketType::END_DATA
                    } else {
                        PacketType::DATA
                    };
                    let mut head = [0u8; ptpip::DATA_HEADER_LEN];
                    let tid = self.data_tid.unwrap_or(0);
                    ptpip::emit_data_header(&mut head, kind, tid, bytes.len())
                        .map_err(|e| ConnectionError::Protocol(e.to_string()))?;
                    if bytes.len() <= 16 * 1024 {
                        let mut one = Vec::with_capacity(head.len() + bytes.len());
                        one.extend_from_slice(&head);
                        one.extend_from_slice(&bytes);
                        self.conn.stream.write_all(&one).await?;
                    } else {
                        self.conn.stream.write_all(&head).await?;
                        self.conn.stream.write_all(&bytes).await?;
                    }
                }
                Output::Response {
                    code,
                    transaction_id,
                    params,
                } => {
                    self.conn
                        .send(&Packet::OperationResponse {
                            code,
                            transaction_id,
                            params,
                        })
                        .await?;
                }
            }
        }
        let sender = lock(&self.shared.registry)
            .active
            .as_ref()
            .and_then(|a| a.events.clone());
        if let Some(sender) = sender {
            while let Some(event) = self.camera.poll_event() {
                if sender.try_send(event).is_err() {
                    tracing::warn!("event connection backlog full; dropping an event");
                }
            }
        }
        Ok(())
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

/// Runs blocking camera work (file reads, JPEG rendering) without stalling other tasks when
/// the runtime has worker threads to spare.
fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

fn lock<T>(m: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
