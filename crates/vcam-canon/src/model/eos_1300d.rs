//! The EOS 1300D (EOS Rebel T6) as its real body reports itself (libgphoto2
//! `camlibs/ptp2/cameras/canon-eos1300d.txt`: its DeviceInfo and its first GetEvent dump with
//! every value and available list).

use std::borrow::Cow;

use vcam_core::ptp_types::{
    DeviceInfo, EventCode as E, FunctionalMode, ObjectFormatCode as F, OperationCode, PtpString,
};
use vcam_core::{CameraModel, UsbIdentity};

use crate::body::{EosBody, EosProp};
use crate::codes::{ec, format};
use crate::records::{AfPoint, FocusInfo, ImageFormat};

use super::{
    SHUTTER_SPEEDS_30S_TO_4000, WB_SHIFTS, eos_properties, eos_ptpip, n, operation_codes,
    standard_props, t,
};

/// The 1300D's ImageFormat choices, in its order: L, M, S1 fine and normal, S2, S3,
/// RAW + L fine, RAW (the AvailListChanged of 0xD120 in `canon-eos1300d.txt`; names from
/// `config.c`: `canon_eos_single_ImageFormats`, `_get_Canon_EOS_ImageFormat`).
pub const IMAGE_FORMATS_1300D: [ImageFormat; 10] = [
    ImageFormat::jpeg(0, 3),
    ImageFormat::jpeg(0, 2),
    ImageFormat::jpeg(1, 3),
    ImageFormat::jpeg(1, 2),
    ImageFormat::jpeg(0xE, 3),
    ImageFormat::jpeg(0xE, 2),
    ImageFormat::jpeg(0xF, 3),
    ImageFormat::jpeg(0x10, 3),
    ImageFormat::raw(Some((0, 3))),
    ImageFormat::raw(None),
];

/// The 1300D's EOS properties with the values and lists of the real body's GetEvent dump.
/// ImageFormat starts at L fine JPEG (the dump's body was set to RAW + L; vcam renders JPEG).
pub const PROPS_1300D: &[EosProp] = &[
    n(0xD105, 3, &[]),
    n(0xD108, 0, &[0, 2, 1]),
    n(0xD106, 0, &[0, 1, 0x10, 0x11, 7]),
    n(0xD107, 3, &[3, 4, 5]),
    n(0xD109, 0, &[0, 0x17, 1, 8, 2, 3, 4, 5, 6]),
    n(0xD10B, 0, WB_SHIFTS),
    n(0xD10C, 0, WB_SHIFTS),
    n(0xD10D, 0, &[0, 1, 2, 3]),
    n(0xD10E, 0, &[0, 1, 2, 3]),
    n(0xD10F, 1, &[1, 2]),
    n(0xD11B, 57, &[]),
    n(0xD114, 0, &[]),
    n(0xD116, 0x8000_0404, &[]),
    n(0xD119, 0x100, &[]),
    n(
        0xD110,
        0x87,
        &[0x87, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x21, 0x22, 0x23],
    ),
    n(
        0xD101,
        0x2B,
        &[
            0x2B, 0x2D, 0x30, 0x33, 0x35, 0x38, 0x3B, 0x3D, 0x40, 0x43, 0x45, 0x48, 0x4B, 0x4D,
            0x50, 0x53, 0x55,
        ],
    ),
    n(0xD102, 0x53, SHUTTER_SPEEDS_30S_TO_4000),
    n(
        0xD103,
        0x68,
        &[0, 0x48, 0x50, 0x58, 0x60, 0x68, 0x70, 0x78, 0x80],
    ),
    n(0xD104, 0, &[]),
    n(0xD11D, 0, &[]),
    n(0xD111, 1, &[]),
    n(0xD112, 0, &[]),
    n(0xD113, 0x60BA_3078, &[]),
    // ImageFormat and ImageFormatSD: compact form of L fine JPEG; the list is
    // IMAGE_FORMATS_1300D.
    n(0xD120, 0x03FF, &[]),
    n(0xD122, 0x03FF, &[]),
    n(0xD11C, 2, &[2, 4, 6]),
    n(0xD1A8, 1, &[]),
    n(0xD1AB, 0, &[]),
    n(0xD1B0, 0, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 0xA, 0xB]),
    n(0xD1B1, 1, &[1, 0]),
    n(0xD1B2, 0, &[]),
    n(0xD1B3, 0, &[]),
    n(0xD1B4, 0, &[0, 0x17, 1, 8, 2, 3, 4, 5, 6, 0x8000]),
    n(0xD1B5, 0x30, &[]),
    n(0xD1A9, 2, &[0, 2, 4, 8, 0xFF]),
    n(0xD1AC, 0x1240, &[]),
    n(0xD11E, 0x0002_0001, &[]),
    n(0xD11F, 0x9190_0000, &[]),
    n(0xD1D9, 0, &[0, 3, 5, 8, 0xB, 0xD, 0x10]),
    n(0xD1BA, 1, &[1, 2, 0]),
    n(0xD1BC, 1, &[0, 1]),
    n(0xD1B8, 0, &[]),
    t(0xD1D8, "EF-S18-55mm f/3.5-5.6 III"),
    n(0xD1B7, 1, &[]),
    n(0xD1DC, 0, &[0, 1, 2]),
    n(0xD1C1, 3, &[0, 1, 2, 3]),
    n(0xD1C0, 0, &[]),
    n(0xD1C2, 0, &[]),
    n(0xD194, 7, &[0, 2, 7, 1]),
    n(0xD1C6, 0, &[0, 1, 2]),
    n(0xD1C8, 0, &[0, 1]),
    n(0xD17C, 0x60BA_1458, &[]),
    n(0xD17E, 1, &[0, 1]),
    n(0xD138, 3, &[]),
    t(0xD115, "vcam"),
    t(0xD1D0, ""),
    t(0xD1D1, ""),
    t(0xD1AF, "083021004242"),
];

/// OperationsSupported of the real body, in its order (`canon-eos1300d.txt`): standard,
/// EOS 0x91xx, MTP 0x98xx and Canon 0x90xx codes. [`crate::CanonEos`] answers the ones
/// libgphoto2 uses (and a few more); the core answers the rest with OperationNotSupported,
/// as vcam's C original did for its generic EOS handler.
pub const OPERATIONS_1300D: &[OperationCode] = &operation_codes([
    0x1014, 0x1015, 0x1016, 0x1001, 0x1002, 0x1003, 0x1006, 0x1004, 0x9101, 0x1005, 0x9102, 0x1007,
    0x1008, 0x9103, 0x1009, 0x9104, 0x100a, 0x101b, 0x9107, 0x100c, 0x100d, 0x100b, 0x9105, 0x100f,
    0x9106, 0x9110, 0x9127, 0x910b, 0x9108, 0x9109, 0x910c, 0x910e, 0x910f, 0x9115, 0x9114, 0x9113,
    0x9116, 0x9117, 0x9120, 0x91f0, 0x9118, 0x9121, 0x91f1, 0x911d, 0x910a, 0x911b, 0x911c, 0x911e,
    0x911a, 0x9153, 0x9154, 0x9160, 0x9155, 0x9157, 0x9158, 0x9159, 0x915a, 0x911f, 0x91fe, 0x91ff,
    0x9128, 0x9129, 0x912d, 0x912e, 0x912f, 0x912c, 0x9130, 0x9131, 0x9132, 0x9133, 0x9134, 0x912b,
    0x9135, 0x9136, 0x9137, 0x9138, 0x9139, 0x913a, 0x913b, 0x913c, 0x91da, 0x91db, 0x91dc, 0x91dd,
    0x91de, 0x91d8, 0x91d9, 0x91d7, 0x91d5, 0x902f, 0x9141, 0x9142, 0x9143, 0x913f, 0x9033, 0x9068,
    0x9069, 0x906a, 0x906b, 0x906c, 0x906d, 0x906e, 0x906f, 0x913d, 0x9180, 0x9181, 0x9182, 0x9183,
    0x9184, 0x9185, 0x9140, 0x9801, 0x9802, 0x9803, 0x9804, 0x9805, 0x91c0, 0x91c1, 0x91c2, 0x91c3,
    0x91c4, 0x91c5, 0x91c6, 0x91c7, 0x91c8, 0x91c9, 0x91ca, 0x91cb, 0x91cc, 0x91ce, 0x91cf, 0x91d0,
    0x91d1, 0x91d2, 0x91e1, 0x91e2, 0x91e3, 0x91e4, 0x91e5, 0x91e6, 0x91e7, 0x91e8, 0x91e9, 0x91ea,
    0x91eb, 0x91ec, 0x91ed, 0x91ee, 0x91ef, 0x91f8, 0x91f9, 0x91f2, 0x91f3, 0x91f4, 0x91f7, 0x9122,
    0x9123, 0x9124, 0x91f5, 0x91f6, 0x9052, 0x9053, 0x9057, 0x9058, 0x9059, 0x905a, 0x905f,
]);

/// The 1300D's nine AF points `(x, y, w, h)` in its FocusInfoEx (`canon-eos1300d.txt`,
/// event 56: `size=5184x3456`, version 4).
pub const AF_POINTS_1300D: &[AfPoint] = &[
    (0, 743, 117, 181),
    (-839, 393, 172, 129),
    (839, 393, 172, 129),
    (-1394, 0, 172, 129),
    (0, 0, 224, 222),
    (1394, 0, 172, 129),
    (-839, -393, 172, 129),
    (839, -393, 172, 129),
    (0, -743, 117, 181),
];

/// The EOS 1300D.
pub static EOS_1300D: EosBody = EosBody {
    operations: OPERATIONS_1300D,
    props: PROPS_1300D,
    image_formats: &IMAGE_FORMATS_1300D,
    focus: FocusInfo {
        version: 4,
        size: (5184, 3456),
        size2: (5184, 3456),
        points_in_use: 9,
        points: Cow::Borrowed(AF_POINTS_1300D),
        selection: Vec::new(),
        trailer: Cow::Borrowed(&[0xFF, 0x01, 0x00, 0x00, 0xFF, 0xFF]),
    },
    // The centre point.
    focused_points: 1 << 4,
};

/// The `canon_1300d` model: DeviceInfo as the real body reports it (`canon-eos1300d.txt`;
/// VendorExtensionID 6 + Manufacturer "Canon Inc." selects the EOS path in libgphoto2's
/// `fixup_cached_deviceinfo`, library.c), USB 04a9:32b4 (`library.c`: `models[]`,
/// "Canon:EOS 1300D"), the EOS properties of [`EOS_1300D`] (hidden from DeviceInfo).
#[must_use]
pub fn canon_1300d() -> CameraModel {
    CameraModel {
        id: "canon_1300d",
        summary: "Canon EOS 1300D / Rebel T6 (EOS extension: GetEvent, remote release, live view; USB 04a9:32b4)",
        device_info: DeviceInfo {
            standard_version: 100,
            // A real 1300D reports 6 (Microsoft) with an empty description; libgphoto2 turns
            // that into Canon from the Manufacturer (library.c fixup_cached_deviceinfo).
            vendor_extension_id: 6,
            vendor_extension_version: 100,
            vendor_extension_desc: PtpString::new(),
            functional_mode: FunctionalMode::STANDARD,
            operations_supported: EOS_1300D.operations.to_vec(),
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
                F::EXIF_JPEG,
                format::CRW3,
                F::QT,
                F::UNDEFINED,
            ],
            manufacturer: PtpString::truncating("Canon Inc."),
            model: PtpString::truncating("Canon EOS 1300D"),
            device_version: PtpString::truncating("3-1.2.0"),
            serial_number: PtpString::truncating("2a7c8e0f1e3b4d5a9c6b7e8f0a1b2c3d"),
        },
        properties: eos_properties(
            &EOS_1300D,
            standard_props("Canon EOS 1300D", 75, &[0, 25, 50, 75, 100]),
        ),
        usb: usb_1300d(),
        ptpip: eos_ptpip(*b"vcam-canon-1300d", "Canon EOS 1300D"),
        storage_description: PtpString::truncating("SD"),
        capture_folder: "100CANON".into(),
        capture_prefix: "IMG_".into(),
    }
}

/// The USB identity of a real EOS 1300D / Rebel T6, field for field as its `lsusb -v` shows it
/// (vcam's C original, `src/notes/a.txt`): bcdUSB 2.00, class at interface level, bcdDevice
/// 0.02, "Canon Inc." / "Canon Digital Camera", no serial number string (iSerial 0),
/// self-powered drawing 2 mA (bMaxPower 1), one Still Image interface without a string, bulk IN
/// 0x81 and OUT 0x02 of 512 bytes, interrupt IN 0x83 of 8 bytes every 10 frames.
#[must_use]
pub fn usb_1300d() -> UsbIdentity {
    UsbIdentity {
        bcd_device: 0x0002,
        serial: None,
        interface_name: None,
        interrupt_max_packet: 8,
        interrupt_interval: 10,
        max_power: 1,
        config_attributes: 0xC0,
        ..UsbIdentity::still_image(0x04A9, 0x32B4, "Canon Inc.", "Canon Digital Camera")
    }
}
