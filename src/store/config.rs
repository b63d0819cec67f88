//! The vault's configuration: `vault.toml` (plaintext, no secret: what can
//! be shown before unlocking) and the sealed copy inside the
//! passphrase-encrypted identity file (authoritative; it also holds the
//! organisation recipients, which never appear in plaintext).
//!
//! The sealed text is a standard age identity file, so `age -d identity.age`
//! prints something the `age` tool itself accepts as `-i`:
//!
//! ```text
//! # safevisit device identity. Keep secret.
//! # vault-format: 1
//! # device-id: 6f1c…
//! # device-name: laptop-3
//! # test-vault: no
//! # recipient: age1…        (one line per organisation recipient)
//! # signing-key: RWR…       (the device's minisign secret key, since 0.6)
//! # org-signing-key: RWQ…   (the pinned organisation key, when pinned)
//! # org-card: K7QM-2XPA-9RTF-WD3N   (that card's fingerprint)
//! # organisation: Jeugdzorg Voorbeeldstad   (that card's name)
//! # public key: age1…       (the device's own recipient)
//! AGE-SECRET-KEY-1…
//! ```
//!
//! The signing and organisation lines are comment lines on purpose: an
//! older safevisit (and the `age` tool) ignores comment lines it does not
//! know, so adding them needed no new vault format (docs/FORMATS.md).
//!
//! Pure parsing and printing; no I/O.

use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::signing::{SigningKey, VerifyingKey, normalize_fingerprint};
use crate::store::recipients::Recipient;

/// The on-disk layout version of the vault (`format` in `vault.toml`).
pub const VAULT_FORMAT: u32 = 1;

/// Longest device id and device name, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// What `vault.toml` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct VaultConfig {
    pub format: u32,
    pub device_id: String,
    pub device_name: String,
    /// Made with a low scrypt work factor for tests and replays; never for
    /// real visits.
    pub test_vault: bool,
    /// Days a case may stay untouched before the home screen flags it for
    /// closing (default `case::DEFAULT_RETENTION_DAYS`). The one line of
    /// this file an organisation may change; it is not sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_retention_days: Option<u32>,
}

/// Who this device is, as the office will see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub id: String,
    pub name: String,
    pub test_vault: bool,
}

impl VaultConfig {
    pub fn device(&self) -> DeviceInfo {
        DeviceInfo {
            id: self.device_id.clone(),
            name: self.device_name.clone(),
            test_vault: self.test_vault,
        }
    }

    /// The text of `vault.toml`.
    pub fn to_toml(&self) -> String {
        let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
        format!(
            "# safevisit vault. This file holds no secret and no visit data; see docs/FORMATS.md.\n\
             # Do not edit: a copy is sealed with the passphrase and checked when unlocking.\n\
             format = {}\n\
             device-id = {}\n\
             device-name = {}\n\
             test-vault = {}\n",
            self.format,
            quote(&self.device_id),
            quote(&self.device_name),
            self.test_vault
        ) + &self
            .case_retention_days
            .map(|d| format!("case-retention-days = {d}\n"))
            .unwrap_or_default()
    }

    pub fn from_toml(text: &str) -> Result<VaultConfig, String> {
        let c: VaultConfig = toml::from_str(text).map_err(|e| e.message().to_string())?;
        valid_device_id(&c.device_id).map_err(|e| format!("device-id: {e}"))?;
        valid_device_name(&c.device_name).map_err(|e| format!("device-name: {e}"))?;
        Ok(c)
    }
}

/// A device id: 1 to 64 of `A-Z a-z 0-9 - _`.
pub fn valid_device_id(id: &str) -> Result<(), &'static str> {
    if id.is_empty() || id.chars().count() > MAX_NAME_CHARS {
        return Err("must be 1 to 64 characters");
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err("may hold only letters, digits, - and _");
    }
    Ok(())
}

/// A device name: 1 to 64 characters, no control characters, not only spaces.
pub fn valid_device_name(name: &str) -> Result<(), &'static str> {
    if name.trim().is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err("must be 1 to 64 characters");
    }
    if name.chars().any(char::is_control) {
        return Err("may not hold control characters");
    }
    if name != name.trim() {
        return Err("may not start or end with a space");
    }
    Ok(())
}

/// The organisation key a laptop trusts for receipts, pinned from an
/// organisation card (`init --org-card`, `safevisit org-card`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedOrg {
    /// The organisation's signing public key.
    pub signing_key: VerifyingKey,
    /// The fingerprint of the card it was pinned from.
    pub card_fingerprint: String,
    /// The card's organisation name (may be empty).
    pub organisation: String,
}

/// The sealed configuration: what only the passphrase opens.
pub struct Sealed {
    pub config: VaultConfig,
    pub recipients: Vec<Recipient>,
    pub identity: age::x25519::Identity,
    /// The device's signing key. `None` only in a vault made before
    /// signing keys existed; unlocking adds one.
    pub signing_key: Option<SigningKey>,
    /// The pinned organisation key, if any.
    pub org: Option<PinnedOrg>,
}

/// A one-line value for a comment line: control characters become spaces.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

impl Sealed {
    /// The identity-file text (wiped when dropped).
    pub fn to_text(&self) -> Zeroizing<String> {
        // Room for everything up front: a growing String would leave copies
        // of the secret lines behind in the buffers it gives up.
        let mut s = Zeroizing::new(String::with_capacity(
            1024 + 96 * self.recipients.len() + 512,
        ));
        s.push_str("# safevisit device identity. Keep secret.\n");
        s.push_str(&format!("# vault-format: {}\n", self.config.format));
        s.push_str(&format!("# device-id: {}\n", self.config.device_id));
        s.push_str(&format!("# device-name: {}\n", self.config.device_name));
        s.push_str(&format!(
            "# test-vault: {}\n",
            if self.config.test_vault { "yes" } else { "no" }
        ));
        for r in &self.recipients {
            s.push_str(&format!("# recipient: {r}\n"));
        }
        if let Some(key) = &self.signing_key {
            s.push_str("# signing-key: ");
            s.push_str(&key.to_text());
            s.push('\n');
        }
        if let Some(org) = &self.org {
            s.push_str(&format!(
                "# org-signing-key: {}\n",
                org.signing_key.to_base64()
            ));
            s.push_str(&format!("# org-card: {}\n", org.card_fingerprint));
            if !org.organisation.is_empty() {
                s.push_str(&format!(
                    "# organisation: {}\n",
                    one_line(&org.organisation)
                ));
            }
        }
        s.push_str(&format!("# public key: {}\n", self.identity.to_public()));
        let secret: SecretString = self.identity.to_string();
        s.push_str(secret.expose_secret());
        s.push('\n');
        s
    }

    /// Parse the identity-file text. The error is a short English reason
    /// that never quotes the text.
    pub fn from_text(text: &str) -> Result<Sealed, &'static str> {
        let mut format = None;
        let mut device_id = None;
        let mut device_name = None;
        let mut test_vault = None;
        let mut public = None;
        let mut recipients = Vec::new();
        let mut identity = None;
        let mut signing_key = None;
        let mut org_key = None;
        let mut org_card = None;
        let mut organisation = String::new();
        for line in text.lines() {
            if let Some(comment) = line.strip_prefix("# ") {
                let Some((key, value)) = comment.split_once(": ") else {
                    continue;
                };
                match key {
                    "vault-format" => {
                        format = Some(
                            value
                                .parse::<u32>()
                                .map_err(|_| "vault-format is not a number")?,
                        )
                    }
                    "device-id" => device_id = Some(value.to_string()),
                    "device-name" => device_name = Some(value.to_string()),
                    "test-vault" => test_vault = Some(value == "yes"),
                    "recipient" => recipients.push(
                        age::x25519::Recipient::from_str(value)
                            .map(Recipient::from)
                            .map_err(|_| "a recipient line does not decode")?,
                    ),
                    "public key" => public = Some(value.to_string()),
                    "signing-key" => {
                        if signing_key.is_some() {
                            return Err("it holds more than one signing key");
                        }
                        signing_key = Some(
                            SigningKey::from_text(value)
                                .map_err(|_| "its signing key does not decode")?,
                        );
                    }
                    "org-signing-key" => {
                        org_key = Some(
                            VerifyingKey::from_base64(value)
                                .map_err(|_| "its organisation key does not decode")?,
                        )
                    }
                    "org-card" => {
                        org_card = Some(
                            normalize_fingerprint(value)
                                .ok_or("its organisation card fingerprint is not valid")?,
                        )
                    }
                    "organisation" => organisation = value.to_string(),
                    _ => {}
                }
            } else if line.starts_with("AGE-SECRET-KEY-1") {
                if identity.is_some() {
                    return Err("it holds more than one key");
                }
                identity = Some(
                    age::x25519::Identity::from_str(line.trim())
                        .map_err(|_| "its key does not decode")?,
                );
            } else if !line.trim().is_empty() && !line.starts_with('#') {
                return Err("it holds a line that is neither a comment nor a key");
            }
        }
        let identity = identity.ok_or("it holds no key")?;
        if public.is_some_and(|p| p != identity.to_public().to_string()) {
            return Err("its public key does not match its key");
        }
        if recipients.is_empty() {
            return Err("it names no organisation recipient");
        }
        let config = VaultConfig {
            case_retention_days: None,
            format: format.ok_or("it has no vault-format line")?,
            device_id: device_id.ok_or("it has no device-id line")?,
            device_name: device_name.ok_or("it has no device-name line")?,
            test_vault: test_vault.ok_or("it has no test-vault line")?,
        };
        let org = match (org_key, org_card) {
            (Some(signing_key), Some(card_fingerprint)) => Some(PinnedOrg {
                signing_key,
                card_fingerprint,
                organisation,
            }),
            (None, None) => None,
            _ => return Err("its organisation key lines are incomplete"),
        };
        Ok(Sealed {
            config,
            recipients,
            identity,
            signing_key,
            org,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed() -> Sealed {
        Sealed {
            config: VaultConfig {
                case_retention_days: None,
                format: 1,
                device_id: "dev-1".into(),
                device_name: "laptop Kersenboom-team".into(),
                test_vault: true,
            },
            recipients: vec![age::x25519::Identity::generate().to_public().into()],
            identity: age::x25519::Identity::generate(),
            signing_key: None,
            org: None,
        }
    }

    #[test]
    fn signing_and_organisation_keys_round_trip_as_comment_lines() {
        let mut s = sealed();
        let key = SigningKey::generate().unwrap();
        let org_key = SigningKey::generate().unwrap().public().clone();
        s.signing_key = Some(SigningKey::from_text(&key.to_text()).unwrap());
        s.org = Some(PinnedOrg {
            signing_key: org_key.clone(),
            card_fingerprint: crate::signing::fingerprint(&["x"]),
            organisation: "Jeugdzorg\nVoorbeeldstad".into(),
        });
        let text = s.to_text();
        assert!(text.contains(&format!("# signing-key: {}\n", key.to_text().as_str())));
        assert!(text.contains("# organisation: Jeugdzorg Voorbeeldstad\n"));
        let back = Sealed::from_text(&text).unwrap();
        assert_eq!(back.signing_key.unwrap().public(), key.public());
        let org = back.org.unwrap();
        assert_eq!(org.signing_key, org_key);
        assert_eq!(org.card_fingerprint, crate::signing::fingerprint(&["x"]));
        // Still an identity file the age crate reads (comments are ignored).
        let file = age::IdentityFile::from_buffer(text.as_bytes()).unwrap();
        assert_eq!(file.into_identities().unwrap().len(), 1);
        // Half an organisation pin is refused, not half trusted.
        let cut: String = text
            .lines()
            .filter(|l| !l.starts_with("# org-card: "))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(Sealed::from_text(&cut).is_err());
        // A damaged signing key is refused.
        let damaged = text.replace("# signing-key: RW", "# signing-key: XX");
        assert!(Sealed::from_text(&damaged).is_err());
    }

    #[test]
    fn the_sealed_text_never_grows_its_buffer_even_at_the_limits() {
        // A grown buffer would leave a copy of the secret lines behind.
        let mut s = sealed();
        s.config.device_id = "d".repeat(64);
        s.config.device_name = "𝔎".repeat(64);
        s.recipients = (0..32)
            .map(|_| age::x25519::Identity::generate().to_public().into())
            .collect();
        s.signing_key = Some(SigningKey::generate().unwrap());
        s.org = Some(PinnedOrg {
            signing_key: SigningKey::generate().unwrap().public().clone(),
            card_fingerprint: crate::signing::fingerprint(&["x"]),
            organisation: "𝔎".repeat(80),
        });
        let text = s.to_text();
        assert_eq!(text.capacity(), 1024 + 96 * 32 + 512, "{}", text.len());
    }

    #[test]
    fn a_sealed_text_without_a_signing_key_still_reads() {
        let s = sealed();
        let text = s.to_text();
        assert!(!text.contains("signing-key"));
        let back = Sealed::from_text(&text).unwrap();
        assert!(back.signing_key.is_none() && back.org.is_none());
    }

    #[test]
    fn sealed_text_round_trips_and_is_an_age_identity_file() {
        let s = sealed();
        let text = s.to_text();
        let back = Sealed::from_text(&text).unwrap();
        assert_eq!(back.config, s.config);
        assert_eq!(back.recipients, s.recipients);
        assert_eq!(back.identity.to_public(), s.identity.to_public());
        // The age crate reads it as an ordinary identity file.
        let file = age::IdentityFile::from_buffer(text.as_bytes()).unwrap();
        assert_eq!(file.into_identities().unwrap().len(), 1);
    }

    #[test]
    fn toml_round_trips_with_odd_names() {
        let mut c = sealed().config;
        c.device_name = "laptop \"3\" = ja".into();
        assert_eq!(VaultConfig::from_toml(&c.to_toml()).unwrap(), c);
        assert!(VaultConfig::from_toml("format = 1\n").is_err());
    }

    #[test]
    fn names_are_checked() {
        assert!(valid_device_id("6f1c-aa_3").is_ok());
        assert!(valid_device_id("../x").is_err());
        assert!(valid_device_name("laptop 3").is_ok());
        assert!(valid_device_name("a\nb").is_err());
        assert!(valid_device_name(" ").is_err());
    }
}
