//! Responder CPU per listed object, for a folder of many files, the way each model's clients
//! list it: the PTP camera (GetObjectHandles, then GetObjectInfo of every object, as libgphoto2
//! does), the Canon EOS body (one GetObjectInfoEx, streamed) and the MTP camera (one
//! GetObjectPropList of the folder, streamed). In process, through the responder, with the
//! data phases read and dropped; throughput is objects per second, so the time per object is
//! its inverse. The files are sparse 1 MiB JPEG names with no content (on /dev/shm when there
//! is one), so every file is opened and its first bytes read, as a real listing does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ptp_codec::{Decode, OperationCode, ResponseCode};
use vcam_testkit::cam::Cam;

const FILES: usize = 10_000;
const STORAGE: u32 = 0x0001_0001;
/// DCIM/100CANON on a fresh camera: the root lists DCIM (1), DCIM lists it (2).
const FOLDER: u32 = 2;
const GET_OBJECT_INFO_EX: OperationCode = OperationCode(0x9109);

fn card() -> tempfile::TempDir {
    vcam_testkit::card::sparse_pictures("DCIM/100CANON", FILES)
}

/// A camera of `model` with the folder listed once (handles 1 and 2 allocated).
fn camera(model: &str, card: &Path) -> Cam {
    let mut cam = Cam::model(model, card);
    assert_eq!(cam.handles().len(), FILES + 2);
    cam
}

/// Runs a transaction, dropping its data phase; returns the bytes it had.
fn drain(cam: &mut Cam, code: OperationCode, params: &[u32]) -> usize {
    let tid = cam.next_tid(code);
    let mut bytes = 0;
    let (rc, _) = cam.stream(code, tid, params, None, |piece| {
        bytes += black_box(piece).len();
    });
    assert_eq!(rc, ResponseCode::OK, "{code:?}");
    bytes
}

fn bench(c: &mut Criterion) {
    let card = card();
    let mut group = c.benchmark_group(format!("listing_{FILES}_files"));
    group.throughput(Throughput::Elements(FILES as u64));
    group.sample_size(10);

    let mut ptp = camera("generic", card.path());
    group.bench_function("generic_handles_then_object_info_each", |b| {
        b.iter(|| {
            let a = ptp.run(OperationCode::GET_OBJECT_HANDLES, &[STORAGE, 0, FOLDER]);
            let handles = Vec::<u32>::decode_exact(&a.data).unwrap();
            for h in handles {
                drain(&mut ptp, OperationCode::GET_OBJECT_INFO, &[h]);
            }
        });
    });

    let mut eos = camera("canon_1300d", card.path());
    group.bench_function("canon_1300d_get_object_info_ex", |b| {
        b.iter(|| drain(&mut eos, GET_OBJECT_INFO_EX, &[STORAGE, FOLDER, 0x10_0000]));
    });

    let mut mtp = camera("mtp_camera", card.path());
    group.bench_function("mtp_camera_get_object_prop_list", |b| {
        b.iter(|| {
            drain(
                &mut mtp,
                OperationCode::GET_OBJECT_PROP_LIST,
                &[FOLDER, 0, 0xFFFF_FFFF, 0, 1],
            )
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
