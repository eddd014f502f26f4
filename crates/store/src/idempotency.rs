//! `Idempotency-Key` on POST: the first response to a key is stored and replayed
//! for retries, so a client that lost the answer can safely send again.

use sha2::{Digest, Sha256};

use crate::db::sql;
use crate::{Db, StoreError, now};

pub enum Claim {
    /// First use of the key: go ahead, then [`complete`] it.
    Fresh,
    /// Seen before with the same request: replay this response.
    Replay { status: u16, body: String },
    /// The first request with this key is still running.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

pub fn request_hash(method_path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method_path.as_bytes());
    h.update([0]);
    h.update(body);
    crate::auth::hash_token(&format!("{:x}", h.finalize()))
}

pub async fn claim(db: &Db, actor_id: i64, key: &str, method_path: &str, hash: &str) -> Result<Claim, StoreError> {
    let inserted = db
        .execute(sql(
            "INSERT INTO idempotency_key (key, actor_id, method_path, request_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (actor_id, key) DO NOTHING",
            vec![key.into(), actor_id.into(), method_path.into(), hash.into(), now().into()],
        ))
        .await?;
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let (mp, h, status, body): (String, String, Option<i64>, Option<String>) = db
        .fetch_one(sql(
            "SELECT method_path, request_hash, status, response_body FROM idempotency_key WHERE actor_id = $1 AND key = $2",
            vec![actor_id.into(), key.into()],
        ))
        .await?;
    Ok(match (mp == method_path && h == hash, status) {
        (false, _) => Claim::Mismatch,
        (true, Some(s)) => Claim::Replay { status: s as u16, body: body.unwrap_or_default() },
        (true, None) => Claim::InProgress,
    })
}

/// Stores the response of a claimed key. Responses that changed nothing (4xx/5xx)
/// release the key instead, so the client may correct the request and retry.
pub async fn complete(db: &Db, actor_id: i64, key: &str, status: u16, body: &str) -> Result<(), StoreError> {
    if (200..300).contains(&status) {
        db.execute(sql(
            "UPDATE idempotency_key SET status = $1, response_body = $2 WHERE actor_id = $3 AND key = $4",
            vec![i64::from(status).into(), body.into(), actor_id.into(), key.into()],
        ))
        .await?;
    } else {
        release(db, actor_id, key).await?;
    }
    Ok(())
}

pub async fn release(db: &Db, actor_id: i64, key: &str) -> Result<(), StoreError> {
    db.execute(sql("DELETE FROM idempotency_key WHERE actor_id = $1 AND key = $2", vec![actor_id.into(), key.into()])).await?;
    Ok(())
}

/// Keys are kept 24 hours.
pub async fn purge(db: &Db) -> Result<u64, StoreError> {
    db.execute(sql("DELETE FROM idempotency_key WHERE created_at < $1", vec![(now() - chrono::Duration::hours(24)).into()])).await
}
