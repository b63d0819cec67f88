//! The envelope of every encrypted file the vault writes:
//!
//! ```text
//! age( MAGIC (8 bytes) | format version (u16, little-endian) | bincode(value) )
//! ```
//!
//! The age layer gives confidentiality and integrity (a changed byte fails
//! to decrypt); the magic says what kind of file it is; the version says
//! which structs the bincode payload holds. bincode is not
//! self-describing, so every change to those structs bumps the version and
//! [`decode_record`] keeps reading every earlier version. The full
//! specification is `docs/FORMATS.md`; the golden fixtures in
//! `tests/fixtures/` are its test vectors.
//!
//! This module is public because the office import decodes finalized
//! records with it. It never touches the file system; plaintext exists
//! only in memory, in buffers that are wiped when dropped.

use std::io::{Read, Write};

use age::{Identity, Recipient};
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::visit::record::VisitRecord;

/// The largest bincode payload of a visit record or a stub (16 MiB). A
/// record that would be larger is refused when saving; a length prefix in
/// hostile input cannot make the decoder allocate more than this.
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

/// The largest bincode payload of the index (64 MiB, about 400,000 visits).
pub const MAX_INDEX_BYTES: usize = 64 * 1024 * 1024;

/// Bytes in front of the bincode payload: magic and version.
pub const HEADER_LEN: usize = 10;

/// The bincode configuration of every payload, spelled out so that it can
/// never change by accident: little-endian, variable-length integers
/// (bincode's varint: below 251 one byte; 251/252/253 then a u16/u32/u64),
/// and a limit on what the decoder may allocate.
pub type Config<const LIMIT: usize> = bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Varint,
    bincode::config::Limit<LIMIT>,
>;

/// The configuration for records and stubs.
pub const fn record_config() -> Config<MAX_RECORD_BYTES> {
    bincode::config::standard()
        .with_little_endian()
        .with_variable_int_encoding()
        .with_limit::<MAX_RECORD_BYTES>()
}

/// The configuration for the index.
pub const fn index_config() -> Config<MAX_INDEX_BYTES> {
    bincode::config::standard()
        .with_little_endian()
        .with_variable_int_encoding()
        .with_limit::<MAX_INDEX_BYTES>()
}

/// What kind of file an envelope holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub magic: [u8; 8],
    /// The version this program writes.
    pub version: u16,
    /// For messages: `visit record`, `index`, `stub`.
    pub name: &'static str,
}

/// A visit record (a draft, or a finalized visit).
pub const RECORD: Kind = Kind {
    magic: *b"SVVISIT\0",
    version: 5,
    name: "visit record",
};

/// The index of the vault.
pub const INDEX: Kind = Kind {
    magic: *b"SVINDEX\0",
    version: 3,
    name: "index",
};

/// The device-readable stub beside a finalized record.
pub const STUB: Kind = Kind {
    magic: *b"SVSTUB\0\0",
    version: 2,
    name: "stub",
};

/// A case card (see `case`).
pub const CASE: Kind = Kind {
    magic: *b"SVCASE\0\0",
    version: crate::case::CARD_VERSION,
    name: "case card",
};

/// The list of cases closed on this laptop.
pub const CLOSED: Kind = Kind {
    magic: *b"SVCLOSED",
    version: 1,
    name: "closed-case list",
};

/// The format version of visit records this program writes.
pub const RECORD_VERSION: u16 = RECORD.version;

/// Why an envelope could not be made or opened. Messages never contain
/// plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("this is not an age file, or its header is damaged")]
    NotAgeFile,
    #[error("this file is encrypted to another key")]
    NotForThisKey,
    #[error("this file fails its integrity check: it was changed or damaged")]
    Tampered,
    #[error("this file is cut short")]
    Truncated,
    #[error("this file is larger than the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error("this file is not a {expected}")]
    WrongKind { expected: &'static str },
    #[error(
        "this {kind} has format version {found}; this program reads up to version {newest} (a newer safevisit wrote it)"
    )]
    UnsupportedVersion {
        kind: &'static str,
        found: u16,
        newest: u16,
    },
    #[error("this {kind} does not decode: {reason}")]
    Undecodable {
        kind: &'static str,
        reason: &'static str,
    },
    #[error("this {kind} has bytes after its end")]
    TrailingBytes { kind: &'static str },
    #[error("encryption failed: {0}")]
    Encrypt(String),
}

/// `MAGIC | version | bincode(value)`, in a buffer wiped on drop.
pub fn encode<T: Serialize, const LIMIT: usize>(
    kind: Kind,
    value: &T,
    config: Config<LIMIT>,
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    let bad = |_| EnvelopeError::Undecodable {
        kind: kind.name,
        reason: "the value cannot be encoded",
    };
    // Measure first, then encode into a buffer of exactly that size: a
    // growing Vec would free plaintext copies without wiping them.
    let mut size = bincode::enc::write::SizeWriter::default();
    bincode::serde::encode_into_writer(value, &mut size, config).map_err(bad)?;
    if size.bytes_written > LIMIT {
        return Err(EnvelopeError::TooLarge { limit: LIMIT });
    }
    let mut out = Zeroizing::new(Vec::with_capacity(HEADER_LEN + size.bytes_written));
    out.extend_from_slice(&kind.magic);
    out.extend_from_slice(&kind.version.to_le_bytes());
    bincode::serde::encode_into_std_write(value, &mut *out, config).map_err(bad)?;
    debug_assert_eq!(out.len(), HEADER_LEN + size.bytes_written);
    Ok(out)
}

/// Check the magic and return the format version and the payload.
pub fn split(kind: Kind, plaintext: &[u8]) -> Result<(u16, &[u8]), EnvelopeError> {
    if plaintext.len() < HEADER_LEN || plaintext[..8] != kind.magic {
        return Err(EnvelopeError::WrongKind {
            expected: kind.name,
        });
    }
    let version = u16::from_le_bytes([plaintext[8], plaintext[9]]);
    Ok((version, &plaintext[HEADER_LEN..]))
}

/// Decode exactly one value from `payload`; trailing bytes are an error.
pub fn decode_payload<T: DeserializeOwned, const LIMIT: usize>(
    kind: Kind,
    payload: &[u8],
    config: Config<LIMIT>,
) -> Result<T, EnvelopeError> {
    let (value, used) = bincode::serde::decode_from_slice(payload, config).map_err(|e| {
        EnvelopeError::Undecodable {
            kind: kind.name,
            reason: decode_reason(&e),
        }
    })?;
    if used != payload.len() {
        return Err(EnvelopeError::TrailingBytes { kind: kind.name });
    }
    Ok(value)
}

/// A short category for a bincode error. bincode's own message can quote
/// decoded data (serde errors name unexpected values), so it is never shown.
fn decode_reason(e: &bincode::error::DecodeError) -> &'static str {
    use bincode::error::DecodeError as D;
    match e {
        D::UnexpectedEnd { .. } => "it ends too early",
        D::LimitExceeded => "it claims more memory than the limit",
        D::Utf8 { .. } => "it holds text that is not UTF-8",
        D::UnexpectedVariant { .. } => "it holds an unknown variant",
        D::InvalidBooleanValue(_) | D::InvalidCharEncoding(_) | D::InvalidIntegerType { .. } => {
            "it holds an invalid value"
        }
        D::OutsideUsizeRange(_) => "it holds a length out of range",
        _ => "its contents do not match the format",
    }
}

/// Encode a visit record as the plaintext of its envelope (current version).
pub fn encode_record(rec: &VisitRecord) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    encode(RECORD, rec, record_config())
}

/// Decode the plaintext of a record envelope, of any format version this
/// program knows. Version 5 is the current `VisitRecord`; versions 1 to 4
/// are read with their frozen structs (`visit::record_v1` … `record_v4`)
/// and migrated step by step. When the version is bumped again, the old
/// structs are frozen the same way.
pub fn decode_record(plaintext: &[u8]) -> Result<VisitRecord, EnvelopeError> {
    let (version, payload) = split(RECORD, plaintext)?;
    match version {
        1 => {
            let old: crate::visit::record_v1::VisitRecord =
                decode_payload(RECORD, payload, record_config())?;
            Ok(VisitRecord::from(
                crate::visit::record_v4::VisitRecord::from(
                    crate::visit::record_v3::VisitRecord::from(
                        crate::visit::record_v2::VisitRecord::from(old),
                    ),
                ),
            ))
        }
        2 => {
            let old: crate::visit::record_v2::VisitRecord =
                decode_payload(RECORD, payload, record_config())?;
            Ok(VisitRecord::from(
                crate::visit::record_v4::VisitRecord::from(
                    crate::visit::record_v3::VisitRecord::from(old),
                ),
            ))
        }
        3 => {
            let old: crate::visit::record_v3::VisitRecord =
                decode_payload(RECORD, payload, record_config())?;
            Ok(VisitRecord::from(
                crate::visit::record_v4::VisitRecord::from(old),
            ))
        }
        4 => {
            let old: crate::visit::record_v4::VisitRecord =
                decode_payload(RECORD, payload, record_config())?;
            Ok(VisitRecord::from(old))
        }
        5 => decode_payload(RECORD, payload, record_config()),
        found => Err(EnvelopeError::UnsupportedVersion {
            kind: RECORD.name,
            found,
            newest: RECORD.version,
        }),
    }
}

/// Encrypt `plaintext` to `recipients` (binary age format).
pub fn encrypt(plaintext: &[u8], recipients: &[&dyn Recipient]) -> Result<Vec<u8>, EnvelopeError> {
    let encryptor = age::Encryptor::with_recipients(recipients.iter().copied())
        .map_err(|e| EnvelopeError::Encrypt(e.to_string()))?;
    // age adds a header (about 100 bytes a recipient) and 16 bytes a 64 KiB chunk.
    let mut out =
        Vec::with_capacity(plaintext.len() + plaintext.len() / 4096 + 128 * recipients.len() + 256);
    let mut writer = encryptor
        .wrap_output(&mut out)
        .map_err(|e| EnvelopeError::Encrypt(e.to_string()))?;
    writer
        .write_all(plaintext)
        .and_then(|()| writer.finish().map(|_| ()))
        .map_err(|e| EnvelopeError::Encrypt(e.to_string()))?;
    Ok(out)
}

/// Decrypt an age file with `identities`, refusing plaintext longer than
/// `limit` + [`HEADER_LEN`] bytes. The plaintext is wiped when dropped.
pub fn decrypt(
    ciphertext: &[u8],
    identities: &[&dyn Identity],
    limit: usize,
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    use age::DecryptError as D;
    let decryptor = age::Decryptor::new_buffered(ciphertext).map_err(|e| match e {
        D::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => EnvelopeError::Truncated,
        _ => EnvelopeError::NotAgeFile,
    })?;
    let reader = decryptor
        .decrypt(identities.iter().copied())
        .map_err(|e| match e {
            D::NoMatchingKeys => EnvelopeError::NotForThisKey,
            D::DecryptionFailed | D::InvalidMac => EnvelopeError::Tampered,
            D::ExcessiveWork { .. } => EnvelopeError::NotForThisKey,
            _ => EnvelopeError::NotAgeFile,
        })?;
    let max = (limit + HEADER_LEN) as u64;
    // The plaintext is shorter than the ciphertext, so this buffer never
    // grows (a growing Vec would free unwiped copies of the plaintext).
    let mut out = Zeroizing::new(Vec::with_capacity(ciphertext.len().min(max as usize + 1)));
    reader
        .take(max + 1)
        .read_to_end(&mut out)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => EnvelopeError::Truncated,
            _ => EnvelopeError::Tampered,
        })?;
    if out.len() as u64 > max {
        return Err(EnvelopeError::TooLarge { limit });
    }
    Ok(out)
}

/// Decrypt and decode a record file: what the office import calls with the
/// organisation identities.
pub fn open_record(
    ciphertext: &[u8],
    identities: &[&dyn Identity],
) -> Result<VisitRecord, EnvelopeError> {
    let plaintext = decrypt(ciphertext, identities, MAX_RECORD_BYTES)?;
    decode_record(&plaintext)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visit::record::VisitRecord;

    fn record() -> VisitRecord {
        VisitRecord {
            case_id: "v-1".to_string(),
            follow_up: None,
            read_back_at: None,
            case_keeps: Vec::new(),
            id: "v-1".into(),
            label: "Appelboom".into(),
            date: "2025-03-04".into(),
            place: "thuis".into(),
            present: "Lotte, Noor".into(),
            children: vec![],
            caregivers: vec![],
            sheets: vec![],
            flags: vec![],
            cursor: None,
            created_at: "2025-03-04T10:00:00".into(),
            updated_at: "2025-03-04T10:05:00".into(),
            orphans: vec![],
            pending: vec![],
            finalized: None,
            removed: vec![],
        }
    }

    #[test]
    fn record_round_trips_through_age() {
        let key = age::x25519::Identity::generate();
        let plain = encode_record(&record()).unwrap();
        assert_eq!(&plain[..8], b"SVVISIT\0");
        assert_eq!(&plain[8..10], &[5, 0]);
        let ct = encrypt(&plain, &[&key.to_public()]).unwrap();
        assert_eq!(open_record(&ct, &[&key]).unwrap(), record());
    }

    #[test]
    fn every_truncation_and_bit_flip_is_refused() {
        let key = age::x25519::Identity::generate();
        let ct = encrypt(&encode_record(&record()).unwrap(), &[&key.to_public()]).unwrap();
        for cut in [0, 1, 20, ct.len() / 2, ct.len() - 1] {
            assert!(open_record(&ct[..cut], &[&key]).is_err(), "cut at {cut}");
        }
        for i in (0..ct.len()).step_by(7) {
            let mut bad = ct.clone();
            bad[i] ^= 0x01;
            assert!(open_record(&bad, &[&key]).is_err(), "flip at {i}");
        }
    }

    #[test]
    fn another_key_is_named() {
        let key = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let ct = encrypt(&encode_record(&record()).unwrap(), &[&key.to_public()]).unwrap();
        assert_eq!(
            open_record(&ct, &[&other]),
            Err(EnvelopeError::NotForThisKey)
        );
    }

    #[test]
    fn wrong_magic_newer_version_and_trailing_bytes() {
        let plain = encode_record(&record()).unwrap();
        let mut stub = plain.to_vec();
        stub[..8].copy_from_slice(b"SVSTUB\0\0");
        assert_eq!(
            decode_record(&stub),
            Err(EnvelopeError::WrongKind {
                expected: "visit record"
            })
        );
        let mut newer = plain.to_vec();
        newer[8] = 9;
        assert!(matches!(
            decode_record(&newer),
            Err(EnvelopeError::UnsupportedVersion { found: 9, .. })
        ));
        let mut longer = plain.to_vec();
        longer.push(0);
        assert!(matches!(
            decode_record(&longer),
            Err(EnvelopeError::TrailingBytes { .. })
        ));
    }

    #[test]
    fn a_hostile_length_prefix_does_not_allocate() {
        // A string length of 2^62 right after the header.
        let mut bytes = RECORD.magic.to_vec();
        bytes.extend_from_slice(&1u16.to_le_bytes());
        bytes.push(253);
        bytes.extend_from_slice(&(1u64 << 62).to_le_bytes());
        assert!(matches!(
            decode_record(&bytes),
            Err(EnvelopeError::Undecodable { .. })
        ));
    }
}
