//! Write transactions. Dropping a `Tx` without `commit` rolls it back.

use deadpool_postgres::Object;
use tokio::sync::OwnedMutexGuard;

use super::row::FromRow;
use super::stmt::Stmt;
use super::{Engine, pg, sqlite};
use crate::StoreError;

pub struct Tx {
    inner: Option<Inner>,
}

enum Inner {
    /// The writer, held for the whole transaction. The std mutex only makes the
    /// guard `Sync` (rusqlite's connection is not), so a `&mut Tx` can cross
    /// `.await`s; it is never contended.
    Sqlite(std::sync::Mutex<OwnedMutexGuard<rusqlite::Connection>>),
    Pg(Object),
}

fn lock(m: &std::sync::Mutex<OwnedMutexGuard<rusqlite::Connection>>) -> std::sync::MutexGuard<'_, OwnedMutexGuard<rusqlite::Connection>> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Tx {
    pub(super) async fn sqlite_write(db: &sqlite::SqliteDb) -> Result<Tx, StoreError> {
        let conn = db.writer.clone().lock_owned().await;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(Tx { inner: Some(Inner::Sqlite(std::sync::Mutex::new(conn))) })
    }

    pub(super) async fn pg_begin(client: Object, begin: &str) -> Result<Tx, StoreError> {
        client.batch_execute(begin).await?;
        Ok(Tx { inner: Some(Inner::Pg(client)) })
    }

    pub fn engine(&self) -> Engine {
        match self.inner {
            Some(Inner::Pg(_)) => Engine::Postgres,
            _ => Engine::Sqlite,
        }
    }

    fn inner(&self) -> Result<&Inner, StoreError> {
        self.inner.as_ref().ok_or_else(|| StoreError::Decode("transaction already finished".into()))
    }

    pub async fn fetch_all<T: FromRow>(&mut self, stmt: impl Stmt) -> Result<Vec<T>, StoreError> {
        let (sql, values) = stmt.render(self.engine());
        match self.inner()? {
            Inner::Sqlite(c) => sqlite::fetch_all(&lock(c), &sql, &values),
            Inner::Pg(c) => pg::fetch_all(c, &sql, &values).await,
        }
    }

    pub async fn fetch_optional<T: FromRow>(&mut self, stmt: impl Stmt) -> Result<Option<T>, StoreError> {
        Ok(self.fetch_all(stmt).await?.into_iter().next())
    }

    pub async fn fetch_one<T: FromRow>(&mut self, stmt: impl Stmt) -> Result<T, StoreError> {
        self.fetch_optional(stmt).await?.ok_or(StoreError::NotFound)
    }

    pub async fn execute(&mut self, stmt: impl Stmt) -> Result<u64, StoreError> {
        let (sql, values) = stmt.render(self.engine());
        match self.inner()? {
            Inner::Sqlite(c) => sqlite::execute(&lock(c), &sql, &values),
            Inner::Pg(c) => pg::execute(c, &sql, &values).await,
        }
    }

    /// Inserts a row and returns its new id (`… RETURNING id` works on both engines).
    pub async fn insert_returning_id(&mut self, stmt: impl Stmt) -> Result<i64, StoreError> {
        let (sql, values) = stmt.render(self.engine());
        let sql = format!("{sql} RETURNING id");
        let rows: Vec<(i64,)> = match self.inner()? {
            Inner::Sqlite(c) => sqlite::fetch_all(&lock(c), &sql, &values)?,
            Inner::Pg(c) => pg::fetch_all(c, &sql, &values).await?,
        };
        rows.into_iter().next().map(|r| r.0).ok_or(StoreError::NotFound)
    }

    /// Many rows into `table(columns)` inside this transaction: prepared single-row
    /// inserts on SQLite, `COPY … FROM STDIN` on PostgreSQL (one stream, not a round
    /// trip per row or per statement).
    pub async fn bulk_insert(&mut self, table: &str, columns: &[&str], rows: &[Vec<sea_query::Value>]) -> Result<u64, StoreError> {
        if rows.is_empty() {
            return Ok(0);
        }
        match self.inner()? {
            Inner::Sqlite(c) => sqlite::insert_rows(&lock(c), table, columns, rows),
            Inner::Pg(c) => pg::copy_in(c, table, columns, rows).await,
        }
    }

    pub(crate) async fn batch(&mut self, script: &str) -> Result<(), StoreError> {
        match self.inner()? {
            Inner::Sqlite(c) => Ok(lock(c).execute_batch(script)?),
            Inner::Pg(c) => Ok(c.batch_execute(script).await?),
        }
    }

    /// Holds row `id` of `table` until the transaction ends, for a check-then-write
    /// that must not interleave (`SELECT … FOR UPDATE` on PostgreSQL; on SQLite the
    /// one writer already excludes every other write, so nothing to do).
    pub async fn lock(&mut self, table: &str, id: i64) -> Result<(), StoreError> {
        if self.engine() == Engine::Postgres {
            let _: Vec<(i64,)> = self.fetch_all(super::sql(&format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE"), vec![id.into()])).await?;
        }
        Ok(())
    }

    pub async fn commit(mut self) -> Result<(), StoreError> {
        match self.inner.take() {
            Some(Inner::Sqlite(c)) => Ok(lock(&c).execute_batch("COMMIT")?),
            Some(Inner::Pg(c)) => Ok(c.batch_execute("COMMIT").await?),
            None => Ok(()),
        }
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        match self.inner.take() {
            Some(Inner::Sqlite(c)) => {
                let _ = lock(&c).execute_batch("ROLLBACK");
            }
            // Closing the connection is the rollback: a pooled connection must
            // never go back to the pool inside an open transaction.
            Some(Inner::Pg(c)) => drop(Object::take(c)),
            None => {}
        }
    }
}
