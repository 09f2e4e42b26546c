//! The EOS wire formats under proptest: every record vcam can write reads back as itself,
//! decoding what was decoded and re-encoded gives the same records, and no decoder panics on
//! arbitrary or mutated bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::borrow::Cow;

use proptest::prelude::*;
use vcam_canon::codes::EventType;
use vcam_canon::records::{
    DeviceInfoEx, EosEvent, EosValue, FocusInfo, FolderEntry, ImageFormat, ValueKind,
    ViewfinderRecord, decode_events, decode_viewfinder, encode_events, viewfinder,
};
use vcam_core::ptp_types::{
    Decode, DevicePropCode, Encode, ObjectFormatCode, ObjectHandle, StorageId,
};

fn image_format() -> impl Strategy<Value = ImageFormat> {
    let file = (any::<u32>(), any::<u32>(), any::<u32>());
    (file, proptest::option::of(file)).prop_map(|(first, second)| ImageFormat {
        files: [Some(first), second],
    })
}

fn focus_info() -> impl Strategy<Value = FocusInfo> {
    proptest::collection::vec(any::<(i16, i16, i16, i16)>(), 0..40).prop_flat_map(|points| {
        let mask_len = points.len().div_ceil(8);
        (
            any::<u16>(),
            any::<(u16, u16)>(),
            any::<(u16, u16)>(),
            any::<u16>(),
            proptest::collection::vec(any::<u8>(), mask_len),
            proptest::collection::vec(any::<u8>(), 0..8),
        )
            .prop_map(
                move |(version, size, size2, points_in_use, selection, trailer)| FocusInfo {
                    version,
                    size,
                    size2,
                    points_in_use,
                    points: Cow::Owned(points.clone()),
                    selection,
                    trailer: Cow::Owned(trailer),
                },
            )
    })
}

/// A string an EOS C string can carry: UTF-8 without NUL.
fn c_text() -> impl Strategy<Value = String> {
    "[^\u{0}]{0,24}"
}

/// A value of `kind`, as an element of a list.
fn value_of(kind: ValueKind) -> BoxedStrategy<EosValue> {
    match kind {
        ValueKind::Text => c_text().prop_map(EosValue::Str).boxed(),
        ValueKind::ImageFormat => image_format().prop_map(EosValue::ImageFormat).boxed(),
        ValueKind::FocusInfo => focus_info().prop_map(EosValue::FocusInfo).boxed(),
        _ => any::<u32>().prop_map(EosValue::U32).boxed(),
    }
}

/// The value of a PropValueChanged record: a value of `kind`, or for numbers also raw bytes
/// of another length than four.
fn whole_value_of(kind: ValueKind) -> BoxedStrategy<EosValue> {
    match kind {
        ValueKind::Number => prop_oneof![
            any::<u32>().prop_map(EosValue::U32),
            proptest::collection::vec(any::<u8>(), 0..12)
                .prop_filter("four bytes read as a number", |b| b.len() != 4)
                .prop_map(EosValue::Raw),
        ]
        .boxed(),
        kind => value_of(kind),
    }
}

/// A property code of each kind, or any code (most are numbers).
fn prop_code() -> impl Strategy<Value = DevicePropCode> {
    prop_oneof![
        any::<u16>().prop_map(DevicePropCode),
        prop::sample::select(vec![0xD115u16, 0xD1D0, 0xD1D1, 0xD1AF, 0xD1D8, 0xD125])
            .prop_map(DevicePropCode),
        prop::sample::select(vec![0xD120u16, 0xD121, 0xD122, 0xD123]).prop_map(DevicePropCode),
        Just(DevicePropCode(0xD1D3)),
    ]
}

/// A record type vcam does not model (so it stays `Other`), terminator excluded.
fn other_kind() -> impl Strategy<Value = EventType> {
    any::<u32>()
        .prop_filter("modelled or terminator", |k| {
            *k == 0 || EventType::KNOWN.iter().all(|known| known.0 != *k)
        })
        .prop_filter("not the terminator", |k| *k != 0)
        .prop_map(EventType)
}

fn event() -> impl Strategy<Value = EosEvent> {
    prop_oneof![
        prop_code().prop_flat_map(|prop| whole_value_of(ValueKind::of(prop))
            .prop_map(move |value| EosEvent::PropValueChanged { prop, value })),
        prop_code().prop_flat_map(|prop| proptest::collection::vec(
            value_of(ValueKind::of(prop)),
            0..6
        )
        .prop_map(move |values| EosEvent::AvailListChanged { prop, values })),
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<u16>(),
            any::<u32>(),
            c_text()
        )
            .prop_map(|(handle, storage, parent, format, size, name)| {
                EosEvent::ObjectAddedEx {
                    handle: ObjectHandle(handle),
                    storage: StorageId(storage),
                    parent: ObjectHandle(parent),
                    format: ObjectFormatCode(format),
                    size,
                    name,
                }
            }),
        (any::<u32>(), any::<u16>(), any::<u32>(), c_text()).prop_map(
            |(handle, format, size, name)| EosEvent::RequestObjectTransfer {
                handle: ObjectHandle(handle),
                format: ObjectFormatCode(format),
                size,
                name,
            }
        ),
        any::<u32>().prop_map(|h| EosEvent::ObjectRemoved(ObjectHandle(h))),
        any::<u32>().prop_map(EosEvent::CameraStatusChanged),
        Just(EosEvent::InfoCheckComplete),
        (other_kind(), proptest::collection::vec(any::<u8>(), 0..32))
            .prop_map(|(kind, payload)| EosEvent::Other { kind, payload }),
    ]
}

/// A viewfinder record with owned bytes.
#[derive(Debug, Clone)]
enum OwnedViewfinder {
    Jpeg(Vec<u8>),
    Zoom(u32),
    ZoomPosition(u32, u32),
    Histogram(u32),
    Other(u32, Vec<u8>),
}

impl OwnedViewfinder {
    fn record(&self) -> ViewfinderRecord<'_> {
        match self {
            Self::Jpeg(b) => ViewfinderRecord::Jpeg(b),
            Self::Zoom(z) => ViewfinderRecord::Zoom(*z),
            Self::ZoomPosition(x, y) => ViewfinderRecord::ZoomPosition { x: *x, y: *y },
            Self::Histogram(h) => ViewfinderRecord::HistogramStatus(*h),
            Self::Other(kind, payload) => ViewfinderRecord::Other {
                kind: *kind,
                payload,
            },
        }
    }
}

fn viewfinder_record() -> impl Strategy<Value = OwnedViewfinder> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(OwnedViewfinder::Jpeg),
        any::<u32>().prop_map(OwnedViewfinder::Zoom),
        any::<(u32, u32)>().prop_map(|(x, y)| OwnedViewfinder::ZoomPosition(x, y)),
        any::<u32>().prop_map(OwnedViewfinder::Histogram),
        (
            any::<u32>().prop_filter("modelled", |k| ![
                viewfinder::JPEG,
                viewfinder::ZOOM,
                viewfinder::ZOOM_POSITION,
                viewfinder::HISTOGRAM_STATUS
            ]
            .contains(k)),
            proptest::collection::vec(any::<u8>(), 0..16)
        )
            .prop_map(|(k, p)| OwnedViewfinder::Other(k, p)),
    ]
}

fn folder_entry() -> impl Strategy<Value = FolderEntry> {
    (
        any::<(u32, u32, u16, u32, u32, u32, u32)>(),
        "[A-Za-z0-9_.]{0,15}",
    )
        .prop_map(
            |((handle, storage, format, flags, size, parent, time), name)| FolderEntry {
                handle: ObjectHandle(handle),
                storage: StorageId(storage),
                format: ObjectFormatCode(format),
                flags,
                size,
                parent: ObjectHandle(parent),
                name,
                time,
            },
        )
}

/// `bytes` with some positions overwritten.
fn mutated(valid: impl Strategy<Value = Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        valid,
        proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        any::<usize>(),
    )
        .prop_map(|(mut bytes, edits, cut)| {
            if !bytes.is_empty() {
                for (at, value) in edits {
                    let at = at % bytes.len();
                    bytes[at] = value;
                }
                if cut % 3 == 0 {
                    bytes.truncate(cut % bytes.len());
                }
            }
            bytes
        })
}

/// Every decoder, on the same bytes: none may panic.
fn decode_all(bytes: &[u8]) {
    let _ = decode_events(bytes);
    let _ = decode_viewfinder(bytes);
    let _ = EosEvent::decode_exact(bytes);
    let _ = ImageFormat::decode_exact(bytes);
    let _ = FocusInfo::decode_exact(bytes);
    let _ = DeviceInfoEx::decode_exact(bytes);
    let _ = Vec::<FolderEntry>::decode_exact(bytes);
}

proptest! {
    #[test]
    fn events_round_trip(events in proptest::collection::vec(event(), 0..8)) {
        let bytes = encode_events(&events);
        prop_assert_eq!(&decode_events(&bytes).unwrap(), &events);
        for e in &events {
            prop_assert_eq!(&EosEvent::decode_exact(&e.to_bytes()).unwrap(), e);
        }
    }

    #[test]
    fn structures_round_trip(f in image_format(), focus in focus_info()) {
        prop_assert_eq!(ImageFormat::decode_exact(&f.to_bytes()).unwrap(), f);
        prop_assert_eq!(FocusInfo::decode_exact(&focus.to_bytes()).unwrap(), focus);
    }

    #[test]
    fn viewfinder_round_trips(records in proptest::collection::vec(viewfinder_record(), 0..6)) {
        let records: Vec<ViewfinderRecord<'_>> = records.iter().map(OwnedViewfinder::record).collect();
        let mut bytes = Vec::new();
        for r in &records {
            r.encode(&mut bytes);
        }
        prop_assert_eq!(decode_viewfinder(&bytes).unwrap(), records);
    }

    #[test]
    fn object_listings_round_trip(
        entries in proptest::collection::vec(folder_entry(), 0..5),
        events in proptest::collection::vec(any::<u32>(), 0..8),
        props in proptest::collection::vec(any::<u32>(), 0..8),
        unknown in proptest::collection::vec(any::<u32>(), 0..3),
    ) {
        prop_assert_eq!(Vec::<FolderEntry>::decode_exact(&entries.to_bytes()).unwrap(), entries);
        let info = DeviceInfoEx {
            events_supported: events.into_iter().map(EventType).collect(),
            device_properties_supported: props,
            unknown,
        };
        prop_assert_eq!(DeviceInfoEx::decode_exact(&info.to_bytes()).unwrap(), info);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        decode_all(&bytes);
    }

    #[test]
    fn mutated_encodings_never_panic(
        events in mutated(proptest::collection::vec(event(), 0..6).prop_map(|e| encode_events(&e))),
        focus in mutated(focus_info().prop_map(|f| f.to_bytes())),
        entries in mutated(proptest::collection::vec(folder_entry(), 0..3).prop_map(|e| e.to_bytes())),
    ) {
        decode_all(&events);
        decode_all(&focus);
        decode_all(&entries);
    }

    /// What decodes re-encodes to bytes that decode the same: nothing a body sends is lost or
    /// changed by passing through these types.
    #[test]
    fn decoding_is_stable(
        bytes in mutated(proptest::collection::vec(event(), 1..6).prop_map(|e| encode_events(&e))),
    ) {
        if let Ok(events) = decode_events(&bytes) {
            let again = decode_events(&encode_events(&events)).unwrap();
            prop_assert_eq!(again, events);
        }
    }
}

#[test]
fn the_1300d_dump_reads_back() {
    let body = &vcam_canon::model::EOS_1300D;
    let focus = body.focus_info(1 << 4);
    assert!(focus.is_selected(4) && !focus.is_selected(0));
    let events = vec![
        EosEvent::PropValueChanged {
            prop: DevicePropCode(0xD1D3),
            value: EosValue::FocusInfo(focus),
        },
        EosEvent::AvailListChanged {
            prop: DevicePropCode(0xD120),
            values: body
                .image_formats
                .iter()
                .map(|f| EosValue::ImageFormat(*f))
                .collect(),
        },
        EosEvent::InfoCheckComplete,
    ];
    let bytes = encode_events(&events);
    assert_eq!(
        bytes[bytes.len() - 8..],
        [8, 0, 0, 0, 0, 0, 0, 0],
        "terminator"
    );
    assert_eq!(decode_events(&bytes).unwrap(), events);
}
