//! tshark's PTP/IP dissector decodes a captured gphoto2 session with vcam without a single
//! malformed packet.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Stdio};
use std::time::Duration;

use vcam_testkit::{Env, VcamProcess, card, require, wait_until};

#[test]
fn tshark_decodes_a_gphoto2_session_cleanly() {
    let tshark = require("tshark");
    let card = card::sample();
    let server = VcamProcess::start(
        env!("CARGO_BIN_EXE_vcam-ptpip").as_ref(),
        &["--fs", card.path().to_str().unwrap()],
    );
    let port = server.port();
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("session.pcapng");
    let log = dir.path().join("tshark.log");
    let mut capture = Command::new(&tshark)
        .args(["-i", "lo", "-f", &format!("tcp port {port}"), "-w"])
        .arg(&pcap)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("start tshark");
    let started = wait_until(Duration::from_secs(20), || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("Capturing on")
    });
    let capture_log = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        started,
        "tshark did not start capturing on lo (capturing needs root or the wireshark group): {capture_log}"
    );

    let g = Env::new().gphoto2_ptpip(server.port());
    g.ok("gphoto2", &["--summary"]);
    g.ok("gphoto2", &["--get-all-files"]);
    g.ok(
        "gphoto2",
        &["--capture-image-and-download", "--filename", "shot.jpg"],
    );
    let upload = g.file("UP.TXT");
    std::fs::write(&upload, b"uploaded").unwrap();
    g.ok(
        "gphoto2",
        &[
            "--folder",
            "/store_00010001/DCIM",
            "--upload-file",
            upload.to_str().unwrap(),
        ],
    );

    // Let the last packets reach the capture, then stop it with SIGINT so the file is complete.
    std::thread::sleep(Duration::from_millis(500));
    let _ = Command::new("kill")
        .args(["-INT", &capture.id().to_string()])
        .status();
    let _ = capture.wait();

    let decode = |filter: &str, fields: &[&str]| -> String {
        let mut cmd = Command::new(&tshark);
        cmd.arg("-r").arg(&pcap).args([
            "-d",
            &format!("tcp.port=={port},ptpip"),
            "-Y",
            filter,
            "-T",
            "fields",
        ]);
        for f in fields {
            cmd.args(["-e", f]);
        }
        let out = cmd.output().expect("run tshark");
        assert!(
            out.status.success(),
            "tshark -r failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let types = decode("ptpip", &["ptpip.pktType"]);
    let count = types.lines().count();
    assert!(count > 100, "only {count} PTP/IP packets decoded");
    for needed in [
        "0x00000001",
        "0x00000002",
        "0x00000003",
        "0x00000004",
        "0x00000006",
        "0x00000007",
        "0x00000008",
        "0x00000009",
        "0x0000000c",
    ] {
        assert!(
            types.lines().any(|l| l.split(',').any(|t| t == needed)),
            "packet type {needed} not seen in {types}"
        );
    }
    let malformed = decode(
        "_ws.malformed || _ws.expert.severity >= error",
        &["frame.number", "_ws.expert.message"],
    );
    assert!(
        malformed.trim().is_empty(),
        "malformed packets:\n{malformed}"
    );
}
