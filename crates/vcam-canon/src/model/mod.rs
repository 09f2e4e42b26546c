//! Canon EOS bodies as data: each an [`EosBody`] table (operations, EOS properties,
//! ImageFormat choices, FocusInfoEx) and a [`CameraModel`](vcam_core::CameraModel) (DeviceInfo, USB and PTP/IP
//! identity), as the real body reports them in a public dump (libgphoto2
//! `camlibs/ptp2/cameras/*.txt`).
//!
//! - [`eos_1300d`]: the EOS 1300D (EOS Rebel T6), USB only;
//! - [`eos_6d`]: the EOS 6D, with built-in WiFi.
//!
//! A further body is a further module here with its `EosBody` static and `CameraModel`
//! function, plus a registry entry in vcam-models.

pub mod eos_1300d;
pub mod eos_6d;

pub use eos_6d::*;
pub use eos_1300d::*;

use vcam_core::PropertyDef;
use vcam_core::model::prop::{desc, str};
use vcam_core::model::{PtpIpDataFraming, PtpIpIdentity};
use vcam_core::ptp_types::{
    DevicePropCode as P, DevicePropDesc, GetSet, OperationCode, PropForm, PropValue,
};

use crate::body::{EosBody, EosProp};
use crate::props::eos_desc;

/// Payload bytes of the Data packets a Canon EOS sends before its End Data packet. Canon
/// splits a data phase into Data packets closed by End Data (airnef `mtpwifi.py`); the size of
/// its pieces is not in any public capture, so this is libgphoto2's own block size for PTP/IP
/// data (`ptpip.c`: `WRITE_BLOCKSIZE`).
pub const CANON_PTPIP_DATA_PACKET: u32 = 0x1_0000;

/// The PTP/IP identity of an EOS body: its GUID and name, and Canon's habits: data phases as
/// Data packets closed by End Data, and pairing with one client GUID
/// (docs/reference/vendors-wifi-sony-fuji.md §4.1).
#[must_use]
pub fn eos_ptpip(guid: [u8; 16], friendly_name: &str) -> PtpIpIdentity {
    PtpIpIdentity {
        data_framing: PtpIpDataFraming::DataThenEndData {
            max_payload: CANON_PTPIP_DATA_PACKET,
        },
        pairs_with_one_client: true,
        ..PtpIpIdentity::new(guid, friendly_name)
    }
}

/// A number property of a body table.
pub(crate) const fn n(code: u16, value: u32, list: &'static [u32]) -> EosProp {
    EosProp::number(code, value, list)
}

/// A string property of a body table.
pub(crate) const fn t(code: u16, text: &'static str) -> EosProp {
    EosProp::text(code, text)
}

/// ShutterSpeed (0xD102) codes from bulb (0x0C) and 30 s (0x10) to 1/4000 (0x98) in third
/// stops, the list of an EOS body whose fastest speed is 1/4000 in M (`canon-eos1300d.txt`;
/// names in libgphoto2 `config.c`: `canon_shutterspeed`).
pub const SHUTTER_SPEEDS_30S_TO_4000: &[u32] = &[
    0x0C, 0x10, 0x13, 0x15, 0x18, 0x1B, 0x1D, 0x20, 0x23, 0x25, 0x28, 0x2B, 0x2D, 0x30, 0x33, 0x35,
    0x38, 0x3B, 0x3D, 0x40, 0x43, 0x45, 0x48, 0x4B, 0x4D, 0x50, 0x53, 0x55, 0x58, 0x5B, 0x5D, 0x60,
    0x63, 0x65, 0x68, 0x6B, 0x6D, 0x70, 0x73, 0x75, 0x78, 0x7B, 0x7D, 0x80, 0x83, 0x85, 0x88, 0x8B,
    0x8D, 0x90, 0x93, 0x95, 0x98,
];

/// White balance shift codes -9..9 (0xD10B, 0xD10C), as both dumped bodies list them.
pub const WB_SHIFTS: &[u32] = &[
    0xFFFF_FFF7,
    0xFFFF_FFF8,
    0xFFFF_FFF9,
    0xFFFF_FFFA,
    0xFFFF_FFFB,
    0xFFFF_FFFC,
    0xFFFF_FFFD,
    0xFFFF_FFFE,
    0xFFFF_FFFF,
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
];

/// The properties of an EOS body's [`CameraModel`]: the few standard ones its DeviceInfo
/// lists (`listed`, in its order), then every EOS property of `body`, hidden from DeviceInfo
/// as on the real body.
pub(crate) fn eos_properties(body: &EosBody, listed: Vec<DevicePropDesc>) -> Vec<PropertyDef> {
    listed
        .into_iter()
        .map(PropertyDef::listed)
        .chain(
            body.props
                .iter()
                .map(|p| PropertyDef::hidden(eos_desc(body, p))),
        )
        .collect()
}

/// The standard properties every dumped EOS body lists: DeviceFriendlyName (`name`),
/// PerceivedDeviceType 1, SessionInitiatorVersionInfo, 0xD303 = 1, BatteryLevel (`battery`
/// of `levels`).
pub(crate) fn standard_props(name: &str, battery: u8, levels: &[u8]) -> Vec<DevicePropDesc> {
    let rw = GetSet::GET_SET;
    vec![
        desc(P::DEVICE_FRIENDLY_NAME, rw, str(name), PropForm::None),
        desc(
            P::PERCEIVED_DEVICE_TYPE,
            GetSet::GET,
            PropValue::UInt32(1),
            PropForm::None,
        ),
        desc(
            P::SESSION_INITIATOR_VERSION_INFO,
            rw,
            str(""),
            PropForm::None,
        ),
        desc(P(0xD303), GetSet::GET, PropValue::UInt8(1), PropForm::None),
        desc(
            P::BATTERY_LEVEL,
            GetSet::GET,
            PropValue::UInt8(battery),
            PropForm::Enumeration(levels.iter().map(|&l| PropValue::UInt8(l)).collect()),
        ),
    ]
}

/// `[OperationCode]` from `[u16]`, for tables copied from a body's DeviceInfo.
pub(crate) const fn operation_codes<const N: usize>(codes: [u16; N]) -> [OperationCode; N] {
    let mut out = [OperationCode(0); N];
    let mut i = 0;
    while i < N {
        out[i] = OperationCode(codes[i]);
        i += 1;
    }
    out
}
