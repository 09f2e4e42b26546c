//! The shape of a Fujifilm body's table: everything that differs from one body to the next and
//! that the Fujifilm protocol code ([`FujiX`](crate::FujiX)) reads. A second body is a second
//! [`FujiBody`] (see [`crate::model`]), not a change to the protocol code.

use vcam_core::ptp_types::{DevicePropCode, DevicePropDesc, EventCode, OperationCode};

/// Which face of the body a client sees: Fujifilm bodies answer differently over USB and over
/// their WiFi protocol (docs/reference/vendors-wifi-sony-fuji.md §1, §2, §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Face {
    /// USB ("card reader / PTP" mode): VendorExtensionID 6 with "fujifilm.co.jp: 1.0; ",
    /// events as USB interrupts, live view as object 0x80000001, unknown properties refused
    /// with DevicePropNotSupported.
    Usb,
    /// WiFi "wireless communication" (the official apps and libgphoto2's "Fuji X (WLAN)"):
    /// VendorExtensionID 0x0E, the remote operations, the WiFi properties (0xDFxx, object
    /// counts), an empty data phase for unknown properties, CameraState 6 (remote access).
    Wifi,
    /// WiFi in PC AutoSave mode: as [`Face::Wifi`] with CameraState 3 and the AutoSave version
    /// property 0xDF23 (§3.2).
    PcAutoSave,
}

impl Face {
    /// Whether this is one of the WiFi faces.
    #[must_use]
    pub const fn is_wifi(self) -> bool {
        matches!(self, Self::Wifi | Self::PcAutoSave)
    }
}

/// Where a property is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Faces {
    /// Over USB and WiFi.
    All,
    /// Over USB only (WiFi answers it as an unknown property).
    Usb,
    /// Over WiFi only (USB answers DevicePropNotSupported).
    Wifi,
    /// In PC AutoSave mode only.
    PcAutoSave,
}

impl Faces {
    /// Whether a client on `face` sees the property.
    #[must_use]
    pub const fn includes(self, face: Face) -> bool {
        match self {
            Self::All => true,
            Self::Usb => matches!(face, Face::Usb),
            Self::Wifi => face.is_wifi(),
            Self::PcAutoSave => matches!(face, Face::PcAutoSave),
        }
    }
}

/// One property of a body: its description with the initial value, and where it is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FujiProp {
    /// Code, type, GetSet, default, current value, form.
    pub desc: DevicePropDesc,
    /// The faces that answer it.
    pub faces: Faces,
}

/// Everything body-specific the Fujifilm extension needs.
#[derive(Debug, Clone)]
pub struct FujiBody {
    /// DeviceInfo.OperationsSupported over USB, in the body's order.
    pub usb_operations: &'static [OperationCode],
    /// Operations the body adds over WiFi (appended to the USB list).
    pub wifi_operations: &'static [OperationCode],
    /// DeviceInfo.EventsSupported.
    pub events: &'static [EventCode],
    /// DeviceInfo.DevicePropertiesSupported, in the body's order (most answer
    /// DevicePropNotSupported to GetDevicePropDesc, as on the real body).
    pub device_props: &'static [DevicePropCode],
    /// The properties the body answers, in the order of its property catalogue (the WiFi
    /// version properties 0xDF21 to 0xDF25 among them; a body without one answers it as an
    /// unknown property, with an empty data phase, as X-T4 and X-T5 do for 0xDF23:
    /// docs/reference/vendors-wifi-sony-fuji.md §3.1).
    pub props: fn() -> Vec<FujiProp>,
    /// CameraState (0xDF00) on the WiFi face: 6 (remote access) for bodies with remote
    /// control, 2 (full access) for the others.
    pub wifi_camera_state: u16,
    /// The properties the body reports in its event list after InitiateOpenCapture and after
    /// TerminateOpenCapture on WiFi (the remote-mode burst), in its order.
    pub remote_burst: &'static [DevicePropCode],
}

impl FujiBody {
    /// DeviceInfo.OperationsSupported on `face`.
    #[must_use]
    pub fn operations(&self, face: Face) -> Vec<OperationCode> {
        let mut ops = self.usb_operations.to_vec();
        if face.is_wifi() {
            ops.extend_from_slice(self.wifi_operations);
        }
        ops
    }
}
