//! Issue 16's rig: the watched card folder as a column of the matrix (`watch`), and the
//! checks of several cameras in one process, recorded sessions and the soak, which run
//! against one `vcam-ptpip` process each (`tests/rig.rs`).
//!
//! - `watch`: while `gphoto2 --wait-event` waits, a file copied into the card folder by
//!   another program shows as the vendor's new-object event, and the file removed again as
//!   its removed-object event ([`Watch`], per model). Rows whose camera runs on this machine
//!   (PTP/IP, the libusb drop-in): the qemu rows serve a folder the guest sees through 9p,
//!   where the host's changes raise no inotify event in the guest; and over Fujifilm WiFi
//!   libgphoto2 reads the event port only once InitiateOpenCapture opened it (`fujiptpip.c`),
//!   so `--wait-event` hears no event there (the X-H1 row shows them over PTP/IP and USB).

use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use crate::card::{self, SAMPLE_FOLDER};
use crate::matrix::{Feature, Model, Target, Transport};

/// What gphoto2 prints for an object another program adds to the card and removes again.
#[derive(Debug, Clone, Copy)]
pub struct Watch {
    /// `--wait-event` text of the added object (`FILEADDED`: gphoto2 names the file).
    pub added: &'static str,
    /// `--wait-event` text of the removed object.
    pub removed: &'static str,
}

/// The standard events (ISO 15740 ObjectAdded / ObjectRemoved).
const STANDARD: Watch = Watch {
    added: "FILEADDED",
    removed: "PTP ObjectRemoved",
};

/// What `model` reports (libgphoto2 `library.c`: `camera_wait_for_event`): EOS bodies their
/// GetEvent records (ObjectAddedEx as FILEADDED, ObjectRemoved), Sony bodies in PC Remote
/// mode their own 0xC201 / 0xC202, everything else the standard events.
#[must_use]
pub fn watch_texts(model: &Model) -> Watch {
    if model.has(Feature::Eos) {
        Watch {
            added: "FILEADDED",
            removed: "ObjectRemoved",
        }
    } else if model.id == "sony_a6300" {
        Watch {
            added: "PTP Event c201",
            removed: "PTP Event c202",
        }
    } else {
        STANDARD
    }
}

/// Whether the `watch` column runs on the pair.
#[must_use]
pub const fn watch_applies(model: &Model, transport: Transport) -> bool {
    // A body that hides its card (Sony in PC Remote mode) has no objects to announce.
    model.card && matches!(transport, Transport::PtpIp | Transport::Libusb)
}

/// The folder files are dropped into: the sample pictures' (gphoto2 `SAMPLE_FOLDER`).
fn drop_folder(t: &Target) -> PathBuf {
    t.card(SAMPLE_FOLDER.trim_start_matches("/store_00010001/"))
}

/// A file copied into the card folder while gphoto2 waits shows as the vendor's new-object
/// event, and as its removed-object event once removed: every second a new file comes and
/// the previous one goes, until gphoto2 has seen both (a file that came before its session
/// opened raises nothing, so none is assumed to be the one).
pub fn watch(t: &Target) {
    let texts = watch_texts(t.model);
    let folder = drop_folder(t);
    let picture = card::read(&t.card("DCIM/100TEST/PIC_0001.JPG"));
    let args = [
        format!("--wait-event={}", texts.added),
        format!("--wait-event={}", texts.removed),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut dropped: Vec<PathBuf> = Vec::new();
    let out = thread::scope(|s| {
        let waiting = s.spawn(|| t.gphoto2_run(&args));
        for i in 0..60 {
            if waiting.is_finished() {
                break;
            }
            thread::sleep(Duration::from_millis(1000));
            if let Some(last) = dropped.last() {
                remove(last);
            }
            let path = folder.join(format!("DROP_{i:03}.JPG"));
            copy_in(&path, &picture);
            dropped.push(path);
        }
        waiting
            .join()
            .unwrap_or_else(|_| panic!("the gphoto2 thread panicked"))
    });
    for path in &dropped {
        if path.exists() {
            remove(path);
        }
    }
    let out = out.stdout_if_ok();
    let added = if texts.added == "FILEADDED" {
        "FILEADDED DROP_"
    } else {
        texts.added
    };
    assert!(out.contains(added), "{added:?} not in\n{out}");
    assert!(
        out.contains(texts.removed),
        "{:?} not in\n{out}",
        texts.removed
    );
    // Everything listed before is still there under the same names.
    let listing = t.gphoto2(&["--folder", SAMPLE_FOLDER, "--list-files"]);
    for f in card::SAMPLE
        .iter()
        .filter(|f| f.path.starts_with("DCIM/100TEST"))
    {
        assert!(
            listing.contains(f.name),
            "{} not listed:\n{listing}",
            f.name
        );
    }
}

/// Copies `data` into the card as another program does: written, then closed.
fn copy_in(path: &Path, data: &[u8]) {
    std::fs::write(path, data).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

fn remove(path: &Path) {
    std::fs::remove_file(path).unwrap_or_else(|e| panic!("removing {}: {e}", path.display()));
}
