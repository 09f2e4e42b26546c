//! Datasets of the Picture Transfer Protocol (ISO 15740:2013) and of MTP 1.1, in both
//! directions, on top of [`ptp_codec`].
//!
//! - [`DeviceInfo`] (§5.5.1), [`StorageInfo`] (§5.6.1), [`ObjectInfo`] (§5.5.2),
//!   [`StreamInfo`] (§5.5.8, PTP 1.1).
//! - [`DevicePropDesc`] (§5.5.3) with every form of [`PropForm`], including MTP's DateTime,
//!   fixed-length array, regular expression, byte array and long string forms, and typed
//!   values of every PTP data type ([`PropValue`]).
//! - MTP's [`ObjectPropDesc`] and [`ObjectPropList`] (MTP 1.1 §5.3.2, appendix E).
//! - The identifiers [`ObjectHandle`] and [`StorageId`]; their arrays (GetStorageIDs,
//!   GetObjectHandles) are plain `Vec<StorageId>` / `Vec<ObjectHandle>`.
//! - One table of the standard and MTP operations ([`OPERATIONS`], [`operation_spec`]): code,
//!   spec name, data direction, parameter count and whether a session is needed.
//!
//! Every dataset implements [`Decode`] and [`Encode`]; `decode_exact(encode(x)) == x`.
//!
//! ```
//! use ptp_types::{Decode, Encode, StorageInfo, StorageType, FilesystemType, AccessCapability, PtpString};
//!
//! let info = StorageInfo {
//!     storage_type: StorageType::REMOVABLE_RAM,
//!     filesystem_type: FilesystemType::DCF,
//!     access_capability: AccessCapability::READ_WRITE,
//!     max_capacity: 32 << 30,
//!     free_space_in_bytes: 16 << 30,
//!     free_space_in_images: 4000,
//!     storage_description: PtpString::try_from("SD")?,
//!     volume_label: PtpString::new(),
//! };
//! let bytes = info.to_bytes();
//! assert_eq!(StorageInfo::decode_exact(&bytes)?, info);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(clippy::indexing_slicing)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod datasets;
mod ids;
mod object_prop;
mod ops;
mod prop_desc;
mod value;

pub use datasets::{DeviceInfo, ObjectInfo, StorageInfo, StreamInfo};
pub use ids::{ObjectHandle, StorageId};
pub use object_prop::{ObjectPropDesc, ObjectPropList, ObjectPropValue};
pub use ops::{DataPhase, OPERATIONS, OperationSpec, operation_spec};
pub use prop_desc::{DevicePropDesc, GetSet, PropForm};
pub use value::{PropValue, decode_value, decode_value_exact};

pub use ptp_codec;
pub use ptp_codec::{
    AccessCapability, AssociationType, ContainerKind, DataTypeCode, DateTime, Decode, DecodeError,
    DevicePropCode, Encode, EncodeError, EventCode, FilesystemType, FormFlag, FunctionalMode,
    ObjectFormatCode, ObjectPropCode, OperationCode, ProtectionStatus, PtpString, Reader,
    ResponseCode, StorageType, TimeZone,
};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
