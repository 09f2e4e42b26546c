//! Sony helpers (feature `sony`): the SDIO handshake, the property descriptors, settings and
//! buttons, and live view frames taken out of the 0xFFFFC002 object by the offset and size in
//! its header. Codes and wire formats come from `vcam-sony` (without its camera half).
//!
//! The sequence is the one Sony's clients use on a body in PC Remote mode (libgphoto2
//! `camlibs/ptp2/library.c`: `fixup_cached_deviceinfo`, `camera_capture_preview`; see vcam's
//! `docs/reference/vendors-wifi-sony-fuji.md` §5.3 and §5.6).

use std::ops::Range;

use ptp_codec::{Decode, DevicePropCode, Encode};
use ptp_types::{ObjectHandle, OperationCode, PropValue, ResponseCode};
use vcam_sony::codes::{CAPTURE_OBJECT, LIVEVIEW_OBJECT, SDIO_VERSION_200, op};
use vcam_sony::records::{ExtDeviceInfo, ExtPropList, LiveViewFrame};

use crate::{Client, Error, Transport};

/// JPEG Start Of Image.
const SOI: [u8; 2] = [0xFF, 0xD8];
/// JPEG End Of Image.
const EOI: [u8; 2] = [0xFF, 0xD9];

/// What one request for a live view frame gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveViewPoll {
    /// A frame: the JPEG is `buf[range]` of the buffer given to
    /// [`SonyCamera::liveview_frame`], checked to start `FF D8` and end `FF D9`.
    Frame(Range<usize>),
    /// Live view is not ready yet (0x2009, InvalidObjectHandle): ask again a little later.
    NotReady,
    /// No new frame since the last one (0x200F, AccessDenied): the body's frame rate is
    /// lower than the rate of requests.
    NoNewFrame,
}

/// A Sony body in PC Remote mode behind any [`Transport`]. Its session is closed when it is
/// dropped.
#[derive(Debug)]
pub struct SonyCamera<T: Transport> {
    client: Client<T>,
    version: u16,
}

impl<T: Transport> Drop for SonyCamera<T> {
    fn drop(&mut self) {
        let _ = self.client.close_session();
    }
}

fn check(op: &'static str, code: ResponseCode, params: Vec<u32>) -> Result<(), Error> {
    if code == ResponseCode::OK {
        Ok(())
    } else {
        Err(Error::Response {
            operation: op,
            code,
            params,
        })
    }
}

impl<T: Transport> SonyCamera<T> {
    /// Opens a session and runs the SDIO handshake: 0x9201 phases 1 and 2, 0x9202 asking for
    /// version 2.00, 0x9201 phase 3. Returns the camera and what 0x9202 answered.
    ///
    /// # Errors
    /// Transport errors, or a body that refuses a step.
    pub fn connect(transport: T) -> Result<(Self, ExtDeviceInfo), Error> {
        let mut client = Client::new(transport);
        client.open_session(1)?;
        for phase in [1, 2] {
            let r = client.transaction(op::SDIO_CONNECT, &[phase, 0, 0], None)?;
            check("SDIO_Connect", r.code, r.params)?;
        }
        let r = client.transaction(
            op::GET_EXT_DEVICE_INFO,
            &[u32::from(SDIO_VERSION_200)],
            None,
        )?;
        check("SDIO_GetExtDeviceInfo", r.code, r.params)?;
        let info = ExtDeviceInfo::decode_exact(&r.data)?;
        let r = client.transaction(op::SDIO_CONNECT, &[3, 0, 0], None)?;
        check("SDIO_Connect", r.code, r.params)?;
        Ok((
            Self {
                client,
                version: info.version,
            },
            info,
        ))
    }

    /// The SDIO version the body answered.
    #[must_use]
    pub const fn version(&self) -> u16 {
        self.version
    }

    /// The PTP client, for other operations.
    pub const fn client(&mut self) -> &mut Client<T> {
        &mut self.client
    }

    /// Every property descriptor (0x9209).
    ///
    /// # Errors
    /// Transport errors, a refusal, or a malformed answer.
    pub fn properties(&mut self) -> Result<ExtPropList, Error> {
        let r = self
            .client
            .transaction(op::GET_ALL_EXT_DEVICE_PROP_INFO, &[], None)?;
        check("SDIO_GetAllExtDevicePropInfo", r.code, r.params)?;
        Ok(ExtPropList::decode_exact(&r.data)?)
    }

    /// Sets a property to an absolute value (0x9205).
    ///
    /// # Errors
    /// Transport errors or a refusal (InvalidDevicePropValue for a value the body does not
    /// have).
    pub fn set_value(&mut self, code: DevicePropCode, value: &PropValue) -> Result<(), Error> {
        let r = self.client.transaction(
            op::SET_EXT_DEVICE_PROP_VALUE,
            &[u32::from(code.0)],
            Some(&value.to_bytes()),
        )?;
        check("SDIO_SetExtDevicePropValue", r.code, r.params)
    }

    /// Moves a setting `steps` positions along its dial (0x9207 with a signed byte).
    ///
    /// # Errors
    /// Transport errors or a refusal.
    pub fn step(&mut self, code: DevicePropCode, steps: i8) -> Result<(), Error> {
        let r = self.client.transaction(
            op::CONTROL_DEVICE,
            &[u32::from(code.0)],
            Some(&steps.to_le_bytes()),
        )?;
        check("SDIO_ControlDevice", r.code, r.params)
    }

    /// Presses (`true`) or releases a button (0x9207 with 2 or 1 as UINT16).
    ///
    /// # Errors
    /// Transport errors or a refusal.
    pub fn button(&mut self, code: DevicePropCode, down: bool) -> Result<(), Error> {
        let value: u16 = if down { 2 } else { 1 };
        let r = self.client.transaction(
            op::CONTROL_DEVICE,
            &[u32::from(code.0)],
            Some(&value.to_le_bytes()),
        )?;
        check("SDIO_ControlDevice", r.code, r.params)
    }

    /// The picture waiting at 0xFFFFC001 (GetObject).
    ///
    /// # Errors
    /// Transport errors or a refusal (InvalidObjectHandle when none waits).
    pub fn captured_picture(&mut self) -> Result<Vec<u8>, Error> {
        self.client.get_object(ObjectHandle(CAPTURE_OBJECT.0))
    }

    /// Asks for one live view frame: GetObject of 0xFFFFC002 into `buf` (cleared first and
    /// reused, so that a stream of frames allocates nothing once the buffer has grown), then
    /// the JPEG found by the offset and size in the object's header. A JPEG that does not
    /// start `FF D8` or end `FF D9` (a frame cut short) is an error, never a frame.
    ///
    /// # Errors
    /// Transport errors, a refusal other than not ready / no new frame, or a malformed or
    /// incomplete frame.
    pub fn liveview_frame(&mut self, buf: &mut Vec<u8>) -> Result<LiveViewPoll, Error> {
        buf.clear();
        let (r, _) = self
            .client
            .get_into(OperationCode::GET_OBJECT, &[LIVEVIEW_OBJECT.0], buf)?;
        match r.code {
            ResponseCode::OK => {}
            ResponseCode::INVALID_OBJECT_HANDLE => return Ok(LiveViewPoll::NotReady),
            ResponseCode::ACCESS_DENIED => return Ok(LiveViewPoll::NoNewFrame),
            code => return check("GetObject", code, r.params).map(|()| LiveViewPoll::NotReady),
        }
        let frame = LiveViewFrame::parse(buf)?;
        let start = frame.header.image_offset as usize;
        let range = start..start + frame.jpeg.len();
        if !frame.jpeg.starts_with(&SOI) || !frame.jpeg.ends_with(&EOI) {
            return Err(Error::Protocol(format!(
                "a live view frame of {} bytes that does not run from FF D8 to FF D9",
                frame.jpeg.len()
            )));
        }
        Ok(LiveViewPoll::Frame(range))
    }
}
