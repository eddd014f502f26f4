//! Identity resolution: the same person entered twice is found, reviewed, merged
//! with all history kept — and a wrong merge can be undone.
//!
//! [`detect`] queues pairs with weak evidence (the rules and weights are the
//! domain's); [`queue`] lists them for a person; [`merge`] folds one record into
//! another, keeping a snapshot of everything it changed so [`unmerge`] can put
//! both records back exactly.

mod detect;
mod merge;
pub mod rows;

use autocrm_domain::access::Scope;
use autocrm_domain::identity::Reason;
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Query, SelectStatement};
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::customers::CUSTOMER;
use crate::db::{FromRow, Row, sql};
use crate::page::{Page, PageRequest, SortField, int};
use crate::scope::{self, Link, Scoped};
use crate::{Db, StoreError, Tx, now};

pub use detect::{candidates, detect, detect_many};
pub(crate) use detect::{Written, detect_written};
pub use merge::{FIELDS, Merge, MergeRequest, Side, get_merge, merge, unmerge};

/// The review queue sorts by score (highest first by default) or by id.
pub const REVIEW_SORT: [SortField; 2] = [int("score", "score"), int("id", "id")];

/// One side of a pair, as the queue shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PairSide {
    pub id: i64,
    pub customer_no: String,
    pub name: String,
    pub city: Option<String>,
}

/// A pair of customers that may be one person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Review {
    pub id: i64,
    pub score: i64,
    /// Reason codes: `same_name_same_address`, `same_name_same_landline`,
    /// `same_name_same_email`, `similar_name_same_city_model`,
    /// `same_vin_overlapping_ownership`.
    pub reasons: Vec<String>,
    /// `open`, `dismissed` (not the same person) or `merged`.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub a: PairSide,
    pub b: PairSide,
}

const REVIEW_COLUMNS: &str = "r.id, r.score, r.reasons, r.status, r.created_at, r.decided_at, \
    a.id, a.customer_no, a.name, a.city, b.id, b.customer_no, b.name, b.city";

impl FromRow for Review {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let reasons: String = r.get(2)?;
        Ok(Review {
            id: r.get(0)?,
            score: r.get(1)?,
            reasons: reasons.split(',').filter(|s| Reason::parse(s).is_some()).map(str::to_string).collect(),
            status: r.get(3)?,
            created_at: r.get(4)?,
            decided_at: r.get(5)?,
            a: PairSide { id: r.get(6)?, customer_no: r.get(7)?, name: r.get(8)?, city: r.get(9)? },
            b: PairSide { id: r.get(10)?, customer_no: r.get(11)?, name: r.get(12)?, city: r.get(13)? },
        })
    }
}

/// `SELECT customer.id FROM customer WHERE <in scope> AND not merged away`.
fn visible_customers(scope: &Scope) -> SelectStatement {
    scope::select(scope, &CUSTOMER)
        .column(("customer", "id"))
        .and_where(Expr::col(("customer", "merged_into")).is_null())
        .to_owned()
}

/// Open pairs whose two customers are both visible to the caller, highest score
/// first.
pub async fn queue(db: &Db, scope: &Scope, p: &PageRequest) -> Result<Page<Review>, StoreError> {
    let mut q = pairs(scope).and_where(Expr::col(("r", "status")).eq("open")).to_owned();
    p.apply(&mut q, "r");
    let rows: Vec<Review> = db.fetch_all(q).await?;
    let sort = p.sort.name;
    Ok(p.finish(rows, |r| (if sort == "score" { serde_json::json!(r.score) } else { serde_json::json!(r.id) }, r.id)))
}

/// The two sides of a pair, scoped like customers (aliases of `customer`).
const SIDE_A: Scoped = Scoped { table: "a", link: Link::Customer("id"), region: None, group: None, owner: None };
const SIDE_B: Scoped = Scoped { table: "b", link: Link::Customer("id"), region: None, group: None, owner: None };

/// The pairs query: reviews joined with both customers, both visible in scope and
/// neither merged away.
fn pairs(scope: &Scope) -> SelectStatement {
    Query::select()
        .expr(Expr::cust(REVIEW_COLUMNS))
        .from_as("identity_review", "r")
        .join_as(sea_query::JoinType::InnerJoin, "customer", "a", Expr::col(("a", "id")).equals(("r", "customer_a")))
        .join_as(sea_query::JoinType::InnerJoin, "customer", "b", Expr::col(("b", "id")).equals(("r", "customer_b")))
        .cond_where(scope::condition(scope, &SIDE_A))
        .cond_where(scope::condition(scope, &SIDE_B))
        .and_where(Expr::col(("a", "merged_into")).is_null())
        .and_where(Expr::col(("b", "merged_into")).is_null())
        .to_owned()
}

/// One pair, if both customers are visible to the caller (any status).
pub async fn review(db: &Db, scope: &Scope, id: i64) -> Result<Review, StoreError> {
    let q = pairs(scope).and_where(Expr::col(("r", "id")).eq(id)).to_owned();
    db.fetch_optional(q).await?.ok_or(StoreError::NotFound)
}

/// Whether customer `id` is visible to the caller and not merged away.
pub(crate) async fn visible(tx: &mut Tx, scope: &Scope, id: i64) -> Result<bool, StoreError> {
    let q = visible_customers(scope).and_where(Expr::col(("customer", "id")).eq(id)).to_owned();
    Ok(tx.fetch_optional::<(i64,)>(q).await?.is_some())
}

/// "Not the same person": the pair leaves the queue for good (detection keeps
/// the decision), and the decision is audited.
pub async fn dismiss(db: &Db, actor: &Actor, id: i64) -> Result<Review, StoreError> {
    let before = review(db, &actor.scope, id).await?;
    if before.status != "open" {
        return Err(StoreError::invalid("status", ALREADY_DECIDED));
    }
    let mut tx = db.begin().await?;
    let n = tx
        .execute(sql(
            "UPDATE identity_review SET status = 'dismissed', decided_by = $1, decided_at = $2 WHERE id = $3 AND status = 'open'",
            vec![actor.audit_id().into(), now().into(), id.into()],
        ))
        .await?;
    if n != 1 {
        return Err(StoreError::invalid("status", ALREADY_DECIDED));
    }
    let dealer: Option<(Option<i64>,)> = tx
        .fetch_optional(sql("SELECT origin_dealer_id FROM customer WHERE id = $1", vec![before.a.id.into()]))
        .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "dismiss",
            entity: "identity_review",
            entity_id: Some(id),
            dealer_id: dealer.and_then(|d| d.0),
            summary: Some(format!("{} ≠ {}", before.a.customer_no, before.b.customer_no)),
            before: Some(serde_json::json!({ "status": "open" })),
            after: Some(serde_json::json!({ "status": "dismissed" })),
        },
    )
    .await?;
    tx.commit().await?;
    review(db, &actor.scope, id).await
}

/// Why a pair cannot be decided again.
pub const ALREADY_DECIDED: &str = "has already been decided";
