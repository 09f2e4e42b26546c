//! Issue 15 item 6 over USB/IP: URBs for endpoints the camera does not have (OUT on 1, 5 and
//! 15, IN on 5 and 2) fail with -ENOENT, as the kernel fails them, and nothing reaches the PTP
//! pipe; the camera's own endpoints go on working.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use transport_usbip::proto::{
    BUSID_LEN, Command, DIR_IN, DIR_OUT, OP_REQ_IMPORT, OpHeader, Ret, URB_HEADER_LEN,
    USBIP_VERSION,
};
use transport_usbip::{Device, UsbIpServer};
use vcam_core::{FolderStore, NoVendor, Responder, SyntheticFrames, generic};
use vcam_usb::UsbCamera;

const ENOENT: i32 = -2;

/// A generic camera (bulk IN 0x81, bulk OUT 0x02, interrupt IN 0x83) imported over TCP.
fn imported() -> (TcpStream, tempfile::TempDir) {
    let card = tempfile::tempdir().unwrap();
    let camera = Responder::new(
        generic::generic(),
        Box::new(NoVendor),
        Box::new(FolderStore::open(card.path(), false).unwrap()),
        Box::new(SyntheticFrames::new(160, 120, 30)),
    );
    let device = Device::new(UsbCamera::new(camera));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let server = UsbIpServer::bind("127.0.0.1:0".parse().unwrap(), device)
                .await
                .unwrap();
            tx.send(server.local_addr().unwrap()).unwrap();
            let _ = server.run().await;
        });
    });
    let mut s = TcpStream::connect(rx.recv().unwrap()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut request = Vec::new();
    OpHeader {
        version: USBIP_VERSION,
        code: OP_REQ_IMPORT,
        status: 0,
    }
    .emit(&mut request);
    let mut busid = [0u8; BUSID_LEN];
    busid[..3].copy_from_slice(b"1-1");
    request.extend_from_slice(&busid);
    s.write_all(&request).unwrap();
    let mut reply = vec![0u8; 8 + 312];
    s.read_exact(&mut reply).unwrap();
    assert_eq!(&reply[4..8], &[0, 0, 0, 0], "import accepted");
    (s, card)
}

fn submit(s: &mut TcpStream, seqnum: u32, direction: u32, ep: u32, data: &[u8], len: u32) {
    let header = Command::Submit {
        seqnum,
        devid: 0x0001_0002,
        direction,
        ep,
        transfer_flags: 0,
        transfer_buffer_length: if direction == DIR_IN {
            len
        } else {
            data.len() as u32
        },
        number_of_packets: 0,
        interval: 0,
        setup: [0; 8],
    }
    .emit();
    s.write_all(&header).unwrap();
    if direction == DIR_OUT {
        s.write_all(data).unwrap();
    }
}

/// The next RET_SUBMIT and, for an IN URB, its data.
fn ret(s: &mut TcpStream, direction: u32) -> (Ret, Vec<u8>) {
    let mut h = [0u8; URB_HEADER_LEN];
    s.read_exact(&mut h).unwrap();
    let ret = Ret::parse(&h);
    let len = if direction == DIR_IN {
        ret.actual_length as usize
    } else {
        0
    };
    let mut data = vec![0u8; len];
    s.read_exact(&mut data).unwrap();
    (ret, data)
}

/// An OpenSession command container.
fn open_session() -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&0x1002u16.to_le_bytes());
    v.extend_from_slice(&0u32.to_le_bytes());
    v.extend_from_slice(&1u32.to_le_bytes());
    v
}

#[test]
fn urbs_for_endpoints_the_camera_does_not_have_fail_with_enoent() {
    let (mut s, _card) = imported();
    let mut seq = 0;
    for (direction, ep) in [
        (DIR_OUT, 1),
        (DIR_OUT, 5),
        (DIR_OUT, 15),
        (DIR_OUT, 3),
        (DIR_IN, 5),
        (DIR_IN, 2),
    ] {
        seq += 1;
        submit(&mut s, seq, direction, ep, &open_session(), 512);
        let (r, data) = ret(&mut s, direction);
        assert_eq!(
            (r.seqnum, r.status, r.actual_length),
            (seq, ENOENT, 0),
            "direction {direction} endpoint {ep}"
        );
        assert!(data.is_empty());
    }
    // Nothing reached the camera: OpenSession on the real OUT endpoint opens the session now.
    seq += 1;
    submit(&mut s, seq, DIR_OUT, 2, &open_session(), 0);
    let (r, _) = ret(&mut s, DIR_OUT);
    assert_eq!((r.seqnum, r.status, r.actual_length), (seq, 0, 16));
    seq += 1;
    submit(&mut s, seq, DIR_IN, 1, &[], 512);
    let (r, response) = ret(&mut s, DIR_IN);
    assert_eq!((r.seqnum, r.status), (seq, 0));
    assert_eq!(
        u16::from_le_bytes([response[6], response[7]]),
        0x2001,
        "OpenSession answered OK, not SessionAlreadyOpen"
    );
}
