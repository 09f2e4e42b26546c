#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! DeviceInfo datasets real cameras sent (ISO 15740:2013 §5.5.1), extracted from the USB
//! hexdumps in libgphoto2's debug logs by `scripts/extract-deviceinfo-fixtures.py` (see
//! `fixtures/deviceinfo/README.md`): each decodes, re-encodes byte for byte, says what the
//! camera said it was, and every truncation of it is an error, not a panic.

use std::path::PathBuf;

use ptp_types::{Decode, DeviceInfo, Encode, OperationCode};

/// What each fixture is known to contain, read off the hexdump.
struct Facts {
    file: &'static str,
    vendor_extension_id: u32,
    manufacturer: &'static str,
    model: &'static str,
    device_version: &'static str,
    operations: usize,
}

const FACTS: &[Facts] = &[
    Facts {
        file: "canon-eos-60d.debug.bin",
        vendor_extension_id: 6,
        manufacturer: "Canon Inc.",
        model: "Canon EOS 60D",
        device_version: "3-1.1.0",
        operations: 87,
    },
    Facts {
        file: "canon-eos60d-debug.bin",
        vendor_extension_id: 6,
        manufacturer: "Canon Inc.",
        model: "Canon EOS 60D",
        device_version: "3-1.0.8",
        operations: 87,
    },
    Facts {
        file: "canon-powershot-g5x.bin",
        vendor_extension_id: 6,
        manufacturer: "Canon Inc.",
        model: "Canon PowerShot G5 X",
        device_version: "1-14.0.1.0",
        operations: 71,
    },
    Facts {
        file: "fuji-finepix-s4200.bin",
        vendor_extension_id: 6,
        manufacturer: "FUJIFILM",
        model: "FinePix S4200",
        device_version: "1.00",
        operations: 25,
    },
    Facts {
        file: "samsung-nx01.bin",
        vendor_extension_id: 0,
        manufacturer: "SAMSUNG Electronics Co. Ltd. ",
        model: "SAMSUNG NX1",
        device_version: "V1.0",
        operations: 21,
    },
];

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/deviceinfo");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(
        out.len() >= 4,
        "expected at least 4 fixtures in {}, found {}",
        dir.display(),
        out.len()
    );
    out
}

#[test]
fn real_device_infos_round_trip_byte_for_byte() {
    for (name, bytes) in &fixtures() {
        let info = DeviceInfo::decode_exact(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again = info.to_bytes();
        if let Some(at) = again.iter().zip(bytes.iter()).position(|(a, b)| a != b) {
            panic!(
                "{name}: re-encoded bytes differ at offset {at}: {:#04x} instead of {:#04x}",
                again[at], bytes[at]
            );
        }
        assert_eq!(again.len(), bytes.len(), "{name}: re-encoded length");
        assert_eq!(
            DeviceInfo::decode_exact(&again).unwrap(),
            info,
            "{name}: decode(encode(x)) != x"
        );
    }
}

#[test]
fn known_facts_of_the_fixtures() {
    let all = fixtures();
    for (name, _) in &all {
        assert!(
            FACTS.iter().any(|f| f.file == name),
            "{name}: a fixture without an entry in FACTS"
        );
    }
    for facts in FACTS {
        let (name, bytes) = all
            .iter()
            .find(|(name, _)| name == facts.file)
            .unwrap_or_else(|| panic!("{} missing", facts.file));
        let info = DeviceInfo::decode_exact(bytes).unwrap();
        assert_eq!(info.standard_version, 100, "{name}: StandardVersion");
        assert_eq!(
            info.vendor_extension_id, facts.vendor_extension_id,
            "{name}: VendorExtensionID"
        );
        assert_eq!(info.manufacturer.as_str(), facts.manufacturer, "{name}");
        assert_eq!(info.model.as_str(), facts.model, "{name}");
        assert_eq!(info.device_version.as_str(), facts.device_version, "{name}");
        assert_eq!(
            info.operations_supported.len(),
            facts.operations,
            "{name}: OperationsSupported"
        );
        assert!(
            info.operations_supported
                .contains(&OperationCode::GET_DEVICE_INFO),
            "{name}: GetDeviceInfo not among OperationsSupported"
        );
    }
    let eos =
        DeviceInfo::decode_exact(&all.iter().find(|(n, _)| n == FACTS[0].file).unwrap().1).unwrap();
    assert!(
        eos.operations_supported.contains(&OperationCode(0x9116)),
        "EOS 60D: EOS GetEvent (0x9116) not among OperationsSupported"
    );
    let fuji =
        DeviceInfo::decode_exact(&all.iter().find(|(n, _)| n == FACTS[3].file).unwrap().1).unwrap();
    assert_eq!(
        fuji.vendor_extension_desc.as_str(),
        "fujifilm.co.jp: 1.0; ",
        "Fuji: VendorExtensionDesc"
    );
}

#[test]
fn truncations_are_errors() {
    for (name, bytes) in fixtures() {
        for len in 0..bytes.len() {
            assert!(
                DeviceInfo::decode_exact(&bytes[..len]).is_err(),
                "{name}: {len}-byte prefix decoded"
            );
        }
    }
}
