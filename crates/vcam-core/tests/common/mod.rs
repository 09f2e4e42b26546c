//! Drives a responder as a transport would, for the integration tests.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::fs;
use std::time::{Duration, SystemTime};

use vcam_core::ptp_types::ptp_codec::Params;
use vcam_core::ptp_types::{
    Decode, EventCode, ObjectInfo, OperationCode as Op, ResponseCode as Rc,
};
use vcam_core::{
    CameraModel, DataHint, FolderStore, NoVendor, Output, Request, Responder, SyntheticFrames,
    generic,
};

pub struct Cam {
    pub r: Responder,
    pub now: SystemTime,
    pub tid: u32,
}

pub struct Answer {
    pub code: Rc,
    pub params: Vec<u32>,
    pub data: Vec<u8>,
}

impl Cam {
    pub fn new(store: FolderStore) -> Self {
        Self::with_model(generic::generic(), store)
    }

    pub fn with_model(model: CameraModel, store: FolderStore) -> Self {
        let r = Responder::new(
            model,
            Box::new(NoVendor),
            Box::new(store),
            Box::new(SyntheticFrames::new(320, 240, 30)),
        );
        Self {
            r,
            now: SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
            tid: 0,
        }
    }

    pub fn open(dir: &std::path::Path) -> Self {
        Self::open_model(generic::generic(), dir)
    }

    pub fn open_model(model: CameraModel, dir: &std::path::Path) -> Self {
        let mut cam = Self::with_model(model, FolderStore::open(dir, false).unwrap());
        assert_eq!(cam.run_tid(Op::OPEN_SESSION, 0, &[1], None).code, Rc::OK);
        cam
    }

    pub fn run_tid(&mut self, code: Op, tid: u32, params: &[u32], data: Option<&[u8]>) -> Answer {
        let hint = if data.is_some() {
            DataHint::DataOut
        } else {
            DataHint::NoDataOut
        };
        self.r.handle_request(
            self.now,
            Request::new(code, tid, Params::try_from(params).unwrap()),
            hint,
        );
        if let Some(bytes) = data {
            self.r
                .handle_data_start(self.now, tid, Some(bytes.len() as u64));
            for chunk in bytes.chunks(1000) {
                self.r.handle_data(self.now, chunk);
            }
            self.r.handle_data_end(self.now);
        }
        let mut out = Vec::new();
        loop {
            match self
                .r
                .poll_output()
                .expect("the responder answers every request")
            {
                Output::DataStart {
                    transaction_id,
                    total_len,
                    ..
                } => {
                    assert_eq!(transaction_id, tid);
                    out.reserve(total_len as usize);
                }
                Output::Data { bytes, .. } => out.extend_from_slice(&bytes),
                Output::Response {
                    code,
                    transaction_id,
                    params,
                } => {
                    assert_eq!(transaction_id, tid, "TransactionID echoed");
                    assert!(self.r.poll_output().is_none());
                    return Answer {
                        code,
                        params: params.to_vec(),
                        data: out,
                    };
                }
            }
        }
    }

    pub fn run(&mut self, code: Op, params: &[u32]) -> Answer {
        self.tid += 1;
        self.run_tid(code, self.tid, params, None)
    }

    pub fn send(&mut self, code: Op, params: &[u32], data: &[u8]) -> Answer {
        self.tid += 1;
        self.run_tid(code, self.tid, params, Some(data))
    }

    pub fn events(&mut self) -> Vec<(EventCode, Vec<u32>)> {
        std::iter::from_fn(|| self.r.poll_event())
            .map(|e| (e.code, e.params.to_vec()))
            .collect()
    }

    pub fn handles(&mut self) -> Vec<u32> {
        let a = self.run(Op::GET_OBJECT_HANDLES, &[0xFFFF_FFFF]);
        assert_eq!(a.code, Rc::OK);
        Vec::<u32>::decode_exact(&a.data).unwrap()
    }

    pub fn info(&mut self, h: u32) -> ObjectInfo {
        let a = self.run(Op::GET_OBJECT_INFO, &[h]);
        assert_eq!(a.code, Rc::OK);
        ObjectInfo::decode_exact(&a.data).unwrap()
    }

    pub fn find(&mut self, name: &str) -> Option<u32> {
        self.handles()
            .into_iter()
            .find(|&h| self.info(h).filename == name)
    }
}

pub fn card() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("DCIM/100VCAM")).unwrap();
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    fs::write(dir.path().join("DCIM/100VCAM/BIG.BIN"), &big).unwrap();
    fs::write(dir.path().join("README.TXT"), b"hello card").unwrap();
    dir
}
