//! Pairing: which network client a body accepts, and what its owner does when a new one asks.
//!
//! WiFi bodies remember the client they were paired with. A Canon EOS answers a PTP/IP Init
//! Command Request from any other GUID with a refusal until its pairing is reset
//! (docs/reference/vendors-wifi-sony-fuji.md §4.1, §4.3); a Fujifilm body refuses a known
//! client whose name changed (§2.3, §3.1). The first time a client connects, the body asks its
//! owner ("accept on the body"): the owner accepts, refuses, or takes a while. [`AcceptPolicy`]
//! models that prompt so tests can choose; [`Pairing`] holds the remembered client and decides.
//!
//! Deciding is sans-IO (time is passed in). The remembered client can be kept in a small state
//! file (one line: 32 hex digits of GUID, a space, the client's name), written atomically.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, SystemTime};

/// A network client as it introduces itself (PTP/IP Init Command Request: GUID and friendly
/// name).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientId {
    /// The client's GUID.
    pub guid: [u8; 16],
    /// The client's friendly name.
    pub name: String,
}

impl ClientId {
    /// A client with `guid` and `name`.
    #[must_use]
    pub fn new(guid: [u8; 16], name: impl Into<String>) -> Self {
        Self {
            guid,
            name: name.into(),
        }
    }
}

/// What the owner does when the body shows "connect to this client?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AcceptPolicy {
    /// Accepts at once (the default: tests want a camera that pairs).
    #[default]
    Accept,
    /// Refuses: the client gets the body's refusal and nothing is remembered.
    Refuse,
    /// Accepts after this long (a person walking to the camera).
    Delay(Duration),
}

/// An [`AcceptPolicy`] written on a command line could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("accept policy {0:?}: expected accept, refuse or delay:SECONDS (for example delay:2.5)")]
pub struct ParsePolicyError(String);

impl FromStr for AcceptPolicy {
    type Err = ParsePolicyError;

    /// `accept`, `refuse`, or `delay:SECONDS` (fractions allowed).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ParsePolicyError(s.to_string());
        match s.trim().to_ascii_lowercase().as_str() {
            "accept" => Ok(Self::Accept),
            "refuse" => Ok(Self::Refuse),
            other => {
                let secs = other
                    .strip_prefix("delay:")
                    .or_else(|| other.strip_prefix("delay="))
                    .ok_or_else(bad)?;
                let secs: f64 = secs.trim_end_matches('s').parse().map_err(|_| bad())?;
                Duration::try_from_secs_f64(secs)
                    .map(Self::Delay)
                    .map_err(|_| bad())
            }
        }
    }
}

impl fmt::Display for AcceptPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Accept => f.write_str("accept"),
            Self::Refuse => f.write_str("refuse"),
            Self::Delay(d) => write!(f, "delay:{}", d.as_secs_f64()),
        }
    }
}

/// Why a client is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The body is paired with another client.
    OtherClientPaired,
    /// The paired client came back under another name (Fujifilm checks the name).
    NameChanged,
    /// The owner refused on the body.
    RefusedOnBody,
}

/// The outcome of [`Pairing::decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Serve the client now.
    Accept,
    /// The owner has not answered yet: ask again at this time (then call [`Pairing::confirm`]).
    AcceptAt(SystemTime),
    /// Refuse the client.
    Refuse(Refusal),
}

/// The paired client of a body, and the policy for new ones.
#[derive(Debug, Clone, Default)]
pub struct Pairing {
    policy: AcceptPolicy,
    paired: Option<ClientId>,
    check_name: bool,
    state_file: Option<PathBuf>,
}

impl Pairing {
    /// Nothing paired yet; new clients are handled by `policy`. Kept in memory only.
    #[must_use]
    pub fn new(policy: AcceptPolicy) -> Self {
        Self {
            policy,
            ..Self::default()
        }
    }

    /// Also refuse the paired client when it comes back under another name.
    #[must_use]
    pub const fn checking_names(mut self) -> Self {
        self.check_name = true;
        self
    }

    /// Starts paired with `client` (a `--paired-guid` option).
    #[must_use]
    pub fn paired_with(mut self, client: ClientId) -> Self {
        self.paired = Some(client);
        self
    }

    /// Remembers the pairing in `path`, reading the pairing already there.
    ///
    /// # Errors
    /// The file exists but cannot be read or is not a pairing line.
    pub fn with_state_file(mut self, path: impl Into<PathBuf>) -> io::Result<Self> {
        let path = path.into();
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                self.paired = Some(parse_state(&text).ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "{}: not a pairing line (32 hex digits, a space, a name)",
                            path.display()
                        ),
                    )
                })?);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        self.state_file = Some(path);
        Ok(self)
    }

    /// The policy for new clients.
    #[must_use]
    pub const fn policy(&self) -> AcceptPolicy {
        self.policy
    }

    /// The paired client, if any.
    #[must_use]
    pub const fn paired(&self) -> Option<&ClientId> {
        self.paired.as_ref()
    }

    /// Decides about `client`, which just asked to connect at `now`. A client accepted at once
    /// is remembered (and saved) before this returns.
    ///
    /// # Errors
    /// Saving the new pairing to the state file failed.
    pub fn decide(&mut self, now: SystemTime, client: &ClientId) -> io::Result<Decision> {
        if let Some(paired) = &self.paired {
            return Ok(if paired.guid != client.guid {
                Decision::Refuse(Refusal::OtherClientPaired)
            } else if self.check_name && paired.name != client.name {
                Decision::Refuse(Refusal::NameChanged)
            } else {
                Decision::Accept
            });
        }
        match self.policy {
            AcceptPolicy::Accept => {
                self.confirm(client)?;
                Ok(Decision::Accept)
            }
            AcceptPolicy::Refuse => Ok(Decision::Refuse(Refusal::RefusedOnBody)),
            AcceptPolicy::Delay(d) => Ok(Decision::AcceptAt(now + d)),
        }
    }

    /// The owner accepted `client` (after [`Decision::AcceptAt`]): remember it.
    ///
    /// # Errors
    /// Saving to the state file failed (the pairing is kept in memory all the same).
    pub fn confirm(&mut self, client: &ClientId) -> io::Result<()> {
        self.paired = Some(client.clone());
        self.save()
    }

    /// Forgets the paired client (the body's "reset pairing" menu).
    ///
    /// # Errors
    /// Removing the state file failed.
    pub fn reset(&mut self) -> io::Result<()> {
        self.paired = None;
        match &self.state_file {
            Some(path) => match std::fs::remove_file(path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
            None => Ok(()),
        }
    }

    fn save(&self) -> io::Result<()> {
        let (Some(path), Some(client)) = (&self.state_file, &self.paired) else {
            return Ok(());
        };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        io::Write::write_all(&mut tmp, format_state(client).as_bytes())?;
        tmp.persist(path).map(|_| ()).map_err(|e| e.error)
    }
}

/// Parses 32 hex digits (a GUID written as in `--paired-guid`, dashes allowed).
///
/// # Errors
/// Not 32 hex digits once dashes are removed.
pub fn parse_guid(s: &str) -> Result<[u8; 16], ParseGuidError> {
    let digits: Vec<u8> = s.bytes().filter(|&b| b != b'-').collect();
    let mut guid = [0u8; 16];
    if digits.len() != 32 {
        return Err(ParseGuidError(s.to_string()));
    }
    for (byte, pair) in guid.iter_mut().zip(digits.chunks_exact(2)) {
        let text = std::str::from_utf8(pair).map_err(|_| ParseGuidError(s.to_string()))?;
        *byte = u8::from_str_radix(text, 16).map_err(|_| ParseGuidError(s.to_string()))?;
    }
    Ok(guid)
}

/// A GUID that is not 32 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("GUID {0:?}: expected 32 hex digits (dashes allowed)")]
pub struct ParseGuidError(String);

/// A GUID as 32 lowercase hex digits.
#[must_use]
pub fn format_guid(guid: &[u8; 16]) -> String {
    guid.iter().map(|b| format!("{b:02x}")).collect()
}

fn format_state(client: &ClientId) -> String {
    format!("{} {}\n", format_guid(&client.guid), client.name)
}

fn parse_state(text: &str) -> Option<ClientId> {
    let line = text.lines().next()?;
    let (guid, name) = line.split_once(' ').unwrap_or((line, ""));
    Some(ClientId::new(parse_guid(guid).ok()?, name))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn client(n: u8, name: &str) -> ClientId {
        ClientId::new([n; 16], name)
    }

    #[test]
    fn the_first_client_pairs_and_others_are_refused_until_reset() {
        let now = SystemTime::UNIX_EPOCH;
        let mut p = Pairing::new(AcceptPolicy::Accept);
        assert_eq!(p.decide(now, &client(1, "app")).unwrap(), Decision::Accept);
        assert_eq!(p.decide(now, &client(1, "app")).unwrap(), Decision::Accept);
        assert_eq!(
            p.decide(now, &client(2, "other")).unwrap(),
            Decision::Refuse(Refusal::OtherClientPaired)
        );
        // Canon ignores the name; Fujifilm checks it.
        assert_eq!(
            p.decide(now, &client(1, "renamed")).unwrap(),
            Decision::Accept
        );
        let mut fuji = p.clone().checking_names();
        assert_eq!(
            fuji.decide(now, &client(1, "renamed")).unwrap(),
            Decision::Refuse(Refusal::NameChanged)
        );
        p.reset().unwrap();
        assert_eq!(
            p.decide(now, &client(2, "other")).unwrap(),
            Decision::Accept
        );
    }

    #[test]
    fn refuse_and_delay_policies() {
        let now = SystemTime::UNIX_EPOCH;
        let mut refuse = Pairing::new(AcceptPolicy::Refuse);
        assert_eq!(
            refuse.decide(now, &client(1, "a")).unwrap(),
            Decision::Refuse(Refusal::RefusedOnBody)
        );
        assert!(refuse.paired().is_none());
        let mut delay = Pairing::new("delay:2.5".parse().unwrap());
        let at = now + Duration::from_millis(2500);
        assert_eq!(
            delay.decide(now, &client(1, "a")).unwrap(),
            Decision::AcceptAt(at)
        );
        assert!(delay.paired().is_none());
        delay.confirm(&client(1, "a")).unwrap();
        assert_eq!(delay.decide(at, &client(1, "a")).unwrap(), Decision::Accept);
    }

    #[test]
    fn policies_and_guids_parse_and_print() {
        for text in ["accept", "refuse", "delay:2.5"] {
            let p: AcceptPolicy = text.parse().unwrap();
            assert_eq!(p.to_string(), text);
        }
        assert!("sometimes".parse::<AcceptPolicy>().is_err());
        assert!("delay:-1".parse::<AcceptPolicy>().is_err());
        let guid = parse_guid("00112233-4455-6677-8899-aabbccddeeff").unwrap();
        assert_eq!(format_guid(&guid), "00112233445566778899aabbccddeeff");
        assert!(parse_guid("0011").is_err());
        assert!(parse_guid("zz112233445566778899aabbccddeeff").is_err());
    }

    #[test]
    fn the_pairing_survives_a_restart_in_its_state_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pairing");
        let now = SystemTime::UNIX_EPOCH;
        let mut p = Pairing::new(AcceptPolicy::Accept)
            .with_state_file(&path)
            .unwrap();
        p.decide(now, &client(7, "phone app")).unwrap();
        let mut again = Pairing::new(AcceptPolicy::Accept)
            .with_state_file(&path)
            .unwrap();
        assert_eq!(again.paired(), Some(&client(7, "phone app")));
        assert_eq!(
            again.decide(now, &client(8, "x")).unwrap(),
            Decision::Refuse(Refusal::OtherClientPaired)
        );
        again.reset().unwrap();
        assert!(!path.exists());
        std::fs::write(&path, "not a pairing").unwrap();
        assert!(
            Pairing::new(AcceptPolicy::Accept)
                .with_state_file(&path)
                .is_err()
        );
    }
}
