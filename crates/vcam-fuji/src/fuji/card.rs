//! Objects another program added to or removed from the card folder ([`vcam_core::watch`]),
//! reported as the body reports its own: on USB with the standard ObjectAdded /
//! ObjectRemoved (which libgphoto2's Fujifilm event wait handles before its own listing
//! poll, `library.c`: `camera_wait_for_event`); on WiFi with the picture counts of the event
//! list (0xD222, 0xD401 in 0xD212) and the X-T1's ObjectAdded 0xC004 on the event port, as
//! after a shot (`capture.rs`), and the standard ObjectRemoved.

use vcam_core::Context;
use vcam_core::events::EventRecord;
use vcam_core::ptp_types::ptp_codec::Params;
use vcam_core::watch::{self, Noticed};

use super::FujiX;
use super::capture::WIFI_EVENT_TID;
use crate::codes::{ec, prop};

impl FujiX {
    /// [`vcam_core::VendorExtension::card_changed`] of a Fujifilm body.
    pub(super) fn report_card_changes(&mut self, cx: &mut Context<'_>, changes: &[Noticed]) {
        if !self.face.is_wifi() {
            watch::standard(cx, changes);
            return;
        }
        self.refresh_counts(cx);
        for code in [prop::OBJECT_COUNT, prop::OBJECT_COUNT2] {
            self.report_current(cx, code);
        }
        for change in changes {
            match *change {
                Noticed::Added(handle) => cx.events.push(EventRecord {
                    code: ec::OBJECT_ADDED,
                    transaction_id: WIFI_EVENT_TID,
                    params: Params::from([handle.0, 0, 0, 0]),
                }),
                other => watch::standard(cx, &[other]),
            }
        }
    }
}
