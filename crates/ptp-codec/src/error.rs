//! Error types shared by every decoder and encoder in this crate.

/// Why bytes from the wire could not be decoded.
///
/// Every variant names the item being decoded (`what`, for example
/// `"DeviceInfo.Manufacturer"` or `"PTP/IP Init Command Request"`) and the byte offset where the
/// problem was found, counted from the start of the buffer handed to the decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input ended before the item did.
    #[error(
        "{what}: truncated at offset {offset}: needs {needed} more bytes, only {available} left"
    )]
    Truncated {
        /// The item being decoded.
        what: &'static str,
        /// Offset where the item (or the part of it that did not fit) starts.
        offset: usize,
        /// Bytes the item needs from `offset`.
        needed: usize,
        /// Bytes that were left at `offset`.
        available: usize,
    },
    /// The bytes are present but their value is not allowed.
    #[error("{what} at offset {offset}: {reason}")]
    Invalid {
        /// The item being decoded.
        what: &'static str,
        /// Offset of the offending value.
        offset: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A value claims more room than the configured limit; nothing was allocated for it.
    #[error("{what}: declared length {declared} exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The item being decoded.
        what: &'static str,
        /// The length the peer declared.
        declared: u64,
        /// The largest length accepted.
        limit: u64,
    },
    /// The item was decoded, but bytes are left over where none are allowed.
    #[error("{what}: {count} unexpected trailing bytes at offset {offset}")]
    TrailingBytes {
        /// The item that should have used the whole input.
        what: &'static str,
        /// Offset of the first trailing byte.
        offset: usize,
        /// How many bytes are left over.
        count: usize,
    },
}

/// Why a value could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The caller's buffer is too small for the encoded item.
    #[error("{what}: needs {needed} bytes, the buffer has {available}")]
    BufferTooSmall {
        /// The item being encoded.
        what: &'static str,
        /// Bytes the encoded item takes.
        needed: usize,
        /// Size of the buffer that was offered.
        available: usize,
    },
    /// The value does not fit the wire format (too many parameters, a string or payload too long).
    #[error("{what}: {len} exceeds the maximum of {max}")]
    TooLong {
        /// The item being encoded.
        what: &'static str,
        /// Its length (elements, UTF-16 units or bytes, depending on the item).
        len: usize,
        /// The largest length the format can carry.
        max: usize,
    },
}
