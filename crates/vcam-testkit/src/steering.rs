//! Faults and body-side actions, seen by the real clients: columns `faults` and `actions` of
//! the matrix, on the transports of this machine (a camera's control socket is reached
//! through [`vcam_control::request`], as `vcamctl` does).
//!
//! - `faults`: each fault planned for one client run, and what gphoto2 prints for it (the
//!   error a real body causes); then the camera serves normally and the card is as it was.
//! - `actions`: each body action while `gphoto2 --wait-event` waits, and the vendor's event
//!   gphoto2 prints for it ([`Expect`], per model).

use std::path::Path;
use std::time::{Duration, Instant};

use crate::card::{self, SAMPLE_FOLDER};
use crate::matrix::{Feature, Model, Target, Transport};
use crate::tools::Run;

/// What gphoto2 prints for each body action of one model (texts `--wait-event` waits for: the
/// event's text without gphoto2's `UNKNOWN ` in front, never starting with a digit, which
/// gphoto2 would read as a count of events).
#[derive(Debug, Clone, Copy)]
pub struct Expect {
    /// The model id.
    pub model: &'static str,
    /// `--wait-event` arguments while the shutter is pressed (FILEADDED, or a time for a
    /// body whose client reports every file it had not listed yet as added: Fujifilm).
    pub shutter_waits: &'static [&'static str],
    /// `dial` arguments, and the text of the change.
    pub dial: (&'static str, &'static str),
    /// A picture deleted on the body.
    pub deleted: &'static str,
    /// The card taken out.
    pub card_out: &'static str,
    /// The card put back.
    pub card_in: &'static str,
    /// `battery 10`.
    pub battery: &'static str,
}

/// A plain PTP (or MTP) body: the standard events.
const STANDARD: Expect = Expect {
    model: "",
    shutter_waits: &["FILEADDED"],
    dial: ("iso -100", "PTP Property 500f changed, \"iso\" to \"100\""),
    deleted: "PTP ObjectRemoved",
    card_out: "PTP StoreRemoved, Param1 00010001",
    card_in: "PTP StoreAdded, Param1 00010001",
    battery: "\"batterylevel\" to \"10%\"",
};

/// A Canon EOS body: records of its GetEvent stream.
const EOS: Expect = Expect {
    model: "",
    shutter_waits: &["FILEADDED"],
    dial: ("iso -100", "PTP Property d103 changed, \"iso\" to \"Auto\""),
    deleted: "ObjectRemoved",
    card_out: "StoreRemoved 0x00010001",
    card_in: "StoreAdded 0x00010001",
    battery: "\"batterylevel\" to \"Low\"",
};

/// Every model's texts.
pub static EXPECT: &[Expect] = &[
    Expect {
        model: "generic",
        ..STANDARD
    },
    Expect {
        model: "mtp_camera",
        ..STANDARD
    },
    Expect {
        model: "canon_1300d",
        ..EOS
    },
    Expect {
        model: "canon_6d",
        ..EOS
    },
    Expect {
        model: "sony_a6300",
        shutter_waits: &["FILEADDED"],
        dial: ("iso +1", "PTP Property d21e changed"),
        deleted: "PTP Event c202",
        card_out: "PTP StoreRemoved, Param1 00010001",
        card_in: "PTP StoreAdded, Param1 00010001",
        // Without the value: libgphoto2 answers a property read from its copy of 0x9209 when
        // that copy is younger than its cache time (2 s; camlibs/ptp2/ptp.c
        // `ptp_generic_getdevicepropdesc`), so the line after C203 may show the level before.
        battery: "PTP Property d218 changed",
    },
    Expect {
        model: "fuji_xh1",
        // libgphoto2's Fujifilm wait reports each file it has not listed yet as added.
        shutter_waits: &["15s"],
        dial: ("iso +1", "PTP Property 500f changed"),
        deleted: "PTP ObjectRemoved",
        card_out: "PTP StoreRemoved, Param1 00010001",
        card_in: "PTP StoreAdded, Param1 00010001",
        battery: "PTP Property d242 changed",
    },
];

/// The texts of `model`.
#[must_use]
pub fn expect(model: &Model) -> Option<&'static Expect> {
    EXPECT.iter().find(|e| e.model == model.id)
}

/// Whether the steering scenarios run on the pair: transports of this machine with a
/// control socket (PTP/IP and the libusb drop-in; the qemu rows keep `unplug` only).
#[must_use]
pub fn applies(model: &Model, transport: Transport) -> bool {
    matches!(transport, Transport::PtpIp | Transport::Libusb) && expect(model).is_some()
}

/// Sends `line` to the camera's control socket; fails the scenario unless it is carried out.
pub fn control(t: &Target, line: &str) -> String {
    control_unless(t, line, || false).unwrap_or_default()
}

/// As [`control`]; `None` when the request found no camera to answer and `client_done` says
/// its client has ended. Through the drop-in the socket lives in the client's process and
/// comes and goes with its libusb contexts (gphoto2 opens several while it starts): a request
/// that finds it closing is sent again to the next one, while the client runs. Once it has
/// ended (it saw the event it waited for and left before the answer was written), the
/// action was carried out and its answer is lost with the process.
fn control_unless(t: &Target, line: &str, client_done: impl Fn() -> bool) -> Option<String> {
    let path = t
        .control()
        .unwrap_or_else(|| panic!("{} has no control socket", t.transport.name()));
    let end = Instant::now() + Duration::from_secs(10);
    let answer = loop {
        match vcam_control::request(path, line) {
            Ok(answer) => break answer,
            Err(e) if client_done() => {
                eprintln!("vcamctl {line}: {e}; the client has ended");
                return None;
            }
            Err(e) if Instant::now() < end => {
                eprintln!("vcamctl {line}: {e}; again");
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("control socket {}: {e}", path.display()),
        }
    };
    eprintln!("vcamctl {line}: {answer}");
    Some(
        answer
            .strip_prefix("ok ")
            .unwrap_or_else(|| panic!("vcamctl {line}: {answer}"))
            .to_string(),
    )
}

/// The camera's status line, once the socket answers it.
fn status(path: &Path) -> String {
    vcam_control::request(path, "status").unwrap_or_default()
}

/// Waits until the camera (PTP/IP, one process) has its link back after a `disconnect`.
fn wait_for_link(t: &Target) {
    if !t.keeps_state() {
        return;
    }
    let path = t.control().unwrap_or_else(|| panic!("no control socket"));
    let end = Instant::now() + Duration::from_secs(20);
    while !status(path).contains("link=up") {
        assert!(
            Instant::now() < end,
            "the link stays down: {}",
            status(path)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The card picture downloads use, and gphoto2's arguments for it.
const PICTURE: &str = "DCIM/100TEST/PIC_0001.JPG";

/// gphoto2's arguments to download [`PICTURE`] as `name`.
pub(crate) fn get(name: &str) -> [&str; 7] {
    [
        "--folder",
        SAMPLE_FOLDER,
        "--get-file",
        "2",
        "--filename",
        name,
        "--force-overwrite",
    ]
}

/// Checks `run` printed the error `text` (gphoto2's exit status does not always say:
/// `--capture-image` exits 0 after "Could not capture").
pub(crate) fn failed_with(run: &Run, text: &str, what: &str) {
    let out = format!("{}{}", run.stdout, run.stderr);
    assert!(out.contains(text), "{what}: {text:?} not printed:\n{out}");
}

/// The camera serves the picture byte for byte (a body that hides its card: its summary).
pub(crate) fn serves(t: &Target, name: &str) {
    if !t.model.card {
        t.gphoto2(&["--summary"]);
        return;
    }
    t.gphoto2(&get(name));
    assert!(
        card::read(&t.file(name)) == card::read(&t.card(PICTURE)),
        "{name}: the download differs from the card's picture"
    );
}

/// Every fault seen from gphoto2: the error a real body causes, then normal service, and the
/// card as it was.
pub fn faults(t: &Target) {
    let before = card::files_under(&t.card(""));
    if t.model.card {
        card_faults(t);
    }
    battery_and_capture_faults(t);
    let after: Vec<_> = card::files_under(&t.card(""))
        .into_iter()
        .filter(|p| !p.starts_with(t.card(t.model.capture_folder)))
        .collect();
    let before: Vec<_> = before
        .into_iter()
        .filter(|p| !p.starts_with(t.card(t.model.capture_folder)))
        .collect();
    assert_eq!(
        after, before,
        "the card changed (outside its capture folder)"
    );
    for f in card::SAMPLE {
        assert!(
            !card::read(&t.card(f.path)).is_empty(),
            "{} lost or emptied",
            f.path
        );
    }
}

/// The faults seen on the card's files: busy, cancelled and cut downloads, a slow card, a
/// full card (and libmtp's view of them on MTP bodies).
fn card_faults(t: &Target) {
    // DeviceBusy on the download.
    let run = t.gphoto2_with_faults(&["busy:on=GetObject,ops=1"], &get("busy.jpg"));
    run.assert_refused("a busy camera refuses the download");
    failed_with(
        &run,
        "PTP Device Busy",
        "a busy camera refuses the download",
    );
    serves(t, "after-busy.jpg");

    // The camera cancels the download after 1000 bytes: nothing is saved.
    let run = t.gphoto2_with_faults(
        &["cancel:on=GetObject,after-bytes=1000"],
        &get("cancelled.jpg"),
    );
    run.assert_refused("the camera cancelled the download");
    failed_with(&run, "PTP Transaction Canceled", "a cancelled download");
    assert!(
        !t.file("cancelled.jpg").exists(),
        "a cancelled download was saved"
    );
    serves(t, "after-cancel.jpg");

    // The cable is pulled 20000 bytes into the download.
    let run = t.gphoto2_with_faults(
        &["disconnect:on=GetObject,after-bytes=1000,replug=500ms"],
        &get("unplugged.jpg"),
    );
    run.assert_refused("the link dropped in the middle of the download");
    wait_for_link(t);
    serves(t, "after-disconnect.jpg");

    // A slow card: the download and an upload take their time and arrive whole.
    let run = t.gphoto2_with_faults(&["slow-card:rate=64k"], &get("slow.jpg"));
    assert!(
        run.ok,
        "a download from a slow card failed:\n{}{}",
        run.stdout, run.stderr
    );
    assert!(
        card::read(&t.file("slow.jpg")) == card::read(&t.card(PICTURE)),
        "a download from a slow card differs from the card's picture"
    );
    if !t.model.has(Feature::NoUpload) {
        let local = t.file("SLOW.BIN");
        let bytes = card::pattern(40_000, 7);
        card::write(&local, &bytes);
        let run = t.gphoto2_with_faults(
            &["slow-card:rate=64k"],
            &[
                "--folder",
                "/store_00010001/DCIM",
                "--upload-file",
                &local.to_string_lossy(),
            ],
        );
        assert!(
            run.ok,
            "an upload to a slow card failed:\n{}{}",
            run.stdout, run.stderr
        );
        let uploaded = t.card("DCIM/SLOW.BIN");
        assert!(
            card::read(&uploaded) == bytes,
            "an upload to a slow card arrived changed"
        );
        std::fs::remove_file(&uploaded)
            .unwrap_or_else(|e| panic!("removing {}: {e}", uploaded.display()));
    }
    if t.keeps_state() {
        control(t, "clear-faults");
    }

    // A full card refuses an upload.
    if !t.model.has(Feature::NoUpload) {
        let local = t.file("FULL.BIN");
        card::write(&local, &card::pattern(10_000, 3));
        let run = t.gphoto2_with_faults(
            &["card-full"],
            &[
                "--folder",
                "/store_00010001/DCIM",
                "--upload-file",
                &local.to_string_lossy(),
            ],
        );
        failed_with(&run, "PTP Store Full", "an upload to a full card");
        if t.keeps_state() {
            control(t, "clear-faults");
        }
    }

    // libmtp: a busy camera and a cancelled transfer, then the file byte for byte.
    if t.model.has(Feature::Mtp) && t.transport == Transport::Libusb {
        let listing = t.env.ok("mtp-files", &[]);
        let id = crate::scenarios::file_id(&listing, "PIC_0001.JPG")
            .unwrap_or_else(|| panic!("PIC_0001.JPG not listed:\n{listing}"))
            .to_string();
        for fault in [
            "busy:on=GetObject,ops=5",
            "cancel:on=GetObject,after-bytes=1000",
        ] {
            let run =
                t.env
                    .run_with_vars("mtp-getfile", &[&id, "mtp.jpg"], &[("VCAM_FAULTS", fault)]);
            let out = format!("{}{}", run.stdout, run.stderr);
            assert!(
                out.contains("Error getting file from MTP device."),
                "{fault}: libmtp did not report the error:\n{out}"
            );
            assert!(!t.file("mtp.jpg").exists(), "{fault}: a file was saved");
        }
        let _ = t.env.ok("mtp-getfile", &[&id, "mtp.jpg"]);
        assert!(
            card::read(&t.file("mtp.jpg")) == card::read(&t.card(PICTURE)),
            "mtp-getfile after the faults differs from the card"
        );
    }
}

/// A battery that dies during a session, and a capture that fails: on every body, the card
/// shown or not.
fn battery_and_capture_faults(t: &Target) {
    // The battery runs down while the client waits: the level falls, then the camera dies and
    // the session ends with an error; charged, it serves again.
    let run = t.gphoto2_with_faults(
        &["battery:level=10,dead-after=1s,on=OpenSession"],
        &["--wait-event=8s"],
    );
    run.assert_refused("a dead battery ends the session");
    if let Some(expect) = expect(t.model) {
        failed_with(&run, expect.battery, "a battery running down");
    }
    if t.keeps_state() {
        let path = t.control().unwrap_or_else(|| panic!("no control socket"));
        assert!(
            status(path).contains("battery=0%"),
            "the battery is not dead: {}",
            status(path)
        );
        control(t, "battery 100");
        wait_for_link(t);
    }
    serves(t, "after-battery.jpg");

    // A capture that fails, then one that works. Not on a Sony body: its shutter is a button
    // (0x9207 S1/S2) the body accepts whatever happens next, a failed picture never reaches
    // 0xFFFFC001 and libgphoto2 reports "Could not capture image." only after waiting 35 s
    // for it (camlibs/ptp2/library.c, the Sony branch of `camera_sony_capture`); the
    // extension's own tests cover it in memory.
    if t.model.has(Feature::Capture) && t.model.card {
        if t.model.has(Feature::Eos) && t.keeps_state() {
            // Out of the bulb mode the bulb scenario leaves: a full press takes the picture.
            t.gphoto2(&["--set-config", "shutterspeed=1/100"]);
        }
        // --trigger-capture: libgphoto2 does not wait for the picture of a generic body after
        // InitiateCapture failed (it does with --capture-image).
        let run = t.gphoto2_with_faults(&["capture-fail"], &["--trigger-capture"]);
        failed_with(&run, "PTP General Error", "a capture that fails");
        t.gphoto2(&["--trigger-capture"]);
    }
}

/// Runs gphoto2 with `waits` (`--wait-event=...` arguments) in the background and, once its
/// session is open, the control `lines` one after the other; returns what gphoto2 printed.
fn while_waiting(t: &Target, waits: &[&str], lines: &[&str]) -> String {
    let path = t.control().unwrap_or_else(|| panic!("no control socket"));
    let args: Vec<String> = waits.iter().map(|w| format!("--wait-event={w}")).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    std::thread::scope(|s| {
        let waiting = s.spawn(|| t.gphoto2_run(&args));
        // Not an assertion on time: the events wait in the camera until gphoto2 reads them;
        // the pause only lets gphoto2 finish its start-up first.
        let end = Instant::now() + Duration::from_secs(60);
        loop {
            let answer = vcam_control::request(path, "wait-session 1").unwrap_or_default();
            if answer.starts_with("ok") {
                break;
            }
            if waiting.is_finished() || Instant::now() > end {
                let run = waiting.join();
                panic!("no gphoto2 session ({answer}): {run:?}");
            }
        }
        std::thread::sleep(Duration::from_millis(1500));
        for line in lines {
            control_unless(t, line, || waiting.is_finished());
        }
        let run = waiting
            .join()
            .unwrap_or_else(|_| panic!("the gphoto2 thread panicked"));
        run.stdout_if_ok()
    })
}

/// Each body action while `gphoto2 --wait-event` waits: the vendor's event.
pub fn actions(t: &Target) {
    let expect = expect(t.model).unwrap_or_else(|| panic!("no texts for {}", t.model.id));
    // The shutter: a new picture (on the card: the name gphoto2 shows is the new file's).
    let before = card::files_under(&t.card(""));
    let out = while_waiting(t, expect.shutter_waits, &["shutter"]);
    let new: Vec<_> = card::files_under(&t.card(""))
        .into_iter()
        .filter(|p| !before.contains(p))
        .collect();
    let shown = new
        .first()
        .and_then(|p| p.file_name())
        .map(|n| format!("FILEADDED {}", n.to_string_lossy()))
        .unwrap_or_else(|| "FILEADDED capt".into());
    assert!(out.contains(&shown), "{shown:?} not in\n{out}");

    let (dial, changed) = expect.dial;
    let out = while_waiting(t, &[changed], &[&format!("dial {dial}")]);
    assert!(out.contains(changed), "{out}");

    let out = while_waiting(t, &[expect.deleted], &["delete newest"]);
    assert!(out.contains(expect.deleted), "{out}");

    let out = while_waiting(
        t,
        &[expect.card_out, expect.card_in],
        &["card out", "card in"],
    );
    assert!(
        out.contains(expect.card_out) && out.contains(expect.card_in),
        "{out}"
    );

    let out = while_waiting(t, &[expect.battery], &["battery 10"]);
    assert!(out.contains(expect.battery), "{out}");
    if t.keeps_state() {
        control(t, "battery 100");
    }
}
