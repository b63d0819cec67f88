//! Connecting to a ledger on PostgreSQL (`--ledger`, `SAFEVISIT_LEDGER`).
//!
//! The connection string is a URL (`postgresql://user@host:port/db`) or
//! libpq's `key=value` form (`host=/run/postgresql dbname=safevisit
//! user=kantoor`). It never holds a password: one there is refused (a
//! command line is seen by every user of the machine, in `ps`). The
//! password comes from the standard password file instead, looked up as
//! libpq does (the `postgres` crate does not read it itself):
//! `PGPASSFILE`, else `~/.pgpass`; ignored, with a warning, unless only
//! its owner can read it (mode 0600); lines `host:port:database:user:password`
//! where `*` matches anything and `\:` and `\\` stand for `:` and `\`.
//! Our copy of the password is wiped once handed to the connection; the
//! `postgres` crate keeps its own (unwiped) copy in its configuration for
//! the life of the connection (docs/SECURITY.md).
//!
//! No TLS: the ledger is expected on this machine (a Unix socket or
//! `localhost`), see docs/SUPERVISOR.md.

use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::i18n::Lang;

/// Why no connection was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError {
    /// The connection string holds a password.
    PasswordGiven,
    /// The connection string could not be read.
    Invalid(String),
    /// The server could not be reached, or refused.
    Failed(String),
}

impl ConnectError {
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (ConnectError::PasswordGiven, Lang::Nl) => "het grootboek-adres (--ledger of SAFEVISIT_LEDGER) bevat een wachtwoord; zet het wachtwoord in ~/.pgpass (of het bestand in PGPASSFILE, modus 0600) en laat het uit het adres".into(),
            (ConnectError::PasswordGiven, Lang::En) => "the ledger address (--ledger or SAFEVISIT_LEDGER) holds a password; put the password in ~/.pgpass (or the file in PGPASSFILE, mode 0600) and leave it out of the address".into(),
            (ConnectError::Invalid(e), Lang::Nl) => format!("het grootboek-adres (--ledger of SAFEVISIT_LEDGER) is niet te lezen: {e}; geef bijvoorbeeld postgresql://kantoor@localhost/safevisit"),
            (ConnectError::Invalid(e), Lang::En) => format!("the ledger address (--ledger or SAFEVISIT_LEDGER) cannot be read: {e}; give for example postgresql://kantoor@localhost/safevisit"),
            (ConnectError::Failed(e), Lang::Nl) => format!("geen verbinding met de PostgreSQL-database van het grootboek: {e}; kijk of de server draait en of het adres en de regel in ~/.pgpass kloppen"),
            (ConnectError::Failed(e), Lang::En) => format!("no connection to the ledger's PostgreSQL database: {e}; check that the server runs and that the address and the line in ~/.pgpass are right"),
        }
    }
}

impl From<ConnectError> for crate::supervisor::ledger::LedgerError {
    fn from(e: ConnectError) -> Self {
        crate::supervisor::ledger::LedgerError::Connect(e)
    }
}

/// Whether a connection string has a password in it.
fn has_password(conninfo: &str) -> bool {
    match conninfo.parse::<postgres::Config>() {
        Ok(c) => c.get_password().is_some(),
        // Unreadable: said so when it is parsed for real.
        Err(_) => false,
    }
}

/// Read the connection string, with the password of the password file.
pub fn config(conninfo: &str) -> Result<postgres::Config, ConnectError> {
    if has_password(conninfo) {
        return Err(ConnectError::PasswordGiven);
    }
    let mut config: postgres::Config = conninfo
        .parse()
        .map_err(|e: postgres::Error| ConnectError::Invalid(e.to_string()))?;
    if config.get_user().is_none() {
        // libpq's default: the name of the user running the program.
        if let Ok(user) = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")) {
            config.user(&user);
        }
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(std::time::Duration::from_secs(10));
    }
    config.application_name("safevisit");
    if let Some(file) = password_file() {
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let user = config.get_user().unwrap_or_default().to_string();
        let db = config.get_dbname().unwrap_or(&user).to_string();
        if let Some(pw) = lookup(&file, &host, port, &db, &user) {
            config.password(pw.as_bytes());
        }
    }
    Ok(config)
}

/// Connect to the ledger's database.
pub fn connect(conninfo: &str) -> Result<postgres::Client, ConnectError> {
    config(conninfo)?
        .connect(postgres::NoTls)
        .map_err(|e| ConnectError::Failed(pg_error_text(&e)))
}

/// A connection error in words (the server's own message when it sent one).
fn pg_error_text(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => e.to_string(),
    }
}

/// The password file: `PGPASSFILE`, else `~/.pgpass`.
fn password_file() -> Option<PathBuf> {
    match std::env::var_os("PGPASSFILE") {
        Some(f) if !f.is_empty() => Some(PathBuf::from(f)),
        _ => std::env::var_os("HOME").map(|h| Path::new(&h).join(".pgpass")),
    }
}

/// The password for `host:port:db:user` in the password file `path`, if
/// it has one. A file others can read is ignored, with a warning (as
/// libpq does).
pub fn lookup(
    path: &Path,
    host: &str,
    port: u16,
    db: &str,
    user: &str,
) -> Option<Zeroizing<String>> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    if meta.mode() & 0o077 != 0 {
        eprintln!(
            "waarschuwing / warning: {} wordt niet gebruikt: anderen kunnen het lezen (chmod 600) / is not used: others can read it (chmod 600)",
            path.display()
        );
        return None;
    }
    let mut text = Zeroizing::new(String::new());
    std::fs::File::open(path)
        .ok()?
        .take(1 << 20)
        .read_to_string(&mut text)
        .ok()?;
    let port = port.to_string();
    // libpq: a connection over the default socket matches `localhost`.
    let local = host.starts_with('/');
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_fields(line);
        if fields.len() < 5 {
            continue;
        }
        let matches = |field: &str, value: &str| field == "*" || field == value;
        let host_ok = matches(&fields[0], host) || (local && fields[0].as_str() == "localhost");
        if host_ok
            && matches(&fields[1], &port)
            && matches(&fields[2], db)
            && matches(&fields[3], user)
        {
            return Some(Zeroizing::new(fields[4].to_string()));
        }
    }
    None
}

/// The fields of a password-file line: split at `:`, with `\:` and `\\`
/// standing for `:` and `\`. The last field (the password) takes the rest
/// of the line.
fn split_fields(line: &str) -> Vec<Zeroizing<String>> {
    let mut out = Vec::with_capacity(5);
    let mut field = Zeroizing::new(String::new());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    field.push(n);
                }
            }
            ':' if out.len() < 4 => {
                out.push(std::mem::replace(&mut field, Zeroizing::new(String::new())))
            }
            c => field.push(c),
        }
    }
    out.push(field);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn file(text: &str, mode: u32) -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("pgpass");
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        (tmp, path)
    }

    #[test]
    fn the_first_matching_line_gives_the_password() {
        let (_t, path) = file(
            "# kantoor\nother:5432:*:*:nee\nlocalhost:5432:safevisit:kantoor:ge\\:heim\\\\1\n*:*:*:kantoor:later\n",
            0o600,
        );
        let pw = lookup(&path, "localhost", 5432, "safevisit", "kantoor").unwrap();
        assert_eq!(pw.as_str(), "ge:heim\\1");
        // A Unix socket matches `localhost`; another database the wildcard line.
        let pw = lookup(&path, "/tmp/pg/sock", 5432, "safevisit", "kantoor").unwrap();
        assert_eq!(pw.as_str(), "ge:heim\\1");
        let pw = lookup(&path, "db.example", 6543, "archief", "kantoor").unwrap();
        assert_eq!(pw.as_str(), "later");
        assert!(lookup(&path, "db.example", 5432, "safevisit", "iemand").is_none());
    }

    #[test]
    fn a_password_file_others_can_read_is_ignored() {
        let (_t, path) = file("*:*:*:*:geheim\n", 0o644);
        assert!(lookup(&path, "localhost", 5432, "safevisit", "kantoor").is_none());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(lookup(&path, "localhost", 5432, "safevisit", "kantoor").is_some());
    }

    #[test]
    fn a_password_in_the_address_is_refused() {
        for conninfo in [
            "postgresql://kantoor:geheim@localhost/safevisit",
            "host=localhost dbname=safevisit user=kantoor password=geheim",
        ] {
            assert_eq!(config(conninfo).unwrap_err(), ConnectError::PasswordGiven);
            let text = ConnectError::PasswordGiven.describe(Lang::Nl);
            assert!(text.contains(".pgpass") && !text.contains("geheim"));
        }
        assert!(config("postgresql://kantoor@localhost/safevisit").is_ok());
        assert!(matches!(
            config("host=localhost dbname"),
            Err(ConnectError::Invalid(_))
        ));
    }
}
