//! vcam's test support (not published): everything the tests of several crates share, so no
//! harness is written twice.
//!
//! - [`matrix`] and [`scenarios`]: the acceptance matrix. Each scenario (summary, list,
//!   download byte for byte, upload, delete, capture, preview, movie, config round trip and
//!   refusal, events, libmtp, ...) is written once and runs for every (model, transport) pair
//!   that supports it, with the real clients; the outcome prints as a table. A model or a
//!   transport is a row of data, not a test file.
//! - [`rig`]: issue 16's rig: the watched card folder (the `watch` column), several cameras
//!   in one process, recorded sessions and the soak.
//! - [`tools`]: real client programs, found or failed with the package to install, run with
//!   a private HOME; [`guest`]: the same clients in a qemu guest with Debian's kernel.
//! - [`card`]: the sample card and checks of downloaded pictures.
//! - [`server`]: vcam binaries and in-process PTP/IP servers on free ports of 127.0.0.1.
//! - [`usb`]: USB command and data containers through `ptp_codec`'s framing.
//! - [`steering`]: the fault and body-action scenarios (through the control socket);
//!   [`unplug`]: the cable pulled and put back, seen by the qemu guest's kernel.
//! - [`cam`]: a responder driven in memory, transaction by transaction, clock in hand;
//!   [`initiator`]: `ptp_initiator` driving a responder with no I/O, directly or through the
//!   USB device model's endpoints.
//!
//! Test support fails by panicking, with a message saying what was expected.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

pub mod cam;
pub mod card;
pub mod guest;
pub mod initiator;
pub mod matrix;
pub mod rig;
pub mod scenarios;
pub mod server;
pub mod steering;
pub mod tools;
pub mod tshark;
pub mod unplug;
pub mod usb;

pub use matrix::{MODELS, Model, Report, Transport};
pub use server::{Artifacts, VcamProcess, camera, spawn_fujiwifi, spawn_ptpip};
pub use tools::{Env, Run, require, rss_kib, wait_until};
