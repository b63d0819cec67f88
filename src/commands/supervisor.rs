//! `safevisit supervisor keygen [-o FILE]` and `safevisit supervisor import
//! -i IDENTITY… --out DIR BUNDLE…`: the office side.
//!
//! Exit codes of import: 0 all imported; 3 something was rejected or kept
//! aside as a conflict (the sound input was still imported); 2 a usage
//! error; 1 any other failure.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use secrecy::ExposeSecret;

use crate::cli::{Global, SupervisorCommand, exit};
use crate::commands::export::now_stamp;
use crate::i18n::Lang;
use crate::supervisor::{
    BundleOutcome, Identity, ImportPolicy, ImportRun, Office, Origin, Progress, keys,
};

pub fn run(cmd: &SupervisorCommand, global: &Global) -> ExitCode {
    let lang: Lang = global.lang.into();
    let result = match cmd {
        SupervisorCommand::Keygen {
            output,
            add_signing_key: Some(path),
        } if output.is_none() => crate::commands::office::add_signing_key(path, lang),
        SupervisorCommand::Keygen { output, .. } => keygen(output.as_deref(), lang),
        SupervisorCommand::Import {
            identities,
            out,
            ledger,
            excel,
            bundles,
            allow_unsigned,
        } => import(
            identities,
            (out, ledger.as_deref()),
            bundles,
            *allow_unsigned,
            *excel,
            global,
            lang,
        ),
        other => crate::commands::office::run(other, lang),
    };
    match result {
        Ok(code) => code,
        Err((code, msg)) => {
            eprintln!("{}: {msg}", lang.pick("fout", "error"));
            ExitCode::from(code)
        }
    }
}

pub(crate) type Failure = (u8, String);

fn keygen(output: Option<&Path>, lang: Lang) -> Result<ExitCode, Failure> {
    let now = time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    let created = now
        .replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    match output {
        Some(path) => {
            let key = keys::generate_with_signing_key(&created)
                .map_err(|e| (exit::FAILURE, e.to_string()))?;
            keys::write_key_file(path, &key).map_err(|e| (exit::FAILURE, e.describe(lang)))?;
            println!("{}", key.recipient);
            eprintln!(
                "{}",
                match lang {
                    Lang::Nl => format!(
                        "Organisatiesleutel en ondertekensleutel geschreven naar {} (alleen voor u leesbaar). Houd dit bestand geheim en maak er een back-up van.\n\
                         Maak de organisatiekaart voor de laptops (safevisit init --org-card org-kaart.toml): safevisit supervisor org-card -i {} --out org-kaart.toml\n\
                         (Alleen de publieke sleutel hierboven kan ook, maar dan kan de laptop geen ontvangstbewijzen controleren: safevisit init --recipient {})\n\
                         Maak ook een tweede, reservesleutel die u offline bewaart, en zet die met --backup age1… op de kaart (zie docs/SUPERVISOR.md).",
                        path.display(),
                        path.display(),
                        key.recipient
                    ),
                    Lang::En => format!(
                        "Organisation key and signing key written to {} (readable by you only). Keep this file secret and back it up.\n\
                         Make the organisation card for the laptops (safevisit init --org-card org-card.toml): safevisit supervisor org-card -i {} --out org-card.toml\n\
                         (The public key above alone also works, but then the laptop cannot check receipts: safevisit init --recipient {})\n\
                         Also make a second, backup key that you keep offline, and put it on the card with --backup age1… (see docs/SUPERVISOR.md).",
                        path.display(),
                        path.display(),
                        key.recipient
                    ),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        None if std::io::stdout().is_terminal() => Err((
            exit::USAGE,
            lang.pick(
                "schrijf de sleutel naar een bestand met -o BESTAND; een geheime sleutel wordt niet op het scherm gezet",
                "write the key to a file with -o FILE; a secret key is not shown on a terminal",
            )
            .into(),
        )),
        None => {
            let key = keys::generate_with_signing_key(&created)
                .map_err(|e| (exit::FAILURE, e.to_string()))?;
            print!("{}", key.file_text.expose_secret());
            eprintln!(
                "{}: {}",
                lang.pick("Publieke sleutel", "Public key"),
                key.recipient
            );
            eprintln!(
                "{}",
                lang.pick(
                    "Let op: een bestand dat de shell met > maakt, is meestal leesbaar voor anderen (0644). Gebruik liever `safevisit supervisor keygen -o BESTAND`: dat bestand is alleen voor u leesbaar (0600). Of zet het nu goed met chmod 600.",
                    "Note: a file the shell makes with > is usually readable by others (0644). Prefer `safevisit supervisor keygen -o FILE`: that file is readable by you only (0600). Or fix it now with chmod 600."
                )
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The progress bar on stderr (only when stderr is a terminal). It counts
/// bundles: each bundle is one equal step, filled by its records as they
/// are done, so the bar never moves back; the message says which bundle
/// (`bundel 3/20`), its file and the records done so far.
struct Bar {
    bar: indicatif::ProgressBar,
    lang: Lang,
    state: std::sync::Mutex<BarState>,
}

#[derive(Default)]
struct BarState {
    /// The current bundle (from 1), of `count`.
    index: usize,
    count: usize,
    file: String,
    /// The current bundle's listed records and those done.
    listed: u64,
    done: u64,
    /// Records done in the whole run.
    records: u64,
}

/// Steps of the bar per bundle.
const STEPS: u64 = 1000;

impl Bar {
    fn draw(&self, s: &BarState) {
        let within = (STEPS * s.done.min(s.listed))
            .checked_div(s.listed)
            .unwrap_or(0);
        let pos = (s.index.saturating_sub(1) as u64) * STEPS + within;
        // (Never back: the position only grows.)
        if pos > self.bar.position() {
            self.bar.set_position(pos);
        }
        self.bar.set_message(match self.lang {
            Lang::Nl => format!(
                "bundel {}/{}  {} bezoeken  {}",
                s.index, s.count, s.records, s.file
            ),
            Lang::En => format!(
                "bundle {}/{}  {} visits  {}",
                s.index, s.count, s.records, s.file
            ),
        });
    }
}

impl Progress for Bar {
    fn bundle(&self, index: usize, count: usize, file: &str) {
        if let Ok(mut s) = self.state.lock() {
            if s.index > 0 {
                // The previous bundle is done, whatever it held.
                s.done = s.listed;
            }
            self.bar.set_length(count as u64 * STEPS);
            s.index = index;
            s.count = count;
            s.file = crate::supervisor::reports::clean(file);
            s.listed = 0;
            s.done = 0;
            self.draw(&s);
        }
    }
    fn add_total(&self, n: u64) {
        if let Ok(mut s) = self.state.lock() {
            s.listed += n;
            self.draw(&s);
        }
    }
    fn done(&self, n: u64) {
        if let Ok(mut s) = self.state.lock() {
            s.done += n;
            s.records += n;
            self.draw(&s);
        }
    }
}

fn bar(lang: Lang) -> Bar {
    let state = std::sync::Mutex::new(BarState::default());
    if !std::io::stderr().is_terminal() {
        return Bar {
            bar: indicatif::ProgressBar::hidden(),
            lang,
            state,
        };
    }
    let b =
        indicatif::ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::default_bar().template("{bar:40} {msg}  {elapsed}")
    {
        b.set_style(style);
    }
    Bar {
        bar: b,
        lang,
        state,
    }
}

/// Warnings about the office's secrets and folder (not fatal): an
/// identity file that others can read, an office folder that others can
/// write to.
fn permission_warnings(identity_files: &[PathBuf], out: &Path, lang: Lang) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut warnings = Vec::new();
    for f in identity_files {
        if let Ok(m) = std::fs::metadata(f)
            && m.permissions().mode() & 0o077 != 0
        {
            let mode = m.permissions().mode() & 0o777;
            warnings.push(match lang {
                Lang::Nl => format!(
                    "waarschuwing: het sleutelbestand {} is ook voor anderen leesbaar (modus {mode:04o}). Maak het alleen voor u leesbaar: chmod 600 {}",
                    f.display(),
                    f.display()
                ),
                Lang::En => format!(
                    "warning: the identity file {} is readable by others too (mode {mode:04o}). Make it readable by you only: chmod 600 {}",
                    f.display(),
                    f.display()
                ),
            });
        }
    }
    if let Ok(m) = std::fs::metadata(out)
        && m.is_dir()
        && m.permissions().mode() & 0o022 != 0
    {
        let mode = m.permissions().mode() & 0o777;
        warnings.push(match lang {
            Lang::Nl => format!(
                "waarschuwing: anderen kunnen schrijven in de kantoormap {} (modus {mode:04o}). Zet haar alleen voor u open: chmod 700 {}",
                out.display(),
                out.display()
            ),
            Lang::En => format!(
                "warning: others can write to the office folder {} (mode {mode:04o}). Make it yours only: chmod 700 {}",
                out.display(),
                out.display()
            ),
        });
    }
    warnings
}

fn import(
    identity_files: &[PathBuf],
    (out, ledger): (&Path, Option<&str>),
    bundles: &[PathBuf],
    allow_unsigned: bool,
    excel: bool,
    global: &Global,
    lang: Lang,
) -> Result<ExitCode, Failure> {
    // Before any thread starts (reading the local offset needs that).
    let now = now_stamp();
    for w in permission_warnings(identity_files, out, lang) {
        eprintln!("{w}");
    }
    // The checklists the office knows besides the bundled ones.
    let catalog = if global.checklist_dirs.is_empty() {
        None
    } else {
        let mut extra = Vec::new();
        for dir in &global.checklist_dirs {
            if !dir.is_dir() {
                return Err((
                    exit::USAGE,
                    match lang {
                        Lang::Nl => format!("--checklists {}: dit is geen map", dir.display()),
                        Lang::En => format!("--checklists {}: not a folder", dir.display()),
                    },
                ));
            }
            extra.extend(
                crate::store::checklist_folder::read_checklist_folder(dir)
                    .map_err(|e| (exit::FAILURE, e))?,
            );
        }
        let catalog =
            crate::checklist::Catalog::build(crate::checklist::SourceFile::bundled(), extra);
        for p in &catalog.problems {
            eprintln!(
                "{}",
                match lang {
                    Lang::Nl => format!(
                        "waarschuwing: de checklist {} is niet te gebruiken en krijgt geen kolommen in visits.csv (zie: safevisit checklists validate {})",
                        p.path, p.path
                    ),
                    Lang::En => format!(
                        "warning: the checklist {} cannot be used and gets no columns in visits.csv (see: safevisit checklists validate {})",
                        p.path, p.path
                    ),
                }
            );
        }
        Some(catalog)
    };
    let mut identities: Vec<Identity> = Vec::new();
    let mut receipts_key = None;
    for f in identity_files {
        identities.extend(keys::load_identities(f).map_err(|e| (exit::FAILURE, e.describe(lang)))?);
        if receipts_key.is_none() {
            receipts_key =
                keys::load_signing_key(f).map_err(|e| (exit::FAILURE, e.describe(lang)))?;
        }
    }
    let mut office = Office::open_at(out, ledger).map_err(|e| (exit::FAILURE, e.describe(lang)))?;
    office.set_policy(ImportPolicy {
        allow_unsigned,
        receipts_key,
    });
    if let Some(catalog) = catalog {
        office.set_catalog(catalog);
    }
    office.set_excel(excel);
    let progress = bar(lang);
    let run = office.import(bundles, &identities, &now, lang, &progress);
    progress.bar.finish_and_clear();
    let run = run.map_err(|e| (exit::FAILURE, e.describe(lang)))?;
    report(&run, lang);
    println!("{}", run.result_line(lang));
    Ok(if run.all_imported() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::REJECTED)
    })
}

/// What went wrong or needs attention, on stderr, naming each file.
fn report(run: &ImportRun, lang: Lang) {
    use crate::supervisor::reports::clean;
    for b in &run.bundles {
        let file = clean(&b.file);
        let b_file = &file;
        match &b.outcome {
            BundleOutcome::Rejected(problem) => eprintln!(
                "{}: {}: {}",
                b_file,
                lang.pick("afgewezen", "rejected"),
                problem.describe(lang)
            ),
            BundleOutcome::Known => eprintln!(
                "{}: {}",
                b_file,
                lang.pick(
                    "al eerder volledig geïmporteerd; niets toegevoegd",
                    "already imported completely before; nothing added"
                )
            ),
            BundleOutcome::Imported | BundleOutcome::Partly => {}
        }
        if b.erased > 0 {
            eprintln!(
                "{}: {} {}",
                b_file,
                b.erased,
                lang.pick(
                    "bezoek(en) gewist, niet opnieuw ingelezen",
                    "visit(s) erased, not re-imported"
                )
            );
        }
        if b.origin == Some(Origin::Unsigned) {
            eprintln!(
                "{}: {}",
                b.file,
                lang.pick(
                    "LET OP: NIET ONDERTEKEND, aangenomen met --allow-unsigned; wie deze bundel maakte is niet vastgesteld (zie summary.txt, NIET ONDERTEKEND)",
                    "WARNING: UNSIGNED, accepted with --allow-unsigned; who made this bundle is not established (see summary.txt, UNSIGNED)"
                )
            );
        }
        if let (Some(claimed), Some((id, _))) = (&b.claimed_name, &b.device) {
            eprintln!(
                "{}",
                match lang {
                    Lang::Nl => format!(
                        "{}: de bundel noemt apparaat {id} \"{}\"; die naam is niet overgenomen (een bundel hernoemt nooit een apparaat)",
                        b.file,
                        clean(claimed)
                    ),
                    Lang::En => format!(
                        "{}: the bundle calls device {id} \"{}\"; that name was not taken over (a bundle never renames a device)",
                        b.file,
                        clean(claimed)
                    ),
                }
            );
        }
        for r in &b.rejections {
            eprintln!(
                "{}: {}: {}",
                b_file,
                lang.pick("afgewezen", "rejected"),
                clean(&r.describe(lang))
            );
        }
        if b.more_rejections > 0 {
            eprintln!(
                "{}: {}",
                b_file,
                crate::supervisor::import::more_rejections(b.more_rejections, lang)
            );
        }
        for c in &b.conflicts {
            let what = match (lang, c.same_visit) {
                (Lang::Nl, true) => format!(
                    "bezoek {} (volgnummer {}) kwam eerder aan met een andere inhoud",
                    c.visit_id, c.sequence
                ),
                (Lang::Nl, false) => format!(
                    "bezoek {} claimt volgnummer {} dat al een ander bezoek heeft",
                    c.visit_id, c.sequence
                ),
                (Lang::En, true) => format!(
                    "visit {} (sequence {}) arrived before with different contents",
                    c.visit_id, c.sequence
                ),
                (Lang::En, false) => format!(
                    "visit {} claims sequence {} which another visit has",
                    c.visit_id, c.sequence
                ),
            };
            let acute = match (lang, c.acute) {
                (_, 0) => String::new(),
                (Lang::Nl, n) => format!(
                    "; LET OP: de apart bewaarde versie heeft {n} acuut signaal/signalen (staat in ACUTE SIGNALEN)"
                ),
                (Lang::En, n) => format!(
                    "; NOTE: the version kept aside has {n} acute red flag(s) (listed under ACUTE RED FLAGS)"
                ),
            };
            eprintln!(
                "{}: {}: {what}; {}{acute}",
                b_file,
                lang.pick("conflict", "conflict"),
                lang.pick(
                    "apart bewaard, niet samengevoegd (zie summary.txt)",
                    "kept aside, not merged (see summary.txt)"
                )
            );
        }
    }
    for g in &run.closed {
        let range = if g.first == g.last {
            g.first.to_string()
        } else {
            format!("{}–{}", g.first, g.last)
        };
        eprintln!(
            "{}",
            match lang {
                Lang::Nl => format!(
                    "apparaat {} ({}): bezoek(en) {range} zijn nu aangekomen; dit gat is dicht",
                    crate::supervisor::reports::clean(&g.device_name),
                    g.device_id
                ),
                Lang::En => format!(
                    "device {} ({}): visit(s) {range} have now arrived; this gap is closed",
                    crate::supervisor::reports::clean(&g.device_name),
                    g.device_id
                ),
            }
        );
    }
    for g in &run.gaps {
        eprintln!("{}", g.describe(lang));
    }
    for m in &run.previous_arrived {
        eprintln!("{}", crate::supervisor::cases::describe_arrived(m, lang));
    }
    for m in &run.missing_previous {
        eprintln!("{}", crate::supervisor::cases::describe_missing(m, lang));
    }
    if !run.receipts.no_key_for.is_empty() {
        eprintln!(
            "{}",
            match lang {
                Lang::Nl => format!(
                    "LET OP: geen ontvangstbewijzen geschreven (voor {}): de sleutelbestanden bij -i bevatten geen ondertekensleutel. \
                     Voeg er een toe met `safevisit supervisor keygen --add-signing-key BESTAND`, maak de organisatiekaart opnieuw, en importeer dezelfde bundels nog eens.",
                    run.receipts.no_key_for.join(", ")
                ),
                Lang::En => format!(
                    "WARNING: no receipts written (for {}): the identity files given with -i hold no signing key. \
                     Add one with `safevisit supervisor keygen --add-signing-key FILE`, make the organisation card again, and import the same bundles once more.",
                    run.receipts.no_key_for.join(", ")
                ),
            }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_counts_bundles_and_never_moves_back() {
        let bar = bar(Lang::Nl);
        let last = std::cell::Cell::new(0u64);
        let step = |f: &dyn Fn(&Bar)| {
            f(&bar);
            let pos = bar.bar.position();
            assert!(pos >= last.get(), "{pos} < {}", last.get());
            last.set(pos);
        };
        step(&|b| b.bundle(1, 3, "a.age"));
        step(&|b| b.add_total(500));
        step(&|b| b.done(500));
        assert_eq!(last.get(), STEPS);
        // A bigger second bundle: the bar does not fall back.
        step(&|b| b.bundle(2, 3, "b.age"));
        step(&|b| b.add_total(10_000));
        step(&|b| b.done(128));
        assert!(last.get() > STEPS);
        // A bundle refused before its records: the next one starts further.
        step(&|b| b.bundle(3, 3, "c.age"));
        assert_eq!(last.get(), 2 * STEPS);
        assert_eq!(bar.bar.length(), Some(3 * STEPS));
        let state = bar.state.lock().unwrap();
        assert_eq!((state.index, state.count, state.records), (3, 3, 628));
    }

    #[test]
    fn weak_permissions_are_named() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let key = tmp.path().join("org-key.txt");
        std::fs::write(&key, "x").unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o775)).unwrap();
        let w = permission_warnings(std::slice::from_ref(&key), tmp.path(), Lang::Nl);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("modus 0640"), "{}", w[0]);
        assert!(w[1].contains("modus 0775"), "{}", w[1]);
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        assert!(permission_warnings(&[key], tmp.path(), Lang::Nl).is_empty());
    }
}
