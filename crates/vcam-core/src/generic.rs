//! The default model: a generic PTP 1.1 still camera with the ISO 15740 operation set, the
//! common exposure properties and a PTP 1.1 video stream for live view.

use ptp_types::{
    DeviceInfo, DevicePropCode as P, EventCode as E, FunctionalMode, GetSet, ObjectFormatCode as F,
    OperationCode as O, PropForm, PropValue, PtpString,
};

use crate::model::{CameraModel, PropertyDef, PtpIpIdentity, UsbIdentity, prop};

/// VideoFormat of the live view stream: Motion JPEG, FourCC "MJPG" (PTP 1.1 §13.5.34).
pub const VIDEO_FORMAT_MJPG: u32 = 0x4750_4A4D;

/// The standard operations vcam-core answers for real, in DeviceInfo order.
pub const STANDARD_OPERATIONS: &[O] = &[
    O::GET_DEVICE_INFO,
    O::OPEN_SESSION,
    O::CLOSE_SESSION,
    O::GET_STORAGE_IDS,
    O::GET_STORAGE_INFO,
    O::GET_NUM_OBJECTS,
    O::GET_OBJECT_HANDLES,
    O::GET_OBJECT_INFO,
    O::GET_OBJECT,
    O::GET_THUMB,
    O::DELETE_OBJECT,
    O::SEND_OBJECT_INFO,
    O::SEND_OBJECT,
    O::INITIATE_CAPTURE,
    O::FORMAT_STORE,
    O::RESET_DEVICE,
    O::SELF_TEST,
    O::SET_OBJECT_PROTECTION,
    O::POWER_DOWN,
    O::GET_DEVICE_PROP_DESC,
    O::GET_DEVICE_PROP_VALUE,
    O::SET_DEVICE_PROP_VALUE,
    O::RESET_DEVICE_PROP_VALUE,
    O::TERMINATE_OPEN_CAPTURE,
    O::MOVE_OBJECT,
    O::COPY_OBJECT,
    O::GET_PARTIAL_OBJECT,
    O::INITIATE_OPEN_CAPTURE,
    O::GET_STREAM_INFO,
    O::GET_STREAM,
];

/// The standard events vcam-core raises.
pub const STANDARD_EVENTS: &[E] = &[
    E::CANCEL_TRANSACTION,
    E::OBJECT_ADDED,
    E::OBJECT_REMOVED,
    E::STORE_ADDED,
    E::STORE_REMOVED,
    E::DEVICE_PROP_CHANGED,
    E::OBJECT_INFO_CHANGED,
    E::DEVICE_INFO_CHANGED,
    E::STORE_FULL,
    E::STORAGE_INFO_CHANGED,
    E::CAPTURE_COMPLETE,
];

/// The standard exposure and capture properties with the forms a compact camera gives them
/// (ISO 15740:2013 §13.5). Values are in the spec's units: FNumber and FocalLength in
/// hundredths, ExposureTime in 0.1 ms, ExposureBiasCompensation in thousandths of a stop.
#[must_use]
pub fn standard_properties() -> Vec<PropertyDef> {
    use prop::{desc, enum_i16, enum_str, enum_u16, enum_u32, str};
    let rw = GetSet::GET_SET;
    let u8r = |min, max, step| PropForm::Range {
        min: PropValue::UInt8(min),
        max: PropValue::UInt8(max),
        step: PropValue::UInt8(step),
    };
    let u16r = |min, max, step| PropForm::Range {
        min: PropValue::UInt16(min),
        max: PropValue::UInt16(max),
        step: PropValue::UInt16(step),
    };
    let u32r = |min, max, step| PropForm::Range {
        min: PropValue::UInt32(min),
        max: PropValue::UInt32(max),
        step: PropValue::UInt32(step),
    };
    let bias: Vec<i16> = (-9..=9).map(|i: i16| i * 1000 / 3).collect();
    [
        desc(
            P::BATTERY_LEVEL,
            GetSet::GET,
            PropValue::UInt8(80),
            u8r(0, 100, 1),
        ),
        desc(
            P::IMAGE_SIZE,
            rw,
            str("1600x1200"),
            enum_str(&["2048x1536", "1600x1200", "1024x768", "640x480"]),
        ),
        desc(
            P::WHITE_BALANCE,
            rw,
            PropValue::UInt16(2),
            enum_u16(&[1, 2, 4, 5, 6, 7]),
        ),
        desc(
            P::F_NUMBER,
            rw,
            PropValue::UInt16(560),
            enum_u16(&[
                280, 320, 350, 400, 450, 500, 560, 630, 710, 800, 900, 1000, 1100, 1300, 1400, 1600,
            ]),
        ),
        desc(
            P::FOCAL_LENGTH,
            rw,
            PropValue::UInt32(3500),
            u32r(1800, 5500, 100),
        ),
        desc(
            P::FOCUS_MODE,
            rw,
            PropValue::UInt16(2),
            enum_u16(&[1, 2, 3]),
        ),
        desc(
            P::EXPOSURE_TIME,
            rw,
            PropValue::UInt32(80),
            enum_u32(&[
                3, 5, 10, 20, 40, 80, 166, 333, 666, 1250, 2500, 5000, 10000, 20000,
            ]),
        ),
        desc(
            P::EXPOSURE_PROGRAM_MODE,
            rw,
            PropValue::UInt16(2),
            enum_u16(&[1, 2, 3, 4]),
        ),
        desc(
            P::EXPOSURE_INDEX,
            rw,
            PropValue::UInt16(400),
            enum_u16(&[100, 200, 400, 800, 1600, 3200, 6400]),
        ),
        desc(
            P::EXPOSURE_BIAS_COMPENSATION,
            rw,
            PropValue::Int16(0),
            enum_i16(&bias),
        ),
        desc(P::DATE_TIME, rw, str("20260101T000000"), PropForm::None),
        desc(
            P::CAPTURE_DELAY,
            rw,
            PropValue::UInt32(0),
            enum_u32(&[0, 2000, 10000]),
        ),
        desc(
            P::STILL_CAPTURE_MODE,
            rw,
            PropValue::UInt16(1),
            enum_u16(&[1, 2, 3]),
        ),
        desc(P::BURST_NUMBER, rw, PropValue::UInt16(3), u16r(1, 10, 1)),
        desc(
            P::BURST_INTERVAL,
            rw,
            PropValue::UInt16(100),
            u16r(100, 1000, 100),
        ),
        desc(
            P::TIMELAPSE_NUMBER,
            rw,
            PropValue::UInt32(3),
            u32r(1, 100, 1),
        ),
        desc(
            P::TIMELAPSE_INTERVAL,
            rw,
            PropValue::UInt32(1000),
            u32r(500, 60000, 500),
        ),
        desc(
            P::SUPPORTED_STREAMS,
            GetSet::GET,
            PropValue::UInt32(1),
            PropForm::None,
        ),
        desc(
            P::ENABLED_STREAMS,
            rw,
            PropValue::UInt32(0),
            enum_u32(&[0, 1]),
        ),
        desc(
            P::VIDEO_FORMAT,
            GetSet::GET,
            PropValue::UInt32(VIDEO_FORMAT_MJPG),
            PropForm::None,
        ),
    ]
    .into_iter()
    .map(PropertyDef::listed)
    .collect()
}

/// The generic PTP camera (`generic`).
#[must_use]
pub fn generic() -> CameraModel {
    CameraModel {
        id: "generic",
        summary: "generic PTP 1.1 still camera (ISO 15740 operations, exposure properties, stream live view)",
        device_info: DeviceInfo {
            standard_version: 110,
            vendor_extension_id: 0,
            vendor_extension_version: 0,
            vendor_extension_desc: PtpString::new(),
            functional_mode: FunctionalMode::STANDARD,
            operations_supported: STANDARD_OPERATIONS.to_vec(),
            events_supported: STANDARD_EVENTS.to_vec(),
            device_properties_supported: Vec::new(),
            capture_formats: vec![F::EXIF_JPEG],
            playback_formats: vec![
                F::ASSOCIATION,
                F::EXIF_JPEG,
                F::JFIF,
                F::PNG,
                F::TIFF,
                F::QT,
                F::MP4_CONTAINER,
                F::TEXT,
                F::UNDEFINED,
            ],
            manufacturer: PtpString::truncating("vcam"),
            model: PtpString::truncating("Generic PTP Camera"),
            device_version: PtpString::truncating(env!("CARGO_PKG_VERSION")),
            serial_number: PtpString::truncating("VCAM0000000001"),
        },
        properties: standard_properties(),
        // pid.codes test VID:PID: no real body has it, so clients fall back to the Still Image
        // class.
        usb: UsbIdentity {
            serial: Some("VCAM0000000001".into()),
            ..UsbIdentity::still_image(0x1209, 0x0001, "vcam", "vcam Generic PTP Camera")
        },
        ptpip: PtpIpIdentity::new(*b"vcam-generic-ptp", "vcam Generic PTP Camera"),
        storage_description: PtpString::truncating("SD"),
        capture_folder: "100VCAM".into(),
        capture_prefix: "IMG_".into(),
    }
}

/// The MTP camera (`mtp_camera`): a still camera that presents itself as an MTP device
/// (VendorExtensionID 6, "microsoft.com: 1.0; android.com: 1.0;"; MTP 1.1 §5.1.1), with the MTP
/// object property operations, Android's 64-bit partial read and the MTP device properties, the interface string "MTP" and the Microsoft OS
/// descriptor that libmtp probes for (libmtp `src/libusb1-glue.c`: `probe_device_descriptor`).
#[must_use]
pub fn mtp_camera() -> CameraModel {
    use prop::{desc, str};
    let generic = generic();
    let rw = GetSet::GET_SET;
    let mut properties = generic.properties;
    properties.extend(
        [
            desc(P::SYNCHRONIZATION_PARTNER, rw, str(""), PropForm::None),
            desc(
                P::DEVICE_FRIENDLY_NAME,
                rw,
                str("vcam MTP Camera"),
                PropForm::None,
            ),
            desc(
                P::SESSION_INITIATOR_VERSION_INFO,
                rw,
                str(""),
                PropForm::None,
            ),
            // PerceivedDeviceType 1: still image / video camera (MTP 1.1 §5.1.2.41).
            desc(
                P::PERCEIVED_DEVICE_TYPE,
                GetSet::GET,
                PropValue::UInt32(1),
                PropForm::None,
            ),
        ]
        .into_iter()
        .map(PropertyDef::listed),
    );
    let mut operations_supported = generic.device_info.operations_supported;
    operations_supported.extend_from_slice(crate::MTP_OPERATIONS);
    // MTP has no 64-bit partial read; Android's extension does, and MTP initiators use it for
    // objects of 4 GiB and more (libmtp, libgphoto2 `ptp_android_getpartialobject64`).
    operations_supported.push(crate::android::GET_PARTIAL_OBJECT_64);
    let mut events_supported = generic.device_info.events_supported;
    events_supported.push(E(0xC801)); // ObjectPropChanged (MTP 1.1 appendix G)
    CameraModel {
        id: "mtp_camera",
        summary: "still camera in MTP mode (MTP 1.1 object properties, Microsoft OS descriptor, libmtp)",
        device_info: DeviceInfo {
            standard_version: 100,
            vendor_extension_id: 6,
            vendor_extension_version: 100,
            vendor_extension_desc: PtpString::truncating("microsoft.com: 1.0; android.com: 1.0;"),
            operations_supported,
            events_supported,
            model: PtpString::truncating("MTP Camera"),
            serial_number: PtpString::truncating("VCAM0000000002"),
            ..generic.device_info
        },
        properties,
        usb: UsbIdentity {
            serial: Some("VCAM0000000002".into()),
            interface_name: Some("MTP".into()),
            microsoft_os_descriptor: true,
            ..UsbIdentity::still_image(0x1209, 0x0002, "vcam", "vcam MTP Camera")
        },
        ptpip: PtpIpIdentity::new(*b"vcam-mtp-camera!", "vcam MTP Camera"),
        ..generic
    }
}
