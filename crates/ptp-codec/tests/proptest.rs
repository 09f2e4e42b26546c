//! Property tests: `parse(emit(x)) == x` for parameter and data containers, every PTP/IP
//! packet, strings, dates and arrays; the stream decoders give the same frames whatever the
//! split; a frame claiming more than the limit is an error (or streamed, for data); arbitrary
//! bytes never panic any decoder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use ptp_codec::ptpip::{DataPhase, Guid, Identity, InitFailReason, Packet, PacketType};
use ptp_codec::stream::{Decoded, Framing, PtpIp, StreamDecoder, Usb};
use ptp_codec::{
    Container, ContainerKind, ContainerRepr, DataContainer, DateTime, Decode, DecodeError, Encode,
    EventCode, OperationCode, Params, PtpString, Reader, ResponseCode, TimeZone, read_datetime,
    read_string,
};

fn params() -> impl Strategy<Value = Vec<u32>> {
    proptest::collection::vec(any::<u32>(), 0..=5)
}

fn ptp_string() -> impl Strategy<Value = String> {
    // Any characters but NUL (the terminator), up to the 254 units a PTP string can hold.
    proptest::collection::vec(any::<char>().prop_filter("no NUL", |c| *c != '\0'), 0..60)
        .prop_map(|v| v.into_iter().collect::<String>())
        .prop_filter("fits 254 UTF-16 units", |s| s.encode_utf16().count() <= 254)
}

fn datetime() -> impl Strategy<Value = DateTime> {
    (
        // Every field over the whole range the parser accepts (it does not check the day
        // against the month, and allows a leap second).
        0u16..=9999,
        1u8..=12,
        1u8..=31,
        0u8..=23,
        0u8..=59,
        0u8..=60,
        proptest::option::of(0u8..=9),
        proptest::option::of(prop_oneof![
            Just(TimeZone::Utc),
            (-1439i16..=1439).prop_map(TimeZone::Offset)
        ]),
    )
        .prop_map(
            |(year, month, day, hour, minute, second, tenths, zone)| DateTime {
                year,
                month,
                day,
                hour,
                minute,
                second,
                tenths,
                zone,
            },
        )
}

fn packet() -> impl Strategy<Value = (u8, u32, u32, Vec<u32>, [u8; 16], String, Vec<u8>)> {
    (
        0u8..15,
        any::<u32>(),
        any::<u32>(),
        params(),
        any::<[u8; 16]>(),
        ptp_string(),
        proptest::collection::vec(any::<u8>(), 0..2000),
    )
}

fn build(p: &(u8, u32, u32, Vec<u32>, [u8; 16], String, Vec<u8>)) -> Option<Packet<'_>> {
    let (kind, a, b, ps, guid, name, payload) = p;
    let params = Params::new(ps).unwrap();
    let identity = Identity {
        guid: Guid(*guid),
        friendly_name: name.clone(),
        protocol_version: *a,
    };
    Some(match kind {
        0 => Packet::InitCommandRequest(identity),
        1 => Packet::InitCommandAck {
            connection_number: *b,
            identity,
        },
        2 => Packet::InitEventRequest {
            connection_number: *a,
        },
        3 => Packet::InitEventAck,
        4 => Packet::InitFail {
            reason: InitFailReason(*a),
        },
        5 => Packet::OperationRequest {
            data_phase: DataPhase(*b),
            code: OperationCode(*a as u16),
            transaction_id: *b,
            params,
        },
        6 => Packet::OperationResponse {
            code: ResponseCode(*a as u16),
            transaction_id: *b,
            params,
        },
        7 => Packet::Event {
            code: EventCode(*a as u16),
            transaction_id: *b,
            params,
        },
        8 => Packet::StartData {
            transaction_id: *a,
            total_length: u64::from(*b) << 8,
        },
        9 => Packet::Data {
            transaction_id: *a,
            payload,
        },
        10 => Packet::Cancel { transaction_id: *a },
        11 => Packet::EndData {
            transaction_id: *a,
            payload,
        },
        12 => Packet::ProbeRequest,
        13 => Packet::ProbeResponse,
        // Any type but the fourteen known ones (0 included) is kept as Unknown.
        _ => Packet::Unknown {
            packet_type: PacketType(if (1..=14).contains(a) { a + 0x100 } else { *a }),
            payload,
        },
    })
}

fn emit(p: &Packet<'_>) -> Vec<u8> {
    let mut out = vec![0u8; p.buffer_len()];
    let n = p.emit(&mut out).unwrap();
    out.truncate(n);
    out
}

fn emit_container(c: &Frame) -> Vec<u8> {
    let mut buf;
    let n = match c {
        Frame::Params(repr) => {
            buf = vec![0u8; repr.buffer_len()];
            repr.emit(&mut buf).unwrap()
        }
        Frame::Data(code, tid, payload) => {
            let data = DataContainer {
                code: *code,
                transaction_id: *tid,
                payload,
            };
            buf = vec![0u8; data.buffer_len()];
            data.emit(&mut buf).unwrap()
        }
    };
    buf.truncate(n);
    buf
}

/// A USB container to put on the wire.
#[derive(Debug, Clone)]
enum Frame {
    Params(ContainerRepr),
    Data(u16, u32, Vec<u8>),
}

fn repr() -> impl Strategy<Value = ContainerRepr> {
    (0u8..3, any::<u16>(), any::<u32>(), params()).prop_map(|(kind, code, tid, ps)| {
        let ps = Params::new(&ps).unwrap();
        match kind {
            0 => ContainerRepr::command(OperationCode(code), tid, ps),
            1 => ContainerRepr::response(ResponseCode(code), tid, ps),
            _ => ContainerRepr::event(EventCode(code), tid, ps),
        }
    })
}

fn usb_frame() -> impl Strategy<Value = Frame> {
    prop_oneof![
        repr().prop_map(Frame::Params),
        (
            any::<u16>(),
            any::<u32>(),
            proptest::collection::vec(any::<u8>(), 0..1000)
        )
            .prop_map(|(code, tid, payload)| Frame::Data(code, tid, payload)),
    ]
}

/// Runs a decoder over `bytes` cut in `step`-byte chunks until it errs or runs dry, checking
/// only that every item consumes something it was offered.
fn drain_arbitrary<F: Framing>(bytes: &[u8], step: usize, limit: usize) {
    let mut decoder = StreamDecoder::<F>::new(limit);
    let mut pending = Vec::new();
    for chunk in bytes.chunks(step.max(1)) {
        pending.extend_from_slice(chunk);
        loop {
            let Ok(item) = decoder.decode(&pending) else {
                return;
            };
            if let Decoded::NeedMore(n) = item {
                assert!(n > 0);
                break;
            }
            let used = item.consumed();
            assert!(used > 0 && used <= pending.len(), "{item:?}");
            if let Decoded::Frame(f) = item {
                assert!(f.len() <= decoder.max_frame_len());
            }
            pending.drain(..used);
        }
    }
}

/// Feeds `wire` to a decoder in pieces cut at `cuts`; returns the frames (heads and bodies
/// joined back into whole frames).
fn frames<F: Framing>(wire: &[u8], cuts: &[usize], limit: usize) -> Vec<Vec<u8>> {
    let mut decoder = StreamDecoder::<F>::new(limit);
    let mut pending = Vec::new();
    let mut out = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (wire.len() + 1)).collect();
    points.push(wire.len());
    points.sort_unstable();
    let mut at = 0;
    for p in points {
        pending.extend_from_slice(&wire[at..p]);
        at = p;
        loop {
            match decoder.decode(&pending).unwrap() {
                Decoded::NeedMore(_) => break,
                Decoded::Frame(f) => {
                    out.push(f.to_vec());
                    let n = f.len();
                    pending.drain(..n);
                }
                Decoded::Head { head, .. } => {
                    current = Some(head.to_vec());
                    let n = head.len();
                    pending.drain(..n);
                }
                Decoded::Body(b) => {
                    let n = b.len();
                    current.as_mut().unwrap().extend_from_slice(b);
                    pending.drain(..n);
                    if !decoder.in_body() {
                        out.push(current.take().unwrap());
                    }
                }
            }
        }
    }
    out
}

proptest! {
    #[test]
    fn containers_round_trip(repr in repr()) {
        let mut buf = vec![0u8; repr.buffer_len()];
        let n = repr.emit(&mut buf).unwrap();
        prop_assert_eq!(n, buf.len());
        let view = Container::new_checked(&buf[..n]).unwrap();
        prop_assert_eq!(view.kind(), repr.kind);
        prop_assert_eq!(view.len(), n);
        prop_assert_eq!(view.params().unwrap(), repr.params);
        prop_assert!(DataContainer::parse(&view).is_err());
        prop_assert_eq!(ContainerRepr::parse_bytes(&buf[..n]).unwrap(), repr);
        // Bytes after the container are not part of it.
        buf.extend_from_slice(&[0xAA; 7]);
        prop_assert_eq!(ContainerRepr::parse_bytes(&buf).unwrap(), repr);
    }

    #[test]
    fn data_containers_round_trip(code in any::<u16>(), tid in any::<u32>(), payload in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let data = DataContainer { code, transaction_id: tid, payload: &payload };
        let mut buf = vec![0u8; data.buffer_len()];
        let n = data.emit(&mut buf).unwrap();
        prop_assert_eq!(n, 12 + payload.len());
        let view = Container::new_checked(&buf[..n]).unwrap();
        prop_assert_eq!(view.kind(), ContainerKind::DATA);
        prop_assert_eq!(DataContainer::parse(&view).unwrap(), data);
        prop_assert!(ContainerRepr::parse(&view).is_err());
        // A buffer one byte short is refused, not overrun.
        prop_assert!(data.emit(&mut buf[..n - 1]).is_err());
    }

    #[test]
    fn packets_round_trip(p in packet()) {
        let packet = build(&p).unwrap();
        let mut wire = emit(&packet);
        prop_assert_eq!(wire.len(), packet.buffer_len());
        prop_assert_eq!(Packet::parse(&wire).unwrap(), packet.clone());
        // parse_prefix stops at the packet's end; parse refuses trailing bytes.
        wire.extend_from_slice(&[0x55; 5]);
        prop_assert_eq!(Packet::parse_prefix(&wire).unwrap(), (packet.clone(), packet.buffer_len()));
        prop_assert!(Packet::parse(&wire).is_err());
    }

    #[test]
    fn ptpip_stream_split_anywhere(mut ps in proptest::collection::vec(packet(), 1..6), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        // Unknown packets are not data: one larger than the limit is an error, so keep them small.
        for p in &mut ps {
            if p.0 == 14 {
                p.6.truncate(64);
            }
        }
        let packets: Vec<Packet<'_>> = ps.iter().map(|p| build(p).unwrap()).collect();
        let wires: Vec<Vec<u8>> = packets.iter().map(emit).collect();
        let stream: Vec<u8> = wires.concat();
        // The limit holds every control packet (names are at most 254 units) but not every
        // Data/End Data packet, so the streamed path is exercised too.
        let got = frames::<PtpIp>(&stream, &cuts, 600);
        prop_assert_eq!(got, wires);
    }

    #[test]
    fn usb_stream_split_anywhere(cs in proptest::collection::vec(usb_frame(), 1..6), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        let wires: Vec<Vec<u8>> = cs.iter().map(emit_container).collect();
        // Data containers longer than the limit are streamed as head and body.
        let got = frames::<Usb>(&wires.concat(), &cuts, 256);
        prop_assert_eq!(&got, &wires);
        for (frame, c) in got.iter().zip(&cs) {
            let view = Container::new_checked(frame).unwrap();
            match c {
                Frame::Params(repr) => prop_assert_eq!(&ContainerRepr::parse(&view).unwrap(), repr),
                Frame::Data(code, tid, payload) => prop_assert_eq!(
                    DataContainer::parse(&view).unwrap(),
                    DataContainer { code: *code, transaction_id: *tid, payload }
                ),
            }
        }
    }

    #[test]
    fn usb_unknown_length_data_split_anywhere(payload in proptest::collection::vec(any::<u8>(), 0..1000), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        // Length 0xFFFFFFFF: the body lasts until the transport calls finish_body.
        let mut wire = vec![0u8; 12];
        ptp_codec::container::emit_data_header(&mut wire, 0x1009, 7, None).unwrap();
        prop_assert_eq!(&wire[..4], &[0xFF; 4]);
        wire.extend_from_slice(&payload);
        let mut decoder = StreamDecoder::<Usb>::new(64);
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (wire.len() + 1)).collect();
        points.push(wire.len());
        points.sort_unstable();
        let (mut pending, mut head, mut body, mut at) = (Vec::new(), None, Vec::new(), 0);
        for p in points {
            pending.extend_from_slice(&wire[at..p]);
            at = p;
            loop {
                match decoder.decode(&pending).unwrap() {
                    Decoded::NeedMore(_) => break,
                    Decoded::Head { head: h, body_len } => {
                        prop_assert_eq!(body_len, None);
                        head = Some(h.to_vec());
                        pending.drain(..12);
                    }
                    Decoded::Body(b) => {
                        body.extend_from_slice(b);
                        let n = b.len();
                        pending.drain(..n);
                    }
                    Decoded::Frame(f) => panic!("unexpected frame {f:?}"),
                }
            }
        }
        prop_assert_eq!(head.as_deref(), Some(&wire[..12]));
        prop_assert_eq!(body, payload);
        prop_assert!(decoder.finish_body());
        prop_assert!(!decoder.in_body());
    }

    #[test]
    fn strings_round_trip(s in ptp_string()) {
        let p = PtpString::try_from(s.as_str()).unwrap();
        let bytes = p.to_bytes();
        let mut r = Reader::new(&bytes);
        let got = read_string(&mut r, "s").unwrap();
        prop_assert_eq!(got.as_str(), s.as_str());
        prop_assert!(r.peek_rest().is_empty());
    }

    #[test]
    fn datetimes_round_trip(d in datetime()) {
        let bytes = d.to_bytes();
        prop_assert_eq!(DateTime::decode_exact(&bytes).unwrap(), d);
        let text = d.to_string();
        prop_assert_eq!(text.parse::<DateTime>().unwrap(), d);
    }

    #[test]
    fn arrays_round_trip(v in proptest::collection::vec(any::<u64>(), 0..50), w in proptest::collection::vec(any::<i16>(), 0..50)) {
        prop_assert_eq!(Vec::<u64>::decode_exact(&v.to_bytes()).unwrap(), v);
        prop_assert_eq!(Vec::<i16>::decode_exact(&w.to_bytes()).unwrap(), w);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = Container::new_checked(&bytes);
        let _ = ContainerRepr::parse_bytes(&bytes);
        let _ = Packet::parse(&bytes);
        let _ = Packet::parse_prefix(&bytes);
        let _ = StreamDecoder::<Usb>::new(128).decode(&bytes);
        let _ = StreamDecoder::<PtpIp>::new(128).decode(&bytes);
        let _ = read_string(&mut Reader::new(&bytes), "s");
        let _ = read_datetime(&mut Reader::new(&bytes), "d");
        let _ = Vec::<u32>::decode_exact(&bytes);
        let _ = Vec::<u128>::decode_exact(&bytes);
        let _ = PtpString::decode_exact(&bytes);
        let _ = DateTime::decode_exact(&bytes);
        if let Ok(text) = core::str::from_utf8(&bytes) {
            let _ = text.parse::<DateTime>();
        }
    }

    #[test]
    fn arbitrary_streams_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), step in 1usize..64, limit in 0usize..300) {
        drain_arbitrary::<Usb>(&bytes, step, limit);
        drain_arbitrary::<PtpIp>(&bytes, step, limit);
    }

    #[test]
    fn oversized_non_data_frames_are_errors(limit in 12usize..4096, extra in 1u64..=u64::from(u32::MAX), kind in prop_oneof![Just(1u16), Just(3u16), Just(4u16), Just(5u16), Just(0u16), any::<u16>()]) {
        prop_assume!(kind != 2);
        let len = u32::try_from((limit as u64 + extra).min(u64::from(u32::MAX))).unwrap();
        // A USB container of any kind but data, claiming more than the limit.
        let mut head = Vec::new();
        head.extend_from_slice(&len.to_le_bytes());
        head.extend_from_slice(&kind.to_le_bytes());
        head.extend_from_slice(&[0; 6]);
        let too_large = |r: Result<Decoded<'_>, DecodeError>| matches!(r, Err(DecodeError::TooLarge { declared, limit: l, .. }) if declared == u64::from(len) && l == limit as u64);
        prop_assert!(too_large(StreamDecoder::<Usb>::new(limit).decode(&head)));
        // Any PTP/IP packet but Data and End Data claiming the same.
        for t in [1u32, 2, 5, 6, 7, 8, 9, 11, 13, 14, 0, 99] {
            let mut p = Vec::new();
            p.extend_from_slice(&len.to_le_bytes());
            p.extend_from_slice(&t.to_le_bytes());
            prop_assert!(too_large(StreamDecoder::<PtpIp>::new(limit).decode(&p)));
        }
        // Data frames that large are streamed instead.
        head[4..6].copy_from_slice(&2u16.to_le_bytes());
        let expected = Decoded::Head { head: &head[..12], body_len: Some(u64::from(len) - 12) };
        prop_assert_eq!(StreamDecoder::<Usb>::new(limit).decode(&head).unwrap(), expected);
        for t in [10u32, 12] {
            let mut p = Vec::new();
            p.extend_from_slice(&len.to_le_bytes());
            p.extend_from_slice(&t.to_le_bytes());
            p.extend_from_slice(&[0; 4]);
            let expected = Decoded::Head { head: &p[..12], body_len: Some(u64::from(len) - 12) };
            prop_assert_eq!(StreamDecoder::<PtpIp>::new(limit).decode(&p).unwrap(), expected);
        }
    }

    #[test]
    fn frames_shorter_than_their_header_are_errors(len in 0u32..12, kind in any::<u16>()) {
        let mut head = Vec::new();
        head.extend_from_slice(&len.to_le_bytes());
        head.extend_from_slice(&kind.to_le_bytes());
        head.extend_from_slice(&[0; 6]);
        prop_assert!(StreamDecoder::<Usb>::new(1024).decode(&head).is_err());
        prop_assert!(Container::new_checked(&head).is_err());
        if len < 8 {
            prop_assert!(StreamDecoder::<PtpIp>::new(1024).decode(&head).is_err());
            prop_assert!(Packet::parse_prefix(&head).is_err());
        }
    }
}
