//! Property tests: `parse(emit(x)) == x` for containers, PTP/IP packets, strings, dates and
//! arrays; the stream decoders give the same frames whatever the split; arbitrary bytes never
//! panic any decoder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use ptp_codec::ptpip::{DataPhase, Guid, Identity, InitFailReason, Packet, PacketType};
use ptp_codec::stream::{Decoded, PtpIp, StreamDecoder, Usb};
use ptp_codec::{
    Container, ContainerRepr, DateTime, Decode, Encode, EventCode, OperationCode, Params,
    PtpString, Reader, ResponseCode, TimeZone, read_datetime, read_string,
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
        1970u16..=2100,
        1u8..=12,
        1u8..=28,
        0u8..=23,
        0u8..=59,
        0u8..=59,
        proptest::option::of(0u8..=9),
        proptest::option::of(prop_oneof![
            Just(TimeZone::Utc),
            (-720i16..=840).prop_map(TimeZone::Offset)
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
        0u8..14,
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
        _ => Packet::ProbeResponse,
    })
}

fn emit(p: &Packet<'_>) -> Vec<u8> {
    let mut out = vec![0u8; p.buffer_len()];
    let n = p.emit(&mut out).unwrap();
    out.truncate(n);
    out
}

/// Feeds `wire` to a decoder in pieces cut at `cuts`; returns the frames (heads and bodies
/// joined back into whole frames).
fn frames<F: ptp_codec::stream::Framing>(
    wire: &[u8],
    cuts: &[usize],
    limit: usize,
) -> Vec<Vec<u8>> {
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
    fn containers_round_trip(kind in 0u8..3, code in any::<u16>(), tid in any::<u32>(), ps in params()) {
        let repr = match kind {
            0 => ContainerRepr::command(OperationCode(code), tid, Params::new(&ps).unwrap()),
            1 => ContainerRepr::response(ResponseCode(code), tid, Params::new(&ps).unwrap()),
            _ => ContainerRepr::event(EventCode(code), tid, Params::new(&ps).unwrap()),
        };
        let mut buf = vec![0u8; repr.buffer_len()];
        let n = repr.emit(&mut buf).unwrap();
        let view = Container::new_checked(&buf[..n]).unwrap();
        let got = view.params().unwrap();
        prop_assert_eq!(got.as_slice(), ps.as_slice());
        prop_assert_eq!(ContainerRepr::parse_bytes(&buf[..n]).unwrap(), repr);
    }

    #[test]
    fn packets_round_trip(p in packet()) {
        let packet = build(&p).unwrap();
        let wire = emit(&packet);
        prop_assert_eq!(Packet::parse(&wire).unwrap(), packet);
    }

    #[test]
    fn ptpip_stream_split_anywhere(ps in proptest::collection::vec(packet(), 1..6), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        let packets: Vec<Packet<'_>> = ps.iter().map(|p| build(p).unwrap()).collect();
        let wires: Vec<Vec<u8>> = packets.iter().map(emit).collect();
        let stream: Vec<u8> = wires.concat();
        // The limit holds every control packet (names are at most 254 units) but not every
        // Data/End Data packet, so the streamed path is exercised too.
        let got = frames::<PtpIp>(&stream, &cuts, 600);
        prop_assert_eq!(got, wires);
    }

    #[test]
    fn usb_stream_split_anywhere(cs in proptest::collection::vec((0u8..3, any::<u16>(), any::<u32>(), params()), 1..6), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        let wires: Vec<Vec<u8>> = cs.iter().map(|(k, code, tid, ps)| {
            let repr = match k {
                0 => ContainerRepr::command(OperationCode(*code), *tid, Params::new(ps).unwrap()),
                1 => ContainerRepr::response(ResponseCode(*code), *tid, Params::new(ps).unwrap()),
                _ => ContainerRepr::event(EventCode(*code), *tid, Params::new(ps).unwrap()),
            };
            let mut buf = vec![0u8; repr.buffer_len()];
            let n = repr.emit(&mut buf).unwrap();
            buf.truncate(n);
            buf
        }).collect();
        let got = frames::<Usb>(&wires.concat(), &cuts, 1024);
        prop_assert_eq!(got, wires);
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
    }

    #[test]
    fn oversized_non_data_frames_are_errors(len in 2000u32..u32::MAX, kind in prop_oneof![Just(1u16), Just(3u16), Just(4u16)]) {
        // A USB command/response/event container claiming more than the limit.
        let mut head = Vec::new();
        head.extend_from_slice(&len.to_le_bytes());
        head.extend_from_slice(&kind.to_le_bytes());
        head.extend_from_slice(&[0; 6]);
        prop_assert!(StreamDecoder::<Usb>::new(1024).decode(&head).is_err());
        // A PTP/IP Operation Response claiming the same.
        let mut p = Vec::new();
        p.extend_from_slice(&len.to_le_bytes());
        p.extend_from_slice(&PacketType::OPERATION_RESPONSE.0.to_le_bytes());
        prop_assert!(StreamDecoder::<PtpIp>::new(1024).decode(&p).is_err());
    }
}
