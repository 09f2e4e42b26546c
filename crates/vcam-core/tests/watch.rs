//! The card folder changed behind the camera's back (`vcam_core::watch`): what the responder
//! makes of changes a watcher reports, driven in memory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::time::Duration;

use common::card;
use vcam_core::ptp_types::{EventCode, OperationCode as Op, ResponseCode as Rc};
use vcam_core::watch::CardChange;
use vcam_testkit::cam::Cam;

fn handles_by_name(cam: &mut Cam) -> Vec<(String, u32)> {
    let mut all: Vec<(String, u32)> = cam
        .handles()
        .into_iter()
        .map(|h| (cam.info(h).filename.to_string(), h))
        .collect();
    all.sort();
    all
}

fn codes(cam: &mut Cam) -> Vec<(EventCode, Vec<u32>)> {
    cam.events()
        .into_iter()
        .map(|e| (e.code, e.params.as_slice().to_vec()))
        .collect()
}

#[test]
fn a_file_dropped_in_is_a_new_object_and_listed_handles_stay() {
    let dir = card();
    let mut cam = Cam::model("generic", dir.path());
    let feed = cam.responder.card_feed();
    let before = handles_by_name(&mut cam);
    assert_eq!(before.len(), 4, "{before:?}");

    let path = dir.path().join("DCIM/100VCAM/DROP.JPG");
    fs::write(&path, b"dropped").unwrap();
    feed.push(CardChange::Added(path.clone()));
    // The same change twice (a watcher may see a create and a close): one object.
    feed.push(CardChange::Added(path));
    cam.advance(Duration::from_millis(200));
    let events = codes(&mut cam);
    assert_eq!(events.len(), 1, "{events:?}");
    let (code, params) = &events[0];
    assert_eq!(*code, EventCode::OBJECT_ADDED);
    let new = params[0];
    assert!(before.iter().all(|(_, h)| *h != new), "a handle reused");
    assert_eq!(cam.info(new).filename.to_string(), "DROP.JPG");

    // Everything listed before keeps its handle; the new file lists under the one reported.
    let after = handles_by_name(&mut cam);
    for entry in &before {
        assert!(after.contains(entry), "{entry:?} changed: {after:?}");
    }
    assert!(after.contains(&("DROP.JPG".to_string(), new)), "{after:?}");
}

#[test]
fn a_file_removed_is_reported_and_its_handle_invalid() {
    let dir = card();
    let mut cam = Cam::model("generic", dir.path());
    let feed = cam.responder.card_feed();
    let readme = cam.find("README.TXT").unwrap();
    let big = cam.find("BIG.BIN").unwrap();
    let path = dir.path().join("README.TXT");
    fs::remove_file(&path).unwrap();
    feed.push(CardChange::Removed(path));
    cam.advance(Duration::from_millis(200));
    assert_eq!(codes(&mut cam), [(EventCode::OBJECT_REMOVED, vec![readme])]);
    let a = cam.run(Op::GET_OBJECT_INFO, &[readme]);
    assert_eq!(a.code, Rc::INVALID_OBJECT_HANDLE);
    assert_eq!(cam.info(big).filename.to_string(), "BIG.BIN");

    // A folder moved away: everything in it goes, deepest first.
    let folder = cam.find("100VCAM").unwrap();
    let moved = dir.path().join("gone");
    fs::rename(dir.path().join("DCIM/100VCAM"), &moved).unwrap();
    feed.push(CardChange::Removed(dir.path().join("DCIM/100VCAM")));
    cam.advance(Duration::from_millis(200));
    assert_eq!(
        codes(&mut cam),
        [
            (EventCode::OBJECT_REMOVED, vec![big]),
            (EventCode::OBJECT_REMOVED, vec![folder])
        ]
    );
}

#[test]
fn a_new_folder_and_its_file_are_reported_in_order() {
    let dir = card();
    let mut cam = Cam::model("generic", dir.path());
    let feed = cam.responder.card_feed();
    let _ = cam.handles();
    let folder = dir.path().join("DCIM/101NEW");
    fs::create_dir(&folder).unwrap();
    fs::write(folder.join("A.JPG"), b"a").unwrap();
    feed.push(CardChange::Added(folder.clone()));
    feed.push(CardChange::Added(folder.join("A.JPG")));
    cam.advance(Duration::from_millis(200));
    let events = codes(&mut cam);
    assert_eq!(events.len(), 2, "{events:?}");
    let info = cam.info(events[0].1[0]);
    assert_eq!(info.filename.to_string(), "101NEW");
    let file = cam.info(events[1].1[0]);
    assert_eq!(file.filename.to_string(), "A.JPG");
    assert_eq!(file.parent_object.0, events[0].1[0]);
}

#[test]
fn the_cameras_own_writes_and_hidden_or_outside_paths_report_nothing() {
    let dir = card();
    let mut cam = Cam::model("generic", dir.path());
    let feed = cam.responder.card_feed();
    let existing = walk(dir.path());
    let shot = cam.run(Op::INITIATE_CAPTURE, &[0, 0]);
    assert_eq!(shot.code, Rc::OK);
    let own = codes(&mut cam);
    assert!(
        own.iter().any(|(c, _)| *c == EventCode::OBJECT_ADDED),
        "{own:?}"
    );
    // The watcher sees the capture land on disk: already known.
    let written: Vec<_> = walk(dir.path())
        .into_iter()
        .filter(|p| !existing.contains(p))
        .collect();
    assert!(!written.is_empty());
    for path in written {
        feed.push(CardChange::Added(path));
    }
    fs::write(dir.path().join(".hidden"), b"x").unwrap();
    feed.push(CardChange::Added(dir.path().join(".hidden")));
    feed.push(CardChange::Added("/etc/passwd".into()));
    feed.push(CardChange::Removed(dir.path().join("NOT-THERE.JPG")));
    // A file removed and written again is the same object.
    fs::write(dir.path().join("README.TXT"), b"again").unwrap();
    feed.push(CardChange::Removed(dir.path().join("README.TXT")));
    cam.advance(Duration::from_millis(200));
    assert_eq!(codes(&mut cam), []);
}

#[test]
fn no_session_no_events_but_handles_all_the_same() {
    let dir = card();
    let mut cam = Cam::new(vcam_testkit::server::camera(
        "generic",
        dir.path(),
        (320, 240),
    ));
    let feed = cam.responder.card_feed();
    let path = dir.path().join("LATE.JPG");
    fs::write(&path, b"late").unwrap();
    feed.push(CardChange::Added(path));
    cam.advance(Duration::from_millis(200));
    assert!(cam.events().is_empty());
    assert_eq!(cam.run(Op::OPEN_SESSION, &[1]).code, Rc::OK);
    assert!(cam.find("LATE.JPG").is_some());
}

/// Every file and folder below `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        out.push(path.clone());
        if path.is_dir() {
            out.extend(walk(&path));
        }
    }
    out
}
