//! Demo data and the benchmark seed, on both engines.
//!
//! PostgreSQL tests use `AUTOCRM_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) to create a fresh database per test,
//! and fail, rather than skip, when it is unreachable.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use autocrm_domain::access::{Role, Scope};
use autocrm_domain::org::{DealerLevel, PROVINCES, parse_code};
use autocrm_domain::users::parse_username;
use autocrm_store::auth::{Actor, SignIn, sign_in};
use autocrm_store::db::sql;
use autocrm_store::org::Region;
use autocrm_store::search::cards;
use autocrm_store::seed::{self, Scale, SeedOptions, SeedReport};
use autocrm_store::{Db, StoreError, demo, migrations, record};

// ---- fresh databases --------------------------------------------------------------

fn unique_name() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("acrm_seed_{}_{nanos}", std::process::id())
}

/// A database that removes itself when the test ends (even when it fails).
struct TestDb {
    db: Option<Db>,
    cleanup: Cleanup,
}

enum Cleanup {
    Files(PathBuf),
    Pg { admin_url: String, name: String },
}

impl TestDb {
    async fn sqlite() -> TestDb {
        let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
        let db = Db::connect(&format!("sqlite://{}", path.display()), 2).await.expect("open SQLite");
        migrations::apply(&db).await.expect("migrate SQLite");
        TestDb { db: Some(db), cleanup: Cleanup::Files(path) }
    }

    async fn postgres() -> TestDb {
        let admin_url =
            std::env::var("AUTOCRM_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = unique_name();
        admin(&admin_url, &format!("CREATE DATABASE {name}")).await;
        let (base, _) = admin_url.rsplit_once('/').expect("a database URL ends in /DBNAME");
        let db = Db::connect(&format!("{base}/{name}"), 4).await.expect("open the test database");
        migrations::apply(&db).await.expect("migrate PostgreSQL");
        TestDb { db: Some(db), cleanup: Cleanup::Pg { admin_url, name } }
    }

    fn db(&self) -> &Db {
        self.db.as_ref().expect("open")
    }
}

async fn admin(url: &str, statement: &str) {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is not reachable at {url} ({e}); start it or set AUTOCRM_TEST_PG_URL — these tests do not skip")
    });
    let task = tokio::spawn(conn);
    client.batch_execute(statement).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
    drop(client);
    let _ = task.await;
}

impl Drop for TestDb {
    fn drop(&mut self) {
        drop(self.db.take());
        match &self.cleanup {
            Cleanup::Files(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Pg { admin_url, name } => {
                // Drop runs inside the test's runtime; a helper thread gets its own.
                let (url, statement) = (admin_url.clone(), format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                let _ = std::thread::spawn(move || {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime")
                        .block_on(admin(&url, &statement))
                })
                .join();
            }
        }
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    db.fetch_one::<(i64,)>(sql(&format!("SELECT COUNT(*) FROM {table}"), vec![])).await.expect("count").0
}

async fn seed_quietly(db: &Db, scale: Scale, seed_value: u64) -> Result<SeedReport, StoreError> {
    seed::run(db, &SeedOptions { scale, seed: seed_value, customers: Some(300) }, &|_, _, _| {}).await
}

async fn signs_in(db: &Db, username: &str, password: &str) -> Actor {
    match sign_in(db, username, password, "127.0.0.1").await.expect("sign in") {
        SignIn::Ok(actor) => actor,
        other => panic!("{username} could not sign in: {other:?}"),
    }
}

// ---- benchmark seed ------------------------------------------------------------------

const DEALER_SCALE: [(&str, i64); 6] =
    [("setting", 1), ("region", 1), ("dealer_group", 1), ("dealer", 3), ("department", 12), ("app_user", 300)];

async fn dealer_scale_seed_loads_one_dealer_group(db: &Db) {
    let report = seed_quietly(db, Scale::Dealer, 42).await.expect("seed");
    for (table, rows) in DEALER_SCALE {
        assert_eq!(report.rows(table) as i64, rows, "report of {table}");
        assert_eq!(count(db, table).await, rows, "rows in {table}");
    }

    let (distinct,): (i64,) = db.fetch_one(sql("SELECT COUNT(DISTINCT username) FROM app_user", vec![])).await.unwrap();
    assert_eq!(distinct, 300, "usernames are unique");
    let usernames: Vec<(String,)> = db.fetch_all(sql("SELECT username FROM app_user", vec![])).await.unwrap();
    for (u,) in &usernames {
        assert_eq!(parse_username(u).as_ref(), Ok(u), "username {u}");
    }
    let dealers: Vec<(String, String, String, Option<i64>)> =
        db.fetch_all(sql("SELECT code, province, level, group_id FROM dealer", vec![])).await.unwrap();
    for (code, province, level, group) in &dealers {
        assert_eq!(parse_code("code", code).as_ref(), Ok(code));
        assert!(PROVINCES.contains(&province.as_str()), "{code} in {province}");
        assert!(DealerLevel::parse(level).is_some(), "{code} level {level}");
        assert!(group.is_some(), "every store of the dealer-scale set is in the group");
    }

    // Staff sit in a department of their own dealer, and the store roles are all there.
    let (misplaced,): (i64,) = db
        .fetch_one(sql(
            "SELECT COUNT(*) FROM app_user u JOIN department d ON d.id = u.department_id \
             WHERE d.dealer_id IS DISTINCT FROM u.dealer_id",
            vec![],
        ))
        .await
        .unwrap();
    assert_eq!(misplaced, 0);
    for role in [Role::Admin, Role::GroupManager, Role::DealerManager, Role::SalesConsultant, Role::ServiceAdvisor] {
        let (n,): (i64,) =
            db.fetch_one(sql("SELECT COUNT(*) FROM app_user WHERE role = $1", vec![role.as_str().into()])).await.unwrap();
        assert!(n > 0, "no {role}");
    }

    // About three leads per ten customers, in every funnel stage, each owned by a
    // consultant of its own dealer, with a follow-up date on every open one.
    assert_eq!(count(db, "lead").await, 90);
    let (stages,): (i64,) = db.fetch_one(sql("SELECT COUNT(DISTINCT stage) FROM lead", vec![])).await.unwrap();
    assert!(stages >= 8, "only {stages} stages seeded");
    let (foreign,): (i64,) = db
        .fetch_one(sql(
            "SELECT COUNT(*) FROM lead l JOIN app_user u ON u.id = l.owner_user_id WHERE u.dealer_id IS DISTINCT FROM l.dealer_id",
            vec![],
        ))
        .await
        .unwrap();
    assert_eq!(foreign, 0, "a lead owned by another dealer's consultant");
    let (unscheduled,): (i64,) = db
        .fetch_one(sql(
            "SELECT COUNT(*) FROM lead WHERE stage IN ('new', 'contacted', 'showroom_visit', 'test_drive', 'quote', 'order') \
             AND next_follow_up_at IS NULL",
            vec![],
        ))
        .await
        .unwrap();
    assert_eq!(unscheduled, 0, "open leads without a next follow-up");

    // Every customer's screen-pop card; building a missing one again gives the same card.
    assert_eq!(count(db, "screen_pop_card").await, count(db, "customer").await);
    assert_eq!(cards::missing(db).await.unwrap(), 0);
    let (id, body): (i64, String) =
        db.fetch_one(sql("SELECT id, body FROM screen_pop_card ORDER BY id DESC LIMIT 1", vec![])).await.unwrap();
    db.execute(sql("DELETE FROM screen_pop_card WHERE id = $1", vec![id.into()])).await.unwrap();
    assert_eq!(cards::missing(db).await.unwrap(), 1);
    assert_eq!(cards::build_missing(db, |_| {}).await.unwrap(), 1, "only the deleted card was missing");
    let (again,): (String,) = db.fetch_one(sql("SELECT body FROM screen_pop_card WHERE id = $1", vec![id.into()])).await.unwrap();
    assert_eq!(again, body);

    // A second run is refused and changes nothing.
    match seed_quietly(db, Scale::Dealer, 42).await {
        Err(StoreError::Invalid(e)) => {
            assert_eq!(e.field, "database");
            assert!(e.message.contains("already has"), "{}", e.message);
        }
        other => panic!("a second seed must be refused, got {other:?}"),
    }
    assert_eq!(count(db, "app_user").await, 300);

    let admin = signs_in(db, seed::ADMIN_USERNAME, seed::SEED_PASSWORD).await;
    assert_eq!(admin.role, Role::Admin);
    let consultant = signs_in(db, seed::CONSULTANT_USERNAME, seed::SEED_PASSWORD).await;
    assert_eq!(consultant.role, Role::SalesConsultant);
    assert!(matches!(consultant.scope, Scope::Own { .. }), "{:?}", consultant.scope);

    // Ids continue after the loaded rows (sequences were reset).
    let t = autocrm_store::now();
    let r = Region { id: 0, code: "EXTRA".into(), name: "新大区".into(), active: true, version: 0, created_at: t, updated_at: t };
    let stored = record::insert(db, &Actor::system(), &r).await.expect("insert after seeding");
    assert_eq!(stored.id, 2);
    // The run itself is in the audit trail.
    let (seeds,): (i64,) =
        db.fetch_one(sql("SELECT COUNT(*) FROM audit_event WHERE action = 'seed'", vec![])).await.unwrap();
    assert_eq!(seeds, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dealer_scale_seed_on_sqlite() {
    let t = TestDb::sqlite().await;
    dealer_scale_seed_loads_one_dealer_group(t.db()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dealer_scale_seed_on_postgres() {
    let t = TestDb::postgres().await;
    dealer_scale_seed_loads_one_dealer_group(t.db()).await;
}

async fn network(db: &Db) -> Vec<(String, String, String, String)> {
    db.fetch_all(sql("SELECT code, name, level, city FROM dealer ORDER BY id", vec![])).await.unwrap()
}

async fn people(db: &Db) -> Vec<(String, String, String)> {
    db.fetch_all(sql("SELECT username, display_name, role FROM app_user ORDER BY id", vec![])).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_data_on_both_engines() {
    let (a, b, c) = (TestDb::sqlite().await, TestDb::postgres().await, TestDb::sqlite().await);
    seed_quietly(a.db(), Scale::Dealer, 7).await.unwrap();
    seed_quietly(b.db(), Scale::Dealer, 7).await.unwrap();
    seed_quietly(c.db(), Scale::Dealer, 8).await.unwrap();
    assert_eq!(network(a.db()).await, network(b.db()).await);
    assert_eq!(people(a.db()).await, people(b.db()).await);
    assert_ne!(people(a.db()).await, people(c.db()).await, "another seed, other people");
}

async fn oem_scale_seed_loads_the_network(db: &Db, engine: &str) {
    let report = seed_quietly(db, Scale::Oem, 42).await.expect("seed");
    let secs = report.elapsed.as_secs_f64();
    println!(
        "oem-scale seed on {engine}: {} rows in {secs:.2} s ({:.0} rows/s)",
        report.total_rows(),
        report.total_rows() as f64 / secs
    );
    for t in &report.tables {
        println!("  {:<14} {:>7} rows {:>7.3} s", t.table, t.rows, t.elapsed.as_secs_f64());
    }
    for (table, rows) in
        [("region", 8), ("dealer_group", 60), ("dealer", 1_000), ("department", 4_003), ("app_user", 20_000)]
    {
        assert_eq!(count(db, table).await, rows, "rows in {table}");
    }
    let (independent,): (i64,) =
        db.fetch_one(sql("SELECT COUNT(*) FROM dealer WHERE group_id IS NULL", vec![])).await.unwrap();
    assert!((50..=400).contains(&independent), "some dealers are independent: {independent}");
    let (empty_groups,): (i64,) = db
        .fetch_one(sql("SELECT COUNT(*) FROM dealer_group g WHERE NOT EXISTS (SELECT 1 FROM dealer d WHERE d.group_id = g.id)", vec![]))
        .await
        .unwrap();
    assert_eq!(empty_groups, 0, "every group has stores");
    let roles: Vec<(String, i64)> =
        db.fetch_all(sql("SELECT role, COUNT(*) FROM app_user GROUP BY role", vec![])).await.unwrap();
    let roles: std::collections::HashMap<String, i64> = roles.into_iter().collect();
    for role in Role::ALL {
        assert!(roles.get(role.as_str()).copied().unwrap_or(0) > 0, "no {role}: {roles:?}");
    }
    assert_eq!(roles["dealer_manager"], 1_000);
    assert_eq!(roles["group_manager"], 60);
    assert!(roles["regional_manager"] >= 8);
    let (codes,): (i64,) = db.fetch_one(sql("SELECT COUNT(DISTINCT code) FROM dealer", vec![])).await.unwrap();
    assert_eq!(codes, 1_000);
    signs_in(db, seed::CONSULTANT_USERNAME, seed::SEED_PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oem_scale_seed_on_sqlite() {
    let t = TestDb::sqlite().await;
    oem_scale_seed_loads_the_network(t.db(), "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oem_scale_seed_on_postgres() {
    let t = TestDb::postgres().await;
    oem_scale_seed_loads_the_network(t.db(), "postgres").await;
}

/// Enough customers for the customers step to drop its tables' secondary indexes,
/// load bare tables and build the indexes once at the end (with the engine's
/// index-build settings): afterwards the schema is whole again and the indexed
/// lookups answer.
async fn a_seed_that_defers_its_indexes_builds_them_all_again(db: &Db) {
    let opts = SeedOptions { scale: Scale::Dealer, seed: 7, customers: Some(20_000) };
    let report = seed::run(db, &opts, &|_, _, _| {}).await.expect("seed");
    assert!(report.rows("indexes") >= 10, "the customers step deferred its indexes: {:?}", report.tables);
    assert_eq!(autocrm_store::schema::verify(db).await.expect("verify"), Vec::<String>::new(), "every index is back");
    let (mobile,): (String,) =
        db.fetch_one(sql("SELECT value FROM contact_point WHERE kind = 'mobile' ORDER BY id DESC LIMIT 1", vec![])).await.unwrap();
    let (found,): (i64,) = db
        .fetch_one(sql("SELECT COUNT(*) FROM contact_point WHERE kind = 'mobile' AND value = $1", vec![mobile.into()]))
        .await
        .unwrap();
    assert!(found >= 1, "the rebuilt contact index finds the last customer's mobile");
    // The writer goes on writing after the index build changed its settings and back.
    db.execute(sql("UPDATE setting SET value = value WHERE key = 'oem.name'", vec![])).await.expect("a write after the seed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deferred_indexes_on_sqlite() {
    let t = TestDb::sqlite().await;
    a_seed_that_defers_its_indexes_builds_them_all_again(t.db()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deferred_indexes_on_postgres() {
    let t = TestDb::postgres().await;
    a_seed_that_defers_its_indexes_builds_them_all_again(t.db()).await;
}

// ---- demo data ------------------------------------------------------------------------

async fn demo_loads_once_with_an_account_for_every_role(db: &Db) {
    let accounts = demo::ensure(db).await.expect("demo data");
    for role in Role::ALL {
        assert!(accounts.iter().any(|a| a.role == role), "no demo account for {role}");
    }
    assert!(accounts.iter().all(|a| a.password == "demo1234"));
    let names: HashSet<&str> = accounts.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(names.len(), accounts.len(), "usernames are unique");
    assert_eq!(count(db, "app_user").await, accounts.len() as i64);

    let dealer = |code: &'static str| {
        db.fetch_one::<(String, String, String, String, Option<String>)>(sql(
            "SELECT d.name, d.province, d.city, r.code, g.code FROM dealer d JOIN region r ON r.id = d.region_id \
             LEFT JOIN dealer_group g ON g.id = d.group_id WHERE d.code = $1",
            vec![code.into()],
        ))
    };
    assert_eq!(
        dealer("SH001").await.expect("SH001"),
        ("上海浦东东岳4S店".into(), "上海".into(), "上海".into(), "EAST".into(), Some("HXG".into()))
    );
    let gz = dealer("GZ001").await.expect("GZ001");
    assert_eq!((gz.0.as_str(), gz.1.as_str(), gz.2.as_str(), gz.3.as_str()), ("广州天河东岳4S店", "广东", "广州", "SOUTH"));
    assert_ne!(gz.4.as_deref(), Some("HXG"));
    let (hxg,): (i64,) = db
        .fetch_one(sql("SELECT COUNT(*) FROM dealer d JOIN dealer_group g ON g.id = d.group_id WHERE g.code = 'HXG'", vec![]))
        .await
        .unwrap();
    assert_eq!(hxg, 3);
    assert_eq!(count(db, "dealer").await, 12);
    assert_eq!(count(db, "department").await, 12 * 4 + 3);
    assert_eq!(autocrm_store::org::oem_name(db).await.unwrap(), demo::OEM_NAME);
    let audited = count(db, "audit_event").await;
    assert!(audited >= 12 + 51 + accounts.len() as i64, "every demo record is in the audit trail ({audited})");

    // Every account signs in, with a scope that reaches something.
    for a in &accounts {
        let actor = signs_in(db, &a.username, &a.password).await;
        assert_eq!(actor.role, a.role);
        assert_ne!(actor.scope, Scope::Nothing, "{} has no scope", a.username);
    }
    let consultant = signs_in(db, "consultant", "demo1234").await;
    assert_eq!(consultant.display_name, "王丽");
    let (sh001,): (i64,) = db.fetch_one(sql("SELECT id FROM dealer WHERE code = 'SH001'", vec![])).await.unwrap();
    assert_eq!(consultant.dealer_id, Some(sh001));

    // A second start reuses the data.
    let again = demo::ensure(db).await.expect("second start");
    assert_eq!(again, accounts);
    assert_eq!(count(db, "app_user").await, accounts.len() as i64);
    assert_eq!(count(db, "dealer").await, 12);

    // And benchmark data never lands on top of it.
    assert!(matches!(seed_quietly(db, Scale::Dealer, 1).await, Err(StoreError::Invalid(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_on_sqlite() {
    let t = TestDb::sqlite().await;
    demo_loads_once_with_an_account_for_every_role(t.db()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_on_postgres() {
    let t = TestDb::postgres().await;
    demo_loads_once_with_an_account_for_every_role(t.db()).await;
}
