//! Fujifilm wire formats, both ways ([`Decode`] and [`Encode`]), so client tools can reuse them:
//! the event list of property 0xD212 and the property catalogue of operation 0x902B.

use ptp_codec::{
    DataTypeCode, Decode, DecodeError, DevicePropCode, Encode, LengthPrefixed, Reader,
    read_length_prefixed,
};
use vcam_core::ptp_types::{DevicePropDesc, GetSet};

/// One entry of the event list: a property and its new value, as a `u32` whatever the
/// property's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PropEvent {
    /// The property that changed.
    pub code: DevicePropCode,
    /// Its value.
    pub value: u32,
}

/// The value of property 0xD212: `u16 n`, then n × (`u16 code`, `u32 value`), packed
/// (libgphoto2 `camlibs/ptp2/ptp.c`: `ptp_fuji_getevents`; fudge `lib/fujiptp.h`:
/// `struct PtpFujiEvents`; docs/reference/vendors-wifi-sony-fuji.md §1.4, §3.1). Reading it
/// drains the body's list: each change is reported once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventList {
    /// The entries, oldest first.
    pub entries: Vec<PropEvent>,
}

/// Most entries one list carries (its count is a `u16`).
pub const MAX_EVENTS: usize = u16::MAX as usize;

impl Decode<'_> for EventList {
    const NAME: &'static str = "Fuji event list";
    const MIN_LEN: usize = 2;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let count = usize::from(r.u16("event count")?);
        if count.saturating_mul(6) > r.remaining() {
            return Err(r.invalid("event count", "more entries than bytes"));
        }
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            entries.push(PropEvent {
                code: DevicePropCode(r.u16("event property")?),
                value: r.u32("event value")?,
            });
        }
        Ok(Self { entries })
    }
}

impl Encode for EventList {
    /// Writes at most [`MAX_EVENTS`] entries (the rest do not fit the count).
    fn encode(&self, out: &mut Vec<u8>) {
        let entries = self.entries.get(..MAX_EVENTS).unwrap_or(&self.entries);
        u16::try_from(entries.len()).unwrap_or(u16::MAX).encode(out);
        for e in entries {
            e.code.encode(out);
            e.value.encode(out);
        }
    }
}

/// One property of the 0x902B catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CatalogueEntry {
    /// A standard DevicePropDesc.
    Desc(DevicePropDesc),
    /// A property of data type UNDEF (0x0000), whose description carries no value and no
    /// form: code, type, GetSet and FormFlag 0 (the X-H1's 0xD212: "(read only) (type=0x0)
    /// Undefined" in libgphoto2 `camlibs/ptp2/cameras/fuji-finepix-x-h1.txt`).
    Undefined {
        /// The property.
        code: DevicePropCode,
        /// Get or Get/Set.
        get_set: GetSet,
    },
}

impl CatalogueEntry {
    /// The property it describes.
    #[must_use]
    pub const fn code(&self) -> DevicePropCode {
        match self {
            Self::Desc(desc) => desc.code,
            Self::Undefined { code, .. } => *code,
        }
    }
}

impl Decode<'_> for CatalogueEntry {
    const NAME: &'static str = "Fuji catalogue entry";
    const MIN_LEN: usize = 6;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut peek = Reader::new(r.peek_rest());
        let code = DevicePropCode(peek.u16("DevicePropertyCode")?);
        if DataTypeCode(peek.u16("DataType")?) == DataTypeCode::UNDEF {
            let _ = r.take(4, "DevicePropertyCode and DataType")?;
            let get_set = GetSet(r.u8("GetSet")?);
            if r.u8("FormFlag")? != 0 {
                return Err(r.invalid("FormFlag", "an UNDEF property has no form"));
            }
            return Ok(Self::Undefined { code, get_set });
        }
        DevicePropDesc::decode(r).map(Self::Desc)
    }
}

impl Encode for CatalogueEntry {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Desc(desc) => desc.encode(out),
            Self::Undefined { code, get_set } => {
                code.encode(out);
                DataTypeCode::UNDEF.encode(out);
                get_set.encode(out);
                0u8.encode(out);
            }
        }
    }
}

/// The data of operation 0x902B: `u32 n`, then n records of `u32 size` (counting itself) and a
/// DevicePropDesc (libgphoto2 `camlibs/ptp2/ptp.c`: `ptp_fuji_getdeviceinfo`; malc0mn ptp-ip
/// `ip/mockresponder_fuji_test.go`, an X-T1's answer; docs/reference/vendors-wifi-sony-fuji.md
/// §1.2). libgphoto2 replaces DevicePropertiesSupported with the codes it lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropCatalogue {
    /// The properties, in the body's order.
    pub entries: Vec<CatalogueEntry>,
}

impl Decode<'_> for PropCatalogue {
    const NAME: &'static str = "Fuji property catalogue";
    const MIN_LEN: usize = 4;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let count = r.count(4 + CatalogueEntry::MIN_LEN, "catalogue count")?;
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            let mut record = read_length_prefixed(r, "catalogue record")?;
            entries.push(CatalogueEntry::decode(&mut record)?);
            record.expect_end("catalogue record")?;
        }
        Ok(Self { entries })
    }
}

impl Encode for PropCatalogue {
    fn encode(&self, out: &mut Vec<u8>) {
        u32::try_from(self.entries.len())
            .unwrap_or(u32::MAX)
            .encode(out);
        for entry in &self.entries {
            let mut record = LengthPrefixed::new(out);
            entry.encode(&mut record);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use vcam_core::ptp_types::{PropForm, PropValue};

    #[test]
    fn event_list_layout() {
        // The first answer of an X-T5 (fudge docs/testsuite/fudge-log-x5.txt, §3.1).
        let wire = [
            0x06, 0x00, 0x00, 0xDF, 0x06, 0x00, 0x00, 0x00, 0x20, 0xD2, 0x01, 0x00, 0x00, 0x00,
            0x22, 0xD2, 0x9E, 0x00, 0x00, 0x00, 0x2F, 0xD5, 0x01, 0x00, 0x00, 0x00, 0x00, 0xD4,
            0x01, 0x00, 0x00, 0x00, 0x01, 0xD4, 0x9E, 0x00, 0x00, 0x00,
        ];
        let list = EventList::decode_exact(&wire).unwrap();
        assert_eq!(list.entries.len(), 6);
        assert_eq!(
            list.entries[0],
            PropEvent {
                code: DevicePropCode(0xDF00),
                value: 6
            }
        );
        assert_eq!(list.to_bytes(), wire);
        assert!(EventList::decode_exact(&[2, 0, 0, 0xDF, 6, 0, 0, 0]).is_err());
        assert_eq!(EventList::default().to_bytes(), [0, 0]);
    }

    #[test]
    fn catalogue_layout() {
        // An X-T1's first record: CaptureDelay, UINT16, enumeration 0, 2, 4 (malc0mn ptp-ip).
        let mut wire = vec![2, 0, 0, 0];
        wire.extend_from_slice(&[
            0x16, 0x00, 0x00, 0x00, 0x12, 0x50, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02,
            0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00,
        ]);
        wire.extend_from_slice(&[10, 0, 0, 0, 0x12, 0xD2, 0, 0, 0, 0]);
        let catalogue = PropCatalogue::decode_exact(&wire).unwrap();
        assert_eq!(
            catalogue.entries[0],
            CatalogueEntry::Desc(DevicePropDesc {
                code: DevicePropCode(0x5012),
                data_type: DataTypeCode::UINT16,
                get_set: GetSet::GET_SET,
                factory_default: PropValue::UInt16(0),
                current: PropValue::UInt16(0),
                form: PropForm::Enumeration(vec![
                    PropValue::UInt16(0),
                    PropValue::UInt16(2),
                    PropValue::UInt16(4)
                ]),
            })
        );
        assert_eq!(
            catalogue.entries[1],
            CatalogueEntry::Undefined {
                code: DevicePropCode(0xD212),
                get_set: GetSet::GET
            }
        );
        assert_eq!(catalogue.to_bytes(), wire);
        // A record whose length disagrees with its description.
        let mut bad = wire.clone();
        bad[4] = 0x17;
        assert!(PropCatalogue::decode_exact(&bad).is_err());
        assert!(PropCatalogue::decode_exact(&[0xFF, 0xFF, 0xFF, 0x7F]).is_err());
    }
}
