//! Operations of Android's MTP extension ("android.com: 1.0") that vcam answers: the 64-bit
//! partial read MTP itself lacks (codes from libgphoto2 `camlibs/ptp2/ptp.h`:
//! `PTP_OC_ANDROID_*`; libmtp and libgphoto2 use it for objects of 4 GiB and more).

ptp_types::ptp_codec::vendor_codes! {
    /// Android MTP extension operations.
    pub mod op: OperationCode {
        /// Part of an object at a 64-bit offset: handle, offset low and high 32 bits, most
        /// bytes; OK carries the bytes sent.
        GET_PARTIAL_OBJECT_64 = 0x95C1, "GetPartialObject64", ToInitiator, 0..=4;
    }
}

pub use op::GET_PARTIAL_OBJECT_64;
