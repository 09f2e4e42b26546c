//! Sony Alpha for vcam: the Sony SDIO PTP extension of bodies in PC Remote mode as a
//! [`vcam_core::VendorExtension`] ([`SonyAlpha`]), its codes (public, for client tools), its
//! wire formats in both directions (the Sony property descriptors of 0x9209, the 0x9202
//! answer, the live view object 0xFFFFC002) and the bodies it plays, as data ([`SonyBody`]).
//!
//! - [`codes`]: one table per code space (`ptp_codec::vendor_codes!`);
//! - [`records`]: the wire formats, [`Decode`](ptp_codec::Decode) and
//!   [`Encode`](ptp_codec::Encode);
//! - [`body`]: the shape of a body's table; [`model`]: the bodies (the ILCE-6300);
//! - `alpha`: the protocol behaviour, driven by one body's table (feature `camera`).
//!
//! Without the default feature `camera` the crate is only [`codes`], [`records`], [`body`]
//! and the tables of [`model`], with no dependency on vcam-core, for client tools.
//!
//! The facts, with their sources, are in `docs/reference/vendors-wifi-sony-fuji.md` §5 and
//! `docs/reference/client-expectations.md` §5.
//!
//! ```
//! # #[cfg(feature = "camera")] {
//! let (model, sony) = vcam_sony::sony_a6300();
//! assert_eq!(model.device_info.model.as_str(), "ILCE-6300");
//! assert_eq!(model.usb.product_id, 0x079C);
//! # drop(sony);
//! # }
//! ```

#[cfg(feature = "camera")]
mod alpha;
pub mod body;
pub mod codes;
pub mod model;
pub mod records;

#[cfg(feature = "camera")]
pub use alpha::SonyAlpha;
pub use body::{SonyBody, SonyProp};

/// The `sony_a6300` model and a fresh Sony extension for it (PC Remote, "PC Only").
#[cfg(feature = "camera")]
#[must_use]
pub fn sony_a6300() -> (vcam_core::CameraModel, Box<dyn vcam_core::VendorExtension>) {
    (model::sony_a6300(), Box::new(SonyAlpha::new(&model::A6300)))
}

/// The `sony_a6300_mtp` model (MTP mode: a plain MTP camera, no vendor extension).
#[cfg(feature = "camera")]
#[must_use]
pub fn sony_a6300_mtp() -> (vcam_core::CameraModel, Box<dyn vcam_core::VendorExtension>) {
    (model::sony_a6300_mtp(), Box::new(vcam_core::NoVendor))
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
