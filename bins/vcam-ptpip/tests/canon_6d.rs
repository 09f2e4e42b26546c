//! Acceptance: the real gphoto2 drives a Canon EOS 6D over PTP/IP (the WiFi body): the summary
//! of the real body's dump, a config round trip and the body's refusal, capture to both
//! targets, live view, movie recording to the card (`movierecordtarget`) and bulb with
//! BulbExposureTime events. (The 1300D runs the same through tests/canon.rs; these move to the
//! shared (model x transport) matrix when it lands.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Gphoto, Server, jpeg_size};

fn six_d() -> (tempfile::TempDir, Server) {
    let card = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(card.path().join("DCIM/100CANON")).unwrap();
    let server = Server::start(&["canon_6d", "--fs", card.path().to_str().unwrap()]);
    (card, server)
}

#[test]
fn summary_is_the_real_bodys_and_iso_round_trips() {
    let (_card, server) = six_d();
    let g = Gphoto::new(&server);
    let out = g.ok(&["--summary"]);
    for line in [
        "Model: Canon EOS 6D",
        "Version: 3-1.1.2",
        "Display Formats: Association/Directory, Script, DPOF, MS AVI, MS Wave, JPEG, CRW, Unknown(b103), Unknown(bf02), Defined Type, Unknown(b104), Unknown(b105)",
    ] {
        assert!(out.contains(line), "{line} missing:\n{out}");
    }
    let out = g.ok(&["--get-config", "imageformat"]);
    assert!(
        out.contains("Current: Large Fine JPEG") && out.contains("Choice: 34 "),
        "35 image formats:\n{out}"
    );
    g.ok(&["--set-config", "iso=12800"]);
    assert!(g.ok(&["--get-config", "iso"]).contains("Current: 12800"));
    // ISO 51200 is an expansion setting the 6D does not list: the body refuses it.
    let run = g.run(&["--set-config", "iso=51200"]);
    assert!(
        !run.ok && run.stderr.contains("0x201c"),
        "refused by the camera:\n{}",
        run.stderr
    );
    assert!(g.ok(&["--get-config", "iso"]).contains("Current: 12800"));
}

#[test]
fn capture_to_both_targets_and_preview() {
    let (card, server) = six_d();
    let g = Gphoto::new(&server);
    g.ok(&[
        "--set-config",
        "capturetarget=0",
        "--capture-image-and-download",
        "--filename",
        "ram.jpg",
    ]);
    jpeg_size(&g.file("ram.jpg"));
    let out = g.ok(&[
        "--set-config",
        "capturetarget=1",
        "--capture-image-and-download",
        "--keep",
        "--filename",
        "card.jpg",
    ]);
    assert!(out.contains("/DCIM/100CANON/IMG_"), "{out}");
    assert_eq!(
        std::fs::read_dir(card.path().join("DCIM/100CANON"))
            .unwrap()
            .count(),
        1
    );
    g.ok(&["--capture-preview", "--filename", "p.jpg"]);
    jpeg_size(&g.file("thumb_p.jpg"));
}

#[test]
fn a_movie_is_recorded_to_the_card() {
    let (card, server) = six_d();
    let g = Gphoto::new(&server);
    let out = g.ok(&[
        "--set-config",
        "movierecordtarget=Card",
        "--wait-event=2s",
        "--set-config",
        "movierecordtarget=None",
        "--wait-event=1s",
    ]);
    assert!(out.contains("FILEADDED MVI_0001.MOV"), "{out}");
    let movie = std::fs::read(card.path().join("DCIM/100CANON/MVI_0001.MOV")).unwrap();
    assert_eq!(&movie[4..8], b"ftyp", "a QuickTime file");
    let frames = movie
        .windows(3)
        .filter(|w| w == &[0xFF, 0xD8, 0xFF])
        .count();
    assert!(frames >= 2, "only {frames} frames");
    // It downloads like any file.
    g.ok(&[
        "--get-file",
        "/store_00010001/DCIM/100CANON/MVI_0001.MOV",
        "--filename",
        "movie.mov",
    ]);
    assert_eq!(std::fs::read(g.file("movie.mov")).unwrap(), movie);
}

#[test]
fn bulb_reports_its_exposure_time() {
    let (card, server) = six_d();
    let g = Gphoto::new(&server);
    g.ok(&[
        "--set-config",
        "capturetarget=1",
        "--set-config",
        "shutterspeed=bulb",
    ]);
    let out = g.ok(&[
        "--set-config",
        "eosremoterelease=Press Full",
        "--wait-event=2500ms",
        "--set-config",
        "eosremoterelease=Release Full",
        "--wait-event=1s",
    ]);
    assert!(out.contains("BulbExposureTime 1"), "{out}");
    assert!(out.contains("BulbExposureTime 2"), "{out}");
    assert!(out.contains("FILEADDED IMG_"), "{out}");
    assert_eq!(
        std::fs::read_dir(card.path().join("DCIM/100CANON"))
            .unwrap()
            .count(),
        1
    );
}
