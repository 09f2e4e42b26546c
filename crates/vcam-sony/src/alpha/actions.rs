//! What a person does on a Sony body in PC Remote mode while a client is connected,
//! reported with Sony's events (libgphoto2 `library.c`: `camera_wait_for_event`, the Sony
//! SDIO part): the shutter as a picture at 0xFFFFC001 (0xD215 = 0x8001, C201), a dial as its
//! setting moving along the body's dial (C203), a deletion as C202, the battery as 0xD218
//! (C203). The PC Remote face has no event of its own for the card door: the standard
//! StoreRemoved / StoreAdded go out (as in the body's MTP mode).

use vcam_core::Context;
use vcam_core::actions::{self, ActionError, ActionOutcome, BodyAction, Dial};
use vcam_core::events::{EventRecord, NO_TRANSACTION};
use vcam_core::ptp_types::{DevicePropCode, EventCode, ResponseCode};

use super::capture::take_picture;
use crate::body::SonyBody;
use crate::codes::{ec, prop};

/// [`vcam_core::VendorExtension::body_action`] of a Sony body.
pub(super) fn on_body(
    cx: &mut Context<'_>,
    body: &SonyBody,
    save: bool,
    action: &BodyAction,
) -> Result<ActionOutcome, ActionError> {
    match action {
        BodyAction::Shutter => {
            let name = take_picture(cx, body, save)?;
            Ok(actions::captured(&name, crate::codes::CAPTURE_OBJECT))
        }
        BodyAction::Dial { dial, steps } => {
            let code = dial_property(*dial);
            let Some(p) = body.prop(code) else {
                return actions::turn(cx, code, *steps);
            };
            let current = cx
                .props
                .int(code)
                .and_then(|v| i64::try_from(v).ok())
                .unwrap_or(p.current);
            let target = p
                .step(current, i64::from(*steps))
                .ok_or(ActionError::NotADial(code))?;
            let value = p.ty.value(target).ok_or(ActionError::Refused(
                ResponseCode::INVALID_DEVICE_PROP_VALUE,
            ))?;
            cx.props
                .set_by_device(code, value.clone())
                .map_err(|e| ActionError::Refused(e.response_code()))?;
            Ok(ActionOutcome::said(format!("{code:?} = {value:?}")))
        }
        BodyAction::Delete(target) => {
            let handle = actions::delete(cx, target)?;
            cx.queue_event(ec::OBJECT_REMOVED, NO_TRANSACTION, [handle.0]);
            Ok(actions::deleted(handle))
        }
        BodyAction::CardDoor { open } => {
            let code = if *open {
                EventCode::STORE_REMOVED
            } else {
                EventCode::STORE_ADDED
            };
            for storage in actions::card_storages(cx) {
                cx.events.push(EventRecord {
                    code,
                    transaction_id: NO_TRANSACTION,
                    params: [storage.0].into(),
                });
            }
            Ok(ActionOutcome::said(if *open {
                "card out"
            } else {
                "card in"
            }))
        }
        BodyAction::Battery(percent) => {
            actions::set_battery(cx, prop::BATTERY_LEVEL, *percent);
            actions::set_battery(cx, DevicePropCode::BATTERY_LEVEL, *percent);
            Ok(ActionOutcome::said(format!("battery {percent}%")))
        }
        other => actions::standard(cx, other),
    }
}

/// The property a dial of the body sets.
const fn dial_property(dial: Dial) -> DevicePropCode {
    match dial {
        Dial::Iso => prop::ISO,
        Dial::ShutterSpeed => prop::SHUTTER_SPEED,
        Dial::Property(code) => code,
        other => other.standard_property(),
    }
}
