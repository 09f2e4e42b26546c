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

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};
use ptp_types::{
    AccessCapability, AssociationType, DateTime, FilesystemType, ObjectFormatCode, ObjectHandle,
    ObjectInfo, ProtectionStatus, PtpString, StorageId, StorageInfo, StorageType,
};
use tempfile::{NamedTempFile, TempDir};

use super::{
    CARD_STORAGE_ID, DataSource, Destination, FormatFilter, ObjectStore, ParentFilter,
    PendingObject, StoreError, Upload, check_file_name, is_folder, media,
};
use crate::render::{self, TestCard};

/// Parent number of objects in the root.
const ROOT: u32 = 0;
/// Bytes of a file read to find its format, size and EXIF thumbnail.
const HEAD_LEN: u64 = 128 * 1024;
/// Prefix of temporary files; such names are never listed.
const TEMP_PREFIX: &str = ".vcam-";

#[derive(Debug, Clone)]
struct Node {
    parent: u32,
    name: String,
    is_dir: bool,
    children: Option<Vec<u32>>,
}

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
    nodes: HashMap<u32, Node>,
    by_name: HashMap<(u32, String), u32>,
    /// Handles promised by SendObjectInfo whose file does not exist yet.
    reserved: HashMap<u32, (u32, String)>,
    root_children: Option<Vec<u32>>,
    next_handle: u32,
    infos: HashMap<u32, CachedInfo>,
    thumbs: HashMap<u32, (Option<SystemTime>, Bytes)>,
    _sample: Option<TempDir>,
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
            nodes: HashMap::new(),
            by_name: HashMap::new(),
            reserved: HashMap::new(),
            root_children: None,
            next_handle: 1,
            infos: HashMap::new(),
            thumbs: HashMap::new(),
            _sample: None,
        })
    }

    /// The built-in sample card: a temporary directory (removed when the store is dropped)
    /// holding `DCIM/<folder>/<prefix>0001.JPG` to `...0004.JPG`, test cards rendered for the
    /// given make and model.
    ///
    /// # Errors
    /// When the temporary directory cannot be written.
    pub fn sample_card(
        make: &str,
        model: &str,
        folder: &str,
        prefix: &str,
    ) -> Result<Self, StoreError> {
        let dir = tempfile::Builder::new()
            .prefix("vcam-card-")
            .tempdir()
            .map_err(|e| StoreError::io("creating the sample card", &e))?;
        let dcim = dir.path().join("DCIM").join(folder);
        fs::create_dir_all(&dcim).map_err(|e| StoreError::io("creating the sample card", &e))?;
        let time: Option<DateTime> = "20260101T120000".parse().ok();
        for i in 1..=4u32 {
            let name = format!("{prefix}{i:04}.JPG");
            let lines = vec![
                model.to_string(),
                format!("sample {name}"),
                "vcam built-in card".to_string(),
            ];
            let card = TestCard {
                width: 1024,
                height: 768,
                lines: &lines,
                seed: u64::from(i) * 11,
                make,
                model,
                time,
            };
            let jpeg = render::test_card_jpeg(&card).map_err(|e| StoreError::Io(e.to_string()))?;
            fs::write(dcim.join(&name), &jpeg)
                .map_err(|e| StoreError::io("writing the sample card", &e))?;
        }
        let mut store = Self::open(dir.path(), false)?;
        store._sample = Some(dir);
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
        let mut names = Vec::new();
        let mut cur = id;
        while cur != ROOT {
            let node = self.nodes.get(&cur)?;
            names.push(node.name.as_str());
            cur = node.parent;
            if names.len() > 4096 {
                return None;
            }
        }
        let mut path = self.root.clone();
        path.extend(names.iter().rev());
        Some(path)
    }

    fn node(&mut self, handle: ObjectHandle) -> Result<&Node, StoreError> {
        if !self.nodes.contains_key(&handle.0) {
            // A committed upload becomes a node when first asked for.
            if let Some((parent, name)) = self.reserved.get(&handle.0).cloned() {
                let path = self.path_of(parent).map(|p| p.join(&name));
                if let Some(Ok(meta)) = path.map(fs::symlink_metadata) {
                    self.reserved.remove(&handle.0);
                    self.nodes.insert(
                        handle.0,
                        Node {
                            parent,
                            name,
                            is_dir: meta.is_dir(),
                            children: None,
                        },
                    );
                    self.attach(parent, handle.0);
                }
            }
        }
        self.nodes
            .get(&handle.0)
            .ok_or(StoreError::InvalidObjectHandle(handle))
    }

    fn attach(&mut self, parent: u32, id: u32) {
        let list = if parent == ROOT {
            self.root_children.as_mut()
        } else {
            self.nodes
                .get_mut(&parent)
                .and_then(|n| n.children.as_mut())
        };
        if let Some(list) = list
            && !list.contains(&id)
        {
            list.push(id);
        }
    }

    fn detach(&mut self, parent: u32, id: u32) {
        let list = if parent == ROOT {
            self.root_children.as_mut()
        } else {
            self.nodes
                .get_mut(&parent)
                .and_then(|n| n.children.as_mut())
        };
        if let Some(list) = list {
            list.retain(|&c| c != id);
        }
    }

    fn forget(&mut self, id: u32) {
        if let Some(node) = self.nodes.remove(&id) {
            self.by_name.remove(&(node.parent, node.name));
            self.infos.remove(&id);
            self.thumbs.remove(&id);
            for child in node.children.unwrap_or_default() {
                self.forget(child);
            }
        }
    }

    fn register(&mut self, parent: u32, name: String, is_dir: bool) -> u32 {
        if let Some(&id) = self.by_name.get(&(parent, name.clone())) {
            self.reserved.remove(&id);
            let node = self.nodes.entry(id).or_insert_with(|| Node {
                parent,
                name,
                is_dir,
                children: None,
            });
            node.is_dir = is_dir;
            return id;
        }
        let id = self.allocate();
        self.by_name.insert((parent, name.clone()), id);
        self.nodes.insert(
            id,
            Node {
                parent,
                name,
                is_dir,
                children: None,
            },
        );
        id
    }

    fn allocate(&mut self) -> u32 {
        let id = self.next_handle;
        self.next_handle = self.next_handle.wrapping_add(1).clamp(1, 0xFFFF_FFFE);
        id
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
        for gone in old.into_iter().filter(|id| !children.contains(id)) {
            self.forget(gone);
        }
        if dir == ROOT {
            self.root_children = Some(children.clone());
        } else if let Some(node) = self.nodes.get_mut(&dir) {
            node.children = Some(children.clone());
        }
        Ok(children)
    }

    fn walk(&mut self, dir: u32, out: &mut Vec<u32>) -> Result<(), StoreError> {
        for child in self.list(dir)? {
            out.push(child);
            if self.nodes.get(&child).is_some_and(|n| n.is_dir) {
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

    /// The folder number of a destination, checked to be a folder of this store.
    fn dest_dir(&mut self, destination: Destination) -> Result<u32, StoreError> {
        Self::check_storage(destination.storage)?;
        match destination.parent {
            None => Ok(ROOT),
            Some(h) => match self.node(h) {
                Ok(n) if n.is_dir => Ok(h.0),
                _ => Err(StoreError::InvalidParent(h)),
            },
        }
    }

    /// A folder's path, checked again on disk to be a real directory inside the root.
    fn safe_dir(&self, dir: u32) -> Result<PathBuf, StoreError> {
        let path = self
            .path_of(dir)
            .ok_or(StoreError::InvalidParent(ObjectHandle(dir)))?;
        let canonical =
            fs::canonicalize(&path).map_err(|e| StoreError::io("resolving the folder", &e))?;
        if !canonical.starts_with(&self.root) || !canonical.is_dir() {
            return Err(StoreError::AccessDenied(format!(
                "{} leaves the store",
                path.display()
            )));
        }
        Ok(canonical)
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
                let (tw, th) =
                    media::image_size(thumb).unwrap_or((render::THUMB_WIDTH, render::THUMB_HEIGHT));
                info.thumb_pix_width = tw;
                info.thumb_pix_height = th;
            } else {
                let cached = self.thumbs.get(&handle.0).map_or(0, |(_, t)| t.len());
                info.thumb_compressed_size = u32::try_from(cached).unwrap_or(u32::MAX);
                info.thumb_pix_width = render::THUMB_WIDTH;
                info.thumb_pix_height = render::THUMB_HEIGHT;
            }
        }
        info
    }

    fn write_new_file(&mut self, dir: u32, name: &str, data: &[u8]) -> Result<u32, StoreError> {
        let dir_path = self.safe_dir(dir)?;
        let target = dir_path.join(name);
        if fs::symlink_metadata(&target).is_ok() {
            return Err(StoreError::AlreadyExists(name.to_string()));
        }
        let mut tmp = temp_in(&dir_path)?;
        tmp.write_all(data)
            .map_err(|e| StoreError::io("writing", &e))?;
        persist(tmp, &target, name)?;
        Ok(self.register(dir, name.to_string(), false))
    }

    fn ensure_folder(&mut self, parent: u32, name: &str) -> Result<u32, StoreError> {
        if let Some(&id) = self.by_name.get(&(parent, name.to_string()))
            && self.nodes.get(&id).is_some_and(|n| n.is_dir)
            && self.path_of(id).is_some_and(|p| p.is_dir())
        {
            return Ok(id);
        }
        let path = self.safe_dir(parent)?.join(name);
        match fs::create_dir(&path) {
            Ok(()) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::AlreadyExists
                    && path.is_dir()
                    && !path.is_symlink() => {}
            Err(e) => return Err(StoreError::io(&format!("creating {}", path.display()), &e)),
        }
        let id = self.register(parent, name.to_string(), true);
        self.attach(parent, id);
        Ok(id)
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

fn read_head(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    File::open(path)?.take(max).read_to_end(&mut head)?;
    Ok(head)
}

fn temp_in(dir: &Path) -> Result<NamedTempFile, StoreError> {
    tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)
        .map_err(|e| {
            StoreError::io(
                &format!("creating a temporary file in {}", dir.display()),
                &e,
            )
        })
}

/// Links a finished temporary file to its name; never replaces an existing file.
fn persist(tmp: NamedTempFile, target: &Path, name: &str) -> Result<(), StoreError> {
    tmp.as_file()
        .sync_data()
        .map_err(|e| StoreError::io("syncing", &e))?;
    match tmp.persist_noclobber(target) {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(StoreError::AlreadyExists(name.to_string()))
        }
        Err(e) => Err(StoreError::io(
            &format!("storing {}", target.display()),
            &e.error,
        )),
    }
}

/// Reads a range of a file in chunks.
struct FileSource {
    file: File,
    remaining: u64,
    total: u64,
}

impl DataSource for FileSource {
    fn len(&self) -> u64 {
        self.total
    }

    fn read_chunk(&mut self, max: usize) -> Result<Bytes, StoreError> {
        let n = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(max);
        let mut buf = BytesMut::zeroed(n);
        let mut filled = 0;
        while filled < n {
            match self.file.read(&mut buf[filled..]) {
                Ok(0) => {
                    return Err(StoreError::Io(
                        "the file shrank while it was being read".into(),
                    ));
                }
                Ok(k) => filled += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(StoreError::io("reading", &e)),
            }
        }
        self.remaining -= n as u64;
        Ok(buf.freeze())
    }
}

/// SendObject data going into a temporary file next to its final name.
struct FolderUpload {
    tmp: NamedTempFile,
    target: PathBuf,
    name: String,
    handle: ObjectHandle,
}

impl Upload for FolderUpload {
    fn write(&mut self, chunk: &[u8]) -> Result<(), StoreError> {
        self.tmp.write_all(chunk).map_err(|e| match e.kind() {
            std::io::ErrorKind::StorageFull => StoreError::Full,
            _ => StoreError::io("writing the upload", &e),
        })
    }

    fn commit(self: Box<Self>) -> Result<ObjectHandle, StoreError> {
        persist(self.tmp, &self.target, &self.name)?;
        Ok(self.handle)
    }
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
            let f = if self.nodes.get(&id).is_some_and(|n| n.is_dir) {
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
            self.detach(node.parent, handle.0);
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
        self.detach(node.parent, handle.0);
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
            let id = self.register(dir, name, true);
            self.attach(dir, id);
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
        if let Some(&old) = self.by_name.get(&(dir, name.clone()))
            && self.reserved.remove(&old).is_some()
        {
            self.by_name.remove(&(dir, name.clone()));
        }
        let id = self.allocate();
        self.by_name.insert((dir, name.clone()), id);
        self.reserved.insert(id, (dir, name));
        Ok(PendingObject {
            handle: ObjectHandle(id),
            destination,
            info,
        })
    }

    fn begin_upload(&mut self, pending: &PendingObject) -> Result<Box<dyn Upload>, StoreError> {
        self.check_writable()?;
        let (dir, name) = self
            .reserved
            .get(&pending.handle.0)
            .cloned()
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
        if self.root_children.is_none() {
            self.list(ROOT)?;
        }
        for part in folder {
            check_file_name(part)?;
            dir = self.ensure_folder(dir, part)?;
        }
        let id = self.write_new_file(dir, name, &data)?;
        self.attach(dir, id);
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
        let mut cur = dir;
        while cur != ROOT {
            if cur == handle.0 {
                return Err(StoreError::InvalidParent(ObjectHandle(dir)));
            }
            cur = self.nodes.get(&cur).map_or(ROOT, |n| n.parent);
        }
        let from = self.object_path(handle)?;
        let to = self.safe_dir(dir)?.join(&node.name);
        if fs::symlink_metadata(&to).is_ok() {
            return Err(StoreError::AlreadyExists(node.name));
        }
        fs::rename(&from, &to).map_err(|e| StoreError::io("moving", &e))?;
        self.detach(node.parent, handle.0);
        self.by_name.remove(&(node.parent, node.name.clone()));
        self.by_name.insert((dir, node.name), handle.0);
        if let Some(n) = self.nodes.get_mut(&handle.0) {
            n.parent = dir;
        }
        self.attach(dir, handle.0);
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
        let id = self.register(dir, node.name, false);
        self.attach(dir, id);
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
        self.by_name.remove(&(node.parent, node.name));
        self.by_name
            .insert((node.parent, name.to_string()), handle.0);
        if let Some(n) = self.nodes.get_mut(&handle.0) {
            n.name = name.to_string();
        }
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
        assert!(s.nodes.is_empty(), "opening a card visits nothing");
        let root = s
            .object_handles(CARD_STORAGE_ID, FormatFilter::Any, ParentFilter::Root)
            .unwrap();
        assert_eq!(root.len(), 1);
        assert_eq!(
            s.nodes.len(),
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
