//! Canon EOS for vcam: the EOS PTP extension as a [`vcam_core::VendorExtension`], its codes
//! (public, for client tools), its wire formats (GetEvent records, viewfinder records, the
//! ImageFormat structure) and the EOS 1300D model.
//!
//! ```
//! let (model, eos) = vcam_canon::canon_1300d();
//! assert_eq!(model.model.as_str(), "Canon EOS 1300D");
//! # drop(eos);
//! ```

pub mod codes;
mod ext;
pub mod model;
pub mod records;

pub use ext::{CAPTURE_DESTINATION_HOST, CanonEos, EVF_OUTPUT_HOST, SHUTTER_BULB, iso_value};

/// The `canon_1300d` model and a fresh EOS extension for it.
#[must_use]
pub fn canon_1300d() -> (vcam_core::CameraModel, Box<dyn vcam_core::VendorExtension>) {
    (model::canon_1300d(), Box::new(CanonEos::new()))
}
