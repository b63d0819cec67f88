//! `safevisit checklists preview`: the real app on a throw-away visit of
//! the checklists an author is writing. The vault lives in memory only
//! (nothing is written anywhere, there is no passphrase), the roster is a
//! fictional family made from the command line, and the app opens straight
//! in the visit. Every screen says that it is a preview (`State::preview`).
//!
//! Pure: no I/O; the shell of the command reads the files and runs the
//! terminal.

use std::path::{Path, PathBuf};

use secrecy::SecretString;
use time::{Date, PrimitiveDateTime};

use crate::case::CaseCard;
use crate::checklist::Catalog;
use crate::checklist::model::AppliesTo;
use crate::i18n::Text;
use crate::tui::app::{Screen, State};
use crate::tui::event::{CaseEntry, ExportDone, ListEntry, UnlockFailure};
use crate::tui::memory_vault::MemoryVault;
use crate::tui::screens::visit::{VisitScreen, sheet_order};
use crate::tui::shell::VaultPort;
use crate::visit::record::VisitRecord;
use crate::visit::{Caregiver, Child, Cursor, SheetStatus, Visit};

/// The fictional children of a preview, in order (docs/DOMAIN: invented
/// families only).
const CHILDREN: &[&str] = &[
    "Mila", "Noor", "Sem", "Finn", "Lieke", "Daan", "Eva", "Bram",
];
/// The fictional caregivers of a preview: alias and role.
const CAREGIVERS: &[(&str, &str)] = &[
    ("Iris", "moeder"),
    ("Ruben", "vader"),
    ("Lotte", "pleegmoeder"),
    ("Bram", "opa"),
];

/// The vault of a preview: in memory only. Any passphrase opens it (a lock
/// by F8, quick-hide or idle time then needs no secret), and it exports
/// nothing and takes no receipts.
pub struct PreviewVault {
    inner: MemoryVault,
}

const KEY: &str = "preview";

impl Default for PreviewVault {
    fn default() -> Self {
        PreviewVault::new()
    }
}

impl PreviewVault {
    pub fn new() -> PreviewVault {
        let mut inner = MemoryVault::with_passphrase(KEY);
        // Opened from the start: the preview begins in the visit.
        let _ = inner.unlock(SecretString::from(KEY.to_string()));
        PreviewVault { inner }
    }

    /// What the preview holds (tests).
    pub fn memory(&self) -> &MemoryVault {
        &self.inner
    }
}

fn nothing_leaves() -> Text {
    Text::new(
        "Dit is een voorbeeld: er wordt niets bewaard of geëxporteerd.",
        "This is a preview: nothing is kept or exported.",
    )
}

impl VaultPort for PreviewVault {
    fn init(
        &mut self,
        _recipients: &[String],
        _org_card: Option<&crate::cards::OrgCard>,
        _device_name: &str,
        _passphrase: SecretString,
    ) -> Result<(), Text> {
        Err(nothing_leaves())
    }

    fn unlock(&mut self, _passphrase: SecretString) -> Result<Vec<ListEntry>, UnlockFailure> {
        self.inner.unlock(SecretString::from(KEY.to_string()))
    }

    fn lock(&mut self) {
        self.inner.lock()
    }

    fn list(&mut self) -> Result<Vec<ListEntry>, Text> {
        self.inner.list()
    }

    fn load_draft(&mut self, id: &str) -> Result<VisitRecord, Text> {
        self.inner.load_draft(id)
    }

    fn save_draft(&mut self, record: &VisitRecord) -> Result<(), Text> {
        self.inner.save_draft(record)
    }

    fn discard_draft(&mut self, id: &str) -> Result<(), Text> {
        self.inner.discard_draft(id)
    }

    fn finalize(&mut self, record: VisitRecord) -> Result<u64, Text> {
        self.inner.finalize(record)
    }

    fn export(
        &mut self,
        _out: Option<PathBuf>,
        _all: bool,
        _now: PrimitiveDateTime,
    ) -> Result<ExportDone, Text> {
        Err(nothing_leaves())
    }

    fn arrived(&mut self) -> u64 {
        0
    }

    fn apply_receipt(&mut self, _path: &Path) -> Result<Text, Text> {
        Err(nothing_leaves())
    }

    fn cases(&mut self, today: Date) -> Result<Vec<CaseEntry>, Text> {
        self.inner.cases(today)
    }

    fn case(&mut self, id: &str) -> Result<Option<CaseCard>, Text> {
        self.inner.case(id)
    }

    fn close_case(&mut self, id: &str, reason: &str, now: PrimitiveDateTime) -> Result<(), Text> {
        self.inner.close_case(id, reason, now)
    }

    fn case_retention_days(&mut self) -> u32 {
        self.inner.case_retention_days()
    }
}

/// Who is in the preview's household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewRoster {
    /// One child per age (`--child-age`, repeatable).
    pub child_ages: Vec<u8>,
    /// How many caregivers (`--caregivers`).
    pub caregivers: u8,
}

/// The checklists of a preview: those named, and every checklist they refer
/// to (so a condition on another checklist can be tried), in catalog order.
pub fn preview_checklists(catalog: &Catalog, ids: &[String]) -> Vec<String> {
    let mut wanted: Vec<String> = Vec::new();
    let mut todo: Vec<String> = ids.to_vec();
    while let Some(id) = todo.pop() {
        if wanted.contains(&id) {
            continue;
        }
        if let Some(c) = catalog.get(&id) {
            todo.extend(c.foreign.iter().cloned());
            wanted.push(id);
        }
    }
    catalog
        .all()
        .iter()
        .filter(|c| wanted.contains(&c.id))
        .map(|c| c.id.clone())
        .collect()
}

/// The preview's visit: a fictional household (Kersenboom) with the
/// children and caregivers asked for, and the checklists of `ids` (and what
/// they refer to). A per-child checklist with no child asked for gets one
/// child at the youngest age of its first age band.
pub fn preview_visit(
    catalog: &Catalog,
    ids: &[String],
    roster: &PreviewRoster,
    id: String,
    now: PrimitiveDateTime,
) -> Result<Visit, Text> {
    let lists = preview_checklists(catalog, ids);
    let mut ages = roster.child_ages.clone();
    if ages.is_empty()
        && let Some(c) = lists
            .iter()
            .filter_map(|id| catalog.get(id))
            .find(|c| c.applies_to == AppliesTo::Child)
    {
        ages.push(c.age_bands.first().map_or(8, |b| b.min));
    }
    let mut visit = Visit::new(id, "Kersenboom (voorbeeld)".into(), now.date(), now);
    visit.place = "voorbeeld".into();
    let mut next = 0u32;
    for (i, age) in ages.iter().enumerate() {
        next += 1;
        let alias = match CHILDREN.get(i) {
            Some(a) => (*a).to_string(),
            None => format!("Kind {}", i + 1),
        };
        visit.roster.children.push(Child {
            id: next,
            alias,
            age: *age,
        });
    }
    for i in 0..usize::from(roster.caregivers) {
        next += 1;
        let (alias, role) = match CAREGIVERS.get(i) {
            Some((a, r)) => ((*a).to_string(), (*r).to_string()),
            None => (format!("Verzorger {}", i + 1), "verzorger".to_string()),
        };
        visit.roster.caregivers.push(Caregiver {
            id: next,
            alias,
            role,
        });
    }
    for id in &lists {
        if let Some(c) = catalog.get(id) {
            visit.use_checklist(c);
        }
    }
    if visit
        .sheets
        .iter()
        .all(|s| s.status == SheetStatus::OutsideBands)
    {
        return Err(Text::new(
            "Er is niets in te vullen: geef kinderen van de goede leeftijd (--child-age) of verzorgers (--caregivers).",
            "There is nothing to fill in: give children of the right age (--child-age) or caregivers (--caregivers).",
        ));
    }
    // Start at the first list the author named (a list it refers to, such
    // as the visit-wide veiligheid, may come first on screen).
    if let Some(&sheet) = sheet_order(&visit).iter().find(|&&s| {
        ids.contains(&visit.sheets[s].checklist.id)
            && visit.sheets[s].status != SheetStatus::OutsideBands
    }) {
        visit.cursor = Cursor {
            sheet,
            item: 0,
            entry: None,
        };
    }
    Ok(visit)
}

/// Put the app in preview: opened, straight into `visit`, marked as a
/// preview on every screen, and never locked for idle time (a lock by F8
/// or quick-hide opens with any passphrase).
pub fn enter_preview(state: &mut State, visit: Visit) {
    state.preview = true;
    state.unlocked = true;
    state.lock_after = time::Duration::days(365);
    state.last_input = state.now;
    let now = state.now;
    state.screen = Screen::Visit(Box::new(VisitScreen::resume(visit, now)));
}

/// The catalog ids of the checklists read from `paths`, as the catalog
/// holds them (`None` for a file that did not load).
pub fn ids_from(catalog: &Catalog, paths: &[String]) -> Vec<Option<String>> {
    paths
        .iter()
        .map(|p| {
            catalog
                .all()
                .iter()
                .find(|c| c.path == *p)
                .map(|c| c.id.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::{Options, SequentialIds};
    use crate::tui::event::{Event, Key};
    use crate::tui::shell::Shell;
    use crate::tui::theme::Theme;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use std::sync::Arc;
    use time::macros::datetime;

    fn roster(ages: &[u8], caregivers: u8) -> PreviewRoster {
        PreviewRoster {
            child_ages: ages.to_vec(),
            caregivers,
        }
    }

    #[test]
    fn nothing_is_exported_from_a_preview() {
        let mut v = PreviewVault::new();
        let now = datetime!(2026-03-04 10:00);
        let e = v.export(None, true, now).unwrap_err();
        assert!(e.en.contains("nothing is kept or exported"));
        assert!(v.apply_receipt(Path::new("r.age")).is_err());
    }

    #[test]
    fn the_household_is_fictional_and_the_lists_referred_to_come_along() {
        let catalog = Catalog::bundled();
        let now = datetime!(2026-03-04 10:00);
        let ids = vec!["trauma-kind".to_string()];
        let visit = preview_visit(&catalog, &ids, &roster(&[2, 9], 1), "v".into(), now).unwrap();
        let children: Vec<(&str, u8)> = visit
            .roster
            .children
            .iter()
            .map(|c| (c.alias.as_str(), c.age))
            .collect();
        assert_eq!(children, vec![("Mila", 2), ("Noor", 9)]);
        assert_eq!(visit.roster.caregivers.len(), 1);
        assert_eq!(visit.roster.caregivers[0].alias, "Iris");
        // trauma-kind refers to veiligheid: it is in the visit too.
        let lists: Vec<&str> = visit
            .sheets
            .iter()
            .map(|s| s.checklist.id.as_str())
            .collect();
        assert!(lists.contains(&"veiligheid"), "{lists:?}");
        assert!(lists.contains(&"trauma-kind"), "{lists:?}");
        assert!(!lists.contains(&"hulp-en-regie"), "{lists:?}");
        // It starts on the list the author named, not on veiligheid.
        assert_eq!(visit.sheets[visit.cursor.sheet].checklist.id, "trauma-kind");
    }

    #[test]
    fn a_per_child_list_without_children_gets_one_child_in_its_first_band() {
        let catalog = Catalog::bundled();
        let now = datetime!(2026-03-04 10:00);
        let ids = vec!["trauma-kind".to_string()];
        let visit = preview_visit(&catalog, &ids, &roster(&[], 0), "v".into(), now).unwrap();
        let band = &catalog.get("trauma-kind").unwrap().age_bands[0];
        assert_eq!(visit.roster.children.len(), 1);
        assert_eq!(visit.roster.children[0].age, band.min);
    }

    fn screen(shell: &Shell<TestBackend, PreviewVault>) -> String {
        crate::replay::run::screen_text(shell.terminal.backend())
    }

    #[test]
    fn every_screen_says_preview_and_any_passphrase_opens() {
        let catalog = Arc::new(Catalog::bundled());
        let now = datetime!(2026-03-04 10:00);
        let visit = preview_visit(
            &catalog,
            &["veiligheid".to_string()],
            &roster(&[2], 2),
            "v".into(),
            now,
        )
        .unwrap();
        let mut state = State::new(Options {
            lang: crate::i18n::Lang::Nl,
            theme: Theme::from_no_color(true),
            size: (80, 24),
            now,
            lock_after: time::Duration::minutes(5),
            catalog,
            ids: Box::new(SequentialIds::default()),
            vault_exists: true,
        });
        enter_preview(&mut state, visit);
        let terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut shell = Shell::new(terminal, state, PreviewVault::new());
        shell.draw().unwrap();
        let marker = "VOORBEELD / PREVIEW — niets wordt bewaard";
        assert!(screen(&shell).contains(marker), "{}", screen(&shell));
        assert!(screen(&shell).contains("Veiligheidscheck"));
        // An answer is kept in memory only.
        shell.handle(Event::Key(Key::Char('n')));
        shell.handle(Event::Tick(now + time::Duration::seconds(2)));
        shell.draw().unwrap();
        assert_eq!(shell.port.memory().records().count(), 1);
        // Idle time never locks a preview.
        shell.handle(Event::Tick(now + time::Duration::hours(3)));
        shell.draw().unwrap();
        assert!(screen(&shell).contains(marker), "{}", screen(&shell));
        // F8 locks; any passphrase opens again, back in the visit.
        shell.handle(Event::Key(Key::F(8)));
        shell.draw().unwrap();
        assert!(
            screen(&shell).contains("VOORBEELD — elk wachtwoord opent"),
            "{}",
            screen(&shell)
        );
        shell.handle(Event::Key(Key::Char('x')));
        shell.handle(Event::Key(Key::Enter));
        shell.draw().unwrap();
        assert!(
            screen(&shell).contains("Veiligheidscheck"),
            "{}",
            screen(&shell)
        );
        // A window too small says it too.
        shell.terminal.backend_mut().resize(40, 10);
        shell.handle(Event::Resize(40, 10));
        shell.draw().unwrap();
        assert!(
            screen(&shell).contains("VOORBEELD / PREVIEW"),
            "{}",
            screen(&shell)
        );
        shell.terminal.backend_mut().resize(80, 24);
        shell.handle(Event::Resize(80, 24));
        shell.draw().unwrap();
        // The home screen and the quit question say it too.
        shell.handle(Event::Key(Key::F(10)));
        shell.draw().unwrap();
        assert!(screen(&shell).contains(marker), "{}", screen(&shell));
        assert!(
            screen(&shell).contains("Concepten (1)"),
            "{}",
            screen(&shell)
        );
        shell.handle(Event::Key(Key::Char('q')));
        shell.draw().unwrap();
        assert!(
            screen(&shell).contains("Dit is een voorbeeld: alles wat u invulde"),
            "{}",
            screen(&shell)
        );
    }
}
