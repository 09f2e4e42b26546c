//! USB-style generic containers (ISO 15740:2013 annex D.7.1.1; USB Still Image Capture Device
//! Definition 1.0 §7.1.1): a 12-byte header (`u32` length including the header, `u16` type,
//! `u16` code, `u32` TransactionID) followed by parameters or a data payload.
//!
//! The same container layout is used by Fujifilm's WiFi protocol and internally by vcam as the
//! transport-neutral form of a PTP phase.
//!
//! [`Container`] is a checked view: after [`Container::new_checked`] succeeds no accessor can
//! panic, and the payload is borrowed from the input. [`ContainerRepr`] and [`DataContainer`]
//! are the owned forms, with `parse` and `emit` into a caller's buffer.

use core::fmt;
use core::ops::Deref;

use zerocopy::little_endian::{U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::code::{ContainerKind, EventCode, OperationCode, ResponseCode};
use crate::error::{DecodeError, EncodeError};

/// Size of the container header.
pub const HEADER_LEN: usize = 12;

/// Length field value meaning "longer than 4 GiB, read until a short packet" (USB Still Image
/// class §7.1.1), used for data containers whose total size does not fit a `u32`.
pub const UNKNOWN_LENGTH: u32 = u32::MAX;

/// The 12-byte container header as it is on the wire.
#[derive(Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ContainerHeader {
    length: U32,
    kind: U16,
    code: U16,
    transaction_id: U32,
}

const _: () = assert!(size_of::<ContainerHeader>() == HEADER_LEN);

impl ContainerHeader {
    /// A header with the given fields.
    #[must_use]
    pub fn new(length: u32, kind: ContainerKind, code: u16, transaction_id: u32) -> Self {
        Self {
            length: U32::new(length),
            kind: U16::new(kind.0),
            code: U16::new(code),
            transaction_id: U32::new(transaction_id),
        }
    }

    /// Total container length in bytes, header included ([`UNKNOWN_LENGTH`] for huge data).
    #[must_use]
    pub fn length(&self) -> u32 {
        self.length.get()
    }

    /// Container type.
    #[must_use]
    pub fn kind(&self) -> ContainerKind {
        ContainerKind(self.kind.get())
    }

    /// Operation, response or event code, depending on the type.
    #[must_use]
    pub fn code(&self) -> u16 {
        self.code.get()
    }

    /// TransactionID.
    #[must_use]
    pub fn transaction_id(&self) -> u32 {
        self.transaction_id.get()
    }

    /// The header's 12 bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; HEADER_LEN] {
        zerocopy::transmute_ref!(self)
    }

    /// Reads a header from the start of `buf` (no check of the length field).
    pub fn read(buf: &[u8]) -> Result<&Self, DecodeError> {
        Self::ref_from_prefix(buf)
            .map(|(header, _)| header)
            .map_err(|_| DecodeError::Truncated {
                what: "container header",
                offset: 0,
                needed: HEADER_LEN,
                available: buf.len(),
            })
    }
}

impl fmt::Debug for ContainerHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContainerHeader")
            .field("length", &self.length())
            .field("kind", &self.kind())
            .field("code", &format_args!("{:#06x}", self.code()))
            .field("transaction_id", &self.transaction_id())
            .finish()
    }
}

/// A checked view of one container at the start of a buffer, payload borrowed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Container<'a> {
    header: &'a ContainerHeader,
    payload: &'a [u8],
}

impl<'a> Container<'a> {
    /// Checks that `buf` starts with a complete container and returns a view of it. Bytes after
    /// the container are ignored (see [`Container::len`]).
    pub fn new_checked(buf: &'a [u8]) -> Result<Self, DecodeError> {
        let header = ContainerHeader::read(buf)?;
        let length = header.length() as usize;
        if length < HEADER_LEN {
            return Err(DecodeError::Invalid {
                what: "container length",
                offset: 0,
                reason: "shorter than the 12-byte header",
            });
        }
        let payload = buf.get(HEADER_LEN..length).ok_or(DecodeError::Truncated {
            what: "container",
            offset: 0,
            needed: length,
            available: buf.len(),
        })?;
        Ok(Self { header, payload })
    }

    /// The header.
    #[must_use]
    pub const fn header(&self) -> &'a ContainerHeader {
        self.header
    }

    /// Total length of the container in bytes.
    #[must_use]
    pub const fn len(&self) -> usize {
        HEADER_LEN + self.payload.len()
    }

    /// Always false: a container has at least its header.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        false
    }

    /// Container type.
    #[must_use]
    pub fn kind(&self) -> ContainerKind {
        self.header.kind()
    }

    /// Code field.
    #[must_use]
    pub fn code(&self) -> u16 {
        self.header.code()
    }

    /// TransactionID.
    #[must_use]
    pub fn transaction_id(&self) -> u32 {
        self.header.transaction_id()
    }

    /// Everything after the header.
    #[must_use]
    pub const fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// The payload read as parameters (command, response and event containers).
    pub fn params(&self) -> Result<Params, DecodeError> {
        Params::from_le_bytes(self.payload, HEADER_LEN)
    }
}

impl fmt::Debug for Container<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Container")
            .field("header", self.header)
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

/// Up to five `u32` operation, response or event parameters (ISO 15740:2013 §9.3).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Params {
    len: u8,
    values: [u32; Self::MAX],
}

impl Params {
    /// Most parameters a PTP operation, response or event container carries.
    pub const MAX: usize = 5;

    /// No parameters.
    #[must_use]
    pub const fn empty() -> Self {
        Self {
            len: 0,
            values: [0; Self::MAX],
        }
    }

    /// Parameters from a slice of at most [`Params::MAX`] values.
    pub fn new(values: &[u32]) -> Result<Self, EncodeError> {
        let mut params = Self::empty();
        let slot = params
            .values
            .get_mut(..values.len())
            .ok_or(EncodeError::TooLong {
                what: "parameters",
                len: values.len(),
                max: Self::MAX,
            })?;
        slot.copy_from_slice(values);
        params.len = values.len() as u8;
        Ok(params)
    }

    /// Reads `bytes` as little-endian `u32` parameters; `base` is the offset of `bytes` in the
    /// message, for error reporting.
    pub fn from_le_bytes(bytes: &[u8], base: usize) -> Result<Self, DecodeError> {
        let (words, rest) = bytes.as_chunks::<4>();
        if !rest.is_empty() {
            return Err(DecodeError::Invalid {
                what: "parameters",
                offset: base,
                reason: "length is not a multiple of 4",
            });
        }
        if words.len() > Self::MAX {
            return Err(DecodeError::Invalid {
                what: "parameters",
                offset: base + 4 * Self::MAX,
                reason: "more than 5 parameters",
            });
        }
        let mut params = Self::empty();
        for (slot, word) in params.values.iter_mut().zip(words) {
            *slot = u32::from_le_bytes(*word);
        }
        params.len = words.len() as u8;
        Ok(params)
    }

    /// The parameters as a slice.
    #[must_use]
    pub fn as_slice(&self) -> &[u32] {
        self.values.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// Parameter `index`, or `None` when fewer were given.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<u32> {
        self.as_slice().get(index).copied()
    }

    /// Parameter `index`, or 0 when fewer were given (the reading ISO 15740 prescribes for
    /// optional parameters that were left out).
    #[must_use]
    pub fn get_or_zero(&self, index: usize) -> u32 {
        self.get(index).unwrap_or(0)
    }

    /// Appends a parameter; fails when five are already present.
    pub fn push(&mut self, value: u32) -> Result<(), EncodeError> {
        let slot = self
            .values
            .get_mut(usize::from(self.len))
            .ok_or(EncodeError::TooLong {
                what: "parameters",
                len: Self::MAX + 1,
                max: Self::MAX,
            })?;
        *slot = value;
        self.len += 1;
        Ok(())
    }

    /// Writes the parameters little-endian into `buf`, which must hold `4 * len` bytes.
    fn write(&self, buf: &mut [u8]) {
        for (chunk, value) in buf.chunks_exact_mut(4).zip(self.as_slice()) {
            chunk.copy_from_slice(&value.to_le_bytes());
        }
    }
}

impl Deref for Params {
    type Target = [u32];

    fn deref(&self) -> &[u32] {
        self.as_slice()
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Hex(u32);
        impl fmt::Debug for Hex {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:#x}", self.0)
            }
        }
        f.debug_list()
            .entries(self.as_slice().iter().map(|&p| Hex(p)))
            .finish()
    }
}

impl TryFrom<&[u32]> for Params {
    type Error = EncodeError;

    fn try_from(values: &[u32]) -> Result<Self, Self::Error> {
        Self::new(values)
    }
}

impl<const N: usize> From<[u32; N]> for Params
where
    [u32; N]: SmallArray,
{
    fn from(values: [u32; N]) -> Self {
        let mut params = Self::empty();
        for (slot, value) in params.values.iter_mut().zip(values) {
            *slot = value;
        }
        params.len = N as u8;
        params
    }
}

/// Arrays of 0 to 5 elements, the sizes that convert into [`Params`] without a check.
pub trait SmallArray: sealed::Sealed {}
impl SmallArray for [u32; 0] {}
impl SmallArray for [u32; 1] {}
impl SmallArray for [u32; 2] {}
impl SmallArray for [u32; 3] {}
impl SmallArray for [u32; 4] {}
impl SmallArray for [u32; 5] {}
mod sealed {
    pub trait Sealed {}
    impl<const N: usize> Sealed for [u32; N] {}
}

/// A command, response or event container (everything after the header is parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContainerRepr {
    /// Container type.
    pub kind: ContainerKind,
    /// Operation, response or event code.
    pub code: u16,
    /// TransactionID.
    pub transaction_id: u32,
    /// Parameters.
    pub params: Params,
}

impl ContainerRepr {
    /// A command container (operation request).
    #[must_use]
    pub fn command(code: OperationCode, transaction_id: u32, params: impl Into<Params>) -> Self {
        Self {
            kind: ContainerKind::COMMAND,
            code: code.0,
            transaction_id,
            params: params.into(),
        }
    }

    /// A response container.
    #[must_use]
    pub fn response(code: ResponseCode, transaction_id: u32, params: impl Into<Params>) -> Self {
        Self {
            kind: ContainerKind::RESPONSE,
            code: code.0,
            transaction_id,
            params: params.into(),
        }
    }

    /// An event container.
    #[must_use]
    pub fn event(code: EventCode, transaction_id: u32, params: impl Into<Params>) -> Self {
        Self {
            kind: ContainerKind::EVENT,
            code: code.0,
            transaction_id,
            params: params.into(),
        }
    }

    /// Reads a parameter container from a checked view.
    pub fn parse(container: &Container<'_>) -> Result<Self, DecodeError> {
        if container.kind() == ContainerKind::DATA {
            return Err(DecodeError::Invalid {
                what: "container type",
                offset: 4,
                reason: "a data container has a payload, not parameters",
            });
        }
        Ok(Self {
            kind: container.kind(),
            code: container.code(),
            transaction_id: container.transaction_id(),
            params: container.params()?,
        })
    }

    /// Checks and reads a parameter container at the start of `buf`.
    pub fn parse_bytes(buf: &[u8]) -> Result<Self, DecodeError> {
        Self::parse(&Container::new_checked(buf)?)
    }

    /// Encoded length.
    #[must_use]
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + 4 * self.params.len()
    }

    /// Writes the container at the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        let len = self.buffer_len();
        let available = buf.len();
        let out = buf.get_mut(..len).ok_or(EncodeError::BufferTooSmall {
            what: "container",
            needed: len,
            available,
        })?;
        let (head, params) = out.split_at_mut(HEADER_LEN);
        head.copy_from_slice(
            ContainerHeader::new(len as u32, self.kind, self.code, self.transaction_id).as_bytes(),
        );
        self.params.write(params);
        Ok(len)
    }
}

/// A data container: code, TransactionID and a borrowed payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataContainer<'a> {
    /// The operation code of the transaction the data belongs to.
    pub code: u16,
    /// TransactionID.
    pub transaction_id: u32,
    /// The data.
    pub payload: &'a [u8],
}

impl<'a> DataContainer<'a> {
    /// Reads a data container from a checked view.
    pub fn parse(container: &Container<'a>) -> Result<Self, DecodeError> {
        if container.kind() != ContainerKind::DATA {
            return Err(DecodeError::Invalid {
                what: "container type",
                offset: 4,
                reason: "expected a data container",
            });
        }
        Ok(Self {
            code: container.code(),
            transaction_id: container.transaction_id(),
            payload: container.payload(),
        })
    }

    /// Encoded length.
    #[must_use]
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN + self.payload.len()
    }

    /// Writes the container at the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        let len = self.buffer_len();
        let available = buf.len();
        let out = buf.get_mut(..len).ok_or(EncodeError::BufferTooSmall {
            what: "data container",
            needed: len,
            available,
        })?;
        let (head, payload) = out.split_at_mut(HEADER_LEN);
        emit_data_header(
            head,
            self.code,
            self.transaction_id,
            Some(self.payload.len() as u64),
        )?;
        payload.copy_from_slice(self.payload);
        Ok(len)
    }
}

/// Writes only the header of a data container, for payloads streamed after it.
///
/// `payload_len` is the payload size when known; `None`, or a size that makes the container
/// longer than `u32::MAX - 1` bytes, writes [`UNKNOWN_LENGTH`] and the receiver reads until a
/// short packet. Returns [`HEADER_LEN`].
pub fn emit_data_header(
    buf: &mut [u8],
    code: u16,
    transaction_id: u32,
    payload_len: Option<u64>,
) -> Result<usize, EncodeError> {
    let available = buf.len();
    let head = buf
        .get_mut(..HEADER_LEN)
        .ok_or(EncodeError::BufferTooSmall {
            what: "data container header",
            needed: HEADER_LEN,
            available,
        })?;
    let length = payload_len
        .and_then(|n| n.checked_add(HEADER_LEN as u64))
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n != UNKNOWN_LENGTH)
        .unwrap_or(UNKNOWN_LENGTH);
    head.copy_from_slice(
        ContainerHeader::new(length, ContainerKind::DATA, code, transaction_id).as_bytes(),
    );
    Ok(HEADER_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN_SESSION: [u8; 16] = [0x10, 0, 0, 0, 1, 0, 0x02, 0x10, 0, 0, 0, 0, 1, 0, 0, 0];

    #[test]
    fn view_and_repr_of_a_command() {
        let c = Container::new_checked(&OPEN_SESSION).unwrap();
        assert_eq!(c.kind(), ContainerKind::COMMAND);
        assert_eq!(c.code(), 0x1002);
        assert_eq!(c.len(), 16);
        let repr = ContainerRepr::parse(&c).unwrap();
        assert_eq!(
            repr,
            ContainerRepr::command(OperationCode::OPEN_SESSION, 0, [1])
        );
        let mut buf = [0xa5; 20];
        assert_eq!(repr.emit(&mut buf).unwrap(), 16);
        assert_eq!(buf[..16], OPEN_SESSION);
        assert_eq!(buf[16..], [0xa5; 4]);
    }

    #[test]
    fn rejects_bad_lengths_and_params() {
        assert!(matches!(
            Container::new_checked(&OPEN_SESSION[..11]),
            Err(DecodeError::Truncated { .. })
        ));
        assert!(matches!(
            Container::new_checked(&OPEN_SESSION[..15]),
            Err(DecodeError::Truncated { .. })
        ));
        let mut short = OPEN_SESSION;
        short[0] = 4;
        assert!(matches!(
            Container::new_checked(&short),
            Err(DecodeError::Invalid { .. })
        ));
        let mut odd = [0u8; 14];
        odd[0] = 14;
        odd[4] = 1;
        assert!(ContainerRepr::parse_bytes(&odd).is_err());
        let mut six = [0u8; 36];
        six[0] = 36;
        six[4] = 3;
        assert!(ContainerRepr::parse_bytes(&six).is_err());
    }

    #[test]
    fn data_container_round_trip_and_streaming_header() {
        let data = DataContainer {
            code: 0x1009,
            transaction_id: 7,
            payload: b"JPEG",
        };
        let mut buf = [0xa5; 17];
        assert_eq!(data.emit(&mut buf).unwrap(), 16);
        assert_eq!(buf[16], 0xa5);
        let parsed = DataContainer::parse(&Container::new_checked(&buf).unwrap()).unwrap();
        assert_eq!(parsed, data);
        let mut head = [0u8; 12];
        emit_data_header(&mut head, 0x1009, 1, Some(5 << 30)).unwrap();
        assert_eq!(
            ContainerHeader::read(&head).unwrap().length(),
            UNKNOWN_LENGTH
        );
        emit_data_header(&mut head, 0x1009, 1, Some(100)).unwrap();
        assert_eq!(ContainerHeader::read(&head).unwrap().length(), 112);
        assert!(emit_data_header(&mut [0u8; 11], 0x1009, 1, None).is_err());
    }

    #[test]
    fn params_limits() {
        assert!(Params::new(&[1, 2, 3, 4, 5]).is_ok());
        assert!(Params::new(&[1, 2, 3, 4, 5, 6]).is_err());
        let mut p = Params::from([1, 2, 3, 4]);
        p.push(5).unwrap();
        assert!(p.push(6).is_err());
        assert_eq!(p.get(4), Some(5));
        assert_eq!(Params::empty().get_or_zero(2), 0);
    }
}
