//! The 0x9202 answer.

use ptp_codec::{Decode, DecodeError, Encode, Reader, decode_array};

/// The SDIO extension's answer to 0x9202: `u16 version | u32 n1 | n1 × u16 | u32 n2 |
/// n2 × u16`. libgphoto2 merges both lists into DeviceInfo, sorting each code by
/// `code & 0x7000` (0x1000 operation, 0x4000 event, 0x5000 property; `library.c`:
/// `fixup_cached_deviceinfo`); the second list holds the controls. The second list may be
/// absent (libgphoto2 reads it only when bytes remain).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct ExtDeviceInfo {
    /// The SDIO extension version ([`SDIO_VERSION_200`](crate::codes::SDIO_VERSION_200)).
    pub version: u16,
    /// Operations, events and properties beyond DeviceInfo.
    pub codes: Vec<u16>,
    /// Controls (buttons and the like), merged into the properties.
    pub controls: Vec<u16>,
}

impl Decode<'_> for ExtDeviceInfo {
    const NAME: &'static str = "Sony ExtDeviceInfo";
    const MIN_LEN: usize = 6;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let version = r.u16("SDIO version")?;
        let codes = decode_array(r, "SDIO codes")?;
        let controls = if r.is_empty() {
            Vec::new()
        } else {
            decode_array(r, "SDIO controls")?
        };
        Ok(Self {
            version,
            codes,
            controls,
        })
    }
}

impl Encode for ExtDeviceInfo {
    fn encode(&self, out: &mut Vec<u8>) {
        self.version.encode(out);
        self.codes.encode(out);
        self.controls.encode(out);
    }
}
