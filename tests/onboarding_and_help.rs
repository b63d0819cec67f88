//! Onboarding never shows a secret key, takes the lines `age-keygen`
//! prints, says in Dutch what is wrong with a file, and drops a message when
//! the step changes; a pasted CR keeps its line break; the key help scrolls
//! and fits 80×24.

mod tui_support;

use safevisit::i18n::Lang;
use safevisit::tui::event::Event;
use tui_support::{Harness, start_appelboom};

/// A secret key as `age-keygen` writes it (generated for this test only).
fn secret_key() -> String {
    use secrecy::ExposeSecret;
    age::x25519::Identity::generate()
        .to_string()
        .expose_secret()
        .to_string()
}

fn public_key() -> String {
    age::x25519::Identity::generate().to_public().to_string()
}

fn paste(h: &mut Harness, text: &str) {
    h.shell.handle(Event::Paste(text.to_string()));
    h.shell.draw().unwrap();
}

/// The recipients step of a first run.
fn at_recipients() -> Harness {
    let mut h = Harness::first_run(Lang::Nl);
    h.key("Enter");
    assert!(
        h.has("Plak de sleutel van uw organisatie"),
        "{}",
        h.screen()
    );
    h
}

fn message(h: &Harness) -> String {
    h.shell
        .state
        .message
        .as_ref()
        .map(|m| m.text.nl.clone())
        .unwrap_or_default()
}

/// Neither the screen nor the message holds a secret key (the message may
/// name the kind, `AGE-SECRET-KEY-…`).
fn screen_has_no_secret(h: &Harness) {
    let screen = h.screen().to_ascii_uppercase();
    assert!(!screen.contains("AGE-SECRET-KEY-1"), "{screen}");
    assert!(!screen.contains("AGE-SECRET-KEY-Q"), "{screen}");
    assert!(!message(h).to_ascii_uppercase().contains("AGE-SECRET-KEY-1"));
}

#[test]
fn a_pasted_secret_key_is_refused_and_wiped_in_any_case() {
    for key in [secret_key(), secret_key().to_ascii_lowercase()] {
        let mut h = at_recipients();
        paste(&mut h, &key);
        screen_has_no_secret(&h);
        assert!(message(&h).contains("GEHEIME sleutel"), "{}", message(&h));
        assert!(message(&h).contains("Vraag uw organisatie om een nieuwe sleutel"));
        // Enter finds an empty field: nothing is read as a path.
        h.key("Enter");
        screen_has_no_secret(&h);
        assert!(!message(&h).contains("Het bestand"), "{}", message(&h));
        assert!(!h.has("✓"), "no key was added:\n{}", h.screen());
    }
}

#[test]
fn a_pasted_key_file_with_its_secret_is_refused_and_wiped() {
    let mut h = at_recipients();
    let file = format!(
        "# created: 2026-03-04T10:00:00+01:00\r# public key: {}\r{}\r",
        public_key(),
        secret_key()
    );
    paste(&mut h, &file);
    screen_has_no_secret(&h);
    assert!(message(&h).contains("GEHEIME sleutel"));
    assert!(
        !h.has("# public key"),
        "the field is empty:\n{}",
        h.screen()
    );
}

#[test]
fn a_typed_secret_key_leaves_the_screen_at_once() {
    // As a terminal without bracketed paste sends it: one key at a time.
    let mut h = at_recipients();
    let key = secret_key();
    h.text(&key);
    screen_has_no_secret(&h);
    assert!(!h.has(&key[20..30]), "{}", h.screen());
    assert!(message(&h).contains("GEHEIME sleutel"));
    // The next key that is not part of a key ends that: typing works again.
    h.key("Enter").text("age1");
    assert!(h.has("│age1"), "{}", h.screen());
}

#[test]
fn the_lines_age_keygen_prints_are_accepted() {
    let mut h = at_recipients();
    let a = public_key();
    let b = public_key();
    paste(&mut h, &format!("Public key: {a}"));
    h.key("Enter");
    assert!(h.has(&format!("✓ {}", &a[..14])), "{}", h.screen());
    paste(&mut h, &format!("# public key: {b}\r"));
    h.key("Enter");
    assert!(h.has(&format!("✓ {}", &b[..14])), "{}", h.screen());
    assert!(message(&h).is_empty(), "{}", message(&h));
}

#[test]
fn a_missing_file_gets_a_dutch_message_without_the_system_error() {
    let tmp = tempfile::tempdir().unwrap();
    let mut h = at_recipients();
    let path = tmp.path().join("sleutels-kersenboom.txt");
    h.text(&path.display().to_string()).key("Enter");
    let msg = message(&h);
    assert!(msg.contains("bestaat niet"), "{msg}");
    assert!(!msg.contains("os error"), "{msg}");
    assert!(!msg.contains("No such file"), "{msg}");
    // A folder is named as a folder.
    h.key("Ctrl-u");
    for _ in 0..200 {
        h.key("Backspace");
    }
    h.text(&tmp.path().display().to_string()).key("Enter");
    assert!(message(&h).contains("is een map"), "{}", message(&h));
    // English too.
    h.key("F7");
    let en = h.shell.state.message.as_ref().unwrap().text.en.clone();
    assert!(
        en.contains("is a folder") && !en.contains("os error"),
        "{en}"
    );
}

#[test]
fn a_message_goes_when_the_step_changes() {
    let mut h = at_recipients();
    h.key("Tab");
    assert!(message(&h).contains("Voeg eerst minstens één sleutel"));
    h.key("BackTab");
    assert!(message(&h).is_empty(), "{}", message(&h));
    h.key("Enter");
    paste(&mut h, &public_key());
    h.key("Enter").key("Tab");
    h.key("Enter");
    assert!(message(&h).contains("Geef deze laptop een naam"));
    h.text("laptop-3").key("Enter");
    assert!(h.has("Kies een wachtwoord"), "{}", h.screen());
    assert!(message(&h).is_empty(), "{}", message(&h));
    assert!(!h.has("Geef deze laptop een naam"), "{}", h.screen());
}

#[test]
fn a_secret_key_message_does_not_follow_into_the_next_step() {
    let mut h = at_recipients();
    paste(&mut h, &secret_key());
    assert!(message(&h).contains("GEHEIME sleutel"));
    paste(&mut h, &public_key());
    h.key("Enter").key("Tab");
    assert!(h.has("Naam van deze laptop"), "{}", h.screen());
    assert!(message(&h).is_empty(), "{}", message(&h));
}

#[test]
fn help_fits_80x24_and_scrolls_to_its_last_entry() {
    let mut h = Harness::with_catalog(
        Lang::Nl,
        safevisit::tui::memory_vault::MemoryVault::with_passphrase(tui_support::PASSPHRASE),
        true,
        Harness::fixture_catalog(),
    );
    h.unlock();
    start_appelboom(&mut h);
    h.key("F1");
    assert!(h.has("Toetsen"), "{}", h.screen());
    assert!(
        h.has("bladeren"),
        "the help says it scrolls:\n{}",
        h.screen()
    );
    let last = safevisit::tui::keys::help(h.shell.state.ctx(), Lang::Nl)
        .last()
        .cloned()
        .unwrap();
    let line = |h: &Harness| {
        h.screen()
            .lines()
            .any(|l| l.contains(&last.0) && l.contains(last.1))
    };
    assert!(!line(&h), "the last entry is below:\n{}", h.screen());
    h.key("End");
    assert!(h.shell.state.help, "End scrolls, it does not close");
    assert!(line(&h), "{}", h.screen());
    // Key names a Dutch keyboard shows; no English names.
    h.key("Home");
    let screen = h.screen();
    assert!(screen.contains("Shift-Tab"), "{screen}");
    assert!(
        !screen.contains("BackTab") && !screen.contains(" Up "),
        "{screen}"
    );
    for _ in 0..3 {
        h.key("PageDown");
    }
    assert!(line(&h), "{}", h.screen());
    h.key("PageUp").key("Down").key("Up");
    assert!(h.shell.state.help);
    h.key("Esc");
    assert!(!h.shell.state.help);
    assert!(!h.has("bladeren"));
}

#[test]
fn a_pasted_cr_keeps_its_line_break_in_long_text() {
    let mut h = Harness::with_catalog(
        Lang::Nl,
        safevisit::tui::memory_vault::MemoryVault::with_passphrase(tui_support::PASSPHRASE),
        true,
        Harness::fixture_catalog(),
    );
    h.unlock();
    start_appelboom(&mut h);
    // Through the visit until a long-text item (engine-kind's "In eigen woorden").
    h.key("n").key("Tab").text("Sem was bij opa").key("Tab");
    let mut found = false;
    for _ in 0..30 {
        if h.shell.state.ctx() == safevisit::tui::keys::Ctx::Text {
            found = true;
            break;
        }
        if h.has("Alleen gesproken?") || h.has("Gesproken?") {
            h.key("j");
        }
        h.key("Tab");
    }
    assert!(found, "a long-text item:\n{}", h.screen());
    paste(&mut h, "afspraak dinsdag\rGeplakt A");
    let screen = h.screen();
    assert!(
        screen
            .lines()
            .any(|l| l.contains("afspraak dinsdag") && !l.contains("Geplakt")),
        "{screen}"
    );
    assert!(screen.contains("Geplakt A"), "{screen}");
}

#[test]
fn an_organisation_card_is_read_shown_with_its_fingerprint_and_pinned() {
    use safevisit::cards::OrgCard;
    use safevisit::signing::SigningKey;
    use safevisit::store::recipients::Recipient;
    let tmp = tempfile::tempdir().unwrap();
    let card = OrgCard {
        organisation: "Jeugdzorg Voorbeeldstad".into(),
        recipients: vec![Recipient::from(
            age::x25519::Identity::generate().to_public(),
        )],
        backup_recipients: vec![Recipient::from(
            age::x25519::Identity::generate().to_public(),
        )],
        signing_key: SigningKey::generate().unwrap().public().clone(),
    };
    let path = tmp.path().join("organisatie.card");
    std::fs::write(&path, card.to_text()).unwrap();
    // A changed card is refused, and nothing is kept.
    let damaged = tmp.path().join("veranderd.card");
    std::fs::write(&damaged, card.to_text().replace("Voorbeeldstad", "Nepstad")).unwrap();
    let mut h = at_recipients();
    h.text(&damaged.display().to_string()).key("Enter");
    assert!(message(&h).contains("vingerafdruk"), "{}", message(&h));
    assert!(!h.has("Organisatiekaart:"), "{}", h.screen());
    h.key("Ctrl-u");
    for _ in 0..200 {
        h.key("Backspace");
    }

    h.text(&path.display().to_string()).key("Enter");
    assert!(
        h.has("Organisatiekaart: Jeugdzorg Voorbeeldstad"),
        "{}",
        h.screen()
    );
    assert!(h.has(&card.fingerprint()), "{}", h.screen());
    assert!(message(&h).contains(&card.fingerprint()), "{}", message(&h));
    // Two keys on the card: no single-key warning.
    assert!(!h.has("met één sleutel"), "{}", h.screen());
    h.key("Tab").text("laptop-3").key("Enter");
    h.text(tui_support::PASSPHRASE).key("Enter");
    h.text(tui_support::PASSPHRASE).key("Enter");
    assert_eq!(h.shell.port.org_card.as_ref(), Some(&card));
}
