//! PTP strings (ISO 15740:2013 §5.4.4): a `u8` count of UTF-16 code units including the
//! terminating NUL, then the UTF-16LE units. A count of 0 is the empty string.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Deref;

use crate::codec::{Decode, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::reader::Reader;

/// Most UTF-16 code units a PTP string can hold, not counting the terminating NUL.
pub const MAX_UNITS: usize = 254;

/// A string that fits a PTP string field: at most [`MAX_UNITS`] UTF-16 code units.
///
/// The limit is checked when the value is built, so encoding cannot fail and never truncates.
///
/// Decoding is lenient where real devices are sloppy and strict where the bytes cannot be
/// represented: a missing NUL terminator is accepted, unpaired UTF-16 surrogates become
/// U+FFFD, and a string of 255 units with no terminator is an error.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PtpString(String);

impl PtpString {
    /// The empty string (encoded as a single zero byte).
    #[must_use]
    pub const fn new() -> Self {
        Self(String::new())
    }

    /// The contents.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The contents as an owned `String`.
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }

    /// Builds a PTP string from the first [`MAX_UNITS`] UTF-16 units of `s`, cutting at a
    /// character boundary. For values that come from configuration, where cutting is better
    /// than failing.
    #[must_use]
    pub fn truncating(s: &str) -> Self {
        let mut units = 0;
        let mut end = 0;
        for (i, c) in s.char_indices() {
            units += c.len_utf16();
            if units > MAX_UNITS {
                break;
            }
            end = i + c.len_utf8();
        }
        Self(String::from(s.get(..end).unwrap_or_default()))
    }

    /// Number of UTF-16 code units, without the terminator.
    #[must_use]
    pub fn units(&self) -> usize {
        self.0.encode_utf16().count()
    }

    /// Bytes the encoded form takes.
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        match self.units() {
            0 => 1,
            n => 1 + 2 * (n + 1),
        }
    }
}

impl TryFrom<String> for PtpString {
    type Error = EncodeError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        let len = s.encode_utf16().count();
        if len > MAX_UNITS {
            Err(EncodeError::TooLong {
                what: "PTP string (UTF-16 units)",
                len,
                max: MAX_UNITS,
            })
        } else {
            Ok(Self(s))
        }
    }
}

impl TryFrom<&str> for PtpString {
    type Error = EncodeError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::try_from(String::from(s))
    }
}

impl From<PtpString> for String {
    fn from(s: PtpString) -> Self {
        s.0
    }
}

impl Deref for PtpString {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for PtpString {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for PtpString {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for PtpString {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Debug for PtpString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for PtpString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Decode<'_> for PtpString {
    const NAME: &'static str = "PTP string";
    const MIN_LEN: usize = 1;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        read_string(r, Self::NAME)
    }
}

/// Reads a PTP string, naming it `what` in errors.
pub fn read_string(r: &mut Reader<'_>, what: &'static str) -> Result<PtpString, DecodeError> {
    let at = r.position();
    let count = usize::from(r.u8(what)?);
    let bytes = r.take(2 * count, what)?;
    let (pairs, _) = bytes.as_chunks::<2>();
    let mut units: Vec<u16> = pairs.iter().map(|pair| u16::from_le_bytes(*pair)).collect();
    if units.last() == Some(&0) {
        units.pop();
    } else if units.len() > MAX_UNITS {
        return Err(Reader::invalid_at(
            what,
            at,
            "255 UTF-16 units without a NUL terminator",
        ));
    }
    Ok(PtpString(String::from_utf16_lossy(&units)))
}

impl Encode for PtpString {
    fn encode(&self, out: &mut Vec<u8>) {
        let units = self.units();
        if units == 0 {
            out.push(0);
            return;
        }
        // The constructor guarantees units <= MAX_UNITS, so units + 1 fits a u8.
        out.push(u8::try_from(units + 1).unwrap_or(u8::MAX));
        for unit in self.0.encode_utf16().chain(core::iter::once(0)) {
            out.extend_from_slice(&unit.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn encodes_count_including_nul() {
        let s = PtpString::try_from("Canon").unwrap();
        assert_eq!(
            s.to_bytes(),
            vec![6, b'C', 0, b'a', 0, b'n', 0, b'o', 0, b'n', 0, 0, 0]
        );
        assert_eq!(PtpString::new().to_bytes(), vec![0]);
        assert_eq!(s.encoded_len(), 13);
    }

    #[test]
    fn decodes_with_and_without_terminator() {
        assert_eq!(PtpString::decode_exact(&[2, b'A', 0, 0, 0]).unwrap(), "A");
        assert_eq!(PtpString::decode_exact(&[1, b'A', 0]).unwrap(), "A");
        assert_eq!(PtpString::decode_exact(&[0]).unwrap(), "");
        assert_eq!(PtpString::decode_exact(&[1, 0, 0]).unwrap(), "");
    }

    #[test]
    fn rejects_overlong_strings() {
        let long: String = core::iter::repeat_n('x', 255).collect();
        assert!(PtpString::try_from(long.as_str()).is_err());
        assert_eq!(PtpString::truncating(&long).units(), MAX_UNITS);
        let mut bytes = vec![255u8];
        bytes.extend(core::iter::repeat_n([b'x', 0], 255).flatten());
        assert!(matches!(
            PtpString::decode_exact(&bytes),
            Err(DecodeError::Invalid { offset: 0, .. })
        ));
    }

    #[test]
    fn truncating_respects_surrogate_pairs() {
        let s: String = core::iter::repeat_n('\u{1F4F7}', 200).collect();
        let t = PtpString::truncating(&s);
        assert_eq!(t.units(), 254);
        assert_eq!(t.chars().count(), 127);
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let s = PtpString::decode_exact(&[2, 0x00, 0xd8, 0, 0]).unwrap();
        assert_eq!(s, "\u{fffd}");
    }
}
