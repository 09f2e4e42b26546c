//! Sony bodies as data: the Alpha 6300 (ILCE-6300) in PC Remote mode, its [`SonyBody`] table
//! (operations, events, every property with its 0x9209 descriptor) and its `CameraModel`
//! (DeviceInfo, USB and PTP/IP identity); and the same body in MTP mode.
//!
//! Sources (gathered in `docs/reference/vendors-wifi-sony-fuji.md` §5 and
//! `docs/reference/client-expectations.md` §5): the a6300's property codes, their order and
//! their lists come from its `gphoto2 --list-all-config` (libgphoto2
//! `camlibs/ptp2/cameras/sony-a6300.txt`); the data types, flag bytes and forms from a real
//! ILCE-6000's 0x9209 answer of the same generation (`cameras/sony-a6000.txt`), with the
//! exposure settings enabled as a body on the M dial reports them; DeviceInfo and the
//! operation list from the ILCE-6000's; the USB identity from the alpha-over-usb notes and
//! libgphoto2's `models[]` ("Sony:Alpha-A6300 (Control)", 054c:079c). Values without a public
//! source are marked as such.

use crate::body::{Dial, Form, SonyBody, SonyProp, ValueType};
use crate::codes::{SDIO_VERSION_200, ec, op};
use crate::records::{ExtGetSet, IsEnabled};
use ptp_codec::{EventCode, OperationCode};

use ValueType::{I8, I16, U8, U16, U32};

/// A shutter speed as Sony codes it: numerator in the high 16 bits, denominator in the low.
const fn ss(num: i64, den: i64) -> i64 {
    (num << 16) | den
}

/// The a6300's shutter speeds on the M dial, from bulb (0) to 1/4000 s in third stops, in
/// the order +1 steps walk them (longer to shorter; libgphoto2 `config.c`:
/// `sony_shuttertable` lists the same speeds in the same order).
pub const SHUTTER_SPEEDS_A6300: &[i64] = &[
    0,
    ss(30, 1),
    ss(25, 1),
    ss(20, 1),
    ss(15, 1),
    ss(13, 1),
    ss(10, 1),
    ss(8, 1),
    ss(6, 1),
    ss(5, 1),
    ss(4, 1),
    ss(32, 10),
    ss(25, 10),
    ss(2, 1),
    ss(16, 10),
    ss(13, 10),
    ss(1, 1),
    ss(8, 10),
    ss(6, 10),
    ss(5, 10),
    ss(4, 10),
    ss(1, 3),
    ss(1, 4),
    ss(1, 5),
    ss(1, 6),
    ss(1, 8),
    ss(1, 10),
    ss(1, 13),
    ss(1, 15),
    ss(1, 20),
    ss(1, 25),
    ss(1, 30),
    ss(1, 40),
    ss(1, 50),
    ss(1, 60),
    ss(1, 80),
    ss(1, 100),
    ss(1, 125),
    ss(1, 160),
    ss(1, 200),
    ss(1, 250),
    ss(1, 320),
    ss(1, 400),
    ss(1, 500),
    ss(1, 640),
    ss(1, 800),
    ss(1, 1000),
    ss(1, 1250),
    ss(1, 1600),
    ss(1, 2000),
    ss(1, 2500),
    ss(1, 3200),
    ss(1, 4000),
];

/// The f-numbers (×100) of the kit lens (E PZ 16-50mm F3.5-5.6 OSS) at 16 mm, in third stops;
/// the body reports FNumber as a range and steps through these (the list libgphoto2 showed
/// for a real a6300, `cameras/sony-a6300.txt`).
pub const F_NUMBERS_KIT_LENS: &[i64] = &[
    350, 400, 450, 500, 560, 630, 710, 800, 900, 1000, 1100, 1300, 1400, 1600, 1800, 2000, 2200,
];

/// The a6300's ISO choices: auto (0xFFFFFF), 25 to 409600, then the multi frame noise
/// reduction ones (high byte 1 and 2), in the body's order (`cameras/sony-a6300.txt`, 0xD21E).
pub const ISO_A6300: &[i64] = &[
    0xFF_FFFF,
    25,
    50,
    64,
    80,
    100,
    125,
    160,
    200,
    250,
    320,
    400,
    500,
    640,
    800,
    1000,
    1250,
    1600,
    2000,
    2500,
    3200,
    4000,
    5000,
    6400,
    8000,
    10000,
    12800,
    16000,
    20000,
    25600,
    32000,
    40000,
    51200,
    64000,
    80000,
    102_400,
    128_000,
    160_000,
    204_800,
    256_000,
    320_000,
    409_600,
    0x01FF_FFFF,
    0x0100_0019,
    0x0100_0032,
    0x0100_0040,
    0x0100_0050,
    0x0100_0064,
    0x0100_007D,
    0x0100_00A0,
    0x0100_00C8,
    0x0100_00FA,
    0x0100_0140,
    0x0100_0190,
    0x0100_01F4,
    0x0100_0280,
    0x0100_0320,
    0x0100_03E8,
    0x0100_04E2,
    0x0100_0640,
    0x0100_07D0,
    0x0100_09C4,
    0x0100_0C80,
    0x0100_0FA0,
    0x0100_1388,
    0x0100_1900,
    0x0100_1F40,
    0x0100_2710,
    0x0100_3200,
    0x0100_3E80,
    0x0100_6400,
    0x0100_C800,
    0x0101_9000,
    0x0103_2000,
    0x0106_4000,
    0x02FF_FFFF,
    0x0200_0064,
    0x0200_00C8,
    0x0200_0190,
    0x0200_0320,
    0x0200_0640,
    0x0200_0C80,
    0x0200_1900,
    0x0200_3200,
    0x0200_6400,
    0x0200_C800,
];

/// Exposure compensation in thousandths of a stop, ±5 in third stops, in the body's order
/// (0 first; `cameras/sony-a6300.txt`, 0x5010).
pub const EXPOSURE_COMPENSATION_A6300: &[i64] = &[
    0, 5000, 4700, 4500, 4300, 4000, 3700, 3500, 3300, 3000, 2700, 2500, 2300, 2000, 1700, 1500,
    1300, 1000, 700, 500, 300, -300, -500, -700, -1000, -1300, -1500, -1700, -2000, -2300, -2500,
    -2700, -3000, -3300, -3500, -3700, -4000, -4300, -4500, -4700, -5000,
];

/// Flash compensation, ±3 in third stops (0xD200).
pub const FLASH_COMPENSATION_A6300: &[i64] = &[
    0, 3000, 2700, 2500, 2300, 2000, 1700, 1500, 1300, 1000, 700, 500, 300, -300, -500, -700,
    -1000, -1300, -1500, -1700, -2000, -2300, -2500, -2700, -3000,
];

/// The a6300's drive modes (0x5013 StillCaptureMode), in its order.
pub const DRIVE_MODES_A6300: &[i64] = &[
    1, 0x8010, 2, 0x8015, 0x8012, 0x8005, 0x8003, 0x8004, 0x8008, 0x8009, 0x800C, 0x800D, 0x800E,
    0x800F, 0x8337, 0x8537, 0x8937, 0x8357, 0x8557, 0x8957, 0x8377, 0x8577, 0x8977, 0x8311, 0x8511,
    0x8911, 0x8321, 0x8521, 0x8331, 0x8531, 0x8336, 0x8536, 0x8936, 0x8356, 0x8556, 0x8956, 0x8376,
    0x8576, 0x8976, 0x8310, 0x8510, 0x8910, 0x8320, 0x8520, 0x8330, 0x8530, 0x8018, 0x8028, 0x8019,
    0x8029,
];

/// The a6300's exposure programs (0x500E; set by the mode dial, reported only).
pub const EXPOSURE_PROGRAMS_A6300: &[i64] = &[
    0x8000, 0x8001, 2, 3, 4, 1, 0x8050, 0x8051, 0x8052, 0x8053, 0x8054, 0x8080, 0x8081, 0x8082,
    0x8055, 0x8056, 0x8057, 0x8058, 0x8083, 0x8041, 7, 0x8011, 0x8015, 0x8014, 0x8012, 0x8013,
    0x8016, 0x8017, 0x8018,
];

const fn setting(
    code: u16,
    ty: ValueType,
    get_set: u8,
    values: (i64, i64),
    form: Form,
    dial: Dial,
) -> SonyProp {
    SonyProp::setting(code, ty, get_set, values, form, dial)
}

const fn status(code: u16, ty: ValueType, values: (i64, i64), form: Form) -> SonyProp {
    SonyProp::status(code, ty, IsEnabled::DISPLAY_ONLY, values, form)
}

const fn range(min: i64, max: i64, step: i64) -> Form {
    Form::Range { min, max, step }
}

/// The a6300's properties in its DeviceInfo order, then its controls in 0x9202's order
/// (`cameras/sony-a6300.txt`). Initial values: JPEG fine, auto white balance, f/5.6, AF-S,
/// multi metering, flash off, M, 0 EV, single shot, 1/60 s, auto ISO.
pub const PROPS_A6300: &[SonyProp] = &[
    setting(
        0x5004,
        U8,
        1,
        (2, 3),
        Form::Enum(&[2, 3, 4, 16, 19]),
        Dial::Form,
    ),
    setting(
        0x5005,
        U16,
        1,
        (2, 2),
        Form::Enum(&[
            2, 4, 0x8011, 0x8010, 6, 0x8001, 0x8002, 0x8003, 0x8004, 7, 0x8030, 0x8012, 0x8020,
            0x8021, 0x8022,
        ]),
        Dial::Form,
    ),
    setting(
        0x5007,
        U16,
        0,
        (350, 560),
        range(0, 0xFFFF, 1),
        Dial::Values(F_NUMBERS_KIT_LENS),
    ),
    setting(
        0x500A,
        U16,
        0,
        (2, 2),
        Form::Enum(&[1, 2, 0x8004, 0x8005, 0x8006]),
        Dial::Form,
    ),
    setting(
        0x500B,
        U16,
        0,
        (0x8002, 0x8002),
        Form::Enum(&[4, 1, 0x8002]),
        Dial::Form,
    ),
    setting(
        0x500C,
        U16,
        0,
        (2, 2),
        Form::Enum(&[2, 1, 4, 3, 5, 0x8001, 0x8003, 0x8004, 0x8031, 0x8032]),
        Dial::Form,
    ),
    status(
        0x500E,
        U16,
        (0x8000, 1),
        Form::Enum(EXPOSURE_PROGRAMS_A6300),
    ),
    setting(
        0x5010,
        I16,
        0,
        (0, 0),
        Form::Enum(EXPOSURE_COMPENSATION_A6300),
        Dial::Ascending,
    ),
    setting(
        0x5013,
        U16,
        1,
        (1, 1),
        Form::Enum(DRIVE_MODES_A6300),
        Dial::Form,
    ),
    setting(
        0xD200,
        I16,
        0,
        (0, 0),
        Form::Enum(FLASH_COMPENSATION_A6300),
        Dial::Ascending,
    ),
    setting(
        0xD201,
        U8,
        1,
        (1, 31),
        Form::Enum(&[1, 31, 17, 18, 19, 20, 21]),
        Dial::Form,
    ),
    setting(
        0xD203,
        U8,
        1,
        (1, 1),
        Form::Enum(&[
            4, 14, 15, 5, 6, 7, 16, 17, 18, 8, 19, 9, 10, 11, 20, 21, 12, 23, 24, 13, 1, 2, 3,
        ]),
        Dial::Form,
    ),
    setting(
        0xD20D,
        U32,
        0,
        (ss(1, 60), ss(1, 60)),
        range(0, 0xFFFF_FFFF, 1),
        Dial::Values(SHUTTER_SPEEDS_A6300),
    )
    .stepped(),
    // A picture setting without a name in libgphoto2; reported only.
    status(
        0xD20E,
        U8,
        (1, 1),
        Form::Enum(&[1, 2, 3, 11, 8, 9, 10, 4, 12, 5, 13, 6, 14, 7, 15]),
    ),
    setting(
        0xD20F,
        U16,
        1,
        (5500, 5500),
        range(2500, 9900, 100),
        Dial::Form,
    ),
    setting(0xD211, U8, 1, (1, 1), Form::Enum(&[1, 2]), Dial::Form),
    status(0xD213, U8, (1, 1), Form::Enum(&[1, 2, 3, 5, 6, 7])),
    setting(
        0xD21E,
        U32,
        0,
        (0xFF_FFFF, 0xFF_FFFF),
        Form::Enum(ISO_A6300),
        Dial::Form,
    ),
    setting(
        0xD21B,
        U16,
        1,
        (0x8000, 0x8000),
        Form::Enum(&[0x8000]),
        Dial::Form,
    ),
    status(0xD21D, U8, (0, 0), range(0, 2, 1)),
    status(0xD21F, U8, (1, 1), Form::Enum(&[2, 1])),
    status(0xD217, U8, (1, 1), Form::Enum(&[2, 1])),
    // Battery in percent; -1 while unknown.
    status(0xD218, I8, (-1, 75), range(-1, 100, 1)),
    status(0xD219, U8, (1, 1), Form::Enum(&[2, 1])),
    status(0xD212, U8, (0, 0), range(0, 15, 1)),
    setting(0xD210, U8, 1, (192, 192), range(164, 220, 1), Dial::Form),
    setting(0xD21C, U8, 1, (192, 192), range(164, 220, 2), Dial::Form),
    status(0xD221, U8, (0, 0), Form::Enum(&[0, 1, 2])),
    // The zoom position as the ILCE-6000 reported it with its kit lens.
    status(
        0xD214,
        U32,
        (0xFFFF_FFFF, 33_924_096),
        range(0, 0xFFFF_FFFF, 1),
    ),
    SonyProp::status(0xD215, U16, IsEnabled::ENABLED, (0, 0), range(0, 0xFFFF, 1)),
    SonyProp::button(0xD2C1, ExtGetSet::BUTTON),
    SonyProp::button(0xD2C2, ExtGetSet::BUTTON),
    SonyProp::button(0xD2C3, ExtGetSet::BUTTON),
    SonyProp::button(0xD2C9, ExtGetSet::BUTTON),
    SonyProp::button(0xD2C8, ExtGetSet::BUTTON),
    SonyProp::button(0xD2C5, ExtGetSet::LOCK),
    SonyProp::button(0xD2C7, ExtGetSet::BUTTON),
];

/// OperationsSupported of the body in PC Remote mode, in its order (the ILCE-6000's,
/// `cameras/sony-a6000.txt`): the standard object operations and the five SDIO ones.
pub const OPERATIONS_A6300: &[OperationCode] = &[
    OperationCode::OPEN_SESSION,
    OperationCode::CLOSE_SESSION,
    OperationCode::GET_DEVICE_INFO,
    OperationCode::GET_STORAGE_IDS,
    OperationCode::GET_STORAGE_INFO,
    OperationCode::GET_NUM_OBJECTS,
    OperationCode::GET_OBJECT_HANDLES,
    OperationCode::GET_OBJECT_INFO,
    OperationCode::GET_OBJECT,
    OperationCode::GET_THUMB,
    OperationCode::GET_PARTIAL_OBJECT,
    op::SDIO_CONNECT,
    op::GET_EXT_DEVICE_INFO,
    op::SET_EXT_DEVICE_PROP_VALUE,
    op::CONTROL_DEVICE,
    op::GET_ALL_EXT_DEVICE_PROP_INFO,
];

/// EventsSupported: the three Sony events.
pub const EVENTS_A6300: &[EventCode] =
    &[ec::OBJECT_ADDED, ec::OBJECT_REMOVED, ec::PROPERTY_CHANGED];

/// The Alpha 6300 in PC Remote mode.
pub static A6300: SonyBody = SonyBody {
    operations: OPERATIONS_A6300,
    events: EVENTS_A6300,
    props: PROPS_A6300,
    sdio_version: SDIO_VERSION_200,
    // Not public: chosen so that clients meet the 0x2009 retry they are written for.
    liveview_warmup_ms: 150,
    focus_ms: 80,
    capture_ms: 150,
};

#[cfg(feature = "camera")]
pub use camera::{sony_a6300, sony_a6300_mtp};

#[cfg(feature = "camera")]
mod camera {
    use vcam_core::model::PtpIpIdentity;
    use vcam_core::model::prop::{desc, str};
    use vcam_core::ptp_types::{
        DeviceInfo, DevicePropCode as P, DevicePropDesc, FunctionalMode, GetSet,
        ObjectFormatCode as F, OperationCode as O, PropForm, PropValue, PtpString,
    };
    use vcam_core::{CameraModel, PropertyDef, UsbIdentity};

    use super::A6300;
    use crate::body::{Access, SonyProp};
    use crate::codes::VENDOR_EXTENSION_ID;
    use crate::codes::format;

    /// The serial number the body reports (`cameras/sony-a6300.txt`: 32 zeros).
    const SERIAL: &str = "00000000000000000000000000000000";

    /// A body property as a core property: listed in DeviceInfo unless it is a control;
    /// settable (for the core's checks) unless only the body changes it.
    pub(crate) fn property(p: &SonyProp) -> PropertyDef {
        let value = |v| p.ty.value(v).unwrap_or(PropValue::UInt8(0));
        let get_set = if p.access == Access::ReadOnly {
            GetSet::GET
        } else {
            GetSet::GET_SET
        };
        let desc = DevicePropDesc {
            code: p.code,
            data_type: p.ty.data_type(),
            get_set,
            factory_default: value(p.default),
            current: value(p.current),
            form: p.prop_form(),
        };
        if p.is_control() {
            PropertyDef::hidden(desc)
        } else {
            PropertyDef::listed(desc)
        }
    }

    /// The `sony_a6300` model: an ILCE-6300 in PC Remote mode. DeviceInfo as the body reports
    /// it (VendorExtensionID 0x11 "Sony PTP Extensions" selects libgphoto2's Sony path,
    /// `library.c`: `fixup_cached_deviceinfo`; no capture formats; no storage in this mode),
    /// USB 054c:079c with product "ILCE-6300", bulk IN 0x81, bulk OUT 0x02, interrupt IN 0x83
    /// (32 bytes, bInterval 7), bus powered at 500 mA
    /// (`docs/reference/vendors-wifi-sony-fuji.md` §5.1, §5.2).
    #[must_use]
    pub fn sony_a6300() -> CameraModel {
        CameraModel {
            id: "sony_a6300",
            summary: "Sony Alpha 6300 / ILCE-6300 in PC Remote mode (SDIO extension: handshake, 0x9209 descriptors, S1/S2 capture to 0xFFFFC001, live view at 0xFFFFC002; USB 054c:079c)",
            device_info: DeviceInfo {
                standard_version: 100,
                vendor_extension_id: VENDOR_EXTENSION_ID,
                vendor_extension_version: 100,
                vendor_extension_desc: PtpString::truncating("Sony PTP Extensions"),
                functional_mode: FunctionalMode::STANDARD,
                operations_supported: A6300.operations.to_vec(),
                events_supported: A6300.events.to_vec(),
                device_properties_supported: Vec::new(),
                capture_formats: Vec::new(),
                playback_formats: vec![F::EXIF_JPEG, F(0xB301), format::ARW],
                manufacturer: PtpString::truncating("Sony Corporation"),
                model: PtpString::truncating("ILCE-6300"),
                device_version: PtpString::truncating("1.0"),
                serial_number: PtpString::truncating(SERIAL),
            },
            properties: A6300.props.iter().map(property).collect(),
            usb: UsbIdentity {
                bcd_device: 0x0100,
                serial: Some(SERIAL.into()),
                interrupt_max_packet: 32,
                interrupt_interval: 7,
                max_power: 250,
                config_attributes: 0x80,
                ..UsbIdentity::still_image(0x054C, 0x079C, "Sony", "ILCE-6300")
            },
            ptpip: PtpIpIdentity::new(*b"vcam-sony-a6300!", "ILCE-6300"),
            storage_description: PtpString::truncating("Storage Media"),
            capture_folder: "100MSDCF".into(),
            capture_prefix: "DSC0".into(),
        }
    }

    /// The `sony_a6300_mtp` model: the same body with its USB mode set to MTP (054c:077a,
    /// "Sony:Alpha-A6300 (MTP)" in libgphoto2's `models[]`), a plain MTP camera serving its
    /// card. DeviceInfo as a Sony Alpha of the same generation reports it in this mode
    /// (`cameras/sony-a3000.txt`: VendorExtensionID 0xFFFFFFFF with no description, which
    /// libgphoto2 maps to Sony from the Manufacturer, and the five properties listed).
    #[must_use]
    pub fn sony_a6300_mtp() -> CameraModel {
        let mtp = vcam_core::generic::mtp_camera();
        // No capture and no live view in this mode: the body only serves its card.
        let operations_supported = mtp
            .device_info
            .operations_supported
            .iter()
            .copied()
            .filter(|op| {
                !matches!(
                    *op,
                    O::INITIATE_CAPTURE
                        | O::INITIATE_OPEN_CAPTURE
                        | O::TERMINATE_OPEN_CAPTURE
                        | O::GET_STREAM_INFO
                        | O::GET_STREAM
                )
            })
            .collect();
        let listed = [
            desc(
                P::BATTERY_LEVEL,
                GetSet::GET,
                PropValue::UInt8(100),
                PropForm::Range {
                    min: PropValue::UInt8(0),
                    max: PropValue::UInt8(100),
                    step: PropValue::UInt8(1),
                },
            ),
            desc(
                P::DEVICE_FRIENDLY_NAME,
                GetSet::GET,
                str("ILCE-6300"),
                PropForm::None,
            ),
            desc(
                P::SESSION_INITIATOR_VERSION_INFO,
                GetSet::GET_SET,
                str(""),
                PropForm::None,
            ),
            desc(
                P::PERCEIVED_DEVICE_TYPE,
                GetSet::GET,
                PropValue::UInt32(1),
                PropForm::None,
            ),
            desc(P(0xD303), GetSet::GET, PropValue::UInt8(1), PropForm::None),
        ];
        CameraModel {
            id: "sony_a6300_mtp",
            summary: "Sony Alpha 6300 / ILCE-6300 in MTP mode (the card over MTP; USB 054c:077a)",
            device_info: DeviceInfo {
                vendor_extension_id: 0xFFFF_FFFF,
                vendor_extension_desc: PtpString::new(),
                operations_supported,
                capture_formats: Vec::new(),
                manufacturer: PtpString::truncating("Sony Corporation"),
                model: PtpString::truncating("ILCE-6300"),
                device_version: PtpString::truncating("1.0"),
                serial_number: PtpString::truncating(SERIAL),
                ..mtp.device_info
            },
            properties: listed.into_iter().map(PropertyDef::listed).collect(),
            usb: UsbIdentity {
                product_id: 0x077A,
                manufacturer: "Sony".into(),
                product: "ILCE-6300".into(),
                serial: Some(SERIAL.into()),
                interrupt_max_packet: 32,
                interrupt_interval: 7,
                max_power: 250,
                config_attributes: 0x80,
                vendor_id: 0x054C,
                ..mtp.usb
            },
            ptpip: PtpIpIdentity::new(*b"vcam-sony-a6300m", "ILCE-6300"),
            storage_description: PtpString::truncating("Storage Media"),
            capture_folder: "100MSDCF".into(),
            capture_prefix: "DSC0".into(),
        }
    }
}
