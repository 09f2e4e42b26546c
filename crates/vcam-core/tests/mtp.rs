//! The MTP operations of the `mtp_camera` model, driven directly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;

use common::card;
use vcam_core::ptp_types::{
    Decode, DeviceInfo, Encode, ObjectFormatCode, ObjectHandle, ObjectPropCode as P,
    ObjectPropDesc, ObjectPropList, ObjectPropValue, OperationCode as Op, PropValue, PtpString,
    ResponseCode as Rc,
};
use vcam_testkit::cam::Cam;

#[test]
fn device_info_says_mtp() {
    let dir = card();
    let mut cam = Cam::model("mtp_camera", dir.path());
    let info = DeviceInfo::decode_exact(&cam.run(Op::GET_DEVICE_INFO, &[]).data).unwrap();
    assert_eq!(info.vendor_extension_id, 6);
    assert_eq!(
        info.vendor_extension_desc,
        "microsoft.com: 1.0; android.com: 1.0;"
    );
    assert!(
        info.operations_supported
            .contains(&Op::GET_OBJECT_PROP_LIST)
    );
}

#[test]
fn object_properties() {
    let dir = card();
    let mut cam = Cam::model("mtp_camera", dir.path());
    let supported =
        Vec::<P>::decode_exact(&cam.run(Op::GET_OBJECT_PROPS_SUPPORTED, &[0x3801]).data).unwrap();
    assert!(supported.contains(&P::OBJECT_FILE_NAME) && supported.contains(&P::WIDTH));
    let desc =
        ObjectPropDesc::decode_exact(&cam.run(Op::GET_OBJECT_PROP_DESC, &[0xDC07, 0x3000]).data)
            .unwrap();
    assert_eq!(desc.code, P::OBJECT_FILE_NAME);
    assert_eq!(
        cam.run(Op::GET_OBJECT_PROP_DESC, &[0xDCFF, 0x3000]).code,
        Rc::INVALID_OBJECT_PROP_CODE
    );

    let all = ObjectPropList::decode_exact(
        &cam.run(
            Op::GET_OBJECT_PROP_LIST,
            &[0xFFFF_FFFF, 0, 0xFFFF_FFFF, 0, 0xFFFF_FFFF],
        )
        .data,
    )
    .unwrap();
    let big = all
        .elements
        .iter()
        .find(|e| {
            e.code == P::OBJECT_FILE_NAME
                && e.value == PropValue::Str(PtpString::truncating("BIG.BIN"))
        })
        .unwrap()
        .handle;
    assert_eq!(
        all.get(big, P::OBJECT_SIZE),
        Some(&PropValue::UInt64(3_000_000))
    );
    assert_eq!(
        all.get(big, P::OBJECT_FORMAT),
        Some(&PropValue::UInt16(ObjectFormatCode::UNDEFINED.0))
    );

    let one = cam.run(Op::GET_OBJECT_PROP_VALUE, &[big.0, 0xDC04]);
    assert_eq!(one.data, 3_000_000u64.to_le_bytes());
    assert_eq!(
        cam.run(Op::GET_OBJECT_PROP_LIST, &[big.0, 0, 0, 7, 0]).code,
        Rc::SPECIFICATION_BY_GROUP_UNSUPPORTED
    );
    assert_eq!(
        cam.run(Op::GET_OBJECT_PROP_LIST, &[big.0, 0, 0xFFFF_FFFF, 0, 5])
            .code,
        Rc::SPECIFICATION_BY_DEPTH_UNSUPPORTED
    );

    // Rename through ObjectFileName; other properties are read-only.
    let name = PropValue::Str(PtpString::truncating("RENAMED.BIN")).to_bytes();
    assert_eq!(
        cam.send(Op::SET_OBJECT_PROP_VALUE, &[big.0, 0xDC07], &name)
            .code,
        Rc::OK
    );
    assert!(dir.path().join("DCIM/100VCAM/RENAMED.BIN").exists());
    let bad = PropValue::Str(PtpString::truncating("../x")).to_bytes();
    assert_eq!(
        cam.send(Op::SET_OBJECT_PROP_VALUE, &[big.0, 0xDC07], &bad)
            .code,
        Rc::INVALID_OBJECT_PROP_VALUE
    );
    assert_eq!(
        cam.send(Op::SET_OBJECT_PROP_VALUE, &[big.0, 0xDC04], &[0; 8])
            .code,
        Rc::ACCESS_DENIED
    );

    // References.
    assert_eq!(
        cam.run(Op::GET_OBJECT_REFERENCES, &[big.0]).data,
        0u32.to_le_bytes()
    );
    let refs = vec![big.0].to_bytes();
    assert_eq!(
        cam.send(Op::SET_OBJECT_REFERENCES, &[big.0], &refs).code,
        Rc::OK
    );
    assert_eq!(
        Vec::<u32>::decode_exact(&cam.run(Op::GET_OBJECT_REFERENCES, &[big.0]).data).unwrap(),
        [big.0]
    );
    assert_eq!(
        cam.send(
            Op::SET_OBJECT_REFERENCES,
            &[big.0],
            &vec![0xDEADu32].to_bytes()
        )
        .code,
        Rc::INVALID_OBJECT_REFERENCE
    );
}

#[test]
fn send_object_prop_list_then_send_object() {
    let dir = card();
    let mut cam = Cam::model("mtp_camera", dir.path());
    let dcim = cam.find("DCIM").unwrap();
    let payload = b"sent with SendObjectPropList".to_vec();
    let list = ObjectPropList {
        elements: vec![ObjectPropValue {
            handle: ObjectHandle(0),
            code: P::OBJECT_FILE_NAME,
            value: PropValue::Str(PtpString::truncating("MTP.TXT")),
        }],
    };
    let a = cam.send(
        Op::SEND_OBJECT_PROP_LIST,
        &[0x0001_0001, dcim, 0x3004, 0, payload.len() as u32],
        &list.to_bytes(),
    );
    assert_eq!(a.code, Rc::OK);
    assert_eq!(a.params[..2], [0x0001_0001, dcim]);
    assert_eq!(cam.send(Op::SEND_OBJECT, &[], &payload).code, Rc::OK);
    assert_eq!(fs::read(dir.path().join("DCIM/MTP.TXT")).unwrap(), payload);
    assert_eq!(cam.info(a.params[2]).filename, "MTP.TXT");
}
