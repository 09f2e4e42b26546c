//! The card folder changed behind the camera's back: another program dropped a file into the
//! folder a [`FolderStore`](crate::FolderStore) serves, or removed one. The initiator hears of
//! it as it hears of a picture the body itself took or deleted: the vendor's ObjectAdded /
//! ObjectRemoved events ([`VendorExtension::card_changed`](crate::VendorExtension::card_changed)),
//! under handles allocated as for any other new object, while every handle already given
//! stays what it was.
//!
//! The core watches nothing itself (it is sans-IO): a watcher elsewhere (vcam-watch, on the
//! host's inotify) reports each change as a [`CardChange`], either straight to
//! [`Responder::handle_card_change`](crate::Responder::handle_card_change) or, from another
//! thread, through a [`CardFeed`]. Changes pushed into a feed are carried out on the
//! transport's own thread, the next time it runs the camera: once
//! [`Responder::card_feed`](crate::Responder::card_feed) has handed a feed out,
//! [`Responder::poll_timeout`](crate::Responder::poll_timeout) asks every transport to call
//! [`Responder::handle_timeout`](crate::Responder::handle_timeout) at least every
//! [`WATCH_POLL`], and every request drains the feed first. So the feed works on every
//! transport without the transport knowing of it.
//!
//! ```
//! use std::time::SystemTime;
//! use vcam_core::watch::{CardChange, Noticed};
//! use vcam_core::{FolderStore, NoVendor, Responder, SyntheticFrames, generic};
//!
//! let dir = tempfile::tempdir()?;
//! let card = dir.path().to_path_buf();
//! let store = FolderStore::from_temp_dir(dir, false)?;
//! let mut camera = Responder::new(generic::generic(), Box::new(NoVendor), Box::new(store), Box::new(SyntheticFrames::default()));
//! let feed = camera.card_feed(); // handed to a watcher thread
//! std::fs::write(card.join("NEW.JPG"), b"not really a JPEG")?;
//! feed.push(CardChange::Added(card.join("NEW.JPG")));
//! let now = SystemTime::now();
//! camera.handle_timeout(now); // the transport's next turn: the new file has a handle
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use ptp_types::{EventCode, ObjectHandle};

use crate::context::Context;
use crate::events::NO_TRANSACTION;

/// How often a camera with a [`CardFeed`] asks to be run, at most, when nothing else is due.
pub const WATCH_POLL: Duration = Duration::from_millis(100);

/// Most changes a feed keeps while no transport runs the camera (a PTP/IP body between two
/// clients); older ones are dropped (the folder is read again when it is next listed, so
/// only their events are lost).
pub const FEED_LIMIT: usize = 16 * 1024;

/// A change another program made to the card's folder on the host. Paths are host paths under
/// the store's root (a watcher reports what the kernel said; the store takes what is inside
/// its root and ignores the rest).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CardChange {
    /// A file or folder appeared at this path (created, moved in, written and closed).
    Added(PathBuf),
    /// The file or folder at this path went away (deleted, moved out).
    Removed(PathBuf),
}

/// What a store made of a [`CardChange`]: the objects the initiator should hear of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Noticed {
    /// A new object, under a handle never given before.
    Added(ObjectHandle),
    /// An object the store had a handle for is gone; its handle is invalid from now on.
    Removed(ObjectHandle),
}

/// The ISO 15740 way to report card changes (§12.5: ObjectAdded 0x4002, ObjectRemoved
/// 0x4003, with the handle as the parameter), for bodies and vendor extensions that report
/// them the standard way.
pub fn standard(cx: &mut Context<'_>, changes: &[Noticed]) {
    for change in changes {
        match *change {
            Noticed::Added(handle) => {
                cx.queue_event(EventCode::OBJECT_ADDED, NO_TRANSACTION, [handle.0]);
            }
            Noticed::Removed(handle) => {
                cx.queue_event(EventCode::OBJECT_REMOVED, NO_TRANSACTION, [handle.0]);
            }
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Shared {
    queue: Mutex<VecDeque<CardChange>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// Everything pushed so far, oldest first.
    pub(crate) fn take(&self) -> VecDeque<CardChange> {
        std::mem::take(&mut *lock(&self.queue))
    }
}

/// Where a watcher on another thread reports [`CardChange`]s of one camera's card (see the
/// [module documentation](self)). Cloning it gives another handle to the same feed.
#[derive(Debug, Clone)]
pub struct CardFeed {
    shared: Arc<Shared>,
}

impl CardFeed {
    pub(crate) const fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// Queues `change`; the camera carries it out at its next turn. Past [`FEED_LIMIT`]
    /// waiting changes the oldest is dropped.
    pub fn push(&self, change: CardChange) {
        let mut queue = lock(&self.shared.queue);
        if queue.len() >= FEED_LIMIT {
            queue.pop_front();
            tracing::warn!("card feed full: dropping the oldest change");
        }
        tracing::debug!(?change, "card change");
        queue.push_back(change);
    }

    /// How many changes wait.
    #[must_use]
    pub fn len(&self) -> usize {
        lock(&self.shared.queue).len()
    }

    /// Whether no change waits.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feed_is_bounded_and_keeps_the_newest() {
        let feed = CardFeed::new(Arc::default());
        for i in 0..FEED_LIMIT + 2 {
            feed.push(CardChange::Added(PathBuf::from(i.to_string())));
        }
        assert_eq!(feed.len(), FEED_LIMIT);
        let all = feed.shared.take();
        assert_eq!(all.front(), Some(&CardChange::Added(PathBuf::from("2"))));
        assert!(feed.is_empty());
    }
}
