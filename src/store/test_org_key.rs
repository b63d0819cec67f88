//! The throwaway organisation key of a vault that replay made, kept as
//! `test-org-key.txt` beside it so a test can export and decrypt what the
//! run finalized. A real vault never holds an organisation identity: this
//! file is only ever written into a test vault (low work factor, marked so
//! in its config).

use std::path::Path;
use std::str::FromStr;

use age::secrecy::ExposeSecret;

use crate::store::atomic::{RealFs, write_atomic};
use crate::store::{StoreError, Vault};

pub const FILE: &str = "test-org-key.txt";

/// Write the key beside a test vault (0600). Refused for a real vault.
pub fn write_test_org_key(
    vault: &Vault,
    identity: &age::x25519::Identity,
) -> Result<(), StoreError> {
    if !vault.device().test_vault {
        return Err(StoreError::ConfigMismatch {
            field: "test-vault",
        });
    }
    let text = format!(
        "# safevisit replay: a throwaway TEST organisation key. Never use it for real visits.\n# public key: {}\n{}\n",
        identity.to_public(),
        identity.to_string().expose_secret()
    );
    write_atomic(&RealFs, &vault.dir().join(FILE), text.as_bytes())?;
    Ok(())
}

/// Read the key of a test vault, if replay left one.
pub fn read_test_org_key(dir: &Path) -> Result<Option<age::x25519::Identity>, StoreError> {
    let path = dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(StoreError::Read { path, source }),
    };
    let key = text.lines().find(|l| l.starts_with("AGE-SECRET-KEY-"));
    match key.map(age::x25519::Identity::from_str) {
        Some(Ok(id)) => Ok(Some(id)),
        _ => Err(StoreError::IdentityDamaged {
            path,
            reason: "no test organisation key in it".into(),
        }),
    }
}
