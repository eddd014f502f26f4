//! SQLite's one writer, shared by write transactions that arrive together.
//!
//! A commit in WAL mode appends every page the transaction changed to the log. A
//! small business transaction (a lead capture: a lead, its activity, timeline and
//! audit rows) changes a few dozen pages, most of them the same for every such
//! transaction — the last leaf of each append-only index, the table's last page.
//! When transactions queue for the writer, they run one after another inside one
//! SQLite transaction, each in a savepoint of its own, and the last of them
//! commits for all: those shared pages reach the log once per group instead of
//! once per transaction.
//!
//! What each caller sees is unchanged: its own work is atomic (a failure rolls
//! back its savepoint only, and commits the members before it), and `commit`
//! returns once the group's commit is durable and visible to every reader. A lone transaction commits at once; a
//! group is closed after [`MAX_MEMBERS`] transactions or [`MAX_AGE`], so waiting
//! for the others costs at most a few milliseconds.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use crate::StoreError;

const MAX_MEMBERS: usize = 64;
const MAX_AGE: Duration = Duration::from_millis(4);
/// How long a member that left the group open waits before committing it itself
/// (when the transaction it left it to was cancelled before its turn).
const ORPHAN_AFTER: Duration = Duration::from_millis(20);
/// The writer's usual setting, back after a transaction that ran without it.
const FOREIGN_KEYS_ON: &str = "PRAGMA foreign_keys=ON";

/// How a group's commit ended, for every member (errors as text: one error, many readers).
type Outcome = Option<Result<(), Arc<str>>>;

pub(super) struct Writer {
    pub(super) conn: Connection,
    open: Option<Group>,
    next_group: u64,
}

struct Group {
    id: u64,
    started: Instant,
    members: usize,
    done: watch::Sender<Outcome>,
}

impl Writer {
    pub(super) fn new(conn: Connection) -> Writer {
        Writer { conn, open: None, next_group: 0 }
    }

    fn joinable(&self) -> bool {
        self.open.as_ref().is_some_and(|g| g.members < MAX_MEMBERS && g.started.elapsed() < MAX_AGE)
    }

    /// Commits the open group (if any) and tells its members how it went.
    pub(super) fn commit_group(&mut self) -> Result<(), StoreError> {
        let Some(group) = self.open.take() else { return Ok(()) };
        let result = if self.conn.is_autocommit() {
            // A statement error made SQLite roll back the whole transaction.
            Err(Arc::<str>::from("the transaction was rolled back by the database"))
        } else {
            self.conn.execute_batch("COMMIT").map_err(|e| {
                let _ = self.conn.execute_batch("ROLLBACK");
                Arc::<str>::from(e.to_string())
            })
        };
        let _ = group.done.send(Some(result.clone()));
        result.map_err(|e| StoreError::Unavailable(format!("commit failed: {e}")))
    }

    /// Ends a bulk transaction: commits it (or rolls it back, also when the
    /// commit fails) and turns foreign keys back on whatever happened. A statement
    /// error may have ended the transaction already: a commit then fails.
    fn end_bulk(&mut self, commit: bool) -> Result<(), StoreError> {
        let ended = if commit { self.conn.execute_batch("COMMIT") } else { Ok(()) };
        if (!commit || ended.is_err()) && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        let checked = self.conn.execute_batch(FOREIGN_KEYS_ON);
        Ok(ended.and(checked)?)
    }
}

/// The writer and how many are waiting for it (a transaction that finishes while
/// others wait leaves the group open for them).
#[derive(Clone)]
pub(super) struct Shared {
    pub(super) writer: Arc<Mutex<Writer>>,
    waiting: Arc<AtomicUsize>,
}

impl Shared {
    pub(super) fn new(conn: Connection) -> Shared {
        Shared { writer: Arc::new(Mutex::new(Writer::new(conn))), waiting: Arc::default() }
    }

    /// The writer, counted as waited for until it is ours (a cancelled wait too).
    pub(super) async fn lock(&self) -> OwnedMutexGuard<Writer> {
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::AcqRel);
            }
        }
        self.waiting.fetch_add(1, Ordering::AcqRel);
        let _waiting = Waiting(&self.waiting);
        self.writer.clone().lock_owned().await
    }

    /// The writer with no group open: for work that runs its own transaction (a
    /// bulk load) or none.
    pub(super) async fn lock_alone(&self) -> Result<OwnedMutexGuard<Writer>, StoreError> {
        let mut w = self.lock().await;
        w.commit_group()?;
        Ok(w)
    }

    fn others_waiting(&self) -> bool {
        self.waiting.load(Ordering::Acquire) > 0
    }
}

/// One write transaction: a savepoint within the open group, or a transaction
/// of its own ([`SqliteTx::begin_bulk`]).
pub(super) struct SqliteTx {
    /// The writer, held until commit or rollback. The std mutex only makes the
    /// guard `Sync` (rusqlite's connection is not), so a `&mut Tx` can cross
    /// `.await`s; it is never contended.
    guard: std::sync::Mutex<OwnedMutexGuard<Writer>>,
    shared: Shared,
    membership: Membership,
}

enum Membership {
    /// A member of the group with this id, told through `done` how its commit ended.
    Group { id: u64, done: watch::Receiver<Outcome> },
    /// A transaction of its own, foreign keys off until it ends.
    Bulk,
}

impl SqliteTx {
    pub(super) async fn begin(shared: &Shared) -> Result<SqliteTx, StoreError> {
        let mut w = shared.lock().await;
        if w.open.is_some() && (!w.joinable() || w.conn.is_autocommit()) {
            w.commit_group()?;
        }
        if w.open.is_none() {
            w.conn.execute_batch("BEGIN IMMEDIATE")?;
            w.next_group += 1;
            let (done, _) = watch::channel(None);
            w.open = Some(Group { id: w.next_group, started: Instant::now(), members: 0, done });
        }
        if let Err(e) = w.conn.execute_batch("SAVEPOINT tx") {
            // Whatever the group did so far is not this transaction's to lose.
            w.commit_group()?;
            return Err(e.into());
        }
        let group = w.open.as_mut().expect("a group is open");
        group.members += 1;
        let membership = Membership::Group { id: group.id, done: group.done.subscribe() };
        Ok(SqliteTx { guard: std::sync::Mutex::new(w), shared: shared.clone(), membership })
    }

    /// A transaction of its own for bulk work that changes thousands of pages (an
    /// import batch): in no group, without a savepoint and without foreign-key
    /// checks. Others wait for the writer meanwhile, as they do behind a group.
    ///
    /// - Inside a savepoint SQLite first copies every page it is about to change
    ///   into a statement journal in memory, so that the savepoint alone could be
    ///   undone: 50,000 imported rows change some 35,000 pages, memory zeroed and
    ///   copied for nothing when nobody shares the transaction.
    /// - Checking a foreign key is a lookup of the parent row per reference. The
    ///   caller refers only to rows it wrote earlier in the same transaction or
    ///   read in it, of tables nothing deletes from, and the one writer keeps them
    ///   in place. SQLite takes the setting only between transactions: it is off
    ///   from here to the end of this one.
    pub(super) async fn begin_bulk(shared: &Shared) -> Result<SqliteTx, StoreError> {
        let w = shared.lock_alone().await?;
        if let Err(e) = w.conn.execute_batch("PRAGMA foreign_keys=OFF; BEGIN IMMEDIATE") {
            let _ = w.conn.execute_batch(FOREIGN_KEYS_ON);
            return Err(e.into());
        }
        Ok(SqliteTx { guard: std::sync::Mutex::new(w), shared: shared.clone(), membership: Membership::Bulk })
    }

    pub(super) fn conn(&self) -> std::sync::MutexGuard<'_, OwnedMutexGuard<Writer>> {
        self.guard.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Makes this transaction's work part of the group, then waits for the
    /// group's commit (or commits it, when nobody else is waiting to join). A bulk
    /// transaction commits at once and turns foreign keys back on.
    pub(super) async fn commit(self) -> Result<(), StoreError> {
        let SqliteTx { guard, shared, membership } = self;
        let mut w = guard.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (group, mut done) = match membership {
            Membership::Group { id, done } => (id, done),
            Membership::Bulk => return w.end_bulk(true),
        };
        if let Err(e) = w.conn.execute_batch("RELEASE tx") {
            let _ = w.conn.execute_batch("ROLLBACK TO tx; RELEASE tx");
            if !shared.others_waiting() {
                w.commit_group()?;
            }
            return Err(e.into());
        }
        if !(shared.others_waiting() && w.joinable()) {
            return w.commit_group();
        }
        drop(w);
        loop {
            let waited = tokio::time::timeout(ORPHAN_AFTER, done.wait_for(Option::is_some)).await.map(|r| r.map(|o| o.clone()));
            match waited {
                Ok(Ok(Some(Err(e)))) => return Err(StoreError::Unavailable(format!("commit failed: {e}"))),
                Ok(Ok(_)) => return Ok(()),
                Ok(Err(_)) => return Err(StoreError::Unavailable("the database closed before the commit".into())),
                Err(_) => {
                    // Nobody took the writer after us (their wait was cancelled): commit it.
                    let mut w = shared.writer.lock().await;
                    if w.open.as_ref().is_some_and(|g| g.id == group) {
                        return w.commit_group();
                    }
                }
            }
        }
    }

    /// Undoes this transaction's work only, and commits what the members before
    /// it did: a failure may rest on their work (a duplicate key they wrote), and
    /// whoever sees the error must then find that work committed. A bulk
    /// transaction is rolled back whole, and foreign keys are turned back on.
    pub(super) fn rollback(self) {
        let SqliteTx { guard, membership, .. } = self;
        let mut w = guard.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Membership::Bulk = membership {
            let _ = w.end_bulk(false);
            return;
        }
        let _ = w.conn.execute_batch("ROLLBACK TO tx; RELEASE tx");
        let _ = w.commit_group();
    }
}
