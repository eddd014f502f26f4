//! Real autocrm servers for the integration tests: a fresh database per test on
//! SQLite or PostgreSQL, a small dealer network seeded through the store's own
//! constructors, and the server itself on a loopback TCP port.
//!
//! PostgreSQL tests connect to `AUTOCRM_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), create `acrm_t_…` for the test
//! and drop it afterwards. They fail, never skip, when PostgreSQL is unreachable.

pub mod analytics;
pub mod customers;
pub mod fixture;
pub mod http;
pub mod identity;
pub mod leads;
pub mod quotes;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use autocrm_domain::access::Role;
use autocrm_store::db::sql;
pub use autocrm_store::{Db, Engine};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use fixture::{Org, PASSWORD, Staff};
pub use http::{Reply, Session, query_encoded};

/// Runs one async test body on both engines:
///
/// ```ignore
/// both_engines! {
///     /// What the product promises.
///     async fn consultant_cannot_see_other_dealers_users(s) { … }   // s: TestServer
/// }
/// both_engines! {
///     async fn migrations_apply_once(engine: Engine) { … }          // no server
/// }
/// ```
///
/// expands to `mod consultant_cannot_see_other_dealers_users { fn sqlite(); fn postgres(); }`.
#[macro_export]
macro_rules! both_engines {
    ($(#[$meta:meta])* async fn $name:ident($engine:ident : Engine) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $engine = $crate::Engine::Sqlite;
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $engine = $crate::Engine::Postgres;
                $body
            }
        }
    };
    ($(#[$meta:meta])* async fn $name:ident($server:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $server = $crate::TestServer::start($crate::Engine::Sqlite).await;
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $server = $crate::TestServer::start($crate::Engine::Postgres).await;
                $body
            }
        }
    };
}

// ---- fresh databases ----------------------------------------------------------------

/// The PostgreSQL server the tests create their databases on.
pub fn pg_admin_url() -> String {
    std::env::var("AUTOCRM_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).expect("a clock after 1970").as_nanos();
    format!("acrm_t_{}_{}_{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// An empty database of its own (no migrations applied) that removes itself when
/// dropped, even when the test fails.
pub struct TestDatabase {
    db: Option<Db>,
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFile(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    pub async fn create(engine: Engine) -> TestDatabase {
        match engine {
            Engine::Sqlite => {
                let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
                let url = format!("sqlite://{}", path.display());
                let db = Db::connect(&url, 4).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
                TestDatabase { db: Some(db), url, cleanup: Cleanup::SqliteFile(path) }
            }
            Engine::Postgres => {
                let admin_url = pg_admin_url();
                let name = unique_name();
                pg_admin(&admin_url, &format!("CREATE DATABASE {name}")).await;
                let (base, _) = admin_url.rsplit_once('/').expect("AUTOCRM_TEST_PG_URL ends in /DATABASE");
                let url = format!("{base}/{name}");
                let db = Db::connect(&url, 8).await.unwrap_or_else(|e| panic!("open the test database {url}: {e}"));
                TestDatabase { db: Some(db), url, cleanup: Cleanup::Postgres { admin_url, name } }
            }
        }
    }

    pub fn db(&self) -> &Db {
        self.db.as_ref().expect("the database is open until drop")
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

/// Runs one statement on the PostgreSQL maintenance database.
async fn pg_admin(url: &str, statement: &str) {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap_or_else(|e| {
        let cause = std::error::Error::source(&e).map(|c| format!(" ({c})")).unwrap_or_default();
        panic!(
            "PostgreSQL is not reachable at {url}: {e}{cause}\n\
             The integration tests run on both engines and do not skip: start PostgreSQL \
             or point AUTOCRM_TEST_PG_URL at one (postgres://USER@HOST:PORT/DB)."
        )
    });
    let conn = tokio::spawn(conn);
    client.batch_execute(statement).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
    drop(client);
    let _ = conn.await;
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        drop(self.db.take());
        match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                // Drop runs inside the test's runtime, which cannot be blocked on;
                // a thread with a runtime of its own can.
                let (admin_url, statement) = (admin_url.clone(), format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                let dropped = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
                    rt.block_on(pg_admin(&admin_url, &statement));
                })
                .join();
                if dropped.is_err() && !std::thread::panicking() {
                    panic!("dropping the test database {name} failed");
                }
            }
        }
    }
}

// ---- the server ---------------------------------------------------------------------

/// A running autocrm server on a fresh, seeded database.
pub struct TestServer {
    pub engine: Engine,
    pub org: Org,
    addr: SocketAddr,
    http: reqwest::Client,
    tokens: Mutex<HashMap<String, String>>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    // Declared last: dropped after the server is told to stop.
    database: TestDatabase,
}

impl TestServer {
    /// A fresh database with migrations and the fixture organization, served on
    /// 127.0.0.1 at a free port.
    pub async fn start(engine: Engine) -> TestServer {
        Self::start_with(engine, autocrm_web::Config::default()).await
    }

    pub async fn start_with(engine: Engine, mut config: autocrm_web::Config) -> TestServer {
        // Tests run jobs themselves, when they mean to.
        config.jobs.enabled = false;
        let database = TestDatabase::create(engine).await;
        autocrm_store::migrations::apply(database.db()).await.expect("migrations apply to a fresh database");
        let org = fixture::seed(database.db()).await;
        config.database_url = database.url().to_string();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let addr = listener.local_addr().expect("the bound address");
        config.listen = addr.to_string();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(autocrm_web::serve_until(listener, database.db().clone(), config, async {
            let _ = rx.await;
        }));
        let http = reqwest::Client::builder()
            // Tests look at redirects themselves (sign-in, sign-out, the login page).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        TestServer { engine, org, addr, http, tokens: Mutex::default(), shutdown: Some(tx), task: Some(task), database }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The HTTP client (no cookie jar, redirects not followed).
    pub fn client(&self) -> &reqwest::Client {
        &self.http
    }

    /// The server's database, to check what was (not) written.
    pub fn db(&self) -> &Db {
        self.database.db()
    }

    /// Stops the server gracefully and returns how serving ended.
    pub async fn stop(&mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(task) => task.await.expect("the server task does not panic"),
            None => Ok(()),
        }
    }

    // ---- signing in ----

    /// A bearer token for a fixture user, from `POST /api/v1/auth/token` (cached:
    /// each sign-in costs a password hash).
    pub async fn token(&self, username: &str) -> String {
        if let Some(t) = self.tokens.lock().expect("token cache").get(username) {
            return t.clone();
        }
        let r = self.sign_in(username, PASSWORD).await;
        assert_eq!(r.status, 200, "signing in as {username}: {r}");
        let t = r.json()["access_token"].as_str().expect("access_token").to_string();
        self.tokens.lock().expect("token cache").insert(username.to_string(), t.clone());
        t
    }

    /// The token of the fixture user with `role` (dealer A's for dealer roles).
    pub async fn token_for(&self, role: Role) -> String {
        self.token(self.org.user(role).username).await
    }

    /// `POST /api/v1/auth/token` as is.
    pub async fn sign_in(&self, username: &str, password: &str) -> Reply {
        http::send(self.http.post(self.url("/api/v1/auth/token")).json(&json!({"username": username, "password": password})))
            .await
    }

    // ---- calling the API ----

    pub async fn get(&self, token: &str, path: &str) -> Reply {
        http::send(self.http.get(self.url(path)).bearer_auth(token)).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Reply {
        http::send(self.http.post(self.url(path)).bearer_auth(token).json(&body)).await
    }

    pub async fn patch(&self, token: &str, path: &str, body: Value) -> Reply {
        http::send(self.http.patch(self.url(path)).bearer_auth(token).json(&body)).await
    }

    pub async fn delete(&self, token: &str, path: &str) -> Reply {
        http::send(self.http.delete(self.url(path)).bearer_auth(token)).await
    }

    /// Any request, built on the client (headers, bodies, no token…).
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path))
    }

    // ---- looking into the database ----

    /// `SELECT COUNT(*) FROM table`.
    pub async fn count(&self, table: &str) -> i64 {
        let (n,): (i64,) =
            self.db().fetch_one(sql(&format!("SELECT COUNT(*) FROM {table}"), vec![])).await.expect("count rows");
        n
    }

    /// Row counts of every table a request could write to, to assert that a
    /// refused request wrote nothing.
    pub async fn row_counts(&self) -> Vec<(&'static str, i64)> {
        let mut out = vec![];
        for t in [
            "region", "dealer_group", "dealer", "department", "app_user", "session", "api_token", "audit_event",
            "idempotency_key", "setting",
        ] {
            out.push((t, self.count(t).await));
        }
        out
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
pub mod search;
pub mod test_drives;
pub mod vehicles;
