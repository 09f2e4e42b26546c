//! core.c: contexts, the device list, device properties, open and close, configurations,
//! interfaces, halts, resets, kernel drivers and capabilities.

use std::collections::HashSet;
use std::ffi::{c_int, c_uchar, c_void};
use std::ptr;

use vcam_usb::{ControlReply, SetupPacket};

use super::descriptor::endpoint_max_packet;
use super::{Handle, LibusbContext, device_of, device_ptr, handle_of, handles};
use crate::abi::{error, libusb_context, libusb_device, libusb_device_handle};
use crate::runtime::shim;

export! {
    /// `int libusb_init(libusb_context **ctx)`.
    fn libusb_init(ctx: *mut *mut libusb_context) -> c_int {
        let _ = shim();
        tracing::debug!("libusb_init");
        if !ctx.is_null() {
            let boxed = Box::into_raw(Box::new(LibusbContext { _id: 1 }));
            // SAFETY: the caller passes a valid `libusb_context **` (or NULL, handled above).
            unsafe { *ctx = boxed.cast() };
        }
        error::SUCCESS
    }

    /// `int libusb_init_context(libusb_context **ctx, const struct libusb_init_option[], int)`.
    fn libusb_init_context(
        ctx: *mut *mut libusb_context,
        _options: *const c_void,
        _num_options: c_int,
    ) -> c_int {
        // SAFETY: same contract as libusb_init.
        unsafe { libusb_init(ctx) }
    }

    /// `void libusb_exit(libusb_context *ctx)`.
    fn libusb_exit(ctx: *mut libusb_context) {
        tracing::debug!("libusb_exit");
        if ctx.is_null() {
            return;
        }
        // SAFETY: a non-NULL context comes from `Box::into_raw` in `libusb_init`.
        drop(unsafe { Box::from_raw(ctx.cast::<LibusbContext>()) });
    }

    /// `int libusb_set_option(libusb_context *ctx, enum libusb_option option, ...)`. Options
    /// (log level, Windows backends, no device discovery) change nothing here. Declared without
    /// the variadic tail: on the supported ABIs the fixed arguments are passed identically.
    fn libusb_set_option(_ctx: *mut libusb_context, option: c_int) -> c_int {
        tracing::debug!(option, "libusb_set_option");
        error::SUCCESS
    }

    /// `void libusb_set_debug(libusb_context *ctx, int level)`.
    fn libusb_set_debug(_ctx: *mut libusb_context, _level: c_int) {}

    /// `void libusb_set_log_cb(libusb_context *, libusb_log_cb, int mode)`.
    fn libusb_set_log_cb(_ctx: *mut libusb_context, _cb: *const c_void, _mode: c_int) {}

    /// `ssize_t libusb_get_device_list(libusb_context *ctx, libusb_device ***list)`: a
    /// NULL-terminated array of the virtual devices.
    fn libusb_get_device_list(
        _ctx: *mut libusb_context,
        list: *mut *mut *mut libusb_device,
    ) -> isize {
        if list.is_null() {
            return error::INVALID_PARAM as isize;
        }
        let shim = shim();
        let devices: Vec<_> = {
            let mut st = shim.lock();
            st.drive();
            // An unplugged camera is not on the bus.
            shim.devices
                .iter()
                .filter(|d| st.plugged(d.index))
                .collect()
        };
        let mut v: Vec<*mut libusb_device> = devices.iter().map(|d| device_ptr(d)).collect();
        v.push(ptr::null_mut());
        let boxed: Box<[*mut libusb_device]> = v.into_boxed_slice();
        let raw = Box::into_raw(boxed).cast::<*mut libusb_device>();
        // SAFETY: `list` is a valid out pointer per the libusb contract.
        unsafe { *list = raw };
        tracing::debug!(n = devices.len(), "libusb_get_device_list");
        devices.len() as isize
    }

    /// `void libusb_free_device_list(libusb_device **list, int unref_devices)`.
    fn libusb_free_device_list(list: *mut *mut libusb_device, _unref: c_int) {
        if list.is_null() {
            return;
        }
        let mut n = 0usize;
        // SAFETY: the list came from libusb_get_device_list: NULL-terminated, `n + 1` long.
        unsafe {
            while !(*list.add(n)).is_null() {
                n += 1;
            }
            drop(Box::from_raw(ptr::slice_from_raw_parts_mut(list, n + 1)));
        }
    }

    /// `libusb_device *libusb_ref_device(libusb_device *dev)`: devices live for the process.
    fn libusb_ref_device(dev: *mut libusb_device) -> *mut libusb_device {
        dev
    }

    /// `void libusb_unref_device(libusb_device *dev)`.
    fn libusb_unref_device(_dev: *mut libusb_device) {}

    /// `uint8_t libusb_get_bus_number(libusb_device *dev)`.
    fn libusb_get_bus_number(dev: *mut libusb_device) -> u8 {
        device_of(dev).map_or(0, |d| d.bus)
    }

    /// `uint8_t libusb_get_device_address(libusb_device *dev)`.
    fn libusb_get_device_address(dev: *mut libusb_device) -> u8 {
        device_of(dev).map_or(0, |d| d.address)
    }

    /// `uint8_t libusb_get_port_number(libusb_device *dev)`.
    fn libusb_get_port_number(dev: *mut libusb_device) -> u8 {
        device_of(dev).map_or(0, |d| d.port)
    }

    /// `int libusb_get_port_numbers(libusb_device *dev, uint8_t *port_numbers, int len)`.
    fn libusb_get_port_numbers(
        dev: *mut libusb_device,
        port_numbers: *mut u8,
        len: c_int,
    ) -> c_int {
        let Some(d) = device_of(dev) else {
            return error::INVALID_PARAM;
        };
        if port_numbers.is_null() || len < 1 {
            return error::OVERFLOW;
        }
        // SAFETY: the caller provides `len` ≥ 1 writable bytes.
        unsafe { *port_numbers = d.port };
        1
    }

    /// `int libusb_get_port_path(libusb_context *, libusb_device *, uint8_t *, uint8_t)`
    /// (deprecated alias of `libusb_get_port_numbers`).
    fn libusb_get_port_path(
        _ctx: *mut libusb_context,
        dev: *mut libusb_device,
        path: *mut u8,
        len: u8,
    ) -> c_int {
        // SAFETY: same contract as libusb_get_port_numbers.
        unsafe { libusb_get_port_numbers(dev, path, c_int::from(len)) }
    }

    /// `libusb_device *libusb_get_parent(libusb_device *dev)`: the root hub is not modelled.
    fn libusb_get_parent(_dev: *mut libusb_device) -> *mut libusb_device {
        ptr::null_mut()
    }

    /// `int libusb_get_device_speed(libusb_device *dev)`: high speed.
    fn libusb_get_device_speed(_dev: *mut libusb_device) -> c_int {
        crate::abi::SPEED_HIGH
    }

    /// `int libusb_get_max_packet_size(libusb_device *dev, unsigned char endpoint)`.
    fn libusb_get_max_packet_size(dev: *mut libusb_device, endpoint: c_uchar) -> c_int {
        max_packet_size(dev, endpoint)
    }

    /// `int libusb_get_max_iso_packet_size(libusb_device *dev, unsigned char endpoint)`.
    fn libusb_get_max_iso_packet_size(dev: *mut libusb_device, endpoint: c_uchar) -> c_int {
        max_packet_size(dev, endpoint)
    }

    /// `int libusb_open(libusb_device *dev, libusb_device_handle **handle)`.
    fn libusb_open(dev: *mut libusb_device, handle: *mut *mut libusb_device_handle) -> c_int {
        let Some(d) = device_of(dev) else {
            return error::NO_DEVICE;
        };
        if handle.is_null() {
            return error::INVALID_PARAM;
        }
        let raw = Box::into_raw(Box::new(Handle { device: d }));
        handles()
            .get_or_insert_with(HashSet::new)
            .insert(raw as usize);
        tracing::debug!(model = %d.model, "libusb_open");
        // SAFETY: `handle` is a valid out pointer per the libusb contract.
        unsafe { *handle = raw.cast() };
        error::SUCCESS
    }

    /// `libusb_device_handle *libusb_open_device_with_vid_pid(libusb_context *, uint16_t, uint16_t)`.
    fn libusb_open_device_with_vid_pid(
        _ctx: *mut libusb_context,
        vendor_id: u16,
        product_id: u16,
    ) -> *mut libusb_device_handle {
        let Some(d) = shim().devices.iter().copied().find(|d| {
            d.device_descriptor[8..12]
                == [vendor_id.to_le_bytes(), product_id.to_le_bytes()].concat()[..]
        }) else {
            return ptr::null_mut();
        };
        let mut out = ptr::null_mut();
        // SAFETY: `out` is a valid local out pointer.
        if unsafe { libusb_open(device_ptr(d), &raw mut out) } == error::SUCCESS {
            out
        } else {
            ptr::null_mut()
        }
    }

    /// `void libusb_close(libusb_device_handle *handle)`. The camera (and its PTP session) lives
    /// on: one USB connection per process, as on a real bus.
    fn libusb_close(handle: *mut libusb_device_handle) {
        let removed = handles()
            .as_mut()
            .is_some_and(|set| set.remove(&(handle as usize)));
        if removed {
            tracing::debug!("libusb_close");
            // SAFETY: the address was live in HANDLES, so it came from `Box::into_raw` in
            // libusb_open; it has just been removed, so it is freed exactly once.
            drop(unsafe { Box::from_raw(handle.cast::<Handle>()) });
        }
    }

    /// `libusb_device *libusb_get_device(libusb_device_handle *handle)`.
    fn libusb_get_device(handle: *mut libusb_device_handle) -> *mut libusb_device {
        handle_of(handle).map_or(ptr::null_mut(), |h| device_ptr(h.device))
    }

    /// `int libusb_get_configuration(libusb_device_handle *handle, int *config)`.
    fn libusb_get_configuration(handle: *mut libusb_device_handle, config: *mut c_int) -> c_int {
        let Some(h) = handle_of(handle) else {
            return error::NO_DEVICE;
        };
        if config.is_null() {
            return error::INVALID_PARAM;
        }
        let setup = SetupPacket {
            request_type: 0x80,
            request: 8,
            value: 0,
            index: 0,
            length: 1,
        };
        let value = match shim().lock().control(h.device.index, setup, &[]) {
            Some(ControlReply::Ok(v)) => v.first().copied().unwrap_or(0),
            _ => return error::NO_DEVICE,
        };
        // SAFETY: `config` is a valid out pointer.
        unsafe { *config = c_int::from(value) };
        error::SUCCESS
    }

    /// `int libusb_set_configuration(libusb_device_handle *handle, int configuration)`.
    fn libusb_set_configuration(handle: *mut libusb_device_handle, configuration: c_int) -> c_int {
        let value = u16::try_from(configuration.max(0)).unwrap_or(u16::MAX);
        standard_out(handle, 0x00, 9, value, 0)
    }

    /// `int libusb_claim_interface(libusb_device_handle *handle, int interface_number)`.
    fn libusb_claim_interface(handle: *mut libusb_device_handle, interface_number: c_int) -> c_int {
        claim_interface(handle, interface_number)
    }

    /// `int libusb_release_interface(libusb_device_handle *handle, int interface_number)`.
    fn libusb_release_interface(
        handle: *mut libusb_device_handle,
        interface_number: c_int,
    ) -> c_int {
        claim_interface(handle, interface_number)
    }

    /// `int libusb_set_interface_alt_setting(libusb_device_handle *, int interface, int alt)`.
    fn libusb_set_interface_alt_setting(
        handle: *mut libusb_device_handle,
        interface_number: c_int,
        alternate_setting: c_int,
    ) -> c_int {
        let (Ok(i), Ok(a)) = (
            u16::try_from(interface_number),
            u16::try_from(alternate_setting),
        ) else {
            return error::NOT_FOUND;
        };
        standard_out(handle, 0x01, 11, a, i)
    }

    /// `int libusb_clear_halt(libusb_device_handle *handle, unsigned char endpoint)`.
    fn libusb_clear_halt(handle: *mut libusb_device_handle, endpoint: c_uchar) -> c_int {
        standard_out(handle, 0x02, 1, 0, u16::from(endpoint))
    }

    /// `int libusb_reset_device(libusb_device_handle *handle)`: a bus reset: the PTP session
    /// closes and every transfer is dropped, as on a real body.
    fn libusb_reset_device(handle: *mut libusb_device_handle) -> c_int {
        let Some(h) = handle_of(handle) else {
            return error::NO_DEVICE;
        };
        tracing::debug!("libusb_reset_device");
        let shim = shim();
        let mut st = shim.lock();
        if let Some(cam) = st.cameras.get_mut(h.device.index) {
            cam.reset(std::time::SystemTime::now());
        }
        drop(st);
        shim.notify();
        error::SUCCESS
    }

    /// `int libusb_kernel_driver_active(libusb_device_handle *handle, int interface_number)`: no
    /// kernel driver is ever bound to a virtual device.
    fn libusb_kernel_driver_active(handle: *mut libusb_device_handle, _interface: c_int) -> c_int {
        if handle_of(handle).is_some() {
            0
        } else {
            error::NO_DEVICE
        }
    }

    /// `int libusb_detach_kernel_driver(libusb_device_handle *handle, int interface_number)`.
    fn libusb_detach_kernel_driver(handle: *mut libusb_device_handle, _interface: c_int) -> c_int {
        no_kernel_driver(handle)
    }

    /// `int libusb_attach_kernel_driver(libusb_device_handle *handle, int interface_number)`.
    fn libusb_attach_kernel_driver(handle: *mut libusb_device_handle, _interface: c_int) -> c_int {
        no_kernel_driver(handle)
    }

    /// `int libusb_set_auto_detach_kernel_driver(libusb_device_handle *handle, int enable)`.
    fn libusb_set_auto_detach_kernel_driver(
        _handle: *mut libusb_device_handle,
        _enable: c_int,
    ) -> c_int {
        error::SUCCESS
    }

    /// `int libusb_has_capability(uint32_t capability)`.
    fn libusb_has_capability(capability: u32) -> c_int {
        c_int::from(matches!(
            capability,
            CAP_HAS_CAPABILITY | CAP_SUPPORTS_DETACH_KERNEL_DRIVER
        ))
    }
}

/// wMaxPacketSize of an endpoint of the device `dev`.
fn max_packet_size(dev: *mut libusb_device, endpoint: u8) -> c_int {
    let Some(d) = device_of(dev) else {
        return error::NO_DEVICE;
    };
    endpoint_max_packet(&d.configuration, endpoint).map_or(error::NOT_FOUND, c_int::from)
}

/// Claiming or releasing an interface: the device has one, number 0.
fn claim_interface(handle: *mut libusb_device_handle, interface_number: c_int) -> c_int {
    match (handle_of(handle), interface_number) {
        (None, _) => error::NO_DEVICE,
        (Some(_), 0) => error::SUCCESS,
        (Some(_), _) => error::NOT_FOUND,
    }
}

/// Detaching or attaching a kernel driver: none is ever bound.
fn no_kernel_driver(handle: *mut libusb_device_handle) -> c_int {
    if handle_of(handle).is_some() {
        error::NOT_FOUND
    } else {
        error::NO_DEVICE
    }
}

/// A standard OUT request without data (SET_CONFIGURATION, SET_INTERFACE, CLEAR_FEATURE).
fn standard_out(
    handle: *mut libusb_device_handle,
    request_type: u8,
    request: u8,
    value: u16,
    index: u16,
) -> c_int {
    let Some(h) = handle_of(handle) else {
        return error::NO_DEVICE;
    };
    let setup = SetupPacket {
        request_type,
        request,
        value,
        index,
        length: 0,
    };
    let shim = shim();
    let reply = shim.lock().control(h.device.index, setup, &[]);
    shim.notify();
    match reply {
        Some(ControlReply::Ok(_)) => error::SUCCESS,
        Some(ControlReply::Stall) => error::NOT_FOUND,
        None => error::NO_DEVICE,
    }
}

/// `LIBUSB_CAP_*`.
const CAP_HAS_CAPABILITY: u32 = 0x0000;

const CAP_SUPPORTS_DETACH_KERNEL_DRIVER: u32 = 0x0101;
