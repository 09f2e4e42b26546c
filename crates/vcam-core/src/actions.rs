//! What a person does on the body while a client is connected: press the shutter, turn a
//! dial, delete a picture, open the card door, pull the cable.
//!
//! A [`BodyAction`] reaches the camera through
//! [`Responder::act`](crate::Responder::act) (Rust), a [`Remote`](crate::remote::Remote)
//! (another thread), or `vcamctl` (the control socket). The core does what belongs to the
//! body itself (the card slot, the link); the [`VendorExtension`](crate::VendorExtension)
//! does the rest and reports it the vendor's way
//! ([`VendorExtension::body_action`](crate::VendorExtension::body_action)): an EOS body
//! queues GetEvent records, a Sony body C201/C203, a Fujifilm body its 0xD212 list, a plain
//! PTP body the standard events. [`standard`] is the ISO 15740 behaviour, which extensions
//! call for the actions they report the standard way.

use std::fmt;
use std::str::FromStr;

use ptp_types::{
    DevicePropCode, EventCode, ObjectHandle, PropForm, PropValue, ResponseCode, StorageId,
};

use crate::context::{CaptureTarget, Context};
use crate::events::NO_TRANSACTION;
use crate::store::{FormatFilter, ParentFilter, is_folder};

/// Something a person does on the body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyAction {
    /// The shutter button pressed all the way: a picture onto the card (or wherever the body
    /// sends pictures), reported as the vendor reports a new object.
    Shutter,
    /// A dial turned `steps` clicks (negative: the other way): the property it sets moves
    /// along its list, reported as the vendor reports a property change.
    Dial {
        /// Which dial.
        dial: Dial,
        /// Clicks, signed.
        steps: i32,
    },
    /// A picture deleted in the body's playback menu, reported as the vendor reports a
    /// removed object.
    Delete(ObjectTarget),
    /// The card door opened (`true`: the card comes out) or closed (the card goes in),
    /// reported as the vendor reports a store removed or added.
    CardDoor {
        /// Whether the door is now open.
        open: bool,
    },
    /// The battery now holds `percent` of its charge (0: dead; the session ends).
    Battery(u8),
    /// The cable pulled (USB: the device detaches; PTP/IP: the connection closes).
    Unplug,
    /// The cable plugged back in.
    Plug,
}

/// A dial (or button pair) of the body, by what it sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dial {
    /// ISO sensitivity.
    Iso,
    /// Shutter speed.
    ShutterSpeed,
    /// Aperture.
    Aperture,
    /// Exposure compensation.
    ExposureCompensation,
    /// White balance.
    WhiteBalance,
    /// Any property, by code.
    Property(DevicePropCode),
}

impl Dial {
    /// The standard (ISO 15740) property the dial sets on a plain PTP body.
    #[must_use]
    pub const fn standard_property(self) -> DevicePropCode {
        match self {
            Self::Iso => DevicePropCode::EXPOSURE_INDEX,
            Self::ShutterSpeed => DevicePropCode::EXPOSURE_TIME,
            Self::Aperture => DevicePropCode::F_NUMBER,
            Self::ExposureCompensation => DevicePropCode::EXPOSURE_BIAS_COMPENSATION,
            Self::WhiteBalance => DevicePropCode::WHITE_BALANCE,
            Self::Property(code) => code,
        }
    }
}

/// A picture on the card, by handle, by file name, or the newest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectTarget {
    /// This handle.
    Handle(ObjectHandle),
    /// The (first) file of this name, in any folder.
    Name(String),
    /// The file with the highest handle (the last one the card got).
    Newest,
}

/// What an action did, in words (for `vcamctl`), and the object it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionOutcome {
    /// What happened.
    pub message: String,
    /// The object made or removed, if any.
    pub object: Option<ObjectHandle>,
}

impl ActionOutcome {
    /// An outcome that is only words.
    #[must_use]
    pub fn said(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            object: None,
        }
    }
}

impl fmt::Display for ActionOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Why an action could not be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ActionError {
    /// The body refused, with the response code it would give.
    #[error("the body refused: {0:?}")]
    Refused(ResponseCode),
    /// The body has no such dial (no property behind it).
    #[error("this body has no {0:?} dial")]
    NoDial(Dial),
    /// The dial's property has no list of values to move along.
    #[error("property {0:?} has no list of values a dial can move along")]
    NotADial(DevicePropCode),
    /// No picture matches.
    #[error("no picture {0}")]
    NoObject(String),
    /// The action text could not be read.
    #[error("{0}")]
    Parse(String),
    /// The camera is not running it (no transport drives it, or it went away).
    #[error("the camera did not answer in time (no transport is driving it?)")]
    NotDriven,
}

impl From<ResponseCode> for ActionError {
    fn from(code: ResponseCode) -> Self {
        Self::Refused(code)
    }
}

/// The ISO 15740 behaviour of an action, for bodies (and vendor extensions) that report it
/// the standard way:
///
/// - [`BodyAction::Shutter`]: a capture onto the card, ObjectAdded and CaptureComplete;
/// - [`BodyAction::Dial`]: the dial's [standard property](Dial::standard_property) moves
///   ([`turn`]), DevicePropChanged follows when the property is listed;
/// - [`BodyAction::Delete`]: the object goes, ObjectRemoved;
/// - [`BodyAction::CardDoor`]: StoreRemoved or StoreAdded (the core has already taken the card
///   out or put it in);
/// - [`BodyAction::Battery`]: BatteryLevel (0x5001) follows, when the body has it
///   ([`set_battery`]).
///
/// # Errors
/// What the body refuses, as [`ActionError`].
pub fn standard(cx: &mut Context<'_>, action: &BodyAction) -> Result<ActionOutcome, ActionError> {
    match action {
        BodyAction::Shutter => {
            let shot = cx.capture(CaptureTarget::Card)?;
            cx.queue_event(EventCode::OBJECT_ADDED, NO_TRANSACTION, [shot.handle.0]);
            cx.queue_event(EventCode::CAPTURE_COMPLETE, NO_TRANSACTION, []);
            Ok(captured(shot.info.filename.as_str(), shot.handle))
        }
        BodyAction::Dial { dial, steps } => turn(cx, dial.standard_property(), *steps),
        BodyAction::Delete(target) => {
            let handle = delete(cx, target)?;
            cx.queue_event(EventCode::OBJECT_REMOVED, NO_TRANSACTION, [handle.0]);
            Ok(deleted(handle))
        }
        BodyAction::CardDoor { open } => {
            let code = if *open {
                EventCode::STORE_REMOVED
            } else {
                EventCode::STORE_ADDED
            };
            for storage in card_storages(cx) {
                cx.queue_event(code, NO_TRANSACTION, [storage.0]);
            }
            Ok(ActionOutcome::said(if *open {
                "card out"
            } else {
                "card in"
            }))
        }
        BodyAction::Battery(percent) => {
            set_battery(cx, DevicePropCode::BATTERY_LEVEL, *percent);
            Ok(ActionOutcome::said(format!("battery {percent}%")))
        }
        // The link is the core's; nothing for the body to report.
        BodyAction::Unplug | BodyAction::Plug => Ok(ActionOutcome::said("done")),
    }
}

/// The outcome of a capture named `name` under `handle`.
#[must_use]
pub fn captured(name: &str, handle: ObjectHandle) -> ActionOutcome {
    ActionOutcome {
        message: format!("captured {name} ({:#010x})", handle.0),
        object: Some(handle),
    }
}

/// The outcome of deleting `handle`.
#[must_use]
pub fn deleted(handle: ObjectHandle) -> ActionOutcome {
    ActionOutcome {
        message: format!("deleted {:#010x}", handle.0),
        object: Some(handle),
    }
}

/// The storages of the card, or the card's usual StorageID when it is out (the one the
/// StoreRemoved / StoreAdded events name).
#[must_use]
pub fn card_storages(cx: &Context<'_>) -> Vec<StorageId> {
    let ids = cx.store.storage_ids();
    if ids.is_empty() {
        vec![crate::store::CARD_STORAGE_ID]
    } else {
        ids
    }
}

/// Moves property `code` `steps` places along its list of values (an enumeration, or a
/// range in its steps), stopping at either end, as the body's own dial does: the change is
/// the camera's (read-only properties move too) and is reported like any other.
///
/// # Errors
/// The body has no such property, or it has no list to move along.
pub fn turn(
    cx: &mut Context<'_>,
    code: DevicePropCode,
    steps: i32,
) -> Result<ActionOutcome, ActionError> {
    let desc = cx.props.desc(code).ok_or(ActionError::Refused(
        ResponseCode::DEVICE_PROP_NOT_SUPPORTED,
    ))?;
    let next = match &desc.form {
        PropForm::Enumeration(values) if !values.is_empty() => {
            let at = values.iter().position(|v| *v == desc.current).unwrap_or(0);
            let last = values.len() - 1;
            let to = i64::try_from(at)
                .unwrap_or(0)
                .saturating_add(i64::from(steps))
                .clamp(0, i64::try_from(last).unwrap_or(0));
            values
                .get(usize::try_from(to).unwrap_or(0))
                .cloned()
                .ok_or(ActionError::NotADial(code))?
        }
        PropForm::Range { min, max, step } => {
            let (Some(min), Some(max), Some(cur)) =
                (min.as_i128(), max.as_i128(), desc.current.as_i128())
            else {
                return Err(ActionError::NotADial(code));
            };
            let step = step.as_i128().filter(|&s| s > 0).unwrap_or(1);
            let to = cur
                .saturating_add(step.saturating_mul(i128::from(steps)))
                .clamp(min, max);
            PropValue::from_i128(desc.data_type, to).ok_or(ActionError::NotADial(code))?
        }
        _ => return Err(ActionError::NotADial(code)),
    };
    cx.props
        .set_by_device(code, next.clone())
        .map_err(|e| ActionError::Refused(e.response_code()))?;
    Ok(ActionOutcome::said(format!("{code:?} = {next:?}")))
}

/// Sets the body's battery property `code` to `percent`, scaled to its form (an enumeration:
/// the nearest listed level; a range: its span), when the body has it.
pub fn set_battery(cx: &mut Context<'_>, code: DevicePropCode, percent: u8) {
    let Some(desc) = cx.props.desc(code) else {
        return;
    };
    let percent = i128::from(percent.min(100));
    let value = match &desc.form {
        PropForm::Enumeration(values) => {
            let levels: Vec<i128> = values.iter().filter_map(PropValue::as_i128).collect();
            let top = levels.iter().copied().max().unwrap_or(100).max(1);
            let want = percent * top / 100;
            let nearest = levels.iter().copied().min_by_key(|l| (l - want).abs());
            nearest.and_then(|l| PropValue::from_i128(desc.data_type, l))
        }
        PropForm::Range { min, max, .. } => match (min.as_i128(), max.as_i128()) {
            (Some(lo), Some(hi)) => {
                PropValue::from_i128(desc.data_type, lo.max(0) + (hi - lo.max(0)) * percent / 100)
            }
            _ => None,
        },
        _ => PropValue::from_i128(desc.data_type, percent),
    };
    if let Some(value) = value
        && let Err(e) = cx.props.set_by_device(code, value)
    {
        tracing::debug!(%e, ?code, "battery level not set");
    }
}

/// The card object `target` names.
///
/// # Errors
/// [`ActionError::NoObject`] when no file matches.
pub fn find(cx: &mut Context<'_>, target: &ObjectTarget) -> Result<ObjectHandle, ActionError> {
    if let ObjectTarget::Handle(h) = target {
        return Ok(*h);
    }
    let handles = cx
        .store
        .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Any)
        .map_err(|e| ActionError::Refused(e.response_code()))?;
    let mut newest = None;
    for handle in handles {
        let Ok(info) = cx.store.object_info(handle) else {
            continue;
        };
        if is_folder(&info) {
            continue;
        }
        match target {
            ObjectTarget::Name(name) if info.filename.as_str() == name => return Ok(handle),
            ObjectTarget::Newest if newest.is_none_or(|n: ObjectHandle| handle.0 > n.0) => {
                newest = Some(handle);
            }
            _ => {}
        }
    }
    newest.ok_or_else(|| ActionError::NoObject(target.to_string()))
}

/// Deletes the card object `target` names (a person on the body: the card's write
/// protection of the host does not apply, the object's own does) and returns its handle.
/// Events are the caller's.
///
/// # Errors
/// No such object, or the card refuses.
pub fn delete(cx: &mut Context<'_>, target: &ObjectTarget) -> Result<ObjectHandle, ActionError> {
    let handle = find(cx, target)?;
    cx.store
        .delete(handle)
        .map_err(|e| ActionError::Refused(e.response_code()))?;
    tracing::info!(?handle, "deleted on the body");
    Ok(handle)
}

impl fmt::Display for ObjectTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Handle(h) => write!(f, "{:#010x}", h.0),
            Self::Name(n) => f.write_str(n),
            Self::Newest => f.write_str("newest"),
        }
    }
}

impl FromStr for ObjectTarget {
    type Err = ActionError;

    /// `0x...` (a handle), `newest`, or a file name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Some(hex) = s.strip_prefix("0x") {
            return u32::from_str_radix(hex, 16)
                .map(|h| Self::Handle(ObjectHandle(h)))
                .map_err(|_| ActionError::Parse(format!("{s:?} is not a handle")));
        }
        match s {
            "" => Err(ActionError::Parse("which picture?".into())),
            "newest" | "last" => Ok(Self::Newest),
            name => Ok(Self::Name(name.to_string())),
        }
    }
}

impl FromStr for Dial {
    type Err = ActionError;

    /// `iso`, `shutter`, `aperture`, `ev`, `wb`, or a property code `0xNNNN`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "iso" => Self::Iso,
            "shutter" | "shutterspeed" | "tv" => Self::ShutterSpeed,
            "aperture" | "f-number" | "fnumber" | "av" => Self::Aperture,
            "ev" | "exposure" | "exposurecompensation" => Self::ExposureCompensation,
            "wb" | "whitebalance" => Self::WhiteBalance,
            other => {
                let code = other
                    .strip_prefix("0x")
                    .and_then(|h| u16::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        ActionError::Parse(format!(
                            "unknown dial {other:?}; known: iso, shutter, aperture, ev, wb, 0xNNNN"
                        ))
                    })?;
                Self::Property(DevicePropCode(code))
            }
        })
    }
}

impl fmt::Display for BodyAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Shutter => f.write_str("shutter"),
            Self::Dial { dial, steps } => write!(f, "dial {dial:?} {steps:+}"),
            Self::Delete(target) => write!(f, "delete {target}"),
            Self::CardDoor { open: true } => f.write_str("card out"),
            Self::CardDoor { open: false } => f.write_str("card in"),
            Self::Battery(p) => write!(f, "battery {p}"),
            Self::Unplug => f.write_str("unplug"),
            Self::Plug => f.write_str("plug"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_dials_parse() {
        assert_eq!(
            "0x10".parse::<ObjectTarget>(),
            Ok(ObjectTarget::Handle(ObjectHandle(16)))
        );
        assert_eq!("newest".parse::<ObjectTarget>(), Ok(ObjectTarget::Newest));
        assert_eq!(
            "IMG_0001.JPG".parse::<ObjectTarget>(),
            Ok(ObjectTarget::Name("IMG_0001.JPG".into()))
        );
        assert_eq!("ISO".parse::<Dial>(), Ok(Dial::Iso));
        assert_eq!(
            "0xd103".parse::<Dial>(),
            Ok(Dial::Property(DevicePropCode(0xD103)))
        );
        assert!("volume".parse::<Dial>().is_err());
    }
}
