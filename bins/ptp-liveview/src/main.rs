//! `ptp-liveview`: a USB camera's live view as a webcam stream.
//!
//! ```text
//! ptp-liveview --output live.mjpg                 # Motion JPEG to a file ("-": stdout)
//! ptp-liveview --http 127.0.0.1:8080              # open http://127.0.0.1:8080/ in a browser
//! ptp-liveview --device 054c:079c --frames 300 --output - | ffplay -f mjpeg -
//! ```
//!
//! It opens the camera with libusb (rusb), recognises its maker from DeviceInfo, runs the
//! maker's live view protocol (Sony PC Remote today; see `source.rs`) and checks every frame:
//! a JPEG from `FF D8` to `FF D9`. Frames that fail the check are counted and reported, never
//! written, and never dropped without a word; so are frames an HTTP viewer was too slow for.
//! A status line (frames, frames per second, waits, bad frames, viewers, resident memory)
//! goes to standard error every `--report-every` seconds and at the end.

mod http;
mod source;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use ptp_initiator::{UsbOptions, UsbSelector, UsbTransport};

use crate::source::Poll;

/// A USB camera's live view as Motion JPEG: to a file, to standard output, or to browsers as
/// `multipart/x-mixed-replace` over HTTP.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// The camera by VID:PID in hex (for example 054c:079c); default: the first USB device
    /// with a Still Image interface.
    #[arg(long, value_name = "VID:PID", value_parser = parse_vid_pid, conflicts_with = "usb_port")]
    device: Option<(u16, u16)>,
    /// The camera by bus and address, as libgphoto2's `usb:BUS,ADDR`.
    #[arg(long = "usb-port", value_name = "BUS,ADDR", value_parser = parse_bus_address)]
    usb_port: Option<(u8, u8)>,
    /// Write the frames as Motion JPEG (concatenated JPEGs) to FILE; "-" is standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Serve the frames on ADDR as multipart/x-mixed-replace (port 0: any free port; the
    /// address is printed).
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,
    /// Stop after this many frames (default: run until interrupted).
    #[arg(long, value_name = "N")]
    frames: Option<u64>,
    /// Bytes asked for in each bulk IN transfer (512 to 16 MiB).
    #[arg(long, value_name = "BYTES", default_value_t = 512 * 1024,
          value_parser = clap::value_parser!(u32).range(512..=16 * 1024 * 1024))]
    in_transfer: u32,
    /// Seconds between status lines on standard error (0: only at the end).
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    report_every: f64,
    /// Give up after this many bad frames in a row.
    #[arg(long, value_name = "N", default_value_t = 10)]
    max_bad: u32,
    /// Stay on after the last frame while HTTP viewers are connected, up to SECONDS.
    #[arg(long, value_name = "SECONDS", default_value_t = 0.0)]
    linger: f64,
}

fn parse_vid_pid(s: &str) -> Result<(u16, u16), String> {
    let (v, p) = s
        .split_once(':')
        .ok_or("expected VID:PID, such as 054c:079c")?;
    let hex = |x: &str| u16::from_str_radix(x, 16).map_err(|e| format!("{x:?}: {e}"));
    Ok((hex(v)?, hex(p)?))
}

fn parse_bus_address(s: &str) -> Result<(u8, u8), String> {
    let (b, a) = s
        .split_once(',')
        .ok_or("expected BUS,ADDR, such as 001,005")?;
    let dec = |x: &str| x.trim().parse::<u8>().map_err(|e| format!("{x:?}: {e}"));
    Ok((dec(b)?, dec(a)?))
}

/// Counters of one run.
#[derive(Debug, Default)]
struct Stats {
    frames: u64,
    bytes: u64,
    not_ready: u64,
    no_new_frame: u64,
    bad: u64,
}

/// Resident memory of this process in KiB (Linux), for the status line.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn report(stats: &Stats, since: Instant, http: Option<&http::Http>, last: bool) {
    let secs = since.elapsed().as_secs_f64().max(1e-9);
    let viewers = http.map_or_else(String::new, |h| {
        format!(
            " viewers={} served={} skipped_for_slow_viewers={}",
            h.viewers(),
            h.served(),
            h.skipped()
        )
    });
    let rss = rss_kib().map_or_else(|| "?".to_string(), |r| r.to_string());
    eprintln!(
        "ptp-liveview: {}frames={} fps={:.1} bytes={} not_ready={} no_new_frame={} bad={}{viewers} rss_kib={rss}",
        if last { "done " } else { "" },
        stats.frames,
        stats.frames as f64 / secs,
        stats.bytes,
        stats.not_ready,
        stats.no_new_frame,
        stats.bad,
    );
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let selector = match (args.device, args.usb_port) {
        (Some((vid, pid)), _) => UsbSelector::VidPid(vid, pid),
        (None, Some((bus, address))) => UsbSelector::BusAddress(bus, address),
        (None, None) => UsbSelector::StillImage,
    };
    let options = UsbOptions {
        in_transfer: args.in_transfer as usize,
        ..UsbOptions::default()
    };
    let transport = UsbTransport::open(selector, options).context("opening the camera")?;
    let mut source = source::open(transport)?;
    eprintln!("ptp-liveview: live view: {}", source.name());

    let mut output: Option<Box<dyn Write>> = match &args.output {
        None => None,
        Some(path) if path.as_os_str() == "-" => Some(Box::new(BufWriter::new(std::io::stdout()))),
        Some(path) => Some(Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        ))),
    };
    let http = match args.http {
        Some(addr) => {
            let server = http::Http::start(addr).with_context(|| format!("listening on {addr}"))?;
            eprintln!("ptp-liveview: serving http://{}/", server.addr());
            Some(server)
        }
        None => None,
    };

    let mut stats = Stats::default();
    let started = Instant::now();
    let every = Duration::from_secs_f64(args.report_every.max(0.0));
    let mut next_report = started + every;
    let mut bad_in_a_row = 0u32;
    let mut buf = Vec::new();
    while args.frames.is_none_or(|n| stats.frames < n) {
        match source.next(&mut buf) {
            Ok(Poll::Frame(range)) => {
                bad_in_a_row = 0;
                let jpeg = buf.get(range).unwrap_or_default();
                stats.frames += 1;
                stats.bytes += jpeg.len() as u64;
                if let Some(out) = output.as_mut() {
                    out.write_all(jpeg).context("writing a frame")?;
                }
                if let Some(server) = &http {
                    server.publish(jpeg);
                }
            }
            Ok(Poll::NotReady) => {
                stats.not_ready += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            Ok(Poll::NoNewFrame) => {
                stats.no_new_frame += 1;
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(err)
                if err.downcast_ref::<ptp_initiator::Error>().is_some_and(|e| {
                    matches!(
                        e,
                        ptp_initiator::Error::Protocol(_) | ptp_initiator::Error::Decode(_)
                    )
                }) =>
            {
                stats.bad += 1;
                bad_in_a_row += 1;
                tracing::warn!(%err, "bad frame, not written");
                if bad_in_a_row >= args.max_bad {
                    bail!("{bad_in_a_row} bad frames in a row; last: {err:#}");
                }
            }
            Err(err) => return Err(err.context("reading live view")),
        }
        if !every.is_zero() && Instant::now() >= next_report {
            report(&stats, started, http.as_ref(), false);
            next_report += every;
        }
    }
    if let Some(out) = output.as_mut() {
        out.flush().context("flushing the output")?;
    }
    if let Some(server) = &http {
        let until = Instant::now() + Duration::from_secs_f64(args.linger.max(0.0));
        while server.viewers() > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(50));
        }
        server.close();
    }
    report(&stats, started, http.as_ref(), true);
    Ok(())
}
