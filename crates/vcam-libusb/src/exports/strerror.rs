//! strerror.c and the version: error names, messages and the library version.

use std::ffi::{CStr, c_char, c_int};

use crate::abi::{error, libusb_version, status};

export! {
    /// `const struct libusb_version *libusb_get_version(void)`: claims libusb 1.0.26.
    fn libusb_get_version() -> *const libusb_version {
        &raw const VERSION.0
    }

    /// `const char *libusb_error_name(int error_code)` (also names transfer statuses, as libusb does).
    fn libusb_error_name(code: c_int) -> *const c_char {
        if code > 0
            && let Some(name) = status_name(code)
        {
            return name.as_ptr();
        }
        if code == 0 {
            return c"LIBUSB_SUCCESS / LIBUSB_TRANSFER_COMPLETED".as_ptr();
        }
        match code {
            error::IO
            | error::INVALID_PARAM
            | error::ACCESS
            | error::NO_DEVICE
            | error::NOT_FOUND
            | error::BUSY
            | error::TIMEOUT
            | error::OVERFLOW
            | error::PIPE
            | error::INTERRUPTED
            | error::NO_MEM
            | error::NOT_SUPPORTED
            | error::OTHER => error_text(code).0.as_ptr(),
            _ => c"**UNKNOWN**".as_ptr(),
        }
    }

    /// `const char *libusb_strerror(int errcode)`.
    fn libusb_strerror(code: c_int) -> *const c_char {
        error_text(code).1.as_ptr()
    }

    /// `int libusb_setlocale(const char *locale)`: messages are English.
    fn libusb_setlocale(_locale: *const c_char) -> c_int {
        error::SUCCESS
    }
}

struct Version(libusb_version);
// SAFETY: the pointers in it refer to immutable static C strings.
unsafe impl Sync for Version {}

static VERSION: Version = Version(libusb_version {
    major: 1,
    minor: 0,
    micro: 26,
    nano: 11791,
    rc: c"".as_ptr(),
    describe: c"vcam-libusb (virtual cameras)".as_ptr(),
});

fn error_text(code: c_int) -> (&'static CStr, &'static CStr) {
    match code {
        error::SUCCESS => (c"LIBUSB_SUCCESS", c"Success"),
        error::IO => (c"LIBUSB_ERROR_IO", c"Input/Output Error"),
        error::INVALID_PARAM => (c"LIBUSB_ERROR_INVALID_PARAM", c"Invalid parameter"),
        error::ACCESS => (
            c"LIBUSB_ERROR_ACCESS",
            c"Access denied (insufficient permissions)",
        ),
        error::NO_DEVICE => (
            c"LIBUSB_ERROR_NO_DEVICE",
            c"No such device (it may have been disconnected)",
        ),
        error::NOT_FOUND => (c"LIBUSB_ERROR_NOT_FOUND", c"Entity not found"),
        error::BUSY => (c"LIBUSB_ERROR_BUSY", c"Resource busy"),
        error::TIMEOUT => (c"LIBUSB_ERROR_TIMEOUT", c"Operation timed out"),
        error::OVERFLOW => (c"LIBUSB_ERROR_OVERFLOW", c"Overflow"),
        error::PIPE => (c"LIBUSB_ERROR_PIPE", c"Pipe error"),
        error::INTERRUPTED => (
            c"LIBUSB_ERROR_INTERRUPTED",
            c"System call interrupted (perhaps due to signal)",
        ),
        error::NO_MEM => (c"LIBUSB_ERROR_NO_MEM", c"Insufficient memory"),
        error::NOT_SUPPORTED => (
            c"LIBUSB_ERROR_NOT_SUPPORTED",
            c"Operation not supported or unimplemented on this platform",
        ),
        _ => (c"LIBUSB_ERROR_OTHER", c"Other error"),
    }
}

fn status_name(code: c_int) -> Option<&'static CStr> {
    Some(match code {
        status::COMPLETED => c"LIBUSB_TRANSFER_COMPLETED",
        status::ERROR => c"LIBUSB_TRANSFER_ERROR",
        status::TIMED_OUT => c"LIBUSB_TRANSFER_TIMED_OUT",
        status::CANCELLED => c"LIBUSB_TRANSFER_CANCELLED",
        status::STALL => c"LIBUSB_TRANSFER_STALL",
        status::NO_DEVICE => c"LIBUSB_TRANSFER_NO_DEVICE",
        status::OVERFLOW => c"LIBUSB_TRANSFER_OVERFLOW",
        _ => return None,
    })
}
