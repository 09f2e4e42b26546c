//! PTP DateTime strings (ISO 15740:2013 §5.5.5): `YYYYMMDDThhmmss[.s][Z|+hhmm|-hhmm]`, carried
//! in a PTP string.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write as _};
use core::str::FromStr;

use crate::codec::{Decode, Encode};
use crate::error::DecodeError;
use crate::reader::Reader;
use crate::string::{PtpString, read_string};

/// The time zone suffix of a [`DateTime`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeZone {
    /// `Z`: the time is UTC.
    Utc,
    /// `+hhmm` or `-hhmm`: offset from UTC in minutes (east positive).
    Offset(i16),
}

/// A calendar date and time as PTP writes it. With no zone suffix the time is the device's
/// local time, as the standard says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// Year, 0 to 9999.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to 31.
    pub day: u8,
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute, 0 to 59.
    pub minute: u8,
    /// Second, 0 to 60 (60 for a leap second).
    pub second: u8,
    /// Tenths of a second (`.s`), when present.
    pub tenths: Option<u8>,
    /// Time zone suffix, when present.
    pub zone: Option<TimeZone>,
}

/// Why a DateTime string could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid PTP DateTime: {0}")]
pub struct DateTimeError(&'static str);

impl DateTime {
    /// The time `secs` seconds after 1970-01-01T00:00:00 UTC, as a UTC DateTime (`Z` suffix).
    #[must_use]
    pub const fn from_unix_seconds(secs: u64) -> Self {
        let days = secs / 86_400;
        let rem = secs % 86_400;
        // Civil-from-days (proleptic Gregorian), valid for every u64 day count up to year 9999.
        let z = days as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + if month <= 2 { 1 } else { 0 }) as u16;
        Self {
            year,
            month,
            day,
            hour: (rem / 3600) as u8,
            minute: ((rem % 3600) / 60) as u8,
            second: (rem % 60) as u8,
            tenths: None,
            zone: Some(TimeZone::Utc),
        }
    }

    /// Seconds since 1970-01-01T00:00:00 UTC, reading a missing zone as UTC and applying an
    /// offset when there is one. `None` before 1970.
    #[must_use]
    pub const fn to_unix_seconds(&self) -> Option<u64> {
        let y = self.year as i64 - if self.month <= 2 { 1 } else { 0 };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        let offset = match self.zone {
            Some(TimeZone::Offset(minutes)) => minutes as i64 * 60,
            _ => 0,
        };
        let secs =
            days * 86_400 + self.hour as i64 * 3600 + self.minute as i64 * 60 + self.second as i64
                - offset;
        if secs < 0 { None } else { Some(secs as u64) }
    }

    fn validate(self) -> Result<Self, DateTimeError> {
        let checks = [
            (self.year <= 9999, "year above 9999"),
            ((1..=12).contains(&self.month), "month out of range"),
            ((1..=31).contains(&self.day), "day out of range"),
            (self.hour <= 23, "hour out of range"),
            (self.minute <= 59, "minute out of range"),
            (self.second <= 60, "second out of range"),
            (self.tenths.is_none_or(|t| t <= 9), "tenths out of range"),
            (
                !matches!(self.zone, Some(TimeZone::Offset(m)) if m.unsigned_abs() >= 24 * 60),
                "zone offset out of range",
            ),
        ];
        for (ok, reason) in checks {
            if !ok {
                return Err(DateTimeError(reason));
            }
        }
        Ok(self)
    }
}

fn digits(s: &[u8], what: &'static str) -> Result<u16, DateTimeError> {
    s.iter().try_fold(0u16, |acc, &b| {
        if b.is_ascii_digit() {
            Ok(acc * 10 + u16::from(b - b'0'))
        } else {
            Err(DateTimeError(what))
        }
    })
}

impl FromStr for DateTime {
    type Err = DateTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.as_bytes();
        let field = |range: core::ops::Range<usize>, what| {
            b.get(range)
                .ok_or(DateTimeError("too short"))
                .and_then(|d| digits(d, what))
        };
        if b.get(8) != Some(&b'T') {
            return Err(DateTimeError("expected 'T' after YYYYMMDD"));
        }
        let mut dt = Self {
            year: field(0..4, "year is not numeric")?,
            month: field(4..6, "month is not numeric")? as u8,
            day: field(6..8, "day is not numeric")? as u8,
            hour: field(9..11, "hour is not numeric")? as u8,
            minute: field(11..13, "minute is not numeric")? as u8,
            second: field(13..15, "second is not numeric")? as u8,
            tenths: None,
            zone: None,
        };
        let mut rest = b.get(15..).unwrap_or_default();
        if let [b'.', t, tail @ ..] = rest {
            dt.tenths = Some(digits(&[*t], "tenths are not numeric")? as u8);
            rest = tail;
        }
        match rest {
            [] => {}
            [b'Z'] => dt.zone = Some(TimeZone::Utc),
            [sign @ (b'+' | b'-'), hhmm @ ..] if hhmm.len() == 4 => {
                let hours = digits(hhmm.get(..2).unwrap_or_default(), "zone is not numeric")?;
                let minutes = digits(hhmm.get(2..).unwrap_or_default(), "zone is not numeric")?;
                if minutes > 59 {
                    return Err(DateTimeError("zone minutes out of range"));
                }
                let total = (hours * 60 + minutes) as i16;
                dt.zone = Some(TimeZone::Offset(if *sign == b'-' { -total } else { total }));
            }
            _ => return Err(DateTimeError("unexpected characters after the time")),
        }
        dt.validate()
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}{:02}{:02}T{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )?;
        if let Some(t) = self.tenths {
            write!(f, ".{t}")?;
        }
        match self.zone {
            None => Ok(()),
            Some(TimeZone::Utc) => f.write_char('Z'),
            Some(TimeZone::Offset(m)) => {
                let sign = if m < 0 { '-' } else { '+' };
                let m = m.unsigned_abs();
                write!(f, "{sign}{:02}{:02}", m / 60, m % 60)
            }
        }
    }
}

impl Decode<'_> for DateTime {
    const NAME: &'static str = "DateTime string";
    const MIN_LEN: usize = 1;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        read_datetime(r, Self::NAME)?.ok_or_else(|| r.invalid(Self::NAME, "empty DateTime string"))
    }
}

/// Reads a DateTime string that may be empty (empty means "not known"), naming it `what`.
///
/// A few real devices add a NUL or spaces after the time; those are ignored.
pub fn read_datetime(
    r: &mut Reader<'_>,
    what: &'static str,
) -> Result<Option<DateTime>, DecodeError> {
    let at = r.position();
    let s = read_string(r, what)?;
    let trimmed = s.trim_end_matches(['\0', ' ']);
    if trimmed.is_empty() {
        return Ok(None);
    }
    trimmed
        .parse()
        .map(Some)
        .map_err(|DateTimeError(reason)| Reader::invalid_at(what, at, reason))
}

impl Encode for DateTime {
    fn encode(&self, out: &mut Vec<u8>) {
        let mut s = String::new();
        // Writing into a String cannot fail.
        let _ = write!(s, "{self}");
        // At most 22 characters: always fits a PTP string.
        PtpString::truncating(&s).encode(out);
    }
}

impl Encode for Option<DateTime> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Some(dt) => dt.encode(out),
            None => PtpString::new().encode(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn parses_every_form() {
        let dt: DateTime = "20240229T235960.5+0130".parse().unwrap();
        assert_eq!((dt.year, dt.month, dt.day), (2024, 2, 29));
        assert_eq!(
            (dt.hour, dt.minute, dt.second, dt.tenths),
            (23, 59, 60, Some(5))
        );
        assert_eq!(dt.zone, Some(TimeZone::Offset(90)));
        assert_eq!(dt.to_string(), "20240229T235960.5+0130");
        let dt: DateTime = "19991231T120000Z".parse().unwrap();
        assert_eq!(dt.zone, Some(TimeZone::Utc));
        let dt: DateTime = "20000101T000000-0800".parse().unwrap();
        assert_eq!(dt.zone, Some(TimeZone::Offset(-480)));
        assert_eq!(dt.to_string(), "20000101T000000-0800");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "2024",
            "20240101 000000",
            "20241301T000000",
            "20240101T240000",
            "20240101T000000X",
            "20240101T000000+01",
            "2024010AT000000",
            "20240101T000000.",
            "20240101T000000+0160",
        ] {
            assert!(bad.parse::<DateTime>().is_err(), "{bad}");
        }
    }

    #[test]
    fn unix_conversion_round_trips() {
        for secs in [0, 951_782_400, 1_700_000_000, 4_102_444_800] {
            let dt = DateTime::from_unix_seconds(secs);
            assert_eq!(dt.to_unix_seconds(), Some(secs), "{dt}");
        }
        assert_eq!(
            DateTime::from_unix_seconds(1_700_000_000).to_string(),
            "20231114T221320Z"
        );
    }

    #[test]
    fn codec_round_trip_and_empty() {
        let dt: DateTime = "20231114T221320".parse().unwrap();
        let bytes = dt.to_bytes();
        assert_eq!(DateTime::decode_exact(&bytes).unwrap(), dt);
        let mut r = Reader::new(&[0]);
        assert_eq!(read_datetime(&mut r, "d").unwrap(), None);
    }
}
