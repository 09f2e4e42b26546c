//! The SETUP packet of a control transfer and the request codes the camera answers.

/// Still Image class requests (USB Still Image Capture Device Definition §5.2).
pub mod class_request {
    /// Cancel Request: 6 bytes, u16 0x4001 then the u32 TransactionID.
    pub const CANCEL: u8 = 0x64;
    /// Get Extended Event Data.
    pub const GET_EXTENDED_EVENT_DATA: u8 = 0x65;
    /// Device Reset Request: closes the session and clears every transfer.
    pub const DEVICE_RESET: u8 = 0x66;
    /// Get Device Status Request.
    pub const GET_DEVICE_STATUS: u8 = 0x67;
}

/// Standard requests (USB 2.0 Table 9-4).
pub(crate) mod std_request {
    pub(crate) const GET_STATUS: u8 = 0;
    pub(crate) const CLEAR_FEATURE: u8 = 1;
    pub(crate) const SET_FEATURE: u8 = 3;
    pub(crate) const SET_ADDRESS: u8 = 5;
    pub(crate) const GET_DESCRIPTOR: u8 = 6;
    pub(crate) const SET_DESCRIPTOR: u8 = 7;
    pub(crate) const GET_CONFIGURATION: u8 = 8;
    pub(crate) const SET_CONFIGURATION: u8 = 9;
    pub(crate) const GET_INTERFACE: u8 = 10;
    pub(crate) const SET_INTERFACE: u8 = 11;
}

/// The 8-byte SETUP packet of a control transfer (USB 2.0 §9.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetupPacket {
    /// bmRequestType.
    pub request_type: u8,
    /// bRequest.
    pub request: u8,
    /// wValue.
    pub value: u16,
    /// wIndex.
    pub index: u16,
    /// wLength.
    pub length: u16,
}

impl SetupPacket {
    /// Parses the 8 bytes of a SETUP packet.
    #[must_use]
    pub const fn from_bytes(b: [u8; 8]) -> Self {
        Self {
            request_type: b[0],
            request: b[1],
            value: u16::from_le_bytes([b[2], b[3]]),
            index: u16::from_le_bytes([b[4], b[5]]),
            length: u16::from_le_bytes([b[6], b[7]]),
        }
    }

    /// The 8 bytes of this SETUP packet.
    #[must_use]
    pub const fn to_bytes(self) -> [u8; 8] {
        let v = self.value.to_le_bytes();
        let i = self.index.to_le_bytes();
        let l = self.length.to_le_bytes();
        [
            self.request_type,
            self.request,
            v[0],
            v[1],
            i[0],
            i[1],
            l[0],
            l[1],
        ]
    }

    /// Whether the data stage goes to the host.
    #[must_use]
    pub const fn is_in(&self) -> bool {
        self.request_type & 0x80 != 0
    }
}
