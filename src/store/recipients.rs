//! Organisation recipients: the public keys (`age1…`) that finalized visits
//! are encrypted to. Parsed from the command line, from age's
//! recipients-file format (one a line, `#` comments and blank lines
//! allowed), or typed during onboarding.
//!
//! Never accepts a secret key, and never repeats one in an error message.

use std::fmt;
use std::str::FromStr;

use crate::i18n::Lang;

/// An organisation recipient: an age X25519 public key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Recipient(age::x25519::Recipient);

impl Recipient {
    /// The age recipient, for encryption.
    pub fn age(&self) -> &age::x25519::Recipient {
        &self.0
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recipient({})", self.0)
    }
}

impl From<age::x25519::Recipient> for Recipient {
    fn from(r: age::x25519::Recipient) -> Self {
        Recipient(r)
    }
}

/// What is wrong with a recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecipientProblem {
    /// A secret key (`AGE-SECRET-KEY-1…`) where a public key belongs.
    SecretKey,
    /// An SSH public key: not supported (yet).
    Ssh,
    /// A plugin recipient (`age1name1…`): not supported.
    Plugin,
    /// Starts like a recipient but does not decode (a typo, a cut-off copy).
    Damaged,
    /// Not an age recipient at all.
    NotARecipient,
}

/// A recipient that cannot be used, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe(Lang::En))]
pub struct RecipientError {
    /// Where it came from: a file name, or `--recipient`.
    pub origin: String,
    /// The line in that file (from 1), if from a file.
    pub line: Option<usize>,
    pub problem: RecipientProblem,
}

impl RecipientError {
    /// What is wrong and what to do, in Dutch or English.
    pub fn describe(&self, lang: Lang) -> String {
        let at = match self.line {
            Some(l) => format!("{}:{l}", self.origin),
            None => self.origin.clone(),
        };
        let what = match (&self.problem, lang) {
            (RecipientProblem::SecretKey, Lang::Nl) => {
                "dit is een GEHEIME sleutel (AGE-SECRET-KEY-…). Die hoort nooit op een laptop: bewaar hem op kantoor en geef alleen de publieke sleutel (age1…); `age-keygen -y sleutel.txt` toont die"
            }
            (RecipientProblem::SecretKey, Lang::En) => {
                "this is a SECRET key (AGE-SECRET-KEY-…). It never belongs on a laptop: keep it at the office and give only its public key (age1…); `age-keygen -y key.txt` prints it"
            }
            (RecipientProblem::Ssh, Lang::Nl) => {
                "SSH-sleutels worden (nog) niet ondersteund; gebruik een age-sleutel (age1…) van `safevisit supervisor keygen` of `age-keygen`"
            }
            (RecipientProblem::Ssh, Lang::En) => {
                "SSH keys are not supported (yet); use an age key (age1…) from `safevisit supervisor keygen` or `age-keygen`"
            }
            (RecipientProblem::Plugin, Lang::Nl) => {
                "plugin-ontvangers (age1naam1…) worden niet ondersteund; gebruik een X25519-sleutel (age1…)"
            }
            (RecipientProblem::Plugin, Lang::En) => {
                "plugin recipients (age1name1…) are not supported; use an X25519 key (age1…)"
            }
            (RecipientProblem::Damaged, Lang::Nl) => {
                "deze age-sleutel klopt niet (een tikfout of een afgebroken kopie); kopieer de hele regel `age1…` opnieuw"
            }
            (RecipientProblem::Damaged, Lang::En) => {
                "this age key does not check out (a typo or a cut-off copy); copy the whole `age1…` line again"
            }
            (RecipientProblem::NotARecipient, Lang::Nl) => {
                "dit is geen age-ontvanger; een ontvanger begint met age1 (en een bestand bevat er één per regel, # voor commentaar)"
            }
            (RecipientProblem::NotARecipient, Lang::En) => {
                "this is not an age recipient; a recipient starts with age1 (and a file holds one a line, # for comments)"
            }
        };
        format!("{at}: {what}")
    }
}

/// Whether `text` holds an age secret key (`AGE-SECRET-KEY-1…`, or a
/// plugin identity `AGE-PLUGIN-…`) anywhere, in any case: a worker may paste
/// a whole key file. The lower-case copy made to look is wiped.
pub fn holds_secret_key(text: &str) -> bool {
    let lower = zeroize::Zeroizing::new(text.to_ascii_lowercase());
    lower.contains("age-secret-key-") || lower.contains("age-plugin-")
}

fn classify(s: &str) -> Result<Recipient, RecipientProblem> {
    let lower = s.to_ascii_lowercase();
    // `AGE-SECRET-KEY-1…` and plugin identities `AGE-PLUGIN-…-1…` are secrets.
    if lower.starts_with("age-secret-key-") || lower.starts_with("age-plugin-") {
        return Err(RecipientProblem::SecretKey);
    }
    if lower.starts_with("ssh-") || lower.starts_with("ecdsa-sha2-") || lower.starts_with("sk-ssh-")
    {
        return Err(RecipientProblem::Ssh);
    }
    if let Ok(r) = age::x25519::Recipient::from_str(s) {
        return Ok(Recipient(r));
    }
    if let Some(rest) = lower.strip_prefix("age1") {
        // `age1<name>1<data>` is a plugin recipient: `1` is bech32's
        // separator and never a data character, so an X25519 recipient
        // has no second one.
        if rest.contains('1') {
            return Err(RecipientProblem::Plugin);
        }
        return Err(RecipientProblem::Damaged);
    }
    Err(RecipientProblem::NotARecipient)
}

/// Parse one recipient given on the command line or typed in. `source`
/// names where it came from in a message (for example `--recipient`).
pub fn parse_recipient_from(s: &str, source: &str) -> Result<Recipient, RecipientError> {
    classify(s.trim()).map_err(|problem| RecipientError {
        origin: source.to_string(),
        line: None,
        problem,
    })
}

/// Parse one recipient (`age1…`).
pub fn parse_recipient(s: &str) -> Result<Recipient, RecipientError> {
    parse_recipient_from(s, "recipient")
}

/// Parse a recipients file in age's format: one recipient a line; blank
/// lines and lines starting with `#` are ignored. Errors name
/// `path_label` and the line. An empty result is not an error here (the
/// caller decides whether at least one is needed).
pub fn parse_recipients_file(
    text: &str,
    path_label: &str,
) -> Result<Vec<Recipient>, RecipientError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let r = classify(line).map_err(|problem| RecipientError {
            origin: path_label.to_string(),
            line: Some(i + 1),
            problem,
        })?;
        out.push(r);
    }
    Ok(out)
}

/// `recipients` without repeats, in first-seen order.
pub fn dedup(recipients: Vec<Recipient>) -> Vec<Recipient> {
    let mut seen = std::collections::HashSet::new();
    recipients
        .into_iter()
        .filter(|r| seen.insert(r.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

    #[test]
    fn a_file_with_comments_and_blank_lines() {
        let text = format!("# office key\n\n{GOOD}\n   # backup, offline\n{GOOD}  \n");
        let rs = parse_recipients_file(&text, "org.txt").unwrap();
        assert_eq!(rs.len(), 2);
        assert_eq!(rs[0].to_string(), GOOD);
        assert_eq!(dedup(rs).len(), 1);
    }

    #[test]
    fn errors_name_file_and_line_and_never_echo_a_secret() {
        let secret =
            "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
        let text = format!("# keys\n{GOOD}\n{secret}\n");
        let e = parse_recipients_file(&text, "org.txt").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert_eq!(e.problem, RecipientProblem::SecretKey);
        for lang in [Lang::Nl, Lang::En] {
            let msg = e.describe(lang);
            assert!(msg.starts_with("org.txt:3: "), "{msg}");
            assert!(!msg.contains("QQQQ"), "{msg}");
        }
    }

    #[test]
    fn typo_ssh_and_garbage_are_told_apart() {
        let typo = format!("{}x", &GOOD[..GOOD.len() - 1]);
        assert_eq!(
            parse_recipient(&typo).unwrap_err().problem,
            RecipientProblem::Damaged
        );
        assert_eq!(
            parse_recipient("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL1 noor@laptop")
                .unwrap_err()
                .problem,
            RecipientProblem::Ssh
        );
        assert_eq!(
            parse_recipient("lotte@example.org").unwrap_err().problem,
            RecipientProblem::NotARecipient
        );
        assert!(parse_recipient(&format!("  {GOOD}\n")).is_ok());
        assert_eq!(
            parse_recipient(
                "age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t"
            )
            .unwrap_err()
            .problem,
            RecipientProblem::Plugin
        );
        assert_eq!(
            parse_recipient(&GOOD[..40]).unwrap_err().problem,
            RecipientProblem::Damaged
        );
    }
}
