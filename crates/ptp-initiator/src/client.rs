//! PTP/IP transport and the transaction layer.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use ptp_codec::ptpip::{self, DataPhase, Guid, Identity, PROTOCOL_VERSION_1_0, Packet, PacketType};
use ptp_codec::stream::{Decoded, PtpIp, StreamDecoder};
use ptp_codec::{Decode, Params};
use ptp_types::{
    DeviceInfo, DevicePropCode, DevicePropDesc, EventCode, ObjectHandle, ObjectInfo, OperationCode,
    PropValue, ResponseCode, StorageId, StorageInfo, decode_value_exact, ptp_codec::Encode,
};

use crate::Error;

/// Frames other than Data are held whole up to this size.
const MAX_FRAME: usize = 1024 * 1024;
/// Size of the Data packets this client sends.
const SEND_CHUNK: usize = 256 * 1024;

/// The response phase of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Response code.
    pub code: ResponseCode,
    /// Response parameters.
    pub params: Vec<u32>,
    /// The data phase received (empty when none, or when it was streamed to a writer).
    pub data: Vec<u8>,
}

/// An event from the event connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Event code.
    pub code: EventCode,
    /// TransactionID it refers to.
    pub transaction_id: u32,
    /// Parameters.
    pub params: Vec<u32>,
}

/// A connection that reads PTP/IP frames.
#[derive(Debug)]
struct Conn {
    stream: TcpStream,
    decoder: StreamDecoder<PtpIp>,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

/// What a read produced, owned.
#[derive(Debug)]
enum Item {
    Packet(Vec<u8>),
    /// Head of a streamed Data/End Data packet (its 12-byte header; the payload follows as
    /// body pieces).
    Head(Vec<u8>),
    Body(Vec<u8>),
}

impl Conn {
    fn new(stream: TcpStream) -> Self {
        let _ = stream.set_nodelay(true);
        Self {
            stream,
            decoder: StreamDecoder::new(MAX_FRAME),
            buf: vec![0; 2 * MAX_FRAME],
            start: 0,
            end: 0,
        }
    }

    fn send(&mut self, packet: &Packet<'_>) -> Result<(), Error> {
        let mut out = vec![0u8; packet.buffer_len()];
        let n = packet
            .emit(&mut out)
            .map_err(|e| Error::Protocol(format!("cannot encode a packet: {e}")))?;
        self.stream
            .write_all(&out[..n])
            .map_err(|source| Error::Io {
                context: "sending",
                source,
            })
    }

    /// Reads the next frame, head or body piece.
    fn next(&mut self) -> Result<Item, Error> {
        loop {
            let pending = &self.buf[self.start..self.end];
            let item = match self.decoder.decode(pending)? {
                Decoded::Frame(f) => Some(Item::Packet(f.to_vec())),
                Decoded::Head { head, .. } => Some(Item::Head(head.to_vec())),
                Decoded::Body(b) => Some(Item::Body(b.to_vec())),
                Decoded::NeedMore(_) => None,
            };
            if let Some(item) = item {
                let used = match &item {
                    Item::Packet(v) | Item::Head(v) | Item::Body(v) => v.len(),
                };
                self.start += used;
                return Ok(item);
            }
            // Make room and read more.
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.end == self.buf.len() {
                return Err(Error::Protocol(
                    "frame larger than the receive buffer".into(),
                ));
            }
            let n = self
                .stream
                .read(&mut self.buf[self.end..])
                .map_err(|source| Error::Io {
                    context: "receiving",
                    source,
                })?;
            if n == 0 {
                return Err(Error::Io {
                    context: "receiving",
                    source: std::io::ErrorKind::UnexpectedEof.into(),
                });
            }
            self.end += n;
        }
    }
}

/// A PTP/IP initiator connected to one responder.
#[derive(Debug)]
pub struct PtpIpClient {
    command: Conn,
    event: Conn,
    next_tid: u32,
    /// The responder's identity from Init Command Ack.
    pub responder: Identity,
}

impl PtpIpClient {
    /// Connects the command and event connections (CIPA DC-005 §2.3.1–2.3.4).
    ///
    /// # Errors
    /// Socket errors, Init Fail, or a malformed handshake.
    pub fn connect(
        addr: impl ToSocketAddrs,
        guid: [u8; 16],
        friendly_name: &str,
    ) -> Result<Self, Error> {
        let addr = addr
            .to_socket_addrs()
            .map_err(|source| Error::Io {
                context: "resolving",
                source,
            })?
            .next()
            .ok_or_else(|| Error::Protocol("no address".into()))?;
        let connect = || {
            let s =
                TcpStream::connect_timeout(&addr, Duration::from_secs(10)).map_err(|source| {
                    Error::Io {
                        context: "connecting",
                        source,
                    }
                })?;
            s.set_read_timeout(Some(Duration::from_secs(30)))
                .map_err(|source| Error::Io {
                    context: "configuring",
                    source,
                })?;
            Ok::<_, Error>(Conn::new(s))
        };
        let mut command = connect()?;
        command.send(&Packet::InitCommandRequest(Identity {
            guid: Guid(guid),
            friendly_name: friendly_name.into(),
            protocol_version: PROTOCOL_VERSION_1_0,
        }))?;
        let (connection_number, responder) = match command.next()? {
            Item::Packet(f) => match Packet::parse(&f)? {
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
            },
            other => {
                return Err(Error::Protocol(format!(
                    "expected Init Command Ack, got {other:?}"
                )));
            }
        };
        let mut event = connect()?;
        event.send(&Packet::InitEventRequest { connection_number })?;
        match event.next()? {
            Item::Packet(f) => match Packet::parse(&f)? {
                Packet::InitEventAck => {}
                Packet::InitFail { reason } => return Err(Error::InitFail(reason.0)),
                other => {
                    return Err(Error::Protocol(format!(
                        "expected Init Event Ack, got {other:?}"
                    )));
                }
            },
            other => {
                return Err(Error::Protocol(format!(
                    "expected Init Event Ack, got {other:?}"
                )));
            }
        }
        Ok(Self {
            command,
            event,
            next_tid: 1,
            responder,
        })
    }

    /// One transaction: the request, `data_out` as the initiator's data phase if given, and
    /// whatever data phase the responder sends, collected into [`Response::data`]. A response
    /// code other than OK is returned as is, not as an error.
    ///
    /// # Errors
    /// Socket errors or protocol violations.
    pub fn transaction(
        &mut self,
        op: OperationCode,
        params: &[u32],
        data_out: Option<&[u8]>,
    ) -> Result<Response, Error> {
        let mut data = Vec::new();
        let (mut response, _) = self.run(op, params, data_out, &mut data)?;
        response.data = data;
        Ok(response)
    }

    /// Like [`PtpIpClient::transaction`] for a responder-to-initiator data phase, streamed into
    /// `sink` without being held in memory. Returns the response and the bytes written.
    ///
    /// # Errors
    /// Socket or sink errors, protocol violations.
    pub fn get_into(
        &mut self,
        op: OperationCode,
        params: &[u32],
        sink: &mut impl Write,
    ) -> Result<(Response, u64), Error> {
        self.run(op, params, None, sink)
    }

    fn tid_for(&mut self, op: OperationCode) -> u32 {
        if op == OperationCode::OPEN_SESSION {
            self.next_tid = 1;
            return 0;
        }
        let tid = self.next_tid;
        self.next_tid = self.next_tid.wrapping_add(1).max(1);
        tid
    }

    fn run(
        &mut self,
        op: OperationCode,
        params: &[u32],
        data_out: Option<&[u8]>,
        sink: &mut impl Write,
    ) -> Result<(Response, u64), Error> {
        let tid = self.tid_for(op);
        let params =
            Params::new(params).map_err(|e| Error::Protocol(format!("parameters: {e}")))?;
        let data_phase = if data_out.is_some() {
            DataPhase::DATA_OUT
        } else {
            DataPhase::NO_DATA_OR_DATA_IN
        };
        self.command.send(&Packet::OperationRequest {
            data_phase,
            code: op,
            transaction_id: tid,
            params,
        })?;
        if let Some(data) = data_out {
            self.send_data(tid, data)?;
        }
        let mut received = 0u64;
        let write = |sink: &mut dyn Write, bytes: &[u8]| {
            sink.write_all(bytes).map_err(|source| Error::Io {
                context: "writing received data",
                source,
            })
        };
        loop {
            match self.command.next()? {
                Item::Packet(f) => match Packet::parse(&f)? {
                    Packet::StartData { .. } => {}
                    Packet::Data { payload, .. } | Packet::EndData { payload, .. } => {
                        write(sink, payload)?;
                        received += payload.len() as u64;
                    }
                    Packet::OperationResponse {
                        code,
                        transaction_id,
                        params,
                    } => {
                        if transaction_id != tid {
                            return Err(Error::Protocol(format!(
                                "response for transaction {transaction_id}, expected {tid}"
                            )));
                        }
                        return Ok((
                            Response {
                                code,
                                params: params.as_slice().to_vec(),
                                data: Vec::new(),
                            },
                            received,
                        ));
                    }
                    other => return Err(Error::Protocol(format!("unexpected {other:?}"))),
                },
                Item::Head(_) => {}
                Item::Body(b) => {
                    write(sink, &b)?;
                    received += b.len() as u64;
                }
            }
        }
    }

    fn send_data(&mut self, tid: u32, data: &[u8]) -> Result<(), Error> {
        self.command.send(&Packet::StartData {
            transaction_id: tid,
            total_length: data.len() as u64,
        })?;
        let mut chunks = data.chunks(SEND_CHUNK).peekable();
        if chunks.peek().is_none() {
            return self.command.send(&Packet::EndData {
                transaction_id: tid,
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
            ptpip::emit_data_header(&mut head, kind, tid, chunk.len())
                .map_err(|e| Error::Protocol(format!("data header: {e}")))?;
            self.command
                .stream
                .write_all(&head)
                .and_then(|()| self.command.stream.write_all(chunk))
                .map_err(|source| Error::Io {
                    context: "sending data",
                    source,
                })?;
        }
        Ok(())
    }

    /// The next event, waiting up to `timeout`; `None` when none came.
    ///
    /// # Errors
    /// Socket errors or a malformed event.
    pub fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, Error> {
        self.event
            .stream
            .set_read_timeout(Some(timeout.max(Duration::from_millis(1))))
            .map_err(|source| Error::Io {
                context: "configuring",
                source,
            })?;
        let item = match self.event.next() {
            Ok(item) => item,
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
        match item {
            Item::Packet(f) => match Packet::parse(&f)? {
                Packet::Event {
                    code,
                    transaction_id,
                    params,
                } => Ok(Some(Event {
                    code,
                    transaction_id,
                    params: params.as_slice().to_vec(),
                })),
                Packet::ProbeRequest => {
                    self.event.send(&Packet::ProbeResponse)?;
                    Ok(None)
                }
                other => Err(Error::Protocol(format!(
                    "unexpected {other:?} on the event connection"
                ))),
            },
            other => Err(Error::Protocol(format!(
                "unexpected {other:?} on the event connection"
            ))),
        }
    }

    fn ok(
        &mut self,
        op: OperationCode,
        name: &'static str,
        params: &[u32],
        data: Option<&[u8]>,
    ) -> Result<Response, Error> {
        let r = self.transaction(op, params, data)?;
        if r.code == ResponseCode::OK {
            Ok(r)
        } else {
            Err(Error::Response {
                operation: name,
                code: r.code,
            })
        }
    }

    /// GetDeviceInfo (ISO 15740:2013 §10.5.1).
    ///
    /// # Errors
    /// Transport errors, a non-OK response, or a malformed dataset.
    pub fn get_device_info(&mut self) -> Result<DeviceInfo, Error> {
        let r = self.ok(OperationCode::GET_DEVICE_INFO, "GetDeviceInfo", &[], None)?;
        Ok(DeviceInfo::decode_exact(&r.data)?)
    }

    /// OpenSession (§10.5.2).
    ///
    /// # Errors
    /// Transport errors or a non-OK response.
    pub fn open_session(&mut self, session_id: u32) -> Result<(), Error> {
        self.ok(
            OperationCode::OPEN_SESSION,
            "OpenSession",
            &[session_id],
            None,
        )
        .map(drop)
    }

    /// CloseSession (§10.5.3).
    ///
    /// # Errors
    /// Transport errors or a non-OK response.
    pub fn close_session(&mut self) -> Result<(), Error> {
        self.ok(OperationCode::CLOSE_SESSION, "CloseSession", &[], None)
            .map(drop)
    }

    /// GetStorageIDs (§10.5.4).
    ///
    /// # Errors
    /// Transport errors, a non-OK response, or a malformed dataset.
    pub fn get_storage_ids(&mut self) -> Result<Vec<StorageId>, Error> {
        let r = self.ok(OperationCode::GET_STORAGE_IDS, "GetStorageIDs", &[], None)?;
        Ok(Vec::<u32>::decode_exact(&r.data)?
            .into_iter()
            .map(StorageId)
            .collect())
    }

    /// GetStorageInfo (§10.5.5).
    ///
    /// # Errors
    /// Transport errors, a non-OK response, or a malformed dataset.
    pub fn get_storage_info(&mut self, storage: StorageId) -> Result<StorageInfo, Error> {
        let r = self.ok(
            OperationCode::GET_STORAGE_INFO,
            "GetStorageInfo",
            &[storage.0],
            None,
        )?;
        Ok(StorageInfo::decode_exact(&r.data)?)
    }

    /// GetObjectHandles (§10.5.7): `format` 0 for all, `parent` 0 for all (0xFFFFFFFF: root).
    ///
    /// # Errors
    /// Transport errors, a non-OK response, or a malformed dataset.
    pub fn get_object_handles(
        &mut self,
        storage: StorageId,
        format: u32,
        parent: u32,
    ) -> Result<Vec<ObjectHandle>, Error> {
        let r = self.ok(
            OperationCode::GET_OBJECT_HANDLES,
            "GetObjectHandles",
            &[storage.0, format, parent],
            None,
        )?;
        Ok(Vec::<u32>::decode_exact(&r.data)?
            .into_iter()
            .map(ObjectHandle)
            .collect())
    }

    /// GetObjectInfo (§10.5.8).
    ///
    /// # Errors
    /// Transport errors, a non-OK response, or a malformed dataset.
    pub fn get_object_info(&mut self, handle: ObjectHandle) -> Result<ObjectInfo, Error> {
        let r = self.ok(
            OperationCode::GET_OBJECT_INFO,
            "GetObjectInfo",
            &[handle.0],
            None,
        )?;
        Ok(ObjectInfo::decode_exact(&r.data)?)
    }

    /// GetObject (§10.5.9), held in memory.
    ///
    /// # Errors
    /// Transport errors or a non-OK response.
    pub fn get_object(&mut self, handle: ObjectHandle) -> Result<Vec<u8>, Error> {
        Ok(self
            .ok(OperationCode::GET_OBJECT, "GetObject", &[handle.0], None)?
            .data)
    }

    /// GetObject streamed into `sink`; returns the bytes written.
    ///
    /// # Errors
    /// Transport or sink errors, or a non-OK response.
    pub fn get_object_to(
        &mut self,
        handle: ObjectHandle,
        sink: &mut impl Write,
    ) -> Result<u64, Error> {
        let (r, n) = self.get_into(OperationCode::GET_OBJECT, &[handle.0], sink)?;
        if r.code == ResponseCode::OK {
            Ok(n)
        } else {
            Err(Error::Response {
                operation: "GetObject",
                code: r.code,
            })
        }
    }

    /// SendObjectInfo (§10.5.12) into `storage`/`parent`; returns the response parameters
    /// (storage, parent, new handle).
    ///
    /// # Errors
    /// Transport errors or a non-OK response.
    pub fn send_object_info(
        &mut self,
        storage: StorageId,
        parent: u32,
        info: &ObjectInfo,
    ) -> Result<Vec<u32>, Error> {
        let data = info.to_bytes();
        Ok(self
            .ok(
                OperationCode::SEND_OBJECT_INFO,
                "SendObjectInfo",
                &[storage.0, parent],
                Some(&data),
            )?
            .params)
    }

    /// SendObject (§10.5.13), after [`PtpIpClient::send_object_info`].
    ///
    /// # Errors
    /// Transport errors or a non-OK response.
    pub fn send_object(&mut self, data: &[u8]) -> Result<(), Error> {
        self.ok(OperationCode::SEND_OBJECT, "SendObject", &[], Some(data))
            .map(drop)
    }

    /// DeleteObject (§10.5.11).
    ///
    /// # Errors
    /// Transport errors or a non-OK response.
    pub fn delete_object(&mut self, handle: ObjectHandle) -> Result<(), Error> {
        self.ok(
            OperationCode::DELETE_OBJECT,
            "DeleteObject",
            &[handle.0, 0],
            None,
        )
        .map(drop)
    }

    /// InitiateCapture (§10.5.14) into the default storage, default format.
    ///
    /// # Errors
    /// Transport errors or a non-OK response.
    pub fn initiate_capture(&mut self) -> Result<(), Error> {
        self.ok(
            OperationCode::INITIATE_CAPTURE,
            "InitiateCapture",
            &[0, 0],
            None,
        )
        .map(drop)
    }

    /// GetDevicePropDesc (§10.5.22).
    ///
    /// # Errors
    /// Transport errors, a non-OK response, or a malformed dataset.
    pub fn get_device_prop_desc(&mut self, code: DevicePropCode) -> Result<DevicePropDesc, Error> {
        let r = self.ok(
            OperationCode::GET_DEVICE_PROP_DESC,
            "GetDevicePropDesc",
            &[u32::from(code.0)],
            None,
        )?;
        Ok(DevicePropDesc::decode_exact(&r.data)?)
    }

    /// GetDevicePropValue (§10.5.23), decoded with the type from the property's description.
    ///
    /// # Errors
    /// Transport errors, a non-OK response, or a malformed value.
    pub fn get_device_prop_value(&mut self, code: DevicePropCode) -> Result<PropValue, Error> {
        let desc = self.get_device_prop_desc(code)?;
        let r = self.ok(
            OperationCode::GET_DEVICE_PROP_VALUE,
            "GetDevicePropValue",
            &[u32::from(code.0)],
            None,
        )?;
        Ok(decode_value_exact(&r.data, desc.data_type)?)
    }

    /// SetDevicePropValue (§10.5.24).
    ///
    /// # Errors
    /// Transport errors or a non-OK response (InvalidDevicePropValue for a value outside the form).
    pub fn set_device_prop_value(
        &mut self,
        code: DevicePropCode,
        value: &PropValue,
    ) -> Result<(), Error> {
        let data = value.to_bytes();
        self.ok(
            OperationCode::SET_DEVICE_PROP_VALUE,
            "SetDevicePropValue",
            &[u32::from(code.0)],
            Some(&data),
        )
        .map(drop)
    }
}
