//! Hostile and broken initiators: malformed and truncated packets, lying lengths,
//! out-of-order phases, a second initiator, a client that vanishes mid-transfer. Each gets an
//! error, never a crash, and the next client is served.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use ptp_codec::ptpip::{self, DataPhase, Guid, Identity, InitFailReason, Packet};
use ptp_codec::stream::{Decoded, PtpIp, StreamDecoder};
use ptp_codec::{OperationCode, Params, ResponseCode};
use vcam_testkit::{Env, VcamProcess as Server, card, wait_until};

fn bytes(p: &Packet<'_>) -> Vec<u8> {
    let mut out = vec![0; p.buffer_len()];
    let n = p.emit(&mut out).unwrap();
    out.truncate(n);
    out
}

struct Raw {
    s: TcpStream,
    buf: Vec<u8>,
    dec: StreamDecoder<PtpIp>,
}

impl Raw {
    fn connect(server: &Server) -> Self {
        let s = TcpStream::connect(server.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        Self {
            s,
            buf: Vec::new(),
            dec: StreamDecoder::new(16 << 20),
        }
    }

    fn send(&mut self, p: &Packet<'_>) {
        self.s.write_all(&bytes(p)).unwrap();
    }

    /// The next whole packet's bytes, or None at end of stream.
    fn recv(&mut self) -> Option<Vec<u8>> {
        loop {
            match self.dec.decode(&self.buf).unwrap() {
                Decoded::Frame(f) => {
                    let v = f.to_vec();
                    self.buf.drain(..v.len());
                    return Some(v);
                }
                Decoded::NeedMore(_) => {
                    let mut chunk = [0u8; 65536];
                    match self.s.read(&mut chunk) {
                        Ok(0) | Err(_) => return None,
                        Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                    }
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    fn init(server: &Server) -> (Self, Self) {
        let mut cmd = Self::connect(server);
        cmd.send(&Packet::InitCommandRequest(identity(
            ptpip::PROTOCOL_VERSION_1_0,
        )));
        let ack = cmd.recv().unwrap();
        let Packet::InitCommandAck {
            connection_number,
            identity,
        } = Packet::parse(&ack).unwrap()
        else {
            panic!("expected Init Command Ack, got {:?}", Packet::parse(&ack));
        };
        assert_eq!(identity.friendly_name, "vcam Generic PTP Camera");
        let mut evt = Self::connect(server);
        evt.send(&Packet::InitEventRequest { connection_number });
        assert_eq!(
            Packet::parse(&evt.recv().unwrap()).unwrap(),
            Packet::InitEventAck
        );
        (cmd, evt)
    }

    fn request(&mut self, code: OperationCode, tid: u32, params: &[u32]) {
        self.send(&Packet::OperationRequest {
            data_phase: DataPhase::NO_DATA_OR_DATA_IN,
            code,
            transaction_id: tid,
            params: Params::try_from(params).unwrap(),
        });
    }

    /// Reads until the Operation Response; returns its code and the data bytes received.
    fn response(&mut self) -> (ResponseCode, u32, usize) {
        let mut data = 0;
        loop {
            let p = self.recv().expect("connection closed before the response");
            match Packet::parse(&p).unwrap() {
                Packet::OperationResponse {
                    code,
                    transaction_id,
                    ..
                } => return (code, transaction_id, data),
                Packet::Data { payload, .. } | Packet::EndData { payload, .. } => {
                    data += payload.len()
                }
                Packet::StartData { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

fn start(args: &[&str]) -> Server {
    Server::start(env!("CARGO_BIN_EXE_vcam-ptpip").as_ref(), args)
}

fn identity(version: u32) -> Identity {
    Identity {
        guid: Guid([7; 16]),
        friendly_name: "robustness".into(),
        protocol_version: version,
    }
}

/// A well-behaved session: proves the server still serves clients.
fn still_serves(server: &mut Server) {
    assert!(server.alive(), "vcam-ptpip died:\n{}", server.log());
    let (mut cmd, _evt) = Raw::init(server);
    cmd.request(OperationCode::OPEN_SESSION, 0, &[1]);
    assert_eq!(cmd.response().0, ResponseCode::OK);
    cmd.request(OperationCode::GET_DEVICE_INFO, 1, &[]);
    let (code, tid, len) = cmd.response();
    assert_eq!((code, tid), (ResponseCode::OK, 1));
    assert!(len > 100);
}

fn closed(raw: &mut Raw) -> bool {
    raw.recv().is_none()
}

#[test]
fn malformed_truncated_and_lying_packets_end_only_their_connection() {
    let mut server = start(&[]);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("length below the header", vec![4, 0, 0, 0, 1, 0, 0, 0]),
        (
            "length of 4 GiB",
            vec![0xF0, 0xFF, 0xFF, 0xFF, 6, 0, 0, 0, 1, 0, 0, 0],
        ),
        ("unknown packet type", vec![8, 0, 0, 0, 0x99, 0, 0, 0]),
        (
            "Operation Request before init",
            bytes(&Packet::OperationRequest {
                data_phase: DataPhase::NO_DATA_OR_DATA_IN,
                code: OperationCode::GET_DEVICE_INFO,
                transaction_id: 1,
                params: Params::empty(),
            }),
        ),
        ("init with a friendly name that never ends", {
            let mut v = vec![0u8; 8 + 16 + 600];
            let len = v.len() as u32;
            v[..4].copy_from_slice(&len.to_le_bytes());
            v[4] = 1;
            v[24..].fill(0x41);
            v
        }),
    ];
    for (what, wire) in cases {
        let mut raw = Raw::connect(&server);
        raw.s.write_all(&wire).unwrap();
        // Either an Init Fail or the connection simply closes; never a hang or a crash.
        loop {
            match raw.recv() {
                None => break,
                Some(p) => assert!(
                    matches!(Packet::parse(&p), Ok(Packet::InitFail { .. })),
                    "{what}: {p:?}"
                ),
            }
        }
        still_serves(&mut server);
    }

    // A truncated packet followed by a hang-up.
    let mut raw = Raw::connect(&server);
    raw.s
        .write_all(
            &bytes(&Packet::InitCommandRequest(identity(
                ptpip::PROTOCOL_VERSION_1_0,
            )))[..10],
        )
        .unwrap();
    drop(raw);
    still_serves(&mut server);
}

#[test]
fn protocol_errors_in_a_session_get_answers() {
    let mut server = start(&[]);
    // An event connection for a connection that does not exist.
    let mut raw = Raw::connect(&server);
    raw.send(&Packet::InitEventRequest {
        connection_number: 999,
    });
    assert!(matches!(
        Packet::parse(&raw.recv().unwrap()).unwrap(),
        Packet::InitFail { .. }
    ));

    let (mut cmd, _evt) = Raw::init(&server);
    // A second initiator while one is connected: Busy.
    let mut other = Raw::connect(&server);
    other.send(&Packet::InitCommandRequest(identity(
        ptpip::PROTOCOL_VERSION_1_0,
    )));
    assert_eq!(
        Packet::parse(&other.recv().unwrap()).unwrap(),
        Packet::InitFail {
            reason: InitFailReason::BUSY
        }
    );

    // Operations before OpenSession, then data nobody asked for: answered, session survives.
    cmd.request(OperationCode::GET_STORAGE_IDS, 1, &[]);
    assert_eq!(cmd.response().0, ResponseCode::SESSION_NOT_OPEN);
    cmd.request(OperationCode::OPEN_SESSION, 0, &[1]);
    assert_eq!(cmd.response().0, ResponseCode::OK);
    cmd.send(&Packet::StartData {
        transaction_id: 5,
        total_length: 3,
    });
    cmd.send(&Packet::EndData {
        transaction_id: 5,
        payload: b"abc",
    });
    assert_eq!(cmd.response(), (ResponseCode::GENERAL_ERROR, 5, 0));
    // SetDevicePropValue announced without its data phase.
    cmd.request(OperationCode::SET_DEVICE_PROP_VALUE, 6, &[0x500F]);
    let (code, tid, _) = cmd.response();
    assert_eq!(tid, 6);
    assert_ne!(code, ResponseCode::OK);
    // Unknown operation, too many parameters.
    cmd.request(OperationCode(0x9999), 7, &[]);
    assert_eq!(cmd.response().0, ResponseCode::OPERATION_NOT_SUPPORTED);
    cmd.request(OperationCode::GET_OBJECT_INFO, 8, &[1, 2, 3, 4, 5]);
    assert_eq!(cmd.response().0, ResponseCode::PARAMETER_NOT_SUPPORTED);
    cmd.request(OperationCode::GET_DEVICE_INFO, 9, &[]);
    assert_eq!(cmd.response().0, ResponseCode::OK);
    // An Init packet inside the session is a protocol violation: the connection ends.
    cmd.send(&Packet::InitCommandRequest(identity(
        ptpip::PROTOCOL_VERSION_1_0,
    )));
    assert!(closed(&mut cmd));
    drop(other);
    still_serves(&mut server);
}

#[test]
fn a_client_that_vanishes_mid_transfer_costs_only_its_session() {
    let card = card::sample();
    let mut server = start(&["--fs", card.path().to_str().unwrap()]);
    let (mut cmd, evt) = Raw::init(&server);
    cmd.request(OperationCode::OPEN_SESSION, 0, &[1]);
    assert_eq!(cmd.response().0, ResponseCode::OK);
    cmd.request(OperationCode::GET_OBJECT_HANDLES, 1, &[0xFFFF_FFFF]);
    let _ = cmd.response();
    // Ask for every object and hang up without reading.
    for (tid, h) in (2..8).zip(1..) {
        cmd.request(OperationCode::GET_OBJECT, tid, &[h]);
    }
    let mut small = [0u8; 100];
    let _ = cmd.s.read(&mut small);
    drop(cmd);
    drop(evt);
    assert!(wait_until(Duration::from_secs(5), || !server
        .log()
        .contains("initiator connected")
        || server.log().contains("initiator disconnected")));
    still_serves(&mut server);
}

/// A raw connection from `source` (another address of 127.0.0.0/8) to the server.
fn connect_from(server: &Server, source: std::net::IpAddr) -> Raw {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let stream = rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(std::net::SocketAddr::new(source, 0)).unwrap();
        socket.connect(server.addr()).await.unwrap()
    });
    let s = stream.into_std().unwrap();
    s.set_nonblocking(false).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    Raw {
        s,
        buf: Vec::new(),
        dec: StreamDecoder::new(16 << 20),
    }
}

/// The connection number the server gave `cmd` (read back from a fresh handshake).
fn init_numbered(server: &Server) -> (Raw, Raw, u32) {
    let mut cmd = Raw::connect(server);
    cmd.send(&Packet::InitCommandRequest(identity(
        ptpip::PROTOCOL_VERSION_1_0,
    )));
    let Packet::InitCommandAck {
        connection_number, ..
    } = Packet::parse(&cmd.recv().unwrap()).unwrap()
    else {
        panic!("expected Init Command Ack");
    };
    let mut evt = Raw::connect(server);
    evt.send(&Packet::InitEventRequest { connection_number });
    assert_eq!(
        Packet::parse(&evt.recv().unwrap()).unwrap(),
        Packet::InitEventAck
    );
    (cmd, evt, connection_number)
}

/// As [`init_numbered`], then OpenSession(1).
fn init_with_session(server: &Server) -> (Raw, Raw, u32) {
    let (mut cmd, evt, number) = init_numbered(server);
    cmd.request(OperationCode::OPEN_SESSION, 0, &[1]);
    assert_eq!(cmd.response().0, ResponseCode::OK, "OpenSession");
    (cmd, evt, number)
}

/// The next Event packet on an event connection (Probe Requests are answered on the way).
fn next_event(evt: &mut Raw) -> Option<u16> {
    loop {
        let p = evt.recv()?;
        match Packet::parse(&p).unwrap() {
            Packet::Event { code, .. } => return Some(code.0),
            Packet::ProbeRequest => evt.send(&Packet::ProbeResponse),
            other => panic!("unexpected {other:?} on the event connection"),
        }
    }
}

/// Issue 15 item 1: an Init Event Request quoting the live connection number, from another
/// host or as a second event connection, is refused; the initiator keeps its events.
#[test]
fn the_event_connection_cannot_be_taken_over() {
    let mut server = start(&[]);
    let (mut cmd, mut evt, number) = init_with_session(&server);

    for (who, mut intruder) in [
        (
            "another host",
            connect_from(&server, "127.0.0.2".parse().unwrap()),
        ),
        ("a second event connection", Raw::connect(&server)),
    ] {
        intruder.send(&Packet::InitEventRequest {
            connection_number: number,
        });
        let answer = intruder
            .recv()
            .map(|p| Packet::parse(&p).unwrap().packet_type());
        assert_eq!(
            answer,
            Some(ptpip::PacketType::INIT_FAIL),
            "{who} must get Init Fail"
        );
        assert!(closed(&mut intruder), "{who}: the connection ends");
    }

    // The initiator's own event connection still carries its events.
    cmd.request(OperationCode::INITIATE_CAPTURE, 1, &[0, 0]);
    assert_eq!(cmd.response().0, ResponseCode::OK);
    assert_eq!(next_event(&mut evt), Some(0x4002), "ObjectAdded");
    drop((cmd, evt));
    still_serves(&mut server);
}

/// Issue 15 item 2: an initiator that keeps its sockets open but stops talking (and never
/// answers the Probe Request) loses its session after the probe interval and the wait for
/// the answer; one that answers keeps it.
#[test]
fn a_silent_initiator_is_probed_and_then_let_go() {
    let mut server = start(&["--probe-interval", "0.3"]);
    // A live initiator answers the probes on its event connection and keeps the camera.
    let (mut cmd, mut evt, _) = init_with_session(&server);
    let answering = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let answerer = {
        let answering = std::sync::Arc::clone(&answering);
        std::thread::spawn(move || {
            let mut probes = 0;
            while answering.load(std::sync::atomic::Ordering::SeqCst) {
                let Some(p) = evt.recv() else { break };
                assert_eq!(Packet::parse(&p).unwrap(), Packet::ProbeRequest);
                evt.send(&Packet::ProbeResponse);
                probes += 1;
            }
            (evt, probes)
        })
    };
    // Several probe intervals pass (the Busy answer alone takes 1.5 s).
    for _ in 0..2 {
        let mut other = Raw::connect(&server);
        other.send(&Packet::InitCommandRequest(identity(
            ptpip::PROTOCOL_VERSION_1_0,
        )));
        assert_eq!(
            Packet::parse(&other.recv().unwrap()).unwrap(),
            Packet::InitFail {
                reason: InitFailReason::BUSY
            },
            "the camera is still taken:\n{}",
            server.log()
        );
    }
    cmd.request(OperationCode::GET_DEVICE_INFO, 1, &[]);
    assert_eq!(cmd.response().0, ResponseCode::OK, "and the session works");
    answering.store(false, std::sync::atomic::Ordering::SeqCst);
    let (evt, probes) = answerer.join().unwrap();
    assert!(probes >= 2, "only {probes} probes answered");

    // Now it falls silent: the camera is freed and the next initiator is served.
    let (silent_cmd, silent_evt) = (cmd, evt);
    let served = wait_until(Duration::from_secs(30), || {
        let mut next = Raw::connect(&server);
        next.send(&Packet::InitCommandRequest(identity(
            ptpip::PROTOCOL_VERSION_1_0,
        )));
        matches!(
            next.recv()
                .map(|p| Packet::parse(&p).unwrap().packet_type()),
            Some(ptpip::PacketType::INIT_COMMAND_ACK)
        )
    });
    assert!(
        served,
        "a silent initiator keeps the camera for ever:\n{}",
        server.log()
    );
    assert!(
        server.log().contains("no Probe Response"),
        "{}",
        server.log()
    );
    drop((silent_cmd, silent_evt));
    still_serves(&mut server);
}

/// libgphoto2 never answers probes: an initiator that ignores them keeps its camera as long as
/// nobody else asks for it (a gphoto2 waiting for events must not lose its session).
#[test]
fn an_initiator_that_ignores_probes_keeps_the_camera_while_nobody_else_wants_it() {
    let mut server = start(&["--probe-interval", "0.2"]);
    let (mut cmd, mut evt, _) = init_with_session(&server);
    // Several probes go out and none is answered.
    for _ in 0..3 {
        let probe = evt.recv().expect("a Probe Request on the event connection");
        assert_eq!(Packet::parse(&probe).unwrap(), Packet::ProbeRequest);
    }
    cmd.request(OperationCode::GET_DEVICE_INFO, 1, &[]);
    assert_eq!(
        cmd.response().0,
        ResponseCode::OK,
        "the session survived unanswered probes:\n{}",
        server.log()
    );
    assert!(
        !server.log().contains("no Probe Response: ending"),
        "{}",
        server.log()
    );
    drop((cmd, evt));
    still_serves(&mut server);
}

/// An ObjectInfo dataset (ISO 15740:2013 §5.5.2) for a file `name` of `size` bytes.
fn object_info(name: &str, size: u32) -> Vec<u8> {
    fn string(out: &mut Vec<u8>, s: &str) {
        if s.is_empty() {
            out.push(0);
            return;
        }
        let units: Vec<u16> = s.encode_utf16().chain([0]).collect();
        out.push(units.len() as u8);
        for u in units {
            out.extend_from_slice(&u.to_le_bytes());
        }
    }
    let mut v = Vec::new();
    v.extend_from_slice(&0x0001_0001u32.to_le_bytes()); // StorageID
    v.extend_from_slice(&0x3004u16.to_le_bytes()); // ObjectFormat: Text
    v.extend_from_slice(&0u16.to_le_bytes()); // ProtectionStatus
    v.extend_from_slice(&size.to_le_bytes()); // ObjectCompressedSize
    v.extend_from_slice(&0u16.to_le_bytes()); // ThumbFormat
    for _ in 0..7 {
        v.extend_from_slice(&0u32.to_le_bytes()); // thumb size/w/h, image w/h/depth, parent
    }
    v.extend_from_slice(&0u16.to_le_bytes()); // AssociationType
    v.extend_from_slice(&0u32.to_le_bytes()); // AssociationDesc
    v.extend_from_slice(&0u32.to_le_bytes()); // SequenceNumber
    string(&mut v, name);
    string(&mut v, "");
    string(&mut v, "");
    string(&mut v, "");
    v
}

fn files_named(dir: &std::path::Path, name: &str) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            n += files_named(&path, name);
        } else if entry.file_name() == name {
            n += 1;
        }
    }
    n
}

/// Issue 15 item 3: a data phase that does not match its Start Data is answered
/// IncompleteTransfer and nothing reaches the card.
#[test]
fn data_phases_that_lie_are_refused_and_write_nothing() {
    let card = card::sample();
    let mut server = start(&["--fs", card.path().to_str().unwrap()]);
    let (mut cmd, evt) = Raw::init(&server);
    cmd.request(OperationCode::OPEN_SESSION, 0, &[1]);
    assert_eq!(cmd.response().0, ResponseCode::OK);
    let mut tid = 0;
    let mut next = || {
        tid += 1;
        tid
    };
    let data_out = |cmd: &mut Raw, code: OperationCode, tid: u32, params: &[u32]| {
        cmd.send(&Packet::OperationRequest {
            data_phase: DataPhase::DATA_OUT,
            code,
            transaction_id: tid,
            params: Params::try_from(params).unwrap(),
        });
    };
    let info = object_info("LIE.TXT", 5);
    let announce = |cmd: &mut Raw, tid: u32| {
        data_out(cmd, OperationCode::SEND_OBJECT_INFO, tid, &[0x0001_0001, 0]);
        cmd.send(&Packet::StartData {
            transaction_id: tid,
            total_length: info.len() as u64,
        });
        cmd.send(&Packet::EndData {
            transaction_id: tid,
            payload: &info,
        });
        assert_eq!(cmd.response().0, ResponseCode::OK, "SendObjectInfo");
    };

    // What each lie sends after the SendObject request: the Start Data total (none: no Start
    // Data at all), then (End Data?, TransactionID offset, payload) packets.
    type Lie = (
        &'static str,
        Option<u64>,
        &'static [(bool, u32, &'static [u8])],
    );
    let lies: [Lie; 5] = [
        (
            "2^63 bytes announced, 5 sent",
            Some(1 << 63),
            &[(true, 0, b"12345")],
        ),
        (
            "100 bytes announced, 2 sent",
            Some(100),
            &[(true, 0, b"12")],
        ),
        ("3 bytes announced, 5 sent", Some(3), &[(true, 0, b"12345")]),
        (
            "a Data packet of another transaction",
            Some(5),
            &[(false, 1000, b"123"), (true, 0, b"45")],
        ),
        ("End Data without Start Data", None, &[(true, 0, b"12345")]),
    ];
    let lie = |cmd: &mut Raw, tid: u32, announced: Option<u64>, packets: &[(bool, u32, &[u8])]| {
        if let Some(total_length) = announced {
            cmd.send(&Packet::StartData {
                transaction_id: tid,
                total_length,
            });
        }
        for &(end, offset, payload) in packets {
            let transaction_id = tid + offset;
            cmd.send(&if end {
                Packet::EndData {
                    transaction_id,
                    payload,
                }
            } else {
                Packet::Data {
                    transaction_id,
                    payload,
                }
            });
        }
    };
    for (what, announced, packets) in lies {
        let t = next();
        announce(&mut cmd, t);
        let t = next();
        data_out(&mut cmd, OperationCode::SEND_OBJECT, t, &[]);
        lie(&mut cmd, t, announced, packets);
        let (code, answered, _) = cmd.response();
        assert_eq!(
            (code, answered),
            (ResponseCode::INCOMPLETE_TRANSFER, t),
            "{what}"
        );
        assert_eq!(
            files_named(card.path(), "LIE.TXT"),
            0,
            "{what}: nothing may reach the card"
        );
    }
    // The honest upload goes through.
    let t = next();
    announce(&mut cmd, t);
    let t = next();
    data_out(&mut cmd, OperationCode::SEND_OBJECT, t, &[]);
    lie(&mut cmd, t, Some(5), &[(true, 0, b"12345")]);
    assert_eq!(cmd.response().0, ResponseCode::OK);
    assert_eq!(files_named(card.path(), "LIE.TXT"), 1);
    drop((cmd, evt));
    still_serves(&mut server);
}

/// Issue 15 item 4: Operation Requests written back to back in one TCP write are all
/// answered, in order, the data-in phases whole.
#[test]
fn pipelined_requests_are_answered_in_order() {
    let card = card::sample();
    let mut server = start(&["--fs", card.path().to_str().unwrap()]);
    let (mut cmd, evt) = Raw::init(&server);
    let request = |code, tid, params: &[u32]| {
        bytes(&Packet::OperationRequest {
            data_phase: DataPhase::NO_DATA_OR_DATA_IN,
            code,
            transaction_id: tid,
            params: Params::try_from(params).unwrap(),
        })
    };
    let mut burst = Vec::new();
    burst.extend(request(OperationCode::OPEN_SESSION, 0, &[1]));
    burst.extend(request(OperationCode::GET_DEVICE_INFO, 1, &[]));
    burst.extend(request(OperationCode::GET_STORAGE_IDS, 2, &[]));
    burst.extend(request(
        OperationCode::GET_OBJECT_HANDLES,
        3,
        &[0xFFFF_FFFF],
    ));
    burst.extend(request(OperationCode::GET_DEVICE_INFO, 4, &[]));
    cmd.s.write_all(&burst).unwrap();
    let mut answers = Vec::new();
    for _ in 0..5 {
        answers.push(cmd.response());
    }
    let tids: Vec<u32> = answers.iter().map(|a| a.1).collect();
    assert_eq!(tids, [0, 1, 2, 3, 4], "{answers:?}");
    assert!(
        answers.iter().all(|a| a.0 == ResponseCode::OK),
        "{answers:?}"
    );
    assert!(
        answers[1].2 > 100 && answers[4].2 == answers[1].2,
        "{answers:?}"
    );
    assert_eq!(answers[2].2, 4 + 4, "one storage");
    assert!(answers[3].2 > 4, "handles");
    drop((cmd, evt));
    still_serves(&mut server);
}

/// Issue 15 item 5: Init Command Requests real bodies accept are accepted: ptpy's version
/// 0x00000064, and camlib's 36-byte request (GUID of 0xFF bytes, the name "ptp li" cut short,
/// no terminator, no version).
#[test]
fn init_requests_real_bodies_accept_are_served() {
    let mut server = start(&[]);
    let mut ptpy = bytes(&Packet::InitCommandRequest(identity(0x0000_0064)));
    let mut camlib = vec![36, 0, 0, 0, 1, 0, 0, 0];
    camlib.extend_from_slice(&[0xFF; 16]);
    for unit in "ptp li".encode_utf16() {
        camlib.extend_from_slice(&unit.to_le_bytes());
    }
    for (what, wire) in [("ptpy", &mut ptpy), ("camlib", &mut camlib)] {
        let mut raw = Raw::connect(&server);
        raw.s.write_all(wire).unwrap();
        let answer = raw.recv().map(|p| Packet::parse(&p).unwrap().packet_type());
        assert_eq!(
            answer,
            Some(ptpip::PacketType::INIT_COMMAND_ACK),
            "{what}:\n{}",
            server.log()
        );
        raw.request(OperationCode::OPEN_SESSION, 0, &[1]);
        assert_eq!(raw.response().0, ResponseCode::OK, "{what}");
        drop(raw);
        still_serves(&mut server);
    }
}

/// gphoto2 as "Canon EOS (WLAN)" with the HOME under `base` (where libgphoto2 keeps its
/// PTP/IP GUID).
fn gphoto_canon(base: &std::path::Path, server: &Server, args: &[&str]) -> vcam_testkit::Run {
    let all: Vec<&str> = ["--camera", "Canon EOS (WLAN)"]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    Env::under(base)
        .gphoto2_ptpip(server.port())
        .run("gphoto2", &all)
}

/// The GUID libgphoto2 keeps in `~/.gphoto/settings` (`ptp2_ip=guid=xx:xx:...`), as 32 hex
/// digits.
fn gphoto_guid(home: &std::path::Path) -> String {
    let settings = std::fs::read_to_string(home.join("home/.gphoto/settings")).unwrap();
    let line = settings
        .lines()
        .find(|l| l.starts_with("ptp2_ip=guid="))
        .unwrap_or_else(|| panic!("no PTP/IP GUID in {settings}"));
    line.rsplit('=').next().unwrap().replace(':', "")
}

/// Issue 14: a Canon EOS pairs with the first client GUID (kept in a state file in the card
/// folder, hidden from clients), refuses another until the pairing is reset, and can start
/// paired with `--paired-guid`.
#[test]
fn canon_pairs_with_its_first_gphoto2_and_refuses_another_until_reset() {
    let card = card::sample();
    let fs = card.path().to_str().unwrap();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // libgphoto2 makes up its GUID from srand(time(NULL)) (ptpip.c ptp_nikon_getptpipguid):
    // two fresh HOMEs within a second get the same one. Give each its own.
    for (home, byte) in [(&a, "a1"), (&b, "b2")] {
        let guid = vec![byte; 16].join(":");
        std::fs::create_dir_all(home.path().join("home/.gphoto")).unwrap();
        std::fs::write(
            home.path().join("home/.gphoto/settings"),
            format!("ptp2_ip=guid={guid}\n"),
        )
        .unwrap();
    }
    let server = start(&["canon_1300d", "--fs", fs]);
    let run = gphoto_canon(a.path(), &server, &["--summary"]);
    assert!(
        run.ok && run.stdout.contains("Canon EOS 1300D"),
        "the first client pairs"
    );
    let state = std::fs::read_to_string(card.path().join(".vcam-ptpip-pairing")).unwrap();
    assert!(state.starts_with(&gphoto_guid(a.path())), "{state}");
    assert!(
        !gphoto_canon(b.path(), &server, &["--summary"]).ok,
        "another GUID is refused"
    );
    assert!(server.log().contains("refused: not the paired client"));
    assert!(gphoto_canon(a.path(), &server, &["--list-files"]).ok);
    let listing = gphoto_canon(a.path(), &server, &["--list-files"]).stdout;
    assert!(
        !listing.contains("pairing"),
        "the state file is not on the card:\n{listing}"
    );
    drop(server);

    // The body remembers across a restart; resetting the pairing lets the next client in.
    let server = start(&["canon_1300d", "--fs", fs]);
    assert!(!gphoto_canon(b.path(), &server, &["--summary"]).ok);
    drop(server);
    let server = start(&["canon_1300d", "--fs", fs, "--reset-pairing"]);
    assert!(
        gphoto_canon(b.path(), &server, &["--summary"]).ok,
        "B pairs after the reset"
    );
    assert!(
        !gphoto_canon(a.path(), &server, &["--summary"]).ok,
        "A is now the stranger"
    );
    drop(server);

    // --paired-guid: paired from the start (no state file: the card is read-only).
    let guid = gphoto_guid(a.path());
    let server = start(&[
        "canon_1300d",
        "--fs",
        fs,
        "--read-only",
        "--paired-guid",
        &guid,
    ]);
    assert!(!gphoto_canon(b.path(), &server, &["--summary"]).ok);
    assert!(gphoto_canon(a.path(), &server, &["--summary"]).ok);
    drop(server);

    // The owner refuses on the body.
    let other = card::sample();
    let server = start(&[
        "canon_1300d",
        "--fs",
        other.path().to_str().unwrap(),
        "--accept-policy",
        "refuse",
    ]);
    assert!(!gphoto_canon(a.path(), &server, &["--summary"]).ok);
    assert!(!other.path().join(".vcam-ptpip-pairing").exists());
}
