//! The `unplug` column: the cable pulled and put back, as the qemu guest's real kernel sees it
//! (rows `vhci-attach` and `usbip-attach`; the camera's control socket is in the guest's
//! /tmp and `vcamctl` runs in the guest).
//!
//! - `vcamctl unplug`: the kernel sees the device leave (no USB device but the root hubs, and
//!   `USB disconnect` in its log); with `--listen`, an import is refused meanwhile.
//!   `vcamctl plug`: the device enumerates again (`new high-speed USB device ... using
//!   vhci_hcd`) and gphoto2 downloads a card picture byte for byte (a body that hides its
//!   card: a live view frame).
//! - A cable pulled during a download (`disconnect:on=GetObject,after-bytes=1000,replug=500ms`
//!   planned through the control socket): gphoto2's download fails with the error a vanished
//!   device causes, the kernel sees the device leave and come back, and the next download is
//!   byte for byte the card's file (a body that hides its card, the Sony a6300 in PC Remote
//!   mode, has the cable pulled during a live view frame, and the next frame is whole).
//!
//! How the camera comes back depends on the transport. `vcam-vhci --attach` attaches itself
//! to vhci_hcd again once plugged in. Over USB/IP nothing re-imports it: when a device
//! exported by a real `usbipd` is pulled out, the exporter's usbip-host driver ends the
//! connection (the importer's vhci port goes free), and once it is plugged back in the
//! exporter offers it again, but the importing machine only sees it after someone runs
//! `usbip attach` again. `vcam-vhci --listen` behaves the same (it refuses imports while
//! unplugged), so here the client runs `usbip attach` again, as a user re-attaching would.

use crate::card;
use crate::matrix::{Feature, Model, Target, Transport, USBIP_ATTACH};
use crate::steering::{failed_with, get, serves};

/// Whether the pair has the column: the transports of the qemu guest.
#[must_use]
pub fn applies(_: &Model, transport: Transport) -> bool {
    transport.in_guest()
}

/// Shell functions of this column's guest scripts, on top of the matrix's: `mark` notes how
/// far the kernel's log (by the time stamp of its last line: the ring buffer is full after
/// a few rows, so its line count stays put) and vcam-vhci's attachments have got, `since`
/// prints what the kernel logged since, `said TEXT` tells whether that has TEXT,
/// `reattached` whether vcam-vhci attached again since.
const FUNCTIONS: &str = "\
stamp() { sed -n 's/^\\[ *\\([0-9.]*\\)\\].*/\\1/p'; }
mark() { dmesg | tail -n 1 | stamp >dmesg.mark; grep -c 'attached on port' vcam.out >attach.mark; }
since() { dmesg | awk -v m=\"$(cat dmesg.mark)\" '{ t = $0; sub(/^\\[ */, \"\", t); sub(/\\].*/, \"\", t); if (t + 0 > m + 0) print }'; }
said() { since | grep -q \"$1\"; }
reattached() { [ \"$(grep -c 'attached on port' vcam.out)\" -gt \"$(cat attach.mark)\" ]; }
";

/// Runs `script` in the guest (with [`FUNCTIONS`]); fails the scenario with its output when a
/// step fails.
fn guest(t: &Target, what: &str, script: &str) {
    let run = t.in_guest(&format!("{FUNCTIONS}{script}"));
    assert!(
        run.ok,
        "{what}:\n{}{}\n--- vcam-vhci log (end) ---\n{}",
        run.stdout,
        run.stderr,
        tail(&t.vcam_log(&run), 30)
    );
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The guest script lines that wait for the kernel to see the device leave.
const LEFT: &str = "\
step gone wait_for 20 no_camera
step kernel-saw-it-leave wait_for 10 said 'USB disconnect'
";

/// The guest script lines that bring the camera back once it is plugged in again, and wait
/// for the kernel to enumerate it.
fn back(transport: Transport) -> String {
    let again = match transport {
        // Refused until the camera is plugged in again: retried.
        Transport::UsbIp => format!("step reattach wait_for 20 {USBIP_ATTACH}\n"),
        _ => "step vcam-vhci-reattached wait_for 20 reattached\n".to_string(),
    };
    format!(
        "{again}\
         step enumerated wait_for 60 camera\n\
         step kernel-saw-it-come wait_for 10 said 'new high-speed USB device'\n\
         step usbfs-node wait_for 10 sh -c 'ls /dev/bus/usb/*/* >/dev/null 2>&1'\n\
         echo '--- kernel ---'; since\n\
         echo '--- vcam-vhci ---'; cat vcam.out\n"
    )
}

/// `vcamctl unplug` then `vcamctl plug`, then a cable pulled during a download.
pub fn unplug(t: &Target) {
    // Unplugged and plugged back in by hand.
    let refused = match t.transport {
        Transport::UsbIp => {
            format!("step import-refused-while-unplugged sh -c '! {USBIP_ATTACH}'\n")
        }
        _ => String::new(),
    };
    guest(
        t,
        "vcamctl unplug, then plug",
        &format!(
            "mark\n\
             step unplug $VCAMCTL unplug\n\
             {LEFT}{refused}\
             step plug $VCAMCTL plug\n{}",
            back(t.transport)
        ),
    );
    works(t, "after-plug");

    // The cable pulled 1000 bytes into a download (a live view frame for a body that hides its
    // card).
    guest(
        t,
        "planning the disconnect",
        "mark\nstep fault $VCAMCTL fault disconnect:on=GetObject,after-bytes=1000,replug=500ms\n",
    );
    let run = if t.model.card {
        t.gphoto2_run(&get("unplugged.jpg"))
    } else {
        t.gphoto2_run(&["--capture-preview", "--filename", "unplugged.jpg"])
    };
    run.assert_refused("the cable was pulled in the middle of the transfer");
    failed_with(&run, GONE, "a download whose cable was pulled");
    guest(
        t,
        "the camera coming back after the cable was pulled",
        &format!("{LEFT}{}", back(t.transport)),
    );
    works(t, "after-unplug");
}

/// The camera serves again: a card picture downloaded byte for byte (quicker under emulation
/// than a summary, which reads every property of a body), or for a body that hides its card,
/// a whole live view frame, or else its summary.
fn works(t: &Target, name: &str) {
    if t.model.card {
        serves(t, &format!("{name}.jpg"));
    } else if t.model.has(Feature::Preview) {
        t.gphoto2(&["--capture-preview", "--filename", &format!("{name}.jpg")]);
        let frame = card::read(&t.file(&format!("thumb_{name}.jpg")));
        assert!(
            frame.starts_with(t.model.frame_head),
            "{name}: the live view frame is not a JPEG"
        );
    } else {
        crate::scenarios::summary(t);
    }
}

/// What gphoto2 prints when the device goes away during a transfer.
const GONE: &str = "I/O problem";
