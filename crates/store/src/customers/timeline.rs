//! The customer's timeline: one list of everything that happened with a customer,
//! written by every capability (creation, edits, merges, notes, commitments,
//! vehicle events; later leads, orders, service, cases, care, mailings, points).

use chrono::NaiveDate;

use crate::auth::Actor;
use crate::db::sql;
use crate::{StoreError, Tx, now};

/// A new timeline entry. `kind` is a short stable word (`created`, `updated`,
/// `note`, `commitment`, `merged`, `vehicle_sold`…) that the UI translates.
pub struct NewEvent<'a> {
    pub customer_id: i64,
    pub kind: &'a str,
    pub title: String,
    pub body: Option<String>,
    pub dealer_id: Option<i64>,
    /// The record the entry is about (`vehicle`, 42), if any.
    pub reference: Option<(&'a str, i64)>,
    /// For commitments: when it is due.
    pub due_date: Option<NaiveDate>,
}

/// Adds an entry inside the caller's transaction (so the event and the change it
/// records commit together); sent with the next statement, together with the
/// transaction's other new entries (see [`Tx::append`]).
pub async fn add(tx: &mut Tx, actor: &Actor, e: NewEvent<'_>) -> Result<(), StoreError> {
    tx.append("timeline_event", &NEW_COLUMNS, values(actor, &e, now())).await
}

/// [`add`], waiting for the new entry's id (the demo back-dates its entries).
pub(crate) async fn add_returning_id(tx: &mut Tx, actor: &Actor, e: NewEvent<'_>) -> Result<i64, StoreError> {
    tx.insert_returning_id(insert(actor, e)).await
}

/// The columns of an entry, in the order of [`values`].
const NEW_COLUMNS: [&str; 11] =
    ["customer_id", "at", "kind", "title", "body", "actor_id", "actor_name", "dealer_id", "ref_entity", "ref_id", "due_date"];

fn insert(actor: &Actor, e: NewEvent<'_>) -> crate::db::Raw {
    sql(&crate::db::insert_text("timeline_event", &NEW_COLUMNS), values(actor, &e, now()))
}

/// The values of an entry written at `at`, in the order of [`NEW_COLUMNS`].
fn values(actor: &Actor, e: &NewEvent<'_>, at: DateTime<Utc>) -> Vec<sea_query::Value> {
    vec![
        e.customer_id.into(),
        at.into(),
        e.kind.into(),
        e.title.clone().into(),
        e.body.clone().into(),
        actor.audit_id().into(),
        actor.display_name.clone().into(),
        e.dealer_id.into(),
        e.reference.map(|r| r.0.to_string()).into(),
        e.reference.map(|r| r.1).into(),
        e.due_date.into(),
    ]
}

/// Adds many entries by one actor at once (a distribution, a handover), a few
/// hundred rows per statement.
pub async fn add_many(tx: &mut Tx, actor: &Actor, events: &[NewEvent<'_>]) -> Result<(), StoreError> {
    let at = now();
    for chunk in events.chunks(500) {
        let mut q = sea_query::Query::insert();
        q.into_table("timeline_event").columns(NEW_COLUMNS);
        for e in chunk {
            let row: Vec<sea_query::SimpleExpr> = values(actor, e, at).into_iter().map(Into::into).collect();
            q.values(row).map_err(|e| StoreError::Decode(format!("timeline row: {e}")))?;
        }
        if !chunk.is_empty() {
            tx.write_later(q).await?;
        }
    }
    Ok(())
}

// ---- reading the timeline, notes and commitments -------------------------------------------

use autocrm_domain::FieldError;
use autocrm_domain::access::Scope;
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Order};
use serde::Serialize;

use crate::db::{FromRow, Row};
use crate::page::{Page, PageRequest};
use crate::{Db, scope};

/// One entry of the timeline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimelineEvent {
    pub id: i64,
    pub customer_id: i64,
    pub at: DateTime<Utc>,
    /// `created`, `updated`, `linked`, `note`, `commitment`, `merged`, `vehicle_…`.
    pub kind: String,
    pub title: String,
    pub body: Option<String>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub dealer_id: Option<i64>,
    pub ref_entity: Option<String>,
    pub ref_id: Option<i64>,
    /// Commitments: when it is due, and when it was kept.
    pub due_date: Option<NaiveDate>,
    pub done_at: Option<DateTime<Utc>>,
    /// A commitment past its due date and not yet kept.
    pub overdue: bool,
}

const COLUMNS: [&str; 13] =
    ["id", "customer_id", "at", "kind", "title", "body", "actor_id", "actor_name", "dealer_id", "ref_entity", "ref_id", "due_date", "done_at"];

impl FromRow for TimelineEvent {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let due_date: Option<NaiveDate> = r.get(11)?;
        let done_at: Option<DateTime<Utc>> = r.get(12)?;
        let kind: String = r.get(3)?;
        let overdue = kind == "commitment" && done_at.is_none() && due_date.is_some_and(|d| d < super::today());
        Ok(TimelineEvent {
            id: r.get(0)?,
            customer_id: r.get(1)?,
            at: r.get(2)?,
            kind,
            title: r.get(4)?,
            body: r.get(5)?,
            actor_id: r.get(6)?,
            actor_name: r.get(7)?,
            dealer_id: r.get(8)?,
            ref_entity: r.get(9)?,
            ref_id: r.get(10)?,
            due_date,
            done_at,
            overdue,
        })
    }
}

/// The timeline's only sort: newest first (ids grow with time).
pub const SORT: [crate::page::SortField; 1] = [crate::page::int("id", "id")];

/// A page of a customer's timeline within scope, newest first. `kind` filters
/// (e.g. `commitment`).
pub async fn list(db: &Db, scope: &Scope, customer_id: i64, kind: Option<&str>, p: &PageRequest) -> Result<Page<TimelineEvent>, StoreError> {
    // The customer itself must be visible (404 otherwise, not an empty page).
    super::get(db, scope, customer_id).await?;
    let mut q = scope::select(scope, &super::TIMELINE);
    for c in COLUMNS {
        q.column(("timeline_event", c));
    }
    q.and_where(Expr::col(("timeline_event", "customer_id")).eq(customer_id));
    if let Some(k) = kind {
        q.and_where(Expr::col(("timeline_event", "kind")).eq(k));
    }
    p.apply(&mut q, "timeline_event");
    let rows: Vec<TimelineEvent> = db.fetch_all(q).await?;
    Ok(p.finish(rows, |e| (serde_json::json!(e.id), e.id)))
}

/// Open commitments of a customer (not yet kept), earliest due first.
pub async fn open_commitments(db: &Db, scope: &Scope, customer_id: i64) -> Result<Vec<TimelineEvent>, StoreError> {
    let mut q = scope::select(scope, &super::TIMELINE);
    for c in COLUMNS {
        q.column(("timeline_event", c));
    }
    q.and_where(Expr::col(("timeline_event", "customer_id")).eq(customer_id))
        .and_where(Expr::col(("timeline_event", "kind")).eq("commitment"))
        .and_where(Expr::col(("timeline_event", "done_at")).is_null())
        .order_by(("timeline_event", "due_date"), Order::Asc)
        .order_by(("timeline_event", "id"), Order::Asc);
    db.fetch_all(q).await
}

pub const TEXT_TOO_LONG: &str = "must be at most 2000 characters";

fn parse_text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, autocrm_domain::customers::REQUIRED));
    }
    if t.chars().count() > max {
        return Err(FieldError::new(field, if max == 200 { "must be at most 200 characters" } else { TEXT_TOO_LONG }));
    }
    Ok(t.to_string())
}

async fn get_event(tx: &mut Tx, id: i64) -> Result<TimelineEvent, StoreError> {
    tx.fetch_one(sql(&format!("SELECT {} FROM timeline_event WHERE id = $1", COLUMNS.join(", ")), vec![id.into()])).await
}

/// Writes a note or commitment on a visible customer, with its audit entry.
async fn add_entry(
    db: &Db,
    actor: &Actor,
    customer_id: i64,
    kind: &'static str,
    title: String,
    body: Option<String>,
    due_date: Option<NaiveDate>,
) -> Result<TimelineEvent, StoreError> {
    let c = super::get(db, &actor.scope, customer_id).await?;
    let mut tx = db.begin().await?;
    let id = add_returning_id(
        &mut tx,
        actor,
        NewEvent { customer_id, kind, title: title.clone(), body, dealer_id: actor.dealer_id, reference: None, due_date },
    )
    .await?;
    crate::audit::record(
        &mut tx,
        actor,
        crate::audit::Change {
            action: kind,
            entity: "customer",
            entity_id: Some(customer_id),
            dealer_id: actor.dealer_id.or(c.origin_dealer_id),
            summary: Some(format!("{} {}: {title}", c.customer_no, c.name)),
            before: None,
            after: None,
        },
    )
    .await?;
    let e = get_event(&mut tx, id).await?;
    tx.commit().await?;
    Ok(e)
}

/// A note on the customer's timeline ("called, wants a test drive on Saturday").
pub async fn add_note(db: &Db, actor: &Actor, customer_id: i64, text: &str) -> Result<TimelineEvent, StoreError> {
    let text = parse_text("text", text, 2000)?;
    add_entry(db, actor, customer_id, "note", text, None, None).await
}

/// A commitment made to the customer ("promised a free first maintenance"): who
/// promised (the actor), what, and by when.
pub async fn add_commitment(
    db: &Db,
    actor: &Actor,
    customer_id: i64,
    what: &str,
    details: Option<&str>,
    due_date: NaiveDate,
) -> Result<TimelineEvent, StoreError> {
    let what = parse_text("text", what, 200)?;
    let details = match details.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(parse_text("details", d, 2000)?),
        None => None,
    };
    add_entry(db, actor, customer_id, "commitment", what, details, Some(due_date)).await
}

/// Marks a commitment kept. Only commitments of a visible customer; marking a
/// kept one again changes nothing.
pub async fn mark_done(db: &Db, actor: &Actor, customer_id: i64, event_id: i64) -> Result<TimelineEvent, StoreError> {
    let c = super::get(db, &actor.scope, customer_id).await?;
    let mut tx = db.begin().await?;
    let e = get_event(&mut tx, event_id).await.map_err(|_| StoreError::NotFound)?;
    if e.customer_id != customer_id || e.kind != "commitment" {
        return Err(StoreError::NotFound);
    }
    if e.done_at.is_none() {
        tx.execute(sql("UPDATE timeline_event SET done_at = $1 WHERE id = $2", vec![now().into(), event_id.into()])).await?;
        crate::audit::record(
            &mut tx,
            actor,
            crate::audit::Change {
                action: "commitment_done",
                entity: "customer",
                entity_id: Some(customer_id),
                dealer_id: actor.dealer_id.or(c.origin_dealer_id),
                summary: Some(format!("{} {}: {}", c.customer_no, c.name, e.title)),
                before: None,
                after: None,
            },
        )
        .await?;
    }
    let e = get_event(&mut tx, event_id).await?;
    tx.commit().await?;
    Ok(e)
}
