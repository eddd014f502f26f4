//! Expected against actual conversion per purchase timeframe, for the leads
//! created in a period: one pass over `lead` grouped by timeframe, then the OEM's
//! grading rules say how many of them were expected to buy.

use autocrm_domain::access::Scope;
use autocrm_domain::analytics::{Dimension, ForecastRow, Period, TimeframeCounts, conversion_forecast as forecast};
use autocrm_domain::leads::{Stage, Timeframe};
use sea_query::{Cond, Expr, ExprTrait};
use serde::Serialize;

use super::funnel::{group_by, reached};
use super::{Filters, count_if, leads_in};
use crate::{Db, StoreError};

/// One timeframe's line (the last line is the total, with `timeframe` absent).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ForecastLine {
    /// `immediately` … `later`; `None` on the total line.
    pub timeframe: Option<String>,
    pub leads: i64,
    /// Prospects still being worked (not ordered or closed).
    pub open: i64,
    pub ordered: i64,
    pub delivered: i64,
    /// The configured share that buys (the OEM's grading rules).
    pub expected_rate: Option<f64>,
    pub expected_orders: f64,
    /// Orders so far as a share of the leads.
    pub actual_rate: Option<f64>,
    /// Orders so far plus the expected buyers among the open prospects.
    pub projected_orders: f64,
}

impl From<ForecastRow> for ForecastLine {
    fn from(r: ForecastRow) -> Self {
        ForecastLine {
            timeframe: r.timeframe.map(|t| t.as_str().to_string()),
            leads: r.leads,
            open: r.open,
            ordered: r.ordered,
            delivered: r.delivered,
            expected_rate: r.expected_rate,
            expected_orders: r.expected_orders,
            actual_rate: r.actual_rate,
            projected_orders: r.projected_orders,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ForecastReport {
    #[schema(value_type = Object)]
    pub period: Period,
    pub filters: Filters,
    /// One line per timeframe, then the total.
    pub lines: Vec<ForecastLine>,
}

/// Expected and actual conversion of the leads created in `period` within `scope`.
pub async fn conversion_forecast(db: &Db, scope: &Scope, period: &Period, filters: &Filters) -> Result<ForecastReport, StoreError> {
    filters.check(db, scope).await?;
    let rules = crate::leads::lead_rules(db).await?;
    let working: Vec<&str> = Stage::FUNNEL[..Stage::Order.rank().unwrap_or(5)].iter().map(|s| s.as_str()).collect();
    let mut q = leads_in(scope, period, filters);
    group_by(&mut q, Dimension::Timeframe);
    q.expr(Expr::cust("COUNT(*)"))
        .expr(count_if(Cond::all().add(Expr::col(("lead", "stage")).is_in(working))))
        .expr(count_if(reached(Stage::Order)))
        .expr(count_if(reached(Stage::Delivered)));
    let rows: Vec<(Option<String>, Option<i64>, i64, i64, i64, i64)> = db.fetch_all(q).await?;
    let counts: Vec<(Timeframe, TimeframeCounts)> = rows
        .into_iter()
        .filter_map(|(t, _, leads, open, ordered, delivered)| {
            Some((Timeframe::parse(t.as_deref()?)?, TimeframeCounts { leads, open, ordered, delivered }))
        })
        .collect();
    let lines = forecast(&rules, &counts).into_iter().map(ForecastLine::from).collect();
    Ok(ForecastReport { period: *period, filters: *filters, lines })
}
