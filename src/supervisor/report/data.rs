//! The report's own queries, in the SQL that SQLite and PostgreSQL both
//! understand (`?1` placeholders, no SQLite-only functions, sums cast to
//! BIGINT), run through [`Db`]. What other outputs already read (cases,
//! gaps, documents, follow-ups whose previous visit is missing) comes from
//! their own functions; only what the report alone needs is here.
//!
//! Reads only; never writes to the ledger.

use crate::supervisor::db::{Db, DbError, Param};

/// One visit as the index and the visit page need it (the rest comes from
/// the visit's document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitLine {
    pub visit_no: i64,
    pub id: String,
    pub device_id: String,
    pub device_name: String,
    pub sequence: i64,
    pub date: String,
    pub label: String,
    pub case_id: Option<String>,
    pub follows: Option<String>,
    /// `veiligheid.eigen_oordeel`, the worker's own verdict.
    pub verdict: Option<String>,
    /// Active acute, structural and attention flags.
    pub flags: [i64; 3],
}

/// Every visit, by device (name, id) and then date and sequence.
pub fn visits(db: &Db) -> Result<Vec<VisitLine>, DbError> {
    let rows = db.query(
        "SELECT v.visit_no, v.visit_id, v.device_id, coalesce(d.name, v.device_id), v.sequence,
                v.date, v.label, v.case_id, v.follows, v.finding_safety_verdict,
                v.flags_acute, v.flags_structural, v.flags_attention
         FROM visits v LEFT JOIN devices d ON d.device_id = v.device_id
         ORDER BY 4, v.device_id, v.date, v.sequence",
        &[],
    )?;
    rows.iter()
        .map(|r| {
            Ok(VisitLine {
                visit_no: r.get(0)?,
                id: r.get(1)?,
                device_id: r.get(2)?,
                device_name: r.get(3)?,
                sequence: r.get(4)?,
                date: r.get(5)?,
                label: r.get(6)?,
                case_id: r.get(7)?,
                follows: r.get(8)?,
                verdict: r.get(9)?,
                flags: [r.get(10)?, r.get(11)?, r.get(12)?],
            })
        })
        .collect()
}

/// An active acute red flag of a version kept aside as a conflict: it has
/// no page of its own (the version is kept encrypted), but a conflict never
/// hides an acute flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictFlag {
    pub date: String,
    pub device_name: String,
    pub sequence: i64,
    pub visit_id: String,
    pub label: String,
    pub checklist: String,
    pub flag: String,
    pub message_nl: String,
    pub message_en: String,
    pub acknowledged: bool,
    /// `same_visit` or `same_sequence`.
    pub kind: String,
}

/// The active acute flags of versions kept aside as conflicts.
pub fn conflict_acute_flags(db: &Db) -> Result<Vec<ConflictFlag>, DbError> {
    let rows = db.query(
        "SELECT coalesce(c.date, '?'), coalesce(d.name, c.device_id), c.sequence, c.visit_id,
                coalesce(c.label, ''), f.checklist, f.flag, f.message_nl, f.message_en,
                f.acknowledged_at, c.kind
         FROM conflict_flags f JOIN conflicts c ON c.conflict_id = f.conflict_id
              LEFT JOIN devices d ON d.device_id = c.device_id
         WHERE f.level = ?1 AND f.state = ?2
         ORDER BY 1 DESC, 2, 3, c.conflict_id, f.n",
        &[Param::Text("acute"), Param::Text("active")],
    )?;
    rows.iter()
        .map(|r| {
            Ok(ConflictFlag {
                date: r.get(0)?,
                device_name: r.get(1)?,
                sequence: r.get(2)?,
                visit_id: r.get(3)?,
                label: r.get(4)?,
                checklist: r.get(5)?,
                flag: r.get(6)?,
                message_nl: r.get(7)?,
                message_en: r.get(8)?,
                acknowledged: r.get::<Option<String>>(9)?.is_some(),
                kind: r.get(10)?,
            })
        })
        .collect()
}

/// A conflict: a second version of a visit, or a second visit under a
/// sequence number already taken, kept aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictLine {
    pub id: i64,
    pub visit_id: String,
    pub device_name: String,
    pub sequence: i64,
    /// `same_visit` or `same_sequence`.
    pub kind: String,
    pub found_at: String,
    pub file_name: String,
    pub acute: i64,
}

pub fn conflicts(db: &Db) -> Result<Vec<ConflictLine>, DbError> {
    let rows = db.query(
        "SELECT c.conflict_id, c.visit_id, coalesce(d.name, c.device_id), c.sequence, c.kind,
                c.found_at, b.file_name, c.flags_acute
         FROM conflicts c JOIN bundles b ON b.bundle_id = c.bundle_id
              LEFT JOIN devices d ON d.device_id = c.device_id
         ORDER BY c.conflict_id",
        &[],
    )?;
    rows.iter()
        .map(|r| {
            Ok(ConflictLine {
                id: r.get(0)?,
                visit_id: r.get(1)?,
                device_name: r.get(2)?,
                sequence: r.get(3)?,
                kind: r.get(4)?,
                found_at: r.get(5)?,
                file_name: r.get(6)?,
                acute: r.get(7)?,
            })
        })
        .collect()
}

/// Refused input not made good since: a whole bundle, or one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub seen_at: String,
    pub file_name: String,
    pub reason_nl: String,
    pub reason_en: String,
}

/// Bundles refused (each once, unless imported later) and records refused
/// (unless the visit arrived later), as `summary.txt` lists them.
pub fn refused(db: &Db) -> Result<Vec<Refused>, DbError> {
    let mut out = Vec::new();
    let bundles = db.query(
        "SELECT b.seen_at, b.file_name, b.reason, b.reason_nl FROM bundles b
         WHERE b.outcome = ?1
         AND b.bundle_id = (SELECT min(x.bundle_id) FROM bundles x
                            WHERE x.sha256 = b.sha256 AND x.outcome = ?1)
         AND NOT EXISTS (
             SELECT 1 FROM bundles later WHERE later.sha256 = b.sha256
             AND later.outcome IN ('imported', 'partly', 'known'))
         ORDER BY b.bundle_id",
        &[Param::Text("rejected")],
    )?;
    for r in &bundles {
        out.push(Refused {
            seen_at: r.get(0)?,
            file_name: r.get(1)?,
            reason_en: r.get::<Option<String>>(2)?.unwrap_or_default(),
            reason_nl: r.get::<Option<String>>(3)?.unwrap_or_default(),
        });
    }
    let records = db.query(
        "SELECT b.seen_at, b.file_name, r.reason, r.reason_nl FROM rejections r
              JOIN bundles b ON b.bundle_id = r.bundle_id
         WHERE r.visit_id IS NULL OR r.visit_id NOT IN (SELECT visit_id FROM visits)
         ORDER BY r.rejection_id",
        &[],
    )?;
    for r in &records {
        out.push(Refused {
            seen_at: r.get(0)?,
            file_name: r.get(1)?,
            reason_en: r.get(2)?,
            reason_nl: r.get(3)?,
        });
    }
    Ok(out)
}

/// One score of one visit of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseScore {
    pub case_id: String,
    pub visit_no: i64,
    pub checklist: String,
    pub score: String,
    /// `child`, `caregiver` or `visit`.
    pub person_kind: String,
    pub person_id: Option<i64>,
    pub value: i64,
    pub band: Option<String>,
    /// Questions of the score answered (0: not measured at this visit).
    pub answered: i64,
}

/// The scores the case pages chart: every child's, and the visit's score
/// `risk` (`checklist`, `score`), by case and in the visits' order.
pub fn case_scores(db: &Db, risk: (&str, &str)) -> Result<Vec<CaseScore>, DbError> {
    let rows = db.query(
        "SELECT v.case_id, s.visit_no, s.checklist, s.score, s.person_kind, s.person_id,
                s.value, s.band, s.answered
         FROM scores s JOIN visits v ON v.visit_no = s.visit_no
         WHERE v.case_id IS NOT NULL
           AND (s.person_kind = ?1 OR (s.person_kind = ?2 AND s.checklist = ?3 AND s.score = ?4))
         ORDER BY v.case_id, v.date, v.finalized_at, v.visit_no, s.n",
        &[
            Param::Text("child"),
            Param::Text("visit"),
            Param::Text(risk.0),
            Param::Text(risk.1),
        ],
    )?;
    rows.iter()
        .map(|r| {
            Ok(CaseScore {
                case_id: r.get(0)?,
                visit_no: r.get(1)?,
                checklist: r.get(2)?,
                score: r.get(3)?,
                person_kind: r.get(4)?,
                person_id: r.get(5)?,
                value: r.get(6)?,
                band: r.get(7)?,
                answered: r.get(8)?,
            })
        })
        .collect()
}

/// The date and time of the last import (the newest bundle seen).
pub fn last_import(db: &Db) -> Result<Option<String>, DbError> {
    db.one("SELECT max(seen_at) FROM bundles", &[])
}

/// The case card kept with each visit (schema 5): `(visit id, card JSON)`.
/// Its children (id, alias, age) name the children of the case pages
/// without reading the visit's whole document.
pub fn case_card_children(db: &Db) -> Result<Vec<(String, String)>, DbError> {
    let rows = db.query(
        "SELECT v.visit_id, k.card FROM case_cards k JOIN visits v ON v.visit_no = k.visit_no",
        &[],
    )?;
    rows.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()
}
