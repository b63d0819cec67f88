//! A headless harness for the TUI: the real `update` and `view` on a
//! `TestBackend`, with an in-memory vault and a hand-moved clock.
#![allow(dead_code)]

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use safevisit::checklist::Catalog;
use safevisit::i18n::Lang;
use safevisit::tui::app::{Options, SequentialIds, State};
use safevisit::tui::event::{Event, Key};
use safevisit::tui::memory_vault::MemoryVault;
use safevisit::tui::shell::Shell;
use safevisit::tui::theme::Theme;
use time::macros::datetime;
use time::{Duration, PrimitiveDateTime};

pub const PASSPHRASE: &str = "appelboom kersen peer wortel";

pub struct Harness {
    pub shell: Shell<TestBackend, MemoryVault>,
    pub now: PrimitiveDateTime,
}

impl Harness {
    /// A first run (no vault yet).
    pub fn first_run(lang: Lang) -> Harness {
        Harness::new(lang, MemoryVault::default(), false)
    }

    /// A vault that exists and is locked.
    pub fn locked(lang: Lang) -> Harness {
        Harness::new(lang, MemoryVault::with_passphrase(PASSPHRASE), true)
    }

    pub fn new(lang: Lang, vault: MemoryVault, exists: bool) -> Harness {
        Harness::with_catalog(lang, vault, exists, Catalog::bundled())
    }

    /// The engine's test checklists (every item kind), for stable screens.
    pub fn fixture_catalog() -> Catalog {
        use safevisit::checklist::SourceFile;
        use safevisit::checklist::model::Origin;
        let files = ["engine-bezoek.toml", "engine-kind.toml"]
            .iter()
            .map(|f| {
                let path = format!(
                    "{}/tests/fixtures/checklists/{f}",
                    env!("CARGO_MANIFEST_DIR")
                );
                SourceFile {
                    bytes: std::fs::read(&path).unwrap(),
                    origin: Origin::File(f.to_string()),
                    path: f.to_string(),
                }
            })
            .collect();
        let c = Catalog::build(Vec::new(), files);
        assert!(c.problems.is_empty());
        c
    }

    pub fn with_catalog(lang: Lang, vault: MemoryVault, exists: bool, catalog: Catalog) -> Harness {
        let now = datetime!(2026-03-04 10:00);
        let state = State::new(Options {
            lang,
            theme: Theme::from_no_color(true),
            size: (80, 24),
            now,
            lock_after: Duration::minutes(5),
            catalog: Arc::new(catalog),
            ids: Box::new(SequentialIds::default()),
            vault_exists: exists,
        });
        let terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut h = Harness {
            shell: Shell::new(terminal, state, vault),
            now,
        };
        h.shell.draw().unwrap();
        h
    }

    pub fn key(&mut self, name: &str) -> &mut Self {
        let key = Key::parse(name).unwrap_or_else(|| panic!("bad key {name}"));
        self.shell.handle(Event::Key(key));
        self.shell.draw().unwrap();
        self
    }

    pub fn keys(&mut self, names: &[&str]) -> &mut Self {
        for n in names {
            self.key(n);
        }
        self
    }

    pub fn text(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            self.shell.handle(Event::Key(Key::Char(c)));
        }
        self.shell.draw().unwrap();
        self
    }

    pub fn wait(&mut self, d: Duration) -> &mut Self {
        self.now += d;
        self.shell.handle(Event::Tick(self.now));
        self.shell.draw().unwrap();
        self
    }

    pub fn resize(&mut self, w: u16, h: u16) -> &mut Self {
        self.shell.terminal.backend_mut().resize(w, h);
        self.shell.handle(Event::Resize(w, h));
        self.shell.draw().unwrap();
        self
    }

    /// The screen as text, one line per row, trailing spaces trimmed.
    pub fn screen(&self) -> String {
        safevisit::replay::run::screen_text(self.shell.terminal.backend())
    }

    pub fn has(&self, s: &str) -> bool {
        self.screen().contains(s)
    }

    /// The engine's test checklists in an unlocked in-memory vault: where
    /// most flows start.
    pub fn unlocked_fixture() -> Harness {
        let mut h = Harness::with_catalog(
            Lang::Nl,
            MemoryVault::with_passphrase(PASSPHRASE),
            true,
            Harness::fixture_catalog(),
        );
        h.unlock();
        h
    }

    pub fn unlock(&mut self) -> &mut Self {
        self.text(PASSPHRASE).key("Enter")
    }
}

/// Familie Appelboom as a new visit: Noor (5), Sem (11), Lotte and Bram.
pub fn start_appelboom(h: &mut Harness) {
    h.key("n");
    h.text("Appelboom")
        .key("Tab")
        .key("Tab")
        .text("thuis")
        .key("Tab")
        .text("Lotte, Bram, Noor, Sem");
    h.key("Alt-k")
        .text("Noor")
        .key("Enter")
        .text("5")
        .key("Enter");
    h.key("Alt-k")
        .text("Sem")
        .key("Enter")
        .text("11")
        .key("Enter");
    h.key("Alt-o")
        .text("Lotte")
        .key("Enter")
        .text("moeder")
        .key("Enter");
    h.key("Alt-o")
        .text("Bram")
        .key("Enter")
        .text("vader")
        .key("Enter");
    // Down to "Start visit" and go.
    for _ in 0..20 {
        h.key("Down");
    }
    h.key("Enter");
}
