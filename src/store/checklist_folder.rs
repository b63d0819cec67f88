//! Reads an organisation's folder of checklist files (`*.toml`).

use std::io::Read;
use std::path::Path;

use crate::checklist::SourceFile;
use crate::checklist::load::MAX_FILE_BYTES;
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
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                crate::checklist::catalog::is_checklist_file_name(&n.to_string_lossy())
            }) && p.is_file()
        })
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let shown = p.display().to_string();
        // A regular file only (a FIFO or a device swapped in after the look
        // above is refused without blocking), and never more than one byte
        // past the limit: the loader reports a file that is too large.
        let bytes = match crate::input::open_regular(&p) {
            Ok((file, _)) => {
                let mut bytes = Vec::new();
                file.take(MAX_FILE_BYTES as u64 + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| format!("cannot read {shown}: {e}"))?;
                bytes
            }
            Err(crate::input::InputError::NotRegular(_)) => continue,
            Err(crate::input::InputError::Io(e)) => {
                return Err(format!("cannot read {shown}: {e}"));
            }
        };
        out.push(SourceFile {
            path: shown.clone(),
            bytes,
            origin: Origin::File(shown),
        });
    }
    Ok(out)
}
