//! USB descriptors of a camera, built once from its [`UsbIdentity`] (USB 2.0 §9.6).
//!
//! Layout: one configuration, one Still Image interface (class 6/1/1 unless the model says
//! otherwise) with bulk IN, bulk OUT and interrupt IN endpoints in the order the real bodies
//! list them (IN, OUT, interrupt), as libgphoto2 reads them (`camlibs/ptp2` takes the first bulk
//! IN, first bulk OUT and first interrupt IN of the first altsetting with endpoints).

use vcam_core::UsbIdentity;

/// Descriptor types (USB 2.0 Table 9-5, USB 3.2 Table 9-6 for BOS).
pub mod kind {
    /// DEVICE.
    pub const DEVICE: u8 = 1;
    /// CONFIGURATION.
    pub const CONFIGURATION: u8 = 2;
    /// STRING.
    pub const STRING: u8 = 3;
    /// INTERFACE.
    pub const INTERFACE: u8 = 4;
    /// ENDPOINT.
    pub const ENDPOINT: u8 = 5;
    /// DEVICE_QUALIFIER.
    pub const DEVICE_QUALIFIER: u8 = 6;
    /// OTHER_SPEED_CONFIGURATION.
    pub const OTHER_SPEED_CONFIGURATION: u8 = 7;
    /// BOS (USB 2.0 LPM ECN, USB 3.x).
    pub const BOS: u8 = 0x0F;
}

/// String index of iManufacturer.
pub const STRING_MANUFACTURER: u8 = 1;
/// String index of iProduct.
pub const STRING_PRODUCT: u8 = 2;
/// String index of iSerialNumber (when the model has one).
pub const STRING_SERIAL: u8 = 3;
/// String index of iInterface (when the model has one).
pub const STRING_INTERFACE: u8 = 4;
/// The Microsoft OS string descriptor index ("MSFT100" + vendor code).
pub const STRING_MS_OS: u8 = 0xEE;
/// bMS_VendorCode announced in the Microsoft OS string descriptor: the bRequest of the vendor
/// request that fetches the extended compat ID (libmtp reads it from byte 16 of string 0xEE).
pub const MS_VENDOR_CODE: u8 = 0x54;
/// wMaxPacketSize of the bulk endpoints at high speed (USB 2.0 §5.8.3).
pub const HIGH_SPEED_BULK_MAX_PACKET: u16 = 512;
/// wMaxPacketSize of the bulk endpoints at full speed.
pub const FULL_SPEED_BULK_MAX_PACKET: u16 = 64;
/// wMaxPacketSize of endpoint 0.
pub const EP0_MAX_PACKET: u8 = 64;

/// All descriptors of one device, as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptors {
    /// The device descriptor (18 bytes).
    pub device: [u8; 18],
    /// The configuration descriptor with its interface and endpoint descriptors (high speed).
    pub configuration: Vec<u8>,
    /// The same configuration at the other (full) speed, as OTHER_SPEED_CONFIGURATION.
    pub other_speed_configuration: Vec<u8>,
    /// The device qualifier (10 bytes).
    pub device_qualifier: [u8; 10],
    /// The BOS descriptor, for models with bcdUSB ≥ 2.01.
    pub bos: Option<Vec<u8>>,
    strings: Vec<(u8, String)>,
    ms_os: bool,
}

impl Descriptors {
    /// Builds the descriptors of `usb`.
    #[must_use]
    pub fn new(usb: &UsbIdentity) -> Self {
        let mut strings = vec![
            (STRING_MANUFACTURER, usb.manufacturer.clone()),
            (STRING_PRODUCT, usb.product.clone()),
        ];
        if let Some(serial) = &usb.serial {
            strings.push((STRING_SERIAL, serial.clone()));
        }
        if let Some(name) = &usb.interface_name {
            strings.push((STRING_INTERFACE, name.clone()));
        }
        let [vid_lo, vid_hi] = usb.vendor_id.to_le_bytes();
        let [pid_lo, pid_hi] = usb.product_id.to_le_bytes();
        let [dev_lo, dev_hi] = usb.bcd_device.to_le_bytes();
        let [usb_lo, usb_hi] = usb.bcd_usb.to_le_bytes();
        let device = [
            18,
            kind::DEVICE,
            usb_lo,
            usb_hi,
            0, // class per interface
            0,
            0,
            EP0_MAX_PACKET,
            vid_lo,
            vid_hi,
            pid_lo,
            pid_hi,
            dev_lo,
            dev_hi,
            STRING_MANUFACTURER,
            STRING_PRODUCT,
            if usb.serial.is_some() {
                STRING_SERIAL
            } else {
                0
            },
            1,
        ];
        let device_qualifier = [
            10,
            kind::DEVICE_QUALIFIER,
            usb_lo,
            usb_hi,
            0,
            0,
            0,
            EP0_MAX_PACKET,
            1,
            0,
        ];
        let configuration = config(usb, kind::CONFIGURATION, HIGH_SPEED_BULK_MAX_PACKET);
        let other_speed_configuration = config(
            usb,
            kind::OTHER_SPEED_CONFIGURATION,
            FULL_SPEED_BULK_MAX_PACKET,
        );
        // USB 2.0 LPM ECN: a BOS with the USB 2.0 Extension capability (LPM supported).
        let bos =
            (usb.bcd_usb >= 0x0201).then(|| vec![5, kind::BOS, 12, 0, 1, 7, 0x10, 2, 2, 0, 0, 0]);
        Self {
            device,
            configuration,
            other_speed_configuration,
            device_qualifier,
            bos,
            strings,
            ms_os: usb.microsoft_os_descriptor,
        }
    }

    /// A string descriptor (USB 2.0 §9.6.7): index 0 is the LANGID list (US English), others
    /// are UTF-16LE. `None` when the index does not exist (the device STALLs).
    #[must_use]
    pub fn string(&self, index: u8) -> Option<Vec<u8>> {
        if index == 0 {
            return Some(vec![4, kind::STRING, 0x09, 0x04]);
        }
        if index == STRING_MS_OS {
            // Microsoft OS 1.0 descriptors: "MSFT100", bMS_VendorCode, bPad.
            if !self.ms_os {
                return None;
            }
            let mut out = vec![18, kind::STRING];
            for unit in "MSFT100".encode_utf16() {
                out.extend_from_slice(&unit.to_le_bytes());
            }
            out.push(MS_VENDOR_CODE);
            out.push(0);
            return Some(out);
        }
        let text = &self.strings.iter().find(|(i, _)| *i == index)?.1;
        let mut out = vec![0, kind::STRING];
        for unit in text.encode_utf16().take(126) {
            out.extend_from_slice(&unit.to_le_bytes());
        }
        out[0] = u8::try_from(out.len()).unwrap_or(u8::MAX);
        Some(out)
    }

    /// The Microsoft extended compat ID descriptor (wIndex 4): one function, interface 0,
    /// compatibleID "MTP". Windows and libmtp look for "MTP" at offset 0x12.
    #[must_use]
    pub fn ms_compat_id(&self) -> Option<Vec<u8>> {
        if !self.ms_os {
            return None;
        }
        let mut out = Vec::with_capacity(40);
        out.extend_from_slice(&40u32.to_le_bytes()); // dwLength
        out.extend_from_slice(&0x0100u16.to_le_bytes()); // bcdVersion 1.00
        out.extend_from_slice(&4u16.to_le_bytes()); // wIndex: extended compat ID
        out.push(1); // bCount
        out.extend_from_slice(&[0; 7]);
        out.push(0); // bFirstInterfaceNumber
        out.push(1); // reserved
        out.extend_from_slice(b"MTP\0\0\0\0\0"); // compatibleID
        out.extend_from_slice(&[0; 8]); // subCompatibleID
        out.extend_from_slice(&[0; 6]);
        Some(out)
    }

    /// The Microsoft extended properties descriptor (wIndex 5): a header with no sections.
    #[must_use]
    pub fn ms_extended_properties(&self) -> Option<Vec<u8>> {
        if !self.ms_os {
            return None;
        }
        let mut out = Vec::with_capacity(10);
        out.extend_from_slice(&10u32.to_le_bytes());
        out.extend_from_slice(&0x0100u16.to_le_bytes());
        out.extend_from_slice(&5u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        Some(out)
    }
}

/// Configuration descriptor (§9.6.3) followed by the interface (§9.6.5) and its endpoints
/// (§9.6.6).
fn config(usb: &UsbIdentity, descriptor_type: u8, bulk_max_packet: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(39);
    out.extend_from_slice(&[
        9,
        descriptor_type,
        39,
        0,
        1,
        1,
        0,
        usb.config_attributes,
        usb.max_power,
    ]);
    let (class, subclass, protocol) = usb.interface_class;
    out.extend_from_slice(&[
        9,
        kind::INTERFACE,
        0,
        0,
        3,
        class,
        subclass,
        protocol,
        if usb.interface_name.is_some() {
            STRING_INTERFACE
        } else {
            0
        },
    ]);
    let [bulk_lo, bulk_hi] = bulk_max_packet.to_le_bytes();
    let [int_lo, int_hi] = usb.interrupt_max_packet.to_le_bytes();
    out.extend_from_slice(&[7, kind::ENDPOINT, usb.bulk_in, 0x02, bulk_lo, bulk_hi, 0]);
    out.extend_from_slice(&[7, kind::ENDPOINT, usb.bulk_out, 0x02, bulk_lo, bulk_hi, 0]);
    out.extend_from_slice(&[
        7,
        kind::ENDPOINT,
        usb.interrupt_in,
        0x03,
        int_lo,
        int_hi,
        usb.interrupt_interval,
    ]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_layout() {
        let usb = UsbIdentity::still_image(0x04a9, 0x32b4, "Canon Inc.", "Canon Digital Camera");
        let d = Descriptors::new(&usb);
        assert_eq!(d.device[8..12], [0xa9, 0x04, 0xb4, 0x32]);
        assert_eq!(d.configuration.len(), 39);
        assert_eq!(d.configuration[2], 39);
        assert_eq!(&d.configuration[9..18], &[9, 4, 0, 0, 3, 6, 1, 1, 0]);
        assert_eq!(&d.configuration[18..25], &[7, 5, 0x81, 2, 0, 2, 0]);
        assert_eq!(
            d.other_speed_configuration[1],
            kind::OTHER_SPEED_CONFIGURATION
        );
        assert_eq!(&d.other_speed_configuration[22..24], &[64, 0]);
        let s = d.string(STRING_MANUFACTURER).unwrap();
        assert_eq!(s[0] as usize, s.len());
        assert_eq!(&s[2..6], &[b'C', 0, b'a', 0]);
        assert!(d.string(STRING_MS_OS).is_none());
        assert!(d.ms_compat_id().is_none());
        assert!(d.bos.is_none());
    }

    #[test]
    fn mtp_descriptors() {
        let mut usb = UsbIdentity::still_image(0x1209, 2, "vcam", "MTP");
        usb.microsoft_os_descriptor = true;
        usb.interface_name = Some("MTP".into());
        let d = Descriptors::new(&usb);
        let os = d.string(STRING_MS_OS).unwrap();
        assert_eq!(os.len(), 18);
        assert_eq!(os[16], MS_VENDOR_CODE);
        let compat = d.ms_compat_id().unwrap();
        assert_eq!(compat.len(), 40);
        assert_eq!(&compat[0x12..0x15], b"MTP");
        assert_eq!(d.configuration[17], STRING_INTERFACE);
    }
}
