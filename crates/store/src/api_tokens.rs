//! Long-lived API tokens for integrations (DMS sync, CTI, ERP). An admin creates
//! one for a user account; the plain token is shown once; revoking takes effect
//! on the next request.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::{self, Change};
use crate::auth::{Actor, hash_token, new_secret};
use crate::db::{FromRow, Row, sql};
use crate::{Db, StoreError, now};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: i64,
    /// The first characters of the token, to recognize it in lists.
    pub prefix: String,
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl FromRow for ApiToken {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(ApiToken {
            id: r.get(0)?,
            prefix: r.get(1)?,
            user_id: r.get(2)?,
            username: r.get(3)?,
            name: r.get(4)?,
            created_at: r.get(5)?,
            expires_at: r.get(6)?,
            revoked_at: r.get(7)?,
        })
    }
}

const SELECT: &str = "SELECT t.id, t.prefix, t.user_id, u.username, t.name, t.created_at, t.expires_at, t.revoked_at \
     FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE t.kind = 'integration'";

pub async fn list(db: &Db) -> Result<Vec<ApiToken>, StoreError> {
    db.fetch_all(sql(&format!("{SELECT} ORDER BY t.id DESC"), vec![])).await
}

/// Creates a token; returns the record and the plain token (shown only now).
pub async fn create(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    name: &str,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(ApiToken, String), StoreError> {
    let token = format!("acrm_{}", new_secret());
    let mut tx = db.begin().await?;
    let user: Option<(Option<i64>,)> =
        tx.fetch_optional(sql("SELECT dealer_id FROM app_user WHERE id = $1 AND active", vec![user_id.into()])).await?;
    let Some((dealer_id,)) = user else {
        return Err(StoreError::invalid("user_id", "no such active user"));
    };
    let id = tx
        .insert_returning_id(sql(
            "INSERT INTO api_token (token_hash, prefix, user_id, name, kind, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, 'integration', $5, $6, $7)",
            vec![
                hash_token(&token).into(),
                token[..13].to_string().into(),
                user_id.into(),
                name.into(),
                actor.audit_id().into(),
                now().into(),
                expires_at.into(),
            ],
        ))
        .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "create",
            entity: "api_token",
            entity_id: Some(id),
            dealer_id,
            summary: Some(name.to_string()),
            before: None,
            after: Some(serde_json::json!({"name": name, "user_id": user_id, "expires_at": expires_at})),
        },
    )
    .await?;
    let rec: ApiToken = tx.fetch_one(sql(&format!("{SELECT} AND t.id = $1"), vec![id.into()])).await?;
    tx.commit().await?;
    Ok((rec, token))
}

pub async fn revoke(db: &Db, actor: &Actor, id: i64) -> Result<ApiToken, StoreError> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(sql(
            "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND kind = 'integration' AND revoked_at IS NULL",
            vec![now().into(), id.into()],
        ))
        .await?;
    let rec: ApiToken = tx.fetch_optional(sql(&format!("{SELECT} AND t.id = $1"), vec![id.into()])).await?.ok_or(StoreError::NotFound)?;
    if n == 1 {
        audit::record(
            &mut tx,
            actor,
            Change {
                action: "delete",
                entity: "api_token",
                entity_id: Some(id),
                dealer_id: None,
                summary: Some(rec.name.clone()),
                before: Some(serde_json::json!({"revoked_at": null})),
                after: Some(serde_json::json!({"revoked_at": rec.revoked_at})),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(rec)
}
