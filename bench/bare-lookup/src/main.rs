//! The baseline of the screen-pop benchmark: the limits kit's bare lookup (a
//! customer by mobile and their vehicles, as JSON) answered from autocrm's own
//! database — the same rows the screen-pop reads — through the same web stack as
//! autocrm (axum, tokio, mimalloc, `TCP_NODELAY`; on PostgreSQL a deadpool of
//! tokio-postgres connections of the same size with prepared statements, on SQLite
//! a read connection per worker thread configured as autocrm's readers are), so
//! the screen-pop's ratio to it measures what the screen-pop adds, not what the
//! engine or the size of the database costs.
//!
//! `bare-lookup DATABASE_URL [LISTEN]` (`postgres://…` or `sqlite://PATH`) serves
//! `GET /lookup?phone=…`.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use rusqlite::{Connection, OpenFlags, config::DbConfig};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use tokio_postgres::NoTls;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The customer the number belongs to and their current vehicles, in one round
/// trip: the kit's two reads (customer, then vehicles) as one statement.
const LOOKUP: &str = "SELECT c.id, c.name, c.mobile, c.city, CAST(c.created_at AS TEXT), v.id, v.vin, v.plate \
    FROM contact_point cp JOIN customer c ON c.id = cp.customer_id \
    LEFT JOIN ownership o ON o.customer_id = c.id AND o.to_date IS NULL \
    LEFT JOIN vehicle v ON v.id = o.vehicle_id \
    WHERE cp.kind = 'mobile' AND cp.value = $1";

/// Where the rows are.
#[derive(Clone)]
enum Source {
    Postgres(Pool),
    Sqlite(Arc<str>),
}

/// One row of [`LOOKUP`]: customer id, name, mobile, city, created, vehicle id, VIN, plate.
type LookupRow = (i64, Option<String>, Option<String>, Option<String>, Option<String>, Option<i64>, Option<String>, Option<String>);

thread_local! {
    /// This worker thread's SQLite read connection (autocrm's readers are the same).
    static READER: RefCell<Option<Connection>> = const { RefCell::new(None) };
}
static SQLITE_LOOKUP: OnceLock<String> = OnceLock::new();

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = args.first().ok_or("usage: bare-lookup DATABASE_URL [LISTEN]")?.clone();
    let listen = args.get(1).cloned().unwrap_or_else(|| "127.0.0.1:18590".into());
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let source = match url.strip_prefix("sqlite://") {
            Some(path) => {
                open_reader(path).map_err(|e| format!("opening {path}: {e}"))?;
                Source::Sqlite(path.into())
            }
            None => {
                let config: tokio_postgres::Config = url.parse().map_err(|e| format!("database URL: {e}"))?;
                let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
                // autocrm's default pool: four connections a core.
                let pool = Pool::builder(manager).max_size(4 * cores).build().map_err(|e| e.to_string())?;
                drop(pool.get().await.map_err(|e| format!("connecting: {e}"))?);
                Source::Postgres(pool)
            }
        };
        let listener = tokio::net::TcpListener::bind(&listen).await.map_err(|e| format!("binding {listen}: {e}"))?.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        eprintln!("bare-lookup: http://{listen}/lookup?phone=…");
        let app = Router::new().route("/lookup", get(lookup)).with_state(source);
        axum::serve(listener, app).await.map_err(|e| format!("serving: {e}"))
    })
}

async fn lookup(State(source): State<Source>, Query(q): Query<HashMap<String, String>>) -> Response {
    let Some(phone) = q.get("phone").filter(|p| !p.is_empty()) else {
        return json(StatusCode::BAD_REQUEST, r#"{"error":{"code":"bad_request","message":"phone is required"}}"#.into());
    };
    let rows = match &source {
        Source::Postgres(pool) => read_pg(pool, phone).await,
        Source::Sqlite(path) => read_sqlite(path, phone),
    };
    match rows.map(|rows| answer(&rows)) {
        Ok(Some(body)) => json(StatusCode::OK, body),
        Ok(None) => json(StatusCode::NOT_FOUND, r#"{"error":{"code":"not_found"}}"#.into()),
        Err(e) => json(StatusCode::INTERNAL_SERVER_ERROR, format!(r#"{{"error":{{"code":"internal","message":{:?}}}}}"#, e)),
    }
}

async fn read_pg(pool: &Pool, phone: &str) -> Result<Vec<LookupRow>, String> {
    let client = pool.get().await.map_err(|e| e.to_string())?;
    let st = client.prepare_cached(LOOKUP).await.map_err(|e| e.to_string())?;
    let rows = client.query(&st, &[&phone]).await.map_err(|e| e.to_string())?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6), r.get(7))).collect())
}

/// As autocrm opens a reader: read-only, the query planner's stability guarantee
/// (or cached statements are recompiled), the whole file mapped, a 32 MiB cache.
fn open_reader(path: &str) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.execute_batch("PRAGMA cache_size=-32768; PRAGMA mmap_size=2147418112; PRAGMA temp_store=MEMORY;")?;
    Ok(conn)
}

fn read_sqlite(path: &str, phone: &str) -> Result<Vec<LookupRow>, String> {
    let text = SQLITE_LOOKUP.get_or_init(|| LOOKUP.replace("$1", "?1"));
    READER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(open_reader(path).map_err(|e| e.to_string())?);
        }
        let conn = slot.as_ref().ok_or("no reader")?;
        let mut st = conn.prepare_cached(text).map_err(|e| e.to_string())?;
        let rows = st
            .query_map([phone], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)))
            .map_err(|e| e.to_string())?;
        rows.collect::<Result<Vec<LookupRow>, _>>().map_err(|e| e.to_string())
    })
}

/// The kit's answer: the customer and their vehicles.
fn answer(rows: &[LookupRow]) -> Option<String> {
    let first = rows.first()?;
    let id = first.0;
    let mut out = String::with_capacity(512);
    out.push_str(&format!(r#"{{"id":{id}"#));
    for (key, value) in [("name", &first.1), ("mobile", &first.2), ("city", &first.3), ("created_at", &first.4)] {
        field(&mut out, key, value.as_deref());
    }
    out.push_str(r#","vehicles":["#);
    let mut sep = "";
    for r in rows.iter().filter(|r| r.0 == id) {
        if let Some(v) = r.5 {
            out.push_str(&format!(r#"{sep}{{"id":{v}"#));
            field(&mut out, "vin", r.6.as_deref());
            field(&mut out, "plate", r.7.as_deref());
            out.push('}');
            sep = ",";
        }
    }
    out.push_str("]}");
    Some(out)
}

/// `,"key":"value"` (JSON-escaped), or `,"key":null`.
fn field(out: &mut String, key: &str, value: Option<&str>) {
    out.push_str(&format!(r#","{key}":"#));
    let Some(v) = value else { return out.push_str("null") };
    out.push('"');
    for ch in v.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
