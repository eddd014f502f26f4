//! Write transactions under concurrency: on SQLite those that queue for the one
//! writer share a commit (group commit), on PostgreSQL writes nobody reads go out
//! with the next statement (pipelining). Neither may change what a caller sees:
//! its work is all-or-nothing, visible to every reader once `commit` returns, and
//! a failed transaction's writes never land, whoever else committed with it.

use autocrm_store::db::sql;
use autocrm_store::{Db, StoreError, migrations};
use autocrm_tests::{TestDatabase, both_engines};

async fn value_of(db: &Db, key: &str) -> Option<String> {
    db.fetch_optional::<(String,)>(sql(
        "SELECT value FROM setting WHERE key = $1",
        vec![key.into()],
    ))
    .await
    .unwrap()
    .map(|r| r.0)
}

/// Writes setting `key` with the value `x`.
fn put(key: &str) -> autocrm_store::db::Raw {
    sql("INSERT INTO setting (key, value, updated_at) VALUES ($1, 'x', $2)", vec![key.into(), chrono::Utc::now().into()])
}

/// Writes `key` and a second row; transaction `i` fails when `i % 3 == 0` (a
/// duplicate key after its first write), else commits.
async fn one(db: Db, i: usize) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let key = format!("t.{i}");
    tx.execute(sql(
        "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, $3)",
        vec![key.clone().into(), "a".into(), chrono::Utc::now().into()],
    ))
    .await?;
    tx.write_later(sql(
        "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, $3)",
        vec![
            format!("{key}.b").into(),
            "b".into(),
            chrono::Utc::now().into(),
        ],
    ))
    .await?;
    if i % 3 == 0 {
        // Clashes with the key written above.
        tx.execute(sql(
            "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, $3)",
            vec![key.into(), "again".into(), chrono::Utc::now().into()],
        ))
        .await?;
    }
    tokio::task::yield_now().await;
    tx.commit().await?;
    // Read-your-writes on another connection, right after commit.
    assert_eq!(
        value_of(&db, &format!("t.{i}")).await.as_deref(),
        Some("a"),
        "transaction {i} is visible once committed"
    );
    Ok(())
}

both_engines! {
    async fn concurrent_transactions_keep_each_ones_work_whole_and_a_failed_ones_out(engine: Engine) {
        let t = TestDatabase::create(engine).await;
        migrations::apply(t.db()).await.unwrap();
        let tasks: Vec<_> = (0..60).map(|i| tokio::spawn(one(t.db().clone(), i))).collect();
        for (i, task) in tasks.into_iter().enumerate() {
            let result = task.await.unwrap();
            assert_eq!(result.is_err(), i % 3 == 0, "transaction {i}: {result:?}");
        }
        for i in 0..60 {
            let (a, b) = (value_of(t.db(), &format!("t.{i}")).await, value_of(t.db(), &format!("t.{i}.b")).await);
            if i % 3 == 0 {
                assert_eq!((a, b), (None, None), "nothing of failed transaction {i} landed");
            } else {
                assert_eq!((a.as_deref(), b.as_deref()), (Some("a"), Some("b")), "all of transaction {i} landed");
            }
        }
    }
}

both_engines! {
    async fn a_failing_write_sent_later_fails_its_transaction(engine: Engine) {
        let t = TestDatabase::create(engine).await;
        migrations::apply(t.db()).await.unwrap();
        let db = t.db();
        db.execute(sql("INSERT INTO setting (key, value, updated_at) VALUES ('taken', 'x', $1)", vec![chrono::Utc::now().into()])).await.unwrap();

        let mut tx = db.begin().await.unwrap();
        tx.execute(sql("INSERT INTO setting (key, value, updated_at) VALUES ('mine', 'x', $1)", vec![chrono::Utc::now().into()])).await.unwrap();
        // SQLite runs it at once; PostgreSQL sends it with the next statement or the commit.
        let later = tx.write_later(sql("INSERT INTO setting (key, value, updated_at) VALUES ('taken', 'y', $1)", vec![chrono::Utc::now().into()])).await;
        let outcome = match later {
            Err(e) => Err(e),
            Ok(()) => tx.commit().await,
        };
        assert!(matches!(outcome, Err(StoreError::Duplicate { .. })), "the clash is reported as such: {outcome:?}");
        assert_eq!(value_of(db, "mine").await, None, "the transaction's earlier write was rolled back");
        assert_eq!(value_of(db, "taken").await.as_deref(), Some("x"));
    }
}

both_engines! {
    async fn whoever_loses_a_race_for_a_key_finds_the_winners_row(engine: Engine) {
        let t = TestDatabase::create(engine).await;
        migrations::apply(t.db()).await.unwrap();
        let race = |db: Db, i: usize| async move {
            let outcome = async {
                let mut tx = db.begin().await?;
                tx.execute(sql("INSERT INTO setting (key, value, updated_at) VALUES ('race', $1, $2)", vec![format!("{i}").into(), chrono::Utc::now().into()]))
                    .await?;
                tokio::task::yield_now().await;
                tx.commit().await
            }
            .await;
            // At once, as a retried form does: the loser looks for the winner's row.
            (outcome, value_of(&db, "race").await)
        };
        let tasks: Vec<_> = (0..24).map(|i| tokio::spawn(race(t.db().clone(), i))).collect();
        let mut winners = 0;
        for task in tasks {
            let (outcome, seen) = task.await.unwrap();
            match outcome {
                Ok(()) => winners += 1,
                Err(StoreError::Duplicate { .. }) => assert!(seen.is_some(), "the row that made this one fail is there"),
                Err(e) => panic!("unexpected: {e:?}"),
            }
        }
        assert_eq!(winners, 1);
    }
}

both_engines! {
    async fn a_bulk_transaction_is_whole_and_leaves_the_writer_checking_foreign_keys(engine: Engine) {
        let t = TestDatabase::create(engine).await;
        migrations::apply(t.db()).await.unwrap();
        let db = t.db();
        // A search key of a customer that does not exist.
        let dangling = || sql("INSERT INTO search_key (customer_id, key) VALUES (999999, 'nobody')", vec![]);

        // On SQLite other writers wait for a bulk transaction, then commit after it
        // (PostgreSQL's commit side by side).
        let mut bulk = db.begin_bulk().await.unwrap();
        bulk.execute(put("bulk")).await.unwrap();
        let waiting = tokio::spawn({
            let db = db.clone();
            async move { db.execute(put("after")).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        if engine == autocrm_tests::Engine::Sqlite {
            assert_eq!(value_of(db, "after").await, None, "nothing commits in the middle of a bulk transaction");
        }
        bulk.commit().await.unwrap();
        waiting.await.unwrap().unwrap();
        assert_eq!((value_of(db, "bulk").await.as_deref(), value_of(db, "after").await.as_deref()), (Some("x"), Some("x")));
        assert!(db.execute(dangling()).await.is_err(), "foreign keys are checked again after a commit");

        // A bulk transaction dropped half-way leaves nothing behind, and the checks on.
        let mut bulk = db.begin_bulk().await.unwrap();
        bulk.execute(put("dropped")).await.unwrap();
        drop(bulk);
        assert_eq!(value_of(db, "dropped").await, None);
        assert!(db.execute(dangling()).await.is_err(), "foreign keys are checked again after a rollback");
        let (keys,): (i64,) = db.fetch_one(sql("SELECT COUNT(*) FROM search_key", vec![])).await.unwrap();
        assert_eq!(keys, 0);
    }
}

both_engines! {
    async fn a_snapshot_reads_one_state_and_gives_its_connection_back_clean(engine: Engine) {
        let t = TestDatabase::create(engine).await;
        migrations::apply(t.db()).await.unwrap();
        let db = t.db();
        let count = || sql("SELECT COUNT(*) FROM setting", vec![]);
        let mut snap = db.snapshot().await.unwrap();
        let (before,): (i64,) = snap.fetch_all(count()).await.unwrap()[0];
        db.execute(put("meanwhile")).await.unwrap();
        let (during,): (i64,) = snap.fetch_all(count()).await.unwrap()[0];
        assert_eq!(during, before, "a write committed meanwhile is not part of the snapshot");
        drop(snap);
        let (after,): (i64,) = db.fetch_one(count()).await.unwrap();
        assert_eq!(after, before + 1);

        if engine == autocrm_tests::Engine::Postgres {
            let mode = || sql("SELECT current_setting('plan_cache_mode')", vec![]);
            let mut snap = db.snapshot().await.unwrap();
            let (inside,): (String,) = snap.fetch_all(mode()).await.unwrap().remove(0);
            assert_eq!(inside, "force_generic_plan", "a snapshot keeps the plans prepared once");
            drop(snap);
            // The snapshot's transaction ends on its own; then no pooled connection
            // is left inside one, nor with the snapshot's setting.
            let idle_in_tx = || {
                sql("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'", vec![])
            };
            let mut left = 1;
            for _ in 0..50 {
                left = db.fetch_one::<(i64,)>(idle_in_tx()).await.unwrap().0;
                if left == 0 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            assert_eq!(left, 0, "every snapshot's transaction ended");
            for _ in 0..8 {
                let (outside,): (String,) = db.fetch_one(mode()).await.unwrap();
                assert_eq!(outside, "auto", "other reads plan as usual");
            }
        }
    }
}
