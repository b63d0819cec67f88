//! The two public cards that make the office and its laptops know each
//! other (docs/FORMATS.md, "Cards"):
//!
//! - the **device card** a laptop writes (`safevisit device-card`) and the
//!   office pins (`safevisit supervisor enrol CARD`): device id and name,
//!   the laptop's own age recipient (receipts are encrypted to it) and its
//!   signing public key (its bundles are signed with it);
//! - the **organisation card** the office writes (`safevisit supervisor
//!   org-card`) and a laptop takes at `init` or onboarding: the recipients
//!   bundles are encrypted to, backup recipients, and the organisation's
//!   signing public key (its receipts are signed with it).
//!
//! Both are small TOML files that hold no secret. Each carries a readable
//! fingerprint over its contents, checked when the card is read, so a
//! damaged or edited card is refused and two people can compare the same
//! 16 characters by phone before a card is trusted.
//!
//! Pure, apart from [`read_card_file`], which reads a card (a regular file,
//! opened without blocking, of at most [`MAX_CARD_BYTES`]) for the commands.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::signing::{VerifyingKey, fingerprint};
use crate::store::config::{valid_device_id, valid_device_name};
use crate::store::recipients::{Recipient, parse_recipient};

/// The `format` of a device card.
pub const DEVICE_FORMAT: &str = "safevisit-device-card";
/// The `format` of an organisation card.
pub const ORG_FORMAT: &str = "safevisit-org-card";
/// The card format version this program writes and reads.
pub const VERSION: u32 = 1;
/// The largest card read (a real one is under 1 KiB).
pub const MAX_CARD_BYTES: u64 = 64 * 1024;
/// The most recipients an organisation card may name (each kind).
pub const MAX_RECIPIENTS: usize = 16;
/// The longest organisation name.
pub const MAX_ORG_NAME_CHARS: usize = 80;

/// Why a card cannot be used. Quotes nothing from the input except what
/// passed its own check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("the card is larger than {MAX_CARD_BYTES} bytes")]
    TooLarge,
    #[error("the card is not a regular file")]
    NotAFile,
    #[error("the card cannot be read: {0}")]
    Read(String),
    #[error("this is not a safevisit card (line {line}): {what}")]
    NotACard { line: usize, what: String },
    #[error("this is a {found}, not a {expected}")]
    OtherKind {
        found: &'static str,
        expected: &'static str,
    },
    #[error(
        "this card has format version {found}; this program reads version {VERSION} (a newer safevisit made it)"
    )]
    NewerVersion { found: i64 },
    #[error("the card's {field} is not valid: {why}")]
    Field { field: &'static str, why: String },
    #[error(
        "the card's fingerprint does not match its contents: it was changed or damaged after it was written"
    )]
    FingerprintMismatch,
}

impl CardError {
    /// What is wrong and what to do, in Dutch or English.
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (CardError::TooLarge, Lang::Nl) => format!(
                "de kaart is groter dan {MAX_CARD_BYTES} bytes; dit is geen safevisit-kaart"
            ),
            (CardError::NotAFile, Lang::Nl) => {
                "de kaart is geen gewoon bestand; geef het pad van het kaartbestand".into()
            }
            (CardError::Read(e), Lang::Nl) => format!("de kaart is niet te lezen ({e})"),
            // The TOML reason is English: in Dutch only the line is named.
            (CardError::NotACard { line, .. }, Lang::Nl) => format!(
                "dit is geen safevisit-kaart (regel {line} volgt het kaartformaat niet); maak de kaart opnieuw"
            ),
            (CardError::OtherKind { found, expected }, Lang::Nl) => format!(
                "dit is een {}, geen {}",
                kind_nl(found),
                kind_nl(expected)
            ),
            (CardError::NewerVersion { found }, Lang::Nl) => format!(
                "deze kaart heeft formaatversie {found}; dit programma leest versie {VERSION}. Werk safevisit bij"
            ),
            (CardError::Field { field, why }, Lang::Nl) => {
                format!("het veld {field} van de kaart klopt niet: {}", why_nl(why))
            }
            (CardError::FingerprintMismatch, Lang::Nl) => {
                "de vingerafdruk van de kaart past niet bij de inhoud: de kaart is veranderd of beschadigd. Vraag een nieuwe kaart".into()
            }
            (e, Lang::En) => {
                let mut s = e.to_string();
                if matches!(e, CardError::FingerprintMismatch) {
                    s.push_str(". Ask for a new card");
                }
                s
            }
        }
    }
}

/// The Dutch of a field's reason (the reasons are the English phrases of
/// this module and of the device id and name checks).
fn why_nl(why: &str) -> &str {
    match why {
        "must be 1 to 64 characters" => "het moet 1 tot 64 tekens lang zijn",
        "may hold only letters, digits, - and _" => {
            "het mag alleen letters, cijfers, - en _ bevatten"
        }
        "may not hold control characters" => "het mag geen stuurtekens bevatten",
        "may not start or end with a space" => "het mag niet met een spatie beginnen of eindigen",
        "not a minisign public key" => "het is geen publieke minisign-sleutel",
        "not a known version" => "het is geen bekende versie",
        "it names no recipient" => "er staat geen ontvanger op",
        "more than 16" => "er staan er meer dan 16 op",
        "at most 80 characters, no control characters" => "hoogstens 80 tekens, zonder stuurtekens",
        "a secret key, which never belongs on a card" => {
            "een GEHEIME sleutel, die hoort nooit op een kaart"
        }
        "it does not decode (a typo or a cut-off copy)" => {
            "de sleutel klopt niet (een tikfout of een afgebroken kopie)"
        }
        "not an age X25519 recipient" => "het is geen age-ontvanger (age1…)",
        other => other,
    }
}

fn kind_nl(kind: &str) -> &'static str {
    if kind == DEVICE_KIND {
        "apparaatkaart"
    } else {
        "organisatiekaart"
    }
}

const DEVICE_KIND: &str = "device card";
const ORG_KIND: &str = "organisation card";

/// A laptop's public card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCard {
    pub device_id: String,
    pub device_name: String,
    /// The laptop's own age recipient: receipts are encrypted to it.
    pub recipient: Recipient,
    /// The laptop's signing public key: its bundles are signed with it.
    pub signing_key: VerifyingKey,
}

/// The organisation's public card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgCard {
    /// A name for people (may be empty).
    pub organisation: String,
    /// The recipients finalized visits are encrypted to (at least one).
    pub recipients: Vec<Recipient>,
    /// Backup recipients whose secret keys are kept offline.
    pub backup_recipients: Vec<Recipient>,
    /// The organisation's signing public key: its receipts are signed with it.
    pub signing_key: VerifyingKey,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceToml {
    format: String,
    version: i64,
    device_id: String,
    device_name: String,
    recipient: String,
    signing_key: String,
    fingerprint: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrgToml {
    format: String,
    version: i64,
    #[serde(default)]
    organisation: String,
    recipients: Vec<String>,
    #[serde(default)]
    backup_recipients: Vec<String>,
    signing_key: String,
    fingerprint: String,
}

#[derive(Deserialize)]
struct Head {
    format: Option<toml::Value>,
    version: Option<toml::Value>,
}

/// The format and version, checked before the rest so that a newer card or
/// the other kind of card is reported as such and not as damage.
fn check_head(text: &str, expected_format: &str) -> Result<(), CardError> {
    let head: Head = toml::from_str(text).map_err(|_| not_a_card(text))?;
    let expected = if expected_format == DEVICE_FORMAT {
        DEVICE_KIND
    } else {
        ORG_KIND
    };
    match head.format.as_ref().and_then(|f| f.as_str()) {
        Some(f) if f == expected_format => {}
        Some(DEVICE_FORMAT) => {
            return Err(CardError::OtherKind {
                found: DEVICE_KIND,
                expected,
            });
        }
        Some(ORG_FORMAT) => {
            return Err(CardError::OtherKind {
                found: ORG_KIND,
                expected,
            });
        }
        _ => {
            return Err(CardError::NotACard {
                line: 1,
                what: "it has no safevisit card format".into(),
            });
        }
    }
    match head.version.as_ref().and_then(|v| v.as_integer()) {
        Some(v) if v == i64::from(VERSION) => Ok(()),
        Some(v) if v > i64::from(VERSION) => Err(CardError::NewerVersion { found: v }),
        _ => Err(CardError::Field {
            field: "version",
            why: "not a known version".into(),
        }),
    }
}

/// The TOML error as a line and a message without quoted input.
fn not_a_card(text: &str) -> CardError {
    match toml::from_str::<toml::Table>(text) {
        Err(e) => {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(1);
            let msg = e.message().to_string();
            let cut = msg.find(['`', '"', '\'']).unwrap_or(msg.len());
            CardError::NotACard {
                line,
                what: msg[..cut].trim().trim_end_matches(':').to_string(),
            }
        }
        Ok(_) => CardError::NotACard {
            line: 1,
            what: "it does not follow the card format".into(),
        },
    }
}

fn field(field: &'static str, why: impl Into<String>) -> CardError {
    CardError::Field {
        field,
        why: why.into(),
    }
}

fn recipient(name: &'static str, s: &str) -> Result<Recipient, CardError> {
    use crate::store::recipients::RecipientProblem as P;
    parse_recipient(s).map_err(|e| {
        field(
            name,
            match e.problem {
                P::SecretKey => "a secret key, which never belongs on a card",
                P::Damaged => "it does not decode (a typo or a cut-off copy)",
                P::Ssh | P::Plugin | P::NotARecipient => "not an age X25519 recipient",
            },
        )
    })
}

fn signing_key(s: &str) -> Result<VerifyingKey, CardError> {
    VerifyingKey::from_base64(s).map_err(|_| field("signing_key", "not a minisign public key"))
}

impl DeviceCard {
    /// The card's fingerprint: over the device id, name, recipient and
    /// signing key.
    pub fn fingerprint(&self) -> String {
        fingerprint(&[
            DEVICE_FORMAT,
            &self.device_id,
            &self.device_name,
            &self.recipient.to_string(),
            &self.signing_key.to_base64(),
        ])
    }

    /// The card as a file: comments for people, then the fields.
    pub fn to_text(&self) -> String {
        let t = DeviceToml {
            format: DEVICE_FORMAT.into(),
            version: i64::from(VERSION),
            device_id: self.device_id.clone(),
            device_name: self.device_name.clone(),
            recipient: self.recipient.to_string(),
            signing_key: self.signing_key.to_base64(),
            fingerprint: self.fingerprint(),
        };
        format!(
            "# safevisit apparaatkaart / device card\n\
             # Openbaar: bevat geen geheim. Public: holds no secret.\n\
             # Vingerafdruk / fingerprint: {}\n\
             # Kantoor / office: safevisit supervisor enrol KAART\n\
             {}",
            self.fingerprint(),
            toml::to_string(&t).unwrap_or_default()
        )
    }

    /// Read and check a device card: format, version, every field, and the
    /// fingerprint against the contents.
    pub fn parse(text: &str) -> Result<DeviceCard, CardError> {
        if text.len() as u64 > MAX_CARD_BYTES {
            return Err(CardError::TooLarge);
        }
        check_head(text, DEVICE_FORMAT)?;
        let t: DeviceToml = toml::from_str(text).map_err(|_| not_a_card_shape(text))?;
        valid_device_id(&t.device_id).map_err(|e| field("device_id", e))?;
        valid_device_name(&t.device_name).map_err(|e| field("device_name", e))?;
        let card = DeviceCard {
            device_id: t.device_id,
            device_name: t.device_name,
            recipient: recipient("recipient", &t.recipient)?,
            signing_key: signing_key(&t.signing_key)?,
        };
        if t.fingerprint != card.fingerprint() {
            return Err(CardError::FingerprintMismatch);
        }
        Ok(card)
    }
}

/// A shape error (a missing or unknown field, a wrong type), without quoted input.
fn not_a_card_shape(text: &str) -> CardError {
    match toml::from_str::<DeviceToml>(text)
        .err()
        .or_else(|| toml::from_str::<OrgToml>(text).err())
    {
        Some(e) => {
            let msg = e.message().to_string();
            let cut = msg.find(['`', '"', '\'']).unwrap_or(msg.len());
            let what = msg[..cut].trim().trim_end_matches(':').to_string();
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(1);
            CardError::NotACard { line, what }
        }
        None => not_a_card(text),
    }
}

impl OrgCard {
    /// The card's fingerprint: over the name, every recipient and the
    /// signing key.
    pub fn fingerprint(&self) -> String {
        let mut parts: Vec<String> = vec![ORG_FORMAT.into(), self.organisation.clone()];
        parts.push(format!("recipients:{}", self.recipients.len()));
        parts.extend(self.recipients.iter().map(|r| r.to_string()));
        parts.push(format!("backup:{}", self.backup_recipients.len()));
        parts.extend(self.backup_recipients.iter().map(|r| r.to_string()));
        parts.push(self.signing_key.to_base64());
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        fingerprint(&refs)
    }

    /// Every recipient a laptop encrypts to: the recipients, then the backups.
    pub fn all_recipients(&self) -> Vec<Recipient> {
        let mut out = self.recipients.clone();
        out.extend(self.backup_recipients.iter().cloned());
        crate::store::recipients::dedup(out)
    }

    /// The card as a file: comments for people, then the fields.
    pub fn to_text(&self) -> String {
        let t = OrgToml {
            format: ORG_FORMAT.into(),
            version: i64::from(VERSION),
            organisation: self.organisation.clone(),
            recipients: self.recipients.iter().map(|r| r.to_string()).collect(),
            backup_recipients: self
                .backup_recipients
                .iter()
                .map(|r| r.to_string())
                .collect(),
            signing_key: self.signing_key.to_base64(),
            fingerprint: self.fingerprint(),
        };
        format!(
            "# safevisit organisatiekaart / organisation card\n\
             # Openbaar: bevat geen geheim. Public: holds no secret.\n\
             # Vingerafdruk / fingerprint: {}\n\
             # Laptop: safevisit init --org-card KAART\n\
             {}",
            self.fingerprint(),
            toml::to_string(&t).unwrap_or_default()
        )
    }

    /// Read and check an organisation card: format, version, every field,
    /// and the fingerprint against the contents.
    pub fn parse(text: &str) -> Result<OrgCard, CardError> {
        if text.len() as u64 > MAX_CARD_BYTES {
            return Err(CardError::TooLarge);
        }
        check_head(text, ORG_FORMAT)?;
        let t: OrgToml = toml::from_str(text).map_err(|_| not_a_card_shape(text))?;
        if t.organisation.chars().count() > MAX_ORG_NAME_CHARS
            || t.organisation.chars().any(|c| c.is_control())
        {
            return Err(field(
                "organisation",
                "at most 80 characters, no control characters",
            ));
        }
        if t.recipients.is_empty() {
            return Err(field("recipients", "it names no recipient"));
        }
        if t.recipients.len() > MAX_RECIPIENTS || t.backup_recipients.len() > MAX_RECIPIENTS {
            return Err(field("recipients", "more than 16"));
        }
        let recipients = t
            .recipients
            .iter()
            .map(|r| recipient("recipients", r))
            .collect::<Result<Vec<_>, _>>()?;
        let backup_recipients = t
            .backup_recipients
            .iter()
            .map(|r| recipient("backup_recipients", r))
            .collect::<Result<Vec<_>, _>>()?;
        let card = OrgCard {
            organisation: t.organisation,
            recipients,
            backup_recipients,
            signing_key: signing_key(&t.signing_key)?,
        };
        if t.fingerprint != card.fingerprint() {
            return Err(CardError::FingerprintMismatch);
        }
        Ok(card)
    }
}

/// Whether `text` looks like an organisation card (so that a file given
/// where recipients are expected can be read as one).
pub fn is_org_card(text: &str) -> bool {
    text.lines()
        .any(|l| l.trim_start().starts_with("format") && l.contains(ORG_FORMAT))
}

/// Read a card file: a regular file (never a FIFO or a device) of at most
/// [`MAX_CARD_BYTES`], as UTF-8 text.
pub fn read_card_file(path: &Path) -> Result<String, CardError> {
    let (file, size) = crate::input::open_regular(path).map_err(|e| match e {
        crate::input::InputError::Io(e) => CardError::Read(e.kind().to_string()),
        crate::input::InputError::NotRegular(_) => CardError::NotAFile,
    })?;
    if size > MAX_CARD_BYTES {
        return Err(CardError::TooLarge);
    }
    let mut bytes = Vec::new();
    file.take(MAX_CARD_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CardError::Read(e.kind().to_string()))?;
    if bytes.len() as u64 > MAX_CARD_BYTES {
        return Err(CardError::TooLarge);
    }
    String::from_utf8(bytes).map_err(|_| CardError::NotACard {
        line: 1,
        what: "it is not UTF-8 text".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::SigningKey;

    fn recipient_of_new_key() -> Recipient {
        Recipient::from(age::x25519::Identity::generate().to_public())
    }

    fn device_card() -> DeviceCard {
        DeviceCard {
            device_id: "6f1c0d7e-laptop".into(),
            device_name: "wijkteam-noord-1".into(),
            recipient: recipient_of_new_key(),
            signing_key: SigningKey::generate().unwrap().public().clone(),
        }
    }

    fn org_card() -> OrgCard {
        OrgCard {
            organisation: "Jeugdzorg Voorbeeldstad".into(),
            recipients: vec![recipient_of_new_key()],
            backup_recipients: vec![recipient_of_new_key()],
            signing_key: SigningKey::generate().unwrap().public().clone(),
        }
    }

    #[test]
    fn a_device_card_round_trips_and_shows_its_fingerprint() {
        let card = device_card();
        let text = card.to_text();
        assert!(text.contains(&card.fingerprint()));
        assert_eq!(DeviceCard::parse(&text).unwrap(), card);
    }

    #[test]
    fn an_org_card_round_trips() {
        let card = org_card();
        let text = card.to_text();
        assert_eq!(OrgCard::parse(&text).unwrap(), card);
        assert!(is_org_card(&text));
        assert!(!is_org_card(&device_card().to_text()));
        assert_eq!(card.all_recipients().len(), 2);
    }

    #[test]
    fn an_edited_card_fails_its_fingerprint() {
        let card = device_card();
        let text = card
            .to_text()
            .replace("wijkteam-noord-1", "wijkteam-noord-2");
        assert_eq!(
            DeviceCard::parse(&text),
            Err(CardError::FingerprintMismatch)
        );
        let other = SigningKey::generate().unwrap().public().to_base64();
        let text = card
            .to_text()
            .replace(&card.signing_key.to_base64(), &other);
        assert_eq!(
            DeviceCard::parse(&text),
            Err(CardError::FingerprintMismatch)
        );
    }

    #[test]
    fn the_other_kind_a_newer_version_and_junk_are_named() {
        assert!(matches!(
            DeviceCard::parse(&org_card().to_text()),
            Err(CardError::OtherKind { .. })
        ));
        let newer = device_card()
            .to_text()
            .replace("version = 1", "version = 7");
        assert_eq!(
            DeviceCard::parse(&newer),
            Err(CardError::NewerVersion { found: 7 })
        );
        assert!(matches!(
            DeviceCard::parse("not = [toml"),
            Err(CardError::NotACard { .. })
        ));
        let extra = format!("{}extra = 1\n", device_card().to_text());
        assert!(matches!(
            DeviceCard::parse(&extra),
            Err(CardError::NotACard { .. })
        ));
        let secret = device_card()
            .to_text()
            .replace("recipient = \"age1", "recipient = \"AGE-SECRET-KEY-1");
        let err = DeviceCard::parse(&secret).unwrap_err();
        assert!(!err.describe(Lang::Nl).contains("AGE-SECRET-KEY-1"));
    }

    #[test]
    fn dutch_messages_carry_no_english_reason() {
        let mut card = device_card();
        card.device_id = "laptop 3!".into();
        let text = card.to_text();
        let e = DeviceCard::parse(&text).unwrap_err();
        let nl = e.describe(Lang::Nl);
        assert!(nl.contains("alleen letters, cijfers"), "{nl}");
        assert!(!nl.contains("may hold"), "{nl}");
        let e = DeviceCard::parse("format = \"safevisit-device-card\"\nversion = 1\n").unwrap_err();
        let nl = e.describe(Lang::Nl);
        assert!(nl.contains("regel") && !nl.contains("missing"), "{nl}");
        let secret = device_card()
            .to_text()
            .replace("recipient = \"age1", "recipient = \"AGE-SECRET-KEY-1");
        let nl = DeviceCard::parse(&secret).unwrap_err().describe(Lang::Nl);
        assert!(nl.contains("GEHEIME sleutel"), "{nl}");
    }

    #[test]
    fn a_card_file_must_be_a_small_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_card_file(dir.path()), Err(CardError::NotAFile));
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'#'; MAX_CARD_BYTES as usize + 1]).unwrap();
        assert_eq!(read_card_file(&big), Err(CardError::TooLarge));
        let ok = dir.path().join("card.toml");
        std::fs::write(&ok, device_card().to_text()).unwrap();
        assert!(DeviceCard::parse(&read_card_file(&ok).unwrap()).is_ok());
    }
}
