//! Lead follow-up timeliness per dealer, over the leads created in a period:
//! first contact within the grading rules' first-contact hours, open leads past
//! their follow-up date (now), and the feedback owed on distributed leads (on
//! time, late, missing). One pass over `lead` grouped by dealer.

use autocrm_domain::access::Scope;
use autocrm_domain::analytics::{Dimension, Period, Timeliness};
use autocrm_domain::leads::Stage;
use chrono::{DateTime, Duration, Utc};
use sea_query::{Cond, Condition, Expr, ExprTrait};
use serde::Serialize;

use super::funnel::{group_by, sort_rows};
use super::names::{Entity, Names};
use super::{Filters, count_if, leads_in};
use crate::db::{FromRow, Row};
use crate::{Db, Engine, StoreError};

/// One dealer's follow-up record (or the total, without a dealer).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimelinessRow {
    pub dealer_code: Option<String>,
    pub dealer_id: Option<i64>,
    pub dealer_name: Option<String>,
    pub leads: i64,
    pub contacted_in_time: i64,
    pub contacted_late: i64,
    /// Past the first-contact window without any contact.
    pub not_contacted: i64,
    /// Share of the leads past their window that were contacted within it.
    pub contact_rate: Option<f64>,
    pub open: i64,
    pub overdue: i64,
    pub overdue_rate: Option<f64>,
    pub distributed: i64,
    pub feedback_on_time: i64,
    pub feedback_late: i64,
    /// Due and not given.
    pub feedback_missing: i64,
    /// Share of the feedback due so far that came on time.
    pub feedback_rate: Option<f64>,
}

impl TimelinessRow {
    pub fn new(dealer_code: Option<String>, dealer_id: Option<i64>, dealer_name: Option<String>, t: Timeliness) -> TimelinessRow {
        TimelinessRow {
            dealer_code,
            dealer_id,
            dealer_name,
            leads: t.leads,
            contacted_in_time: t.contacted_in_time,
            contacted_late: t.contacted_late,
            not_contacted: t.not_contacted,
            contact_rate: t.contact_rate(),
            open: t.open,
            overdue: t.overdue,
            overdue_rate: t.overdue_rate(),
            distributed: t.distributed,
            feedback_on_time: t.feedback_on_time,
            feedback_late: t.feedback_late,
            feedback_missing: t.feedback_missing,
            feedback_rate: t.feedback_rate(),
        }
    }

    pub fn counts(&self) -> Timeliness {
        Timeliness {
            leads: self.leads,
            contacted_in_time: self.contacted_in_time,
            contacted_late: self.contacted_late,
            not_contacted: self.not_contacted,
            open: self.open,
            overdue: self.overdue,
            distributed: self.distributed,
            feedback_on_time: self.feedback_on_time,
            feedback_late: self.feedback_late,
            feedback_missing: self.feedback_missing,
        }
    }
}

/// One row of the aggregate: the dealer's id and its figures.
struct Counted(Option<i64>, Timeliness);

impl FromRow for Counted {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let t = Timeliness {
            leads: r.get(2)?,
            contacted_in_time: r.get(3)?,
            contacted_late: r.get(4)?,
            not_contacted: r.get(5)?,
            open: r.get(6)?,
            overdue: r.get(7)?,
            distributed: r.get(8)?,
            feedback_on_time: r.get(9)?,
            feedback_late: r.get(10)?,
            feedback_missing: r.get(11)?,
        };
        Ok(Counted(r.get(1)?, t))
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimelinessReport {
    #[schema(value_type = Object)]
    pub period: Period,
    pub filters: Filters,
    /// The grading rules' first-contact window the report judged by.
    pub first_contact_hours: i64,
    pub rows: Vec<TimelinessRow>,
    pub total: TimelinessRow,
}

/// `contacted_at` within `hours` of `created_at`. Time arithmetic between two
/// columns has no portable SQL: SQLite compares Julian days of its UTC text,
/// PostgreSQL adds an interval.
fn contacted_within(engine: Engine, hours: i64) -> Condition {
    let sql = match engine {
        Engine::Sqlite => format!("julianday(lead.contacted_at) <= julianday(lead.created_at) + {hours} / 24.0"),
        Engine::Postgres => format!("lead.contacted_at <= lead.created_at + INTERVAL '{hours} hours'"),
    };
    Cond::all().add(Expr::col(("lead", "contacted_at")).is_not_null()).add(Expr::cust(sql))
}

/// Follow-up timeliness per dealer of the leads created in `period` within `scope`.
pub async fn timeliness(db: &Db, scope: &Scope, period: &Period, filters: &Filters, now: DateTime<Utc>) -> Result<TimelinessReport, StoreError> {
    filters.check(db, scope).await?;
    let hours = crate::leads::lead_rules(db).await?.first_contact_hours;
    let col = |c: &'static str| Expr::col(("lead", c));
    let open: Vec<&str> = Stage::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str()).collect();
    let in_time = contacted_within(db.engine(), hours);
    let mut q = leads_in(scope, period, filters);
    q.and_where(col("dealer_id").is_not_null());
    group_by(&mut q, Dimension::Dealer);
    q.expr(Expr::cust("COUNT(*)"))
        .expr(count_if(in_time.clone()))
        .expr(count_if(Cond::all().add(col("contacted_at").is_not_null()).add(in_time.not())))
        .expr(count_if(Cond::all().add(col("contacted_at").is_null()).add(col("created_at").lt(now - Duration::hours(hours)))))
        .expr(count_if(Cond::all().add(col("stage").is_in(open.clone()))))
        .expr(count_if(Cond::all().add(col("stage").is_in(open)).add(col("next_follow_up_at").lt(now))))
        .expr(count_if(Cond::all().add(col("distributed_at").is_not_null())))
        .expr(count_if(Cond::all().add(col("feedback_at").is_not_null()).add(col("feedback_at").lte(col("feedback_due_at")))))
        .expr(count_if(Cond::all().add(col("feedback_at").is_not_null()).add(col("feedback_at").gt(col("feedback_due_at")))))
        .expr(count_if(
            Cond::all()
                .add(col("distributed_at").is_not_null())
                .add(col("feedback_at").is_null())
                .add(col("feedback_due_at").lt(now)),
        ));
    let found: Vec<Counted> = db.fetch_all(q).await?;
    let ids: Vec<i64> = found.iter().filter_map(|c| c.0).collect();
    let names = Names::load(db, scope, Some(Entity::Dealer), &ids).await?;
    let groups = names.fold(found.into_iter().map(|c| (None, c.0, c.1)), Timeliness::add);
    let mut rows: Vec<TimelinessRow> = groups.into_iter().map(|((code, id, name), t)| TimelinessRow::new(code, id, name, t)).collect();
    sort_rows(&mut rows, Dimension::Dealer, |r| (r.dealer_code.as_deref(), r.leads));
    let mut total = Timeliness::default();
    for r in &rows {
        total.add(&r.counts());
    }
    Ok(TimelinessReport { period: *period, filters: *filters, first_contact_hours: hours, rows, total: TimelinessRow::new(None, None, None, total) })
}
