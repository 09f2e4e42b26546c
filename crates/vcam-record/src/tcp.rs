//! TCP connections recorded as the IP packets a capture on the wire would show (link type
//! `LINKTYPE_RAW`): the three-way handshake when a connection opens, each chunk of bytes as
//! segments with the sequence and acknowledgement numbers a real stack would use, an
//! acknowledgement from the receiver after each chunk, and FIN both ways at close (RFC 9293
//! §3.5, §3.6), with real IPv4 (RFC 791) / IPv6 (RFC 8200) headers and checksums.
//!
//! The SYNs carry a window scale of 14 (RFC 7323 §2) so that no chunk outruns the
//! advertised window, which Wireshark's TCP analysis would flag.

use std::net::{IpAddr, SocketAddr};

/// Longest payload in one segment: an IPv4 packet's total length (16 bits) holds the 20-byte
/// IPv4 and 20-byte TCP headers too (65,535 - 40).
pub const MAX_SEGMENT: usize = 65_495;

/// TCP flags (RFC 9293 §3.1).
mod flag {
    pub(super) const FIN: u8 = 0x01;
    pub(super) const SYN: u8 = 0x02;
    pub(super) const PSH: u8 = 0x08;
    pub(super) const ACK: u8 = 0x10;
}

/// IP protocol number of TCP.
const PROTO_TCP: u8 = 6;
/// Window shift announced in the SYNs (RFC 7323 §2.2).
const WINDOW_SHIFT: u8 = 14;

/// Which end of a connection sends a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The end that opened the connection (sent the SYN).
    Client,
    /// The end that accepted it.
    Server,
}

impl Side {
    const fn other(self) -> Self {
        match self {
            Self::Client => Self::Server,
            Self::Server => Self::Client,
        }
    }
}

/// One end of a flow: its address and the sequence number of its next byte.
#[derive(Debug, Clone, Copy)]
struct End {
    addr: SocketAddr,
    next_seq: u32,
}

/// One TCP connection, sans-IO: hands out the IP packets of its handshake, its data and its
/// close. Addresses of one family (an IPv4-mapped IPv6 address counts as IPv4).
#[derive(Debug, Clone)]
pub struct TcpFlow {
    client: End,
    server: End,
    ip_id: u16,
    closed: bool,
}

/// The canonical form of `addr` (IPv4-mapped IPv6 as IPv4).
fn canonical(addr: SocketAddr) -> SocketAddr {
    SocketAddr::new(addr.ip().to_canonical(), addr.port())
}

impl TcpFlow {
    /// A flow from `client` to `server` whose initial sequence numbers are `client_isn` and
    /// `server_isn`. An accepted socket's two ends share a family; should they not, the
    /// client is shown as the unspecified address of the server's family.
    #[must_use]
    pub fn new(client: SocketAddr, server: SocketAddr, client_isn: u32, server_isn: u32) -> Self {
        let mut client = canonical(client);
        let server = canonical(server);
        if client.is_ipv4() != server.is_ipv4() {
            let ip = match server.ip() {
                IpAddr::V4(_) => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
                IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
            };
            client = SocketAddr::new(ip, client.port());
        }
        Self {
            client: End {
                addr: client,
                next_seq: client_isn,
            },
            server: End {
                addr: server,
                next_seq: server_isn,
            },
            ip_id: 1,
            closed: false,
        }
    }

    fn end(&self, side: Side) -> End {
        match side {
            Side::Client => self.client,
            Side::Server => self.server,
        }
    }

    fn advance(&mut self, side: Side, by: u32) {
        let end = match side {
            Side::Client => &mut self.client,
            Side::Server => &mut self.server,
        };
        end.next_seq = end.next_seq.wrapping_add(by);
    }

    /// The segment `from` sends now with `flags` and `payload` (sequence numbers advanced).
    fn segment(&mut self, from: Side, flags: u8, payload: &[u8]) -> Vec<u8> {
        let src = self.end(from);
        let dst = self.end(from.other());
        let ack = if flags & flag::ACK != 0 {
            dst.next_seq
        } else {
            0
        };
        let options: &[u8] = if flags & flag::SYN != 0 {
            // NOP, Window Scale (kind 3, length 3).
            &[1, 3, 3, WINDOW_SHIFT]
        } else {
            &[]
        };
        let tcp = tcp_segment(
            (src.addr, dst.addr),
            (src.next_seq, ack),
            flags,
            options,
            payload,
        );
        let id = self.ip_id;
        self.ip_id = self.ip_id.wrapping_add(1);
        let consumed = payload.len() + usize::from(flags & (flag::SYN | flag::FIN) != 0);
        self.advance(from, u32::try_from(consumed).unwrap_or(u32::MAX));
        ip_packet(src.addr.ip(), dst.addr.ip(), id, &tcp)
    }

    /// The handshake: SYN, SYN-ACK, ACK.
    pub fn open(&mut self) -> Vec<Vec<u8>> {
        vec![
            self.segment(Side::Client, flag::SYN, &[]),
            self.segment(Side::Server, flag::SYN | flag::ACK, &[]),
            self.segment(Side::Client, flag::ACK, &[]),
        ]
    }

    /// `bytes` sent by `from`: segments of at most [`MAX_SEGMENT`] bytes (the last one
    /// pushed), then the receiver's acknowledgement. Nothing for no bytes or a closed flow.
    pub fn data(&mut self, from: Side, bytes: &[u8]) -> Vec<Vec<u8>> {
        if bytes.is_empty() || self.closed {
            return Vec::new();
        }
        let mut packets = Vec::with_capacity(bytes.len() / MAX_SEGMENT + 2);
        let mut pieces = bytes.chunks(MAX_SEGMENT).peekable();
        while let Some(piece) = pieces.next() {
            let push = if pieces.peek().is_none() {
                flag::PSH
            } else {
                0
            };
            packets.push(self.segment(from, flag::ACK | push, piece));
        }
        packets.push(self.segment(from.other(), flag::ACK, &[]));
        packets
    }

    /// The close, `first` sending its FIN first: FIN-ACK, FIN-ACK, ACK. Nothing once closed.
    pub fn close(&mut self, first: Side) -> Vec<Vec<u8>> {
        if std::mem::replace(&mut self.closed, true) {
            return Vec::new();
        }
        vec![
            self.segment(first, flag::FIN | flag::ACK, &[]),
            self.segment(first.other(), flag::FIN | flag::ACK, &[]),
            self.segment(first, flag::ACK, &[]),
        ]
    }

    /// Whether the flow has been closed.
    #[must_use]
    pub const fn is_closed(&self) -> bool {
        self.closed
    }
}

/// The Internet checksum (RFC 1071) of the concatenation of `parts`: the ones' complement
/// of the ones' complement sum of its 16-bit big-endian words, an odd last byte padded with
/// zero.
#[must_use]
pub fn internet_checksum(parts: &[&[u8]]) -> u16 {
    let mut sum: u64 = 0;
    // The high byte of a word whose low byte starts the next part.
    let mut pending: Option<u8> = None;
    for part in parts {
        let mut rest: &[u8] = part;
        if let Some(high) = pending {
            let Some((&low, tail)) = rest.split_first() else {
                continue;
            };
            sum += u64::from(u16::from_be_bytes([high, low]));
            rest = tail;
        }
        let mut words = rest.chunks_exact(2);
        for word in words.by_ref() {
            if let &[high, low] = word {
                sum += u64::from(u16::from_be_bytes([high, low]));
            }
        }
        pending = words.remainder().first().copied();
    }
    if let Some(high) = pending {
        sum += u64::from(u16::from_be_bytes([high, 0]));
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    !(sum as u16)
}

/// A TCP segment (RFC 9293 §3.1) from `addrs.0` to `addrs.1` with its checksum over the
/// pseudo-header of the addresses' family (RFC 9293 §3.1, RFC 8200 §8.1).
fn tcp_segment(
    addrs: (SocketAddr, SocketAddr),
    (seq, ack): (u32, u32),
    flags: u8,
    options: &[u8],
    payload: &[u8],
) -> Vec<u8> {
    let (src, dst) = addrs;
    let header_len = 20 + options.len();
    let mut seg = Vec::with_capacity(header_len + payload.len());
    seg.extend_from_slice(&src.port().to_be_bytes());
    seg.extend_from_slice(&dst.port().to_be_bytes());
    seg.extend_from_slice(&seq.to_be_bytes());
    seg.extend_from_slice(&ack.to_be_bytes());
    seg.push(((header_len / 4) as u8) << 4);
    seg.push(flags);
    seg.extend_from_slice(&u16::MAX.to_be_bytes()); // window (scaled by 2^14 after the SYNs)
    seg.extend_from_slice(&[0, 0]); // checksum, below
    seg.extend_from_slice(&[0, 0]); // urgent pointer
    seg.extend_from_slice(options);
    seg.extend_from_slice(payload);
    let len = u32::try_from(seg.len()).unwrap_or(u32::MAX);
    let sum = match (src.ip(), dst.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let mut pseudo = [0u8; 12];
            pseudo[..4].copy_from_slice(&s.octets());
            pseudo[4..8].copy_from_slice(&d.octets());
            pseudo[9] = PROTO_TCP;
            pseudo[10..].copy_from_slice(&(len as u16).to_be_bytes());
            internet_checksum(&[&pseudo, &seg])
        }
        (s, d) => {
            let mut pseudo = [0u8; 40];
            pseudo[..16].copy_from_slice(&v6_octets(s));
            pseudo[16..32].copy_from_slice(&v6_octets(d));
            pseudo[32..36].copy_from_slice(&len.to_be_bytes());
            pseudo[39] = PROTO_TCP;
            internet_checksum(&[&pseudo, &seg])
        }
    };
    if let Some(field) = seg.get_mut(16..18) {
        field.copy_from_slice(&sum.to_be_bytes());
    }
    seg
}

fn v6_octets(ip: IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// An IP packet carrying `tcp`: IPv4 (RFC 791 §3.1; Don't Fragment, TTL 64, header checksum)
/// when both addresses are IPv4, else IPv6 (RFC 8200 §3; hop limit 64).
fn ip_packet(src: IpAddr, dst: IpAddr, id: u16, tcp: &[u8]) -> Vec<u8> {
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let total = u16::try_from(20 + tcp.len()).unwrap_or(u16::MAX);
            let mut packet = Vec::with_capacity(20 + tcp.len());
            packet.extend_from_slice(&[0x45, 0]);
            packet.extend_from_slice(&total.to_be_bytes());
            packet.extend_from_slice(&id.to_be_bytes());
            packet.extend_from_slice(&[0x40, 0]); // Don't Fragment
            packet.extend_from_slice(&[64, PROTO_TCP, 0, 0]);
            packet.extend_from_slice(&s.octets());
            packet.extend_from_slice(&d.octets());
            let sum = internet_checksum(&[&packet]);
            if let Some(field) = packet.get_mut(10..12) {
                field.copy_from_slice(&sum.to_be_bytes());
            }
            packet.extend_from_slice(tcp);
            packet
        }
        (s, d) => {
            let len = u16::try_from(tcp.len()).unwrap_or(u16::MAX);
            let mut packet = Vec::with_capacity(40 + tcp.len());
            packet.extend_from_slice(&[0x60, 0, 0, 0]);
            packet.extend_from_slice(&len.to_be_bytes());
            packet.extend_from_slice(&[PROTO_TCP, 64]);
            packet.extend_from_slice(&v6_octets(s));
            packet.extend_from_slice(&v6_octets(d));
            packet.extend_from_slice(tcp);
            packet
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    use super::*;

    fn be16(b: &[u8], at: usize) -> u16 {
        u16::from_be_bytes([b[at], b[at + 1]])
    }
    fn be32(b: &[u8], at: usize) -> u32 {
        u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
    }

    /// (flags, seq, ack, payload length) of an IPv4 packet, with both checksums verified.
    fn parse(p: &[u8]) -> (u8, u32, u32, usize) {
        assert_eq!(p[0], 0x45);
        assert_eq!(usize::from(be16(p, 2)), p.len(), "IPv4 total length");
        assert_eq!(internet_checksum(&[&p[..20]]), 0, "IPv4 header checksum");
        let tcp = &p[20..];
        let mut pseudo = Vec::new();
        pseudo.extend_from_slice(&p[12..20]);
        pseudo.extend_from_slice(&[0, 6]);
        pseudo.extend_from_slice(&(tcp.len() as u16).to_be_bytes());
        assert_eq!(internet_checksum(&[&pseudo, tcp]), 0, "TCP checksum");
        let header = usize::from(tcp[12] >> 4) * 4;
        (tcp[13], be32(tcp, 4), be32(tcp, 8), tcp.len() - header)
    }

    #[test]
    fn checksum_known_answers() {
        // RFC 1071 §3's example: the sum of 0001 f203 f4f5 f6f7 is ddf2, complemented 220d.
        let words = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(internet_checksum(&[&words]), 0x220d);
        // Split anywhere, odd parts included, the sum is the same.
        assert_eq!(internet_checksum(&[&words[..3], &words[3..]]), 0x220d);
        assert_eq!(
            internet_checksum(&[&words[..1], &words[1..2], &words[2..7], &words[7..]]),
            0x220d
        );
        // A well-known IPv4 header (checksum field zeroed): its checksum is b861.
        let header = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(internet_checksum(&[&header]), 0xb861);
        // An odd length is padded with a zero byte.
        assert_eq!(internet_checksum(&[&[0x12]]), !0x1200);
    }

    #[test]
    fn tcp_checksum_known_answer() {
        // A SYN from 127.0.0.1:49152 to 127.0.0.2:15740, seq 1, window 0xffff, no options:
        // pseudo-header sum 7f00+0001+7f00+0002+0006+0014 = 0xfe1d; header sum
        // c000+3d7c+0000+0001+0000+0000+5002+ffff = 0x24d7e -> 0x4d80; total 0x14b9d -> 0x4b9e,
        // so the checksum is !0x4b9e = 0xb461.
        let seg = tcp_segment(
            (
                "127.0.0.1:49152".parse().unwrap(),
                "127.0.0.2:15740".parse().unwrap(),
            ),
            (1, 0),
            flag::SYN,
            &[],
            &[],
        );
        assert_eq!(be16(&seg, 16), 0xb461);
    }

    #[test]
    fn handshake_data_and_close_numbers() {
        let client: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        let server: SocketAddr = "127.0.0.1:15740".parse().unwrap();
        let mut flow = TcpFlow::new(client, server, 100, 5000);
        let open: Vec<_> = flow.open().iter().map(|p| parse(p)).collect();
        assert_eq!(
            open,
            [
                (flag::SYN, 100, 0, 0),
                (flag::SYN | flag::ACK, 5000, 101, 0),
                (flag::ACK, 101, 5001, 0)
            ]
        );
        let sent: Vec<_> = flow
            .data(Side::Client, b"hello")
            .iter()
            .map(|p| parse(p))
            .collect();
        assert_eq!(
            sent,
            [
                (flag::ACK | flag::PSH, 101, 5001, 5),
                (flag::ACK, 5001, 106, 0)
            ]
        );
        let close: Vec<_> = flow.close(Side::Server).iter().map(|p| parse(p)).collect();
        assert_eq!(
            close,
            [
                (flag::FIN | flag::ACK, 5001, 106, 0),
                (flag::FIN | flag::ACK, 106, 5002, 0),
                (flag::ACK, 5002, 107, 0)
            ]
        );
        assert!(flow.close(Side::Client).is_empty());
        assert!(flow.data(Side::Client, b"late").is_empty());
    }

    #[test]
    fn large_chunks_are_split_to_fit_ipv4() {
        let mut flow = TcpFlow::new(
            "127.0.0.1:1".parse().unwrap(),
            "127.0.0.1:2".parse().unwrap(),
            u32::MAX - 10, // the sequence numbers wrap
            0,
        );
        flow.open();
        let data = vec![7u8; 2 * MAX_SEGMENT + 3];
        let packets = flow.data(Side::Server, &data);
        let parsed: Vec<_> = packets.iter().map(|p| parse(p)).collect();
        assert_eq!(parsed.len(), 4);
        assert_eq!(packets[0].len(), 65_535);
        assert_eq!(parsed[0].1, 1);
        assert_eq!(parsed[1].1, 1 + MAX_SEGMENT as u32);
        assert_eq!(parsed[2].1, 1 + 2 * MAX_SEGMENT as u32);
        assert_eq!(parsed[2].3, 3);
        assert_eq!(parsed[0].0, flag::ACK);
        assert_eq!(parsed[2].0, flag::ACK | flag::PSH);
        // The client acknowledges everything.
        assert_eq!(parsed[3].2, 1 + data.len() as u32);
    }

    #[test]
    fn ipv6_flows() {
        let mut flow = TcpFlow::new(
            "[::1]:40000".parse().unwrap(),
            "[::1]:15740".parse().unwrap(),
            1,
            2,
        );
        let p = &flow.data(Side::Client, b"x")[0];
        assert_eq!(p[0] >> 4, 6);
        assert_eq!(usize::from(be16(p, 4)), p.len() - 40);
        let mut pseudo = Vec::new();
        pseudo.extend_from_slice(&p[8..40]);
        pseudo.extend_from_slice(&((p.len() - 40) as u32).to_be_bytes());
        pseudo.extend_from_slice(&[0, 0, 0, 6]);
        assert_eq!(internet_checksum(&[&pseudo, &p[40..]]), 0);
        // IPv4-mapped addresses are shown as IPv4.
        let mut mapped = TcpFlow::new(
            "[::ffff:127.0.0.1]:40000".parse().unwrap(),
            "[::ffff:127.0.0.1]:15740".parse().unwrap(),
            1,
            2,
        );
        assert_eq!(mapped.open()[0][0], 0x45);
    }

    proptest! {
        #[test]
        fn sequence_numbers_follow_the_bytes(
            chunks in proptest::collection::vec((any::<bool>(), 0usize..150_000), 0..8),
            isn in any::<u32>(),
        ) {
            let mut flow = TcpFlow::new(
                "127.0.0.1:1".parse().unwrap(), "127.0.0.1:2".parse().unwrap(), isn, !isn);
            flow.open();
            let mut next = [isn.wrapping_add(1), (!isn).wrapping_add(1)];
            for (from_client, len) in chunks {
                let side = if from_client { Side::Client } else { Side::Server };
                let i = usize::from(!from_client);
                for p in flow.data(side, &vec![0u8; len]) {
                    let (_, seq, ack, n) = parse(&p);
                    if n > 0 {
                        prop_assert_eq!(seq, next[i]);
                        prop_assert!(n <= MAX_SEGMENT);
                        next[i] = next[i].wrapping_add(n as u32);
                    } else {
                        prop_assert_eq!(ack, next[i]);
                    }
                }
            }
        }

        #[test]
        fn checksum_of_any_split_is_the_same(
            bytes in proptest::collection::vec(any::<u8>(), 0..64),
            a in 0usize..64, b in 0usize..64,
        ) {
            let (a, b) = (a.min(bytes.len()), b.min(bytes.len()));
            let (a, b) = (a.min(b), a.max(b));
            prop_assert_eq!(
                internet_checksum(&[&bytes[..a], &bytes[a..b], &bytes[b..]]),
                internet_checksum(&[&bytes]),
            );
        }
    }
}
