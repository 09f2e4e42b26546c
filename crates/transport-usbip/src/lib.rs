//! USB/IP, device side: vcam's USB camera ([`vcam_usb::UsbCamera`]) exported to a Linux host.
//!
//! Two ways in:
//!
//! - [`UsbIpServer`]: a TCP server speaking the USB/IP protocol (Linux
//!   `Documentation/usb/usbip_protocol.rst`): `usbip list -r HOST` lists the camera,
//!   `usbip attach -r HOST -b 1-1` imports it into the host's `vhci_hcd`.
//! - [`vhci::attach`]: direct attach to the local `vhci_hcd` through sysfs: a free port of the
//!   right speed is chosen from the `status` files and the kernel is handed one end of a
//!   socket pair; [`vhci::Attachment`] detaches on drop.
//!
//! Either way the URB traffic is served by [`serve_urbs`], which owns the URB queue: IN URBs
//! with nothing to return stay pending until the device has data (responses, events), an
//! UNLINK really cancels a pending URB (RET_UNLINK with `-ECONNRESET`, and no RET_SUBMIT for
//! it), a URB for an endpoint the camera does not have gets `-ENOENT` (what `usb_submit_urb`
//! answers), and malformed traffic ends that connection with a logged reason, never the process.
//!
//! The wire codec is this crate's own [`proto`] module: the `usbip` crate's server answers each
//! URB before reading the next, which cannot keep IN URBs pending, and its types do not add
//! much over the 48-byte headers (see docs/ARCHITECTURE.md).

pub mod proto;
mod server;
pub mod vhci;

pub use server::{Device, UsbIpServer, device_record, serve_urbs};

/// What can go wrong serving USB/IP.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A socket or sysfs operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The peer sent something malformed.
    #[error("malformed USB/IP traffic: {0}")]
    Protocol(#[from] proto::ProtoError),
    /// `vhci_hcd` is not loaded.
    #[error("the vhci_hcd driver is not loaded ({path} is missing): run `sudo modprobe vhci-hcd`")]
    VhciMissing {
        /// The sysfs path looked for.
        path: String,
    },
    /// No free VHCI port of the needed speed.
    #[error(
        "no free {speed} port on vhci_hcd (all in use); detach a device or load more controllers"
    )]
    NoFreePort {
        /// "high-speed" or "super-speed".
        speed: &'static str,
    },
    /// Writing to sysfs was refused.
    #[error("permission denied writing {path}: attaching to vhci_hcd needs root (run with sudo)")]
    PermissionDenied {
        /// The sysfs file.
        path: String,
    },
}

impl Error {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}
