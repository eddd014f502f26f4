//! In-app notifications: a new lead assigned, the day's distributed prospects, a
//! handover received. Written inside the transaction of the change they announce.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::{FromRow, Row, sql};
use crate::{Db, StoreError, Tx, now};

/// A notification to write.
pub struct Notice<'a> {
    pub user_id: i64,
    /// `lead_assigned`, `leads_distributed`, `handover`, …: the UI translates it.
    pub kind: &'a str,
    pub title: String,
    pub body: Option<String>,
    /// Where the notification leads (a page path).
    pub link: Option<String>,
}

pub async fn notify(tx: &mut Tx, n: Notice<'_>) -> Result<(), StoreError> {
    tx.write_later(sql(
        "INSERT INTO notification (user_id, kind, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        vec![n.user_id.into(), n.kind.into(), n.title.into(), n.body.into(), n.link.into(), now().into()],
    ))
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: Option<String>,
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl FromRow for Notification {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(Notification {
            id: r.get(0)?,
            kind: r.get(1)?,
            title: r.get(2)?,
            body: r.get(3)?,
            link: r.get(4)?,
            created_at: r.get(5)?,
            read_at: r.get(6)?,
        })
    }
}

/// The user's latest notifications, newest first. Notifications are always the
/// signed-in user's own: the user id is the scope.
pub async fn recent(db: &Db, user_id: i64, limit: i64) -> Result<Vec<Notification>, StoreError> {
    db.fetch_all(sql(
        "SELECT id, kind, title, body, link, created_at, read_at FROM notification WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        vec![user_id.into(), limit.into()],
    ))
    .await
}

pub async fn unread_count(db: &Db, user_id: i64) -> Result<i64, StoreError> {
    let n: (i64,) = db
        .fetch_one(sql("SELECT COUNT(*) FROM notification WHERE user_id = $1 AND read_at IS NULL", vec![user_id.into()]))
        .await?;
    Ok(n.0)
}

/// Marks one (or, with `None`, all) of the user's notifications read.
pub async fn mark_read(db: &Db, user_id: i64, id: Option<i64>) -> Result<u64, StoreError> {
    let stmt = match id {
        Some(id) => sql(
            "UPDATE notification SET read_at = $1 WHERE user_id = $2 AND id = $3 AND read_at IS NULL",
            vec![now().into(), user_id.into(), id.into()],
        ),
        None => sql("UPDATE notification SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL", vec![now().into(), user_id.into()]),
    };
    db.execute(stmt).await
}

/// One of the user's notifications (another user's is `None`).
pub async fn get(db: &Db, user_id: i64, id: i64) -> Result<Option<Notification>, StoreError> {
    db.fetch_optional(sql(
        "SELECT id, kind, title, body, link, created_at, read_at FROM notification WHERE user_id = $1 AND id = $2",
        vec![user_id.into(), id.into()],
    ))
    .await
}
