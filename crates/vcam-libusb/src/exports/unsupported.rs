//! What a virtual bus has no use for: hotplug, bulk streams, device memory, wrapping a system
//! device. These answer `LIBUSB_ERROR_NOT_SUPPORTED` (or NULL, or nothing).

use std::ffi::{c_int, c_uchar, c_void};
use std::ptr;

use crate::abi::{error, libusb_context, libusb_device_handle};

export! {
    /// `int libusb_hotplug_register_callback(...)`: hotplug is not supported.
    fn libusb_hotplug_register_callback(
        _ctx: *mut libusb_context,
        _events: c_int,
        _flags: c_int,
        _vendor_id: c_int,
        _product_id: c_int,
        _dev_class: c_int,
        _cb_fn: *const c_void,
        _user_data: *mut c_void,
        _callback_handle: *mut c_int,
    ) -> c_int {
        error::NOT_SUPPORTED
    }

    /// `void libusb_hotplug_deregister_callback(libusb_context *ctx, libusb_hotplug_callback_handle)`.
    fn libusb_hotplug_deregister_callback(_ctx: *mut libusb_context, _handle: c_int) {}

    /// `void *libusb_hotplug_get_user_data(libusb_context *, libusb_hotplug_callback_handle)`.
    fn libusb_hotplug_get_user_data(_ctx: *mut libusb_context, _handle: c_int) -> *mut c_void {
        ptr::null_mut()
    }

    /// `int libusb_wrap_sys_device(libusb_context *, intptr_t sys_dev, libusb_device_handle **)`:
    /// there is no system device to wrap.
    fn libusb_wrap_sys_device(
        _ctx: *mut libusb_context,
        _sys_dev: isize,
        _handle: *mut *mut libusb_device_handle,
    ) -> c_int {
        error::NOT_SUPPORTED
    }

    /// `int libusb_alloc_streams(libusb_device_handle *, uint32_t, unsigned char *, int)`.
    fn libusb_alloc_streams(
        _handle: *mut libusb_device_handle,
        _num_streams: u32,
        _endpoints: *mut c_uchar,
        _num_endpoints: c_int,
    ) -> c_int {
        error::NOT_SUPPORTED
    }

    /// `int libusb_free_streams(libusb_device_handle *, unsigned char *, int)`.
    fn libusb_free_streams(
        _handle: *mut libusb_device_handle,
        _endpoints: *mut c_uchar,
        _num_endpoints: c_int,
    ) -> c_int {
        error::NOT_SUPPORTED
    }

    /// `unsigned char *libusb_dev_mem_alloc(libusb_device_handle *, size_t)`.
    fn libusb_dev_mem_alloc(_handle: *mut libusb_device_handle, _length: usize) -> *mut c_uchar {
        ptr::null_mut()
    }

    /// `int libusb_dev_mem_free(libusb_device_handle *, unsigned char *, size_t)`.
    fn libusb_dev_mem_free(
        _handle: *mut libusb_device_handle,
        _buffer: *mut c_uchar,
        _length: usize,
    ) -> c_int {
        error::NOT_SUPPORTED
    }
}
