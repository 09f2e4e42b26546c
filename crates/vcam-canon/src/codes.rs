//! Canon EOS codes, one table per code space, each code written once with its name (and, for
//! operations, data direction and parameter counts): operations (0x91xx), device properties
//! (0xD1xx), events in standard event containers, response codes, object formats and the
//! GetEvent record types (0xC1xx). Values and names from libgphoto2's `camlibs/ptp2/ptp.h`
//! (`PTP_OC_CANON_EOS_*`, `PTP_DPC_CANON_EOS_*`, `PTP_EC_CANON_EOS_*`, `PTP_RC_CANON_*`) and
//! the name table `ptp_opcode_trans` in `ptp.c`. Parameter counts are the ones libgphoto2 sends
//! (`ptp.c`: `ptp_canon_eos_*`); every parameter may be left out (it then reads as 0).

use ptp_codec::{DevicePropCode, OperationCode};

ptp_codec::vendor_codes! {
    /// EOS operation codes, with the data phase and parameters of each.
    pub mod op: OperationCode {
        /// The StorageIDs (a PTP array).
        GET_STORAGE_IDS = 0x9101, "EOS_GetStorageIDs", ToInitiator, 0..=0;
        /// A StorageInfo dataset.
        GET_STORAGE_INFO = 0x9102, "EOS_GetStorageInfo", ToInitiator, 0..=1;
        /// Not answered by vcam; shaped like GetObjectInfo.
        GET_OBJECT_INFO = 0x9103, "EOS_GetObjectInfo", ToInitiator, 0..=1;
        /// An object's data.
        GET_OBJECT = 0x9104, "EOS_GetObject", ToInitiator, 0..=1;
        /// Deletes an object.
        DELETE_OBJECT = 0x9105, "EOS_DeleteObject", None, 0..=1;
        /// Not answered by vcam; shaped like FormatStore.
        FORMAT_STORE = 0x9106, "EOS_FormatStore", None, 0..=2;
        /// Part of an object: handle, offset, size; OK carries the bytes sent.
        GET_PARTIAL_OBJECT = 0x9107, "EOS_GetPartialObject", ToInitiator, 0..=3;
        /// The GetEvent types and properties the body supports ([`DeviceInfoEx`](crate::records::DeviceInfoEx)).
        GET_DEVICE_INFO_EX = 0x9108, "EOS_GetDeviceInfoEx", ToInitiator, 0..=0;
        /// A folder listing ([`FolderEntry`](crate::records::FolderEntry)s): storage, parent, maximum.
        GET_OBJECT_INFO_EX = 0x9109, "EOS_GetObjectInfoEx", ToInitiator, 0..=3;
        /// Not answered by vcam; shaped like GetThumb.
        GET_THUMB_EX = 0x910A, "EOS_GetThumbEx", ToInitiator, 0..=1;
        /// Not answered by vcam; shaped like SendObject with a GetPartialObjectEx-style range.
        SEND_PARTIAL_OBJECT = 0x910B, "EOS_SendPartialObject", ToResponder, 0..=4;
        /// Sets an object's attributes (answered OK).
        SET_OBJECT_ATTRIBUTES = 0x910C, "EOS_SetObjectAttributes", None, 0..=2;
        /// Sets an object's time (answered OK).
        SET_OBJECT_TIME = 0x910E, "EOS_SetObjectTime", None, 0..=2;
        /// Releases the shutter once.
        REMOTE_RELEASE = 0x910F, "EOS_RemoteRelease", None, 0..=0;
        /// Sets an EOS property: data `u32 size, u32 property, value`.
        SET_DEVICE_PROP_VALUE_EX = 0x9110, "EOS_SetDevicePropValueEx", ToResponder, 0..=0;
        /// The remote mode (in the response).
        GET_REMOTE_MODE = 0x9113, "EOS_GetRemoteMode", None, 0..=0;
        /// Sets the remote mode.
        SET_REMOTE_MODE = 0x9114, "EOS_SetRemoteMode", None, 0..=1;
        /// Sets the event mode; the first non-zero mode queues the property dump.
        SET_EVENT_MODE = 0x9115, "EOS_SetEventMode", None, 0..=1;
        /// The pending GetEvent records ([`EosEvent`](crate::records::EosEvent)).
        GET_EVENT = 0x9116, "EOS_GetEvent", ToInitiator, 0..=0;
        /// The host has the object in camera memory; the body drops it.
        TRANSFER_COMPLETE = 0x9117, "EOS_TransferComplete", None, 0..=1;
        /// Cancels a transfer (answered OK).
        CANCEL_TRANSFER = 0x9118, "EOS_CancelTransfer", None, 0..=1;
        /// The host's free space (answered OK).
        PC_HDD_CAPACITY = 0x911A, "EOS_PCHDDCapacity", None, 0..=3;
        /// Locks the body's controls.
        SET_UI_LOCK = 0x911B, "EOS_SetUILock", None, 0..=0;
        /// Unlocks the body's controls.
        RESET_UI_LOCK = 0x911C, "EOS_ResetUILock", None, 0..=0;
        /// Keeps the body awake (answered OK).
        KEEP_DEVICE_ON = 0x911D, "EOS_KeepDeviceOn", None, 0..=0;
        /// Sets the null packet mode (answered OK).
        SET_NULL_PACKET_MODE = 0x911E, "EOS_SetNullPacketMode", None, 0..=1;
        /// Opens the shutter in bulb.
        BULB_START = 0x9125, "EOS_BulbStart", None, 0..=0;
        /// Closes the shutter in bulb and takes the picture.
        BULB_END = 0x9126, "EOS_BulbEnd", None, 0..=0;
        /// Queues a PropValueChanged record of a property.
        REQUEST_DEVICE_PROP_VALUE = 0x9127, "EOS_RequestDevicePropValue", None, 0..=1;
        /// Presses the shutter button: 1 half, 2 full, 3 both.
        REMOTE_RELEASE_ON = 0x9128, "EOS_RemoteReleaseOn", None, 0..=2;
        /// Releases the shutter button: 1 half, 2 full.
        REMOTE_RELEASE_OFF = 0x9129, "EOS_RemoteReleaseOff", None, 0..=1;
        /// Part of an object: handle, offset low, size, offset high.
        GET_PARTIAL_OBJECT_EX = 0x912C, "EOS_GetPartialObjectEx", ToInitiator, 0..=4;
        /// Resets the mirror lockup state (answered OK).
        RESET_MIRROR_LOCKUP_STATE = 0x9130, "EOS_ResetMirrorLockupState", None, 0..=0;
        /// Pops the built-in flash up (answered OK).
        POPUP_BUILTIN_FLASH = 0x9131, "EOS_PopupBuiltinFlash", None, 0..=0;
        /// Ends a GetPartialObjectEx sequence (answered OK).
        END_GET_PARTIAL_OBJECT_EX = 0x9132, "EOS_EndGetPartialObjectEx", None, 0..=1;
        /// Movie mode switch on (answered OK).
        MOVIE_SELECT_SW_ON = 0x9133, "EOS_MovieSelectSWOn", None, 0..=0;
        /// Movie mode switch off (answered OK).
        MOVIE_SELECT_SW_OFF = 0x9134, "EOS_MovieSelectSWOff", None, 0..=0;
        /// Selects the OLCInfoChanged groups (answered OK).
        SET_REQUEST_OLC_INFO_GROUP = 0x913D, "EOS_SetRequestOLCInfoGroup", None, 0..=1;
        /// Starts live view.
        INITIATE_VIEWFINDER = 0x9151, "EOS_InitiateViewfinder", None, 0..=0;
        /// Stops live view.
        TERMINATE_VIEWFINDER = 0x9152, "EOS_TerminateViewfinder", None, 0..=0;
        /// A live view frame ([`ViewfinderRecord`](crate::records::ViewfinderRecord)s).
        GET_VIEWFINDER_DATA = 0x9153, "EOS_GetViewFinderData", ToInitiator, 0..=3;
        /// Autofocus, as a half press.
        DO_AF = 0x9154, "EOS_DoAf", None, 0..=0;
        /// Drives the lens (answered OK).
        DRIVE_LENS = 0x9155, "EOS_DriveLens", None, 0..=1;
        /// Depth of field preview (answered OK).
        DEPTH_OF_FIELD_PREVIEW = 0x9156, "EOS_DepthOfFieldPreview", None, 0..=1;
        /// Click white balance at x, y (answered OK).
        CLICK_WB = 0x9157, "EOS_ClickWB", None, 0..=2;
        /// Live view zoom: 1, 5 or 10.
        ZOOM = 0x9158, "EOS_Zoom", None, 0..=1;
        /// Live view zoom position: x, y.
        ZOOM_POSITION = 0x9159, "EOS_ZoomPosition", None, 0..=2;
        /// Sets the live view AF frame (data accepted and ignored).
        SET_LIVE_AF_FRAME = 0x915A, "EOS_SetLiveAfFrame", ToResponder, 0..=0;
        /// Cancels autofocus, as a half release.
        AF_CANCEL = 0x9160, "EOS_AfCancel", None, 0..=0;
    }

    /// EOS device properties, reported through GetEvent records.
    pub mod prop: DevicePropCode {
        APERTURE = 0xD101, "EOS_Aperture";
        SHUTTER_SPEED = 0xD102, "EOS_ShutterSpeed";
        ISO_SPEED = 0xD103, "EOS_ISOSpeed";
        EXP_COMPENSATION = 0xD104, "EOS_ExpCompensation";
        AUTO_EXPOSURE_MODE = 0xD105, "EOS_AutoExposureMode";
        DRIVE_MODE = 0xD106, "EOS_DriveMode";
        METERING_MODE = 0xD107, "EOS_MeteringMode";
        FOCUS_MODE = 0xD108, "EOS_FocusMode";
        WHITE_BALANCE = 0xD109, "EOS_WhiteBalance";
        WHITE_BALANCE_ADJUST_A = 0xD10B, "EOS_WhiteBalanceAdjustA";
        WHITE_BALANCE_ADJUST_B = 0xD10C, "EOS_WhiteBalanceAdjustB";
        WHITE_BALANCE_XA = 0xD10D, "EOS_WhiteBalanceXA";
        WHITE_BALANCE_XB = 0xD10E, "EOS_WhiteBalanceXB";
        COLOR_SPACE = 0xD10F, "EOS_ColorSpace";
        PICTURE_STYLE = 0xD110, "EOS_PictureStyle";
        BATTERY_POWER = 0xD111, "EOS_BatteryPower";
        BATTERY_SELECT = 0xD112, "EOS_BatterySelect";
        CAMERA_TIME = 0xD113, "EOS_CameraTime";
        AUTO_POWER_OFF = 0xD114, "EOS_AutoPowerOff";
        OWNER = 0xD115, "EOS_Owner";
        MODEL_ID = 0xD116, "EOS_ModelID";
        PTP_EXTENSION_VERSION = 0xD119, "EOS_PTPExtensionVersion";
        AVAILABLE_SHOTS = 0xD11B, "EOS_AvailableShots";
        CAPTURE_DESTINATION = 0xD11C, "EOS_CaptureDestination";
        BRACKET_MODE = 0xD11D, "EOS_BracketMode";
        CURRENT_STORAGE = 0xD11E, "EOS_CurrentStorage";
        CURRENT_FOLDER = 0xD11F, "EOS_CurrentFolder";
        IMAGE_FORMAT = 0xD120, "EOS_ImageFormat";
        IMAGE_FORMAT_CF = 0xD121, "EOS_ImageFormatCF";
        IMAGE_FORMAT_SD = 0xD122, "EOS_ImageFormatSD";
        IMAGE_FORMAT_EXT_HD = 0xD123, "EOS_ImageFormatExtHD";
        CAMERA_NICKNAME = 0xD125, "EOS_CameraNickname";
        AE_MODE_DIAL = 0xD138, "EOS_AEModeDial";
        LENS_STATUS = 0xD1A8, "EOS_LensStatus";
        TEMP_STATUS = 0xD1AB, "EOS_TempStatus";
        SHUTTER_COUNTER = 0xD1AC, "EOS_ShutterCounter";
        SERIAL_NUMBER = 0xD1AF, "EOS_SerialNumber";
        EVF_OUTPUT_DEVICE = 0xD1B0, "EOS_EVFOutputDevice";
        EVF_MODE = 0xD1B1, "EOS_EVFMode";
        DEPTH_OF_FIELD_PREVIEW = 0xD1B2, "EOS_DepthOfFieldPreview";
        EVF_SHARPNESS = 0xD1B3, "EOS_EVFSharpness";
        EVF_WB_MODE = 0xD1B4, "EOS_EVFWBMode";
        EVF_RECORD_STATUS = 0xD1B8, "EOS_EVFRecordStatus";
        AF_MODE = 0xD1BA, "EOS_LvAfSystem";
        ARTIST = 0xD1D0, "EOS_Artist";
        COPYRIGHT = 0xD1D1, "EOS_Copyright";
        FOCUS_INFO_EX = 0xD1D3, "EOS_FocusInfoEx";
        LENS_NAME = 0xD1D8, "EOS_LensName";
    }

    /// Canon events sent in standard event containers (USB interrupt endpoint, PTP/IP event
    /// connection), not through GetEvent.
    pub mod ec: EventCode {
        /// The body asks the host to call GetEvent.
        REQUEST_GET_EVENT = 0xC101, "EOS_RequestGetEvent";
    }

    /// Canon response codes.
    pub mod rc: ResponseCode {
        /// GetViewFinderData before live view runs (`PTP_RC_CANON_NOT_READY`).
        NOT_READY = 0xA102, "Canon_NotReady";
    }

    /// Canon object formats.
    pub mod format: ObjectFormatCode {
        /// Canon RAW, CR2 (`PTP_OFC_CANON_CRW`).
        CRW = 0xB101, "Canon_CRW";
        /// Canon RAW (`PTP_OFC_CANON_CRW3`).
        CRW3 = 0xB103, "Canon_CRW3";
        /// Canon movie (`PTP_OFC_CANON_MOV`).
        MOV = 0xB104, "Canon_MOV";
        /// Canon movie, second form (`PTP_OFC_CANON_MOV2`).
        MOV2 = 0xB105, "Canon_MOV2";
    }
}

ptp_codec::codes! {
    /// A GetEvent record type, the `u32` after each record's size (`PTP_EC_CANON_EOS_*` in
    /// libgphoto2's `ptp.h`; decoded by `ptp_unpack_CANON_changes` in `ptp-pack.c`).
    pub struct EventType(u32);
    /// The end of a GetEvent answer.
    TERMINATOR = 0, "terminator";
    /// A new object on the card.
    OBJECT_ADDED_EX = 0xC181, "EOS_ObjectAddedEx";
    /// An object was removed.
    OBJECT_REMOVED = 0xC182, "EOS_ObjectRemoved";
    /// A picture waits in camera memory for the host.
    REQUEST_OBJECT_TRANSFER = 0xC186, "EOS_RequestObjectTransfer";
    /// A property's current value.
    PROP_VALUE_CHANGED = 0xC189, "EOS_PropValueChanged";
    /// A property's available values.
    AVAIL_LIST_CHANGED = 0xC18A, "EOS_AvailListChanged";
    /// Busy or idle.
    CAMERA_STATUS_CHANGED = 0xC18B, "EOS_CameraStatusChanged";
    /// A card was put in (`u32` StorageID; `ptp_unpack_CANON_changes` prints "StoreAdded").
    STORE_ADDED = 0xC192, "EOS_StoreAdded";
    /// A card was taken out (`u32` StorageID; printed as "StoreRemoved").
    STORE_REMOVED = 0xC193, "EOS_StoreRemoved";
    /// Seconds into a bulb exposure.
    BULB_EXPOSURE_TIME = 0xC194, "EOS_BulbExposureTime";
    /// The end of the initial property dump (`PTP_EC_CANON_EOS_CTGInfoCheckComplete`).
    INFO_CHECK_COMPLETE = 0xC1A4, "EOS_InfoCheckComplete";
    /// Compact shooting information.
    OLC_INFO_CHANGED = 0xC1A5, "EOS_OLCInfoChanged";
}

/// The name of any EOS code of these tables: operations (0x9xxx), GetEvent record types
/// (0xC1xx) and properties (0xD1xx) do not overlap, so one lookup serves all three
/// (libgphoto2 `camlibs/ptp2/ptp.c`: `ptp_get_opcode_name`, `ptp_get_eos_event_name`,
/// `ptp_get_property_description`).
#[must_use]
pub fn name(code: u32) -> Option<&'static str> {
    match code {
        0x9000..=0x9FFF => op::name(OperationCode(u16::try_from(code).ok()?)),
        0xD000..=0xDFFF => prop::name(DevicePropCode(u16::try_from(code).ok()?)),
        _ => EventType(code).name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_consistent() {
        for spec in op::OPERATIONS {
            assert!(spec.name.starts_with("EOS_"), "{spec:?}");
            assert!(spec.min_params <= spec.max_params && spec.max_params <= 5);
            assert!(spec.needs_session);
            assert_eq!(op::spec(spec.code), Some(spec));
            assert_eq!(name(u32::from(spec.code.0)), Some(spec.name));
        }
        let mut ops = op::KNOWN.to_vec();
        ops.sort();
        ops.dedup();
        assert_eq!(ops.len(), op::KNOWN.len());
        let mut props = prop::KNOWN.to_vec();
        props.sort();
        props.dedup();
        assert_eq!(props.len(), prop::KNOWN.len());
        assert_eq!(name(0xC189), Some("EOS_PropValueChanged"));
        assert_eq!(name(0xD11C), Some("EOS_CaptureDestination"));
        assert_eq!(name(0xD1FF), None);
        assert_eq!(
            format!("{:?}", EventType(0xC18B)),
            "EOS_CameraStatusChanged"
        );
    }
}
