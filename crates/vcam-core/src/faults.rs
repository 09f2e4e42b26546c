//! Faults a tester plans for a camera: what goes wrong, and when.
//!
//! A [`Fault`] is a [`FaultKind`] (DeviceBusy answers, a dropped link, a slow or full card, a
//! card taken out, a battery running down, a capture that fails, a transfer the camera
//! cancels) and a [`Trigger`] (at a given operation, after so many operations, after a
//! while). The [`Responder`](crate::Responder) applies them as a real body misbehaves, on
//! every transport: faults are camera behaviour, so they live here, in the sans-IO core, with
//! time passed in. They come from the command line (`--fault`, the grammar below), from a
//! scenario file, from `vcamctl fault ...` at run time, or from Rust
//! ([`Responder::add_fault`](crate::Responder::add_fault)).
//!
//! # Grammar
//!
//! ```text
//! FAULT    = KIND [ ":" SETTING { "," SETTING } ]
//! SETTING  = KEY "=" VALUE
//! DURATION = NUMBER ( "ms" | "s" | "m" )            e.g. 500ms, 2s, 1m
//! BYTES    = NUMBER [ "k" | "M" | "G" | "Ki" | "Mi" | "Gi" ]   e.g. 65536, 64Ki, 1M
//! ```
//!
//! | kind | what the camera does | its own settings |
//! |---|---|---|
//! | `busy` | answers DeviceBusy (0x2019) | `ops=N` (default 1) or `for=DURATION` |
//! | `disconnect` | drops its link (PTP/IP closes, USB detaches) after the operation's response, or after byte K of its data phase; back after `replug` | `after-bytes=BYTES`, `replug=DURATION\|never` (default 1s) |
//! | `slow-card` | reads and writes the card at this rate | `rate=BYTES` per second |
//! | `card-full` | StoreFull (0x200C) for writes, StorageInfo's free space 0 | |
//! | `card-removed` | the card comes out: StoreRemoved, every handle invalid; back after `reinsert` | `reinsert=DURATION\|never` (default never) |
//! | `battery` | battery falls to `level` % (property change events); dead (0 %, the session ends) after `dead-after` | `level=PERCENT` (default 10), `dead-after=DURATION\|never` (default never) |
//! | `capture-fail` | the next captures fail with `code` | `count=N` (default 1), `code=0xNNNN` (default 0x2002 GeneralError) |
//! | `cancel` | cancels the operation's data phase after byte K: TransactionCancelled (0x201F), nothing stored | `after-bytes=BYTES` (default 0) |
//!
//! Every kind also takes the trigger settings ([`Trigger`]): `on=OPERATION` (a spec name
//! such as `GetObject` or `EOS_GetEvent`, or a code such as `0x1009`), `after-ops=N`,
//! `after=DURATION`, and `repeat=session` to arm the fault again at every OpenSession.
//!
//! ```
//! use std::time::Duration;
//! use vcam_core::faults::{Fault, FaultKind};
//!
//! let fault: Fault = "busy:on=GetObject,ops=2".parse()?;
//! assert_eq!(fault.kind, FaultKind::Busy { ops: Some(2), duration: None });
//! assert_eq!(fault.to_string(), "busy:ops=2,on=GetObject");
//! let fault: Fault = "disconnect:after-ops=5,after-bytes=64Ki,replug=never".parse()?;
//! assert_eq!(fault.trigger.after_ops, 5);
//! let fault: Fault = "slow-card:rate=1M,after=2s".parse()?;
//! assert_eq!(fault.trigger.after, Some(Duration::from_secs(2)));
//! # Ok::<(), vcam_core::faults::FaultError>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use ptp_types::{OperationCode, ResponseCode};

/// How long a dropped link stays down unless the fault says otherwise.
pub const DEFAULT_REPLUG: Duration = Duration::from_secs(1);
/// How long a dead battery leaves the client to read its last events before the session ends.
pub const DEAD_BATTERY_GRACE: Duration = Duration::from_secs(1);

/// One planned fault: what goes wrong, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// What goes wrong.
    pub kind: FaultKind,
    /// When it starts.
    pub trigger: Trigger,
}

/// What goes wrong (see the [module documentation](self) for how each is seen).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// DeviceBusy (0x2019) for `ops` operations (matching the trigger's operation, when it
    /// names one) or for `duration`; one operation when neither is given.
    Busy {
        /// How many operations.
        ops: Option<u32>,
        /// For how long.
        duration: Option<Duration>,
    },
    /// The link drops after the triggering operation's response, or after `after_bytes` of
    /// its data phase (in either direction); it comes back after `replug` (`None`: only when
    /// told to, `vcamctl plug`).
    Disconnect {
        /// Bytes of the data phase that get through.
        after_bytes: Option<u64>,
        /// When the link comes back.
        replug: Option<Duration>,
    },
    /// The card reads (data phases of card objects) and writes (uploads) at this rate.
    SlowCard {
        /// Bytes per second.
        bytes_per_second: u64,
    },
    /// The card is full: StoreFull for every write, no free space in StorageInfo.
    CardFull,
    /// The card is taken out (StoreRemoved; every handle invalid) and put back after
    /// `reinsert` (`None`: only when told to, `vcamctl card insert`).
    CardRemoved {
        /// When the card goes back in.
        reinsert: Option<Duration>,
    },
    /// The battery falls to `level` percent, then is dead after `dead_after` (the session
    /// ends and the body stays off until it is charged or plugged in again).
    Battery {
        /// Charge left, in percent.
        level: u8,
        /// When it is dead.
        dead_after: Option<Duration>,
    },
    /// The next `count` captures fail with `code`.
    CaptureFails {
        /// How many captures.
        count: u32,
        /// The response code of the failure.
        code: ResponseCode,
    },
    /// The camera cancels the triggering operation's data phase after `after_bytes`:
    /// TransactionCancelled (0x201F), and an upload is discarded.
    Cancel {
        /// Bytes of the data phase that get through.
        after_bytes: u64,
    },
}

/// When a fault starts. Every condition given must hold; none given means at once (at the
/// next operation, for the kinds that act on operations).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Trigger {
    /// Only at a request of this operation.
    pub on: Option<OperationMatch>,
    /// Not before this many operations since the fault was armed.
    pub after_ops: u32,
    /// Not before this long since the fault was armed.
    pub after: Option<Duration>,
    /// Armed again at every OpenSession (otherwise once in the camera's life).
    pub every_session: bool,
}

/// An operation named by a fault: its code, or its spec name (matched without regard to
/// case against the camera's operation table, vendor operations included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationMatch {
    /// This code.
    Code(OperationCode),
    /// The operation with this spec name.
    Name(String),
}

impl OperationMatch {
    /// Whether `code`, whose spec name is `name`, is this operation.
    #[must_use]
    pub fn matches(&self, code: OperationCode, name: Option<&str>) -> bool {
        match self {
            Self::Code(c) => *c == code,
            Self::Name(n) => name.is_some_and(|name| name.eq_ignore_ascii_case(n)),
        }
    }
}

impl fmt::Display for OperationMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Code(c) => write!(f, "{:#06x}", c.0),
            Self::Name(n) => f.write_str(n),
        }
    }
}

/// A fault that cannot be parsed: the text, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fault {text:?}: {reason}")]
pub struct FaultError {
    /// The fault as written.
    pub text: String,
    /// What is wrong.
    pub reason: String,
}

impl FaultKind {
    /// The kind's name in the grammar.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Busy { .. } => "busy",
            Self::Disconnect { .. } => "disconnect",
            Self::SlowCard { .. } => "slow-card",
            Self::CardFull => "card-full",
            Self::CardRemoved { .. } => "card-removed",
            Self::Battery { .. } => "battery",
            Self::CaptureFails { .. } => "capture-fail",
            Self::Cancel { .. } => "cancel",
        }
    }

    /// Whether the fault acts on an operation (and so starts at a request), rather than on
    /// the body's state (and so starts as soon as its trigger holds).
    #[must_use]
    pub const fn acts_on_operation(&self) -> bool {
        matches!(
            self,
            Self::Busy { .. } | Self::Disconnect { .. } | Self::Cancel { .. }
        )
    }
}

impl FromStr for Fault {
    type Err = FaultError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = |reason: String| FaultError {
            text: text.to_string(),
            reason,
        };
        let (kind, settings) = text.trim().split_once(':').unwrap_or((text.trim(), ""));
        let mut map: Vec<(&str, &str)> = Vec::new();
        for setting in settings.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (key, value) = setting
                .split_once('=')
                .ok_or_else(|| fail(format!("{setting:?} is not KEY=VALUE")))?;
            let key = key.trim();
            if map.iter().any(|(k, _)| *k == key) {
                return Err(fail(format!("{key} given twice")));
            }
            map.push((key, value.trim()));
        }
        let mut settings = Settings {
            map,
            used: Vec::new(),
        };
        let trigger = Trigger {
            on: settings
                .take("on")
                .map(parse_operation)
                .transpose()
                .map_err(fail)?,
            after_ops: settings
                .take("after-ops")
                .map(parse_count)
                .transpose()
                .map_err(fail)?
                .unwrap_or(0),
            after: settings
                .take("after")
                .map(parse_duration)
                .transpose()
                .map_err(fail)?,
            every_session: match settings.take("repeat") {
                None | Some("once") => false,
                Some("session") => true,
                Some(other) => {
                    return Err(fail(format!("repeat={other}: expected once or session")));
                }
            },
        };
        let kind = parse_kind(kind.trim(), &mut settings).map_err(fail)?;
        if let Some(key) = settings.unused() {
            return Err(fail(format!("{key} is not a setting of {}", kind.name())));
        }
        Ok(Self { kind, trigger })
    }
}

/// The `KEY=VALUE` settings of one fault, each taken once.
struct Settings<'a> {
    map: Vec<(&'a str, &'a str)>,
    used: Vec<&'a str>,
}

impl<'a> Settings<'a> {
    fn take(&mut self, key: &'a str) -> Option<&'a str> {
        let value = self.map.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)?;
        self.used.push(key);
        Some(value)
    }

    fn unused(&self) -> Option<&'a str> {
        self.map
            .iter()
            .map(|(k, _)| *k)
            .find(|k| !self.used.contains(k))
    }
}

fn parse_kind(kind: &str, s: &mut Settings<'_>) -> Result<FaultKind, String> {
    Ok(match kind {
        "busy" => {
            let ops = s.take("ops").map(parse_count).transpose()?;
            let duration = s.take("for").map(parse_duration).transpose()?;
            if ops.is_some() && duration.is_some() {
                return Err("give ops or for, not both".into());
            }
            FaultKind::Busy { ops, duration }
        }
        "disconnect" => FaultKind::Disconnect {
            after_bytes: s.take("after-bytes").map(parse_bytes).transpose()?,
            replug: s
                .take("replug")
                .map(parse_until)
                .transpose()?
                .unwrap_or(Some(DEFAULT_REPLUG)),
        },
        "slow-card" => FaultKind::SlowCard {
            bytes_per_second: s
                .take("rate")
                .map(parse_bytes)
                .transpose()?
                .filter(|&r| r > 0)
                .ok_or("needs rate=BYTES (per second, more than 0)")?,
        },
        "card-full" => FaultKind::CardFull,
        "card-removed" => FaultKind::CardRemoved {
            reinsert: s.take("reinsert").map(parse_until).transpose()?.flatten(),
        },
        "battery" => {
            let level = s.take("level").map(parse_count).transpose()?.unwrap_or(10);
            FaultKind::Battery {
                level: u8::try_from(level)
                    .ok()
                    .filter(|&l| l <= 100)
                    .ok_or("level is a percentage, 0 to 100")?,
                dead_after: s.take("dead-after").map(parse_until).transpose()?.flatten(),
            }
        }
        "capture-fail" => FaultKind::CaptureFails {
            count: s.take("count").map(parse_count).transpose()?.unwrap_or(1),
            code: s
                .take("code")
                .map(parse_code)
                .transpose()?
                .map_or(ResponseCode::GENERAL_ERROR, ResponseCode),
        },
        "cancel" => FaultKind::Cancel {
            after_bytes: s
                .take("after-bytes")
                .map(parse_bytes)
                .transpose()?
                .unwrap_or(0),
        },
        "" => return Err("no kind".into()),
        other => {
            return Err(format!(
                "unknown kind {other:?}; known: busy, disconnect, slow-card, card-full, \
                 card-removed, battery, capture-fail, cancel"
            ));
        }
    })
}

fn parse_count(v: &str) -> Result<u32, String> {
    v.parse().map_err(|_| format!("{v:?} is not a count"))
}

fn parse_code(v: &str) -> Result<u16, String> {
    let hex = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X"));
    match hex {
        Some(h) => u16::from_str_radix(h, 16),
        None => v.parse(),
    }
    .map_err(|_| format!("{v:?} is not a 16-bit code (0x2002)"))
}

fn parse_operation(v: &str) -> Result<OperationMatch, String> {
    if v.starts_with("0x") || v.starts_with("0X") || v.bytes().all(|b| b.is_ascii_digit()) {
        return parse_code(v).map(|c| OperationMatch::Code(OperationCode(c)));
    }
    if v.is_empty() {
        return Err("on= needs an operation".into());
    }
    Ok(OperationMatch::Name(v.to_string()))
}

/// A duration, or `never` (`None`).
fn parse_until(v: &str) -> Result<Option<Duration>, String> {
    if v == "never" {
        return Ok(None);
    }
    parse_duration(v).map(Some)
}

/// `500ms`, `2s`, `1.5s`, `1m`.
pub fn parse_duration(v: &str) -> Result<Duration, String> {
    let bad = || format!("{v:?} is not a duration (500ms, 2s, 1m)");
    let (number, unit) = split_unit(v);
    let n: f64 = number.parse().map_err(|_| bad())?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" | "min" => n * 60.0,
        _ => return Err(bad()),
    };
    Duration::try_from_secs_f64(secs).map_err(|_| bad())
}

/// `65536`, `64k`, `64Ki`, `1M`, `2Mi`, `1G`.
pub fn parse_bytes(v: &str) -> Result<u64, String> {
    let bad = || format!("{v:?} is not a byte count (65536, 64Ki, 1M)");
    let (number, unit) = split_unit(v);
    let n: u64 = number.parse().map_err(|_| bad())?;
    let factor: u64 = match unit {
        "" | "B" => 1,
        "k" | "K" => 1000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        _ => return Err(bad()),
    };
    n.checked_mul(factor).ok_or_else(bad)
}

fn split_unit(v: &str) -> (&str, &str) {
    let at = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    v.split_at(at)
}

/// Writes a duration as the grammar reads it.
struct Dur(Duration);

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms.is_multiple_of(1000) {
            write!(f, "{}s", ms / 1000)
        } else {
            write!(f, "{ms}ms")
        }
    }
}

/// Writes an optional duration, `never` for none.
struct Until(Option<Duration>);

impl fmt::Display for Until {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(d) => Dur(d).fmt(f),
            None => f.write_str("never"),
        }
    }
}

impl fmt::Display for Fault {
    /// The fault in the grammar it is parsed from.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut settings: Vec<String> = Vec::new();
        match &self.kind {
            FaultKind::Busy { ops, duration } => {
                settings.extend(ops.map(|n| format!("ops={n}")));
                settings.extend(duration.map(|d| format!("for={}", Dur(d))));
            }
            FaultKind::Disconnect {
                after_bytes,
                replug,
            } => {
                settings.extend(after_bytes.map(|b| format!("after-bytes={b}")));
                settings.push(format!("replug={}", Until(*replug)));
            }
            FaultKind::SlowCard { bytes_per_second } => {
                settings.push(format!("rate={bytes_per_second}"));
            }
            FaultKind::CardFull => {}
            FaultKind::CardRemoved { reinsert } => {
                settings.push(format!("reinsert={}", Until(*reinsert)));
            }
            FaultKind::Battery { level, dead_after } => {
                settings.push(format!("level={level}"));
                settings.push(format!("dead-after={}", Until(*dead_after)));
            }
            FaultKind::CaptureFails { count, code } => {
                settings.push(format!("count={count}"));
                settings.push(format!("code={:#06x}", code.0));
            }
            FaultKind::Cancel { after_bytes } => {
                settings.push(format!("after-bytes={after_bytes}"))
            }
        }
        let t = &self.trigger;
        settings.extend(t.on.as_ref().map(|on| format!("on={on}")));
        if t.after_ops > 0 {
            settings.push(format!("after-ops={}", t.after_ops));
        }
        settings.extend(t.after.map(|d| format!("after={}", Dur(d))));
        if t.every_session {
            settings.push("repeat=session".into());
        }
        f.write_str(self.kind.name())?;
        if !settings.is_empty() {
            write!(f, ":{}", settings.join(","))?;
        }
        Ok(())
    }
}

impl Fault {
    /// A fault of `kind` that starts at once.
    #[must_use]
    pub fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            trigger: Trigger::default(),
        }
    }

    /// Starts at the next request of `operation` (a spec name or a code).
    #[must_use]
    pub fn on(mut self, operation: OperationMatch) -> Self {
        self.trigger.on = Some(operation);
        self
    }

    /// Starts after `ops` operations.
    #[must_use]
    pub const fn after_ops(mut self, ops: u32) -> Self {
        self.trigger.after_ops = ops;
        self
    }

    /// Starts after `duration`.
    #[must_use]
    pub const fn after(mut self, duration: Duration) -> Self {
        self.trigger.after = Some(duration);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Fault {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn every_kind_parses_and_prints_back() {
        for text in [
            "busy:ops=3",
            "busy:for=2500ms,on=GetObject",
            "disconnect:after-bytes=65536,replug=never,after-ops=4",
            "disconnect:replug=2s,on=0x1009",
            "slow-card:rate=100000",
            "card-full:after=1m",
            "card-removed:reinsert=3s,repeat=session",
            "battery:level=5,dead-after=30s",
            "capture-fail:count=2,code=0x2019",
            "cancel:after-bytes=1024,on=EOS_GetPartialObject",
        ] {
            let fault = parse(text);
            assert_eq!(parse(&fault.to_string()), fault, "{text}");
        }
    }

    #[test]
    fn defaults_and_units() {
        assert_eq!(
            parse("busy").kind,
            FaultKind::Busy {
                ops: None,
                duration: None
            }
        );
        assert_eq!(
            parse("disconnect").kind,
            FaultKind::Disconnect {
                after_bytes: None,
                replug: Some(DEFAULT_REPLUG)
            }
        );
        assert_eq!(
            parse("slow-card:rate=64Ki").kind,
            FaultKind::SlowCard {
                bytes_per_second: 65536
            }
        );
        assert_eq!(
            parse("battery").kind,
            FaultKind::Battery {
                level: 10,
                dead_after: None
            }
        );
        assert_eq!(
            parse("busy:after=1.5s").trigger.after,
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse("busy:on=getobject").trigger.on,
            Some(OperationMatch::Name("getobject".into()))
        );
        assert!(
            OperationMatch::Name("getobject".into())
                .matches(OperationCode::GET_OBJECT, Some("GetObject"))
        );
    }

    #[test]
    fn mistakes_say_what_is_wrong() {
        for (text, reason) in [
            ("frobnicate", "unknown kind"),
            ("busy:ops=3,for=1s", "not both"),
            ("busy:ops", "not KEY=VALUE"),
            ("busy:ops=x", "not a count"),
            ("busy:rate=1", "not a setting of busy"),
            ("slow-card", "needs rate"),
            ("battery:level=101", "percentage"),
            ("busy:after=3h", "not a duration"),
            ("busy:ops=1,ops=2", "given twice"),
            ("cancel:after-bytes=1X", "not a byte count"),
        ] {
            let err = text.parse::<Fault>().unwrap_err();
            assert!(err.to_string().contains(reason), "{text}: {err}");
        }
    }
}
