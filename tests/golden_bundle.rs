//! The bundle format's test vector (docs/FORMATS.md, "Bundles"):
//! `tests/fixtures/bundle-v1.age` decrypts with `test-org-key.txt` to
//! exactly `bundle-v1.tar`, whose manifest lists the fixture record
//! `record-v1.age` unchanged; and this program still imports it. From
//! format 2 the archive's second file is the manifest's minisign signature
//! by the device key of `bundle-v2-device.card`; format 1 reads as unsigned.

mod office_support;
mod vault_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use safevisit::cards::DeviceCard;
use safevisit::export::bundle;
use safevisit::export::manifest::Manifest;
use safevisit::export::tar::TarReader;
use safevisit::signing::{SignatureError, SigningKey, VerifyingKey};
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

/// The test device's signing key, from the card written beside the v2
/// fixture (`examples/write_bundle_fixture.rs`).
fn fixture_device_key() -> VerifyingKey {
    let card =
        DeviceCard::parse(&std::fs::read_to_string(fixture("bundle-v2-device.card")).unwrap())
            .unwrap();
    // The minisign .pub file holds the same key.
    let pubfile = std::fs::read_to_string(fixture("bundle-v2-device.pub")).unwrap();
    assert_eq!(
        VerifyingKey::from_base64(pubfile.lines().nth(1).unwrap()).unwrap(),
        card.signing_key
    );
    card.signing_key
}

#[test]
fn the_v2_bundle_decrypts_to_its_archive_and_its_signature_verifies() {
    let sealed = std::fs::read(fixture("bundle-v2.age")).unwrap();
    let tar = std::fs::read(fixture("bundle-v2.tar")).unwrap();
    let record = std::fs::read(fixture("record-v1.age")).unwrap();
    let plain = safevisit::store::envelope::decrypt(&sealed, &[&key()], 1 << 20).unwrap();
    assert_eq!(plain.as_slice(), tar.as_slice());

    // The archive: manifest, signature, record — in that order.
    let mut files = TarReader::new(tar.as_slice());
    let names: Vec<String> = std::iter::from_fn(|| files.next_file(1 << 20).unwrap())
        .map(|f| f.name)
        .collect();
    assert_eq!(
        names,
        [
            "manifest.json",
            "manifest.json.minisig",
            "visits/00000001.visit.age"
        ]
    );

    let device = fixture_device_key();
    let mut opened = bundle::open(sealed.as_slice(), &[&key()]).unwrap();
    assert_eq!(opened.manifest.version, 2);
    assert_eq!(opened.manifest.device.id, "fixture-device");
    assert_eq!(
        Manifest::parse(&opened.manifest_bytes).unwrap(),
        opened.manifest
    );
    let signature = opened.signature.clone().expect("a v2 bundle is signed");
    assert!(signature.starts_with("untrusted comment: "));
    assert_eq!(
        opened.verify(&device).unwrap(),
        "safevisit-bundle device=fixture-device created=2025-03-04T12:00:00"
    );
    // Another key, or a changed manifest, does not verify.
    let stranger = SigningKey::generate().unwrap();
    assert!(matches!(
        opened.verify(stranger.public()),
        Err(SignatureError::OtherKey { .. })
    ));
    let mut changed = opened.manifest_bytes.clone();
    let at = changed.iter().position(|&b| b == b'1').unwrap();
    changed[at] = b'2';
    assert_eq!(
        device.verify(&changed, &signature),
        Err(SignatureError::Mismatch)
    );
    // The records follow, unchanged.
    assert_eq!(opened.next_file().unwrap().unwrap().data, record);
    assert!(opened.next_file().unwrap().is_none());
}

#[test]
fn the_v1_bundle_reads_as_unsigned() {
    let sealed = std::fs::read(fixture("bundle-v1.age")).unwrap();
    let opened = bundle::open(sealed.as_slice(), &[&key()]).unwrap();
    assert_eq!(opened.manifest.version, 1);
    assert!(opened.signature.is_none());
    assert_eq!(
        opened.verify(&fixture_device_key()),
        Err(SignatureError::NotASignature)
    );
}

/// A bundle whose archive is `files` as given (no checks), to the test key.
fn raw_bundle(files: &[(&str, &[u8])]) -> Vec<u8> {
    let enc = age::Encryptor::with_recipients(std::iter::once(&key().to_public() as _)).unwrap();
    let mut out = Vec::new();
    let stream = enc.wrap_output(&mut out).unwrap();
    let mut tar = ::tar::Builder::new(stream);
    for (name, data) in files {
        safevisit::export::tar::append(&mut tar, name, data, 0).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
    out
}

#[test]
fn a_v2_bundle_without_its_signature_as_second_file_is_damaged() {
    let tar = std::fs::read(fixture("bundle-v2.tar")).unwrap();
    let mut files = TarReader::new(tar.as_slice());
    let manifest = files.next_file(1 << 20).unwrap().unwrap();
    let sig = files.next_file(1 << 20).unwrap().unwrap();
    let record = files.next_file(1 << 20).unwrap().unwrap();
    let m = manifest.data.as_slice();
    let s = sig.data.as_slice();
    let r = record.data.as_slice();
    for (what, archive) in [
        (
            "no signature",
            vec![("manifest.json", m), (record.name.as_str(), r)],
        ),
        (
            "signature after the record",
            vec![
                ("manifest.json", m),
                (record.name.as_str(), r),
                ("manifest.json.minisig", s),
            ],
        ),
        (
            "signature under another name",
            vec![
                ("manifest.json", m),
                ("manifest.sig", s),
                (record.name.as_str(), r),
            ],
        ),
        ("nothing after the manifest", vec![("manifest.json", m)]),
    ] {
        let bytes = raw_bundle(&archive);
        assert!(
            matches!(
                bundle::open(bytes.as_slice(), &[&key()]),
                Err(bundle::BundleError::NoSignatureFile)
            ),
            "{what}"
        );
    }
    // As written, it opens.
    let bytes = raw_bundle(&[
        ("manifest.json", m),
        ("manifest.json.minisig", s),
        (record.name.as_str(), r),
    ]);
    assert!(bundle::open(bytes.as_slice(), &[&key()]).is_ok());
}

#[test]
fn the_standard_minisign_tool_verifies_the_v2_fixture() {
    if Command::new("minisign").arg("-v").output().is_err() {
        eprintln!("skipped: the `minisign` tool is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new("tar")
        .arg("-xf")
        .arg(fixture("bundle-v2.tar"))
        .arg("-C")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let ok = Command::new("minisign")
        .arg("-V")
        .arg("-p")
        .arg(fixture("bundle-v2-device.pub"))
        .arg("-m")
        .arg(tmp.path().join("manifest.json"))
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("device=fixture-device"));
}
