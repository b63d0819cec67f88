//! Bad and hostile input at the office: a tampered byte, a truncated
//! bundle, a bundle for another key, a file that is not age at all, a
//! single record instead of a bundle — each is refused with a report that
//! names the file and what is wrong (exit 3), and the sound bundles of the
//! same run still land. Inside a sound bundle, a changed, foreign,
//! missing or unexpected record is refused on its own and the rest lands.

mod office_support;
mod vault_support;

use std::path::{Path, PathBuf};

use office_support::*;
use safevisit::export::bundle;
use safevisit::export::manifest::record_file;
use safevisit::export::manifest_of;
use safevisit::store::envelope;
use safevisit::store::{FinalizedFile, Vault};

struct Setup {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    org: age::x25519::Identity,
    key: PathBuf,
    sound: PathBuf,
    other: Vault,
}

/// A sound bundle of device A (3 visits), and a second laptop B with
/// 4 finalized visits, not exported.
fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let org = age::x25519::Identity::generate();
    let mut a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    finalize(&mut a, "appelboom", 1, 3, 12);
    let sound = export(&mut a, &root);
    let mut b = laptop(&root.join("b"), "device-b", "laptop-7", &[&org]);
    finalize(&mut b, "perenstraat", 1, 4, 12);
    let key = key_file(&root, "org-key.txt", &org);
    Setup {
        _tmp: tmp,
        root,
        org,
        key,
        sound,
        other: b,
    }
}

fn write(path: &Path, bytes: &[u8]) -> PathBuf {
    std::fs::write(path, bytes).unwrap();
    path.to_path_buf()
}

/// A bundle of `files` (after `edit`), with a manifest made before the edit.
fn crafted(s: &mut Setup, name: &str, edit: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) -> PathBuf {
    let files: Vec<FinalizedFile> = s.other.finalized_records(true).unwrap();
    let dev = s.other.device();
    let manifest = manifest_of(&dev.id, &dev.name, NOW, &files);
    let mut named: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| (record_file(f.sequence), f.ciphertext.clone()))
        .collect();
    edit(&mut named);
    let refs: Vec<(String, &[u8])> = named
        .iter()
        .map(|(n, d)| (n.clone(), d.as_slice()))
        .collect();
    let sig = bundle::sign_manifest(&manifest, s.other.signing_key().unwrap()).unwrap();
    let bytes = bundle::write(
        Vec::new(),
        &[&s.org.to_public()],
        &manifest,
        Some(&sig),
        &refs,
        0,
    )
    .unwrap();
    write(&s.root.join(name), &bytes)
}

fn assert_reported(out: &std::process::Output, file: &str, what: &str) {
    let err = stderr(out);
    assert!(
        err.lines().any(|l| l.starts_with(file) && l.contains(what)),
        "no report naming {file} with {what:?} in:\n{err}"
    );
}

#[test]
fn bad_bundles_are_refused_and_sound_ones_still_land() {
    let mut s = setup();
    let sound = std::fs::read(&s.sound).unwrap();
    let mid = sound.len() / 2;

    let mut flipped = sound.clone();
    flipped[mid] ^= 0x20;
    let tampered = write(&s.root.join("tampered.age"), &flipped);
    let truncated = write(&s.root.join("truncated.age"), &sound[..sound.len() - 100]);
    let cut_in_header = write(&s.root.join("header.age"), &sound[..40]);
    let foreign = {
        let stranger = age::x25519::Identity::generate();
        let mut c = laptop(&s.root.join("c"), "device-c", "laptop-9", &[&stranger]);
        finalize(&mut c, "kersenboom", 1, 2, 5);
        let p = export(&mut c, &s.root);
        let to = s.root.join("foreign.age");
        std::fs::rename(&p, &to).unwrap();
        to
    };
    let not_age = write(&s.root.join("notes.txt"), b"Boodschappen: brood, melk\n");
    let empty = write(&s.root.join("empty.age"), b"");
    let single = {
        let files = s.other.finalized_records(true).unwrap();
        write(&s.root.join("single.age"), &files[0].ciphertext)
    };
    let office = s.root.join("kantoor");
    let out = import(
        &office,
        &[&s.key],
        &[
            &tampered,
            &truncated,
            &cut_in_header,
            &foreign,
            &s.sound,
            &not_age,
            &empty,
            &single,
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_reported(&out, "tampered.age", "fails its integrity check");
    assert_reported(&out, "truncated.age", "fails its integrity check");
    assert_reported(&out, "header.age", "cut short");
    assert_reported(&out, "foreign.age", "encrypted to another key");
    assert_reported(&out, "notes.txt", "not an age file");
    assert_reported(&out, "empty.age", "rejected");
    assert_reported(&out, "single.age", "single visit record");
    assert_eq!(
        stdout(&out).trim(),
        "3 new, 0 already imported, 7 rejected, gaps: 0"
    );
    // Only the sound bundle's visits are in the ledger.
    assert_eq!(count(&office, "SELECT count(*) FROM visits"), 3);
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM visits WHERE device_id = 'device-a'"
        ),
        3
    );
    // Every bundle is remembered, with its outcome.
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM bundles WHERE outcome = 'rejected'"
        ),
        7
    );
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM bundles WHERE outcome = 'imported'"
        ),
        1
    );
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    assert!(summary.contains("REJECTED (7)"), "{summary}");
    assert!(
        summary.contains("tampered.age: it fails its integrity check"),
        "{summary}"
    );
}

#[test]
fn bad_records_in_a_sound_bundle_are_refused_alone() {
    let mut s = setup();
    let stranger = age::x25519::Identity::generate();
    // Record 2 changed (its hash no longer matches), record 3 replaced by
    // one for another key (with a matching size and hash it would still
    // not open), record 4 missing, and a file the manifest does not list.
    let changed = crafted(&mut s, "changed.age", |files| {
        let n = files[1].1.len();
        files[1].1[n - 5] ^= 1;
    });
    let office = s.root.join("kantoor");
    let out = import(&office, &[&s.key], &[&changed]);
    assert_eq!(out.status.code(), Some(3));
    assert_reported(
        &out,
        "changed.age",
        "visit perenstraat-00002 (sequence 2): its SHA-256 differs from the manifest",
    );
    assert_eq!(count(&office, "SELECT count(*) FROM visits"), 3);
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM bundles WHERE outcome = 'partly'"
        ),
        1
    );

    // Foreign record with the manifest's hash made to fit.
    let files = s.other.finalized_records(true).unwrap();
    let dev = s.other.device();
    let mut manifest = manifest_of(&dev.id, &dev.name, NOW, &files);
    let plain = envelope::encode_record(&vault_support::small("perenstraat-00003", 3)).unwrap();
    let foreign_record = envelope::encrypt(&plain, &[&stranger.to_public()]).unwrap();
    manifest.visits[2].size = foreign_record.len() as u64;
    manifest.visits[2].sha256 = {
        use sha2::Digest;
        sha2::Sha256::digest(&foreign_record)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let refs: Vec<(String, &[u8])> = vec![
        (record_file(1), files[0].ciphertext.as_slice()),
        (record_file(2), files[1].ciphertext.as_slice()),
        (record_file(3), foreign_record.as_slice()),
        ("visits/extra.txt".to_string(), b"hallo".as_slice()),
    ];
    let sig = bundle::sign_manifest(&manifest, s.other.signing_key().unwrap()).unwrap();
    let bytes = bundle::write(
        Vec::new(),
        &[&s.org.to_public()],
        &manifest,
        Some(&sig),
        &refs,
        0,
    )
    .unwrap();
    let mixed = write(&s.root.join("mixed.age"), &bytes);
    let out = import(&office, &[&s.key], &[&mixed]);
    assert_eq!(out.status.code(), Some(3));
    assert_reported(
        &out,
        "mixed.age",
        "perenstraat-00003 (sequence 3): it does not open: this file is encrypted to another key",
    );
    assert_reported(
        &out,
        "mixed.age",
        "perenstraat-00004 (sequence 4): it is listed in the manifest but missing",
    );
    assert_reported(
        &out,
        "mixed.age",
        "file visits/extra.txt: it is not listed in the manifest",
    );
    // Visit 2 arrives now; 1, 3 and 4 came with changed.age.
    assert_eq!(
        stdout(&out).trim(),
        "1 new, 1 already imported, 3 rejected, gaps: 0"
    );
    assert_eq!(count(&office, "SELECT count(*) FROM visits"), 4);
    assert_eq!(count(&office, "SELECT count(*) FROM rejections"), 4);
}
