//! The card the responder tests share; the driver is `vcam_testkit::cam::Cam`.
#![allow(unreachable_pub, clippy::unwrap_used)]

use std::fs;

/// A card with a 3 MB `DCIM/100VCAM/BIG.BIN` (several data pieces) and a `README.TXT` at
/// the root: four objects, two of them at the root.
pub fn card() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("DCIM/100VCAM")).unwrap();
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    fs::write(dir.path().join("DCIM/100VCAM/BIG.BIN"), &big).unwrap();
    fs::write(dir.path().join("README.TXT"), b"hello card").unwrap();
    dir
}
