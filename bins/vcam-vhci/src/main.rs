//! `vcam-vhci`: a virtual camera plugged into the Linux kernel through USB/IP.
//!
//! ```text
//! sudo vcam-vhci canon_1300d --attach        # the kernel enumerates a USB camera
//! vcam-vhci --listen 127.0.0.1:3240          # then: sudo usbip attach -r 127.0.0.1 -b 1-1
//! ```

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Parser;
use transport_usbip::{Device, UsbIpServer, serve_urbs, vhci};
use vcam_core::{Responder, SyntheticFrames};
use vcam_usb::UsbCamera;

/// A virtual digital camera on USB, through Linux's USB/IP virtual host controller
/// (vhci_hcd): every program on the machine sees a USB camera.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["attach", "listen", "list_models"])))]
struct Args {
    /// Camera model (see --list-models).
    #[arg(default_value = vcam_models::DEFAULT_MODEL)]
    model: String,
    /// Folder served as the memory card (default: a built-in sample card).
    #[arg(long, value_name = "DIR")]
    fs: Option<PathBuf>,
    /// Plug the camera into the local vhci_hcd (needs root and `modprobe vhci-hcd`).
    #[arg(long)]
    attach: bool,
    /// Serve USB/IP on ADDR for `usbip attach -r HOST -b 1-1` (USB/IP's port is 3240).
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Refuse writes to the card (StoreReadOnly).
    #[arg(long)]
    read_only: bool,
    /// List the models and exit.
    #[arg(long)]
    list_models: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    if args.list_models {
        for m in vcam_models::MODELS {
            println!("{:<16} {}", m.id, m.summary);
        }
        return Ok(());
    }
    let entry = vcam_models::lookup(&args.model)?;
    let (model, vendor) = entry.build();
    let store =
        vcam_models::open_card(&model, args.fs.as_deref(), args.read_only).with_context(|| {
            args.fs.as_ref().map_or_else(
                || "creating the sample card".to_string(),
                |d| format!("--fs {}", d.display()),
            )
        })?;
    let name = model.device_info.model.to_string();
    let frames = Box::new(SyntheticFrames::new(640, 480, 30));
    let camera = UsbCamera::new(Responder::new(model, vendor, store, frames));
    let device = Device::new(camera);

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
        // --attach: one end of a socket pair goes to the kernel, we serve the other.
        let (ours, kernel) =
            std::os::unix::net::UnixStream::pair().context("creating a socket pair")?;
        let attachment = vhci::attach(&kernel, device.record().devid())?;
        drop(kernel);
        ours.set_nonblocking(true)?;
        let stream = tokio::net::UnixStream::from_std(ours)?;
        tracing::info!(model = %name, port = attachment.port, "attached");
        println!("attached on port {}", attachment.port);
        std::io::stdout().flush()?;
        let result = tokio::select! {
            result = serve_urbs(stream, device) => result.context("serving the kernel's URBs"),
            () = shutdown_signal() => Ok(()),
        };
        attachment.detach()?;
        result
    })
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                () = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => ctrl_c.await,
    }
    tracing::info!("shutting down");
}
