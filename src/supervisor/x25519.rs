//! An age X25519 identity that derives its public key once.
//!
//! The office decrypts every record with the organisation key. age's own
//! X25519 identity derives the public key from the secret key again for
//! every file it opens (a scalar multiplication of its own, about a fifth
//! of the cost of opening a record). This identity holds both and unwraps
//! the X25519 recipient stanza exactly as the age specification
//! (<https://c2sp.org/age#x25519-recipient-stanza>) and the `age` crate do,
//! with the same primitives: the shared secret by X25519, refused when it
//! is all zeros; the wrap key by HKDF-SHA-256 over `ephemeral share ||
//! recipient` with the label `age-encryption.org/v1/X25519`; the file key
//! by ChaCha20-Poly1305 with a zero nonce. The tests compare it with age's
//! identity on sound, foreign and malformed stanzas.
//!
//! The key agreement itself is aws-lc's X25519 (through `aws-lc-rs`), whose
//! assembly does it in less than half the time of the portable Rust that
//! age uses (docs/PERFORMANCE.md): it is the largest single cost of an
//! import, one agreement a record.

use age::DecryptError;
use age_core::format::{FileKey, Stanza};
use age_core::primitives::{aead_decrypt, hkdf};
use aws_lc_rs::agreement::{self, PrivateKey, UnparsedPublicKey, X25519};
use base64::Engine;
use base64::prelude::BASE64_STANDARD_NO_PAD;
use secrecy::ExposeSecret;
use zeroize::{Zeroize, Zeroizing};

const TAG: &str = "X25519";
const LABEL: &[u8] = b"age-encryption.org/v1/X25519";
const SECRET_HRP: &str = "age-secret-key-";
/// A 16-byte file key and its 16-byte Poly1305 tag.
const WRAPPED_KEY_BYTES: usize = 32;

/// An X25519 identity with its public key at hand.
pub struct CachedX25519 {
    /// aws-lc holds the secret key and wipes it when the key is dropped.
    secret: PrivateKey,
    public: [u8; 32],
}

impl CachedX25519 {
    /// From age's identity (its `AGE-SECRET-KEY-1…` encoding). `None` if
    /// that encoding does not decode to a 32-byte key, which age's own
    /// parser never lets through.
    pub fn from_age(identity: &age::x25519::Identity) -> Option<CachedX25519> {
        let encoded = identity.to_string();
        let (hrp, data) = bech32::decode(encoded.expose_secret()).ok()?;
        let data = Zeroizing::new(data);
        if !hrp.as_str().eq_ignore_ascii_case(SECRET_HRP) {
            return None;
        }
        if data.len() != 32 {
            return None;
        }
        let secret = PrivateKey::from_private_key(&X25519, data.as_slice()).ok()?;
        let public: [u8; 32] = secret.compute_public_key().ok()?.as_ref().try_into().ok()?;
        // The same key as age's, or nothing.
        let ours =
            bech32::encode::<bech32::Bech32>(bech32::Hrp::parse("age").ok()?, &public).ok()?;
        (ours == identity.to_public().to_string()).then_some(CachedX25519 { secret, public })
    }
}

impl age::Identity for CachedX25519 {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, DecryptError>> {
        if stanza.tag != TAG {
            return None;
        }
        // A canonical stanza: one argument, 32 bytes in unpadded base64, and
        // a 32-byte body.
        let [arg] = &stanza.args[..] else {
            return Some(Err(DecryptError::InvalidHeader));
        };
        let mut share = [0u8; 33];
        let share: [u8; 32] = match BASE64_STANDARD_NO_PAD.decode_slice(arg, &mut share) {
            Ok(32) => share[..32].try_into().ok()?,
            _ => return Some(Err(DecryptError::InvalidHeader)),
        };
        if stanza.body.len() != WRAPPED_KEY_BYTES {
            return Some(Err(DecryptError::InvalidHeader));
        }
        let mut salt = [0u8; 64];
        salt[..32].copy_from_slice(&share);
        salt[32..].copy_from_slice(&self.public);
        // aws-lc refuses a low-order ephemeral share (its shared secret is
        // all zeros), as age does.
        let wrap_key = agreement::agree(
            &self.secret,
            UnparsedPublicKey::new(&X25519, share),
            (),
            |shared| Ok(hkdf(&salt, LABEL, shared)),
        );
        let Ok(mut wrap_key) = wrap_key else {
            return Some(Err(DecryptError::InvalidHeader));
        };
        let unwrapped = aead_decrypt(&wrap_key, 16, &stanza.body);
        wrap_key.zeroize();
        // Not this key (another recipient's stanza): not an error.
        let mut plain = unwrapped.ok()?;
        let key = FileKey::init_with_mut(|k| k.copy_from_slice(&plain));
        plain.zeroize();
        Some(Ok(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::Identity as _;
    use std::str::FromStr;

    fn age_pair() -> (age::x25519::Identity, CachedX25519) {
        let id = age::x25519::Identity::generate();
        let cached = CachedX25519::from_age(&id).expect("converts");
        (id, cached)
    }

    /// The header stanzas of an age file encrypted to `recipient`.
    fn stanzas_for(recipient: &age::x25519::Recipient) -> Vec<Stanza> {
        use age::Recipient as _;
        let file_key = FileKey::new(Box::new([7u8; 16]));
        recipient.wrap_file_key(&file_key).expect("wraps").0
    }

    fn same(a: &Option<Result<FileKey, DecryptError>>, b: &Option<Result<FileKey, DecryptError>>) {
        match (a, b) {
            (None, None) => {}
            (Some(Ok(x)), Some(Ok(y))) => assert_eq!(x.expose_secret(), y.expose_secret()),
            (Some(Err(x)), Some(Err(y))) => assert_eq!(x.to_string(), y.to_string()),
            _ => panic!("the cached identity and age's disagree"),
        }
    }

    #[test]
    fn it_opens_what_age_opens_and_finds_the_same_file_key() {
        let (id, cached) = age_pair();
        for stanza in stanzas_for(&id.to_public()) {
            let ours = cached.unwrap_stanza(&stanza);
            same(&ours, &id.unwrap_stanza(&stanza));
            let key = ours.expect("ours").expect("opens");
            assert_eq!(key.expose_secret(), &[7u8; 16]);
        }
    }

    #[test]
    fn a_stanza_for_another_key_is_not_ours_and_not_an_error() {
        let (id, cached) = age_pair();
        let other = age::x25519::Identity::generate();
        for stanza in stanzas_for(&other.to_public()) {
            assert!(cached.unwrap_stanza(&stanza).is_none());
            same(&cached.unwrap_stanza(&stanza), &id.unwrap_stanza(&stanza));
        }
    }

    #[test]
    fn malformed_stanzas_are_refused_as_age_refuses_them() {
        let (id, cached) = age_pair();
        let good = stanzas_for(&id.to_public()).remove(0);
        let mut cases: Vec<Stanza> = Vec::new();
        let with = |f: &dyn Fn(&mut Stanza)| {
            let mut s = Stanza {
                tag: good.tag.clone(),
                args: good.args.clone(),
                body: good.body.clone(),
            };
            f(&mut s);
            s
        };
        cases.push(with(&|s| s.tag = "scrypt".into()));
        cases.push(with(&|s| s.args.clear()));
        cases.push(with(&|s| s.args.push("extra".into())));
        cases.push(with(&|s| s.args[0].push('A')));
        cases.push(with(&|s| s.args[0] = s.args[0][..42].to_string()));
        cases.push(with(&|s| s.args[0] = "!".repeat(43)));
        cases.push(with(&|s| {
            s.body.pop();
        }));
        cases.push(with(&|s| s.body.push(0)));
        cases.push(with(&|s| s.body[0] ^= 1));
        // The all-zero point and another low-order point: the shared
        // secret is all zeros.
        cases.push(with(&|s| {
            s.args[0] = BASE64_STANDARD_NO_PAD.encode([0u8; 32])
        }));
        cases.push(with(&|s| {
            let mut p = [0u8; 32];
            p[0] = 1;
            s.args[0] = BASE64_STANDARD_NO_PAD.encode(p);
        }));
        for (n, stanza) in cases.iter().enumerate() {
            let ours = cached.unwrap_stanza(stanza);
            let theirs = id.unwrap_stanza(stanza);
            assert!(
                !matches!(ours, Some(Ok(_))),
                "case {n} opened a malformed stanza"
            );
            same(&ours, &theirs);
        }
    }

    #[test]
    fn the_key_of_a_known_identity_file_line_converts() {
        // The test organisation key of tests/fixtures (a fictional office).
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/test-org-key.txt"
        ))
        .expect("fixture");
        let line = text
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
            .expect("a key line");
        let id = age::x25519::Identity::from_str(line).expect("age parses it");
        let cached = CachedX25519::from_age(&id).expect("converts");
        for stanza in stanzas_for(&id.to_public()) {
            same(&cached.unwrap_stanza(&stanza), &id.unwrap_stanza(&stanza));
        }
    }
}

#[cfg(test)]
mod equivalence {
    use super::*;
    use age::Identity as _;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn pair() -> &'static (age::x25519::Identity, CachedX25519) {
        static PAIR: OnceLock<(age::x25519::Identity, CachedX25519)> = OnceLock::new();
        PAIR.get_or_init(|| {
            let id = age::x25519::Identity::generate();
            let cached = CachedX25519::from_age(&id).expect("converts");
            (id, cached)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Whatever the stanza holds, the cached identity answers as age's.
        #[test]
        fn any_x25519_stanza_gets_the_answer_age_gives(
            args in proptest::collection::vec("[A-Za-z0-9+/=!]{0,48}", 0..3),
            body in proptest::collection::vec(any::<u8>(), 0..40),
            share in any::<[u8; 32]>(),
            use_share in any::<bool>(),
        ) {
            let (id, cached) = pair();
            let mut args = args;
            if use_share {
                args = vec![BASE64_STANDARD_NO_PAD.encode(share)];
            }
            let stanza = Stanza { tag: TAG.into(), args, body };
            let ours = cached.unwrap_stanza(&stanza);
            let theirs = id.unwrap_stanza(&stanza);
            prop_assert_eq!(ours.is_none(), theirs.is_none());
            prop_assert_eq!(
                ours.as_ref().map(|r| r.as_ref().map_err(|e| e.to_string()).map(|k| *k.expose_secret())),
                theirs.as_ref().map(|r| r.as_ref().map_err(|e| e.to_string()).map(|k| *k.expose_secret()))
            );
        }
    }
}
