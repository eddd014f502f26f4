//! The funnel report: leads created in a period, grouped by one dimension, with
//! how many reached each stage (a later milestone counts for the earlier stages),
//! how many were lost or invalid, and the rates between them. One pass over
//! `lead`: `GROUP BY <dimension>` with one `SUM(CASE …)` per figure.

use autocrm_domain::access::Scope;
use autocrm_domain::analytics::{Dimension, FunnelCounts, Period, reached_by};
use autocrm_domain::leads::{Grade, Source, Stage, Timeframe};
use sea_query::{Cond, Expr, ExprTrait, SelectStatement};
use serde::Serialize;

use super::names::{Entity, Names};
use super::{Filters, any_set, count_if, leads_in};
use crate::db::{FromRow, Row};
use crate::{Db, StoreError};

/// The lead column holding the milestone of a funnel stage (none for `new`).
pub(crate) fn milestone(stage: Stage) -> Option<&'static str> {
    match stage {
        Stage::Contacted => Some("contacted_at"),
        Stage::ShowroomVisit => Some("visited_at"),
        Stage::TestDrive => Some("test_drive_at"),
        Stage::Quote => Some("quoted_at"),
        Stage::Order => Some("ordered_at"),
        Stage::Delivered => Some("delivered_at"),
        _ => None,
    }
}

/// The condition "the lead reached `stage`" (the domain's rule, in SQL).
pub(crate) fn reached(stage: Stage) -> sea_query::Condition {
    let cols: Vec<&'static str> = reached_by(stage).iter().filter_map(|s| milestone(*s)).collect();
    any_set("lead", &cols)
}

/// Adds the group of `by` as the first two columns — a text key (source, event,
/// timeframe, grade) or an entity id (dealer, consultant; regions are grouped by
/// dealer here and rolled up by [`Names`]) — with its GROUP BY. No join per row.
pub(crate) fn group_by(q: &mut SelectStatement, by: Dimension) {
    let col = match by {
        Dimension::Source | Dimension::Event | Dimension::Timeframe | Dimension::Grade => ("lead", by.as_str()),
        Dimension::Dealer | Dimension::Region => ("lead", "dealer_id"),
        Dimension::Consultant => ("lead", "owner_user_id"),
    };
    match Entity::of(by) {
        None => q.expr(Expr::col(col)).expr(Expr::cust("CAST(NULL AS BIGINT)")),
        Some(_) => q.expr(Expr::cust("CAST(NULL AS TEXT)")).expr(Expr::col(col)),
    };
    q.group_by_col(col);
}

/// Orders report rows: enumerations in their own order (the funnel of timeframes
/// reads immediately → later), everything else by size.
pub(crate) fn sort_rows<T>(rows: &mut [T], by: Dimension, key: impl Fn(&T) -> (Option<&str>, i64)) {
    let rank = |k: Option<&str>| -> usize {
        let k = k.unwrap_or("");
        match by {
            Dimension::Timeframe => Timeframe::parse(k).and_then(|t| Timeframe::ALL.iter().position(|x| *x == t)),
            Dimension::Grade => Grade::parse(k).and_then(|g| Grade::ALL.iter().position(|x| *x == g)),
            Dimension::Source => Source::parse(k).and_then(|s| Source::ALL.iter().position(|x| *x == s)).map(|_| 0),
            _ => Some(0),
        }
        .unwrap_or(usize::MAX)
    };
    rows.sort_by(|a, b| {
        let (ka, na) = key(a);
        let (kb, nb) = key(b);
        rank(ka).cmp(&rank(kb)).then(nb.cmp(&na)).then(ka.cmp(&kb))
    });
}

/// The stage-to-stage conversion rates of a row (share of the stage before).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepRates {
    pub contacted: Option<f64>,
    pub visited: Option<f64>,
    pub test_drive: Option<f64>,
    pub quoted: Option<f64>,
    pub ordered: Option<f64>,
    pub delivered: Option<f64>,
}

/// One group of the funnel.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FunnelRow {
    /// The group: a source, event, timeframe or grade value; a dealer's or
    /// region's code; a consultant's username. `None`: leads without one.
    pub key: Option<String>,
    /// The dealer's, consultant's or region's id.
    pub id: Option<i64>,
    /// The dealer's, consultant's or region's name.
    pub label: Option<String>,
    pub leads: i64,
    pub contacted: i64,
    pub visited: i64,
    pub test_drive: i64,
    pub quoted: i64,
    pub ordered: i64,
    pub delivered: i64,
    pub lost: i64,
    pub invalid: i64,
    /// Cancelled orders and returned cars.
    pub cancelled: i64,
    /// Each stage as a share of the stage before it.
    pub step_rates: StepRates,
    /// Leads that became orders.
    pub order_rate: Option<f64>,
    /// Leads that ended with a delivered car.
    pub delivery_rate: Option<f64>,
    pub lost_rate: Option<f64>,
    pub invalid_rate: Option<f64>,
}

impl FunnelRow {
    pub fn new(key: Option<String>, id: Option<i64>, label: Option<String>, c: FunnelCounts) -> FunnelRow {
        let r = c.step_rates();
        FunnelRow {
            key,
            id,
            label,
            leads: c.leads,
            contacted: c.contacted,
            visited: c.visited,
            test_drive: c.test_drive,
            quoted: c.quoted,
            ordered: c.ordered,
            delivered: c.delivered,
            lost: c.lost,
            invalid: c.invalid,
            cancelled: c.cancelled,
            step_rates: StepRates { contacted: r[0], visited: r[1], test_drive: r[2], quoted: r[3], ordered: r[4], delivered: r[5] },
            order_rate: c.order_rate(),
            delivery_rate: c.delivery_rate(),
            lost_rate: c.lost_rate(),
            invalid_rate: c.invalid_rate(),
        }
    }

    /// The counts again, for charts and totals.
    pub fn counts(&self) -> FunnelCounts {
        FunnelCounts {
            leads: self.leads,
            contacted: self.contacted,
            visited: self.visited,
            test_drive: self.test_drive,
            quoted: self.quoted,
            ordered: self.ordered,
            delivered: self.delivered,
            lost: self.lost,
            invalid: self.invalid,
            cancelled: self.cancelled,
        }
    }
}

/// One row of the aggregate: the group's key or id and its counts.
struct Counted(Option<String>, Option<i64>, FunnelCounts);

impl FromRow for Counted {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let c = FunnelCounts {
            leads: r.get(2)?,
            contacted: r.get(3)?,
            visited: r.get(4)?,
            test_drive: r.get(5)?,
            quoted: r.get(6)?,
            ordered: r.get(7)?,
            delivered: r.get(8)?,
            lost: r.get(9)?,
            invalid: r.get(10)?,
            cancelled: r.get(11)?,
        };
        Ok(Counted(r.get(0)?, r.get(1)?, c))
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FunnelReport {
    #[schema(value_type = Object)]
    pub period: Period,
    /// The dimension of the rows.
    pub by: String,
    pub filters: Filters,
    pub rows: Vec<FunnelRow>,
    /// All rows together.
    pub total: FunnelRow,
}

/// The funnel of the leads created in `period` within `scope`, grouped `by`.
pub async fn funnel(db: &Db, scope: &Scope, period: &Period, by: Dimension, filters: &Filters) -> Result<FunnelReport, StoreError> {
    filters.check(db, scope).await?;
    let mut q = leads_in(scope, period, filters);
    group_by(&mut q, by);
    q.expr(Expr::cust("COUNT(*)"));
    for s in &Stage::FUNNEL[1..] {
        q.expr(count_if(reached(*s)));
    }
    let stage_in = |stages: &[Stage]| Cond::all().add(Expr::col(("lead", "stage")).is_in(stages.iter().map(|s| s.as_str())));
    q.expr(count_if(stage_in(&[Stage::Lost])))
        .expr(count_if(stage_in(&[Stage::Invalid])))
        .expr(count_if(stage_in(&[Stage::Cancelled, Stage::Returned])));
    let found: Vec<Counted> = db.fetch_all(q).await?;
    let ids: Vec<i64> = found.iter().filter_map(|c| c.1).collect();
    let names = Names::load(db, scope, Entity::of(by), &ids).await?;
    let groups = names.fold(found.into_iter().map(|c| (c.0, c.1, c.2)), FunnelCounts::add);
    let mut rows: Vec<FunnelRow> = groups.into_iter().map(|((key, id, label), c)| FunnelRow::new(key, id, label, c)).collect();
    sort_rows(&mut rows, by, |r| (r.key.as_deref(), r.leads));
    let mut total = FunnelCounts::default();
    for r in &rows {
        total.add(&r.counts());
    }
    Ok(FunnelReport { period: *period, by: by.as_str().into(), filters: *filters, rows, total: FunnelRow::new(None, None, None, total) })
}
