//! The drop-in beyond vcam-testkit's acceptance matrix (which runs every scenario on every
//! model through it): several models in `VCAM_MODELS` are several cameras on the bus, each
//! on its own USB port.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use vcam_testkit::Env;
use vcam_testkit::server::built;

#[test]
fn auto_detect_lists_every_model_on_usb_ports() {
    let env = Env::new()
        .var("LD_PRELOAD", built("libvcam_libusb.so"))
        .var("VCAM_MODELS", "generic,mtp_camera");
    let out = env.ok("gphoto2", &["--auto-detect"]);
    let ports: Vec<&str> = out.lines().filter(|l| l.contains("usb:")).collect();
    assert_eq!(ports.len(), 2, "two cameras expected:\n{out}");
    assert!(
        ports.iter().all(|l| l.contains("USB PTP Class Camera")),
        "{out}"
    );
    assert!(
        out.contains("usb:001,002") && out.contains("usb:001,003"),
        "{out}"
    );
}
