//! The device group: GetDeviceInfo, SelfTest and PowerDown (ISO 15740:2013 §10.5).

use ptp_types::{DeviceInfo, OperationCode, ResponseCode};

use super::common::{Handled, err};
use crate::context::Context;
use crate::reply::{Reply, Request};
use crate::vendor::VendorExtension;

/// Handles an operation of the device group.
pub(super) fn handle(cx: &mut Context<'_>, vendor: &dyn VendorExtension, req: &Request) -> Handled {
    match req.code {
        OperationCode::GET_DEVICE_INFO => {
            let mut info = device_info(cx);
            vendor.device_info(&mut info);
            Handled::Reply(Reply::dataset(&info))
        }
        OperationCode::SELF_TEST => Handled::Reply(Reply::ok()),
        // The body switches off: the session ends.
        OperationCode::POWER_DOWN => Handled::EndSession(Reply::ok()),
        _ => err(ResponseCode::OPERATION_NOT_SUPPORTED),
    }
}

/// The DeviceInfo dataset of the camera (ISO 15740:2013 §5.5.1), before vendor changes.
fn device_info(cx: &Context<'_>) -> DeviceInfo {
    cx.model.get_device_info(cx.props.listed().collect())
}
