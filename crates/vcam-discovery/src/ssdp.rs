//! SSDP (UPnP Device Architecture 1.0 §1, HTTP over UDP on 239.255.255.250:1900), sans-IO:
//! the messages a Canon body sends, byte for byte, and which M-SEARCH requests it answers.
//!
//! A real EOS 6D writes its headers in this case and order (besi/airnef `ssdp.py`, the
//! samples in its module documentation; docs/reference/vendors-wifi-sony-fuji.md §4.2):
//!
//! ```text
//! NOTIFY * HTTP/1.1            HTTP/1.1 200 OK              NOTIFY * HTTP/1.1
//! Host: 239.255.255.250:1900   Cache-Control: max-age=1800  Host: 239.255.255.250:1900
//! Cache-Control: max-age=1800  EXT:                         NT: <type>
//! Location: <description URL>  Location: <description URL> NTS: ssdp:byebye
//! NT: <type>                   Server: <server>             USN: uuid:<udn>::<type>
//! NTS: ssdp:alive              ST: <type>
//! Server: <server>             USN: uuid:<udn>::<type>
//! USN: uuid:<udn>::<type>
//! ```
//!
//! Every line ends in CRLF and an empty line closes the message. Requests are parsed without
//! allocation sized by the peer: a datagram is at most [`MAX_DATAGRAM`] bytes, at most
//! [`MAX_HEADERS`] header lines are looked at, and anything that is not a well-formed
//! `M-SEARCH * HTTP/1.1` with `MAN: "ssdp:discover"` and an `ST` is ignored.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddrV4};

/// The SSDP multicast group and port.
pub const MULTICAST: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(239, 255, 255, 250), 1900);
/// The Server header of a Canon body (airnef `ssdp.py`, EOS 6D).
pub const CANON_SERVER: &str = "Camera OS/1.0 UPnP/1.0 Canon Device Discovery/1.0";
/// The root device search target.
pub const ROOT_DEVICE: &str = "upnp:rootdevice";
/// The search target that asks for everything.
pub const ALL: &str = "ssdp:all";
/// The UPnP device type of a Canon body's description (vcam's C original `upnp/dump.txt`).
pub const BASIC_DEVICE: &str = "urn:schemas-upnp-org:device:Basic:1";
/// Largest datagram read; longer ones are cut here (and then are rarely well-formed).
pub const MAX_DATAGRAM: usize = 2048;
/// Most header lines looked at in one request.
pub const MAX_HEADERS: usize = 32;

/// What a body announces: its UDN, its description's URL and the service types it offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The device UUID without `uuid:` (`00000000-0000-0000-0001-<MAC>` on Canon bodies).
    pub udn: String,
    /// The description URL (the Location header).
    pub location: String,
    /// The Server header.
    pub server: &'static str,
    /// Cache-Control max-age in seconds.
    pub max_age: u32,
    /// The service types announced (NOTIFY) and answered (M-SEARCH), in order.
    pub services: Vec<&'static str>,
}

/// A search request this module answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search<'a> {
    /// The ST header.
    pub target: &'a str,
    /// The MX header (seconds), when present and a number.
    pub mx: Option<u32>,
}

/// Why a datagram is not answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Ignored {
    /// Not text, or no complete request line.
    #[error("not an HTTP-over-UDP request")]
    Malformed,
    /// Another method (NOTIFY from another device, a response).
    #[error("not an M-SEARCH")]
    NotSearch,
    /// An M-SEARCH without `MAN: "ssdp:discover"`.
    #[error("M-SEARCH without MAN: \"ssdp:discover\"")]
    NoDiscover,
    /// An M-SEARCH without a search target.
    #[error("M-SEARCH without ST")]
    NoTarget,
    /// More header lines than [`MAX_HEADERS`].
    #[error("more than {MAX_HEADERS} header lines")]
    TooManyHeaders,
}

/// Parses an M-SEARCH request (UDA 1.0 §1.2.2).
///
/// # Errors
/// Why the datagram is not a search this module answers ([`Ignored`]).
pub fn parse_search(datagram: &[u8]) -> Result<Search<'_>, Ignored> {
    let datagram = datagram.get(..MAX_DATAGRAM).unwrap_or(datagram);
    let text = std::str::from_utf8(datagram).map_err(|_| Ignored::Malformed)?;
    let mut lines = text.split("\r\n").flat_map(|l| l.split('\n'));
    let request = lines.next().ok_or(Ignored::Malformed)?;
    let mut words = request.split(' ');
    match (words.next(), words.next(), words.next(), words.next()) {
        (Some("M-SEARCH"), Some("*"), Some(v), None) if v.eq_ignore_ascii_case("HTTP/1.1") => {}
        (Some(_), Some(_), Some(_), None) => return Err(Ignored::NotSearch),
        _ => {
            return Err(if request.starts_with("HTTP/") {
                Ignored::NotSearch
            } else {
                Ignored::Malformed
            });
        }
    }
    let (mut man, mut target, mut mx) = (false, None, None);
    let mut count = 0;
    for line in lines {
        if line.is_empty() {
            break;
        }
        count += 1;
        if count > MAX_HEADERS {
            return Err(Ignored::TooManyHeaders);
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim() {
            n if n.eq_ignore_ascii_case("MAN") => man = value.trim_matches('"') == "ssdp:discover",
            n if n.eq_ignore_ascii_case("ST") => target = Some(value),
            n if n.eq_ignore_ascii_case("MX") => mx = value.parse().ok(),
            _ => {}
        }
    }
    if !man {
        return Err(Ignored::NoDiscover);
    }
    match target {
        Some(t) if !t.is_empty() => Ok(Search { target: t, mx }),
        _ => Err(Ignored::NoTarget),
    }
}

impl Announcement {
    /// The `ssdp:alive` NOTIFY for each announced service type.
    #[must_use]
    pub fn alive(&self) -> Vec<String> {
        self.services
            .iter()
            .map(|nt| {
                let mut m = String::with_capacity(320);
                let _ = write!(
                    m,
                    "NOTIFY * HTTP/1.1\r\nHost: {MULTICAST}\r\nCache-Control: max-age={}\r\n\
                     Location: {}\r\nNT: {nt}\r\nNTS: ssdp:alive\r\nServer: {}\r\n\
                     USN: {}\r\n\r\n",
                    self.max_age,
                    self.location,
                    self.server,
                    self.usn(nt)
                );
                m
            })
            .collect()
    }

    /// The `ssdp:byebye` NOTIFY for each announced service type (Host, NT, NTS, USN only, as
    /// a 6D going to sleep sends it).
    #[must_use]
    pub fn byebye(&self) -> Vec<String> {
        self.services
            .iter()
            .map(|nt| {
                format!(
                    "NOTIFY * HTTP/1.1\r\nHost: {MULTICAST}\r\nNT: {nt}\r\nNTS: ssdp:byebye\r\n\
                     USN: {}\r\n\r\n",
                    self.usn(nt)
                )
            })
            .collect()
    }

    /// The answers to `search`: one per matching target. `ssdp:all` gets the root device,
    /// the device UUID, the device type and every service; a named target gets its own
    /// answer when this body has it; anything else gets none.
    #[must_use]
    pub fn answer(&self, search: &Search<'_>) -> Vec<String> {
        let uuid = format!("uuid:{}", self.udn);
        let targets: Vec<&str> = if search.target == ALL {
            [ROOT_DEVICE, uuid.as_str(), BASIC_DEVICE]
                .into_iter()
                .chain(self.services.iter().copied())
                .collect()
        } else if search.target == ROOT_DEVICE
            || search.target == BASIC_DEVICE
            || search.target.eq_ignore_ascii_case(&uuid)
            || self.services.contains(&search.target)
        {
            vec![search.target]
        } else {
            Vec::new()
        };
        targets
            .into_iter()
            .map(|st| {
                format!(
                    "HTTP/1.1 200 OK\r\nCache-Control: max-age={}\r\nEXT:\r\nLocation: {}\r\n\
                     Server: {}\r\nST: {st}\r\nUSN: {}\r\n\r\n",
                    self.max_age,
                    self.location,
                    self.server,
                    self.usn(st)
                )
            })
            .collect()
    }

    /// The USN for `target`: the UUID alone for a UUID target, else `uuid:<udn>::<target>`.
    fn usn(&self, target: &str) -> String {
        if target.starts_with("uuid:") {
            format!("uuid:{}", self.udn)
        } else {
            format!("uuid:{}::{target}", self.udn)
        }
    }
}

/// The UDN of a Canon body with WiFi MAC `mac`: `00000000-0000-0000-0001-` and the MAC in
/// upper-case hex (EOS 6D: `00000000-0000-0000-0001-2C9EFCD137BE`).
#[must_use]
pub fn canon_udn(mac: [u8; 6]) -> String {
    let mut s = String::from("00000000-0000-0000-0001-");
    for b in mac {
        let _ = write!(s, "{b:02X}");
    }
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SMARTPHONE: &str = "urn:schemas-canon-com:service:ICPO-SmartPhoneEOSSystemService:1";

    fn six_d() -> Announcement {
        Announcement {
            udn: canon_udn([0x2C, 0x9E, 0xFC, 0xD1, 0x37, 0xBE]),
            location: "http://192.168.1.10:49152/upnp/CameraDevDesc.xml".into(),
            server: CANON_SERVER,
            max_age: 1800,
            services: vec![SMARTPHONE],
        }
    }

    /// The real 6D's messages (airnef `ssdp.py`), byte for byte.
    #[test]
    fn messages_are_the_real_bodys() {
        let a = six_d();
        assert_eq!(
            a.alive(),
            ["NOTIFY * HTTP/1.1\r\n\
              Host: 239.255.255.250:1900\r\n\
              Cache-Control: max-age=1800\r\n\
              Location: http://192.168.1.10:49152/upnp/CameraDevDesc.xml\r\n\
              NT: urn:schemas-canon-com:service:ICPO-SmartPhoneEOSSystemService:1\r\n\
              NTS: ssdp:alive\r\n\
              Server: Camera OS/1.0 UPnP/1.0 Canon Device Discovery/1.0\r\n\
              USN: uuid:00000000-0000-0000-0001-2C9EFCD137BE::urn:schemas-canon-com:service:ICPO-SmartPhoneEOSSystemService:1\r\n\r\n"]
        );
        let search = Search {
            target: SMARTPHONE,
            mx: Some(3),
        };
        assert_eq!(
            a.answer(&search),
            ["HTTP/1.1 200 OK\r\n\
              Cache-Control: max-age=1800\r\n\
              EXT:\r\n\
              Location: http://192.168.1.10:49152/upnp/CameraDevDesc.xml\r\n\
              Server: Camera OS/1.0 UPnP/1.0 Canon Device Discovery/1.0\r\n\
              ST: urn:schemas-canon-com:service:ICPO-SmartPhoneEOSSystemService:1\r\n\
              USN: uuid:00000000-0000-0000-0001-2C9EFCD137BE::urn:schemas-canon-com:service:ICPO-SmartPhoneEOSSystemService:1\r\n\r\n"]
        );
        assert_eq!(
            a.byebye(),
            ["NOTIFY * HTTP/1.1\r\n\
              Host: 239.255.255.250:1900\r\n\
              NT: urn:schemas-canon-com:service:ICPO-SmartPhoneEOSSystemService:1\r\n\
              NTS: ssdp:byebye\r\n\
              USN: uuid:00000000-0000-0000-0001-2C9EFCD137BE::urn:schemas-canon-com:service:ICPO-SmartPhoneEOSSystemService:1\r\n\r\n"]
        );
    }

    #[test]
    fn searches_are_answered_by_target() {
        let a = six_d();
        let ask = |st: &str| {
            let req = format!(
                "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 2\r\nST: {st}\r\n\r\n"
            );
            let search = parse_search(req.as_bytes()).unwrap();
            assert_eq!(search.mx, Some(2));
            a.answer(&search)
        };
        assert_eq!(ask("ssdp:all").len(), 4);
        let root = ask("upnp:rootdevice");
        assert_eq!(root.len(), 1);
        assert!(
            root[0].contains(
                "\r\nUSN: uuid:00000000-0000-0000-0001-2C9EFCD137BE::upnp:rootdevice\r\n"
            )
        );
        let uuid = ask("uuid:00000000-0000-0000-0001-2C9EFCD137BE");
        assert!(uuid[0].contains("\r\nUSN: uuid:00000000-0000-0000-0001-2C9EFCD137BE\r\n"));
        assert_eq!(ask(SMARTPHONE).len(), 1);
        assert!(ask("urn:schemas-canon-com:service:ICPO-WFTEOSSystemService:1").is_empty());
        assert!(ask("urn:schemas-upnp-org:device:MediaRenderer:1").is_empty());
    }

    #[test]
    fn what_is_not_a_search_is_ignored() {
        let cases: [(&[u8], Ignored); 7] = [
            (b"", Ignored::Malformed),
            (b"\xff\xfe", Ignored::Malformed),
            (b"garbage", Ignored::Malformed),
            (
                b"NOTIFY * HTTP/1.1\r\nNTS: ssdp:alive\r\n\r\n",
                Ignored::NotSearch,
            ),
            (b"HTTP/1.1 200 OK\r\nST: x\r\n\r\n", Ignored::NotSearch),
            (
                b"M-SEARCH * HTTP/1.1\r\nST: ssdp:all\r\n\r\n",
                Ignored::NoDiscover,
            ),
            (
                b"M-SEARCH * HTTP/1.1\r\nMAN: \"ssdp:discover\"\r\n\r\n",
                Ignored::NoTarget,
            ),
        ];
        for (datagram, why) in cases {
            assert_eq!(parse_search(datagram), Err(why), "{datagram:?}");
        }
        let many = format!(
            "M-SEARCH * HTTP/1.1\r\n{}MAN: \"ssdp:discover\"\r\nST: ssdp:all\r\n\r\n",
            "X: y\r\n".repeat(MAX_HEADERS + 1)
        );
        assert_eq!(parse_search(many.as_bytes()), Err(Ignored::TooManyHeaders));
    }

    proptest::proptest! {
        /// Any datagram is parsed without panicking, and an answer names only this body.
        #[test]
        fn any_datagram_is_safe(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..3000)) {
            if let Ok(search) = parse_search(&bytes) {
                for answer in six_d().answer(&search) {
                    proptest::prop_assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"));
                }
            }
        }
    }
}
