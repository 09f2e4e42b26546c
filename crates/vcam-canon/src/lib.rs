//! Canon EOS for vcam: the EOS PTP extension as a [`vcam_core::VendorExtension`]
//! ([`CanonEos`]), its codes (public, for client tools), its wire formats in both directions
//! (GetEvent records, viewfinder records, the ImageFormat and FocusInfoEx structures,
//! GetDeviceInfoEx, GetObjectInfoEx entries) and the bodies it plays, as data ([`EosBody`]).
//!
//! - [`codes`]: one table per code space (`ptp_codec::vendor_codes!`);
//! - [`records`]: the wire formats, [`Decode`](ptp_codec::Decode) and
//!   [`Encode`](ptp_codec::Encode);
//! - [`props`]: EOS properties between the wire and the core;
//! - [`body`]: the shape of a body's table; [`model`]: the bodies (EOS 1300D, EOS 6D);
//! - `eos`: the protocol behaviour, driven by one body's table.
//!
//! ```
//! let (model, eos) = vcam_canon::canon_1300d();
//! assert_eq!(model.device_info.model.as_str(), "Canon EOS 1300D");
//! # drop(eos);
//! ```

pub mod body;
pub mod codes;
mod eos;
pub mod model;
pub mod props;
pub mod records;

pub use body::{EosBody, EosProp};
pub use eos::CanonEos;
pub use props::{CAPTURE_DESTINATION_HOST, EVF_OUTPUT_HOST, RECORD_CARD, SHUTTER_BULB, iso_value};

/// The `canon_6d` model and a fresh EOS extension for it.
#[must_use]
pub fn canon_6d() -> (vcam_core::CameraModel, Box<dyn vcam_core::VendorExtension>) {
    (model::canon_6d(), Box::new(CanonEos::new(&model::EOS_6D)))
}

/// The `canon_1300d` model and a fresh EOS extension for it.
#[must_use]
pub fn canon_1300d() -> (vcam_core::CameraModel, Box<dyn vcam_core::VendorExtension>) {
    (
        model::canon_1300d(),
        Box::new(CanonEos::new(&model::EOS_1300D)),
    )
}
