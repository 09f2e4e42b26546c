//! Camera options from environment variables, for the libusb shim, which has no command line.
//!
//! | variable | option | default |
//! |---|---|---|
//! | `VCAM_MODELS` | the models, comma-separated: one camera each | `generic` |
//! | `VCAM_FS` | `--fs DIR`, the card folder | the built-in sample card |
//! | `VCAM_READ_ONLY` | `--read-only` (`1`/`true`/`yes`, `0`/`false`/`no`) | `0` |
//! | `VCAM_LIVEVIEW_SIZE` | `--liveview-size WxH` | `640x480` |
//! | `VCAM_LIVEVIEW_FPS` | `--liveview-fps FPS` | `30` |
//! | `VCAM_LIVEVIEW_JPEGS` | `--liveview-jpegs DIR` | |
//! | `VCAM_LIVEVIEW_MJPEG` | `--liveview-mjpeg FILE` | |
//! | `VCAM_LIVEVIEW_UNPACED` | `--liveview-unpaced` (a flag, as `VCAM_READ_ONLY`) | `0` |
//! | `VCAM_FAULTS` | `--fault FAULT`, several separated by `;` ([`crate::faults`]) | |
//! | `VCAM_FAULTS_FILE` | `--faults-file FILE` | |
//! | `VCAM_CONTROL` | `--control PATH`, one socket for every camera of the process | |
//! | `VCAM_WATCH` | watch the card folder (`0`: `--no-watch`) | `1` |
//! | `VCAM_RECORD` | `--record FILE`: every USB transfer as pcapng of usbmon records (read by the libusb drop-in itself) | |
//!
//! A variable set to the empty string counts as unset.

use std::ffi::OsString;
use std::num::ParseIntError;
use std::path::PathBuf;

use crate::{CameraOptions, DEFAULT_MODEL, SizeError, parse_size};

/// The models, comma-separated; each gets its own camera (default: the default model).
pub const MODELS: &str = "VCAM_MODELS";
/// The folder served as the card of every camera (default: a built-in sample card each).
pub const FS: &str = "VCAM_FS";
/// Refuse writes to the card folder.
pub const READ_ONLY: &str = "VCAM_READ_ONLY";
/// The live view size of the synthetic source, `WxH`.
pub const LIVEVIEW_SIZE: &str = "VCAM_LIVEVIEW_SIZE";
/// Live view frames per second.
pub const LIVEVIEW_FPS: &str = "VCAM_LIVEVIEW_FPS";
/// A folder of JPEG files played as live view.
pub const LIVEVIEW_JPEGS: &str = "VCAM_LIVEVIEW_JPEGS";
/// A Motion JPEG file played as live view.
pub const LIVEVIEW_MJPEG: &str = "VCAM_LIVEVIEW_MJPEG";
/// Answer every live view poll with a frame, as fast as possible (benches).
pub const LIVEVIEW_UNPACED: &str = "VCAM_LIVEVIEW_UNPACED";
/// Faults planned for every camera, separated by `;`.
pub const FAULTS: &str = "VCAM_FAULTS";
/// A fault scenario file (TOML) for every camera.
pub const FAULTS_FILE: &str = "VCAM_FAULTS_FILE";
/// The control socket of the process's cameras.
pub const CONTROL: &str = "VCAM_CONTROL";
/// Watch the card folder for files other programs add or remove (default yes).
pub const WATCH: &str = "VCAM_WATCH";

/// A `VCAM_*` variable whose value is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvError {
    /// The value is not UTF-8 (only paths may be other bytes).
    #[error("{var} is not valid UTF-8")]
    NotUnicode {
        /// The variable.
        var: &'static str,
    },
    /// Not a live view size.
    #[error("{var}={value:?}")]
    Size {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// What is wrong with it.
        #[source]
        source: SizeError,
    },
    /// Not a number.
    #[error("{var}={value:?}")]
    Number {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// What is wrong with it.
        #[source]
        source: ParseIntError,
    },
    /// Not a list of faults.
    #[error("{var}={value:?}")]
    Faults {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// What is wrong with it.
        #[source]
        source: vcam_core::faults::FaultError,
    },
    /// Not a yes or no.
    #[error("{var}={value:?}: expected 1, true or yes, or 0, false or no")]
    Flag {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
    },
}

impl CameraOptions {
    /// The options of each camera named in `VCAM_MODELS` (in order; none when it is set but
    /// empty), with the card and live view from the other `VCAM_*` variables (see the
    /// [module documentation](crate::env)). Model names are checked by
    /// [`CameraOptions::build`], so one bad name costs only its own camera.
    ///
    /// # Errors
    /// A variable whose value cannot be parsed.
    pub fn from_env() -> Result<Vec<Self>, EnvError> {
        Self::from_vars(|name| std::env::var_os(name))
    }

    /// As [`CameraOptions::from_env`], reading variables through `var` (tests pass a map).
    ///
    /// # Errors
    /// A variable whose value cannot be parsed.
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Result<Vec<Self>, EnvError> {
        let get = |name: &'static str| var(name).filter(|v| !v.is_empty());
        let text = |name: &'static str| {
            get(name)
                .map(|v| {
                    v.into_string()
                        .map_err(|_| EnvError::NotUnicode { var: name })
                })
                .transpose()
        };
        let mut template = Self {
            fs: get(FS).map(PathBuf::from),
            ..Self::default()
        };
        let flag = |name: &'static str| -> Result<Option<bool>, EnvError> {
            let Some(value) = text(name)? else {
                return Ok(None);
            };
            match value.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" => Ok(Some(true)),
                "0" | "false" | "no" => Ok(Some(false)),
                _ => Err(EnvError::Flag { var: name, value }),
            }
        };
        if let Some(read_only) = flag(READ_ONLY)? {
            template.read_only = read_only;
        }
        if let Some(unpaced) = flag(LIVEVIEW_UNPACED)? {
            template.liveview.unpaced = unpaced;
        }
        if let Some(watch) = flag(WATCH)? {
            template.watch = watch;
        }
        if let Some(value) = text(LIVEVIEW_SIZE)? {
            template.liveview.size = parse_size(&value).map_err(|source| EnvError::Size {
                var: LIVEVIEW_SIZE,
                value,
                source,
            })?;
        }
        if let Some(value) = text(LIVEVIEW_FPS)? {
            template.liveview.fps = value.trim().parse().map_err(|source| EnvError::Number {
                var: LIVEVIEW_FPS,
                value,
                source,
            })?;
        }
        template.liveview.jpegs = get(LIVEVIEW_JPEGS).map(PathBuf::from);
        template.liveview.mjpeg = get(LIVEVIEW_MJPEG).map(PathBuf::from);
        if let Some(value) = text(FAULTS)? {
            template.faults =
                crate::faults::parse_fault_list(&value).map_err(|source| EnvError::Faults {
                    var: FAULTS,
                    value,
                    source,
                })?;
        }
        template.faults_file = get(FAULTS_FILE).map(PathBuf::from);
        template.control = get(CONTROL).map(PathBuf::from);
        let models = match var(MODELS) {
            None => DEFAULT_MODEL.to_string(),
            Some(v) => v
                .into_string()
                .map_err(|_| EnvError::NotUnicode { var: MODELS })?,
        };
        Ok(models
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(|name| Self {
                model: name.to_string(),
                ..template.clone()
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn parse(vars: &[(&str, &str)]) -> Result<Vec<CameraOptions>, EnvError> {
        let map: HashMap<String, OsString> = vars
            .iter()
            .map(|&(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        CameraOptions::from_vars(|name| map.get(name).cloned())
    }

    #[test]
    fn no_variables_give_the_default_camera() {
        assert_eq!(parse(&[]), Ok(vec![CameraOptions::default()]));
        assert_eq!(parse(&[(MODELS, "")]), Ok(Vec::new()));
        assert_eq!(parse(&[(FS, "")]), Ok(vec![CameraOptions::default()]));
    }

    #[test]
    fn every_camera_gets_the_shared_options() {
        let cameras = parse(&[
            (MODELS, "generic, canon_1300d,,"),
            (FS, "/card"),
            (READ_ONLY, "yes"),
            (LIVEVIEW_SIZE, "320x240"),
            (LIVEVIEW_FPS, "15"),
            (LIVEVIEW_MJPEG, "/live.mjpeg"),
            (LIVEVIEW_UNPACED, "1"),
            (WATCH, "no"),
        ])
        .unwrap();
        let models: Vec<&str> = cameras.iter().map(|c| c.model.as_str()).collect();
        assert_eq!(models, ["generic", "canon_1300d"]);
        for c in &cameras {
            assert_eq!(c.fs.as_deref(), Some(std::path::Path::new("/card")));
            assert!(c.read_only);
            assert_eq!((c.liveview.size, c.liveview.fps), ((320, 240), 15));
            assert_eq!(c.liveview.jpegs, None);
            assert!(c.liveview.mjpeg.is_some());
            assert!(c.liveview.unpaced);
            assert!(!c.watch);
        }
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = parse(&[(LIVEVIEW_SIZE, "big")]).unwrap_err();
        assert_eq!(err.to_string(), "VCAM_LIVEVIEW_SIZE=\"big\"");
        assert!(matches!(
            err,
            EnvError::Size {
                source: SizeError::Format,
                ..
            }
        ));
        assert!(matches!(
            parse(&[(LIVEVIEW_FPS, "fast")]),
            Err(EnvError::Number {
                var: LIVEVIEW_FPS,
                ..
            })
        ));
        assert!(matches!(
            parse(&[(READ_ONLY, "maybe")]),
            Err(EnvError::Flag { var: READ_ONLY, .. })
        ));
    }
}
