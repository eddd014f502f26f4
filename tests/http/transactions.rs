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

/// The audit columns the log-row tests append, and such a row (`actor` None is
/// refused: the name is required).
const LOG_COLUMNS: &[&str] = &["at", "actor_name", "action", "entity", "summary"];

fn log_row(actor: Option<&str>, summary: &str) -> Vec<sea_query::Value> {
    vec![chrono::Utc::now().into(), actor.map(str::to_string).into(), "create".into(), "test".into(), summary.into()]
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

        // Reads queued together (one round trip on PostgreSQL) come back each to its
        // own taker, in any order, from one state.
        let mut snap = db.snapshot().await.unwrap();
        let keys = snap.prefetch::<(String,)>(sql("SELECT key FROM setting WHERE key = 'meanwhile'", vec![])).unwrap();
        let counted = snap.prefetch::<(i64,)>(count()).unwrap();
        assert_eq!(snap.take(counted).await.unwrap(), [(after,)]);
        db.execute(put("later")).await.unwrap();
        assert_eq!(snap.take(keys).await.unwrap(), [("meanwhile".to_string(),)]);
        assert_eq!(snap.fetch_all::<(i64,)>(count()).await.unwrap(), [(after,)], "the later write is not part of it");
        drop(snap);

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

both_engines! {
    async fn a_prefetched_read_sees_the_writes_before_it_and_none_after(engine: Engine) {
        let t = TestDatabase::create(engine).await;
        migrations::apply(t.db()).await.unwrap();
        let db = t.db();
        let ours = || sql("SELECT key FROM setting WHERE key LIKE 'p.%' ORDER BY key", vec![]);
        let mut tx = db.begin().await.unwrap();
        tx.write_later(put("p.before")).await.unwrap();
        let early = tx.prefetch::<(String,)>(ours()).await.unwrap();
        tx.execute(put("p.after")).await.unwrap();
        let seen: Vec<String> = tx.take(early).await.unwrap().into_iter().map(|r| r.0).collect();
        assert_eq!(seen, ["p.before"], "the read ran where it was asked for, in the transaction's order");
        // Taken before anything else went out: sent then.
        let late = tx.prefetch::<(String,)>(ours()).await.unwrap();
        let seen: Vec<String> = tx.take(late).await.unwrap().into_iter().map(|r| r.0).collect();
        assert_eq!(seen, ["p.after", "p.before"]);
        tx.commit().await.unwrap();

        // A prefetch that fails fails its transaction, wherever it surfaces.
        let mut tx = db.begin().await.unwrap();
        tx.execute(put("p.rolled_back")).await.unwrap();
        let broken = tx.prefetch::<(i64,)>(sql("SELECT no_such_column FROM setting", vec![])).await;
        let outcome = match broken {
            Err(e) => Err(e),
            Ok(b) => tx.take(b).await.map(|_| ()),
        };
        assert!(outcome.is_err(), "the bad read is reported");
        drop(tx);
        assert_eq!(value_of(db, "p.rolled_back").await, None);
    }
}

both_engines! {
    async fn new_ids_are_unique_under_concurrent_transactions(engine: Engine) {
        let t = TestDatabase::create(engine).await;
        migrations::apply(t.db()).await.unwrap();
        // Each transaction writes three rows with ids it takes (one at a time, each
        // row written before the next id is asked for); every third rolls back.
        let take = |db: Db, i: usize| async move {
            let mut tx = db.begin().await.unwrap();
            let mut ids = vec![];
            for n in 0..3 {
                let id = tx.next_id("region").await.unwrap();
                tx.execute(sql(
                    "INSERT INTO region (id, code, name, active, version, created_at, updated_at) VALUES ($1, $2, 'r', $3, 1, $4, $4)",
                    vec![id.into(), format!("R{i}.{n}").into(), true.into(), chrono::Utc::now().into()],
                ))
                .await
                .unwrap();
                ids.push(id);
            }
            if i % 3 == 0 {
                drop(tx);
            } else {
                tx.commit().await.unwrap();
            }
            ids
        };
        let tasks: Vec<_> = (0..30).map(|i| tokio::spawn(take(t.db().clone(), i))).collect();
        let (mut all, mut committed) = (vec![], vec![]);
        for (i, task) in tasks.into_iter().enumerate() {
            // Not necessarily rising: on PostgreSQL two transactions refilling the
            // process's block at once each bring ids (as sessions with a sequence
            // cache do).
            let ids = task.await.unwrap();
            if i % 3 != 0 {
                committed.extend(ids.iter().copied());
            }
            all.extend(ids);
        }
        // SQLite hands a rolled-back transaction's ids out again; PostgreSQL's
        // sequence never does.
        let mut unique = if engine == autocrm_tests::Engine::Postgres { all.clone() } else { committed.clone() };
        let n = unique.len();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), n, "no id was handed out twice");
        // A row inserted the usual way (the table's own default) takes none of them.
        let fresh = {
            let mut tx = t.db().begin().await.unwrap();
            let id = tx
                .insert_returning_id(sql(
                    "INSERT INTO region (code, name, active, version, created_at, updated_at) VALUES ('plain', 'r', $1, 1, $2, $2)",
                    vec![true.into(), chrono::Utc::now().into()],
                ))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            id
        };
        let (rows,): (i64,) = t.db().fetch_one(sql("SELECT COUNT(*) FROM region", vec![])).await.unwrap();
        assert_eq!(rows, 61, "the 20 committed transactions' rows and the plain one");
        if engine == autocrm_tests::Engine::Postgres {
            // The sequence has moved past every id handed out, rolled back or not.
            assert!(all.iter().all(|id| *id < fresh), "{fresh} comes after {all:?}");
        }
    }
}

both_engines! {
    async fn appended_log_rows_are_read_back_in_order_and_fail_their_transaction_whole(engine: Engine) {
        let t = TestDatabase::create(engine).await;
        migrations::apply(t.db()).await.unwrap();
        let db = t.db();
        let row = |summary: &str| log_row(Some("t"), summary);
        let summaries = || sql("SELECT summary FROM audit_event WHERE entity = 'test' ORDER BY id", vec![]);

        let mut tx = db.begin().await.unwrap();
        tx.append("audit_event", LOG_COLUMNS, row("one")).await.unwrap();
        tx.write_later(put("between")).await.unwrap();
        tx.append("audit_event", LOG_COLUMNS, row("two")).await.unwrap();
        let seen: Vec<(Option<String>,)> = tx.fetch_all(summaries()).await.unwrap();
        assert_eq!(seen, [(Some("one".into()),), (Some("two".into()),)], "appended rows are there for the next read, in order");
        tx.append("audit_event", LOG_COLUMNS, row("three")).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.fetch_all::<(Option<String>,)>(summaries()).await.unwrap().len(), 3);
        assert_eq!(value_of(db, "between").await.as_deref(), Some("x"));

        // A bad row among those sent together fails the whole transaction.
        let mut tx = db.begin().await.unwrap();
        tx.execute(put("doomed")).await.unwrap();
        tx.append("audit_event", LOG_COLUMNS, row("four")).await.unwrap();
        let outcome = match tx.append("audit_event", LOG_COLUMNS, log_row(None, "five")).await {
            Err(e) => Err(e),
            Ok(()) => tx.commit().await,
        };
        assert!(outcome.is_err(), "a row without its actor's name is refused");
        assert_eq!(db.fetch_all::<(Option<String>,)>(summaries()).await.unwrap().len(), 3, "none of the failed transaction's rows landed");
        assert_eq!(value_of(db, "doomed").await, None);
    }
}

both_engines! {
    async fn inserts_sent_as_one_statement_land_together_or_not_at_all(engine: Engine) {
        let t = TestDatabase::create(engine).await;
        migrations::apply(t.db()).await.unwrap();
        let db = t.db();
        let logged = || sql("SELECT COUNT(*) FROM audit_event WHERE entity = 'test'", vec![]);
        // PostgreSQL sends these two inserts (into two tables) as one statement.
        let mut tx = db.begin().await.unwrap();
        tx.write_later(put("together")).await.unwrap();
        tx.append("audit_event", LOG_COLUMNS, log_row(Some("t"), "s")).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(value_of(db, "together").await.as_deref(), Some("x"));
        assert_eq!(db.fetch_one::<(i64,)>(logged()).await.unwrap().0, 1);

        // A bad row among them: neither lands.
        let mut tx = db.begin().await.unwrap();
        tx.write_later(put("queued")).await.unwrap();
        let outcome = match tx.append("audit_event", LOG_COLUMNS, log_row(None, "s")).await {
            Err(e) => Err(e),
            Ok(()) => tx.commit().await,
        };
        assert!(outcome.is_err(), "a row without its actor's name is refused");
        assert_eq!(value_of(db, "queued").await, None, "the insert sent with it did not land");
        assert_eq!(db.fetch_one::<(i64,)>(logged()).await.unwrap().0, 1);
    }
}
