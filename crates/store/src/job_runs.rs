//! Runs of scheduled jobs: a job runs once per key (the daily distribution once a
//! day) even with several instances, because claiming the key is an insert into a
//! unique index. A run that failed, or one whose instance died, can be taken over.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::db::{FromRow, Row, sql};
use crate::{Db, StoreError, now};

/// A run still `running` after this long is presumed dead and may be taken over.
pub const STALE_AFTER_MINUTES: i64 = 30;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JobRun {
    pub id: i64,
    pub name: String,
    pub run_key: String,
    /// `running`, `done` or `failed`.
    pub status: String,
    /// What the run did (JSON), or why it failed.
    pub result: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl FromRow for JobRun {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(JobRun {
            id: r.get(0)?,
            name: r.get(1)?,
            run_key: r.get(2)?,
            status: r.get(3)?,
            result: r.get(4)?,
            started_at: r.get(5)?,
            finished_at: r.get(6)?,
        })
    }
}

const COLUMNS: &str = "id, name, run_key, status, result, started_at, finished_at";

/// What claiming a key found.
#[derive(Debug, Clone)]
pub enum Claim {
    /// This caller runs it now (the run's id).
    Run(i64),
    /// Someone ran it already, or is running it.
    Taken(JobRun),
}

/// Claims `(name, key)`: a new key, a failed run and a stale running one are
/// claimed; a finished or live one is not.
pub async fn claim(db: &Db, name: &str, key: &str) -> Result<Claim, StoreError> {
    let t = now();
    let inserted = db
        .execute(sql(
            "INSERT INTO job_run (name, run_key, status, started_at) VALUES ($1, $2, 'running', $3) \
             ON CONFLICT (name, run_key) DO NOTHING",
            vec![name.into(), key.into(), t.into()],
        ))
        .await?;
    let current = get(db, name, key).await?.ok_or(StoreError::NotFound)?;
    if inserted == 1 {
        return Ok(Claim::Run(current.id));
    }
    let retry = current.status == "failed"
        || (current.status == "running" && current.started_at < t - Duration::minutes(STALE_AFTER_MINUTES));
    if retry {
        let taken = db
            .execute(sql(
                "UPDATE job_run SET status = 'running', started_at = $1, finished_at = NULL, result = NULL \
                 WHERE id = $2 AND status = $3 AND started_at = $4",
                vec![t.into(), current.id.into(), current.status.clone().into(), current.started_at.into()],
            ))
            .await?;
        if taken == 1 {
            return Ok(Claim::Run(current.id));
        }
    }
    Ok(Claim::Taken(get(db, name, key).await?.unwrap_or(current)))
}

/// Records how the run ended.
pub async fn finish(db: &Db, id: i64, outcome: Result<String, String>) -> Result<JobRun, StoreError> {
    let (status, result) = match outcome {
        Ok(r) => ("done", r),
        Err(e) => ("failed", e),
    };
    db.execute(sql(
        "UPDATE job_run SET status = $1, result = $2, finished_at = $3 WHERE id = $4",
        vec![status.into(), result.into(), now().into(), id.into()],
    ))
    .await?;
    db.fetch_optional(sql(&format!("SELECT {COLUMNS} FROM job_run WHERE id = $1"), vec![id.into()]))
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn get(db: &Db, name: &str, key: &str) -> Result<Option<JobRun>, StoreError> {
    db.fetch_optional(sql(&format!("SELECT {COLUMNS} FROM job_run WHERE name = $1 AND run_key = $2"), vec![name.into(), key.into()]))
        .await
}

/// The latest runs of a job, newest first.
pub async fn recent(db: &Db, name: &str, limit: i64) -> Result<Vec<JobRun>, StoreError> {
    db.fetch_all(sql(
        &format!("SELECT {COLUMNS} FROM job_run WHERE name = $1 ORDER BY started_at DESC, id DESC LIMIT $2"),
        vec![name.into(), limit.into()],
    ))
    .await
}
