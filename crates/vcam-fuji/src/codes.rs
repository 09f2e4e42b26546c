//! Fujifilm codes, one table per code space, each code written once with its name (and, for
//! operations, data direction and parameter counts): operations (0x90xx), device properties
//! (0xD0xx to 0xDFxx), events, object formats. Names from libgphoto2's `camlibs/ptp2/ptp.h`
//! (`PTP_OC_FUJI_*`, `PTP_DPC_FUJI_*`, `PTP_EC_FUJI_*`, `PTP_OFC_FUJI_*`) and, for the WiFi
//! properties libgphoto2 does not know, petabyt/fudge `lib/fujiptp.h`
//! (docs/reference/vendors-wifi-sony-fuji.md §3.1). Where the two disagree about a code the
//! WiFi meaning (fudge) is used; the libgphoto2 name is in the doc comment.

use ptp_codec::{DevicePropCode, OperationCode};

ptp_codec::vendor_codes! {
    /// Fujifilm operation codes, with the data phase and parameters of each.
    pub mod op: OperationCode {
        /// Announces a firmware or RAW file (`FUP_FILE.dat`, format 0xF802) for RAW
        /// conversion (fudge `lib/fuji_usb.c`); not answered by vcam.
        SEND_OBJECT_INFO = 0x900C, "Fuji_SendObjectInfo", ToResponder, 0..=3;
        /// The file announced by 0x900C; not answered by vcam.
        SEND_OBJECT2 = 0x900D, "Fuji_SendObject2", ToResponder, 0..=0;
        /// Writes to a file; not answered by vcam.
        SEND_OBJECT = 0x901D, "Fuji_SendObject", ToResponder, 0..=0;
        /// Starts a movie.
        INITIATE_MOVIE_CAPTURE = 0x9020, "Fuji_InitiateMovieCapture", None, 0..=0;
        /// Stops the movie; the data is the TransactionID of the 0x9020 (hkr
        /// fuji-cam-wifi-tool `lib/include/message.hpp`).
        TERMINATE_MOVIE_CAPTURE = 0x9021, "Fuji_TerminateMovieCapture", ToResponder, 0..=0;
        /// The preview of the last capture, after PreviewAvailable (malc0mn ptp-ip
        /// `ip/packets_fuji.go`: `OC_Fuji_GetCapturePreview`); CaptureComplete follows.
        GET_CAPTURE_PREVIEW = 0x9022, "Fuji_GetCapturePreview", ToInitiator, 0..=0;
        /// Locks focus on a point (LockS1Lock); the point is the data.
        SET_FOCUS_POINT = 0x9026, "Fuji_SetFocusPoint", ToResponder, 0..=0;
        /// Unlocks focus (UnlockS1Lock).
        RESET_FOCUS_POINT = 0x9027, "Fuji_ResetFocusPoint", None, 0..=0;
        /// The property catalogue: `u32 n`, then n × (`u32 size`, DevicePropDesc)
        /// ([`PropCatalogue`](crate::records::PropCatalogue); libgphoto2 `ptp.c`:
        /// `ptp_fuji_getdeviceinfo`).
        GET_DEVICE_INFO = 0x902B, "Fuji_GetDeviceInfo", ToInitiator, 0..=0;
        /// Shutter speed one step: parameter 1 faster, 0 slower (StepShutterSpeed).
        SET_SHUTTER_SPEED = 0x902C, "Fuji_SetShutterSpeed", None, 0..=1;
        /// Aperture one third stop: parameter 1 closes, 0 opens (StepFNumber).
        SET_APERTURE = 0x902D, "Fuji_SetAperture", None, 0..=1;
        /// Exposure compensation one step: parameter 1 up, 0 down (StepExposureBias).
        SET_EXPOSURE_COMPENSATION = 0x902E, "Fuji_SetExposureCompensation", None, 0..=1;
    }

    /// Fujifilm device properties.
    pub mod prop: DevicePropCode {
        FILM_SIMULATION = 0xD001, "Fuji_FilmSimulation";
        FILM_SIMULATION_TUNE = 0xD002, "Fuji_FilmSimulationTune";
        D_RANGE_MODE = 0xD007, "Fuji_DRangeMode";
        COLOR_MODE = 0xD008, "Fuji_ColorMode";
        COLOR_SPACE = 0xD00A, "Fuji_ColorSpace";
        WHITEBALANCE_TUNE1 = 0xD00B, "Fuji_WhitebalanceTune1";
        WHITEBALANCE_TUNE2 = 0xD00C, "Fuji_WhitebalanceTune2";
        COLOR_TEMPERATURE = 0xD017, "Fuji_ColorTemperature";
        /// Image format: 1 RAW, 2 JPEG fine, 3 JPEG normal, 4 RAW + fine, 5 RAW + normal
        /// (libgphoto2 `config.c`: `fuji_imageformat`).
        QUALITY = 0xD018, "Fuji_Quality";
        REC_MODE = 0xD019, "Fuji_RecMode";
        THROUGH_IMAGE_ZOOM = 0xD01B, "Fuji_ThroughImageZoom";
        NOISE_REDUCTION = 0xD01C, "Fuji_NoiseReduction";
        COMMAND_DIAL_MODE = 0xD028, "Fuji_CommandDialMode";
        /// ISO in Fujifilm's encoding (0x8000_0000 extended, 0x4000_0000 auto flags).
        EXPOSURE_INDEX = 0xD02A, "Fuji_ExposureIndex";
        MOVIE_ISO = 0xD02B, "Fuji_MovieISO";
        COMMENT = 0xD100, "Fuji_Comment";
        FRAME_GUIDE_MODE = 0xD106, "Fuji_FrameGuideMode";
        SHUTTER_PRIORITY_MODE1 = 0xD10A, "Fuji_ShutterPriorityMode1";
        SHUTTER_PRIORITY_MODE2 = 0xD10B, "Fuji_ShutterPriorityMode2";
        AF_ILLUMINATOR = 0xD112, "Fuji_AFIlluminator";
        FUNCTION_LOCK = 0xD136, "Fuji_FunctionLock";
        PASSWORD = 0xD145, "Fuji_Password";
        FIRMWARE_VERSION = 0xD153, "Fuji_FirmwareVersion";
        SHOT_COUNT = 0xD154, "Fuji_ShotCount";
        SHUTTER_EXCHANGE_COUNT = 0xD155, "Fuji_ShutterExchangeCount";
        /// USB mode: 5 tether, 6 RAW conversion, 8 webcam (fudge `lib/fuji_usb.c`).
        USB_MODE = 0xD16E, "Fuji_USBMode";
        LIVE_VIEW_IMAGE_QUALITY = 0xD173, "Fuji_LiveViewImageQuality";
        LIVE_VIEW_IMAGE_SIZE = 0xD174, "Fuji_LiveViewImageSize";
        FOCUS_METERING_MODE = 0xD17C, "Fuji_FocusMeteringMode";
        RELEASE_MODE = 0xD201, "Fuji_ReleaseMode";
        /// 1 camera, 2 USB control (libgphoto2 `config.c`: `camera_prepare_capture`).
        PRIORITY_MODE = 0xD207, "Fuji_PriorityMode";
        /// What InitiateCapture does: 0x0200 focus (S1), 0x0304 shoot, 0x0004 cancel S1,
        /// 0x0500 start bulb, 0x000C end bulb (libgphoto2 `ptp.h`, the comment above
        /// `PTP_DPC_FUJI_AFStatus`).
        CAMERA_ACTION = 0xD208, "Fuji_CameraAction";
        /// Autofocus: 1 busy, 2 in focus, 3 failed (`library.c`: `camera_fuji_capture`).
        AF_STATUS = 0xD209, "Fuji_AFStatus";
        DEVICE_NAME = 0xD20B, "Fuji_DeviceName";
        MEDIA_RECORD = 0xD20C, "Fuji_MediaRecord";
        MEDIA_CAPACITY = 0xD20D, "Fuji_MediaCapacity";
        FREE_SDRAM_IMAGES = 0xD20E, "Fuji_FreeSDRAMImages";
        MEDIA_STATUS = 0xD211, "Fuji_MediaStatus";
        /// The event list: `u16 n`, then n × (`u16 code`, `u32 value`)
        /// ([`EventList`](crate::records::EventList); libgphoto2 `ptp.c`: `ptp_fuji_getevents`;
        /// libgphoto2 calls it CurrentState, fudge EventsList).
        EVENTS_LIST = 0xD212, "Fuji_EventsList";
        COPYRIGHT = 0xD215, "Fuji_Copyright";
        COPYRIGHT2 = 0xD216, "Fuji_Copyright2";
        DEVICE_ERROR = 0xD21B, "Fuji_DeviceError";
        /// Multiple-transfer selection mode (fudge).
        SELECTED_IMGS_MODE = 0xD220, "Fuji_SelectedImgsMode";
        /// Pictures on the card, over WiFi (fudge; libgphoto2: SensitivityFineTune1).
        OBJECT_COUNT = 0xD222, "Fuji_ObjectCount";
        /// Heavily compressed downloads (fudge).
        COMPRESS_SMALL = 0xD226, "Fuji_CompressSmall";
        /// 1: ObjectInfo carries the real size (fudge, PC AutoSave sets it).
        ENABLE_CORRECT_FILE_SIZE = 0xD227, "Fuji_EnableCorrectFileSize";
        /// PC AutoSave's "n/m" string (fudge `docs/autosave.md`).
        AUTO_SAVE_DATABASE_STATUS = 0xD228, "Fuji_AutoSaveDatabaseStatus";
        CAPTURE_REMAINING = 0xD229, "Fuji_CaptureRemaining";
        MOVIE_REMAINING_TIME = 0xD22A, "Fuji_MovieRemainingTime";
        SHUTTER_SPEED2 = 0xD240, "Fuji_ShutterSpeed2";
        IMAGE_ASPECT_RATIO = 0xD241, "Fuji_ImageAspectRatio";
        BATTERY_LEVEL = 0xD242, "Fuji_BatteryLevel";
        /// Unnamed; reported in the remote-mode burst (fudge X-T5 log).
        UNKNOWN_D246 = 0xD246, "Fuji_Unknown_D246";
        /// "PC mode", set to 1 by libgphoto2 before capture (`config.c`:
        /// `camera_prepare_capture`; `ptp.h` names the code LensZoomPosCaps).
        PC_MODE = 0xD38C, "Fuji_PCMode";
        /// Unnamed (fudge: possibly SelectedImgsMode2).
        UNKNOWN_D400 = 0xD400, "Fuji_Unknown_D400";
        OBJECT_COUNT2 = 0xD401, "Fuji_ObjectCount2";
        /// A PTP string such as `"0000.000000,N00000.000000,E00000.00,M 000.0,K..."`.
        GEOLOCATION = 0xD500, "Fuji_Geolocation";
        /// Unnamed (fudge).
        UNKNOWN_D52F = 0xD52F, "Fuji_Unknown_D52F";
        /// What the body offers ([`camera_state`](crate::codes::camera_state)); the official app
        /// polls the event list until it is not 0.
        CAMERA_STATE = 0xDF00, "Fuji_CameraState";
        /// What the client wants ([`client_state`](crate::codes::client_state)); libgphoto2 calls
        /// it InitSequence and sets 5.
        CLIENT_STATE = 0xDF01, "Fuji_ClientState";
        IMAGE_GET_VERSION = 0xDF21, "Fuji_ImageGetVersion";
        GET_OBJECT_VERSION = 0xDF22, "Fuji_GetObjectVersion";
        AUTO_SAVE_VERSION = 0xDF23, "Fuji_AutoSaveVersion";
        /// libgphoto2 calls it AppVersion.
        REMOTE_VERSION = 0xDF24, "Fuji_RemoteVersion";
        REMOTE_GET_OBJECT_VERSION = 0xDF25, "Fuji_RemoteGetObjectVersion";
        GEO_TAG_VERSION = 0xDF31, "Fuji_GeoTagVersion";
    }

    /// Fujifilm events, in standard event containers on the event port (55741).
    pub mod ec: EventCode {
        /// The preview of a capture is ready; parameter 3 is its size (malc0mn ptp-ip
        /// `ip/packets_fuji.go`: `EC_Fuji_PreviewAvailable`).
        PREVIEW_AVAILABLE = 0xC001, "Fuji_PreviewAvailable";
        /// A capture was stored; parameter 1 is its handle (libgphoto2 `library.c`:
        /// `camera_fuji_capture` reads it).
        OBJECT_ADDED = 0xC004, "Fuji_ObjectAdded";
    }

    /// Fujifilm object formats.
    pub mod format: ObjectFormatCode {
        /// Fujifilm RAW (`PTP_OFC_FUJI_RAF`).
        RAF = 0xB103, "Fuji_RAF";
    }
}

/// Values of [`prop::CAMERA_STATE`] (fudge `lib/fujiptp.h`: `enum FujiStates`).
pub mod camera_state {
    /// The body waits for its owner to accept the client.
    pub const WAIT_FOR_ACCESS: u16 = 0;
    /// The owner pushes selected pictures.
    pub const MULTIPLE_TRANSFER: u16 = 1;
    /// Browsing and download.
    pub const FULL_ACCESS: u16 = 2;
    /// PC AutoSave.
    pub const PC_AUTO_SAVE: u16 = 3;
    /// Browsing, download and remote control.
    pub const REMOTE_ACCESS: u16 = 6;
}

/// Values of [`prop::CLIENT_STATE`] (fudge `lib/fujiptp.h`: `enum ClientStates`).
pub mod client_state {
    /// View the pictures the owner selected.
    pub const VIEW_MULTIPLE: u16 = 1;
    /// View every picture.
    pub const VIEW_ALL_IMAGES: u16 = 2;
    /// Remote control of 2015 to 2017 apps.
    pub const OLD_REMOTE: u16 = 3;
    /// Remote control (what libgphoto2 and the official app set).
    pub const REMOTE: u16 = 5;
    /// The client reports an error.
    pub const CAMERA_ERROR: u16 = 7;
    /// The client asks the owner to select pictures.
    pub const MULTIPLE_TRANSFER_REQUEST: u16 = 8;
    /// The remote image viewer.
    pub const REMOTE_IMAGE_VIEW: u16 = 11;
    /// Every state the official apps set (1 to 11 and 17 to 20).
    pub const ALL: [u16; 15] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 17, 18, 19, 20];
}

/// Values of [`prop::CAMERA_ACTION`] that InitiateCapture acts on.
pub mod action {
    /// Half press: autofocus (`SDK_ShootS1`).
    pub const FOCUS: u16 = 0x0200;
    /// Full press and release: shoot (`SDK_ShootS2toS0`, the body's default).
    pub const SHOOT: u16 = 0x0304;
    /// Release the half press (`SDK_CancelS1`).
    pub const CANCEL_FOCUS: u16 = 0x0004;
    /// Open the shutter in bulb (`SDK_StartBulb`).
    pub const START_BULB: u16 = 0x0500;
    /// Close the shutter in bulb and store the picture (`SDK_EndBulb`).
    pub const END_BULB: u16 = 0x000C;
}

/// Values of [`prop::AF_STATUS`].
pub mod af_status {
    /// Idle or focusing.
    pub const BUSY: u16 = 1;
    /// In focus.
    pub const OK: u16 = 2;
    /// Focus failed.
    pub const FAILED: u16 = 3;
}

/// The live view pseudo-object of USB bodies: a bare JPEG (libgphoto2 `library.c`:
/// `camera_capture_preview`, "Fuji Liveview returns FF D8 ... FF D9").
pub const LIVEVIEW_OBJECT: u32 = 0x8000_0001;

/// The object the official app asks about after the version handshake; X-T4 and X-T5 answer
/// InvalidObjectHandle (docs/reference/vendors-wifi-sony-fuji.md §3.1, step 8).
pub const APP_INFO_OBJECT: u32 = 0xFFFF_FFF1;

/// The name of any Fujifilm code of these tables: operations (0x9xxx), events (0xCxxx) and
/// properties (0xDxxx) do not overlap.
#[must_use]
pub fn name(code: u16) -> Option<&'static str> {
    match code {
        0x9000..=0x9FFF => op::name(OperationCode(code)),
        0xC000..=0xCFFF => ec::name(ptp_codec::EventCode(code)),
        0xD000..=0xDFFF => prop::name(DevicePropCode(code)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_consistent() {
        for spec in op::OPERATIONS {
            assert!(spec.name.starts_with("Fuji_"), "{spec:?}");
            assert!(spec.min_params <= spec.max_params && spec.max_params <= 5);
            assert_eq!(op::spec(spec.code), Some(spec));
            assert_eq!(name(spec.code.0), Some(spec.name));
        }
        for known in [op::KNOWN.len(), prop::KNOWN.len()] {
            assert!(known > 0);
        }
        let mut props: Vec<_> = prop::KNOWN.iter().map(|p| p.0).collect();
        props.sort_unstable();
        props.dedup();
        assert_eq!(props.len(), prop::KNOWN.len());
        assert_eq!(name(0xD212), Some("Fuji_EventsList"));
        assert_eq!(name(0xC004), Some("Fuji_ObjectAdded"));
        assert_eq!(name(0xD0FF), None);
    }
}
