//! PC AutoSave: how a Fujifilm body finds the PC that saves its pictures, registers with it and
//! asks it to import (docs/reference/vendors-wifi-sony-fuji.md §3.2, from fudge
//! `docs/autosave.md`, captured from a real X-H1; the PC side is fudge `lib/discovery.c`).
//!
//! Not UPnP: Fujifilm's own HTTP-like text, each line ending `\r\n`, no blank line at the end.
//!
//! Registration ("PC AUTO SAVE SETTING"):
//! 1. the body sends `DISCOVER * HTTP/1.1` by UDP to port 51542 of the announce address;
//! 2. the PC connects to the body's port 51540 and sends `NOTIFY * HTTP/1.1` with
//!    `IMPORTER: <its name>`; the body answers `HTTP/1.1 200 OK`;
//! 3. the body connects to the PC's port 51542 and sends `REGISTER * HTTP/1.1` with its
//!    `DSCNAME` and `DSCMODEL`; the PC answers `HTTP/1.1 200 OK` with `FOLDER: guest`.
//!
//! Then, to save: `DISCOVER <PC name> HTTP/1.1` to port 51541, NOTIFY again, `IMPORT /<folder>
//! HTTP/1.1` to the PC's port 51541, `HTTP/1.1 200 OK`; the PC then connects to the command
//! port and finds CameraState 3 (PC AutoSave).
//!
//! Nothing is announced unless asked for; the announce address is given, never guessed.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

/// The body's TCP port for NOTIFY.
pub const NOTIFY_PORT: u16 = 51540;
/// The UDP port of `DISCOVER <PC name>` and the PC's TCP port for IMPORT.
pub const IMPORT_PORT: u16 = 51541;
/// The UDP port of `DISCOVER *` and the PC's TCP port for REGISTER.
pub const REGISTER_PORT: u16 = 51542;
/// The body's answer to NOTIFY, and the PC's to IMPORT.
pub const OK: &str = "HTTP/1.1 200 OK\r\n";
/// Longest message read from a PC.
const MAX_MESSAGE: usize = 1024;
/// How long a PC may take to send or answer a message.
const MESSAGE_TIMEOUT: Duration = Duration::from_secs(5);

/// Where and how often the body announces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoSaveConfig {
    /// The body's address (`DSCADDR`); the NOTIFY port listens there.
    pub camera: IpAddr,
    /// Where DISCOVER goes (the network's broadcast address on a real network).
    pub announce: IpAddr,
    /// The body's NOTIFY port (51540).
    pub notify_port: u16,
    /// The port of `DISCOVER <PC name>` and IMPORT (51541).
    pub import_port: u16,
    /// The port of `DISCOVER *` and REGISTER (51542).
    pub register_port: u16,
    /// Time between two DISCOVER.
    pub interval: Duration,
}

impl AutoSaveConfig {
    /// A body at `camera` announcing to `announce`, with its NOTIFY port at `notify_port` and
    /// the import and register ports the two after it (51540, 51541, 51542 on a real body).
    #[must_use]
    pub fn new(camera: IpAddr, announce: IpAddr, notify_port: u16) -> Self {
        Self {
            camera,
            announce,
            notify_port,
            import_port: notify_port.wrapping_add(1),
            register_port: notify_port.wrapping_add(2),
            interval: Duration::from_secs(1),
        }
    }
}

/// What the body says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// `DSCNAME`: `FUJIFILM-<model>-<last four digits of the serial number>` (the X-H1 with
    /// serial ...CA2A is `FUJIFILM-X-H1-CA2A`).
    pub name: String,
    /// `DSCMODEL`.
    pub model: String,
    /// The command port the PC connects to after IMPORT.
    pub port: u16,
}

impl Body {
    /// The body of `model` with `serial`, serving its command port `port`.
    #[must_use]
    pub fn new(model: &str, serial: &str, port: u16) -> Self {
        let tail: String = serial
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        Self {
            name: format!("FUJIFILM-{model}-{tail}"),
            model: model.to_string(),
            port,
        }
    }
}

/// A PC the body registered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The PC's name (its `IMPORTER`).
    pub pc_name: String,
    /// Its address.
    pub pc: IpAddr,
    /// The folder it gave (`FOLDER`, `guest` in the captures).
    pub folder: String,
}

/// `DISCOVER <target> HTTP/1.1`: `*` while registering, the PC's name to save.
#[must_use]
pub fn discover(target: &str, announce: IpAddr, camera: IpAddr) -> String {
    format!(
        "DISCOVER {target} HTTP/1.1\r\nMX:3\r\nHOST:{announce}:|\r\nDSCADDR:{camera}\r\nSERVICE:PCAUTOSAVE/1.0\r\n"
    )
}

/// `NOTIFY * HTTP/1.1`, as the PC sends it.
#[must_use]
pub fn notify(camera: IpAddr, notify_port: u16, importer: &str) -> String {
    format!("NOTIFY * HTTP/1.1\r\nHOST: {camera}:{notify_port}\r\nIMPORTER: {importer}\r\n")
}

/// `REGISTER * HTTP/1.1`.
#[must_use]
pub fn register(pc: IpAddr, port: u16, body: &Body) -> String {
    format!(
        "REGISTER * HTTP/1.1\r\nHOST:{pc}:{port}\r\nDSCNAME:{}\r\nDSCMODEL:{}\r\n",
        body.name, body.model
    )
}

/// The PC's answer to REGISTER.
#[must_use]
pub fn registered(folder: &str) -> String {
    format!("HTTP/1.1 200 OK\r\nFOLDER: {folder}\r\nServiceName: PCAUTOSAVE/1.0\r\n")
}

/// `IMPORT /<folder> HTTP/1.1`; `DSCPORT` is `$` in the capture.
#[must_use]
pub fn import(folder: &str, pc: IpAddr, port: u16, body: &Body) -> String {
    format!(
        "IMPORT /{folder} HTTP/1.1\r\nHOST:{pc}:{port}\r\nDSCNAME:{}\r\nDSCPORT:$\r\n",
        body.name
    )
}

/// The request line's method and target, and the value of header `key` (case-insensitive,
/// with or without a space after the colon).
#[must_use]
pub fn header<'a>(message: &'a str, key: &str) -> Option<&'a str> {
    message.split("\r\n").skip(1).find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(key).then(|| v.trim())
    })
}

/// The request line of `message`: method and target.
#[must_use]
pub fn request_line(message: &str) -> Option<(&str, &str)> {
    let line = message.split("\r\n").next()?;
    let mut words = line.split(' ');
    Some((words.next()?, words.next()?))
}

/// Reads one message: until `done` says it is whole, the peer stops sending, or time runs out.
/// At most 1024 bytes.
pub async fn read_message(
    stream: &mut TcpStream,
    done: impl Fn(&str) -> bool,
) -> io::Result<String> {
    let mut buf = Vec::with_capacity(MAX_MESSAGE);
    let mut chunk = [0u8; 256];
    let read = async {
        loop {
            let text = String::from_utf8_lossy(&buf);
            if done(&text) || buf.len() >= MAX_MESSAGE {
                return Ok::<(), io::Error>(());
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            let room = MAX_MESSAGE.saturating_sub(buf.len()).min(n);
            buf.extend_from_slice(chunk.get(..room).unwrap_or_default());
        }
    };
    match tokio::time::timeout(MESSAGE_TIMEOUT, read).await {
        Ok(result) => result?,
        Err(_) if !buf.is_empty() => {}
        Err(_) => return Err(io::Error::new(io::ErrorKind::TimedOut, "no message")),
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Whether a message has its header `key` on a finished line.
fn has_line(message: &str, key: &str) -> bool {
    message
        .split_inclusive("\r\n")
        .any(|line| line.ends_with("\r\n") && line.trim_start().starts_with(key))
}

/// Announces the body, registers with the first PC that answers and asks it to import; returns
/// the registration once the PC accepted the import (the PC then connects to the command port).
///
/// # Errors
/// The NOTIFY port or the UDP socket cannot be bound. A PC that misbehaves is logged and
/// announcing goes on.
pub async fn run(config: AutoSaveConfig, body: Body) -> io::Result<Registration> {
    let listener = TcpListener::bind(SocketAddr::new(config.camera, config.notify_port)).await?;
    let udp = UdpSocket::bind(SocketAddr::new(config.camera, 0)).await?;
    udp.set_broadcast(true)?;
    tracing::info!(announce = %config.announce, notify = config.notify_port, "PC AutoSave: announcing");
    let registration = loop {
        match phase(&config, &body, &listener, &udp, None).await {
            Ok(Some(registration)) => break registration,
            Ok(None) => {}
            Err(e) => tracing::info!(%e, "PC AutoSave registration failed; announcing again"),
        }
    };
    tracing::info!(pc = %registration.pc, name = %registration.pc_name, folder = %registration.folder, "PC AutoSave: registered");
    loop {
        match phase(&config, &body, &listener, &udp, Some(&registration)).await {
            Ok(Some(_)) => break,
            Ok(None) => {}
            Err(e) => tracing::info!(%e, "PC AutoSave import failed; announcing again"),
        }
    }
    tracing::info!(pc = %registration.pc, "PC AutoSave: import accepted");
    Ok(registration)
}

/// One announce: DISCOVER, wait for NOTIFY, then REGISTER (no registration yet) or IMPORT.
async fn phase(
    config: &AutoSaveConfig,
    body: &Body,
    listener: &TcpListener,
    udp: &UdpSocket,
    registration: Option<&Registration>,
) -> io::Result<Option<Registration>> {
    let (target, port) = match registration {
        Some(r) => (r.pc_name.as_str(), config.import_port),
        None => ("*", config.register_port),
    };
    let text = discover(target, config.announce, config.camera);
    udp.send_to(text.as_bytes(), SocketAddr::new(config.announce, port))
        .await?;
    let Ok(accepted) = tokio::time::timeout(config.interval, listener.accept()).await else {
        return Ok(None);
    };
    let (mut stream, peer) = accepted?;
    let notify = read_message(&mut stream, |m| has_line(m, "IMPORTER")).await?;
    let importer = match (request_line(&notify), header(&notify, "IMPORTER")) {
        (Some(("NOTIFY", _)), Some(importer)) if !importer.is_empty() => importer.to_string(),
        _ => {
            tracing::info!(%peer, "PC AutoSave: not a NOTIFY");
            return Ok(None);
        }
    };
    if registration.is_some_and(|r| r.pc_name != importer) {
        tracing::info!(%peer, %importer, "PC AutoSave: NOTIFY from another PC");
        return Ok(None);
    }
    stream.write_all(OK.as_bytes()).await?;
    drop(stream);
    let pc = peer.ip();
    let mut to_pc = TcpStream::connect(SocketAddr::new(pc, port)).await?;
    let message = match registration {
        Some(r) => import(&r.folder, pc, port, body),
        None => register(pc, port, body),
    };
    to_pc.write_all(message.as_bytes()).await?;
    let answer = read_message(&mut to_pc, |m| match registration {
        Some(_) => m.contains("\r\n"),
        None => has_line(m, "FOLDER") && has_line(m, "ServiceName"),
    })
    .await?;
    if !answer.starts_with("HTTP/1.1 200") {
        tracing::info!(%peer, answer = %answer.lines().next().unwrap_or_default(), "PC AutoSave: refused");
        return Ok(None);
    }
    let folder = match registration {
        Some(r) => r.folder.clone(),
        None => header(&answer, "FOLDER")
            .filter(|f| !f.is_empty())
            .unwrap_or("guest")
            .to_string(),
    };
    Ok(Some(Registration {
        pc_name: importer,
        pc,
        folder,
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_texts_of_a_real_x_h1() {
        let camera: IpAddr = "192.168.1.32".parse().unwrap();
        let pc: IpAddr = "192.168.1.2".parse().unwrap();
        let broadcast: IpAddr = "192.168.1.255".parse().unwrap();
        let body = Body::new("X-H1", "593534313432190906AA602021CA2A", 55740);
        assert_eq!(body.name, "FUJIFILM-X-H1-CA2A");
        assert_eq!(
            discover("*", broadcast, camera),
            "DISCOVER * HTTP/1.1\r\nMX:3\r\nHOST:192.168.1.255:|\r\nDSCADDR:192.168.1.32\r\nSERVICE:PCAUTOSAVE/1.0\r\n"
        );
        assert_eq!(
            register(pc, REGISTER_PORT, &body),
            "REGISTER * HTTP/1.1\r\nHOST:192.168.1.2:51542\r\nDSCNAME:FUJIFILM-X-H1-CA2A\r\nDSCMODEL:X-H1\r\n"
        );
        assert_eq!(
            import("guest", pc, IMPORT_PORT, &body),
            "IMPORT /guest HTTP/1.1\r\nHOST:192.168.1.2:51541\r\nDSCNAME:FUJIFILM-X-H1-CA2A\r\nDSCPORT:$\r\n"
        );
        let n = notify(camera, NOTIFY_PORT, "desktop");
        assert_eq!(
            n,
            "NOTIFY * HTTP/1.1\r\nHOST: 192.168.1.32:51540\r\nIMPORTER: desktop\r\n"
        );
        assert_eq!(request_line(&n), Some(("NOTIFY", "*")));
        assert_eq!(header(&n, "importer"), Some("desktop"));
        assert_eq!(header(&registered("guest"), "FOLDER"), Some("guest"));
        assert!(has_line(&n, "IMPORTER"));
        assert!(!has_line("NOTIFY * HTTP/1.1\r\nIMPORTER: desk", "IMPORTER"));
    }
}
