//! Fujifilm's WiFi protocol for vcam: libgphoto2's "Fuji X (WLAN)" (`camlibs/ptp2/fujiptpip.c`)
//! and Fujifilm's own apps connect to a [`Responder`](vcam_core::Responder) as to a real body
//! (docs/reference/vendors-wifi-sony-fuji.md §2, §3).
//!
//! - Three TCP ports: commands (55740), events (55741), live view (55742); one base port
//!   chooses all three ([`FujiWifiConfig::listen`]).
//! - The command connection opens with the fixed 82-byte Init Command Request (magic
//!   0x8F53E4F2, the client's GUID and name); every one is answered with the 68-byte ack
//!   (libgphoto2 sends it twice), a wrong magic with Init Fail 0x201D, another length with a
//!   closed connection ([`init`]). Pairing: [`vcam_core::pairing`], names checked; a body busy
//!   with another client, or paired with another one, answers Init Fail 0x2019.
//! - Then USB containers over TCP, framed by [`vcam_usb::ContainerLink`] with
//!   [`LinkConfig::FUJI_WIFI`](vcam_usb::LinkConfig::FUJI_WIFI): each data-in phase one
//!   container, an empty data container before the error response of a data-in operation, the
//!   goodbye packet `08 00 00 00 ff ff ff ff` closing the session cleanly.
//! - The event and live view ports listen from InitiateOpenCapture on, before its response
//!   goes out, and take their connections in any order; until then they refuse connections.
//!   Events go out as USB event containers; live view frames stream continuously
//!   at the camera's frame rate as `u32 length | 14-byte header | JPEG`, every frame whole; a
//!   reader that falls behind gets fewer frames, not more memory held for it.
//! - PC AutoSave discovery and registration, off unless asked for ([`autosave`]).
//!
//! Clients are served one after another; the camera (storage, properties, counters) lives on
//! between them, the session does not. A malformed packet or a peer that vanishes ends its own
//! connection, with the reason logged, and nothing else.

pub mod autosave;
pub mod init;
mod liveview;
mod server;

pub use server::{
    BUSY_WAIT, COMMAND_PORT, ConnectionError, FujiWifiConfig, FujiWifiServer, INIT_TIMEOUT, Ports,
};
