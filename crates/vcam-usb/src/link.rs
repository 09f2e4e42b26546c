//! [`ContainerLink`]: USB-style containers in and out of a [`Responder`], for any transport.

use std::collections::VecDeque;
use std::time::SystemTime;

use bytes::Bytes;
use ptp_types::ptp_codec::container::{self, HEADER_LEN};
use ptp_types::ptp_codec::stream::{Decoded, StreamDecoder, Usb};
use ptp_types::ptp_codec::{
    Container, ContainerHeader, ContainerKind, ContainerRepr, DataContainer, DecodeError,
    EncodeError, Params,
};
use ptp_types::{DataPhase, OperationCode};
use vcam_core::{DataHint, Output, Request, Responder};

/// Longest parameter container (command, response, event): the header and five parameters.
/// Longer data containers from the initiator are streamed; longer commands are refused.
pub const MAX_PARAM_CONTAINER_LEN: usize = HEADER_LEN + 4 * Params::MAX;

/// The packet Fujifilm's WiFi clients send on the command connection after CloseSession:
/// length 8, then 0xFFFFFFFF (vendors-wifi-sony-fuji.md §2.4: the official app and fudge
/// `lib/fuji.c` send it).
pub const FUJI_GOODBYE: [u8; 8] = [8, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF];

/// Behaviours that differ between the transports carrying containers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkConfig {
    /// Precede a response to an operation with a data-in phase that sent no data (an error)
    /// by an empty data container. Fujifilm WiFi initiators read exactly one packet as the
    /// data of such an operation without checking its type (libgphoto2
    /// `ptp_fujiptpip_getdata`), so without it the response is taken for data and the
    /// transaction times out. Data-in operations are those the responder's table says send
    /// data ([`Responder::operation_spec`]: the vendor's table, then the standard one), so a
    /// Fujifilm operation such as GetCapturePreview (0x9022) gets its empty container too.
    pub empty_data_before_error: bool,
    /// Recognise [`FUJI_GOODBYE`] between containers and report it
    /// ([`Pushed::goodbye`]) instead of refusing it as a malformed container.
    pub goodbye: bool,
}

impl LinkConfig {
    /// USB bulk pipes: no extra containers, no goodbye.
    pub const USB: Self = Self {
        empty_data_before_error: false,
        goodbye: false,
    };

    /// Fujifilm WiFi ("Fuji X (WLAN)" in libgphoto2): USB containers over TCP.
    pub const FUJI_WIFI: Self = Self {
        empty_data_before_error: true,
        goodbye: true,
    };
}

/// Why the link refused the initiator's bytes or could not finish a container.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// A malformed container from the initiator (bad length, too many parameters, ...).
    #[error("malformed container from the initiator: {0}")]
    Decode(#[from] DecodeError),
    /// The initiator sent a container of a type only the responder sends.
    #[error("the initiator sent a container of type {kind:?}; it may only send commands and data")]
    UnexpectedKind {
        /// The container type.
        kind: ContainerKind,
    },
    /// The initiator sent a data container of unknown length (0xFFFFFFFF), which this link
    /// cannot delimit.
    #[error("data container of unknown length from the initiator (transaction {transaction_id})")]
    UnknownLength {
        /// Its TransactionID.
        transaction_id: u32,
    },
    /// The responder ended a transaction before the data container it announced was complete.
    #[error(
        "the responder cut transaction {transaction_id}'s data container {missing} bytes short"
    )]
    DataCutShort {
        /// The transaction.
        transaction_id: u32,
        /// Body bytes announced but never produced.
        missing: u64,
    },
    /// A container could not be written (a bug: the buffers are sized for the largest one).
    #[error("writing a container failed: {0}")]
    Encode(#[from] EncodeError),
}

/// What [`ContainerLink::push`] noticed besides feeding the responder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[must_use]
pub struct Pushed {
    /// A command arrived while part of the previous answer was still unsent; that part was
    /// dropped.
    pub dropped_in: bool,
    /// The initiator said goodbye ([`LinkConfig::goodbye`]); bytes after it were not read.
    pub goodbye: bool,
}

/// Bytes of the container being sent to the initiator, from [`ContainerLink::pull_in`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InChunk {
    /// The bytes; body bytes are the responder's own buffers, not copies.
    pub bytes: Bytes,
    /// Total length of the container they belong to, header included (the real length, also
    /// when the header says 0xFFFFFFFF because it does not fit).
    pub container_len: u64,
    /// Whether these bytes start the container.
    pub first: bool,
    /// Whether they end it.
    pub last: bool,
}

/// The container being sent.
#[derive(Debug)]
struct Sending {
    /// Bytes produced but not yet pulled.
    ready: Bytes,
    /// Body bytes still to come from the responder.
    to_come: u64,
    /// Total container length.
    len: u64,
    /// Transaction, for errors.
    transaction_id: u32,
}

/// A transport-neutral link between a byte stream of USB-style generic containers (ISO
/// 15740:2013 annex D.7.1.1; USB Still Image Capture Device Definition §7.1) and a
/// [`Responder`].
///
/// In: [`ContainerLink::push`] takes the initiator's bytes in any split; a
/// [`StreamDecoder<Usb>`] finds the containers, commands go to the responder whole and data
/// bodies are streamed into it as they arrive. Out: [`ContainerLink::pull_in`] yields the next
/// container's bytes without crossing its end (headers from
/// [`container::emit_data_header`] and [`ContainerRepr::emit`], bodies as the responder's own
/// buffers), and [`ContainerLink::poll_event`] yields event containers.
///
/// Two transports carry these containers: USB bulk pipes ([`crate::UsbCamera`] adds endpoints,
/// halts and the short-packet rule) and Fujifilm's WiFi protocol, the same containers over TCP
/// (libgphoto2 `camlibs/ptp2/fujiptpip.c`), with [`LinkConfig::FUJI_WIFI`].
#[derive(Debug)]
pub struct ContainerLink {
    responder: Responder,
    config: LinkConfig,
    decoder: StreamDecoder<Usb>,
    /// The start of a container that arrived split: never more than one parameter container
    /// or a data header ([`MAX_PARAM_CONTAINER_LEN`] bytes).
    pending: Vec<u8>,
    current: Option<Sending>,
    /// Outputs to send before asking the responder again.
    deferred: VecDeque<Output>,
    /// The command being answered until its data or response starts, for
    /// [`LinkConfig::empty_data_before_error`].
    open: Option<(OperationCode, u32)>,
    last_event: Option<ContainerRepr>,
}

/// What one look at the initiator's bytes did.
enum Step {
    /// This many bytes were handled.
    Consumed(usize),
    /// At least this many more bytes are needed.
    NeedMore(usize),
}

impl ContainerLink {
    /// A link to `responder` with the behaviours of `config`.
    #[must_use]
    pub fn new(responder: Responder, config: LinkConfig) -> Self {
        Self {
            responder,
            config,
            decoder: StreamDecoder::new(MAX_PARAM_CONTAINER_LEN),
            pending: Vec::with_capacity(MAX_PARAM_CONTAINER_LEN),
            current: None,
            deferred: VecDeque::new(),
            open: None,
            last_event: None,
        }
    }

    /// The responder.
    #[must_use]
    pub const fn responder(&self) -> &Responder {
        &self.responder
    }

    /// Mutable access to the responder (timers, cancel, camera-side actions).
    pub const fn responder_mut(&mut self) -> &mut Responder {
        &mut self.responder
    }

    /// Whether a transaction is in progress: the responder is busy, a container is partly
    /// received, or part of an answer is unsent.
    #[must_use]
    pub fn is_busy(&self) -> bool {
        self.responder.is_busy()
            || self.current.is_some()
            || !self.deferred.is_empty()
            || !self.pending.is_empty()
            || self.decoder.in_body()
    }

    /// The command being answered, from its arrival until its data or response starts: its
    /// operation code and TransactionID. For transports whose protocol acts on a command before
    /// its answer goes out (Fujifilm's WiFi protocol opens its event and live view ports at
    /// InitiateOpenCapture, before the response: libgphoto2 `camlibs/ptp2/fujiptpip.c`).
    #[must_use]
    pub const fn answering(&self) -> Option<(OperationCode, u32)> {
        self.open
    }

    /// The last event handed out by [`ContainerLink::poll_event`] (USB Get Extended Event
    /// Data reports it).
    #[must_use]
    pub const fn last_event(&self) -> Option<&ContainerRepr> {
        self.last_event.as_ref()
    }

    /// Bytes from the initiator, in any split: commands go to
    /// [`Responder::handle_request`], data containers to the responder's data calls as they
    /// arrive.
    ///
    /// # Errors
    /// A malformed container. The link then forgets the partial container; the stream cannot
    /// be resynchronised, so the transport halts its pipe or closes its connection.
    pub fn push(&mut self, now: SystemTime, bytes: &[u8]) -> Result<Pushed, LinkError> {
        let mut pushed = Pushed::default();
        match self.push_all(now, bytes, &mut pushed) {
            Ok(()) => Ok(pushed),
            Err(err) => {
                self.forget_partial();
                Err(err)
            }
        }
    }

    fn push_all(
        &mut self,
        now: SystemTime,
        mut input: &[u8],
        pushed: &mut Pushed,
    ) -> Result<(), LinkError> {
        loop {
            if pushed.goodbye {
                self.pending.clear();
                return Ok(());
            }
            if self.pending.is_empty() {
                if input.is_empty() {
                    return Ok(());
                }
                match self.step(now, input, pushed)? {
                    Step::Consumed(n) => input = input.get(n..).unwrap_or_default(),
                    // Less than a parameter container or a data header.
                    Step::NeedMore(_) => {
                        self.pending.extend_from_slice(input);
                        return Ok(());
                    }
                }
            } else {
                let pending = std::mem::take(&mut self.pending);
                let step = self.step(now, &pending, pushed);
                self.pending = pending;
                match step? {
                    Step::Consumed(n) => drop(self.pending.drain(..n.min(self.pending.len()))),
                    Step::NeedMore(_) if input.is_empty() => return Ok(()),
                    Step::NeedMore(n) => {
                        let (head, rest) = input.split_at(n.min(input.len()));
                        self.pending.extend_from_slice(head);
                        input = rest;
                    }
                }
            }
        }
    }

    /// Handles what starts `window`.
    fn step(
        &mut self,
        now: SystemTime,
        window: &[u8],
        pushed: &mut Pushed,
    ) -> Result<Step, LinkError> {
        if self.config.goodbye
            && !self.decoder.in_body()
            && window.get(..4) == FUJI_GOODBYE.get(..4)
        {
            match window.get(..FUJI_GOODBYE.len()) {
                None => return Ok(Step::NeedMore(FUJI_GOODBYE.len() - window.len())),
                Some(packet) if packet == FUJI_GOODBYE => {
                    tracing::info!("the initiator said goodbye");
                    pushed.goodbye = true;
                    return Ok(Step::Consumed(packet.len()));
                }
                // Not the goodbye: the decoder refuses the 8-byte container.
                Some(_) => {}
            }
        }
        match self.decoder.decode(window)? {
            Decoded::NeedMore(n) => Ok(Step::NeedMore(n)),
            Decoded::Frame(frame) => {
                self.frame(now, frame, pushed)?;
                Ok(Step::Consumed(frame.len()))
            }
            Decoded::Head { head, body_len } => {
                let header = ContainerHeader::read(head)?;
                let transaction_id = header.transaction_id();
                let Some(body_len) = body_len else {
                    return Err(LinkError::UnknownLength { transaction_id });
                };
                self.responder
                    .handle_data_start(now, transaction_id, Some(body_len));
                Ok(Step::Consumed(head.len()))
            }
            Decoded::Body(piece) => {
                self.responder.handle_data(now, piece);
                if !self.decoder.in_body() {
                    self.responder.handle_data_end(now);
                }
                Ok(Step::Consumed(piece.len()))
            }
        }
    }

    /// A whole container.
    fn frame(
        &mut self,
        now: SystemTime,
        frame: &[u8],
        pushed: &mut Pushed,
    ) -> Result<(), LinkError> {
        let container = Container::new_checked(frame)?;
        match container.kind() {
            ContainerKind::COMMAND => {
                let command = ContainerRepr::parse(&container)?;
                self.command(now, &command, pushed);
            }
            ContainerKind::DATA => {
                let data = DataContainer::parse(&container)?;
                self.responder.handle_data_start(
                    now,
                    data.transaction_id,
                    Some(data.payload.len() as u64),
                );
                if !data.payload.is_empty() {
                    self.responder.handle_data(now, data.payload);
                }
                self.responder.handle_data_end(now);
            }
            kind => return Err(LinkError::UnexpectedKind { kind }),
        }
        Ok(())
    }

    fn command(&mut self, now: SystemTime, command: &ContainerRepr, pushed: &mut Pushed) {
        let code = OperationCode(command.code);
        // A new command abandons whatever the previous transaction left unsent.
        if self.current.is_some() || !self.deferred.is_empty() {
            tracing::warn!(
                ?code,
                "new command while the previous answer was unread; dropping it"
            );
            self.current = None;
            self.deferred.clear();
            pushed.dropped_in = true;
        }
        self.open = Some((code, command.transaction_id));
        let request = Request::new(code, command.transaction_id, command.params);
        self.responder
            .handle_request(now, request, DataHint::Unknown);
    }

    /// Whether bytes for the initiator are ready, asking the responder for more if needed.
    ///
    /// # Errors
    /// [`LinkError::DataCutShort`]: the responder ended a data container early. The rest of
    /// that container is never produced (USB halts the pipe); what the responder said next
    /// follows.
    pub fn in_ready(&mut self) -> Result<bool, LinkError> {
        loop {
            if let Some(cur) = &mut self.current {
                if !cur.ready.is_empty() {
                    return Ok(true);
                }
                if cur.to_come == 0 {
                    self.current = None;
                    continue;
                }
                match self.responder.poll_output() {
                    None => return Ok(false),
                    Some(Output::Data { bytes, .. }) => {
                        let len = bytes
                            .len()
                            .min(usize::try_from(cur.to_come).unwrap_or(usize::MAX));
                        cur.to_come -= len as u64;
                        cur.ready = bytes.slice(..len);
                    }
                    Some(other) => {
                        let err = LinkError::DataCutShort {
                            transaction_id: cur.transaction_id,
                            missing: cur.to_come,
                        };
                        self.current = None;
                        self.deferred.push_back(other);
                        return Err(err);
                    }
                }
                continue;
            }
            let next = match self.deferred.pop_front() {
                Some(output) => output,
                None => match self.responder.poll_output() {
                    Some(output) => output,
                    None => return Ok(false),
                },
            };
            self.current = self.container_for(next)?;
        }
    }

    /// Up to `max` bytes of the container being sent, never past its end; `None` when the
    /// responder has nothing to send yet.
    ///
    /// # Errors
    /// As [`ContainerLink::in_ready`].
    pub fn pull_in(&mut self, max: usize) -> Result<Option<InChunk>, LinkError> {
        if !self.in_ready()? {
            return Ok(None);
        }
        let Some(cur) = self.current.as_mut() else {
            return Ok(None);
        };
        let first = cur.ready.len() as u64 + cur.to_come == cur.len;
        let bytes = cur.ready.split_to(max.min(cur.ready.len()));
        let last = cur.ready.is_empty() && cur.to_come == 0;
        let chunk = InChunk {
            bytes,
            container_len: cur.len,
            first,
            last,
        };
        if last {
            self.current = None;
        }
        Ok(Some(chunk))
    }

    /// The container that starts `output`, if it starts one.
    fn container_for(&mut self, output: Output) -> Result<Option<Sending>, LinkError> {
        let (code, transaction_id, params) = match output {
            Output::DataStart {
                code,
                transaction_id,
                total_len,
            } => {
                self.open.take_if(|(_, tid)| *tid == transaction_id);
                return Self::data_container(code, transaction_id, total_len).map(Some);
            }
            // The empty end of an empty data phase; other data has no container to go in.
            Output::Data { bytes, .. } => {
                if !bytes.is_empty() {
                    tracing::warn!(len = bytes.len(), "data without a data phase; dropping it");
                }
                return Ok(None);
            }
            Output::Response {
                code,
                transaction_id,
                params,
            } => (code, transaction_id, params),
        };
        if let Some((op, _)) = self.open.take_if(|(_, tid)| *tid == transaction_id)
            && self.config.empty_data_before_error
            && self
                .responder
                .operation_spec(op)
                .is_some_and(|s| s.data == DataPhase::ToInitiator)
        {
            let response = Output::Response {
                code,
                transaction_id,
                params,
            };
            self.deferred.push_front(response);
            return Self::data_container(op, transaction_id, 0).map(Some);
        }
        let bytes = encode(&ContainerRepr::response(code, transaction_id, params))?;
        Ok(Some(Sending {
            len: bytes.len() as u64,
            ready: bytes,
            to_come: 0,
            transaction_id,
        }))
    }

    fn data_container(
        code: OperationCode,
        transaction_id: u32,
        body_len: u64,
    ) -> Result<Sending, LinkError> {
        let mut header = [0u8; HEADER_LEN];
        container::emit_data_header(&mut header, code.0, transaction_id, Some(body_len))?;
        Ok(Sending {
            ready: Bytes::copy_from_slice(&header),
            to_come: body_len,
            len: body_len.saturating_add(HEADER_LEN as u64),
            transaction_id,
        })
    }

    /// The next event from the responder as an event container.
    pub fn poll_event(&mut self) -> Option<Bytes> {
        while let Some(event) = self.responder.poll_event() {
            let repr = ContainerRepr::event(event.code, event.transaction_id, event.params);
            match encode(&repr) {
                Ok(bytes) => {
                    self.last_event = Some(repr);
                    return Some(bytes);
                }
                Err(err) => tracing::error!(%err, ?repr, "event not sent"),
            }
        }
        None
    }

    /// Drops every transfer in progress in both directions and whatever the responder had
    /// queued (after a cancel or a reset).
    pub fn abort(&mut self) {
        self.forget_partial();
        self.current = None;
        self.deferred.clear();
        self.open = None;
        while self.responder.poll_output().is_some() {}
    }

    /// The initiator is gone or reset the device: the responder closes the session and
    /// every transfer is dropped.
    pub fn reset(&mut self, now: SystemTime) {
        self.responder.handle_reset(now);
        self.abort();
    }

    /// Forgets a partly received container.
    fn forget_partial(&mut self) {
        self.pending.clear();
        self.decoder = StreamDecoder::new(MAX_PARAM_CONTAINER_LEN);
    }
}

/// A parameter container's bytes.
fn encode(repr: &ContainerRepr) -> Result<Bytes, EncodeError> {
    let mut buf = [0u8; MAX_PARAM_CONTAINER_LEN];
    let len = repr.emit(&mut buf)?;
    Ok(Bytes::copy_from_slice(buf.get(..len).unwrap_or_default()))
}
