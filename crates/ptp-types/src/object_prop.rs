//! MTP object property datasets: ObjectPropDesc (MTP 1.1 §5.3.2.3) and ObjectPropList
//! (MTP 1.1 §5.3.2.4 and appendix E.2.1.1).

use alloc::vec::Vec;

use ptp_codec::{DataTypeCode, Decode, DecodeError, Encode, ObjectPropCode, Reader, encode_count};

use crate::ids::ObjectHandle;
use crate::prop_desc::{GetSet, PropForm};
use crate::value::{PropValue, decode_value};

/// ObjectPropDesc (MTP 1.1 §5.3.2.3): an object property's type, access, default, group and
/// form, as answered by GetObjectPropDesc.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectPropDesc {
    /// ObjectPropertyCode.
    pub code: ObjectPropCode,
    /// DataType.
    pub data_type: DataTypeCode,
    /// Get/Set.
    pub get_set: GetSet,
    /// FactoryDefaultValue.
    pub factory_default: PropValue,
    /// GroupCode (0 when the device does not group properties).
    pub group_code: u32,
    /// FormFlag and form.
    pub form: PropForm,
}

impl Decode<'_> for ObjectPropDesc {
    const NAME: &'static str = "ObjectPropDesc";
    const MIN_LEN: usize = 11;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let code = ObjectPropCode(r.u16("ObjectPropertyCode")?);
        let data_type = DataTypeCode(r.u16("DataType")?);
        let get_set = GetSet(r.u8("GetSet")?);
        let factory_default = decode_value(r, data_type)?;
        let group_code = r.u32("GroupCode")?;
        let form = PropForm::decode(r, data_type)?;
        Ok(Self {
            code,
            data_type,
            get_set,
            factory_default,
            group_code,
            form,
        })
    }
}

impl Encode for ObjectPropDesc {
    fn encode(&self, out: &mut Vec<u8>) {
        self.code.encode(out);
        self.data_type.encode(out);
        self.get_set.encode(out);
        self.factory_default.encode(out);
        self.group_code.encode(out);
        self.form.encode(out);
    }
}

/// One element of an ObjectPropList: an object, a property and its value (whose data type is
/// sent before it).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectPropValue {
    /// ObjectHandle (0 in SendObjectPropList, where the object does not exist yet).
    pub handle: ObjectHandle,
    /// ObjectPropertyCode.
    pub code: ObjectPropCode,
    /// The value, with its data type.
    pub value: PropValue,
}

/// ObjectPropList (MTP 1.1 appendix E.2.1.1): a `u32` count of elements, each an object handle,
/// a property code, a data type and a value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct ObjectPropList {
    /// The elements, in wire order.
    pub elements: Vec<ObjectPropValue>,
}

impl ObjectPropList {
    /// The value of property `code` of object `handle`, if listed.
    #[must_use]
    pub fn get(&self, handle: ObjectHandle, code: ObjectPropCode) -> Option<&PropValue> {
        self.elements
            .iter()
            .find(|e| e.handle == handle && e.code == code)
            .map(|e| &e.value)
    }
}

impl Decode<'_> for ObjectPropList {
    const NAME: &'static str = "ObjectPropList";
    const MIN_LEN: usize = 4;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        // handle (4) + code (2) + type (2) + at least one byte of value.
        let count = r.count(9, "ObjectPropList count")?;
        let mut elements = Vec::with_capacity(count);
        for _ in 0..count {
            let handle = ObjectHandle(r.u32("ObjectHandle")?);
            let code = ObjectPropCode(r.u16("ObjectPropertyCode")?);
            let data_type = DataTypeCode(r.u16("DataType")?);
            let value = decode_value(r, data_type)?;
            elements.push(ObjectPropValue {
                handle,
                code,
                value,
            });
        }
        Ok(Self { elements })
    }
}

impl Encode for ObjectPropList {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_count(self.elements.len(), out);
        for e in &self.elements {
            e.handle.encode(out);
            e.code.encode(out);
            e.value.data_type().encode(out);
            e.value.encode(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use ptp_codec::PtpString;

    #[test]
    fn prop_list_round_trips() {
        let list = ObjectPropList {
            elements: vec![
                ObjectPropValue {
                    handle: ObjectHandle(7),
                    code: ObjectPropCode::OBJECT_FILE_NAME,
                    value: PropValue::Str(PtpString::truncating("IMG_0001.JPG")),
                },
                ObjectPropValue {
                    handle: ObjectHandle(7),
                    code: ObjectPropCode::OBJECT_SIZE,
                    value: PropValue::UInt64(1234),
                },
            ],
        };
        let bytes = list.to_bytes();
        assert_eq!(ObjectPropList::decode_exact(&bytes).unwrap(), list);
        assert_eq!(
            list.get(ObjectHandle(7), ObjectPropCode::OBJECT_SIZE),
            Some(&PropValue::UInt64(1234))
        );
    }

    #[test]
    fn desc_round_trips() {
        let desc = ObjectPropDesc {
            code: ObjectPropCode::OBJECT_FILE_NAME,
            data_type: DataTypeCode::STR,
            get_set: GetSet::GET_SET,
            factory_default: PropValue::Str(PtpString::new()),
            group_code: 0,
            form: PropForm::None,
        };
        assert_eq!(
            ObjectPropDesc::decode_exact(&desc.to_bytes()).unwrap(),
            desc
        );
    }
}
