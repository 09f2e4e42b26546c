//! sync.c: synchronous control, bulk and interrupt transfers.

use std::ffi::{c_int, c_uchar, c_uint};
use std::ptr;
use std::time::{Duration, Instant};

use vcam_usb::{ControlReply, InStatus, OutStatus, SetupPacket};

use super::handle_of;
use crate::abi::{error, libusb_device_handle};
use crate::runtime::shim;

export! {
    /// `int libusb_control_transfer(libusb_device_handle *, uint8_t bmRequestType, uint8_t bRequest,
    /// uint16_t wValue, uint16_t wIndex, unsigned char *data, uint16_t wLength, unsigned int timeout)`.
    #[allow(clippy::too_many_arguments)]
    fn libusb_control_transfer(
        handle: *mut libusb_device_handle,
        request_type: u8,
        request: u8,
        value: u16,
        index: u16,
        data: *mut c_uchar,
        length: u16,
        _timeout: c_uint,
    ) -> c_int {
        let Some(h) = handle_of(handle) else {
            return error::NO_DEVICE;
        };
        if length > 0 && data.is_null() {
            return error::INVALID_PARAM;
        }
        let setup = SetupPacket {
            request_type,
            request,
            value,
            index,
            length,
        };
        let out: &[u8] = if setup.is_in() || length == 0 {
            &[]
        } else {
            // SAFETY: for OUT requests `data` holds `length` readable bytes.
            unsafe { std::slice::from_raw_parts(data, usize::from(length)) }
        };
        let shim = shim();
        let reply = shim.lock().control(h.device.index, setup, out);
        shim.notify();
        tracing::debug!(?setup, ?reply, "libusb_control_transfer");
        match reply {
            Some(ControlReply::Ok(bytes)) => {
                if setup.is_in() {
                    let n = bytes.len().min(usize::from(length));
                    // SAFETY: `data` has `length` writable bytes and n ≤ length.
                    unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), data, n) };
                    c_int::try_from(n).unwrap_or(0)
                } else {
                    c_int::from(length)
                }
            }
            Some(ControlReply::Stall) => error::PIPE,
            None => error::NO_DEVICE,
        }
    }

    /// `int libusb_bulk_transfer(libusb_device_handle *, unsigned char endpoint, unsigned char *data,
    /// int length, int *transferred, unsigned int timeout)`. An IN transfer returns at most the rest
    /// of the current container (a device ends a transfer with a short packet) and waits, up to
    /// `timeout` ms (0: forever), while the device has nothing to send.
    fn libusb_bulk_transfer(
        handle: *mut libusb_device_handle,
        endpoint: c_uchar,
        data: *mut c_uchar,
        length: c_int,
        transferred: *mut c_int,
        timeout: c_uint,
    ) -> c_int {
        // SAFETY: pointer contract forwarded from the caller.
        unsafe { sync_transfer(handle, endpoint, data, length, transferred, timeout) }
    }

    /// `int libusb_interrupt_transfer(...)`: as `libusb_bulk_transfer`, on the interrupt endpoint.
    fn libusb_interrupt_transfer(
        handle: *mut libusb_device_handle,
        endpoint: c_uchar,
        data: *mut c_uchar,
        length: c_int,
        transferred: *mut c_int,
        timeout: c_uint,
    ) -> c_int {
        // SAFETY: pointer contract forwarded from the caller.
        unsafe { sync_transfer(handle, endpoint, data, length, transferred, timeout) }
    }
}

/// The synchronous bulk and interrupt path shared by `libusb_bulk_transfer` and
/// `libusb_interrupt_transfer`.
unsafe fn sync_transfer(
    handle: *mut libusb_device_handle,
    endpoint: c_uchar,
    data: *mut c_uchar,
    length: c_int,
    transferred: *mut c_int,
    timeout: c_uint,
) -> c_int {
    let Some(h) = handle_of(handle) else {
        return error::NO_DEVICE;
    };
    let Ok(len) = usize::try_from(length) else {
        return error::INVALID_PARAM;
    };
    if len > 0 && data.is_null() {
        return error::INVALID_PARAM;
    }
    let set_transferred = |n: usize| {
        if !transferred.is_null() {
            // SAFETY: `transferred` is a valid out pointer when not NULL.
            unsafe { *transferred = c_int::try_from(n).unwrap_or(c_int::MAX) };
        }
    };
    set_transferred(0);
    let shim = shim();
    let device = h.device.index;
    match shim.lock().has_endpoint(device, endpoint) {
        None => return error::NO_DEVICE,
        // usbfs refuses the URB with ENOENT; libusb reports it as an I/O error.
        Some(false) => return error::IO,
        Some(true) => {}
    }
    if endpoint & 0x80 == 0 {
        let bytes: &[u8] = if len == 0 {
            &[]
        } else {
            // SAFETY: for OUT transfers `data` holds `length` readable bytes.
            unsafe { std::slice::from_raw_parts(data, len) }
        };
        let status = shim.lock().transfer_out(device, endpoint, bytes);
        shim.notify();
        return match status {
            Some(OutStatus::Accepted) => {
                set_transferred(len);
                error::SUCCESS
            }
            Some(OutStatus::Stall) => error::PIPE,
            Some(OutStatus::NoEndpoint) => error::IO,
            None => error::NO_DEVICE,
        };
    }
    let deadline =
        (timeout > 0).then(|| Instant::now() + Duration::from_millis(u64::from(timeout)));
    let mut st = shim.lock();
    loop {
        st.drive();
        match st.transfer_in(device, endpoint, len) {
            Some(InStatus::Data(bytes)) => {
                let n = bytes.len().min(len);
                // SAFETY: `data` has `length` writable bytes and n ≤ length.
                unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), data, n) };
                drop(st);
                shim.notify();
                set_transferred(n);
                return error::SUCCESS;
            }
            Some(InStatus::Stall) => return error::PIPE,
            Some(InStatus::NoEndpoint) => return error::IO,
            None => return error::NO_DEVICE,
            Some(InStatus::Pending) => {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return error::TIMEOUT;
                }
                st = shim.wait(st, deadline);
            }
        }
    }
}
