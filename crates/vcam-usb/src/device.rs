//! The sans-IO USB camera: a [`ContainerLink`] behind three endpoints, with halts, the
//! short-packet and zero-length-packet rules of bulk IN, pending IN transfers and interrupt
//! events. Control transfers are in [`crate::control`].

use std::collections::VecDeque;
use std::time::SystemTime;

use bytes::{Bytes, BytesMut};
use vcam_core::Responder;
use vcam_record::{Transfer, TransferKind, TransferStatus, TransferTap};

use crate::descriptors::{Descriptors, HIGH_SPEED_BULK_MAX_PACKET};
use crate::link::{ContainerLink, LinkConfig};

/// Events kept for the interrupt endpoint when nobody reads it; older ones are dropped.
const MAX_QUEUED_EVENTS: usize = 256;

/// Outcome of a bulk OUT transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutStatus {
    /// All bytes accepted.
    Accepted,
    /// The endpoint is halted (a malformed container, or halted by the host): the host must
    /// clear the halt.
    Stall,
    /// The device has no such OUT endpoint (see [`UsbCamera::has_endpoint`]): nothing was
    /// accepted. The kernel refuses such a URB with -ENOENT before it reaches the bus.
    NoEndpoint,
}

/// Outcome of an IN transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InStatus {
    /// Data for the transfer (possibly empty: a zero-length packet).
    Data(Bytes),
    /// Nothing to send yet: the transfer stays pending until the device has data.
    Pending,
    /// The endpoint is halted.
    Stall,
    /// The device has no such IN endpoint (see [`UsbCamera::has_endpoint`]).
    NoEndpoint,
}

/// A USB camera: the responder behind descriptors, control requests and three endpoints.
pub struct UsbCamera {
    pub(crate) link: ContainerLink,
    pub(crate) descriptors: Descriptors,
    pub(crate) bulk_in_ep: u8,
    pub(crate) bulk_out_ep: u8,
    pub(crate) interrupt_ep: u8,
    bulk_max_packet: u16,
    pub(crate) configuration: u8,
    pub(crate) halted: Vec<u8>,
    /// A ZLP owed to the next bulk IN transfer.
    pub(crate) zlp_pending: bool,
    /// Event containers not yet read from the interrupt endpoint.
    pub(crate) events: VecDeque<Bytes>,
    /// The part of an event container not yet read from the interrupt endpoint.
    pub(crate) event_partial: Bytes,
    /// Where every transfer is reported ([`UsbCamera::set_tap`]).
    tap: Option<Box<dyn TransferTap>>,
    /// The latest time handed in (the time of IN transfers made with
    /// [`UsbCamera::transfer_in`]).
    clock: SystemTime,
}

impl std::fmt::Debug for UsbCamera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UsbCamera")
            .field("model", &self.link.responder().model().id)
            .field("configuration", &self.configuration)
            .field("halted", &self.halted)
            .field("link", &self.link)
            .field("events", &self.events.len())
            .field("tapped", &self.tap.is_some())
            .finish_non_exhaustive()
    }
}

impl UsbCamera {
    /// Wraps `responder`; descriptors come from its model's USB identity. High speed.
    #[must_use]
    pub fn new(responder: Responder) -> Self {
        let usb = &responder.model().usb;
        let descriptors = Descriptors::new(usb);
        Self {
            bulk_in_ep: usb.bulk_in,
            bulk_out_ep: usb.bulk_out,
            interrupt_ep: usb.interrupt_in,
            descriptors,
            link: ContainerLink::new(responder, LinkConfig::USB),
            bulk_max_packet: HIGH_SPEED_BULK_MAX_PACKET,
            configuration: 1,
            halted: Vec::new(),
            zlp_pending: false,
            events: VecDeque::new(),
            event_partial: Bytes::new(),
            tap: None,
            clock: SystemTime::UNIX_EPOCH,
        }
    }

    /// Reports every finished transfer to `tap` from now on (`None`: to nobody): control
    /// transfers with their SETUP packet, OUT transfers with the data the host sent, IN
    /// transfers with the data the device returned (an IN transfer left pending is reported
    /// once it completes). A recorder (`vcam_record::UsbDeviceRecorder`) writes them as
    /// usbmon records; a tap that fails is dropped, with a warning.
    pub fn set_tap(&mut self, tap: Option<Box<dyn TransferTap>>) {
        self.tap = tap;
    }

    /// Hands a finished transfer to the tap, if any.
    pub(crate) fn report(&mut self, now: SystemTime, transfer: &Transfer<'_>) {
        if let Some(tap) = &mut self.tap
            && let Err(e) = tap.transfer(now, transfer)
        {
            tracing::warn!(%e, "recording failed; not recording any more");
            self.tap = None;
        }
    }

    /// Whether transfers are reported.
    pub(crate) const fn tapped(&self) -> bool {
        self.tap.is_some()
    }

    /// Notes the time handed in by the host side.
    pub(crate) fn tick(&mut self, now: SystemTime) {
        self.clock = self.clock.max(now);
    }

    /// The descriptors.
    #[must_use]
    pub const fn descriptors(&self) -> &Descriptors {
        &self.descriptors
    }

    /// The responder (for transports that need the model or the session state).
    #[must_use]
    pub const fn responder(&self) -> &Responder {
        self.link.responder()
    }

    /// Mutable access to the responder (timers, camera-side actions).
    pub const fn responder_mut(&mut self) -> &mut Responder {
        self.link.responder_mut()
    }

    /// Bulk IN endpoint address.
    #[must_use]
    pub const fn bulk_in_endpoint(&self) -> u8 {
        self.bulk_in_ep
    }

    /// Bulk OUT endpoint address.
    #[must_use]
    pub const fn bulk_out_endpoint(&self) -> u8 {
        self.bulk_out_ep
    }

    /// Interrupt IN endpoint address.
    #[must_use]
    pub const fn interrupt_endpoint(&self) -> u8 {
        self.interrupt_ep
    }

    /// wMaxPacketSize of the bulk endpoints.
    #[must_use]
    pub const fn bulk_max_packet(&self) -> u16 {
        self.bulk_max_packet
    }

    /// Whether the configuration is set (endpoints other than 0 work only then).
    #[must_use]
    pub const fn configured(&self) -> bool {
        self.configuration != 0
    }

    /// Whether `endpoint` (an address, direction bit included) is one of the model's three
    /// endpoints and the device is configured. Only those exist: the USB identity of each body
    /// lists them (Linux `usbfs` refuses a URB for any other one with -ENOENT, which libusb
    /// reports as `LIBUSB_ERROR_IO`; `drivers/usb/core/devio.c` `proc_do_submiturb`, libusb
    /// `os/linux_usbfs.c` `submit_bulk_transfer`).
    #[must_use]
    pub const fn has_endpoint(&self, endpoint: u8) -> bool {
        self.configured()
            && (endpoint == self.bulk_in_ep
                || endpoint == self.bulk_out_ep
                || endpoint == self.interrupt_ep)
    }

    /// Whether an IN transfer on `endpoint` would complete now.
    #[must_use]
    pub fn has_in_data(&mut self, endpoint: u8) -> bool {
        if endpoint == self.interrupt_ep {
            self.collect_events();
            !self.event_partial.is_empty() || !self.events.is_empty()
        } else if endpoint == self.bulk_in_ep {
            self.halted.contains(&endpoint) || self.zlp_pending || self.bulk_in_ready()
        } else {
            // No such endpoint: the transfer fails at once.
            true
        }
    }

    /// When [`UsbCamera::handle_timeout`] should be called next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<SystemTime> {
        self.link.responder().poll_timeout()
    }

    /// Runs due timers (captures in progress, vendor timers).
    pub fn handle_timeout(&mut self, now: SystemTime) {
        self.tick(now);
        self.link.responder_mut().handle_timeout(now);
        self.collect_events();
    }

    /// An OUT transfer of `data` on `endpoint`: the bulk OUT endpoint takes it
    /// ([`UsbCamera::bulk_out`]); any other endpoint does not exist.
    pub fn transfer_out(&mut self, now: SystemTime, endpoint: u8, data: &[u8]) -> OutStatus {
        self.tick(now);
        let status = if endpoint != self.bulk_out_ep || !self.has_endpoint(endpoint) {
            tracing::debug!(
                endpoint,
                len = data.len(),
                "OUT transfer to an endpoint the device does not have"
            );
            OutStatus::NoEndpoint
        } else {
            self.bulk_out(now, data)
        };
        if self.tap.is_some() {
            let transfer = Transfer {
                kind: self.kind_of(endpoint),
                endpoint,
                requested: data.len(),
                data,
                status: match status {
                    OutStatus::Accepted => TransferStatus::Completed,
                    OutStatus::Stall => TransferStatus::Stalled,
                    OutStatus::NoEndpoint => TransferStatus::NoEndpoint,
                },
            };
            self.report(now, &transfer);
        }
        status
    }

    /// Bulk, or interrupt for the interrupt endpoint.
    fn kind_of(&self, endpoint: u8) -> TransferKind {
        if endpoint == self.interrupt_ep {
            TransferKind::Interrupt
        } else {
            TransferKind::Bulk
        }
    }

    /// A bulk OUT transfer of `data` (any split of the containers; zero-length transfers are
    /// accepted).
    pub fn bulk_out(&mut self, now: SystemTime, data: &[u8]) -> OutStatus {
        if self.halted.contains(&self.bulk_out_ep) {
            return OutStatus::Stall;
        }
        let pushed = self.link.push(now, data);
        self.collect_events();
        match pushed {
            Ok(pushed) => {
                if pushed.dropped_in {
                    self.zlp_pending = false;
                }
                OutStatus::Accepted
            }
            Err(err) => {
                tracing::warn!(%err, "halting bulk OUT");
                self.halt(self.bulk_out_ep);
                OutStatus::Stall
            }
        }
    }

    /// An IN transfer of up to `max_len` bytes on `endpoint` (bulk IN or interrupt IN; any
    /// other endpoint does not exist). A tap sees it at the latest time handed in; see
    /// [`UsbCamera::transfer_in_at`].
    pub fn transfer_in(&mut self, endpoint: u8, max_len: usize) -> InStatus {
        self.transfer_in_at(self.clock, endpoint, max_len)
    }

    /// [`UsbCamera::transfer_in`] at `now` (the time a tap sees).
    pub fn transfer_in_at(&mut self, now: SystemTime, endpoint: u8, max_len: usize) -> InStatus {
        self.tick(now);
        let status = self.transfer_in_inner(endpoint, max_len);
        if self.tap.is_some() {
            let (data, status_of): (&[u8], _) = match &status {
                InStatus::Pending => return status,
                InStatus::Data(bytes) => (bytes, TransferStatus::Completed),
                InStatus::Stall => (&[], TransferStatus::Stalled),
                InStatus::NoEndpoint => (&[], TransferStatus::NoEndpoint),
            };
            let transfer = Transfer {
                kind: self.kind_of(endpoint),
                endpoint,
                requested: max_len,
                data,
                status: status_of,
            };
            self.report(now, &transfer);
        }
        status
    }

    fn transfer_in_inner(&mut self, endpoint: u8, max_len: usize) -> InStatus {
        if endpoint & 0x80 == 0 || endpoint == self.bulk_out_ep || !self.has_endpoint(endpoint) {
            return InStatus::NoEndpoint;
        }
        if self.halted.contains(&endpoint) {
            return InStatus::Stall;
        }
        if endpoint == self.interrupt_ep {
            return self.interrupt_in(max_len);
        }
        self.bulk_in(max_len)
    }

    /// A bulk IN transfer of up to `max_len` bytes: at most the rest of the current
    /// container (a transfer ends with the container's short packet), the ZLP owed by a
    /// container whose length is a multiple of wMaxPacketSize, or pending.
    pub fn bulk_in(&mut self, max_len: usize) -> InStatus {
        if self.halted.contains(&self.bulk_in_ep) {
            return InStatus::Stall;
        }
        if self.zlp_pending {
            self.zlp_pending = false;
            return InStatus::Data(Bytes::new());
        }
        if !self.bulk_in_ready() {
            return InStatus::Pending;
        }
        if self.halted.contains(&self.bulk_in_ep) {
            return InStatus::Stall;
        }
        let mps = u64::from(self.bulk_max_packet);
        // One piece is sent as it is; a transfer spanning pieces (a data header and its
        // first body bytes, or two responder chunks) is copied together.
        let mut single: Option<Bytes> = None;
        let mut joined = BytesMut::new();
        let mut got = 0usize;
        while got < max_len {
            let pulled = self.link.pull_in(max_len - got);
            self.collect_events();
            let chunk = match pulled {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(err) => {
                    tracing::warn!(%err, "halting bulk IN");
                    self.halt(self.bulk_in_ep);
                    break;
                }
            };
            got += chunk.bytes.len();
            match single.take() {
                None if joined.is_empty() => single = Some(chunk.bytes),
                previous => {
                    let previous = previous.unwrap_or_default();
                    joined.reserve(previous.len() + chunk.bytes.len());
                    joined.extend_from_slice(&previous);
                    joined.extend_from_slice(&chunk.bytes);
                }
            }
            if chunk.last {
                // A full-length transfer that ends exactly on a container whose length is a
                // multiple of wMaxPacketSize leaves the ZLP for the next transfer; a longer
                // request is itself ended by the ZLP.
                if chunk.container_len.is_multiple_of(mps) && got == max_len {
                    self.zlp_pending = true;
                }
                break;
            }
        }
        let bytes = single.unwrap_or_else(|| joined.freeze());
        InStatus::Data(bytes)
    }

    /// Whether the link has bulk IN bytes (or halted the pipe because the responder cut a
    /// data container short: a real device stalls then).
    fn bulk_in_ready(&mut self) -> bool {
        let ready = self.link.in_ready();
        self.collect_events();
        ready.unwrap_or_else(|err| {
            tracing::warn!(%err, "halting bulk IN");
            self.halt(self.bulk_in_ep);
            true
        })
    }

    /// An interrupt IN transfer: the next event container (or the rest of one longer than
    /// the previous transfer), or pending.
    pub fn interrupt_in(&mut self, max_len: usize) -> InStatus {
        self.collect_events();
        if self.event_partial.is_empty() {
            match self.events.pop_front() {
                Some(event) => self.event_partial = event,
                None => return InStatus::Pending,
            }
        }
        let take = max_len.min(self.event_partial.len());
        InStatus::Data(self.event_partial.split_to(take))
    }

    /// Moves the responder's events to the interrupt endpoint's queue.
    fn collect_events(&mut self) {
        while let Some(event) = self.link.poll_event() {
            if self.events.len() >= MAX_QUEUED_EVENTS {
                self.events.pop_front();
                tracing::warn!("interrupt endpoint not read; dropping the oldest event");
            }
            self.events.push_back(event);
        }
    }

    /// Halts `endpoint` until the host clears the halt.
    pub(crate) fn halt(&mut self, endpoint: u8) {
        if !self.halted.contains(&endpoint) {
            self.halted.push(endpoint);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::{Arc, Mutex};

    use vcam_core::ptp_types::OperationCode;

    use super::*;
    use crate::{ControlReply, SetupPacket};

    /// A tap keeping (kind, endpoint, requested, data, status) of every transfer.
    type Seen = Arc<Mutex<Vec<(TransferKind, u8, usize, Vec<u8>, TransferStatus)>>>;
    struct Keep(Seen);
    impl TransferTap for Keep {
        fn transfer(&mut self, _now: SystemTime, t: &Transfer<'_>) -> std::io::Result<()> {
            let mut seen = self.0.lock().unwrap();
            seen.push((t.kind, t.endpoint, t.requested, t.data.to_vec(), t.status));
            Ok(())
        }
    }

    #[test]
    fn the_tap_sees_every_finished_transfer() {
        let dir = tempfile::tempdir().unwrap();
        let responder = vcam_testkit::camera("generic", dir.path(), (160, 120));
        let mut usb = UsbCamera::new(responder);
        let seen = Seen::default();
        usb.set_tap(Some(Box::new(Keep(Arc::clone(&seen)))));
        let now = vcam_testkit::cam::start_time();
        let (bulk_in, bulk_out, intr) = (usb.bulk_in_ep, usb.bulk_out_ep, usb.interrupt_ep);

        // Pending IN transfers are not reported: nothing has happened yet.
        assert_eq!(usb.transfer_in_at(now, bulk_in, 512), InStatus::Pending);
        assert_eq!(usb.transfer_in_at(now, intr, 64), InStatus::Pending);
        let get_device = SetupPacket::from_bytes([0x80, 6, 0, 1, 0, 0, 18, 0]);
        assert!(matches!(
            usb.control(now, get_device, &[]),
            ControlReply::Ok(_)
        ));
        let open = vcam_testkit::usb::command(OperationCode::OPEN_SESSION, 0, &[1]);
        assert_eq!(usb.transfer_out(now, bulk_out, &open), OutStatus::Accepted);
        let InStatus::Data(response) = usb.transfer_in_at(now, bulk_in, 512) else {
            panic!("no response");
        };
        assert_eq!(usb.transfer_in(0x85, 8), InStatus::NoEndpoint);

        let seen = seen.lock().unwrap();
        let control = TransferKind::Control {
            setup: get_device.to_bytes(),
        };
        assert_eq!(seen.len(), 4, "{seen:?}");
        assert_eq!((seen[0].0, seen[0].1, seen[0].2), (control, 0x80, 18));
        assert_eq!(seen[0].3.len(), 18);
        assert_eq!(
            seen[1],
            (
                TransferKind::Bulk,
                bulk_out,
                open.len(),
                open.clone(),
                TransferStatus::Completed
            )
        );
        assert_eq!(
            seen[2],
            (
                TransferKind::Bulk,
                bulk_in,
                512,
                response.to_vec(),
                TransferStatus::Completed
            )
        );
        assert_eq!(seen[3].4, TransferStatus::NoEndpoint);
    }
}
