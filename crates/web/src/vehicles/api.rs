//! JSON API of vehicles and ownership: the model catalog, vehicles with their
//! ownership history and odometer readings.

use autocrm_store::vehicles::{
    self, ChangeOwner, Handover, ModelInput, NewReading, OwnershipPeriod, Reading, Vehicle, VehicleDetail, VehicleFilter,
    VehicleInput, VehicleModel, models, vehicle,
};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{Id, Json, Query};
use crate::org::api::double_option;
use crate::rest::{self, Paging, parse_bool};

/// This capability's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(list_models, create_model, update_model, list_vehicles, create_vehicle, get_vehicle, update_vehicle, change_owner, add_reading),
    components(schemas(VehicleModel, Vehicle, VehicleDetail, OwnershipPeriod, Reading, Handover, ModelIn, ModelPatch, VehicleIn, VehiclePatch, OwnerIn, ReadingIn))
)]
pub struct Doc;

fn paging(limit: Option<u64>, cursor: &Option<String>, sort: &Option<String>) -> Paging {
    Paging { limit, cursor: cursor.clone(), sort: sort.clone() }
}

fn yes() -> bool {
    true
}

// ---- model catalog ------------------------------------------------------------------------

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ModelQuery {
    /// Substring of code, brand, series, model or trim.
    pub q: Option<String>,
    pub active: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `code`, `series`, `id` (prefix `-` for descending).
    pub sort: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelIn {
    /// The OEM's model code: letters, digits, `-`, `_`.
    pub code: String,
    pub brand: String,
    pub series: String,
    pub model: String,
    pub trim: Option<String>,
    pub first_service_km: Option<i64>,
    pub service_interval_km: Option<i64>,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelPatch {
    /// The version you read; or send `If-Match`.
    pub version: Option<i64>,
    pub code: Option<String>,
    pub brand: Option<String>,
    pub series: Option<String>,
    pub model: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub trim: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub first_service_km: Option<Option<i64>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub service_interval_km: Option<Option<i64>>,
    pub active: Option<bool>,
}

/// List the model catalog.
#[utoipa::path(get, path = "/api/v1/vehicle-models", tag = "vehicles", params(ModelQuery),
    responses((status = 200, body = inline(rest::PageOf<VehicleModel>)), (status = 422, body = ErrorResponse)))]
pub async fn list_models(State(app): State<App>, Query(q): Query<ModelQuery>) -> ApiResult<Response> {
    let p = paging(q.limit, &q.cursor, &q.sort).request(&models::MODEL_SORT, "code")?;
    let active = parse_bool("active", q.active.as_deref())?;
    Ok(rest::page(models::list(&app.db, q.q.as_deref(), active, &p).await?))
}

/// Add a model to the catalog.
#[utoipa::path(post, path = "/api/v1/vehicle-models", tag = "vehicles", request_body = ModelIn,
    responses((status = 201, body = VehicleModel), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_model(State(app): State<App>, Caller(a): Caller, Json(m): Json<ModelIn>) -> ApiResult<Response> {
    let input = ModelInput {
        code: m.code,
        brand: m.brand,
        series: m.series,
        model: m.model,
        trim: m.trim,
        first_service_km: m.first_service_km,
        service_interval_km: m.service_interval_km,
        active: m.active,
    };
    input.validate().map_err(ApiError::invalid)?;
    Ok(rest::created(models::create(&app.db, &a, &input).await?, "/api/v1/vehicle-models"))
}

/// Change a model of the catalog.
#[utoipa::path(patch, path = "/api/v1/vehicle-models/{id}", tag = "vehicles", params(("id" = i64, Path)), request_body = ModelPatch,
    responses((status = 200, body = VehicleModel), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_model(
    State(app): State<App>,
    Caller(a): Caller,
    Id(id): Id,
    headers: HeaderMap,
    Json(p): Json<ModelPatch>,
) -> ApiResult<Response> {
    let version = rest::expected_version(&headers, p.version)?;
    let current = models::get(&app.db, id).await?;
    let mut input = ModelInput::from(&current);
    if let Some(v) = p.code {
        input.code = v;
    }
    if let Some(v) = p.brand {
        input.brand = v;
    }
    if let Some(v) = p.series {
        input.series = v;
    }
    if let Some(v) = p.model {
        input.model = v;
    }
    if let Some(v) = p.trim {
        input.trim = v;
    }
    if let Some(v) = p.first_service_km {
        input.first_service_km = v;
    }
    if let Some(v) = p.service_interval_km {
        input.service_interval_km = v;
    }
    if let Some(v) = p.active {
        input.active = v;
    }
    input.validate().map_err(ApiError::invalid)?;
    Ok(rest::ok(models::update(&app.db, &a, id, version, &input).await?))
}

// ---- vehicles ------------------------------------------------------------------------------

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VehicleQuery {
    /// A VIN prefix, the VIN's last characters (e.g. the last 6 or 8) or a plate prefix.
    pub q: Option<String>,
    /// `in_production`, `in_transit`, `in_dealer_stock`, `sold`, `scrapped`.
    pub status: Option<String>,
    pub model_id: Option<i64>,
    pub dealer_id: Option<i64>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `vin` or `id` (prefix `-` for descending; default `-id`, newest first).
    pub sort: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleIn {
    /// 17 characters; the check digit (position 9) must be right for `L…` and
    /// `1`–`5` WMIs. For other WMIs a wrong one needs `vin_check_override: true`.
    pub vin: String,
    #[serde(default)]
    pub vin_check_override: bool,
    pub engine_no: Option<String>,
    pub production_no: Option<String>,
    pub model_id: Option<i64>,
    pub color: Option<String>,
    /// A Chinese licence plate (`沪A12345`, new energy `沪AD12345`).
    pub plate: Option<String>,
    /// Default `in_dealer_stock`.
    pub status: Option<String>,
    pub sale_date: Option<NaiveDate>,
    /// Default: three years after the sale date.
    pub warranty_end: Option<NaiveDate>,
    /// The odometer now; recorded as the first reading.
    pub mileage_km: Option<i64>,
    /// The stock or selling dealer; default your own dealer.
    pub dealer_id: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VehiclePatch {
    /// The version you read; or send `If-Match`.
    pub version: Option<i64>,
    pub vin: Option<String>,
    pub vin_check_override: Option<bool>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub engine_no: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub production_no: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub model_id: Option<Option<i64>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub color: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub plate: Option<Option<String>>,
    /// A move the lifecycle allows (e.g. `in_transit` → `in_dealer_stock`).
    pub status: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub sale_date: Option<Option<NaiveDate>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub warranty_end: Option<Option<NaiveDate>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub dealer_id: Option<Option<i64>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerIn {
    /// `sell` from stock, or `transfer` from the current owner.
    pub kind: Handover,
    pub customer_id: i64,
    /// The day ownership changes; default today.
    pub date: Option<NaiveDate>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadingIn {
    pub km: i64,
    /// Default now.
    pub read_at: Option<DateTime<Utc>>,
    /// `manual` (default), `service`, `sale`, `initial`.
    pub source: Option<String>,
    /// The meter was replaced: this reading starts a new count and may be lower.
    #[serde(default)]
    pub meter_replaced: bool,
}

/// The create input as the store's [`VehicleInput`].
pub fn input_of(v: VehicleIn) -> VehicleInput {
    VehicleInput {
        vin: v.vin,
        vin_check_override: v.vin_check_override,
        engine_no: v.engine_no,
        production_no: v.production_no,
        model_id: v.model_id,
        color: v.color,
        plate: v.plate,
        status: v.status,
        sale_date: v.sale_date,
        warranty_end: v.warranty_end,
        mileage_km: v.mileage_km,
        dealer_id: v.dealer_id,
    }
}

/// Validates and stores a new vehicle (shared with the page).
pub async fn create(app: &App, a: &autocrm_store::auth::Actor, input: &VehicleInput) -> ApiResult<Vehicle> {
    let v = input.validate().map_err(ApiError::invalid)?;
    Ok(vehicle::create(&app.db, a, v).await?)
}

/// List vehicles within your scope.
#[utoipa::path(get, path = "/api/v1/vehicles", tag = "vehicles", params(VehicleQuery),
    responses((status = 200, body = inline(rest::PageOf<Vehicle>)), (status = 422, body = ErrorResponse)))]
pub async fn list_vehicles(State(app): State<App>, Caller(a): Caller, Query(q): Query<VehicleQuery>) -> ApiResult<Response> {
    let p = paging(q.limit, &q.cursor, &q.sort).request(&vehicle::VEHICLE_SORT, "-id")?;
    let f = VehicleFilter { q: q.q, status: q.status, model_id: q.model_id, dealer_id: q.dealer_id };
    Ok(rest::page(vehicle::list(&app.db, &a.scope, &f, &p).await?))
}

/// Register a vehicle.
#[utoipa::path(post, path = "/api/v1/vehicles", tag = "vehicles", request_body = VehicleIn,
    responses((status = 201, body = Vehicle), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_vehicle(State(app): State<App>, Caller(a): Caller, Json(v): Json<VehicleIn>) -> ApiResult<Response> {
    let stored = create(&app, &a, &input_of(v)).await?;
    Ok(rest::created(stored, "/api/v1/vehicles"))
}

fn detail_response(status: StatusCode, d: VehicleDetail) -> Response {
    let etag = format!("\"{}\"", d.vehicle.version);
    let mut r = (status, axum::Json(d)).into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}

/// A vehicle with its model, ownership history and latest odometer readings.
#[utoipa::path(get, path = "/api/v1/vehicles/{id}", tag = "vehicles", params(("id" = i64, Path)),
    responses((status = 200, body = VehicleDetail), (status = 404, body = ErrorResponse)))]
pub async fn get_vehicle(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    Ok(detail_response(StatusCode::OK, vehicles::detail(&app.db, &a.scope, id).await?))
}

/// Change a vehicle (status moves must be allowed by the lifecycle).
#[utoipa::path(patch, path = "/api/v1/vehicles/{id}", tag = "vehicles", params(("id" = i64, Path)), request_body = VehiclePatch,
    responses((status = 200, body = Vehicle), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_vehicle(
    State(app): State<App>,
    Caller(a): Caller,
    Id(id): Id,
    headers: HeaderMap,
    Json(p): Json<VehiclePatch>,
) -> ApiResult<Response> {
    let version = rest::expected_version(&headers, p.version)?;
    let current = vehicle::get(&app.db, &a.scope, id).await?;
    let mut input = VehicleInput::from(&current);
    if let Some(v) = p.vin {
        input.vin = v;
    }
    if let Some(v) = p.vin_check_override {
        input.vin_check_override = v;
    }
    if let Some(v) = p.engine_no {
        input.engine_no = v;
    }
    if let Some(v) = p.production_no {
        input.production_no = v;
    }
    if let Some(v) = p.model_id {
        input.model_id = v;
    }
    if let Some(v) = p.color {
        input.color = v;
    }
    if let Some(v) = p.plate {
        input.plate = v;
    }
    if let Some(v) = p.status {
        input.status = Some(v);
    }
    if let Some(v) = p.sale_date {
        input.sale_date = v;
        if p.warranty_end.is_none() && current.sale_date.is_none() {
            input.warranty_end = None;
        }
    }
    if let Some(v) = p.warranty_end {
        input.warranty_end = v;
    }
    if let Some(v) = p.dealer_id {
        input.dealer_id = v;
    }
    let next = input.validate().map_err(ApiError::invalid)?;
    Ok(rest::ok(vehicle::update(&app.db, &a, id, version, next).await?))
}

/// Sell the vehicle to a customer, or transfer it from its owner to another; the
/// ownership history keeps every period.
#[utoipa::path(post, path = "/api/v1/vehicles/{id}/ownership", tag = "vehicles", params(("id" = i64, Path)), request_body = OwnerIn,
    responses((status = 200, body = VehicleDetail), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn change_owner(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(o): Json<OwnerIn>) -> ApiResult<Response> {
    let c = ChangeOwner { kind: o.kind, customer_id: o.customer_id, date: o.date };
    vehicles::change_owner(&app.db, &a, id, &c).await?;
    Ok(detail_response(StatusCode::OK, vehicles::detail(&app.db, &a.scope, id).await?))
}

/// Record an odometer reading (it may not go down unless the meter was replaced).
#[utoipa::path(post, path = "/api/v1/vehicles/{id}/readings", tag = "vehicles", params(("id" = i64, Path)), request_body = ReadingIn,
    responses((status = 201, body = Reading), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_reading(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(r): Json<ReadingIn>) -> ApiResult<Response> {
    let n = NewReading { km: r.km, read_at: r.read_at, source: r.source, meter_replaced: r.meter_replaced };
    let reading = vehicles::record_reading(&app.db, &a, id, &n).await?;
    Ok((StatusCode::CREATED, axum::Json(reading)).into_response())
}
