//! File I/O of the [`FolderStore`]: folders checked on disk to stay inside the root, files
//! written to a temporary name and linked into place without replacing anything, and the
//! streaming reader and upload behind [`DataSource`] and [`Upload`].

use std::fs::{self, File};
use std::io::{Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use bytes::{Bytes, BytesMut};
use ptp_types::ObjectHandle;
use tempfile::NamedTempFile;

use super::tree::{Found, HandleTree, ROOT};
use super::{Facts, FolderStore};
use crate::render::{THUMB_HEIGHT, THUMB_WIDTH};
use crate::store::{DataSource, Destination, StoreError, Upload, media};

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

    /// Whether a new entry `name` in `dir` would repeat the alias shown for a long name there
    /// (the host has no file of that name, but the initiator sees one).
    pub(super) fn alias_taken(&self, dir: u32, name: &str) -> bool {
        self.tree.lookup(dir, name).is_none() && self.tree.name_taken(dir, name)
    }

    /// The handle of `name` in `dir`, found or new (see [`HandleTree::register`]).
    pub(super) fn register(&mut self, dir: u32, name: &str, is_dir: bool) -> u32 {
        let (id, gone) = self.tree.register(dir, name, is_dir);
        self.dropped(&gone);
        id
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
        if fs::symlink_metadata(&target).is_ok() || self.alias_taken(dir, name) {
            return Err(StoreError::AlreadyExists(name.to_string()));
        }
        let mut tmp = temp_in(&dir_path)?;
        tmp.write_all(data)
            .map_err(|e| StoreError::io("writing", &e))?;
        persist(tmp, &target, name)?;
        Ok(self.register(dir, name, false))
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
        let id = self.register(parent, name, true);
        self.tree.attach(parent, id);
        Ok(id)
    }
}

/// The descriptor of the folder `dir` of `tree`: the one in `cache` when it is that folder's,
/// else the folder opened (not following a link) and kept in `cache`.
pub(super) fn folder_fd<'a>(
    cache: &'a mut Option<(u32, OwnedFd)>,
    tree: &HandleTree,
    root: &Path,
    dir: u32,
) -> std::io::Result<BorrowedFd<'a>> {
    if cache.as_ref().is_none_or(|(d, _)| *d != dir) {
        let path = tree
            .path_of(root, dir)
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
        *cache = Some((dir, open_folder(&path)?));
    }
    match cache.as_ref() {
        Some((_, fd)) => Ok(fd.as_fd()),
        None => Err(std::io::ErrorKind::NotFound.into()),
    }
}

fn open_folder(path: &Path) -> std::io::Result<OwnedFd> {
    use rustix::fs::{Mode, OFlags};
    Ok(rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NOFOLLOW,
        Mode::empty(),
    )?)
}

/// Reads the folder `path` (the folder `dir` of `tree`) and sorts its entries into those
/// `tree` knows and new ones ([`HandleTree::listing`]). Hidden names (a leading dot, which
/// includes vcam's temporary files) are skipped, and so are entries that are neither files nor
/// folders, names that are not UTF-8, and symbolic links except those to a file inside `root`.
/// The names of entries already known are not copied. Returns the folder's descriptor too.
pub(super) fn read_folder(
    root: &Path,
    path: &Path,
    tree: &HandleTree,
    dir: u32,
) -> std::io::Result<(OwnedFd, Found)> {
    use rustix::fs::{AtFlags, FileType};
    let fd = open_folder(path)?;
    let mut entries = rustix::fs::Dir::read_from(&fd)?;
    let mut found = tree.found_for(dir);
    while let Some(entry) = entries.read() {
        let entry = entry?;
        let Ok(name) = entry.file_name().to_str() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let mut kind = entry.file_type();
        if kind == FileType::Unknown {
            kind = match rustix::fs::statat(&fd, entry.file_name(), AtFlags::SYMLINK_NOFOLLOW) {
                Ok(stat) => FileType::from_raw_mode(stat.st_mode),
                Err(_) => continue,
            };
        }
        let Some(is_dir) = shown_kind(root, kind, &path.join(name)) else {
            continue;
        };
        tree.listing(dir, &mut found, name, is_dir);
    }
    Ok((fd, found))
}

/// Whether an entry of type `kind` at `path` is shown, and as a folder (`true`) or a file:
/// folders and regular files are; only links to files inside the root are shown, links to
/// folders never are, so a walk can neither leave the root nor loop. Names starting with a
/// dot are the caller's to hide.
pub(super) fn shown_kind(root: &Path, kind: rustix::fs::FileType, path: &Path) -> Option<bool> {
    use rustix::fs::FileType;
    match kind {
        FileType::Directory => Some(true),
        FileType::RegularFile => Some(false),
        FileType::Symlink => match fs::canonicalize(path) {
            Ok(target) if target.starts_with(root) && target.is_file() => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Bytes read first to learn a file's format; a JPEG's header is then read as far as its
/// segments say ([`media::jpeg_bytes_needed`]), up to [`media::MAX_HEADER_LEN`].
const FIRST_READ: usize = 4096;

/// What the first bytes of `file` (named `name`, `len` bytes long) say: its format, and with
/// `full` the image size and EXIF thumbnail. `file` is `None` for a file whose extension names
/// a format without a signature (a movie, a text: [`media::needs_content`]), or one that could
/// not be opened; the name decides then.
pub(super) fn probe(file: Option<&File>, name: &str, len: u64, full: bool) -> Facts {
    let mut facts = Facts {
        format: media::format_from_name(name),
        full: true,
        image: None,
        thumb: None,
    };
    let Some(file) = file else {
        return facts;
    };
    let mut head = Vec::new();
    let mut want = FIRST_READ;
    loop {
        let want_now = u64::try_from(want).unwrap_or(u64::MAX).min(len);
        if (head.len() as u64) < want_now && read_more(file, &mut head, want_now).is_err() {
            break;
        }
        if !full || !media::object_format(name, &head).is_image() {
            break;
        }
        match media::jpeg_bytes_needed(&head) {
            Some(n)
                if n > head.len() && n <= media::MAX_HEADER_LEN && (head.len() as u64) < len =>
            {
                want = n;
            }
            _ => break,
        }
    }
    facts.format = media::object_format(name, &head);
    facts.full = full;
    if full && facts.format.is_image() {
        facts.image = media::image_size(&head);
        facts.thumb = media::exif_thumbnail(&head).map(|t| {
            let (w, h) = media::image_size(t).unwrap_or((THUMB_WIDTH, THUMB_HEIGHT));
            (u32::try_from(t.len()).unwrap_or(u32::MAX), w, h)
        });
    }
    facts
}

/// Extends `head` (the start of `file`) to `want` bytes, or to the end of the file.
fn read_more(file: &File, head: &mut Vec<u8>, want: u64) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    let have = head.len();
    let want = usize::try_from(want).unwrap_or(usize::MAX);
    head.resize(want, 0);
    let mut filled = have;
    while filled < want {
        match file.read_at(head.get_mut(filled..).unwrap_or_default(), filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                head.truncate(filled);
                return Err(e);
            }
        }
    }
    head.truncate(filled);
    Ok(())
}

/// The first `max` bytes of `file`.
pub(super) fn read_head(file: &File, max: usize) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    read_more(file, &mut head, u64::try_from(max).unwrap_or(u64::MAX))?;
    Ok(head)
}

/// Mode asked for new files: read and write for everyone, which the process umask narrows, as
/// for any program that creates a file (`creat(2)` with 0666). The file is renamed into place
/// with that mode, so uploads and captures get what `touch` would give them.
const NEW_FILE_MODE: u32 = 0o666;

/// A new temporary file in `dir`, under a name that is never listed, created with
/// [`NEW_FILE_MODE`] less the umask.
pub(super) fn temp_in(dir: &Path) -> Result<NamedTempFile, StoreError> {
    tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .permissions(fs::Permissions::from_mode(NEW_FILE_MODE))
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
