//! Typed property values of every PTP data type (ISO 15740:2013 §5.3, table 3).

use alloc::vec::Vec;
use core::fmt;

use ptp_codec::{DataTypeCode, Decode, DecodeError, Encode, PtpString, Reader, decode_array};

/// A value of one of the PTP data types: the integers of 8 to 128 bits, arrays of them, and
/// strings. The data type travels beside the value on the wire (in a DevicePropDesc or an
/// ObjectPropList element), so decoding needs it: see [`decode_value`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)] // The variants are the data types of table 3.
pub enum PropValue {
    Int8(i8),
    UInt8(u8),
    Int16(i16),
    UInt16(u16),
    Int32(i32),
    UInt32(u32),
    Int64(i64),
    UInt64(u64),
    Int128(i128),
    UInt128(u128),
    AInt8(Vec<i8>),
    AUInt8(Vec<u8>),
    AInt16(Vec<i16>),
    AUInt16(Vec<u16>),
    AInt32(Vec<i32>),
    AUInt32(Vec<u32>),
    AInt64(Vec<i64>),
    AUInt64(Vec<u64>),
    AInt128(Vec<i128>),
    AUInt128(Vec<u128>),
    Str(PtpString),
}

impl PropValue {
    /// The data type code of this value.
    #[must_use]
    pub const fn data_type(&self) -> DataTypeCode {
        match self {
            Self::Int8(_) => DataTypeCode::INT8,
            Self::UInt8(_) => DataTypeCode::UINT8,
            Self::Int16(_) => DataTypeCode::INT16,
            Self::UInt16(_) => DataTypeCode::UINT16,
            Self::Int32(_) => DataTypeCode::INT32,
            Self::UInt32(_) => DataTypeCode::UINT32,
            Self::Int64(_) => DataTypeCode::INT64,
            Self::UInt64(_) => DataTypeCode::UINT64,
            Self::Int128(_) => DataTypeCode::INT128,
            Self::UInt128(_) => DataTypeCode::UINT128,
            Self::AInt8(_) => DataTypeCode::AINT8,
            Self::AUInt8(_) => DataTypeCode::AUINT8,
            Self::AInt16(_) => DataTypeCode::AINT16,
            Self::AUInt16(_) => DataTypeCode::AUINT16,
            Self::AInt32(_) => DataTypeCode::AINT32,
            Self::AUInt32(_) => DataTypeCode::AUINT32,
            Self::AInt64(_) => DataTypeCode::AINT64,
            Self::AUInt64(_) => DataTypeCode::AUINT64,
            Self::AInt128(_) => DataTypeCode::AINT128,
            Self::AUInt128(_) => DataTypeCode::AUINT128,
            Self::Str(_) => DataTypeCode::STR,
        }
    }

    /// The value as a wide integer, for scalar integer types; `None` for arrays and strings.
    #[must_use]
    pub fn as_i128(&self) -> Option<i128> {
        Some(match *self {
            Self::Int8(v) => v.into(),
            Self::UInt8(v) => v.into(),
            Self::Int16(v) => v.into(),
            Self::UInt16(v) => v.into(),
            Self::Int32(v) => v.into(),
            Self::UInt32(v) => v.into(),
            Self::Int64(v) => v.into(),
            Self::UInt64(v) => v.into(),
            Self::Int128(v) => v,
            Self::UInt128(v) => i128::try_from(v).ok()?,
            _ => return None,
        })
    }

    /// A scalar integer value of data type `ty` from a wide integer, if it fits.
    #[must_use]
    pub fn from_i128(ty: DataTypeCode, v: i128) -> Option<Self> {
        Some(match ty {
            DataTypeCode::INT8 => Self::Int8(v.try_into().ok()?),
            DataTypeCode::UINT8 => Self::UInt8(v.try_into().ok()?),
            DataTypeCode::INT16 => Self::Int16(v.try_into().ok()?),
            DataTypeCode::UINT16 => Self::UInt16(v.try_into().ok()?),
            DataTypeCode::INT32 => Self::Int32(v.try_into().ok()?),
            DataTypeCode::UINT32 => Self::UInt32(v.try_into().ok()?),
            DataTypeCode::INT64 => Self::Int64(v.try_into().ok()?),
            DataTypeCode::UINT64 => Self::UInt64(v.try_into().ok()?),
            DataTypeCode::INT128 => Self::Int128(v),
            DataTypeCode::UINT128 => Self::UInt128(v.try_into().ok()?),
            _ => return None,
        })
    }

    /// The string, for [`PropValue::Str`].
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The number of elements of an array value; `None` for scalars and strings.
    #[must_use]
    pub fn array_len(&self) -> Option<usize> {
        Some(match self {
            Self::AInt8(v) => v.len(),
            Self::AUInt8(v) => v.len(),
            Self::AInt16(v) => v.len(),
            Self::AUInt16(v) => v.len(),
            Self::AInt32(v) => v.len(),
            Self::AUInt32(v) => v.len(),
            Self::AInt64(v) => v.len(),
            Self::AUInt64(v) => v.len(),
            Self::AInt128(v) => v.len(),
            Self::AUInt128(v) => v.len(),
            _ => return None,
        })
    }
}

/// Reads one value of data type `ty`.
///
/// # Errors
/// [`DecodeError::Invalid`] for `UNDEF` or an unknown data type, and the codec's errors for
/// truncated input.
pub fn decode_value(r: &mut Reader<'_>, ty: DataTypeCode) -> Result<PropValue, DecodeError> {
    const W: &str = "property value";
    Ok(match ty {
        DataTypeCode::INT8 => PropValue::Int8(r.i8(W)?),
        DataTypeCode::UINT8 => PropValue::UInt8(r.u8(W)?),
        DataTypeCode::INT16 => PropValue::Int16(r.i16(W)?),
        DataTypeCode::UINT16 => PropValue::UInt16(r.u16(W)?),
        DataTypeCode::INT32 => PropValue::Int32(r.i32(W)?),
        DataTypeCode::UINT32 => PropValue::UInt32(r.u32(W)?),
        DataTypeCode::INT64 => PropValue::Int64(r.i64(W)?),
        DataTypeCode::UINT64 => PropValue::UInt64(r.u64(W)?),
        DataTypeCode::INT128 => PropValue::Int128(r.i128(W)?),
        DataTypeCode::UINT128 => PropValue::UInt128(r.u128(W)?),
        DataTypeCode::AINT8 => PropValue::AInt8(decode_array(r, W)?),
        DataTypeCode::AUINT8 => PropValue::AUInt8(decode_array(r, W)?),
        DataTypeCode::AINT16 => PropValue::AInt16(decode_array(r, W)?),
        DataTypeCode::AUINT16 => PropValue::AUInt16(decode_array(r, W)?),
        DataTypeCode::AINT32 => PropValue::AInt32(decode_array(r, W)?),
        DataTypeCode::AUINT32 => PropValue::AUInt32(decode_array(r, W)?),
        DataTypeCode::AINT64 => PropValue::AInt64(decode_array(r, W)?),
        DataTypeCode::AUINT64 => PropValue::AUInt64(decode_array(r, W)?),
        DataTypeCode::AINT128 => PropValue::AInt128(decode_array(r, W)?),
        DataTypeCode::AUINT128 => PropValue::AUInt128(decode_array(r, W)?),
        DataTypeCode::STR => PropValue::Str(PtpString::decode(r)?),
        _ => return Err(r.invalid("DataType", "undefined or unknown data type")),
    })
}

/// Decodes a value of data type `ty` that must use all of `bytes` (the data phase of
/// SetDevicePropValue or SetObjectPropValue).
///
/// # Errors
/// As [`decode_value`], plus [`DecodeError::TrailingBytes`].
pub fn decode_value_exact(bytes: &[u8], ty: DataTypeCode) -> Result<PropValue, DecodeError> {
    let mut r = Reader::new(bytes);
    let v = decode_value(&mut r, ty)?;
    r.expect_end("property value")?;
    Ok(v)
}

impl Encode for PropValue {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Int8(v) => v.encode(out),
            Self::UInt8(v) => v.encode(out),
            Self::Int16(v) => v.encode(out),
            Self::UInt16(v) => v.encode(out),
            Self::Int32(v) => v.encode(out),
            Self::UInt32(v) => v.encode(out),
            Self::Int64(v) => v.encode(out),
            Self::UInt64(v) => v.encode(out),
            Self::Int128(v) => v.encode(out),
            Self::UInt128(v) => v.encode(out),
            Self::AInt8(v) => v.encode(out),
            Self::AUInt8(v) => v.encode(out),
            Self::AInt16(v) => v.encode(out),
            Self::AUInt16(v) => v.encode(out),
            Self::AInt32(v) => v.encode(out),
            Self::AUInt32(v) => v.encode(out),
            Self::AInt64(v) => v.encode(out),
            Self::AUInt64(v) => v.encode(out),
            Self::AInt128(v) => v.encode(out),
            Self::AUInt128(v) => v.encode(out),
            Self::Str(v) => v.encode(out),
        }
    }
}

impl fmt::Display for PropValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T]) -> fmt::Result {
            f.write_str("[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{item}")?;
            }
            f.write_str("]")
        }
        match self {
            Self::Int8(v) => write!(f, "{v}"),
            Self::UInt8(v) => write!(f, "{v}"),
            Self::Int16(v) => write!(f, "{v}"),
            Self::UInt16(v) => write!(f, "{v}"),
            Self::Int32(v) => write!(f, "{v}"),
            Self::UInt32(v) => write!(f, "{v}"),
            Self::Int64(v) => write!(f, "{v}"),
            Self::UInt64(v) => write!(f, "{v}"),
            Self::Int128(v) => write!(f, "{v}"),
            Self::UInt128(v) => write!(f, "{v}"),
            Self::AInt8(v) => list(f, v),
            Self::AUInt8(v) => list(f, v),
            Self::AInt16(v) => list(f, v),
            Self::AUInt16(v) => list(f, v),
            Self::AInt32(v) => list(f, v),
            Self::AUInt32(v) => list(f, v),
            Self::AInt64(v) => list(f, v),
            Self::AUInt64(v) => list(f, v),
            Self::AInt128(v) => list(f, v),
            Self::AUInt128(v) => list(f, v),
            Self::Str(s) => write!(f, "{s:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn values_round_trip_with_their_type() {
        let values = [
            PropValue::Int8(-3),
            PropValue::UInt16(0x1234),
            PropValue::Int128(-5),
            PropValue::AUInt16(vec![1, 2, 3]),
            PropValue::Str(PtpString::truncating("20261123T101500")),
        ];
        for v in values {
            let bytes = v.to_bytes();
            assert_eq!(decode_value_exact(&bytes, v.data_type()).unwrap(), v);
        }
    }

    #[test]
    fn undefined_type_is_an_error() {
        assert!(matches!(
            decode_value_exact(&[0], DataTypeCode::UNDEF),
            Err(DecodeError::Invalid { .. })
        ));
        assert!(matches!(
            decode_value_exact(&[1, 2], DataTypeCode::UINT32),
            Err(DecodeError::Truncated { .. })
        ));
    }

    #[test]
    fn integers_convert() {
        assert_eq!(PropValue::UInt16(560).as_i128(), Some(560));
        assert_eq!(PropValue::from_i128(DataTypeCode::UINT8, 300), None);
        assert_eq!(
            PropValue::from_i128(DataTypeCode::INT16, -3),
            Some(PropValue::Int16(-3))
        );
        assert_eq!(PropValue::AUInt8(vec![1]).as_i128(), None);
    }
}
