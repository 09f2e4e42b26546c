//! `vcam-fujiwifi`: a virtual Fujifilm body on Fujifilm's WiFi protocol.
//!
//! ```text
//! vcam-fujiwifi fuji_xh1 [--fs DIR] [--listen 127.0.0.1:55740] [--accept accept|refuse|delay:SECS]
//! gphoto2 --camera "Fuji X (WLAN)" --port ptpip:127.0.0.1:55740:55741 --summary
//! vcam-fujiwifi fuji_xh1 --announce 192.168.1.255   # PC AutoSave: announce, register, import
//! vcam-fujiwifi --models fuji_xh1=/cards/a,fuji_xh1=/cards/b   # two bodies: 55740 and 55743
//! vcam-fujiwifi fuji_xh1 --record session.pcapng   # then: tshark -r session.pcapng
//! ```

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Parser;
use transport_fujiwifi::autosave::{self, AutoSaveConfig};
use transport_fujiwifi::{FujiWifiConfig, FujiWifiServer};
use vcam_core::Responder;
use vcam_core::pairing::{AcceptPolicy, ClientId, Pairing, parse_guid};
use vcam_fuji::Face;
use vcam_models::cli::{CameraArgs, init_logging, listen_addr, print_models, shutdown_signal};

/// A virtual Fujifilm camera on Fujifilm's WiFi protocol (the "Fuji X (WLAN)" of gphoto2 and
/// Fujifilm's own apps): command, event and live view ports, PC AutoSave on request.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    #[command(flatten)]
    camera: CameraArgs,
    /// Address of the command port; the event and live view ports are the next two (port 0
    /// picks three free ones).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:55740")]
    listen: SocketAddr,
    /// What the owner does when a new client asks: accept, refuse, or delay:SECONDS.
    #[arg(long, value_name = "POLICY", default_value = "accept")]
    accept: AcceptPolicy,
    /// Start paired with this client GUID (32 hex digits)...
    #[arg(long, value_name = "GUID", requires = "paired_name")]
    paired_guid: Option<String>,
    /// ...under this name.
    #[arg(long, value_name = "NAME", requires = "paired_guid")]
    paired_name: Option<String>,
    /// Remember the paired client in this file.
    #[arg(long, value_name = "FILE")]
    pairing_file: Option<PathBuf>,
    /// PC AutoSave: announce the body with UDP DISCOVER to this address (a broadcast address on
    /// a real network), register with the PC that answers and ask it to import. Off unless
    /// given.
    #[arg(long, value_name = "ADDR")]
    announce: Option<IpAddr>,
    /// PC AutoSave's notify port (the import and register ports are the next two).
    #[arg(long, value_name = "PORT", default_value_t = autosave::NOTIFY_PORT)]
    autosave_port: u16,
    /// Serve several bodies at once, three ports each, for multi-camera rigs: MODEL or
    /// MODEL=DIR (its own card folder; the others serve --fs), comma-separated. Body N takes
    /// the ports from --listen's plus 3N (free ones with port 0) and prints its `listening on
    /// ADDR` line, in the order given.
    #[arg(long, value_name = "LIST", conflicts_with_all = ["model", "announce"])]
    models: Option<String>,
    /// Record every connection (command, event and live view ports) as pcapng of TCP flows
    /// for `tshark -r FILE` and Wireshark (which has no dissector for the protocol: its USB
    /// containers show as the TCP payload). With --models, one file per body: FILE with
    /// `-MODEL` before its extension, and the body's position when a model is listed twice
    /// (`s-fuji_xh1-1.pcapng`, `s-fuji_xh1-2.pcapng`).
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

impl Args {
    /// The pairing of one body (a pairing file each when several bodies run).
    fn pairing(&self, index: usize, several: bool) -> anyhow::Result<Pairing> {
        let mut pairing = Pairing::new(self.accept).checking_names();
        if let (Some(guid), Some(client)) = (&self.paired_guid, &self.paired_name) {
            pairing = pairing.paired_with(ClientId::new(parse_guid(guid)?, client.clone()));
        }
        if let Some(file) = &self.pairing_file {
            let file = if several {
                let mut name = file.clone().into_os_string();
                name.push(format!(".{index}"));
                PathBuf::from(name)
            } else {
                file.clone()
            };
            pairing = pairing
                .with_state_file(&file)
                .with_context(|| format!("pairing file {}", file.display()))?;
        }
        Ok(pairing)
    }
}

/// One body, ready to be served.
struct Body {
    camera: Responder,
    config: FujiWifiConfig,
    recorder: Option<vcam_record::TcpRecorder>,
    name: String,
    serial: String,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    init_logging();
    if args.camera.list_models {
        print_models();
        return Ok(());
    }
    if args.announce.is_some() && args.listen.ip().is_unspecified() {
        bail!("--announce needs a --listen address the PC can reach (it is the DSCADDR announced)");
    }
    let face = if args.announce.is_some() {
        Face::PcAutoSave
    } else {
        Face::Wifi
    };
    let specs = vcam_models::cli::cameras(&args.camera.options, args.models.as_deref())?;
    let several = specs.len() > 1;
    let ids: Vec<&str> = specs.iter().map(|spec| spec.model.as_str()).collect();
    let mut recorders =
        vcam_record::tcp_recorders(args.record.as_deref(), &ids, args.models.is_some())
            .context("--record")?
            .into_iter();
    let mut bodies = Vec::with_capacity(specs.len());
    // The control socket (--control) steers every body of the process, by model id.
    let mut steered = Vec::new();
    for (i, options) in specs.iter().enumerate() {
        let Some((model, vendor)) = vcam_fuji::body(&options.model, face) else {
            bail!(
                "model {:?} has no Fujifilm WiFi face; Fujifilm models: fuji_xh1",
                options.model
            );
        };
        let identity = model.ptpip.clone();
        let name = model.device_info.model.to_string();
        let serial = model.device_info.serial_number.to_string();
        let mut camera = options.build_body(model, vendor)?;
        if options.control.is_some() {
            // Commands are carried out while a client is connected (the session runs the
            // camera).
            steered.push(vcam_control::Camera::new(
                options.model.clone(),
                camera.remote(),
            ));
        }
        let listen = listen_addr(args.listen, i, 3)
            .with_context(|| format!("no ports for body {i} after {}", args.listen))?;
        let config = FujiWifiConfig {
            listen,
            identity,
            pairing: args.pairing(i, several)?,
        };
        let recorder = recorders.next().flatten();
        bodies.push(Body {
            camera,
            config,
            recorder,
            name,
            serial,
        });
    }
    if let Some(path) = &args.camera.options.control {
        vcam_control::ControlServer::start(path, steered)
            .with_context(|| format!("control socket {}", path.display()))?;
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let mut servers = tokio::task::JoinSet::new();
        let mut first = None;
        for body in bodies {
            let listen = body.config.listen;
            let server = match FujiWifiServer::bind(body.camera, body.config).await {
                Ok(s) => s,
                Err(e) => bail!("cannot listen on {listen}: {e}"),
            };
            let server = match body.recorder {
                Some(recorder) => server.with_recorder(recorder),
                None => server,
            };
            let addr = server.local_addr()?;
            let ports = server.ports();
            tracing::info!(model = %body.name, %addr, event = ports.event, liveview = ports.liveview, "virtual camera ready");
            println!("listening on {addr}");
            first.get_or_insert((addr, ports, body.name, body.serial));
            servers.spawn(server.run());
        }
        std::io::stdout().flush()?;
        let autosave = async {
            match (args.announce, first) {
                (Some(announce), Some((addr, ports, name, serial))) => {
                    let config = AutoSaveConfig::new(addr.ip(), announce, args.autosave_port);
                    let body = autosave::Body::new(&name, &serial, ports.command);
                    autosave::run(config, body).await.context("PC AutoSave")?;
                    // Imported: the PC connects to the command port; keep serving it.
                    std::future::pending::<anyhow::Result<()>>().await
                }
                _ => std::future::pending::<anyhow::Result<()>>().await,
            }
        };
        tokio::select! {
            Some(result) = servers.join_next() => {
                result.context("a body's server stopped")?.context("serving Fujifilm WiFi")
            }
            result = autosave => result,
            () = shutdown_signal() => Ok(()),
        }
    })
}
