//! Read snapshots: several reads for one answer, without a round trip or a
//! transaction per statement.

use std::sync::{Arc, Mutex};

use deadpool_postgres::Object;

use super::row::FromRow;
use super::stmt::Stmt;
use super::{Engine, pg, sqlite};
use crate::StoreError;

pub struct Snapshot {
    inner: Option<Inner>,
}

enum Inner {
    /// The connection and where to give it back.
    Sqlite(rusqlite::Connection, Arc<Mutex<Vec<rusqlite::Connection>>>),
    Pg(Object),
}

impl Snapshot {
    pub(super) fn sqlite(conn: rusqlite::Connection, idle: Arc<Mutex<Vec<rusqlite::Connection>>>) -> Snapshot {
        Snapshot { inner: Some(Inner::Sqlite(conn, idle)) }
    }

    pub(super) fn pg(client: Object) -> Snapshot {
        Snapshot { inner: Some(Inner::Pg(client)) }
    }

    fn engine(&self) -> Engine {
        match self.inner {
            Some(Inner::Pg(_)) => Engine::Postgres,
            _ => Engine::Sqlite,
        }
    }

    pub async fn fetch_all<T: FromRow>(&mut self, stmt: impl Stmt) -> Result<Vec<T>, StoreError> {
        let (sql, values) = stmt.render(self.engine());
        // Borrowed mutably: the SQLite connection is Send but not Sync, and the
        // future must stay Send.
        match self.inner.as_mut() {
            Some(Inner::Sqlite(c, _)) => sqlite::fetch_all(c, &sql, &values),
            Some(Inner::Pg(c)) => pg::fetch_all(c, &sql, &values).await,
            None => Err(StoreError::Decode("snapshot already finished".into())),
        }
    }
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        if let Some(Inner::Sqlite(conn, idle)) = self.inner.take() {
            // End the read transaction so the WAL can be checkpointed, then keep the
            // connection (and its statement cache) for the next snapshot.
            let ended = conn.prepare_cached("COMMIT").and_then(|mut st| st.execute([]));
            if ended.is_ok() {
                idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(conn);
            }
        }
    }
}
