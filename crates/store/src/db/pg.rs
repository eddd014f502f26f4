//! PostgreSQL: a deadpool connection pool, statements prepared once per connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use futures_util::SinkExt;
use sea_query::Value;
use tokio_postgres::NoTls;
use tokio_postgres::types::ToSql;

use super::params::{copy_text, to_pg};
use super::pg_batch::{Pending, batch};
use super::row::{FromRow, Row};
use crate::StoreError;

pub(super) struct PgDb {
    pool: Pool,
    pub(super) ids: Arc<IdBlocks>,
}

/// Ids of each table taken from its sequence a block at a time and handed out by
/// this process (the pooled optimizer of Hibernate and the like): a new row's id,
/// and the number derived from it, cost no round trip of their own. Ids stay
/// unique, smallest first; as with a sequence's own `CACHE`, transactions taking
/// ids at once may get them out of the order they write their rows, and a restart
/// leaves the rest of a block unused, as a rolled-back insert leaves a gap.
#[derive(Default)]
pub(super) struct IdBlocks(Mutex<HashMap<String, Vec<i64>>>);

/// How many ids one trip to a sequence brings.
pub(super) const ID_BLOCK: usize = 16;

impl IdBlocks {
    pub(super) fn take(&self, table: &str) -> Option<i64> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get_mut(table).and_then(Vec::pop)
    }

    pub(super) fn keep(&self, table: &str, ids: impl IntoIterator<Item = i64>) {
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let block = map.entry(table.to_string()).or_default();
        block.extend(ids);
        // Smallest last: handed out in rising order.
        block.sort_unstable_by(|a, b| b.cmp(a));
    }
}

impl PgDb {
    pub(super) async fn connect(url: &str, pool_size: usize) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| StoreError::Config(format!("database URL: {e}")))?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(2))
            .build()
            .map_err(|e| StoreError::Config(format!("database pool: {e}")))?;
        // Fail at start-up, not on the first request, when the server is unreachable.
        drop(pool.get().await.map_err(|e| StoreError::Unavailable(e.to_string()))?);
        Ok(PgDb { pool, ids: Arc::default() })
    }

    pub(super) async fn get(&self) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(|e| StoreError::Unavailable(e.to_string()))
    }
}

fn params(values: &[Value]) -> Result<Vec<super::params::PgParam>, StoreError> {
    values.iter().map(to_pg).collect()
}

fn refs(p: &[super::params::PgParam]) -> Vec<&(dyn ToSql + Sync)> {
    p.iter().map(|b| b.as_ref() as &(dyn ToSql + Sync)).collect()
}

pub(super) async fn fetch_all<T: FromRow>(client: &Object, sql: &str, values: &[Value]) -> Result<Vec<T>, StoreError> {
    let p = params(values)?;
    let st = client.prepare_cached(sql).await?;
    let rows = client.query(&st, &refs(&p)).await?;
    rows.iter().map(|r| T::from_row(&Row::Pg(r))).collect()
}

/// `script` (simple protocol) when given, then the reads, pipelined: one round
/// trip for all of them (once their statements are prepared on the connection).
pub(super) async fn fetch_pipelined(
    client: &Object,
    script: Option<&str>,
    reads: &[(String, Vec<Value>)],
) -> Result<Vec<Vec<tokio_postgres::Row>>, StoreError> {
    let mut prepared = Vec::with_capacity(reads.len());
    for (sql, values) in reads {
        prepared.push((client.prepare_cached(sql).await?, params(values)?));
    }
    let queries = futures_util::future::join_all(prepared.iter().map(|(st, p)| async move { client.query(st, &refs(p)).await }));
    let (done, rows) = match script {
        Some(s) => futures_util::future::join(client.batch_execute(s), queries).await,
        None => (Ok(()), queries.await),
    };
    done?;
    rows.into_iter().map(|r| r.map_err(StoreError::from)).collect()
}

pub(super) async fn copy_in(client: &Object, table: &str, columns: &[&str], rows: &[Vec<Value>]) -> Result<u64, StoreError> {
    let stmt = format!("COPY {table} ({}) FROM STDIN (FORMAT text)", columns.join(","));
    let sink = client.copy_in::<_, bytes::Bytes>(&stmt).await?;
    futures_util::pin_mut!(sink);
    let mut buf = String::with_capacity(1 << 20);
    for row in rows {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                buf.push('\t');
            }
            copy_text(v, &mut buf)?;
        }
        buf.push('\n');
        if buf.len() > (1 << 20) {
            sink.send(bytes::Bytes::from(std::mem::take(&mut buf))).await?;
        }
    }
    if !buf.is_empty() {
        sink.send(bytes::Bytes::from(buf)).await?;
    }
    Ok(sink.finish().await?)
}

/// Reads sent ahead on one connection, each under a slot, and the rows of those
/// that have come back (a transaction's or a snapshot's prefetches).
#[derive(Default)]
pub(super) struct Slots {
    last: usize,
    arrived: Vec<(usize, Vec<tokio_postgres::Row>)>,
}

impl Slots {
    /// A slot for the next read.
    pub(super) fn next(&mut self) -> usize {
        self.last += 1;
        self.last
    }

    pub(super) fn arrived(&self, slot: usize) -> bool {
        self.arrived.iter().any(|(s, _)| *s == slot)
    }

    pub(super) fn keep(&mut self, slot: usize, rows: Vec<tokio_postgres::Row>) {
        self.arrived.push((slot, rows));
    }

    pub(super) fn take(&mut self, slot: usize) -> Result<Vec<tokio_postgres::Row>, StoreError> {
        let at = self.arrived.iter().position(|(s, _)| *s == slot).ok_or_else(|| StoreError::Decode("a prefetched read was taken twice".into()))?;
        Ok(self.arrived.swap_remove(at).1)
    }
}

/// A write transaction's connection with what it has not sent yet: the `BEGIN`
/// and writes whose results nobody reads (audit rows, timeline entries…). They go
/// out together with the next statement, pipelined in order on the one
/// connection: one round trip instead of one per statement, which on a server
/// sharing the machine's cores is most of a small transaction's time.
pub(super) struct PgTx {
    pub(super) client: Object,
    pub(super) ids: Arc<IdBlocks>,
    pending: Vec<Pending>,
    /// Prefetched reads.
    slots: Slots,
}

impl PgTx {
    pub(super) fn begin(client: Object, ids: Arc<IdBlocks>, begin: &str) -> PgTx {
        PgTx { client, ids, pending: vec![Pending::Script(begin.to_string())], slots: Slots::default() }
    }

    pub(super) fn later(&mut self, sql: String, values: Vec<Value>) {
        self.pending.push(Pending::Write(sql, values));
    }

    pub(super) fn append(&mut self, table: &'static str, columns: &'static [&'static str], row: Vec<Value>) {
        self.pending.push(Pending::Append { table, columns, row });
    }

    /// Queues a read to go out with the next round trip; returns its slot.
    pub(super) fn read_later(&mut self, sql: String, values: Vec<Value>) -> usize {
        let slot = self.slots.next();
        self.pending.push(Pending::Read(sql, values, slot));
        slot
    }

    /// The rows of the read queued as `slot` (sent now if it has not gone out yet).
    pub(super) async fn take(&mut self, slot: usize) -> Result<Vec<tokio_postgres::Row>, StoreError> {
        if !self.slots.arrived(slot) {
            self.flush().await?;
        }
        self.slots.take(slot)
    }

    /// Sends what is pending, then `last` (statements, or scripts such as
    /// `COMMIT`), without waiting in between; the first failure in order is the
    /// answer (what follows a failed statement fails only because of it).
    /// Returns the results of `last`, in order.
    async fn run(&mut self, last: Vec<(Pending, Want)>) -> Result<Vec<Done>, StoreError> {
        let asked = last.len();
        let mut items: Vec<(Pending, Want)> = batch(std::mem::take(&mut self.pending))
            .into_iter()
            .map(|p| match p {
                Pending::Read(..) => (p, Want::Rows),
                _ => (p, Want::Nothing),
            })
            .collect();
        items.extend(last);
        // Prepare first (cached per connection: no round trip after the first use),
        // so every request below is sent on its first poll, in order.
        let mut prepared = Vec::with_capacity(items.len());
        for (item, _) in &items {
            prepared.push(match item {
                Pending::Write(sql, values) | Pending::Read(sql, values, _) => Some((self.client.prepare_cached(sql).await?, params(values)?)),
                Pending::Script(_) | Pending::Append { .. } => None,
            });
        }
        let client = &self.client;
        let futures = items.iter().zip(&prepared).map(|((item, want), p)| {
            let f: futures_util::future::BoxFuture<'_, Result<Done, tokio_postgres::Error>> = match (item, p, want) {
                (_, Some((st, params)), Want::Count) => Box::pin(async move { client.execute(st, &refs(params)).await.map(Done::Count) }),
                (_, Some((st, params)), _) => Box::pin(async move { client.query(st, &refs(params)).await.map(Done::Rows) }),
                (Pending::Script(s), None, _) => Box::pin(async move { client.batch_execute(s).await.map(|_| Done::Count(0)) }),
                (Pending::Write(..) | Pending::Read(..), None, _) => unreachable!("every statement is prepared above"),
                (Pending::Append { .. }, _, _) => unreachable!("appended rows are coalesced into writes above"),
            };
            f
        });
        let results = futures_util::future::join_all(futures).await;
        let skip = results.len() - asked;
        let mut done = Vec::with_capacity(asked);
        for (i, r) in results.into_iter().enumerate() {
            match (r?, &items[i].0) {
                (Done::Rows(rows), Pending::Read(_, _, slot)) if i < skip => self.slots.keep(*slot, rows),
                (r, _) if i >= skip => done.push(r),
                _ => {}
            }
        }
        Ok(done)
    }

    async fn run_one(&mut self, last: Option<(Pending, Want)>) -> Result<Done, StoreError> {
        Ok(self.run(last.into_iter().collect()).await?.pop().unwrap_or(Done::Count(0)))
    }

    pub(super) async fn fetch_all<T: FromRow>(&mut self, sql: &str, values: Vec<Value>) -> Result<Vec<T>, StoreError> {
        match self.run_one(Some((Pending::Write(sql.to_string(), values), Want::Rows))).await? {
            Done::Rows(rows) => rows.iter().map(|r| T::from_row(&Row::Pg(r))).collect(),
            Done::Count(_) => Ok(vec![]),
        }
    }

    pub(super) async fn execute(&mut self, sql: &str, values: Vec<Value>) -> Result<u64, StoreError> {
        match self.run_one(Some((Pending::Write(sql.to_string(), values), Want::Count))).await? {
            Done::Count(n) => Ok(n),
            Done::Rows(rows) => Ok(rows.len() as u64),
        }
    }

    pub(super) async fn script(&mut self, script: &str) -> Result<(), StoreError> {
        self.run_one(Some((Pending::Script(script.to_string()), Want::Nothing))).await.map(|_| ())
    }

    /// Sends what is pending and waits for it (before a `COPY`).
    pub(super) async fn flush(&mut self) -> Result<(), StoreError> {
        self.run(vec![]).await.map(|_| ())
    }
}

enum Want {
    Nothing,
    Rows,
    Count,
}

enum Done {
    Rows(Vec<tokio_postgres::Row>),
    Count(u64),
}
