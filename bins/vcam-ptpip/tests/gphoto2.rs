//! Real gphoto2 (libgphoto2's PTP/IP driver) against `vcam-ptpip`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;

use common::{Gphoto, Server, jpeg_size, sample_folder};

#[test]
fn summary_names_the_camera_and_its_storage() {
    let server = Server::start(&[]);
    let g = Gphoto::new(&server);
    let out = g.ok(&["--summary"]);
    assert!(out.contains("Manufacturer: vcam"), "{out}");
    assert!(out.contains("Model: Generic PTP Camera"), "{out}");
    assert!(out.contains("store_00010001"), "{out}");
    assert!(out.contains("Storage Type: Removable RAM"), "{out}");
    assert!(
        out.contains("Video: dss: 36"),
        "stream info answered: {out}"
    );
}

#[test]
fn files_download_byte_for_byte_upload_and_delete() {
    let card = sample_folder();
    let root = card.path().to_str().unwrap();
    let server = Server::start(&["--fs", root]);
    let g = Gphoto::new(&server);

    let list = g.ok(&["--list-files"]);
    for name in ["PIC_0001.JPG", "PIC_0002.PNG", "MOVIE.MOV", "NOTES.TXT"] {
        assert!(list.contains(name), "{name} listed: {list}");
    }
    g.ok(&["--get-all-files"]);
    for (name, path) in [
        ("PIC_0001.JPG", "DCIM/100TEST/PIC_0001.JPG"),
        ("PIC_0002.PNG", "DCIM/100TEST/PIC_0002.PNG"),
        ("MOVIE.MOV", "DCIM/100TEST/MOVIE.MOV"),
        ("NOTES.TXT", "DCIM/NOTES.TXT"),
    ] {
        let got = fs::read(g.file(name)).unwrap();
        let want = fs::read(card.path().join(path)).unwrap();
        assert!(
            got == want,
            "{name}: downloaded {} bytes, card has {}",
            got.len(),
            want.len()
        );
    }

    // Thumbnails: a JPEG without EXIF thumbnail gets one generated.
    // Files in a folder are numbered in name order: 1 MOVIE.MOV, 2 PIC_0001.JPG, 3 PIC_0002.PNG.
    g.ok(&[
        "--folder",
        "/store_00010001/DCIM/100TEST",
        "--get-thumbnail",
        "2",
    ]);
    let thumb = fs::read_dir(g.cwd.path())
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("thumb_"))
        .expect("thumbnail saved");
    let (w, h) = jpeg_size(&thumb.path());
    assert!(w <= 160 && h <= 120 && w > 0, "{w}x{h}");

    // Upload into DCIM: the file appears in the folder with the same bytes.
    let upload = g.file("UPLOAD.BIN");
    let payload: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    fs::write(&upload, &payload).unwrap();
    g.ok(&[
        "--folder",
        "/store_00010001/DCIM",
        "--upload-file",
        upload.to_str().unwrap(),
    ]);
    assert_eq!(
        fs::read(card.path().join("DCIM/UPLOAD.BIN")).unwrap(),
        payload
    );
    let leftovers: Vec<_> = fs::read_dir(card.path().join("DCIM"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    // Delete it again.
    g.ok(&[
        "--folder",
        "/store_00010001/DCIM",
        "--delete-file",
        "UPLOAD.BIN",
    ]);
    assert!(!card.path().join("DCIM/UPLOAD.BIN").exists());
}

#[test]
fn capture_and_preview_give_jpegs() {
    let card = tempfile::tempdir().unwrap();
    let server = Server::start(&["--fs", card.path().to_str().unwrap()]);
    let g = Gphoto::new(&server);
    let out = g.ok(&["--capture-image-and-download", "--filename", "shot.jpg"]);
    assert!(out.contains("New file is in location"), "{out}");
    assert_eq!(jpeg_size(&g.file("shot.jpg")), (1600, 1200));
    // gphoto2 deletes the picture from the camera after downloading it (no --keep).
    let left: Vec<_> = walk(card.path())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "JPG"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // gphoto2 saves previews as thumb_<filename>.
    g.ok(&["--capture-preview", "--filename", "preview1.jpg"]);
    assert_eq!(jpeg_size(&g.file("thumb_preview1.jpg")), (640, 480));
    std::thread::sleep(std::time::Duration::from_millis(100));
    g.ok(&["--capture-preview", "--filename", "preview2.jpg"]);
    assert_ne!(
        fs::read(g.file("thumb_preview1.jpg")).unwrap(),
        fs::read(g.file("thumb_preview2.jpg")).unwrap()
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

fn current(out: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix("Current: "))
        .unwrap_or_else(|| panic!("no Current: in {out}"))
        .to_string()
}

#[test]
fn configuration_round_trips_and_refuses_values_outside_the_form() {
    let server = Server::start(&[]);
    let g = Gphoto::new(&server);
    let list = g.ok(&["--list-config"]);
    for name in [
        "/main/imgsettings/iso",
        "/main/imgsettings/whitebalance",
        "/main/capturesettings/f-number",
        "/main/capturesettings/shutterspeed",
    ] {
        assert!(list.contains(name), "{name} in {list}");
    }
    for (name, value, bad) in [
        ("iso", "800", "801"),
        ("whitebalance", "Daylight", "Moonlight"),
        ("f-number", "f/8", "f/8.5"),
    ] {
        g.ok(&["--set-config-value", &format!("{name}={value}")]);
        assert_eq!(current(&g.ok(&["--get-config", name])), value, "{name}");
        let refused = g.run(&["--set-config-value", &format!("{name}={bad}")]);
        assert!(!refused.ok, "{name}={bad} accepted: {}", refused.stdout);
        assert_eq!(
            current(&g.ok(&["--get-config", name])),
            value,
            "{name} unchanged after a refused value"
        );
    }
}

#[test]
fn wait_event_shows_property_changes_and_new_files() {
    let card = tempfile::tempdir().unwrap();
    let server = Server::start(&["--fs", card.path().to_str().unwrap()]);
    let g = Gphoto::new(&server);
    let out = g.ok(&["--set-config-value", "iso=1600", "--wait-event=2s"]);
    assert!(out.contains("PTP Property 500f changed"), "{out}");
    let out = g.ok(&["--trigger-capture", "--wait-event=2s"]);
    assert!(out.contains("FILEADDED"), "{out}");
}
