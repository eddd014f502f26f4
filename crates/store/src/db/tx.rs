//! Write transactions. Dropping a `Tx` without `commit` rolls it back.

use deadpool_postgres::Object;

use super::group_commit::SqliteTx;
use super::row::FromRow;
use super::stmt::Stmt;
use super::{Engine, pg, sqlite};
use crate::StoreError;

pub struct Tx {
    inner: Option<Inner>,
}

enum Inner {
    /// The writer, held for the whole transaction (see `group_commit`).
    Sqlite(SqliteTx),
    Pg(pg::PgTx),
}

impl Tx {
    pub(super) async fn sqlite_write(db: &sqlite::SqliteDb) -> Result<Tx, StoreError> {
        Ok(Tx { inner: Some(Inner::Sqlite(SqliteTx::begin(&db.writer).await?)) })
    }

    pub(super) async fn sqlite_bulk(db: &sqlite::SqliteDb) -> Result<Tx, StoreError> {
        Ok(Tx { inner: Some(Inner::Sqlite(SqliteTx::begin_bulk(&db.writer).await?)) })
    }

    /// The `BEGIN` goes out with the transaction's first statement.
    pub(super) fn pg_begin(client: Object, ids: std::sync::Arc<pg::IdBlocks>, begin: &str) -> Tx {
        Tx { inner: Some(Inner::Pg(pg::PgTx::begin(client, ids, begin))) }
    }

    pub fn engine(&self) -> Engine {
        match self.inner {
            Some(Inner::Pg(_)) => Engine::Postgres,
            _ => Engine::Sqlite,
        }
    }

    fn inner(&mut self) -> Result<&mut Inner, StoreError> {
        self.inner.as_mut().ok_or_else(|| StoreError::Decode("transaction already finished".into()))
    }

    pub async fn fetch_all<T: FromRow>(&mut self, stmt: impl Stmt) -> Result<Vec<T>, StoreError> {
        let (sql, values) = stmt.render(self.engine());
        match self.inner()? {
            Inner::Sqlite(c) => sqlite::fetch_all(&c.conn().conn, &sql, &values),
            Inner::Pg(c) => c.fetch_all(&sql, values).await,
        }
    }

    /// A read that does not depend on what the transaction writes before it is
    /// taken: sent with the transaction's next round trip on PostgreSQL (pipelined
    /// with whatever that round trip carries), run at once on SQLite. Its rows come
    /// with [`Tx::take`]; a failure surfaces there or at the next statement.
    pub async fn prefetch<T: FromRow>(&mut self, stmt: impl Stmt) -> Result<Prefetch<T>, StoreError> {
        let (sql, values) = stmt.render(self.engine());
        Ok(Prefetch(match self.inner()? {
            Inner::Sqlite(c) => Fetched::Ready(sqlite::fetch_all(&c.conn().conn, &sql, &values)?),
            Inner::Pg(c) => Fetched::Sent(c.read_later(sql, values)),
        }))
    }

    /// The rows of a [`Tx::prefetch`] (on PostgreSQL, sent now if nothing has gone
    /// out since).
    pub async fn take<T: FromRow>(&mut self, p: Prefetch<T>) -> Result<Vec<T>, StoreError> {
        match (p.0, self.inner()?) {
            (Fetched::Ready(rows), _) => Ok(rows),
            (Fetched::Sent(slot), Inner::Pg(c)) => c.take(slot).await?.iter().map(|r| T::from_row(&super::row::Row::Pg(r))).collect(),
            (Fetched::Sent(_), Inner::Sqlite(_)) => Err(StoreError::Decode("a PostgreSQL prefetch taken on SQLite".into())),
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
            Inner::Sqlite(c) => sqlite::execute(&c.conn().conn, &sql, &values),
            Inner::Pg(c) => c.execute(&sql, values).await,
        }
    }

    /// A write whose result nobody reads (an audit row, a timeline entry): run now
    /// on SQLite (the writer is in-process), sent with the transaction's next
    /// statement on PostgreSQL (pipelined: no round trip of its own; inserts of
    /// values queued together may go out as one statement, see `db/pg_batch.rs`).
    /// A failure surfaces at that next statement or at `commit`, and fails the
    /// transaction.
    pub async fn write_later(&mut self, stmt: impl Stmt) -> Result<(), StoreError> {
        let (sql, values) = stmt.render(self.engine());
        match self.inner()? {
            Inner::Sqlite(c) => sqlite::execute(&c.conn().conn, &sql, &values).map(|_| ()),
            Inner::Pg(c) => {
                c.later(sql, values);
                Ok(())
            }
        }
    }

    /// Adds a row to a log table (the audit trail, customers' timelines): one that
    /// no row refers to and that the transaction does not read back or change
    /// after writing. Inserted at once on SQLite. On PostgreSQL it goes out with
    /// the next round trip, as a [`Tx::write_later`] would, but the rows of one
    /// table queued together become one multi-row insert, after the other writes
    /// queued with them: a capture's two audit entries and two timeline entries
    /// cost two statements, not four.
    pub async fn append(&mut self, table: &'static str, columns: &'static [&'static str], row: Vec<sea_query::Value>) -> Result<(), StoreError> {
        match self.inner()? {
            Inner::Sqlite(c) => {
                let (sql, values) = super::sql(&super::insert_text(table, columns), row).render(Engine::Sqlite);
                sqlite::execute(&c.conn().conn, &sql, &values).map(|_| ())
            }
            Inner::Pg(c) => {
                c.append(table, columns, row);
                Ok(())
            }
        }
    }

    /// Inserts a row and returns its new id (`… RETURNING id` works on both engines).
    pub async fn insert_returning_id(&mut self, stmt: impl Stmt) -> Result<i64, StoreError> {
        let (sql, values) = stmt.render(self.engine());
        let sql = format!("{sql} RETURNING id");
        let rows: Vec<(i64,)> = match self.inner()? {
            Inner::Sqlite(c) => sqlite::fetch_all(&c.conn().conn, &sql, &values)?,
            Inner::Pg(c) => c.fetch_all(&sql, values).await?,
        };
        rows.into_iter().next().map(|r| r.0).ok_or(StoreError::NotFound)
    }

    /// Reserves the id the next row of `table` gets, so a number derived from it
    /// (a lead's `L00000042`) is written with the row instead of by a second
    /// statement. On PostgreSQL it comes from this process's block of the table's
    /// sequence (`pg::IdBlocks`): a round trip once every `ID_BLOCK` ids.
    pub async fn next_id(&mut self, table: &str) -> Result<i64, StoreError> {
        if let Inner::Pg(c) = self.inner()? {
            if let Some(id) = c.ids.take(table) {
                return Ok(id);
            }
            let mut ids = self.reserve_ids(table, pg::ID_BLOCK).await?;
            let first = ids.remove(0);
            if let Some(Inner::Pg(c)) = &self.inner {
                c.ids.keep(table, ids);
            }
            return Ok(first);
        }
        self.reserve_ids(table, 1).await?.pop().ok_or(StoreError::NotFound)
    }

    /// `n` fresh ids of `table` for rows this transaction inserts with explicit
    /// ids. SQLite: the transaction holds the one writer, so the ids after the
    /// largest (and after the table's `AUTOINCREMENT` counter) stay free until it
    /// ends. PostgreSQL: the column's sequence hands them out (a rolled-back
    /// transaction leaves a gap, as any insert does).
    pub async fn reserve_ids(&mut self, table: &str, n: usize) -> Result<Vec<i64>, StoreError> {
        if n == 0 {
            return Ok(vec![]);
        }
        let rows: Vec<(i64,)> = self.fetch_all(self.ids_stmt(table, n)).await?;
        self.ids_from(rows, n)
    }

    /// The statement that reserves `n` ids of `table`. SQLite: the largest id in
    /// use (or handed out by `AUTOINCREMENT`); the ones after it stay free while
    /// this transaction holds the writer. PostgreSQL: `n` values of the sequence.
    fn ids_stmt(&self, table: &str, n: usize) -> super::Raw {
        match self.engine() {
            Engine::Sqlite => super::sql(
                &format!(
                    "SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), \
                     COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0))"
                ),
                vec![],
            ),
            Engine::Postgres => super::sql(
                &format!("SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1::bigint, $1::bigint)"),
                vec![(n as i64).into()],
            ),
        }
    }

    fn ids_from(&self, rows: Vec<(i64,)>, n: usize) -> Result<Vec<i64>, StoreError> {
        match self.engine() {
            Engine::Sqlite => {
                let top = rows.first().ok_or(StoreError::NotFound)?.0;
                Ok((top + 1..=top + n as i64).collect())
            }
            Engine::Postgres if rows.len() == n => Ok(rows.into_iter().map(|r| r.0).collect()),
            Engine::Postgres => Err(StoreError::NotFound),
        }
    }

    /// Many rows into `table(columns)` inside this transaction: prepared single-row
    /// inserts on SQLite, `COPY … FROM STDIN` on PostgreSQL (one stream, not a round
    /// trip per row or per statement).
    pub async fn bulk_insert(&mut self, table: &str, columns: &[&str], rows: &[Vec<sea_query::Value>]) -> Result<u64, StoreError> {
        if rows.is_empty() {
            return Ok(0);
        }
        match self.inner()? {
            Inner::Sqlite(c) => sqlite::insert_rows(&c.conn().conn, table, columns, rows),
            Inner::Pg(c) => {
                c.flush().await?;
                pg::copy_in(&c.client, table, columns, rows).await
            }
        }
    }

    pub(crate) async fn batch(&mut self, script: &str) -> Result<(), StoreError> {
        match self.inner()? {
            Inner::Sqlite(c) => Ok(c.conn().conn.execute_batch(script)?),
            Inner::Pg(c) => c.script(script).await,
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
            Some(Inner::Sqlite(t)) => t.commit().await,
            Some(Inner::Pg(mut c)) => c.script("COMMIT").await,
            None => Ok(()),
        }
    }
}

/// The rows of a read sent ahead (see [`Tx::prefetch`], [`super::Snapshot::prefetch`]).
#[must_use = "a prefetched read is taken with take"]
pub struct Prefetch<T>(pub(super) Fetched<T>);

pub(super) enum Fetched<T> {
    /// Run at once (SQLite).
    Ready(Vec<T>),
    /// Queued on PostgreSQL under this slot.
    Sent(usize),
}

impl Drop for Tx {
    fn drop(&mut self) {
        match self.inner.take() {
            Some(Inner::Sqlite(t)) => t.rollback(),
            // Closing the connection is the rollback: a pooled connection must
            // never go back to the pool inside an open transaction.
            Some(Inner::Pg(c)) => drop(Object::take(c.client)),
            None => {}
        }
    }
}
