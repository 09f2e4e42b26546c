//! MTP 1.1 operations (object properties and references).
//!
//! Not answered yet: no shipped model lists an MTP operation, and the responder answers
//! OperationNotSupported for every operation a model does not list.

use ptp_types::OperationCode;

use crate::camera::Context;
use crate::ops::Handled;
use crate::reply::{Request, Response};

/// Whether `code` is an MTP operation handled here.
pub(crate) const fn handles(_code: OperationCode) -> bool {
    false
}

/// Handles an MTP operation.
pub(crate) fn handle(_cx: &mut Context<'_>, _req: &Request) -> Handled {
    crate::ops::err(ptp_types::ResponseCode::OPERATION_NOT_SUPPORTED)
}

/// Receives the data phase of an MTP operation.
pub(crate) fn handle_data(_cx: &mut Context<'_>, _req: &Request, _data: &[u8]) -> Response {
    Response::code(ptp_types::ResponseCode::OPERATION_NOT_SUPPORTED)
}
