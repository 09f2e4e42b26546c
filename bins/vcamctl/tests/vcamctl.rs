//! `vcamctl` against a running `vcam-ptpip --control`: status, a body action, a fault, and
//! the errors a mistake gets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use vcam_testkit::server::{VcamProcess, built};
use vcam_testkit::tools::tempdir;

fn vcamctl(socket: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vcamctl"))
        .arg("--socket")
        .arg(socket)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn steers_a_running_camera() {
    let dir = tempdir();
    let socket = dir.path().join("cam.sock");
    let _camera = VcamProcess::start(
        &built("vcam-ptpip"),
        &["generic", "--control", &socket.to_string_lossy()],
    );
    let (ok, out, _) = vcamctl(&socket, &["status"]);
    assert!(ok, "{out}");
    assert!(
        out.starts_with("model=generic session=closed link=up card=in"),
        "{out}"
    );
    // Between two clients the control socket runs the camera itself.
    let (ok, out, _) = vcamctl(&socket, &["shutter"]);
    assert!(ok && out.starts_with("captured IMG_"), "{out}");
    let (ok, out, _) = vcamctl(&socket, &["fault", "busy:on=GetObject,ops=2"]);
    assert!(ok, "{out}");
    let (_, out, _) = vcamctl(&socket, &["status"]);
    assert!(out.contains("faults=1 [busy:ops=2,on=GetObject]"), "{out}");
    let (ok, _, err) = vcamctl(&socket, &["fault", "busy:ops=x"]);
    assert!(!ok && err.contains("not a count"), "{err}");
    let (ok, _, err) = vcamctl(&socket, &["frobnicate"]);
    assert!(!ok && err.contains("unknown command"), "{err}");
    let (ok, out, _) = vcamctl(&socket, &["unplug"]);
    assert!(ok && out.contains("unplugged"), "{out}");
    let (_, out, _) = vcamctl(&socket, &["status"]);
    assert!(out.contains("link=down"), "{out}");
    let (ok, out, _) = vcamctl(&socket, &["plug"]);
    assert!(ok && out.contains("plugged in"), "{out}");
}
