//! Changing a lead: edits (timeframe, model, budget, next follow-up…), moving it
//! forward through the funnel, closing it (a consultant asks, a manager approves),
//! and assigning it to a consultant.

use autocrm_domain::FieldError;
use autocrm_domain::access::{Action, Role};
use autocrm_domain::leads::{CloseRequest, Stage, Timeframe, can_move};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::activity::{self, NewActivity};
use super::capture::{self, BAD_TIMEFRAME, NO_SUCH_MODEL};
use super::{LEAD, Lead, rules};
use crate::auth::Actor;
use crate::customers::{self, timeline};
use crate::db::sql;
use crate::notifications::{self, Notice};
use crate::{Db, StoreError, Tx, customers::today, now, scope};

pub const BAD_MOVE: &str = "cannot move there from the lead's stage";
pub const CLOSE_BY_REQUEST: &str = "closing as lost, cancelled or invalid goes through a close request";
pub const NO_REQUEST: &str = "the lead has no close request waiting";
pub const CLOSED: &str = "the lead is closed";
pub const FOLLOW_UP_PAST: &str = "must not be in the past";

/// Reads the lead within the actor's scope for a change, checking its version.
async fn current(tx: &mut Tx, actor: &Actor, id: i64, version: Option<i64>) -> Result<Lead, StoreError> {
    let lead: Lead = scope::get_for_update(tx, &actor.scope, &LEAD, <Lead as crate::record::Record>::COLUMNS, id).await?;
    if let Some(v) = version
        && v != lead.version
    {
        return Err(StoreError::Stale { current: lead.version });
    }
    Ok(lead)
}

/// Editable fields of a lead; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct LeadPatch {
    pub timeframe: Option<String>,
    pub model_id: Option<i64>,
    pub budget_yuan: Option<Option<i64>>,
    pub trade_in: Option<bool>,
    pub trade_in_model: Option<Option<String>>,
    pub competitors: Option<Option<String>>,
    pub event: Option<Option<String>>,
    pub next_follow_up_at: Option<DateTime<Utc>>,
    pub note: Option<Option<String>>,
}

pub async fn update(db: &Db, actor: &Actor, id: i64, version: Option<i64>, p: LeadPatch) -> Result<Lead, StoreError> {
    if let Some(m) = p.model_id {
        let ok: Option<(i64,)> =
            db.fetch_optional(sql("SELECT id FROM vehicle_model WHERE id = $1 AND active = $2", vec![m.into(), true.into()])).await?;
        if ok.is_none() {
            return Err(FieldError::new("model_id", NO_SUCH_MODEL).into());
        }
    }
    let timeframe = match &p.timeframe {
        Some(t) => Some(Timeframe::parse(t.trim()).ok_or_else(|| FieldError::new("timeframe", BAD_TIMEFRAME))?),
        None => None,
    };
    if p.budget_yuan.flatten().is_some_and(|b| b <= 0) {
        return Err(FieldError::new("budget_yuan", capture::BAD_BUDGET).into());
    }
    if p.next_follow_up_at.is_some_and(|n| n < now() - chrono::Duration::minutes(5)) {
        return Err(FieldError::new("next_follow_up_at", FOLLOW_UP_PAST).into());
    }
    let mut tx = db.begin().await?;
    let lead = current(&mut tx, actor, id, version).await?;
    let rules = rules::lead_rules_in(&mut tx).await?;
    let mut next = lead.clone();
    if let Some(t) = timeframe {
        next.timeframe = t.as_str().into();
        next.grade = rules.grade(next.stage(), t).as_str().into();
    }
    if let Some(m) = p.model_id {
        next.model_id = Some(m);
    }
    if let Some(b) = p.budget_yuan {
        next.budget_yuan = b;
    }
    if let Some(b) = p.trade_in {
        next.trade_in = b;
    }
    if let Some(v) = p.trade_in_model {
        next.trade_in_model = v;
    }
    if let Some(v) = p.competitors {
        next.competitors = v;
    }
    if let Some(v) = p.event {
        next.event = v;
    }
    if let Some(v) = p.note {
        next.note = v;
    }
    if let Some(n) = p.next_follow_up_at {
        if !lead.stage().is_open() {
            return Err(FieldError::new("next_follow_up_at", CLOSED).into());
        }
        next.next_follow_up_at = Some(n);
    }
    let stored = activity::save(&mut tx, actor, &lead, &next).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Logs an activity by hand (call, visit, message, note). A call or message
/// means the prospect was contacted, a visit that they came to the showroom.
pub async fn log_activity(db: &Db, actor: &Actor, id: i64, mut a: NewActivity) -> Result<Lead, StoreError> {
    if !activity::MANUAL_KINDS.contains(&a.kind) {
        return Err(FieldError::new("kind", "must be one of call, visit, message, note").into());
    }
    if a.next_follow_up_at.is_some_and(|n| n < now() - chrono::Duration::minutes(5)) {
        return Err(FieldError::new("next_follow_up_at", FOLLOW_UP_PAST).into());
    }
    let reached = a.outcome.as_deref() != Some("not_reached");
    a.reaches = match a.kind {
        "call" | "message" if reached => Some(Stage::Contacted),
        "visit" => Some(Stage::ShowroomVisit),
        _ => None,
    };
    let mut tx = db.begin().await?;
    let lead = current(&mut tx, actor, id, None).await?;
    if lead.stage().is_closed() && a.kind != "note" {
        return Err(FieldError::new("kind", CLOSED).into());
    }
    let stored = activity::log(&mut tx, actor, &lead, a).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Moves a lead forward (an order, a delivery; or skipping ahead). Closing as
/// lost/cancelled/invalid goes through [`request_close`].
pub async fn advance(db: &Db, actor: &Actor, id: i64, version: Option<i64>, to: Stage, note: Option<String>) -> Result<Lead, StoreError> {
    if to.needs_approval() {
        return Err(FieldError::new("stage", CLOSE_BY_REQUEST).into());
    }
    let mut tx = db.begin().await?;
    let lead = current(&mut tx, actor, id, version).await?;
    if !can_move(lead.stage(), to) {
        return Err(FieldError::new("stage", BAD_MOVE).into());
    }
    let mut a = NewActivity::new("stage");
    a.outcome = Some(to.as_str().into());
    a.note = note;
    a.reaches = Some(to);
    let stored = if to == Stage::Returned {
        // A returned car ends the lead: no milestone, no follow-up.
        let mut next = lead.clone();
        next.stage = to.as_str().into();
        next.grade = "F".into();
        next.closed_at = Some(now());
        next.next_follow_up_at = None;
        let s = activity::save(&mut tx, actor, &lead, &next).await?;
        activity::insert_activity(&mut tx, actor, &s, &a, now()).await?;
        s
    } else {
        activity::log(&mut tx, actor, &lead, a).await?
    };
    if matches!(to, Stage::Order | Stage::Delivered)
        && let Some(r) = stored.referrer_id
    {
        referral_converted(&mut tx, actor, &stored, r, to).await?;
    }
    tx.commit().await?;
    Ok(stored)
}

async fn referral_converted(tx: &mut Tx, actor: &Actor, lead: &Lead, referrer: i64, to: Stage) -> Result<(), StoreError> {
    timeline::add(
        tx,
        actor,
        timeline::NewEvent {
            customer_id: referrer,
            kind: if to == Stage::Order { "referral_ordered" } else { "referral_delivered" },
            title: lead.lead_no.clone(),
            body: None,
            dealer_id: lead.dealer_id,
            reference: Some(("lead", lead.id)),
            due_date: None,
        },
    )
    .await?;
    Ok(())
}

/// Asks to close a lead as lost, cancelled or invalid. A manager's request is
/// approved at once (the approval is theirs); a consultant's waits for one.
pub async fn request_close(db: &Db, actor: &Actor, id: i64, version: Option<i64>, r: CloseRequest) -> Result<Lead, StoreError> {
    let mut tx = db.begin().await?;
    let lead = current(&mut tx, actor, id, version).await?;
    let valid = r.validate(lead.stage(), today()).map_err(|mut e| StoreError::Invalid(e.remove(0)))?;
    if actor.role.grants(Action::LeadManage) {
        let stored = close(&mut tx, actor, &lead, serde_json::to_value(&valid).unwrap_or_default()).await?;
        tx.commit().await?;
        return Ok(stored);
    }
    let mut next = lead.clone();
    next.close_request = Some(serde_json::to_value(&valid).unwrap_or_default());
    next.close_requested_by = Some(actor.user_id);
    let stored = activity::save(&mut tx, actor, &lead, &next).await?;
    let mut a = NewActivity::new("close_request");
    a.outcome = Some(valid.kind.as_str().into());
    a.note = Some(valid.reason.clone());
    activity::insert_activity(&mut tx, actor, &stored, &a, now()).await?;
    tx.commit().await?;
    Ok(stored)
}

/// A manager approves or rejects a waiting close request.
pub async fn decide_close(db: &Db, actor: &Actor, id: i64, approve: bool, note: Option<String>) -> Result<Lead, StoreError> {
    let mut tx = db.begin().await?;
    let lead = current(&mut tx, actor, id, None).await?;
    let Some(request) = lead.close_request.clone() else {
        return Err(FieldError::new("approve", NO_REQUEST).into());
    };
    let stored = if approve {
        close(&mut tx, actor, &lead, request).await?
    } else {
        let mut next = lead.clone();
        next.close_request = None;
        next.close_requested_by = None;
        let s = activity::save(&mut tx, actor, &lead, &next).await?;
        let mut a = NewActivity::new("close_rejected");
        a.note = note;
        activity::insert_activity(&mut tx, actor, &s, &a, now()).await?;
        s
    };
    tx.commit().await?;
    Ok(stored)
}

async fn close(tx: &mut Tx, actor: &Actor, lead: &Lead, request: serde_json::Value) -> Result<Lead, StoreError> {
    let v: autocrm_domain::leads::ValidClose =
        serde_json::from_value(request).map_err(|e| StoreError::Decode(format!("close request: {e}")))?;
    if !can_move(lead.stage(), v.kind.stage()) {
        return Err(FieldError::new("kind", BAD_MOVE).into());
    }
    let mut next = lead.clone();
    next.stage = v.kind.stage().as_str().into();
    next.grade = "F".into();
    next.closed_at = Some(now());
    next.next_follow_up_at = None;
    next.close_request = None;
    next.lost_category = v.category.map(|c| c.as_str().into());
    next.close_reason = Some(v.reason.clone());
    next.competitor = match (&v.competitor_brand, &v.competitor_model) {
        (None, None) => None,
        (b, m) => Some([b.clone(), m.clone()].into_iter().flatten().collect::<Vec<_>>().join(" ")),
    };
    next.close_approved_by = Some(actor.user_id);
    let stored = activity::save(tx, actor, lead, &next).await?;
    let mut a = NewActivity::new("close_approved");
    a.outcome = Some(v.kind.as_str().into());
    a.note = Some(json!({"reason": v.reason, "category": v.category, "competitor": stored.competitor, "note": v.note}).to_string());
    activity::insert_activity(tx, actor, &stored, &a, now()).await?;
    Ok(stored)
}

/// Assigns a lead to a consultant of its dealer; an OEM user may also place an
/// unrouted lead at a dealer (`dealer_id`), and routing then picks the consultant
/// unless one is named.
pub async fn assign(db: &Db, actor: &Actor, id: i64, dealer_id: Option<i64>, owner: Option<i64>) -> Result<Lead, StoreError> {
    if let Some(d) = dealer_id
        && !scope::dealer_visible(db, &actor.scope, d).await?
    {
        return Err(FieldError::new("dealer_id", capture::NO_SUCH_DEALER).into());
    }
    let mut tx = db.begin().await?;
    let lead = current(&mut tx, actor, id, None).await?;
    if !lead.stage().is_open() {
        return Err(FieldError::new("owner_user_id", CLOSED).into());
    }
    let dealer = match (dealer_id, lead.dealer_id) {
        (Some(d), _) => d,
        (None, Some(d)) => d,
        (None, None) => return Err(FieldError::new("dealer_id", "is required: the lead has no dealer yet").into()),
    };
    let (new_owner, rule) = capture::choose_consultant(&mut tx, &Actor { role: Role::DealerManager, ..actor.clone() }, dealer, owner).await?;
    let mut next = lead.clone();
    if next.dealer_id != Some(dealer) {
        next.dealer_id = Some(dealer);
        next.dealer_rule = Some("manual".into());
    }
    next.owner_user_id = new_owner;
    next.consultant_rule = rule;
    next.assigned_at = Some(now());
    let stored = activity::save(&mut tx, actor, &lead, &next).await?;
    if let Some(u) = new_owner {
        customers::link_dealer(&mut tx, stored.customer_id, dealer, autocrm_domain::customers::DealerLinkKind::Lead, Some(u), false).await?;
        notifications::notify(
            &mut tx,
            Notice { user_id: u, kind: "lead_assigned", title: stored.lead_no.clone(), body: None, link: Some(format!("/leads/{id}")) },
        )
        .await?;
    }
    let mut a = NewActivity::new("assignment");
    a.outcome = new_owner.map(|u| u.to_string());
    activity::insert_activity(&mut tx, actor, &stored, &a, now()).await?;
    tx.commit().await?;
    Ok(stored)
}
