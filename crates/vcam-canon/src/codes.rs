//! Canon EOS codes: operations (0x91xx), GetEvent record types (0xC1xx), device properties
//! (0xD1xx) and response codes, with their names. Values from libgphoto2's
//! `camlibs/ptp2/ptp.h` (`PTP_OC_CANON_EOS_*`, `PTP_EC_CANON_EOS_*`, `PTP_DPC_CANON_EOS_*`).

use vcam_core::ptp_types::{DevicePropCode, OperationCode, ResponseCode};

macro_rules! table {
    ($(#[$m:meta])* $modname:ident, $ty:ident, $lookup:ident { $($name:ident = $value:expr, $text:literal;)* }) => {
        $(#[$m])*
        pub mod $modname {
            use super::*;
            $(
                #[doc = $text]
                pub const $name: $ty = $ty($value);
            )*
        }
        /// The name of a code of this table, if known.
        #[must_use]
        pub fn $lookup(code: $ty) -> Option<&'static str> {
            match code.0 {
                $($value => Some($text),)*
                _ => None,
            }
        }
    };
}

/// A GetEvent record type (`PTP_EC_CANON_EOS_*` in libgphoto2's `ptp.h`; decoded by
/// `ptp_unpack_CANON_changes` in `ptp-pack.c`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventType(pub u32);

table!(
    /// EOS operation codes.
    op, OperationCode, operation_name {
        GET_STORAGE_IDS = 0x9101, "EOS_GetStorageIDs";
        GET_STORAGE_INFO = 0x9102, "EOS_GetStorageInfo";
        GET_OBJECT_INFO = 0x9103, "EOS_GetObjectInfo";
        GET_OBJECT = 0x9104, "EOS_GetObject";
        DELETE_OBJECT = 0x9105, "EOS_DeleteObject";
        FORMAT_STORE = 0x9106, "EOS_FormatStore";
        GET_PARTIAL_OBJECT = 0x9107, "EOS_GetPartialObject";
        GET_DEVICE_INFO_EX = 0x9108, "EOS_GetDeviceInfoEx";
        GET_OBJECT_INFO_EX = 0x9109, "EOS_GetObjectInfoEx";
        GET_THUMB_EX = 0x910A, "EOS_GetThumbEx";
        SEND_PARTIAL_OBJECT = 0x910B, "EOS_SendPartialObject";
        SET_OBJECT_ATTRIBUTES = 0x910C, "EOS_SetObjectAttributes";
        SET_OBJECT_TIME = 0x910E, "EOS_SetObjectTime";
        REMOTE_RELEASE = 0x910F, "EOS_RemoteRelease";
        SET_DEVICE_PROP_VALUE_EX = 0x9110, "EOS_SetDevicePropValueEx";
        GET_REMOTE_MODE = 0x9113, "EOS_GetRemoteMode";
        SET_REMOTE_MODE = 0x9114, "EOS_SetRemoteMode";
        SET_EVENT_MODE = 0x9115, "EOS_SetEventMode";
        GET_EVENT = 0x9116, "EOS_GetEvent";
        TRANSFER_COMPLETE = 0x9117, "EOS_TransferComplete";
        CANCEL_TRANSFER = 0x9118, "EOS_CancelTransfer";
        PC_HDD_CAPACITY = 0x911A, "EOS_PCHDDCapacity";
        SET_UI_LOCK = 0x911B, "EOS_SetUILock";
        RESET_UI_LOCK = 0x911C, "EOS_ResetUILock";
        KEEP_DEVICE_ON = 0x911D, "EOS_KeepDeviceOn";
        SET_NULL_PACKET_MODE = 0x911E, "EOS_SetNullPacketMode";
        BULB_START = 0x9125, "EOS_BulbStart";
        BULB_END = 0x9126, "EOS_BulbEnd";
        REQUEST_DEVICE_PROP_VALUE = 0x9127, "EOS_RequestDevicePropValue";
        REMOTE_RELEASE_ON = 0x9128, "EOS_RemoteReleaseOn";
        REMOTE_RELEASE_OFF = 0x9129, "EOS_RemoteReleaseOff";
        GET_PARTIAL_OBJECT_EX = 0x912C, "EOS_GetPartialObjectEx";
        RESET_MIRROR_LOCKUP_STATE = 0x9130, "EOS_ResetMirrorLockupState";
        POPUP_BUILTIN_FLASH = 0x9131, "EOS_PopupBuiltinFlash";
        END_GET_PARTIAL_OBJECT_EX = 0x9132, "EOS_EndGetPartialObjectEx";
        MOVIE_SELECT_SW_ON = 0x9133, "EOS_MovieSelectSWOn";
        MOVIE_SELECT_SW_OFF = 0x9134, "EOS_MovieSelectSWOff";
        SET_REQUEST_OLC_INFO_GROUP = 0x913D, "EOS_SetRequestOLCInfoGroup";
        INITIATE_VIEWFINDER = 0x9151, "EOS_InitiateViewfinder";
        TERMINATE_VIEWFINDER = 0x9152, "EOS_TerminateViewfinder";
        GET_VIEWFINDER_DATA = 0x9153, "EOS_GetViewFinderData";
        DO_AF = 0x9154, "EOS_DoAf";
        DRIVE_LENS = 0x9155, "EOS_DriveLens";
        DEPTH_OF_FIELD_PREVIEW = 0x9156, "EOS_DepthOfFieldPreview";
        CLICK_WB = 0x9157, "EOS_ClickWB";
        ZOOM = 0x9158, "EOS_Zoom";
        ZOOM_POSITION = 0x9159, "EOS_ZoomPosition";
        SET_LIVE_AF_FRAME = 0x915A, "EOS_SetLiveAfFrame";
        AF_CANCEL = 0x9160, "EOS_AfCancel";
    }
);

table!(
    /// GetEvent record types.
    event, EventType, event_name {
        TERMINATOR = 0, "terminator";
        OBJECT_ADDED_EX = 0xC181, "EOS_ObjectAddedEx";
        OBJECT_REMOVED = 0xC182, "EOS_ObjectRemoved";
        REQUEST_OBJECT_TRANSFER = 0xC186, "EOS_RequestObjectTransfer";
        PROP_VALUE_CHANGED = 0xC189, "EOS_PropValueChanged";
        AVAIL_LIST_CHANGED = 0xC18A, "EOS_AvailListChanged";
        CAMERA_STATUS_CHANGED = 0xC18B, "EOS_CameraStatusChanged";
        BULB_EXPOSURE_TIME = 0xC194, "EOS_BulbExposureTime";
        INFO_CHECK_COMPLETE = 0xC1A4, "EOS_InfoCheckComplete";
        OLC_INFO_CHANGED = 0xC1A5, "EOS_OLCInfoChanged";
    }
);

table!(
    /// EOS device properties.
    prop, DevicePropCode, prop_name {
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
        IMAGE_FORMAT_SD = 0xD122, "EOS_ImageFormatSD";
        AE_MODE_DIAL = 0xD138, "EOS_AEModeDial";
        SHUTTER_COUNTER = 0xD1AC, "EOS_ShutterCounter";
        LENS_STATUS = 0xD1A8, "EOS_LensStatus";
        TEMP_STATUS = 0xD1AB, "EOS_TempStatus";
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
);

/// The name of any EOS code of these tables: operations (0x9xxx), GetEvent record types
/// (0xC1xx) and properties (0xD1xx) do not overlap, so one lookup serves all three
/// (libgphoto2 `camlibs/ptp2/ptp.c`: `ptp_get_opcode_name`, `ptp_get_eos_event_name`,
/// `ptp_get_property_description`).
#[must_use]
pub fn name(code: u32) -> Option<&'static str> {
    match code {
        0x9000..=0x9FFF => operation_name(OperationCode(u16::try_from(code).ok()?)),
        0xD000..=0xDFFF => prop_name(DevicePropCode(u16::try_from(code).ok()?)),
        _ => event_name(EventType(code)),
    }
}

/// Canon's "not ready" (`PTP_RC_CANON_NOT_READY`): GetViewFinderData before live view runs.
pub const RC_NOT_READY: ResponseCode = ResponseCode(0xA102);
