//! The public structs and constants of `libusb.h` (libusb 1.0.26, API version 0x01000109),
//! laid out identically (`#[repr(C)]`). The inline helpers of `libusb.h`
//! (`libusb_fill_*_transfer`, `libusb_get_descriptor`, ...) write these structs directly, so
//! the layout is part of the ABI; `tests/layout.rs` checks it against the system header.
#![allow(non_camel_case_types, non_snake_case, missing_docs)]

use std::ffi::{c_char, c_int, c_uchar, c_uint, c_void};

/// `LIBUSB_SUCCESS` and the `libusb_error` codes.
pub mod error {
    use std::ffi::c_int;
    pub const SUCCESS: c_int = 0;
    pub const IO: c_int = -1;
    pub const INVALID_PARAM: c_int = -2;
    pub const ACCESS: c_int = -3;
    pub const NO_DEVICE: c_int = -4;
    pub const NOT_FOUND: c_int = -5;
    pub const BUSY: c_int = -6;
    pub const TIMEOUT: c_int = -7;
    pub const OVERFLOW: c_int = -8;
    pub const PIPE: c_int = -9;
    pub const INTERRUPTED: c_int = -10;
    pub const NO_MEM: c_int = -11;
    pub const NOT_SUPPORTED: c_int = -12;
    pub const OTHER: c_int = -99;
}

/// `enum libusb_transfer_status`.
pub mod status {
    use std::ffi::c_int;
    pub const COMPLETED: c_int = 0;
    pub const ERROR: c_int = 1;
    pub const TIMED_OUT: c_int = 2;
    pub const CANCELLED: c_int = 3;
    pub const STALL: c_int = 4;
    pub const NO_DEVICE: c_int = 5;
    pub const OVERFLOW: c_int = 6;
}

/// `enum libusb_transfer_type`.
pub mod transfer_type {
    pub const CONTROL: u8 = 0;
    pub const ISOCHRONOUS: u8 = 1;
    pub const BULK: u8 = 2;
    pub const INTERRUPT: u8 = 3;
    pub const BULK_STREAM: u8 = 4;
}

/// `enum libusb_transfer_flags`.
pub mod flags {
    pub const SHORT_NOT_OK: u8 = 1 << 0;
    pub const FREE_BUFFER: u8 = 1 << 1;
    pub const FREE_TRANSFER: u8 = 1 << 2;
    pub const ADD_ZERO_PACKET: u8 = 1 << 3;
}

/// `LIBUSB_SPEED_HIGH`.
pub const SPEED_HIGH: c_int = 3;

/// Opaque `libusb_context`.
#[repr(C)]
pub struct libusb_context {
    _private: [u8; 0],
}

/// Opaque `libusb_device`.
#[repr(C)]
pub struct libusb_device {
    _private: [u8; 0],
}

/// Opaque `libusb_device_handle`.
#[repr(C)]
pub struct libusb_device_handle {
    _private: [u8; 0],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct libusb_device_descriptor {
    pub bLength: u8,
    pub bDescriptorType: u8,
    pub bcdUSB: u16,
    pub bDeviceClass: u8,
    pub bDeviceSubClass: u8,
    pub bDeviceProtocol: u8,
    pub bMaxPacketSize0: u8,
    pub idVendor: u16,
    pub idProduct: u16,
    pub bcdDevice: u16,
    pub iManufacturer: u8,
    pub iProduct: u8,
    pub iSerialNumber: u8,
    pub bNumConfigurations: u8,
}

#[repr(C)]
#[derive(Debug)]
pub struct libusb_endpoint_descriptor {
    pub bLength: u8,
    pub bDescriptorType: u8,
    pub bEndpointAddress: u8,
    pub bmAttributes: u8,
    pub wMaxPacketSize: u16,
    pub bInterval: u8,
    pub bRefresh: u8,
    pub bSynchAddress: u8,
    pub extra: *const c_uchar,
    pub extra_length: c_int,
}

#[repr(C)]
#[derive(Debug)]
pub struct libusb_interface_descriptor {
    pub bLength: u8,
    pub bDescriptorType: u8,
    pub bInterfaceNumber: u8,
    pub bAlternateSetting: u8,
    pub bNumEndpoints: u8,
    pub bInterfaceClass: u8,
    pub bInterfaceSubClass: u8,
    pub bInterfaceProtocol: u8,
    pub iInterface: u8,
    pub endpoint: *const libusb_endpoint_descriptor,
    pub extra: *const c_uchar,
    pub extra_length: c_int,
}

#[repr(C)]
#[derive(Debug)]
pub struct libusb_interface {
    pub altsetting: *const libusb_interface_descriptor,
    pub num_altsetting: c_int,
}

#[repr(C)]
#[derive(Debug)]
pub struct libusb_config_descriptor {
    pub bLength: u8,
    pub bDescriptorType: u8,
    pub wTotalLength: u16,
    pub bNumInterfaces: u8,
    pub bConfigurationValue: u8,
    pub iConfiguration: u8,
    pub bmAttributes: u8,
    pub MaxPower: u8,
    pub interface: *const libusb_interface,
    pub extra: *const c_uchar,
    pub extra_length: c_int,
}

#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct libusb_iso_packet_descriptor {
    pub length: c_uint,
    pub actual_length: c_uint,
    pub status: c_int,
}

/// `libusb_transfer_cb_fn`.
pub type libusb_transfer_cb_fn = Option<unsafe extern "C" fn(*mut libusb_transfer)>;

#[repr(C)]
#[derive(Debug)]
pub struct libusb_transfer {
    pub dev_handle: *mut libusb_device_handle,
    pub flags: u8,
    pub endpoint: c_uchar,
    pub r#type: c_uchar,
    pub timeout: c_uint,
    pub status: c_int,
    pub length: c_int,
    pub actual_length: c_int,
    pub callback: libusb_transfer_cb_fn,
    pub user_data: *mut c_void,
    pub buffer: *mut c_uchar,
    pub num_iso_packets: c_int,
    pub iso_packet_desc: [libusb_iso_packet_descriptor; 0],
}

#[repr(C)]
#[derive(Debug)]
pub struct libusb_version {
    pub major: u16,
    pub minor: u16,
    pub micro: u16,
    pub nano: u16,
    pub rc: *const c_char,
    pub describe: *const c_char,
}

/// `struct timeval` as libusb takes it.
pub type timeval = libc::timeval;
