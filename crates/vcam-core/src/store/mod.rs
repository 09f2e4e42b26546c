//! Object storage behind a trait: what a camera's memory card holds.
//!
//! The responder reaches objects only through [`ObjectStore`]. vcam ships [`FolderStore`], a
//! card backed by a host directory; the built-in sample card is a [`FolderStore`] over a
//! temporary directory ([`FolderStore::from_temp_dir`]).
//!
//! Object data is always streamed: [`ObjectStore::open`] returns a [`DataSource`] that yields
//! bounded chunks, and uploads go through an [`Upload`] that is committed atomically.

use std::collections::VecDeque;
use std::fmt;

use bytes::Bytes;
use ptp_types::{
    AssociationType, DateTime, ObjectFormatCode, ObjectHandle, ObjectInfo, ProtectionStatus,
    PtpString, ResponseCode, StorageId, StorageInfo,
};

use crate::watch::{CardChange, Noticed};

mod folder;
mod listing;
pub mod media;

pub use folder::FolderStore;
pub use listing::{EncodeEntry, LISTING_PIECE, ListingSource};

/// The StorageID of the (single) memory card of the stores vcam ships: physical store 1,
/// logical store 1 (ISO 15740:2013 §5.2.2).
pub const CARD_STORAGE_ID: StorageId = StorageId(0x0001_0001);

/// Why a store operation failed. Each variant maps to the response code a real camera gives
/// ([`StoreError::response_code`]), which is the only place that mapping is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No such storage.
    #[error("no storage {0:?}")]
    InvalidStorageId(StorageId),
    /// No such object (or it vanished from the backing folder).
    #[error("no object {0:?}")]
    InvalidObjectHandle(ObjectHandle),
    /// The parent handle is not a folder of this storage.
    #[error("{0:?} is not a folder of this storage")]
    InvalidParent(ObjectHandle),
    /// The storage is read-only.
    #[error("the storage is read-only")]
    ReadOnly,
    /// The object is write protected.
    #[error("object {0:?} is write protected")]
    WriteProtected(ObjectHandle),
    /// Not enough free space.
    #[error("the storage is full")]
    Full,
    /// The object has no thumbnail.
    #[error("object {0:?} has no thumbnail")]
    NoThumbnail(ObjectHandle),
    /// Filtering by format is not supported for this request.
    #[error("filtering by object format is not supported here")]
    FormatFilterUnsupported,
    /// The ObjectInfo or name sent by the initiator is not acceptable (a name with a path
    /// separator, `..`, an absolute path, a NUL, an empty name ...). Answered with the PTP code
    /// InvalidDataset (0x2023, ISO 15740:2013 §11), which every body has: MTP devices answer
    /// PTP codes too, while MTP's own Invalid_Dataset (0xA806) would be a code a PTP-only
    /// body does not know.
    #[error("invalid object: {0}")]
    InvalidObject(String),
    /// The object format is not supported.
    #[error("unsupported object format {0:?}")]
    InvalidFormat(ObjectFormatCode),
    /// Refused for safety, for example a path that would leave the store's root.
    #[error("access denied: {0}")]
    AccessDenied(String),
    /// Some objects could not be deleted.
    #[error("only some objects were deleted")]
    PartialDeletion,
    /// An object of that name already exists in the folder.
    #[error("{0:?} already exists")]
    AlreadyExists(String),
    /// The received data does not match the announced size.
    #[error("received {received} bytes, expected {expected}")]
    SizeMismatch {
        /// Bytes announced in the ObjectInfo.
        expected: u64,
        /// Bytes received.
        received: u64,
    },
    /// The backing storage failed.
    #[error("storage I/O error: {0}")]
    Io(String),
}

impl StoreError {
    /// The PTP response code a real camera answers with.
    #[must_use]
    pub const fn response_code(&self) -> ResponseCode {
        match self {
            Self::InvalidStorageId(_) => ResponseCode::INVALID_STORAGE_ID,
            Self::InvalidObjectHandle(_) => ResponseCode::INVALID_OBJECT_HANDLE,
            Self::InvalidParent(_) => ResponseCode::INVALID_PARENT_OBJECT,
            Self::ReadOnly => ResponseCode::STORE_READ_ONLY,
            Self::WriteProtected(_) => ResponseCode::OBJECT_WRITE_PROTECTED,
            Self::Full => ResponseCode::STORE_FULL,
            Self::NoThumbnail(_) => ResponseCode::NO_THUMBNAIL_PRESENT,
            Self::FormatFilterUnsupported => ResponseCode::SPECIFICATION_BY_FORMAT_UNSUPPORTED,
            Self::InvalidObject(_) => ResponseCode::INVALID_DATA_SET,
            Self::InvalidFormat(_) => ResponseCode::INVALID_OBJECT_FORMAT_CODE,
            Self::AccessDenied(_) => ResponseCode::ACCESS_DENIED,
            Self::PartialDeletion => ResponseCode::PARTIAL_DELETION,
            Self::AlreadyExists(_) => ResponseCode::GENERAL_ERROR,
            Self::SizeMismatch { .. } => ResponseCode::INCOMPLETE_TRANSFER,
            Self::Io(_) => ResponseCode::GENERAL_ERROR,
        }
    }

    /// An I/O error with its context.
    #[must_use]
    pub fn io(context: &str, err: &std::io::Error) -> Self {
        Self::Io(format!("{context}: {err}"))
    }
}

/// The parent filter of GetObjectHandles / GetNumObjects (ISO 15740:2013 §10.5.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentFilter {
    /// Parameter 0: every object of the storage, at any depth.
    Any,
    /// Parameter 0xFFFFFFFF: objects in the root of the storage.
    Root,
    /// Objects directly inside this association.
    In(ObjectHandle),
}

impl ParentFilter {
    /// Reads the parameter as ISO 15740 defines it.
    #[must_use]
    pub const fn from_param(param: u32) -> Self {
        match param {
            0 => Self::Any,
            0xFFFF_FFFF => Self::Root,
            h => Self::In(ObjectHandle(h)),
        }
    }
}

/// The format filter of GetObjectHandles / GetNumObjects / DeleteObject (ISO 15740:2013
/// §10.5.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatFilter {
    /// Parameter 0: any format.
    Any,
    /// Parameter 0xFFFFFFFF: image formats only.
    Images,
    /// Only this format.
    Exactly(ObjectFormatCode),
}

impl FormatFilter {
    /// Reads the parameter as ISO 15740 defines it. Values that are not a 16-bit format code
    /// are `None` (answered with InvalidObjectFormatCode).
    #[must_use]
    pub fn from_param(param: u32) -> Option<Self> {
        match param {
            0 => Some(Self::Any),
            0xFFFF_FFFF => Some(Self::Images),
            p => u16::try_from(p)
                .ok()
                .map(|c| Self::Exactly(ObjectFormatCode(c))),
        }
    }

    /// Whether an object of `format` passes.
    #[must_use]
    pub const fn matches(&self, format: ObjectFormatCode) -> bool {
        match self {
            Self::Any => true,
            Self::Images => format.is_image(),
            Self::Exactly(f) => f.0 == format.0,
        }
    }
}

/// Where a new object should go (the parameters of SendObjectInfo, already resolved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Destination {
    /// Target storage (never [`StorageId::ALL`]).
    pub storage: StorageId,
    /// Parent folder, or `None` for the storage's root.
    pub parent: Option<ObjectHandle>,
}

/// An object announced by SendObjectInfo and waiting for SendObject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingObject {
    /// The handle the object will have (returned to the initiator now).
    pub handle: ObjectHandle,
    /// Where it goes.
    pub destination: Destination,
    /// The ObjectInfo the initiator sent, with its file name checked.
    pub info: ObjectInfo,
}

/// What a folder listing tells about an object (Canon EOS GetObjectInfoEx, MTP
/// GetObjectPropList, a format filter): the ObjectInfo fields that come from the directory
/// entry, its metadata and the format signature, without the image header work of
/// [`ObjectStore::object_info`], and the full 64-bit size.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectEntry {
    /// The object.
    pub handle: ObjectHandle,
    /// Its storage.
    pub storage_id: StorageId,
    /// Its folder (0: the root of the storage).
    pub parent: ObjectHandle,
    /// Its format ([`ObjectFormatCode::ASSOCIATION`] for a folder).
    pub format: ObjectFormatCode,
    /// [`AssociationType::GENERIC_FOLDER`] for a folder.
    pub association_type: AssociationType,
    /// Write protection.
    pub protection_status: ProtectionStatus,
    /// Size in bytes (0 for a folder).
    pub size: u64,
    /// Last modification, the capture date of a camera's own files.
    pub modified: Option<DateTime>,
    /// The name the initiator sees.
    pub filename: PtpString,
}

impl ObjectEntry {
    /// The entry of an object with ObjectInfo `info` and full size `size`.
    #[must_use]
    pub fn from_info(handle: ObjectHandle, info: &ObjectInfo, size: u64) -> Self {
        Self {
            handle,
            storage_id: info.storage_id,
            parent: info.parent_object,
            format: info.object_format,
            association_type: info.association_type,
            protection_status: info.protection_status,
            size,
            modified: info.modification_date.or(info.capture_date),
            filename: info.filename.clone(),
        }
    }

    /// Whether it is a folder.
    #[must_use]
    pub fn is_folder(&self) -> bool {
        self.format == ObjectFormatCode::ASSOCIATION
    }
}

/// A stream of object data, read in bounded chunks.
pub trait DataSource: Send {
    /// Bytes this source yields in total.
    fn len(&self) -> u64;

    /// Whether the source yields nothing.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The next chunk of at most `max` bytes (never empty while bytes remain).
    fn read_chunk(&mut self, max: usize) -> Result<Bytes, StoreError>;

    /// The next chunk, with the camera's store at hand: the responder reads data phases
    /// through this method, so a source can make its bytes from the store as they are sent
    /// (a [`ListingSource`] lists a hundred thousand objects without holding them). The
    /// default reads [`DataSource::read_chunk`].
    fn read_chunk_from(
        &mut self,
        store: &mut dyn ObjectStore,
        max: usize,
    ) -> Result<Bytes, StoreError> {
        let _ = store;
        self.read_chunk(max)
    }
}

impl fmt::Debug for dyn DataSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataSource")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

/// A [`DataSource`] over bytes already in memory.
#[derive(Debug, Clone)]
pub struct BytesSource {
    data: Bytes,
}

impl BytesSource {
    /// A source yielding `data`.
    #[must_use]
    pub const fn new(data: Bytes) -> Self {
        Self { data }
    }
}

impl DataSource for BytesSource {
    fn len(&self) -> u64 {
        self.data.len() as u64
    }

    fn read_chunk(&mut self, max: usize) -> Result<Bytes, StoreError> {
        let n = max.min(self.data.len());
        Ok(self.data.split_to(n))
    }
}

/// A [`DataSource`] that yields several sources one after another, without copying: a
/// vendor's data phase made of a header, an object and a trailer (Canon EOS viewfinder data:
/// a record header, the JPEG frame, then metadata records).
pub struct ChainSource {
    /// The parts still to read, each with the bytes it still owes.
    parts: VecDeque<(Box<dyn DataSource>, u64)>,
    total: u64,
}

impl ChainSource {
    /// A source yielding `parts` in order; its length is the sum of theirs.
    #[must_use]
    pub fn new(parts: impl IntoIterator<Item = Box<dyn DataSource>>) -> Self {
        let parts: VecDeque<_> = parts
            .into_iter()
            .map(|part| {
                let len = part.len();
                (part, len)
            })
            .filter(|(_, len)| *len > 0)
            .collect();
        let total = parts
            .iter()
            .map(|(_, len)| *len)
            .fold(0, u64::saturating_add);
        Self { parts, total }
    }

    /// A source yielding byte buffers already in memory, in order.
    #[must_use]
    pub fn from_bytes(parts: impl IntoIterator<Item = Bytes>) -> Self {
        Self::new(
            parts
                .into_iter()
                .map(|bytes| Box::new(BytesSource::new(bytes)) as Box<dyn DataSource>),
        )
    }
}

impl fmt::Debug for ChainSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChainSource")
            .field("parts", &self.parts.len())
            .field("len", &self.total)
            .finish()
    }
}

impl DataSource for ChainSource {
    fn len(&self) -> u64 {
        self.total
    }

    fn read_chunk(&mut self, max: usize) -> Result<Bytes, StoreError> {
        self.next_part_chunk(None, max)
    }

    fn read_chunk_from(
        &mut self,
        store: &mut dyn ObjectStore,
        max: usize,
    ) -> Result<Bytes, StoreError> {
        self.next_part_chunk(Some(store), max)
    }
}

impl ChainSource {
    fn next_part_chunk(
        &mut self,
        store: Option<&mut dyn ObjectStore>,
        max: usize,
    ) -> Result<Bytes, StoreError> {
        let Some((part, owed)) = self.parts.front_mut() else {
            return Ok(Bytes::new());
        };
        let want = usize::try_from(*owed).unwrap_or(usize::MAX).min(max);
        let chunk = match store {
            Some(store) => part.read_chunk_from(store, want)?,
            None => part.read_chunk(want)?,
        };
        if want > 0 && (chunk.is_empty() || chunk.len() > want) {
            return Err(StoreError::Io(format!(
                "a part of a chained source yielded {} bytes where {want} were asked and {owed} owed",
                chunk.len()
            )));
        }
        *owed -= chunk.len() as u64;
        if *owed == 0 {
            self.parts.pop_front();
        }
        Ok(chunk)
    }
}

/// Object data being received. Nothing is visible in the store until [`Upload::commit`]
/// succeeds; dropping an upload without committing discards it.
pub trait Upload: Send {
    /// Appends a chunk.
    fn write(&mut self, chunk: &[u8]) -> Result<(), StoreError>;

    /// Makes the object visible, atomically; returns its handle.
    fn commit(self: Box<Self>) -> Result<ObjectHandle, StoreError>;
}

impl fmt::Debug for dyn Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Upload")
    }
}

/// A camera's object storage. Handles are allocated by the store, lazily: a store with a
/// hundred thousand files must not need to visit them before it is first asked.
///
/// Every method validates its arguments and answers with a [`StoreError`]; none may panic on
/// any input.
pub trait ObjectStore: Send {
    /// The StorageIDs (GetStorageIDs).
    fn storage_ids(&self) -> Vec<StorageId>;

    /// StorageInfo of one storage.
    fn storage_info(&mut self, storage: StorageId) -> Result<StorageInfo, StoreError>;

    /// Handles matching the filters of GetObjectHandles. `storage` may be
    /// [`StorageId::ALL`].
    fn object_handles(
        &mut self,
        storage: StorageId,
        format: FormatFilter,
        parent: ParentFilter,
    ) -> Result<Vec<ObjectHandle>, StoreError>;

    /// The ObjectInfo of an object.
    fn object_info(&mut self, handle: ObjectHandle) -> Result<ObjectInfo, StoreError>;

    /// What a folder listing shows of an object ([`ObjectEntry`]): cheaper than
    /// [`ObjectStore::object_info`], which also reads the image header. The default builds it
    /// from `object_info` and `object_size`.
    fn object_entry(&mut self, handle: ObjectHandle) -> Result<ObjectEntry, StoreError> {
        let info = self.object_info(handle)?;
        let size = self.object_size(handle)?;
        Ok(ObjectEntry::from_info(handle, &info, size))
    }

    /// Full object size in bytes (ObjectInfo's size field is only 32 bits).
    fn object_size(&mut self, handle: ObjectHandle) -> Result<u64, StoreError>;

    /// Streams `len` bytes of the object from `offset` (`None`: to the end). A range past the
    /// end is cut at the end.
    fn open(
        &mut self,
        handle: ObjectHandle,
        offset: u64,
        len: Option<u64>,
    ) -> Result<Box<dyn DataSource>, StoreError>;

    /// The object's thumbnail (JPEG).
    fn thumbnail(&mut self, handle: ObjectHandle) -> Result<Bytes, StoreError>;

    /// Deletes an object; an association is deleted with everything in it.
    fn delete(&mut self, handle: ObjectHandle) -> Result<(), StoreError>;

    /// Checks an ObjectInfo sent with SendObjectInfo and reserves a handle for it. A folder
    /// (association) is created at once; anything else waits for [`ObjectStore::begin_upload`].
    fn prepare(
        &mut self,
        destination: Destination,
        info: ObjectInfo,
    ) -> Result<PendingObject, StoreError>;

    /// Starts receiving the data of a prepared object (SendObject).
    fn begin_upload(&mut self, pending: &PendingObject) -> Result<Box<dyn Upload>, StoreError>;

    /// Stores a new object made by the camera itself (a capture): `folder` is a path of
    /// folder names under the root, created when missing (for example `["DCIM", "100VCAM"]`).
    /// Fails with [`StoreError::AlreadyExists`] rather than overwrite.
    fn add_object(
        &mut self,
        storage: StorageId,
        folder: &[&str],
        name: &str,
        data: Bytes,
    ) -> Result<ObjectHandle, StoreError>;

    /// Sets an object's ProtectionStatus.
    fn set_protection(
        &mut self,
        handle: ObjectHandle,
        status: ProtectionStatus,
    ) -> Result<(), StoreError>;

    /// Moves an object to another folder (MoveObject).
    fn move_object(
        &mut self,
        handle: ObjectHandle,
        destination: Destination,
    ) -> Result<(), StoreError>;

    /// Copies an object (CopyObject); returns the new handle.
    fn copy_object(
        &mut self,
        handle: ObjectHandle,
        destination: Destination,
    ) -> Result<ObjectHandle, StoreError>;

    /// Deletes every object of a storage (FormatStore).
    fn format(&mut self, storage: StorageId) -> Result<(), StoreError>;

    /// Renames an object (MTP ObjectFileName).
    fn rename(&mut self, handle: ObjectHandle, name: &str) -> Result<(), StoreError>;

    /// Whether the store refuses every write (`--read-only`).
    fn is_read_only(&self) -> bool;

    /// Another program changed what backs the store ([`crate::watch`]): gives a new object its
    /// handle, forgets one that went, and returns what the initiator should hear of (nothing
    /// for a change the store already knows of, such as its own writes). The default, for
    /// stores nothing else can change, ignores it.
    fn notice(&mut self, change: &CardChange) -> Vec<Noticed> {
        let _ = change;
        Vec::new()
    }
}

/// Checks a file name sent by an initiator: one path component, no separators, no `.` or
/// `..`, no NUL or control characters, not empty, at most 255 bytes.
pub fn check_file_name(name: &str) -> Result<(), StoreError> {
    let bad = |why: &str| {
        Err(StoreError::InvalidObject(format!(
            "file name {name:?}: {why}"
        )))
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > 255 {
        return bad("longer than 255 bytes");
    }
    if name == "." || name == ".." {
        return bad("not a file name");
    }
    if name.contains(['/', '\\']) {
        return bad("contains a path separator");
    }
    if name.chars().any(char::is_control) {
        return bad("contains a control character");
    }
    Ok(())
}

/// Whether `info` describes a folder.
#[must_use]
pub fn is_folder(info: &ObjectInfo) -> bool {
    info.object_format == ObjectFormatCode::ASSOCIATION
        || (info.association_type == AssociationType::GENERIC_FOLDER
            && info.object_format == ObjectFormatCode::UNDEFINED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_checked() {
        for good in ["IMG_0001.JPG", "a b.txt", "été.jpg", ".hidden"] {
            assert!(check_file_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            "a\\b",
            "/etc/passwd",
            "a\0b",
            "a\nb",
        ] {
            assert!(check_file_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_file_name(&"x".repeat(256)).is_err());
    }

    #[test]
    fn errors_map_to_response_codes() {
        assert_eq!(
            StoreError::ReadOnly.response_code(),
            ResponseCode::STORE_READ_ONLY
        );
        assert_eq!(
            StoreError::InvalidObjectHandle(ObjectHandle(3)).response_code(),
            ResponseCode::INVALID_OBJECT_HANDLE
        );
    }

    #[test]
    fn chain_source_concatenates_without_crossing_parts() {
        let mut s = ChainSource::new([
            Box::new(BytesSource::new(Bytes::from_static(b"head"))) as Box<dyn DataSource>,
            Box::new(BytesSource::new(Bytes::new())),
            Box::new(ChainSource::from_bytes([
                Bytes::from_static(b"JPEG"),
                Bytes::from_static(b"DATA"),
            ])),
            Box::new(BytesSource::new(Bytes::from_static(b"tail"))),
        ]);
        assert_eq!(s.len(), 16);
        let mut out = Vec::new();
        let mut chunks = Vec::new();
        loop {
            let chunk = s.read_chunk(3).unwrap();
            if chunk.is_empty() {
                break;
            }
            assert!(chunk.len() <= 3);
            chunks.push(chunk.len());
            out.extend_from_slice(&chunk);
        }
        assert_eq!(out, b"headJPEGDATAtail");
        // A chunk never spans two parts.
        assert_eq!(chunks, [3, 1, 3, 1, 3, 1, 3, 1]);
        assert_eq!(s.len(), 16, "the length is the total, as for a file");
        assert!(ChainSource::from_bytes([]).is_empty());
    }

    #[test]
    fn bytes_source_chunks() {
        let mut s = BytesSource::new(Bytes::from_static(b"hello world"));
        assert_eq!(s.len(), 11);
        assert_eq!(&s.read_chunk(5).unwrap()[..], b"hello");
        assert_eq!(&s.read_chunk(100).unwrap()[..], b" world");
        assert!(s.is_empty());
    }
}
