//! Sony wire formats, in both directions ([`Decode`](ptp_codec::Decode) and
//! [`Encode`](ptp_codec::Encode)), so that client tools parse what a body sends as well as
//! vcam sends it:
//!
//! - the 0x9209 answer, [`ExtPropList`]: a `u64` count and Sony property descriptors
//!   ([`ExtPropDesc`]), the standard DevicePropDesc with a second flag byte (libgphoto2
//!   `camlibs/ptp2/ptp-pack.c`: `ptp_unpack_Sony_DPD`; a real ILCE-6000's answer is dumped in
//!   `camlibs/ptp2/cameras/sony-a6000.txt`);
//! - the 0x9202 answer, [`ExtDeviceInfo`]: the SDIO version and two code lists
//!   (`ptp.c`: `ptp_sony_get_vendorpropcodes`);
//! - the live view object 0xFFFFC002, [`LiveViewHeader`] and [`LiveViewFrame`]: a header
//!   giving the offset and size of a JPEG that follows it (`library.c`:
//!   `camera_capture_preview`).
//!
//! The facts and their sources are gathered in `docs/reference/vendors-wifi-sony-fuji.md` §5
//! and `docs/reference/client-expectations.md` §5. No decoder panics on any input.

mod ext_info;
mod liveview;
mod prop_desc;

pub use ext_info::ExtDeviceInfo;
pub use liveview::{LIVEVIEW_HEADER_LEN, LiveViewFrame, LiveViewHeader};
pub use prop_desc::{ExtGetSet, ExtPropDesc, ExtPropList, IsEnabled};
