//! [`ListingSource`]: a dataset of one entry per object (Canon EOS GetObjectInfoEx, MTP
//! GetObjectPropList), encoded while it is sent.
//!
//! A folder of a hundred thousand files makes a listing of several MiB. Built before the data
//! phase starts, it costs that much memory, and the initiator waits for all of it before the
//! first byte arrives: libgphoto2's PTP/IP driver gives up after 2.5 s
//! (`PTPIP_DEFAULT_TIMEOUT_S`, camlibs/ptp2/ptpip-private.h). A listing whose length is known
//! in advance (fixed-size entries, or sizes taken from a snapshot of the names) is instead
//! encoded a chunk at a time, from the store, as the responder sends it: the first byte goes out
//! as soon as the folder has been read, and memory stays at one chunk.

use std::fmt;

use bytes::{Bytes, BytesMut};

use super::{DataSource, ObjectStore, StoreError};

/// Most bytes of one piece of a listing. Each piece is encoded from the store just before it
/// is sent (a thousand entries), so the initiator hears from the camera every few
/// milliseconds, however slow the card, and never waits a read timeout between pieces.
pub const LISTING_PIECE: usize = 64 * 1024;

/// Encodes entry `index` of a listing onto `out`, reading the store as needed. It must write
/// exactly the bytes the listing announced for that entry, or fail (the card changed so much
/// since the listing was counted that the entry cannot be written as announced).
pub type EncodeEntry =
    Box<dyn FnMut(usize, &mut dyn ObjectStore, &mut Vec<u8>) -> Result<(), StoreError> + Send>;

/// A data phase made of a head (a count, say) and `count` entries encoded on demand by an
/// [`EncodeEntry`], `len` bytes in all. The responder reads it through
/// [`DataSource::read_chunk_from`]; an encoder that writes more or fewer bytes than announced
/// makes the read fail, which the responder answers with IncompleteTransfer.
pub struct ListingSource {
    head: Bytes,
    count: usize,
    next: usize,
    len: u64,
    sent: u64,
    /// Bytes of the last entry encoded that did not fit the previous chunk.
    spill: Vec<u8>,
    at: usize,
    /// Where each entry is encoded (reused).
    scratch: Vec<u8>,
    encode: EncodeEntry,
}

impl ListingSource {
    /// A listing of `len` bytes: `head`, then entries `0..count` from `encode`.
    #[must_use]
    pub fn new(head: impl Into<Bytes>, count: usize, len: u64, encode: EncodeEntry) -> Self {
        Self {
            head: head.into(),
            count,
            next: 0,
            len,
            sent: 0,
            spill: Vec::new(),
            at: 0,
            scratch: Vec::new(),
            encode,
        }
    }

    /// The next chunk: one buffer of at most `max` bytes, filled with entries as they are
    /// encoded.
    fn take(&mut self, store: &mut dyn ObjectStore, max: usize) -> Result<Bytes, StoreError> {
        if !self.head.is_empty() {
            let n = max.min(self.head.len());
            return Ok(self.head.split_to(n));
        }
        let mut chunk = BytesMut::with_capacity(max);
        let spilled = self.spill.get(self.at..).unwrap_or_default();
        let n = spilled.len().min(max);
        chunk.extend_from_slice(spilled.get(..n).unwrap_or_default());
        self.at += n;
        while chunk.len() < max && self.next < self.count {
            self.scratch.clear();
            (self.encode)(self.next, store, &mut self.scratch)?;
            self.next += 1;
            let room = max - chunk.len();
            let (now, later) = self.scratch.split_at(room.min(self.scratch.len()));
            chunk.extend_from_slice(now);
            if !later.is_empty() {
                self.spill.clear();
                self.spill.extend_from_slice(later);
                self.at = 0;
            }
        }
        if self.at >= self.spill.len() {
            self.spill.clear();
            self.at = 0;
        }
        Ok(chunk.freeze())
    }
}

impl fmt::Debug for ListingSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListingSource")
            .field("count", &self.count)
            .field("next", &self.next)
            .field("len", &self.len)
            .field("sent", &self.sent)
            .finish_non_exhaustive()
    }
}

impl DataSource for ListingSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_chunk(&mut self, _max: usize) -> Result<Bytes, StoreError> {
        Err(StoreError::Io(
            "a listing is encoded from the store: read it with read_chunk_from".into(),
        ))
    }

    fn read_chunk_from(
        &mut self,
        store: &mut dyn ObjectStore,
        max: usize,
    ) -> Result<Bytes, StoreError> {
        let left = self.len - self.sent;
        let max = usize::try_from(left)
            .unwrap_or(usize::MAX)
            .min(max)
            .min(LISTING_PIECE);
        let chunk = self.take(store, max)?;
        self.sent += chunk.len() as u64;
        let more = self.next < self.count || self.at < self.spill.len();
        if self.sent == self.len && more {
            return Err(StoreError::Io(format!(
                "a listing encoded more than the {} bytes it announced",
                self.len
            )));
        }
        if chunk.is_empty() && max > 0 {
            return Err(StoreError::Io(format!(
                "a listing encoded {} of the {} bytes it announced",
                self.sent, self.len
            )));
        }
        Ok(chunk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FolderStore;

    fn source(count: usize, len: u64, entry: usize) -> ListingSource {
        ListingSource::new(
            Bytes::from(u32::try_from(count).unwrap().to_le_bytes().to_vec()),
            count,
            len,
            Box::new(move |i, _store, out| {
                out.extend(std::iter::repeat_n(u8::try_from(i).unwrap(), entry));
                Ok(())
            }),
        )
    }

    fn read_all(s: &mut ListingSource, max: usize) -> Result<Vec<u8>, StoreError> {
        let dir = tempfile::tempdir().unwrap();
        let mut store = FolderStore::open(dir.path(), true).unwrap();
        let mut out = Vec::new();
        while (out.len() as u64) < s.len() {
            let chunk = s.read_chunk_from(&mut store, max)?;
            assert!(chunk.len() <= max);
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    #[test]
    fn entries_are_encoded_as_they_are_read() {
        let mut s = source(5, 4 + 5 * 3, 3);
        let out = read_all(&mut s, 4).unwrap();
        assert_eq!(
            out,
            [5, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
        );
    }

    #[test]
    fn an_encoder_that_fails_fails_the_read() {
        let mut s = ListingSource::new(
            Bytes::new(),
            3,
            3,
            Box::new(|i, _store, out| {
                if i == 1 {
                    return Err(StoreError::Io("changed".into()));
                }
                out.push(0);
                Ok(())
            }),
        );
        assert!(read_all(&mut s, 1).is_err());
    }

    #[test]
    fn a_wrong_length_is_an_error_not_a_short_dataset() {
        let mut short = source(2, 4 + 2 * 3 + 1, 3);
        assert!(read_all(&mut short, 64).is_err());
        let mut long = source(2, 4 + 2 * 3 - 1, 3);
        assert!(read_all(&mut long, 64).is_err());
        assert!(source(1, 7, 3).read_chunk(10).is_err());
    }
}
