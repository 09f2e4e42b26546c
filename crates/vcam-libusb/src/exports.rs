//! The exported `libusb_*` functions. Each converts pointers, runs behind [`guard`], and
//! calls into [`crate::runtime`].
#![allow(clippy::missing_safety_doc)]

use std::collections::HashSet;
use std::ffi::{CStr, c_char, c_int, c_uchar, c_uint, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use vcam_usb::{ControlReply, InStatus, OutStatus, SetupPacket};

use crate::abi::{
    error, flags, libusb_config_descriptor, libusb_context, libusb_device,
    libusb_device_descriptor, libusb_device_handle, libusb_endpoint_descriptor, libusb_interface,
    libusb_interface_descriptor, libusb_transfer, libusb_version, status, timeval, transfer_type,
};
use crate::runtime::{DeviceInfo, Outcome, Pending, State, shim};

/// Runs `f`, turning a panic into `default` (a panic must never unwind into C).
fn guard<T>(name: &str, default: T, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => {
            eprintln!("vcam-libusb: internal error in {name}; returning an error");
            default
        }
    }
}

// ---- contexts, devices and handles -----------------------------------------------------------

/// A context. The shim has one bus per process (see `collect_finished`), so a context holds no
/// state; it only needs a distinct, freeable address.
struct Context {
    _id: u8,
}

/// An open device.
struct Handle {
    device: &'static DeviceInfo,
}

/// Live handles, so a stale or foreign pointer is refused rather than dereferenced.
static HANDLES: Mutex<Option<HashSet<usize>>> = Mutex::new(None);

fn handles() -> std::sync::MutexGuard<'static, Option<HashSet<usize>>> {
    HANDLES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn device_of(dev: *mut libusb_device) -> Option<&'static DeviceInfo> {
    let shim = shim();
    shim.devices
        .iter()
        .copied()
        .find(|d| ptr::eq(ptr::from_ref::<DeviceInfo>(d).cast::<libusb_device>(), dev))
}

fn handle_of(handle: *mut libusb_device_handle) -> Option<&'static Handle> {
    let live = handles().as_ref()?.contains(&(handle as usize));
    if !live {
        return None;
    }
    // SAFETY: the address is in HANDLES, so it came from `Box::into_raw` in `libusb_open` and
    // has not been freed by `libusb_close` (which removes it first). Handles are immutable.
    Some(unsafe { &*(handle as *const Handle) })
}

fn device_ptr(d: &'static DeviceInfo) -> *mut libusb_device {
    ptr::from_ref(d).cast_mut().cast()
}

/// `int libusb_init(libusb_context **ctx)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_init(ctx: *mut *mut libusb_context) -> c_int {
    guard("libusb_init", error::OTHER, || {
        let _ = shim();
        tracing::debug!("libusb_init");
        if !ctx.is_null() {
            let boxed = Box::into_raw(Box::new(Context { _id: 1 }));
            // SAFETY: the caller passes a valid `libusb_context **` (or NULL, handled above).
            unsafe { *ctx = boxed.cast() };
        }
        error::SUCCESS
    })
}

/// `int libusb_init_context(libusb_context **ctx, const struct libusb_init_option[], int)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_init_context(
    ctx: *mut *mut libusb_context,
    _options: *const c_void,
    _num_options: c_int,
) -> c_int {
    // SAFETY: same contract as libusb_init.
    unsafe { libusb_init(ctx) }
}

/// `void libusb_exit(libusb_context *ctx)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_exit(ctx: *mut libusb_context) {
    guard("libusb_exit", (), || {
        tracing::debug!("libusb_exit");
        if ctx.is_null() {
            return;
        }
        // SAFETY: a non-NULL context comes from `Box::into_raw` in `libusb_init`.
        drop(unsafe { Box::from_raw(ctx.cast::<Context>()) });
    });
}

/// `int libusb_set_option(libusb_context *ctx, enum libusb_option option, ...)`. Options
/// (log level, Windows backends, no device discovery) change nothing here. Declared without
/// the variadic tail: on the supported ABIs the fixed arguments are passed identically.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_set_option(_ctx: *mut libusb_context, option: c_int) -> c_int {
    guard("libusb_set_option", error::OTHER, || {
        tracing::debug!(option, "libusb_set_option");
        error::SUCCESS
    })
}

/// `void libusb_set_debug(libusb_context *ctx, int level)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_set_debug(_ctx: *mut libusb_context, _level: c_int) {}

/// `ssize_t libusb_get_device_list(libusb_context *ctx, libusb_device ***list)`: a
/// NULL-terminated array of the virtual devices.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_get_device_list(
    _ctx: *mut libusb_context,
    list: *mut *mut *mut libusb_device,
) -> isize {
    guard("libusb_get_device_list", error::OTHER as isize, || {
        if list.is_null() {
            return error::INVALID_PARAM as isize;
        }
        let devices = &shim().devices;
        let mut v: Vec<*mut libusb_device> = devices.iter().map(|d| device_ptr(d)).collect();
        v.push(ptr::null_mut());
        let boxed: Box<[*mut libusb_device]> = v.into_boxed_slice();
        let raw = Box::into_raw(boxed).cast::<*mut libusb_device>();
        // SAFETY: `list` is a valid out pointer per the libusb contract.
        unsafe { *list = raw };
        tracing::debug!(n = devices.len(), "libusb_get_device_list");
        devices.len() as isize
    })
}

/// `void libusb_free_device_list(libusb_device **list, int unref_devices)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_free_device_list(list: *mut *mut libusb_device, _unref: c_int) {
    guard("libusb_free_device_list", (), || {
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
    });
}

/// `libusb_device *libusb_ref_device(libusb_device *dev)`: devices live for the process.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_ref_device(dev: *mut libusb_device) -> *mut libusb_device {
    dev
}

/// `void libusb_unref_device(libusb_device *dev)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_unref_device(_dev: *mut libusb_device) {}

/// `uint8_t libusb_get_bus_number(libusb_device *dev)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_get_bus_number(dev: *mut libusb_device) -> u8 {
    guard("libusb_get_bus_number", 0, || {
        device_of(dev).map_or(0, |d| d.bus)
    })
}

/// `uint8_t libusb_get_device_address(libusb_device *dev)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_get_device_address(dev: *mut libusb_device) -> u8 {
    guard("libusb_get_device_address", 0, || {
        device_of(dev).map_or(0, |d| d.address)
    })
}

/// `uint8_t libusb_get_port_number(libusb_device *dev)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_get_port_number(dev: *mut libusb_device) -> u8 {
    guard("libusb_get_port_number", 0, || {
        device_of(dev).map_or(0, |d| d.port)
    })
}

/// `int libusb_get_port_numbers(libusb_device *dev, uint8_t *port_numbers, int len)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_get_port_numbers(
    dev: *mut libusb_device,
    port_numbers: *mut u8,
    len: c_int,
) -> c_int {
    guard("libusb_get_port_numbers", error::OTHER, || {
        let Some(d) = device_of(dev) else {
            return error::INVALID_PARAM;
        };
        if port_numbers.is_null() || len < 1 {
            return error::OVERFLOW;
        }
        // SAFETY: the caller provides `len` ≥ 1 writable bytes.
        unsafe { *port_numbers = d.port };
        1
    })
}

/// `int libusb_get_port_path(libusb_context *, libusb_device *, uint8_t *, uint8_t)`
/// (deprecated alias of `libusb_get_port_numbers`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_get_port_path(
    _ctx: *mut libusb_context,
    dev: *mut libusb_device,
    path: *mut u8,
    len: u8,
) -> c_int {
    // SAFETY: same contract as libusb_get_port_numbers.
    unsafe { libusb_get_port_numbers(dev, path, c_int::from(len)) }
}

/// `libusb_device *libusb_get_parent(libusb_device *dev)`: the root hub is not modelled.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_get_parent(_dev: *mut libusb_device) -> *mut libusb_device {
    ptr::null_mut()
}

/// `int libusb_get_device_speed(libusb_device *dev)`: high speed.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_get_device_speed(_dev: *mut libusb_device) -> c_int {
    crate::abi::SPEED_HIGH
}

/// `int libusb_get_max_packet_size(libusb_device *dev, unsigned char endpoint)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_get_max_packet_size(dev: *mut libusb_device, endpoint: c_uchar) -> c_int {
    guard("libusb_get_max_packet_size", error::OTHER, || {
        let Some(d) = device_of(dev) else {
            return error::NO_DEVICE;
        };
        endpoint_max_packet(&d.configuration, endpoint).map_or(error::NOT_FOUND, c_int::from)
    })
}

/// `int libusb_get_max_iso_packet_size(libusb_device *dev, unsigned char endpoint)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_get_max_iso_packet_size(
    dev: *mut libusb_device,
    endpoint: c_uchar,
) -> c_int {
    libusb_get_max_packet_size(dev, endpoint)
}

fn endpoint_max_packet(config: &[u8], endpoint: u8) -> Option<u16> {
    descriptors(config)
        .filter(|d| d.get(1) == Some(&5) && d.get(2) == Some(&endpoint))
        .find_map(|d| Some(u16::from_le_bytes([*d.get(4)?, *d.get(5)?])))
}

/// Iterates the descriptors in a configuration blob.
fn descriptors(config: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = config;
    std::iter::from_fn(move || {
        let len = usize::from(*rest.first()?);
        if len < 2 || len > rest.len() {
            return None;
        }
        let (d, tail) = rest.split_at(len);
        rest = tail;
        Some(d)
    })
}

/// `int libusb_open(libusb_device *dev, libusb_device_handle **handle)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_open(
    dev: *mut libusb_device,
    handle: *mut *mut libusb_device_handle,
) -> c_int {
    guard("libusb_open", error::OTHER, || {
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
    })
}

/// `libusb_device_handle *libusb_open_device_with_vid_pid(libusb_context *, uint16_t, uint16_t)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_open_device_with_vid_pid(
    _ctx: *mut libusb_context,
    vendor_id: u16,
    product_id: u16,
) -> *mut libusb_device_handle {
    guard("libusb_open_device_with_vid_pid", ptr::null_mut(), || {
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
    })
}

/// `void libusb_close(libusb_device_handle *handle)`. The camera (and its PTP session) lives
/// on: one USB connection per process, as on a real bus.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_close(handle: *mut libusb_device_handle) {
    guard("libusb_close", (), || {
        let removed = handles()
            .as_mut()
            .is_some_and(|set| set.remove(&(handle as usize)));
        if removed {
            tracing::debug!("libusb_close");
            // SAFETY: the address was live in HANDLES, so it came from `Box::into_raw` in
            // libusb_open; it has just been removed, so it is freed exactly once.
            drop(unsafe { Box::from_raw(handle.cast::<Handle>()) });
        }
    });
}

/// `libusb_device *libusb_get_device(libusb_device_handle *handle)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_get_device(handle: *mut libusb_device_handle) -> *mut libusb_device {
    guard("libusb_get_device", ptr::null_mut(), || {
        handle_of(handle).map_or(ptr::null_mut(), |h| device_ptr(h.device))
    })
}

/// `int libusb_get_configuration(libusb_device_handle *handle, int *config)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_get_configuration(
    handle: *mut libusb_device_handle,
    config: *mut c_int,
) -> c_int {
    guard("libusb_get_configuration", error::OTHER, || {
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
    })
}

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

/// `int libusb_set_configuration(libusb_device_handle *handle, int configuration)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_set_configuration(
    handle: *mut libusb_device_handle,
    configuration: c_int,
) -> c_int {
    guard("libusb_set_configuration", error::OTHER, || {
        let value = u16::try_from(configuration.max(0)).unwrap_or(u16::MAX);
        standard_out(handle, 0x00, 9, value, 0)
    })
}

/// `int libusb_claim_interface(libusb_device_handle *handle, int interface_number)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_claim_interface(
    handle: *mut libusb_device_handle,
    interface_number: c_int,
) -> c_int {
    guard("libusb_claim_interface", error::OTHER, || {
        match (handle_of(handle), interface_number) {
            (None, _) => error::NO_DEVICE,
            (Some(_), 0) => error::SUCCESS,
            (Some(_), _) => error::NOT_FOUND,
        }
    })
}

/// `int libusb_release_interface(libusb_device_handle *handle, int interface_number)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_release_interface(
    handle: *mut libusb_device_handle,
    interface_number: c_int,
) -> c_int {
    libusb_claim_interface(handle, interface_number)
}

/// `int libusb_set_interface_alt_setting(libusb_device_handle *, int interface, int alt)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_set_interface_alt_setting(
    handle: *mut libusb_device_handle,
    interface_number: c_int,
    alternate_setting: c_int,
) -> c_int {
    guard("libusb_set_interface_alt_setting", error::OTHER, || {
        let (Ok(i), Ok(a)) = (
            u16::try_from(interface_number),
            u16::try_from(alternate_setting),
        ) else {
            return error::NOT_FOUND;
        };
        standard_out(handle, 0x01, 11, a, i)
    })
}

/// `int libusb_clear_halt(libusb_device_handle *handle, unsigned char endpoint)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_clear_halt(handle: *mut libusb_device_handle, endpoint: c_uchar) -> c_int {
    guard("libusb_clear_halt", error::OTHER, || {
        standard_out(handle, 0x02, 1, 0, u16::from(endpoint))
    })
}

/// `int libusb_reset_device(libusb_device_handle *handle)`: a bus reset: the PTP session
/// closes and every transfer is dropped, as on a real body.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_reset_device(handle: *mut libusb_device_handle) -> c_int {
    guard("libusb_reset_device", error::OTHER, || {
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
    })
}

/// `int libusb_kernel_driver_active(libusb_device_handle *handle, int interface_number)`: no
/// kernel driver is ever bound to a virtual device.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_kernel_driver_active(
    handle: *mut libusb_device_handle,
    _interface: c_int,
) -> c_int {
    guard("libusb_kernel_driver_active", error::OTHER, || {
        if handle_of(handle).is_some() {
            0
        } else {
            error::NO_DEVICE
        }
    })
}

/// `int libusb_detach_kernel_driver(libusb_device_handle *handle, int interface_number)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_detach_kernel_driver(
    handle: *mut libusb_device_handle,
    _interface: c_int,
) -> c_int {
    guard("libusb_detach_kernel_driver", error::OTHER, || {
        if handle_of(handle).is_some() {
            error::NOT_FOUND
        } else {
            error::NO_DEVICE
        }
    })
}

/// `int libusb_attach_kernel_driver(libusb_device_handle *handle, int interface_number)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_attach_kernel_driver(
    handle: *mut libusb_device_handle,
    interface: c_int,
) -> c_int {
    libusb_detach_kernel_driver(handle, interface)
}

/// `int libusb_set_auto_detach_kernel_driver(libusb_device_handle *handle, int enable)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_set_auto_detach_kernel_driver(
    _handle: *mut libusb_device_handle,
    _enable: c_int,
) -> c_int {
    error::SUCCESS
}

// ---- descriptors -------------------------------------------------------------------------------

/// `int libusb_get_device_descriptor(libusb_device *dev, struct libusb_device_descriptor *desc)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_get_device_descriptor(
    dev: *mut libusb_device,
    desc: *mut libusb_device_descriptor,
) -> c_int {
    guard("libusb_get_device_descriptor", error::OTHER, || {
        let Some(d) = device_of(dev) else {
            return error::NO_DEVICE;
        };
        if desc.is_null() {
            return error::INVALID_PARAM;
        }
        let b = d.device_descriptor;
        let out = libusb_device_descriptor {
            bLength: b[0],
            bDescriptorType: b[1],
            bcdUSB: u16::from_le_bytes([b[2], b[3]]),
            bDeviceClass: b[4],
            bDeviceSubClass: b[5],
            bDeviceProtocol: b[6],
            bMaxPacketSize0: b[7],
            idVendor: u16::from_le_bytes([b[8], b[9]]),
            idProduct: u16::from_le_bytes([b[10], b[11]]),
            bcdDevice: u16::from_le_bytes([b[12], b[13]]),
            iManufacturer: b[14],
            iProduct: b[15],
            iSerialNumber: b[16],
            bNumConfigurations: b[17],
        };
        // SAFETY: `desc` points to a caller-owned libusb_device_descriptor.
        unsafe { desc.write(out) };
        error::SUCCESS
    })
}

/// A configuration descriptor and everything it points to, in one allocation. The
/// `libusb_config_descriptor` is the first field, so its address is the bundle's.
#[repr(C)]
struct ConfigBundle {
    config: libusb_config_descriptor,
    interfaces: Vec<libusb_interface>,
    altsettings: Vec<Vec<libusb_interface_descriptor>>,
    endpoints: Vec<Vec<Vec<libusb_endpoint_descriptor>>>,
    raw: Vec<u8>,
}

/// An interface descriptor's bytes and its endpoint descriptors' bytes.
type AltSetting = (Vec<u8>, Vec<Vec<u8>>);

fn build_config(raw: &[u8]) -> Option<*mut libusb_config_descriptor> {
    let mut it = descriptors(raw);
    let c = it.next()?;
    if c.len() < 9 || c.get(1) != Some(&2) {
        return None;
    }
    // Group interface descriptors by interface number, each with its endpoints.
    let mut groups: Vec<(u8, Vec<AltSetting>)> = Vec::new();
    for d in it {
        match d.get(1) {
            Some(4) if d.len() >= 9 => {
                let number = d[2];
                let alt = (d.to_vec(), Vec::new());
                match groups.iter_mut().find(|(n, _)| *n == number) {
                    Some((_, alts)) => alts.push(alt),
                    None => groups.push((number, vec![alt])),
                }
            }
            Some(5) if d.len() >= 7 => {
                if let Some((_, alts)) = groups.last_mut()
                    && let Some((_, eps)) = alts.last_mut()
                {
                    eps.push(d.to_vec());
                }
            }
            _ => {}
        }
    }
    let endpoints: Vec<Vec<Vec<libusb_endpoint_descriptor>>> = groups
        .iter()
        .map(|(_, alts)| {
            alts.iter()
                .map(|(_, eps)| {
                    eps.iter()
                        .map(|e| libusb_endpoint_descriptor {
                            bLength: e[0],
                            bDescriptorType: e[1],
                            bEndpointAddress: e[2],
                            bmAttributes: e[3],
                            wMaxPacketSize: u16::from_le_bytes([e[4], e[5]]),
                            bInterval: e[6],
                            bRefresh: 0,
                            bSynchAddress: 0,
                            extra: ptr::null(),
                            extra_length: 0,
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let mut bundle = Box::new(ConfigBundle {
        config: libusb_config_descriptor {
            bLength: c[0],
            bDescriptorType: c[1],
            wTotalLength: u16::from_le_bytes([c[2], c[3]]),
            bNumInterfaces: c[4],
            bConfigurationValue: c[5],
            iConfiguration: c[6],
            bmAttributes: c[7],
            MaxPower: c[8],
            interface: ptr::null(),
            extra: ptr::null(),
            extra_length: 0,
        },
        interfaces: Vec::new(),
        altsettings: Vec::new(),
        endpoints,
        raw: raw.to_vec(),
    });
    // The vectors' heap buffers do not move when the box's fields are assigned below.
    let altsettings: Vec<Vec<libusb_interface_descriptor>> = groups
        .iter()
        .enumerate()
        .map(|(gi, (_, alts))| {
            alts.iter()
                .enumerate()
                .map(|(ai, (d, _))| {
                    let eps = &bundle.endpoints[gi][ai];
                    libusb_interface_descriptor {
                        bLength: d[0],
                        bDescriptorType: d[1],
                        bInterfaceNumber: d[2],
                        bAlternateSetting: d[3],
                        bNumEndpoints: u8::try_from(eps.len()).unwrap_or(u8::MAX),
                        bInterfaceClass: d[5],
                        bInterfaceSubClass: d[6],
                        bInterfaceProtocol: d[7],
                        iInterface: d[8],
                        endpoint: if eps.is_empty() {
                            ptr::null()
                        } else {
                            eps.as_ptr()
                        },
                        extra: ptr::null(),
                        extra_length: 0,
                    }
                })
                .collect()
        })
        .collect();
    bundle.altsettings = altsettings;
    let interfaces: Vec<libusb_interface> = bundle
        .altsettings
        .iter()
        .map(|alts| libusb_interface {
            altsetting: alts.as_ptr(),
            num_altsetting: c_int::try_from(alts.len()).unwrap_or(0),
        })
        .collect();
    bundle.interfaces = interfaces;
    bundle.config.interface = bundle.interfaces.as_ptr();
    let _ = &bundle.raw;
    Some(Box::into_raw(bundle).cast())
}

/// `int libusb_get_config_descriptor(libusb_device *dev, uint8_t index, struct libusb_config_descriptor **config)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_get_config_descriptor(
    dev: *mut libusb_device,
    index: u8,
    config: *mut *mut libusb_config_descriptor,
) -> c_int {
    guard("libusb_get_config_descriptor", error::OTHER, || {
        let Some(d) = device_of(dev) else {
            return error::NO_DEVICE;
        };
        if config.is_null() {
            return error::INVALID_PARAM;
        }
        if index != 0 {
            return error::NOT_FOUND;
        }
        let Some(built) = build_config(&d.configuration) else {
            return error::IO;
        };
        // SAFETY: `config` is a valid out pointer.
        unsafe { *config = built };
        error::SUCCESS
    })
}

/// `int libusb_get_active_config_descriptor(libusb_device *dev, struct libusb_config_descriptor **config)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_get_active_config_descriptor(
    dev: *mut libusb_device,
    config: *mut *mut libusb_config_descriptor,
) -> c_int {
    // SAFETY: same contract.
    unsafe { libusb_get_config_descriptor(dev, 0, config) }
}

/// `int libusb_get_config_descriptor_by_value(libusb_device *, uint8_t value, struct libusb_config_descriptor **)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_get_config_descriptor_by_value(
    dev: *mut libusb_device,
    value: u8,
    config: *mut *mut libusb_config_descriptor,
) -> c_int {
    if value != 1 {
        return error::NOT_FOUND;
    }
    // SAFETY: same contract.
    unsafe { libusb_get_config_descriptor(dev, 0, config) }
}

/// `void libusb_free_config_descriptor(struct libusb_config_descriptor *config)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_free_config_descriptor(config: *mut libusb_config_descriptor) {
    guard("libusb_free_config_descriptor", (), || {
        if !config.is_null() {
            // SAFETY: configuration descriptors are handed out only by build_config, as the
            // first field of a boxed ConfigBundle.
            drop(unsafe { Box::from_raw(config.cast::<ConfigBundle>()) });
        }
    });
}

/// `int libusb_get_string_descriptor_ascii(libusb_device_handle *, uint8_t index, unsigned char *data, int length)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_get_string_descriptor_ascii(
    handle: *mut libusb_device_handle,
    desc_index: u8,
    data: *mut c_uchar,
    length: c_int,
) -> c_int {
    guard("libusb_get_string_descriptor_ascii", error::OTHER, || {
        let Some(h) = handle_of(handle) else {
            return error::NO_DEVICE;
        };
        let Ok(length) = usize::try_from(length) else {
            return error::INVALID_PARAM;
        };
        if desc_index == 0 || data.is_null() || length == 0 {
            return error::INVALID_PARAM;
        }
        let get = |index: u8, lang: u16| {
            let setup = SetupPacket {
                request_type: 0x80,
                request: 6,
                value: u16::from_le_bytes([index, 3]),
                index: lang,
                length: 255,
            };
            shim().lock().control(h.device.index, setup, &[])
        };
        let lang = match get(0, 0) {
            Some(ControlReply::Ok(v)) if v.len() >= 4 => u16::from_le_bytes([v[2], v[3]]),
            Some(_) => return error::PIPE,
            None => return error::NO_DEVICE,
        };
        let s = match get(desc_index, lang) {
            Some(ControlReply::Ok(v)) if v.len() >= 2 && v[1] == 3 => v,
            Some(ControlReply::Ok(_)) => return error::IO,
            Some(ControlReply::Stall) => return error::PIPE,
            None => return error::NO_DEVICE,
        };
        let declared = usize::from(s[0]).min(s.len());
        let ascii: Vec<u8> = s[2..declared]
            .chunks_exact(2)
            .map(|u| {
                let unit = u16::from_le_bytes([u[0], u[1]]);
                if unit < 0x80 { unit as u8 } else { b'?' }
            })
            .take(length - 1)
            .collect();
        // SAFETY: `data` has `length` writable bytes; we write at most length - 1 plus a NUL.
        unsafe {
            ptr::copy_nonoverlapping(ascii.as_ptr(), data, ascii.len());
            *data.add(ascii.len()) = 0;
        }
        c_int::try_from(ascii.len()).unwrap_or(0)
    })
}

// ---- synchronous transfers ---------------------------------------------------------------------

/// `int libusb_control_transfer(libusb_device_handle *, uint8_t bmRequestType, uint8_t bRequest,
/// uint16_t wValue, uint16_t wIndex, unsigned char *data, uint16_t wLength, unsigned int timeout)`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn libusb_control_transfer(
    handle: *mut libusb_device_handle,
    request_type: u8,
    request: u8,
    value: u16,
    index: u16,
    data: *mut c_uchar,
    length: u16,
    _timeout: c_uint,
) -> c_int {
    guard("libusb_control_transfer", error::OTHER, || {
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
    })
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
    if endpoint & 0x80 == 0 {
        let bytes: &[u8] = if len == 0 {
            &[]
        } else {
            // SAFETY: for OUT transfers `data` holds `length` readable bytes.
            unsafe { std::slice::from_raw_parts(data, len) }
        };
        let status = shim.lock().transfer_out(device, bytes);
        shim.notify();
        return match status {
            Some(OutStatus::Accepted) => {
                set_transferred(len);
                error::SUCCESS
            }
            Some(OutStatus::Stall) => error::PIPE,
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

/// `int libusb_bulk_transfer(libusb_device_handle *, unsigned char endpoint, unsigned char *data,
/// int length, int *transferred, unsigned int timeout)`. An IN transfer returns at most the rest
/// of the current container (a device ends a transfer with a short packet) and waits, up to
/// `timeout` ms (0: forever), while the device has nothing to send.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_bulk_transfer(
    handle: *mut libusb_device_handle,
    endpoint: c_uchar,
    data: *mut c_uchar,
    length: c_int,
    transferred: *mut c_int,
    timeout: c_uint,
) -> c_int {
    guard("libusb_bulk_transfer", error::OTHER, || {
        // SAFETY: pointer contract forwarded from the caller.
        unsafe { sync_transfer(handle, endpoint, data, length, transferred, timeout) }
    })
}

/// `int libusb_interrupt_transfer(...)`: as `libusb_bulk_transfer`, on the interrupt endpoint.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_interrupt_transfer(
    handle: *mut libusb_device_handle,
    endpoint: c_uchar,
    data: *mut c_uchar,
    length: c_int,
    transferred: *mut c_int,
    timeout: c_uint,
) -> c_int {
    guard("libusb_interrupt_transfer", error::OTHER, || {
        // SAFETY: pointer contract forwarded from the caller.
        unsafe { sync_transfer(handle, endpoint, data, length, transferred, timeout) }
    })
}

// ---- asynchronous transfers --------------------------------------------------------------------

/// `struct libusb_transfer *libusb_alloc_transfer(int iso_packets)`: zeroed, from `calloc`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_alloc_transfer(iso_packets: c_int) -> *mut libusb_transfer {
    guard("libusb_alloc_transfer", ptr::null_mut(), || {
        let Ok(iso) = usize::try_from(iso_packets) else {
            return ptr::null_mut();
        };
        let size = size_of::<libusb_transfer>()
            + iso.saturating_mul(size_of::<crate::abi::libusb_iso_packet_descriptor>());
        // SAFETY: calloc has no preconditions; NULL is returned on failure.
        unsafe { libc::calloc(1, size).cast() }
    })
}

/// `void libusb_free_transfer(struct libusb_transfer *transfer)`; frees the buffer too when
/// `LIBUSB_TRANSFER_FREE_BUFFER` is set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_free_transfer(transfer: *mut libusb_transfer) {
    guard("libusb_free_transfer", (), || {
        if transfer.is_null() {
            return;
        }
        shim()
            .lock()
            .pending
            .retain(|p| p.transfer != transfer as usize);
        // SAFETY: the transfer came from libusb_alloc_transfer (calloc); its buffer, when
        // FREE_BUFFER is set, was malloc'ed by the caller (libusb's documented contract).
        unsafe {
            if (*transfer).flags & flags::FREE_BUFFER != 0 && !(*transfer).buffer.is_null() {
                libc::free((*transfer).buffer.cast());
            }
            libc::free(transfer.cast());
        }
    });
}

/// `int libusb_submit_transfer(struct libusb_transfer *transfer)`. OUT and control transfers
/// are carried out now and complete on the next event handling; IN transfers stay pending
/// until the device has data, the timeout expires or they are cancelled.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_submit_transfer(transfer: *mut libusb_transfer) -> c_int {
    guard("libusb_submit_transfer", error::OTHER, || {
        if transfer.is_null() {
            return error::INVALID_PARAM;
        }
        // SAFETY: `transfer` is a live libusb_transfer owned by the caller.
        let t = unsafe { &*transfer };
        let Some(h) = handle_of(t.dev_handle) else {
            return error::NO_DEVICE;
        };
        let Ok(length) = usize::try_from(t.length) else {
            return error::INVALID_PARAM;
        };
        if length > 0 && t.buffer.is_null() {
            return error::INVALID_PARAM;
        }
        let shim = shim();
        let mut st = shim.lock();
        if st.pending.iter().any(|p| p.transfer == transfer as usize) {
            return error::BUSY;
        }
        let device = h.device.index;
        let deadline =
            (t.timeout > 0).then(|| Instant::now() + Duration::from_millis(u64::from(t.timeout)));
        let outcome = match t.r#type {
            transfer_type::CONTROL => {
                if length < 8 {
                    return error::INVALID_PARAM;
                }
                // SAFETY: a control transfer's buffer holds the 8-byte setup packet and
                // wLength data bytes (libusb_fill_control_setup), `length` in all.
                let buf = unsafe { std::slice::from_raw_parts_mut(t.buffer, length) };
                let mut setup_bytes = [0u8; 8];
                setup_bytes.copy_from_slice(&buf[..8]);
                let setup = SetupPacket::from_bytes(setup_bytes);
                let data_len = usize::from(setup.length).min(length - 8);
                let out = if setup.is_in() {
                    Vec::new()
                } else {
                    buf[8..8 + data_len].to_vec()
                };
                match st.control(device, setup, &out) {
                    Some(ControlReply::Ok(bytes)) => {
                        let n = if setup.is_in() {
                            let n = bytes.len().min(data_len);
                            buf[8..8 + n].copy_from_slice(&bytes[..n]);
                            n
                        } else {
                            data_len
                        };
                        Some(Outcome {
                            status: status::COMPLETED,
                            actual: n,
                        })
                    }
                    Some(ControlReply::Stall) => Some(Outcome {
                        status: status::STALL,
                        actual: 0,
                    }),
                    None => Some(Outcome {
                        status: status::NO_DEVICE,
                        actual: 0,
                    }),
                }
            }
            transfer_type::BULK | transfer_type::INTERRUPT => {
                if t.endpoint & 0x80 == 0 {
                    let bytes: &[u8] = if length == 0 {
                        &[]
                    } else {
                        // SAFETY: an OUT transfer's buffer holds `length` readable bytes.
                        unsafe { std::slice::from_raw_parts(t.buffer, length) }
                    };
                    Some(match st.transfer_out(device, bytes) {
                        Some(OutStatus::Accepted) => Outcome {
                            status: status::COMPLETED,
                            actual: length,
                        },
                        Some(OutStatus::Stall) => Outcome {
                            status: status::STALL,
                            actual: 0,
                        },
                        None => Outcome {
                            status: status::NO_DEVICE,
                            actual: 0,
                        },
                    })
                } else {
                    None
                }
            }
            _ => return error::NOT_SUPPORTED,
        };
        st.pending.push(Pending {
            transfer: transfer as usize,
            device,
            endpoint: t.endpoint,
            length,
            deadline,
            outcome,
        });
        drop(st);
        shim.notify();
        error::SUCCESS
    })
}

/// `int libusb_cancel_transfer(struct libusb_transfer *transfer)`: the callback runs with
/// `LIBUSB_TRANSFER_CANCELLED` on the next event handling.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_cancel_transfer(transfer: *mut libusb_transfer) -> c_int {
    guard("libusb_cancel_transfer", error::OTHER, || {
        let shim = shim();
        let mut st = shim.lock();
        let Some(p) = st
            .pending
            .iter_mut()
            .find(|p| p.transfer == transfer as usize && p.outcome.is_none())
        else {
            return error::NOT_FOUND;
        };
        p.outcome = Some(Outcome {
            status: status::CANCELLED,
            actual: 0,
        });
        drop(st);
        shim.notify();
        error::SUCCESS
    })
}

/// Completes what can be completed: IN transfers with data, expired ones. Returns the
/// finished transfers, removed from the pending list.
fn collect_finished(st: &mut State) -> Vec<(usize, Outcome)> {
    st.drive();
    let now = Instant::now();
    for i in 0..st.pending.len() {
        let (transfer, device, endpoint, length, deadline, done) = {
            let p = &st.pending[i];
            (
                p.transfer,
                p.device,
                p.endpoint,
                p.length,
                p.deadline,
                p.outcome.is_some(),
            )
        };
        if done {
            continue;
        }
        let outcome = match st.transfer_in(device, endpoint, length) {
            Some(InStatus::Data(bytes)) => {
                let n = bytes.len().min(length);
                // SAFETY: the transfer is pending, hence live (libusb forbids freeing a
                // pending transfer; libusb_free_transfer drops it from the list anyway), and
                // its buffer holds `length` writable bytes.
                unsafe {
                    let t = transfer as *mut libusb_transfer;
                    ptr::copy_nonoverlapping(bytes.as_ptr(), (*t).buffer, n);
                }
                Some(Outcome {
                    status: status::COMPLETED,
                    actual: n,
                })
            }
            Some(InStatus::Stall) => Some(Outcome {
                status: status::STALL,
                actual: 0,
            }),
            None => Some(Outcome {
                status: status::NO_DEVICE,
                actual: 0,
            }),
            Some(InStatus::Pending) => deadline.is_some_and(|d| now >= d).then_some(Outcome {
                status: status::TIMED_OUT,
                actual: 0,
            }),
        };
        st.pending[i].outcome = outcome;
    }
    let mut finished = Vec::new();
    st.pending.retain(|p| match p.outcome {
        // Devices are shared by every context (one bus per process), so any context's event
        // handling completes any transfer.
        Some(o) => {
            finished.push((p.transfer, o));
            false
        }
        _ => true,
    });
    finished
}

/// Runs the callbacks of finished transfers, outside the lock (a callback may resubmit).
fn run_callbacks(finished: Vec<(usize, Outcome)>) {
    for (transfer, outcome) in finished {
        let t = transfer as *mut libusb_transfer;
        // SAFETY: the transfer was pending until just now, so it is live; we are its only
        // user until the callback gets it back.
        let (callback, flags) = unsafe {
            (*t).status = outcome.status;
            (*t).actual_length = c_int::try_from(outcome.actual).unwrap_or(c_int::MAX);
            ((*t).callback, (*t).flags)
        };
        if let Some(cb) = callback {
            // SAFETY: the callback and transfer were provided by the caller for this purpose.
            unsafe { cb(t) };
        }
        if flags & flags::FREE_TRANSFER != 0 {
            // SAFETY: FREE_TRANSFER hands the transfer to libusb after its callback.
            unsafe { libusb_free_transfer(t) };
        }
    }
}

fn handle_events_until(timeout: Option<Duration>, completed: *mut c_int) -> c_int {
    let deadline = Instant::now() + timeout.unwrap_or(Duration::from_secs(60));
    let shim = shim();
    let mut st = shim.lock();
    loop {
        let finished = collect_finished(&mut st);
        if !finished.is_empty() {
            drop(st);
            run_callbacks(finished);
            return error::SUCCESS;
        }
        // SAFETY: `completed`, when not NULL, points to the caller's flag; another thread's
        // callback may set it, hence the volatile read.
        if !completed.is_null() && unsafe { ptr::read_volatile(completed) } != 0 {
            return error::SUCCESS;
        }
        if Instant::now() >= deadline {
            return error::SUCCESS;
        }
        st = shim.wait(st, Some(deadline));
    }
}

fn tv_duration(tv: *mut timeval) -> Option<Duration> {
    if tv.is_null() {
        return None;
    }
    // SAFETY: `tv` points to a caller-owned timeval.
    let tv = unsafe { &*tv };
    let secs = u64::try_from(tv.tv_sec).unwrap_or(0);
    let micros = u64::try_from(tv.tv_usec).unwrap_or(0);
    Some(Duration::from_secs(secs) + Duration::from_micros(micros))
}

/// `int libusb_handle_events_timeout_completed(libusb_context *, struct timeval *tv, int *completed)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_handle_events_timeout_completed(
    _ctx: *mut libusb_context,
    tv: *mut timeval,
    completed: *mut c_int,
) -> c_int {
    guard(
        "libusb_handle_events_timeout_completed",
        error::OTHER,
        || handle_events_until(Some(tv_duration(tv).unwrap_or(Duration::ZERO)), completed),
    )
}

/// `int libusb_handle_events_timeout(libusb_context *ctx, struct timeval *tv)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_handle_events_timeout(
    _ctx: *mut libusb_context,
    tv: *mut timeval,
) -> c_int {
    guard("libusb_handle_events_timeout", error::OTHER, || {
        handle_events_until(
            Some(tv_duration(tv).unwrap_or(Duration::ZERO)),
            ptr::null_mut(),
        )
    })
}

/// `int libusb_handle_events(libusb_context *ctx)` (waits up to 60 s, as libusb does).
#[unsafe(no_mangle)]
pub extern "C" fn libusb_handle_events(_ctx: *mut libusb_context) -> c_int {
    guard("libusb_handle_events", error::OTHER, || {
        handle_events_until(None, ptr::null_mut())
    })
}

/// `int libusb_handle_events_completed(libusb_context *ctx, int *completed)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_handle_events_completed(
    _ctx: *mut libusb_context,
    completed: *mut c_int,
) -> c_int {
    guard("libusb_handle_events_completed", error::OTHER, || {
        handle_events_until(None, completed)
    })
}

/// `int libusb_handle_events_locked(libusb_context *ctx, struct timeval *tv)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_handle_events_locked(
    ctx: *mut libusb_context,
    tv: *mut timeval,
) -> c_int {
    // SAFETY: same contract.
    unsafe { libusb_handle_events_timeout(ctx, tv) }
}

/// `int libusb_get_next_timeout(libusb_context *ctx, struct timeval *tv)`: 0, no libusb-level
/// timeouts to drive (event handling computes them itself).
#[unsafe(no_mangle)]
pub extern "C" fn libusb_get_next_timeout(_ctx: *mut libusb_context, _tv: *mut timeval) -> c_int {
    0
}

/// `int libusb_try_lock_events(libusb_context *ctx)`: 0 (the lock is taken).
#[unsafe(no_mangle)]
pub extern "C" fn libusb_try_lock_events(_ctx: *mut libusb_context) -> c_int {
    0
}

/// `void libusb_lock_events(libusb_context *ctx)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_lock_events(_ctx: *mut libusb_context) {}

/// `void libusb_unlock_events(libusb_context *ctx)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_unlock_events(_ctx: *mut libusb_context) {}

/// `int libusb_event_handling_ok(libusb_context *ctx)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_event_handling_ok(_ctx: *mut libusb_context) -> c_int {
    1
}

/// `int libusb_event_handler_active(libusb_context *ctx)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_event_handler_active(_ctx: *mut libusb_context) -> c_int {
    0
}

/// `void libusb_interrupt_event_handler(libusb_context *ctx)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_interrupt_event_handler(_ctx: *mut libusb_context) {
    shim().notify();
}

/// `void libusb_lock_event_waiters(libusb_context *ctx)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_lock_event_waiters(_ctx: *mut libusb_context) {}

/// `void libusb_unlock_event_waiters(libusb_context *ctx)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_unlock_event_waiters(_ctx: *mut libusb_context) {}

/// `int libusb_wait_for_event(libusb_context *ctx, struct timeval *tv)`: waits for a change.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libusb_wait_for_event(
    _ctx: *mut libusb_context,
    tv: *mut timeval,
) -> c_int {
    guard("libusb_wait_for_event", error::OTHER, || {
        let shim = shim();
        let deadline = tv_duration(tv).map(|d| Instant::now() + d);
        let st = shim.lock();
        drop(shim.wait(st, deadline));
        0
    })
}

/// `const struct libusb_pollfd **libusb_get_pollfds(libusb_context *ctx)`: there are no file
/// descriptors to poll.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_get_pollfds(_ctx: *mut libusb_context) -> *mut *const c_void {
    ptr::null_mut()
}

/// `void libusb_free_pollfds(const struct libusb_pollfd **pollfds)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_free_pollfds(_pollfds: *mut *const c_void) {}

/// `void libusb_set_pollfd_notifiers(...)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_set_pollfd_notifiers(
    _ctx: *mut libusb_context,
    _added: *const c_void,
    _removed: *const c_void,
    _user_data: *mut c_void,
) {
}

/// `int libusb_pollfds_handle_timeouts(libusb_context *ctx)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_pollfds_handle_timeouts(_ctx: *mut libusb_context) -> c_int {
    0
}

// ---- unsupported parts of the API ---------------------------------------------------------------

/// `int libusb_hotplug_register_callback(...)`: hotplug is not supported.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_hotplug_register_callback(
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
#[unsafe(no_mangle)]
pub extern "C" fn libusb_hotplug_deregister_callback(_ctx: *mut libusb_context, _handle: c_int) {}

/// `void *libusb_hotplug_get_user_data(libusb_context *, libusb_hotplug_callback_handle)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_hotplug_get_user_data(
    _ctx: *mut libusb_context,
    _handle: c_int,
) -> *mut c_void {
    ptr::null_mut()
}

/// `int libusb_wrap_sys_device(libusb_context *, intptr_t sys_dev, libusb_device_handle **)`:
/// there is no system device to wrap.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_wrap_sys_device(
    _ctx: *mut libusb_context,
    _sys_dev: isize,
    _handle: *mut *mut libusb_device_handle,
) -> c_int {
    error::NOT_SUPPORTED
}

/// `int libusb_alloc_streams(libusb_device_handle *, uint32_t, unsigned char *, int)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_alloc_streams(
    _handle: *mut libusb_device_handle,
    _num_streams: u32,
    _endpoints: *mut c_uchar,
    _num_endpoints: c_int,
) -> c_int {
    error::NOT_SUPPORTED
}

/// `int libusb_free_streams(libusb_device_handle *, unsigned char *, int)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_free_streams(
    _handle: *mut libusb_device_handle,
    _endpoints: *mut c_uchar,
    _num_endpoints: c_int,
) -> c_int {
    error::NOT_SUPPORTED
}

/// `unsigned char *libusb_dev_mem_alloc(libusb_device_handle *, size_t)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_dev_mem_alloc(
    _handle: *mut libusb_device_handle,
    _length: usize,
) -> *mut c_uchar {
    ptr::null_mut()
}

/// `int libusb_dev_mem_free(libusb_device_handle *, unsigned char *, size_t)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_dev_mem_free(
    _handle: *mut libusb_device_handle,
    _buffer: *mut c_uchar,
    _length: usize,
) -> c_int {
    error::NOT_SUPPORTED
}

/// `int libusb_get_bos_descriptor(libusb_device_handle *, struct libusb_bos_descriptor **)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_get_bos_descriptor(
    _handle: *mut libusb_device_handle,
    _bos: *mut *mut c_void,
) -> c_int {
    error::NOT_SUPPORTED
}

/// `void libusb_free_bos_descriptor(struct libusb_bos_descriptor *bos)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_free_bos_descriptor(_bos: *mut c_void) {}

/// `int libusb_setlocale(const char *locale)`: messages are English.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_setlocale(_locale: *const c_char) -> c_int {
    error::SUCCESS
}

/// `void libusb_set_log_cb(libusb_context *, libusb_log_cb, int mode)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_set_log_cb(_ctx: *mut libusb_context, _cb: *const c_void, _mode: c_int) {}

// ---- misc --------------------------------------------------------------------------------------

/// `LIBUSB_CAP_*`.
const CAP_HAS_CAPABILITY: u32 = 0x0000;
const CAP_SUPPORTS_DETACH_KERNEL_DRIVER: u32 = 0x0101;

/// `int libusb_has_capability(uint32_t capability)`.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_has_capability(capability: u32) -> c_int {
    c_int::from(matches!(
        capability,
        CAP_HAS_CAPABILITY | CAP_SUPPORTS_DETACH_KERNEL_DRIVER
    ))
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

/// `const struct libusb_version *libusb_get_version(void)`: claims libusb 1.0.26.
#[unsafe(no_mangle)]
pub extern "C" fn libusb_get_version() -> *const libusb_version {
    &raw const VERSION.0
}

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

/// `const char *libusb_error_name(int error_code)` (also names transfer statuses, as libusb does).
#[unsafe(no_mangle)]
pub extern "C" fn libusb_error_name(code: c_int) -> *const c_char {
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
#[unsafe(no_mangle)]
pub extern "C" fn libusb_strerror(code: c_int) -> *const c_char {
    error_text(code).1.as_ptr()
}
