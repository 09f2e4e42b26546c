//! Where frames come from: one live view protocol per maker, behind [`LiveViewSource`].
//!
//! Sony bodies in PC Remote mode are implemented (the SDIO handshake, then GetObject of
//! 0xFFFFC002). Canon EOS (GetViewFinderData 0x9153 after the EVF output is set to the host)
//! and Fujifilm (GetObject of 0x80000001) slot in as two more implementations chosen from
//! DeviceInfo in [`open`].

use anyhow::{Context, bail};
use ptp_initiator::sony::{LiveViewPoll, SonyCamera};
use ptp_initiator::{Client, UsbTransport};
use ptp_types::DeviceInfo;

/// What one request for a frame gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Poll {
    /// A complete JPEG at `buf[range]`.
    Frame(std::ops::Range<usize>),
    /// Live view is starting; ask again soon.
    NotReady,
    /// No new frame since the last one; ask again after a short wait.
    NoNewFrame,
}

/// A camera's live view.
pub(crate) trait LiveViewSource {
    /// The protocol, for messages.
    fn name(&self) -> &'static str;

    /// Asks for the next frame, into `buf` (reused between calls).
    fn next(&mut self, buf: &mut Vec<u8>) -> anyhow::Result<Poll>;
}

/// Sony PC Remote live view.
struct Sony(SonyCamera<UsbTransport>);

impl LiveViewSource for Sony {
    fn name(&self) -> &'static str {
        "Sony PC Remote (0xFFFFC002)"
    }

    fn next(&mut self, buf: &mut Vec<u8>) -> anyhow::Result<Poll> {
        Ok(match self.0.liveview_frame(buf)? {
            LiveViewPoll::Frame(range) => Poll::Frame(range),
            LiveViewPoll::NotReady => Poll::NotReady,
            LiveViewPoll::NoNewFrame => Poll::NoNewFrame,
        })
    }
}

/// VendorExtensionIDs (libgphoto2 `camlibs/ptp2/ptp.h`: `PTP_VENDOR_*`).
const VENDOR_MICROSOFT: u32 = 6;
const VENDOR_SONY: u32 = 0x11;
const VENDOR_MTP: u32 = 0xFFFF_FFFF;

/// Reads DeviceInfo and opens the live view protocol of the camera's maker, decided as
/// libgphoto2 decides it (`camlibs/ptp2/library.c`: `fixup_cached_deviceinfo`).
pub(crate) fn open(mut transport: UsbTransport) -> anyhow::Result<Box<dyn LiveViewSource>> {
    // A session left open by a program that died would refuse ours: close it the way the
    // Still Image class provides.
    transport.reset_device().context("USB Device Reset")?;
    let mut client = Client::new(transport);
    let info: DeviceInfo = client.get_device_info().context("GetDeviceInfo")?;
    let maker = info.manufacturer.to_string();
    tracing::info!(%maker, model = %info.model, vendor = info.vendor_extension_id, "camera");
    let sony = info.vendor_extension_id == VENDOR_SONY
        || (info.vendor_extension_id == VENDOR_MTP && maker == "Sony Corporation");
    if sony {
        let (camera, ext) =
            SonyCamera::connect(client.into_transport()).context("the Sony SDIO handshake")?;
        tracing::info!(version = ext.version, "Sony SDIO connected");
        return Ok(Box::new(Sony(camera)));
    }
    match info.vendor_extension_id {
        VENDOR_MICROSOFT if maker.contains("Canon") => bail!(
            "{maker} {}: Canon EOS live view (GetViewFinderData 0x9153) is not implemented yet",
            info.model
        ),
        _ if maker.to_ascii_uppercase().contains("FUJIFILM") => bail!(
            "{maker} {}: Fujifilm live view (object 0x80000001) is not implemented yet",
            info.model
        ),
        id => bail!(
            "{maker} {} (VendorExtensionID {id:#x}): no live view protocol known for this camera",
            info.model
        ),
    }
}
