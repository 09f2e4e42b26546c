//! The fixed datasets: DeviceInfo, StorageInfo, ObjectInfo and StreamInfo.

use alloc::vec::Vec;

use ptp_codec::{
    AccessCapability, AssociationType, DateTime, Decode, DecodeError, DevicePropCode, Encode,
    EventCode, FilesystemType, FunctionalMode, ObjectFormatCode, OperationCode, ProtectionStatus,
    PtpString, Reader, StorageType, decode_array, read_datetime, read_string,
};

use crate::ids::{ObjectHandle, StorageId};

/// DeviceInfo (ISO 15740:2013 §5.5.1, table 6): what a device is and what it supports.
/// GetDeviceInfo returns it, also outside a session.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct DeviceInfo {
    /// StandardVersion, in hundredths (100 = PTP 1.0, 110 = PTP 1.1).
    pub standard_version: u16,
    /// VendorExtensionID (6 = Microsoft/MTP, 11 = Canon, 14 = Fujifilm, 17 = Sony, ...).
    pub vendor_extension_id: u32,
    /// VendorExtensionVersion, in hundredths.
    pub vendor_extension_version: u16,
    /// VendorExtensionDesc, for MTP `"microsoft.com: 1.0; ..."`.
    pub vendor_extension_desc: PtpString,
    /// FunctionalMode.
    pub functional_mode: FunctionalMode,
    /// OperationsSupported.
    pub operations_supported: Vec<OperationCode>,
    /// EventsSupported.
    pub events_supported: Vec<EventCode>,
    /// DevicePropertiesSupported.
    pub device_properties_supported: Vec<DevicePropCode>,
    /// CaptureFormats.
    pub capture_formats: Vec<ObjectFormatCode>,
    /// ImageFormats (the formats the device can play back or store).
    pub playback_formats: Vec<ObjectFormatCode>,
    /// Manufacturer.
    pub manufacturer: PtpString,
    /// Model.
    pub model: PtpString,
    /// DeviceVersion (firmware).
    pub device_version: PtpString,
    /// SerialNumber.
    pub serial_number: PtpString,
}

impl Decode<'_> for DeviceInfo {
    const NAME: &'static str = "DeviceInfo";
    const MIN_LEN: usize = 2 + 4 + 2 + 1 + 2 + 5 * 4 + 4;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            standard_version: r.u16("StandardVersion")?,
            vendor_extension_id: r.u32("VendorExtensionID")?,
            vendor_extension_version: r.u16("VendorExtensionVersion")?,
            vendor_extension_desc: read_string(r, "VendorExtensionDesc")?,
            functional_mode: FunctionalMode(r.u16("FunctionalMode")?),
            operations_supported: decode_array(r, "OperationsSupported")?,
            events_supported: decode_array(r, "EventsSupported")?,
            device_properties_supported: decode_array(r, "DevicePropertiesSupported")?,
            capture_formats: decode_array(r, "CaptureFormats")?,
            playback_formats: decode_array(r, "ImageFormats")?,
            manufacturer: read_string(r, "Manufacturer")?,
            model: read_string(r, "Model")?,
            device_version: read_string(r, "DeviceVersion")?,
            serial_number: read_string(r, "SerialNumber")?,
        })
    }
}

impl Encode for DeviceInfo {
    fn encode(&self, out: &mut Vec<u8>) {
        self.standard_version.encode(out);
        self.vendor_extension_id.encode(out);
        self.vendor_extension_version.encode(out);
        self.vendor_extension_desc.encode(out);
        self.functional_mode.encode(out);
        self.operations_supported.encode(out);
        self.events_supported.encode(out);
        self.device_properties_supported.encode(out);
        self.capture_formats.encode(out);
        self.playback_formats.encode(out);
        self.manufacturer.encode(out);
        self.model.encode(out);
        self.device_version.encode(out);
        self.serial_number.encode(out);
    }
}

/// StorageInfo (ISO 15740:2013 §5.6.1, table 9).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct StorageInfo {
    /// StorageType.
    pub storage_type: StorageType,
    /// FilesystemType.
    pub filesystem_type: FilesystemType,
    /// AccessCapability.
    pub access_capability: AccessCapability,
    /// MaxCapacity in bytes.
    pub max_capacity: u64,
    /// FreeSpaceInBytes.
    pub free_space_in_bytes: u64,
    /// FreeSpaceInImages (0xFFFFFFFF when not used).
    pub free_space_in_images: u32,
    /// StorageDescription.
    pub storage_description: PtpString,
    /// VolumeLabel.
    pub volume_label: PtpString,
}

impl Decode<'_> for StorageInfo {
    const NAME: &'static str = "StorageInfo";
    const MIN_LEN: usize = 28;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            storage_type: StorageType(r.u16("StorageType")?),
            filesystem_type: FilesystemType(r.u16("FilesystemType")?),
            access_capability: AccessCapability(r.u16("AccessCapability")?),
            max_capacity: r.u64("MaxCapacity")?,
            free_space_in_bytes: r.u64("FreeSpaceInBytes")?,
            free_space_in_images: r.u32("FreeSpaceInImages")?,
            storage_description: read_string(r, "StorageDescription")?,
            volume_label: read_string(r, "VolumeLabel")?,
        })
    }
}

impl Encode for StorageInfo {
    fn encode(&self, out: &mut Vec<u8>) {
        self.storage_type.encode(out);
        self.filesystem_type.encode(out);
        self.access_capability.encode(out);
        self.max_capacity.encode(out);
        self.free_space_in_bytes.encode(out);
        self.free_space_in_images.encode(out);
        self.storage_description.encode(out);
        self.volume_label.encode(out);
    }
}

/// ObjectInfo (ISO 15740:2013 §5.5.2, table 13). Sizes are 32 bits on the wire; objects of
/// 4 GiB or more report 0xFFFFFFFF (MTP's ObjectSize property carries the real size).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct ObjectInfo {
    /// StorageID.
    pub storage_id: StorageId,
    /// ObjectFormat.
    pub object_format: ObjectFormatCode,
    /// ProtectionStatus.
    pub protection_status: ProtectionStatus,
    /// ObjectCompressedSize.
    pub object_compressed_size: u32,
    /// ThumbFormat.
    pub thumb_format: ObjectFormatCode,
    /// ThumbCompressedSize.
    pub thumb_compressed_size: u32,
    /// ThumbPixWidth.
    pub thumb_pix_width: u32,
    /// ThumbPixHeight.
    pub thumb_pix_height: u32,
    /// ImagePixWidth.
    pub image_pix_width: u32,
    /// ImagePixHeight.
    pub image_pix_height: u32,
    /// ImageBitDepth.
    pub image_bit_depth: u32,
    /// ParentObject (0 for an object in the root).
    pub parent_object: ObjectHandle,
    /// AssociationType (GenericFolder for folders).
    pub association_type: AssociationType,
    /// AssociationDesc.
    pub association_desc: u32,
    /// SequenceNumber.
    pub sequence_number: u32,
    /// Filename.
    pub filename: PtpString,
    /// CaptureDate; `None` when empty or unreadable.
    pub capture_date: Option<DateTime>,
    /// ModificationDate; `None` when empty or unreadable.
    pub modification_date: Option<DateTime>,
    /// Keywords.
    pub keywords: PtpString,
}

impl ObjectInfo {
    /// Whether the object is a folder (ObjectFormat Association with type GenericFolder or
    /// undefined).
    #[must_use]
    pub fn is_folder(&self) -> bool {
        self.object_format == ObjectFormatCode::ASSOCIATION
    }
}

/// Reads a date that may be empty, malformed or missing at the very end of an ObjectInfo.
/// Initiators and cameras disagree on date formats; an unreadable date is no reason to refuse
/// an object, so it reads as unknown.
fn lenient_date(r: &mut Reader<'_>, what: &'static str) -> Result<Option<DateTime>, DecodeError> {
    if r.is_empty() {
        return Ok(None);
    }
    let mut probe = r.clone();
    match read_datetime(&mut probe, what) {
        Ok(d) => {
            *r = probe;
            Ok(d)
        }
        Err(DecodeError::Invalid { .. }) => read_string(r, what).map(|_| None),
        Err(e) => Err(e),
    }
}

impl Decode<'_> for ObjectInfo {
    const NAME: &'static str = "ObjectInfo";
    const MIN_LEN: usize = 53;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            storage_id: StorageId(r.u32("StorageID")?),
            object_format: ObjectFormatCode(r.u16("ObjectFormat")?),
            protection_status: ProtectionStatus(r.u16("ProtectionStatus")?),
            object_compressed_size: r.u32("ObjectCompressedSize")?,
            thumb_format: ObjectFormatCode(r.u16("ThumbFormat")?),
            thumb_compressed_size: r.u32("ThumbCompressedSize")?,
            thumb_pix_width: r.u32("ThumbPixWidth")?,
            thumb_pix_height: r.u32("ThumbPixHeight")?,
            image_pix_width: r.u32("ImagePixWidth")?,
            image_pix_height: r.u32("ImagePixHeight")?,
            image_bit_depth: r.u32("ImageBitDepth")?,
            parent_object: ObjectHandle(r.u32("ParentObject")?),
            association_type: AssociationType(r.u16("AssociationType")?),
            association_desc: r.u32("AssociationDesc")?,
            sequence_number: r.u32("SequenceNumber")?,
            filename: read_string(r, "Filename")?,
            capture_date: lenient_date(r, "CaptureDate")?,
            modification_date: lenient_date(r, "ModificationDate")?,
            keywords: if r.is_empty() {
                PtpString::new()
            } else {
                read_string(r, "Keywords")?
            },
        })
    }
}

impl Encode for ObjectInfo {
    fn encode(&self, out: &mut Vec<u8>) {
        self.storage_id.encode(out);
        self.object_format.encode(out);
        self.protection_status.encode(out);
        self.object_compressed_size.encode(out);
        self.thumb_format.encode(out);
        self.thumb_compressed_size.encode(out);
        self.thumb_pix_width.encode(out);
        self.thumb_pix_height.encode(out);
        self.image_pix_width.encode(out);
        self.image_pix_height.encode(out);
        self.image_bit_depth.encode(out);
        self.parent_object.encode(out);
        self.association_type.encode(out);
        self.association_desc.encode(out);
        self.sequence_number.encode(out);
        self.filename.encode(out);
        self.capture_date.encode(out);
        self.modification_date.encode(out);
        self.keywords.encode(out);
    }
}

/// StreamInfo (ISO 15740:2013 §5.5.8, PTP 1.1): how GetStream delivers a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct StreamInfo {
    /// DatasetSize: the size of this dataset (36).
    pub dataset_size: u64,
    /// TimeResolution: timestamp ticks per second.
    pub time_resolution: u64,
    /// FrameHeaderSize (0: frames have no header).
    pub frame_header_size: u32,
    /// FrameMaxSize.
    pub frame_max_size: u32,
    /// PacketHeaderSize (0: packets have no header).
    pub packet_header_size: u32,
    /// PacketMaxSize.
    pub packet_max_size: u32,
    /// PacketAlignment (0: none).
    pub packet_alignment: u32,
}

impl StreamInfo {
    /// The encoded size of the dataset.
    pub const LEN: u64 = 36;
}

impl Decode<'_> for StreamInfo {
    const NAME: &'static str = "StreamInfo";
    const MIN_LEN: usize = 36;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            dataset_size: r.u64("DatasetSize")?,
            time_resolution: r.u64("TimeResolution")?,
            frame_header_size: r.u32("FrameHeaderSize")?,
            frame_max_size: r.u32("FrameMaxSize")?,
            packet_header_size: r.u32("PacketHeaderSize")?,
            packet_max_size: r.u32("PacketMaxSize")?,
            packet_alignment: r.u32("PacketAlignment")?,
        })
    }
}

impl Encode for StreamInfo {
    fn encode(&self, out: &mut Vec<u8>) {
        self.dataset_size.encode(out);
        self.time_resolution.encode(out);
        self.frame_header_size.encode(out);
        self.frame_max_size.encode(out);
        self.packet_header_size.encode(out);
        self.packet_max_size.encode(out);
        self.packet_alignment.encode(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn object_info_round_trips_and_tolerates_odd_dates() {
        let info = ObjectInfo {
            storage_id: StorageId(0x0001_0001),
            object_format: ObjectFormatCode::EXIF_JPEG,
            object_compressed_size: 1234,
            parent_object: ObjectHandle(3),
            filename: PtpString::truncating("IMG_0001.JPG"),
            capture_date: "20261123T101500".parse().ok(),
            ..ObjectInfo::default()
        };
        let bytes = info.to_bytes();
        assert_eq!(ObjectInfo::decode_exact(&bytes).unwrap(), info);

        // Empty capture date, modification date and keywords: the last three bytes.
        let mut odd = ObjectInfo {
            capture_date: None,
            ..info
        }
        .to_bytes();
        odd.truncate(odd.len() - 3);
        PtpString::truncating("garbage").encode(&mut odd);
        odd.extend_from_slice(&[0, 0]);
        let decoded = ObjectInfo::decode_exact(&odd).unwrap();
        assert_eq!(decoded.capture_date, None);
        assert_eq!(decoded.filename, "IMG_0001.JPG");
    }

    #[test]
    fn device_info_truncated_is_an_error() {
        let info = DeviceInfo {
            standard_version: 100,
            operations_supported: vec![OperationCode::GET_DEVICE_INFO],
            ..DeviceInfo::default()
        };
        let bytes = info.to_bytes();
        assert_eq!(DeviceInfo::decode_exact(&bytes).unwrap(), info);
        for n in 0..bytes.len() {
            assert!(DeviceInfo::decode_exact(&bytes[..n]).is_err());
        }
    }
}
