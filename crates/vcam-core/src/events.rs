//! The event queue: PTP events waiting for a transport to deliver them (the USB interrupt
//! endpoint, the PTP/IP event connection).

use std::collections::VecDeque;

use ptp_types::{EventCode, ptp_codec::Params};

/// TransactionID carried by events that no transaction caused (ISO 15740:2013 §12.4).
pub const NO_TRANSACTION: u32 = 0xFFFF_FFFF;

/// One PTP event (ISO 15740:2013 §12): code, TransactionID and up to three parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRecord {
    /// Event code.
    pub code: EventCode,
    /// The transaction that caused it, or [`NO_TRANSACTION`].
    pub transaction_id: u32,
    /// Parameters.
    pub params: Params,
}

/// A bounded FIFO of events. When nobody collects events the oldest are dropped (and logged),
/// so an idle transport cannot make the camera grow without bound.
#[derive(Debug, Clone)]
pub struct EventQueue {
    queue: VecDeque<EventRecord>,
    limit: usize,
    dropped: u64,
}

impl Default for EventQueue {
    fn default() -> Self {
        Self::new(1024)
    }
}

impl EventQueue {
    /// A queue holding at most `limit` events.
    #[must_use]
    pub fn new(limit: usize) -> Self {
        Self {
            queue: VecDeque::new(),
            limit: limit.max(1),
            dropped: 0,
        }
    }

    /// Appends an event.
    pub fn push(&mut self, event: EventRecord) {
        if self.queue.len() == self.limit {
            self.queue.pop_front();
            self.dropped += 1;
            tracing::warn!(
                dropped = self.dropped,
                "event queue full, dropping the oldest event"
            );
        }
        tracing::debug!(code = ?event.code, params = ?event.params, "event queued");
        self.queue.push_back(event);
    }

    /// Takes the oldest event.
    pub fn pop(&mut self) -> Option<EventRecord> {
        self.queue.pop_front()
    }

    /// Events waiting.
    #[must_use]
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no event is waiting.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Drops every waiting event (the session they belonged to ended).
    pub fn clear(&mut self) {
        self.queue.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_fifo() {
        let mut q = EventQueue::new(2);
        for i in 0..3 {
            q.push(EventRecord {
                code: EventCode::OBJECT_ADDED,
                transaction_id: i,
                params: Params::from([i]),
            });
        }
        assert_eq!(q.len(), 2);
        assert_eq!(q.pop().unwrap().transaction_id, 1);
        assert_eq!(q.pop().unwrap().transaction_id, 2);
        assert!(q.pop().is_none());
    }
}
