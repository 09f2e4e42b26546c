//! What a [`Responder`](crate::Responder) produces on the command/data channel ([`Output`]),
//! what a transport tells it about a request's data phase ([`DataHint`]), and its tunables
//! ([`ResponderConfig`]).

use std::fmt;

use bytes::Bytes;
use ptp_types::{OperationCode, ResponseCode, ptp_codec::Params};

/// Default size of the data chunks [`Responder::poll_output`](crate::Responder::poll_output) yields.
pub const DEFAULT_CHUNK_SIZE: usize = 1024 * 1024;

/// What the initiator announced about the data phase of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataHint {
    /// The transport does not say (USB): the operation table decides.
    Unknown,
    /// No data, or data from the responder (PTP/IP DataPhaseInfo 1).
    NoDataOut,
    /// The initiator will send data (PTP/IP DataPhaseInfo 2).
    DataOut,
}

/// What the responder sends, in order.
#[derive(Clone, PartialEq, Eq)]
pub enum Output {
    /// A data phase starts.
    DataStart {
        /// The operation it answers.
        code: OperationCode,
        /// Its TransactionID.
        transaction_id: u32,
        /// Total bytes that follow.
        total_len: u64,
    },
    /// A piece of the data phase; `last` marks the final piece (which may be empty when the
    /// data phase is empty).
    Data {
        /// The bytes.
        bytes: Bytes,
        /// Whether this ends the data phase.
        last: bool,
    },
    /// The response phase.
    Response {
        /// Response code.
        code: ResponseCode,
        /// The TransactionID answered.
        transaction_id: u32,
        /// Response parameters.
        params: Params,
    },
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DataStart {
                code,
                transaction_id,
                total_len,
            } => f
                .debug_struct("DataStart")
                .field("code", code)
                .field("transaction_id", transaction_id)
                .field("total_len", total_len)
                .finish(),
            Self::Data { bytes, last } => f
                .debug_struct("Data")
                .field("len", &bytes.len())
                .field("last", last)
                .finish(),
            Self::Response {
                code,
                transaction_id,
                params,
            } => f
                .debug_struct("Response")
                .field("code", code)
                .field("transaction_id", transaction_id)
                .field("params", params)
                .finish(),
        }
    }
}

/// Tunables of a responder.
#[derive(Debug, Clone, Copy)]
pub struct ResponderConfig {
    /// Largest data chunk yielded by [`Responder::poll_output`](crate::Responder::poll_output).
    pub chunk_size: usize,
}

impl Default for ResponderConfig {
    fn default() -> Self {
        Self {
            chunk_size: DEFAULT_CHUNK_SIZE,
        }
    }
}

/// How the initiator learns that a cancelled transaction ended
/// ([`Responder::handle_cancel`](crate::Responder::handle_cancel)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelAnswer {
    /// A TransactionCancelled response is sent for the transaction (after a PTP/IP Cancel
    /// packet).
    Respond,
    /// No response: the transport reports the cancellation through its own channel (USB Still
    /// Image class: Cancel Request, then Get Device Status; USB Still Image Capture Device
    /// Definition §5.2.1, §5.2.4).
    ViaDeviceStatus,
}
