//! The shutter: remote release, half press and focus, bulb (libgphoto2 `library.c`:
//! `camera_trigger_canon_eos_capture`, `camera_canon_eos_capture`; `config.c`:
//! `_put_Canon_EOS_RemoteRelease`, `_put_Canon_EOS_Bulb`).

use std::time::{Duration, SystemTime};

use vcam_core::ptp_types::{PropValue, ResponseCode};
use vcam_core::{CaptureTarget, Context, Properties};

use super::CanonEos;
use crate::codes::prop;
use crate::props::{CAPTURE_DESTINATION_HOST, FOCUS_MODE_MANUAL, SHUTTER_BULB, u32_of};
use crate::records::EosEvent;

/// RemoteReleaseOn/Off parameter bit of the half press (focus).
const HALF_PRESS: u32 = 1;
/// RemoteReleaseOn/Off parameter bit of the full press (release).
const FULL_PRESS: u32 = 2;

impl CanonEos {
    /// RemoteReleaseOn: 1 half press (focus), 2 full press, 3 both (EOS M). A full press in
    /// bulb opens the shutter until RemoteReleaseOff.
    pub(super) fn release_on(
        &mut self,
        cx: &mut Context<'_>,
        buttons: u32,
    ) -> Result<(), ResponseCode> {
        if buttons & HALF_PRESS != 0 && !self.half_pressed {
            self.focus(cx.props);
        }
        if buttons & FULL_PRESS != 0 {
            if u32_of(cx.props, prop::SHUTTER_SPEED) == SHUTTER_BULB {
                self.bulb_start(cx.now);
            } else {
                self.capture(cx)?;
            }
        }
        Ok(())
    }

    /// RemoteReleaseOff: releasing the full press ends a bulb exposure; releasing the half
    /// press drops focus.
    pub(super) fn release_off(
        &mut self,
        cx: &mut Context<'_>,
        buttons: u32,
    ) -> Result<(), ResponseCode> {
        if buttons & FULL_PRESS != 0 && self.bulb_open {
            self.bulb_stop(cx.now);
            self.capture(cx)?;
        }
        if buttons & HALF_PRESS != 0 {
            self.unfocus();
        }
        Ok(())
    }

    /// BulbStart (or a full press in bulb): the shutter opens, the body is busy and reports
    /// the exposure time every second (BulbExposureTime records).
    pub(super) fn bulb_start(&mut self, now: SystemTime) {
        self.bulb_open = true;
        self.bulb_clock = Some((now, now + Duration::from_secs(1)));
        self.queue(EosEvent::CameraStatusChanged(1));
    }

    /// The shutter closes: the exposure time so far, once more, and no further records.
    fn bulb_stop(&mut self, now: SystemTime) {
        self.bulb_open = false;
        if let Some((start, _)) = self.bulb_clock.take() {
            let secs = now.duration_since(start).unwrap_or_default().as_secs();
            self.queue(EosEvent::BulbExposureTime(
                u32::try_from(secs).unwrap_or(u32::MAX),
            ));
        }
    }

    /// A BulbExposureTime record each whole second of an open bulb exposure.
    pub(super) fn bulb_tick(&mut self, now: SystemTime) {
        let Some((start, next)) = self.bulb_clock else {
            return;
        };
        if now < next {
            return;
        }
        let secs = now.duration_since(start).unwrap_or_default().as_secs();
        self.queue(EosEvent::BulbExposureTime(
            u32::try_from(secs).unwrap_or(u32::MAX),
        ));
        let next = start + Duration::from_secs(secs.saturating_add(1));
        self.bulb_clock = Some((start, next));
    }

    /// BulbEnd: the shutter closes and the picture is taken; GeneralError without BulbStart.
    pub(super) fn bulb_end(&mut self, cx: &mut Context<'_>) -> Result<(), ResponseCode> {
        if !self.bulb_open {
            return Err(ResponseCode::GENERAL_ERROR);
        }
        self.bulb_stop(cx.now);
        self.capture(cx)
    }

    /// Half press or DoAf: the body focuses (on its [`EosBody::focused_points`]) unless the
    /// lens is in manual focus, and reports where in FocusInfoEx.
    ///
    /// [`EosBody::focused_points`]: crate::EosBody::focused_points
    pub(super) fn focus(&mut self, props: &Properties) {
        self.half_pressed = true;
        if u32_of(props, prop::FOCUS_MODE) != FOCUS_MODE_MANUAL {
            self.queue(self.focus_event(self.body.focused_points));
        }
    }

    /// Half release or AfCancel: no point in focus any more.
    pub(super) fn unfocus(&mut self) {
        if self.half_pressed {
            self.half_pressed = false;
            self.queue(self.focus_event(0));
        }
    }

    /// Takes a picture to the card or, with CaptureDestination "host", to camera memory, and
    /// reports it the EOS way: busy, ObjectAddedEx or RequestObjectTransfer, idle. The shutter
    /// counter goes up; a card shot takes one of the available shots.
    pub(super) fn capture(&mut self, cx: &mut Context<'_>) -> Result<(), ResponseCode> {
        let target = if u32_of(cx.props, prop::CAPTURE_DESTINATION) == CAPTURE_DESTINATION_HOST {
            CaptureTarget::Memory
        } else {
            CaptureTarget::Card
        };
        self.queue(EosEvent::CameraStatusChanged(1));
        let shot = cx.capture(target)?;
        let name = shot.info.filename.as_str().to_string();
        let size = u32::try_from(shot.size).unwrap_or(u32::MAX);
        self.queue(match shot.target {
            CaptureTarget::Card => EosEvent::ObjectAddedEx {
                handle: shot.handle,
                storage: shot.info.storage_id,
                parent: shot.info.parent_object,
                format: shot.info.object_format,
                size,
                name,
            },
            // Memory (the only other target this extension asks for).
            _ => EosEvent::RequestObjectTransfer {
                handle: shot.handle,
                format: shot.info.object_format,
                size,
                name,
            },
        });
        self.queue(EosEvent::CameraStatusChanged(0));
        let counter = u32_of(cx.props, prop::SHUTTER_COUNTER).wrapping_add(1);
        let _ = cx
            .props
            .set_by_device(prop::SHUTTER_COUNTER, PropValue::UInt32(counter));
        if shot.target == CaptureTarget::Card {
            let left = u32_of(cx.props, prop::AVAILABLE_SHOTS).saturating_sub(1);
            let _ = cx
                .props
                .set_by_device(prop::AVAILABLE_SHOTS, PropValue::UInt32(left));
        }
        Ok(())
    }
}
