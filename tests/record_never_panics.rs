//! Property test: a visit record whose sheets, answers, cursor or flags name
//! checklists, items, options, sections, entries or persons that do not exist
//! never panics in `Visit::from_record`, in `VisitScreen::resume`, in the
//! view, or under the keys of the visit screen; and every answer the record
//! held is still in the visit (shown, or kept aside as an orphan).

mod tui_support;

use proptest::prelude::*;
use safevisit::i18n::Text;
use safevisit::tui::app::Screen;
use safevisit::tui::event::{Event, Key};
use safevisit::tui::screens::visit::VisitScreen;
use safevisit::visit::SecretText;
use safevisit::visit::record::{
    AnswerRecord, AnswerValue, CaregiverRecord, ChecklistStamp, ChildRecord, CursorRecord,
    EarlierVersion, EntryRecord, FlagRecord, PendingRecord, PersonRecord, SheetRecord, VisitRecord,
};
use safevisit::visit::{Visit, derive};
use tui_support::Harness;

const CHECKLISTS: &[&str] = &["engine-bezoek", "engine-kind", "netwerkkaart"];
const ITEMS: &[&str] = &[
    "gezien",
    "toelichting",
    "gesproken",
    "alleen",
    "woorden",
    "gevoel",
    "cijfer",
    "gewicht",
    "sinds",
    "waarom",
    "wie",
    "dringend",
    "waarom_dringend",
    "opvang",
];
const SECTIONS: &[&str] = &["basis", "extra", "afspraken", "netwerk"];
const OPTIONS: &[&str] = &["ja", "nee", "onbekend", "bang", "boos", "deels"];
const LEVELS: &[&str] = &["acute", "structural", "attention"];

fn pick(list: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(list).prop_map(str::to_string)
}

fn person() -> impl Strategy<Value = PersonRecord> {
    prop_oneof![
        Just(PersonRecord::Visit),
        (0u32..5).prop_map(PersonRecord::Child),
        (0u32..7).prop_map(PersonRecord::Caregiver),
    ]
}

fn value() -> impl Strategy<Value = AnswerValue> {
    prop_oneof![
        pick(OPTIONS).prop_map(AnswerValue::Choice),
        prop::collection::vec(pick(OPTIONS), 0..4).prop_map(AnswerValue::Multi),
        prop_oneof![
            any::<f64>(),
            Just(f64::NAN),
            Just(f64::INFINITY),
            -5.0f64..300.0
        ]
        .prop_map(AnswerValue::Number),
        "[a-z ]{0,12}".prop_map(|t| AnswerValue::Text(SecretText::new(t))),
        prop_oneof![
            Just("2026-01-15".to_string()),
            Just("2026-13-45".to_string()),
            "[0-9-]{0,10}"
        ]
        .prop_map(AnswerValue::Date),
    ]
}

fn answer() -> impl Strategy<Value = AnswerRecord> {
    (pick(ITEMS), value()).prop_map(|(item, value)| AnswerRecord { item, value })
}

fn sheet() -> impl Strategy<Value = SheetRecord> {
    (
        pick(CHECKLISTS),
        0u32..4,
        person(),
        prop::collection::vec(answer(), 0..6),
        prop::collection::vec(
            (
                pick(SECTIONS),
                prop::collection::vec(answer(), 0..3),
                prop::option::of(person()),
            )
                .prop_map(|(section, answers, person)| EntryRecord {
                    section,
                    answers,
                    person,
                    previous: None,
                }),
            0..4,
        ),
        // 5: a status no version of safevisit writes.
        0usize..6,
    )
        .prop_map(
            |(id, version, person, answers, entries, status)| SheetRecord {
                checklist: ChecklistStamp {
                    id,
                    version,
                    hash: "0".repeat(64),
                },
                person,
                answers,
                entries,
                status: [
                    "afgenomen",
                    "niet_aanwezig",
                    "bewust_niet",
                    "weigert",
                    "te_jong",
                    "onbekend",
                ][status]
                    .into(),
                status_reason: SecretText::new(if status > 0 { "niet thuis" } else { "" }),
                // Items no checklist has, next to real ones, under a version
                // and hash that match nothing.
                earlier: vec![EarlierVersion {
                    version: 0,
                    hash: String::new(),
                    items: vec!["bestaat_niet".into(), "kind_veilig".into(), String::new()],
                }],
            },
        )
}

fn flag() -> impl Strategy<Value = FlagRecord> {
    (
        pick(CHECKLISTS),
        person(),
        prop::option::of(pick(ITEMS)),
        prop::option::of(0u32..6),
        pick(LEVELS),
        any::<bool>(),
        0u8..4,
    )
        .prop_map(
            |(checklist, person, item, entry, level, acknowledged, state)| FlagRecord {
                checklist,
                person,
                flag: "vlag".into(),
                item,
                entry,
                level,
                message: Text::new("Een vlag.", "A flag."),
                advice: Text::new("Doe iets.", "Do something."),
                raised_at: "2026-03-04T09:05:00".into(),
                acknowledged_at: acknowledged.then(|| "2026-03-04T09:06:00".into()),
                action_taken: SecretText::new(if acknowledged { "gebeld" } else { "" }),
                // 3: a state no version of safevisit writes.
                state: ["active", "lapsed", "withdrawn", "onbekend"][state as usize].into(),
                state_at: (state > 0).then(|| "2026-03-04T09:07:00".into()),
                withdrawn_reason: SecretText::new(if state == 2 { "vergissing" } else { "" }),
            },
        )
}

fn record() -> impl Strategy<Value = VisitRecord> {
    (
        prop::collection::vec(sheet(), 0..4),
        prop::collection::vec(flag(), 0..3),
        prop::option::of(
            (
                pick(CHECKLISTS),
                person(),
                pick(ITEMS),
                prop::option::of(0u32..6),
            )
                .prop_map(|(checklist, person, item, entry)| CursorRecord {
                    checklist,
                    person,
                    item,
                    entry,
                }),
        ),
        0usize..3,
        prop::collection::vec(
            (
                pick(CHECKLISTS),
                person(),
                pick(ITEMS),
                prop::option::of(0u32..6),
                pick(&["12", "75", "28-11-2026", "vandaag", "x"]),
            )
                .prop_map(|(checklist, person, item, entry, text)| PendingRecord {
                    checklist,
                    person,
                    item,
                    entry,
                    text: SecretText::new(text),
                }),
            0..3,
        ),
    )
        .prop_map(|(sheets, flags, cursor, kids, pending)| VisitRecord {
            case_id: "00000000-0000-4000-8000-000000000001".into(),
            follow_up: None,
            read_back_at: None,
            case_keeps: Vec::new(),
            id: "00000000-0000-4000-8000-000000000001".into(),
            label: "Kersenboom".into(),
            date: "2026-03-04".into(),
            place: "thuis".into(),
            present: "Iris, Ruben, Mila".into(),
            children: [("Iris", 9u8), ("Ruben", 6), ("Mila", 2)]
                .iter()
                .take(kids)
                .enumerate()
                .map(|(i, (alias, age))| ChildRecord {
                    id: i as u32 + 1,
                    alias: alias.to_string(),
                    age: *age,
                })
                .collect(),
            caregivers: vec![CaregiverRecord {
                id: 4,
                alias: "Eva".into(),
                role: "moeder".into(),
            }],
            sheets,
            flags,
            cursor,
            created_at: "2026-03-04T09:00:00".into(),
            updated_at: "2026-03-04T09:10:00".into(),
            orphans: Vec::new(),
            finalized: None,
            pending,
            removed: Vec::new(),
        })
}

const KEYS: &[&str] = &[
    "Tab", "BackTab", "Enter", "Esc", "Down", "Up", "Left", "Right", "j", "1", "Delete",
    "PageDown", "PageUp", "F2", "F3", "F4", "F5", "F6", "Alt-n", "Alt-d", "F1", "End",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn any_record_opens_and_draws_without_a_panic(
        rec in record(),
        keys in prop::collection::vec(prop::sample::select(KEYS), 0..14),
    ) {
        let catalog = Harness::fixture_catalog();
        let (visit, _notes) = match Visit::from_record(&rec, |id| catalog.get(id).cloned()) {
            Ok(v) => v,
            Err(_) => return Ok(()),
        };
        // Every answer of the record is in the visit: on a sheet or aside.
        let held: usize = rec
            .sheets
            .iter()
            .map(|s| s.answers.len() + s.entries.iter().map(|e| e.answers.len()).sum::<usize>())
            .sum();
        let shown: usize = visit.to_record().sheets.iter().map(|s| {
            s.answers.len() + s.entries.iter().map(|e| e.answers.len()).sum::<usize>()
        }).sum();
        prop_assert_eq!(shown + visit.orphans.len(), held);
        prop_assert_eq!(visit.flags.len(), rec.flags.len());
        let _ = derive(&visit);
        let mut h = Harness::unlocked_fixture();
        let now = h.now;
        h.shell.state.screen = Screen::Visit(Box::new(VisitScreen::resume(visit, now)));
        h.shell.draw().unwrap();
        for k in keys {
            h.key(k);
        }
        h.shell.handle(Event::Key(Key::Char('x')));
        h.shell.handle(Event::Paste("plak\rtekst".into()));
        h.shell.draw().unwrap();
    }
}
