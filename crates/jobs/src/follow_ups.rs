//! The morning reminder: every consultant with follow-ups past their time is told
//! how many, once a day, so nobody learns of a cold lead from the manager first.

use autocrm_store::job_runs::{self, Claim};
use autocrm_store::leads::today;
use autocrm_store::notifications::{self, Notice};
use autocrm_store::{Db, StoreError};
use chrono::{DateTime, Utc};

pub const NAME: &str = "follow_up_reminders";

/// Sends today's reminders unless they were sent (claimed per day); returns how
/// many consultants were told.
pub async fn daily(db: &Db, day: &str, now: DateTime<Utc>) -> Result<Option<usize>, StoreError> {
    let id = match job_runs::claim(db, NAME, day).await? {
        Claim::Run(id) => id,
        Claim::Taken(_) => return Ok(None),
    };
    let result = remind(db, now).await;
    let outcome = match &result {
        Ok(n) => Ok(format!("{{\"consultants\":{n}}}")),
        Err(e) => Err(e.to_string()),
    };
    job_runs::finish(db, id, outcome).await?;
    result.map(Some)
}

async fn remind(db: &Db, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let owners = today::overdue_by_owner(db, now).await?;
    for chunk in owners.chunks(200) {
        let mut tx = db.begin().await?;
        for (user_id, n) in chunk {
            let notice =
                Notice { user_id: *user_id, kind: "follow_ups_overdue", title: n.to_string(), body: None, link: Some("/today".into()) };
            notifications::notify(&mut tx, notice).await?;
        }
        tx.commit().await?;
    }
    Ok(owners.len())
}
