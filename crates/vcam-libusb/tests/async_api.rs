//! The asynchronous transfer machinery and the synchronous calls, driven in-process through
//! the C ABI exactly as a C program would (libgphoto2's `usb1` iolib sequence).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unsafe_code)]

use std::ffi::{CStr, c_int};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

use ptp_codec::{OperationCode, ResponseCode};
use vcam_libusb::abi::*;
use vcam_libusb::*;
use vcam_testkit::usb::{command, response};

static CALLS: AtomicUsize = AtomicUsize::new(0);
static LAST_STATUS: AtomicUsize = AtomicUsize::new(usize::MAX);

unsafe extern "C" fn on_done(t: *mut libusb_transfer) {
    CALLS.fetch_add(1, Ordering::SeqCst);
    // SAFETY: the shim passes the live transfer.
    LAST_STATUS.store(unsafe { (*t).status } as usize, Ordering::SeqCst);
}

fn tv(ms: i64) -> timeval {
    timeval {
        tv_sec: ms / 1000,
        tv_usec: (ms % 1000) * 1000,
    }
}

#[test]
fn libgphoto2_style_session() {
    // SAFETY: the test follows the libusb API contract throughout.
    unsafe {
        let mut ctx = ptr::null_mut();
        assert_eq!(libusb_init(&raw mut ctx), 0);
        let mut list = ptr::null_mut();
        let n = libusb_get_device_list(ctx, &raw mut list);
        assert!(n >= 1);
        assert!((*list.add(n as usize)).is_null(), "NULL-terminated");
        let dev = *list;
        let mut desc = libusb_device_descriptor::default();
        assert_eq!(libusb_get_device_descriptor(dev, &raw mut desc), 0);
        assert_eq!(desc.bLength, 18);
        let mut cfg = ptr::null_mut();
        assert_eq!(libusb_get_config_descriptor(dev, 0, &raw mut cfg), 0);
        let alt = &*(*(*cfg).interface).altsetting;
        assert_eq!((alt.bInterfaceClass, alt.bNumEndpoints), (6, 3));
        let eps = std::slice::from_raw_parts(alt.endpoint, 3);
        let addrs: Vec<u8> = eps.iter().map(|e| e.bEndpointAddress).collect();
        assert_eq!(addrs, vec![0x81, 0x02, 0x83]);
        libusb_free_config_descriptor(cfg);
        assert_eq!(libusb_get_max_packet_size(dev, 0x81), 512);
        assert_eq!(libusb_get_max_packet_size(dev, 0x05), error::NOT_FOUND);

        let mut h = ptr::null_mut();
        assert_eq!(libusb_open(dev, &raw mut h), 0);
        assert_eq!(libusb_get_device(h), dev);
        assert_eq!(libusb_kernel_driver_active(h, 0), 0);
        assert_eq!(libusb_claim_interface(h, 0), 0);
        let mut name = [0u8; 64];
        let len = libusb_get_string_descriptor_ascii(h, desc.iProduct, name.as_mut_ptr(), 64);
        assert!(len > 0);
        let product = CStr::from_ptr(name.as_ptr().cast()).to_str().unwrap();
        assert!(product.contains("vcam"), "{product}");
        // An unknown request STALLs: LIBUSB_ERROR_PIPE.
        assert_eq!(
            libusb_control_transfer(h, 0xC0, 0x99, 0, 0, name.as_mut_ptr(), 4, 100),
            error::PIPE
        );

        // Ten interrupt transfers pending, as libgphoto2 submits them.
        let mut transfers = Vec::new();
        for _ in 0..10 {
            let t = libusb_alloc_transfer(0);
            (*t).dev_handle = h;
            (*t).endpoint = 0x83;
            (*t).r#type = transfer_type::INTERRUPT;
            (*t).length = 64;
            (*t).buffer = libc::malloc(64).cast();
            (*t).flags = flags::FREE_BUFFER;
            (*t).callback = Some(on_done);
            assert_eq!(libusb_submit_transfer(t), 0);
            transfers.push(t);
        }
        assert_eq!(
            libusb_submit_transfer(transfers[0]),
            error::BUSY,
            "already pending"
        );
        // Nothing happens: handle_events waits its timeout and runs no callback.
        let mut t0 = tv(30);
        assert_eq!(libusb_handle_events_timeout(ctx, &raw mut t0), 0);
        assert_eq!(CALLS.load(Ordering::SeqCst), 0);

        // A bulk IN with nothing to read times out with nothing transferred.
        let mut buf = vec![0u8; 1024];
        let mut got: c_int = -1;
        assert_eq!(
            libusb_bulk_transfer(h, 0x81, buf.as_mut_ptr(), 1024, &raw mut got, 50),
            error::TIMEOUT
        );
        assert_eq!(got, 0);

        // OpenSession, then InitiateCapture: events arrive on the interrupt transfers.
        let mut cmd = command(OperationCode::OPEN_SESSION, 0, &[1]);
        assert_eq!(
            libusb_bulk_transfer(
                h,
                0x02,
                cmd.as_mut_ptr(),
                cmd.len() as c_int,
                &raw mut got,
                1000
            ),
            0
        );
        assert_eq!(got as usize, cmd.len());
        assert_eq!(
            libusb_bulk_transfer(h, 0x81, buf.as_mut_ptr(), 1024, &raw mut got, 1000),
            0
        );
        assert_eq!(got, 12);
        assert_eq!(response(&buf[..12]).code, ResponseCode::OK.0);
        let mut cmd = command(OperationCode::INITIATE_CAPTURE, 1, &[0, 0]);
        assert_eq!(
            libusb_bulk_transfer(
                h,
                0x02,
                cmd.as_mut_ptr(),
                cmd.len() as c_int,
                &raw mut got,
                1000
            ),
            0
        );
        assert_eq!(
            libusb_bulk_transfer(h, 0x81, buf.as_mut_ptr(), 1024, &raw mut got, 1000),
            0
        );
        assert_eq!(response(&buf[..12]).code, ResponseCode::OK.0);
        let mut events = 0;
        for _ in 0..100 {
            let mut t1 = tv(100);
            libusb_handle_events_timeout(ctx, &raw mut t1);
            events = CALLS.load(Ordering::SeqCst);
            if events >= 2 {
                break;
            }
        }
        assert!(
            events >= 2,
            "ObjectAdded and CaptureComplete expected, got {events} callbacks"
        );
        assert_eq!(
            LAST_STATUS.load(Ordering::SeqCst),
            status::COMPLETED as usize
        );

        // Close: cancel what is still pending; callbacks report CANCELLED.
        let before = CALLS.load(Ordering::SeqCst);
        let mut cancelled = 0;
        for &t in &transfers {
            if libusb_cancel_transfer(t) == 0 {
                cancelled += 1;
            }
        }
        assert_eq!(cancelled, 10 - before);
        let mut zero = tv(0);
        libusb_handle_events_timeout(ctx, &raw mut zero);
        assert_eq!(CALLS.load(Ordering::SeqCst), 10);
        assert_eq!(
            LAST_STATUS.load(Ordering::SeqCst),
            status::CANCELLED as usize
        );
        for t in transfers {
            libusb_free_transfer(t);
        }
        assert_eq!(libusb_release_interface(h, 0), 0);
        libusb_close(h);
        // A closed handle is refused, not dereferenced.
        assert_eq!(libusb_claim_interface(h, 0), error::NO_DEVICE);
        libusb_free_device_list(list, 1);
        libusb_exit(ctx);

        assert_eq!(
            CStr::from_ptr(libusb_error_name(error::PIPE))
                .to_str()
                .unwrap(),
            "LIBUSB_ERROR_PIPE"
        );
        assert!(!libusb_strerror(error::TIMEOUT).is_null());
        assert_eq!((*libusb_get_version()).major, 1);
        assert_eq!(
            libusb_hotplug_register_callback(
                ptr::null_mut(),
                0,
                0,
                0,
                0,
                0,
                ptr::null(),
                ptr::null_mut(),
                ptr::null_mut()
            ),
            error::NOT_SUPPORTED
        );
    }
}
