//! USB transfers as Linux usbmon records (link type `LINKTYPE_USB_LINUX_MMAPPED`, 220): the
//! 64-byte `struct mon_bin_hdr` of the kernel's binary usbmon interface
//! (`Documentation/usb/usbmon.rst`, "Raw binary format and API") followed by the data
//! captured. Each transfer is a submission ('S') and a completion ('C') with the same URB id,
//! as usbmon shows them: OUT data travels with the submission, IN data with the completion,
//! and a control transfer's submission carries its 8-byte SETUP packet.
//!
//! Wireshark's USB dissector decodes these (`usb.urb_type`, `usb.transfer_type`,
//! `usb.endpoint_address`, `usb.capdata`; control requests and descriptors in full). It has
//! no dissector for PTP over USB (the Still Image class): the PTP containers show as the
//! bulk transfers' bytes.
//!
//! The header's fields are written little-endian, as is the pcapng section they are in
//! (readers byte-swap both together).

use std::time::{SystemTime, UNIX_EPOCH};

/// Length of the usbmon header (`struct mon_bin_hdr` with its ISO fields: 64 bytes).
pub const USBMON_HEADER_LEN: usize = 64;

/// `-EINPROGRESS`: the status of a submission.
const EINPROGRESS: i32 = -115;
/// `-EPIPE`: the endpoint stalled.
const EPIPE: i32 = -32;
/// `-ENOENT`: no such endpoint (what usbfs answers for one the device does not have).
const ENOENT: i32 = -2;

/// The kind of a transfer, as usbmon's `xfer_type` counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransferKind {
    /// A control transfer on endpoint 0 with its SETUP packet (USB 2.0 §9.3).
    Control {
        /// The 8 bytes of the SETUP packet.
        setup: [u8; 8],
    },
    /// A bulk transfer.
    Bulk,
    /// An interrupt transfer.
    Interrupt,
}

impl TransferKind {
    /// usbmon's `xfer_type`: 0 isochronous, 1 interrupt, 2 control, 3 bulk.
    const fn code(self) -> u8 {
        match self {
            Self::Interrupt => 1,
            Self::Control { .. } => 2,
            Self::Bulk => 3,
        }
    }
}

/// How a transfer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransferStatus {
    /// It completed.
    Completed,
    /// The endpoint stalled (-EPIPE).
    Stalled,
    /// The device has no such endpoint (-ENOENT).
    NoEndpoint,
}

impl TransferStatus {
    const fn errno(self) -> i32 {
        match self {
            Self::Completed => 0,
            Self::Stalled => EPIPE,
            Self::NoEndpoint => ENOENT,
        }
    }
}

/// One finished transfer between the host and the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer<'a> {
    /// Control, bulk or interrupt.
    pub kind: TransferKind,
    /// The endpoint address, direction bit (0x80: IN) included. For a control transfer, 0x00
    /// or 0x80 after the SETUP packet's direction.
    pub endpoint: u8,
    /// Bytes the host asked for (IN) or sent (OUT); a control transfer's wLength.
    pub requested: usize,
    /// The data: sent to the device (OUT) or received from it (IN).
    pub data: &'a [u8],
    /// How it ended.
    pub status: TransferStatus,
}

impl Transfer<'_> {
    /// Whether data flows to the host.
    #[must_use]
    pub const fn is_in(&self) -> bool {
        self.endpoint & 0x80 != 0
    }
}

/// Receives every transfer of a device, with the time it happened. Implemented by
/// [`crate::UsbDeviceRecorder`]; a sans-IO device model calls it with the time it was handed.
pub trait TransferTap: Send {
    /// `transfer` happened at `now`.
    ///
    /// # Errors
    /// When it could not be recorded (the caller may stop tapping).
    fn transfer(&mut self, now: SystemTime, transfer: &Transfer<'_>) -> std::io::Result<()>;
}

/// Where a device sits: its bus and address, as usbmon names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceAddress {
    /// Bus number.
    pub bus: u16,
    /// Device address on the bus.
    pub device: u8,
}

/// The submission and the completion of `transfer` as two usbmon records with URB id `id`.
#[must_use]
pub fn usbmon_records(
    id: u64,
    at: DeviceAddress,
    now: SystemTime,
    transfer: &Transfer<'_>,
) -> [Vec<u8>; 2] {
    let is_in = transfer.is_in();
    let setup = match transfer.kind {
        TransferKind::Control { setup } => Some(setup),
        _ => None,
    };
    let ok = transfer.status == TransferStatus::Completed;
    let submit = Record {
        id,
        kind: b'S',
        transfer,
        at,
        now,
        setup,
        status: EINPROGRESS,
        length: transfer.requested,
        // OUT data goes with the submission.
        data: if is_in { &[] } else { transfer.data },
        no_data_tag: b'<',
    };
    let complete = Record {
        kind: b'C',
        setup: None,
        status: transfer.status.errno(),
        length: if ok { transfer.data.len() } else { 0 },
        data: if is_in && ok { transfer.data } else { &[] },
        no_data_tag: b'>',
        ..submit
    };
    [submit.encode(), complete.encode()]
}

/// One usbmon record being written.
#[derive(Clone, Copy)]
struct Record<'a> {
    id: u64,
    kind: u8,
    transfer: &'a Transfer<'a>,
    at: DeviceAddress,
    now: SystemTime,
    setup: Option<[u8; 8]>,
    status: i32,
    length: usize,
    data: &'a [u8],
    /// `flag_data` when no data is captured: '<' (IN submission), '>' (OUT completion).
    no_data_tag: u8,
}

impl Record<'_> {
    /// The `struct mon_bin_hdr` fields in order (usbmon.rst): id, type, xfer_type, epnum,
    /// devnum, busnum, flag_setup, flag_data, ts_sec, ts_usec, status, length, len_cap,
    /// setup (or ISO error count and descriptor count), interval, start_frame, xfer_flags,
    /// ndesc; then the data.
    fn encode(&self) -> Vec<u8> {
        let since = self.now.duration_since(UNIX_EPOCH).unwrap_or_default();
        let mut r = Vec::with_capacity(USBMON_HEADER_LEN + self.data.len());
        r.extend_from_slice(&self.id.to_le_bytes());
        r.push(self.kind);
        r.push(self.transfer.kind.code());
        r.push(self.transfer.endpoint);
        r.push(self.at.device);
        r.extend_from_slice(&self.at.bus.to_le_bytes());
        r.push(if self.setup.is_some() { 0 } else { b'-' });
        r.push(if self.data.is_empty() {
            self.no_data_tag
        } else {
            0
        });
        r.extend_from_slice(&(since.as_secs() as i64).to_le_bytes());
        r.extend_from_slice(&(since.subsec_micros() as i32).to_le_bytes());
        r.extend_from_slice(&self.status.to_le_bytes());
        r.extend_from_slice(&u32::try_from(self.length).unwrap_or(u32::MAX).to_le_bytes());
        r.extend_from_slice(
            &u32::try_from(self.data.len())
                .unwrap_or(u32::MAX)
                .to_le_bytes(),
        );
        r.extend_from_slice(&self.setup.unwrap_or_default());
        r.extend_from_slice(&[0; 16]); // interval, start_frame, xfer_flags, ndesc
        r.extend_from_slice(self.data);
        r
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::time::Duration;

    use super::*;

    const AT: DeviceAddress = DeviceAddress { bus: 1, device: 2 };

    fn le32(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }

    #[test]
    fn bulk_out_data_goes_with_the_submission() {
        let now = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
        let t = Transfer {
            kind: TransferKind::Bulk,
            endpoint: 0x02,
            requested: 12,
            data: &[0x0C, 0, 0, 0, 1, 0, 0x02, 0x10, 1, 0, 0, 0],
            status: TransferStatus::Completed,
        };
        let [s, c] = usbmon_records(7, AT, now, &t);
        assert_eq!(s.len(), 64 + 12);
        assert_eq!(&s[..8], &7u64.to_le_bytes());
        assert_eq!(&s[8..16], &[b'S', 3, 0x02, 2, 1, 0, b'-', 0]);
        assert_eq!(&s[16..24], &1_700_000_000i64.to_le_bytes());
        assert_eq!(le32(&s, 24), 123_456);
        assert_eq!(le32(&s, 28) as i32, -115);
        assert_eq!((le32(&s, 32), le32(&s, 36)), (12, 12));
        assert_eq!(&s[64..], t.data);
        assert_eq!(c.len(), 64);
        assert_eq!(&c[8..16], &[b'C', 3, 0x02, 2, 1, 0, b'-', b'>']);
        assert_eq!((le32(&c, 28), le32(&c, 32), le32(&c, 36)), (0, 12, 0));
    }

    #[test]
    fn control_in_setup_then_data() {
        let setup = [0x80, 6, 0, 1, 0, 0, 18, 0];
        let t = Transfer {
            kind: TransferKind::Control { setup },
            endpoint: 0x80,
            requested: 18,
            data: &[18, 1, 0, 2],
            status: TransferStatus::Completed,
        };
        let [s, c] = usbmon_records(1, AT, UNIX_EPOCH, &t);
        assert_eq!(s.len(), 64);
        assert_eq!(&s[8..16], &[b'S', 2, 0x80, 2, 1, 0, 0, b'<']);
        assert_eq!(&s[40..48], &setup);
        assert_eq!(&c[8..16], &[b'C', 2, 0x80, 2, 1, 0, b'-', 0]);
        assert_eq!(&c[40..48], &[0; 8]);
        assert_eq!((le32(&c, 32), le32(&c, 36)), (4, 4));
        assert_eq!(&c[64..], &[18, 1, 0, 2]);
    }

    #[test]
    fn a_stall_completes_with_epipe_and_no_data() {
        let t = Transfer {
            kind: TransferKind::Bulk,
            endpoint: 0x81,
            requested: 512,
            data: &[],
            status: TransferStatus::Stalled,
        };
        let [s, c] = usbmon_records(1, AT, UNIX_EPOCH, &t);
        assert_eq!(le32(&s, 32), 512);
        assert_eq!(le32(&c, 28) as i32, -32);
        assert_eq!(c.len(), 64);
    }
}
