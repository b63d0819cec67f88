//! A visit as JSON, in the one shape that replay's `--json` and the office
//! import both write (documented in docs/FORMATS.md, "Visit JSON"). Keys are
//! sorted, so the same record always gives the same bytes.
//!
//! The shape is defined once, by the borrowed view structs below (their
//! fields are declared in sorted order): [`visit_json`] turns the view into a
//! `serde_json::Value`, [`visit_json_bytes`] serializes the same view
//! straight to bytes without building the tree (the office writes thousands
//! of these). A test proves both give the same document.
//!
//! Pure: builds values, writes nothing.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

use crate::i18n::Text;
use crate::visit::record::{
    AnswerRecord, AnswerValue, CaregiverRecord, ChecklistStamp, ChildRecord, EntryRecord,
    FlagRecord, FollowUpRecord, OrphanRecord, OutcomeRecord, PersonRecord, RemovedRecord,
    ScoreRecord, Summary, VisitRecord,
};

/// The version of this JSON shape; raised with every change to it.
pub const SCHEMA_VERSION: u32 = 5;

/// Whether a visit is still a draft or was finalized on its device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Finalized,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Finalized => "finalized",
        }
    }
}

/// An answer's value: option id, list of option ids, number, text or date.
pub fn answer_value(v: &AnswerValue) -> Value {
    serde_json::to_value(AnswerView(v)).unwrap_or(Value::Null)
}

/// The JSON document of one visit. `summary` is the record's own (finalized)
/// or one derived for a draft.
pub fn visit_json(rec: &VisitRecord, status: Status, summary: &Summary) -> Value {
    serde_json::to_value(VisitView::new(rec, status, summary)).unwrap_or(Value::Null)
}

/// The same document as [`visit_json`], serialized as it is written to a
/// file: compact (one line, no spaces), UTF-8, ending in a newline. Built
/// without the intermediate `Value`, so it is several times faster.
/// (`jq . FILE` shows it indented.)
pub fn visit_json_bytes(rec: &VisitRecord, status: Status, summary: &Summary) -> Vec<u8> {
    let mut out = Vec::with_capacity(size_hint(rec, summary));
    // Writing to a Vec cannot fail, and every map key here is a string.
    if serde_json::to_writer(&mut out, &VisitView::new(rec, status, summary)).is_err() {
        out.clear();
        out.extend_from_slice(b"null");
    }
    out.push(b'\n');
    out
}

/// About the size of the document, so that its buffer rarely grows.
fn size_hint(rec: &VisitRecord, summary: &Summary) -> usize {
    let answer = |a: &AnswerRecord| {
        a.item.len()
            + 8
            + match &a.value {
                AnswerValue::Choice(s) | AnswerValue::Date(s) => s.len(),
                AnswerValue::Multi(v) => v.iter().map(|s| s.len() + 3).sum(),
                AnswerValue::Number(_) => 12,
                AnswerValue::Text(t) => t.as_str().len() + t.as_str().len() / 8,
            }
    };
    let sheets: usize = rec
        .sheets
        .iter()
        .map(|s| {
            200 + s.status_reason.as_str().len()
                + s.earlier
                    .iter()
                    .map(|e| 120 + e.items.iter().map(|i| i.len() + 3).sum::<usize>())
                    .sum::<usize>()
                + s.answers.iter().map(answer).sum::<usize>()
                + s.entries
                    .iter()
                    .map(|e| 80 + e.answers.iter().map(answer).sum::<usize>())
                    .sum::<usize>()
        })
        .sum();
    let flags: usize = rec
        .flags
        .iter()
        .map(|f| {
            400 + f.message.nl.len()
                + f.message.en.len()
                + f.advice.nl.len()
                + f.advice.en.len()
                + f.withdrawn_reason.as_str().len()
        })
        .sum();
    1024 + sheets
        + flags
        + 320 * (summary.scores.len() + summary.outcomes.len() + rec.orphans.len())
}

// ---- the view: every struct's fields in sorted order ----

#[derive(Serialize)]
struct TextView<'a> {
    en: &'a str,
    nl: &'a str,
}

impl<'a> TextView<'a> {
    fn of(t: &'a Text) -> TextView<'a> {
        TextView {
            en: &t.en,
            nl: &t.nl,
        }
    }
}

struct PersonView<'a> {
    rec: &'a VisitRecord,
    person: PersonRecord,
}

impl Serialize for PersonView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (kind, id, alias) = match self.person {
            PersonRecord::Visit => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("kind", "visit")?;
                return m.end();
            }
            PersonRecord::Child(id) => (
                "child",
                id,
                self.rec
                    .children
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| c.alias.as_str()),
            ),
            PersonRecord::Caregiver(id) => (
                "caregiver",
                id,
                self.rec
                    .caregivers
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| c.alias.as_str()),
            ),
        };
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("alias", &alias)?;
        m.serialize_entry("id", &id)?;
        m.serialize_entry("kind", kind)?;
        m.end()
    }
}

struct AnswerView<'a>(&'a AnswerValue);

impl Serialize for AnswerView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            AnswerValue::Choice(id) => s.serialize_str(id),
            AnswerValue::Multi(ids) => ids.serialize(s),
            // A whole number is written as an integer: `12`, not `12.0`.
            AnswerValue::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                s.serialize_i64(*n as i64)
            }
            AnswerValue::Number(n) if n.is_finite() => s.serialize_f64(*n),
            AnswerValue::Number(_) => s.serialize_unit(),
            AnswerValue::Text(t) => s.serialize_str(t.as_str()),
            AnswerValue::Date(d) => s.serialize_str(d),
        }
    }
}

/// Answers as an object keyed by item id, sorted; a repeated item keeps its
/// last answer (as inserting into a map would).
struct AnswersView<'a>(&'a [AnswerRecord]);

impl Serialize for AnswersView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let list = self.0;
        let mut order: Vec<usize> = (0..list.len()).collect();
        // By item, and for one item the latest first, so that dedup keeps it.
        order.sort_unstable_by(|&a, &b| list[a].item.cmp(&list[b].item).then(b.cmp(&a)));
        order.dedup_by(|later, kept| list[*later].item == list[*kept].item);
        let mut m = s.serialize_map(Some(order.len()))?;
        for i in order {
            m.serialize_entry(&list[i].item, &AnswerView(&list[i].value))?;
        }
        m.end()
    }
}

/// Entries of repeatable sections: an object keyed by section id (sorted),
/// each an array of entries in entry order: `{ "answers", "person" }`,
/// `person` the roster member an entry made from the roster is about.
struct EntriesView<'a>(&'a VisitRecord, &'a [EntryRecord]);

impl Serialize for EntriesView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let list = self.1;
        let mut order: Vec<usize> = (0..list.len()).collect();
        order.sort_by(|&a, &b| list[a].section.cmp(&list[b].section).then(a.cmp(&b)));
        let mut m = s.serialize_map(None)?;
        let mut i = 0;
        while i < order.len() {
            let section = &list[order[i]].section;
            let end = order[i..]
                .iter()
                .position(|&j| list[j].section != *section)
                .map_or(order.len(), |n| i + n);
            m.serialize_entry(section, &EntryGroup(self.0, list, &order[i..end]))?;
            i = end;
        }
        m.end()
    }
}

struct EntryGroup<'a>(&'a VisitRecord, &'a [EntryRecord], &'a [usize]);

#[derive(Serialize)]
struct EntryView<'a> {
    answers: AnswersView<'a>,
    person: Option<PersonView<'a>>,
    previous: Option<PreviousView>,
}

/// What of the previous visit an entry is about (schema 4).
#[derive(Serialize)]
struct PreviousView {
    index: u32,
    kind: &'static str,
}

#[derive(Serialize)]
struct AgreementView<'a> {
    by_when: Option<&'a str>,
    if_wrong: &'a str,
    what: &'a str,
    who: &'a str,
}

#[derive(Serialize)]
struct PreviousFlagView<'a> {
    action_taken: &'a str,
    checklist: &'a str,
    flag: &'a str,
    level: &'a str,
    message: TextView<'a>,
    person: PersonView<'a>,
    raised_on: &'a str,
    state: &'a str,
}

#[derive(Serialize)]
struct ScalingView<'a> {
    about: &'a str,
    role: Option<&'a str>,
    value: i64,
    who: &'a str,
}

#[derive(Serialize)]
struct PreviousValueView<'a> {
    checklist: &'a str,
    item: &'a str,
    person: PersonView<'a>,
    value: AnswerView<'a>,
}

/// What a follow-up visit knew of the visit it follows (schema 4).
#[derive(Serialize)]
struct FollowUpView<'a> {
    agreements: Vec<AgreementView<'a>>,
    evaluation_date: Option<&'a str>,
    flags: Vec<PreviousFlagView<'a>>,
    follows: &'a str,
    previous_date: &'a str,
    scaling: Vec<ScalingView<'a>>,
    values: Vec<PreviousValueView<'a>>,
    verdict: Option<&'a str>,
}

impl<'a> FollowUpView<'a> {
    fn of(rec: &'a VisitRecord, f: &'a FollowUpRecord) -> FollowUpView<'a> {
        FollowUpView {
            agreements: f
                .agreements
                .iter()
                .map(|a| AgreementView {
                    by_when: a.by_when.as_deref(),
                    if_wrong: a.if_wrong.as_str(),
                    what: a.what.as_str(),
                    who: a.who.as_str(),
                })
                .collect(),
            evaluation_date: f.evaluation_date.as_deref(),
            flags: f
                .flags
                .iter()
                .map(|x| PreviousFlagView {
                    action_taken: x.action_taken.as_str(),
                    checklist: &x.checklist,
                    flag: &x.flag,
                    level: &x.level,
                    message: TextView::of(&x.message),
                    person: PersonView {
                        rec,
                        person: x.person,
                    },
                    raised_on: &x.raised_on,
                    state: &x.state,
                })
                .collect(),
            follows: &f.follows,
            previous_date: &f.previous_date,
            scaling: f
                .scaling
                .iter()
                .map(|x| ScalingView {
                    about: x.about.as_str(),
                    role: x.role.as_deref(),
                    value: x.value,
                    who: x.who.as_str(),
                })
                .collect(),
            values: f
                .values
                .iter()
                .map(|v| PreviousValueView {
                    checklist: &v.checklist,
                    item: &v.item,
                    person: PersonView {
                        rec,
                        person: v.person,
                    },
                    value: AnswerView(&v.value),
                })
                .collect(),
            verdict: f.verdict.as_deref(),
        }
    }
}

impl Serialize for EntryGroup<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.2.len()))?;
        for &j in self.2 {
            let e = &self.1[j];
            seq.serialize_element(&EntryView {
                answers: AnswersView(&e.answers),
                person: e.person.map(|person| PersonView {
                    rec: self.0,
                    person,
                }),
                previous: e.previous.map(|p| PreviousView {
                    index: p.index,
                    kind: p.kind.key(),
                }),
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct StampView<'a> {
    hash: &'a str,
    id: &'a str,
    version: u32,
}

#[derive(Serialize)]
struct SheetView<'a> {
    answers: AnswersView<'a>,
    checklist: &'a str,
    /// Answers given under earlier versions of the checklist (schema 5):
    /// `{ hash, items, version }`, oldest first; empty when every answer
    /// was given under `version`.
    earlier_versions: Vec<EarlierView<'a>>,
    entries: EntriesView<'a>,
    person: PersonView<'a>,
    /// `afgenomen`, `niet_aanwezig`, `bewust_niet`, `weigert` or `te_jong`.
    status: &'a str,
    /// The worker's reason; null for `afgenomen`.
    status_reason: Option<&'a str>,
    /// The version of the checklist the sheet was last filled in with
    /// (schema 5; its hash is in `checklists`).
    version: u32,
}

#[derive(Serialize)]
struct EarlierView<'a> {
    hash: &'a str,
    items: &'a [String],
    version: u32,
}

#[derive(Serialize)]
struct RemovedView<'a> {
    at: &'a str,
    person: PersonView<'a>,
    reason: &'a str,
}

#[derive(Serialize)]
struct FlagView<'a> {
    acknowledged_at: Option<&'a str>,
    action_taken: &'a str,
    advice: TextView<'a>,
    checklist: &'a str,
    entry: Option<u32>,
    flag: &'a str,
    item: Option<&'a str>,
    level: &'a str,
    message: TextView<'a>,
    person: PersonView<'a>,
    raised_at: &'a str,
    state: &'a str,
    state_changed_at: Option<&'a str>,
    withdrawn_reason: Option<&'a str>,
}

#[derive(Serialize)]
struct ScoreView<'a> {
    answered: u32,
    band: Option<&'a str>,
    band_label: Option<TextView<'a>>,
    checklist: &'a str,
    person: PersonView<'a>,
    score: &'a str,
    title: TextView<'a>,
    value: i64,
    visible: u32,
}

#[derive(Serialize)]
struct OutcomeView<'a> {
    checklist: &'a str,
    label: Option<TextView<'a>>,
    outcome: &'a str,
    person: PersonView<'a>,
    title: TextView<'a>,
    value: Option<&'a str>,
}

#[derive(Serialize)]
struct OrphanView<'a> {
    checklist: &'a str,
    item: &'a str,
    person: PersonView<'a>,
    value: AnswerView<'a>,
}

#[derive(Serialize)]
struct ChildView<'a> {
    age: u8,
    alias: &'a str,
    id: u32,
    removed: bool,
}

#[derive(Serialize)]
struct CaregiverView<'a> {
    alias: &'a str,
    id: u32,
    removed: bool,
    role: &'a str,
}

#[derive(Serialize)]
struct RosterView<'a> {
    caregivers: Vec<CaregiverView<'a>>,
    children: Vec<ChildView<'a>>,
}

#[derive(Serialize)]
struct DeviceView<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct VisitView<'a> {
    case_id: &'a str,
    checklists: Vec<StampView<'a>>,
    created_at: &'a str,
    date: &'a str,
    device: Option<DeviceView<'a>>,
    finalized_at: Option<&'a str>,
    follow_up: Option<FollowUpView<'a>>,
    follows: Option<&'a str>,
    id: &'a str,
    label: &'a str,
    missing_required: u32,
    orphans: Vec<OrphanView<'a>>,
    outcomes: Vec<OutcomeView<'a>>,
    place: &'a str,
    present: &'a str,
    read_back_at: Option<&'a str>,
    red_flags: Vec<FlagView<'a>>,
    removed: Vec<RemovedView<'a>>,
    roster: RosterView<'a>,
    schema_version: u32,
    scores: Vec<ScoreView<'a>>,
    sequence: Option<u64>,
    sheets: Vec<SheetView<'a>>,
    status: &'static str,
    updated_at: &'a str,
}

impl<'a> VisitView<'a> {
    fn new(rec: &'a VisitRecord, status: Status, summary: &'a Summary) -> VisitView<'a> {
        let person = |p: PersonRecord| PersonView { rec, person: p };
        let removed = |p: PersonRecord| rec.removed.iter().any(|r| r.person == p);
        let mut stamps: Vec<&ChecklistStamp> = Vec::new();
        for s in &rec.sheets {
            if !stamps.contains(&&s.checklist) {
                stamps.push(&s.checklist);
            }
        }
        let fin = rec.finalized.as_ref();
        VisitView {
            case_id: &rec.case_id,
            checklists: stamps
                .into_iter()
                .map(|c| StampView {
                    hash: &c.hash,
                    id: &c.id,
                    version: c.version,
                })
                .collect(),
            created_at: &rec.created_at,
            date: &rec.date,
            device: fin.map(|f| DeviceView {
                id: &f.device_id,
                name: &f.device_name,
            }),
            finalized_at: fin.map(|f| f.finalized_at.as_str()),
            follow_up: rec.follow_up.as_ref().map(|f| FollowUpView::of(rec, f)),
            follows: rec.follow_up.as_ref().map(|f| f.follows.as_str()),
            id: &rec.id,
            label: &rec.label,
            missing_required: summary.missing_required,
            orphans: rec
                .orphans
                .iter()
                .map(|o: &OrphanRecord| OrphanView {
                    checklist: &o.checklist,
                    item: &o.item,
                    person: person(o.person),
                    value: AnswerView(&o.value),
                })
                .collect(),
            outcomes: summary
                .outcomes
                .iter()
                .map(|o: &OutcomeRecord| OutcomeView {
                    checklist: &o.checklist,
                    label: o.label.as_ref().map(TextView::of),
                    outcome: &o.outcome,
                    person: person(o.person),
                    title: TextView::of(&o.title),
                    value: o.value.as_deref(),
                })
                .collect(),
            place: &rec.place,
            present: &rec.present,
            read_back_at: rec.read_back_at.as_deref(),
            red_flags: rec
                .flags
                .iter()
                .map(|f: &FlagRecord| FlagView {
                    acknowledged_at: f.acknowledged_at.as_deref(),
                    action_taken: f.action_taken.as_str(),
                    advice: TextView::of(&f.advice),
                    checklist: &f.checklist,
                    entry: f.entry,
                    flag: &f.flag,
                    item: f.item.as_deref(),
                    level: &f.level,
                    message: TextView::of(&f.message),
                    person: person(f.person),
                    raised_at: &f.raised_at,
                    state: &f.state,
                    state_changed_at: f.state_at.as_deref(),
                    withdrawn_reason: (f.state == "withdrawn")
                        .then_some(f.withdrawn_reason.as_str()),
                })
                .collect(),
            removed: rec
                .removed
                .iter()
                .map(|r: &RemovedRecord| RemovedView {
                    at: &r.at,
                    person: person(r.person),
                    reason: r.reason.as_str(),
                })
                .collect(),
            roster: RosterView {
                caregivers: rec
                    .caregivers
                    .iter()
                    .map(|c: &CaregiverRecord| CaregiverView {
                        alias: &c.alias,
                        id: c.id,
                        removed: removed(PersonRecord::Caregiver(c.id)),
                        role: &c.role,
                    })
                    .collect(),
                children: rec
                    .children
                    .iter()
                    .map(|c: &ChildRecord| ChildView {
                        age: c.age,
                        alias: &c.alias,
                        id: c.id,
                        removed: removed(PersonRecord::Child(c.id)),
                    })
                    .collect(),
            },
            schema_version: SCHEMA_VERSION,
            scores: summary
                .scores
                .iter()
                .map(|s: &ScoreRecord| ScoreView {
                    answered: s.answered,
                    band: s.band.as_deref(),
                    band_label: s.band_label.as_ref().map(TextView::of),
                    checklist: &s.checklist,
                    person: person(s.person),
                    score: &s.score,
                    title: TextView::of(&s.title),
                    value: s.value,
                    visible: s.visible,
                })
                .collect(),
            sequence: fin.map(|f| f.sequence),
            sheets: rec
                .sheets
                .iter()
                .map(|s| SheetView {
                    answers: AnswersView(&s.answers),
                    checklist: &s.checklist.id,
                    earlier_versions: s
                        .earlier
                        .iter()
                        .map(|e| EarlierView {
                            hash: &e.hash,
                            items: &e.items,
                            version: e.version,
                        })
                        .collect(),
                    entries: EntriesView(rec, &s.entries),
                    person: person(s.person),
                    status: &s.status,
                    status_reason: (s.status != "afgenomen").then_some(s.status_reason.as_str()),
                    version: s.checklist.version,
                })
                .collect(),
            status: status.key(),
            updated_at: &rec.updated_at,
        }
    }
}

#[cfg(test)]
mod tests;
