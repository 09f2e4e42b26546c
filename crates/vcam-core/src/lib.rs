//! The heart of vcam: a sans-IO PTP/MTP responder that behaves like a camera body.
//!
//! [`Responder`] takes operation requests, data phases, cancels and the time, and produces data
//! phases, responses and events ([`Output`], [`EventRecord`]). It opens no socket, starts no
//! thread and reads no clock: transports (PTP/IP, USB) drive it. What a body is made of:
//!
//! - a [`CameraModel`]: DeviceInfo strings and code lists, USB and PTP/IP identity, property
//!   table (the default is [`generic::generic`]; [`generic::mtp_camera`] presents itself as an
//!   MTP device);
//! - an [`ObjectStore`] ([`FolderStore`] over a host directory);
//! - a [`FrameSource`] for live view ([`SyntheticFrames`], [`JpegFolderFrames`],
//!   [`MjpegFileFrames`]);
//! - a [`VendorExtension`] through which vendor crates add operations, properties and events
//!   without touching the core ([`NoVendor`] for plain PTP).
//!
//! ```
//! use std::time::SystemTime;
//! use vcam_core::{DataHint, FolderStore, NoVendor, Output, Request, Responder, SyntheticFrames, generic};
//! use vcam_core::ptp_types::{OperationCode, ResponseCode};
//!
//! let model = generic::generic();
//! let store = FolderStore::from_temp_dir(tempfile::tempdir()?, false)?; // an empty card
//! let mut camera = Responder::new(model, Box::new(NoVendor), Box::new(store), Box::new(SyntheticFrames::default()));
//! let now = SystemTime::now();
//! camera.handle_request(now, Request::new(OperationCode::OPEN_SESSION, 0, [1]), DataHint::Unknown);
//! match camera.poll_output() {
//!     Some(Output::Response { code, .. }) => assert_eq!(code, ResponseCode::OK),
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod actions;
pub mod context;
pub mod events;
pub mod faults;
pub mod frames;
pub mod generic;
pub mod model;
mod ops;
pub mod output;
pub mod pairing;
pub mod props;
pub mod remote;
pub mod render;
pub mod reply;
pub mod responder;
pub mod slot;
mod steer;
pub mod store;
mod timers;
pub mod vendor;
pub mod watch;

pub use actions::{ActionError, ActionOutcome, BodyAction, Dial, ObjectTarget};
pub use context::{CaptureTarget, Captured, Context, jpeg_object_info};
pub use events::{EventQueue, EventRecord};
pub use faults::{Fault, FaultError, FaultKind};
pub use frames::{
    Frame, FrameError, FrameSource, JpegFolderFrames, LiveviewPacing, MjpegFileFrames,
    SyntheticFrames,
};
pub use model::{CameraModel, PropertyDef, UsbIdentity};
pub use ops::{MTP_OPERATIONS, android};
pub use output::{CancelAnswer, DataHint, Output, ResponderConfig};
pub use props::{PropChange, PropError, Properties};
pub use remote::{Remote, Status};
pub use reply::{Reply, Request, Response};
pub use responder::Responder;
pub use store::{ChainSource, FolderStore, ListingSource, ObjectEntry, ObjectStore, StoreError};
pub use vendor::{NoVendor, VendorExtension};
pub use watch::{CardChange, CardFeed, Noticed};

pub use ptp_types;

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
