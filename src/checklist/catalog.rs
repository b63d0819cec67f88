//! The checklists offered to a worker: the bundled defaults, embedded in the
//! binary, plus an organisation's folder that adds checklists or replaces a
//! bundled one by a higher version. A file that fails validation is never
//! offered; it is named with its first error and the others still load.

use std::collections::HashMap;
use std::sync::Arc;

use crate::checklist::diagnostic::{Diagnostic, Location, Msg, Severity, codes};
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
    /// The first error, as the app shows it (in English).
    pub fn first(&self) -> String {
        self.first_in(crate::i18n::Lang::En)
    }

    /// The first error in `lang`.
    pub fn first_in(&self, lang: crate::i18n::Lang) -> String {
        self.diagnostics.first().map_or_else(
            || format!("{}: {}", self.path, lang.pick("niet geladen", "not loaded")),
            |d| d.short(lang),
        )
    }
}

/// The checklists available for visits.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    checklists: Vec<Arc<Checklist>>,
    /// Files that failed validation.
    pub problems: Vec<Problem>,
    /// Files that were valid but not used (a version not above the one in
    /// use), with what to do about it.
    pub notes: Vec<Msg>,
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
            let winner = &list[0];
            for loser in list.iter().skip(1) {
                let (id, v, w) = (&loser.id, loser.version, winner.version);
                let mut note = Msg::new(
                    format!(
                        "{}: `{id}` versie {v} wordt niet gebruikt; versie {w} uit {} wel",
                        loser.path, winner.path
                    ),
                    format!(
                        "{}: `{id}` version {v} is not used; version {w} from {} is",
                        loser.path, winner.path
                    ),
                );
                if v == w && loser.hash != winner.hash {
                    // Two different files claim the same id and version: a
                    // visit's stamp could not tell which wording it used.
                    note = note.suffixed(
                        &format!(
                            " (let op: een andere inhoud met hetzelfde versienummer; verhoog `version` naar {})",
                            w + 1
                        ),
                        &format!(
                            " (warning: different content with the same version; raise `version` to {})",
                            w + 1
                        ),
                    );
                }
                notes.push(note);
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
    validate_in_context(files, Vec::new())
}

/// Validate `given` files together with what they will ship with: the
/// bundled checklists and the organisation's `context` files. The given
/// files replace checklists of the same id, whatever their version (the
/// author means to ship them). Reported: every problem in the given files;
/// a checklist of the context that loads without them but not with them
/// (an error in the given file that broke it, naming both); and where a
/// given file would not be used as the author expects (a version not above
/// the one in use, or the same version with other content).
pub fn validate_in_context(given: Vec<SourceFile>, context: Vec<SourceFile>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut parsed: Vec<Checklist> = Vec::new();
    let given_paths: Vec<String> = given.iter().map(|f| f.path.clone()).collect();
    for f in &given {
        let (checklist, diagnostics) = read_file(&f.path, &f.bytes, f.origin.clone());
        out.extend(diagnostics);
        let Some(c) = checklist else { continue };
        if let Some(first) = parsed.iter().find(|p| p.id == c.id) {
            out.push(
                Diagnostic::at(
                    Location::of(&c.path, &c.source, c.id_span.clone()),
                    codes::ID_TWICE,
                    Msg::new(
                        format!("checklist-id `{}` staat ook in {}", c.id, first.path),
                        format!("checklist id `{}` is also used by {}", c.id, first.path),
                    ),
                )
                .with_help(Msg::new(
                    "elke checklist heeft een eigen id nodig",
                    "every checklist needs an id of its own",
                ))
                .with_secondary(
                    Location::of(&first.path, &first.source, first.id_span.clone()),
                    Msg::new("hier al gebruikt", "first used here"),
                ),
            );
            continue;
        }
        parsed.push(c);
    }
    // The rest as the catalog would choose it: per id the highest version,
    // the bundled file on a tie. Files of the context that do not load on
    // their own are not the author's concern here.
    let mut others: Vec<Checklist> = Vec::new();
    for f in SourceFile::bundled().into_iter().chain(context) {
        if given_paths.contains(&f.path) {
            continue;
        }
        if let Ok(c) = parse_file(&f.path, &f.bytes, f.origin) {
            others.push(c);
        }
    }
    out.extend(version_notes(&parsed, &others));
    let chosen = choose(others);
    let (_, baseline) = resolve(chosen.clone());
    let failed_before: Vec<String> = baseline.iter().map(|d| d.path.clone()).collect();
    let given_ids: Vec<(String, String, std::ops::Range<usize>, Arc<str>)> = parsed
        .iter()
        .map(|c| {
            (
                c.id.clone(),
                c.path.clone(),
                c.id_span.clone(),
                c.source.clone(),
            )
        })
        .collect();
    let mut set = parsed;
    set.extend(
        chosen
            .into_iter()
            .filter(|c| !given_ids.iter().any(|g| g.0 == c.id)),
    );
    let context_of: HashMap<String, Checklist> =
        set.iter().map(|c| (c.path.clone(), c.clone())).collect();
    let (_, diagnostics) = resolve(set);
    let mut broken: Vec<(String, Vec<Diagnostic>)> = Vec::new();
    for d in diagnostics {
        if given_paths.contains(&d.path) {
            out.push(d);
        } else if !failed_before.contains(&d.path) {
            match broken.iter_mut().find(|(p, _)| *p == d.path) {
                Some((_, v)) => v.push(d),
                None => broken.push((d.path.clone(), vec![d])),
            }
        }
    }
    let erroneous: Vec<String> = out
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.path.clone())
        .collect();
    for (path, diagnostics) in broken {
        let Some(other) = context_of.get(&path) else {
            continue;
        };
        // Blame the given files it names in a qualified reference; one that
        // has errors of its own explains the breakage already.
        let named: Vec<&(String, String, std::ops::Range<usize>, Arc<str>)> = given_ids
            .iter()
            .filter(|g| other.source.contains(&format!("{}.", g.0)))
            .collect();
        let blamed: Vec<_> = if named.is_empty() {
            given_ids.iter().collect()
        } else {
            named
        };
        for g in blamed {
            if erroneous.contains(&g.1) {
                continue;
            }
            let mut d = Diagnostic::at(
                Location::of(&g.1, &g.3, g.2.clone()),
                codes::BREAKS_OTHER,
                Msg::new(
                    format!(
                        "met dit bestand laadt checklist `{}` ({}) niet meer",
                        other.id, other.path
                    ),
                    format!(
                        "with this file, checklist `{}` ({}) no longer loads",
                        other.id, other.path
                    ),
                ),
            )
            .with_help(Msg::new(
                format!(
                    "houd wat `{}` gebruikt, of pas {} in dezelfde levering aan",
                    other.id, other.path
                ),
                format!(
                    "keep what `{}` uses, or change {} in the same release",
                    other.id, other.path
                ),
            ));
            for e in &diagnostics {
                d = d.with_secondary(e.location(), e.message.clone());
            }
            out.push(d);
        }
    }
    // Per file, in the order given; each problem once.
    out.sort_by(|a, b| {
        let pa = given_paths.iter().position(|p| *p == a.path);
        let pb = given_paths.iter().position(|p| *p == b.path);
        (pa, a.line, a.column).cmp(&(pb, b.line, b.column))
    });
    out.dedup();
    out
}

/// The best candidate per id, as `Catalog::build` picks it.
fn choose(all: Vec<Checklist>) -> Vec<Checklist> {
    let mut best: Vec<Checklist> = Vec::new();
    for c in all {
        match best.iter_mut().find(|b| b.id == c.id) {
            None => best.push(c),
            Some(b) => {
                let wins = c.version > b.version
                    || (c.version == b.version
                        && b.origin != Origin::Bundled
                        && c.origin == Origin::Bundled);
                if wins {
                    *b = c;
                }
            }
        }
    }
    best
}

/// Warnings and hints about the versions of the given checklists against
/// others of the same id (bundled, or in the organisation's folders).
fn version_notes(given: &[Checklist], others: &[Checklist]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for g in given {
        let at = Location::of(&g.path, &g.source, g.version_span.clone());
        for o in others.iter().filter(|o| o.id == g.id) {
            let there = Location::of(&o.path, &o.source, o.version_span.clone());
            let label = Msg::new(
                format!("versie {} van `{}`", o.version, o.id),
                format!("version {} of `{}`", o.version, o.id),
            );
            if o.version == g.version && o.hash != g.hash {
                let d = Diagnostic::at(
                    at.clone(),
                    codes::SAME_VERSION_DIFFERS,
                    Msg::new(
                        format!(
                            "`{}` versie {} staat ook in {}, met een andere inhoud",
                            g.id, g.version, o.path
                        ),
                        format!(
                            "`{}` version {} is also in {}, with different content",
                            g.id, g.version, o.path
                        ),
                    ),
                )
                .with_help(Msg::new(
                    format!(
                        "verhoog `version` naar {} (anders is niet te zeggen welke tekst een bezoek gebruikte)",
                        o.version.max(g.version) + 1
                    ),
                    format!(
                        "raise `version` to {} (otherwise no one can tell which wording a visit used)",
                        o.version.max(g.version) + 1
                    ),
                ))
                .with_secondary(there.clone(), label.clone());
                out.push(if o.origin == Origin::Bundled {
                    // The bundled one wins a tie: this file is never used.
                    Diagnostic {
                        severity: Severity::Hint,
                        code: codes::VERSION_NOT_ABOVE,
                        message: Msg::new(
                            format!(
                                "versie {} is niet hoger dan de meegeleverde `{}` (versie {}): laptops blijven de meegeleverde gebruiken",
                                g.version, g.id, o.version
                            ),
                            format!(
                                "version {} is not above the bundled `{}` (version {}): laptops keep using the bundled one",
                                g.version, g.id, o.version
                            ),
                        ),
                        help: Some(Msg::new(
                            format!(
                                "verhoog `version` naar {} om de meegeleverde te vervangen",
                                o.version + 1
                            ),
                            format!("raise `version` to {} to replace the bundled one", o.version + 1),
                        )),
                        ..d
                    }
                } else {
                    d.with_severity(Severity::Warning)
                });
            } else if o.version > g.version {
                out.push(
                    Diagnostic::at(
                        at.clone(),
                        codes::VERSION_NOT_ABOVE,
                        Msg::new(
                            format!(
                                "versie {} wordt niet gebruikt: {} heeft versie {} van `{}`",
                                g.version, o.path, o.version, g.id
                            ),
                            format!(
                                "version {} is not used: {} has version {} of `{}`",
                                g.version, o.path, o.version, g.id
                            ),
                        ),
                    )
                    .with_severity(Severity::Warning)
                    .with_help(Msg::new(
                        format!("verhoog `version` naar {}", o.version + 1),
                        format!("raise `version` to {}", o.version + 1),
                    ))
                    .with_secondary(there, label),
                );
            }
        }
    }
    out
}

/// Whether a file of this name in a checklist folder is a checklist: a
/// `*.toml` file, but not a hidden one nor an editor's settings file
/// (`.taplo.toml`, `taplo.toml`: docs/CHECKLISTS.md, "Editor support"),
/// which sit beside the checklists and are no checklist.
pub fn is_checklist_file_name(name: &str) -> bool {
    name.ends_with(".toml") && !name.starts_with('.') && name != "taplo.toml"
}
