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
    pub(super) fn pg_begin(client: Object, begin: &str) -> Tx {
        Tx { inner: Some(Inner::Pg(pg::PgTx::begin(client, begin))) }
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

    /// Two reads that do not depend on each other: one round trip on PostgreSQL
    /// (pipelined, with whatever writes are pending), one after the other on SQLite.
    pub async fn fetch_two<A: FromRow, B: FromRow>(&mut self, a: impl Stmt, b: impl Stmt) -> Result<(Vec<A>, Vec<B>), StoreError> {
        let engine = self.engine();
        let (a, b) = (a.render(engine), b.render(engine));
        match self.inner()? {
            Inner::Sqlite(c) => {
                // One guard of the writer for both (a second one would wait for the first).
                let conn = c.conn();
                Ok((sqlite::fetch_all(&conn.conn, &a.0, &a.1)?, sqlite::fetch_all(&conn.conn, &b.0, &b.1)?))
            }
            Inner::Pg(c) => c.fetch_two(a, b).await,
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
    /// statement on PostgreSQL (pipelined: no round trip of its own). A failure
    /// surfaces at that next statement or at `commit`, and fails the transaction.
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
    /// statement.
    pub async fn next_id(&mut self, table: &str) -> Result<i64, StoreError> {
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

    /// [`Tx::next_id`] and an unrelated read in one round trip (see [`Tx::fetch_two`]).
    pub async fn next_id_and<T: FromRow>(&mut self, table: &str, other: impl Stmt) -> Result<(i64, Vec<T>), StoreError> {
        let (ids, rows): (Vec<(i64,)>, Vec<T>) = self.fetch_two(self.ids_stmt(table, 1), other).await?;
        Ok((self.ids_from(ids, 1)?[0], rows))
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
