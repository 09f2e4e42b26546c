//! File I/O of the [`FolderStore`]: folders checked on disk to stay inside the root, files
//! written to a temporary name and linked into place without replacing anything, and the
//! streaming reader and upload behind [`DataSource`] and [`Upload`].

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use bytes::{Bytes, BytesMut};
use ptp_types::ObjectHandle;
use tempfile::NamedTempFile;

use super::FolderStore;
use super::tree::ROOT;
use crate::store::{DataSource, Destination, StoreError, Upload};

/// Prefix of temporary files; such names are never listed.
pub(super) const TEMP_PREFIX: &str = ".vcam-";

impl FolderStore {
    /// The folder number of a destination, checked to be a folder of this store.
    pub(super) fn dest_dir(&mut self, destination: Destination) -> Result<u32, StoreError> {
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
    pub(super) fn safe_dir(&self, dir: u32) -> Result<PathBuf, StoreError> {
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

    /// Writes a new file `name` into the folder `dir` and gives it a handle; never replaces a
    /// file.
    pub(super) fn write_new_file(
        &mut self,
        dir: u32,
        name: &str,
        data: &[u8],
    ) -> Result<u32, StoreError> {
        let dir_path = self.safe_dir(dir)?;
        let target = dir_path.join(name);
        if fs::symlink_metadata(&target).is_ok() {
            return Err(StoreError::AlreadyExists(name.to_string()));
        }
        let mut tmp = temp_in(&dir_path)?;
        tmp.write_all(data)
            .map_err(|e| StoreError::io("writing", &e))?;
        persist(tmp, &target, name)?;
        Ok(self.tree.register(dir, name.to_string(), false))
    }

    /// The folder `name` in `parent`, created when missing.
    pub(super) fn ensure_folder(&mut self, parent: u32, name: &str) -> Result<u32, StoreError> {
        if let Some(id) = self.tree.lookup(parent, name)
            && self.tree.is_dir(id)
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
        let id = self.tree.register(parent, name.to_string(), true);
        self.tree.attach(parent, id);
        Ok(id)
    }
}

/// The first `max` bytes of a file.
pub(super) fn read_head(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    File::open(path)?.take(max).read_to_end(&mut head)?;
    Ok(head)
}

/// A new temporary file in `dir`, under a name that is never listed.
pub(super) fn temp_in(dir: &Path) -> Result<NamedTempFile, StoreError> {
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
pub(super) fn persist(tmp: NamedTempFile, target: &Path, name: &str) -> Result<(), StoreError> {
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
pub(super) struct FileSource {
    pub(super) file: File,
    pub(super) remaining: u64,
    pub(super) total: u64,
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
pub(super) struct FolderUpload {
    pub(super) tmp: NamedTempFile,
    pub(super) target: PathBuf,
    pub(super) name: String,
    pub(super) handle: ObjectHandle,
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
