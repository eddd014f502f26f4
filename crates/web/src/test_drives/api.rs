//! JSON API of test drives: the demo fleet (list, add, change, retire), bookings
//! (list by day, dealer, car, lead; book; one booking) and their endings
//! (complete with feedback and rating, cancel with a reason, no-show).

use autocrm_domain::test_drives::{DriveRecord, Status, cancel_reason};
use autocrm_store::test_drives::views::{self, CarLabel, DriveFilter, TestDriveRow};
use autocrm_store::test_drives::{self as drives, Booking, CarInput, CarPatch, DemoCar, Ending, TestDrive, cars};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{Id, Json, Query};
use crate::org::api::double_option;
use crate::rest::{self, Paging};

#[derive(OpenApi)]
#[openapi(
    paths(list_cars, create_car, get_car, update_car, list, create, get_one, complete, cancel, no_show),
    components(schemas(DemoCar, CarLabel, CarIn, CarPatchIn, TestDrive, TestDriveRow, BookingIn, CompleteIn, CancelIn, VersionIn))
)]
pub struct Doc;

const CARS: &str = "/api/v1/demo-cars";
const BASE: &str = "/api/v1/test-drives";

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CarQuery {
    pub dealer_id: Option<i64>,
    /// `true`: only cars that can be booked; `false`: only retired ones.
    pub active: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `id` (default) or `-id`.
    pub sort: Option<String>,
}

/// The demo fleet within scope.
#[utoipa::path(get, path = "/api/v1/demo-cars", tag = "test_drives", params(CarQuery),
    responses((status = 200, body = inline(rest::PageOf<CarLabel>)), (status = 422, body = ErrorResponse)))]
pub async fn list_cars(State(app): State<App>, Caller(a): Caller, Query(q): Query<CarQuery>) -> ApiResult<Response> {
    let p = Paging { limit: q.limit, cursor: q.cursor.clone(), sort: q.sort.clone() }.request(&views::CAR_SORT, "id")?;
    let active = rest::parse_bool("active", q.active.as_deref())?;
    Ok(rest::page(views::cars(&app.db, &a.scope, q.dealer_id, active, &p).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CarIn {
    /// Default: the manager's own dealer.
    pub dealer_id: Option<i64>,
    pub model_id: Option<i64>,
    /// A licence plate (`沪AD12345`), checked like any plate.
    pub plate: String,
    pub vin: Option<String>,
    pub color: Option<String>,
    pub note: Option<String>,
}

/// Add a car to a dealer's demo fleet.
#[utoipa::path(post, path = "/api/v1/demo-cars", tag = "test_drives", request_body = CarIn,
    responses((status = 201, body = DemoCar), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_car(State(app): State<App>, Caller(a): Caller, Json(i): Json<CarIn>) -> ApiResult<Response> {
    let input = CarInput { dealer_id: i.dealer_id, model_id: i.model_id, plate: i.plate, vin: i.vin, color: i.color, note: i.note };
    Ok(rest::created(cars::create(&app.db, &a, input).await?, CARS))
}

/// One demo car.
#[utoipa::path(get, path = "/api/v1/demo-cars/{id}", tag = "test_drives", params(("id" = i64, Path)),
    responses((status = 200, body = DemoCar), (status = 404, body = ErrorResponse)))]
pub async fn get_car(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    Ok(rest::ok(cars::get(&app.db, &a.scope, id).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CarPatchIn {
    pub version: Option<i64>,
    pub model_id: Option<i64>,
    pub plate: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub vin: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub color: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
    /// `false` retires the car (kept with its history, no new bookings).
    pub active: Option<bool>,
}

/// Change or retire a demo car.
#[utoipa::path(patch, path = "/api/v1/demo-cars/{id}", tag = "test_drives", params(("id" = i64, Path)), request_body = CarPatchIn,
    responses((status = 200, body = DemoCar), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_car(State(app): State<App>, Caller(a): Caller, Id(id): Id, headers: HeaderMap, Json(p): Json<CarPatchIn>) -> ApiResult<Response> {
    let version = rest::expected_version(&headers, p.version)?;
    let patch = CarPatch { model_id: p.model_id, plate: p.plate, vin: p.vin, color: p.color, note: p.note, active: p.active };
    Ok(rest::ok(cars::update(&app.db, &a, id, version, patch).await?))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DriveQuery {
    /// Bookings starting on this day (China time), `YYYY-MM-DD`.
    pub day: Option<NaiveDate>,
    pub dealer_id: Option<i64>,
    pub demo_car_id: Option<i64>,
    pub lead_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub consultant_id: Option<i64>,
    /// `booked`, `completed`, `cancelled`, `no_show`.
    pub status: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `id` or `-id` (default, newest first).
    pub sort: Option<String>,
}

/// Bookings within scope.
#[utoipa::path(get, path = "/api/v1/test-drives", tag = "test_drives", params(DriveQuery),
    responses((status = 200, body = inline(rest::PageOf<TestDriveRow>)), (status = 422, body = ErrorResponse)))]
pub async fn list(State(app): State<App>, Caller(a): Caller, Query(q): Query<DriveQuery>) -> ApiResult<Response> {
    if let Some(s) = q.status.as_deref()
        && Status::parse(s).is_none()
    {
        return Err(ApiError::field("status", "must be booked, completed, cancelled or no_show"));
    }
    let p = Paging { limit: q.limit, cursor: q.cursor.clone(), sort: q.sort.clone() }.request(&views::DRIVE_SORT, "-id")?;
    let f = DriveFilter {
        day: q.day,
        dealer_id: q.dealer_id,
        demo_car_id: q.demo_car_id,
        lead_id: q.lead_id,
        customer_id: q.customer_id,
        consultant_id: q.consultant_id,
        status: q.status,
    };
    Ok(rest::page(views::list(&app.db, &a.scope, &f, &p).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingIn {
    pub lead_id: i64,
    pub demo_car_id: i64,
    /// Default: the lead's consultant.
    pub consultant_id: Option<i64>,
    pub starts_at: DateTime<Utc>,
    /// 15 to 240 minutes after `starts_at`.
    pub ends_at: DateTime<Utc>,
}

/// Book a demo car for a lead's customer. A car or consultant already booked at
/// that time answers 409 naming the field and the booking it collides with.
#[utoipa::path(post, path = "/api/v1/test-drives", tag = "test_drives", request_body = BookingIn,
    responses((status = 201, body = TestDrive), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create(State(app): State<App>, Caller(a): Caller, Json(i): Json<BookingIn>) -> ApiResult<Response> {
    let b = Booking { lead_id: i.lead_id, demo_car_id: i.demo_car_id, consultant_id: i.consultant_id, starts_at: i.starts_at, ends_at: i.ends_at };
    Ok(rest::created(drives::book(&app.db, &a, b).await?, BASE))
}

/// One booking.
#[utoipa::path(get, path = "/api/v1/test-drives/{id}", tag = "test_drives", params(("id" = i64, Path)),
    responses((status = 200, body = TestDrive), (status = 404, body = ErrorResponse)))]
pub async fn get_one(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    Ok(rest::ok(autocrm_store::record::get::<TestDrive>(&app.db, &a.scope, id).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CompleteIn {
    /// 1–5.
    pub rating: Option<i64>,
    pub feedback: Option<String>,
    pub route: Option<String>,
    pub version: Option<i64>,
}

/// Record a drive that happened: the lead moves to the test-drive stage.
#[utoipa::path(post, path = "/api/v1/test-drives/{id}/complete", tag = "test_drives", params(("id" = i64, Path)), request_body = CompleteIn,
    responses((status = 200, body = TestDrive), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn complete(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(i): Json<CompleteIn>) -> ApiResult<Response> {
    let r = DriveRecord::parse(i.rating, i.feedback.as_deref(), i.route.as_deref())?;
    Ok(rest::ok(drives::finish(&app.db, &a, id, i.version, Ending::Completed(r)).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CancelIn {
    pub reason: Option<String>,
    pub version: Option<i64>,
}

/// Cancel a booking (the slot is free again).
#[utoipa::path(post, path = "/api/v1/test-drives/{id}/cancel", tag = "test_drives", params(("id" = i64, Path)), request_body = CancelIn,
    responses((status = 200, body = TestDrive), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn cancel(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(i): Json<CancelIn>) -> ApiResult<Response> {
    let reason = cancel_reason(i.reason.as_deref())?;
    Ok(rest::ok(drives::finish(&app.db, &a, id, i.version, Ending::Cancelled(reason)).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct VersionIn {
    pub version: Option<i64>,
}

/// The customer did not come.
#[utoipa::path(post, path = "/api/v1/test-drives/{id}/no-show", tag = "test_drives", params(("id" = i64, Path)), request_body = VersionIn,
    responses((status = 200, body = TestDrive), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn no_show(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(i): Json<VersionIn>) -> ApiResult<Response> {
    Ok(rest::ok(drives::finish(&app.db, &a, id, i.version, Ending::NoShow).await?))
}
