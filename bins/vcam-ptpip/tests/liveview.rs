//! Issue 15, items 13 and 14: live view as gphoto2 sees it.
//!
//! Item 14: a body delivers live view at its sensor's rate. The EOS 1300D answers a
//! GetViewFinderData that comes before its next frame with NotReady (0xA102), and libgphoto2
//! sleeps and asks again (`camlibs/ptp2/library.c`: `camera_capture_preview`), so
//! `gphoto2 --capture-movie=3s` gets about three seconds of frames, not tens of thousands of
//! copies of the same one. `--liveview-unpaced` is the explicit "as fast as possible" switch
//! of benches, and gets many more.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use vcam_testkit::card::{mjpeg_frames, read};
use vcam_testkit::server::VcamProcess;
use vcam_testkit::tools::tempdir;
use vcam_testkit::{Env, Run};

/// Live view frames per second the camera is started with (the synthetic source's rate).
const FPS: u32 = 30;
/// How long gphoto2 captures, by its own clock.
const SECONDS: u32 = 3;

fn eos(card: &Path, extra: &[&str]) -> VcamProcess {
    std::fs::create_dir_all(card.join("DCIM/100CANON")).unwrap();
    let fps = FPS.to_string();
    let mut args = vec![
        "canon_1300d",
        "--fs",
        card.to_str().unwrap(),
        "--liveview-size",
        "320x240",
        "--liveview-fps",
        &fps,
    ];
    args.extend_from_slice(extra);
    VcamProcess::start(Path::new(env!("CARGO_BIN_EXE_vcam-ptpip")), &args)
}

/// The frame count gphoto2 reports, checked against the Motion JPEG it wrote.
fn movie_frames(env: &Env, run: &Run) -> usize {
    assert!(run.ok, "gphoto2 --capture-movie failed:\n{}", run.stderr);
    let said: usize = run
        .stderr
        .lines()
        .chain(run.stdout.lines())
        .find_map(|l| l.strip_prefix("Movie capture finished ("))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no frame count in:\n{}{}", run.stdout, run.stderr));
    let written = mjpeg_frames(&read(&env.file("movie.mjpg")));
    assert_eq!(written, said, "frames in movie.mjpg");
    said
}

#[test]
fn eos_live_view_is_paced_at_the_sensor_rate() {
    let card = tempdir();
    let vcam = eos(card.path(), &[]);
    let env = Env::new().gphoto2_ptpip(vcam.port());
    let movie = format!("--capture-movie={SECONDS}s");
    let paced = movie_frames(&env, &env.run("gphoto2", &[&movie]));
    // At most one frame per sensor frame: the rate times gphoto2's duration, with a second
    // of slack for its start and its last poll.
    let most = (FPS * (SECONDS + 1)) as usize;
    assert!(
        (1..=most).contains(&paced),
        "{paced} frames in {SECONDS} s from a {FPS} fps sensor (at most {most})"
    );
    assert!(
        vcam.log().contains("0xa102") || vcam.log().contains("NotReady"),
        "polls between frames were answered NotReady"
    );

    // The bench switch: every poll gets a frame.
    let card = tempdir();
    let vcam = eos(card.path(), &["--liveview-unpaced"]);
    let env = Env::new().gphoto2_ptpip(vcam.port());
    let unpaced = movie_frames(&env, &env.run("gphoto2", &[&movie]));
    assert!(
        unpaced > most,
        "--liveview-unpaced answers every poll: {unpaced} frames (paced: {paced})"
    );
}
