//! The EOS vendor extension: what a Canon EOS body answers beyond ISO 15740, driven by one
//! body's table ([`EosBody`]).
//!
//! Behaviour follows what libgphoto2 expects (`camlibs/ptp2/library.c`:
//! `camera_prepare_canon_eos_capture`, `camera_canon_eos_capture`,
//! `camera_canon_eos_capture_preview`; `camlibs/ptp2/ptp.c`: `ptp_check_eos_events`). This
//! file routes each operation; the work is in `events` (GetEvent queue and property records),
//! `objects` (storage and object operations), `release` (shutter, focus, bulb) and `liveview`
//! (viewfinder).

mod actions;
mod card;
mod events;
mod liveview;
mod movie;
mod objects;
mod release;

use std::collections::VecDeque;
use std::time::SystemTime;

use vcam_core::ptp_types::{ObjectHandle, OperationSpec, ResponseCode};
use vcam_core::reply::Response;
use vcam_core::{
    ActionError, ActionOutcome, BodyAction, Context, LiveviewPacing, PropChange, Properties, Reply,
    Request, VendorExtension,
};

use crate::body::EosBody;
use crate::codes::{op, prop, rc};
use crate::props::{iso_value, set_prop_value_ex, u32_of};
use crate::records::EosEvent;

/// Largest SetDevicePropValueEx data phase accepted.
const MAX_PROP_DATA: usize = 4096;

/// The EOS extension state of one body: remote and event mode, the GetEvent queue, release
/// and live view state. Answers what libgphoto2's EOS path sends (`library.c`:
/// `camera_prepare_canon_eos_capture`, `camera_trigger_canon_eos_capture`,
/// `camera_capture_preview`; `ptp.c`: `ptp_check_eos_events`).
#[derive(Debug)]
pub struct CanonEos {
    body: &'static EosBody,
    remote_mode: u32,
    event_mode: u32,
    dumped: bool,
    pending: VecDeque<EosEvent>,
    viewfinder: bool,
    half_pressed: bool,
    bulb_open: bool,
    /// When the open bulb exposure began, and the next BulbExposureTime record is due.
    bulb_clock: Option<(SystemTime, SystemTime)>,
    ui_locked: bool,
    movie: Option<movie::Recording>,
    movie_counter: u32,
    zoom: u32,
    zoom_position: (u32, u32),
}

impl CanonEos {
    /// A `body` just switched on: no dump sent yet (it follows SetEventMode(1), as
    /// `camera_prepare_canon_eos_capture` in library.c expects).
    #[must_use]
    pub const fn new(body: &'static EosBody) -> Self {
        Self {
            body,
            remote_mode: 0,
            event_mode: 0,
            dumped: false,
            pending: VecDeque::new(),
            viewfinder: false,
            half_pressed: false,
            bulb_open: false,
            bulb_clock: None,
            ui_locked: false,
            movie: None,
            movie_counter: 0,
            zoom: 1,
            zoom_position: (0, 0),
        }
    }

    /// The body this extension plays.
    #[must_use]
    pub const fn body(&self) -> &'static EosBody {
        self.body
    }
}

impl VendorExtension for CanonEos {
    fn operations(&self) -> &[OperationSpec] {
        op::OPERATIONS
    }

    fn session_opened(&mut self, _cx: &mut Context<'_>) {
        self.dumped = false;
        self.pending.clear();
        self.event_mode = 0;
    }

    fn session_closed(&mut self, _cx: &mut Context<'_>) {
        self.remote_mode = 0;
        self.event_mode = 0;
        self.viewfinder = false;
        self.half_pressed = false;
        // A bulb exposure outlives the session: scripts press and release from separate
        // gphoto2 runs (`--set-config eosremoterelease=...`).
        self.ui_locked = false;
    }

    fn handle(&mut self, cx: &mut Context<'_>, request: &Request) -> Option<Reply> {
        let p = |i| request.param(i);
        Some(match request.code {
            op::GET_EVENT => self.get_event(),
            op::SET_EVENT_MODE => {
                self.set_event_mode(cx.props, p(0));
                Reply::ok()
            }
            op::SET_REMOTE_MODE => {
                self.remote_mode = p(0);
                Reply::ok()
            }
            op::GET_REMOTE_MODE => Reply::ok_with([self.remote_mode]),
            op::SET_DEVICE_PROP_VALUE_EX | op::SET_LIVE_AF_FRAME => Reply::ReceiveData {
                limit: MAX_PROP_DATA,
                too_long: ResponseCode::INVALID_DEVICE_PROP_VALUE,
            },
            op::REQUEST_DEVICE_PROP_VALUE => {
                self.request_prop_value(cx.props, p(0));
                Reply::ok()
            }
            op::GET_DEVICE_INFO_EX => Reply::dataset(&self.device_info_ex()),
            op::GET_STORAGE_IDS => objects::storage_ids(cx),
            op::GET_STORAGE_INFO => objects::storage_info(cx, p(0)),
            op::TRANSFER_COMPLETE => {
                cx.release_memory_object(ObjectHandle(p(0)));
                Reply::ok()
            }
            op::GET_OBJECT_INFO_EX => objects::object_info_ex(cx, p(0), p(1), p(2)),
            op::GET_OBJECT => objects::get_object(cx, ObjectHandle(p(0))),
            op::GET_PARTIAL_OBJECT => {
                objects::partial_object(cx.open_object_32(ObjectHandle(p(0)), p(1), p(2)))
            }
            // handle, offset (low), size, offset (high): the body's 64-bit partial read.
            op::GET_PARTIAL_OBJECT_EX => objects::partial_object(cx.open_object(
                ObjectHandle(p(0)),
                u64::from(p(1)) | (u64::from(p(3)) << 32),
                Some(u64::from(p(2))),
            )),
            op::DELETE_OBJECT => self.delete_object(cx, ObjectHandle(p(0))),
            op::CANCEL_TRANSFER
            | op::SET_OBJECT_ATTRIBUTES
            | op::SET_OBJECT_TIME
            | op::PC_HDD_CAPACITY
            | op::KEEP_DEVICE_ON
            | op::DRIVE_LENS
            | op::DEPTH_OF_FIELD_PREVIEW
            | op::SET_NULL_PACKET_MODE
            | op::END_GET_PARTIAL_OBJECT_EX
            | op::RESET_MIRROR_LOCKUP_STATE
            | op::POPUP_BUILTIN_FLASH
            | op::MOVIE_SELECT_SW_ON
            | op::MOVIE_SELECT_SW_OFF
            | op::SET_REQUEST_OLC_INFO_GROUP
            | op::CLICK_WB => Reply::ok(),
            op::SET_UI_LOCK | op::RESET_UI_LOCK => {
                self.ui_locked = request.code == op::SET_UI_LOCK;
                Reply::ok()
            }
            op::REMOTE_RELEASE => result(self.capture(cx)),
            op::REMOTE_RELEASE_ON => result(self.release_on(cx, p(0))),
            op::REMOTE_RELEASE_OFF => result(self.release_off(cx, p(0))),
            op::BULB_START => {
                self.bulb_start(cx.now);
                Reply::ok()
            }
            op::BULB_END => result(self.bulb_end(cx)),
            op::INITIATE_VIEWFINDER | op::TERMINATE_VIEWFINDER => {
                self.viewfinder = request.code == op::INITIATE_VIEWFINDER;
                Reply::ok()
            }
            op::GET_VIEWFINDER_DATA => self.viewfinder_data(cx),
            op::DO_AF => {
                self.focus(cx.props);
                Reply::ok()
            }
            op::AF_CANCEL => {
                self.unfocus();
                Reply::ok()
            }
            op::ZOOM => result(self.set_zoom(p(0))),
            op::ZOOM_POSITION => {
                self.zoom_position = (p(0), p(1));
                Reply::ok()
            }
            _ => return None,
        })
    }

    fn handle_data(&mut self, cx: &mut Context<'_>, request: &Request, data: &[u8]) -> Response {
        if request.code == op::SET_LIVE_AF_FRAME {
            return Response::ok();
        }
        let (code, value) = match set_prop_value_ex(self.body, data) {
            Ok(set) => set,
            Err(code) => return Response::code(code),
        };
        match cx.props.set(code, value) {
            Ok(_) => Response::ok(),
            Err(e) => {
                tracing::info!(%e, "SetDevicePropValueEx refused");
                Response::code(e.response_code())
            }
        }
    }

    fn properties_changed(&mut self, cx: &mut Context<'_>, changes: &[PropChange]) {
        self.queue_changes(cx.props, changes);
        self.record_status_changed(cx, changes);
    }

    fn body_action(
        &mut self,
        cx: &mut Context<'_>,
        action: &BodyAction,
    ) -> Result<ActionOutcome, ActionError> {
        self.on_body(cx, action)
    }

    fn card_changed(&mut self, cx: &mut Context<'_>, changes: &[vcam_core::Noticed]) {
        self.report_card_changes(cx, changes);
    }

    fn poll_timeout(&self) -> Option<SystemTime> {
        let bulb = self.bulb_clock.map(|(_, next)| next);
        match (bulb, self.movie_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn handle_timeout(&mut self, cx: &mut Context<'_>) {
        self.bulb_tick(cx.now);
        self.movie_tick(cx);
    }

    /// A poll of GetViewFinderData before the sensor's next frame is answered NotReady
    /// (0xA102), which libgphoto2 meets by sleeping 5, 10, 15 ms... and asking again
    /// (`library.c`: `camera_capture_preview`, the EOS case), so a client gets frames at the
    /// body's rate instead of the same frame as fast as USB carries it.
    fn liveview_pacing(&self) -> LiveviewPacing {
        LiveviewPacing::Busy(rc::NOT_READY)
    }

    fn settings_lines(&self, props: &Properties) -> Option<Vec<String>> {
        let iso = match u32_of(props, prop::ISO_SPEED) {
            0 => "ISO Auto".to_string(),
            code => format!("ISO {}", iso_value(code)),
        };
        Some(vec![
            format!(
                "{iso}  Av 0x{:02X}  Tv 0x{:02X}",
                u32_of(props, prop::APERTURE),
                u32_of(props, prop::SHUTTER_SPEED)
            ),
            format!(
                "WB {}  shots {}",
                u32_of(props, prop::WHITE_BALANCE),
                u32_of(props, prop::SHUTTER_COUNTER)
            ),
        ])
    }
}

/// OK, or the error.
fn result(outcome: Result<(), ResponseCode>) -> Reply {
    outcome.map_or_else(Reply::from, |()| Reply::ok())
}
