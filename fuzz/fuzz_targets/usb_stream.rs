//! The USB container stream decoder fed arbitrary bytes in arbitrary splits: it must never
//! panic, never yield a frame longer than its limit, and every frame must parse as a
//! container view or give an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ptp_codec::stream::{Decoded, StreamDecoder, Usb};
use ptp_codec::{Container, ContainerRepr};

fuzz_target!(|data: &[u8]| {
    let Some((&split, bytes)) = data.split_first() else { return };
    let step = usize::from(split).max(1);
    let mut decoder = StreamDecoder::<Usb>::new(256);
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
                    assert!(frame.len() <= 256);
                    if let Ok(c) = Container::new_checked(frame) {
                        let _ = c.params();
                        let _ = ContainerRepr::parse(&c);
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
