//! [`FolderStore`]: a memory card backed by a host directory (`--fs DIR`).
//!
//! Handles are allocated lazily, when a folder is first listed, and stay stable for as long
//! as the file exists under the same name as the same kind of entry. Folders are re-read
//! whenever they are listed, so files added or removed behind vcam's back appear and vanish as
//! on a card swapped in a reader; every access checks the entry again, so a file that became a
//! folder (or the reverse) is a different object and its old handle is invalid. Nothing
//! outside the root is ever read or written: names from the initiator are single path
//! components, symbolic links that resolve outside the root are hidden and never followed,
//! and symbolic links to folders are never followed. Uploads and captures are written to a
//! temporary file in the target folder, created as any program creates a file (mode 0666
//! less the umask), and linked into place only when complete, without replacing an existing
//! file.
//!
//! A card of a hundred thousand files costs little: the store keeps one name and one handle
//! per listed entry ([`tree`]), and a bounded cache of what the files' first bytes say (format,
//! image size, EXIF thumbnail). Reading an object's facts reads only as much of the file as
//! its header needs.
//!
//! The parts: [`tree`] maps handles to names (pure, no file system), [`files`] does the file
//! I/O that must stay inside the root, and this module is the [`ObjectStore`] over both.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{Seek, SeekFrom};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use ptp_types::{
    AccessCapability, AssociationType, DateTime, FilesystemType, ObjectFormatCode, ObjectHandle,
    ObjectInfo, ProtectionStatus, PtpString, StorageId, StorageInfo, StorageType,
};
use tempfile::TempDir;

use super::{
    CARD_STORAGE_ID, DataSource, Destination, FormatFilter, ObjectEntry, ObjectStore, ParentFilter,
    PendingObject, StoreError, Upload, check_file_name, is_folder, media,
};
use crate::render::{THUMB_HEIGHT, THUMB_WIDTH};
use crate::watch::{CardChange, Noticed};

mod files;
mod notice;
mod tree;

use files::{FileSource, FolderUpload, TEMP_PREFIX, persist, probe, temp_in};
use tree::{HandleTree, Node, ROOT};

/// Most objects whose facts (format, image size, thumbnail) are cached; the cache is emptied
/// when it is full, so its memory does not grow with the card.
#[cfg(not(test))]
const FACTS_CACHE: usize = 4096;
#[cfg(test)]
const FACTS_CACHE: usize = 100;

/// Most generated thumbnails kept.
const THUMB_CACHE: usize = 64;

/// What a file's first bytes say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Facts {
    format: ObjectFormatCode,
    /// Whether the image header was read (`image` and `thumb` are known).
    full: bool,
    /// Width and height of an image.
    image: Option<(u32, u32)>,
    /// Length, width and height of the EXIF thumbnail.
    thumb: Option<(u32, u32, u32)>,
}

#[derive(Debug, Clone, Copy)]
struct Cached {
    modified: Option<SystemTime>,
    len: u64,
    facts: Facts,
}

/// A listed object, checked again on disk: what its `stat` says.
#[derive(Debug, Clone, Copy)]
struct Checked {
    node: Node,
    /// Size in bytes (0 for a folder).
    len: u64,
    modified: Option<SystemTime>,
    /// No write permission bit: the object is protected.
    readonly: bool,
    /// The entry is a symbolic link (to a file inside the root).
    link: bool,
}

/// A memory card backed by a host directory.
#[derive(Debug)]
pub struct FolderStore {
    root: PathBuf,
    read_only: bool,
    description: PtpString,
    tree: HandleTree,
    /// The descriptor of the folder last listed or reached: its objects are checked and opened
    /// relative to it, without a path walk per file.
    folder: Option<(u32, OwnedFd)>,
    facts: HashMap<u32, Cached>,
    thumbs: HashMap<u32, (Option<SystemTime>, Bytes)>,
    /// The temporary directory the card lives in, removed with the store.
    _temp_dir: Option<TempDir>,
}

impl FolderStore {
    /// A store over the directory `root` (which must exist).
    ///
    /// # Errors
    /// When `root` is not a readable directory.
    pub fn open(root: impl AsRef<Path>, read_only: bool) -> Result<Self, StoreError> {
        let root = root.as_ref();
        let canonical = fs::canonicalize(root)
            .map_err(|e| StoreError::io(&format!("opening {}", root.display()), &e))?;
        if !canonical.is_dir() {
            return Err(StoreError::Io(format!(
                "{} is not a directory",
                root.display()
            )));
        }
        Ok(Self {
            root: canonical,
            read_only,
            description: PtpString::truncating("SD"),
            tree: HandleTree::new(),
            folder: None,
            facts: HashMap::new(),
            thumbs: HashMap::new(),
            _temp_dir: None,
        })
    }

    /// A store over a temporary directory, which is removed when the store is dropped (the
    /// built-in sample card is one).
    ///
    /// # Errors
    /// When the directory cannot be opened, as for [`FolderStore::open`].
    pub fn from_temp_dir(dir: TempDir, read_only: bool) -> Result<Self, StoreError> {
        let mut store = Self::open(dir.path(), read_only)?;
        store._temp_dir = Some(dir);
        Ok(store)
    }

    /// Sets the storage description reported in StorageInfo.
    #[must_use]
    pub fn with_description(mut self, description: PtpString) -> Self {
        self.description = description;
        self
    }

    /// The root directory.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn check_storage(storage: StorageId) -> Result<(), StoreError> {
        if storage == CARD_STORAGE_ID {
            Ok(())
        } else {
            Err(StoreError::InvalidStorageId(storage))
        }
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        if self.read_only {
            Err(StoreError::ReadOnly)
        } else {
            Ok(())
        }
    }

    /// The host path of a folder number (ROOT or a directory node).
    fn path_of(&self, id: u32) -> Option<PathBuf> {
        self.tree.path_of(&self.root, id)
    }

    fn node(&mut self, handle: ObjectHandle) -> Result<Node, StoreError> {
        if self.tree.get(handle.0).is_none()
            && let Some((parent, name)) = self.tree.reservation(handle.0)
        {
            // A committed upload becomes a node when first asked for.
            let path = self.path_of(parent).map(|p| p.join(name));
            if let Some(Ok(meta)) = path.map(fs::symlink_metadata) {
                self.tree.promote(handle.0, meta.is_dir());
            }
        }
        self.tree
            .get(handle.0)
            .ok_or(StoreError::InvalidObjectHandle(handle))
    }

    /// Drops `id` (detached from its folder) and everything below it, with their cached
    /// facts and thumbnails.
    fn forget(&mut self, parent: u32, id: u32) {
        self.tree.detach(parent, id);
        let gone = self.tree.forget(id);
        self.dropped(&gone);
    }

    fn dropped(&mut self, gone: &[u32]) {
        for id in gone {
            self.facts.remove(id);
            self.thumbs.remove(id);
            if self.folder.as_ref().is_some_and(|(dir, _)| dir == id) {
                self.folder = None;
            }
        }
    }

    /// The path of a node, for operations that change the folder.
    fn object_path(&self, handle: ObjectHandle) -> Result<PathBuf, StoreError> {
        self.path_of(handle.0)
            .ok_or(StoreError::InvalidObjectHandle(handle))
    }

    /// A listed object as it is on disk now: it exists, it is the kind of entry it was listed
    /// as, and a link still leads to a file inside the root. Anything else means the object
    /// the initiator knows is gone: its handle is forgotten and the answer is
    /// InvalidObjectHandle, never an empty success.
    fn checked(&mut self, handle: ObjectHandle) -> Result<Checked, StoreError> {
        use rustix::fs::{AtFlags, FileType};
        let node = self.node(handle)?;
        let stat = files::folder_fd(&mut self.folder, &self.tree, &self.root, node.parent)
            .and_then(|fd| {
                Ok(rustix::fs::statat(
                    fd,
                    self.tree.name(handle.0),
                    AtFlags::SYMLINK_NOFOLLOW,
                )?)
            });
        let checked = stat.ok().and_then(|stat| {
            let mut link = false;
            let stat = match FileType::from_raw_mode(stat.st_mode) {
                FileType::Symlink if !node.is_dir => {
                    let path = self.path_of(handle.0)?;
                    let target = fs::canonicalize(&path).ok()?;
                    link = true;
                    target
                        .starts_with(&self.root)
                        .then(|| rustix::fs::stat(&target).ok())??
                }
                _ => stat,
            };
            let kind = FileType::from_raw_mode(stat.st_mode);
            let fits = if node.is_dir {
                kind == FileType::Directory
            } else {
                kind == FileType::RegularFile
            };
            fits.then(|| Checked {
                node,
                len: if node.is_dir {
                    0
                } else {
                    u64::try_from(stat.st_size).unwrap_or(0)
                },
                modified: mtime(&stat),
                readonly: stat.st_mode & 0o222 == 0,
                link,
            })
        });
        checked.ok_or_else(|| {
            tracing::debug!(?handle, "object gone or changed kind");
            self.forget(node.parent, handle.0);
            StoreError::InvalidObjectHandle(handle)
        })
    }

    /// Opens a checked file for reading, relative to its folder: a regular file is opened
    /// without following a link that replaced it since.
    fn open_checked(&mut self, handle: ObjectHandle, c: &Checked) -> Result<File, StoreError> {
        use rustix::fs::{Mode, OFlags};
        let gone = StoreError::InvalidObjectHandle(handle);
        let mut flags = OFlags::RDONLY | OFlags::CLOEXEC;
        if !c.link {
            flags |= OFlags::NOFOLLOW;
        }
        let fd = files::folder_fd(&mut self.folder, &self.tree, &self.root, c.node.parent)
            .and_then(|dir| {
                Ok(rustix::fs::openat(
                    dir,
                    self.tree.name(handle.0),
                    flags,
                    Mode::empty(),
                )?)
            })
            .map_err(|_| gone.clone())?;
        let file = File::from(fd);
        match file.metadata() {
            Ok(meta) if meta.is_file() => Ok(file),
            _ => {
                // Replaced between the check and the open.
                self.forget(c.node.parent, handle.0);
                Err(gone)
            }
        }
    }

    /// Re-reads a folder and returns its children (sorted by name).
    fn list(&mut self, dir: u32) -> Result<Vec<u32>, StoreError> {
        let path = self
            .path_of(dir)
            .ok_or(StoreError::InvalidParent(ObjectHandle(dir)))?;
        let (fd, found) = files::read_folder(&self.root, &path, &self.tree, dir)
            .map_err(|e| StoreError::io(&format!("listing {}", path.display()), &e))?;
        let forgotten = self.tree.relist(dir, found);
        self.dropped(&forgotten);
        self.folder = Some((dir, fd));
        Ok(self.tree.children(dir).to_vec())
    }

    fn walk(&mut self, dir: u32, out: &mut Vec<u32>) -> Result<(), StoreError> {
        for child in self.list(dir)? {
            out.push(child);
            if self.tree.is_dir(child) {
                self.walk(child, out)?;
            }
        }
        Ok(())
    }

    /// The facts of a checked file, from the cache or its first bytes; `full` asks for the
    /// image header too.
    fn facts(&mut self, handle: ObjectHandle, c: &Checked, full: bool) -> Facts {
        if c.node.is_dir {
            return Facts {
                format: ObjectFormatCode::ASSOCIATION,
                full: true,
                image: None,
                thumb: None,
            };
        }
        if let Some(cached) = self.facts.get(&handle.0)
            && cached.modified == c.modified
            && cached.len == c.len
            && (cached.facts.full || !full)
        {
            return cached.facts;
        }
        let needs_content = media::needs_content(self.tree.name(handle.0));
        let file = if needs_content {
            self.open_checked(handle, c).ok()
        } else {
            None
        };
        let facts = probe(file.as_ref(), self.tree.name(handle.0), c.len, full);
        if self.facts.len() >= FACTS_CACHE {
            self.facts.clear();
        }
        self.facts.insert(
            handle.0,
            Cached {
                modified: c.modified,
                len: c.len,
                facts,
            },
        );
        facts
    }

    fn entry_of(&self, handle: ObjectHandle, c: &Checked, facts: &Facts) -> ObjectEntry {
        ObjectEntry {
            handle,
            storage_id: CARD_STORAGE_ID,
            parent: ObjectHandle(c.node.parent),
            format: facts.format,
            association_type: if c.node.is_dir {
                AssociationType::GENERIC_FOLDER
            } else {
                AssociationType::UNDEFINED
            },
            protection_status: if !c.node.is_dir && c.readonly {
                ProtectionStatus::READ_ONLY
            } else {
                ProtectionStatus::NO_PROTECTION
            },
            size: c.len,
            modified: c.modified.map(datetime),
            filename: PtpString::truncating(self.tree.shown_name(handle.0).unwrap_or_default()),
        }
    }

    fn make_info(&mut self, handle: ObjectHandle, c: &Checked) -> ObjectInfo {
        let facts = self.facts(handle, c, true);
        let entry = self.entry_of(handle, c, &facts);
        let mut info = ObjectInfo {
            storage_id: entry.storage_id,
            object_format: entry.format,
            protection_status: entry.protection_status,
            // More than 4 GiB: 0xFFFFFFFF, and the full size is ObjectSize (MTP 1.1 §5.3.1.4).
            object_compressed_size: u32::try_from(entry.size).unwrap_or(u32::MAX),
            parent_object: entry.parent,
            association_type: entry.association_type,
            filename: entry.filename,
            capture_date: entry.modified,
            modification_date: entry.modified,
            ..ObjectInfo::default()
        };
        if c.node.is_dir || !info.object_format.is_image() {
            return info;
        }
        if let Some((w, h)) = facts.image {
            info.image_pix_width = w;
            info.image_pix_height = h;
            info.image_bit_depth = 24;
        }
        info.thumb_format = ObjectFormatCode::JFIF;
        if let Some((len, w, h)) = facts.thumb {
            info.thumb_compressed_size = len;
            info.thumb_pix_width = w;
            info.thumb_pix_height = h;
        } else {
            let cached = self.thumbs.get(&handle.0).map_or(0, |(_, t)| t.len());
            info.thumb_compressed_size = u32::try_from(cached).unwrap_or(u32::MAX);
            info.thumb_pix_width = THUMB_WIDTH;
            info.thumb_pix_height = THUMB_HEIGHT;
        }
        info
    }
}

fn datetime(t: SystemTime) -> DateTime {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut dt = DateTime::from_unix_seconds(secs);
    dt.zone = None;
    dt
}

/// The modification time of a `stat`.
fn mtime(stat: &rustix::fs::Stat) -> Option<SystemTime> {
    let secs = u64::try_from(stat.st_mtime).ok()?;
    let nanos = u32::try_from(stat.st_mtime_nsec).unwrap_or(0);
    UNIX_EPOCH.checked_add(std::time::Duration::new(secs, nanos))
}

impl ObjectStore for FolderStore {
    fn storage_ids(&self) -> Vec<StorageId> {
        vec![CARD_STORAGE_ID]
    }

    fn storage_info(&mut self, storage: StorageId) -> Result<StorageInfo, StoreError> {
        Self::check_storage(storage)?;
        let (max, free) = match rustix::fs::statvfs(&self.root) {
            Ok(s) => (
                s.f_blocks.saturating_mul(s.f_frsize),
                s.f_bavail.saturating_mul(s.f_frsize),
            ),
            Err(_) => (0, 0),
        };
        Ok(StorageInfo {
            storage_type: StorageType::REMOVABLE_RAM,
            filesystem_type: FilesystemType::GENERIC_HIERARCHICAL,
            access_capability: if self.read_only {
                AccessCapability::READ_ONLY_WITHOUT_DELETION
            } else {
                AccessCapability::READ_WRITE
            },
            max_capacity: max,
            free_space_in_bytes: if self.read_only { 0 } else { free },
            free_space_in_images: u32::try_from(free / (4 * 1024 * 1024)).unwrap_or(u32::MAX),
            storage_description: self.description.clone(),
            volume_label: PtpString::new(),
        })
    }

    fn object_handles(
        &mut self,
        storage: StorageId,
        format: FormatFilter,
        parent: ParentFilter,
    ) -> Result<Vec<ObjectHandle>, StoreError> {
        if storage != StorageId::ALL {
            Self::check_storage(storage)?;
        }
        let ids = match parent {
            ParentFilter::Any => {
                let mut out = Vec::with_capacity(self.tree.handles_given());
                self.walk(ROOT, &mut out)?;
                out
            }
            ParentFilter::Root => self.list(ROOT)?,
            ParentFilter::In(h) => match self.node(h) {
                Ok(n) if n.is_dir => self.list(h.0)?,
                _ => return Err(StoreError::InvalidParent(h)),
            },
        };
        if format == FormatFilter::Any {
            return Ok(ids.into_iter().map(ObjectHandle).collect());
        }
        let mut out = Vec::new();
        for id in ids {
            let handle = ObjectHandle(id);
            if let Ok(entry) = self.object_entry(handle)
                && format.matches(entry.format)
            {
                out.push(handle);
            }
        }
        Ok(out)
    }

    fn object_info(&mut self, handle: ObjectHandle) -> Result<ObjectInfo, StoreError> {
        let c = self.checked(handle)?;
        Ok(self.make_info(handle, &c))
    }

    fn object_entry(&mut self, handle: ObjectHandle) -> Result<ObjectEntry, StoreError> {
        let c = self.checked(handle)?;
        let facts = self.facts(handle, &c, false);
        Ok(self.entry_of(handle, &c, &facts))
    }

    fn object_size(&mut self, handle: ObjectHandle) -> Result<u64, StoreError> {
        Ok(self.checked(handle)?.len)
    }

    fn open(
        &mut self,
        handle: ObjectHandle,
        offset: u64,
        len: Option<u64>,
    ) -> Result<Box<dyn DataSource>, StoreError> {
        let c = self.checked(handle)?;
        if c.node.is_dir {
            return Err(StoreError::InvalidObjectHandle(handle));
        }
        let mut file = self.open_checked(handle, &c)?;
        let size = file
            .metadata()
            .map_err(|e| StoreError::io("reading", &e))?
            .len();
        let start = offset.min(size);
        let total = len.map_or(size - start, |l| l.min(size - start));
        file.seek(SeekFrom::Start(start))
            .map_err(|e| StoreError::io("seeking", &e))?;
        Ok(Box::new(FileSource {
            file,
            remaining: total,
            total,
        }))
    }

    fn thumbnail(&mut self, handle: ObjectHandle) -> Result<Bytes, StoreError> {
        let c = self.checked(handle)?;
        let facts = self.facts(handle, &c, true);
        if c.node.is_dir || !facts.format.is_image() {
            return Err(StoreError::NoThumbnail(handle));
        }
        if let Some((len, _, _)) = facts.thumb {
            let file = self.open_checked(handle, &c)?;
            let head = files::read_head(&file, media::MAX_HEADER_LEN)
                .map_err(|e| StoreError::io("reading", &e))?;
            if let Some(thumb) = media::exif_thumbnail(&head)
                && thumb.len() == len as usize
            {
                return Ok(Bytes::copy_from_slice(thumb));
            }
        }
        let modified = c.modified;
        if let Some((m, t)) = self.thumbs.get(&handle.0)
            && *m == modified
        {
            return Ok(t.clone());
        }
        if c.len > media::MAX_THUMBNAIL_SOURCE {
            return Err(StoreError::NoThumbnail(handle));
        }
        let file = self.open_checked(handle, &c)?;
        let data = files::read_head(&file, usize::try_from(c.len).unwrap_or(usize::MAX))
            .map_err(|e| StoreError::io("reading", &e))?;
        let thumb = media::make_thumbnail(&data).ok_or(StoreError::NoThumbnail(handle))?;
        if self.thumbs.len() >= THUMB_CACHE {
            self.thumbs.clear();
        }
        self.thumbs.insert(handle.0, (modified, thumb.clone()));
        Ok(thumb)
    }

    fn delete(&mut self, handle: ObjectHandle) -> Result<(), StoreError> {
        self.check_writable()?;
        let c = self.checked(handle)?;
        if !c.node.is_dir && c.readonly {
            return Err(StoreError::WriteProtected(handle));
        }
        let path = self.object_path(handle)?;
        let result = if c.node.is_dir {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        result.map_err(|e| StoreError::io(&format!("deleting {}", path.display()), &e))?;
        self.forget(c.node.parent, handle.0);
        Ok(())
    }

    fn prepare(
        &mut self,
        destination: Destination,
        info: ObjectInfo,
    ) -> Result<PendingObject, StoreError> {
        self.check_writable()?;
        let dir = self.dest_dir(destination)?;
        let name = info.filename.as_str().to_string();
        check_file_name(&name)?;
        if name.starts_with(TEMP_PREFIX) {
            return Err(StoreError::InvalidObject(format!(
                "file name {name:?} is reserved"
            )));
        }
        let dir_path = self.safe_dir(dir)?;
        let target = dir_path.join(&name);
        if fs::symlink_metadata(&target).is_ok() || self.alias_taken(dir, &name) {
            return Err(StoreError::AlreadyExists(name));
        }
        if is_folder(&info) {
            fs::create_dir(&target)
                .map_err(|e| StoreError::io(&format!("creating {}", target.display()), &e))?;
            let id = self.register(dir, &name, true);
            self.tree.attach(dir, id);
            return Ok(PendingObject {
                handle: ObjectHandle(id),
                destination,
                info,
            });
        }
        if let Ok(s) = rustix::fs::statvfs(&dir_path)
            && u64::from(info.object_compressed_size) > s.f_bavail.saturating_mul(s.f_frsize)
        {
            return Err(StoreError::Full);
        }
        // A previous reservation of the same name is replaced.
        let id = self.tree.reserve(dir, &name);
        Ok(PendingObject {
            handle: ObjectHandle(id),
            destination,
            info,
        })
    }

    fn begin_upload(&mut self, pending: &PendingObject) -> Result<Box<dyn Upload>, StoreError> {
        self.check_writable()?;
        let (dir, name) = self
            .tree
            .reservation(pending.handle.0)
            .map(|(dir, name)| (dir, name.to_string()))
            .ok_or(StoreError::InvalidObjectHandle(pending.handle))?;
        let dir_path = self.safe_dir(dir)?;
        let tmp = temp_in(&dir_path)?;
        Ok(Box::new(FolderUpload {
            tmp,
            target: dir_path.join(&name),
            name,
            handle: pending.handle,
        }))
    }

    fn add_object(
        &mut self,
        storage: StorageId,
        folder: &[&str],
        name: &str,
        data: Bytes,
    ) -> Result<ObjectHandle, StoreError> {
        Self::check_storage(storage)?;
        self.check_writable()?;
        check_file_name(name)?;
        let mut dir = ROOT;
        if !self.tree.is_listed(ROOT) {
            self.list(ROOT)?;
        }
        for part in folder {
            check_file_name(part)?;
            dir = self.ensure_folder(dir, part)?;
        }
        let id = self.write_new_file(dir, name, &data)?;
        self.tree.attach(dir, id);
        Ok(ObjectHandle(id))
    }

    fn set_protection(
        &mut self,
        handle: ObjectHandle,
        status: ProtectionStatus,
    ) -> Result<(), StoreError> {
        self.check_writable()?;
        let readonly = match status {
            ProtectionStatus::NO_PROTECTION => false,
            ProtectionStatus::READ_ONLY => true,
            other => {
                return Err(StoreError::InvalidObject(format!(
                    "protection status {other:?} is not supported"
                )));
            }
        };
        self.checked(handle)?;
        let path = self.object_path(handle)?;
        let mut perms = fs::metadata(&path)
            .map_err(|_| StoreError::InvalidObjectHandle(handle))?
            .permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        // The owner gets write access back, as intended.
        perms.set_readonly(readonly);
        fs::set_permissions(&path, perms).map_err(|e| StoreError::io("setting protection", &e))?;
        Ok(())
    }

    fn move_object(
        &mut self,
        handle: ObjectHandle,
        destination: Destination,
    ) -> Result<(), StoreError> {
        self.check_writable()?;
        self.checked(handle)?;
        let dir = self.dest_dir(destination)?;
        // A folder cannot move into itself or below.
        if self.tree.is_within(dir, handle.0) {
            return Err(StoreError::InvalidParent(ObjectHandle(dir)));
        }
        let name = self.tree.name(handle.0).to_string();
        let to = self.safe_dir(dir)?.join(&name);
        if fs::symlink_metadata(&to).is_ok() || self.alias_taken(dir, &name) {
            return Err(StoreError::AlreadyExists(name));
        }
        let from = self.object_path(handle)?;
        fs::rename(&from, &to).map_err(|e| StoreError::io("moving", &e))?;
        self.tree.move_to(handle.0, dir);
        Ok(())
    }

    fn copy_object(
        &mut self,
        handle: ObjectHandle,
        destination: Destination,
    ) -> Result<ObjectHandle, StoreError> {
        self.check_writable()?;
        let c = self.checked(handle)?;
        if c.node.is_dir {
            return Err(StoreError::AccessDenied(
                "copying folders is not supported".into(),
            ));
        }
        let dir = self.dest_dir(destination)?;
        let name = self.tree.name(handle.0).to_string();
        let dir_path = self.safe_dir(dir)?;
        let target = dir_path.join(&name);
        if fs::symlink_metadata(&target).is_ok() || self.alias_taken(dir, &name) {
            return Err(StoreError::AlreadyExists(name));
        }
        let mut tmp = temp_in(&dir_path)?;
        let mut src = self.open_checked(handle, &c)?;
        std::io::copy(&mut src, tmp.as_file_mut()).map_err(|e| StoreError::io("copying", &e))?;
        persist(tmp, &target, &name)?;
        let id = self.register(dir, &name, false);
        self.tree.attach(dir, id);
        Ok(ObjectHandle(id))
    }

    fn format(&mut self, storage: StorageId) -> Result<(), StoreError> {
        Self::check_storage(storage)?;
        self.check_writable()?;
        for id in self.list(ROOT)? {
            self.delete(ObjectHandle(id))?;
        }
        Ok(())
    }

    fn rename(&mut self, handle: ObjectHandle, name: &str) -> Result<(), StoreError> {
        self.check_writable()?;
        check_file_name(name)?;
        let c = self.checked(handle)?;
        if self.tree.shown_name(handle.0) == Some(name) {
            return Ok(());
        }
        let to = self.safe_dir(c.node.parent)?.join(name);
        if fs::symlink_metadata(&to).is_ok() || self.alias_taken(c.node.parent, name) {
            return Err(StoreError::AlreadyExists(name.to_string()));
        }
        let from = self.object_path(handle)?;
        fs::rename(&from, &to).map_err(|e| StoreError::io("renaming", &e))?;
        self.tree.rename(handle.0, name);
        self.facts.remove(&handle.0);
        Ok(())
    }

    fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn notice(&mut self, change: &CardChange) -> Vec<Noticed> {
        match change {
            CardChange::Added(path) => self.notice_added(path).into_iter().collect(),
            CardChange::Removed(path) => self.notice_removed(path),
        }
    }
}

#[cfg(test)]
mod tests;
