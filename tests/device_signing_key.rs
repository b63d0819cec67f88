//! Every laptop has a signing key sealed in its device identity: a new
//! vault gets one at init, an old vault (tests/fixtures/vault-v1) gets one
//! at its first unlock — once, kept across a lock, a passphrase change and
//! a reopen — and the key never appears in any file in plaintext.

mod vault_support;
use vault_support as common;

use std::path::{Path, PathBuf};

use safevisit::cards::{DeviceCard, OrgCard};
use safevisit::signing::SigningKey;
use safevisit::store::recipients::Recipient;
use safevisit::store::{RecoveryNote, StoreError, Vault};
use secrecy::SecretString;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
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

/// Every byte of every file under `dir`.
fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(all_bytes(&e.path()));
        } else {
            out.extend(std::fs::read(e.path()).unwrap());
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn org_card(organisation: &str) -> OrgCard {
    OrgCard {
        organisation: organisation.into(),
        recipients: vec![Recipient::from(
            age::x25519::Identity::generate().to_public(),
        )],
        backup_recipients: vec![Recipient::from(
            age::x25519::Identity::generate().to_public(),
        )],
        signing_key: SigningKey::generate().unwrap().public().clone(),
    }
}

#[test]
fn a_new_vault_has_a_signing_key_and_a_device_card() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let (v, _org) = common::test_vault(&dir);
    let key = v.signing_key().expect("a new vault has a signing key");
    let public = key.public().clone();
    let card = v.device_card().unwrap();
    assert_eq!(card.device_id, "device-test-1");
    assert_eq!(card.device_name, "laptop-test");
    assert_eq!(card.signing_key, public);
    // The card reads back and its fingerprint checks.
    assert_eq!(DeviceCard::parse(&card.to_text()).unwrap(), card);
    assert!(v.org_signing_key().is_none());
    // A signature by the vault's key verifies with the card's key.
    let sig = key.sign(b"manifest", "c").unwrap();
    card.signing_key.verify(b"manifest", &sig).unwrap();

    let secret = key.to_text();
    drop(v);
    assert!(
        !contains(&all_bytes(&dir), secret.as_bytes()),
        "the signing key is on disk in plaintext"
    );
    // The same key after a reopen; nothing to report.
    let v = common::reopen(&dir);
    assert_eq!(v.signing_key().unwrap().public(), &public);
    assert!(v.recovered().is_empty(), "{:?}", v.recovered());
    // The receipt encryption goes to the device's own recipient.
    assert_eq!(v.device_card().unwrap(), card);
}

#[test]
fn a_locked_vault_offers_no_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let (mut v, _org) = common::test_vault(&dir);
    v.lock();
    assert!(v.signing_key().is_none());
    assert!(matches!(v.device_card(), Err(StoreError::Locked)));
}

#[test]
fn an_old_vault_gains_a_key_once_and_keeps_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    copy_dir(&fixtures().join("vault-v1"), &dir);
    let before = std::fs::read(dir.join("identity.age")).unwrap();
    let log_n_before = safevisit::store::vault::scrypt_log_n(&before);

    let mut v = Vault::open(&dir).unwrap();
    v.unlock(&common::passphrase()).unwrap();
    let public = v
        .signing_key()
        .expect("a key after unlock")
        .public()
        .clone();
    let notes = v.recovered();
    assert_eq!(
        notes,
        vec![RecoveryNote::SigningKeyAdded {
            key_id: public.key_id()
        }]
    );
    assert!(
        notes[0]
            .describe(safevisit::i18n::Lang::Nl)
            .contains("device-card")
    );
    // The identity was sealed again, with the same work factor.
    let after = std::fs::read(dir.join("identity.age")).unwrap();
    assert_ne!(before, after);
    assert_eq!(safevisit::store::vault::scrypt_log_n(&after), log_n_before);
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| safevisit::store::atomic::is_temp_name(n)),
        "{names:?}"
    );
    // The vault goes on as before: the same visits.
    assert_eq!(v.list().unwrap().len(), 2);
    drop(v);

    // Once: the second unlock finds the same key and says nothing.
    let mut v = Vault::open(&dir).unwrap();
    assert!(matches!(
        v.unlock(&SecretString::from("wrong wrong wrong wrong".to_string())),
        Err(StoreError::WrongPassphrase)
    ));
    v.unlock(&common::passphrase()).unwrap();
    assert_eq!(v.signing_key().unwrap().public(), &public);
    assert!(v.recovered().is_empty(), "{:?}", v.recovered());

    // A passphrase change keeps it.
    let new = SecretString::from("appelboom fietsbel negentien paraplu".to_string());
    v.change_passphrase(&new).unwrap();
    drop(v);
    let mut v = Vault::open(&dir).unwrap();
    v.unlock(&new).unwrap();
    assert_eq!(v.signing_key().unwrap().public(), &public);
}

#[test]
fn an_organisation_card_at_init_pins_its_key_and_recipients() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let card = org_card("Jeugdzorg Voorbeeldstad");
    let mut opts = common::init_options(&common::org_key());
    opts.recipients.clear();
    let v = Vault::init_with_org_card(&dir, opts, &card).unwrap();
    assert_eq!(v.org_signing_key(), Some(card.signing_key.clone()));
    assert_eq!(v.recipients().unwrap(), card.all_recipients());
    drop(v);
    let v = common::reopen(&dir);
    let pinned = v.pinned_org().unwrap();
    assert_eq!(pinned.signing_key, card.signing_key);
    assert_eq!(pinned.card_fingerprint, card.fingerprint());
    assert_eq!(pinned.organisation, "Jeugdzorg Voorbeeldstad");
    assert_eq!(v.recipients().unwrap(), card.all_recipients());
}

#[test]
fn pinning_a_card_later_refuses_another_key_without_replace() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let (mut v, _org) = common::test_vault(&dir);
    let first = org_card("Jeugdzorg Voorbeeldstad");
    // The passphrase is checked again: a wrong one changes nothing.
    assert!(matches!(
        v.pin_org_card(
            &first,
            &SecretString::from("wrong wrong wrong wrong".to_string()),
            false
        ),
        Err(StoreError::WrongPassphrase)
    ));
    assert!(v.org_signing_key().is_none());
    v.pin_org_card(&first, &common::passphrase(), false)
        .unwrap();
    assert_eq!(v.org_signing_key(), Some(first.signing_key.clone()));
    assert_eq!(v.recipients().unwrap(), first.all_recipients());

    // The same card again changes nothing; the same key on a card with
    // other recipients needs `replace` (they would read every visit
    // finalized afterwards).
    v.pin_org_card(&first, &common::passphrase(), false)
        .unwrap();
    let mut same_key = first.clone();
    same_key.backup_recipients.clear();
    let err = v
        .pin_org_card(&same_key, &common::passphrase(), false)
        .unwrap_err();
    assert!(matches!(err, StoreError::OrgCardDiffers { .. }), "{err:?}");
    assert_eq!(v.recipients().unwrap(), first.all_recipients());
    v.pin_org_card(&same_key, &common::passphrase(), true)
        .unwrap();
    assert_eq!(v.recipients().unwrap(), same_key.all_recipients());

    let other = org_card("Jeugdzorg Voorbeeldstad");
    let err = v
        .pin_org_card(&other, &common::passphrase(), false)
        .unwrap_err();
    assert!(matches!(err, StoreError::OrgKeyDiffers { .. }), "{err:?}");
    assert!(
        err.describe(safevisit::i18n::Lang::En)
            .contains("--replace")
    );
    assert_eq!(v.org_signing_key(), Some(first.signing_key.clone()));
    drop(v);
    let mut v = common::reopen(&dir);
    assert_eq!(v.org_signing_key(), Some(first.signing_key.clone()));
    v.pin_org_card(&other, &common::passphrase(), true).unwrap();
    drop(v);
    let v = common::reopen(&dir);
    assert_eq!(v.org_signing_key(), Some(other.signing_key.clone()));
    assert_eq!(v.recipients().unwrap(), other.all_recipients());
}

/// The app over the real vault in `dir` (locked), as the worker starts it.
fn app(
    dir: &Path,
) -> safevisit::tui::shell::Shell<
    ratatui::backend::TestBackend,
    safevisit::tui::store_port::StoreVault,
> {
    use safevisit::checklist::{Catalog, SourceFile};
    use safevisit::tui::app::{Options, SequentialIds, State};
    use safevisit::tui::store_port::{InitSettings, StoreVault};
    let state = State::new(Options {
        lang: safevisit::i18n::Lang::Nl,
        theme: safevisit::tui::theme::Theme::from_no_color(true),
        size: (80, 24),
        now: time::macros::datetime!(2025-03-05 09:00),
        lock_after: time::Duration::minutes(5),
        catalog: std::sync::Arc::new(Catalog::build(SourceFile::bundled(), Vec::new())),
        ids: Box::new(SequentialIds::default()),
        vault_exists: true,
    });
    let port = StoreVault::new(
        dir,
        Some(Vault::open(dir).unwrap()),
        InitSettings::default(),
    );
    let terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    safevisit::tui::shell::Shell::new(terminal, state, port)
}

#[test]
fn the_app_says_once_that_an_old_vault_got_a_signing_key() {
    use safevisit::tui::event::{Event, Key};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    copy_dir(&fixtures().join("vault-v1"), &dir);
    let mut shell = app(&dir);
    let unlock = |shell: &mut safevisit::tui::shell::Shell<_, _>| {
        for c in common::PASSPHRASE.chars() {
            shell.handle(Event::Key(Key::Char(c)));
        }
        shell.handle(Event::Key(Key::Enter));
    };
    unlock(&mut shell);
    assert!(shell.state.unlocked);
    let msg = shell.state.message.as_ref().expect("a notice").text.clone();
    assert!(msg.nl.contains("ondertekeningssleutel"), "{}", msg.nl);
    assert!(msg.en.contains("device-card"), "{}", msg.en);
    // Locked and unlocked again in the same session: not said again.
    shell.handle(Event::Key(Key::parse("F8").unwrap()));
    assert!(!shell.state.unlocked);
    unlock(&mut shell);
    assert!(shell.state.unlocked);
    assert!(
        shell
            .state
            .message
            .as_ref()
            .is_none_or(|m| !m.text.nl.contains("ondertekeningssleutel")),
        "{:?}",
        shell.state.message.as_ref().map(|m| &m.text.nl)
    );
    drop(shell);
    // Nor in the next session.
    let mut shell = app(&dir);
    unlock(&mut shell);
    assert!(shell.state.unlocked);
    assert!(
        shell.state.message.is_none(),
        "{:?}",
        shell.state.message.as_ref().map(|m| &m.text.nl)
    );
}
