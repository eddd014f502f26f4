//! Quotes and the minimal price list: the OEM sets each model's list price (valid
//! from/to); a consultant quotes a lead's customer the list price with itemized
//! discounts, gifts and fees. A quote is written once, moves the lead to the quote
//! stage, is on the customer's timeline, and records whether it contradicted a
//! colleague's recent quote to the same customer at any dealer.
//!
//! Quotes belong to the dealer that gave them; consultants see their dealer's (the
//! point is that colleagues see each other's prices). The warning looks at every
//! dealer's quotes to the customer, showing only who, where, when and how much.

pub mod create;
pub mod demo;
pub mod prices;
pub mod views;

use autocrm_domain::quotes::{QuoteConflict, QuoteLine};
use chrono::{DateTime, NaiveDate, Utc};
use sea_query::Value;
use serde::Serialize;

use crate::StoreError;
use crate::db::{FromRow, Row};
use crate::record::Record;
use crate::scope::Scoped;

pub use create::{Prepared, QuoteInput, create, prepare};
pub use prices::{ModelPrice, PriceInput};
pub use views::{QuoteFilter, QuoteRow};

pub const QUOTE: Scoped = Scoped::by_dealer("quote", "dealer_id");

/// A quote as given.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Quote {
    pub id: i64,
    /// `Q` + zero-padded id.
    pub quote_no: String,
    pub lead_id: Option<i64>,
    pub customer_id: i64,
    pub dealer_id: i64,
    /// Who quoted.
    pub user_id: i64,
    pub user_name: String,
    pub model_id: i64,
    /// Amounts in fen.
    pub list_price: i64,
    pub discounts: i64,
    pub gifts_value: i64,
    pub fees: i64,
    /// What the customer pays: list − discounts + fees.
    pub total: i64,
    /// `{kind: discount|gift|fee, label, amount}` in fen.
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<QuoteLine>,
    pub valid_until: NaiveDate,
    pub note: Option<String>,
    /// The colleague's recent quote to the same customer and model this one differs
    /// from (the consultant was warned before saving), and by how much (fen).
    pub conflict_quote_id: Option<i64>,
    pub conflict_difference: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FromRow for Quote {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let lines: String = r.get(13)?;
        Ok(Quote {
            id: r.get(0)?,
            quote_no: r.get(1)?,
            lead_id: r.get(2)?,
            customer_id: r.get(3)?,
            dealer_id: r.get(4)?,
            user_id: r.get(5)?,
            user_name: r.get(6)?,
            model_id: r.get(7)?,
            list_price: r.get(8)?,
            discounts: r.get(9)?,
            gifts_value: r.get(10)?,
            fees: r.get(11)?,
            total: r.get(12)?,
            lines: serde_json::from_str(&lines).map_err(|e| StoreError::Decode(format!("quote lines: {e}")))?,
            valid_until: r.get(14)?,
            note: r.get(15)?,
            conflict_quote_id: r.get(16)?,
            conflict_difference: r.get(17)?,
            version: r.get(18)?,
            created_at: r.get(19)?,
            updated_at: r.get(20)?,
        })
    }
}

impl Record for Quote {
    const ENTITY: &'static str = "quote";
    const SCOPED: Scoped = QUOTE;
    const COLUMNS: &'static [&'static str] = &[
        "id", "quote_no", "lead_id", "customer_id", "dealer_id", "user_id", "user_name", "model_id", "list_price", "discounts",
        "gifts_value", "fees", "total", "lines", "valid_until", "note", "conflict_quote_id", "conflict_difference", "version",
        "created_at", "updated_at",
    ];
    const WRITABLE: &'static [&'static str] = &[
        "quote_no", "lead_id", "customer_id", "dealer_id", "user_id", "user_name", "model_id", "list_price", "discounts",
        "gifts_value", "fees", "total", "lines", "valid_until", "note", "conflict_quote_id", "conflict_difference",
    ];
    fn writable_values(&self) -> Vec<Value> {
        vec![
            self.quote_no.clone().into(),
            self.lead_id.into(),
            self.customer_id.into(),
            self.dealer_id.into(),
            self.user_id.into(),
            self.user_name.clone().into(),
            self.model_id.into(),
            self.list_price.into(),
            self.discounts.into(),
            self.gifts_value.into(),
            self.fees.into(),
            self.total.into(),
            serde_json::to_string(&self.lines).unwrap_or_else(|_| "[]".into()).into(),
            self.valid_until.into(),
            self.note.clone().into(),
            self.conflict_quote_id.into(),
            self.conflict_difference.into(),
        ]
    }
    fn id(&self) -> i64 {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn dealer_id(&self) -> Option<i64> {
        Some(self.dealer_id)
    }
    fn summary(&self) -> String {
        format!("{} total {}", self.quote_no, self.total)
    }
}

/// The warning shown before saving: a colleague's recent, different quote to the
/// same customer for the same model, at any dealer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Warning {
    pub quote_id: i64,
    pub quote_no: String,
    /// The colleague who quoted, and where.
    pub user_name: String,
    pub dealer_name: String,
    pub at: DateTime<Utc>,
    /// Their total (fen).
    pub total: i64,
    /// This quote's total minus theirs (fen): negative is cheaper.
    pub difference: i64,
}

impl From<QuoteConflict> for Warning {
    fn from(c: QuoteConflict) -> Warning {
        Warning {
            quote_no: autocrm_domain::quotes::quote_no(c.quote_id),
            quote_id: c.quote_id,
            user_name: c.user_name,
            dealer_name: c.dealer_name,
            at: c.at,
            total: c.total,
            difference: c.difference,
        }
    }
}
