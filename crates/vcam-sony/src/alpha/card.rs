//! The memory card in PC Remote mode: the host does not see it. A real body in this mode
//! reports no storage (the ILCE-6000's `gphoto2 --summary` has an empty storage list,
//! libgphoto2 `camlibs/ptp2/cameras/sony-a6000.txt`, and libgphoto2 does not list folders of
//! a Sony body, `library.c`: `camera_init`), so the standard object operations answer only
//! for the pseudo-objects in camera memory (0xFFFFC001, 0xFFFFC002). What another program
//! adds to or removes from the card folder is still reported, with Sony's own object events
//! ([`card_changed`]).

use vcam_core::events::NO_TRANSACTION;
use vcam_core::ptp_types::{ObjectHandle, OperationCode, ResponseCode, StorageId};
use vcam_core::watch::Noticed;
use vcam_core::{Context, Reply, Request};

use crate::codes::ec;

/// [`vcam_core::VendorExtension::card_changed`] of a Sony body: ObjectAdded 0xC201 and
/// ObjectRemoved 0xC202 with the handle, as the body reports its own objects (libgphoto2
/// `library.c`: `camera_wait_for_event` shows them as "PTP Event c201" / "c202").
pub(super) fn card_changed(cx: &mut Context<'_>, changes: &[Noticed]) {
    for change in changes {
        let (code, handle) = match *change {
            Noticed::Added(handle) => (ec::OBJECT_ADDED, handle),
            Noticed::Removed(handle) => (ec::OBJECT_REMOVED, handle),
            _ => continue,
        };
        cx.queue_event(code, NO_TRANSACTION, [handle.0]);
    }
}

/// Answers the object operations that would reach the card; `None` leaves the rest (memory
/// objects, vendor operations) to the core.
pub(super) fn handle(cx: &mut Context<'_>, request: &Request) -> Option<Reply> {
    Some(match request.code {
        OperationCode::GET_STORAGE_IDS => Reply::dataset(&Vec::<StorageId>::new()),
        OperationCode::GET_STORAGE_INFO => Reply::from(ResponseCode::INVALID_STORAGE_ID),
        OperationCode::GET_NUM_OBJECTS => Reply::ok_with([0]),
        OperationCode::GET_OBJECT_HANDLES => Reply::dataset(&Vec::<ObjectHandle>::new()),
        OperationCode::GET_OBJECT_INFO
        | OperationCode::GET_OBJECT
        | OperationCode::GET_THUMB
        | OperationCode::GET_PARTIAL_OBJECT
            if cx.memory_object(ObjectHandle(request.param(0))).is_none() =>
        {
            Reply::from(ResponseCode::INVALID_OBJECT_HANDLE)
        }
        _ => return None,
    })
}
