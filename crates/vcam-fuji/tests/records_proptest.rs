//! The Fujifilm wire formats under proptest: every event list and catalogue written is read
//! back the same, and arbitrary bytes never make a decoder panic.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use vcam_core::ptp_types::{
    DataTypeCode, Decode as _, DevicePropCode, DevicePropDesc, Encode as _, GetSet, PropForm,
    PropValue,
};
use vcam_fuji::records::{CatalogueEntry, EventList, PropCatalogue, PropEvent};

fn event() -> impl Strategy<Value = PropEvent> {
    (any::<u16>(), any::<u32>()).prop_map(|(code, value)| PropEvent {
        code: DevicePropCode(code),
        value,
    })
}

fn entry() -> impl Strategy<Value = CatalogueEntry> {
    prop_oneof![
        (
            any::<u16>(),
            any::<u16>(),
            any::<u16>(),
            prop::collection::vec(any::<u16>(), 0..8)
        )
            .prop_map(|(code, default, current, list)| {
                CatalogueEntry::Desc(DevicePropDesc {
                    code: DevicePropCode(code),
                    data_type: DataTypeCode::UINT16,
                    get_set: GetSet::GET_SET,
                    factory_default: PropValue::UInt16(default),
                    current: PropValue::UInt16(current),
                    form: PropForm::Enumeration(list.into_iter().map(PropValue::UInt16).collect()),
                })
            }),
        (any::<u16>(), any::<i32>()).prop_map(|(code, v)| {
            CatalogueEntry::Desc(DevicePropDesc {
                code: DevicePropCode(code),
                data_type: DataTypeCode::INT32,
                get_set: GetSet::GET,
                factory_default: PropValue::Int32(v),
                current: PropValue::Int32(v),
                form: PropForm::None,
            })
        }),
        any::<u16>().prop_map(|code| CatalogueEntry::Undefined {
            code: DevicePropCode(code),
            get_set: GetSet::GET,
        }),
    ]
}

proptest! {
    #[test]
    fn event_lists_round_trip(entries in prop::collection::vec(event(), 0..64)) {
        let list = EventList { entries };
        prop_assert_eq!(EventList::decode_exact(&list.to_bytes()).unwrap(), list);
    }

    #[test]
    fn catalogues_round_trip(entries in prop::collection::vec(entry(), 0..16)) {
        let catalogue = PropCatalogue { entries };
        prop_assert_eq!(PropCatalogue::decode_exact(&catalogue.to_bytes()).unwrap(), catalogue);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = EventList::decode_exact(&bytes);
        let _ = PropCatalogue::decode_exact(&bytes);
    }
}
