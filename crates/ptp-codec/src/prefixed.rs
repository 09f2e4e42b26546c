//! Length-prefixed records: a little-endian `u32` length that counts its own four bytes, then
//! the body.
//!
//! This is the shape of every PTP length field (the container length, ISO 15740:2013 §D.7.1.1;
//! the PTP/IP packet length, CIPA DC-005 §2.3) and of vendor records such as Canon's GetEvent
//! records. [`LengthPrefixed`] writes one without knowing the length up front; it reserves the
//! four bytes and patches them when the record is finished, as rustls' `LengthPrefixedBuffer`
//! does. [`read_length_prefixed`] reads one back.

use alloc::vec::Vec;
use core::ops::{Deref, DerefMut};

use crate::error::DecodeError;
use crate::reader::Reader;

/// Size of the length field.
const PREFIX_LEN: usize = 4;

/// A record being appended to a `Vec<u8>`: four bytes reserved for its length, patched with the
/// record's final length (prefix included) when it is finished or dropped.
///
/// It dereferences to the vector, so anything that appends to a `Vec<u8>`, including
/// [`Encode::encode`](crate::Encode::encode) and another `LengthPrefixed`, writes the body.
///
/// ```
/// use ptp_codec::{Encode, LengthPrefixed, Reader, read_length_prefixed};
///
/// let mut out = Vec::new();
/// {
///     let mut record = LengthPrefixed::new(&mut out);
///     0xC18Bu32.encode(&mut record);
///     1u32.encode(&mut record);
/// } // patched here
/// assert_eq!(out, [12, 0, 0, 0, 0x8B, 0xC1, 0, 0, 1, 0, 0, 0]);
///
/// let mut r = Reader::new(&out);
/// let mut body = read_length_prefixed(&mut r, "record")?;
/// assert_eq!(body.u32("type")?, 0xC18B);
/// assert_eq!(body.u32("status")?, 1);
/// # Ok::<(), ptp_codec::DecodeError>(())
/// ```
#[derive(Debug)]
pub struct LengthPrefixed<'a> {
    out: &'a mut Vec<u8>,
    start: usize,
}

impl<'a> LengthPrefixed<'a> {
    /// Starts a record at the end of `out` by reserving its length field.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        let start = out.len();
        out.extend_from_slice(&[0; PREFIX_LEN]);
        Self { out, start }
    }

    /// Bytes written so far, length field included.
    #[must_use]
    pub fn written(&self) -> usize {
        self.out.len().saturating_sub(self.start)
    }

    /// Finishes the record and returns its length, prefix included. Dropping the record does
    /// the same without returning the length.
    pub fn finish(self) -> usize {
        self.written()
    }

    /// Writes the length field. A record longer than `u32::MAX` bytes, which no PTP peer can
    /// receive, saturates.
    fn patch(&mut self) {
        let len = u32::try_from(self.written()).unwrap_or(u32::MAX);
        let end = self.start.saturating_add(PREFIX_LEN);
        // The body may have been truncated below the prefix through `DerefMut`; then there is
        // nothing left to patch.
        if let Some(field) = self.out.get_mut(self.start..end) {
            field.copy_from_slice(&len.to_le_bytes());
        }
    }
}

impl Deref for LengthPrefixed<'_> {
    type Target = Vec<u8>;

    fn deref(&self) -> &Vec<u8> {
        self.out
    }
}

impl DerefMut for LengthPrefixed<'_> {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        self.out
    }
}

impl Drop for LengthPrefixed<'_> {
    fn drop(&mut self) {
        self.patch();
    }
}

/// Reads the length field of a record written by [`LengthPrefixed`] and returns a reader over
/// its body (the `length - 4` bytes after the field), leaving `r` after the record.
///
/// # Errors
/// [`DecodeError::Invalid`] when the length is smaller than the field itself,
/// [`DecodeError::Truncated`] when the input ends inside the field or the body.
pub fn read_length_prefixed<'a>(
    r: &mut Reader<'a>,
    what: &'static str,
) -> Result<Reader<'a>, DecodeError> {
    let at = r.position();
    let len = r.u32(what)?;
    let body = usize::try_from(len)
        .ok()
        .and_then(|len| len.checked_sub(PREFIX_LEN))
        .ok_or(Reader::invalid_at(
            what,
            at,
            "length is smaller than its own 4 bytes",
        ))?;
    r.sub(body, what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Encode;
    use alloc::vec;

    #[test]
    fn patches_on_drop_and_on_finish() {
        let mut out = vec![0xAA];
        {
            let mut rec = LengthPrefixed::new(&mut out);
            rec.extend_from_slice(b"abc");
            assert_eq!(rec.written(), 7);
        }
        assert_eq!(out, [0xAA, 7, 0, 0, 0, b'a', b'b', b'c']);
        let mut out = Vec::new();
        let rec = LengthPrefixed::new(&mut out);
        assert_eq!(rec.finish(), 4);
        assert_eq!(out, [4, 0, 0, 0]);
    }

    #[test]
    fn nests() {
        let mut out = Vec::new();
        let mut outer = LengthPrefixed::new(&mut out);
        7u16.encode(&mut outer);
        {
            let mut inner = LengthPrefixed::new(&mut outer);
            inner.push(1);
        }
        assert_eq!(outer.finish(), 11);
        assert_eq!(out, [11, 0, 0, 0, 7, 0, 5, 0, 0, 0, 1]);
        let mut r = Reader::new(&out);
        let mut body = read_length_prefixed(&mut r, "outer").unwrap();
        assert!(r.is_empty());
        assert_eq!(body.u16("x").unwrap(), 7);
        let mut inner = read_length_prefixed(&mut body, "inner").unwrap();
        assert_eq!(inner.position(), 10);
        assert_eq!(inner.rest(), [1]);
    }

    #[test]
    fn a_truncated_body_is_not_patched() {
        let mut out = vec![9];
        {
            let mut rec = LengthPrefixed::new(&mut out);
            rec.truncate(2);
        }
        assert_eq!(out, [9, 0]);
    }

    #[test]
    fn bad_lengths_are_errors() {
        for bytes in [&[3, 0, 0, 0][..], &[0, 0, 0], &[9, 0, 0, 0, 1]] {
            let mut r = Reader::new(bytes);
            assert!(read_length_prefixed(&mut r, "rec").is_err(), "{bytes:?}");
        }
        let mut r = Reader::new(&[0xFF, 0xFF, 0xFF, 0xFF, 0]);
        assert!(matches!(
            read_length_prefixed(&mut r, "rec"),
            Err(DecodeError::Truncated { what: "rec", .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn any_bodies_round_trip(bodies in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..64), 0..8)) {
            let mut out = Vec::new();
            for body in &bodies {
                let mut rec = LengthPrefixed::new(&mut out);
                rec.extend_from_slice(body);
            }
            let mut r = Reader::new(&out);
            for body in &bodies {
                let mut rec = read_length_prefixed(&mut r, "rec").unwrap();
                proptest::prop_assert_eq!(rec.rest(), body.as_slice());
            }
            proptest::prop_assert!(r.is_empty());
        }

        #[test]
        fn any_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let mut r = Reader::new(&bytes);
            while let Ok(mut rec) = read_length_prefixed(&mut r, "rec") {
                let _ = rec.rest();
            }
        }
    }
}
