//! The shape of a Sony body's table: everything that differs from one Sony body to the next
//! and that the Sony protocol code ([`SonyAlpha`](crate::SonyAlpha)) reads. A second body is
//! a second [`SonyBody`] (see [`crate::model`]), not a change to the protocol code.

use ptp_codec::{DataTypeCode, DevicePropCode, EventCode, OperationCode};
use ptp_types::{PropForm, PropValue};

use crate::records::{ExtGetSet, IsEnabled};

/// The integer type of a property's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// INT8.
    I8,
    /// UINT8.
    U8,
    /// INT16.
    I16,
    /// UINT16.
    U16,
    /// UINT32.
    U32,
}

impl ValueType {
    /// The PTP data type code.
    #[must_use]
    pub const fn data_type(self) -> DataTypeCode {
        match self {
            Self::I8 => DataTypeCode::INT8,
            Self::U8 => DataTypeCode::UINT8,
            Self::I16 => DataTypeCode::INT16,
            Self::U16 => DataTypeCode::UINT16,
            Self::U32 => DataTypeCode::UINT32,
        }
    }

    /// `value` as a value of this type (`None` when it does not fit).
    #[must_use]
    pub fn value(self, value: i64) -> Option<PropValue> {
        PropValue::from_i128(self.data_type(), i128::from(value))
    }
}

/// The form a property is reported with (ISO 15740:2013 §5.5.3), with `i64` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Any value of the type.
    None,
    /// From `min` to `max` in steps of `step`.
    Range {
        /// Smallest value.
        min: i64,
        /// Largest value.
        max: i64,
        /// Distance between values.
        step: i64,
    },
    /// Exactly these values, in the body's order.
    Enum(&'static [i64]),
}

/// How [`op::CONTROL_DEVICE`](crate::codes::op::CONTROL_DEVICE) steps move a setting: which
/// values, in which order, one step each (`docs/reference/client-expectations.md` §5.3:
/// libgphoto2 `_put_sony_value_*` walks enumerations in their order for ISO, and by value for
/// the others; it expects +1 to go to the next larger f-number, exposure compensation and
/// ISO, and to the next shorter shutter speed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dial {
    /// Steps do not move it.
    None,
    /// Through the form: an enumeration in its order, a range by its step.
    Form,
    /// Through the enumeration sorted by value, smallest first (exposure compensation, whose
    /// list starts at 0).
    Ascending,
    /// Through these values, in this order, while the form reports something wider (the
    /// lens's f-numbers and the shutter speeds of a body that reports them as a range).
    Values(&'static [i64]),
}

/// What the initiator may do to a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only the body changes it (focus indication, battery, pictures in memory, the mode
    /// dial): setting it is AccessDenied.
    ReadOnly,
    /// A setting: an absolute value through 0x9205, steps through 0x9207 when it has a dial.
    Setting,
    /// A setting the body changes only by steps of its dial (0x9207): 0x9205 is answered OK
    /// and changes nothing. libgphoto2 2.5.30 follows its shutter speed steps with 0x9205 of
    /// a value it computed wrongly (0 for speeds under a second, `config.c`:
    /// `_put_Sony_ShutterSpeed`), and a real a6300 still ends on the speed asked for
    /// (`camlibs/ptp2/cameras/sony-a6300.txt`), so the body does not take that write.
    Stepped,
    /// A control: 0x9207 with a value of its type (buttons: 1 up, 2 down).
    Control,
}

/// One property of a body, as its 0x9209 answer describes it, and how the body lets it be
/// changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SonyProp {
    /// Property code.
    pub code: DevicePropCode,
    /// Value type.
    pub ty: ValueType,
    /// The GetSet byte reported.
    pub get_set: ExtGetSet,
    /// The IsEnabled byte reported.
    pub is_enabled: IsEnabled,
    /// Factory default.
    pub default: i64,
    /// Initial value.
    pub current: i64,
    /// Reported form.
    pub form: Form,
    /// How steps move it.
    pub dial: Dial,
    /// What the initiator may do.
    pub access: Access,
}

impl SonyProp {
    /// A setting changed only by steps (see [`Access::Stepped`]).
    #[must_use]
    pub const fn stepped(mut self) -> Self {
        self.access = Access::Stepped;
        self
    }

    /// A setting (reported with GetSet `get_set` and IsEnabled 1).
    #[must_use]
    pub const fn setting(
        code: u16,
        ty: ValueType,
        get_set: u8,
        (default, current): (i64, i64),
        form: Form,
        dial: Dial,
    ) -> Self {
        Self {
            code: DevicePropCode(code),
            ty,
            get_set: ExtGetSet(get_set),
            is_enabled: IsEnabled::ENABLED,
            default,
            current,
            form,
            dial,
            access: Access::Setting,
        }
    }

    /// A value only the body changes, reported with `is_enabled`.
    #[must_use]
    pub const fn status(
        code: u16,
        ty: ValueType,
        is_enabled: IsEnabled,
        (default, current): (i64, i64),
        form: Form,
    ) -> Self {
        Self {
            code: DevicePropCode(code),
            ty,
            get_set: ExtGetSet::GET,
            is_enabled,
            default,
            current,
            form,
            dial: Dial::None,
            access: Access::ReadOnly,
        }
    }

    /// A button of kind `get_set` (0x81 button, 0x83 lock): UINT16, 1 up, 2 down.
    #[must_use]
    pub const fn button(code: u16, get_set: ExtGetSet) -> Self {
        Self {
            code: DevicePropCode(code),
            ty: ValueType::U16,
            get_set,
            is_enabled: IsEnabled::ENABLED,
            default: 1,
            current: 1,
            form: Form::Enum(&[1, 2]),
            dial: Dial::None,
            access: Access::Control,
        }
    }

    /// Whether it is a control (listed through 0x9202's second list, not DeviceInfo).
    #[must_use]
    pub const fn is_control(&self) -> bool {
        self.get_set.is_control()
    }

    /// The reported form with typed values (values that do not fit the type are left out).
    #[must_use]
    pub fn prop_form(&self) -> PropForm {
        let ty = self.ty;
        match self.form {
            Form::None => PropForm::None,
            Form::Range { min, max, step } => {
                match (ty.value(min), ty.value(max), ty.value(step)) {
                    (Some(min), Some(max), Some(step)) => PropForm::Range { min, max, step },
                    _ => PropForm::None,
                }
            }
            Form::Enum(values) => {
                PropForm::Enumeration(values.iter().filter_map(|&v| ty.value(v)).collect())
            }
        }
    }

    /// Whether the body takes `value` as an absolute setting: in the dial's values when it
    /// has its own list, in the form otherwise.
    #[must_use]
    pub fn accepts(&self, value: i64) -> bool {
        match (self.dial, self.form) {
            (Dial::Values(values), _) | (_, Form::Enum(values)) => values.contains(&value),
            (_, Form::Range { min, max, step }) => {
                value >= min && value <= max && (step <= 0 || (value - min) % step == 0)
            }
            (_, Form::None) => self.ty.value(value).is_some(),
        }
    }

    /// Where `steps` steps of the dial take `current`: clamped at either end of the dial
    /// (a dial at its last position does not move further). `None` when it has no dial.
    #[must_use]
    pub fn step(&self, current: i64, steps: i64) -> Option<i64> {
        let along = |values: &[i64]| -> Option<i64> {
            let last = values.len().checked_sub(1)?;
            let here = values
                .iter()
                .position(|&v| v == current)
                .map_or(0, |i| i64::try_from(i).unwrap_or(0));
            let to = usize::try_from(here.saturating_add(steps).max(0))
                .unwrap_or(usize::MAX)
                .min(last);
            values.get(to).copied()
        };
        match (self.dial, self.form) {
            (Dial::None, _) | (Dial::Form | Dial::Ascending, Form::None) => None,
            (Dial::Values(values), _) | (Dial::Form, Form::Enum(values)) => along(values),
            (Dial::Ascending, Form::Enum(values)) => {
                let mut sorted = values.to_vec();
                sorted.sort_unstable();
                along(&sorted)
            }
            (Dial::Form | Dial::Ascending, Form::Range { min, max, step }) => Some(
                current
                    .saturating_add(steps.saturating_mul(step.max(1)))
                    .clamp(min, max),
            ),
        }
    }
}

/// Everything body-specific the Sony extension needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SonyBody {
    /// DeviceInfo.OperationsSupported, in the body's order.
    pub operations: &'static [OperationCode],
    /// DeviceInfo.EventsSupported.
    pub events: &'static [EventCode],
    /// The properties in the body's order: the settings as DeviceInfo lists them, then the
    /// controls as 0x9202 adds them.
    pub props: &'static [SonyProp],
    /// What 0x9202 answers as the SDIO version, whatever the initiator asks.
    pub sdio_version: u16,
    /// Milliseconds from the end of the handshake until live view frames are ready (0x2009
    /// before).
    pub liveview_warmup_ms: u64,
    /// Milliseconds of autofocus after a half press.
    pub focus_ms: u64,
    /// Milliseconds from a full press until the picture waits in memory.
    pub capture_ms: u64,
}

impl SonyBody {
    /// The body's property `code`.
    #[must_use]
    pub fn prop(&self, code: DevicePropCode) -> Option<&'static SonyProp> {
        self.props.iter().find(|p| p.code == code)
    }

    /// The settings and status values (listed in DeviceInfo), in order.
    pub fn settings(&self) -> impl Iterator<Item = &'static SonyProp> {
        self.props.iter().filter(|p| !p.is_control())
    }

    /// The controls (0x9202's second list), in order.
    pub fn controls(&self) -> impl Iterator<Item = &'static SonyProp> {
        self.props.iter().filter(|p| p.is_control())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_clamp_at_the_ends_of_the_dial() {
        let ev = SonyProp::setting(
            0x5010,
            ValueType::I16,
            0,
            (0, 0),
            Form::Enum(&[0, 300, -300, 700, -700]),
            Dial::Ascending,
        );
        assert_eq!(ev.step(0, 1), Some(300));
        assert_eq!(ev.step(0, -2), Some(-700));
        assert_eq!(ev.step(300, 100), Some(700));
        assert_eq!(ev.step(-700, i64::MIN), Some(-700));
        let iso = SonyProp::setting(
            0xD21E,
            ValueType::U32,
            0,
            (0xFF_FFFF, 0xFF_FFFF),
            Form::Enum(&[0xFF_FFFF, 100, 200]),
            Dial::Form,
        );
        assert_eq!(iso.step(0xFF_FFFF, 2), Some(200));
        assert_eq!(iso.step(200, -1), Some(100));
        assert!(iso.accepts(100) && !iso.accepts(150));
        let temp = SonyProp::setting(
            0xD20F,
            ValueType::U16,
            1,
            (5500, 5500),
            Form::Range {
                min: 2500,
                max: 9900,
                step: 100,
            },
            Dial::Form,
        );
        assert_eq!(temp.step(9800, 5), Some(9900));
        assert!(temp.accepts(2600) && !temp.accepts(2650));
        let button = SonyProp::button(0xD2C1, ExtGetSet::BUTTON);
        assert_eq!(button.step(1, 1), None);
        assert!(button.is_control());
    }
}
