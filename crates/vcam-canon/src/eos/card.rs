//! Objects another program added to or removed from the card folder ([`vcam_core::watch`]),
//! reported in the GetEvent stream as an EOS body reports its own: ObjectAddedEx (0xC181)
//! for a new file or folder, ObjectRemoved (0xC182) for one that went (libgphoto2
//! `library.c`: `camera_wait_for_event`, the EOS part, turns them into FILEADDED /
//! FOLDERADDED and "ObjectRemoved").

use vcam_core::ptp_types::ObjectHandle;
use vcam_core::watch::Noticed;
use vcam_core::{Context, ObjectStore};

use super::CanonEos;
use crate::records::EosEvent;

impl CanonEos {
    /// [`vcam_core::VendorExtension::card_changed`] of an EOS body.
    pub(super) fn report_card_changes(&mut self, cx: &mut Context<'_>, changes: &[Noticed]) {
        for change in changes {
            match *change {
                Noticed::Added(handle) => match object_added(cx.store, handle) {
                    Some(event) => self.queue(event),
                    None => tracing::debug!(?handle, "gone before it could be reported"),
                },
                Noticed::Removed(handle) => self.queue(EosEvent::ObjectRemoved(handle)),
                _ => {}
            }
        }
    }
}

/// The ObjectAddedEx record of a card object, from what a listing shows of it.
pub(super) fn object_added(store: &mut dyn ObjectStore, handle: ObjectHandle) -> Option<EosEvent> {
    let entry = store.object_entry(handle).ok()?;
    Some(EosEvent::ObjectAddedEx {
        handle,
        storage: entry.storage_id,
        parent: entry.parent,
        format: entry.format,
        // The record's field has 32 bits, as ObjectInfo's.
        size: u32::try_from(entry.size).unwrap_or(u32::MAX),
        name: entry.filename.into_string(),
    })
}
