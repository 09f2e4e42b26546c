//! [`HandleTree`]: which ObjectHandle names which file, with no file system access.
//!
//! The tree knows what the [`FolderStore`](super::FolderStore) has seen of its folder: one node
//! per listed entry (parent folder, name, folder or file), the children of each listed folder
//! in name order, and the handles promised by SendObjectInfo whose file does not exist yet. A
//! name keeps its handle for as long as it stays in its folder as the same kind of entry;
//! handles are never reused.
//!
//! Memory is what limits a card of a hundred thousand files, so an object costs about 30
//! bytes: a 12-byte node in a table indexed by handle, its name once in one shared buffer,
//! and its handle in its folder's list of children, which is kept in name order so a name is
//! found by binary search. Nothing else is kept per object.
//!
//! # Names a PTP string cannot carry
//!
//! A PTP string holds at most 254 UTF-16 units and its NUL (ISO 15740:2013 §5.4.4: the count
//! byte includes the terminator and is at most 255). Linux names go up to 255 bytes, so a
//! 255-character ASCII name is the one kind that does not fit. Cutting it to 254 would lose
//! its extension and could repeat a neighbour's name; a real body on a FAT or exFAT card
//! shows such a file under its short alias instead, made by the FAT rule (Microsoft FAT32
//! File System Specification, "Short name generation": the start of the name, a numeric tail
//! `~N`, the extension; the first N that no other entry of the folder uses). vcam does the
//! same within the PTP limit: the start of the name, `~N`, and the extension, at most 254
//! units, unique among the names and aliases of the folder. The alias is given when the file
//! is first listed and kept while it stays; the file on the host keeps its name.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ptp_types::ptp_codec::MAX_STRING_UNITS;

/// The parent number of objects in the root of the card.
pub(super) const ROOT: u32 = 0;

/// Deepest folder nesting [`HandleTree::path_of`] follows.
const MAX_DEPTH: usize = 4096;

/// Longest extension an alias keeps (with its dot), in characters.
const MAX_ALIAS_EXTENSION: usize = 16;

/// One file or folder the store has listed, as the store sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Node {
    /// The folder it is in ([`ROOT`] or a folder's handle).
    pub(super) parent: u32,
    /// Whether it is a folder.
    pub(super) is_dir: bool,
}

/// A node as stored: its name is `len` bytes of [`HandleTree::names`] from `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    at: u32,
    parent: u32,
    len: u8,
    is_dir: bool,
}

/// The `parent` of a slot with no node (a forgotten object, a promised handle).
const FREE: u32 = u32::MAX;

impl Slot {
    const EMPTY: Self = Self {
        at: 0,
        parent: FREE,
        len: 0,
        is_dir: false,
    };
}

/// Handles of the files and folders of a card, and the tree they form.
#[derive(Debug)]
pub(super) struct HandleTree {
    /// Slot `h - 1` describes handle `h`.
    slots: Vec<Slot>,
    /// Every node's name, one after the other (names are at most 255 bytes, as on Linux).
    names: String,
    /// Bytes of `names` no node uses any more; the buffer is compacted when they dominate.
    garbage: usize,
    /// The children of each listed folder ([`ROOT`] included), sorted by name.
    children: HashMap<u32, Vec<u32>>,
    /// Nodes made in folders not listed yet (a capture into a new folder), by folder: the
    /// folder's first listing finds them again.
    loose: HashMap<u32, Vec<u32>>,
    /// The names shown for nodes whose own name does not fit a PTP string.
    aliases: HashMap<u32, Box<str>>,
    /// Handles promised by SendObjectInfo whose file does not exist yet.
    reserved: HashMap<u32, (u32, Box<str>)>,
}

/// What a listing of a folder found, built by [`HandleTree::listing`].
#[derive(Debug, Default)]
pub(super) struct Found {
    /// One bit per child the folder had: set when the entry is still there.
    kept: Vec<u64>,
    /// Entries the folder did not have: where the name is in `names`, its length, whether it
    /// is a folder.
    fresh: Vec<(u32, u8, bool)>,
    /// The names of the fresh entries.
    names: String,
}

impl HandleTree {
    /// An empty tree: nothing listed, the first handle is 1.
    pub(super) fn new() -> Self {
        Self {
            slots: Vec::new(),
            names: String::new(),
            garbage: 0,
            children: HashMap::new(),
            loose: HashMap::new(),
            aliases: HashMap::new(),
            reserved: HashMap::new(),
        }
    }

    /// The number of files and folders with a handle (reservations not counted).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.parent != FREE).count()
    }

    /// How many handles were ever given: more than the objects known.
    pub(super) fn handles_given(&self) -> usize {
        self.slots.len()
    }

    fn slot(&self, id: u32) -> Option<&Slot> {
        let index = usize::try_from(id).ok()?.checked_sub(1)?;
        self.slots.get(index).filter(|s| s.parent != FREE)
    }

    /// The node of a handle.
    pub(super) fn get(&self, id: u32) -> Option<Node> {
        self.slot(id).map(|s| Node {
            parent: s.parent,
            is_dir: s.is_dir,
        })
    }

    /// The name of a node on the host ("" for no node).
    pub(super) fn name(&self, id: u32) -> &str {
        self.slot(id).map_or("", |s| {
            let at = s.at as usize;
            self.names
                .get(at..at + usize::from(s.len))
                .unwrap_or_default()
        })
    }

    /// Whether `id` is a listed folder.
    pub(super) fn is_dir(&self, id: u32) -> bool {
        self.slot(id).is_some_and(|s| s.is_dir)
    }

    /// Whether the folder `dir` has been listed.
    pub(super) fn is_listed(&self, dir: u32) -> bool {
        self.children.contains_key(&dir)
    }

    /// The children of a listed folder, in name order.
    pub(super) fn children(&self, dir: u32) -> &[u32] {
        self.children.get(&dir).map_or(&[], Vec::as_slice)
    }

    /// The name the initiator sees: the node's name, or its alias when the name does not fit a
    /// PTP string (see the [module documentation](self)).
    pub(super) fn shown_name(&self, id: u32) -> Option<&str> {
        if let Some(alias) = self.aliases.get(&id) {
            return Some(alias);
        }
        self.slot(id).map(|_| self.name(id))
    }

    /// Where `name` is, or would go, among the sorted children of `dir`.
    fn position(&self, dir: u32, name: &str) -> Result<usize, usize> {
        self.children(dir)
            .binary_search_by(|&c| self.name(c).cmp(name))
    }

    /// Stores a name in the shared buffer; returns where. Names longer than 255 bytes (which
    /// Linux does not make) are cut at a character boundary.
    fn store_name(&mut self, name: &str) -> (u32, u8) {
        let mut end = name.len().min(255);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        let at = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push_str(name.get(..end).unwrap_or_default());
        (at, u8::try_from(end).unwrap_or(u8::MAX))
    }

    /// Makes a node for `id` (a new handle or a promised one).
    fn put(&mut self, id: u32, parent: u32, name: &str, is_dir: bool) {
        let (at, len) = self.store_name(name);
        let Some(index) = usize::try_from(id).ok().and_then(|i| i.checked_sub(1)) else {
            return;
        };
        if self.slots.len() <= index {
            self.slots.resize(index + 1, Slot::EMPTY);
        }
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Slot {
                at,
                parent,
                len,
                is_dir,
            };
        }
    }

    /// Frees the slot of `id`, counting its name as garbage.
    fn free(&mut self, id: u32) -> bool {
        let Some(index) = usize::try_from(id).ok().and_then(|i| i.checked_sub(1)) else {
            return false;
        };
        match self.slots.get_mut(index) {
            Some(slot) if slot.parent != FREE => {
                self.garbage += usize::from(slot.len);
                *slot = Slot::EMPTY;
                true
            }
            _ => false,
        }
    }

    /// Rewrites the names buffer without the names no node uses, when those are most of it.
    fn compact(&mut self) {
        if self.garbage < 64 * 1024 || self.garbage < self.names.len() / 2 {
            return;
        }
        let mut names = String::with_capacity(self.names.len() - self.garbage);
        for slot in self.slots.iter_mut().filter(|s| s.parent != FREE) {
            let at = slot.at as usize;
            let name = self
                .names
                .get(at..at + usize::from(slot.len))
                .unwrap_or_default();
            slot.at = u32::try_from(names.len()).unwrap_or(u32::MAX);
            names.push_str(name);
        }
        self.names = names;
        self.garbage = 0;
    }

    /// The handle of `name` in the folder `parent`, if it has one or is promised one.
    pub(super) fn lookup(&self, parent: u32, name: &str) -> Option<u32> {
        if let Ok(i) = self.position(parent, name) {
            return self.children(parent).get(i).copied();
        }
        if let Some(&id) = self
            .loose
            .get(&parent)
            .and_then(|l| l.iter().find(|&&c| self.name(c) == name))
        {
            return Some(id);
        }
        self.reserved
            .iter()
            .find(|(_, (dir, n))| *dir == parent && &**n == name)
            .map(|(&id, _)| id)
    }

    /// Whether the initiator would see `name` twice if it were added to `parent`: a node, a
    /// promise or an alias of the folder has it.
    pub(super) fn name_taken(&self, parent: u32, name: &str) -> bool {
        self.lookup(parent, name).is_some()
            || self
                .children(parent)
                .iter()
                .any(|c| self.aliases.get(c).is_some_and(|a| &**a == name))
    }

    /// The path of `id` ([`ROOT`] or a node) below `root`; `None` for an unknown handle.
    pub(super) fn path_of(&self, root: &Path, id: u32) -> Option<PathBuf> {
        let mut ids = Vec::new();
        let mut cur = id;
        while cur != ROOT {
            ids.push(cur);
            cur = self.slot(cur)?.parent;
            if ids.len() > MAX_DEPTH {
                return None;
            }
        }
        let mut path = root.to_path_buf();
        path.extend(ids.iter().rev().map(|&id| self.name(id)));
        Some(path)
    }

    /// Whether `dir` is `ancestor` or lies below it.
    pub(super) fn is_within(&self, dir: u32, ancestor: u32) -> bool {
        let mut cur = dir;
        for _ in 0..=MAX_DEPTH {
            if cur == ROOT {
                return false;
            }
            if cur == ancestor {
                return true;
            }
            cur = self.slot(cur).map_or(ROOT, |s| s.parent);
        }
        false
    }

    /// Adds the node `id` to the children of `parent`, in name order, if `parent` has been
    /// listed (else to the nodes its first listing will find); gives it an alias when its name
    /// needs one.
    pub(super) fn attach(&mut self, parent: u32, id: u32) {
        if self.slot(id).is_none() {
            return;
        }
        if !self.is_listed(parent) {
            let loose = self.loose.entry(parent).or_default();
            if !loose.contains(&id) {
                loose.push(id);
            }
            return;
        }
        let Err(at) = self.position(parent, self.name(id)) else {
            return;
        };
        if let Some(list) = self.children.get_mut(&parent) {
            list.insert(at, id);
            self.give_alias(parent, id);
        }
    }

    /// Removes `id` from the children of `parent`.
    pub(super) fn detach(&mut self, parent: u32, id: u32) {
        let at = self.position(parent, self.name(id));
        if let (Ok(at), Some(list)) = (at, self.children.get_mut(&parent))
            && list.get(at) == Some(&id)
        {
            list.remove(at);
        } else if let Some(list) = self.children.get_mut(&parent) {
            list.retain(|&c| c != id);
        }
        if let Some(loose) = self.loose.get_mut(&parent) {
            loose.retain(|&c| c != id);
        }
        self.aliases.remove(&id);
    }

    /// Drops `id` and everything below it; returns every handle dropped. The caller detaches
    /// `id` from its folder first.
    pub(super) fn forget(&mut self, id: u32) -> Vec<u32> {
        let mut forgotten = Vec::new();
        self.forget_into(id, &mut forgotten);
        self.compact();
        forgotten
    }

    fn forget_into(&mut self, id: u32, forgotten: &mut Vec<u32>) {
        if self.free(id) {
            self.aliases.remove(&id);
            forgotten.push(id);
            let children = self.children.remove(&id).unwrap_or_default();
            let loose = self.loose.remove(&id).unwrap_or_default();
            for child in children.into_iter().chain(loose) {
                self.forget_into(child, forgotten);
            }
        }
    }

    /// The handle of `name` in `parent`, found or newly allocated (a promise of that name
    /// becomes a node; an entry of the other kind is forgotten and the name gets a new
    /// handle). Returns the handle and the handles forgotten. The caller attaches it.
    pub(super) fn register(&mut self, parent: u32, name: &str, is_dir: bool) -> (u32, Vec<u32>) {
        let mut forgotten = Vec::new();
        if let Some(id) = self.lookup(parent, name) {
            if let Some((dir, n)) = self.reserved.remove(&id) {
                self.put(id, dir, &n, is_dir);
                return (id, forgotten);
            }
            if self.is_dir(id) == is_dir {
                return (id, forgotten);
            }
            self.detach(parent, id);
            self.forget_into(id, &mut forgotten);
        }
        let id = self.allocate();
        self.put(id, parent, name, is_dir);
        (id, forgotten)
    }

    /// A new handle, never given before. Its slot stays free until a node is put there.
    fn allocate(&mut self) -> u32 {
        self.slots.push(Slot::EMPTY);
        u32::try_from(self.slots.len()).unwrap_or(u32::MAX - 1)
    }

    /// Sorts one directory entry of a listing of `dir` into what is still there and what is
    /// new: `name` is kept with its handle when `dir` has a node of that name and kind.
    pub(super) fn listing(&self, dir: u32, found: &mut Found, name: &str, is_dir: bool) {
        if let Ok(at) = self.position(dir, name)
            && let Some(&id) = self.children(dir).get(at)
            && self.is_dir(id) == is_dir
            && let Some(word) = found.kept.get_mut(at / 64)
        {
            *word |= 1 << (at % 64);
        } else if let (Ok(at), Ok(len)) =
            (u32::try_from(found.names.len()), u8::try_from(name.len()))
        {
            found.names.push_str(name);
            found.fresh.push((at, len, is_dir));
        }
    }

    /// What a new listing of `dir` starts from: nothing found yet of what it had.
    pub(super) fn found_for(&self, dir: u32) -> Found {
        Found {
            kept: vec![0; self.children(dir).len().div_ceil(64)],
            ..Found::default()
        }
    }

    /// Records what a listing of `dir` found ([`HandleTree::listing`]): the folder's children
    /// ([`HandleTree::children`]) become what was found, in name order. Returns the handles
    /// dropped because their entry is gone (or became the other kind of entry). An unchanged
    /// folder is relisted without allocating more than a bit per child.
    pub(super) fn relist(&mut self, dir: u32, found: Found) -> Vec<u32> {
        let Found {
            kept,
            mut fresh,
            names,
        } = found;
        let fresh_name = |&(at, len, _): &(u32, u8, bool)| {
            let at = at as usize;
            names.get(at..at + usize::from(len)).unwrap_or_default()
        };
        let mut old = self.children.remove(&dir).unwrap_or_default();
        let still = |i: usize| kept.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0);
        let mut forgotten = Vec::new();
        for (i, &id) in old.iter().enumerate() {
            if !still(i) {
                self.forget_into(id, &mut forgotten);
            }
        }
        // What is still there keeps its place (the list is reused when nothing went).
        if !forgotten.is_empty() {
            let mut i = 0;
            old.retain(|_| {
                i += 1;
                still(i - 1)
            });
        }
        let kept = old;
        fresh.sort_unstable_by(|a, b| fresh_name(a).cmp(fresh_name(b)));
        fresh.dedup_by(|a, b| fresh_name(a) == fresh_name(b));
        let mut loose = self.loose.remove(&dir).unwrap_or_default();
        let mut added = Vec::with_capacity(fresh.len());
        for entry in &fresh {
            let (name, is_dir) = (fresh_name(entry), entry.2);
            if let Some(at) = loose
                .iter()
                .position(|&c| self.name(c) == name && self.is_dir(c) == is_dir)
            {
                added.push(loose.swap_remove(at));
                continue;
            }
            let promised = self
                .reserved
                .iter()
                .find(|(_, (d, n))| *d == dir && &**n == name)
                .map(|(&id, _)| id);
            let id = match promised {
                Some(id) => {
                    self.reserved.remove(&id);
                    id
                }
                None => self.allocate(),
            };
            self.put(id, dir, name, is_dir);
            added.push(id);
        }
        drop((fresh, names));
        for gone in loose {
            self.forget_into(gone, &mut forgotten);
        }
        let children = if added.is_empty() {
            kept
        } else {
            // Both lists are in name order: merge them.
            let mut children = Vec::with_capacity(kept.len() + added.len());
            let (mut a, mut b) = (kept.into_iter().peekable(), added.into_iter().peekable());
            loop {
                let next = match (a.peek(), b.peek()) {
                    (Some(&x), Some(&y)) if self.name(x) <= self.name(y) => a.next(),
                    (Some(_), Some(_)) | (None, Some(_)) => b.next(),
                    (Some(_), None) => a.next(),
                    (None, None) => break,
                };
                children.extend(next);
            }
            children
        };
        let long: Vec<u32> = children
            .iter()
            .copied()
            .filter(|&c| self.name(c).len() > MAX_STRING_UNITS && !self.aliases.contains_key(&c))
            .collect();
        self.children.insert(dir, children);
        for id in long {
            self.give_alias(dir, id);
        }
        self.compact();
        forgotten
    }

    /// Gives `id` (a child of `dir`) an alias when its name does not fit a PTP string: the
    /// start of the name, `~N` and the extension, unique in `dir`.
    fn give_alias(&mut self, dir: u32, id: u32) {
        let name = self.name(id);
        // A UTF-16 unit takes at least one UTF-8 byte: short names fit.
        if name.len() <= MAX_STRING_UNITS || name.encode_utf16().count() <= MAX_STRING_UNITS {
            return;
        }
        let (stem, extension) = match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() && ext.chars().count() < MAX_ALIAS_EXTENSION => {
                (stem, name.get(stem.len()..).unwrap_or_default())
            }
            _ => (name, ""),
        };
        let ext_units = extension.encode_utf16().count();
        let mut chosen = None;
        for n in 1..=u32::MAX {
            let tail = format!("~{n}");
            let room = MAX_STRING_UNITS.saturating_sub(ext_units + tail.len());
            let mut units = 0;
            let start: String = stem
                .chars()
                .take_while(|c| {
                    units += c.len_utf16();
                    units <= room
                })
                .collect();
            let alias = format!("{start}{tail}{extension}");
            if !self.name_taken(dir, &alias) {
                chosen = Some(alias);
                break;
            }
        }
        if let Some(alias) = chosen {
            self.aliases.insert(id, alias.into());
        }
    }

    /// Promises a handle to `name` in `dir`, whose file does not exist yet (SendObjectInfo);
    /// an earlier promise of the same name is replaced.
    pub(super) fn reserve(&mut self, dir: u32, name: &str) -> u32 {
        self.reserved
            .retain(|_, (d, n)| !(*d == dir && &**n == name));
        let id = self.allocate();
        self.reserved.insert(id, (dir, name.into()));
        id
    }

    /// The folder and name promised to a reserved handle.
    pub(super) fn reservation(&self, id: u32) -> Option<(u32, &str)> {
        self.reserved.get(&id).map(|(dir, name)| (*dir, &**name))
    }

    /// Turns a reservation whose file now exists into a node of its folder.
    pub(super) fn promote(&mut self, id: u32, is_dir: bool) {
        if let Some((parent, name)) = self.reserved.remove(&id) {
            self.put(id, parent, &name, is_dir);
            self.attach(parent, id);
        }
    }

    /// Moves `id` into the folder `dir`, keeping its name and handle.
    pub(super) fn move_to(&mut self, id: u32, dir: u32) {
        let Some(parent) = self.slot(id).map(|s| s.parent) else {
            return;
        };
        self.detach(parent, id);
        if let Some(slot) = usize::try_from(id)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| self.slots.get_mut(i))
        {
            slot.parent = dir;
        }
        self.attach(dir, id);
    }

    /// Renames `id` in its folder, keeping its handle.
    pub(super) fn rename(&mut self, id: u32, name: &str) {
        let Some(node) = self.get(id) else {
            return;
        };
        self.detach(node.parent, id);
        self.free(id);
        self.put(id, node.parent, name, node.is_dir);
        self.attach(node.parent, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relist(t: &mut HandleTree, dir: u32, names: &[(&str, bool)]) -> (Vec<u32>, Vec<u32>) {
        let mut found = t.found_for(dir);
        for &(name, is_dir) in names {
            t.listing(dir, &mut found, name, is_dir);
        }
        let forgotten = t.relist(dir, found);
        (t.children(dir).to_vec(), forgotten)
    }

    #[test]
    fn listing_allocates_handles_that_stay_stable() {
        let mut t = HandleTree::new();
        assert!(!t.is_listed(ROOT));
        let (root, gone) = relist(&mut t, ROOT, &[("notes.txt", false), ("DCIM", true)]);
        assert_eq!(root.len(), 2);
        assert!(gone.is_empty());
        let dcim = t.lookup(ROOT, "DCIM").unwrap();
        assert_eq!(
            root,
            [dcim, t.lookup(ROOT, "notes.txt").unwrap()],
            "name order"
        );
        assert!(t.is_listed(ROOT) && t.is_dir(dcim));
        let (again, gone) = relist(&mut t, ROOT, &[("DCIM", true), ("notes.txt", false)]);
        assert_eq!(again, root);
        assert!(gone.is_empty());
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn a_vanished_folder_takes_its_children_along() {
        let mut t = HandleTree::new();
        relist(&mut t, ROOT, &[("DCIM", true)]);
        let (dcim, _) = relist(&mut t, 1, &[("100TEST", true)]);
        let (files, _) = relist(&mut t, dcim[0], &[("A.JPG", false), ("B.JPG", false)]);
        assert_eq!(t.len(), 4);
        let (root, mut gone) = relist(&mut t, ROOT, &[]);
        assert!(root.is_empty());
        gone.sort_unstable();
        assert_eq!(gone, [1, dcim[0], files[0], files[1]]);
        assert_eq!(t.len(), 0);
        assert_eq!(t.lookup(ROOT, "DCIM"), None);
        // A name that comes back gets a new handle: handles are never reused.
        let (root, _) = relist(&mut t, ROOT, &[("DCIM", true)]);
        assert_eq!(root, [5]);
        assert_eq!(t.name(5), "DCIM");
    }

    #[test]
    fn an_entry_of_the_other_kind_is_another_object() {
        let mut t = HandleTree::new();
        let (root, _) = relist(&mut t, ROOT, &[("X", false)]);
        let (again, gone) = relist(&mut t, ROOT, &[("X", true)]);
        assert_eq!(gone, root);
        assert_ne!(again, root);
        assert!(t.is_dir(again[0]));
        let (id, gone) = t.register(ROOT, "X", false);
        assert_eq!(gone, again);
        assert!(!t.is_dir(id));
    }

    #[test]
    fn paths_are_built_from_names_below_the_root() {
        let mut t = HandleTree::new();
        relist(&mut t, ROOT, &[("DCIM", true)]);
        relist(&mut t, 1, &[("100TEST", true)]);
        relist(&mut t, 2, &[("A.JPG", false)]);
        let root = Path::new("/card");
        assert_eq!(t.path_of(root, ROOT), Some(PathBuf::from("/card")));
        assert_eq!(
            t.path_of(root, 3),
            Some(PathBuf::from("/card/DCIM/100TEST/A.JPG"))
        );
        assert_eq!(t.path_of(root, 99), None);
        assert!(t.is_within(3, 1) && t.is_within(2, 2) && !t.is_within(1, 3));
    }

    #[test]
    fn a_reservation_becomes_a_node_when_promoted() {
        let mut t = HandleTree::new();
        relist(&mut t, ROOT, &[]);
        let first = t.reserve(ROOT, "new.bin");
        // A second SendObjectInfo for the same name replaces the first promise.
        let id = t.reserve(ROOT, "new.bin");
        assert_ne!(first, id);
        assert_eq!(t.reservation(first), None);
        assert_eq!(t.reservation(id), Some((ROOT, "new.bin")));
        assert!(t.get(id).is_none());
        t.promote(id, false);
        assert_eq!(t.reservation(id), None);
        assert_eq!(t.name(id), "new.bin");
        assert_eq!(relist(&mut t, ROOT, &[("new.bin", false)]).0, [id]);
        // A promise whose file appears before it was asked for keeps its handle.
        let later = t.reserve(ROOT, "b.bin");
        assert_eq!(
            relist(&mut t, ROOT, &[("new.bin", false), ("b.bin", false)]).0,
            [later, id]
        );
    }

    #[test]
    fn moves_and_renames_keep_the_handle_and_the_order() {
        let mut t = HandleTree::new();
        relist(&mut t, ROOT, &[("A", true), ("B", true), ("x.txt", false)]);
        let (a, b, x) = (1, 2, 3);
        relist(&mut t, b, &[("m.txt", false)]);
        t.move_to(x, b);
        assert_eq!(t.lookup(ROOT, "x.txt"), None);
        assert_eq!(t.lookup(b, "x.txt"), Some(x));
        assert_eq!(t.children(b), [4, x]);
        assert_eq!(
            relist(&mut t, b, &[("x.txt", false), ("m.txt", false)]).0,
            [4, x]
        );
        t.rename(x, "a.txt");
        assert_eq!(t.lookup(b, "x.txt"), None);
        assert_eq!(t.children(b), [x, 4]);
        assert_eq!(
            t.path_of(Path::new("/c"), x),
            Some(PathBuf::from("/c/B/a.txt"))
        );
        t.detach(b, x);
        assert_eq!(t.forget(x), [x]);
        assert_eq!(t.children(ROOT), [a, b]);
    }

    #[test]
    fn nodes_made_in_a_folder_not_listed_yet_keep_their_handle() {
        let mut t = HandleTree::new();
        relist(&mut t, ROOT, &[("DCIM", true)]);
        let (new, _) = t.register(1, "101NEW", true);
        t.attach(1, new);
        let (img, _) = t.register(new, "IMG_0001.JPG", false);
        t.attach(new, img);
        assert_eq!(t.lookup(1, "101NEW"), Some(new));
        assert_eq!(t.register(1, "101NEW", true).0, new);
        let (dcim, _) = relist(&mut t, 1, &[("100OLD", true), ("101NEW", true)]);
        assert_eq!(dcim[1], new);
        assert_eq!(relist(&mut t, new, &[("IMG_0001.JPG", false)]).0, [img]);
        // One that is not there any more is forgotten at the listing.
        let (gone, _) = t.register(new, "GONE.JPG", false);
        let (other, _) = t.register(dcim[0], "X.JPG", false);
        t.attach(dcim[0], other);
        assert_eq!(relist(&mut t, dcim[0], &[]).1, [other]);
        assert!(t.get(gone).is_some());
    }

    #[test]
    fn the_name_buffer_is_compacted_when_names_are_forgotten() {
        let mut t = HandleTree::new();
        let names: Vec<String> = (0..20_000).map(|i| format!("IMG_{i:05}.JPG")).collect();
        let entries: Vec<(&str, bool)> = names.iter().map(|n| (n.as_str(), false)).collect();
        let (first, _) = relist(&mut t, ROOT, &entries);
        let full = t.names.len();
        let (kept, gone) = relist(&mut t, ROOT, entries.get(..100).unwrap());
        assert_eq!(gone.len(), 19_900);
        assert!(t.names.len() < full / 10, "{} of {full}", t.names.len());
        assert_eq!(kept, first.get(..100).unwrap());
        assert_eq!(t.name(kept[99]), "IMG_00099.JPG");
        assert_eq!(t.lookup(ROOT, "IMG_00042.JPG"), Some(kept[42]));
    }

    #[test]
    fn names_a_ptp_string_cannot_carry_get_a_unique_alias() {
        let long = format!("{}.jpeg", "n".repeat(250));
        assert_eq!(long.len(), 255);
        let mut t = HandleTree::new();
        let taken = format!("{}~1.jpeg", "n".repeat(247));
        let (root, _) = relist(
            &mut t,
            ROOT,
            &[(&long, false), (&taken, false), ("x", false)],
        );
        let id = t.lookup(ROOT, &long).unwrap();
        let alias = t.shown_name(id).unwrap().to_string();
        assert_eq!(alias, format!("{}~2.jpeg", "n".repeat(247)));
        assert_eq!(alias.encode_utf16().count(), MAX_STRING_UNITS);
        assert!(t.name_taken(ROOT, &alias));
        // Kept while the file stays.
        relist(
            &mut t,
            ROOT,
            &[(&long, false), (&taken, false), ("x", false)],
        );
        assert_eq!(t.shown_name(id), Some(alias.as_str()));
        assert_eq!(t.shown_name(root[2]), Some("x"));
        // Without an extension. (Only a 255-byte ASCII name is too long: Linux names have at
        // most 255 bytes, and a character of two UTF-16 units takes four bytes.)
        let bare = "z".repeat(255);
        relist(&mut t, ROOT, &[(&bare, false)]);
        let id = t.lookup(ROOT, &bare).unwrap();
        assert_eq!(
            t.shown_name(id),
            Some(format!("{}~1", "z".repeat(252)).as_str())
        );
    }
}
