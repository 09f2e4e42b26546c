//! Every body vcam can be, by name, and the one place a camera is put together.
//!
//! - [`MODELS`] is the registry: each entry pairs a [`CameraModel`] (data) with the
//!   [`VendorExtension`] that gives it its vendor behaviour, under the name used on command
//!   lines and in `VCAM_MODELS`.
//! - [`CameraOptions`] says what one camera is made of: the model, its memory card (a folder,
//!   or the built-in [`sample_card`]) and its live view source. [`CameraOptions::build`] turns
//!   them into a [`Responder`](vcam_core::Responder) that any transport can drive. The
//!   binaries parse the options from their command line (the `cli` feature: `clap` and the
//!   `cli` module's start-up), the libusb shim from its environment
//!   ([`CameraOptions::from_env`]).
//!
//! ```
//! let mut options = vcam_models::CameraOptions::new("canon_1300d");
//! options.liveview.size = (320, 240);
//! let camera = options.build()?; // on the built-in sample card
//! assert_eq!(camera.model().id, "canon_1300d");
//! # Ok::<(), vcam_models::BuildError>(())
//! ```

use vcam_core::{CameraModel, NoVendor, VendorExtension};

mod card;
#[cfg(feature = "cli")]
pub mod cli;
pub mod env;
pub mod faults;
mod options;

pub use card::{open_card, sample_card};
pub use env::EnvError;
pub use faults::{ScenarioError, parse_fault, read_scenario};
pub use options::{
    BuildError, CameraOptions, DEFAULT_LIVEVIEW_FPS, DEFAULT_LIVEVIEW_SIZE, LiveviewOptions,
    SizeError, error_chain, parse_size,
};

/// One model in the registry.
#[derive(Debug, Clone, Copy)]
pub struct ModelEntry {
    /// Name used on command lines (`generic`, `canon_1300d`, ...).
    pub id: &'static str,
    /// One line for `--list-models`.
    pub summary: &'static str,
    build: fn() -> (CameraModel, Box<dyn VendorExtension>),
}

impl ModelEntry {
    /// A fresh model and vendor extension (each camera gets its own state).
    #[must_use]
    pub fn build(&self) -> (CameraModel, Box<dyn VendorExtension>) {
        (self.build)()
    }
}

/// The name of the default model.
pub const DEFAULT_MODEL: &str = "generic";

fn generic() -> (CameraModel, Box<dyn VendorExtension>) {
    (vcam_core::generic::generic(), Box::new(NoVendor))
}

fn mtp() -> (CameraModel, Box<dyn VendorExtension>) {
    (vcam_core::generic::mtp_camera(), Box::new(NoVendor))
}

fn canon_1300d() -> (CameraModel, Box<dyn VendorExtension>) {
    vcam_canon::canon_1300d()
}

fn canon_6d() -> (CameraModel, Box<dyn VendorExtension>) {
    vcam_canon::canon_6d()
}

fn sony_a6300() -> (CameraModel, Box<dyn VendorExtension>) {
    vcam_sony::sony_a6300()
}

fn sony_a6300_mtp() -> (CameraModel, Box<dyn VendorExtension>) {
    vcam_sony::sony_a6300_mtp()
}

fn fuji_xh1() -> (CameraModel, Box<dyn VendorExtension>) {
    // Its USB face; the WiFi face is vcam-fujiwifi's (vcam_fuji::Face).
    vcam_fuji::fuji_xh1(vcam_fuji::Face::Usb)
}

/// Every model, the default first.
pub static MODELS: &[ModelEntry] = &[
    ModelEntry {
        id: "generic",
        summary: "Generic PTP 1.1 still camera (ISO 15740 operations, exposure properties, stream live view)",
        build: generic,
    },
    ModelEntry {
        id: "mtp_camera",
        summary: "MTP camera (VendorExtensionID 6 \"microsoft.com: 1.0; android.com: 1.0;\", object properties, 64-bit partial reads, Microsoft OS descriptor)",
        build: mtp,
    },
    ModelEntry {
        id: "canon_1300d",
        summary: "Canon EOS 1300D / Rebel T6 (EOS extension: GetEvent, remote release, live view; USB 04a9:32b4)",
        build: canon_1300d,
    },
    ModelEntry {
        id: "canon_6d",
        summary: "Canon EOS 6D (EOS extension, built-in WiFi: SSDP/UPnP with --announce; USB 04a9:3250)",
        build: canon_6d,
    },
    ModelEntry {
        id: "sony_a6300",
        summary: "Sony Alpha 6300 / ILCE-6300 in PC Remote mode (SDIO extension: 0x9209 descriptors, S1/S2 capture to 0xFFFFC001, live view at 0xFFFFC002; USB 054c:079c)",
        build: sony_a6300,
    },
    ModelEntry {
        id: "sony_a6300_mtp",
        summary: "Sony Alpha 6300 / ILCE-6300 in MTP mode (the card over MTP; USB 054c:077a)",
        build: sony_a6300_mtp,
    },
    ModelEntry {
        id: "fuji_xh1",
        summary: "Fujifilm X-H1 (Fuji extension: event list 0xD212, remote capture, live view object; USB 04cb:02d7; its WiFi face with vcam-fujiwifi)",
        build: fuji_xh1,
    },
];

/// The model named `id` (case-insensitive; `-` and `_` are the same).
#[must_use]
pub fn find(id: &str) -> Option<&'static ModelEntry> {
    let norm = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    let wanted = norm(id);
    MODELS.iter().find(|m| norm(m.id) == wanted)
}

/// A model name that is not in the registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown model {0:?}; known models: {known}", known = names().join(", "))]
pub struct UnknownModel(pub String);

/// Like [`find`], with an error that lists the known models.
///
/// # Errors
/// [`UnknownModel`] when no model has that name.
pub fn lookup(id: &str) -> Result<&'static ModelEntry, UnknownModel> {
    find(id).ok_or_else(|| UnknownModel(id.to_string()))
}

/// The names of all models, for error messages.
#[must_use]
pub fn names() -> Vec<&'static str> {
    MODELS.iter().map(|m| m.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_builds_and_is_found_by_name() {
        for entry in MODELS {
            let (model, _) = entry.build();
            assert_eq!(model.id, entry.id);
            assert_eq!(find(&entry.id.to_uppercase()).map(|e| e.id), Some(entry.id));
        }
        assert!(find(DEFAULT_MODEL).is_some());
        assert!(find("nonesuch").is_none());
    }

    #[test]
    fn an_unknown_model_lists_the_known_ones() {
        let err = lookup("nikon_d850").map(|e| e.id).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown model \"nikon_d850\"; known models: generic, mtp_camera, canon_1300d, canon_6d, sony_a6300, sony_a6300_mtp, fuji_xh1"
        );
    }
}
