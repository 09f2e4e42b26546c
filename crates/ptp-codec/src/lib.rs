//! Wire codec for the Picture Transfer Protocol (ISO 15740:2013), its MTP superset (MTP 1.1)
//! and PTP/IP (CIPA DC-005-2005).
//!
//! This crate knows bytes, not cameras. It offers:
//!
//! - [`container`]: USB-style generic containers (command, data, response, event) as a checked
//!   zero-copy view ([`Container`]) and owned forms with `parse`/`emit` into a caller's buffer,
//!   including a data container header emitted before its payload for streaming.
//! - [`ptpip`]: every PTP/IP packet type, with Data payloads borrowed from the input.
//! - [`stream`]: an incremental decoder for both framings that never blocks, never buffers and
//!   never allocates on a peer's claim.
//! - [`Reader`], [`Decode`] and [`Encode`]: the primitive dataset codec (integers of 8 to 128
//!   bits, [`PtpString`], arrays, [`DateTime`]).
//! - [`code`]: open code newtypes ([`OperationCode`], [`ResponseCode`], [`EventCode`],
//!   [`DevicePropCode`], ...) with named constants and spec names; vendor and unknown codes
//!   round-trip unchanged. [`vendor_codes!`] declares a vendor's codes once each, operations
//!   with their [`OperationSpec`] (data direction, parameter counts, session need).
//! - [`LengthPrefixed`] and [`read_length_prefixed`]: records behind a `u32` length that counts
//!   itself, written without knowing the length up front.
//!
//! It is `no_std` (with `alloc`), has no `unsafe` code, and no decoder panics on any input:
//! malformed bytes give a [`DecodeError`] that names the field and the offset.
//!
//! ```
//! use ptp_codec::{Container, ContainerRepr, OperationCode};
//!
//! let request = ContainerRepr::command(OperationCode::OPEN_SESSION, 0, [1]);
//! let mut buf = [0u8; 64];
//! let n = request.emit(&mut buf)?;
//! let view = Container::new_checked(&buf[..n])?;
//! assert_eq!(view.code(), OperationCode::OPEN_SESSION.0);
//! assert_eq!(view.params()?.as_slice(), &[1]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(clippy::indexing_slicing)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod code;
mod codec;
pub mod container;
mod datetime;
mod error;
mod prefixed;
pub mod ptpip;
mod reader;
mod spec;
pub mod stream;
mod string;

pub use code::{
    AccessCapability, AssociationType, ContainerKind, DataTypeCode, DevicePropCode, EventCode,
    FilesystemType, FormFlag, FunctionalMode, ObjectFormatCode, ObjectPropCode, OperationCode,
    ProtectionStatus, ResponseCode, StorageType,
};
pub use codec::{Decode, Encode, decode_array, encode_count};
pub use container::{Container, ContainerHeader, ContainerRepr, DataContainer, Params};
pub use datetime::{DateTime, DateTimeError, TimeZone, read_datetime};
pub use error::{DecodeError, EncodeError};
pub use prefixed::{LengthPrefixed, read_length_prefixed};
pub use reader::Reader;
pub use spec::{DataPhase, OperationSpec};
pub use string::{MAX_UNITS as MAX_STRING_UNITS, PtpString, read_string};

#[doc(hidden)]
pub mod __private {
    pub use alloc::vec::Vec;
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
