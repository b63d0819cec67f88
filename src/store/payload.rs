//! age files opened for the office in one pass over their bytes: each
//! record, and each bundle as a stream.
//!
//! age itself reads the header: it parses and checks it, unwraps the file
//! key with the office's identities and verifies the header's MAC, exactly
//! as for any age file. Only the payload after the header
//! (<https://c2sp.org/age#payload>) is decrypted here: the payload key by
//! HKDF-SHA-256 from the file key and the 16-byte nonce with the label
//! `payload`, then 64 KiB chunks of ChaCha20-Poly1305, each with an 11-byte
//! big-endian counter and a last-chunk flag as its nonce. age's stream
//! reader decrypts every chunk into a new buffer and copies it out; the
//! office opens tens of thousands of records of about 17 KB and bundles of
//! 18 MB. Here each chunk is decrypted in place, by aws-lc's
//! ChaCha20-Poly1305 (assembly, about 1.7 times the speed of the portable
//! one age uses). The rules are age's: every chunk authenticated, the last
//! one flagged as last and empty only when it is the only one, nothing
//! after it. The tests compare both readers with age's on sound, cut,
//! extended and altered files of every size around the chunk edges.

use std::cell::RefCell;
use std::io::{self, BufRead, Read};

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

/// An identity that keeps the file key it unwraps. age unwraps with the
/// first identity that answers and then checks the header's MAC with that
/// key, so once age has accepted a header, the one key kept is the file's.
pub struct Keeping<'a> {
    inner: &'a dyn age::Identity,
    kept: RefCell<Option<Zeroizing<[u8; 16]>>>,
}

impl<'a> Keeping<'a> {
    /// Each of `identities`, keeping.
    pub fn all(identities: &[&'a dyn age::Identity]) -> Vec<Keeping<'a>> {
        identities
            .iter()
            .map(|&inner| Keeping {
                inner,
                kept: RefCell::new(None),
            })
            .collect()
    }

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

/// The file key one of `keeping` unwrapped.
fn kept(keeping: &[Keeping<'_>]) -> Option<Zeroizing<[u8; 16]>> {
    keeping.iter().find_map(|k| k.kept.borrow_mut().take())
}

/// The payload key of a file: HKDF-SHA-256 of its file key, salted with
/// its nonce.
fn payload_key(file_key: &[u8; 16], nonce: &[u8]) -> Result<LessSafeKey, EnvelopeError> {
    let key = Zeroizing::new(hkdf(nonce, LABEL, file_key));
    let key =
        UnboundKey::new(&CHACHA20_POLY1305, key.as_slice()).map_err(|_| EnvelopeError::Tampered)?;
    Ok(LessSafeKey::new(key))
}

/// The nonce of chunk `i`: its number as 11 bytes, big-endian, then 1 for
/// the last chunk and 0 for the others.
fn chunk_nonce(i: u64, last: bool) -> Nonce {
    let mut n = [0u8; 12];
    n[3..11].copy_from_slice(&i.to_be_bytes());
    n[11] = u8::from(last);
    Nonce::assume_unique_for_key(n)
}

/// Open the sealed chunk number `i` in place: at `buf[at..]`, the chunk's
/// ciphertext and tag become its plaintext (`buf` is cut to its end).
/// `last`: the chunk ends the file. A full chunk that ends the file but
/// opens only as a middle chunk means the file was cut after it.
fn open_chunk(
    aead: &LessSafeKey,
    buf: &mut Vec<u8>,
    at: usize,
    i: u64,
    last: bool,
) -> Result<(), EnvelopeError> {
    let sealed_len = buf.len() - at;
    if sealed_len < TAG {
        // A last chunk shorter than its tag.
        return Err(EnvelopeError::Truncated);
    }
    // Kept only for the rare chunk that needs a second try.
    let retry: Option<Zeroizing<Vec<u8>>> =
        (last && sealed_len == SEALED_CHUNK).then(|| Zeroizing::new(buf[at..].to_vec()));
    match aead.open_in_place(chunk_nonce(i, last), Aad::empty(), &mut buf[at..]) {
        Ok(plain) => {
            let n = plain.len();
            // Only a file with no plaintext at all ends in an empty chunk.
            if last && n == 0 && i > 0 {
                return Err(EnvelopeError::Tampered);
            }
            buf.truncate(at + n);
            Ok(())
        }
        Err(_) => match retry {
            Some(mut sealed) => {
                let middle =
                    aead.open_in_place(chunk_nonce(i, false), Aad::empty(), sealed.as_mut_slice());
                Err(match middle {
                    Ok(_) => EnvelopeError::Truncated,
                    Err(_) => EnvelopeError::Tampered,
                })
            }
            None => Err(EnvelopeError::Tampered),
        },
    }
}

/// age's header errors as the envelope's.
fn header_error(e: DecryptError) -> EnvelopeError {
    use age::DecryptError as D;
    match e {
        D::Io(io) if io.kind() == io::ErrorKind::UnexpectedEof => EnvelopeError::Truncated,
        D::NoMatchingKeys | D::ExcessiveWork { .. } => EnvelopeError::NotForThisKey,
        D::DecryptionFailed | D::InvalidMac => EnvelopeError::Tampered,
        _ => EnvelopeError::NotAgeFile,
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
    let mut input = io::Cursor::new(ciphertext);
    let decryptor = age::Decryptor::new_buffered(&mut input).map_err(|e| match e {
        DecryptError::Io(io) if io.kind() == io::ErrorKind::UnexpectedEof => {
            EnvelopeError::Truncated
        }
        _ => EnvelopeError::NotAgeFile,
    })?;
    let keeping = Keeping::all(identities);
    let opened = decryptor
        .decrypt(keeping.iter().map(|k| k as &dyn age::Identity))
        .map_err(header_error)?;
    // Nothing of the payload has been read: the input stands just after
    // the header and the nonce.
    drop(opened);
    let start = usize::try_from(input.position()).map_err(|_| EnvelopeError::NotAgeFile)?;
    let file_key = kept(&keeping).ok_or(EnvelopeError::NotForThisKey)?;
    let nonce = start
        .checked_sub(NONCE)
        .and_then(|from| ciphertext.get(from..start))
        .ok_or(EnvelopeError::Truncated)?;
    let payload = ciphertext.get(start..).ok_or(EnvelopeError::Truncated)?;
    let aead = payload_key(&file_key, nonce)?;

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
    // Room for every sealed chunk, so that the buffer never grows (a
    // growing Vec would free unwiped copies of the plaintext).
    let mut out = Zeroizing::new(Vec::with_capacity(payload.len()));
    for (i, sealed) in (0u64..).zip(payload.chunks(SEALED_CHUNK)) {
        let at = out.len();
        out.extend_from_slice(sealed);
        open_chunk(&aead, &mut out, at, i, i + 1 == chunks as u64)?;
    }
    Ok(out)
}

/// The input of an age file while age reads its header: the bytes read
/// through [`Read`] (age reads the nonce that way, the header line by line
/// through [`BufRead`]) are kept, the last 16 of them.
pub struct NonceTap<R> {
    inner: R,
    last: Vec<u8>,
}

impl<R> NonceTap<R> {
    pub fn new(inner: R) -> NonceTap<R> {
        NonceTap {
            inner,
            last: Vec::with_capacity(2 * NONCE),
        }
    }
}

impl<R: Read> Read for NonceTap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.last.extend_from_slice(&buf[..n]);
        let excess = self.last.len().saturating_sub(NONCE);
        self.last.drain(..excess);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for NonceTap<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.inner.consume(amount);
    }
}

/// How opening an age stream went wrong, in age's own terms where age read
/// the header.
#[derive(Debug)]
pub enum StreamError {
    Header(DecryptError),
    /// A passphrase-encrypted file (never asked for here).
    Passphrase,
}

/// Open the age stream in `input` with `identities`: age reads and checks
/// the header, and the payload is read through the returned reader.
pub fn open_stream<R: BufRead>(
    input: R,
    identities: &[&dyn age::Identity],
) -> Result<PayloadReader<R>, StreamError> {
    let mut tap = NonceTap::new(input);
    let decryptor = age::Decryptor::new_buffered(&mut tap).map_err(StreamError::Header)?;
    if decryptor.is_scrypt() {
        return Err(StreamError::Passphrase);
    }
    let keeping = Keeping::all(identities);
    let opened = decryptor
        .decrypt(keeping.iter().map(|k| k as &dyn age::Identity))
        .map_err(StreamError::Header)?;
    drop(opened);
    let file_key = kept(&keeping).ok_or(StreamError::Header(DecryptError::NoMatchingKeys))?;
    if tap.last.len() != NONCE {
        return Err(StreamError::Header(DecryptError::Io(
            io::ErrorKind::UnexpectedEof.into(),
        )));
    }
    let aead = payload_key(&file_key, &tap.last)
        .map_err(|_| StreamError::Header(DecryptError::DecryptionFailed))?;
    Ok(PayloadReader {
        inner: tap.inner,
        aead,
        buf: Zeroizing::new(Vec::with_capacity(SEALED_CHUNK)),
        pos: 0,
        chunk: 0,
        ended: false,
        failed: None,
    })
}

/// The plaintext of an age stream, chunk by chunk. A damaged chunk reads
/// as [`io::ErrorKind::InvalidData`], a stream cut short as
/// [`io::ErrorKind::UnexpectedEof`] (as age's reader reports them), and
/// the error stays.
pub struct PayloadReader<R> {
    inner: R,
    aead: LessSafeKey,
    /// The current chunk's plaintext (wiped on drop).
    buf: Zeroizing<Vec<u8>>,
    /// How much of it has been read.
    pos: usize,
    /// The number of the next chunk.
    chunk: u64,
    /// The last chunk has been opened.
    ended: bool,
    failed: Option<io::ErrorKind>,
}

impl<R: BufRead> PayloadReader<R> {
    /// Read and open the next chunk.
    fn next_chunk(&mut self) -> io::Result<()> {
        let buf: &mut Vec<u8> = &mut self.buf;
        buf.clear();
        (&mut self.inner)
            .take(SEALED_CHUNK as u64)
            .read_to_end(buf)?;
        if buf.is_empty() {
            // The stream ended before its last chunk.
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        // A short chunk is the last; a full one is when nothing follows.
        let last = buf.len() < SEALED_CHUNK || self.inner.fill_buf()?.is_empty();
        open_chunk(&self.aead, buf, 0, self.chunk, last).map_err(|e| match e {
            EnvelopeError::Truncated => io::Error::from(io::ErrorKind::UnexpectedEof),
            _ => io::Error::from(io::ErrorKind::InvalidData),
        })?;
        self.pos = 0;
        self.chunk += 1;
        self.ended = last;
        Ok(())
    }
}

impl<R: BufRead> BufRead for PayloadReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if let Some(kind) = self.failed {
            return Err(kind.into());
        }
        while self.pos == self.buf.len() && !self.ended {
            if let Err(e) = self.next_chunk() {
                self.buf.clear();
                self.pos = 0;
                self.failed = Some(e.kind());
                return Err(e);
            }
        }
        Ok(&self.buf[self.pos..])
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.buf.len());
    }
}

impl<R: BufRead> Read for PayloadReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let plain = self.fill_buf()?;
        let n = out.len().min(plain.len());
        out[..n].copy_from_slice(&plain[..n]);
        self.consume(n);
        Ok(n)
    }
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
    /// the same error. The same for the file read as a stream, in pieces
    /// of odd sizes.
    fn same(ciphertext: &[u8], limit: usize) -> Result<Vec<u8>, String> {
        let ids: [&dyn age::Identity; 1] = [key()];
        let ours = decrypt(ciphertext, &ids, limit).map(|p| p.to_vec());
        let theirs = envelope::decrypt(ciphertext, &ids, limit).map(|p| p.to_vec());
        let ours = ours.map_err(|e| e.to_string());
        let theirs = theirs.map_err(|e| e.to_string());
        assert_eq!(ours, theirs, "{} bytes", ciphertext.len());
        if !matches!(&ours, Err(e) if e.contains("larger than the limit")) {
            assert_eq!(
                stream(ciphertext),
                age_stream(ciphertext),
                "{} bytes, as a stream",
                ciphertext.len()
            );
        }
        ours
    }

    /// What reading the file as a stream gives: its plaintext, or where it
    /// went wrong (header or payload) and the kind of error.
    fn stream(ciphertext: &[u8]) -> Result<Vec<u8>, String> {
        let ids: [&dyn age::Identity; 1] = [key()];
        let input = io::BufReader::with_capacity(1000, ciphertext);
        let mut reader = match open_stream(input, &ids) {
            Ok(r) => r,
            Err(StreamError::Header(e)) => return Err(format!("header: {e}")),
            Err(StreamError::Passphrase) => return Err("passphrase".into()),
        };
        read_in_pieces(&mut reader)
    }

    fn age_stream(ciphertext: &[u8]) -> Result<Vec<u8>, String> {
        let ids: [&dyn age::Identity; 1] = [key()];
        let input = io::BufReader::with_capacity(1000, ciphertext);
        let d = age::Decryptor::new_buffered(input).map_err(|e| format!("header: {e}"))?;
        let mut reader = d
            .decrypt(ids.iter().copied())
            .map_err(|e| format!("header: {e}"))?;
        read_in_pieces(&mut reader)
    }

    fn read_in_pieces(r: &mut impl Read) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut piece = [0u8; 7777];
        loop {
            match r.read(&mut piece) {
                Ok(0) => return Ok(out),
                Ok(n) => out.extend_from_slice(&piece[..n]),
                Err(e) => return Err(format!("payload: {:?}", e.kind())),
            }
        }
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
        let cached = crate::supervisor::x25519::CachedX25519::from_age(key()).expect("converts");
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

            // As a stream: the same plaintext, or an error of the same kind.
            let ours = match open_stream(io::BufReader::with_capacity(4096, c.as_slice()), &ids) {
                Ok(mut r) => {
                    let mut out = Vec::new();
                    r.read_to_end(&mut out).map(|_| out).map_err(|e| format!("{:?}", e.kind()))
                }
                Err(e) => Err(format!("header {e:?}")),
            };
            let theirs = match age::Decryptor::new_buffered(io::BufReader::with_capacity(4096, c.as_slice()))
                .and_then(|d| d.decrypt(ids.iter().copied()))
            {
                Ok(mut r) => {
                    let mut out = Vec::new();
                    r.read_to_end(&mut out).map(|_| out).map_err(|e| format!("{:?}", e.kind()))
                }
                Err(e) => Err(format!("header {:?}", StreamError::Header(e))),
            };
            prop_assert_eq!(ours, theirs);
        }
    }
}
