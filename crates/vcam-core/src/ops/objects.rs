//! The storage and object group (ISO 15740:2013 §10.5): GetStorageIDs, GetStorageInfo,
//! FormatStore, GetNumObjects, GetObjectHandles, GetObjectInfo, GetObject, GetPartialObject,
//! GetThumb, DeleteObject, SendObjectInfo, SendObject, SetObjectProtection, MoveObject and
//! CopyObject.
//!
//! Objects are reached through the [`Context`] object service, so memory objects (captures
//! kept in the camera, vendor pseudo-objects) and card objects are answered alike.

use ptp_types::{
    Decode, Encode, EventCode, ObjectHandle, ObjectInfo, OperationCode, ProtectionStatus,
    ResponseCode, StorageId,
};

use super::android;
use super::common::{Handled, MAX_DATASET_LEN, announce, destination, err, param_u16, store_err};
use crate::context::Context;
use crate::events::NO_TRANSACTION;
use crate::reply::{Reply, Request, Response};
use crate::store::{DataSource, FormatFilter, ParentFilter, PendingObject, StoreError, Upload};

/// Handles an operation of the storage and object group.
pub(super) fn handle(cx: &mut Context<'_>, req: &Request) -> Handled {
    match req.code {
        OperationCode::GET_STORAGE_IDS => Handled::Reply(Reply::dataset(&cx.store.storage_ids())),
        OperationCode::GET_STORAGE_INFO => match cx.store.storage_info(StorageId(req.param(0))) {
            Ok(info) => Handled::Reply(Reply::dataset(&info)),
            Err(e) => store_err(&e),
        },
        OperationCode::FORMAT_STORE => format_store(cx, req),
        OperationCode::GET_NUM_OBJECTS => match handles(cx, req) {
            Ok(list) => Handled::Reply(Reply::ok_with([
                u32::try_from(list.len()).unwrap_or(u32::MAX)
            ])),
            Err(code) => err(code),
        },
        OperationCode::GET_OBJECT_HANDLES => match handles(cx, req) {
            Ok(list) => {
                // Sized once: a folder of a hundred thousand objects is 400 KB.
                let mut data = Vec::with_capacity(4 + 4 * list.len());
                list.encode(&mut data);
                Handled::Reply(Reply::data(data))
            }
            Err(code) => err(code),
        },
        OperationCode::GET_OBJECT_INFO => match cx.object_info(ObjectHandle(req.param(0))) {
            Ok(info) => Handled::Reply(Reply::dataset(&info)),
            Err(code) => err(code),
        },
        OperationCode::GET_OBJECT => get_object(cx, ObjectHandle(req.param(0))),
        OperationCode::GET_PARTIAL_OBJECT => partial_object(cx.open_object_32(
            ObjectHandle(req.param(0)),
            req.param(1),
            req.param(2),
        )),
        // Handle, offset (low, high), most bytes (Android's MTP extension, libgphoto2
        // `ptp.c`: `ptp_android_getpartialobject64`).
        android::GET_PARTIAL_OBJECT_64 => partial_object(cx.open_object(
            ObjectHandle(req.param(0)),
            u64::from(req.param(1)) | (u64::from(req.param(2)) << 32),
            Some(u64::from(req.param(3))),
        )),
        OperationCode::GET_THUMB => match cx.thumbnail(ObjectHandle(req.param(0))) {
            Ok(thumb) => Handled::Reply(Reply::data(thumb)),
            Err(code) => err(code),
        },
        OperationCode::DELETE_OBJECT => delete_object(cx, req),
        OperationCode::SEND_OBJECT_INFO => {
            if cx.store.is_read_only() {
                err(ResponseCode::STORE_READ_ONLY)
            } else {
                Handled::Reply(Reply::receive(MAX_DATASET_LEN))
            }
        }
        OperationCode::SEND_OBJECT => send_object(cx),
        OperationCode::SET_OBJECT_PROTECTION => set_protection(cx, req),
        OperationCode::MOVE_OBJECT | OperationCode::COPY_OBJECT => move_or_copy(cx, req),
        _ => err(ResponseCode::OPERATION_NOT_SUPPORTED),
    }
}

/// Receives the data phase of SendObjectInfo.
pub(super) fn handle_data(cx: &mut Context<'_>, req: &Request, data: &[u8]) -> Response {
    match req.code {
        OperationCode::SEND_OBJECT_INFO => send_object_info(cx, req, data),
        _ => Response::code(ResponseCode::GENERAL_ERROR),
    }
}

/// Ends a SendObject data phase: commits the upload when every announced byte arrived.
pub(crate) fn finish_upload(
    cx: &mut Context<'_>,
    upload: Box<dyn Upload>,
    pending: &PendingObject,
    received: u64,
) -> Response {
    cx.state.pending_upload = None;
    let announced = pending.info.object_compressed_size;
    if announced != u32::MAX && u64::from(announced) != received {
        tracing::warn!(
            announced,
            received,
            "SendObject size does not match SendObjectInfo; discarding the upload"
        );
        return Response::code(ResponseCode::INCOMPLETE_TRANSFER);
    }
    match upload.commit() {
        Ok(handle) => {
            tracing::info!(?handle, name = %pending.info.filename, bytes = received, "object uploaded");
            Response::ok()
        }
        Err(e) => {
            tracing::warn!(%e, "committing the upload failed");
            Response::code(e.response_code())
        }
    }
}

fn format_store(cx: &mut Context<'_>, req: &Request) -> Handled {
    if cx.store.is_read_only() {
        return err(ResponseCode::STORE_READ_ONLY);
    }
    match cx.store.format(StorageId(req.param(0))) {
        Ok(()) => {
            cx.queue_event(
                EventCode::STORAGE_INFO_CHANGED,
                NO_TRANSACTION,
                [req.param(0)],
            );
            Handled::Reply(Reply::ok())
        }
        Err(e) => store_err(&e),
    }
}

fn handles(cx: &mut Context<'_>, req: &Request) -> Result<Vec<ObjectHandle>, ResponseCode> {
    let storage = StorageId(req.param(0));
    if storage != StorageId::ALL && !cx.store.storage_ids().contains(&storage) {
        return Err(ResponseCode::INVALID_STORAGE_ID);
    }
    let format =
        FormatFilter::from_param(req.param(1)).ok_or(ResponseCode::INVALID_OBJECT_FORMAT_CODE)?;
    let parent = ParentFilter::from_param(req.param(2));
    cx.store
        .object_handles(storage, format, parent)
        .map_err(|e| e.response_code())
}

/// GetObject: the whole object.
fn get_object(cx: &mut Context<'_>, handle: ObjectHandle) -> Handled {
    match cx.open_object(handle, 0, None) {
        Ok(data) => Handled::Reply(Reply::Data {
            data,
            response: Response::ok(),
        }),
        Err(code) => err(code),
    }
}

/// GetPartialObject and GetPartialObject64: the part, then OK with the number of bytes sent
/// (ISO 15740:2013 §10.5.28).
fn partial_object(opened: Result<Box<dyn DataSource>, ResponseCode>) -> Handled {
    match opened {
        Ok(data) => {
            let sent = u32::try_from(data.len()).unwrap_or(u32::MAX);
            Handled::Reply(Reply::Data {
                data,
                response: Response::ok_with([sent]),
            })
        }
        Err(code) => err(code),
    }
}

fn delete_object(cx: &mut Context<'_>, req: &Request) -> Handled {
    let handle = ObjectHandle(req.param(0));
    let Some(format) = FormatFilter::from_param(req.param(1)) else {
        return err(ResponseCode::INVALID_OBJECT_FORMAT_CODE);
    };
    if cx.release_memory_object(handle) {
        return Handled::Reply(Reply::ok());
    }
    if cx.store.is_read_only() {
        return err(ResponseCode::STORE_READ_ONLY);
    }
    if handle != ObjectHandle::ALL {
        if format != FormatFilter::Any {
            return err(ResponseCode::SPECIFICATION_BY_FORMAT_UNSUPPORTED);
        }
        return match cx.store.delete(handle) {
            Ok(()) => Handled::Reply(Reply::ok()),
            Err(e) => store_err(&e),
        };
    }
    let all = match cx
        .store
        .object_handles(StorageId::ALL, format, ParentFilter::Any)
    {
        Ok(list) => list,
        Err(e) => return store_err(&e),
    };
    let mut failed = 0usize;
    for h in all {
        match cx.store.delete(h) {
            // Children of a folder deleted earlier in the loop are gone already.
            Ok(()) | Err(StoreError::InvalidObjectHandle(_)) => {}
            Err(e) => {
                tracing::debug!(?h, %e, "not deleted");
                failed += 1;
            }
        }
    }
    if failed == 0 {
        Handled::Reply(Reply::ok())
    } else {
        err(ResponseCode::PARTIAL_DELETION)
    }
}

fn send_object_info(cx: &mut Context<'_>, req: &Request, data: &[u8]) -> Response {
    let info = match ObjectInfo::decode_exact(data) {
        Ok(info) => info,
        Err(e) => {
            tracing::warn!(%e, "SendObjectInfo: malformed ObjectInfo");
            return Response::code(ResponseCode::INVALID_DATA_SET);
        }
    };
    let dest = match destination(cx, req.param(0), req.param(1)) {
        Ok(d) => d,
        Err(code) => return Response::code(code),
    };
    announce(cx, dest, info, 0xFFFF_FFFF)
}

fn send_object(cx: &mut Context<'_>) -> Handled {
    if cx.store.is_read_only() {
        return err(ResponseCode::STORE_READ_ONLY);
    }
    let Some(pending) = cx.state.pending_upload.clone() else {
        return err(ResponseCode::NO_VALID_OBJECT_INFO);
    };
    match cx.store.begin_upload(&pending) {
        Ok(upload) => Handled::Upload { upload, pending },
        Err(e) => store_err(&e),
    }
}

fn set_protection(cx: &mut Context<'_>, req: &Request) -> Handled {
    let status = ProtectionStatus(param_u16(req.param(1)));
    if req.param(1) > 0xFFFF || ProtectionStatus::KNOWN.iter().all(|s| s.0 != status.0) {
        return err(ResponseCode::INVALID_PARAMETER);
    }
    if cx.store.is_read_only() {
        return err(ResponseCode::STORE_READ_ONLY);
    }
    match cx.store.set_protection(ObjectHandle(req.param(0)), status) {
        Ok(()) => Handled::Reply(Reply::ok()),
        Err(e) => store_err(&e),
    }
}

fn move_or_copy(cx: &mut Context<'_>, req: &Request) -> Handled {
    if cx.store.is_read_only() {
        return err(ResponseCode::STORE_READ_ONLY);
    }
    let handle = ObjectHandle(req.param(0));
    let dest = match destination(cx, req.param(1), req.param(2)) {
        Ok(d) => d,
        Err(code) => return err(code),
    };
    let result = if req.code == OperationCode::MOVE_OBJECT {
        cx.store.move_object(handle, dest).map(|()| Reply::ok())
    } else {
        cx.store
            .copy_object(handle, dest)
            .map(|new| Reply::ok_with([new.0]))
    };
    match result {
        Ok(reply) => Handled::Reply(reply),
        Err(e) => store_err(&e),
    }
}
