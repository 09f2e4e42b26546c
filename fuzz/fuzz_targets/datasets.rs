//! Every dataset decoder on arbitrary bytes: never a panic, and whatever decodes re-encodes
//! to something that decodes to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ptp_types::{
    DataTypeCode, Decode, DeviceInfo, DevicePropDesc, Encode, ObjectInfo, ObjectPropDesc, ObjectPropList,
    StorageInfo, StreamInfo, decode_value_exact,
};

fn round_trip<T: for<'a> Decode<'a> + Encode + PartialEq + std::fmt::Debug>(bytes: &[u8]) {
    if let Ok(value) = T::decode_exact(bytes) {
        let again = T::decode_exact(&value.to_bytes()).expect("re-encoded dataset decodes");
        assert_eq!(again, value);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    match selector % 8 {
        0 => round_trip::<DeviceInfo>(bytes),
        1 => round_trip::<StorageInfo>(bytes),
        2 => round_trip::<ObjectInfo>(bytes),
        3 => round_trip::<DevicePropDesc>(bytes),
        4 => round_trip::<ObjectPropDesc>(bytes),
        5 => round_trip::<ObjectPropList>(bytes),
        6 => round_trip::<StreamInfo>(bytes),
        _ => {
            let Some((&t, rest)) = bytes.split_first() else { return };
            // Data types 0x0001..=0x000A, their arrays (0x4000 |), and strings (0xFFFF).
            let code = match t % 21 {
                n @ 0..=9 => n as u16 + 1,
                n @ 10..=19 => 0x4000 | (n as u16 - 9),
                _ => 0xFFFF,
            };
            if let Ok(value) = decode_value_exact(rest, DataTypeCode(code)) {
                let again = decode_value_exact(&value.to_bytes(), DataTypeCode(code)).expect("re-encoded value decodes");
                assert_eq!(again, value);
            }
        }
    }
});
