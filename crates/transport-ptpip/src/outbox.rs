//! What the camera has to say on one connection, gathered into as few writes as possible.
//!
//! A live view frame over PTP/IP is Start Data, one or more Data / End Data packets and an
//! Operation Response. Written one packet at a time that is four or more `write` calls (each a
//! TCP segment with `TCP_NODELAY`) for what raw TCP sends in one. The outbox collects the
//! packets of a batch: short packets and short payloads are copied into one buffer, long
//! payloads are kept as the responder's own [`Bytes`] (no copy), and the whole batch goes out
//! in one vectored write.

use std::io::{self, IoSlice};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use ptp_codec::ptpip::{self, Packet, PacketType};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use vcam_core::model::PtpIpDataFraming;

use crate::ConnectionError;

/// Payloads up to this size are copied next to their header; longer ones are written from
/// the responder's buffer.
const COPY_LIMIT: usize = 16 * 1024;

/// Bytes gathered before they are written (a batch may exceed it by one responder chunk).
pub(crate) const BATCH_LIMIT: usize = 1024 * 1024;

/// Packets waiting to be written, in order.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    /// The short packets (and short payloads) not yet sealed into `parts`.
    small: BytesMut,
    /// Sealed segments, in wire order.
    parts: Vec<Bytes>,
    /// Bytes in `small` and `parts`.
    len: usize,
}

impl Outbox {
    /// Bytes waiting.
    pub(crate) const fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is waiting.
    pub(crate) const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a whole packet.
    pub(crate) fn packet(&mut self, packet: &Packet<'_>) -> Result<(), ConnectionError> {
        let n = packet.buffer_len();
        let start = self.small.len();
        self.small.resize(start + n, 0);
        let written = packet
            .emit(self.small.get_mut(start..).unwrap_or_default())
            .map_err(|e| ConnectionError::Protocol(format!("encoding {packet:?}: {e}")))?;
        self.small.truncate(start + written);
        self.len += written;
        Ok(())
    }

    /// Adds a Data or End Data packet carrying `payload`.
    pub(crate) fn data(
        &mut self,
        kind: PacketType,
        transaction_id: u32,
        payload: Bytes,
    ) -> Result<(), ConnectionError> {
        let mut head = [0u8; ptpip::DATA_HEADER_LEN];
        ptpip::emit_data_header(&mut head, kind, transaction_id, payload.len())
            .map_err(|e| ConnectionError::Protocol(format!("data packet header: {e}")))?;
        self.small.extend_from_slice(&head);
        self.len += head.len() + payload.len();
        if payload.len() <= COPY_LIMIT {
            self.small.extend_from_slice(&payload);
        } else {
            self.seal();
            self.parts.push(payload);
        }
        Ok(())
    }

    /// Adds the pieces of a data phase the responder produced, framed as the body does.
    pub(crate) fn data_chunk(
        &mut self,
        framing: PtpIpDataFraming,
        transaction_id: u32,
        bytes: Bytes,
        last: bool,
    ) -> Result<(), ConnectionError> {
        let end = |is_last: bool| {
            if is_last {
                PacketType::END_DATA
            } else {
                PacketType::DATA
            }
        };
        let max = match framing {
            PtpIpDataFraming::DataThenEndData { max_payload } => {
                usize::try_from(max_payload).unwrap_or(usize::MAX).max(1)
            }
            // PerChunk, and whatever framing a later version adds: one packet per piece.
            _ => usize::MAX,
        };
        if bytes.len() <= max {
            return self.data(end(last), transaction_id, bytes);
        }
        let mut rest = bytes;
        while !rest.is_empty() {
            let piece = rest.split_to(rest.len().min(max));
            self.data(end(last && rest.is_empty()), transaction_id, piece)?;
        }
        Ok(())
    }

    fn seal(&mut self) {
        if !self.small.is_empty() {
            self.parts.push(self.small.split().freeze());
        }
    }

    /// Writes everything in as few vectored writes as the socket takes. With `stall_limit`,
    /// a peer that takes no byte for that long ends the connection.
    pub(crate) async fn write_to(
        &mut self,
        stream: &mut TcpStream,
        stall_limit: Option<Duration>,
    ) -> Result<(), ConnectionError> {
        if self.is_empty() {
            return Ok(());
        }
        self.seal();
        let parts = std::mem::take(&mut self.parts);
        self.len = 0;
        let mut slices: Vec<IoSlice<'_>> = parts.iter().map(|p| IoSlice::new(p)).collect();
        let mut pending: &mut [IoSlice<'_>] = &mut slices;
        while !pending.is_empty() {
            let write = stream.write_vectored(pending);
            let n = match stall_limit {
                Some(limit) => tokio::time::timeout(limit, write)
                    .await
                    .map_err(|_| ConnectionError::Timeout("the initiator to read"))??,
                None => write.await?,
            };
            if n == 0 {
                return Err(io::Error::from(io::ErrorKind::WriteZero).into());
            }
            IoSlice::advance_slices(&mut pending, n);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ptp_codec::stream::{Decoded, PtpIp, StreamDecoder};

    fn wire(outbox: &mut Outbox) -> Vec<u8> {
        outbox.seal();
        let out: Vec<u8> = outbox
            .parts
            .iter()
            .flat_map(|p| p.iter().copied())
            .collect();
        assert_eq!(out.len(), outbox.len);
        out
    }

    fn kinds(bytes: &[u8]) -> Vec<(PacketType, usize)> {
        let mut dec = StreamDecoder::<PtpIp>::new(16 << 20);
        let mut at = 0;
        let mut out = Vec::new();
        while at < bytes.len() {
            let Decoded::Frame(f) = dec.decode(&bytes[at..]).unwrap() else {
                panic!("not a whole packet")
            };
            at += f.len();
            let p = Packet::parse(f).unwrap();
            let len = match p {
                Packet::Data { payload, .. } | Packet::EndData { payload, .. } => payload.len(),
                _ => 0,
            };
            out.push((p.packet_type(), len));
        }
        out
    }

    #[test]
    fn canon_framing_is_data_packets_closed_by_end_data() {
        let canon = PtpIpDataFraming::DataThenEndData { max_payload: 100 };
        let mut o = Outbox::default();
        o.packet(&Packet::StartData {
            transaction_id: 7,
            total_length: 250,
        })
        .unwrap();
        o.data_chunk(canon, 7, Bytes::from(vec![1u8; 150]), false)
            .unwrap();
        o.data_chunk(canon, 7, Bytes::from(vec![2u8; 100]), true)
            .unwrap();
        let d = PacketType::DATA;
        assert_eq!(
            kinds(&wire(&mut o)),
            [
                (PacketType::START_DATA, 0),
                (d, 100),
                (d, 50),
                (PacketType::END_DATA, 100)
            ]
        );
    }

    #[test]
    fn per_chunk_framing_and_long_payloads_uncopied() {
        let mut o = Outbox::default();
        let big = Bytes::from(vec![3u8; COPY_LIMIT + 1]);
        o.data_chunk(PtpIpDataFraming::PerChunk, 1, big.clone(), false)
            .unwrap();
        o.data_chunk(
            PtpIpDataFraming::PerChunk,
            1,
            Bytes::from_static(b"xy"),
            true,
        )
        .unwrap();
        o.seal();
        // The long payload is the responder's buffer itself.
        assert!(o.parts.iter().any(|p| p.as_ptr() == big.as_ptr()));
        assert_eq!(
            kinds(&wire(&mut o)),
            [
                (PacketType::DATA, COPY_LIMIT + 1),
                (PacketType::END_DATA, 2)
            ]
        );
    }
}
