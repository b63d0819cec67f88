//! The research findings of the domain brief, one value each per visit,
//! for the `finding.*` columns of `visits.csv` (docs/SUPERVISOR.md has the
//! table; docs/CHECKLISTS.md, "From research finding to what a visit
//! records", says which items, scores and outcomes answer each finding).
//!
//! Where a checklist is filled in per child or per caregiver, the finding
//! is an aggregate over those persons: the most urgent value any of them
//! has (the order is part of the column's definition), and a count of the
//! persons referred. Where a finding has per-person entries behind it (help
//! per family member, the views of each child and parent), it is derived
//! from those entries, so that it cannot contradict them; the worker's own
//! summary answer is used only when there are no entries. Pure: computes
//! from a record, touches nothing.

use crate::visit::record::{
    AnswerRecord, AnswerValue, EntryRecord, PersonRecord, SheetRecord, Summary, VisitRecord,
};

/// The finding columns, in CSV order: name, and what it holds (English,
/// for the docs test).
pub const COLUMNS: &[(&str, &str)] = &[
    (
        "finding.safety_verdict",
        "veiligheid.eigen_oordeel: the worker's own verdict",
    ),
    (
        "finding.safety_verdict_computed",
        "veiligheid.oordeel: the verdict the checklist computes",
    ),
    (
        "finding.plan_agreements",
        "agreements (entries) of the veiligheid safety plan",
    ),
    (
        "finding.plan_first_deadline",
        "earliest veiligheid.plan_wanneer of the plan",
    ),
    ("finding.plan_evaluation", "veiligheid.plan_evaluatie"),
    ("finding.next_contact", "veiligheid.volgend_contact"),
    (
        "finding.trauma_children",
        "most urgent trauma-kind.verwijzing over the children",
    ),
    (
        "finding.trauma_children_referred",
        "children with trauma-kind.verwijzing = verwijzen or jgz_bespreken",
    ),
    (
        "finding.trauma_caregivers",
        "most urgent trauma-ouder.verwijzing over the caregivers",
    ),
    (
        "finding.trauma_caregivers_referred",
        "caregivers with trauma-ouder.verwijzing = verwijzen",
    ),
    (
        "finding.trauma_referred_not_acted",
        "persons with verwijzing = verwijzen (or jgz_bespreken) whose verwijzing_gedaan is not ja",
    ),
    ("finding.profile_hypothesis", "gezinsanalyse.analyse"),
    (
        "finding.help",
        "derived from the hulp-en-regie entries per family member (else hulp-en-regie.hulp)",
    ),
    ("finding.help_needed", "family members with hp_nodig = ja"),
    (
        "finding.help_in_place",
        "family members who need help with hp_loopt = ja",
    ),
    (
        "finding.help_waiting",
        "family members who need help, not all in place, with hp_wachtlijst = ja",
    ),
    (
        "finding.children_heard",
        "derived from the child-view entries against the roster (else gezinsanalyse.kinderen_gehoord)",
    ),
    (
        "finding.parents_heard",
        "derived from the parent-view entries (else gezinsanalyse.ouders_plan)",
    ),
    (
        "finding.involvement",
        "derived from the child and parent views (else gezinsanalyse.inspraak)",
    ),
    ("finding.contact_plan", "hulp-en-regie.omgang"),
    ("finding.framework", "hulp-en-regie.kader"),
    ("finding.framework_explained", "hulp-en-regie.kader_helder"),
    ("finding.coordination", "hulp-en-regie.regie"),
];

/// The finding columns that hold a count (INTEGER in the ledger); the
/// others hold a value id or a date (TEXT).
pub const COUNT_COLUMNS: &[&str] = &[
    "finding.plan_agreements",
    "finding.trauma_children_referred",
    "finding.trauma_caregivers_referred",
    "finding.trauma_referred_not_acted",
    "finding.help_needed",
    "finding.help_in_place",
    "finding.help_waiting",
];

pub fn is_count(column: &str) -> bool {
    COUNT_COLUMNS.contains(&column)
}

/// The order of urgency of a screening outcome (`verwijzing` of
/// `trauma-kind` and `trauma-ouder`): a referral first (for a child under
/// 3: discuss with the youth health service, `jgz_bespreken`), an
/// incomplete screen before the screens that found nothing.
pub const SCREENING_URGENCY: &[&str] = &[
    "verwijzen",
    "jgz_bespreken",
    "volgen",
    "jgz_volgen",
    "onvolledig",
    "geen_aanwijzing",
    "geen_gebeurtenis",
];

/// Whether a screening outcome asks for a referral: `verwijzen`, or for a
/// child under 3 `jgz_bespreken` (discuss with the youth health service).
fn is_referral(value: &str) -> bool {
    value == "verwijzen" || value == "jgz_bespreken"
}

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

fn answer<'a>(answers: &'a [AnswerRecord], item: &str) -> Option<&'a AnswerValue> {
    answers
        .iter()
        .rev()
        .find(|a| a.item == item)
        .map(|a| &a.value)
}

fn choice<'a>(answers: &'a [AnswerRecord], item: &str) -> Option<&'a str> {
    match answer(answers, item) {
        Some(AnswerValue::Choice(c)) => Some(c.as_str()),
        _ => None,
    }
}

fn date<'a>(answers: &'a [AnswerRecord], item: &str) -> Option<&'a str> {
    match answer(answers, item) {
        Some(AnswerValue::Date(d)) => Some(d.as_str()),
        _ => None,
    }
}

fn number(answers: &[AnswerRecord], item: &str) -> Option<f64> {
    match answer(answers, item) {
        Some(AnswerValue::Number(n)) => Some(*n),
        _ => None,
    }
}

/// The sheet of a visit-level checklist.
fn visit_sheet<'a>(rec: &'a VisitRecord, checklist: &str) -> Option<&'a SheetRecord> {
    rec.sheets
        .iter()
        .find(|s| s.checklist.id == checklist && s.person == PersonRecord::Visit)
}

/// The entries of a repeatable section of a visit-level checklist; `None`
/// when the checklist was not used.
fn entries<'a>(
    rec: &'a VisitRecord,
    checklist: &str,
    section: &'a str,
) -> Option<impl Iterator<Item = &'a EntryRecord> + Clone + 'a> {
    let sheet = visit_sheet(rec, checklist)?;
    Some(sheet.entries.iter().filter(move |e| e.section == section))
}

/// The answer to a single-choice item of a visit-level checklist.
fn visit_choice(rec: &VisitRecord, checklist: &str, item: &str) -> Option<String> {
    visit_sheet(rec, checklist)
        .and_then(|s| choice(&s.answers, item))
        .map(str::to_string)
}

/// The answer to a date item of a visit-level checklist.
fn visit_date(rec: &VisitRecord, checklist: &str, item: &str) -> Option<String> {
    visit_sheet(rec, checklist)
        .and_then(|s| date(&s.answers, item))
        .map(str::to_string)
}

fn count(n: usize) -> String {
    u32::try_from(n).unwrap_or(u32::MAX).to_string()
}

/// The safety plan: its number of agreements, the earliest deadline, and
/// the evaluation date (only while there is a plan: the item is hidden
/// without one, and a hidden answer means nothing).
fn plan(rec: &VisitRecord) -> [Option<String>; 3] {
    let Some(plan) = entries(rec, "veiligheid", "plan") else {
        return [None, None, None];
    };
    let n = plan.clone().count();
    let first = plan
        .filter_map(|e| date(&e.answers, "plan_wanneer"))
        .min()
        .map(str::to_string);
    let evaluation = if n > 0 {
        visit_date(rec, "veiligheid", "plan_evaluatie")
    } else {
        None
    };
    [Some(count(n)), first, evaluation]
}

/// Persons referred by a trauma screening whose referral was not made
/// (`verwijzing_gedaan` is not `ja`). Sheets of a version without that
/// item (version 1) are not counted; `None` when no sheet can tell.
fn referred_not_acted(rec: &VisitRecord, summary: &Summary) -> Option<String> {
    let mut known = false;
    let mut n = 0usize;
    for o in &summary.outcomes {
        let screening = o.checklist == "trauma-kind" || o.checklist == "trauma-ouder";
        if !screening || o.outcome != "verwijzing" || o.person == PersonRecord::Visit {
            continue;
        }
        let Some(sheet) = rec
            .sheets
            .iter()
            .find(|s| s.checklist.id == o.checklist && s.person == o.person)
        else {
            continue;
        };
        if sheet.checklist.version < 2 {
            continue;
        }
        known = true;
        if o.value.as_deref().is_some_and(is_referral)
            && choice(&sheet.answers, "verwijzing_gedaan") != Some("ja")
        {
            n += 1;
        }
    }
    known.then(|| count(n))
}

/// Help per family member, from the entries of `hulp-en-regie`:
/// `[help, needed, in place, waiting]`. `help` is derived from the
/// entries (`None` without entries, so the summary answer is used).
fn help(rec: &VisitRecord) -> [Option<String>; 4] {
    let Some(members) = entries(rec, "hulp-en-regie", "per_gezinslid") else {
        return [None, None, None, None];
    };
    let (mut any, mut undecided) = (false, false);
    let (mut needed, mut in_place, mut waiting, mut missing) = (0, 0, 0, 0);
    for e in members.filter(|e| !kept_aside(rec, e)) {
        any = true;
        match choice(&e.answers, "hp_nodig") {
            Some("ja") => needed += 1,
            Some(_) => continue,
            None => {
                undecided = true;
                continue;
            }
        }
        match choice(&e.answers, "hp_loopt") {
            Some("ja") => in_place += 1,
            Some(_) => match choice(&e.answers, "hp_wachtlijst") {
                Some("ja") => waiting += 1,
                Some(_) => missing += 1,
                None => undecided = true,
            },
            None => undecided = true,
        }
    }
    let derived = any.then(|| {
        if missing > 0 {
            "ontbreekt"
        } else if waiting > 0 {
            "wacht"
        } else if undecided {
            "onvolledig"
        } else if needed == 0 {
            "niet_nodig"
        } else {
            "loopt"
        }
        .to_string()
    });
    [
        derived,
        Some(count(needed)),
        Some(count(in_place)),
        Some(count(waiting)),
    ]
}

/// Whether an entry made from the roster is about a person removed from
/// the roster during the visit: such an entry is kept aside and counts for
/// nothing, as in the checklist's own outcomes.
fn kept_aside(rec: &VisitRecord, e: &EntryRecord) -> bool {
    e.person
        .as_ref()
        .is_some_and(|p| rec.removed.iter().any(|r| &r.person == p))
}

/// Whether a child's entry of `stem_kind` says the child was heard.
/// Entries made from the roster (with a person) say so with `kv_gehoord`;
/// the child's age comes from the roster, so a hidden `kv_alleen` of a
/// child under 8 counts for nothing. Older entries (typed by hand, without
/// a person) count as heard by being there, with their own `kv_leeftijd`.
fn child_heard(rec: &VisitRecord, e: &EntryRecord) -> bool {
    let age = match &e.person {
        Some(PersonRecord::Child(id)) => {
            if choice(&e.answers, "kv_gehoord") != Some("ja") {
                return false;
            }
            rec.children
                .iter()
                .find(|c| c.id == *id)
                .map(|c| f64::from(c.age))
        }
        _ => number(&e.answers, "kv_leeftijd"),
    };
    let young = age.is_some_and(|a| a < 8.0);
    young || choice(&e.answers, "kv_alleen") != Some("nee")
}

/// The views of the children and the parents, from the entries of
/// `gezinsanalyse`: `[children heard, parents agree, involvement]`, in the
/// values of the outcomes `kinderen_gehoord`, `ouders_plan` and `inspraak`
/// (items in the checklist's first version 2 drafts). A child counts as
/// heard as [`child_heard`] says, and spoken to alone when asked (from
/// about 8); the parents agree only when every caregiver of the roster has
/// an entry that agrees. No entries while the roster has children
/// (caregivers) means no child (parent) was heard. `None` where the roster
/// has no one to hear, or the checklist was not used. People removed from
/// the roster, and their entries, do not count.
fn heard(rec: &VisitRecord) -> [Option<String>; 3] {
    let (Some(kids), Some(parents)) = (
        entries(rec, "gezinsanalyse", "stem_kind"),
        entries(rec, "gezinsanalyse", "stem_ouder"),
    ) else {
        return [None, None, None];
    };
    let present = |p: PersonRecord| !rec.removed.iter().any(|r| r.person == p);
    let children = rec
        .children
        .iter()
        .filter(|c| present(PersonRecord::Child(c.id)))
        .count();
    let caregivers = rec
        .caregivers
        .iter()
        .filter(|c| present(PersonRecord::Caregiver(c.id)))
        .count();
    let heard = kids
        .filter(|e| !kept_aside(rec, e) && child_heard(rec, e))
        .count();
    let children_heard = (children > 0).then_some(if heard >= children {
        "alle"
    } else if heard > 0 {
        "deels"
    } else {
        "geen"
    });
    let mut parent_entries = 0;
    let (mut not_discussed, mut disagree, mut not_heard) = (false, false, false);
    for e in parents.filter(|e| !kept_aside(rec, e)) {
        parent_entries += 1;
        match choice(&e.answers, "ov_plan") {
            Some("eens") => {}
            Some("deels" | "oneens") => disagree = true,
            _ => not_discussed = true,
        }
        not_heard |= choice(&e.answers, "ov_gehoord") == Some("nee");
    }
    let parents_plan =
        (caregivers > 0).then_some(if not_discussed || parent_entries < caregivers {
            "niet_besproken"
        } else if disagree {
            "oneens"
        } else {
            "eens"
        });
    let involvement = (children_heard.is_some() || parents_plan.is_some()).then(|| {
        if children_heard == Some("geen") || parents_plan == Some("niet_besproken") {
            "niet_gehoord"
        } else if children_heard == Some("deels") || not_heard {
            "deels_gehoord"
        } else if parents_plan == Some("oneens") {
            "gehoord_oneens"
        } else {
            "gehoord"
        }
    });
    [children_heard, parents_plan, involvement].map(|v| v.map(str::to_string))
}

/// The finding values of one visit, in the order of [`COLUMNS`]; `None`
/// is an empty cell (the checklist was not used, or the item not answered).
pub fn findings(rec: &VisitRecord, summary: &Summary) -> Vec<Option<String>> {
    let referred = |checklist: &str| -> Option<String> {
        let mut any = false;
        let n = person_outcomes(summary, checklist, "verwijzing")
            .inspect(|_| any = true)
            .filter(|v| is_referral(v))
            .count();
        any.then(|| count(n))
    };
    let [agreements, first_deadline, evaluation] = plan(rec);
    let [help_derived, needed, in_place, waiting] = help(rec);
    let [children_heard, parents_heard, involvement] = heard(rec);
    vec![
        visit_choice(rec, "veiligheid", "eigen_oordeel"),
        visit_outcome(summary, "veiligheid", "oordeel"),
        agreements,
        first_deadline,
        evaluation,
        visit_date(rec, "veiligheid", "volgend_contact"),
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
        referred_not_acted(rec, summary),
        visit_outcome(summary, "gezinsanalyse", "analyse"),
        help_derived.or_else(|| visit_outcome(summary, "hulp-en-regie", "hulp")),
        needed,
        in_place,
        waiting,
        children_heard
            .or_else(|| visit_outcome(summary, "gezinsanalyse", "kinderen_gehoord"))
            .or_else(|| visit_choice(rec, "gezinsanalyse", "kinderen_gehoord")),
        parents_heard
            .or_else(|| visit_outcome(summary, "gezinsanalyse", "ouders_plan"))
            .or_else(|| visit_choice(rec, "gezinsanalyse", "ouders_plan")),
        involvement.or_else(|| visit_outcome(summary, "gezinsanalyse", "inspraak")),
        visit_outcome(summary, "hulp-en-regie", "omgang"),
        visit_choice(rec, "hulp-en-regie", "kader"),
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
            previous: None,
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
            earlier: Vec::new(),
        };
        let rec = VisitRecord {
            case_id: "appelboom-1".to_string(),
            follow_up: None,
            read_back_at: None,
            case_keeps: Vec::new(),
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
        // The worker's own verdict was not given (no safety sheet); the
        // computed one is in its own column.
        assert_eq!(get("finding.safety_verdict"), None);
        assert_eq!(
            get("finding.safety_verdict_computed").as_deref(),
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

    fn a(item: &str, value: AnswerValue) -> AnswerRecord {
        AnswerRecord {
            item: item.into(),
            value,
        }
    }

    fn ch(item: &str, value: &str) -> AnswerRecord {
        a(item, AnswerValue::Choice(value.into()))
    }

    fn get(f: &[Option<String>], name: &str) -> Option<String> {
        let i = COLUMNS.iter().position(|(c, _)| *c == name).unwrap();
        f[i].clone()
    }

    fn sheet(
        id: &str,
        version: u32,
        person: PersonRecord,
        answers: Vec<AnswerRecord>,
        entries: Vec<EntryRecord>,
    ) -> SheetRecord {
        SheetRecord {
            checklist: ChecklistStamp {
                id: id.into(),
                version,
                hash: "00".repeat(32),
            },
            person,
            answers,
            entries,
            status: "afgenomen".into(),
            status_reason: Default::default(),
            earlier: Vec::new(),
        }
    }

    #[test]
    fn the_workers_verdict_the_plan_and_the_next_contact() {
        let (mut rec, mut summary) = appelboom();
        let plan = |who: &str, by: &str| EntryRecord {
            previous: None,
            section: "plan".into(),
            answers: vec![
                a(
                    "plan_wie",
                    AnswerValue::Text(crate::visit::SecretText::new(who)),
                ),
                a("plan_wanneer", AnswerValue::Date(by.into())),
            ],
            person: None,
        };
        rec.sheets.push(sheet(
            "veiligheid",
            2,
            PersonRecord::Visit,
            vec![
                ch("eigen_oordeel", "voorwaardelijk_veilig"),
                a("plan_evaluatie", AnswerValue::Date("2025-04-01".into())),
                a("volgend_contact", AnswerValue::Date("2025-03-11".into())),
            ],
            vec![plan("Lotte", "2025-03-20"), plan("Bram", "2025-03-07")],
        ));
        let f = findings(&rec, &summary);
        assert_eq!(
            get(&f, "finding.safety_verdict").as_deref(),
            Some("voorwaardelijk_veilig")
        );
        assert_eq!(
            get(&f, "finding.safety_verdict_computed").as_deref(),
            Some("structureel")
        );
        assert_eq!(get(&f, "finding.plan_agreements").as_deref(), Some("2"));
        assert_eq!(
            get(&f, "finding.plan_first_deadline").as_deref(),
            Some("2025-03-07")
        );
        assert_eq!(
            get(&f, "finding.plan_evaluation").as_deref(),
            Some("2025-04-01")
        );
        assert_eq!(
            get(&f, "finding.next_contact").as_deref(),
            Some("2025-03-11")
        );
        // Without agreements, a (hidden) evaluation date means nothing.
        rec.sheets.last_mut().unwrap().entries.clear();
        summary.outcomes.clear();
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.plan_agreements").as_deref(), Some("0"));
        assert_eq!(get(&f, "finding.plan_first_deadline"), None);
        assert_eq!(get(&f, "finding.plan_evaluation"), None);
        assert_eq!(get(&f, "finding.safety_verdict_computed"), None);
    }

    #[test]
    fn the_framework_itself_is_a_finding() {
        let (mut rec, summary) = appelboom();
        rec.sheets[0].answers.push(ch("kader", "drang"));
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.framework").as_deref(), Some("drang"));
    }

    #[test]
    fn referrals_not_acted_on_are_counted_from_version_2_sheets() {
        let (mut rec, summary) = appelboom();
        // Child 2 is referred (see `appelboom`); its sheet says the
        // referral was only discussed.
        rec.sheets.push(sheet(
            "trauma-kind",
            2,
            PersonRecord::Child(2),
            vec![ch("verwijzing_gedaan", "besproken")],
            vec![],
        ));
        rec.sheets.push(sheet(
            "trauma-kind",
            2,
            PersonRecord::Child(1),
            vec![],
            vec![],
        ));
        let f = findings(&rec, &summary);
        assert_eq!(
            get(&f, "finding.trauma_referred_not_acted").as_deref(),
            Some("1")
        );
        rec.sheets[2].answers = vec![ch("verwijzing_gedaan", "ja")];
        let f = findings(&rec, &summary);
        assert_eq!(
            get(&f, "finding.trauma_referred_not_acted").as_deref(),
            Some("0")
        );
        // Unanswered counts as not done.
        rec.sheets[2].answers.clear();
        let f = findings(&rec, &summary);
        assert_eq!(
            get(&f, "finding.trauma_referred_not_acted").as_deref(),
            Some("1")
        );
        // Version-1 sheets had no such question: an empty cell.
        for s in &mut rec.sheets[2..] {
            s.checklist.version = 1;
        }
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.trauma_referred_not_acted"), None);
    }

    #[test]
    fn help_is_derived_from_the_entries_not_the_summary_answer() {
        // The review's full-visit row: the worker chose "ontbreekt" while
        // no one needs help. The finding follows the entries.
        let (mut rec, mut summary) = appelboom();
        rec.sheets[0].entries = vec![entry("nee", None, None), entry("nee", None, None)];
        for o in &mut summary.outcomes {
            if o.outcome == "hulp" {
                o.value = Some("ontbreekt".into());
            }
        }
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.help").as_deref(), Some("niet_nodig"));
        assert_eq!(get(&f, "finding.help_needed").as_deref(), Some("0"));
        // Needed, not in place, not on a waiting list: missing.
        rec.sheets[0].entries = vec![entry("ja", Some("deels"), Some("nee"))];
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.help").as_deref(), Some("ontbreekt"));
        // In place: a stale waiting-list answer (hidden) does not count.
        rec.sheets[0].entries = vec![entry("ja", Some("ja"), Some("ja"))];
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.help").as_deref(), Some("loopt"));
        assert_eq!(get(&f, "finding.help_waiting").as_deref(), Some("0"));
        assert_eq!(get(&f, "finding.help_in_place").as_deref(), Some("1"));
        // Not yet answered: incomplete, never "in place".
        rec.sheets[0].entries = vec![entry("ja", None, None)];
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.help").as_deref(), Some("onvolledig"));
        // Without entries, the summary answer stands.
        rec.sheets[0].entries.clear();
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.help").as_deref(), Some("ontbreekt"));
    }

    #[test]
    fn children_and_parents_heard_are_derived_from_their_views() {
        // The review's full-visit row: "gehoord" with a child not spoken to
        // and a parent who did not feel heard.
        let (mut rec, mut summary) = appelboom();
        rec.children = vec![
            crate::visit::record::ChildRecord {
                id: 1,
                alias: "Noor".into(),
                age: 5,
            },
            crate::visit::record::ChildRecord {
                id: 2,
                alias: "Sem".into(),
                age: 11,
            },
        ];
        rec.caregivers = vec![
            crate::visit::record::CaregiverRecord {
                id: 3,
                alias: "Lotte".into(),
                role: "moeder".into(),
            },
            crate::visit::record::CaregiverRecord {
                id: 4,
                alias: "Bram".into(),
                role: "vader".into(),
            },
        ];
        let kind = |age: f64, alleen: Option<&str>| {
            let mut answers = vec![a("kv_leeftijd", AnswerValue::Number(age))];
            if let Some(x) = alleen {
                answers.push(ch("kv_alleen", x));
            }
            EntryRecord {
                previous: None,
                section: "stem_kind".into(),
                answers,
                person: None,
            }
        };
        let ouder = |plan: &str, gehoord: &str| EntryRecord {
            previous: None,
            section: "stem_ouder".into(),
            answers: vec![ch("ov_plan", plan), ch("ov_gehoord", gehoord)],
            person: None,
        };
        summary.outcomes.push(outcome(
            "gezinsanalyse",
            PersonRecord::Visit,
            "inspraak",
            "gehoord",
        ));
        let ga = &mut rec.sheets[1];
        ga.answers = vec![ch("kinderen_gehoord", "alle"), ch("ouders_plan", "eens")];
        // Only Noor (5) has a view; both parents agree, Bram felt unheard.
        ga.entries = vec![kind(5.0, None), ouder("eens", "ja"), ouder("eens", "nee")];
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.children_heard").as_deref(), Some("deels"));
        assert_eq!(get(&f, "finding.parents_heard").as_deref(), Some("eens"));
        assert_eq!(
            get(&f, "finding.involvement").as_deref(),
            Some("deels_gehoord")
        );
        // Sem (11) has a view too, but was not spoken to alone.
        rec.sheets[1].entries.push(kind(11.0, Some("nee")));
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.children_heard").as_deref(), Some("deels"));
        // Spoken to alone: every child heard; Bram still felt unheard.
        rec.sheets[1].entries.pop();
        rec.sheets[1].entries.push(kind(11.0, Some("ja")));
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.children_heard").as_deref(), Some("alle"));
        assert_eq!(
            get(&f, "finding.involvement").as_deref(),
            Some("deels_gehoord")
        );
        // One parent without a view: the plan is not discussed with both.
        rec.sheets[1].entries.remove(2);
        let f = findings(&rec, &summary);
        assert_eq!(
            get(&f, "finding.parents_heard").as_deref(),
            Some("niet_besproken")
        );
        assert_eq!(
            get(&f, "finding.involvement").as_deref(),
            Some("niet_gehoord")
        );
        // Both agree and felt heard, every child heard.
        rec.sheets[1].entries.push(ouder("eens", "ja"));
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.involvement").as_deref(), Some("gehoord"));
        // A parent disagrees.
        rec.sheets[1].entries.push(ouder("oneens", "ja"));
        rec.sheets[1].entries.remove(1);
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.parents_heard").as_deref(), Some("oneens"));
        assert_eq!(
            get(&f, "finding.involvement").as_deref(),
            Some("gehoord_oneens")
        );
        // Without any views, the summary answers say nothing: no one heard.
        rec.sheets[1].entries.clear();
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.children_heard").as_deref(), Some("geen"));
        assert_eq!(
            get(&f, "finding.parents_heard").as_deref(),
            Some("niet_besproken")
        );
        assert_eq!(
            get(&f, "finding.involvement").as_deref(),
            Some("niet_gehoord")
        );
        // With no roster at all, the summary answers are all there is.
        rec.children.clear();
        rec.caregivers.clear();
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.children_heard").as_deref(), Some("alle"));
        assert_eq!(get(&f, "finding.involvement").as_deref(), Some("gehoord"));
    }

    #[test]
    fn views_made_from_the_roster_take_the_age_from_the_roster() {
        use crate::visit::record::{CaregiverRecord, ChildRecord, RemovedRecord};
        let (mut rec, summary) = appelboom();
        rec.children = vec![
            ChildRecord {
                id: 1,
                alias: "Noor".into(),
                age: 5,
            },
            ChildRecord {
                id: 2,
                alias: "Sem".into(),
                age: 11,
            },
        ];
        rec.caregivers = vec![CaregiverRecord {
            id: 3,
            alias: "Lotte".into(),
            role: "moeder".into(),
        }];
        let kind = |id: u32, answers: Vec<AnswerRecord>| EntryRecord {
            previous: None,
            section: "stem_kind".into(),
            answers,
            person: Some(PersonRecord::Child(id)),
        };
        let lotte = EntryRecord {
            previous: None,
            section: "stem_ouder".into(),
            answers: vec![ch("ov_plan", "eens"), ch("ov_gehoord", "ja")],
            person: Some(PersonRecord::Caregiver(3)),
        };
        // Noor (5) was seen; a kv_alleen = nee kept from before her age was
        // corrected in the roster counts for nothing. Sem (11) was spoken
        // to alone. No kv_leeftijd anywhere.
        rec.sheets[1].answers.clear();
        rec.sheets[1].entries = vec![
            kind(1, vec![ch("kv_gehoord", "ja"), ch("kv_alleen", "nee")]),
            kind(2, vec![ch("kv_gehoord", "ja"), ch("kv_alleen", "ja")]),
            lotte.clone(),
        ];
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.children_heard").as_deref(), Some("alle"));
        assert_eq!(get(&f, "finding.involvement").as_deref(), Some("gehoord"));
        // The same answers with Noor at 9 in the roster: not spoken to alone.
        rec.children[0].age = 9;
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.children_heard").as_deref(), Some("deels"));
        rec.children[0].age = 5;
        // An entry made from the roster is not a view by being there: Sem
        // not spoken to.
        rec.sheets[1].entries[1] = kind(2, vec![ch("kv_gehoord", "nee")]);
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.children_heard").as_deref(), Some("deels"));
        rec.sheets[1].entries[0] = kind(1, vec![]);
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.children_heard").as_deref(), Some("geen"));
        // Sem removed from the roster: his entry is kept aside, and Noor,
        // heard, is every child there is.
        rec.sheets[1].entries[0] = kind(1, vec![ch("kv_gehoord", "ja")]);
        rec.removed.push(RemovedRecord {
            person: PersonRecord::Child(2),
            reason: Default::default(),
            at: "2025-03-04T10:00:00".into(),
        });
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.children_heard").as_deref(), Some("alle"));
        // Help: the removed person's entry does not count either.
        rec.sheets[0].entries = vec![
            EntryRecord {
                person: Some(PersonRecord::Child(1)),
                ..entry("nee", None, None)
            },
            EntryRecord {
                person: Some(PersonRecord::Child(2)),
                ..entry("ja", Some("nee"), Some("nee"))
            },
        ];
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.help").as_deref(), Some("niet_nodig"));
        assert_eq!(get(&f, "finding.help_needed").as_deref(), Some("0"));
        rec.removed.clear();
        let f = findings(&rec, &summary);
        assert_eq!(get(&f, "finding.help").as_deref(), Some("ontbreekt"));
    }
}
