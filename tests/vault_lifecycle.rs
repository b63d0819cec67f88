//! The vault from init to export: what each call does, what it refuses,
//! and what ends up on disk.

mod vault_support;
use vault_support as common;

use std::os::unix::fs::PermissionsExt;

use common::{passphrase, reopen, small, summary, test_vault};
use safevisit::i18n::Lang;
use safevisit::store::envelope::{EnvelopeError, open_record};
use safevisit::store::recipients::{Recipient, parse_recipient};
use safevisit::store::{InitOptions, Status, StoreError, Vault};
use secrecy::SecretString;

#[test]
fn drafts_save_load_list_and_discard() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (mut v, _org) = test_vault(&dir);
    assert!(Vault::exists(&dir));
    assert!(v.device().test_vault);
    assert_eq!(v.device().id, "device-test-1");

    let a = small("bezoek-a", 1);
    v.save_draft(&a).unwrap();
    v.save_draft(&small("bezoek-b", 1)).unwrap();
    assert_eq!(v.load_draft("bezoek-a").unwrap(), a);

    let list = v.list().unwrap();
    assert_eq!(list.len(), 2);
    assert!(
        list.iter()
            .all(|e| e.status == Status::Draft && e.sequence.is_none())
    );
    assert_eq!(list[0].red_flags, 1);
    assert_eq!(list[0].acute_flags, 1);
    assert_eq!(list[0].open_flags, 1);

    v.discard_draft("bezoek-b").unwrap();
    assert!(matches!(
        v.load_draft("bezoek-b"),
        Err(StoreError::NoSuchDraft { .. })
    ));
    drop(v);

    let mut v = reopen(&dir);
    assert_eq!(v.list().unwrap().len(), 1);
    assert_eq!(v.load_draft("bezoek-a").unwrap(), a);
    assert!(v.recovered().is_empty(), "{:?}", v.recovered());
}

#[test]
fn an_unchanged_listing_does_not_rewrite_the_index() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (mut v, _org) = test_vault(&dir);
    v.save_draft(&small("bezoek-a", 1)).unwrap();
    let index = std::fs::read(dir.join("index.age")).unwrap();
    // Answers change, the listing does not: one write (the draft).
    v.save_draft(&small("bezoek-a", 2)).unwrap();
    assert_eq!(std::fs::read(dir.join("index.age")).unwrap(), index);
    // The label changes: the index is rewritten.
    let mut relabelled = small("bezoek-a", 3);
    relabelled.label = "Kersenboom".into();
    v.save_draft(&relabelled).unwrap();
    assert_ne!(std::fs::read(dir.join("index.age")).unwrap(), index);
    assert_eq!(v.list().unwrap()[0].label, "Kersenboom");
}

#[test]
fn finalize_encrypts_to_the_organisation_only_and_numbers_in_sequence() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (mut v, org) = test_vault(&dir);
    v.save_draft(&small("bezoek-a", 1)).unwrap();
    let s1 = v
        .finalize(small("bezoek-a", 2), summary(), "2025-03-04T11:00:00")
        .unwrap();
    let s2 = v
        .finalize(small("bezoek-b", 1), summary(), "2025-03-04T12:00:00")
        .unwrap();
    assert_eq!((s1, s2), (1, 2));
    assert!(!dir.join("drafts/bezoek-a.age").exists());
    assert!(matches!(
        v.load_draft("bezoek-a"),
        Err(StoreError::AlreadyFinalized { .. })
    ));
    assert!(matches!(
        v.save_draft(&small("bezoek-a", 3)),
        Err(StoreError::AlreadyFinalized { .. })
    ));
    assert!(matches!(
        v.finalize(small("bezoek-a", 3), summary(), "2025-03-04T13:00:00"),
        Err(StoreError::AlreadyFinalized { .. })
    ));

    let files = v.finalized_records(false).unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].visit_id, "bezoek-a");
    assert_eq!(files[0].file_name, "00000001.visit.age");
    assert_eq!(files[0].checklists[0].id, "veiligheid");
    // The organisation key opens it; the record carries the sequence, the
    // device and the time the caller gave.
    let rec = open_record(&files[0].ciphertext, &[&org]).unwrap();
    let fin = rec.finalized.as_ref().unwrap();
    assert_eq!(
        (fin.sequence, fin.finalized_at.as_str()),
        (1, "2025-03-04T11:00:00")
    );
    assert_eq!(
        (fin.device_id.as_str(), fin.device_name.as_str()),
        ("device-test-1", "laptop-test")
    );
    assert_eq!(rec.updated_at, small("bezoek-a", 2).updated_at);
    // A device identity that somehow leaked does not open it.
    let device_key = {
        let bytes = std::fs::read(dir.join("identity.age")).unwrap();
        let id = age::scrypt::Identity::new(passphrase());
        let text = age::decrypt(&id, &bytes).unwrap();
        age::IdentityFile::from_buffer(&text[..])
            .unwrap()
            .into_identities()
            .unwrap()
    };
    let dk: Vec<&dyn age::Identity> = device_key
        .iter()
        .map(|b| b.as_ref() as &dyn age::Identity)
        .collect();
    assert_eq!(
        open_record(&files[0].ciphertext, &dk),
        Err(EnvelopeError::NotForThisKey)
    );

    // Export marks survive a restart; sequence numbers go on.
    v.mark_exported(&["bezoek-a".to_string()]).unwrap();
    assert!(matches!(
        v.mark_exported(&["bezoek-zzz".to_string()]),
        Err(StoreError::NoSuchFinalized { .. })
    ));
    drop(v);
    let mut v = reopen(&dir);
    let c = v.counts().unwrap();
    assert_eq!((c.drafts, c.finalized, c.exported), (0, 1, 1));
    assert_eq!(v.finalized_records(false).unwrap().len(), 1);
    let all = v.finalized_records(true).unwrap();
    assert_eq!(all.len(), 2);
    assert!(all[0].exported && !all[1].exported);
    assert_eq!(
        v.finalize(small("bezoek-c", 1), summary(), "2025-03-05T09:00:00")
            .unwrap(),
        3
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("sequence")).unwrap(),
        "4\n"
    );
}

#[test]
fn bad_input_to_the_api_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut v, _org) = test_vault(&tmp.path().join("data"));
    assert!(matches!(
        v.save_draft(&small("../x", 1)),
        Err(StoreError::InvalidVisitId { .. })
    ));
    assert!(matches!(
        v.finalize(small("bezoek-a", 1), summary(), "gisteren"),
        Err(StoreError::InvalidTimestamp { .. })
    ));
    let mut marked = small("bezoek-a", 1);
    v.save_draft(&marked).unwrap();
    marked.finalized = Some(safevisit::visit::record::FinalRecord {
        sequence: 99,
        finalized_at: "2025-03-04T11:00:00".into(),
        device_id: "x".into(),
        device_name: "x".into(),
        summary: summary(),
    });
    assert!(matches!(
        v.save_draft(&marked),
        Err(StoreError::RecordFinalized)
    ));
    v.lock();
    assert!(!v.is_unlocked());
    assert!(matches!(v.list(), Err(StoreError::Locked)));
    assert!(matches!(
        v.save_draft(&small("bezoek-a", 2)),
        Err(StoreError::Locked)
    ));
    assert!(matches!(v.recipients(), Err(StoreError::Locked)));
}

#[test]
fn counts_without_the_passphrase_only_while_nothing_is_finalized() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (mut v, _org) = test_vault(&dir);
    v.save_draft(&small("bezoek-a", 1)).unwrap();
    v.lock();
    assert_eq!(v.counts().unwrap().drafts, 1);
    v.unlock(&passphrase()).unwrap();
    v.finalize(small("bezoek-b", 1), summary(), "2025-03-04T11:00:00")
        .unwrap();
    v.lock();
    assert!(matches!(v.counts(), Err(StoreError::Locked)));
}

#[test]
fn wrong_passphrase_is_refused_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    drop(test_vault(&dir));
    let mut v = Vault::open(&dir).unwrap();
    let typed = "kersenboom tuinhek zeventien regenjaz";
    let e = v
        .unlock(&SecretString::from(typed.to_string()))
        .unwrap_err();
    assert!(matches!(e, StoreError::WrongPassphrase), "{e:?}");
    for lang in [Lang::Nl, Lang::En] {
        let msg = e.describe(lang);
        assert!(!msg.contains(typed) && !msg.contains("regenja"), "{msg}");
    }
    assert!(e.describe(Lang::Nl).contains("klopt niet"));
    assert!(e.to_string().contains("does not match"));
    assert!(!v.is_unlocked());
    v.unlock(&passphrase()).unwrap();
}

#[test]
fn a_second_instance_is_refused_and_a_dropped_one_releases() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (v, _org) = test_vault(&dir);
    let e = Vault::open(&dir).unwrap_err();
    assert!(matches!(e, StoreError::AlreadyOpen { .. }));
    assert!(
        e.to_string()
            .contains("safevisit is already open on this data directory"),
        "{e}"
    );
    assert!(e.describe(Lang::Nl).contains("al geopend"));
    drop(v);
    Vault::open(&dir).unwrap();
}

#[test]
fn an_existing_vault_is_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (mut v, org) = test_vault(&dir);
    v.save_draft(&small("bezoek-a", 1)).unwrap();
    drop(v);
    let identity = std::fs::read(dir.join("identity.age")).unwrap();
    let e = Vault::init(&dir, common::init_options(&org)).unwrap_err();
    assert!(matches!(e, StoreError::AlreadyExists { .. }), "{e:?}");
    assert!(e.describe(Lang::En).contains("never overwrites"));
    assert_eq!(std::fs::read(dir.join("identity.age")).unwrap(), identity);

    // Visit files without vault.toml: refused as well.
    std::fs::remove_file(dir.join("vault.toml")).unwrap();
    let e = Vault::init(&dir, common::init_options(&org)).unwrap_err();
    assert!(matches!(e, StoreError::PartialVault { .. }), "{e:?}");
    assert!(e.to_string().contains("drafts/"));
    assert_eq!(std::fs::read(dir.join("identity.age")).unwrap(), identity);
}

#[test]
fn init_checks_every_option_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let org = common::org_key();
    let with = |f: &dyn Fn(&mut InitOptions)| {
        let mut o = common::init_options(&org);
        f(&mut o);
        Vault::init(&dir, o).unwrap_err()
    };
    assert!(matches!(
        with(&|o| o.recipients.clear()),
        StoreError::NoRecipient
    ));
    let weak = with(&|o| o.passphrase = SecretString::from("welkom123456".to_string()));
    assert!(matches!(weak, StoreError::WeakPassphrase(_)), "{weak:?}");
    assert!(weak.describe(Lang::Nl).contains("Wat wel werkt"));
    let short = with(&|o| o.passphrase = SecretString::from("kort".to_string()));
    assert!(short.describe(Lang::En).contains("at least 12"));
    assert!(matches!(
        with(&|o| o.device_name = "a\u{7}b".into()),
        StoreError::InvalidDeviceName(_)
    ));
    assert!(matches!(
        with(&|o| o.device_id = Some("a/b".into())),
        StoreError::InvalidDeviceId(_)
    ));
    assert!(matches!(
        with(&|o| o.scrypt_log_n = Some(23)),
        StoreError::InvalidWorkFactor(23)
    ));
    assert!(!dir.exists(), "nothing may be written for refused options");
}

#[test]
fn malformed_recipients_name_file_and_line() {
    let text =
        "# kantoor\nage1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\nage1typo\n";
    let e = safevisit::store::recipients::parse_recipients_file(text, "org-keys.txt").unwrap_err();
    assert_eq!(e.line, Some(3));
    let msg = StoreError::BadRecipient(e).describe(Lang::Nl);
    assert!(msg.starts_with("org-keys.txt:3: "), "{msg}");
    assert!(
        parse_recipient("age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p").is_ok()
    );
}

#[test]
fn every_file_is_0600_and_every_folder_0700_whatever_the_umask() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    // A permissive umask for this process while the vault writes.
    let old = unsafe_umask(0o000);
    let (mut v, _org) = test_vault(&dir);
    v.save_draft(&small("bezoek-a", 1)).unwrap();
    v.save_draft(&small("bezoek-b", 1)).unwrap();
    v.finalize(small("bezoek-b", 2), summary(), "2025-03-04T11:00:00")
        .unwrap();
    v.mark_exported(&["bezoek-b".into()]).unwrap();
    drop(v);
    unsafe_umask(old);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    let all = common::walk(&dir);
    assert!(all.len() >= 10, "{all:?}");
    for p in all {
        let want = if p.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&p), want, "{}", p.display());
    }
}

/// Set the process umask (returns the old one). Only this test changes it,
/// and it runs its vault calls between the two calls.
fn unsafe_umask(mask: u32) -> u32 {
    // std has no umask(2); declare the C function.
    unsafe extern "C" {
        fn umask(mask: u32) -> u32;
    }
    // SAFETY: umask only swaps an integer in the process; it cannot fail.
    unsafe { umask(mask) }
}

#[test]
fn a_changed_config_is_caught_at_unlock() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    drop(test_vault(&dir));
    let path = dir.join("vault.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("laptop-test", "laptop-x")).unwrap();
    let mut v = Vault::open(&dir).unwrap();
    let e = v.unlock(&passphrase()).unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::ConfigMismatch {
                field: "device-name"
            }
        ),
        "{e:?}"
    );
    std::fs::write(&path, "format = 7\n").unwrap();
    drop(v);
    assert!(matches!(
        Vault::open(&dir),
        Err(StoreError::UnsupportedVault { found: 7, .. })
    ));
}

#[test]
fn the_passphrase_can_be_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (mut v, _org) = test_vault(&dir);
    v.save_draft(&small("bezoek-a", 1)).unwrap();
    let new = SecretString::from("noordzee fietsbel winterjas negentig".to_string());
    assert!(matches!(
        v.change_passphrase(&SecretString::from("kort".to_string())),
        Err(StoreError::WeakPassphrase(_))
    ));
    v.change_passphrase(&new).unwrap();
    drop(v);
    let mut v = Vault::open(&dir).unwrap();
    assert!(matches!(
        v.unlock(&passphrase()),
        Err(StoreError::WrongPassphrase)
    ));
    v.unlock(&new).unwrap();
    assert_eq!(v.load_draft("bezoek-a").unwrap(), small("bezoek-a", 1));
    // A test vault keeps its low work factor.
    let header = std::fs::read(dir.join("identity.age")).unwrap();
    assert_eq!(
        safevisit::store::vault::scrypt_log_n(&header),
        Some(common::TEST_LOG_N)
    );
}

#[test]
fn a_lost_index_is_rebuilt_from_drafts_and_stubs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (mut v, _org) = test_vault(&dir);
    v.save_draft(&small("bezoek-a", 1)).unwrap();
    v.finalize(small("bezoek-b", 1), summary(), "2025-03-04T11:00:00")
        .unwrap();
    v.finalize(small("bezoek-c", 1), summary(), "2025-03-04T12:00:00")
        .unwrap();
    v.mark_exported(&["bezoek-c".into()]).unwrap();
    let before = v.list().unwrap();
    drop(v);
    std::fs::remove_file(dir.join("index.age")).unwrap();
    let v = reopen(&dir);
    assert_eq!(v.list().unwrap(), before);
    assert!(
        v.recovered()
            .contains(&safevisit::store::RecoveryNote::IndexRebuilt)
    );
    drop(v);
    // A damaged index is quarantined, then rebuilt the same way.
    std::fs::write(
        dir.join("index.age"),
        b"age-encryption.org/v1\nnot really\n",
    )
    .unwrap();
    let v = reopen(&dir);
    assert_eq!(v.list().unwrap(), before);
    assert_eq!(v.quarantined().len(), 1);
    assert_eq!(v.quarantined()[0].original, "index.age");
}

#[test]
fn recipients_are_sealed_not_in_plaintext() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (v, org) = test_vault(&dir);
    let public = org.to_public().to_string();
    assert_eq!(
        v.recipients().unwrap(),
        vec![Recipient::from(org.to_public())]
    );
    for p in common::walk(&dir) {
        if p.is_file() {
            let bytes = std::fs::read(&p).unwrap();
            assert!(
                !bytes.windows(public.len()).any(|w| w == public.as_bytes()),
                "{} holds the organisation recipient in plaintext",
                p.display()
            );
        }
    }
}
