//! The files read from the command line (bundles and identity files at
//! the office, receipts and cards on a laptop): regular files only, opened
//! without ever blocking.
//!
//! A FIFO blocks in `open()` until a writer comes, `/dev/zero` and
//! `/dev/urandom` never end, and a terminal or another device is not a
//! file at all. Each path is therefore looked at first (`metadata`, which
//! follows symbolic links) and refused unless it is a regular file; it is
//! then opened with `O_NONBLOCK` (so that a FIFO swapped in between the
//! look and the open cannot block either) and the opened file is looked at
//! again (`fstat`). A regular file has a known size, so whatever reads it
//! afterwards (the bundle reader, the whole-file hash) is bounded by it.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use crate::i18n::Lang;

/// What a path is, when it is not a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotRegular {
    Folder,
    Fifo,
    Device,
    Socket,
    Other,
}

impl NotRegular {
    fn of(kind: std::fs::FileType) -> Option<NotRegular> {
        Some(if kind.is_file() {
            return None;
        } else if kind.is_dir() {
            NotRegular::Folder
        } else if kind.is_fifo() {
            NotRegular::Fifo
        } else if kind.is_char_device() || kind.is_block_device() {
            NotRegular::Device
        } else if kind.is_socket() {
            NotRegular::Socket
        } else {
            NotRegular::Other
        })
    }

    /// "a folder", "a pipe (FIFO)", … in Dutch or English.
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            NotRegular::Folder => lang.pick("een map", "a folder"),
            NotRegular::Fifo => lang.pick("een pijp (FIFO)", "a pipe (FIFO)"),
            NotRegular::Device => lang.pick(
                "een apparaat (zoals /dev/zero)",
                "a device (such as /dev/zero)",
            ),
            NotRegular::Socket => lang.pick("een socket", "a socket"),
            NotRegular::Other => lang.pick("iets anders", "something else"),
        }
    }
}

/// Why a path could not be opened as a regular file.
#[derive(Debug)]
pub enum InputError {
    /// It does not exist, may not be read, …
    Io(io::Error),
    /// It exists, but is not a regular file (never opened for reading).
    NotRegular(NotRegular),
}

/// Open `path` for reading if it is a regular file; the file and its size.
pub fn open_regular(path: &Path) -> Result<(File, u64), InputError> {
    let before = std::fs::metadata(path).map_err(InputError::Io)?;
    if let Some(kind) = NotRegular::of(before.file_type()) {
        return Err(InputError::NotRegular(kind));
    }
    let nonblock = rustix::fs::OFlags::NONBLOCK.bits() as i32;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(nonblock)
        .open(path)
        .map_err(InputError::Io)?;
    // (On a regular file O_NONBLOCK changes nothing.)
    let after = file.metadata().map_err(InputError::Io)?;
    if let Some(kind) = NotRegular::of(after.file_type()) {
        return Err(InputError::NotRegular(kind));
    }
    Ok((file, after.len()))
}

/// Why a file could not be read whole.
#[derive(Debug)]
pub enum ReadError {
    /// It does not exist, may not be read, …
    Io(io::Error),
    /// It exists, but is not a regular file (never opened for reading).
    NotRegular(NotRegular),
    /// It is larger than the cap; its size (nothing of it was kept).
    TooLarge(u64),
}

impl From<InputError> for ReadError {
    fn from(e: InputError) -> ReadError {
        match e {
            InputError::Io(e) => ReadError::Io(e),
            InputError::NotRegular(k) => ReadError::NotRegular(k),
        }
    }
}

/// Read a regular file of at most `cap` bytes whole. Never blocks, and
/// never holds more than `cap + 1` bytes: the size is checked on the open
/// file, and the read stops past the cap in case the file grows meanwhile.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let (file, size) = open_regular(path)?;
    if size > cap {
        return Err(ReadError::TooLarge(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn a_regular_file_opens_with_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bundel.age");
        std::fs::write(&path, b"Kersenboom").unwrap();
        let (_, size) = open_regular(&path).unwrap();
        assert_eq!(size, 10);
    }

    #[test]
    fn a_file_above_the_cap_is_refused_with_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("groot.toml");
        std::fs::write(&path, vec![b'#'; 5000]).unwrap();
        match read_capped(&path, 4096) {
            Err(ReadError::TooLarge(n)) => assert_eq!(n, 5000),
            other => panic!("{:?}", other.map(|b| b.len())),
        }
        assert_eq!(read_capped(&path, 5000).unwrap().len(), 5000);
    }

    #[test]
    fn devices_folders_and_fifos_are_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pijp");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
        )
        .unwrap();
        let clock = Instant::now();
        let cases = [
            (fifo.as_path(), NotRegular::Fifo),
            (Path::new("/dev/zero"), NotRegular::Device),
            (Path::new("/dev/urandom"), NotRegular::Device),
            (dir.path(), NotRegular::Folder),
        ];
        for (path, expected) in cases {
            match open_regular(path) {
                Err(InputError::NotRegular(kind)) => assert_eq!(kind, expected, "{path:?}"),
                other => panic!("{path:?}: {:?}", other.map(|(_, n)| n)),
            }
        }
        assert!(clock.elapsed() < Duration::from_secs(2));
        assert!(matches!(
            read_capped(Path::new("/dev/zero"), 10),
            Err(ReadError::NotRegular(NotRegular::Device))
        ));
        assert!(matches!(
            open_regular(&dir.path().join("bestaat-niet")),
            Err(InputError::Io(e)) if e.kind() == io::ErrorKind::NotFound
        ));
    }
}
