//! The audit trail: every create, update and delete of business data, with the
//! actor, the time and the fields before and after. Append-only: the schema has
//! triggers that refuse UPDATE and DELETE, and the application has no route to
//! change an entry.

use autocrm_domain::access::Scope;
use autocrm_domain::audit::{changed_fields, redact};
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait};
use serde::Serialize;
use serde_json::Value;

use crate::db::{FromRow, Row};
use crate::page::{self, Page, PageRequest, SortField};
use crate::scope::{self, Scoped};
use crate::{Db, StoreError, Tx, auth::Actor, now};

pub const AUDIT: Scoped = Scoped::by_dealer("audit_event", "dealer_id");

/// One change to record. `dealer_id` is the dealer the changed row belongs to, so
/// the entry is visible to that dealer's managers and no one else's.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub dealer_id: Option<i64>,
    pub summary: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Records a change inside the transaction that makes it, so there is no change
/// without its entry and no entry without its change. Appended ([`Tx::append`]):
/// one prepared statement of fixed text on SQLite, where building and rendering a
/// query for each was work done while holding the one writer (see BENCHMARKS.md,
/// quick capture, 2026-12-03); on PostgreSQL one insert with the transaction's
/// other new entries.
pub async fn record(tx: &mut Tx, actor: &Actor, c: Change<'_>) -> Result<(), StoreError> {
    tx.append("audit_event", &COLUMNS, row(actor, c, now()).into()).await
}

/// Records many changes made by one bulk step (a distribution, a handover) with
/// multi-row inserts: the same entries [`record`] would write, one statement per
/// few hundred.
pub async fn record_many(tx: &mut Tx, actor: &Actor, changes: Vec<Change<'_>>) -> Result<(), StoreError> {
    let at = now();
    let mut changes = changes.into_iter().peekable();
    while changes.peek().is_some() {
        let mut q = sea_query::Query::insert();
        q.into_table("audit_event").columns(COLUMNS);
        for c in changes.by_ref().take(400) {
            let row: Vec<sea_query::SimpleExpr> = row(actor, c, at).into_iter().map(Into::into).collect();
            q.values(row).map_err(|e| StoreError::Decode(format!("audit row: {e}")))?;
        }
        tx.write_later(q).await?;
    }
    Ok(())
}

/// The columns of an entry, in the order of [`row`].
const COLUMNS: [&str; 10] =
    ["at", "actor_id", "actor_name", "action", "entity", "entity_id", "dealer_id", "summary", "before_json", "after_json"];

/// The values of one entry, in the order of [`COLUMNS`]: secrets
/// redacted, and of a change with both sides only the fields that differ.
fn row(actor: &Actor, c: Change<'_>, at: DateTime<Utc>) -> [sea_query::Value; 10] {
    let (before, after) = match (c.before.map(redact), c.after.map(redact)) {
        (Some(b), Some(a)) => {
            let (b, a) = changed_fields(&b, &a);
            (Some(b), Some(a))
        }
        other => other,
    };
    [
        at.into(),
        actor.audit_id().into(),
        actor.username.clone().into(),
        c.action.into(),
        c.entity.into(),
        c.entity_id.into(),
        c.dealer_id.into(),
        c.summary.into(),
        before.map(|v| v.to_string()).into(),
        after.map(|v| v.to_string()).into(),
    ]
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub dealer_id: Option<i64>,
    pub summary: Option<String>,
    #[schema(value_type = Object)]
    pub before: Option<Value>,
    #[schema(value_type = Object)]
    pub after: Option<Value>,
}

impl FromRow for AuditEvent {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        Ok(AuditEvent {
            id: r.get(0)?,
            at: r.get(1)?,
            actor_id: r.get(2)?,
            actor_name: r.get(3)?,
            action: r.get(4)?,
            entity: r.get(5)?,
            entity_id: r.get(6)?,
            dealer_id: r.get(7)?,
            summary: r.get(8)?,
            before: json(r.get(9)?),
            after: json(r.get(10)?),
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub action: Option<String>,
    pub actor: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

pub const SORT: [SortField; 1] = [page::int("at", "id")];

pub async fn list(db: &Db, scope: &Scope, f: &Filter, p: &PageRequest) -> Result<Page<AuditEvent>, StoreError> {
    let mut q = scope::select(scope, &AUDIT);
    for c in [
        "id", "at", "actor_id", "actor_name", "action", "entity", "entity_id", "dealer_id", "summary", "before_json", "after_json",
    ] {
        q.column(("audit_event", c));
    }
    if let Some(e) = &f.entity {
        q.and_where(Expr::col(("audit_event", "entity")).eq(e.as_str()));
    }
    if let Some(id) = f.entity_id {
        q.and_where(Expr::col(("audit_event", "entity_id")).eq(id));
    }
    if let Some(a) = &f.action {
        q.and_where(Expr::col(("audit_event", "action")).eq(a.as_str()));
    }
    if let Some(a) = &f.actor {
        q.and_where(Expr::col(("audit_event", "actor_name")).eq(a.as_str()));
    }
    if let Some(t) = f.from {
        q.and_where(Expr::col(("audit_event", "at")).gte(t));
    }
    if let Some(t) = f.to {
        q.and_where(Expr::col(("audit_event", "at")).lt(t));
    }
    p.apply(&mut q, "audit_event");
    let rows: Vec<AuditEvent> = db.fetch_all(q).await?;
    Ok(p.finish(rows, |e| (e.id.into(), e.id)))
}
