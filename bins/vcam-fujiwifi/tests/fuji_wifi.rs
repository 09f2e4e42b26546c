//! What the acceptance matrix (vcam-testkit, the `fuji-wifi` rows) does not cover: a second
//! gphoto2 (another HOME, so another GUID) accepted after the owner presses "change", an owner
//! who refuses and a paired client accepted by them, `--announce` turning on PC AutoSave with
//! the real DISCOVER text, and the binary's model checks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::Duration;

use vcam_testkit::{Env, VcamProcess};

fn fujiwifi() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_vcam-fujiwifi"))
}

/// gphoto2 with a private HOME whose settings hold the PTP/IP GUID `byte` x 16 (libgphoto2
/// makes one from `srand(time(NULL))` otherwise: two HOMEs in one second get the same).
fn client_with_guid(port: u16, byte: u8) -> Env {
    let env = Env::new().gphoto2_fuji_wifi(port);
    let guid: Vec<String> = (0..16).map(|_| format!("{byte:02x}")).collect();
    std::fs::create_dir_all(env.home().join(".gphoto")).unwrap();
    std::fs::write(
        env.home().join(".gphoto/settings"),
        format!("ptp2_ip=guid={}\n", guid.join(":")),
    )
    .unwrap();
    env
}

#[test]
fn a_second_client_is_accepted_after_change() {
    let server = VcamProcess::start(fujiwifi(), &["fuji_xh1"]);
    let first = client_with_guid(server.port(), 0x11);
    assert!(first.ok("gphoto2", &["--summary"]).contains("Model: X-H1"));
    // Another GUID: refused once (0x2019, "change" on the body), then accepted on libgphoto2's
    // retry.
    let second = client_with_guid(server.port(), 0x22);
    assert!(second.ok("gphoto2", &["--summary"]).contains("Model: X-H1"));
    let log = server.log();
    assert!(log.contains("the pairing is forgotten"), "{log}");
}

/// The GUID libgphoto2 stored in `env`'s HOME (32 hex digits).
fn stored_guid(env: &Env) -> String {
    let settings = std::fs::read_to_string(env.home().join(".gphoto/settings")).unwrap();
    settings
        .lines()
        .find_map(|l| l.strip_prefix("ptp2_ip=guid="))
        .map(|g| g.replace(':', ""))
        .expect("libgphoto2 stored its GUID")
}

#[test]
fn an_owner_who_refuses_serves_only_the_paired_client() {
    let refusing = VcamProcess::start(fujiwifi(), &["fuji_xh1", "--accept", "refuse"]);
    let env = Env::new().gphoto2_fuji_wifi(refusing.port());
    env.run("gphoto2", &["--summary"])
        .assert_refused("a refusing body serves no new client");
    // Paired with that client (its GUID and the hostname libgphoto2 sends), it is served.
    let guid = stored_guid(&env);
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let host: String = host.trim().chars().take(26).collect();
    let paired = VcamProcess::start(
        fujiwifi(),
        &[
            "fuji_xh1",
            "--accept",
            "refuse",
            "--paired-guid",
            &guid,
            "--paired-name",
            &host,
        ],
    );
    let same_home = Env::under(env.home().parent().unwrap()).gphoto2_fuji_wifi(paired.port());
    assert!(
        same_home
            .ok("gphoto2", &["--summary"])
            .contains("Model: X-H1")
    );
}

#[test]
fn announce_turns_on_pc_autosave() {
    // The PC's UDP port for `DISCOVER *` (the register port: the notify port + 2).
    let (notify, pc) = (0..100)
        .find_map(|_| {
            let probe = std::net::UdpSocket::bind("127.0.0.1:0").ok()?;
            let port = probe.local_addr().ok()?.port();
            drop(probe);
            let notify = port.checked_sub(2)?;
            let pc = std::net::UdpSocket::bind(("127.0.0.1", port)).ok()?;
            std::net::TcpListener::bind(("127.0.0.1", notify)).ok()?;
            Some((notify, pc))
        })
        .expect("free ports");
    let server = VcamProcess::start(
        fujiwifi(),
        &[
            "fuji_xh1",
            "--announce",
            "127.0.0.1",
            "--autosave-port",
            &notify.to_string(),
        ],
    );
    pc.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = [0u8; 512];
    let (n, _) = pc.recv_from(&mut buf).unwrap();
    assert_eq!(
        std::str::from_utf8(&buf[..n]).unwrap(),
        "DISCOVER * HTTP/1.1\r\nMX:3\r\nHOST:127.0.0.1:|\r\nDSCADDR:127.0.0.1\r\nSERVICE:PCAUTOSAVE/1.0\r\n"
    );
    // The body is in PC AutoSave mode: CameraState 3.
    let summary = Env::new()
        .gphoto2_fuji_wifi(server.port())
        .ok("gphoto2", &["--summary"]);
    assert!(
        summary.contains("Property 0xdf00:(readwrite) (type=0x4) Enumeration [0,1,2,3,6] value: 3"),
        "{summary}"
    );
}

#[test]
fn models_and_options() {
    let out = std::process::Command::new(fujiwifi())
        .arg("--list-models")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("fuji_xh1"));
    let out = std::process::Command::new(fujiwifi())
        .args(["canon_1300d", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no Fujifilm WiFi face"));
}

#[test]
fn two_bodies_in_one_process_are_driven_at_the_same_time() {
    let cards = [vcam_testkit::card::sample(), vcam_testkit::card::sample()];
    // Different contents, so a client served the other body's card shows.
    vcam_testkit::card::write(&cards[1].path().join("DCIM/100TEST/SECOND.TXT"), b"two\n");
    let list = format!(
        "fuji_xh1={},fuji_xh1={}",
        cards[0].path().display(),
        cards[1].path().display()
    );
    let server = VcamProcess::start_several(fujiwifi(), &["--models", &list], 2);
    let ports: Vec<u16> = server.addrs().iter().map(|a| a.port()).collect();
    std::thread::scope(|s| {
        let clients: Vec<_> = ports
            .iter()
            .zip([0x33u8, 0x44])
            .enumerate()
            .map(|(i, (&port, guid))| {
                s.spawn(move || {
                    let env = client_with_guid(port, guid);
                    for _ in 0..3 {
                        assert!(env.ok("gphoto2", &["--summary"]).contains("Model: X-H1"));
                        let listing = env.ok("gphoto2", &["--list-files"]);
                        assert_eq!(
                            listing.contains("SECOND.TXT"),
                            i == 1,
                            "body {i}:\n{listing}"
                        );
                    }
                })
            })
            .collect();
        for client in clients {
            if let Err(e) = client.join() {
                std::panic::resume_unwind(e);
            }
        }
    });
}
