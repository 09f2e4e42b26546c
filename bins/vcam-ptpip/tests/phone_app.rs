//! Acceptance: a client that plays Canon Camera Connect against a `canon_6d` on "WiFi":
//! finds it by SSDP, fetches its description, connects over PTP/IP with its GUID, then
//! OpenSession, SetRemoteMode(1), SetEventMode(1), GetEvent (the sequence of petabyt/camlib
//! `examples/wifi.c` and libgphoto2 issue #239; docs/reference/vendors-wifi-sony-fuji.md
//! §4.2). Once paired, the description names the phone and another GUID is refused, until
//! the pairing is reset on the body (§4.1, §4.3).
//!
//! SSDP needs a network of its own: the test re-runs itself inside a private network
//! namespace (`unshare --net`, loopback with multicast routed to it), where the camera runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::process::{Command, Stdio};
use std::time::Duration;

use ptp_codec::OperationCode;
use ptp_initiator::Client;
use vcam_testkit::require;

const SMARTPHONE: &str = "urn:schemas-canon-com:service:ICPO-SmartPhoneEOSSystemService:1";
const INSIDE: &str = "VCAM_PHONE_APP_IN_NETNS";
const PHONE_GUID: [u8; 16] = *b"camera-connect-1";
const OTHER_GUID: [u8; 16] = *b"some-other-app-2";

#[test]
fn camera_connect_discovers_pairs_and_opens_a_remote_session() {
    if std::env::var_os(INSIDE).is_some() {
        phone_app();
        return;
    }
    let _ = require("unshare");
    let out = Command::new("unshare")
        .arg("--net")
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "camera_connect_discovers_pairs_and_opens_a_remote_session",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(INSIDE, "1")
        .output()
        .expect("run unshare (util-linux)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success()
            && text.contains("phone app: found http://127.0.0.1:49152/")
            && text.contains("phone app: a second GUID was refused, and paired after a reset"),
        "inside the namespace:\n{text}"
    );
}

/// Inside the namespace: the camera and the phone app.
fn phone_app() {
    let _ = require("ip");
    for args in [
        &["link", "set", "lo", "up"][..],
        &["link", "set", "lo", "multicast", "on"],
        &["route", "add", "239.0.0.0/8", "dev", "lo"],
    ] {
        assert!(Command::new("ip").args(args).status().unwrap().success());
    }
    let card = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(card.path().join("DCIM/100CANON")).unwrap();
    let mut camera = start_camera(card.path(), &[]);

    // Discovery: M-SEARCH for Camera Connect's service.
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let search = format!(
        "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: {SMARTPHONE}\r\n\r\n"
    );
    udp.send_to(search.as_bytes(), "239.255.255.250:1900")
        .unwrap();
    let mut buf = [0u8; 2048];
    let (n, _) = udp.recv_from(&mut buf).expect("an answer to M-SEARCH");
    let answer = String::from_utf8_lossy(&buf[..n]).to_string();
    let location = answer
        .lines()
        .find_map(|l| l.strip_prefix("Location: "))
        .unwrap_or_else(|| panic!("no Location in {answer}"))
        .to_string();
    assert!(
        answer.contains(&format!("ST: {SMARTPHONE}\r\n")),
        "{answer}"
    );

    // The description: where, and to whom, the body is paired.
    let description = http_get(&location);
    assert!(
        description.starts_with("HTTP/1.1 200 OK\r\n"),
        "{description}"
    );
    assert!(
        description.contains(">uuid:00000000-0000-0000-0001-FFFFFFFFFFFF</ns:X_targetId>"),
        "not paired yet:\n{description}"
    );
    assert!(
        description.contains(">3250</ns:X_deviceUsbId>"),
        "{description}"
    );

    // PTP/IP with the phone's GUID, then what the app sends first.
    let mut phone = Client::connect("127.0.0.1:15740", PHONE_GUID, "Camera Connect").unwrap();
    phone.open_session(1).unwrap();
    for (op, param) in [(0x9114, 1), (0x9115, 1)] {
        let r = phone
            .transaction(OperationCode(op), &[param], None)
            .unwrap();
        assert_eq!(r.code.0, 0x2001, "0x{op:04x}: {r:?}");
    }
    let events = phone.transaction(OperationCode(0x9116), &[], None).unwrap();
    assert_eq!(events.code.0, 0x2001);
    // The property dump: many records, ended by the 8-byte terminator.
    assert!(events.data.len() > 1000, "{} bytes", events.data.len());
    assert_eq!(
        &events.data[events.data.len() - 8..],
        &[8, 0, 0, 0, 0, 0, 0, 0]
    );
    println!(
        "phone app: found {location}, GetEvent gave {} bytes",
        events.data.len()
    );
    phone.close_session().unwrap();
    drop(phone);

    // Paired now: the description names the phone, and another app is refused.
    let description = http_get(&location);
    let paired = format!(
        ">{}</ns:X_targetId>",
        vcam_discovery::description::target_id(&PHONE_GUID)
    );
    assert!(
        description.contains(&paired),
        "paired with the phone:\n{description}"
    );
    let intruder = Client::connect("127.0.0.1:15740", OTHER_GUID, "Other app");
    assert!(
        intruder.is_err(),
        "a second GUID is refused while the first is paired"
    );
    // The paired phone still gets in.
    let mut phone = Client::connect("127.0.0.1:15740", PHONE_GUID, "Camera Connect").unwrap();
    phone.open_session(1).unwrap();
    phone.close_session().unwrap();
    drop(phone);
    let _ = camera.kill();
    let _ = camera.wait();

    // The owner resets the pairing on the body: the other app pairs.
    let mut camera = start_camera(card.path(), &["--reset-pairing"]);
    let mut other = Client::connect("127.0.0.1:15740", OTHER_GUID, "Other app")
        .expect("after a reset another client pairs");
    other.open_session(1).unwrap();
    other.close_session().unwrap();
    drop(other);
    assert!(
        http_get(&location).contains(&format!(
            ">{}</ns:X_targetId>",
            vcam_discovery::description::target_id(&OTHER_GUID)
        )),
        "the description follows the new pairing"
    );
    println!("phone app: a second GUID was refused, and paired after a reset");
    let _ = camera.kill();
    let _ = camera.wait();
}

/// Starts `vcam-ptpip canon_6d` announcing on loopback, with the card `card`, and waits for
/// its "listening on" line.
fn start_camera(card: &std::path::Path, extra: &[&str]) -> std::process::Child {
    let mut camera = Command::new(env!("CARGO_BIN_EXE_vcam-ptpip"))
        .args([
            "canon_6d",
            "--announce",
            "lo",
            "--listen",
            "127.0.0.1:15740",
        ])
        .args(extra)
        .arg("--fs")
        .arg(card)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(camera.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("listening on"), "{line}");
    camera
}

/// GET `url` (`http://host:port/path`) with HTTP/1.1; the whole answer, head and body.
fn http_get(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut s = TcpStream::connect(host).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: CameraConnect\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}
