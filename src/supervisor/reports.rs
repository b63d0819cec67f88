//! The office's derived files, all rebuilt from the ledger: `visits/ID.json`
//! (one per visit), `visits.csv` (one row per visit) and `summary.txt`
//! (acute red flags first). Each is written atomically (a temporary file,
//! then a rename), not `fsync`ed: the ledger can always regenerate them,
//! and the next import does so for anything a crash left unwritten.
//!
//! The CSV columns are documented in docs/SUPERVISOR.md, and a test checks
//! the header against that table.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::checklist::Catalog;
use crate::i18n::Lang;
use crate::store::atomic::is_temp_name;
use crate::supervisor::db::{Db, Row, Value, p};
use crate::supervisor::findings;
use crate::supervisor::ledger::{Ledger, LedgerError, finding_column};

impl From<crate::supervisor::db::DbError> for OutputError {
    fn from(e: crate::supervisor::db::DbError) -> Self {
        OutputError::Ledger(LedgerError::Sql(e))
    }
}

pub const VISITS_DIR: &str = "visits";
pub const CSV_FILE: &str = "visits.csv";
pub const SUMMARY_FILE: &str = "summary.txt";

/// The bundled checklists in the order of their CSV columns.
pub const CHECKLIST_ORDER: &[&str] = &[
    "veiligheid",
    "trauma-kind",
    "trauma-ouder",
    "gezinsanalyse",
    "hulp-en-regie",
];

/// The first CSV columns, the same for every ledger.
pub const BASE_COLUMNS: &[&str] = &[
    "visit_id",
    "device_id",
    "device_name",
    "sequence",
    "date",
    "label",
    "finalized_at",
    "imported_at",
    "checklists",
    "children",
    "caregivers",
    "missing_required",
    "flags_acute",
    "flags_structural",
    "flags_attention",
    "flags_open",
    "flags_lapsed",
    "flags_withdrawn",
    "sheets_niet_aanwezig",
    "sheets_bewust_niet",
    "sheets_weigert",
    "sheets_te_jong",
    "people_removed",
];

/// Why the derived files could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{0}")]
    Ledger(#[from] LedgerError),
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

impl OutputError {
    /// The error in Dutch.
    pub fn describe_nl(&self) -> String {
        match self {
            OutputError::Ledger(e) => e.describe_nl(),
            OutputError::Write { path, source } => format!(
                "{} kon niet worden geschreven ({})",
                path.display(),
                crate::supervisor::import::io_nl(source)
            ),
        }
    }
}

/// What writing the outputs did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputsReport {
    /// Visit JSON files written (new, or missing and rewritten).
    pub json_written: usize,
    /// Of those, files that had gone missing.
    pub json_restored: usize,
    pub csv_rows: usize,
}

/// Write `bytes` to `path` atomically (temporary file, rename), mode 0600,
/// without `fsync`.
pub fn write_derived(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let err = |source| OutputError::Write {
        path: path.to_path_buf(),
        source,
    };
    let temp = temp_beside(path);
    let result = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temp)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| std::fs::rename(&temp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(err(e));
    }
    Ok(())
}

/// A temporary name beside `path` (`.NAME.tmp-RUN-N`): one random draw
/// per process, a number per file, and `create_new` still refuses a name
/// that exists.
fn temp_beside(path: &Path) -> PathBuf {
    static RUN: OnceLock<String> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let run = RUN.get_or_init(|| uuid::Uuid::new_v4().simple().to_string()[..12].to_string());
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{run}-{n}"))
}

/// `DIR/visits`, made (mode 0700) if it is not there.
fn visits_dir(dir: &Path) -> Result<PathBuf, OutputError> {
    let visits_dir = dir.join(VISITS_DIR);
    if !visits_dir.is_dir() {
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&visits_dir)
            .map_err(|source| OutputError::Write {
                path: visits_dir.clone(),
                source,
            })?;
    }
    Ok(visits_dir)
}

/// Write `visits/ID.json` for each `(id, document)`. One thread: parallel
/// creates in one folder only contend for the folder's lock in the kernel.
pub fn write_docs(dir: &Path, docs: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
    let visits_dir = visits_dir(dir)?;
    docs.iter()
        .try_for_each(|(id, doc)| write_derived(&visits_dir.join(format!("{id}.json")), doc))
}

/// Write the JSON files of every document after the ledger's mark, and
/// move the mark: what a crash left unwritten. The number written.
pub fn write_pending_docs(ledger: &mut Ledger, dir: &Path) -> Result<usize, OutputError> {
    let mark = ledger.docs_written_through()?;
    let last = ledger.last_visit_no()?;
    if last <= mark {
        return Ok(0);
    }
    let n = ledger.docs_after(mark, 256, |batch| write_docs(dir, &batch))?;
    ledger.set_docs_written_through(last)?;
    Ok(n)
}

/// Remove unfinished temporary files (from a crash) in `dir`.
fn remove_temps(dir: &Path) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if is_temp_name(&e.file_name().to_string_lossy()) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// `visits.csv` (and its rows) and `summary.txt`, made side by side: the
/// summary on a second, read-only connection.
pub struct Reports {
    pub csv: String,
    pub rows: usize,
    pub summary: String,
    /// `visits-excel.csv`, when it is to be written.
    pub excel: Option<String>,
    /// `cases.csv`.
    pub cases: String,
}

/// Build the CSV and the summary from the ledger (at `dir`), on two threads.
pub fn build_reports(ledger: &Ledger, dir: &Path, lang: Lang) -> Result<Reports, OutputError> {
    build_reports_with(ledger, dir, lang, &ReportOptions::default())
}

/// [`build_reports`] with the office's options.
pub fn build_reports_with(
    ledger: &Ledger,
    dir: &Path,
    lang: Lang,
    options: &ReportOptions,
) -> Result<Reports, OutputError> {
    let bundled;
    let catalog: &Catalog = match &options.catalog {
        Some(c) => c,
        None => {
            bundled = Catalog::bundled();
            &bundled
        }
    };
    let location = ledger.location().clone();
    let (table, text) = std::thread::scope(|s| {
        let text = s.spawn(|| -> Result<(String, String), LedgerError> {
            let reader = location.open_reader()?;
            let summary = summary(&reader, lang)?;
            Ok((summary, crate::supervisor::cases::csv(&reader)?.0))
        });
        // Half of the CSV's rows are read over a second connection (or
        // all over this one, should it not open).
        let second = location.open_reader().ok();
        let table = csv_with(ledger, second, catalog, STANDARD);
        (table, text.join())
    });
    let (csv, rows) = table?;
    let (summary, cases) = text.map_err(|_| LedgerError::Internal)??;
    let excel = if options.excel || dir.join(EXCEL_FILE).exists() {
        let second = location.open_reader().ok();
        Some(csv_with(ledger, second, catalog, EXCEL)?.0)
    } else {
        None
    };
    Ok(Reports {
        csv,
        rows,
        summary,
        excel,
        cases,
    })
}

/// Bring every derived file up to date with the ledger. `reports`: the CSV
/// and summary if already built from the ledger as it is now; `written`:
/// the visits whose JSON files this process has just written (they need
/// no second look).
pub fn write_outputs(
    ledger: &mut Ledger,
    dir: &Path,
    lang: Lang,
    reports: Option<Reports>,
    written: &HashSet<String>,
) -> Result<OutputsReport, OutputError> {
    write_outputs_with(
        ledger,
        dir,
        lang,
        reports,
        written,
        &ReportOptions::default(),
    )
}

/// [`write_outputs`] with the office's options.
pub fn write_outputs_with(
    ledger: &mut Ledger,
    dir: &Path,
    lang: Lang,
    reports: Option<Reports>,
    written: &HashSet<String>,
    options: &ReportOptions,
) -> Result<OutputsReport, OutputError> {
    let visits_dir = visits_dir(dir)?;
    remove_temps(dir);
    remove_temps(&visits_dir);
    // Files a crash left unwritten come after the ledger's mark.
    let mut report = OutputsReport {
        json_written: write_pending_docs(ledger, dir)?,
        ..OutputsReport::default()
    };
    // Files that went missing since (or were never fully written before a
    // power cut: empty files) are written again.
    let present: HashSet<String> = std::fs::read_dir(&visits_dir)
        .map_err(|source| OutputError::Write {
            path: visits_dir.clone(),
            source,
        })?
        .flatten()
        .filter_map(|e| {
            let id = e
                .file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .map(str::to_string)?;
            (written.contains(&id) || e.metadata().is_ok_and(|m| m.len() > 0)).then_some(id)
        })
        .collect();
    let missing: Vec<String> = ledger
        .visit_ids()?
        .into_iter()
        .filter(|id| !present.contains(id))
        .collect();
    if !missing.is_empty() {
        let docs = ledger.docs_of(&missing)?;
        write_docs(dir, &docs)?;
        report.json_restored = docs.len();
        report.json_written += docs.len();
    }

    let reports = match reports {
        Some(r) => r,
        None => build_reports_with(ledger, dir, lang, options)?,
    };
    report.csv_rows = reports.rows;
    write_derived(&dir.join(CSV_FILE), reports.csv.as_bytes())?;
    if let Some(excel) = &reports.excel {
        write_derived(&dir.join(EXCEL_FILE), excel.as_bytes())?;
    }
    write_derived(
        &dir.join(crate::supervisor::cases::CASES_CSV),
        reports.cases.as_bytes(),
    )?;
    write_derived(&dir.join(SUMMARY_FILE), reports.summary.as_bytes())?;
    Ok(report)
}

/// A CSV field: quoted when needed (RFC 4180). Text that a spreadsheet
/// would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) is
/// prefixed with `'`: a hostile bundle must not put a formula in front of
/// the supervisor. Control, bidi and format characters are escaped as in
/// [`clean`] (no ESC sequence reaches a terminal that shows the file).
#[cfg(test)]
fn push_text(out: &mut String, s: &str) {
    push_text_sep(out, ',', s);
}

/// [`push_text`] for a `,`-separated file (`cases.csv`).
pub fn push_csv_text(out: &mut String, s: &str) {
    push_text_sep(out, ',', s);
}

/// [`push_text`] for a file whose cells are separated by `sep`.
fn push_text_sep(out: &mut String, sep: char, s: &str) {
    let s = cleaned(s);
    let s = s.as_ref();
    let guarded;
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        guarded = format!("'{s}");
        guarded.as_str()
    } else {
        s
    };
    if s.contains([sep, '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// A score or outcome of a checklist that is not bundled (an
/// organisation's own): `(checklist, is not a score, id)`, the order its
/// columns take after the bundled ones.
type Extra = (String, bool, String);

/// Scores and outcomes as CSV columns: `(checklist, id, is_score)`. The
/// bundled checklists' come first, in their order; then those of other
/// checklists found in the ledger, by checklist and id.
pub fn measure_columns(ledger: &Ledger) -> Result<Vec<(String, String, bool)>, LedgerError> {
    let mut extra: BTreeSet<Extra> = BTreeSet::new();
    let conn = ledger.conn();
    for (sql, is_score) in [
        ("SELECT DISTINCT checklist, score FROM scores", true),
        ("SELECT DISTINCT checklist, outcome FROM outcomes", false),
    ] {
        for r in conn.query(sql, p![])? {
            extra.insert((r.get(0)?, !is_score, r.get(1)?));
        }
    }
    Ok(with_extras(extra, &Catalog::bundled()))
}

/// The checklists the office knows: the bundled ones, and those of a
/// `--checklists DIR` given to the import. Only their scores and outcomes
/// become `visits.csv` columns; a bundle alone adds none (docs/SUPERVISOR.md).
fn known_checklists(catalog: &Catalog) -> HashSet<String> {
    catalog.all().iter().map(|c| c.id.clone()).collect()
}

/// The bundled checklists' scores and outcomes, then those of `extra` that
/// are not among them.
fn with_extras(extra: BTreeSet<Extra>, catalog: &Catalog) -> Vec<(String, String, bool)> {
    let known_ids = known_checklists(catalog);
    let mut cols: Vec<(String, String, bool)> = Vec::new();
    let mut order: Vec<&str> = CHECKLIST_ORDER.to_vec();
    let mut rest: Vec<&str> = catalog
        .all()
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| !CHECKLIST_ORDER.contains(id))
        .collect();
    rest.sort_unstable();
    order.extend(rest);
    for id in &order {
        if let Some(c) = catalog.get(id) {
            cols.extend(c.scores.iter().map(|s| (c.id.clone(), s.id.clone(), true)));
            cols.extend(
                c.outcomes
                    .iter()
                    .map(|o| (c.id.clone(), o.id.clone(), false)),
            );
        }
    }
    let known: HashSet<(String, String, bool)> = cols.iter().cloned().collect();
    cols.extend(
        extra
            .into_iter()
            .filter(|(c, _, _)| known_ids.contains(c))
            .map(|(c, not_score, id)| (c, id, !not_score))
            .filter(|m| !known.contains(m)),
    );
    cols
}

/// The CSV header for these score and outcome columns.
pub fn header(measures: &[(String, String, bool)]) -> Vec<String> {
    let mut h: Vec<String> = BASE_COLUMNS.iter().map(|s| s.to_string()).collect();
    for (c, id, is_score) in measures {
        h.push(format!("{c}.{id}"));
        if *is_score {
            h.push(format!("{c}.{id}.band"));
        }
    }
    h.extend(findings::COLUMNS.iter().map(|(c, _)| c.to_string()));
    h
}

/// Where a score or outcome of the ledger goes among a row's measure cells.
/// Every visit lists its scores (and outcomes) in much the same order, so
/// the slot found for position `n` is remembered and checked first; the
/// map by checklist and id answers the rest.
struct Slots<'m> {
    by_id: HashMap<&'m str, HashMap<&'m str, usize>>,
    seen: Vec<Option<(String, String, Option<usize>)>>,
}

impl<'m> Slots<'m> {
    fn new() -> Self {
        Slots {
            by_id: HashMap::new(),
            seen: Vec::new(),
        }
    }

    fn slot(&mut self, n: i64, checklist: &str, id: &str) -> Option<usize> {
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        if let Some(Some((c, i, slot))) = self.seen.get(n)
            && c == checklist
            && i == id
        {
            return *slot;
        }
        let slot = self.by_id.get(checklist).and_then(|m| m.get(id)).copied();
        if n < 4096 {
            if self.seen.len() <= n {
                self.seen.resize(n + 1, None);
            }
            self.seen[n] = Some((checklist.to_string(), id.to_string(), slot));
        }
        slot
    }
}

/// One visit's measure cells while its row is built (kept between rows,
/// so their buffers are reused).
struct Cells {
    values: Vec<String>,
    /// Values per child or caregiver: `(slot, kind rank, person id, n,
    /// range in held)`, put into roster order (children, then caregivers,
    /// by id) after the values of the visit as a whole.
    per_person: Vec<(usize, u8, i64, i64, std::ops::Range<usize>)>,
    held: String,
    /// Joins several values in one cell (`;`, or `|` in the Excel variant).
    join: char,
}

/// `value` appended to a cell; several values are joined by `join`.
fn push_value(cell: &mut String, value: &str, join: char) {
    if !cell.is_empty() {
        cell.push(join);
    }
    cell.push_str(value);
}

impl Cells {
    fn add(&mut self, slot: usize, value: &str) {
        push_value(&mut self.values[slot], value, self.join);
    }

    fn hold(&mut self, slot: usize, kind: &str, person: Option<i64>, n: i64, value: &str) {
        let rank = match kind {
            "child" => 1u8,
            _ => 2,
        };
        let start = self.held.len();
        self.held.push_str(value);
        self.per_person
            .push((slot, rank, person.unwrap_or(0), n, start..self.held.len()));
    }

    /// The held per-person values into their cells, in roster order: one
    /// `;`-separated slot per child (or caregiver) of the roster, empty
    /// where a person has no value — a child outside the checklist's age
    /// bands, or an outcome without a value — so that the n-th slot is
    /// always the n-th person. `roster` gives the ids (sorted) of the
    /// roster's children and caregivers, and is asked at most once per row:
    /// a value of a person not in the roster, or a second value of one
    /// person, gets no slot (it can never move to another child). Only when
    /// the roster is not known are the values put in the order of their
    /// persons.
    fn settle(&mut self, roster: &mut dyn FnMut() -> Option<[Vec<i64>; 2]>) {
        let mut held = std::mem::take(&mut self.per_person);
        held.sort_unstable_by_key(|p| (p.0, p.1, p.2, p.3));
        let mut ids: Option<Option<[Vec<i64>; 2]>> = None;
        let mut i = 0;
        while i < held.len() {
            let (slot, rank) = (held[i].0, held[i].1);
            let end = i + held[i..]
                .iter()
                .take_while(|p| p.0 == slot && p.1 == rank)
                .count();
            let group = &held[i..end];
            let kind = usize::from(rank.saturating_sub(1)).min(1);
            let positions = ids
                .get_or_insert_with(&mut *roster)
                .as_ref()
                .map(|r| &r[kind]);
            let cell = &mut self.values[slot];
            if !cell.is_empty() {
                cell.push(self.join);
            }
            match positions {
                Some(roster_ids) => {
                    for (k, id) in roster_ids.iter().enumerate() {
                        if k > 0 {
                            cell.push(self.join);
                        }
                        if let Some(p) = group.iter().find(|p| p.2 == *id) {
                            cell.push_str(&self.held[p.4.clone()]);
                        }
                    }
                }
                None => {
                    for (k, p) in group.iter().enumerate() {
                        if k > 0 {
                            cell.push(self.join);
                        }
                        cell.push_str(&self.held[p.4.clone()]);
                    }
                }
            }
            i = end;
        }
        held.clear();
        self.per_person = held;
        self.held.clear();
    }
}

/// The ids of a visit's roster children and caregivers, from its JSON
/// document (docs/FORMATS.md, "Visit JSON": `roster`), ascending.
fn roster_ids(db: &Db, visit_no: i64) -> Option<[Vec<i64>; 2]> {
    let r = db
        .query_opt(
            "SELECT doc FROM documents WHERE visit_no = ?1",
            p![visit_no],
        )
        .ok()??;
    let doc: serde_json::Value = serde_json::from_slice(r.bytes(0)).ok()?;
    let ids = |key: &str| -> Vec<i64> {
        let mut v: Vec<i64> = doc["roster"][key]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["id"].as_i64()).collect())
            .unwrap_or_default();
        v.sort_unstable();
        v
    };
    Some([ids("children"), ids("caregivers")])
}

/// Column `i` of a row as text ("" for anything else).
fn text(r: &Row, i: usize) -> &str {
    match r.0.get(i) {
        Some(Value::Text(s)) => s,
        _ => "",
    }
}

/// Column `i` of a row as text, `None` for NULL (or anything else).
fn text_opt(r: &Row, i: usize) -> Option<&str> {
    match r.0.get(i) {
        Some(Value::Text(s)) => Some(s),
        _ => None,
    }
}

/// What every part of `visits.csv` shares: the header, which measure cells
/// hold numbers, where each score and outcome goes, and the devices in
/// output order (by name, then id).
struct CsvLayout {
    head: Vec<String>,
    measures: Vec<(String, String, bool)>,
    numeric: Vec<bool>,
    devices: Vec<(String, String)>,
    /// The checklists whose measures may get columns.
    known: HashSet<String>,
    dialect: Dialect,
}

impl CsvLayout {
    /// The layout for the bundled checklists' measures and `extra`.
    fn read(
        ledger: &Ledger,
        extra: BTreeSet<Extra>,
        catalog: &Catalog,
        dialect: Dialect,
    ) -> Result<CsvLayout, LedgerError> {
        let measures = with_extras(extra, catalog);
        let head = header(&measures);
        // Score values are numbers this program formats; everything else
        // is text from the record.
        let mut numeric: Vec<bool> = Vec::new();
        for (_, _, is_score) in &measures {
            numeric.push(*is_score);
            if *is_score {
                numeric.push(false);
            }
        }
        let mut devices: Vec<(String, String)> = ledger
            .conn()
            .query("SELECT name, device_id FROM devices", p![])?
            .iter()
            .map(|r| Ok((r.get(0)?, r.get(1)?)))
            .collect::<Result<_, LedgerError>>()?;
        devices.sort_unstable();
        Ok(CsvLayout {
            head,
            measures,
            numeric,
            devices,
            known: known_checklists(catalog),
            dialect,
        })
    }

    /// Where each score and each outcome goes among the measure cells.
    fn slots(&self) -> (Slots<'_>, Slots<'_>) {
        let (mut scores, mut outcomes) = (Slots::new(), Slots::new());
        let mut at = 0;
        for (c, id, is_score) in &self.measures {
            let slots = if *is_score {
                &mut scores
            } else {
                &mut outcomes
            };
            slots
                .by_id
                .entry(c.as_str())
                .or_default()
                .insert(id.as_str(), at);
            at += if *is_score { 2 } else { 1 };
        }
        (scores, outcomes)
    }
}

/// The rows of some visits: their text one after the other, and for each
/// row its output order key (device rank, sequence) and where it is; and
/// the measures met that the layout has no column for.
struct CsvRows {
    body: String,
    rows: Vec<((usize, i64), std::ops::Range<usize>)>,
    unplaced: BTreeSet<Extra>,
}

/// The rows of the visits numbered `first` to `last`.
///
/// The visits, their scores and their outcomes are read side by side in
/// visit number order (each table's own order, so SQLite sorts nothing)
/// and each row is built once.
fn csv_rows(
    ledger: &Ledger,
    layout: &CsvLayout,
    first: i64,
    last: i64,
) -> Result<CsvRows, LedgerError> {
    let numeric = &layout.numeric;
    let sep = layout.dialect.sep;
    let (mut scores, mut outcomes) = layout.slots();
    let device_rank: HashMap<&str, (usize, &str)> = layout
        .devices
        .iter()
        .enumerate()
        .map(|(i, (name, id))| (id.as_str(), (i, name.as_str())))
        .collect();
    let conn = ledger.conn();
    let finding_cols: Vec<String> = findings::COLUMNS
        .iter()
        .map(|(c, _)| finding_column(c))
        .collect();
    let range = "visit_no BETWEEN ?1 AND ?2";
    let visit_sql = format!(
        "SELECT visit_no, visit_id, device_id, sequence, date, label, finalized_at, imported_at,
                checklists, children, caregivers, missing_required,
                flags_acute, flags_structural, flags_attention, flags_open,
                flags_lapsed, flags_withdrawn, sheets_niet_aanwezig, sheets_bewust_niet,
                sheets_weigert, sheets_te_jong, people_removed, {},
                roster_children, roster_caregivers
         FROM visits WHERE {range} ORDER BY visit_no",
        finding_cols.join(", ")
    );
    let bounds = p![first, last];
    // The scores and outcomes of the range, read first; the visits are
    // then read side by side with them in visit number order (each
    // table's own order, so the database sorts nothing).
    let score_rows = conn.query(
        &format!(
            "SELECT visit_no, checklist, score, value, band, person_kind, person_id, n
             FROM scores WHERE {range} ORDER BY visit_no, n"
        ),
        bounds,
    )?;
    let outcome_rows = conn.query(
        &format!(
            "SELECT visit_no, checklist, outcome, value, person_kind, person_id, n
             FROM outcomes WHERE {range} ORDER BY visit_no, n"
        ),
        bounds,
    )?;
    let mut score_rows = score_rows.iter().peekable();
    let mut outcome_rows = outcome_rows.iter().peekable();

    let mut cells = Cells {
        values: vec![String::new(); numeric.len()],
        per_person: Vec::new(),
        held: String::new(),
        join: layout.dialect.join,
    };
    let mut number = String::new();
    let mut unplaced: BTreeSet<Extra> = BTreeSet::new();
    // Every row, one after the other, and where each one is.
    let mut body = String::with_capacity(4096);
    let mut rows: Vec<((usize, i64), std::ops::Range<usize>)> = Vec::new();
    conn.for_each(&visit_sql, bounds, |r| {
        let visit_no: i64 = r.get(0)?;
        for v in &mut cells.values {
            v.clear();
        }
        // This visit's scores (rows of visits not in the table are passed).
        while let Some(&s) = score_rows.peek() {
            let no: i64 = s.get(0)?;
            if no > visit_no {
                break;
            }
            score_rows.next();
            if no != visit_no {
                continue;
            }
            let (checklist, id) = (text(s, 1), text(s, 2));
            if let Some(slot) = scores.slot(s.get(7)?, checklist, id) {
                number.clear();
                let _ = write!(number, "{}", s.get::<i64>(3)?);
                let band = text(s, 4);
                match text(s, 5) {
                    "visit" => {
                        cells.add(slot, &number);
                        cells.add(slot + 1, band);
                    }
                    kind => {
                        let (person, n) = (s.get(6)?, s.get(7)?);
                        cells.hold(slot, kind, person, n, &number);
                        cells.hold(slot + 1, kind, person, n, band);
                    }
                }
            } else if layout.known.contains(checklist) {
                note_unplaced(&mut unplaced, checklist, false, id);
            }
        }
        while let Some(&o) = outcome_rows.peek() {
            let no: i64 = o.get(0)?;
            if no > visit_no {
                break;
            }
            outcome_rows.next();
            if no != visit_no {
                continue;
            }
            let (checklist, id) = (text(o, 1), text(o, 2));
            if let Some(slot) = outcomes.slot(o.get(6)?, checklist, id) {
                let value = text(o, 3);
                match text(o, 4) {
                    "visit" => cells.add(slot, value),
                    kind => cells.hold(slot, kind, o.get(5)?, o.get(6)?, value),
                }
            } else if layout.known.contains(checklist) {
                note_unplaced(&mut unplaced, checklist, true, id);
            }
        }

        // The roster's ids as the ledger keeps them (schema 4), or from the
        // visit's document for a visit imported before.
        let stored = |i: usize| -> Option<Vec<i64>> {
            text_opt(&r, i).map(|s| {
                s.split(' ')
                    .filter_map(|x| x.parse().ok())
                    .collect::<Vec<i64>>()
            })
        };
        let at = 23 + findings::COLUMNS.len();
        let known = match (stored(at), stored(at + 1)) {
            (Some(children), Some(caregivers)) => Some([children, caregivers]),
            _ => None,
        };
        cells.settle(&mut || known.clone().or_else(|| roster_ids(conn, visit_no)));

        let start = body.len();
        let device = text(&r, 2);
        let (rank, name) = device_rank.get(device).copied().unwrap_or((usize::MAX, ""));
        let sequence: i64 = r.get(3)?;
        push_text_sep(&mut body, sep, text(&r, 1));
        body.push(sep);
        push_text_sep(&mut body, sep, device);
        body.push(sep);
        push_text_sep(&mut body, sep, name);
        let _ = write!(body, "{sep}{sequence}");
        for i in 4..9 {
            body.push(sep);
            push_text_sep(&mut body, sep, text(&r, i));
        }
        for i in 9..23 {
            let _ = write!(body, "{sep}{}", r.get::<i64>(i)?);
        }
        for (value, &is_number) in cells.values.iter().zip(numeric) {
            body.push(sep);
            if is_number {
                body.push_str(value);
            } else {
                push_text_sep(&mut body, sep, value);
            }
        }
        for i in 0..findings::COLUMNS.len() {
            body.push(sep);
            match r.0.get(23 + i) {
                Some(Value::Int(n)) => {
                    let _ = write!(body, "{n}");
                }
                Some(Value::Text(t)) => push_text_sep(&mut body, sep, t),
                _ => {}
            }
        }
        body.push_str("\r\n");
        rows.push(((rank, sequence), start..body.len()));
        Ok::<(), LedgerError>(())
    })?;
    Ok(CsvRows {
        body,
        rows,
        unplaced,
    })
}

/// A second connection to the ledger and the first visit number of the
/// second half of the visits.
type Halves = Option<(Ledger, i64)>;

/// The rows of every visit: in two halves on two threads when `halves` is
/// given (and handed back for another pass), else on this thread.
fn csv_parts(
    ledger: &Ledger,
    layout: &CsvLayout,
    halves: Halves,
) -> Result<(Vec<CsvRows>, Halves), LedgerError> {
    match halves {
        Some((other, middle)) => std::thread::scope(|s| {
            let later = s.spawn(move || {
                let rows = csv_rows(&other, layout, middle, i64::MAX);
                (rows, other)
            });
            let earlier = csv_rows(ledger, layout, i64::MIN, middle.saturating_sub(1));
            let (later, other) = later.join().map_err(|_| LedgerError::Internal)?;
            Ok((vec![earlier?, later?], Some((other, middle))))
        }),
        None => Ok((vec![csv_rows(ledger, layout, i64::MIN, i64::MAX)?], None)),
    }
}

/// A measure without a column, noted once.
fn note_unplaced(unplaced: &mut BTreeSet<Extra>, checklist: &str, not_score: bool, id: &str) {
    let seen = unplaced
        .iter()
        .any(|(c, n, i)| c == checklist && *n == not_score && i == id);
    if !seen {
        unplaced.insert((checklist.to_string(), not_score, id.to_string()));
    }
}

/// How a CSV file separates its cells and joins several values in one
/// cell (per child or caregiver).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub sep: char,
    pub join: char,
    /// Starts with a UTF-8 byte order mark.
    pub bom: bool,
}

/// `visits.csv`: RFC 4180, `,` between cells, `;` between the values of
/// one cell, no BOM.
pub const STANDARD: Dialect = Dialect {
    sep: ',',
    join: ';',
    bom: false,
};

/// `visits-excel.csv`: for a spreadsheet in a Dutch locale (Excel expects
/// `;` there and reads a file without a BOM as ANSI): `;` between cells,
/// `|` between the values of one cell, a UTF-8 BOM first.
pub const EXCEL: Dialect = Dialect {
    sep: ';',
    join: '|',
    bom: true,
};

/// The spreadsheet variant's file name.
pub const EXCEL_FILE: &str = "visits-excel.csv";

/// What the office knows and wants beside the ledger: the checklists it
/// knows (bundled, and any `--checklists DIR` of the import: only their
/// scores and outcomes get CSV columns), and whether `visits-excel.csv`
/// is written (asked once with `--excel`, it is kept up to date after).
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// `None`: the bundled checklists.
    pub catalog: Option<std::sync::Arc<Catalog>>,
    pub excel: bool,
}

/// `visits.csv` and its number of rows. The visits are split in two by
/// visit number and their rows built on two threads (the second over a
/// connection of its own, `second`), then put in output order: by device
/// name, device id and sequence number.
pub fn csv(ledger: &Ledger, second: Option<Ledger>) -> Result<(String, usize), LedgerError> {
    csv_with(ledger, second, &Catalog::bundled(), STANDARD)
}

/// [`csv`] for the checklists of `catalog`, in `dialect`.
pub fn csv_with(
    ledger: &Ledger,
    second: Option<Ledger>,
    catalog: &Catalog,
    dialect: Dialect,
) -> Result<(String, usize), LedgerError> {
    let count: i64 = ledger.conn().one("SELECT count(*) FROM visits", p![])?;
    let middle: Option<i64> = match &second {
        Some(_) if count >= 2 => ledger
            .conn()
            .query_opt(
                "SELECT visit_no FROM visits ORDER BY visit_no LIMIT 1 OFFSET ?1",
                p![count / 2],
            )?
            .map(|r| r.get(0))
            .transpose()?,
        _ => None,
    };
    let halves = middle.and_then(|m| second.map(|other| (other, m)));
    // The bundled checklists' columns first. Measures of other checklists
    // (an organisation's own) are met while the rows are built; only then
    // are the rows built again, with their columns.
    let layout = CsvLayout::read(ledger, BTreeSet::new(), catalog, dialect)?;
    let (mut parts, halves) = csv_parts(ledger, &layout, halves)?;
    let unplaced: BTreeSet<Extra> = parts
        .iter_mut()
        .flat_map(|p| std::mem::take(&mut p.unplaced))
        .collect();
    let layout = if unplaced.is_empty() {
        layout
    } else {
        let layout = CsvLayout::read(ledger, unplaced, catalog, dialect)?;
        parts = csv_parts(ledger, &layout, halves)?.0;
        layout
    };
    let mut rows: Vec<((usize, i64), usize, std::ops::Range<usize>)> = parts
        .iter()
        .enumerate()
        .flat_map(|(part, p)| p.rows.iter().map(move |(key, r)| (*key, part, r.clone())))
        .collect();
    rows.sort_by_key(|row| row.0);

    let size: usize = parts.iter().map(|p| p.body.len()).sum();
    let mut out = String::with_capacity(size + 4096);
    if dialect.bom {
        out.push('\u{FEFF}');
    }
    for (i, h) in layout.head.iter().enumerate() {
        if i > 0 {
            out.push(dialect.sep);
        }
        push_text_sep(&mut out, dialect.sep, h);
    }
    out.push_str("\r\n");
    for (_, part, range) in &rows {
        out.push_str(&parts[*part].body[range.clone()]);
    }
    Ok((out, rows.len()))
}

/// A gap: sequence numbers of a device that have not arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub device_id: String,
    pub device_name: String,
    pub first: u64,
    pub last: u64,
}

impl Gap {
    pub fn describe(&self, lang: Lang) -> String {
        let range = if self.first == self.last {
            self.first.to_string()
        } else {
            format!("{}–{}", self.first, self.last)
        };
        let plural = self.first != self.last;
        match lang {
            Lang::Nl => format!(
                "apparaat {} ({}): {} {range} {} niet aangekomen",
                clean(&self.device_name),
                self.device_id,
                if plural { "bezoeken" } else { "bezoek" },
                if plural { "zijn" } else { "is" }
            ),
            Lang::En => format!(
                "device {} ({}): {} {range} {} not arrived",
                clean(&self.device_name),
                self.device_id,
                if plural { "visits" } else { "visit" },
                if plural { "have" } else { "has" }
            ),
        }
    }
}

/// The missing ranges of ascending `sequences`, from 1 to the highest.
pub fn missing_ranges(sequences: &[u64]) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut expected = 1u64;
    for &s in sequences {
        if s > expected {
            out.push((expected, s - 1));
        }
        expected = expected.max(s.saturating_add(1));
    }
    out
}

/// Every gap in the ledger, by device.
pub fn gaps(ledger: &Ledger) -> Result<Vec<Gap>, LedgerError> {
    let mut out = Vec::new();
    for (device_id, (name, seqs)) in ledger.sequences()? {
        for (first, last) in missing_ranges(&seqs) {
            out.push(Gap {
                device_id: device_id.clone(),
                device_name: name.clone(),
                first,
                last,
            });
        }
    }
    Ok(out)
}

/// The parts of `before` that are no longer missing in `after`.
pub fn closed_gaps(before: &[Gap], after: &[Gap]) -> Vec<Gap> {
    let mut out = Vec::new();
    for g in before {
        let still: Vec<&Gap> = after
            .iter()
            .filter(|a| a.device_id == g.device_id && a.last >= g.first && a.first <= g.last)
            .collect();
        let mut next = g.first;
        for a in still {
            if a.first > next {
                out.push(Gap {
                    last: a.first - 1,
                    first: next,
                    ..g.clone()
                });
            }
            next = a.last.saturating_add(1);
        }
        if next <= g.last {
            out.push(Gap {
                first: next,
                ..g.clone()
            });
        }
    }
    out
}

/// Whether `c` must not reach a terminal, a text file or a spreadsheet
/// as it is: a control character (Unicode Cc), a format character (Cf:
/// the bidi controls U+200E/F, U+202A–202E, U+2066–2069, U+061C, zero
/// widths, the BOM, tags …) or a line or paragraph separator.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0001}'
                | '\u{E0020}'..='\u{E007F}'
        )
}

/// Text from a record or bundle, safe for a terminal: control, bidi and
/// other format characters escaped (`\u{1b}`, `\u{202e}`).
pub fn clean(s: &str) -> String {
    cleaned(s).into_owned()
}

/// [`clean`], borrowing when there is nothing to escape.
pub fn cleaned(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else if is_unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn person(kind: &str, id: Option<i64>, lang: Lang) -> String {
    match (kind, id) {
        ("child", Some(i)) => format!("{} {i}", lang.pick("kind", "child")),
        ("caregiver", Some(i)) => format!("{} {i}", lang.pick("ouder/verzorger", "caregiver")),
        _ => String::new(),
    }
}

/// `summary.txt`: acute red flags first, then gaps, conflicts and refused
/// input, then counts per device.
pub fn summary(ledger: &Ledger, lang: Lang) -> Result<String, LedgerError> {
    let conn = ledger.conn();
    let nl = lang == Lang::Nl;
    let mut out = String::new();
    let updated: Option<String> = conn.one("SELECT max(seen_at) FROM bundles", p![])?;
    let visits: i64 = conn.one("SELECT count(*) FROM visits", p![])?;
    let _ = writeln!(
        out,
        "{}",
        lang.pick(
            "safevisit — overzicht voor kantoor",
            "safevisit — office summary"
        )
    );
    let (open, closed) = crate::supervisor::cases::counts(ledger)?;
    let _ = writeln!(
        out,
        "{}: {}    {}: {visits}    {}: {open} {}, {closed} {}",
        lang.pick("Laatste import", "Last import"),
        updated.unwrap_or_else(|| "-".into()),
        lang.pick("bezoeken", "visits"),
        lang.pick("casussen", "cases"),
        lang.pick("open", "open"),
        lang.pick("gesloten", "closed"),
    );
    let _ = writeln!(
        out,
        "{}\n",
        lang.pick(
            "Scores en uitkomsten zijn beslisondersteuning, geen besluit.",
            "Scores and outcomes are decision support, not a decision."
        )
    );

    unsigned_section(conn, lang, &mut out)?;

    // Acute red flags, those of versions kept aside as conflicts too
    // (marked): a conflict never hides an acute flag.
    let st = "SELECT v.date, d.name, v.sequence, v.visit_id, v.label, f.checklist, f.flag,
                f.person_kind, f.person_id, f.message_nl, f.message_en, f.acknowledged_at,
                NULL AS conflict, f.n, NULL AS conflict_id
         FROM red_flags f JOIN visits v ON v.visit_no = f.visit_no
              JOIN devices d ON d.device_id = v.device_id
         WHERE f.level = 'acute' AND f.state = 'active'
         UNION ALL
         SELECT coalesce(c.date, '?'), coalesce(d.name, c.device_id), c.sequence, c.visit_id,
                coalesce(c.label, ''), f.checklist, f.flag, f.person_kind, f.person_id,
                f.message_nl, f.message_en, f.acknowledged_at, c.kind, f.n, c.conflict_id
         FROM conflict_flags f JOIN conflicts c ON c.conflict_id = f.conflict_id
              LEFT JOIN devices d ON d.device_id = c.device_id
         WHERE f.level = 'acute' AND f.state = 'active'
         ORDER BY 1 DESC, 2, 3, 13 NULLS FIRST, 15 NULLS FIRST, 4, 14";
    let mut lines = Vec::new();
    for r in conn.query(st, p![])? {
        let who = person(&r.get::<String>(7)?, r.get(8)?, lang);
        let message: String = if nl { r.get(9)? } else { r.get(10)? };
        let ack: Option<String> = r.get(11)?;
        let conflict = match r.get::<Option<String>>(12)?.as_deref() {
            None => "",
            Some("same_visit") => lang.pick(
                "  [conflict: twee versies van dit bezoek]",
                "  [conflict: two versions of this visit]",
            ),
            Some(_) => lang.pick(
                "  [conflict: twee bezoeken claimen dit volgnummer]",
                "  [conflict: two visits claim this number]",
            ),
        };
        lines.push(format!(
            "  {}  {} #{}  {}  \"{}\"  {}/{}{}: {}{}{conflict}",
            clean(&r.get::<String>(0)?),
            clean(&r.get::<String>(1)?),
            r.get::<i64>(2)?,
            r.get::<String>(3)?,
            clean(&r.get::<String>(4)?),
            clean(&r.get::<String>(5)?),
            clean(&r.get::<String>(6)?),
            if who.is_empty() {
                String::new()
            } else {
                format!(" ({who})")
            },
            clean(&message),
            if ack.is_none() {
                lang.pick("  [niet bevestigd]", "  [not acknowledged]")
            } else {
                ""
            }
        ));
    }
    section(
        &mut out,
        lang,
        lang.pick("ACUTE SIGNALEN", "ACUTE RED FLAGS"),
        &lines,
    );

    // Cases: worse since the visit before, and evaluations overdue.
    let (worsened, overdue) = crate::supervisor::cases::summary_sections(ledger, lang)?;
    section(
        &mut out,
        lang,
        lang.pick(
            "CASUSSEN: SITUATIE VERSLECHTERD (oordeel of risico richting onveilig sinds het bezoek ervoor)",
            "CASES: SITUATION WORSENED (verdict or risk towards unsafe since the visit before)",
        ),
        &worsened,
    );
    section(
        &mut out,
        lang,
        lang.pick(
            "CASUSSEN: EVALUATIE VERSTREKEN",
            "CASES: EVALUATION OVERDUE",
        ),
        &overdue,
    );

    // Lapsed and withdrawn flags: not counted, listed apart.
    let st = "SELECT v.date, d.name, v.sequence, v.visit_id, f.checklist, f.flag, f.level, f.state,
                f.state_at
         FROM red_flags f JOIN visits v ON v.visit_no = f.visit_no
              JOIN devices d ON d.device_id = v.device_id
         WHERE f.state <> 'active'
         ORDER BY v.date DESC, d.name, v.sequence, v.visit_no, f.n";
    let mut lines = Vec::new();
    for r in conn.query(st, p![])? {
        let state = match (r.get::<String>(7)?.as_str(), nl) {
            ("lapsed", true) => "vervallen",
            ("withdrawn", true) => "ingetrokken (vergissing)",
            ("lapsed", false) => "lapsed",
            ("withdrawn", false) => "withdrawn (mistake)",
            (_, _) => "?",
        };
        let at: Option<String> = r.get(8)?;
        lines.push(format!(
            "  {}  {} #{}  {}  {}/{} [{}]: {state}{}",
            clean(&r.get::<String>(0)?),
            clean(&r.get::<String>(1)?),
            r.get::<i64>(2)?,
            r.get::<String>(3)?,
            clean(&r.get::<String>(4)?),
            clean(&r.get::<String>(5)?),
            clean(&r.get::<String>(6)?),
            at.map(|a| format!(" {}", clean(&a))).unwrap_or_default(),
        ));
    }
    section(
        &mut out,
        lang,
        lang.pick(
            "VERVALLEN EN INGETROKKEN SIGNALEN (niet meegeteld)",
            "LAPSED AND WITHDRAWN RED FLAGS (not counted)",
        ),
        &lines,
    );

    // Lists not taken and people removed: counts only (the reasons are the
    // worker's words and stay in the visit's JSON).
    let st = "SELECT v.date, d.name, v.sequence, v.visit_id, v.label, v.sheets_niet_aanwezig,
                v.sheets_bewust_niet, v.sheets_weigert, v.sheets_te_jong, v.people_removed
         FROM visits v JOIN devices d ON d.device_id = v.device_id
         WHERE v.sheets_niet_aanwezig + v.sheets_bewust_niet + v.sheets_weigert
               + v.sheets_te_jong + v.people_removed > 0
         ORDER BY v.date DESC, d.name, v.sequence, v.visit_no";
    let mut lines = Vec::new();
    for r in conn.query(st, p![])? {
        let names: [(&str, &str); 5] = [
            ("niet aanwezig", "not present"),
            ("bewust niet (veiligheid)", "deliberately not (safety)"),
            ("weigert", "declined"),
            ("buiten de leeftijdsgroepen", "outside the age groups"),
            ("uit het overzicht gehaald", "removed from the roster"),
        ];
        let mut parts = Vec::new();
        for (i, (nl_name, en_name)) in names.iter().enumerate() {
            let n: i64 = r.get(5 + i)?;
            if n > 0 {
                parts.push(format!("{} {n}", if nl { nl_name } else { en_name }));
            }
        }
        lines.push(format!(
            "  {}  {} #{}  {}  \"{}\"  {}",
            clean(&r.get::<String>(0)?),
            clean(&r.get::<String>(1)?),
            r.get::<i64>(2)?,
            r.get::<String>(3)?,
            clean(&r.get::<String>(4)?),
            parts.join(", "),
        ));
    }
    section(
        &mut out,
        lang,
        lang.pick(
            "LIJSTEN NIET AFGENOMEN (met de reden in het bezoek)",
            "LISTS NOT TAKEN (the reasons are in the visit)",
        ),
        &lines,
    );

    // Gaps.
    let gaps = gaps(ledger)?;
    let lines: Vec<String> = gaps
        .iter()
        .map(|g| format!("  {}", g.describe(lang)))
        .collect();
    section(
        &mut out,
        lang,
        lang.pick("ONTBREKENDE BEZOEKEN", "GAPS"),
        &lines,
    );

    // Follow-ups whose previous visit has not arrived (like a gap).
    let lines: Vec<String> = ledger
        .missing_previous()?
        .iter()
        .map(|m| format!("  {}", crate::supervisor::cases::describe_missing(m, lang)))
        .collect();
    section(
        &mut out,
        lang,
        lang.pick("VORIG BEZOEK ONTBREEKT", "PREVIOUS VISIT MISSING"),
        &lines,
    );

    // Conflicts, with both versions: the one in the ledger and the one
    // kept aside.
    let st = "SELECT c.conflict_id, c.visit_id, coalesce(d.name, c.device_id), c.sequence, c.kind,
                c.found_at, b.file_name, c.date, c.finalized_at, c.flags_acute,
                v.visit_id, coalesce(dv.name, v.device_id), v.date, v.finalized_at,
                v.imported_at, v.flags_acute
         FROM conflicts c JOIN bundles b ON b.bundle_id = c.bundle_id
              LEFT JOIN devices d ON d.device_id = c.device_id
              LEFT JOIN visits v ON (c.kind = 'same_visit' AND v.visit_id = c.visit_id)
                   OR (c.kind = 'same_sequence' AND v.device_id = c.device_id
                       AND v.sequence = c.sequence)
              LEFT JOIN devices dv ON dv.device_id = v.device_id
         ORDER BY c.conflict_id";
    let mut lines = Vec::new();
    for r in conn.query(st, p![])? {
        let same_visit = r.get::<String>(4)? == "same_visit";
        let what = match (nl, same_visit) {
            (true, true) => "een andere versie van een al geïmporteerd bezoek",
            (true, false) => "een ander bezoek met een volgnummer dat al bestaat",
            (false, true) => "a different copy of a visit already imported",
            (false, false) => "another visit under a sequence number already taken",
        };
        lines.push(format!(
            "  #{} {} ({} #{}): {what}; {} {} ({}); {}",
            r.get::<i64>(0)?,
            r.get::<String>(1)?,
            clean(&r.get::<String>(2)?),
            r.get::<i64>(3)?,
            lang.pick("in bundel", "in bundle"),
            clean(&r.get::<String>(6)?),
            r.get::<String>(5)?,
            lang.pick(
                "apart bewaard in de tabel conflicts, niet samengevoegd",
                "kept aside in the conflicts table, not merged"
            ),
        ));
        let text = |i: usize| -> Result<String, LedgerError> {
            Ok(clean(
                &r.get::<Option<String>>(i)?.unwrap_or_else(|| "?".into()),
            ))
        };
        let version = |label: (&str, &str),
                       id: String,
                       device: String,
                       date: String,
                       finalized: String,
                       arrived: (&str, &str, String),
                       acute: i64| {
            format!(
                "      {}: {} {id}, {} {device}, {} {date}, {} {finalized}, {} {}, {acute} {}",
                lang.pick(label.0, label.1),
                lang.pick("bezoek", "visit"),
                lang.pick("apparaat", "device"),
                lang.pick("datum", "date"),
                lang.pick("afgerond", "finalized"),
                lang.pick(arrived.0, arrived.1),
                arrived.2,
                lang.pick("acute signalen", "acute red flags"),
            )
        };
        let ledger_version = version(
            ("in het overzicht", "in the ledger"),
            text(10)?,
            text(11)?,
            text(12)?,
            text(13)?,
            ("geïmporteerd", "imported", text(14)?),
            r.get::<Option<i64>>(15)?.unwrap_or(0),
        );
        let aside = version(
            ("apart bewaard", "kept aside"),
            text(1)?,
            text(2)?,
            text(7)?,
            text(8)?,
            ("gevonden", "found", text(5)?),
            r.get::<Option<i64>>(9)?.unwrap_or(0),
        );
        // One entry of three lines (the section counts conflicts).
        if let Some(entry) = lines.last_mut() {
            entry.push('\n');
            entry.push_str(&ledger_version);
            entry.push('\n');
            entry.push_str(&aside);
        }
    }
    section(&mut out, lang, lang.pick("CONFLICTEN", "CONFLICTS"), &lines);

    // Refused input not made good since.
    let mut lines = Vec::new();
    let st = "SELECT b.seen_at, b.file_name, b.reason, b.reason_nl FROM bundles b
         WHERE b.outcome = 'rejected'
         AND b.bundle_id = (SELECT min(x.bundle_id) FROM bundles x
                            WHERE x.sha256 = b.sha256 AND x.outcome = 'rejected')
         AND NOT EXISTS (
             SELECT 1 FROM bundles later WHERE later.sha256 = b.sha256
             AND later.outcome IN ('imported', 'partly', 'known'))
         ORDER BY b.bundle_id";
    for r in conn.query(st, p![])? {
        let reason: Option<String> = if nl { r.get(3)? } else { r.get(2)? };
        lines.push(format!(
            "  {}  {}: {}",
            r.get::<String>(0)?,
            clean(&r.get::<String>(1)?),
            clean(&reason.unwrap_or_default())
        ));
    }
    let st = "SELECT b.seen_at, b.file_name, r.reason, r.reason_nl FROM rejections r
              JOIN bundles b ON b.bundle_id = r.bundle_id
         WHERE r.visit_id IS NULL OR r.visit_id NOT IN (SELECT visit_id FROM visits)
         ORDER BY r.rejection_id";
    for r in conn.query(st, p![])? {
        let reason: String = if nl { r.get(3)? } else { r.get(2)? };
        lines.push(format!(
            "  {}  {}: {}",
            r.get::<String>(0)?,
            clean(&r.get::<String>(1)?),
            clean(&reason)
        ));
    }
    section(&mut out, lang, lang.pick("AFGEWEZEN", "REJECTED"), &lines);

    // Per device.
    let mut missing: BTreeMap<String, u64> = BTreeMap::new();
    for g in &gaps {
        *missing.entry(g.device_id.clone()).or_default() += g.last - g.first + 1;
    }
    let st = "SELECT d.device_id, d.name, d.first_seen, d.last_seen,
                count(v.visit_id), coalesce(max(v.sequence), 0), CAST(coalesce(sum(v.flags_acute), 0) AS BIGINT),
                d.revoked_since
         FROM devices d LEFT JOIN visits v ON v.device_id = d.device_id
         GROUP BY d.device_id ORDER BY d.name, d.device_id";
    let _ = writeln!(out, "{}", lang.pick("PER APPARAAT", "PER DEVICE"));
    let mut any = false;
    for r in conn.query(st, p![])? {
        any = true;
        let id: String = r.get(0)?;
        let _ = writeln!(
            out,
            "  {} ({id}): {} {}, {} {}, {} {}, {} {}; {} {} – {}",
            clean(&r.get::<String>(1)?),
            r.get::<i64>(4)?,
            lang.pick("bezoeken", "visits"),
            lang.pick("hoogste volgnummer", "highest sequence"),
            r.get::<i64>(5)?,
            missing.get(&id).copied().unwrap_or(0),
            lang.pick("ontbrekend", "missing"),
            r.get::<i64>(6)?,
            lang.pick("acute signalen", "acute red flags"),
            lang.pick("gezien", "seen"),
            r.get::<String>(2)?,
            r.get::<String>(3)?,
        );
        if let Some(since) = r.get::<Option<String>>(7)? {
            let _ = writeln!(
                out,
                "    {} {since} {}",
                lang.pick("INGETROKKEN: bundels vanaf", "REVOKED: bundles made from"),
                lang.pick("worden afgewezen", "on are rejected")
            );
        }
    }
    if !any {
        let _ = writeln!(out, "  {}", lang.pick("geen", "none"));
    }
    Ok(out)
}

/// `NIET ONDERTEKEND / UNSIGNED`: bundles accepted without a signature
/// (`--allow-unsigned`) and the visits they brought, at the top of the
/// summary; nothing when there are none.
fn unsigned_section(conn: &Db, lang: Lang, out: &mut String) -> Result<(), LedgerError> {
    let st = "SELECT b.bundle_id, b.seen_at, b.file_name, b.device_id, d.name
         FROM bundles b LEFT JOIN devices d ON d.device_id = b.device_id
         WHERE b.signature = 'unsigned'
         ORDER BY b.bundle_id";
    let mut lines = Vec::new();
    for r in conn.query(st, p![])? {
        // The bundle's visits, `id #sequence`, joined here (the databases
        // name their joining function differently).
        let mut listed = Vec::new();
        for v in conn.query(
            "SELECT visit_id, sequence FROM visits WHERE bundle_id = ?1 ORDER BY sequence, visit_no",
            p![r.get::<i64>(0)?],
        )? {
            listed.push(format!("{} #{}", v.get::<String>(0)?, v.get::<i64>(1)?));
        }
        let visits: Option<String> = (!listed.is_empty()).then(|| listed.join(", "));
        lines.push(format!(
            "  {}  {} ({} {}, {}): {}: {}",
            r.get::<String>(1)?,
            clean(&r.get::<String>(2)?),
            lang.pick("apparaat", "device"),
            clean(&r.get::<Option<String>>(4)?.unwrap_or_default()),
            r.get::<Option<String>>(3)?.unwrap_or_default(),
            lang.pick("bezoeken", "visits"),
            visits
                .as_deref()
                .map(clean)
                .unwrap_or_else(|| lang.pick("geen nieuwe", "none new").into()),
        ));
    }
    if lines.is_empty() {
        return Ok(());
    }
    let _ = writeln!(
        out,
        "{} ({})\n  {}",
        lang.pick("NIET ONDERTEKEND", "UNSIGNED"),
        lines.len(),
        lang.pick(
            "Zonder handtekening aangenomen (--allow-unsigned): wie deze bundels maakte is niet vastgesteld. \
             Controleer de bezoeken bij de medewerker; laat de laptops bijwerken en inschrijven.",
            "Accepted without a signature (--allow-unsigned): who made these bundles is not established. \
             Check the visits with the worker; have the laptops updated and enrolled."
        )
    );
    for l in &lines {
        let _ = writeln!(out, "{l}");
    }
    out.push('\n');
    Ok(())
}

/// One part of the summary: its title with a count, its lines (or "geen"),
/// and a blank line.
fn section(out: &mut String, lang: Lang, title: &str, lines: &[String]) {
    let _ = writeln!(out, "{title} ({})", lines.len());
    if lines.is_empty() {
        let _ = writeln!(out, "  {}", lang.pick("geen", "none"));
    }
    for l in lines {
        let _ = writeln!(out, "{l}");
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_of_missing_numbers() {
        assert_eq!(missing_ranges(&[]), vec![]);
        assert_eq!(missing_ranges(&[1, 2, 3]), vec![]);
        assert_eq!(missing_ranges(&[3]), vec![(1, 2)]);
        assert_eq!(missing_ranges(&[1, 2, 5, 6, 9]), vec![(3, 4), (7, 8)]);
    }

    #[test]
    fn closed_gaps_are_what_arrived() {
        let g = |first, last| Gap {
            device_id: "d".into(),
            device_name: "laptop-3".into(),
            first,
            last,
        };
        assert_eq!(closed_gaps(&[g(14, 15)], &[]), vec![g(14, 15)]);
        assert_eq!(closed_gaps(&[g(14, 15)], &[g(15, 15)]), vec![g(14, 14)]);
        assert_eq!(
            closed_gaps(&[g(10, 20)], &[g(12, 13), g(18, 18)]),
            vec![g(10, 11), g(14, 17), g(19, 20)]
        );
        assert_eq!(closed_gaps(&[g(14, 15)], &[g(14, 15)]), vec![]);
        assert_eq!(
            g(14, 15).describe(Lang::En),
            "device laptop-3 (d): visits 14–15 have not arrived"
        );
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_disarmed() {
        let mut s = String::new();
        push_text(&mut s, "Appelboom, Lotte");
        s.push('|');
        push_text(&mut s, "=HYPERLINK(\"x\")");
        s.push('|');
        push_text(&mut s, "gewoon");
        assert_eq!(s, "\"Appelboom, Lotte\"|\"'=HYPERLINK(\"\"x\"\")\"|gewoon");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(clean("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(clean("Noor"), "Noor");
    }
}
