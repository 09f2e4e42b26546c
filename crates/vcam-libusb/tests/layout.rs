//! The `#[repr(C)]` structs match the system's `libusb.h` field by field: a C program
//! compiled against the header prints sizes and offsets, and they are compared with Rust's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::mem::{offset_of, size_of};
use std::process::Command;

use vcam_libusb::abi::*;

macro_rules! fields {
    ($ty:ident: $($field:ident),*) => {
        (
            stringify!($ty),
            size_of::<$ty>(),
            vec![$((stringify!($field), offset_of!($ty, $field))),*],
        )
    };
}

#[test]
fn structs_match_libusb_h() {
    let header = "/usr/include/libusb-1.0/libusb.h";
    assert!(
        std::path::Path::new(header).exists(),
        "{header} missing: run ./scripts/test.sh (it installs it) or `apt-get install libusb-1.0-0-dev`"
    );
    let ours = vec![
        fields!(libusb_device_descriptor: bLength, bDescriptorType, bcdUSB, bDeviceClass, bDeviceSubClass,
            bDeviceProtocol, bMaxPacketSize0, idVendor, idProduct, bcdDevice, iManufacturer, iProduct,
            iSerialNumber, bNumConfigurations),
        fields!(libusb_endpoint_descriptor: bLength, bDescriptorType, bEndpointAddress, bmAttributes,
            wMaxPacketSize, bInterval, bRefresh, bSynchAddress, extra, extra_length),
        fields!(libusb_interface_descriptor: bLength, bDescriptorType, bInterfaceNumber, bAlternateSetting,
            bNumEndpoints, bInterfaceClass, bInterfaceSubClass, bInterfaceProtocol, iInterface, endpoint,
            extra, extra_length),
        fields!(libusb_interface: altsetting, num_altsetting),
        fields!(libusb_config_descriptor: bLength, bDescriptorType, wTotalLength, bNumInterfaces,
            bConfigurationValue, iConfiguration, bmAttributes, MaxPower, interface, extra, extra_length),
        fields!(libusb_iso_packet_descriptor: length, actual_length, status),
        fields!(libusb_transfer: dev_handle, flags, endpoint, timeout, status, length, actual_length,
            callback, user_data, buffer, num_iso_packets, iso_packet_desc),
        fields!(libusb_version: major, minor, micro, nano, rc, describe),
    ];
    let mut c = String::from(
        "#include <stdio.h>\n#include <stddef.h>\n#include <libusb.h>\nint main(void) {\n",
    );
    for (ty, _, fields) in &ours {
        c += &format!("printf(\"{ty} size %zu\\n\", sizeof(struct {ty}));\n");
        for (field, _) in fields {
            c += &format!("printf(\"{ty}.{field} %zu\\n\", offsetof(struct {ty}, {field}));\n");
        }
    }
    // `type` is a Rust keyword; checked separately.
    c += "printf(\"libusb_transfer.type %zu\\n\", offsetof(struct libusb_transfer, type));\n";
    c += "return 0; }\n";
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("layout.c");
    let exe = dir.path().join("layout");
    std::fs::write(&src, c).unwrap();
    let cc = Command::new("cc")
        .args(["-I/usr/include/libusb-1.0", "-o"])
        .arg(&exe)
        .arg(&src)
        .output()
        .expect("a C compiler (`cc`) is needed: apt-get install gcc");
    assert!(
        cc.status.success(),
        "{}",
        String::from_utf8_lossy(&cc.stderr)
    );
    let out = Command::new(&exe).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let c_values: HashMap<String, usize> = text
        .lines()
        .filter_map(|l| {
            let (k, v) = l.rsplit_once(' ')?;
            Some((k.to_string(), v.parse().ok()?))
        })
        .collect();
    let mut checked = 0;
    for (ty, size, fields) in &ours {
        assert_eq!(
            c_values[&format!("{ty} size")],
            *size,
            "sizeof(struct {ty})"
        );
        for (field, offset) in fields {
            assert_eq!(
                c_values[&format!("{ty}.{field}")],
                *offset,
                "offsetof({ty}, {field})"
            );
            checked += 1;
        }
    }
    assert_eq!(
        c_values["libusb_transfer.type"],
        offset_of!(libusb_transfer, r#type)
    );
    assert!(checked > 60);
}
