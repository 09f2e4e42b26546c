//! tshark's PTP/IP dissector decodes captured gphoto2 sessions with vcam without a single
//! malformed packet: the generic camera, and a Canon EOS whose data phases are Data packets
//! closed by End Data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use vcam_testkit::{Env, VcamProcess as Server, card, require, wait_until};

/// tshark capturing the server's port on the loopback interface.
struct Capture {
    tshark: PathBuf,
    child: Child,
    pcap: PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Capture {
    fn start(server: &Server) -> Self {
        let tshark = require("tshark");
        let port = server.port();
        let dir = tempfile::tempdir().unwrap();
        let pcap = dir.path().join("session.pcapng");
        let log = dir.path().join("tshark.log");
        let child = Command::new(&tshark)
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
        Self {
            tshark,
            child,
            pcap,
            port,
            _dir: dir,
        }
    }

    /// Lets the last packets reach the capture, then stops it with SIGINT so the file is
    /// complete.
    fn stop(&mut self) {
        std::thread::sleep(Duration::from_millis(500));
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }

    /// The `fields` of the packets matching `filter`, one line per frame.
    fn decode(&self, filter: &str, fields: &[&str]) -> String {
        let mut cmd = Command::new(&self.tshark);
        cmd.arg("-r").arg(&self.pcap).args([
            "-d",
            &format!("tcp.port=={},ptpip", self.port),
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
    }

    /// The packet types decoded, each with its length, in capture order (several PTP/IP
    /// packets in one TCP segment give one line with comma-separated values).
    fn packets(&self) -> Vec<(u32, u32)> {
        let out = self.decode("ptpip", &["ptpip.pktType", "ptpip.len"]);
        let mut packets = Vec::new();
        for line in out.lines() {
            let mut cols = line.split('\t');
            let types = cols.next().unwrap_or_default().split(',');
            let lens = cols.next().unwrap_or_default().split(',');
            for (t, l) in types.zip(lens) {
                let t = u32::from_str_radix(t.trim_start_matches("0x"), 16).unwrap();
                packets.push((t, l.parse().unwrap()));
            }
        }
        packets
    }

    fn assert_clean(&self) {
        let malformed = self.decode(
            "_ws.malformed || _ws.expert.severity >= error",
            &["frame.number", "_ws.expert.message"],
        );
        assert!(
            malformed.trim().is_empty(),
            "malformed packets:\n{malformed}"
        );
    }
}

fn start(args: &[&str]) -> Server {
    Server::start(env!("CARGO_BIN_EXE_vcam-ptpip").as_ref(), args)
}

#[test]
fn tshark_decodes_a_gphoto2_session_cleanly() {
    let card = card::sample();
    let server = start(&["--fs", card.path().to_str().unwrap()]);
    let mut capture = Capture::start(&server);

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
    capture.stop();

    let packets = capture.packets();
    assert!(
        packets.len() > 100,
        "only {} PTP/IP packets decoded",
        packets.len()
    );
    for needed in [1, 2, 3, 4, 6, 7, 8, 9, 12] {
        assert!(
            packets.iter().any(|p| p.0 == needed),
            "packet type {needed} not seen in {packets:?}"
        );
    }
    capture.assert_clean();
}

/// Issue 14: a Canon EOS sends each data phase as Data packets closed by an End Data packet
/// (airnef `mtpwifi.py`), here to gphoto2 as "Canon EOS (WLAN)"; tshark decodes every one.
#[test]
fn tshark_decodes_canon_data_packets_closed_by_end_data() {
    let card = card::sample();
    // Files longer than one write batch (256 KiB) go out one packet per write; short enough
    // not to fill the socket buffers, so each packet tends to start its own TCP segment.
    for n in 1..=5 {
        let bytes: Vec<u8> = (0..300_000u32)
            .map(|i| (i.wrapping_mul(n) >> 3) as u8)
            .collect();
        std::fs::write(card.path().join(format!("DCIM/100TEST/CLIP{n}.MOV")), bytes).unwrap();
    }
    let server = start(&["canon_1300d", "--fs", card.path().to_str().unwrap()]);
    let mut capture = Capture::start(&server);
    let g = Env::new().gphoto2_ptpip(server.port());
    g.ok("gphoto2", &["--camera", "Canon EOS (WLAN)", "--summary"]);
    g.ok(
        "gphoto2",
        &["--camera", "Canon EOS (WLAN)", "--get-all-files"],
    );
    capture.stop();

    // tshark reads one packet at the start of each TCP segment and does not reassemble, so a
    // packet whose head lands inside a segment is not decoded: behind the tail of a 64 KiB
    // Data packet (as on a real body's WiFi), or in a transaction short enough to go out in
    // one write (transport_ptpip's outbox). Count what is, and check each of them.
    let packets = capture.packets();
    let data: Vec<u32> = packets.iter().filter(|p| p.0 == 10).map(|p| p.1).collect();
    let ends = packets.iter().filter(|p| p.0 == 12).count();
    eprintln!("{} Data, {ends} End Data decoded", data.len());
    assert!(
        data.len() >= 5,
        "the 5 MB movie goes out as about 80 Data packets; {} decoded:\n{packets:?}",
        data.len()
    );
    assert!(
        ends >= 1,
        "End Data closes the movie's data phase: {ends} decoded"
    );
    // Every Data packet carries a full piece (its 12-byte head and 64 KiB).
    assert!(
        data.iter().all(|&len| len == 12 + 0x1_0000),
        "Data packets of other sizes: {data:?}"
    );
    for needed in [1, 2, 3, 4, 6, 7, 9] {
        assert!(
            packets.iter().any(|p| p.0 == needed),
            "packet type {needed} not seen in {packets:?}"
        );
    }
    capture.assert_clean();
}
