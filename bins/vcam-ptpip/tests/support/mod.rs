//! What the scale tests share: large cards that cost no disk.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::Path;

/// A temporary folder in memory (/dev/shm) when the machine has one: a card of 100,000 files
/// is made in seconds there, and sparse files cost nothing.
pub fn memory_tempdir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::Builder::new()
            .prefix("vcam-test-")
            .tempdir_in(shm)
            .unwrap()
    } else {
        tempfile::tempdir().unwrap()
    }
}
