//! A plaintext canary answer, saved as a draft and finalized, is found
//! nowhere: not in the data directory, not in the temporary directory.

mod vault_support;
use vault_support as common;

use std::path::Path;

use common::{reopen, summary, test_vault};
use safevisit::visit::SecretText;
use safevisit::visit::record::{AnswerRecord, AnswerValue};

const CANARY: &str = "KANARIE-Kersenboom-Mila-7f3a9c1e";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every readable file under `dir` that holds `needle` (raw, or as UTF-16).
/// Source trees and build folders are left out: this test's own source and
/// build files hold the canary by construction, and a checkout may itself
/// sit in the temp dir.
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    let utf16: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let source_or_build =
        |p: &Path| p.join("Cargo.toml").exists() || p.join("CACHEDIR.TAG").exists();
    common::walk_skipping(dir, &source_or_build)
        .into_iter()
        .filter(|p| p.is_file())
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() < 64 * 1024 * 1024))
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .filter(|(_, b)| contains(b, needle.as_bytes()) || contains(b, &utf16))
        .map(|(p, _)| p.display().to_string())
        .collect()
}

#[test]
fn a_canary_answer_never_reaches_the_disk_in_plaintext() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (mut v, _org) = test_vault(&dir);
    let mut rec = common::small("bezoek-kanarie", 1);
    rec.label = format!("label {CANARY}");
    rec.sheets[0].answers.push(AnswerRecord {
        item: "toelichting".into(),
        value: AnswerValue::Text(SecretText::new(format!("Mila zegt: {CANARY}"))),
    });
    v.save_draft(&rec).unwrap();
    rec.updated_at = "2025-03-04T10:59:00".into();
    v.save_draft(&rec).unwrap();
    // The canary is really there, encrypted: the draft reads back with it.
    let back = v.load_draft("bezoek-kanarie").unwrap();
    assert_eq!(back, rec);
    assert!(files_holding(&dir, CANARY).is_empty());
    v.finalize(rec, summary(), "2025-03-04T11:00:00").unwrap();
    v.mark_exported(&["bezoek-kanarie".into()]).unwrap();
    drop(v);
    let v = reopen(&dir);
    assert_eq!(v.list().unwrap()[0].label, format!("label {CANARY}"));
    drop(v);

    // The canary check itself works: a planted plaintext copy is found.
    let planted = tmp.path().join("planted");
    std::fs::write(&planted, format!("x{CANARY}x")).unwrap();
    assert_eq!(files_holding(tmp.path(), CANARY).len(), 1);
    std::fs::remove_file(&planted).unwrap();

    let found = files_holding(&dir, CANARY);
    assert!(
        found.is_empty(),
        "the canary is on disk in plaintext: {found:?}"
    );
    let found = files_holding(&std::env::temp_dir(), CANARY);
    assert!(found.is_empty(), "the canary is in the temp dir: {found:?}");
}
