//! The baseline of the PostgreSQL screen-pop benchmark: the limits kit's bare
//! lookup (a customer by mobile and their vehicles, as JSON) answered from
//! autocrm's own PostgreSQL database through the same web stack as autocrm
//! (axum, tokio, a deadpool of tokio-postgres connections of the same size,
//! prepared statements, mimalloc, `TCP_NODELAY`), so the screen-pop's ratio to it
//! measures what the screen-pop adds, not what the engine costs.
//!
//! `pg-lookup DATABASE_URL [LISTEN]` serves `GET /lookup?phone=…`.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::collections::HashMap;
use tokio_postgres::NoTls;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The customer the number belongs to and their current vehicles, in one round
/// trip: the kit's two reads (customer, then vehicles) as one statement.
const LOOKUP: &str = "SELECT c.id, c.name, c.mobile, c.city, c.created_at::text, v.id, v.vin, v.plate \
    FROM contact_point cp JOIN customer c ON c.id = cp.customer_id \
    LEFT JOIN ownership o ON o.customer_id = c.id AND o.to_date IS NULL \
    LEFT JOIN vehicle v ON v.id = o.vehicle_id \
    WHERE cp.kind = 'mobile' AND cp.value = $1";

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = args.first().ok_or("usage: pg-lookup DATABASE_URL [LISTEN]")?.clone();
    let listen = args.get(1).cloned().unwrap_or_else(|| "127.0.0.1:18590".into());
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let config: tokio_postgres::Config = url.parse().map_err(|e| format!("database URL: {e}"))?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        // autocrm's default pool: four connections a core.
        let pool = Pool::builder(manager).max_size(4 * cores).build().map_err(|e| e.to_string())?;
        drop(pool.get().await.map_err(|e| format!("connecting: {e}"))?);
        let listener = tokio::net::TcpListener::bind(&listen).await.map_err(|e| format!("binding {listen}: {e}"))?.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        eprintln!("pg-lookup: http://{listen}/lookup?phone=…");
        let app = Router::new().route("/lookup", get(lookup)).with_state(pool);
        axum::serve(listener, app).await.map_err(|e| format!("serving: {e}"))
    })
}

async fn lookup(State(pool): State<Pool>, Query(q): Query<HashMap<String, String>>) -> Response {
    let Some(phone) = q.get("phone").filter(|p| !p.is_empty()) else {
        return json(StatusCode::BAD_REQUEST, r#"{"error":{"code":"bad_request","message":"phone is required"}}"#.into());
    };
    match read(&pool, phone).await {
        Ok(Some(body)) => json(StatusCode::OK, body),
        Ok(None) => json(StatusCode::NOT_FOUND, r#"{"error":{"code":"not_found"}}"#.into()),
        Err(e) => json(StatusCode::INTERNAL_SERVER_ERROR, format!(r#"{{"error":{{"code":"internal","message":{:?}}}}}"#, e)),
    }
}

async fn read(pool: &Pool, phone: &str) -> Result<Option<String>, String> {
    let client = pool.get().await.map_err(|e| e.to_string())?;
    let st = client.prepare_cached(LOOKUP).await.map_err(|e| e.to_string())?;
    let rows = client.query(&st, &[&phone]).await.map_err(|e| e.to_string())?;
    let Some(first) = rows.first() else { return Ok(None) };
    let id: i64 = first.get(0);
    let mut out = String::with_capacity(512);
    out.push_str(&format!(r#"{{"id":{id}"#));
    for (i, key) in [(1, "name"), (2, "mobile"), (3, "city"), (4, "created_at")] {
        field(&mut out, key, first.get(i));
    }
    out.push_str(r#","vehicles":["#);
    let mut sep = "";
    for r in rows.iter().filter(|r| r.get::<_, i64>(0) == id) {
        if let Some(v) = r.get::<_, Option<i64>>(5) {
            out.push_str(&format!(r#"{sep}{{"id":{v}"#));
            field(&mut out, "vin", r.get(6));
            field(&mut out, "plate", r.get(7));
            out.push('}');
            sep = ",";
        }
    }
    out.push_str("]}");
    Ok(Some(out))
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
