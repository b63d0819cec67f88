//! Tampered, truncated and foreign records are moved to `quarantine/` and
//! reported; never deleted; the other visits still load.

mod vault_support;
use vault_support as common;

use common::{reopen, small, summary, test_vault};
use safevisit::i18n::Lang;
use safevisit::store::envelope::{EnvelopeError, encode_record, encrypt};
use safevisit::store::{QuarantineReason, StoreError};

fn draft(dir: &std::path::Path, id: &str) -> std::path::PathBuf {
    dir.join("drafts").join(format!("{id}.age"))
}

#[test]
fn damaged_drafts_are_quarantined_and_the_others_load() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (mut v, _org) = test_vault(&dir);
    for id in [
        "bezoek-goed",
        "bezoek-flip",
        "bezoek-kort",
        "bezoek-vreemd",
        "bezoek-ander",
    ] {
        v.save_draft(&small(id, 1)).unwrap();
    }
    drop(v);
    // One flipped byte in the payload.
    let p = draft(&dir, "bezoek-flip");
    let mut bytes = std::fs::read(&p).unwrap();
    let at = bytes.len() - 20;
    bytes[at] ^= 0x40;
    std::fs::write(&p, &bytes).unwrap();
    // Cut short.
    let p = draft(&dir, "bezoek-kort");
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    // Foreign: a valid age file, but for another key.
    let stranger = age::x25519::Identity::generate();
    let foreign = encrypt(
        &encode_record(&small("bezoek-vreemd", 1)).unwrap(),
        &[&stranger.to_public()],
    )
    .unwrap();
    std::fs::write(draft(&dir, "bezoek-vreemd"), foreign).unwrap();
    // Another visit's record under this visit's name.
    std::fs::copy(draft(&dir, "bezoek-goed"), draft(&dir, "bezoek-ander")).unwrap();

    let mut v = reopen(&dir);
    assert_eq!(
        v.load_draft("bezoek-goed").unwrap(),
        small("bezoek-goed", 1)
    );
    let expect = [
        (
            "bezoek-flip",
            QuarantineReason::Unreadable(EnvelopeError::Tampered),
        ),
        (
            "bezoek-vreemd",
            QuarantineReason::Unreadable(EnvelopeError::NotForThisKey),
        ),
        ("bezoek-ander", QuarantineReason::WrongVisit),
    ];
    for (id, reason) in &expect {
        let e = v.load_draft(id).unwrap_err();
        let StoreError::Quarantined { note } = &e else {
            panic!("{id}: {e:?}")
        };
        assert_eq!(&note.reason, reason, "{id}");
        assert_eq!(note.visit_id.as_deref(), Some(*id));
        assert!(
            dir.join(&note.moved_to).is_file(),
            "{id}: nothing may be deleted"
        );
        assert!(!draft(&dir, id).exists());
        assert!(
            e.describe(Lang::Nl).contains("Er is niets verwijderd"),
            "{}",
            e.describe(Lang::Nl)
        );
        assert!(e.describe(Lang::En).contains("Nothing was deleted"));
    }
    // Cut short in the payload: age's STREAM cannot tell a cut from a change.
    let e = v.load_draft("bezoek-kort").unwrap_err();
    let StoreError::Quarantined { note } = &e else {
        panic!("{e:?}")
    };
    assert!(matches!(
        note.reason,
        QuarantineReason::Unreadable(EnvelopeError::Truncated | EnvelopeError::Tampered)
    ));
    assert_eq!(v.quarantined().len(), 4);
    assert_eq!(v.quarantine_count(), 4);
    // The listing no longer offers them; the good one still loads after a restart.
    assert_eq!(v.list().unwrap().len(), 1);
    drop(v);
    let mut v = reopen(&dir);
    assert_eq!(
        v.load_draft("bezoek-goed").unwrap(),
        small("bezoek-goed", 1)
    );
    assert!(v.quarantined().is_empty());
}

#[test]
fn unknown_files_and_unlisted_damaged_drafts_are_quarantined_at_unlock() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (mut v, _org) = test_vault(&dir);
    v.save_draft(&small("bezoek-goed", 1)).unwrap();
    drop(v);
    std::fs::write(dir.join("drafts/aantekeningen.txt"), b"not a record").unwrap();
    std::fs::write(
        draft(&dir, "bezoek-nieuw"),
        b"age-encryption.org/v1\n-> X25519 broken\n",
    )
    .unwrap();
    std::fs::write(dir.join("final/00000007.visit.age"), b"??").unwrap();
    let v = reopen(&dir);
    let mut moved: Vec<String> = v.quarantined().iter().map(|n| n.original.clone()).collect();
    moved.sort();
    assert_eq!(
        moved,
        [
            "drafts/aantekeningen.txt",
            "drafts/bezoek-nieuw.age",
            "final/00000007.visit.age"
        ]
    );
    assert_eq!(v.list().unwrap().len(), 1);
    // A planted record never takes a number that is in use.
    assert!(
        std::fs::read_to_string(dir.join("sequence"))
            .unwrap()
            .trim()
            .parse::<u64>()
            .unwrap()
            >= 8
    );
}

#[test]
fn a_changed_finalized_record_is_quarantined_not_exported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (mut v, org) = test_vault(&dir);
    v.finalize(small("bezoek-a", 1), summary(), "2025-03-04T11:00:00")
        .unwrap();
    v.finalize(small("bezoek-b", 1), summary(), "2025-03-04T12:00:00")
        .unwrap();
    drop(v);
    // Replaced by a well-formed record to the same organisation key: only
    // the hash in the device-encrypted stub can tell.
    let forged = encrypt(
        &encode_record(&small("bezoek-a", 666)).unwrap(),
        &[&org.to_public()],
    )
    .unwrap();
    std::fs::write(dir.join("final/00000001.visit.age"), forged).unwrap();
    let mut v = reopen(&dir);
    let files = v.finalized_records(false).unwrap();
    assert_eq!(
        files
            .iter()
            .map(|f| f.visit_id.as_str())
            .collect::<Vec<_>>(),
        ["bezoek-b"]
    );
    let notes = v.quarantined();
    assert_eq!(notes.len(), 2);
    assert!(
        notes
            .iter()
            .all(|n| n.reason == QuarantineReason::RecordChanged)
    );
    assert!(dir.join(&notes[0].moved_to).is_file());
}
