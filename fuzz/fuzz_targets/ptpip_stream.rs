//! The PTP/IP stream decoder fed arbitrary bytes in arbitrary splits; every complete frame is
//! parsed as a packet, and a packet that parses re-encodes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ptp_codec::ptpip::Packet;
use ptp_codec::stream::{Decoded, PtpIp, StreamDecoder};

fuzz_target!(|data: &[u8]| {
    let Some((&split, bytes)) = data.split_first() else { return };
    let step = usize::from(split).max(1);
    let mut decoder = StreamDecoder::<PtpIp>::new(512);
    let mut pending: Vec<u8> = Vec::new();
    for chunk in bytes.chunks(step) {
        pending.extend_from_slice(chunk);
        loop {
            let item = match decoder.decode(&pending) {
                Ok(item) => item,
                Err(_) => return,
            };
            let used = match item {
                Decoded::Frame(frame) => {
                    assert!(frame.len() <= 512);
                    if let Ok(packet) = Packet::parse(frame) {
                        let mut out = vec![0u8; packet.buffer_len()];
                        if let Ok(n) = packet.emit(&mut out) {
                            let again = Packet::parse(&out[..n]).expect("re-encoded packet parses");
                            assert_eq!(again, packet);
                        }
                    }
                    frame.len()
                }
                Decoded::Head { head, .. } => head.len(),
                Decoded::Body(body) => body.len(),
                Decoded::NeedMore(_) => break,
            };
            assert!(used > 0 && used <= pending.len());
            pending.drain(..used);
        }
    }
});
