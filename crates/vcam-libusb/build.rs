//! Gives the shared library the SONAME of libusb, so it can also replace it through
//! `LD_LIBRARY_PATH` (as a file or symlink named `libusb-1.0.so.0`).
fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libusb-1.0.so.0");
}
