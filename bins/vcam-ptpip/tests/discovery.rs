//! Acceptance: real UPnP clients find a `canon_6d` on "WiFi" (`--announce`). Each test runs
//! the camera and the clients inside a private network namespace it creates (`unshare
//! --net`, loopback up with multicast routed to it), so no SSDP datagram leaves the test.
//! Clients: `gssdp-discover` (gupnp-tools) and `upnp-client` (PyPI async-upnp-client, in the
//! venv scripts/test.sh creates), plus bash and python3 for requests real clients never send.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use vcam_testkit::require;

const SMARTPHONE: &str = "urn:schemas-canon-com:service:ICPO-SmartPhoneEOSSystemService:1";
const WFT: &str = "urn:schemas-canon-com:service:ICPO-WFTEOSSystemService:1";

/// The `upnp-client` of the venv scripts/test.sh makes (or `VCAM_UPNP_CLIENT`).
fn upnp_client() -> PathBuf {
    let path = std::env::var_os("VCAM_UPNP_CLIENT").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/upnp-venv/bin/upnp-client"),
        PathBuf::from,
    );
    assert!(
        path.is_file(),
        "`upnp-client` is not installed at {}. Install it with `python3 -m venv target/upnp-venv && target/upnp-venv/bin/pip install async-upnp-client`, or run ./scripts/test.sh, which does.",
        path.display()
    );
    path
}

/// Runs `script` with bash in a new network namespace in which `start ARGS...` runs
/// vcam-ptpip with ARGS (waiting until it announces), `stop` ends it (ssdp:byebye), and
/// `$LOG` is its log. Returns stdout and stderr; fails when the script does.
fn in_netns(script: &str) -> String {
    let _ = require("unshare");
    let _ = require("ip");
    let dir = tempfile::tempdir().unwrap();
    let card = dir.path().join("card");
    std::fs::create_dir_all(card.join("DCIM/100CANON")).unwrap();
    let prelude = r#"
ip link set lo up
ip link set lo multicast on
ip route add 239.0.0.0/8 dev lo
start() {
  "$VCAM" "$@" --fs "$CARD" >"$LOG" 2>&1 &
  PID=$!
  for _ in $(seq 400); do
    grep -q 'announcing the camera' "$LOG" && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "vcam-ptpip did not announce:"; cat "$LOG"; return 1
}
stop() { kill "$PID"; wait "$PID" || true; }
"#;
    let out = Command::new("unshare")
        .args(["--net", "bash", "-euo", "pipefail", "-c"])
        .arg(format!("{prelude}\n{script}"))
        .env("VCAM", env!("CARGO_BIN_EXE_vcam-ptpip"))
        .env("UPNP", upnp_client())
        .env("CARD", &card)
        .env("LOG", dir.path().join("vcam.log"))
        .env("RUST_LOG", "vcam_discovery=debug,info")
        .output()
        .expect("run unshare (util-linux)");
    let text = format!(
        "{}\n--- stderr ---\n{}\n--- vcam log ---\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(dir.path().join("vcam.log")).unwrap_or_default()
    );
    assert!(out.status.success(), "the namespace script failed:\n{text}");
    text
}

#[test]
fn gssdp_discover_finds_the_camera_and_sees_it_leave() {
    let _ = require("gssdp-discover");
    let out = in_netns(&format!(
        r#"
start canon_6d --announce lo --mac 2C:9E:FC:D1:37:BE
echo "=== all"
gssdp-discover -i lo -n 2
echo "=== service"
gssdp-discover -i lo -n 2 -t {SMARTPHONE}
echo "=== leaving"
gssdp-discover -i lo -n 3 -m unavailable > leave.txt 2>&1 &
G=$!
sleep 1
stop
wait $G || true
cat leave.txt
"#
    ));
    let usn = format!("USN:      uuid:00000000-0000-0000-0001-2C9EFCD137BE::{SMARTPHONE}");
    let (all, rest) = out.split_once("=== service").unwrap();
    let (service, leaving) = rest.split_once("=== leaving").unwrap();
    for part in [all, service] {
        assert!(part.contains("resource available"), "{out}");
        assert!(part.contains(&usn), "{out}");
        assert!(
            part.contains("Location: http://127.0.0.1:49152/upnp/CameraDevDesc.xml"),
            "{out}"
        );
    }
    assert!(
        all.contains("uuid:00000000-0000-0000-0001-2C9EFCD137BE::upnp:rootdevice"),
        "{out}"
    );
    assert!(
        leaving.contains("resource unavailable") && leaving.contains(&usn),
        "ssdp:byebye on exit:\n{out}"
    );
}

#[test]
fn upnp_client_searches_and_parses_the_description() {
    let out = in_netns(&format!(
        r#"
start canon_6d --announce lo --nickname 'My 6D'
echo "=== search"
"$UPNP" --timeout 3 search --bind 127.0.0.1 --search_target {SMARTPHONE}
echo "=== root"
"$UPNP" --timeout 3 search --bind 127.0.0.1 --search_target upnp:rootdevice
echo "=== parse"
"$UPNP" --strict --timeout 5 call-action http://127.0.0.1:49152/upnp/CameraDevDesc.xml ICPO-SmartPhoneEOSSystemService-1/NoSuchAction || true
echo "=== raw"
python3 -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:49152/upnp/CameraDevDesc.xml").read().decode())'
stop
"#
    ));
    let (search, rest) = out.split_once("=== root").unwrap();
    let (root, rest) = rest.split_once("=== parse").unwrap();
    let (parse, raw) = rest.split_once("=== raw").unwrap();
    assert!(
        search.contains(&format!("\"ST\": \"{SMARTPHONE}\"")),
        "{out}"
    );
    assert!(
        search.contains("\"Server\": \"Camera OS/1.0 UPnP/1.0 Canon Device Discovery/1.0\""),
        "{out}"
    );
    assert!(root.contains("\"ST\": \"upnp:rootdevice\""), "{out}");
    // upnp-client fetched and parsed (strictly) the device and its service description; it
    // refuses only the action, which the service does not have.
    assert!(
        parse.contains("Unknown action: NoSuchAction") && parse.contains("Available actions:"),
        "{out}"
    );
    for element in [
        "<friendlyName>Canon EOS 6D</friendlyName>",
        "<serialNumber>033024014483</serialNumber>",
        ">uuid:00000000-0000-0000-0001-FFFFFFFFFFFF</ns:X_targetId>",
        ">0</ns:X_onService>",
        ">3250</ns:X_deviceUsbId>",
        ">My 6D</ns:X_deviceNickname>",
    ] {
        assert!(raw.contains(element), "{element} missing:\n{out}");
    }
}

#[test]
fn eos_utility_mode_opens_ptpip_only_after_a_windows_fetch() {
    let out = in_netns(&format!(
        r#"
start canon_6d --announce lo --wifi-mode eos-utility --listen 127.0.0.1:15740
port_open() {{ (exec 3<>/dev/tcp/127.0.0.1/15740) 2>/dev/null; }}
fetch() {{ python3 -c 'import sys, urllib.request as u; u.urlopen(u.Request("http://127.0.0.1:49152/upnp/CameraDevDesc.xml", headers={{"User-Agent": sys.argv[1]}})).read()' "$1"; }}
"$UPNP" --timeout 3 search --bind 127.0.0.1 --search_target {WFT}
port_open && echo "OPEN BEFORE" || echo "closed before"
fetch 'python-urllib/3'
port_open && echo "OPEN AFTER OTHER" || echo "closed after another client"
fetch 'Microsoft-Windows/10.0 UPnP/1.0'
for _ in $(seq 200); do grep -q 'listening on' "$LOG" && break; sleep 0.05; done
port_open && echo "open after Windows" || echo "CLOSED AFTER WINDOWS"
stop
"#
    ));
    assert!(out.contains(&format!("\"ST\": \"{WFT}\"")), "{out}");
    assert!(out.contains("closed before"), "{out}");
    assert!(out.contains("closed after another client"), "{out}");
    assert!(out.contains("open after Windows"), "{out}");
}

#[test]
fn bad_ssdp_and_http_input_is_answered_or_dropped() {
    let out = in_netns(
        r#"
start canon_6d --announce lo
python3 - <<'PY'
import socket, time
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
bad = [b"", b"\xff" * 100, b"garbage\r\n\r\n", b"M-SEARCH * HTTP/1.1\r\n" + b"X: y\r\n" * 5000,
       b"M-SEARCH * HTTP/1.1\r\nST: ssdp:all\r\n\r\n", b"NOTIFY * HTTP/1.1\r\nNTS: ssdp:alive\r\n\r\n",
       b"M-SEARCH * HTTP/1.1\r\nMAN: \"ssdp:discover\"\r\nST: " + b"a" * 60000 + b"\r\n\r\n"]
for _ in range(50):
    for d in bad:
        udp.sendto(d, ("239.255.255.250", 1900))
        udp.sendto(d, ("127.0.0.1", 1900))
# A flood of good searches gets a bounded number of answers.
ask = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ask.bind(("127.0.0.1", 0))
search = b'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: upnp:rootdevice\r\n\r\n'
for _ in range(1000):
    ask.sendto(search, ("127.0.0.1", 1900))
ask.settimeout(2)
answers = 0
try:
    while True:
        ask.recv(4096); answers += 1
except socket.timeout:
    pass
print("flood answers", answers)

def http(raw, read=True):
    c = socket.create_connection(("127.0.0.1", 49152))
    c.sendall(raw)
    c.settimeout(30)
    data = b""
    while read:
        chunk = c.recv(65536)
        if not chunk: break
        data += chunk
    c.close()
    return data.split(b"\r\n", 1)[0].decode(errors="replace")
print("huge header:", http(b"GET /upnp/CameraDevDesc.xml HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 100000 + b"\r\n\r\n"))
print("bad path:", http(b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"))
print("bad method:", http(b"DELETE /upnp/CameraDevDesc.xml HTTP/1.1\r\nHost: x\r\n\r\n"))
print("not http:", repr(http(b"\x00\x01\x02 nonsense\r\n\r\n")))
# Slow clients: connections that never finish their request are closed by the camera.
idle = [socket.create_connection(("127.0.0.1", 49152)) for _ in range(40)]
for s in idle: s.sendall(b"GET /upnp/CameraDevDesc.xml HTTP/1.1\r\n")
for s in idle: s.settimeout(60)
def ends(s):
    try:
        while s.recv(4096):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False
closed = sum(1 for s in idle if ends(s))
print("slow clients closed", closed)
print("after:", http(b"GET /upnp/CameraDevDesc.xml HTTP/1.1\r\nHost: x\r\n\r\n"))
PY
echo "=== still there"
"$UPNP" --timeout 3 search --bind 127.0.0.1 --search_target upnp:rootdevice
grep VmRSS /proc/$PID/status
stop
"#,
    );
    assert!(out.contains("huge header: HTTP/1.1 431"), "{out}");
    assert!(out.contains("bad path: HTTP/1.1 404"), "{out}");
    assert!(out.contains("bad method: HTTP/1.1 405"), "{out}");
    assert!(out.contains("slow clients closed 40"), "{out}");
    assert!(out.contains("after: HTTP/1.1 200 OK"), "{out}");
    let answers: u32 = out
        .lines()
        .find_map(|l| l.strip_prefix("flood answers "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        (1..1000).contains(&answers),
        "a search flood is answered, boundedly: {answers}\n{out}"
    );
    let (_, still) = out.split_once("=== still there").unwrap();
    assert!(still.contains("\"ST\": \"upnp:rootdevice\""), "{out}");
    let rss_kb: u64 = still
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert!(rss_kb < 256 * 1024, "resident set {rss_kb} kB\n{out}");
}
