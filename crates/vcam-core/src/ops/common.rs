//! What every handler group shares: how a request was handled, error answers, dataset limits
//! and the destination of a new object.

use ptp_types::{ObjectHandle, ObjectInfo, ResponseCode, StorageId};

use crate::context::Context;
use crate::reply::{Reply, Response};
use crate::store::{self, Destination, PendingObject, StoreError, Upload};

/// Largest dataset accepted in a data phase that is buffered (ObjectInfo, property values).
pub(crate) const MAX_DATASET_LEN: usize = 64 * 1024;

/// How a request was handled.
pub(crate) enum Handled {
    /// By the core.
    Reply(Reply),
    /// By the core, and the session ends once the reply is decided (PowerDown).
    EndSession(Reply),
    /// By the vendor extension (its data phase goes back to it).
    Vendor(Reply),
    /// SendObject: stream the data phase into the store.
    Upload {
        upload: Box<dyn Upload>,
        pending: PendingObject,
    },
}

/// A response with `code` and no data.
pub(crate) fn err(code: ResponseCode) -> Handled {
    Handled::Reply(Reply::from(code))
}

/// The response a store error maps to.
pub(crate) fn store_err(e: &StoreError) -> Handled {
    tracing::debug!(%e, "store refused");
    err(e.response_code())
}

/// A 16-bit code from a 32-bit parameter (0 when it does not fit).
pub(crate) fn param_u16(p: u32) -> u16 {
    u16::try_from(p).unwrap_or(0)
}

/// Announces the object SendObject will carry (SendObjectInfo, SendObjectPropList): the store
/// checks `info` and reserves a handle (a folder is created at once), and the response gives
/// the storage, the parent (`root` when it is the root: SendObjectInfo and SendObjectPropList
/// name the root differently) and the new handle.
pub(crate) fn announce(
    cx: &mut Context<'_>,
    dest: Destination,
    info: ObjectInfo,
    root: u32,
) -> Response {
    match cx.store.prepare(dest, info) {
        Ok(pending) => {
            let parent = pending.destination.parent.map_or(root, |h| h.0);
            let params = [pending.destination.storage.0, parent, pending.handle.0];
            let folder = store::is_folder(&pending.info);
            cx.state.pending_upload = if folder { None } else { Some(pending) };
            Response::ok_with(params)
        }
        Err(e) => {
            tracing::debug!(%e, "object refused");
            Response::code(e.response_code())
        }
    }
}

/// Resolves the StorageID and parent parameters of SendObjectInfo, SendObjectPropList,
/// MoveObject and CopyObject: storage 0 is "the responder decides", parent 0 or 0xFFFFFFFF
/// is the root.
pub(crate) fn destination(
    cx: &Context<'_>,
    storage: u32,
    parent: u32,
) -> Result<Destination, ResponseCode> {
    let ids = cx.store.storage_ids();
    let storage = match storage {
        0 => ids
            .first()
            .copied()
            .ok_or(ResponseCode::STORE_NOT_AVAILABLE)?,
        s if ids.contains(&StorageId(s)) => StorageId(s),
        _ => return Err(ResponseCode::INVALID_STORAGE_ID),
    };
    let parent = match parent {
        0 | 0xFFFF_FFFF => None,
        p => Some(ObjectHandle(p)),
    };
    Ok(Destination { storage, parent })
}
