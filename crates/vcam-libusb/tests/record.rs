//! `VCAM_RECORD=FILE`: gphoto2 through the drop-in, every USB transfer recorded as pcapng of
//! Linux usbmon records, opened by `tshark -r` and decoded by Wireshark's USB dissector (it has
//! no PTP-over-USB dissector: the PTP containers are the bulk transfers' data).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ptp_codec::OperationCode;
use vcam_testkit::server::built;
use vcam_testkit::{Env, require, tshark};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_recorded_gphoto2_session_decodes_as_usb_in_tshark() {
    let _ = require("tshark"); // before the session: a missing tshark says how to install it
    let env = Env::new().var("LD_PRELOAD", built("libvcam_libusb.so"));
    let file = env.file("session.pcapng");
    let env = env.var("VCAM_RECORD", &file);
    env.ok("gphoto2", &["--summary"]);
    // A second process records anew: the last session is the one in the file.
    env.ok("gphoto2", &["--get-file", "1"]);
    let downloaded = std::fs::read_dir(env.cwd())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg")))
        .expect("gphoto2 saved no JPEG");
    let jpeg = std::fs::read(downloaded).unwrap();

    let urbs = tshark::fields(
        &file,
        &[],
        "usb",
        &[
            "usb.urb_type",
            "usb.transfer_type",
            "usb.endpoint_address",
            "usb.capdata",
        ],
    );
    let rows: Vec<Vec<&str>> = urbs.lines().map(|l| l.split('\t').collect()).collect();
    assert!(rows.len() > 20, "only {} URBs decoded:\n{urbs}", rows.len());
    // Bulk (0x03) submissions to the OUT endpoint 0x02 and completions from the IN endpoint
    // 0x81 (the generic camera's).
    let bulk = |urb: &str, ep: &str| {
        rows.iter()
            .filter(|r| {
                r.first() == Some(&urb) && r.get(1) == Some(&"0x03") && r.get(2) == Some(&ep)
            })
            .filter_map(|r| r.get(3).copied())
            .collect::<Vec<&str>>()
    };
    let out = bulk("'S'", "0x02");
    let in_ = bulk("'C'", "0x81");
    assert!(
        !out.is_empty() && !in_.is_empty(),
        "no bulk transfers:\n{urbs}"
    );
    // The OpenSession and GetObject command containers, byte for byte.
    let open_session = hex(&vcam_testkit::usb::command(
        OperationCode::OPEN_SESSION,
        0,
        &[1],
    ));
    assert!(
        out.iter().any(|d| *d == open_session),
        "no OpenSession container {open_session} in:\n{out:#?}"
    );
    assert!(
        out.iter().any(|d| d.get(12..16) == Some("0910")),
        "no GetObject (0x1009) command container in:\n{out:#?}"
    );
    // The JPEG came back in the data container's bulk IN transfers.
    let data_in: String = in_.concat();
    assert!(
        data_in.contains(&hex(&jpeg)),
        "the downloaded JPEG is not in the bulk IN data"
    );

    tshark::assert_clean(&file, &[]);
}
