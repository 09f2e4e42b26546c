//! Canon's PTP/IP habits as model data, in process (issue 14, "Canon's PTP/IP"): pairing with
//! one client GUID and the owner's answer on the body, Data packets closed by End Data,
//! probes answered on both connections, the connection number accepted as SessionID.
//! A generic camera wears a Canon-like [`ServerIdentity`]: the transport knows no vendor.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ptp_codec::ptpip::{self, DataPhase, Guid, Identity, Packet, PacketType};
use ptp_codec::stream::{Decoded, PtpIp, StreamDecoder};
use ptp_codec::{OperationCode, Params, ResponseCode};
use ptp_initiator::{Error, PtpIpClient};
use transport_ptpip::pairing::{AcceptPolicy, Pairing};
use transport_ptpip::{PtpIpServer, ServerIdentity, SharedPairing};
use vcam_core::model::PtpIpDataFraming;
use vcam_core::{FolderStore, NoVendor, Responder, SyntheticFrames, generic};

/// A generic camera with a card in `dir`.
fn camera(dir: &std::path::Path) -> Responder {
    Responder::new(
        generic::generic(),
        Box::new(NoVendor),
        Box::new(FolderStore::open(dir, false).unwrap()),
        Box::new(SyntheticFrames::new(160, 120, 30)),
    )
}

/// A PTP/IP identity with Canon's habits: it pairs, and frames data as Data packets of
/// `max_payload` bytes closed by End Data.
fn canon_like(max_payload: u32) -> ServerIdentity {
    ServerIdentity {
        data_framing: PtpIpDataFraming::DataThenEndData { max_payload },
        pairs_with_one_client: true,
        ..ServerIdentity::new(*b"canon-like-body!", "Canon-like body")
    }
}

struct Running {
    addr: SocketAddr,
    _card: tempfile::TempDir,
}

/// Serves a generic camera with `identity` on a free port, configured by `setup`.
fn serve(
    identity: ServerIdentity,
    setup: impl FnOnce(PtpIpServer) -> PtpIpServer + Send + 'static,
) -> Running {
    let card = tempfile::tempdir().unwrap();
    let cam = camera(card.path());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let server = PtpIpServer::bind("127.0.0.1:0".parse().unwrap(), cam, identity)
                .await
                .unwrap();
            let server = setup(server);
            tx.send(server.local_addr().unwrap()).unwrap();
            let _ = server.run().await;
        });
    });
    Running {
        addr: rx.recv().unwrap(),
        _card: card,
    }
}

fn connect(addr: SocketAddr, guid: u8) -> Result<PtpIpClient, Error> {
    PtpIpClient::connect(addr, [guid; 16], "phone app")
}

fn refused(result: Result<PtpIpClient, Error>) -> u32 {
    match result {
        Err(Error::InitFail(reason)) => reason,
        Err(e) => panic!("expected Init Fail, got {e}"),
        Ok(_) => panic!("expected Init Fail, got a session"),
    }
}

#[test]
fn the_first_guid_pairs_and_another_is_refused_until_the_pairing_is_reset() {
    let pairing: SharedPairing = Arc::new(Mutex::new(Pairing::new(AcceptPolicy::Accept)));
    let shared = Arc::clone(&pairing);
    let running = serve(canon_like(0x1_0000), move |s| s.with_pairing(shared));
    let mut first = connect(running.addr, 1).unwrap();
    first.open_session(1).unwrap();
    drop(first);
    assert_eq!(pairing.lock().unwrap().paired().unwrap().guid, [1; 16]);
    // Another GUID gets the real body's refusal: Init Fail, Rejected Initiator.
    assert_eq!(refused(connect(running.addr, 2)), 1);
    // The paired client comes back.
    connect(running.addr, 1).unwrap().open_session(1).unwrap();
    // The pairing is reset on the body: the next client pairs, the old one is refused.
    pairing.lock().unwrap().reset().unwrap();
    connect(running.addr, 2).unwrap().open_session(1).unwrap();
    assert_eq!(refused(connect(running.addr, 1)), 1);
}

#[test]
fn a_body_that_pairs_pairs_by_default_and_can_be_told_not_to() {
    let running = serve(canon_like(0x1_0000), |s| s);
    drop(connect(running.addr, 1).unwrap());
    assert_eq!(refused(connect(running.addr, 2)), 1);
    let running = serve(canon_like(0x1_0000), PtpIpServer::without_pairing);
    drop(connect(running.addr, 1).unwrap());
    drop(connect(running.addr, 2).unwrap());
}

#[test]
fn the_owner_refuses_on_the_body_or_accepts_after_a_while() {
    let refusing: SharedPairing = Arc::new(Mutex::new(Pairing::new(AcceptPolicy::Refuse)));
    let shared = Arc::clone(&refusing);
    let running = serve(canon_like(0x1_0000), move |s| s.with_pairing(shared));
    assert_eq!(refused(connect(running.addr, 1)), 1);
    assert!(refusing.lock().unwrap().paired().is_none());

    let slow: SharedPairing = Arc::new(Mutex::new(Pairing::new(
        "delay:0.3".parse::<AcceptPolicy>().unwrap(),
    )));
    let shared = Arc::clone(&slow);
    let running = serve(canon_like(0x1_0000), move |s| s.with_pairing(shared));
    let mut client = connect(running.addr, 3).unwrap();
    client.open_session(1).unwrap();
    assert_eq!(slow.lock().unwrap().paired().unwrap().guid, [3; 16]);
}

/// A raw PTP/IP connection.
struct Raw {
    s: TcpStream,
    buf: Vec<u8>,
    dec: StreamDecoder<PtpIp>,
}

impl Raw {
    fn connect(addr: SocketAddr) -> Self {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        Self {
            s,
            buf: Vec::new(),
            dec: StreamDecoder::new(16 << 20),
        }
    }

    fn send(&mut self, p: &Packet<'_>) {
        let mut out = vec![0; p.buffer_len()];
        let n = p.emit(&mut out).unwrap();
        self.s.write_all(&out[..n]).unwrap();
    }

    /// The type and payload length of the next packet.
    fn recv(&mut self) -> Packet<'static> {
        loop {
            if let Decoded::Frame(f) = self.dec.decode(&self.buf).unwrap() {
                let owned: &'static [u8] = Box::leak(f.to_vec().into_boxed_slice());
                self.buf.drain(..owned.len());
                return Packet::parse(owned).unwrap();
            }
            let mut chunk = [0u8; 65536];
            let n = self.s.read(&mut chunk).unwrap();
            assert!(n > 0, "connection closed");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    fn request(&mut self, code: OperationCode, tid: u32, params: &[u32]) {
        self.send(&Packet::OperationRequest {
            data_phase: DataPhase::NO_DATA_OR_DATA_IN,
            code,
            transaction_id: tid,
            params: Params::try_from(params).unwrap(),
        });
    }
}

/// Opens both connections; returns them and the connection number.
fn open(addr: SocketAddr, guid: u8) -> (Raw, Raw, u32) {
    let mut cmd = Raw::connect(addr);
    // A probe before the Init Command Request is answered too.
    cmd.send(&Packet::ProbeRequest);
    assert_eq!(cmd.recv(), Packet::ProbeResponse);
    cmd.send(&Packet::InitCommandRequest(Identity {
        guid: Guid([guid; 16]),
        friendly_name: "raw".into(),
        protocol_version: ptpip::PROTOCOL_VERSION_1_0,
    }));
    let Packet::InitCommandAck {
        connection_number, ..
    } = cmd.recv()
    else {
        panic!("no Init Command Ack");
    };
    let mut evt = Raw::connect(addr);
    evt.send(&Packet::InitEventRequest { connection_number });
    assert_eq!(evt.recv(), Packet::InitEventAck);
    (cmd, evt, connection_number)
}

#[test]
fn probes_are_answered_on_both_connections_and_the_connection_number_opens_the_session() {
    let running = serve(canon_like(0x1_0000), |s| s);
    drop(open(running.addr, 9));
    let (mut cmd, mut evt, number) = open(running.addr, 9);
    // airnef probes the event connection right after Init Event Ack and hangs without 0x0E.
    evt.send(&Packet::ProbeRequest);
    assert_eq!(evt.recv(), Packet::ProbeResponse);
    cmd.send(&Packet::ProbeRequest);
    assert_eq!(cmd.recv(), Packet::ProbeResponse);
    // airnef opens the session with the connection number as SessionID.
    assert_ne!(
        number, 1,
        "a first connection would not tell 1 from the number"
    );
    cmd.request(OperationCode::OPEN_SESSION, 0, &[number]);
    let Packet::OperationResponse { code, .. } = cmd.recv() else {
        panic!("no response")
    };
    assert_eq!(code, ResponseCode::OK);
}

#[test]
fn data_goes_out_as_data_packets_closed_by_end_data() {
    let running = serve(canon_like(100), |s| s);
    let (mut cmd, _evt, _) = open(running.addr, 4);
    cmd.request(OperationCode::OPEN_SESSION, 0, &[1]);
    assert!(matches!(cmd.recv(), Packet::OperationResponse { .. }));
    cmd.request(OperationCode::GET_DEVICE_INFO, 1, &[]);
    let Packet::StartData { total_length, .. } = cmd.recv() else {
        panic!("no Start Data")
    };
    let mut packets = Vec::new();
    loop {
        match cmd.recv() {
            Packet::Data {
                transaction_id,
                payload,
            } => packets.push((PacketType::DATA, transaction_id, payload.len())),
            Packet::EndData {
                transaction_id,
                payload,
            } => packets.push((PacketType::END_DATA, transaction_id, payload.len())),
            Packet::OperationResponse { code, .. } => {
                assert_eq!(code, ResponseCode::OK);
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let (last, data) = packets.split_last().unwrap();
    assert!(
        !data.is_empty(),
        "a DeviceInfo is longer than one 100-byte packet"
    );
    assert!(
        data.iter().all(|p| *p == (PacketType::DATA, 1, 100)),
        "{packets:?}"
    );
    assert_eq!((last.0, last.1), (PacketType::END_DATA, 1));
    assert!((1..=100).contains(&last.2), "{packets:?}");
    let sent: usize = packets.iter().map(|p| p.2).sum();
    assert_eq!(sent as u64, total_length);
}
