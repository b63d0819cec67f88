//! Writes `tests/replay/full-visit.replay`: a whole visit of Familie
//! Appelboom (Noor 5 and Sem 11, Lotte and Bram) through every bundled
//! checklist, by driving the real app and answering whatever it asks.
//! Regenerate it when a bundled checklist changes:
//!
//!     cargo run --example full_visit_script > tests/replay/full-visit.replay

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use safevisit::checklist::Catalog;
use safevisit::checklist::model::ItemKind;
use safevisit::i18n::Lang;
use safevisit::replay::script::default_now;
use safevisit::tui::app::{Options, Screen, SequentialIds, State};
use safevisit::tui::event::{Event, Key};
use safevisit::tui::memory_vault::MemoryVault;
use safevisit::tui::screens::visit::Pos;
use safevisit::tui::shell::Shell;
use safevisit::tui::theme::Theme;
use time::Duration;

const PASSPHRASE: &str = "appelboom tuinhek regenjas zeventien";

struct Gen {
    shell: Shell<TestBackend, MemoryVault>,
    out: Vec<String>,
    keys: Vec<String>,
}

impl Gen {
    fn flush(&mut self) {
        if self.keys.is_empty() {
            return;
        }
        // Runs of the same key as `Key*N`.
        let mut parts: Vec<String> = Vec::new();
        let mut i = 0;
        while i < self.keys.len() {
            let mut n = 1;
            while i + n < self.keys.len() && self.keys[i + n] == self.keys[i] {
                n += 1;
            }
            parts.push(if n > 1 {
                format!("{}*{n}", self.keys[i])
            } else {
                self.keys[i].clone()
            });
            i += n;
        }
        self.out.push(format!("key {}", parts.join(" ")));
        self.keys.clear();
    }

    fn key(&mut self, k: Key) {
        self.shell.handle(Event::Key(k));
        self.keys.push(k.name());
    }

    fn text(&mut self, s: &str) {
        self.flush();
        for c in s.chars() {
            self.shell.handle(Event::Key(Key::Char(c)));
        }
        self.out.push(format!(
            "type \"{}\"",
            s.replace('\\', "\\\\").replace('"', "\\\"")
        ));
    }

    fn line(&mut self, l: &str) {
        self.flush();
        self.out.push(l.to_string());
    }

    fn visit(&self) -> Option<&safevisit::tui::screens::visit::VisitScreen> {
        match &self.shell.state.screen {
            Screen::Visit(v) => Some(v),
            _ => None,
        }
    }
}

fn main() {
    let state = State::new(Options {
        lang: Lang::Nl,
        theme: Theme::from_no_color(true),
        size: (80, 24),
        now: default_now(),
        lock_after: Duration::minutes(5),
        catalog: Arc::new(Catalog::bundled()),
        ids: Box::new(SequentialIds::default()),
        vault_exists: true,
    });
    let shell = Shell::new(
        Terminal::new(TestBackend::new(80, 24)).unwrap(),
        state,
        MemoryVault::with_passphrase(PASSPHRASE),
    );
    let mut g = Gen {
        shell,
        out: Vec::new(),
        keys: Vec::new(),
    };
    g.out
        .push("# A whole visit of Familie Appelboom (fictional): Noor (5) and Sem (11),".into());
    g.out
        .push("# Lotte (moeder) and Bram (vader), through all five bundled checklists,".into());
    g.out
        .push("# with red flags raised and acknowledged, free text typed, and the visit".into());
    g.out
        .push("# finalized. Written by `cargo run --example full_visit_script`.".into());
    g.out.push(String::new());
    g.out.push(format!("passphrase \"{PASSPHRASE}\""));
    g.text(PASSPHRASE);
    g.key(Key::Enter);
    g.line("expect \"Concepten (0)\"");
    g.out.push(String::new());
    g.out.push("# The visit and the household.".into());
    g.key(Key::Char('n'));
    g.text("Appelboom");
    g.key(Key::Tab);
    g.key(Key::Tab);
    g.text("thuis, woonkamer");
    g.key(Key::Tab);
    g.text("Lotte, Bram, Noor en Sem");
    for (alias, age) in [("Noor", "5"), ("Sem", "11")] {
        g.key(Key::Alt('k'));
        g.text(alias);
        g.key(Key::Enter);
        g.text(age);
        g.key(Key::Enter);
    }
    for (alias, role) in [("Lotte", "moeder"), ("Bram", "vader")] {
        g.key(Key::Alt('o'));
        g.text(alias);
        g.key(Key::Enter);
        g.text(role);
        g.key(Key::Enter);
    }
    g.line("expect \"Sem, 11 jaar\"");
    g.key(Key::Down);
    for _ in 0..14 {
        g.key(Key::Down);
    }
    g.key(Key::Enter);
    g.line("expect \"Veiligheidscheck — bezoek\"");

    let mut last_header = String::new();
    let mut entries_added = std::collections::HashSet::new();
    let mut flagged_once = false;
    for _ in 0..5000 {
        let Some(v) = g.visit() else { break };
        if v.in_review() {
            break;
        }
        if v.flag_panel_open() {
            g.line("expect \"RODE VLAG\"");
            g.text("Besproken met Lotte en Bram; vandaag gebeld met Veilig Thuis.");
            g.key(Key::Enter);
            continue;
        }
        let pos = v.position();
        let visit = &v.visit;
        match pos {
            Pos::AddEntry { sheet, section } => {
                if entries_added.insert((sheet, section)) {
                    g.key(Key::Enter);
                } else {
                    g.key(Key::Tab);
                }
            }
            Pos::Item { sheet, item, .. } => {
                let s = &visit.sheets[sheet];
                let c = s.checklist.clone();
                let it = &c.items[item];
                let who = match s.person {
                    safevisit::visit::Person::Visit => "bezoek".to_string(),
                    p => visit.roster.name(p),
                };
                let header = format!(
                    "{} — {who} — {}",
                    c.title.nl, c.sections[it.section].title.nl
                );
                let answered = s
                    .answer(
                        item,
                        match pos {
                            Pos::Item { entry, .. } => entry,
                            _ => None,
                        },
                    )
                    .is_some();
                if header != last_header {
                    g.flush();
                    g.out.push(String::new());
                    g.out.push(format!("# {header}"));
                    last_header = header;
                }
                if answered {
                    // Answered already (before a red-flag panel came up): move on.
                    g.key(Key::Tab);
                    continue;
                }
                match &it.kind {
                    ItemKind::YesNo | ItemKind::YesNoUnknown => {
                        // One structural worry of this family under stress: quarrels that come back.
                        if it.id == "herhaald_geweld" && !flagged_once {
                            flagged_once = true;
                            g.key(Key::Char('j'));
                        } else {
                            g.key(Key::Char('n'));
                        }
                    }
                    ItemKind::Single => g.key(Key::Char('1')),
                    ItemKind::Multi => g.key(Key::Char('1')),
                    ItemKind::Scale { min, max, .. } => {
                        let v = (min + 1).min(*max);
                        for d in v.to_string().chars() {
                            g.key(Key::Char(d));
                        }
                    }
                    ItemKind::ShortText { .. } => g.text("Lotte en Bram samen"),
                    ItemKind::LongText { .. } => {
                        g.text("Sem zegt dat hij zich verstopt als het luid wordt.")
                    }
                    ItemKind::Number { min, .. } => {
                        g.text(&format!("{}", min.unwrap_or(1.0).max(1.0) as i64))
                    }
                    ItemKind::Date => g.text("2026-03-18"),
                }
                if !g.visit().is_some_and(|v| v.flag_panel_open()) {
                    g.key(Key::Tab);
                }
            }
        }
    }
    g.line("expect \"Controleren en afronden\"");
    g.key(Key::Tab);
    g.line("expect \"beslisondersteuning, geen besluit\"");
    g.key(Key::Alt('f'));
    g.line("expect \"NIET meer openen\"");
    g.line("expect \"typ „Appe”\"");
    g.text("Appe");
    g.key(Key::Enter);
    g.line("expect \"Bezoek afgerond (nummer 1)\"");
    g.line("expect \"Klaar voor export (1)\"");
    g.flush();
    println!("{}", g.out.join("\n"));
}
