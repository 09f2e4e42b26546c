//! The acceptance matrix: every scenario on every (model, transport) pair that supports it,
//! with the real clients (gphoto2, libmtp's tools, usbip) and, for the USB/IP rows, Debian's
//! kernel in a qemu guest. Prints the matrix; fails when any cell failed.
//!
//! Needs the binaries and the libusb drop-in built: `cargo build -p vcam-ptpip -p vcam-vhci
//! -p vcam-fujiwifi -p vcam-libusb` (`cargo test --workspace` builds the binaries; ./scripts/test.sh does all).
//! `VCAM_MATRIX_MODELS` and `VCAM_MATRIX_TRANSPORTS` (comma-separated names) run part of it.
#![allow(clippy::panic)]

use std::io::Write;

use vcam_testkit::matrix::{self, MODELS, Transport};
use vcam_testkit::{Artifacts, Model};

fn selected<T: Copy>(all: &[T], var: &str, name: impl Fn(&T) -> &str) -> Vec<T> {
    let Ok(wanted) = std::env::var(var) else {
        return all.to_vec();
    };
    let wanted: Vec<&str> = wanted.split(',').map(str::trim).collect();
    let picked: Vec<T> = all
        .iter()
        .copied()
        .filter(|x| wanted.contains(&name(x)))
        .collect();
    assert!(!picked.is_empty(), "{var}={wanted:?} selects nothing");
    picked
}

#[test]
fn every_scenario_on_every_model_and_transport() {
    let artifacts = Artifacts::of_this_build();
    let models: &'static [Model] = selected(MODELS, "VCAM_MATRIX_MODELS", |m| m.id).leak();
    let transports = selected(&Transport::ALL, "VCAM_MATRIX_TRANSPORTS", |t| t.name());
    let report = matrix::run(models, &transports, &artifacts);
    let failures = report.failures();
    // Straight to stderr, past the test harness's capture: the table is always shown.
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "\nacceptance matrix (ok: passed, FAIL: failed, —: not supported by the pair, or left to usbip-attach on vhci-attach)\n{}",
        report.table()
    );
    if !failures.is_empty() {
        if let Some(console) = &report.console {
            let _ = writeln!(err, "--- guest console ---\n{console}");
        }
        for (model, transport, scenario, message) in &failures {
            let _ = writeln!(err, "FAIL {model} / {transport} / {scenario}: {message}\n");
        }
    }
    assert!(failures.is_empty(), "{} cells failed", failures.len());
}
