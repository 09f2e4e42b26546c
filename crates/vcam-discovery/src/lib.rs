//! How a WiFi camera is found: SSDP on 239.255.255.250:1900 and the UPnP device description
//! over HTTP, the way a Canon EOS body with built-in WiFi does it
//! (docs/reference/vendors-wifi-sony-fuji.md §4.2, §4.3).
//!
//! - [`ssdp`]: the messages (`ssdp:alive`, `ssdp:byebye`, M-SEARCH answers) byte for byte as
//!   a real EOS 6D writes them, and the parsing of searches; sans-IO.
//! - [`description`]: CameraDevDesc.xml with Canon's extension elements (`X_targetId`,
//!   `X_onService`, `X_deviceUsbId`, `X_deviceNickname`) and the service description.
//! - [`spawn`] runs both on tokio for one camera: NOTIFY at start and every
//!   `--announce-interval`, M-SEARCH answered, the description served on
//!   `--description-port` (49152), `ssdp:byebye` when the returned [`Discovery`] is dropped.
//!   In EOS Utility mode it returns only once a host fetched the description the way
//!   Windows does, so the caller opens its PTP/IP listener after that, as the body does.
//!
//! Nothing is announced unless `--announce IFACE|ADDR` is given ([`DiscoveryArgs`]).

pub mod description;
mod http;
pub mod ssdp;

use std::net::{Ipv4Addr, SocketAddr, UdpSocket as StdUdpSocket};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use vcam_core::CameraModel;
use vcam_core::pairing::Pairing;
use vcam_core::ptp_types::{DevicePropCode, PropValue};

pub use description::{Device, Mode};
pub use ssdp::Announcement;

/// The command-line options of WiFi discovery (flatten them into a binary's arguments).
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct DiscoveryArgs {
    /// Announce the camera with SSDP and serve its UPnP description on this network
    /// interface or IPv4 address (off unless given).
    #[arg(long, value_name = "IFACE|ADDR")]
    pub announce: Option<String>,
    /// The Canon WiFi face: camera-connect (smartphone app) or eos-utility (PTP/IP opens
    /// only after the host fetched the description).
    #[arg(long, value_enum, value_name = "MODE", default_value_t = Mode::CameraConnect)]
    pub wifi_mode: Mode,
    /// The body's WiFi MAC address: the end of its UPnP UUID.
    #[arg(long, value_name = "MAC", default_value = "00:BB:C1:85:9F:AB")]
    pub mac: Mac,
    /// TCP port of the UPnP description server.
    #[arg(long, value_name = "PORT", default_value_t = 49152)]
    pub description_port: u16,
    /// The body's WiFi nickname (X_deviceNickname); default: the model name without
    /// "Canon" and spaces ("EOS6D").
    #[arg(long, value_name = "NAME")]
    pub nickname: Option<String>,
    /// Seconds between `ssdp:alive` announcements.
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=1800))]
    pub announce_interval: u64,
}

impl Default for DiscoveryArgs {
    fn default() -> Self {
        Self {
            announce: None,
            wifi_mode: Mode::CameraConnect,
            mac: Mac([0x00, 0xBB, 0xC1, 0x85, 0x9F, 0xAB]),
            description_port: 49152,
            nickname: None,
            announce_interval: 60,
        }
    }
}

/// A MAC address (`2C:9E:FC:D1:37:BE`, `2c-9e-fc-d1-37-be` or `2C9EFCD137BE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mac(pub [u8; 6]);

impl FromStr for Mac {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex: String = s.chars().filter(|c| !matches!(c, ':' | '-')).collect();
        let bad = || Error::Mac(s.to_string());
        if hex.len() != 12 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let mut mac = [0u8; 6];
        for (i, byte) in mac.iter_mut().enumerate() {
            let pair = hex.get(2 * i..2 * i + 2).ok_or_else(bad)?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
        }
        Ok(Self(mac))
    }
}

/// Why discovery could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `--mac` is not six hex bytes.
    #[error("MAC address {0:?}: expected six hex bytes such as 2C:9E:FC:D1:37:BE")]
    Mac(String),
    /// `--announce` names no IPv4 address or interface with one.
    #[error("--announce {what:?}: no IPv4 address or interface with one ({source})")]
    Announce {
        /// What was given.
        what: String,
        /// What failed.
        source: std::io::Error,
    },
    /// A socket could not be opened.
    #[error("{what}: {source}")]
    Socket {
        /// Which socket, on which address.
        what: String,
        /// What failed.
        source: std::io::Error,
    },
}

/// Running discovery: SSDP and the description server. Dropping it stops both and sends
/// `ssdp:byebye`.
#[derive(Debug)]
pub struct Discovery {
    announcement: Announcement,
    byebye_socket: StdUdpSocket,
    tasks: Vec<JoinHandle<()>>,
    address: Ipv4Addr,
}

impl Discovery {
    /// What is announced (UDN, Location, service types).
    #[must_use]
    pub const fn announcement(&self) -> &Announcement {
        &self.announcement
    }

    /// The address announced on.
    #[must_use]
    pub const fn address(&self) -> Ipv4Addr {
        self.address
    }
}

impl Drop for Discovery {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        for message in self.announcement.byebye() {
            if let Err(e) = self
                .byebye_socket
                .send_to(message.as_bytes(), ssdp::MULTICAST)
            {
                tracing::warn!(%e, "ssdp:byebye not sent");
            }
        }
        tracing::info!("discovery stopped (ssdp:byebye sent)");
    }
}

/// Starts discovery for `model` as `args` say, or does nothing (`Ok(None)`) without
/// `--announce`. `pairing` is the body's pairing, shared with its PTP/IP transport: the
/// description shows the paired client in `X_targetId`. In EOS Utility mode this returns
/// once a host fetched the description the way Windows does.
///
/// # Errors
/// The `--announce` address cannot be found, or a socket cannot be opened.
pub async fn spawn(
    args: &DiscoveryArgs,
    model: &CameraModel,
    pairing: Arc<Mutex<Pairing>>,
) -> Result<Option<Discovery>, Error> {
    let Some(what) = args.announce.as_deref() else {
        return Ok(None);
    };
    let address = resolve(what).map_err(|source| Error::Announce {
        what: what.to_string(),
        source,
    })?;
    let http_at = SocketAddr::from((address, args.description_port));
    let listener = TcpListener::bind(http_at)
        .await
        .map_err(|source| Error::Socket {
            what: format!("description server on {http_at}"),
            source,
        })?;
    let port = listener
        .local_addr()
        .map_or(args.description_port, |a| a.port());
    let (ssdp_socket, byebye_socket) = ssdp_socket(address).map_err(|source| Error::Socket {
        what: format!("SSDP on {address}:1900"),
        source,
    })?;
    let udn = ssdp::canon_udn(args.mac.0);
    let announcement = Announcement {
        udn: udn.clone(),
        location: format!("http://{address}:{port}{}", description::DEVICE_PATH),
        server: ssdp::CANON_SERVER,
        max_age: 1800,
        services: vec![args.wifi_mode.service_type()],
    };
    let device = Device {
        url_base: format!("http://{address}:{port}/upnp/"),
        model_name: model.device_info.model.to_string(),
        serial_number: eos_serial(model),
        udn,
        mode: args.wifi_mode,
        usb_product_id: model.usb.product_id,
        nickname: args
            .nickname
            .clone()
            .unwrap_or_else(|| default_nickname(model)),
    };
    let (fetched, mut fetched_rx) = watch::channel(false);
    let site = Arc::new(http::Site {
        device,
        pairing,
        fetched,
    });
    let interval = Duration::from_secs(args.announce_interval);
    let tasks = vec![
        tokio::spawn(http::serve(listener, site)),
        tokio::spawn(run_ssdp(ssdp_socket, announcement.clone(), interval)),
    ];
    let discovery = Discovery {
        announcement,
        byebye_socket,
        tasks,
        address,
    };
    tracing::info!(
        location = %discovery.announcement.location,
        service = args.wifi_mode.service_type(),
        "announcing the camera"
    );
    if args.wifi_mode == Mode::EosUtility {
        tracing::info!("waiting for EOS Utility to fetch the description");
        // The sender lives in the server task, which runs until `discovery` is dropped.
        let _ = fetched_rx.wait_for(|fetched| *fetched).await;
        tracing::info!("description fetched by a Windows host: PTP/IP opens");
    }
    Ok(Some(discovery))
}

/// The IPv4 address of `what`: an address, or the first IPv4 address of the interface of
/// that name.
fn resolve(what: &str) -> std::io::Result<Ipv4Addr> {
    if let Ok(addr) = what.parse::<Ipv4Addr>() {
        return Ok(addr);
    }
    if_addrs::get_if_addrs()?
        .into_iter()
        .filter(|i| i.name == what)
        .find_map(|i| match i.ip() {
            std::net::IpAddr::V4(a) => Some(a),
            std::net::IpAddr::V6(_) => None,
        })
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::AddrNotAvailable,
                "no interface of that name with an IPv4 address",
            )
        })
}

/// The SSDP socket: port 1900 shared with other SSDP software, in the group on `address`'s
/// interface, multicast out of it (looped back, so clients on this host hear it too); and a
/// blocking duplicate for the byebye sent on drop.
fn ssdp_socket(address: Ipv4Addr) -> std::io::Result<(UdpSocket, StdUdpSocket)> {
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.bind(&SocketAddr::from((Ipv4Addr::UNSPECIFIED, ssdp::MULTICAST.port())).into())?;
    socket.join_multicast_v4(ssdp::MULTICAST.ip(), &address)?;
    socket.set_multicast_if_v4(&address)?;
    socket.set_multicast_loop_v4(true)?;
    socket.set_multicast_ttl_v4(4)?;
    let byebye: StdUdpSocket = socket.try_clone()?.into();
    socket.set_nonblocking(true)?;
    let socket = UdpSocket::from_std(socket.into())?;
    Ok((socket, byebye))
}

/// Most datagrams answered per second (a flood of searches costs bounded work and sends a
/// bounded number of answers).
const MAX_ANSWERED_PER_SECOND: u32 = 64;

/// Announces at once and every `interval`, and answers searches.
async fn run_ssdp(socket: UdpSocket, announcement: Announcement, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    let mut buf = vec![0u8; ssdp::MAX_DATAGRAM];
    let (mut window, mut answered) = (Instant::now(), 0u32);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                for message in announcement.alive() {
                    if let Err(e) = socket.send_to(message.as_bytes(), ssdp::MULTICAST).await {
                        tracing::warn!(%e, "ssdp:alive not sent");
                    }
                }
            }
            received = socket.recv_from(&mut buf) => {
                let (len, peer) = match received {
                    Ok(r) => r,
                    Err(e) => {
                        tracing::debug!(%e, "SSDP receive failed");
                        continue;
                    }
                };
                let datagram = buf.get(..len).unwrap_or_default();
                let search = match ssdp::parse_search(datagram) {
                    Ok(s) => s,
                    Err(why) => {
                        tracing::trace!(%peer, %why, "SSDP datagram ignored");
                        continue;
                    }
                };
                if window.elapsed() >= Duration::from_secs(1) {
                    (window, answered) = (Instant::now(), 0);
                }
                if answered >= MAX_ANSWERED_PER_SECOND {
                    tracing::debug!(%peer, "too many searches: not answered");
                    continue;
                }
                answered += 1;
                let answers = announcement.answer(&search);
                tracing::debug!(%peer, target = search.target, answers = answers.len(), "M-SEARCH");
                for answer in answers {
                    if let Err(e) = socket.send_to(answer.as_bytes(), peer).await {
                        tracing::debug!(%peer, %e, "M-SEARCH answer not sent");
                    }
                }
            }
        }
    }
}

/// The body's 12-digit serial for the description: EOS property SerialNumber (0xD1AF) when
/// the model has it, else the last 12 characters of DeviceInfo.SerialNumber.
fn eos_serial(model: &CameraModel) -> String {
    let eos = model
        .properties
        .iter()
        .find(|p| p.desc.code == DevicePropCode(0xD1AF))
        .and_then(|p| match &p.desc.factory_default {
            PropValue::Str(s) if !s.as_str().is_empty() => Some(s.as_str().to_string()),
            _ => None,
        });
    eos.unwrap_or_else(|| {
        let serial = model.device_info.serial_number.to_string();
        let skip = serial.chars().count().saturating_sub(12);
        serial.chars().skip(skip).collect()
    })
}

/// "Canon EOS 6D" → "EOS6D".
fn default_nickname(model: &CameraModel) -> String {
    let name = model.device_info.model.to_string();
    name.strip_prefix("Canon ")
        .unwrap_or(&name)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn macs_are_read_in_every_usual_form() {
        let want = Mac([0x2C, 0x9E, 0xFC, 0xD1, 0x37, 0xBE]);
        for s in ["2C:9E:FC:D1:37:BE", "2c-9e-fc-d1-37-be", "2C9EFCD137BE"] {
            assert_eq!(s.parse::<Mac>().unwrap(), want);
        }
        for s in [
            "",
            "2C:9E:FC:D1:37",
            "2C:9E:FC:D1:37:BE:00",
            "zz:9E:FC:D1:37:BE",
            "é2C9EFCD137B",
        ] {
            assert!(s.parse::<Mac>().is_err(), "{s}");
        }
    }

    #[test]
    fn loopback_resolves_by_name_and_address() {
        assert_eq!(resolve("127.0.0.1").unwrap(), Ipv4Addr::LOCALHOST);
        assert_eq!(resolve("lo").unwrap(), Ipv4Addr::LOCALHOST);
        assert!(resolve("no-such-interface0").is_err());
    }
}
