//! Memory cards for the tests: folders served with `--fs` / `VCAM_FS`, and checks of what
//! clients saved.

use std::path::{Path, PathBuf};

use crate::tools::{create_dir, tempdir};

/// One file of the sample card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleFile {
    /// Its name, as clients show and save it.
    pub name: &'static str,
    /// Its path on the card.
    pub path: &'static str,
}

/// The sample card: a JPEG and a PNG, a 5 MB movie (several data chunks on every transport)
/// and a text file outside the picture folder. Files in `DCIM/100TEST` are numbered by name in
/// gphoto2's folder listing: 1 MOVIE.MOV, 2 PIC_0001.JPG, 3 PIC_0002.PNG.
pub const SAMPLE: &[SampleFile] = &[
    SampleFile {
        name: "PIC_0001.JPG",
        path: "DCIM/100TEST/PIC_0001.JPG",
    },
    SampleFile {
        name: "PIC_0002.PNG",
        path: "DCIM/100TEST/PIC_0002.PNG",
    },
    SampleFile {
        name: "MOVIE.MOV",
        path: "DCIM/100TEST/MOVIE.MOV",
    },
    SampleFile {
        name: "NOTES.TXT",
        path: "DCIM/NOTES.TXT",
    },
];

/// The gphoto2 folder of the sample card's pictures.
pub const SAMPLE_FOLDER: &str = "/store_00010001/DCIM/100TEST";

/// Size of the sample movie.
const MOVIE_LEN: u32 = 5_000_000;

/// `len` bytes of a pattern that differs from `seed` to `seed` and never repeats in a
/// power-of-two period (so a misplaced chunk shows).
#[must_use]
pub fn pattern(len: u32, seed: u32) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_add(seed).wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect()
}

/// Writes the [`SAMPLE`] card into `dir`.
pub fn write_sample(dir: &Path) {
    let dcim = dir.join("DCIM/100TEST");
    create_dir(&dcim);
    let img = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    for name in ["PIC_0001.JPG", "PIC_0002.PNG"] {
        img.save(dcim.join(name))
            .unwrap_or_else(|e| panic!("writing {name}: {e}"));
    }
    write(&dcim.join("MOVIE.MOV"), &pattern(MOVIE_LEN, 0));
    write(&dir.join("DCIM/NOTES.TXT"), b"vcam test card\n");
}

/// A temporary folder holding the [`SAMPLE`] card.
#[must_use]
pub fn sample() -> tempfile::TempDir {
    let dir = tempdir();
    write_sample(dir.path());
    dir
}

/// A card of `count` sparse 1 MiB pictures in one folder `folder` (DCF-style 8.3 names
/// `IMG00000.JPG` ..., as the EOS listing's 13-byte name field expects), in memory where the
/// machine allows ([`crate::tools::memory_tempdir`]): no disk used, every file opened and
/// read as far as its header as on a real card.
#[must_use]
pub fn sparse_pictures(folder: &str, count: usize) -> tempfile::TempDir {
    let dir = crate::tools::memory_tempdir();
    let folder = dir.path().join(folder);
    create_dir(&folder);
    for i in 0..count {
        let path = folder.join(format!("IMG{i:05}.JPG"));
        std::fs::File::create(&path)
            .and_then(|f| f.set_len(1 << 20))
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
    dir
}

/// Writes `bytes` to `path`; fails the test when it cannot.
pub fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// The bytes of `path`; fails the test when it cannot be read.
#[must_use]
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Every file under `dir`, recursively, sorted (an empty list when `dir` does not exist).
#[must_use]
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The first file called `name` under `root`.
#[must_use]
pub fn find(root: &Path, name: &str) -> Option<PathBuf> {
    files_under(root)
        .into_iter()
        .find(|p| p.file_name().is_some_and(|n| n == name))
}

/// Decodes the JPEG at `path` and returns its size; fails the test when it is not one.
#[must_use]
pub fn jpeg_size(path: &Path) -> (u32, u32) {
    let bytes = read(path);
    assert!(
        bytes.starts_with(&[0xFF, 0xD8]),
        "{} is not a JPEG",
        path.display()
    );
    let img = image::load_from_memory(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (img.width(), img.height())
}

/// How many JPEG frames a Motion JPEG file holds (start-of-image markers).
#[must_use]
pub fn mjpeg_frames(bytes: &[u8]) -> usize {
    bytes
        .windows(3)
        .filter(|w| w == &[0xFF, 0xD8, 0xFF])
        .count()
}
