//! `safevisit checklists list | show ID | validate PATH…` (and `preview`,
//! in `commands::preview`)

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::checklist::catalog::{Catalog, validate};
use crate::checklist::model::Origin;
use crate::checklist::outline::outline;
use crate::checklist::{SourceFile, diagnostic::did_you_mean};
use crate::cli::{ChecklistsCommand, Global, exit};
use crate::i18n::Lang;

pub fn run(cmd: &ChecklistsCommand, global: &Global) -> ExitCode {
    let lang: Lang = global.lang.into();
    match cmd {
        ChecklistsCommand::List => with_catalog(global, |cat| list(cat, lang)),
        ChecklistsCommand::Show { id } => with_catalog(global, |cat| show(cat, id, lang)),
        ChecklistsCommand::Validate { paths } => validate_paths(paths, lang),
        ChecklistsCommand::Preview(args) => super::preview::run(args, global),
    }
}

fn with_catalog(global: &Global, f: impl FnOnce(&Catalog) -> ExitCode) -> ExitCode {
    match super::load_catalog(global) {
        Ok(cat) => {
            for p in &cat.problems {
                eprintln!("{}", p.first());
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
        eprintln!("{n}");
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
            eprintln!("  help: {hint}");
            ExitCode::from(exit::FAILURE)
        }
    }
}

/// Files named, and the `*.toml` files of folders named.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("{}: cannot read the folder: {e}", p.display()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| f.extension().is_some_and(|x| x == "toml"))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(format!("{}: the folder holds no .toml files", p.display()));
            }
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    // Refuse to read a huge file into memory; the loader reports the limit.
    if meta.len() > (crate::checklist::load::MAX_FILE_BYTES as u64) * 2 {
        return Ok(vec![0; crate::checklist::load::MAX_FILE_BYTES + 1]);
    }
    std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))
}

fn validate_paths(paths: &[PathBuf], lang: Lang) -> ExitCode {
    let files = match expand(paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    let mut sources = Vec::new();
    let mut unreadable = 0;
    for f in &files {
        match read(f) {
            Ok(bytes) => sources.push(SourceFile {
                path: f.display().to_string(),
                bytes,
                origin: Origin::File(f.display().to_string()),
            }),
            Err(e) => {
                println!("{e}");
                unreadable += 1;
            }
        }
    }
    let diagnostics = validate(sources);
    for d in &diagnostics {
        println!("{d}");
    }
    let bad_files = {
        let mut p: Vec<&str> = diagnostics.iter().map(|d| d.path.as_str()).collect();
        p.dedup();
        p.len() + unreadable
    };
    let errors = diagnostics.len() + unreadable;
    let n = files.len();
    let files_word = match (lang, n) {
        (Lang::Nl, 1) => "bestand",
        (Lang::Nl, _) => "bestanden",
        (Lang::En, 1) => "file",
        (Lang::En, _) => "files",
    };
    if errors == 0 {
        println!("{n} {files_word} {}", lang.pick("in orde", "OK"));
        ExitCode::SUCCESS
    } else {
        let errors_word = match (lang, errors) {
            (Lang::Nl, 1) => "fout",
            (Lang::Nl, _) => "fouten",
            (Lang::En, 1) => "error",
            (Lang::En, _) => "errors",
        };
        println!(
            "{errors} {errors_word} in {bad_files} {} {n} {files_word}",
            lang.pick("van", "of")
        );
        ExitCode::from(exit::FAILURE)
    }
}
