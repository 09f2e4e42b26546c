//! PC AutoSave: a test client plays the PC (Fujifilm's "PC AutoSave" program, whose side fudge
//! `lib/discovery.c` implements): it listens for the body's DISCOVER, sends NOTIFY, answers
//! REGISTER, then DISCOVER/NOTIFY/IMPORT again, and finally runs the PTP session the body asked
//! for, listing and downloading every picture. Every message is checked against the texts a real
//! X-H1 sends (docs/reference/vendors-wifi-sony-fuji.md §3.2). Everything stays on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream, UdpSocket};
use std::time::Duration;

use common::{Body, Client, OK, u16_at, u32_at};
use ptp_codec::OperationCode as Op;
use transport_fujiwifi::autosave::{self, AutoSaveConfig};
use vcam_core::pairing::{AcceptPolicy, Pairing};
use vcam_fuji::Face;

const LOCALHOST: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// Three consecutive ports free for TCP and UDP on 127.0.0.1, with the PC's sockets bound on
/// the last two: (notify port, import UDP + TCP, register UDP + TCP).
fn pc_ports() -> (u16, (UdpSocket, TcpListener), (UdpSocket, TcpListener)) {
    for _ in 0..100 {
        let probe = TcpListener::bind((LOCALHOST, 0)).unwrap();
        let notify = probe.local_addr().unwrap().port();
        if notify > u16::MAX - 2 {
            continue;
        }
        let bind = |port: u16| -> Option<(UdpSocket, TcpListener)> {
            Some((
                UdpSocket::bind((LOCALHOST, port)).ok()?,
                TcpListener::bind((LOCALHOST, port)).ok()?,
            ))
        };
        if let (Some(import), Some(register)) = (bind(notify + 1), bind(notify + 2)) {
            drop(probe);
            return (notify, import, register);
        }
    }
    panic!("no three free consecutive ports on 127.0.0.1");
}

fn receive(udp: &UdpSocket) -> String {
    udp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = [0u8; 1024];
    let (n, from) = udp.recv_from(&mut buf).unwrap();
    assert_eq!(from.ip(), LOCALHOST);
    String::from_utf8(buf[..n].to_vec()).unwrap()
}

/// Connects to the body's NOTIFY port and says who the PC is; the body answers 200 OK.
fn notify(notify_port: u16, importer: &str) {
    let mut s = TcpStream::connect((LOCALHOST, notify_port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(autosave::notify(LOCALHOST.into(), notify_port, importer).as_bytes())
        .unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    assert_eq!(String::from_utf8(answer).unwrap(), autosave::OK);
}

/// Accepts the body's connection and reads its message (sent in one piece, without a blank
/// line: read until it stops sending).
fn accept_message(listener: &TcpListener) -> (TcpStream, String) {
    listener.set_nonblocking(false).unwrap();
    let (mut s, _) = listener.accept().unwrap();
    s.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 512];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(_) if !buf.is_empty() => break,
            Err(e) => panic!("no message: {e}"),
        }
    }
    (s, String::from_utf8(buf).unwrap())
}

#[test]
fn a_pc_registers_the_body_then_imports_its_pictures() {
    let body = Body::start(
        Face::PcAutoSave,
        Pairing::new(AcceptPolicy::Accept).checking_names(),
    );
    let (notify_port, (import_udp, import_tcp), (register_udp, register_tcp)) = pc_ports();
    let config = AutoSaveConfig::new(LOCALHOST.into(), LOCALHOST.into(), notify_port);
    let camera = autosave::Body::new("X-H1", vcam_fuji::model::XH1_SERIAL, body.ports.command);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.spawn(autosave::run(config, camera));

    // Registration.
    let discover = receive(&register_udp);
    assert_eq!(
        discover,
        "DISCOVER * HTTP/1.1\r\nMX:3\r\nHOST:127.0.0.1:|\r\nDSCADDR:127.0.0.1\r\nSERVICE:PCAUTOSAVE/1.0\r\n"
    );
    notify(notify_port, "desktop");
    let (mut s, register) = accept_message(&register_tcp);
    assert_eq!(
        register,
        format!(
            "REGISTER * HTTP/1.1\r\nHOST:127.0.0.1:{}\r\nDSCNAME:FUJIFILM-X-H1-CA2A\r\nDSCMODEL:X-H1\r\n",
            notify_port + 2
        )
    );
    s.write_all(autosave::registered("guest").as_bytes())
        .unwrap();
    drop(s);

    // Import.
    let discover = receive(&import_udp);
    assert!(
        discover.starts_with("DISCOVER desktop HTTP/1.1\r\nMX:3\r\n"),
        "{discover}"
    );
    notify(notify_port, "desktop");
    let (mut s, import) = accept_message(&import_tcp);
    assert_eq!(
        import,
        format!(
            "IMPORT /guest HTTP/1.1\r\nHOST:127.0.0.1:{}\r\nDSCNAME:FUJIFILM-X-H1-CA2A\r\nDSCPORT:$\r\n",
            notify_port + 1
        )
    );
    s.write_all(autosave::OK.as_bytes()).unwrap();
    drop(s);

    // The PTP session: CameraState 3, the AutoSave version, then every picture.
    let mut pc = Client::open(body.ports, [0x42; 16], "desktop");
    let first = pc.events();
    assert_eq!(first[0], (0xDF00, 3), "{first:?}");
    let (code, version) = pc.get(0xDF23);
    assert_eq!((code, version.len()), (OK, 4));
    assert_eq!(pc.set(0xDF23, &version), OK);
    assert_eq!(pc.set(0xDF01, &3u16.to_le_bytes()), OK);
    assert_eq!(pc.set(0xD227, &1u16.to_le_bytes()), OK);
    let mut d228 = vec![6u8];
    for unit in " 0/60".encode_utf16().chain([0]) {
        d228.extend_from_slice(&unit.to_le_bytes());
    }
    assert_eq!(pc.set(0xD228, &d228), OK);
    let handles = pc
        .run(Op::GET_OBJECT_HANDLES, &[0xFFFF_FFFF, 0, 0])
        .payload();
    let count = u32_at(&handles, 0) as usize;
    let mut downloaded = 0;
    for i in 0..count {
        let handle = u32_at(&handles, 4 + 4 * i);
        let info = pc.run(Op::GET_OBJECT_INFO, &[handle]).payload();
        if u16_at(&info, 4) != 0x3801 {
            continue;
        }
        let name_at = 52;
        let units = info[name_at] as usize;
        let name: Vec<u16> = (0..units.saturating_sub(1))
            .map(|k| u16_at(&info, name_at + 1 + 2 * k))
            .collect();
        let name = String::from_utf16(&name).unwrap();
        let a = pc.run(Op::GET_OBJECT, &[handle]);
        assert_eq!(a.code(), OK);
        assert_eq!(a.payload(), body.card_file(&name), "{name} byte for byte");
        downloaded += 1;
    }
    assert_eq!(downloaded, 3);
    assert_eq!(pc.set(0xD227, &0u16.to_le_bytes()), OK);
    assert_eq!(pc.run(Op::CLOSE_SESSION, &[]).code(), OK);
}
