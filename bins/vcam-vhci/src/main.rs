//! `vcam-vhci`: a virtual camera plugged into the Linux kernel through USB/IP.
//!
//! ```text
//! sudo vcam-vhci canon_1300d --attach        # the kernel enumerates a USB camera
//! vcam-vhci --listen 127.0.0.1:3240          # then: sudo usbip attach -r 127.0.0.1 -b 1-1
//! vcam-vhci --listen 127.0.0.1:3240 --record usb.pcapng   # then: tshark -r usb.pcapng -Y usb
//! ```

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;
use transport_usbip::{Device, UsbIpServer, serve_urbs, vhci};
use vcam_models::cli::{CameraArgs, shutdown_signal};
use vcam_usb::UsbCamera;

/// A virtual digital camera on USB, through Linux's USB/IP virtual host controller
/// (vhci_hcd): every program on the machine sees a USB camera.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["attach", "listen", "list_models"])))]
struct Args {
    #[command(flatten)]
    camera: CameraArgs,
    /// Plug the camera into the local vhci_hcd (needs root and `modprobe vhci-hcd`).
    #[arg(long)]
    attach: bool,
    /// Serve USB/IP on ADDR for `usbip attach -r HOST -b 1-1` (USB/IP's port is 3240).
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Record every USB transfer as pcapng of Linux usbmon records (bus 1, device 2, as the
    /// USB/IP server describes it) for `tshark -r FILE -Y usb` and Wireshark's USB dissector,
    /// which decodes the URBs and control requests; the PTP containers are the bulk
    /// transfers' data (Wireshark has no PTP-over-USB dissector).
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let Some(mut camera) = args.camera.start()? else {
        return Ok(()); // --list-models
    };
    let name = camera.model().device_info.model.to_string();
    let remote = args
        .camera
        .options
        .control
        .is_some()
        .then(|| camera.remote());
    let device = Device::new(UsbCamera::new(camera));
    if let Some(path) = &args.record {
        let recorder = std::fs::File::create(path)
            .and_then(vcam_record::UsbRecorder::new)
            .with_context(|| format!("--record {}", path.display()))?;
        let record = device.record();
        let at = vcam_record::DeviceAddress {
            bus: u16::try_from(record.busnum).unwrap_or(u16::MAX),
            device: u8::try_from(record.devnum).unwrap_or(u8::MAX),
        };
        device.with_camera(|cam| cam.set_tap(Some(Box::new(recorder.device(at)))));
        tracing::info!(path = %path.display(), "recording USB transfers");
    }
    if let (Some(path), Some(remote)) = (&args.camera.options.control, remote) {
        let held = Arc::clone(&device);
        let steered = vcam_control::Camera::new(args.camera.options.model.clone(), remote)
            .with_pump(move || {
                let _ = held.plugged();
            });
        vcam_control::ControlServer::start(path, vec![steered])
            .with_context(|| format!("control socket {}", path.display()))?;
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        if let Some(addr) = args.listen {
            let server = match UsbIpServer::bind(addr, device).await {
                Ok(s) => s,
                Err(e) => bail!("cannot listen on {addr}: {e}"),
            };
            let addr = server.local_addr()?;
            tracing::info!(model = %name, %addr, "USB/IP server ready");
            println!("listening on {addr}");
            std::io::stdout().flush()?;
            return tokio::select! {
                result = server.run() => result.context("serving USB/IP"),
                () = shutdown_signal() => Ok(()),
            };
        }
        // --attach: one end of a socket pair goes to the kernel, we serve the other. A camera
        // unplugged (a `disconnect` fault, a dead battery, `vcamctl unplug`) is detached, and
        // attached again once it is plugged back in.
        let serving = async {
            loop {
                let (ours, kernel) =
                    std::os::unix::net::UnixStream::pair().context("creating a socket pair")?;
                let attachment = vhci::attach(&kernel, device.record().devid())?;
                drop(kernel);
                ours.set_nonblocking(true)?;
                let stream = tokio::net::UnixStream::from_std(ours)?;
                tracing::info!(model = %name, port = attachment.port, "attached");
                println!("attached on port {}", attachment.port);
                std::io::stdout().flush()?;
                let served = serve_urbs(stream, Arc::clone(&device)).await;
                attachment.detach()?;
                served.context("serving the kernel's URBs")?;
                if device.plugged() {
                    // The kernel let go of the device: done.
                    return Ok(());
                }
                println!("unplugged");
                std::io::stdout().flush()?;
                while !device.plugged() {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        };
        tokio::select! {
            result = serving => result,
            () = shutdown_signal() => Ok(()),
        }
    })
}
