//! Issue 16's rig checks against real gphoto2, each on one `vcam-ptpip` process:
//!
//! - several cameras in one process (`--models`), each driven by its own gphoto2 at the same
//!   time: every client sees its own model and its own card, byte for byte;
//! - the soak: `VCAM_SOAK_SESSIONS` (default 200) sequential gphoto2 sessions mixing summary,
//!   download, capture and preview against one process, whose resident memory stays flat. The
//!   long version runs by hand: `VCAM_SOAK_SESSIONS=5000 cargo test -p vcam-ptpip --test rig
//!   -- soak --nocapture`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use vcam_testkit::card::{self, SAMPLE};
use vcam_testkit::{Env, VcamProcess};

/// `vcam-ptpip` with `args`, serving `cameras` cameras.
fn vcam(args: &[&str], cameras: usize) -> VcamProcess {
    VcamProcess::start_several(Path::new(env!("CARGO_BIN_EXE_vcam-ptpip")), args, cameras)
}

/// gphoto2 over PTP/IP to `port`, with a HOME (and so a PTP/IP GUID) of its own kept across
/// its runs: a Canon body pairs with its first client.
fn gphoto2(port: u16) -> Env {
    Env::new().gphoto2_ptpip(port)
}

/// Checks that `env`'s working folder holds every file of the sample card as `card` has it.
fn downloaded_whole_card(env: &Env, card: &Path, who: &str) {
    for file in SAMPLE {
        let got = card::read(&env.file(file.name));
        let want = card::read(&card.join(file.path));
        assert!(got == want, "{who}: {} differs from the card", file.name);
    }
}

/// A JPEG file gphoto2 saved.
fn is_jpeg(path: &Path) -> bool {
    card::read(path).starts_with(&[0xFF, 0xD8])
}

/// One client's work on its camera: summary, listing, the whole card, a capture.
fn drive(mut env: Env, model_text: &str, card: &Path, rounds: usize) {
    for round in 0..rounds {
        let who = format!("{model_text}, round {round}");
        let summary = env.ok("gphoto2", &["--summary"]);
        assert!(summary.contains(model_text), "{who}: summary\n{summary}");
        let listing = env.ok("gphoto2", &["--list-files"]);
        assert!(
            listing.contains("PIC_0001.JPG"),
            "{who}: listing\n{listing}"
        );
        env.new_workdir(&format!("round{round}"));
        env.ok("gphoto2", &["--get-all-files"]);
        downloaded_whole_card(&env, card, &who);
        let capture = env.ok(
            "gphoto2",
            &["--capture-image-and-download", "--filename", "shot.jpg"],
        );
        assert!(is_jpeg(&env.file("shot.jpg")), "{who}: capture\n{capture}");
    }
}

#[test]
fn two_models_in_one_process_each_driven_by_gphoto2_at_the_same_time() {
    let eos_card = card::sample();
    let generic_card = card::sample();
    let list = format!(
        "canon_6d={},generic={}",
        eos_card.path().display(),
        generic_card.path().display()
    );
    let vcam = vcam(&["--models", &list], 2);
    let ports: Vec<u16> = vcam.addrs().iter().map(|a| a.port()).collect();
    assert_ne!(ports[0], ports[1], "one listener each");
    std::thread::scope(|s| {
        let eos = s.spawn(|| drive(gphoto2(ports[0]), "Canon EOS 6D", eos_card.path(), 3));
        let generic = s.spawn(|| drive(gphoto2(ports[1]), "vcam", generic_card.path(), 3));
        for (name, client) in [("canon_6d", eos), ("generic", generic)] {
            if let Err(e) = client.join() {
                std::panic::resume_unwind(e);
            }
            eprintln!("{name}: 3 rounds of summary, listing, whole card and capture");
        }
    });
    // Each card holds its own files only: the captures went to their clients, and the two
    // cameras keep a pairing each.
    for (card, model) in [(&eos_card, "canon_6d"), (&generic_card, "generic")] {
        let names: Vec<String> = card::files_under(card.path())
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .filter(|n| !n.starts_with(".vcam"))
            .collect();
        assert_eq!(names.len(), SAMPLE.len(), "{model}'s card: {names:?}");
    }
}

#[test]
fn soak_sequential_sessions_keep_the_servers_memory_flat() {
    let sessions: usize = std::env::var("VCAM_SOAK_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let card = card::sample();
    let vcam = vcam(&["canon_6d", "--fs", card.path().to_str().unwrap()], 1);
    let mut env = gphoto2(vcam.port());
    // Memory once every kind of session has run a few times (buffers, caches, the
    // allocator's pools at their working size), then at the end.
    let warm_after = 20.min(sessions);
    let mut warm = 0;
    for i in 0..sessions {
        let who = format!("session {i}");
        match i % 4 {
            0 => {
                let out = env.ok("gphoto2", &["--summary"]);
                assert!(out.contains("Canon EOS 6D"), "{who}: summary\n{out}");
            }
            1 => {
                env.new_workdir(&format!("s{i}"));
                env.ok("gphoto2", &["--get-all-files"]);
                downloaded_whole_card(&env, card.path(), &who);
            }
            2 => {
                let out = env.ok(
                    "gphoto2",
                    &[
                        "--capture-image-and-download",
                        "--filename",
                        "shot.jpg",
                        "--force-overwrite",
                    ],
                );
                assert!(is_jpeg(&env.file("shot.jpg")), "{who}: capture\n{out}");
            }
            _ => {
                let out = env.ok(
                    "gphoto2",
                    &[
                        "--capture-preview",
                        "--filename",
                        "preview.jpg",
                        "--force-overwrite",
                    ],
                );
                // gphoto2 names a preview thumb_FILENAME.
                let saved = ["preview.jpg", "thumb_preview.jpg"]
                    .map(|n| env.file(n))
                    .into_iter()
                    .find(|p| p.exists())
                    .unwrap_or_else(|| panic!("{who}: no preview saved\n{out}"));
                assert!(is_jpeg(&saved), "{who}: preview\n{out}");
            }
        }
        if i + 1 == warm_after {
            warm = vcam.rss_kib();
        }
        if (i + 1) % 1000 == 0 {
            eprintln!("{} sessions, RSS {} KiB", i + 1, vcam.rss_kib());
        }
    }
    let end = vcam.rss_kib();
    eprintln!("soak: {sessions} sessions; RSS {warm} KiB after {warm_after}, {end} KiB at the end");
    // Flat: what is left of growth after the warm-up is the allocator's slack, not a leak
    // (a leak of even 10 KiB per session would show as 1.8 MiB over 180 sessions).
    assert!(
        end <= warm + 1024,
        "RSS grew from {warm} KiB to {end} KiB over {} sessions",
        sessions - warm_after
    );
    let left = card::files_under(card.path())
        .iter()
        .filter(|p| !p.to_string_lossy().contains(".vcam"))
        .count();
    assert_eq!(
        left,
        SAMPLE.len(),
        "the captures were downloaded and deleted"
    );
}
