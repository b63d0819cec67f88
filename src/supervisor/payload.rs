//! A record's age file, opened for the office in one pass over its bytes.
//!
//! age itself reads the header: it parses and checks it, unwraps the file
//! key with the office's identities and verifies the header's MAC, exactly
//! as for any age file. Only the payload after the header
//! (<https://c2sp.org/age#payload>) is decrypted here: the payload key by
//! HKDF-SHA-256 from the file key and the 16-byte nonce with the label
//! `payload`, then 64 KiB chunks of ChaCha20-Poly1305, each with an 11-byte
//! big-endian counter and a last-chunk flag as its nonce. age's stream
//! reader allocates and zeroes a 64 KiB buffer for every file, decrypts into
//! it and copies out; a record is about 17 KB, and the office opens tens of
//! thousands of them. Here each chunk is decrypted in place in the output
//! buffer, by aws-lc's ChaCha20-Poly1305 (assembly, about 1.7 times the
//! speed of the portable one age uses). The rules are age's: every chunk
//! authenticated, the last one flagged as last and empty only when it is
//! the only one, nothing after it. The tests compare it with age on sound,
//! cut, extended and altered files of every size around the chunk edges.

use std::io;

use age::DecryptError;
use age_core::format::{FileKey, Stanza};
use age_core::primitives::hkdf;
use aws_lc_rs::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use secrecy::ExposeSecret;
use zeroize::Zeroizing;

use crate::store::envelope::{EnvelopeError, HEADER_LEN};

const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const SEALED_CHUNK: usize = CHUNK + TAG;
const NONCE: usize = 16;
const LABEL: &[u8] = b"payload";

/// An identity that keeps the file key it unwraps (age unwraps with the
/// first identity that answers, and this one answers as its inner one).
struct Keeping<'a> {
    inner: &'a dyn age::Identity,
    kept: std::cell::RefCell<Option<Zeroizing<[u8; 16]>>>,
}

impl Keeping<'_> {
    fn keep(&self, answer: &Option<Result<FileKey, DecryptError>>) {
        if let Some(Ok(key)) = answer {
            *self.kept.borrow_mut() = Some(Zeroizing::new(*key.expose_secret()));
        }
    }
}

impl age::Identity for Keeping<'_> {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, DecryptError>> {
        let answer = self.inner.unwrap_stanza(stanza);
        self.keep(&answer);
        answer
    }

    fn unwrap_stanzas(&self, stanzas: &[Stanza]) -> Option<Result<FileKey, DecryptError>> {
        // The inner identity's own rules for the whole header (a
        // passphrase stanza must stand alone, for one) still apply.
        let answer = self.inner.unwrap_stanzas(stanzas);
        self.keep(&answer);
        answer
    }
}

/// Decrypt an age file with `identities`, refusing plaintext longer than
/// `limit` + [`HEADER_LEN`] bytes: the same answers as
/// [`crate::store::envelope::decrypt`], in a buffer wiped on drop.
pub fn decrypt(
    ciphertext: &[u8],
    identities: &[&dyn age::Identity],
    limit: usize,
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    use age::DecryptError as D;
    let mut input = io::Cursor::new(ciphertext);
    let decryptor = age::Decryptor::new_buffered(&mut input).map_err(|e| match e {
        D::Io(io) if io.kind() == io::ErrorKind::UnexpectedEof => EnvelopeError::Truncated,
        _ => EnvelopeError::NotAgeFile,
    })?;
    let keeping: Vec<Keeping<'_>> = identities
        .iter()
        .map(|&inner| Keeping {
            inner,
            kept: std::cell::RefCell::new(None),
        })
        .collect();
    let opened = decryptor
        .decrypt(keeping.iter().map(|k| k as &dyn age::Identity))
        .map_err(|e| match e {
            D::NoMatchingKeys => EnvelopeError::NotForThisKey,
            D::DecryptionFailed | D::InvalidMac => EnvelopeError::Tampered,
            D::ExcessiveWork { .. } => EnvelopeError::NotForThisKey,
            _ => EnvelopeError::NotAgeFile,
        })?;
    // Nothing of the payload has been read: the input stands just after
    // the header and the nonce.
    drop(opened);
    let start = usize::try_from(input.position()).map_err(|_| EnvelopeError::NotAgeFile)?;
    // The header's MAC held, so one identity gave age the file key.
    let file_key = keeping
        .iter()
        .find_map(|k| k.kept.borrow_mut().take())
        .ok_or(EnvelopeError::NotForThisKey)?;
    let nonce = start
        .checked_sub(NONCE)
        .and_then(|from| ciphertext.get(from..start))
        .ok_or(EnvelopeError::Truncated)?;
    let payload = ciphertext.get(start..).ok_or(EnvelopeError::Truncated)?;
    let key = Zeroizing::new(hkdf(nonce, LABEL, file_key.as_slice()));
    open_payload(&key, payload, limit)
}

/// The STREAM payload (after the nonce) under `key`, at most `limit` +
/// [`HEADER_LEN`] bytes of plaintext.
fn open_payload(
    key: &[u8; 32],
    payload: &[u8],
    limit: usize,
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    // Without a single chunk there is no last chunk: cut short.
    if payload.is_empty() {
        return Err(EnvelopeError::Truncated);
    }
    let chunks = payload.len().div_ceil(SEALED_CHUNK);
    let plain_len = payload
        .len()
        .checked_sub(chunks * TAG)
        .ok_or(EnvelopeError::Truncated)?;
    if plain_len > limit.saturating_add(HEADER_LEN) {
        return Err(EnvelopeError::TooLarge { limit });
    }
    let aead = LessSafeKey::new(
        UnboundKey::new(&CHACHA20_POLY1305, key).map_err(|_| EnvelopeError::Tampered)?,
    );
    // Room for every sealed chunk, so that the buffer never grows (a
    // growing Vec would free unwiped copies of the plaintext).
    let mut out = Zeroizing::new(Vec::with_capacity(payload.len()));
    for (i, sealed) in payload.chunks(SEALED_CHUNK).enumerate() {
        let last = i + 1 == chunks;
        if sealed.len() < TAG {
            // A last chunk shorter than its tag.
            return Err(EnvelopeError::Truncated);
        }
        let at = out.len();
        out.extend_from_slice(sealed);
        let opened = aead
            .open_in_place(chunk_nonce(i, last), Aad::empty(), &mut out[at..])
            .map(|plain| plain.len());
        match opened {
            Ok(n) => {
                // Only a file with no plaintext at all ends in an empty chunk.
                if last && n == 0 && i > 0 {
                    return Err(EnvelopeError::Tampered);
                }
                out.truncate(at + n);
            }
            // A full chunk at the very end that opens as a middle chunk: the
            // file was cut just after it.
            Err(_) if last && sealed.len() == SEALED_CHUNK => {
                out.truncate(at);
                out.extend_from_slice(sealed);
                let middle =
                    aead.open_in_place(chunk_nonce(i, false), Aad::empty(), &mut out[at..]);
                return Err(match middle {
                    Ok(_) => EnvelopeError::Truncated,
                    Err(_) => EnvelopeError::Tampered,
                });
            }
            Err(_) => return Err(EnvelopeError::Tampered),
        }
    }
    Ok(out)
}

/// The nonce of chunk `i`: its number as 11 bytes, big-endian, then 1 for
/// the last chunk and 0 for the others.
fn chunk_nonce(i: usize, last: bool) -> Nonce {
    let mut n = [0u8; 12];
    n[3..11].copy_from_slice(&(i as u64).to_be_bytes());
    n[11] = u8::from(last);
    Nonce::assume_unique_for_key(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::envelope;
    use std::io::Write;

    fn key() -> &'static age::x25519::Identity {
        static KEY: std::sync::OnceLock<age::x25519::Identity> = std::sync::OnceLock::new();
        KEY.get_or_init(age::x25519::Identity::generate)
    }

    fn encrypt(plain: &[u8]) -> Vec<u8> {
        let recipient = key().to_public();
        let e = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .expect("recipients");
        let mut out = Vec::new();
        let mut w = e.wrap_output(&mut out).expect("header");
        w.write_all(plain).expect("write");
        w.finish().expect("finish");
        out
    }

    fn plain(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    /// Ours and age's reader give the same answer: the same plaintext, or
    /// the same error.
    fn same(ciphertext: &[u8], limit: usize) -> Result<Vec<u8>, String> {
        let ids: [&dyn age::Identity; 1] = [key()];
        let ours = decrypt(ciphertext, &ids, limit).map(|p| p.to_vec());
        let theirs = envelope::decrypt(ciphertext, &ids, limit).map(|p| p.to_vec());
        let ours = ours.map_err(|e| e.to_string());
        let theirs = theirs.map_err(|e| e.to_string());
        assert_eq!(ours, theirs, "{} bytes", ciphertext.len());
        ours
    }

    const SIZES: [usize; 10] = [
        0,
        1,
        17_000,
        CHUNK - 1,
        CHUNK,
        CHUNK + 1,
        2 * CHUNK - 1,
        2 * CHUNK,
        2 * CHUNK + 1,
        3 * CHUNK + 5,
    ];

    #[test]
    fn sound_files_of_every_size_around_the_chunk_edges_open() {
        for n in SIZES {
            let p = plain(n);
            assert_eq!(same(&encrypt(&p), 4 * CHUNK), Ok(p), "{n} bytes");
        }
    }

    #[test]
    fn files_cut_anywhere_are_refused_as_age_refuses_them() {
        for n in SIZES {
            let c = encrypt(&plain(n));
            let header_end = c.windows(5).position(|w| w == b"\n--- ").unwrap() + 49;
            let mut cuts: Vec<usize> = vec![0, 1, header_end - 1, header_end, header_end + 8];
            cuts.extend((header_end + NONCE..c.len()).step_by(4099));
            for k in 0..=c.len() / SEALED_CHUNK {
                // Just before and after each chunk's end.
                for d in [0usize, 1, TAG, TAG + 1] {
                    if let Some(at) = (header_end + NONCE + (k + 1) * SEALED_CHUNK).checked_sub(d) {
                        cuts.push(at);
                    }
                }
            }
            for cut in cuts.into_iter().filter(|&c2| c2 < c.len()) {
                assert!(
                    same(&c[..cut], 4 * CHUNK).is_err(),
                    "{n} bytes cut at {cut}"
                );
            }
        }
    }

    #[test]
    fn altered_or_extended_files_are_refused_as_age_refuses_them() {
        for n in SIZES {
            let c = encrypt(&plain(n));
            let step = (c.len() / 40).max(1);
            for at in (0..c.len()).step_by(step).chain([c.len() - 1]) {
                let mut bad = c.clone();
                bad[at] ^= 0x20;
                assert!(
                    same(&bad, 4 * CHUNK).is_err(),
                    "{n} bytes, byte {at} altered"
                );
            }
            for extra in [1usize, TAG, SEALED_CHUNK] {
                let mut long = c.clone();
                long.extend(std::iter::repeat_n(0u8, extra));
                assert!(same(&long, 4 * CHUNK).is_err(), "{n} bytes + {extra}");
            }
        }
    }

    #[test]
    fn a_plaintext_over_the_limit_is_refused_as_too_large() {
        let c = encrypt(&plain(CHUNK + 10));
        let limit = CHUNK + 10 - HEADER_LEN - 1;
        assert_eq!(
            same(&c, limit),
            Err(EnvelopeError::TooLarge { limit }.to_string())
        );
        assert!(same(&c, limit + 1).is_ok());
    }

    #[test]
    fn a_file_for_another_key_or_not_age_at_all_is_refused_as_age_refuses_it() {
        let other = age::x25519::Identity::generate().to_public();
        let e = age::Encryptor::with_recipients(std::iter::once(&other as &dyn age::Recipient))
            .expect("recipients");
        let mut c = Vec::new();
        let mut w = e.wrap_output(&mut c).expect("header");
        w.write_all(b"Appelboom").expect("write");
        w.finish().expect("finish");
        assert_eq!(same(&c, 100), Err(EnvelopeError::NotForThisKey.to_string()));
        assert!(same(b"hallo, dit is geen age-bestand", 100).is_err());
        assert!(same(b"", 100).is_err());
    }

    #[test]
    fn the_office_identity_opens_through_it_as_well() {
        let cached = super::super::x25519::CachedX25519::from_age(key()).expect("converts");
        let p = plain(17_000);
        let ids: [&dyn age::Identity; 1] = [&cached];
        assert_eq!(decrypt(&encrypt(&p), &ids, CHUNK).unwrap().to_vec(), p);
    }
}

#[cfg(test)]
mod equivalence {
    use super::*;
    use proptest::prelude::*;
    use std::io::Write;
    use std::sync::OnceLock;

    /// A key and a file of two chunks and a bit, made once.
    fn fixture() -> &'static (age::x25519::Identity, Vec<u8>) {
        static FIXTURE: OnceLock<(age::x25519::Identity, Vec<u8>)> = OnceLock::new();
        FIXTURE.get_or_init(|| {
            let id = age::x25519::Identity::generate();
            let recipient = id.to_public();
            let e =
                age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                    .expect("recipients");
            let mut out = Vec::new();
            let mut w = e.wrap_output(&mut out).expect("header");
            w.write_all(&vec![0x5a; 2 * CHUNK + 300]).expect("write");
            w.finish().expect("finish");
            (id, out)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// Whatever was done to the file, ours answers as age's reader.
        #[test]
        fn any_damage_gets_the_answer_age_gives(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 0..3),
            cut in proptest::option::of(any::<prop::sample::Index>()),
            tail in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let (id, sound) = fixture();
            let mut c = sound.clone();
            for (at, x) in &flips {
                let i = at.index(c.len());
                c[i] ^= x;
            }
            if let Some(at) = cut {
                c.truncate(at.index(c.len()));
            }
            c.extend_from_slice(&tail);
            let ids: [&dyn age::Identity; 1] = [id];
            let ours = decrypt(&c, &ids, 4 * CHUNK).map(|p| p.to_vec()).map_err(|e| e.to_string());
            let theirs = crate::store::envelope::decrypt(&c, &ids, 4 * CHUNK)
                .map(|p| p.to_vec())
                .map_err(|e| e.to_string());
            prop_assert_eq!(ours, theirs);
        }
    }
}
