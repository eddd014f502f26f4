//! The minimal model catalog: brand, series, model and trim with the service
//! intervals the later service work needs. The catalog is the OEM's reference data:
//! every signed-in user reads all of it, and only the OEM (OrgManage) changes it.

use autocrm_domain::FieldError;
use autocrm_domain::access::Scope;
use chrono::{DateTime, Utc};
use sea_query::{Condition, Expr, ExprTrait, Value};
use serde::Serialize;

use crate::auth::Actor;
use crate::db::{FromRow, Row};
use crate::page::{self, Page, PageRequest, SortField};
use crate::record::{self, Record};
use crate::scope::Scoped;
use crate::{Db, StoreError, now};

/// Network-wide reference data: always read and written with [`Scope::Oem`] (the
/// link below is never consulted for it).
pub const VEHICLE_MODEL: Scoped = Scoped::by_dealer("vehicle_model", "id");

pub const MODEL_SORT: [SortField; 3] = [page::text("code", "code"), page::text("series", "series"), page::int("id", "id")];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VehicleModel {
    pub id: i64,
    /// The OEM's model code (`DY-YF-15T-LX`).
    pub code: String,
    pub brand: String,
    pub series: String,
    pub model: String,
    pub trim: Option<String>,
    /// The first service is due at this many km.
    pub first_service_km: Option<i64>,
    /// Then every this many km.
    pub service_interval_km: Option<i64>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FromRow for VehicleModel {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(VehicleModel {
            id: r.get(0)?,
            code: r.get(1)?,
            brand: r.get(2)?,
            series: r.get(3)?,
            model: r.get(4)?,
            trim: r.get(5)?,
            first_service_km: r.get(6)?,
            service_interval_km: r.get(7)?,
            active: r.get(8)?,
            version: r.get(9)?,
            created_at: r.get(10)?,
            updated_at: r.get(11)?,
        })
    }
}

impl Record for VehicleModel {
    const ENTITY: &'static str = "vehicle_model";
    const SCOPED: Scoped = VEHICLE_MODEL;
    const COLUMNS: &'static [&'static str] = &[
        "id", "code", "brand", "series", "model", "trim", "first_service_km", "service_interval_km", "active", "version",
        "created_at", "updated_at",
    ];
    const WRITABLE: &'static [&'static str] =
        &["code", "brand", "series", "model", "trim", "first_service_km", "service_interval_km", "active"];
    fn writable_values(&self) -> Vec<Value> {
        vec![
            self.code.clone().into(),
            self.brand.clone().into(),
            self.series.clone().into(),
            self.model.clone().into(),
            self.trim.clone().into(),
            self.first_service_km.into(),
            self.service_interval_km.into(),
            self.active.into(),
        ]
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
        format!("{} {}", self.code, self.label())
    }
}

impl VehicleModel {
    /// `brand series model trim`.
    pub fn label(&self) -> String {
        super::model_label(&self.brand, &self.series, &self.model, self.trim.as_deref())
    }
}

/// What a user types for a model (API and form).
#[derive(Debug, Clone, Default)]
pub struct ModelInput {
    pub code: String,
    pub brand: String,
    pub series: String,
    pub model: String,
    pub trim: Option<String>,
    pub first_service_km: Option<i64>,
    pub service_interval_km: Option<i64>,
    pub active: bool,
}

fn required(field: &str, v: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let v = v.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, autocrm_domain::vehicles::REQUIRED));
    } else if v.chars().count() > max {
        errors.push(FieldError::new(field, format!("must be at most {max} characters")));
    }
    v.to_string()
}

fn km(field: &str, v: Option<i64>, errors: &mut Vec<FieldError>) -> Option<i64> {
    if let Some(k) = v
        && !(1..=1_000_000).contains(&k)
    {
        errors.push(FieldError::new(field, "must be between 1 and 1000000"));
    }
    v
}

impl ModelInput {
    /// Checks every field and reports all errors at once.
    pub fn validate(&self) -> Result<VehicleModel, Vec<FieldError>> {
        let mut e = Vec::new();
        let code = required("code", &self.code, 32, &mut e).to_uppercase();
        if !code.is_empty() && !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            e.push(FieldError::new("code", "may contain only letters, digits, - and _"));
        }
        let brand = required("brand", &self.brand, 40, &mut e);
        let series = required("series", &self.series, 40, &mut e);
        let model = required("model", &self.model, 60, &mut e);
        let trim = self.trim.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
        if trim.as_ref().is_some_and(|t| t.chars().count() > 60) {
            e.push(FieldError::new("trim", "must be at most 60 characters"));
        }
        let first_service_km = km("first_service_km", self.first_service_km, &mut e);
        let service_interval_km = km("service_interval_km", self.service_interval_km, &mut e);
        if !e.is_empty() {
            return Err(e);
        }
        let t = now();
        Ok(VehicleModel {
            id: 0,
            code,
            brand,
            series,
            model,
            trim,
            first_service_km,
            service_interval_km,
            active: self.active,
            version: 0,
            created_at: t,
            updated_at: t,
        })
    }
}

impl From<&VehicleModel> for ModelInput {
    fn from(m: &VehicleModel) -> Self {
        ModelInput {
            code: m.code.clone(),
            brand: m.brand.clone(),
            series: m.series.clone(),
            model: m.model.clone(),
            trim: m.trim.clone(),
            first_service_km: m.first_service_km,
            service_interval_km: m.service_interval_km,
            active: m.active,
        }
    }
}

/// The catalog, optionally only active models or those matching `q`.
pub async fn list(db: &Db, q: Option<&str>, active: Option<bool>, p: &PageRequest) -> Result<Page<VehicleModel>, StoreError> {
    let mut c = Condition::all();
    if let Some(q) = q.filter(|q| !q.trim().is_empty()) {
        c = c.add(record::text_search("vehicle_model", &["code", "brand", "series", "model", "trim"], q));
    }
    if let Some(a) = active {
        c = c.add(Expr::col(("vehicle_model", "active")).eq(a));
    }
    record::list::<VehicleModel>(db, &Scope::Oem, c, p).await
}

/// Every active model, for choosing one in a form.
pub async fn choices(db: &Db) -> Result<Vec<VehicleModel>, StoreError> {
    let p = PageRequest::parse(Some(page::MAX_LIMIT), Some("code"), None, &MODEL_SORT, "code")?;
    Ok(list(db, None, Some(true), &p).await?.items)
}

pub async fn get(db: &Db, id: i64) -> Result<VehicleModel, StoreError> {
    record::get::<VehicleModel>(db, &Scope::Oem, id).await
}

pub async fn create(db: &Db, actor: &Actor, input: &ModelInput) -> Result<VehicleModel, StoreError> {
    let m = input.validate().map_err(first)?;
    record::insert(db, actor, &m).await
}

/// Updates a model; the catalog is network-wide, so the change applies with OEM
/// reach whoever (with OrgManage) makes it.
pub async fn update(db: &Db, actor: &Actor, id: i64, version: i64, input: &ModelInput) -> Result<VehicleModel, StoreError> {
    let next = input.validate().map_err(first)?;
    let mut oem = actor.clone();
    oem.scope = Scope::Oem;
    record::update::<VehicleModel>(db, &oem, id, version, |cur| Ok(VehicleModel { id: cur.id, ..next.clone() })).await
}

fn first(mut e: Vec<FieldError>) -> StoreError {
    StoreError::Invalid(e.remove(0))
}
