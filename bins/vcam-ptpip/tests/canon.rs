//! Acceptance: the real gphoto2 drives a Canon EOS 1300D over PTP/IP through libgphoto2's
//! EOS code path (GetEvent, SetDevicePropValueEx, RemoteReleaseOn/Off, GetViewFinderData).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Gphoto, Server, jpeg_size};

fn eos() -> (tempfile::TempDir, Server) {
    let card = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(card.path().join("DCIM/100CANON")).unwrap();
    let server = Server::start(&["canon_1300d", "--fs", card.path().to_str().unwrap()]);
    (card, server)
}

#[test]
fn summary_and_config_widgets() {
    let (_card, server) = eos();
    let g = Gphoto::new(&server);
    let out = g.ok(&["--summary"]);
    assert!(out.contains("Model: Canon EOS 1300D"), "{out}");
    assert!(out.contains("Manufacturer: Canon Inc."), "{out}");
    let out = g.ok(&["--list-config"]);
    for widget in [
        "/iso",
        "/aperture",
        "/shutterspeed",
        "/whitebalance",
        "/imageformat",
        "/capturetarget",
        "/eosremoterelease",
        "/viewfinder",
        "/drivemode",
        "/autoexposuremode",
        "/shuttercounter",
    ] {
        assert!(
            out.lines().any(|l| l.ends_with(widget)),
            "{widget} missing:\n{out}"
        );
    }
}

#[test]
fn iso_round_trips_and_outside_values_are_refused() {
    let (_card, server) = eos();
    let g = Gphoto::new(&server);
    g.ok(&["--set-config", "iso=800"]);
    let out = g.ok(&["--get-config", "iso"]);
    assert!(out.contains("Current: 800"), "{out}");
    // Not an ISO libgphoto2 knows: refused by the client.
    let run = g.run(&["--set-config", "iso=123"]);
    assert!(!run.ok, "a value outside the list must be refused");
    // An ISO libgphoto2 knows but the 1300D does not offer: libgphoto2 sends it anyway
    // (config.c _put_Genericu16Table falls back), and the camera refuses it.
    let run = g.run(&["--set-config", "iso=25600"]);
    assert!(!run.ok, "ISO 25600 is outside the 1300D's list");
    assert!(
        run.stderr.contains("0x201c"),
        "refused by the camera with InvalidDevicePropValue:\n{}",
        run.stderr
    );
    let out = g.ok(&["--get-config", "iso"]);
    assert!(
        out.contains("Current: 800"),
        "refused value changed something:\n{out}"
    );
    // A change shows up in the event stream.
    let out = g.ok(&["--set-config", "iso=400", "--wait-event=3s"]);
    assert!(
        out.contains("d103 changed") && out.contains("\"iso\" to \"400\""),
        "{out}"
    );
}

#[test]
fn capture_to_host_memory_and_to_card() {
    let (card, server) = eos();
    let g = Gphoto::new(&server);
    let out = g.ok(&[
        "--set-config",
        "capturetarget=0",
        "--capture-image-and-download",
        "--filename",
        "ram.jpg",
    ]);
    assert!(
        out.contains("/capt0000.jpg"),
        "host capture is a virtual file:\n{out}"
    );
    let (w, h) = jpeg_size(&g.file("ram.jpg"));
    assert!(w > 0 && h > 0);
    let out = g.ok(&[
        "--set-config",
        "capturetarget=1",
        "--capture-image-and-download",
        "--keep",
        "--filename",
        "card.jpg",
    ]);
    assert!(out.contains("/DCIM/100CANON/IMG_"), "card capture:\n{out}");
    jpeg_size(&g.file("card.jpg"));
    let on_card = std::fs::read_dir(card.path().join("DCIM/100CANON"))
        .unwrap()
        .count();
    assert_eq!(on_card, 1, "the card capture stays on the card (--keep)");
    // Listings go through EOS GetObjectInfoEx (advertised, as on the real body).
    let out = g.ok(&["--list-files"]);
    assert!(
        out.contains("folder '/store_00010001/DCIM/100CANON'") && out.contains("IMG_"),
        "{out}"
    );
    assert!(server.log().contains("0x9109"), "GetObjectInfoEx used");
}

#[test]
fn bulb_through_remote_release() {
    let (card, server) = eos();
    let g = Gphoto::new(&server);
    g.ok(&[
        "--set-config",
        "capturetarget=1",
        "--set-config",
        "shutterspeed=bulb",
    ]);
    // The choice names differ between libgphoto2 versions: full press 3, release 3.
    let choices = g.ok(&["--get-config", "eosremoterelease"]);
    let choice = |want: &[&str]| {
        want.iter()
            .copied()
            .find(|w| choices.lines().any(|l| l.ends_with(&format!(" {w}"))))
            .unwrap_or_else(|| panic!("none of {want:?} in\n{choices}"))
            .to_string()
    };
    let press = choice(&["Press Full", "Press Full AF"]);
    let release = choice(&["Release 3", "Release"]);
    g.ok(&["--set-config", &format!("eosremoterelease={press}")]);
    let folder = card.path().join("DCIM/100CANON");
    assert_eq!(
        std::fs::read_dir(&folder).unwrap().count(),
        0,
        "the shutter stays open"
    );
    let out = g.ok(&[
        "--set-config",
        &format!("eosremoterelease={release}"),
        "--wait-event=1s",
    ]);
    assert!(out.contains("FILEADDED IMG_"), "{out}");
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1);
}

#[test]
fn preview_twice_and_movie() {
    let (_card, server) = eos();
    let g = Gphoto::new(&server);
    g.ok(&["--capture-preview", "--filename", "p1.jpg"]);
    std::thread::sleep(std::time::Duration::from_millis(100));
    g.ok(&["--capture-preview", "--filename", "p2.jpg"]);
    // gphoto2 saves previews as thumb_<name>.
    jpeg_size(&g.file("thumb_p1.jpg"));
    jpeg_size(&g.file("thumb_p2.jpg"));
    assert_ne!(
        std::fs::read(g.file("thumb_p1.jpg")).unwrap(),
        std::fs::read(g.file("thumb_p2.jpg")).unwrap()
    );
    g.ok(&["--capture-movie=3s"]);
    let movie = std::fs::read(g.file("movie.mjpg")).unwrap();
    let frames = movie
        .windows(3)
        .filter(|w| w == &[0xFF, 0xD8, 0xFF])
        .count();
    assert!(frames >= 30, "only {frames} frames in 3 s");
}
