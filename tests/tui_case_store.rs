//! Cases from the home screen against a real vault (`StoreVault`): the
//! card a finalize made is listed and opened; closing it with a reason
//! deletes the card and puts the closure, with that reason, in the vault's
//! list for the office — also after the vault is opened again.

mod vault_support;
use vault_support as common;

use std::path::Path;
use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use safevisit::checklist::Catalog;
use safevisit::i18n::Lang;
use safevisit::store::Vault;
use safevisit::tui::app::{Options, SequentialIds, State};
use safevisit::tui::event::{Event, Key};
use safevisit::tui::shell::Shell;
use safevisit::tui::store_port::{InitSettings, StoreVault};
use safevisit::tui::theme::Theme;
use time::Duration;
use time::macros::datetime;

fn shell(dir: &Path) -> Shell<TestBackend, StoreVault> {
    let state = State::new(Options {
        lang: Lang::Nl,
        theme: Theme::from_no_color(true),
        size: (80, 24),
        now: datetime!(2026-03-04 10:00),
        lock_after: Duration::minutes(5),
        catalog: Arc::new(Catalog::bundled()),
        ids: Box::new(SequentialIds::default()),
        vault_exists: true,
    });
    let port = StoreVault::new(
        dir,
        Some(Vault::open(dir).unwrap()),
        InitSettings::default(),
    );
    let mut s = Shell::new(
        Terminal::new(TestBackend::new(80, 24)).unwrap(),
        state,
        port,
    );
    for c in common::PASSPHRASE.chars() {
        s.handle(Event::Key(Key::Char(c)));
    }
    s.handle(Event::Key(Key::Enter));
    s.draw().unwrap();
    s
}

fn keys(s: &mut Shell<TestBackend, StoreVault>, names: &[&str]) {
    for n in names {
        s.handle(Event::Key(Key::parse(n).unwrap()));
    }
    s.draw().unwrap();
}

fn screen(s: &Shell<TestBackend, StoreVault>) -> String {
    safevisit::replay::run::screen_text(s.terminal.backend())
}

#[test]
fn a_case_closed_on_screen_is_gone_and_its_closure_waits_for_the_office() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (mut v, _org) = common::test_vault(&dir);
    v.finalize(
        common::record("bezoek-k", "Kersenboom", 3, 1, 1),
        common::summary(),
        "2026-03-01T11:00:00",
    )
    .unwrap();
    drop(v);

    let mut s = shell(&dir);
    assert!(screen(&s).contains("Casussen (1)"), "{}", screen(&s));
    keys(&mut s, &["Tab", "Enter"]);
    assert!(screen(&s).contains("Casus: Kersenboom"), "{}", screen(&s));
    // The fourth reason: the family no longer wants help.
    keys(&mut s, &["s", "Down", "Down", "Down", "Enter"]);
    assert!(screen(&s).contains("Gezin wil geen hulp meer"));
    for c in "kers".chars() {
        s.handle(Event::Key(Key::Char(c)));
    }
    keys(&mut s, &["Enter"]);
    assert!(
        screen(&s).contains("Casus Kersenboom gesloten"),
        "{}",
        screen(&s)
    );
    assert!(!screen(&s).contains("Casussen"));

    let vault = s.port.vault().unwrap();
    assert!(vault.cases().unwrap().is_empty());
    let closed = vault.closed_cases(true).unwrap();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].case_id, "bezoek-k");
    assert_eq!(closed[0].reason, "gestopt");
    assert_eq!(closed[0].closed_at, "2026-03-04T10:00:00");
    drop(s);

    // Opened again: still closed, still waiting for the next export.
    let mut v = common::reopen(&dir);
    assert!(v.case("bezoek-k").unwrap().is_none());
    assert_eq!(v.closed_cases(true).unwrap().len(), 1);
    assert_eq!(v.counts().unwrap().cases, 0);
}
