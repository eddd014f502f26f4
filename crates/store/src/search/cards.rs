//! Screen-pop cards: each customer's vehicles, open items, latest contacts and
//! consents as the screen-pop answers them, kept in one row (migration 10).
//!
//! A card is written here and only here, from the tables, and deleted by the
//! database's triggers whenever a row it was made from changes; a screen-pop
//! that finds none answers from the tables and asks [`Cards`] for it. So a card
//! read is always the answer the tables would give. (A change to what a card
//! holds — a new field of a part — comes with a migration that deletes them all.)

use std::collections::HashMap;

use sea_query::Value;
use tokio::sync::mpsc;

use super::pop::{PARTS_BATCH, PartRow, Parts, group, parts_of};
use crate::db::{Tx, sql};
use crate::{Db, Engine, StoreError};

/// Cards built in one transaction.
const BATCH: usize = 8 * PARTS_BATCH;
/// Requests waiting for the builder at most; more are dropped (the customer's
/// next screen-pop asks again).
const QUEUE: usize = 16 * BATCH;

/// Builds the cards of `ids` that are customers, in one transaction; returns how
/// many it wrote. On PostgreSQL the customers are locked first, skipping any a
/// writer holds: its triggers would delete the card as it commits, so it is left
/// for the next request (see migration 10).
async fn build(db: &Db, ids: &[i64]) -> Result<usize, StoreError> {
    let mut ids: Vec<i64> = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut written = 0;
    for chunk in ids.chunks(BATCH) {
        let mut tx = db.begin().await?;
        let ids = customers(&mut tx, chunk).await?;
        let mut rows: Vec<PartRow> = Vec::new();
        for stmt in parts_of(tx.engine(), &ids) {
            rows.extend(tx.fetch_all::<PartRow>(stmt).await?);
        }
        written += write(&mut tx, &ids, group(rows)?).await?;
        tx.commit().await?;
    }
    Ok(written)
}

/// Which of `ids` are customers (PostgreSQL: locked for this transaction).
async fn customers(tx: &mut Tx, ids: &[i64]) -> Result<Vec<i64>, StoreError> {
    let lock = match tx.engine() {
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    };
    // Always `BATCH` placeholders (the last id repeated): one text, prepared once.
    let list = (1..=BATCH).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let Some(last) = ids.last() else { return Ok(Vec::new()) };
    let values = (0..BATCH).map(|i| Value::from(*ids.get(i).unwrap_or(last))).collect();
    let rows: Vec<(i64,)> = tx.fetch_all(sql(&format!("SELECT id FROM customer WHERE id IN ({list}){lock}"), values)).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Writes (or replaces) the cards of `ids`; a customer with no parts gets an empty card.
async fn write(tx: &mut Tx, ids: &[i64], mut parts: HashMap<i64, Parts>) -> Result<usize, StoreError> {
    for chunk in ids.chunks(PARTS_BATCH) {
        let mut values = Vec::with_capacity(2 * chunk.len());
        for id in chunk {
            let body = serde_json::to_string(&parts.remove(id).unwrap_or_default())
                .map_err(|e| StoreError::Decode(format!("screen-pop card of customer {id}: {e}")))?;
            values.push(Value::from(*id));
            values.push(Value::from(body));
        }
        let rows = (0..chunk.len()).map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2)).collect::<Vec<_>>().join(", ");
        tx.execute(sql(
            &format!("INSERT INTO screen_pop_card (id, body) VALUES {rows} ON CONFLICT (id) DO UPDATE SET body = excluded.body"),
            values,
        ))
        .await?;
    }
    Ok(ids.len())
}

/// Customer `c` has no card (`s.id` may be bounded further by appending to it).
const WITHOUT_CARD: &str = "NOT EXISTS (SELECT 1 FROM screen_pop_card s WHERE s.id = c.id";

/// How many customers have no card.
pub async fn missing(db: &Db) -> Result<i64, StoreError> {
    let (n,): (i64,) = db.fetch_one(sql(&format!("SELECT COUNT(*) FROM customer c WHERE {WITHOUT_CARD})"), vec![])).await?;
    Ok(n)
}

/// Builds the card of every customer that has none, in id order, calling
/// `progress` with the number built so far after each transaction; returns the
/// number built. The seed runs it once its rows are in.
pub async fn build_missing(db: &Db, mut progress: impl FnMut(usize)) -> Result<usize, StoreError> {
    let mut after = 0i64;
    let mut built = 0;
    loop {
        // `s.id > $1` starts PostgreSQL's merge anti-join at the bound (without it
        // each batch read the cards' index from its first entry: 3,300 cards/s).
        let rows: Vec<(i64,)> = db
            .fetch_all(sql(
                &format!(
                    "SELECT c.id FROM customer c WHERE c.id > $1 AND {WITHOUT_CARD} AND s.id > $1) ORDER BY c.id LIMIT {BATCH}"
                ),
                vec![after.into()],
            ))
            .await?;
        let Some(last) = rows.last().map(|r| r.0) else { return Ok(built) };
        let ids: Vec<i64> = rows.into_iter().map(|r| r.0).collect();
        built += build(db, &ids).await?;
        after = last;
        progress(built);
    }
}

/// Where screen-pops ask for the cards they did not find: a task that builds
/// them in batches, in the background. Cheap to clone; the task ends when the
/// last clone is dropped.
#[derive(Clone)]
pub struct Cards {
    requests: mpsc::Sender<i64>,
}

impl Cards {
    /// Starts the builder on the current Tokio runtime.
    pub fn spawn(db: Db) -> Cards {
        let (requests, mut queue) = mpsc::channel::<i64>(QUEUE);
        tokio::spawn(async move {
            while let Some(first) = queue.recv().await {
                let mut ids = vec![first];
                while ids.len() < BATCH {
                    match queue.try_recv() {
                        Ok(id) => ids.push(id),
                        Err(_) => break,
                    }
                }
                if let Err(e) = build(&db, &ids).await {
                    tracing::warn!(error = %e, customers = ids.len(), "building screen-pop cards failed");
                }
            }
        });
        Cards { requests }
    }

    /// Asks for the card of `customer_id`; never waits (a full queue drops it).
    pub fn request(&self, customer_id: i64) {
        let _ = self.requests.try_send(customer_id);
    }
}
