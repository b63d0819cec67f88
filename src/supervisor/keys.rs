//! Organisation keys: making one (a standard age X25519 identity file, the
//! format `age-keygen` writes) and loading the identity files given to
//! `supervisor import -i` (made by `keygen` or `age-keygen`).
//!
//! The secret key is held in `SecretString`s and wiped buffers; it is never
//! printed except to a non-terminal stdout on request (as `age-keygen`
//! does), and never appears in an error message.

use std::fs::OpenOptions;
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::i18n::Lang;
use crate::input::{self, InputError, NotRegular};
use crate::signing::{SignatureError, SigningKey, VerifyingKey};
use crate::store::recipients::Recipient;

/// An identity the import decrypts with (shared across threads): the `age`
/// crate's own.
pub type Identity = Box<dyn age::Identity + Send + Sync>;

/// The largest identity file read: 1 MiB, some 13,000 keys. A larger file
/// is refused, not cut.
pub const MAX_IDENTITY_FILE: u64 = 1024 * 1024;

/// A new organisation key: the identity file's text and its recipient.
pub struct NewKey {
    /// The whole identity file, as `age-keygen` writes it.
    pub file_text: SecretString,
    /// The public recipient (`age1…`), for the laptops' `init`.
    pub recipient: String,
}

impl std::fmt::Debug for NewKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewKey")
            .field("recipient", &self.recipient)
            .finish_non_exhaustive()
    }
}

/// Make a new X25519 identity. `created` is the time for the file's
/// `# created:` comment (RFC 3339, as `age-keygen` writes it).
pub fn generate(created: &str) -> NewKey {
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let secret = identity.to_string();
    let text = format!(
        "# created: {created}\n# public key: {recipient}\n{}\n",
        secret.expose_secret()
    );
    NewKey {
        file_text: SecretString::from(text),
        recipient,
    }
}

/// Why an identity file or a key file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the identity file {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{} is not a regular file", path.display())]
    NotRegular { path: PathBuf, kind: NotRegular },
    #[error("{} is larger than an identity file can be ({limit} bytes)", path.display())]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{} is an encrypted file, not an identity file", path.display())]
    Encrypted { path: PathBuf },
    #[error("{} is not an age identity file (line {line} is not an identity)", path.display())]
    NotIdentities { path: PathBuf, line: usize },
    #[error("{} holds no identity", path.display())]
    Empty { path: PathBuf },
    #[error("{} already exists; keygen never overwrites a file", path.display())]
    Exists { path: PathBuf },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

impl KeyError {
    /// What happened and what to do next, in Dutch or English.
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (KeyError::Read { path, source }, Lang::Nl) => {
                format!(
                    "Het sleutelbestand {} is niet te lezen: {source}.",
                    path.display()
                )
            }
            (KeyError::Read { path, source }, Lang::En) => {
                format!(
                    "Cannot read the identity file {}: {source}.",
                    path.display()
                )
            }
            (KeyError::NotRegular { path, kind }, Lang::Nl) => format!(
                "{} is geen gewoon bestand maar {}. Geef het sleutelbestand zelf (van `safevisit supervisor keygen` of `age-keygen`).",
                path.display(),
                kind.name(lang)
            ),
            (KeyError::NotRegular { path, kind }, Lang::En) => format!(
                "{} is not a regular file but {}. Give the identity file itself (from `safevisit supervisor keygen` or `age-keygen`).",
                path.display(),
                kind.name(lang)
            ),
            (KeyError::TooLarge { path, limit }, Lang::Nl) => format!(
                "{} is groter dan een sleutelbestand kan zijn ({limit} bytes). Geef het bestand dat `safevisit supervisor keygen` of `age-keygen` maakte.",
                path.display()
            ),
            (KeyError::TooLarge { path, limit }, Lang::En) => format!(
                "{} is larger than an identity file can be ({limit} bytes). Give the file made by `safevisit supervisor keygen` or `age-keygen`.",
                path.display()
            ),
            (KeyError::Encrypted { path }, Lang::Nl) => format!(
                "{} is versleuteld. Ontsleutel het eerst naar een bestand dat alleen u kunt lezen (`age -d -o sleutel.txt {}`), en verwijder dat na de import.",
                path.display(),
                path.display()
            ),
            (KeyError::Encrypted { path }, Lang::En) => format!(
                "{} is encrypted. Decrypt it first to a file only you can read (`age -d -o key.txt {}`), and delete that after the import.",
                path.display(),
                path.display()
            ),
            (KeyError::NotIdentities { path, line }, Lang::Nl) => format!(
                "{} is geen age-sleutelbestand: regel {line} is geen sleutel. Geef het bestand dat `safevisit supervisor keygen` of `age-keygen` maakte (niet de publieke sleutel age1…).",
                path.display()
            ),
            (KeyError::NotIdentities { path, line }, Lang::En) => format!(
                "{} is not an age identity file: line {line} is not an identity. Give the file made by `safevisit supervisor keygen` or `age-keygen` (not the public key age1…).",
                path.display()
            ),
            (KeyError::Empty { path }, Lang::Nl) => {
                format!(
                    "{} bevat geen sleutel (alleen commentaar of lege regels).",
                    path.display()
                )
            }
            (KeyError::Empty { path }, Lang::En) => {
                format!(
                    "{} holds no identity (only comments or blank lines).",
                    path.display()
                )
            }
            (KeyError::Exists { path }, Lang::Nl) => format!(
                "{} bestaat al; keygen overschrijft nooit een bestand (het kan een sleutel zijn die nog nodig is). Kies een andere naam.",
                path.display()
            ),
            (KeyError::Exists { path }, Lang::En) => format!(
                "{} already exists; keygen never overwrites a file (it may be a key still needed). Choose another name.",
                path.display()
            ),
            (KeyError::Write { path, source }, Lang::Nl) => {
                format!("{} kon niet worden geschreven: {source}.", path.display())
            }
            (KeyError::Write { path, source }, Lang::En) => {
                format!("Cannot write {}: {source}.", path.display())
            }
        }
    }
}

/// Write a new key file: mode 0600, created exclusively (never over an
/// existing file), `fsync`ed with its folder.
pub fn write_key_file(path: &Path, key: &NewKey) -> Result<(), KeyError> {
    let err = |source: io::Error| KeyError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                KeyError::Exists {
                    path: path.to_path_buf(),
                }
            } else {
                err(e)
            }
        })?;
    let written = file
        .write_all(key.file_text.expose_secret().as_bytes())
        .and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(err(e));
    }
    let folder = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// An identity file's bytes (wiped on drop): a regular file (never a FIFO
/// or a device) of at most [`MAX_IDENTITY_FILE`] bytes.
fn read_identity_bytes(path: &Path) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let read_err = |source: io::Error| KeyError::Read {
        path: path.to_path_buf(),
        source,
    };
    let (file, size) = input::open_regular(path).map_err(|e| match e {
        InputError::Io(e) => read_err(e),
        InputError::NotRegular(kind) => KeyError::NotRegular {
            path: path.to_path_buf(),
            kind,
        },
    })?;
    let too_large = || KeyError::TooLarge {
        path: path.to_path_buf(),
        limit: MAX_IDENTITY_FILE,
    };
    if size > MAX_IDENTITY_FILE {
        return Err(too_large());
    }
    // Room for the whole file, so that the buffer never grows (a growing
    // Vec would free unwiped copies of the key).
    let mut bytes = Zeroizing::new(Vec::with_capacity(size as usize + 1));
    file.take(MAX_IDENTITY_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_IDENTITY_FILE {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Load the identities of one identity file (`keygen`'s or `age-keygen`'s
/// format: `AGE-SECRET-KEY-1…` lines, `#` comments, blank lines), as the
/// `age` crate's own identities. A regular file of at most
/// [`MAX_IDENTITY_FILE`] bytes only.
pub fn load_identities(path: &Path) -> Result<Vec<Identity>, KeyError> {
    let bytes = read_identity_bytes(path)?;
    if bytes.starts_with(b"age-encryption.org/") || bytes.starts_with(b"-----BEGIN AGE") {
        return Err(KeyError::Encrypted {
            path: path.to_path_buf(),
        });
    }
    let parsed = age::IdentityFile::from_buffer(&bytes[..]).map_err(|e| {
        // age names the line ("… on line N"); keep only the number.
        let line = e
            .to_string()
            .rsplit(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        KeyError::NotIdentities {
            path: path.to_path_buf(),
            line,
        }
    })?;
    let identities = parsed
        .into_identities()
        .map_err(|_| KeyError::NotIdentities {
            path: path.to_path_buf(),
            line: 0,
        })?;
    if identities.is_empty() {
        return Err(KeyError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(identities)
}

/// The comment line that holds the organisation's signing key in its
/// identity file: age and `age-keygen` skip `#` lines, so the file stays a
/// standard age identity file.
pub const SIGNING_KEY_PREFIX: &str = "# safevisit-signing-key: ";

/// The signing-key line for `key` (with its line end). Wiped on drop.
pub fn signing_key_line(key: &SigningKey) -> Zeroizing<String> {
    Zeroizing::new(format!("{SIGNING_KEY_PREFIX}{}\n", key.to_text().as_str()))
}

/// A new organisation key with a signing key: the identity file of
/// [`generate`] plus the signing-key comment line.
pub fn generate_with_signing_key(created: &str) -> Result<NewKey, SignatureError> {
    let key = generate(created);
    let signing = SigningKey::generate()?;
    let text = format!(
        "{}{}",
        key.file_text.expose_secret(),
        signing_key_line(&signing).as_str()
    );
    Ok(NewKey {
        file_text: SecretString::from(text),
        recipient: key.recipient,
    })
}

/// Why the signing key of an identity file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    #[error("{0}")]
    Key(#[from] KeyError),
    #[error("{} holds no signing key", path.display())]
    Missing { path: PathBuf },
    #[error("{} holds more than one signing key", path.display())]
    Several { path: PathBuf },
    #[error("the signing key in {} is damaged", path.display())]
    Damaged { path: PathBuf },
    #[error("{} already holds a signing key", path.display())]
    Present { path: PathBuf },
}

impl SigningKeyError {
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (SigningKeyError::Key(e), _) => e.describe(lang),
            (SigningKeyError::Missing { path }, Lang::Nl) => format!(
                "{} bevat geen ondertekensleutel (het is gemaakt vóór deze versie, of door age-keygen). \
                 Voeg er een toe met `safevisit supervisor keygen --add-signing-key {}` (de age-sleutel blijft zoals hij is).",
                path.display(),
                path.display()
            ),
            (SigningKeyError::Missing { path }, Lang::En) => format!(
                "{} holds no signing key (it was made before this version, or by age-keygen). \
                 Add one with `safevisit supervisor keygen --add-signing-key {}` (the age key stays as it is).",
                path.display(),
                path.display()
            ),
            (SigningKeyError::Several { path }, Lang::Nl) => format!(
                "{} bevat meer dan één ondertekensleutel; houd er één over.",
                path.display()
            ),
            (SigningKeyError::Several { path }, Lang::En) => format!(
                "{} holds more than one signing key; keep one.",
                path.display()
            ),
            (SigningKeyError::Damaged { path }, Lang::Nl) => format!(
                "De ondertekensleutel in {} is beschadigd. Zet het bestand terug uit de back-up.",
                path.display()
            ),
            (SigningKeyError::Damaged { path }, Lang::En) => format!(
                "The signing key in {} is damaged. Restore the file from its backup.",
                path.display()
            ),
            (SigningKeyError::Present { path }, Lang::Nl) => format!(
                "{} bevat al een ondertekensleutel; er is niets veranderd.",
                path.display()
            ),
            (SigningKeyError::Present { path }, Lang::En) => format!(
                "{} already holds a signing key; nothing was changed.",
                path.display()
            ),
        }
    }
}

/// Read an identity file's text (wiped on drop): a regular file of at most
/// the size `age` reads, like [`load_identities`].
fn read_identity_text(path: &Path) -> Result<Zeroizing<String>, KeyError> {
    let bytes = read_identity_bytes(path)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| KeyError::NotIdentities {
        path: path.to_path_buf(),
        line: 0,
    })?;
    Ok(Zeroizing::new(text.to_string()))
}

/// The signing key of an identity file, if it holds one (`None` for a file
/// made before signing keys, or by `age-keygen`).
pub fn load_signing_key(path: &Path) -> Result<Option<SigningKey>, SigningKeyError> {
    let text = read_identity_text(path)?;
    let mut found: Option<SigningKey> = None;
    for line in text.lines() {
        if let Some(rest) = line.trim().strip_prefix(SIGNING_KEY_PREFIX.trim_end()) {
            if found.is_some() {
                return Err(SigningKeyError::Several {
                    path: path.to_path_buf(),
                });
            }
            found = Some(
                SigningKey::from_text(rest).map_err(|_| SigningKeyError::Damaged {
                    path: path.to_path_buf(),
                })?,
            );
        }
    }
    Ok(found)
}

/// The recipients (`age1…`) of the X25519 identities in an identity file:
/// what the laptops encrypt to (for the organisation card).
pub fn identity_recipients(path: &Path) -> Result<Vec<Recipient>, KeyError> {
    use std::str::FromStr;
    let text = read_identity_text(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().map(str::trim).enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let id = age::x25519::Identity::from_str(line).map_err(|_| KeyError::NotIdentities {
            path: path.to_path_buf(),
            line: i + 1,
        })?;
        out.push(Recipient::from(id.to_public()));
    }
    if out.is_empty() {
        return Err(KeyError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(crate::store::recipients::dedup(out))
}

/// Add a new signing key to an existing identity file: the file's text
/// stays byte for byte, the signing-key line is appended, and the result
/// replaces the file atomically (a private temporary file, `fsync`, a
/// rename). Refused when the file already holds a signing key or holds no
/// age identity. Returns the new key's public half.
pub fn add_signing_key(path: &Path) -> Result<VerifyingKey, SigningKeyError> {
    // It must be an identity file that age reads.
    load_identities(path)?;
    if load_signing_key(path)?.is_some() {
        return Err(SigningKeyError::Present {
            path: path.to_path_buf(),
        });
    }
    let text = read_identity_text(path)?;
    let key = SigningKey::generate().map_err(|_| SigningKeyError::Damaged {
        path: path.to_path_buf(),
    })?;
    let mut new_text = Zeroizing::new(String::with_capacity(text.len() + 200));
    new_text.push_str(&text);
    if !text.is_empty() && !text.ends_with('\n') {
        new_text.push('\n');
    }
    new_text.push_str(&signing_key_line(&key));
    let write_err = |source: io::Error| KeyError::Write {
        path: path.to_path_buf(),
        source,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.signing-{}", std::process::id()));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temp)
        .and_then(|mut f| {
            f.write_all(new_text.as_bytes())?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&temp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(write_err(e).into());
    }
    let folder = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(key.public().clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_new_key_file_reads_back_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("org-key.txt");
        let key = generate("2025-03-04T12:00:00+01:00");
        assert!(key.recipient.starts_with("age1"));
        assert!(!format!("{key:?}").contains("AGE-SECRET-KEY"));
        write_key_file(&path, &key).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# created: 2025-03-04T12:00:00+01:00\n# public key: age1"));
        assert_eq!(load_identities(&path).unwrap().len(), 1);
        // Never over an existing file.
        let again = generate("2025-03-04T12:00:01+01:00");
        assert!(matches!(
            write_key_file(&path, &again),
            Err(KeyError::Exists { .. })
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }

    #[test]
    fn wrong_files_are_named_without_their_content() {
        let dir = tempfile::tempdir().unwrap();
        let public = dir.path().join("public.txt");
        std::fs::write(&public, "# org\nage1geheimniets\n").unwrap();
        match load_identities(&public) {
            Err(KeyError::NotIdentities { line, .. }) => assert_eq!(line, 2),
            other => panic!("{:?}", other.map(|v| v.len())),
        }
        let empty = dir.path().join("leeg.txt");
        std::fs::write(&empty, "# niets\n\n").unwrap();
        assert!(matches!(
            load_identities(&empty),
            Err(KeyError::Empty { .. })
        ));
        let enc = dir.path().join("key.age");
        std::fs::write(&enc, b"age-encryption.org/v1\n-> scrypt x 18\n").unwrap();
        assert!(matches!(
            load_identities(&enc),
            Err(KeyError::Encrypted { .. })
        ));
        let msg = load_identities(&public)
            .err()
            .map(|e| e.describe(Lang::En))
            .unwrap_or_default();
        assert!(msg.contains("line 2"), "{msg}");
        assert!(!msg.contains("geheim"), "{msg}");
    }

    #[test]
    fn a_key_with_a_signing_key_still_loads_as_age_identities() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("org-key.txt");
        let key = generate_with_signing_key("2026-12-05T10:00:00+01:00").unwrap();
        write_key_file(&path, &key).unwrap();
        assert_eq!(load_identities(&path).unwrap().len(), 1);
        let signing = load_signing_key(&path).unwrap().expect("a signing key");
        let recipients = identity_recipients(&path).unwrap();
        assert_eq!(recipients.len(), 1);
        assert_eq!(recipients[0].to_string(), key.recipient);
        let sig = signing.sign(b"receipt", "c").unwrap();
        signing.public().verify(b"receipt", &sig).unwrap();
    }

    #[test]
    fn a_signing_key_is_added_once_and_the_age_key_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("org-key.txt");
        write_key_file(&path, &generate("2025-03-04T12:00:00+01:00")).unwrap();
        let before = std::fs::read_to_string(&path).unwrap();
        assert!(load_signing_key(&path).unwrap().is_none());
        let public = add_signing_key(&path).unwrap();
        let after = std::fs::read_to_string(&path).unwrap();
        assert!(after.starts_with(&before));
        assert_eq!(after.lines().count(), before.lines().count() + 1);
        assert_eq!(load_signing_key(&path).unwrap().unwrap().public(), &public);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(matches!(
            add_signing_key(&path),
            Err(SigningKeyError::Present { .. })
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), after);
        // A damaged line is named, never quoted.
        std::fs::write(&path, format!("{before}{SIGNING_KEY_PREFIX}RWRbroken\n")).unwrap();
        let err = load_signing_key(&path).unwrap_err();
        assert!(matches!(err, SigningKeyError::Damaged { .. }));
        assert!(!err.describe(Lang::En).contains("RWRbroken"));
    }

    #[test]
    fn only_a_regular_identity_file_of_bounded_size_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("sleutel-pijp");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
        )
        .unwrap();
        for (path, kind) in [
            (fifo.as_path(), NotRegular::Fifo),
            (Path::new("/dev/zero"), NotRegular::Device),
            (dir.path(), NotRegular::Folder),
        ] {
            match load_identities(path) {
                Err(KeyError::NotRegular { kind: k, .. }) => assert_eq!(k, kind, "{path:?}"),
                other => panic!("{path:?}: {:?}", other.map(|v| v.len())),
            }
        }
        let msg = load_identities(&fifo)
            .err()
            .map(|e| e.describe(Lang::Nl))
            .unwrap_or_default();
        assert!(
            msg.contains("geen gewoon bestand maar een pijp (FIFO)"),
            "{msg}"
        );
        // A sparse file far larger than any identity file: refused by its size.
        let big = dir.path().join("groot.txt");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(200 * 1024 * 1024)
            .unwrap();
        assert!(matches!(
            load_identities(&big),
            Err(KeyError::TooLarge {
                limit: MAX_IDENTITY_FILE,
                ..
            })
        ));
        // A file of keys just under the cap still loads.
        let key = generate("2025-03-04T12:00:00+01:00");
        let mut text = key.file_text.expose_secret().to_string();
        while text.len() + 80 < MAX_IDENTITY_FILE as usize {
            text.push_str(
                "# opvulling ----------------------------------------------------------\n",
            );
        }
        let padded = dir.path().join("sleutel.txt");
        std::fs::write(&padded, &text).unwrap();
        assert_eq!(load_identities(&padded).unwrap().len(), 1);
    }
}
