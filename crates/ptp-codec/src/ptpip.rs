//! PTP/IP packets (CIPA DC-005-2005 "PTP-IP", §2.3): every packet is a `u32` length (header
//! included), a `u32` packet type and a type-specific payload, all little-endian.
//!
//! [`Packet::parse`] reads one complete packet and borrows Data/End Data payloads from the
//! input; [`Packet::emit`] writes one into a caller's buffer. [`emit_data_header`] writes just
//! the 12-byte head of a Data or End Data packet so large payloads can be streamed after it.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::code::{EventCode, OperationCode, ResponseCode};
use crate::container::Params;
use crate::error::{DecodeError, EncodeError};
use crate::reader::Reader;

/// Size of the length and type fields that start every packet.
pub const HEADER_LEN: usize = 8;

/// Size of the head of a Data or End Data packet (length, type, TransactionID).
pub const DATA_HEADER_LEN: usize = 12;

/// Protocol version 1.0 as carried in the Init packets (major in the high 16 bits).
pub const PROTOCOL_VERSION_1_0: u32 = 0x0001_0000;

/// The protocol version [`Packet::parse`] reports for an Init packet that carries none
/// (camlib's PTP/IP client ends its Init Command Request after the name).
pub const PROTOCOL_VERSION_MISSING: u32 = 0;

/// Most UTF-16 units accepted in a friendly name (CIPA DC-005 §2.3.1 allows up to 39
/// characters; longer names are accepted up to this bound, which keeps decoding cheap).
pub const MAX_FRIENDLY_NAME_UNITS: usize = 255;

crate::codes! {
    /// PTP/IP packet types (CIPA DC-005 §2.3, table 2).
    pub struct PacketType(u32);
    /// Initiator → responder on the command connection.
    INIT_COMMAND_REQUEST = 1, "Init Command Request";
    /// Responder → initiator: connection number, GUID, name, version.
    INIT_COMMAND_ACK = 2, "Init Command Ack";
    /// Initiator → responder on the event connection.
    INIT_EVENT_REQUEST = 3, "Init Event Request";
    /// Responder → initiator on the event connection.
    INIT_EVENT_ACK = 4, "Init Event Ack";
    /// Responder → initiator: the connection is refused.
    INIT_FAIL = 5, "Init Fail";
    /// An operation request.
    OPERATION_REQUEST = 6, "Operation Request";
    /// An operation response.
    OPERATION_RESPONSE = 7, "Operation Response";
    /// An event, on the event connection.
    EVENT = 8, "Event";
    /// Announces a data phase and its total length.
    START_DATA = 9, "Start Data";
    /// A piece of the data phase.
    DATA = 10, "Data";
    /// Cancels a transaction.
    CANCEL = 11, "Cancel";
    /// The last piece of the data phase.
    END_DATA = 12, "End Data";
    /// Keep-alive request.
    PROBE_REQUEST = 13, "Probe Request";
    /// Keep-alive response.
    PROBE_RESPONSE = 14, "Probe Response";
}

crate::codes! {
    /// The DataPhaseInfo field of an Operation Request (CIPA DC-005 §2.3.6).
    pub struct DataPhase(u32);
    /// The operation has no data phase, or data flows responder → initiator.
    NO_DATA_OR_DATA_IN = 1, "No Data or Data-In";
    /// Data flows initiator → responder.
    DATA_OUT = 2, "Data-Out";
    /// The initiator does not know.
    UNKNOWN = 3, "Unknown";
}

crate::codes! {
    /// The reason carried by Init Fail (CIPA DC-005 §2.3.5).
    pub struct InitFailReason(u32);
    /// The responder refuses this initiator.
    REJECTED_INITIATOR = 1, "Rejected Initiator";
    /// The responder is busy with another initiator.
    BUSY = 2, "Busy";
    /// Any other reason.
    UNSPECIFIED = 3, "Unspecified";
}

/// A 16-byte GUID identifying an initiator or responder.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Guid(pub [u8; 16]);

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Init Command Request / Init Command Ack body: who is talking.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    /// The sender's GUID.
    pub guid: Guid,
    /// The sender's friendly name (sent as NUL-terminated UTF-16LE).
    pub friendly_name: String,
    /// Protocol version, major in the high 16 bits ([`PROTOCOL_VERSION_1_0`]);
    /// [`PROTOCOL_VERSION_MISSING`] when a parsed packet had none.
    pub protocol_version: u32,
}

/// One PTP/IP packet. Data and End Data payloads borrow from the parsed input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Packet<'a> {
    /// Type 1: opens the command connection.
    InitCommandRequest(Identity),
    /// Type 2: accepts the command connection.
    InitCommandAck {
        /// Number the initiator quotes in Init Event Request.
        connection_number: u32,
        /// The responder.
        identity: Identity,
    },
    /// Type 3: opens the event connection.
    InitEventRequest {
        /// The number from Init Command Ack.
        connection_number: u32,
    },
    /// Type 4: accepts the event connection.
    InitEventAck,
    /// Type 5: refuses a connection.
    InitFail {
        /// Why.
        reason: InitFailReason,
    },
    /// Type 6.
    OperationRequest {
        /// Which data phase follows.
        data_phase: DataPhase,
        /// Operation code.
        code: OperationCode,
        /// TransactionID.
        transaction_id: u32,
        /// Up to five parameters.
        params: Params,
    },
    /// Type 7.
    OperationResponse {
        /// Response code.
        code: ResponseCode,
        /// TransactionID.
        transaction_id: u32,
        /// Up to five parameters.
        params: Params,
    },
    /// Type 8 (the standard allows three parameters; up to five are read).
    Event {
        /// Event code.
        code: EventCode,
        /// TransactionID.
        transaction_id: u32,
        /// Parameters.
        params: Params,
    },
    /// Type 9.
    StartData {
        /// TransactionID.
        transaction_id: u32,
        /// Total bytes of the data phase (`u64::MAX` when unknown).
        total_length: u64,
    },
    /// Type 10.
    Data {
        /// TransactionID.
        transaction_id: u32,
        /// This piece of the data.
        payload: &'a [u8],
    },
    /// Type 11.
    Cancel {
        /// The transaction to cancel.
        transaction_id: u32,
    },
    /// Type 12.
    EndData {
        /// TransactionID.
        transaction_id: u32,
        /// The last piece of the data (may be empty).
        payload: &'a [u8],
    },
    /// Type 13.
    ProbeRequest,
    /// Type 14.
    ProbeResponse,
    /// A packet type this crate does not know; kept so it can be logged or forwarded.
    Unknown {
        /// The packet type.
        packet_type: PacketType,
        /// Everything after the 8-byte header.
        payload: &'a [u8],
    },
}

/// Reads a friendly name: UTF-16LE units up to a NUL, or up to the end of the body when the
/// sender left the terminator out (camlib's PTP/IP client does, and a real Canon accepts it).
fn read_name(r: &mut Reader<'_>) -> Result<String, DecodeError> {
    const WHAT: &str = "friendly name";
    let start = r.position();
    let mut units = Vec::new();
    while r.remaining() >= 2 {
        let unit = r.u16(WHAT)?;
        if unit == 0 {
            break;
        }
        if units.len() == MAX_FRIENDLY_NAME_UNITS {
            return Err(Reader::invalid_at(
                WHAT,
                start,
                "longer than 255 UTF-16 units",
            ));
        }
        units.push(unit);
    }
    Ok(String::from_utf16_lossy(&units))
}

/// Reads the body of Init Command Request / Ack the way real bodies read it: a GUID is
/// required; the name may lack its terminator, the version may be missing (then
/// [`PROTOCOL_VERSION_MISSING`]) or cut short, and bytes after it are ignored. Only a body too
/// short for the GUID cannot be read.
fn read_identity(r: &mut Reader<'_>) -> Result<Identity, DecodeError> {
    let guid = Guid(r.array("GUID")?);
    let friendly_name = read_name(r)?;
    let protocol_version = if r.remaining() >= 4 {
        r.u32("protocol version")?
    } else {
        PROTOCOL_VERSION_MISSING
    };
    // Whatever follows (a version cut short, padding) carries nothing.
    r.rest();
    Ok(Identity {
        guid,
        friendly_name,
        protocol_version,
    })
}

fn name_len(name: &str) -> usize {
    2 * (name.encode_utf16().take(MAX_FRIENDLY_NAME_UNITS).count() + 1)
}

impl<'a> Packet<'a> {
    /// The packet's type field.
    #[must_use]
    pub const fn packet_type(&self) -> PacketType {
        match self {
            Self::InitCommandRequest(_) => PacketType::INIT_COMMAND_REQUEST,
            Self::InitCommandAck { .. } => PacketType::INIT_COMMAND_ACK,
            Self::InitEventRequest { .. } => PacketType::INIT_EVENT_REQUEST,
            Self::InitEventAck => PacketType::INIT_EVENT_ACK,
            Self::InitFail { .. } => PacketType::INIT_FAIL,
            Self::OperationRequest { .. } => PacketType::OPERATION_REQUEST,
            Self::OperationResponse { .. } => PacketType::OPERATION_RESPONSE,
            Self::Event { .. } => PacketType::EVENT,
            Self::StartData { .. } => PacketType::START_DATA,
            Self::Data { .. } => PacketType::DATA,
            Self::Cancel { .. } => PacketType::CANCEL,
            Self::EndData { .. } => PacketType::END_DATA,
            Self::ProbeRequest => PacketType::PROBE_REQUEST,
            Self::ProbeResponse => PacketType::PROBE_RESPONSE,
            Self::Unknown { packet_type, .. } => *packet_type,
        }
    }

    /// Parses one packet that fills `frame` exactly (as yielded by the stream decoder).
    pub fn parse(frame: &'a [u8]) -> Result<Self, DecodeError> {
        let (packet, len) = Self::parse_prefix(frame)?;
        if len != frame.len() {
            return Err(DecodeError::TrailingBytes {
                what: "PTP/IP packet",
                offset: len,
                count: frame.len() - len,
            });
        }
        Ok(packet)
    }

    /// Parses the packet at the start of `buf`; returns it and its length.
    pub fn parse_prefix(buf: &'a [u8]) -> Result<(Self, usize), DecodeError> {
        let mut r = Reader::new(buf);
        let length = r.u32("PTP/IP packet length")? as usize;
        let packet_type = PacketType(r.u32("PTP/IP packet type")?);
        if length < HEADER_LEN {
            return Err(Reader::invalid_at(
                "PTP/IP packet length",
                0,
                "shorter than the 8-byte header",
            ));
        }
        let mut body = r.sub(length - HEADER_LEN, "PTP/IP packet")?;
        let b = &mut body;
        let packet = match packet_type {
            PacketType::INIT_COMMAND_REQUEST => Self::InitCommandRequest(read_identity(b)?),
            PacketType::INIT_COMMAND_ACK => {
                let connection_number = b.u32("connection number")?;
                Self::InitCommandAck {
                    connection_number,
                    identity: read_identity(b)?,
                }
            }
            PacketType::INIT_EVENT_REQUEST => Self::InitEventRequest {
                connection_number: b.u32("connection number")?,
            },
            PacketType::INIT_EVENT_ACK => Self::InitEventAck,
            PacketType::INIT_FAIL => Self::InitFail {
                reason: InitFailReason(b.u32("Init Fail reason")?),
            },
            PacketType::OPERATION_REQUEST => {
                let data_phase = DataPhase(b.u32("data phase")?);
                let code = OperationCode(b.u16("operation code")?);
                let transaction_id = b.u32("transaction ID")?;
                let at = b.position();
                let params = Params::from_le_bytes(b.rest(), at)?;
                Self::OperationRequest {
                    data_phase,
                    code,
                    transaction_id,
                    params,
                }
            }
            PacketType::OPERATION_RESPONSE => {
                let code = ResponseCode(b.u16("response code")?);
                let transaction_id = b.u32("transaction ID")?;
                let at = b.position();
                let params = Params::from_le_bytes(b.rest(), at)?;
                Self::OperationResponse {
                    code,
                    transaction_id,
                    params,
                }
            }
            PacketType::EVENT => {
                let code = EventCode(b.u16("event code")?);
                let transaction_id = b.u32("transaction ID")?;
                let at = b.position();
                let params = Params::from_le_bytes(b.rest(), at)?;
                Self::Event {
                    code,
                    transaction_id,
                    params,
                }
            }
            PacketType::START_DATA => Self::StartData {
                transaction_id: b.u32("transaction ID")?,
                total_length: b.u64("total data length")?,
            },
            PacketType::DATA => Self::Data {
                transaction_id: b.u32("transaction ID")?,
                payload: b.rest(),
            },
            PacketType::CANCEL => Self::Cancel {
                transaction_id: b.u32("transaction ID")?,
            },
            PacketType::END_DATA => Self::EndData {
                transaction_id: b.u32("transaction ID")?,
                payload: b.rest(),
            },
            PacketType::PROBE_REQUEST => Self::ProbeRequest,
            PacketType::PROBE_RESPONSE => Self::ProbeResponse,
            packet_type => Self::Unknown {
                packet_type,
                payload: b.rest(),
            },
        };
        body.expect_end(packet.packet_type().name().unwrap_or("PTP/IP packet"))?;
        Ok((packet, length))
    }

    /// Encoded length.
    #[must_use]
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN
            + match self {
                Self::InitCommandRequest(id) => 16 + name_len(&id.friendly_name) + 4,
                Self::InitCommandAck { identity, .. } => {
                    4 + 16 + name_len(&identity.friendly_name) + 4
                }
                Self::InitEventRequest { .. } | Self::InitFail { .. } | Self::Cancel { .. } => 4,
                Self::InitEventAck | Self::ProbeRequest | Self::ProbeResponse => 0,
                Self::OperationRequest { params, .. } => 4 + 2 + 4 + 4 * params.len(),
                Self::OperationResponse { params, .. } | Self::Event { params, .. } => {
                    2 + 4 + 4 * params.len()
                }
                Self::StartData { .. } => 4 + 8,
                Self::Data { payload, .. } | Self::EndData { payload, .. } => 4 + payload.len(),
                Self::Unknown { payload, .. } => payload.len(),
            }
    }

    /// Writes the packet at the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        let len = self.buffer_len();
        let length = u32::try_from(len).map_err(|_| EncodeError::TooLong {
            what: "PTP/IP packet",
            len,
            max: u32::MAX as usize,
        })?;
        let available = buf.len();
        let out = buf.get_mut(..len).ok_or(EncodeError::BufferTooSmall {
            what: "PTP/IP packet",
            needed: len,
            available,
        })?;
        let mut w = SliceWriter { buf: out, pos: 0 };
        w.put(&length.to_le_bytes());
        w.put(&self.packet_type().0.to_le_bytes());
        match self {
            Self::InitCommandRequest(id) => w.identity(id),
            Self::InitCommandAck {
                connection_number,
                identity,
            } => {
                w.put(&connection_number.to_le_bytes());
                w.identity(identity);
            }
            Self::InitEventRequest { connection_number } => w.put(&connection_number.to_le_bytes()),
            Self::InitFail { reason } => w.put(&reason.0.to_le_bytes()),
            Self::Cancel { transaction_id } => w.put(&transaction_id.to_le_bytes()),
            Self::InitEventAck | Self::ProbeRequest | Self::ProbeResponse => {}
            Self::OperationRequest {
                data_phase,
                code,
                transaction_id,
                params,
            } => {
                w.put(&data_phase.0.to_le_bytes());
                w.put(&code.0.to_le_bytes());
                w.put(&transaction_id.to_le_bytes());
                w.params(params);
            }
            Self::OperationResponse {
                code,
                transaction_id,
                params,
            } => {
                w.put(&code.0.to_le_bytes());
                w.put(&transaction_id.to_le_bytes());
                w.params(params);
            }
            Self::Event {
                code,
                transaction_id,
                params,
            } => {
                w.put(&code.0.to_le_bytes());
                w.put(&transaction_id.to_le_bytes());
                w.params(params);
            }
            Self::StartData {
                transaction_id,
                total_length,
            } => {
                w.put(&transaction_id.to_le_bytes());
                w.put(&total_length.to_le_bytes());
            }
            Self::Data {
                transaction_id,
                payload,
            }
            | Self::EndData {
                transaction_id,
                payload,
            } => {
                w.put(&transaction_id.to_le_bytes());
                w.put(payload);
            }
            Self::Unknown { payload, .. } => w.put(payload),
        }
        Ok(len)
    }
}

/// Writes the 12-byte head of a Data or End Data packet whose `payload_len` bytes follow.
///
/// `packet_type` must be [`PacketType::DATA`] or [`PacketType::END_DATA`]. Returns
/// [`DATA_HEADER_LEN`].
pub fn emit_data_header(
    buf: &mut [u8],
    packet_type: PacketType,
    transaction_id: u32,
    payload_len: usize,
) -> Result<usize, EncodeError> {
    if packet_type != PacketType::DATA && packet_type != PacketType::END_DATA {
        return Err(EncodeError::TooLong {
            what: "data packet type (must be 10 or 12)",
            len: packet_type.0 as usize,
            max: 12,
        });
    }
    let max = u32::MAX as usize - DATA_HEADER_LEN;
    let length = payload_len
        .checked_add(DATA_HEADER_LEN)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or(EncodeError::TooLong {
            what: "PTP/IP data payload",
            len: payload_len,
            max,
        })?;
    let available = buf.len();
    let out = buf
        .get_mut(..DATA_HEADER_LEN)
        .ok_or(EncodeError::BufferTooSmall {
            what: "PTP/IP data header",
            needed: DATA_HEADER_LEN,
            available,
        })?;
    let mut w = SliceWriter { buf: out, pos: 0 };
    w.put(&length.to_le_bytes());
    w.put(&packet_type.0.to_le_bytes());
    w.put(&transaction_id.to_le_bytes());
    Ok(DATA_HEADER_LEN)
}

/// Writes into a slice already checked to be exactly the right size.
struct SliceWriter<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl SliceWriter<'_> {
    fn put(&mut self, bytes: &[u8]) {
        if let Some(dst) = self.buf.get_mut(self.pos..self.pos + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
        self.pos += bytes.len();
    }

    fn params(&mut self, params: &Params) {
        for p in params.iter() {
            self.put(&p.to_le_bytes());
        }
    }

    fn identity(&mut self, id: &Identity) {
        self.put(&id.guid.0);
        for unit in id
            .friendly_name
            .encode_utf16()
            .take(MAX_FRIENDLY_NAME_UNITS)
            .chain(core::iter::once(0))
        {
            self.put(&unit.to_le_bytes());
        }
        self.put(&id.protocol_version.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// An Init Command Request as libgphoto2 2.5.30 sends it (hostname "vm"), from
    /// docs/reference/client-expectations.md §3.1.
    const GPHOTO_INIT: [u8; 34] = [
        0x22, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x76, 0,
        0x6d, 0, 0, 0, 0, 0, 1, 0,
    ];

    #[test]
    fn parses_gphoto2_init_request() {
        let p = Packet::parse(&GPHOTO_INIT).unwrap();
        let Packet::InitCommandRequest(id) = &p else {
            panic!("{p:?}")
        };
        assert_eq!(id.friendly_name, "vm");
        assert_eq!(id.protocol_version, PROTOCOL_VERSION_1_0);
        assert_eq!(id.guid.0[0], 1);
        let mut buf = [0xa5; 40];
        assert_eq!(p.emit(&mut buf).unwrap(), 34);
        assert_eq!(buf[..34], GPHOTO_INIT);
        assert_eq!(buf[34..], [0xa5; 6]);
    }

    #[test]
    fn every_packet_round_trips() {
        let id = Identity {
            guid: Guid([7; 16]),
            friendly_name: "Canon EOS 1300D".into(),
            protocol_version: PROTOCOL_VERSION_1_0,
        };
        let packets = vec![
            Packet::InitCommandRequest(id.clone()),
            Packet::InitCommandAck {
                connection_number: 1,
                identity: id,
            },
            Packet::InitEventRequest {
                connection_number: 1,
            },
            Packet::InitEventAck,
            Packet::InitFail {
                reason: InitFailReason::BUSY,
            },
            Packet::OperationRequest {
                data_phase: DataPhase::DATA_OUT,
                code: OperationCode::SEND_OBJECT_INFO,
                transaction_id: 9,
                params: Params::from([0x10001, 0xffff_ffff]),
            },
            Packet::OperationResponse {
                code: ResponseCode::OK,
                transaction_id: 9,
                params: Params::from([1, 2, 3]),
            },
            Packet::Event {
                code: EventCode::OBJECT_ADDED,
                transaction_id: 0xffff_ffff,
                params: Params::from([5]),
            },
            Packet::StartData {
                transaction_id: 4,
                total_length: 1 << 33,
            },
            Packet::Data {
                transaction_id: 4,
                payload: b"abc",
            },
            Packet::Cancel { transaction_id: 4 },
            Packet::EndData {
                transaction_id: 4,
                payload: b"",
            },
            Packet::ProbeRequest,
            Packet::ProbeResponse,
            Packet::Unknown {
                packet_type: PacketType(0x9999),
                payload: b"xy",
            },
        ];
        for p in packets {
            let mut buf = vec![0xa5; p.buffer_len() + 3];
            let n = p.emit(&mut buf).unwrap();
            assert_eq!(n, p.buffer_len());
            assert_eq!(buf[n..], [0xa5; 3]);
            assert_eq!(Packet::parse(&buf[..n]).unwrap(), p);
        }
    }

    #[test]
    fn rejects_lying_lengths() {
        let mut bad = GPHOTO_INIT;
        bad[0] = 4;
        assert!(Packet::parse(&bad).is_err());
        bad[0] = 0x40;
        assert!(matches!(
            Packet::parse(&bad),
            Err(DecodeError::Truncated { .. })
        ));
        // An Operation Request shorter than its fixed fields.
        let short = [14, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 1, 0x10];
        assert!(matches!(
            Packet::parse(&short),
            Err(DecodeError::Truncated { .. })
        ));
        // Init Event Request with extra bytes.
        let long = [13, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0];
        assert!(matches!(
            Packet::parse(&long),
            Err(DecodeError::TrailingBytes { .. })
        ));
    }

    /// camlib's Init Command Request (petabyt/camlib `src/operations.c`): GUID of 0xFF bytes,
    /// the name "ptp li" cut short with no terminator and no version, 36 bytes in all.
    #[test]
    fn init_requests_real_bodies_accept_are_read() {
        let mut camlib = vec![36, 0, 0, 0, 1, 0, 0, 0];
        camlib.extend_from_slice(&[0xFF; 16]);
        for unit in "ptp li".encode_utf16() {
            camlib.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(camlib.len(), 36);
        let Packet::InitCommandRequest(id) = Packet::parse(&camlib).unwrap() else {
            panic!("not an Init Command Request")
        };
        assert_eq!(id.guid, Guid([0xFF; 16]));
        assert_eq!(id.friendly_name, "ptp li");
        assert_eq!(id.protocol_version, PROTOCOL_VERSION_MISSING);

        // ptpy's version 0x00000064, and a version cut to two bytes after a terminated name.
        let mut ptpy = GPHOTO_INIT;
        ptpy[30..34].copy_from_slice(&0x64u32.to_le_bytes());
        let Packet::InitCommandRequest(id) = Packet::parse(&ptpy).unwrap() else {
            panic!("not an Init Command Request")
        };
        assert_eq!(
            (id.friendly_name.as_str(), id.protocol_version),
            ("vm", 0x64)
        );
        let mut short = GPHOTO_INIT[..32].to_vec();
        short[0] = 32;
        let Packet::InitCommandRequest(id) = Packet::parse(&short).unwrap() else {
            panic!("not an Init Command Request")
        };
        assert_eq!((id.friendly_name.as_str(), id.protocol_version), ("vm", 0));

        // An odd byte after the name, and a name of one odd byte: read, nothing lost.
        let mut odd = camlib.clone();
        odd.push(0x41);
        odd[0] = 37;
        assert!(Packet::parse(&odd).is_ok());

        // Only a GUID cut short cannot be read.
        let mut no_guid = camlib[..20].to_vec();
        no_guid[0] = 20;
        assert!(matches!(
            Packet::parse(&no_guid),
            Err(DecodeError::Truncated { .. })
        ));
    }

    #[test]
    fn data_header_for_streaming() {
        let mut buf = [0u8; 12];
        emit_data_header(&mut buf, PacketType::END_DATA, 3, 100).unwrap();
        assert_eq!(buf, [112, 0, 0, 0, 12, 0, 0, 0, 3, 0, 0, 0]);
        assert!(emit_data_header(&mut buf, PacketType::START_DATA, 3, 1).is_err());
        assert!(emit_data_header(&mut buf, PacketType::DATA, 3, usize::MAX).is_err());
    }
}
