//! Vehicles and ownership: VIN-identified vehicles, the model catalog, who owned
//! each vehicle when, and odometer readings.

pub mod demo;
pub mod models;
pub mod ownership;
pub mod readings;
pub mod vehicle;

use autocrm_domain::access::Scope;
use chrono::NaiveDate;
use sea_query::{Expr, ExprTrait, JoinType, Order};
use serde::Serialize;

pub use models::{ModelInput, VehicleModel};
pub use ownership::{ChangeOwner, Handover, OwnershipPeriod, change_owner};
pub use readings::{NewReading, Reading, record_reading};
pub use vehicle::{DEFAULT_WARRANTY_YEARS, Vehicle, VehicleFilter, VehicleInput, plus_years};

use crate::db::{FromRow, Row, sql};
use crate::scope::{self, Link, Scoped};
use crate::{Db, StoreError, Tx};

/// Vehicles are visible where their dealer is in scope or their current owner is a
/// visible customer.
pub const VEHICLE: Scoped = Scoped { table: "vehicle", link: Link::Vehicle("id"), region: None, group: None, owner: None };
pub const OWNERSHIP: Scoped =
    Scoped { table: "ownership", link: Link::Vehicle("vehicle_id"), region: None, group: None, owner: None };
pub const READING: Scoped =
    Scoped { table: "odometer_reading", link: Link::Vehicle("vehicle_id"), region: None, group: None, owner: None };

/// One vehicle a customer owns or owned (or drives), for the 360 page and screen-pop.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VehicleSummary {
    pub id: i64,
    pub vin: String,
    pub plate: Option<String>,
    /// Brand, series, model and trim, e.g. `东岳 岳风 1.5T 豪华版`.
    pub model_label: Option<String>,
    pub color: Option<String>,
    /// `in_production`, `in_transit`, `in_dealer_stock`, `sold`, `scrapped`.
    pub status: String,
    pub sale_date: Option<NaiveDate>,
    pub from_date: Option<NaiveDate>,
    pub to_date: Option<NaiveDate>,
    /// `owner` or `driver`.
    pub role: String,
    /// Whether the period is open (the customer still owns or drives the vehicle).
    pub current: bool,
}

/// `brand series model trim`, skipping what is missing.
pub fn model_label(brand: &str, series: &str, model: &str, trim: Option<&str>) -> String {
    [Some(brand), Some(series), Some(model), trim]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl FromRow for VehicleSummary {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let brand: Option<String> = r.get(3)?;
        let series: Option<String> = r.get(4)?;
        let model: Option<String> = r.get(5)?;
        let trim: Option<String> = r.get(6)?;
        let label = brand.map(|b| model_label(&b, series.as_deref().unwrap_or(""), model.as_deref().unwrap_or(""), trim.as_deref()));
        let to_date: Option<NaiveDate> = r.get(11)?;
        Ok(VehicleSummary {
            id: r.get(0)?,
            vin: r.get(1)?,
            plate: r.get(2)?,
            model_label: label,
            color: r.get(7)?,
            status: r.get(8)?,
            sale_date: r.get(9)?,
            from_date: r.get(10)?,
            to_date,
            role: r.get(12)?,
            current: to_date.is_none(),
        })
    }
}

/// The vehicles `customer_id` owns or owned (current first, then by period start,
/// newest first), limited to the vehicles visible in `scope`.
pub async fn of_customer(db: &Db, scope: &Scope, customer_id: i64) -> Result<Vec<VehicleSummary>, StoreError> {
    let mut q = scope::select(scope, &VEHICLE);
    q.columns([
        ("vehicle", "id"),
        ("vehicle", "vin"),
        ("vehicle", "plate"),
        ("vehicle_model", "brand"),
        ("vehicle_model", "series"),
        ("vehicle_model", "model"),
        ("vehicle_model", "trim"),
        ("vehicle", "color"),
        ("vehicle", "status"),
        ("vehicle", "sale_date"),
        ("ownership", "from_date"),
        ("ownership", "to_date"),
        ("ownership", "role"),
    ])
    .join(JoinType::InnerJoin, "ownership", Expr::col(("ownership", "vehicle_id")).equals(("vehicle", "id")))
    .join(JoinType::LeftJoin, "vehicle_model", Expr::col(("vehicle_model", "id")).equals(("vehicle", "model_id")))
    .and_where(Expr::col(("ownership", "customer_id")).eq(customer_id))
    .order_by_expr(Expr::cust("CASE WHEN ownership.to_date IS NULL THEN 0 ELSE 1 END"), Order::Asc)
    .order_by(("ownership", "from_date"), Order::Desc)
    .order_by(("ownership", "id"), Order::Desc);
    db.fetch_all(q).await
}

/// How a vehicle is named in timelines and audit summaries: `东岳 岳风 … · 沪A12345 · LDY…`.
pub(crate) async fn title_of(tx: &mut Tx, v: &Vehicle) -> Result<String, StoreError> {
    let model: Option<(String, String, String, Option<String>)> = match v.model_id {
        None => None,
        Some(m) => tx.fetch_optional(sql("SELECT brand, series, model, trim FROM vehicle_model WHERE id = $1", vec![m.into()])).await?,
    };
    let mut parts: Vec<String> = Vec::new();
    if let Some((b, s, m, t)) = model {
        parts.push(model_label(&b, &s, &m, t.as_deref()));
    }
    if let Some(p) = &v.plate {
        parts.push(p.clone());
    }
    parts.push(v.vin.clone());
    Ok(parts.join(" · "))
}

/// Everything the vehicle page and `GET /api/v1/vehicles/{id}` show.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VehicleDetail {
    #[serde(flatten)]
    pub vehicle: Vehicle,
    pub model: Option<VehicleModel>,
    pub dealer_name: Option<String>,
    /// Newest first; the open period is the current owner.
    pub ownership: Vec<OwnershipPeriod>,
    /// The latest readings, newest first.
    pub readings: Vec<Reading>,
}

pub async fn detail(db: &Db, scope: &Scope, id: i64) -> Result<VehicleDetail, StoreError> {
    let vehicle = vehicle::get(db, scope, id).await?;
    let model = match vehicle.model_id {
        Some(m) => Some(models::get(db, m).await?),
        None => None,
    };
    let dealer_name = match vehicle.dealer_id {
        Some(d) => db.fetch_optional::<(String,)>(sql("SELECT name FROM dealer WHERE id = $1", vec![d.into()])).await?.map(|r| r.0),
        None => None,
    };
    let ownership = ownership::history(db, scope, id).await?;
    let readings = readings::list(db, id, 50).await?;
    Ok(VehicleDetail { vehicle, model, dealer_name, ownership, readings })
}
