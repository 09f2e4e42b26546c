//! The sans-IO USB camera: control requests, bulk OUT reassembly, bulk IN segmentation and
//! interrupt events around a [`Responder`].

use std::collections::VecDeque;
use std::time::SystemTime;

use bytes::{Bytes, BytesMut};
use ptp_types::ptp_codec::{ContainerKind, Params};
use ptp_types::{EventCode, OperationCode, ResponseCode};
use vcam_core::{CancelAnswer, DataHint, Output, Request, Responder};

use crate::descriptors::{Descriptors, HIGH_SPEED_BULK_MAX_PACKET, MS_VENDOR_CODE, kind};

/// PTP USB container header length (PIMA 15740 USB Still Image Capture Device Definition §7.1).
pub const HEADER_LEN: usize = 12;
/// Longest command container: header plus five parameters.
const MAX_COMMAND_LEN: u32 = (HEADER_LEN + 5 * 4) as u32;
/// Events kept for the interrupt endpoint when nobody reads it; older ones are dropped.
const MAX_QUEUED_EVENTS: usize = 256;

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
mod std_request {
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

/// The outcome of a control transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlReply {
    /// Success; for IN requests the data stage (already cut to wLength).
    Ok(Vec<u8>),
    /// The device STALLs the request (unsupported or invalid).
    Stall,
}

/// Outcome of a bulk OUT transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutStatus {
    /// All bytes accepted.
    Accepted,
    /// The endpoint is halted (a malformed container, or halted by the host): the host must
    /// clear the halt.
    Stall,
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
}

/// One container being sent on bulk IN.
#[derive(Debug)]
struct InContainer {
    /// Bytes of this container not yet produced (header included).
    remaining: u64,
    /// Bytes already produced but not yet sent.
    ready: Bytes,
    /// Whether the total length is a multiple of wMaxPacketSize (a ZLP ends it).
    needs_zlp: bool,
}

/// State of bulk OUT reassembly.
#[derive(Debug)]
enum OutState {
    /// Collecting a container header.
    Header { buf: [u8; HEADER_LEN], have: usize },
    /// Collecting the parameters of a command.
    Command {
        header: [u8; HEADER_LEN],
        params: Vec<u8>,
        want: usize,
    },
    /// Passing a data container's payload to the responder.
    Data { remaining: u64 },
}

/// A USB camera: the responder behind descriptors, control requests and three endpoints.
pub struct UsbCamera {
    responder: Responder,
    descriptors: Descriptors,
    bulk_in_ep: u8,
    bulk_out_ep: u8,
    interrupt_ep: u8,
    bulk_max_packet: u16,
    configuration: u8,
    halted: Vec<u8>,
    out: OutState,
    current: Option<InContainer>,
    /// A ZLP owed to the next IN transfer.
    zlp_pending: bool,
    /// A response that arrived while a data container was still incomplete.
    deferred: VecDeque<Output>,
    events: VecDeque<Bytes>,
    /// The part of an event container not yet read from the interrupt endpoint.
    event_partial: Bytes,
    last_event: Option<(EventCode, u32, Params)>,
}

impl std::fmt::Debug for UsbCamera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UsbCamera")
            .field("model", &self.responder.model().id)
            .field("configuration", &self.configuration)
            .field("halted", &self.halted)
            .field("out", &self.out)
            .field("current", &self.current)
            .field("events", &self.events.len())
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
            responder,
            bulk_max_packet: HIGH_SPEED_BULK_MAX_PACKET,
            configuration: 1,
            halted: Vec::new(),
            out: OutState::Header {
                buf: [0; HEADER_LEN],
                have: 0,
            },
            current: None,
            zlp_pending: false,
            deferred: VecDeque::new(),
            events: VecDeque::new(),
            event_partial: Bytes::new(),
            last_event: None,
        }
    }

    /// The descriptors.
    #[must_use]
    pub const fn descriptors(&self) -> &Descriptors {
        &self.descriptors
    }

    /// The responder (for transports that need the model or the session state).
    #[must_use]
    pub const fn responder(&self) -> &Responder {
        &self.responder
    }

    /// Mutable access to the responder (timers, camera-side actions).
    pub const fn responder_mut(&mut self) -> &mut Responder {
        &mut self.responder
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

    /// Whether an IN transfer on `endpoint` would complete now.
    #[must_use]
    pub fn has_in_data(&mut self, endpoint: u8) -> bool {
        if endpoint == self.interrupt_ep {
            self.collect_events();
            !self.event_partial.is_empty() || !self.events.is_empty()
        } else if endpoint == self.bulk_in_ep {
            self.halted.contains(&endpoint) || self.zlp_pending || self.fill_current()
        } else {
            true
        }
    }

    /// When [`UsbCamera::handle_timeout`] should be called next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<SystemTime> {
        self.responder.poll_timeout()
    }

    /// Runs due timers (captures in progress, vendor timers).
    pub fn handle_timeout(&mut self, now: SystemTime) {
        self.responder.handle_timeout(now);
        self.collect_events();
    }

    /// A control transfer on endpoint 0. `data` is the OUT data stage (empty for IN requests).
    pub fn control(&mut self, now: SystemTime, setup: SetupPacket, data: &[u8]) -> ControlReply {
        let reply = self.control_inner(now, setup, data);
        if let ControlReply::Ok(bytes) = reply {
            let mut bytes = bytes;
            bytes.truncate(usize::from(setup.length));
            return ControlReply::Ok(bytes);
        }
        tracing::debug!(?setup, "control request stalled");
        reply
    }

    fn control_inner(&mut self, now: SystemTime, setup: SetupPacket, data: &[u8]) -> ControlReply {
        use std_request::*;
        let ok = |v: Vec<u8>| ControlReply::Ok(v);
        let recipient = setup.request_type & 0x1F;
        match (setup.request_type & 0x60, setup.request) {
            (0x00, GET_STATUS) if setup.is_in() => match recipient {
                0 => {
                    let self_powered = u8::from(self.descriptors.configuration[7] & 0x40 != 0);
                    ok(vec![self_powered, 0])
                }
                1 => ok(vec![0, 0]),
                2 => {
                    let ep = setup.index as u8;
                    if !self.is_endpoint(ep) {
                        return ControlReply::Stall;
                    }
                    ok(vec![u8::from(self.halted.contains(&ep)), 0])
                }
                _ => ControlReply::Stall,
            },
            (0x00, CLEAR_FEATURE | SET_FEATURE) if !setup.is_in() => {
                let set = setup.request == SET_FEATURE;
                match (recipient, setup.value) {
                    // ENDPOINT_HALT
                    (2, 0) => {
                        let ep = setup.index as u8;
                        if !self.is_endpoint(ep) {
                            return ControlReply::Stall;
                        }
                        if set {
                            if !self.halted.contains(&ep) {
                                self.halted.push(ep);
                            }
                        } else {
                            self.halted.retain(|&e| e != ep);
                        }
                        ok(Vec::new())
                    }
                    // DEVICE_REMOTE_WAKEUP, TEST_MODE
                    (0, 1 | 2) => ok(Vec::new()),
                    _ => ControlReply::Stall,
                }
            }
            (0x00, SET_ADDRESS) => ok(Vec::new()),
            (0x00, GET_DESCRIPTOR) if setup.is_in() => self.descriptor(setup),
            (0x00, SET_DESCRIPTOR) => ControlReply::Stall,
            (0x00, GET_CONFIGURATION) if setup.is_in() => ok(vec![self.configuration]),
            (0x00, SET_CONFIGURATION) => match setup.value {
                0 | 1 => {
                    self.configuration = setup.value as u8;
                    self.halted.clear();
                    ok(Vec::new())
                }
                _ => ControlReply::Stall,
            },
            (0x00, GET_INTERFACE) if setup.is_in() && setup.index == 0 => ok(vec![0]),
            (0x00, SET_INTERFACE) if setup.index == 0 && setup.value == 0 => {
                self.halted.clear();
                ok(Vec::new())
            }
            (0x20, req) if recipient == 1 && setup.index & 0xFF == 0 => {
                self.class_request(now, setup, req, data)
            }
            (0x40, MS_VENDOR_CODE)
                if setup.is_in() && self.descriptors.ms_compat_id().is_some() =>
            {
                match setup.index {
                    4 => self
                        .descriptors
                        .ms_compat_id()
                        .map_or(ControlReply::Stall, ok),
                    5 => self
                        .descriptors
                        .ms_extended_properties()
                        .map_or(ControlReply::Stall, ok),
                    _ => ControlReply::Stall,
                }
            }
            _ => ControlReply::Stall,
        }
    }

    fn descriptor(&self, setup: SetupPacket) -> ControlReply {
        let [index, dtype] = setup.value.to_le_bytes();
        let bytes = match dtype {
            kind::DEVICE => Some(self.descriptors.device.to_vec()),
            kind::CONFIGURATION if index == 0 => Some(self.descriptors.configuration.clone()),
            kind::STRING => self.descriptors.string(index),
            kind::DEVICE_QUALIFIER => Some(self.descriptors.device_qualifier.to_vec()),
            kind::OTHER_SPEED_CONFIGURATION if index == 0 => {
                Some(self.descriptors.other_speed_configuration.clone())
            }
            kind::BOS => self.descriptors.bos.clone(),
            _ => None,
        };
        bytes.map_or(ControlReply::Stall, ControlReply::Ok)
    }

    fn class_request(
        &mut self,
        now: SystemTime,
        setup: SetupPacket,
        req: u8,
        data: &[u8],
    ) -> ControlReply {
        match req {
            class_request::CANCEL if !setup.is_in() => {
                let (Some(&[0x01, 0x40]), Some(tid)) = (
                    data.get(..2)
                        .map(|s| <&[u8; 2]>::try_from(s).unwrap_or(&[0, 0])),
                    data.get(2..6).and_then(|s| <[u8; 4]>::try_from(s).ok()),
                ) else {
                    return ControlReply::Stall;
                };
                let tid = u32::from_le_bytes(tid);
                tracing::info!(tid, "USB Cancel request");
                self.responder
                    .handle_cancel(now, tid, CancelAnswer::ViaDeviceStatus);
                self.drop_transfers();
                ControlReply::Ok(Vec::new())
            }
            class_request::GET_EXTENDED_EVENT_DATA if setup.is_in() => {
                // §5.2.2: u16 event code, u32 TransactionID, u16 number of parameters, then
                // (u16 size, value) per parameter.
                let mut out = Vec::with_capacity(32);
                let (code, tid, params) =
                    self.last_event
                        .unwrap_or((EventCode(0), 0, Params::empty()));
                out.extend_from_slice(&code.0.to_le_bytes());
                out.extend_from_slice(&tid.to_le_bytes());
                out.extend_from_slice(&(params.as_slice().len() as u16).to_le_bytes());
                for p in params.as_slice() {
                    out.extend_from_slice(&4u16.to_le_bytes());
                    out.extend_from_slice(&p.to_le_bytes());
                }
                ControlReply::Ok(out)
            }
            class_request::DEVICE_RESET if !setup.is_in() => {
                tracing::info!("USB Device Reset request");
                self.reset(now);
                ControlReply::Ok(Vec::new())
            }
            class_request::GET_DEVICE_STATUS if setup.is_in() => {
                // §5.2.4: u16 wLength, u16 code, then the halted endpoints as u32s.
                let code = if self.busy() {
                    ResponseCode::DEVICE_BUSY
                } else {
                    ResponseCode::OK
                };
                let mut out = Vec::with_capacity(4 + 4 * self.halted.len());
                out.extend_from_slice(&((4 + 4 * self.halted.len()) as u16).to_le_bytes());
                out.extend_from_slice(&code.0.to_le_bytes());
                for &ep in &self.halted {
                    out.extend_from_slice(&u32::from(ep).to_le_bytes());
                }
                ControlReply::Ok(out)
            }
            _ => ControlReply::Stall,
        }
    }

    /// A bus reset or the Device Reset class request: the session closes, transfers are
    /// dropped, halts are cleared.
    pub fn reset(&mut self, now: SystemTime) {
        self.responder.handle_reset(now);
        self.drop_transfers();
        self.halted.clear();
        self.events.clear();
        self.event_partial = Bytes::new();
    }

    fn drop_transfers(&mut self) {
        self.out = OutState::Header {
            buf: [0; HEADER_LEN],
            have: 0,
        };
        self.current = None;
        self.zlp_pending = false;
        self.deferred.clear();
        while self.responder.poll_output().is_some() {}
    }

    fn busy(&self) -> bool {
        self.responder.is_busy()
            || self.current.is_some()
            || !self.deferred.is_empty()
            || !matches!(self.out, OutState::Header { have: 0, .. })
    }

    fn is_endpoint(&self, ep: u8) -> bool {
        ep & 0x7F == 0 || ep == self.bulk_in_ep || ep == self.bulk_out_ep || ep == self.interrupt_ep
    }

    /// A bulk OUT transfer of `data` (any split of the containers; zero-length transfers are
    /// accepted).
    pub fn bulk_out(&mut self, now: SystemTime, mut data: &[u8]) -> OutStatus {
        if self.halted.contains(&self.bulk_out_ep) {
            return OutStatus::Stall;
        }
        while !data.is_empty() {
            match &mut self.out {
                OutState::Header { buf, have } => {
                    let take = (HEADER_LEN - *have).min(data.len());
                    let (head, rest) = data.split_at(take);
                    if let Some(dst) = buf.get_mut(*have..*have + take) {
                        dst.copy_from_slice(head);
                    }
                    *have += take;
                    data = rest;
                    if *have == HEADER_LEN {
                        let header = *buf;
                        if let Err(why) = self.start_out_container(now, header) {
                            tracing::warn!(why, header = ?header, "malformed OUT container; halting bulk OUT");
                            self.halt_out();
                            return OutStatus::Stall;
                        }
                    }
                }
                OutState::Command {
                    header,
                    params,
                    want,
                } => {
                    let take = (*want - params.len()).min(data.len());
                    let (head, rest) = data.split_at(take);
                    params.extend_from_slice(head);
                    data = rest;
                    if params.len() == *want {
                        let header = *header;
                        let params = std::mem::take(params);
                        self.finish_command(now, header, &params);
                    }
                }
                OutState::Data { remaining } => {
                    let take = usize::try_from(*remaining)
                        .unwrap_or(usize::MAX)
                        .min(data.len());
                    let (head, rest) = data.split_at(take);
                    *remaining -= take as u64;
                    let done = *remaining == 0;
                    data = rest;
                    self.responder.handle_data(now, head);
                    if done {
                        self.out = OutState::Header {
                            buf: [0; HEADER_LEN],
                            have: 0,
                        };
                        self.responder.handle_data_end(now);
                        self.collect_events();
                    }
                }
            }
        }
        OutStatus::Accepted
    }

    fn halt_out(&mut self) {
        self.out = OutState::Header {
            buf: [0; HEADER_LEN],
            have: 0,
        };
        if !self.halted.contains(&self.bulk_out_ep) {
            self.halted.push(self.bulk_out_ep);
        }
    }

    fn start_out_container(
        &mut self,
        now: SystemTime,
        header: [u8; HEADER_LEN],
    ) -> Result<(), &'static str> {
        let length = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        let kind = ContainerKind(u16::from_le_bytes([header[4], header[5]]));
        let tid = u32::from_le_bytes([header[8], header[9], header[10], header[11]]);
        if (length as usize) < HEADER_LEN {
            return Err("container length shorter than its header");
        }
        match kind {
            ContainerKind::COMMAND => {
                if length > MAX_COMMAND_LEN || !length.is_multiple_of(4) {
                    return Err("command container length is not 12 + 4 × (0..=5)");
                }
                let want = length as usize - HEADER_LEN;
                if want == 0 {
                    self.finish_command(now, header, &[]);
                } else {
                    self.out = OutState::Command {
                        header,
                        params: Vec::with_capacity(want),
                        want,
                    };
                }
                Ok(())
            }
            ContainerKind::DATA => {
                if length == u32::MAX {
                    return Err("data container of unknown length from the host");
                }
                let remaining = u64::from(length) - HEADER_LEN as u64;
                self.responder.handle_data_start(now, tid, Some(remaining));
                if remaining == 0 {
                    self.out = OutState::Header {
                        buf: [0; HEADER_LEN],
                        have: 0,
                    };
                    self.responder.handle_data_end(now);
                    self.collect_events();
                } else {
                    self.out = OutState::Data { remaining };
                }
                Ok(())
            }
            _ => Err("the host may only send command and data containers"),
        }
    }

    fn finish_command(&mut self, now: SystemTime, header: [u8; HEADER_LEN], params: &[u8]) {
        self.out = OutState::Header {
            buf: [0; HEADER_LEN],
            have: 0,
        };
        let code = OperationCode(u16::from_le_bytes([header[6], header[7]]));
        let tid = u32::from_le_bytes([header[8], header[9], header[10], header[11]]);
        let mut p = Params::empty();
        for chunk in params.chunks_exact(4) {
            let _ = p.push(u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]));
        }
        // A new command abandons whatever the previous transaction left on bulk IN.
        if self.current.is_some() || !self.deferred.is_empty() {
            tracing::warn!(
                ?code,
                "new command while the previous answer was unread; dropping it"
            );
            self.current = None;
            self.deferred.clear();
            self.zlp_pending = false;
        }
        self.responder
            .handle_request(now, Request::new(code, tid, p), DataHint::Unknown);
        self.collect_events();
    }

    /// An IN transfer of up to `max_len` bytes on `endpoint` (bulk IN or interrupt IN).
    pub fn transfer_in(&mut self, endpoint: u8, max_len: usize) -> InStatus {
        if self.halted.contains(&endpoint) {
            return InStatus::Stall;
        }
        if endpoint == self.interrupt_ep {
            return self.interrupt_in(max_len);
        }
        if endpoint != self.bulk_in_ep {
            return InStatus::Stall;
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
        if !self.fill_current() {
            return InStatus::Pending;
        }
        let mut collected: Option<BytesMut> = None;
        let mut first: Option<Bytes> = None;
        let mut got = 0usize;
        while got < max_len {
            if !self.fill_current() {
                break;
            }
            let Some(cur) = self.current.as_mut() else {
                break;
            };
            if cur.ready.is_empty() {
                break;
            }
            let take = (max_len - got).min(cur.ready.len());
            let piece = cur.ready.split_to(take);
            got += take;
            match (&mut first, &mut collected) {
                (None, None) => first = Some(piece),
                (Some(f), None) => {
                    let mut b = BytesMut::with_capacity(f.len() + piece.len());
                    b.extend_from_slice(f);
                    b.extend_from_slice(&piece);
                    first = None;
                    collected = Some(b);
                }
                (_, Some(b)) => b.extend_from_slice(&piece),
            }
            let finished = cur.remaining == 0 && cur.ready.is_empty();
            if finished {
                let needs_zlp = cur.needs_zlp;
                self.current = None;
                // A full-length transfer that ends exactly on a container whose length is a
                // multiple of wMaxPacketSize leaves the ZLP for the next transfer; a longer
                // request is itself ended by the ZLP.
                if needs_zlp && got == max_len {
                    self.zlp_pending = true;
                }
                break;
            }
        }
        let bytes = match (first, collected) {
            (_, Some(b)) => b.freeze(),
            (Some(f), None) => f,
            (None, None) => Bytes::new(),
        };
        InStatus::Data(bytes)
    }

    /// Makes sure the current IN container has bytes ready, pulling from the responder.
    /// Returns whether there is anything to send.
    fn fill_current(&mut self) -> bool {
        loop {
            if let Some(cur) = &self.current {
                if !cur.ready.is_empty() {
                    return true;
                }
                if cur.remaining == 0 {
                    self.current = None;
                    continue;
                }
                // A streaming data container waiting for its next chunk.
                match self.responder.poll_output() {
                    Some(Output::Data { bytes, .. }) => {
                        self.collect_events();
                        if let Some(cur) = self.current.as_mut() {
                            let len = (bytes.len() as u64).min(cur.remaining);
                            cur.remaining -= len;
                            cur.ready = bytes.slice(..len as usize);
                        }
                    }
                    Some(other) => {
                        // The responder ended the transaction before the container was
                        // complete: a real device halts the pipe.
                        tracing::warn!(?other, "data phase cut short; halting bulk IN");
                        self.current = None;
                        self.deferred.push_back(other);
                        if !self.halted.contains(&self.bulk_in_ep) {
                            self.halted.push(self.bulk_in_ep);
                        }
                        return true;
                    }
                    None => return false,
                }
                continue;
            }
            let next = match self.deferred.pop_front() {
                Some(out) => Some(out),
                None => {
                    let out = self.responder.poll_output();
                    self.collect_events();
                    out
                }
            };
            let Some(output) = next else { return false };
            self.current = Some(self.container_for(output));
        }
    }

    fn container_for(&self, output: Output) -> InContainer {
        let mps = u64::from(self.bulk_max_packet);
        match output {
            Output::DataStart {
                code,
                transaction_id,
                total_len,
            } => {
                let total = total_len + HEADER_LEN as u64;
                // PIMA 15740 USB §7.1: 0xFFFFFFFF when the length does not fit.
                let length = u32::try_from(total).unwrap_or(u32::MAX);
                let mut header = [0u8; HEADER_LEN];
                header[..4].copy_from_slice(&length.to_le_bytes());
                header[4..6].copy_from_slice(&ContainerKind::DATA.0.to_le_bytes());
                header[6..8].copy_from_slice(&code.0.to_le_bytes());
                header[8..].copy_from_slice(&transaction_id.to_le_bytes());
                InContainer {
                    remaining: total_len,
                    ready: Bytes::copy_from_slice(&header),
                    needs_zlp: total.is_multiple_of(mps),
                }
            }
            Output::Data { bytes, .. } => {
                // Data without a start: never produced by the responder; send it raw.
                InContainer {
                    remaining: 0,
                    needs_zlp: (bytes.len() as u64).is_multiple_of(mps),
                    ready: bytes,
                }
            }
            Output::Response {
                code,
                transaction_id,
                params,
            } => {
                let n = params.as_slice().len();
                let length = HEADER_LEN + 4 * n;
                let mut buf = Vec::with_capacity(length);
                buf.extend_from_slice(&(length as u32).to_le_bytes());
                buf.extend_from_slice(&ContainerKind::RESPONSE.0.to_le_bytes());
                buf.extend_from_slice(&code.0.to_le_bytes());
                buf.extend_from_slice(&transaction_id.to_le_bytes());
                for p in params.as_slice() {
                    buf.extend_from_slice(&p.to_le_bytes());
                }
                InContainer {
                    remaining: 0,
                    ready: Bytes::from(buf),
                    needs_zlp: (length as u64).is_multiple_of(mps),
                }
            }
        }
    }

    fn collect_events(&mut self) {
        while let Some(event) = self.responder.poll_event() {
            let n = event.params.as_slice().len();
            let length = HEADER_LEN + 4 * n;
            let mut buf = Vec::with_capacity(length);
            buf.extend_from_slice(&(length as u32).to_le_bytes());
            buf.extend_from_slice(&ContainerKind::EVENT.0.to_le_bytes());
            buf.extend_from_slice(&event.code.0.to_le_bytes());
            buf.extend_from_slice(&event.transaction_id.to_le_bytes());
            for p in event.params.as_slice() {
                buf.extend_from_slice(&p.to_le_bytes());
            }
            self.last_event = Some((event.code, event.transaction_id, event.params));
            if self.events.len() >= MAX_QUEUED_EVENTS {
                self.events.pop_front();
                tracing::warn!("interrupt endpoint not read; dropping the oldest event");
            }
            self.events.push_back(Bytes::from(buf));
        }
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

    /// Whether the configuration is set (endpoints other than 0 work only then).
    #[must_use]
    pub const fn configured(&self) -> bool {
        self.configuration != 0
    }
}
