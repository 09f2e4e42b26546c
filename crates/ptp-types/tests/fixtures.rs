//! DeviceInfo datasets real cameras sent (extracted from libgphoto2's debug logs by
//! `scripts/extract-deviceinfo-fixtures.py`, see `fixtures/deviceinfo/SOURCES.md`): each
//! decodes, re-encodes byte for byte, and every truncation is an error, not a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use ptp_types::{Decode, DeviceInfo, Encode, OperationCode};

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
    out
}

#[test]
fn real_device_infos_round_trip_byte_for_byte() {
    let all = fixtures();
    assert!(
        all.len() >= 4,
        "expected at least 4 fixtures, found {}",
        all.len()
    );
    for (name, bytes) in &all {
        let info = DeviceInfo::decode_exact(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again = info.to_bytes();
        if let Some(at) = again.iter().zip(bytes.iter()).position(|(a, b)| a != b) {
            panic!("{name}: re-encoded bytes differ at offset {at}");
        }
        assert_eq!(again.len(), bytes.len(), "{name}: re-encoded length");
        assert!(
            info.operations_supported
                .contains(&OperationCode::GET_DEVICE_INFO),
            "{name}"
        );
        assert!(!info.model.as_str().is_empty(), "{name}: model");
    }
}

#[test]
fn known_facts_of_the_fixtures() {
    let all = fixtures();
    let get = |n: &str| {
        let (_, b) = all
            .iter()
            .find(|(name, _)| name == n)
            .unwrap_or_else(|| panic!("{n} missing"));
        DeviceInfo::decode_exact(b).unwrap()
    };
    let eos = get("canon-eos-60d.debug.bin");
    assert_eq!(eos.manufacturer.as_str(), "Canon Inc.");
    assert_eq!(eos.model.as_str(), "Canon EOS 60D");
    assert!(
        eos.operations_supported.contains(&OperationCode(0x9116)),
        "EOS GetEvent"
    );
    let nx = get("samsung-nx01.bin");
    assert!(
        nx.manufacturer
            .as_str()
            .to_ascii_lowercase()
            .contains("samsung"),
        "{:?}",
        nx.manufacturer
    );
    let fuji = get("fuji-finepix-s4200.bin");
    assert!(
        fuji.manufacturer.as_str().contains("FUJIFILM"),
        "{:?}",
        fuji.manufacturer
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
