//! A receipt from the home screen, against a real vault: `o`, the path
//! typed or pasted, Enter. The visits that arrived leave the list (labels
//! and files); only their count stays. A receipt that does not verify, or
//! a FIFO, changes nothing and says why; quick-hide works while the path is
//! being typed.
//!
//! (The replay language cannot make a receipt — it needs the organisation's
//! signing key — so this is a test with its own harness instead of a
//! replay script.)

mod vault_support;
use vault_support as common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use safevisit::cards::OrgCard;
use safevisit::checklist::Catalog;
use safevisit::i18n::Lang;
use safevisit::receipt::{self, Receipt, ReceiptVisit};
use safevisit::signing::SigningKey;
use safevisit::store::Vault;
use safevisit::store::recipients::Recipient;
use safevisit::tui::app::{Options, SequentialIds, State};
use safevisit::tui::event::{Event, Key};
use safevisit::tui::shell::Shell;
use safevisit::tui::store_port::{InitSettings, StoreVault};
use safevisit::tui::theme::Theme;
use time::Duration;
use time::macros::datetime;

/// A laptop that took the organisation card, with draft Perenstraat,
/// exported Appelboom (1) and Kersenboom (2), finalized Appelboom vervolg
/// (3). Returns the organisation key and the receipt visits of 1 and 2.
fn setup(dir: &Path) -> (SigningKey, Vec<ReceiptVisit>) {
    let org = SigningKey::generate().unwrap();
    let office = age::x25519::Identity::generate();
    let mut opts = common::init_options(&office);
    opts.recipients.clear();
    let card = OrgCard {
        organisation: "Jeugdzorg Voorbeeldstad".into(),
        recipients: vec![Recipient::from(office.to_public())],
        backup_recipients: vec![],
        signing_key: org.public().clone(),
    };
    let mut v = Vault::init_with_org_card(dir, opts, &card).unwrap();
    v.save_draft(&common::record("bezoek-a", "Perenstraat", 3, 0, 1))
        .unwrap();
    for (id, label) in [
        ("bezoek-b", "Appelboom"),
        ("bezoek-c", "Kersenboom"),
        ("bezoek-d", "Appelboom vervolg"),
    ] {
        v.finalize(
            common::record(id, label, 3, 1, 1),
            common::summary(),
            "2025-03-04T11:00:00",
        )
        .unwrap();
    }
    v.mark_exported(&["bezoek-b".into(), "bezoek-c".into()])
        .unwrap();
    let visits = v
        .finalized_records(true)
        .unwrap()
        .into_iter()
        .filter(|f| f.exported)
        .map(|f| ReceiptVisit {
            id: f.visit_id,
            sequence: f.sequence,
            sha256: f.sha256,
        })
        .collect();
    (org, visits)
}

fn write_receipt(dir: &Path, out: &Path, key: &SigningKey, visits: Vec<ReceiptVisit>) {
    let mut v = Vault::open(dir).unwrap();
    v.unlock(&common::passphrase()).unwrap();
    let to = v.device_card().unwrap().recipient;
    let r = Receipt::new("device-test-1", 1, "2025-03-05T09:00:00", visits);
    std::fs::write(out, receipt::seal(&r, key, &to, 0).unwrap()).unwrap();
}

struct H {
    shell: Shell<TestBackend, StoreVault>,
}

impl H {
    fn new(dir: &Path, lang: Lang) -> H {
        let vault = Vault::open(dir).unwrap();
        let state = State::new(Options {
            lang,
            theme: Theme::from_no_color(true),
            size: (80, 24),
            now: datetime!(2026-03-04 10:00),
            lock_after: Duration::minutes(5),
            catalog: Arc::new(Catalog::bundled()),
            ids: Box::new(SequentialIds::default()),
            vault_exists: true,
        });
        let port = StoreVault::new(dir, Some(vault), InitSettings::default());
        let mut h = H {
            shell: Shell::new(
                Terminal::new(TestBackend::new(80, 24)).unwrap(),
                state,
                port,
            ),
        };
        h.text(common::PASSPHRASE).key("Enter");
        h
    }

    fn key(&mut self, name: &str) -> &mut Self {
        self.shell.handle(Event::Key(Key::parse(name).unwrap()));
        self.shell.draw().unwrap();
        self
    }

    fn text(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            self.shell.handle(Event::Key(Key::Char(c)));
        }
        self.shell.draw().unwrap();
        self
    }

    fn paste(&mut self, s: &str) -> &mut Self {
        self.shell.handle(Event::Paste(s.to_string()));
        self.shell.draw().unwrap();
        self
    }

    fn screen(&self) -> String {
        safevisit::replay::run::screen_text(self.shell.terminal.backend())
    }
}

/// The home screen from the list of visits down.
fn visits_part(screen: &str) -> &str {
    let at = screen
        .find(" Bezoeken ")
        .or_else(|| screen.find(" Visits "))
        .unwrap_or_else(|| panic!("no visits list:\n{screen}"));
    &screen[at..]
}

/// The home screen above the list of visits (the cases).
fn cases_part(screen: &str) -> &str {
    &screen[..screen.len() - visits_part(screen).len()]
}

fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "nl",
        Lang::En => "en",
    }
}

/// The tests of this file run one at a time: a process spawned by one test
/// (fork, then exec) holds a copy of every open file of this process until
/// its exec, so a vault another test had just closed could still look
/// locked (`AlreadyOpen`) for a moment.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn a_receipt_from_the_home_screen_drops_the_arrived_labels() {
    let _serial = serial();
    for lang in [Lang::Nl, Lang::En] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let (org, visits) = setup(&dir);
        let file: PathBuf = tmp.path().join("device-test-1-1.age");
        write_receipt(&dir, &file, &org, visits);

        let mut h = H::new(&dir, lang);
        let l = lang_name(lang);
        insta::assert_snapshot!(format!("receipt_home_before_{l}"), h.screen());
        h.key("o");
        insta::assert_snapshot!(format!("receipt_prompt_{l}"), h.screen());
        // Pasted, as from a file manager.
        h.paste(file.to_str().unwrap()).key("Enter");
        let after = h.screen();
        insta::assert_snapshot!(format!("receipt_home_after_{l}"), after);
        // The visits that arrived leave the list of visits; their cases stay
        // open (the family is still followed) until closed.
        let visits = visits_part(&after);
        assert!(!visits.contains("Kersenboom"), "{after}");
        assert!(visits.contains("Appelboom vervolg") && visits.contains("Perenstraat"));
        assert!(cases_part(&after).contains("Kersenboom"), "{after}");
        assert!(
            !after.contains(&*file.to_string_lossy()),
            "no path on screen"
        );

        // Locked and unlocked again: the same list and count.
        h.key("F8").text(common::PASSPHRASE).key("Enter");
        let again = h.screen();
        assert!(
            !visits_part(&again).contains("Kersenboom") && again.contains("(2)"),
            "{again}"
        );
    }
}

#[test]
fn a_receipt_that_does_not_verify_changes_nothing() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (_org, visits) = setup(&dir);
    let forged = tmp.path().join("forged.age");
    write_receipt(&dir, &forged, &SigningKey::generate().unwrap(), visits);
    let fifo = tmp.path().join("pipe.age");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );

    let mut h = H::new(&dir, Lang::Nl);
    let before = h.screen();
    h.key("o").text(forged.to_str().unwrap()).key("Enter");
    let s = h.screen();
    assert!(
        s.contains("Ontvangstbewijs niet verwerkt: de handtekening klopt niet"),
        "{s}"
    );
    assert!(s.contains("Kersenboom") && s.contains("Appelboom"));
    // The message aside, the list is as it was.
    let list = |s: &str| s.lines().take(18).collect::<Vec<_>>().join("\n");
    assert_eq!(list(&s), list(&before));

    // A FIFO is refused at once (the test would hang otherwise).
    h.key("o").text(fifo.to_str().unwrap()).key("Enter");
    let s = h.screen();
    assert!(s.contains("pijp (FIFO)"), "{s}");
    assert!(s.contains("Kersenboom"));

    // Enter on an empty path keeps the prompt open and says what to do.
    h.key("o").key("Enter");
    assert!(h.screen().contains("Typ of plak eerst het pad"));
    h.key("Esc");

    drop(h);
    let mut v = Vault::open(&dir).unwrap();
    v.unlock(&common::passphrase()).unwrap();
    assert_eq!(v.list().unwrap().len(), 4);
    assert_eq!(v.arrived().unwrap().visits, 0);
}

#[test]
fn quick_hide_and_lock_work_while_the_path_is_typed() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    setup(&dir);
    let mut h = H::new(&dir, Lang::Nl);
    h.key("o").text("/media/usb/ontvangst");
    assert!(h.screen().contains("/media/usb/ontvangst"));
    h.key("Ctrl-Space");
    let hidden = h.screen();
    assert!(
        hidden.trim().is_empty(),
        "quick-hide leaves nothing: {hidden}"
    );
    h.key("Enter");
    let s = h.screen();
    assert!(!s.contains("ontvangst") && !s.contains("Kersenboom"), "{s}");
    // Unlocked again: home without the prompt.
    h.text(common::PASSPHRASE).key("Enter");
    let s = h.screen();
    assert!(s.contains("Kersenboom") && !s.contains("/media/usb"), "{s}");
    // F8 locks from the prompt too.
    h.key("o").key("F8");
    assert!(!h.screen().contains("Kersenboom"));
}
