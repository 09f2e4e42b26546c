//! What the camera has to say on one connection: packets encoded without per-packet
//! allocation, long payloads written from the responder's own [`Bytes`] (no copy), a packet's
//! head and payload in one vectored write.
//!
//! How many writes: a live view frame is Start Data, End Data and Operation Response. Written
//! one packet at a time (each a TCP segment with `TCP_NODELAY`) that is three segments where
//! raw TCP sends one, and the initiator wakes up for each: measured, that alone cost live view
//! over PTP/IP two thirds of its rate. So what fits in one batch ([`BATCH_LIMIT`]: a whole
//! transaction, or several) goes out in one write ([`Outbox::write_blocking`] with
//! `one_write`). A longer data phase goes out one packet per write, as libgphoto2 writes: every
//! Data and End Data packet then starts a TCP segment, which is what Wireshark's PTP/IP
//! dissector needs to decode them (it reads one packet at the start of each segment and does
//! not reassemble; packets behind the first in a segment are not shown).

use std::io::{self, IoSlice};

use bytes::{Bytes, BytesMut};
use ptp_codec::ptpip::{self, Packet, PacketType};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use vcam_core::model::PtpIpDataFraming;

use crate::ConnectionError;
use crate::conn::Tap;

/// Payloads up to this size are copied next to their header; longer ones are written from
/// the responder's buffer.
const COPY_LIMIT: usize = 16 * 1024;

/// Bytes gathered before they are written (a batch may exceed it by one responder chunk).
pub(crate) const BATCH_LIMIT: usize = 256 * 1024;

/// One packet: its encoded head (with a short payload) and a long payload, if any.
#[derive(Debug)]
struct Queued {
    head: Bytes,
    payload: Option<Bytes>,
}

/// Packets waiting to be written, in order.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    /// Where heads are encoded (reused once the written heads are dropped).
    scratch: BytesMut,
    packets: Vec<Queued>,
    /// Bytes waiting.
    len: usize,
}

impl Outbox {
    /// Bytes waiting.
    pub(crate) const fn len(&self) -> usize {
        self.len
    }

    /// Adds a whole packet.
    pub(crate) fn packet(&mut self, packet: &Packet<'_>) -> Result<(), ConnectionError> {
        let n = packet.buffer_len();
        self.scratch.resize(n, 0);
        let written = packet
            .emit(&mut self.scratch)
            .map_err(|e| ConnectionError::Protocol(format!("encoding {packet:?}: {e}")))?;
        self.scratch.truncate(written);
        self.push(None);
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
        self.scratch.clear();
        self.scratch.extend_from_slice(&head);
        if payload.len() <= COPY_LIMIT {
            self.scratch.extend_from_slice(&payload);
            self.push(None);
        } else {
            self.push(Some(payload));
        }
        Ok(())
    }

    /// Seals what `scratch` holds as the head of the next packet.
    fn push(&mut self, payload: Option<Bytes>) {
        let head = self.scratch.split().freeze();
        self.len += head.len() + payload.as_ref().map_or(0, Bytes::len);
        self.packets.push(Queued { head, payload });
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

    /// Forgets the packets written (keeping the queue's allocation).
    fn clear(&mut self) {
        self.len = 0;
        self.packets.clear();
    }

    /// Writes every packet, one vectored write each (more only when the socket takes less).
    pub(crate) async fn write_to(
        &mut self,
        stream: &mut TcpStream,
        tap: &mut Tap,
    ) -> Result<(), ConnectionError> {
        for packet in &self.packets {
            let mut slices = packet.slices();
            let mut pending: &mut [IoSlice<'_>] = &mut slices;
            while !pending.is_empty() {
                let n = stream.write_vectored(pending).await?;
                if n == 0 {
                    return Err(io::Error::from(io::ErrorKind::WriteZero).into());
                }
                IoSlice::advance_slices(&mut pending, n);
            }
            tap.sent_parts(&packet.head, packet.payload.as_deref().unwrap_or_default());
        }
        self.clear();
        Ok(())
    }

    /// Writes every packet on a blocking socket: all in one vectored write with `one_write`,
    /// else one vectored write each. A write timeout set on the socket (a peer that takes no
    /// byte for that long) ends the connection.
    pub(crate) fn write_blocking(
        &mut self,
        stream: &mut std::net::TcpStream,
        one_write: bool,
        tap: &mut Tap,
    ) -> Result<(), ConnectionError> {
        let result = write_packets(stream, &self.packets, one_write);
        if result.is_ok() && tap.is_recording() {
            // Recorded one packet at a time (a segment each), whatever the writes were.
            for packet in &self.packets {
                tap.sent_parts(&packet.head, packet.payload.as_deref().unwrap_or_default());
            }
        }
        self.clear();
        result
    }
}

/// Writes `packets` in order: all in one vectored write with `one_write` (more only when the
/// socket takes less), else one each.
fn write_packets(
    stream: &mut std::net::TcpStream,
    packets: &[Queued],
    one_write: bool,
) -> Result<(), ConnectionError> {
    // A live view frame is three packets: six slices, on the stack.
    const ON_STACK: usize = 8;
    let mut stack = [IoSlice::new(&[]); ON_STACK];
    let mut heap: Vec<IoSlice<'_>>;
    let mut each: [IoSlice<'_>; 2];
    let mut rest = packets.iter();
    loop {
        let mut pending: &mut [IoSlice<'_>] = if one_write {
            if rest.len() * 2 <= ON_STACK {
                let mut n = 0;
                for (slot, slice) in stack.iter_mut().zip(rest.by_ref().flat_map(Queued::slices)) {
                    *slot = slice;
                    n += 1;
                }
                stack.get_mut(..n).unwrap_or_default()
            } else {
                heap = rest.by_ref().flat_map(Queued::slices).collect();
                &mut heap
            }
        } else {
            let Some(packet) = rest.next() else {
                return Ok(());
            };
            each = packet.slices();
            &mut each
        };
        if pending.is_empty() {
            return Ok(());
        }
        while !pending.is_empty() {
            match io::Write::write_vectored(stream, pending) {
                Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero).into()),
                Ok(n) => IoSlice::advance_slices(&mut pending, n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(ConnectionError::Timeout("the initiator to read"));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

impl Queued {
    /// The packet's bytes as at most two slices.
    fn slices(&self) -> [IoSlice<'_>; 2] {
        [
            IoSlice::new(&self.head),
            IoSlice::new(self.payload.as_deref().unwrap_or_default()),
        ]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Each queued packet, parsed: its type and payload length.
    fn kinds(outbox: &mut Outbox) -> Vec<(PacketType, usize)> {
        let total = outbox.len();
        let packets = std::mem::take(&mut outbox.packets);
        let mut sum = 0;
        let out = packets
            .iter()
            .map(|q| {
                let bytes: Vec<u8> = q
                    .head
                    .iter()
                    .chain(q.payload.iter().flat_map(|p| p.iter()))
                    .copied()
                    .collect();
                sum += bytes.len();
                let p = Packet::parse(&bytes).unwrap();
                let len = match p {
                    Packet::Data { payload, .. } | Packet::EndData { payload, .. } => payload.len(),
                    _ => 0,
                };
                (p.packet_type(), len)
            })
            .collect();
        assert_eq!(sum, total);
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
            kinds(&mut o),
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
        // The long payload is the responder's buffer itself.
        assert!(o.packets.iter().any(|q| {
            q.payload
                .as_ref()
                .is_some_and(|p| p.as_ptr() == big.as_ptr())
        }));
        assert_eq!(
            kinds(&mut o),
            [
                (PacketType::DATA, COPY_LIMIT + 1),
                (PacketType::END_DATA, 2)
            ]
        );
    }
}
