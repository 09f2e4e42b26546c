//! The packets of the Fujifilm WiFi protocol that are not USB containers: the 82-byte Init
//! Command Request, its 68-byte ack, Init Fail, and the live view frame header.
//!
//! Layouts from libgphoto2 `camlibs/ptp2/fujiptpip.c` (`ptp_fujiptpip_init_command_request`,
//! `ptp_fujiptpip_init_command_ack`, `ptp_fujiptpip_jpeg`), fudge `lib/fujiptp.h`
//! (`struct FujiInitPacket`) and the official app's bytes (hkr fuji-cam-wifi-tool
//! `lib/src/commands.cpp`); docs/reference/vendors-wifi-sony-fuji.md §2.2, §2.3, §2.6.

use vcam_core::pairing::ClientId;

/// Length of the Init Command Request, always (libgphoto2: "Fuji X-Acquire always sends
/// packets of fixed length 82. At least the X-T4 just closes the socket when sending packets of
/// other lengths.").
pub const INIT_REQUEST_LEN: usize = 82;
/// The "magic" in place of PTP/IP's protocol version.
pub const INIT_MAGIC: u32 = 0x8F53_E4F2;
/// Length of the Init Command Ack real bodies send (fudge's X-T5 log: 4, then 64 bytes).
pub const INIT_ACK_LEN: usize = 68;
/// Length of Init Fail.
pub const INIT_FAIL_LEN: usize = 12;
/// PTP/IP packet types used in the init exchange (CIPA DC-005 §2.3).
pub mod packet_type {
    /// Init Command Request.
    pub const INIT_COMMAND_REQUEST: u32 = 1;
    /// Init Command Ack.
    pub const INIT_COMMAND_ACK: u32 = 2;
    /// Init Fail.
    pub const INIT_FAIL: u32 = 5;
}

/// Init Fail reasons real bodies give (malc0mn ptp-ip `ip/packets_fuji.go`, an X-T1).
pub mod fail {
    /// A paired client under another name, a client the owner did not accept, a body busy with
    /// another client: the owner must press "change" or "retry" (`FR_Fuji_DeviceBusy`).
    pub const DEVICE_BUSY: u32 = 0x2019;
    /// The magic was not 0x8F53E4F2 (`FR_Fuji_InvalidParameter`).
    pub const INVALID_PARAMETER: u32 = 0x201D;
}

/// Offset of the client GUID in the request.
const GUID_AT: usize = 12;
/// Offset of the client name (UCS-2LE, NUL-padded, 54 bytes) in the request.
const NAME_AT: usize = 28;
/// Offset of the camera name in the ack.
const ACK_NAME_AT: usize = 28;

/// Why an Init Command Request was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// The length field is not 82: a real body closes the connection.
    #[error("Init Command Request of length {0}; Fujifilm bodies accept only 82")]
    Length(u32),
    /// The packet type is not Init Command Request.
    #[error("packet type {0} where an Init Command Request (1) was expected")]
    Type(u32),
    /// The magic is wrong: the body answers Init Fail 0x201D.
    #[error("Init Command Request magic {0:#010x}; Fujifilm's is 0x8F53E4F2")]
    Magic(u32),
}

impl InitError {
    /// The Init Fail reason a body answers with, or `None` when it closes the connection.
    #[must_use]
    pub const fn fail_reason(self) -> Option<u32> {
        match self {
            Self::Magic(_) => Some(fail::INVALID_PARAMETER),
            Self::Length(_) | Self::Type(_) => None,
        }
    }
}

/// The client of an Init Command Request: its GUID and its name.
///
/// # Errors
/// [`InitError`] for a packet of another length, type or magic.
pub fn parse_init_request(packet: &[u8]) -> Result<ClientId, InitError> {
    let word = |at: usize| {
        packet
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    };
    let len = word(0);
    if len as usize != INIT_REQUEST_LEN || packet.len() != INIT_REQUEST_LEN {
        return Err(InitError::Length(len));
    }
    if word(4) != packet_type::INIT_COMMAND_REQUEST {
        return Err(InitError::Type(word(4)));
    }
    if word(8) != INIT_MAGIC {
        return Err(InitError::Magic(word(8)));
    }
    let mut guid = [0u8; 16];
    if let Some(bytes) = packet.get(GUID_AT..GUID_AT + 16) {
        guid.copy_from_slice(bytes);
    }
    let units: Vec<u16> = packet
        .get(NAME_AT..)
        .unwrap_or_default()
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .take_while(|&u| u != 0)
        .collect();
    Ok(ClientId::new(guid, String::from_utf16_lossy(&units)))
}

/// An Init Command Request as a client writes it: 82 bytes, `magic`, `guid`, `name` in UCS-2LE
/// cut to 26 characters.
#[must_use]
pub fn init_request(guid: [u8; 16], name: &str, magic: u32) -> [u8; INIT_REQUEST_LEN] {
    let mut out = [0u8; INIT_REQUEST_LEN];
    put(&mut out, 0, &(INIT_REQUEST_LEN as u32).to_le_bytes());
    put(
        &mut out,
        4,
        &packet_type::INIT_COMMAND_REQUEST.to_le_bytes(),
    );
    put(&mut out, 8, &magic.to_le_bytes());
    put(&mut out, GUID_AT, &guid);
    let max = (INIT_REQUEST_LEN - NAME_AT) / 2 - 1;
    for (i, unit) in name.encode_utf16().take(max).enumerate() {
        put(&mut out, NAME_AT + 2 * i, &unit.to_le_bytes());
    }
    out
}

/// The 68-byte Init Command Ack: length, type 2, connection number, the camera's GUID and its
/// name in UCS-2LE, NUL-terminated and zero-padded (cut to 19 characters so the NUL fits;
/// libgphoto2 reads the name up to its NUL).
#[must_use]
pub fn init_ack(connection: u32, guid: &[u8; 16], name: &str) -> [u8; INIT_ACK_LEN] {
    let mut out = [0u8; INIT_ACK_LEN];
    put(&mut out, 0, &(INIT_ACK_LEN as u32).to_le_bytes());
    put(&mut out, 4, &packet_type::INIT_COMMAND_ACK.to_le_bytes());
    put(&mut out, 8, &connection.to_le_bytes());
    put(&mut out, 12, guid);
    let max = (INIT_ACK_LEN - ACK_NAME_AT) / 2 - 1;
    for (i, unit) in name.encode_utf16().take(max).enumerate() {
        put(&mut out, ACK_NAME_AT + 2 * i, &unit.to_le_bytes());
    }
    out
}

/// Init Fail with `reason` (hkr's bytes after the length: `05 00 00 00 19 20 00 00`).
#[must_use]
pub fn init_fail(reason: u32) -> [u8; INIT_FAIL_LEN] {
    let mut out = [0u8; INIT_FAIL_LEN];
    put(&mut out, 0, &(INIT_FAIL_LEN as u32).to_le_bytes());
    put(&mut out, 4, &packet_type::INIT_FAIL.to_le_bytes());
    put(&mut out, 8, &reason.to_le_bytes());
    out
}

/// The 14 bytes between a live view frame's length and its JPEG, as a real body sends them
/// (petabyt/vcam `bin/fuji/lv_stream`: twelve zero bytes, then `01 8A`; their meaning is unknown,
/// §2.6). libgphoto2 cuts the JPEG out from its SOI (`save_jpeg_in_data_to_preview`); the
/// official app's readers take it at offset 18.
pub const LIVEVIEW_HEADER: [u8; 14] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x8A];

/// The 18 bytes that precede a live view JPEG of `jpeg_len` bytes on the live view port: `u32`
/// length (counting itself, the header and the JPEG), then [`LIVEVIEW_HEADER`]. `None` when the
/// frame does not fit a `u32`.
#[must_use]
pub fn liveview_frame_header(jpeg_len: usize) -> Option<[u8; 18]> {
    let total = u32::try_from(jpeg_len.checked_add(18)?).ok()?;
    let mut out = [0u8; 18];
    put(&mut out, 0, &total.to_le_bytes());
    put(&mut out, 4, &LIVEVIEW_HEADER);
    Some(out)
}

/// Copies `bytes` into `out` at `at` (the buffers here are sized for every write).
fn put(out: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(dst) = out.get_mut(at..at + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The official app's request (hkr `commands.cpp`: the 24 header bytes after the length).
    fn app_request() -> Vec<u8> {
        let mut p = vec![82, 0, 0, 0];
        p.extend_from_slice(&[
            0x01, 0x00, 0x00, 0x00, 0xf2, 0xe4, 0x53, 0x8f, 0xad, 0xa5, 0x48, 0x5d, 0x87, 0xb2,
            0x7f, 0x0b, 0xd3, 0xd5, 0xde, 0xd0, 0x02, 0x78, 0xa8, 0xc0,
        ]);
        let mut name = [0u8; 54];
        for (i, b) in b"CameraClient".iter().enumerate() {
            name[2 * i] = *b;
        }
        p.extend_from_slice(&name);
        p
    }

    #[test]
    fn the_official_apps_request_parses() {
        let client = parse_init_request(&app_request()).unwrap();
        assert_eq!(client.name, "CameraClient");
        assert_eq!(&client.guid[..4], &[0xad, 0xa5, 0x48, 0x5d]);
        let built = init_request(client.guid, "CameraClient", INIT_MAGIC);
        assert_eq!(&built[..], &app_request()[..]);
    }

    #[test]
    fn bad_requests_are_named() {
        let mut p = app_request();
        p[8] = 0;
        assert_eq!(parse_init_request(&p), Err(InitError::Magic(0x8F53_E400)));
        assert_eq!(
            InitError::Magic(0).fail_reason(),
            Some(fail::INVALID_PARAMETER)
        );
        assert_eq!(parse_init_request(&p[..40]), Err(InitError::Length(82)));
        let mut p = app_request();
        p[4] = 3;
        assert_eq!(parse_init_request(&p), Err(InitError::Type(3)));
        assert_eq!(InitError::Type(3).fail_reason(), None);
    }

    #[test]
    fn ack_fail_and_frame_layouts() {
        let ack = init_ack(0, &[7; 16], "X-H1");
        assert_eq!(&ack[..12], &[0x44, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(&ack[12..28], &[7; 16]);
        assert_eq!(&ack[28..38], &[b'X', 0, b'-', 0, b'H', 0, b'1', 0, 0, 0]);
        let long = init_ack(0, &[0; 16], &"N".repeat(40));
        assert_eq!(&long[66..], &[0, 0], "the name keeps its NUL");
        assert_eq!(
            init_fail(fail::DEVICE_BUSY),
            [12, 0, 0, 0, 5, 0, 0, 0, 0x19, 0x20, 0, 0]
        );
        // The real frame: 9,371 bytes, JPEG at offset 18.
        let head = liveview_frame_header(9371 - 18).unwrap();
        assert_eq!(&head[..4], &[0x9B, 0x24, 0, 0]);
        assert_eq!(&head[16..], &[0x01, 0x8A]);
    }
}
