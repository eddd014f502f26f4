//! The demo fleet: dealer managers add cars (model, plate, VIN, color), correct
//! them and retire them. Plates and VINs pass the same rules as customers' cars.

use autocrm_domain::FieldError;
use autocrm_domain::vehicles::{Plate, Vin};
use sea_query::{Expr, ExprTrait};

use super::{DEMO_CAR, DemoCar};
use crate::auth::Actor;
use crate::db::sql;
use crate::{Db, StoreError, now, record, scope};

pub const NO_SUCH_MODEL: &str = "is not a model in the catalog";
pub const NO_SUCH_DEALER: &str = "no such dealer within your scope";
pub const DEALER_REQUIRED: &str = "is required for staff who do not belong to one dealer";
pub const COLOR_TOO_LONG: &str = "must be at most 20 characters";
pub const NOTE_TOO_LONG: &str = "must be at most 200 characters";

/// A new demo car.
#[derive(Debug, Clone, Default)]
pub struct CarInput {
    /// Default: the manager's own dealer.
    pub dealer_id: Option<i64>,
    pub model_id: Option<i64>,
    pub plate: String,
    pub vin: Option<String>,
    pub color: Option<String>,
    pub note: Option<String>,
}

/// Changes to a demo car; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CarPatch {
    pub model_id: Option<i64>,
    pub plate: Option<String>,
    pub vin: Option<Option<String>>,
    pub color: Option<Option<String>>,
    pub note: Option<Option<String>>,
    /// `false` retires the car: no new bookings, its history stays.
    pub active: Option<bool>,
}

fn plate(raw: &str) -> Result<String, FieldError> {
    Ok(Plate::parse(raw).map_err(|e| FieldError::new("plate", e.message))?.as_str().to_string())
}

fn vin(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => Ok(Some(Vin::parse(v)?.vin.as_str().to_string())),
    }
}

fn short(field: &str, raw: Option<&str>, max: usize, message: &str) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > max => Err(FieldError::new(field, message)),
        other => Ok(other.map(str::to_string)),
    }
}

async fn check_model(db: &Db, model_id: i64) -> Result<(), StoreError> {
    let found: Option<(i64,)> =
        db.fetch_optional(sql("SELECT id FROM vehicle_model WHERE id = $1 AND active = $2", vec![model_id.into(), true.into()])).await?;
    found.map(|_| ()).ok_or_else(|| FieldError::new("model_id", NO_SUCH_MODEL).into())
}

/// Adds a car to a dealer's fleet (within the manager's scope).
pub async fn create(db: &Db, actor: &Actor, i: CarInput) -> Result<DemoCar, StoreError> {
    let dealer_id = i.dealer_id.or(actor.dealer_id).ok_or_else(|| FieldError::new("dealer_id", DEALER_REQUIRED))?;
    if !scope::dealer_visible(db, &actor.scope, dealer_id).await? {
        return Err(FieldError::new("dealer_id", NO_SUCH_DEALER).into());
    }
    let model_id = i.model_id.ok_or_else(|| FieldError::new("model_id", autocrm_domain::vehicles::REQUIRED))?;
    let car = DemoCar {
        id: 0,
        dealer_id,
        model_id,
        plate: plate(&i.plate)?,
        vin: vin(i.vin.as_deref())?,
        color: short("color", i.color.as_deref(), 20, COLOR_TOO_LONG)?,
        active: true,
        note: short("note", i.note.as_deref(), 200, NOTE_TOO_LONG)?,
        version: 0,
        created_at: now(),
        updated_at: now(),
    };
    check_model(db, model_id).await?;
    record::insert(db, actor, &car).await
}

/// Corrects or retires a car (optimistic on `version`).
pub async fn update(db: &Db, actor: &Actor, id: i64, version: i64, p: CarPatch) -> Result<DemoCar, StoreError> {
    if let Some(m) = p.model_id {
        check_model(db, m).await?;
    }
    let plate = p.plate.as_deref().map(plate).transpose()?;
    let vin = p.vin.as_ref().map(|v| vin(v.as_deref())).transpose()?;
    let color = p.color.as_ref().map(|c| short("color", c.as_deref(), 20, COLOR_TOO_LONG)).transpose()?;
    let note = p.note.as_ref().map(|n| short("note", n.as_deref(), 200, NOTE_TOO_LONG)).transpose()?;
    record::update(db, actor, id, version, |c: &DemoCar| {
        let mut next = c.clone();
        next.model_id = p.model_id.unwrap_or(c.model_id);
        next.plate = plate.unwrap_or_else(|| c.plate.clone());
        if let Some(v) = vin {
            next.vin = v;
        }
        if let Some(v) = color {
            next.color = v;
        }
        if let Some(v) = note {
            next.note = v;
        }
        next.active = p.active.unwrap_or(c.active);
        Ok(next)
    })
    .await
}

/// One car within scope.
pub async fn get(db: &Db, scope: &autocrm_domain::access::Scope, id: i64) -> Result<DemoCar, StoreError> {
    record::get(db, scope, id).await
}

/// The active cars of a dealer, for booking (`(id, label)`), within scope.
pub async fn choices(db: &Db, scope: &autocrm_domain::access::Scope, dealer_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
    let mut q = scope::select(scope, &DEMO_CAR);
    super::views::car_label_columns(&mut q);
    q.and_where(Expr::col(("demo_car", "dealer_id")).eq(dealer_id))
        .and_where(Expr::col(("demo_car", "active")).eq(true))
        .order_by(("demo_car", "id"), sea_query::Order::Asc);
    let rows: Vec<super::views::CarLabel> = db.fetch_all(q).await?;
    Ok(rows.into_iter().map(|c| (c.id, c.label())).collect())
}
