//! The case at the office: the visits of one family across visits (and
//! laptops), read from the ledger's `cases` table and the visits' `case_id`.
//!
//! - `cases.csv`: one row per case (the columns are documented in
//!   docs/SUPERVISOR.md, "cases.csv", and a test checks the header);
//! - `cases/<case-id>.json`: the case's visits in order, and each score per
//!   person over time;
//! - the summary's case sections: cases whose situation worsened between
//!   their last two visits, cases whose evaluation date has passed, and
//!   follow-ups whose previous visit has not arrived.
//!
//! "Today" for the overdue evaluations is the date of the last import
//! (the newest `bundles.seen_at`): the files say what was true when they
//! were written, and a test can set it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::checklist::Catalog;
use crate::i18n::Lang;
use crate::supervisor::db::{Row, p};
use crate::supervisor::ledger::{Ledger, LedgerError};
use crate::supervisor::reports::{OutputError, clean, write_derived};

pub const CASES_CSV: &str = "cases.csv";
pub const CASES_DIR: &str = "cases";

/// The `format` of a case file.
pub const JSON_FORMAT: &str = "safevisit-office-case";
/// The case file's version.
pub const JSON_VERSION: u32 = 1;

/// The columns of `cases.csv`, in order, with what they hold (English, for
/// the docs test).
pub const CSV_COLUMNS: &[(&str, &str)] = &[
    (
        "case_id",
        "the case (a first visit's id; an old visit is a case of its own)",
    ),
    ("label", "the family label of the last visit"),
    ("first_visit", "date of the first visit in the ledger"),
    ("last_visit", "date of the last visit"),
    ("last_visit_id", "id of the last visit"),
    ("visits", "number of visits"),
    ("devices", "number of laptops that sent visits of the case"),
    ("last_verdict", "veiligheid.eigen_oordeel of the last visit"),
    (
        "verdict_trend",
        "eigen_oordeel per visit, in order, joined by >",
    ),
    (
        "risk_band_trend",
        "band of the veiligheid.risico score per visit, joined by >",
    ),
    (
        "agreements_kept",
        "previous agreements kept (va_nagekomen = ja) at the last evaluation",
    ),
    (
        "agreements_partly",
        "previous agreements partly kept (deels) at the last evaluation",
    ),
    (
        "agreements_not",
        "previous agreements not kept (nee) at the last evaluation",
    ),
    (
        "evaluated_on",
        "date of the last follow-up visit (the last evaluation)",
    ),
    (
        "acute_flags_open",
        "active acute red flags of the last visit",
    ),
    (
        "evaluation_date",
        "veiligheid.plan_evaluatie set by the last visit",
    ),
    (
        "evaluation_overdue",
        "ja when the evaluation date lies before the last import's date (open cases)",
    ),
    (
        "worsened",
        "ja when the case is open and the verdict or risk band went towards unsafe between the last two visits",
    ),
    (
        "previous_missing",
        "follow-ups of the case whose previous visit has not arrived",
    ),
    ("closed_on", "date the case was closed (laptop or office)"),
    (
        "closed_reason",
        "why (a key of the close reasons, or office)",
    ),
];

/// The worker's verdicts (`veiligheid.eigen_oordeel`) from safe to unsafe.
pub const VERDICT_ORDER: &[&str] = &[
    "veilig",
    "voorwaardelijk_veilig",
    "zorgelijke_leefsituatie",
    "structureel_onveilig",
    "acuut_onveilig",
];

/// The score whose band is followed over time.
pub const RISK: (&str, &str) = ("veiligheid", "risico");

/// One visit of a case, as the case reports use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseVisit {
    pub visit_no: i64,
    pub id: String,
    pub date: String,
    pub device_id: String,
    pub device_name: String,
    pub sequence: i64,
    pub follows: Option<String>,
    /// The visit it follows is not in the ledger.
    pub previous_missing: bool,
    pub verdict: Option<String>,
    pub band: Option<String>,
    /// Active acute, structural and attention flags.
    pub flags: [i64; 3],
    /// Kept, partly, not (a follow-up only).
    pub agreements: Option<[i64; 3]>,
    pub evaluation_date: Option<String>,
    pub label: String,
}

/// A case with its visits in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub case_id: String,
    pub label: String,
    pub closed_on: Option<String>,
    pub closed_reason: Option<String>,
    pub visits: Vec<CaseVisit>,
}

/// How a case stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    pub worsened: bool,
    pub evaluation_overdue: bool,
    pub previous_missing: usize,
}

fn rank(order: &[&str], value: Option<&str>) -> Option<usize> {
    value.and_then(|v| order.iter().position(|o| *o == v))
}

/// The bands of the risk score, low to high (from the bundled checklist).
pub fn risk_bands() -> Vec<String> {
    Catalog::bundled()
        .get(RISK.0)
        .and_then(|c| c.scores.iter().find(|s| s.id == RISK.1))
        .map(|s| {
            let mut bands: Vec<(i64, String)> =
                s.bands.iter().map(|b| (b.from, b.id.clone())).collect();
            bands.sort();
            bands.dedup_by(|a, b| a.1 == b.1);
            bands.into_iter().map(|(_, id)| id).collect()
        })
        .unwrap_or_default()
}

impl Case {
    pub fn last(&self) -> Option<&CaseVisit> {
        self.visits.last()
    }

    /// The last visit that evaluated the previous agreements.
    pub fn last_evaluation(&self) -> Option<&CaseVisit> {
        self.visits.iter().rev().find(|v| v.agreements.is_some())
    }

    /// Whether the verdict or the risk band went towards unsafe between
    /// the last two visits (a value missing on either side says nothing).
    pub fn worsened(&self, bands: &[&str]) -> bool {
        let n = self.visits.len();
        if n < 2 {
            return false;
        }
        let (before, after) = (&self.visits[n - 2], &self.visits[n - 1]);
        let up = |order: &[&str], a: Option<&str>, b: Option<&str>| matches!((rank(order, a), rank(order, b)), (Some(x), Some(y)) if y > x);
        up(
            VERDICT_ORDER,
            before.verdict.as_deref(),
            after.verdict.as_deref(),
        ) || up(bands, before.band.as_deref(), after.band.as_deref())
    }

    pub fn standing(&self, today: Option<&str>, bands: &[&str]) -> Standing {
        let evaluation = self.last().and_then(|v| v.evaluation_date.as_deref());
        Standing {
            worsened: self.closed_on.is_none() && self.worsened(bands),
            evaluation_overdue: self.closed_on.is_none()
                && matches!((evaluation, today), (Some(e), Some(t)) if e < t),
            previous_missing: self.visits.iter().filter(|v| v.previous_missing).count(),
        }
    }
}

/// The date of the last import (`YYYY-MM-DD`), the "today" of the reports.
pub fn import_date(ledger: &Ledger) -> Result<Option<String>, LedgerError> {
    let at: Option<String> = ledger
        .conn()
        .one("SELECT max(seen_at) FROM bundles", p![])?;
    Ok(at.and_then(|a| a.get(..10).map(str::to_string)))
}

const VISITS_SQL: &str = "SELECT v.case_id, v.visit_no, v.visit_id, v.date, v.device_id,
        coalesce(d.name, v.device_id), v.sequence, v.follows,
        v.follows IS NOT NULL AND NOT EXISTS (SELECT 1 FROM visits p WHERE p.visit_id = v.follows),
        v.finding_safety_verdict,
        (SELECT s.band FROM scores s WHERE s.visit_no = v.visit_no AND s.checklist = ?1
           AND s.score = ?2 AND s.person_kind = 'visit' ORDER BY s.n LIMIT 1),
        v.flags_acute, v.flags_structural, v.flags_attention,
        v.agreements_kept, v.agreements_partly, v.agreements_not,
        v.finding_plan_evaluation, v.label
 FROM visits v LEFT JOIN devices d ON d.device_id = v.device_id";

fn case_visit(r: &Row) -> Result<CaseVisit, LedgerError> {
    let agreements = match (
        r.get::<Option<i64>>(14)?,
        r.get::<Option<i64>>(15)?,
        r.get::<Option<i64>>(16)?,
    ) {
        (Some(k), Some(p), Some(n)) => Some([k, p, n]),
        _ => None,
    };
    Ok(CaseVisit {
        visit_no: r.get(1)?,
        id: r.get(2)?,
        date: r.get(3)?,
        device_id: r.get(4)?,
        device_name: r.get(5)?,
        sequence: r.get(6)?,
        follows: r.get(7)?,
        previous_missing: r.get(8)?,
        verdict: r.get(9)?,
        band: r.get(10)?,
        flags: [r.get(11)?, r.get(12)?, r.get(13)?],
        agreements,
        evaluation_date: r.get(17)?,
        label: r.get(18)?,
    })
}

/// Every case with its visits in order (by date, then when finalized,
/// then as they arrived), by label and case id.
pub fn load(ledger: &Ledger) -> Result<Vec<Case>, LedgerError> {
    let conn = ledger.conn();
    let mut cases: BTreeMap<String, Case> = BTreeMap::new();
    for r in conn.query(
        "SELECT case_id, label, closed_on, closed_reason FROM cases ORDER BY case_id",
        p![],
    )? {
        let id: String = r.get(0)?;
        cases.insert(
            id.clone(),
            Case {
                case_id: id,
                label: r.get(1)?,
                closed_on: r.get(2)?,
                closed_reason: r.get(3)?,
                visits: Vec::new(),
            },
        );
    }
    for r in conn.query(
        &format!(
            "{VISITS_SQL} WHERE v.case_id IS NOT NULL
         ORDER BY v.case_id, v.date, v.finalized_at, v.visit_no"
        ),
        p![RISK.0, RISK.1],
    )? {
        let case_id: String = r.get(0)?;
        let visit = case_visit(&r)?;
        let case = cases.entry(case_id.clone()).or_insert_with(|| Case {
            case_id,
            label: String::new(),
            closed_on: None,
            closed_reason: None,
            visits: Vec::new(),
        });
        case.visits.push(visit);
    }
    let mut out: Vec<Case> = cases.into_values().collect();
    for c in &mut out {
        if let Some(last) = c.visits.last() {
            c.label = last.label.clone();
        }
    }
    out.sort_by(|a, b| (&a.label, &a.case_id).cmp(&(&b.label, &b.case_id)));
    Ok(out)
}

/// One case, or `None` when the ledger has no such case.
pub fn load_one(ledger: &Ledger, case_id: &str) -> Result<Option<Case>, LedgerError> {
    let conn = ledger.conn();
    let Some(head) = conn.query_opt(
        "SELECT label, closed_on, closed_reason FROM cases WHERE case_id = ?1",
        p![case_id],
    )?
    else {
        return Ok(None);
    };
    let (label, closed_on, closed_reason): (String, _, _) =
        (head.get(0)?, head.get(1)?, head.get(2)?);
    let visits = conn
        .query(
            &format!(
                "{VISITS_SQL} WHERE v.case_id = ?3 ORDER BY v.date, v.finalized_at, v.visit_no"
            ),
            p![RISK.0, RISK.1, case_id],
        )?
        .iter()
        .map(case_visit)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Case {
        case_id: case_id.to_string(),
        label: visits.last().map_or(label, |v| v.label.clone()),
        closed_on,
        closed_reason,
        visits,
    }))
}

fn yes_no(b: bool) -> &'static str {
    if b { "ja" } else { "nee" }
}

/// `cases.csv`: one row per case, in the dialect of `visits.csv`
/// (RFC 4180, CRLF, text guarded against formulas).
pub fn csv(ledger: &Ledger) -> Result<(String, usize), LedgerError> {
    let cases = load(ledger)?;
    let today = import_date(ledger)?;
    let bands = risk_bands();
    let bands: Vec<&str> = bands.iter().map(String::as_str).collect();
    let mut out = String::with_capacity(256 * (cases.len() + 1));
    let head: Vec<&str> = CSV_COLUMNS.iter().map(|(c, _)| *c).collect();
    out.push_str(&head.join(","));
    out.push_str("\r\n");
    let mut rows = 0;
    for case in &cases {
        let Some(last) = case.last() else {
            // Closed before any of its visits arrived: nothing to show yet.
            continue;
        };
        rows += 1;
        let standing = case.standing(today.as_deref(), &bands);
        let trend = |f: &dyn Fn(&CaseVisit) -> Option<String>| -> String {
            case.visits
                .iter()
                .map(|v| f(v).unwrap_or_else(|| "?".into()))
                .collect::<Vec<_>>()
                .join(">")
        };
        let devices: HashSet<&str> = case.visits.iter().map(|v| v.device_id.as_str()).collect();
        let evaluation = case.last_evaluation();
        let agreements = evaluation.and_then(|v| v.agreements);
        let count = |i: usize| agreements.map(|a| a[i].to_string()).unwrap_or_default();
        let cells: Vec<String> = vec![
            case.case_id.clone(),
            case.label.clone(),
            case.visits[0].date.clone(),
            last.date.clone(),
            last.id.clone(),
            case.visits.len().to_string(),
            devices.len().to_string(),
            last.verdict.clone().unwrap_or_default(),
            trend(&|v| v.verdict.clone()),
            trend(&|v| v.band.clone()),
            count(0),
            count(1),
            count(2),
            evaluation.map(|v| v.date.clone()).unwrap_or_default(),
            last.flags[0].to_string(),
            last.evaluation_date.clone().unwrap_or_default(),
            yes_no(standing.evaluation_overdue).into(),
            yes_no(standing.worsened).into(),
            standing.previous_missing.to_string(),
            case.closed_on.clone().unwrap_or_default(),
            case.closed_reason.clone().unwrap_or_default(),
        ];
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            crate::supervisor::reports::push_csv_text(&mut out, c);
        }
        out.push_str("\r\n");
    }
    Ok((out, rows))
}

/// The JSON file of one case (docs/SUPERVISOR.md, "cases/").
pub fn case_json(ledger: &Ledger, case: &Case) -> Result<Vec<u8>, LedgerError> {
    let nos: Vec<i64> = case.visits.iter().map(|v| v.visit_no).collect();
    let rows = VisitRows::load(ledger, Some(&nos))?;
    Ok(case_json_from(case, &rows))
}

/// One score of one visit: checklist, score, person kind, person id,
/// value, band.
type ScoreRow = (String, String, String, Option<i64>, i64, Option<String>);

/// What the case files need of each visit besides the visit row: its
/// scores, and the aliases of its roster (kind, id, alias). Loaded in a
/// few queries for many cases at once, not a few queries per case.
#[derive(Default)]
struct VisitRows {
    scores: HashMap<i64, Vec<ScoreRow>>,
    roster: HashMap<i64, Vec<(String, i64, String)>>,
}

impl VisitRows {
    /// For the visits `only` (or every visit).
    fn load(ledger: &Ledger, only: Option<&[i64]>) -> Result<VisitRows, LedgerError> {
        let conn = ledger.conn();
        let wanted = only.map(|v| v.iter().copied().collect::<HashSet<i64>>());
        let keep = |no: i64| wanted.as_ref().is_none_or(|w| w.contains(&no));
        let mut out = VisitRows::default();
        conn.for_each(
            "SELECT visit_no, checklist, score, person_kind, person_id, value, band FROM scores
             ORDER BY visit_no, n",
            p![],
            |r| {
                let no: i64 = r.get(0)?;
                if keep(no) {
                    out.scores.entry(no).or_default().push((
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ));
                }
                Ok::<(), LedgerError>(())
            },
        )?;
        // The aliases from the small case card of each visit (a visit
        // imported before schema 5 has none: its document is read). Read
        // here, not by the database, so that either database does the same.
        let mut with_card: HashSet<i64> = HashSet::new();
        conn.for_each(
            "SELECT visit_no, card FROM case_cards ORDER BY visit_no",
            p![],
            |r| {
                let no: i64 = r.get(0)?;
                with_card.insert(no);
                if keep(no) {
                    roster_of(&mut out.roster, no, r.bytes(1), None);
                }
                Ok::<(), LedgerError>(())
            },
        )?;
        let missing: Vec<i64> = match only {
            Some(v) => v
                .iter()
                .copied()
                .filter(|n| !with_card.contains(n))
                .collect(),
            None => conn
                .query(
                    "SELECT visit_no FROM visits WHERE visit_no NOT IN (SELECT visit_no FROM case_cards)",
                    p![],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect::<Result<Vec<i64>, _>>()?,
        };
        for no in missing {
            if let Some(r) =
                conn.query_opt("SELECT doc FROM documents WHERE visit_no = ?1", p![no])?
            {
                roster_of(&mut out.roster, no, r.bytes(0), Some("roster"));
            }
        }
        Ok(out)
    }
}

/// The roster's `(kind, id, alias)` of a case card (`under` `None`) or of
/// a visit document (`under` `Some("roster")`): children first, then
/// caregivers, each in their order; an entry without a whole-number id or
/// an alias is passed over.
fn roster_of(
    roster: &mut HashMap<i64, Vec<(String, i64, String)>>,
    no: i64,
    json: &[u8],
    under: Option<&str>,
) {
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(json) else {
        return;
    };
    let base = match under {
        Some(key) => &doc[key],
        None => &doc,
    };
    for (key, kind) in [("children", "child"), ("caregivers", "caregiver")] {
        let Some(list) = base[key].as_array() else {
            continue;
        };
        for entry in list {
            if let (Some(id), Some(alias)) = (entry["id"].as_i64(), entry["alias"].as_str()) {
                roster
                    .entry(no)
                    .or_default()
                    .push((kind.to_string(), id, alias.to_string()));
            }
        }
    }
}

fn case_json_from(case: &Case, rows: &VisitRows) -> Vec<u8> {
    let visits: Vec<serde_json::Value> = case
        .visits
        .iter()
        .map(|v| {
            json!({
                "id": v.id,
                "date": v.date,
                "device_id": v.device_id,
                "device_name": v.device_name,
                "sequence": v.sequence,
                "follows": v.follows,
                "previous_missing": v.previous_missing,
                "verdict": v.verdict,
                "risk_band": v.band,
                "flags": { "acute": v.flags[0], "structural": v.flags[1], "attention": v.flags[2] },
                "agreements": v.agreements.map(|a| json!({ "kept": a[0], "partly": a[1], "not": a[2] })),
                "evaluation_date": v.evaluation_date,
            })
        })
        .collect();
    // Each score per person over time; the person's alias from the latest
    // visit that names them.
    type Key = (String, String, String, Option<i64>);
    let mut series: BTreeMap<Key, Vec<serde_json::Value>> = BTreeMap::new();
    let mut order: Vec<Key> = Vec::new();
    let mut aliases: BTreeMap<(String, i64), String> = BTreeMap::new();
    for v in &case.visits {
        for (kind, id, alias) in rows.roster.get(&v.visit_no).into_iter().flatten() {
            aliases.insert((kind.clone(), *id), alias.clone());
        }
        for (checklist, score, kind, id, value, band) in
            rows.scores.get(&v.visit_no).into_iter().flatten()
        {
            let key: Key = (checklist.clone(), score.clone(), kind.clone(), *id);
            let point = json!({
                "visit": v.id,
                "date": v.date,
                "value": value,
                "band": band,
            });
            if !series.contains_key(&key) {
                order.push(key.clone());
            }
            series.entry(key).or_default().push(point);
        }
    }
    let scores: Vec<serde_json::Value> = order
        .into_iter()
        .map(|key| {
            let alias = key
                .3
                .and_then(|id| aliases.get(&(key.2.clone(), id)).cloned());
            let values = series.remove(&key).unwrap_or_default();
            json!({
                "checklist": key.0,
                "score": key.1,
                "person": { "kind": key.2, "id": key.3, "alias": alias },
                "values": values,
            })
        })
        .collect();
    let doc = json!({
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "case_id": case.case_id,
        "label": case.label,
        "closed_on": case.closed_on,
        "closed_reason": case.closed_reason,
        "visits": visits,
        "scores": scores,
    });
    let mut out = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    out.push(b'\n');
    out
}

/// `DIR/cases`, made (mode 0700) if it is not there.
fn cases_dir(dir: &Path) -> Result<PathBuf, OutputError> {
    let d = dir.join(CASES_DIR);
    if !d.is_dir() {
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&d)
            .map_err(|source| OutputError::Write {
                path: d.clone(),
                source,
            })?;
    }
    Ok(d)
}

/// The mark in the ledger's `meta`: case files are written for every
/// visit up to this `visit_no`.
const MARK: &str = "cases_written_through";

/// The cases whose `cases/<id>.json` is due: those in `changed`, those
/// with a visit the files have not caught up with (after a crash), and
/// those whose file is missing or empty. Also the `visit_no` to note as
/// written once they are ([`note_case_files_written`]).
pub fn case_files_due(
    ledger: &Ledger,
    dir: &Path,
    changed: &HashSet<String>,
) -> Result<(Vec<String>, i64), OutputError> {
    let d = cases_dir(dir)?;
    let mark: i64 = ledger.mark(MARK)?;
    let last = ledger.last_visit_no()?;
    let mut todo: HashSet<String> = changed.clone();
    for r in ledger
        .conn()
        .query(
            "SELECT DISTINCT case_id FROM visits WHERE visit_no > ?1 AND case_id IS NOT NULL",
            p![mark],
        )
        .map_err(LedgerError::from)?
    {
        todo.insert(r.get(0).map_err(LedgerError::from)?);
    }
    let present: HashSet<String> = std::fs::read_dir(&d)
        .map_err(|source| OutputError::Write {
            path: d.clone(),
            source,
        })?
        .flatten()
        .filter(|e| e.metadata().is_ok_and(|m| m.len() > 0))
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .map(str::to_string)
        })
        .collect();
    for r in ledger
        .conn()
        .query("SELECT case_id FROM cases WHERE visits > 0", p![])
        .map_err(LedgerError::from)?
    {
        let id: String = r.get(0).map_err(LedgerError::from)?;
        if !present.contains(&id) {
            todo.insert(id);
        }
    }
    // (Case ids are checked like visit ids: a safe file name.)
    let mut todo: Vec<String> = todo
        .into_iter()
        .filter(|id| crate::visit::record::valid_case_id(id))
        .collect();
    todo.sort();
    Ok((todo, last))
}

/// Write `cases/<id>.json` for each of `ids` that has a visit (a reader
/// connection is enough: this runs beside the other reports). The number
/// written.
pub fn write_case_files_for(
    ledger: &Ledger,
    dir: &Path,
    ids: &[String],
) -> Result<usize, OutputError> {
    let d = cases_dir(dir)?;
    if ids.is_empty() {
        return Ok(0);
    }
    // A few cases: a few indexed queries each. Many (a first import, a
    // big batch): everything in a few queries over the whole ledger.
    let (cases, rows) = if ids.len() <= 64 {
        let mut cases = Vec::new();
        for id in ids {
            if let Some(case) = load_one(ledger, id)? {
                cases.push(case);
            }
        }
        let nos: Vec<i64> = cases
            .iter()
            .flat_map(|c| c.visits.iter().map(|v| v.visit_no))
            .collect();
        (cases, VisitRows::load(ledger, Some(&nos))?)
    } else {
        let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let cases: Vec<Case> = load(ledger)?
            .into_iter()
            .filter(|c| wanted.contains(c.case_id.as_str()))
            .collect();
        (cases, VisitRows::load(ledger, None)?)
    };
    let mut n = 0;
    for case in &cases {
        if case.visits.is_empty() {
            continue;
        }
        let doc = case_json_from(case, &rows);
        write_derived(&d.join(format!("{}.json", case.case_id)), &doc)?;
        n += 1;
    }
    Ok(n)
}

/// Note the case files written for every visit up to `through`.
pub fn note_case_files_written(ledger: &mut Ledger, through: i64) -> Result<(), LedgerError> {
    ledger.set_mark(MARK, through, false)
}

/// [`case_files_due`], [`write_case_files_for`] and
/// [`note_case_files_written`] in one go. The number written.
pub fn write_case_files(
    ledger: &mut Ledger,
    dir: &Path,
    changed: &HashSet<String>,
) -> Result<usize, OutputError> {
    let (ids, through) = case_files_due(ledger, dir, changed)?;
    let n = write_case_files_for(ledger, dir, &ids)?;
    note_case_files_written(ledger, through)?;
    Ok(n)
}

/// The summary's case sections, in Dutch or English: cases whose
/// situation worsened, and cases whose evaluation date has passed (open
/// cases only).
pub fn summary_sections(
    ledger: &Ledger,
    lang: Lang,
) -> Result<(Vec<String>, Vec<String>), LedgerError> {
    let cases = load(ledger)?;
    let today = import_date(ledger)?;
    let bands = risk_bands();
    let bands: Vec<&str> = bands.iter().map(String::as_str).collect();
    let mut worsened = Vec::new();
    let mut overdue = Vec::new();
    for case in &cases {
        let Some(last) = case.last() else {
            continue;
        };
        let standing = case.standing(today.as_deref(), &bands);
        if standing.worsened {
            let before = &case.visits[case.visits.len() - 2];
            let show = |v: &Option<String>| clean(v.as_deref().unwrap_or("?"));
            worsened.push(format!(
                "  {}  \"{}\"  {} {} → {}: {} {} → {}, {} {} → {}",
                case.case_id,
                clean(&case.label),
                lang.pick("bezoek", "visit"),
                before.date,
                last.date,
                lang.pick("oordeel", "verdict"),
                show(&before.verdict),
                show(&last.verdict),
                lang.pick("risico", "risk"),
                show(&before.band),
                show(&last.band),
            ));
        }
        if standing.evaluation_overdue {
            overdue.push(format!(
                "  {}  \"{}\"  {} {}; {} {} ({})",
                case.case_id,
                clean(&case.label),
                lang.pick("evaluatie was gepland op", "evaluation was due on"),
                clean(last.evaluation_date.as_deref().unwrap_or("?")),
                lang.pick("laatste bezoek", "last visit"),
                last.date,
                last.id,
            ));
        }
    }
    Ok((worsened, overdue))
}

/// A follow-up whose previous visit is missing, as the summary and the
/// import's output say it.
pub fn describe_missing(m: &crate::supervisor::ledger::MissingPrevious, lang: Lang) -> String {
    match lang {
        Lang::Nl => format!(
            "casus {}: vorig bezoek ontbreekt: bezoek {} van {} (apparaat {}, {}) volgt op {}, dat niet is aangekomen",
            m.case_id,
            m.visit_id,
            m.date,
            clean(&m.device_name),
            m.device_id,
            m.follows
        ),
        Lang::En => format!(
            "case {}: previous visit missing: visit {} of {} (device {}, {}) follows {}, which has not arrived",
            m.case_id,
            m.visit_id,
            m.date,
            clean(&m.device_name),
            m.device_id,
            m.follows
        ),
    }
}

/// A previous visit that has now arrived.
pub fn describe_arrived(m: &crate::supervisor::ledger::MissingPrevious, lang: Lang) -> String {
    match lang {
        Lang::Nl => format!(
            "casus {}: het vorige bezoek {} is nu aangekomen (bezoek {} volgt erop)",
            m.case_id, m.follows, m.visit_id
        ),
        Lang::En => format!(
            "case {}: the previous visit {} has now arrived (visit {} follows it)",
            m.case_id, m.follows, m.visit_id
        ),
    }
}

/// Text for the summary's line of counts: open and closed cases.
pub fn counts(ledger: &Ledger) -> Result<(i64, i64), LedgerError> {
    let r = ledger.conn().query_row(
        "SELECT count(*) FILTER (WHERE closed_on IS NULL), count(*) FILTER (WHERE closed_on IS NOT NULL)
         FROM cases WHERE visits > 0",
        p![],
    )?;
    Ok((r.get(0)?, r.get(1)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(verdict: Option<&str>, band: Option<&str>) -> CaseVisit {
        CaseVisit {
            visit_no: 1,
            id: "v".into(),
            date: "2025-03-04".into(),
            device_id: "d".into(),
            device_name: "laptop-3".into(),
            sequence: 1,
            follows: None,
            previous_missing: false,
            verdict: verdict.map(str::to_string),
            band: band.map(str::to_string),
            flags: [0; 3],
            agreements: None,
            evaluation_date: Some("2025-04-01".into()),
            label: "Appelboom".into(),
        }
    }

    fn case(visits: Vec<CaseVisit>) -> Case {
        Case {
            case_id: "appelboom-1".into(),
            label: "Appelboom".into(),
            closed_on: None,
            closed_reason: None,
            visits,
        }
    }

    #[test]
    fn the_dutch_lines_have_no_english_fragments() {
        let m = crate::supervisor::ledger::MissingPrevious {
            case_id: "appelboom-1".into(),
            visit_id: "appelboom-2".into(),
            device_id: "device-b".into(),
            device_name: "laptop-7".into(),
            date: "2025-03-04".into(),
            follows: "appelboom-1".into(),
        };
        for line in [
            describe_missing(&m, Lang::Nl),
            describe_arrived(&m, Lang::Nl),
        ] {
            for word in [
                " the ", " visit ", "missing", "arrived", "follows", "device ",
            ] {
                assert!(!line.contains(word), "{word:?} in {line}");
            }
        }
        assert!(describe_missing(&m, Lang::Nl).contains("vorig bezoek ontbreekt"));
        assert!(describe_missing(&m, Lang::En).contains("previous visit missing"));
    }

    #[test]
    fn the_risk_bands_come_low_to_high() {
        assert_eq!(risk_bands(), vec!["laag", "midden", "hoog"]);
    }

    #[test]
    fn worse_is_towards_unsafe_in_verdict_or_band() {
        let bands = ["laag", "midden", "hoog"];
        let c = |a: (Option<&str>, Option<&str>), b: (Option<&str>, Option<&str>)| {
            case(vec![visit(a.0, a.1), visit(b.0, b.1)]).worsened(&bands)
        };
        let (vv, so) = (Some("voorwaardelijk_veilig"), Some("structureel_onveilig"));
        assert!(c((vv, Some("laag")), (so, Some("laag"))));
        assert!(!c((so, Some("laag")), (vv, Some("laag"))));
        assert!(c((vv, Some("laag")), (vv, Some("hoog"))));
        assert!(!c((vv, Some("hoog")), (vv, Some("midden"))));
        // A missing value says nothing.
        assert!(!c((None, Some("laag")), (so, Some("laag"))));
        // One visit: nothing to compare.
        assert!(!case(vec![visit(so, Some("hoog"))]).worsened(&bands));
    }

    #[test]
    fn an_evaluation_is_overdue_after_its_date_unless_the_case_is_closed() {
        let mut c = case(vec![visit(None, None)]);
        assert!(!c.standing(Some("2025-04-01"), &[]).evaluation_overdue);
        assert!(c.standing(Some("2025-04-02"), &[]).evaluation_overdue);
        assert!(!c.standing(None, &[]).evaluation_overdue);
        c.closed_on = Some("2025-03-20".into());
        assert!(!c.standing(Some("2025-04-02"), &[]).evaluation_overdue);
    }
}
