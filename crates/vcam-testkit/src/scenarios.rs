//! The acceptance scenarios, each written once against a [`Target`] and run by
//! [`crate::matrix`] for every (model, transport) pair that supports it. A scenario fails by
//! failing an assertion; the clients' output is logged.
//!
//! Scenarios run in the order of [`SCENARIOS`] on one card per row, so a later one may rely
//! on an earlier one (delete removes what upload put on the card), and checks of the card
//! compare before and after rather than assume it is empty.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use bytes::Bytes;
use vcam_core::frames::split_mjpeg;

use crate::card::{self, SAMPLE, SAMPLE_FOLDER};
use crate::matrix::{Feature, Model, Target, Transport};
use crate::tools::Run;

/// One column of the matrix.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    /// The column name.
    pub name: &'static str,
    /// Whether the pair supports it.
    pub applies: fn(&Model, Transport) -> bool,
    /// The scenario.
    pub run: fn(&Target),
}

impl Scenario {
    /// Whether the scenario runs on the pair: it [`applies`](Scenario::applies), and on
    /// `vhci-attach` it is one of [`VHCI_SCENARIOS`].
    #[must_use]
    pub fn runs_on(&self, model: &Model, transport: Transport) -> bool {
        (self.applies)(model, transport)
            && (transport != Transport::Vhci || VHCI_SCENARIOS.contains(&self.name))
    }
}

/// What `vhci-attach` rows run: the camera plugged straight into vhci_hcd through sysfs,
/// enumerated and used by the guest's kernel. Every other scenario goes through the very same
/// kernel driver on the `usbip-attach` rows (attached by `usbip attach` over TCP instead), so
/// running them twice under emulation would only double the time.
pub const VHCI_SCENARIOS: &[&str] = &["detect", "summary", "download", "capture", "unplug"];

const fn always(_: &Model, _: Transport) -> bool {
    true
}

/// Every scenario, in the order they run on a row.
pub static SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "detect",
        applies: |_, t| t.is_usb(),
        run: detect,
    },
    Scenario {
        name: "summary",
        applies: always,
        run: summary,
    },
    Scenario {
        name: "list",
        applies: |m, _| m.card,
        run: list,
    },
    Scenario {
        name: "download",
        applies: |m, _| m.card,
        run: download,
    },
    Scenario {
        name: "thumbnail",
        applies: |m, _| m.has(Feature::Thumbnail),
        run: thumbnail,
    },
    Scenario {
        name: "upload",
        applies: |m, _| m.card && !m.has(Feature::NoUpload),
        run: upload,
    },
    Scenario {
        name: "delete",
        applies: |m, _| m.card && !m.has(Feature::NoUpload),
        run: delete,
    },
    Scenario {
        name: "capture",
        applies: |m, _| m.has(Feature::Capture),
        run: capture,
    },
    Scenario {
        name: "capturetarget",
        applies: |m, _| m.has(Feature::Eos),
        run: capture_target,
    },
    Scenario {
        name: "bulb",
        // The shutter stays open between two client runs: needs one camera for both.
        applies: |m, t| m.has(Feature::Eos) && t.keeps_state(),
        run: bulb,
    },
    Scenario {
        name: "bulbtime",
        applies: |m, _| m.has(Feature::BulbTime),
        run: bulb_time,
    },
    Scenario {
        name: "preview",
        applies: |m, _| m.has(Feature::Preview),
        run: preview,
    },
    Scenario {
        name: "movie",
        applies: |m, _| m.has(Feature::Movie),
        run: movie,
    },
    Scenario {
        name: "movierecord",
        applies: |m, _| m.has(Feature::MovieRecord),
        run: movie_record,
    },
    Scenario {
        name: "config",
        applies: |m, _| !m.settings.is_empty(),
        run: config,
    },
    Scenario {
        name: "events",
        applies: |m, _| !m.events.is_empty(),
        run: events,
    },
    Scenario {
        name: "libmtp",
        applies: |m, t| m.has(Feature::Mtp) && t.is_usb(),
        run: libmtp,
    },
    // The card folder watched (`crate::rig`): files added and removed behind the camera.
    Scenario {
        name: "watch",
        applies: crate::rig::watch_applies,
        run: crate::rig::watch,
    },
    Scenario {
        name: "liveview_tool",
        applies: |m, t| m.has(Feature::LiveviewTool) && t.is_usb(),
        run: liveview_tool,
    },
    Scenario {
        name: "liveview_http",
        // A browser on this machine, once per model: the stream is the tool's, whatever
        // carries the camera's frames to it.
        applies: |m, t| m.has(Feature::LiveviewTool) && t == Transport::Libusb,
        run: liveview_http,
    },
    // The cable pulled and put back, seen by the guest's kernel (`crate::unplug`).
    Scenario {
        name: "unplug",
        applies: crate::unplug::applies,
        run: crate::unplug::unplug,
    },
    // Faults and body-side actions (`crate::steering`), last: they delete and capture.
    Scenario {
        name: "faults",
        applies: crate::steering::applies,
        run: crate::steering::faults,
    },
    Scenario {
        name: "actions",
        applies: crate::steering::applies,
        run: crate::steering::actions,
    },
];

/// `gphoto2 --auto-detect` shows the model on a USB port.
fn detect(t: &Target) {
    let out = t.gphoto2(&["--auto-detect"]);
    assert!(
        out.lines()
            .any(|l| l.contains(t.model.usb_name) && l.contains("usb:")),
        "{} on a usb: port expected:\n{out}",
        t.model.usb_name
    );
}

/// `--summary` names the camera and its storage.
pub(crate) fn summary(t: &Target) {
    let out = t.gphoto2(&["--summary"]);
    for want in t.model.summary {
        assert!(
            out.contains(want),
            "{want:?} missing from the summary:\n{out}"
        );
    }
}

/// `--list-files` lists every file of the card.
fn list(t: &Target) {
    let out = t.gphoto2(&["--list-files"]);
    for f in SAMPLE {
        assert!(out.contains(f.name), "{} not listed:\n{out}", f.name);
    }
}

/// `--get-all-files` downloads every file byte for byte.
fn download(t: &Target) {
    t.gphoto2(&["--get-all-files"]);
    for f in SAMPLE {
        let got = card::read(&t.file(f.name));
        let want = card::read(&t.card(f.path));
        assert!(
            got == want,
            "{}: downloaded {} bytes that differ from the card's {}",
            f.name,
            got.len(),
            want.len()
        );
    }
}

/// `--get-thumbnail` of a JPEG without an EXIF thumbnail gets one generated, at most 160x120.
fn thumbnail(t: &Target) {
    // Files in the folder are numbered in name order: 2 is PIC_0001.JPG.
    t.gphoto2(&["--folder", SAMPLE_FOLDER, "--get-thumbnail", "2"]);
    let thumb = card::files_under(t.env.cwd())
        .into_iter()
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("thumb_"))
        })
        .unwrap_or_else(|| panic!("no thumbnail saved"));
    let (w, h) = card::jpeg_size(&thumb);
    assert!(w > 0 && w <= 160 && h <= 120, "thumbnail of {w}x{h}");
}

/// The file [`upload`] puts on the card and [`delete`] removes.
const UPLOADED: &str = "DCIM/UPLOAD.BIN";

/// `--upload-file` into a folder: the card holds the same bytes, and no temporary file.
fn upload(t: &Target) {
    let local = t.file("UPLOAD.BIN");
    let payload = card::pattern(300_000, 17);
    card::write(&local, &payload);
    t.gphoto2(&[
        "--folder",
        "/store_00010001/DCIM",
        "--upload-file",
        &local.to_string_lossy(),
    ]);
    assert!(
        card::read(&t.card(UPLOADED)) == payload,
        "uploaded bytes differ"
    );
    let leftovers: Vec<PathBuf> = card::files_under(&t.card("DCIM"))
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// `--delete-file` removes the uploaded file from the card.
fn delete(t: &Target) {
    assert!(
        t.card(UPLOADED).exists(),
        "nothing to delete: the upload scenario did not leave {UPLOADED}"
    );
    t.gphoto2(&[
        "--folder",
        "/store_00010001/DCIM",
        "--delete-file",
        "UPLOAD.BIN",
    ]);
    assert!(
        !t.card(UPLOADED).exists(),
        "the deleted file is still on the card"
    );
}

/// `--capture-image-and-download` gives a JPEG, and gphoto2 deletes the picture from the
/// camera after downloading it (no `--keep`): the card ends as it began.
fn capture(t: &Target) {
    let before = card::files_under(&t.card(""));
    let out = t.gphoto2(&["--capture-image-and-download", "--filename", "shot.jpg"]);
    let location = out
        .lines()
        .find(|l| l.contains("New file is in location"))
        .unwrap_or_else(|| panic!("no new file:\n{out}"));
    if let Some(at) = t.model.captured_at {
        assert!(
            location.contains(at),
            "the capture at {at} expected: {location}"
        );
    }
    let size = card::jpeg_size(&t.file("shot.jpg"));
    if let Some(want) = t.model.capture_size {
        assert_eq!(size, want, "captured picture size");
    }
    assert_eq!(
        card::files_under(&t.card("")),
        before,
        "the card changed although gphoto2 deleted the capture"
    );
}

/// Files in the capture folder.
fn captures(t: &Target) -> usize {
    card::files_under(&t.card(t.model.capture_folder)).len()
}

/// Canon EOS `capturetarget`: 0 captures into host memory (a virtual file), 1 onto the card,
/// where it stays with `--keep`; listings then go through GetObjectInfoEx (0x9109), as on the
/// real body.
fn capture_target(t: &Target) {
    let out = t.gphoto2(&[
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
    let (w, h) = card::jpeg_size(&t.file("ram.jpg"));
    assert!(w > 0 && h > 0);
    let before = captures(t);
    let out = t.gphoto2(&[
        "--set-config",
        "capturetarget=1",
        "--capture-image-and-download",
        "--keep",
        "--filename",
        "card.jpg",
    ]);
    let folder = format!("/{}/IMG_", t.model.capture_folder);
    assert!(out.contains(&folder), "card capture in {folder}:\n{out}");
    let _ = card::jpeg_size(&t.file("card.jpg"));
    assert_eq!(
        captures(t),
        before + 1,
        "the card capture stays on the card (--keep)"
    );
    let run = t.gphoto2_run(&["--list-files"]);
    let out = run.clone().stdout_if_ok();
    assert!(
        out.contains(&format!(
            "folder '/store_00010001/{}'",
            t.model.capture_folder
        )) && out.contains("IMG_"),
        "{out}"
    );
    assert!(
        t.vcam_log(&run).contains("0x9109"),
        "listing without GetObjectInfoEx (0x9109)"
    );
}

/// Canon EOS bulb: with `shutterspeed=bulb`, a full press of `eosremoterelease` opens the
/// shutter (nothing on the card yet) and the release takes the picture (FILEADDED).
fn bulb(t: &Target) {
    t.gphoto2(&[
        "--set-config",
        "capturetarget=1",
        "--set-config",
        "shutterspeed=bulb",
    ]);
    // The choice names differ between libgphoto2 versions.
    let choices = t.gphoto2(&["--get-config", "eosremoterelease"]);
    let choice = |want: &[&str]| {
        want.iter()
            .copied()
            .find(|w| choices.lines().any(|l| l.ends_with(&format!(" {w}"))))
            .unwrap_or_else(|| panic!("none of {want:?} in\n{choices}"))
            .to_string()
    };
    let press = choice(&["Press Full", "Press Full AF"]);
    let release = choice(&["Release 3", "Release Full", "Release"]);
    let before = captures(t);
    t.gphoto2(&["--set-config", &format!("eosremoterelease={press}")]);
    assert_eq!(captures(t), before, "the shutter stays open");
    let out = t.gphoto2(&[
        "--set-config",
        &format!("eosremoterelease={release}"),
        "--wait-event=FILEADDED",
    ]);
    assert!(out.contains("FILEADDED IMG_"), "{out}");
    assert_eq!(
        captures(t),
        before + 1,
        "one picture when the shutter closes"
    );
}

/// Canon EOS bulb in one client run: a full press, two and a half seconds, the release; the
/// camera reports each second of the exposure (BulbExposureTime) and then the picture.
fn bulb_time(t: &Target) {
    let before = captures(t);
    let out = t.gphoto2(&[
        "--set-config",
        "capturetarget=1",
        "--set-config",
        "shutterspeed=bulb",
        "--set-config",
        "eosremoterelease=Press Full",
        "--wait-event=2500ms",
        "--set-config",
        "eosremoterelease=Release Full",
        "--wait-event=FILEADDED",
    ]);
    for want in ["BulbExposureTime 1", "BulbExposureTime 2", "FILEADDED IMG_"] {
        assert!(out.contains(want), "{want} missing:\n{out}");
    }
    assert_eq!(captures(t), before + 1, "one picture for the exposure");
}

/// `--capture-preview` twice: two live view JPEGs that differ (gphoto2 saves previews as
/// `thumb_<filename>`).
fn preview(t: &Target) {
    t.gphoto2(&["--capture-preview", "--filename", "preview1.jpg"]);
    std::thread::sleep(Duration::from_millis(100));
    t.gphoto2(&["--capture-preview", "--filename", "preview2.jpg"]);
    let (first, second) = (t.file("thumb_preview1.jpg"), t.file("thumb_preview2.jpg"));
    for frame in [&first, &second] {
        let size = card::jpeg_size(frame);
        if let Some(want) = t.model.preview_size {
            assert_eq!(size, want, "live view size");
        }
        let head = t.model.frame_head;
        assert!(
            card::read(frame).starts_with(head),
            "{} does not start {head:02X?}",
            frame.display()
        );
    }
    assert!(
        card::read(&first) != card::read(&second),
        "two previews are the same frame"
    );
}

/// `--capture-movie=30`: 30 live view frames in the Motion JPEG file (a count, not a
/// duration: an emulated CPU is slow, and speed is for the benches); every seventh decodes.
fn movie(t: &Target) {
    let mut movie = Bytes::new();
    // gphoto2 gives up on a preview the camera answered late (libgphoto2 waits 1 s for a Sony
    // frame, 3 s of EOS NotReady), prints "Movie capture error... Exiting." and still exits
    // 0. On a machine that also runs two emulated guests that happens without any fault of
    // the camera's, so a short movie gets one more try; a camera that is really short of
    // frames fails both.
    for attempt in 1..=2 {
        let run = t.gphoto2_run(&["--capture-movie=30", "--force-overwrite"]);
        assert!(
            run.ok,
            "`{}` failed:\n{}{}",
            run.command, run.stdout, run.stderr
        );
        movie = Bytes::from(card::read(&t.file("movie.mjpg")));
        if split_mjpeg(&movie).len() >= 30 {
            break;
        }
        eprintln!("movie, attempt {attempt}: short\n{}", run.stderr);
    }
    let frames = split_mjpeg(&movie);
    assert!(frames.len() >= 30, "only {} frames of 30", frames.len());
    for (i, frame) in frames.iter().enumerate().step_by(7) {
        image::load_from_memory_with_format(frame, image::ImageFormat::Jpeg)
            .unwrap_or_else(|e| panic!("movie frame {i}: {e}"));
    }
}

/// Canon EOS movie recording: `movierecordtarget=Card` for two seconds records the live view
/// into a QuickTime Motion JPEG file on the card (ObjectAddedEx: FILEADDED), which downloads
/// like any file.
fn movie_record(t: &Target) {
    let out = t.gphoto2(&[
        "--set-config",
        "movierecordtarget=Card",
        "--wait-event=2s",
        "--set-config",
        "movierecordtarget=None",
        "--wait-event=FILEADDED",
    ]);
    assert!(out.contains("FILEADDED MVI_0001.MOV"), "{out}");
    let path = format!("{}/MVI_0001.MOV", t.model.capture_folder);
    let movie = card::read(&t.card(&path));
    assert_eq!(movie.get(4..8), Some(&b"ftyp"[..]), "a QuickTime file");
    let frames = card::mjpeg_frames(&movie);
    assert!(frames >= 2, "only {frames} frames");
    t.gphoto2(&[
        "--get-file",
        &format!("/store_00010001/{path}"),
        "--filename",
        "movie.mov",
    ]);
    assert!(
        card::read(&t.file("movie.mov")) == movie,
        "the downloaded movie differs"
    );
}

/// The value of `--get-config` output.
fn current(out: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix("Current: "))
        .unwrap_or_else(|| panic!("no Current: in\n{out}"))
        .to_string()
}

/// `--list-config` lists the model's widgets; `--get-config` shows what the model says it
/// shows; each setting round-trips, values outside the
/// camera's list are refused, and a refused value leaves the setting as it was. Where every
/// client run has its own camera (libusb) the value is set and read in one run.
fn config(t: &Target) {
    let list = t.gphoto2(&["--list-config"]);
    for widget in t.model.widgets {
        assert!(
            list.lines().any(|l| l.ends_with(widget)),
            "{widget} missing:\n{list}"
        );
    }
    for &(name, texts) in t.model.shows {
        let out = t.gphoto2(&["--get-config", name]);
        for text in texts {
            assert!(out.contains(text), "{name}: {text:?} missing:\n{out}");
        }
    }
    let set = t.model.set_option;
    for s in t.model.settings {
        let assignment = format!("{}={}", s.name, s.value);
        let read_back = if t.keeps_state() {
            t.gphoto2(&[set, &assignment]);
            t.gphoto2(&["--get-config", s.name])
        } else {
            t.gphoto2(&[set, &assignment, "--get-config", s.name])
        };
        assert_eq!(current(&read_back), s.value, "{} read back", s.name);
        for &(bad, code) in s.refused {
            let run = t.gphoto2_run(&[set, &format!("{}={bad}", s.name)]);
            run.assert_refused(&format!("{}={bad} is outside the camera's list", s.name));
            if let Some(code) = code {
                assert!(
                    run.stderr.contains(code),
                    "refused by the camera with {code}:\n{}",
                    run.stderr
                );
            }
            if t.keeps_state() {
                assert_eq!(
                    current(&t.gphoto2(&["--get-config", s.name])),
                    s.value,
                    "{} changed by the refused value {bad}",
                    s.name
                );
            }
        }
    }
}

/// `--wait-event` shows property changes and new files.
fn events(t: &Target) {
    for check in t.model.events {
        let out = t.gphoto2(check.args);
        for want in check.expect {
            assert!(out.contains(want), "{want:?} not in\n{out}");
        }
    }
}

/// libmtp's tools: detect the MTP extension, list folders and files, get a file byte for
/// byte, send one into a folder and delete it again.
fn libmtp(t: &Target) {
    let out = t.env.ok("mtp-detect", &[]);
    for want in t.model.mtp_detect {
        assert!(
            out.contains(want),
            "{want:?} missing from mtp-detect:\n{out}"
        );
    }
    let out = t.env.ok("mtp-folders", &[]);
    assert!(out.contains("DCIM") && out.contains("100TEST"), "{out}");
    let out = t.env.ok("mtp-files", &[]);
    for f in SAMPLE {
        assert!(
            file_id(&out, f.name).is_some(),
            "{} missing from mtp-files:\n{out}",
            f.name
        );
    }
    let movie = SAMPLE
        .iter()
        .find(|f| f.name == "MOVIE.MOV")
        .unwrap_or_else(|| panic!("the sample card has a movie"));
    let id = file_id(&out, movie.name).unwrap_or_default().to_string();
    let _ = t.env.ok("mtp-getfile", &[&id, "movie.out"]);
    assert!(
        card::read(&t.file("movie.out")) == card::read(&t.card(movie.path)),
        "mtp-getfile bytes differ"
    );

    // mtp-sendfile takes the destination folder; the file keeps its local name.
    let local = t.file("SENT.PNG");
    card::write(&local, &card::read(&t.card("DCIM/100TEST/PIC_0002.PNG")));
    let _ = t
        .env
        .ok("mtp-sendfile", &[&local.to_string_lossy(), "/DCIM/100TEST"]);
    let landed = t.card("DCIM/100TEST/SENT.PNG");
    assert!(
        landed.exists(),
        "SENT.PNG not in the folder; the card has it at {:?}",
        card::find(&t.card(""), "SENT.PNG")
    );
    assert!(
        card::read(&landed) == card::read(&local),
        "sent bytes differ"
    );
    let out = t.env.ok("mtp-files", &[]);
    let id = file_id(&out, "SENT.PNG").unwrap_or_else(|| panic!("SENT.PNG not listed:\n{out}"));
    let _ = t.env.ok("mtp-delfile", &["-n", &id.to_string()]);
    assert!(!landed.exists(), "mtp-delfile left the file");
}

/// The File ID `mtp-files` gives `name`.
pub(crate) fn file_id(listing: &str, name: &str) -> Option<u32> {
    listing
        .split("File ID: ")
        .find(|block| {
            block
                .lines()
                .any(|l| l.trim().strip_prefix("Filename: ") == Some(name))
        })
        .and_then(|block| block.lines().next())
        .and_then(|l| l.trim().parse().ok())
}

/// The bulk IN transfer sizes `ptp-liveview` reads live view with: one high-speed packet
/// (512 B), a size no frame is a multiple of (1000 B), a page, and transfers that hold a
/// whole frame or many (64 KiB to 1 MiB).
pub const IN_TRANSFERS: [u32; 6] = [512, 1000, 4096, 65_536, 524_288, 1_048_576];

/// Frames read at each of [`IN_TRANSFERS`]: 300 in all. Through the drop-in, 50 at each size;
/// in the guest, where every URB crosses USB/IP under emulation (a 40 kB frame in 512-byte
/// transfers is 80 round trips), fewer at the smallest sizes and more at the large ones.
#[must_use]
pub fn frames_at(size: u32, in_guest: bool) -> usize {
    match (in_guest, size) {
        (false, _) => 50,
        (true, ..=1000) => 10,
        (true, ..=4096) => 40,
        (true, _) => 80,
    }
}

/// A `key=value` number of a `ptp-liveview` status line.
fn status_field(line: &str, key: &str) -> Option<u64> {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))?
        .parse()
        .ok()
}

/// `ptp-liveview --frames N --output FILE` at every IN transfer size of [`IN_TRANSFERS`]:
/// every frame written is a complete JPEG (the model's frame head .. `FF D9`, nothing
/// between frames, none truncated) that decodes, 300 in all; the tool counted no bad frame.
/// Through the drop-in every client process has its own camera, so the sizes run at once;
/// in the guest one camera is on the bus, so they run one after the other.
fn liveview_tool(t: &Target) {
    let tool = t.liveview().to_string_lossy().into_owned();
    let in_guest = t.transport.in_guest();
    let read = |size: u32| -> Run {
        let frames = frames_at(size, in_guest).to_string();
        let (size, file) = (size.to_string(), format!("live-{size}.mjpg"));
        t.env.run(
            &tool,
            &[
                "--frames",
                &frames,
                "--in-transfer",
                &size,
                "--report-every",
                "0",
                "--output",
                &file,
            ],
        )
    };
    let runs: Vec<Run> = if in_guest {
        IN_TRANSFERS.iter().map(|&size| read(size)).collect()
    } else {
        std::thread::scope(|scope| {
            let reading: Vec<_> = IN_TRANSFERS
                .iter()
                .map(|&size| scope.spawn(move || read(size)))
                .collect();
            reading
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    };
    for (size, run) in IN_TRANSFERS.into_iter().zip(runs) {
        let what = format!("IN transfers of {size} bytes");
        let done = run
            .stderr
            .lines()
            .find(|l| l.contains("done frames="))
            .map(str::to_string);
        assert!(run.ok, "{what}: `{}` failed:\n{}", run.command, run.stderr);
        let done = done.unwrap_or_else(|| panic!("{what}: no final status line:\n{}", run.stderr));
        let count = frames_at(size, in_guest);
        let want = count as u64;
        assert_eq!(status_field(&done, "frames"), Some(want), "{what}: {done}");
        assert_eq!(status_field(&done, "bad"), Some(0), "{what}: {done}");
        let mjpeg = Bytes::from(card::read(&t.file(&format!("live-{size}.mjpg"))));
        check_frames(t.model, &mjpeg, count, &what);
    }
}

/// `mjpeg` holds exactly `count` frames, back to back, each from the model's frame head to
/// `FF D9`, each decoding (to the model's live view size when it is fixed).
fn check_frames(model: &Model, mjpeg: &Bytes, count: usize, what: &str) {
    let frames = split_mjpeg(mjpeg);
    assert_eq!(frames.len(), count, "{what}: frames written");
    let total: usize = frames.iter().map(Bytes::len).sum();
    assert_eq!(total, mjpeg.len(), "{what}: bytes between the frames");
    for (i, frame) in frames.iter().enumerate() {
        assert!(
            frame.starts_with(model.frame_head) && frame.ends_with(&[0xFF, 0xD9]),
            "{what}: frame {i} of {} bytes is not {:02X?} .. FF D9",
            frame.len(),
            model.frame_head
        );
        let picture = image::load_from_memory_with_format(frame, image::ImageFormat::Jpeg)
            .unwrap_or_else(|e| panic!("{what}: frame {i}: {e}"));
        if let Some(want) = model.preview_size {
            assert_eq!(
                (picture.width(), picture.height()),
                want,
                "{what}: frame {i}"
            );
        }
    }
}

/// Kills a child process when dropped.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `ptp-liveview --http 127.0.0.1:0` and a headless Chromium on its address: the screenshot
/// shows the test pattern's colour bars (yellow, cyan and magenta areas), and the tool counted
/// the frames it served and no bad one.
fn liveview_http(t: &Target) {
    let tool = t.liveview().to_string_lossy().into_owned();
    let mut child = t
        .env
        .command(&tool)
        .args(["--http", "127.0.0.1:0", "--report-every", "0.5"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {tool}: {e}"));
    let stderr = child.stderr.take();
    let _running = Running(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        if let Some(stderr) = stderr {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        }
    });
    let mut log = Vec::new();
    let url = loop {
        let line = rx
            .recv_timeout(crate::tools::RUN_TIMEOUT)
            .unwrap_or_else(|e| panic!("no address from ptp-liveview ({e}):\n{}", log.join("\n")));
        if let Some(url) = line.strip_prefix("ptp-liveview: serving ") {
            break url.to_string();
        }
        log.push(line);
    };
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let shot = t.file("shot.png");
    let profile = t.file("chromium-profile");
    let run = t.env.run(
        "chromium",
        &[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=800,600",
            // The stream never ends: the screenshot is taken after 4 s of it.
            "--timeout=4000",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--screenshot={}", shot.display()),
            &url,
        ],
    );
    assert!(
        shot.exists(),
        "chromium wrote no screenshot:\n{}",
        run.stderr
    );
    let picture = image::open(&shot)
        .unwrap_or_else(|e| panic!("{}: {e}", shot.display()))
        .to_rgb8();
    let share = |test: fn(&image::Rgb<u8>) -> bool| {
        picture.pixels().filter(|p| test(p)).count() as f64
            / f64::from(picture.width() * picture.height())
    };
    // The pattern tints its bars by up to 63 (less red, more blue) from frame to frame.
    let yellow = share(|p| p[0] > 150 && p[1] > 180 && p[2] < 90);
    let cyan = share(|p| p[0] < 90 && p[1] > 180 && p[2] > 180);
    let magenta = share(|p| p[0] > 150 && p[1] < 90 && p[2] > 180);
    assert!(
        yellow > 0.02 && cyan > 0.02 && magenta > 0.02,
        "no colour bars in the screenshot: yellow {yellow:.3}, cyan {cyan:.3}, magenta {magenta:.3}"
    );
    let served = loop {
        let line = rx
            .recv_timeout(crate::tools::RUN_TIMEOUT)
            .unwrap_or_else(|e| panic!("ptp-liveview reported no frame served ({e})"));
        if status_field(&line, "served").is_some_and(|n| n > 0) {
            break line;
        }
    };
    assert_eq!(status_field(&served, "bad"), Some(0), "{served}");
}
