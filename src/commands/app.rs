//! `safevisit` with no subcommand: the worker's app in the terminal.
//!
//! A second instance on the same data directory is refused, with its
//! reason, before the terminal is touched.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use crate::cli::{Cli, exit};
use crate::i18n::{Lang, Text};
use crate::replay::record::{ScriptWriter, header};
use crate::store::Vault;
use crate::store::paths::data_dir;
use crate::tui::app::{Message, Options, RandomIds, State};
use crate::tui::shell::{Clock, Ending, Recorder, SystemClock, run_terminal};
use crate::tui::store_port::{InitSettings, StoreVault};
use crate::tui::theme::Theme;

fn fail(msg: String) -> ExitCode {
    eprintln!("{msg}");
    ExitCode::from(exit::FAILURE)
}

pub fn run(cli: &Cli) -> ExitCode {
    let global = &cli.global;
    let lang: Lang = global.lang.into();
    let dir = match data_dir(global.data_dir.clone()) {
        Ok(d) => d,
        Err(e) => return fail(format!("error: {e}")),
    };
    let catalog = match super::load_catalog(global) {
        Ok(c) => c,
        Err(e) => return fail(format!("error: {e}")),
    };
    let exists = Vault::exists(&dir);
    let vault = if exists {
        match Vault::open(&dir) {
            Ok(v) => Some(v),
            Err(e) => return fail(e.describe(lang)),
        }
    } else {
        None
    };
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return fail(
            lang.pick(
                "safevisit heeft een terminal nodig. Voor scripts: safevisit replay (zie docs/REPLAY.md).",
                "safevisit needs a terminal. For scripts: safevisit replay (see docs/REPLAY.md).",
            )
            .to_string(),
        );
    }
    let quarantined = vault.as_ref().map_or(0, Vault::quarantine_count);
    let clock = SystemClock;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let mut state = State::new(Options {
        lang,
        theme: Theme::from_no_color(no_color),
        size: (80, 24),
        now: clock.now(),
        lock_after: time::Duration::minutes(i64::from(cli.lock_after)),
        catalog: Arc::new(catalog),
        ids: Box::new(RandomIds),
        vault_exists: exists,
    });
    state.auto_advance = cli.auto_advance;
    if quarantined > 0 {
        state.message = Some(Message::error(Text::new(
            format!(
                "{quarantined} bestand(en) waren onleesbaar en staan apart in quarantine/; de andere bezoeken zijn er nog. Meld dit bij uw leidinggevende."
            ),
            format!(
                "{quarantined} file(s) were unreadable and were put aside in quarantine/; the other visits are still here. Tell your supervisor."
            ),
        )));
    }
    let port = StoreVault::new(&dir, vault, InitSettings::default());
    let mut writer = match &cli.record {
        None => None,
        Some(path) => {
            let size = crossterm::terminal::size().unwrap_or((80, 24));
            let file = std::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(true)
                .open(path);
            match file {
                Ok(mut f) => {
                    use std::io::Write;
                    let head = header(size.0, size.1, lang.code(), clock.now(), exists);
                    if let Err(e) = f.write_all(head.as_bytes()) {
                        return fail(format!("error: --record {}: {e}", path.display()));
                    }
                    Some(ScriptWriter::new(f))
                }
                Err(e) => return fail(format!("error: --record {}: {e}", path.display())),
            }
        }
    };
    let recorder = writer.as_mut().map(|w| w as &mut dyn Recorder);
    match run_terminal(state, port, &clock, recorder) {
        Ok(Ending::Quit) => ExitCode::SUCCESS,
        // As shells report a process a signal stopped: 128 + the signal.
        Ok(Ending::Signal(sig)) => ExitCode::from(128u8.saturating_add(sig as u8)),
        Err(e) => fail(format!("error: the terminal failed: {e}")),
    }
}
