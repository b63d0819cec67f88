//! Receipts: what the office sends back to a laptop after an import
//! (docs/FORMATS.md, "Receipts"). A receipt names, for one device, the
//! visits that arrived — by id, sequence number and the SHA-256 of the
//! record file — so that the laptop can delete exactly those records and
//! nothing else.
//!
//! A receipt file (`DIR/receipts/<device>-<n>.age` at the office) is one
//! age file encrypted to the laptop's own recipient (from its device card).
//! Inside is a ustar archive of two files, like a bundle:
//!
//! - `receipt.json`: the receipt ([`Receipt`]);
//! - `receipt.json.minisig`: a minisign signature of `receipt.json` by the
//!   organisation's signing key.
//!
//! The laptop opens it with its device identity and accepts it only when
//! the signature verifies against the organisation key it pinned at
//! `init` (from the organisation card). Nothing here touches a file.

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::sealed;
use crate::signing::{SignatureError, SigningKey, VerifyingKey};
use crate::store::config::valid_device_id;
use crate::store::recipients::Recipient;

/// The `format` field of every receipt.
pub const FORMAT: &str = "safevisit-receipt";
/// The newest receipt format version this program writes and reads.
/// Version 2 added `closed_cases`; a receipt that closes no case is still
/// written as version 1 (byte for byte as before), so a laptop not yet
/// updated can apply it.
pub const VERSION: u32 = 2;
/// The oldest receipt format version this program reads.
pub const OLDEST_VERSION: u32 = 1;
/// The receipt's file name inside the archive.
pub const NAME: &str = "receipt.json";
/// The signature's file name inside the archive.
pub const SIG_NAME: &str = "receipt.json.minisig";
/// The largest receipt file (ciphertext) read: room for well over 100,000 visits.
pub const MAX_RECEIPT_BYTES: usize = 32 * 1024 * 1024;
/// The largest `receipt.json`.
const MAX_JSON_BYTES: usize = 24 * 1024 * 1024;

/// A receipt: the visits of one device that the office holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// The device the visits came from (the receipt is for that laptop only).
    pub device_id: String,
    /// The receipt's number for this device, from 1, one higher each time.
    pub number: u64,
    /// `YYYY-MM-DDTHH:MM:SS`, the office's local time.
    pub created_at: String,
    /// The visits that arrived, lowest sequence first.
    pub visits: Vec<ReceiptVisit>,
    /// Cases the office closed (or another laptop closed) that this
    /// laptop holds visits of: the laptop deletes their case cards
    /// (version 2; empty and absent in version 1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed_cases: Vec<String>,
}

/// One visit that arrived at the office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptVisit {
    pub id: String,
    pub sequence: u64,
    /// SHA-256 of the record file (the ciphertext, as in the bundle's
    /// manifest), lowercase hex.
    pub sha256: String,
}

/// Why a receipt cannot be used. A receipt that fails changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("the receipt is larger than {MAX_RECEIPT_BYTES} bytes")]
    TooLarge,
    #[error("this is not an age file, so not a receipt")]
    NotAgeFile,
    #[error("the receipt is encrypted for another laptop")]
    NotForThisDevice,
    #[error("the receipt is damaged (its integrity check fails, or it was cut short)")]
    Damaged,
    #[error("the receipt does not hold receipt.json and its signature")]
    NotAReceipt,
    #[error("the receipt is not signed by the organisation this laptop trusts: {0}")]
    Signature(SignatureError),
    #[error(
        "this receipt has format version {found}; this program reads version {VERSION} (a newer safevisit made it)"
    )]
    NewerVersion { found: u64 },
    #[error("receipt.json is not valid: {0}")]
    Invalid(String),
    #[error("writing the receipt failed: {0}")]
    Write(String),
}

impl ReceiptError {
    /// What is wrong and what to do, in Dutch or English. Every case ends
    /// in "nothing was changed" (the caller deletes nothing).
    pub fn describe(&self, lang: Lang) -> String {
        let what = match (self, lang) {
            (ReceiptError::TooLarge, Lang::Nl) => {
                format!("het ontvangstbewijs is groter dan {MAX_RECEIPT_BYTES} bytes")
            }
            (ReceiptError::NotAgeFile, Lang::Nl) => {
                "dit is geen age-bestand, dus geen ontvangstbewijs".into()
            }
            (ReceiptError::NotForThisDevice, Lang::Nl) => {
                "het ontvangstbewijs is versleuteld voor een andere laptop".into()
            }
            (ReceiptError::Damaged, Lang::Nl) => {
                "het ontvangstbewijs is beschadigd of afgekapt".into()
            }
            (ReceiptError::NotAReceipt, Lang::Nl) => {
                "het bestand bevat geen receipt.json met handtekening".into()
            }
            (ReceiptError::Signature(e), Lang::Nl) => format!(
                "de handtekening klopt niet met de organisatiesleutel die deze laptop vertrouwt ({})",
                signature_nl(e)
            ),
            (ReceiptError::NewerVersion { found }, Lang::Nl) => format!(
                "dit ontvangstbewijs heeft formaatversie {found}; dit programma leest versie {VERSION}. Werk safevisit bij"
            ),
            (ReceiptError::Invalid(why), Lang::Nl) => {
                format!("receipt.json klopt niet ({})", invalid_nl(why))
            }
            (ReceiptError::Write(why), Lang::Nl) => {
                format!("het ontvangstbewijs kon niet worden gemaakt ({why})")
            }
            (e, Lang::En) => e.to_string(),
        };
        match lang {
            Lang::Nl => format!("{what}. Er is niets veranderd."),
            Lang::En => format!("{what}. Nothing was changed."),
        }
    }
}

/// The Dutch of an `Invalid` reason (the English phrases of this module).
fn invalid_nl(why: &str) -> String {
    if let Some(line) = why.strip_prefix("does not follow the format (line ") {
        return format!("volgt het formaat niet (regel {line}");
    }
    match why {
        "not JSON" => "geen JSON",
        "unknown version" => "onbekende versie",
        "device_id" => "het apparaat-id",
        "number" => "het nummer",
        "created_at" => "de tijd van maken",
        "a visit id" => "een bezoek-id",
        "a sequence number" => "een volgnummer",
        "a sha256" => "een SHA-256",
        "a visit is listed twice" => "een bezoek staat er twee keer in",
        "a case id" => "een casus-id",
        "a case is listed twice" => "een casus staat er twee keer in",
        "the signed comment names another receipt" => {
            "het ondertekende commentaar noemt een ander ontvangstbewijs"
        }
        other => other,
    }
    .to_string()
}

/// A signature problem in Dutch (the English is the error's own text).
pub fn signature_nl(e: &SignatureError) -> String {
    match e {
        SignatureError::BadPublicKey => "de publieke sleutel is onleesbaar".into(),
        SignatureError::BadSecretKey => "de geheime sleutel is beschadigd".into(),
        SignatureError::NotASignature => "dit is geen minisign-handtekening".into(),
        SignatureError::OtherKey { found, expected } => {
            format!("gezet met een andere sleutel ({found}) dan verwacht ({expected})")
        }
        SignatureError::Mismatch => {
            "de handtekening past niet bij de inhoud: het bestand is veranderd na het ondertekenen"
                .into()
        }
        SignatureError::Legacy => "een oud soort minisign-handtekening".into(),
        SignatureError::Signing => "ondertekenen is mislukt".into(),
    }
}

/// The receipt file's name at the office: `<device>-<n>.age`.
pub fn file_name(device_id: &str, number: u64) -> String {
    format!("{device_id}-{number}.age")
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

impl Receipt {
    /// A receipt of `visits` (sorted here by sequence).
    pub fn new(
        device_id: &str,
        number: u64,
        created_at: &str,
        mut visits: Vec<ReceiptVisit>,
    ) -> Receipt {
        visits.sort_by_key(|v| v.sequence);
        Receipt {
            format: FORMAT.into(),
            version: OLDEST_VERSION,
            device_id: device_id.into(),
            number,
            created_at: created_at.into(),
            visits,
            closed_cases: Vec::new(),
        }
    }

    /// The receipt also closing `cases` (sorted, each once): version 2
    /// when there are any.
    pub fn closing(mut self, mut cases: Vec<String>) -> Receipt {
        cases.sort();
        cases.dedup();
        if !cases.is_empty() {
            self.version = VERSION;
        }
        self.closed_cases = cases;
        self
    }

    /// The receipt as written: pretty JSON ending in a newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// Parse and check `receipt.json`: format and version first, then every
    /// field (ids, sequence numbers, hashes, unique visits).
    pub fn parse(bytes: &[u8]) -> Result<Receipt, ReceiptError> {
        if bytes.len() > MAX_JSON_BYTES {
            return Err(ReceiptError::TooLarge);
        }
        #[derive(Deserialize)]
        struct Head {
            format: Option<serde_json::Value>,
            version: Option<serde_json::Value>,
        }
        let head: Head =
            serde_json::from_slice(bytes).map_err(|_| ReceiptError::Invalid("not JSON".into()))?;
        if head.format.as_ref().and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(ReceiptError::NotAReceipt);
        }
        match head.version.as_ref().and_then(|v| v.as_u64()) {
            Some(v) if (u64::from(OLDEST_VERSION)..=u64::from(VERSION)).contains(&v) => {}
            Some(v) if v > u64::from(VERSION) => {
                return Err(ReceiptError::NewerVersion { found: v });
            }
            _ => return Err(ReceiptError::Invalid("unknown version".into())),
        }
        let r: Receipt = serde_json::from_slice(bytes).map_err(|e| {
            ReceiptError::Invalid(format!("does not follow the format (line {})", e.line()))
        })?;
        r.check()?;
        Ok(r)
    }

    fn check(&self) -> Result<(), ReceiptError> {
        let bad = |s: &str| Err(ReceiptError::Invalid(s.into()));
        if valid_device_id(&self.device_id).is_err() {
            return bad("device_id");
        }
        if self.number == 0 || self.number > i64::MAX as u64 {
            return bad("number");
        }
        if !is_timestamp(&self.created_at) {
            return bad("created_at");
        }
        let mut ids = std::collections::HashSet::new();
        let mut seqs = std::collections::HashSet::new();
        for v in &self.visits {
            if valid_device_id(&v.id).is_err() {
                return bad("a visit id");
            }
            if v.sequence == 0 || v.sequence > i64::MAX as u64 {
                return bad("a sequence number");
            }
            if !is_hex64(&v.sha256) {
                return bad("a sha256");
            }
            if !ids.insert(v.id.as_str()) || !seqs.insert(v.sequence) {
                return bad("a visit is listed twice");
            }
        }
        if self.version < 2 && !self.closed_cases.is_empty() {
            return bad("unknown version");
        }
        let mut cases = std::collections::HashSet::new();
        for c in &self.closed_cases {
            if !crate::visit::record::valid_case_id(c) {
                return bad("a case id");
            }
            if !cases.insert(c.as_str()) {
                return bad("a case is listed twice");
            }
        }
        Ok(())
    }
}

/// The trusted comment of a receipt's signature.
fn trusted_comment(r: &Receipt) -> String {
    format!(
        "safevisit-receipt device={} number={}",
        r.device_id, r.number
    )
}

const NAMES: sealed::Names = sealed::Names {
    json: NAME,
    sig: SIG_NAME,
};

impl From<sealed::OpenError> for ReceiptError {
    fn from(e: sealed::OpenError) -> Self {
        match e {
            sealed::OpenError::TooLarge => ReceiptError::TooLarge,
            sealed::OpenError::NotAgeFile => ReceiptError::NotAgeFile,
            sealed::OpenError::NotForThisDevice => ReceiptError::NotForThisDevice,
            sealed::OpenError::Damaged => ReceiptError::Damaged,
            sealed::OpenError::NotThePair => ReceiptError::NotAReceipt,
            sealed::OpenError::Signature(e) => ReceiptError::Signature(e),
        }
    }
}

/// Sign `receipt` with the organisation's key and encrypt it to the
/// laptop's recipient: the bytes of a receipt file.
pub fn seal(
    receipt: &Receipt,
    key: &SigningKey,
    to: &Recipient,
    mtime: u64,
) -> Result<Vec<u8>, ReceiptError> {
    sealed::seal(
        NAMES,
        &receipt.to_json(),
        &trusted_comment(receipt),
        key,
        to,
        mtime,
    )
    .map_err(|e| match e {
        sealed::SealError::Signature(e) => ReceiptError::Signature(e),
        sealed::SealError::Write(e) => ReceiptError::Write(e),
    })
}

/// Decrypt a receipt file with the laptop's identity, then check it like
/// [`open_plain`].
pub fn open(
    bytes: &[u8],
    identity: &age::x25519::Identity,
    org: &VerifyingKey,
) -> Result<Receipt, ReceiptError> {
    let plain = sealed::decrypt(bytes, identity, MAX_RECEIPT_BYTES)?;
    open_plain(&plain, org)
}

/// Check a decrypted receipt archive: exactly `receipt.json` then its
/// signature, the signature verified against `org`, then the receipt
/// parsed and checked.
pub fn open_plain(plain: &[u8], org: &VerifyingKey) -> Result<Receipt, ReceiptError> {
    let (json, comment) = sealed::open_plain(NAMES, plain, MAX_JSON_BYTES, org)?;
    let receipt = Receipt::parse(&json)?;
    if comment != trusted_comment(&receipt) {
        return Err(ReceiptError::Invalid(
            "the signed comment names another receipt".into(),
        ));
    }
    Ok(receipt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt() -> Receipt {
        Receipt::new(
            "6f1c0d7e-laptop",
            3,
            "2026-12-05T10:00:00",
            vec![
                ReceiptVisit {
                    id: "visit-b".into(),
                    sequence: 5,
                    sha256: "b".repeat(64),
                },
                ReceiptVisit {
                    id: "visit-a".into(),
                    sequence: 4,
                    sha256: "a".repeat(64),
                },
            ],
        )
    }

    #[test]
    fn a_sealed_receipt_opens_on_its_laptop_only() {
        let org = SigningKey::generate().unwrap();
        let laptop = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let bytes = seal(&receipt(), &org, &Recipient::from(laptop.to_public()), 0).unwrap();
        let back = open(&bytes, &laptop, org.public()).unwrap();
        assert_eq!(back, receipt());
        assert_eq!(back.visits[0].sequence, 4, "sorted by sequence");
        assert_eq!(
            open(&bytes, &other, org.public()),
            Err(ReceiptError::NotForThisDevice)
        );
    }

    #[test]
    fn a_receipt_signed_by_another_key_is_refused() {
        let org = SigningKey::generate().unwrap();
        let forger = SigningKey::generate().unwrap();
        let laptop = age::x25519::Identity::generate();
        let bytes = seal(&receipt(), &forger, &Recipient::from(laptop.to_public()), 0).unwrap();
        assert!(matches!(
            open(&bytes, &laptop, org.public()),
            Err(ReceiptError::Signature(SignatureError::OtherKey { .. }))
        ));
    }

    #[test]
    fn a_changed_receipt_json_fails_the_signature() {
        let org = SigningKey::generate().unwrap();
        let r = receipt();
        let json = r.to_json();
        let sig = org.sign(&json, &trusted_comment(&r)).unwrap();
        let forged = String::from_utf8(json)
            .unwrap()
            .replace("\"sequence\": 5", "\"sequence\": 6")
            .into_bytes();
        let mut plain = Vec::new();
        {
            let mut t = ::tar::Builder::new(&mut plain);
            crate::export::tar::append(&mut t, NAME, &forged, 0).unwrap();
            crate::export::tar::append(&mut t, SIG_NAME, sig.as_bytes(), 0).unwrap();
            t.finish().unwrap();
        }
        assert_eq!(
            open_plain(&plain, org.public()),
            Err(ReceiptError::Signature(SignatureError::Mismatch))
        );
    }

    #[test]
    fn junk_is_refused_with_nothing_changed() {
        let org = SigningKey::generate().unwrap();
        let laptop = age::x25519::Identity::generate();
        assert_eq!(
            open(b"hello", &laptop, org.public()),
            Err(ReceiptError::NotAgeFile)
        );
        assert_eq!(
            open_plain(b"", org.public()),
            Err(ReceiptError::NotAReceipt)
        );
        let nl = ReceiptError::Invalid("a visit is listed twice".into()).describe(Lang::Nl);
        assert!(nl.contains("twee keer") && !nl.contains("listed"), "{nl}");
        let e = ReceiptError::NotAgeFile;
        assert!(e.describe(Lang::Nl).ends_with("Er is niets veranderd."));
        assert!(e.describe(Lang::En).ends_with("Nothing was changed."));
    }

    #[test]
    fn parse_checks_every_field() {
        let mut r = receipt();
        r.visits[1].sequence = 4;
        let dup = serde_json::to_vec(&r).unwrap();
        assert!(matches!(
            Receipt::parse(&dup),
            Err(ReceiptError::Invalid(_))
        ));
        let mut r = receipt();
        r.visits[0].sha256 = "xyz".into();
        assert!(Receipt::parse(&serde_json::to_vec(&r).unwrap()).is_err());
        // Version 2 closes cases; version 1 cannot.
        let r = receipt().closing(vec!["appelboom-1".into(), "appelboom-1".into()]);
        assert_eq!(r.version, 2);
        assert_eq!(r.closed_cases, vec!["appelboom-1".to_string()]);
        assert_eq!(Receipt::parse(&r.to_json()), Ok(r.clone()));
        let mut old = r.clone();
        old.version = 1;
        assert!(Receipt::parse(&serde_json::to_vec(&old).unwrap()).is_err());
        let mut bad = r;
        bad.closed_cases = vec!["../x".into()];
        assert!(Receipt::parse(&serde_json::to_vec(&bad).unwrap()).is_err());
        // A receipt that closes nothing is version 1, without the field.
        let plain = receipt().closing(Vec::new());
        assert_eq!(plain.version, 1);
        assert!(
            !String::from_utf8(plain.to_json())
                .unwrap()
                .contains("closed_cases")
        );
        let mut r = receipt();
        r.version = 9;
        assert_eq!(
            Receipt::parse(&serde_json::to_vec(&r).unwrap()),
            Err(ReceiptError::NewerVersion { found: 9 })
        );
        assert!(Receipt::parse(&receipt().to_json()).is_ok());
    }
}
