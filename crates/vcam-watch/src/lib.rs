//! The card folder of a vcam camera, watched: files and folders another program drops into
//! or removes from it reach the camera as [`CardChange`]s, which it reports to its initiator
//! as the vendor's ObjectAdded / ObjectRemoved events ([`vcam_core::watch`]).
//!
//! The host's change notifications (inotify on Linux) come through the `notify` crate, whose
//! own thread does no more than turn each into a [`CardChange`] and push it into the camera's
//! [`CardFeed`]; the camera carries the change out on its transport's thread, at the
//! transport's next turn, so the core stays sans-IO and no lock of the camera is ever taken
//! here.
//!
//! | what the kernel says | change |
//! |---|---|
//! | a file closed after writing (`cp`, an editor, a download) | `Added` |
//! | a link created (`ln`, `ln -s`) | `Added` |
//! | a folder created | `Added`, then `Added` for what is in it already |
//! | a name moved in (`mv`, `rsync`'s rename) | `Added` (and what is inside a folder) |
//! | a name deleted or moved out | `Removed` |
//!
//! A file is announced when it is complete (closed), not when it is created empty. Changes
//! the camera made itself (captures, uploads, deletions) come back here too and are
//! recognised by the store, which reports nothing for what it already knows.
//!
//! ```
//! use vcam_core::{FolderStore, NoVendor, Responder, SyntheticFrames, generic};
//!
//! let card = tempfile::tempdir()?;
//! let mut camera = Responder::new(
//!     generic::generic(),
//!     Box::new(NoVendor),
//!     Box::new(FolderStore::open(card.path(), false)?),
//!     Box::new(SyntheticFrames::default()),
//! );
//! vcam_watch::watch(&mut camera, card.path())?;
//! // ... hand `camera` to a transport; the watcher stops when the camera is dropped
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use vcam_core::Responder;
use vcam_core::watch::{CardChange, CardFeed};

/// Deepest folder nesting scanned below a folder that appeared.
const MAX_SCAN_DEPTH: usize = 64;

/// Why a folder cannot be watched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WatchError {
    /// The folder cannot be resolved.
    #[error("card folder {}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
    /// The host refuses to watch it (inotify's limits: `fs.inotify.max_user_watches`,
    /// `max_user_instances`).
    #[error("watching {}", path.display())]
    Notify {
        /// The folder.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: notify::Error,
    },
}

/// A watch on one card folder, feeding one camera; the watch ends when it is dropped.
#[derive(Debug)]
pub struct CardWatcher {
    _watcher: RecommendedWatcher,
    root: PathBuf,
}

impl CardWatcher {
    /// Watches `root` and everything below it, pushing each change into `feed`.
    ///
    /// # Errors
    /// The folder cannot be resolved or watched.
    pub fn start(root: &Path, feed: CardFeed) -> Result<Self, WatchError> {
        // The store reports paths under its canonical root: watch that one.
        let root = fs::canonicalize(root).map_err(|source| WatchError::Folder {
            path: root.to_path_buf(),
            source,
        })?;
        let handler = move |event: notify::Result<Event>| match event {
            Ok(event) => {
                for change in changes(&event) {
                    feed.push(change);
                }
            }
            Err(e) => tracing::warn!(%e, "card folder watch"),
        };
        let notify_error = |source| WatchError::Notify {
            path: root.clone(),
            source,
        };
        let mut watcher = notify::recommended_watcher(handler).map_err(notify_error)?;
        watcher
            .watch(&root, RecursiveMode::Recursive)
            .map_err(notify_error)?;
        tracing::info!(root = %root.display(), "watching the card folder");
        Ok(Self {
            _watcher: watcher,
            root,
        })
    }

    /// The folder watched (canonical).
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// Watches `root`, the folder `camera`'s card is served from, for as long as the camera lives
/// ([`Responder::card_feed`], [`Responder::keep_card_watcher`]).
///
/// # Errors
/// The folder cannot be resolved or watched.
pub fn watch(camera: &mut Responder, root: &Path) -> Result<(), WatchError> {
    let watcher = CardWatcher::start(root, camera.card_feed())?;
    camera.keep_card_watcher(Box::new(watcher));
    Ok(())
}

/// The card changes one notification stands for.
#[must_use]
pub fn changes(event: &Event) -> Vec<CardChange> {
    let mut out = Vec::new();
    let paths = &event.paths;
    match event.kind {
        EventKind::Create(CreateKind::Folder) => {
            for path in paths {
                appeared(path, &mut out);
            }
        }
        // A file created empty is announced once closed; a link is complete at once.
        EventKind::Create(_) => {
            for path in paths {
                if fs::symlink_metadata(path)
                    .is_ok_and(|m| m.file_type().is_symlink() || is_hard_link(&m))
                {
                    out.push(CardChange::Added(path.clone()));
                }
            }
        }
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
            out.extend(paths.iter().cloned().map(CardChange::Added));
        }
        EventKind::Modify(ModifyKind::Name(mode)) => match (mode, paths.as_slice()) {
            (RenameMode::Both, [from, to]) => {
                out.push(CardChange::Removed(from.clone()));
                appeared(to, &mut out);
            }
            (RenameMode::From, _) => out.extend(paths.iter().cloned().map(CardChange::Removed)),
            (RenameMode::To, _) => {
                for path in paths {
                    appeared(path, &mut out);
                }
            }
            _ => {
                for path in paths {
                    if fs::symlink_metadata(path).is_ok() {
                        appeared(path, &mut out);
                    } else {
                        out.push(CardChange::Removed(path.clone()));
                    }
                }
            }
        },
        EventKind::Remove(_) => out.extend(paths.iter().cloned().map(CardChange::Removed)),
        _ => {}
    }
    out
}

/// Whether a file has other names (a hard link was made: no write follows).
fn is_hard_link(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.is_file() && meta.nlink() > 1
}

/// `path` appeared: it, and when it is a folder everything already in it (what was made
/// there before the watch on the new folder began is never notified).
fn appeared(path: &Path, out: &mut Vec<CardChange>) {
    out.push(CardChange::Added(path.to_path_buf()));
    scan(path, 0, out);
}

fn scan(dir: &Path, depth: usize, out: &mut Vec<CardChange>) {
    if depth > MAX_SCAN_DEPTH || !fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        out.push(CardChange::Added(path.clone()));
        scan(&path, depth + 1, out);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::time::{Duration, Instant};

    use vcam_core::{FolderStore, NoVendor, SyntheticFrames, generic};

    use super::*;

    /// How many changes wait in the feed once `want` have arrived (or ten seconds passed);
    /// the camera then carries them out.
    fn seen(feed: &CardFeed, camera: &mut Responder, want: usize) -> usize {
        let end = Instant::now() + Duration::from_secs(10);
        while feed.len() < want && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(10));
        }
        let n = feed.len();
        camera.handle_timeout(std::time::SystemTime::now());
        n
    }

    #[test]
    fn changes_made_by_other_programs_reach_the_feed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let store = FolderStore::open(&root, false).unwrap();
        let mut camera = Responder::new(
            generic::generic(),
            Box::new(NoVendor),
            Box::new(store),
            Box::new(SyntheticFrames::default()),
        );
        let feed = camera.card_feed();
        watch(&mut camera, &root).unwrap();
        fs::write(root.join("A.JPG"), b"a").unwrap();
        assert!(seen(&feed, &mut camera, 1) >= 1);
        fs::create_dir(root.join("DCIM")).unwrap();
        fs::write(root.join("DCIM/B.JPG"), b"b").unwrap();
        assert!(seen(&feed, &mut camera, 2) >= 2);
        fs::remove_file(root.join("A.JPG")).unwrap();
        assert!(seen(&feed, &mut camera, 1) >= 1);
        drop(camera);
    }

    #[test]
    fn a_folder_moved_in_brings_its_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("in/sub")).unwrap();
        fs::write(dir.path().join("in/sub/X.JPG"), b"x").unwrap();
        let mut out = Vec::new();
        appeared(&dir.path().join("in"), &mut out);
        assert_eq!(
            out,
            [
                CardChange::Added(dir.path().join("in")),
                CardChange::Added(dir.path().join("in/sub")),
                CardChange::Added(dir.path().join("in/sub/X.JPG")),
            ]
        );
    }
}
