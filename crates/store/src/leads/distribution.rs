//! The daily distribution: the OEM's prospects (hotline, website, auto shows,
//! campaigns) still unrouted are routed, then every dealer gets its new ones with
//! a feedback deadline by heat, its managers are told, and the dealer answers on
//! each lead. Running it again sends nothing twice: a lead goes out once.

use std::collections::BTreeMap;

use autocrm_domain::access::{Role, Scope};
use autocrm_domain::customers::DealerLinkKind;
use autocrm_domain::leads::{Feedback, GradeRules, Source, Stage, Timeframe};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::activity::{self, About, NewActivity};
use super::capture::{choose_consultant, route_to_dealer};
use super::{LEAD, Lead, rules};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::sql;
use crate::notifications::{self, Notice};
use crate::{Db, StoreError, customers, now, scope};

pub const NOT_DISTRIBUTED: &str = "the lead was not distributed to a dealer";
pub const BAD_FEEDBACK: &str = "must be one of contacted, visited, not_reachable, not_interested, already_bought, invalid";

/// Which leads a run sends.
#[derive(Debug, Clone)]
pub enum Which {
    /// Every lead waiting to go out.
    Pending,
    /// Only these (an auto-show import sent at once).
    Leads(Vec<i64>),
}

/// What one run did.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Distribution {
    /// Leads that had no dealer yet and were routed now.
    pub routed: u64,
    /// Leads sent, and of them hot (H/A by timeframe).
    pub leads: u64,
    pub hot: u64,
    /// Dealers that received at least one lead.
    pub dealers: u64,
    /// OEM leads no dealer could take (no active dealer in reach).
    pub unroutable: u64,
}

/// The OEM leads a run considers, within the actor's scope: open, from an OEM
/// source, not sent yet (and only `which` of them).
fn candidates(actor: &Actor, which: &Which) -> sea_query::SelectStatement {
    use sea_query::{Expr, ExprTrait};
    let mut q = scope::select(&actor.scope, &LEAD);
    q.and_where(Expr::col(("lead", "distributed_at")).is_null())
        .and_where(Expr::col(("lead", "source")).is_in(Source::ALL.iter().filter(|s| s.from_oem()).map(|s| s.as_str())))
        .and_where(Expr::col(("lead", "stage")).is_in(Stage::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str())))
        .order_by(("lead", "id"), sea_query::Order::Asc);
    if let Which::Leads(ids) = which {
        q.and_where(Expr::col(("lead", "id")).is_in(ids.clone()));
    }
    q
}

/// Routes, then sends, the leads in the actor's scope: the system (the scheduled
/// run) and OEM staff send the whole network's, a dealer's manager pulls the
/// dealer's own. The audit trail says who ran it.
pub async fn distribute(db: &Db, actor: &Actor, which: Which) -> Result<Distribution, StoreError> {
    use sea_query::{Expr, ExprTrait};
    let mut d = Distribution::default();
    let rules = rules::lead_rules(db).await?;
    if actor.scope == Scope::Oem {
        let mut q = candidates(actor, &which);
        q.column(("lead", "id")).and_where(Expr::col(("lead", "dealer_id")).is_null());
        let unrouted: Vec<(i64,)> = db.fetch_all(q).await?;
        for (id,) in unrouted {
            if route(db, actor, id).await? {
                d.routed += 1;
            } else {
                d.unroutable += 1;
            }
        }
    }
    let mut q = candidates(actor, &which);
    q.columns([
        ("lead", "id"),
        ("lead", "dealer_id"),
        ("lead", "customer_id"),
        ("lead", "lead_no"),
        ("lead", "timeframe"),
        ("lead", "next_follow_up_at"),
    ])
    .and_where(Expr::col(("lead", "dealer_id")).is_not_null());
    let pending: Vec<(i64, i64, i64, String, String, Option<DateTime<Utc>>)> = db.fetch_all(q).await?;
    let mut by_dealer: BTreeMap<i64, Vec<(About, Timeframe)>> = BTreeMap::new();
    for (id, dealer_id, customer_id, lead_no, timeframe, next_follow_up_at) in pending {
        let t = Timeframe::parse(&timeframe).unwrap_or(Timeframe::Later);
        by_dealer
            .entry(dealer_id)
            .or_default()
            .push((About { id, customer_id, dealer_id: Some(dealer_id), lead_no, next_follow_up_at }, t));
    }
    for (dealer_id, leads) in by_dealer {
        let (sent, hot) = send(db, actor, &rules, dealer_id, &leads).await?;
        d.dealers += u64::from(sent > 0);
        d.leads += sent;
        d.hot += hot;
    }
    Ok(d)
}

/// Routes one unrouted lead to a dealer and a consultant; false when no dealer is in reach.
async fn route(db: &Db, actor: &Actor, id: i64) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let lead: Lead = scope::get_for_update(&mut tx, &Scope::Oem, &LEAD, <Lead as crate::record::Record>::COLUMNS, id).await?;
    if lead.dealer_id.is_some() {
        return Ok(true);
    }
    let place: (Option<String>, Option<String>) =
        tx.fetch_one(sql("SELECT province, city FROM customer WHERE id = $1", vec![lead.customer_id.into()])).await?;
    let oem = Actor { scope: Scope::Oem, dealer_id: None, ..actor.clone() };
    let Some((dealer, rule)) = route_to_dealer(&mut tx, &oem, lead.customer_id, lead.preferred_dealer_id, place).await? else {
        return Ok(false);
    };
    let manager = Actor { role: Role::DealerManager, ..oem };
    let (owner, consultant_rule) = choose_consultant(&mut tx, &manager, dealer, None).await?;
    let mut next = lead.clone();
    next.dealer_id = Some(dealer);
    next.dealer_rule = Some(rule.as_str().into());
    next.owner_user_id = owner;
    next.consultant_rule = consultant_rule;
    next.assigned_at = owner.map(|_| now());
    let stored = activity::save(&mut tx, actor, &lead, &next).await?;
    customers::link_dealer(&mut tx, stored.customer_id, dealer, DealerLinkKind::Lead, owner, false).await?;
    if let Some(u) = owner {
        notifications::notify(
            &mut tx,
            Notice { user_id: u, kind: "lead_assigned", title: stored.lead_no.clone(), body: None, link: Some(format!("/leads/{id}")) },
        )
        .await?;
    }
    let mut a = NewActivity::new("assignment");
    a.outcome = owner.map(|u| u.to_string());
    activity::insert_activity(&mut tx, actor, &stored, &a, now()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Sends one dealer its leads in one transaction; returns how many went out and
/// how many of them were hot.
async fn send(db: &Db, actor: &Actor, rules: &GradeRules, dealer_id: i64, leads: &[(About, Timeframe)]) -> Result<(u64, u64), StoreError> {
    let t = now();
    let mut tx = db.begin().await?;
    let mut by_due: BTreeMap<DateTime<Utc>, Vec<i64>> = BTreeMap::new();
    for (l, timeframe) in leads {
        by_due.entry(rules.feedback_due(*timeframe, t)).or_default().push(l.id);
    }
    let mut sent = Vec::with_capacity(leads.len());
    for (due, ids) in &by_due {
        for chunk in ids.chunks(500) {
            let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
            // Only those still waiting: a concurrent run may have sent some.
            let rows: Vec<(i64,)> = tx
                .fetch_all(sql(&format!("SELECT id FROM lead WHERE id IN ({list}) AND distributed_at IS NULL"), vec![]))
                .await?;
            if rows.is_empty() {
                continue;
            }
            let list = rows.iter().map(|r| r.0.to_string()).collect::<Vec<_>>().join(", ");
            tx.execute(sql(
                &format!(
                    "UPDATE lead SET distributed_at = $1, feedback_due_at = $2, version = version + 1, updated_at = $1 \
                     WHERE id IN ({list}) AND distributed_at IS NULL"
                ),
                vec![t.into(), (*due).into()],
            ))
            .await?;
            sent.extend(rows.into_iter().map(|r| (r.0, *due)));
        }
    }
    let a = NewActivity::new("distributed");
    let about: Vec<(About, &NewActivity)> =
        leads.iter().filter(|(l, _)| sent.iter().any(|s| s.0 == l.id)).map(|(l, _)| (l.clone(), &a)).collect();
    activity::insert_activities(&mut tx, actor, &about, t).await?;
    let changes = sent
        .iter()
        .map(|(id, due)| Change {
            action: "distribute",
            entity: "lead",
            entity_id: Some(*id),
            dealer_id: Some(dealer_id),
            summary: None,
            before: Some(json!({"distributed_at": null, "feedback_due_at": null})),
            after: Some(json!({"distributed_at": t, "feedback_due_at": due})),
        })
        .collect();
    audit::record_many(&mut tx, actor, changes).await?;
    let hot = leads
        .iter()
        .filter(|(l, tf)| rules.heat(*tf).is_hot() && sent.iter().any(|s| s.0 == l.id))
        .count() as u64;
    if !sent.is_empty() {
        let managers: Vec<(i64,)> = tx
            .fetch_all(sql(
                "SELECT id FROM app_user WHERE dealer_id = $1 AND role = 'dealer_manager' AND active = $2",
                vec![dealer_id.into(), true.into()],
            ))
            .await?;
        for (m,) in managers {
            notifications::notify(
                &mut tx,
                Notice {
                    user_id: m,
                    kind: "leads_distributed",
                    title: format!("{} / {hot}", sent.len()),
                    body: None,
                    link: Some("/leads/distribution".into()),
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok((sent.len() as u64, hot))
}

/// The dealer's answer on a distributed lead. The first answer's time is what the
/// SLA is measured by; a later answer replaces the word and is logged too.
pub async fn feedback(db: &Db, actor: &Actor, id: i64, word: &str, note: Option<String>) -> Result<Lead, StoreError> {
    let fb = Feedback::parse(word.trim()).ok_or_else(|| autocrm_domain::FieldError::new("feedback", BAD_FEEDBACK))?;
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
        return Err(autocrm_domain::FieldError::new("note", "must be at most 500 characters").into());
    }
    let mut tx = db.begin().await?;
    let lead: Lead = scope::get_for_update(&mut tx, &actor.scope, &LEAD, <Lead as crate::record::Record>::COLUMNS, id).await?;
    if lead.distributed_at.is_none() {
        return Err(autocrm_domain::FieldError::new("feedback", NOT_DISTRIBUTED).into());
    }
    let mut next = lead.clone();
    next.feedback = Some(fb.as_str().into());
    next.feedback_note = note.clone();
    next.feedback_at = lead.feedback_at.or(Some(now()));
    let stored = activity::save(&mut tx, actor, &lead, &next).await?;
    let mut a = NewActivity::new("feedback");
    a.outcome = Some(fb.as_str().into());
    a.note = note;
    a.reaches = fb.reaches().filter(|_| stored.stage().is_open() && stored.stage() != Stage::Order);
    let stored = activity::log(&mut tx, actor, &stored, a).await?;
    tx.commit().await?;
    Ok(stored)
}

/// One dealer's distributed leads over a period and where their feedback stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DealerFeedback {
    pub dealer_id: i64,
    pub dealer_code: String,
    pub dealer_name: String,
    pub distributed: i64,
    pub on_time: i64,
    pub late: i64,
    pub waiting: i64,
    /// Due and not answered: what the OEM chases.
    pub overdue: i64,
}

impl crate::db::FromRow for DealerFeedback {
    fn from_row(r: &crate::db::Row<'_>) -> Result<Self, StoreError> {
        Ok(DealerFeedback {
            dealer_id: r.get(0)?,
            dealer_code: r.get(1)?,
            dealer_name: r.get(2)?,
            distributed: r.get(3)?,
            on_time: r.get(4)?,
            late: r.get(5)?,
            waiting: r.get(6)?,
            overdue: r.get(7)?,
        })
    }
}

/// Feedback per dealer in scope for leads distributed in `[from, to)`, the
/// dealers with most overdue first.
pub async fn feedback_by_dealer(
    db: &Db,
    scope: &Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<DealerFeedback>, StoreError> {
    use sea_query::{Expr, ExprTrait, Func, JoinType, Order};
    let sum = |c: sea_query::Condition| -> sea_query::Expr {
        let s: sea_query::Expr = Func::sum(Expr::case(c, Expr::cust("1")).finally(Expr::cust("0"))).into();
        Func::coalesce([s, Expr::cust("0")]).into()
    };
    let given = || Expr::col(("lead", "feedback_at")).is_not_null();
    let in_time = || Expr::col(("lead", "feedback_at")).lte(Expr::col(("lead", "feedback_due_at")));
    let mut q = scope::select(scope, &LEAD);
    q.column(("dealer", "id"))
        .column(("dealer", "code"))
        .column(("dealer", "name"))
        .expr(Func::count(Expr::col(("lead", "id"))))
        .expr(sum(sea_query::Cond::all().add(given()).add(in_time())))
        .expr(sum(sea_query::Cond::all().add(given()).add(in_time().not())))
        .expr(sum(sea_query::Cond::all().add(given().not()).add(Expr::col(("lead", "feedback_due_at")).gte(now))))
        .expr_as(
            sum(sea_query::Cond::all().add(given().not()).add(Expr::col(("lead", "feedback_due_at")).lt(now))),
            sea_query::Alias::new("overdue"),
        )
        .join(JoinType::InnerJoin, "dealer", Expr::col(("dealer", "id")).equals(("lead", "dealer_id")))
        .and_where(Expr::col(("lead", "distributed_at")).gte(from))
        .and_where(Expr::col(("lead", "distributed_at")).lt(to))
        .group_by_columns([("dealer", "id"), ("dealer", "code"), ("dealer", "name")])
        .order_by_expr(Expr::cust("overdue"), Order::Desc)
        .order_by(("dealer", "code"), Order::Asc);
    db.fetch_all(q).await
}

/// How many OEM leads in scope wait for the next distribution.
pub async fn waiting(db: &Db, actor: &Actor) -> Result<i64, StoreError> {
    use sea_query::{Expr, Func};
    let mut q = candidates(actor, &Which::Pending);
    q.clear_order_by();
    q.expr(Func::count(Expr::col(("lead", "id"))));
    let (n,): (i64,) = db.fetch_one(q).await?;
    Ok(n)
}

/// The header row of a distributed-leads export.
pub const EXPORT_HEADERS: [&str; 10] = ["线索编号", "客户", "手机", "意向车型", "级别", "阶段", "来源", "派发时间", "反馈时限", "反馈"];

/// The distributed leads `f` finds in scope as CSV or Excel (mobiles masked),
/// recorded in the audit trail like every export of personal data.
pub async fn export(
    db: &Db,
    actor: &Actor,
    f: &super::today::LeadFilter,
    format: crate::imports::export::Format,
) -> Result<crate::imports::export::Exported, StoreError> {
    let mut found = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let p = crate::page::PageRequest::parse(Some(crate::page::MAX_LIMIT), Some("id"), cursor.as_deref(), &super::today::LEAD_SORT, "id")?;
        let page = super::today::list(db, &actor.scope, f, &p).await?;
        found.extend(page.items);
        cursor = page.next_cursor;
        if cursor.is_none() || found.len() as u64 >= crate::imports::export::EXPORT_MAX {
            break;
        }
    }
    let china = |t: &Option<DateTime<Utc>>| {
        t.map(|t| (t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
    };
    let rows: Vec<Vec<String>> = found
        .iter()
        .map(|r| {
            vec![
                r.lead_no.clone(),
                r.customer_name.clone(),
                r.mobile.clone().unwrap_or_default(),
                r.model_label.clone().unwrap_or_default(),
                r.grade.clone(),
                r.stage.clone(),
                r.source.clone(),
                china(&r.distributed_at),
                china(&r.feedback_due_at),
                r.feedback.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let bytes = crate::imports::export::table(&EXPORT_HEADERS, &rows, format)?;
    let mut tx = db.begin().await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "export",
            entity: "lead",
            entity_id: None,
            dealer_id: actor.dealer_id,
            summary: Some(format!("{} distributed leads exported as {}", rows.len(), format.as_str())),
            before: None,
            after: Some(json!({"rows": rows.len(), "format": format.as_str(), "masked": true})),
        },
    )
    .await?;
    tx.commit().await?;
    let stamp = now().format("%Y%m%d-%H%M%S");
    Ok(crate::imports::export::Exported { bytes, rows: rows.len(), filename: format!("distributed-leads-{stamp}.{}", format.as_str()) })
}
