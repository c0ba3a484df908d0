//! The index database: an embedded SQLite file or a PostgreSQL server behind one schema
//! (`client/migrations`) and one set of statements, chosen by the URL (sqlx's Any driver).
//!
//! A block is written in one transaction together with the cursor ([`Db::write_block`]): after
//! any crash the index holds every block up to the cursor and nothing after it, so a restart
//! resumes at the next block with no gap and no duplicate. Rows are inserted in multi-row
//! statements; an event that updates a row (a status, a revocation) first flushes the rows
//! waiting, so the block's events apply in their order.

use super::facts::{Row, Update};
use crate::error::{ClientError, Result};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Row as _};
use std::borrow::Cow;

/// Most bound values in one statement (SQLite's limit is 32,766, PostgreSQL's 65,535).
pub const MAX_BIND_VALUES: usize = 30_000;
/// Connections to a PostgreSQL server (SQLite uses one writer).
pub const MAX_CONNECTIONS: u32 = 8;

/// The schema's migrations, compiled in.
fn migrator() -> sqlx::migrate::Migrator {
    use sqlx::migrate::{Migration, MigrationType};
    let m = |v: i64, d: &'static str, sql: &'static str| {
        Migration::new(v, Cow::Borrowed(d), MigrationType::Simple, Cow::Borrowed(sql), false)
    };
    sqlx::migrate::Migrator {
        migrations: Cow::Owned(vec![
            m(1, "index", include_str!("../../migrations/0001_index.sql")),
            m(2, "scans", include_str!("../../migrations/0002_scans.sql")),
            m(3, "claims", include_str!("../../migrations/0003_claims.sql")),
            m(4, "disputes", include_str!("../../migrations/0004_disputes.sql")),
        ]),
        ..sqlx::migrate::Migrator::DEFAULT
    }
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
    /// NULL integer.
    NullInt,
    /// NULL text.
    NullText,
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::Int(v)
    }
}
impl From<u64> for Val {
    /// Saturates at `i64::MAX` (no chain value of the suite comes near it).
    fn from(v: u64) -> Val {
        Val::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<u32> for Val {
    fn from(v: u32) -> Val {
        Val::Int(v.into())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::Text(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::Text(v.to_string())
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Val {
        v.map_or(Val::NullText, Val::Text)
    }
}
impl From<Option<u64>> for Val {
    fn from(v: Option<u64>) -> Val {
        v.map_or(Val::NullInt, Val::from)
    }
}

/// The database behind the index.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    /// The URL without its password, for messages.
    shown: String,
    sqlite: bool,
}

/// Where the index stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// Genesis hash of the chain indexed (0x-hex).
    pub genesis_hash: String,
    /// The four contracts' addresses, comma-separated.
    pub contracts: String,
    /// Last block whose events are all in.
    pub block_number: u32,
    /// Its hash.
    pub block_hash: String,
}

/// A URL with any password replaced by `***`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            match cred.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &cred[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Db {
    /// Opens (creating an SQLite file if needed) and migrates the database at `url`:
    /// `sqlite://PATH` or `postgres://...`.
    pub async fn open(url: &str) -> Result<Db> {
        Db::connect(url, false, false).await
    }

    /// A writer for records that may lose their last commits in a crash of the machine, never
    /// their consistency (the scan log): on SQLite, WAL without an fsync per commit
    /// (`synchronous = NORMAL`, set on every connection the pool makes); elsewhere as [`Db::open`].
    pub async fn open_relaxed(url: &str) -> Result<Db> {
        Db::connect(url, false, true).await
    }

    /// For readers (the query API): the schema made or migrated first, then a pool of
    /// [`MAX_CONNECTIONS`] whose every transaction is read-only (SQLite opened `mode=ro`,
    /// PostgreSQL `default_transaction_read_only`), so the readers run side by side and cannot
    /// write.
    pub async fn open_reader(url: &str) -> Result<Db> {
        Db::connect(url, false, false).await?.close().await;
        Db::connect(url, true, false).await
    }

    async fn connect(url: &str, reader: bool, relaxed: bool) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let shown = redact(url);
        let err = |e: sqlx::Error| ClientError::Database(format!("{shown}: {e}"));
        let sqlite = url.starts_with("sqlite:");
        let url = if sqlite && !url.contains("mode=") {
            format!("{url}{}mode={}", if url.contains('?') { "&" } else { "?" }, if reader { "ro" } else { "rwc" })
        } else {
            url.to_string()
        };
        if sqlite {
            if let Some(dir) = std::path::Path::new(url.trim_start_matches("sqlite://").split('?').next().unwrap_or("")).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| ClientError::Io { path: dir.display().to_string(), reason: e.to_string() })?;
                }
            }
        }
        let pool = AnyPoolOptions::new()
            // one writer on SQLite; readers side by side (WAL)
            .max_connections(if sqlite && !reader { 1 } else { MAX_CONNECTIONS })
            .acquire_timeout(std::time::Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite && !reader {
                        // WAL: readers (the query commands) never block the writer; a crash
                        // loses at most the transaction in progress
                        sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await?;
                        if relaxed {
                            sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                        }
                    }
                    if sqlite {
                        sqlx::query("PRAGMA busy_timeout = 10000").execute(&mut *conn).await?;
                    } else if reader {
                        sqlx::query("SET default_transaction_read_only = on").execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(err)?;
        if !reader {
            migrator().run(&pool).await.map_err(|e| ClientError::Database(format!("{shown}: migrating the schema: {e}")))?;
        }
        Ok(Db { pool, shown, sqlite })
    }

    /// The URL, without its password.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Whether the backend is SQLite.
    pub fn is_sqlite(&self) -> bool {
        self.sqlite
    }

    /// The placeholder of the `n`th value (from 1) of a generated statement: `$n` on
    /// PostgreSQL, `?` on SQLite, whose lookup of a numbered parameter's name is linear in the
    /// statement's parameters (quadratic for a multi-row insert: 12 s for 10,000 lots).
    fn mark(&self, n: usize) -> String {
        if self.sqlite {
            "?".into()
        } else {
            format!("${n}")
        }
    }

    fn err(&self, e: sqlx::Error) -> ClientError {
        ClientError::Database(format!("{}: {e}", self.shown))
    }

    /// Where the index stands, if it has indexed anything.
    pub async fn cursor(&self) -> Result<Option<Cursor>> {
        let row = sqlx::query("SELECT genesis_hash, contracts, block_number, block_hash FROM index_cursor WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        row.map(|r| {
            Ok(Cursor {
                genesis_hash: r.try_get(0).map_err(|e| self.err(e))?,
                contracts: r.try_get(1).map_err(|e| self.err(e))?,
                block_number: u32::try_from(r.try_get::<i64, _>(2).map_err(|e| self.err(e))?).unwrap_or(0),
                block_hash: r.try_get(3).map_err(|e| self.err(e))?,
            })
        })
        .transpose()
    }

    /// Deletes every indexed row and the cursor (`--from-scratch`).
    pub async fn clear(&self) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        for t in TABLES.iter().map(|t| t.name).chain(["index_cursor"]) {
            sqlx::query(&format!("DELETE FROM {t}")).execute(&mut *tx).await.map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))
    }

    /// Writes one block's rows and updates, and moves the cursor to it, in one transaction.
    pub async fn write_block(&self, cursor: &Cursor, steps: &[Step]) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let mut waiting: Vec<&Row> = Vec::new();
        for step in steps {
            match step {
                Step::Insert(row) => waiting.push(row),
                Step::Update(u) => {
                    self.flush(&mut tx, &mut waiting).await?;
                    self.update(&mut tx, u).await?;
                }
            }
        }
        self.flush(&mut tx, &mut waiting).await?;
        let n = i64::from(cursor.block_number);
        sqlx::query(
            "INSERT INTO index_cursor (id, genesis_hash, contracts, block_number, block_hash) VALUES (1, $1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET genesis_hash = excluded.genesis_hash, contracts = excluded.contracts, \
             block_number = excluded.block_number, block_hash = excluded.block_hash",
        )
        .bind(cursor.genesis_hash.clone())
        .bind(cursor.contracts.clone())
        .bind(n)
        .bind(cursor.block_hash.clone())
        .execute(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))
    }

    /// `INSERT INTO table (columns) VALUES (...), ...` for `rows` rows.
    fn insert_sql(&self, table: &str, columns: &[&str], rows: usize) -> String {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut p = 0;
        for k in 0..rows {
            sql.push_str(if k == 0 { "(" } else { ", (" });
            for c in 0..columns.len() {
                p += 1;
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&self.mark(p));
            }
            sql.push(')');
        }
        sql
    }

    /// Inserts the waiting rows, table by table in the order they came, in multi-row statements.
    async fn flush(&self, tx: &mut sqlx::Transaction<'_, Any>, waiting: &mut Vec<&Row>) -> Result<()> {
        let mut i = 0;
        while i < waiting.len() {
            let table = waiting[i].table;
            let cols = table.columns.len();
            let per_statement = (MAX_BIND_VALUES / cols).max(1);
            let mut j = i;
            while j < waiting.len() && std::ptr::eq(waiting[j].table, table) && j - i < per_statement {
                j += 1;
            }
            let sql = self.insert_sql(table.name, table.columns, j - i);
            let mut q = sqlx::query(&sql);
            for row in &waiting[i..j] {
                debug_assert_eq!(row.values.len(), cols, "{}", table.name);
                for v in &row.values {
                    q = bind(q, v);
                }
            }
            q.execute(&mut **tx).await.map_err(|e| self.err(e))?;
            i = j;
        }
        waiting.clear();
        Ok(())
    }

    async fn update(&self, tx: &mut sqlx::Transaction<'_, Any>, u: &Update) -> Result<()> {
        match u {
            Update::Sql { sql, values } => {
                let mut q = sqlx::query(sql);
                for v in values {
                    q = bind(q, v);
                }
                q.execute(&mut **tx).await.map_err(|e| self.err(e))?;
            }
            Update::FinalizeEpoch { epoch, seed } => {
                let lots = sqlx::query("SELECT lot, rate_bps FROM lots WHERE epoch = $1 ORDER BY lot")
                    .bind(i64::from(*epoch))
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(|e| self.err(e))?;
                let (mut yes, mut no) = (Vec::new(), Vec::new());
                for r in &lots {
                    let text: String = r.try_get(0).map_err(|e| self.err(e))?;
                    let rate: Option<i64> = r.try_get(1).map_err(|e| self.err(e))?;
                    let lot = crate::fmt::parse_hex32(&text)
                        .ok_or_else(|| ClientError::Database(format!("{}: lot {text} is not a 32-byte hex ID", self.shown)))?;
                    let rate = u16::try_from(rate.unwrap_or(0)).unwrap_or(u16::MAX);
                    match tracepass_shared::Selection::of_final(seed.as_ref(), &lot, rate) {
                        tracepass_shared::Selection::Selected => yes.push(text),
                        _ => no.push(text),
                    }
                }
                for (flag, lots) in [(1i64, yes), (0, no)] {
                    for chunk in lots.chunks(MAX_BIND_VALUES - 1) {
                        let marks: Vec<String> = (0..chunk.len()).map(|k| self.mark(k + 2)).collect();
                        let sql = format!("UPDATE lots SET selected = {} WHERE lot IN ({})", self.mark(1), marks.join(", "));
                        let mut q = sqlx::query(&sql).bind(flag);
                        for l in chunk {
                            q = q.bind(l.clone());
                        }
                        q.execute(&mut **tx).await.map_err(|e| self.err(e))?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Inserts `rows` (each a value per column of `columns`) into `table` in one transaction,
    /// in multi-row statements of at most [`MAX_BIND_VALUES`] values.
    pub async fn insert_rows(&self, table: &str, columns: &[&str], rows: &[Vec<Val>]) -> Result<()> {
        let per_statement = (MAX_BIND_VALUES / columns.len().max(1)).max(1);
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        for chunk in rows.chunks(per_statement) {
            let sql = self.insert_sql(table, columns, chunk.len());
            let mut q = sqlx::query(&sql);
            for row in chunk {
                debug_assert_eq!(row.len(), columns.len(), "{table}");
                for v in row {
                    q = bind(q, v);
                }
            }
            q.execute(&mut *tx).await.map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))
    }

    /// Runs one statement; the rows it changed.
    pub async fn execute(&self, sql: &str, params: &[Val]) -> Result<u64> {
        let mut q = sqlx::query(sql);
        for v in params {
            q = bind(q, v);
        }
        Ok(q.execute(&self.pool).await.map_err(|e| self.err(e))?.rows_affected())
    }

    /// Rows of a query, every column as JSON (integers, text or null).
    pub async fn rows(&self, sql: &str, params: &[Val]) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
        let mut q = sqlx::query(sql);
        for v in params {
            q = bind(q, v);
        }
        let rows = q.fetch_all(&self.pool).await.map_err(|e| self.err(e))?;
        rows.iter().map(|r| to_json(r).map_err(|e| self.err(e))).collect()
    }

    /// Every indexed row of every table, in key order, one line per row: what two indexes of
    /// the same chain must agree on (`--from-scratch`, SQLite against PostgreSQL, crash tests).
    pub async fn dump(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for t in TABLES {
            for r in self.rows(&format!("SELECT {} FROM {} ORDER BY {}", t.columns.join(", "), t.name, t.order), &[]).await? {
                out.push(format!("{} {}", t.name, serde_json::Value::Object(r)));
            }
        }
        Ok(out)
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await
    }
}

fn bind<'q>(q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>, v: &Val) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    match v {
        Val::Int(i) => q.bind(*i),
        Val::Text(s) => q.bind(s.clone()),
        Val::NullInt => q.bind(None::<i64>),
        Val::NullText => q.bind(None::<String>),
    }
}

fn to_json(r: &AnyRow) -> std::result::Result<serde_json::Map<String, serde_json::Value>, sqlx::Error> {
    use sqlx::Column as _;
    let mut m = serde_json::Map::new();
    for (i, c) in r.columns().iter().enumerate() {
        let v = if let Ok(v) = r.try_get::<Option<i64>, _>(i) {
            v.map_or(serde_json::Value::Null, serde_json::Value::from)
        } else if let Ok(v) = r.try_get::<Option<String>, _>(i) {
            v.map_or(serde_json::Value::Null, serde_json::Value::from)
        } else if let Ok(v) = r.try_get::<Option<f64>, _>(i) {
            v.map_or(serde_json::Value::Null, serde_json::Value::from)
        } else {
            return Err(sqlx::Error::ColumnDecode { index: c.name().into(), source: "not an integer, text or real".into() });
        };
        m.insert(c.name().to_string(), v);
    }
    Ok(m)
}

/// One table of the index: its columns in insert order and its key order.
#[derive(Debug, PartialEq, Eq)]
pub struct Table {
    /// Table name.
    pub name: &'static str,
    /// Columns, in the order rows give values.
    pub columns: &'static [&'static str],
    /// `ORDER BY` of a dump (the primary key).
    pub order: &'static str,
}

/// What to do to the database for one event, in order.
#[derive(Debug, Clone)]
pub enum Step {
    /// Insert a row.
    Insert(Row),
    /// Run an update.
    Update(Update),
}

macro_rules! tables {
    ($( $konst:ident $name:literal [$($col:literal),*] $order:literal )*) => {
        $( #[doc = concat!("The `", $name, "` table.")] pub static $konst: Table = Table { name: $name, columns: &[$($col),*], order: $order }; )*
        /// Every table of indexed rows (the cursor apart).
        pub static TABLES: &[&Table] = &[$(&$konst),*];
    };
}

tables! {
    BLOCKS "blocks" ["number", "hash", "time_ms", "events"] "number"
    EVENTS "events" ["block", "idx", "contract", "name", "topics", "data"] "block, idx"
    MEMBERS "members" ["account", "role", "scope_categories", "scope_valid_until", "block", "idx", "removed_block"] "account"
    MERCHANTS "merchants" ["account", "tier", "status", "added_by", "block", "idx", "changed_block", "suspended_ms", "suspension_confirmed"] "account"
    FACTORIES "factories" ["id", "merchant", "country", "block", "idx"] "id"
    PRODUCTS "products" ["gtin", "merchant", "factory", "brand", "category", "origin", "hs_code", "block", "idx", "record"] "gtin"
    LOTS "lots" ["lot", "gtin", "merchant", "lot_number", "item_count", "root", "produced_on", "expires_on", "status", "block", "idx", "time_ms", "epoch", "rate_bps", "rule", "selected", "record"] "lot"
    TRACE_EVENTS "trace_events" ["lot", "idx_in_lot", "actor", "step", "event_time", "country", "location", "block", "idx", "record"] "lot, idx_in_lot"
    STATUS_CHANGES "status_changes" ["block", "idx", "lot", "from_status", "to_status"] "block, idx"
    RECALLS "recalls" ["lot", "recalled_by", "reason_hash", "block", "idx", "time_ms"] "lot"
    ATTESTATIONS "attestations" ["id", "kind", "subject", "issuer", "lot", "factory", "result", "standard", "selected", "answers", "valid_until", "issued_at", "event_time", "month", "block", "idx", "record", "revoked_by", "revoked_reason", "revoked_block"] "id"
    EPOCHS "epochs" ["epoch", "seed", "skipped", "block", "idx"] "epoch"
    PROPOSALS "proposals" ["id", "proposer", "action", "expires_at", "approvals", "block", "idx", "executed_by", "executed_block"] "id"
    VOTES "votes" ["proposal", "governor", "block", "idx"] "proposal, governor"
    DISPUTES "disputes" ["lot", "failed", "opened_by", "block", "idx", "time_ms", "outcome", "retest", "resolved_block", "resolved_ms"] "block, idx"
    SAMPLING_CHANGES "sampling_changes" ["block", "idx", "change", "rule", "rate_bps"] "block, idx"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_works() {
        assert_eq!(redact("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://.tracepass/index.db"), "sqlite://.tracepass/index.db");
    }

    #[tokio::test]
    async fn schema_matches_tables_works() {
        // every table's columns, as the writer names them, exist in the migrated schema
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&format!("sqlite://{}/i.db", dir.path().display())).await.unwrap();
        for t in TABLES {
            db.rows(&format!("SELECT {} FROM {} ORDER BY {}", t.columns.join(", "), t.name, t.order), &[]).await.unwrap();
        }
        assert_eq!(db.cursor().await.unwrap(), None);
        // reopening runs no migration twice
        drop(db);
        Db::open(&format!("sqlite://{}/i.db", dir.path().display())).await.unwrap();
    }
}

