//! The UPnP device description a Canon body serves at `/upnp/CameraDevDesc.xml` and its
//! service description (`/upnp/CameraSvcDesc.xml`).
//!
//! The layout is a real body's (an EOS Rebel T6, captured in vcam's C original
//! `upnp/dump.txt`; docs/reference/vendors-wifi-sony-fuji.md §4.2): one element per line, no
//! indentation, CRLF line ends (its Content-Length, 1395, counts them), the Canon extension
//! elements inside the service element in the `urn:schemas-canon-com:schema-upnp` namespace.
//! The service description of a real body is not public; vcam serves an empty one (no
//! actions, no state variables), which is all Camera Connect and EOS Utility are known to
//! need: they read the device description and go on to PTP/IP.

use std::fmt::Write as _;

/// The Canon extension namespace of `X_targetId` and friends.
pub const CANON_NS: &str = "urn:schemas-canon-com:schema-upnp";
/// `X_targetId` of a body not paired with any client (the captured T6).
pub const UNPAIRED_TARGET: &str = "uuid:00000000-0000-0000-0001-FFFFFFFFFFFF";
/// Path of the device description.
pub const DEVICE_PATH: &str = "/upnp/CameraDevDesc.xml";
/// Path of the service description (SCPDURL `CameraSvcDesc.xml` under URLBase `/upnp/`).
pub const SERVICE_PATH: &str = "/upnp/CameraSvcDesc.xml";

/// Which Canon face the body shows on WiFi.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
#[non_exhaustive]
pub enum Mode {
    /// Smartphone mode (Canon Camera Connect): `ICPO-SmartPhoneEOSSystemService`.
    #[default]
    CameraConnect,
    /// "Remote control (EOS Utility)" mode: `ICPO-WFTEOSSystemService`; PTP/IP opens only
    /// after the host fetched the description the way Windows does (§4.3).
    EosUtility,
}

impl Mode {
    /// The service type the body announces in this mode.
    #[must_use]
    pub const fn service_type(self) -> &'static str {
        match self {
            Self::CameraConnect => {
                "urn:schemas-canon-com:service:ICPO-SmartPhoneEOSSystemService:1"
            }
            Self::EosUtility => "urn:schemas-canon-com:service:ICPO-WFTEOSSystemService:1",
        }
    }

    /// The service ID in the description.
    #[must_use]
    pub const fn service_id(self) -> &'static str {
        match self {
            Self::CameraConnect => {
                "urn:schemas-canon-com:serviceId:ICPO-SmartPhoneEOSSystemService-1"
            }
            Self::EosUtility => "urn:schemas-canon-com:serviceId:ICPO-WFTEOSSystemService-1",
        }
    }
}

/// The values of a body's device description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// URLBase: `http://<address>:<port>/upnp/`.
    pub url_base: String,
    /// friendlyName and modelName ("Canon EOS 6D").
    pub model_name: String,
    /// serialNumber: the body's 12-digit serial (EOS property 0xD1AF).
    pub serial_number: String,
    /// The UDN without `uuid:`.
    pub udn: String,
    /// The face shown.
    pub mode: Mode,
    /// X_deviceUsbId: the USB product ID, four lower-case hex digits ("32b4").
    pub usb_product_id: u16,
    /// X_deviceNickname: the name the owner gave the body in its WiFi menu.
    pub nickname: String,
}

impl Device {
    /// CameraDevDesc.xml; `target` is X_targetId: the paired client's GUID as a UUID, or
    /// [`UNPAIRED_TARGET`].
    #[must_use]
    pub fn device_xml(&self, target: &str) -> String {
        let mut x = String::with_capacity(1500);
        let mut line = |s: &str| {
            x.push_str(s);
            x.push_str("\r\n");
        };
        line("<?xml version=\"1.0\"?>");
        line("<root xmlns=\"urn:schemas-upnp-org:device-1-0\">");
        line("<specVersion>");
        line("<major>1</major>");
        line("<minor>0</minor>");
        line("</specVersion>");
        line(&element("URLBase", &self.url_base));
        line("<device>");
        line(&element("deviceType", crate::ssdp::BASIC_DEVICE));
        line(&element("friendlyName", &self.model_name));
        line(&element("manufacturer", "Canon"));
        line(&element("manufacturerURL", "http://www.canon.com/"));
        line(&element("modelDescription", "Canon Digital Camera"));
        line(&element("modelName", &self.model_name));
        line(&element("serialNumber", &self.serial_number));
        line(&element("UDN", &format!("uuid:{}", self.udn)));
        line("<serviceList>");
        line("<service>");
        line(&element("serviceType", self.mode.service_type()));
        line(&element("serviceId", self.mode.service_id()));
        line(&element("SCPDURL", "CameraSvcDesc.xml"));
        line(&element("controlURL", "control/CanonCamera/"));
        line("<eventSubURL></eventSubURL>");
        line(&canon("X_targetId", target));
        line(&canon("X_onService", "0"));
        line(&canon(
            "X_deviceUsbId",
            &format!("{:04x}", self.usb_product_id),
        ));
        line(&canon("X_deviceNickname", &self.nickname));
        line("</service>");
        line("</serviceList>");
        line("<presentationURL>/</presentationURL>");
        line("</device>");
        line("</root>");
        x
    }
}

/// CameraSvcDesc.xml: an SCPD with no actions and no state variables.
#[must_use]
pub fn service_xml() -> String {
    [
        "<?xml version=\"1.0\"?>",
        "<scpd xmlns=\"urn:schemas-upnp-org:service-1-0\">",
        "<specVersion>",
        "<major>1</major>",
        "<minor>0</minor>",
        "</specVersion>",
        "<actionList>",
        "</actionList>",
        "<serviceStateTable>",
        "</serviceStateTable>",
        "</scpd>",
        "",
    ]
    .join("\r\n")
}

/// `guid` as X_targetId writes a client: a UUID in upper-case hex, bytes in wire order.
#[must_use]
pub fn target_id(guid: &[u8; 16]) -> String {
    let mut s = String::from("uuid:");
    for (i, b) in guid.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        let _ = write!(s, "{b:02X}");
    }
    s
}

fn element(name: &str, value: &str) -> String {
    format!("<{name}>{}</{name}>", escape(value))
}

fn canon(name: &str, value: &str) -> String {
    format!(
        "<ns:{name} xmlns:ns=\"{CANON_NS}\">{}</ns:{name}>",
        escape(value)
    )
}

/// XML text escaping.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The captured T6 description (vcam's C original `upnp/dump.txt`), rebuilt from its
    /// values, has its length: 1395 bytes.
    #[test]
    fn the_captured_description_is_rebuilt_exactly() {
        let t6 = Device {
            url_base: "http://192.168.1.2:49152/upnp/".into(),
            model_name: "Canon EOS Rebel T6".into(),
            serial_number: "123456789123".into(),
            udn: crate::ssdp::canon_udn([0x00, 0xBB, 0xC1, 0x85, 0x9F, 0xAB]),
            mode: Mode::CameraConnect,
            usb_product_id: 0x32B4,
            nickname: "EOST6{".into(),
        };
        let xml = t6.device_xml(UNPAIRED_TARGET);
        assert_eq!(xml.len(), 1395);
        assert!(xml.contains(
            "\r\n<ns:X_deviceUsbId xmlns:ns=\"urn:schemas-canon-com:schema-upnp\">32b4</ns:X_deviceUsbId>\r\n"
        ));
    }

    #[test]
    fn text_is_escaped_and_guids_are_uuids() {
        assert_eq!(escape("a<b>&\"c'\u{7}"), "a&lt;b&gt;&amp;&quot;c&apos;");
        let guid = *b"\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef";
        assert_eq!(
            target_id(&guid),
            "uuid:01234567-89AB-CDEF-0123-456789ABCDEF"
        );
    }
}
