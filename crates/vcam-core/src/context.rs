//! The camera's own state and the [`Context`] handlers work through.
//!
//! The context is also the one object service of the camera: [`Context::object_info`],
//! [`Context::object_size`], [`Context::open_object`] and [`Context::thumbnail`] answer for
//! memory objects (pictures kept in the camera, vendor pseudo-objects placed with
//! [`Context::put_memory_object`]) and card objects (the [`ObjectStore`]) alike. The standard
//! handlers, the MTP handlers and vendor extensions all go through it, so the memory-or-store
//! decision and the range rules of GetPartialObject are written once.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use ptp_types::{
    AssociationType, DateTime, DevicePropCode, EventCode, ObjectFormatCode, ObjectHandle,
    ObjectInfo, ProtectionStatus, PtpString, ResponseCode, StorageId, ptp_codec::Params,
};

use crate::events::{EventQueue, EventRecord};
use crate::frames::{Frame, FrameSource, LiveviewPacing};
use crate::model::CameraModel;
use crate::props::Properties;
use crate::render::{self, TestCard};
use crate::steer::Steer;
use crate::store::{
    BytesSource, CARD_STORAGE_ID, DataSource, ObjectEntry, ObjectStore, PendingObject, StoreError,
    media,
};
use crate::timers::Timer;

/// Where a capture goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CaptureTarget {
    /// The memory card (a new file under DCIM).
    Card,
    /// The camera's memory only: an object under a fresh handle that exists until the
    /// initiator has fetched it (Canon EOS "capture to PC", Nikon SDRAM capture).
    Memory,
    /// The camera's memory, always under this handle, replacing the memory object there: a
    /// body that serves its latest shot as one fixed pseudo-object (Sony's 0xFFFFC001,
    /// libgphoto2 `camlibs/ptp2/library.c`: `camera_sony_capture`). GetObjectInfo, GetObject
    /// and GetPartialObject of the handle are then answered by the standard handlers.
    MemoryAt(ObjectHandle),
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
    pub(crate) timers: BTreeMap<(SystemTime, u64), Timer>,
    timer_seq: u64,
    pub(crate) open_capture: Option<u32>,
    /// MTP object references (SetObjectReferences), by object.
    pub(crate) references: BTreeMap<u32, Vec<u32>>,
    /// The number of the last live view frame sent.
    last_frame: Option<u64>,
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
            last_frame: None,
        }
    }
}

impl CameraState {
    /// A handle for a new memory object: the next one from [`FIRST_MEMORY_HANDLE`] that no
    /// memory object holds (vendors may have placed objects at handles of their choice).
    fn allocate_memory_handle(&mut self) -> ObjectHandle {
        loop {
            let handle = self.next_memory_handle;
            self.next_memory_handle = handle.wrapping_add(1).max(FIRST_MEMORY_HANDLE);
            if !self.memory.contains_key(&handle) {
                return ObjectHandle(handle);
            }
        }
    }

    pub(crate) fn schedule(&mut self, at: SystemTime, timer: Timer) {
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
    /// Faults (a capture that fails) and the body's state (`steer.rs`).
    pub(crate) steer: &'a mut Steer,
    pub(crate) settings: Vec<String>,
    pub(crate) pacing: LiveviewPacing,
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
        if let Some(code) = self.steer.capture_fails() {
            tracing::info!(?code, "fault: the capture fails");
            return Err(code);
        }
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
                CaptureTarget::Memory | CaptureTarget::MemoryAt(_) => {
                    let handle = match target {
                        CaptureTarget::MemoryAt(handle) => handle,
                        _ => self.state.allocate_memory_handle(),
                    };
                    let info = jpeg_object_info(&name, &jpeg, Some(clock));
                    self.put_memory_object(handle, info.clone(), jpeg);
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

    /// Places `data` in camera memory as an object under `handle`, replacing any memory
    /// object there. From then on the object service, and so GetObjectInfo, GetObject,
    /// GetPartialObject, GetThumb, DeleteObject and the MTP object operations, answer for it;
    /// a memory object hides a card object with the same handle. For vendor pseudo-objects
    /// (Fujifilm's live view object 0x80000001, Sony's 0xFFFFC002); [`jpeg_object_info`]
    /// builds the ObjectInfo of a JPEG. Handles 0 and 0xFFFFFFFF mean "none" and "all" in
    /// PTP and are not good choices.
    pub fn put_memory_object(&mut self, handle: ObjectHandle, info: ObjectInfo, data: Bytes) {
        self.state
            .memory
            .insert(handle.0, MemoryObject { info, data });
    }

    /// Removes a memory object (after the initiator fetched it). Returns whether it existed.
    pub fn release_memory_object(&mut self, handle: ObjectHandle) -> bool {
        self.state.memory.remove(&handle.0).is_some()
    }

    /// The ObjectInfo and bytes of a memory object.
    #[must_use]
    pub fn memory_object(&self, handle: ObjectHandle) -> Option<(&ObjectInfo, &Bytes)> {
        self.state.memory.get(&handle.0).map(|o| (&o.info, &o.data))
    }

    /// The ObjectInfo of a memory or card object (GetObjectInfo).
    pub fn object_info(&mut self, handle: ObjectHandle) -> Result<ObjectInfo, ResponseCode> {
        if let Some(object) = self.state.memory.get(&handle.0) {
            return Ok(object.info.clone());
        }
        self.store.object_info(handle).map_err(|e| refused(&e))
    }

    /// What a folder listing shows of a memory or card object ([`ObjectEntry`]): for a card
    /// object this is cheaper than [`Context::object_info`], which also reads the image header.
    pub fn object_entry(&mut self, handle: ObjectHandle) -> Result<ObjectEntry, ResponseCode> {
        if let Some(object) = self.state.memory.get(&handle.0) {
            return Ok(ObjectEntry::from_info(
                handle,
                &object.info,
                object.data.len() as u64,
            ));
        }
        self.store.object_entry(handle).map_err(|e| refused(&e))
    }

    /// The full size in bytes of a memory or card object (ObjectInfo's size field has only 32
    /// bits).
    pub fn object_size(&mut self, handle: ObjectHandle) -> Result<u64, ResponseCode> {
        if let Some(object) = self.state.memory.get(&handle.0) {
            return Ok(object.data.len() as u64);
        }
        self.store.object_size(handle).map_err(|e| refused(&e))
    }

    /// Streams `len` bytes (`None`: to the end) of a memory or card object from `offset`, as
    /// GetPartialObject does (ISO 15740:2013 §10.5.28): a range running past the end is cut at
    /// the end, and an offset past the end is InvalidParameter. The source's
    /// [`len`](DataSource::len) is the number of bytes that will be sent.
    pub fn open_object(
        &mut self,
        handle: ObjectHandle,
        offset: u64,
        len: Option<u64>,
    ) -> Result<Box<dyn DataSource>, ResponseCode> {
        let size = self.object_size(handle)?;
        let Some(rest) = size.checked_sub(offset) else {
            return Err(ResponseCode::INVALID_PARAMETER);
        };
        let len = len.map_or(rest, |len| len.min(rest));
        if let Some(object) = self.state.memory.get(&handle.0) {
            let start = usize::try_from(offset).unwrap_or(usize::MAX);
            let end = start.saturating_add(usize::try_from(len).unwrap_or(usize::MAX));
            return match object.data.get(start..end) {
                Some(part) => Ok(Box::new(BytesSource::new(object.data.slice_ref(part)))),
                None => Err(ResponseCode::INVALID_PARAMETER),
            };
        }
        self.store
            .open(handle, offset, Some(len))
            .map_err(|e| refused(&e))
    }

    /// Streams a part of an object for an operation that addresses it with a 32-bit offset
    /// and length (GetPartialObject, Canon EOS GetPartialObject), as [`Context::open_object`]
    /// does, with one more rule for objects of 4 GiB and more. Their ObjectInfo size (and a
    /// Canon folder entry's) is 0xFFFFFFFF, and an initiator that knows no other size reads up
    /// to it: libgphoto2 reads 1 MiB blocks up to ObjectInfo's size (`camlibs/ptp2/library.c`:
    /// `get_file_func`) and saves what it got. A 32-bit read ending at byte 0xFFFFFFFF of such
    /// an object is that last block; answering it would leave the initiator with a file one
    /// byte short and no error, so it is refused with IncompleteTransfer: the object cannot be
    /// transferred whole this way. GetObject, MTP's 64-bit ObjectSize and the 64-bit partial
    /// reads get every byte.
    pub fn open_object_32(
        &mut self,
        handle: ObjectHandle,
        offset: u32,
        len: u32,
    ) -> Result<Box<dyn DataSource>, ResponseCode> {
        let end = u64::from(offset) + u64::from(len);
        if end == u64::from(u32::MAX) && self.object_size(handle)? > end {
            tracing::warn!(
                ?handle,
                "a 32-bit partial read ends at the 4 GiB size sentinel of a larger object; refused"
            );
            return Err(ResponseCode::INCOMPLETE_TRANSFER);
        }
        self.open_object(handle, u64::from(offset), Some(u64::from(len)))
    }

    /// The thumbnail (JPEG) of a memory or card object (GetThumb): for a memory object the
    /// one in its EXIF data, for a card object what the store has or makes.
    /// NoThumbnailPresent when there is none.
    pub fn thumbnail(&mut self, handle: ObjectHandle) -> Result<Bytes, ResponseCode> {
        if let Some(object) = self.state.memory.get(&handle.0) {
            return media::exif_thumbnail(&object.data)
                .map(|thumb| object.data.slice_ref(thumb))
                .ok_or(ResponseCode::NO_THUMBNAIL_PRESENT);
        }
        self.store.thumbnail(handle).map_err(|e| refused(&e))
    }

    /// The live view frame for now, with the settings burned in, paced at the source's rate:
    /// with [`LiveviewPacing::Busy`], asking again before the next frame is due is answered
    /// with the body's "not ready" code instead of the same frame. GetStream and the vendors'
    /// viewfinder operations all come here.
    pub fn liveview_frame(&mut self) -> Result<Frame, ResponseCode> {
        let frame = self.sensor_frame()?;
        if let LiveviewPacing::Busy(code) = self.pacing
            && self.state.last_frame == Some(frame.number)
        {
            return Err(code);
        }
        self.state.last_frame = Some(frame.number);
        Ok(frame)
    }

    /// The frame the sensor shows now, for the body's own use (recording a movie): it is not
    /// an initiator's poll, so it is never paced and does not count as one.
    pub fn sensor_frame(&mut self) -> Result<Frame, ResponseCode> {
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

    /// How live view polls are paced on this camera.
    #[must_use]
    pub const fn liveview_pacing(&self) -> LiveviewPacing {
        self.pacing
    }

    /// Schedules a standard timer action.
    pub(crate) fn schedule(&mut self, after: Duration, timer: Timer) {
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

/// The ObjectInfo of a JPEG held in camera memory, named `name`: EXIF/JPEG format, its size,
/// its pixel size from the SOF marker, the EXIF thumbnail when there is one, `time` as capture
/// and modification date, storage 0 and no parent (the object is on no card). For
/// [`Context::put_memory_object`].
#[must_use]
pub fn jpeg_object_info(name: &str, jpeg: &[u8], time: Option<DateTime>) -> ObjectInfo {
    let thumb = media::exif_thumbnail(jpeg);
    let (width, height) = media::image_size(jpeg).unwrap_or((0, 0));
    let (thumb_width, thumb_height) = thumb.map_or((0, 0), |t| {
        media::image_size(t).unwrap_or((render::THUMB_WIDTH, render::THUMB_HEIGHT))
    });
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
        thumb_pix_width: thumb_width,
        thumb_pix_height: thumb_height,
        image_pix_width: width,
        image_pix_height: height,
        image_bit_depth: 24,
        parent_object: ObjectHandle(0),
        association_type: AssociationType::UNDEFINED,
        association_desc: 0,
        sequence_number: 0,
        filename: PtpString::truncating(name),
        capture_date: time,
        modification_date: time,
        keywords: PtpString::new(),
    }
}

/// The response code of a store error, logged.
fn refused(e: &StoreError) -> ResponseCode {
    tracing::debug!(%e, "store refused");
    e.response_code()
}

/// Seconds since the Unix epoch (0 before it).
pub(crate) fn seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::time::Duration;

    use ptp_types::{Decode, OperationCode as Op};

    use super::*;
    use crate::{
        DataHint, FolderStore, NoVendor, Output, Request, Responder, SyntheticFrames, generic,
    };

    /// Sony's capture pseudo-object (libgphoto2 `camlibs/ptp2/library.c`:
    /// `camera_sony_capture` reads the shot there).
    const SONY_CAPTURE: ObjectHandle = ObjectHandle(0xFFFF_C001);
    /// Fujifilm's USB live view object (`camera_capture_preview`, the Fuji case).
    const FUJI_LIVEVIEW: ObjectHandle = ObjectHandle(0x8000_0001);

    struct Cam {
        r: Responder,
        now: SystemTime,
        tid: u32,
        _dir: tempfile::TempDir,
    }

    impl Cam {
        fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("A.TXT"), b"card object").unwrap();
            let store = FolderStore::open(dir.path(), false).unwrap();
            let mut cam = Self {
                r: Responder::new(
                    generic::generic(),
                    Box::new(NoVendor),
                    Box::new(store),
                    Box::new(SyntheticFrames::new(320, 240, 30)),
                ),
                now: SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
                tid: 0,
                _dir: dir,
            };
            assert_eq!(cam.run(Op::OPEN_SESSION, &[1]).0, ResponseCode::OK);
            cam
        }

        fn run(&mut self, code: Op, params: &[u32]) -> (ResponseCode, Vec<u32>, Vec<u8>) {
            self.tid += 1;
            let request = Request::new(code, self.tid, Params::try_from(params).unwrap());
            self.r
                .handle_request(self.now, request, DataHint::NoDataOut);
            let mut data = Vec::new();
            while let Some(out) = self.r.poll_output() {
                match out {
                    Output::DataStart { .. } => {}
                    Output::Data { bytes, .. } => data.extend_from_slice(&bytes),
                    Output::Response {
                        code,
                        transaction_id,
                        params,
                    } => {
                        assert_eq!(transaction_id, self.tid);
                        return (code, params.to_vec(), data);
                    }
                }
            }
            panic!("no response to {code:?}");
        }

        fn info(&mut self, handle: ObjectHandle) -> ObjectInfo {
            let (code, _, data) = self.run(Op::GET_OBJECT_INFO, &[handle.0]);
            assert_eq!(code, ResponseCode::OK);
            ObjectInfo::decode_exact(&data).unwrap()
        }
    }

    #[test]
    fn captures_into_a_fixed_handle_are_served_by_the_standard_handlers() {
        let mut cam = Cam::new();
        let now = cam.now;
        let first = cam
            .r
            .with_context(now, |cx| cx.capture(CaptureTarget::MemoryAt(SONY_CAPTURE)))
            .unwrap();
        assert_eq!(first.handle, SONY_CAPTURE);
        assert_eq!(first.target, CaptureTarget::MemoryAt(SONY_CAPTURE));
        let second = cam
            .r
            .with_context(now, |cx| cx.capture(CaptureTarget::MemoryAt(SONY_CAPTURE)))
            .unwrap();
        assert_ne!(first.info.filename, second.info.filename);

        // The second shot replaced the first.
        let info = cam.info(SONY_CAPTURE);
        assert_eq!(info, second.info);
        assert_eq!(info.object_format, ObjectFormatCode::EXIF_JPEG);
        assert_eq!((info.image_pix_width, info.image_pix_height), (1600, 1200));
        assert_eq!(u64::from(info.object_compressed_size), second.size);
        let (code, _, jpeg) = cam.run(Op::GET_OBJECT, &[SONY_CAPTURE.0]);
        assert_eq!(code, ResponseCode::OK);
        assert_eq!(jpeg.len() as u64, second.size);
        assert_eq!(media::image_size(&jpeg), Some((1600, 1200)));

        // GetPartialObject: a range, a range cut at the end, the end itself, past the end.
        let (code, params, part) = cam.run(Op::GET_PARTIAL_OBJECT, &[SONY_CAPTURE.0, 10, 100]);
        assert_eq!(
            (code, params, &part[..]),
            (ResponseCode::OK, vec![100], &jpeg[10..110])
        );
        let size = u32::try_from(jpeg.len()).unwrap();
        let (code, params, part) =
            cam.run(Op::GET_PARTIAL_OBJECT, &[SONY_CAPTURE.0, size - 5, 100]);
        assert_eq!(
            (code, params, &part[..]),
            (ResponseCode::OK, vec![5], &jpeg[jpeg.len() - 5..])
        );
        let (code, params, part) = cam.run(Op::GET_PARTIAL_OBJECT, &[SONY_CAPTURE.0, size, 1]);
        assert_eq!((code, params, part.len()), (ResponseCode::OK, vec![0], 0));
        let (code, ..) = cam.run(Op::GET_PARTIAL_OBJECT, &[SONY_CAPTURE.0, size + 1, 1]);
        assert_eq!(code, ResponseCode::INVALID_PARAMETER);

        // The EXIF thumbnail is the GetThumb answer.
        let (code, _, thumb) = cam.run(Op::GET_THUMB, &[SONY_CAPTURE.0]);
        assert_eq!(code, ResponseCode::OK);
        assert_eq!(thumb.len(), info.thumb_compressed_size as usize);
        assert_eq!(media::image_size(&thumb), Some((160, 120)));

        // A fresh memory capture skips the fixed handle and does not disturb it.
        let fresh = cam
            .r
            .with_context(now, |cx| cx.capture(CaptureTarget::Memory))
            .unwrap();
        assert_eq!(fresh.handle, ObjectHandle(FIRST_MEMORY_HANDLE));
        assert_eq!(cam.info(SONY_CAPTURE), second.info);
    }

    #[test]
    fn vendor_memory_objects_can_be_placed_served_and_removed() {
        let mut cam = Cam::new();
        let now = cam.now;
        let frame = cam.r.with_context(now, |cx| {
            let frame = cx.liveview_frame().unwrap().jpeg;
            let info = jpeg_object_info("LIVEVIEW.JPG", &frame, Some(cx.clock()));
            cx.put_memory_object(FUJI_LIVEVIEW, info, frame.clone());
            frame
        });
        let info = cam.info(FUJI_LIVEVIEW);
        assert_eq!(info.filename, "LIVEVIEW.JPG");
        assert_eq!(info.object_format, ObjectFormatCode::EXIF_JPEG);
        assert_eq!((info.image_pix_width, info.image_pix_height), (320, 240));
        assert_eq!(info.object_compressed_size as usize, frame.len());
        let (code, _, data) = cam.run(Op::GET_OBJECT, &[FUJI_LIVEVIEW.0]);
        assert_eq!((code, &data[..]), (ResponseCode::OK, &frame[..]));

        // The object service answers for it and for card objects alike.
        let (size, card) = cam.r.with_context(now, |cx| {
            let size = cx.object_size(FUJI_LIVEVIEW).unwrap();
            let card = cx
                .store
                .object_handles(
                    StorageId::ALL,
                    crate::store::FormatFilter::Any,
                    crate::store::ParentFilter::Any,
                )
                .unwrap()[0];
            let mut source = cx.open_object(card, 2, Some(4)).unwrap();
            assert_eq!(&source.read_chunk(100).unwrap()[..], b"rd o");
            assert_eq!(
                cx.open_object(card, 12, None).err(),
                Some(ResponseCode::INVALID_PARAMETER)
            );
            assert_eq!(
                cx.thumbnail(card).err(),
                Some(ResponseCode::NO_THUMBNAIL_PRESENT)
            );
            (size, card)
        });
        assert_eq!(size, frame.len() as u64);
        assert_eq!(cam.info(card).filename, "A.TXT");

        // A vendor removes it, or the initiator deletes it.
        assert!(
            cam.r
                .with_context(now, |cx| cx.release_memory_object(FUJI_LIVEVIEW))
        );
        let (code, ..) = cam.run(Op::GET_OBJECT_INFO, &[FUJI_LIVEVIEW.0]);
        assert_eq!(code, ResponseCode::INVALID_OBJECT_HANDLE);
        cam.r.with_context(now, |cx| {
            cx.put_memory_object(
                FUJI_LIVEVIEW,
                jpeg_object_info("X.JPG", &frame, None),
                frame.clone(),
            );
        });
        assert_eq!(
            cam.run(Op::DELETE_OBJECT, &[FUJI_LIVEVIEW.0]).0,
            ResponseCode::OK
        );
        let (code, ..) = cam.run(Op::GET_OBJECT, &[FUJI_LIVEVIEW.0]);
        assert_eq!(code, ResponseCode::INVALID_OBJECT_HANDLE);
    }
}
