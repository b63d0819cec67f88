//! A schema of its own in the PostgreSQL test database
//! (`SAFEVISIT_TEST_POSTGRES`), dropped when done: the office tests run
//! against PostgreSQL as well as SQLite, each in its own schema, so that
//! test binaries running at once never meet.

/// A schema of its own in the test database, dropped when done.
pub struct PgSchema {
    base: String,
    name: String,
}

impl PgSchema {
    /// `None` (and "skipped" on stderr, never a silent pass) without
    /// `SAFEVISIT_TEST_POSTGRES`.
    pub fn new(test: &str) -> Option<PgSchema> {
        let Ok(base) = std::env::var("SAFEVISIT_TEST_POSTGRES") else {
            eprintln!(
                "skipped: {test}: SAFEVISIT_TEST_POSTGRES is not set (no PostgreSQL to test against)"
            );
            return None;
        };
        let name = format!(
            "sv_{}_{}_{}",
            test.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(20)
                .collect::<String>(),
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        let mut c = postgres::Client::connect(&base, postgres::NoTls).expect("connect");
        c.batch_execute(&format!("CREATE SCHEMA {name}")).unwrap();
        Some(PgSchema { base, name })
    }

    /// The connection string that works in this schema.
    pub fn conninfo(&self) -> String {
        if self.base.contains("://") {
            let sep = if self.base.contains('?') { '&' } else { '?' };
            format!("{}{sep}options=-csearch_path%3D{}", self.base, self.name)
        } else {
            format!("{} options='-c search_path={}'", self.base, self.name)
        }
    }

    /// A client in this schema.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.conninfo(), postgres::NoTls).expect("connect")
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.base, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA {} CASCADE", self.name));
        }
    }
}
