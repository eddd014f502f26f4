//! Reading quotes: the filtered list (by customer, lead, dealer, or only those that
//! contradicted a colleague), a customer's quotes for the 360 page, one quote.

use autocrm_domain::access::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Alias, Cond, Condition, Expr, ExprTrait, JoinType, SelectStatement};
use serde::Serialize;

use super::QUOTE;
use crate::db::{FromRow, Row};
use crate::page::{self, Page, PageRequest, SortField};
use crate::vehicles::model_label;
use crate::{Db, StoreError, scope};

pub const QUOTE_SORT: [SortField; 1] = [page::int("id", "id")];

/// A quote as listed: enough to answer "what price did this customer get last time".
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuoteRow {
    pub id: i64,
    pub quote_no: String,
    pub lead_id: Option<i64>,
    pub customer_id: i64,
    pub customer_name: String,
    pub dealer_id: i64,
    pub dealer_name: String,
    pub user_id: i64,
    pub user_name: String,
    pub model_id: i64,
    pub model_label: String,
    /// Fen.
    pub list_price: i64,
    pub discounts: i64,
    pub gifts_value: i64,
    pub fees: i64,
    pub total: i64,
    pub valid_until: NaiveDate,
    pub conflict_quote_id: Option<i64>,
    pub conflict_difference: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl FromRow for QuoteRow {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let trim: Option<String> = r.get(13)?;
        Ok(QuoteRow {
            id: r.get(0)?,
            quote_no: r.get(1)?,
            lead_id: r.get(2)?,
            customer_id: r.get(3)?,
            customer_name: r.get(4)?,
            dealer_id: r.get(5)?,
            dealer_name: r.get(6)?,
            user_id: r.get(7)?,
            user_name: r.get(8)?,
            model_id: r.get(9)?,
            model_label: model_label(&r.get::<String>(10)?, &r.get::<String>(11)?, &r.get::<String>(12)?, trim.as_deref()),
            list_price: r.get(14)?,
            discounts: r.get(15)?,
            gifts_value: r.get(16)?,
            fees: r.get(17)?,
            total: r.get(18)?,
            valid_until: r.get(19)?,
            conflict_quote_id: r.get(20)?,
            conflict_difference: r.get(21)?,
            created_at: r.get(22)?,
        })
    }
}

fn rows(scope: &Scope) -> SelectStatement {
    let mut q = scope::select(scope, &QUOTE);
    q.columns([("quote", "id"), ("quote", "quote_no"), ("quote", "lead_id"), ("quote", "customer_id")])
        .expr_as(Expr::col(("customer", "name")), Alias::new("customer_name"))
        .column(("quote", "dealer_id"))
        .expr_as(Expr::col(("dealer", "name")), Alias::new("dealer_name"))
        .columns([("quote", "user_id"), ("quote", "user_name"), ("quote", "model_id")])
        .columns([("vehicle_model", "brand"), ("vehicle_model", "series"), ("vehicle_model", "model"), ("vehicle_model", "trim")])
        .columns([
            ("quote", "list_price"),
            ("quote", "discounts"),
            ("quote", "gifts_value"),
            ("quote", "fees"),
            ("quote", "total"),
            ("quote", "valid_until"),
            ("quote", "conflict_quote_id"),
            ("quote", "conflict_difference"),
            ("quote", "created_at"),
        ])
        .join(JoinType::InnerJoin, "customer", Expr::col(("customer", "id")).equals(("quote", "customer_id")))
        .join(JoinType::InnerJoin, "dealer", Expr::col(("dealer", "id")).equals(("quote", "dealer_id")))
        .join(JoinType::InnerJoin, "vehicle_model", Expr::col(("vehicle_model", "id")).equals(("quote", "model_id")));
    q
}

/// Filters of the quote list.
#[derive(Debug, Clone, Default)]
pub struct QuoteFilter {
    pub customer_id: Option<i64>,
    pub lead_id: Option<i64>,
    pub dealer_id: Option<i64>,
    pub user_id: Option<i64>,
    /// Only quotes that differed from a colleague's recent quote.
    pub conflicted: bool,
}

impl QuoteFilter {
    fn condition(&self) -> Condition {
        let mut c = Cond::all();
        for (col, v) in [("customer_id", self.customer_id), ("lead_id", self.lead_id), ("dealer_id", self.dealer_id), ("user_id", self.user_id)] {
            if let Some(v) = v {
                c = c.add(Expr::col(("quote", col)).eq(v));
            }
        }
        if self.conflicted {
            c = c.add(Expr::col(("quote", "conflict_quote_id")).is_not_null());
        }
        c
    }
}

/// A page of quotes within scope, newest first by default.
pub async fn list(db: &Db, scope: &Scope, f: &QuoteFilter, p: &PageRequest) -> Result<Page<QuoteRow>, StoreError> {
    let mut q = rows(scope);
    q.cond_where(f.condition());
    p.apply(&mut q, "quote");
    let found: Vec<QuoteRow> = db.fetch_all(q).await?;
    Ok(p.finish(found, |r| (r.id.into(), r.id)))
}

/// The newest quotes matching `f` (a customer's, a lead's), up to `limit`.
pub async fn latest(db: &Db, scope: &Scope, f: &QuoteFilter, limit: u64) -> Result<Vec<QuoteRow>, StoreError> {
    let p = PageRequest::parse(Some(limit), Some("-id"), None, &QUOTE_SORT, "-id")?;
    Ok(list(db, scope, f, &p).await?.items)
}

/// One quote within scope.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<super::Quote, StoreError> {
    crate::record::get(db, scope, id).await
}

/// One quote as listed, within scope.
pub async fn row(db: &Db, scope: &Scope, id: i64) -> Result<QuoteRow, StoreError> {
    let mut q = rows(scope);
    q.and_where(Expr::col(("quote", "id")).eq(id));
    db.fetch_optional(q).await?.ok_or(StoreError::NotFound)
}
