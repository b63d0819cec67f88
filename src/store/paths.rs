//! Where the data directory is.

use std::path::PathBuf;

/// The platform's data directory for safevisit (for example
/// `~/.local/share/safevisit` on Linux), if the platform has one.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("nl", "safevisit", "safevisit")
        .map(|d| d.data_dir().to_path_buf())
}

/// The data directory to use: the one given, or the platform default.
pub fn data_dir(given: Option<PathBuf>) -> Result<PathBuf, String> {
    match given.or_else(default_data_dir) {
        Some(d) => Ok(d),
        None => Err("no data directory: this platform has no default; pass --data-dir DIR".into()),
    }
}
