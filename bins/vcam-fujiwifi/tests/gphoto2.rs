//! Acceptance: the real gphoto2 (libgphoto2's "Fuji X (WLAN)", `camlibs/ptp2/fujiptpip.c`)
//! against the `vcam-fujiwifi` binary on free ports of 127.0.0.1, with a private HOME:
//! `--summary`, `--list-files`, `--get-all-files` byte for byte, `--capture-preview` from the
//! live view port, `--capture-movie=3s`, `--capture-image-and-download`; a second client (another
//! HOME, so another GUID) after the owner presses "change"; an owner who refuses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

fn require(tool: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()));
    assert!(
        found,
        "`{tool}` is not installed. Install it with `sudo apt-get install {package}`, or run ./scripts/test.sh, which installs every tool the tests need."
    );
}

/// A running `vcam-fujiwifi`.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(args: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("stderr.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_vcam-fujiwifi"))
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start vcam-fujiwifi");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "first line {line:?}; stderr: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .parse()
            .unwrap();
        Self {
            child,
            addr,
            log,
            _dir: dir,
        }
    }

    /// gphoto2's port: the command port and the event port (the live view port is the next).
    fn gphoto_port(&self) -> String {
        format!(
            "ptpip:127.0.0.1:{}:{}",
            self.addr.port(),
            self.addr.port() + 1
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- vcam-fujiwifi log ---\n{}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// gphoto2 with a private HOME (its GUID lives in ~/.gphoto/settings) and working folder.
struct Gphoto {
    home: tempfile::TempDir,
    cwd: tempfile::TempDir,
    port: String,
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Gphoto {
    fn new(server: &Server) -> Self {
        require("gphoto2", "gphoto2");
        Self {
            home: tempfile::tempdir().unwrap(),
            cwd: tempfile::tempdir().unwrap(),
            port: server.gphoto_port(),
        }
    }

    fn run(&self, args: &[&str]) -> Run {
        let started = Instant::now();
        let out = Command::new("gphoto2")
            .args(["--camera", "Fuji X (WLAN)", "--port", &self.port])
            .args(args)
            .env("HOME", self.home.path())
            .env("LANG", "C")
            .current_dir(self.cwd.path())
            .output()
            .expect("run gphoto2");
        let run = Run {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        eprintln!(
            "gphoto2 {args:?} ({:?}): ok={}\n{}{}",
            started.elapsed(),
            run.ok,
            run.stdout,
            run.stderr
        );
        run
    }

    fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert!(
            run.ok,
            "gphoto2 {args:?} failed:\n{}{}",
            run.stdout, run.stderr
        );
        run.stdout
    }

    fn file(&self, name: &str) -> PathBuf {
        self.cwd.path().join(name)
    }
}

/// A card: pictures, a movie of a few MB, a text file in a second folder.
fn card() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let dcim = dir.path().join("DCIM/100_FUJI");
    std::fs::create_dir_all(&dcim).unwrap();
    for (i, name) in ["DSCF0001.JPG", "DSCF0002.JPG"].iter().enumerate() {
        let img = image::RgbImage::from_fn(320, 240, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, (i * 90) as u8])
        });
        img.save(dcim.join(name)).unwrap();
    }
    let movie: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(dcim.join("DSCF0003.MOV"), movie).unwrap();
    std::fs::create_dir_all(dir.path().join("DCIM/101_FUJI")).unwrap();
    std::fs::write(dir.path().join("DCIM/101_FUJI/NOTES.TXT"), b"vcam fuji\n").unwrap();
    dir
}

fn jpeg_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        &bytes[..2],
        &[0xFF, 0xD8],
        "{} is not a JPEG",
        path.display()
    );
    let img = image::load_from_memory(&bytes).unwrap();
    (img.width(), img.height())
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn gphoto2_over_fuji_wifi() {
    let card = card();
    let server = Server::start(&[
        "fuji_xh1",
        "--fs",
        card.path().to_str().unwrap(),
        "--liveview-size",
        "320x240",
    ]);
    let g = Gphoto::new(&server);

    let summary = g.ok(&["--summary"]);
    for line in [
        "Manufacturer: FUJIFILM",
        "Model: X-H1",
        "Serial Number: 593534313432190906AA602021CA2A",
        "Vendor Extension ID: 0xe",
        "Vendor Extension Description: fujifilm.co.jp: 1.0;",
        "White Balance(0x5005)",
        "Property 0xdf00",
    ] {
        assert!(summary.contains(line), "--summary lacks {line:?}");
    }

    let list = g.ok(&["--list-files"]);
    for name in ["DSCF0001.JPG", "DSCF0002.JPG", "DSCF0003.MOV", "NOTES.TXT"] {
        assert!(list.contains(name), "--list-files lacks {name}");
    }

    // Every file, byte for byte (gphoto2 writes them flat into its folder).
    g.ok(&["--get-all-files"]);
    let originals = files(card.path());
    assert_eq!(originals.len(), 4);
    for original in &originals {
        let name = original.file_name().unwrap();
        let copy = std::fs::read(g.file(name.to_str().unwrap())).unwrap();
        assert_eq!(copy, std::fs::read(original).unwrap(), "{name:?} differs");
    }

    // Live view from the live view port.
    // (gphoto2 names a preview thumb_<filename>.)
    g.ok(&["--capture-preview", "--filename", "preview.jpg"]);
    assert_eq!(jpeg_size(&g.file("thumb_preview.jpg")), (320, 240));

    // A movie of preview frames: many whole JPEGs.
    g.ok(&["--capture-movie=3s", "--filename", "movie.mjpg"]);
    let movie = std::fs::read(g.file("movie.mjpg")).unwrap();
    let frames = movie
        .windows(3)
        .filter(|w| w == &[0xFF, 0xD8, 0xFF])
        .count();
    eprintln!("movie: {} bytes, {frames} frames", movie.len());
    assert!(frames >= 10, "only {frames} frames in 3 s");

    // Capture over WLAN: libgphoto2's camera_fuji_capture (focus, shoot, ObjectAdded 0xC004 on
    // the event port), download, and the picture is deleted from the card again.
    let out = g.ok(&["--capture-image-and-download", "--filename", "shot.jpg"]);
    assert!(out.contains("DCIM/100_FUJI/DSCF"), "{out}");
    let (w, h) = jpeg_size(&g.file("shot.jpg"));
    assert!(w >= 2000 && h >= 1688, "{w}x{h}");
    assert_eq!(
        files(card.path()),
        originals,
        "the capture was deleted after download"
    );

    // Another client (another HOME, another GUID): refused once ("change" on the body), then
    // accepted on libgphoto2's retry.
    let other = Gphoto::new(&server);
    let out = other.ok(&["--summary"]);
    assert!(out.contains("Model: X-H1"));
}

#[test]
fn an_owner_who_refuses() {
    let server = Server::start(&["fuji_xh1", "--accept", "refuse"]);
    let g = Gphoto::new(&server);
    let run = g.run(&["--summary"]);
    assert!(!run.ok, "a refusing body served gphoto2");
    assert!(!run.stdout.contains("Model: X-H1"));
    // The body still serves: a client it is paired with is accepted.
    let home_settings = g.home.path().join(".gphoto/settings");
    let settings = std::fs::read_to_string(&home_settings).unwrap_or_default();
    let guid = settings
        .lines()
        .find_map(|l| l.strip_prefix("ptp2_ip=guid="))
        .map(|g| g.replace(':', ""))
        .expect("libgphoto2 stored its GUID");
    let host = hostname();
    let paired = Server::start(&[
        "fuji_xh1",
        "--accept",
        "refuse",
        "--paired-guid",
        &guid,
        "--paired-name",
        &host,
    ]);
    let mut g2 = Gphoto::new(&paired);
    g2.home = g.home;
    assert!(g2.ok(&["--summary"]).contains("Model: X-H1"));
}

/// The name libgphoto2 sends (gethostname, at most 26 characters).
fn hostname() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    name.trim().chars().take(26).collect()
}

#[test]
fn models_and_options() {
    let out = Command::new(env!("CARGO_BIN_EXE_vcam-fujiwifi"))
        .arg("--list-models")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("fuji_xh1"));
    let out = Command::new(env!("CARGO_BIN_EXE_vcam-fujiwifi"))
        .args(["canon_1300d", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no Fujifilm WiFi face"));
}

#[test]
fn announce_turns_on_pc_autosave() {
    // The PC's UDP port for `DISCOVER *` (the register port, notify port + 2).
    let (notify, pc) = (0..100)
        .find_map(|_| {
            let probe = std::net::UdpSocket::bind("127.0.0.1:0").ok()?;
            let port = probe.local_addr().ok()?.port();
            drop(probe);
            let notify = port.checked_sub(2)?;
            let pc = std::net::UdpSocket::bind(("127.0.0.1", port)).ok()?;
            std::net::TcpListener::bind(("127.0.0.1", notify)).ok()?;
            Some((notify, pc))
        })
        .expect("free ports");
    let server = Server::start(&[
        "fuji_xh1",
        "--announce",
        "127.0.0.1",
        "--autosave-port",
        &notify.to_string(),
    ]);
    pc.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut buf = [0u8; 512];
    let (n, _) = pc.recv_from(&mut buf).unwrap();
    assert_eq!(
        std::str::from_utf8(&buf[..n]).unwrap(),
        "DISCOVER * HTTP/1.1\r\nMX:3\r\nHOST:127.0.0.1:|\r\nDSCADDR:127.0.0.1\r\nSERVICE:PCAUTOSAVE/1.0\r\n"
    );
    // The body is in PC AutoSave mode: CameraState 3.
    let summary = Gphoto::new(&server).ok(&["--summary"]);
    assert!(
        summary.contains("Property 0xdf00:(readwrite) (type=0x4) Enumeration [0,1,2,3,6] value: 3"),
        "{summary}"
    );
}
