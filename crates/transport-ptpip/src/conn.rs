//! One TCP connection: its socket, receive buffer and packet decoder, and what goes out.

use std::io;
use std::net::SocketAddr;

use bytes::{Buf, BytesMut};
use ptp_codec::ptpip::Packet;
use ptp_codec::stream::{Decoded, PtpIp, StreamDecoder};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

use crate::outbox::Outbox;
use crate::{ConnectionError, MAX_FRAME_LEN};

/// The recording of one connection ([`crate::PtpIpServer::with_recorder`]): every chunk read
/// from the peer and every packet written to it.
pub(crate) use vcam_record::ConnectionTap as Tap;

/// A connection's socket with its receive buffer, decoder and outbox.
pub(crate) struct Conn {
    pub(crate) stream: TcpStream,
    pub(crate) buf: BytesMut,
    pub(crate) decoder: StreamDecoder<PtpIp>,
    pub(crate) peer: SocketAddr,
    pub(crate) outbox: Outbox,
    pub(crate) tap: Tap,
}

impl Conn {
    pub(crate) fn new(stream: TcpStream, peer: SocketAddr, tap: Tap) -> Self {
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(%e, "TCP_NODELAY");
        }
        Self {
            stream,
            buf: BytesMut::with_capacity(64 * 1024),
            decoder: StreamDecoder::new(MAX_FRAME_LEN),
            peer,
            outbox: Outbox::default(),
            tap,
        }
    }

    /// Reads more bytes; returns false at end of stream. Cancel-safe: a read cut short by
    /// another branch of a `select!` loses nothing.
    pub(crate) async fn fill(&mut self) -> io::Result<bool> {
        if self.buf.capacity() - self.buf.len() < 16 * 1024 {
            self.buf.reserve(64 * 1024);
        }
        let before = self.buf.len();
        let n = self.stream.read_buf(&mut self.buf).await?;
        quickack(&self.stream);
        self.tap
            .received(self.buf.get(before..).unwrap_or_default());
        Ok(n > 0)
    }

    /// Reads one whole packet (used before the session starts, when nothing is streamed).
    pub(crate) async fn read_packet(&mut self) -> Result<Option<Vec<u8>>, ConnectionError> {
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

    /// Sends one packet now (with whatever the outbox held before it).
    pub(crate) async fn send(&mut self, packet: &Packet<'_>) -> Result<(), ConnectionError> {
        self.outbox.packet(packet)?;
        self.write().await
    }

    /// Writes what the outbox holds.
    pub(crate) async fn write(&mut self) -> Result<(), ConnectionError> {
        self.outbox.write_to(&mut self.stream, &mut self.tap).await
    }
}

/// Sets TCP_QUICKACK again (Linux clears it after each acknowledgement).
#[cfg(target_os = "linux")]
pub(crate) fn quickack<S: std::os::fd::AsFd>(stream: &S) {
    let sock = socket2::SockRef::from(stream);
    if let Err(e) = sock.set_tcp_quickack(true) {
        tracing::trace!(%e, "TCP_QUICKACK");
    }
}

/// TCP_QUICKACK exists on Linux only.
#[cfg(not(target_os = "linux"))]
pub(crate) fn quickack<S>(_stream: &S) {}
