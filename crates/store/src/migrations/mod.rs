//! Numbered schema migrations, one file per version. `serve` and `demo` apply
//! pending ones on start; `autocrm migrate` applies them explicitly.

mod v001_platform;
mod v002_customers;
mod v003_imports;
mod v004_leads;
mod v005_rotation;
mod v006_detection;
mod v007_screen_pop;
mod v008_lead_sparse_keys;
mod v009_timeline_order;
mod v010_screen_pop_card;

use crate::db::sql;
use crate::schema::Change;
use crate::{Db, Engine, StoreError};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub changes: Vec<Change>,
}

/// Every migration, in order.
pub fn all() -> Vec<Migration> {
    vec![
        Migration { version: 1, name: "platform", changes: v001_platform::changes() },
        Migration { version: 2, name: "customers", changes: v002_customers::changes() },
        Migration { version: 3, name: "imports", changes: v003_imports::changes() },
        Migration { version: 4, name: "leads", changes: v004_leads::changes() },
        Migration { version: 5, name: "rotation", changes: v005_rotation::changes() },
        Migration { version: 6, name: "detection", changes: v006_detection::changes() },
        Migration { version: 7, name: "screen_pop", changes: v007_screen_pop::changes() },
        Migration { version: 8, name: "lead_sparse_keys", changes: v008_lead_sparse_keys::changes() },
        Migration { version: 9, name: "timeline_order", changes: v009_timeline_order::changes() },
        Migration { version: 10, name: "screen_pop_card", changes: v010_screen_pop_card::changes() },
    ]
}

/// Applies pending migrations, each in its own transaction; returns the versions
/// applied. Safe when several instances start at once on PostgreSQL (advisory lock).
pub async fn apply(db: &Db) -> Result<Vec<i64>, StoreError> {
    let create = match db.engine() {
        Engine::Sqlite => {
            "CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)"
        }
        Engine::Postgres => {
            "CREATE TABLE IF NOT EXISTS schema_migration (version bigint PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)"
        }
    };
    let mut tx = db.begin().await?;
    if db.engine() == Engine::Postgres {
        // Two instances creating the table at once would clash in PostgreSQL's
        // catalog (duplicate pg_type row) despite IF NOT EXISTS.
        tx.batch("SELECT pg_advisory_xact_lock(7410001)").await?;
    }
    db.batch(&mut tx, create).await?;
    tx.commit().await?;

    let mut applied = Vec::new();
    for m in all() {
        let mut tx = db.begin().await?;
        if db.engine() == Engine::Postgres {
            tx.batch("SELECT pg_advisory_xact_lock(7410001)").await?;
        }
        let done: Option<(i64,)> = tx
            .fetch_optional(sql("SELECT version FROM schema_migration WHERE version = $1", vec![m.version.into()]))
            .await?;
        if done.is_some() {
            continue;
        }
        for change in &m.changes {
            tx.batch(&change.render(db.engine())).await?;
        }
        tx.execute(sql(
            "INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, $3)",
            vec![m.version.into(), m.name.into(), crate::now().into()],
        ))
        .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
        applied.push(m.version);
    }
    Ok(applied)
}

/// The highest applied version (0 on an empty database).
pub async fn current_version(db: &Db) -> Result<i64, StoreError> {
    let v: Result<(Option<i64>,), _> = db.fetch_one(sql("SELECT MAX(version) FROM schema_migration", vec![])).await;
    Ok(v.map(|v| v.0.unwrap_or(0)).unwrap_or(0))
}
