//! A small, synchronous PTP initiator: the client side of ISO 15740 over PTP/IP
//! (CIPA DC-005). It is what vcam's tests and benches use to drive a responder, and a minimal
//! Rust PTP client on its own.
//!
//! ```no_run
//! use ptp_initiator::PtpIpClient;
//!
//! let mut cam = PtpIpClient::connect("192.168.1.1:15740", [7; 16], "my tool")?;
//! let info = cam.get_device_info()?;
//! println!("{} {}", info.manufacturer, info.model);
//! cam.open_session(1)?;
//! for storage in cam.get_storage_ids()? {
//!     for handle in cam.get_object_handles(storage, 0, 0)? {
//!         let info = cam.get_object_info(handle)?;
//!         println!("{}: {} bytes", info.filename, info.object_compressed_size);
//!     }
//! }
//! cam.close_session()?;
//! # Ok::<(), ptp_initiator::Error>(())
//! ```
//!
//! Transactions follow ISO 15740:2013 §9.3: TransactionIDs count up from 1 within a session
//! (OpenSession itself uses 0, §10.5.2), a data phase goes one way at most, and a response ends
//! each transaction. Over PTP/IP (CIPA DC-005 §2.3) a command connection is opened with Init
//! Command Request/Ack and an event connection with Init Event Request/Ack; data phases are
//! Start Data, Data…, End Data. USB framing can be added behind the same [`PtpIpClient`]
//! methods later; only PTP/IP is implemented.

mod client;

pub use client::{Event, PtpIpClient, Response};

use ptp_types::ResponseCode;

/// What went wrong talking to a responder.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connection failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The socket error.
        #[source]
        source: std::io::Error,
    },
    /// The responder sent something that does not decode.
    #[error("malformed data from the responder: {0}")]
    Decode(#[from] ptp_types::DecodeError),
    /// The responder sent a valid packet that breaks the protocol at this point.
    #[error("protocol violation: {0}")]
    Protocol(String),
    /// The responder refused the connection (PTP/IP Init Fail, CIPA DC-005 §2.3.5).
    #[error("connection refused by the responder (Init Fail reason {0})")]
    InitFail(u32),
    /// The operation ended with a response code other than OK.
    #[error("{operation} answered {code:?}")]
    Response {
        /// The operation, by name.
        operation: &'static str,
        /// The response code.
        code: ResponseCode,
    },
}
