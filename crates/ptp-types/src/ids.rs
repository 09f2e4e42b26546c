//! ObjectHandle and StorageID (ISO 15740:2013 §5.3.4 and §5.3.5).

use core::fmt;

use ptp_codec::{Decode, DecodeError, Encode, Reader};

macro_rules! id32 {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        #[repr(transparent)]
        pub struct $name(pub u32);

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:#010x})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:#010x}", self.0)
            }
        }

        impl From<u32> for $name {
            fn from(v: u32) -> Self {
                Self(v)
            }
        }

        impl From<$name> for u32 {
            fn from(v: $name) -> Self {
                v.0
            }
        }

        impl Decode<'_> for $name {
            const NAME: &'static str = $what;
            const MIN_LEN: usize = 4;
            fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                r.u32($what).map(Self)
            }
        }

        impl Encode for $name {
            fn encode(&self, out: &mut alloc::vec::Vec<u8>) {
                self.0.encode(out);
            }
        }
    };
}

id32! {
    /// A device-unique 32-bit object identifier (ISO 15740:2013 §5.3.4). 0 and 0xFFFFFFFF are
    /// reserved: 0 means "no object" (the root as a parent), 0xFFFFFFFF means "all" or "the
    /// root" as an association filter of GetObjectHandles.
    ObjectHandle, "ObjectHandle"
}

id32! {
    /// A storage identifier (ISO 15740:2013 §5.3.5): the high 16 bits name the physical store,
    /// the low 16 bits the logical store on it; a low half of 0 means "not present".
    StorageId, "StorageID"
}

impl ObjectHandle {
    /// No object; as ObjectInfo's ParentObject, the store's root.
    pub const NONE: Self = Self(0);
    /// All objects, or the root folder as GetObjectHandles' association parameter.
    pub const ALL: Self = Self(0xFFFF_FFFF);
}

impl StorageId {
    /// All storages (a parameter value of GetObjectHandles, FormatStore, ...).
    pub const ALL: Self = Self(0xFFFF_FFFF);

    /// The physical storage number (high 16 bits).
    #[must_use]
    pub const fn physical(self) -> u16 {
        (self.0 >> 16) as u16
    }

    /// The logical storage number (low 16 bits).
    #[must_use]
    pub const fn logical(self) -> u16 {
        (self.0 & 0xFFFF) as u16
    }

    /// Whether the storage is present: a logical number of 0 means the slot is empty.
    #[must_use]
    pub const fn is_present(self) -> bool {
        self.logical() != 0
    }
}
