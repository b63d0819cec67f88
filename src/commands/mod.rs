//! The imperative shell of each subcommand: reads arguments and files,
//! calls the core, prints results, returns an exit code.

pub mod app;
pub mod audit;
pub mod case_import;
pub mod checklists;
pub mod device_card;
pub mod erase;
pub mod export;
pub mod init;
pub mod office;
pub mod org_card;
pub mod preview;
pub mod receipt;
pub mod replay;
pub mod secret_input;
pub mod status;
pub mod supervisor;

use crate::checklist::{Catalog, SourceFile};
use crate::cli::Global;
use crate::store::checklist_folder::{FOLDER, read_checklist_folder};

/// The catalog for this run: bundled checklists, the data directory's
/// checklist folder, and any `--checklists DIR`.
pub fn load_catalog(global: &Global) -> Result<Catalog, String> {
    let mut extra: Vec<SourceFile> = Vec::new();
    if let Ok(dir) = crate::store::paths::data_dir(global.data_dir.clone()) {
        extra.extend(read_checklist_folder(&dir.join(FOLDER))?);
    }
    for dir in &global.checklist_dirs {
        if !dir.is_dir() {
            return Err(format!("--checklists {}: not a folder", dir.display()));
        }
        extra.extend(read_checklist_folder(dir)?);
    }
    Ok(Catalog::build(SourceFile::bundled(), extra))
}
