//! The research findings of the domain brief, one value each per visit,
//! for the `finding.*` columns of `visits.csv` (docs/SUPERVISOR.md has the
//! table; docs/CHECKLISTS.md, "From research finding to what a visit
//! records", says which items, scores and outcomes answer each finding).
//!
//! Where a checklist is filled in per child or per caregiver, the finding
//! is an aggregate over those persons: the most urgent value any of them
//! has (the order is part of the column's definition), and a count of the
//! persons referred. Pure: computes from a record, touches nothing.

use crate::visit::record::{AnswerRecord, AnswerValue, PersonRecord, Summary, VisitRecord};

/// The finding columns, in CSV order: name, and what it holds (English,
/// for the docs test).
pub const COLUMNS: &[(&str, &str)] = &[
    ("finding.safety_verdict", "veiligheid.oordeel"),
    (
        "finding.trauma_children",
        "most urgent trauma-kind.verwijzing over the children",
    ),
    (
        "finding.trauma_children_referred",
        "children with trauma-kind.verwijzing = verwijzen",
    ),
    (
        "finding.trauma_caregivers",
        "most urgent trauma-ouder.verwijzing over the caregivers",
    ),
    (
        "finding.trauma_caregivers_referred",
        "caregivers with trauma-ouder.verwijzing = verwijzen",
    ),
    ("finding.profile_hypothesis", "gezinsanalyse.analyse"),
    ("finding.help", "hulp-en-regie.hulp"),
    ("finding.help_needed", "family members with hp_nodig = ja"),
    ("finding.help_in_place", "family members with hp_loopt = ja"),
    (
        "finding.help_waiting",
        "family members with hp_wachtlijst = ja",
    ),
    ("finding.children_heard", "gezinsanalyse.kinderen_gehoord"),
    ("finding.parents_heard", "gezinsanalyse.ouders_plan"),
    ("finding.involvement", "gezinsanalyse.inspraak"),
    ("finding.contact_plan", "hulp-en-regie.omgang"),
    ("finding.framework_explained", "hulp-en-regie.kader_helder"),
    ("finding.coordination", "hulp-en-regie.regie"),
];

/// The finding columns that hold a count (INTEGER in the ledger); the
/// others hold a value id (TEXT).
pub const COUNT_COLUMNS: &[&str] = &[
    "finding.trauma_children_referred",
    "finding.trauma_caregivers_referred",
    "finding.help_needed",
    "finding.help_in_place",
    "finding.help_waiting",
];

pub fn is_count(column: &str) -> bool {
    COUNT_COLUMNS.contains(&column)
}

/// The order of urgency of a screening outcome (`verwijzing` of
/// `trauma-kind` and `trauma-ouder`): a referral first, an incomplete
/// screen before the screens that found nothing.
pub const SCREENING_URGENCY: &[&str] = &[
    "verwijzen",
    "volgen",
    "onvolledig",
    "geen_aanwijzing",
    "geen_gebeurtenis",
];

/// The value of an outcome for the visit as a whole.
fn visit_outcome(summary: &Summary, checklist: &str, outcome: &str) -> Option<String> {
    summary
        .outcomes
        .iter()
        .find(|o| {
            o.checklist == checklist && o.outcome == outcome && o.person == PersonRecord::Visit
        })
        .and_then(|o| o.value.clone())
}

/// The values of a per-person outcome, one per person that has one.
fn person_outcomes<'a>(
    summary: &'a Summary,
    checklist: &'a str,
    outcome: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    summary
        .outcomes
        .iter()
        .filter(move |o| {
            o.checklist == checklist && o.outcome == outcome && o.person != PersonRecord::Visit
        })
        .filter_map(|o| o.value.as_deref())
}

/// The most urgent of `values` by `order`; a value not in `order` ranks
/// after all that are (the first such one). `None` without values.
pub fn most_urgent<'a>(values: impl Iterator<Item = &'a str>, order: &[&str]) -> Option<String> {
    values
        .enumerate()
        .min_by_key(|(i, v)| (order.iter().position(|o| o == v).unwrap_or(order.len()), *i))
        .map(|(_, v)| v.to_string())
}

fn choice<'a>(answers: &'a [AnswerRecord], item: &str) -> Option<&'a str> {
    answers
        .iter()
        .rev()
        .find(|a| a.item == item)
        .and_then(|a| match &a.value {
            AnswerValue::Choice(c) => Some(c.as_str()),
            _ => None,
        })
}

/// The answer to a single-choice item of a visit-level checklist.
fn visit_choice(rec: &VisitRecord, checklist: &str, item: &str) -> Option<String> {
    rec.sheets
        .iter()
        .find(|s| s.checklist.id == checklist && s.person == PersonRecord::Visit)
        .and_then(|s| choice(&s.answers, item))
        .map(str::to_string)
}

/// How many entries of `section` answer `item` with `value`; `None`
/// when the checklist was not used.
fn count_entries(
    rec: &VisitRecord,
    checklist: &str,
    section: &str,
    item: &str,
    value: &str,
) -> Option<u32> {
    let sheet = rec
        .sheets
        .iter()
        .find(|s| s.checklist.id == checklist && s.person == PersonRecord::Visit)?;
    let n = sheet
        .entries
        .iter()
        .filter(|e| e.section == section && choice(&e.answers, item) == Some(value))
        .count();
    Some(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The finding values of one visit, in the order of [`COLUMNS`]; `None`
/// is an empty cell (the checklist was not used, or the item not answered).
pub fn findings(rec: &VisitRecord, summary: &Summary) -> Vec<Option<String>> {
    let referred = |checklist: &str| -> Option<String> {
        let mut any = false;
        let n = person_outcomes(summary, checklist, "verwijzing")
            .inspect(|_| any = true)
            .filter(|v| *v == "verwijzen")
            .count();
        any.then(|| n.to_string())
    };
    let count = |item: &str| {
        count_entries(rec, "hulp-en-regie", "per_gezinslid", item, "ja").map(|n| n.to_string())
    };
    vec![
        visit_outcome(summary, "veiligheid", "oordeel"),
        most_urgent(
            person_outcomes(summary, "trauma-kind", "verwijzing"),
            SCREENING_URGENCY,
        ),
        referred("trauma-kind"),
        most_urgent(
            person_outcomes(summary, "trauma-ouder", "verwijzing"),
            SCREENING_URGENCY,
        ),
        referred("trauma-ouder"),
        visit_outcome(summary, "gezinsanalyse", "analyse"),
        visit_outcome(summary, "hulp-en-regie", "hulp"),
        count("hp_nodig"),
        count("hp_loopt"),
        count("hp_wachtlijst"),
        visit_choice(rec, "gezinsanalyse", "kinderen_gehoord"),
        visit_choice(rec, "gezinsanalyse", "ouders_plan"),
        visit_outcome(summary, "gezinsanalyse", "inspraak"),
        visit_outcome(summary, "hulp-en-regie", "omgang"),
        visit_outcome(summary, "hulp-en-regie", "kader_helder"),
        visit_outcome(summary, "hulp-en-regie", "regie"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Text;
    use crate::visit::record::{ChecklistStamp, EntryRecord, OutcomeRecord, SheetRecord};

    fn outcome(checklist: &str, person: PersonRecord, outcome: &str, value: &str) -> OutcomeRecord {
        OutcomeRecord {
            checklist: checklist.into(),
            person,
            outcome: outcome.into(),
            title: Text::new("t", "t"),
            value: Some(value.into()),
            label: None,
        }
    }

    fn entry(nodig: &str, loopt: Option<&str>, wacht: Option<&str>) -> EntryRecord {
        let mut answers = vec![AnswerRecord {
            item: "hp_nodig".into(),
            value: AnswerValue::Choice(nodig.into()),
        }];
        if let Some(l) = loopt {
            answers.push(AnswerRecord {
                item: "hp_loopt".into(),
                value: AnswerValue::Choice(l.into()),
            });
        }
        if let Some(w) = wacht {
            answers.push(AnswerRecord {
                item: "hp_wachtlijst".into(),
                value: AnswerValue::Choice(w.into()),
            });
        }
        EntryRecord {
            section: "per_gezinslid".into(),
            answers,
            person: None,
        }
    }

    fn appelboom() -> (VisitRecord, Summary) {
        let sheet = |id: &str, answers: Vec<AnswerRecord>, entries: Vec<EntryRecord>| SheetRecord {
            checklist: ChecklistStamp {
                id: id.into(),
                version: 1,
                hash: "00".repeat(32),
            },
            person: PersonRecord::Visit,
            answers,
            entries,
            status: "afgenomen".into(),
            status_reason: Default::default(),
        };
        let rec = VisitRecord {
            id: "appelboom-1".into(),
            label: "Appelboom".into(),
            date: "2025-03-04".into(),
            place: "thuis".into(),
            present: "Lotte, Bram, Noor, Sem".into(),
            children: vec![],
            caregivers: vec![],
            sheets: vec![
                sheet(
                    "hulp-en-regie",
                    vec![],
                    vec![
                        entry("ja", Some("nee"), Some("ja")), // Lotte: schuldhulp, wachtlijst
                        entry("ja", Some("ja"), None),        // Sem
                        entry("nee", None, None),             // Noor
                    ],
                ),
                sheet(
                    "gezinsanalyse",
                    vec![
                        AnswerRecord {
                            item: "kinderen_gehoord".into(),
                            value: AnswerValue::Choice("deels".into()),
                        },
                        AnswerRecord {
                            item: "ouders_plan".into(),
                            value: AnswerValue::Choice("eens".into()),
                        },
                    ],
                    vec![],
                ),
            ],
            flags: vec![],
            cursor: None,
            created_at: "2025-03-04T10:00:00".into(),
            updated_at: "2025-03-04T11:00:00".into(),
            orphans: vec![],
            pending: vec![],
            removed: vec![],
            finalized: None,
        };
        let summary = Summary {
            scores: vec![],
            outcomes: vec![
                outcome("veiligheid", PersonRecord::Visit, "oordeel", "structureel"),
                outcome(
                    "trauma-kind",
                    PersonRecord::Child(1),
                    "verwijzing",
                    "geen_gebeurtenis",
                ),
                outcome(
                    "trauma-kind",
                    PersonRecord::Child(2),
                    "verwijzing",
                    "verwijzen",
                ),
                outcome(
                    "trauma-ouder",
                    PersonRecord::Caregiver(1),
                    "verwijzing",
                    "geen_aanwijzing",
                ),
                outcome(
                    "trauma-ouder",
                    PersonRecord::Caregiver(2),
                    "verwijzing",
                    "onvolledig",
                ),
                outcome("gezinsanalyse", PersonRecord::Visit, "analyse", "stress"),
                outcome("hulp-en-regie", PersonRecord::Visit, "hulp", "wacht"),
            ],
            missing_required: 0,
        };
        (rec, summary)
    }

    #[test]
    fn one_value_per_column() {
        let (rec, summary) = appelboom();
        let f = findings(&rec, &summary);
        assert_eq!(f.len(), COLUMNS.len());
        let get = |name: &str| {
            let i = COLUMNS.iter().position(|(c, _)| *c == name).unwrap();
            f[i].clone()
        };
        assert_eq!(
            get("finding.safety_verdict").as_deref(),
            Some("structureel")
        );
        // Sem is referred: the children's finding says so, and counts one.
        assert_eq!(get("finding.trauma_children").as_deref(), Some("verwijzen"));
        assert_eq!(
            get("finding.trauma_children_referred").as_deref(),
            Some("1")
        );
        // An incomplete screen outranks one that found nothing.
        assert_eq!(
            get("finding.trauma_caregivers").as_deref(),
            Some("onvolledig")
        );
        assert_eq!(
            get("finding.trauma_caregivers_referred").as_deref(),
            Some("0")
        );
        assert_eq!(get("finding.profile_hypothesis").as_deref(), Some("stress"));
        assert_eq!(get("finding.help").as_deref(), Some("wacht"));
        assert_eq!(get("finding.help_needed").as_deref(), Some("2"));
        assert_eq!(get("finding.help_in_place").as_deref(), Some("1"));
        assert_eq!(get("finding.help_waiting").as_deref(), Some("1"));
        assert_eq!(get("finding.children_heard").as_deref(), Some("deels"));
        assert_eq!(get("finding.parents_heard").as_deref(), Some("eens"));
        // Outcomes not in the summary are empty cells.
        assert_eq!(get("finding.involvement"), None);
        assert_eq!(get("finding.contact_plan"), None);
    }

    #[test]
    fn without_the_checklists_every_cell_is_empty() {
        let (mut rec, _) = appelboom();
        rec.sheets.clear();
        assert!(
            findings(&rec, &Summary::default())
                .iter()
                .all(Option::is_none)
        );
    }

    #[test]
    fn unknown_values_rank_last() {
        let v = ["iets", "geen_aanwijzing", "anders"];
        assert_eq!(
            most_urgent(v.into_iter(), SCREENING_URGENCY).as_deref(),
            Some("geen_aanwijzing")
        );
        assert_eq!(
            most_urgent(["iets", "anders"].into_iter(), SCREENING_URGENCY).as_deref(),
            Some("iets")
        );
    }
}
