//! Acceptance: unmodified gphoto2 and libmtp tools, with the built shim in `LD_PRELOAD` and a
//! private HOME, see vcam's virtual USB cameras and do their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The shared library built beside this test binary (target/<profile>/libvcam_libusb.so).
fn shim_path() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let so = dir.join("libvcam_libusb.so");
    assert!(
        so.exists(),
        "{} missing: build with `cargo build -p vcam-libusb`",
        so.display()
    );
    so
}

fn require(tool: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(tool).is_file()));
    assert!(
        found,
        "`{tool}` is not installed: run ./scripts/test.sh (it installs it) or `apt-get install {package}`"
    );
}

/// One client environment: private HOME and working folder, models and card.
struct Env {
    home: tempfile::TempDir,
    cwd: tempfile::TempDir,
    models: String,
    card: Option<PathBuf>,
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Env {
    fn new(models: &str, card: Option<&Path>) -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
            cwd: tempfile::tempdir().unwrap(),
            models: models.into(),
            card: card.map(Path::to_path_buf),
        }
    }

    fn run(&self, tool: &str, args: &[&str]) -> Run {
        let started = Instant::now();
        let mut cmd = Command::new(tool);
        cmd.args(args)
            .env("HOME", self.home.path())
            .env("LANG", "C.UTF-8")
            .env("LD_PRELOAD", shim_path())
            .env("VCAM_MODELS", &self.models)
            .current_dir(self.cwd.path());
        match &self.card {
            Some(card) => cmd.env("VCAM_FS", card),
            None => cmd.env_remove("VCAM_FS"),
        };
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("running {tool}: {e}"));
        let run = Run {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        eprintln!(
            "{tool} {args:?} ({:?}): ok={}\n{}{}",
            started.elapsed(),
            run.ok,
            run.stdout,
            run.stderr
        );
        run
    }

    fn ok(&self, tool: &str, args: &[&str]) -> String {
        let run = self.run(tool, args);
        assert!(
            run.ok,
            "{tool} {args:?} failed:\n{}\n{}",
            run.stdout, run.stderr
        );
        run.stdout
    }

    fn gphoto(&self, args: &[&str]) -> String {
        require("gphoto2", "gphoto2");
        self.ok("gphoto2", args)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.cwd.path().join(name)
    }
}

/// A card with a JPEG, a PNG and a 3 MB movie.
fn card() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let dcim = dir.path().join("DCIM/100TEST");
    std::fs::create_dir_all(&dcim).unwrap();
    let img = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 77])
    });
    img.save(dcim.join("PIC_0001.JPG")).unwrap();
    img.save(dcim.join("PIC_0002.PNG")).unwrap();
    let big: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(dcim.join("MOVIE.MOV"), big).unwrap();
    dir
}

fn jpeg_ok(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        &bytes[..2],
        &[0xFF, 0xD8],
        "{} is not a JPEG",
        path.display()
    );
    let img = image::load_from_memory(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (img.width(), img.height())
}

fn find(root: &Path, name: &str) -> Option<PathBuf> {
    for e in std::fs::read_dir(root).ok()? {
        let p = e.ok()?.path();
        if p.is_dir() {
            if let Some(found) = find(&p, name) {
                return Some(found);
            }
        } else if p.file_name().is_some_and(|n| n == name) {
            return Some(p);
        }
    }
    None
}

#[test]
fn auto_detect_lists_every_model_on_usb_ports() {
    let env = Env::new("generic,mtp_camera", None);
    let out = env.gphoto(&["--auto-detect"]);
    let ports: Vec<&str> = out.lines().filter(|l| l.contains("usb:")).collect();
    assert_eq!(ports.len(), 2, "two cameras expected:\n{out}");
    assert!(
        ports.iter().all(|l| l.contains("USB PTP Class Camera")),
        "{out}"
    );
    assert!(
        out.contains("usb:001,002") && out.contains("usb:001,003"),
        "{out}"
    );
}

#[test]
fn gphoto2_session_over_usb() {
    let card = card();
    let env = Env::new("generic", Some(card.path()));
    let out = env.gphoto(&["--summary"]);
    assert!(out.contains("Model: Generic PTP Camera"), "{out}");
    assert!(out.contains("Manufacturer: vcam"), "{out}");
    let out = env.gphoto(&["--list-files"]);
    for name in ["PIC_0001.JPG", "PIC_0002.PNG", "MOVIE.MOV"] {
        assert!(out.contains(name), "{name} not listed:\n{out}");
    }
    env.gphoto(&["--get-all-files"]);
    for name in ["PIC_0001.JPG", "PIC_0002.PNG", "MOVIE.MOV"] {
        let original = std::fs::read(card.path().join("DCIM/100TEST").join(name)).unwrap();
        let got = std::fs::read(env.file(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(original == got, "{name}: downloaded bytes differ");
    }
    // Upload into the folder, then delete it again.
    let up = env.file("UPLOAD.JPG");
    std::fs::copy(env.file("PIC_0001.JPG"), &up).unwrap();
    env.gphoto(&[
        "--folder",
        "/store_00010001/DCIM/100TEST",
        "--upload-file",
        up.to_str().unwrap(),
    ]);
    let landed = card.path().join("DCIM/100TEST/UPLOAD.JPG");
    assert!(
        std::fs::read(&landed).unwrap() == std::fs::read(&up).unwrap(),
        "uploaded bytes differ"
    );
    env.gphoto(&[
        "--folder",
        "/store_00010001/DCIM/100TEST",
        "--delete-file",
        "UPLOAD.JPG",
    ]);
    assert!(!landed.exists(), "deleted file still in the folder");
    // Capture: the ObjectAdded event comes through the interrupt endpoint.
    let out = env.gphoto(&["--capture-image-and-download", "--filename", "shot.jpg"]);
    assert!(out.contains("New file is in location"), "{out}");
    assert_eq!(jpeg_ok(&env.file("shot.jpg")), (1600, 1200));
    let out = env.gphoto(&["--set-config-value", "iso=1600", "--wait-event=2s"]);
    assert!(out.contains("PTP Property 500f changed"), "{out}");
    let out = env.gphoto(&["--trigger-capture", "--wait-event=2s"]);
    assert!(out.contains("FILEADDED"), "{out}");
}

#[test]
fn libmtp_tools_against_the_mtp_model() {
    require("mtp-detect", "mtp-tools");
    let card = card();
    let env = Env::new("mtp_camera", Some(card.path()));
    let out = env.ok("mtp-detect", &[]);
    assert!(out.contains("microsoft.com: 1.0"), "{out}");
    assert!(
        out.contains("Model: vcam MTP Camera") || out.contains("vcam MTP Camera"),
        "{out}"
    );
    let out = env.ok("mtp-folders", &[]);
    assert!(out.contains("DCIM") && out.contains("100TEST"), "{out}");
    let out = env.ok("mtp-files", &[]);
    let mut id_of = std::collections::HashMap::new();
    let mut current = None;
    for line in out.lines() {
        if let Some(id) = line.trim().strip_prefix("File ID: ") {
            current = id.trim().parse::<u32>().ok();
        }
        if let (Some(name), Some(id)) = (line.trim().strip_prefix("Filename: "), current) {
            id_of.insert(name.trim().to_string(), id);
        }
    }
    for name in ["PIC_0001.JPG", "PIC_0002.PNG", "MOVIE.MOV"] {
        assert!(
            id_of.contains_key(name),
            "{name} missing from mtp-files:\n{out}"
        );
    }
    let movie = id_of["MOVIE.MOV"].to_string();
    env.ok("mtp-getfile", &[&movie, "movie.out"]);
    let original = std::fs::read(card.path().join("DCIM/100TEST/MOVIE.MOV")).unwrap();
    assert!(
        std::fs::read(env.file("movie.out")).unwrap() == original,
        "mtp-getfile bytes differ"
    );

    // mtp-sendfile takes the destination folder; the file keeps its local name.
    let local = env.file("SENT.PNG");
    std::fs::copy(card.path().join("DCIM/100TEST/PIC_0002.PNG"), &local).unwrap();
    env.ok("mtp-sendfile", &[local.to_str().unwrap(), "/DCIM/100TEST"]);
    let landed = card.path().join("DCIM/100TEST/SENT.PNG");
    assert!(
        landed.exists(),
        "SENT.PNG not in the folder; card has {:?}",
        find(card.path(), "SENT.PNG")
    );
    assert!(
        std::fs::read(&landed).unwrap() == std::fs::read(&local).unwrap(),
        "sent bytes differ"
    );

    let out = env.ok("mtp-files", &[]);
    let id = out
        .split("File ID: ")
        .find(|block| block.contains("Filename: SENT.PNG"))
        .and_then(|block| block.lines().next())
        .and_then(|l| l.trim().parse::<u32>().ok())
        .unwrap_or_else(|| panic!("SENT.PNG not listed:\n{out}"));
    env.ok("mtp-delfile", &["-n", &id.to_string()]);
    assert!(!landed.exists(), "mtp-delfile left the file");
}

#[test]
fn canon_eos_1300d_through_the_shim() {
    let card = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(card.path().join("DCIM/100CANON")).unwrap();
    let env = Env::new("canon_1300d", Some(card.path()));
    let out = env.gphoto(&["--auto-detect"]);
    assert!(
        out.lines()
            .any(|l| l.contains("Canon EOS 1300D") && l.contains("usb:")),
        "the EOS is matched by its VID:PID:\n{out}"
    );
    let out = env.gphoto(&["--summary"]);
    assert!(out.contains("Model: Canon EOS 1300D"), "{out}");
    let out = env.gphoto(&["--list-config"]);
    for widget in [
        "/iso",
        "/aperture",
        "/shutterspeed",
        "/whitebalance",
        "/imageformat",
        "/capturetarget",
        "/eosremoterelease",
        "/viewfinder",
    ] {
        assert!(
            out.lines().any(|l| l.ends_with(widget)),
            "{widget} missing:\n{out}"
        );
    }
    // Each gphoto2 run is a new process and a new camera: set and read in one run.
    let out = env.gphoto(&["--set-config", "iso=800", "--get-config", "iso"]);
    assert!(out.contains("Current: 800"), "{out}");
    let run = env.run("gphoto2", &["--set-config", "iso=123"]);
    assert!(!run.ok, "a value outside the list must be refused");
    env.gphoto(&[
        "--set-config",
        "capturetarget=0",
        "--capture-image-and-download",
        "--filename",
        "ram.jpg",
    ]);
    jpeg_ok(&env.file("ram.jpg"));
    let out = env.gphoto(&[
        "--set-config",
        "capturetarget=1",
        "--capture-image-and-download",
        "--filename",
        "card.jpg",
    ]);
    assert!(out.contains("/DCIM/100CANON/"), "{out}");
    jpeg_ok(&env.file("card.jpg"));
    env.gphoto(&["--capture-preview", "--filename", "p1.jpg"]);
    env.gphoto(&["--capture-preview", "--filename", "p2.jpg"]);
    jpeg_ok(&env.file("thumb_p1.jpg"));
    jpeg_ok(&env.file("thumb_p2.jpg"));
    assert_ne!(
        std::fs::read(env.file("thumb_p1.jpg")).unwrap(),
        std::fs::read(env.file("thumb_p2.jpg")).unwrap()
    );
    env.gphoto(&["--capture-movie=3s"]);
    let movie = std::fs::read(env.file("movie.mjpg")).unwrap();
    let frames = movie
        .windows(3)
        .filter(|w| w == &[0xFF, 0xD8, 0xFF])
        .count();
    assert!(frames >= 30, "only {frames} frames in 3 s");
    let out = env.gphoto(&["--set-config", "iso=400", "--wait-event=3s"]);
    assert!(out.contains("\"iso\" to \"400\""), "{out}");
}
