//! PTP over USB (feature `usb`): the Still Image class bulk pipes (PIMA 15740 USB; ISO
//! 15740:2013 annex D), on `rusb`.
//!
//! A camera is found by VID:PID or by its Still Image interface (class 6, subclass 1,
//! protocol 1), the interface is claimed, and transactions travel as USB containers
//! (`ptp_codec::container`): a command container on bulk OUT, a data container either way,
//! a response container on bulk IN; events arrive on the interrupt IN endpoint.
//!
//! Bulk IN transfers are always of one size ([`UsbOptions::in_transfer`], 512 bytes to any
//! size the host likes): a device ends a transfer at a container's end with a short packet,
//! so a data container longer than one transfer arrives in several, and this transport hands
//! each one on as it comes ([`Incoming::Data`]), never holding a whole object. A stalled
//! endpoint is cleared (CLEAR_FEATURE ENDPOINT_HALT) and reported.
//!
//! rusb links the system's libusb-1.0 dynamically, so with vcam's drop-in
//! (`LD_PRELOAD=libvcam_libusb.so`) this transport talks to vcam's virtual cameras, and
//! through vhci_hcd to a camera attached with `vcam-vhci`, as it would to a real body.

use std::ops::Range;
use std::time::Duration;

use ptp_codec::container::{self, ContainerHeader, HEADER_LEN, UNKNOWN_LENGTH};
use ptp_codec::{ContainerKind, ContainerRepr, EventCode, ResponseCode};
use ptp_types::OperationCode;
use rusb::{Context, Device, DeviceHandle, Direction, TransferType, UsbContext};

use crate::transport::{Incoming, Transport};
use crate::{Error, Event};

/// The Still Image interface class, subclass and protocol (PIMA 15740 USB).
pub const STILL_IMAGE_CLASS: (u8, u8, u8) = (6, 1, 1);

/// Which USB device to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UsbSelector {
    /// The first device with this idVendor and idProduct (its interface with a bulk IN and a
    /// bulk OUT endpoint).
    VidPid(u16, u16),
    /// The first device with a Still Image interface (6/1/1).
    StillImage,
    /// The device at this bus number and address (as `lsusb` and libgphoto2's `usb:BBB,DDD`
    /// name it).
    BusAddress(u8, u8),
}

/// How the transport moves bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsbOptions {
    /// Bytes asked for in every bulk IN transfer (at least 512).
    pub in_transfer: usize,
    /// How long one transfer may wait.
    pub timeout: Duration,
}

impl Default for UsbOptions {
    /// 512 KiB transfers (what libgphoto2 asks for in data phases), 10 s.
    fn default() -> Self {
        Self {
            in_transfer: 512 * 1024,
            timeout: Duration::from_secs(10),
        }
    }
}

/// Where the camera's endpoints are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsbEndpoints {
    /// bInterfaceNumber of the PTP interface.
    pub interface: u8,
    /// bAlternateSetting.
    pub setting: u8,
    /// Bulk IN endpoint address.
    pub bulk_in: u8,
    /// Bulk OUT endpoint address.
    pub bulk_out: u8,
    /// Interrupt IN endpoint address, when there is one.
    pub interrupt_in: Option<u8>,
    /// wMaxPacketSize of the bulk OUT endpoint.
    pub max_packet: u16,
}

/// A USB device that looks like a camera, as [`UsbTransport::list`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbCameraInfo {
    /// Bus number.
    pub bus: u8,
    /// Device address.
    pub address: u8,
    /// idVendor.
    pub vendor_id: u16,
    /// idProduct.
    pub product_id: u16,
    /// Its PTP endpoints.
    pub endpoints: UsbEndpoints,
}

fn usb(context: &'static str) -> impl FnOnce(rusb::Error) -> Error {
    move |e| {
        let kind = match e {
            rusb::Error::Timeout => std::io::ErrorKind::TimedOut,
            rusb::Error::NoDevice | rusb::Error::NotFound => std::io::ErrorKind::NotFound,
            rusb::Error::Access => std::io::ErrorKind::PermissionDenied,
            _ => std::io::ErrorKind::Other,
        };
        Error::Io {
            context,
            source: std::io::Error::new(kind, e),
        }
    }
}

/// The PTP endpoints of `device`: the first interface altsetting with a bulk IN and a bulk
/// OUT endpoint (and `class` when given), as libgphoto2 picks them (`libusb1.c`:
/// `gp_libusb1_find_ep`).
fn endpoints<T: UsbContext>(
    device: &Device<T>,
    class: Option<(u8, u8, u8)>,
) -> Option<UsbEndpoints> {
    let config = device
        .active_config_descriptor()
        .or_else(|_| device.config_descriptor(0))
        .ok()?;
    for interface in config.interfaces() {
        for alt in interface.descriptors() {
            let this = (alt.class_code(), alt.sub_class_code(), alt.protocol_code());
            if class.is_some_and(|c| c != this) {
                continue;
            }
            let (mut bulk_in, mut bulk_out, mut interrupt_in, mut max_packet) =
                (None, None, None, 0);
            for ep in alt.endpoint_descriptors() {
                match (ep.transfer_type(), ep.direction()) {
                    (TransferType::Bulk, Direction::In) if bulk_in.is_none() => {
                        bulk_in = Some(ep.address());
                    }
                    (TransferType::Bulk, Direction::Out) if bulk_out.is_none() => {
                        bulk_out = Some(ep.address());
                        max_packet = ep.max_packet_size();
                    }
                    (TransferType::Interrupt, Direction::In) if interrupt_in.is_none() => {
                        interrupt_in = Some(ep.address());
                    }
                    _ => {}
                }
            }
            if let (Some(bulk_in), Some(bulk_out)) = (bulk_in, bulk_out) {
                return Some(UsbEndpoints {
                    interface: alt.interface_number(),
                    setting: alt.setting_number(),
                    bulk_in,
                    bulk_out,
                    interrupt_in,
                    max_packet: max_packet.max(8),
                });
            }
        }
    }
    None
}

/// PTP over one camera's USB pipes. See the [module documentation](self).
pub struct UsbTransport {
    handle: DeviceHandle<Context>,
    endpoints: UsbEndpoints,
    options: UsbOptions,
    /// The last bulk IN transfer; `pending` is the part not handed on yet.
    buf: Vec<u8>,
    pending: Range<usize>,
    /// Bytes of the current data container still to come, while inside one.
    data_left: Option<u64>,
    /// Event bytes read from the interrupt endpoint, for events longer than one transfer.
    event: Vec<u8>,
}

impl std::fmt::Debug for UsbTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UsbTransport")
            .field("endpoints", &self.endpoints)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl UsbTransport {
    /// The USB devices with PTP-like endpoints: those with a Still Image interface, and any
    /// device with the given VID:PID.
    ///
    /// # Errors
    /// libusb cannot be initialised or cannot list devices.
    pub fn list(vid_pid: Option<(u16, u16)>) -> Result<Vec<UsbCameraInfo>, Error> {
        let context = Context::new().map_err(usb("initialising libusb"))?;
        let devices = context.devices().map_err(usb("listing USB devices"))?;
        let mut found = Vec::new();
        for device in devices.iter() {
            let Ok(desc) = device.device_descriptor() else {
                continue;
            };
            let ids = (desc.vendor_id(), desc.product_id());
            let class = if vid_pid == Some(ids) {
                None
            } else {
                Some(STILL_IMAGE_CLASS)
            };
            if let Some(endpoints) = endpoints(&device, class) {
                found.push(UsbCameraInfo {
                    bus: device.bus_number(),
                    address: device.address(),
                    vendor_id: ids.0,
                    product_id: ids.1,
                    endpoints,
                });
            }
        }
        Ok(found)
    }

    /// Opens the camera `selector` names and claims its PTP interface.
    ///
    /// # Errors
    /// No such device, or it cannot be opened or claimed (permissions, another driver).
    pub fn open(selector: UsbSelector, options: UsbOptions) -> Result<Self, Error> {
        let context = Context::new().map_err(usb("initialising libusb"))?;
        let devices = context.devices().map_err(usb("listing USB devices"))?;
        let mut chosen = None;
        for device in devices.iter() {
            let Ok(desc) = device.device_descriptor() else {
                continue;
            };
            let found = match selector {
                UsbSelector::VidPid(vid, pid) => {
                    (desc.vendor_id(), desc.product_id()) == (vid, pid)
                }
                UsbSelector::StillImage => endpoints(&device, Some(STILL_IMAGE_CLASS)).is_some(),
                UsbSelector::BusAddress(bus, address) => {
                    (device.bus_number(), device.address()) == (bus, address)
                }
            };
            if found {
                let class = (selector == UsbSelector::StillImage).then_some(STILL_IMAGE_CLASS);
                chosen = endpoints(&device, class).map(|ep| (device, ep));
                if chosen.is_some() {
                    break;
                }
            }
        }
        let Some((device, endpoints)) = chosen else {
            return Err(Error::Io {
                context: "finding the camera",
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("no USB camera matches {selector:?}"),
                ),
            });
        };
        let handle = device.open().map_err(usb("opening the USB device"))?;
        // A kernel driver (usbfs only, on Linux cameras have none) would block the claim.
        if handle
            .kernel_driver_active(endpoints.interface)
            .unwrap_or(false)
        {
            handle
                .detach_kernel_driver(endpoints.interface)
                .map_err(usb("detaching the kernel driver"))?;
        }
        handle
            .claim_interface(endpoints.interface)
            .map_err(usb("claiming the PTP interface"))?;
        if endpoints.setting != 0 {
            handle
                .set_alternate_setting(endpoints.interface, endpoints.setting)
                .map_err(usb("selecting the alternate setting"))?;
        }
        let in_transfer = options.in_transfer.max(512);
        Ok(Self {
            handle,
            endpoints,
            options: UsbOptions {
                in_transfer,
                ..options
            },
            buf: vec![0; in_transfer],
            pending: 0..0,
            data_left: None,
            event: Vec::new(),
        })
    }

    /// The Still Image class Device Reset request (bmRequestType 0x21, bRequest 0x66; PIMA
    /// 15740 USB §5.2.4): the device closes its session and drops transfers in progress.
    /// libgphoto2 sends it when OpenSession fails; a program that finds a session left open
    /// by one that died sends it before OpenSession.
    ///
    /// # Errors
    /// The control transfer fails.
    pub fn reset_device(&mut self) -> Result<(), Error> {
        self.handle
            .write_control(
                0x21,
                0x66,
                0,
                u16::from(self.endpoints.interface),
                &[],
                self.options.timeout,
            )
            .map_err(usb("Device Reset"))?;
        self.pending = 0..0;
        self.data_left = None;
        Ok(())
    }

    /// The endpoints in use.
    #[must_use]
    pub const fn endpoints(&self) -> &UsbEndpoints {
        &self.endpoints
    }

    /// The options in use.
    #[must_use]
    pub const fn options(&self) -> &UsbOptions {
        &self.options
    }

    /// Writes `bytes` to bulk OUT, clearing a stall (and reporting it).
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let mut sent = 0;
        loop {
            let rest = bytes.get(sent..).unwrap_or_default();
            match self
                .handle
                .write_bulk(self.endpoints.bulk_out, rest, self.options.timeout)
            {
                Ok(n) => sent += n,
                Err(rusb::Error::Pipe) => {
                    let _ = self.handle.clear_halt(self.endpoints.bulk_out);
                    return Err(usb("bulk OUT stalled; halt cleared")(rusb::Error::Pipe));
                }
                Err(e) => return Err(usb("bulk OUT")(e)),
            }
            if sent >= bytes.len() {
                return Ok(());
            }
        }
    }

    /// One bulk IN transfer of [`UsbOptions::in_transfer`] bytes into the buffer.
    fn read(&mut self) -> Result<usize, Error> {
        match self
            .handle
            .read_bulk(self.endpoints.bulk_in, &mut self.buf, self.options.timeout)
        {
            Ok(n) => {
                self.pending = 0..n;
                Ok(n)
            }
            Err(rusb::Error::Pipe) => {
                let _ = self.handle.clear_halt(self.endpoints.bulk_in);
                self.pending = 0..0;
                self.data_left = None;
                Err(usb("bulk IN stalled; halt cleared")(rusb::Error::Pipe))
            }
            Err(e) => Err(usb("bulk IN")(e)),
        }
    }
}

fn protocol(what: String) -> Error {
    Error::Protocol(what)
}

impl Transport for UsbTransport {
    fn send_request(
        &mut self,
        code: OperationCode,
        transaction_id: u32,
        params: &[u32],
        _data_out: bool,
    ) -> Result<(), Error> {
        let params = ptp_codec::Params::new(params)
            .map_err(|e| protocol(format!("parameters of {code:?}: {e}")))?;
        let command = ContainerRepr::command(code, transaction_id, params);
        let mut out = [0u8; HEADER_LEN + 4 * ptp_codec::Params::MAX];
        let n = command
            .emit(&mut out)
            .map_err(|e| protocol(format!("encoding {code:?}: {e}")))?;
        // A new transaction: whatever was left of the last one is gone.
        self.pending = 0..0;
        self.data_left = None;
        self.write(out.get(..n).unwrap_or_default())
    }

    fn send_data(
        &mut self,
        code: OperationCode,
        transaction_id: u32,
        data: &[u8],
    ) -> Result<(), Error> {
        let mut head = [0u8; HEADER_LEN];
        container::emit_data_header(&mut head, code.0, transaction_id, Some(data.len() as u64))
            .map_err(|e| protocol(format!("data of {code:?}: {e}")))?;
        let mut first = head.to_vec();
        let split = data.len().min(self.options.in_transfer);
        first.extend_from_slice(data.get(..split).unwrap_or_default());
        self.write(&first)?;
        for chunk in data
            .get(split..)
            .unwrap_or_default()
            .chunks(self.options.in_transfer)
        {
            self.write(chunk)?;
        }
        // A container that fills its last packet is ended by a zero-length packet.
        let max_packet = usize::from(self.endpoints.max_packet);
        if (HEADER_LEN + data.len()).is_multiple_of(max_packet) {
            self.write(&[])?;
        }
        Ok(())
    }

    fn recv(&mut self) -> Result<Incoming<'_>, Error> {
        loop {
            if let Some(left) = self.data_left {
                if left == 0 {
                    self.data_left = None;
                    continue;
                }
                if self.pending.is_empty() && self.read()? == 0 {
                    continue;
                }
                let take = usize::try_from(left)
                    .unwrap_or(usize::MAX)
                    .min(self.pending.len());
                let range = self.pending.start..self.pending.start + take;
                self.pending.start += take;
                self.data_left = Some(left - take as u64);
                return Ok(Incoming::Data(self.buf.get(range).unwrap_or_default()));
            }
            // Between containers: a zero-length packet left by the last one is skipped.
            if self.pending.is_empty() && self.read()? == 0 {
                continue;
            }
            let bytes = self.buf.get(self.pending.clone()).unwrap_or_default();
            let header = ContainerHeader::read(bytes)?;
            let length = header.length();
            match header.kind() {
                ContainerKind::DATA => {
                    if length == UNKNOWN_LENGTH || (length as usize) < HEADER_LEN {
                        return Err(protocol(format!("a data container of length {length:#x}")));
                    }
                    self.pending.start += HEADER_LEN;
                    let body = u64::from(length) - HEADER_LEN as u64;
                    self.data_left = Some(body);
                    return Ok(Incoming::DataStart(Some(body)));
                }
                ContainerKind::RESPONSE => {
                    let len = length as usize;
                    let whole = bytes.get(..len).ok_or_else(|| {
                        protocol(format!("a response container of {len} bytes cut short"))
                    })?;
                    let response = ContainerRepr::parse_bytes(whole)?;
                    self.pending.start += len;
                    return Ok(Incoming::Response {
                        code: ResponseCode(response.code),
                        transaction_id: response.transaction_id,
                        params: response.params,
                    });
                }
                kind => {
                    self.pending = 0..0;
                    return Err(protocol(format!("a {kind:?} container on bulk IN")));
                }
            }
        }
    }

    fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, Error> {
        let Some(endpoint) = self.endpoints.interrupt_in else {
            std::thread::sleep(timeout);
            return Ok(None);
        };
        let mut packet = [0u8; 64];
        loop {
            match self.handle.read_interrupt(endpoint, &mut packet, timeout) {
                Ok(n) => self
                    .event
                    .extend_from_slice(packet.get(..n).unwrap_or_default()),
                Err(rusb::Error::Timeout) => return Ok(None),
                Err(rusb::Error::Pipe) => {
                    let _ = self.handle.clear_halt(endpoint);
                    self.event.clear();
                    return Err(usb("interrupt IN stalled; halt cleared")(rusb::Error::Pipe));
                }
                Err(e) => return Err(usb("interrupt IN")(e)),
            }
            let Ok(header) = ContainerHeader::read(&self.event) else {
                continue;
            };
            let len = header.length() as usize;
            if !(HEADER_LEN..=64).contains(&len) {
                self.event.clear();
                return Err(protocol(format!("an event container of {len} bytes")));
            }
            if self.event.len() < len {
                continue;
            }
            let event = ContainerRepr::parse_bytes(self.event.get(..len).unwrap_or_default());
            self.event.clear();
            let event = event?;
            return Ok(Some(Event {
                code: EventCode(event.code),
                transaction_id: event.transaction_id,
                params: event.params.as_slice().to_vec(),
            }));
        }
    }
}

impl Drop for UsbTransport {
    fn drop(&mut self) {
        let _ = self.handle.release_interface(self.endpoints.interface);
    }
}
