//! DevicePropDesc (ISO 15740:2013 §5.5.3) and the forms it shares with MTP's ObjectPropDesc
//! (MTP 1.1 §5.1.2.1, §5.3.2.3).

use alloc::vec::Vec;

use ptp_codec::{
    DataTypeCode, DateTime, Decode, DecodeError, DevicePropCode, Encode, FormFlag, PtpString,
    Reader,
};

use crate::value::{PropValue, decode_value};

ptp_codec::codes! {
    /// The Get/Set flag of a property description (ISO 15740:2013 §5.5.3, table 16).
    pub struct GetSet(u8);
    /// Read-only.
    GET = 0x00, "Get";
    /// Read and write.
    GET_SET = 0x01, "Get/Set";
}

/// The form of a property description: which values are allowed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PropForm {
    /// Any value of the data type (FormFlag 0x00).
    #[default]
    None,
    /// Values from `min` to `max` in steps of `step` (FormFlag 0x01).
    Range {
        /// Smallest allowed value.
        min: PropValue,
        /// Largest allowed value.
        max: PropValue,
        /// Distance between allowed values; 0 allows every value in between.
        step: PropValue,
    },
    /// Exactly the listed values (FormFlag 0x02; the count is a `u16`).
    Enumeration(Vec<PropValue>),
    /// MTP: a string holding a DateTime (FormFlag 0x03, no form data on the wire).
    DateTime,
    /// MTP: an array of exactly this many elements (FormFlag 0x04).
    FixedLengthArray(u16),
    /// MTP: a string matching this regular expression (FormFlag 0x05).
    RegularExpression(PtpString),
    /// MTP: an `AUINT8` of at most this many bytes (FormFlag 0x06).
    ByteArray(u16),
    /// MTP: an `AUINT16` string longer than a PTP string allows (FormFlag 0xFF, no form data).
    LongString,
}

impl PropForm {
    /// The FormFlag of this form.
    #[must_use]
    pub const fn flag(&self) -> FormFlag {
        match self {
            Self::None => FormFlag::NONE,
            Self::Range { .. } => FormFlag::RANGE,
            Self::Enumeration(_) => FormFlag::ENUMERATION,
            Self::DateTime => FormFlag::DATE_TIME,
            Self::FixedLengthArray(_) => FormFlag::FIXED_LENGTH_ARRAY,
            Self::RegularExpression(_) => FormFlag::REGULAR_EXPRESSION,
            Self::ByteArray(_) => FormFlag::BYTE_ARRAY,
            Self::LongString => FormFlag::LONG_STRING,
        }
    }

    /// Whether `value` is allowed by this form. The caller checks the data type; a regular
    /// expression form accepts every string (vcam does not evaluate expressions).
    #[must_use]
    pub fn allows(&self, value: &PropValue) -> bool {
        match self {
            Self::None | Self::RegularExpression(_) | Self::LongString => true,
            Self::Range { min, max, step } => {
                let (Some(v), Some(lo), Some(hi), Some(st)) = (
                    value.as_i128(),
                    min.as_i128(),
                    max.as_i128(),
                    step.as_i128(),
                ) else {
                    return false;
                };
                v >= lo && v <= hi && (st <= 0 || (v - lo) % st == 0)
            }
            Self::Enumeration(values) => values.contains(value),
            Self::DateTime => value
                .as_str()
                .is_some_and(|s| s.is_empty() || s.parse::<DateTime>().is_ok()),
            Self::FixedLengthArray(n) => value.array_len() == Some(usize::from(*n)),
            Self::ByteArray(n) => {
                matches!(value, PropValue::AUInt8(v) if v.len() <= usize::from(*n))
            }
        }
    }

    /// Reads the form introduced by a FormFlag, with values of data type `ty`.
    ///
    /// # Errors
    /// An unknown FormFlag, a bad value, or truncated input.
    pub fn decode(r: &mut Reader<'_>, ty: DataTypeCode) -> Result<Self, DecodeError> {
        let at = r.position();
        let flag = FormFlag(r.u8("FormFlag")?);
        Ok(match flag {
            FormFlag::NONE => Self::None,
            FormFlag::RANGE => Self::Range {
                min: decode_value(r, ty)?,
                max: decode_value(r, ty)?,
                step: decode_value(r, ty)?,
            },
            FormFlag::ENUMERATION => {
                let count = usize::from(r.u16("enumeration count")?);
                // Each value takes at least one byte: the count cannot size more than that.
                let mut values = Vec::with_capacity(count.min(r.remaining()));
                for _ in 0..count {
                    values.push(decode_value(r, ty)?);
                }
                Self::Enumeration(values)
            }
            FormFlag::DATE_TIME => Self::DateTime,
            FormFlag::FIXED_LENGTH_ARRAY => Self::FixedLengthArray(r.u16("fixed array length")?),
            FormFlag::REGULAR_EXPRESSION => Self::RegularExpression(PtpString::decode(r)?),
            FormFlag::BYTE_ARRAY => Self::ByteArray(r.u16("byte array length")?),
            FormFlag::LONG_STRING => Self::LongString,
            _ => return Err(Reader::invalid_at("FormFlag", at, "unknown form flag")),
        })
    }
}

impl Encode for PropForm {
    fn encode(&self, out: &mut Vec<u8>) {
        self.flag().0.encode(out);
        match self {
            Self::None | Self::DateTime | Self::LongString => {}
            Self::Range { min, max, step } => {
                min.encode(out);
                max.encode(out);
                step.encode(out);
            }
            Self::Enumeration(values) => {
                // A form never lists more than u16::MAX values; extra ones are cut.
                let n = values.len().min(usize::from(u16::MAX));
                u16::try_from(n).unwrap_or(u16::MAX).encode(out);
                for v in values.iter().take(n) {
                    v.encode(out);
                }
            }
            Self::FixedLengthArray(n) | Self::ByteArray(n) => n.encode(out),
            Self::RegularExpression(s) => s.encode(out),
        }
    }
}

/// DevicePropDesc (ISO 15740:2013 §5.5.3): a device property's type, access, default and
/// current value, and allowed values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DevicePropDesc {
    /// DevicePropertyCode.
    pub code: DevicePropCode,
    /// DataType of the values.
    pub data_type: DataTypeCode,
    /// Get/Set.
    pub get_set: GetSet,
    /// FactoryDefaultValue.
    pub factory_default: PropValue,
    /// CurrentValue.
    pub current: PropValue,
    /// FormFlag and form.
    pub form: PropForm,
}

impl Decode<'_> for DevicePropDesc {
    const NAME: &'static str = "DevicePropDesc";
    const MIN_LEN: usize = 7;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let code = DevicePropCode(r.u16("DevicePropertyCode")?);
        let data_type = DataTypeCode(r.u16("DataType")?);
        let get_set = GetSet(r.u8("GetSet")?);
        let factory_default = decode_value(r, data_type)?;
        let current = decode_value(r, data_type)?;
        let form = PropForm::decode(r, data_type)?;
        Ok(Self {
            code,
            data_type,
            get_set,
            factory_default,
            current,
            form,
        })
    }
}

impl Encode for DevicePropDesc {
    fn encode(&self, out: &mut Vec<u8>) {
        self.code.encode(out);
        self.data_type.encode(out);
        self.get_set.encode(out);
        self.factory_default.encode(out);
        self.current.encode(out);
        self.form.encode(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn battery_level_range_layout() {
        let desc = DevicePropDesc {
            code: DevicePropCode::BATTERY_LEVEL,
            data_type: DataTypeCode::UINT8,
            get_set: GetSet::GET,
            factory_default: PropValue::UInt8(100),
            current: PropValue::UInt8(80),
            form: PropForm::Range {
                min: PropValue::UInt8(0),
                max: PropValue::UInt8(100),
                step: PropValue::UInt8(20),
            },
        };
        let bytes = desc.to_bytes();
        assert_eq!(
            bytes,
            [0x01, 0x50, 0x02, 0x00, 0x00, 100, 80, 0x01, 0, 100, 20]
        );
        assert_eq!(DevicePropDesc::decode_exact(&bytes).unwrap(), desc);
        assert!(desc.form.allows(&PropValue::UInt8(40)));
        assert!(!desc.form.allows(&PropValue::UInt8(50)));
    }

    #[test]
    fn every_form_round_trips() {
        let forms = [
            (
                DataTypeCode::UINT16,
                PropForm::Enumeration(vec![PropValue::UInt16(1), PropValue::UInt16(2)]),
            ),
            (DataTypeCode::STR, PropForm::DateTime),
            (DataTypeCode::AUINT16, PropForm::FixedLengthArray(4)),
            (
                DataTypeCode::STR,
                PropForm::RegularExpression(PtpString::truncating("[a-z]+")),
            ),
            (DataTypeCode::AUINT8, PropForm::ByteArray(16)),
            (DataTypeCode::AUINT16, PropForm::LongString),
        ];
        for (ty, form) in forms {
            let bytes = form.to_bytes();
            let mut r = Reader::new(&bytes);
            assert_eq!(PropForm::decode(&mut r, ty).unwrap(), form);
            assert!(r.is_empty());
        }
    }

    #[test]
    fn huge_enumeration_count_does_not_allocate() {
        let bytes = [0x02, 0xff, 0xff, 1, 0];
        let mut r = Reader::new(&bytes);
        assert!(PropForm::decode(&mut r, DataTypeCode::UINT16).is_err());
    }
}
