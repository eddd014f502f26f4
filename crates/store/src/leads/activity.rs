//! What is done on a lead — calls, visits, messages, test drives, quotes, feedback,
//! stage moves — in one place: each activity is kept on the lead, shown on the
//! customer's timeline, and re-derives the lead's stage, grade and next follow-up.

use autocrm_domain::leads::Stage;
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait};
use serde::Serialize;

use super::{LEAD, Lead, rules};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::customers::timeline::{self, NewEvent};
use crate::db::{FromRow, Row, sql};
use crate::record;
use crate::scope;
use crate::{Db, StoreError, Tx, now};

/// Kinds of activity a user may log by hand (the others are written by the
/// capability that does the thing: a booked test drive, a quote, dealer feedback).
pub const MANUAL_KINDS: [&str; 4] = ["call", "visit", "message", "note"];

/// An activity to record on a lead.
#[derive(Debug, Clone)]
pub struct NewActivity {
    /// `call`, `visit`, `message`, `note`, `test_drive`, `quote`, `feedback`,
    /// `assignment`, `stage`, `close_request`, `close_approved`, `close_rejected`.
    pub kind: &'static str,
    pub outcome: Option<String>,
    pub note: Option<String>,
    /// A funnel stage this activity shows the prospect reached (a visit: showroom
    /// visit); the lead moves forward to it if it is further along.
    pub reaches: Option<Stage>,
    /// The next follow-up the user chose; `None`: the grade's rule decides.
    pub next_follow_up_at: Option<DateTime<Utc>>,
}

impl NewActivity {
    pub fn new(kind: &'static str) -> NewActivity {
        NewActivity { kind, outcome: None, note: None, reaches: None, next_follow_up_at: None }
    }
}

/// One recorded activity.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Activity {
    pub id: i64,
    pub lead_id: i64,
    pub user_id: Option<i64>,
    pub user_name: String,
    pub kind: String,
    pub outcome: Option<String>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
    pub next_follow_up_at: Option<DateTime<Utc>>,
}

impl FromRow for Activity {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(Activity {
            id: r.get(0)?,
            lead_id: r.get(1)?,
            user_id: r.get(2)?,
            user_name: r.get(3)?,
            kind: r.get(4)?,
            outcome: r.get(5)?,
            note: r.get(6)?,
            at: r.get(7)?,
            next_follow_up_at: r.get(8)?,
        })
    }
}

/// Sets the milestone of `stage` and of every funnel stage before it that is not
/// set yet (a test drive at the store is also a showroom visit).
pub(crate) fn mark_milestones(l: &mut Lead, stage: Stage, at: DateTime<Utc>) {
    let Some(rank) = stage.rank() else { return };
    for s in &Stage::FUNNEL[..=rank] {
        let slot = match s {
            Stage::Contacted => &mut l.contacted_at,
            Stage::ShowroomVisit => &mut l.visited_at,
            Stage::TestDrive => &mut l.test_drive_at,
            Stage::Quote => &mut l.quoted_at,
            Stage::Order => &mut l.ordered_at,
            Stage::Delivered => &mut l.delivered_at,
            _ => continue,
        };
        slot.get_or_insert(at);
    }
}

/// Records `a` on `lead` (read in this transaction) and returns the lead as it
/// now is. Stale if the lead changed since it was read.
pub async fn log(tx: &mut Tx, actor: &Actor, lead: &Lead, a: NewActivity) -> Result<Lead, StoreError> {
    let t = now();
    let rules = rules::lead_rules_in(tx).await?;
    let mut next = lead.clone();
    if let Some(s) = a.reaches {
        if lead.stage().is_open() && autocrm_domain::leads::can_move(lead.stage(), s) && s.rank().is_some() {
            next.stage = s.as_str().to_string();
        }
        if lead.stage().is_open() && s.rank().is_some() {
            mark_milestones(&mut next, s, t);
        }
    }
    let grade = rules.grade(next.stage(), next.timeframe());
    next.grade = grade.as_str().to_string();
    if a.kind != "note" && a.kind != "assignment" {
        next.last_activity_at = Some(t);
        next.next_follow_up_at = a.next_follow_up_at.or_else(|| rules.next_follow_up(grade, t));
    } else if let Some(n) = a.next_follow_up_at {
        next.next_follow_up_at = Some(n);
    }
    if !next.stage().is_open() && next.stage() != Stage::Order {
        next.next_follow_up_at = None;
    }
    let stored = save(tx, actor, lead, &next).await?;
    insert_activity(tx, actor, &stored, &a, t).await?;
    Ok(stored)
}

/// Writes `next` over `current` (optimistic on its version) with the audit entry.
pub(crate) async fn save(tx: &mut Tx, actor: &Actor, current: &Lead, next: &Lead) -> Result<Lead, StoreError> {
    let mut q = scope::update(&autocrm_domain::access::Scope::Oem, &LEAD);
    use record::Record;
    for (c, v) in Lead::WRITABLE.iter().zip(next.writable_values()) {
        q.value(*c, v);
    }
    q.value("version", current.version + 1).value("updated_at", now());
    q.and_where(Expr::col(("lead", "id")).eq(current.id)).and_where(Expr::col(("lead", "version")).eq(current.version));
    if tx.execute(q).await? != 1 {
        return Err(StoreError::Stale { current: current.version + 1 });
    }
    let stored: Lead = record::get_in(tx, current.id).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "update",
            entity: "lead",
            entity_id: Some(current.id),
            dealer_id: stored.dealer_id.or(current.dealer_id),
            summary: Some(stored.summary()),
            before: Some(serde_json::to_value(current).unwrap_or_default()),
            after: Some(serde_json::to_value(&stored).unwrap_or_default()),
        },
    )
    .await?;
    Ok(stored)
}

pub(crate) async fn insert_activity(tx: &mut Tx, actor: &Actor, lead: &Lead, a: &NewActivity, t: DateTime<Utc>) -> Result<(), StoreError> {
    // One row each, in statements of fixed text (prepared once): the lead's first
    // activity is written by every capture.
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let text = TEXT.get_or_init(|| crate::db::insert_text("lead_activity", &ACTIVITY_COLUMNS));
    let lead = About::of(lead);
    tx.write_later(crate::db::sql(text, activity_row(actor, &lead, a, t).into())).await?;
    timeline::add(tx, actor, event_of(&lead, a)).await
}

/// The lead an activity is about: what its row and timeline entry need.
#[derive(Debug, Clone)]
pub(crate) struct About {
    pub id: i64,
    pub customer_id: i64,
    pub dealer_id: Option<i64>,
    pub lead_no: String,
    pub next_follow_up_at: Option<DateTime<Utc>>,
}

impl About {
    pub fn of(l: &Lead) -> About {
        About { id: l.id, customer_id: l.customer_id, dealer_id: l.dealer_id, lead_no: l.lead_no.clone(), next_follow_up_at: l.next_follow_up_at }
    }
}

/// Writes activities (and their timeline entries) for many leads at once.
pub(crate) async fn insert_activities(tx: &mut Tx, actor: &Actor, items: &[(About, &NewActivity)], t: DateTime<Utc>) -> Result<(), StoreError> {
    for chunk in items.chunks(500) {
        let mut q = sea_query::Query::insert();
        q.into_table("lead_activity").columns(ACTIVITY_COLUMNS);
        for (lead, a) in chunk {
            let row: Vec<sea_query::SimpleExpr> = activity_row(actor, lead, a, t).into_iter().map(Into::into).collect();
            q.values(row).map_err(|e| StoreError::Decode(format!("activity row: {e}")))?;
        }
        if !chunk.is_empty() {
            tx.write_later(q).await?;
        }
    }
    let events: Vec<NewEvent<'_>> = items.iter().map(|(lead, a)| event_of(lead, a)).collect();
    timeline::add_many(tx, actor, &events).await
}

/// The columns of an activity's row, in the order of [`activity_row`].
const ACTIVITY_COLUMNS: [&str; 10] =
    ["lead_id", "customer_id", "dealer_id", "user_id", "user_name", "kind", "outcome", "note", "at", "next_follow_up_at"];

/// The values of an activity's row, in the order of [`ACTIVITY_COLUMNS`].
fn activity_row(actor: &Actor, lead: &About, a: &NewActivity, t: DateTime<Utc>) -> [sea_query::Value; 10] {
    [
        lead.id.into(),
        lead.customer_id.into(),
        lead.dealer_id.into(),
        actor.audit_id().into(),
        actor.display_name.clone().into(),
        a.kind.into(),
        a.outcome.clone().into(),
        a.note.clone().into(),
        t.into(),
        lead.next_follow_up_at.into(),
    ]
}

/// The customer's timeline entry of an activity.
fn event_of<'a>(lead: &About, a: &'a NewActivity) -> NewEvent<'a> {
    NewEvent {
        customer_id: lead.customer_id,
        kind: timeline_kind(a.kind),
        title: [Some(lead.lead_no.clone()), a.outcome.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · "),
        body: a.note.clone(),
        dealer_id: lead.dealer_id,
        reference: Some(("lead", lead.id)),
        due_date: None,
    }
}

/// The timeline kind of an activity kind (`lead_call`, …).
pub fn timeline_kind(kind: &str) -> &'static str {
    match kind {
        "call" => "lead_call",
        "visit" => "lead_visit",
        "message" => "lead_message",
        "note" => "lead_note",
        "test_drive" => "lead_test_drive",
        "quote" => "lead_quote",
        "feedback" => "lead_feedback",
        "assignment" => "lead_assignment",
        "close_request" => "lead_close_request",
        "close_approved" => "lead_closed",
        "close_rejected" => "lead_close_rejected",
        "distributed" => "lead_distributed",
        "created" => "lead_created",
        _ => "lead_stage",
    }
}

/// A lead's activities, newest first (the caller has checked the lead is in scope).
pub async fn for_lead(db: &Db, lead_id: i64) -> Result<Vec<Activity>, StoreError> {
    db.fetch_all(sql(
        "SELECT id, lead_id, user_id, user_name, kind, outcome, note, at, next_follow_up_at FROM lead_activity \
         WHERE lead_id = $1 ORDER BY at DESC, id DESC LIMIT 200",
        vec![lead_id.into()],
    ))
    .await
}
