//! A vault of 10,000 visits for the benchmarks and the memory measurement
//! (9,900 finalized, 100 drafts), built once and kept under `target/`.
#![allow(dead_code)]

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use safevisit::store::Vault;
use safevisit::store::atomic::{Fs, RealFs};

#[path = "../../tests/vault_support/mod.rs"]
pub mod common;

pub const FINALIZED: usize = 9_900;
pub const DRAFTS: usize = 100;

/// Writes without `fsync`: only for building the fixture fast.
struct NoSync;

impl Fs for NoSync {
    fn create_new(&self, path: &Path) -> io::Result<File> {
        RealFs.create_new(path)
    }
    fn write_all(&self, file: &mut File, bytes: &[u8]) -> io::Result<()> {
        RealFs.write_all(file, bytes)
    }
    fn sync_file(&self, _: &File) -> io::Result<()> {
        Ok(())
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        RealFs.rename(from, to)
    }
    fn sync_dir(&self, _: &Path) -> io::Result<()> {
        Ok(())
    }
    fn remove_file(&self, path: &Path) -> io::Result<()> {
        RealFs.remove_file(path)
    }
    fn create_dir(&self, path: &Path) -> io::Result<()> {
        RealFs.create_dir(path)
    }
}

/// Where the 10,000-visit vault lives (under the target directory).
/// Open cases in the big vault.
pub const OPEN_CASES: usize = 500;

pub fn big_vault_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("vault-bench-10k-v2")
}

/// The 10,000-visit vault, built if missing. Its identity uses scrypt
/// work factor 1, so that opening it measures the vault, not the KDF.
pub fn big_vault() -> PathBuf {
    let dir = big_vault_dir();
    if dir.join("done").exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let org = common::org_key();
    let mut opts = common::init_options(&org);
    opts.scrypt_log_n = Some(1);
    let mut v = Vault::init_with(&dir, opts, Arc::new(NoSync)).expect("init");
    for i in 0..FINALIZED + DRAFTS {
        let id = format!("bezoek-{i:05}");
        let mut rec = common::record(&id, &format!("Appelboom {i}"), 40, i % 3, i as u64);
        // 500 families, each followed over about 20 visits: 500 open cases.
        rec.case_id = format!("casus-{:03}", i % OPEN_CASES);
        if i < FINALIZED {
            v.finalize(rec, common::summary(), "2025-03-04T11:00:00")
                .expect("finalize");
        } else {
            v.save_draft(&rec).expect("save");
        }
    }
    drop(v);
    std::fs::write(dir.join("done"), b"").expect("mark done");
    dir
}

/// Open, unlock (KDF at work factor 1) and list: what start-up does.
pub fn open_and_list(dir: &Path) -> usize {
    let mut v = Vault::open(dir).expect("open");
    v.unlock(&common::passphrase()).expect("unlock");
    v.list().expect("list").len()
}

/// Start the worker's app on `dir` and draw its home screen: open the
/// vault, type the passphrase (KDF at work factor 1), list, draw. Returns
/// the number of visits listed.
pub fn start_to_home(dir: &Path) -> usize {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use safevisit::checklist::Catalog;
    use safevisit::tui::app::{Options, RandomIds, State};
    use safevisit::tui::event::{Event, Key};
    use safevisit::tui::shell::Shell;
    use safevisit::tui::store_port::{InitSettings, StoreVault};
    use safevisit::tui::theme::Theme;

    let vault = Vault::open(dir).expect("open");
    let state = State::new(Options {
        lang: safevisit::i18n::Lang::Nl,
        theme: Theme::from_no_color(false),
        size: (80, 24),
        now: time::macros::datetime!(2026-03-04 10:00),
        lock_after: time::Duration::minutes(5),
        catalog: Arc::new(Catalog::bundled()),
        ids: Box::new(RandomIds),
        vault_exists: true,
    });
    let port = StoreVault::new(dir, Some(vault), InitSettings::default());
    let mut shell = Shell::new(
        Terminal::new(TestBackend::new(80, 24)).unwrap(),
        state,
        port,
    );
    shell.draw().unwrap();
    shell.handle(Event::Paste(common::PASSPHRASE.to_string()));
    shell.handle(Event::Key(Key::Enter));
    shell.draw().unwrap();
    assert!(shell.state.unlocked, "unlocked");
    assert_eq!(
        shell.state.cases.len(),
        OPEN_CASES,
        "the open cases are listed"
    );
    shell.state.entries.len()
}
