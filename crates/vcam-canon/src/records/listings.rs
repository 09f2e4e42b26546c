//! The listings: GetDeviceInfoEx (0x9108) and GetObjectInfoEx (0x9109) entries.

use ptp_codec::{
    Decode, DecodeError, Encode, LengthPrefixed, ObjectFormatCode, Reader, decode_array,
    read_length_prefixed,
};
use vcam_core::ptp_types::{ObjectHandle, StorageId};

use super::read_name;
use crate::codes::EventType;

/// GetDeviceInfoEx (0x9108) data: `u32 size` (size included), then three `u32` arrays: the
/// GetEvent record types, the EOS properties and a third list (`ptp_unpack_EOS_DI`,
/// ptp-pack.c; libgphoto2 calls it `unk`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceInfoEx {
    /// The GetEvent record types the body sends.
    pub events_supported: Vec<EventType>,
    /// The EOS properties the body reports through GetEvent (each a `u32` on the wire).
    pub device_properties_supported: Vec<u32>,
    /// The third list (vcam sends `[1]`).
    pub unknown: Vec<u32>,
}

impl Decode<'_> for DeviceInfoEx {
    const NAME: &'static str = "EOS DeviceInfoEx";
    const MIN_LEN: usize = 16;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut body = read_length_prefixed(r, "EOS DeviceInfoEx")?;
        Ok(Self {
            events_supported: decode_array(&mut body, "DeviceInfoEx events")?,
            device_properties_supported: decode_array(&mut body, "DeviceInfoEx properties")?,
            unknown: decode_array(&mut body, "DeviceInfoEx third list")?,
        })
    }
}

impl Encode for DeviceInfoEx {
    fn encode(&self, out: &mut Vec<u8>) {
        let mut rec = LengthPrefixed::new(out);
        self.events_supported.encode(&mut rec);
        self.device_properties_supported.encode(&mut rec);
        self.unknown.encode(&mut rec);
    }
}

/// Length of the file name field of a [`FolderEntry`].
const FOLDER_ENTRY_NAME_LEN: usize = 16;

/// One entry of GetObjectInfoEx (0x9109) data, which is a PTP array of them (`u32 count`,
/// entries): a 56-byte record `u32 size, u32 handle, u32 storage, u16 format, u16 0, u32 0,
/// u32 flags, u32 size, u32 0, u32 parent, 16-byte file name, u32 time` (libgphoto2 `ptp.c`:
/// `ptp_canon_eos_getobjectinfoex`; `ptp-pack.c`: `ptp_unpack_Canon_EOS_FE`). The words vcam
/// writes as 0 are skipped when read; longer entries are accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderEntry {
    /// The object.
    pub handle: ObjectHandle,
    /// Its storage.
    pub storage: StorageId,
    /// ObjectFormat.
    pub format: ObjectFormatCode,
    /// [`FolderEntry::FOLDER`] or [`FolderEntry::FILE`], plus [`FolderEntry::READ_ONLY`].
    pub flags: u32,
    /// Size in bytes.
    pub size: u32,
    /// Its parent folder.
    pub parent: ObjectHandle,
    /// File name, at most 15 bytes (longer names are cut when written).
    pub name: String,
    /// Modification time, seconds since 1970.
    pub time: u32,
}

impl FolderEntry {
    /// Bytes an entry takes on the wire, its size word included (every entry has this size).
    pub const LEN: usize = 56;

    /// Flag of a folder.
    pub const FOLDER: u32 = 0x10;
    /// Flag of a file.
    pub const FILE: u32 = 0x20;
    /// Flag of a protected object.
    pub const READ_ONLY: u32 = 0x01;
}

impl Decode<'_> for FolderEntry {
    const NAME: &'static str = "EOS folder entry";
    const MIN_LEN: usize = 56;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut e = read_length_prefixed(r, "EOS folder entry")?;
        let handle = ObjectHandle::decode(&mut e)?;
        let storage = StorageId::decode(&mut e)?;
        let format = ObjectFormatCode::decode(&mut e)?;
        e.take(6, "folder entry reserved")?;
        let flags = e.u32("folder entry flags")?;
        let size = e.u32("folder entry size")?;
        e.take(4, "folder entry reserved")?;
        let parent = ObjectHandle::decode(&mut e)?;
        let mut name = Reader::new(e.take(FOLDER_ENTRY_NAME_LEN, "folder entry name")?);
        let name = read_name(&mut name);
        let time = e.u32("folder entry time")?;
        Ok(Self {
            handle,
            storage,
            format,
            flags,
            size,
            parent,
            name,
            time,
        })
    }
}

impl Encode for FolderEntry {
    fn encode(&self, out: &mut Vec<u8>) {
        let mut rec = LengthPrefixed::new(out);
        self.handle.encode(&mut rec);
        self.storage.encode(&mut rec);
        self.format.encode(&mut rec);
        rec.extend_from_slice(&[0; 6]);
        self.flags.encode(&mut rec);
        self.size.encode(&mut rec);
        rec.extend_from_slice(&[0; 4]);
        self.parent.encode(&mut rec);
        let mut name = [0u8; FOLDER_ENTRY_NAME_LEN];
        for (dst, src) in name
            .iter_mut()
            .zip(self.name.bytes().take(FOLDER_ENTRY_NAME_LEN - 1))
        {
            *dst = src;
        }
        rec.extend_from_slice(&name);
        self.time.encode(&mut rec);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_folder_entry_has_the_same_length() {
        for name in ["", "IMG_0001.JPG", "a name longer than the field"] {
            let entry = FolderEntry {
                handle: ObjectHandle(7),
                storage: StorageId(0x0001_0001),
                format: ObjectFormatCode(0x3801),
                flags: FolderEntry::FILE,
                size: u32::MAX,
                parent: ObjectHandle(2),
                name: name.into(),
                time: 1,
            };
            assert_eq!(entry.to_bytes().len(), FolderEntry::LEN, "{name:?}");
        }
    }
}
