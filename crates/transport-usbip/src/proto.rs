//! The USB/IP wire protocol, device side (Linux `Documentation/usb/usbip_protocol.rst`).
//!
//! Every field is big-endian. Before a device is imported the peer speaks the operation
//! protocol (`OP_REQ_DEVLIST` / `OP_REQ_IMPORT`); after it, URB traffic: `USBIP_CMD_SUBMIT` and
//! `USBIP_CMD_UNLINK` in, `USBIP_RET_SUBMIT` and `USBIP_RET_UNLINK` out, each with a 48-byte
//! header.

use thiserror::Error;

/// Protocol version spoken by Linux's usbip tools (1.1.1).
pub const USBIP_VERSION: u16 = 0x0111;
/// OP_REQ_DEVLIST.
pub const OP_REQ_DEVLIST: u16 = 0x8005;
/// OP_REP_DEVLIST.
pub const OP_REP_DEVLIST: u16 = 0x0005;
/// OP_REQ_IMPORT.
pub const OP_REQ_IMPORT: u16 = 0x8003;
/// OP_REP_IMPORT.
pub const OP_REP_IMPORT: u16 = 0x0003;
/// USBIP_CMD_SUBMIT.
pub const CMD_SUBMIT: u32 = 1;
/// USBIP_CMD_UNLINK.
pub const CMD_UNLINK: u32 = 2;
/// USBIP_RET_SUBMIT.
pub const RET_SUBMIT: u32 = 3;
/// USBIP_RET_UNLINK.
pub const RET_UNLINK: u32 = 4;
/// Size of every URB header.
pub const URB_HEADER_LEN: usize = 48;
/// Size of an operation header (version, code, status).
pub const OP_HEADER_LEN: usize = 8;
/// Size of an OP_REQ_IMPORT request after its header (the bus id).
pub const BUSID_LEN: usize = 32;
/// `-ECONNRESET`: the status of an unlinked URB.
pub const ECONNRESET: i32 = -104;
/// `-EPIPE`: the status of a stalled transfer.
pub const EPIPE: i32 = -32;
/// -ENOENT: the URB names an endpoint the device does not have (what `usb_submit_urb` answers
/// before such a URB reaches the bus).
pub const ENOENT: i32 = -2;
/// Largest transfer buffer accepted from a peer (OUT data is held whole per URB).
pub const MAX_TRANSFER_LEN: usize = 16 * 1024 * 1024;
/// Direction field: host to device.
pub const DIR_OUT: u32 = 0;
/// Direction field: device to host.
pub const DIR_IN: u32 = 1;

/// A malformed or unsupported message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ProtoError {
    /// The operation header names a code this device side does not answer.
    #[error("unsupported operation code {0:#06x}")]
    UnsupportedOp(u16),
    /// The URB header names an unknown command.
    #[error("unknown URB command {0}")]
    UnknownCommand(u32),
    /// A field is out of range.
    #[error("invalid {what}: {value}")]
    Invalid {
        /// The field.
        what: &'static str,
        /// Its value.
        value: i64,
    },
}

fn be32(b: &[u8], at: usize) -> u32 {
    let mut v = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        v.copy_from_slice(s);
    }
    u32::from_be_bytes(v)
}

fn be16(b: &[u8], at: usize) -> u16 {
    let mut v = [0u8; 2];
    if let Some(s) = b.get(at..at + 2) {
        v.copy_from_slice(s);
    }
    u16::from_be_bytes(v)
}

/// An operation request header: version, code, status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpHeader {
    /// Protocol version.
    pub version: u16,
    /// Operation code.
    pub code: u16,
    /// Status (0 in requests).
    pub status: u32,
}

impl OpHeader {
    /// Reads the 8-byte header.
    #[must_use]
    pub fn parse(b: &[u8; OP_HEADER_LEN]) -> Self {
        Self {
            version: be16(b, 0),
            code: be16(b, 2),
            status: be32(b, 4),
        }
    }

    /// Appends the header.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.version.to_be_bytes());
        out.extend_from_slice(&self.code.to_be_bytes());
        out.extend_from_slice(&self.status.to_be_bytes());
    }
}

/// What OP_REP_DEVLIST and OP_REP_IMPORT say about a device (`struct usbip_usb_device`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    /// sysfs path of the device (informational).
    pub path: String,
    /// Bus id, for example `1-1`.
    pub busid: String,
    /// Bus number.
    pub busnum: u32,
    /// Device number.
    pub devnum: u32,
    /// Speed (`enum usb_device_speed`: 2 full, 3 high, 5 super).
    pub speed: u32,
    /// idVendor.
    pub vendor_id: u16,
    /// idProduct.
    pub product_id: u16,
    /// bcdDevice.
    pub bcd_device: u16,
    /// bDeviceClass, bDeviceSubClass, bDeviceProtocol.
    pub device_class: (u8, u8, u8),
    /// bConfigurationValue.
    pub configuration_value: u8,
    /// bNumConfigurations.
    pub num_configurations: u8,
    /// Class, subclass, protocol of each interface.
    pub interfaces: Vec<(u8, u8, u8)>,
}

impl DeviceRecord {
    /// The devid of URB headers: bus number in the high 16 bits, device number in the low.
    #[must_use]
    pub const fn devid(&self) -> u32 {
        (self.busnum << 16) | (self.devnum & 0xFFFF)
    }

    fn emit_fixed(&self, out: &mut Vec<u8>) {
        let mut path = [0u8; 256];
        let p = self.path.as_bytes();
        let n = p.len().min(255);
        path[..n].copy_from_slice(&p[..n]);
        out.extend_from_slice(&path);
        let mut busid = [0u8; BUSID_LEN];
        let b = self.busid.as_bytes();
        let n = b.len().min(BUSID_LEN - 1);
        busid[..n].copy_from_slice(&b[..n]);
        out.extend_from_slice(&busid);
        for v in [self.busnum, self.devnum, self.speed] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        for v in [self.vendor_id, self.product_id, self.bcd_device] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        let n_if = u8::try_from(self.interfaces.len()).unwrap_or(u8::MAX);
        out.extend_from_slice(&[
            self.device_class.0,
            self.device_class.1,
            self.device_class.2,
            self.configuration_value,
            self.num_configurations,
            n_if,
        ]);
    }

    /// OP_REP_DEVLIST listing this one device.
    #[must_use]
    pub fn devlist_reply(&self) -> Vec<u8> {
        let mut out = Vec::new();
        OpHeader {
            version: USBIP_VERSION,
            code: OP_REP_DEVLIST,
            status: 0,
        }
        .emit(&mut out);
        out.extend_from_slice(&1u32.to_be_bytes());
        self.emit_fixed(&mut out);
        for &(c, s, p) in &self.interfaces {
            out.extend_from_slice(&[c, s, p, 0]);
        }
        out
    }

    /// OP_REP_IMPORT accepting the import of this device.
    #[must_use]
    pub fn import_reply(&self) -> Vec<u8> {
        let mut out = Vec::new();
        OpHeader {
            version: USBIP_VERSION,
            code: OP_REP_IMPORT,
            status: 0,
        }
        .emit(&mut out);
        self.emit_fixed(&mut out);
        out
    }
}

/// OP_REP_IMPORT refusing an import (unknown bus id).
#[must_use]
pub fn import_refused() -> Vec<u8> {
    let mut out = Vec::new();
    OpHeader {
        version: USBIP_VERSION,
        code: OP_REP_IMPORT,
        status: 1,
    }
    .emit(&mut out);
    out
}

/// Reads the NUL-padded bus id of OP_REQ_IMPORT.
#[must_use]
pub fn parse_busid(b: &[u8; BUSID_LEN]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(BUSID_LEN);
    String::from_utf8_lossy(b.get(..end).unwrap_or_default()).into_owned()
}

/// A URB command from the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// USBIP_CMD_SUBMIT: a transfer. OUT data (`transfer_buffer_length` bytes) follows the
    /// header on the wire.
    Submit {
        /// Sequence number, echoed in RET_SUBMIT.
        seqnum: u32,
        /// Device id.
        devid: u32,
        /// [`DIR_IN`] or [`DIR_OUT`].
        direction: u32,
        /// Endpoint number (0 to 15, without the direction bit).
        ep: u32,
        /// URB transfer flags.
        transfer_flags: u32,
        /// Buffer length: bytes that follow for OUT, bytes wanted for IN.
        transfer_buffer_length: u32,
        /// Isochronous packets (0 or 0xFFFFFFFF for others).
        number_of_packets: u32,
        /// Interval.
        interval: u32,
        /// The setup packet of a control transfer.
        setup: [u8; 8],
    },
    /// USBIP_CMD_UNLINK: cancel the URB `unlink_seqnum`.
    Unlink {
        /// Sequence number of this request.
        seqnum: u32,
        /// Device id.
        devid: u32,
        /// The URB to cancel.
        unlink_seqnum: u32,
    },
}

impl Command {
    /// Reads a 48-byte URB header.
    ///
    /// # Errors
    /// An unknown command, an endpoint above 15, a direction other than 0 or 1, or a buffer
    /// longer than [`MAX_TRANSFER_LEN`].
    pub fn parse(h: &[u8; URB_HEADER_LEN]) -> Result<Self, ProtoError> {
        let command = be32(h, 0);
        let seqnum = be32(h, 4);
        let devid = be32(h, 8);
        let direction = be32(h, 12);
        let ep = be32(h, 16);
        match command {
            CMD_SUBMIT => {
                if ep > 15 {
                    return Err(ProtoError::Invalid {
                        what: "endpoint",
                        value: i64::from(ep),
                    });
                }
                if direction > 1 {
                    return Err(ProtoError::Invalid {
                        what: "direction",
                        value: i64::from(direction),
                    });
                }
                let transfer_buffer_length = be32(h, 24);
                if transfer_buffer_length as usize > MAX_TRANSFER_LEN {
                    return Err(ProtoError::Invalid {
                        what: "transfer_buffer_length",
                        value: i64::from(transfer_buffer_length),
                    });
                }
                let number_of_packets = be32(h, 32);
                if number_of_packets != 0 && number_of_packets != u32::MAX {
                    return Err(ProtoError::Invalid {
                        what: "number_of_packets (isochronous transfers are not supported)",
                        value: i64::from(number_of_packets),
                    });
                }
                let mut setup = [0u8; 8];
                setup.copy_from_slice(&h[40..48]);
                Ok(Self::Submit {
                    seqnum,
                    devid,
                    direction,
                    ep,
                    transfer_flags: be32(h, 20),
                    transfer_buffer_length,
                    number_of_packets,
                    interval: be32(h, 36),
                    setup,
                })
            }
            CMD_UNLINK => Ok(Self::Unlink {
                seqnum,
                devid,
                unlink_seqnum: be32(h, 20),
            }),
            other => Err(ProtoError::UnknownCommand(other)),
        }
    }

    /// Writes the command (for tests and clients).
    #[must_use]
    pub fn emit(&self) -> [u8; URB_HEADER_LEN] {
        let mut h = [0u8; URB_HEADER_LEN];
        let mut put = |at: usize, v: u32| h[at..at + 4].copy_from_slice(&v.to_be_bytes());
        match *self {
            Self::Submit {
                seqnum,
                devid,
                direction,
                ep,
                transfer_flags,
                transfer_buffer_length,
                number_of_packets,
                interval,
                setup,
            } => {
                put(0, CMD_SUBMIT);
                put(4, seqnum);
                put(8, devid);
                put(12, direction);
                put(16, ep);
                put(20, transfer_flags);
                put(24, transfer_buffer_length);
                put(32, number_of_packets);
                put(36, interval);
                h[40..48].copy_from_slice(&setup);
            }
            Self::Unlink {
                seqnum,
                devid,
                unlink_seqnum,
            } => {
                put(0, CMD_UNLINK);
                put(4, seqnum);
                put(8, devid);
                put(20, unlink_seqnum);
            }
        }
        h
    }
}

/// USBIP_RET_SUBMIT header (IN data of `actual_length` bytes follows on the wire).
#[must_use]
pub fn ret_submit(seqnum: u32, status: i32, actual_length: u32) -> [u8; URB_HEADER_LEN] {
    let mut h = [0u8; URB_HEADER_LEN];
    h[0..4].copy_from_slice(&RET_SUBMIT.to_be_bytes());
    h[4..8].copy_from_slice(&seqnum.to_be_bytes());
    h[20..24].copy_from_slice(&status.to_be_bytes());
    h[24..28].copy_from_slice(&actual_length.to_be_bytes());
    // start_frame 0, number_of_packets 0xFFFFFFFF (not isochronous), error_count 0.
    h[32..36].copy_from_slice(&u32::MAX.to_be_bytes());
    h
}

/// USBIP_RET_UNLINK header.
#[must_use]
pub fn ret_unlink(seqnum: u32, status: i32) -> [u8; URB_HEADER_LEN] {
    let mut h = [0u8; URB_HEADER_LEN];
    h[0..4].copy_from_slice(&RET_UNLINK.to_be_bytes());
    h[4..8].copy_from_slice(&seqnum.to_be_bytes());
    h[20..24].copy_from_slice(&status.to_be_bytes());
    h
}

/// A parsed RET_SUBMIT or RET_UNLINK (for clients and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ret {
    /// RET_SUBMIT or RET_UNLINK.
    pub command: u32,
    /// Sequence number answered.
    pub seqnum: u32,
    /// Status (0, or a negative errno).
    pub status: i32,
    /// Bytes transferred (RET_SUBMIT).
    pub actual_length: u32,
}

impl Ret {
    /// Reads a 48-byte reply header.
    #[must_use]
    pub fn parse(h: &[u8; URB_HEADER_LEN]) -> Self {
        Self {
            command: be32(h, 0),
            seqnum: be32(h, 4),
            status: be32(h, 20).cast_signed(),
            actual_length: be32(h, 24),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submit_round_trips_and_bad_headers_are_errors() {
        let c = Command::Submit {
            seqnum: 7,
            devid: 0x0001_0002,
            direction: DIR_IN,
            ep: 1,
            transfer_flags: 0,
            transfer_buffer_length: 512,
            number_of_packets: 0,
            interval: 0,
            setup: [0; 8],
        };
        assert_eq!(Command::parse(&c.emit()).unwrap(), c);
        let mut bad = c.emit();
        bad[19] = 16;
        assert!(Command::parse(&bad).is_err());
        let mut big = c.emit();
        big[24..28].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(Command::parse(&big).is_err());
        let mut unknown = c.emit();
        unknown[3] = 9;
        assert_eq!(Command::parse(&unknown), Err(ProtoError::UnknownCommand(9)));
    }

    #[test]
    fn devlist_layout() {
        let d = DeviceRecord {
            path: "/sys/devices/vcam/1-1".into(),
            busid: "1-1".into(),
            busnum: 1,
            devnum: 2,
            speed: 3,
            vendor_id: 0x04a9,
            product_id: 0x32b4,
            bcd_device: 0x0002,
            device_class: (0, 0, 0),
            configuration_value: 1,
            num_configurations: 1,
            interfaces: vec![(6, 1, 1)],
        };
        let r = d.devlist_reply();
        assert_eq!(r.len(), 8 + 4 + 312 + 4);
        assert_eq!(&r[..4], &[0x01, 0x11, 0x00, 0x05]);
        assert_eq!(&r[8 + 4 + 256..8 + 4 + 256 + 3], b"1-1");
        assert_eq!(d.import_reply().len(), 8 + 312);
        assert_eq!(d.devid(), 0x0001_0002);
    }
}
