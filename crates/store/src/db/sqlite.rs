//! SQLite: WAL mode, one writer, a read connection per thread used inline.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, OpenFlags, config::DbConfig};
use sea_query::Value;

use super::params::SqliteParam;
use super::row::{FromRow, Row};
use crate::StoreError;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// This thread's read connection per open database (keyed by database id).
    static READERS: RefCell<HashMap<u64, Connection>> = RefCell::new(HashMap::new());
}

pub(super) struct SqliteDb {
    id: u64,
    path: PathBuf,
    pub(super) writer: super::group_commit::Shared,
    /// Idle read connections for snapshots (one answer's reads in one read
    /// transaction). A snapshot owns its connection, so it may cross `.await`s.
    pub(super) idle_readers: Arc<std::sync::Mutex<Vec<Connection>>>,
    _checkpointer: Option<Checkpointer>,
}

/// How much of the database file every connection maps: SQLite's largest (its
/// compile-time cap, 2 GiB), so B-tree pages are read in place instead of copied
/// into each connection's page cache — an indexed probe of a 1.6 GB file took 12 µs
/// mapped against 17.5 µs with only its first GiB mapped. The mapping shares the
/// kernel's page cache: it counts in the server's RSS but is not extra memory.
const MMAP_SIZE: &str = "2147418112";

/// Each connection's page cache (64 MiB), which bulk work may change for a while
/// and sets back with this.
pub(crate) const USUAL_CACHE_SIZE: &str = "PRAGMA cache_size=-65536;";
/// How each connection sorts (in memory, on its own thread), likewise.
pub(crate) const USUAL_SORTING: &str = "PRAGMA temp_store=MEMORY; PRAGMA threads=0;";

fn configure(conn: &Connection) -> Result<(), StoreError> {
    // Without QPSG SQLite 3.54 recompiles cached statements on every use (limits kit,
    // lesson 1): 30 µs instead of 10 µs a lookup.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; \
         {USUAL_CACHE_SIZE} PRAGMA mmap_size={MMAP_SIZE}; {USUAL_SORTING}"
    ))?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(())
}

impl SqliteDb {
    pub(super) fn open(path: &str) -> Result<Self, StoreError> {
        let path = PathBuf::from(path);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Config(format!("{}: {e}", dir.display())))?;
        }
        let writer = Connection::open(&path)?;
        configure(&writer)?;
        // The writer never checkpoints: a commit appends to the WAL and returns,
        // and copying pages back into the database file (with its fsyncs) happens
        // on the checkpointer's thread, outside the one writer's turn. After a
        // restart (see [`WAL_RESTART_FRAMES`]) the WAL is rewritten in place: a
        // limit below its size truncated it at every restart, on the writer's turn
        // (35 ms under the capture load), and the commits after grew it again.
        writer.execute_batch(&format!(
            "PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit={};",
            2 * WAL_RESTART_FRAMES * WAL_FRAME_BYTES
        ))?;
        let writer = super::group_commit::Shared::new(writer);
        let checkpointer = Checkpointer::start(&path, writer.writer.clone())?;
        Ok(SqliteDb {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            path,
            writer,
            idle_readers: Arc::default(),
            _checkpointer: Some(checkpointer),
        })
    }

    /// Runs `f` on this thread's read connection, opening it on first use.
    pub(super) fn read<R>(&self, f: impl FnOnce(&Connection) -> Result<R, StoreError>) -> Result<R, StoreError> {
        READERS.with(|readers| {
            let mut readers = readers.borrow_mut();
            if !readers.contains_key(&self.id) {
                let conn = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
                )?;
                configure_reader(&conn)?;
                readers.insert(self.id, conn);
            }
            f(&readers[&self.id])
        })
    }

    /// A read connection of its own with a read transaction begun on it.
    pub(super) fn snapshot_connection(&self) -> Result<Connection, StoreError> {
        let idle = self.idle_readers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        let conn = match idle {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
                )?;
                configure_reader(&c)?;
                c
            }
        };
        // Prepared once per connection (`execute_batch` would parse it every time).
        conn.prepare_cached("BEGIN")?.execute([])?;
        Ok(conn)
    }

    /// PRAGMAs on the writer, between transactions (`temp_store` is refused inside one).
    pub(super) async fn writer_pragmas(&self, script: &str) -> Result<(), StoreError> {
        let w = self.writer.lock_alone().await?;
        Ok(w.conn.execute_batch(script)?)
    }

    pub(super) async fn bulk_insert(&self, table: &str, columns: &[&str], rows: &[Vec<Value>]) -> Result<u64, StoreError> {
        let mut w = self.writer.lock_alone().await?;
        // Bulk loads run off the async workers: they hold the writer for a while.
        tokio::task::block_in_place(|| {
            let tx = w.conn.transaction()?;
            let n = insert_rows(&tx, table, columns, rows)?;
            tx.commit()?;
            Ok(n)
        })
    }
}

/// How often the checkpointer copies committed WAL frames into the database. A
/// page written many times in between (the last leaf of an append-only index)
/// is copied once.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// WAL frames (pages, 512 MiB) above which the checkpointer also catches up while
/// holding the writer, so the next write transaction starts the WAL over from its
/// beginning (rewritten in place, not grown). That pass ends with two fsyncs,
/// which under a sustained write load took 10–210 ms on a 2 vCPU machine's
/// virtual disk, every writer waiting: it is kept rare. At 3,000 lead captures a
/// second (32 clients) a 128 MiB WAL restarted every 2 s and the capture's p99
/// was 27–30 ms; at 512 MiB once in 6–8 s, p99 20–21 ms (20 ms with no restart
/// at all). Readers do not pay for a long WAL: they look only at the frames not
/// yet copied back, which the checkpointer keeps to a round's worth.
const WAL_RESTART_FRAMES: i64 = 131_072;
/// A page of 4 KiB, as a frame of the WAL counts it for the size limit.
const WAL_FRAME_BYTES: i64 = 4096;

/// A wait for the writer longer than this means its holder committed much more
/// than a round's worth of writes (a bulk transaction's hundreds of megabytes).
/// Copying that while holding the writer would stall the writers queued behind
/// for as long, so the checkpointer lets them go and copies it without (a
/// 50,000-row import batch's WAL took 0.5 s to copy, which the next statement
/// waited for). At most this many times in a row, then it holds the writer anyway.
const LONG_WAIT: std::time::Duration = std::time::Duration::from_millis(50);
const LONG_WAIT_RETRIES: u32 = 3;

/// A thread with a connection of its own that copies the WAL back into the
/// database (`PRAGMA wal_checkpoint(PASSIVE)`) periodically, outside the writer's
/// turn: a commit only appends to the WAL. Each round first copies what it can
/// without waiting for anyone; when the WAL has grown, it then takes the writer
/// for the short remainder (the frames committed meanwhile), because the WAL can
/// only start over once it is copied completely. Stopped when the database closes.
struct Checkpointer {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    fn start(path: &std::path::Path, writer: Arc<tokio::sync::Mutex<super::group_commit::Writer>>) -> Result<Checkpointer, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA cache_size=-2048;")?;
        // The database file itself, to flush what the passes copied into it.
        let file = std::fs::File::open(path).map_err(|e| StoreError::Config(format!("database file: {e}")))?;
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while !flag.load(Ordering::Acquire) {
                    std::thread::park_timeout(CHECKPOINT_EVERY);
                    let result = (|| {
                        let (frames, copied) = checkpoint(&conn)?;
                        if frames < WAL_RESTART_FRAMES {
                            return Ok(());
                        }
                        let mut copied = catch_up(&conn, copied)?;
                        sync_copied(&file);
                        // A long wait means someone held the writer for long (a
                        // bulk transaction) and committed a lot meanwhile: the
                        // writers queued behind go first while that is copied.
                        let mut retries = 0;
                        let mut w = loop {
                            let asked = std::time::Instant::now();
                            let w = writer.blocking_lock();
                            if asked.elapsed() < LONG_WAIT || retries == LONG_WAIT_RETRIES {
                                break w;
                            }
                            drop(w);
                            retries += 1;
                            copied = catch_up(&conn, copied)?;
                            sync_copied(&file);
                        };
                        // The WAL starts over only at a transaction that begins
                        // with all of it copied: end the group that is open.
                        let _ = w.commit_group();
                        checkpoint(&conn)?;
                        Ok::<_, rusqlite::Error>(())
                    })();
                    if let Err(e) = result {
                        tracing::warn!(error = %e, "WAL checkpoint failed");
                    }
                }
            })
            .map_err(|e| StoreError::Config(format!("checkpoint thread: {e}")))?;
        Ok(Checkpointer { stop, thread: Some(thread) })
    }
}

/// One checkpoint pass: (frames in the WAL, frames copied) after it.
fn checkpoint(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))
}

/// Copies, without the writer, what was committed since the last pass (which had
/// `copied` frames copied), until little more arrives between passes; returns the
/// frames copied by then.
fn catch_up(conn: &Connection, mut copied: i64) -> rusqlite::Result<i64> {
    for _ in 0..4 {
        let (frames, now) = checkpoint(conn)?;
        let progressed = now - copied;
        copied = now;
        if progressed < 256 || copied < frames {
            break;
        }
    }
    Ok(copied)
}

/// Flushes to disk the pages the passes copied into the database file, before the
/// checkpointer takes the writer. A pass syncs the file only when it copies the
/// whole WAL, which under a sustained write load happens only at the last pass,
/// the one holding the writer: that sync then wrote out everything copied since
/// the last restart (hundreds of megabytes), every writer waiting: 106–386 ms
/// held at 4,600 captures a second, against 21–32 ms with this sync first. A
/// failure is only logged: that last pass syncs anyway.
fn sync_copied(file: &std::fs::File) {
    if let Err(e) = file.sync_data() {
        tracing::warn!(error = %e, "flushing the database file before a WAL restart failed");
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

fn configure_reader(conn: &Connection) -> Result<(), StoreError> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(&format!("PRAGMA cache_size=-32768; PRAGMA mmap_size={MMAP_SIZE}; PRAGMA temp_store=MEMORY;"))?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(())
}

impl Drop for SqliteDb {
    fn drop(&mut self) {
        let id = self.id;
        // Only this thread's reader can be closed here; others go with their threads.
        let _ = READERS.try_with(|r| r.borrow_mut().remove(&id));
    }
}

pub(super) fn fetch_all<T: FromRow>(conn: &Connection, sql: &str, values: &[Value]) -> Result<Vec<T>, StoreError> {
    let mut st = conn.prepare_cached(sql)?;
    let mut rows = st.query(rusqlite::params_from_iter(values.iter().map(SqliteParam)))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(T::from_row(&Row::Sqlite(r))?);
    }
    Ok(out)
}

pub(super) fn execute(conn: &Connection, sql: &str, values: &[Value]) -> Result<u64, StoreError> {
    let mut st = conn.prepare_cached(sql)?;
    Ok(st.execute(rusqlite::params_from_iter(values.iter().map(SqliteParam)))? as u64)
}

/// Rows into `table(columns)` through one prepared single-row insert, inside the
/// connection's current transaction. Not a multi-row `INSERT`: that one needs a
/// statement journal (a copy of every page it changes, to undo a failed statement
/// half-way), a single row does not, and a prepared statement costs no parsing.
pub(super) fn insert_rows(conn: &Connection, table: &str, columns: &[&str], rows: &[Vec<Value>]) -> Result<u64, StoreError> {
    let placeholders = (1..=columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(",");
    let mut st = conn.prepare_cached(&format!("INSERT INTO {table} ({}) VALUES ({placeholders})", columns.join(",")))?;
    for row in rows {
        st.execute(rusqlite::params_from_iter(row.iter().map(SqliteParam)))?;
    }
    Ok(rows.len() as u64)
}
