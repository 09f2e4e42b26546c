//! What a person does on an EOS body while a client is connected, reported in the GetEvent
//! stream as the body reports it (libgphoto2 `ptp-pack.c`: `ptp_unpack_CANON_changes`;
//! `library.c`: `camera_wait_for_event`, the EOS part): the shutter as a capture
//! (CameraStatusChanged, ObjectAddedEx or RequestObjectTransfer), a dial as PropValueChanged
//! of its EOS property, a deletion as ObjectRemoved, the card door as StoreRemoved /
//! StoreAdded, the battery as PropValueChanged of BatteryPower (0xD111).

use vcam_core::Context;
use vcam_core::actions::{self, ActionError, ActionOutcome, BodyAction, Dial};
use vcam_core::ptp_types::{DevicePropCode, PropValue};

use super::CanonEos;
use crate::codes::{EventType, prop};
use crate::records::EosEvent;

/// BatteryPower (0xD111) values by what libgphoto2 shows (`config.c`:
/// `_get_Canon_EOS_BatteryLevel`): 0 "Low", 5 "25%", 1 "50%", 4 "75%", 2 "100%".
const BATTERY_POWER: [(u8, u32); 5] = [(12, 0), (37, 5), (62, 1), (87, 4), (100, 2)];

impl CanonEos {
    /// [`vcam_core::VendorExtension::body_action`] of an EOS body.
    pub(super) fn on_body(
        &mut self,
        cx: &mut Context<'_>,
        action: &BodyAction,
    ) -> Result<ActionOutcome, ActionError> {
        match action {
            BodyAction::Shutter => {
                self.capture(cx)?;
                Ok(ActionOutcome::said("captured"))
            }
            BodyAction::Dial { dial, steps } => actions::turn(cx, dial_property(*dial), *steps),
            BodyAction::Delete(target) => {
                let handle = actions::delete(cx, target)?;
                self.queue(EosEvent::ObjectRemoved(handle));
                Ok(actions::deleted(handle))
            }
            BodyAction::CardDoor { open } => {
                let kind = if *open {
                    EventType::STORE_REMOVED
                } else {
                    EventType::STORE_ADDED
                };
                for storage in actions::card_storages(cx) {
                    self.queue(EosEvent::Other {
                        kind,
                        payload: storage.0.to_le_bytes().to_vec(),
                    });
                }
                Ok(ActionOutcome::said(if *open {
                    "card out"
                } else {
                    "card in"
                }))
            }
            BodyAction::Battery(percent) => {
                let power = BATTERY_POWER
                    .iter()
                    .find(|(up_to, _)| percent <= up_to)
                    .map_or(2, |&(_, v)| v);
                if let Err(e) = cx
                    .props
                    .set_by_device(prop::BATTERY_POWER, PropValue::UInt32(power))
                {
                    tracing::debug!(%e, "BatteryPower not set");
                }
                actions::set_battery(cx, DevicePropCode::BATTERY_LEVEL, *percent);
                Ok(ActionOutcome::said(format!("battery {percent}%")))
            }
            other => actions::standard(cx, other),
        }
    }
}

/// The EOS property a dial of the body sets.
const fn dial_property(dial: Dial) -> DevicePropCode {
    match dial {
        Dial::Iso => prop::ISO_SPEED,
        Dial::ShutterSpeed => prop::SHUTTER_SPEED,
        Dial::Aperture => prop::APERTURE,
        Dial::ExposureCompensation => prop::EXP_COMPENSATION,
        Dial::WhiteBalance => prop::WHITE_BALANCE,
        Dial::Property(code) => code,
        _ => prop::ISO_SPEED,
    }
}
