//! Roster-driven repeatable sections, roster facts and aggregates over
//! entries, on the fixture checklist `engine-gezin.toml`: one entry per
//! person made from the roster, kept in step with it, entries of removed
//! people kept aside; conditions that read the roster and the entries.

use std::sync::Arc;

use safevisit::checklist::model::Origin;
use safevisit::checklist::{Catalog, Checklist, SourceFile};
use safevisit::visit::{
    Answer, AnswerError, Caregiver, Child, Person, Removed, SecretText, Visit, derive,
};
use time::macros::{date, datetime};

const NOW: time::PrimitiveDateTime = datetime!(2026-03-04 10:00);
const JA: Option<Answer> = Some(Answer::Choice(0));
const NEE: Option<Answer> = Some(Answer::Choice(1));

fn gezin() -> Arc<Checklist> {
    let path = format!(
        "{}/tests/fixtures/checklists/engine-gezin.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let file = SourceFile {
        bytes: std::fs::read(&path).unwrap(),
        origin: Origin::File(path.clone()),
        path,
    };
    let cat = Catalog::build(Vec::new(), vec![file]);
    for p in &cat.problems {
        for d in &p.diagnostics {
            eprintln!("{d}");
        }
    }
    assert!(cat.problems.is_empty());
    cat.get("engine-gezin").unwrap().clone()
}

/// Familie Kersenboom: Iris (moeder), Ruben (vader), Mila (2).
fn kersenboom() -> (Visit, Arc<Checklist>) {
    let c = gezin();
    let mut visit = Visit::new("v1".into(), "Kersenboom".into(), date!(2026 - 03 - 04), NOW);
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
    visit.use_checklist(&c);
    (visit, c)
}

fn section(c: &Checklist, id: &str) -> usize {
    c.section_index(id).unwrap()
}

fn item(c: &Checklist, id: &str) -> usize {
    c.item_index(id).unwrap()
}

fn flags(visit: &Visit, c: &Checklist) -> Vec<String> {
    let d = derive(visit);
    d.sheets[0]
        .flags
        .iter()
        .map(|f| c.red_flags[f.flag].id.clone())
        .collect()
}

fn outcome(visit: &Visit, c: &Checklist) -> Option<String> {
    let d = derive(visit);
    d.sheets[0].outcome_value(c, 0).map(str::to_string)
}

fn answer(visit: &mut Visit, c: &Checklist, id: &str, entry: usize, a: Option<Answer>) {
    visit
        .set_answer(0, item(c, id), Some(entry), a, NOW)
        .unwrap();
}

#[test]
fn a_new_sheet_has_one_entry_per_roster_member_in_roster_order() {
    let (visit, c) = kersenboom();
    let sheet = &visit.sheets[0];
    let everyone = section(&c, "per_gezinslid");
    assert_eq!(
        sheet.entry_person[everyone],
        vec![
            Some(Person::Caregiver(1)),
            Some(Person::Caregiver(2)),
            Some(Person::Child(3))
        ]
    );
    assert_eq!(sheet.entries[everyone].len(), 3);
    let children = section(&c, "per_kind");
    assert_eq!(sheet.entry_person[children], vec![Some(Person::Child(3))]);
    // A section the worker fills by hand starts empty.
    assert!(sheet.entries[section(&c, "afspraken")].is_empty());
    assert_eq!(visit.roster.name(Person::Child(3)), "Mila (2)");
}

#[test]
fn the_worker_cannot_add_or_remove_entries_of_a_roster_section() {
    let (mut visit, c) = kersenboom();
    let everyone = section(&c, "per_gezinslid");
    assert_eq!(
        visit.add_entry(0, everyone, NOW),
        Err(AnswerError::FromRoster)
    );
    assert_eq!(
        visit.remove_entry(0, everyone, 0, NOW),
        Err(AnswerError::FromRoster)
    );
    assert_eq!(visit.sheets[0].entries[everyone].len(), 3);
    // The hand-filled section still takes entries.
    assert_eq!(visit.add_entry(0, section(&c, "afspraken"), NOW), Ok(0));
}

#[test]
fn a_person_added_to_the_roster_gets_an_entry_and_answers_stay_put() {
    let (mut visit, c) = kersenboom();
    let everyone = section(&c, "per_gezinslid");
    answer(&mut visit, &c, "hp_nodig", 2, JA); // Mila
    visit.roster.children.push(Child {
        id: 4,
        alias: "Daan".into(),
        age: 7,
    });
    let later = datetime!(2026-03-04 10:30);
    assert!(visit.sync_roster_entries(later));
    assert_eq!(visit.updated_at, later);
    let sheet = &visit.sheets[0];
    assert_eq!(
        sheet.entry_person[everyone],
        vec![
            Some(Person::Caregiver(1)),
            Some(Person::Caregiver(2)),
            Some(Person::Child(3)),
            Some(Person::Child(4))
        ]
    );
    assert_eq!(sheet.answer(item(&c, "hp_nodig"), Some(2)), JA.as_ref());
    assert_eq!(sheet.answer(item(&c, "hp_nodig"), Some(3)), None);
    // In step already: nothing changes.
    assert!(!visit.sync_roster_entries(later));
}

#[test]
fn a_caregiver_added_later_moves_into_roster_order_with_the_answers() {
    let (mut visit, c) = kersenboom();
    let everyone = section(&c, "per_gezinslid");
    answer(&mut visit, &c, "hp_nodig", 2, JA); // Mila
    answer(
        &mut visit,
        &c,
        "hp_wat",
        2,
        Some(Answer::Text(SecretText::new("logopedie"))),
    );
    visit.roster.caregivers.push(Caregiver {
        id: 5,
        alias: "Oma Jans".into(),
        role: "grootmoeder".into(),
    });
    visit.sync_roster_entries(NOW);
    let sheet = &visit.sheets[0];
    // Caregivers first: the new caregiver comes before Mila.
    assert_eq!(
        sheet.entry_person[everyone],
        vec![
            Some(Person::Caregiver(1)),
            Some(Person::Caregiver(2)),
            Some(Person::Caregiver(5)),
            Some(Person::Child(3))
        ]
    );
    assert_eq!(sheet.answer(item(&c, "hp_nodig"), Some(3)), JA.as_ref());
    assert_eq!(sheet.answer(item(&c, "hp_nodig"), Some(2)), None);
    match sheet.answer(item(&c, "hp_wat"), Some(3)) {
        Some(Answer::Text(t)) => assert_eq!(t.as_str(), "logopedie"),
        other => panic!("Mila's answer moved with her entry, got {other:?}"),
    }
}

#[test]
fn a_removed_persons_entry_is_kept_aside_and_not_missing() {
    let (mut visit, c) = kersenboom();
    let everyone = section(&c, "per_gezinslid");
    let nodig = item(&c, "hp_nodig");
    answer(&mut visit, &c, "hp_nodig", 0, NEE); // Iris
    answer(&mut visit, &c, "hp_nodig", 1, JA); // Ruben
    let d = derive(&visit);
    let missing: Vec<_> = d.sheets[0]
        .missing
        .iter()
        .filter(|m| m.item == nodig)
        .map(|m| m.entry)
        .collect();
    assert_eq!(missing, vec![Some(2)], "Mila's entry is open");
    assert!(d.sheets[0].outcome_value(&c, 0) == Some("nodig"));

    // Ruben is removed from the roster: his entry and answer stay, kept aside.
    visit.removed.push(Removed {
        person: Person::Caregiver(2),
        reason: SecretText::new("woont elders"),
        at: NOW,
    });
    assert!(
        !visit.sync_roster_entries(NOW),
        "nothing is dropped or added"
    );
    assert_eq!(visit.sheets[0].entries[everyone].len(), 3);
    assert_eq!(visit.sheets[0].answer(nodig, Some(1)), JA.as_ref());
    assert!(visit.entry_kept_aside(0, everyone, 1));
    assert!(!visit.entry_kept_aside(0, everyone, 0));
    let d = derive(&visit);
    assert_eq!(
        d.sheets[0].entry_kept_aside[everyone],
        vec![false, true, false]
    );
    assert!(!d.sheets[0].visible(&c, nodig, Some(1)));
    answer(&mut visit, &c, "hp_nodig", 2, NEE); // Mila
    let d = derive(&visit);
    let open: Vec<_> = d.sheets[0]
        .missing
        .iter()
        .filter(|m| c.items[m.item].section == everyone)
        .collect();
    assert!(
        open.is_empty(),
        "the kept-aside entry is not open: {open:?}"
    );
    assert_eq!(d.sheets[0].progress[everyone].required, 2);
    // Ruben's "ja" no longer counts: nobody left needs help.
    assert_eq!(outcome(&visit, &c).as_deref(), Some("niet_nodig"));
}

#[test]
fn roster_facts_drive_show_if_and_removed_children_do_not_count() {
    let (mut visit, c) = kersenboom();
    let opvang = item(&c, "opvang_jong");
    let twee = item(&c, "jonge_kinderen");
    let d = derive(&visit);
    assert!(d.sheets[0].visible(&c, opvang, None), "Mila is 2");
    assert!(!d.sheets[0].visible(&c, twee, None), "one young child");
    visit.roster.children.push(Child {
        id: 4,
        alias: "Daan".into(),
        age: 3,
    });
    visit.sync_roster_entries(NOW);
    assert!(
        derive(&visit).sheets[0].visible(&c, twee, None),
        "two under 4"
    );
    // Both young children removed: no child is younger than 4.
    for id in [3, 4] {
        visit.removed.push(Removed {
            person: Person::Child(id),
            reason: SecretText::new("verkeerd ingevoerd"),
            at: NOW,
        });
    }
    let d = derive(&visit);
    assert!(!d.sheets[0].visible(&c, opvang, None));
    assert!(!d.sheets[0].visible(&c, twee, None));
    // A teenager counts for `roster.children_from(12)`.
    visit.roster.children.push(Child {
        id: 6,
        alias: "Fenna".into(),
        age: 12,
    });
    let d = derive(&visit);
    assert!(d.sheets[0].visible(&c, twee, None));
    assert!(!d.sheets[0].visible(&c, opvang, None), "the youngest is 12");
}

#[test]
fn aggregates_read_each_entry_against_contradicting_entries() {
    let (mut visit, c) = kersenboom();
    let samen = item(&c, "hulp_samen");
    assert!(!derive(&visit).sheets[0].visible(&c, samen, None));
    assert_eq!(outcome(&visit, &c).as_deref(), Some("onvolledig"));
    answer(&mut visit, &c, "hp_nodig", 0, NEE);
    answer(&mut visit, &c, "hp_nodig", 1, NEE);
    answer(&mut visit, &c, "hp_nodig", 2, NEE);
    assert_eq!(outcome(&visit, &c).as_deref(), Some("niet_nodig"));
    assert!(!flags(&visit, &c).contains(&"iedereen_hulp".to_string()));
    // One "ja" among "nee": any holds, all does not.
    answer(&mut visit, &c, "hp_nodig", 1, JA);
    assert!(derive(&visit).sheets[0].visible(&c, samen, None));
    assert_eq!(outcome(&visit, &c).as_deref(), Some("nodig"));
    assert!(!flags(&visit, &c).contains(&"iedereen_hulp".to_string()));
    answer(&mut visit, &c, "hp_nodig", 0, JA);
    answer(&mut visit, &c, "hp_nodig", 2, JA);
    assert!(flags(&visit, &c).contains(&"iedereen_hulp".to_string()));
}

#[test]
fn count_where_and_count_against_the_roster_raise_flags() {
    let (mut visit, c) = kersenboom();
    let fired = flags(&visit, &c);
    // Three people, no agreements; Mila not heard.
    assert!(fired.contains(&"afspraken_dekken_niet".to_string()));
    assert!(fired.contains(&"kind_niet_gehoord".to_string()));
    answer(&mut visit, &c, "kv_gehoord", 0, JA);
    let agreements = section(&c, "afspraken");
    for _ in 0..3 {
        visit.add_entry(0, agreements, NOW).unwrap();
    }
    let fired = flags(&visit, &c);
    assert!(
        !fired.contains(&"afspraken_dekken_niet".to_string()),
        "{fired:?}"
    );
    assert!(
        !fired.contains(&"kind_niet_gehoord".to_string()),
        "{fired:?}"
    );
    // A second child, not yet heard.
    visit.roster.children.push(Child {
        id: 4,
        alias: "Daan".into(),
        age: 7,
    });
    visit.sync_roster_entries(NOW);
    let fired = flags(&visit, &c);
    assert!(fired.contains(&"afspraken_dekken_niet".to_string()));
    assert!(fired.contains(&"kind_niet_gehoord".to_string()));
    answer(&mut visit, &c, "kv_gehoord", 1, NEE);
    assert!(flags(&visit, &c).contains(&"kind_niet_gehoord".to_string()));
    answer(&mut visit, &c, "kv_gehoord", 1, JA);
    assert!(!flags(&visit, &c).contains(&"kind_niet_gehoord".to_string()));
}

#[test]
fn the_outline_says_the_entries_come_from_the_roster() {
    use safevisit::checklist::outline::outline;
    use safevisit::i18n::Lang;
    let c = gezin();
    let nl = outline(&c, Lang::Nl);
    assert!(
        nl.contains("Hulp per gezinslid  [herhaald: per gezinslid, uit het gezinsoverzicht]"),
        "{nl}"
    );
    assert!(nl.contains("De kijk van het kind  [herhaald: per kind, uit het gezinsoverzicht]"));
    assert!(nl.contains("Afspraken  [herhaalbaar: Afspraak, max. 50]"));
    let en = outline(&c, Lang::En);
    assert!(
        en.contains("[repeated: per family member, from the roster]"),
        "{en}"
    );
}

#[test]
fn person_age_reads_the_age_of_the_child_an_entry_is_about() {
    let (mut visit, c) = kersenboom();
    let alleen = item(&c, "kv_alleen");
    visit.roster.children.push(Child {
        id: 4,
        alias: "Daan".into(),
        age: 8,
    });
    visit.sync_roster_entries(NOW);
    let d = derive(&visit);
    // per_kind: Mila (2), Daan (8).
    assert!(!d.sheets[0].visible(&c, alleen, Some(0)), "Mila is 2");
    assert!(d.sheets[0].visible(&c, alleen, Some(1)), "Daan is 8");
    // An age corrected in the roster counts at once.
    visit.roster.children[1].age = 7;
    assert!(!derive(&visit).sheets[0].visible(&c, alleen, Some(1)));
}

#[test]
fn an_entry_is_titled_by_its_person_or_by_its_label_and_number() {
    use safevisit::i18n::Lang;
    let (mut visit, c) = kersenboom();
    let everyone = section(&c, "per_gezinslid");
    assert_eq!(
        visit.entry_title(0, everyone, 0).get(Lang::Nl),
        "Iris (moeder)"
    );
    assert_eq!(visit.entry_title(0, everyone, 2).get(Lang::En), "Mila (2)");
    let agreements = section(&c, "afspraken");
    visit.add_entry(0, agreements, NOW).unwrap();
    assert_eq!(
        visit.entry_title(0, agreements, 0).get(Lang::Nl),
        "Afspraak 1"
    );
    assert_eq!(
        visit.entry_title(0, agreements, 0).get(Lang::En),
        "Agreement 1"
    );
    visit.removed.push(Removed {
        person: Person::Caregiver(2),
        reason: SecretText::new("woont elders"),
        at: NOW,
    });
    assert_eq!(
        visit.entry_title(0, everyone, 1).get(Lang::Nl),
        "Ruben (vader) · niet meer in het overzicht"
    );
    assert_eq!(
        visit.entry_title(0, everyone, 1).get(Lang::En),
        "Ruben (vader) · no longer in the roster"
    );
}
