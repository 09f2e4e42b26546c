//! The framing below the transaction layer: what a transport must do for [`crate::Client`].
//!
//! ISO 15740:2013 §9 defines transactions independently of the transport; each transport
//! (USB Still Image class containers, PTP/IP packets of CIPA DC-005) frames the same three
//! phases (§9.3: operation request, optional data phase, response) and carries events its own
//! way: PTP/IP ([`crate::PtpIpTransport`]) and, with the `usb` feature, the USB bulk pipes
//! (`UsbTransport`).

use std::time::Duration;

use ptp_codec::Params;
use ptp_types::{OperationCode, ResponseCode};

use crate::{Error, Event};

/// One item of a transaction's responder-to-initiator traffic, in order: optionally
/// `DataStart` then `Data` pieces, then exactly one `Response`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incoming<'a> {
    /// A data phase begins (PTP/IP Start Data, CIPA DC-005 §2.3; a USB data container's
    /// header). The total length, when the responder announced one.
    DataStart(Option<u64>),
    /// A piece of the data phase, borrowed from the transport's receive buffer.
    Data(&'a [u8]),
    /// The response phase (ISO 15740:2013 §9.3.3).
    Response {
        /// Response code.
        code: ResponseCode,
        /// The TransactionID the responder echoed.
        transaction_id: u32,
        /// Response parameters (at most five).
        params: Params,
    },
}

/// Moves one initiator's transactions and events over some framing.
///
/// Implementations do framing only; TransactionIDs, data direction and response checking
/// live in [`crate::Client`].
pub trait Transport {
    /// Sends an operation request (ISO 15740:2013 §9.3.1). `data_out` tells the responder
    /// an initiator-to-responder data phase follows (PTP/IP Data Phase Info, CIPA DC-005
    /// §2.3.6).
    ///
    /// # Errors
    /// Socket errors or parameters that cannot be encoded.
    fn send_request(
        &mut self,
        code: OperationCode,
        transaction_id: u32,
        params: &[u32],
        data_out: bool,
    ) -> Result<(), Error>;

    /// Sends the whole initiator-to-responder data phase of the current transaction
    /// (ISO 15740:2013 §9.3.2).
    ///
    /// # Errors
    /// Socket errors.
    fn send_data(
        &mut self,
        code: OperationCode,
        transaction_id: u32,
        data: &[u8],
    ) -> Result<(), Error>;

    /// The next item from the responder for the current transaction, waiting for it.
    ///
    /// # Errors
    /// Socket errors, a read timeout, malformed frames, or frames that do not belong in a
    /// transaction.
    fn recv(&mut self) -> Result<Incoming<'_>, Error>;

    /// The next asynchronous event (ISO 15740:2013 §12), waiting up to `timeout`; `None` if
    /// none came in time.
    ///
    /// # Errors
    /// Socket errors or a malformed event.
    fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, Error>;
}
