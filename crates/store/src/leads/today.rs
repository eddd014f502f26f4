//! Reading leads for work: the list with filters, the consultant's day (due and
//! overdue follow-ups, new assignments), the manager's view of the team, and the
//! close requests waiting for approval.

use autocrm_domain::access::Scope;
use autocrm_domain::leads::{FeedbackStatus, Stage};
use chrono::{DateTime, Duration, Utc};
use sea_query::{Alias, Cond, Condition, Expr, ExprTrait, Func, JoinType, Order, SelectStatement};
use serde::Serialize;

use super::LEAD;
use crate::customers::mask_mobile;
use crate::db::{FromRow, Row};
use crate::page::{self, Page, PageRequest, SortField};
use crate::vehicles::model_label;
use crate::{Db, StoreError, scope};

pub const LEAD_SORT: [SortField; 1] = [page::int("id", "id")];

/// A lead as listed: the lead with who the customer is, the model, the owner.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeadRow {
    pub id: i64,
    pub lead_no: String,
    pub customer_id: i64,
    pub customer_name: String,
    /// Masked (`138****1234`).
    pub mobile: Option<String>,
    pub dealer_id: Option<i64>,
    pub dealer_name: Option<String>,
    pub owner_user_id: Option<i64>,
    pub owner_name: Option<String>,
    pub source: String,
    pub event: Option<String>,
    pub model_label: Option<String>,
    pub timeframe: String,
    pub grade: String,
    pub stage: String,
    pub next_follow_up_at: Option<DateTime<Utc>>,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub assigned_at: Option<DateTime<Utc>>,
    /// Someone asked to close it; a manager decides.
    pub close_pending: bool,
    pub created_at: DateTime<Utc>,
    /// The follow-up date has passed (open leads only).
    pub overdue: bool,
    /// When the daily distribution sent it to the dealer, and the feedback.
    pub distributed_at: Option<DateTime<Utc>>,
    pub feedback_due_at: Option<DateTime<Utc>>,
    pub feedback: Option<String>,
    pub feedback_at: Option<DateTime<Utc>>,
    /// `waiting`, `overdue`, `on_time` or `late` for a distributed lead.
    pub feedback_status: Option<String>,
}

impl FromRow for LeadRow {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let brand: Option<String> = r.get(11)?;
        let label = brand.map(|b| {
            let series: Option<String> = r.get(12).ok().flatten();
            let model: Option<String> = r.get(13).ok().flatten();
            let trim: Option<String> = r.get(14).ok().flatten();
            model_label(&b, series.as_deref().unwrap_or(""), model.as_deref().unwrap_or(""), trim.as_deref())
        });
        let stage: String = r.get(17)?;
        let next: Option<DateTime<Utc>> = r.get(18)?;
        let open = Stage::parse(&stage).is_some_and(|s| s.is_open());
        let mobile: Option<String> = r.get(4)?;
        let close_request: Option<String> = r.get(21)?;
        let feedback_due_at: Option<DateTime<Utc>> = r.get(24)?;
        let feedback_at: Option<DateTime<Utc>> = r.get(26)?;
        Ok(LeadRow {
            id: r.get(0)?,
            lead_no: r.get(1)?,
            customer_id: r.get(2)?,
            customer_name: r.get(3)?,
            mobile: mobile.as_deref().map(mask_mobile),
            dealer_id: r.get(5)?,
            dealer_name: r.get(6)?,
            owner_user_id: r.get(7)?,
            owner_name: r.get(8)?,
            source: r.get(9)?,
            event: r.get(10)?,
            model_label: label,
            timeframe: r.get(15)?,
            grade: r.get(16)?,
            stage,
            next_follow_up_at: next,
            last_activity_at: r.get(19)?,
            assigned_at: r.get(20)?,
            close_pending: close_request.is_some(),
            created_at: r.get(22)?,
            overdue: open && next.is_some_and(|n| n < crate::now()),
            distributed_at: r.get(23)?,
            feedback_due_at,
            feedback: r.get(25)?,
            feedback_at,
            feedback_status: feedback_due_at.map(|d| FeedbackStatus::of(d, feedback_at, crate::now()).as_str().to_string()),
        })
    }
}

/// `SELECT <LeadRow columns> FROM lead … WHERE <scope>`.
fn rows(scope: &Scope) -> SelectStatement {
    let mut q = scope::select(scope, &LEAD);
    q.columns([("lead", "id"), ("lead", "lead_no"), ("lead", "customer_id")])
        .column(("customer", "name"))
        .column(("customer", "mobile"))
        .column(("lead", "dealer_id"))
        .expr_as(Expr::col(("dealer", "name")), Alias::new("dealer_name"))
        .column(("lead", "owner_user_id"))
        .column(("app_user", "display_name"))
        .columns([("lead", "source"), ("lead", "event")])
        .columns([("vehicle_model", "brand"), ("vehicle_model", "series"), ("vehicle_model", "model"), ("vehicle_model", "trim")])
        .columns([
            ("lead", "timeframe"),
            ("lead", "grade"),
            ("lead", "stage"),
            ("lead", "next_follow_up_at"),
            ("lead", "last_activity_at"),
            ("lead", "assigned_at"),
            ("lead", "close_request"),
            ("lead", "created_at"),
            ("lead", "distributed_at"),
            ("lead", "feedback_due_at"),
            ("lead", "feedback"),
            ("lead", "feedback_at"),
        ])
        .join(JoinType::InnerJoin, "customer", Expr::col(("customer", "id")).equals(("lead", "customer_id")))
        .join(JoinType::LeftJoin, "dealer", Expr::col(("dealer", "id")).equals(("lead", "dealer_id")))
        .join(JoinType::LeftJoin, "app_user", Expr::col(("app_user", "id")).equals(("lead", "owner_user_id")))
        .join(JoinType::LeftJoin, "vehicle_model", Expr::col(("vehicle_model", "id")).equals(("lead", "model_id")));
    q
}

fn open_stages() -> Vec<&'static str> {
    Stage::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str()).collect()
}

/// Filters of the lead list.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    /// A stage, or `open` / `closed`.
    pub stage: Option<String>,
    pub grade: Option<String>,
    pub source: Option<String>,
    pub event: Option<String>,
    pub dealer_id: Option<i64>,
    pub owner_user_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// Only open leads whose follow-up date has passed.
    pub overdue: bool,
    /// Only leads with a close request waiting.
    pub close_pending: bool,
    /// Only leads someone referred.
    pub referred: bool,
    /// Distributed leads by their feedback: `any`, `awaiting` (not answered),
    /// `overdue` (due and not answered) or `answered`.
    pub distribution: Option<String>,
    /// Only leads distributed in `[from, to)`.
    pub distributed_between: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Lead number or customer name (substring).
    pub q: Option<String>,
}

/// The values of [`LeadFilter::distribution`].
pub const DISTRIBUTION_FILTERS: [&str; 4] = ["any", "awaiting", "overdue", "answered"];

impl LeadFilter {
    pub fn condition(&self, now: DateTime<Utc>) -> Condition {
        let mut c = Cond::all();
        match self.stage.as_deref() {
            Some("open") => c = c.add(Expr::col(("lead", "stage")).is_in(open_stages())),
            Some("closed") => c = c.add(Expr::col(("lead", "stage")).is_not_in(open_stages())),
            Some(s) => c = c.add(Expr::col(("lead", "stage")).eq(s)),
            None => {}
        }
        for (col, v) in [("grade", &self.grade), ("source", &self.source), ("event", &self.event)] {
            if let Some(v) = v {
                c = c.add(Expr::col(("lead", col)).eq(v.as_str()));
            }
        }
        for (col, v) in [("dealer_id", self.dealer_id), ("owner_user_id", self.owner_user_id), ("customer_id", self.customer_id)] {
            if let Some(v) = v {
                c = c.add(Expr::col(("lead", col)).eq(v));
            }
        }
        if self.overdue {
            c = c.add(Expr::col(("lead", "stage")).is_in(open_stages())).add(Expr::col(("lead", "next_follow_up_at")).lt(now));
        }
        if self.close_pending {
            c = c.add(Expr::col(("lead", "close_request")).is_not_null());
        }
        if let Some(d) = self.distribution.as_deref() {
            c = c.add(Expr::col(("lead", "distributed_at")).is_not_null());
            let answered = Expr::col(("lead", "feedback_at")).is_not_null();
            match d {
                "awaiting" => c = c.add(Expr::col(("lead", "feedback_at")).is_null()),
                "overdue" => {
                    c = c.add(Expr::col(("lead", "feedback_at")).is_null()).add(Expr::col(("lead", "feedback_due_at")).lt(now))
                }
                "answered" => c = c.add(answered),
                _ => {}
            }
        }
        if let Some((from, to)) = self.distributed_between {
            c = c.add(Expr::col(("lead", "distributed_at")).gte(from)).add(Expr::col(("lead", "distributed_at")).lt(to));
        }
        if self.referred {
            c = c.add(Expr::col(("lead", "referrer_id")).is_not_null());
        }
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let pattern = format!("%{}%", q.replace(['%', '_'], ""));
            c = c.add(
                Cond::any()
                    .add(Expr::col(("lead", "lead_no")).like(pattern.to_uppercase()))
                    .add(Expr::col(("customer", "name")).like(pattern.as_str())),
            );
        }
        c
    }
}

/// A page of leads within scope.
pub async fn list(db: &Db, scope: &Scope, f: &LeadFilter, p: &PageRequest) -> Result<Page<LeadRow>, StoreError> {
    let mut q = rows(scope);
    q.cond_where(f.condition(crate::now()));
    p.apply(&mut q, "lead");
    let found: Vec<LeadRow> = db.fetch_all(q).await?;
    Ok(p.finish(found, |r| (r.id.into(), r.id)))
}

/// The consultant's day.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Today {
    /// Follow-ups whose time has passed.
    pub overdue: Vec<LeadRow>,
    /// Follow-ups due later today.
    pub due_today: Vec<LeadRow>,
    /// Leads assigned in the last 24 hours not yet contacted.
    pub new_assignments: Vec<LeadRow>,
    /// The consultant's test drives today (China time), in time order.
    pub test_drives: Vec<crate::test_drives::TestDriveRow>,
}

/// Midnight at the end of `now`'s day in China (UTC+8).
pub fn end_of_day(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now + Duration::hours(8);
    let midnight = local.date_naive().succ_opt().unwrap_or(local.date_naive()).and_hms_opt(0, 0, 0).unwrap_or_default();
    DateTime::<Utc>::from_naive_utc_and_offset(midnight, Utc) - Duration::hours(8)
}

/// The follow-ups and new leads of `user_id` (a consultant's own leads).
pub async fn today(db: &Db, scope: &Scope, user_id: i64, now: DateTime<Utc>) -> Result<Today, StoreError> {
    let mut snap = db.snapshot().await?;
    let mine = || {
        let mut q = rows(scope);
        q.and_where(Expr::col(("lead", "owner_user_id")).eq(user_id)).and_where(Expr::col(("lead", "stage")).is_in(open_stages()));
        q
    };
    let mut due = mine();
    due.and_where(Expr::col(("lead", "next_follow_up_at")).lt(end_of_day(now)))
        .order_by(("lead", "next_follow_up_at"), Order::Asc)
        .limit(300);
    let due = snap.prefetch::<LeadRow>(due)?;
    let mut fresh = mine();
    fresh
        .and_where(Expr::col(("lead", "stage")).eq(Stage::New.as_str()))
        .and_where(Expr::col(("lead", "assigned_at")).gte(now - Duration::hours(24)))
        .order_by(("lead", "assigned_at"), Order::Desc)
        .limit(100);
    let fresh = snap.prefetch::<LeadRow>(fresh)?;
    // In the same snapshot, the three reads in one round trip: a second pooled
    // connection per request starves the PostgreSQL pool under load (every request
    // holding one, waiting for another).
    let test_drives = snap.fetch_all(crate::test_drives::views::today_query(scope, user_id, now)).await?;
    let (due, new_assignments) = (snap.take(due).await?, snap.take(fresh).await?);
    let (overdue, due_today) = due.into_iter().partition(|r| r.next_follow_up_at.is_some_and(|n| n < now));
    Ok(Today { overdue, due_today, new_assignments, test_drives })
}

/// One consultant's workload in the manager's view.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamMember {
    pub user_id: i64,
    pub name: String,
    pub dealer_id: Option<i64>,
    pub on_duty: bool,
    pub open_leads: i64,
    pub hot_leads: i64,
    pub due_today: i64,
    pub overdue: i64,
    pub new_leads: i64,
}

impl FromRow for TeamMember {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(TeamMember {
            user_id: r.get(0)?,
            name: r.get(1)?,
            dealer_id: r.get(2)?,
            on_duty: r.get(3)?,
            open_leads: r.get(4)?,
            hot_leads: r.get(5)?,
            due_today: r.get(6)?,
            overdue: r.get(7)?,
            new_leads: r.get(8)?,
        })
    }
}

/// Workload per consultant of the dealers in scope (leads in scope only).
pub async fn team(db: &Db, scope: &Scope, dealer_id: Option<i64>, now: DateTime<Utc>) -> Result<Vec<TeamMember>, StoreError> {
    let sum = |cond: Condition| {
        // Literal 1/0 (not parameters): PostgreSQL cannot type `SUM($1)`.
        let sum: sea_query::Expr = Func::sum(Expr::case(cond, Expr::cust("1")).finally(Expr::cust("0"))).into();
        Func::coalesce([sum, Expr::cust("0")])
    };
    let open = Expr::col(("lead", "stage")).is_in(open_stages());
    let mut q = scope::select(scope, &LEAD);
    q.column(("app_user", "id"))
        .column(("app_user", "display_name"))
        .column(("app_user", "dealer_id"))
        .column(("app_user", "on_duty"))
        .expr(Func::count(Expr::col(("lead", "id"))))
        .expr(sum(Cond::all().add(Expr::col(("lead", "grade")).is_in(["H", "A"]))))
        .expr(sum(Cond::all().add(Expr::col(("lead", "next_follow_up_at")).gte(now)).add(Expr::col(("lead", "next_follow_up_at")).lt(end_of_day(now)))))
        .expr(sum(Cond::all().add(Expr::col(("lead", "next_follow_up_at")).lt(now))))
        .expr(sum(Cond::all().add(Expr::col(("lead", "stage")).eq("new"))))
        .join(JoinType::InnerJoin, "app_user", Expr::col(("app_user", "id")).equals(("lead", "owner_user_id")))
        .and_where(open)
        .group_by_columns([("app_user", "id"), ("app_user", "display_name"), ("app_user", "dealer_id"), ("app_user", "on_duty")])
        .order_by(("app_user", "display_name"), Order::Asc);
    if let Some(d) = dealer_id {
        q.and_where(Expr::col(("lead", "dealer_id")).eq(d));
    }
    db.fetch_all(q).await
}

/// One lead as listed, within scope.
pub async fn row(db: &Db, scope: &Scope, id: i64) -> Result<LeadRow, StoreError> {
    let mut q = rows(scope);
    q.and_where(Expr::col(("lead", "id")).eq(id));
    db.fetch_optional(q).await?.ok_or(StoreError::NotFound)
}

/// Every consultant's open leads whose follow-up time has passed, counted: what
/// the morning reminder tells each of them.
pub async fn overdue_by_owner(db: &Db, now: DateTime<Utc>) -> Result<Vec<(i64, i64)>, StoreError> {
    let mut q = scope::select(&Scope::Oem, &LEAD);
    q.column(("lead", "owner_user_id"))
        .expr(Func::count(Expr::col(("lead", "id"))))
        .and_where(Expr::col(("lead", "owner_user_id")).is_not_null())
        .and_where(Expr::col(("lead", "stage")).is_in(open_stages()))
        .and_where(Expr::col(("lead", "next_follow_up_at")).lt(now))
        .group_by_col(("lead", "owner_user_id"));
    db.fetch_all(q).await
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Timelike, Utc};
    use proptest::prelude::*;

    use super::end_of_day;

    proptest! {
        /// The day ends at the next midnight in China: within 24 hours, never at
        /// `now` itself, and at 00:00 UTC+8.
        #[test]
        fn a_day_ends_at_the_next_midnight_in_china(secs in 0i64..4_102_444_800) {
            let now = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
            let end = end_of_day(now);
            prop_assert!(end > now && end - now <= Duration::hours(24));
            let local = end + Duration::hours(8);
            prop_assert_eq!((local.hour(), local.minute(), local.second()), (0, 0, 0));
        }
    }
}
