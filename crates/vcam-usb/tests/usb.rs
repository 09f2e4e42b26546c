//! A whole PTP session through the sans-IO USB device: control requests, bulk segmentation
//! with the short-packet and ZLP rules, pending IN transfers, interrupt events, class requests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::time::{Duration, SystemTime};

use vcam_core::ptp_types::ptp_codec::container::HEADER_LEN;
use vcam_core::ptp_types::ptp_codec::{Container, ContainerKind, ContainerRepr, DataContainer};
use vcam_core::ptp_types::{EventCode, OperationCode as Op, ResponseCode as Rc};
use vcam_testkit::usb::{self as container, command, header, response};
use vcam_usb::{ControlReply, InStatus, OutStatus, SetupPacket, UsbCamera, class_request};

const BULK_IN: u8 = 0x81;
const INTR: u8 = 0x83;

struct Dev {
    usb: UsbCamera,
    now: SystemTime,
    tid: u32,
    _dir: tempfile::TempDir,
}

fn setup(request_type: u8, request: u8, value: u16, index: u16, length: u16) -> SetupPacket {
    SetupPacket {
        request_type,
        request,
        value,
        index,
        length,
    }
}

impl Dev {
    fn new(files: &[(&str, Vec<u8>)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("DCIM/100VCAM")).unwrap();
        for (name, bytes) in files {
            fs::write(dir.path().join("DCIM/100VCAM").join(name), bytes).unwrap();
        }
        let responder = vcam_testkit::camera("generic", dir.path(), (160, 120));
        Self {
            usb: UsbCamera::new(responder),
            now: vcam_testkit::cam::start_time(),
            tid: 0,
            _dir: dir,
        }
    }

    fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    fn out(&mut self, bytes: &[u8]) {
        assert_eq!(self.usb.bulk_out(self.now, bytes), OutStatus::Accepted);
    }

    fn read(&mut self, max: usize) -> Vec<u8> {
        match self.usb.transfer_in(BULK_IN, max) {
            InStatus::Data(b) => b.to_vec(),
            other => panic!("expected data, got {other:?}"),
        }
    }

    /// Reads one container the way libgphoto2 does: 1024 first, then multiples of 512.
    fn read_container(&mut self) -> Vec<u8> {
        let mut buf = self.read(1024);
        if buf.is_empty() {
            buf = self.read(1024);
        }
        let len = header(&buf).unwrap().0 as usize;
        while buf.len() < len {
            let left = len - buf.len();
            let ask = if left > 512 { left - left % 512 } else { left };
            let piece = self.read(ask.min(512 * 1024));
            assert!(!piece.is_empty(), "short container");
            buf.extend_from_slice(&piece);
        }
        buf
    }

    /// Runs a transaction; returns (response code, response params, data payload).
    fn run(&mut self, code: Op, params: &[u32], data: Option<&[u8]>) -> (Rc, Vec<u32>, Vec<u8>) {
        self.tid += 1;
        let tid = if code == Op::OPEN_SESSION {
            0
        } else {
            self.tid
        };
        self.out(&command(code, tid, params));
        if let Some(d) = data {
            let c = container::data(code, tid, d);
            // The libgphoto2 split: header + 1012 bytes, then 4096-byte writes, then a ZLP.
            let (first, rest) = c.split_at(c.len().min(1024));
            self.out(first);
            for chunk in rest.chunks(4096) {
                self.out(chunk);
            }
            if c.len().is_multiple_of(512) {
                self.out(&[]);
            }
        }
        let mut payload = Vec::new();
        let mut c = self.read_container();
        if let Ok(data) = DataContainer::parse(&Container::new_checked(&c).unwrap()) {
            assert_eq!(data.code, code.0, "data code");
            payload = data.payload.to_vec();
            c = self.read_container();
        }
        let response = response(&c);
        assert_eq!(response.transaction_id, tid);
        (Rc(response.code), response.params.to_vec(), payload)
    }

    fn control(&mut self, s: SetupPacket, data: &[u8]) -> ControlReply {
        self.usb.control(self.now, s, data)
    }
}

#[test]
fn descriptors_and_standard_requests() {
    let mut d = Dev::new(&[]);
    let ControlReply::Ok(dev) = d.control(setup(0x80, 6, 0x0100, 0, 64), &[]) else {
        panic!()
    };
    assert_eq!(dev.len(), 18);
    assert_eq!(&dev[8..12], &[0x09, 0x12, 0x01, 0x00]);
    // wLength cuts the configuration descriptor, as hosts read its first 9 bytes first.
    let ControlReply::Ok(cfg) = d.control(setup(0x80, 6, 0x0200, 0, 9), &[]) else {
        panic!()
    };
    assert_eq!(cfg.len(), 9);
    assert_eq!(u16::from_le_bytes([cfg[2], cfg[3]]), 39);
    let ControlReply::Ok(qual) = d.control(setup(0x80, 6, 0x0600, 0, 10), &[]) else {
        panic!()
    };
    assert_eq!(qual[1], 6);
    let ControlReply::Ok(langs) = d.control(setup(0x80, 6, 0x0300, 0, 255), &[]) else {
        panic!()
    };
    assert_eq!(langs, vec![4, 3, 9, 4]);
    assert_eq!(
        d.control(setup(0x80, 6, 0x03EE, 0, 255), &[]),
        ControlReply::Stall
    );
    assert_eq!(
        d.control(setup(0x80, 6, 0x0F00, 0, 255), &[]),
        ControlReply::Stall
    );
    assert_eq!(
        d.control(setup(0x80, 8, 0, 0, 1), &[]),
        ControlReply::Ok(vec![1])
    );
    assert_eq!(
        d.control(setup(0x00, 9, 1, 0, 0), &[]),
        ControlReply::Ok(vec![])
    );
    assert_eq!(d.control(setup(0x00, 9, 7, 0, 0), &[]), ControlReply::Stall);
    assert_eq!(
        d.control(setup(0x82, 0, 0, 0x81, 2), &[]),
        ControlReply::Ok(vec![0, 0])
    );
    assert_eq!(
        d.control(setup(0x82, 0, 0, 0x05, 2), &[]),
        ControlReply::Stall
    );
    assert_eq!(
        d.control(setup(0xC0, 0x99, 0, 4, 40), &[]),
        ControlReply::Stall
    );
    assert_eq!(
        d.control(setup(0x01, 11, 0, 0, 0), &[]),
        ControlReply::Ok(vec![])
    );
    assert_eq!(
        d.control(setup(0x01, 11, 1, 0, 0), &[]),
        ControlReply::Stall
    );
    assert_eq!(
        d.control(setup(0xA1, class_request::GET_DEVICE_STATUS, 0, 0, 64), &[]),
        ControlReply::Ok(vec![4, 0, 0x01, 0x20])
    );
}

#[test]
fn session_split_commands_zlp_and_short_packets() {
    // 1012 bytes: the data container is exactly 1024 bytes, a multiple of 512.
    let exact: Vec<u8> = (0..1012u32).map(|i| (i * 7) as u8).collect();
    let odd: Vec<u8> = (0..100_000u32).map(|i| (i * 13) as u8).collect();
    let mut d = Dev::new(&[("A.JPG", exact.clone()), ("B.JPG", odd.clone())]);
    assert_eq!(d.usb.transfer_in(BULK_IN, 512), InStatus::Pending);
    // OpenSession split over three transfers.
    let c = command(Op::OPEN_SESSION, 0, &[1]);
    d.out(&c[..3]);
    d.out(&c[3..13]);
    assert_eq!(d.usb.transfer_in(BULK_IN, 512), InStatus::Pending);
    d.out(&c[13..]);
    let r = d.read(1024);
    assert_eq!(r.len(), 12);
    assert_eq!(&r[4..8], &[3, 0, 0x01, 0x20]);
    assert_eq!(d.usb.transfer_in(BULK_IN, 512), InStatus::Pending);

    let (rc, _, handles) = d.run(Op::GET_OBJECT_HANDLES, &[0xFFFF_FFFF, 0, 0], None);
    assert_eq!(rc, Rc::OK);
    let handles: Vec<u32> = handles[4..]
        .chunks(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let mut by_size = std::collections::HashMap::new();
    let mut files = Vec::new();
    for &h in &handles {
        let (rc, params, info) = d.run(Op::GET_OBJECT_INFO, &[h], None);
        assert_eq!(rc, Rc::OK, "{params:?}");
        // Skip associations (folders).
        if u16::from_le_bytes([info[4], info[5]]) != 0x3001 {
            files.push(h);
        }
    }
    assert_eq!(files.len(), 2);
    for &h in &files {
        d.tid += 1;
        let tid = d.tid;
        d.out(&command(Op::GET_OBJECT, tid, &[h]));
        let first = d.read(1024);
        let len = header(&first).unwrap().0 as usize;
        by_size.insert(len - 12, h);
        if len == 1024 {
            // Exactly a full transfer: the ZLP comes as its own transfer, then the response.
            assert_eq!(first.len(), 1024);
            assert!(first[12..] == exact[..]);
            assert_eq!(
                d.read(1024).len(),
                0,
                "ZLP after a container of 2 × 512 bytes"
            );
        } else {
            let mut got = first[12..].to_vec();
            while got.len() + 12 < len {
                // A transfer never runs into the next container.
                let piece = d.read(512 * 1024);
                got.extend_from_slice(&piece);
            }
            assert_eq!(got.len() + 12, len, "transfers stop at the container end");
            assert!(got == odd, "bytes differ");
        }
        let resp = d.read(1024);
        assert_eq!(resp.len(), 12);
        assert_eq!(&resp[4..8], &[3, 0, 0x01, 0x20]);
    }
    assert!(by_size.contains_key(&1012) && by_size.contains_key(&100_000));
}

#[test]
fn events_on_the_interrupt_endpoint() {
    let mut d = Dev::new(&[]);
    assert_eq!(d.run(Op::OPEN_SESSION, &[1], None).0, Rc::OK);
    assert_eq!(d.usb.transfer_in(INTR, 64), InStatus::Pending);
    assert_eq!(d.run(Op::INITIATE_CAPTURE, &[0, 0], None).0, Rc::OK);
    // The capture completes on a timer.
    for _ in 0..50 {
        if d.usb.has_in_data(INTR) {
            break;
        }
        d.now += Duration::from_millis(100);
        d.usb.handle_timeout(d.now);
    }
    let mut codes = Vec::new();
    while let InStatus::Data(ev) = d.usb.transfer_in(INTR, 64) {
        let event = Container::new_checked(&ev).unwrap();
        assert_eq!(event.kind(), ContainerKind::EVENT, "event container");
        assert_eq!(event.len(), ev.len());
        codes.push(EventCode(event.code()));
    }
    assert!(codes.contains(&EventCode::OBJECT_ADDED), "{codes:?}");
    assert!(codes.contains(&EventCode::CAPTURE_COMPLETE), "{codes:?}");
    let ControlReply::Ok(ext) = d.control(
        setup(0xA1, class_request::GET_EXTENDED_EVENT_DATA, 0, 0, 64),
        &[],
    ) else {
        panic!()
    };
    assert_eq!(
        u16::from_le_bytes([ext[0], ext[1]]),
        codes.last().unwrap().0
    );
}

#[test]
fn cancel_mid_transfer_and_status() {
    let big: Vec<u8> = vec![0x5A; 3_000_000];
    let mut d = Dev::new(&[("BIG.JPG", big)]);
    assert_eq!(d.run(Op::OPEN_SESSION, &[1], None).0, Rc::OK);
    let (_, _, handles) = d.run(Op::GET_OBJECT_HANDLES, &[0xFFFF_FFFF, 0, 0], None);
    let h = u32::from_le_bytes(handles[handles.len() - 4..].try_into().unwrap());
    d.tid += 1;
    let tid = d.tid;
    d.out(&command(Op::GET_OBJECT, tid, &[h]));
    assert_eq!(d.read(1024).len(), 1024);
    let ControlReply::Ok(status) =
        d.control(setup(0xA1, class_request::GET_DEVICE_STATUS, 0, 0, 64), &[])
    else {
        panic!()
    };
    assert_eq!(
        &status[2..4],
        &[0x19, 0x20],
        "DeviceBusy during the transfer"
    );
    let mut cancel = vec![0x01, 0x40];
    cancel.extend_from_slice(&tid.to_le_bytes());
    assert_eq!(
        d.control(setup(0x21, class_request::CANCEL, 0, 0, 6), &cancel),
        ControlReply::Ok(vec![])
    );
    let ControlReply::Ok(status) =
        d.control(setup(0xA1, class_request::GET_DEVICE_STATUS, 0, 0, 64), &[])
    else {
        panic!()
    };
    assert_eq!(&status[2..4], &[0x01, 0x20]);
    assert_eq!(
        d.usb.transfer_in(BULK_IN, 512),
        InStatus::Pending,
        "nothing left of the cancelled transfer"
    );
    assert_eq!(
        d.run(Op::GET_STORAGE_IDS, &[], None).0,
        Rc::OK,
        "session still open"
    );
    // A container of a type the host may not send halts bulk OUT until the host clears it.
    let mut response = [0u8; HEADER_LEN];
    ContainerRepr::response(Rc::OK, 0, [])
        .emit(&mut response)
        .unwrap();
    assert_eq!(d.usb.bulk_out(d.now, &response), OutStatus::Stall);
    assert_eq!(
        d.control(setup(0x82, 0, 0, 0x02, 2), &[]),
        ControlReply::Ok(vec![1, 0])
    );
    assert_eq!(d.usb.bulk_out(d.now, &[]), OutStatus::Stall);
    assert_eq!(
        d.control(setup(0x02, 1, 0, 0x02, 0), &[]),
        ControlReply::Ok(vec![])
    );
    assert_eq!(d.run(Op::GET_STORAGE_IDS, &[], None).0, Rc::OK);
    // Device Reset closes the session.
    assert_eq!(
        d.control(setup(0x21, class_request::DEVICE_RESET, 0, 0, 0), &[]),
        ControlReply::Ok(vec![])
    );
    assert_eq!(
        d.run(Op::GET_STORAGE_IDS, &[], None).0,
        Rc::SESSION_NOT_OPEN
    );
}

#[test]
fn upload_through_bulk_out() {
    let mut d = Dev::new(&[]);
    assert_eq!(d.run(Op::OPEN_SESSION, &[1], None).0, Rc::OK);
    let payload: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    // ObjectInfo: storage, format EXIF/JPEG, protection, size, thumb..., filename.
    let mut info = Vec::new();
    info.extend_from_slice(&0u32.to_le_bytes());
    info.extend_from_slice(&0x3801u16.to_le_bytes());
    info.extend_from_slice(&0u16.to_le_bytes());
    info.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    info.extend_from_slice(&[0; 2 + 4 * 7 + 2 + 4 + 4]);
    let name: Vec<u16> = "UP.JPG\0".encode_utf16().collect();
    info.push(name.len() as u8);
    for u in name {
        info.extend_from_slice(&u.to_le_bytes());
    }
    info.extend_from_slice(&[0, 0, 0]);
    let (rc, params, _) = d.run(
        Op::SEND_OBJECT_INFO,
        &[0x0001_0001, 0xFFFF_FFFF],
        Some(&info),
    );
    assert_eq!(rc, Rc::OK, "{params:?}");
    let (rc, _, _) = d.run(Op::SEND_OBJECT, &[], Some(&payload));
    assert_eq!(rc, Rc::OK);
    let found: Vec<_> = walk(d.dir())
        .into_iter()
        .filter(|p| p.ends_with("UP.JPG"))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        fs::read(&found[0]).unwrap() == payload,
        "uploaded bytes differ"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
