//! Recorded sessions: what a vcam camera exchanged with its client, written as pcapng
//! (draft-ietf-opsawg-pcapng) that Wireshark and tshark open and decode, to attach to a bug
//! report.
//!
//! - TCP transports (PTP/IP, Fujifilm WiFi): [`TcpRecorder`] synthesizes the IP packets of
//!   each connection ([`tcp::TcpFlow`]: handshake, segments with real sequence numbers and
//!   checksums, FIN both ways) from the bytes the server read and wrote, with the socket's real
//!   addresses, as link type `LINKTYPE_RAW`. Each chunk handed in starts a segment of its own
//!   (a transport hands in one packet at a time: Wireshark's `ptpip` dissector, on TCP port
//!   15740 or any other with `-d tcp.port==PORT,ptpip`, reads a packet at the start of a
//!   segment), and `tshark -z follow,tcp` gives each connection's bytes back.
//! - USB: [`UsbRecorder`] writes every transfer as the Linux usbmon records a capture on
//!   `usbmonN` would hold ([`usb`]), link type `LINKTYPE_USB_LINUX_MMAPPED`. Wireshark's USB
//!   dissector decodes the URBs (`usb.transfer_type`, `usb.endpoint_address`, `usb.capdata`)
//!   and the control requests; it has no PTP-over-USB dissector, so the PTP containers show as
//!   the bulk transfers' data.
//!
//! The writer is any [`std::io::Write`]; each pcapng block is written whole and flushed as it
//! is made ([`pcapng::PcapngWriter`]), so a recording cut off at any moment stays readable up
//! to the last whole packet. A write error ends the recording (the call that met it returns
//! the error, later calls do nothing); the session itself goes on.
//!
//! ```
//! use std::time::SystemTime;
//! use vcam_record::TcpRecorder;
//!
//! let file = Vec::new(); // a std::fs::File in practice
//! let recorder = TcpRecorder::new(file)?;
//! let mut conn = recorder.connection(
//!     SystemTime::now(),
//!     "127.0.0.1:15740".parse().unwrap(), // the server's end
//!     "127.0.0.1:40000".parse().unwrap(), // the client, who connected
//! )?;
//! conn.received(SystemTime::now(), b"bytes from the client")?;
//! conn.sent(SystemTime::now(), b"bytes to the client")?;
//! conn.close(SystemTime::now())?; // or drop it
//! # Ok::<(), std::io::Error>(())
//! ```
#![forbid(unsafe_code)]

pub mod pcapng;
pub mod tcp;
pub mod usb;

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use crate::pcapng::{LinkType, PcapngWriter};
use crate::tcp::{Side, TcpFlow};
pub use crate::usb::{DeviceAddress, Transfer, TransferKind, TransferStatus, TransferTap};

/// Snap length of TCP recordings: an IP packet is at most 65,535 bytes.
const TCP_SNAP_LEN: u32 = 65_535;

/// The file of one recording, shared by everything that records into it.
#[derive(Clone)]
struct Shared(Arc<Mutex<State>>);

struct State {
    /// `None` once a write failed: the recording is over.
    writer: Option<PcapngWriter<Box<dyn Write + Send>>>,
    /// Counter for initial sequence numbers and URB ids.
    counter: u64,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("Recording")
            .field("failed", &state.writer.is_none())
            .field("counter", &state.counter)
            .finish()
    }
}

impl Shared {
    fn new(out: Box<dyn Write + Send>, link_type: LinkType, snap_len: u32) -> io::Result<Self> {
        let writer = PcapngWriter::new(out, link_type, snap_len)?;
        Ok(Self(Arc::new(Mutex::new(State {
            writer: Some(writer),
            counter: 0,
        }))))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn next(&self) -> u64 {
        let mut state = self.lock();
        state.counter = state.counter.wrapping_add(1);
        state.counter
    }

    /// Writes `packets`, all seen at `now`, in order.
    fn write<P: AsRef<[u8]>>(&self, now: SystemTime, packets: &[P]) -> io::Result<()> {
        let mut state = self.lock();
        let Some(writer) = &mut state.writer else {
            return Ok(());
        };
        for packet in packets {
            if let Err(e) = writer.write_packet(now, packet.as_ref()) {
                state.writer = None;
                return Err(e);
            }
        }
        Ok(())
    }
}

/// A recording of TCP connections (one pcapng file, `LINKTYPE_RAW`). Cloning gives another
/// handle on the same file.
#[derive(Debug, Clone)]
pub struct TcpRecorder {
    shared: Shared,
}

impl TcpRecorder {
    /// Starts a recording in a new file at `path` (replacing any).
    ///
    /// # Errors
    /// When the file cannot be created or written.
    pub fn create(path: &Path) -> io::Result<Self> {
        Self::new(std::fs::File::create(path)?)
    }

    /// Starts a recording on `out` (its headers are written at once).
    ///
    /// # Errors
    /// When writing the headers fails.
    pub fn new<W: Write + Send + 'static>(out: W) -> io::Result<Self> {
        Ok(Self {
            shared: Shared::new(Box::new(out), LinkType::RAW, TCP_SNAP_LEN)?,
        })
    }

    /// Records a connection that `peer` opened to `local` (an accepted socket's two ends):
    /// writes its handshake and returns the connection to record into.
    ///
    /// # Errors
    /// When writing fails.
    pub fn connection(
        &self,
        now: SystemTime,
        local: SocketAddr,
        peer: SocketAddr,
    ) -> io::Result<TcpConnection> {
        let n = self.shared.next();
        // Initial sequence numbers of each connection apart from the others'.
        let isn = (n as u32).wrapping_mul(0x1000_0000) ^ 0x0BAD_CAFE;
        let mut flow = TcpFlow::new(peer, local, isn, isn.rotate_left(16));
        let open = flow.open();
        self.shared.write(now, &open)?;
        Ok(TcpConnection {
            shared: self.shared.clone(),
            flow,
        })
    }
}

/// One recorded TCP connection. Dropping it records its close.
#[derive(Debug)]
pub struct TcpConnection {
    shared: Shared,
    flow: TcpFlow,
}

impl TcpConnection {
    /// Bytes read from the peer.
    ///
    /// # Errors
    /// When writing fails.
    pub fn received(&mut self, now: SystemTime, bytes: &[u8]) -> io::Result<()> {
        let packets = self.flow.data(Side::Client, bytes);
        self.shared.write(now, &packets)
    }

    /// Bytes written to the peer.
    ///
    /// # Errors
    /// When writing fails.
    pub fn sent(&mut self, now: SystemTime, bytes: &[u8]) -> io::Result<()> {
        let packets = self.flow.data(Side::Server, bytes);
        self.shared.write(now, &packets)
    }

    /// Records the close (the server's FIN first); nothing more is recorded afterwards.
    ///
    /// # Errors
    /// When writing fails.
    pub fn close(&mut self, now: SystemTime) -> io::Result<()> {
        let packets = self.flow.close(Side::Server);
        self.shared.write(now, &packets)
    }
}

impl Drop for TcpConnection {
    fn drop(&mut self) {
        if !self.flow.is_closed() {
            let _ = self.close(SystemTime::now());
        }
    }
}

/// The recording of one connection when there may be none, for transports to hold beside
/// their socket: without a recorder each call is one `Option` check; a write error is logged
/// (`tracing`) once and ends the recording, never the connection. Times are the clock's at
/// each call.
#[derive(Debug, Default)]
pub struct ConnectionTap(Option<TcpConnection>);

impl ConnectionTap {
    /// Starts recording the connection that `peer` opened to `local`, when there is a
    /// `recorder` (a `local` address that could not be read records nothing).
    pub fn open(
        recorder: Option<&TcpRecorder>,
        local: io::Result<SocketAddr>,
        peer: SocketAddr,
    ) -> Self {
        let Some(recorder) = recorder else {
            return Self(None);
        };
        let local = match local {
            Ok(local) => local,
            Err(e) => {
                tracing::warn!(%e, %peer, "not recording the connection: no local address");
                return Self(None);
            }
        };
        let mut tap = Self(None);
        let opened = recorder.connection(SystemTime::now(), local, peer);
        if let Some(conn) = tap.check(opened) {
            tap.0 = Some(conn);
        }
        tap
    }

    /// Whether the connection is being recorded.
    #[must_use]
    pub const fn is_recording(&self) -> bool {
        self.0.is_some()
    }

    /// Bytes read from the peer.
    pub fn received(&mut self, bytes: &[u8]) {
        if let Some(conn) = &mut self.0 {
            let result = conn.received(SystemTime::now(), bytes);
            self.check(result);
        }
    }

    /// Bytes written to the peer.
    pub fn sent(&mut self, bytes: &[u8]) {
        if let Some(conn) = &mut self.0 {
            let result = conn.sent(SystemTime::now(), bytes);
            self.check(result);
        }
    }

    /// Bytes written to the peer in two parts (a packet's head and its payload, which may be
    /// empty), recorded as one chunk.
    pub fn sent_parts(&mut self, head: &[u8], payload: &[u8]) {
        if payload.is_empty() {
            return self.sent(head);
        }
        if self.0.is_some() {
            self.sent(&[head, payload].concat());
        }
    }

    fn check<T>(&mut self, result: io::Result<T>) -> Option<T> {
        match result {
            Ok(x) => Some(x),
            Err(e) => {
                tracing::warn!(%e, "recording failed; not recording any more");
                self.0 = None;
                None
            }
        }
    }
}

/// A recording of USB transfers (one pcapng file, `LINKTYPE_USB_LINUX_MMAPPED`), for one
/// device or several. Cloning gives another handle on the same file.
#[derive(Debug, Clone)]
pub struct UsbRecorder {
    shared: Shared,
}

impl UsbRecorder {
    /// Starts a recording in a new file at `path` (replacing any).
    ///
    /// # Errors
    /// When the file cannot be created or written.
    pub fn create(path: &Path) -> io::Result<Self> {
        Self::new(std::fs::File::create(path)?)
    }

    /// Starts a recording on `out` (its headers are written at once).
    ///
    /// # Errors
    /// When writing the headers fails.
    pub fn new<W: Write + Send + 'static>(out: W) -> io::Result<Self> {
        Ok(Self {
            shared: Shared::new(Box::new(out), LinkType::USB_LINUX_MMAPPED, 0)?,
        })
    }

    /// The tap of the device at `address`.
    #[must_use]
    pub fn device(&self, address: DeviceAddress) -> UsbDeviceRecorder {
        UsbDeviceRecorder {
            shared: self.shared.clone(),
            address,
        }
    }
}

/// Records the transfers of one device into a [`UsbRecorder`]'s file.
#[derive(Debug, Clone)]
pub struct UsbDeviceRecorder {
    shared: Shared,
    address: DeviceAddress,
}

impl TransferTap for UsbDeviceRecorder {
    fn transfer(&mut self, now: SystemTime, transfer: &Transfer<'_>) -> io::Result<()> {
        let id = self.shared.next();
        let records = usb::usbmon_records(id, self.address, now, transfer);
        self.shared.write(now, &records)
    }
}

/// The recorders of the cameras `ids` for `--record path` ([`recording_paths`]), each file
/// created anew; `None` for each without `path`.
///
/// # Errors
/// A file that cannot be created or written, named in the error.
pub fn tcp_recorders(
    path: Option<&Path>,
    ids: &[&str],
    per_camera: bool,
) -> io::Result<Vec<Option<TcpRecorder>>> {
    recording_paths(path, ids, per_camera)
        .into_iter()
        .map(|path| {
            let Some(path) = path else {
                return Ok(None);
            };
            let recorder = TcpRecorder::create(&path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            tracing::info!(path = %path.display(), "recording the sessions");
            Ok(Some(recorder))
        })
        .collect()
}

/// Where each of the cameras `ids` records for `--record path`: `path` itself for one camera
/// unless `per_camera` (a `--models` list), else [`per_camera_paths`]; nothing without `path`.
#[must_use]
pub fn recording_paths(
    path: Option<&Path>,
    ids: &[&str],
    per_camera: bool,
) -> Vec<Option<PathBuf>> {
    match path {
        None => vec![None; ids.len()],
        Some(path) if per_camera || ids.len() > 1 => {
            per_camera_paths(path, ids).into_iter().map(Some).collect()
        }
        Some(path) => vec![Some(path.to_path_buf()); ids.len()],
    }
}

/// The files of cameras `ids` when one recording `path` is asked for several cameras: `-ID`
/// before the extension (`session.pcapng` and `canon_6d` give `session-canon_6d.pcapng`); a
/// model listed more than once gets its position too (`session-fuji_xh1-2.pcapng` for the
/// second camera of the list).
#[must_use]
pub fn per_camera_paths(path: &Path, ids: &[&str]) -> Vec<PathBuf> {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            let repeated = ids.iter().filter(|other| *other == id).count() > 1;
            let id = if repeated {
                format!("{id}-{}", i + 1)
            } else {
                (*id).to_string()
            };
            let name = match path.extension() {
                Some(ext) => format!("{stem}-{id}.{}", ext.to_string_lossy()),
                None => format!("{stem}-{id}"),
            };
            path.with_file_name(name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn one_file_per_camera() {
        assert_eq!(
            per_camera_paths(Path::new("/tmp/s.pcapng"), &["canon_6d", "generic"]),
            [
                Path::new("/tmp/s-canon_6d.pcapng"),
                Path::new("/tmp/s-generic.pcapng")
            ]
        );
        assert_eq!(
            per_camera_paths(Path::new("rec"), &["x"]),
            [Path::new("rec-x")]
        );
        assert_eq!(
            recording_paths(Some(Path::new("r")), &["x"], false),
            [Some(PathBuf::from("r"))]
        );
        assert_eq!(
            recording_paths(Some(Path::new("r")), &["x"], true),
            [Some(PathBuf::from("r-x"))]
        );
        assert_eq!(recording_paths(None, &["x", "y"], true), [None, None]);
        assert_eq!(
            per_camera_paths(Path::new("r.pcapng"), &["f", "g", "f"]),
            [
                Path::new("r-f-1.pcapng"),
                Path::new("r-g.pcapng"),
                Path::new("r-f-3.pcapng")
            ]
        );
    }

    /// A writer that fails after `left` bytes.
    struct Failing {
        left: usize,
    }
    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.left == 0 {
                return Err(io::Error::other("disk full"));
            }
            let n = buf.len().min(self.left);
            self.left -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_write_error_ends_the_recording_once() {
        let rec = TcpRecorder::new(Failing { left: 200 }).unwrap();
        let now = SystemTime::now();
        let err = rec
            .connection(
                now,
                "127.0.0.1:1".parse().unwrap(),
                "127.0.0.1:2".parse().unwrap(),
            )
            .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        let mut again = rec
            .connection(
                now,
                "127.0.0.1:1".parse().unwrap(),
                "127.0.0.1:2".parse().unwrap(),
            )
            .unwrap();
        again.sent(now, b"nothing is written").unwrap();
    }

    #[test]
    fn usb_ids_are_unique_per_file() {
        let rec = UsbRecorder::new(Vec::new()).unwrap();
        let mut a = rec.device(DeviceAddress { bus: 1, device: 1 });
        let mut b = rec.device(DeviceAddress { bus: 1, device: 2 });
        let t = Transfer {
            kind: TransferKind::Bulk,
            endpoint: 0x81,
            requested: 4,
            data: b"abcd",
            status: TransferStatus::Completed,
        };
        a.transfer(SystemTime::now(), &t).unwrap();
        b.transfer(SystemTime::now(), &t).unwrap();
        assert_eq!(rec.shared.next(), 3);
    }
}
