//! A whole sans-IO USB camera (the generic model over a read-only sample card) driven by an
//! arbitrary host: control requests, bulk OUT in any split (raw bytes, or commands and data
//! containers built from the input so handlers are reached), bulk and interrupt IN reads of
//! any length, timers and resets. It must never panic, never return more than a transfer
//! asked for, and never grow memory without bound (libFuzzer's RSS limit watches that).
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use ptp_codec::container::{HEADER_LEN, emit_data_header};
use ptp_codec::{ContainerRepr, OperationCode, Params};
use vcam_core::{FolderStore, NoVendor, Responder, SyntheticFrames, generic};
use vcam_usb::{ControlReply, InStatus, SetupPacket, UsbCamera};

/// The sample card, rendered once; every run opens it read-only, so nothing is written.
fn card() -> Option<&'static FolderStore> {
    static CARD: OnceLock<Option<FolderStore>> = OnceLock::new();
    CARD.get_or_init(|| vcam_models::sample_card(&generic::generic()).ok())
        .as_ref()
}

/// The input, read front to back; missing bytes read as zero.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }

    fn u8(&mut self) -> u8 {
        self.bytes(1).first().copied().unwrap_or(0)
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    /// An operation code: mostly one the operation table knows, sometimes any.
    fn operation(&mut self) -> OperationCode {
        let pick = self.u8();
        let table = ptp_types::OPERATIONS;
        match table.get(usize::from(pick) % (table.len() + 1)) {
            Some(spec) => spec.code,
            None => OperationCode(self.u16()),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(card) = card() else { return };
    let Ok(store) = FolderStore::open(card.root(), true) else { return };
    let responder = Responder::new(
        generic::generic(),
        Box::new(NoVendor),
        Box::new(store),
        Box::new(SyntheticFrames::new(64, 48, 30)),
    );
    let mut usb = UsbCamera::new(responder);
    let (bulk_in, bulk_out, intr) =
        (usb.bulk_in_endpoint(), usb.bulk_out_endpoint(), usb.interrupt_endpoint());
    let mut now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let mut input = Input(data);
    let mut tid = 0u32;
    let mut ops = 0;
    while !input.0.is_empty() && ops < 256 {
        ops += 1;
        match input.u8() % 9 {
            0 => {
                let mut raw = [0u8; 8];
                for b in &mut raw {
                    *b = input.u8();
                }
                let setup = SetupPacket::from_bytes(raw);
                let len = usize::from(input.u8());
                let out = if setup.is_in() { &[][..] } else { input.bytes(len) };
                if let ControlReply::Ok(reply) = usb.control(now, setup, out) {
                    assert!(reply.len() <= usize::from(setup.length));
                }
            }
            1 => {
                let len = usize::from(input.u8());
                let _ = usb.bulk_out(now, input.bytes(len));
            }
            2 => {
                // A command container, possibly split in two transfers.
                let code = input.operation();
                tid = if input.u8() % 8 == 0 { input.u32() } else { tid.wrapping_add(1) };
                let n = usize::from(input.u8() % 7).min(Params::MAX);
                let mut params = Params::empty();
                for _ in 0..n {
                    let _ = params.push(input.u32());
                }
                let repr = ContainerRepr::command(code, tid, params);
                let mut buf = [0u8; HEADER_LEN + 4 * Params::MAX];
                let Ok(len) = repr.emit(&mut buf) else { continue };
                let (a, b) = buf[..len].split_at(usize::from(input.u8()).min(len));
                let _ = usb.bulk_out(now, a);
                let _ = usb.bulk_out(now, b);
            }
            3 => {
                // A data container for the current transaction, in pieces.
                let code = input.operation();
                let len = usize::from(input.u16() % 4096);
                let step = usize::from(input.u8()).max(1);
                let payload = input.bytes(len);
                let mut wire = vec![0u8; HEADER_LEN];
                if emit_data_header(&mut wire, code.0, tid, Some(payload.len() as u64)).is_err() {
                    continue;
                }
                wire.extend_from_slice(payload);
                for piece in wire.chunks(step) {
                    let _ = usb.bulk_out(now, piece);
                }
            }
            4 | 5 => {
                let max = match input.u8() % 4 {
                    0 => usize::from(input.u16()),
                    1 => 512,
                    2 => 1024,
                    _ => input.u32() as usize,
                };
                if let InStatus::Data(bytes) = usb.transfer_in(bulk_in, max) {
                    assert!(bytes.len() <= max);
                }
            }
            6 => {
                let max = usize::from(input.u8());
                if let InStatus::Data(bytes) = usb.transfer_in(intr, max) {
                    assert!(bytes.len() <= max);
                }
            }
            7 => {
                now += Duration::from_millis(u64::from(input.u16()));
                if usb.poll_timeout().is_some_and(|at| at <= now) {
                    usb.handle_timeout(now);
                }
            }
            _ => match input.u8() % 4 {
                0 => usb.reset(now),
                1 => {
                    let _ = usb.has_in_data(input.u8());
                }
                2 => {
                    let max = usize::from(input.u16());
                    if let InStatus::Data(bytes) = usb.transfer_in(input.u8(), max) {
                        assert!(bytes.len() <= max);
                    }
                }
                _ => {
                    let _ = usb.has_in_data(bulk_in);
                    let _ = usb.bulk_out(now, &[]);
                    let _ = bulk_out;
                }
            },
        }
    }
});
