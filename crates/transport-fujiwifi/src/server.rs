//! The server: the command port with its init exchange and container session, the event and
//! live view ports opened at InitiateOpenCapture.

use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, OwnedMutexGuard, mpsc};
use tokio::task::JoinHandle;
use vcam_core::Responder;
use vcam_core::model::PtpIpIdentity;
use vcam_core::pairing::{AcceptPolicy, ClientId, Decision, Pairing, Refusal};
use vcam_core::ptp_types::OperationCode;
use vcam_record::{ConnectionTap as Tap, TcpRecorder};
use vcam_usb::{ContainerLink, LinkConfig, LinkError};

use crate::init::{INIT_REQUEST_LEN, InitError, fail, init_ack, init_fail, parse_init_request};
use crate::liveview;

/// The command port of a real body.
pub const COMMAND_PORT: u16 = 55740;
/// How long a new connection may take to send its Init Command Request.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a new client waits for the previous one to leave before Init Fail (busy): gphoto2
/// runs commands back to back and the previous one may have hung up a moment ago.
pub const BUSY_WAIT: Duration = Duration::from_millis(1500);
/// Events waiting for the event connection before new ones are dropped.
const EVENT_BACKLOG: usize = 1024;
/// The connection number in the ack (vcam's C original sends 0; libgphoto2 keeps it unused).
const CONNECTION_NUMBER: u32 = 0;

/// Why a connection ended abnormally.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionError {
    /// Socket error.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// A malformed init packet; the body closes the connection.
    #[error("bad Init Command Request: {0}")]
    Init(#[from] InitError),
    /// A malformed container on the command connection.
    #[error("bad container: {0}")]
    Link(#[from] LinkError),
    /// The peer sent nothing in time.
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
}

/// What the server needs besides the camera.
#[derive(Debug, Clone)]
pub struct FujiWifiConfig {
    /// The command port's address; the event port is the next port and the live view port the
    /// one after (55740, 55741, 55742 on a real body). Port 0 picks three free consecutive
    /// ports.
    pub listen: SocketAddr,
    /// The GUID and name the body puts in its ack.
    pub identity: PtpIpIdentity,
    /// Which client the body accepts, and what its owner does when a new one asks.
    pub pairing: Pairing,
}

impl FujiWifiConfig {
    /// A body on `listen` that checks client names (Fujifilm refuses a paired client whose name
    /// changed) and handles new clients by `policy`.
    #[must_use]
    pub fn new(listen: SocketAddr, identity: PtpIpIdentity, policy: AcceptPolicy) -> Self {
        Self {
            listen,
            identity,
            pairing: Pairing::new(policy).checking_names(),
        }
    }
}

/// The three ports of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// Commands, data and responses (55740).
    pub command: u16,
    /// Events (55741).
    pub event: u16,
    /// Live view frames (55742).
    pub liveview: u16,
}

/// The event and live view ports before InitiateOpenCapture: bound (so nothing else takes
/// them) but not listening, so a client is refused as by a real body.
#[derive(Debug, Default)]
struct Reserved {
    event: Option<socket2::Socket>,
    liveview: Option<socket2::Socket>,
}

pub(crate) struct Shared {
    pub(crate) link: std::sync::Mutex<ContainerLink>,
    identity: PtpIpIdentity,
    pairing: std::sync::Mutex<Pairing>,
    session: Arc<Mutex<()>>,
    ip: IpAddr,
    ports: Ports,
    reserved: std::sync::Mutex<Reserved>,
    /// Where every connection is recorded ([`FujiWifiServer::with_recorder`]).
    recorder: std::sync::OnceLock<TcpRecorder>,
}

/// A Fujifilm WiFi body: the command listener and the camera it serves.
pub struct FujiWifiServer {
    listener: TcpListener,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for FujiWifiServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FujiWifiServer")
            .field("ports", &self.shared.ports)
            .finish_non_exhaustive()
    }
}

impl FujiWifiServer {
    /// Binds the command port and reserves the event and live view ports for `camera`.
    ///
    /// # Errors
    /// When the ports cannot be bound.
    pub async fn bind(camera: Responder, config: FujiWifiConfig) -> io::Result<Self> {
        let ip = config.listen.ip();
        let (listener, reserved) = if config.listen.port() == 0 {
            bind_free_triple(ip).await?
        } else {
            let listener = TcpListener::bind(config.listen).await?;
            let reserved = reserve(ip, config.listen.port())?;
            (listener, reserved)
        };
        let command = listener.local_addr()?.port();
        let ports = Ports {
            command,
            event: command.wrapping_add(1),
            liveview: command.wrapping_add(2),
        };
        Ok(Self {
            listener,
            shared: Arc::new(Shared {
                link: std::sync::Mutex::new(ContainerLink::new(camera, LinkConfig::FUJI_WIFI)),
                identity: config.identity,
                pairing: std::sync::Mutex::new(config.pairing),
                session: Arc::new(Mutex::new(())),
                ip,
                ports,
                reserved: std::sync::Mutex::new(reserved),
                recorder: std::sync::OnceLock::new(),
            }),
        })
    }

    /// Records every connection into `recorder`: the command, event and live view connections
    /// each as a TCP flow of its own with the socket's real addresses, every chunk read and
    /// written (`tshark -r FILE -d tcp.port==PORT,...`; Wireshark has no dissector for
    /// Fujifilm's protocol, whose containers are USB's). A second recorder is ignored.
    #[must_use]
    pub fn with_recorder(self, recorder: TcpRecorder) -> Self {
        if self.shared.recorder.set(recorder).is_err() {
            tracing::warn!("the server already records; the new recorder is ignored");
        }
        self
    }

    /// The command port's address.
    ///
    /// # Errors
    /// As [`TcpListener::local_addr`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The three ports.
    #[must_use]
    pub fn ports(&self) -> Ports {
        self.shared.ports
    }

    /// Runs `f` on the camera (tests and embedders acting as the body's buttons).
    pub fn with_camera<R>(&self, f: impl FnOnce(&mut Responder) -> R) -> R {
        f(lock(&self.shared.link).responder_mut())
    }

    /// Accepts and serves clients, one session at a time, until the task is dropped.
    ///
    /// # Errors
    /// Only when accepting fails in a way that will not go away.
    pub async fn run(self) -> io::Result<()> {
        loop {
            let (stream, peer) = match self.listener.accept().await {
                Ok(x) => x,
                Err(e) if transient(&e) => {
                    tracing::warn!(%e, "accept failed; continuing");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let shared = Arc::clone(&self.shared);
            tokio::spawn(async move {
                match serve(shared, stream, peer).await {
                    Ok(()) => tracing::debug!(%peer, "connection closed"),
                    Err(e) => tracing::warn!(%peer, %e, "connection ended"),
                }
            });
        }
    }
}

/// Binds a command listener on a free port P whose P+1 and P+2 are free too.
async fn bind_free_triple(ip: IpAddr) -> io::Result<(TcpListener, Reserved)> {
    let mut last = io::Error::new(io::ErrorKind::AddrInUse, "no three free consecutive ports");
    for _ in 0..64 {
        let listener = TcpListener::bind(SocketAddr::new(ip, 0)).await?;
        let port = listener.local_addr()?.port();
        if port > u16::MAX - 2 {
            continue;
        }
        match reserve(ip, port) {
            Ok(reserved) => return Ok((listener, reserved)),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Binds (without listening) the event and live view ports after `command`.
fn reserve(ip: IpAddr, command: u16) -> io::Result<Reserved> {
    Ok(Reserved {
        event: Some(bound_socket(SocketAddr::new(ip, command.wrapping_add(1)))?),
        liveview: Some(bound_socket(SocketAddr::new(ip, command.wrapping_add(2)))?),
    })
}

fn bound_socket(addr: SocketAddr) -> io::Result<socket2::Socket> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    Ok(socket)
}

/// Starts listening on a reserved socket (or binds it anew).
fn listen(socket: Option<socket2::Socket>, addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = match socket {
        Some(s) => s,
        None => bound_socket(addr)?,
    };
    socket.listen(8)?;
    socket.set_nonblocking(true)?;
    TcpListener::from_std(socket.into())
}

fn transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    ) || e.raw_os_error().is_some_and(|c| c == 24 || c == 23)
}

/// Reads exactly `buf.len()` bytes before [`INIT_TIMEOUT`]; `false` when the peer closed first.
async fn read_init(
    stream: &mut TcpStream,
    buf: &mut [u8],
    tap: &mut Tap,
) -> Result<bool, ConnectionError> {
    match tokio::time::timeout(INIT_TIMEOUT, stream.read_exact(buf)).await {
        Err(_) => Err(ConnectionError::Timeout("the Init Command Request")),
        Ok(Ok(_)) => {
            tap.received(buf);
            Ok(true)
        }
        Ok(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Ok(Err(e)) => Err(e.into()),
    }
}

/// Writes all of `bytes` and records them.
async fn send(stream: &mut TcpStream, tap: &mut Tap, bytes: &[u8]) -> io::Result<()> {
    stream.write_all(bytes).await?;
    tap.sent(bytes);
    Ok(())
}

/// One client connection: the init exchange, then the session.
async fn serve(
    shared: Arc<Shared>,
    mut stream: TcpStream,
    peer: SocketAddr,
) -> Result<(), ConnectionError> {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(%e, "TCP_NODELAY");
    }
    let mut tap = Tap::open(shared.recorder.get(), stream.local_addr(), peer);
    let mut slot: Option<OwnedMutexGuard<()>> = None;
    let mut client: Option<ClientId> = None;
    loop {
        let mut len = [0u8; 4];
        if !read_init(&mut stream, &mut len, &mut tap).await? {
            return Ok(());
        }
        let announced = u32::from_le_bytes(len);
        if announced as usize != INIT_REQUEST_LEN {
            if client.is_some() {
                // Acked: this is the first container of the session.
                return finish(shared, (stream, tap), peer, slot, len).await;
            }
            // A real body closes the connection (libgphoto2 fujiptpip.c).
            return Err(InitError::Length(announced).into());
        }
        let mut packet = [0u8; INIT_REQUEST_LEN];
        packet[..4].copy_from_slice(&len);
        if !read_init(&mut stream, &mut packet[4..], &mut tap).await? {
            return Ok(());
        }
        let who = match parse_init_request(&packet) {
            Ok(who) => who,
            Err(e) => match e.fail_reason() {
                Some(reason) => {
                    tracing::info!(%peer, %e, "refused");
                    send(&mut stream, &mut tap, &init_fail(reason)).await?;
                    continue;
                }
                None => return Err(e.into()),
            },
        };
        // libgphoto2 sends the request twice on one connection; every one is answered.
        if client.as_ref() == Some(&who) {
            send(&mut stream, &mut tap, &ack(&shared)).await?;
            continue;
        }
        let plugged = blocking(|| {
            let mut link = lock(&shared.link);
            link.responder_mut().handle_timeout(SystemTime::now());
            link.responder().is_plugged()
        });
        if !plugged {
            // An unplugged body is not on the network: the connection closes unanswered.
            tracing::info!(%peer, "the camera is unplugged: connection closed");
            return Ok(());
        }
        if slot.is_none() {
            let Ok(guard) =
                tokio::time::timeout(BUSY_WAIT, Arc::clone(&shared.session).lock_owned()).await
            else {
                tracing::info!(%peer, name = %who.name, "refused: another client is connected");
                send(&mut stream, &mut tap, &init_fail(fail::DEVICE_BUSY)).await?;
                continue;
            };
            slot = Some(guard);
        }
        match decide(&shared, &who).await {
            Ok(()) => {
                tracing::info!(%peer, name = %who.name, "client accepted");
                send(&mut stream, &mut tap, &ack(&shared)).await?;
                client = Some(who);
            }
            Err(refusal) => {
                tracing::info!(%peer, name = %who.name, ?refusal, "client refused");
                send(&mut stream, &mut tap, &init_fail(fail::DEVICE_BUSY)).await?;
                slot = None;
            }
        }
    }
}

fn ack(shared: &Shared) -> [u8; crate::init::INIT_ACK_LEN] {
    init_ack(
        CONNECTION_NUMBER,
        &shared.identity.guid,
        &shared.identity.friendly_name,
    )
}

/// The pairing decision about `who`, with the owner's answer awaited.
///
/// A paired client under another name, or another client, is refused with 0x2019 and the
/// owner is asked to "change" (malc0mn ptp-ip `ip/packets_fuji.go`: `FR_Fuji_DeviceBusy`): a
/// policy that accepts forgets the old pairing then, so the client's retry (libgphoto2 retries
/// once after 500 ms, fudge once) is accepted as a new client.
async fn decide(shared: &Shared, who: &ClientId) -> Result<(), Refusal> {
    let now = SystemTime::now();
    let decision = {
        let mut pairing = lock(&shared.pairing);
        match pairing.decide(now, who) {
            Ok(decision) => decision,
            Err(e) => {
                tracing::warn!(%e, "saving the pairing failed");
                Decision::Accept
            }
        }
    };
    match decision {
        Decision::Accept => Ok(()),
        Decision::AcceptAt(at) => {
            tracing::info!(name = %who.name, "waiting for the owner to accept");
            let wait = at.duration_since(SystemTime::now()).unwrap_or_default();
            tokio::time::sleep(wait).await;
            if let Err(e) = lock(&shared.pairing).confirm(who) {
                tracing::warn!(%e, "saving the pairing failed");
            }
            Ok(())
        }
        Decision::Refuse(refusal) => {
            let mut pairing = lock(&shared.pairing);
            let changes = matches!(refusal, Refusal::OtherClientPaired | Refusal::NameChanged)
                && pairing.policy() != AcceptPolicy::Refuse;
            if changes {
                tracing::info!("the owner presses \"change\": the pairing is forgotten");
                if let Err(e) = pairing.reset() {
                    tracing::warn!(%e, "forgetting the pairing failed");
                }
            }
            Err(refusal)
        }
        _ => Err(Refusal::RefusedOnBody),
    }
}

/// After the init exchange: the session, then the camera is reset and freed.
async fn finish(
    shared: Arc<Shared>,
    (stream, tap): (TcpStream, Tap),
    peer: SocketAddr,
    slot: Option<OwnedMutexGuard<()>>,
    first: [u8; 4],
) -> Result<(), ConnectionError> {
    let Some(slot) = slot else {
        return Ok(());
    };
    let mut session = Session {
        shared: Arc::clone(&shared),
        stream,
        tap,
        side: None,
    };
    let result = session.run(&first).await;
    session.close();
    blocking(|| lock(&shared.link).reset(SystemTime::now()));
    drop(slot);
    tracing::info!(%peer, "client disconnected");
    result
}

/// What the event and live view ports carry during a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SideKind {
    Event,
    Liveview,
}

/// The event and live view ports of a session.
struct Side {
    accepted: mpsc::Receiver<(SideKind, TcpStream)>,
    acceptors: Vec<JoinHandle<()>>,
    events: Option<mpsc::Sender<Bytes>>,
    /// Events an event connection took but could not deliver (the client had left): they go
    /// out first on the next one.
    undelivered: Arc<std::sync::Mutex<VecDeque<Bytes>>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Side {
    fn drop(&mut self) {
        for task in self.acceptors.iter().chain(&self.tasks) {
            task.abort();
        }
    }
}

struct Session {
    shared: Arc<Shared>,
    stream: TcpStream,
    tap: Tap,
    side: Option<Side>,
}

impl Session {
    async fn run(&mut self, first: &[u8]) -> Result<(), ConnectionError> {
        if self.input(first).await? {
            return Ok(());
        }
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            if !blocking(|| lock(&self.shared.link).responder().is_plugged()) {
                // The link dropped (`Responder::is_plugged`): the body leaves the network.
                tracing::info!("the camera is unplugged: closing");
                return Ok(());
            }
            let deadline = blocking(|| lock(&self.shared.link).responder().poll_timeout());
            let sleep = async {
                match deadline {
                    Some(at) => {
                        let wait = at.duration_since(SystemTime::now()).unwrap_or_default();
                        tokio::time::sleep(wait).await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let accepted = async {
                // No more connections once the acceptors ended: nothing to wait for.
                match self.side.as_mut() {
                    Some(side) => match side.accepted.recv().await {
                        Some(conn) => conn,
                        None => std::future::pending().await,
                    },
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                // A connection to the event port is attached before the next request is
                // read: the events that request causes go to it.
                biased;
                (kind, stream) = accepted => {
                    self.attach(kind, stream);
                    // Events that waited for the event connection go out now.
                    self.flush().await?;
                }
                n = self.stream.read(&mut buf) => {
                    let n = n?;
                    if n == 0 {
                        return Ok(());
                    }
                    quickack(&self.stream);
                    let read = buf.get(..n).unwrap_or_default();
                    self.tap.received(read);
                    if self.input(read).await? {
                        return Ok(());
                    }
                }
                () = sleep => {
                    blocking(|| lock(&self.shared.link).responder_mut().handle_timeout(SystemTime::now()));
                    self.flush().await?;
                }
            }
        }
    }

    /// Feeds the client's bytes to the camera and sends what it answers; `true` after the
    /// goodbye packet.
    async fn input(&mut self, bytes: &[u8]) -> Result<bool, ConnectionError> {
        let (pushed, opens) = blocking(|| {
            let mut link = lock(&self.shared.link);
            let pushed = link.push(SystemTime::now(), bytes);
            let opens = link
                .answering()
                .is_some_and(|(code, _)| code == OperationCode::INITIATE_OPEN_CAPTURE);
            (pushed, opens)
        });
        let pushed = pushed?;
        if opens {
            // The event and live view ports listen before InitiateOpenCapture's response
            // goes out (libgphoto2 connects to them as soon as it has it).
            self.open_side();
        }
        self.flush().await?;
        if pushed.goodbye {
            tracing::info!("the client said goodbye");
        }
        Ok(pushed.goodbye)
    }

    /// Sends everything the camera has to say, container by container, and its events.
    async fn flush(&mut self) -> Result<(), ConnectionError> {
        loop {
            let chunk = blocking(|| lock(&self.shared.link).pull_in(usize::MAX));
            match chunk {
                Ok(Some(chunk)) => send(&mut self.stream, &mut self.tap, &chunk.bytes).await?,
                Ok(None) => break,
                Err(e) => return Err(e.into()),
            }
        }
        let Some(side) = self.side.as_mut() else {
            return Ok(());
        };
        if side.events.as_ref().is_some_and(mpsc::Sender::is_closed) {
            // The client left the event port: the camera's events wait in its queue for the
            // next connection.
            side.events = None;
        }
        if let Some(sender) = side.events.clone() {
            let undelivered: Vec<Bytes> = lock(&side.undelivered).drain(..).collect();
            let events: Vec<Bytes> = blocking(|| {
                let mut link = lock(&self.shared.link);
                std::iter::from_fn(|| link.poll_event()).collect()
            });
            for event in undelivered.into_iter().chain(events) {
                if sender.try_send(event).is_err() {
                    tracing::warn!("event connection backlog full; dropping an event");
                }
            }
        }
        Ok(())
    }

    /// Opens the event and live view ports (once per session).
    fn open_side(&mut self) {
        if self.side.is_some() {
            return;
        }
        let (event, lv) = {
            let mut reserved = lock(&self.shared.reserved);
            (reserved.event.take(), reserved.liveview.take())
        };
        let ports = self.shared.ports;
        let ip = self.shared.ip;
        let (tx, accepted) = mpsc::channel(8);
        let mut acceptors = Vec::new();
        for (kind, socket, port) in [
            (SideKind::Event, event, ports.event),
            (SideKind::Liveview, lv, ports.liveview),
        ] {
            match listen(socket, SocketAddr::new(ip, port)) {
                Ok(listener) => {
                    let tx = tx.clone();
                    acceptors.push(tokio::spawn(async move {
                        while let Ok((stream, peer)) = listener.accept().await {
                            tracing::debug!(%peer, ?kind, "connected");
                            if tx.send((kind, stream)).await.is_err() {
                                break;
                            }
                        }
                    }));
                }
                Err(e) => tracing::warn!(%e, port, ?kind, "cannot listen"),
            }
        }
        tracing::debug!(event = ports.event, liveview = ports.liveview, "listening");
        self.side = Some(Side {
            accepted,
            acceptors,
            events: None,
            undelivered: Arc::default(),
            tasks: Vec::new(),
        });
    }

    /// A client connected to the event or live view port.
    fn attach(&mut self, kind: SideKind, stream: TcpStream) {
        let Some(side) = self.side.as_mut() else {
            return;
        };
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(%e, "TCP_NODELAY");
        }
        let tap = match stream.peer_addr() {
            Ok(peer) => Tap::open(self.shared.recorder.get(), stream.local_addr(), peer),
            Err(_) => Tap::default(),
        };
        match kind {
            SideKind::Event => {
                let (tx, rx) = mpsc::channel(EVENT_BACKLOG);
                side.events = Some(tx);
                let undelivered = Arc::clone(&side.undelivered);
                side.tasks.push(tokio::spawn(event_connection(
                    (stream, tap),
                    rx,
                    undelivered,
                )));
            }
            SideKind::Liveview => {
                let shared = Arc::clone(&self.shared);
                side.tasks
                    .push(tokio::spawn(liveview::stream(shared, stream, tap)));
            }
        }
    }

    /// Closes the event and live view ports and reserves them again for the next session.
    fn close(&mut self) {
        if self.side.take().is_none() {
            return;
        }
        let ports = self.shared.ports;
        match reserve(self.shared.ip, ports.command) {
            Ok(reserved) => *lock(&self.shared.reserved) = reserved,
            Err(e) => tracing::debug!(%e, "ports not reserved again; they are bound when needed"),
        }
    }
}

/// The event connection: containers from the session, in order; the client sends nothing.
/// Once the client has closed it, the events it holds go back to `undelivered` for the next
/// event connection: a client that reconnects its event port loses none (the close is looked
/// for before each event is written).
async fn event_connection(
    (mut stream, mut tap): (TcpStream, Tap),
    mut events: mpsc::Receiver<Bytes>,
    undelivered: Arc<std::sync::Mutex<VecDeque<Bytes>>>,
) {
    let mut sink = [0u8; 256];
    loop {
        tokio::select! {
            biased;
            n = stream.read(&mut sink) => {
                let Ok(n @ 1..) = n else {
                    tracing::debug!("event connection closed");
                    break;
                };
                tap.received(sink.get(..n).unwrap_or_default());
            }
            event = events.recv() => {
                let Some(event) = event else { return };
                if let Err(e) = send(&mut stream, &mut tap, &event).await {
                    tracing::debug!(%e, "event connection lost");
                    lock(&undelivered).push_back(event);
                    break;
                }
            }
        }
    }
    events.close();
    let mut back = lock(&undelivered);
    while let Ok(event) = events.try_recv() {
        if back.len() >= EVENT_BACKLOG {
            tracing::warn!("event backlog full; dropping an event");
            break;
        }
        back.push_back(event);
    }
}

/// Sets TCP_QUICKACK again (Linux clears it after each acknowledgement): libgphoto2 writes a
/// data container's header and its payload separately (client-expectations.md §0.6).
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

/// Runs blocking camera work (file reads, JPEG rendering) without stalling other tasks when
/// the runtime has worker threads to spare.
pub(crate) fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
