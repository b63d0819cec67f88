//! The view-based writer against the straightforward `Value` builder it
//! replaced (kept here as the reference): the same document for any record.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::*;
use crate::visit::SecretText;
use crate::visit::record::{FinalRecord, SheetRecord};

fn ref_person(rec: &VisitRecord, p: PersonRecord) -> Value {
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
fn ref_answer_value(v: &AnswerValue) -> Value {
    match v {
        AnswerValue::Choice(id) => Value::String(id.clone()),
        AnswerValue::Multi(ids) => json!(ids),
        AnswerValue::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => json!(*n as i64),
        AnswerValue::Number(n) => {
            serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number)
        }
        AnswerValue::Text(t) => Value::String(t.as_str().to_string()),
        AnswerValue::Date(d) => Value::String(d.clone()),
    }
}

fn ref_answers(list: &[AnswerRecord]) -> Value {
    let mut m = Map::new();
    for a in list {
        m.insert(a.item.clone(), ref_answer_value(&a.value));
    }
    Value::Object(m)
}

/// The JSON document of one visit. `summary` is the record's own (finalized)
/// or one derived for a draft.
pub fn reference_visit_json(rec: &VisitRecord, status: Status, summary: &Summary) -> Value {
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
                    a.push(json!({
                        "answers": ref_answers(&e.answers),
                        "person": e.person.map(|p| ref_person(rec, p)),
                        "previous": e.previous.map(|p| json!({ "kind": p.kind.key(), "index": p.index })),
                    }));
                }
            }
            json!({
                "checklist": s.checklist.id,
                "version": s.checklist.version,
                "earlier_versions": s.earlier.iter().map(|e| json!({
                    "version": e.version,
                    "hash": e.hash,
                    "items": e.items,
                })).collect::<Vec<_>>(),
                "person": ref_person(rec, s.person),
                "answers": ref_answers(&s.answers),
                "entries": entries,
                "status": s.status,
                "status_reason": if s.status == "afgenomen" {
                    Value::Null
                } else {
                    Value::from(s.status_reason.as_str())
                },
            })
        })
        .collect();
    let flags: Vec<Value> = rec
        .flags
        .iter()
        .map(|f| {
            json!({
                "checklist": f.checklist,
                "person": ref_person(rec, f.person),
                "flag": f.flag,
                "item": f.item,
                "entry": f.entry,
                "level": f.level,
                "message": { "nl": f.message.nl, "en": f.message.en },
                "advice": { "nl": f.advice.nl, "en": f.advice.en },
                "raised_at": f.raised_at,
                "acknowledged_at": f.acknowledged_at,
                "action_taken": f.action_taken.as_str(),
                "state": f.state,
                "state_changed_at": f.state_at,
                "withdrawn_reason": if f.state == "withdrawn" {
                    Value::from(f.withdrawn_reason.as_str())
                } else {
                    Value::Null
                },
            })
        })
        .collect();
    let scores: Vec<Value> = summary
        .scores
        .iter()
        .map(|s| {
            json!({
                "checklist": s.checklist,
                "person": ref_person(rec, s.person),
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
                "person": ref_person(rec, o.person),
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
                "person": ref_person(rec, o.person),
                "item": o.item,
                "value": ref_answer_value(&o.value),
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
            "children": rec.children.iter().map(|c| json!({ "id": c.id, "alias": c.alias, "age": c.age,
                "removed": rec.removed.iter().any(|r| r.person == PersonRecord::Child(c.id)) })).collect::<Vec<_>>(),
            "caregivers": rec.caregivers.iter().map(|c| json!({ "id": c.id, "alias": c.alias, "role": c.role,
                "removed": rec.removed.iter().any(|r| r.person == PersonRecord::Caregiver(c.id)) })).collect::<Vec<_>>(),
        },
        "removed": rec.removed.iter().map(|r| json!({
            "person": ref_person(rec, r.person), "reason": r.reason.as_str(), "at": r.at,
        })).collect::<Vec<_>>(),
        "checklists": checklists,
        "sheets": sheets,
        "red_flags": flags,
        "scores": scores,
        "outcomes": outcomes,
        "missing_required": summary.missing_required,
        "orphans": orphans,
        "case_id": rec.case_id,
        "follows": rec.follow_up.as_ref().map(|f| f.follows.clone()),
        "read_back_at": rec.read_back_at,
        "follow_up": rec.follow_up.as_ref().map(|f| json!({
            "follows": f.follows,
            "previous_date": f.previous_date,
            "agreements": f.agreements.iter().map(|a| json!({
                "who": a.who.as_str(), "what": a.what.as_str(), "by_when": a.by_when,
                "if_wrong": a.if_wrong.as_str(),
            })).collect::<Vec<_>>(),
            "flags": f.flags.iter().map(|x| json!({
                "checklist": x.checklist, "person": ref_person(rec, x.person), "flag": x.flag,
                "level": x.level, "message": { "nl": x.message.nl, "en": x.message.en },
                "state": x.state, "action_taken": x.action_taken.as_str(), "raised_on": x.raised_on,
            })).collect::<Vec<_>>(),
            "scaling": f.scaling.iter().map(|x| json!({
                "who": x.who.as_str(), "role": x.role, "about": x.about.as_str(), "value": x.value,
            })).collect::<Vec<_>>(),
            "values": f.values.iter().map(|v| json!({
                "checklist": v.checklist, "person": ref_person(rec, v.person), "item": v.item,
                "value": ref_answer_value(&v.value),
            })).collect::<Vec<_>>(),
            "verdict": f.verdict,
            "evaluation_date": f.evaluation_date,
        })),
    })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_]{0,6}",
        "\\PC{0,12}",
        Just("\"quoted\" \\ back\nslash\t\u{1}".to_string()),
    ]
}

fn value() -> impl Strategy<Value = AnswerValue> {
    prop_oneof![
        text().prop_map(AnswerValue::Choice),
        prop::collection::vec(text(), 0..3).prop_map(AnswerValue::Multi),
        prop_oneof![
            any::<f64>(),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(3.0),
            Just(-0.5)
        ]
        .prop_map(AnswerValue::Number),
        text().prop_map(|t| AnswerValue::Text(SecretText::new(t))),
        text().prop_map(AnswerValue::Date),
    ]
}

fn answers() -> impl Strategy<Value = Vec<AnswerRecord>> {
    // Few item ids, so that repeats (last one wins) happen often.
    prop::collection::vec(
        ("[abc]{1,2}", value()).prop_map(|(item, value)| AnswerRecord { item, value }),
        0..6,
    )
}

fn person() -> impl Strategy<Value = PersonRecord> {
    prop_oneof![
        Just(PersonRecord::Visit),
        (0u32..4).prop_map(PersonRecord::Child),
        (0u32..4).prop_map(PersonRecord::Caregiver),
    ]
}

fn txt() -> impl Strategy<Value = Text> {
    (text(), text()).prop_map(|(nl, en)| Text { nl, en })
}

prop_compose! {
    fn record()(
        id in text(), label in text(), date in text(), place in text(), present in text(),
        children in prop::collection::vec((0u32..4, text(), any::<u8>()), 0..3),
        caregivers in prop::collection::vec((0u32..4, text(), text()), 0..3),
        sheets in prop::collection::vec(
            ("[xy]", 1u32..3, person(), answers(),
             prop::collection::vec(("[pq]", answers(), prop::option::of(person()), prop::option::of((0u32..3, 0usize..3))), 0..4),
             0usize..5, text()), 0..4),
        removed in prop::collection::vec((person(), text()), 0..2),
        flags in prop::collection::vec(
            (text(), person(), prop::option::of(text()), prop::option::of(0u32..3), txt(), txt(),
             prop::option::of(text()), text()), 0..3),
        scores in prop::collection::vec(
            (text(), person(), any::<i64>(), prop::option::of(text()), prop::option::of(txt()), txt()), 0..3),
        outcomes in prop::collection::vec(
            (text(), person(), prop::option::of(text()), prop::option::of(txt()), txt()), 0..3),
        orphans in prop::collection::vec((text(), person(), value()), 0..2),
        finalized in prop::option::of((any::<u64>(), text(), text(), text())),
        missing in any::<u32>(),
    ) -> (VisitRecord, Summary) {
        let summary = Summary {
            scores: scores.into_iter().map(|(score, person, value, band, band_label, title)| ScoreRecord {
                checklist: "c".into(), person, score, title, value, band, band_label,
                answered: 3, visible: 4,
            }).collect(),
            outcomes: outcomes.into_iter().map(|(outcome, person, value, label, title)| OutcomeRecord {
                checklist: "c".into(), person, outcome, title, value, label,
            }).collect(),
            missing_required: missing,
        };
        let rec = VisitRecord {
case_id: format!("case-{id}"),
            // A follow-up half of the time, made of the other generated values.
            follow_up: (place.len() % 2 == 0).then(|| (
                label.clone(), present.clone(), orphans.first().map(|o| o.0.clone()),
                orphans.first().map_or(PersonRecord::Visit, |o| o.1),
                orphans.first().map_or(AnswerValue::Number(1.5), |o| o.2.clone()),
                i64::from(missing) - 7,
            )).map(|(follows, what, by, person, value, n)| crate::visit::record::FollowUpRecord {
                follows: follows.clone(),
                previous_date: "2025-02-04".into(),
                agreements: vec![crate::visit::record::AgreementRecord {
                    who: SecretText::new(follows.clone()), what: SecretText::new(what.clone()),
                    by_when: by.clone(), if_wrong: SecretText::new(what.clone()),
                }],
                flags: vec![crate::visit::record::CaseFlagRecord {
                    checklist: "c".into(), person, flag: what.clone(), level: "acute".into(),
                    message: Text { nl: what.clone(), en: follows.clone() }, state: "active".into(),
                    action_taken: SecretText::new(what.clone()), raised_on: "2025-02-04".into(),
                }],
                scaling: vec![crate::visit::record::ScalingRecord {
                    who: SecretText::new(what.clone()), role: by.clone(), about: SecretText::default(), value: n,
                }],
                values: vec![crate::visit::record::PreviousValueRecord {
                    checklist: "c".into(), person, item: what, value,
                }],
                verdict: by.clone(),
                evaluation_date: by,
            }),
            read_back_at: (present.len() % 2 == 1).then(|| date.clone()), case_keeps: Vec::new(),
            id, label, date, place, present,
            children: children.into_iter().map(|(id, alias, age)| ChildRecord { id, alias, age }).collect(),
            caregivers: caregivers.into_iter().map(|(id, alias, role)| CaregiverRecord { id, alias, role }).collect(),
            sheets: sheets.into_iter().map(|(c, version, person, answers, entries, status, reason)| SheetRecord {
                checklist: ChecklistStamp { id: c.clone(), version, hash: format!("{c}{version}") },
                person,
                answers,
                entries: entries.into_iter().map(|(section, answers, person, previous)| EntryRecord {
                    section, answers, person,
                    previous: previous.map(|(index, k)| crate::visit::record::PreviousRef {
                        index,
                        kind: [
                            crate::visit::record::PreviousKind::Agreement,
                            crate::visit::record::PreviousKind::Flag,
                            crate::visit::record::PreviousKind::Scaling,
                        ][k],
                    }),
                }).collect(),
                status: crate::visit::SheetStatus::ALL[status].key().into(),
                // Earlier versions on every other sheet, named by its own values.
                earlier: (version % 2 == 1)
                    .then(|| crate::visit::record::EarlierVersion {
                        version: version / 2,
                        hash: format!("{c}-old"),
                        items: vec![c.clone(), reason.clone()],
                    })
                    .into_iter()
                    .collect(),
                status_reason: SecretText::new(if status == 0 { String::new() } else { reason }),
            }).collect(),
            flags: flags.into_iter().map(|(flag, person, item, entry, message, advice, acknowledged_at, action)| FlagRecord {
                checklist: "c".into(), person, flag, item, entry, level: "acute".into(), message, advice,
                raised_at: "2025-03-04T10:00:00".into(), acknowledged_at,
                // Every state, by the action's length.
                state: ["active", "lapsed", "withdrawn"][action.len() % 3].into(),
                state_at: (action.len() % 3 != 0).then(|| "2025-03-04T10:03:00".into()),
                withdrawn_reason: SecretText::new(if action.len() % 3 == 2 { "vergissing" } else { "" }),
                action_taken: SecretText::new(action),
            }).collect(),
            cursor: None,
            created_at: "2025-03-04T10:00:00".into(),
            updated_at: "2025-03-04T10:05:00".into(),
            orphans: orphans.into_iter().map(|(item, person, value)| OrphanRecord {
                checklist: "c".into(), person, item, value,
            }).collect(),
            pending: vec![],
            removed: removed.into_iter().map(|(person, reason)| crate::visit::record::RemovedRecord {
                person, reason: SecretText::new(reason), at: "2025-03-04T10:04:00".into(),
            }).collect(),
            finalized: finalized.map(|(sequence, finalized_at, device_id, device_name)| FinalRecord {
                sequence, finalized_at, device_id, device_name, summary: summary.clone(),
            }),
        };
        (rec, summary)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_view_gives_the_reference_document((rec, summary) in record(), draft in any::<bool>()) {
        let status = if draft { Status::Draft } else { Status::Finalized };
        let reference = reference_visit_json(&rec, status, &summary);
        prop_assert_eq!(&visit_json(&rec, status, &summary), &reference);
        // Byte for byte: the view's field order is the sorted order.
        let mut expected = serde_json::to_vec(&reference).unwrap();
        expected.push(b'\n');
        prop_assert_eq!(visit_json_bytes(&rec, status, &summary), expected);
    }
}

#[test]
fn a_repeated_item_keeps_its_last_answer() {
    let list = vec![
        AnswerRecord {
            item: "b".into(),
            value: AnswerValue::Choice("eerste".into()),
        },
        AnswerRecord {
            item: "a".into(),
            value: AnswerValue::Number(1.0),
        },
        AnswerRecord {
            item: "b".into(),
            value: AnswerValue::Choice("laatste".into()),
        },
    ];
    let v = serde_json::to_value(AnswersView(&list)).unwrap();
    assert_eq!(v, json!({ "a": 1, "b": "laatste" }));
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["a", "b"]);
}

#[test]
fn numbers_that_json_cannot_hold_are_null() {
    assert_eq!(answer_value(&AnswerValue::Number(f64::NAN)), Value::Null);
    assert_eq!(answer_value(&AnswerValue::Number(2.5)), json!(2.5));
}

#[test]
fn whole_numbers_are_written_as_integers() {
    assert_eq!(answer_value(&AnswerValue::Number(12.0)), json!(12));
    assert_eq!(answer_value(&AnswerValue::Number(-3.0)), json!(-3));
    assert_eq!(
        serde_json::to_string(&answer_value(&AnswerValue::Number(12.0))).unwrap(),
        "12"
    );
    assert_eq!(
        serde_json::to_string(&answer_value(&AnswerValue::Number(0.5))).unwrap(),
        "0.5"
    );
}
