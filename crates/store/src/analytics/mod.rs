//! Funnel analytics over the leads themselves: each report is one aggregate pass
//! over `lead` (GROUP BY one dimension, `SUM(CASE …)` per figure) inside the
//! caller's scope, so a dealer manager's numbers are their store's and the OEM's
//! the whole network's. Exports of a report are audited like customer exports.
//!
//! The showroom traffic report lives with the traffic it counts (`crate::traffic`)
//! and shares [`Filters`] and [`record_export`] with these.

pub mod forecast;
pub mod funnel;
pub mod names;
pub mod timeliness;

use autocrm_domain::FieldError;
use autocrm_domain::access::Scope;
use autocrm_domain::analytics::Period;
use sea_query::{Cond, Condition, Expr, ExprTrait, Func, Query, SelectStatement};
use serde::Serialize;
use serde_json::Value;

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::{Db, StoreError, scope};

pub use forecast::conversion_forecast;
pub use funnel::{FunnelReport, FunnelRow, funnel};
pub use timeliness::{TimelinessReport, TimelinessRow, timeliness};

pub const NO_SUCH_DEALER: &str = "no such dealer within your scope";
pub const NO_SUCH_REGION: &str = "no such region within your scope";

/// Narrowing a report to one dealer or one region (both within the caller's
/// scope: asking for another dealer's figures is refused, not answered with zeros).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Filters {
    pub dealer_id: Option<i64>,
    pub region_id: Option<i64>,
}

impl Filters {
    /// Refuses a dealer or region the caller cannot see, naming the parameter.
    pub async fn check(&self, db: &Db, scope: &Scope) -> Result<(), StoreError> {
        if let Some(d) = self.dealer_id
            && !scope::dealer_visible(db, scope, d).await?
        {
            return Err(FieldError::new("dealer_id", NO_SUCH_DEALER).into());
        }
        if let Some(r) = self.region_id {
            let q = scope::select(scope, &crate::org::REGION)
                .column(("region", "id"))
                .and_where(Expr::col(("region", "id")).eq(r))
                .to_owned();
            if db.fetch_optional::<(i64,)>(q).await?.is_none() {
                return Err(FieldError::new("region_id", NO_SUCH_REGION).into());
            }
        }
        Ok(())
    }

    /// The filter on a table's dealer column.
    pub fn condition(&self, table: &'static str, dealer_col: &'static str) -> Condition {
        let mut c = Cond::all();
        if let Some(d) = self.dealer_id {
            c = c.add(Expr::col((table, dealer_col)).eq(d));
        }
        if let Some(r) = self.region_id {
            let dealers = Query::select().column("id").from("dealer").and_where(Expr::col("region_id").eq(r)).to_owned();
            c = c.add(Expr::col((table, dealer_col)).in_subquery(dealers));
        }
        c
    }
}

/// `SUM(CASE WHEN cond THEN 1 ELSE 0 END)`: one figure of a one-pass aggregate.
/// Literal 1/0 (not parameters): PostgreSQL cannot type `SUM($1)`.
pub fn count_if(cond: Condition) -> Expr {
    let sum: Expr = Func::sum(Expr::case(cond, Expr::cust("1")).finally(Expr::cust("0"))).into();
    Func::coalesce([sum, Expr::cust("0")]).into()
}

/// Whether any of `columns` of `table` is set.
pub(crate) fn any_set(table: &'static str, columns: &[&'static str]) -> Condition {
    match columns {
        // SQLite wants at least two arguments to COALESCE.
        [one] => Cond::all().add(Expr::col((table, *one)).is_not_null()),
        _ => {
            let cols: Vec<Expr> = columns.iter().map(|c| Expr::col((table, *c))).collect();
            Cond::all().add(Expr::expr(Func::coalesce(cols)).is_not_null())
        }
    }
}

/// The leads of a report: in scope, created in the period, narrowed by the filters.
pub(crate) fn leads_in(scope: &Scope, period: &Period, filters: &Filters) -> SelectStatement {
    let mut q = scope::select(scope, &crate::leads::LEAD);
    q.and_where(Expr::col(("lead", "created_at")).gte(period.start()))
        .and_where(Expr::col(("lead", "created_at")).lt(period.end()))
        .cond_where(filters.condition("lead", "dealer_id"));
    q
}

/// Records that `actor` exported a report (which one, its parameters and how many
/// rows), like every bulk export of the CRM.
pub async fn record_export(db: &Db, actor: &Actor, report: &str, rows: usize, params: Value) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "export",
            entity: report,
            entity_id: None,
            dealer_id: actor.dealer_id,
            summary: Some(format!("{report}: {rows} rows exported as xlsx ({params})")),
            before: None,
            after: Some(serde_json::json!({"rows": rows, "format": "xlsx", "params": params})),
        },
    )
    .await?;
    tx.commit().await
}
