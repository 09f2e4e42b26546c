//! Issue 15, item 17: objects of 4 GiB and more, through real clients.
//!
//! ObjectInfo's size field has 32 bits: a larger object shows 0xFFFFFFFF. MTP gives the full
//! size as ObjectSize (0xDC04, 64 bits) and the data phase of GetObject carries every byte
//! (USB: a container of unknown length ended by a short packet; PTP/IP: a 64-bit length), so
//! libmtp's `mtp-getfile` gets the whole file from the MTP camera. libgphoto2 2.5 reads the
//! MTP size only from devices it knows (`camlibs/ptp2/library.c`: `camera_init` marks every
//! other device `DEVICE_FLAG_BROKEN_MTPGETOBJPROPLIST`), and with a GetPartialObject it reads
//! 1 MiB blocks up to ObjectInfo's size (`get_file_func`): it cannot get every byte of such an
//! object from any vcam model, and used to save it one byte short with exit status 0. The
//! camera now refuses the block that ends at the 0xFFFFFFFF sentinel of a larger object, so
//! gphoto2 fails instead of succeeding with a short file.
//!
//! The object is a sparse file of 4 GiB + 10 bytes with markers at its start, across the
//! 4 GiB boundary and at its end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use vcam_testkit::server::{VcamProcess, built};
use vcam_testkit::{Env, require};

const FOUR_GIB: u64 = 4 << 30;
const SIZE: u64 = FOUR_GIB + 10;
const MARKS: [(u64, &[u8; 4]); 3] = [(0, b"HEAD"), (FOUR_GIB - 2, b"MID4"), (SIZE - 4, b"TAIL")];

fn huge_card() -> tempfile::TempDir {
    let dir = vcam_testkit::tools::memory_tempdir();
    let mut f = std::fs::File::create(dir.path().join("HUGE.MOV")).unwrap();
    f.set_len(SIZE).unwrap();
    for (at, mark) in MARKS {
        f.seek(SeekFrom::Start(at)).unwrap();
        f.write_all(mark).unwrap();
    }
    dir
}

/// Reads `from` to its end, keeping only the byte count and the bytes at the markers.
fn count_and_marks(mut from: impl Read) -> (u64, Vec<Vec<u8>>) {
    let mut buf = vec![0u8; 1 << 20];
    let mut seen = vec![Vec::new(); MARKS.len()];
    let mut at = 0u64;
    loop {
        let n = from.read(&mut buf).unwrap();
        if n == 0 {
            return (at, seen);
        }
        for (i, (mark_at, _)) in MARKS.iter().enumerate() {
            for k in 0..4 {
                let want = mark_at + k;
                if (at..at + n as u64).contains(&want) {
                    seen[i].push(buf[usize::try_from(want - at).unwrap()]);
                }
            }
        }
        at += n as u64;
    }
}

#[test]
fn mtp_getfile_gets_every_byte() {
    let card = huge_card();
    let env = Env::new()
        .var("LD_PRELOAD", built("libvcam_libusb.so"))
        .var("VCAM_MODELS", "mtp_camera")
        .var("VCAM_FS", card.path());
    let files = env.ok("mtp-files", &[]);
    assert!(
        files.contains(&format!("File size {SIZE} ")),
        "the 64-bit ObjectSize is listed:\n{files}"
    );
    let fifo = env.file("huge.fifo");
    let made = Command::new(require("mkfifo")).arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || count_and_marks(std::fs::File::open(fifo).unwrap()))
    };
    let run = env.run("mtp-getfile", &["1", fifo.to_str().unwrap()]);
    let (bytes, marks) = reader.join().unwrap();
    assert!(run.ok, "mtp-getfile failed:\n{}{}", run.stdout, run.stderr);
    assert_eq!(bytes, SIZE, "every byte");
    let want: Vec<Vec<u8>> = MARKS.iter().map(|(_, m)| m.to_vec()).collect();
    assert_eq!(
        marks, want,
        "the bytes at the start, across 4 GiB and at the end"
    );
}

#[test]
fn gphoto2_never_saves_a_short_file() {
    let card = huge_card();
    let vcam = VcamProcess::start(
        Path::new(env!("CARGO_BIN_EXE_vcam-ptpip")),
        &["generic", "--fs", card.path().to_str().unwrap()],
    );
    let env = Env::new();
    let mut child = support::gphoto2(&env, &vcam)
        .args(["--get-file", "1", "--stdout"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || count_and_marks(stdout));
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    let (bytes, _) = reader.join().unwrap();
    eprintln!("gphoto2 --get-file of {SIZE} bytes: {status}, {bytes} bytes out\n{stderr}");
    assert!(
        !status.success() || bytes == SIZE,
        "gphoto2 succeeded with {bytes} of {SIZE} bytes"
    );
    assert!(
        !status.success() && stderr.contains("Incomplete Transfer"),
        "the camera refuses the block that would end the object at 0xFFFFFFFF:\n{stderr}"
    );
    assert!(
        vcam.log().contains("4 GiB size sentinel"),
        "refused by the sentinel rule"
    );
}
