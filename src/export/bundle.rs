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
//! streams it back out through the `age` crate's own decryptor and stream
//! reader, record file by record file, so neither side holds a bundle in
//! memory whole. The age header is read through [`HeaderCap`]: at most
//! [`MAX_HEADER`] bytes, whatever the file holds. Reading never panics on
//! any input (a property test and a fuzz target feed it arbitrary and
//! mutated bytes).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::export::manifest::{self, Manifest};
use crate::export::tar::{TarError, TarFile, TarReader, append};
use crate::signing::{MAX_SIGNATURE_BYTES, SignatureError, SigningKey, VerifyingKey};
use crate::store::envelope::{MAX_RECORD_BYTES, RECORD};

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

/// The most bytes the age header (with its 16-byte nonce) of a bundle may
/// take. A bundle's header holds one stanza of about 100 bytes per
/// recipient; age's own header parser reads line by line without a bound,
/// so a file of zeros or one endless header line would otherwise be held
/// in memory whole before it is refused.
pub const MAX_HEADER: u64 = 16 * 1024;

/// A reader that lets at most `budget` bytes through until it is lifted:
/// past that, reading fails with [`io::ErrorKind::InvalidData`] (and the
/// file is refused as not an age file). Lifted once age has read the
/// header, so that the payload streams on unbounded.
pub struct HeaderCap<R> {
    inner: R,
    budget: u64,
    lifted: Arc<AtomicBool>,
}

impl<R> HeaderCap<R> {
    /// `inner`, capped at `budget` bytes, and the switch that lifts the cap.
    pub fn new(inner: R, budget: u64) -> (HeaderCap<R>, Arc<AtomicBool>) {
        let lifted = Arc::new(AtomicBool::new(false));
        let cap = HeaderCap {
            inner,
            budget,
            lifted: Arc::clone(&lifted),
        };
        (cap, lifted)
    }

    /// How many bytes may pass now (`None`: no cap any more).
    fn allowed(&self) -> io::Result<Option<u64>> {
        if self.lifted.load(Ordering::Relaxed) {
            return Ok(None);
        }
        if self.budget == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the age header is too long",
            ));
        }
        Ok(Some(self.budget))
    }
}

impl<R: Read> Read for HeaderCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.allowed()? {
            None => self.inner.read(buf),
            Some(budget) => {
                let max = buf.len().min(usize::try_from(budget).unwrap_or(usize::MAX));
                let n = self.inner.read(&mut buf[..max])?;
                self.budget -= n as u64;
                Ok(n)
            }
        }
    }
}

impl<R: BufRead> BufRead for HeaderCap<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let allowed = self.allowed()?;
        let buf = self.inner.fill_buf()?;
        Ok(match allowed {
            None => buf,
            Some(budget) => &buf[..buf.len().min(usize::try_from(budget).unwrap_or(usize::MAX))],
        })
    }

    fn consume(&mut self, amount: usize) {
        if !self.lifted.load(Ordering::Relaxed) {
            self.budget = self.budget.saturating_sub(amount as u64);
        }
        self.inner.consume(amount);
    }
}

/// age's plaintext stream (decrypted chunk by chunk by age's own reader).
/// The buffer in front of it holds the plaintext of the archive, which is
/// the manifest and the records' own age files, never a record's
/// plaintext.
type Stream<R> = BufReader<age::stream::StreamReader<HeaderCap<R>>>;

/// The decrypted stream under the archive, with the bytes already read to
/// tell a bundle from a single record put back in front.
type Plain<R> = io::Chain<io::Cursor<Vec<u8>>, Stream<R>>;

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
    let header_error = |e: D| match e {
        D::Io(io) if io.kind() == io::ErrorKind::UnexpectedEof => BundleError::HeaderCutShort,
        D::Io(io) if io.kind() != io::ErrorKind::InvalidData => BundleError::Io(io),
        D::NoMatchingKeys | D::ExcessiveWork { .. } => BundleError::NotForTheseKeys,
        D::DecryptionFailed | D::InvalidMac => BundleError::Damaged,
        _ => BundleError::NotAgeFile,
    };
    // age reads and checks the header (at most MAX_HEADER bytes of it) and
    // unwraps the file key; its stream reader decrypts the payload.
    let (src, lift) = HeaderCap::new(src, MAX_HEADER);
    let decryptor = age::Decryptor::new_buffered(src).map_err(header_error)?;
    if decryptor.is_scrypt() {
        // A passphrase-encrypted file: never a bundle (and never ask for one).
        return Err(BundleError::NotForTheseKeys);
    }
    let stream = decryptor
        .decrypt(identities.iter().copied())
        .map_err(header_error)?;
    lift.store(true, Ordering::Relaxed);
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
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
            closed_cases: Vec::new(),
            format: manifest::FORMAT.into(),
            version: manifest::VERSION,
            device: Device {
                id: "device-1".into(),
                name: "laptop-3".into(),
            },
            created_at: "2025-03-04T12:00:00".into(),
            visits: (1..=n)
                .map(|s| ManifestVisit {
                    case_id: None,
                    follows: None,
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

    /// Counts the bytes taken from it.
    struct Counting<R> {
        inner: R,
        taken: u64,
    }

    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.taken += n as u64;
            Ok(n)
        }
    }

    #[test]
    fn an_endless_input_is_refused_after_a_bounded_header() {
        let key = age::x25519::Identity::generate();
        let endless_line =
            io::Cursor::new(b"age-encryption.org/v1\n-> X25519 ".to_vec()).chain(io::repeat(b'A'));
        let inputs: [Box<dyn Read>; 3] = [
            Box::new(io::repeat(0)),
            Box::new(endless_line),
            Box::new(io::repeat(b'\n')),
        ];
        for (n, input) in inputs.into_iter().enumerate() {
            // A small buffer, so that what was taken shows what age read.
            let mut counting = Counting {
                inner: input,
                taken: 0,
            };
            let result = open(io::BufReader::with_capacity(1024, &mut counting), &[&key]);
            assert!(
                matches!(result, Err(BundleError::NotAgeFile)),
                "input {n}: {result:?}"
            );
            assert!(
                counting.taken <= MAX_HEADER + 1024,
                "input {n}: {} bytes read",
                counting.taken
            );
        }
    }

    #[test]
    fn the_cap_lets_a_sound_header_and_the_whole_payload_through() {
        let key = age::x25519::Identity::generate();
        // Many recipients make a header of about 8 KiB, still under the cap.
        let others: Vec<age::x25519::Recipient> = (0..80)
            .map(|_| age::x25519::Identity::generate().to_public())
            .collect();
        let mut recipients: Vec<&dyn age::Recipient> =
            others.iter().map(|r| r as &dyn age::Recipient).collect();
        let own = key.to_public();
        recipients.push(&own);
        let m = manifest(2);
        let files: Vec<(String, &[u8])> = m
            .visits
            .iter()
            .map(|v| (v.file.clone(), &[7u8; 200_000][..]))
            .collect();
        let sig = sign_manifest(&m, &SigningKey::generate().unwrap()).unwrap();
        let bytes = write(Vec::new(), &recipients, &m, Some(&sig), &files, 0).unwrap();
        let files = read_all(&bytes, &key).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[1].data.len(), 200_000);
    }
}
