//! [`HandleTree`]: which ObjectHandle names which file, with no file system access.
//!
//! The tree knows what the [`FolderStore`](super::FolderStore) has seen of its folder: one node
//! per listed entry (parent folder, name, folder or file), the children of each listed folder,
//! and the handles promised by SendObjectInfo whose file does not exist yet. A name keeps its
//! handle for as long as it stays in its folder; handles are never reused.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The parent number of objects in the root of the card.
pub(super) const ROOT: u32 = 0;

/// Deepest folder nesting [`HandleTree::path_of`] follows.
const MAX_DEPTH: usize = 4096;

/// One file or folder the store has listed.
#[derive(Debug, Clone)]
pub(super) struct Node {
    /// The folder it is in ([`ROOT`] or a folder's handle).
    pub(super) parent: u32,
    /// Its name in that folder.
    pub(super) name: String,
    /// Whether it is a folder.
    pub(super) is_dir: bool,
    /// A folder's children, once listed.
    children: Option<Vec<u32>>,
}

impl Node {
    fn new(parent: u32, name: String, is_dir: bool) -> Self {
        Self {
            parent,
            name,
            is_dir,
            children: None,
        }
    }
}

/// Handles of the files and folders of a card, and the tree they form.
#[derive(Debug)]
pub(super) struct HandleTree {
    nodes: HashMap<u32, Node>,
    by_name: HashMap<(u32, String), u32>,
    /// Handles promised by SendObjectInfo whose file does not exist yet.
    reserved: HashMap<u32, (u32, String)>,
    root_children: Option<Vec<u32>>,
    next_handle: u32,
}

impl HandleTree {
    /// An empty tree: nothing listed, the first handle is 1.
    pub(super) fn new() -> Self {
        Self {
            nodes: HashMap::new(),
            by_name: HashMap::new(),
            reserved: HashMap::new(),
            root_children: None,
            next_handle: 1,
        }
    }

    /// The number of files and folders with a handle (reservations not counted).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The node of a handle.
    pub(super) fn get(&self, id: u32) -> Option<&Node> {
        self.nodes.get(&id)
    }

    /// Whether `id` is a listed folder.
    pub(super) fn is_dir(&self, id: u32) -> bool {
        self.nodes.get(&id).is_some_and(|n| n.is_dir)
    }

    /// Whether the folder `dir` has been listed.
    pub(super) fn is_listed(&self, dir: u32) -> bool {
        self.children(dir).is_some()
    }

    fn children(&self, dir: u32) -> Option<&Vec<u32>> {
        if dir == ROOT {
            self.root_children.as_ref()
        } else {
            self.nodes.get(&dir).and_then(|n| n.children.as_ref())
        }
    }

    fn children_mut(&mut self, dir: u32) -> Option<&mut Vec<u32>> {
        if dir == ROOT {
            self.root_children.as_mut()
        } else {
            self.nodes.get_mut(&dir).and_then(|n| n.children.as_mut())
        }
    }

    /// The handle of `name` in the folder `parent`, if it has one (or is reserved).
    pub(super) fn lookup(&self, parent: u32, name: &str) -> Option<u32> {
        self.by_name.get(&(parent, name.to_string())).copied()
    }

    /// The path of `id` ([`ROOT`] or a node) below `root`; `None` for an unknown handle.
    pub(super) fn path_of(&self, root: &Path, id: u32) -> Option<PathBuf> {
        let mut names = Vec::new();
        let mut cur = id;
        while cur != ROOT {
            let node = self.nodes.get(&cur)?;
            names.push(node.name.as_str());
            cur = node.parent;
            if names.len() > MAX_DEPTH {
                return None;
            }
        }
        let mut path = root.to_path_buf();
        path.extend(names.iter().rev());
        Some(path)
    }

    /// Whether `dir` is `ancestor` or lies below it.
    pub(super) fn is_within(&self, dir: u32, ancestor: u32) -> bool {
        let mut cur = dir;
        while cur != ROOT {
            if cur == ancestor {
                return true;
            }
            cur = self.nodes.get(&cur).map_or(ROOT, |n| n.parent);
        }
        false
    }

    /// Adds `id` to the children of `parent`, if `parent` has been listed.
    pub(super) fn attach(&mut self, parent: u32, id: u32) {
        if let Some(list) = self.children_mut(parent)
            && !list.contains(&id)
        {
            list.push(id);
        }
    }

    /// Removes `id` from the children of `parent`.
    pub(super) fn detach(&mut self, parent: u32, id: u32) {
        if let Some(list) = self.children_mut(parent) {
            list.retain(|&c| c != id);
        }
    }

    /// Drops `id` and everything below it; returns every handle dropped.
    pub(super) fn forget(&mut self, id: u32) -> Vec<u32> {
        let mut forgotten = Vec::new();
        self.forget_into(id, &mut forgotten);
        forgotten
    }

    fn forget_into(&mut self, id: u32, forgotten: &mut Vec<u32>) {
        if let Some(node) = self.nodes.remove(&id) {
            self.by_name.remove(&(node.parent, node.name));
            forgotten.push(id);
            for child in node.children.unwrap_or_default() {
                self.forget_into(child, forgotten);
            }
        }
    }

    /// The handle of `name` in `parent`, found or newly allocated (a reservation of that name
    /// becomes a node). The caller attaches it.
    pub(super) fn register(&mut self, parent: u32, name: String, is_dir: bool) -> u32 {
        if let Some(&id) = self.by_name.get(&(parent, name.clone())) {
            self.reserved.remove(&id);
            let node = self
                .nodes
                .entry(id)
                .or_insert_with(|| Node::new(parent, name, is_dir));
            node.is_dir = is_dir;
            return id;
        }
        let id = self.allocate();
        self.by_name.insert((parent, name.clone()), id);
        self.nodes.insert(id, Node::new(parent, name, is_dir));
        id
    }

    fn allocate(&mut self) -> u32 {
        let id = self.next_handle;
        self.next_handle = self.next_handle.wrapping_add(1).clamp(1, 0xFFFF_FFFE);
        id
    }

    /// Records what a listing of `dir` found (`(name, is_dir)`, in order): returns the
    /// children's handles, and the handles dropped because their entry is gone.
    pub(super) fn relist(&mut self, dir: u32, found: Vec<(String, bool)>) -> (Vec<u32>, Vec<u32>) {
        let old = if dir == ROOT {
            self.root_children.take()
        } else {
            self.nodes.get_mut(&dir).and_then(|n| n.children.take())
        }
        .unwrap_or_default();
        let mut children = Vec::with_capacity(found.len());
        for (name, is_dir) in found {
            children.push(self.register(dir, name, is_dir));
        }
        let mut forgotten = Vec::new();
        for gone in old.into_iter().filter(|id| !children.contains(id)) {
            self.forget_into(gone, &mut forgotten);
        }
        if dir == ROOT {
            self.root_children = Some(children.clone());
        } else if let Some(node) = self.nodes.get_mut(&dir) {
            node.children = Some(children.clone());
        }
        (children, forgotten)
    }

    /// Promises a handle to `name` in `dir`, whose file does not exist yet (SendObjectInfo);
    /// an earlier promise of the same name is replaced.
    pub(super) fn reserve(&mut self, dir: u32, name: String) -> u32 {
        if let Some(&old) = self.by_name.get(&(dir, name.clone()))
            && self.reserved.remove(&old).is_some()
        {
            self.by_name.remove(&(dir, name.clone()));
        }
        let id = self.allocate();
        self.by_name.insert((dir, name.clone()), id);
        self.reserved.insert(id, (dir, name));
        id
    }

    /// The folder and name promised to a reserved handle.
    pub(super) fn reservation(&self, id: u32) -> Option<(u32, &str)> {
        self.reserved
            .get(&id)
            .map(|(dir, name)| (*dir, name.as_str()))
    }

    /// Turns a reservation whose file now exists into a node of its folder.
    pub(super) fn promote(&mut self, id: u32, is_dir: bool) {
        if let Some((parent, name)) = self.reserved.remove(&id) {
            self.nodes.insert(id, Node::new(parent, name, is_dir));
            self.attach(parent, id);
        }
    }

    /// Moves `id` into the folder `dir`, keeping its name and handle.
    pub(super) fn move_to(&mut self, id: u32, dir: u32) {
        let Some(node) = self.nodes.get_mut(&id) else {
            return;
        };
        let (parent, name) = (node.parent, node.name.clone());
        node.parent = dir;
        self.detach(parent, id);
        self.by_name.remove(&(parent, name.clone()));
        self.by_name.insert((dir, name), id);
        self.attach(dir, id);
    }

    /// Renames `id` in its folder, keeping its handle.
    pub(super) fn rename(&mut self, id: u32, name: &str) {
        let Some(node) = self.nodes.get_mut(&id) else {
            return;
        };
        let old = std::mem::replace(&mut node.name, name.to_string());
        let parent = node.parent;
        self.by_name.remove(&(parent, old));
        self.by_name.insert((parent, name.to_string()), id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(names: &[(&str, bool)]) -> Vec<(String, bool)> {
        names.iter().map(|&(n, d)| (n.to_string(), d)).collect()
    }

    #[test]
    fn listing_allocates_handles_that_stay_stable() {
        let mut t = HandleTree::new();
        assert!(!t.is_listed(ROOT));
        let (root, gone) = t.relist(ROOT, entries(&[("DCIM", true), ("notes.txt", false)]));
        assert_eq!(root, [1, 2]);
        assert!(gone.is_empty());
        assert!(t.is_listed(ROOT) && t.is_dir(1) && !t.is_dir(2));
        let (again, gone) = t.relist(ROOT, entries(&[("DCIM", true), ("notes.txt", false)]));
        assert_eq!(again, root);
        assert!(gone.is_empty());
        assert_eq!(t.lookup(ROOT, "notes.txt"), Some(2));
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn a_vanished_folder_takes_its_children_along() {
        let mut t = HandleTree::new();
        t.relist(ROOT, entries(&[("DCIM", true)]));
        let (dcim, _) = t.relist(1, entries(&[("100TEST", true)]));
        let (files, _) = t.relist(dcim[0], entries(&[("A.JPG", false), ("B.JPG", false)]));
        assert_eq!(t.len(), 4);
        let (root, mut gone) = t.relist(ROOT, Vec::new());
        assert!(root.is_empty());
        gone.sort_unstable();
        assert_eq!(gone, [1, dcim[0], files[0], files[1]]);
        assert_eq!(t.len(), 0);
        assert_eq!(t.lookup(ROOT, "DCIM"), None);
        // A name that comes back gets a new handle: handles are never reused.
        let (root, _) = t.relist(ROOT, entries(&[("DCIM", true)]));
        assert_eq!(root, [5]);
    }

    #[test]
    fn paths_are_built_from_names_below_the_root() {
        let mut t = HandleTree::new();
        t.relist(ROOT, entries(&[("DCIM", true)]));
        t.relist(1, entries(&[("100TEST", true)]));
        t.relist(2, entries(&[("A.JPG", false)]));
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
        t.relist(ROOT, Vec::new());
        let first = t.reserve(ROOT, "new.bin".into());
        // A second SendObjectInfo for the same name replaces the first promise.
        let id = t.reserve(ROOT, "new.bin".into());
        assert_ne!(first, id);
        assert_eq!(t.reservation(first), None);
        assert_eq!(t.reservation(id), Some((ROOT, "new.bin")));
        assert!(t.get(id).is_none());
        t.promote(id, false);
        assert_eq!(t.reservation(id), None);
        assert_eq!(t.get(id).map(|n| n.name.as_str()), Some("new.bin"));
        assert_eq!(t.relist(ROOT, entries(&[("new.bin", false)])).0, [id]);
    }

    #[test]
    fn moves_and_renames_keep_the_handle() {
        let mut t = HandleTree::new();
        t.relist(ROOT, entries(&[("A", true), ("B", true), ("x.txt", false)]));
        t.relist(2, Vec::new());
        t.move_to(3, 2);
        assert_eq!(t.lookup(ROOT, "x.txt"), None);
        assert_eq!(t.lookup(2, "x.txt"), Some(3));
        assert_eq!(t.relist(2, entries(&[("x.txt", false)])).0, [3]);
        t.rename(3, "y.txt");
        assert_eq!(t.lookup(2, "x.txt"), None);
        assert_eq!(t.lookup(2, "y.txt"), Some(3));
        assert_eq!(
            t.path_of(Path::new("/c"), 3),
            Some(PathBuf::from("/c/B/y.txt"))
        );
        t.detach(2, 3);
        assert_eq!(t.forget(3), [3]);
        assert_eq!(t.len(), 2);
    }
}
