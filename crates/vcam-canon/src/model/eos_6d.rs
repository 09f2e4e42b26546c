//! The EOS 6D, the first full-frame EOS with built-in WiFi, as its real body reports itself
//! (libgphoto2 `camlibs/ptp2/cameras/canon-eos6d.txt`: its DeviceInfo, its first GetEvent
//! dump with every value and available list, and its FocusInfoEx, decoded in
//! `canon-eos6d-focusinfoex.txt`). On WiFi it announces itself as besi/airnef `ssdp.py`
//! records (vcam-discovery).

use std::borrow::Cow;

use vcam_core::model::prop::desc;
use vcam_core::ptp_types::{
    DeviceInfo, DevicePropCode as P, EventCode as E, FunctionalMode, GetSet, ObjectFormatCode as F,
    OperationCode, PropForm, PropValue, PtpString,
};
use vcam_core::{CameraModel, UsbIdentity};

use crate::body::{EosBody, EosProp};
use crate::codes::{ec, format};
use crate::records::{AfPoint, FocusInfo, ImageFormat};

use super::{
    SHUTTER_SPEEDS_30S_TO_4000, WB_SHIFTS, eos_properties, eos_ptpip, n, operation_codes,
    standard_props, t, usb_1300d,
};

/// The 6D's 35 ImageFormat choices, in its order (the AvailListChanged of 0xD120 in
/// `canon-eos6d.txt`, printed there in libgphoto2's older compact form): JPEG L, M, S1 fine
/// and normal, S2, S3; RAW, M-RAW and S-RAW each with those JPEGs; RAW, M-RAW, S-RAW alone.
pub const IMAGE_FORMATS_6D: [ImageFormat; 35] = [
    ImageFormat::jpeg(0, 3),
    ImageFormat::jpeg(0, 2),
    ImageFormat::jpeg(1, 3),
    ImageFormat::jpeg(1, 2),
    ImageFormat::jpeg(0xE, 3),
    ImageFormat::jpeg(0xE, 2),
    ImageFormat::jpeg(0xF, 3),
    ImageFormat::jpeg(0x10, 3),
    ImageFormat::raw_sized(0, Some((0, 3))),
    ImageFormat::raw_sized(0, Some((0, 2))),
    ImageFormat::raw_sized(0, Some((1, 3))),
    ImageFormat::raw_sized(0, Some((1, 2))),
    ImageFormat::raw_sized(0, Some((0xE, 3))),
    ImageFormat::raw_sized(0, Some((0xE, 2))),
    ImageFormat::raw_sized(0, Some((0xF, 3))),
    ImageFormat::raw_sized(0, Some((0x10, 3))),
    ImageFormat::raw_sized(1, Some((0, 3))),
    ImageFormat::raw_sized(1, Some((0, 2))),
    ImageFormat::raw_sized(1, Some((1, 3))),
    ImageFormat::raw_sized(1, Some((1, 2))),
    ImageFormat::raw_sized(1, Some((0xE, 3))),
    ImageFormat::raw_sized(1, Some((0xE, 2))),
    ImageFormat::raw_sized(1, Some((0xF, 3))),
    ImageFormat::raw_sized(1, Some((0x10, 3))),
    ImageFormat::raw_sized(2, Some((0, 3))),
    ImageFormat::raw_sized(2, Some((0, 2))),
    ImageFormat::raw_sized(2, Some((1, 3))),
    ImageFormat::raw_sized(2, Some((1, 2))),
    ImageFormat::raw_sized(2, Some((0xE, 3))),
    ImageFormat::raw_sized(2, Some((0xE, 2))),
    ImageFormat::raw_sized(2, Some((0xF, 3))),
    ImageFormat::raw_sized(2, Some((0x10, 3))),
    ImageFormat::raw_sized(0, None),
    ImageFormat::raw_sized(1, None),
    ImageFormat::raw_sized(2, None),
];

/// The 6D's EOS properties with the values and lists of the real body's first GetEvent, in
/// its order; records of several words (custom functions, WFT and lens data) are left out.
pub const PROPS_6D: &[EosProp] = &[
    // The dump's body was in P (0), where Av and Tv have no list; vcam starts in M (3), the
    // mode libgphoto2 asks for bulb and manual exposure (config.c `_put_Canon_EOS_Bulb`).
    n(0xD105, 3, &[]),
    n(0xD108, 0, &[]),
    n(0xD106, 0, &[0, 1, 0x13, 0x14, 0x11, 0x10]),
    n(0xD107, 3, &[3, 4, 1, 5]),
    n(0xD109, 0, &[0, 1, 8, 2, 3, 4, 5, 6, 9]),
    n(
        0xD10A,
        0x1450,
        &[
            0x9C4, 0xA28, 0xA8C, 0xAF0, 0xB54, 0xBB8, 0xC1C, 0xC80, 0xCE4, 0xD48, 0xDAC, 0xE10,
            0xE74, 0xED8, 0xF3C, 0xFA0, 0x1004, 0x1068, 0x10CC, 0x1130, 0x1194, 0x11F8, 0x125C,
            0x12C0, 0x1324, 0x1388, 0x13EC, 0x1450, 0x14B4, 0x1518, 0x157C, 0x15E0, 0x1644, 0x16A8,
            0x170C, 0x1770, 0x17D4, 0x1838, 0x189C, 0x1900, 0x1964, 0x19C8, 0x1A2C, 0x1A90, 0x1AF4,
            0x1B58, 0x1BBC, 0x1C20, 0x1C84, 0x1CE8, 0x1D4C, 0x1DB0, 0x1E14, 0x1E78, 0x1EDC, 0x1F40,
            0x1FA4, 0x2008, 0x206C, 0x20D0, 0x2134, 0x2198, 0x21FC, 0x2260, 0x22C4, 0x2328, 0x238C,
            0x23F0, 0x2454, 0x24B8, 0x251C, 0x2580, 0x25E4, 0x2648, 0x26AC, 0x2710,
        ],
    ),
    n(0xD10B, 0, WB_SHIFTS),
    n(0xD10C, 0, WB_SHIFTS),
    n(0xD10D, 0, &[0, 1, 2, 3]),
    n(0xD10E, 0, &[0, 1, 2, 3]),
    n(0xD10F, 1, &[1, 2]),
    n(0xD11B, 0x6F4, &[]),
    n(0xD114, 0x3C, &[]),
    n(0xD116, 0x80000302, &[]),
    n(0xD119, 0x100, &[]),
    n(
        0xD110,
        0x87,
        &[0x87, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x21, 0x22, 0x23],
    ),
    // f/4 to f/22 in third stops: the EF24-105mm f/4L IS USM of the dump.
    n(
        0xD101,
        0x28,
        &[
            0x28, 0x2B, 0x2D, 0x30, 0x33, 0x35, 0x38, 0x3B, 0x3D, 0x40, 0x43, 0x45, 0x48, 0x4B,
            0x4D, 0x50,
        ],
    ),
    n(0xD102, 0x75, SHUTTER_SPEEDS_30S_TO_4000),
    n(
        0xD103,
        0x88,
        &[
            0, 0x40, 0x48, 0x4B, 0x4D, 0x50, 0x53, 0x55, 0x58, 0x5B, 0x5D, 0x60, 0x63, 0x65, 0x68,
            0x6B, 0x6D, 0x70, 0x73, 0x75, 0x78, 0x7B, 0x7D, 0x80, 0x83, 0x85, 0x88,
        ],
    ),
    n(
        0xD104,
        0,
        &[
            0xD8, 0xDB, 0xDD, 0xE0, 0xE3, 0xE5, 0xE8, 0xEB, 0xED, 0xF0, 0xF3, 0xF5, 0xF8, 0xFB,
            0xFD, 0, 3, 5, 8, 0xB, 0xD, 0x10, 0x13, 0x15, 0x18, 0x1B, 0x1D, 0x20, 0x23, 0x25, 0x28,
        ],
    ),
    n(0xD11D, 0, &[]),
    n(0xD111, 4, &[]),
    n(0xD112, 0, &[]),
    n(0xD113, 0x5104F120, &[]),
    n(0xD17C, 0x5104E310, &[]),
    n(0xD17E, 0, &[0, 1]),
    // ImageFormat, ImageFormatCF, ImageFormatSD: compact form of L fine JPEG (the dump's body
    // was set to RAW; vcam renders JPEG); the list is IMAGE_FORMATS_6D.
    n(0xD120, 0x03FF, &[]),
    n(0xD121, 0x03FF, &[]),
    n(0xD122, 0x03FF, &[]),
    n(0xD11C, 2, &[2, 6, 4]),
    n(0xD1A8, 1, &[]),
    n(0xD1AB, 0, &[]),
    n(0xD1B0, 2, &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xA, 0xB]),
    n(0xD1B1, 1, &[1, 0]),
    n(0xD1B2, 0, &[]),
    n(0xD1B3, 0, &[]),
    n(0xD1B4, 0, &[0, 1, 8, 2, 3, 4, 5, 6, 9, 0x8000]),
    n(0xD1B5, 0x30, &[]),
    n(
        0xD1B6,
        0x1450,
        &[
            0x9C4, 0xA28, 0xA8C, 0xAF0, 0xB54, 0xBB8, 0xC1C, 0xC80, 0xCE4, 0xD48, 0xDAC, 0xE10,
            0xE74, 0xED8, 0xF3C, 0xFA0, 0x1004, 0x1068, 0x10CC, 0x1130, 0x1194, 0x11F8, 0x125C,
            0x12C0, 0x1324, 0x1388, 0x13EC, 0x1450, 0x14B4, 0x1518, 0x157C, 0x15E0, 0x1644, 0x16A8,
            0x170C, 0x1770, 0x17D4, 0x1838, 0x189C, 0x1900, 0x1964, 0x19C8, 0x1A2C, 0x1A90, 0x1AF4,
            0x1B58, 0x1BBC, 0x1C20, 0x1C84, 0x1CE8, 0x1D4C, 0x1DB0, 0x1E14, 0x1E78, 0x1EDC, 0x1F40,
            0x1FA4, 0x2008, 0x206C, 0x20D0, 0x2134, 0x2198, 0x21FC, 0x2260, 0x22C4, 0x2328, 0x238C,
            0x23F0, 0x2454, 0x24B8, 0x251C, 0x2580, 0x25E4, 0x2648, 0x26AC, 0x2710,
        ],
    ),
    n(0xD1A9, 2, &[0, 2, 4, 8, 0xFF]),
    n(0xD1AC, 0x46A, &[]),
    n(0xD1AA, 0, &[]),
    n(0xD11E, 0x20001, &[]),
    n(0xD11F, 0x91900000, &[]),
    n(0xD1D9, 0, &[0, 3, 5, 8, 0xB, 0xD, 0x10, 0x13, 0x15, 0x18]),
    n(0xD1D5, 0, &[]),
    n(0xD1BA, 1, &[1, 2, 0]),
    n(0xD1BC, 1, &[1, 3, 0]),
    // EVFRecordStatus: no list, as on the body; movie recording accepts 0, 3 and 4
    // (crate::props::RECORD_TARGETS).
    n(0xD1B8, 3, &[]),
    t(0xD1D8, "EF24-105mm f/4L IS USM"),
    n(0xD1B7, 1, &[]),
    n(0xD1DC, 0, &[0, 1]),
    n(0xD1A3, 0, &[]),
    n(0xD1DF, 0, &[]),
    n(0xD1BD, 0, &[]),
    n(0xD1C1, 3, &[3, 1, 0, 2]),
    n(0xD1C0, 0, &[]),
    n(0xD1BF, 0, &[]),
    n(0xD1C4, 0, &[]),
    n(0xD1C2, 0, &[]),
    n(0xD1C5, 0, &[]),
    n(0xD194, 0, &[0, 2, 7, 1]),
    n(0xD195, 2, &[]),
    n(0xD196, 0x2F, &[]),
    n(0xD197, 0, &[]),
    n(0xD198, 0xFF, &[]),
    n(0xD1DD, 0xED, &[]),
    n(0xD1C7, 0, &[]),
    n(0xD199, 7, &[]),
    // AEModeDial: M, as AutoExposureMode above.
    n(0xD138, 3, &[]),
    n(0xD13A, 0, &[0, 1]),
    n(0xD13B, 0, &[]),
    n(0xD13C, 3, &[]),
    n(0xD14D, 0x3C, &[]),
    n(0xD19A, 0, &[]),
    n(0xD19C, 1, &[]),
    n(0xD178, 0, &[3, 1, 0, 2, 4]),
    n(0xD17B, 0, &[]),
    n(0xD19F, 0, &[]),
    n(0xD175, 0, &[]),
    n(0xD14C, 0, &[]),
    n(0xD14B, 0, &[6]),
    t(0xD115, ""),
    t(0xD1D0, ""),
    t(0xD1D1, ""),
    t(0xD1AF, "033024014483"),
];

/// OperationsSupported of the real body, in its order (`canon-eos6d.txt`). It has no
/// BulbStart/BulbEnd: libgphoto2 exposes bulb through RemoteReleaseOn/Off.
pub const OPERATIONS_6D: &[OperationCode] = &operation_codes([
    0x1001, 0x1002, 0x1003, 0x1014, 0x1015, 0x1016, 0x91d5, 0x9801, 0x9802, 0x9803, 0x9804, 0x9805,
    0x1006, 0x1004, 0x9101, 0x1005, 0x9102, 0x1007, 0x1008, 0x9103, 0x1009, 0x9104, 0x100a, 0x101b,
    0x9107, 0x100c, 0x100d, 0x100b, 0x9105, 0x100f, 0x9106, 0x9110, 0x9127, 0x910b, 0x9108, 0x9109,
    0x910c, 0x910e, 0x910f, 0x9117, 0x9120, 0x91f0, 0x9118, 0x9121, 0x91f1, 0x911d, 0x910a, 0x911b,
    0x911c, 0x911e, 0x911a, 0x9141, 0x9142, 0x9143, 0x9144, 0x9145, 0x9140, 0x9153, 0x9154, 0x9160,
    0x9155, 0x9157, 0x9158, 0x9159, 0x915a, 0x911f, 0x91fe, 0x91ff, 0x9128, 0x9129, 0x912d, 0x912e,
    0x912f, 0x912c, 0x9130, 0x9131, 0x9132, 0x9133, 0x9134, 0x912b, 0x9135, 0x9136, 0x9137, 0x9138,
    0x9139, 0x913a, 0x913b, 0x913c, 0x913d, 0x913f, 0x91da, 0x91db, 0x91dc, 0x91dd, 0x91de, 0x91d8,
    0x91d9, 0x91d7, 0x913e, 0x9113, 0x9114, 0x9115, 0x9116, 0x91c0, 0x91c1, 0x91c2, 0x91c3, 0x91c4,
    0x91c5, 0x91c6, 0x91c7, 0x91c8, 0x91c9, 0x91ca, 0x91cb, 0x91cc, 0x91ce, 0x91cf, 0x91d0, 0x91d1,
    0x91d2, 0x91e1, 0x91e2, 0x91e3, 0x91e4, 0x91e5, 0x91e6, 0x91e7, 0x91e8, 0x91e9, 0x91ea, 0x91eb,
    0x91ec, 0x91ed, 0x91ee, 0x91ef, 0x91f8, 0x91f9, 0x91f2, 0x91f3, 0x91f4, 0x91f7, 0x91df, 0x91fb,
    0x91fc, 0x91fd, 0x9122, 0x9123, 0x9124, 0x91f5, 0x91f6, 0x9033, 0x9068, 0x9069, 0x906a, 0x906b,
    0x906c, 0x906d, 0x906e, 0x906f, 0x902f, 0x9052, 0x9053, 0x9057, 0x9058, 0x9059, 0x905a, 0x905f,
]);

/// The 6D's eleven AF points `(x, y, w, h)` in its FocusInfoEx (`canon-eos6d-focusinfoex.txt`:
/// version 2, `size=5472x3648`, the centre one a cross-type sensor).
pub const AF_POINTS_6D: &[AfPoint] = &[
    (-1143, 0, 98, 82),
    (-547, 350, 98, 82),
    (-547, 0, 98, 82),
    (-547, -350, 98, 82),
    (0, 488, 76, 98),
    (0, 0, 127, 120),
    (0, -488, 76, 98),
    (547, 350, 98, 82),
    (547, 0, 98, 82),
    (547, -350, 98, 82),
    (1143, 0, 98, 82),
];

/// The EOS 6D.
pub static EOS_6D: EosBody = EosBody {
    operations: OPERATIONS_6D,
    props: PROPS_6D,
    image_formats: &IMAGE_FORMATS_6D,
    focus: FocusInfo {
        version: 2,
        size: (5472, 3648),
        size2: (5472, 3648),
        points_in_use: 11,
        points: Cow::Borrowed(AF_POINTS_6D),
        selection: Vec::new(),
        trailer: Cow::Borrowed(&[0x20, 0x00, 0x00, 0x00, 0xFF, 0xFF]),
    },
    // The centre point.
    focused_points: 1 << 5,
};

/// The `canon_6d` model: DeviceInfo as the real body reports it (`canon-eos6d.txt`; like
/// every EOS body it reports VendorExtensionID 6, which libgphoto2 turns into Canon from the
/// Manufacturer in `fixup_cached_deviceinfo`, library.c), USB 04a9:3250 (`library.c`:
/// `models[]`, "Canon:EOS 6D"), the EOS properties of [`EOS_6D`] (hidden from DeviceInfo).
#[must_use]
pub fn canon_6d() -> CameraModel {
    let mut listed = standard_props("Canon EOS 6D", 100, &[100, 0, 75, 0, 50]);
    // The 6D lists ModelID (0xD049, the value of EOS ModelID 0xD116) first.
    listed.insert(
        0,
        desc(
            P(0xD049),
            GetSet::GET,
            PropValue::UInt32(0x8000_0302),
            PropForm::None,
        ),
    );
    CameraModel {
        id: "canon_6d",
        summary: "Canon EOS 6D (EOS extension, built-in WiFi: SSDP/UPnP with --announce; USB 04a9:3250)",
        device_info: DeviceInfo {
            standard_version: 100,
            vendor_extension_id: 6,
            vendor_extension_version: 100,
            vendor_extension_desc: PtpString::new(),
            functional_mode: FunctionalMode::STANDARD,
            operations_supported: EOS_6D.operations.to_vec(),
            events_supported: vec![
                E(0x4009),
                E::STORE_ADDED,
                E::STORE_REMOVED,
                E::OBJECT_REMOVED,
                E::OBJECT_ADDED,
                E(0x4007),
                ec::REQUEST_GET_EVENT,
            ],
            device_properties_supported: Vec::new(),
            capture_formats: vec![F::EXIF_JPEG],
            playback_formats: vec![
                F::ASSOCIATION,
                F::SCRIPT,
                F::DPOF,
                F::AVI,
                F::WAV,
                F::EXIF_JPEG,
                format::CRW,
                format::CRW3,
                F(0xBF02),
                F::UNDEFINED_IMAGE,
                format::MOV,
                format::MOV2,
            ],
            manufacturer: PtpString::truncating("Canon Inc."),
            model: PtpString::truncating("Canon EOS 6D"),
            device_version: PtpString::truncating("3-1.1.2"),
            serial_number: PtpString::truncating("9d8427f6105b4cf999906ac7d9aee077"),
        },
        properties: eos_properties(&EOS_6D, listed),
        // Canon's EOS USB identity as the 1300D's real descriptors show it (no public lsusb of
        // a 6D), with the 6D's product id.
        usb: UsbIdentity {
            product_id: 0x3250,
            ..usb_1300d()
        },
        ptpip: eos_ptpip(*b"vcam-canon-eos6d", "Canon EOS 6D"),
        storage_description: PtpString::truncating("SD"),
        capture_folder: "100CANON".into(),
        capture_prefix: "IMG_".into(),
    }
}
