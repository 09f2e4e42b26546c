//! What the scale tests share: large cards that cost no disk.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Stdio};

use vcam_testkit::{Env, VcamProcess, require};

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

/// gphoto2 for `vcam` over PTP/IP in `env` (its HOME and working folder), to be spawned by
/// the caller: for runs that are watched while they go (a debug log, a 4 GiB stdout), which
/// the testkit's runner, waiting for the end, does not do. stdin is closed; stdout and stderr
/// are the caller's to set.
pub fn gphoto2(env: &Env, vcam: &VcamProcess) -> Command {
    let mut cmd = Command::new(require("gphoto2"));
    cmd.arg("--port")
        .arg(format!("ptpip:127.0.0.1:{0}:{0}", vcam.port()))
        .env("HOME", env.home())
        .env("LANG", "C")
        .current_dir(env.cwd())
        .stdin(Stdio::null());
    cmd
}
