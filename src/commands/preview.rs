//! `safevisit checklists preview FILE… [--child-age N]… [--caregivers N]`:
//! the worker's app on the given checklists with an in-memory vault
//! (`tui::preview`). Reads the checklist files and nothing else: the data
//! directory is never opened, and nothing is written anywhere.

use std::collections::HashSet;
use std::io::{IsTerminal, Read};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use crate::checklist::load::{MAX_FILE_BYTES, parse_file};
use crate::checklist::model::Origin;
use crate::checklist::{Catalog, SourceFile};
use crate::cli::{Global, PreviewArgs, exit};
use crate::i18n::Lang;
use crate::store::checklist_folder::read_checklist_folder;
use crate::tui::app::{Options, RandomIds, State};
use crate::tui::preview::{PreviewRoster, PreviewVault, enter_preview, preview_visit};
use crate::tui::shell::{Clock, Ending, SystemClock, run_terminal};
use crate::tui::theme::Theme;

fn fail(msg: String) -> ExitCode {
    eprintln!("{msg}");
    ExitCode::from(exit::FAILURE)
}

/// A checklist file, read whole: a regular file of at most
/// `MAX_FILE_BYTES` (never more is read).
fn read_source(path: &Path, lang: Lang) -> Result<SourceFile, String> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| format!("{name}: {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "{name}: {}",
            lang.pick("geen gewoon bestand", "not a regular file")
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(SourceFile {
        path: name.clone(),
        bytes,
        origin: Origin::File(name),
    })
}

pub fn run(args: &PreviewArgs, global: &Global) -> ExitCode {
    let lang: Lang = global.lang.into();
    let mut files = Vec::new();
    for p in &args.files {
        match read_source(p, lang) {
            Ok(f) => files.push(f),
            Err(e) => return fail(format!("error: {e}")),
        }
    }
    // The files named win over any other checklist with the same id,
    // whatever its version: the author wants to see this text.
    let mut ids = Vec::new();
    let mut bad = false;
    for f in &files {
        match parse_file(&f.path, &f.bytes, f.origin.clone()) {
            Ok(c) => ids.push(c.id),
            Err(diagnostics) => {
                for d in diagnostics {
                    eprintln!("{d}");
                }
                bad = true;
            }
        }
    }
    if bad {
        return fail(
            lang.pick(
                "Niets geopend: verbeter eerst de fouten hierboven (safevisit checklists validate).",
                "Nothing opened: fix the errors above first (safevisit checklists validate).",
            )
            .to_string(),
        );
    }
    let taken: HashSet<&String> = ids.iter().collect();
    let mut others = SourceFile::bundled();
    for dir in &global.checklist_dirs {
        match read_checklist_folder(dir) {
            Ok(found) => others.extend(found),
            Err(e) => return fail(format!("error: --checklists {}: {e}", dir.display())),
        }
    }
    others.retain(|f| {
        parse_file(&f.path, &f.bytes, f.origin.clone()).map_or(true, |c| !taken.contains(&c.id))
    });
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let catalog = Catalog::build(others, files);
    let mut problems = false;
    for p in &catalog.problems {
        if paths.contains(&p.path) {
            for d in &p.diagnostics {
                eprintln!("{d}");
            }
            problems = true;
        }
    }
    if problems {
        return fail(
            lang.pick(
                "Niets geopend: verbeter eerst de fouten hierboven (safevisit checklists validate).",
                "Nothing opened: fix the errors above first (safevisit checklists validate).",
            )
            .to_string(),
        );
    }
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return fail(
            lang.pick(
                "Een voorbeeld heeft een terminal nodig. Voor scripts: safevisit replay --checklists MAP (zie docs/REPLAY.md).",
                "A preview needs a terminal. For scripts: safevisit replay --checklists DIR (see docs/REPLAY.md).",
            )
            .to_string(),
        );
    }
    let clock = SystemClock;
    let now = clock.now();
    let roster = PreviewRoster {
        child_ages: args.child_ages.clone(),
        caregivers: args.caregivers,
    };
    let visit = match preview_visit(
        &catalog,
        &ids,
        &roster,
        uuid::Uuid::new_v4().to_string(),
        now,
    ) {
        Ok(v) => v,
        Err(t) => return fail(t.get(lang).to_string()),
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let mut state = State::new(Options {
        lang,
        theme: Theme::from_no_color(no_color),
        size: (80, 24),
        now,
        lock_after: time::Duration::days(365),
        catalog: Arc::new(catalog),
        ids: Box::new(RandomIds),
        vault_exists: true,
    });
    enter_preview(&mut state, visit);
    match run_terminal(state, PreviewVault::new(), &clock, None) {
        Ok(Ending::Quit) => ExitCode::SUCCESS,
        Ok(Ending::Signal(sig)) => ExitCode::from(128u8.saturating_add(sig as u8)),
        Err(e) => fail(format!("error: the terminal failed: {e}")),
    }
}
