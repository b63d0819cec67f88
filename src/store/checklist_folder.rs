//! Reads an organisation's folder of checklist files (`*.toml`).

use std::path::Path;

use crate::checklist::SourceFile;
use crate::checklist::model::Origin;

/// The name of the checklist folder inside the data directory.
pub const FOLDER: &str = "checklists";

/// Every `*.toml` file in `dir`, in name order. A folder that does not exist
/// holds no files; one that cannot be read is an error naming it.
pub fn read_checklist_folder(dir: &Path) -> Result<Vec<SourceFile>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(format!(
                "cannot read the checklist folder {}: {e}",
                dir.display()
            ));
        }
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let shown = p.display().to_string();
        let bytes = std::fs::read(&p).map_err(|e| format!("cannot read {shown}: {e}"))?;
        out.push(SourceFile {
            path: shown.clone(),
            bytes,
            origin: Origin::File(shown),
        });
    }
    Ok(out)
}
