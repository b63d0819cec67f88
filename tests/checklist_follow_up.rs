//! Follow-up visits in the engine, on the fixture checklists
//! `engine-vervolg.toml` (per visit) and `engine-vervolg-kind.toml` (per
//! child): sections with one entry per agreement, flag and scaling answer
//! of the previous visit, made by the program and hidden in a first visit;
//! their titles; `previous(item)`, `previous.value` and `follow_up` in
//! conditions; the items a case card keeps for the next visit.

use std::sync::Arc;

use safevisit::checklist::model::{Origin, PreviousKind};
use safevisit::checklist::{Catalog, Checklist, SourceFile};
use safevisit::i18n::Text;
use safevisit::visit::record::{
    AgreementRecord, AnswerValue, CaseFlagRecord, FollowUpRecord, KeptItem, PersonRecord,
    PreviousRef, PreviousValueRecord, ScalingRecord,
};
use safevisit::visit::{Answer, AnswerError, Caregiver, Child, Person, SecretText, Visit, derive};
use time::macros::{date, datetime};

const NOW: time::PrimitiveDateTime = datetime!(2026-04-04 10:00);
const JA: Option<Answer> = Some(Answer::Choice(0));
const NEE: Option<Answer> = Some(Answer::Choice(1));

fn fixture(name: &str) -> SourceFile {
    let path = format!(
        "{}/tests/fixtures/checklists/{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    SourceFile {
        bytes: std::fs::read(&path).unwrap(),
        origin: Origin::File(path.clone()),
        path,
    }
}

fn catalog() -> Catalog {
    let cat = Catalog::build(
        Vec::new(),
        vec![fixture("engine-vervolg"), fixture("engine-vervolg-kind")],
    );
    for p in &cat.problems {
        for d in &p.diagnostics {
            eprintln!("{d}");
        }
    }
    assert!(cat.problems.is_empty());
    cat
}

fn vervolg() -> Arc<Checklist> {
    catalog().get("engine-vervolg").unwrap().clone()
}

/// Familie Kersenboom: Iris (moeder), Ruben (vader), Mila (2).
fn kersenboom(checklists: &[&Arc<Checklist>]) -> Visit {
    let mut visit = Visit::new("v2".into(), "Kersenboom".into(), date!(2026 - 04 - 04), NOW);
    visit.roster.caregivers = vec![
        Caregiver {
            id: 1,
            alias: "Iris".into(),
            role: "moeder".into(),
        },
        Caregiver {
            id: 2,
            alias: "Ruben".into(),
            role: "vader".into(),
        },
    ];
    visit.roster.children = vec![Child {
        id: 3,
        alias: "Mila".into(),
        age: 2,
    }];
    for c in checklists {
        visit.use_checklist(c);
    }
    visit
}

fn flag(person: PersonRecord, message: &str, action: &str) -> CaseFlagRecord {
    CaseFlagRecord {
        checklist: "engine-vervolg".into(),
        person,
        flag: "een_vlag".into(),
        level: "acute".into(),
        message: Text::new(message, format!("{message} (en)")),
        state: "active".into(),
        action_taken: SecretText::new(action),
        raised_on: "2026-03-04".into(),
    }
}

fn value(checklist: &str, person: PersonRecord, item: &str, v: AnswerValue) -> PreviousValueRecord {
    PreviousValueRecord {
        checklist: checklist.into(),
        person,
        item: item.into(),
        value: v,
    }
}

/// What the first visit of the Kersenboom case left behind: two
/// agreements, an active flag for the visit and one for Mila, two scaling
/// answers, and the verdict "onveilig" with a score of 3.
fn follow_up() -> FollowUpRecord {
    FollowUpRecord {
        follows: "v1".into(),
        previous_date: "2026-03-04".into(),
        agreements: vec![
            AgreementRecord {
                who: SecretText::new("Iris (moeder)"),
                what: SecretText::new("naar de huisarts"),
                by_when: Some("2026-12-20".into()),
                if_wrong: SecretText::new("belt de wijkteammedewerker"),
            },
            AgreementRecord {
                who: SecretText::new("Ruben"),
                what: SecretText::new("slaapt bij zijn broer als de ruzie oploopt"),
                by_when: None,
                if_wrong: SecretText::default(),
            },
        ],
        flags: vec![
            flag(
                PersonRecord::Visit,
                "Acuut gevaar voor ernstig geweld.",
                "Overlegd met Veilig Thuis",
            ),
            flag(PersonRecord::Child(3), "Mila slaapt slecht.", ""),
        ],
        scaling: vec![
            ScalingRecord {
                who: SecretText::new("Iris"),
                role: Some("ouder".into()),
                about: SecretText::new("Mila"),
                value: 4,
            },
            ScalingRecord {
                who: SecretText::new("Ruben"),
                role: None,
                about: SecretText::default(),
                value: 7,
            },
        ],
        values: vec![
            value(
                "engine-vervolg",
                PersonRecord::Visit,
                "oordeel",
                AnswerValue::Choice("onveilig".into()),
            ),
            value(
                "engine-vervolg",
                PersonRecord::Visit,
                "cijfer",
                AnswerValue::Number(3.0),
            ),
            value(
                "engine-vervolg-kind",
                PersonRecord::Child(3),
                "slaapt_goed",
                AnswerValue::Choice("nee".into()),
            ),
        ],
        verdict: None,
        evaluation_date: None,
    }
}

fn section(c: &Checklist, id: &str) -> usize {
    c.section_index(id).unwrap()
}

fn item(c: &Checklist, id: &str) -> usize {
    c.item_index(id).unwrap()
}

fn fired(visit: &Visit, sheet: usize) -> Vec<(String, Option<usize>)> {
    let d = derive(visit);
    let c = &visit.sheets[sheet].checklist;
    d.sheets[sheet]
        .flags
        .iter()
        .map(|f| (c.red_flags[f.flag].id.clone(), f.entry))
        .collect()
}

#[test]
fn a_first_visit_shows_no_follow_up_section_and_misses_nothing_there() {
    let c = vervolg();
    let visit = kersenboom(&[&c]);
    assert!(!visit.is_follow_up());
    let d = derive(&visit);
    for id in ["terug", "afspraken_terug", "signalen_terug", "schaal_terug"] {
        let s = section(&c, id);
        assert!(!d.sheets[0].section_visible[s], "{id} is shown");
        assert!(visit.sheets[0].entries[s].is_empty(), "{id} has entries");
        assert_eq!(d.sheets[0].progress[s].required, 0, "{id}");
    }
    assert!(d.sheets[0].section_visible[section(&c, "nu")]);
    // Only `oordeel` is missing: nothing of the follow-up sections.
    let missing: Vec<&str> = d.sheets[0]
        .missing
        .iter()
        .map(|m| c.items[m.item].id.as_str())
        .collect();
    assert_eq!(missing, ["oordeel"]);
    // `previous(oordeel)` is missing in a first visit: the flag that reads
    // it stays quiet even when this visit says "onveilig".
    let mut visit = visit;
    visit
        .set_answer(0, item(&c, "oordeel"), None, Some(Answer::Choice(0)), NOW)
        .unwrap();
    assert!(fired(&visit, 0).is_empty());
}

#[test]
fn a_follow_up_makes_one_entry_per_agreement_flag_and_scaling_answer() {
    let c = vervolg();
    let mut visit = kersenboom(&[&c]);
    visit.start_follow_up(follow_up(), "v1".into());
    assert!(visit.is_follow_up());
    assert_eq!(visit.case_id, "v1");
    let s = &visit.sheets[0];
    let refs = |id: &str| s.entry_previous[section(&c, id)].clone();
    let r = |kind, index| Some(PreviousRef { kind, index });
    assert_eq!(
        refs("afspraken_terug"),
        [r(PreviousKind::Agreement, 0), r(PreviousKind::Agreement, 1)]
    );
    // A visit-level checklist gets every flag, the child's too.
    assert_eq!(
        refs("signalen_terug"),
        [r(PreviousKind::Flag, 0), r(PreviousKind::Flag, 1)]
    );
    assert_eq!(
        refs("schaal_terug"),
        [r(PreviousKind::Scaling, 0), r(PreviousKind::Scaling, 1)]
    );
    assert_eq!(s.entries[section(&c, "afspraken_terug")].len(), 2);
    let d = derive(&visit);
    for id in ["terug", "afspraken_terug", "signalen_terug", "schaal_terug"] {
        assert!(d.sheets[0].section_visible[section(&c, id)], "{id}");
    }
    // Starting again (a resumed draft) makes nothing twice.
    assert!(!visit.sync_roster_entries(NOW));
    assert_eq!(
        visit.sheets[0].entries[section(&c, "schaal_terug")].len(),
        2
    );
}

#[test]
fn follow_up_entries_cannot_be_added_or_removed_by_hand() {
    let c = vervolg();
    let mut visit = kersenboom(&[&c]);
    visit.start_follow_up(follow_up(), "v1".into());
    let s = section(&c, "afspraken_terug");
    assert_eq!(visit.add_entry(0, s, NOW), Err(AnswerError::FromFollowUp));
    assert_eq!(
        visit.remove_entry(0, s, 0, NOW),
        Err(AnswerError::FromFollowUp)
    );
    assert_eq!(visit.sheets[0].entries[s].len(), 2);
    assert_ne!(
        AnswerError::FromFollowUp.to_string(),
        AnswerError::FromRoster.to_string()
    );
}

#[test]
fn a_sheet_added_after_the_start_gets_its_entries_and_a_child_only_its_own_flags() {
    let cat = catalog();
    let c = cat.get("engine-vervolg").unwrap().clone();
    let kind = cat.get("engine-vervolg-kind").unwrap().clone();
    let mut visit = kersenboom(&[&c]);
    visit.start_follow_up(follow_up(), "v1".into());
    visit.use_checklist(&kind);
    let sheet = visit
        .sheets
        .iter()
        .position(|s| s.checklist.id == "engine-vervolg-kind")
        .unwrap();
    assert_eq!(visit.sheets[sheet].person, Person::Child(3));
    // Flag 1 was raised for Mila; flag 0 for the visit is not hers.
    assert_eq!(
        visit.sheets[sheet].entry_previous[section(&kind, "signalen_kind")],
        [Some(PreviousRef {
            kind: PreviousKind::Flag,
            index: 1
        })]
    );
    assert_eq!(
        visit
            .entry_title(sheet, section(&kind, "signalen_kind"), 0)
            .nl,
        "Acuut, Mila (2): Mila slaapt slecht."
    );
    // `previous(slaapt_goed)` reads Mila's own answer of last time.
    let d = derive(&visit);
    assert!(d.sheets[sheet].item_visible[item(&kind, "slaapt_nog_slecht")]);
}

#[test]
fn entry_titles_say_what_the_previous_visit_recorded_on_one_line() {
    let c = vervolg();
    let mut f = follow_up();
    f.agreements.push(AgreementRecord {
        who: SecretText::new("Iris"),
        what: SecretText::new(
            "gaat elke week met Mila naar het consultatiebureau en\nbelt de buurvrouw als het thuis niet gaat, ook in het weekend en in de vakanties",
        ),
        by_when: Some("2026-06-01".into()),
        if_wrong: SecretText::default(),
    });
    let mut visit = kersenboom(&[&c]);
    visit.start_follow_up(f, "v1".into());
    let title = |sec: &str, e: usize| visit.entry_title(0, section(&c, sec), e);
    assert_eq!(
        title("afspraken_terug", 0),
        Text::new(
            "Iris (moeder): naar de huisarts · uiterlijk 2026-12-20",
            "Iris (moeder): naar de huisarts · by 2026-12-20"
        )
    );
    assert_eq!(
        title("afspraken_terug", 1).nl,
        "Ruben: slaapt bij zijn broer als de ruzie oploopt"
    );
    let long = title("afspraken_terug", 2);
    assert!(long.nl.chars().count() <= 80, "{}", long.nl);
    assert!(long.nl.contains('…'), "{}", long.nl);
    assert!(!long.nl.contains('\n'));
    assert!(long.nl.ends_with("· uiterlijk 2026-06-01"), "{}", long.nl);
    assert_eq!(
        title("signalen_terug", 0),
        Text::new(
            "Acuut: Acuut gevaar voor ernstig geweld. · gedaan: Overlegd met Veilig Thuis",
            "Acute: Acuut gevaar voor ernstig geweld. (en) · done: Overlegd met Veilig Thuis"
        )
    );
    // A long flag message gives way to what was done.
    let mut f = follow_up();
    f.flags[0].message = Text::new(
        "Een ouder of verzorger dreigt met zelfdoding, en er is niemand die voor de kinderen zorgt.",
        "A parent threatens suicide.",
    );
    let mut other = kersenboom(&[&c]);
    other.start_follow_up(f, "v1".into());
    let t = other.entry_title(0, section(&c, "signalen_terug"), 0).nl;
    assert!(t.chars().count() <= 80, "{t}");
    assert!(t.ends_with("… · gedaan: Overlegd met Veilig Thuis"), "{t}");
    assert_eq!(title("schaal_terug", 0).nl, "Iris (ouder) gaf 4 over Mila");
    assert_eq!(
        title("schaal_terug", 0).en,
        "Iris (ouder) gave 4 about Mila"
    );
    assert_eq!(title("schaal_terug", 1).nl, "Ruben gaf 7");
}

#[test]
fn follow_up_entries_and_their_answers_survive_the_record() {
    let c = vervolg();
    let mut visit = kersenboom(&[&c]);
    visit.start_follow_up(follow_up(), "v1".into());
    let s = section(&c, "afspraken_terug");
    visit
        .set_answer(0, item(&c, "at_nagekomen"), Some(1), NEE, NOW)
        .unwrap();
    let rec = visit.to_record();
    assert_eq!(rec.case_id, "v1");
    assert_eq!(rec.follow_up.as_ref().unwrap().follows, "v1");
    let cat = catalog();
    let (back, _notes) = Visit::from_record(&rec, |id| cat.get(id).cloned()).unwrap();
    assert!(back.is_follow_up());
    assert_eq!(
        back.sheets[0].entry_previous,
        visit.sheets[0].entry_previous
    );
    assert_eq!(back.sheets[0].entries[s], visit.sheets[0].entries[s]);
    assert_eq!(back.entry_title(0, s, 0), visit.entry_title(0, s, 0));
    assert_eq!(
        fired(&back, 0),
        [("at_niet".to_string(), Some(1))],
        "the flag fires in the agreement that was not kept"
    );
}

#[test]
fn derivation_counts_follow_up_entries_like_any_entries() {
    let c = vervolg();
    let mut visit = kersenboom(&[&c]);
    visit.start_follow_up(follow_up(), "v1".into());
    let missing = |visit: &Visit| -> Vec<(String, Option<usize>)> {
        derive(visit).sheets[0]
            .missing
            .iter()
            .map(|m| (c.items[m.item].id.clone(), m.entry))
            .collect()
    };
    let m = missing(&visit);
    for e in [0, 1] {
        assert!(m.contains(&("at_nagekomen".into(), Some(e))), "{m:?}");
        assert!(m.contains(&("st_zorg".into(), Some(e))), "{m:?}");
        assert!(m.contains(&("sc_cijfer".into(), Some(e))), "{m:?}");
    }
    // Both agreements not kept: `at_wat` is asked in each, the aggregate
    // over the entries holds.
    for e in [0, 1] {
        visit
            .set_answer(0, item(&c, "at_nagekomen"), Some(e), NEE, NOW)
            .unwrap();
    }
    let m = missing(&visit);
    assert!(m.contains(&("at_wat".into(), Some(0))), "{m:?}");
    assert!(m.contains(&("at_wat".into(), Some(1))), "{m:?}");
    let d = derive(&visit);
    assert!(d.sheets[0].item_visible[item(&c, "nog_open")]);
    visit
        .set_answer(0, item(&c, "at_nagekomen"), Some(1), JA, NOW)
        .unwrap();
    let d = derive(&visit);
    assert!(!d.sheets[0].item_visible[item(&c, "nog_open")]);
}

#[test]
fn previous_reads_last_times_answer_and_is_missing_without_one() {
    let c = vervolg();
    let mut visit = kersenboom(&[&c]);
    visit.start_follow_up(follow_up(), "v1".into());
    let d = derive(&visit);
    // Last time "onveilig" with a 3: both questions are asked.
    assert!(d.sheets[0].item_visible[item(&c, "tb_zorg")]);
    assert!(d.sheets[0].item_visible[item(&c, "tb_cijfer_bekend")]);
    // `previous(oordeel) == "onveilig" and oordeel == "onveilig"`.
    assert!(!fired(&visit, 0).iter().any(|(f, _)| f == "nog_onveilig"));
    visit
        .set_answer(0, item(&c, "oordeel"), None, Some(Answer::Choice(0)), NOW)
        .unwrap();
    assert!(fired(&visit, 0).iter().any(|(f, _)| f == "nog_onveilig"));
    // This visit's `cijfer` does not change what `previous(cijfer)` reads.
    visit
        .set_answer(0, item(&c, "cijfer"), None, Some(Answer::Number(9.0)), NOW)
        .unwrap();
    assert!(derive(&visit).sheets[0].item_visible[item(&c, "tb_cijfer_bekend")]);

    // Last time "veilig", and no score kept: neither question.
    let mut f = follow_up();
    f.values = vec![value(
        "engine-vervolg",
        PersonRecord::Visit,
        "oordeel",
        AnswerValue::Choice("veilig".into()),
    )];
    let mut visit = kersenboom(&[&c]);
    visit.start_follow_up(f, "v1".into());
    let d = derive(&visit);
    assert!(!d.sheets[0].item_visible[item(&c, "tb_zorg")]);
    assert!(!d.sheets[0].item_visible[item(&c, "tb_cijfer_bekend")]);

    // A kept value that no longer fits the item reads as no answer.
    let mut f = follow_up();
    f.values = vec![value(
        "engine-vervolg",
        PersonRecord::Visit,
        "oordeel",
        AnswerValue::Choice("bestaat_niet".into()),
    )];
    let mut visit = kersenboom(&[&c]);
    visit.start_follow_up(f, "v1".into());
    assert!(!derive(&visit).sheets[0].item_visible[item(&c, "tb_zorg")]);
}

#[test]
fn previous_value_is_last_times_number_of_the_entrys_scaling_answer() {
    let c = vervolg();
    let mut visit = kersenboom(&[&c]);
    visit.start_follow_up(follow_up(), "v1".into());
    let cijfer = item(&c, "sc_cijfer");
    // Iris gave 4: a 2 is a drop of 2. Ruben gave 7: a 6 is no drop of 2.
    visit
        .set_answer(0, cijfer, Some(0), Some(Answer::Number(2.0)), NOW)
        .unwrap();
    visit
        .set_answer(0, cijfer, Some(1), Some(Answer::Number(6.0)), NOW)
        .unwrap();
    assert_eq!(fired(&visit, 0), [("sc_gedaald".to_string(), Some(0))]);
    visit
        .set_answer(0, cijfer, Some(0), Some(Answer::Number(3.0)), NOW)
        .unwrap();
    assert!(fired(&visit, 0).is_empty());
}

#[test]
fn the_loader_lists_the_items_read_with_previous_and_the_record_keeps_them() {
    let cat = catalog();
    let c = cat.get("engine-vervolg").unwrap().clone();
    let kind = cat.get("engine-vervolg-kind").unwrap().clone();
    let ids = |c: &Checklist| -> Vec<String> {
        c.previous_items
            .iter()
            .map(|&i| c.items[i].id.clone())
            .collect()
    };
    assert_eq!(ids(&c), ["oordeel", "cijfer"]);
    assert_eq!(ids(&kind), ["slaapt_goed"]);
    let visit = kersenboom(&[&c, &kind]);
    let keeps = visit.to_record().case_keeps;
    let k = |checklist: &str, item: &str| KeptItem {
        checklist: checklist.into(),
        item: item.into(),
    };
    assert_eq!(
        keeps,
        [
            k("engine-vervolg", "oordeel"),
            k("engine-vervolg", "cijfer"),
            k("engine-vervolg-kind", "slaapt_goed")
        ]
    );
}

#[test]
fn the_case_card_of_a_first_visit_feeds_the_follow_up() {
    use safevisit::case::CaseCard;

    let c = vervolg();
    let mut first = kersenboom(&[&c]);
    first.id = "v1".into();
    first.case_id = "v1".into();
    first
        .set_answer(0, item(&c, "oordeel"), None, Some(Answer::Choice(0)), NOW)
        .unwrap();
    first
        .set_answer(0, item(&c, "cijfer"), None, Some(Answer::Number(3.0)), NOW)
        .unwrap();
    let card = CaseCard::from_record(&first.to_record(), None);

    let mut visit = kersenboom(&[&c]);
    visit.start_follow_up(card.follow_up(), card.case_id.clone());
    assert_eq!(visit.case_id, "v1");
    let d = derive(&visit);
    assert!(d.sheets[0].item_visible[item(&c, "tb_zorg")]);
    assert!(d.sheets[0].item_visible[item(&c, "tb_cijfer_bekend")]);
    // That first visit had no agreements, flags or scaling answers (the
    // card reads them from `veiligheid`): those sections stay away.
    for id in ["afspraken_terug", "signalen_terug", "schaal_terug"] {
        assert!(!d.sheets[0].section_visible[section(&c, id)], "{id}");
    }
    assert!(d.sheets[0].section_visible[section(&c, "terug")]);
}
