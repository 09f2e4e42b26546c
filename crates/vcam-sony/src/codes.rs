//! Sony codes, one table per code space, each code written once with its name (and, for
//! operations, data direction and parameter counts): the SDIO operations (0x92xx), the
//! device properties and controls (0xD2xx), the events (0xC2xx), the RAW object format, the
//! two pseudo-objects and the SDIO extension version.
//!
//! Values and names from libgphoto2's `camlibs/ptp2/ptp.h` (`PTP_OC_SONY_*`,
//! `PTP_DPC_SONY_*`, `PTP_EC_Sony_*`, `PTP_OFC_SONY_RAW`); operation names as Sony's "Camera
//! Control PTP" reference spells them, with libgphoto2's name in each doc. Parameter counts
//! are the ones clients send (libgphoto2 `camlibs/ptp2/ptp.c`: `ptp_sony_*`; see
//! `docs/reference/vendors-wifi-sony-fuji.md` §5.3 to §5.5).

use ptp_codec::{DevicePropCode, OperationCode};
use ptp_types::ObjectHandle;

ptp_codec::vendor_codes! {
    /// Sony SDIO operation codes, with the data phase and parameters of each.
    pub mod op: OperationCode {
        /// The SDIO authentication handshake, phase 1, 2 or 3 in the first parameter, two key
        /// codes (0) after it; a data phase the client ignores (libgphoto2
        /// `PTP_OC_SONY_SDIOConnect`, `ptp_sony_sdioconnect`).
        SDIO_CONNECT = 0x9201, "SDIO_Connect", ToInitiator, 0..=3;
        /// The SDIO extension version and the codes it adds to DeviceInfo
        /// ([`ExtDeviceInfo`](crate::records::ExtDeviceInfo)); the parameters are the
        /// initiator's version (0xC8 or 0x12C) and a flag (libgphoto2
        /// `PTP_OC_SONY_GetSDIOGetExtDeviceInfo`, `ptp_sony_get_vendorpropcodes`).
        GET_EXT_DEVICE_INFO = 0x9202, "SDIO_GetExtDeviceInfo", ToInitiator, 0..=2;
        /// Sets a property to an absolute value typed as the property (libgphoto2
        /// `PTP_OC_SONY_SetControlDeviceA`, `ptp_sony_setdevicecontrolvaluea`).
        SET_EXT_DEVICE_PROP_VALUE = 0x9205, "SDIO_SetExtDevicePropValue", ToResponder, 1..=1;
        /// Works a control: a button value (1 up, 2 down) typed as the property, or a signed
        /// step (one or two bytes) through a setting's values (libgphoto2
        /// `PTP_OC_SONY_SetControlDeviceB`, `ptp_sony_setdevicecontrolvalueb`).
        CONTROL_DEVICE = 0x9207, "SDIO_ControlDevice", ToResponder, 1..=1;
        /// Every property's descriptor ([`ExtPropList`](crate::records::ExtPropList));
        /// libgphoto2 sends no parameter, Sony's reference one flag (libgphoto2
        /// `PTP_OC_SONY_GetAllDevicePropData`, `ptp_sony_getalldevicepropdesc`).
        GET_ALL_EXT_DEVICE_PROP_INFO = 0x9209, "SDIO_GetAllExtDevicePropInfo", ToInitiator, 0..=1;
    }

    /// Sony device properties and controls (0xD2xx), and the standard properties a Sony body
    /// reports through [`op::GET_ALL_EXT_DEVICE_PROP_INFO`] have their standard codes.
    pub mod prop: DevicePropCode {
        /// Flash compensation, in thousandths of a stop.
        DPC_COMPENSATION = 0xD200, "Sony_DPCCompensation";
        /// Dynamic range optimiser / HDR.
        D_RANGE_OPTIMIZE = 0xD201, "Sony_DRangeOptimize";
        /// Image size (large, medium, small).
        IMAGE_SIZE = 0xD203, "Sony_ImageSize";
        /// Shutter speed: numerator in the high 16 bits, denominator in the low; 0 is bulb.
        SHUTTER_SPEED = 0xD20D, "Sony_ShutterSpeed";
        /// A picture setting without a name in libgphoto2.
        UNKNOWN_D20E = 0xD20E, "Sony_D20E";
        /// White balance colour temperature, kelvin.
        COLOR_TEMP = 0xD20F, "Sony_ColorTemp";
        /// White balance green-magenta shift.
        CC_FILTER = 0xD210, "Sony_CCFilter";
        /// Aspect ratio (1: 3:2, 2: 16:9).
        ASPECT_RATIO = 0xD211, "Sony_AspectRatio";
        /// A status value without a name in libgphoto2.
        UNKNOWN_D212 = 0xD212, "Sony_D212";
        /// Focus indication: 1 not focused, 2 focused, 3 focused (continuous AF).
        FOCUS_FOUND = 0xD213, "Sony_FocusFound";
        /// Zoom position (focal length based).
        ZOOM = 0xD214, "Sony_Zoom";
        /// Pictures waiting in memory: 0x8001 when one waits at 0xFFFFC001.
        OBJECT_IN_MEMORY = 0xD215, "Sony_ObjectInMemory";
        /// Exposure index.
        EXPOSE_INDEX = 0xD216, "Sony_ExposeIndex";
        /// A status value without a name in libgphoto2.
        UNKNOWN_D217 = 0xD217, "Sony_D217";
        /// Battery level in percent (-1 while unknown).
        BATTERY_LEVEL = 0xD218, "Sony_BatteryLevel";
        /// Sensor crop (APS-C / full frame switch).
        SENSOR_CROP = 0xD219, "Sony_SensorCrop";
        /// Picture effect.
        PICTURE_EFFECT = 0xD21B, "Sony_PictureEffect";
        /// White balance amber-blue shift.
        AB_FILTER = 0xD21C, "Sony_ABFilter";
        /// A status value without a name in libgphoto2.
        UNKNOWN_D21D = 0xD21D, "Sony_D21D";
        /// ISO: the sensitivity in the low 24 bits (0xFFFFFF: auto), multi frame noise
        /// reduction in the high 8 bits.
        ISO = 0xD21E, "Sony_ISO";
        /// A status value without a name in libgphoto2.
        UNKNOWN_D21F = 0xD21F, "Sony_D21F";
        /// A status value without a name in libgphoto2.
        UNKNOWN_D221 = 0xD221, "Sony_D221";
        /// Where stills go (newer bodies).
        STILL_IMAGE_STORE_DESTINATION = 0xD222, "Sony_StillImageStoreDestination";
        /// Priority of the camera or the application (newer bodies).
        PRIORITY_MODE = 0xD25A, "Sony_PriorityMode";
        /// Control: the shutter button half pressed (S1, autofocus); 2 down, 1 up.
        AUTO_FOCUS = 0xD2C1, "Sony_AutoFocus";
        /// Control: the shutter button fully pressed (S2, capture); 2 down, 1 up.
        CAPTURE = 0xD2C2, "Sony_Capture";
        /// Control: AE lock.
        AE_LOCK = 0xD2C3, "Sony_AELock";
        /// Control: AF lock.
        AF_LOCK = 0xD2C5, "Sony_AFLock";
        /// Control: the still image button (bulb).
        STILL_IMAGE = 0xD2C7, "Sony_StillImage";
        /// Control: the movie button.
        MOVIE = 0xD2C8, "Sony_Movie";
        /// Control without a name in libgphoto2.
        UNKNOWN_D2C9 = 0xD2C9, "Sony_D2C9";
    }

    /// Sony events, sent in standard event containers on the interrupt endpoint.
    pub mod ec: EventCode {
        /// A picture waits at the parameter's handle (0xFFFFC001).
        OBJECT_ADDED = 0xC201, "Sony_ObjectAdded";
        /// An object went away.
        OBJECT_REMOVED = 0xC202, "Sony_ObjectRemoved";
        /// A property changed; the parameter is its code. Clients read 0x9209 again.
        PROPERTY_CHANGED = 0xC203, "Sony_PropertyChanged";
    }

    /// Sony object formats.
    pub mod format: ObjectFormatCode {
        /// Sony RAW (ARW).
        ARW = 0xB101, "Sony_RAW";
    }
}

/// The pseudo-object where a body in PC Remote mode keeps the picture just taken (libgphoto2
/// `camlibs/ptp2/library.c`: `camera_sony_capture`).
pub const CAPTURE_OBJECT: ObjectHandle = ObjectHandle(0xFFFF_C001);

/// The pseudo-object of the current live view frame (libgphoto2 `camlibs/ptp2/library.c`:
/// `camera_capture_preview`, the Sony case).
pub const LIVEVIEW_OBJECT: ObjectHandle = ObjectHandle(0xFFFF_C002);

/// VendorExtensionID of Sony's PTP extensions (libgphoto2 `PTP_VENDOR_SONY`).
pub const VENDOR_EXTENSION_ID: u32 = 0x11;

/// SDIO extension version 2.00, what pre-2020 bodies such as the a6300 answer to 0x9202
/// whatever the initiator asks (PTPWebcam refuses any other answer; libgphoto2 then uses its
/// "mode 2"). `docs/reference/vendors-wifi-sony-fuji.md` §5.3.
pub const SDIO_VERSION_200: u16 = 0x00C8;

/// SDIO extension version 3.00 (2020 bodies and later).
pub const SDIO_VERSION_300: u16 = 0x012C;

/// The button values of [`op::CONTROL_DEVICE`].
pub mod button {
    /// Released.
    pub const UP: u16 = 1;
    /// Pressed.
    pub const DOWN: u16 = 2;
}

/// The name of any Sony code of these tables: operations (0x92xx), events (0xC2xx) and
/// properties (0xD2xx) do not overlap.
#[must_use]
pub fn name(code: u16) -> Option<&'static str> {
    match code {
        0x9000..=0x9FFF => op::name(OperationCode(code)),
        0xC000..=0xCFFF => ec::name(ptp_codec::EventCode(code)),
        _ => prop::name(DevicePropCode(code)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_consistent() {
        for spec in op::OPERATIONS {
            assert!(spec.name.starts_with("SDIO_"), "{spec:?}");
            assert!(spec.min_params <= spec.max_params && spec.max_params <= 5);
            assert_eq!(op::spec(spec.code), Some(spec));
            assert_eq!(name(spec.code.0), Some(spec.name));
        }
        let mut props = prop::KNOWN.to_vec();
        props.sort();
        props.dedup();
        assert_eq!(props.len(), prop::KNOWN.len());
        assert_eq!(name(0xC203), Some("Sony_PropertyChanged"));
        assert_eq!(name(0xD2C1), Some("Sony_AutoFocus"));
        assert_eq!(name(0xD2FF), None);
    }
}
