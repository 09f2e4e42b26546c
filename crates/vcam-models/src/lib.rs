//! The registry of camera models: every body vcam can be, by the name used on command lines
//! and in `VCAM_MODELS`. Each entry pairs a [`CameraModel`] (data) with the
//! [`VendorExtension`] that gives it its vendor behaviour.

use std::path::Path;

use vcam_core::{CameraModel, FolderStore, NoVendor, ObjectStore, StoreError, VendorExtension};

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

/// Every model, the default first.
pub static MODELS: &[ModelEntry] = &[
    ModelEntry {
        id: "generic",
        summary: "Generic PTP 1.1 still camera (ISO 15740 operations, exposure properties, stream live view)",
        build: generic,
    },
    ModelEntry {
        id: "mtp_camera",
        summary: "MTP camera (VendorExtensionID 6 \"microsoft.com: 1.0\", object properties, Microsoft OS descriptor)",
        build: mtp,
    },
    ModelEntry {
        id: "canon_1300d",
        summary: "Canon EOS 1300D / Rebel T6 (EOS extension: GetEvent, remote release, live view; USB 04a9:32b4)",
        build: canon_1300d,
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownModel(pub String);

impl std::fmt::Display for UnknownModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown model {:?}; known models: {}",
            self.0,
            names().join(", ")
        )
    }
}

impl std::error::Error for UnknownModel {}

/// Like [`find`], with an error that lists the known models.
///
/// # Errors
/// [`UnknownModel`] when no model has that name.
pub fn lookup(id: &str) -> Result<&'static ModelEntry, UnknownModel> {
    find(id).ok_or_else(|| UnknownModel(id.to_string()))
}

/// The memory card of a camera of `model`: the folder `fs` (refusing writes when `read_only`),
/// or, without one, a built-in sample card in a temporary folder (always writable).
///
/// # Errors
/// The folder cannot be opened, or the sample card cannot be written.
pub fn open_card(
    model: &CameraModel,
    fs: Option<&Path>,
    read_only: bool,
) -> Result<Box<dyn ObjectStore>, StoreError> {
    Ok(match fs {
        Some(dir) => Box::new(FolderStore::open(dir, read_only)?),
        None => Box::new(FolderStore::sample_card(
            model.device_info.manufacturer.as_str(),
            model.device_info.model.as_str(),
            &model.capture_folder,
            &model.capture_prefix,
        )?),
    })
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
}
