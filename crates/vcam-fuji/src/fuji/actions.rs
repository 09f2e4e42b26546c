//! What a person does on a Fujifilm body while a client is connected, reported as the body
//! reports it: the shutter as a capture (ObjectAdded and CaptureComplete on USB; on WiFi the
//! X-T1's ObjectAdded 0xC004 and PreviewAvailable 0xC001), a dial as a change of its property
//! (an entry of the 0xD212 event list, and DevicePropChanged for the properties DeviceInfo
//! lists; libgphoto2 `ptp.c`: `ptp_fuji_getevents`), a deletion as ObjectRemoved, the card
//! door as StoreRemoved / StoreAdded (the X-H1's EventsSupported lists them), the battery as
//! 0xD242.

use vcam_core::actions::{self, ActionError, ActionOutcome, BodyAction, Dial};
use vcam_core::events::{EventRecord, NO_TRANSACTION};
use vcam_core::ptp_types::{DevicePropCode, EventCode};
use vcam_core::{Context, Reply};

use super::FujiX;
use crate::codes::prop;

impl FujiX {
    /// [`vcam_core::VendorExtension::body_action`] of a Fujifilm body.
    pub(super) fn on_body(
        &mut self,
        cx: &mut Context<'_>,
        action: &BodyAction,
    ) -> Result<ActionOutcome, ActionError> {
        match action {
            BodyAction::Shutter => match self.shoot(cx, NO_TRANSACTION) {
                Reply::Response(r) if !r.code.is_ok() => Err(ActionError::Refused(r.code)),
                _ => Ok(ActionOutcome::said("captured")),
            },
            BodyAction::Dial { dial, steps } => {
                let code = match dial {
                    // The WiFi face answers ISO in Fujifilm's own property.
                    Dial::Iso if self.answers(prop::EXPOSURE_INDEX) => prop::EXPOSURE_INDEX,
                    other => other.standard_property(),
                };
                actions::turn(cx, code, *steps)
            }
            BodyAction::Battery(percent) => {
                actions::set_battery(cx, prop::BATTERY_LEVEL, *percent);
                actions::set_battery(cx, DevicePropCode::BATTERY_LEVEL, *percent);
                // 0xD242 is not in the DeviceInfo list, yet libgphoto2's Fujifilm event wait
                // reads only the event channel: the body says so there too.
                if !self.body().device_props.contains(&prop::BATTERY_LEVEL) {
                    cx.events.push(EventRecord {
                        code: EventCode::DEVICE_PROP_CHANGED,
                        transaction_id: NO_TRANSACTION,
                        params: [u32::from(prop::BATTERY_LEVEL.0)].into(),
                    });
                }
                Ok(ActionOutcome::said(format!("battery {percent}%")))
            }
            other => actions::standard(cx, other),
        }
    }
}
