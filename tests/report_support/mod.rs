//! A ledger for the report tests, written straight with SQL (the schema
//! from `Ledger::open`): visits of the fictional families with the flags,
//! scores and documents the report reads, a gap, a conflict with an acute
//! flag, a refused bundle. Faster and more pointed than importing bundles;
//! tests/office_report.rs also runs one real import.
#![allow(dead_code)]

use std::path::Path;

use rusqlite::{Connection, params};
use safevisit::supervisor::ledger::{FILE, Ledger};
use serde_json::{Value, json};

pub struct Flag {
    pub checklist: &'static str,
    pub flag: &'static str,
    pub level: &'static str,
    pub message: &'static str,
    pub action: String,
    /// (kind, id) of the person, or the visit.
    pub person: Option<(&'static str, i64)>,
    pub state: &'static str,
}

pub fn flag(level: &'static str, flag: &'static str, message: &'static str, action: &str) -> Flag {
    Flag {
        checklist: "veiligheid",
        flag,
        level,
        message,
        action: action.into(),
        person: None,
        state: "active",
    }
}

pub struct Score {
    pub checklist: &'static str,
    pub score: &'static str,
    pub person: Option<(&'static str, i64)>,
    pub value: i64,
    pub band: Option<&'static str>,
    pub answered: i64,
}

pub fn score(
    checklist: &'static str,
    score: &'static str,
    person: Option<(&'static str, i64)>,
    value: i64,
    band: Option<&'static str>,
) -> Score {
    Score {
        checklist,
        score,
        person,
        value,
        band,
        answered: 5,
    }
}

pub struct Visit {
    pub id: String,
    pub device: &'static str,
    pub sequence: i64,
    pub date: String,
    pub label: String,
    pub case_id: String,
    pub follows: Option<String>,
    pub verdict: Option<&'static str>,
    pub flags: Vec<Flag>,
    pub scores: Vec<Score>,
    /// (id, alias, age)
    pub children: Vec<(i64, String, i64)>,
    /// (id, alias, role)
    pub caregivers: Vec<(i64, String, &'static str)>,
    /// Answers added to the document's sheets (a full visit has about 300;
    /// the report skips them unread, the benchmark pays for that).
    pub padding: usize,
}

/// An office folder at `dir` with an empty ledger, two laptops and one
/// imported bundle; the connection to fill it.
pub fn office(dir: &Path) -> Connection {
    drop(Ledger::open(&dir.join(FILE)).expect("make the ledger"));
    let conn = Connection::open(dir.join(FILE)).expect("open the ledger");
    conn.execute_batch(
        "INSERT INTO devices (device_id, name, first_seen, last_seen) VALUES
           ('dev-noord', 'wijkteam-noord-1', '2026-11-01T09:00:00', '2026-12-05T09:00:00'),
           ('dev-zuid', 'wijkteam-zuid-2', '2026-11-01T09:00:00', '2026-12-05T09:00:00');
         INSERT INTO bundles (bundle_id, sha256, file_name, size, seen_at, outcome, device_id)
           VALUES (1, 'aa', 'noord.age', 100, '2026-12-05T09:30:00', 'imported', 'dev-noord');",
    )
    .expect("devices and a bundle");
    conn
}

fn person(p: Option<(&str, i64)>, v: &Visit) -> Value {
    match p {
        None => json!({ "kind": "visit" }),
        Some((kind, id)) => {
            let alias = if kind == "child" {
                v.children.iter().find(|c| c.0 == id).map(|c| c.1.clone())
            } else {
                v.caregivers.iter().find(|c| c.0 == id).map(|c| c.1.clone())
            };
            json!({ "kind": kind, "id": id, "alias": alias })
        }
    }
}

/// Add a visit: its row, its document, its flags and scores, its case.
pub fn add(conn: &Connection, no: i64, v: &Visit) {
    let count = |level: &str| {
        v.flags
            .iter()
            .filter(|f| f.level == level && f.state == "active")
            .count() as i64
    };
    conn.execute(
        "INSERT INTO visits (visit_no, visit_id, device_id, sequence, date, label, created_at,
            finalized_at, record_sha256, record_version, bundle_id, imported_at, checklists,
            children, caregivers, flags_acute, flags_structural, flags_attention, flags_open,
            missing_required, case_id, follows, finding_safety_verdict)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 'ff', 3, 1, '2026-12-05T10:30:00', 'veiligheid@1',
            ?8, ?9, ?10, ?11, ?12, 0, 0, ?13, ?14, ?15)",
        params![
            no,
            v.id,
            v.device,
            v.sequence,
            v.date,
            v.label,
            format!("{}T10:00:00", v.date),
            v.children.len() as i64,
            v.caregivers.len() as i64,
            count("acute"),
            count("structural"),
            count("attention"),
            v.case_id,
            v.follows,
            v.verdict,
        ],
    )
    .expect("insert a visit");
    let flags: Vec<Value> = v
        .flags
        .iter()
        .map(|f| {
            json!({
                "acknowledged_at": format!("{}T10:05:00", v.date),
                "action_taken": f.action,
                "advice": { "nl": "Bel 112 bij direct gevaar.", "en": "Call 112 in immediate danger." },
                "checklist": f.checklist,
                "entry": null,
                "flag": f.flag,
                "item": null,
                "level": f.level,
                "message": { "nl": f.message, "en": format!("EN: {}", f.message) },
                "person": person(f.person, v),
                "raised_at": format!("{}T10:01:00", v.date),
                "state": f.state,
                "state_changed_at": null,
                "withdrawn_reason": if f.state == "withdrawn" { Some("verkeerde toets") } else { None },
            })
        })
        .collect();
    let scores: Vec<Value> = v
        .scores
        .iter()
        .map(|s| {
            json!({
                "answered": s.answered,
                "band": s.band,
                "band_label": s.band.map(|b| json!({ "nl": format!("band {b}"), "en": format!("band {b}") })),
                "checklist": s.checklist,
                "person": person(s.person, v),
                "score": s.score,
                "title": { "nl": format!("score {}", s.score), "en": format!("score {}", s.score) },
                "value": s.value,
                "visible": 5,
            })
        })
        .collect();
    let doc = json!({
        "case_id": v.case_id,
        "date": v.date,
        "id": v.id,
        "label": v.label,
        "red_flags": flags,
        "scores": scores,
        "outcomes": [{
            "checklist": "veiligheid", "label": { "nl": "Structureel onveilig", "en": "Structurally unsafe" },
            "outcome": "oordeel", "person": { "kind": "visit" },
            "title": { "nl": "Veiligheidsoordeel", "en": "Safety verdict" }, "value": "structureel"
        }],
        "roster": {
            "children": v.children.iter().map(|c| json!({ "id": c.0, "alias": c.1, "age": c.2, "removed": false })).collect::<Vec<_>>(),
            "caregivers": v.caregivers.iter().map(|c| json!({ "id": c.0, "alias": c.1, "role": c.2, "removed": false })).collect::<Vec<_>>(),
        },
        "sheets": [{ "answers": { "eigen_oordeel": v.verdict }, "checklist": "veiligheid" }],
    });
    let mut doc = doc;
    if v.padding > 0 {
        let answers: serde_json::Map<String, Value> = (0..v.padding)
            .map(|i| {
                (
                    format!("vraag_{i:04}"),
                    json!(format!("Een antwoord van gemiddelde lengte op vraag {i}, met wat toelichting erbij.")),
                )
            })
            .collect();
        doc["sheets"] =
            json!([{ "answers": answers, "checklist": "gezinsanalyse", "status": "afgenomen" }]);
    }
    conn.execute(
        "INSERT INTO documents (visit_no, doc) VALUES (?1, ?2)",
        params![no, doc.to_string()],
    )
    .expect("insert a document");
    for (n, f) in v.flags.iter().enumerate() {
        conn.execute(
            "INSERT INTO red_flags (visit_no, n, checklist, person_kind, person_id, flag, level,
                message_nl, message_en, raised_at, acknowledged_at, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?9, ?10)",
            params![
                no,
                n as i64,
                f.checklist,
                f.person.map_or("visit", |p| p.0),
                f.person.map(|p| p.1),
                f.flag,
                f.level,
                f.message,
                format!("{}T10:01:00", v.date),
                f.state,
            ],
        )
        .expect("insert a flag");
    }
    for (n, s) in v.scores.iter().enumerate() {
        conn.execute(
            "INSERT INTO scores (visit_no, n, checklist, person_kind, person_id, score, value, band,
                answered, visible)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 5)",
            params![
                no,
                n as i64,
                s.checklist,
                s.person.map_or("visit", |p| p.0),
                s.person.map(|p| p.1),
                s.score,
                s.value,
                s.band,
                s.answered,
            ],
        )
        .expect("insert a score");
    }
    // The case card the laptop sent with the visit (schema 5): the
    // children by alias and age, as the case pages name them.
    let card = json!({
        "case_id": v.case_id,
        "label": v.label,
        "children": v.children.iter().map(|c| json!({ "id": c.0, "alias": c.1, "age": c.2, "age_on": v.date })).collect::<Vec<_>>(),
        "caregivers": v.caregivers.iter().map(|c| json!({ "id": c.0, "alias": c.1, "role": c.2 })).collect::<Vec<_>>(),
    });
    conn.execute(
        "INSERT INTO case_cards (visit_no, card) VALUES (?1, ?2)",
        params![no, card.to_string()],
    )
    .expect("insert a case card");
    conn.execute(
        "INSERT INTO cases (case_id, label, first_date, last_date, last_visit, visits, devices)
         VALUES (?1, ?2, ?3, ?3, ?4, 1, 1)
         ON CONFLICT (case_id) DO UPDATE SET label = excluded.label, last_date = excluded.last_date,
            last_visit = excluded.last_visit, visits = cases.visits + 1",
        params![v.case_id, v.label, v.date, v.id],
    )
    .expect("insert a case");
}

/// A visit of `case` on `date` with nothing in it yet.
pub fn visit(
    id: &str,
    device: &'static str,
    sequence: i64,
    date: &str,
    label: &str,
    case: &str,
) -> Visit {
    Visit {
        id: id.into(),
        device,
        sequence,
        date: date.into(),
        label: label.into(),
        case_id: case.into(),
        follows: None,
        verdict: None,
        flags: Vec::new(),
        scores: Vec::new(),
        children: Vec::new(),
        caregivers: Vec::new(),
        padding: 0,
    }
}

/// The Kersenboom family over three visits (verdict worsening, Mila's
/// screening and the risk score rising), the Appelboom family once, a gap
/// on the northern laptop (sequence 4 missing), a conflict that holds an
/// acute flag, a refused bundle.
pub fn families(conn: &Connection) {
    let kersenboom = |v: &mut Visit| {
        v.children = vec![(1, "Mila".into(), 2)];
        v.caregivers = vec![(1, "Iris".into(), "moeder"), (2, "Ruben".into(), "vader")];
    };
    let mut k1 = visit("kb-1", "dev-noord", 1, "2026-10-01", "Kersenboom", "kb-1");
    kersenboom(&mut k1);
    k1.verdict = Some("voorwaardelijk_veilig");
    k1.scores = vec![
        score("veiligheid", "risico", None, 2, Some("laag")),
        score(
            "trauma-kind",
            "gebeurtenissen",
            Some(("child", 1)),
            0,
            Some("geen"),
        ),
    ];
    k1.flags = vec![flag(
        "attention",
        "niet_getoetst",
        "Uw oordeel is nog met niemand getoetst.",
        "Besproken met de aandachtsfunctionaris.",
    )];
    add(conn, 1, &k1);

    let mut k2 = visit("kb-2", "dev-noord", 2, "2026-11-02", "Kersenboom", "kb-1");
    kersenboom(&mut k2);
    k2.follows = Some("kb-1".into());
    k2.verdict = Some("structureel_onveilig");
    k2.scores = vec![
        score("veiligheid", "risico", None, 4, Some("midden")),
        score(
            "trauma-kind",
            "gebeurtenissen",
            Some(("child", 1)),
            2,
            Some("enkele"),
        ),
    ];
    k2.flags = vec![flag(
        "structural",
        "herhaald_geweld",
        "Structurele onveiligheid: geweld dat terugkomt.",
        "Veilig Thuis gebeld voor advies.",
    )];
    add(conn, 2, &k2);

    let mut k3 = visit("kb-3", "dev-noord", 3, "2026-12-03", "Kersenboom", "kb-1");
    kersenboom(&mut k3);
    k3.follows = Some("kb-2".into());
    k3.verdict = Some("acuut_onveilig");
    k3.scores = vec![
        score("veiligheid", "risico", None, 9, Some("hoog")),
        score(
            "trauma-kind",
            "gebeurtenissen",
            Some(("child", 1)),
            4,
            Some("meerdere"),
        ),
    ];
    k3.flags = vec![
        flag(
            "acute",
            "acuut_geweld",
            "Er is nu direct gevaar door geweld.",
            "112 gebeld; Iris en Mila naar de opvang.",
        ),
        flag(
            "acute",
            "acuut_doden",
            "Er is gedreigd iemand te doden.",
            "Veilig Thuis ingeschakeld, leidinggevende gebeld.",
        ),
        flag(
            "attention",
            "niet_getoetst",
            "Uw oordeel is nog met niemand getoetst.",
            "Morgen collegiaal overleg.",
        ),
    ];
    add(conn, 3, &k3);

    // Sequence 4 of the northern laptop never arrived.
    let mut a1 = visit("ab-1", "dev-noord", 5, "2026-12-04", "Appelboom", "ab-1");
    a1.children = vec![(1, "Noor".into(), 5), (2, "Sem".into(), 11)];
    a1.caregivers = vec![(1, "Lotte".into(), "moeder"), (2, "Bram".into(), "vader")];
    a1.verdict = Some("zorgelijke_leefsituatie");
    a1.scores = vec![score("veiligheid", "risico", None, 5, Some("midden"))];
    let mut sem = flag(
        "acute",
        "kind_onveilig",
        "Een of meer kinderen zijn nu niet veilig.",
        "Sem slaapt vannacht bij zijn oma.",
    );
    sem.person = Some(("child", 2));
    a1.flags = vec![sem];
    add(conn, 4, &a1);

    conn.execute_batch(
        "INSERT INTO bundles (bundle_id, sha256, file_name, size, seen_at, outcome, device_id, reason, reason_nl)
           VALUES (2, 'bb', 'zuid.age', 100, '2026-12-05T09:40:00', 'rejected', NULL,
                   'not a bundle', 'geen bundel');
         INSERT INTO conflicts (conflict_id, visit_id, device_id, sequence, kind, record_sha256,
                bundle_id, found_at, ciphertext, date, label, flags_acute)
           VALUES (1, 'pe-1', 'dev-zuid', 1, 'same_sequence', 'cc', 1, '2026-12-05T09:35:00', x'00',
                   '2026-12-02', 'Perenstraat', 1);
         INSERT INTO conflict_flags (conflict_id, n, checklist, person_kind, person_id, flag, level,
                message_nl, message_en, raised_at, acknowledged_at, state)
           VALUES (1, 0, 'veiligheid', 'visit', NULL, 'acuut_kind_alleen', 'acute',
                   'Een kind is zonder zorg.', 'A child is without care.', '2026-12-02T10:00:00',
                   '2026-12-02T10:01:00', 'active');",
    )
    .expect("a refused bundle and a conflict");
}
