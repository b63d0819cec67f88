use time::macros::date;

use super::*;
use crate::i18n::Text;
use crate::visit::record::{ChecklistStamp, ChildRecord, FlagRecord, PreviousRef, SheetRecord};

fn text(item: &str, t: &str) -> AnswerRecord {
    AnswerRecord {
        item: item.into(),
        value: AnswerValue::Text(SecretText::new(t)),
    }
}

fn day(item: &str, d: &str) -> AnswerRecord {
    AnswerRecord {
        item: item.into(),
        value: AnswerValue::Date(d.into()),
    }
}

fn entry(section: &str, answers: Vec<AnswerRecord>, previous: Option<PreviousRef>) -> EntryRecord {
    EntryRecord {
        section: section.into(),
        answers,
        person: None,
        previous,
    }
}

fn flag(id: &str, level: &str, state: &str) -> FlagRecord {
    FlagRecord {
        checklist: "veiligheid".into(),
        person: PersonRecord::Visit,
        flag: id.into(),
        item: None,
        entry: None,
        level: level.into(),
        message: Text::new("Zorg.", "Worry."),
        advice: Text::default(),
        raised_at: "2026-11-02T10:00:00".into(),
        acknowledged_at: None,
        action_taken: SecretText::new("Overlegd met Veilig Thuis."),
        state: state.into(),
        state_at: None,
        withdrawn_reason: SecretText::default(),
    }
}

/// The first visit to Familie Appelboom: a plan of two agreements, one
/// scaling answer, an evaluation date, two flags (one withdrawn).
fn first_visit() -> VisitRecord {
    VisitRecord {
        id: "bezoek-1".into(),
        label: "Appelboom".into(),
        date: "2026-11-02".into(),
        place: String::new(),
        present: String::new(),
        children: vec![ChildRecord {
            id: 3,
            alias: "Noor".into(),
            age: 5,
        }],
        caregivers: vec![CaregiverRecord {
            id: 1,
            alias: "Lotte".into(),
            role: "moeder".into(),
        }],
        sheets: vec![SheetRecord {
            checklist: ChecklistStamp {
                id: "veiligheid".into(),
                version: 3,
                hash: String::new(),
            },
            person: PersonRecord::Visit,
            answers: vec![
                day("plan_evaluatie", "2026-12-01"),
                day("volgend_contact", "2026-11-16"),
                AnswerRecord {
                    item: "eigen_oordeel".into(),
                    value: AnswerValue::Choice("voorwaardelijk_veilig".into()),
                },
                text("toelichting", "Lotte vertelt over de ruzies."),
            ],
            entries: vec![
                entry(
                    "plan",
                    vec![
                        text("plan_wie", "Lotte"),
                        text("plan_wat", "belt de schuldhulp"),
                        day("plan_wanneer", "2026-11-09"),
                        text("plan_als_misgaat", "Lotte belt haar zus"),
                    ],
                    None,
                ),
                entry(
                    "plan",
                    vec![
                        text("plan_wie", "Bram"),
                        text("plan_wat", "slaapt bij zijn broer"),
                        day("plan_wanneer", "2026-11-30"),
                    ],
                    None,
                ),
                entry(
                    "schaalvragen",
                    vec![
                        text("sv_wie", "Lotte"),
                        AnswerRecord {
                            item: "sv_rol".into(),
                            value: AnswerValue::Choice("ouder".into()),
                        },
                        AnswerRecord {
                            item: "sv_cijfer".into(),
                            value: AnswerValue::Number(4.0),
                        },
                    ],
                    None,
                ),
            ],
            status: "afgenomen".into(),
            status_reason: SecretText::default(),
            earlier: Vec::new(),
        }],
        flags: vec![
            flag("herhaald_geweld", "structural", "active"),
            flag("wapen", "acute", "withdrawn"),
        ],
        cursor: None,
        created_at: "2026-11-02T10:00:00".into(),
        updated_at: "2026-11-02T11:00:00".into(),
        orphans: vec![],
        finalized: None,
        pending: vec![],
        removed: vec![],
        case_id: "bezoek-1".into(),
        follow_up: None,
        read_back_at: Some("2026-11-02T10:58:00".into()),
        case_keeps: vec![],
    }
}

#[test]
fn a_first_visit_makes_a_card_with_only_what_the_follow_up_needs() {
    let card = CaseCard::from_record(&first_visit(), None);
    assert_eq!(card.case_id, "bezoek-1");
    assert_eq!(card.visits, 1);
    assert_eq!(card.opened_on, "2026-11-02");
    assert_eq!(card.agreements.len(), 2);
    assert_eq!(card.agreements[0].if_wrong.as_str(), "Lotte belt haar zus");
    assert_eq!(card.evaluation_date.as_deref(), Some("2026-12-01"));
    assert_eq!(card.next_contact.as_deref(), Some("2026-11-16"));
    assert_eq!(card.verdict.as_deref(), Some("voorwaardelijk_veilig"));
    assert_eq!(card.scaling[0].value, 4);
    assert_eq!(card.read_back_on.as_deref(), Some("2026-11-02"));
    assert_eq!(card.children[0].age_on, "2026-11-02");
    // No free text of the answers (the worker's notes) is kept.
    let json = serde_json::to_string(&card).unwrap();
    assert!(!json.contains("ruzies"), "{json}");
    // A follow-up looks again at the active flags only.
    let f = card.follow_up();
    assert_eq!(f.follows, "bezoek-1");
    assert_eq!(f.flags.len(), 1);
    assert_eq!(f.flags[0].flag, "herhaald_geweld");
}

#[test]
fn a_follow_up_keeps_the_agreements_not_kept_and_the_new_numbers() {
    let first = CaseCard::from_record(&first_visit(), None);
    let mut second = first_visit();
    second.id = "bezoek-2".into();
    second.date = "2026-12-02".into();
    second.follow_up = Some(first.follow_up());
    second.read_back_at = None;
    let kept = |i: u32, v: &str| {
        entry(
            "vorige_afspraken",
            vec![AnswerRecord {
                item: "va_nagekomen".into(),
                value: AnswerValue::Choice(v.into()),
            }],
            Some(PreviousRef {
                kind: PreviousKind::Agreement,
                index: i,
            }),
        )
    };
    let mut partly = kept(1, "deels");
    partly.answers.push(day("va_nieuwe_datum", "2026-12-20"));
    second.sheets[0].entries = vec![
        kept(0, "ja"),
        partly,
        entry(
            "vorige_schaal",
            vec![AnswerRecord {
                item: "vsc_cijfer".into(),
                value: AnswerValue::Number(6.0),
            }],
            Some(PreviousRef {
                kind: PreviousKind::Scaling,
                index: 0,
            }),
        ),
    ];
    let card = CaseCard::from_record(&second, Some(&first));
    assert_eq!(card.visits, 2);
    assert_eq!(card.opened_on, "2026-11-02");
    // Kept: gone. Partly kept: asked again next time.
    let whats: Vec<&str> = card.agreements.iter().map(|a| a.what.as_str()).collect();
    assert_eq!(whats, ["slaapt bij zijn broer"]);
    // With the new date agreed at the follow-up, not the old one.
    assert_eq!(card.agreements[0].by_when.as_deref(), Some("2026-12-20"));
    // Lotte rescaled from 4 to 6: the card holds the new number.
    assert_eq!(card.scaling.len(), 1);
    assert_eq!(
        (card.scaling[0].who.as_str(), card.scaling[0].value),
        ("Lotte", 6)
    );
    // Not read back this time: the card does not claim it was.
    assert_eq!(card.read_back_on, None);
    // A card of another case is never taken as the prior.
    let mut other = first.clone();
    other.case_id = "bezoek-9".into();
    assert_eq!(CaseCard::from_record(&second, Some(&other)).visits, 1);
}

#[test]
fn ages_advance_by_whole_years() {
    assert_eq!(age_on(5, date!(2026 - 11 - 02), date!(2027 - 11 - 01)), 5);
    assert_eq!(age_on(5, date!(2026 - 11 - 02), date!(2027 - 11 - 02)), 6);
    assert_eq!(age_on(5, date!(2026 - 11 - 02), date!(2029 - 01 - 01)), 7);
    assert_eq!(age_on(5, date!(2026 - 11 - 02), date!(2020 - 01 - 01)), 5);
    assert_eq!(
        age_on(254, date!(2000 - 01 - 01), date!(2026 - 01 - 01)),
        255
    );
    let card = CaseCard::from_record(&first_visit(), None);
    let roster = card.roster_on(date!(2027 - 12 - 01));
    assert_eq!((roster.children[0].id, roster.children[0].age), (3, 6));
    assert_eq!(roster.caregivers[0].alias, "Lotte");
}

#[test]
fn what_is_due_marks_overdue_dates_and_the_retention_period() {
    let card = CaseCard::from_record(&first_visit(), None);
    let before = card.due(date!(2026 - 11 - 05), 180);
    assert_eq!(before.next, Some(date!(2026 - 11 - 09)));
    assert!(!before.anything_overdue());
    assert_eq!((before.active_flags, before.acute_flags), (1, 0));
    let later = card.due(date!(2026 - 12 - 02), 180);
    assert_eq!(later.overdue_agreements, 2);
    assert!(later.evaluation_overdue && later.contact_overdue);
    assert!(!later.retention_due);
    // finalized_at is unset here: untouched since the last update.
    assert!(card.due(date!(2027 - 05 - 01), 180).retention_due);
    assert!(!card.due(date!(2027 - 05 - 01), 365).retention_due);
}

#[test]
fn cases_are_listed_by_their_next_due_date() {
    let soon = CaseCard::from_record(&first_visit(), None);
    let mut later = soon.clone();
    later.case_id = "b".into();
    later.label = "Kersenboom".into();
    later.agreements.clear();
    later.next_contact = Some("2027-01-10".into());
    later.evaluation_date = None;
    let mut none = soon.clone();
    none.case_id = "c".into();
    none.label = "Appelboom 2".into();
    none.agreements.clear();
    none.next_contact = None;
    none.evaluation_date = None;
    let today = date!(2026 - 11 - 05);
    let mut list: Vec<(CaseSummary, Due)> = [none, later, soon]
        .into_iter()
        .map(|c| {
            let s = CaseSummary::of(&c);
            let d = s.due(today, 180);
            assert_eq!(d, c.due(today, 180));
            (s, d)
        })
        .collect();
    sort_by_due(&mut list);
    let ids: Vec<&str> = list.iter().map(|(c, _)| c.case_id.as_str()).collect();
    assert_eq!(ids, ["bezoek-1", "b", "c"]);
}

#[test]
fn close_reasons_are_keys() {
    assert!(valid_close_reason("doel_bereikt"));
    assert!(valid_close_reason("office"));
    assert!(!valid_close_reason("Iris wil niet meer"));
}
