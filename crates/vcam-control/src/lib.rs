//! The control socket of vcam cameras: a person's hands on the body (press the shutter, turn a
//! dial, delete a picture, open the card door, pull the cable) and faults, at run time, from
//! `vcamctl` or a test.
//!
//! A Unix socket (only its owner may connect; no port to pick, nothing on the network), one
//! request line and one answer line per exchange, in words:
//!
//! ```text
//! request = [ "@" CAMERA " " ] command
//! command = "status" | "cameras" | "wait-session" [SECONDS]
//!         | "shutter" | "dial" DIAL STEPS | "delete" ( NAME | 0xHANDLE | "newest" )
//!         | "card" ( "out" | "in" ) | "battery" PERCENT | "unplug" | "plug"
//!         | "fault" FAULT | "clear-faults"
//! DIAL    = "iso" | "shutter" | "aperture" | "ev" | "wb" | 0xPROPERTY
//! answer  = "ok " text | "error " text
//! ```
//!
//! FAULT is the `--fault` grammar ([`vcam_core::faults`]). A process serving several cameras
//! names them by model id (`@canon_1300d shutter`); the first is the default. Commands are
//! carried out by the camera at its next turn through its [`Remote`]; a camera no transport
//! is driving (a PTP/IP body between two clients) is run by the camera's [`Camera::pump`].
//!
//! ```no_run
//! # fn demo(mut responder: vcam_core::Responder) -> std::io::Result<()> {
//! use vcam_control::{Camera, ControlServer};
//! let remote = responder.remote();
//! let server = ControlServer::bind("/tmp/vcam.sock".as_ref(), vec![Camera::new("generic", remote)])?;
//! server.spawn()?;
//! assert!(vcam_control::request("/tmp/vcam.sock".as_ref(), "shutter")?.starts_with("ok"));
//! # Ok(()) }
//! ```

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use vcam_core::remote::{Answer, Command, Pending};
use vcam_core::{BodyAction, Dial, Fault, ObjectTarget, Remote};

/// How long a command waits for the camera to carry it out.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest request line read.
const MAX_LINE: usize = 4096;

/// Runs a camera that no transport is driving right now (its due work, and what remotes
/// queued), or does nothing when a transport holds it.
pub type Pump = Box<dyn Fn() + Send + Sync>;

/// One camera behind the socket.
pub struct Camera {
    /// Its name in requests (`@NAME`): the model id.
    pub name: String,
    /// Its remote.
    pub remote: Remote,
    /// How to run it when no transport does.
    pub pump: Option<Pump>,
}

impl std::fmt::Debug for Camera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Camera")
            .field("name", &self.name)
            .field("pump", &self.pump.is_some())
            .finish_non_exhaustive()
    }
}

impl Camera {
    /// A camera called `name`, steered through `remote`.
    #[must_use]
    pub fn new(name: impl Into<String>, remote: Remote) -> Self {
        Self {
            name: name.into(),
            remote,
            pump: None,
        }
    }

    /// Runs the camera with `pump` when a command waits and no transport drives it.
    #[must_use]
    pub fn with_pump(mut self, pump: impl Fn() + Send + Sync + 'static) -> Self {
        self.pump = Some(Box::new(pump));
        self
    }
}

/// A request read from the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Request {
    /// The camera's state.
    Status,
    /// The cameras' names.
    Cameras,
    /// Wait until a session is open (a client connected), at most so long.
    WaitSession(Duration),
    /// A command for the camera.
    Camera(Command),
}

/// Parses a request line (without the `@CAMERA` prefix).
///
/// # Errors
/// What is wrong with it, in words.
pub fn parse_request(line: &str) -> Result<Request, String> {
    let mut words = line.split_whitespace();
    let Some(verb) = words.next() else {
        return Err("empty request".into());
    };
    let rest: Vec<&str> = words.collect();
    let arg = |i: usize, what: &str| {
        rest.get(i)
            .copied()
            .ok_or_else(|| format!("{verb} needs {what}"))
    };
    let act = |a: BodyAction| Ok(Request::Camera(Command::Act(a)));
    match verb {
        "status" => Ok(Request::Status),
        "cameras" => Ok(Request::Cameras),
        "wait-session" => {
            let secs: f64 = match rest.first() {
                Some(s) => s.parse().map_err(|_| format!("{s:?} is not seconds"))?,
                None => 30.0,
            };
            Duration::try_from_secs_f64(secs)
                .map(Request::WaitSession)
                .map_err(|_| format!("{secs} is not a duration"))
        }
        "shutter" => act(BodyAction::Shutter),
        "dial" => {
            let dial: Dial = arg(0, "a dial (iso, shutter, aperture, ev, wb, 0xNNNN)")?
                .parse()
                .map_err(|e: vcam_core::ActionError| e.to_string())?;
            let steps = match rest.get(1) {
                Some(s) => s
                    .trim_start_matches('+')
                    .parse()
                    .map_err(|_| format!("{s:?} is not a number of steps (+1, -2)"))?,
                None => 1,
            };
            act(BodyAction::Dial { dial, steps })
        }
        "delete" => {
            let target: ObjectTarget = arg(0, "a picture (a file name, 0xHANDLE or newest)")?
                .parse()
                .map_err(|e: vcam_core::ActionError| e.to_string())?;
            act(BodyAction::Delete(target))
        }
        "card" | "door" => match arg(0, "out or in")? {
            "out" | "open" | "remove" => act(BodyAction::CardDoor { open: true }),
            "in" | "close" | "insert" => act(BodyAction::CardDoor { open: false }),
            other => Err(format!("card {other}: expected out or in")),
        },
        "battery" => {
            let p = arg(0, "a percentage")?;
            let percent: u8 = p
                .trim_end_matches('%')
                .parse()
                .ok()
                .filter(|&p| p <= 100)
                .ok_or_else(|| format!("{p:?} is not a percentage"))?;
            act(BodyAction::Battery(percent))
        }
        "unplug" => act(BodyAction::Unplug),
        "plug" => act(BodyAction::Plug),
        "fault" => {
            let fault: Fault = arg(0, "a fault (see vcam-ptpip --help)")?
                .parse()
                .map_err(|e: vcam_core::FaultError| e.to_string())?;
            Ok(Request::Camera(Command::AddFault(fault)))
        }
        "clear-faults" => Ok(Request::Camera(Command::ClearFaults)),
        other => Err(format!(
            "unknown command {other:?}; known: status, cameras, wait-session, shutter, dial, \
             delete, card, battery, unplug, plug, fault, clear-faults"
        )),
    }
}

/// A control socket serving cameras.
#[derive(Debug)]
pub struct ControlServer {
    listener: UnixListener,
    path: PathBuf,
    cameras: Arc<Vec<Camera>>,
}

impl ControlServer {
    /// Binds the socket at `path` (replacing a stale socket file there), readable and
    /// writable by its owner only.
    ///
    /// # Errors
    /// The socket cannot be created.
    pub fn bind(path: &Path, cameras: Vec<Camera>) -> io::Result<Self> {
        if path.exists() && UnixStream::connect(path).is_err() {
            std::fs::remove_file(path)?;
        }
        let listener = UnixListener::bind(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        Ok(Self {
            listener,
            path: path.to_path_buf(),
            cameras: Arc::new(cameras),
        })
    }

    /// Binds the socket at `path` ([`ControlServer::bind`]) and serves it on a thread of its
    /// own ([`ControlServer::spawn`]): what every binary and the drop-in do.
    ///
    /// # Errors
    /// The socket or its thread cannot be created.
    pub fn start(path: &Path, cameras: Vec<Camera>) -> io::Result<JoinHandle<()>> {
        Self::bind(path, cameras)?.spawn()
    }

    /// Where the socket is.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Serves on a thread of its own, each connection on another, for the life of the
    /// process.
    ///
    /// # Errors
    /// The thread cannot be started.
    pub fn spawn(self) -> io::Result<JoinHandle<()>> {
        std::thread::Builder::new()
            .name("vcam-control".into())
            .spawn(move || self.run())
    }

    /// Serves connections until accepting fails.
    pub fn run(self) {
        tracing::info!(path = %self.path.display(), cameras = self.cameras.len(), "control socket ready");
        for stream in self.listener.incoming() {
            let stream = match stream {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(%e, "control socket: accept failed");
                    continue;
                }
            };
            let cameras = Arc::clone(&self.cameras);
            let spawned = std::thread::Builder::new()
                .name("vcam-control-conn".into())
                .spawn(move || {
                    if let Err(e) = serve(&stream, &cameras) {
                        tracing::debug!(%e, "control connection ended");
                    }
                });
            if let Err(e) = spawned {
                tracing::warn!(%e, "control socket: no thread for a connection");
            }
        }
    }
}

/// Answers the requests of one connection, a line each.
fn serve(stream: &UnixStream, cameras: &[Camera]) -> io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut line = String::new();
        let n = (&mut reader).take(MAX_LINE as u64).read_line(&mut line)?;
        if n == 0 {
            return Ok(());
        }
        let answer = match answer(line.trim(), cameras) {
            Ok(text) => format!("ok {text}"),
            Err(text) => format!("error {text}"),
        };
        tracing::info!(request = line.trim(), %answer, "control");
        writeln!(writer, "{}", answer.replace('\n', " "))?;
    }
}

/// The answer to one request line.
fn answer(line: &str, cameras: &[Camera]) -> Result<String, String> {
    let (camera, line) = match line.strip_prefix('@') {
        Some(rest) => {
            let (name, rest) = rest.split_once(' ').unwrap_or((rest, ""));
            let camera = cameras
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name))
                .ok_or_else(|| format!("no camera {name:?}; cameras: {}", names(cameras)))?;
            (camera, rest)
        }
        None => (
            cameras.first().ok_or("this process serves no camera")?,
            line,
        ),
    };
    match parse_request(line)? {
        Request::Status => {
            run(camera);
            Ok(camera.remote.status().to_string())
        }
        Request::Cameras => Ok(names(cameras)),
        Request::WaitSession(limit) => {
            let end = Instant::now() + limit;
            loop {
                run(camera);
                let status = camera.remote.status();
                if status.session_open {
                    return Ok(status.to_string());
                }
                if Instant::now() >= end {
                    return Err(format!("no session within {limit:?}: {status}"));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Request::Camera(command) => {
            let pending = camera.remote.send(command);
            wait(camera, &pending)
                .unwrap_or(Err(vcam_core::ActionError::NotDriven))
                .map_err(|e| e.to_string())
        }
    }
}

/// Runs the camera if nothing else does.
fn run(camera: &Camera) {
    if let Some(pump) = &camera.pump {
        pump();
    }
}

/// Waits for the camera to answer `pending`, running it meanwhile if nothing else does.
fn wait(camera: &Camera, pending: &Pending) -> Option<Answer> {
    let end = Instant::now() + ANSWER_TIMEOUT;
    loop {
        run(camera);
        if let Some(answer) = pending.try_answer() {
            return Some(answer);
        }
        if Instant::now() >= end {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn names(cameras: &[Camera]) -> String {
    cameras
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// How long [`request`] keeps trying to reach a socket that is not there yet (a client
/// process with the libusb drop-in creates it when it first uses libusb).
pub const CONNECT_PATIENCE: Duration = Duration::from_secs(5);

/// Sends `line` to the control socket at `path` and returns the answer line (`ok ...` or
/// `error ...`). A socket not there yet (or not listening yet) is tried again for
/// [`CONNECT_PATIENCE`].
///
/// # Errors
/// The socket cannot be reached, or closed before answering.
pub fn request(path: &Path, line: &str) -> io::Result<String> {
    let end = Instant::now() + CONNECT_PATIENCE;
    let mut stream = loop {
        match UnixStream::connect(path) {
            Ok(stream) => break stream,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused
                ) && Instant::now() < end =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e),
        }
    };
    writeln!(stream, "{}", line.trim())?;
    let mut answer = String::new();
    BufReader::new(&stream).read_line(&mut answer)?;
    if answer.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the control socket closed without answering",
        ));
    }
    Ok(answer.trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse() {
        assert_eq!(parse_request("status"), Ok(Request::Status));
        assert_eq!(
            parse_request("dial iso -2"),
            Ok(Request::Camera(Command::Act(BodyAction::Dial {
                dial: Dial::Iso,
                steps: -2
            })))
        );
        assert_eq!(
            parse_request("dial shutter +1"),
            Ok(Request::Camera(Command::Act(BodyAction::Dial {
                dial: Dial::ShutterSpeed,
                steps: 1
            })))
        );
        assert_eq!(
            parse_request("card out"),
            Ok(Request::Camera(Command::Act(BodyAction::CardDoor {
                open: true
            })))
        );
        assert_eq!(
            parse_request("battery 5%"),
            Ok(Request::Camera(Command::Act(BodyAction::Battery(5))))
        );
        assert!(matches!(
            parse_request("fault busy:ops=2"),
            Ok(Request::Camera(Command::AddFault(_)))
        ));
        assert!(parse_request("fault busy:ops=x").is_err());
        assert!(parse_request("frobnicate").unwrap_err().contains("known:"));
        assert!(parse_request("battery 101").is_err());
    }
}
