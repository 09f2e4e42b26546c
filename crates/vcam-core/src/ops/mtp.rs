//! MTP 1.1 operations: object properties, object property lists, references and
//! SendObjectPropList (MTP 1.1 appendix D.2; datasets in §5.3 and appendix E).
//!
//! Object properties are views of what the store knows (ObjectInfo and the full size); the
//! only writable one is ObjectFileName, which renames the file.

use ptp_types::{
    AssociationType, DataTypeCode, DateTime, Decode, Encode, GetSet, ObjectFormatCode,
    ObjectHandle, ObjectInfo, ObjectPropCode as P, ObjectPropDesc, ObjectPropList,
    OperationCode as O, PropForm, PropValue, ProtectionStatus, PtpString, ResponseCode, StorageId,
    decode_value_exact,
};

use super::common::{Handled, MAX_DATASET_LEN, announce, destination, err, store_err};
use crate::context::Context;
use crate::reply::{Reply, Request, Response};
use crate::store::{self, FormatFilter, ListingSource, ObjectEntry, ObjectStore, ParentFilter};

/// The MTP operations answered here.
pub const MTP_OPERATIONS: &[O] = &[
    O::GET_OBJECT_PROPS_SUPPORTED,
    O::GET_OBJECT_PROP_DESC,
    O::GET_OBJECT_PROP_VALUE,
    O::SET_OBJECT_PROP_VALUE,
    O::GET_OBJECT_PROP_LIST,
    O::SET_OBJECT_PROP_LIST,
    O::SEND_OBJECT_PROP_LIST,
    O::GET_OBJECT_REFERENCES,
    O::SET_OBJECT_REFERENCES,
];

/// Object properties every object has.
const COMMON_PROPS: &[P] = &[
    P::STORAGE_ID,
    P::OBJECT_FORMAT,
    P::PROTECTION_STATUS,
    P::OBJECT_SIZE,
    P::ASSOCIATION_TYPE,
    P::ASSOCIATION_DESC,
    P::OBJECT_FILE_NAME,
    P::DATE_CREATED,
    P::DATE_MODIFIED,
    P::PARENT_OBJECT,
    P::PERSISTENT_UNIQUE_OBJECT_IDENTIFIER,
    P::NAME,
    P::NON_CONSUMABLE,
];

/// Extra properties of image objects.
const IMAGE_PROPS: &[P] = &[P::WIDTH, P::HEIGHT];

fn props_for(format: ObjectFormatCode) -> Vec<P> {
    let mut props = COMMON_PROPS.to_vec();
    if format.is_image() {
        props.extend_from_slice(IMAGE_PROPS);
    }
    props
}

fn code16(p: u32) -> Option<u16> {
    u16::try_from(p).ok()
}

/// The description of an object property (MTP 1.1 appendix B).
fn prop_desc(code: P) -> Option<ObjectPropDesc> {
    let (value, get_set, form) = match code {
        P::STORAGE_ID | P::ASSOCIATION_DESC | P::PARENT_OBJECT | P::WIDTH | P::HEIGHT => {
            (PropValue::UInt32(0), GetSet::GET, PropForm::None)
        }
        P::OBJECT_FORMAT | P::PROTECTION_STATUS | P::ASSOCIATION_TYPE => {
            (PropValue::UInt16(0), GetSet::GET, PropForm::None)
        }
        P::OBJECT_SIZE => (PropValue::UInt64(0), GetSet::GET, PropForm::None),
        P::OBJECT_FILE_NAME => (
            PropValue::Str(PtpString::new()),
            GetSet::GET_SET,
            PropForm::None,
        ),
        P::NAME => (
            PropValue::Str(PtpString::new()),
            GetSet::GET,
            PropForm::None,
        ),
        P::DATE_CREATED | P::DATE_MODIFIED => (
            PropValue::Str(PtpString::new()),
            GetSet::GET,
            PropForm::DateTime,
        ),
        P::PERSISTENT_UNIQUE_OBJECT_IDENTIFIER => {
            (PropValue::UInt128(0), GetSet::GET, PropForm::None)
        }
        P::NON_CONSUMABLE => (
            PropValue::UInt8(0),
            GetSet::GET,
            PropForm::Enumeration(vec![PropValue::UInt8(0), PropValue::UInt8(1)]),
        ),
        _ => return None,
    };
    Some(ObjectPropDesc {
        code,
        data_type: value.data_type(),
        get_set,
        factory_default: value,
        group_code: 0,
        form,
    })
}

/// What object properties are made of: an object's ObjectInfo fields, its full size and, for
/// an image, its pixel size.
#[derive(Debug, Clone)]
struct View {
    handle: ObjectHandle,
    storage: StorageId,
    format: ObjectFormatCode,
    protection: ProtectionStatus,
    association: AssociationType,
    association_desc: u32,
    parent: ObjectHandle,
    size: u64,
    name: PtpString,
    created: Option<DateTime>,
    modified: Option<DateTime>,
    image: (u32, u32),
}

impl View {
    fn of(handle: ObjectHandle, info: &ObjectInfo, size: u64) -> Self {
        Self {
            handle,
            storage: info.storage_id,
            format: info.object_format,
            protection: info.protection_status,
            association: info.association_type,
            association_desc: info.association_desc,
            parent: info.parent_object,
            size,
            name: info.filename.clone(),
            created: info.capture_date,
            modified: info.modification_date,
            image: (info.image_pix_width, info.image_pix_height),
        }
    }
}

/// The value of an object property.
fn prop_value(o: &View, code: P) -> Option<PropValue> {
    let date = |d: &Option<DateTime>| {
        PropValue::Str(PtpString::truncating(
            &d.map(|d| d.to_string()).unwrap_or_default(),
        ))
    };
    Some(match code {
        P::STORAGE_ID => PropValue::UInt32(o.storage.0),
        P::OBJECT_FORMAT => PropValue::UInt16(o.format.0),
        P::PROTECTION_STATUS => PropValue::UInt16(o.protection.0),
        // 64 bits: the size of an object of 4 GiB and more, whose ObjectInfo says 0xFFFFFFFF.
        P::OBJECT_SIZE => PropValue::UInt64(o.size),
        P::ASSOCIATION_TYPE => PropValue::UInt16(o.association.0),
        P::ASSOCIATION_DESC => PropValue::UInt32(o.association_desc),
        P::OBJECT_FILE_NAME | P::NAME => PropValue::Str(o.name.clone()),
        P::DATE_CREATED => date(&o.created),
        P::DATE_MODIFIED => date(&o.modified),
        P::PARENT_OBJECT => PropValue::UInt32(o.parent.0),
        // Unique for the camera's life: storage and handle.
        P::PERSISTENT_UNIQUE_OBJECT_IDENTIFIER => {
            PropValue::UInt128((u128::from(o.storage.0) << 32) | u128::from(o.handle.0))
        }
        P::NON_CONSUMABLE => PropValue::UInt8(0),
        P::WIDTH if o.format.is_image() => PropValue::UInt32(o.image.0),
        P::HEIGHT if o.format.is_image() => PropValue::UInt32(o.image.1),
        _ => return None,
    })
}

/// Encodes the ObjectPropList elements of one object (MTP 1.1 appendix E.2.1.1): every
/// property of its format, or only `only`.
fn encode_elements(o: &View, only: Option<P>, out: &mut Vec<u8>) -> u32 {
    let mut count = 0;
    let codes = only.map_or_else(|| props_for(o.format), |p| vec![p]);
    for code in codes {
        if let Some(value) = prop_value(o, code) {
            o.handle.encode(out);
            code.encode(out);
            value.data_type().encode(out);
            value.encode(out);
            count += 1;
        }
    }
    count
}

/// The ObjectInfo and full size of an object, from the context's object service.
fn object(cx: &mut Context<'_>, handle: ObjectHandle) -> Result<(ObjectInfo, u64), ResponseCode> {
    let info = cx.object_info(handle)?;
    let size = cx.object_size(handle)?;
    Ok((info, size))
}

/// Handles an MTP operation.
pub(super) fn handle(cx: &mut Context<'_>, req: &Request) -> Handled {
    match req.code {
        O::GET_OBJECT_PROPS_SUPPORTED => {
            let Some(format) = code16(req.param(0)) else {
                return err(ResponseCode::INVALID_OBJECT_FORMAT_CODE);
            };
            let list: Vec<P> = props_for(ObjectFormatCode(format));
            Handled::Reply(Reply::dataset(&list))
        }
        O::GET_OBJECT_PROP_DESC => match code16(req.param(0)).map(P).and_then(prop_desc) {
            Some(desc) => Handled::Reply(Reply::dataset(&desc)),
            None => err(ResponseCode::INVALID_OBJECT_PROP_CODE),
        },
        O::GET_OBJECT_PROP_VALUE => {
            let handle = ObjectHandle(req.param(0));
            let (info, size) = match object(cx, handle) {
                Ok(x) => x,
                Err(code) => return err(code),
            };
            match code16(req.param(1))
                .map(P)
                .and_then(|p| prop_value(&View::of(handle, &info, size), p))
            {
                Some(value) => Handled::Reply(Reply::dataset(&value)),
                None => err(ResponseCode::INVALID_OBJECT_PROP_CODE),
            }
        }
        O::SET_OBJECT_PROP_VALUE => {
            let handle = ObjectHandle(req.param(0));
            if let Err(code) = object(cx, handle) {
                return err(code);
            }
            match code16(req.param(1)).map(P) {
                Some(P::OBJECT_FILE_NAME) => Handled::Reply(Reply::receive(MAX_DATASET_LEN)),
                Some(p) if prop_desc(p).is_some() => err(ResponseCode::ACCESS_DENIED),
                _ => err(ResponseCode::INVALID_OBJECT_PROP_CODE),
            }
        }
        O::GET_OBJECT_PROP_LIST => get_prop_list(cx, req),
        O::SET_OBJECT_PROP_LIST | O::SET_OBJECT_REFERENCES => {
            Handled::Reply(Reply::receive(MAX_DATASET_LEN))
        }
        O::SEND_OBJECT_PROP_LIST => {
            if cx.store.is_read_only() {
                err(ResponseCode::STORE_READ_ONLY)
            } else {
                Handled::Reply(Reply::receive(MAX_DATASET_LEN))
            }
        }
        O::GET_OBJECT_REFERENCES => {
            let handle = ObjectHandle(req.param(0));
            if let Err(code) = object(cx, handle) {
                return err(code);
            }
            let refs: Vec<u32> = cx
                .state
                .references
                .get(&handle.0)
                .cloned()
                .unwrap_or_default();
            Handled::Reply(Reply::dataset(&refs))
        }
        _ => err(ResponseCode::OPERATION_NOT_SUPPORTED),
    }
}

/// GetObjectPropList (MTP 1.1 appendix D.2.23): object handle (0xFFFFFFFF: all), format filter,
/// property (0xFFFFFFFF: all), group (unsupported unless 0), depth (0: the object, 1: its
/// children, 0xFFFFFFFF: everything below).
fn get_prop_list(cx: &mut Context<'_>, req: &Request) -> Handled {
    let (handle, format, prop, group, depth) = (
        req.param(0),
        req.param(1),
        req.param(2),
        req.param(3),
        req.param(4),
    );
    let prop = match prop {
        0xFFFF_FFFF => None,
        0 => return err(ResponseCode::SPECIFICATION_BY_GROUP_UNSUPPORTED),
        p => match code16(p).map(P).filter(|p| prop_desc(*p).is_some()) {
            Some(p) => Some(p),
            None => return err(ResponseCode::INVALID_OBJECT_PROP_CODE),
        },
    };
    if prop.is_none() && group != 0 {
        return err(ResponseCode::SPECIFICATION_BY_GROUP_UNSUPPORTED);
    }
    let Some(format) = FormatFilter::from_param(format) else {
        return err(ResponseCode::INVALID_OBJECT_FORMAT_CODE);
    };
    let objects: Vec<ObjectHandle> = match (handle, depth) {
        (0xFFFF_FFFF, _) | (0, 0xFFFF_FFFF) => {
            match cx
                .store
                .object_handles(StorageId::ALL, format, ParentFilter::Any)
            {
                Ok(list) => list,
                Err(e) => return store_err(&e),
            }
        }
        (0, 1) => match cx
            .store
            .object_handles(StorageId::ALL, format, ParentFilter::Root)
        {
            Ok(list) => list,
            Err(e) => return store_err(&e),
        },
        (h, 0) if h != 0 => vec![ObjectHandle(h)],
        (h, 1) if h != 0 => {
            match cx
                .store
                .object_handles(StorageId::ALL, format, ParentFilter::In(ObjectHandle(h)))
            {
                Ok(list) => list,
                Err(e) => return store_err(&e),
            }
        }
        _ => return err(ResponseCode::SPECIFICATION_BY_DEPTH_UNSUPPORTED),
    };
    prop_list(cx, objects, format, prop, ObjectHandle(req.param(0)))
}

/// One object of a GetObjectPropList snapshot: what decides how long its elements are (the
/// name's length, whether it is an image with a pixel size, whether it has dates), in 8 bytes.
#[derive(Debug, Clone, Copy)]
struct Row {
    handle: u32,
    name_units: u8,
    flags: u8,
}

impl Row {
    const IMAGE: u8 = 1;
    const DATED: u8 = 2;

    fn of(view: &View) -> Self {
        let mut flags = 0;
        if view.format.is_image() {
            flags |= Self::IMAGE;
        }
        if view.modified.is_some() {
            flags |= Self::DATED;
        }
        Self {
            handle: view.handle.0,
            name_units: u8::try_from(view.name.units()).unwrap_or(u8::MAX),
            flags,
        }
    }
}

impl View {
    fn of_entry(entry: &ObjectEntry, image: (u32, u32)) -> Self {
        Self {
            handle: entry.handle,
            storage: entry.storage_id,
            format: entry.format,
            protection: entry.protection_status,
            association: entry.association_type,
            association_desc: 0,
            parent: entry.parent,
            size: entry.size,
            name: entry.filename.clone(),
            created: entry.modified,
            modified: entry.modified,
            image,
        }
    }
}

/// The ObjectPropList of `objects`, counted then sent as it is encoded ([`ListingSource`]).
/// The first pass reads each object's entry (the format filter applied; one that vanished is
/// left out, as a card reader would, unless `asked` named it) and keeps 8 bytes of it: what
/// decides the length of its elements. The elements are then encoded again from the store as
/// they are sent, with the pixel sizes of images read then; an object whose elements would no
/// longer have the announced length (renamed, deleted, turned into an image in between) ends
/// the listing with IncompleteTransfer. A hundred thousand objects start at once and cost
/// under a MiB, not the tens of MiB of the encoded list.
fn prop_list(
    cx: &mut Context<'_>,
    objects: Vec<ObjectHandle>,
    format: FormatFilter,
    prop: Option<P>,
    asked: ObjectHandle,
) -> Handled {
    let mut rows = Vec::with_capacity(objects.len());
    // Memory objects (pictures kept in the camera) are not in the store the encoder reads.
    let mut memory: Vec<View> = Vec::new();
    let mut count: u32 = 0;
    let mut len: u64 = 4;
    let mut scratch = Vec::new();
    for handle in objects {
        let view = match cx.memory_object(handle) {
            Some((info, data)) => View::of(handle, info, data.len() as u64),
            None => match cx.object_entry(handle) {
                Ok(entry) => View::of_entry(&entry, (0, 0)),
                // Vanished while listing: leave it out, as a card reader would.
                Err(_) if handle != asked => continue,
                Err(code) => return err(code),
            },
        };
        if format != FormatFilter::Any && !format.matches(view.format) {
            continue;
        }
        scratch.clear();
        count += encode_elements(&view, prop, &mut scratch);
        len += scratch.len() as u64;
        rows.push(Row::of(&view));
        if cx.memory_object(handle).is_some() {
            memory.push(view);
        }
    }
    let total = rows.len();
    let encode = move |i: usize, store: &mut dyn ObjectStore, out: &mut Vec<u8>| {
        let Some(row) = rows.get(i) else {
            return Ok(());
        };
        let view = match memory.iter().find(|v| v.handle.0 == row.handle) {
            Some(view) => view.clone(),
            None => {
                // One look at the object: its ObjectInfo (with an image's pixel size), and the
                // full size only when ObjectInfo's 32 bits cannot hold it.
                let handle = ObjectHandle(row.handle);
                let info = store.object_info(handle)?;
                let size = match info.object_compressed_size {
                    u32::MAX => store.object_size(handle)?,
                    size => u64::from(size),
                };
                View::of(handle, &info, size)
            }
        };
        let now = Row::of(&view);
        if (now.name_units, now.flags) != (row.name_units, row.flags) {
            return Err(store::StoreError::Io(format!(
                "object {:#x} changed while it was listed",
                row.handle
            )));
        }
        encode_elements(&view, prop, out);
        Ok(())
    };
    Handled::Reply(Reply::Data {
        data: Box::new(ListingSource::new(
            count.to_le_bytes().to_vec(),
            total,
            len,
            Box::new(encode),
        )),
        response: Response::ok(),
    })
}

/// Receives the data phase of an MTP operation.
pub(super) fn handle_data(cx: &mut Context<'_>, req: &Request, data: &[u8]) -> Response {
    match req.code {
        O::SET_OBJECT_PROP_VALUE => {
            let Ok(PropValue::Str(name)) = decode_value_exact(data, DataTypeCode::STR) else {
                return Response::code(ResponseCode::INVALID_OBJECT_PROP_FORMAT);
            };
            rename(cx, ObjectHandle(req.param(0)), name.as_str())
        }
        O::SET_OBJECT_PROP_LIST => {
            let Ok(list) = ObjectPropList::decode_exact(data) else {
                return Response::code(ResponseCode::INVALID_DATA_SET);
            };
            for (index, e) in list.elements.iter().enumerate() {
                let index = u32::try_from(index).unwrap_or(u32::MAX);
                let response = match (e.code, &e.value) {
                    (P::OBJECT_FILE_NAME, PropValue::Str(name)) => {
                        rename(cx, e.handle, name.as_str())
                    }
                    (P::OBJECT_FILE_NAME, _) => {
                        Response::code(ResponseCode::INVALID_OBJECT_PROP_FORMAT)
                    }
                    (p, _) if prop_desc(p).is_some() => Response::code(ResponseCode::ACCESS_DENIED),
                    _ => Response::code(ResponseCode::INVALID_OBJECT_PROP_CODE),
                };
                if !response.code.is_ok() {
                    return Response {
                        code: response.code,
                        params: [index].into(),
                    };
                }
            }
            Response::ok()
        }
        O::SET_OBJECT_REFERENCES => {
            let handle = ObjectHandle(req.param(0));
            if let Err(code) = object(cx, handle) {
                return Response::code(code);
            }
            let Ok(refs) = Vec::<u32>::decode_exact(data) else {
                return Response::code(ResponseCode::INVALID_DATA_SET);
            };
            for r in &refs {
                if object(cx, ObjectHandle(*r)).is_err() {
                    return Response::code(ResponseCode::INVALID_OBJECT_REFERENCE);
                }
            }
            cx.state.references.insert(handle.0, refs);
            Response::ok()
        }
        O::SEND_OBJECT_PROP_LIST => send_object_prop_list(cx, req, data),
        _ => Response::code(ResponseCode::OPERATION_NOT_SUPPORTED),
    }
}

fn rename(cx: &mut Context<'_>, handle: ObjectHandle, name: &str) -> Response {
    match cx.store.rename(handle, name) {
        Ok(()) => Response::ok(),
        Err(e) => Response::code(match e {
            store::StoreError::InvalidObject(_) => ResponseCode::INVALID_OBJECT_PROP_VALUE,
            other => other.response_code(),
        }),
    }
}

/// SendObjectPropList (MTP 1.1 appendix D.2.26): parameters StorageID, ParentObject,
/// ObjectFormat, ObjectSize high and low 32 bits; data an ObjectPropList with handle 0. Like
/// SendObjectInfo it announces the object SendObject will carry.
fn send_object_prop_list(cx: &mut Context<'_>, req: &Request, data: &[u8]) -> Response {
    let Ok(list) = ObjectPropList::decode_exact(data) else {
        return Response::code(ResponseCode::INVALID_DATA_SET);
    };
    let Some(format) = code16(req.param(2)).map(ObjectFormatCode) else {
        return Response::code(ResponseCode::INVALID_OBJECT_FORMAT_CODE);
    };
    let size = (u64::from(req.param(3)) << 32) | u64::from(req.param(4));
    let name = list
        .elements
        .iter()
        .find_map(|e| match (&e.code, &e.value) {
            (&P::OBJECT_FILE_NAME, PropValue::Str(s)) => Some(s.clone()),
            _ => None,
        });
    let Some(filename) = name else {
        return Response {
            code: ResponseCode::INVALID_DATASET,
            params: [0].into(),
        };
    };
    let dest = match destination(cx, req.param(0), req.param(1)) {
        Ok(d) => d,
        Err(code) => return Response::code(code),
    };
    let info = ObjectInfo {
        storage_id: dest.storage,
        object_format: format,
        protection_status: ProtectionStatus::NO_PROTECTION,
        object_compressed_size: u32::try_from(size).unwrap_or(u32::MAX),
        association_type: if format == ObjectFormatCode::ASSOCIATION {
            AssociationType::GENERIC_FOLDER
        } else {
            AssociationType::UNDEFINED
        },
        filename,
        ..ObjectInfo::default()
    };
    announce(cx, dest, info, 0)
}
