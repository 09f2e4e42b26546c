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
use vcam_testkit::{VcamProcess as Server, card, wait_until};

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
    // Version 2.0 is refused.
    let mut raw = Raw::connect(&server);
    raw.send(&Packet::InitCommandRequest(identity(0x0002_0000)));
    let p = raw.recv().unwrap();
    assert_eq!(
        Packet::parse(&p).unwrap(),
        Packet::InitFail {
            reason: InitFailReason::REJECTED_INITIATOR
        }
    );

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
