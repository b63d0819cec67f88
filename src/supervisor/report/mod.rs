//! The office report: `DIR/report/`, static HTML pages a supervisor opens
//! in a browser (docs/SUPERVISOR.md, "Het rapport / The report"):
//!
//! - `index.html`: acute red flags first, then gaps, conflicts and refused
//!   input, follow-ups whose previous visit is missing, the visits by
//!   device and date, the cases by name;
//! - `visits/<id>.html`: a visit's flags with what was done, each score on
//!   its band scale, the outcomes, the worker's verdict, the aliases;
//! - `cases/<id>.html`: a family's verdict and risk over time, each child's
//!   screening scores over time, the visits in order;
//! - `style.css`: the one style sheet (screen and A4 print).
//!
//! Rebuilt from the ledger after every import. Self-contained: no script,
//! no font, image or style fetched, links only within the folder. Every
//! page says it is decision support; nothing ranks families by a number.
//! Files 0600 written atomically, folders 0700, as the other outputs.
//!
//! Never writes to the ledger; never shows an answer beyond what the
//! visit's document already gives the office.

pub mod data;
pub mod doc;
pub mod pages;
pub mod svg;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use sha2::Digest;

use crate::checklist::Catalog;
use crate::i18n::Lang;
use crate::store::atomic::is_temp_name;
use crate::supervisor::cases::{self, Case, RISK};
use crate::supervisor::db::{Db, DbError};
use crate::supervisor::ledger::{Ledger, LedgerError};
use crate::supervisor::reports::{self, OutputError, write_derived};

use doc::{Flag, Person, VisitDoc};

/// The report's folder in the office folder.
pub const DIR: &str = "report";
pub const INDEX: &str = "index.html";
pub const STYLE: &str = "style.css";

/// Why the report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{0}")]
    Db(#[from] DbError),
    #[error("{0}")]
    Ledger(#[from] LedgerError),
    #[error("{0}")]
    Output(#[from] OutputError),
}

impl From<ReportError> for OutputError {
    fn from(e: ReportError) -> OutputError {
        match e {
            ReportError::Output(e) => e,
            ReportError::Ledger(e) => OutputError::Ledger(e),
            ReportError::Db(e) => OutputError::Ledger(LedgerError::Sql(e)),
        }
    }
}

/// What writing the report did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportWritten {
    pub visit_pages: usize,
    pub case_pages: usize,
    /// Pages whose file already held the same bytes (left untouched).
    pub unchanged: usize,
    /// Time taken by the visit pages (documents read, parsed, drawn,
    /// written), the case pages and the index.
    pub took: [std::time::Duration; 3],
    /// Of the visit pages' time, the time spent writing files.
    pub writing: std::time::Duration,
}

/// Write a page unless its file already holds exactly these bytes (most
/// pages of an office do not change between imports: rewriting them all
/// would cost more than making them). `true` when it was written.
fn write_page(path: &Path, bytes: &[u8]) -> Result<bool, OutputError> {
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() == bytes.len() as u64
        && std::fs::read(path).is_ok_and(|old| old == bytes)
    {
        return Ok(false);
    }
    write_derived(path, bytes)?;
    Ok(true)
}

/// The file name (without `.html`) of a visit's or case's page: the id
/// itself when it is a plain id (`[A-Za-z0-9_-]`, as the import demands of
/// visit ids), otherwise a hash of it, so that no id can name a path.
pub fn file_name(id: &str) -> String {
    let plain = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain {
        id.to_string()
    } else {
        let digest = sha2::Sha256::digest(id.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("h-{hex}")
    }
}

/// `path`, made (mode 0700) if it is not there; unfinished temporary files
/// of an earlier run removed.
fn folder(path: &Path) -> Result<(), OutputError> {
    if !path.is_dir() {
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(path)
            .map_err(|source| OutputError::Write {
                path: path.to_path_buf(),
                source,
            })?;
    }
    if let Ok(rd) = std::fs::read_dir(path) {
        for e in rd.flatten() {
            if is_temp_name(&e.file_name().to_string_lossy()) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(())
}

/// Write `pages` ([`write_page`]) on a few threads of their own: each
/// new file waits on the file system (create, rename) far more than on a
/// core, so more writers than cores keep the disk busy. Whether each was
/// written.
fn write_pages(pages: &[(PathBuf, String)]) -> Result<Vec<bool>, OutputError> {
    const WRITERS: usize = 8;
    let chunk = pages.len().div_ceil(WRITERS).max(1);
    std::thread::scope(|s| {
        let writers: Vec<_> = pages
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(path, html)| write_page(path, html.as_bytes()))
                        .collect::<Result<Vec<bool>, OutputError>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(pages.len());
        for w in writers {
            out.extend(
                w.join()
                    .map_err(|_| OutputError::Ledger(LedgerError::Internal))??,
            );
        }
        Ok(out)
    })
}

/// The stamp file: for what the visit pages were drawn, and through which
/// visit (`visit_no`).
pub const STAMP: &str = ".drawn";

/// What the visit pages depend on besides the visit: the pages' design
/// (raise [`DESIGN`] with every change to a visit page), the language,
/// the checklists (their ids, versions and content hashes).
fn stamp_for(lang: Lang, catalog: &Catalog) -> String {
    let mut out = format!("safevisit report design {DESIGN}\nlang {lang:?}\n");
    for c in catalog.all() {
        out.push_str(&format!("checklist {}@{} {:?}\n", c.id, c.version, c.hash));
    }
    out
}

/// The design of the visit pages: a new number redraws every visit page.
pub const DESIGN: u32 = 1;

/// What the index and the case pages keep of each visit's document.
#[derive(Default)]
struct Kept {
    /// Active acute flags, by visit id.
    acute: HashMap<String, Vec<Flag>>,
    /// The roster's children, by visit id: (id, alias, age).
    roster: HashMap<String, Vec<(i64, String, i64)>>,
}

/// Write `DIR/report/` from the ledger: every page, in `lang`. `ledger`
/// for what other outputs read too (cases, gaps, documents), `db` for the
/// report's own queries ([`data`]).
pub fn write_report(
    ledger: &Ledger,
    db: &Db,
    dir: &Path,
    lang: Lang,
    catalog: &Catalog,
) -> Result<ReportWritten, ReportError> {
    let root = dir.join(DIR);
    folder(&root)?;
    folder(&root.join("visits"))?;
    folder(&root.join("cases"))?;
    write_page(&root.join(STYLE), pages::STYLE.0.as_bytes())?;

    let mut unchanged = 0;
    let clock = std::time::Instant::now();
    let visits = data::visits(db)?;
    let by_id: HashMap<&str, &data::VisitLine> =
        visits.iter().map(|v| (v.id.as_str(), v)).collect();

    // A visit's page never changes once drawn (its document, laptop and
    // links are fixed), unless the language, the checklists or the pages'
    // own design changed: the stamp says for what and through which visit
    // the pages were drawn. Only the visits after it, and pages gone
    // missing, are drawn; the rest of the documents are read only where
    // the index needs them (acute flags) or no case card names a child.
    let stamp_path = root.join(STAMP);
    let stamp = stamp_for(lang, catalog);
    let through = std::fs::read_to_string(&stamp_path)
        .ok()
        .and_then(|text| {
            let (head, last) = text.rsplit_once("through ")?;
            (head == stamp).then(|| last.trim().parse::<i64>().ok())?
        })
        .unwrap_or(0);
    let missing: Vec<String> = visits
        .iter()
        .filter(|v| v.visit_no <= through)
        .filter(|v| {
            !root
                .join("visits")
                .join(format!("{}.html", file_name(&v.id)))
                .is_file()
        })
        .map(|v| v.id.clone())
        .collect();
    let kept = Mutex::new(Kept::default());
    let mut visit_pages = 0;
    let mut writing = std::time::Duration::ZERO;
    let mut draw = |batch: Vec<(String, Vec<u8>)>, pages_too: bool| -> Result<(), OutputError> {
        let drawn: Vec<(PathBuf, String)> = batch
            .par_iter()
            .filter_map(|(id, bytes)| {
                let line = by_id.get(id.as_str())?;
                let doc = VisitDoc::parse(bytes);
                if let Some(d) = &doc {
                    let acute: Vec<Flag> = d
                        .red_flags
                        .iter()
                        .filter(|f| f.level == "acute" && f.state == "active")
                        .cloned()
                        .collect();
                    let roster: Vec<(i64, String, i64)> = d
                        .roster
                        .children
                        .iter()
                        .map(|c| (c.id, c.alias.clone(), c.age))
                        .collect();
                    if let Ok(mut k) = kept.lock() {
                        if !acute.is_empty() {
                            k.acute.insert(id.clone(), acute);
                        }
                        k.roster.insert(id.clone(), roster);
                    }
                }
                if !pages_too {
                    return None;
                }
                let html = pages::visit(lang, catalog, line, doc.as_ref());
                Some((
                    root.join("visits").join(format!("{}.html", file_name(id))),
                    html,
                ))
            })
            .collect();
        // Written on two threads or more: a new office creates thousands
        // of files, and each create waits on the file system.
        let clock = std::time::Instant::now();
        let fresh = write_pages(&drawn)?;
        writing += clock.elapsed();
        unchanged += fresh.iter().filter(|w| !**w).count();
        visit_pages += drawn.len();
        Ok(())
    };
    ledger.docs_after(through, 512, |batch| draw(batch, true))?;
    for chunk in missing.chunks(512) {
        draw(ledger.docs_of(chunk)?, true)?;
    }
    if through > 0 {
        // Older visits: the documents of those with an acute flag, and of
        // those whose children no case card names (imported before cases).
        let cards = data::case_card_children(db)?;
        let mut roster: HashMap<String, Vec<(i64, String, i64)>> = HashMap::new();
        for (id, card) in &cards {
            if let Ok(c) = serde_json::from_str::<doc::Roster>(card) {
                roster.insert(
                    id.clone(),
                    c.children
                        .iter()
                        .map(|c| (c.id, c.alias.clone(), c.age))
                        .collect(),
                );
            }
        }
        let done: std::collections::HashSet<String> = kept
            .lock()
            .map(|k| k.roster.keys().cloned().collect())
            .unwrap_or_default();
        let wanted: Vec<String> = visits
            .iter()
            .filter(|v| v.visit_no <= through && !done.contains(&v.id))
            .filter(|v| v.flags[0] > 0 || !roster.contains_key(&v.id))
            .map(|v| v.id.clone())
            .collect();
        for chunk in wanted.chunks(512) {
            draw(ledger.docs_of(chunk)?, false)?;
        }
        if let Ok(mut k) = kept.lock() {
            for (id, children) in roster {
                k.roster.entry(id).or_insert(children);
            }
        }
    }
    let kept = kept.into_inner().unwrap_or_default();
    let visits_took = clock.elapsed();
    let clock = std::time::Instant::now();

    // The case pages.
    let all_cases = cases::load(ledger)?;
    let scores = data::case_scores(db, RISK)?;
    let mut by_case: HashMap<&str, Vec<&data::CaseScore>> = HashMap::new();
    for s in &scores {
        by_case.entry(s.case_id.as_str()).or_default().push(s);
    }
    let drawn: Vec<(PathBuf, String)> = all_cases
        .par_iter()
        .map(|c| {
            let series = case_series(
                c,
                by_case.get(c.case_id.as_str()).map_or(&[][..], |v| v),
                &kept.roster,
            );
            (
                root.join("cases")
                    .join(format!("{}.html", file_name(&c.case_id))),
                pages::case(lang, catalog, c, &series),
            )
        })
        .collect();
    let fresh = write_pages(&drawn)?;
    unchanged += fresh.iter().filter(|w| !**w).count();
    let case_pages = drawn.len();
    drop(drawn);
    let cases_took = clock.elapsed();
    let clock = std::time::Instant::now();

    // The index.
    let conflict_flags = data::conflict_acute_flags(db)?;
    let mut acute: Vec<pages::AcuteLine<'_>> = Vec::new();
    for v in &visits {
        for f in kept.acute.get(&v.id).into_iter().flatten() {
            acute.push(pages::AcuteLine {
                visit: Some(v),
                flag: Some(f),
                conflict: None,
            });
        }
    }
    for c in &conflict_flags {
        acute.push(pages::AcuteLine {
            visit: None,
            flag: None,
            conflict: Some(c),
        });
    }
    acute.sort_by(|a, b| a.key().cmp(&b.key()));
    let gaps = reports::gaps(ledger)?;
    let conflicts = data::conflicts(db)?;
    let refused = data::refused(db)?;
    let missing = ledger.missing_previous()?;
    let last_import = data::last_import(db)?;
    let index = pages::index(
        lang,
        catalog,
        &pages::Index {
            last_import: last_import.as_deref(),
            acute: &acute,
            gaps: &gaps,
            conflicts: &conflicts,
            refused: &refused,
            missing: &missing,
            visits: &visits,
            cases: &all_cases,
        },
    );
    if !write_page(&root.join(INDEX), index.as_bytes())? {
        unchanged += 1;
    }
    let last = visits.iter().map(|v| v.visit_no).max().unwrap_or(0);
    write_page(&stamp_path, format!("{stamp}through {last}\n").as_bytes())?;
    Ok(ReportWritten {
        visit_pages,
        case_pages,
        unchanged,
        took: [visits_took, cases_took, clock.elapsed()],
        writing,
    })
}

/// The series a case page charts: the risk score first, then every
/// child's scores, each aligned to the case's visits; a child named by the
/// alias of the latest visit that names them.
fn case_series(
    case: &Case,
    scores: &[&data::CaseScore],
    roster: &HashMap<String, Vec<(i64, String, i64)>>,
) -> Vec<pages::Series> {
    let at: HashMap<i64, usize> = case
        .visits
        .iter()
        .enumerate()
        .map(|(i, v)| (v.visit_no, i))
        .collect();
    // Each child as the latest visit that names them has them.
    let mut children: HashMap<i64, (String, i64)> = HashMap::new();
    for v in &case.visits {
        for (id, alias, age) in roster.get(&v.id).into_iter().flatten() {
            children.insert(*id, (alias.clone(), *age));
        }
    }
    let child = |kind: &str, id: Option<i64>| {
        id.filter(|_| kind == "child")
            .and_then(|id| children.get(&id))
    };
    type Key = (bool, String, String, String, Option<i64>);
    let mut series: BTreeMap<Key, pages::Series> = BTreeMap::new();
    for s in scores {
        let Some(&i) = at.get(&s.visit_no) else {
            continue;
        };
        // A score with no question answered was not measured: no point.
        if s.answered == 0 {
            continue;
        }
        // The visit's own (risk) score sorts first.
        let key: Key = (
            s.person_kind != "visit",
            s.person_id.map(|p| format!("{p:09}")).unwrap_or_default(),
            s.checklist.clone(),
            s.score.clone(),
            s.person_id,
        );
        let entry = series.entry(key).or_insert_with(|| pages::Series {
            checklist: s.checklist.clone(),
            score: s.score.clone(),
            person: Person {
                kind: s.person_kind.clone(),
                id: s.person_id,
                alias: child(&s.person_kind, s.person_id).map(|c| c.0.clone()),
            },
            age: child(&s.person_kind, s.person_id).and_then(|c| u8::try_from(c.1).ok()),
            values: vec![None; case.visits.len()],
        });
        entry.values[i] = Some((s.value, s.band.clone()));
    }
    series.into_values().collect()
}
