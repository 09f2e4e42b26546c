//! The camera's own state and the [`Context`] handlers work through.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use ptp_types::{
    AssociationType, DateTime, DevicePropCode, EventCode, ObjectFormatCode, ObjectHandle,
    ObjectInfo, ProtectionStatus, PtpString, ResponseCode, StorageId, ptp_codec::Params,
};

use crate::events::{EventQueue, EventRecord};
use crate::frames::{Frame, FrameSource};
use crate::model::CameraModel;
use crate::props::Properties;
use crate::render::{self, TestCard};
use crate::store::{CARD_STORAGE_ID, ObjectStore, PendingObject, StoreError, media};

/// Where a capture goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureTarget {
    /// The memory card (a new file under DCIM).
    Card,
    /// The camera's memory only: an object that exists until the initiator has fetched it
    /// (Canon EOS "capture to PC", Nikon SDRAM capture).
    Memory,
}

/// A picture just taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// Its handle (a card object or a memory object).
    pub handle: ObjectHandle,
    /// Its ObjectInfo.
    pub info: ObjectInfo,
    /// Its size in bytes.
    pub size: u64,
    /// Where it went.
    pub target: CaptureTarget,
}

/// An object held in camera memory rather than on the card.
#[derive(Debug, Clone)]
pub(crate) struct MemoryObject {
    pub(crate) info: ObjectInfo,
    pub(crate) data: Bytes,
}

/// First handle given to memory objects, far from the handles stores allocate.
const FIRST_MEMORY_HANDLE: u32 = 0x9000_0001;

/// Largest picture the test card renderer is asked for.
const MAX_CAPTURE_PIXELS: u64 = 6000 * 4000;

/// State of the camera that is not a store, a property or an event: counters, the clock,
/// pictures in memory, the object announced by SendObjectInfo, timers.
#[derive(Debug)]
pub struct CameraState {
    pub(crate) capture_counter: u32,
    clock_offset: i64,
    pub(crate) memory: BTreeMap<u32, MemoryObject>,
    next_memory_handle: u32,
    pub(crate) pending_upload: Option<PendingObject>,
    pub(crate) timers: BTreeMap<(SystemTime, u64), crate::responder::Timer>,
    timer_seq: u64,
    pub(crate) open_capture: Option<u32>,
    /// MTP object references (SetObjectReferences), by object.
    pub(crate) references: BTreeMap<u32, Vec<u32>>,
}

impl Default for CameraState {
    fn default() -> Self {
        Self {
            capture_counter: 0,
            clock_offset: 0,
            memory: BTreeMap::new(),
            next_memory_handle: FIRST_MEMORY_HANDLE,
            pending_upload: None,
            timers: BTreeMap::new(),
            timer_seq: 0,
            open_capture: None,
            references: BTreeMap::new(),
        }
    }
}

impl CameraState {
    pub(crate) fn schedule(&mut self, at: SystemTime, timer: crate::responder::Timer) {
        self.timer_seq += 1;
        self.timers.insert((at, self.timer_seq), timer);
    }
}

/// What handlers see of the camera: its model, storage, properties, events, live view and
/// the current time. Built by the responder for each call; it holds no I/O of its own.
pub struct Context<'a> {
    /// The time of the call.
    pub now: SystemTime,
    /// The camera model.
    pub model: &'a CameraModel,
    /// The object store.
    pub store: &'a mut dyn ObjectStore,
    /// Device properties.
    pub props: &'a mut Properties,
    /// Events waiting for delivery.
    pub events: &'a mut EventQueue,
    /// Live view frames.
    pub frames: &'a mut dyn FrameSource,
    pub(crate) state: &'a mut CameraState,
    pub(crate) settings: Vec<String>,
}

impl Context<'_> {
    /// Queues a standard event if the model lists it in EventsSupported.
    pub fn queue_event(&mut self, code: EventCode, transaction_id: u32, params: impl Into<Params>) {
        if self.model.sends(code) {
            self.events.push(EventRecord {
                code,
                transaction_id,
                params: params.into(),
            });
        }
    }

    /// The camera clock (it starts at the host's time and can be set by the initiator).
    #[must_use]
    pub fn clock(&self) -> DateTime {
        let now = seconds(self.now);
        let secs = now.saturating_add_signed(self.state.clock_offset);
        let mut dt = DateTime::from_unix_seconds(secs);
        // Cameras report local time without a zone suffix.
        dt.zone = None;
        dt
    }

    /// Sets the camera clock.
    pub fn set_clock(&mut self, time: &DateTime) {
        if let Some(target) = time.to_unix_seconds() {
            let now = seconds(self.now);
            self.state.clock_offset = i64::try_from(target)
                .unwrap_or(i64::MAX)
                .saturating_sub(i64::try_from(now).unwrap_or(i64::MAX));
        }
    }

    /// Text lines describing the current settings, as burned into captures and frames.
    #[must_use]
    pub fn settings_lines(&self) -> &[String] {
        &self.settings
    }

    /// Takes a picture: renders a test card showing the model, a counter, the clock and the
    /// settings, and stores it on the card or in camera memory. Events are the caller's job.
    pub fn capture(&mut self, target: CaptureTarget) -> Result<Captured, ResponseCode> {
        if target == CaptureTarget::Card && self.store.is_read_only() {
            return Err(ResponseCode::STORE_READ_ONLY);
        }
        let (width, height) = self.capture_size();
        let model = self.model.device_info.model.to_string();
        let clock = self.clock();
        for _ in 0..10_000 {
            self.state.capture_counter = self.state.capture_counter % 9999 + 1;
            let number = self.state.capture_counter;
            let name = format!("{}{number:04}.JPG", self.model.capture_prefix);
            let mut lines = vec![
                model.clone(),
                format!("{name}  #{number}"),
                clock.to_string(),
            ];
            lines.extend(self.settings.iter().cloned());
            let card = TestCard {
                width,
                height,
                lines: &lines,
                seed: u64::from(number),
                make: self.model.device_info.manufacturer.as_str(),
                model: &model,
                time: Some(clock),
            };
            let jpeg = render::test_card_jpeg(&card).map_err(|err| {
                tracing::error!(%err, "rendering the capture failed");
                ResponseCode::GENERAL_ERROR
            })?;
            let size = jpeg.len() as u64;
            match target {
                CaptureTarget::Card => {
                    let storage = self
                        .store
                        .storage_ids()
                        .first()
                        .copied()
                        .unwrap_or(CARD_STORAGE_ID);
                    let folder = ["DCIM", self.model.capture_folder.as_str()];
                    match self.store.add_object(storage, &folder, &name, jpeg) {
                        Ok(handle) => {
                            let info = self
                                .store
                                .object_info(handle)
                                .map_err(|e| e.response_code())?;
                            return Ok(Captured {
                                handle,
                                info,
                                size,
                                target,
                            });
                        }
                        Err(StoreError::AlreadyExists(_)) => {}
                        Err(err) => {
                            tracing::warn!(%err, "storing the capture failed");
                            return Err(err.response_code());
                        }
                    }
                }
                CaptureTarget::Memory => {
                    let handle = ObjectHandle(self.state.next_memory_handle);
                    self.state.next_memory_handle = self
                        .state
                        .next_memory_handle
                        .wrapping_add(1)
                        .max(FIRST_MEMORY_HANDLE);
                    let info = memory_object_info(&name, &jpeg, width, height, clock);
                    self.state.memory.insert(
                        handle.0,
                        MemoryObject {
                            info: info.clone(),
                            data: jpeg,
                        },
                    );
                    return Ok(Captured {
                        handle,
                        info,
                        size,
                        target,
                    });
                }
            }
        }
        Err(ResponseCode::STORE_FULL)
    }

    /// Removes a memory object (after the initiator fetched it). Returns whether it existed.
    pub fn release_memory_object(&mut self, handle: ObjectHandle) -> bool {
        self.state.memory.remove(&handle.0).is_some()
    }

    /// The ObjectInfo of a memory object.
    #[must_use]
    pub fn memory_object(&self, handle: ObjectHandle) -> Option<(&ObjectInfo, &Bytes)> {
        self.state.memory.get(&handle.0).map(|o| (&o.info, &o.data))
    }

    /// The live view frame for now, with the settings burned in.
    pub fn liveview_frame(&mut self) -> Result<Frame, ResponseCode> {
        let mut overlay = vec![
            self.model.device_info.model.to_string(),
            self.clock().to_string(),
        ];
        overlay.extend(self.settings.iter().cloned());
        self.frames.frame(self.now, &overlay).map_err(|err| {
            tracing::error!(%err, "no live view frame");
            ResponseCode::GENERAL_ERROR
        })
    }

    /// Schedules a standard timer action.
    pub(crate) fn schedule(&mut self, after: Duration, timer: crate::responder::Timer) {
        let at = self.now + after;
        self.state.schedule(at, timer);
    }

    fn capture_size(&self) -> (u32, u32) {
        let parsed = self
            .props
            .value(DevicePropCode::IMAGE_SIZE)
            .and_then(|v| v.as_str())
            .and_then(|s| s.split_once('x'))
            .and_then(|(w, h)| {
                Some((w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?))
            });
        match parsed {
            Some((w, h)) if w > 0 && h > 0 && u64::from(w) * u64::from(h) <= MAX_CAPTURE_PIXELS => {
                (w, h)
            }
            _ => (1600, 1200),
        }
    }
}

fn memory_object_info(
    name: &str,
    jpeg: &Bytes,
    width: u32,
    height: u32,
    time: DateTime,
) -> ObjectInfo {
    let thumb = media::exif_thumbnail(jpeg);
    ObjectInfo {
        storage_id: StorageId(0),
        object_format: ObjectFormatCode::EXIF_JPEG,
        protection_status: ProtectionStatus::NO_PROTECTION,
        object_compressed_size: u32::try_from(jpeg.len()).unwrap_or(u32::MAX),
        thumb_format: if thumb.is_some() {
            ObjectFormatCode::JFIF
        } else {
            ObjectFormatCode::UNDEFINED
        },
        thumb_compressed_size: thumb.map_or(0, |t| u32::try_from(t.len()).unwrap_or(u32::MAX)),
        thumb_pix_width: thumb.map_or(0, |_| render::THUMB_WIDTH),
        thumb_pix_height: thumb.map_or(0, |_| render::THUMB_HEIGHT),
        image_pix_width: width,
        image_pix_height: height,
        image_bit_depth: 24,
        parent_object: ObjectHandle(0),
        association_type: AssociationType::UNDEFINED,
        association_desc: 0,
        sequence_number: 0,
        filename: PtpString::truncating(name),
        capture_date: Some(time),
        modification_date: Some(time),
        keywords: PtpString::new(),
    }
}

/// Seconds since the Unix epoch (0 before it).
pub(crate) fn seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
