//! `ptp_initiator` driving vcam with no I/O: [`Transport`] implementations over an in-process
//! [`Responder`] ([`Direct`]) and over the USB device model, [`UsbCamera`]'s endpoints with
//! USB containers ([`UsbDirect`]). Time is virtual: it moves only to run the responder's
//! timers while a transaction or an event is awaited, so a test never sleeps.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use ptp_codec::{ContainerKind, ContainerRepr, EventCode, OperationCode, Params, ResponseCode};
use ptp_initiator::{Client, Error, Event, Incoming, Transport};
use vcam_core::{DataHint, Output, Request, Responder};
use vcam_usb::{InStatus, OutStatus, UsbCamera};

use crate::cam::start_time;
use crate::usb;

fn params_of(params: &[u32]) -> Result<Params, Error> {
    Params::try_from(params).map_err(|e| Error::Protocol(format!("parameters {params:?}: {e}")))
}

/// A [`Transport`] handing transactions straight to a [`Responder`].
pub struct Direct {
    responder: Responder,
    now: SystemTime,
    piece: Bytes,
}

impl std::fmt::Debug for Direct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Direct")
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

impl Direct {
    /// Drives `responder`, the clock at [`start_time`].
    #[must_use]
    pub fn new(responder: Responder) -> Self {
        Self {
            responder,
            now: start_time(),
            piece: Bytes::new(),
        }
    }

    /// The responder (to look at its state or act on the camera's side).
    pub const fn responder(&mut self) -> &mut Responder {
        &mut self.responder
    }

    /// The virtual time.
    #[must_use]
    pub const fn now(&self) -> SystemTime {
        self.now
    }

    /// Runs the responder's next timer if one is due before `limit`; false when none is.
    fn run_timer(&mut self, limit: Option<SystemTime>) -> bool {
        let due = self.responder.poll_timeout();
        match due.filter(|&t| limit.is_none_or(|l| t <= l)) {
            Some(t) => {
                self.now = self.now.max(t);
                self.responder.handle_timeout(self.now);
                true
            }
            None => false,
        }
    }
}

impl Transport for Direct {
    fn send_request(
        &mut self,
        code: OperationCode,
        transaction_id: u32,
        params: &[u32],
        data_out: bool,
    ) -> Result<(), Error> {
        let hint = if data_out {
            DataHint::DataOut
        } else {
            DataHint::NoDataOut
        };
        let request = Request::new(code, transaction_id, params_of(params)?);
        self.responder.handle_request(self.now, request, hint);
        Ok(())
    }

    fn send_data(
        &mut self,
        _code: OperationCode,
        transaction_id: u32,
        data: &[u8],
    ) -> Result<(), Error> {
        let now = self.now;
        self.responder
            .handle_data_start(now, transaction_id, Some(data.len() as u64));
        self.responder.handle_data(now, data);
        self.responder.handle_data_end(now);
        Ok(())
    }

    fn recv(&mut self) -> Result<Incoming<'_>, Error> {
        loop {
            match self.responder.poll_output() {
                Some(Output::DataStart { total_len, .. }) => {
                    return Ok(Incoming::DataStart(Some(total_len)));
                }
                Some(Output::Data { bytes, .. }) if !bytes.is_empty() => {
                    self.piece = bytes;
                    return Ok(Incoming::Data(&self.piece));
                }
                Some(Output::Data { .. }) => {}
                Some(Output::Response {
                    code,
                    transaction_id,
                    params,
                }) => {
                    return Ok(Incoming::Response {
                        code,
                        transaction_id,
                        params,
                    });
                }
                None if self.run_timer(None) => {}
                None => {
                    return Err(Error::Protocol(
                        "the responder has nothing to send and no timer to wait for".into(),
                    ));
                }
            }
        }
    }

    fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, Error> {
        let end = self.now + timeout;
        loop {
            if let Some(e) = self.responder.poll_event() {
                return Ok(Some(Event {
                    code: e.code,
                    transaction_id: e.transaction_id,
                    params: e.params.as_slice().to_vec(),
                }));
            }
            if !self.run_timer(Some(end)) {
                self.now = self.now.max(end);
                return Ok(None);
            }
        }
    }
}

/// An initiator driving `responder` in memory.
#[must_use]
pub fn client(responder: Responder) -> Client<Direct> {
    Client::new(Direct::new(responder))
}

/// Bytes asked for per bulk IN transfer (libgphoto2 reads data phases in 512 KiB transfers
/// after the first).
const BULK_IN_LEN: usize = 512 * 1024;

/// A [`Transport`] over a [`UsbCamera`]'s endpoints: command and data containers on bulk
/// OUT, containers read back on bulk IN, events on the interrupt endpoint.
pub struct UsbDirect {
    camera: UsbCamera,
    now: SystemTime,
    /// Payload that came with a data container's header, handed out next.
    pending: Bytes,
    /// The piece handed out last.
    lent: Bytes,
    /// Payload bytes of the current data container not yet read from bulk IN.
    remaining: u64,
}

impl std::fmt::Debug for UsbDirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UsbDirect")
            .field("now", &self.now)
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

impl UsbDirect {
    /// Drives `camera`, the clock at [`start_time`].
    #[must_use]
    pub fn new(camera: UsbCamera) -> Self {
        Self {
            camera,
            now: start_time(),
            pending: Bytes::new(),
            lent: Bytes::new(),
            remaining: 0,
        }
    }

    /// The USB camera.
    pub const fn camera(&mut self) -> &mut UsbCamera {
        &mut self.camera
    }

    fn bulk_out(&mut self, bytes: &[u8]) -> Result<(), Error> {
        match self.camera.bulk_out(self.now, bytes) {
            OutStatus::Accepted => Ok(()),
            OutStatus::Stall => Err(Error::Protocol("bulk OUT stalled".into())),
            OutStatus::NoEndpoint => Err(Error::Protocol("no bulk OUT endpoint".into())),
        }
    }

    /// The next non-empty bulk IN transfer, running timers while none is ready.
    fn bulk_in(&mut self) -> Result<Bytes, Error> {
        loop {
            match self.camera.bulk_in(BULK_IN_LEN) {
                InStatus::Data(b) if !b.is_empty() => return Ok(b),
                InStatus::Data(_) => {} // the zero-length packet after a full container
                InStatus::Pending => match self.camera.poll_timeout() {
                    Some(t) => {
                        self.now = self.now.max(t);
                        self.camera.handle_timeout(self.now);
                    }
                    None => {
                        return Err(Error::Protocol(
                            "bulk IN stays pending with no timer to wait for".into(),
                        ));
                    }
                },
                InStatus::Stall => return Err(Error::Protocol("bulk IN stalled".into())),
                InStatus::NoEndpoint => {
                    return Err(Error::Protocol("no bulk IN endpoint".into()));
                }
            }
        }
    }
}

impl Transport for UsbDirect {
    fn send_request(
        &mut self,
        code: OperationCode,
        transaction_id: u32,
        params: &[u32],
        _data_out: bool,
    ) -> Result<(), Error> {
        let _ = params_of(params)?;
        self.bulk_out(&usb::command(code, transaction_id, params))
    }

    fn send_data(
        &mut self,
        code: OperationCode,
        transaction_id: u32,
        data: &[u8],
    ) -> Result<(), Error> {
        self.bulk_out(&usb::data(code, transaction_id, data))
    }

    fn recv(&mut self) -> Result<Incoming<'_>, Error> {
        if !self.pending.is_empty() {
            self.lent = std::mem::take(&mut self.pending);
            return Ok(Incoming::Data(&self.lent));
        }
        if self.remaining > 0 {
            let bytes = self.bulk_in()?;
            self.remaining = self.remaining.saturating_sub(bytes.len() as u64);
            self.lent = bytes;
            return Ok(Incoming::Data(&self.lent));
        }
        let first = self.bulk_in()?;
        let (length, kind) = usb::header(&first)
            .ok_or_else(|| Error::Protocol(format!("not a container: {first:02x?}")))?;
        if kind == ContainerKind::DATA {
            let total = u64::from(length)
                .checked_sub(ptp_codec::container::HEADER_LEN as u64)
                .filter(|_| length != ptp_codec::container::UNKNOWN_LENGTH)
                .ok_or_else(|| Error::Protocol(format!("data container of length {length}")))?;
            self.pending = first.slice(ptp_codec::container::HEADER_LEN..);
            self.remaining = total.saturating_sub(self.pending.len() as u64);
            return Ok(Incoming::DataStart(Some(total)));
        }
        let repr = ContainerRepr::parse_bytes(&first)?;
        if repr.kind != ContainerKind::RESPONSE {
            return Err(Error::Protocol(format!("unexpected {repr:?} on bulk IN")));
        }
        Ok(Incoming::Response {
            code: ResponseCode(repr.code),
            transaction_id: repr.transaction_id,
            params: repr.params,
        })
    }

    fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, Error> {
        let end = self.now + timeout;
        let endpoint = self.camera.interrupt_endpoint();
        loop {
            match self.camera.transfer_in(endpoint, 64) {
                InStatus::Data(b) if !b.is_empty() => {
                    let repr = ContainerRepr::parse_bytes(&b)?;
                    return Ok(Some(Event {
                        code: EventCode(repr.code),
                        transaction_id: repr.transaction_id,
                        params: repr.params.as_slice().to_vec(),
                    }));
                }
                InStatus::Stall => {
                    return Err(Error::Protocol("interrupt endpoint stalled".into()));
                }
                InStatus::NoEndpoint => {
                    return Err(Error::Protocol("no interrupt endpoint".into()));
                }
                InStatus::Data(_) | InStatus::Pending => {}
            }
            match self.camera.poll_timeout().filter(|&t| t <= end) {
                Some(t) => {
                    self.now = self.now.max(t);
                    self.camera.handle_timeout(self.now);
                }
                None => {
                    self.now = self.now.max(end);
                    return Ok(None);
                }
            }
        }
    }
}

/// An initiator driving `responder` through the USB device model's endpoints, in memory.
#[must_use]
pub fn usb_client(responder: Responder) -> Client<UsbDirect> {
    Client::new(UsbDirect::new(UsbCamera::new(responder)))
}
