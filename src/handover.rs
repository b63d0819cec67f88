//! Handing a case over to another laptop, through the office
//! (docs/ARCHITECTURE.md, "Overdracht / Handover").
//!
//! The office keeps, for every visit it imports, the case card the laptop
//! makes of it at finalize (`CaseCard::from_record`, the same pure
//! function; ledger table `case_cards`). `supervisor handover CASE --to
//! DEVICE` takes the card of the case's last visit and writes
//! `DIR/handovers/<device>-<case>.age`:
//!
//! ```text
//! handover = age( tar( handover.json, handover.json.minisig ) )
//! ```
//!
//! like a receipt: encrypted to the target laptop's own recipient (from its
//! enrolled device card), signed with the organisation's signing key (the
//! trusted comment `safevisit-handover device=DEVICE case=CASE`). The
//! laptop opens it with [`open`] (`safevisit case-import FILE`) and keeps
//! the card as if it had made it. The laptops that held the case before
//! learn in their next receipt that their card is to go (`closed_cases`).

use serde::{Deserialize, Serialize};

use crate::case::CaseCard;
use crate::i18n::Lang;
use crate::sealed;
use crate::signing::{SignatureError, SigningKey, VerifyingKey};
use crate::store::config::valid_device_id;
use crate::store::recipients::Recipient;
use crate::visit::record::valid_case_id;

/// The `format` of every handover.
pub const FORMAT: &str = "safevisit-handover";
/// The handover format version.
pub const VERSION: u32 = 1;
pub const NAME: &str = "handover.json";
pub const SIG_NAME: &str = "handover.json.minisig";
/// The folder of the handover files in the office folder.
pub const FOLDER: &str = "handovers";
/// The largest handover file read (a card is a few kilobytes).
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// What a handover file holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handover {
    /// Always [`FORMAT`].
    pub format: String,
    pub version: u32,
    /// The laptop it is for.
    pub device_id: String,
    pub case_id: String,
    /// `YYYY-MM-DDTHH:MM:SS`, the office's local time.
    pub created_at: String,
    pub card: CaseCard,
}

/// Why a handover cannot be used: nothing is changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandoverError {
    #[error("the file is not a handover of a case")]
    NotAHandover,
    #[error("the handover is encrypted for another laptop")]
    NotForThisDevice,
    #[error("the handover is damaged (its integrity check fails, or it was cut short)")]
    Damaged,
    #[error("the handover is not signed by the organisation this laptop trusts: {0}")]
    Signature(SignatureError),
    #[error("this handover has format version {found}; this program reads version {VERSION}")]
    NewerVersion { found: u64 },
    #[error("handover.json is not valid: {0}")]
    Invalid(&'static str),
    #[error("writing the handover failed: {0}")]
    Write(String),
}

impl HandoverError {
    pub fn describe(&self, lang: Lang) -> String {
        let what = match (self, lang) {
            (HandoverError::NotAHandover, Lang::Nl) => {
                "het bestand is geen overdracht van een casus".into()
            }
            (HandoverError::NotForThisDevice, Lang::Nl) => {
                "de overdracht is versleuteld voor een andere laptop".into()
            }
            (HandoverError::Damaged, Lang::Nl) => "de overdracht is beschadigd of afgekapt".into(),
            (HandoverError::Signature(e), Lang::Nl) => format!(
                "de handtekening klopt niet met de organisatiesleutel die deze laptop vertrouwt ({})",
                crate::receipt::signature_nl(e)
            ),
            (HandoverError::NewerVersion { found }, Lang::Nl) => format!(
                "deze overdracht heeft formaatversie {found}; dit programma leest versie {VERSION}. Werk safevisit bij"
            ),
            (HandoverError::Invalid(_), Lang::Nl) => "handover.json klopt niet".into(),
            (HandoverError::Write(why), Lang::Nl) => {
                format!("de overdracht kon niet worden gemaakt ({why})")
            }
            (e, Lang::En) => e.to_string(),
        };
        match lang {
            Lang::Nl => format!("{what}. Er is niets veranderd."),
            Lang::En => format!("{what}. Nothing was changed."),
        }
    }
}

fn trusted_comment(h: &Handover) -> String {
    format!(
        "safevisit-handover device={} case={}",
        h.device_id, h.case_id
    )
}

impl Handover {
    pub fn new(device_id: &str, created_at: &str, card: CaseCard) -> Handover {
        Handover {
            format: FORMAT.into(),
            version: VERSION,
            device_id: device_id.into(),
            case_id: card.case_id.clone(),
            created_at: created_at.into(),
            card,
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// Parse and check `handover.json`: format and version first.
    pub fn parse(bytes: &[u8]) -> Result<Handover, HandoverError> {
        #[derive(Deserialize)]
        struct Head {
            format: Option<serde_json::Value>,
            version: Option<serde_json::Value>,
        }
        let head: Head =
            serde_json::from_slice(bytes).map_err(|_| HandoverError::Invalid("not JSON"))?;
        if head.format.as_ref().and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(HandoverError::NotAHandover);
        }
        match head.version.as_ref().and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) if v > u64::from(VERSION) => {
                return Err(HandoverError::NewerVersion { found: v });
            }
            _ => return Err(HandoverError::Invalid("unknown version")),
        }
        let h: Handover = serde_json::from_slice(bytes)
            .map_err(|_| HandoverError::Invalid("does not follow the format"))?;
        if valid_device_id(&h.device_id).is_err() {
            return Err(HandoverError::Invalid("device_id"));
        }
        if !valid_case_id(&h.case_id) || h.card.case_id != h.case_id {
            return Err(HandoverError::Invalid("case_id"));
        }
        Ok(h)
    }
}

const NAMES: sealed::Names = sealed::Names {
    json: NAME,
    sig: SIG_NAME,
};

/// Sign `h` with the organisation's key and encrypt it to the laptop's
/// recipient: the bytes of a handover file.
pub fn seal(
    h: &Handover,
    key: &SigningKey,
    to: &Recipient,
    mtime: u64,
) -> Result<Vec<u8>, HandoverError> {
    sealed::seal(NAMES, &h.to_json(), &trusted_comment(h), key, to, mtime).map_err(|e| match e {
        sealed::SealError::Signature(e) => HandoverError::Signature(e),
        sealed::SealError::Write(e) => HandoverError::Write(e),
    })
}

/// Open a handover file on the laptop: decrypt with its device identity,
/// verify the signature against the pinned organisation key before
/// reading the JSON, then check it; `device_id` must be this laptop's
/// (the caller compares).
pub fn open(
    bytes: &[u8],
    identity: &age::x25519::Identity,
    org: &VerifyingKey,
) -> Result<Handover, HandoverError> {
    let opened = sealed::decrypt(bytes, identity, MAX_BYTES)
        .and_then(|plain| sealed::open_plain(NAMES, &plain, MAX_BYTES, org));
    let (json, comment) = opened.map_err(|e| match e {
        sealed::OpenError::TooLarge | sealed::OpenError::Damaged => HandoverError::Damaged,
        sealed::OpenError::NotAgeFile | sealed::OpenError::NotThePair => {
            HandoverError::NotAHandover
        }
        sealed::OpenError::NotForThisDevice => HandoverError::NotForThisDevice,
        sealed::OpenError::Signature(e) => HandoverError::Signature(e),
    })?;
    let h = Handover::parse(&json)?;
    if comment != trusted_comment(&h) {
        return Err(HandoverError::Invalid(
            "the signed comment names another handover",
        ));
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visit::record::{ChildRecord, FinalRecord, VisitRecord};

    fn card() -> CaseCard {
        let rec = VisitRecord {
            case_id: "kersenboom-1".into(),
            follow_up: None,
            read_back_at: None,
            case_keeps: Vec::new(),
            id: "kersenboom-1".into(),
            label: "Kersenboom".into(),
            date: "2025-03-04".into(),
            place: String::new(),
            present: String::new(),
            children: vec![ChildRecord {
                id: 1,
                alias: "Mila".into(),
                age: 2,
            }],
            caregivers: vec![],
            sheets: vec![],
            flags: vec![],
            cursor: None,
            created_at: "2025-03-04T10:00:00".into(),
            updated_at: "2025-03-04T11:00:00".into(),
            orphans: vec![],
            finalized: Some(FinalRecord {
                sequence: 1,
                finalized_at: "2025-03-04T11:00:00".into(),
                device_id: "device-a".into(),
                device_name: "laptop-3".into(),
                summary: Default::default(),
            }),
            pending: vec![],
            removed: vec![],
        };
        CaseCard::from_record(&rec, None)
    }

    #[test]
    fn a_sealed_handover_opens_on_its_laptop_only() {
        let org = SigningKey::generate().unwrap();
        let laptop = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let h = Handover::new("device-b", "2025-04-01T09:00:00", card());
        let bytes = seal(&h, &org, &Recipient::from(laptop.to_public()), 0).unwrap();
        assert_eq!(open(&bytes, &laptop, org.public()), Ok(h));
        assert_eq!(
            open(&bytes, &other, org.public()),
            Err(HandoverError::NotForThisDevice)
        );
        assert_eq!(
            open(b"hello", &laptop, org.public()),
            Err(HandoverError::NotAHandover)
        );
    }

    #[test]
    fn parse_checks_format_version_and_case() {
        let h = Handover::new("device-b", "2025-04-01T09:00:00", card());
        assert_eq!(Handover::parse(&h.to_json()), Ok(h.clone()));
        let mut newer = h.clone();
        newer.version = 2;
        assert_eq!(
            Handover::parse(&newer.to_json()),
            Err(HandoverError::NewerVersion { found: 2 })
        );
        let mut other = h.clone();
        other.case_id = "appelboom-1".into();
        assert_eq!(
            Handover::parse(&other.to_json()),
            Err(HandoverError::Invalid("case_id"))
        );
        let mut receipt = h;
        receipt.format = "safevisit-receipt".into();
        assert_eq!(
            Handover::parse(&receipt.to_json()),
            Err(HandoverError::NotAHandover)
        );
        let nl = HandoverError::NotForThisDevice.describe(Lang::Nl);
        assert!(
            nl.ends_with("Er is niets veranderd.") && !nl.contains(" the "),
            "{nl}"
        );
    }
}
