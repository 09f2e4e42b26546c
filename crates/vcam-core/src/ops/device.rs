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
    let m = cx.model;
    DeviceInfo {
        standard_version: m.standard_version,
        vendor_extension_id: m.vendor_extension_id,
        vendor_extension_version: m.vendor_extension_version,
        vendor_extension_desc: m.vendor_extension_desc.clone(),
        functional_mode: m.functional_mode,
        operations_supported: m.operations.clone(),
        events_supported: m.events.clone(),
        device_properties_supported: cx.props.listed().collect(),
        capture_formats: m.capture_formats.clone(),
        playback_formats: m.playback_formats.clone(),
        manufacturer: m.manufacturer.clone(),
        model: m.model.clone(),
        device_version: m.device_version.clone(),
        serial_number: m.serial_number.clone(),
    }
}
