//! A Fujifilm WiFi body on free ports of 127.0.0.1, and a raw client that speaks the protocol
//! byte for byte (init packets, USB containers over TCP, the event and live view ports).
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::time::Duration;

use ptp_codec::OperationCode;
use transport_fujiwifi::Ports;
use transport_fujiwifi::init::{INIT_MAGIC, init_request};
use vcam_core::pairing::{AcceptPolicy, Pairing};
use vcam_core::{FolderStore, Responder, SyntheticFrames};
use vcam_fuji::Face;
use vcam_testkit::{spawn_fujiwifi, usb};

/// The official app's GUID (hkr fuji-cam-wifi-tool `lib/src/commands.cpp`).
pub const APP_GUID: [u8; 16] = [
    0xad, 0xa5, 0x48, 0x5d, 0x87, 0xb2, 0x7f, 0x0b, 0xd3, 0xd5, 0xde, 0xd0, 0x02, 0x78, 0xa8, 0xc0,
];
/// Response codes.
pub const OK: u16 = 0x2001;
pub const DEVICE_BUSY: u32 = 0x2019;

/// A body served from a thread of this process (vcam-testkit's `spawn_fujiwifi`).
pub struct Body {
    pub ports: Ports,
    pub card: tempfile::TempDir,
}

impl Body {
    pub fn start(face: Face, pairing: Pairing) -> Self {
        let card = tempfile::tempdir().unwrap();
        let dcim = card.path().join("DCIM/100_FUJI");
        std::fs::create_dir_all(&dcim).unwrap();
        for (i, name) in ["DSCF0001.JPG", "DSCF0002.JPG", "DSCF0003.JPG"]
            .iter()
            .enumerate()
        {
            let mut canvas = vcam_core::render::Canvas::new(96, 64);
            canvas.pattern(i as u64, i * 5);
            std::fs::write(dcim.join(name), canvas.encode_jpeg(80, None).unwrap()).unwrap();
        }
        let (model, vendor) = vcam_fuji::fuji_xh1(face);
        let store = FolderStore::open(card.path(), false).unwrap();
        let camera = Responder::new(
            model,
            vendor,
            Box::new(store),
            Box::new(SyntheticFrames::new(160, 120, 30)),
        );
        Self {
            ports: spawn_fujiwifi(camera, pairing),
            card,
        }
    }

    pub fn accepting() -> Self {
        Self::start(
            Face::Wifi,
            Pairing::new(AcceptPolicy::Accept).checking_names(),
        )
    }

    pub fn card_file(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.card.path().join("DCIM/100_FUJI").join(name)).unwrap()
    }
}

/// Connects to a port of 127.0.0.1 with read and write timeouts.
pub fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_nodelay(true).unwrap();
    s
}

/// Reads one length-prefixed packet (init answers, containers, live view frames).
pub fn read_packet(s: &mut TcpStream) -> Vec<u8> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).unwrap();
    let n = u32::from_le_bytes(len) as usize;
    assert!(n >= 4, "packet length {n}");
    let mut p = len.to_vec();
    p.resize(n, 0);
    s.read_exact(&mut p[4..]).unwrap();
    p
}

/// Whether the peer closed the connection (with nothing more to read).
pub fn closed(s: &mut TcpStream) -> bool {
    let mut b = [0u8; 1];
    match s.read(&mut b) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => matches!(
            e.kind(),
            ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
        ),
    }
}

pub fn u16_at(p: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(p[at..at + 2].try_into().unwrap())
}

pub fn u32_at(p: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(p[at..at + 4].try_into().unwrap())
}

/// A container as read: type, code, TransactionID, payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    pub kind: u16,
    pub code: u16,
    pub tid: u32,
    pub payload: Vec<u8>,
}

impl Container {
    pub fn parse(p: &[u8]) -> Self {
        assert!(p.len() >= 12, "container of {} bytes", p.len());
        assert_eq!(u32_at(p, 0) as usize, p.len());
        Self {
            kind: u16_at(p, 4),
            code: u16_at(p, 6),
            tid: u32_at(p, 8),
            payload: p[12..].to_vec(),
        }
    }

    pub fn params(&self) -> Vec<u32> {
        self.payload
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }
}

/// The answer to one operation.
#[derive(Debug)]
pub struct Answer {
    /// Data containers before the response (the Fujifilm protocol sends one for every data-in
    /// operation, empty before an error).
    pub data: Vec<Container>,
    pub response: Container,
}

impl Answer {
    pub fn code(&self) -> u16 {
        self.response.code
    }

    pub fn payload(&self) -> Vec<u8> {
        self.data.iter().flat_map(|d| d.payload.clone()).collect()
    }
}

/// A client of the command port.
pub struct Client {
    pub cmd: TcpStream,
    pub tid: u32,
}

impl Client {
    pub fn connect(ports: Ports) -> Self {
        Self {
            cmd: connect(ports.command),
            tid: 0,
        }
    }

    /// Sends an Init Command Request and returns the answer packet.
    pub fn init(&mut self, guid: [u8; 16], name: &str) -> Vec<u8> {
        self.cmd
            .write_all(&init_request(guid, name, INIT_MAGIC))
            .unwrap();
        read_packet(&mut self.cmd)
    }

    /// Init (answered with an ack) and OpenSession.
    pub fn open(ports: Ports, guid: [u8; 16], name: &str) -> Self {
        let mut c = Self::connect(ports);
        let ack = c.init(guid, name);
        assert_eq!(u32_at(&ack, 4), 2, "not an ack: {ack:02x?}");
        assert_eq!(c.run(OperationCode::OPEN_SESSION, &[1]).code(), OK);
        c
    }

    pub fn send(&mut self, code: OperationCode, params: &[u32], data: Option<&[u8]>) -> u32 {
        self.tid += 1;
        let tid = if code == OperationCode::OPEN_SESSION {
            0
        } else {
            self.tid
        };
        let mut wire = usb::command(code, tid, params);
        if let Some(d) = data {
            wire.extend_from_slice(&usb::data(code, tid, d));
        }
        self.cmd.write_all(&wire).unwrap();
        tid
    }

    pub fn answer(&mut self, tid: u32) -> Answer {
        let mut data = Vec::new();
        loop {
            let c = Container::parse(&read_packet(&mut self.cmd));
            assert_eq!(c.tid, tid, "{c:?}");
            match c.kind {
                2 => data.push(c),
                3 => return Answer { data, response: c },
                k => panic!("container type {k} on the command connection"),
            }
        }
    }

    pub fn run(&mut self, code: OperationCode, params: &[u32]) -> Answer {
        let tid = self.send(code, params, None);
        self.answer(tid)
    }

    pub fn run_with(&mut self, code: OperationCode, params: &[u32], data: &[u8]) -> Answer {
        let tid = self.send(code, params, Some(data));
        self.answer(tid)
    }

    /// GetDevicePropValue.
    pub fn get(&mut self, prop: u16) -> (u16, Vec<u8>) {
        let a = self.run(OperationCode::GET_DEVICE_PROP_VALUE, &[u32::from(prop)]);
        (a.code(), a.payload())
    }

    /// SetDevicePropValue.
    pub fn set(&mut self, prop: u16, value: &[u8]) -> u16 {
        self.run_with(
            OperationCode::SET_DEVICE_PROP_VALUE,
            &[u32::from(prop)],
            value,
        )
        .code()
    }

    /// The event list (property 0xD212) as (code, value) pairs.
    pub fn events(&mut self) -> Vec<(u16, u32)> {
        let (code, data) = self.get(0xD212);
        assert_eq!(code, OK);
        let n = u16_at(&data, 0) as usize;
        assert_eq!(data.len(), 2 + 6 * n, "event list layout");
        (0..n)
            .map(|i| (u16_at(&data, 2 + 6 * i), u32_at(&data, 4 + 6 * i)))
            .collect()
    }
}

/// Reads one live view frame: `u32 length | 14 bytes | JPEG`; returns the 14 bytes and the JPEG.
pub fn read_frame(s: &mut TcpStream) -> (Vec<u8>, Vec<u8>) {
    let p = read_packet(s);
    assert!(p.len() > 18);
    (p[4..18].to_vec(), p[18..].to_vec())
}
