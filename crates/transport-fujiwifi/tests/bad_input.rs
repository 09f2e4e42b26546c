//! Bad input gets the real body's refusal or a clean close, and the next client is served:
//! inits of the wrong length, type or magic, a second client while one is connected, clients
//! the pairing refuses (a new client, a changed name, the owner refusing or taking a while),
//! disconnects on the command, event and live view ports at any byte.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::{
    APP_GUID, Body, Client, DEVICE_BUSY, OK, closed, connect, read_frame, read_packet, u32_at,
};
use ptp_codec::OperationCode as Op;
use transport_fujiwifi::init::{INIT_MAGIC, init_request};
use vcam_core::pairing::{AcceptPolicy, ClientId, Pairing};
use vcam_fuji::Face;

/// Init Fail with `reason`.
fn is_fail(packet: &[u8], reason: u32) -> bool {
    packet.len() == 12 && u32_at(packet, 4) == 5 && u32_at(packet, 8) == reason
}

fn is_ack(packet: &[u8]) -> bool {
    packet.len() == 68 && u32_at(packet, 4) == 2
}

/// A client is served: init, OpenSession, a property.
fn served(body: &Body, guid: [u8; 16], name: &str) {
    let mut c = Client::open(body.ports, guid, name);
    assert_eq!(c.get(0xDF00), (OK, vec![6, 0]));
}

#[test]
fn inits_of_the_wrong_length_type_or_magic() {
    let body = Body::accepting();
    // Another length: the body closes the connection without a word (X-T4, fujiptpip.c).
    for len in [0u32, 12, 80, 83, 0xFFFF_FFFF] {
        let mut s = connect(body.ports.command);
        let mut p = init_request(APP_GUID, "app", INIT_MAGIC).to_vec();
        p[..4].copy_from_slice(&len.to_le_bytes());
        s.write_all(&p).unwrap();
        assert!(closed(&mut s), "length {len}");
    }
    // The right length and another packet type: closed too.
    let mut s = connect(body.ports.command);
    let mut p = init_request(APP_GUID, "app", INIT_MAGIC);
    p[4] = 3;
    s.write_all(&p).unwrap();
    assert!(closed(&mut s));
    // A wrong magic: Init Fail 0x201D, and the connection stays for a retry.
    let mut c = Client::connect(body.ports);
    c.cmd
        .write_all(&init_request(APP_GUID, "app", 0x0001_0000))
        .unwrap();
    assert!(is_fail(&read_packet(&mut c.cmd), 0x201D));
    assert!(is_ack(&c.init(APP_GUID, "app")));
    assert_eq!(c.run(Op::OPEN_SESSION, &[1]).code(), OK);
    drop(c);
    // Half an init, then gone.
    let mut s = connect(body.ports.command);
    s.write_all(&init_request(APP_GUID, "app", INIT_MAGIC)[..40])
        .unwrap();
    drop(s);
    served(&body, APP_GUID, "app");
}

#[test]
fn a_second_client_while_one_is_connected_and_pairing_refusals() {
    let body = Body::accepting();
    let mut first = Client::open(body.ports, APP_GUID, "phone");
    // Another client while the first is connected: busy.
    let mut second = Client::connect(body.ports);
    assert!(is_fail(&second.init([9; 16], "laptop"), DEVICE_BUSY));
    assert_eq!(
        first.get(0xDF00),
        (OK, vec![6, 0]),
        "the first is still served"
    );
    drop(first);
    // The body is paired with the first: the second is refused once ("change" on the body),
    // then accepted on its retry, as libgphoto2 retries.
    assert!(is_fail(&second.init([9; 16], "laptop"), DEVICE_BUSY));
    assert!(is_ack(&second.init([9; 16], "laptop")));
    assert_eq!(second.run(Op::OPEN_SESSION, &[1]).code(), OK);
    drop(second);
    // The same GUID under another name is refused the same way.
    let mut renamed = Client::connect(body.ports);
    assert!(is_fail(&renamed.init([9; 16], "renamed"), DEVICE_BUSY));
    assert!(is_ack(&renamed.init([9; 16], "renamed")));
    drop(renamed);
    served(&body, [9; 16], "renamed");
}

#[test]
fn the_owner_refuses_or_takes_a_while() {
    let refusing = Body::start(
        Face::Wifi,
        Pairing::new(AcceptPolicy::Refuse).checking_names(),
    );
    let mut c = Client::connect(refusing.ports);
    for _ in 0..3 {
        assert!(is_fail(&c.init(APP_GUID, "app"), DEVICE_BUSY));
    }
    // Paired already, under another name: the refusing owner never presses "change".
    let paired = Body::start(
        Face::Wifi,
        Pairing::new(AcceptPolicy::Refuse)
            .checking_names()
            .paired_with(ClientId::new(APP_GUID, "app")),
    );
    let mut c = Client::connect(paired.ports);
    assert!(is_fail(&c.init(APP_GUID, "other"), DEVICE_BUSY));
    assert!(is_fail(&c.init(APP_GUID, "other"), DEVICE_BUSY));
    assert!(is_ack(&c.init(APP_GUID, "app")));
    drop(c);
    // An owner who takes a while: the ack comes when they accept.
    let slow = Body::start(
        Face::Wifi,
        Pairing::new(AcceptPolicy::Delay(Duration::from_millis(300))).checking_names(),
    );
    let mut c = Client::connect(slow.ports);
    assert!(is_ack(&c.init(APP_GUID, "app")));
    assert_eq!(c.run(Op::OPEN_SESSION, &[1]).code(), OK);
}

/// One client's bytes for a whole session: init, OpenSession, ClientState, a property with its
/// data phase, GetObject of a card file, CloseSession.
fn session_script() -> Vec<u8> {
    let mut wire = init_request(APP_GUID, "app", INIT_MAGIC).to_vec();
    wire.extend(vcam_testkit::usb::command(Op::OPEN_SESSION, 0, &[1]));
    wire.extend(vcam_testkit::usb::command(
        Op::SET_DEVICE_PROP_VALUE,
        1,
        &[0xDF01],
    ));
    wire.extend(vcam_testkit::usb::data(
        Op::SET_DEVICE_PROP_VALUE,
        1,
        &[5, 0],
    ));
    wire.extend(vcam_testkit::usb::command(
        Op::GET_DEVICE_PROP_VALUE,
        2,
        &[0xD212],
    ));
    wire.extend(vcam_testkit::usb::command(
        Op::GET_OBJECT_HANDLES,
        3,
        &[0xFFFF_FFFF, 0, 0],
    ));
    wire.extend(vcam_testkit::usb::command(Op::CLOSE_SESSION, 4, &[]));
    wire
}

#[test]
fn a_command_connection_cut_at_any_byte_leaves_the_body_serving() {
    let body = Body::accepting();
    let script = session_script();
    for cut in 0..=script.len() {
        let mut s = connect(body.ports.command);
        s.write_all(&script[..cut]).unwrap();
        // Drain whatever was answered, so the body is not stuck on a full socket.
        s.shutdown(std::net::Shutdown::Write).unwrap();
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink);
        if cut % 16 == 0 || cut == script.len() {
            served(&body, APP_GUID, "app");
        }
    }
    // Cut in the middle of a data phase the body sends.
    let mut c = Client::open(body.ports, APP_GUID, "app");
    let handles = c
        .run(Op::GET_OBJECT_HANDLES, &[0xFFFF_FFFF, 0, 0])
        .payload();
    let last = u32_at(&handles, 4 + 4 * (u32_at(&handles, 0) as usize - 1));
    c.send(Op::GET_OBJECT, &[last], None);
    let mut part = [0u8; 20];
    c.cmd.read_exact(&mut part).unwrap();
    drop(c);
    served(&body, APP_GUID, "app");
}

#[test]
fn event_and_live_view_connections_cut_at_any_byte() {
    let body = Body::accepting();
    let mut c = Client::open(body.ports, APP_GUID, "app");
    assert_eq!(c.run(Op::INITIATE_OPEN_CAPTURE, &[0, 0]).code(), OK);
    // Live view: read part of a frame, leave, come back; frames keep coming whole.
    for cut in [0usize, 3, 4, 17, 18, 19, 500] {
        let mut video = connect(body.ports.liveview);
        let mut part = vec![0u8; cut];
        video.read_exact(&mut part).unwrap();
        drop(video);
        let mut video = connect(body.ports.liveview);
        let (_, jpeg) = read_frame(&mut video);
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    }
    // A reader that stops reading does not stop the command connection.
    let _stalled = connect(body.ports.liveview);
    for _ in 0..20 {
        assert_eq!(c.get(0xDF00), (OK, vec![6, 0]));
        std::thread::sleep(Duration::from_millis(20));
    }
    // Events: leave in the middle of one, come back, events go on.
    let mut events = connect(body.ports.event);
    assert_eq!(c.run(Op::INITIATE_CAPTURE, &[0, 0]).code(), OK);
    let mut part = [0u8; 6];
    events.read_exact(&mut part).unwrap();
    drop(events);
    let mut events = connect(body.ports.event);
    assert!(!c.events().is_empty());
    assert_eq!(c.run(Op::INITIATE_CAPTURE, &[0, 0]).code(), OK);
    // Events the first connection did not deliver come first, then the second capture's.
    let mut codes = Vec::new();
    while !codes.contains(&0xC004) {
        assert!(codes.len() < 8, "no 0xC004 among {codes:04x?}");
        let e = common::Container::parse(&read_packet(&mut events));
        assert_eq!(e.kind, 4, "an event container");
        codes.push(e.code);
    }
    drop(c);
    // The session's ports close with it (after the events still on their way).
    let mut rest = Vec::new();
    events.read_to_end(&mut rest).unwrap();
    served(&body, APP_GUID, "app");
}
