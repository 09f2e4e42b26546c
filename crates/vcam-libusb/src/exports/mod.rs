//! The exported `libusb_*` functions, in files named after libusb's own sources: `core`
//! (core.c: contexts, the device list, open and close, configurations, interfaces, kernel
//! drivers, capabilities), `descriptor` (descriptor.c), `sync` (sync.c), `io` (io.c:
//! asynchronous transfers and event handling), `strerror` (strerror.c, with the version and
//! error names) and `unsupported` (hotplug, bulk streams, device memory, system devices). Each
//! export checks and converts pointers and calls into [`crate::runtime`].
//!
//! # Panic boundary
//!
//! Every export is defined through `export!`, which makes it a
//! `#[unsafe(no_mangle)] pub unsafe extern "C" fn` whose body runs in [`guard`]: a panic is
//! caught, reported on stderr, and the function returns [`OnPanic::ON_PANIC`]
//! (`LIBUSB_ERROR_OTHER`, NULL, 0 or nothing) instead of unwinding into C. No export is written
//! any other way; a unit test checks the sources.
//!
//! # Safety
//!
//! Every export is `unsafe` with one contract: the libusb-1.0 contract of that function, as
//! libusb 1.0.26's `libusb.h` and its API documentation state it. Pointers are valid for the
//! lengths passed with them, out pointers are writable, objects passed back came from this
//! library and are not freed yet, and a transfer is not freed or changed while it is pending.
//! Within that contract each `unsafe` block says why it is sound. Devices and device handles
//! are checked against the live ones before use, so a stale or foreign one is refused with
//! `LIBUSB_ERROR_NO_DEVICE` rather than dereferenced.
//!
//! # Who owns what
//!
//! | C object | made by | freed by | in Rust |
//! |---|---|---|---|
//! | `libusb_context *` | `libusb_init` | `libusb_exit` | `Box<LibusbContext>` |
//! | `libusb_device *` | the shim, once | never (`ref`/`unref` do nothing) | `&'static VirtualDevice`, one of `Shim::devices` |
//! | `libusb_device **` | `libusb_get_device_list` | `libusb_free_device_list` | `Box<[*mut libusb_device]>`, NULL-terminated |
//! | `libusb_device_handle *` | `libusb_open` | `libusb_close` | `Box<Handle>`, listed in `HANDLES` while open |
//! | `libusb_config_descriptor *` | `libusb_get_config_descriptor` | `libusb_free_config_descriptor` | `Box<ConfigBundle>`, the descriptor its first field |
//! | `libusb_transfer *` | `libusb_alloc_transfer` | `libusb_free_transfer`, or after its callback with `FREE_TRANSFER` | `calloc`, with room for the ISO packet descriptors |
//! | a transfer's buffer | the caller (`malloc`) | the caller, or `libusb_free_transfer` with `FREE_BUFFER` | `libc::free` |
//! | `libusb_version`, names, messages | static | never | `'static` |

use std::collections::HashSet;
use std::ffi::c_int;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::abi::{error, libusb_device, libusb_device_handle};
use crate::runtime::{VirtualDevice, shim};

/// Defines exported libusb functions. Each `fn` becomes
/// `#[unsafe(no_mangle)] pub unsafe extern "C" fn` with a `# Safety` section, and its body
/// runs behind [`guard`] (a `return` in the body returns from the export).
macro_rules! export {
    ($(
        $(#[$attr:meta])*
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block
    )*) => {$(
        $(#[$attr])*
        ///
        /// # Safety
        ///
        /// The libusb-1.0 contract of this function (libusb 1.0.26 `libusb.h`): pointers valid
        /// for the lengths given, objects that came from this library and are not freed yet,
        /// no transfer freed or changed while it is pending.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name($($arg: $ty),*) $(-> $ret)? {
            $crate::exports::guard(stringify!($name), move || $body)
        }
    )*};
}

mod core;
mod descriptor;
mod io;
mod strerror;
mod sync;
mod unsupported;

pub use self::core::*;
pub use self::descriptor::*;
pub use self::io::*;
pub use self::strerror::*;
pub use self::sync::*;
pub use self::unsupported::*;

/// What an export returns when its body panicked.
trait OnPanic {
    /// `LIBUSB_ERROR_OTHER` for status codes and counts, NULL for pointers, 0 for bus numbers
    /// and addresses.
    const ON_PANIC: Self;
}

impl OnPanic for () {
    const ON_PANIC: Self = ();
}

impl OnPanic for c_int {
    const ON_PANIC: Self = error::OTHER;
}

impl OnPanic for isize {
    const ON_PANIC: Self = error::OTHER as Self;
}

impl OnPanic for u8 {
    const ON_PANIC: Self = 0;
}

impl<T> OnPanic for *mut T {
    const ON_PANIC: Self = ptr::null_mut();
}

impl<T> OnPanic for *const T {
    const ON_PANIC: Self = ptr::null();
}

/// Runs the body of the export `name`, turning a panic into [`OnPanic::ON_PANIC`] (a panic
/// must never unwind into C).
fn guard<T: OnPanic>(name: &str, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(v) => v,
        Err(_) => {
            eprintln!("vcam-libusb: internal error in {name}; returning an error");
            T::ON_PANIC
        }
    }
}

/// A `libusb_context`. The shim has one bus per process (see `io::collect_finished`), so a
/// context holds no state; it only needs a distinct, freeable address.
struct LibusbContext {
    _id: u8,
}

/// An open device: a `libusb_device_handle`.
struct Handle {
    device: &'static VirtualDevice,
}

/// Live handles, so a stale or foreign pointer is refused rather than dereferenced.
static HANDLES: Mutex<Option<HashSet<usize>>> = Mutex::new(None);

fn handles() -> MutexGuard<'static, Option<HashSet<usize>>> {
    HANDLES.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The virtual device `dev` points to, if it is one.
fn device_of(dev: *mut libusb_device) -> Option<&'static VirtualDevice> {
    let shim = shim();
    shim.devices.iter().copied().find(|d| {
        ptr::eq(
            ptr::from_ref::<VirtualDevice>(d).cast::<libusb_device>(),
            dev,
        )
    })
}

/// The open handle `handle` points to, if it is one.
fn handle_of(handle: *mut libusb_device_handle) -> Option<&'static Handle> {
    let live = handles().as_ref()?.contains(&(handle as usize));
    if !live {
        return None;
    }
    // SAFETY: the address is in HANDLES, so it came from `Box::into_raw` in `libusb_open` and
    // has not been freed by `libusb_close` (which removes it first). Handles are immutable.
    Some(unsafe { &*(handle as *const Handle) })
}

/// The `libusb_device *` of a virtual device: its address.
fn device_ptr(d: &'static VirtualDevice) -> *mut libusb_device {
    ptr::from_ref(d).cast_mut().cast()
}

#[cfg(test)]
mod tests {
    /// The sources of the files that define exports.
    const SOURCES: [(&str, &str); 6] = [
        ("core.rs", include_str!("core.rs")),
        ("descriptor.rs", include_str!("descriptor.rs")),
        ("io.rs", include_str!("io.rs")),
        ("strerror.rs", include_str!("strerror.rs")),
        ("sync.rs", include_str!("sync.rs")),
        ("unsupported.rs", include_str!("unsupported.rs")),
    ];

    #[test]
    fn a_panic_becomes_the_error_value() {
        use std::ffi::c_int;

        use super::{OnPanic, guard};
        use crate::abi::error;

        assert_eq!(guard("test", || -> c_int { panic!("bug") }), error::OTHER);
        assert!(guard("test", || -> *mut u8 { panic!("bug") }).is_null());
        assert_eq!(guard("test", || -> u8 { panic!("bug") }), 0);
        assert_eq!(guard("test", || 7), 7);
        assert_eq!(isize::ON_PANIC, error::OTHER as isize);
    }

    #[test]
    fn every_export_is_defined_through_the_macro() {
        for (file, text) in SOURCES {
            for needle in ["no_mangle", "extern \"C\" fn", "export_name"] {
                assert!(
                    !text.contains(needle),
                    "{file} has `{needle}`: define exports with `export!`, behind the panic boundary"
                );
            }
        }
    }
}
