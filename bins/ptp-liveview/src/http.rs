//! The live view as `multipart/x-mixed-replace` over HTTP (the Motion JPEG stream browsers
//! show in an `<img>` or on their own): every path answers with the stream, each part one
//! JPEG.
//!
//! Each viewer gets the newest frame whenever it is ready for one. A viewer slower than the
//! camera misses frames; those are counted ([`Http::skipped`]) and reported, never dropped
//! silently.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

/// The multipart boundary.
const BOUNDARY: &str = "vcamframe";
/// Most viewers served at once.
const MAX_VIEWERS: usize = 16;
/// Largest request header read.
const MAX_REQUEST: usize = 16 * 1024;

#[derive(Debug, Default)]
struct Latest {
    /// Frames published so far.
    seq: u64,
    jpeg: Arc<Vec<u8>>,
    closed: bool,
}

#[derive(Debug, Default)]
struct Shared {
    latest: Mutex<Latest>,
    changed: Condvar,
    viewers: AtomicUsize,
    skipped: AtomicU64,
    served: AtomicU64,
}

/// The HTTP server: an acceptor thread and one thread per viewer.
#[derive(Debug)]
pub(crate) struct Http {
    shared: Arc<Shared>,
    addr: SocketAddr,
}

impl Http {
    /// Listens on `addr` (port 0: any free port) and serves viewers in the background.
    pub(crate) fn start(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let accept = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("http-accept".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    if accept.viewers.load(Ordering::Relaxed) >= MAX_VIEWERS {
                        let _ = refuse(stream);
                        continue;
                    }
                    let viewer = Arc::clone(&accept);
                    let _ = std::thread::Builder::new()
                        .name("http-viewer".into())
                        .spawn(move || serve(stream, &viewer));
                }
            })?;
        Ok(Self { shared, addr })
    }

    /// The address served.
    pub(crate) const fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Makes `jpeg` the newest frame.
    pub(crate) fn publish(&self, jpeg: &[u8]) {
        let mut latest = self
            .shared
            .latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        latest.seq += 1;
        latest.jpeg = Arc::new(jpeg.to_vec());
        drop(latest);
        self.shared.changed.notify_all();
    }

    /// Ends every stream after its current frame.
    pub(crate) fn close(&self) {
        self.shared
            .latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .closed = true;
        self.shared.changed.notify_all();
    }

    /// Viewers connected now.
    pub(crate) fn viewers(&self) -> usize {
        self.shared.viewers.load(Ordering::Relaxed)
    }

    /// Frames viewers missed because they were slower than the camera.
    pub(crate) fn skipped(&self) -> u64 {
        self.shared.skipped.load(Ordering::Relaxed)
    }

    /// Frames sent to viewers.
    pub(crate) fn served(&self) -> u64 {
        self.shared.served.load(Ordering::Relaxed)
    }
}

fn refuse(mut stream: TcpStream) -> std::io::Result<()> {
    stream.write_all(b"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
}

/// Reads the request header (up to the empty line), bounded in size and time.
fn read_request(stream: &TcpStream) -> std::io::Result<String> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            return Ok(head);
        }
        head.push_str(&line);
        if head.len() > MAX_REQUEST {
            return Err(std::io::Error::other("request header too long"));
        }
    }
}

fn serve(mut stream: TcpStream, shared: &Shared) {
    shared.viewers.fetch_add(1, Ordering::Relaxed);
    let peer = stream.peer_addr().ok();
    let request = read_request(&stream);
    tracing::info!(?peer, request = ?request.as_ref().ok().and_then(|r| r.lines().next().map(str::to_string)), "viewer connected");
    if request.is_ok() {
        let _ = stream_frames(&mut stream, shared);
    }
    shared.viewers.fetch_sub(1, Ordering::Relaxed);
    tracing::info!(?peer, "viewer gone");
}

fn stream_frames(stream: &mut TcpStream, shared: &Shared) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    write!(
        stream,
        "HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary={BOUNDARY}\r\n\
         Cache-Control: no-cache, no-store\r\nPragma: no-cache\r\nConnection: close\r\n\r\n"
    )?;
    let mut sent = 0u64;
    loop {
        let (seq, jpeg) = {
            let mut latest = shared.latest.lock().unwrap_or_else(PoisonError::into_inner);
            while latest.seq == sent && !latest.closed {
                latest = shared
                    .changed
                    .wait(latest)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if latest.seq == sent {
                break;
            }
            (latest.seq, Arc::clone(&latest.jpeg))
        };
        if sent > 0 && seq > sent + 1 {
            shared.skipped.fetch_add(seq - sent - 1, Ordering::Relaxed);
        }
        sent = seq;
        write!(
            stream,
            "--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
            jpeg.len()
        )?;
        stream.write_all(&jpeg)?;
        stream.write_all(b"\r\n")?;
        shared.served.fetch_add(1, Ordering::Relaxed);
    }
    write!(stream, "--{BOUNDARY}--\r\n")?;
    stream.flush()
}
