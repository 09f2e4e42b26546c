//! A small, synchronous PTP initiator: the client side of ISO 15740:2013 (PTP) over PTP/IP
//! (CIPA DC-005-2005), on `std::net` with no async runtime, and over USB (feature `usb`). vcam's tests and benches drive
//! its responder with it; it is also a minimal Rust PTP client of its own.
//!
//! ```no_run
//! use ptp_initiator::PtpIpClient;
//! use ptp_types::StorageId;
//!
//! let mut cam = PtpIpClient::connect("192.168.1.1:15740", [7; 16], "my tool")?;
//! let info = cam.get_device_info()?;
//! println!("{} {}", info.manufacturer, info.model);
//! cam.open_session(1)?;
//! for handle in cam.get_object_handles(StorageId::ALL, 0, 0)? {
//!     let info = cam.get_object_info(handle)?;
//!     // Streamed to the file as it arrives, never held whole in memory.
//!     let mut file = std::fs::File::create(info.filename.as_str())?;
//!     cam.get_object_to(handle, &mut file)?;
//! }
//! cam.initiate_capture()?;
//! while let Some(event) = cam.next_event(std::time::Duration::from_secs(5))? {
//!     println!("{:?} {:?}", event.code, event.params);
//! }
//! cam.close_session()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Layers:
//! - [`Client`] numbers transactions and runs their phases (ISO 15740:2013 §9.3: operation
//!   request, at most one data phase in one direction, response), and wraps the common
//!   operations of §10.5. [`Client::transaction`] returns any response code as is; the
//!   convenience methods turn codes other than OK into [`Error::Response`].
//! - [`Transport`] frames those phases. [`PtpIpTransport`] is the PTP/IP one: a command and
//!   an event TCP connection opened with Init Command Request/Ack and Init Event Request/Ack
//!   (CIPA DC-005 §2.3), data phases as Start Data, Data… and End Data. Frames are decoded
//!   with `ptp_codec::stream::StreamDecoder`: packets other than data are bounded (1 MiB) and
//!   data payloads are handed on piece by piece from the receive buffer, uncopied.
//!   [`UsbTransport`] (feature `usb`, on rusb) frames the same phases as USB containers on
//!   the Still Image class bulk pipes.
//! - [`sony`] (feature `sony`): the Sony SDIO handshake, settings and live view frames.

mod client;
mod ptpip;
#[cfg(feature = "sony")]
pub mod sony;
mod transport;
#[cfg(feature = "usb")]
pub mod usb;

pub use client::{Client, Event, PtpIpClient, Response};
pub use ptp_codec::ptpip::Identity;
pub use ptpip::PtpIpTransport;
pub use transport::{Incoming, Transport};
#[cfg(feature = "usb")]
pub use usb::{UsbOptions, UsbSelector, UsbTransport};

use ptp_types::ResponseCode;

/// What went wrong talking to a responder.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A socket or sink operation failed (including a read timeout).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The responder sent bytes that do not decode as a packet or dataset.
    #[error("malformed data from the responder: {0}")]
    Decode(#[from] ptp_types::DecodeError),
    /// The responder sent a valid packet that breaks the protocol at this point.
    #[error("protocol violation: {0}")]
    Protocol(String),
    /// The responder refused the connection with Init Fail (CIPA DC-005 §2.3.5); the reason
    /// code is given (1: rejected initiator, 2: busy, 3: unspecified).
    #[error("the responder refused the connection (Init Fail, reason {0})")]
    InitFail(u32),
    /// An operation ended with a response code other than OK (ISO 15740:2013 §11).
    #[error("{operation} answered {code:?}")]
    Response {
        /// The operation, by its spec name.
        operation: &'static str,
        /// The response code.
        code: ResponseCode,
        /// The response parameters.
        params: Vec<u32>,
    },
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
