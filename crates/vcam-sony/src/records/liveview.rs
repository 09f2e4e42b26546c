//! The live view object 0xFFFFC002.

use ptp_codec::{Decode, DecodeError, Encode, Reader};

/// Where the JPEG starts in the live view objects vcam sends: a header of 128 bytes, as the
/// comment "perhaps handle the 128 byte header data too" in libgphoto2's
/// `camera_capture_preview` describes it.
pub const LIVEVIEW_HEADER_LEN: u32 = 128;

/// The fields of a live view object's header that clients use: the offset and size of the
/// JPEG, then the offset and size of the focus frame information (0 when absent), all
/// little-endian `u32`, from the start of the object. Sony's reference for protocol 3.00
/// bodies documents the layout; libgphoto2 reads the offset from the first field
/// (`docs/reference/vendors-wifi-sony-fuji.md` §5.6). The header is padded with zeros up to
/// the JPEG.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct LiveViewHeader {
    /// Offset of the JPEG from the start of the object.
    pub image_offset: u32,
    /// Size of the JPEG.
    pub image_size: u32,
    /// Offset of the focus frame information (0: none).
    pub focus_offset: u32,
    /// Size of the focus frame information.
    pub focus_size: u32,
}

impl LiveViewHeader {
    /// Bytes the four fields take.
    pub const FIELDS_LEN: usize = 16;

    /// The header of an object carrying a JPEG of `image_size` bytes right after a
    /// [`LIVEVIEW_HEADER_LEN`]-byte header, with no focus information.
    #[must_use]
    pub const fn for_jpeg(image_size: u32) -> Self {
        Self {
            image_offset: LIVEVIEW_HEADER_LEN,
            image_size,
            focus_offset: 0,
            focus_size: 0,
        }
    }

    /// The header bytes up to the JPEG: the fields, then zeros up to `image_offset` (the
    /// fields alone when the offset is inside them).
    #[must_use]
    pub fn prefix(&self) -> Vec<u8> {
        let mut out = self.to_bytes();
        let len = usize::try_from(self.image_offset).unwrap_or(0);
        if len > out.len() {
            out.resize(len, 0);
        }
        out
    }
}

impl Decode<'_> for LiveViewHeader {
    const NAME: &'static str = "Sony live view header";
    const MIN_LEN: usize = Self::FIELDS_LEN;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            image_offset: r.u32("image offset")?,
            image_size: r.u32("image size")?,
            focus_offset: r.u32("focus frame offset")?,
            focus_size: r.u32("focus frame size")?,
        })
    }
}

impl Encode for LiveViewHeader {
    fn encode(&self, out: &mut Vec<u8>) {
        self.image_offset.encode(out);
        self.image_size.encode(out);
        self.focus_offset.encode(out);
        self.focus_size.encode(out);
    }
}

/// A whole live view object: the header and the JPEG it points to, borrowed from the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LiveViewFrame<'a> {
    /// The header.
    pub header: LiveViewHeader,
    /// The JPEG, exactly `image_size` bytes at `image_offset`.
    pub jpeg: &'a [u8],
}

impl<'a> LiveViewFrame<'a> {
    /// Reads the header at the start of `object` and finds the JPEG by its offset and size.
    ///
    /// # Errors
    /// A header cut short, or an offset and size that point outside the object.
    pub fn parse(object: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(object);
        let header = LiveViewHeader::decode(&mut r)?;
        let start = usize::try_from(header.image_offset).unwrap_or(usize::MAX);
        let len = usize::try_from(header.image_size).unwrap_or(usize::MAX);
        let jpeg = start
            .checked_add(len)
            .and_then(|end| object.get(start..end))
            .filter(|_| start >= LiveViewHeader::FIELDS_LEN)
            .ok_or(DecodeError::Invalid {
                what: "live view image",
                offset: 0,
                reason: "offset and size point outside the object",
            })?;
        Ok(Self { header, jpeg })
    }
}

impl<'a> Decode<'a> for LiveViewFrame<'a> {
    const NAME: &'static str = "Sony live view object";
    const MIN_LEN: usize = LiveViewHeader::FIELDS_LEN;

    /// Reads the rest of the input as one object.
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Self::parse(r.rest())
    }
}

impl Encode for LiveViewFrame<'_> {
    /// The header padded to its offset, then the JPEG (focus information is not written).
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.header.prefix());
        out.extend_from_slice(self.jpeg);
    }
}
