//! Benchmark data at automaker scale (`autocrm seed`): a whole OEM network of 1,000
//! dealers and 20,000 staff, or one dealer group, generated deterministically from a
//! seed and written through the bulk path (SQLite batched transactions, PostgreSQL
//! `COPY`), not the audited record path: 20,000 audited inserts with their own
//! password hashes would take the better part of an hour.
//!
//! The run is a list of [`Step`]s, one per capability (`org`, `users`, later
//! customers, vehicles, leads…). A step plans its rows from what earlier steps made
//! (the [`World`]) and hands back lazy row iterators; the runner writes them in
//! chunks with explicit ids and resets each table's id sequence afterwards.
//!
//! Every seeded account shares the password [`SEED_PASSWORD`]; [`ADMIN_USERNAME`]
//! and [`CONSULTANT_USERNAME`] are fixed for benchmarks to sign in with.

mod customers;
mod leads;
mod names;
mod org;
pub(crate) mod rng;
mod traffic;
mod users;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use autocrm_domain::access::Role;
use autocrm_domain::org::DepartmentKind;
use chrono::{DateTime, Utc};
use sea_query::Value;

use crate::auth::{self, Actor};
use crate::db::sql;
use crate::{Db, StoreError, audit, now};

/// The password of every seeded account.
pub const SEED_PASSWORD: &str = "seed1234";
/// A seeded administrator (OEM scope).
pub const ADMIN_USERNAME: &str = "seed.admin";
/// A seeded sales consultant of the first dealer (own-records scope).
pub const CONSULTANT_USERNAME: &str = "seed.consultant";

/// Rows per bulk write: large enough to amortize each transaction or `COPY`, small
/// enough to keep memory flat for tables of millions.
const CHUNK: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// An automaker: 8 regions, 60 dealer groups, 1,000 dealers, 20,000 staff.
    Oem,
    /// One dealer group running autocrm on its own: 3 stores, 300 staff.
    Dealer,
}

impl Scale {
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Oem => "oem",
            Scale::Dealer => "dealer",
        }
    }

    pub fn parse(s: &str) -> Option<Scale> {
        [Scale::Oem, Scale::Dealer].into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct SeedOptions {
    pub scale: Scale,
    /// The same seed gives the same data (apart from password salts and timestamps).
    pub seed: u64,
    /// Customers to generate (with ~1.2 vehicles each); `None`: the scale's default
    /// (1,000,000 at OEM scale, 10,000 at dealer scale).
    pub customers: Option<u64>,
}

/// Rows written to one table.
#[derive(Debug, Clone)]
pub struct TableReport {
    pub table: &'static str,
    pub rows: u64,
    pub elapsed: Duration,
}

#[derive(Debug, Clone)]
pub struct SeedReport {
    pub scale: Scale,
    pub seed: u64,
    /// In the order written.
    pub tables: Vec<TableReport>,
    pub elapsed: Duration,
}

impl SeedReport {
    /// Rows written to `table` (0 if the run did not touch it).
    pub fn rows(&self, table: &str) -> u64 {
        self.tables.iter().filter(|t| t.table == table).map(|t| t.rows).sum()
    }

    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// Generates the data set of `opts.scale` into a freshly migrated database.
/// `progress(table, rows_done, rows_total)` is called as each table fills.
///
/// Refuses (with [`StoreError::Invalid`]) a database that already has an
/// organization: seeding is for benchmark databases, never for live data.
pub async fn run(
    db: &Db,
    opts: &SeedOptions,
    progress: &(dyn Fn(&str, u64, u64) + Sync),
) -> Result<SeedReport, StoreError> {
    let started = Instant::now();
    refuse_populated(db).await?;
    let existing: Vec<(String,)> = db.fetch_all(sql("SELECT username FROM app_user", vec![])).await?;
    let mut world = World {
        scale: opts.scale,
        seed: opts.seed,
        now: now(),
        // One hash for all accounts: argon2id takes ~50 ms a hash by design.
        password_hash: auth::hash_password(SEED_PASSWORD),
        last_ids: HashMap::new(),
        usernames: existing.into_iter().map(|(u,)| u).collect(),
        regions: Vec::new(),
        groups: Vec::new(),
        dealers: Vec::new(),
        oem_departments: Vec::new(),
        users: Vec::new(),
        customers: opts.customers.unwrap_or(match opts.scale {
            Scale::Oem => 1_000_000,
            Scale::Dealer => 10_000,
        }),
    };

    let mut tables = Vec::new();
    let t = Instant::now();
    db.execute(sql(
        "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        vec!["oem.name".into(), names::OEM_NAME.into(), world.now.into()],
    ))
    .await?;
    tables.push(TableReport { table: "setting", rows: 1, elapsed: t.elapsed() });

    for step in steps() {
        for table in step.tables {
            let (max,): (Option<i64>,) = db.fetch_one(sql(&format!("SELECT MAX(id) FROM {table}"), vec![])).await?;
            world.last_ids.insert(table, max.unwrap_or(0));
        }
        let mut rng = rng::Rng::for_step(opts.seed, step.name);
        let loads = (step.plan)(&mut world, &mut rng);
        // Millions of rows load faster into bare tables, indexes built once afterwards.
        let deferred = if loads.iter().map(|l| l.total).sum::<u64>() >= DEFER_INDEXES_FROM {
            let mut names: Vec<&'static str> = loads.iter().map(|l| l.table).collect();
            names.dedup();
            drop_indexes(db, &names).await?
        } else {
            Vec::new()
        };
        for load in loads {
            tables.push(write(db, load, progress).await?);
        }
        if !deferred.is_empty() {
            let t = Instant::now();
            build_indexes(db, &deferred, progress).await?;
            tables.push(TableReport { table: "indexes", rows: deferred.len() as u64, elapsed: t.elapsed() });
        }
        for table in step.tables {
            db.sync_sequence(table).await?;
        }
    }

    // Every customer's screen-pop card, so the first call of each reads one row.
    // PostgreSQL plans the cards' reads from statistics of the loaded tables: with
    // none, it read 600 cards a second.
    let t = Instant::now();
    if db.engine() == crate::Engine::Postgres {
        let _: Vec<(i64,)> = db.fetch_all(sql("ANALYZE", vec![])).await?;
    }
    let total = world.customers;
    let built = crate::search::cards::build_missing(db, |done| progress("screen_pop_card", done as u64, total)).await?;
    tables.push(TableReport { table: "screen_pop_card", rows: built as u64, elapsed: t.elapsed() });

    if db.engine() == crate::Engine::Postgres {
        // Outside a transaction (VACUUM refuses one): marks the freshly loaded pages
        // all-visible, so the covering indexes answer without visiting the table
        // (`Heap Fetches: 0` in the screen-pop's plan), and gathers the planner's
        // statistics. 5 s for the 13.4M rows of the 1M-customer seed.
        let _: Vec<(i64,)> = db.fetch_all(sql("VACUUM (ANALYZE)", vec![])).await?;
    }
    let report = SeedReport { scale: opts.scale, seed: opts.seed, tables, elapsed: started.elapsed() };
    record_in_audit_trail(db, &report).await?;
    Ok(SeedReport { elapsed: started.elapsed(), ..report })
}

/// The generators, in dependency order. A later capability adds its step here
/// (and its module beside `org` and `users`).
fn steps() -> Vec<Step> {
    vec![org::STEP, users::STEP, customers::STEP, traffic::STEP]
}

/// One capability's generator.
pub(crate) struct Step {
    /// Also seeds the step's random generator, so steps do not disturb each other.
    pub name: &'static str,
    /// Tables the step writes, with explicit ids from [`World::next_id`].
    pub tables: &'static [&'static str],
    pub plan: fn(&mut World, &mut rng::Rng) -> Vec<Load>,
}

/// Rows for one table, produced lazily so a table of millions never sits in memory
/// at once, and on a thread of their own while the database writes (see [`write`]).
pub(crate) struct Load {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub total: u64,
    pub rows: Rows,
}

/// A table's rows, generated lazily (on the generator thread).
pub(crate) type Rows = Box<dyn Iterator<Item = Vec<Value>> + Send>;

/// What the steps so far have made, for later steps to link to.
pub(crate) struct World {
    pub scale: Scale,
    #[allow(dead_code)] // for steps that derive more than one generator
    pub seed: u64,
    /// Creation time of every seeded row.
    pub now: DateTime<Utc>,
    pub password_hash: String,
    last_ids: HashMap<&'static str, i64>,
    /// Usernames taken so far (including accounts that existed before the run).
    pub usernames: HashSet<String>,
    pub regions: Vec<SeedRegion>,
    pub groups: Vec<SeedGroup>,
    pub dealers: Vec<SeedDealer>,
    pub oem_departments: Vec<(DepartmentKind, i64)>,
    pub users: Vec<SeedUser>,
    /// How many customers the customers step generates.
    pub customers: u64,
}

impl World {
    /// The next free id of `table` (one of the step's declared tables).
    pub fn next_id(&mut self, table: &'static str) -> i64 {
        let id = self.last_ids.get_mut(table).unwrap_or_else(|| panic!("seed step did not declare table {table}"));
        *id += 1;
        *id
    }
}

pub(crate) struct SeedRegion {
    pub id: i64,
    pub code: &'static str,
}

pub(crate) struct SeedGroup {
    pub id: i64,
    /// Index into `World::regions`: where the group's stores are.
    pub region: usize,
    /// The group's name word, which its stores carry too (`华信`).
    pub word: &'static str,
}

#[derive(Clone)]
#[allow(dead_code)] // region and group are for later steps (customers' dealers, lead routing)
pub(crate) struct SeedDealer {
    pub id: i64,
    pub region_id: i64,
    pub group_id: Option<i64>,
    /// `A`–`D`.
    pub level: &'static str,
    /// Its sales, service, parts and finance departments' ids (in [`org::DEALER_DEPARTMENTS`] order).
    pub departments: [i64; 4],
}

impl SeedDealer {
    pub fn department(&self, kind: DepartmentKind) -> Option<i64> {
        org::DEALER_DEPARTMENTS.iter().position(|(k, _)| *k == kind).map(|i| self.departments[i])
    }
}

#[allow(dead_code)] // for later steps (owners of leads and customers)
pub(crate) struct SeedUser {
    pub id: i64,
    pub role: Role,
    pub dealer_id: Option<i64>,
}

/// Steps writing at least this many rows drop their tables' secondary indexes first
/// and build them once at the end.
const DEFER_INDEXES_FROM: u64 = 200_000;

/// Drops the secondary indexes (not primary keys) of `tables`; returns the
/// statements that create them again.
async fn drop_indexes(db: &Db, tables: &[&str]) -> Result<Vec<String>, StoreError> {
    let mut creates = Vec::new();
    for table in tables {
        let found: Vec<(String, String)> = match db.engine() {
            crate::Engine::Sqlite => {
                db.fetch_all(sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL",
                    vec![(*table).into()],
                ))
                .await?
            }
            crate::Engine::Postgres => {
                db.fetch_all(sql(
                    "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1 \
                     AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                    vec![(*table).into()],
                ))
                .await?
            }
        };
        for (name, create) in found {
            db.execute(sql(&format!("DROP INDEX {name}"), vec![])).await?;
            creates.push(create);
        }
    }
    Ok(creates)
}

/// PostgreSQL's `maintenance_work_mem` while the dropped indexes are built again:
/// a large index sorts in memory instead of in runs merged afterwards.
const INDEX_BUILD_MEMORY_MIB: u64 = 512;

/// SQLite's page cache while the indexes are built, which is also what its sorter
/// fills before it writes a sorted run out. Small on purpose: sorted runs of a few
/// MiB, sorted by worker threads and merged from temporary files, beat one huge
/// in-memory sort, which waits on memory at every step. The 32 secondary indexes of
/// the 1M-customer seed built in 48.1 s and 51.8 s with 512 MiB and no worker
/// thread, in 35.1–38.3 s with 4 MiB and one or two workers (2 vCPU); with the
/// connection's `temp_store = MEMORY` instead of files, in 62 s either way.
const SQLITE_INDEX_BUILD_CACHE_KIB: u64 = 4 * 1024;

/// Creates the deferred indexes in one transaction with room to sort in (SQLite:
/// worker threads for its sorter and temporary files for the sorted runs, the
/// writer's usual settings back afterwards, whatever happened).
async fn build_indexes(db: &Db, creates: &[String], progress: &(dyn Fn(&str, u64, u64) + Sync)) -> Result<(), StoreError> {
    progress("indexes", 0, creates.len() as u64);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    db.sqlite_writer_pragmas(&format!(
        "PRAGMA cache_size = -{SQLITE_INDEX_BUILD_CACHE_KIB}; PRAGMA threads = {workers}; PRAGMA temp_store = FILE"
    ))
    .await?;
    let built = create_all(db, creates, progress).await;
    db.sqlite_writer_pragmas(&format!("{} {}", crate::db::USUAL_CACHE_SIZE, crate::db::USUAL_SORTING)).await?;
    built?;
    Ok(())
}

async fn create_all(db: &Db, creates: &[String], progress: &(dyn Fn(&str, u64, u64) + Sync)) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    if db.engine() == crate::Engine::Postgres {
        tx.batch(&format!("SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY_MIB}MB'")).await?;
    }
    for (i, create) in creates.iter().enumerate() {
        tx.execute(sql(create, vec![])).await?;
        progress("indexes", i as u64 + 1, creates.len() as u64);
    }
    tx.commit().await
}

async fn refuse_populated(db: &Db) -> Result<(), StoreError> {
    for (table, what) in [("dealer", "dealers"), ("dealer_group", "dealer groups"), ("region", "regions")] {
        let (n,): (i64,) = db.fetch_one(sql(&format!("SELECT COUNT(*) FROM {table}"), vec![])).await?;
        if n > 0 {
            return Err(StoreError::invalid(
                "database",
                &format!("already has {n} {what}; seed generates benchmark data into a freshly migrated, empty database only"),
            ));
        }
    }
    Ok(())
}

/// Writes one table. Its rows are generated on a thread of their own, a chunk
/// ahead of the database: names, pinyin, VIN check digits and values cost about as
/// much as SQLite's inserts, so the two now overlap on two cores. The channel
/// holds at most two chunks, so memory stays flat.
async fn write(db: &Db, load: Load, progress: &(dyn Fn(&str, u64, u64) + Sync)) -> Result<TableReport, StoreError> {
    let started = Instant::now();
    let mut done = 0;
    progress(load.table, 0, load.total);
    let (sender, mut chunks) = tokio::sync::mpsc::channel::<Vec<Vec<Value>>>(2);
    let mut rows = load.rows;
    let generator = std::thread::spawn(move || {
        loop {
            let chunk: Vec<Vec<Value>> = rows.by_ref().take(CHUNK).collect();
            // An error means the writer stopped (it failed): nothing more to do.
            if chunk.is_empty() || sender.blocking_send(chunk).is_err() {
                break;
            }
        }
    });
    let mut written = Ok(());
    while let Some(chunk) = chunks.recv().await {
        match db.bulk_insert(load.table, load.columns, &chunk).await {
            Ok(n) => done += n,
            Err(e) => {
                written = Err(e);
                break;
            }
        }
        progress(load.table, done, load.total.max(done));
    }
    drop(chunks);
    if generator.join().is_err() {
        return Err(StoreError::Decode(format!("seed: generating the rows of {} failed", load.table)));
    }
    written?;
    Ok(TableReport { table: load.table, rows: done, elapsed: started.elapsed() })
}

/// Seeding bypasses the per-record audit entries, so the run itself is recorded once.
async fn record_in_audit_trail(db: &Db, report: &SeedReport) -> Result<(), StoreError> {
    let counts: serde_json::Map<String, serde_json::Value> =
        report.tables.iter().map(|t| (t.table.to_string(), t.rows.into())).collect();
    let mut tx = db.begin().await?;
    audit::record(
        &mut tx,
        &Actor::system(),
        audit::Change {
            action: "seed",
            entity: "database",
            entity_id: None,
            dealer_id: None,
            summary: Some(format!(
                "benchmark data, scale {}, seed {}: {} rows",
                report.scale.as_str(),
                report.seed,
                report.total_rows()
            )),
            before: None,
            after: Some(serde_json::Value::Object(counts)),
        },
    )
    .await?;
    tx.commit().await
}

/// Helpers shared by the steps' row builders.
pub(crate) fn id(v: i64) -> Value {
    Value::BigInt(Some(v))
}

pub(crate) fn opt_id(v: Option<i64>) -> Value {
    Value::BigInt(v)
}

pub(crate) fn text(s: impl Into<String>) -> Value {
    Value::String(Some(s.into()))
}

pub(crate) fn opt_text(s: Option<String>) -> Value {
    Value::String(s)
}
