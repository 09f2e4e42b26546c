//! Open code spaces: operation, response, event, property, format and other codes.
//!
//! Each code space is a `#[repr(transparent)]` newtype over its wire integer with named
//! constants for the codes ISO 15740:2013 and MTP 1.1 define. Any other value (vendor
//! extensions such as Canon's 0x9116, or codes this crate does not know) is just as valid and
//! round-trips unchanged; [`OperationCode::name`] and friends return `None` for it.
//!
//! Vendor crates declare their codes of these types once each, with names (and, for operations,
//! data direction and parameter counts), through [`vendor_codes!`](crate::vendor_codes).

/// Declares a code newtype with named constants and their spec names, written once.
///
/// ```
/// ptp_codec::codes! {
///     /// Codes of a made-up extension.
///     pub struct ExampleCode(u16);
///     /// The first example code.
///     FIRST = 0x9001, "First";
/// }
/// assert_eq!(ExampleCode::FIRST.name(), Some("First"));
/// assert_eq!(format!("{:?}", ExampleCode(0x9002)), "ExampleCode(0x9002)");
/// ```
#[macro_export]
macro_rules! codes {
    (
        $(#[$meta:meta])*
        pub struct $name:ident($int:ty);
        $(
            $(#[$cmeta:meta])*
            $konst:ident = $value:literal, $spec:literal;
        )*
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        #[repr(transparent)]
        pub struct $name(pub $int);

        impl $name {
            $(
                $(#[$cmeta])*
                #[doc = concat!("\n\nSpec name `", $spec, "`, value `", stringify!($value), "`.")]
                pub const $konst: Self = Self($value);
            )*

            /// Every code with a name in this table, in table order.
            pub const KNOWN: &'static [Self] = &[$(Self::$konst),*];

            /// The spec name of this code, or `None` for a code this table does not name.
            #[must_use]
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($spec),)*
                    _ => None,
                }
            }
        }

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, concat!(stringify!($name), "({:#06x})"), self.0),
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self.name() {
                    Some(name) => write!(f, "{name} ({:#06x})", self.0),
                    None => write!(f, "{:#06x}", self.0),
                }
            }
        }

        impl ::core::convert::From<$int> for $name {
            fn from(value: $int) -> Self {
                Self(value)
            }
        }

        impl ::core::convert::From<$name> for $int {
            fn from(code: $name) -> Self {
                code.0
            }
        }

        impl<'a> $crate::Decode<'a> for $name {
            const NAME: &'static str = stringify!($name);
            const MIN_LEN: usize = ::core::mem::size_of::<$int>();

            fn decode(r: &mut $crate::Reader<'a>) -> ::core::result::Result<Self, $crate::DecodeError> {
                <$int as $crate::Decode>::decode(r).map(Self)
            }
        }

        impl $crate::Encode for $name {
            fn encode(&self, out: &mut $crate::__private::Vec<u8>) {
                $crate::Encode::encode(&self.0, out);
            }
        }
    };
}

/// Declares a vendor's codes in the open code spaces of this crate, each code written once with
/// its spec name.
///
/// Each `mod` block names a code space ([`OperationCode`], [`ResponseCode`], [`EventCode`],
/// [`DevicePropCode`], [`ObjectFormatCode`], [`ObjectPropCode`], ...) and becomes a module
/// with a constant per code, `KNOWN` (every code, in table order) and `const fn name(code)`.
/// Operations also give the data direction of their data phase ([`DataPhase`](crate::DataPhase) variant: `None`,
/// `ToInitiator`, `ToResponder`) and the range of parameter counts; they may end with
/// `needs_session = false` (the default is `true`). Their module also gets
/// `static OPERATIONS: &[OperationSpec]` and `fn spec(code)`.
///
/// [`codes!`](crate::codes) declares a new code type; this macro adds codes to the existing
/// ones, so that a vendor's codes travel wherever the standard ones do.
///
/// ```
/// use ptp_codec::{DataPhase, OperationCode, ResponseCode};
///
/// ptp_codec::vendor_codes! {
///     /// Operations of a made-up extension.
///     pub mod op: OperationCode {
///         /// Returns the pending events.
///         GET_EVENT = 0x9116, "X_GetEvent", ToInitiator, 0..=0;
///         SET_MODE = 0x9114, "X_SetMode", None, 1..=1;
///         HELLO = 0x9101, "X_Hello", ToResponder, 0..=2, needs_session = false;
///     }
///     /// Its response codes.
///     pub mod rc: ResponseCode {
///         NOT_READY = 0xA102, "X_NotReady";
///     }
/// }
///
/// assert_eq!(op::GET_EVENT, OperationCode(0x9116));
/// assert_eq!(op::name(OperationCode(0x9114)), Some("X_SetMode"));
/// assert_eq!(op::name(OperationCode(0x9999)), None);
/// assert_eq!(op::OPERATIONS.len(), 3);
/// let hello = op::spec(op::HELLO).unwrap();
/// assert_eq!((hello.data, hello.max_params, hello.needs_session), (DataPhase::ToResponder, 2, false));
/// assert!(op::spec(op::SET_MODE).unwrap().needs_session);
/// assert_eq!(rc::name(ResponseCode(0xA102)), Some("X_NotReady"));
/// assert_eq!(rc::KNOWN, &[rc::NOT_READY]);
/// ```
#[macro_export]
macro_rules! vendor_codes {
    () => {};
    (@session) => { true };
    (@session $session:literal) => { $session };
    (
        $(#[$meta:meta])*
        $vis:vis mod $module:ident: OperationCode {
            $(
                $(#[$cmeta:meta])*
                $konst:ident = $value:literal, $spec:literal, $data:ident,
                    $min:literal ..= $max:literal $(, needs_session = $session:literal)?;
            )*
        }
        $($rest:tt)*
    ) => {
        $(#[$meta])*
        $vis mod $module {
            $(
                $(#[$cmeta])*
                #[doc = concat!(
                    "\n\nSpec name `", $spec, "`, value `", stringify!($value), "`; data phase `",
                    stringify!($data), "`, ", stringify!($min), " to ", stringify!($max),
                    " parameters."
                )]
                pub const $konst: $crate::OperationCode = $crate::OperationCode($value);
            )*

            /// Every operation of this table, in table order.
            pub const KNOWN: &[$crate::OperationCode] = &[$($konst),*];

            /// Every operation of this table with its data direction, parameter counts and
            /// session need, in table order.
            pub static OPERATIONS: &[$crate::OperationSpec] = &[$(
                $crate::OperationSpec {
                    code: $konst,
                    name: $spec,
                    data: $crate::DataPhase::$data,
                    min_params: $min,
                    max_params: $max,
                    needs_session: $crate::vendor_codes!(@session $($session)?),
                }
            ),*];

            /// The spec name of `code`, or `None` for a code this table does not have.
            #[must_use]
            pub const fn name(code: $crate::OperationCode) -> Option<&'static str> {
                match code.0 {
                    $($value => Some($spec),)*
                    _ => None,
                }
            }

            /// The table entry of `code`, or `None` for a code this table does not have.
            #[must_use]
            pub fn spec(code: $crate::OperationCode) -> Option<&'static $crate::OperationSpec> {
                OPERATIONS.iter().find(|spec| spec.code == code)
            }
        }
        $crate::vendor_codes! { $($rest)* }
    };
    (
        $(#[$meta:meta])*
        $vis:vis mod $module:ident: $ty:ident {
            $(
                $(#[$cmeta:meta])*
                $konst:ident = $value:literal, $spec:literal;
            )*
        }
        $($rest:tt)*
    ) => {
        $(#[$meta])*
        $vis mod $module {
            $(
                $(#[$cmeta])*
                #[doc = concat!("\n\nSpec name `", $spec, "`, value `", stringify!($value), "`.")]
                pub const $konst: $crate::$ty = $crate::$ty($value);
            )*

            /// Every code of this table, in table order.
            pub const KNOWN: &[$crate::$ty] = &[$($konst),*];

            /// The spec name of `code`, or `None` for a code this table does not have.
            #[must_use]
            pub const fn name(code: $crate::$ty) -> Option<&'static str> {
                match code.0 {
                    $($value => Some($spec),)*
                    _ => None,
                }
            }
        }
        $crate::vendor_codes! { $($rest)* }
    };
}

/// Whether a 16-bit code is in the vendor-extension half of its code space (MSB nibble with
/// bit 15 set, ISO 15740:2013 §5.3): 0x9xxx operations, 0xAxxx responses, 0xCxxx events,
/// 0xDxxx properties, 0xBxxx formats.
#[must_use]
pub const fn is_vendor_code(code: u16) -> bool {
    code & 0x8000 != 0
}

codes! {
    /// Operation codes (ISO 15740:2013 §10.4 and table 22; MTP 1.1 appendix D).
    pub struct OperationCode(u16);
    /// Placeholder; never a valid request.
    UNDEFINED = 0x1000, "Undefined";
    /// Returns the DeviceInfo dataset; allowed outside a session.
    GET_DEVICE_INFO = 0x1001, "GetDeviceInfo";
    /// Opens a session (parameter: SessionID).
    OPEN_SESSION = 0x1002, "OpenSession";
    /// Closes the session.
    CLOSE_SESSION = 0x1003, "CloseSession";
    /// Returns the StorageIDs array.
    GET_STORAGE_IDS = 0x1004, "GetStorageIDs";
    /// Returns a StorageInfo dataset.
    GET_STORAGE_INFO = 0x1005, "GetStorageInfo";
    /// Counts objects matching a filter.
    GET_NUM_OBJECTS = 0x1006, "GetNumObjects";
    /// Returns the ObjectHandles matching a filter.
    GET_OBJECT_HANDLES = 0x1007, "GetObjectHandles";
    /// Returns an ObjectInfo dataset.
    GET_OBJECT_INFO = 0x1008, "GetObjectInfo";
    /// Returns an object's data.
    GET_OBJECT = 0x1009, "GetObject";
    /// Returns an object's thumbnail.
    GET_THUMB = 0x100A, "GetThumb";
    /// Deletes an object.
    DELETE_OBJECT = 0x100B, "DeleteObject";
    /// Announces an object to be sent (data phase: ObjectInfo).
    SEND_OBJECT_INFO = 0x100C, "SendObjectInfo";
    /// Sends the data of the announced object.
    SEND_OBJECT = 0x100D, "SendObject";
    /// Captures a new object.
    INITIATE_CAPTURE = 0x100E, "InitiateCapture";
    /// Formats a store.
    FORMAT_STORE = 0x100F, "FormatStore";
    /// Resets the device (closes every session).
    RESET_DEVICE = 0x1010, "ResetDevice";
    /// Runs a self test.
    SELF_TEST = 0x1011, "SelfTest";
    /// Sets an object's ProtectionStatus.
    SET_OBJECT_PROTECTION = 0x1012, "SetObjectProtection";
    /// Powers the device down.
    POWER_DOWN = 0x1013, "PowerDown";
    /// Returns a DevicePropDesc dataset.
    GET_DEVICE_PROP_DESC = 0x1014, "GetDevicePropDesc";
    /// Returns a device property's current value.
    GET_DEVICE_PROP_VALUE = 0x1015, "GetDevicePropValue";
    /// Sets a device property's value (data phase: the value).
    SET_DEVICE_PROP_VALUE = 0x1016, "SetDevicePropValue";
    /// Resets a device property to its factory default.
    RESET_DEVICE_PROP_VALUE = 0x1017, "ResetDevicePropValue";
    /// Ends an open-ended capture.
    TERMINATE_OPEN_CAPTURE = 0x1018, "TerminateOpenCapture";
    /// Moves an object.
    MOVE_OBJECT = 0x1019, "MoveObject";
    /// Copies an object.
    COPY_OBJECT = 0x101A, "CopyObject";
    /// Returns part of an object's data.
    GET_PARTIAL_OBJECT = 0x101B, "GetPartialObject";
    /// Starts an open-ended capture.
    INITIATE_OPEN_CAPTURE = 0x101C, "InitiateOpenCapture";
    /// PTP 1.1: starts an enumeration of handles.
    START_ENUM_HANDLES = 0x101D, "StartEnumHandles";
    /// PTP 1.1: continues an enumeration of handles.
    ENUM_HANDLES = 0x101E, "EnumHandles";
    /// PTP 1.1: ends an enumeration of handles.
    STOP_ENUM_HANDLES = 0x101F, "StopEnumHandles";
    /// PTP 1.1: returns the vendor extension maps.
    GET_VENDOR_EXTENSION_MAPS = 0x1020, "GetVendorExtensionMaps";
    /// PTP 1.1: returns a vendor's DeviceInfo.
    GET_VENDOR_DEVICE_INFO = 0x1021, "GetVendorDeviceInfo";
    /// PTP 1.1: returns a resized image.
    GET_RESIZED_IMAGE_OBJECT = 0x1022, "GetResizedImageObject";
    /// PTP 1.1: returns the filesystem manifest.
    GET_FILESYSTEM_MANIFEST = 0x1023, "GetFilesystemManifest";
    /// PTP 1.1: returns a StreamInfo dataset.
    GET_STREAM_INFO = 0x1024, "GetStreamInfo";
    /// PTP 1.1: returns stream data (for example a live view frame).
    GET_STREAM = 0x1025, "GetStream";
    /// MTP: object property codes supported for a format.
    GET_OBJECT_PROPS_SUPPORTED = 0x9801, "GetObjectPropsSupported";
    /// MTP: an ObjectPropDesc dataset.
    GET_OBJECT_PROP_DESC = 0x9802, "GetObjectPropDesc";
    /// MTP: an object property's value.
    GET_OBJECT_PROP_VALUE = 0x9803, "GetObjectPropValue";
    /// MTP: sets an object property's value.
    SET_OBJECT_PROP_VALUE = 0x9804, "SetObjectPropValue";
    /// MTP: an ObjectPropList dataset.
    GET_OBJECT_PROP_LIST = 0x9805, "GetObjectPropList";
    /// MTP: sets properties from an ObjectPropList dataset.
    SET_OBJECT_PROP_LIST = 0x9806, "SetObjectPropList";
    /// MTP: interdependent property descriptions.
    GET_INTERDEPENDENT_PROP_DESC = 0x9807, "GetInterdependentPropDesc";
    /// MTP: announces an object through an ObjectPropList.
    SEND_OBJECT_PROP_LIST = 0x9808, "SendObjectPropList";
    /// MTP: an object's references.
    GET_OBJECT_REFERENCES = 0x9810, "GetObjectReferences";
    /// MTP: sets an object's references.
    SET_OBJECT_REFERENCES = 0x9811, "SetObjectReferences";
    /// MTP: firmware update.
    UPDATE_DEVICE_FIRMWARE = 0x9812, "UpdateDeviceFirmware";
    /// MTP: skips in the current playlist.
    SKIP = 0x9820, "Skip";
}

codes! {
    /// Response codes (ISO 15740:2013 §11 and table 27; MTP 1.1 appendix F).
    pub struct ResponseCode(u16);
    /// Placeholder.
    UNDEFINED = 0x2000, "Undefined";
    /// The operation completed.
    OK = 0x2001, "OK";
    /// Unspecified failure.
    GENERAL_ERROR = 0x2002, "GeneralError";
    /// The operation needs an open session.
    SESSION_NOT_OPEN = 0x2003, "SessionNotOpen";
    /// The TransactionID is wrong for this point of the session.
    INVALID_TRANSACTION_ID = 0x2004, "InvalidTransactionID";
    /// The operation code is not supported.
    OPERATION_NOT_SUPPORTED = 0x2005, "OperationNotSupported";
    /// A parameter is given that the operation does not support.
    PARAMETER_NOT_SUPPORTED = 0x2006, "ParameterNotSupported";
    /// The data phase was shorter than announced.
    INCOMPLETE_TRANSFER = 0x2007, "IncompleteTransfer";
    /// No such StorageID.
    INVALID_STORAGE_ID = 0x2008, "InvalidStorageID";
    /// No such ObjectHandle.
    INVALID_OBJECT_HANDLE = 0x2009, "InvalidObjectHandle";
    /// The device property is not supported.
    DEVICE_PROP_NOT_SUPPORTED = 0x200A, "DevicePropNotSupported";
    /// The ObjectFormatCode is not supported.
    INVALID_OBJECT_FORMAT_CODE = 0x200B, "InvalidObjectFormatCode";
    /// The store is full.
    STORE_FULL = 0x200C, "StoreFull";
    /// The object is write protected.
    OBJECT_WRITE_PROTECTED = 0x200D, "ObjectWriteProtected";
    /// The store is read-only.
    STORE_READ_ONLY = 0x200E, "StoreReadOnly";
    /// Access denied.
    ACCESS_DENIED = 0x200F, "AccessDenied";
    /// The object has no thumbnail.
    NO_THUMBNAIL_PRESENT = 0x2010, "NoThumbnailPresent";
    /// The self test failed.
    SELF_TEST_FAILED = 0x2011, "SelfTestFailed";
    /// Only some of the objects were deleted.
    PARTIAL_DELETION = 0x2012, "PartialDeletion";
    /// The store is not available.
    STORE_NOT_AVAILABLE = 0x2013, "StoreNotAvailable";
    /// Filtering by format is not supported.
    SPECIFICATION_BY_FORMAT_UNSUPPORTED = 0x2014, "SpecificationByFormatUnsupported";
    /// SendObject without a valid SendObjectInfo before it.
    NO_VALID_OBJECT_INFO = 0x2015, "NoValidObjectInfo";
    /// The code format is invalid.
    INVALID_CODE_FORMAT = 0x2016, "InvalidCodeFormat";
    /// Unknown vendor code.
    UNKNOWN_VENDOR_CODE = 0x2017, "UnknownVendorCode";
    /// The capture was already terminated.
    CAPTURE_ALREADY_TERMINATED = 0x2018, "CaptureAlreadyTerminated";
    /// The device is busy; retry later.
    DEVICE_BUSY = 0x2019, "DeviceBusy";
    /// The parent object is invalid.
    INVALID_PARENT_OBJECT = 0x201A, "InvalidParentObject";
    /// The device property's format is invalid.
    INVALID_DEVICE_PROP_FORMAT = 0x201B, "InvalidDevicePropFormat";
    /// The device property value is not allowed.
    INVALID_DEVICE_PROP_VALUE = 0x201C, "InvalidDevicePropValue";
    /// A parameter value is invalid.
    INVALID_PARAMETER = 0x201D, "InvalidParameter";
    /// A session is already open.
    SESSION_ALREADY_OPEN = 0x201E, "SessionAlreadyOpen";
    /// The transaction was cancelled.
    TRANSACTION_CANCELLED = 0x201F, "TransactionCancelled";
    /// The destination cannot be specified.
    SPECIFICATION_OF_DESTINATION_UNSUPPORTED = 0x2020, "SpecificationOfDestinationUnsupported";
    /// PTP 1.1: invalid enumeration handle.
    INVALID_ENUM_HANDLE = 0x2021, "InvalidEnumHandle";
    /// PTP 1.1: no stream is enabled.
    NO_STREAM_ENABLED = 0x2022, "NoStreamEnabled";
    /// PTP 1.1: the dataset is invalid.
    INVALID_DATA_SET = 0x2023, "InvalidDataSet";
    /// MTP: placeholder.
    MTP_UNDEFINED = 0xA800, "MTP_Undefined";
    /// MTP: invalid object property code.
    INVALID_OBJECT_PROP_CODE = 0xA801, "Invalid_ObjectPropCode";
    /// MTP: invalid object property format.
    INVALID_OBJECT_PROP_FORMAT = 0xA802, "Invalid_ObjectProp_Format";
    /// MTP: invalid object property value.
    INVALID_OBJECT_PROP_VALUE = 0xA803, "Invalid_ObjectProp_Value";
    /// MTP: invalid object reference.
    INVALID_OBJECT_REFERENCE = 0xA804, "Invalid_ObjectReference";
    /// MTP: group not supported.
    GROUP_NOT_SUPPORTED = 0xA805, "Group_Not_Supported";
    /// MTP: invalid dataset.
    INVALID_DATASET = 0xA806, "Invalid_Dataset";
    /// MTP: filtering by group is not supported.
    SPECIFICATION_BY_GROUP_UNSUPPORTED = 0xA807, "Specification_By_Group_Unsupported";
    /// MTP: filtering by depth is not supported.
    SPECIFICATION_BY_DEPTH_UNSUPPORTED = 0xA808, "Specification_By_Depth_Unsupported";
    /// MTP: the object is too large for the store.
    OBJECT_TOO_LARGE = 0xA809, "Object_Too_Large";
    /// MTP: the object property is not supported.
    OBJECT_PROP_NOT_SUPPORTED = 0xA80A, "ObjectProp_Not_Supported";
}

impl ResponseCode {
    /// Whether this is [`ResponseCode::OK`].
    #[must_use]
    pub const fn is_ok(self) -> bool {
        self.0 == Self::OK.0
    }
}

codes! {
    /// Event codes (ISO 15740:2013 §12 and table 30; MTP 1.1 appendix G).
    pub struct EventCode(u16);
    /// Placeholder.
    UNDEFINED = 0x4000, "Undefined";
    /// The initiator cancelled a transaction.
    CANCEL_TRANSACTION = 0x4001, "CancelTransaction";
    /// A new object exists (parameter: ObjectHandle).
    OBJECT_ADDED = 0x4002, "ObjectAdded";
    /// An object was removed (parameter: ObjectHandle).
    OBJECT_REMOVED = 0x4003, "ObjectRemoved";
    /// A store was added (parameter: StorageID).
    STORE_ADDED = 0x4004, "StoreAdded";
    /// A store was removed (parameter: StorageID).
    STORE_REMOVED = 0x4005, "StoreRemoved";
    /// A device property changed (parameter: DevicePropCode).
    DEVICE_PROP_CHANGED = 0x4006, "DevicePropChanged";
    /// An ObjectInfo changed (parameter: ObjectHandle).
    OBJECT_INFO_CHANGED = 0x4007, "ObjectInfoChanged";
    /// The DeviceInfo changed.
    DEVICE_INFO_CHANGED = 0x4008, "DeviceInfoChanged";
    /// The device asks the initiator to fetch an object (parameter: ObjectHandle).
    REQUEST_OBJECT_TRANSFER = 0x4009, "RequestObjectTransfer";
    /// A store is full (parameter: StorageID).
    STORE_FULL = 0x400A, "StoreFull";
    /// The device was reset.
    DEVICE_RESET = 0x400B, "DeviceReset";
    /// A StorageInfo changed (parameter: StorageID).
    STORAGE_INFO_CHANGED = 0x400C, "StorageInfoChanged";
    /// A capture finished (parameter: TransactionID of the capture).
    CAPTURE_COMPLETE = 0x400D, "CaptureComplete";
    /// Status that was not reported.
    UNREPORTED_STATUS = 0x400E, "UnreportedStatus";
    /// MTP: an object property changed.
    OBJECT_PROP_CHANGED = 0xC801, "ObjectPropChanged";
    /// MTP: an object property description changed.
    OBJECT_PROP_DESC_CHANGED = 0xC802, "ObjectPropDescChanged";
    /// MTP: an object's references changed.
    OBJECT_REFERENCES_CHANGED = 0xC803, "ObjectReferencesChanged";
}

codes! {
    /// Device property codes (ISO 15740:2013 §13 and table 34; MTP 1.1 appendix C).
    pub struct DevicePropCode(u16);
    /// Placeholder.
    UNDEFINED = 0x5000, "Undefined";
    /// Battery level, UINT8.
    BATTERY_LEVEL = 0x5001, "BatteryLevel";
    /// Functional mode, UINT16.
    FUNCTIONAL_MODE = 0x5002, "FunctionalMode";
    /// Image size `"WxH"`, STR.
    IMAGE_SIZE = 0x5003, "ImageSize";
    /// Compression setting, UINT8.
    COMPRESSION_SETTING = 0x5004, "CompressionSetting";
    /// White balance, UINT16.
    WHITE_BALANCE = 0x5005, "WhiteBalance";
    /// RGB gain, STR.
    RGB_GAIN = 0x5006, "RGBGain";
    /// F-number × 100, UINT16.
    F_NUMBER = 0x5007, "FNumber";
    /// Focal length in 0.01 mm, UINT32.
    FOCAL_LENGTH = 0x5008, "FocalLength";
    /// Focus distance in mm, UINT16.
    FOCUS_DISTANCE = 0x5009, "FocusDistance";
    /// Focus mode, UINT16.
    FOCUS_MODE = 0x500A, "FocusMode";
    /// Exposure metering mode, UINT16.
    EXPOSURE_METERING_MODE = 0x500B, "ExposureMeteringMode";
    /// Flash mode, UINT16.
    FLASH_MODE = 0x500C, "FlashMode";
    /// Exposure time in 0.1 ms, UINT32.
    EXPOSURE_TIME = 0x500D, "ExposureTime";
    /// Exposure program mode, UINT16.
    EXPOSURE_PROGRAM_MODE = 0x500E, "ExposureProgramMode";
    /// Exposure index (ISO), UINT16.
    EXPOSURE_INDEX = 0x500F, "ExposureIndex";
    /// Exposure bias in 0.001 EV, INT16.
    EXPOSURE_BIAS_COMPENSATION = 0x5010, "ExposureBiasCompensation";
    /// Date and time, STR (DateTime).
    DATE_TIME = 0x5011, "DateTime";
    /// Capture delay in ms, UINT32.
    CAPTURE_DELAY = 0x5012, "CaptureDelay";
    /// Still capture mode, UINT16.
    STILL_CAPTURE_MODE = 0x5013, "StillCaptureMode";
    /// Contrast, UINT8.
    CONTRAST = 0x5014, "Contrast";
    /// Sharpness, UINT8.
    SHARPNESS = 0x5015, "Sharpness";
    /// Digital zoom, UINT8.
    DIGITAL_ZOOM = 0x5016, "DigitalZoom";
    /// Effect mode, UINT16.
    EFFECT_MODE = 0x5017, "EffectMode";
    /// Burst number, UINT16.
    BURST_NUMBER = 0x5018, "BurstNumber";
    /// Burst interval in ms, UINT16.
    BURST_INTERVAL = 0x5019, "BurstInterval";
    /// Timelapse number, UINT16.
    TIMELAPSE_NUMBER = 0x501A, "TimelapseNumber";
    /// Timelapse interval in ms, UINT32.
    TIMELAPSE_INTERVAL = 0x501B, "TimelapseInterval";
    /// Focus metering mode, UINT16.
    FOCUS_METERING_MODE = 0x501C, "FocusMeteringMode";
    /// Upload URL, STR.
    UPLOAD_URL = 0x501D, "UploadURL";
    /// Artist, STR.
    ARTIST = 0x501E, "Artist";
    /// Copyright info, STR.
    COPYRIGHT_INFO = 0x501F, "CopyrightInfo";
    /// PTP 1.1: supported streams bitmask, UINT32.
    SUPPORTED_STREAMS = 0x5020, "SupportedStreams";
    /// PTP 1.1: enabled streams bitmask, UINT32.
    ENABLED_STREAMS = 0x5021, "EnabledStreams";
    /// PTP 1.1: video format, UINT32.
    VIDEO_FORMAT = 0x5022, "VideoFormat";
    /// PTP 1.1: video resolution, STR.
    VIDEO_RESOLUTION = 0x5023, "VideoResolution";
    /// PTP 1.1: video quality, UINT16.
    VIDEO_QUALITY = 0x5024, "VideoQuality";
    /// PTP 1.1: video frame rate, UINT32.
    VIDEO_FRAME_RATE = 0x5025, "VideoFrameRate";
    /// PTP 1.1: video contrast, UINT32.
    VIDEO_CONTRAST = 0x5026, "VideoContrast";
    /// PTP 1.1: video brightness, UINT32.
    VIDEO_BRIGHTNESS = 0x5027, "VideoBrightness";
    /// PTP 1.1: audio format, UINT32.
    AUDIO_FORMAT = 0x5028, "AudioFormat";
    /// PTP 1.1: audio bitrate, UINT32.
    AUDIO_BITRATE = 0x5029, "AudioBitrate";
    /// PTP 1.1: audio sampling rate, UINT32.
    AUDIO_SAMPLING_RATE = 0x502A, "AudioSamplingRate";
    /// PTP 1.1: audio bits per sample, UINT16.
    AUDIO_BIT_PER_SAMPLE = 0x502B, "AudioBitPerSample";
    /// PTP 1.1: audio volume, UINT32.
    AUDIO_VOLUME = 0x502C, "AudioVolume";
    /// MTP: synchronization partner, STR.
    SYNCHRONIZATION_PARTNER = 0xD401, "SynchronizationPartner";
    /// MTP: device friendly name, STR.
    DEVICE_FRIENDLY_NAME = 0xD402, "DeviceFriendlyName";
    /// MTP: volume, UINT32.
    VOLUME = 0xD403, "Volume";
    /// MTP: supported formats in preference order, AUINT16.
    SUPPORTED_FORMATS_ORDERED = 0xD404, "SupportedFormatsOrdered";
    /// MTP: device icon, AUINT8.
    DEVICE_ICON = 0xD405, "DeviceIcon";
    /// MTP: session initiator version info, STR.
    SESSION_INITIATOR_VERSION_INFO = 0xD406, "SessionInitiatorVersionInfo";
    /// MTP: perceived device type, UINT32.
    PERCEIVED_DEVICE_TYPE = 0xD407, "PerceivedDeviceType";
    /// MTP: playback rate, INT32.
    PLAYBACK_RATE = 0xD410, "PlaybackRate";
    /// MTP: playback object, UINT32.
    PLAYBACK_OBJECT = 0xD411, "PlaybackObject";
    /// MTP: playback container index, UINT32.
    PLAYBACK_CONTAINER_INDEX = 0xD412, "PlaybackContainerIndex";
    /// MTP: playback position, UINT32.
    PLAYBACK_POSITION = 0xD413, "PlaybackPosition";
}

codes! {
    /// Object format codes (ISO 15740:2013 §6.2 and table 18; MTP 1.1 appendix A).
    pub struct ObjectFormatCode(u16);
    /// Undefined non-image object.
    UNDEFINED = 0x3000, "Undefined";
    /// Association (a folder, for example).
    ASSOCIATION = 0x3001, "Association";
    /// Device-model-specific script.
    SCRIPT = 0x3002, "Script";
    /// Device-model-specific binary executable.
    EXECUTABLE = 0x3003, "Executable";
    /// Text file.
    TEXT = 0x3004, "Text";
    /// HTML file.
    HTML = 0x3005, "HTML";
    /// Digital Print Order Format file.
    DPOF = 0x3006, "DPOF";
    /// AIFF audio.
    AIFF = 0x3007, "AIFF";
    /// WAV audio.
    WAV = 0x3008, "WAV";
    /// MP3 audio.
    MP3 = 0x3009, "MP3";
    /// AVI video.
    AVI = 0x300A, "AVI";
    /// MPEG video.
    MPEG = 0x300B, "MPEG";
    /// ASF.
    ASF = 0x300C, "ASF";
    /// QuickTime video.
    QT = 0x300D, "QT";
    /// Unknown image object.
    UNDEFINED_IMAGE = 0x3800, "Undefined Image";
    /// EXIF/JPEG.
    EXIF_JPEG = 0x3801, "EXIF/JPEG";
    /// TIFF/EP.
    TIFF_EP = 0x3802, "TIFF/EP";
    /// FlashPix.
    FLASHPIX = 0x3803, "FlashPix";
    /// Windows bitmap.
    BMP = 0x3804, "BMP";
    /// Canon camera image file format.
    CIFF = 0x3805, "CIFF";
    /// GIF.
    GIF = 0x3807, "GIF";
    /// JFIF.
    JFIF = 0x3808, "JFIF";
    /// PhotoCD.
    PCD = 0x3809, "PCD";
    /// Quickdraw picture.
    PICT = 0x380A, "PICT";
    /// PNG.
    PNG = 0x380B, "PNG";
    /// TIFF.
    TIFF = 0x380D, "TIFF";
    /// TIFF/IT.
    TIFF_IT = 0x380E, "TIFF/IT";
    /// JPEG 2000.
    JP2 = 0x380F, "JP2";
    /// JPEG 2000 extended.
    JPX = 0x3810, "JPX";
    /// PTP 1.1: Digital Negative.
    DNG = 0x3811, "DNG";
    /// MTP: firmware.
    FIRMWARE = 0xB802, "Firmware";
    /// MTP: Windows image format.
    WINDOWS_IMAGE_FORMAT = 0xB881, "WindowsImageFormat";
    /// MTP: undefined audio.
    UNDEFINED_AUDIO = 0xB900, "UndefinedAudio";
    /// MTP: Windows Media Audio.
    WMA = 0xB901, "WMA";
    /// MTP: Ogg.
    OGG = 0xB902, "OGG";
    /// MTP: AAC.
    AAC = 0xB903, "AAC";
    /// MTP: Audible.
    AUDIBLE = 0xB904, "Audible";
    /// MTP: FLAC.
    FLAC = 0xB906, "FLAC";
    /// MTP: undefined video.
    UNDEFINED_VIDEO = 0xB980, "UndefinedVideo";
    /// MTP: Windows Media Video.
    WMV = 0xB981, "WMV";
    /// MTP: MP4 container.
    MP4_CONTAINER = 0xB982, "MP4_Container";
    /// MTP: MPEG-2.
    MP2 = 0xB983, "MP2";
    /// MTP: 3GP container.
    THREE_GP_CONTAINER = 0xB984, "3GP_Container";
    /// MTP: undefined collection.
    UNDEFINED_COLLECTION = 0xBA00, "UndefinedCollection";
    /// MTP: abstract multimedia album.
    ABSTRACT_MULTIMEDIA_ALBUM = 0xBA01, "AbstractMultimediaAlbum";
    /// MTP: abstract image album.
    ABSTRACT_IMAGE_ALBUM = 0xBA02, "AbstractImageAlbum";
    /// MTP: abstract audio album.
    ABSTRACT_AUDIO_ALBUM = 0xBA03, "AbstractAudioAlbum";
    /// MTP: abstract video album.
    ABSTRACT_VIDEO_ALBUM = 0xBA04, "AbstractVideoAlbum";
    /// MTP: abstract audio and video playlist.
    ABSTRACT_AUDIO_VIDEO_PLAYLIST = 0xBA05, "AbstractAudioVideoPlaylist";
    /// MTP: abstract audio playlist.
    ABSTRACT_AUDIO_PLAYLIST = 0xBA09, "AbstractAudioPlaylist";
    /// MTP: abstract video playlist.
    ABSTRACT_VIDEO_PLAYLIST = 0xBA0A, "AbstractVideoPlaylist";
    /// MTP: WPL playlist.
    WPL_PLAYLIST = 0xBA10, "WPLPlaylist";
    /// MTP: M3U playlist.
    M3U_PLAYLIST = 0xBA11, "M3UPlaylist";
    /// MTP: undefined document.
    UNDEFINED_DOCUMENT = 0xBA80, "UndefinedDocument";
    /// MTP: abstract document.
    ABSTRACT_DOCUMENT = 0xBA81, "AbstractDocument";
    /// MTP: XML document.
    XML_DOCUMENT = 0xBA82, "XMLDocument";
}

impl ObjectFormatCode {
    /// Whether this is an image format (the 0x38xx range, ISO 15740:2013 table 18).
    #[must_use]
    pub const fn is_image(self) -> bool {
        self.0 & 0xF800 == 0x3800
    }
}

codes! {
    /// MTP object property codes (MTP 1.1 appendix B).
    pub struct ObjectPropCode(u16);
    /// StorageID of the object, UINT32.
    STORAGE_ID = 0xDC01, "StorageID";
    /// ObjectFormat, UINT16.
    OBJECT_FORMAT = 0xDC02, "ObjectFormat";
    /// ProtectionStatus, UINT16.
    PROTECTION_STATUS = 0xDC03, "ProtectionStatus";
    /// ObjectSize, UINT64.
    OBJECT_SIZE = 0xDC04, "ObjectSize";
    /// AssociationType, UINT16.
    ASSOCIATION_TYPE = 0xDC05, "AssociationType";
    /// AssociationDesc, UINT32.
    ASSOCIATION_DESC = 0xDC06, "AssociationDesc";
    /// ObjectFileName, STR.
    OBJECT_FILE_NAME = 0xDC07, "ObjectFileName";
    /// DateCreated, STR (DateTime).
    DATE_CREATED = 0xDC08, "DateCreated";
    /// DateModified, STR (DateTime).
    DATE_MODIFIED = 0xDC09, "DateModified";
    /// Keywords, STR.
    KEYWORDS = 0xDC0A, "Keywords";
    /// ParentObject, UINT32.
    PARENT_OBJECT = 0xDC0B, "ParentObject";
    /// AllowedFolderContents, AUINT16.
    ALLOWED_FOLDER_CONTENTS = 0xDC0C, "AllowedFolderContents";
    /// Hidden, UINT16.
    HIDDEN = 0xDC0D, "Hidden";
    /// SystemObject, UINT16.
    SYSTEM_OBJECT = 0xDC0E, "SystemObject";
    /// PersistentUniqueObjectIdentifier, UINT128.
    PERSISTENT_UNIQUE_OBJECT_IDENTIFIER = 0xDC41, "PersistentUniqueObjectIdentifier";
    /// SyncID, STR.
    SYNC_ID = 0xDC42, "SyncID";
    /// PropertyBag, AUINT16.
    PROPERTY_BAG = 0xDC43, "PropertyBag";
    /// Name, STR.
    NAME = 0xDC44, "Name";
    /// CreatedBy, STR.
    CREATED_BY = 0xDC45, "CreatedBy";
    /// Artist, STR.
    ARTIST = 0xDC46, "Artist";
    /// DateAuthored, STR (DateTime).
    DATE_AUTHORED = 0xDC47, "DateAuthored";
    /// Description, AUINT16.
    DESCRIPTION = 0xDC48, "Description";
    /// URLReference, STR.
    URL_REFERENCE = 0xDC49, "URLReference";
    /// LanguageLocale, STR.
    LANGUAGE_LOCALE = 0xDC4A, "LanguageLocale";
    /// CopyrightInformation, AUINT16.
    COPYRIGHT_INFORMATION = 0xDC4B, "CopyrightInformation";
    /// Source, STR.
    SOURCE = 0xDC4C, "Source";
    /// OriginLocation, STR.
    ORIGIN_LOCATION = 0xDC4D, "OriginLocation";
    /// DateAdded, STR (DateTime).
    DATE_ADDED = 0xDC4E, "DateAdded";
    /// NonConsumable, UINT8.
    NON_CONSUMABLE = 0xDC4F, "NonConsumable";
    /// CorruptOrUnplayable, UINT8.
    CORRUPT_OR_UNPLAYABLE = 0xDC50, "CorruptOrUnplayable";
    /// ProducerSerialNumber, STR.
    PRODUCER_SERIAL_NUMBER = 0xDC51, "ProducerSerialNumber";
    /// RepresentativeSampleFormat, UINT16.
    REPRESENTATIVE_SAMPLE_FORMAT = 0xDC81, "RepresentativeSampleFormat";
    /// RepresentativeSampleSize, UINT32.
    REPRESENTATIVE_SAMPLE_SIZE = 0xDC82, "RepresentativeSampleSize";
    /// RepresentativeSampleHeight, UINT32.
    REPRESENTATIVE_SAMPLE_HEIGHT = 0xDC83, "RepresentativeSampleHeight";
    /// RepresentativeSampleWidth, UINT32.
    REPRESENTATIVE_SAMPLE_WIDTH = 0xDC84, "RepresentativeSampleWidth";
    /// RepresentativeSampleDuration, UINT32.
    REPRESENTATIVE_SAMPLE_DURATION = 0xDC85, "RepresentativeSampleDuration";
    /// RepresentativeSampleData, AUINT8.
    REPRESENTATIVE_SAMPLE_DATA = 0xDC86, "RepresentativeSampleData";
    /// Width in pixels, UINT32.
    WIDTH = 0xDC87, "Width";
    /// Height in pixels, UINT32.
    HEIGHT = 0xDC88, "Height";
    /// Duration in ms, UINT32.
    DURATION = 0xDC89, "Duration";
    /// Rating, UINT16.
    RATING = 0xDC8A, "Rating";
    /// Track, UINT16.
    TRACK = 0xDC8B, "Track";
    /// Genre, STR.
    GENRE = 0xDC8C, "Genre";
    /// Credits, AUINT16.
    CREDITS = 0xDC8D, "Credits";
    /// Lyrics, AUINT16.
    LYRICS = 0xDC8E, "Lyrics";
    /// SubscriptionContentID, STR.
    SUBSCRIPTION_CONTENT_ID = 0xDC8F, "SubscriptionContentID";
    /// ProducedBy, STR.
    PRODUCED_BY = 0xDC90, "ProducedBy";
    /// UseCount, UINT32.
    USE_COUNT = 0xDC91, "UseCount";
    /// SkipCount, UINT32.
    SKIP_COUNT = 0xDC92, "SkipCount";
    /// LastAccessed, STR (DateTime).
    LAST_ACCESSED = 0xDC93, "LastAccessed";
    /// ParentalRating, STR.
    PARENTAL_RATING = 0xDC94, "ParentalRating";
    /// MetaGenre, UINT16.
    META_GENRE = 0xDC95, "MetaGenre";
    /// Composer, STR.
    COMPOSER = 0xDC96, "Composer";
    /// EffectiveRating, UINT16.
    EFFECTIVE_RATING = 0xDC97, "EffectiveRating";
    /// Subtitle, STR.
    SUBTITLE = 0xDC98, "Subtitle";
    /// OriginalReleaseDate, STR (DateTime).
    ORIGINAL_RELEASE_DATE = 0xDC99, "OriginalReleaseDate";
    /// AlbumName, STR.
    ALBUM_NAME = 0xDC9A, "AlbumName";
    /// AlbumArtist, STR.
    ALBUM_ARTIST = 0xDC9B, "AlbumArtist";
    /// Mood, STR.
    MOOD = 0xDC9C, "Mood";
    /// DRMStatus, UINT16.
    DRM_STATUS = 0xDC9D, "DRMStatus";
    /// SubDescription, AUINT16.
    SUB_DESCRIPTION = 0xDC9E, "SubDescription";
    /// IsCropped, UINT16.
    IS_CROPPED = 0xDCD1, "IsCropped";
    /// IsColourCorrected, UINT16.
    IS_COLOUR_CORRECTED = 0xDCD2, "IsColourCorrected";
    /// ImageBitDepth, UINT32.
    IMAGE_BIT_DEPTH = 0xDCD3, "ImageBitDepth";
    /// Fnumber × 100, UINT16.
    FNUMBER = 0xDCD4, "Fnumber";
    /// ExposureTime in 0.1 ms, UINT32.
    EXPOSURE_TIME = 0xDCD5, "ExposureTime";
    /// ExposureIndex, UINT16.
    EXPOSURE_INDEX = 0xDCD6, "ExposureIndex";
}

codes! {
    /// Data type codes (ISO 15740:2013 §5.3 and table 3).
    pub struct DataTypeCode(u16);
    /// Undefined.
    UNDEF = 0x0000, "UNDEF";
    /// Signed 8-bit integer.
    INT8 = 0x0001, "INT8";
    /// Unsigned 8-bit integer.
    UINT8 = 0x0002, "UINT8";
    /// Signed 16-bit integer.
    INT16 = 0x0003, "INT16";
    /// Unsigned 16-bit integer.
    UINT16 = 0x0004, "UINT16";
    /// Signed 32-bit integer.
    INT32 = 0x0005, "INT32";
    /// Unsigned 32-bit integer.
    UINT32 = 0x0006, "UINT32";
    /// Signed 64-bit integer.
    INT64 = 0x0007, "INT64";
    /// Unsigned 64-bit integer.
    UINT64 = 0x0008, "UINT64";
    /// Signed 128-bit integer.
    INT128 = 0x0009, "INT128";
    /// Unsigned 128-bit integer.
    UINT128 = 0x000A, "UINT128";
    /// Array of INT8.
    AINT8 = 0x4001, "AINT8";
    /// Array of UINT8.
    AUINT8 = 0x4002, "AUINT8";
    /// Array of INT16.
    AINT16 = 0x4003, "AINT16";
    /// Array of UINT16.
    AUINT16 = 0x4004, "AUINT16";
    /// Array of INT32.
    AINT32 = 0x4005, "AINT32";
    /// Array of UINT32.
    AUINT32 = 0x4006, "AUINT32";
    /// Array of INT64.
    AINT64 = 0x4007, "AINT64";
    /// Array of UINT64.
    AUINT64 = 0x4008, "AUINT64";
    /// Array of INT128.
    AINT128 = 0x4009, "AINT128";
    /// Array of UINT128.
    AUINT128 = 0x400A, "AUINT128";
    /// PTP string.
    STR = 0xFFFF, "STR";
}

impl DataTypeCode {
    /// Whether this is one of the array types (0x4001 to 0x400A).
    #[must_use]
    pub const fn is_array(self) -> bool {
        matches!(self.0, 0x4001..=0x400A)
    }

    /// The element type of an array type, or the type itself for a scalar.
    #[must_use]
    pub const fn element(self) -> Self {
        if self.is_array() {
            Self(self.0 & 0x00FF)
        } else {
            self
        }
    }

    /// Bytes of one scalar value of this type (`None` for UNDEF, STR and unknown types; for an
    /// array type, the size of one element).
    #[must_use]
    pub const fn scalar_size(self) -> Option<usize> {
        match self.element().0 {
            0x0001 | 0x0002 => Some(1),
            0x0003 | 0x0004 => Some(2),
            0x0005 | 0x0006 => Some(4),
            0x0007 | 0x0008 => Some(8),
            0x0009 | 0x000A => Some(16),
            _ => None,
        }
    }
}

codes! {
    /// StorageType (ISO 15740:2013 §5.6.1, table 10).
    pub struct StorageType(u16);
    /// Undefined.
    UNDEFINED = 0x0000, "Undefined";
    /// Fixed ROM.
    FIXED_ROM = 0x0001, "FixedROM";
    /// Removable ROM.
    REMOVABLE_ROM = 0x0002, "RemovableROM";
    /// Fixed RAM.
    FIXED_RAM = 0x0003, "FixedRAM";
    /// Removable RAM (a memory card).
    REMOVABLE_RAM = 0x0004, "RemovableRAM";
}

codes! {
    /// FilesystemType (ISO 15740:2013 §5.6.1, table 11).
    pub struct FilesystemType(u16);
    /// Undefined.
    UNDEFINED = 0x0000, "Undefined";
    /// Generic flat.
    GENERIC_FLAT = 0x0001, "GenericFlat";
    /// Generic hierarchical.
    GENERIC_HIERARCHICAL = 0x0002, "GenericHierarchical";
    /// Design rule for Camera File system.
    DCF = 0x0003, "DCF";
}

codes! {
    /// AccessCapability of a store (ISO 15740:2013 §5.6.1, table 12).
    pub struct AccessCapability(u16);
    /// Read and write.
    READ_WRITE = 0x0000, "ReadWrite";
    /// Read-only, objects cannot be deleted.
    READ_ONLY_WITHOUT_DELETION = 0x0001, "ReadOnlyWithoutObjectDeletion";
    /// Read-only, objects can be deleted.
    READ_ONLY_WITH_DELETION = 0x0002, "ReadOnlyWithObjectDeletion";
}

codes! {
    /// ProtectionStatus of an object (ISO 15740:2013 §5.5.2, table 14; MTP 1.1 §3.6.1).
    pub struct ProtectionStatus(u16);
    /// No protection.
    NO_PROTECTION = 0x0000, "NoProtection";
    /// Read-only.
    READ_ONLY = 0x0001, "ReadOnly";
    /// MTP: read-only data.
    READ_ONLY_DATA = 0x8002, "ReadOnlyData";
    /// MTP: non-transferable data.
    NON_TRANSFERABLE_DATA = 0x8003, "NonTransferableData";
}

codes! {
    /// AssociationType (ISO 15740:2013 §6.4, table 19).
    pub struct AssociationType(u16);
    /// Undefined (not an association).
    UNDEFINED = 0x0000, "Undefined";
    /// Generic folder.
    GENERIC_FOLDER = 0x0001, "GenericFolder";
    /// Album.
    ALBUM = 0x0002, "Album";
    /// Time sequence.
    TIME_SEQUENCE = 0x0003, "TimeSequence";
    /// Horizontal panoramic.
    HORIZONTAL_PANORAMIC = 0x0004, "HorizontalPanoramic";
    /// Vertical panoramic.
    VERTICAL_PANORAMIC = 0x0005, "VerticalPanoramic";
    /// 2D panoramic.
    PANORAMIC_2D = 0x0006, "2DPanoramic";
    /// Ancillary data.
    ANCILLARY_DATA = 0x0007, "AncillaryData";
}

codes! {
    /// FunctionalMode of a device (ISO 15740:2013 §5.5.1, table 7).
    pub struct FunctionalMode(u16);
    /// Standard mode.
    STANDARD = 0x0000, "Standard";
    /// Sleep state.
    SLEEP_STATE = 0x0001, "SleepState";
}

codes! {
    /// The FormFlag of a property description (ISO 15740:2013 §5.5.3 table 15; MTP 1.1 §5.1.2).
    pub struct FormFlag(u8);
    /// No form.
    NONE = 0x00, "None";
    /// Range: minimum, maximum, step.
    RANGE = 0x01, "Range";
    /// Enumeration: a list of allowed values.
    ENUMERATION = 0x02, "Enumeration";
    /// MTP: DateTime form.
    DATE_TIME = 0x03, "DateTime";
    /// MTP: fixed-length array form.
    FIXED_LENGTH_ARRAY = 0x04, "FixedLengthArray";
    /// MTP: regular expression form.
    REGULAR_EXPRESSION = 0x05, "RegularExpression";
    /// MTP: byte array form.
    BYTE_ARRAY = 0x06, "ByteArray";
    /// MTP: long string form.
    LONG_STRING = 0xFF, "LongString";
}

codes! {
    /// USB container types (ISO 15740:2013 annex D.7.1.1; USB Still Image Capture Device
    /// Definition §7.1.1).
    pub struct ContainerKind(u16);
    /// Undefined.
    UNDEFINED = 0x0000, "Undefined";
    /// Command block (an operation request).
    COMMAND = 0x0001, "Command Block";
    /// Data block.
    DATA = 0x0002, "Data Block";
    /// Response block.
    RESPONSE = 0x0003, "Response Block";
    /// Event block.
    EVENT = 0x0004, "Event Block";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Decode, Encode};
    use alloc::format;
    use alloc::vec::Vec;
    use core::fmt;

    #[test]
    fn names_and_unknown_codes() {
        assert_eq!(OperationCode::GET_DEVICE_INFO.name(), Some("GetDeviceInfo"));
        assert_eq!(
            format!("{:?}", OperationCode(0x9116)),
            "OperationCode(0x9116)"
        );
        assert_eq!(format!("{}", ResponseCode::OK), "OK (0x2001)");
        assert_eq!(format!("{}", EventCode(0xc189)), "0xc189");
        let bytes = OperationCode(0x9116).to_bytes();
        assert_eq!(
            OperationCode::decode_exact(&bytes).unwrap(),
            OperationCode(0x9116)
        );
    }

    #[test]
    fn every_table_has_unique_values_and_names() {
        fn check<T: Copy + Ord + fmt::Debug>(
            known: &[T],
            name: impl Fn(T) -> Option<&'static str>,
        ) {
            let mut values = known.to_vec();
            values.sort();
            values.dedup();
            assert_eq!(values.len(), known.len(), "duplicate value in {known:?}");
            let mut names: Vec<_> = known.iter().map(|&c| name(c).unwrap()).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), known.len(), "duplicate name in {known:?}");
        }
        check(OperationCode::KNOWN, OperationCode::name);
        check(ResponseCode::KNOWN, ResponseCode::name);
        check(EventCode::KNOWN, EventCode::name);
        check(DevicePropCode::KNOWN, DevicePropCode::name);
        check(ObjectFormatCode::KNOWN, ObjectFormatCode::name);
        check(ObjectPropCode::KNOWN, ObjectPropCode::name);
        check(DataTypeCode::KNOWN, DataTypeCode::name);
        check(FormFlag::KNOWN, FormFlag::name);
    }

    crate::vendor_codes! {
        /// Vendor operations for the tests.
        #[allow(unreachable_pub)]
        mod vop: OperationCode {
            GET = 0x9001, "V_Get", ToInitiator, 1..=3;
            OPEN = 0x9002, "V_Open", None, 0..=0, needs_session = false;
        }
        /// Vendor events for the tests.
        #[allow(unreachable_pub)]
        mod vev: EventCode {
            /// Documented.
            PING = 0xC001, "V_Ping";
        }
        /// An empty table.
        #[allow(unreachable_pub)]
        mod vnone: ObjectFormatCode {}
    }

    #[test]
    fn vendor_tables() {
        use crate::{DataPhase, OperationSpec};
        assert_eq!(
            vop::OPERATIONS,
            &[
                OperationSpec::new(vop::GET, "V_Get", DataPhase::ToInitiator, 1, 3),
                OperationSpec::new(OperationCode(0x9002), "V_Open", DataPhase::None, 0, 0)
                    .sessionless(),
            ]
        );
        assert_eq!(vop::KNOWN, &[vop::GET, vop::OPEN]);
        assert_eq!(vop::spec(vop::OPEN).map(|s| s.name), Some("V_Open"));
        assert_eq!(vop::spec(OperationCode::GET_DEVICE_INFO), None);
        const NAME: Option<&str> = vop::name(vop::GET);
        assert_eq!(NAME, Some("V_Get"));
        assert_eq!(vev::name(EventCode(0xC001)), Some("V_Ping"));
        assert_eq!(vev::name(EventCode::OBJECT_ADDED), None);
        assert_eq!(vev::KNOWN, &[vev::PING]);
        assert!(vnone::KNOWN.is_empty());
        assert_eq!(vnone::name(ObjectFormatCode(0xB103)), None);
    }

    #[test]
    fn data_type_helpers() {
        assert!(DataTypeCode::AUINT16.is_array());
        assert_eq!(DataTypeCode::AUINT16.element(), DataTypeCode::UINT16);
        assert_eq!(DataTypeCode::AINT128.scalar_size(), Some(16));
        assert_eq!(DataTypeCode::STR.scalar_size(), None);
        assert!(is_vendor_code(0x9116));
        assert!(!is_vendor_code(0x1001));
        assert!(ObjectFormatCode::EXIF_JPEG.is_image());
        assert!(!ObjectFormatCode::ASSOCIATION.is_image());
    }
}
