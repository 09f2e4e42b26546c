//! The seam through which vendor crates add proprietary behaviour without touching the core.
//!
//! A [`VendorExtension`] sees every request before the standard handlers and answers the ones
//! it owns ("not mine" is `None`, as in usb-device's class model). It gets the camera's state
//! through a [`Context`], is told of every property change so it can report it in its own
//! event format, and may ask for timers.

use std::time::SystemTime;

use ptp_types::{DeviceInfo, OperationSpec, ResponseCode};

use crate::actions::{self, ActionError, ActionOutcome, BodyAction};
use crate::context::Context;
use crate::frames::LiveviewPacing;
use crate::props::{PropChange, Properties};
use crate::reply::{Reply, Request, Response};
use crate::watch::{self, Noticed};

/// Proprietary behaviour of one maker's bodies. Every method has a default that does nothing.
pub trait VendorExtension: Send {
    /// Specifications (data direction, parameter counts, session need) of the vendor's
    /// operations, so the core knows when to expect a data phase.
    fn operations(&self) -> &[OperationSpec] {
        &[]
    }

    /// Adjusts the DeviceInfo dataset the core built from the model (GetDeviceInfo).
    fn device_info(&self, info: &mut DeviceInfo) {
        let _ = info;
    }

    /// Called after OpenSession succeeded.
    fn session_opened(&mut self, cx: &mut Context<'_>) {
        let _ = cx;
    }

    /// Called when the session ends (CloseSession, reset, disconnect).
    fn session_closed(&mut self, cx: &mut Context<'_>) {
        let _ = cx;
    }

    /// Answers a request, or `None` to leave it to the standard handlers. Called only for
    /// operations the model advertises, with the session and TransactionID already checked.
    fn handle(&mut self, cx: &mut Context<'_>, request: &Request) -> Option<Reply> {
        let _ = (cx, request);
        None
    }

    /// Receives the data phase of a request this extension answered with
    /// [`Reply::ReceiveData`], and gives the response.
    fn handle_data(&mut self, cx: &mut Context<'_>, request: &Request, data: &[u8]) -> Response {
        let _ = (cx, request, data);
        Response::code(ResponseCode::GENERAL_ERROR)
    }

    /// Told of property changes from any source, oldest first, once each.
    fn properties_changed(&mut self, cx: &mut Context<'_>, changes: &[PropChange]) {
        let _ = (cx, changes);
    }

    /// Text lines describing the current exposure settings in the vendor's own properties,
    /// burned into captures and live view frames. `None` uses the standard properties.
    fn settings_lines(&self, props: &Properties) -> Option<Vec<String>> {
        let _ = props;
        None
    }

    /// A person acted on the body ([`crate::actions`]): do it and report it the vendor's
    /// way. The default is the ISO 15740 behaviour ([`actions::standard`]), which an
    /// extension calls for the actions it reports the standard way. For
    /// [`BodyAction::CardDoor`] the core has already taken the card out or put it in, and for
    /// [`BodyAction::Battery`] it keeps the level; only the reporting (and the vendor's own
    /// battery property) is left. [`BodyAction::Unplug`] and [`BodyAction::Plug`] are the
    /// core's and never come here.
    ///
    /// # Errors
    /// What the body refuses.
    fn body_action(
        &mut self,
        cx: &mut Context<'_>,
        action: &BodyAction,
    ) -> Result<ActionOutcome, ActionError> {
        actions::standard(cx, action)
    }

    /// What a live view poll gets before the sensor's next frame is due ([`LiveviewPacing`]).
    /// The default repeats the last frame; a vendor whose bodies answer "not ready" says so.
    fn liveview_pacing(&self) -> LiveviewPacing {
        LiveviewPacing::EveryPoll
    }

    /// Another program added or removed objects on the card's folder ([`crate::watch`]);
    /// called while a session is open, with the handles the store gave or forgot. The default
    /// reports them the ISO 15740 way ([`watch::standard`]: ObjectAdded, ObjectRemoved); an
    /// extension whose bodies report new and removed objects otherwise does so here.
    fn card_changed(&mut self, cx: &mut Context<'_>, changes: &[Noticed]) {
        watch::standard(cx, changes);
    }

    /// When the extension next wants [`VendorExtension::handle_timeout`].
    fn poll_timeout(&self) -> Option<SystemTime> {
        None
    }

    /// Called when the time from [`VendorExtension::poll_timeout`] has come.
    fn handle_timeout(&mut self, cx: &mut Context<'_>) {
        let _ = cx;
    }
}

/// A camera with no vendor extension: plain ISO 15740 / MTP behaviour.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoVendor;

impl VendorExtension for NoVendor {}
