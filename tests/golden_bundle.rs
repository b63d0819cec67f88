//! The bundle format's test vector (docs/FORMATS.md, "Bundles"):
//! `tests/fixtures/bundle-v1.age` decrypts with `test-org-key.txt` to
//! exactly `bundle-v1.tar`, whose manifest lists the fixture record
//! `record-v1.age` unchanged; and this program still imports it.

mod office_support;
mod vault_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use safevisit::export::bundle;
use safevisit::export::manifest::Manifest;
use safevisit::export::tar::TarReader;
use safevisit::store::envelope::decode_record;
use safevisit::supervisor::{BundleOutcome, Identity, Office, keys};
use safevisit::visit::report::{Status, visit_json_bytes};
use sha2::Digest;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn key() -> age::x25519::Identity {
    let text = std::fs::read_to_string(fixture("test-org-key.txt")).unwrap();
    text.lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn the_bundle_decrypts_to_the_archive_and_the_archive_holds_the_record_unchanged() {
    let sealed = std::fs::read(fixture("bundle-v1.age")).unwrap();
    let tar = std::fs::read(fixture("bundle-v1.tar")).unwrap();
    let record = std::fs::read(fixture("record-v1.age")).unwrap();
    assert!(sealed.starts_with(b"age-encryption.org/v1\n-> X25519 "));
    let plain = safevisit::store::envelope::decrypt(&sealed, &[&key()], 1 << 20).unwrap();
    assert_eq!(plain.as_slice(), tar.as_slice());

    let mut files = TarReader::new(tar.as_slice());
    let first = files.next_file(1 << 20).unwrap().unwrap();
    assert_eq!(first.name, safevisit::export::manifest::NAME);
    let m = Manifest::parse(&first.data).unwrap();
    assert_eq!(m.format, "safevisit-bundle");
    assert_eq!(m.version, 1);
    assert_eq!(m.device.id, "fixture-device");
    assert_eq!(m.visits.len(), 1);
    let v = &m.visits[0];
    assert_eq!(v.id, "fixture-kersenboom-1");
    assert_eq!(v.file, "visits/00000001.visit.age");
    let second = files.next_file(1 << 20).unwrap().unwrap();
    assert_eq!(second.name, v.file);
    assert_eq!(second.data, record);
    assert_eq!(v.size, record.len() as u64);
    let sha: String = sha2::Sha256::digest(&record)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v.sha256, sha);
    assert!(files.next_file(1 << 20).unwrap().is_none());

    // The streaming reader gives the same.
    let mut opened = bundle::open(sealed.as_slice(), &[&key()]).unwrap();
    assert_eq!(opened.manifest, m);
    assert_eq!(opened.next_file().unwrap().unwrap().data, record);
    assert!(opened.next_file().unwrap().is_none());
}

#[test]
fn the_standard_age_tool_opens_the_bundle() {
    office_support::require_age();
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(fixture("test-org-key.txt"))
        .arg(fixture("bundle-v1.age"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, std::fs::read(fixture("bundle-v1.tar")).unwrap());
}

#[test]
fn this_program_imports_the_fixture_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let mut office = Office::open(&tmp.path().join("kantoor")).unwrap();
    // A format-1 bundle is unsigned: accepted only when allowed.
    office.set_policy(safevisit::supervisor::ImportPolicy {
        allow_unsigned: true,
        ..Default::default()
    });
    let ids: Vec<Identity> = keys::load_identities(&fixture("test-org-key.txt")).unwrap();
    let report = office
        .import_bundle(&fixture("bundle-v1.age"), &ids, "2025-03-05T09:00:00", &())
        .unwrap();
    assert!(matches!(report.outcome, BundleOutcome::Imported));
    assert_eq!(report.new, 1);
    office.write_outputs(safevisit::i18n::Lang::Nl).unwrap();
    let rec = decode_record(&std::fs::read(fixture("record-v1.bin")).unwrap()).unwrap();
    let summary = rec.finalized.as_ref().unwrap().summary.clone();
    let written =
        std::fs::read(tmp.path().join("kantoor/visits/fixture-kersenboom-1.json")).unwrap();
    assert_eq!(written, visit_json_bytes(&rec, Status::Finalized, &summary));
}
