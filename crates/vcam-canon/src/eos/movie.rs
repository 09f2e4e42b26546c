//! Movie recording: EVFRecordStatus (0xD1B8) set to "card" starts it, anything else stops it,
//! and the movie appears on the card as `MVI_nnnn.MOV` with an ObjectAddedEx record
//! (libgphoto2 `config.c`: `movierecordtarget` is `_put_Canon_EOS_EVFRecordTarget`, values
//! None 0, SDRAM 3, Card 4).
//!
//! The frames are the live view's, sampled [`MOVIE_FPS`] times a second, kept in a QuickTime
//! file of Motion JPEG samples (QuickTime File Format: `ftyp`, `mdat`, `moov` with one video
//! track of `jpeg` samples). A recording stops by itself at [`MAX_MOVIE_BYTES`].

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use vcam_core::ptp_types::{PropValue, ResponseCode};
use vcam_core::store::StoreError;
use vcam_core::{Context, PropChange};

use super::CanonEos;
use crate::codes::prop;
use crate::props::{RECORD_CARD, u32_of};
use crate::records::EosEvent;

/// Frames per second of a recorded movie.
pub(crate) const MOVIE_FPS: u32 = 10;
/// Largest movie kept in memory while recording; recording stops there.
pub(crate) const MAX_MOVIE_BYTES: usize = 64 << 20;
/// QuickTime time units per second of the movie.
const TIMESCALE: u32 = 600;

/// A movie being recorded.
#[derive(Debug)]
pub(crate) struct Recording {
    frames: Vec<Bytes>,
    bytes: usize,
    size: (u32, u32),
    last_frame: Option<u64>,
    next_frame: SystemTime,
}

impl CanonEos {
    /// Starts or stops recording when EVFRecordStatus changed.
    pub(super) fn record_status_changed(&mut self, cx: &mut Context<'_>, changes: &[PropChange]) {
        if !changes.iter().any(|c| c.code == prop::EVF_RECORD_STATUS) {
            return;
        }
        let card = u32_of(cx.props, prop::EVF_RECORD_STATUS) == RECORD_CARD;
        match (&self.movie, card) {
            (None, true) => {
                tracing::info!("movie recording started");
                self.movie = Some(Recording {
                    frames: Vec::new(),
                    bytes: 0,
                    size: (0, 0),
                    last_frame: None,
                    next_frame: cx.now,
                });
                self.queue(EosEvent::CameraStatusChanged(1));
            }
            (Some(_), false) => self.finish_movie(cx),
            _ => {}
        }
    }

    /// When the next movie frame is due.
    pub(super) fn movie_timeout(&self) -> Option<SystemTime> {
        self.movie.as_ref().map(|m| m.next_frame)
    }

    /// Takes the frame that is due, and stops at the size limit.
    pub(super) fn movie_tick(&mut self, cx: &mut Context<'_>) {
        let Some(movie) = self.movie.as_mut() else {
            return;
        };
        if cx.now < movie.next_frame {
            return;
        }
        let period = Duration::from_secs(1) / MOVIE_FPS;
        while movie.next_frame <= cx.now {
            movie.next_frame += period;
        }
        let Ok(frame) = cx.sensor_frame() else {
            return;
        };
        if movie.last_frame == Some(frame.number) {
            return;
        }
        movie.last_frame = Some(frame.number);
        if movie.frames.is_empty() {
            movie.size = (frame.width, frame.height);
        }
        movie.bytes += frame.jpeg.len();
        movie.frames.push(frame.jpeg);
        if movie.bytes >= MAX_MOVIE_BYTES {
            tracing::info!("movie reached {MAX_MOVIE_BYTES} bytes: recording stops");
            self.finish_movie(cx);
            let _ = cx
                .props
                .set_by_device(prop::EVF_RECORD_STATUS, PropValue::UInt32(0));
        }
    }

    /// Ends the recording: the movie goes to the card and is reported.
    fn finish_movie(&mut self, cx: &mut Context<'_>) {
        let Some(movie) = self.movie.take() else {
            return;
        };
        let file = quicktime_mjpeg(&movie.frames, movie.size, MOVIE_FPS);
        let frames = movie.frames.len();
        drop(movie);
        match self.store_movie(cx, file) {
            Ok(event) => {
                tracing::info!(frames, "movie recorded");
                self.queue(event);
            }
            Err(code) => tracing::warn!(?code, "the movie could not be written to the card"),
        }
        self.queue(EosEvent::CameraStatusChanged(0));
    }

    fn store_movie(
        &mut self,
        cx: &mut Context<'_>,
        file: Vec<u8>,
    ) -> Result<EosEvent, ResponseCode> {
        if cx.store.is_read_only() {
            return Err(ResponseCode::STORE_READ_ONLY);
        }
        let storage = cx
            .store
            .storage_ids()
            .first()
            .copied()
            .ok_or(ResponseCode::STORE_NOT_AVAILABLE)?;
        let folder = ["DCIM", cx.model.capture_folder.as_str()];
        let data = Bytes::from(file);
        for _ in 0..10_000 {
            self.movie_counter = self.movie_counter % 9999 + 1;
            let name = format!("MVI_{:04}.MOV", self.movie_counter);
            match cx.store.add_object(storage, &folder, &name, data.clone()) {
                Ok(handle) => {
                    return super::card::object_added(cx.store, handle)
                        .ok_or(ResponseCode::GENERAL_ERROR);
                }
                Err(StoreError::AlreadyExists(_)) => {}
                Err(e) => return Err(e.response_code()),
            }
        }
        Err(ResponseCode::STORE_FULL)
    }
}

/// A QuickTime movie of Motion JPEG `frames` of `size`, played at `fps`.
pub(crate) fn quicktime_mjpeg(frames: &[Bytes], size: (u32, u32), fps: u32) -> Vec<u8> {
    let data_len: usize = frames.iter().map(Bytes::len).sum();
    let mut out = Vec::with_capacity(data_len + 1024 + 4 * frames.len());
    atom(&mut out, b"ftyp", |o| {
        o.extend_from_slice(b"qt  ");
        be32(o, 0x2005_0300);
        o.extend_from_slice(b"qt  ");
    });
    // One chunk holding every sample, right after the mdat header.
    let first_sample = u32::try_from(out.len() + 8).unwrap_or(u32::MAX);
    atom(&mut out, b"mdat", |o| {
        for f in frames {
            o.extend_from_slice(f);
        }
    });
    let count = u32::try_from(frames.len()).unwrap_or(u32::MAX);
    let delta = TIMESCALE / fps.max(1);
    let duration = count.saturating_mul(delta);
    let (w, h) = size;
    atom(&mut out, b"moov", |o| {
        atom(o, b"mvhd", |o| {
            be32(o, 0); // version, flags
            be32(o, 0); // created
            be32(o, 0); // modified
            be32(o, TIMESCALE);
            be32(o, duration);
            be32(o, 0x0001_0000); // rate 1.0
            be16(o, 0x0100); // volume 1.0
            o.extend_from_slice(&[0; 10]);
            matrix(o);
            o.extend_from_slice(&[0; 24]); // preview, poster, selection, current time
            be32(o, 2); // next track ID
        });
        atom(o, b"trak", |o| {
            atom(o, b"tkhd", |o| {
                be32(o, 0x0000_0003); // enabled, in movie
                be32(o, 0);
                be32(o, 0);
                be32(o, 1); // track ID
                be32(o, 0);
                be32(o, duration);
                o.extend_from_slice(&[0; 8]);
                be16(o, 0); // layer
                be16(o, 0); // alternate group
                be16(o, 0); // volume
                be16(o, 0);
                matrix(o);
                be32(o, w << 16);
                be32(o, h << 16);
            });
            atom(o, b"mdia", |o| {
                atom(o, b"mdhd", |o| {
                    be32(o, 0);
                    be32(o, 0);
                    be32(o, 0);
                    be32(o, TIMESCALE);
                    be32(o, duration);
                    be16(o, 0); // language
                    be16(o, 0); // quality
                });
                handler(o, b"mhlr", b"vide");
                atom(o, b"minf", |o| {
                    atom(o, b"vmhd", |o| {
                        be32(o, 0x0000_0001);
                        be16(o, 0x0040); // dither copy
                        for _ in 0..3 {
                            be16(o, 0x8000);
                        }
                    });
                    handler(o, b"dhlr", b"url ");
                    atom(o, b"dinf", |o| {
                        atom(o, b"dref", |o| {
                            be32(o, 0);
                            be32(o, 1);
                            atom(o, b"url ", |o| be32(o, 0x0000_0001)); // in this file
                        });
                    });
                    atom(o, b"stbl", |o| {
                        atom(o, b"stsd", |o| {
                            be32(o, 0);
                            be32(o, 1);
                            atom(o, b"jpeg", |o| {
                                o.extend_from_slice(&[0; 6]);
                                be16(o, 1); // data reference
                                be16(o, 0); // version
                                be16(o, 0); // revision
                                be32(o, 0); // vendor
                                be32(o, 0); // temporal quality
                                be32(o, 0x200); // spatial quality: normal
                                be16(o, u16::try_from(w).unwrap_or(u16::MAX));
                                be16(o, u16::try_from(h).unwrap_or(u16::MAX));
                                be32(o, 0x0048_0000); // 72 dpi
                                be32(o, 0x0048_0000);
                                be32(o, 0);
                                be16(o, 1); // frames per sample
                                let name = b"Photo - JPEG";
                                let mut compressor = [0u8; 32];
                                compressor[0] = 12;
                                for (d, s) in compressor.iter_mut().skip(1).zip(name) {
                                    *d = *s;
                                }
                                o.extend_from_slice(&compressor);
                                be16(o, 24); // depth
                                be16(o, 0xFFFF); // no color table
                            });
                        });
                        atom(o, b"stts", |o| {
                            be32(o, 0);
                            be32(o, 1);
                            be32(o, count);
                            be32(o, delta);
                        });
                        atom(o, b"stsc", |o| {
                            be32(o, 0);
                            be32(o, 1);
                            be32(o, 1);
                            be32(o, count);
                            be32(o, 1);
                        });
                        atom(o, b"stsz", |o| {
                            be32(o, 0);
                            be32(o, 0);
                            be32(o, count);
                            for f in frames {
                                be32(o, u32::try_from(f.len()).unwrap_or(u32::MAX));
                            }
                        });
                        atom(o, b"stco", |o| {
                            be32(o, 0);
                            be32(o, 1);
                            be32(o, first_sample);
                        });
                    });
                });
            });
        });
    });
    out
}

/// An atom: its size, its type, what `body` writes.
fn atom(out: &mut Vec<u8>, kind: &[u8; 4], body: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(kind);
    body(out);
    let size = u32::try_from(out.len() - at)
        .unwrap_or(u32::MAX)
        .to_be_bytes();
    if let Some(slot) = out.get_mut(at..at + 4) {
        slot.copy_from_slice(&size);
    }
}

/// A handler reference atom (`hdlr`) of `component` type and `subtype`, without a name.
fn handler(out: &mut Vec<u8>, component: &[u8; 4], subtype: &[u8; 4]) {
    atom(out, b"hdlr", |o| {
        be32(o, 0);
        o.extend_from_slice(component);
        o.extend_from_slice(subtype);
        be32(o, 0); // manufacturer
        be32(o, 0); // flags
        be32(o, 0); // flags mask
        o.push(0); // empty name
    });
}

/// The identity matrix.
fn matrix(out: &mut Vec<u8>) {
    for v in [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000u32] {
        be32(out, v);
    }
}

fn be32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn be16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
    }

    /// The atoms of `b` (size and type), with the children of the container atoms.
    fn atoms(b: &[u8], out: &mut Vec<(String, usize, usize)>) {
        let mut at = 0;
        while at + 8 <= b.len() {
            let size = u32_at(b, at) as usize;
            assert!(
                size >= 8 && at + size <= b.len(),
                "atom at {at} of size {size}"
            );
            let kind = String::from_utf8_lossy(&b[at + 4..at + 8]).to_string();
            out.push((kind.clone(), at, size));
            if ["moov", "trak", "mdia", "minf", "stbl", "dinf"].contains(&kind.as_str()) {
                let mut inner = Vec::new();
                atoms(&b[at + 8..at + size], &mut inner);
                out.extend(inner.into_iter().map(|(k, a, s)| (k, a + at + 8, s)));
            }
            at += size;
        }
        assert_eq!(at, b.len());
    }

    #[test]
    fn samples_are_where_the_tables_say() {
        let frames = [
            Bytes::from_static(b"\xFF\xD8one\xFF\xD9"),
            Bytes::from_static(b"\xFF\xD8second\xFF\xD9"),
            Bytes::from_static(b"\xFF\xD83\xFF\xD9"),
        ];
        let mov = quicktime_mjpeg(&frames, (640, 480), 10);
        let mut list = Vec::new();
        atoms(&mov, &mut list);
        let find = |k: &str| list.iter().find(|(n, _, _)| n == k).unwrap().clone();
        for kind in [
            "ftyp", "mdat", "moov", "mvhd", "tkhd", "mdhd", "stsd", "stts", "stsz", "stco",
        ] {
            find(kind);
        }
        let (_, stco, _) = find("stco");
        let mut offset = u32_at(&mov, stco + 16) as usize;
        let (_, stsz, _) = find("stsz");
        assert_eq!(u32_at(&mov, stsz + 16), 3);
        for (i, f) in frames.iter().enumerate() {
            let len = u32_at(&mov, stsz + 20 + 4 * i) as usize;
            assert_eq!(&mov[offset..offset + len], &f[..]);
            offset += len;
        }
        let (_, mvhd, _) = find("mvhd");
        assert_eq!(u32_at(&mov, mvhd + 20), 600, "timescale");
        assert_eq!(u32_at(&mov, mvhd + 24), 3 * 60, "3 frames at 10 fps");
    }
}
