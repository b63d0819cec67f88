//! `safevisit checklists list | show ID | validate PATH… | schema` (and
//! `preview`, in `commands::preview`)

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::checklist::catalog::{Catalog, validate_in_context};
use crate::checklist::diagnostic::{Diagnostic, Msg, Severity, codes};
use crate::checklist::load::{MAX_FILE_BYTES, too_large};
use crate::checklist::model::Origin;
use crate::checklist::outline::outline;
use crate::checklist::{SourceFile, diagnostic::did_you_mean};
use crate::cli::{ChecklistsCommand, DiagnosticFormat, Global, exit};
use crate::i18n::Lang;
use crate::input::{ReadError, read_capped};

pub fn run(cmd: &ChecklistsCommand, global: &Global) -> ExitCode {
    let lang: Lang = global.lang.into();
    match cmd {
        ChecklistsCommand::List => with_catalog(global, |cat| list(cat, lang)),
        ChecklistsCommand::Show { id } => with_catalog(global, |cat| show(cat, id, lang)),
        ChecklistsCommand::Preview(args) => super::preview::run(args, global),
        ChecklistsCommand::Validate { paths, format } => {
            validate_paths(paths, *format, global, lang)
        }
        ChecklistsCommand::Schema => {
            println!("{}", crate::checklist::schema::schema_text());
            ExitCode::SUCCESS
        }
    }
}

fn with_catalog(global: &Global, f: impl FnOnce(&Catalog) -> ExitCode) -> ExitCode {
    match super::load_catalog(global) {
        Ok(cat) => {
            for p in &cat.problems {
                eprintln!("{}", p.first_in(Lang::from(global.lang)));
                eprintln!(
                    "{}",
                    match Lang::from(global.lang) {
                        Lang::Nl => format!(
                            "  (deze lijst wordt niet aangeboden; controleer met: safevisit checklists validate {})",
                            p.path
                        ),
                        Lang::En => format!(
                            "  (this checklist is not offered; check it with: safevisit checklists validate {})",
                            p.path
                        ),
                    }
                );
            }
            f(&cat)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(exit::FAILURE)
        }
    }
}

fn list(cat: &Catalog, lang: Lang) -> ExitCode {
    let header = [
        lang.pick("ID", "ID"),
        lang.pick("VERSIE", "VERSION"),
        lang.pick("VOOR", "FOR"),
        lang.pick("TITEL", "TITLE"),
        lang.pick("BRON", "SOURCE"),
    ];
    let rows: Vec<[String; 5]> = cat
        .all()
        .iter()
        .map(|c| {
            [
                c.id.clone(),
                c.version.to_string(),
                c.applies_to.key().to_string(),
                c.title.get(lang).to_string(),
                match &c.origin {
                    Origin::Bundled => lang.pick("meegeleverd", "bundled").to_string(),
                    Origin::File(p) => p.clone(),
                },
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i == 4 {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        s.trim_end().to_string()
    };
    println!("{}", line(header));
    for r in &rows {
        println!("{}", line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
    }
    for n in &cat.notes {
        eprintln!("{}", n.get(lang));
    }
    ExitCode::SUCCESS
}

fn show(cat: &Catalog, id: &str, lang: Lang) -> ExitCode {
    match cat.get(id) {
        Some(c) => {
            print!("{}", outline(c, lang));
            ExitCode::SUCCESS
        }
        None => {
            let msg = lang.pick("onbekende checklist", "unknown checklist");
            eprintln!("error: {msg} `{id}`");
            let hint =
                did_you_mean(id, cat.all().iter().map(|c| c.id.as_str())).unwrap_or_else(|| {
                    lang.pick(
                        "zie: safevisit checklists list",
                        "see: safevisit checklists list",
                    )
                    .into()
                });
            eprintln!("  {}: {}", lang.pick("hulp", "help"), hint.get(lang));
            ExitCode::from(exit::FAILURE)
        }
    }
}

/// Files named, and the `*.toml` files of folders named.
fn expand(paths: &[PathBuf], lang: Lang) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            out.extend(toml_files(p, lang)?);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// The `*.toml` entries of a folder, in name order (whatever they are: the
/// reader refuses what is not a regular file).
fn toml_files(dir: &Path, lang: Lang) -> Result<Vec<PathBuf>, String> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            format!(
                "{}: {}: {e}",
                dir.display(),
                lang.pick("kan de map niet lezen", "cannot read the folder")
            )
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|f| {
            f.file_name().is_some_and(|n| {
                crate::checklist::catalog::is_checklist_file_name(&n.to_string_lossy())
            })
        })
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(format!(
            "{}: {}",
            dir.display(),
            lang.pick(
                "de map bevat geen .toml-bestanden",
                "the folder holds no .toml files"
            )
        ));
    }
    Ok(found)
}

/// Read one file for validation: a regular file of at most
/// `MAX_FILE_BYTES`, refused at once (without blocking and without reading
/// it) otherwise.
fn read(path: &Path) -> Result<Vec<u8>, Box<Diagnostic>> {
    let shown = path.display().to_string();
    read_capped(path, MAX_FILE_BYTES as u64).map_err(|e| {
        Box::new(match e {
            ReadError::TooLarge(size) => too_large(&shown, size),
            ReadError::NotRegular(kind) => Diagnostic::whole_file(
                &shown,
                codes::NOT_A_FILE,
                Msg::new(
                    format!("dit is geen gewoon bestand maar {}", kind.name(Lang::Nl)),
                    format!("this is not a regular file but {}", kind.name(Lang::En)),
                ),
            )
            .with_help(Msg::new(
                "geef het pad van een checklistbestand (.toml)",
                "give the path of a checklist file (.toml)",
            )),
            ReadError::Io(err) => Diagnostic::whole_file(
                &shown,
                codes::NOT_A_FILE,
                Msg::new(
                    format!("kan het bestand niet lezen: {err}"),
                    format!("cannot read the file: {err}"),
                ),
            ),
        })
    })
}

fn source(path: &Path, bytes: Vec<u8>) -> SourceFile {
    let shown = path.display().to_string();
    SourceFile {
        path: shown.clone(),
        bytes,
        origin: Origin::File(shown),
    }
}

fn validate_paths(
    paths: &[PathBuf],
    format: DiagnosticFormat,
    global: &Global,
    lang: Lang,
) -> ExitCode {
    let files = match expand(paths, lang) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{}: {e}", lang.pick("fout", "error"));
            return ExitCode::from(exit::FAILURE);
        }
    };
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut given = Vec::new();
    for f in &files {
        match read(f) {
            Ok(bytes) => given.push(source(f, bytes)),
            Err(d) => diagnostics.push(*d),
        }
    }
    // What the files will ship with: every `--checklists DIR` (the files
    // given are taken from there as they are given).
    let canonical: Vec<PathBuf> = files.iter().filter_map(|f| f.canonicalize().ok()).collect();
    let mut context = Vec::new();
    for dir in &global.checklist_dirs {
        let entries = match toml_files(dir, lang) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("{}: --checklists {e}", lang.pick("fout", "error"));
                return ExitCode::from(exit::FAILURE);
            }
        };
        for p in entries {
            if p.canonicalize().is_ok_and(|c| canonical.contains(&c)) {
                continue;
            }
            // A file of the folder that cannot be read is not offered
            // either; the author sees it when validating the folder.
            if let Ok(bytes) = read(&p) {
                context.push(source(&p, bytes));
            }
        }
    }
    let mut sources: HashMap<String, String> = HashMap::new();
    for f in given
        .iter()
        .chain(context.iter())
        .chain(SourceFile::bundled().iter())
    {
        sources.insert(
            f.path.clone(),
            String::from_utf8_lossy(&f.bytes).into_owned(),
        );
    }
    diagnostics.extend(validate_in_context(given, context));
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    let (errors, warnings, hints) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Hint),
    );
    let bad_files = {
        let mut p: Vec<&str> = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.path.as_str())
            .collect();
        p.sort_unstable();
        p.dedup();
        p.len()
    };
    let n = files.len();
    match format {
        DiagnosticFormat::Json => {
            let out = serde_json::json!({
                "files": n,
                "errors": errors,
                "warnings": warnings,
                "hints": hints,
                "diagnostics": diagnostics.iter().map(|d| d.to_json(lang)).collect::<Vec<_>>(),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&out).unwrap_or_else(|_| "{}".into())
            );
        }
        DiagnosticFormat::Short => {
            for d in &diagnostics {
                println!("{}", d.short(lang));
            }
            println!("{}", summary(lang, n, errors, bad_files, warnings + hints));
        }
        DiagnosticFormat::Text => {
            for d in &diagnostics {
                println!("{}\n", d.render(lang, &sources));
            }
            println!("{}", summary(lang, n, errors, bad_files, warnings + hints));
        }
    }
    if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::FAILURE)
    }
}

/// "1 bestand in orde", "3 fouten in 1 van 2 bestanden", …
fn summary(lang: Lang, n: usize, errors: usize, bad_files: usize, notes: usize) -> String {
    let files_word = match (lang, n) {
        (Lang::Nl, 1) => "bestand",
        (Lang::Nl, _) => "bestanden",
        (Lang::En, 1) => "file",
        (Lang::En, _) => "files",
    };
    let mut line = if errors == 0 {
        format!("{n} {files_word} {}", lang.pick("in orde", "OK"))
    } else {
        let errors_word = match (lang, errors) {
            (Lang::Nl, 1) => "fout",
            (Lang::Nl, _) => "fouten",
            (Lang::En, 1) => "error",
            (Lang::En, _) => "errors",
        };
        format!(
            "{errors} {errors_word} in {bad_files} {} {n} {files_word}",
            lang.pick("van", "of")
        )
    };
    if notes > 0 {
        line.push_str(&match lang {
            Lang::Nl => format!(" ({notes} waarschuwing(en) of tip(s))"),
            Lang::En => format!(" ({notes} warning(s) or hint(s))"),
        });
    }
    line
}
