//! The Sony wire formats: a real ILCE-6000's 0x9209 answer decodes and encodes back byte for
//! byte; under proptest every record vcam can write reads back as itself, and no decoder
//! panics on arbitrary or mutated bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use ptp_codec::{DataTypeCode, Decode, DevicePropCode, Encode};
use ptp_types::{PropForm, PropValue};
use vcam_sony::records::{
    ExtDeviceInfo, ExtGetSet, ExtPropDesc, ExtPropList, IsEnabled, LIVEVIEW_HEADER_LEN,
    LiveViewFrame, LiveViewHeader,
};

#[test]
fn a_real_ilce6000_answer_round_trips() {
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/sony/ilce6000-9209.bin"),
    )
    .unwrap();
    let list = ExtPropList::decode_exact(&bytes).unwrap();
    assert_eq!(list.0.len(), 34);
    let iso = list
        .0
        .iter()
        .find(|d| d.code == DevicePropCode(0xD21E))
        .unwrap();
    assert_eq!(iso.data_type, DataTypeCode::UINT32);
    assert_eq!(iso.current, PropValue::UInt32(0xFF_FFFF));
    let s1 = list
        .0
        .iter()
        .find(|d| d.code == DevicePropCode(0xD2C1))
        .unwrap();
    assert_eq!(s1.get_set, ExtGetSet::BUTTON);
    assert_eq!(s1.is_enabled, IsEnabled::ENABLED);
    assert_eq!(list.to_bytes(), bytes);
}

/// A value of type `ty`.
fn value_of(ty: DataTypeCode) -> BoxedStrategy<PropValue> {
    match ty {
        DataTypeCode::INT8 => any::<i8>().prop_map(PropValue::Int8).boxed(),
        DataTypeCode::UINT8 => any::<u8>().prop_map(PropValue::UInt8).boxed(),
        DataTypeCode::INT16 => any::<i16>().prop_map(PropValue::Int16).boxed(),
        DataTypeCode::UINT16 => any::<u16>().prop_map(PropValue::UInt16).boxed(),
        DataTypeCode::INT32 => any::<i32>().prop_map(PropValue::Int32).boxed(),
        _ => any::<u32>().prop_map(PropValue::UInt32).boxed(),
    }
}

fn desc() -> impl Strategy<Value = ExtPropDesc> {
    let types = prop_oneof![
        Just(DataTypeCode::INT8),
        Just(DataTypeCode::UINT8),
        Just(DataTypeCode::INT16),
        Just(DataTypeCode::UINT16),
        Just(DataTypeCode::INT32),
        Just(DataTypeCode::UINT32),
    ];
    (types, any::<u16>(), any::<u8>(), any::<u8>()).prop_flat_map(|(ty, code, gs, en)| {
        let form = prop_oneof![
            Just(PropForm::None),
            (value_of(ty), value_of(ty), value_of(ty))
                .prop_map(|(min, max, step)| PropForm::Range { min, max, step }),
            proptest::collection::vec(value_of(ty), 0..20).prop_map(PropForm::Enumeration),
        ];
        (value_of(ty), value_of(ty), form).prop_map(move |(default, current, form)| ExtPropDesc {
            code: DevicePropCode(code),
            data_type: ty,
            get_set: ExtGetSet(gs),
            is_enabled: IsEnabled(en),
            factory_default: default,
            current,
            form,
        })
    })
}

proptest! {
    #[test]
    fn descriptors_round_trip(list in proptest::collection::vec(desc(), 0..12)) {
        let list = ExtPropList(list);
        let bytes = list.to_bytes();
        prop_assert_eq!(ExtPropList::decode_exact(&bytes).unwrap(), list);
    }

    #[test]
    fn ext_device_info_round_trips(
        version in any::<u16>(),
        codes in proptest::collection::vec(any::<u16>(), 0..40),
        controls in proptest::collection::vec(any::<u16>(), 0..40),
    ) {
        let info = ExtDeviceInfo { version, codes, controls };
        prop_assert_eq!(ExtDeviceInfo::decode_exact(&info.to_bytes()).unwrap(), info);
    }

    #[test]
    fn liveview_frames_round_trip(jpeg in proptest::collection::vec(any::<u8>(), 0..4000)) {
        let header = LiveViewHeader::for_jpeg(u32::try_from(jpeg.len()).unwrap());
        let frame = LiveViewFrame { header, jpeg: &jpeg };
        let bytes = frame.to_bytes();
        prop_assert_eq!(bytes.len(), LIVEVIEW_HEADER_LEN as usize + jpeg.len());
        let back = LiveViewFrame::parse(&bytes).unwrap();
        prop_assert_eq!(back, frame);
        prop_assert_eq!(LiveViewHeader::decode(&mut ptp_codec::Reader::new(&bytes)).unwrap(), header);
    }

    #[test]
    fn no_decoder_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = ExtPropList::decode_exact(&bytes);
        let _ = ExtPropDesc::decode_exact(&bytes);
        let _ = ExtDeviceInfo::decode_exact(&bytes);
        let _ = LiveViewFrame::parse(&bytes);
    }

    #[test]
    fn no_decoder_panics_on_mutated_answers(
        list in proptest::collection::vec(desc(), 1..6),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = ExtPropList(list).to_bytes();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let _ = ExtPropList::decode_exact(&bytes);
        let _ = ExtPropList::decode_exact(&bytes[..cut.index(bytes.len())]);
    }

    #[test]
    fn liveview_offsets_outside_the_object_are_refused(
        offset in any::<u32>(), size in any::<u32>(), len in 16usize..300,
    ) {
        let mut bytes = LiveViewHeader { image_offset: offset, image_size: size, focus_offset: 0, focus_size: 0 }.to_bytes();
        bytes.resize(len, 0);
        match LiveViewFrame::parse(&bytes) {
            Ok(frame) => {
                prop_assert!(offset as usize >= 16);
                prop_assert!(offset as usize + size as usize <= len);
                prop_assert_eq!(frame.jpeg.len(), size as usize);
            }
            Err(_) => prop_assert!(offset < 16 || offset as usize + size as usize > len),
        }
    }
}
