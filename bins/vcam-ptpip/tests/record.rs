//! `vcam-ptpip --record FILE`: a gphoto2 session recorded as pcapng, opened by `tshark -r`,
//! whose PTP/IP dissector decodes it with no malformed packet and whose TCP analysis finds
//! every sequence number right.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use vcam_testkit::card::{self, SAMPLE_FOLDER};
use vcam_testkit::{Env, VcamProcess as Server, require, tshark, wait_until};

/// The bytes the server (or the client) sent on TCP stream `stream`, as tshark reassembles
/// them.
fn stream_bytes(file: &Path, stream: u32, server: bool) -> Vec<u8> {
    let out = tshark::read(file, &["-q", "-z", &format!("follow,tcp,raw,{stream}")]);
    // Node 0 is the client (it opened the connection); node 1's lines are indented.
    let hex: String = out
        .lines()
        .filter(|l| l.chars().all(|c| c.is_ascii_hexdigit() || c == '\t'))
        .filter_map(|l| match l.strip_prefix('\t') {
            Some(from_server) => server.then_some(from_server),
            None => (!server).then_some(l),
        })
        .collect();
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// The payloads of the Data and End Data packets (CIPA DC-005 §2.3.8–2.3.9: length, type,
/// TransactionID, payload) in a stream of PTP/IP packets, one after the other.
fn data_payloads(mut stream: &[u8]) -> Vec<u8> {
    let mut data = Vec::new();
    while stream.len() >= 8 {
        let len = u32::from_le_bytes(stream[..4].try_into().unwrap()) as usize;
        let kind = u32::from_le_bytes(stream[4..8].try_into().unwrap());
        assert!(
            len >= 8 && len <= stream.len(),
            "PTP/IP packet of {len} bytes"
        );
        if kind == 10 || kind == 12 {
            data.extend_from_slice(&stream[12..len]);
        }
        stream = &stream[len..];
    }
    data
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_recorded_gphoto2_session_decodes_in_tshark() {
    let _ = require("tshark"); // before the session: a missing tshark says how to install it
    let card = card::sample();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.pcapng");
    let mut server = Server::start(
        env!("CARGO_BIN_EXE_vcam-ptpip").as_ref(),
        &[
            "--fs",
            card.path().to_str().unwrap(),
            "--record",
            file.to_str().unwrap(),
        ],
    );
    let port = server.port();
    let g = Env::new().gphoto2_ptpip(port);
    g.ok("gphoto2", &["--summary"]);
    // 1 MOVIE.MOV (5 MB: segments split to fit IPv4), 2 PIC_0001.JPG.
    g.ok("gphoto2", &["--folder", SAMPLE_FOLDER, "--get-file", "1-2"]);
    let jpeg = std::fs::read(g.file("PIC_0001.JPG")).unwrap();
    let movie = std::fs::read(g.file("MOVIE.MOV")).unwrap();
    assert_eq!(movie.len(), 5_000_000);
    // An upload of 300 kB: Data packets from the client, several per read.
    let upload: Vec<u8> = card::pattern(300_000, 7);
    let up = g.file("UP.BIN");
    std::fs::write(&up, &upload).unwrap();
    g.ok(
        "gphoto2",
        &[
            "--folder",
            SAMPLE_FOLDER,
            "--upload-file",
            up.to_str().unwrap(),
        ],
    );

    // SIGTERM, as a user stops it; the recording is complete up to the last packet anyway.
    let killed = Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(
        wait_until(Duration::from_secs(20), || !server.alive()),
        "vcam-ptpip did not stop on SIGTERM"
    );

    // Init Command Request / Ack and Init Event Request / Ack, decoded by the ptpip dissector.
    let decode = ["-d", &format!("tcp.port=={port},ptpip")];
    let types = tshark::fields(&file, &decode, "ptpip", &["ptpip.pktType"]);
    for (t, what) in [
        ("0x00000001", "Init Command Request"),
        ("0x00000002", "Init Command Ack"),
        ("0x00000003", "Init Event Request"),
        ("0x00000004", "Init Event Ack"),
        ("0x00000006", "Operation Request"),
        ("0x00000007", "Operation Response"),
        ("0x00000009", "Start Data"),
        ("0x0000000c", "End Data"),
    ] {
        assert!(
            types.lines().any(|l| l.split(',').any(|x| x == t)),
            "no {what} ({t}) decoded:\n{types}"
        );
    }
    let opcodes = tshark::fields(&file, &decode, "ptpip.opcode", &["ptpip.opcode"]);
    for (code, what) in [
        ("0x1001", "GetDeviceInfo"),
        ("0x1002", "OpenSession"),
        ("0x1009", "GetObject"),
    ] {
        assert!(
            opcodes.lines().any(|l| l == code),
            "no {what} ({code}) decoded:\n{opcodes}"
        );
    }
    // No malformed packet, and the sequence numbers are right (no TCP analysis flag).
    tshark::assert_clean(&file, &decode);

    // The downloaded files are in the data phases of the reassembled streams: every
    // connection (command and event ones apart) is a stream of its own.
    let streams = tshark::fields(&file, &[], "tcp", &["tcp.stream"]);
    let last: u32 = streams
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .max()
        .unwrap();
    assert!(
        last >= 5,
        "gphoto2 ran three times, with two connections each"
    );
    let data: Vec<u8> = (0..=last)
        .flat_map(|stream| data_payloads(&stream_bytes(&file, stream, true)))
        .collect();
    assert!(contains(&data, &jpeg), "the JPEG is not in the recording");
    assert!(contains(&data, &movie), "the movie is not in the recording");
    let sent: Vec<u8> = (0..=last)
        .flat_map(|stream| data_payloads(&stream_bytes(&file, stream, false)))
        .collect();
    assert!(
        contains(&sent, &upload),
        "the upload is not in the recording"
    );
    // The client's Data packets each start a segment: the dissector decodes every one.
    let client_data = tshark::fields(
        &file,
        &decode,
        &format!("tcp.dstport == {port} && ptpip.pktType == 0x0000000a"),
        &["ptpip.len"],
    );
    let decoded: usize = client_data
        .lines()
        .flat_map(|l| l.split(','))
        .map(|len| len.parse::<usize>().unwrap() - 12)
        .sum();
    assert!(
        decoded + 65_536 > upload.len(),
        "only {decoded} of the upload's {} bytes in decoded Data packets:\n{client_data}",
        upload.len()
    );
}

#[test]
fn models_record_one_file_each() {
    let dir = tempfile::tempdir().unwrap();
    let file: PathBuf = dir.path().join("rig.pcapng");
    let server = Server::start(
        env!("CARGO_BIN_EXE_vcam-ptpip").as_ref(),
        &[
            "--models",
            "generic,canon_6d",
            "--record",
            file.to_str().unwrap(),
        ],
    );
    drop(server);
    for name in ["rig-generic.pcapng", "rig-canon_6d.pcapng"] {
        let path = dir.path().join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // A Section Header Block starts the file.
        assert_eq!(
            bytes.get(..4),
            Some(&[0x0A, 0x0D, 0x0D, 0x0A][..]),
            "{name}"
        );
    }
}
