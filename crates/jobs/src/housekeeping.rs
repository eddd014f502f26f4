//! Hourly cleanup of what expires: sessions, access tokens, throttle rows,
//! idempotency keys.

use autocrm_store::Db;

pub async fn run(db: &Db) {
    let purged = autocrm_store::auth::purge_expired(db).await.and(autocrm_store::idempotency::purge(db).await);
    if let Err(e) = purged {
        tracing::warn!(error = %e, "housekeeping failed");
    }
}
