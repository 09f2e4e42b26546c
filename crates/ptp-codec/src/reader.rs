//! A bounds-checked little-endian reader over a borrowed byte slice.

use crate::error::DecodeError;

/// Reads PTP primitive values from a borrowed slice, never past its end.
///
/// Every method takes `what`, the name of the field being read, so that an error says exactly
/// which field was malformed and at which offset. Offsets in errors count from the start of the
/// buffer the reader was created over, plus the base passed to [`Reader::with_base`].
///
/// ```
/// use ptp_codec::Reader;
/// let mut r = Reader::new(&[0x01, 0x10, 0x2a, 0, 0, 0]);
/// assert_eq!(r.u16("code")?, 0x1001);
/// assert_eq!(r.u32("param")?, 42);
/// assert!(r.u8("extra").is_err());
/// # Ok::<(), ptp_codec::DecodeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

macro_rules! read_int {
    ($($(#[$m:meta])* $name:ident -> $ty:ty;)*) => {$(
        $(#[$m])*
        #[inline]
        pub fn $name(&mut self, what: &'static str) -> Result<$ty, DecodeError> {
            self.array::<{ core::mem::size_of::<$ty>() }>(what).map(<$ty>::from_le_bytes)
        }
    )*};
}

impl<'a> Reader<'a> {
    /// A reader over `buf`, starting at offset 0.
    #[must_use]
    pub const fn new(buf: &'a [u8]) -> Self {
        Self {
            buf,
            pos: 0,
            base: 0,
        }
    }

    /// A reader over `buf` whose error offsets start at `base` (the position of `buf` inside a
    /// larger message, such as the 12 bytes of a container header before its payload).
    #[must_use]
    pub const fn with_base(buf: &'a [u8], base: usize) -> Self {
        Self { buf, pos: 0, base }
    }

    /// Offset of the next byte, as used in error messages.
    #[must_use]
    pub const fn position(&self) -> usize {
        self.base + self.pos
    }

    /// Bytes not read yet.
    #[must_use]
    pub const fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Whether every byte has been read.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The unread bytes, without consuming them.
    #[must_use]
    pub fn peek_rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// Consumes and returns every unread byte.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = self.peek_rest();
        self.pos = self.buf.len();
        rest
    }

    /// Consumes `n` bytes and returns them, borrowed from the input.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let bytes = self
            .pos
            .checked_add(n)
            .and_then(|end| self.buf.get(self.pos..end))
            .ok_or_else(|| self.truncated(what, n))?;
        self.pos += n;
        Ok(bytes)
    }

    /// Consumes `N` bytes into an array.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let bytes = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// Consumes `n` bytes and returns a reader over them whose error offsets stay correct.
    pub fn sub(&mut self, n: usize, what: &'static str) -> Result<Self, DecodeError> {
        let base = self.position();
        let bytes = self.take(n, what)?;
        Ok(Self::with_base(bytes, base))
    }

    read_int! {
        /// Reads a `UINT8`.
        u8 -> u8;
        /// Reads an `INT8`.
        i8 -> i8;
        /// Reads a little-endian `UINT16`.
        u16 -> u16;
        /// Reads a little-endian `INT16`.
        i16 -> i16;
        /// Reads a little-endian `UINT32`.
        u32 -> u32;
        /// Reads a little-endian `INT32`.
        i32 -> i32;
        /// Reads a little-endian `UINT64`.
        u64 -> u64;
        /// Reads a little-endian `INT64`.
        i64 -> i64;
        /// Reads a little-endian `UINT128`.
        u128 -> u128;
        /// Reads a little-endian `INT128`.
        i128 -> i128;
    }

    /// Reads the `u32` element count of a PTP array (ISO 15740:2013 §5.4.3) and checks that
    /// `count` elements of at least `min_element_len` bytes each can still be in the input.
    ///
    /// This is what keeps a peer's claim from sizing an allocation: the count is only trusted
    /// once the bytes for it are known to be present.
    pub fn count(
        &mut self,
        min_element_len: usize,
        what: &'static str,
    ) -> Result<usize, DecodeError> {
        let at = self.position();
        let count = self.u32(what)?;
        let count = usize::try_from(count).map_err(|_| DecodeError::Invalid {
            what,
            offset: at,
            reason: "element count does not fit this platform",
        })?;
        let needed = count.saturating_mul(min_element_len.max(1));
        if needed > self.remaining() {
            return Err(DecodeError::Truncated {
                what,
                offset: self.position(),
                needed,
                available: self.remaining(),
            });
        }
        Ok(count)
    }

    /// Fails with [`DecodeError::TrailingBytes`] unless every byte has been read.
    pub fn expect_end(&self, what: &'static str) -> Result<(), DecodeError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes {
                what,
                offset: self.position(),
                count: self.remaining(),
            })
        }
    }

    /// An [`DecodeError::Invalid`] error at the current position.
    #[must_use]
    pub const fn invalid(&self, what: &'static str, reason: &'static str) -> DecodeError {
        DecodeError::Invalid {
            what,
            offset: self.position(),
            reason,
        }
    }

    /// An [`DecodeError::Invalid`] error at an earlier position (from [`Reader::position`]).
    #[must_use]
    pub const fn invalid_at(
        what: &'static str,
        offset: usize,
        reason: &'static str,
    ) -> DecodeError {
        DecodeError::Invalid {
            what,
            offset,
            reason,
        }
    }

    const fn truncated(&self, what: &'static str, needed: usize) -> DecodeError {
        DecodeError::Truncated {
            what,
            offset: self.position(),
            needed,
            available: self.remaining(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_little_endian_and_stops_at_the_end() {
        let mut r = Reader::new(&[1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(r.u16("a").unwrap(), 0x0201);
        assert_eq!(r.u32("b").unwrap(), 0x0605_0403);
        assert_eq!(
            r.u16("c"),
            Err(DecodeError::Truncated {
                what: "c",
                offset: 6,
                needed: 2,
                available: 1
            })
        );
        // A failed read consumes nothing.
        assert_eq!(r.u8("d").unwrap(), 7);
        assert!(r.is_empty());
    }

    #[test]
    fn count_refuses_claims_larger_than_the_input() {
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff, 0, 0]);
        let err = r.count(2, "array").unwrap_err();
        assert!(matches!(
            err,
            DecodeError::Truncated {
                what: "array",
                offset: 4,
                ..
            }
        ));
        let mut r = Reader::new(&[1, 0, 0, 0, 9, 0]);
        assert_eq!(r.count(2, "array").unwrap(), 1);
    }

    #[test]
    fn sub_reader_keeps_offsets() {
        let mut r = Reader::with_base(&[0, 0, 1], 12);
        r.u16("skip").unwrap();
        let mut sub = r.sub(1, "sub").unwrap();
        assert_eq!(sub.position(), 14);
        sub.u8("x").unwrap();
        assert_eq!(
            sub.u8("y"),
            Err(DecodeError::Truncated {
                what: "y",
                offset: 15,
                needed: 1,
                available: 0
            })
        );
    }
}
