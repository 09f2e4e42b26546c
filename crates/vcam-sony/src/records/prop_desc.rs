//! The Sony property descriptor and the 0x9209 list of them.

use ptp_codec::{DataTypeCode, Decode, DecodeError, DevicePropCode, Encode, Reader};
use ptp_types::{PropForm, PropValue, decode_value};

ptp_codec::codes! {
    /// The first flag byte of a Sony property descriptor: whether it is a setting (0 or 1) or
    /// a control, and which kind (libgphoto2 `camlibs/ptp2/ptp-pack.c`: `ptp_unpack_Sony_DPD`,
    /// "0x81 - button, 0x83 - lock, 0x82 - notch, 0x84 - variable"). Bodies of protocol 2.00
    /// report 0 for many settings that can be changed.
    pub struct ExtGetSet(u8);
    /// A setting reported as read-only.
    GET = 0x00, "Get";
    /// A setting reported as writable.
    GET_SET = 0x01, "GetSet";
    /// A push button (1 up, 2 down).
    BUTTON = 0x81, "Button";
    /// A notch control.
    NOTCH = 0x82, "Notch";
    /// A lock control.
    LOCK = 0x83, "Lock";
    /// A variable control.
    VARIABLE = 0x84, "Variable";
}

ptp_codec::codes! {
    /// The second flag byte of a Sony property descriptor (libgphoto2 `ptp_unpack_Sony_DPD`;
    /// called ChangeMethod in libgphoto2 2.5.30).
    pub struct IsEnabled(u8);
    /// Greyed out: it cannot be changed now.
    DISABLED = 0x00, "Disabled";
    /// Enabled: it can be changed.
    ENABLED = 0x01, "Enabled";
    /// Shown on the body only.
    DISPLAY_ONLY = 0x02, "DisplayOnly";
}

impl ExtGetSet {
    /// Whether this is a control (a button, notch, lock or variable) rather than a setting.
    #[must_use]
    pub const fn is_control(self) -> bool {
        self.0 & 0x80 != 0
    }
}

/// A Sony device property descriptor, as 0x9209 carries it: `u16 code | u16 datatype |
/// u8 GetSet | u8 IsEnabled | factory default | current value | u8 FormFlag | form`, the
/// values typed as the data type and the form as in ISO 15740:2013 §5.5.3 (libgphoto2
/// `ptp_unpack_Sony_DPD`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExtPropDesc {
    /// DevicePropertyCode.
    pub code: DevicePropCode,
    /// DataType of the values.
    pub data_type: DataTypeCode,
    /// Setting or control.
    pub get_set: ExtGetSet,
    /// Whether it can be changed now.
    pub is_enabled: IsEnabled,
    /// FactoryDefaultValue.
    pub factory_default: PropValue,
    /// CurrentValue.
    pub current: PropValue,
    /// FormFlag and form.
    pub form: PropForm,
}

impl Decode<'_> for ExtPropDesc {
    const NAME: &'static str = "Sony DevicePropDesc";
    const MIN_LEN: usize = 8;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let code = DevicePropCode(r.u16("DevicePropertyCode")?);
        let data_type = DataTypeCode(r.u16("DataType")?);
        let get_set = ExtGetSet(r.u8("GetSet")?);
        let is_enabled = IsEnabled(r.u8("IsEnabled")?);
        let factory_default = decode_value(r, data_type)?;
        let current = decode_value(r, data_type)?;
        let form = PropForm::decode(r, data_type)?;
        Ok(Self {
            code,
            data_type,
            get_set,
            is_enabled,
            factory_default,
            current,
            form,
        })
    }
}

impl Encode for ExtPropDesc {
    fn encode(&self, out: &mut Vec<u8>) {
        self.code.encode(out);
        self.data_type.encode(out);
        self.get_set.encode(out);
        self.is_enabled.encode(out);
        self.factory_default.encode(out);
        self.current.encode(out);
        self.form.encode(out);
    }
}

/// The 0x9209 answer: a `u64` count, then that many [`ExtPropDesc`]s. libgphoto2 skips the
/// count's eight bytes and reads descriptors to the end; INDIGO reads a `u32` count and skips
/// four bytes. The count is checked against the bytes present before anything is allocated.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct ExtPropList(pub Vec<ExtPropDesc>);

impl Decode<'_> for ExtPropList {
    const NAME: &'static str = "Sony DevicePropDesc list";
    const MIN_LEN: usize = 8;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.position();
        let count = r.u64("descriptor count")?;
        let most = r.remaining() / <ExtPropDesc as Decode<'_>>::MIN_LEN;
        let count =
            usize::try_from(count)
                .ok()
                .filter(|&n| n <= most)
                .ok_or(DecodeError::Invalid {
                    what: "descriptor count",
                    offset: at,
                    reason: "more descriptors than the data can hold",
                })?;
        let mut list = Vec::with_capacity(count);
        for _ in 0..count {
            list.push(ExtPropDesc::decode(r)?);
        }
        Ok(Self(list))
    }
}

impl Encode for ExtPropList {
    fn encode(&self, out: &mut Vec<u8>) {
        (self.0.len() as u64).encode(out);
        for desc in &self.0 {
            desc.encode(out);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The first descriptors of a real ILCE-6000's 0x9209 answer (libgphoto2
    /// `camlibs/ptp2/cameras/sony-a6000.txt`): CompressionSetting and the half-press button.
    #[test]
    fn real_descriptors_round_trip() {
        let compression = [
            0x04, 0x50, 0x02, 0x00, 0x01, 0x01, 0x02, 0x03, 0x02, 0x04, 0x00, 0x02, 0x03, 0x10,
            0x13,
        ];
        let desc = ExtPropDesc::decode_exact(&compression).unwrap();
        assert_eq!(desc.code, DevicePropCode::COMPRESSION_SETTING);
        assert_eq!(
            (desc.get_set, desc.is_enabled),
            (ExtGetSet::GET_SET, IsEnabled::ENABLED)
        );
        assert_eq!(desc.current, PropValue::UInt8(3));
        assert_eq!(desc.to_bytes(), compression);

        let button = [
            0xC1, 0xD2, 0x04, 0x00, 0x81, 0x01, 0x01, 0x00, 0x01, 0x00, 0x02, 0x02, 0x00, 0x01,
            0x00, 0x02, 0x00,
        ];
        let desc = ExtPropDesc::decode_exact(&button).unwrap();
        assert!(desc.get_set.is_control());
        assert_eq!(
            desc.form,
            PropForm::Enumeration(vec![PropValue::UInt16(1), PropValue::UInt16(2)])
        );
        assert_eq!(desc.to_bytes(), button);

        let mut list = 2u64.to_le_bytes().to_vec();
        list.extend_from_slice(&compression);
        list.extend_from_slice(&button);
        let decoded = ExtPropList::decode_exact(&list).unwrap();
        assert_eq!(decoded.0.len(), 2);
        assert_eq!(decoded.to_bytes(), list);
    }

    #[test]
    fn a_count_larger_than_the_data_is_refused() {
        let mut list = u64::MAX.to_le_bytes().to_vec();
        list.extend_from_slice(&[0; 16]);
        assert!(ExtPropList::decode_exact(&list).is_err());
    }
}
