//! The physical vehicle: its VIN for life, what it is (a catalog model), where it is
//! in its life (status), its plate, and the dealer whose stock it is or was.

use autocrm_domain::FieldError;
use autocrm_domain::access::Scope;
use autocrm_domain::vehicles::{Plate, Vin, VehicleStatus, can_move};
use chrono::{DateTime, Months, NaiveDate, Utc};
use sea_query::{Condition, Expr, ExprTrait, Value};
use serde::Serialize;

use super::VEHICLE;
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::customers::timeline::{self, NewEvent};
use crate::db::{FromRow, Row, sql};
use crate::page::{self, Page, PageRequest, SortField};
use crate::record::{self, Record};
use crate::scope::{self, Scoped};
use crate::{Db, StoreError, Tx, now};

pub const VEHICLE_SORT: [SortField; 2] = [page::text("vin", "vin"), page::int("id", "id")];

/// The warranty every new 东岳 vehicle carries unless the record says otherwise.
pub const DEFAULT_WARRANTY_YEARS: u32 = 3;

pub const STATUS_MOVE: &str = "cannot change to this status from the current one";
pub const VIN_CONFIRM: &str = "has a wrong check digit; confirm to keep it";
pub const DEALER_SCOPE: &str = "is not a dealer you work for";
pub const DEALER_REQUIRED: &str = "is required: the vehicle must belong to one of your dealers";
pub const MODEL_MISSING: &str = "is not a model in the catalog";
pub const NOT_NEGATIVE: &str = "must not be negative";
pub const WARRANTY_BEFORE_SALE: &str = "must not be before the sale date";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Vehicle {
    pub id: i64,
    pub vin: String,
    /// The VIN reversed (for "last 6/8 characters" search).
    #[serde(skip)]
    pub vin_rev: String,
    /// False when the VIN was kept despite a wrong check digit (non-Chinese WMI).
    pub vin_check_ok: bool,
    pub engine_no: Option<String>,
    pub production_no: Option<String>,
    pub model_id: Option<i64>,
    pub color: Option<String>,
    pub plate: Option<String>,
    /// `in_production`, `in_transit`, `in_dealer_stock`, `sold`, `scrapped`.
    pub status: String,
    pub sale_date: Option<NaiveDate>,
    pub warranty_end: Option<NaiveDate>,
    /// The latest odometer reading (a cache of the readings).
    pub mileage_km: Option<i64>,
    /// The dealer whose stock it is or that sold it.
    pub dealer_id: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FromRow for Vehicle {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(Vehicle {
            id: r.get(0)?,
            vin: r.get(1)?,
            vin_rev: r.get(2)?,
            vin_check_ok: r.get(3)?,
            engine_no: r.get(4)?,
            production_no: r.get(5)?,
            model_id: r.get(6)?,
            color: r.get(7)?,
            plate: r.get(8)?,
            status: r.get(9)?,
            sale_date: r.get(10)?,
            warranty_end: r.get(11)?,
            mileage_km: r.get(12)?,
            dealer_id: r.get(13)?,
            version: r.get(14)?,
            created_at: r.get(15)?,
            updated_at: r.get(16)?,
        })
    }
}

impl Record for Vehicle {
    const ENTITY: &'static str = "vehicle";
    const SCOPED: Scoped = VEHICLE;
    const COLUMNS: &'static [&'static str] = &[
        "id", "vin", "vin_rev", "vin_check_ok", "engine_no", "production_no", "model_id", "color", "plate", "status",
        "sale_date", "warranty_end", "mileage_km", "dealer_id", "version", "created_at", "updated_at",
    ];
    const WRITABLE: &'static [&'static str] = &[
        "vin", "vin_rev", "vin_check_ok", "engine_no", "production_no", "model_id", "color", "plate", "status", "sale_date",
        "warranty_end", "mileage_km", "dealer_id",
    ];
    fn writable_values(&self) -> Vec<Value> {
        vec![
            self.vin.clone().into(),
            self.vin_rev.clone().into(),
            self.vin_check_ok.into(),
            self.engine_no.clone().into(),
            self.production_no.clone().into(),
            self.model_id.into(),
            self.color.clone().into(),
            self.plate.clone().into(),
            self.status.clone().into(),
            self.sale_date.into(),
            self.warranty_end.into(),
            self.mileage_km.into(),
            self.dealer_id.into(),
        ]
    }
    fn id(&self) -> i64 {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn dealer_id(&self) -> Option<i64> {
        self.dealer_id
    }
    fn summary(&self) -> String {
        match &self.plate {
            Some(p) => format!("{} {p}", self.vin),
            None => self.vin.clone(),
        }
    }
}

impl Vehicle {
    pub fn status(&self) -> Option<VehicleStatus> {
        VehicleStatus::parse(&self.status)
    }
}

/// What a user types for a vehicle (API, form, import). Create uses every field;
/// an update starts from [`VehicleInput::from`] the current record.
#[derive(Debug, Clone, Default)]
pub struct VehicleInput {
    pub vin: String,
    /// Keep a VIN whose check digit is wrong (only possible for non-Chinese,
    /// non-North-American WMIs; those are always rejected).
    pub vin_check_override: bool,
    pub engine_no: Option<String>,
    pub production_no: Option<String>,
    pub model_id: Option<i64>,
    pub color: Option<String>,
    pub plate: Option<String>,
    /// Defaults to `in_dealer_stock`.
    pub status: Option<String>,
    pub sale_date: Option<NaiveDate>,
    /// Defaults to three years after the sale date.
    pub warranty_end: Option<NaiveDate>,
    pub mileage_km: Option<i64>,
    pub dealer_id: Option<i64>,
}

impl From<&Vehicle> for VehicleInput {
    fn from(v: &Vehicle) -> Self {
        VehicleInput {
            vin: v.vin.clone(),
            // A VIN already on file was accepted (or confirmed) when it was stored.
            vin_check_override: !v.vin_check_ok,
            engine_no: v.engine_no.clone(),
            production_no: v.production_no.clone(),
            model_id: v.model_id,
            color: v.color.clone(),
            plate: v.plate.clone(),
            status: Some(v.status.clone()),
            sale_date: v.sale_date,
            warranty_end: v.warranty_end,
            mileage_km: v.mileage_km,
            dealer_id: v.dealer_id,
        }
    }
}

fn optional_text(field: &str, v: &Option<String>, max: usize, upper: bool, e: &mut Vec<FieldError>) -> Option<String> {
    let s = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    if s.chars().count() > max {
        e.push(FieldError::new(field, format!("must be at most {max} characters")));
    }
    Some(if upper { s.to_uppercase() } else { s.to_string() })
}

/// `date` plus `years` (29 February becomes 28 February).
pub fn plus_years(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_add_months(Months::new(12 * years)).unwrap_or(date)
}

impl VehicleInput {
    /// Checks every field by the domain rules, reporting all errors at once. The
    /// database checks (dealer in scope, model exists, VIN unique) come later.
    pub fn validate(&self) -> Result<Vehicle, Vec<FieldError>> {
        let mut e = Vec::new();
        let (vin, vin_check_ok) = match Vin::parse(&self.vin) {
            Ok(p) if !p.check_ok && !self.vin_check_override => {
                e.push(FieldError::new("vin", VIN_CONFIRM));
                (p.vin.as_str().to_string(), false)
            }
            Ok(p) => (p.vin.as_str().to_string(), p.check_ok),
            Err(err) => {
                e.push(err);
                (String::new(), false)
            }
        };
        let plate = match self.plate.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => match Plate::parse(raw) {
                Ok(p) => Some(p.as_str().to_string()),
                Err(err) => {
                    e.push(err);
                    None
                }
            },
        };
        let status = match self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => VehicleStatus::InDealerStock,
            Some(s) => VehicleStatus::parse(s).unwrap_or_else(|| {
                let all: Vec<_> = VehicleStatus::ALL.iter().map(|s| s.as_str()).collect();
                e.push(FieldError::new("status", format!("must be one of {}", all.join(", "))));
                VehicleStatus::InDealerStock
            }),
        };
        let engine_no = optional_text("engine_no", &self.engine_no, 40, true, &mut e);
        let production_no = optional_text("production_no", &self.production_no, 40, true, &mut e);
        let color = optional_text("color", &self.color, 30, false, &mut e);
        if self.mileage_km.is_some_and(|k| k < 0) {
            e.push(FieldError::new("mileage_km", NOT_NEGATIVE));
        }
        let warranty_end = self.warranty_end.or(self.sale_date.map(|d| plus_years(d, DEFAULT_WARRANTY_YEARS)));
        if let (Some(s), Some(w)) = (self.sale_date, warranty_end)
            && w < s
        {
            e.push(FieldError::new("warranty_end", WARRANTY_BEFORE_SALE));
        }
        if !e.is_empty() {
            return Err(e);
        }
        let t = now();
        Ok(Vehicle {
            id: 0,
            vin_rev: vin.chars().rev().collect(),
            vin,
            vin_check_ok,
            engine_no,
            production_no,
            model_id: self.model_id,
            color,
            plate,
            status: status.as_str().into(),
            sale_date: self.sale_date,
            warranty_end,
            mileage_km: self.mileage_km,
            dealer_id: self.dealer_id,
            version: 0,
            created_at: t,
            updated_at: t,
        })
    }
}

/// Search and filters of the vehicle list. `q` is a VIN prefix, the VIN's last
/// characters (6 or more) or a plate prefix.
#[derive(Debug, Clone, Default)]
pub struct VehicleFilter {
    pub q: Option<String>,
    pub status: Option<String>,
    pub model_id: Option<i64>,
    pub dealer_id: Option<i64>,
}

fn prefix(s: &str) -> String {
    format!("{}%", s.replace(['%', '_'], ""))
}

impl VehicleFilter {
    pub fn condition(&self) -> Condition {
        let mut c = Condition::all();
        if let Some(q) = self.q.as_deref().map(|q| q.split_whitespace().collect::<String>()).filter(|q| !q.is_empty()) {
            let up = q.to_uppercase();
            let plate: String = up.chars().filter(|c| !matches!(c, '·' | '•' | '.' | '-')).collect();
            let mut any = Condition::any()
                .add(Expr::col(("vehicle", "vin")).like(prefix(&up)))
                .add(Expr::col(("vehicle", "plate")).like(prefix(&plate)));
            if up.chars().count() >= 4 && up.is_ascii() {
                let rev: String = up.chars().rev().collect();
                any = any.add(Expr::col(("vehicle", "vin_rev")).like(prefix(&rev)));
            }
            c = c.add(any);
        }
        if let Some(s) = self.status.as_deref().filter(|s| !s.is_empty()) {
            c = c.add(Expr::col(("vehicle", "status")).eq(s));
        }
        if let Some(m) = self.model_id {
            c = c.add(Expr::col(("vehicle", "model_id")).eq(m));
        }
        if let Some(d) = self.dealer_id {
            c = c.add(Expr::col(("vehicle", "dealer_id")).eq(d));
        }
        c
    }
}

pub async fn list(db: &Db, scope: &Scope, f: &VehicleFilter, p: &PageRequest) -> Result<Page<Vehicle>, StoreError> {
    record::list::<Vehicle>(db, scope, f.condition(), p).await
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Vehicle, StoreError> {
    record::get::<Vehicle>(db, scope, id).await
}

/// The database checks of a validated vehicle: the dealer is one the actor works
/// for (required unless the actor has OEM reach), the model exists.
async fn check_refs(db_or_tx: &mut Tx, actor: &Actor, v: &mut Vehicle) -> Result<(), StoreError> {
    if v.dealer_id.is_none() && !matches!(actor.scope, Scope::Oem) {
        v.dealer_id = actor.dealer_id;
    }
    match v.dealer_id {
        None if !matches!(actor.scope, Scope::Oem) => return Err(StoreError::invalid("dealer_id", DEALER_REQUIRED)),
        None => {}
        Some(d) => {
            let q = scope::select(&actor.scope, &crate::org::DEALER)
                .column(("dealer", "id"))
                .and_where(Expr::col(("dealer", "id")).eq(d))
                .to_owned();
            if db_or_tx.fetch_optional::<(i64,)>(q).await?.is_none() {
                return Err(StoreError::invalid("dealer_id", DEALER_SCOPE));
            }
        }
    }
    if let Some(m) = v.model_id {
        let found: Option<(i64,)> = db_or_tx.fetch_optional(sql("SELECT id FROM vehicle_model WHERE id = $1", vec![m.into()])).await?;
        if found.is_none() {
            return Err(StoreError::invalid("model_id", MODEL_MISSING));
        }
    }
    Ok(())
}

/// Creates a vehicle (validated by [`VehicleInput::validate`]) with its audit entry;
/// a first mileage becomes the first odometer reading.
pub async fn create(db: &Db, actor: &Actor, v: Vehicle) -> Result<Vehicle, StoreError> {
    let mut tx = db.begin().await?;
    let id = create_in(&mut tx, actor, v).await?;
    let stored = record::get_in::<Vehicle>(&mut tx, id).await?;
    tx.commit().await?;
    Ok(stored)
}

pub async fn create_in(tx: &mut Tx, actor: &Actor, mut v: Vehicle) -> Result<i64, StoreError> {
    check_refs(tx, actor, &mut v).await?;
    let id = record::insert_in(tx, actor, &v).await?;
    if let Some(km) = v.mileage_km {
        super::readings::insert_row(tx, id, km, now(), "initial").await?;
    }
    Ok(id)
}

/// Updates a vehicle with optimistic concurrency. A status change must be a
/// possible move (422 naming `status`); a vehicle coming back into stock from an
/// owner (trade-in, buy-back) closes the owner's period; a new plate is written to
/// the owner's timeline.
pub async fn update(db: &Db, actor: &Actor, id: i64, version: i64, next: Vehicle) -> Result<Vehicle, StoreError> {
    let mut tx = db.begin().await?;
    let current: Vehicle = scope::get_for_update(&mut tx, &actor.scope, &VEHICLE, Vehicle::COLUMNS, id).await?;
    if current.version != version {
        return Err(StoreError::Stale { current: current.version });
    }
    let mut next = Vehicle { id, mileage_km: current.mileage_km, ..next };
    if next.status != current.status {
        let ok = match (current.status(), next.status()) {
            (Some(from), Some(to)) => can_move(from, to),
            _ => false,
        };
        if !ok {
            return Err(StoreError::invalid("status", STATUS_MOVE));
        }
    }
    if next.dealer_id != current.dealer_id {
        check_refs(&mut tx, actor, &mut next).await?;
    } else if next.model_id != current.model_id {
        // Dealer unchanged: only the model needs checking.
        let keep = next.dealer_id;
        next.dealer_id = None;
        let mut oem = actor.clone();
        oem.scope = Scope::Oem;
        check_refs(&mut tx, &oem, &mut next).await?;
        next.dealer_id = keep;
    }
    let mut q = scope::update(&actor.scope, &VEHICLE);
    for (c, v) in Vehicle::WRITABLE.iter().zip(next.writable_values()) {
        q.value(*c, v);
    }
    q.value("version", version + 1).value("updated_at", now());
    q.and_where(Expr::col(("vehicle", "id")).eq(id)).and_where(Expr::col(("vehicle", "version")).eq(version));
    if tx.execute(q).await? != 1 {
        return Err(StoreError::Stale { current: current.version + 1 });
    }
    let stored = record::get_in::<Vehicle>(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "update",
            entity: "vehicle",
            entity_id: Some(id),
            dealer_id: stored.dealer_id.or(current.dealer_id),
            summary: Some(stored.summary()),
            before: Some(serde_json::to_value(&current).unwrap_or_default()),
            after: Some(serde_json::to_value(&stored).unwrap_or_default()),
        },
    )
    .await?;
    let owner = super::ownership::current_owner(&mut tx, id).await?;
    if let Some((ownership_id, customer_id)) = owner {
        let title = super::title_of(&mut tx, &stored).await?;
        if stored.status == VehicleStatus::InDealerStock.as_str() && current.status == VehicleStatus::Sold.as_str() {
            let today = now().date_naive();
            tx.execute(sql("UPDATE ownership SET to_date = $1 WHERE id = $2", vec![today.into(), ownership_id.into()])).await?;
            timeline::add(
                &mut tx,
                actor,
                NewEvent {
                    customer_id,
                    kind: "vehicle_traded_in",
                    title: title.clone(),
                    body: None,
                    dealer_id: stored.dealer_id,
                    reference: Some(("vehicle", id)),
                    due_date: None,
                },
            )
            .await?;
        } else if stored.status != current.status {
            timeline::add(
                &mut tx,
                actor,
                NewEvent {
                    customer_id,
                    kind: "vehicle_status",
                    title: title.clone(),
                    body: Some(stored.status.clone()),
                    dealer_id: stored.dealer_id,
                    reference: Some(("vehicle", id)),
                    due_date: None,
                },
            )
            .await?;
        }
        if stored.plate != current.plate {
            timeline::add(
                &mut tx,
                actor,
                NewEvent {
                    customer_id,
                    kind: "vehicle_plate",
                    title,
                    body: Some(format!("{} → {}", current.plate.as_deref().unwrap_or("—"), stored.plate.as_deref().unwrap_or("—"))),
                    dealer_id: stored.dealer_id,
                    reference: Some(("vehicle", id)),
                    due_date: None,
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(stored)
}
