//! `vcamctl`: a person's hands on a running vcam camera.
//!
//! ```text
//! vcam-ptpip canon_1300d --control /tmp/cam.sock &
//! vcamctl --socket /tmp/cam.sock shutter
//! vcamctl --socket /tmp/cam.sock dial iso +1
//! vcamctl --socket /tmp/cam.sock fault busy:on=GetObject,ops=2
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

/// Steer a running vcam camera (started with `--control PATH`, or the libusb drop-in with
/// `VCAM_CONTROL=PATH`): press its shutter, turn a dial, delete a picture, open the card
/// door, pull the cable, plan faults.
///
/// Commands: status | cameras | wait-session (SECONDS, 30) | shutter | dial DIAL STEPS (DIAL: iso,
/// shutter, aperture, ev, wb, 0xPROPERTY; STEPS: +1, -2) | delete NAME|0xHANDLE|newest |
/// card out|in | battery PERCENT | unplug | plug | fault FAULT (the --fault grammar of the
/// vcam binaries) | clear-faults.
#[derive(Debug, Parser)]
#[command(version, about, long_about)]
struct Args {
    /// The control socket (default: $VCAM_CONTROL).
    #[arg(long, value_name = "PATH")]
    socket: Option<PathBuf>,
    /// The camera, by model id, when the process serves several.
    #[arg(long, value_name = "NAME")]
    camera: Option<String>,
    /// The command and its arguments.
    #[arg(required = true, num_args = 1.., allow_hyphen_values = true, value_name = "COMMAND")]
    command: Vec<String>,
}

fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let socket = args
        .socket
        .or_else(|| std::env::var_os("VCAM_CONTROL").map(PathBuf::from))
        .context("no control socket: give --socket PATH or set VCAM_CONTROL")?;
    let mut line = args.command.join(" ");
    if let Some(camera) = &args.camera {
        line = format!("@{camera} {line}");
    }
    let answer = vcam_control::request(&socket, &line)
        .with_context(|| format!("control socket {}", socket.display()))?;
    match answer.strip_prefix("ok ") {
        Some(text) => {
            println!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!(
                "vcamctl: {}",
                answer.strip_prefix("error ").unwrap_or(&answer)
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
