//! The official app's session over the three ports, replayed from the public byte dumps (hkr
//! fuji-cam-wifi-tool `lib/src/commands.cpp`, fudge `lib/fuji.c` `fuji_setup`, which mirrors the
//! app; docs/reference/vendors-wifi-sony-fuji.md §3.1), with every answer checked field by
//! field: the 68-byte ack, the event list until CameraState ≠ 0, ClientState 5 as a `u16`, the
//! version handshake, 0xFFFFFFF1, the property catalogue, remote mode with its event and live
//! view ports, a capture with its X-T1 events and preview, the goodbye.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;

use common::{
    APP_GUID, Body, Client, Container, OK, closed, connect, read_frame, read_packet, u32_at,
};
use ptp_codec::{Decode as _, OperationCode as Op};
use vcam_fuji::records::PropCatalogue;

#[test]
fn the_official_apps_session_gets_a_real_bodys_answers() {
    let body = Body::accepting();
    let mut app = Client::connect(body.ports);

    // The app's init (GUID and name as hkr's registration message writes them).
    let ack = app.init(APP_GUID, "CameraClient");
    assert_eq!(ack.len(), 68, "real bodies ack with 68 bytes");
    assert_eq!(u32_at(&ack, 0), 0x44);
    assert_eq!(u32_at(&ack, 4), 2, "Init Command Ack");
    assert_eq!(u32_at(&ack, 8), 0, "connection number");
    let (model, _) = vcam_fuji::fuji_xh1(vcam_fuji::Face::Wifi);
    assert_eq!(&ack[12..28], &model.ptpip.guid);
    let name: Vec<u16> = ack[28..]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .take_while(|&u| u != 0)
        .collect();
    assert_eq!(String::from_utf16(&name).unwrap(), "X-H1");
    assert!(
        ack[28 + 2 * name.len()..].iter().all(|&b| b == 0),
        "NUL-terminated, zero-padded"
    );

    // OpenSession: a bare response container.
    let tid = app.send(Op::OPEN_SESSION, &[1], None);
    let bytes = read_packet(&mut app.cmd);
    assert_eq!(bytes.len(), 12);
    let r = Container::parse(&bytes);
    assert_eq!((r.kind, r.code, r.tid), (3, OK, tid));

    // Poll the event list until CameraState is not 0; the list carries the object count.
    let first = loop {
        let list = app.events();
        if list.iter().any(|&(code, v)| code == 0xDF00 && v != 0) {
            break list;
        }
    };
    assert!(first.contains(&(0xDF00, 6)), "{first:?}");
    assert!(first.contains(&(0xD222, 3)), "{first:?}");

    // fudge's fuji_config_init_mode: the versions, each a u32 in one data container.
    for (prop, value) in [
        (0xDF22u16, 4u32),
        (0xDF25, 4),
        (0xDF21, 3),
        (0xDF24, 0x0002_0006),
    ] {
        let tid = app.send(Op::GET_DEVICE_PROP_VALUE, &[u32::from(prop)], None);
        let a = app.answer(tid);
        assert_eq!(a.data.len(), 1);
        assert_eq!(
            (a.data[0].kind, a.data[0].code, &a.data[0].payload[..]),
            (2, 0x1015, &value.to_le_bytes()[..]),
            "{prop:#x}"
        );
        assert_eq!(a.code(), OK);
    }
    // ClientState 5 (remote), written as hkr's two-part message: a u16.
    let tid = app.send(Op::SET_DEVICE_PROP_VALUE, &[0xDF01], Some(&[5, 0]));
    let a = app.answer(tid);
    assert!(a.data.is_empty());
    assert_eq!(a.code(), OK);
    assert!(app.events().contains(&(0xDF01, 5)));
    // The version handshake: the app writes its own version, then asks about 0xFFFFFFF1.
    assert_eq!(app.set(0xDF24, &0x0002_000Cu32.to_le_bytes()), OK);
    let tid = app.send(Op::GET_OBJECT_INFO, &[0xFFFF_FFF1], None);
    let a = app.answer(tid);
    assert_eq!(a.data.len(), 1, "an empty data container before the error");
    assert_eq!((a.data[0].code, a.data[0].payload.len()), (0x1008, 0));
    assert_eq!(a.code(), 0x2009, "X-T4 and X-T5 answer InvalidObjectHandle");

    // The property catalogue: u32 n, then n records of u32 size + DevicePropDesc.
    let a = app.run(Op(0x902B), &[]);
    assert_eq!(a.code(), OK);
    let data = a.payload();
    let catalogue = PropCatalogue::decode_exact(&data).unwrap();
    assert_eq!(u32_at(&data, 0) as usize, catalogue.entries.len());
    let mut at = 4;
    for entry in &catalogue.entries {
        let size = u32_at(&data, at) as usize;
        assert_eq!(
            size,
            4 + ptp_codec::Encode::to_bytes(entry).len(),
            "record size of {:?}",
            entry.code()
        );
        at += size;
    }

    // Remote mode: the event and live view ports refuse connections until InitiateOpenCapture,
    // then listen before its response arrives, in any order.
    assert!(std::net::TcpStream::connect(("127.0.0.1", body.ports.event)).is_err());
    assert_eq!(
        app.events(),
        [(0xDF24, 0x0002_000C)],
        "the version the app wrote"
    );
    let open = app.send(Op::INITIATE_OPEN_CAPTURE, &[0, 0], None);
    assert_eq!(app.answer(open).code(), OK);
    let mut video = connect(body.ports.liveview);
    let mut events = connect(body.ports.event);
    let burst = app.events();
    assert_eq!(burst.len(), 21, "the remote-mode burst: {burst:?}");
    assert_eq!(burst[0].0, 0xD21B);
    assert_eq!(app.run(Op::TERMINATE_OPEN_CAPTURE, &[open]).code(), OK);
    assert_eq!(app.events().len(), 21, "the burst again");

    // Live view frames: u32 length | 12 zero bytes, 01 8A | a whole JPEG, continuously.
    let mut previous = Vec::new();
    for _ in 0..3 {
        let (head, jpeg) = read_frame(&mut video);
        assert_eq!(head, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x8A]);
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
        assert_eq!(&jpeg[jpeg.len() - 2..], &[0xFF, 0xD9]);
        assert_eq!(
            image::load_from_memory(&jpeg)
                .unwrap()
                .to_rgb8()
                .dimensions(),
            (160, 120)
        );
        assert_ne!(jpeg, previous);
        previous = jpeg;
    }

    // A shot: ObjectAdded and PreviewAvailable as an X-T1 sends them on the event port, the
    // preview through 0x9022, then CaptureComplete.
    let shot = app.send(Op::INITIATE_CAPTURE, &[0, 0], None);
    assert_eq!(app.answer(shot).code(), OK);
    let added = read_packet(&mut events);
    assert_eq!(added.len(), 0x1C);
    let added = Container::parse(&added);
    assert_eq!((added.kind, added.code, added.tid), (4, 0xC004, 1));
    let handle = added.params()[0];
    assert_eq!(added.params(), [handle, shot, 0, 0]);
    let preview = Container::parse(&read_packet(&mut events));
    assert_eq!((preview.kind, preview.code, preview.tid), (4, 0xC001, 1));
    let size = preview.params()[2];
    let a = app.run(Op(0x9022), &[]);
    assert_eq!(a.code(), OK);
    assert_eq!(a.payload().len() as u32, size);
    // (DevicePropChanged of the shot counter and the AF status may come first.)
    let complete = loop {
        let e = Container::parse(&read_packet(&mut events));
        if e.code != 0x4006 {
            break e;
        }
    };
    assert_eq!(
        (complete.kind, complete.code, complete.tid),
        (4, 0x400D, shot)
    );
    // No preview waits now: an empty data container, then AccessDenied (a vendor data-in
    // operation, so ContainerLink asks the responder's table).
    let a = app.run(Op(0x9022), &[]);
    assert_eq!(a.data.len(), 1);
    assert!(a.data[0].payload.is_empty());
    assert_eq!(a.code(), 0x200F);
    // The new picture can be read.
    let a = app.run(Op::GET_OBJECT, &[handle]);
    assert_eq!(a.code(), OK);
    assert_eq!(&a.payload()[..2], &[0xFF, 0xD8]);

    // CloseSession and the goodbye packet: the body closes cleanly, and serves the next client.
    assert_eq!(app.run(Op::CLOSE_SESSION, &[]).code(), OK);
    app.cmd
        .write_all(&[8, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])
        .unwrap();
    assert!(closed(&mut app.cmd));
    assert!(closed(&mut events));
    let mut next = Client::open(body.ports, APP_GUID, "CameraClient");
    assert_eq!(next.get(0xDF00), (OK, vec![6, 0]));
}

#[test]
fn libgphoto2s_init_twice_and_its_ports() {
    let body = Body::accepting();
    let mut c = Client::connect(body.ports);
    // libgphoto2 sends the request twice on one connection (fujiptpip.c).
    for _ in 0..2 {
        let ack = c.init([7; 16], "gphoto-host");
        assert_eq!((ack.len(), u32_at(&ack, 4)), (68, 2));
    }
    assert_eq!(c.run(Op::OPEN_SESSION, &[1]).code(), OK);
    assert_eq!(c.set(0xDF01, &5u16.to_le_bytes()), OK);
    let (code, v) = c.get(0xDF24);
    assert_eq!(code, OK);
    assert_eq!(c.set(0xDF24, &v), OK);
    let open = c.run(Op::INITIATE_OPEN_CAPTURE, &[0, 0]);
    assert_eq!(open.code(), OK);
    // Event port first, then the JPEG port (fujiptpip.c ptp_fujiptpip_init_event).
    let _events = connect(body.ports.event);
    let mut video = connect(body.ports.liveview);
    let a = c.run(Op::GET_DEVICE_INFO, &[]);
    let info = vcam_core::ptp_types::DeviceInfo::decode_exact(&a.payload()).unwrap();
    assert_eq!(info.vendor_extension_id, 0x0E);
    let (_, jpeg) = read_frame(&mut video);
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    // A data-in operation that fails gets an empty data container before its response.
    let a = c.run(Op::GET_DEVICE_PROP_DESC, &[0x5001]);
    assert_eq!(a.data.len(), 1);
    assert_eq!((a.data[0].code, a.data[0].payload.len()), (0x1014, 0));
    assert_eq!(a.code(), 0x200A);
}
