//! One database handle over two engines.
//!
//! Queries are built once (sea-query statements, or portable SQL with `$1`-style
//! placeholders) and rendered for the engine at hand. SQLite runs inline on the
//! calling thread: reads on a per-thread connection (the measured fastest path,
//! see ../shared/limits), writes on one writer connection behind an async mutex.
//! PostgreSQL runs on a connection pool.

mod group_commit;
mod params;
mod pg;
mod pg_batch;
mod row;
mod snapshot;
mod sqlite;
mod stmt;
mod tx;

use std::sync::Arc;

pub use row::{Col, FromRow, Row};
pub use snapshot::Snapshot;
pub use stmt::{Raw, Rendered, Stmt, insert_rows_text, insert_text, sql};
pub use tx::{Prefetch, Tx};
pub(crate) use sqlite::{USUAL_CACHE_SIZE, USUAL_SORTING};

use crate::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// A handle to the application database; cheap to clone.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

enum Inner {
    Sqlite(sqlite::SqliteDb),
    Postgres(pg::PgDb),
}

impl Db {
    /// Opens `sqlite://PATH` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str, pool_size: usize) -> Result<Db, StoreError> {
        let inner = if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            Inner::Sqlite(sqlite::SqliteDb::open(path)?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Inner::Postgres(pg::PgDb::connect(url, pool_size).await?)
        } else {
            return Err(StoreError::Config(format!(
                "database URL must start with sqlite:// or postgres://, got {url:?}"
            )));
        };
        Ok(Db { inner: Arc::new(inner) })
    }

    pub fn engine(&self) -> Engine {
        match &*self.inner {
            Inner::Sqlite(_) => Engine::Sqlite,
            Inner::Postgres(_) => Engine::Postgres,
        }
    }

    /// All rows of a query.
    pub async fn fetch_all<T: FromRow>(&self, stmt: impl Stmt) -> Result<Vec<T>, StoreError> {
        let (sql, values) = stmt.render(self.engine());
        match &*self.inner {
            Inner::Sqlite(db) => db.read(|c| sqlite::fetch_all(c, &sql, &values)),
            Inner::Postgres(db) => pg::fetch_all(&db.get().await?, &sql, &values).await,
        }
    }

    /// The first row of a query, if any.
    pub async fn fetch_optional<T: FromRow>(&self, stmt: impl Stmt) -> Result<Option<T>, StoreError> {
        Ok(self.fetch_all(stmt).await?.into_iter().next())
    }

    /// Exactly one row (e.g. a `COUNT(*)`).
    pub async fn fetch_one<T: FromRow>(&self, stmt: impl Stmt) -> Result<T, StoreError> {
        self.fetch_optional(stmt).await?.ok_or(StoreError::NotFound)
    }

    /// The reads of one answer against one consistent state, cheaply: on SQLite one
    /// read transaction on a connection of its own (lesson 2 of the limits kit: one
    /// transaction instead of one per statement), on PostgreSQL one read-only
    /// transaction on a pooled connection, on the plans prepared once (see
    /// `snapshot.rs`).
    pub async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        match &*self.inner {
            Inner::Sqlite(db) => Ok(Snapshot::sqlite(db.snapshot_connection()?, db.idle_readers.clone())),
            Inner::Postgres(db) => Ok(Snapshot::pg(db.get().await?)),
        }
    }

    /// Starts a write transaction. On SQLite this takes the single writer. On
    /// PostgreSQL its statements run on the plans prepared once per connection, as
    /// a snapshot's do: a write transaction finds and changes rows by key, and
    /// PostgreSQL otherwise kept planning some statements anew on every call. A
    /// returning prospect's capture looked its customer up by mobile in 37 µs and
    /// planned the lookup in 266 µs before each run.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        match &*self.inner {
            Inner::Sqlite(db) => Tx::sqlite_write(db).await,
            Inner::Postgres(db) => Ok(Tx::pg_begin(db.get().await?, db.ids.clone(), "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan")),
        }
    }

    /// Starts a write transaction for bulk work (an import batch) that refers only
    /// to rows it writes itself or reads in the same transaction, of tables
    /// nothing deletes from. On SQLite a transaction of its own, not grouped with
    /// other writers' transactions, without a savepoint and without foreign-key
    /// checks (see `SqliteTx::begin_bulk`); on PostgreSQL the same as [`Db::begin`].
    pub async fn begin_bulk(&self) -> Result<Tx, StoreError> {
        match &*self.inner {
            Inner::Sqlite(db) => Tx::sqlite_bulk(db).await,
            Inner::Postgres(_) => self.begin().await,
        }
    }

    /// Executes one statement outside an explicit transaction; returns rows affected.
    pub async fn execute(&self, stmt: impl Stmt) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let n = tx.execute(stmt).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Runs a batch of DDL/SQL text (migrations).
    pub(crate) async fn batch(&self, tx: &mut Tx, script: &str) -> Result<(), StoreError> {
        tx.batch(script).await
    }

    /// Runs PRAGMAs on SQLite's writer connection outside any transaction, for work
    /// that needs other settings for a while (and the usual ones back after it).
    /// Nothing on PostgreSQL, whose settings are per transaction (`SET LOCAL`).
    pub(crate) async fn sqlite_writer_pragmas(&self, script: &str) -> Result<(), StoreError> {
        match &*self.inner {
            Inner::Sqlite(db) => db.writer_pragmas(script).await,
            Inner::Postgres(_) => Ok(()),
        }
    }

    /// Bulk load: rows of text values into `table(columns)`. SQLite: prepared inserts
    /// in large transactions; PostgreSQL: `COPY … FROM STDIN`. Never row-by-row
    /// round trips.
    pub async fn bulk_insert(
        &self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<sea_query::Value>],
    ) -> Result<u64, StoreError> {
        match &*self.inner {
            Inner::Sqlite(db) => db.bulk_insert(table, columns, rows).await,
            Inner::Postgres(db) => pg::copy_in(&db.get().await?, table, columns, rows).await,
        }
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        // BIGINT: PostgreSQL's plain `1` is an int4, which does not decode as i64.
        let _: i64 = self.fetch_one::<(i64,)>(sql("SELECT CAST(1 AS BIGINT)", vec![])).await?.0;
        Ok(())
    }

    /// Resets identity sequences after rows were loaded with explicit ids
    /// (PostgreSQL only; SQLite's AUTOINCREMENT follows the largest id by itself).
    pub async fn sync_sequence(&self, table: &str) -> Result<(), StoreError> {
        if self.engine() == Engine::Postgres {
            let q = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            );
            let _: Vec<(i64,)> = self.fetch_all(sql(&q, vec![])).await?;
        }
        Ok(())
    }
}
