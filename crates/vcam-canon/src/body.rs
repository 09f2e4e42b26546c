//! The shape of an EOS body's table: everything that differs from one EOS body to the next and
//! that the EOS protocol code ([`CanonEos`](crate::CanonEos)) reads. A second body is a second
//! [`EosBody`] (see [`crate::model`]), not a change to the protocol code.

use vcam_core::ptp_types::{DevicePropCode, OperationCode};

use crate::records::{FocusInfo, ImageFormat, ValueKind};

/// One EOS property of a body: code, initial value, available values (empty: not settable),
/// as the body reports them in its first GetEvent (decoded by `ptp_unpack_CANON_changes`,
/// libgphoto2 `ptp-pack.c`). How its values travel is decided by the code
/// ([`ValueKind::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EosProp {
    /// Property code.
    pub code: DevicePropCode,
    /// Initial value: a number, or for ImageFormat properties libgphoto2's compact u16 form
    /// ([`compact`](crate::props::compact)).
    pub value: u32,
    /// Initial value of a string property.
    pub text: &'static str,
    /// Available values of a number property; it is settable when this is not empty.
    /// ImageFormat properties list the body's [`EosBody::image_formats`] instead.
    pub list: &'static [u32],
}

impl EosProp {
    /// A number property.
    #[must_use]
    pub const fn number(code: u16, value: u32, list: &'static [u32]) -> Self {
        Self {
            code: DevicePropCode(code),
            value,
            text: "",
            list,
        }
    }

    /// A string property (read-write, as on the body).
    #[must_use]
    pub const fn text(code: u16, text: &'static str) -> Self {
        Self {
            code: DevicePropCode(code),
            value: 0,
            text,
            list: &[],
        }
    }

    /// How the property's values travel.
    #[must_use]
    pub const fn kind(&self) -> ValueKind {
        ValueKind::of(self.code)
    }
}

/// Everything body-specific the EOS extension needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EosBody {
    /// DeviceInfo.OperationsSupported, in the body's order. [`CanonEos`](crate::CanonEos)
    /// answers the EOS ones libgphoto2 uses; the core answers the rest with
    /// OperationNotSupported.
    pub operations: &'static [OperationCode],
    /// The EOS properties with the values and lists of the body's first GetEvent, in its
    /// order (the order of the dump).
    pub props: &'static [EosProp],
    /// The ImageFormat choices, in the body's order (the AvailListChanged of 0xD120).
    pub image_formats: &'static [ImageFormat],
    /// FocusInfoEx with nothing selected: version, sensor size, AF points, trailer.
    pub focus: FocusInfo,
    /// The FocusInfoEx selection (bit n = point n) after autofocus succeeds.
    pub focused_points: u32,
}

impl EosBody {
    /// The body's property `code`.
    #[must_use]
    pub fn prop(&self, code: DevicePropCode) -> Option<&'static EosProp> {
        self.props.iter().find(|p| p.code == code)
    }

    /// FocusInfoEx with the points of `selected` (a bitmask) in focus; 0 is what the body
    /// reports before focusing (libgphoto2 prints `select={}`).
    #[must_use]
    pub fn focus_info(&self, selected: u32) -> FocusInfo {
        self.focus.with_selection(selected)
    }
}
