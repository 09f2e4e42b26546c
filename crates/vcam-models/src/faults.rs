//! Faults for a camera from the command line (`--fault`, repeatable), the environment
//! (`VCAM_FAULTS`) and scenario files (`--faults-file`, `VCAM_FAULTS_FILE`), in the grammar of
//! [`vcam_core::faults`].
//!
//! A scenario file is TOML: a list of faults in the grammar, a table per fault, or both (the
//! list is planned first).
//!
//! ```toml
//! # A card that fills up after a while, and a cable pulled in the middle of a download.
//! faults = ["card-full:after=30s"]
//!
//! [[fault]]
//! kind = "disconnect"
//! on = "GetObject"
//! after-bytes = "64Ki"
//! replug = "2s"
//! ```

use std::path::{Path, PathBuf};

use vcam_core::faults::{Fault, FaultError};

/// The help of `--fault`: the grammar in short.
pub const FAULT_HELP: &str = "\
Plan a fault (repeatable): KIND[:KEY=VALUE,...]
  busy            DeviceBusy (0x2019) answers      ops=N (1) | for=DURATION
  disconnect      the link drops after the operation's response (PTP/IP closes, USB detaches)
                                                   after-bytes=BYTES (in its data phase), replug=DURATION|never (1s)
  slow-card       card data phases at a rate        rate=BYTES (per second)
  card-full       StoreFull for writes, no free space in StorageInfo
  card-removed    StoreRemoved, every handle invalid  reinsert=DURATION|never (never)
  battery         battery low (property change), then dead (the session ends)
                                                   level=PERCENT (10), dead-after=DURATION|never (never)
  capture-fail    the next captures fail          count=N (1), code=0xNNNN (0x2002)
  cancel          the camera cancels the data phase: TransactionCancelled (0x201F)
                                                   after-bytes=BYTES (0)
Triggers, for every kind: on=OPERATION (GetObject, EOS_GetEvent, 0x1009), after-ops=N,
after=DURATION, repeat=session. DURATION: 500ms, 2s, 1m. BYTES: 65536, 64Ki, 1M.
Examples: --fault busy:on=GetObject,ops=2  --fault disconnect:on=GetObject,after-bytes=64Ki
          --fault battery:level=5,dead-after=20s  --fault slow-card:rate=200k";

/// A fault given on the command line (the `--fault` value parser).
///
/// # Errors
/// What is wrong with it.
pub fn parse_fault(text: &str) -> Result<Fault, FaultError> {
    text.parse()
}

/// Faults separated by `;` (`VCAM_FAULTS`; a fault's settings are separated by `,`).
///
/// # Errors
/// The first fault that cannot be parsed.
pub fn parse_fault_list(text: &str) -> Result<Vec<Fault>, FaultError> {
    text.split(';')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::parse)
        .collect()
}

/// Why a scenario file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// It cannot be read.
    #[error("reading {}: {reason}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// It is not TOML of the expected shape.
    #[error("{}: {reason}", path.display())]
    Shape {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A fault in it cannot be parsed.
    #[error("{}", path.display())]
    Fault {
        /// The file.
        path: PathBuf,
        /// The fault.
        #[source]
        source: FaultError,
    },
}

/// The faults of the scenario file at `path` (see the [module documentation](self)).
///
/// # Errors
/// The file cannot be read, is not TOML of that shape, or holds a fault that cannot be parsed.
pub fn read_scenario(path: &Path) -> Result<Vec<Fault>, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Read {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    parse_scenario(&text).map_err(|e| match e {
        Parsed::Shape(reason) => ScenarioError::Shape {
            path: path.to_path_buf(),
            reason,
        },
        Parsed::Fault(source) => ScenarioError::Fault {
            path: path.to_path_buf(),
            source,
        },
    })
}

enum Parsed {
    Shape(String),
    Fault(FaultError),
}

fn parse_scenario(text: &str) -> Result<Vec<Fault>, Parsed> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| Parsed::Shape(e.to_string().trim_end().to_string()))?;
    let mut faults = Vec::new();
    // The list first, then the tables (a TOML table has no order of its own).
    let mut entries: Vec<(&String, &toml::Value)> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.as_str() != "faults");
    for (key, value) in entries {
        match (key.as_str(), value) {
            ("faults", toml::Value::Array(list)) => {
                for item in list {
                    let toml::Value::String(text) = item else {
                        return Err(Parsed::Shape(format!(
                            "faults: {item:?} is not a string in the --fault grammar"
                        )));
                    };
                    faults.push(text.parse().map_err(Parsed::Fault)?);
                }
            }
            ("fault", toml::Value::Array(tables)) => {
                for item in tables {
                    let toml::Value::Table(t) = item else {
                        return Err(Parsed::Shape("[[fault]] entries are tables".into()));
                    };
                    faults.push(fault_of_table(t)?);
                }
            }
            (other, _) => {
                return Err(Parsed::Shape(format!(
                    "unknown key {other:?}: a scenario has `faults = [...]` and `[[fault]]` tables"
                )));
            }
        }
    }
    Ok(faults)
}

/// A `[[fault]]` table: `kind` and the settings of the grammar as keys.
fn fault_of_table(t: &toml::Table) -> Result<Fault, Parsed> {
    let kind = match t.get("kind") {
        Some(toml::Value::String(kind)) => kind.clone(),
        _ => {
            return Err(Parsed::Shape(
                "a [[fault]] table needs kind = \"...\"".into(),
            ));
        }
    };
    let mut settings = Vec::new();
    for (key, value) in t.iter().filter(|(k, _)| k.as_str() != "kind") {
        let value = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(true) if key == "repeat" => "session".into(),
            other => {
                return Err(Parsed::Shape(format!(
                    "{kind}: {key} = {other:?} is neither a string nor a number"
                )));
            }
        };
        settings.push(format!("{key}={value}"));
    }
    let text = if settings.is_empty() {
        kind
    } else {
        format!("{kind}:{}", settings.join(","))
    };
    text.parse().map_err(Parsed::Fault)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_list_faults_both_ways() {
        let faults = parse_scenario(
            r#"
            faults = ["busy:ops=2", "card-full:after=30s"]
            [[fault]]
            kind = "disconnect"
            on = "GetObject"
            after-bytes = "64Ki"
            replug = "2s"
            [[fault]]
            kind = "battery"
            level = 5
            "#,
        )
        .ok()
        .unwrap();
        let texts: Vec<String> = faults.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [
                "busy:ops=2",
                "card-full:after=30s",
                "disconnect:after-bytes=65536,replug=2s,on=GetObject",
                "battery:level=5,dead-after=never"
            ]
        );
    }

    #[test]
    fn bad_scenarios_say_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, "[[fault]]\nkind = \"busy\"\nops = \"x\"\n").unwrap();
        let err = read_scenario(&path).unwrap_err();
        assert!(matches!(err, ScenarioError::Fault { .. }), "{err}");
        std::fs::write(&path, "fautls = []\n").unwrap();
        assert!(
            read_scenario(&path)
                .unwrap_err()
                .to_string()
                .contains("unknown key")
        );
        assert!(matches!(
            read_scenario(&dir.path().join("none.toml")),
            Err(ScenarioError::Read { .. })
        ));
        assert_eq!(
            parse_fault_list("busy; card-full ;").unwrap().len(),
            2,
            "`;` separates, blanks are skipped"
        );
    }
}
