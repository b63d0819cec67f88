//! The names of everything in the data directory (see `docs/FORMATS.md`).
//!
//! ```text
//! DATA/
//!   vault.toml                     plaintext config, no secret (written last by init)
//!   identity.age                   device identity, age scrypt (passphrase)
//!   lock                           empty; held with an OS lock while open
//!   sequence                       next sequence number, ASCII decimal + LF
//!   index.age                      device-encrypted index
//!   drafts/ID.age                  draft, device-encrypted record
//!   drafts/ID.finalizing.age       finalize in progress, device-encrypted record
//!   final/SEQ.visit.age            finalized record, organisation recipients only
//!   final/SEQ.stub.age             device-encrypted stub of that record
//!   cases/CASE.case.age            case card, device-encrypted
//!   cases/closed.age               cases closed on this laptop, device-encrypted
//!   quarantine/                    files moved aside, never deleted
//!   checklists/                    the organisation's checklist files (optional)
//! ```
//!
//! `SEQ` is the sequence number in decimal, zero-padded to 8 digits (more
//! digits once it passes 99,999,999). Pure: builds names, touches nothing.

pub const CONFIG: &str = "vault.toml";
pub const IDENTITY: &str = "identity.age";
pub const LOCK: &str = "lock";
pub const SEQUENCE: &str = "sequence";
pub const INDEX: &str = "index.age";
pub const DRAFTS: &str = "drafts";
pub const FINAL: &str = "final";
pub const QUARANTINE: &str = "quarantine";
pub const CASES: &str = "cases";
pub const CLOSED_CASES: &str = "closed.age";
pub const CASE_SUFFIX: &str = ".case.age";

pub fn case_name(id: &str) -> String {
    format!("{id}{CASE_SUFFIX}")
}

/// The case id of a file name in `cases/`.
pub fn parse_case_name(name: &str) -> Option<String> {
    let id = name.strip_suffix(CASE_SUFFIX)?;
    valid_id(id).then(|| id.to_string())
}

pub const DRAFT_SUFFIX: &str = ".age";
pub const FINALIZING_SUFFIX: &str = ".finalizing.age";
pub const VISIT_SUFFIX: &str = ".visit.age";
pub const STUB_SUFFIX: &str = ".stub.age";

/// A visit id (also a device id): 1 to 64 of `A-Z a-z 0-9 - _`, so that it
/// is always a safe file name.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub fn draft_name(id: &str) -> String {
    format!("{id}{DRAFT_SUFFIX}")
}

pub fn finalizing_name(id: &str) -> String {
    format!("{id}{FINALIZING_SUFFIX}")
}

pub fn visit_name(seq: u64) -> String {
    format!("{seq:08}{VISIT_SUFFIX}")
}

pub fn stub_name(seq: u64) -> String {
    format!("{seq:08}{STUB_SUFFIX}")
}

/// What a file name in `drafts/` is.
#[derive(Debug, PartialEq, Eq)]
pub enum DraftName {
    Draft(String),
    Finalizing(String),
}

pub fn parse_draft_name(name: &str) -> Option<DraftName> {
    if let Some(id) = name.strip_suffix(FINALIZING_SUFFIX) {
        return valid_id(id).then(|| DraftName::Finalizing(id.to_string()));
    }
    let id = name.strip_suffix(DRAFT_SUFFIX)?;
    valid_id(id).then(|| DraftName::Draft(id.to_string()))
}

/// What a file name in `final/` is.
#[derive(Debug, PartialEq, Eq)]
pub enum FinalName {
    Visit(u64),
    Stub(u64),
}

pub fn parse_final_name(name: &str) -> Option<FinalName> {
    let seq = |s: &str| -> Option<u64> {
        if s.len() < 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok().filter(|&n| n > 0)
    };
    if let Some(s) = name.strip_suffix(VISIT_SUFFIX) {
        return seq(s).map(FinalName::Visit);
    }
    name.strip_suffix(STUB_SUFFIX)
        .and_then(seq)
        .map(FinalName::Stub)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(
            parse_final_name(&visit_name(42)),
            Some(FinalName::Visit(42))
        );
        assert_eq!(
            parse_final_name(&stub_name(123_456_789)),
            Some(FinalName::Stub(123_456_789))
        );
        assert_eq!(parse_final_name("42.visit.age"), None);
        assert_eq!(
            parse_draft_name(&draft_name("a-1")),
            Some(DraftName::Draft("a-1".into()))
        );
        assert_eq!(
            parse_draft_name(&finalizing_name("a-1")),
            Some(DraftName::Finalizing("a-1".into()))
        );
        assert_eq!(parse_draft_name("../x.age"), None);
        assert_eq!(parse_draft_name("notes.txt"), None);
    }
}
