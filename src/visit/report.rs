//! A visit as JSON, in the one shape that replay's `--json` and the office
//! import both write (documented in docs/FORMATS.md, "Visit JSON"). Keys are
//! sorted, so the same record always gives the same bytes.
//!
//! Pure: builds values, writes nothing.

use serde_json::{Map, Value, json};

use crate::visit::record::{AnswerRecord, AnswerValue, PersonRecord, Summary, VisitRecord};

/// The version of this JSON shape; raised with every change to it.
pub const SCHEMA_VERSION: u32 = 1;

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

fn person(rec: &VisitRecord, p: PersonRecord) -> Value {
    match p {
        PersonRecord::Visit => json!({ "kind": "visit" }),
        PersonRecord::Child(id) => {
            let alias = rec
                .children
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.alias.clone());
            json!({ "kind": "child", "id": id, "alias": alias })
        }
        PersonRecord::Caregiver(id) => {
            let alias = rec
                .caregivers
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.alias.clone());
            json!({ "kind": "caregiver", "id": id, "alias": alias })
        }
    }
}

/// An answer's value: option id, list of option ids, number, text or date.
pub fn answer_value(v: &AnswerValue) -> Value {
    match v {
        AnswerValue::Choice(id) => Value::String(id.clone()),
        AnswerValue::Multi(ids) => json!(ids),
        AnswerValue::Number(n) => {
            serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number)
        }
        AnswerValue::Text(t) => Value::String(t.as_str().to_string()),
        AnswerValue::Date(d) => Value::String(d.clone()),
    }
}

fn answers(list: &[AnswerRecord]) -> Value {
    let mut m = Map::new();
    for a in list {
        m.insert(a.item.clone(), answer_value(&a.value));
    }
    Value::Object(m)
}

/// The JSON document of one visit. `summary` is the record's own (finalized)
/// or one derived for a draft.
pub fn visit_json(rec: &VisitRecord, status: Status, summary: &Summary) -> Value {
    let mut checklists: Vec<Value> = Vec::new();
    for s in &rec.sheets {
        let v = json!({ "id": s.checklist.id, "version": s.checklist.version, "hash": s.checklist.hash });
        if !checklists.contains(&v) {
            checklists.push(v);
        }
    }
    let sheets: Vec<Value> = rec
        .sheets
        .iter()
        .map(|s| {
            let mut entries = Map::new();
            for e in &s.entries {
                let list = entries
                    .entry(e.section.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(a) = list {
                    a.push(answers(&e.answers));
                }
            }
            json!({
                "checklist": s.checklist.id,
                "person": person(rec, s.person),
                "answers": answers(&s.answers),
                "entries": entries,
            })
        })
        .collect();
    let flags: Vec<Value> = rec
        .flags
        .iter()
        .map(|f| {
            json!({
                "checklist": f.checklist,
                "person": person(rec, f.person),
                "flag": f.flag,
                "item": f.item,
                "entry": f.entry,
                "level": f.level,
                "message": { "nl": f.message.nl, "en": f.message.en },
                "advice": { "nl": f.advice.nl, "en": f.advice.en },
                "raised_at": f.raised_at,
                "acknowledged_at": f.acknowledged_at,
                "action_taken": f.action_taken.as_str(),
            })
        })
        .collect();
    let scores: Vec<Value> = summary
        .scores
        .iter()
        .map(|s| {
            json!({
                "checklist": s.checklist,
                "person": person(rec, s.person),
                "score": s.score,
                "title": { "nl": s.title.nl, "en": s.title.en },
                "value": s.value,
                "band": s.band,
                "band_label": s.band_label.as_ref().map(|b| json!({ "nl": b.nl, "en": b.en })),
                "answered": s.answered,
                "visible": s.visible,
            })
        })
        .collect();
    let outcomes: Vec<Value> = summary
        .outcomes
        .iter()
        .map(|o| {
            json!({
                "checklist": o.checklist,
                "person": person(rec, o.person),
                "outcome": o.outcome,
                "title": { "nl": o.title.nl, "en": o.title.en },
                "value": o.value,
                "label": o.label.as_ref().map(|l| json!({ "nl": l.nl, "en": l.en })),
            })
        })
        .collect();
    let orphans: Vec<Value> = rec
        .orphans
        .iter()
        .map(|o| {
            json!({
                "checklist": o.checklist,
                "person": person(rec, o.person),
                "item": o.item,
                "value": answer_value(&o.value),
            })
        })
        .collect();
    let fin = rec.finalized.as_ref();
    json!({
        "schema_version": SCHEMA_VERSION,
        "id": rec.id,
        "status": status.key(),
        "label": rec.label,
        "date": rec.date,
        "place": rec.place,
        "present": rec.present,
        "created_at": rec.created_at,
        "updated_at": rec.updated_at,
        "device": fin.map(|f| json!({ "id": f.device_id, "name": f.device_name })),
        "sequence": fin.map(|f| f.sequence),
        "finalized_at": fin.map(|f| f.finalized_at.clone()),
        "roster": {
            "children": rec.children.iter().map(|c| json!({ "id": c.id, "alias": c.alias, "age": c.age })).collect::<Vec<_>>(),
            "caregivers": rec.caregivers.iter().map(|c| json!({ "id": c.id, "alias": c.alias, "role": c.role })).collect::<Vec<_>>(),
        },
        "checklists": checklists,
        "sheets": sheets,
        "red_flags": flags,
        "scores": scores,
        "outcomes": outcomes,
        "missing_required": summary.missing_required,
        "orphans": orphans,
    })
}
