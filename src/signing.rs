//! Ed25519 signatures in minisign's format, through the `minisign` crate:
//! a laptop signs the manifest of every bundle it exports, the office signs
//! every receipt it sends back. The signatures are standard `.minisig`
//! files, so `minisign -V -P KEY -m FILE` checks them without safevisit.
//!
//! This module holds no file and no clock: keys and signatures go in and out
//! as text. A secret key is kept as its serialized bytes in a wiped buffer;
//! the `minisign` crate's own key value lives only for the length of one
//! signature (the crate does not wipe it on drop: docs/SECURITY.md).
//!
//! A readable fingerprint ([`fingerprint`]) names a key, or a whole card,
//! in 16 characters that can be read aloud over the phone.

use std::io::Cursor;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The largest `.minisig` text read (a real one is about 300 bytes).
pub const MAX_SIGNATURE_BYTES: usize = 4096;

/// Why a key or a signature could not be used. Never holds key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A public key that does not decode (a typo, a cut-off copy).
    #[error("the signing public key does not decode")]
    BadPublicKey,
    /// A secret key that does not decode or fails its checksum.
    #[error("the signing secret key is damaged")]
    BadSecretKey,
    /// Not a minisign signature at all (or larger than the limit).
    #[error("this is not a minisign signature")]
    NotASignature,
    /// A signature made by another key than the expected one.
    #[error("the signature was made by another key ({found}) than the expected one ({expected})")]
    OtherKey { found: String, expected: String },
    /// The signature does not match the data (changed after signing).
    #[error(
        "the signature does not match: the signed file was changed, or the signature belongs to another file"
    )]
    Mismatch,
    /// An old-style (not pre-hashed) signature: never made by safevisit.
    #[error("a legacy minisign signature; safevisit accepts only pre-hashed signatures")]
    Legacy,
    /// Signing failed (the system's random source failed).
    #[error("signing failed")]
    Signing,
}

/// A public signing key (minisign's Ed25519 public key with its key id).
#[derive(Clone)]
pub struct VerifyingKey(minisign::PublicKey);

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VerifyingKey({})", self.key_id())
    }
}

impl PartialEq for VerifyingKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bytes() == other.0.to_bytes()
    }
}

impl Eq for VerifyingKey {}

/// minisign's key id: the 8-byte key number as 16 upper-case hex digits.
fn key_id_of(keynum: &[u8]) -> String {
    let mut le = [0u8; 8];
    for (d, s) in le.iter_mut().zip(keynum) {
        *d = *s;
    }
    format!("{:016X}", u64::from_le_bytes(le))
}

impl VerifyingKey {
    /// Parse the base64 line of a minisign public key (`RW…`), as in a
    /// `.pub` file's second line or after `minisign -P`.
    pub fn from_base64(s: &str) -> Result<VerifyingKey, SignatureError> {
        let s = s.trim();
        if s.is_empty() || s.len() > 128 {
            return Err(SignatureError::BadPublicKey);
        }
        minisign::PublicKey::from_base64(s)
            .map(VerifyingKey)
            .map_err(|_| SignatureError::BadPublicKey)
    }

    /// The base64 line (`RW…`), what `minisign -P` takes.
    pub fn to_base64(&self) -> String {
        self.0.to_base64()
    }

    /// The whole `.pub` file minisign writes: an untrusted comment line and
    /// the base64 line. `minisign -V -p FILE -m DATA` reads it.
    pub fn to_minisign_file(&self) -> String {
        format!(
            "untrusted comment: minisign public key {}\n{}\n",
            self.key_id(),
            self.to_base64()
        )
    }

    /// minisign's key id (16 hex digits), as `minisign` prints it.
    pub fn key_id(&self) -> String {
        key_id_of(self.0.keynum())
    }

    /// A readable fingerprint of this key alone ([`fingerprint`]).
    pub fn fingerprint(&self) -> String {
        fingerprint(&[&self.to_base64()])
    }

    /// Check `signature` (the text of a `.minisig` file) over `data`.
    /// Returns the signature's trusted comment (signed along with the data).
    pub fn verify(&self, data: &[u8], signature: &str) -> Result<String, SignatureError> {
        if signature.len() > MAX_SIGNATURE_BYTES {
            return Err(SignatureError::NotASignature);
        }
        let sig = minisign::SignatureBox::from_string(signature)
            .map_err(|_| SignatureError::NotASignature)?;
        if sig.keynum() != self.0.keynum() {
            return Err(SignatureError::OtherKey {
                found: key_id_of(sig.keynum()),
                expected: self.key_id(),
            });
        }
        if !sig.is_prehashed() {
            return Err(SignatureError::Legacy);
        }
        // The minisign crate (0.10) slices the global signature (the fourth
        // line) as 64 bytes without checking its length, and panics on a
        // shorter one (found by the `signature` fuzz target). It parsed as
        // padded base64 above, so it holds at least 64 bytes exactly when it
        // is at least 88 characters long.
        let global = signature.lines().nth(3).map(str::trim).unwrap_or_default();
        if global.len() < 88 {
            return Err(SignatureError::NotASignature);
        }
        minisign::verify(&self.0, &sig, Cursor::new(data), true, false, false)
            .map_err(|_| SignatureError::Mismatch)?;
        sig.trusted_comment()
            .map_err(|_| SignatureError::NotASignature)
    }
}

/// A secret signing key. Its bytes are wiped when it is dropped; `Debug`
/// shows only the key id.
pub struct SigningKey {
    secret: Zeroizing<Vec<u8>>,
    /// The secret as text ([`SigningKey::to_text`]), made once when the key
    /// is made or read, so that a failure shows there and never as an
    /// empty line written later.
    text: Zeroizing<String>,
    public: VerifyingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public.key_id())
    }
}

impl SigningKey {
    /// A new random key (the system's random source, through minisign).
    pub fn generate() -> Result<SigningKey, SignatureError> {
        let pair = minisign::KeyPair::generate_unencrypted_keypair()
            .map_err(|_| SignatureError::Signing)?;
        SigningKey::of(&pair.sk, VerifyingKey(pair.pk))
    }

    /// A key from minisign's secret key: its bytes, and its text line.
    fn of(sk: &minisign::SecretKey, public: VerifyingKey) -> Result<SigningKey, SignatureError> {
        let boxed = Zeroizing::new(
            sk.to_box(Some("safevisit"))
                .map_err(|_| SignatureError::BadSecretKey)?
                .into_string(),
        );
        let line = boxed
            .lines()
            .nth(1)
            .filter(|l| !l.is_empty())
            .ok_or(SignatureError::BadSecretKey)?;
        Ok(SigningKey {
            secret: Zeroizing::new(sk.to_bytes()),
            text: Zeroizing::new(line.to_string()),
            public,
        })
    }

    /// The secret key as one base64 line: the second line of minisign's
    /// own unencrypted secret-key file (`minisign -G -W`). Wiped on drop.
    pub fn to_text(&self) -> Zeroizing<String> {
        self.text.clone()
    }

    /// Read a secret key written by [`SigningKey::to_text`] (checksum
    /// checked; an encrypted minisign key is refused).
    pub fn from_text(text: &str) -> Result<SigningKey, SignatureError> {
        let line = text.trim();
        if line.is_empty() || line.len() > 512 {
            return Err(SignatureError::BadSecretKey);
        }
        let boxed = Zeroizing::new(format!("untrusted comment: safevisit\n{line}\n"));
        let sk = minisign::SecretKeyBox::from_string(&boxed)
            .and_then(|b| b.into_unencrypted_secret_key())
            .map_err(|_| SignatureError::BadSecretKey)?;
        let pk =
            minisign::PublicKey::from_secret_key(&sk).map_err(|_| SignatureError::BadSecretKey)?;
        SigningKey::of(&sk, VerifyingKey(pk))
    }

    /// The public half.
    pub fn public(&self) -> &VerifyingKey {
        &self.public
    }

    fn secret_key(&self) -> Result<minisign::SecretKey, SignatureError> {
        minisign::SecretKey::from_bytes(&self.secret).map_err(|_| SignatureError::BadSecretKey)
    }

    /// Sign `data`: the text of a `.minisig` file. `trusted_comment` is
    /// signed too (one line; line breaks become spaces); the untrusted
    /// comment names safevisit.
    pub fn sign(&self, data: &[u8], trusted_comment: &str) -> Result<String, SignatureError> {
        let sk = self.secret_key()?;
        let trusted: String = trusted_comment
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let sig = minisign::sign(
            Some(&self.public.0),
            &sk,
            Cursor::new(data),
            Some(&trusted),
            Some("signature from safevisit (minisign format)"),
        )
        .map_err(|_| SignatureError::Signing)?;
        Ok(sig.into_string())
    }
}

/// The alphabet of fingerprints: no 0/O and 1/I, easy to read aloud.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// A readable fingerprint of `parts` (each length-prefixed, then SHA-256):
/// 16 characters in four groups, `K7QM-2XPA-9RTF-WD3N` (80 bits). Two cards
/// with the same fingerprint hold the same parts.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(b"safevisit-fingerprint-v1\0");
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    let digest = h.finalize();
    // 80 bits as 16 groups of 5.
    let mut bits: u128 = 0;
    for b in &digest[..10] {
        bits = (bits << 8) | u128::from(*b);
    }
    let mut out = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let shift = 75 - 5 * i;
        let idx = ((bits >> shift) & 0x1f) as usize;
        out.push(char::from(ALPHABET[idx]));
    }
    out
}

/// Whether `s` looks like a fingerprint as [`fingerprint`] writes it.
/// Accepts lower case and missing dashes, as a person types it back.
pub fn normalize_fingerprint(s: &str) -> Option<String> {
    let chars: Vec<char> = s
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if chars.len() != 16 || !chars.iter().all(|c| ALPHABET.contains(&(*c as u8))) {
        return None;
    }
    let mut out = String::with_capacity(19);
    for (i, c) in chars.into_iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_returns_its_trusted_comment() {
        let key = SigningKey::generate().unwrap();
        let sig = key.sign(b"manifest", "safevisit-bundle device-1").unwrap();
        assert!(sig.starts_with("untrusted comment: "));
        let comment = key.public().verify(b"manifest", &sig).unwrap();
        assert_eq!(comment, "safevisit-bundle device-1");
    }

    #[test]
    fn a_short_global_signature_is_refused_not_a_panic() {
        let key = SigningKey::generate().unwrap();
        let sig = key.sign(b"manifest", "safevisit-bundle device-1").unwrap();
        let lines: Vec<&str> = sig.lines().collect();
        for keep in [0, 4, 60, 84] {
            let cut = format!(
                "{}\n{}\n{}\n{}\n",
                lines[0],
                lines[1],
                lines[2],
                &lines[3][..keep]
            );
            assert_eq!(
                key.public().verify(b"manifest", &cut),
                Err(SignatureError::NotASignature),
                "global signature cut to {keep} characters"
            );
        }
        // Untouched, it still verifies.
        assert!(key.public().verify(b"manifest", &sig).is_ok());
    }

    #[test]
    fn a_changed_byte_or_another_key_is_refused() {
        let key = SigningKey::generate().unwrap();
        let other = SigningKey::generate().unwrap();
        let sig = key.sign(b"manifest", "x").unwrap();
        assert_eq!(
            key.public().verify(b"manifesT", &sig),
            Err(SignatureError::Mismatch)
        );
        assert!(matches!(
            other.public().verify(b"manifest", &sig),
            Err(SignatureError::OtherKey { .. })
        ));
        assert_eq!(
            key.public().verify(b"manifest", "not a signature"),
            Err(SignatureError::NotASignature)
        );
        // The trusted comment is signed too.
        let forged = sig.replace("trusted comment: x", "trusted comment: y");
        assert_eq!(
            key.public().verify(b"manifest", &forged),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn the_secret_key_round_trips_through_its_text() {
        let key = SigningKey::generate().unwrap();
        let text = key.to_text();
        let back = SigningKey::from_text(&text).unwrap();
        assert_eq!(back.public(), key.public());
        let sig = back.sign(b"data", "c").unwrap();
        key.public().verify(b"data", &sig).unwrap();
        // One changed character fails the checksum (or the decoding).
        let mut chars: Vec<char> = text.chars().collect();
        let mid = chars.len() / 2;
        chars[mid] = if chars[mid] == 'A' { 'B' } else { 'A' };
        let damaged: String = chars.into_iter().collect();
        assert!(SigningKey::from_text(&damaged).is_err());
        assert!(format!("{key:?}").contains(&key.public().key_id()));
        assert!(!format!("{key:?}").contains(text.as_str()));
    }

    #[test]
    fn the_public_key_round_trips_and_writes_a_minisign_pub_file() {
        let key = SigningKey::generate().unwrap();
        let b64 = key.public().to_base64();
        assert!(b64.starts_with("RW"));
        assert_eq!(VerifyingKey::from_base64(&b64).unwrap(), *key.public());
        let file = key.public().to_minisign_file();
        assert_eq!(file.lines().nth(1), Some(b64.as_str()));
        assert!(file.contains(&key.public().key_id()));
        assert!(VerifyingKey::from_base64("RWQnotakey").is_err());
    }

    #[test]
    fn fingerprints_are_short_readable_and_depend_on_every_part() {
        let a = fingerprint(&["device-1", "age1x", "RWQ"]);
        assert_eq!(a.len(), 19);
        assert_eq!(a.matches('-').count(), 3);
        assert_ne!(a, fingerprint(&["device-1", "age1x", "RWR"]));
        // Length prefixes: moving a character between parts changes it.
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        assert_eq!(
            normalize_fingerprint(&a.to_lowercase().replace('-', "")),
            Some(a.clone())
        );
        assert_eq!(normalize_fingerprint("0000-0000-0000-0000"), None);
    }
}
