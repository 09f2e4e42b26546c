//! Faults and body-side actions, driven in memory with the clock in hand: what the initiator
//! sees (response codes, events, data), and that the card loses nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use ptp_types::ptp_codec::Params;
use ptp_types::{
    Decode, DevicePropCode, EventCode, ObjectFormatCode, ObjectInfo, OperationCode as Op,
    PtpString, ResponseCode, StorageId, StorageInfo,
};
use vcam_core::{BodyAction, DataHint, Dial, ObjectTarget, Output, Request};
use vcam_testkit::cam::Cam;

fn cam(card: &std::path::Path) -> Cam {
    Cam::model("generic", card)
}

fn fault(cam: &mut Cam, text: &str) {
    cam.responder.add_fault(text.parse().unwrap());
}

fn codes(cam: &mut Cam) -> Vec<(EventCode, u32)> {
    cam.events()
        .into_iter()
        .map(|e| (e.code, e.params.get_or_zero(0)))
        .collect()
}

/// ObjectInfo of a file to upload.
fn upload_info(name: &str, size: u32) -> Vec<u8> {
    let info = ObjectInfo {
        object_format: ObjectFormatCode::UNDEFINED,
        object_compressed_size: size,
        filename: PtpString::truncating(name),
        ..ObjectInfo::default()
    };
    ptp_types::Encode::to_bytes(&info).to_vec()
}

/// Collects the data phase of a request as the transport would, advancing the clock by
/// `step` whenever the camera has nothing to send yet; returns the data, the response (if
/// any) and how many times it had to wait.
fn pull(
    cam: &mut Cam,
    code: Op,
    params: &[u32],
    step: Duration,
) -> (Vec<u8>, Option<ResponseCode>, u32) {
    let tid = cam.next_tid(code);
    let now = cam.now;
    cam.responder.handle_request(
        now,
        Request::new(code, tid, Params::try_from(params).unwrap()),
        DataHint::NoDataOut,
    );
    let (mut data, mut waits) = (Vec::new(), 0);
    for _ in 0..100_000 {
        match cam.responder.poll_output() {
            Some(Output::Data { bytes, .. }) => data.extend_from_slice(&bytes),
            Some(Output::DataStart { .. }) => {}
            Some(Output::Response { code, .. }) => return (data, Some(code), waits),
            None if !cam.responder.is_plugged() => return (data, None, waits),
            None => {
                waits += 1;
                cam.advance(step);
            }
        }
    }
    panic!("the data phase never ended");
}

#[test]
fn busy_answers_device_busy_then_serves() {
    let card = common::card();
    let mut cam = cam(card.path());
    let big = cam.find("BIG.BIN").unwrap();
    fault(&mut cam, "busy:on=GetObject,ops=2");
    assert_eq!(cam.run(Op::GET_OBJECT_INFO, &[big]).code, ResponseCode::OK);
    for _ in 0..2 {
        assert_eq!(
            cam.run(Op::GET_OBJECT, &[big]).code,
            ResponseCode::DEVICE_BUSY
        );
    }
    let a = cam.run(Op::GET_OBJECT, &[big]);
    assert_eq!((a.code, a.data.len()), (ResponseCode::OK, 3_000_000));
    assert!(cam.responder.active_faults().is_empty());
}

#[test]
fn disconnect_after_an_operation_drops_the_link_then_replugs() {
    let card = common::card();
    let mut cam = cam(card.path());
    fault(&mut cam, "disconnect:on=GetStorageIDs,replug=2s");
    let a = cam.run(Op::GET_STORAGE_IDS, &[]);
    assert_eq!(a.code, ResponseCode::OK, "the operation is answered first");
    assert!(!cam.responder.is_plugged());
    // Unheard while unplugged: no response at all.
    let now = cam.now;
    cam.responder.handle_request(
        now,
        Request::new(Op::GET_DEVICE_INFO, 0, []),
        DataHint::NoDataOut,
    );
    assert!(cam.responder.poll_output().is_none());
    cam.advance(Duration::from_millis(1999));
    assert!(!cam.responder.is_plugged());
    cam.advance(Duration::from_millis(1));
    assert!(cam.responder.is_plugged());
    // The session ended with the link.
    assert_eq!(
        cam.run(Op::GET_STORAGE_IDS, &[]).code,
        ResponseCode::SESSION_NOT_OPEN
    );
    cam.tid = 0;
    assert_eq!(cam.run(Op::OPEN_SESSION, &[2]).code, ResponseCode::OK);
    assert_eq!(cam.run(Op::GET_STORAGE_IDS, &[]).code, ResponseCode::OK);
}

#[test]
fn disconnect_in_a_data_phase_stops_at_the_byte() {
    let card = common::card();
    let mut cam = cam(card.path());
    let big = cam.find("BIG.BIN").unwrap();
    fault(
        &mut cam,
        "disconnect:on=GetObject,after-bytes=100000,replug=never",
    );
    let (data, response, _) = pull(&mut cam, Op::GET_OBJECT, &[big], Duration::from_millis(10));
    assert_eq!((data.len(), response), (100_000, None));
    assert!(!cam.responder.is_plugged());
    cam.advance(Duration::from_secs(60));
    assert!(!cam.responder.is_plugged(), "replug=never");
    cam.responder.act(cam.now, &BodyAction::Plug).unwrap();
    assert!(cam.responder.is_plugged());
}

#[test]
fn an_upload_cut_by_a_disconnect_or_a_cancel_leaves_nothing_on_the_card() {
    let card = common::card();
    let mut cam = cam(card.path());
    let payload = vec![7u8; 50_000];
    fault(&mut cam, "cancel:on=SendObject,after-bytes=20000");
    let a = cam.send(
        Op::SEND_OBJECT_INFO,
        &[0, 0],
        &upload_info("NEW.BIN", 50_000),
    );
    assert_eq!(a.code, ResponseCode::OK);
    let a = cam.send(Op::SEND_OBJECT, &[], &payload);
    assert_eq!(a.code, ResponseCode::TRANSACTION_CANCELLED);
    assert!(codes(&mut cam).contains(&(EventCode::CANCEL_TRANSACTION, 0)));
    fault(&mut cam, "disconnect:on=SendObject,after-bytes=20000");
    let a = cam.send(
        Op::SEND_OBJECT_INFO,
        &[0, 0],
        &upload_info("NEW.BIN", 50_000),
    );
    assert_eq!(a.code, ResponseCode::OK);
    let tid = cam.next_tid(Op::SEND_OBJECT);
    let now = cam.now;
    cam.responder.handle_request(
        now,
        Request::new(Op::SEND_OBJECT, tid, []),
        DataHint::DataOut,
    );
    cam.responder.handle_data_start(now, tid, Some(50_000));
    for piece in payload.chunks(1000) {
        cam.responder.handle_data(now, piece);
    }
    cam.responder.handle_data_end(now);
    assert!(cam.responder.poll_output().is_none());
    assert!(!cam.responder.is_plugged());
    let files = vcam_testkit::card::files_under(card.path());
    assert_eq!(files.len(), 2, "only the card's own files: {files:?}");
}

#[test]
fn a_cancelled_download_ends_with_transaction_cancelled() {
    let card = common::card();
    let mut cam = cam(card.path());
    let big = cam.find("BIG.BIN").unwrap();
    fault(&mut cam, "cancel:on=GetObject,after-bytes=65536");
    let a = cam.run(Op::GET_OBJECT, &[big]);
    assert_eq!(a.code, ResponseCode::TRANSACTION_CANCELLED);
    assert_eq!(
        a.data.len(),
        3_000_000,
        "the data phase keeps its announced length"
    );
    assert!(a.data[65_536..].iter().all(|&b| b == 0));
    assert_eq!(cam.run(Op::GET_OBJECT, &[big]).code, ResponseCode::OK);
}

#[test]
fn a_slow_card_paces_its_data_as_time_passes() {
    let card = common::card();
    let mut cam = cam(card.path());
    let big = cam.find("BIG.BIN").unwrap();
    fault(&mut cam, "slow-card:rate=1M");
    let before = cam.now;
    let (data, response, waits) = pull(&mut cam, Op::GET_OBJECT, &[big], Duration::from_millis(10));
    assert_eq!((data.len(), response), (3_000_000, Some(ResponseCode::OK)));
    // 3 MB at 1 MB/s take three seconds of the camera's clock (no wall time involved).
    let took = cam.now.duration_since(before).unwrap();
    assert!(took >= Duration::from_millis(2950), "{took:?}");
    assert!(waits > 100, "{waits}");
    // Thumbnails and memory objects are not paced... and neither is a fresh card.
    cam.responder.clear_faults();
    let (_, _, waits) = pull(&mut cam, Op::GET_OBJECT, &[big], Duration::from_millis(10));
    assert_eq!(waits, 0);
}

#[test]
fn a_full_card_refuses_writes_and_says_it_has_no_room() {
    let card = common::card();
    let mut cam = cam(card.path());
    fault(&mut cam, "card-full");
    let a = cam.send(Op::SEND_OBJECT_INFO, &[0, 0], &upload_info("NEW.BIN", 10));
    assert_eq!(a.code, ResponseCode::STORE_FULL);
    let a = cam.run(Op::GET_STORAGE_INFO, &[StorageId(0x0001_0001).0]);
    let info = StorageInfo::decode_exact(&a.data).unwrap();
    assert_eq!(
        (info.free_space_in_bytes, info.free_space_in_images),
        (0, 0)
    );
    let a = cam.run(Op::INITIATE_CAPTURE, &[0, 0]);
    assert_eq!(a.code, ResponseCode::STORE_FULL);
    assert!(codes(&mut cam).contains(&(EventCode::STORE_FULL, 0x0001_0001)));
    cam.responder.clear_faults();
    assert_eq!(
        cam.run(Op::INITIATE_CAPTURE, &[0, 0]).code,
        ResponseCode::OK
    );
}

#[test]
fn a_capture_that_fails_is_refused_once() {
    let card = common::card();
    let mut cam = cam(card.path());
    fault(&mut cam, "capture-fail:code=0x2019");
    assert_eq!(
        cam.run(Op::INITIATE_CAPTURE, &[0, 0]).code,
        ResponseCode::DEVICE_BUSY
    );
    assert!(codes(&mut cam).is_empty());
    assert_eq!(
        cam.run(Op::INITIATE_CAPTURE, &[0, 0]).code,
        ResponseCode::OK
    );
    let events = codes(&mut cam);
    assert!(events.iter().any(|(c, _)| *c == EventCode::OBJECT_ADDED));
}

#[test]
fn the_card_door_takes_the_card_and_its_handles_away() {
    let card = common::card();
    let mut cam = cam(card.path());
    let big = cam.find("BIG.BIN").unwrap();
    let now = cam.now;
    cam.responder
        .act(now, &BodyAction::CardDoor { open: true })
        .unwrap();
    assert_eq!(codes(&mut cam), [(EventCode::STORE_REMOVED, 0x0001_0001)]);
    let a = cam.run(Op::GET_STORAGE_IDS, &[]);
    assert_eq!(
        Vec::<u32>::decode_exact(&a.data).unwrap(),
        Vec::<u32>::new()
    );
    assert_eq!(
        cam.run(Op::GET_OBJECT_INFO, &[big]).code,
        ResponseCode::INVALID_OBJECT_HANDLE
    );
    assert_eq!(
        cam.run(Op::INITIATE_CAPTURE, &[0, 0]).code,
        ResponseCode::INVALID_STORAGE_ID
    );
    cam.responder
        .act(now, &BodyAction::CardDoor { open: false })
        .unwrap();
    assert_eq!(codes(&mut cam), [(EventCode::STORE_ADDED, 0x0001_0001)]);
    assert_eq!(cam.run(Op::GET_OBJECT, &[big]).data.len(), 3_000_000);
    // The same as a fault, with the card back after a while.
    fault(&mut cam, "card-removed:after=1s,reinsert=2s");
    cam.advance(Duration::from_millis(1000));
    assert_eq!(codes(&mut cam), [(EventCode::STORE_REMOVED, 0x0001_0001)]);
    cam.advance(Duration::from_millis(2000));
    assert_eq!(codes(&mut cam), [(EventCode::STORE_ADDED, 0x0001_0001)]);
}

#[test]
fn body_actions_report_standard_events() {
    let card = common::card();
    let mut cam = cam(card.path());
    let now = cam.now;
    let shot = cam.responder.act(now, &BodyAction::Shutter).unwrap();
    let handle = shot.object.unwrap();
    assert_eq!(
        codes(&mut cam),
        [
            (EventCode::OBJECT_ADDED, handle.0),
            (EventCode::CAPTURE_COMPLETE, 0)
        ]
    );
    assert!(cam.info(handle.0).filename.as_str().ends_with(".JPG"));

    let iso = |cam: &mut Cam| {
        cam.responder
            .properties()
            .int(DevicePropCode::EXPOSURE_INDEX)
    };
    let before = iso(&mut cam);
    cam.responder
        .act(
            now,
            &BodyAction::Dial {
                dial: Dial::Iso,
                steps: 1,
            },
        )
        .unwrap();
    assert_ne!(iso(&mut cam), before);
    assert_eq!(
        codes(&mut cam),
        [(
            EventCode::DEVICE_PROP_CHANGED,
            u32::from(DevicePropCode::EXPOSURE_INDEX.0)
        )]
    );
    // Past the end of the list it stays at the end.
    cam.responder
        .act(
            now,
            &BodyAction::Dial {
                dial: Dial::Iso,
                steps: -1000,
            },
        )
        .unwrap();
    let lowest = iso(&mut cam);
    cam.responder
        .act(
            now,
            &BodyAction::Dial {
                dial: Dial::Iso,
                steps: -1,
            },
        )
        .unwrap();
    assert_eq!(iso(&mut cam), lowest);

    let name = cam.info(handle.0).filename.to_string();
    let gone = cam
        .responder
        .act(now, &BodyAction::Delete(ObjectTarget::Name(name)))
        .unwrap();
    assert_eq!(gone.object, Some(handle));
    let events = codes(&mut cam);
    assert!(
        events.contains(&(EventCode::OBJECT_REMOVED, handle.0)),
        "{events:?}"
    );
    assert_eq!(
        cam.run(Op::GET_OBJECT_INFO, &[handle.0]).code,
        ResponseCode::INVALID_OBJECT_HANDLE
    );
    assert!(matches!(
        cam.responder.act(
            now,
            &BodyAction::Delete(ObjectTarget::Name("NONE.JPG".into()))
        ),
        Err(vcam_core::ActionError::NoObject(_))
    ));
}

#[test]
fn a_battery_runs_low_then_dies_and_the_session_ends() {
    let card = common::card();
    let mut cam = cam(card.path());
    fault(&mut cam, "battery:level=10,dead-after=5s");
    cam.advance(Duration::from_millis(1));
    let level = |cam: &Cam| {
        cam.responder
            .properties()
            .int(DevicePropCode::BATTERY_LEVEL)
    };
    assert_eq!(level(&cam), Some(10));
    let changed = (
        EventCode::DEVICE_PROP_CHANGED,
        u32::from(DevicePropCode::BATTERY_LEVEL.0),
    );
    assert_eq!(codes(&mut cam), [changed]);
    cam.advance(Duration::from_secs(5));
    assert_eq!(level(&cam), Some(0));
    assert_eq!(codes(&mut cam), [changed]);
    assert!(
        cam.responder.is_plugged(),
        "a moment to read the last events"
    );
    cam.advance(Duration::from_secs(1));
    assert!(!cam.responder.is_plugged());
    assert!(!cam.responder.session_open());
    cam.advance(Duration::from_secs(600));
    assert!(!cam.responder.is_plugged(), "dead until charged");
    cam.responder
        .act(cam.now, &BodyAction::Battery(100))
        .unwrap();
    assert!(cam.responder.is_plugged());
}

#[test]
fn a_remote_steers_from_another_thread() {
    let card = common::card();
    let mut cam = cam(card.path());
    let remote = cam.responder.remote();
    let waiting = std::thread::spawn(move || {
        let fault = remote.add_fault("busy:ops=1".parse().unwrap());
        let shot = remote.act(BodyAction::Shutter);
        (
            fault.wait(Duration::from_secs(30)),
            shot.wait(Duration::from_secs(30)),
            remote,
        )
    });
    // The transport's turns: poll_timeout says when, at once when something waits.
    let (fault, shot, remote) = loop {
        if waiting.is_finished() {
            break waiting.join().unwrap();
        }
        let due = cam
            .responder
            .poll_timeout()
            .expect("a remote asks to be run");
        assert!(due <= cam.now + vcam_core::remote::REMOTE_POLL);
        cam.advance(Duration::from_millis(50));
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(fault.unwrap().unwrap(), "fault planned: busy:ops=1");
    assert!(shot.unwrap().unwrap().starts_with("captured"));
    let status = remote.status();
    assert!(status.session_open && status.link_up && status.card_in);
    assert_eq!(status.faults, ["busy:ops=1"]);
    assert_eq!(
        cam.run(Op::GET_STORAGE_IDS, &[]).code,
        ResponseCode::DEVICE_BUSY
    );
}
