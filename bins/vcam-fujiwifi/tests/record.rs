//! `vcam-fujiwifi --record FILE`: a gphoto2 session on Fujifilm's WiFi protocol recorded as
//! pcapng, one TCP flow per connection (command and event ports), read by `tshark -r` with no
//! malformed packet and no TCP analysis flag. Wireshark has no dissector for the protocol: the
//! USB containers are the TCP payload.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use vcam_testkit::tools::tempdir;
use vcam_testkit::{Env, VcamProcess, require, tshark};

#[test]
fn a_recorded_session_opens_in_tshark() {
    let _ = require("tshark"); // before the session: a missing tshark says how to install it
    let dir = tempdir();
    let file = dir.path().join("fuji.pcapng");
    let server = VcamProcess::start(
        env!("CARGO_BIN_EXE_vcam-fujiwifi").as_ref(),
        &["fuji_xh1", "--record", file.to_str().unwrap()],
    );
    let port = server.port();
    let summary = Env::new()
        .gphoto2_fuji_wifi(port)
        .ok("gphoto2", &["--summary"]);
    assert!(summary.contains("Model: X-H1"), "{summary}");
    drop(server); // every packet is flushed as it is written: no clean exit needed

    let segments = tshark::fields(
        &file,
        &[],
        "tcp.len > 0",
        &["tcp.srcport", "tcp.dstport", "tcp.payload"],
    );
    let to = |p: u16| {
        segments
            .lines()
            .filter(move |l| l.split('\t').nth(1) == Some(&p.to_string()))
    };
    // The init request (82 bytes, 0x52) and the GetDeviceInfo command container (type 1, code
    // 0x1001) on the command port; the event port connected too.
    let payloads = |p: u16| to(p).filter_map(|l| l.split('\t').nth(2));
    assert!(
        payloads(port).any(|p| p.starts_with("52000000")),
        "no init request to port {port}:\n{segments}"
    );
    assert!(
        payloads(port).any(|p| p.get(8..16) == Some("01000110")),
        "no GetDeviceInfo container:\n{segments}"
    );
    let flows = tshark::fields(
        &file,
        &[],
        "tcp.flags.syn == 1 && tcp.flags.ack == 0",
        &["tcp.dstport"],
    );
    assert!(
        flows.lines().any(|l| l == (port + 1).to_string()),
        "no connection to the event port {}:\n{flows}",
        port + 1
    );
    tshark::assert_clean(&file, &[]);
}
