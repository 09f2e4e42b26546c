//! EOS wire formats, in both directions ([`Decode`](ptp_codec::Decode) and [`Encode`](ptp_codec::Encode)), so that client tools can
//! parse what a body sends as well as vcam can send it:
//!
//! - the GetEvent (0x9116) records, [`EosEvent`] ([`decode_events`], [`encode_events`]), with
//!   the property values they carry ([`EosValue`]: numbers, strings, [`ImageFormat`],
//!   [`FocusInfo`]), as libgphoto2 parses them (`camlibs/ptp2/ptp-pack.c`:
//!   `ptp_unpack_CANON_changes`);
//! - the GetViewFinderData (0x9153) records, [`ViewfinderRecord`] (`camlibs/ptp2/library.c`:
//!   `camera_canon_eos_capture_preview`);
//! - the GetDeviceInfoEx (0x9108) dataset, [`DeviceInfoEx`] (`ptp-pack.c`: `ptp_unpack_EOS_DI`);
//! - the GetObjectInfoEx (0x9109) entries, [`FolderEntry`] (`ptp.c`:
//!   `ptp_canon_eos_getobjectinfoex`; `ptp-pack.c`: `ptp_unpack_Canon_EOS_FE`).
//!
//! Records are `u32 size (size field included) | u32 type | payload`, little endian, written
//! with [`LengthPrefixed`](ptp_codec::LengthPrefixed) and read with [`read_length_prefixed`](ptp_codec::read_length_prefixed). No decoder panics on any
//! input. Event records whose payload does not have the shape of their type decode as
//! [`EosEvent::Other`] with the payload kept, so decoding and encoding a real body's answer
//! gives its bytes back.

mod events;
mod listings;
mod structures;
pub mod viewfinder;

use ptp_codec::Reader;

pub use events::{EosEvent, EosValue, ValueKind, decode_events, encode_events};
pub use listings::{DeviceInfoEx, FolderEntry};
pub use structures::{AfPoint, FocusInfo, ImageFile, ImageFormat};
pub use viewfinder::{ViewfinderRecord, decode_viewfinder};

/// Bytes up to the next NUL (consumed, not returned), or to the end when there is none.
fn c_string<'a>(r: &mut Reader<'a>) -> &'a [u8] {
    let rest = r.peek_rest();
    match rest.iter().position(|&b| b == 0) {
        Some(n) => {
            let text = rest.get(..n).unwrap_or_default();
            let _ = r.take(n + 1, "C string");
            text
        }
        None => r.rest(),
    }
}

/// Writes `name` as a C string.
fn put_c_string(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(name.as_bytes());
    out.push(0);
}

/// Reads a C string as text, replacing bytes that are not UTF-8.
fn read_name(r: &mut Reader<'_>) -> String {
    String::from_utf8_lossy(c_string(r)).into_owned()
}
