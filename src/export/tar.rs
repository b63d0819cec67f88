//! The `tar` layer of a bundle: a plain POSIX ustar archive of regular
//! files (docs/FORMATS.md, "Bundles").
//!
//! Writing goes through the `tar` crate, so the archive is what every `tar`
//! tool expects. Reading is a small, strict reader of its own: only the
//! ustar header this program writes (regular files, short names), every
//! size checked against a limit before anything is allocated, and every
//! malformed byte an error, never a panic. It streams: a bundle is never
//! held in memory whole.

use std::io::{self, BufRead, Read, Write};

/// A tar block.
const BLOCK: usize = 512;

/// Why an archive could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TarError {
    /// The bytes under the archive could not be read (for a bundle: the age
    /// layer failed its integrity check, or the file ended early).
    #[error("reading failed: {0}")]
    Io(#[from] io::Error),
    /// The archive is not what this program writes.
    #[error("{0}")]
    Malformed(String),
    /// A file in the archive is larger than allowed.
    #[error("{name} is larger than the limit of {limit} bytes")]
    TooLarge { name: String, limit: usize },
}

/// One file of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TarFile {
    pub name: String,
    pub data: Vec<u8>,
}

/// Append one regular file (mode 0600, owner 0, the given time) to `b`.
pub fn append<W: Write>(
    b: &mut tar::Builder<W>,
    name: &str,
    data: &[u8],
    mtime: u64,
) -> io::Result<()> {
    let mut h = tar::Header::new_ustar();
    h.set_path(name)?;
    h.set_size(data.len() as u64);
    h.set_mode(0o600);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(mtime);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    b.append(&h, data)
}

/// Reads the files of an archive one by one.
pub struct TarReader<R> {
    inner: R,
    ended: bool,
}

fn malformed(what: impl Into<String>) -> TarError {
    TarError::Malformed(what.into())
}

/// An octal field: optional leading spaces, octal digits, then NUL or
/// spaces to the end.
fn octal(field: &[u8], what: &str) -> Result<u64, TarError> {
    let bad = || malformed(format!("the {what} field of a tar header is not a number"));
    let mut i = 0;
    while i < field.len() && field[i] == b' ' {
        i += 1;
    }
    let start = i;
    let mut n: u64 = 0;
    while i < field.len() && (b'0'..=b'7').contains(&field[i]) {
        n = n
            .checked_mul(8)
            .and_then(|n| n.checked_add(u64::from(field[i] - b'0')))
            .ok_or_else(bad)?;
        i += 1;
    }
    if i == start || field[i..].iter().any(|&c| c != 0 && c != b' ') {
        return Err(bad());
    }
    Ok(n)
}

/// The text of a NUL-terminated field.
fn text(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&c| c == 0).unwrap_or(field.len());
    &field[..end]
}

/// Read until `buf` is full or the input ends; the number of bytes read.
/// A clean end of the input is not an error here (the caller decides);
/// errors are those of the input (for a bundle: the age layer's).
fn fill(r: &mut impl Read, buf: &mut [u8]) -> Result<usize, TarError> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(TarError::Io(e)),
        }
    }
    Ok(got)
}

/// Fill `buf` completely, or the archive is cut short.
fn fill_all(r: &mut impl Read, buf: &mut [u8]) -> Result<(), TarError> {
    if fill(r, buf)? < buf.len() {
        return Err(malformed("the archive is cut short"));
    }
    Ok(())
}

impl<R: BufRead> TarReader<R> {
    pub fn new(inner: R) -> TarReader<R> {
        TarReader {
            inner,
            ended: false,
        }
    }

    /// The next file, at most `limit` bytes; `None` at the end of the
    /// archive. After the end-of-archive block, everything up to the end of
    /// the input must be zero bytes: the input is read to its very end, so
    /// that a damaged or cut-short age layer after the archive is noticed.
    pub fn next_file(&mut self, limit: usize) -> Result<Option<TarFile>, TarError> {
        if self.ended {
            return Ok(None);
        }
        let mut h = [0u8; BLOCK];
        fill_all(&mut self.inner, &mut h)?;
        if h.iter().all(|&b| b == 0) {
            self.ended = true;
            self.drain_zeros()?;
            return Ok(None);
        }
        // Checksum: the sum of the header's bytes, the checksum field counted
        // as spaces.
        let stored = octal(&h[148..156], "checksum")?;
        let sum: u64 = h
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    u64::from(b' ')
                } else {
                    u64::from(b)
                }
            })
            .sum();
        if sum != stored {
            return Err(malformed("a tar header has a wrong checksum"));
        }
        if &h[257..263] != b"ustar\0" || &h[263..265] != b"00" {
            return Err(malformed(
                "a tar header is not a POSIX ustar header (this program writes only those)",
            ));
        }
        if !matches!(h[156], b'0' | 0) {
            return Err(malformed(
                "the archive holds something other than a regular file",
            ));
        }
        if !text(&h[345..500]).is_empty() {
            return Err(malformed("a file name in the archive is too long"));
        }
        let name = std::str::from_utf8(text(&h[0..100]))
            .map_err(|_| malformed("a file name in the archive is not UTF-8"))?
            .to_string();
        if name.is_empty() {
            return Err(malformed("a file in the archive has no name"));
        }
        if h[124] & 0x80 != 0 {
            return Err(malformed("the size field of a tar header is not a number"));
        }
        let size = octal(&h[124..136], "size")?;
        if size > limit as u64 {
            return Err(TarError::TooLarge { name, limit });
        }
        let size = size as usize;
        // Copied straight out of the reader's buffer into fresh capacity
        // (`read_to_end` would zero the capacity first).
        let mut data = Vec::with_capacity(size);
        while data.len() < size {
            let available = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(TarError::Io(e)),
            };
            if available.is_empty() {
                break;
            }
            let n = available.len().min(size - data.len());
            data.extend_from_slice(&available[..n]);
            self.inner.consume(n);
        }
        if data.len() < size {
            return Err(malformed("the archive is cut short"));
        }
        let pad = (BLOCK - size % BLOCK) % BLOCK;
        let mut padding = [0u8; BLOCK];
        fill_all(&mut self.inner, &mut padding[..pad])?;
        Ok(Some(TarFile { name, data }))
    }

    /// Read to the end of the input; only zero bytes may follow the end of
    /// the archive (tar pads with zero blocks).
    fn drain_zeros(&mut self) -> Result<(), TarError> {
        let mut buf = [0u8; 8192];
        loop {
            match self.inner.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) if buf[..n].iter().all(|&b| b == 0) => {}
                Ok(_) => return Err(malformed("there are bytes after the end of the archive")),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(TarError::Io(e)),
            }
        }
    }

    /// The input, for a caller that reads past the archive itself.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in files {
            append(&mut b, name, data, 1_700_000_000).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn read_all(bytes: &[u8], limit: usize) -> Result<Vec<TarFile>, TarError> {
        let mut r = TarReader::new(bytes);
        let mut out = Vec::new();
        while let Some(f) = r.next_file(limit)? {
            out.push(f);
        }
        Ok(out)
    }

    #[test]
    fn reads_what_the_tar_crate_writes() {
        let big = vec![7u8; 1500];
        let bytes = archive(&[
            ("manifest.json", b"{}"),
            ("visits/00000001.visit.age", &big),
            ("leeg", b""),
        ]);
        let files = read_all(&bytes, 4096).unwrap();
        assert_eq!(files.len(), 3);
        assert_eq!(files[0].name, "manifest.json");
        assert_eq!(files[1].data, big);
        assert!(files[2].data.is_empty());
    }

    #[test]
    fn a_file_over_the_limit_is_refused_before_it_is_read() {
        let bytes = archive(&[("groot", &[1u8; 100])]);
        assert!(matches!(
            read_all(&bytes, 99),
            Err(TarError::TooLarge { limit: 99, .. })
        ));
    }

    #[test]
    fn damage_is_an_error() {
        let bytes = archive(&[("a", b"hallo")]);
        // A changed name breaks the checksum.
        let mut bad = bytes.clone();
        bad[0] = b'b';
        assert!(matches!(read_all(&bad, 100), Err(TarError::Malformed(_))));
        // Cut short: inside the data, and before the end block.
        assert!(matches!(
            read_all(&bytes[..600], 100),
            Err(TarError::Malformed(_))
        ));
        assert!(matches!(
            read_all(&bytes[..1024], 100),
            Err(TarError::Malformed(_))
        ));
        // Something after the end.
        let mut longer = bytes.clone();
        longer.extend_from_slice(b"extra");
        assert!(matches!(
            read_all(&longer, 100),
            Err(TarError::Malformed(_))
        ));
        // A symlink.
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_ustar();
        h.set_path("link").unwrap();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_link_name("/etc/passwd").unwrap();
        h.set_size(0);
        h.set_cksum();
        b.append(&h, &b""[..]).unwrap();
        let link = b.into_inner().unwrap();
        assert!(matches!(read_all(&link, 100), Err(TarError::Malformed(_))));
    }

    #[test]
    fn octal_fields() {
        assert_eq!(octal(b"0000644\0", "x").unwrap(), 0o644);
        assert_eq!(octal(b"  12 \0\0\0", "x").unwrap(), 0o12);
        assert!(octal(b"\0\0\0\0", "x").is_err());
        assert!(octal(b"12a\0", "x").is_err());
        assert!(octal(b"77777777777777777777777", "x").is_err());
    }
}
