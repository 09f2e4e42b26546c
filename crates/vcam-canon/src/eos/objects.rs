//! Storage and object operations the EOS way: GetStorageIDs/GetStorageInfo (0x9101/0x9102),
//! GetObjectInfoEx (0x9109), GetObject and GetPartialObject(Ex) (0x9104, 0x9107, 0x912C),
//! DeleteObject (0x9105), over card and camera-memory objects (libgphoto2 `ptp.c`:
//! `ptp_canon_eos_getobjectinfoex`, `ptp_canon_eos_getpartialobject`).

use vcam_core::ptp_types::{
    Encode, ObjectFormatCode, ObjectHandle, ProtectionStatus, ResponseCode, StorageId,
};
use vcam_core::reply::Response;
use vcam_core::store::{DataSource, FormatFilter, ParentFilter};
use vcam_core::{Context, ListingSource, ObjectEntry, ObjectStore, Reply};

use super::CanonEos;
use crate::records::{EosEvent, FolderEntry};

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
/// (`ptp_canon_eos_getpartialobject`, ptp.c). `opened` is the part, from
/// [`Context::open_object_32`] (32-bit offset) or [`Context::open_object`] (GetPartialObjectEx).
pub(super) fn partial_object(opened: Result<Box<dyn DataSource>, ResponseCode>) -> Reply {
    match opened {
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
/// 0xFFFFFFFF: the root), at most `max`. Entries have a fixed size, so the data phase starts
/// as soon as the folder is read and each entry is made from the store as it is sent
/// ([`ListingSource`]): a folder of a hundred thousand files answers within libgphoto2's
/// 2.5 s PTP/IP timeout on the first try, with one chunk in memory.
pub(super) fn object_info_ex(cx: &mut Context<'_>, storage: u32, parent: u32, max: u32) -> Reply {
    let parent = match parent {
        0 | 0xFFFF_FFFF => ParentFilter::Root,
        h => ParentFilter::In(ObjectHandle(h)),
    };
    let mut handles = match cx
        .store
        .object_handles(StorageId(storage), FormatFilter::Any, parent)
    {
        Ok(handles) => handles,
        Err(e) => return Reply::from(e.response_code()),
    };
    handles.truncate(usize::try_from(max).unwrap_or(usize::MAX));
    let count = handles.len();
    let len = 4 + (FolderEntry::LEN as u64) * (count as u64);
    let head = u32::try_from(count)
        .unwrap_or(u32::MAX)
        .to_le_bytes()
        .to_vec();
    let encode = move |i: usize, store: &mut dyn ObjectStore, out: &mut Vec<u8>| {
        let handle = handles.get(i).copied().unwrap_or(ObjectHandle(0));
        folder_entry(handle, store.object_entry(handle).ok()).encode(out);
        Ok(())
    };
    Reply::Data {
        data: Box::new(ListingSource::new(head, count, len, Box::new(encode))),
        response: Response::ok(),
    }
}

/// The GetObjectInfoEx entry of an object; one that vanished after the folder was read keeps
/// its place as an empty file entry.
fn folder_entry(handle: ObjectHandle, entry: Option<ObjectEntry>) -> FolderEntry {
    let Some(entry) = entry else {
        return FolderEntry {
            handle,
            storage: StorageId(0),
            format: ObjectFormatCode::UNDEFINED,
            flags: FolderEntry::FILE,
            size: 0,
            parent: ObjectHandle(0),
            name: String::new(),
            time: 0,
        };
    };
    let mut flags = if entry.is_folder() {
        FolderEntry::FOLDER
    } else {
        FolderEntry::FILE
    };
    if entry.protection_status != ProtectionStatus::NO_PROTECTION {
        flags |= FolderEntry::READ_ONLY;
    }
    let time = entry
        .modified
        .and_then(|d| d.to_unix_seconds())
        .map_or(0, |t| u32::try_from(t).unwrap_or(u32::MAX));
    FolderEntry {
        handle,
        storage: entry.storage_id,
        format: entry.format,
        flags,
        // The body's field has 32 bits: 0xFFFFFFFF for 4 GiB and more, as ObjectInfo.
        size: u32::try_from(entry.size).unwrap_or(u32::MAX),
        parent: entry.parent,
        name: entry.filename.into_string(),
        time,
    }
}
