//! The daily lead distribution as a job: once a day after its time (China time),
//! claimed per day so it runs once whatever the number of instances; and on
//! demand, when a manager distributes at once or an auto-show import is sent.

use autocrm_store::auth::Actor;
use autocrm_store::job_runs::{self, Claim, JobRun};
use autocrm_store::leads::distribution::{self, Distribution, Which};
use autocrm_store::leads::import::{self, LeadResult};
use autocrm_store::{Db, StoreError};
use chrono::{DateTime, Duration, NaiveTime, Utc};

pub const NAME: &str = "lead_distribution";

/// China Standard Time, the business day of the whole network.
fn china(t: DateTime<Utc>) -> chrono::NaiveDateTime {
    (t + Duration::hours(8)).naive_utc()
}

/// How a run ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// This call ran it.
    Ran(Distribution, JobRun),
    /// The key was run (or is running) elsewhere.
    Taken(JobRun),
}

/// Runs today's distribution when its time has come and nobody ran it yet.
pub async fn daily_if_due(db: &Db, at: NaiveTime, now: DateTime<Utc>) -> Result<Option<Outcome>, StoreError> {
    let local = china(now);
    if local.time() < at {
        return Ok(None);
    }
    let key = local.date().to_string();
    if job_runs::get(db, NAME, &key).await?.is_some_and(|r| r.status == "done") {
        return Ok(None);
    }
    Ok(Some(run(db, &Actor::system(), &key, Which::Pending).await?))
}

/// Runs the distribution under `key` (a day, or `manual:…` for a run on demand).
pub async fn run(db: &Db, actor: &Actor, key: &str, which: Which) -> Result<Outcome, StoreError> {
    let id = match job_runs::claim(db, NAME, key).await? {
        Claim::Run(id) => id,
        Claim::Taken(r) => return Ok(Outcome::Taken(r)),
    };
    match distribution::distribute(db, actor, which).await {
        Ok(d) => {
            let result = serde_json::to_string(&d).unwrap_or_default();
            let run = job_runs::finish(db, id, Ok(result)).await?;
            tracing::info!(key, leads = d.leads, dealers = d.dealers, routed = d.routed, "leads distributed");
            Ok(Outcome::Ran(d, run))
        }
        Err(e) => {
            job_runs::finish(db, id, Err(e.to_string())).await?;
            Err(e)
        }
    }
}

/// A run on demand: its own key, so it never blocks (or is blocked by) the daily one.
pub async fn now(db: &Db, actor: &Actor, which: Which) -> Result<Outcome, StoreError> {
    let key = format!("manual:{}:{}", autocrm_store::now().format("%Y-%m-%dT%H:%M:%S%.6fZ"), actor.user_id);
    run(db, actor, &key, which).await
}

/// The lead step of a committed auto-show import: every valid row becomes a lead
/// (graded, routed) and, when the OEM imported them, the new leads go out to
/// their dealers at once. `None`
/// for a plain customer import.
pub async fn import_leads(db: &Db, actor: &Actor, job: &autocrm_store::imports::Job) -> Result<Option<LeadResult>, StoreError> {
    let Some(mut options) = import::options_of(db, job.id).await? else { return Ok(None) };
    let captured = import::capture_rows(db, actor, job, &options).await?;
    let mut result = captured.result;
    // The OEM's cards go out to the dealers at once; a dealer's own import stays its own.
    if !captured.created.is_empty() && actor.dealer_id.is_none() {
        if let Outcome::Ran(d, _) = now(db, &Actor::system(), Which::Leads(captured.created)).await? {
            result.distributed = d.leads;
        }
    }
    options.result = Some(result.clone());
    import::save_result(db, job.id, &options).await?;
    Ok(Some(result))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_business_day_is_chinas() {
        let t = DateTime::parse_from_rfc3339("2026-12-01T23:30:00Z").map(|d| d.with_timezone(&Utc)).unwrap_or_default();
        assert_eq!(china(t).date().to_string(), "2026-12-02", "07:30 the next morning in Beijing");
        assert_eq!(china(t).time(), NaiveTime::from_hms_opt(7, 30, 0).unwrap_or_default());
    }
}
