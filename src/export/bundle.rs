//! A bundle: `age( tar( manifest.json, manifest.json.minisig,
//! visits/SEQ.visit.age … ) )`, a standard binary age file to the
//! organisation recipients whose plaintext is a plain ustar archive
//! (docs/FORMATS.md, "Bundles"). From format 2 on the second file is a
//! minisign signature of the manifest's exact bytes by the device's
//! signing key; a format-1 bundle has none and is read as unsigned.
//!
//! Opening a bundle does not check the signature (only the office knows
//! which key to expect): [`OpenBundle::verify`] does, with the pinned key.
//!
//! Writing streams the archive straight into the age writer; reading
//! streams it back out, record file by record file, so neither side holds
//! a bundle in memory whole. Reading never panics on any input (a property
//! test feeds it arbitrary and mutated bytes).

use std::io::{self, BufRead, Read, Write};

use crate::export::manifest::{self, Manifest};
use crate::export::tar::{TarError, TarFile, TarReader, append};
use crate::signing::{MAX_SIGNATURE_BYTES, SignatureError, SigningKey, VerifyingKey};
use crate::store::envelope::{MAX_RECORD_BYTES, RECORD};
use crate::store::payload::{self, PayloadReader, StreamError};

/// The largest record file a bundle may hold: a record payload at its
/// limit plus the age overhead (header, 16 bytes per 64 KiB chunk).
pub const MAX_RECORD_FILE: usize = MAX_RECORD_BYTES + MAX_RECORD_BYTES / 4096 + 64 * 1024;

/// Why a bundle (as a whole) could not be read. Messages quote nothing
/// from the bundle's contents.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("it is not an age file, so not a safevisit bundle")]
    NotAgeFile,
    #[error("it is cut short (it ends inside its header)")]
    HeaderCutShort,
    #[error("it is encrypted to another key than the identities given with -i")]
    NotForTheseKeys,
    #[error("it fails its integrity check: it was changed, damaged or cut short")]
    Damaged,
    #[error("it holds a single visit record, not a bundle")]
    SingleRecord,
    #[error("it decrypts, but does not hold a bundle: {0}")]
    NotABundle(String),
    #[error("its first file is not manifest.json")]
    NoManifest,
    #[error(
        "it is a bundle of format 2 or later, but its second file is not the manifest's signature (manifest.json.minisig): it was changed or damaged"
    )]
    NoSignatureFile,
    #[error("{0}")]
    Manifest(#[from] manifest::ManifestError),
    #[error("it holds a file larger than allowed ({name})")]
    TooLarge { name: String },
    #[error("reading it failed: {0}")]
    Io(io::Error),
}

/// Map an error from under the archive: the age layer reports a failed
/// integrity check as `InvalidData` and a cut as `UnexpectedEof`.
fn stream_error(e: io::Error) -> BundleError {
    match e.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => BundleError::Damaged,
        _ => BundleError::Io(e),
    }
}

fn tar_error(e: TarError) -> BundleError {
    match e {
        TarError::Io(e) => stream_error(e),
        TarError::Malformed(what) => BundleError::NotABundle(what),
        TarError::TooLarge { name, .. } => BundleError::TooLarge {
            name: printable(&name),
        },
    }
}

/// A name from the input, safe to print: control characters escaped,
/// at most 80 characters.
pub fn printable(s: &str) -> String {
    let mut out: String = s.chars().take(80).flat_map(char::escape_debug).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// The trusted comment of a bundle's signature (signed with the manifest;
/// `minisign -V` prints it).
pub fn trusted_comment(manifest: &Manifest) -> String {
    format!(
        "safevisit-bundle device={} created={}",
        manifest.device.id, manifest.created_at
    )
}

/// Sign `manifest` (its exact bytes, [`Manifest::to_json`]) with the
/// device's key: the text of `manifest.json.minisig`.
pub fn sign_manifest(manifest: &Manifest, key: &SigningKey) -> Result<String, SignatureError> {
    key.sign(&manifest.to_json(), &trusted_comment(manifest))
}

/// Write a bundle to `out`: the manifest, its signature, then each
/// `(name, bytes)` file, as one age stream to `recipients`. Returns `out`
/// after the age stream is finished (the caller flushes and syncs it).
///
/// `signature` is the text of `manifest.json.minisig` ([`sign_manifest`]):
/// required for a manifest of version 2 or later, and refused for a
/// version-1 manifest (format 1 had no signature; tests write one to prove
/// it still reads).
pub fn write<W: Write>(
    out: W,
    recipients: &[&dyn age::Recipient],
    manifest: &Manifest,
    signature: Option<&str>,
    files: &[(String, &[u8])],
    mtime: u64,
) -> io::Result<W> {
    match (manifest.version >= 2, signature) {
        (true, None) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a bundle of format 2 needs the manifest's signature",
            ));
        }
        (false, Some(_)) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a bundle of format 1 has no signature",
            ));
        }
        _ => {}
    }
    let encryptor = age::Encryptor::with_recipients(recipients.iter().copied())
        .map_err(|e| io::Error::other(e.to_string()))?;
    let stream = encryptor.wrap_output(out)?;
    let mut tar = tar::Builder::new(stream);
    append(&mut tar, manifest::NAME, &manifest.to_json(), mtime)?;
    if let Some(sig) = signature {
        append(&mut tar, manifest::SIGNATURE_NAME, sig.as_bytes(), mtime)?;
    }
    for (name, data) in files {
        append(&mut tar, name, data, mtime)?;
    }
    tar.into_inner()?.finish()
}

/// The decrypted stream under the archive, with the bytes already read to
/// tell a bundle from a single record put back in front.
type Plain<R> = io::Chain<io::Cursor<Vec<u8>>, PayloadReader<R>>;

/// An opened bundle: its (checked) manifest, the manifest's exact bytes
/// and signature, then its record files.
pub struct OpenBundle<R: BufRead> {
    pub manifest: Manifest,
    /// `manifest.json` exactly as it is in the archive (what is signed).
    pub manifest_bytes: Vec<u8>,
    /// The text of `manifest.json.minisig`; `None` for a bundle of format
    /// 1 (unsigned). Not checked yet: see [`OpenBundle::verify`].
    pub signature: Option<String>,
    files: TarReader<Plain<R>>,
}

impl<R: BufRead> std::fmt::Debug for OpenBundle<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenBundle")
            .field("device", &self.manifest.device.id)
            .field("visits", &self.manifest.visits.len())
            .finish()
    }
}

/// Decrypt the bundle's age header with `identities`, and read and check
/// its manifest. The record files follow through [`OpenBundle::next_file`].
pub fn open<R: BufRead>(
    src: R,
    identities: &[&dyn age::Identity],
) -> Result<OpenBundle<R>, BundleError> {
    use age::DecryptError as D;
    // age reads and checks the header; the payload streams through
    // store::payload's reader.
    let mut reader = payload::open_stream(src, identities).map_err(|e| match e {
        // A passphrase-encrypted file: never a bundle (and never ask for one).
        StreamError::Passphrase => BundleError::NotForTheseKeys,
        StreamError::Header(e) => match e {
            D::Io(io) if io.kind() == io::ErrorKind::UnexpectedEof => BundleError::HeaderCutShort,
            D::Io(io) if io.kind() != io::ErrorKind::InvalidData => BundleError::Io(io),
            D::NoMatchingKeys | D::ExcessiveWork { .. } => BundleError::NotForTheseKeys,
            D::DecryptionFailed | D::InvalidMac => BundleError::Damaged,
            _ => BundleError::NotAgeFile,
        },
    })?;
    // The first bytes say whether this is a record rather than a bundle.
    let mut head = Vec::with_capacity(8);
    (&mut reader)
        .take(8)
        .read_to_end(&mut head)
        .map_err(stream_error)?;
    if head.as_slice() == RECORD.magic {
        return Err(BundleError::SingleRecord);
    }
    let mut files = TarReader::new(io::Cursor::new(head).chain(reader));
    let first = files
        .next_file(manifest::MAX_BYTES)
        .map_err(tar_error)?
        .ok_or(BundleError::NoManifest)?;
    if first.name != manifest::NAME {
        return Err(BundleError::NoManifest);
    }
    let manifest = Manifest::parse(&first.data)?;
    let signature = if manifest.version >= 2 {
        // The signature is the second file, always: a signed format whose
        // signature can go missing would be an unsigned one.
        let sig = files
            .next_file(MAX_SIGNATURE_BYTES)
            .map_err(|e| match e {
                TarError::TooLarge { .. } => BundleError::NoSignatureFile,
                e => tar_error(e),
            })?
            .ok_or(BundleError::NoSignatureFile)?;
        if sig.name != manifest::SIGNATURE_NAME {
            return Err(BundleError::NoSignatureFile);
        }
        Some(String::from_utf8(sig.data).map_err(|_| BundleError::NoSignatureFile)?)
    } else {
        None
    };
    Ok(OpenBundle {
        manifest,
        manifest_bytes: first.data,
        signature,
        files,
    })
}

impl<R: BufRead> OpenBundle<R> {
    /// Check the manifest's signature against `key` (the device's pinned
    /// signing key). Returns the signature's trusted comment. An unsigned
    /// (format-1) bundle is [`SignatureError::NotASignature`]; the caller
    /// decides whether to accept it (`--allow-unsigned`).
    pub fn verify(&self, key: &VerifyingKey) -> Result<String, SignatureError> {
        let sig = self
            .signature
            .as_deref()
            .ok_or(SignatureError::NotASignature)?;
        key.verify(&self.manifest_bytes, sig)
    }

    /// The next file of the archive (a record file, at most
    /// [`MAX_RECORD_FILE`] bytes); `None` once the archive and the age
    /// stream have ended cleanly. An error means the bundle as a whole is
    /// damaged.
    pub fn next_file(&mut self) -> Result<Option<TarFile>, BundleError> {
        self.files.next_file(MAX_RECORD_FILE).map_err(tar_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::manifest::{Device, ManifestVisit, record_file};

    fn manifest(n: u64) -> Manifest {
        Manifest {
            format: manifest::FORMAT.into(),
            version: manifest::VERSION,
            device: Device {
                id: "device-1".into(),
                name: "laptop-3".into(),
            },
            created_at: "2025-03-04T12:00:00".into(),
            visits: (1..=n)
                .map(|s| ManifestVisit {
                    id: format!("bezoek-{s}"),
                    sequence: s,
                    file: record_file(s),
                    size: 3,
                    sha256: "00".repeat(32),
                    finalized_at: "2025-03-04T11:00:00".into(),
                    checklists: vec![],
                })
                .collect(),
        }
    }

    fn bundle(key: &age::x25519::Identity, m: &Manifest) -> Vec<u8> {
        let files: Vec<(String, &[u8])> = m
            .visits
            .iter()
            .map(|v| (v.file.clone(), &b"abc"[..]))
            .collect();
        let sig = if m.version >= 2 {
            Some(sign_manifest(m, &SigningKey::generate().unwrap()).unwrap())
        } else {
            None
        };
        write(
            Vec::new(),
            &[&key.to_public()],
            m,
            sig.as_deref(),
            &files,
            0,
        )
        .unwrap()
    }

    fn read_all(bytes: &[u8], key: &age::x25519::Identity) -> Result<Vec<TarFile>, BundleError> {
        let mut b = open(bytes, &[key])?;
        let mut out = Vec::new();
        while let Some(f) = b.next_file()? {
            out.push(f);
        }
        Ok(out)
    }

    #[test]
    fn a_bundle_round_trips() {
        let key = age::x25519::Identity::generate();
        let m = manifest(3);
        let bytes = bundle(&key, &m);
        let b = open(&bytes[..], &[&key]).unwrap();
        assert_eq!(b.manifest, m);
        let files = read_all(&bytes, &key).unwrap();
        assert_eq!(files.len(), 3);
        assert_eq!(files[2].name, "visits/00000003.visit.age");
    }

    #[test]
    fn every_cut_and_every_flipped_byte_is_an_error() {
        let key = age::x25519::Identity::generate();
        let bytes = bundle(&key, &manifest(2));
        for cut in (0..bytes.len()).step_by(37) {
            assert!(read_all(&bytes[..cut], &key).is_err(), "cut at {cut}");
        }
        for i in (0..bytes.len()).step_by(23) {
            let mut bad = bytes.clone();
            bad[i] ^= 0x04;
            assert!(read_all(&bad, &key).is_err(), "flip at {i}");
        }
    }

    #[test]
    fn foreign_non_age_and_single_records_are_named() {
        let key = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let bytes = bundle(&key, &manifest(1));
        assert!(matches!(
            open(&bytes[..], &[&other]),
            Err(BundleError::NotForTheseKeys)
        ));
        assert!(matches!(
            open(&b"dit is geen bundel"[..], &[&key]),
            Err(BundleError::NotAgeFile)
        ));
        let mut record = RECORD.magic.to_vec();
        record.extend_from_slice(&[1, 0, 0]);
        let single =
            crate::store::envelope::encrypt(&record, &[&key.to_public()]).expect("encrypt");
        assert!(matches!(
            open(&single[..], &[&key]),
            Err(BundleError::SingleRecord)
        ));
        let text = crate::store::envelope::encrypt(b"hallo", &[&key.to_public()]).unwrap();
        assert!(matches!(
            open(&text[..], &[&key]),
            Err(BundleError::Damaged | BundleError::NotABundle(_))
        ));
    }
}
