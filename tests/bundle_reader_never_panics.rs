//! Whatever a file holds, the bundle and manifest readers give an answer
//! or an error, never a panic: arbitrary bytes, real bundles with bytes
//! flipped, cut, inserted or removed, and — behind a valid age layer, so
//! that the tar reader and the manifest parser see them — arbitrary and
//! mutated archives. A mutated bundle through the whole import never panics
//! either, and never leaves a half-imported bundle.

mod office_support;
mod vault_support;

use std::sync::OnceLock;

use proptest::prelude::*;
use safevisit::export::bundle::{self, BundleError};
use safevisit::export::manifest::{self, Manifest, record_file};
use safevisit::supervisor::{BundleOutcome, Identity, Office};

struct Fixture {
    key: age::x25519::Identity,
    /// A real bundle of three visits.
    bundle: Vec<u8>,
    /// Its plaintext: the tar archive.
    tar: Vec<u8>,
    /// Its manifest.json.
    manifest: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let key = age::x25519::Identity::generate();
        let mut vault =
            office_support::laptop(&tmp.path().join("v"), "device-a", "laptop-3", &[&key]);
        office_support::finalize(&mut vault, "appelboom", 1, 3, 4);
        let files = vault.finalized_records(true).unwrap();
        let dev = vault.device();
        let m = safevisit::export::manifest_of(&dev.id, &dev.name, office_support::NOW, &files);
        let named: Vec<(String, &[u8])> = files
            .iter()
            .map(|f| (record_file(f.sequence), f.ciphertext.as_slice()))
            .collect();
        let sig = bundle::sign_manifest(&m, vault.signing_key().unwrap()).unwrap();
        let bundle =
            bundle::write(Vec::new(), &[&key.to_public()], &m, Some(&sig), &named, 0).unwrap();
        let tar = {
            let d = age::Decryptor::new_buffered(&bundle[..]).unwrap();
            let mut r = d
                .decrypt(std::iter::once(&key as &dyn age::Identity))
                .unwrap();
            let mut v = Vec::new();
            std::io::Read::read_to_end(&mut r, &mut v).unwrap();
            v
        };
        Fixture {
            key,
            bundle,
            tar,
            manifest: m.to_json(),
        }
    })
}

/// Read a whole bundle; the number of record files, or the error.
fn read(bytes: &[u8], key: &age::x25519::Identity) -> Result<usize, BundleError> {
    let mut b = bundle::open(bytes, &[key])?;
    let mut n = 0;
    while b.next_file()?.is_some() {
        n += 1;
    }
    Ok(n)
}

fn encrypt(plain: &[u8], key: &age::x25519::Identity) -> Vec<u8> {
    safevisit::store::envelope::encrypt(plain, &[&key.to_public()]).unwrap()
}

#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Cut(usize),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(i, x)| Edit::Flip(i, x)),
        any::<usize>().prop_map(Edit::Cut),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..64))
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<usize>(), 1usize..600).prop_map(|(i, n)| Edit::Remove(i, n)),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = bytes.len().max(1);
        match e {
            Edit::Flip(i, x) => {
                if !bytes.is_empty() {
                    let i = i % len;
                    bytes[i] ^= x;
                }
            }
            Edit::Cut(i) => bytes.truncate(i % len),
            Edit::Insert(i, b) => {
                let i = i % (bytes.len() + 1);
                bytes.splice(i..i, b.iter().copied());
            }
            Edit::Remove(i, n) => {
                if !bytes.is_empty() {
                    let i = i % len;
                    let end = (i + n).min(bytes.len());
                    bytes.drain(i..end);
                }
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let f = fixture();
        prop_assert!(read(&bytes, &f.key).is_err());
        let _ = Manifest::parse(&bytes);
    }

    #[test]
    fn edited_bundles(edits in prop::collection::vec(edit(), 1..4)) {
        let f = fixture();
        let bytes = apply(f.bundle.clone(), &edits);
        let result = read(&bytes, &f.key);
        // age authenticates every byte: an edited bundle never reads whole,
        // unless the edits undid each other.
        if bytes != f.bundle {
            prop_assert!(result.is_err());
        }
    }

    #[test]
    fn edited_archives_behind_a_valid_age_layer(edits in prop::collection::vec(edit(), 1..4)) {
        let f = fixture();
        let tar = apply(f.tar.clone(), &edits);
        let _ = read(&encrypt(&tar, &f.key), &f.key);
    }

    #[test]
    fn arbitrary_archives_behind_a_valid_age_layer(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let f = fixture();
        prop_assert!(read(&encrypt(&bytes, &f.key), &f.key).is_err());
    }

    #[test]
    fn edited_manifests(edits in prop::collection::vec(edit(), 1..4)) {
        let f = fixture();
        let _ = Manifest::parse(&apply(f.manifest.clone(), &edits));
    }

    #[test]
    fn manifests_with_arbitrary_values(
        id in "\\PC{0,80}", name in "\\PC{0,80}", seq in any::<u64>(), size in any::<u64>(),
        sha in "[0-9a-fA-F]{0,70}", version in any::<u64>(), stamp in "\\PC{0,25}",
    ) {
        let text = serde_json::json!({
            "format": manifest::FORMAT, "version": version,
            "device": { "id": id, "name": name },
            "created_at": stamp,
            "visits": [{ "id": id, "sequence": seq, "file": record_file(seq.max(1)), "size": size,
                         "sha256": sha, "finalized_at": stamp, "checklists": [] }],
        });
        let _ = Manifest::parse(text.to_string().as_bytes());
    }
}

proptest! {
    // The whole import (ledger included) is slower: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn edited_archives_through_the_whole_import(edits in prop::collection::vec(edit(), 1..3)) {
        let f = fixture();
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("bundel.age");
        std::fs::write(&path, encrypt(&apply(f.tar.clone(), &edits), &f.key)).unwrap();
        let mut office = Office::open(&tmp.path().join("kantoor")).unwrap();
        office.set_policy(safevisit::supervisor::ImportPolicy { allow_unsigned: true, ..Default::default() });
        let ids: Vec<Identity> = vec![Box::new(f.key.clone())];
        let report = office.import_bundle(&path, &ids, office_support::NOW, &()).unwrap();
        let visits: i64 = office
            .ledger()
            .conn()
            .one("SELECT count(*) FROM visits", safevisit::p![])
            .unwrap();
        match report.outcome {
            BundleOutcome::Rejected(_) => prop_assert_eq!(visits, 0),
            _ => prop_assert_eq!(visits as u64, report.new),
        }
        office.write_outputs(safevisit::i18n::Lang::En).unwrap();
    }
}
