//! PTP/IP (CIPA DC-005-2005 §2.3): a command connection and an event connection over TCP.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::ops::Range;
use std::time::Duration;

use ptp_codec::Params;
use ptp_codec::ptpip::{self, DataPhase, Guid, Identity, PROTOCOL_VERSION_1_0, Packet, PacketType};
use ptp_codec::stream::{Decoded, PtpIp, StreamDecoder};
use ptp_types::OperationCode;

use crate::transport::{Incoming, Transport};
use crate::{Error, Event};

/// Packets other than Data and End Data are held whole up to this size; Data packets larger
/// than this are streamed in pieces as they arrive. The receive buffer is twice this.
const MAX_FRAME: usize = 1024 * 1024;
/// Payload size of the Data packets this client sends.
const SEND_CHUNK: usize = 256 * 1024;
/// How long to wait for a TCP connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for a responder's bytes on the command connection.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io { context, source }
}

/// What [`Conn::next`] found; its bytes are `conn.buf[range]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A whole packet.
    Packet,
    /// The 12-byte head of a streamed Data or End Data packet.
    Head,
    /// A piece of a streamed packet's payload.
    Body,
}

/// One TCP connection and its incremental PTP/IP decoder.
#[derive(Debug)]
struct Conn {
    stream: TcpStream,
    decoder: StreamDecoder<PtpIp>,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl Conn {
    fn open(addr: SocketAddr) -> Result<Self, Error> {
        let stream =
            TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).map_err(io("connecting"))?;
        stream
            .set_read_timeout(Some(READ_TIMEOUT))
            .map_err(io("setting a read timeout"))?;
        stream
            .set_nodelay(true)
            .map_err(io("setting TCP_NODELAY"))?;
        Ok(Self {
            stream,
            decoder: StreamDecoder::new(MAX_FRAME),
            buf: vec![0; 2 * MAX_FRAME],
            start: 0,
            end: 0,
        })
    }

    fn send(&mut self, packet: &Packet<'_>) -> Result<(), Error> {
        let mut out = vec![0u8; packet.buffer_len()];
        let n = packet
            .emit(&mut out)
            .map_err(|e| Error::Protocol(format!("cannot encode {packet:?}: {e}")))?;
        self.stream
            .write_all(out.get(..n).unwrap_or_default())
            .map_err(io("sending"))
    }

    /// The next packet, streamed head or body piece, reading as needed. The bytes stay in
    /// `self.buf` until the next call.
    fn next(&mut self) -> Result<(Kind, Range<usize>), Error> {
        loop {
            let pending = self.buf.get(self.start..self.end).unwrap_or_default();
            let found = match self.decoder.decode(pending)? {
                Decoded::Frame(f) => Some((Kind::Packet, f.len())),
                Decoded::Head { head, .. } => Some((Kind::Head, head.len())),
                Decoded::Body(b) => Some((Kind::Body, b.len())),
                Decoded::NeedMore(_) => None,
            };
            if let Some((kind, len)) = found {
                let range = self.start..self.start + len;
                self.start += len;
                return Ok((kind, range));
            }
            if self.start == self.end {
                self.start = 0;
                self.end = 0;
            } else if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            let room = self.buf.get_mut(self.end..).unwrap_or_default();
            if room.is_empty() {
                return Err(Error::Protocol(
                    "a packet larger than the receive buffer".into(),
                ));
            }
            let n = self.stream.read(room).map_err(io("receiving"))?;
            if n == 0 {
                return Err(Error::Io {
                    context: "receiving",
                    source: std::io::ErrorKind::UnexpectedEof.into(),
                });
            }
            self.end += n;
        }
    }

    fn bytes(&self, range: Range<usize>) -> &[u8] {
        self.buf.get(range).unwrap_or_default()
    }

    /// The next whole packet, for the handshake.
    fn next_packet(&mut self, expected: &'static str) -> Result<Packet<'_>, Error> {
        match self.next()? {
            (Kind::Packet, range) => Ok(Packet::parse(self.bytes(range))?),
            (kind, _) => Err(Error::Protocol(format!(
                "expected {expected}, got a streamed data packet ({kind:?})"
            ))),
        }
    }
}

/// The PTP/IP transport: a command connection and an event connection to one responder
/// (CIPA DC-005 §2.3), opened with the Init Command and Init Event handshakes.
#[derive(Debug)]
pub struct PtpIpTransport {
    command: Conn,
    event: Conn,
    responder: Identity,
    connection_number: u32,
}

impl PtpIpTransport {
    /// Opens the command connection (Init Command Request/Ack, CIPA DC-005 §2.3.1–2.3.2),
    /// then the event connection (Init Event Request/Ack, §2.3.3–2.3.4) with the connection
    /// number the responder assigned. Connecting waits up to 10 s, each read up to 30 s.
    ///
    /// # Errors
    /// [`Error::InitFail`] when the responder refuses (§2.3.5), socket errors, or a
    /// malformed handshake.
    pub fn connect(
        addr: impl ToSocketAddrs,
        guid: [u8; 16],
        friendly_name: &str,
    ) -> Result<Self, Error> {
        let addr = addr
            .to_socket_addrs()
            .map_err(io("resolving the address"))?
            .next()
            .ok_or_else(|| Error::Protocol("the address resolved to nothing".into()))?;
        let mut command = Conn::open(addr)?;
        command.send(&Packet::InitCommandRequest(Identity {
            guid: Guid(guid),
            friendly_name: friendly_name.into(),
            protocol_version: PROTOCOL_VERSION_1_0,
        }))?;
        let (connection_number, responder) = match command.next_packet("Init Command Ack")? {
            Packet::InitCommandAck {
                connection_number,
                identity,
            } => (connection_number, identity),
            Packet::InitFail { reason } => return Err(Error::InitFail(reason.0)),
            other => {
                return Err(Error::Protocol(format!(
                    "expected Init Command Ack, got {other:?}"
                )));
            }
        };
        let mut event = Conn::open(addr)?;
        event.send(&Packet::InitEventRequest { connection_number })?;
        match event.next_packet("Init Event Ack")? {
            Packet::InitEventAck => {}
            Packet::InitFail { reason } => return Err(Error::InitFail(reason.0)),
            other => {
                return Err(Error::Protocol(format!(
                    "expected Init Event Ack, got {other:?}"
                )));
            }
        }
        Ok(Self {
            command,
            event,
            responder,
            connection_number,
        })
    }

    /// The responder's GUID, friendly name and protocol version from Init Command Ack.
    #[must_use]
    pub const fn responder(&self) -> &Identity {
        &self.responder
    }

    /// The connection number the responder assigned (CIPA DC-005 §2.3.2).
    #[must_use]
    pub const fn connection_number(&self) -> u32 {
        self.connection_number
    }
}

impl Transport for PtpIpTransport {
    fn send_request(
        &mut self,
        code: OperationCode,
        transaction_id: u32,
        params: &[u32],
        data_out: bool,
    ) -> Result<(), Error> {
        let params = Params::new(params)
            .map_err(|e| Error::Protocol(format!("operation parameters: {e}")))?;
        self.command.send(&Packet::OperationRequest {
            data_phase: if data_out {
                DataPhase::DATA_OUT
            } else {
                DataPhase::NO_DATA_OR_DATA_IN
            },
            code,
            transaction_id,
            params,
        })
    }

    /// Start Data, then Data packets of 256 KiB and a final End Data; the payload is written
    /// straight from `data`, never copied into a packet buffer.
    fn send_data(
        &mut self,
        _code: OperationCode,
        transaction_id: u32,
        data: &[u8],
    ) -> Result<(), Error> {
        self.command.send(&Packet::StartData {
            transaction_id,
            total_length: data.len() as u64,
        })?;
        let mut chunks = data.chunks(SEND_CHUNK).peekable();
        if chunks.peek().is_none() {
            return self.command.send(&Packet::EndData {
                transaction_id,
                payload: &[],
            });
        }
        while let Some(chunk) = chunks.next() {
            let kind = if chunks.peek().is_some() {
                PacketType::DATA
            } else {
                PacketType::END_DATA
            };
            let mut head = [0u8; ptpip::DATA_HEADER_LEN];
            ptpip::emit_data_header(&mut head, kind, transaction_id, chunk.len())
                .map_err(|e| Error::Protocol(format!("data packet header: {e}")))?;
            let stream = &mut self.command.stream;
            stream
                .write_all(&head)
                .and_then(|()| stream.write_all(chunk))
                .map_err(io("sending data"))?;
        }
        Ok(())
    }

    fn recv(&mut self) -> Result<Incoming<'_>, Error> {
        loop {
            let (kind, range) = self.command.next()?;
            match kind {
                // The head of a streamed Data/End Data packet: its payload follows.
                Kind::Head => continue,
                Kind::Body => return Ok(Incoming::Data(self.command.bytes(range))),
                Kind::Packet => {
                    return match Packet::parse(self.command.bytes(range))? {
                        Packet::StartData { total_length, .. } => {
                            Ok(Incoming::DataStart(Some(total_length)))
                        }
                        Packet::Data { payload, .. } | Packet::EndData { payload, .. } => {
                            Ok(Incoming::Data(payload))
                        }
                        Packet::OperationResponse {
                            code,
                            transaction_id,
                            params,
                        } => Ok(Incoming::Response {
                            code,
                            transaction_id,
                            params,
                        }),
                        other => Err(Error::Protocol(format!(
                            "unexpected {other:?} on the command connection"
                        ))),
                    };
                }
            }
        }
    }

    /// Answers a Probe Request (CIPA DC-005 §2.3.13) met on the way with a Probe Response.
    fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, Error> {
        self.event
            .stream
            .set_read_timeout(Some(timeout.max(Duration::from_millis(1))))
            .map_err(io("setting a read timeout"))?;
        loop {
            let (kind, range) = match self.event.next() {
                Ok(found) => found,
                Err(Error::Io { source, .. })
                    if matches!(
                        source.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(None);
                }
                Err(e) => return Err(e),
            };
            if kind != Kind::Packet {
                return Err(Error::Protocol(
                    "a data packet on the event connection".into(),
                ));
            }
            match Packet::parse(self.event.bytes(range))? {
                Packet::Event {
                    code,
                    transaction_id,
                    params,
                } => {
                    return Ok(Some(Event {
                        code,
                        transaction_id,
                        params: params.as_slice().to_vec(),
                    }));
                }
                Packet::ProbeRequest => self.event.send(&Packet::ProbeResponse)?,
                other => {
                    return Err(Error::Protocol(format!(
                        "unexpected {other:?} on the event connection"
                    )));
                }
            }
        }
    }
}
