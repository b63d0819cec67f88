//! The case: what a laptop keeps of a family between visits, so that the
//! next visit can evaluate the last plan.
//!
//! When a visit is finalized, the vault keeps a small **case card**,
//! encrypted to the device: the roster, the safety-plan agreements, the
//! flags with their state and what was done, the dates that matter next,
//! the scaling answers and the closed answers that a checklist refers to
//! with `previous(item)`. Never the full answers. A follow-up visit starts
//! from the card ([`CaseCard::follow_up`], [`CaseCard::roster_on`]).
//!
//! The card is made from the finalized record alone
//! ([`CaseCard::from_record`]), so an interrupted finalize can make it
//! again when it is completed. The items it reads are named in
//! docs/CHECKLISTS.md ("Gegevens voor de casus").
//!
//! Pure: no I/O, no clock (dates come in as values).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::visit::record::{
    AgreementRecord, AnswerRecord, AnswerValue, CaregiverRecord, CaseFlagRecord, EntryRecord,
    FollowUpRecord, PersonRecord, PreviousKind, PreviousValueRecord, ScalingRecord, VisitRecord,
    format_date, parse_date,
};
use crate::visit::{Caregiver, Child, Roster, SecretText};

/// The case card's format version (the envelope `SVCASE`).
pub const CARD_VERSION: u16 = 1;

/// How many days a case may stay untouched before the home screen flags
/// it for closing, unless the vault's configuration says otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 180;

/// The checklist and items a card is made from. An organisation checklist
/// that uses these ids feeds the card the same way.
pub mod items {
    pub const CHECKLIST: &str = "veiligheid";
    pub const PLAN: &str = "plan";
    pub const PLAN_WHO: &str = "plan_wie";
    pub const PLAN_WHAT: &str = "plan_wat";
    pub const PLAN_BY: &str = "plan_wanneer";
    pub const PLAN_IF_WRONG: &str = "plan_als_misgaat";
    pub const EVALUATION: &str = "plan_evaluatie";
    pub const NEXT_CONTACT: &str = "volgend_contact";
    pub const VERDICT: &str = "eigen_oordeel";
    pub const SCALING: &str = "schaalvragen";
    pub const SCALING_WHO: &str = "sv_wie";
    pub const SCALING_ROLE: &str = "sv_rol";
    pub const SCALING_ABOUT: &str = "sv_kind";
    pub const SCALING_VALUE: &str = "sv_cijfer";
    /// A follow-up's evaluation of the previous agreements.
    pub const PREVIOUS_AGREEMENTS: &str = "vorige_afspraken";
    pub const AGREEMENT_KEPT: &str = "va_nagekomen";
    /// The new deadline of an agreement not (fully) kept.
    pub const AGREEMENT_NEW_DATE: &str = "va_nieuwe_datum";
    /// A follow-up's new numbers for the previous scaling answers.
    pub const PREVIOUS_SCALING: &str = "vorige_schaal";
    pub const PREVIOUS_SCALING_VALUE: &str = "vsc_cijfer";
    /// The legal framework, in `hulp-en-regie`.
    pub const FRAMEWORK_CHECKLIST: &str = "hulp-en-regie";
    pub const FRAMEWORK: &str = "kader";
    /// The evaluation date of `hulp-en-regie`, used when `veiligheid` set none.
    pub const FRAMEWORK_EVALUATION: &str = "evaluatie_datum";
}

/// A child as the case keeps it: the age, and the date it was true on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseChild {
    pub id: u32,
    pub alias: String,
    pub age: u8,
    /// `YYYY-MM-DD`: the date of the visit that recorded the age.
    pub age_on: String,
}

/// What the laptop keeps of a case between visits (format version 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseCard {
    pub case_id: String,
    /// The family label the worker chose (no full names).
    pub label: String,
    /// `YYYY-MM-DD`: the date of the case's first visit on this laptop.
    pub opened_on: String,
    pub children: Vec<CaseChild>,
    pub caregivers: Vec<CaregiverRecord>,
    /// The safety plan of the last visit.
    pub agreements: Vec<AgreementRecord>,
    /// The flags of the last visit, with their state and what was done.
    pub flags: Vec<CaseFlagRecord>,
    /// `YYYY-MM-DD`: when the plan is evaluated.
    pub evaluation_date: Option<String>,
    /// `YYYY-MM-DD`: the next contact with the family.
    pub next_contact: Option<String>,
    /// The id and date of the last visit.
    pub last_visit: String,
    pub last_visit_date: String,
    /// Visits of this case finalized on this laptop.
    pub visits: u32,
    /// The scaling answers of the last visit.
    pub scaling: Vec<ScalingRecord>,
    /// The worker's own verdict at the last visit (`eigen_oordeel`).
    pub verdict: Option<String>,
    /// The legal framework (`kader`: `vrijwillig`, `drang`, `maatregel`, …).
    pub framework: Option<String>,
    /// `YYYY-MM-DD`: when the last visit's agreements were read back with
    /// the family (`None`: they were not).
    pub read_back_on: Option<String>,
    /// Closed answers a checklist refers to with `previous(item)`.
    pub values: Vec<PreviousValueRecord>,
    /// `YYYY-MM-DDTHH:MM:SS`: when the last visit was finalized.
    pub updated_at: String,
}

fn answer<'a>(answers: &'a [AnswerRecord], item: &str) -> Option<&'a AnswerValue> {
    answers.iter().find(|a| a.item == item).map(|a| &a.value)
}

fn text(v: Option<&AnswerValue>) -> SecretText {
    match v {
        Some(AnswerValue::Text(t)) => t.clone(),
        _ => SecretText::default(),
    }
}

fn date(v: Option<&AnswerValue>) -> Option<String> {
    match v {
        Some(AnswerValue::Date(d)) => Some(d.clone()),
        _ => None,
    }
}

fn choice(v: Option<&AnswerValue>) -> Option<String> {
    match v {
        Some(AnswerValue::Choice(c)) => Some(c.clone()),
        _ => None,
    }
}

fn entries<'a>(rec: &'a VisitRecord, section: &'a str) -> impl Iterator<Item = &'a EntryRecord> {
    rec.sheets
        .iter()
        .filter(|s| s.checklist.id == items::CHECKLIST && s.person == PersonRecord::Visit)
        .flat_map(|s| s.entries.iter())
        .filter(move |e| e.section == section)
}

fn visit_answer<'a>(rec: &'a VisitRecord, checklist: &str, item: &str) -> Option<&'a AnswerValue> {
    rec.sheets
        .iter()
        .filter(|s| s.checklist.id == checklist && s.person == PersonRecord::Visit)
        .find_map(|s| answer(&s.answers, item))
}

/// The agreements of a record's safety plan, in entry order.
pub fn agreements_of(rec: &VisitRecord) -> Vec<AgreementRecord> {
    entries(rec, items::PLAN)
        .map(|e| AgreementRecord {
            who: text(answer(&e.answers, items::PLAN_WHO)),
            what: text(answer(&e.answers, items::PLAN_WHAT)),
            by_when: date(answer(&e.answers, items::PLAN_BY)),
            if_wrong: text(answer(&e.answers, items::PLAN_IF_WRONG)),
        })
        .filter(|a| !a.who.as_str().is_empty() || !a.what.as_str().is_empty())
        .collect()
}

/// The previous visit's agreements that a follow-up did not find kept
/// (`va_nagekomen` not `ja`, or not evaluated): they stay on the card, so
/// the next visit asks about them again. An agreement evaluated at this
/// visit takes its new date (`va_nieuwe_datum`), or none: its old deadline
/// was looked at and is no longer what is due.
pub fn open_agreements_of(rec: &VisitRecord) -> Vec<AgreementRecord> {
    let Some(f) = &rec.follow_up else {
        return Vec::new();
    };
    f.agreements
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let evaluation = entries(rec, items::PREVIOUS_AGREEMENTS).find(|e| {
                e.previous
                    .is_some_and(|p| p.kind == PreviousKind::Agreement && p.index as usize == i)
            });
            let kept = evaluation.and_then(|e| choice(answer(&e.answers, items::AGREEMENT_KEPT)));
            match kept.as_deref() {
                Some("ja") => None,
                // Not evaluated: as it was.
                None => Some(a.clone()),
                Some(_) => Some(AgreementRecord {
                    by_when: evaluation
                        .and_then(|e| date(answer(&e.answers, items::AGREEMENT_NEW_DATE))),
                    ..a.clone()
                }),
            }
        })
        .collect()
}

/// The scaling answers in a record: a follow-up's new numbers for the
/// previous answers (same person, same child), then the new answers, in
/// entry order (answers without a number are left out).
pub fn scaling_of(rec: &VisitRecord) -> Vec<ScalingRecord> {
    let number = |v: Option<&AnswerValue>| match v {
        Some(AnswerValue::Number(n)) if n.is_finite() => Some(*n as i64),
        _ => None,
    };
    let again = rec.follow_up.iter().flat_map(|f| {
        entries(rec, items::PREVIOUS_SCALING).filter_map(|e| {
            let p = e.previous.filter(|p| p.kind == PreviousKind::Scaling)?;
            let before = f.scaling.get(p.index as usize)?;
            Some(ScalingRecord {
                value: number(answer(&e.answers, items::PREVIOUS_SCALING_VALUE))?,
                ..before.clone()
            })
        })
    });
    let new = entries(rec, items::SCALING).filter_map(|e| {
        let value = match answer(&e.answers, items::SCALING_VALUE)? {
            AnswerValue::Number(n) if n.is_finite() => *n as i64,
            _ => return None,
        };
        Some(ScalingRecord {
            who: text(answer(&e.answers, items::SCALING_WHO)),
            role: choice(answer(&e.answers, items::SCALING_ROLE)),
            about: text(answer(&e.answers, items::SCALING_ABOUT)),
            value,
        })
    });
    again.chain(new).collect()
}

/// The evaluation date a record set (`veiligheid`, else `hulp-en-regie`).
pub fn evaluation_of(rec: &VisitRecord) -> Option<String> {
    date(visit_answer(rec, items::CHECKLIST, items::EVALUATION)).or_else(|| {
        date(visit_answer(
            rec,
            items::FRAMEWORK_CHECKLIST,
            items::FRAMEWORK_EVALUATION,
        ))
    })
}

/// The worker's own verdict in a record.
pub fn verdict_of(rec: &VisitRecord) -> Option<String> {
    choice(visit_answer(rec, items::CHECKLIST, items::VERDICT))
}

/// The legal framework in a record.
pub fn framework_of(rec: &VisitRecord) -> Option<String> {
    choice(visit_answer(
        rec,
        items::FRAMEWORK_CHECKLIST,
        items::FRAMEWORK,
    ))
}

/// The flags of a record as a case keeps them.
pub fn flags_of(rec: &VisitRecord) -> Vec<CaseFlagRecord> {
    rec.flags
        .iter()
        .map(|f| CaseFlagRecord {
            checklist: f.checklist.clone(),
            person: f.person,
            flag: f.flag.clone(),
            level: f.level.clone(),
            message: f.message.clone(),
            state: f.state.clone(),
            action_taken: f.action_taken.clone(),
            raised_on: rec.date.clone(),
        })
        .collect()
}

/// The closed answers (never text) of the record's items named in its
/// `case_keeps`, outside repeatable sections.
pub fn values_of(rec: &VisitRecord) -> Vec<PreviousValueRecord> {
    let keep = &rec.case_keeps;
    let mut out = Vec::new();
    for s in &rec.sheets {
        for a in &s.answers {
            if matches!(a.value, AnswerValue::Text(_)) {
                continue;
            }
            if keep
                .iter()
                .any(|k| k.checklist == s.checklist.id && k.item == a.item)
            {
                out.push(PreviousValueRecord {
                    checklist: s.checklist.id.clone(),
                    person: s.person,
                    item: a.item.clone(),
                    value: a.value.clone(),
                });
            }
        }
    }
    out
}

/// A child's age on `on`, from an age true on `age_on`: advanced by the
/// whole years between them (never lowered, never past 255).
pub fn age_on(age: u8, age_on: Date, on: Date) -> u8 {
    if on <= age_on {
        return age;
    }
    let mut years = on.year() - age_on.year();
    if (on.month() as u8, on.day()) < (age_on.month() as u8, age_on.day()) {
        years -= 1;
    }
    age.saturating_add(years.clamp(0, 255) as u8)
}

impl CaseCard {
    /// The card after the finalized visit `rec`. `prior` is the case's
    /// card before it (a follow-up), or `None` (a first visit, or a case
    /// this laptop does not hold).
    pub fn from_record(rec: &VisitRecord, prior: Option<&CaseCard>) -> CaseCard {
        let prior = prior.filter(|p| p.case_id == rec.case_id);
        let next_contact = date(visit_answer(rec, items::CHECKLIST, items::NEXT_CONTACT));
        CaseCard {
            case_id: rec.case_id.clone(),
            label: rec.label.clone(),
            opened_on: prior.map_or_else(|| rec.date.clone(), |p| p.opened_on.clone()),
            children: rec
                .children
                .iter()
                .map(|c| CaseChild {
                    id: c.id,
                    alias: c.alias.clone(),
                    age: c.age,
                    age_on: rec.date.clone(),
                })
                .collect(),
            caregivers: rec.caregivers.clone(),
            agreements: open_agreements_of(rec)
                .into_iter()
                .chain(agreements_of(rec))
                .collect(),
            flags: flags_of(rec),
            evaluation_date: evaluation_of(rec),
            next_contact,
            last_visit: rec.id.clone(),
            last_visit_date: rec.date.clone(),
            visits: prior.map_or(0, |p| p.visits).saturating_add(1),
            scaling: scaling_of(rec),
            verdict: verdict_of(rec),
            framework: framework_of(rec),
            // This visit's agreements were read back, or not: an earlier
            // read-back was of other agreements.
            read_back_on: rec
                .read_back_at
                .as_ref()
                .map(|s| s.get(..10).unwrap_or(s).to_string()),
            values: values_of(rec),
            updated_at: rec
                .finalized
                .as_ref()
                .map_or_else(|| rec.updated_at.clone(), |f| f.finalized_at.clone()),
        }
    }

    /// What a follow-up visit of this case starts with.
    pub fn follow_up(&self) -> FollowUpRecord {
        FollowUpRecord {
            follows: self.last_visit.clone(),
            previous_date: self.last_visit_date.clone(),
            agreements: self.agreements.clone(),
            flags: self
                .flags
                .iter()
                .filter(|f| f.state == "active")
                .cloned()
                .collect(),
            scaling: self.scaling.clone(),
            values: self.values.clone(),
            verdict: self.verdict.clone(),
            evaluation_date: self.evaluation_date.clone(),
        }
    }

    /// The roster carried over to a visit on `on`: the same people with
    /// the same ids, children's ages advanced by the date.
    pub fn roster_on(&self, on: Date) -> Roster {
        Roster {
            children: self
                .children
                .iter()
                .map(|c| Child {
                    id: c.id,
                    alias: c.alias.clone(),
                    age: match parse_date(&c.age_on) {
                        Some(then) => age_on(c.age, then, on),
                        None => c.age,
                    },
                })
                .collect(),
            caregivers: self
                .caregivers
                .iter()
                .map(|c| Caregiver {
                    id: c.id,
                    alias: c.alias.clone(),
                    role: c.role.clone(),
                })
                .collect(),
        }
    }

    /// What is due in this case, seen on `today`.
    pub fn due(&self, today: Date, retention_days: u32) -> Due {
        CaseSummary::of(self).due(today, retention_days)
    }
}

/// What the home screen lists of an open case: kept in the vault's index,
/// so that listing 500 cases needs no card to be opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub case_id: String,
    pub label: String,
    /// `YYYY-MM-DD`
    pub evaluation_date: Option<String>,
    pub next_contact: Option<String>,
    /// The agreements' deadlines (`YYYY-MM-DD`), in agreement order.
    pub agreement_dates: Vec<String>,
    pub active_flags: u32,
    pub acute_flags: u32,
    pub last_visit_date: String,
    /// `YYYY-MM-DDTHH:MM:SS`
    pub updated_at: String,
}

impl CaseSummary {
    pub fn of(card: &CaseCard) -> CaseSummary {
        let active = card.flags.iter().filter(|f| f.state == "active");
        CaseSummary {
            case_id: card.case_id.clone(),
            label: card.label.clone(),
            evaluation_date: card.evaluation_date.clone(),
            next_contact: card.next_contact.clone(),
            agreement_dates: card
                .agreements
                .iter()
                .filter_map(|a| a.by_when.clone())
                .collect(),
            active_flags: active.clone().count() as u32,
            acute_flags: active.filter(|f| f.level == "acute").count() as u32,
            last_visit_date: card.last_visit_date.clone(),
            updated_at: card.updated_at.clone(),
        }
    }

    /// What is due in this case, seen on `today`.
    pub fn due(&self, today: Date, retention_days: u32) -> Due {
        let deadlines: Vec<Date> = self
            .agreement_dates
            .iter()
            .filter_map(|d| parse_date(d))
            .collect();
        let evaluation = self.evaluation_date.as_deref().and_then(parse_date);
        let next_contact = self.next_contact.as_deref().and_then(parse_date);
        let next = evaluation
            .into_iter()
            .chain(next_contact)
            .chain(deadlines.iter().copied())
            .min();
        let last = parse_date(self.updated_at.get(..10).unwrap_or(&self.updated_at))
            .or_else(|| parse_date(&self.last_visit_date));
        Due {
            next,
            overdue_agreements: deadlines.iter().filter(|d| **d < today).count(),
            evaluation_overdue: evaluation.is_some_and(|d| d < today),
            contact_overdue: next_contact.is_some_and(|d| d < today),
            retention_due: last
                .is_some_and(|d| (today - d).whole_days() >= i64::from(retention_days)),
            active_flags: self.active_flags as usize,
            acute_flags: self.acute_flags as usize,
        }
    }
}

/// What is due in a case on a given day (for the home screen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// The earliest of the evaluation, the next contact and the
    /// agreements' deadlines (past ones included).
    pub next: Option<Date>,
    /// Agreements whose deadline has passed.
    pub overdue_agreements: usize,
    pub evaluation_overdue: bool,
    pub contact_overdue: bool,
    /// Untouched for the retention period: to be closed.
    pub retention_due: bool,
    pub active_flags: usize,
    pub acute_flags: usize,
}

impl Due {
    pub fn anything_overdue(&self) -> bool {
        self.overdue_agreements > 0 || self.evaluation_overdue || self.contact_overdue
    }
}

/// Open cases in the order the home screen lists them: the next due date
/// first (cases without one last), then by label.
pub fn sort_by_due(cards: &mut [(CaseSummary, Due)]) {
    cards.sort_by(|(a, da), (b, db)| {
        (da.next.is_none(), da.next, &a.label, &a.case_id).cmp(&(
            db.next.is_none(),
            db.next,
            &b.label,
            &b.case_id,
        ))
    });
}

/// Why the worker closes a case (the keys go to the office).
pub const CLOSE_REASONS: [(&str, &str, &str); 5] = [
    (
        "doel_bereikt",
        "Doelen bereikt, de zorgen zijn weg",
        "Goals reached, the worries are gone",
    ),
    (
        "overgedragen",
        "Overgedragen aan een andere hulpverlener of organisatie",
        "Handed over to another worker or organisation",
    ),
    (
        "verhuisd",
        "Gezin verhuisd of buiten ons gebied",
        "Family moved or outside our area",
    ),
    (
        "gestopt",
        "Gezin wil geen hulp meer",
        "Family no longer wants help",
    ),
    ("anders", "Anders", "Other"),
];

/// Whether `key` is one of [`CLOSE_REASONS`] (or `office`, a case closed
/// through a receipt, or `bewaartermijn`, the retention period).
pub fn valid_close_reason(key: &str) -> bool {
    CLOSE_REASONS.iter().any(|(k, _, _)| *k == key) || key == "office" || key == "bewaartermijn"
}

/// `YYYY-MM-DD` of a date (re-exported for callers of this module).
pub fn day(d: Date) -> String {
    format_date(d)
}

#[cfg(test)]
mod tests;
