//! Storage and object operations the EOS way: GetStorageIDs/GetStorageInfo (0x9101/0x9102),
//! GetObjectInfoEx (0x9109), GetObject and GetPartialObject(Ex) (0x9104, 0x9107, 0x912C),
//! DeleteObject (0x9105), over card and camera-memory objects (libgphoto2 `ptp.c`:
//! `ptp_canon_eos_getobjectinfoex`, `ptp_canon_eos_getpartialobject`).

use vcam_core::ptp_types::{ObjectHandle, ProtectionStatus, StorageId};
use vcam_core::reply::Response;
use vcam_core::store::{FormatFilter, ParentFilter};
use vcam_core::{Context, Reply};

use super::CanonEos;
use crate::records::{EosEvent, FolderEntry};

/// Most entries a GetObjectInfoEx answer reserves room for up front.
const MAX_PREALLOCATED_ENTRIES: usize = 4096;

impl CanonEos {
    /// DeleteObject: a memory object is dropped; a card object is deleted and reported with
    /// ObjectRemoved.
    pub(super) fn delete_object(&mut self, cx: &mut Context<'_>, handle: ObjectHandle) -> Reply {
        if cx.release_memory_object(handle) {
            return Reply::ok();
        }
        match cx.store.delete(handle) {
            Ok(()) => {
                self.queue(EosEvent::ObjectRemoved(handle));
                Reply::ok()
            }
            Err(e) => Reply::from(e.response_code()),
        }
    }
}

/// GetStorageIDs: a PTP array of StorageIDs.
pub(super) fn storage_ids(cx: &Context<'_>) -> Reply {
    Reply::dataset(&cx.store.storage_ids())
}

/// GetStorageInfo: the StorageInfo dataset.
pub(super) fn storage_info(cx: &mut Context<'_>, storage: u32) -> Reply {
    match cx.store.storage_info(StorageId(storage)) {
        Ok(info) => Reply::dataset(&info),
        Err(e) => Reply::from(e.response_code()),
    }
}

/// GetObject: the whole object.
pub(super) fn get_object(cx: &mut Context<'_>, handle: ObjectHandle) -> Reply {
    match cx.open_object(handle, 0, None) {
        Ok(data) => Reply::Data {
            data,
            response: Response::ok(),
        },
        Err(code) => Reply::from(code),
    }
}

/// GetPartialObject answered the EOS way: the data, then OK with the number of bytes sent
/// (`ptp_canon_eos_getpartialobject`, ptp.c).
pub(super) fn partial_object(
    cx: &mut Context<'_>,
    handle: ObjectHandle,
    offset: u64,
    len: u64,
) -> Reply {
    match cx.open_object(handle, offset, Some(len)) {
        Ok(data) => {
            let sent = u32::try_from(data.len()).unwrap_or(u32::MAX);
            Reply::Data {
                data,
                response: Response::ok_with([sent]),
            }
        }
        Err(code) => Reply::from(code),
    }
}

/// GetObjectInfoEx: a [`FolderEntry`] per object of `storage` under `parent` (0 or
/// 0xFFFFFFFF: the root), at most `max`.
pub(super) fn object_info_ex(cx: &mut Context<'_>, storage: u32, parent: u32, max: u32) -> Reply {
    let parent = match parent {
        0 | 0xFFFF_FFFF => ParentFilter::Root,
        h => ParentFilter::In(ObjectHandle(h)),
    };
    let handles = match cx
        .store
        .object_handles(StorageId(storage), FormatFilter::Any, parent)
    {
        Ok(handles) => handles,
        Err(e) => return Reply::from(e.response_code()),
    };
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    let mut entries = Vec::with_capacity(handles.len().min(max).min(MAX_PREALLOCATED_ENTRIES));
    for handle in handles.into_iter().take(max) {
        let Ok(info) = cx.store.object_info(handle) else {
            continue;
        };
        let size = cx
            .store
            .object_size(handle)
            .map_or(0, |s| u32::try_from(s).unwrap_or(u32::MAX));
        let mut flags = if vcam_core::store::is_folder(&info) {
            FolderEntry::FOLDER
        } else {
            FolderEntry::FILE
        };
        if info.protection_status != ProtectionStatus::NO_PROTECTION {
            flags |= FolderEntry::READ_ONLY;
        }
        let time = info
            .modification_date
            .or(info.capture_date)
            .and_then(|d| d.to_unix_seconds())
            .map_or(0, |t| u32::try_from(t).unwrap_or(u32::MAX));
        entries.push(FolderEntry {
            handle,
            storage: info.storage_id,
            format: info.object_format,
            flags,
            size,
            parent: info.parent_object,
            name: info.filename.as_str().to_string(),
            time,
        });
    }
    Reply::dataset(&entries)
}
