//! descriptor.c: device, configuration, string and BOS descriptors.

use std::ffi::{c_int, c_uchar, c_void};
use std::ptr;

use vcam_usb::{ControlReply, SetupPacket};

use super::{device_of, handle_of};
use crate::abi::{
    error, libusb_config_descriptor, libusb_device, libusb_device_descriptor, libusb_device_handle,
    libusb_endpoint_descriptor, libusb_interface, libusb_interface_descriptor,
};
use crate::runtime::shim;

export! {
    /// `int libusb_get_device_descriptor(libusb_device *dev, struct libusb_device_descriptor *desc)`.
    fn libusb_get_device_descriptor(
        dev: *mut libusb_device,
        desc: *mut libusb_device_descriptor,
    ) -> c_int {
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
    }

    /// `int libusb_get_config_descriptor(libusb_device *dev, uint8_t index, struct libusb_config_descriptor **config)`.
    fn libusb_get_config_descriptor(
        dev: *mut libusb_device,
        index: u8,
        config: *mut *mut libusb_config_descriptor,
    ) -> c_int {
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
    }

    /// `int libusb_get_active_config_descriptor(libusb_device *dev, struct libusb_config_descriptor **config)`.
    fn libusb_get_active_config_descriptor(
        dev: *mut libusb_device,
        config: *mut *mut libusb_config_descriptor,
    ) -> c_int {
        // SAFETY: same contract.
        unsafe { libusb_get_config_descriptor(dev, 0, config) }
    }

    /// `int libusb_get_config_descriptor_by_value(libusb_device *, uint8_t value, struct libusb_config_descriptor **)`.
    fn libusb_get_config_descriptor_by_value(
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
    fn libusb_free_config_descriptor(config: *mut libusb_config_descriptor) {
        if !config.is_null() {
            // SAFETY: configuration descriptors are handed out only by build_config, as the
            // first field of a boxed ConfigBundle.
            drop(unsafe { Box::from_raw(config.cast::<ConfigBundle>()) });
        }
    }

    /// `int libusb_get_string_descriptor_ascii(libusb_device_handle *, uint8_t index, unsigned char *data, int length)`.
    fn libusb_get_string_descriptor_ascii(
        handle: *mut libusb_device_handle,
        desc_index: u8,
        data: *mut c_uchar,
        length: c_int,
    ) -> c_int {
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
    }

    /// `int libusb_get_bos_descriptor(libusb_device_handle *, struct libusb_bos_descriptor **)`.
    fn libusb_get_bos_descriptor(
        _handle: *mut libusb_device_handle,
        _bos: *mut *mut c_void,
    ) -> c_int {
        error::NOT_SUPPORTED
    }

    /// `void libusb_free_bos_descriptor(struct libusb_bos_descriptor *bos)`.
    fn libusb_free_bos_descriptor(_bos: *mut c_void) {}
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

/// wMaxPacketSize of `endpoint` in a configuration blob.
pub(super) fn endpoint_max_packet(config: &[u8], endpoint: u8) -> Option<u16> {
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
