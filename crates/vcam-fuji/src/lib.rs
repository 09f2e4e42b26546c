//! Fujifilm for vcam: the Fujifilm PTP extension as a [`vcam_core::VendorExtension`]
//! ([`FujiX`]), its codes (public, for client tools), its wire formats in both directions (the
//! event list of property 0xD212, the property catalogue of operation 0x902B) and the bodies it
//! plays, as data ([`FujiBody`]), each on its USB and its WiFi [`Face`].
//!
//! - [`codes`]: one table per code space (`ptp_codec::vendor_codes!`);
//! - [`records`]: the wire formats, [`Decode`](ptp_codec::Decode) and
//!   [`Encode`](ptp_codec::Encode);
//! - [`body`](mod@body): the shape of a body's table; [`model`]: the bodies (the X-H1);
//! - `fuji`: the protocol behaviour, driven by one body's table.
//!
//! The WiFi transport (three TCP ports, the 82-byte init packet, the live view stream) is in
//! `transport-fujiwifi`; this crate knows no transport.
//!
//! ```
//! use vcam_fuji::Face;
//!
//! let (model, fuji) = vcam_fuji::fuji_xh1(Face::Usb);
//! assert_eq!(model.device_info.model.as_str(), "X-H1");
//! assert_eq!(model.device_info.vendor_extension_id, 6);
//! let (wifi, _) = vcam_fuji::fuji_xh1(Face::Wifi);
//! assert_eq!(wifi.device_info.vendor_extension_id, 0x0E);
//! # drop(fuji);
//! ```

pub mod body;
pub mod codes;
mod fuji;
pub mod model;
pub mod records;

pub use body::{Face, Faces, FujiBody, FujiProp};
pub use fuji::FujiX;

/// The `fuji_xh1` model on `face` and a fresh Fujifilm extension for it.
#[must_use]
pub fn fuji_xh1(face: Face) -> (vcam_core::CameraModel, Box<dyn vcam_core::VendorExtension>) {
    (model::xh1(face), Box::new(FujiX::new(&model::XH1, face)))
}

/// The bodies of this crate by model name (`fuji_xh1`), on `face`; `None` for another name.
#[must_use]
pub fn body(
    id: &str,
    face: Face,
) -> Option<(vcam_core::CameraModel, Box<dyn vcam_core::VendorExtension>)> {
    let norm = id.to_ascii_lowercase().replace('-', "_");
    (norm == "fuji_xh1").then(|| fuji_xh1(face))
}
