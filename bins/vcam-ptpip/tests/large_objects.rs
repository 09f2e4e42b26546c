//! A 4 GiB object is streamed, not loaded: the server's peak resident set stays small while
//! an initiator downloads the whole file over PTP/IP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use ptp_codec::ptpip::{self, DataPhase, Guid, Identity, Packet};
use ptp_codec::{OperationCode, Params};
use vcam_testkit::VcamProcess;

fn send(s: &mut TcpStream, p: &Packet<'_>) {
    let mut out = vec![0; p.buffer_len()];
    let n = p.emit(&mut out).unwrap();
    s.write_all(&out[..n]).unwrap();
}

fn read_packet(s: &mut TcpStream) -> Vec<u8> {
    let mut head = [0u8; 8];
    s.read_exact(&mut head).unwrap();
    let len = u32::from_le_bytes(head[..4].try_into().unwrap()) as usize;
    let mut rest = vec![0; len - 8];
    s.read_exact(&mut rest).unwrap();
    [head.to_vec(), rest].concat()
}

/// Peak resident set size of a process, in KiB (VmHWM).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .unwrap()
        .trim()
        .trim_end_matches(" kB")
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn four_gib_object_streams_with_a_small_resident_set() {
    let card = tempfile::tempdir().unwrap();
    let size: u64 = 4 << 30;
    let file = std::fs::File::create(card.path().join("HUGE.MOV")).unwrap();
    file.set_len(size).unwrap(); // sparse: costs no disk
    let server = VcamProcess::start(
        env!("CARGO_BIN_EXE_vcam-ptpip").as_ref(),
        &["--fs", card.path().to_str().unwrap()],
    );

    let mut cmd = TcpStream::connect(server.addr()).unwrap();
    cmd.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    send(
        &mut cmd,
        &Packet::InitCommandRequest(Identity {
            guid: Guid([1; 16]),
            friendly_name: "rss".into(),
            protocol_version: ptpip::PROTOCOL_VERSION_1_0,
        }),
    );
    let Packet::InitCommandAck {
        connection_number, ..
    } = Packet::parse(&read_packet(&mut cmd)).unwrap()
    else {
        panic!()
    };
    let mut evt = TcpStream::connect(server.addr()).unwrap();
    send(&mut evt, &Packet::InitEventRequest { connection_number });
    let _ = read_packet(&mut evt);
    let request = |s: &mut TcpStream, code, tid, params: &[u32]| {
        send(
            s,
            &Packet::OperationRequest {
                data_phase: DataPhase::NO_DATA_OR_DATA_IN,
                code,
                transaction_id: tid,
                params: Params::try_from(params).unwrap(),
            },
        );
    };
    request(&mut cmd, OperationCode::OPEN_SESSION, 0, &[1]);
    let _ = read_packet(&mut cmd);
    request(
        &mut cmd,
        OperationCode::GET_OBJECT_HANDLES,
        1,
        &[0xFFFF_FFFF],
    );
    let handles = loop {
        let p = read_packet(&mut cmd);
        if let Packet::EndData { payload, .. } = Packet::parse(&p).unwrap() {
            break payload[4..]
                .chunks(4)
                .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
                .collect::<Vec<_>>();
        }
    };
    assert_eq!(handles.len(), 1);
    let _response = read_packet(&mut cmd);

    request(&mut cmd, OperationCode::GET_OBJECT, 2, &[handles[0]]);
    let start = read_packet(&mut cmd);
    let Packet::StartData { total_length, .. } = Packet::parse(&start).unwrap() else {
        panic!("{start:?}")
    };
    assert_eq!(total_length, size);
    // Read the data phase as a stream of packets, without holding them.
    let mut received = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let mut head = [0u8; 12];
        cmd.read_exact(&mut head).unwrap();
        let len = u64::from(u32::from_le_bytes(head[..4].try_into().unwrap())) - 12;
        let kind = u32::from_le_bytes(head[4..8].try_into().unwrap());
        let mut left = len;
        while left > 0 {
            let n = cmd.read(&mut buf[..left.min(1 << 20) as usize]).unwrap();
            assert!(n > 0);
            left -= n as u64;
        }
        received += len;
        if kind == 12 {
            break;
        }
    }
    assert_eq!(received, size);
    let response = read_packet(&mut cmd);
    assert!(
        matches!(Packet::parse(&response).unwrap(), Packet::OperationResponse { code, .. } if code.is_ok())
    );
    let rss = peak_rss_kib(server.pid());
    eprintln!("peak RSS of vcam-ptpip after serving 4 GiB: {rss} KiB");
    assert!(rss < 64 * 1024, "peak RSS {rss} KiB");
}
