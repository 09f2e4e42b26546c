//! A libusb-1.0 drop-in: a shared library exporting the libusb-1.0 C ABI whose devices are
//! vcam's virtual cameras. `LD_PRELOAD=libvcam_libusb.so gphoto2 --auto-detect` (or a copy
//! named `libusb-1.0.so.0` on `LD_LIBRARY_PATH`) makes unmodified programs see USB cameras, with
//! no kernel support and no root.
//!
//! Configuration, read once per process: `VCAM_MODELS` (comma-separated model names, default
//! the generic camera; two names give two devices), `VCAM_FS` (the folder served as the card,
//! default a built-in sample card), the other options of [`vcam_models::env`] (read-only, live
//! view size, rate and source), `VCAM_SHIM_LOG` (a tracing filter, logs on stderr) and
//! `VCAM_RECORD` (a file to record every transfer in, as pcapng of Linux usbmon records that
//! `tshark -r FILE -Y usb` and Wireshark's USB dissector decode).
//!
//! Every libusb function that libgphoto2's `usb1` iolib and libmtp import is exported (34
//! symbols; libgphoto2 builds its iolib with BIND_NOW, so a single missing one makes it
//! silently find no camera), plus the rest of the commonly used API. Functions without meaning
//! here (hotplug, pollfds, bulk streams, ...) answer `LIBUSB_ERROR_NOT_SUPPORTED`. The
//! asynchronous transfer machinery is real: transfers stay pending until the device has data,
//! callbacks run from `libusb_handle_events*` on the caller's thread, timeouts and cancellation
//! work, and a callback may resubmit its transfer with a new buffer. A transfer on an endpoint
//! the camera does not have fails at submission with `LIBUSB_ERROR_IO`, as libusb on Linux
//! reports usbfs's ENOENT.
//!
//! Every export runs behind a panic boundary (`catch_unwind`) by construction: all are defined
//! through one macro that wraps the body, so a bug answers `LIBUSB_ERROR_OTHER` (or NULL)
//! instead of unwinding into C. This is the only crate of the workspace with `unsafe` code.
//!
//! # Safety
//!
//! Every exported function is `unsafe` with the same contract: the libusb-1.0 contract of that
//! function, as libusb 1.0.26's `libusb.h` documents it. Within it, each `unsafe` block says
//! why it is sound; devices and handles are checked against the live ones before use.
//!
//! Struct layouts and behaviour follow libusb 1.0.26's `libusb.h` and its documentation;
//! the call sequences clients use are in libgphoto2's `libgphoto2_port/libusb1/libusb1.c` and
//! libmtp's `src/libusb1-glue.c`.

pub mod abi;
mod exports;
pub mod runtime;

pub use exports::*;
