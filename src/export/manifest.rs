//! `manifest.json`, the first file of every bundle: which device made it,
//! when, and for every visit its id, sequence number, file, size, SHA-256
//! of the ciphertext and the checklists it used (docs/FORMATS.md,
//! "Bundles").
//!
//! Pure: builds and checks values; reading hostile bytes gives an error,
//! never a panic, and error messages quote nothing from the input except
//! ids that passed their own checks.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::store::config::{valid_device_id, valid_device_name};
use crate::store::layout;
use crate::visit::record::{ChecklistStamp, parse_stamp};

/// The `format` field of every manifest.
pub const FORMAT: &str = "safevisit-bundle";
/// The bundle format version this program writes. It reads this one and
/// every earlier one ([`OLDEST_VERSION`]): version 1 had no signature;
/// version 3 added the case of each visit and the cases closed on the
/// laptop.
pub const VERSION: u32 = 3;
/// The oldest bundle format version this program reads.
pub const OLDEST_VERSION: u32 = 1;
/// The manifest's file name inside the archive.
pub const NAME: &str = "manifest.json";
/// The manifest's signature inside the archive (format 2 on): the second file.
pub const SIGNATURE_NAME: &str = "manifest.json.minisig";
/// The largest manifest (64 MiB: well over 100,000 visits).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// The folder of the record files inside the archive.
pub const VISITS_DIR: &str = "visits";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    pub device: Device,
    /// `YYYY-MM-DDTHH:MM:SS`, the device's local time.
    pub created_at: String,
    /// Lowest sequence first.
    pub visits: Vec<ManifestVisit>,
    /// Cases the worker closed on the laptop (version 3; empty before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed_cases: Vec<ClosedCase>,
}

/// A case closed on the laptop (manifest version 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClosedCase {
    pub case_id: String,
    /// `YYYY-MM-DD`
    pub closed_on: String,
    /// A key of `case::CLOSE_REASONS` (never free text).
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestVisit {
    pub id: String,
    pub sequence: u64,
    /// `visits/SEQ.visit.age` (the vault's own file name).
    pub file: String,
    /// The size of the record file in bytes.
    pub size: u64,
    /// SHA-256 of the record file (the ciphertext), lowercase hex.
    pub sha256: String,
    pub finalized_at: String,
    pub checklists: Vec<ManifestChecklist>,
    /// The case the visit belongs to (version 3; before, each visit is a
    /// case of its own, named after it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// The id of the visit this one follows (version 3; a follow-up only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestChecklist {
    pub id: String,
    pub version: u32,
    /// SHA-256 of the checklist file, lowercase hex.
    pub hash: String,
}

impl From<&ChecklistStamp> for ManifestChecklist {
    fn from(s: &ChecklistStamp) -> Self {
        ManifestChecklist {
            id: s.id.clone(),
            version: s.version,
            hash: s.hash.clone(),
        }
    }
}

/// The name of a record file inside the archive.
pub fn record_file(sequence: u64) -> String {
    format!("{VISITS_DIR}/{}", layout::visit_name(sequence))
}

/// Why a manifest is not usable. The whole bundle is then refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("manifest.json is larger than {MAX_BYTES} bytes")]
    TooLarge,
    #[error("manifest.json is not JSON (line {line}, column {column})")]
    NotJson { line: usize, column: usize },
    #[error("this is not a safevisit bundle (its manifest has another format)")]
    NotABundle,
    #[error(
        "this bundle has format version {found}; this program reads version {VERSION} (a newer safevisit made it)"
    )]
    NewerVersion { found: u64 },
    #[error("manifest.json does not follow the format (line {line}, column {column}): {what}")]
    Shape {
        line: usize,
        column: usize,
        what: String,
    },
    #[error("manifest.json is not valid: {0}")]
    Invalid(String),
}

/// Only what is needed to tell the format and version apart from damage.
#[derive(Deserialize)]
struct Head {
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
}

/// serde's message, without any quoted input: up to the first quote or
/// backtick, which is where serde starts quoting values.
fn shape_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let cut = full.find(['`', '"', '\'']).unwrap_or(full.len());
    let msg = full[..cut].trim_end().trim_end_matches(':').to_string();
    // Drop serde_json's own " at line L column C" (the error says it).
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    }
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Manifest {
    /// The manifest as written into a bundle: pretty JSON, fields in the
    /// order of the structs, ending in a newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// Parse and check a manifest. Checks the format and version first, so
    /// that a newer bundle is reported as such and not as damage.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, ManifestError> {
        if bytes.len() > MAX_BYTES {
            return Err(ManifestError::TooLarge);
        }
        let head: Head = serde_json::from_slice(bytes).map_err(|e| {
            if e.is_syntax() || e.is_eof() || e.is_io() {
                ManifestError::NotJson {
                    line: e.line(),
                    column: e.column(),
                }
            } else {
                ManifestError::NotABundle
            }
        })?;
        if head.format.as_ref().and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(ManifestError::NotABundle);
        }
        match head.version.as_ref().and_then(|v| v.as_u64()) {
            Some(v) if (u64::from(OLDEST_VERSION)..=u64::from(VERSION)).contains(&v) => {}
            Some(v) if v > u64::from(VERSION) => {
                return Err(ManifestError::NewerVersion { found: v });
            }
            _ => {
                return Err(ManifestError::Invalid(
                    "its version is missing or not a known version".into(),
                ));
            }
        }
        let m: Manifest = serde_json::from_slice(bytes).map_err(|e| ManifestError::Shape {
            line: e.line(),
            column: e.column(),
            what: shape_message(&e),
        })?;
        m.check()?;
        Ok(m)
    }

    /// Every rule of docs/FORMATS.md that the types do not already enforce.
    pub fn check(&self) -> Result<(), ManifestError> {
        let bad = |s: String| Err(ManifestError::Invalid(s));
        if let Err(why) = valid_device_id(&self.device.id) {
            return bad(format!("the device id {why}"));
        }
        if let Err(why) = valid_device_name(&self.device.name) {
            return bad(format!("the device name {why}"));
        }
        if parse_stamp(&self.created_at).is_none() {
            return bad("created_at is not a time of the form YYYY-MM-DDTHH:MM:SS".into());
        }
        let mut ids = HashSet::new();
        let mut sequences = HashSet::new();
        for (n, v) in self.visits.iter().enumerate() {
            let which = format!("visit {} of the manifest", n + 1);
            if !layout::valid_id(&v.id) {
                return bad(format!(
                    "{which} has an id that is not 1 to 64 of A-Z a-z 0-9 - _"
                ));
            }
            if v.sequence == 0 {
                return bad(format!("visit {} has sequence number 0", v.id));
            }
            if v.file != record_file(v.sequence) {
                return bad(format!(
                    "visit {} names a file other than {}",
                    v.id,
                    record_file(v.sequence)
                ));
            }
            if !is_hex64(&v.sha256) {
                return bad(format!(
                    "visit {} has a SHA-256 that is not 64 lowercase hex digits",
                    v.id
                ));
            }
            if parse_stamp(&v.finalized_at).is_none() {
                return bad(format!("visit {} has an invalid finalized_at", v.id));
            }
            for c in &v.checklists {
                if c.id.is_empty() || c.id.len() > 64 || c.id.chars().any(char::is_control) {
                    return bad(format!("visit {} names an invalid checklist id", v.id));
                }
                if !is_hex64(&c.hash) {
                    return bad(format!("visit {} has an invalid checklist hash", v.id));
                }
            }
            for (what, id) in [("case id", &v.case_id), ("follows", &v.follows)] {
                if let Some(id) = id
                    && !layout::valid_id(id)
                {
                    return bad(format!(
                        "visit {} has a {what} that is not 1 to 64 of A-Z a-z 0-9 - _",
                        v.id
                    ));
                }
            }
            if !ids.insert(v.id.as_str()) {
                return bad(format!("visit {} is listed twice", v.id));
            }
            if !sequences.insert(v.sequence) {
                return bad(format!("sequence number {} is listed twice", v.sequence));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> Manifest {
        Manifest {
            closed_cases: Vec::new(),
            format: FORMAT.into(),
            version: VERSION,
            device: Device {
                id: "device-kersenboom".into(),
                name: "laptop-3".into(),
            },
            created_at: "2025-03-04T12:00:00".into(),
            visits: vec![ManifestVisit {
                case_id: None,
                follows: None,
                id: "bezoek-1".into(),
                sequence: 14,
                file: record_file(14),
                size: 1234,
                sha256: "ab".repeat(32),
                finalized_at: "2025-03-04T11:00:00".into(),
                checklists: vec![ManifestChecklist {
                    id: "veiligheid".into(),
                    version: 1,
                    hash: "cd".repeat(32),
                }],
            }],
        }
    }

    #[test]
    fn round_trips() {
        let m = sample();
        assert_eq!(record_file(14), "visits/00000014.visit.age");
        assert_eq!(Manifest::parse(&m.to_json()).unwrap(), m);
    }

    #[test]
    fn format_and_version_come_first() {
        assert_eq!(
            Manifest::parse(br#"{"format":"iets anders","version":1}"#),
            Err(ManifestError::NotABundle)
        );
        assert_eq!(
            Manifest::parse(br#"{"format":"safevisit-bundle","version":7,"nieuw":true}"#),
            Err(ManifestError::NewerVersion { found: 7 })
        );
        assert!(matches!(
            Manifest::parse(b"{\"format\": "),
            Err(ManifestError::NotJson { .. })
        ));
        assert_eq!(Manifest::parse(b"[1,2]"), Err(ManifestError::NotABundle));
    }

    #[test]
    fn rules_are_checked() {
        let mut m = sample();
        m.visits[0].file = "../../etc/passwd".into();
        assert!(matches!(m.check(), Err(ManifestError::Invalid(_))));
        let mut m = sample();
        m.visits[0].id = "../x".into();
        assert!(matches!(m.check(), Err(ManifestError::Invalid(_))));
        let mut m = sample();
        m.visits.push(m.visits[0].clone());
        assert!(matches!(m.check(), Err(ManifestError::Invalid(_))));
        let mut m = sample();
        m.visits[0].sha256 = "AB".repeat(32);
        assert!(matches!(m.check(), Err(ManifestError::Invalid(_))));
    }

    #[test]
    fn unknown_fields_are_refused_without_quoting_them() {
        let text = String::from_utf8(sample().to_json())
            .unwrap()
            .replace("\"created_at\"", "\"geheim_veld\": 1, \"created_at\"");
        match Manifest::parse(text.as_bytes()) {
            Err(ManifestError::Shape { what, .. }) => {
                assert!(!what.contains("geheim"), "{what}");
                assert!(what.contains("unknown field"), "{what}");
            }
            other => panic!("expected a shape error, got {other:?}"),
        }
    }
}
