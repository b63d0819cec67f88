//! Durable, atomic file writes, and every other change the vault makes to
//! the data directory, as small steps behind one trait ([`Fs`]).
//!
//! A write is: create a temporary file beside the target (mode 0600, never
//! an existing file), write the bytes, `fsync` it, rename it over the
//! target, `fsync` the directory. A crash or a failure at any step before
//! the rename leaves the previous version untouched; after the rename the
//! new version is in place. Only ciphertext ever reaches these functions.
//!
//! The steps go through [`Fs`] so that a test can make any single step fail
//! (a full disk, an I/O error) and check that nothing is lost.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Mode of every file the vault writes.
pub const FILE_MODE: u32 = 0o600;
/// Mode of every directory the vault creates.
pub const DIR_MODE: u32 = 0o700;

/// Infix of temporary files: `.NAME.tmp-RANDOM`. Files with it are
/// unfinished writes and are removed when the vault is unlocked.
pub const TEMP_INFIX: &str = ".tmp-";

/// One step of a change to the data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    CreateTemp,
    Write,
    SyncFile,
    Rename,
    SyncDir,
    Remove,
    CreateDir,
}

impl Step {
    /// What the step does, for error messages (English).
    pub fn en(self) -> &'static str {
        match self {
            Step::CreateTemp => "creating the temporary file",
            Step::Write => "writing the temporary file",
            Step::SyncFile => "flushing the temporary file to disk",
            Step::Rename => "putting the new version in place",
            Step::SyncDir => "flushing the folder to disk",
            Step::Remove => "removing a file",
            Step::CreateDir => "creating a folder",
        }
    }

    /// What the step does, for error messages (Dutch).
    pub fn nl(self) -> &'static str {
        match self {
            Step::CreateTemp => "het tijdelijke bestand aanmaken",
            Step::Write => "het tijdelijke bestand schrijven",
            Step::SyncFile => "het tijdelijke bestand naar de schijf schrijven",
            Step::Rename => "de nieuwe versie op zijn plaats zetten",
            Step::SyncDir => "de map naar de schijf schrijven",
            Step::Remove => "een bestand verwijderen",
            Step::CreateDir => "een map aanmaken",
        }
    }

    /// Whether the previous version of the target is certainly still in
    /// place when this step fails during an atomic write.
    pub fn previous_version_kept(self) -> bool {
        matches!(
            self,
            Step::CreateTemp | Step::Write | Step::SyncFile | Step::Rename
        )
    }
}

/// A failed step, with the file or folder it was about.
#[derive(Debug)]
pub struct StepError {
    pub step: Step,
    pub path: PathBuf,
    pub source: io::Error,
}

/// The primitive changes the vault makes to the file system. [`RealFs`] is
/// the only implementation in the program; tests wrap it to inject faults.
pub trait Fs: Send + Sync {
    /// Create a new file (never an existing one) with mode 0600.
    fn create_new(&self, path: &Path) -> io::Result<File>;
    fn write_all(&self, file: &mut File, bytes: &[u8]) -> io::Result<()>;
    fn sync_file(&self, file: &File) -> io::Result<()>;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    /// Create a directory with mode 0700 (an existing one is tightened to 0700).
    fn create_dir(&self, path: &Path) -> io::Result<()>;
}

/// The real file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealFs;

impl Fs for RealFs {
    fn create_new(&self, path: &Path) -> io::Result<File> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(path)?;
        // The umask can only take bits away from 0600, but set it anyway so
        // that no umask, however odd, leaves a different mode.
        file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))?;
        Ok(file)
    }

    fn write_all(&self, file: &mut File, bytes: &[u8]) -> io::Result<()> {
        file.write_all(bytes)
    }

    fn sync_file(&self, file: &File) -> io::Result<()> {
        file.sync_all()
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }

    fn create_dir(&self, path: &Path) -> io::Result<()> {
        match std::fs::DirBuilder::new().mode(DIR_MODE).create(path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => {}
            Err(e) => return Err(e),
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(DIR_MODE))
    }
}

fn step<T>(step: Step, path: &Path, r: io::Result<T>) -> Result<T, StepError> {
    r.map_err(|source| StepError {
        step,
        path: path.to_path_buf(),
        source,
    })
}

/// The temporary name for `target`: `.NAME.tmp-RANDOM` in the same folder.
fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file");
    let random = uuid::Uuid::new_v4().simple().to_string();
    target.with_file_name(format!(".{name}{TEMP_INFIX}{}", &random[..12]))
}

/// Replace `target` by `bytes` durably and atomically (see the module doc).
/// On failure the temporary file is removed (best effort) and the error
/// names the step; [`Step::previous_version_kept`] says what survived.
pub fn write_atomic(fs: &dyn Fs, target: &Path, bytes: &[u8]) -> Result<(), StepError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let temp = temp_path(target);
    let mut file = step(Step::CreateTemp, &temp, fs.create_new(&temp))?;
    let written = step(Step::Write, &temp, fs.write_all(&mut file, bytes))
        .and_then(|()| step(Step::SyncFile, &temp, fs.sync_file(&file)));
    drop(file);
    if let Err(e) = written {
        let _ = fs.remove_file(&temp);
        return Err(e);
    }
    if let Err(e) = step(Step::Rename, target, fs.rename(&temp, target)) {
        let _ = fs.remove_file(&temp);
        return Err(e);
    }
    step(Step::SyncDir, dir, fs.sync_dir(dir))
}

/// Remove `path` durably: unlink, then `fsync` its folder. A file that is
/// already gone is not an error.
pub fn remove_durable(fs: &dyn Fs, path: &Path) -> Result<(), StepError> {
    match fs.remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(StepError {
                step: Step::Remove,
                path: path.to_path_buf(),
                source,
            });
        }
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    step(Step::SyncDir, dir, fs.sync_dir(dir))
}

/// Move `from` to `to` durably (both in the data directory): rename, then
/// `fsync` both folders.
pub fn move_durable(fs: &dyn Fs, from: &Path, to: &Path) -> Result<(), StepError> {
    step(Step::Rename, from, fs.rename(from, to))?;
    let to_dir = to.parent().unwrap_or(Path::new("."));
    step(Step::SyncDir, to_dir, fs.sync_dir(to_dir))?;
    let from_dir = from.parent().unwrap_or(Path::new("."));
    if from_dir != to_dir {
        step(Step::SyncDir, from_dir, fs.sync_dir(from_dir))?;
    }
    Ok(())
}

/// Create `dir` (mode 0700) durably.
pub fn create_dir_durable(fs: &dyn Fs, dir: &Path) -> Result<(), StepError> {
    step(Step::CreateDir, dir, fs.create_dir(dir))?;
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        step(Step::SyncDir, parent, fs.sync_dir(parent))?;
    }
    Ok(())
}

/// Whether `name` is a temporary file left by an unfinished write.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.contains(TEMP_INFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.age");
        write_atomic(&RealFs, &target, b"one").unwrap();
        write_atomic(&RealFs, &target, b"two").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, FILE_MODE);
    }

    #[test]
    fn temp_names_are_recognised() {
        let t = temp_path(Path::new("/x/drafts/abc.age"));
        let name = t.file_name().unwrap().to_str().unwrap();
        assert!(is_temp_name(name), "{name}");
        assert!(!is_temp_name("abc.age"));
    }

    #[test]
    fn removing_a_missing_file_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        remove_durable(&RealFs, &dir.path().join("gone")).unwrap();
    }
}
