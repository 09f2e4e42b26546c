//! [`FolderStore`] told of changes another program made to its folder ([`crate::watch`]).
//!
//! A path that appeared gets a handle as a listing would give it (same visibility rules:
//! no names starting with a dot, links only to files inside the root), attached to its
//! folder's children, so a later listing finds it under the same handle; its folders on the
//! way get handles too, silently (they were there before, or were reported themselves). Only
//! a handle given now is reported: a path the store already has (its own capture or upload, a
//! folder listed since) is not new to the initiator. A path that went is forgotten with
//! everything below it, once the disk confirms it is gone (a file removed and written again
//! keeps its handle), and every handle forgotten is reported, deepest first.

use std::fs;
use std::path::{Component, Path};

use ptp_types::ObjectHandle;

use super::FolderStore;
use super::files::shown_kind;
use super::tree::ROOT;
use crate::watch::Noticed;

impl FolderStore {
    /// The names of `path` below the root, if it is inside the root and every name is one the
    /// store shows (UTF-8, not hidden).
    fn names_below_root<'a>(&self, path: &'a Path) -> Option<Vec<&'a str>> {
        let below = path.strip_prefix(&self.root).ok()?;
        let mut names = Vec::new();
        for component in below.components() {
            let Component::Normal(name) = component else {
                return None;
            };
            let name = name.to_str()?;
            if name.starts_with('.') {
                return None;
            }
            names.push(name);
        }
        (!names.is_empty()).then_some(names)
    }

    /// What is at `path` on disk now, as a listing would show it: `Some(is_dir)`, or `None`
    /// for nothing (or nothing shown).
    fn shown_at(&self, path: &Path) -> Option<bool> {
        use rustix::fs::FileType;
        let kind = fs::symlink_metadata(path).ok()?.file_type();
        let kind = if kind.is_symlink() {
            FileType::Symlink
        } else if kind.is_dir() {
            FileType::Directory
        } else if kind.is_file() {
            FileType::RegularFile
        } else {
            return None;
        };
        shown_kind(&self.root, kind, path)
    }

    /// `path` appeared on the host.
    pub(super) fn notice_added(&mut self, path: &Path) -> Option<Noticed> {
        let names = self.names_below_root(path)?;
        let mut dir = ROOT;
        let mut here = self.root.clone();
        let last = names.len() - 1;
        for (i, name) in names.into_iter().enumerate() {
            here.push(name);
            let is_dir = self.shown_at(&here)?;
            if i < last && !is_dir {
                return None;
            }
            if let Some(id) = self.tree.lookup(dir, name)
                && (self.tree.get(id).is_none() || self.tree.is_dir(id) == is_dir)
            {
                // Known (or promised to an upload): not new to the initiator.
                if i == last {
                    return None;
                }
                dir = id;
                continue;
            }
            let id = self.register(dir, name, is_dir);
            self.tree.attach(dir, id);
            if i == last {
                tracing::debug!(path = %path.display(), handle = id, "new on the card");
                return Some(Noticed::Added(ObjectHandle(id)));
            }
            dir = id;
        }
        None
    }

    /// `path` went away on the host.
    pub(super) fn notice_removed(&mut self, path: &Path) -> Vec<Noticed> {
        let Some(names) = self.names_below_root(path) else {
            return Vec::new();
        };
        let mut parent = ROOT;
        let mut id = ROOT;
        for name in names {
            parent = id;
            match self.tree.lookup(parent, name) {
                Some(found) if self.tree.get(found).is_some() => id = found,
                _ => return Vec::new(),
            }
        }
        if self.shown_at(path) == Some(self.tree.is_dir(id)) {
            // Back already, as the same kind of entry: the same object.
            return Vec::new();
        }
        self.tree.detach(parent, id);
        let gone = self.tree.forget(id);
        self.dropped(&gone);
        tracing::debug!(path = %path.display(), handles = ?gone, "gone from the card");
        gone.into_iter()
            .rev()
            .map(|h| Noticed::Removed(ObjectHandle(h)))
            .collect()
    }
}
