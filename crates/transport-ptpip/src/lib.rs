//! PTP/IP (CIPA DC-005-2005) for vcam: one TCP listener serving a [`Responder`] to initiators
//! such as gphoto2 over their command and event connections.
//!
//! ```no_run
//! # async fn demo(camera: vcam_core::Responder) -> std::io::Result<()> {
//! use std::sync::{Arc, Mutex};
//! use std::time::Duration;
//! use transport_ptpip::PtpIpServer;
//! use transport_ptpip::pairing::{AcceptPolicy, Pairing};
//!
//! let identity = camera.model().ptpip.clone();
//! let pairing = Arc::new(Mutex::new(Pairing::new(AcceptPolicy::Accept)));
//! let server = PtpIpServer::bind("127.0.0.1:15740".parse().unwrap(), camera, identity)
//!     .await?
//!     .with_pairing(Arc::clone(&pairing)) // or .without_pairing()
//!     .with_probe_interval(Some(Duration::from_secs(60)));
//! server.run().await
//! # }
//! ```
//!
//! - The command connection opens with Init Command Request. The request is read as real
//!   bodies read it: a missing or odd protocol version and a friendly name without its
//!   terminator are accepted (`ptp_codec::ptpip::Packet::parse`). A body that pairs
//!   ([`ServerIdentity::pairs_with_one_client`], Canon) decides with its [`Pairing`]: the
//!   first client is remembered, another GUID gets Init Fail (Rejected Initiator) until the
//!   pairing is reset, and the owner's prompt is an [`AcceptPolicy`]
//!   (a delay holds the Init Command Ack back). The server then answers Init Command Ack with
//!   a connection number, the camera's GUID, friendly name and protocol version 1.0 (DC-005
//!   §2.3.1), or Init Fail Busy when another initiator keeps the camera.
//! - The event connection opens with Init Event Request quoting that number, from the same
//!   host as its command connection, once per session; anything else gets Init Fail
//!   (Rejected Initiator) and the session's own event connection is untouched. The camera's
//!   events then go out on it as Event packets.
//! - Operation Request, Start Data / Data / End Data in both directions, Operation Response,
//!   Cancel, Probe Request / Response (answered on both connections). Data the camera sends is
//!   framed as the body does ([`ServerIdentity::data_framing`]: Canon sends Data packets closed
//!   by End Data), one write per packet as real bodies do (Wireshark's dissector reads one
//!   packet at the start of each TCP segment), a long payload straight from the responder's
//!   buffer. A data phase from the
//!   initiator that does not match its Start Data (fewer or more bytes, Data packets naming
//!   another transaction, End Data without Start Data) ends with IncompleteTransfer and
//!   nothing reaches the card. Operation Requests sent back to back (several in one TCP
//!   write) are answered one after the other, in order.
//! - Liveness (DC-005 §2.3.13): an initiator silent on both connections for the probe
//!   interval gets a Probe Request (on its event connection, or on the command connection when
//!   it has none) and has as long again to answer; then, if another initiator is waiting for
//!   the camera, its session ends and the next initiator is served. libgphoto2 never answers
//!   probes (`camlibs/ptp2/ptpip.c` logs them), so an unanswered probe alone does not end a
//!   session: a gphoto2 waiting for events keeps its camera while nobody else asks for it. A
//!   peer that takes none of the camera's bytes for the interval is cut off in any case.
//! - `TCP_NODELAY` on every connection, and `TCP_QUICKACK` while an initiator's data phase is
//!   awaited: libgphoto2 writes Start Data and Data separately, and delayed acknowledgements
//!   cost it about 40 ms per data-out phase (docs/reference/client-expectations.md §0.6).
//!   Between transactions acknowledgements ride on the answers.
//! - A zero-length data-out phase is a Start Data packet alone (libgphoto2's `ptpip.c`
//!   sends no End Data then), so it ends the phase.
//!
//! Initiators are served one after another; the camera (storage, properties, counters)
//! lives on between them, the session does not. A malformed packet or a peer that vanishes
//! ends its own connection, with the reason logged, and nothing else.

mod command;
mod conn;
mod event;
mod outbox;
mod session;

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use ptp_codec::ptpip::{InitFailReason, Packet};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, mpsc};
use vcam_core::Responder;
pub use vcam_record::TcpRecorder;

use crate::conn::{Conn, Tap};
use crate::event::ToEvent;
use crate::pairing::{AcceptPolicy, Pairing};

/// Largest packet held whole; larger Data / End Data packets are streamed.
pub const MAX_FRAME_LEN: usize = 1024 * 1024;
/// How long a new connection may take to send its first packet.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a new initiator waits for the previous one to leave before Init Fail (Busy).
pub const BUSY_WAIT: Duration = Duration::from_millis(1500);
/// How long an initiator may stay silent before it is probed, unless
/// [`PtpIpServer::with_probe_interval`] says otherwise.
pub const DEFAULT_PROBE_INTERVAL: Duration = Duration::from_secs(60);

/// What the camera says about itself in Init Command Ack, and its PTP/IP habits: the model's
/// PTP/IP identity.
pub use vcam_core::model::PtpIpIdentity as ServerIdentity;
/// The pairing a body decides with (re-exported so embedders need not name vcam-core).
pub use vcam_core::pairing;

/// A pairing shared between the server and whoever resets it or shows it (a UPnP description
/// carrying the paired GUID).
pub type SharedPairing = Arc<StdMutex<Pairing>>;

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

/// When the initiator was last heard from on its event connection.
#[derive(Debug)]
pub(crate) struct Heard(StdMutex<Instant>);

impl Heard {
    fn new() -> Self {
        Self(StdMutex::new(Instant::now()))
    }

    pub(crate) fn touch(&self) {
        *lock(&self.0) = Instant::now();
    }

    pub(crate) fn at(&self) -> Instant {
        *lock(&self.0)
    }
}

#[derive(Debug, Default)]
pub(crate) struct Registry {
    next_connection: u32,
    pub(crate) active: Option<ActiveSession>,
}

/// The session being served: who it is, and its event connection.
#[derive(Debug)]
pub(crate) struct ActiveSession {
    pub(crate) connection_number: u32,
    /// The host of the command connection; the event connection must come from it.
    pub(crate) peer: IpAddr,
    pub(crate) events: Option<mpsc::Sender<ToEvent>>,
    pub(crate) heard: Arc<Heard>,
}

pub(crate) struct Shared {
    pub(crate) camera: Arc<Mutex<Responder>>,
    pub(crate) identity: ServerIdentity,
    pub(crate) registry: StdMutex<Registry>,
    pub(crate) pairing: Option<SharedPairing>,
    pub(crate) probe_interval: Option<Duration>,
    /// Whether another initiator asked for the camera while the current one held it. Only
    /// then does an unanswered probe end the session: libgphoto2 never answers probes, and a
    /// gphoto2 waiting for events must keep its camera when nobody else wants it.
    pub(crate) contended: std::sync::atomic::AtomicBool,
    pub(crate) recorder: Option<TcpRecorder>,
}

/// A PTP/IP server: a TCP listener and the camera it serves.
pub struct PtpIpServer {
    listener: TcpListener,
    camera: Arc<Mutex<Responder>>,
    identity: ServerIdentity,
    pairing: Option<SharedPairing>,
    probe_interval: Option<Duration>,
    recorder: Option<TcpRecorder>,
}

impl std::fmt::Debug for PtpIpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PtpIpServer")
            .field("listener", &self.listener.local_addr().ok())
            .field("pairing", &self.pairing.is_some())
            .field("probe_interval", &self.probe_interval)
            .field("recording", &self.recorder.is_some())
            .finish_non_exhaustive()
    }
}

impl PtpIpServer {
    /// Binds `addr` (port 0 picks a free port) for `camera`. A body that pairs
    /// ([`ServerIdentity::pairs_with_one_client`]) starts with an in-memory pairing that
    /// accepts its first client; [`PtpIpServer::with_pairing`] replaces it. Idle initiators are
    /// probed after [`DEFAULT_PROBE_INTERVAL`].
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn bind(
        addr: SocketAddr,
        camera: Responder,
        identity: ServerIdentity,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let pairing = identity
            .pairs_with_one_client
            .then(|| Arc::new(StdMutex::new(Pairing::new(AcceptPolicy::Accept))));
        Ok(Self {
            listener,
            camera: Arc::new(Mutex::new(camera)),
            identity,
            pairing,
            probe_interval: Some(DEFAULT_PROBE_INTERVAL),
            recorder: None,
        })
    }

    /// Decides who may connect with `pairing` (kept by the caller to reset it or read the
    /// paired client), whatever the model says.
    #[must_use]
    pub fn with_pairing(mut self, pairing: SharedPairing) -> Self {
        self.pairing = Some(pairing);
        self
    }

    /// Serves any initiator, whatever the model says about pairing.
    #[must_use]
    pub fn without_pairing(mut self) -> Self {
        self.pairing = None;
        self
    }

    /// Probes an initiator silent for `interval` and ends its session when it does not answer
    /// within as long again; `None` never probes.
    #[must_use]
    pub fn with_probe_interval(mut self, interval: Option<Duration>) -> Self {
        self.probe_interval = interval.filter(|d| !d.is_zero());
        self
    }

    /// Records every connection into `recorder`: each is a TCP flow of its own (the command
    /// and event connections apart) with the socket's real addresses, holding every chunk read
    /// from the initiator and every packet written to it (one segment each, as the PTP/IP
    /// dissector reads them best), so that `tshark -r` and Wireshark decode the session.
    #[must_use]
    pub fn with_recorder(mut self, recorder: TcpRecorder) -> Self {
        self.recorder = Some(recorder);
        self
    }

    /// The pairing in use, if the server pairs.
    #[must_use]
    pub fn pairing(&self) -> Option<SharedPairing> {
        self.pairing.clone()
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
        Arc::clone(&self.camera)
    }

    /// Accepts and serves connections until the task is dropped.
    ///
    /// # Errors
    /// Only when accepting fails in a way that will not go away (per-connection errors are
    /// logged and end only that connection).
    pub async fn run(self) -> io::Result<()> {
        let shared = Arc::new(Shared {
            camera: self.camera,
            identity: self.identity,
            registry: StdMutex::new(Registry {
                next_connection: 1,
                active: None,
            }),
            pairing: self.pairing,
            probe_interval: self.probe_interval,
            contended: std::sync::atomic::AtomicBool::new(false),
            recorder: self.recorder,
        });
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
            let shared = Arc::clone(&shared);
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

async fn serve_connection(
    shared: Arc<Shared>,
    stream: TcpStream,
    peer: SocketAddr,
) -> Result<(), ConnectionError> {
    let tap = Tap::open(shared.recorder.as_ref(), stream.local_addr(), peer);
    let mut conn = Conn::new(stream, peer, tap);
    loop {
        let first = tokio::time::timeout(INIT_TIMEOUT, conn.read_packet())
            .await
            .map_err(|_| {
                ConnectionError::Timeout("Init Command Request or Init Event Request")
            })??;
        let Some(bytes) = first else { return Ok(()) };
        match Packet::parse(&bytes)? {
            Packet::InitCommandRequest(identity) => {
                return command::command_connection(shared, conn, identity).await;
            }
            Packet::InitEventRequest { connection_number } => {
                return event::event_connection(shared, conn, connection_number).await;
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

pub(crate) fn lock<T>(m: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
