//! The shutter: S1 (half press, autofocus) and S2 (full press) through 0x9207, the focus
//! indication 0xD213, the picture at 0xFFFFC001 announced by 0xD215 and C201.
//!
//! What libgphoto2 does (`camlibs/ptp2/library.c`: `camera_sony_capture`;
//! `docs/reference/vendors-wifi-sony-fuji.md` §5.5): S1 down, S2 down; unless FocusMode is
//! manual, wait up to a second for 0xD213 to read 2 or 3 (or for C203 naming it, or C201);
//! S2 up, S1 up; then wait for 0xD215 ≥ 0x8000 (or C201) and read 0xFFFFC001 with
//! GetObjectInfo and GetObject. INDIGO waits for C201 and reads the handle it names.

use std::time::{Duration, SystemTime};

use vcam_core::events::NO_TRANSACTION;
use vcam_core::ptp_types::{DevicePropCode, PropValue, ResponseCode, StorageId};
use vcam_core::{CaptureTarget, Context};

use crate::body::SonyBody;
use crate::codes::{CAPTURE_OBJECT, button, ec, prop};

/// FocusMode (0x500A) value of manual focus.
const MANUAL_FOCUS: i64 = 1;
/// 0xD213 while not focused.
const NOT_FOCUSED: u8 = 1;
/// 0xD213 once focused.
const FOCUSED: u8 = 2;
/// 0xD215 with one picture waiting at 0xFFFFC001.
const ONE_PICTURE: u16 = 0x8001;

/// The shutter buttons and what they started.
#[derive(Debug, Default)]
pub(super) struct Shutter {
    s1: bool,
    s2: bool,
    /// When autofocus will have found focus.
    focus_at: Option<SystemTime>,
    /// When the picture being taken will be in memory.
    shot_at: Option<SystemTime>,
}

impl Shutter {
    /// A button of 0x9207 was pressed or released.
    pub(super) fn button(
        &mut self,
        cx: &mut Context<'_>,
        body: &SonyBody,
        save_to_card: bool,
        code: DevicePropCode,
        value: u16,
    ) {
        let now = cx.now;
        let pressed = value == button::DOWN;
        match code {
            prop::AUTO_FOCUS if pressed && !self.s1 => {
                self.s1 = true;
                let manual =
                    super::props::int(cx.props, DevicePropCode::FOCUS_MODE) == Some(MANUAL_FOCUS);
                if !manual && focus(cx) != Some(FOCUSED) {
                    self.focus_at = Some(now + Duration::from_millis(body.focus_ms));
                }
            }
            prop::AUTO_FOCUS if !pressed => {
                self.s1 = false;
                self.focus_at = None;
                set_focus(cx, NOT_FOCUSED);
            }
            prop::CAPTURE if pressed && !self.s2 => {
                self.s2 = true;
                // The shutter fires once focus is found (focus priority), then the picture
                // takes a moment to reach memory.
                let from = self.focus_at.map_or(now, |at| at.max(now));
                self.shot_at = Some(from + Duration::from_millis(body.capture_ms));
            }
            prop::CAPTURE if !pressed => self.s2 = false,
            _ => {}
        }
        self.handle_timeout(cx, body, save_to_card);
    }

    /// When something is due.
    pub(super) fn poll_timeout(&self) -> Option<SystemTime> {
        match (self.focus_at, self.shot_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Runs what is due: focus found, picture in memory.
    pub(super) fn handle_timeout(&mut self, cx: &mut Context<'_>, body: &SonyBody, save: bool) {
        let now = cx.now;
        if self.focus_at.is_some_and(|at| at <= now) {
            self.focus_at = None;
            set_focus(cx, FOCUSED);
        }
        if self.shot_at.is_some_and(|at| at <= now) {
            self.shot_at = None;
            let _ = take_picture(cx, body, save);
        }
    }

    /// GetObject of 0xFFFFC001: the picture leaves memory, 0xD215 counts it gone. The core
    /// still serves this request from the memory object.
    pub(super) fn downloaded(&mut self, cx: &mut Context<'_>) {
        if cx.memory_object(CAPTURE_OBJECT).is_some() {
            let _ = cx
                .props
                .set_by_device(prop::OBJECT_IN_MEMORY, PropValue::UInt16(0));
        }
    }

    /// The session ended: every button is up, nothing is pending.
    pub(super) fn release_all(&mut self, cx: &mut Context<'_>, _body: &SonyBody) {
        *self = Self::default();
        set_focus(cx, NOT_FOCUSED);
    }
}

/// 0xD213.
fn focus(cx: &Context<'_>) -> Option<u8> {
    match cx.props.value(prop::FOCUS_FOUND) {
        Some(PropValue::UInt8(v)) => Some(*v),
        _ => None,
    }
}

fn set_focus(cx: &mut Context<'_>, value: u8) {
    let _ = cx
        .props
        .set_by_device(prop::FOCUS_FOUND, PropValue::UInt8(value));
}

/// The shutter fired: the test card goes to 0xFFFFC001 (and to the card in "PC+Camera"),
/// 0xD215 says one picture waits, C201 names the handle.
pub(super) fn take_picture(
    cx: &mut Context<'_>,
    body: &SonyBody,
    save: bool,
) -> Result<String, ResponseCode> {
    let _ = body;
    let captured = match cx.capture(CaptureTarget::MemoryAt(CAPTURE_OBJECT)) {
        Ok(captured) => captured,
        Err(code) => {
            tracing::warn!(?code, "capture failed");
            return Err(code);
        }
    };
    if save {
        let data = cx
            .memory_object(CAPTURE_OBJECT)
            .map(|(_, data)| data.clone());
        let storage = cx
            .store
            .storage_ids()
            .first()
            .copied()
            .unwrap_or(StorageId(0x0001_0001));
        let folder = cx.model.capture_folder.clone();
        if let Some(data) = data
            && let Err(err) = cx.store.add_object(
                storage,
                &["DCIM", folder.as_str()],
                captured.info.filename.as_str(),
                data,
            )
        {
            tracing::warn!(%err, "writing the capture to the card failed");
        }
    }
    let _ = cx
        .props
        .set_by_device(prop::OBJECT_IN_MEMORY, PropValue::UInt16(ONE_PICTURE));
    cx.queue_event(ec::OBJECT_ADDED, NO_TRANSACTION, [CAPTURE_OBJECT.0]);
    Ok(captured.info.filename.to_string())
}
