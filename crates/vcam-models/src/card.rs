//! The memory card of a camera: a host folder, or the built-in sample card.

use std::fs;
use std::path::Path;

use vcam_core::ptp_types::DateTime;
use vcam_core::render::{self, TestCard};
use vcam_core::{CameraModel, FolderStore, ObjectStore, StoreError};

use crate::BuildError;

/// How many pictures the sample card holds.
const SAMPLE_PICTURES: u32 = 4;
/// Their size in pixels.
const SAMPLE_SIZE: (u32, u32) = (1024, 768);

/// The memory card of a camera of `model`: the folder `fs` (refusing writes when `read_only`),
/// or, without one, the built-in [`sample_card`] (always writable).
///
/// # Errors
/// [`BuildError::Card`] when the folder cannot be opened, [`BuildError::SampleCard`] when the
/// sample card cannot be written.
pub fn open_card(
    model: &CameraModel,
    fs: Option<&Path>,
    read_only: bool,
) -> Result<Box<dyn ObjectStore>, BuildError> {
    let store = match fs {
        Some(dir) => FolderStore::open(dir, read_only),
        None => sample_card(model),
    };
    match (store, fs) {
        (Ok(store), _) => Ok(Box::new(store)),
        (Err(source), Some(path)) => Err(BuildError::Card {
            path: path.to_path_buf(),
            source,
        }),
        (Err(source), None) => Err(BuildError::SampleCard(source)),
    }
}

/// The built-in sample card of a `model` camera: a temporary folder, removed when the store is
/// dropped, holding `DCIM/<capture folder>/<capture prefix>0001.JPG` to `...0004.JPG`, test
/// cards rendered with the model's make and model (also in their EXIF).
///
/// # Errors
/// When the temporary folder cannot be written.
pub fn sample_card(model: &CameraModel) -> Result<FolderStore, StoreError> {
    let make = model.device_info.manufacturer.as_str();
    let name = model.device_info.model.as_str();
    let dir = tempfile::Builder::new()
        .prefix("vcam-card-")
        .tempdir()
        .map_err(|e| StoreError::io("creating the sample card", &e))?;
    let dcim = dir.path().join("DCIM").join(&model.capture_folder);
    fs::create_dir_all(&dcim).map_err(|e| StoreError::io("creating the sample card", &e))?;
    let time: Option<DateTime> = "20260101T120000".parse().ok();
    for i in 1..=SAMPLE_PICTURES {
        let file = format!("{}{i:04}.JPG", model.capture_prefix);
        let lines = vec![
            name.to_string(),
            format!("sample {file}"),
            "vcam built-in card".to_string(),
        ];
        let card = TestCard {
            width: SAMPLE_SIZE.0,
            height: SAMPLE_SIZE.1,
            lines: &lines,
            seed: u64::from(i) * 11,
            make,
            model: name,
            time,
        };
        let jpeg = render::test_card_jpeg(&card).map_err(|e| StoreError::Io(e.to_string()))?;
        fs::write(dcim.join(&file), &jpeg)
            .map_err(|e| StoreError::io("writing the sample card", &e))?;
    }
    FolderStore::from_temp_dir(dir, false)
}

#[cfg(test)]
mod tests {
    use vcam_core::store::{CARD_STORAGE_ID, FormatFilter, ParentFilter};

    use super::*;

    #[test]
    fn the_sample_card_holds_four_pictures_and_goes_away_with_the_store() {
        let (model, _) = crate::lookup("canon_1300d").unwrap().build();
        let mut card = sample_card(&model).unwrap();
        let root = card.root().to_path_buf();
        let pictures = card
            .object_handles(CARD_STORAGE_ID, FormatFilter::Images, ParentFilter::Any)
            .unwrap();
        let names: Vec<String> = pictures
            .iter()
            .map(|&h| card.object_info(h).unwrap().filename.to_string())
            .collect();
        let first = format!("{}0001.JPG", model.capture_prefix);
        assert_eq!(names.len(), 4);
        assert_eq!(names[0], first);
        assert!(
            root.join("DCIM")
                .join(&model.capture_folder)
                .join(&first)
                .is_file()
        );
        drop(card);
        assert!(!root.exists(), "the sample card's folder is removed");
    }
}
