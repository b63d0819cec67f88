//! A draft whose organisation checklist was removed, broken (left out of the
//! catalog) or replaced by another version opens without a panic, through
//! the real vault and the real app: the worker is told what happened (Dutch
//! first), the answers that still fit are shown, the rest stay in the record
//! as orphans after saving and finalizing, and the checklist's red flags stay.

mod vault_support;

use std::path::Path;
use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use safevisit::checklist::{Catalog, SourceFile};
use safevisit::i18n::{Lang, Text};
use safevisit::store::Vault;
use safevisit::store::checklist_folder::{FOLDER, read_checklist_folder};
use safevisit::store::envelope::open_record;
use safevisit::tui::app::{Options, SequentialIds, State};
use safevisit::tui::event::{Event, Key};
use safevisit::tui::shell::Shell;
use safevisit::tui::store_port::{InitSettings, StoreVault};
use safevisit::tui::theme::Theme;
use safevisit::visit::record::{AnswerValue, CursorRecord, FlagRecord, PersonRecord, VisitRecord};
use safevisit::visit::{Answer, Child, Person, Roster, SecretText, Sheet, Visit};
use time::Duration;
use time::macros::{date, datetime};
use vault_support::{PASSPHRASE, test_vault};

const ID: &str = "00000000-0000-4000-8000-000000000001";
const FILE: &str = "kersen-netwerk.toml";

/// The organisation's checklist as the draft was started with it.
const V1: &str = r#"format = 1
id = "kersen-netwerk"
version = 1
applies_to = "visit"
title = { nl = "Netwerkkaart", en = "Network map" }
description = { nl = "Wie helpt dit gezin?", en = "Who helps this family?" }
notice = { nl = "Beslisondersteuning, geen besluit.", en = "Decision support, not a decision." }

[[sections]]
id = "netwerk"
title = { nl = "Netwerk", en = "Network" }

[[sections.items]]
id = "opvang"
kind = "single_choice"
text = { nl = "Is er opvang voor de kinderen?", en = "Is there care for the children?" }
options = [
  { id = "ja", nl = "Ja", en = "Yes" },
  { id = "deels", nl = "Deels", en = "Partly" },
  { id = "nee", nl = "Nee", en = "No" },
]

[[sections.items.red_flags]]
id = "geen_opvang"
when = 'opvang == "nee"'
level = "acute"
message = { nl = "Er is geen opvang voor de kinderen.", en = "There is no care for the children." }
action = { nl = "Regel vandaag opvang.", en = "Arrange care today." }

[[sections.items]]
id = "hulp"
kind = "single_choice"
text = { nl = "Wie helpt er?", en = "Who helps?" }
options = [
  { id = "familie", nl = "Familie", en = "Family" },
  { id = "buren", nl = "Buren", en = "Neighbours" },
]

[[sections.items]]
id = "toelichting"
kind = "short_text"
text = { nl = "Toelichting", en = "Explanation" }
"#;

/// Another version: `hulp`'s option `buren` renamed, `toelichting` gone.
const V2: &str = r#"format = 1
id = "kersen-netwerk"
version = 2
applies_to = "visit"
title = { nl = "Netwerkkaart", en = "Network map" }
description = { nl = "Wie helpt dit gezin?", en = "Who helps this family?" }
notice = { nl = "Beslisondersteuning, geen besluit.", en = "Decision support, not a decision." }

[[sections]]
id = "netwerk"
title = { nl = "Netwerk", en = "Network" }

[[sections.items]]
id = "opvang"
kind = "single_choice"
text = { nl = "Is er opvang voor de kinderen?", en = "Is there care for the children?" }
options = [
  { id = "ja", nl = "Ja", en = "Yes" },
  { id = "deels", nl = "Deels", en = "Partly" },
  { id = "nee", nl = "Nee", en = "No" },
]

[[sections.items.red_flags]]
id = "geen_opvang"
when = 'opvang == "nee"'
level = "acute"
message = { nl = "Er is geen opvang voor de kinderen.", en = "There is no care for the children." }
action = { nl = "Regel vandaag opvang.", en = "Arrange care today." }

[[sections.items]]
id = "hulp"
kind = "single_choice"
text = { nl = "Wie helpt er?", en = "Who helps?" }
options = [
  { id = "familie", nl = "Familie", en = "Family" },
  { id = "buurt", nl = "Buurt", en = "Neighbourhood" },
]
"#;

/// A syntax error: the catalog leaves the file out.
const BROKEN: &str = "format = 1\nid = \"kersen-netwerk\"\nversion = 2\n[[sections]\n";

fn catalog(dir: &Path) -> Catalog {
    let extra = read_checklist_folder(&dir.join(FOLDER)).unwrap();
    Catalog::build(SourceFile::bundled(), extra)
}

fn write_checklist(dir: &Path, text: Option<&str>) {
    let path = dir.join(FOLDER).join(FILE);
    match text {
        Some(t) => {
            std::fs::create_dir_all(dir.join(FOLDER)).unwrap();
            std::fs::write(path, t).unwrap();
        }
        None => std::fs::remove_file(path).unwrap(),
    }
}

/// A draft of Familie Kersenboom (Iris, Ruben, Mila) with the organisation
/// checklist (and the bundled safety check when `veiligheid`): three
/// answers, an acute flag not yet acknowledged, the cursor on `hulp`.
fn start_draft(dir: &Path, veiligheid: bool) -> age::x25519::Identity {
    let (mut vault, org) = test_vault(dir);
    write_checklist(dir, Some(V1));
    let cat = catalog(dir);
    assert!(cat.problems.is_empty());
    let c = cat
        .get("kersen-netwerk")
        .expect("the organisation checklist")
        .clone();
    let mut visit = Visit::new(
        ID.into(),
        "Kersenboom".into(),
        date!(2026 - 03 - 04),
        datetime!(2026-03-04 9:00),
    );
    visit.roster = Roster {
        children: ["Iris", "Ruben", "Mila"]
            .iter()
            .zip([9u8, 6, 2])
            .enumerate()
            .map(|(i, (alias, age))| Child {
                id: i as u32 + 1,
                alias: alias.to_string(),
                age,
            })
            .collect(),
        caregivers: Vec::new(),
    };
    if veiligheid {
        let v = cat.get("veiligheid").unwrap().clone();
        visit.sheets.push(Sheet::new(v, Person::Visit));
    }
    let mut sheet = Sheet::new(c.clone(), Person::Visit);
    let at = |id: &str| c.item_index(id).unwrap();
    sheet.answers[at("opvang")] = Some(Answer::Choice(2));
    sheet.answers[at("hulp")] = Some(Answer::Choice(1));
    sheet.answers[at("toelichting")] = Some(Answer::Text(SecretText::new(
        "Oma Kersenboom haalt Mila op woensdag",
    )));
    visit.sheets.push(sheet);
    let mut rec = visit.to_record();
    rec.flags.push(FlagRecord {
        checklist: "kersen-netwerk".into(),
        person: PersonRecord::Visit,
        flag: "geen_opvang".into(),
        item: Some("opvang".into()),
        entry: None,
        level: "acute".into(),
        message: Text::new(
            "Er is geen opvang voor de kinderen.",
            "There is no care for the children.",
        ),
        advice: Text::new("Regel vandaag opvang.", "Arrange care today."),
        raised_at: "2026-03-04T09:05:00".into(),
        acknowledged_at: None,
        action_taken: SecretText::new(""),
        state: "active".into(),
        state_at: None,
        withdrawn_reason: SecretText::new(""),
    });
    rec.cursor = Some(CursorRecord {
        checklist: "kersen-netwerk".into(),
        person: PersonRecord::Visit,
        item: "hulp".into(),
        entry: None,
    });
    vault.save_draft(&rec).unwrap();
    org
}

struct App {
    shell: Shell<TestBackend, StoreVault>,
}

impl App {
    /// The app on `dir` as it starts now: the catalog read from the
    /// organisation's folder, the real vault, unlocked, the draft opened.
    fn open_draft(dir: &Path) -> App {
        let now = datetime!(2026-03-04 10:00);
        let state = State::new(Options {
            lang: Lang::Nl,
            theme: Theme::from_no_color(true),
            size: (80, 24),
            now,
            lock_after: Duration::minutes(5),
            catalog: Arc::new(catalog(dir)),
            ids: Box::new(SequentialIds::default()),
            vault_exists: true,
        });
        let vault = Vault::open(dir).unwrap();
        let port = StoreVault::new(dir, Some(vault), InitSettings::default());
        let terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut app = App {
            shell: Shell::new(terminal, state, port),
        };
        app.text(PASSPHRASE).key("Enter");
        assert!(app.has("Concepten (1)"), "{}", app.screen());
        app.key("Enter");
        app
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

    fn screen(&self) -> String {
        safevisit::replay::run::screen_text(self.shell.terminal.backend())
    }

    fn has(&self, s: &str) -> bool {
        self.screen().contains(s)
    }

    /// The message under the screen, in Dutch.
    fn message(&self) -> String {
        self.shell
            .state
            .message
            .as_ref()
            .map(|m| m.text.nl.clone())
            .unwrap_or_default()
    }

    fn vault(&mut self) -> &mut Vault {
        self.shell.port.vault().unwrap()
    }

    /// Acknowledge the flag panel, review and finalize.
    fn acknowledge_and_finalize(&mut self) {
        assert!(self.has("RODE VLAG · ACUUT"), "{}", self.screen());
        self.text("Iris en Ruben slapen bij oma").key("Enter");
        assert!(!self.has("RODE VLAG"), "{}", self.screen());
        if !self.has("Controleren en afronden") {
            self.key("F6");
        }
        assert!(self.has("Controleren en afronden"), "{}", self.screen());
        self.key("Alt-f").text("Kers").key("Enter");
        assert!(
            self.message().contains("Bezoek afgerond (nummer 1)"),
            "{}",
            self.screen()
        );
    }

    fn finalized(&mut self, org: &age::x25519::Identity) -> VisitRecord {
        let files = self.vault().finalized_records(false).unwrap();
        assert_eq!(files.len(), 1);
        open_record(&files[0].ciphertext, &[org]).unwrap()
    }
}

fn orphan<'a>(rec: &'a VisitRecord, item: &str) -> Option<&'a AnswerValue> {
    rec.orphans
        .iter()
        .find(|o| o.checklist == "kersen-netwerk" && o.item == item)
        .map(|o| &o.value)
}

fn assert_flag_kept(rec: &VisitRecord) {
    let f = rec
        .flags
        .iter()
        .find(|f| f.flag == "geen_opvang")
        .expect("the flag of the organisation checklist is kept");
    assert_eq!(f.checklist, "kersen-netwerk");
    assert!(f.acknowledged_at.is_some());
    assert_eq!(f.action_taken.as_str(), "Iris en Ruben slapen bij oma");
}

fn assert_all_kept_aside(rec: &VisitRecord) {
    assert!(
        rec.sheets
            .iter()
            .all(|s| s.checklist.id != "kersen-netwerk")
    );
    assert_eq!(
        orphan(rec, "opvang"),
        Some(&AnswerValue::Choice("nee".into()))
    );
    assert_eq!(
        orphan(rec, "hulp"),
        Some(&AnswerValue::Choice("buren".into()))
    );
    assert!(matches!(
        orphan(rec, "toelichting"),
        Some(AnswerValue::Text(t)) if t.as_str() == "Oma Kersenboom haalt Mila op woensdag"
    ));
}

/// The removed and the broken checklist: the only checklist of the draft.
fn gone_only_checklist(replacement: Option<&str>) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let org = start_draft(&dir, false);
    match replacement {
        Some(t) => write_checklist(&dir, Some(t)),
        None => write_checklist(&dir, None),
    }
    let mut app = App::open_draft(&dir);
    let msg = app.message();
    assert!(
        msg.starts_with("Let op: Checklist kersen-netwerk (versie 1) is er niet meer of heeft een fout. 3 antwoorden staan apart en blijven bewaard, ook na afronden. Rode vlaggen ervan blijven staan."),
        "{msg}"
    );
    assert!(
        app.has("Let op: Checklist kersen-netwerk"),
        "{}",
        app.screen()
    );
    let en = app.shell.state.message.as_ref().unwrap().text.en.clone();
    assert!(en.contains("no longer available"), "{en}");
    // Saved as it is: the answers are orphans in the draft.
    app.text("Iris en Ruben slapen bij oma").key("Enter");
    let draft = app.vault().load_draft(ID).unwrap();
    assert_all_kept_aside(&draft);
    // Nothing to ask: Esc keeps the review, which finalizes what is there.
    app.key("Esc");
    assert!(app.has("Controleren en afronden"), "{}", app.screen());
    assert!(app.message().contains("geen vragen"), "{}", app.message());
    app.key("Alt-f").text("Kers").key("Enter");
    assert!(
        app.message().contains("Bezoek afgerond (nummer 1)"),
        "{}",
        app.screen()
    );
    let rec = app.finalized(&org);
    assert_all_kept_aside(&rec);
    assert_flag_kept(&rec);
}

#[test]
fn a_draft_whose_only_checklist_was_removed_opens_and_finalizes() {
    gone_only_checklist(None);
}

#[test]
fn a_draft_whose_only_checklist_is_broken_opens_and_finalizes() {
    gone_only_checklist(Some(BROKEN));
}

#[test]
fn a_draft_keeps_the_answers_of_a_removed_checklist_beside_a_bundled_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let org = start_draft(&dir, true);
    write_checklist(&dir, None);
    let mut app = App::open_draft(&dir);
    assert!(
        app.message().contains("is er niet meer"),
        "{}",
        app.message()
    );
    app.text("Iris en Ruben slapen bij oma").key("Enter");
    // The safety check is shown as usual.
    assert!(app.has("Veiligheidscheck"), "{}", app.screen());
    app.key("F6").key("Alt-f").text("Kers").key("Enter");
    assert!(
        app.message().contains("Bezoek afgerond (nummer 1)"),
        "{}",
        app.screen()
    );
    let rec = app.finalized(&org);
    assert!(rec.sheets.iter().any(|s| s.checklist.id == "veiligheid"));
    assert_all_kept_aside(&rec);
    assert_flag_kept(&rec);
}

#[test]
fn a_draft_of_another_checklist_version_shows_what_fits_and_keeps_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let org = start_draft(&dir, false);
    write_checklist(&dir, Some(V2));
    let mut app = App::open_draft(&dir);
    let msg = app.message();
    assert!(
        msg.contains("Checklist kersen-netwerk is nu versie 2 (was 1). 2 antwoorden passen niet meer; apart bewaard."),
        "{msg}"
    );
    app.acknowledge_and_finalize();
    let rec = app.finalized(&org);
    let sheet = rec
        .sheets
        .iter()
        .find(|s| s.checklist.id == "kersen-netwerk")
        .expect("the sheet, now of version 2");
    assert_eq!(sheet.checklist.version, 2);
    // The answer that still fits is in the sheet; the others are orphans.
    assert!(
        sheet
            .answers
            .iter()
            .any(|a| a.item == "opvang" && a.value == AnswerValue::Choice("nee".into()))
    );
    assert_eq!(orphan(&rec, "opvang"), None);
    assert_eq!(
        orphan(&rec, "hulp"),
        Some(&AnswerValue::Choice("buren".into()))
    );
    assert!(orphan(&rec, "toelichting").is_some());
    assert_flag_kept(&rec);
}
