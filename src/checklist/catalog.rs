//! The checklists offered to a worker: the bundled defaults, embedded in the
//! binary, plus an organisation's folder that adds checklists or replaces a
//! bundled one by a higher version. A file that fails validation is never
//! offered; it is named with its first error and the others still load.

use std::collections::HashMap;
use std::sync::Arc;

use crate::checklist::diagnostic::Diagnostic;
use crate::checklist::load::{parse_file, read_file};
use crate::checklist::model::{Checklist, Origin};
use crate::checklist::resolve::resolve;

/// The bundled checklist files, embedded at build time from `checklists/`.
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "veiligheid.toml",
        include_str!("../../checklists/veiligheid.toml"),
    ),
    (
        "trauma-kind.toml",
        include_str!("../../checklists/trauma-kind.toml"),
    ),
    (
        "trauma-ouder.toml",
        include_str!("../../checklists/trauma-ouder.toml"),
    ),
    (
        "gezinsanalyse.toml",
        include_str!("../../checklists/gezinsanalyse.toml"),
    ),
    (
        "hulp-en-regie.toml",
        include_str!("../../checklists/hulp-en-regie.toml"),
    ),
];

/// A checklist file to load.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name used in messages (a path, or `bundled:<file>`).
    pub path: String,
    pub bytes: Vec<u8>,
    pub origin: Origin,
}

impl SourceFile {
    pub fn bundled() -> Vec<SourceFile> {
        BUNDLED
            .iter()
            .map(|(name, text)| SourceFile {
                path: format!("bundled:{name}"),
                bytes: text.as_bytes().to_vec(),
                origin: Origin::Bundled,
            })
            .collect()
    }
}

/// A file that was not loaded, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub path: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl Problem {
    /// The first error, as the app shows it.
    pub fn first(&self) -> String {
        self.diagnostics
            .first()
            .map_or_else(|| format!("{}: not loaded", self.path), |d| d.to_string())
    }
}

/// The checklists available for visits.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    checklists: Vec<Arc<Checklist>>,
    /// Files that failed validation.
    pub problems: Vec<Problem>,
    /// Files that were valid but not used (a version not above the one in use).
    pub notes: Vec<String>,
}

impl Catalog {
    /// Only the bundled checklists.
    pub fn bundled() -> Catalog {
        Catalog::build(SourceFile::bundled(), Vec::new())
    }

    /// The bundled checklists, with an organisation's files on top.
    pub fn build(bundled: Vec<SourceFile>, extra: Vec<SourceFile>) -> Catalog {
        let mut problems = Vec::new();
        let mut notes = Vec::new();
        // Candidates per id, best first: organisation files only win with a
        // higher version than the bundled one.
        let mut candidates: HashMap<String, Vec<Checklist>> = HashMap::new();
        let mut order: Vec<String> = Vec::new();
        // Files parse independently: use every core.
        use rayon::prelude::*;
        let files: Vec<SourceFile> = bundled.into_iter().chain(extra).collect();
        let parsed: Vec<(SourceFile, Result<Checklist, Vec<Diagnostic>>)> = files
            .into_par_iter()
            .map(|file| {
                let r = parse_file(&file.path, &file.bytes, file.origin.clone());
                (file, r)
            })
            .collect();
        for (file, result) in parsed {
            match result {
                Ok(c) => {
                    if !candidates.contains_key(&c.id) {
                        order.push(c.id.clone());
                    }
                    candidates.entry(c.id.clone()).or_default().push(c);
                }
                Err(diagnostics) => problems.push(Problem {
                    path: file.path,
                    diagnostics,
                }),
            }
        }
        for list in candidates.values_mut() {
            // Highest version first; on a tie the bundled file stays.
            list.sort_by(|a, b| {
                b.version
                    .cmp(&a.version)
                    .then_with(|| (a.origin != Origin::Bundled).cmp(&(b.origin != Origin::Bundled)))
            });
            for loser in list.iter().skip(1) {
                notes.push(format!(
                    "{}: `{}` version {} is not used; version {} from {} is",
                    loser.path, loser.id, loser.version, list[0].version, list[0].path
                ));
            }
        }
        loop {
            // The best candidate of each id, in the order the ids came.
            let active: Vec<Checklist> = order
                .iter()
                .filter_map(|id| {
                    candidates
                        .get_mut(id)
                        .filter(|l| !l.is_empty())
                        .map(|l| l.remove(0))
                })
                .collect();
            let paths: Vec<String> = active.iter().map(|c| c.path.clone()).collect();
            let (ok, diagnostics) = resolve(active);
            if diagnostics.is_empty() {
                let mut checklists: Vec<Arc<Checklist>> = ok.into_iter().map(Arc::new).collect();
                checklists.sort_by_key(|c| order.iter().position(|id| *id == c.id));
                return Catalog {
                    checklists,
                    problems,
                    notes,
                };
            }
            // Report each failed file; the next best candidate of its id (if
            // any) takes its place in the next round. The checklists that
            // passed go back to the front of their lists.
            let mut by_path: HashMap<String, Vec<Diagnostic>> = HashMap::new();
            for d in diagnostics {
                by_path.entry(d.path.clone()).or_default().push(d);
            }
            for c in ok {
                if let Some(l) = candidates.get_mut(&c.id) {
                    l.insert(0, c);
                }
            }
            for path in paths {
                if let Some(diagnostics) = by_path.remove(&path) {
                    problems.push(Problem { path, diagnostics });
                }
            }
        }
    }

    pub fn all(&self) -> &[Arc<Checklist>] {
        &self.checklists
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Checklist>> {
        self.checklists.iter().find(|c| c.id == id)
    }
}

/// Validate files as an author does: each file on its own and together with
/// the bundled checklists (which the files replace, whatever their version).
/// Returns every problem in the given files.
pub fn validate(files: Vec<SourceFile>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut parsed: Vec<Checklist> = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for f in &files {
        let (checklist, diagnostics) = read_file(&f.path, &f.bytes, f.origin.clone());
        out.extend(diagnostics);
        let Some(c) = checklist else { continue };
        if let Some(other) = seen.get(&c.id) {
            out.push(Diagnostic {
                path: f.path.clone(),
                line: 1,
                column: 1,
                message: format!("checklist id `{}` is also used by {other}", c.id),
                help: Some("every checklist needs an id of its own".into()),
            });
            continue;
        }
        seen.insert(c.id.clone(), f.path.clone());
        parsed.push(c);
    }
    let given: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    for b in SourceFile::bundled() {
        if let Ok(c) = parse_file(&b.path, &b.bytes, b.origin)
            && !seen.contains_key(&c.id)
        {
            parsed.push(c);
        }
    }
    let (_, diagnostics) = resolve(parsed);
    out.extend(diagnostics.into_iter().filter(|d| given.contains(&d.path)));
    // Per file, in the order of the file; each problem once.
    out.sort_by(|a, b| {
        let pa = given.iter().position(|p| *p == a.path);
        let pb = given.iter().position(|p| *p == b.path);
        (pa, a.line, a.column).cmp(&(pb, b.line, b.column))
    });
    out.dedup();
    out
}
