//! `tshark -r`: reading captures and recordings (`--record`, `VCAM_RECORD`) back with
//! Wireshark's dissectors.

use std::path::Path;
use std::process::Command;

use crate::tools::require;

/// `tshark -r FILE ARGS`: its standard output. Fails the test when tshark is missing (saying
/// how to install it) or fails.
#[must_use]
pub fn read(file: &Path, args: &[&str]) -> String {
    let out = Command::new(require("tshark"))
        .arg("-r")
        .arg(file)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running tshark: {e}"));
    assert!(
        out.status.success(),
        "tshark -r {} {args:?} failed: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The `fields` of the packets of `file` matching `filter`, one line per packet (tab-separated),
/// decoded with `decode` (`-d` options, or none).
#[must_use]
pub fn fields(file: &Path, decode: &[&str], filter: &str, fields: &[&str]) -> String {
    let mut args: Vec<&str> = decode.to_vec();
    args.extend(["-Y", filter, "-T", "fields"]);
    for f in fields {
        args.extend(["-e", f]);
    }
    read(file, &args)
}

/// Fails the test when tshark, decoding `file` with `decode`, finds a malformed packet, an
/// error-level expert item, or a TCP analysis flag (retransmission, lost segment, ...).
pub fn assert_clean(file: &Path, decode: &[&str]) {
    let bad = fields(
        file,
        decode,
        "_ws.malformed || _ws.expert.severity >= error || tcp.analysis.flags",
        &["frame.number", "_ws.expert.message"],
    );
    assert!(
        bad.trim().is_empty(),
        "tshark finds fault with {}:\n{bad}",
        file.display()
    );
}
