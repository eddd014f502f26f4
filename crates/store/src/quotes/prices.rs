//! The minimal price list: list prices per catalog model with the dates they hold.
//! The price in force is the one valid today; when ranges overlap, the one that
//! started last (then the newest) wins, so a promotion can be laid over a base
//! price. Network-wide reference data, set by the OEM.

use autocrm_domain::FieldError;
use autocrm_domain::access::Scope;
use autocrm_domain::quotes::{POSITIVE, price_range, price_valid_on};
use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Order, Value};
use serde::Serialize;

use crate::auth::Actor;
use crate::db::{FromRow, Row, sql};
use crate::record::{self, Record};
use crate::scope::{self, Scoped};
use crate::{Db, StoreError, Tx, now};

/// Reference data: always read and written with [`Scope::Oem`].
pub const MODEL_PRICE: Scoped = Scoped::by_dealer("model_price", "id");
pub const NO_SUCH_MODEL: &str = "is not a model in the catalog";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelPrice {
    pub id: i64,
    pub model_id: i64,
    /// Fen.
    pub list_price: i64,
    /// Open ends mean "since ever" / "until further notice".
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub note: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FromRow for ModelPrice {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(ModelPrice {
            id: r.get(0)?,
            model_id: r.get(1)?,
            list_price: r.get(2)?,
            valid_from: r.get(3)?,
            valid_to: r.get(4)?,
            note: r.get(5)?,
            version: r.get(6)?,
            created_at: r.get(7)?,
            updated_at: r.get(8)?,
        })
    }
}

impl Record for ModelPrice {
    const ENTITY: &'static str = "model_price";
    const SCOPED: Scoped = MODEL_PRICE;
    const COLUMNS: &'static [&'static str] =
        &["id", "model_id", "list_price", "valid_from", "valid_to", "note", "version", "created_at", "updated_at"];
    const WRITABLE: &'static [&'static str] = &["model_id", "list_price", "valid_from", "valid_to", "note"];
    fn writable_values(&self) -> Vec<Value> {
        vec![self.model_id.into(), self.list_price.into(), self.valid_from.into(), self.valid_to.into(), self.note.clone().into()]
    }
    fn id(&self) -> i64 {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn dealer_id(&self) -> Option<i64> {
        None
    }
    fn summary(&self) -> String {
        format!("model {} list price {}", self.model_id, self.list_price)
    }
}

impl ModelPrice {
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        price_valid_on(self.valid_from, self.valid_to, day)
    }
}

/// A new price row.
#[derive(Debug, Clone, Default)]
pub struct PriceInput {
    pub list_price: Option<i64>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Adds a price for `model_id`.
pub async fn add(db: &Db, actor: &Actor, model_id: i64, i: PriceInput) -> Result<ModelPrice, StoreError> {
    let list_price = i.list_price.ok_or_else(|| FieldError::new("list_price", autocrm_domain::quotes::REQUIRED))?;
    if list_price <= 0 {
        return Err(FieldError::new("list_price", POSITIVE).into());
    }
    price_range(i.valid_from, i.valid_to)?;
    let note = i.note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 200) {
        return Err(FieldError::new("note", "must be at most 200 characters").into());
    }
    // The model must exist (a 404 for the path, as for any missing parent).
    crate::vehicles::models::get(db, model_id).await?;
    let t = now();
    let p = ModelPrice { id: 0, model_id, list_price, valid_from: i.valid_from, valid_to: i.valid_to, note, version: 0, created_at: t, updated_at: t };
    record::insert(db, actor, &p).await
}

/// A model's prices, newest first.
pub async fn list(db: &Db, model_id: i64) -> Result<Vec<ModelPrice>, StoreError> {
    let mut q = scope::select(&Scope::Oem, &MODEL_PRICE);
    for c in ModelPrice::COLUMNS {
        q.column(("model_price", *c));
    }
    q.and_where(Expr::col(("model_price", "model_id")).eq(model_id)).order_by(("model_price", "id"), Order::Desc).limit(200);
    db.fetch_all(q).await
}

/// The price in force on `day` among `prices`.
pub fn in_force(prices: &[ModelPrice], day: NaiveDate) -> Option<&ModelPrice> {
    prices.iter().filter(|p| p.valid_on(day)).max_by_key(|p| (p.valid_from, p.id))
}

/// The list price (fen) of `model_id` on `day`, read inside a transaction.
pub async fn current_in(tx: &mut Tx, model_id: i64, day: NaiveDate) -> Result<Option<i64>, StoreError> {
    let cols = ModelPrice::COLUMNS.join(", ");
    let prices: Vec<ModelPrice> =
        tx.fetch_all(sql(&format!("SELECT {cols} FROM model_price WHERE model_id = $1"), vec![model_id.into()])).await?;
    Ok(in_force(&prices, day).map(|p| p.list_price))
}

/// Every active model with the price in force on `day` (the price list page).
pub async fn price_list(db: &Db, day: NaiveDate) -> Result<Vec<(crate::vehicles::VehicleModel, Option<ModelPrice>)>, StoreError> {
    let models = crate::vehicles::models::choices(db).await?;
    let cols = ModelPrice::COLUMNS.join(", ");
    let prices: Vec<ModelPrice> = db.fetch_all(sql(&format!("SELECT {cols} FROM model_price"), vec![])).await?;
    Ok(models
        .into_iter()
        .map(|m| {
            let mine: Vec<ModelPrice> = prices.iter().filter(|p| p.model_id == m.id).cloned().collect();
            let current = in_force(&mine, day).cloned();
            (m, current)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: i64, price: i64, from: Option<&str>, to: Option<&str>) -> ModelPrice {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        ModelPrice { id, model_id: 1, list_price: price, valid_from: from.map(d), valid_to: to.map(d), note: None, version: 1, created_at: now(), updated_at: now() }
    }

    #[test]
    fn a_promotion_overrides_the_base_price_while_it_holds() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let prices = [p(1, 15_880_000, Some("2026-01-01"), None), p(2, 14_980_000, Some("2026-11-01"), Some("2026-11-30"))];
        assert_eq!(in_force(&prices, day("2026-11-15")).map(|p| p.list_price), Some(14_980_000));
        assert_eq!(in_force(&prices, day("2026-12-01")).map(|p| p.list_price), Some(15_880_000));
        assert_eq!(in_force(&prices, day("2025-12-31")).map(|p| p.list_price), None);
    }
}
