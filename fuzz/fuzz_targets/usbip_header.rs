//! The USB/IP header codec (`transport_usbip::proto`) fed arbitrary bytes: operation headers,
//! bus ids, URB commands and replies must decode without panicking, and whatever decodes
//! re-encodes to a header that decodes to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use transport_usbip::proto::{
    BUSID_LEN, Command, OP_HEADER_LEN, OpHeader, RET_SUBMIT, Ret, URB_HEADER_LEN, parse_busid,
    ret_submit, ret_unlink,
};

fuzz_target!(|data: &[u8]| {
    if let Some(op) = data.first_chunk::<OP_HEADER_LEN>() {
        let header = OpHeader::parse(op);
        let mut out = Vec::new();
        header.emit(&mut out);
        assert_eq!(out, op);
    }
    if let Some(busid) = data.first_chunk::<BUSID_LEN>() {
        assert!(parse_busid(busid).len() <= 3 * BUSID_LEN);
    }
    let Some(urb) = data.first_chunk::<URB_HEADER_LEN>() else { return };
    if let Ok(command) = Command::parse(urb) {
        assert_eq!(Command::parse(&command.emit()), Ok(command));
    }
    let ret = Ret::parse(urb);
    let again = if ret.command == RET_SUBMIT {
        Ret::parse(&ret_submit(ret.seqnum, ret.status, ret.actual_length))
    } else {
        Ret::parse(&ret_unlink(ret.seqnum, ret.status))
    };
    assert_eq!((again.seqnum, again.status), (ret.seqnum, ret.status));
});
