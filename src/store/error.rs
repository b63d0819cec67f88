//! Everything that can go wrong in the vault, in words a worker can act
//! on. `Display` is English; [`StoreError::describe`] gives Dutch or
//! English with the next step. No message ever holds a secret or an answer.

use std::io;
use std::path::PathBuf;

use crate::i18n::Lang;
use crate::store::atomic::{Step, StepError};
use crate::store::envelope::EnvelopeError;
use crate::store::passphrase::Weakness;
use crate::store::recipients::RecipientError;

/// A file moved aside because it could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantineNote {
    /// Where it was, relative to the data directory (`drafts/….age`).
    pub original: String,
    /// Where it is now, relative to the data directory (`quarantine/…`).
    pub moved_to: String,
    /// The visit, when known.
    pub visit_id: Option<String>,
    pub reason: QuarantineReason,
}

/// Why a file was moved aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuarantineReason {
    /// It does not open or decode (damaged, changed, foreign, cut short).
    Unreadable(EnvelopeError),
    /// It opens, but holds another visit than its name says.
    WrongVisit,
    /// A finalized record whose content differs from what its stub recorded.
    RecordChanged,
    /// A finalized record without a readable stub (still intact for the office).
    NoStub,
    /// A file that does not belong in the vault's folders.
    Unknown,
}

impl QuarantineNote {
    /// One line for the worker, in Dutch or English.
    pub fn describe(&self, lang: Lang) -> String {
        let why = match (&self.reason, lang) {
            (QuarantineReason::Unreadable(e), Lang::Nl) => format!("het opent niet ({})", envelope_nl(e)),
            (QuarantineReason::Unreadable(e), Lang::En) => format!("it does not open ({e})"),
            (QuarantineReason::WrongVisit, Lang::Nl) => "het bevat een ander bezoek dan de naam zegt".into(),
            (QuarantineReason::WrongVisit, Lang::En) => "it holds another visit than its name says".into(),
            (QuarantineReason::RecordChanged, Lang::Nl) => "het is veranderd sinds het werd afgerond".into(),
            (QuarantineReason::RecordChanged, Lang::En) => "it changed since it was finalized".into(),
            (QuarantineReason::NoStub, Lang::Nl) => {
                "het afgeronde verslag heeft geen leesbaar stub-bestand; het verslag zelf is intact en kan met de hand aan kantoor worden gegeven".into()
            }
            (QuarantineReason::NoStub, Lang::En) => {
                "the finalized record has no readable stub; the record itself is intact and can be handed to the office by hand".into()
            }
            (QuarantineReason::Unknown, Lang::Nl) => "het hoort niet in deze map".into(),
            (QuarantineReason::Unknown, Lang::En) => "it does not belong in this folder".into(),
        };
        match lang {
            Lang::Nl => format!(
                "{} is apart gezet in {}: {why}. Er is niets verwijderd.",
                self.original, self.moved_to
            ),
            Lang::En => format!(
                "{} was moved aside to {}: {why}. Nothing was deleted.",
                self.original, self.moved_to
            ),
        }
    }
}

fn envelope_nl(e: &EnvelopeError) -> String {
    match e {
        EnvelopeError::NotAgeFile => "geen age-bestand, of de kop is beschadigd".into(),
        EnvelopeError::NotForThisKey => "versleuteld voor een andere sleutel".into(),
        EnvelopeError::Tampered => "de integriteitscontrole faalt: veranderd of beschadigd".into(),
        EnvelopeError::Truncated => "het bestand is afgebroken".into(),
        EnvelopeError::TooLarge { limit } => format!("groter dan de grens van {limit} bytes"),
        EnvelopeError::WrongKind { expected } => format!("geen {expected}"),
        EnvelopeError::UnsupportedVersion { found, newest, .. } => {
            format!(
                "formaatversie {found}, dit programma leest tot en met {newest}; werk safevisit bij"
            )
        }
        EnvelopeError::Undecodable { .. } => "de inhoud past niet bij het formaat".into(),
        EnvelopeError::TrailingBytes { .. } => "er staan bytes achter het einde".into(),
        EnvelopeError::Encrypt(_) => "versleutelen mislukte".into(),
    }
}

/// An error of the vault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("there is no safevisit vault in {}", dir.display())]
    NotAVault { dir: PathBuf },
    #[error("there is already a safevisit vault in {}; safevisit never overwrites one", dir.display())]
    AlreadyExists { dir: PathBuf },
    #[error("{} holds parts of a vault ({found}) but no vault.toml; safevisit will not overwrite them", dir.display())]
    PartialVault { dir: PathBuf, found: String },
    #[error("safevisit is already open on this data directory ({})", dir.display())]
    AlreadyOpen { dir: PathBuf },
    #[error("the passphrase does not match")]
    WrongPassphrase,
    #[error("the vault is locked")]
    Locked,
    #[error("{0}")]
    WeakPassphrase(Weakness),
    #[error("no organisation recipient was given")]
    NoRecipient,
    #[error("{0}")]
    BadRecipient(RecipientError),
    #[error("the device id is not valid: it {0}")]
    InvalidDeviceId(&'static str),
    #[error("the device name is not valid: it {0}")]
    InvalidDeviceName(&'static str),
    #[error("the scrypt work factor {0} is outside 1 to 22")]
    InvalidWorkFactor(u8),
    #[error("the device identity {} cannot be used: {reason}", path.display())]
    IdentityDamaged { path: PathBuf, reason: String },
    #[error("{} cannot be read: {reason}", path.display())]
    ConfigDamaged { path: PathBuf, reason: String },
    #[error("vault.toml does not match the copy sealed with the passphrase ({field} differs)")]
    ConfigMismatch { field: &'static str },
    #[error(
        "this vault has layout format {found}; this program knows format {known} (a newer safevisit made it)"
    )]
    UnsupportedVault { found: u32, known: u32 },
    #[error("`{id}` is not a valid visit id (1 to 64 of A-Z a-z 0-9 - _)")]
    InvalidVisitId { id: String },
    #[error("`{value}` is not a time stamp of the form YYYY-MM-DDTHH:MM:SS")]
    InvalidTimestamp { value: String },
    #[error("there is no draft of visit {id}")]
    NoSuchDraft { id: String },
    #[error("there is no finalized visit {id}")]
    NoSuchFinalized { id: String },
    #[error("there is no open case {id}")]
    NoSuchCase { id: String },
    #[error("`{reason}` is not a reason for closing a case")]
    InvalidCloseReason { reason: String },
    #[error("visit {id} is already finalized")]
    AlreadyFinalized { id: String },
    #[error("the record is marked finalized; only the vault finalizes a visit")]
    RecordFinalized,
    #[error("the {kind} is larger than the limit of {limit} bytes")]
    TooLarge { kind: &'static str, limit: usize },
    #[error("{}", note.describe(Lang::En))]
    Quarantined { note: QuarantineNote },
    #[error("the sequence file {} is damaged: {reason}", path.display())]
    SequenceDamaged { path: PathBuf, reason: String },
    #[error("could not read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{}", write_message(*step, path, source, Lang::En))]
    Write {
        step: Step,
        path: PathBuf,
        source: io::Error,
    },
    #[error("{0}")]
    Envelope(EnvelopeError),
    #[error("a signing key could not be made (the system's random source failed)")]
    SigningKeyFailed,
    #[error("this vault has no signing key yet; unlock it once to make one")]
    NoSigningKey,
    #[error(
        "this laptop already trusts another organisation key (card {pinned}); the card offered ({offered}) has a different signing key"
    )]
    OrgKeyDiffers { pinned: String, offered: String },
    /// The organisation card offered has the pinned signing key but other
    /// recipients (or another name): finalized visits would be encrypted to
    /// other keys, so it needs `--replace` like a new key.
    #[error(
        "this laptop already has an organisation card (card {pinned}); the card offered ({offered}) names other recipients or another name"
    )]
    OrgCardDiffers { pinned: String, offered: String },
}

impl From<StepError> for StoreError {
    fn from(e: StepError) -> Self {
        StoreError::Write {
            step: e.step,
            path: e.path,
            source: e.source,
        }
    }
}

fn io_cause(e: &io::Error, lang: Lang) -> String {
    use io::ErrorKind as K;
    let (nl, en) = match e.kind() {
        K::StorageFull => ("de schijf is vol", "the disk is full"),
        K::QuotaExceeded => ("het schijfquotum is op", "the disk quota is used up"),
        K::PermissionDenied => ("geen toestemming", "permission denied"),
        K::ReadOnlyFilesystem => ("de schijf is alleen-lezen", "the disk is read-only"),
        K::NotFound => (
            "het bestand of de map bestaat niet",
            "the file or folder does not exist",
        ),
        _ => return format!("{e}"),
    };
    lang.pick(nl, en).to_string()
}

fn write_message(step: Step, path: &std::path::Path, source: &io::Error, lang: Lang) -> String {
    let cause = io_cause(source, lang);
    let path = path.display();
    let outcome = match (step, lang) {
        (Step::SyncDir, Lang::Nl) => {
            "De nieuwe versie staat op zijn plaats, maar is misschien nog niet veilig op de schijf."
        }
        (Step::SyncDir, Lang::En) => {
            "The new version is in place but may not be safely on disk yet."
        }
        (Step::Remove, Lang::Nl) => "Het bestand staat er nog; er is niets verloren.",
        (Step::Remove, Lang::En) => "The file is still there; nothing was lost.",
        (Step::CreateDir, Lang::Nl) => "Er is niets veranderd.",
        (Step::CreateDir, Lang::En) => "Nothing was changed.",
        (_, Lang::Nl) => "De vorige versie is onveranderd.",
        (_, Lang::En) => "The previous version is unchanged.",
    };
    match lang {
        Lang::Nl => format!(
            "Opslaan mislukt bij {} ({path}): {cause}. {outcome}",
            step.nl()
        ),
        Lang::En => format!(
            "Saving failed while {} ({path}): {cause}. {outcome}",
            step.en()
        ),
    }
}

impl StoreError {
    /// What happened and what to do next, in Dutch or English.
    pub fn describe(&self, lang: Lang) -> String {
        use StoreError as E;
        let nl = lang == Lang::Nl;
        match self {
            E::NotAVault { dir } => match lang {
                Lang::Nl => format!("Er is nog geen kluis in {}. Richt deze laptop in met `safevisit init`.", dir.display()),
                Lang::En => format!("There is no vault in {} yet. Set this laptop up with `safevisit init`.", dir.display()),
            },
            E::AlreadyExists { dir } => match lang {
                Lang::Nl => format!(
                    "Er staat al een kluis in {}. safevisit overschrijft nooit een kluis. Kies een andere map met --data-dir, of start de app.",
                    dir.display()
                ),
                Lang::En => format!(
                    "There is already a vault in {}. safevisit never overwrites a vault. Choose another folder with --data-dir, or start the app.",
                    dir.display()
                ),
            },
            E::PartialVault { dir, found } => match lang {
                Lang::Nl => format!(
                    "{} bevat delen van een kluis ({found}) maar geen vault.toml. safevisit overschrijft die niet: zet vault.toml terug uit een back-up, of kies een andere map met --data-dir.",
                    dir.display()
                ),
                Lang::En => format!(
                    "{} holds parts of a vault ({found}) but no vault.toml. safevisit will not overwrite them: restore vault.toml from a backup, or choose another folder with --data-dir.",
                    dir.display()
                ),
            },
            E::AlreadyOpen { .. } => lang
                .pick(
                    "safevisit is al geopend op deze gegevensmap. Sluit het andere venster eerst.",
                    "safevisit is already open on this data directory. Close the other window first.",
                )
                .into(),
            E::WrongPassphrase => lang
                .pick(
                    "De wachtwoordzin klopt niet. Probeer het opnieuw (let op Caps Lock). Kwijt? Zie docs/SECURITY.md, 'Lost passphrase'.",
                    "The passphrase does not match. Try again (mind Caps Lock). Lost it? See docs/SECURITY.md, 'Lost passphrase'.",
                )
                .into(),
            E::Locked => lang
                .pick("De kluis is vergrendeld. Ontgrendel hem eerst met de wachtwoordzin.", "The vault is locked. Unlock it with the passphrase first.")
                .into(),
            E::WeakPassphrase(w) => w.describe(lang),
            E::NoRecipient => lang
                .pick(
                    "Er is geen ontvanger van de organisatie opgegeven. Maak op kantoor een sleutel met `safevisit supervisor keygen` (of `age-keygen`) en geef de publieke sleutel mee: --recipient age1… of --recipients-file BESTAND.",
                    "No organisation recipient was given. Make a key at the office with `safevisit supervisor keygen` (or `age-keygen`) and pass its public key: --recipient age1… or --recipients-file FILE.",
                )
                .into(),
            E::BadRecipient(e) => e.describe(lang),
            E::InvalidDeviceId(why) => match lang {
                Lang::Nl => format!("De apparaat-id is ongeldig ({why}); gebruik 1 tot 64 letters, cijfers, - of _."),
                Lang::En => format!("The device id is not valid (it {why}); use 1 to 64 letters, digits, - or _."),
            },
            E::InvalidDeviceName(why) => match lang {
                Lang::Nl => format!("De apparaatnaam is ongeldig ({why}); kies een naam van 1 tot 64 tekens, zoals laptop-3."),
                Lang::En => format!("The device name is not valid (it {why}); choose a name of 1 to 64 characters, like laptop-3."),
            },
            E::InvalidWorkFactor(n) => match lang {
                Lang::Nl => format!("De scrypt-werkfactor {n} valt buiten 1 tot 22."),
                Lang::En => format!("The scrypt work factor {n} is outside 1 to 22."),
            },
            E::IdentityDamaged { path, reason } => match lang {
                Lang::Nl => format!(
                    "De apparaatsleutel {} is onbruikbaar ({reason}). Zet het bestand terug uit een back-up; zonder deze sleutel zijn concepten niet te openen (afgeronde bezoeken wel, op kantoor).",
                    path.display()
                ),
                Lang::En => format!(
                    "The device key {} cannot be used ({reason}). Restore the file from a backup; without this key drafts cannot be opened (finalized visits still can, at the office).",
                    path.display()
                ),
            },
            E::ConfigDamaged { path, reason } => match lang {
                Lang::Nl => format!("{} is niet leesbaar ({reason}). Zet het bestand terug uit een back-up.", path.display()),
                Lang::En => format!("{} cannot be read ({reason}). Restore the file from a backup.", path.display()),
            },
            E::ConfigMismatch { field } => match lang {
                Lang::Nl => format!(
                    "vault.toml wijkt af van de kopie die met de wachtwoordzin is verzegeld ({field}). Iemand heeft het bestand veranderd. Er is niets opgeslagen; meld dit bij uw leidinggevende."
                ),
                Lang::En => format!(
                    "vault.toml differs from the copy sealed with the passphrase ({field}). Someone changed the file. Nothing was saved; report this to your supervisor."
                ),
            },
            E::UnsupportedVault { found, known } => match lang {
                Lang::Nl => format!("Deze kluis heeft indeling {found}; dit programma kent indeling {known}. Werk safevisit bij."),
                Lang::En => format!("This vault has layout {found}; this program knows layout {known}. Update safevisit."),
            },
            E::InvalidVisitId { id } => match lang {
                Lang::Nl => format!("`{id}` is geen geldige bezoek-id (1 tot 64 letters, cijfers, - of _)."),
                Lang::En => format!("`{id}` is not a valid visit id (1 to 64 letters, digits, - or _)."),
            },
            E::InvalidTimestamp { value } => match lang {
                Lang::Nl => format!("`{value}` is geen tijdstip van de vorm JJJJ-MM-DDTUU:MM:SS."),
                Lang::En => format!("`{value}` is not a time stamp of the form YYYY-MM-DDTHH:MM:SS."),
            },
            E::NoSuchDraft { id } => match lang {
                Lang::Nl => format!("Er is geen concept van bezoek {id}. Het kan al zijn afgerond of verwijderd."),
                Lang::En => format!("There is no draft of visit {id}. It may have been finalized or discarded."),
            },
            E::NoSuchCase { id } => match lang {
                Lang::Nl => format!("Er is geen open casus {id}. Hij kan al zijn gesloten."),
                Lang::En => format!("There is no open case {id}. It may have been closed already."),
            },
            E::InvalidCloseReason { reason } => match lang {
                Lang::Nl => format!("`{reason}` is geen reden om een casus te sluiten. Kies: doel_bereikt, overgedragen, verhuisd, gestopt of anders."),
                Lang::En => format!("`{reason}` is not a reason for closing a case. Choose: doel_bereikt, overgedragen, verhuisd, gestopt or anders."),
            },
            E::NoSuchFinalized { id } => match lang {
                Lang::Nl => format!("Er is geen afgerond bezoek {id}."),
                Lang::En => format!("There is no finalized visit {id}."),
            },
            E::AlreadyFinalized { id } => match lang {
                Lang::Nl => format!("Bezoek {id} is al afgerond en kan niet meer worden gewijzigd."),
                Lang::En => format!("Visit {id} is already finalized and can no longer be changed."),
            },
            E::RecordFinalized => lang
                .pick(
                    "Dit verslag is al als afgerond gemarkeerd; alleen de kluis rondt een bezoek af.",
                    "This record is already marked finalized; only the vault finalizes a visit.",
                )
                .into(),
            E::TooLarge { limit, .. } => match lang {
                Lang::Nl => format!("Het verslag is groter dan de grens van {limit} bytes en is niet opgeslagen. Verdeel lange teksten."),
                Lang::En => format!("The record is larger than the limit of {limit} bytes and was not saved. Shorten long texts."),
            },
            E::Quarantined { note } => note.describe(lang),
            E::SequenceDamaged { path, reason } => match lang {
                Lang::Nl => format!(
                    "Het volgnummerbestand {} is beschadigd ({reason}). Er is niets afgerond. Zet het terug uit een back-up.",
                    path.display()
                ),
                Lang::En => format!(
                    "The sequence file {} is damaged ({reason}). Nothing was finalized. Restore it from a backup.",
                    path.display()
                ),
            },
            E::Read { path, source } => {
                let cause = io_cause(source, lang);
                if nl {
                    format!("{} kon niet worden gelezen: {cause}. Controleer de schijf en probeer opnieuw.", path.display())
                } else {
                    format!("{} could not be read: {cause}. Check the disk and try again.", path.display())
                }
            }
            E::Write { step, path, source } => {
                let msg = write_message(*step, path, source, lang);
                let next = match (source.kind(), nl) {
                    (io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded, true) => " Maak ruimte vrij en probeer opnieuw.",
                    (io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded, false) => " Free some space and try again.",
                    (_, true) => " Probeer opnieuw; lukt het niet, meld het dan.",
                    (_, false) => " Try again; if it keeps failing, report it.",
                };
                format!("{msg}{next}")
            }
            E::SigningKeyFailed => lang
                .pick(
                    "Er kon geen ondertekeningssleutel worden gemaakt (de toevalsbron van het systeem faalde). Er is niets veranderd; probeer opnieuw.",
                    "A signing key could not be made (the system's random source failed). Nothing was changed; try again.",
                )
                .into(),
            E::NoSigningKey => lang
                .pick(
                    "Deze kluis heeft nog geen ondertekeningssleutel. Ontgrendel hem één keer met de wachtwoordzin (safevisit status); dan wordt er een gemaakt.",
                    "This vault has no signing key yet. Unlock it once with the passphrase (safevisit status); that makes one.",
                )
                .into(),
            E::OrgKeyDiffers { pinned, offered } => match lang {
                Lang::Nl => format!(
                    "Deze laptop vertrouwt al een andere organisatiesleutel (kaart {pinned}); de aangeboden kaart ({offered}) heeft een andere ondertekeningssleutel. Er is niets veranderd. Alleen als kantoor bevestigt dat de sleutel echt vervangen is: geef --replace mee. Anders zou een ontvangstbewijs van wie dan ook worden vertrouwd."
                ),
                Lang::En => format!(
                    "This laptop already trusts another organisation key (card {pinned}); the card offered ({offered}) has a different signing key. Nothing was changed. Only if the office confirms the key was really replaced: pass --replace. Otherwise receipts from anyone holding that key would be trusted."
                ),
            },
            E::OrgCardDiffers { pinned, offered } => match lang {
                Lang::Nl => format!(
                    "Deze laptop heeft al een organisatiekaart (kaart {pinned}); de aangeboden kaart ({offered}) noemt andere ontvangers of een andere naam. Er is niets veranderd. Afgeronde bezoeken worden voor de ontvangers op de kaart versleuteld: alleen als kantoor bevestigt dat de ontvangers echt veranderd zijn, geef --replace mee."
                ),
                Lang::En => format!(
                    "This laptop already has an organisation card (card {pinned}); the card offered ({offered}) names other recipients or another name. Nothing was changed. Finalized visits are encrypted to the card's recipients: only if the office confirms the recipients really changed, pass --replace."
                ),
            },
            E::Envelope(e) => {
                if nl {
                    format!("Versleutelen of ontsleutelen mislukte: {}.", envelope_nl(e))
                } else {
                    format!("Encrypting or decrypting failed: {e}.")
                }
            }
        }
    }
}
