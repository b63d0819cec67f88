//! Importing one bundle: decrypt the bundle, check its manifest, then for
//! every record check its SHA-256 against the manifest, decrypt and decode
//! it, and record it in the ledger — all in one transaction.
//!
//! Three stages run side by side: a reader (the bundle's age stream and
//! tar archive), the record work spread over every core with rayon
//! (hash, decrypt, decode, the JSON document), and the ledger inserts on
//! the calling thread. A damaged bundle (its age stream fails anywhere, up
//! to its very last byte) is refused as a whole and nothing of it stays in
//! the ledger; a bad record in a sound bundle is refused on its own.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::export::bundle::{self, BundleError, printable};
use crate::export::manifest::{Manifest, ManifestVisit};
use crate::i18n::Lang;
use crate::store::envelope::{self, EnvelopeError, MAX_RECORD_BYTES, RECORD};
use crate::supervisor::findings;
use crate::supervisor::input::{self, InputError, NotRegular};
use crate::supervisor::keys::Identity;
use crate::supervisor::ledger::{
    Added, BundleSeen, FlagRow, Ledger, LedgerError, OutcomeRow, ScoreRow, VisitRow, person_cols,
};
use crate::visit::record::{FinalRecord, VisitRecord};
use crate::visit::report::{Status, visit_json_bytes};

/// Records handed to the workers at a time.
const CHUNK: usize = 128;

/// Where the time of an import went, summed over records (the work stages
/// run on every core at once, so their sum can exceed the elapsed time).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Hashing the bundle file, its age layer and the tar archive (the
    /// reader thread's working time).
    pub bundle: Duration,
    /// SHA-256 of each record against the manifest.
    pub hash: Duration,
    /// age decryption of each record (X25519 unwrap, ChaCha20-Poly1305).
    pub decrypt: Duration,
    /// bincode decoding of each record.
    pub decode: Duration,
    /// The visit JSON, the findings and the ledger rows of each record.
    pub document: Duration,
    /// Ledger inserts and commits (the calling thread).
    pub ledger: Duration,
    /// Writing visits/*.json, visits.csv and summary.txt.
    pub outputs: Duration,
}

impl std::ops::AddAssign for Timings {
    fn add_assign(&mut self, o: Timings) {
        self.bundle += o.bundle;
        self.hash += o.hash;
        self.decrypt += o.decrypt;
        self.decode += o.decode;
        self.document += o.document;
        self.ledger += o.ledger;
        self.outputs += o.outputs;
    }
}

/// Why a bundle was refused as a whole.
#[derive(Debug)]
pub enum BundleProblem {
    /// The file could not be read.
    Read(io::Error),
    /// It is not a regular file (a FIFO, a device, a folder): never opened.
    NotRegular(NotRegular),
    Bundle(BundleError),
}

impl BundleProblem {
    /// The reason in Dutch or English.
    pub fn describe(&self, lang: Lang) -> String {
        use BundleError as B;
        match (self, lang) {
            (BundleProblem::Read(e), Lang::Nl) => format!("het bestand is niet te lezen ({e})"),
            (BundleProblem::Read(e), Lang::En) => format!("the file cannot be read ({e})"),
            (BundleProblem::NotRegular(kind), Lang::Nl) => format!(
                "het is geen gewoon bestand maar {}; geef het bundelbestand zelf (het .age-bestand van `safevisit export`)",
                kind.name(lang)
            ),
            (BundleProblem::NotRegular(kind), Lang::En) => format!(
                "it is not a regular file but {}; give the bundle file itself (the .age file from `safevisit export`)",
                kind.name(lang)
            ),
            (BundleProblem::Bundle(e), Lang::En) => e.to_string(),
            (BundleProblem::Bundle(e), Lang::Nl) => match e {
                B::NotAgeFile => "het is geen age-bestand, dus geen safevisit-bundel".into(),
                B::HeaderCutShort => "het is afgekapt (het eindigt in de kop)".into(),
                B::NotForTheseKeys => "het is versleuteld voor een andere sleutel dan de sleutels bij -i (na een sleutelwissel: geef ook de oude sleutel)".into(),
                B::Damaged => "de integriteitscontrole faalt: het is veranderd, beschadigd of afgekapt".into(),
                B::SingleRecord => "het is één los bezoekverslag, geen bundel (bundels maakt `safevisit export`)".into(),
                B::NotABundle(what) => format!("het ontsleutelt, maar is geen bundel: {what}"),
                B::NoManifest => "het eerste bestand is niet manifest.json".into(),
                B::Manifest(m) => format!("het manifest is onbruikbaar: {m}"),
                B::TooLarge { name } => format!("het bevat een te groot bestand ({name})"),
                B::Io(e) => format!("lezen mislukte ({e})"),
            },
        }
    }
}

/// Why one record of a sound bundle was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordProblem {
    /// Listed in the manifest, not in the archive.
    Missing,
    /// Its size differs from the manifest.
    WrongSize,
    /// Its SHA-256 differs from the manifest.
    WrongHash,
    /// It does not decrypt or decode.
    Envelope(EnvelopeError),
    /// It decodes, but is a draft (not finalized).
    NotFinalized,
    /// It decodes, but another visit, sequence or device than the manifest says.
    NotAsListed(&'static str),
}

impl RecordProblem {
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (RecordProblem::Missing, Lang::Nl) => {
                "het staat in het manifest maar ontbreekt in de bundel".into()
            }
            (RecordProblem::Missing, Lang::En) => {
                "it is listed in the manifest but missing from the bundle".into()
            }
            (RecordProblem::WrongSize, Lang::Nl) => {
                "de grootte verschilt van het manifest: veranderd of beschadigd".into()
            }
            (RecordProblem::WrongSize, Lang::En) => {
                "its size differs from the manifest: changed or damaged".into()
            }
            (RecordProblem::WrongHash, Lang::Nl) => {
                "de SHA-256 verschilt van het manifest: veranderd of beschadigd".into()
            }
            (RecordProblem::WrongHash, Lang::En) => {
                "its SHA-256 differs from the manifest: changed or damaged".into()
            }
            (RecordProblem::Envelope(e), Lang::En) => format!("it does not open: {e}"),
            (RecordProblem::Envelope(e), Lang::Nl) => format!("het opent niet: {}", envelope_nl(e)),
            (RecordProblem::NotFinalized, Lang::Nl) => {
                "het is een concept, geen afgerond bezoek".into()
            }
            (RecordProblem::NotFinalized, Lang::En) => {
                "it is a draft, not a finalized visit".into()
            }
            (RecordProblem::NotAsListed(what), Lang::Nl) => format!(
                "het bevat een ander {} dan het manifest zegt",
                match *what {
                    "visit id" => "bezoek",
                    "sequence number" => "volgnummer",
                    _ => "apparaat",
                }
            ),
            (RecordProblem::NotAsListed(what), Lang::En) => {
                format!("it holds another {what} than the manifest says")
            }
        }
    }
}

fn envelope_nl(e: &EnvelopeError) -> String {
    use EnvelopeError as E;
    match e {
        E::NotAgeFile => "het is geen age-bestand".into(),
        E::NotForThisKey => "het is versleuteld voor een andere sleutel".into(),
        E::Tampered => "de integriteitscontrole faalt (veranderd of beschadigd)".into(),
        E::Truncated => "het is afgekapt".into(),
        E::TooLarge { limit } => format!("het is groter dan de grens van {limit} bytes"),
        E::WrongKind { .. } => "het is geen bezoekverslag".into(),
        E::UnsupportedVersion { found, newest, .. } => format!(
            "het heeft formaatversie {found}; dit programma leest tot versie {newest} (een nieuwere safevisit maakte het)"
        ),
        E::Undecodable { .. } | E::TrailingBytes { .. } => {
            "de inhoud volgt het formaat niet".into()
        }
        E::Encrypt(m) => m.clone(),
    }
}

/// A record that was refused, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// From the manifest (checked ids only), when known.
    pub visit_id: Option<String>,
    pub sequence: Option<u64>,
    /// The name in the archive (printable), for a file the manifest does
    /// not list.
    pub file: Option<String>,
    pub problem: RecordRejection,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordRejection {
    Record(RecordProblem),
    /// A file the manifest does not list (ignored).
    Unexpected,
    /// A second file of the same name.
    Repeated,
}

impl Rejection {
    pub fn describe(&self, lang: Lang) -> String {
        let what = match (&self.visit_id, self.sequence, &self.file) {
            (Some(id), Some(seq), _) => match lang {
                Lang::Nl => format!("bezoek {id} (volgnummer {seq})"),
                Lang::En => format!("visit {id} (sequence {seq})"),
            },
            (_, _, Some(f)) => match lang {
                Lang::Nl => format!("bestand {f}"),
                Lang::En => format!("file {f}"),
            },
            _ => lang.pick("een bestand", "a file").to_string(),
        };
        let why = match (&self.problem, lang) {
            (RecordRejection::Record(p), _) => p.describe(lang),
            (RecordRejection::Unexpected, Lang::Nl) => {
                "het staat niet in het manifest en is genegeerd".into()
            }
            (RecordRejection::Unexpected, Lang::En) => {
                "it is not listed in the manifest and was ignored".into()
            }
            (RecordRejection::Repeated, Lang::Nl) => {
                "het staat twee keer in de bundel; de tweede is genegeerd".into()
            }
            (RecordRejection::Repeated, Lang::En) => {
                "it is in the bundle twice; the second was ignored".into()
            }
        };
        format!("{what}: {why}")
    }
}

/// A conflict: a record kept aside, never merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub visit_id: String,
    pub device_id: String,
    pub sequence: u64,
    /// `true`: another copy of a known visit; `false`: another visit under
    /// a known sequence number of the device.
    pub same_visit: bool,
}

/// How a bundle went.
#[derive(Debug)]
pub enum BundleOutcome {
    /// Every record is in the ledger now (new or already there).
    Imported,
    /// Some records were refused or kept aside; the rest landed.
    Partly,
    /// Refused as a whole; nothing of it is in the ledger.
    Rejected(BundleProblem),
    /// The same file was imported completely before (by its SHA-256).
    Known,
}

/// The report of one bundle.
#[derive(Debug)]
pub struct BundleReport {
    pub file: String,
    pub outcome: BundleOutcome,
    /// `(id, name)` from the manifest.
    pub device: Option<(String, String)>,
    pub new: u64,
    pub duplicate: u64,
    pub conflicts: Vec<Conflict>,
    pub rejections: Vec<Rejection>,
    pub timings: Timings,
    /// Records decrypted (for per-record figures).
    pub records: u64,
    /// The JSON documents of the new visits, `(visit id, document)`, until
    /// their files are written (after the bundle is committed).
    pub docs: Vec<(String, Vec<u8>)>,
}

/// Told how far an import is (the shell draws a progress bar).
pub trait Progress: Sync {
    /// More records are known to come.
    fn add_total(&self, _n: u64) {}
    /// Records handled.
    fn done(&self, _n: u64) {}
}

impl Progress for () {}

/// One record file on its way through the stages.
struct Raw {
    index: usize,
    data: Vec<u8>,
}

/// What the record work hands the ledger thread: a chunk of records, or
/// word that the bundle's last chunk is being worked on (the reader is
/// done), so that the next bundle can start reading.
enum Done {
    Chunk(Vec<Processed>),
    LastUnderway,
}

enum Processed {
    Ok {
        row: Box<VisitRow>,
        data: Vec<u8>,
        t: Timings,
    },
    Refused {
        index: usize,
        problem: RecordProblem,
        t: Timings,
    },
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// The ledger rows of a decoded record.
pub fn visit_row(rec: VisitRecord, sha256: String, version: u16) -> Option<VisitRow> {
    let fin = rec.finalized.as_ref()?;
    let doc = visit_json_bytes(&rec, Status::Finalized, &fin.summary);
    let findings = findings::findings(&rec, &fin.summary);
    let mut stamps: Vec<String> = Vec::new();
    for s in &rec.sheets {
        let stamp = format!("{}@{}", s.checklist.id, s.checklist.version);
        if !stamps.contains(&stamp) {
            stamps.push(stamp);
        }
    }
    // Only active flags count; lapsed and withdrawn ones are counted apart.
    let mut counts = [0u32; 4];
    let (mut lapsed, mut withdrawn) = (0u32, 0u32);
    for f in &rec.flags {
        match f.state.as_str() {
            "lapsed" => {
                lapsed += 1;
                continue;
            }
            "withdrawn" => {
                withdrawn += 1;
                continue;
            }
            _ => {}
        }
        match f.level.as_str() {
            "acute" => counts[0] += 1,
            "structural" => counts[1] += 1,
            "attention" => counts[2] += 1,
            _ => {}
        }
        if f.acknowledged_at.is_none() {
            counts[3] += 1;
        }
    }
    // Sheets by status (`afgenomen` is not counted), and people removed.
    let mut status_counts = [0u32; 5];
    for s in &rec.sheets {
        let at = crate::supervisor::ledger::STATUS_COLUMNS[..4]
            .iter()
            .position(|c| c.strip_prefix("sheets_") == Some(s.status.as_str()));
        if let Some(i) = at {
            status_counts[i] += 1;
        }
    }
    status_counts[4] = u32::try_from(rec.removed.len()).unwrap_or(u32::MAX);
    let children = u32::try_from(rec.children.len()).unwrap_or(u32::MAX);
    let caregivers = u32::try_from(rec.caregivers.len()).unwrap_or(u32::MAX);
    // The record is taken apart: its strings move into the rows.
    let VisitRecord {
        id,
        label,
        date,
        created_at,
        flags,
        finalized,
        ..
    } = rec;
    let FinalRecord {
        sequence,
        finalized_at,
        device_id,
        summary,
        ..
    } = finalized?;
    Some(VisitRow {
        visit_id: id,
        device_id,
        sequence,
        date,
        label,
        created_at,
        finalized_at,
        record_sha256: sha256,
        record_version: version,
        checklists: stamps.join(" "),
        children,
        caregivers,
        flag_counts: counts,
        flags_lapsed: lapsed,
        flags_withdrawn: withdrawn,
        missing_required: summary.missing_required,
        status_counts,
        findings,
        flags: flags
            .into_iter()
            .map(|f| FlagRow {
                checklist: f.checklist,
                person: person_cols(f.person),
                flag: f.flag,
                level: f.level,
                item: f.item,
                entry: f.entry,
                message_nl: f.message.nl,
                message_en: f.message.en,
                raised_at: f.raised_at,
                acknowledged_at: f.acknowledged_at,
                state: f.state,
                state_at: f.state_at,
            })
            .collect(),
        scores: summary
            .scores
            .into_iter()
            .map(|s| ScoreRow {
                checklist: s.checklist,
                person: person_cols(s.person),
                score: s.score,
                value: s.value,
                band: s.band,
                answered: s.answered,
                visible: s.visible,
            })
            .collect(),
        outcomes: summary
            .outcomes
            .into_iter()
            .map(|o| OutcomeRow {
                checklist: o.checklist,
                person: person_cols(o.person),
                outcome: o.outcome,
                value: o.value,
            })
            .collect(),
        doc,
    })
}

/// Check, decrypt and decode one record against its manifest entry.
fn process(
    raw: Raw,
    listed: &ManifestVisit,
    device_id: &str,
    identities: &[Identity],
) -> Processed {
    let mut t = Timings::default();
    let index = raw.index;
    let refused = |problem, t| Processed::Refused { index, problem, t };
    if raw.data.len() as u64 != listed.size {
        return refused(RecordProblem::WrongSize, t);
    }
    let clock = Instant::now();
    let digest = Sha256::digest(&raw.data);
    let sha = hex(&digest);
    t.hash = clock.elapsed();
    if sha != listed.sha256 {
        return refused(RecordProblem::WrongHash, t);
    }
    let clock = Instant::now();
    let ids: Vec<&dyn age::Identity> = identities
        .iter()
        .map(|i| i.as_ref() as &dyn age::Identity)
        .collect();
    let plain = envelope::decrypt(&raw.data, &ids, MAX_RECORD_BYTES);
    t.decrypt = clock.elapsed();
    let plain = match plain {
        Ok(p) => p,
        Err(e) => return refused(RecordProblem::Envelope(e), t),
    };
    let clock = Instant::now();
    let version = envelope::split(RECORD, &plain).map(|(v, _)| v).unwrap_or(0);
    let rec = envelope::decode_record(&plain);
    drop(plain);
    t.decode = clock.elapsed();
    let rec = match rec {
        Ok(r) => r,
        Err(e) => return refused(RecordProblem::Envelope(e), t),
    };
    let Some(fin) = rec.finalized.as_ref() else {
        return refused(RecordProblem::NotFinalized, t);
    };
    if rec.id != listed.id {
        return refused(RecordProblem::NotAsListed("visit id"), t);
    }
    if fin.sequence != listed.sequence {
        return refused(RecordProblem::NotAsListed("sequence number"), t);
    }
    if fin.device_id != device_id {
        return refused(RecordProblem::NotAsListed("device"), t);
    }
    let clock = Instant::now();
    let row = visit_row(rec, sha, version);
    t.document = clock.elapsed();
    match row {
        Some(row) => Processed::Ok {
            row: Box::new(row),
            data: raw.data,
            t,
        },
        None => refused(RecordProblem::NotFinalized, t),
    }
}

/// SHA-256 of the first `size` bytes of a regular file (its size when it
/// was opened), read in a stream at its own offsets (`pread`), so that the
/// bundle's reader on the same file is not disturbed. Bounded by `size`
/// whatever the file does meanwhile.
fn hash_file(file: &File, size: u64) -> io::Result<String> {
    use std::os::unix::fs::FileExt;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut at = 0u64;
    while at < size {
        let want = buf
            .len()
            .min(usize::try_from(size - at).unwrap_or(usize::MAX));
        let n = match file.read_at(&mut buf[..want], at) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        at += n as u64;
    }
    Ok(hex(&hasher.finalize()))
}

/// A reader that hashes every byte passing through it: the bundle file's
/// SHA-256, taken while the file is decrypted, so that it is read once.
struct Hashing<R> {
    inner: R,
    state: Arc<std::sync::Mutex<(Sha256, u64)>>,
}

impl<R> Hashing<R> {
    fn add(&self, bytes: &[u8]) {
        if let Ok(mut s) = self.state.lock() {
            s.0.update(bytes);
            s.1 += bytes.len() as u64;
        }
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.add(&buf[..n]);
        Ok(n)
    }
}

impl<R: io::BufRead> io::BufRead for Hashing<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        // The bytes being consumed are still in the buffer.
        if let Ok(buf) = self.inner.fill_buf() {
            let bytes = &buf[..amount.min(buf.len())];
            if let Ok(mut s) = self.state.lock() {
                s.0.update(bytes);
                s.1 += bytes.len() as u64;
            }
        }
        self.inner.consume(amount);
    }
}

/// The bundle file, shared with the whole-file hash (which reads at its
/// own offsets).
struct SharedFile(Arc<File>);

impl Read for SharedFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self.0).read(buf)
    }
}

/// The bundle reader's handle on the opened file.
fn reader_file(
    file: &Result<(Arc<File>, u64), BundleProblem>,
) -> Result<SharedFile, BundleProblem> {
    match file {
        Ok((f, _)) => Ok(SharedFile(Arc::clone(f))),
        // (Never reported: `finish` reports the file's own problem.)
        Err(_) => Err(BundleProblem::Read(io::ErrorKind::InvalidInput.into())),
    }
}

/// What the reader thread saw besides the records it passed on.
struct ReaderEnd {
    result: Result<(), BundleError>,
    seen: Vec<bool>,
    unexpected: Vec<(String, bool)>,
    busy: Duration,
}

/// A bundle whose reading and record work has started (on other threads):
/// the file's hash is being computed, its records are being decrypted.
/// [`finish`] records it in the ledger; dropping it stops the threads.
pub struct Started<'scope> {
    file_name: String,
    /// The opened file (its size when opened), for a hash of its own.
    file: Result<(Arc<File>, u64), BundleProblem>,
    /// The SHA-256 of the bytes read so far, and their number.
    hashed: Arc<std::sync::Mutex<(Sha256, u64)>>,
    opened: Result<Running<'scope>, BundleProblem>,
    open_time: Duration,
}

struct Running<'scope> {
    manifest: Arc<Manifest>,
    batches: mpsc::Receiver<Done>,
    reader: std::thread::ScopedJoinHandle<'scope, ReaderEnd>,
    worker: std::thread::ScopedJoinHandle<'scope, ()>,
}

impl std::fmt::Debug for Started<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Started")
            .field("file", &self.file_name)
            .finish_non_exhaustive()
    }
}

/// Start a bundle: decrypt its header and manifest, and set a reader (which
/// also hashes the file) and the record work going on threads of `scope`.
/// Nothing here touches the ledger, so it can run while the previous bundle
/// commits.
pub fn start<'scope, 'env: 'scope>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    path: &'env Path,
    identities: &'env [Identity],
) -> Started<'scope> {
    let file_name = printable(
        &path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string()),
    );
    let hashed = Arc::new(std::sync::Mutex::new((Sha256::new(), 0u64)));
    let clock = Instant::now();
    // A regular file only: a FIFO or a device is refused before it is
    // opened for reading (it could block or never end).
    let file = input::open_regular(path)
        .map(|(f, size)| (Arc::new(f), size))
        .map_err(|e| match e {
            InputError::Io(e) => BundleProblem::Read(e),
            InputError::NotRegular(kind) => BundleProblem::NotRegular(kind),
        });
    let opened = reader_file(&file)
        .and_then(|f| {
            let ids: Vec<&dyn age::Identity> = identities
                .iter()
                .map(|i| i.as_ref() as &dyn age::Identity)
                .collect();
            let reader = Hashing {
                inner: BufReader::with_capacity(256 * 1024, f),
                state: Arc::clone(&hashed),
            };
            bundle::open(reader, &ids).map_err(BundleProblem::Bundle)
        })
        .map(|mut opened| {
            let manifest = Arc::new(opened.manifest.clone());
            let listed = manifest.visits.len();
            // Up to eight chunks waiting at each step (about 20 MB of
            // records, 40 MB of documents): enough for the record work to
            // go on while the ledger thread waits for a commit's fsync.
            // A chunk with `true`: the bundle's last.
            let (raw_tx, raw_rx) = mpsc::sync_channel::<(Vec<Raw>, bool)>(8);
            let (done_tx, done_rx) = mpsc::sync_channel::<Done>(9);
            let m = Arc::clone(&manifest);
            let reader = scope.spawn(move || {
                let by_name: HashMap<&str, usize> = m
                    .visits
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (v.file.as_str(), i))
                    .collect();
                let mut end = ReaderEnd {
                    result: Ok(()),
                    seen: vec![false; listed],
                    unexpected: Vec::new(),
                    busy: Duration::ZERO,
                };
                let mut chunk = Vec::with_capacity(CHUNK);
                loop {
                    let clock = Instant::now();
                    let next = opened.next_file();
                    end.busy += clock.elapsed();
                    match next {
                        Ok(Some(f)) => match by_name.get(f.name.as_str()) {
                            Some(&i) if !end.seen[i] => {
                                end.seen[i] = true;
                                chunk.push(Raw {
                                    index: i,
                                    data: f.data,
                                });
                                if chunk.len() == CHUNK
                                    && raw_tx.send((std::mem::take(&mut chunk), false)).is_err()
                                {
                                    break;
                                }
                            }
                            Some(_) => end.unexpected.push((printable(&f.name), true)),
                            None => end.unexpected.push((printable(&f.name), false)),
                        },
                        Ok(None) => {
                            let _ = raw_tx.send((chunk, true));
                            break;
                        }
                        Err(e) => {
                            end.result = Err(e);
                            break;
                        }
                    }
                }
                end
            });
            let m = Arc::clone(&manifest);
            let worker = scope.spawn(move || {
                for (chunk, last) in raw_rx {
                    if last && done_tx.send(Done::LastUnderway).is_err() {
                        break;
                    }
                    let out: Vec<Processed> = chunk
                        .into_par_iter()
                        .map(|raw| {
                            let listed = &m.visits[raw.index];
                            process(raw, listed, &m.device.id, identities)
                        })
                        .collect();
                    if done_tx.send(Done::Chunk(out)).is_err() {
                        break;
                    }
                }
            });
            Running {
                manifest,
                batches: done_rx,
                reader,
                worker,
            }
        });
    Started {
        file_name,
        file,
        hashed,
        opened,
        open_time: clock.elapsed(),
    }
}

/// Import one bundle file. `Err` only when the ledger itself fails (the
/// bundle's transaction is then rolled back); everything wrong with the
/// bundle is in the report.
pub fn import_bundle(
    ledger: &mut Ledger,
    path: &Path,
    identities: &[Identity],
    now: &str,
    progress: &dyn Progress,
) -> Result<BundleReport, LedgerError> {
    std::thread::scope(|s| {
        finish(
            ledger,
            start(s, path, identities),
            now,
            progress,
            || {},
            || None,
        )
    })
}

/// Record a started bundle in the ledger, in one transaction. `reading_done`
/// is called once, as soon as the bundle's reader has finished and its last
/// records are being worked on (or, at the latest, once everything has been
/// received): the caller may start the next bundle then, so that the
/// workers find its first records waiting when they finish these.
/// `written_through`, called just before the commit, may give the `visit_no`
/// up to which JSON files are written, to note in the same transaction.
pub fn finish(
    ledger: &mut Ledger,
    started: Started<'_>,
    now: &str,
    progress: &dyn Progress,
    reading_done: impl FnOnce(),
    written_through: impl FnOnce() -> Option<i64>,
) -> Result<BundleReport, LedgerError> {
    let mut reading_done = Some(reading_done);
    let mut start_next = move || {
        if let Some(f) = reading_done.take() {
            f();
        }
    };
    let Started {
        file_name,
        file,
        hashed,
        opened,
        open_time,
    } = started;
    let mut report = BundleReport {
        file: file_name.clone(),
        outcome: BundleOutcome::Imported,
        device: None,
        new: 0,
        duplicate: 0,
        conflicts: Vec::new(),
        rejections: Vec::new(),
        timings: Timings::default(),
        records: 0,
        docs: Vec::new(),
    };
    report.timings.bundle += open_time;
    let (file, size) = match file {
        Ok(f) => f,
        Err(problem) => {
            drop(opened);
            start_next();
            report.outcome = BundleOutcome::Rejected(problem);
            return Ok(report);
        }
    };
    let mut seen = BundleSeen {
        sha256: String::new(),
        file_name,
        size,
        seen_at: now.to_string(),
    };
    // A file imported completely before is known by its SHA-256. The hash
    // is taken as the file streams through the reader; only when a bundle
    // of the very same size was imported before is the file hashed first,
    // so that a repeated import costs no decryption.
    let clock = Instant::now();
    if ledger.imported_with_size(size)? {
        match hash_file(&file, size) {
            Ok(sha256) => seen.sha256 = sha256,
            Err(e) => {
                start_next();
                report.outcome = BundleOutcome::Rejected(BundleProblem::Read(e));
                return Ok(report);
            }
        }
        if let Some((listed, device)) = ledger.imported_before(&seen.sha256)? {
            // Dropping `opened` stops its threads.
            drop(opened);
            start_next();
            ledger.record_bundle(&seen, "known", None, device.as_deref(), listed)?;
            report.outcome = BundleOutcome::Known;
            report.duplicate = listed;
            report.timings.ledger += clock.elapsed();
            return Ok(report);
        }
    }
    report.timings.ledger += clock.elapsed();
    // The hash of the whole file: the streamed one when every byte went
    // through the reader, or a pass of its own.
    let whole_hash = |seen: &BundleSeen| -> String {
        if !seen.sha256.is_empty() {
            return seen.sha256.clone();
        }
        if let Ok(state) = hashed.lock()
            && state.1 == size
        {
            return hex(&state.0.clone().finalize());
        }
        hash_file(&file, size).unwrap_or_default()
    };
    let running = match opened {
        Ok(r) => r,
        Err(problem) => {
            start_next();
            seen.sha256 = whole_hash(&seen);
            let reason = (problem.describe(Lang::En), problem.describe(Lang::Nl));
            ledger.record_bundle(&seen, "rejected", Some((&reason.0, &reason.1)), None, 0)?;
            report.outcome = BundleOutcome::Rejected(problem);
            return Ok(report);
        }
    };
    let Running {
        manifest,
        batches,
        reader,
        worker,
    } = running;
    let listed = manifest.visits.len();
    report.device = Some((manifest.device.id.clone(), manifest.device.name.clone()));
    progress.add_total(listed as u64);

    let clock = Instant::now();
    let mut tx = ledger.begin_bundle(
        &seen,
        (&manifest.device.id, &manifest.device.name),
        &manifest.created_at,
        listed as u64,
    )?;
    report.timings.ledger += clock.elapsed();

    let mut ledger_error: Option<LedgerError> = None;
    for done in batches {
        let batch = match done {
            Done::Chunk(batch) => batch,
            Done::LastUnderway => {
                start_next();
                continue;
            }
        };
        let clock = Instant::now();
        let n = batch.len() as u64;
        for p in batch {
            match p {
                Processed::Ok { row, data, t } => {
                    report.timings += t;
                    report.records += 1;
                    match tx.add(&row, &data) {
                        Ok(Added::New) => {
                            report.new += 1;
                            let row = *row;
                            report.docs.push((row.visit_id, row.doc));
                        }
                        Ok(Added::Duplicate) => report.duplicate += 1,
                        Ok(kind) => report.conflicts.push(Conflict {
                            visit_id: row.visit_id.clone(),
                            device_id: row.device_id.clone(),
                            sequence: row.sequence,
                            same_visit: kind == Added::ConflictSameVisit,
                        }),
                        Err(e) => {
                            ledger_error = Some(e);
                            break;
                        }
                    }
                }
                Processed::Refused { index, problem, t } => {
                    report.timings += t;
                    if t.decrypt > Duration::ZERO {
                        report.records += 1;
                    }
                    let v = &manifest.visits[index];
                    let r = Rejection {
                        visit_id: Some(v.id.clone()),
                        sequence: Some(v.sequence),
                        file: None,
                        problem: RecordRejection::Record(problem),
                    };
                    if let Err(e) = tx.reject(
                        Some(&v.id),
                        Some(v.sequence),
                        Some(&v.file),
                        (&r.describe(Lang::En), &r.describe(Lang::Nl)),
                    ) {
                        ledger_error = Some(e);
                        break;
                    }
                    report.rejections.push(r);
                }
            }
        }
        report.timings.ledger += clock.elapsed();
        progress.done(n);
        if ledger_error.is_some() {
            break;
        }
    }
    // (`batches` is dropped here: on an early stop the threads end too.)
    let end = reader.join();
    let _ = worker.join();
    start_next();
    if let Some(e) = ledger_error {
        return Err(e);
    }
    let end = end.map_err(|_| LedgerError::Internal)?;
    report.timings.bundle += end.busy;
    if let Err(e) = end.result {
        // Damaged somewhere: nothing of this bundle stays (the transaction
        // is rolled back when dropped).
        drop(tx);
        seen.sha256 = whole_hash(&seen);
        let problem = BundleProblem::Bundle(e);
        let reason = (problem.describe(Lang::En), problem.describe(Lang::Nl));
        ledger.record_bundle(
            &seen,
            "rejected",
            Some((&reason.0, &reason.1)),
            Some(&manifest.device.id),
            listed as u64,
        )?;
        report.outcome = BundleOutcome::Rejected(problem);
        report.new = 0;
        report.duplicate = 0;
        report.conflicts.clear();
        report.rejections.clear();
        report.docs.clear();
        return Ok(report);
    }
    let clock = Instant::now();
    for (i, v) in manifest.visits.iter().enumerate() {
        if !end.seen[i] {
            let r = Rejection {
                visit_id: Some(v.id.clone()),
                sequence: Some(v.sequence),
                file: None,
                problem: RecordRejection::Record(RecordProblem::Missing),
            };
            tx.reject(
                Some(&v.id),
                Some(v.sequence),
                Some(&v.file),
                (&r.describe(Lang::En), &r.describe(Lang::Nl)),
            )?;
            report.rejections.push(r);
        }
    }
    for (name, repeated) in end.unexpected {
        let r = Rejection {
            visit_id: None,
            sequence: None,
            file: Some(name.clone()),
            problem: if repeated {
                RecordRejection::Repeated
            } else {
                RecordRejection::Unexpected
            },
        };
        tx.reject(
            None,
            None,
            Some(&name),
            (&r.describe(Lang::En), &r.describe(Lang::Nl)),
        )?;
        report.rejections.push(r);
    }
    if let Some(visit_no) = written_through() {
        tx.note_docs_written_through(visit_no);
    }
    // (The reader has read the file to its end by now.)
    tx.set_sha256(&whole_hash(&seen))?;
    tx.commit(
        report.new,
        report.duplicate,
        report.conflicts.len() as u64,
        report.rejections.len() as u64,
    )?;
    report.timings.ledger += clock.elapsed();
    if !report.conflicts.is_empty() || !report.rejections.is_empty() {
        report.outcome = BundleOutcome::Partly;
    }
    Ok(report)
}
