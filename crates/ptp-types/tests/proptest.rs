//! Property tests: every dataset decodes back to itself after encoding, and arbitrary bytes
//! never panic a decoder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use ptp_types::{
    AccessCapability, AssociationType, DataTypeCode, DateTime, Decode, DeviceInfo, DevicePropCode,
    DevicePropDesc, Encode, EventCode, FilesystemType, FunctionalMode, GetSet, ObjectFormatCode,
    ObjectHandle, ObjectInfo, ObjectPropCode, ObjectPropDesc, ObjectPropList, ObjectPropValue,
    OperationCode, PropForm, PropValue, ProtectionStatus, PtpString, StorageId, StorageInfo,
    StorageType, StreamInfo, TimeZone, decode_value, decode_value_exact,
};

/// A PTP string: any characters but NUL (the terminator), within the 254 UTF-16 units a PTP
/// string holds; mostly short, sometimes at the limit.
fn s() -> impl Strategy<Value = PtpString> {
    let short =
        proptest::collection::vec(any::<char>().prop_filter("no NUL", |c| *c != '\0'), 0..20)
            .prop_map(|v| v.into_iter().collect::<String>());
    let long = proptest::collection::vec(
        any::<char>().prop_filter("no NUL", |c| *c != '\0'),
        100..260,
    )
    .prop_map(|v| v.into_iter().collect::<String>());
    prop_oneof![4 => "[ -~]{0,40}", 4 => short, 1 => long, 1 => "x{254}"]
        .prop_map(|t| PtpString::truncating(&t))
}

/// A date as an ObjectInfo carries it. Only dates the DateTime parser accepts: ObjectInfo reads
/// an unparsable date string leniently as `None`, so anything else would not round-trip (that is
/// intended, not a bug).
fn date() -> impl Strategy<Value = Option<DateTime>> {
    proptest::option::of(
        (
            (0u16..=9999, 1u8..=12, 1u8..=31),
            (0u8..24, 0u8..60, 0u8..=60),
            proptest::option::of(0u8..=9),
            proptest::option::of(prop_oneof![
                Just(TimeZone::Utc),
                (-1439i16..=1439).prop_map(TimeZone::Offset)
            ]),
        )
            .prop_map(
                |((year, month, day), (hour, minute, second), tenths, zone)| DateTime {
                    year,
                    month,
                    day,
                    hour,
                    minute,
                    second,
                    tenths,
                    zone,
                },
            ),
    )
}

/// A value of one of the scalar types, an array, or a string, with its type code.
fn value() -> impl Strategy<Value = PropValue> {
    prop_oneof![
        any::<i8>().prop_map(PropValue::Int8),
        any::<u8>().prop_map(PropValue::UInt8),
        any::<i16>().prop_map(PropValue::Int16),
        any::<u16>().prop_map(PropValue::UInt16),
        any::<i32>().prop_map(PropValue::Int32),
        any::<u32>().prop_map(PropValue::UInt32),
        any::<i64>().prop_map(PropValue::Int64),
        any::<u64>().prop_map(PropValue::UInt64),
        any::<i128>().prop_map(PropValue::Int128),
        any::<u128>().prop_map(PropValue::UInt128),
        proptest::collection::vec(any::<i8>(), 0..8).prop_map(PropValue::AInt8),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(PropValue::AUInt8),
        proptest::collection::vec(any::<i16>(), 0..8).prop_map(PropValue::AInt16),
        proptest::collection::vec(any::<u16>(), 0..8).prop_map(PropValue::AUInt16),
        proptest::collection::vec(any::<i32>(), 0..8).prop_map(PropValue::AInt32),
        proptest::collection::vec(any::<u32>(), 0..8).prop_map(PropValue::AUInt32),
        proptest::collection::vec(any::<i64>(), 0..8).prop_map(PropValue::AInt64),
        proptest::collection::vec(any::<u64>(), 0..8).prop_map(PropValue::AUInt64),
        proptest::collection::vec(any::<i128>(), 0..4).prop_map(PropValue::AInt128),
        proptest::collection::vec(any::<u128>(), 0..4).prop_map(PropValue::AUInt128),
        s().prop_map(PropValue::Str),
    ]
}

/// Values of the same type as `v` (for ranges and enumerations).
fn same_type(v: &PropValue) -> BoxedStrategy<PropValue> {
    let t = v.data_type();
    value()
        .prop_filter("same type", move |x| x.data_type() == t)
        .boxed()
}

fn form_for(v: PropValue) -> BoxedStrategy<(PropValue, PropForm)> {
    let v2 = v.clone();
    prop_oneof![
        Just((v.clone(), PropForm::None)),
        (same_type(&v), same_type(&v), same_type(&v)).prop_map({
            let v = v.clone();
            move |(min, max, step)| (v.clone(), PropForm::Range { min, max, step })
        }),
        proptest::collection::vec(same_type(&v), 0..5).prop_map({
            let v = v.clone();
            move |list| (v.clone(), PropForm::Enumeration(list))
        }),
        any::<u16>().prop_map({
            let v = v2.clone();
            move |n| (v.clone(), PropForm::FixedLengthArray(n))
        }),
        s().prop_map({
            let v = v2.clone();
            move |re| (v.clone(), PropForm::RegularExpression(re))
        }),
        any::<u16>().prop_map({
            let v = v2.clone();
            move |n| (v.clone(), PropForm::ByteArray(n))
        }),
        Just((v2.clone(), PropForm::DateTime)),
        Just((v2, PropForm::LongString)),
    ]
    .boxed()
}

fn codes<T: Copy + std::fmt::Debug + 'static>(f: fn(u16) -> T) -> impl Strategy<Value = Vec<T>> {
    proptest::collection::vec(any::<u16>().prop_map(f), 0..30)
}

/// Decodes `bytes` as `T`; whatever decodes must encode to bytes that decode to the same value.
fn decodes_stably<T: for<'a> Decode<'a> + Encode + PartialEq + std::fmt::Debug>(bytes: &[u8]) {
    if let Ok(value) = T::decode_exact(bytes) {
        assert_eq!(T::decode_exact(&value.to_bytes()).unwrap(), value);
    }
}

/// Overwrites bytes of a valid encoding at `edits` (position modulo the length) and cuts it at
/// `cut`, so decoders see inputs that are nearly valid.
fn mutate(mut bytes: Vec<u8>, edits: &[(usize, u8)], cut: usize) -> Vec<u8> {
    if !bytes.is_empty() {
        let n = bytes.len();
        for &(at, b) in edits {
            bytes[at % n] = b;
        }
    }
    bytes.truncate(cut % (bytes.len() + 1));
    bytes
}

prop_compose! {
    fn device_info()(
        standard_version in any::<u16>(), vendor_extension_id in any::<u32>(), vendor_extension_version in any::<u16>(),
        vendor_extension_desc in s(), functional_mode in any::<u16>(),
        ops in codes(OperationCode), events in codes(EventCode), props in codes(DevicePropCode),
        capture in codes(ObjectFormatCode), playback in codes(ObjectFormatCode),
        manufacturer in s(), model in s(), device_version in s(), serial_number in s(),
    ) -> DeviceInfo {
        DeviceInfo {
            standard_version, vendor_extension_id, vendor_extension_version, vendor_extension_desc,
            functional_mode: FunctionalMode(functional_mode), operations_supported: ops, events_supported: events,
            device_properties_supported: props, capture_formats: capture, playback_formats: playback,
            manufacturer, model, device_version, serial_number,
        }
    }
}

prop_compose! {
    fn object_info()(
        storage in any::<u32>(), format in any::<u16>(), protection in any::<u16>(), size in any::<u32>(),
        thumb in (any::<u16>(), any::<u32>(), any::<u32>(), any::<u32>()),
        image in (any::<u32>(), any::<u32>(), any::<u32>()),
        parent in any::<u32>(), assoc in (any::<u16>(), any::<u32>(), any::<u32>()),
        filename in s(), capture_date in date(), modification_date in date(), keywords in s(),
    ) -> ObjectInfo {
        ObjectInfo {
            storage_id: StorageId(storage), object_format: ObjectFormatCode(format),
            protection_status: ProtectionStatus(protection), object_compressed_size: size,
            thumb_format: ObjectFormatCode(thumb.0), thumb_compressed_size: thumb.1,
            thumb_pix_width: thumb.2, thumb_pix_height: thumb.3,
            image_pix_width: image.0, image_pix_height: image.1, image_bit_depth: image.2,
            parent_object: ObjectHandle(parent), association_type: AssociationType(assoc.0),
            association_desc: assoc.1, sequence_number: assoc.2,
            filename, capture_date, modification_date, keywords,
        }
    }
}

proptest! {
    #[test]
    fn device_info_round_trips(info in device_info()) {
        prop_assert_eq!(DeviceInfo::decode_exact(&info.to_bytes()).unwrap(), info);
    }

    #[test]
    fn object_info_round_trips(info in object_info()) {
        prop_assert_eq!(ObjectInfo::decode_exact(&info.to_bytes()).unwrap(), info);
    }

    #[test]
    fn storage_info_round_trips(t in any::<u16>(), f in any::<u16>(), a in any::<u16>(), max in any::<u64>(), free in any::<u64>(), imgs in any::<u32>(), d in s(), l in s()) {
        let info = StorageInfo {
            storage_type: StorageType(t), filesystem_type: FilesystemType(f), access_capability: AccessCapability(a),
            max_capacity: max, free_space_in_bytes: free, free_space_in_images: imgs, storage_description: d, volume_label: l,
        };
        prop_assert_eq!(StorageInfo::decode_exact(&info.to_bytes()).unwrap(), info);
    }

    #[test]
    fn stream_info_round_trips(v in any::<(u64, u32, u32, u32, u32, u32)>(), size in prop_oneof![Just(StreamInfo::LEN), any::<u64>()]) {
        let info = StreamInfo {
            dataset_size: size, time_resolution: v.0, frame_header_size: v.1, frame_max_size: v.2,
            packet_header_size: v.3, packet_max_size: v.4, packet_alignment: v.5,
        };
        prop_assert_eq!(StreamInfo::decode_exact(&info.to_bytes()).unwrap(), info);
    }

    #[test]
    fn values_round_trip(v in value(), tail in proptest::collection::vec(any::<u8>(), 0..8)) {
        let mut bytes = v.to_bytes();
        prop_assert_eq!(&decode_value_exact(&bytes, v.data_type()).unwrap(), &v);
        // decode_value stops at the value's end.
        let len = bytes.len();
        bytes.extend_from_slice(&tail);
        let mut r = ptp_types::Reader::new(&bytes);
        prop_assert_eq!(decode_value(&mut r, v.data_type()).unwrap(), v);
        prop_assert_eq!(r.position(), len);
    }

    #[test]
    fn device_prop_desc_round_trips(
        ((current, form), default) in value().prop_flat_map(|v| (form_for(v.clone()), same_type(&v))), code in any::<u16>(), gs in any::<u8>(),
    ) {
        let desc = DevicePropDesc {
            code: DevicePropCode(code), data_type: current.data_type(), get_set: GetSet(gs),
            factory_default: default, current, form,
        };
        prop_assert_eq!(DevicePropDesc::decode_exact(&desc.to_bytes()).unwrap(), desc);
    }

    #[test]
    fn object_prop_desc_round_trips(
        (default, form) in value().prop_flat_map(form_for), code in any::<u16>(), group in any::<u32>(), gs in any::<u8>(),
    ) {
        let desc = ObjectPropDesc {
            code: ObjectPropCode(code), data_type: default.data_type(), get_set: GetSet(gs),
            factory_default: default, group_code: group, form,
        };
        prop_assert_eq!(ObjectPropDesc::decode_exact(&desc.to_bytes()).unwrap(), desc);
    }

    #[test]
    fn object_prop_list_round_trips(items in proptest::collection::vec((any::<u32>(), any::<u16>(), value()), 0..10)) {
        let list = ObjectPropList {
            elements: items.into_iter().map(|(h, c, value)| ObjectPropValue { handle: ObjectHandle(h), code: ObjectPropCode(c), value }).collect(),
        };
        prop_assert_eq!(ObjectPropList::decode_exact(&list.to_bytes()).unwrap(), list);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), t in any::<u16>()) {
        let _ = DeviceInfo::decode_exact(&bytes);
        let _ = StorageInfo::decode_exact(&bytes);
        let _ = ObjectInfo::decode_exact(&bytes);
        let _ = StreamInfo::decode_exact(&bytes);
        let _ = DevicePropDesc::decode_exact(&bytes);
        let _ = ObjectPropDesc::decode_exact(&bytes);
        let _ = ObjectPropList::decode_exact(&bytes);
        let _ = decode_value_exact(&bytes, DataTypeCode(t));
    }

    #[test]
    fn mutated_encodings_never_panic(
        info in device_info(), object in object_info(),
        (default, form) in value().prop_flat_map(form_for),
        items in proptest::collection::vec((any::<u32>(), any::<u16>(), value()), 0..4),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        cut in any::<usize>(),
    ) {
        let cut = if cut % 2 == 0 { usize::MAX } else { cut };
        let desc = ObjectPropDesc {
            code: ObjectPropCode(0xDC01), data_type: default.data_type(), get_set: GetSet::GET,
            factory_default: default.clone(), group_code: 0, form: form.clone(),
        };
        let dev = DevicePropDesc {
            code: DevicePropCode(0x5001), data_type: default.data_type(), get_set: GetSet::GET_SET,
            factory_default: default.clone(), current: default, form,
        };
        let list = ObjectPropList {
            elements: items.into_iter().map(|(h, c, value)| ObjectPropValue { handle: ObjectHandle(h), code: ObjectPropCode(c), value }).collect(),
        };
        decodes_stably::<DeviceInfo>(&mutate(info.to_bytes(), &edits, cut));
        decodes_stably::<ObjectInfo>(&mutate(object.to_bytes(), &edits, cut));
        decodes_stably::<ObjectPropDesc>(&mutate(desc.to_bytes(), &edits, cut));
        decodes_stably::<DevicePropDesc>(&mutate(dev.to_bytes(), &edits, cut));
        decodes_stably::<ObjectPropList>(&mutate(list.to_bytes(), &edits, cut));
    }
}
