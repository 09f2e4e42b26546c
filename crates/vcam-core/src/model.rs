//! Camera models as data: what a body reports about itself (DeviceInfo strings and code lists,
//! USB identity, PTP/IP identity) and which device properties it has.
//!
//! A model carries no behaviour. Behaviour beyond ISO 15740 comes from the
//! [`VendorExtension`](crate::VendorExtension) the model is paired with.

use ptp_types::{
    DataTypeCode, DeviceInfo, DevicePropCode, DevicePropDesc, EventCode, OperationCode, PropForm,
    PropValue, PtpString,
};

/// A device property the model has, with its initial description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyDef {
    /// Code, type, GetSet, factory default, current value and form.
    pub desc: DevicePropDesc,
    /// Whether the property is listed in DeviceInfo.DevicePropertiesSupported (vendor
    /// properties reached through vendor operations, such as Canon EOS ones, are not).
    pub listed: bool,
}

impl PropertyDef {
    /// A listed property.
    #[must_use]
    pub const fn listed(desc: DevicePropDesc) -> Self {
        Self { desc, listed: true }
    }

    /// A property reached only through vendor operations.
    #[must_use]
    pub const fn hidden(desc: DevicePropDesc) -> Self {
        Self {
            desc,
            listed: false,
        }
    }
}

/// How the camera presents itself on USB. Transports build descriptors from this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbIdentity {
    /// idVendor.
    pub vendor_id: u16,
    /// idProduct.
    pub product_id: u16,
    /// bcdDevice.
    pub bcd_device: u16,
    /// bcdUSB (0x0200 for USB 2.0, 0x0210 when a BOS descriptor is present).
    pub bcd_usb: u16,
    /// iManufacturer string.
    pub manufacturer: String,
    /// iProduct string.
    pub product: String,
    /// iSerialNumber string (`None`: iSerialNumber = 0, as some bodies have).
    pub serial: Option<String>,
    /// iInterface string of the Still Image interface (`None`: 0). libmtp recognises an MTP
    /// device by "MTP" in this string.
    pub interface_name: Option<String>,
    /// Interface class, subclass, protocol (6/1/1 for a Still Image device).
    pub interface_class: (u8, u8, u8),
    /// Bulk IN endpoint address (for example 0x81).
    pub bulk_in: u8,
    /// Bulk OUT endpoint address (for example 0x02).
    pub bulk_out: u8,
    /// Interrupt IN endpoint address (for example 0x83).
    pub interrupt_in: u8,
    /// wMaxPacketSize of the interrupt endpoint.
    pub interrupt_max_packet: u16,
    /// bInterval of the interrupt endpoint.
    pub interrupt_interval: u8,
    /// bMaxPower in 2 mA units.
    pub max_power: u8,
    /// bmAttributes of the configuration (0xC0: self powered).
    pub config_attributes: u8,
    /// Whether the device answers the Microsoft OS string descriptor (0xEE) and the
    /// extended compat ID "MTP" (MTP devices).
    pub microsoft_os_descriptor: bool,
}

impl UsbIdentity {
    /// A USB 2.0 high-speed Still Image device with the common endpoint layout (bulk IN 0x81,
    /// bulk OUT 0x02, interrupt IN 0x83).
    #[must_use]
    pub fn still_image(vendor_id: u16, product_id: u16, manufacturer: &str, product: &str) -> Self {
        Self {
            vendor_id,
            product_id,
            bcd_device: 0x0100,
            bcd_usb: 0x0200,
            manufacturer: manufacturer.into(),
            product: product.into(),
            serial: None,
            interface_name: None,
            interface_class: (6, 1, 1),
            bulk_in: 0x81,
            bulk_out: 0x02,
            interrupt_in: 0x83,
            interrupt_max_packet: 64,
            interrupt_interval: 8,
            max_power: 50,
            config_attributes: 0xC0,
            microsoft_os_descriptor: false,
        }
    }
}

/// How the camera presents itself on PTP/IP: the Init Command Ack fields (CIPA DC-005
/// §2.3.2) and the body's habits where the standard leaves a choice.
///
/// ```
/// use vcam_core::model::{PtpIpDataFraming, PtpIpIdentity};
/// let canon = PtpIpIdentity {
///     data_framing: PtpIpDataFraming::DataThenEndData { max_payload: 0x10000 },
///     pairs_with_one_client: true,
///     ..PtpIpIdentity::new(*b"vcam-canon-body!", "Canon EOS")
/// };
/// assert!(canon.pairs_with_one_client);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PtpIpIdentity {
    /// The camera's GUID.
    pub guid: [u8; 16],
    /// The camera's friendly name (usually the model name).
    pub friendly_name: String,
    /// How the data the camera sends after Start Data is cut into packets.
    pub data_framing: PtpIpDataFraming,
    /// Whether the body pairs with one client: it remembers the GUID of the first initiator it
    /// accepts and refuses every other one until its pairing is reset (Canon EOS bodies,
    /// docs/reference/vendors-wifi-sony-fuji.md §4.1). The transport decides with
    /// [`Pairing`](crate::pairing::Pairing).
    pub pairs_with_one_client: bool,
}

impl PtpIpIdentity {
    /// A body with `guid` and `friendly_name` that frames data its own way
    /// ([`PtpIpDataFraming::PerChunk`]) and serves any initiator.
    #[must_use]
    pub fn new(guid: [u8; 16], friendly_name: impl Into<String>) -> Self {
        Self {
            guid,
            friendly_name: friendly_name.into(),
            data_framing: PtpIpDataFraming::PerChunk,
            pairs_with_one_client: false,
        }
    }
}

/// How a body cuts a data phase it sends into Data and End Data packets after Start Data. CIPA
/// DC-005 §2.3.10–2.3.12 let the responder choose; bodies differ (airnef `mtpwifi.py`: Nikon
/// sends one End Data packet, Canon Data packets for all pieces but the last, then End Data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PtpIpDataFraming {
    /// One packet per piece the responder produces (up to its chunk size,
    /// [`DEFAULT_CHUNK_SIZE`](crate::output::DEFAULT_CHUNK_SIZE)), the last one End Data: vcam's own
    /// framing, that of the generic models.
    PerChunk,
    /// Data packets of `max_payload` bytes, then End Data with the rest (never empty unless
    /// the whole phase is): Canon's habit.
    DataThenEndData {
        /// Payload bytes in each Data packet (at least 1).
        max_payload: u32,
    },
}

/// Everything a camera body reports about itself. Each transport reads its own field: the
/// responder [`device_info`](Self::device_info) and [`properties`](Self::properties), USB
/// [`usb`](Self::usb), PTP/IP [`ptpip`](Self::ptpip).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraModel {
    /// Short name used on command lines (`generic`, `canon_1300d`, ...).
    pub id: &'static str,
    /// One line for `--list-models`.
    pub summary: &'static str,
    /// The DeviceInfo dataset the body reports (ISO 15740:2013 §5.5.1), in the body's order.
    /// OperationsSupported lists only operations answered for real; standard events not in
    /// EventsSupported are never sent. DevicePropertiesSupported is filled at GetDeviceInfo
    /// from the listed [`properties`](Self::properties) ([`CameraModel::get_device_info`]),
    /// so leave it empty.
    pub device_info: DeviceInfo,
    /// Device properties; the listed ones appear in DeviceInfo in this order.
    pub properties: Vec<PropertyDef>,
    /// USB identity.
    pub usb: UsbIdentity,
    /// PTP/IP identity.
    pub ptpip: PtpIpIdentity,
    /// Storage description shown for the memory card.
    pub storage_description: PtpString,
    /// Folder under DCIM that captures go to (for example `100CANON`).
    pub capture_folder: String,
    /// File name prefix of captures (for example `IMG_`).
    pub capture_prefix: String,
}

impl CameraModel {
    /// Whether the model advertises `code` in OperationsSupported.
    #[must_use]
    pub fn supports(&self, code: OperationCode) -> bool {
        self.device_info.operations_supported.contains(&code)
    }

    /// Whether the model advertises `code` in EventsSupported.
    #[must_use]
    pub fn sends(&self, code: EventCode) -> bool {
        self.device_info.events_supported.contains(&code)
    }

    /// The GetDeviceInfo dataset (ISO 15740:2013 §5.5.1), before vendor changes: the model's
    /// DeviceInfo with `listed` as DevicePropertiesSupported.
    #[must_use]
    pub fn get_device_info(&self, listed: Vec<DevicePropCode>) -> DeviceInfo {
        DeviceInfo {
            device_properties_supported: listed,
            ..self.device_info.clone()
        }
    }
}

/// Helpers to write property tables compactly.
pub mod prop {
    use super::*;
    use ptp_types::GetSet;

    /// A property description with factory default = current = `value`.
    #[must_use]
    pub fn desc(
        code: DevicePropCode,
        get_set: GetSet,
        value: PropValue,
        form: PropForm,
    ) -> DevicePropDesc {
        DevicePropDesc {
            code,
            data_type: value.data_type(),
            get_set,
            factory_default: value.clone(),
            current: value,
            form,
        }
    }

    /// An enumeration of `u16` values.
    #[must_use]
    pub fn enum_u16(values: &[u16]) -> PropForm {
        PropForm::Enumeration(values.iter().map(|&v| PropValue::UInt16(v)).collect())
    }

    /// An enumeration of `u32` values.
    #[must_use]
    pub fn enum_u32(values: &[u32]) -> PropForm {
        PropForm::Enumeration(values.iter().map(|&v| PropValue::UInt32(v)).collect())
    }

    /// An enumeration of `i16` values.
    #[must_use]
    pub fn enum_i16(values: &[i16]) -> PropForm {
        PropForm::Enumeration(values.iter().map(|&v| PropValue::Int16(v)).collect())
    }

    /// An enumeration of strings.
    #[must_use]
    pub fn enum_str(values: &[&str]) -> PropForm {
        PropForm::Enumeration(
            values
                .iter()
                .map(|v| PropValue::Str(PtpString::truncating(v)))
                .collect(),
        )
    }

    /// A string value.
    #[must_use]
    pub fn str(value: &str) -> PropValue {
        PropValue::Str(PtpString::truncating(value))
    }

    /// The data type a value has (re-exported for table writers).
    #[must_use]
    pub fn data_type(value: &PropValue) -> DataTypeCode {
        value.data_type()
    }
}
