//! The card slot: the [`ObjectStore`] decorator through which the camera reaches its card,
//! so a card can be taken out, fill up or be slow without the store behind it (a
//! [`FolderStore`](crate::FolderStore), or any other) knowing.
//!
//! [`Responder::new`](crate::Responder::new) puts every store in a [`CardSlot`]. While the
//! card is out the camera has no storage (GetStorageIDs lists none, StorageInfo and writes
//! answer InvalidStorageID) and no object (InvalidObjectHandle: the handles the client had are
//! invalid); the objects come back with the card. A full card refuses every write with
//! StoreFull and reports no free space. Every object opened for reading is noted, so the
//! responder can pace its data phase at a slow card's rate.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use ptp_types::{ObjectHandle, ObjectInfo, ProtectionStatus, StorageId, StorageInfo};

use crate::store::{
    DataSource, Destination, FormatFilter, ObjectEntry, ObjectStore, ParentFilter, PendingObject,
    StoreError, Upload,
};
use crate::watch::{CardChange, Noticed};

/// The state of the slot, shared between the [`CardSlot`] and the responder.
#[derive(Debug)]
pub(crate) struct SlotState {
    /// The card is in the slot.
    present: AtomicBool,
    /// The card is full.
    full: AtomicBool,
    /// An object of the card was opened for reading since the responder last looked.
    read: AtomicBool,
}

impl Default for SlotState {
    fn default() -> Self {
        Self {
            present: AtomicBool::new(true),
            full: AtomicBool::new(false),
            read: AtomicBool::new(false),
        }
    }
}

impl SlotState {
    pub(crate) fn present(&self) -> bool {
        self.present.load(Ordering::Relaxed)
    }

    /// Puts the card in or takes it out; returns whether that changed anything.
    pub(crate) fn set_present(&self, present: bool) -> bool {
        self.present.swap(present, Ordering::Relaxed) != present
    }

    pub(crate) fn full(&self) -> bool {
        self.full.load(Ordering::Relaxed)
    }

    pub(crate) fn set_full(&self, full: bool) {
        self.full.store(full, Ordering::Relaxed);
    }

    /// Whether a card object was opened for reading since the last call.
    pub(crate) fn take_read(&self) -> bool {
        self.read.swap(false, Ordering::Relaxed)
    }
}

/// A store seen through the camera's card slot (see the [module documentation](self)).
pub struct CardSlot {
    inner: Box<dyn ObjectStore>,
    state: Arc<SlotState>,
}

impl std::fmt::Debug for CardSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardSlot")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl CardSlot {
    pub(crate) fn new(inner: Box<dyn ObjectStore>, state: Arc<SlotState>) -> Self {
        Self { inner, state }
    }

    fn card(&self) -> Result<(), StoreError> {
        if self.state.present() {
            Ok(())
        } else {
            Err(StoreError::InvalidStorageId(crate::store::CARD_STORAGE_ID))
        }
    }

    fn object(&self, handle: ObjectHandle) -> Result<(), StoreError> {
        if self.state.present() {
            Ok(())
        } else {
            Err(StoreError::InvalidObjectHandle(handle))
        }
    }

    fn writable(&self) -> Result<(), StoreError> {
        self.card()?;
        if self.state.full() {
            return Err(StoreError::Full);
        }
        Ok(())
    }
}

impl ObjectStore for CardSlot {
    fn storage_ids(&self) -> Vec<StorageId> {
        if self.state.present() {
            self.inner.storage_ids()
        } else {
            Vec::new()
        }
    }

    fn storage_info(&mut self, storage: StorageId) -> Result<StorageInfo, StoreError> {
        self.card()?;
        let mut info = self.inner.storage_info(storage)?;
        if self.state.full() {
            info.free_space_in_bytes = 0;
            info.free_space_in_images = 0;
        }
        Ok(info)
    }

    fn object_handles(
        &mut self,
        storage: StorageId,
        format: FormatFilter,
        parent: ParentFilter,
    ) -> Result<Vec<ObjectHandle>, StoreError> {
        if !self.state.present() {
            return if storage == StorageId::ALL {
                Ok(Vec::new())
            } else {
                Err(StoreError::InvalidStorageId(storage))
            };
        }
        self.inner.object_handles(storage, format, parent)
    }

    fn object_info(&mut self, handle: ObjectHandle) -> Result<ObjectInfo, StoreError> {
        self.object(handle)?;
        self.inner.object_info(handle)
    }

    fn object_entry(&mut self, handle: ObjectHandle) -> Result<ObjectEntry, StoreError> {
        self.object(handle)?;
        self.inner.object_entry(handle)
    }

    fn object_size(&mut self, handle: ObjectHandle) -> Result<u64, StoreError> {
        self.object(handle)?;
        self.inner.object_size(handle)
    }

    fn open(
        &mut self,
        handle: ObjectHandle,
        offset: u64,
        len: Option<u64>,
    ) -> Result<Box<dyn DataSource>, StoreError> {
        self.object(handle)?;
        let source = self.inner.open(handle, offset, len)?;
        self.state.read.store(true, Ordering::Relaxed);
        Ok(source)
    }

    fn thumbnail(&mut self, handle: ObjectHandle) -> Result<Bytes, StoreError> {
        self.object(handle)?;
        self.inner.thumbnail(handle)
    }

    fn delete(&mut self, handle: ObjectHandle) -> Result<(), StoreError> {
        self.object(handle)?;
        self.inner.delete(handle)
    }

    fn prepare(
        &mut self,
        destination: Destination,
        info: ObjectInfo,
    ) -> Result<PendingObject, StoreError> {
        self.writable()?;
        self.inner.prepare(destination, info)
    }

    fn begin_upload(&mut self, pending: &PendingObject) -> Result<Box<dyn Upload>, StoreError> {
        self.writable()?;
        self.inner.begin_upload(pending)
    }

    fn add_object(
        &mut self,
        storage: StorageId,
        folder: &[&str],
        name: &str,
        data: Bytes,
    ) -> Result<ObjectHandle, StoreError> {
        self.writable()?;
        self.inner.add_object(storage, folder, name, data)
    }

    fn set_protection(
        &mut self,
        handle: ObjectHandle,
        status: ProtectionStatus,
    ) -> Result<(), StoreError> {
        self.object(handle)?;
        self.inner.set_protection(handle, status)
    }

    fn move_object(
        &mut self,
        handle: ObjectHandle,
        destination: Destination,
    ) -> Result<(), StoreError> {
        self.object(handle)?;
        self.inner.move_object(handle, destination)
    }

    fn copy_object(
        &mut self,
        handle: ObjectHandle,
        destination: Destination,
    ) -> Result<ObjectHandle, StoreError> {
        self.object(handle)?;
        self.writable()?;
        self.inner.copy_object(handle, destination)
    }

    fn format(&mut self, storage: StorageId) -> Result<(), StoreError> {
        self.card()?;
        self.inner.format(storage)
    }

    fn rename(&mut self, handle: ObjectHandle, name: &str) -> Result<(), StoreError> {
        self.object(handle)?;
        self.inner.rename(handle, name)
    }

    fn is_read_only(&self) -> bool {
        self.inner.is_read_only()
    }

    /// The store learns of every change to its folder; the initiator hears of them only while
    /// the card is in (a card put back is announced whole with StoreAdded).
    fn notice(&mut self, change: &CardChange) -> Vec<Noticed> {
        let noticed = self.inner.notice(change);
        if self.state.present() {
            noticed
        } else {
            Vec::new()
        }
    }
}
