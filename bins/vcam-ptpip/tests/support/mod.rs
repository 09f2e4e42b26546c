//! What the scale tests share: gphoto2 runs watched while they go.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::process::{Command, Stdio};

use vcam_testkit::{Env, VcamProcess, require};

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
