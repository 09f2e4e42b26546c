//! USB Still Image class containers (PIMA 15740 / ISO 15740 Annex D) for tests that speak
//! USB to vcam by hand: built and read with `ptp_codec`'s one framing, never by hand.

use ptp_codec::container::emit_data_header;
use ptp_codec::{ContainerKind, ContainerRepr, OperationCode, Params};

/// A command container: operation `code` of transaction `transaction_id` with `params` (at
/// most five).
#[must_use]
pub fn command(code: OperationCode, transaction_id: u32, params: &[u32]) -> Vec<u8> {
    let params = Params::try_from(params).unwrap_or_else(|e| panic!("parameters {params:?}: {e}"));
    let repr = ContainerRepr::command(code, transaction_id, params);
    let mut out = vec![0; repr.buffer_len()];
    let n = repr
        .emit(&mut out)
        .unwrap_or_else(|e| panic!("encoding {repr:?}: {e}"));
    out.truncate(n);
    out
}

/// A data container of transaction `transaction_id` carrying `payload`.
#[must_use]
pub fn data(code: OperationCode, transaction_id: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0; ptp_codec::container::HEADER_LEN];
    let _ = emit_data_header(&mut out, code.0, transaction_id, Some(payload.len() as u64))
        .unwrap_or_else(|e| panic!("encoding a data header: {e}"));
    out.extend_from_slice(payload);
    out
}

/// The container at the start of `bytes` when it is a response; fails the test otherwise.
#[must_use]
pub fn response(bytes: &[u8]) -> ContainerRepr {
    let repr = ContainerRepr::parse_bytes(bytes)
        .unwrap_or_else(|e| panic!("not a container ({e}): {bytes:02x?}"));
    assert_eq!(
        repr.kind,
        ContainerKind::RESPONSE,
        "a response container expected: {repr:?}"
    );
    repr
}

/// The declared length and type of the container whose header starts `bytes`, if it has
/// one.
#[must_use]
pub fn header(bytes: &[u8]) -> Option<(u32, ContainerKind)> {
    ptp_codec::ContainerHeader::read(bytes)
        .ok()
        .map(|h| (h.length(), h.kind()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_have_the_usb_layout() {
        assert_eq!(
            command(OperationCode::OPEN_SESSION, 0, &[1]),
            [16, 0, 0, 0, 1, 0, 0x02, 0x10, 0, 0, 0, 0, 1, 0, 0, 0]
        );
        assert_eq!(
            data(OperationCode(0x9110), 7, b"ab"),
            [14, 0, 0, 0, 2, 0, 0x10, 0x91, 7, 0, 0, 0, b'a', b'b']
        );
        let ok = [12, 0, 0, 0, 3, 0, 0x01, 0x20, 5, 0, 0, 0];
        assert_eq!(response(&ok).code, 0x2001);
        assert_eq!(header(&ok), Some((12, ContainerKind::RESPONSE)));
    }
}
