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
use crate::export::manifest::{Manifest, ManifestError, ManifestVisit};
use crate::i18n::Lang;
use crate::input::{self, InputError, NotRegular};
use crate::receipt::ReceiptVisit;
use crate::signing::{SignatureError, VerifyingKey};
use crate::store::envelope::{self, EnvelopeError, MAX_RECORD_BYTES, RECORD};
use crate::supervisor::findings;
use crate::supervisor::keys::Identity;
use crate::supervisor::ledger::{
    Added, BundleSeen, FlagRow, Ledger, LedgerError, OutcomeRow, ScoreRow, VisitRow, person_cols,
};
use crate::supervisor::{devices, receipts};
use crate::visit::record::{FinalRecord, VisitRecord, parse_date, parse_stamp};
use crate::visit::report::{Status, visit_json_bytes};

/// Records handed to the workers at a time.
const CHUNK: usize = 128;

/// The most rejections one bundle adds to the report and the ledger; the
/// rest are counted in one line ("… en nog K afwijzingen").
pub const MAX_REJECTIONS: usize = 100;

/// How far after the import's clock a record's date or time may lie
/// (clocks of laptops drift, and time zones differ): two days.
const FUTURE_DAYS: i64 = 2;

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
    /// Its manifest is not signed (bundle format 1) and `--allow-unsigned`
    /// was not given.
    Unsigned,
    /// Unsigned, and its device is enrolled or revoked: `--allow-unsigned`
    /// never lets such a bundle in (anyone with the organisation's public
    /// key can write a format-1 bundle that names any device).
    UnsignedForEnrolled(String),
    /// Signed, but its device is not enrolled at this office.
    UnknownDevice(String),
    /// The signature does not verify against the device's pinned key.
    WrongSignature {
        device: String,
        error: SignatureError,
    },
    /// The device is revoked, and the bundle was made at or after that.
    Revoked {
        device: String,
        since: String,
        created_at: String,
    },
}

impl BundleProblem {
    /// The reason in Dutch or English.
    pub fn describe(&self, lang: Lang) -> String {
        use BundleError as B;
        match (self, lang) {
            (BundleProblem::Read(e), Lang::Nl) => {
                format!("het bestand is niet te lezen ({})", io_nl(e))
            }
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
            (BundleProblem::Unsigned, Lang::Nl) => "het is niet ondertekend (bundelformaat 1, van vóór de ondertekening): \
                 werk safevisit op de laptop bij en exporteer opnieuw, of neem het tijdens de overgang aan met --allow-unsigned".into(),
            (BundleProblem::Unsigned, Lang::En) => "it is not signed (bundle format 1, from before signing): \
                 update safevisit on the laptop and export again, or accept it during the migration with --allow-unsigned".into(),
            (BundleProblem::UnsignedForEnrolled(d), Lang::Nl) => format!(
                "het is niet ondertekend, maar apparaat {d} is ingeschreven (of ingetrokken): van een ingeschreven apparaat neemt kantoor alleen ondertekende bundels aan, ook met --allow-unsigned. \
                 Laat de laptop bijwerken en opnieuw exporteren (safevisit export --all)"
            ),
            (BundleProblem::UnsignedForEnrolled(d), Lang::En) => format!(
                "it is not signed, but device {d} is enrolled (or revoked): from an enrolled device the office takes signed bundles only, even with --allow-unsigned. \
                 Have the laptop updated and export again (safevisit export --all)"
            ),
            (BundleProblem::UnknownDevice(d), Lang::Nl) => format!(
                "apparaat {d} is niet ingeschreven; schrijf het apparaat eerst in met supervisor enrol KAART"
            ),
            (BundleProblem::UnknownDevice(d), Lang::En) => format!(
                "device {d} is not enrolled; enrol the device first with supervisor enrol CARD"
            ),
            (BundleProblem::WrongSignature { device, error }, Lang::Nl) => format!(
                "de handtekening klopt niet met de sleutel die bij de inschrijving van apparaat {device} is vastgelegd ({}): \
                 de bundel is niet door die laptop gemaakt, of is veranderd",
                crate::receipt::signature_nl(error)
            ),
            (BundleProblem::WrongSignature { device, error }, Lang::En) => format!(
                "its signature does not verify against the key pinned when device {device} was enrolled ({error}): \
                 the bundle was not made by that laptop, or was changed"
            ),
            (BundleProblem::Revoked { device, since, created_at }, Lang::Nl) => format!(
                "apparaat {device} is ingetrokken vanaf {since} en deze bundel is gemaakt op {created_at}"
            ),
            (BundleProblem::Revoked { device, since, created_at }, Lang::En) => format!(
                "device {device} is revoked since {since} and this bundle was made at {created_at}"
            ),
            (BundleProblem::Bundle(e), Lang::Nl) => match e {
                B::NotAgeFile => "het is geen age-bestand, dus geen safevisit-bundel".into(),
                B::HeaderCutShort => "het is afgekapt (het eindigt in de kop)".into(),
                B::NotForTheseKeys => "het is versleuteld voor een andere sleutel dan de sleutels bij -i (na een sleutelwissel: geef ook de oude sleutel)".into(),
                B::Damaged => "de integriteitscontrole faalt: het is veranderd, beschadigd of afgekapt".into(),
                B::SingleRecord => "het is één los bezoekverslag, geen bundel (bundels maakt `safevisit export`)".into(),
                B::NotABundle(what) => {
                    format!("het ontsleutelt, maar is geen bundel: {}", tar_nl(what))
                }
                B::NoManifest => "het eerste bestand is niet manifest.json".into(),
                B::NoSignatureFile => "het is een bundel van formaat 2 of later, maar het tweede bestand is niet de handtekening van het manifest (manifest.json.minisig): hij is veranderd of beschadigd".into(),
                B::Manifest(m) => format!("het manifest is onbruikbaar: {}", manifest_nl(m)),
                B::TooLarge { name } => format!("het bevat een te groot bestand ({name})"),
                B::Io(e) => format!("lezen mislukte ({})", io_nl(e)),
            },
        }
    }
}

/// A reason of the tar reader in Dutch (its messages are fixed English
/// sentences; anything unknown gets a general Dutch sentence).
fn tar_nl(what: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        ("the archive is cut short", "het archief is afgekapt"),
        (
            "a tar header has a wrong checksum",
            "een tar-kop heeft een verkeerde controlesom",
        ),
        (
            "a file name in the archive is too long",
            "een bestandsnaam in het archief is te lang",
        ),
        (
            "a file name in the archive is not UTF-8",
            "een bestandsnaam in het archief is geen UTF-8",
        ),
        (
            "a file in the archive has no name",
            "een bestand in het archief heeft geen naam",
        ),
        (
            "there are bytes after the end of the archive",
            "er staan nog bytes na het einde van het archief",
        ),
        (
            "the archive holds something other than a regular file",
            "het archief bevat iets anders dan een gewoon bestand",
        ),
        (
            "a tar header is not a POSIX ustar header (this program writes only those)",
            "een tar-kop is geen POSIX-ustar-kop (dit programma schrijft alleen die)",
        ),
    ];
    if let Some((_, nl)) = KNOWN.iter().find(|(en, _)| *en == what) {
        return (*nl).into();
    }
    if let Some(field) = what
        .strip_prefix("the ")
        .and_then(|w| w.strip_suffix(" field of a tar header is not a number"))
    {
        return format!("het veld {field} van een tar-kop is geen getal");
    }
    "het archief volgt het tar-formaat van safevisit niet".into()
}

/// A manifest error in Dutch.
pub fn manifest_nl(e: &ManifestError) -> String {
    use ManifestError as M;
    match e {
        M::TooLarge => format!(
            "manifest.json is groter dan {} bytes",
            crate::export::manifest::MAX_BYTES
        ),
        M::NotJson { line, column } => {
            format!("manifest.json is geen JSON (regel {line}, kolom {column})")
        }
        M::NotABundle => {
            "dit is geen safevisit-bundel (het manifest heeft een ander formaat)".into()
        }
        M::NewerVersion { found } => format!(
            "deze bundel heeft formaatversie {found}; dit programma leest versie {} (een nieuwere safevisit maakte hem)",
            crate::export::manifest::VERSION
        ),
        M::Shape { line, column, .. } => {
            format!("manifest.json volgt het formaat niet (regel {line}, kolom {column})")
        }
        M::Invalid(what) => format!("manifest.json klopt niet: {}", manifest_invalid_nl(what)),
    }
}

/// The rule a manifest broke, in Dutch (the English sentences of
/// `Manifest::check`; ids in them passed their own checks).
fn manifest_invalid_nl(what: &str) -> String {
    let visit = |rest: &str, tail: &str| -> Option<String> {
        rest.strip_prefix("visit ")?
            .strip_suffix(tail)
            .map(str::to_string)
    };
    if let Some(why) = what.strip_prefix("the device id ") {
        let _ = why;
        return "het apparaat-id is ongeldig".into();
    }
    if what.starts_with("the device name ") {
        return "de apparaatnaam is ongeldig".into();
    }
    if what.starts_with("created_at ") {
        return "created_at is geen tijd van de vorm JJJJ-MM-DDTUU:MM:SS".into();
    }
    if what.starts_with("its version ") {
        return "de versie ontbreekt of is onbekend".into();
    }
    if what.ends_with("has an id that is not 1 to 64 of A-Z a-z 0-9 - _") {
        return "een bezoek heeft een id dat niet uit 1 tot 64 tekens A-Z a-z 0-9 - _ bestaat"
            .into();
    }
    if let Some(id) = visit(what, " has sequence number 0") {
        return format!("bezoek {id} heeft volgnummer 0");
    }
    if let Some(i) = what.find(" names a file other than ")
        && let Some(id) = what[..i].strip_prefix("visit ")
    {
        return format!(
            "bezoek {id} noemt een ander bestand dan {}",
            &what[i + " names a file other than ".len()..]
        );
    }
    if let Some(id) = visit(what, " has a SHA-256 that is not 64 lowercase hex digits") {
        return format!("bezoek {id} heeft een SHA-256 die geen 64 kleine hexadecimale tekens is");
    }
    if let Some(id) = visit(what, " has an invalid finalized_at") {
        return format!("bezoek {id} heeft een ongeldige finalized_at");
    }
    if let Some(id) = visit(what, " names an invalid checklist id") {
        return format!("bezoek {id} noemt een ongeldig checklist-id");
    }
    if let Some(id) = visit(what, " has an invalid checklist hash") {
        return format!("bezoek {id} heeft een ongeldige checklist-hash");
    }
    if let Some(id) = visit(what, " is listed twice") {
        return format!("bezoek {id} staat er twee keer in");
    }
    if let Some(n) = what
        .strip_prefix("sequence number ")
        .and_then(|w| w.strip_suffix(" is listed twice"))
    {
        return format!("volgnummer {n} staat er twee keer in");
    }
    "het volgt de regels van het formaat niet (docs/FORMATS.md)".into()
}

/// An I/O error's kind in Dutch (the system's own text is English).
pub fn io_nl(e: &io::Error) -> String {
    use io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "het bestand of de map bestaat niet".into(),
        K::PermissionDenied => "geen toestemming".into(),
        K::IsADirectory => "het is een map".into(),
        K::AlreadyExists => "het bestaat al".into(),
        K::StorageFull => "de schijf is vol".into(),
        K::UnexpectedEof => "het bestand houdt te vroeg op".into(),
        K::InvalidData => "ongeldige gegevens".into(),
        K::ReadOnlyFilesystem => "alleen-lezen bestandssysteem".into(),
        _ => match e.raw_os_error() {
            Some(code) => format!("systeemfout {code}"),
            None => "een fout van het systeem".into(),
        },
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
    /// Its `date`, `created_at` or `finalized_at` is not a real date or
    /// time of its form (`future`: false), or lies more than two days
    /// after the import's clock (`future`: true).
    BadTime { field: &'static str, future: bool },
    /// Its sequence number is 0 or beyond what the ledger can hold
    /// (2^63 − 1); refused, never clamped.
    SequenceOutOfRange,
    /// Its id differs only in case from a visit in the ledger.
    IdCaseClash,
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
            (RecordProblem::BadTime { field, future }, Lang::Nl) => {
                let name = match *field {
                    "date" => "de datum (date)",
                    "created_at" => "het begin (created_at)",
                    _ => "het afronden (finalized_at)",
                };
                if *future {
                    format!(
                        "{name} ligt in de toekomst (meer dan {FUTURE_DAYS} dagen na de klok van deze import)"
                    )
                } else {
                    format!("{name} is geen geldige datum of tijd")
                }
            }
            (RecordProblem::BadTime { field, future }, Lang::En) => {
                if *future {
                    format!(
                        "its {field} lies in the future (more than {FUTURE_DAYS} days after this import's clock)"
                    )
                } else {
                    format!("its {field} is not a valid date or time")
                }
            }
            (RecordProblem::SequenceOutOfRange, Lang::Nl) => {
                "het volgnummer is 0 of groter dan de database kan bewaren".into()
            }
            (RecordProblem::SequenceOutOfRange, Lang::En) => {
                "its sequence number is 0 or larger than the ledger can hold".into()
            }
            (RecordProblem::IdCaseClash, Lang::Nl) => {
                "een ander bezoek heeft hetzelfde id op hoofdletters na; beide zouden één JSON-bestand delen".into()
            }
            (RecordProblem::IdCaseClash, Lang::En) => {
                "another visit has the same id apart from case; both would share one JSON file".into()
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
    /// The kept-aside version's active acute red flags (it was decrypted
    /// and checked like any other; its flags are in the ledger).
    pub acute: u32,
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

/// How a bundle's origin was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Its manifest signature verified against the device's pinned key.
    Verified,
    /// Not signed, accepted with `--allow-unsigned`.
    Unsigned,
}

impl Origin {
    /// As the ledger stores it (`bundles.signature`).
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Verified => "verified",
            Origin::Unsigned => "unsigned",
        }
    }
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
    /// Visits erased at the office (a tombstone holds their id): not
    /// imported again ("gewist, niet opnieuw ingelezen").
    pub erased: u64,
    pub conflicts: Vec<Conflict>,
    /// At most [`MAX_REJECTIONS`]; the rest are counted in `more_rejections`.
    pub rejections: Vec<Rejection>,
    /// Rejections beyond [`MAX_REJECTIONS`], counted only.
    pub more_rejections: u64,
    pub timings: Timings,
    /// Records decrypted (for per-record figures).
    pub records: u64,
    /// The JSON documents of the new visits, `(visit id, document)`, until
    /// their files are written (after the bundle is committed).
    pub docs: Vec<(String, Vec<u8>)>,
    /// How its origin was established (for a bundle that landed).
    pub origin: Option<Origin>,
    /// The name the manifest gave its device when it differs from the
    /// device's name in the ledger (reported, never stored).
    pub claimed_name: Option<String>,
    /// The visits of this bundle that are in the ledger now, new or already
    /// there with the same record (for the device's receipt).
    pub arrived: Vec<ReceiptVisit>,
    /// The cases this bundle changed: a new visit, or closed on the laptop
    /// (their files in `cases/` are written again).
    pub cases: Vec<String>,
}

/// Told how far an import is (the shell draws a progress bar).
pub trait Progress: Sync {
    /// Bundle `index` (from 1) of `count`, named `file`, is next.
    fn bundle(&self, _index: usize, _count: usize, _file: &str) {}
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
    let ids = |mut v: Vec<u32>| {
        v.sort_unstable();
        v.dedup();
        v.iter().map(u32::to_string).collect::<Vec<_>>().join(" ")
    };
    let roster = [
        ids(rec.children.iter().map(|c| c.id).collect()),
        ids(rec.caregivers.iter().map(|c| c.id).collect()),
    ];
    let children = u32::try_from(rec.children.len()).unwrap_or(u32::MAX);
    let caregivers = u32::try_from(rec.caregivers.len()).unwrap_or(u32::MAX);
    let agreements = agreements_evaluated(&rec);
    // The card the laptop made of this visit (the same pure function).
    let card =
        serde_json::to_vec(&crate::case::CaseCard::from_record(&rec, None)).unwrap_or_default();
    // The record is taken apart: its strings move into the rows.
    let VisitRecord {
        id,
        label,
        date,
        created_at,
        flags,
        finalized,
        case_id,
        follow_up,
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
        roster,
        case_id,
        follows: follow_up.map(|f| f.follows).filter(|f| !f.is_empty()),
        agreements,
        card,
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

/// The section of `veiligheid` in which a follow-up evaluates the previous
/// visit's agreements, and its item "kept?" (`ja`, `deels`, `nee`).
pub const PREVIOUS_AGREEMENTS: &str = "vorige_afspraken";
pub const AGREEMENT_KEPT: &str = "va_nagekomen";

/// A follow-up's evaluation of the previous agreements: how many were
/// kept (`ja`), partly kept (`deels`) and not kept (`nee`), from the
/// entries of `veiligheid`'s section [`PREVIOUS_AGREEMENTS`] (or any entry
/// made from a previous agreement). `None` for a visit that follows none.
pub fn agreements_evaluated(rec: &VisitRecord) -> Option<[u32; 3]> {
    use crate::visit::record::{AnswerValue, PersonRecord, PreviousKind};
    rec.follow_up.as_ref()?;
    let mut counts = [0u32; 3];
    let entries = rec
        .sheets
        .iter()
        .filter(|s| {
            s.checklist.id == crate::case::items::CHECKLIST && s.person == PersonRecord::Visit
        })
        .flat_map(|s| s.entries.iter())
        .filter(|e| {
            e.section == PREVIOUS_AGREEMENTS
                || e.previous
                    .is_some_and(|p| p.kind == PreviousKind::Agreement)
        });
    for e in entries {
        let kept = e.answers.iter().rev().find(|a| a.item == AGREEMENT_KEPT);
        if let Some(AnswerValue::Choice(c)) = kept.map(|a| &a.value) {
            match c.as_str() {
                "ja" => counts[0] += 1,
                "deels" => counts[1] += 1,
                "nee" => counts[2] += 1,
                _ => {}
            }
        }
    }
    Some(counts)
}

/// The latest date and time a record may carry: the import's clock
/// (`YYYY-MM-DDTHH:MM:SS`) plus [`FUTURE_DAYS`]; `None` when the clock is
/// not of that form (then nothing is too late).
pub fn future_limit(now: &str) -> Option<time::PrimitiveDateTime> {
    parse_stamp(now)?.checked_add(time::Duration::days(FUTURE_DAYS))
}

/// A record's own dates and its sequence number, checked: real dates and
/// times of their forms, none more than two days after `limit`'s clock,
/// and a sequence the ledger can hold.
pub fn check_record(
    rec: &VisitRecord,
    limit: Option<time::PrimitiveDateTime>,
) -> Result<(), RecordProblem> {
    let bad = |field, future| Err(RecordProblem::BadTime { field, future });
    let late = |t: time::PrimitiveDateTime| limit.is_some_and(|l| t > l);
    match parse_date(&rec.date) {
        None => return bad("date", false),
        Some(d) if limit.is_some_and(|l| d > l.date()) => return bad("date", true),
        Some(_) => {}
    }
    match parse_stamp(&rec.created_at) {
        None => return bad("created_at", false),
        Some(t) if late(t) => return bad("created_at", true),
        Some(_) => {}
    }
    if let Some(fin) = &rec.finalized {
        match parse_stamp(&fin.finalized_at) {
            None => return bad("finalized_at", false),
            Some(t) if late(t) => return bad("finalized_at", true),
            Some(_) => {}
        }
        if fin.sequence == 0 || i64::try_from(fin.sequence).is_err() {
            return Err(RecordProblem::SequenceOutOfRange);
        }
    }
    Ok(())
}

/// Check, decrypt and decode one record against its manifest entry.
fn process(
    raw: Raw,
    listed: &ManifestVisit,
    device_id: &str,
    identities: &[Identity],
    limit: Option<time::PrimitiveDateTime>,
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
    if let Err(problem) = check_record(&rec, limit) {
        return refused(problem, t);
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
    /// At most [`MAX_REJECTIONS`] + 1 names; the rest are counted.
    unexpected: Vec<(String, bool)>,
    unexpected_more: u64,
    busy: Duration,
}

impl ReaderEnd {
    /// A file the manifest does not list, or a second of a name: noted by
    /// name up to a bound, counted beyond it (memory stays bounded).
    fn note_unexpected(&mut self, name: &str, repeated: bool) {
        if self.unexpected.len() <= MAX_REJECTIONS {
            self.unexpected.push((printable(name), repeated));
        } else {
            self.unexpected_more += 1;
        }
    }
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
    signed: Signed,
    batches: mpsc::Receiver<Done>,
    reader: std::thread::ScopedJoinHandle<'scope, ReaderEnd>,
    worker: std::thread::ScopedJoinHandle<'scope, ()>,
}

impl Started<'_> {
    /// The bundle's file name, printable.
    pub fn file_name(&self) -> String {
        self.file_name.clone()
    }
}

impl std::fmt::Debug for Started<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Started")
            .field("file", &self.file_name)
            .finish_non_exhaustive()
    }
}

/// A bundle's manifest signature and the exact manifest bytes it signs.
struct Signed {
    signature: Option<String>,
    manifest: Vec<u8>,
}

/// The signature and the exact signed manifest bytes of an opened bundle
/// (`None`: a format-1 bundle, unsigned). Checked in [`finish`], where the
/// ledger's pinned key is known, as [`bundle::OpenBundle::verify`] does.
fn signed_parts<R: io::BufRead>(opened: &bundle::OpenBundle<R>) -> Signed {
    Signed {
        signature: opened.signature.clone(),
        manifest: opened.manifest_bytes.clone(),
    }
}

/// Whether a bundle may land: its device's revocation, then its signature
/// against the device's pinned key (or `--allow-unsigned` for an unsigned
/// one). Reads the ledger only.
fn check_origin(
    ledger: &Ledger,
    manifest: &Manifest,
    signed: &Signed,
    allow_unsigned: bool,
) -> Result<Result<Origin, BundleProblem>, LedgerError> {
    let id = &manifest.device.id;
    let known = devices::device(ledger, id)?;
    if let Some(d) = &known
        && d.revokes(&manifest.created_at)
    {
        return Ok(Err(BundleProblem::Revoked {
            device: id.clone(),
            since: d.revoked_since.clone().unwrap_or_default(),
            created_at: manifest.created_at.clone(),
        }));
    }
    let Some(signature) = &signed.signature else {
        // An enrolled (or revoked) device signs: an unsigned bundle that
        // names it is never taken, whatever date it claims.
        if let Some(d) = &known
            && (d.enrolled() || d.revoked_at.is_some())
        {
            return Ok(Err(if allow_unsigned {
                BundleProblem::UnsignedForEnrolled(id.clone())
            } else {
                BundleProblem::Unsigned
            }));
        }
        return Ok(if allow_unsigned {
            Ok(Origin::Unsigned)
        } else {
            Err(BundleProblem::Unsigned)
        });
    };
    let Some(d) = known.filter(|d| d.enrolled()) else {
        return Ok(Err(BundleProblem::UnknownDevice(id.clone())));
    };
    let verified = d
        .signing_key
        .as_deref()
        .ok_or(SignatureError::BadPublicKey)
        .and_then(VerifyingKey::from_base64)
        .and_then(|key| key.verify(&signed.manifest, signature));
    Ok(match verified {
        Ok(_) => Ok(Origin::Verified),
        Err(error) => Err(BundleProblem::WrongSignature {
            device: id.clone(),
            error,
        }),
    })
}

/// Start a bundle: decrypt its header and manifest, and set a reader (which
/// also hashes the file) and the record work going on threads of `scope`.
/// Nothing here touches the ledger, so it can run while the previous bundle
/// commits.
pub fn start<'scope, 'env: 'scope>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    path: &'env Path,
    identities: &'env [Identity],
    now: &str,
) -> Started<'scope> {
    let limit = future_limit(now);
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
            let signed = signed_parts(&opened);
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
                    unexpected_more: 0,
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
                            Some(_) => end.note_unexpected(&f.name, true),
                            None => end.note_unexpected(&f.name, false),
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
                            process(raw, listed, &m.device.id, identities, limit)
                        })
                        .collect();
                    if done_tx.send(Done::Chunk(out)).is_err() {
                        break;
                    }
                }
            });
            Running {
                manifest,
                signed,
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

/// The line that stands for rejections beyond [`MAX_REJECTIONS`].
pub fn more_rejections(k: u64, lang: Lang) -> String {
    match lang {
        Lang::Nl => format!("… en nog {k} afwijzingen (alleen geteld)"),
        Lang::En => format!("… and {k} more rejections (counted only)"),
    }
}

/// Note a refused record: in the report and the ledger up to
/// [`MAX_REJECTIONS`], counted beyond.
fn reject(
    tx: &mut crate::supervisor::ledger::BundleTx<'_>,
    report: &mut BundleReport,
    r: Rejection,
    file: Option<&str>,
) -> Result<(), LedgerError> {
    if report.rejections.len() >= MAX_REJECTIONS {
        report.more_rejections += 1;
        return Ok(());
    }
    tx.reject(
        r.visit_id.as_deref(),
        r.sequence,
        file,
        (&r.describe(Lang::En), &r.describe(Lang::Nl)),
    )?;
    report.rejections.push(r);
    Ok(())
}

/// Import one bundle file. `Err` only when the ledger itself fails (the
/// bundle's transaction is then rolled back); everything wrong with the
/// bundle is in the report.
pub fn import_bundle(
    ledger: &mut Ledger,
    path: &Path,
    identities: &[Identity],
    now: &str,
    allow_unsigned: bool,
    progress: &dyn Progress,
) -> Result<BundleReport, LedgerError> {
    std::thread::scope(|s| {
        finish(
            ledger,
            start(s, path, identities, now),
            now,
            allow_unsigned,
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
    allow_unsigned: bool,
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
        erased: 0,
        conflicts: Vec::new(),
        rejections: Vec::new(),
        more_rejections: 0,
        timings: Timings::default(),
        records: 0,
        docs: Vec::new(),
        origin: None,
        claimed_name: None,
        arrived: Vec::new(),
        cases: Vec::new(),
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
            // Its visits the ledger holds with the very same record go in
            // the device's next receipt (a lost receipt comes back).
            let mut listed_ids = Vec::new();
            if let Ok(r) = &opened {
                listed_ids = r.manifest.visits.iter().map(|v| v.id.clone()).collect();
                report.arrived = receipts::held(ledger, &r.manifest)?;
                report.device =
                    Some((r.manifest.device.id.clone(), r.manifest.device.name.clone()));
            }
            // Dropping `opened` stops its threads.
            drop(opened);
            start_next();
            ledger.record_bundle(&seen, "known", None, device.as_deref(), listed)?;
            report.outcome = BundleOutcome::Known;
            report.erased = match &report.device {
                Some(_) => crate::supervisor::erase::erased_among(ledger, &listed_ids)?,
                None => 0,
            };
            report.duplicate = listed.saturating_sub(report.erased);
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
        signed,
        batches,
        reader,
        worker,
    } = running;
    let listed = manifest.visits.len();
    report.device = Some((manifest.device.id.clone(), manifest.device.name.clone()));
    // Who made it, before anything of it is written: a refused bundle adds
    // no device and no visit.
    let origin = match check_origin(ledger, &manifest, &signed, allow_unsigned)? {
        Ok(origin) => origin,
        Err(problem) => {
            // Dropping the channel stops the reader and the record work.
            drop(batches);
            let _ = reader.join();
            let _ = worker.join();
            start_next();
            seen.sha256 = whole_hash(&seen);
            let reason = (problem.describe(Lang::En), problem.describe(Lang::Nl));
            ledger.record_bundle(
                &seen,
                "rejected",
                Some((&reason.0, &reason.1)),
                Some(&manifest.device.id),
                listed as u64,
            )?;
            report.outcome = BundleOutcome::Rejected(problem);
            return Ok(report);
        }
    };
    report.origin = Some(origin);
    if let Some(d) = devices::device(ledger, &manifest.device.id)?
        && d.name != manifest.device.name
    {
        report.claimed_name = Some(manifest.device.name.clone());
    }
    progress.add_total(listed as u64);

    let clock = Instant::now();
    let mut tx = ledger.begin_bundle(
        &seen,
        (&manifest.device.id, &manifest.device.name),
        &manifest.created_at,
        listed as u64,
    )?;
    tx.set_signature(origin.as_str())?;
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
                            report.arrived.push(ReceiptVisit {
                                id: row.visit_id.clone(),
                                sequence: row.sequence,
                                sha256: row.record_sha256,
                            });
                            report.docs.push((row.visit_id, row.doc));
                        }
                        Ok(Added::Duplicate) => {
                            report.duplicate += 1;
                            report.arrived.push(ReceiptVisit {
                                id: row.visit_id.clone(),
                                sequence: row.sequence,
                                sha256: row.record_sha256.clone(),
                            });
                        }
                        Ok(Added::Erased) => report.erased += 1,
                        Ok(Added::IdCaseClash) => {
                            let r = Rejection {
                                visit_id: Some(row.visit_id.clone()),
                                sequence: Some(row.sequence),
                                file: None,
                                problem: RecordRejection::Record(RecordProblem::IdCaseClash),
                            };
                            let file = crate::export::manifest::record_file(row.sequence);
                            if let Err(e) = reject(&mut tx, &mut report, r, Some(&file)) {
                                ledger_error = Some(e);
                                break;
                            }
                        }
                        Ok(kind) => report.conflicts.push(Conflict {
                            visit_id: row.visit_id.clone(),
                            device_id: row.device_id.clone(),
                            sequence: row.sequence,
                            same_visit: kind == Added::ConflictSameVisit,
                            acute: row.flag_counts[0],
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
                    if let Err(e) = reject(&mut tx, &mut report, r, Some(&v.file)) {
                        ledger_error = Some(e);
                        break;
                    }
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
        report.erased = 0;
        report.conflicts.clear();
        report.rejections.clear();
        report.more_rejections = 0;
        report.docs.clear();
        report.arrived.clear();
        report.origin = None;
        report.claimed_name = None;
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
            reject(&mut tx, &mut report, r, Some(&v.file))?;
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
        reject(&mut tx, &mut report, r, Some(&name))?;
    }
    report.more_rejections += end.unexpected_more;
    if report.more_rejections > 0 {
        let k = report.more_rejections;
        tx.reject(
            None,
            None,
            None,
            (&more_rejections(k, Lang::En), &more_rejections(k, Lang::Nl)),
        )?;
    }
    // Cases the worker closed on the laptop.
    tx.close_cases(&manifest.closed_cases, &manifest.device.id)?;
    report.cases = tx.touched_cases().iter().cloned().collect();
    report.cases.extend(
        manifest
            .closed_cases
            .iter()
            .filter(|c| crate::visit::record::valid_case_id(&c.case_id))
            .map(|c| c.case_id.clone()),
    );
    if let Some(visit_no) = written_through() {
        tx.note_docs_written_through(visit_no);
    }
    // (The reader has read the file to its end by now.)
    tx.set_sha256(&whole_hash(&seen))?;
    tx.commit(
        report.new,
        report.duplicate,
        report.conflicts.len() as u64,
        report.rejections.len() as u64 + report.more_rejections,
    )?;
    report.timings.ledger += clock.elapsed();
    if !report.conflicts.is_empty() || !report.rejections.is_empty() || report.more_rejections > 0 {
        report.outcome = BundleOutcome::Partly;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::manifest::record_file;
    use crate::supervisor::OfficeError;

    /// Words that give away an English fragment in a Dutch message.
    const ENGLISH: &[&str] = &[
        " the ",
        "The ",
        " is not",
        "listed",
        "archive",
        "failed",
        "cannot",
        " holds",
        " file ",
        "larger than",
        "reading",
    ];

    fn sound_manifest() -> Manifest {
        crate::export::manifest::tests::sample()
    }

    /// Every rule a manifest can break, as `Manifest::check` words it.
    fn manifest_errors() -> Vec<ManifestError> {
        type Edit = fn(&mut Manifest);
        let edits: &[Edit] = &[
            |m| m.device.id = String::new(),
            |m| m.device.name = "\u{1b}".into(),
            |m| m.created_at = "gisteren".into(),
            |m| m.visits[0].id = "a b".into(),
            |m| {
                m.visits[0].sequence = 0;
                m.visits[0].file = record_file(0);
            },
            |m| m.visits[0].file = "../x".into(),
            |m| m.visits[0].sha256 = "xyz".into(),
            |m| m.visits[0].finalized_at = "?".into(),
            |m| m.visits[0].checklists[0].id = String::new(),
            |m| m.visits[0].checklists[0].hash = "0".into(),
            |m| {
                let again = m.visits[0].clone();
                m.visits.push(again);
            },
            |m| {
                let mut again = m.visits[0].clone();
                again.id = "bezoek-2".into();
                m.visits.push(again);
            },
        ];
        let mut out: Vec<ManifestError> = edits
            .iter()
            .map(|edit| {
                let mut m = sound_manifest();
                edit(&mut m);
                m.check().expect_err("a broken rule")
            })
            .collect();
        out.extend([
            ManifestError::TooLarge,
            ManifestError::NotJson { line: 1, column: 2 },
            ManifestError::NotABundle,
            ManifestError::NewerVersion { found: 2 },
            ManifestError::Shape {
                line: 1,
                column: 2,
                what: "unknown field".into(),
            },
            Manifest::parse(br#"{"format":"safevisit-bundle"}"#).unwrap_err(),
        ]);
        out
    }

    fn every_message(lang: Lang) -> Vec<String> {
        let mut out = Vec::new();
        let tar = [
            "the archive is cut short",
            "a tar header has a wrong checksum",
            "a tar header is not a POSIX ustar header (this program writes only those)",
            "the archive holds something other than a regular file",
            "a file name in the archive is too long",
            "a file name in the archive is not UTF-8",
            "a file in the archive has no name",
            "the size field of a tar header is not a number",
            "the mtime field of a tar header is not a number",
            "there are bytes after the end of the archive",
            "something new",
        ];
        let mut bundle_errors: Vec<BundleError> = vec![
            BundleError::NotAgeFile,
            BundleError::HeaderCutShort,
            BundleError::NotForTheseKeys,
            BundleError::Damaged,
            BundleError::SingleRecord,
            BundleError::NoManifest,
            BundleError::TooLarge {
                name: "visits/00000002.visit.age".into(),
            },
            BundleError::Io(io::Error::from(io::ErrorKind::PermissionDenied)),
        ];
        bundle_errors.extend(tar.iter().map(|t| BundleError::NotABundle((*t).into())));
        bundle_errors.extend(manifest_errors().into_iter().map(BundleError::Manifest));
        for e in bundle_errors {
            out.push(BundleProblem::Bundle(e).describe(lang));
        }
        out.push(BundleProblem::Read(io::Error::from(io::ErrorKind::NotFound)).describe(lang));
        let problems = [
            RecordProblem::Missing,
            RecordProblem::WrongSize,
            RecordProblem::WrongHash,
            RecordProblem::Envelope(EnvelopeError::Tampered),
            RecordProblem::Envelope(EnvelopeError::UnsupportedVersion {
                kind: "visit record",
                found: 9,
                newest: 3,
            }),
            RecordProblem::NotFinalized,
            RecordProblem::NotAsListed("visit id"),
            RecordProblem::NotAsListed("sequence number"),
            RecordProblem::NotAsListed("device"),
            RecordProblem::BadTime {
                field: "date",
                future: true,
            },
            RecordProblem::BadTime {
                field: "finalized_at",
                future: false,
            },
            RecordProblem::SequenceOutOfRange,
            RecordProblem::IdCaseClash,
        ];
        for p in problems {
            out.push(
                Rejection {
                    visit_id: Some("bezoek-1".into()),
                    sequence: Some(3),
                    file: None,
                    problem: RecordRejection::Record(p),
                }
                .describe(lang),
            );
        }
        for problem in [RecordRejection::Unexpected, RecordRejection::Repeated] {
            out.push(
                Rejection {
                    visit_id: None,
                    sequence: None,
                    file: Some("rommel".into()),
                    problem,
                }
                .describe(lang),
            );
        }
        out.push(more_rejections(9900, lang));
        let ledger_errors = || {
            vec![
                LedgerError::Sql(crate::supervisor::db::DbError::Sqlite(
                    rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(13),
                        Some("database or disk is full".into()),
                    ),
                )),
                LedgerError::Newer { found: 9 },
                LedgerError::Foreign,
                LedgerError::Internal,
                LedgerError::Create {
                    path: "kantoor/safevisit.sqlite".into(),
                    source: io::Error::from(io::ErrorKind::PermissionDenied),
                },
            ]
        };
        for e in ledger_errors() {
            out.push(OfficeError::Ledger(e).describe(lang));
        }
        out.push(
            OfficeError::Folder {
                dir: "kantoor".into(),
                source: io::Error::from(io::ErrorKind::AlreadyExists),
            }
            .describe(lang),
        );
        out.push(
            OfficeError::Output(crate::supervisor::OutputError::Write {
                path: "kantoor/visits.csv".into(),
                source: io::Error::from(io::ErrorKind::StorageFull),
            })
            .describe(lang),
        );
        out
    }

    #[test]
    fn no_message_of_the_import_has_a_double_period() {
        for lang in [Lang::Nl, Lang::En] {
            for m in every_message(lang) {
                assert!(!m.replace("...", "…").contains(".."), "{m}");
            }
        }
    }

    #[test]
    fn dutch_messages_of_the_import_have_no_english_fragments() {
        for m in every_message(Lang::Nl) {
            for word in ENGLISH {
                assert!(!m.contains(word), "{word:?} in {m}");
            }
        }
        // The English ones do say what is wrong in English.
        assert!(
            every_message(Lang::En)
                .iter()
                .any(|m| m.contains("is listed twice"))
        );
    }

    #[test]
    fn record_dates_are_real_and_not_far_ahead() {
        let limit = future_limit("2026-12-05T10:00:00");
        let rec = |date: &str, created: &str| {
            let mut r = VisitRecord {
                case_id: "v".to_string(),
                follow_up: None,
                read_back_at: None,
                case_keeps: Vec::new(),
                id: "v".into(),
                label: String::new(),
                date: date.into(),
                place: String::new(),
                present: String::new(),
                children: vec![],
                caregivers: vec![],
                sheets: vec![],
                flags: vec![],
                cursor: None,
                created_at: created.into(),
                updated_at: created.into(),
                orphans: vec![],
                finalized: None,
                pending: vec![],
                removed: vec![],
            };
            r.finalized = Some(FinalRecord {
                sequence: 1,
                finalized_at: created.into(),
                device_id: "d".into(),
                device_name: "laptop-3".into(),
                summary: Default::default(),
            });
            r
        };
        assert_eq!(
            check_record(&rec("2026-12-05", "2026-12-05T09:00:00"), limit),
            Ok(())
        );
        // Two days of drift are allowed, not more.
        assert_eq!(
            check_record(&rec("2026-12-07", "2026-12-07T09:59:59"), limit),
            Ok(())
        );
        let future = |field| {
            Err(RecordProblem::BadTime {
                field,
                future: true,
            })
        };
        let invalid = |field| {
            Err(RecordProblem::BadTime {
                field,
                future: false,
            })
        };
        assert_eq!(
            check_record(&rec("2026-12-08", "2026-12-05T09:00:00"), limit),
            future("date")
        );
        assert_eq!(
            check_record(&rec("9999-12-31", "2026-12-05T09:00:00"), limit),
            future("date")
        );
        assert_eq!(
            check_record(&rec("2026-12-05", "2026-12-07T10:00:01"), limit),
            future("created_at")
        );
        assert_eq!(
            check_record(&rec("2026-02-30", "2026-12-05T09:00:00"), limit),
            invalid("date")
        );
        assert_eq!(
            check_record(&rec("2026-12-05", "?"), limit),
            invalid("created_at")
        );
        let mut r = rec("2026-12-05", "2026-12-05T09:00:00");
        r.finalized.as_mut().unwrap().finalized_at = "gisteren".into();
        assert_eq!(check_record(&r, limit), invalid("finalized_at"));
        for sequence in [0, (1u64 << 63) + 5, u64::MAX] {
            let mut r = rec("2026-12-05", "2026-12-05T09:00:00");
            r.finalized.as_mut().unwrap().sequence = sequence;
            assert_eq!(
                check_record(&r, limit),
                Err(RecordProblem::SequenceOutOfRange)
            );
        }
        let mut r = rec("2026-12-05", "2026-12-05T09:00:00");
        r.finalized.as_mut().unwrap().sequence = i64::MAX as u64;
        assert_eq!(check_record(&r, limit), Ok(()));
    }
}
