//! The operation table: every standard PTP (ISO 15740:2013 §10) and MTP 1.1 (appendix D)
//! operation with its data direction, parameter count and session requirement.
//!
//! [`OperationSpec`] and [`DataPhase`] live in [`ptp_codec`] (vendor tables are built there by
//! `ptp_codec::vendor_codes!`) and are re-exported here.

use ptp_codec::OperationCode;
pub use ptp_codec::{DataPhase, OperationSpec};

const fn op(code: OperationCode, data: DataPhase, min_params: u8, max_params: u8) -> OperationSpec {
    let name = match code.name() {
        Some(n) => n,
        None => "",
    };
    OperationSpec::new(code, name, data, min_params, max_params)
}

use DataPhase::{None as N, ToInitiator as I, ToResponder as R};
type O = OperationCode;

/// The standard PTP 1.1 and MTP 1.1 operations. Parameter counts follow the spec's tables;
/// initiators may omit trailing parameters, which then read as 0.
pub static OPERATIONS: &[OperationSpec] = &[
    op(O::GET_DEVICE_INFO, I, 0, 0).sessionless(),
    op(O::OPEN_SESSION, N, 1, 1).sessionless(),
    op(O::CLOSE_SESSION, N, 0, 0),
    op(O::GET_STORAGE_IDS, I, 0, 0),
    op(O::GET_STORAGE_INFO, I, 1, 1),
    op(O::GET_NUM_OBJECTS, N, 1, 3),
    op(O::GET_OBJECT_HANDLES, I, 1, 3),
    op(O::GET_OBJECT_INFO, I, 1, 1),
    op(O::GET_OBJECT, I, 1, 1),
    op(O::GET_THUMB, I, 1, 1),
    op(O::DELETE_OBJECT, N, 1, 2),
    op(O::SEND_OBJECT_INFO, R, 0, 2),
    op(O::SEND_OBJECT, R, 0, 0),
    op(O::INITIATE_CAPTURE, N, 0, 2),
    op(O::FORMAT_STORE, N, 1, 2),
    op(O::RESET_DEVICE, N, 0, 0),
    op(O::SELF_TEST, N, 0, 1),
    op(O::SET_OBJECT_PROTECTION, N, 2, 2),
    op(O::POWER_DOWN, N, 0, 0),
    op(O::GET_DEVICE_PROP_DESC, I, 1, 1),
    op(O::GET_DEVICE_PROP_VALUE, I, 1, 1),
    op(O::SET_DEVICE_PROP_VALUE, R, 1, 1),
    op(O::RESET_DEVICE_PROP_VALUE, N, 1, 1),
    op(O::TERMINATE_OPEN_CAPTURE, N, 1, 1),
    op(O::MOVE_OBJECT, N, 2, 3),
    op(O::COPY_OBJECT, N, 2, 3),
    op(O::GET_PARTIAL_OBJECT, I, 3, 3),
    op(O::INITIATE_OPEN_CAPTURE, N, 0, 2),
    op(O::START_ENUM_HANDLES, N, 1, 3),
    op(O::ENUM_HANDLES, I, 2, 2),
    op(O::STOP_ENUM_HANDLES, N, 1, 1),
    op(O::GET_VENDOR_EXTENSION_MAPS, I, 0, 0),
    op(O::GET_VENDOR_DEVICE_INFO, I, 1, 1),
    op(O::GET_RESIZED_IMAGE_OBJECT, I, 3, 3),
    op(O::GET_FILESYSTEM_MANIFEST, I, 3, 3),
    op(O::GET_STREAM_INFO, I, 1, 1),
    op(O::GET_STREAM, I, 1, 1),
    op(O::GET_OBJECT_PROPS_SUPPORTED, I, 1, 1),
    op(O::GET_OBJECT_PROP_DESC, I, 2, 2),
    op(O::GET_OBJECT_PROP_VALUE, I, 2, 2),
    op(O::SET_OBJECT_PROP_VALUE, R, 2, 2),
    op(O::GET_OBJECT_PROP_LIST, I, 1, 5),
    op(O::SET_OBJECT_PROP_LIST, R, 0, 0),
    op(O::GET_INTERDEPENDENT_PROP_DESC, I, 1, 1),
    op(O::SEND_OBJECT_PROP_LIST, R, 5, 5),
    op(O::GET_OBJECT_REFERENCES, I, 1, 1),
    op(O::SET_OBJECT_REFERENCES, R, 1, 1),
    op(O::UPDATE_DEVICE_FIRMWARE, R, 0, 0),
    op(O::SKIP, N, 1, 1),
];

/// The table entry of a standard or MTP operation.
#[must_use]
pub fn operation_spec(code: OperationCode) -> Option<OperationSpec> {
    OPERATIONS.iter().find(|s| s.code == code).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for spec in OPERATIONS {
            assert!(!spec.name.is_empty(), "{:?} has no name", spec.code);
            assert!(spec.min_params <= spec.max_params && spec.max_params <= 5);
            assert_eq!(operation_spec(spec.code), Some(*spec));
        }
        assert!(!operation_spec(O::GET_DEVICE_INFO).unwrap().needs_session);
        assert_eq!(
            operation_spec(O::SEND_OBJECT).unwrap().data,
            DataPhase::ToResponder
        );
        assert_eq!(operation_spec(OperationCode(0x9116)), None);
    }
}
