//! Migrations: an empty database of either engine is brought to the current
//! schema, exactly once, and what each engine ends up with matches the one schema
//! definition — and therefore each other.

use autocrm_store::db::sql;
use autocrm_store::migrations;
use autocrm_store::schema::{self, Kind};
use autocrm_tests::{Engine, TestDatabase, both_engines};

both_engines! {
    async fn migrations_apply_from_empty_and_then_never_again(engine: Engine) {
        let t = TestDatabase::create(engine).await;
        assert_eq!(migrations::current_version(t.db()).await.unwrap(), 0);

        let all: Vec<i64> = migrations::all().iter().map(|m| m.version).collect();
        assert!(!all.is_empty());
        assert!(all.windows(2).all(|w| w[0] < w[1]), "versions ascend: {all:?}");
        assert_eq!(migrations::apply(t.db()).await.unwrap(), all, "an empty database gets every migration");
        assert_eq!(migrations::apply(t.db()).await.unwrap(), Vec::<i64>::new(), "and a second start none");
        assert_eq!(migrations::current_version(t.db()).await.unwrap(), *all.last().unwrap());

        let (recorded,): (i64,) = t.db().fetch_one(sql("SELECT COUNT(*) FROM schema_migration", vec![])).await.unwrap();
        assert_eq!(recorded as usize, all.len());
    }
}

both_engines! {
    async fn the_migrated_schema_matches_the_definition(engine: Engine) {
        let t = TestDatabase::create(engine).await;
        migrations::apply(t.db()).await.unwrap();
        let diffs = schema::verify(t.db()).await.unwrap();
        assert!(diffs.is_empty(), "{engine:?} differs from the definition:\n{}", diffs.join("\n"));

        let have = schema::actual_schema(t.db()).await.unwrap();
        for table in ["region", "dealer_group", "dealer", "department", "app_user", "session", "api_token", "audit_event"] {
            assert!(have.tables.contains_key(table), "{table} exists on {engine:?}");
        }
    }
}

both_engines! {
    async fn schema_verification_notices_a_change_made_outside_the_migrations(engine: Engine) {
        let t = TestDatabase::create(engine).await;
        migrations::apply(t.db()).await.unwrap();
        t.db().execute(sql("ALTER TABLE dealer ADD COLUMN colour text", vec![])).await.unwrap();
        t.db().execute(sql("CREATE INDEX ix_dealer_city ON dealer (city)", vec![])).await.unwrap();
        let diffs = schema::verify(t.db()).await.unwrap();
        assert_eq!(diffs.len(), 2, "{diffs:?}");
        assert!(diffs.iter().any(|d| d.starts_with("table dealer")), "{diffs:?}");
        assert!(diffs.iter().any(|d| d.contains("ix_dealer_city")), "{diffs:?}");
    }
}

both_engines! {
    async fn two_servers_starting_at_once_apply_each_migration_once(engine: Engine) {
        let t = TestDatabase::create(engine).await;
        // Two processes: two handles of their own on the same database.
        let (a, b) = (
            autocrm_store::Db::connect(t.url(), 4).await.unwrap(),
            autocrm_store::Db::connect(t.url(), 4).await.unwrap(),
        );
        let (ra, rb) = tokio::join!(migrations::apply(&a), migrations::apply(&b));
        let (mut ra, rb) = (ra.expect("first instance"), rb.expect("second instance"));
        ra.extend(rb);
        ra.sort();
        let all: Vec<i64> = migrations::all().iter().map(|m| m.version).collect();
        assert_eq!(ra, all, "every migration applied by exactly one of them");
        assert!(schema::verify(t.db()).await.unwrap().is_empty());
    }
}

/// The one cross-engine check: both engines hold the same tables, columns (of the
/// same logical kind), nullability and indexes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_engines_end_up_with_the_same_schema() {
    let lite = TestDatabase::create(Engine::Sqlite).await;
    let pg = TestDatabase::create(Engine::Postgres).await;
    migrations::apply(lite.db()).await.unwrap();
    migrations::apply(pg.db()).await.unwrap();
    let l = schema::actual_schema(lite.db()).await.unwrap();
    let p = schema::actual_schema(pg.db()).await.unwrap();

    assert_eq!(l.tables.keys().collect::<Vec<_>>(), p.tables.keys().collect::<Vec<_>>(), "the same tables");
    let kinds = [Kind::Id, Kind::BigInt, Kind::Text, Kind::Bool, Kind::Timestamp, Kind::Date];
    for (table, lcols) in &l.tables {
        let pcols = &p.tables[table];
        assert_eq!(lcols.len(), pcols.len(), "{table}: {lcols:?} vs {pcols:?}");
        for ((ln, lt, lnull), (pn, pt, pnull)) in lcols.iter().zip(pcols) {
            assert_eq!(ln, pn, "{table}: column order");
            assert_eq!(lnull, pnull, "{table}.{ln}: nullability");
            let same_kind =
                kinds.iter().any(|k| k.catalog_name(Engine::Sqlite) == lt && k.catalog_name(Engine::Postgres) == pt);
            assert!(same_kind, "{table}.{ln}: {lt} on SQLite and {pt} on PostgreSQL are not one logical type");
        }
    }
    assert_eq!(l.indexes, p.indexes, "the same indexes");
}
