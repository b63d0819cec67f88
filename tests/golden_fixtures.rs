//! The golden fixtures in `tests/fixtures/` still open: every format
//! version ever written stays readable. See `tests/fixtures/README.md`.

mod vault_support;
use vault_support as common;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use safevisit::store::envelope::{RECORD_VERSION, decode_record, encode_record, open_record};
use safevisit::store::index::{Arrived, Status};
use safevisit::store::vault::{decode_index, decode_stub};
use safevisit::store::{StoreError, Vault};
use safevisit::visit::record::VisitRecord;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn org_key() -> age::x25519::Identity {
    let text = std::fs::read_to_string(fixtures().join("test-org-key.txt")).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap();
    age::x25519::Identity::from_str(line).unwrap()
}

fn expected(version: u16) -> serde_json::Value {
    let text = std::fs::read_to_string(fixtures().join(format!("record-v{version}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A version-1 record as the current structs read it: migrated, with the
/// fields added since at their version-1 defaults.
fn migrated(version: u16) -> serde_json::Value {
    let mut v = expected(version);
    if version < 2 {
        // Version 2: typed text that is not an answer; version 1 had none.
        v["pending"] = serde_json::json!([]);
        // Version 2: every flag has a state; version 1 knew only active ones.
        for flag in v["flags"].as_array_mut().unwrap() {
            flag["state"] = serde_json::json!("active");
            flag["state_at"] = serde_json::Value::Null;
            flag["withdrawn_reason"] = serde_json::json!("");
        }
    }
    if version < 3 {
        // Version 3: nobody removed from the roster, every sheet taken, no
        // entry made from the roster.
        v["removed"] = serde_json::json!([]);
        for sheet in v["sheets"].as_array_mut().unwrap() {
            sheet["status"] = serde_json::json!("afgenomen");
            sheet["status_reason"] = serde_json::json!("");
            for entry in sheet["entries"].as_array_mut().unwrap() {
                entry["person"] = serde_json::Value::Null;
            }
        }
    }
    if version < 4 {
        // Version 4: a visit from before cases is a case of its own, named
        // after it; it follows nothing, was not read back, keeps nothing for
        // a next visit; no entry is made from a previous visit.
        v["case_id"] = v["id"].clone();
        v["follow_up"] = serde_json::Value::Null;
        v["read_back_at"] = serde_json::Value::Null;
        v["case_keeps"] = serde_json::json!([]);
        for sheet in v["sheets"].as_array_mut().unwrap() {
            for entry in sheet["entries"].as_array_mut().unwrap() {
                entry["previous"] = serde_json::Value::Null;
            }
        }
    }
    if version < 5 {
        // Version 5: which answers were given under an earlier checklist
        // version; before, the whole sheet had the one version.
        for sheet in v["sheets"].as_array_mut().unwrap() {
            sheet["earlier"] = serde_json::json!([]);
        }
    }
    v
}

fn as_json(rec: &VisitRecord) -> serde_json::Value {
    serde_json::to_value(rec).unwrap()
}

#[test]
fn record_v1_opens_with_the_test_key() {
    let ct = std::fs::read(fixtures().join("record-v1.age")).unwrap();
    let rec = open_record(&ct, &[&org_key()]).unwrap();
    assert_eq!(as_json(&rec), migrated(1));
    assert_eq!(rec.children[0].alias, "Mila");
}

#[test]
fn record_v1_plaintext_is_a_test_vector() {
    let bin = std::fs::read(fixtures().join("record-v1.bin")).unwrap();
    assert_eq!(&bin[..10], b"SVVISIT\0\x01\x00");
    let rec = decode_record(&bin).unwrap();
    assert_eq!(as_json(&rec), migrated(1));
}

#[test]
fn record_v2_opens_with_the_test_key() {
    let ct = std::fs::read(fixtures().join("record-v2.age")).unwrap();
    let rec = open_record(&ct, &[&org_key()]).unwrap();
    assert_eq!(as_json(&rec), migrated(2));
    let states: Vec<&str> = rec.flags.iter().map(|f| f.state.as_str()).collect();
    assert_eq!(states, ["active", "withdrawn"]);
    assert_eq!(rec.pending.len(), 1);
}

#[test]
fn record_v2_plaintext_is_a_test_vector() {
    let bin = std::fs::read(fixtures().join("record-v2.bin")).unwrap();
    assert_eq!(&bin[..10], b"SVVISIT\0\x02\x00");
    let rec = decode_record(&bin).unwrap();
    assert_eq!(as_json(&rec), migrated(2));
}

#[test]
fn record_v3_opens_with_the_test_key() {
    let ct = std::fs::read(fixtures().join("record-v3.age")).unwrap();
    let rec = open_record(&ct, &[&org_key()]).unwrap();
    assert_eq!(as_json(&rec), migrated(3));
    let statuses: Vec<&str> = rec.sheets.iter().map(|s| s.status.as_str()).collect();
    assert_eq!(statuses, ["afgenomen", "afgenomen", "bewust_niet"]);
    assert_eq!(rec.removed.len(), 1);
    assert!(rec.sheets[0].entries.iter().any(|e| e.person.is_some()));
}

#[test]
fn record_v3_plaintext_is_a_test_vector() {
    let bin = std::fs::read(fixtures().join("record-v3.bin")).unwrap();
    assert_eq!(&bin[..10], b"SVVISIT\0\x03\x00");
    let rec = decode_record(&bin).unwrap();
    assert_eq!(as_json(&rec), migrated(3));
}

#[test]
fn record_v4_opens_with_the_test_key() {
    let ct = std::fs::read(fixtures().join("record-v4.age")).unwrap();
    let rec = open_record(&ct, &[&org_key()]).unwrap();
    assert_eq!(as_json(&rec), migrated(4));
    assert_eq!(rec.case_id, "case-kersenboom");
    let f = rec.follow_up.as_ref().unwrap();
    assert_eq!(f.follows, "fixture-kersenboom-0");
    assert_eq!(f.agreements.len(), 1);
    assert_eq!(rec.read_back_at.as_deref(), Some("2025-03-04T10:55:00"));
    assert!(rec.sheets[0].entries.iter().any(|e| e.previous.is_some()));
}

#[test]
fn record_v4_plaintext_is_a_test_vector() {
    let bin = std::fs::read(fixtures().join("record-v4.bin")).unwrap();
    assert_eq!(&bin[..10], b"SVVISIT\0\x04\x00");
    let rec = decode_record(&bin).unwrap();
    assert_eq!(as_json(&rec), migrated(4));
}

#[test]
fn record_v5_opens_with_the_test_key() {
    let ct = std::fs::read(fixtures().join("record-v5.age")).unwrap();
    let rec = open_record(&ct, &[&org_key()]).unwrap();
    assert_eq!(as_json(&rec), expected(5));
    let trauma = &rec.sheets[1];
    assert_eq!(trauma.checklist.version, 2);
    assert_eq!(trauma.earlier.len(), 1);
    assert_eq!(trauma.earlier[0].version, 1);
    assert_eq!(trauma.earlier[0].items, ["slaapt_slecht"]);
    assert!(rec.sheets[0].earlier.is_empty());
}

#[test]
fn record_v5_plaintext_is_a_test_vector() {
    let bin = std::fs::read(fixtures().join("record-v5.bin")).unwrap();
    assert_eq!(&bin[..10], b"SVVISIT\0\x05\x00");
    let rec = decode_record(&bin).unwrap();
    assert_eq!(as_json(&rec), expected(5));
    // While version 5 is the current version, this program writes exactly
    // these bytes (bincode with the documented configuration is canonical).
    if RECORD_VERSION == 5 {
        assert_eq!(&encode_record(&rec).unwrap()[..], &bin[..]);
    }
}

#[test]
fn index_and_stub_v1_decode() {
    let index = decode_index(&std::fs::read(fixtures().join("index-v1.bin")).unwrap()).unwrap();
    assert_eq!(index.entries.len(), 2);
    assert_eq!(index.final_dir_mtime, Some((1_741_082_400, 123_456_789)));
    let (fin, draft) = (&index.entries[0], &index.entries[1]);
    assert_eq!(
        (fin.id.as_str(), fin.status, fin.sequence),
        ("fixture-kersenboom-1", Status::Finalized, Some(1))
    );
    assert_eq!((fin.red_flags, fin.acute_flags, fin.open_flags), (1, 1, 0));
    assert_eq!(
        (draft.id.as_str(), draft.status, draft.sequence),
        ("fixture-kersenboom-2", Status::Draft, None)
    );
    // Read as version 2: nothing arrived yet.
    assert_eq!(index.arrived, Arrived::default());
    assert!(index.removing.is_empty());
    let stub = decode_stub(&std::fs::read(fixtures().join("stub-v1.bin")).unwrap()).unwrap();
    assert_eq!(stub.entry.id, "fixture-kersenboom-1");
    assert_eq!(stub.record_sha256, [0xab; 32]);
    assert_eq!(stub.checklists.len(), 2);
}

#[test]
fn index_v2_decodes_with_its_arrived_counts() {
    let bytes = std::fs::read(fixtures().join("index-v2.bin")).unwrap();
    assert_eq!(&bytes[..10], b"SVINDEX\0\x02\x00");
    let index = decode_index(&bytes).unwrap();
    assert_eq!(index.entries.len(), 2);
    assert_eq!(index.entries[0].id, "fixture-kersenboom-1");
    assert_eq!(index.final_dir_mtime, Some((1_741_082_400, 123_456_789)));
    assert_eq!(
        index.arrived,
        Arrived {
            visits: 3,
            last_receipt: 2,
            highest_sequence: 4,
        }
    );
    assert_eq!(index.removing, vec![4]);
    // Version 2 knew no cases: unlocking reads the cards once.
    assert_eq!(index.cases, None);
}

#[test]
fn index_v3_lists_the_open_cases() {
    let bytes = std::fs::read(fixtures().join("index-v3.bin")).unwrap();
    assert_eq!(&bytes[..10], b"SVINDEX\0\x03\x00");
    let index = decode_index(&bytes).unwrap();
    assert_eq!(index.entries.len(), 2);
    assert_eq!(index.removing, vec![4]);
    let cases = index.cases.as_ref().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].case_id, "case-kersenboom");
    assert_eq!(cases[0].active_flags, 1);
    // What this program writes is version 3, byte for byte the same.
    let again = safevisit::store::envelope::encode(
        safevisit::store::envelope::INDEX,
        &index,
        safevisit::store::envelope::index_config(),
    )
    .unwrap();
    assert_eq!(&again[..], &bytes[..]);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[test]
fn vault_v1_opens_lists_loads_and_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    copy_dir(&fixtures().join("vault-v1"), &dir);
    // git keeps no empty folders; the vault makes its own again.
    let mut v = Vault::open(&dir).unwrap();
    assert!(matches!(v.list(), Err(StoreError::Locked)));
    let device = v.device();
    assert_eq!(
        (device.id.as_str(), device.name.as_str(), device.test_vault),
        ("fixture-device", "laptop-fixture", true)
    );
    v.unlock(&common::passphrase()).unwrap();
    // A vault of before signing keys gets one at its first unlock, and says so.
    assert!(
        matches!(
            v.recovered().as_slice(),
            [safevisit::store::RecoveryNote::SigningKeyAdded { .. }]
        ),
        "{:?}",
        v.recovered()
    );
    assert!(v.quarantined().is_empty());

    let list = v.list().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        (list[0].id.as_str(), list[0].status),
        ("fixture-kersenboom-2", Status::Draft)
    );
    assert_eq!(
        (list[1].id.as_str(), list[1].sequence),
        ("fixture-kersenboom-1", Some(1))
    );
    let draft = v.load_draft("fixture-kersenboom-2").unwrap();
    assert_eq!(draft.children[0].alias, "Mila");

    let files = v.finalized_records(false).unwrap();
    assert_eq!(files.len(), 1);
    let rec = open_record(&files[0].ciphertext, &[&org_key()]).unwrap();
    assert_eq!(as_json(&rec), migrated(1));

    assert_eq!(
        v.finalize(draft, Default::default(), "2025-03-05T09:00:00")
            .unwrap(),
        2
    );
}

#[test]
fn stub_v2_carries_the_case_and_a_v1_stub_reads_as_a_case_of_its_own() {
    let bytes = std::fs::read(fixtures().join("stub-v2.bin")).unwrap();
    assert_eq!(&bytes[..10], b"SVSTUB\0\0\x02\x00");
    let stub = decode_stub(&bytes).unwrap();
    assert_eq!(stub.case_id, "case-kersenboom");
    assert_eq!(stub.follows.as_deref(), Some("fixture-kersenboom-0"));
    let old = decode_stub(&std::fs::read(fixtures().join("stub-v1.bin")).unwrap()).unwrap();
    assert_eq!(old.case_id, old.entry.id);
    assert_eq!(old.follows, None);
}

#[test]
fn case_card_v1_is_a_test_vector() {
    let bytes = std::fs::read(fixtures().join("case-v1.bin")).unwrap();
    assert_eq!(&bytes[..10], b"SVCASE\0\0\x01\x00");
    let card = safevisit::store::vault::decode_card(&bytes).unwrap();
    assert_eq!(card.case_id, "case-kersenboom");
    assert_eq!(card.last_visit, "fixture-kersenboom-1");
    assert_eq!(card.agreements.len(), 1);
    assert_eq!(card.agreements[0].who.as_str(), "Ruben");
    assert_eq!(card.read_back_on.as_deref(), Some("2025-03-04"));
    // Only the item a checklist refers to with previous(): no free text.
    assert_eq!(
        card.values.len(),
        0,
        "the fixture's kept item was not answered"
    );
    // While version 1 is current, this program writes exactly these bytes.
    if safevisit::store::envelope::CASE.version == 1 {
        let again = safevisit::store::envelope::encode(
            safevisit::store::envelope::CASE,
            &card,
            safevisit::store::envelope::record_config(),
        )
        .unwrap();
        assert_eq!(&again[..], &bytes[..]);
    }
}
