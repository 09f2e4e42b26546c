//! Incremental frame decoding for byte streams, for both framings: USB-style containers and
//! PTP/IP packets.
//!
//! A [`StreamDecoder`] never blocks and never buffers: the caller keeps the bytes it has
//! received but not yet consumed, and calls [`StreamDecoder::decode`] on them. The decoder
//! answers with a complete frame borrowed from those bytes, or with how many more bytes it
//! needs. Frames may be split anywhere.
//!
//! No frame is ever buffered on a peer's word: a frame that claims more than the configured
//! limit is an error, except data frames (USB data containers, PTP/IP Data and End Data),
//! which are then streamed: the decoder yields their head and then their body in pieces as
//! they arrive, so a 4 GiB upload passes through in bounded memory.
//!
//! ```
//! use ptp_codec::stream::{Decoded, StreamDecoder, PtpIp};
//!
//! let mut decoder = StreamDecoder::<PtpIp>::new(64 * 1024);
//! let wire = [8, 0, 0, 0, 13, 0, 0, 0]; // a Probe Request
//! let mut pending = Vec::new();
//! let mut frames = 0;
//! for byte in wire {
//!     pending.push(byte); // bytes arrive one at a time
//!     loop {
//!         match decoder.decode(&pending)? {
//!             Decoded::NeedMore(_) => break,
//!             Decoded::Frame(frame) => {
//!                 frames += 1;
//!                 let n = frame.len();
//!                 pending.drain(..n);
//!             }
//!             other => unreachable!("{other:?}"),
//!         }
//!     }
//! }
//! assert_eq!(frames, 1);
//! # Ok::<(), ptp_codec::DecodeError>(())
//! ```

use core::marker::PhantomData;

use crate::code::ContainerKind;
use crate::container::{self, UNKNOWN_LENGTH};
use crate::error::DecodeError;
use crate::ptpip::{self, PacketType};

/// How a framing finds frame boundaries.
pub trait Framing {
    /// Name used in errors.
    const NAME: &'static str;
    /// Bytes needed to learn a frame's length and kind.
    const PEEK_LEN: usize;
    /// Shortest valid frame.
    const MIN_LEN: usize;
    /// For frames that are streamed when large: the bytes that form their head (the part
    /// yielded as [`Decoded::Head`]).
    const STREAM_HEAD_LEN: usize;

    /// From the first [`Framing::PEEK_LEN`] bytes: the declared frame length (`None` when the
    /// sender does not know it) and whether this kind of frame carries bulk data that may be
    /// streamed.
    fn peek(head: &[u8]) -> (Option<u64>, bool);
}

/// USB-style containers (`u32` length, `u16` type, ...). Used on USB and by Fujifilm's WiFi
/// protocol. A data container with length 0xFFFFFFFF has no known length: its body lasts until
/// [`StreamDecoder::finish_body`] is called (on USB, at the short packet that ends it).
#[derive(Debug, Clone, Copy)]
pub enum Usb {}

impl Framing for Usb {
    const NAME: &'static str = "container";
    const PEEK_LEN: usize = 6;
    const MIN_LEN: usize = container::HEADER_LEN;
    const STREAM_HEAD_LEN: usize = container::HEADER_LEN;

    fn peek(head: &[u8]) -> (Option<u64>, bool) {
        let length = read_u32(head, 0);
        let is_data = Self::kind(head) == ContainerKind::DATA;
        if is_data && length == UNKNOWN_LENGTH {
            (None, true)
        } else {
            (Some(u64::from(length)), is_data)
        }
    }
}

/// PTP/IP packets (`u32` length, `u32` type, ...).
#[derive(Debug, Clone, Copy)]
pub enum PtpIp {}

impl Framing for PtpIp {
    const NAME: &'static str = "PTP/IP packet";
    const PEEK_LEN: usize = ptpip::HEADER_LEN;
    const MIN_LEN: usize = ptpip::HEADER_LEN;
    const STREAM_HEAD_LEN: usize = ptpip::DATA_HEADER_LEN;

    fn peek(head: &[u8]) -> (Option<u64>, bool) {
        let length = read_u32(head, 0);
        let kind = Self::kind(head);
        (
            Some(u64::from(length)),
            kind == PacketType::DATA || kind == PacketType::END_DATA,
        )
    }
}

/// Framings whose frames name their type in their first [`Framing::PEEK_LEN`] bytes, so the
/// type of a [`Decoded::Frame`] or of a streamed [`Decoded::Head`] can be read without parsing
/// the frame.
pub trait FrameKind: Framing {
    /// The type field's type.
    type Kind: Copy + Eq + core::fmt::Debug;

    /// The type of the frame that starts with `head` (a frame or a streamed head, which are at
    /// least [`Framing::PEEK_LEN`] bytes long; missing bytes read as zero).
    fn kind(head: &[u8]) -> Self::Kind;
}

impl FrameKind for Usb {
    type Kind = ContainerKind;

    /// The container type at offset 4.
    fn kind(head: &[u8]) -> ContainerKind {
        ContainerKind(u16::from_le_bytes([byte(head, 4), byte(head, 5)]))
    }
}

impl FrameKind for PtpIp {
    type Kind = PacketType;

    /// The packet type at offset 4.
    fn kind(head: &[u8]) -> PacketType {
        PacketType(read_u32(head, 4))
    }
}

fn byte(buf: &[u8], i: usize) -> u8 {
    buf.get(i).copied().unwrap_or(0)
}

fn read_u32(buf: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([
        byte(buf, at),
        byte(buf, at + 1),
        byte(buf, at + 2),
        byte(buf, at + 3),
    ])
}

/// What [`StreamDecoder::decode`] found at the start of the pending bytes.
///
/// Every variant but `NeedMore` borrows the bytes it covers; the caller consumes exactly
/// [`Decoded::consumed`] bytes before calling again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// A complete frame.
    Frame(&'a [u8]),
    /// The head of a data frame too large to hold whole; its body follows as
    /// [`Decoded::Body`] pieces.
    Head {
        /// The frame's first bytes ([`Framing::STREAM_HEAD_LEN`] of them).
        head: &'a [u8],
        /// Body bytes still to come after the head (`None`: until
        /// [`StreamDecoder::finish_body`]).
        body_len: Option<u64>,
    },
    /// A piece of a streamed body.
    Body(&'a [u8]),
    /// At least this many more bytes are needed (beyond those offered) to make progress.
    NeedMore(usize),
}

impl Decoded<'_> {
    /// Bytes the caller must consume after handling this item.
    #[must_use]
    pub const fn consumed(&self) -> usize {
        match self {
            Self::Frame(b) | Self::Head { head: b, .. } | Self::Body(b) => b.len(),
            Self::NeedMore(_) => 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between frames.
    Idle,
    /// Inside a streamed body.
    Body { remaining: Option<u64> },
}

/// Finds frames in a byte stream; see the [module documentation](self).
#[derive(Debug, Clone)]
pub struct StreamDecoder<F: Framing> {
    max_frame_len: usize,
    state: State,
    _framing: PhantomData<F>,
}

impl<F: Framing> StreamDecoder<F> {
    /// A decoder that holds frames of up to `max_frame_len` bytes whole and streams larger data
    /// frames. The limit is raised to the framing's streamed head size if smaller.
    #[must_use]
    pub fn new(max_frame_len: usize) -> Self {
        Self {
            max_frame_len: max_frame_len.max(F::STREAM_HEAD_LEN),
            state: State::Idle,
            _framing: PhantomData,
        }
    }

    /// The frame size limit.
    #[must_use]
    pub const fn max_frame_len(&self) -> usize {
        self.max_frame_len
    }

    /// Whether the decoder is inside a streamed body.
    #[must_use]
    pub const fn in_body(&self) -> bool {
        matches!(self.state, State::Body { .. })
    }

    /// Ends a body of unknown length (a USB data container whose length was 0xFFFFFFFF),
    /// when the transport sees its end. Returns whether a body was in progress.
    pub fn finish_body(&mut self) -> bool {
        let was = self.in_body();
        self.state = State::Idle;
        was
    }

    /// Looks at the pending bytes. After an error the stream cannot be resynchronised: the
    /// connection should be closed.
    pub fn decode<'a>(&mut self, pending: &'a [u8]) -> Result<Decoded<'a>, DecodeError> {
        match self.state {
            State::Idle => self.decode_frame(pending),
            State::Body { remaining } => Ok(self.decode_body(pending, remaining)),
        }
    }

    fn decode_body<'a>(&mut self, pending: &'a [u8], remaining: Option<u64>) -> Decoded<'a> {
        let take = match remaining {
            Some(left) => usize::try_from(left)
                .unwrap_or(usize::MAX)
                .min(pending.len()),
            None => pending.len(),
        };
        if take == 0 {
            return Decoded::NeedMore(1);
        }
        if let Some(left) = remaining {
            let left = left - take as u64;
            self.state = if left == 0 {
                State::Idle
            } else {
                State::Body {
                    remaining: Some(left),
                }
            };
        }
        Decoded::Body(pending.get(..take).unwrap_or_default())
    }

    fn decode_frame<'a>(&mut self, pending: &'a [u8]) -> Result<Decoded<'a>, DecodeError> {
        let Some(head) = pending.get(..F::PEEK_LEN) else {
            return Ok(Decoded::NeedMore(F::PEEK_LEN - pending.len()));
        };
        let (declared, streamable) = F::peek(head);
        if let Some(len) = declared
            && len < F::MIN_LEN as u64
        {
            return Err(DecodeError::Invalid {
                what: F::NAME,
                offset: 0,
                reason: "declared length is shorter than the header",
            });
        }
        let fits = declared
            .and_then(|len| usize::try_from(len).ok())
            .filter(|&len| len <= self.max_frame_len);
        if let Some(len) = fits {
            return Ok(match pending.get(..len) {
                Some(frame) => Decoded::Frame(frame),
                None => Decoded::NeedMore(len - pending.len()),
            });
        }
        if !streamable {
            return Err(DecodeError::TooLarge {
                what: F::NAME,
                declared: declared.unwrap_or(u64::MAX),
                limit: self.max_frame_len as u64,
            });
        }
        let Some(head) = pending.get(..F::STREAM_HEAD_LEN) else {
            return Ok(Decoded::NeedMore(F::STREAM_HEAD_LEN - pending.len()));
        };
        let body_len = declared.map(|len| len - F::STREAM_HEAD_LEN as u64);
        self.state = State::Body {
            remaining: body_len,
        };
        Ok(Decoded::Head { head, body_len })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    fn usb(len: u32, kind: u16) -> Vec<u8> {
        let mut v = vec![0u8; 12];
        v[..4].copy_from_slice(&len.to_le_bytes());
        v[4..6].copy_from_slice(&kind.to_le_bytes());
        v.resize(len.min(1 << 20) as usize, 0xcc);
        v
    }

    #[test]
    fn needs_header_then_frame() {
        let mut d = StreamDecoder::<Usb>::new(1024);
        let frame = usb(16, 1);
        assert_eq!(d.decode(&frame[..3]).unwrap(), Decoded::NeedMore(3));
        assert_eq!(d.decode(&frame[..10]).unwrap(), Decoded::NeedMore(6));
        assert_eq!(d.decode(&frame).unwrap(), Decoded::Frame(&frame[..]));
    }

    #[test]
    fn refuses_oversized_commands_without_allocating() {
        let mut d = StreamDecoder::<Usb>::new(1024);
        let mut head = usb(12, 1);
        head[..4].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
        assert!(matches!(
            d.decode(&head),
            Err(DecodeError::TooLarge {
                declared: 0x7fff_ffff,
                ..
            })
        ));
        head[..4].copy_from_slice(&3u32.to_le_bytes());
        assert!(matches!(d.decode(&head), Err(DecodeError::Invalid { .. })));
    }

    #[test]
    fn streams_large_data_frames() {
        let mut d = StreamDecoder::<Usb>::new(64);
        let mut frame = usb(12, 2);
        frame[..4].copy_from_slice(&112u32.to_le_bytes());
        frame.extend((0..100).map(|i| i as u8));
        let Decoded::Head { head, body_len } = d.decode(&frame).unwrap() else {
            panic!()
        };
        assert_eq!((head.len(), body_len), (12, Some(100)));
        assert_eq!(Usb::kind(head), ContainerKind::DATA);
        let mut body = Vec::new();
        let mut rest = &frame[12..];
        while !rest.is_empty() {
            let piece = &rest[..rest.len().min(30)];
            let Decoded::Body(b) = d.decode(piece).unwrap() else {
                panic!()
            };
            body.extend_from_slice(b);
            rest = &rest[b.len()..];
        }
        assert_eq!(body, frame[12..]);
        assert!(!d.in_body());
        assert_eq!(d.decode(&[]).unwrap(), Decoded::NeedMore(6));
    }

    #[test]
    fn unknown_length_body_ends_on_request() {
        let mut d = StreamDecoder::<Usb>::new(64);
        let mut frame = usb(12, 2);
        frame[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            d.decode(&frame).unwrap(),
            Decoded::Head { body_len: None, .. }
        ));
        assert_eq!(d.decode(b"xyz").unwrap(), Decoded::Body(b"xyz"));
        assert!(d.finish_body());
        assert!(!d.in_body());
    }

    #[test]
    fn ptpip_data_packets_stream_and_others_do_not() {
        let mut d = StreamDecoder::<PtpIp>::new(16);
        let data = [40, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0];
        let Decoded::Head {
            head,
            body_len: Some(28),
        } = d.decode(&data).unwrap()
        else {
            panic!()
        };
        assert_eq!(PtpIp::kind(head), PacketType::DATA);
        assert_eq!(PtpIp::kind(&[0; 8][..6]), PacketType(0));
        let mut d = StreamDecoder::<PtpIp>::new(16);
        let req = [40, 0, 0, 0, 6, 0, 0, 0];
        assert!(matches!(d.decode(&req), Err(DecodeError::TooLarge { .. })));
    }
}
