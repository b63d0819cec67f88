//! The ledger's SQL, once for two databases: SQLite (`DIR/safevisit.sqlite`,
//! the default) and PostgreSQL (`--ledger postgresql://…`, an
//! organisation's shared ledger).
//!
//! Every query of the office is written once, in the SQL both understand:
//! `?1`-style placeholders (turned into `$1` for PostgreSQL), `ON CONFLICT`,
//! `RETURNING`, `coalesce`, `lower`, `CAST(sum(x) AS BIGINT)` (PostgreSQL's
//! `sum` of integers is `numeric`, which this layer does not read). What
//! differs — the schema's column types, looking at the catalogue, locking —
//! is asked of [`Db::dialect`] and kept in `ledger.rs`.
//!
//! Values come back as [`Row`]s of owned [`Value`]s, so a query reads the
//! same on both. Text columns of the PostgreSQL schema use the `"C"`
//! collation, so that `ORDER BY` sorts by bytes exactly as SQLite does and
//! the outputs are the same whichever database holds the ledger.
//!
//! Transactions are `BEGIN` … `COMMIT` on the one connection
//! ([`Db::transaction`]); a [`Tx`] dropped without `commit` rolls back.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

/// Which database holds the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// Why a query failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{}", pg_text(.0))]
    Postgres(#[from] postgres::Error),
    #[error("the query returned no row")]
    NoRow,
    #[error("column {column} holds {found}, not {wanted}")]
    Type {
        column: usize,
        found: &'static str,
        wanted: &'static str,
    },
    #[error("column {column} has the PostgreSQL type {ty}, which the ledger does not read")]
    UnknownType { column: usize, ty: String },
}

/// A PostgreSQL error with the server's own message (its `Display` alone
/// says only "db error").
fn pg_text(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}

impl DbError {
    /// A serialization failure or deadlock on PostgreSQL: the transaction
    /// may be retried as a whole.
    pub fn is_retryable(&self) -> bool {
        match self {
            DbError::Postgres(e) => e.code().is_some_and(|c| {
                *c == postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == postgres::error::SqlState::T_R_DEADLOCK_DETECTED
            }),
            _ => false,
        }
    }
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Param<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// What can be bound to a placeholder.
pub trait ToParam {
    fn to_param(&self) -> Param<'_>;
}

impl ToParam for Param<'_> {
    fn to_param(&self) -> Param<'_> {
        *self
    }
}
impl ToParam for str {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}
impl ToParam for String {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}
impl ToParam for [u8] {
    fn to_param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}
impl ToParam for Vec<u8> {
    fn to_param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}
impl ToParam for f64 {
    fn to_param(&self) -> Param<'_> {
        Param::Real(*self)
    }
}
impl ToParam for bool {
    fn to_param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}
macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn to_param(&self) -> Param<'_> {
                // Beyond i64 (a u64 from a hostile record): the largest
                // number, never a wrapped negative one.
                Param::Int(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_param!(i8, i16, i32, i64, u8, u16, u32, u64, usize);
impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> Param<'_> {
        (**self).to_param()
    }
}
impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self) -> Param<'_> {
        match self {
            Some(v) => v.to_param(),
            None => Param::Null,
        }
    }
}

/// Text given as bytes that are already valid UTF-8 (a serialized JSON
/// document), bound without another copy. Bytes that are not UTF-8 are
/// bound as bytes (never changed into other text).
#[derive(Debug, Clone, Copy)]
pub struct Utf8<'a>(pub &'a [u8]);

impl ToParam for Utf8<'_> {
    fn to_param(&self) -> Param<'_> {
        match std::str::from_utf8(self.0) {
            Ok(s) => Param::Text(s),
            Err(_) => Param::Blob(self.0),
        }
    }
}

/// The parameters of a query: `p![a, b, c]` borrows each.
#[macro_export]
macro_rules! p {
    () => { &[] as &[$crate::supervisor::db::Param<'_>] };
    ($($x:expr),+ $(,)?) => {
        &[$($crate::supervisor::db::ToParam::to_param(&$x)),+][..]
    };
}
pub use p;

/// A value read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "an integer",
            Value::Real(_) => "a real number",
            Value::Text(_) => "text",
            Value::Blob(_) => "bytes",
        }
    }
}

/// One row of a result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// Column `i` as `T` (`Option<T>` for a column that may be NULL).
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, DbError> {
        let v = self.0.get(i).unwrap_or(&Value::Null);
        T::from_value(v).ok_or(DbError::Type {
            column: i,
            found: v.kind(),
            wanted: T::WANTED,
        })
    }

    /// Column `i` as bytes, text or blob alike (empty for NULL).
    pub fn bytes(&self, i: usize) -> &[u8] {
        match self.0.get(i) {
            Some(Value::Text(s)) => s.as_bytes(),
            Some(Value::Blob(b)) => b,
            _ => &[],
        }
    }

    /// Take column `i` out of the row (NULL left behind).
    pub fn take(&mut self, i: usize) -> Value {
        self.0
            .get_mut(i)
            .map(|v| std::mem::replace(v, Value::Null))
            .unwrap_or(Value::Null)
    }

    /// Column `i` as bytes, taken out of the row without a copy.
    pub fn take_bytes(&mut self, i: usize) -> Vec<u8> {
        match self.take(i) {
            Value::Text(s) => s.into_bytes(),
            Value::Blob(b) => b,
            _ => Vec::new(),
        }
    }
}

/// What a column can be read as.
pub trait FromValue: Sized {
    const WANTED: &'static str;
    fn from_value(v: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    const WANTED: &'static str = "an integer";
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
}
macro_rules! int_from {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            const WANTED: &'static str = "an integer in range";
            fn from_value(v: &Value) -> Option<Self> {
                match v {
                    Value::Int(n) => <$t>::try_from(*n).ok(),
                    _ => None,
                }
            }
        }
    )*};
}
int_from!(i32, u32, u64, usize, u16, u8);
impl FromValue for bool {
    const WANTED: &'static str = "a truth value";
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Int(n) => Some(*n != 0),
            _ => None,
        }
    }
}
impl FromValue for f64 {
    const WANTED: &'static str = "a number";
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Real(x) => Some(*x),
            Value::Int(n) => Some(*n as f64),
            _ => None,
        }
    }
}
impl FromValue for String {
    const WANTED: &'static str = "text";
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}
impl FromValue for Vec<u8> {
    const WANTED: &'static str = "bytes";
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Blob(b) => Some(b.clone()),
            Value::Text(s) => Some(s.as_bytes().to_vec()),
            _ => None,
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    const WANTED: &'static str = T::WANTED;
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Null => Some(None),
            v => T::from_value(v).map(Some),
        }
    }
}
impl FromValue for Value {
    const WANTED: &'static str = "a value";
    fn from_value(v: &Value) -> Option<Self> {
        Some(v.clone())
    }
}

/// A PostgreSQL connection and its prepared statements.
struct Pg {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
}

enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres(Box<Mutex<Pg>>),
}

/// One connection to the ledger's database.
pub struct Db {
    conn: Conn,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("dialect", &self.dialect())
            .finish_non_exhaustive()
    }
}

impl Db {
    /// A SQLite connection (opened by the caller with its pragmas).
    pub fn sqlite(conn: rusqlite::Connection) -> Db {
        conn.set_prepared_statement_cache_capacity(64);
        Db {
            conn: Conn::Sqlite(conn),
        }
    }

    /// Open a SQLite database file.
    pub fn open_sqlite(path: &Path) -> Result<Db, DbError> {
        let conn = rusqlite::Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(Db::sqlite(conn))
    }

    /// Open a SQLite database file read-only (a second connection beside
    /// the one that writes).
    pub fn open_sqlite_read_only(path: &Path) -> Result<Db, DbError> {
        let conn = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(Db::sqlite(conn))
    }

    /// A PostgreSQL connection.
    pub fn postgres(client: postgres::Client) -> Db {
        Db {
            conn: Conn::Postgres(Box::new(Mutex::new(Pg {
                client,
                statements: HashMap::new(),
            }))),
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self.conn {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (pragmas, backup).
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.conn {
            Conn::Sqlite(c) => Some(c),
            Conn::Postgres(_) => None,
        }
    }

    fn pg(&self) -> Option<std::sync::MutexGuard<'_, Pg>> {
        match &self.conn {
            // A panic while the lock was held left no half-done statement
            // behind in the client: go on with it.
            Conn::Postgres(m) => Some(m.lock().unwrap_or_else(|p| p.into_inner())),
            Conn::Sqlite(_) => None,
        }
    }

    /// Run one statement; the number of rows it changed.
    pub fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<u64, DbError> {
        match &self.conn {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let n = st.execute(rusqlite::params_from_iter(params.iter().map(SqliteParam)))?;
                Ok(n as u64)
            }
            Conn::Postgres(_) => {
                let mut pg = self.pg().expect("postgres");
                let st = pg.statement(sql)?;
                let args = pg_args(params);
                Ok(pg.client.execute(&st, &args)?)
            }
        }
    }

    /// Run statements without parameters, separated by `;`.
    pub fn execute_batch(&self, sql: &str) -> Result<(), DbError> {
        match &self.conn {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Postgres(_) => {
                let mut pg = self.pg().expect("postgres");
                Ok(pg.client.batch_execute(sql)?)
            }
        }
    }

    /// Every row of a query.
    pub fn query(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, DbError> {
        let mut out = Vec::new();
        self.for_each(sql, params, |r| {
            out.push(r);
            Ok::<(), DbError>(())
        })?;
        Ok(out)
    }

    /// Each row of a query handed to `f` as it is read (SQLite streams;
    /// PostgreSQL reads the result first).
    pub fn for_each<E: From<DbError>>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        mut f: impl FnMut(Row) -> Result<(), E>,
    ) -> Result<(), E> {
        match &self.conn {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql).map_err(DbError::from)?;
                let n = st.column_count();
                let mut rows = st
                    .query(rusqlite::params_from_iter(params.iter().map(SqliteParam)))
                    .map_err(DbError::from)?;
                while let Some(r) = rows.next().map_err(DbError::from)? {
                    let mut vals = Vec::with_capacity(n);
                    for i in 0..n {
                        vals.push(sqlite_value(r.get_ref(i).map_err(DbError::from)?));
                    }
                    f(Row(vals))?;
                }
                Ok(())
            }
            Conn::Postgres(_) => {
                let rows = {
                    let mut pg = self.pg().expect("postgres");
                    let st = pg.statement(sql)?;
                    let args = pg_args(params);
                    pg.client.query(&st, &args).map_err(DbError::from)?
                };
                for r in rows {
                    f(pg_row(&r)?)?;
                }
                Ok(())
            }
        }
    }

    /// The first row of a query; [`DbError::NoRow`] without one.
    pub fn query_row(&self, sql: &str, params: &[Param<'_>]) -> Result<Row, DbError> {
        self.query_opt(sql, params)?.ok_or(DbError::NoRow)
    }

    /// The first row of a query, if any.
    pub fn query_opt(&self, sql: &str, params: &[Param<'_>]) -> Result<Option<Row>, DbError> {
        match &self.conn {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let n = st.column_count();
                let mut rows =
                    st.query(rusqlite::params_from_iter(params.iter().map(SqliteParam)))?;
                match rows.next()? {
                    Some(r) => {
                        let mut vals = Vec::with_capacity(n);
                        for i in 0..n {
                            vals.push(sqlite_value(r.get_ref(i)?));
                        }
                        Ok(Some(Row(vals)))
                    }
                    None => Ok(None),
                }
            }
            Conn::Postgres(_) => {
                let row = {
                    let mut pg = self.pg().expect("postgres");
                    let st = pg.statement(sql)?;
                    let args = pg_args(params);
                    pg.client.query_opt(&st, &args)?
                };
                row.as_ref().map(pg_row).transpose()
            }
        }
    }

    /// Column 0 of the first row as `T`.
    pub fn one<T: FromValue>(&self, sql: &str, params: &[Param<'_>]) -> Result<T, DbError> {
        self.query_row(sql, params)?.get(0)
    }

    /// Start a transaction (`BEGIN`); committed by [`Tx::commit`], rolled
    /// back when dropped without it.
    pub fn transaction(&self) -> Result<Tx<'_>, DbError> {
        self.execute_batch("BEGIN")?;
        Ok(Tx {
            db: self,
            done: false,
        })
    }
}

impl Pg {
    /// The prepared statement of `sql` (prepared once per connection).
    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, DbError> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = self.client.prepare(&pg_placeholders(sql))?;
        if self.statements.len() > 256 {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }
}

/// A transaction on a [`Db`]; queries go through it like through the `Db`.
pub struct Tx<'a> {
    db: &'a Db,
    done: bool,
}

impl<'a> Tx<'a> {
    /// The connection the transaction is on (outliving the transaction).
    pub fn db(&self) -> &'a Db {
        self.db
    }

    pub fn commit(mut self) -> Result<(), DbError> {
        self.done = true;
        self.db.execute_batch("COMMIT")
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Nothing to do about a failing rollback: the connection is
            // then gone, and the database dropped the transaction itself.
            let _ = self.db.execute_batch("ROLLBACK");
        }
    }
}

/// `?1` → `$1`, and a bare `?` → the next `$n`, outside quoted text.
pub fn pg_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    let mut next = 0u32;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    chars.next();
                }
                out.push('$');
                if digits.is_empty() {
                    next += 1;
                    out.push_str(&next.to_string());
                } else {
                    out.push_str(&digits);
                }
            }
            None => out.push(c),
        }
    }
    out
}

/// The PostgreSQL form of schema SQL written for SQLite: 64-bit integers,
/// identity keys for SQLite's row ids, `bytea`, text in the `"C"`
/// collation (bytewise order, as SQLite's), no `WITHOUT ROWID`.
pub fn pg_schema(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + sql.len() / 4);
    for line in sql.split_inclusive('\n') {
        let mut l = line.replace(") WITHOUT ROWID;", ");");
        if l.contains(" INTEGER PRIMARY KEY") && !l.contains("REFERENCES") {
            l = l.replace(
                " INTEGER PRIMARY KEY",
                " BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            );
        }
        l = replace_word(&l, "INTEGER", "BIGINT");
        l = replace_word(&l, "BLOB", "BYTEA");
        l = replace_word(&l, "TEXT", "TEXT COLLATE \"C\"");
        out.push_str(&l);
    }
    out
}

/// `word` replaced where it stands alone (not inside another word or a
/// quoted string).
fn replace_word(s: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut quoted = false;
    while i < s.len() {
        let c = bytes[i];
        if c == b'\'' {
            quoted = !quoted;
        }
        if !quoted
            && s[i..].starts_with(word)
            && (i == 0 || !is_word(bytes[i - 1]))
            && bytes.get(i + word.len()).is_none_or(|b| !is_word(*b))
        {
            out.push_str(with);
            i += word.len();
            continue;
        }
        let ch = s[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

struct SqliteParam<'a>(&'a Param<'a>);

impl rusqlite::ToSql for SqliteParam<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match *self.0 {
            Param::Null => ValueRef::Null,
            Param::Int(n) => ValueRef::Integer(n),
            Param::Real(x) => ValueRef::Real(x),
            Param::Text(s) => ValueRef::Text(s.as_bytes()),
            Param::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn sqlite_value(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::Int(n),
        ValueRef::Real(x) => Value::Real(x),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

fn pg_args<'a>(params: &'a [Param<'a>]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|p| p as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

impl postgres::types::ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::{IsNull, Type};
        match *self {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(n) => match *ty {
                Type::INT8 => n.to_sql(ty, out),
                Type::INT4 => i32::try_from(n)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(n)?.to_sql(ty, out),
                Type::BOOL => (n != 0).to_sql(ty, out),
                Type::FLOAT8 => (n as f64).to_sql(ty, out),
                // An integer where text is expected (`?1` in a text
                // comparison): its decimal digits, as SQLite compares.
                _ => n.to_string().as_str().to_sql(ty, out),
            },
            Param::Real(x) => match *ty {
                Type::FLOAT4 => (x as f32).to_sql(ty, out),
                _ => x.to_sql(ty, out),
            },
            Param::Text(s) => match *ty {
                Type::INT8 => s.parse::<i64>()?.to_sql(ty, out),
                Type::INT4 => s.parse::<i32>()?.to_sql(ty, out),
                _ => s.to_sql(ty, out),
            },
            Param::Blob(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_ty: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn pg_row(r: &postgres::Row) -> Result<Row, DbError> {
    use postgres::types::Type;
    let mut vals = Vec::with_capacity(r.len());
    for (i, col) in r.columns().iter().enumerate() {
        let ty = col.type_();
        let v = match *ty {
            Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Value::Int),
            Type::INT4 => r
                .try_get::<_, Option<i32>>(i)?
                .map(|n| Value::Int(n.into())),
            Type::INT2 => r
                .try_get::<_, Option<i16>>(i)?
                .map(|n| Value::Int(n.into())),
            Type::BOOL => r
                .try_get::<_, Option<bool>>(i)?
                .map(|b| Value::Int(b.into())),
            Type::FLOAT8 => r.try_get::<_, Option<f64>>(i)?.map(Value::Real),
            Type::FLOAT4 => r
                .try_get::<_, Option<f32>>(i)?
                .map(|x| Value::Real(x.into())),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                r.try_get::<_, Option<String>>(i)?.map(Value::Text)
            }
            Type::BYTEA => r.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Blob),
            _ => {
                return Err(DbError::UnknownType {
                    column: i,
                    ty: ty.name().to_string(),
                });
            }
        };
        vals.push(v.unwrap_or(Value::Null));
    }
    Ok(Row(vals))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem() -> Db {
        Db::sqlite(rusqlite::Connection::open_in_memory().unwrap())
    }

    #[test]
    fn placeholders_become_dollar_numbers_outside_quotes() {
        assert_eq!(
            pg_placeholders("SELECT ?1, '?2', \"a?\" FROM t WHERE x = ?12 AND y = ?"),
            "SELECT $1, '?2', \"a?\" FROM t WHERE x = $12 AND y = $1"
        );
    }

    #[test]
    fn the_postgres_schema_has_wide_integers_identity_keys_and_bytewise_text() {
        let s = pg_schema(
            "CREATE TABLE t (\n  id INTEGER PRIMARY KEY,\n  v INTEGER PRIMARY KEY REFERENCES x (id),\n  note TEXT NOT NULL DEFAULT 'TEXT INTEGER',\n  b BLOB,\n  texts INTEGER\n) WITHOUT ROWID;\n",
        );
        assert!(s.contains("id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"));
        assert!(s.contains("v BIGINT PRIMARY KEY REFERENCES"), "{s}");
        assert!(
            s.contains("note TEXT COLLATE \"C\" NOT NULL DEFAULT 'TEXT INTEGER'"),
            "{s}"
        );
        assert!(s.contains("b BYTEA"));
        assert!(s.contains("texts BIGINT"));
        assert!(s.ends_with(");\n"));
    }

    #[test]
    fn values_round_trip_through_sqlite() {
        let db = mem();
        db.execute_batch("CREATE TABLE t (a INTEGER, b TEXT, c BLOB, d REAL)")
            .unwrap();
        let none: Option<String> = None;
        db.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3, ?4)",
            p![7_u64, "Kersenboom", vec![0_u8, 1], 1.5],
        )
        .unwrap();
        db.execute(
            "INSERT INTO t VALUES (?1, ?2, NULL, NULL)",
            p![u64::MAX, none],
        )
        .unwrap();
        let rows = db
            .query("SELECT a, b, c, d FROM t ORDER BY a", p![])
            .unwrap();
        assert_eq!(rows[0].get::<i64>(0).unwrap(), 7);
        assert_eq!(rows[0].get::<String>(1).unwrap(), "Kersenboom");
        assert_eq!(rows[0].get::<Vec<u8>>(2).unwrap(), vec![0, 1]);
        assert_eq!(rows[0].get::<f64>(3).unwrap(), 1.5);
        assert_eq!(rows[1].get::<i64>(0).unwrap(), i64::MAX);
        assert_eq!(rows[1].get::<Option<String>>(1).unwrap(), None);
        assert!(matches!(
            rows[1].get::<String>(1),
            Err(DbError::Type { column: 1, .. })
        ));
    }

    #[test]
    fn a_dropped_transaction_rolls_back_and_a_committed_one_stays() {
        let db = mem();
        db.execute_batch("CREATE TABLE t (a INTEGER)").unwrap();
        {
            let tx = db.transaction().unwrap();
            tx.execute("INSERT INTO t VALUES (1)", p![]).unwrap();
        }
        assert_eq!(db.one::<i64>("SELECT count(*) FROM t", p![]).unwrap(), 0);
        let tx = db.transaction().unwrap();
        tx.execute("INSERT INTO t VALUES (2)", p![]).unwrap();
        tx.commit().unwrap();
        assert_eq!(db.one::<i64>("SELECT count(*) FROM t", p![]).unwrap(), 1);
        assert!(matches!(
            db.query_row("SELECT a FROM t WHERE a = 9", p![]),
            Err(DbError::NoRow)
        ));
    }

    /// The same statements on PostgreSQL, when a test database is given
    /// (`SAFEVISIT_TEST_POSTGRES`, a connection string); said skipped
    /// otherwise.
    #[test]
    fn values_round_trip_through_postgres() {
        let Ok(url) = std::env::var("SAFEVISIT_TEST_POSTGRES") else {
            eprintln!(
                "skipped: SAFEVISIT_TEST_POSTGRES is not set (no PostgreSQL to test against)"
            );
            return;
        };
        let client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let db = Db::postgres(client);
        let tx = db.transaction().unwrap();
        tx.execute_batch(&pg_schema(
            "CREATE TEMPORARY TABLE t (n INTEGER PRIMARY KEY,\n a INTEGER,\n b TEXT,\n c BLOB,\n d REAL\n);\n",
        ))
        .unwrap();
        let row = tx
            .query_row(
                "INSERT INTO t (a, b, c, d) VALUES (?1, ?2, ?3, ?4) RETURNING n",
                p![7_u64, "Kersenboom", vec![0_u8, 1], 1.5],
            )
            .unwrap();
        assert_eq!(row.get::<i64>(0).unwrap(), 1);
        tx.execute(
            "INSERT INTO t (a, b) VALUES (?1, ?2)",
            p![8, Option::<String>::None],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO t (a, b) VALUES (9, 'a'), (10, 'B'), (11, 'b')",
            p![],
        )
        .unwrap();
        let rows = tx
            .query("SELECT a, b, c, d FROM t ORDER BY a", p![])
            .unwrap();
        assert_eq!(rows[0].get::<String>(1).unwrap(), "Kersenboom");
        assert_eq!(rows[0].get::<Vec<u8>>(2).unwrap(), vec![0, 1]);
        assert_eq!(rows[0].get::<f64>(3).unwrap(), 1.5);
        assert_eq!(rows[1].get::<Option<String>>(1).unwrap(), None);
        // Bytewise order, as SQLite's: capitals first.
        let order: Vec<String> = tx
            .query("SELECT b FROM t WHERE a > 8 ORDER BY b", p![])
            .unwrap()
            .iter()
            .map(|r| r.get(0).unwrap())
            .collect();
        assert_eq!(order, ["B", "a", "b"]);
        let n: i64 = tx
            .one("SELECT CAST(sum(a) AS BIGINT) FROM t WHERE a < ?1", p![9])
            .unwrap();
        assert_eq!(n, 15);
        let yes: bool = tx
            .one("SELECT EXISTS (SELECT 1 FROM t WHERE b = ?1)", p!["a"])
            .unwrap();
        assert!(yes);
    }
}
