//! Scheduled and background work: what runs without anyone pressing a button.
//! Each job is claimed per key in the database (`store::job_runs`), so any number
//! of instances may run the scheduler and a job still runs once.

pub mod distribution;
pub mod follow_ups;
mod housekeeping;

use std::time::Duration;

use autocrm_store::Db;
use chrono::{NaiveTime, Utc};
use serde::Deserialize;

/// `[jobs]` in the configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobsConfig {
    /// Run the scheduler in this instance.
    pub enabled: bool,
    /// When the daily lead distribution runs, China time (`HH:MM`).
    pub distribution_at: String,
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig { enabled: true, distribution_at: "08:00".into() }
    }
}

impl JobsConfig {
    /// The distribution time, checked (the field is named when it is wrong).
    pub fn distribution_time(&self) -> Result<NaiveTime, String> {
        NaiveTime::parse_from_str(self.distribution_at.trim(), "%H:%M")
            .map_err(|_| format!("jobs.distribution_at: not a time of day (HH:MM): {:?}", self.distribution_at))
    }
}

/// Starts the scheduler: housekeeping every hour; the distribution and the
/// follow-up reminders once a day after their time. Returns the task (abort it to stop).
pub fn spawn(db: Db, config: &JobsConfig) -> Result<tokio::task::JoinHandle<()>, String> {
    let at = config.distribution_time()?;
    let enabled = config.enabled;
    Ok(tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        let mut minutes = 0u64;
        loop {
            tick.tick().await;
            if minutes.is_multiple_of(60) {
                housekeeping::run(&db).await;
            }
            minutes += 1;
            if enabled {
                let now = Utc::now();
                if let Err(e) = distribution::daily_if_due(&db, at, now).await {
                    tracing::warn!(error = %e, "lead distribution failed");
                }
                let local = (now + chrono::Duration::hours(8)).naive_utc();
                if local.time() >= at
                    && let Err(e) = follow_ups::daily(&db, &local.date().to_string(), now).await
                {
                    tracing::warn!(error = %e, "follow-up reminders failed");
                }
            }
        }
    }))
}
