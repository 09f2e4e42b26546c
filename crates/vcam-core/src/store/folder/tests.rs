//! Tests of the [`FolderStore`]: lazy handles, uploads, links, protection, changed entries,
//! long names.

use super::*;

fn store() -> (TempDir, FolderStore) {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("DCIM/100TEST")).unwrap();
    fs::write(
        dir.path().join("DCIM/100TEST/A.JPG"),
        b"\xFF\xD8\xFF\xE0 not really",
    )
    .unwrap();
    fs::write(dir.path().join("notes.txt"), b"hello").unwrap();
    let store = FolderStore::open(dir.path(), false).unwrap();
    (dir, store)
}

#[test]
fn handles_are_allocated_only_for_listed_folders() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("DCIM/100BULK");
    fs::create_dir_all(&deep).unwrap();
    for i in 0..2000 {
        fs::write(deep.join(format!("IMG_{i:05}.JPG")), b"").unwrap();
    }
    let mut s = FolderStore::open(dir.path(), false).unwrap();
    assert_eq!(s.tree.len(), 0, "opening a card visits nothing");
    let root = s
        .object_handles(CARD_STORAGE_ID, FormatFilter::Any, ParentFilter::Root)
        .unwrap();
    assert_eq!(root.len(), 1);
    assert_eq!(
        s.tree.len(),
        1,
        "listing the root allocates only the root's children"
    );
    let dcim = s
        .object_handles(
            CARD_STORAGE_ID,
            FormatFilter::Any,
            ParentFilter::In(root[0]),
        )
        .unwrap();
    let bulk = s
        .object_handles(
            CARD_STORAGE_ID,
            FormatFilter::Any,
            ParentFilter::In(dcim[0]),
        )
        .unwrap();
    assert_eq!(bulk.len(), 2000);
    assert_eq!(s.facts.len(), 0, "no file was opened to list it");
}

#[test]
fn lists_lazily_and_keeps_handles() {
    let (dir, mut s) = store();
    let all = s
        .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Any)
        .unwrap();
    assert_eq!(all.len(), 4);
    let again = s
        .object_handles(CARD_STORAGE_ID, FormatFilter::Any, ParentFilter::Any)
        .unwrap();
    assert_eq!(all, again);
    let images = s
        .object_handles(StorageId::ALL, FormatFilter::Images, ParentFilter::Any)
        .unwrap();
    assert_eq!(images.len(), 1);
    let info = s.object_info(images[0]).unwrap();
    assert_eq!(info.filename, "A.JPG");
    assert_eq!(info.object_format, ObjectFormatCode::EXIF_JPEG);
    fs::remove_file(dir.path().join("notes.txt")).unwrap();
    let after = s
        .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Root)
        .unwrap();
    assert_eq!(after.len(), 1);
    assert!(
        s.object_handles(StorageId(2), FormatFilter::Any, ParentFilter::Any)
            .is_err()
    );
}

#[test]
fn uploads_are_atomic_and_stay_inside() {
    let (dir, mut s) = store();
    let roots = s
        .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Root)
        .unwrap();
    let dcim = roots
        .into_iter()
        .find(|h| s.object_info(*h).unwrap().is_folder())
        .unwrap();
    let dest = Destination {
        storage: CARD_STORAGE_ID,
        parent: Some(dcim),
    };
    for bad in ["../evil", "/etc/x", "..", "a/b"] {
        let info = ObjectInfo {
            filename: PtpString::truncating(bad),
            ..ObjectInfo::default()
        };
        assert!(s.prepare(dest, info).is_err(), "{bad}");
    }
    let info = ObjectInfo {
        filename: PtpString::truncating("new.bin"),
        object_compressed_size: 3,
        ..ObjectInfo::default()
    };
    let pending = s.prepare(dest, info).unwrap();
    let mut up = s.begin_upload(&pending).unwrap();
    up.write(b"abc").unwrap();
    assert!(!dir.path().join("DCIM/new.bin").exists());
    let h = up.commit().unwrap();
    assert_eq!(h, pending.handle);
    assert_eq!(fs::read(dir.path().join("DCIM/new.bin")).unwrap(), b"abc");
    assert_eq!(s.object_info(h).unwrap().object_compressed_size, 3);
    // An abandoned upload leaves nothing behind.
    let info = ObjectInfo {
        filename: PtpString::truncating("gone.bin"),
        ..ObjectInfo::default()
    };
    let pending = s.prepare(dest, info).unwrap();
    let mut up = s.begin_upload(&pending).unwrap();
    up.write(b"partial").unwrap();
    drop(up);
    let names: Vec<_> = fs::read_dir(dir.path().join("DCIM"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn symlinks_out_of_the_root_are_hidden() {
    let (dir, mut s) = store();
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("passwd")).unwrap();
    std::os::unix::fs::symlink("/", dir.path().join("rootfs")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("notes.txt"), dir.path().join("inside.txt"))
        .unwrap();
    let names: Vec<String> = s
        .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Root)
        .unwrap()
        .into_iter()
        .map(|h| s.object_info(h).unwrap().filename.to_string())
        .collect();
    assert_eq!(names, ["DCIM", "inside.txt", "notes.txt"]);
}

#[test]
fn read_only_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), b"x").unwrap();
    let mut s = FolderStore::open(dir.path(), true).unwrap();
    let h = s
        .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Any)
        .unwrap()[0];
    assert_eq!(s.delete(h), Err(StoreError::ReadOnly));
    assert!(dir.path().join("a.txt").exists());
    assert_eq!(
        s.add_object(CARD_STORAGE_ID, &["DCIM"], "b.jpg", Bytes::new()),
        Err(StoreError::ReadOnly)
    );
}

#[test]
fn captures_create_folders_and_never_overwrite() {
    let (dir, mut s) = store();
    let h = s
        .add_object(
            CARD_STORAGE_ID,
            &["DCIM", "101NEW"],
            "IMG_0001.JPG",
            Bytes::from_static(b"x"),
        )
        .unwrap();
    assert!(dir.path().join("DCIM/101NEW/IMG_0001.JPG").exists());
    assert_eq!(s.object_info(h).unwrap().filename, "IMG_0001.JPG");
    assert!(matches!(
        s.add_object(
            CARD_STORAGE_ID,
            &["DCIM", "101NEW"],
            "IMG_0001.JPG",
            Bytes::from_static(b"y")
        ),
        Err(StoreError::AlreadyExists(_))
    ));
    let all = s
        .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Any)
        .unwrap();
    assert!(all.contains(&h));
}

/// Issue 15 item 9: a file replaced by a folder after the scan is another object: GetObject,
/// GetObjectInfo and the size of the old handle answer InvalidObjectHandle (never an empty
/// success or a folder's 4096 bytes), and a new listing gives the folder a new handle. The
/// same for a folder replaced by a file.
#[test]
fn an_entry_that_changed_kind_is_another_object() {
    let (dir, mut s) = store();
    let notes = s
        .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Root)
        .unwrap()
        .into_iter()
        .find(|h| s.object_info(*h).unwrap().filename == "notes.txt")
        .unwrap();
    assert_eq!(s.object_size(notes), Ok(5));
    fs::remove_file(dir.path().join("notes.txt")).unwrap();
    fs::create_dir(dir.path().join("notes.txt")).unwrap();
    let gone = Err(StoreError::InvalidObjectHandle(notes));
    assert_eq!(
        s.open(notes, 0, None).map(|d| d.len()),
        gone.clone().map(|()| 0)
    );
    assert_eq!(s.object_info(notes).map(|_| ()), gone);
    assert_eq!(s.object_size(notes).map(|_| ()), gone);
    let again = s
        .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Root)
        .unwrap();
    assert!(!again.contains(&notes));
    let folder = again
        .into_iter()
        .find(|h| s.object_info(*h).unwrap().filename == "notes.txt")
        .unwrap();
    assert!(s.object_info(folder).unwrap().is_folder());
    // And back: the folder became a file between the listing and the read.
    fs::remove_dir(dir.path().join("notes.txt")).unwrap();
    fs::write(dir.path().join("notes.txt"), b"x").unwrap();
    assert_eq!(
        s.object_info(folder).map(|_| ()),
        Err(StoreError::InvalidObjectHandle(folder))
    );
    assert_eq!(
        s.object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::In(folder)),
        Err(StoreError::InvalidParent(folder))
    );
}

/// Issue 15 item 12: a 255-character name is listed under a unique alias of at most 254
/// characters that keeps its extension, the file keeps its name on the host, reads work
/// through the alias' handle, and an upload cannot take the alias.
#[test]
fn a_255_character_name_is_listed_under_its_alias() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("{}.jpg", "L".repeat(251));
    let taken = format!("{}~1.jpg", "L".repeat(248));
    fs::write(dir.path().join(&long), b"long").unwrap();
    fs::write(dir.path().join(&taken), b"short").unwrap();
    let mut s = FolderStore::open(dir.path(), false).unwrap();
    let mut names: Vec<(String, Vec<u8>)> = s
        .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Root)
        .unwrap()
        .into_iter()
        .map(|h| {
            let name = s.object_info(h).unwrap().filename.to_string();
            let mut data = s.open(h, 0, None).unwrap();
            (name, data.read_chunk(100).unwrap().to_vec())
        })
        .collect();
    names.sort();
    let alias = format!("{}~2.jpg", "L".repeat(248));
    assert_eq!(alias.chars().count(), 254);
    assert_eq!(
        names,
        [
            (taken, b"short".to_vec()),
            (alias.clone(), b"long".to_vec())
        ]
    );
    let root = Destination {
        storage: CARD_STORAGE_ID,
        parent: None,
    };
    let info = ObjectInfo {
        filename: PtpString::truncating(&alias),
        ..ObjectInfo::default()
    };
    assert_eq!(
        s.prepare(root, info).map(|p| p.handle),
        Err(StoreError::AlreadyExists(alias))
    );
    assert!(dir.path().join(&long).exists());
}

/// A card of many files is listed without reading them, and the facts cache stays bounded
/// when every one is asked for.
#[test]
fn the_facts_cache_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..(FACTS_CACHE + 10) {
        fs::write(dir.path().join(format!("F{i:05}.JPG")), b"").unwrap();
    }
    let mut s = FolderStore::open(dir.path(), false).unwrap();
    let all = s
        .object_handles(StorageId::ALL, FormatFilter::Any, ParentFilter::Root)
        .unwrap();
    for h in all {
        s.object_info(h).unwrap();
        assert!(s.facts.len() <= FACTS_CACHE);
    }
}
