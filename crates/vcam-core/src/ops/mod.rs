//! Operation handlers, grouped as ISO 15740:2013 §10.5 and MTP 1.1 appendix D group them,
//! and the one router that decides which group answers an operation code ([`route`]).
//!
//! Each handler validates its parameters and answers with the response code a real camera
//! uses; none can panic on a peer's input. The groups are siblings: each imports only
//! [`common`] (and the layers below: the [`Context`], the store, the properties), never
//! another group and never the responder.

pub mod android;
mod capture;
mod common;
mod device;
mod mtp;
mod objects;
mod props;
mod stream;

use ptp_types::OperationCode as O;

use crate::context::Context;
use crate::reply::{Request, Response};
use crate::vendor::VendorExtension;

pub(crate) use capture::run_timer;
pub(crate) use common::Handled;
pub use mtp::MTP_OPERATIONS;
pub(crate) use objects::finish_upload;

/// Who answers an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// The responder's session state machine; no vendor extension sees these.
    Session(SessionOp),
    /// The vendor extension first; when it declines, this group of standard handlers.
    Handlers(Group),
}

/// An operation on the session itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionOp {
    /// OpenSession.
    Open,
    /// CloseSession or ResetDevice: the session ends.
    Close,
}

/// A group of standard handlers (one module of this folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    /// GetDeviceInfo, SelfTest, PowerDown.
    Device,
    /// Storages and objects: enumeration, transfer in both directions, deletion, moves.
    Objects,
    /// InitiateCapture, InitiateOpenCapture, TerminateOpenCapture.
    Capture,
    /// Device properties.
    Props,
    /// PTP 1.1 streams (live view).
    Stream,
    /// MTP object properties and references.
    Mtp,
    /// Nothing in the core answers it.
    Unsupported,
}

/// The routing table: which part of the core answers `code`.
pub(crate) fn route(code: O) -> Route {
    match code {
        O::OPEN_SESSION => Route::Session(SessionOp::Open),
        O::CLOSE_SESSION | O::RESET_DEVICE => Route::Session(SessionOp::Close),
        O::GET_DEVICE_INFO | O::SELF_TEST | O::POWER_DOWN => Route::Handlers(Group::Device),
        O::GET_STORAGE_IDS
        | O::GET_STORAGE_INFO
        | O::FORMAT_STORE
        | O::GET_NUM_OBJECTS
        | O::GET_OBJECT_HANDLES
        | O::GET_OBJECT_INFO
        | O::GET_OBJECT
        | O::GET_PARTIAL_OBJECT
        | O::GET_THUMB
        | O::DELETE_OBJECT
        | O::SEND_OBJECT_INFO
        | O::SEND_OBJECT
        | O::SET_OBJECT_PROTECTION
        | O::MOVE_OBJECT
        | O::COPY_OBJECT
        | android::GET_PARTIAL_OBJECT_64 => Route::Handlers(Group::Objects),
        O::INITIATE_CAPTURE | O::INITIATE_OPEN_CAPTURE | O::TERMINATE_OPEN_CAPTURE => {
            Route::Handlers(Group::Capture)
        }
        O::GET_DEVICE_PROP_DESC
        | O::GET_DEVICE_PROP_VALUE
        | O::SET_DEVICE_PROP_VALUE
        | O::RESET_DEVICE_PROP_VALUE => Route::Handlers(Group::Props),
        O::GET_STREAM_INFO | O::GET_STREAM => Route::Handlers(Group::Stream),
        code if MTP_OPERATIONS.contains(&code) => Route::Handlers(Group::Mtp),
        _ => Route::Handlers(Group::Unsupported),
    }
}

/// Answers a request the vendor extension declined. `vendor` adjusts the DeviceInfo dataset.
pub(crate) fn handle(
    cx: &mut Context<'_>,
    vendor: &dyn VendorExtension,
    group: Group,
    req: &Request,
) -> Handled {
    match group {
        Group::Device => device::handle(cx, vendor, req),
        Group::Objects => objects::handle(cx, req),
        Group::Capture => capture::handle(cx, req),
        Group::Props => props::handle(cx, req),
        Group::Stream => stream::handle(cx, req),
        Group::Mtp => mtp::handle(cx, req),
        Group::Unsupported => common::err(ptp_types::ResponseCode::OPERATION_NOT_SUPPORTED),
    }
}

/// Receives the data phase of a standard operation whose handler asked for one.
pub(crate) fn handle_data(cx: &mut Context<'_>, req: &Request, data: &[u8]) -> Response {
    match route(req.code) {
        Route::Handlers(Group::Objects) => objects::handle_data(cx, req, data),
        Route::Handlers(Group::Props) => props::handle_data(cx, req, data),
        Route::Handlers(Group::Mtp) => mtp::handle_data(cx, req, data),
        _ => Response::code(ptp_types::ResponseCode::GENERAL_ERROR),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_standard_operation_has_one_route() {
        for spec in ptp_types::OPERATIONS {
            let r = route(spec.code);
            let mtp = MTP_OPERATIONS.contains(&spec.code);
            assert_eq!(r == Route::Handlers(Group::Mtp), mtp, "{:?}", spec.code);
        }
        for code in crate::generic::STANDARD_OPERATIONS {
            assert_ne!(
                route(*code),
                Route::Handlers(Group::Unsupported),
                "{code:?} is advertised but routed nowhere"
            );
        }
    }
}
