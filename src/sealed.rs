//! The shape of what the office sends to one laptop (receipts, handovers):
//! one age file, encrypted to the laptop's own recipient, holding a ustar
//! archive of exactly two files — `NAME.json` and `NAME.json.minisig`, a
//! minisign signature of the JSON's exact bytes by the organisation's key.
//!
//! Sealing and opening the pair is here once; what the JSON means, and the
//! trusted comment that binds the signature to it, are the caller's
//! (`receipt`, `handover`). Crypto only through the `age` and `minisign`
//! crates. Nothing here touches a file.

use std::io::{self, Read};

use crate::export::tar::{self, TarReader};
use crate::signing::{MAX_SIGNATURE_BYTES, SignatureError, SigningKey, VerifyingKey};
use crate::store::recipients::Recipient;

/// The two file names inside the archive.
#[derive(Debug, Clone, Copy)]
pub struct Names {
    pub json: &'static str,
    pub sig: &'static str,
}

/// Why a sealed pair could not be opened. The caller turns it into its
/// own error (with its own words for "not a receipt", …).
#[derive(Debug)]
pub enum OpenError {
    /// Larger than the caller's limit (the file, or the JSON in it).
    TooLarge,
    /// Not an age file.
    NotAgeFile,
    /// Encrypted to another key (or with a passphrase).
    NotForThisDevice,
    /// Its integrity check fails, or it is cut short.
    Damaged,
    /// The archive does not hold exactly the two files.
    NotThePair,
    /// The signature does not verify against the organisation key.
    Signature(SignatureError),
}

/// Why sealing failed.
#[derive(Debug)]
pub enum SealError {
    Signature(SignatureError),
    Write(String),
}

/// Sign `json` (with `comment` as the trusted comment) and encrypt the pair
/// to `to`: the bytes of the file.
pub fn seal(
    names: Names,
    json: &[u8],
    comment: &str,
    key: &SigningKey,
    to: &Recipient,
    mtime: u64,
) -> Result<Vec<u8>, SealError> {
    let sig = key.sign(json, comment).map_err(SealError::Signature)?;
    let recipient: &dyn age::Recipient = to.age();
    let encryptor = age::Encryptor::with_recipients(std::iter::once(recipient))
        .map_err(|e| SealError::Write(e.to_string()))?;
    let write = |e: io::Error| SealError::Write(e.to_string());
    let mut out = Vec::new();
    let stream = encryptor.wrap_output(&mut out).map_err(write)?;
    let mut t = ::tar::Builder::new(stream);
    tar::append(&mut t, names.json, json, mtime).map_err(write)?;
    tar::append(&mut t, names.sig, sig.as_bytes(), mtime).map_err(write)?;
    t.into_inner().map_err(write)?.finish().map_err(write)?;
    Ok(out)
}

/// Decrypt a sealed file with the laptop's identity: the archive's bytes,
/// at most `max` of them (a larger file, or more plaintext, is
/// [`OpenError::TooLarge`]).
pub fn decrypt(
    bytes: &[u8],
    identity: &age::x25519::Identity,
    max: usize,
) -> Result<Vec<u8>, OpenError> {
    if bytes.len() > max {
        return Err(OpenError::TooLarge);
    }
    let decryptor = age::Decryptor::new_buffered(bytes).map_err(|e| match e {
        age::DecryptError::Io(_) => OpenError::Damaged,
        _ => OpenError::NotAgeFile,
    })?;
    if decryptor.is_scrypt() {
        return Err(OpenError::NotForThisDevice);
    }
    let id: &dyn age::Identity = identity;
    let mut reader = decryptor
        .decrypt(std::iter::once(id))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => OpenError::NotForThisDevice,
            _ => OpenError::Damaged,
        })?;
    let mut plain = Vec::new();
    (&mut reader)
        .take(max as u64 + 1)
        .read_to_end(&mut plain)
        .map_err(|_| OpenError::Damaged)?;
    if plain.len() > max {
        return Err(OpenError::TooLarge);
    }
    Ok(plain)
}

/// Check a decrypted archive: exactly the two files, in order, the JSON at
/// most `max_json` bytes, and the signature verified against `org`
/// *before* the caller parses anything. Returns the JSON's bytes and the
/// signature's trusted comment, which the caller compares with what the
/// JSON says.
pub fn open_plain(
    names: Names,
    plain: &[u8],
    max_json: usize,
    org: &VerifyingKey,
) -> Result<(Vec<u8>, String), OpenError> {
    let mut files = TarReader::new(io::Cursor::new(plain));
    let mut next = |limit| match files.next_file(limit) {
        Ok(f) => Ok(f),
        Err(tar::TarError::TooLarge { .. }) => Err(OpenError::TooLarge),
        Err(_) => Err(OpenError::NotThePair),
    };
    let json = next(max_json)?.ok_or(OpenError::NotThePair)?;
    let sig = next(MAX_SIGNATURE_BYTES)?.ok_or(OpenError::NotThePair)?;
    if json.name != names.json || sig.name != names.sig || next(0)?.is_some() {
        return Err(OpenError::NotThePair);
    }
    let sig_text = std::str::from_utf8(&sig.data)
        .map_err(|_| OpenError::Signature(SignatureError::NotASignature))?;
    let comment = org
        .verify(&json.data, sig_text)
        .map_err(OpenError::Signature)?;
    Ok((json.data, comment))
}
