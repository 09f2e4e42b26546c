//! Issue 15, items 15 and 16: a card with 100,000 files in one folder.
//!
//! Item 15: every model's listing answers within its client's timeout on the first try. The
//! judge is the client: libgphoto2 over PTP/IP gives up on a read after 2.5 s
//! (`PTPIP_DEFAULT_TIMEOUT_S`, camlibs/ptp2/ptpip-private.h), and the EOS listing of the folder
//! is one GetObjectInfoEx whose answer used to be built whole first. gphoto2's own work on a
//! folder this size is quadratic (it searches its object list once per entry, `ptp.c`:
//! `ptp_list_folder_eos`), minutes of CPU that say nothing about the camera; so gphoto2 runs
//! with a debug log, and once the log shows the folder's listing answered (or timed out), its
//! run is stopped. libmtp lists the MTP camera with one GetObjectPropList of every object
//! (`mtp-files`, through the libusb drop-in) and must show all of them.
//!
//! Item 16: the server's resident memory with that card stays under 24 MiB (VmHWM, the peak
//! of the process) over a session that lists the folder the EOS way, the PTP way and the MTP
//! way, and does not grow with the objects whose ObjectInfo the session reads.
//!
//! The card is 100,000 sparse 1 MiB files (no disk used) on /dev/shm when there is one: the
//! contents are zeros, so every file is opened and read as far as its header, as for a real
//! card.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::Stdio;

use ptp_codec::{Decode, OperationCode};
use ptp_initiator::PtpIpClient;
use vcam_testkit::server::{VcamProcess, built};
use vcam_testkit::tools::ByteCount;
use vcam_testkit::tools::RUN_TIMEOUT;
use vcam_testkit::{Env, wait_until};

const FILES: usize = 100_000;
/// The handle of DCIM/100CANON on a fresh server: the root lists DCIM (1), DCIM lists it (2).
const FOLDER: u32 = 2;
const STORAGE: u32 = 0x0001_0001;
const GET_OBJECT_INFO_EX: OperationCode = OperationCode(0x9109);

fn card() -> tempfile::TempDir {
    vcam_testkit::card::sparse_pictures("DCIM/100CANON", FILES)
}

/// `vcam-ptpip` serving `card` as `model`, keeping its pairing (a Canon body pairs with its
/// first client) in the file `pairing`, out of the card: each server its own.
fn vcam(model: &str, card: &Path, pairing: &Path) -> VcamProcess {
    VcamProcess::start(
        Path::new(env!("CARGO_BIN_EXE_vcam-ptpip")),
        &[
            model,
            "--fs",
            card.to_str().unwrap(),
            "--pairing-file",
            pairing.to_str().unwrap(),
        ],
    )
}

/// Runs `gphoto2 --list-files` against `vcam` with a debug log until the log shows how the
/// request `request` (a line gphoto2 logs when it sends it) ended: its response read, or a
/// timeout. Returns the log from that request on.
fn gphoto2_listing(vcam: &VcamProcess, request: &str, name: &str) -> Result<String, String> {
    let env = Env::new();
    let log = env.file("gphoto2.log");
    let mut child = support::gphoto2(&env, vcam)
        .args(["--debug", "--debug-logfile"])
        .arg(&log)
        .arg("--list-files")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut outcome = None;
    let mut exited = false;
    wait_until(RUN_TIMEOUT, || {
        exited = child.try_wait().ok().flatten().is_some();
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        outcome = text.find(request).map(|at| text[at..].to_string());
        let Some(after) = &outcome else {
            return exited;
        };
        let answered = after.contains(&format!("({name}) response..."));
        let failed = after.contains("PTP Timeout") || after.contains("error 0x02ff");
        answered || failed || exited
    });
    let _ = child.kill();
    let _ = child.wait();
    let after = outcome.ok_or_else(|| format!("gphoto2 never sent {request:?}"))?;
    let cut: String = after.lines().take(40).collect::<Vec<_>>().join("\n");
    if after.contains("PTP Timeout") || after.contains("error 0x02ff") {
        return Err(format!("gphoto2 timed out:\n{cut}"));
    }
    if !after.contains(&format!("({name}) response...")) {
        return Err(format!("no answer before gphoto2 ended:\n{cut}"));
    }
    Ok(after)
}

/// VmRSS and VmHWM of process `pid`, in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[test]
fn a_hundred_thousand_files_in_one_folder() {
    let card = card();
    let pairings = tempfile::tempdir().unwrap();

    // Item 15, Canon EOS: the folder's GetObjectInfoEx answered on the first try.
    let eos = vcam("canon_1300d", card.path(), &pairings.path().join("gphoto2"));
    let request = format!("(EOS_GetObjectInfoEx) ({STORAGE:#x},{FOLDER:#x},0x100000) request");
    let log = gphoto2_listing(&eos, &request, "EOS_GetObjectInfoEx")
        .unwrap_or_else(|e| panic!("canon_1300d: {e}\n--- vcam log ---\n{}", eos.log()));
    assert!(log.contains("adding new object"), "entries read");
    drop(eos);

    // The PTP camera: the folder's GetObjectHandles.
    let generic = vcam("generic", card.path(), &pairings.path().join("generic"));
    let request = format!("(Get object handles) ({STORAGE:#x},0x0,{FOLDER:#x}) request");
    gphoto2_listing(&generic, &request, "Get object handles")
        .unwrap_or_else(|e| panic!("generic: {e}"));
    drop(generic);

    // The MTP camera through libmtp: one GetObjectPropList of every object.
    let env = Env::new()
        .var("LD_PRELOAD", built("libvcam_libusb.so"))
        .var("VCAM_MODELS", "mtp_camera")
        .var("VCAM_FS", card.path());
    let out = env.ok("mtp-files", &[]);
    let listed = out.lines().filter(|l| l.starts_with("File ID:")).count();
    assert_eq!(listed, FILES, "mtp-files lists every file");

    // Item 16: memory over a session: the folder listed the EOS, PTP and MTP ways, then
    // ObjectInfos, as a client listing the card asks.
    let server = vcam("canon_1300d", card.path(), &pairings.path().join("session"));
    let pid = server.pid();
    let mut client = PtpIpClient::connect(server.addr(), [0x16; 16], "scale").unwrap();
    client.open_session(1).unwrap();
    let (start, _) = memory_kib(pid);
    eos_listing(&mut client);
    let (after_listing, _) = memory_kib(pid);
    let r = client
        .transaction(
            OperationCode::GET_OBJECT_HANDLES,
            &[0xFFFF_FFFF, 0, 0],
            None,
        )
        .unwrap();
    let handles = Vec::<u32>::decode_exact(&r.data).unwrap();
    assert_eq!(handles.len(), FILES + 2);
    let mut props = ByteCount::default();
    let (r, _) = client
        .get_into(
            OperationCode::GET_OBJECT_PROP_LIST,
            &[0xFFFF_FFFF, 0, 0xFFFF_FFFF, 0, 0xFFFF_FFFF],
            &mut props,
        )
        .unwrap();
    assert!(r.code.is_ok(), "GetObjectPropList: {:?}", r.code);
    assert!(
        props.0 > 100 * FILES as u64,
        "{} bytes of properties",
        props.0
    );
    let (before_infos, _) = memory_kib(pid);
    // ObjectInfo of one object in three, in two halves: the second half must cost nothing
    // (per object, the card used to cost half a KiB: 7 MiB for a half).
    let asked: Vec<u32> = handles.iter().step_by(3).copied().collect();
    let (first, second) = asked.split_at(asked.len() / 2);
    let mut at_half = 0;
    for half in [first, second] {
        for &handle in half {
            let r = client
                .transaction(OperationCode::GET_OBJECT_INFO, &[handle], None)
                .unwrap();
            assert!(r.code.is_ok(), "GetObjectInfo {handle:#x}: {:?}", r.code);
        }
        if at_half == 0 {
            at_half = memory_kib(pid).0;
        }
    }
    let (after_infos, peak) = memory_kib(pid);
    eprintln!(
        "vcam-ptpip with {FILES} files: RSS {start} KiB after OpenSession, {after_listing} KiB \
         after the EOS listing, {before_infos} KiB after the PTP and MTP listings \
         (GetObjectPropList: {} bytes), {at_half} KiB after {} ObjectInfos, {after_infos} KiB \
         after {}; peak (VmHWM) {peak} KiB",
        props.0,
        first.len(),
        asked.len()
    );
    assert!(peak < 24 * 1024, "peak resident memory {peak} KiB");
    assert!(
        after_infos <= at_half + 1024,
        "memory grows with the objects visited: {at_half} KiB after {} ObjectInfos, \
         {after_infos} KiB after {}",
        first.len(),
        asked.len()
    );
}

/// The EOS listing of the root, DCIM and the big folder.
fn eos_listing(client: &mut PtpIpClient) {
    for parent in [0xFFFF_FFFF, 1, FOLDER] {
        let mut count = ByteCount::default();
        let (r, _) = client
            .get_into(
                GET_OBJECT_INFO_EX,
                &[STORAGE, parent, 0x10_0000],
                &mut count,
            )
            .unwrap();
        assert!(r.code.is_ok(), "GetObjectInfoEx {parent:#x}: {:?}", r.code);
        if parent == FOLDER {
            assert_eq!(count.0, 4 + 56 * FILES as u64, "one 56-byte entry per file");
        }
    }
}
