//! The Sony SDIO vendor extension: what a Sony Alpha in PC Remote mode answers beyond
//! ISO 15740, driven by one body's table ([`SonyBody`]).
//!
//! Behaviour follows what clients expect (libgphoto2 `camlibs/ptp2/library.c`:
//! `fixup_cached_deviceinfo`, `camera_sony_capture`, `camera_capture_preview`; `config.c`:
//! `_put_sony_value_*`; INDIGO and PTPWebcam as noted in
//! `docs/reference/vendors-wifi-sony-fuji.md` §5). This file routes each operation and holds
//! the handshake; the work is in `props` (0x9205, 0x9207, 0x9209 and C203), `capture` (the
//! shutter buttons and the picture at 0xFFFFC001), `liveview` (0xFFFFC002) and `card` (the
//! memory card, hidden in PC Remote mode).

mod actions;
mod capture;
mod card;
mod liveview;
mod props;

use std::time::{Duration, SystemTime};

use vcam_core::ptp_types::{DevicePropCode, OperationCode, OperationSpec, ResponseCode};
use vcam_core::reply::Response;
use vcam_core::{
    ActionError, ActionOutcome, BodyAction, Context, PropChange, Properties, Reply, Request,
    VendorExtension,
};

use crate::body::SonyBody;
use crate::codes::op;
use crate::records::ExtDeviceInfo;

/// Largest 0x9205 / 0x9207 data phase accepted (a value of the widest property type).
const MAX_VALUE_DATA: usize = 64;

/// Where the SDIO handshake stands (0x9201 phases, then 0x9202).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Handshake {
    /// No phase yet in this session.
    None,
    /// Phase 1 done.
    Phase1,
    /// Phase 2 done: 0x9202 may follow.
    Phase2,
    /// Phase 3 done: the body is in PC Remote mode, settings, capture and live view work.
    Connected,
}

/// The SDIO extension state of one Sony body: the handshake, the shutter buttons, the picture
/// waiting in memory and live view. Pair it with the body's model
/// ([`sony_a6300`](crate::sony_a6300)).
#[derive(Debug)]
pub struct SonyAlpha {
    body: &'static SonyBody,
    save_to_card: bool,
    handshake: Handshake,
    connected_at: Option<SystemTime>,
    shutter: capture::Shutter,
    liveview: liveview::LiveView,
}

impl SonyAlpha {
    /// A `body` just switched on, in PC Remote mode with its "Still Img. Save Dest." menu set
    /// to "PC Only": captures go to the host through 0xFFFFC001 and the card is not touched.
    #[must_use]
    pub fn new(body: &'static SonyBody) -> Self {
        Self {
            body,
            save_to_card: false,
            handshake: Handshake::None,
            connected_at: None,
            shutter: capture::Shutter::default(),
            liveview: liveview::LiveView::default(),
        }
    }

    /// The "PC+Camera" setting of the body's menu: every capture is also written to the card
    /// (which the host still does not see in PC Remote mode).
    #[must_use]
    pub const fn saving_to_card(mut self, save: bool) -> Self {
        self.save_to_card = save;
        self
    }

    /// The body this extension plays.
    #[must_use]
    pub const fn body(&self) -> &'static SonyBody {
        self.body
    }

    /// Whether the SDIO handshake is complete (settings, capture and live view answer).
    #[must_use]
    pub fn connected(&self) -> bool {
        self.handshake == Handshake::Connected
    }

    /// 0x9201: the handshake phases 1, 2 and 3, in any order a client sends them (each
    /// client's order is in `docs/reference/vendors-wifi-sony-fuji.md` §5.3); a new phase 1
    /// starts again. The data phase is 8 bytes no client reads.
    fn sdio_connect(&mut self, now: SystemTime, phase: u32) -> Reply {
        self.handshake = match phase {
            1 => Handshake::Phase1,
            2 => Handshake::Phase2,
            3 => {
                if self.handshake != Handshake::Connected {
                    self.connected_at = Some(now);
                }
                Handshake::Connected
            }
            _ => return Reply::from(ResponseCode::INVALID_PARAMETER),
        };
        Reply::data(vec![0u8; 8])
    }

    /// 0x9202: the body's SDIO version, whatever the initiator asked for (clients that ask
    /// for 3.00 take the lower answer; PTPWebcam refuses any answer but 0xC8 for this body),
    /// no code beyond DeviceInfo in the first list, the controls in the second (the
    /// ILCE-6000's DeviceInfo after libgphoto2 merged this answer has the controls once each
    /// and nothing else twice, `cameras/sony-a6000.txt`).
    fn ext_device_info(&self) -> Reply {
        if self.handshake < Handshake::Phase2 {
            return Reply::from(ResponseCode::ACCESS_DENIED);
        }
        Reply::dataset(&ExtDeviceInfo {
            version: self.body.sdio_version,
            codes: Vec::new(),
            controls: self.body.controls().map(|p| p.code.0).collect(),
        })
    }

    /// When live view frames are ready: some time after the handshake.
    fn liveview_ready_at(&self) -> Option<SystemTime> {
        let connected = self.connected_at.filter(|_| self.connected())?;
        Some(connected + Duration::from_millis(self.body.liveview_warmup_ms))
    }
}

impl VendorExtension for SonyAlpha {
    fn operations(&self) -> &[OperationSpec] {
        op::OPERATIONS
    }

    fn session_opened(&mut self, _cx: &mut Context<'_>) {
        self.handshake = Handshake::None;
        self.connected_at = None;
        self.liveview = liveview::LiveView::default();
    }

    fn session_closed(&mut self, cx: &mut Context<'_>) {
        self.handshake = Handshake::None;
        self.connected_at = None;
        self.shutter.release_all(cx, self.body);
        self.liveview = liveview::LiveView::default();
    }

    fn handle(&mut self, cx: &mut Context<'_>, request: &Request) -> Option<Reply> {
        let p = |i| request.param(i);
        let code = request.code;
        Some(match code {
            op::SDIO_CONNECT => self.sdio_connect(cx.now, p(0)),
            op::GET_EXT_DEVICE_INFO => self.ext_device_info(),
            op::GET_ALL_EXT_DEVICE_PROP_INFO => {
                if !self.connected() {
                    return Some(Reply::from(ResponseCode::ACCESS_DENIED));
                }
                props::all_prop_info(cx.props, self.body)
            }
            op::SET_EXT_DEVICE_PROP_VALUE | op::CONTROL_DEVICE => Reply::ReceiveData {
                limit: MAX_VALUE_DATA,
                too_long: ResponseCode::INVALID_DEVICE_PROP_FORMAT,
            },
            OperationCode::GET_OBJECT_INFO | OperationCode::GET_OBJECT
                if request.param(0) == crate::codes::LIVEVIEW_OBJECT.0 =>
            {
                let ready = self.liveview_ready_at();
                self.liveview.handle(cx, code, ready)
            }
            OperationCode::GET_OBJECT if request.param(0) == crate::codes::CAPTURE_OBJECT.0 => {
                self.shutter.downloaded(cx);
                return None;
            }
            _ => return card::handle(cx, request),
        })
    }

    fn handle_data(&mut self, cx: &mut Context<'_>, request: &Request, data: &[u8]) -> Response {
        if !self.connected() {
            return Response::code(ResponseCode::ACCESS_DENIED);
        }
        let code = DevicePropCode(u16::try_from(request.param(0)).unwrap_or(0));
        let outcome = if request.code == op::CONTROL_DEVICE {
            props::control(cx.props, self.body, code, data).map(|button| {
                if let Some((code, value)) = button {
                    self.shutter
                        .button(cx, self.body, self.save_to_card, code, value);
                }
            })
        } else {
            props::set_absolute(cx.props, self.body, code, data)
        };
        match outcome {
            Ok(()) => Response::ok(),
            Err(code) => Response::code(code),
        }
    }

    fn properties_changed(&mut self, cx: &mut Context<'_>, changes: &[PropChange]) {
        props::announce(cx, self.body, changes);
    }

    fn card_changed(&mut self, cx: &mut Context<'_>, changes: &[vcam_core::Noticed]) {
        card::card_changed(cx, changes);
    }

    fn settings_lines(&self, props: &Properties) -> Option<Vec<String>> {
        Some(props::settings_lines(props))
    }

    fn body_action(
        &mut self,
        cx: &mut Context<'_>,
        action: &BodyAction,
    ) -> Result<ActionOutcome, ActionError> {
        actions::on_body(cx, self.body, self.save_to_card, action)
    }

    fn poll_timeout(&self) -> Option<SystemTime> {
        self.shutter.poll_timeout()
    }

    fn handle_timeout(&mut self, cx: &mut Context<'_>) {
        self.shutter
            .handle_timeout(cx, self.body, self.save_to_card);
    }
}
