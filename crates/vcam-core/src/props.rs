//! Device properties: descriptions, current values, validation against the form, and a
//! record of every change so each one can be reported exactly once.

use std::collections::BTreeMap;

use ptp_types::{DevicePropCode, DevicePropDesc, GetSet, PropForm, PropValue, ResponseCode};

use crate::model::PropertyDef;

/// Who changed a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeOrigin {
    /// The initiator, through SetDevicePropValue or a vendor set operation.
    Initiator,
    /// The camera itself (a dial turned, the battery draining, a mode change).
    Device,
}

/// What changed about a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// The current value.
    Value,
    /// The form (for example the list of allowed values).
    Form,
}

/// One recorded change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropChange {
    /// The property.
    pub code: DevicePropCode,
    /// Value or form.
    pub kind: ChangeKind,
    /// Who changed it.
    pub origin: ChangeOrigin,
}

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PropError {
    /// The camera has no such property.
    #[error("device property {0:?} is not supported")]
    NotSupported(DevicePropCode),
    /// The property is read-only.
    #[error("device property {0:?} is read-only")]
    ReadOnly(DevicePropCode),
    /// The value has the wrong data type.
    #[error("device property {code:?} has type {expected:?}, got {got:?}")]
    WrongType {
        /// The property.
        code: DevicePropCode,
        /// Its data type.
        expected: ptp_types::DataTypeCode,
        /// The type of the value offered.
        got: ptp_types::DataTypeCode,
    },
    /// The value is not allowed by the form.
    #[error("value {value} is not allowed for device property {code:?}")]
    NotAllowed {
        /// The property.
        code: DevicePropCode,
        /// The refused value.
        value: String,
    },
}

impl PropError {
    /// The response code a camera answers with (ISO 15740:2013 §11).
    #[must_use]
    pub const fn response_code(&self) -> ResponseCode {
        match self {
            Self::NotSupported(_) => ResponseCode::DEVICE_PROP_NOT_SUPPORTED,
            Self::ReadOnly(_) => ResponseCode::ACCESS_DENIED,
            Self::WrongType { .. } => ResponseCode::INVALID_DEVICE_PROP_FORMAT,
            Self::NotAllowed { .. } => ResponseCode::INVALID_DEVICE_PROP_VALUE,
        }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    desc: DevicePropDesc,
    listed: bool,
}

/// The device properties of a camera.
#[derive(Debug, Clone, Default)]
pub struct Properties {
    entries: BTreeMap<u16, Entry>,
    order: Vec<DevicePropCode>,
    changes: Vec<PropChange>,
}

impl Properties {
    /// Properties from a model's table, in its order.
    #[must_use]
    pub fn from_defs(defs: &[PropertyDef]) -> Self {
        let mut props = Self::default();
        for def in defs {
            props.define(def.desc.clone(), def.listed);
        }
        props
    }

    /// Adds (or replaces) a property.
    pub fn define(&mut self, desc: DevicePropDesc, listed: bool) {
        let code = desc.code;
        if self
            .entries
            .insert(code.0, Entry { desc, listed })
            .is_none()
        {
            self.order.push(code);
        }
    }

    /// The properties listed in DeviceInfo, in order.
    pub fn listed(&self) -> impl Iterator<Item = DevicePropCode> + '_ {
        self.order
            .iter()
            .copied()
            .filter(|c| self.entries.get(&c.0).is_some_and(|e| e.listed))
    }

    /// Every property, listed or not, in definition order.
    pub fn codes(&self) -> impl Iterator<Item = DevicePropCode> + '_ {
        self.order.iter().copied()
    }

    /// Whether the camera has this property.
    #[must_use]
    pub fn contains(&self, code: DevicePropCode) -> bool {
        self.entries.contains_key(&code.0)
    }

    /// Whether this property is listed in DeviceInfo.
    #[must_use]
    pub fn is_listed(&self, code: DevicePropCode) -> bool {
        self.entries.get(&code.0).is_some_and(|e| e.listed)
    }

    /// The description (with the current value).
    #[must_use]
    pub fn desc(&self, code: DevicePropCode) -> Option<&DevicePropDesc> {
        self.entries.get(&code.0).map(|e| &e.desc)
    }

    /// The current value.
    #[must_use]
    pub fn value(&self, code: DevicePropCode) -> Option<&PropValue> {
        self.desc(code).map(|d| &d.current)
    }

    /// The current value as an integer, when it is an integer scalar.
    #[must_use]
    pub fn int(&self, code: DevicePropCode) -> Option<i128> {
        self.value(code).and_then(PropValue::as_i128)
    }

    /// Checks a value the initiator wants to set, without setting it.
    pub fn check(&self, code: DevicePropCode, value: &PropValue) -> Result<(), PropError> {
        let desc = self.desc(code).ok_or(PropError::NotSupported(code))?;
        if desc.get_set != GetSet::GET_SET {
            return Err(PropError::ReadOnly(code));
        }
        check_value(desc, value)
    }

    /// Sets a value on behalf of the initiator: refuses read-only properties, wrong types and
    /// values outside the form. Returns whether the value changed (and recorded the change).
    pub fn set(&mut self, code: DevicePropCode, value: PropValue) -> Result<bool, PropError> {
        self.check(code, &value)?;
        Ok(self.store(code, value, ChangeOrigin::Initiator))
    }

    /// Sets a value on behalf of the camera itself: the type and form are still checked, the
    /// GetSet flag is not.
    pub fn set_by_device(
        &mut self,
        code: DevicePropCode,
        value: PropValue,
    ) -> Result<bool, PropError> {
        let desc = self.desc(code).ok_or(PropError::NotSupported(code))?;
        check_value(desc, &value)?;
        Ok(self.store(code, value, ChangeOrigin::Device))
    }

    /// Replaces the current value without any check and without recording a change (for
    /// values that follow something else, such as the camera clock).
    pub fn refresh(&mut self, code: DevicePropCode, value: PropValue) {
        if let Some(entry) = self.entries.get_mut(&code.0) {
            entry.desc.current = value;
        }
    }

    /// Resets a property to its factory default (ResetDevicePropValue).
    pub fn reset(&mut self, code: DevicePropCode) -> Result<bool, PropError> {
        let desc = self.desc(code).ok_or(PropError::NotSupported(code))?;
        if desc.get_set != GetSet::GET_SET {
            return Err(PropError::ReadOnly(code));
        }
        let default = desc.factory_default.clone();
        Ok(self.store(code, default, ChangeOrigin::Initiator))
    }

    /// Replaces a property's form (for example a new list of allowed values) and records it.
    pub fn set_form(
        &mut self,
        code: DevicePropCode,
        form: PropForm,
        origin: ChangeOrigin,
    ) -> Result<(), PropError> {
        let entry = self
            .entries
            .get_mut(&code.0)
            .ok_or(PropError::NotSupported(code))?;
        if entry.desc.form != form {
            entry.desc.form = form;
            self.changes.push(PropChange {
                code,
                kind: ChangeKind::Form,
                origin,
            });
        }
        Ok(())
    }

    /// Takes the changes recorded since the last call, oldest first.
    pub fn take_changes(&mut self) -> Vec<PropChange> {
        std::mem::take(&mut self.changes)
    }

    fn store(&mut self, code: DevicePropCode, value: PropValue, origin: ChangeOrigin) -> bool {
        let Some(entry) = self.entries.get_mut(&code.0) else {
            return false;
        };
        if entry.desc.current == value {
            return false;
        }
        entry.desc.current = value;
        self.changes.push(PropChange {
            code,
            kind: ChangeKind::Value,
            origin,
        });
        true
    }
}

fn check_value(desc: &DevicePropDesc, value: &PropValue) -> Result<(), PropError> {
    if value.data_type() != desc.data_type {
        return Err(PropError::WrongType {
            code: desc.code,
            expected: desc.data_type,
            got: value.data_type(),
        });
    }
    if !desc.form.allows(value) {
        return Err(PropError::NotAllowed {
            code: desc.code,
            value: value.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::prop;

    fn props() -> Properties {
        Properties::from_defs(&[
            PropertyDef::listed(prop::desc(
                DevicePropCode::F_NUMBER,
                GetSet::GET_SET,
                PropValue::UInt16(400),
                prop::enum_u16(&[280, 400, 560]),
            )),
            PropertyDef::listed(prop::desc(
                DevicePropCode::BATTERY_LEVEL,
                GetSet::GET,
                PropValue::UInt8(80),
                PropForm::Range {
                    min: PropValue::UInt8(0),
                    max: PropValue::UInt8(100),
                    step: PropValue::UInt8(1),
                },
            )),
            PropertyDef::hidden(prop::desc(
                DevicePropCode(0xD101),
                GetSet::GET_SET,
                PropValue::UInt32(1),
                PropForm::None,
            )),
        ])
    }

    #[test]
    fn validates_and_records_changes_once() {
        let mut p = props();
        assert_eq!(
            p.listed().collect::<Vec<_>>(),
            [DevicePropCode::F_NUMBER, DevicePropCode::BATTERY_LEVEL]
        );
        assert!(
            p.set(DevicePropCode::F_NUMBER, PropValue::UInt16(560))
                .unwrap()
        );
        assert!(
            !p.set(DevicePropCode::F_NUMBER, PropValue::UInt16(560))
                .unwrap()
        );
        assert_eq!(
            p.set(DevicePropCode::F_NUMBER, PropValue::UInt16(330))
                .unwrap_err()
                .response_code(),
            ResponseCode::INVALID_DEVICE_PROP_VALUE
        );
        assert_eq!(
            p.set(DevicePropCode::F_NUMBER, PropValue::UInt32(400))
                .unwrap_err()
                .response_code(),
            ResponseCode::INVALID_DEVICE_PROP_FORMAT
        );
        assert_eq!(
            p.set(DevicePropCode::BATTERY_LEVEL, PropValue::UInt8(5))
                .unwrap_err()
                .response_code(),
            ResponseCode::ACCESS_DENIED
        );
        assert!(
            p.set_by_device(DevicePropCode::BATTERY_LEVEL, PropValue::UInt8(79))
                .unwrap()
        );
        assert_eq!(
            p.value(DevicePropCode::F_NUMBER),
            Some(&PropValue::UInt16(560))
        );
        let changes = p.take_changes();
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].origin, ChangeOrigin::Initiator);
        assert_eq!(changes[1].origin, ChangeOrigin::Device);
        assert!(p.take_changes().is_empty());
        assert!(p.reset(DevicePropCode::F_NUMBER).unwrap());
        assert_eq!(p.int(DevicePropCode::F_NUMBER), Some(400));
    }
}
