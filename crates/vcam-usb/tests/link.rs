//! The transport-neutral container link: any split in, container boundaries out, and the
//! Fujifilm WiFi behaviours (an empty data container before a data-in error, the goodbye
//! packet).
#![allow(clippy::unwrap_used, clippy::panic)]

use vcam_core::ptp_types::ptp_codec::container::{HEADER_LEN, emit_data_header};
use vcam_core::ptp_types::ptp_codec::{Container, ContainerHeader, ContainerKind};
use vcam_core::ptp_types::{OperationCode as Op, ResponseCode as Rc};
use vcam_testkit::cam::start_time as now;
use vcam_testkit::usb::{command, data};
use vcam_usb::{ContainerLink, FUJI_GOODBYE, LinkConfig, LinkError, Pushed};

struct Link {
    link: ContainerLink,
    _card: tempfile::TempDir,
}

impl std::ops::Deref for Link {
    type Target = ContainerLink;
    fn deref(&self) -> &ContainerLink {
        &self.link
    }
}

impl std::ops::DerefMut for Link {
    fn deref_mut(&mut self) -> &mut ContainerLink {
        &mut self.link
    }
}

fn link(config: LinkConfig) -> Link {
    let card = tempfile::tempdir().unwrap();
    let responder = vcam_testkit::camera("generic", card.path(), (160, 120));
    Link {
        link: ContainerLink::new(responder, config),
        _card: card,
    }
}

/// Every container the link has to send, whole.
fn drain(link: &mut ContainerLink) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    while let Some(chunk) = link.pull_in(usize::MAX).unwrap() {
        assert_eq!(chunk.first, cur.is_empty());
        cur.extend_from_slice(&chunk.bytes);
        if chunk.last {
            assert_eq!(cur.len() as u64, chunk.container_len);
            out.push(std::mem::take(&mut cur));
        }
    }
    assert!(cur.is_empty());
    out
}

fn kind_code(c: &[u8]) -> (u16, u16) {
    let view = Container::new_checked(c).unwrap();
    (view.kind().0, view.code())
}

#[test]
fn fuji_wifi_sends_an_empty_data_container_before_an_error() {
    for (config, expected) in [
        (LinkConfig::USB, vec![(3, Rc::DEVICE_PROP_NOT_SUPPORTED.0)]),
        (
            LinkConfig::FUJI_WIFI,
            vec![
                (2, Op::GET_DEVICE_PROP_DESC.0),
                (3, Rc::DEVICE_PROP_NOT_SUPPORTED.0),
            ],
        ),
    ] {
        let mut l = link(config);
        let _ = l.push(now(), &command(Op::OPEN_SESSION, 0, &[1])).unwrap();
        assert_eq!(drain(&mut l).len(), 1);
        // A property the generic camera does not have: an error and no data.
        let _ = l
            .push(now(), &command(Op::GET_DEVICE_PROP_DESC, 1, &[0xD0FF]))
            .unwrap();
        let got = drain(&mut l);
        assert_eq!(
            got.iter().map(|c| kind_code(c)).collect::<Vec<_>>(),
            expected,
            "{config:?}"
        );
        assert!(got.iter().all(|c| c.len() == HEADER_LEN));
        // A data-in operation that succeeds has one data container, and an operation
        // without a data-in phase never gets one.
        let _ = l
            .push(now(), &command(Op::GET_STORAGE_IDS, 2, &[]))
            .unwrap();
        let kinds: Vec<_> = drain(&mut l).iter().map(|c| kind_code(c).0).collect();
        assert_eq!(kinds, [2, 3]);
        let _ = l
            .push(now(), &command(Op::DELETE_OBJECT, 3, &[0x7777]))
            .unwrap();
        let kinds: Vec<_> = drain(&mut l).iter().map(|c| kind_code(c).0).collect();
        assert_eq!(kinds, [3]);
    }
}

#[test]
fn fuji_goodbye_only_when_configured() {
    let mut l = link(LinkConfig::FUJI_WIFI);
    let mut wire = command(Op::OPEN_SESSION, 0, &[1]);
    wire.extend_from_slice(&FUJI_GOODBYE);
    wire.extend_from_slice(b"ignored");
    let (a, b) = wire.split_at(18);
    assert_eq!(l.push(now(), a).unwrap(), Pushed::default());
    assert!(l.push(now(), b).unwrap().goodbye);
    assert_eq!(drain(&mut l).len(), 1);
    let mut usb = link(LinkConfig::USB);
    assert!(matches!(
        usb.push(now(), &FUJI_GOODBYE),
        Err(LinkError::Decode(_))
    ));
}

#[test]
fn data_in_any_split_and_refusals() {
    let mut l = link(LinkConfig::USB);
    let _ = l.push(now(), &command(Op::OPEN_SESSION, 0, &[1])).unwrap();
    drain(&mut l);
    // SetDevicePropValue(DateTime) with its data split byte by byte.
    let mut wire = command(Op::SET_DEVICE_PROP_VALUE, 1, &[0x5011]);
    let value: Vec<u8> = std::iter::once(16u8)
        .chain(
            "20260102T030405"
                .encode_utf16()
                .chain([0])
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    wire.extend_from_slice(&data(Op::SET_DEVICE_PROP_VALUE, 1, &value));
    for byte in &wire {
        let _ = l.push(now(), std::slice::from_ref(byte)).unwrap();
    }
    let got = drain(&mut l);
    assert_eq!(got.len(), 1);
    assert_eq!(kind_code(&got[0]), (3, Rc::OK.0));
    // Unknown-length data, a response container and a 40-byte command are refused.
    let mut unknown = [0u8; HEADER_LEN];
    emit_data_header(&mut unknown, 0x100D, 2, None).unwrap();
    assert!(matches!(
        l.push(now(), &unknown),
        Err(LinkError::UnknownLength { transaction_id: 2 })
    ));
    let response = ContainerHeader::new(12, ContainerKind::RESPONSE, Op::GET_STORAGE_IDS.0, 2);
    assert!(matches!(
        l.push(now(), response.as_bytes()),
        Err(LinkError::UnexpectedKind { .. })
    ));
    // A command header claiming 40 bytes: room for seven parameters, where at most five fit.
    let long = ContainerHeader::new(40, ContainerKind::COMMAND, Op::GET_STORAGE_IDS.0, 2);
    let mut long = long.as_bytes().to_vec();
    long.extend((1..=5u32).flat_map(u32::to_le_bytes));
    assert!(l.push(now(), &long).is_err());
    assert!(!l.is_busy());
}
