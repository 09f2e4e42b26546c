//! USB/IP acceptance: Debian's `usbip` lists the camera, and a whole PTP session runs through
//! an imported device (pending interrupt URB completed by an event, UNLINK of a pending URB,
//! malformed traffic ending only its own connection).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use ptp_codec::{ContainerKind, OperationCode};
use vcam_testkit::{VcamProcess, require, tshark, usb};

fn start(args: &[&str]) -> VcamProcess {
    VcamProcess::start(env!("CARGO_BIN_EXE_vcam-vhci").as_ref(), args)
}

#[test]
fn usbip_list_shows_the_camera() {
    let usbip = require("usbip");
    let server = start(&[]);
    let out = Command::new(usbip)
        .args([
            "--tcp-port",
            &server.port().to_string(),
            "list",
            "-r",
            "127.0.0.1",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success());
    assert!(text.contains("1-1:"), "{text}");
    assert!(text.contains("(1209:0001)"), "{text}");
    assert!(
        text.contains("(06/01/01)"),
        "Still Image interface class expected:\n{text}"
    );
}

/// A minimal USB/IP host.
struct Host {
    s: TcpStream,
    seq: u32,
    /// Direction of each outstanding submit (RET_SUBMIT of OUT carries no data).
    dirs: std::collections::HashMap<u32, bool>,
    /// Replies read while waiting for another one.
    stash: Vec<(u32, u32, i32, Vec<u8>)>,
}

impl Host {
    fn import(port: u16) -> Self {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut req = vec![0x01, 0x11, 0x80, 0x03, 0, 0, 0, 0];
        let mut busid = [0u8; 32];
        busid[..3].copy_from_slice(b"1-1");
        req.extend_from_slice(&busid);
        s.write_all(&req).unwrap();
        let mut rep = [0u8; 8 + 312];
        s.read_exact(&mut rep).unwrap();
        assert_eq!(
            &rep[..8],
            &[0x01, 0x11, 0x00, 0x03, 0, 0, 0, 0],
            "import accepted"
        );
        Self {
            s,
            seq: 0,
            dirs: std::collections::HashMap::new(),
            stash: Vec::new(),
        }
    }

    fn submit(&mut self, dir_in: bool, ep: u32, len: u32, setup: [u8; 8], data: &[u8]) -> u32 {
        self.seq += 1;
        let mut h = [0u8; 48];
        h[0..4].copy_from_slice(&1u32.to_be_bytes());
        h[4..8].copy_from_slice(&self.seq.to_be_bytes());
        h[8..12].copy_from_slice(&0x0001_0002u32.to_be_bytes());
        h[12..16].copy_from_slice(&u32::from(dir_in).to_be_bytes());
        h[16..20].copy_from_slice(&ep.to_be_bytes());
        h[24..28].copy_from_slice(&len.to_be_bytes());
        h[32..36].copy_from_slice(&u32::MAX.to_be_bytes());
        h[40..48].copy_from_slice(&setup);
        self.s.write_all(&h).unwrap();
        self.s.write_all(data).unwrap();
        self.dirs.insert(self.seq, dir_in);
        self.seq
    }

    fn unlink(&mut self, victim: u32) -> u32 {
        self.seq += 1;
        let mut h = [0u8; 48];
        h[0..4].copy_from_slice(&2u32.to_be_bytes());
        h[4..8].copy_from_slice(&self.seq.to_be_bytes());
        h[8..12].copy_from_slice(&0x0001_0002u32.to_be_bytes());
        h[20..24].copy_from_slice(&victim.to_be_bytes());
        self.s.write_all(&h).unwrap();
        self.seq
    }

    /// The reply for `seq` (others are stashed for later).
    fn reply_for(&mut self, seq: u32) -> (u32, u32, i32, Vec<u8>) {
        if let Some(i) = self.stash.iter().position(|r| r.1 == seq) {
            return self.stash.remove(i);
        }
        loop {
            let r = self.reply();
            if r.1 == seq {
                return r;
            }
            self.stash.push(r);
        }
    }

    /// Reads the next reply: (command, seqnum, status, data).
    fn reply(&mut self) -> (u32, u32, i32, Vec<u8>) {
        let mut h = [0u8; 48];
        self.s.read_exact(&mut h).unwrap();
        let be = |at: usize| u32::from_be_bytes(h[at..at + 4].try_into().unwrap());
        let (cmd, seq, status, len) = (be(0), be(4), be(20) as i32, be(24));
        let dir_in = cmd != 3 || self.dirs.remove(&seq).unwrap_or(true);
        let mut data = vec![0u8; if cmd == 3 && dir_in { len as usize } else { 0 }];
        self.s.read_exact(&mut data).unwrap();
        (cmd, seq, status, data)
    }

    /// A PTP transaction: command on bulk OUT, then bulk IN reads until the response.
    fn transaction(&mut self, code: u16, tid: u32, params: &[u32]) -> (u16, Vec<u8>) {
        let c = usb::command(OperationCode(code), tid, params);
        let seq = self.submit(false, 2, c.len() as u32, [0; 8], &c);
        let (cmd, s, status, _) = self.reply_for(seq);
        assert_eq!((cmd, s, status), (3, seq, 0));
        let mut payload = Vec::new();
        loop {
            let seq = self.submit(true, 1, 64 * 1024, [0; 8], &[]);
            let (_, s, status, data) = self.reply_for(seq);
            assert_eq!((s, status), (seq, 0));
            if data.is_empty() {
                continue; // a ZLP
            }
            if payload.is_empty()
                && usb::header(&data).is_some_and(|(_, kind)| kind == ContainerKind::RESPONSE)
            {
                return (usb::response(&data).code, payload);
            }
            if payload.is_empty() {
                payload.extend_from_slice(&data[12..]);
                let total = u32::from_le_bytes(data[..4].try_into().unwrap()) as usize - 12;
                while payload.len() < total {
                    let seq = self.submit(true, 1, 64 * 1024, [0; 8], &[]);
                    let (_, s, _, more) = self.reply_for(seq);
                    assert_eq!(s, seq);
                    payload.extend_from_slice(&more);
                }
                let seq = self.submit(true, 1, 1024, [0; 8], &[]);
                let (_, s, _, mut resp) = self.reply_for(seq);
                assert_eq!(s, seq);
                if resp.is_empty() {
                    let seq = self.submit(true, 1, 1024, [0; 8], &[]);
                    let (_, s, _, r) = self.reply_for(seq);
                    assert_eq!(s, seq);
                    resp = r;
                }
                return (usb::response(&resp).code, payload);
            }
        }
    }
}

#[test]
fn ptp_session_through_an_imported_device() {
    let card = tempfile::tempdir().unwrap();
    let dcim = card.path().join("DCIM/100TEST");
    std::fs::create_dir_all(&dcim).unwrap();
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 253) as u8).collect();
    std::fs::write(dcim.join("DATA.MOV"), &bytes).unwrap();
    let out = tempfile::tempdir().unwrap();
    let recording = out.path().join("usb.pcapng");
    let server = start(&[
        "--fs",
        card.path().to_str().unwrap(),
        "--record",
        recording.to_str().unwrap(),
    ]);
    let mut host = Host::import(server.port());

    // GET_DESCRIPTOR(DEVICE) on endpoint 0.
    let seq = host.submit(true, 0, 18, [0x80, 6, 0, 1, 0, 0, 18, 0], &[]);
    let (cmd, s, status, data) = host.reply();
    assert_eq!((cmd, s, status, data.len()), (3, seq, 0, 18));
    assert_eq!(&data[8..12], &[0x09, 0x12, 0x01, 0x00]);
    // An unsupported request stalls (-EPIPE).
    let seq = host.submit(true, 0, 4, [0xC0, 0x99, 0, 0, 0, 0, 4, 0], &[]);
    assert_eq!(host.reply().2, -32, "seq {seq}");

    // An interrupt URB stays pending until an event exists.
    let intr = host.submit(true, 3, 64, [0; 8], &[]);
    assert_eq!(host.transaction(0x1002, 0, &[1]).0, 0x2001);
    assert!(
        host.stash.is_empty(),
        "no event yet: the interrupt URB must still be pending"
    );
    let (code, handles) = host.transaction(0x1007, 1, &[0xFFFF_FFFF, 0, 0]);
    assert_eq!(code, 0x2001);
    let handles: Vec<u32> = handles[4..]
        .chunks(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let mut got = None;
    for (i, &h) in handles.iter().enumerate() {
        let (code, info) = host.transaction(0x1008, 10 + i as u32, &[h]);
        assert_eq!(code, 0x2001);
        if u16::from_le_bytes([info[4], info[5]]) != 0x3001 {
            got = Some(h);
        }
    }
    let (code, data) = host.transaction(0x1009, 50, &[got.unwrap()]);
    assert_eq!(code, 0x2001);
    assert!(data == bytes, "GetObject bytes differ");

    // InitiateCapture: the pending interrupt URB completes with ObjectAdded or CaptureComplete.
    assert_eq!(host.transaction(0x100E, 60, &[0, 0]).0, 0x2001);
    let (cmd, s, status, event) = host.reply_for(intr);
    assert_eq!(
        (cmd, s, status),
        (3, intr, 0),
        "the interrupt URB completes"
    );
    assert_eq!(
        u16::from_le_bytes([event[4], event[5]]),
        4,
        "event container"
    );

    // A second interrupt URB, drained of the events still queued, then one pending: UNLINK it.
    let mut victim;
    loop {
        victim = host.submit(true, 3, 64, [0; 8], &[]);
        host.s
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let mut peek = [0u8; 1];
        match host.s.peek(&mut peek) {
            Ok(_) => {
                let (_, s, _, _) = host.reply_for(victim);
                assert_eq!(s, victim);
            }
            Err(_) => break,
        }
    }
    host.s
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let unlink = host.unlink(victim);
    let (cmd, s, status, _) = host.reply_for(unlink);
    assert_eq!(
        (cmd, s, status),
        (4, unlink, -104),
        "RET_UNLINK with -ECONNRESET"
    );
    // The session still works after the unlink.
    assert_eq!(host.transaction(0x1004, 70, &[]).0, 0x2001);

    // Malformed traffic ends this connection only.
    host.s.write_all(&[0xFF; 48]).unwrap();
    let mut rest = Vec::new();
    let _ = host.s.read_to_end(&mut rest);
    let mut again = Host::import(server.port());
    assert_eq!(
        again.transaction(0x1002, 0, &[1]).0,
        0x2001,
        "a new importer is served"
    );
    drop(again);
    assert_recording_decodes(&recording);
}

/// `--record`: the session above, read by `tshark -r` (written block by block, so readable
/// while the server runs): Wireshark's USB dissector decodes the control request with its
/// SETUP packet, the interrupt and bulk transfers with their data, and nothing is malformed.
fn assert_recording_decodes(file: &std::path::Path) {
    let urbs = tshark::fields(
        file,
        &[],
        "usb",
        &[
            "usb.transfer_type",
            "usb.endpoint_address",
            "usb.setup.bRequest",
            "usb.capdata",
        ],
    );
    let rows: Vec<Vec<&str>> = urbs.lines().map(|l| l.split('\t').collect()).collect();
    let has = |f: &dyn Fn(&[&str]) -> bool| rows.iter().any(|r| f(r));
    assert!(
        has(&|r| r[0] == "0x02" && r[2] == "6"),
        "no GET_DESCRIPTOR control transfer decoded:\n{urbs}"
    );
    assert!(
        has(&|r| r[0] == "0x01" && r[1] == "0x83" && r[3].get(8..12) == Some("0400")),
        "no event container on the interrupt endpoint:\n{urbs}"
    );
    let open_session: String = usb::command(OperationCode::OPEN_SESSION, 0, &[1])
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        has(&|r| r[0] == "0x03" && r[1] == "0x02" && r[3] == open_session),
        "no OpenSession container {open_session} on bulk OUT:\n{urbs}"
    );
    tshark::assert_clean(file, &[]);
}
