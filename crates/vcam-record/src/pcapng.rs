//! pcapng blocks (draft-ietf-opsawg-pcapng, "PCAP Now Generic (pcapng) Capture File Format"):
//! a Section Header Block, one Interface Description Block and Enhanced Packet Blocks, all in
//! little-endian byte order (the Section Header's byte-order magic tells readers so, §4.1).
//!
//! Every block is built whole in memory and written with one `write_all` followed by a
//! `flush`, so a recording cut off at any moment is readable up to its last whole block.

use std::io::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

/// Block Type of the Section Header Block (§4.1).
pub const SECTION_HEADER_BLOCK: u32 = 0x0A0D_0D0A;
/// Block Type of the Interface Description Block (§4.2).
pub const INTERFACE_DESCRIPTION_BLOCK: u32 = 0x0000_0001;
/// Block Type of the Enhanced Packet Block (§4.3).
pub const ENHANCED_PACKET_BLOCK: u32 = 0x0000_0006;
/// Byte-Order Magic of the Section Header Block (§4.1).
pub const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;

/// `opt_endofopt` (§3.5).
const OPT_ENDOFOPT: u16 = 0;
/// `shb_userappl`: the application that wrote the section (§4.1).
const SHB_USERAPPL: u16 = 4;
/// `if_tsresol`: the interface's timestamp resolution (§4.2).
const IF_TSRESOL: u16 = 9;
/// `if_tsresol` value: 10^-9 s, timestamps in nanoseconds.
const TSRESOL_NANOSECONDS: u8 = 9;

/// A link type (the LINKTYPE_ registry that draft-ietf-opsawg-pcaplinktype lists), written in
/// the Interface Description Block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkType(pub u16);

impl LinkType {
    /// `LINKTYPE_RAW` (101): each packet is a raw IPv4 or IPv6 packet, told apart by its
    /// version field.
    pub const RAW: Self = Self(101);
    /// `LINKTYPE_USB_LINUX_MMAPPED` (220): each packet is a Linux usbmon record, a 64-byte
    /// header followed by the data captured.
    pub const USB_LINUX_MMAPPED: Self = Self(220);
}

/// Appends `value` padded with zeros to a multiple of 32 bits (§3.1: block bodies and option
/// values are padded to 32 bits).
fn put_padded(block: &mut Vec<u8>, value: &[u8]) {
    block.extend_from_slice(value);
    block.resize(block.len() + padding(value.len()), 0);
}

/// Bytes of padding after `len` bytes to reach a multiple of 4.
const fn padding(len: usize) -> usize {
    (4 - len % 4) % 4
}

/// Appends one option (§3.5): its code, its length, its value padded to 32 bits.
fn put_option(block: &mut Vec<u8>, code: u16, value: &[u8]) {
    block.extend_from_slice(&code.to_le_bytes());
    let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
    block.extend_from_slice(&len.to_le_bytes());
    put_padded(block, value.get(..usize::from(len)).unwrap_or(value));
}

/// Wraps `body` as a block (§3.1): Block Type, Block Total Length, the body, and the Block
/// Total Length again.
fn block(kind: u32, body: &[u8]) -> Vec<u8> {
    let total = 12 + body.len();
    // A block longer than 4 GiB cannot be written; callers keep bodies far below that.
    let total32 = u32::try_from(total).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&total32.to_le_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&total32.to_le_bytes());
    out
}

/// A Section Header Block (§4.1): byte-order magic, version 1.0, section length unknown (-1),
/// and the writing application (`shb_userappl`).
#[must_use]
pub fn section_header_block(application: &str) -> Vec<u8> {
    let mut body = Vec::with_capacity(64);
    body.extend_from_slice(&BYTE_ORDER_MAGIC.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&(-1i64).to_le_bytes());
    put_option(&mut body, SHB_USERAPPL, application.as_bytes());
    put_option(&mut body, OPT_ENDOFOPT, &[]);
    block(SECTION_HEADER_BLOCK, &body)
}

/// An Interface Description Block (§4.2) for `link_type` with `snap_len` (0: no limit) and
/// timestamps in nanoseconds (`if_tsresol` 9).
#[must_use]
pub fn interface_description_block(link_type: LinkType, snap_len: u32) -> Vec<u8> {
    let mut body = Vec::with_capacity(24);
    body.extend_from_slice(&link_type.0.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&snap_len.to_le_bytes());
    put_option(&mut body, IF_TSRESOL, &[TSRESOL_NANOSECONDS]);
    put_option(&mut body, OPT_ENDOFOPT, &[]);
    block(INTERFACE_DESCRIPTION_BLOCK, &body)
}

/// Nanoseconds since the Unix epoch (0 before it).
fn nanoseconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// An Enhanced Packet Block (§4.3) on interface 0: the timestamp in units of the interface's
/// `if_tsresol` (nanoseconds) as two 32-bit halves, the captured and original lengths (both
/// `data.len()`), the data padded to 32 bits.
#[must_use]
pub fn enhanced_packet_block(time: SystemTime, data: &[u8]) -> Vec<u8> {
    let ts = nanoseconds(time);
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    let mut body = Vec::with_capacity(20 + data.len() + 3);
    body.extend_from_slice(&0u32.to_le_bytes());
    body.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
    body.extend_from_slice(&(ts as u32).to_le_bytes());
    body.extend_from_slice(&len.to_le_bytes());
    body.extend_from_slice(&len.to_le_bytes());
    put_padded(&mut body, data);
    block(ENHANCED_PACKET_BLOCK, &body)
}

/// A pcapng file being written: one section, one interface, its packets.
#[derive(Debug)]
pub struct PcapngWriter<W: Write> {
    out: W,
}

impl<W: Write> PcapngWriter<W> {
    /// Starts a file on `out`: writes (and flushes) the Section Header Block and the Interface
    /// Description Block for `link_type`.
    ///
    /// # Errors
    /// When writing fails.
    pub fn new(mut out: W, link_type: LinkType, snap_len: u32) -> io::Result<Self> {
        out.write_all(&section_header_block(concat!(
            "vcam ",
            env!("CARGO_PKG_VERSION")
        )))?;
        out.write_all(&interface_description_block(link_type, snap_len))?;
        out.flush()?;
        Ok(Self { out })
    }

    /// Writes one packet seen at `time` as an Enhanced Packet Block, and flushes.
    ///
    /// # Errors
    /// When writing fails (the file then ends at its last whole block, or inside this one).
    pub fn write_packet(&mut self, time: SystemTime, data: &[u8]) -> io::Result<()> {
        self.out.write_all(&enhanced_packet_block(time, data))?;
        self.out.flush()
    }

    /// The writer, back.
    pub fn into_inner(self) -> W {
        self.out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::time::Duration;

    use super::*;

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }

    /// Checks the framing every block shares (§3.1) and returns the blocks of `file`.
    fn blocks(file: &[u8]) -> Vec<(u32, &[u8])> {
        let mut out = Vec::new();
        let mut rest = file;
        while !rest.is_empty() {
            let kind = u32_at(rest, 0);
            let len = u32_at(rest, 4) as usize;
            assert_eq!(len % 4, 0, "block length {len} not a multiple of 4");
            assert_eq!(u32_at(rest, len - 4) as usize, len, "trailing length");
            out.push((kind, &rest[8..len - 4]));
            rest = &rest[len..];
        }
        out
    }

    #[test]
    fn section_and_interface_layout() {
        let shb = section_header_block("vcam");
        // 12 framing + 4 magic + 4 version + 8 section length + (4 + "vcam") + 4 end.
        assert_eq!(shb.len(), 12 + 16 + 8 + 4);
        assert_eq!(&shb[..4], &[0x0A, 0x0D, 0x0D, 0x0A]);
        assert_eq!(&shb[8..12], &[0x4D, 0x3C, 0x2B, 0x1A]);
        assert_eq!(&shb[12..16], &[1, 0, 0, 0]);
        assert_eq!(&shb[16..24], &[0xFF; 8]);
        assert_eq!(&shb[24..32], b"\x04\x00\x04\x00vcam");

        let idb = interface_description_block(LinkType::USB_LINUX_MMAPPED, 0);
        assert_eq!(idb.len(), 12 + 8 + 8 + 4);
        assert_eq!(&idb[8..12], &[220, 0, 0, 0]);
        // if_tsresol: code 9, length 1, value 9, three bytes of padding.
        assert_eq!(&idb[16..24], &[9, 0, 1, 0, 9, 0, 0, 0]);
        assert_eq!(&idb[24..28], &[0, 0, 0, 0]);
        assert_eq!(blocks(&[shb, idb].concat()).len(), 2);
    }

    #[test]
    fn odd_application_names_are_padded() {
        let shb = section_header_block("vcam 0.1");
        let body = blocks(&shb)[0].1;
        assert_eq!(&body[16..20], &[4, 0, 8, 0]);
        let shb = section_header_block("abcde");
        assert_eq!(shb.len() % 4, 0);
        assert_eq!(&blocks(&shb)[0].1[16..28], b"\x04\x00\x05\x00abcde\0\0\0");
    }

    #[test]
    fn enhanced_packet_layout_and_padding() {
        let t = UNIX_EPOCH + Duration::new(0x1_0000_0000 / 1_000_000_000 + 5, 7);
        for len in 0..9 {
            let data: Vec<u8> = (1..=len as u8).collect();
            let epb = enhanced_packet_block(t, &data);
            assert_eq!(epb.len(), 32 + len + padding(len), "{len}");
            assert_eq!(epb.len() % 4, 0);
            let (kind, body) = blocks(&epb)[0];
            assert_eq!(kind, ENHANCED_PACKET_BLOCK);
            assert_eq!(u32_at(body, 0), 0, "interface 0");
            let ts = (u64::from(u32_at(body, 4)) << 32) | u64::from(u32_at(body, 8));
            assert_eq!(ts, nanoseconds(t));
            assert_eq!(u32_at(body, 12) as usize, len);
            assert_eq!(u32_at(body, 16) as usize, len);
            assert_eq!(&body[20..20 + len], &data[..]);
            assert!(body[20 + len..].iter().all(|&b| b == 0));
        }
    }

    #[test]
    fn writer_flushes_whole_blocks() {
        let mut w = PcapngWriter::new(Vec::new(), LinkType::RAW, 65535).unwrap();
        w.write_packet(UNIX_EPOCH, b"abc").unwrap();
        w.write_packet(UNIX_EPOCH, b"").unwrap();
        let file = w.into_inner();
        let kinds: Vec<u32> = blocks(&file).iter().map(|b| b.0).collect();
        assert_eq!(
            kinds,
            [
                SECTION_HEADER_BLOCK,
                INTERFACE_DESCRIPTION_BLOCK,
                ENHANCED_PACKET_BLOCK,
                ENHANCED_PACKET_BLOCK
            ]
        );
    }
}
