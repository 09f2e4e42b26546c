//! The dataset codec: [`Decode`] and [`Encode`] for PTP primitive types and arrays.
//!
//! PTP datasets (ISO 15740:2013 §5.4) are little-endian concatenations of integers, strings and
//! arrays with a `u32` element count. Decoding borrows from the input and never reads past it;
//! encoding appends to a `Vec<u8>`.

use alloc::vec::Vec;

use crate::error::DecodeError;
use crate::reader::Reader;

/// A value that can be read from a PTP dataset.
pub trait Decode<'a>: Sized {
    /// Name used in error messages when the whole value is the thing being decoded.
    const NAME: &'static str;
    /// The fewest bytes an encoded value can take; used to bound array counts before any
    /// allocation. Must be at least 1 for types that appear in arrays.
    const MIN_LEN: usize;

    /// Reads one value.
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError>;

    /// Decodes a value that must use all of `bytes`.
    fn decode_exact(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let value = Self::decode(&mut r)?;
        r.expect_end(Self::NAME)?;
        Ok(value)
    }
}

/// A value that can be written into a PTP dataset.
pub trait Encode {
    /// Appends the encoded value to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// The encoded value as a new vector.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

macro_rules! int_codec {
    ($($ty:ty => $read:ident, $name:literal;)*) => {$(
        impl Decode<'_> for $ty {
            const NAME: &'static str = $name;
            const MIN_LEN: usize = core::mem::size_of::<$ty>();
            #[inline]
            fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                r.$read($name)
            }
        }
        impl Encode for $ty {
            #[inline]
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}

int_codec! {
    u8 => u8, "UINT8";
    i8 => i8, "INT8";
    u16 => u16, "UINT16";
    i16 => i16, "INT16";
    u32 => u32, "UINT32";
    i32 => i32, "INT32";
    u64 => u64, "UINT64";
    i64 => i64, "INT64";
    u128 => u128, "UINT128";
    i128 => i128, "INT128";
}

/// PTP arrays: a `u32` element count followed by the elements (ISO 15740:2013 §5.4.3).
impl<'a, T: Decode<'a>> Decode<'a> for Vec<T> {
    const NAME: &'static str = "array";
    const MIN_LEN: usize = 4;

    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        decode_array(r, T::NAME)
    }
}

/// Reads a PTP array whose elements are `T`, naming it `what` in errors.
pub fn decode_array<'a, T: Decode<'a>>(
    r: &mut Reader<'a>,
    what: &'static str,
) -> Result<Vec<T>, DecodeError> {
    let count = r.count(T::MIN_LEN, what)?;
    let mut items = Vec::with_capacity(count);
    for _ in 0..count {
        items.push(T::decode(r)?);
    }
    Ok(items)
}

impl<T: Encode> Encode for [T] {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_count(self.len(), out);
        for item in self {
            item.encode(out);
        }
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.as_slice().encode(out);
    }
}

/// Writes a PTP array element count. Counts beyond `u32::MAX` cannot occur for data that fits
/// in memory on the platforms PTP runs on; they saturate.
pub fn encode_count(len: usize, out: &mut Vec<u8>) {
    u32::try_from(len).unwrap_or(u32::MAX).encode(out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn arrays_round_trip() {
        let v: Vec<u16> = vec![0x1001, 0x1002, 0x9116];
        let bytes = v.to_bytes();
        assert_eq!(bytes, [3, 0, 0, 0, 1, 0x10, 2, 0x10, 0x16, 0x91]);
        assert_eq!(Vec::<u16>::decode_exact(&bytes).unwrap(), v);
    }

    #[test]
    fn array_count_is_checked_before_allocating() {
        let bytes = [0xff, 0xff, 0xff, 0x7f, 1, 2];
        assert!(matches!(
            Vec::<u32>::decode_exact(&bytes),
            Err(DecodeError::Truncated {
                what: "UINT32",
                offset: 4,
                ..
            })
        ));
    }

    #[test]
    fn decode_exact_rejects_trailing_bytes() {
        assert_eq!(
            u16::decode_exact(&[1, 2, 3]),
            Err(DecodeError::TrailingBytes {
                what: "UINT16",
                offset: 2,
                count: 1
            })
        );
    }
}
