//! [`FolderStore`]: a memory card backed by a host directory (`--fs DIR`).
//!
//! Handles are allocated lazily, when a folder is first listed, and stay stable for as long
//! as the file exists under the same name. Folders are re-read whenever they are listed, so
//! files added or removed behind vcam's back appear and vanish as on a card swapped in a
//! reader. Nothing outside the root is ever read or written: names from the initiator are
//! single path components, symbolic links that resolve outside the root are hidden, and
//! symbolic links to folders are never followed. Uploads and captures are written to a
//! temporary file in the target folder and linked into place only when complete, without
//! replacing an existing file.
//!
//! The parts: [`tree`] maps handles to names (pure, no file system), [`files`] does the file
//! I/O that must stay inside the root, and this module is the [`ObjectStore`] over both.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use ptp_types::{
    AccessCapability, AssociationType, DateTime, FilesystemType, ObjectFormatCode, ObjectHandle,
    ObjectInfo, ProtectionStatus, PtpString, StorageId, StorageInfo, StorageType,
};
use tempfile::TempDir;

use super::{
    CARD_STORAGE_ID, DataSource, Destination, FormatFilter, ObjectStore, ParentFilter,
    PendingObject, StoreError, Upload, check_file_name, is_folder, media,
};
use crate::render::{THUMB_HEIGHT, THUMB_WIDTH};

mod files;
mod tree;

use files::{FileSource, FolderUpload, TEMP_PREFIX, persist, read_head, temp_in};
use tree::{HandleTree, Node, ROOT};

/// Bytes of a file read to find its format, size and EXIF thumbnail.
const HEAD_LEN: u64 = 128 * 1024;

#[derive(Debug, Clone)]
struct CachedInfo {
    modified: Option<SystemTime>,
    len: u64,
    info: ObjectInfo,
}

/// A memory card backed by a host directory.
#[derive(Debug)]
pub struct FolderStore {
    root: PathBuf,
    read_only: bool,
    description: PtpString,
    tree: HandleTree,
    infos: HashMap<u32, CachedInfo>,
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
            infos: HashMap::new(),
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

    fn node(&mut self, handle: ObjectHandle) -> Result<&Node, StoreError> {
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

    /// Drops `id` and everything below it, with their cached infos and thumbnails.
    fn forget(&mut self, id: u32) {
        for gone in self.tree.forget(id) {
            self.infos.remove(&gone);
            self.thumbs.remove(&gone);
        }
    }

    /// Re-reads a folder and returns its children (sorted by name).
    fn list(&mut self, dir: u32) -> Result<Vec<u32>, StoreError> {
        let path = self
            .path_of(dir)
            .ok_or(StoreError::InvalidParent(ObjectHandle(dir)))?;
        let entries = fs::read_dir(&path)
            .map_err(|e| StoreError::io(&format!("listing {}", path.display()), &e))?;
        let mut found: Vec<(String, bool)> = Vec::new();
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let is_dir = if kind.is_symlink() {
                // Only links to files inside the root are shown; links to folders never are,
                // so a walk can neither leave the root nor loop.
                match fs::canonicalize(entry.path()) {
                    Ok(target) if target.starts_with(&self.root) && target.is_file() => false,
                    _ => continue,
                }
            } else if kind.is_dir() {
                true
            } else if kind.is_file() {
                false
            } else {
                continue;
            };
            found.push((name, is_dir));
        }
        found.sort();
        let (children, forgotten) = self.tree.relist(dir, found);
        for gone in forgotten {
            self.infos.remove(&gone);
            self.thumbs.remove(&gone);
        }
        Ok(children)
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

    fn object_path(&mut self, handle: ObjectHandle) -> Result<PathBuf, StoreError> {
        self.node(handle)?;
        self.path_of(handle.0)
            .ok_or(StoreError::InvalidObjectHandle(handle))
    }

    fn make_info(
        &self,
        handle: ObjectHandle,
        node: &Node,
        path: &Path,
        meta: &fs::Metadata,
    ) -> ObjectInfo {
        let modified = meta.modified().ok().map(datetime);
        let parent_object = ObjectHandle(node.parent);
        let protection_status = if meta.permissions().readonly() {
            ProtectionStatus::READ_ONLY
        } else {
            ProtectionStatus::NO_PROTECTION
        };
        let mut info = ObjectInfo {
            storage_id: CARD_STORAGE_ID,
            protection_status,
            parent_object,
            filename: PtpString::truncating(&node.name),
            capture_date: modified,
            modification_date: modified,
            ..ObjectInfo::default()
        };
        if node.is_dir {
            info.object_format = ObjectFormatCode::ASSOCIATION;
            info.association_type = AssociationType::GENERIC_FOLDER;
            return info;
        }
        info.object_compressed_size = u32::try_from(meta.len()).unwrap_or(u32::MAX);
        let head = read_head(path, HEAD_LEN).unwrap_or_default();
        info.object_format = media::object_format(&node.name, &head);
        if info.object_format.is_image() {
            if let Some((w, h)) = media::image_size(&head) {
                info.image_pix_width = w;
                info.image_pix_height = h;
                info.image_bit_depth = 24;
            }
            info.thumb_format = ObjectFormatCode::JFIF;
            if let Some(thumb) = media::exif_thumbnail(&head) {
                info.thumb_compressed_size = u32::try_from(thumb.len()).unwrap_or(u32::MAX);
                let (tw, th) = media::image_size(thumb).unwrap_or((THUMB_WIDTH, THUMB_HEIGHT));
                info.thumb_pix_width = tw;
                info.thumb_pix_height = th;
            } else {
                let cached = self.thumbs.get(&handle.0).map_or(0, |(_, t)| t.len());
                info.thumb_compressed_size = u32::try_from(cached).unwrap_or(u32::MAX);
                info.thumb_pix_width = THUMB_WIDTH;
                info.thumb_pix_height = THUMB_HEIGHT;
            }
        }
        info
    }

    fn is_protected(&mut self, handle: ObjectHandle) -> Result<bool, StoreError> {
        let path = self.object_path(handle)?;
        let meta =
            fs::symlink_metadata(&path).map_err(|_| StoreError::InvalidObjectHandle(handle))?;
        Ok(meta.is_file() && meta.permissions().readonly())
    }
}

fn datetime(t: SystemTime) -> DateTime {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut dt = DateTime::from_unix_seconds(secs);
    dt.zone = None;
    dt
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
                let mut out = Vec::new();
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
            let f = if self.tree.is_dir(id) {
                ObjectFormatCode::ASSOCIATION
            } else {
                match self.object_info(handle) {
                    Ok(info) => info.object_format,
                    Err(_) => continue,
                }
            };
            if format.matches(f) {
                out.push(handle);
            }
        }
        Ok(out)
    }

    fn object_info(&mut self, handle: ObjectHandle) -> Result<ObjectInfo, StoreError> {
        let node = self.node(handle)?.clone();
        let path = self
            .path_of(handle.0)
            .ok_or(StoreError::InvalidObjectHandle(handle))?;
        let Ok(meta) = fs::metadata(&path) else {
            self.tree.detach(node.parent, handle.0);
            self.forget(handle.0);
            return Err(StoreError::InvalidObjectHandle(handle));
        };
        let modified = meta.modified().ok();
        if let Some(c) = self.infos.get(&handle.0)
            && c.modified == modified
            && c.len == meta.len()
        {
            return Ok(c.info.clone());
        }
        let info = self.make_info(handle, &node, &path, &meta);
        self.infos.insert(
            handle.0,
            CachedInfo {
                modified,
                len: meta.len(),
                info: info.clone(),
            },
        );
        Ok(info)
    }

    fn object_size(&mut self, handle: ObjectHandle) -> Result<u64, StoreError> {
        let path = self.object_path(handle)?;
        let meta = fs::metadata(&path).map_err(|_| StoreError::InvalidObjectHandle(handle))?;
        Ok(if meta.is_dir() { 0 } else { meta.len() })
    }

    fn open(
        &mut self,
        handle: ObjectHandle,
        offset: u64,
        len: Option<u64>,
    ) -> Result<Box<dyn DataSource>, StoreError> {
        if self.node(handle)?.is_dir {
            return Err(StoreError::InvalidObjectHandle(handle));
        }
        let path = self.object_path(handle)?;
        let mut file = File::open(&path).map_err(|_| StoreError::InvalidObjectHandle(handle))?;
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
        let info = self.object_info(handle)?;
        if !info.object_format.is_image() {
            return Err(StoreError::NoThumbnail(handle));
        }
        let path = self.object_path(handle)?;
        let head = read_head(&path, HEAD_LEN).map_err(|e| StoreError::io("reading", &e))?;
        if let Some(thumb) = media::exif_thumbnail(&head) {
            return Ok(Bytes::copy_from_slice(thumb));
        }
        let modified = fs::metadata(&path).ok().and_then(|m| m.modified().ok());
        if let Some((m, t)) = self.thumbs.get(&handle.0)
            && *m == modified
        {
            return Ok(t.clone());
        }
        let size = self.object_size(handle)?;
        if size > media::MAX_THUMBNAIL_SOURCE {
            return Err(StoreError::NoThumbnail(handle));
        }
        let data = fs::read(&path).map_err(|e| StoreError::io("reading", &e))?;
        let thumb = media::make_thumbnail(&data).ok_or(StoreError::NoThumbnail(handle))?;
        self.thumbs.insert(handle.0, (modified, thumb.clone()));
        self.infos.remove(&handle.0);
        Ok(thumb)
    }

    fn delete(&mut self, handle: ObjectHandle) -> Result<(), StoreError> {
        self.check_writable()?;
        let node = self.node(handle)?.clone();
        if self.is_protected(handle)? {
            return Err(StoreError::WriteProtected(handle));
        }
        let path = self.object_path(handle)?;
        let result = if node.is_dir {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        result.map_err(|e| StoreError::io(&format!("deleting {}", path.display()), &e))?;
        self.tree.detach(node.parent, handle.0);
        self.forget(handle.0);
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
        if fs::symlink_metadata(&target).is_ok() {
            return Err(StoreError::AlreadyExists(name));
        }
        if is_folder(&info) {
            fs::create_dir(&target)
                .map_err(|e| StoreError::io(&format!("creating {}", target.display()), &e))?;
            let id = self.tree.register(dir, name, true);
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
        let id = self.tree.reserve(dir, name);
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
        let path = self.object_path(handle)?;
        let meta = fs::metadata(&path).map_err(|_| StoreError::InvalidObjectHandle(handle))?;
        let mut perms = meta.permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        // The owner gets write access back, as intended.
        perms.set_readonly(readonly);
        fs::set_permissions(&path, perms).map_err(|e| StoreError::io("setting protection", &e))?;
        self.infos.remove(&handle.0);
        Ok(())
    }

    fn move_object(
        &mut self,
        handle: ObjectHandle,
        destination: Destination,
    ) -> Result<(), StoreError> {
        self.check_writable()?;
        let node = self.node(handle)?.clone();
        let dir = self.dest_dir(destination)?;
        // A folder cannot move into itself or below.
        if self.tree.is_within(dir, handle.0) {
            return Err(StoreError::InvalidParent(ObjectHandle(dir)));
        }
        let from = self.object_path(handle)?;
        let to = self.safe_dir(dir)?.join(&node.name);
        if fs::symlink_metadata(&to).is_ok() {
            return Err(StoreError::AlreadyExists(node.name));
        }
        fs::rename(&from, &to).map_err(|e| StoreError::io("moving", &e))?;
        self.tree.move_to(handle.0, dir);
        self.infos.remove(&handle.0);
        Ok(())
    }

    fn copy_object(
        &mut self,
        handle: ObjectHandle,
        destination: Destination,
    ) -> Result<ObjectHandle, StoreError> {
        self.check_writable()?;
        let node = self.node(handle)?.clone();
        if node.is_dir {
            return Err(StoreError::AccessDenied(
                "copying folders is not supported".into(),
            ));
        }
        let dir = self.dest_dir(destination)?;
        let from = self.object_path(handle)?;
        let dir_path = self.safe_dir(dir)?;
        let target = dir_path.join(&node.name);
        if fs::symlink_metadata(&target).is_ok() {
            return Err(StoreError::AlreadyExists(node.name));
        }
        let mut tmp = temp_in(&dir_path)?;
        let mut src = File::open(&from).map_err(|_| StoreError::InvalidObjectHandle(handle))?;
        std::io::copy(&mut src, tmp.as_file_mut()).map_err(|e| StoreError::io("copying", &e))?;
        persist(tmp, &target, &node.name)?;
        let id = self.tree.register(dir, node.name, false);
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
        let node = self.node(handle)?.clone();
        if node.name == name {
            return Ok(());
        }
        let from = self.object_path(handle)?;
        let to = self.safe_dir(node.parent)?.join(name);
        if fs::symlink_metadata(&to).is_ok() {
            return Err(StoreError::AlreadyExists(name.to_string()));
        }
        fs::rename(&from, &to).map_err(|e| StoreError::io("renaming", &e))?;
        self.tree.rename(handle.0, name);
        self.infos.remove(&handle.0);
        Ok(())
    }

    fn is_read_only(&self) -> bool {
        self.read_only
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (TempDir, FolderStore) {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("DCIM/100TEST")).unwrap();
        fs::write(
            dir.path().join("DCIM/100TEST/A.JPG"),
            b"\xFF\xD8\xFF\xE0 not really",
        )
        .unwrap();
        fs::write(dir.path().join("notes.txt"), b"hello").unwrap();
        let store = FolderStore::open(dir.path(), false).unwrap();
        (dir, store)
    }

    #[test]
    fn handles_are_allocated_only_for_listed_folders() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("DCIM/100BULK");
        fs::create_dir_all(&deep).unwrap();
        for i in 0..2000 {
            fs::write(deep.join(format!("IMG_{i:05}.JPG")), b"").unwrap();
        }
        let mut s = FolderStore::open(dir.path(), false).unwrap();
        assert_eq!(s.tree.len(), 0, "opening a card visits nothing");
        let root = s
            .object_handles(CARD_STORAGE_ID, FormatFilter::Any, ParentFilter::Root)
            .unwrap();
        assert_eq!(root.len(), 1);
        assert_eq!(
            s.tree.len(),
            1,
            "listing the root allocates only the root's children"
        );
        let dcim = s
            .object_handles(
                CARD_STORAGE_ID,
                FormatFilter::Any,
                ParentFilter::In(root[0]),
            )
            .unwrap();
        let bulk = s
            .object_handles(
                CARD_STORAGE_ID,
                FormatFilter::Any,
                ParentFilter::In(dcim[0]),
            )
            .unwrap();
        assert_eq!(bulk.len(), 2000);
        assert_eq!(s.infos.len(), 0, "no file was opened to list it");
    }

    #[test]
    fn lists_lazily_and_keeps_handles() {
        let (dir, mut s) = store();
        let all = s
            .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Any)
            .unwrap();
        assert_eq!(all.len(), 4);
        let again = s
            .object_handles(CARD_STORAGE_ID, FormatFilter::Any, ParentFilter::Any)
            .unwrap();
        assert_eq!(all, again);
        let images = s
            .object_handles(StorageId::ALL, FormatFilter::Images, ParentFilter::Any)
            .unwrap();
        assert_eq!(images.len(), 1);
        let info = s.object_info(images[0]).unwrap();
        assert_eq!(info.filename, "A.JPG");
        assert_eq!(info.object_format, ObjectFormatCode::EXIF_JPEG);
        fs::remove_file(dir.path().join("notes.txt")).unwrap();
        let after = s
            .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Root)
            .unwrap();
        assert_eq!(after.len(), 1);
        assert!(
            s.object_handles(StorageId(2), FormatFilter::Any, ParentFilter::Any)
                .is_err()
        );
    }

    #[test]
    fn uploads_are_atomic_and_stay_inside() {
        let (dir, mut s) = store();
        let roots = s
            .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Root)
            .unwrap();
        let dcim = roots
            .into_iter()
            .find(|h| s.object_info(*h).unwrap().is_folder())
            .unwrap();
        let dest = Destination {
            storage: CARD_STORAGE_ID,
            parent: Some(dcim),
        };
        for bad in ["../evil", "/etc/x", "..", "a/b"] {
            let info = ObjectInfo {
                filename: PtpString::truncating(bad),
                ..ObjectInfo::default()
            };
            assert!(s.prepare(dest, info).is_err(), "{bad}");
        }
        let info = ObjectInfo {
            filename: PtpString::truncating("new.bin"),
            object_compressed_size: 3,
            ..ObjectInfo::default()
        };
        let pending = s.prepare(dest, info).unwrap();
        let mut up = s.begin_upload(&pending).unwrap();
        up.write(b"abc").unwrap();
        assert!(!dir.path().join("DCIM/new.bin").exists());
        let h = up.commit().unwrap();
        assert_eq!(h, pending.handle);
        assert_eq!(fs::read(dir.path().join("DCIM/new.bin")).unwrap(), b"abc");
        assert_eq!(s.object_info(h).unwrap().object_compressed_size, 3);
        // An abandoned upload leaves nothing behind.
        let info = ObjectInfo {
            filename: PtpString::truncating("gone.bin"),
            ..ObjectInfo::default()
        };
        let pending = s.prepare(dest, info).unwrap();
        let mut up = s.begin_upload(&pending).unwrap();
        up.write(b"partial").unwrap();
        drop(up);
        let names: Vec<_> = fs::read_dir(dir.path().join("DCIM"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn symlinks_out_of_the_root_are_hidden() {
        let (dir, mut s) = store();
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("passwd")).unwrap();
        std::os::unix::fs::symlink("/", dir.path().join("rootfs")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("notes.txt"), dir.path().join("inside.txt"))
            .unwrap();
        let names: Vec<String> = s
            .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Root)
            .unwrap()
            .into_iter()
            .map(|h| s.object_info(h).unwrap().filename.to_string())
            .collect();
        assert_eq!(names, ["DCIM", "inside.txt", "notes.txt"]);
    }

    #[test]
    fn read_only_refuses_writes() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.txt"), b"x").unwrap();
        let mut s = FolderStore::open(dir.path(), true).unwrap();
        let h = s
            .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Any)
            .unwrap()[0];
        assert_eq!(s.delete(h), Err(StoreError::ReadOnly));
        assert!(dir.path().join("a.txt").exists());
        assert_eq!(
            s.add_object(CARD_STORAGE_ID, &["DCIM"], "b.jpg", Bytes::new()),
            Err(StoreError::ReadOnly)
        );
    }

    #[test]
    fn captures_create_folders_and_never_overwrite() {
        let (dir, mut s) = store();
        let h = s
            .add_object(
                CARD_STORAGE_ID,
                &["DCIM", "101NEW"],
                "IMG_0001.JPG",
                Bytes::from_static(b"x"),
            )
            .unwrap();
        assert!(dir.path().join("DCIM/101NEW/IMG_0001.JPG").exists());
        assert_eq!(s.object_info(h).unwrap().filename, "IMG_0001.JPG");
        assert!(matches!(
            s.add_object(
                CARD_STORAGE_ID,
                &["DCIM", "101NEW"],
                "IMG_0001.JPG",
                Bytes::from_static(b"y")
            ),
            Err(StoreError::AlreadyExists(_))
        ));
        let all = s
            .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Any)
            .unwrap();
        assert!(all.contains(&h));
    }
}
