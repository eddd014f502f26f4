//! Pages of test drives: the day's schedule per demo car (phone first), booking a
//! car from a lead, a booking with its completion, cancel and no-show forms, and
//! the fleet for dealer managers.

use askama::Template;
use autocrm_domain::test_drives::{DriveRecord, cancel_reason};
use autocrm_store::auth::Actor;
use autocrm_store::leads::today::LeadRow;
use autocrm_store::page::{self, PageRequest};
use autocrm_store::test_drives::views::{self, CarDay, CarLabel, TestDriveRow, china_today};
use autocrm_store::test_drives::{self as drives, Booking, CarInput, CarPatch, Ending, TestDrive, cars};
use autocrm_store::vehicles::{VehicleModel, models};
use autocrm_store::{leads, org};
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, DurationRound, NaiveDate, Utc};
use serde::Deserialize;

use crate::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{Id, Query};
use crate::leads::pages::{Errors, field_errors, local_time, opt};
use crate::pages::{self, Layout, PageError, PageResult, field, opt_id, render, see_other};

/// Minutes a booking may last, as offered in the form.
const LENGTHS: [i64; 5] = [30, 45, 60, 90, 120];

fn the_dealer(a: &Actor, asked: Option<i64>, options: &[(i64, String, String)]) -> Option<i64> {
    asked.filter(|d| options.iter().any(|o| o.0 == *d)).or(a.dealer_id).or_else(|| options.first().map(|o| o.0))
}

fn parse_day(v: Option<&str>, now: DateTime<Utc>) -> NaiveDate {
    v.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).unwrap_or_else(|| china_today(now))
}

// ---- the schedule --------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct ScheduleQuery {
    day: Option<String>,
    dealer_id: Option<String>,
}

#[derive(Template)]
#[template(path = "test_drives/schedule.html")]
struct SchedulePage {
    l: Layout,
    day: NaiveDate,
    dealer_id: Option<i64>,
    dealers: Vec<(i64, String, String)>,
    days: Vec<CarDay>,
}

impl SchedulePage {
    fn day_href(&self, plus: i64) -> String {
        let d = self.day + Duration::days(plus);
        format!("/test-drives?day={d}&dealer_id={}", self.dealer_id.unwrap_or_default())
    }
    fn is_dealer(&self, id: &i64) -> bool {
        self.dealer_id == Some(*id)
    }
}

pub async fn schedule(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<ScheduleQuery>) -> PageResult {
    let dealers = org::options(&app.db, &a.scope, &org::DEALER).await?;
    let dealer_id = the_dealer(&a, q.dealer_id.as_deref().and_then(|d| d.parse().ok()), &dealers);
    let day = parse_day(q.day.as_deref(), autocrm_store::now());
    let days = match dealer_id {
        Some(d) => views::schedule(&app.db, &a.scope, d, day).await?,
        None => vec![],
    };
    Ok(render(&SchedulePage { l, day, dealer_id, dealers, days }))
}

// ---- booking from a lead --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "test_drives/new.html")]
struct NewPage {
    l: Layout,
    lead: LeadRow,
    cars: Vec<(i64, String)>,
    consultants: Vec<(i64, String)>,
    lengths: Vec<i64>,
    v: pages::Form,
    errors: Errors,
    /// The booking a refused request collided with.
    collides: Option<TestDriveRow>,
    day: NaiveDate,
    days: Vec<CarDay>,
}

impl NewPage {
    fn val(&self, k: &str) -> &str {
        field(&self.v, k)
    }
    fn checked(&self, k: &str, v: &i64) -> bool {
        self.val(k) == v.to_string()
    }
    fn owns(&self, id: &i64) -> bool {
        self.lead.owner_user_id == Some(*id)
    }
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    lead_id: Option<i64>,
}

/// The booking form opens on "now" (rounded down to five minutes): most drives
/// are booked for a customer standing in the showroom.
fn default_start(now: DateTime<Utc>) -> String {
    let t = now.duration_trunc(Duration::minutes(5)).unwrap_or(now);
    t.with_timezone(&pages::china_time()).format("%Y-%m-%dT%H:%M").to_string()
}

async fn new_page(app: &App, a: &Actor, l: Layout, lead_id: i64, v: pages::Form, errors: Errors, collides: Option<TestDriveRow>, status: StatusCode) -> PageResult {
    let lead = leads::today::row(&app.db, &a.scope, lead_id).await?;
    let dealer = lead.dealer_id.ok_or(PageError(StatusCode::NOT_FOUND))?;
    let consultants = if l.can("lead_manage") { leads::rules::consultant_options(&app.db, dealer).await? } else { vec![] };
    let day = local_time(&v, "starts_at").ok().flatten().map(china_today).unwrap_or_else(|| china_today(autocrm_store::now()));
    let mut r = render(&NewPage {
        cars: cars::choices(&app.db, &a.scope, dealer).await?,
        days: views::schedule(&app.db, &a.scope, dealer, day).await?,
        lead,
        consultants,
        lengths: LENGTHS.to_vec(),
        v,
        errors,
        collides,
        day,
        l,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn new_booking(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<NewQuery>) -> PageResult {
    let lead_id = q.lead_id.ok_or(PageError(StatusCode::NOT_FOUND))?;
    let mut v = pages::Form::new();
    v.insert("starts_at".into(), default_start(autocrm_store::now()));
    v.insert("minutes".into(), "30".into());
    new_page(&app, &a, l, lead_id, v, vec![], None, StatusCode::OK).await
}

fn booking_of(v: &pages::Form) -> Result<Booking, ApiError> {
    let lead_id = opt_id(v, "lead_id").ok_or_else(|| ApiError::field("lead_id", "is required"))?;
    let demo_car_id = opt_id(v, "demo_car_id").ok_or_else(|| ApiError::field("demo_car_id", "is required"))?;
    let starts_at = local_time(v, "starts_at")?.ok_or_else(|| ApiError::field("starts_at", "is required"))?;
    let minutes = opt_id(v, "minutes").unwrap_or(30);
    Ok(Booking { lead_id, demo_car_id, consultant_id: opt_id(v, "consultant_id"), starts_at, ends_at: starts_at + Duration::minutes(minutes) })
}

pub async fn create(State(app): State<App>, Caller(a): Caller, l: Layout, Form(v): Form<pages::Form>) -> PageResult {
    let r = match booking_of(&v) {
        Ok(b) => drives::book(&app.db, &a, b).await.map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match r {
        Ok(d) => Ok(see_other(&format!("/test-drives/{}", d.id))),
        Err(e) => {
            let Some(lead_id) = opt_id(&v, "lead_id") else { return Err(PageError(StatusCode::NOT_FOUND)) };
            let collides = match &e.body.conflicts_with {
                Some(c) => views::row(&app.db, &a.scope, c.id).await.ok(),
                None => None,
            };
            let status = e.status;
            new_page(&app, &a, l, lead_id, v, field_errors(e)?, collides, status).await
        }
    }
}

// ---- one booking ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "test_drives/show.html")]
struct ShowPage {
    l: Layout,
    d: TestDriveRow,
    drive: TestDrive,
    errors: Errors,
    can_end: bool,
}

impl ShowPage {
    fn stars(&self) -> String {
        "★".repeat(self.drive.rating.unwrap_or(0).clamp(0, 5) as usize)
    }
}

async fn show_page(app: &App, a: &Actor, l: Layout, id: i64, errors: Errors, status: StatusCode) -> PageResult {
    let d = views::row(&app.db, &a.scope, id).await?;
    let drive = autocrm_store::record::get::<TestDrive>(&app.db, &a.scope, id).await?;
    let can_end = l.can("lead_write") && drive.status().holds_slot();
    let mut r = render(&ShowPage { l, d, drive, errors, can_end });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn show(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id) -> PageResult {
    show_page(&app, &a, l, id, vec![], StatusCode::OK).await
}

async fn ended(app: &App, a: &Actor, l: Layout, id: i64, r: Result<Ending, ApiError>) -> PageResult {
    let r = match r {
        Ok(end) => drives::finish(&app.db, a, id, None, end).await.map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(see_other(&format!("/test-drives/{id}"))),
        Err(e) if e.status == StatusCode::NOT_FOUND => Err(PageError(StatusCode::NOT_FOUND)),
        Err(e) => {
            let status = e.status;
            show_page(app, a, l, id, field_errors(e)?, status).await
        }
    }
}

pub async fn complete(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id, Form(v): Form<pages::Form>) -> PageResult {
    let r = DriveRecord::parse(opt_id(&v, "rating"), opt(&v, "feedback").as_deref(), opt(&v, "route").as_deref()).map(Ending::Completed);
    ended(&app, &a, l, id, r.map_err(ApiError::from)).await
}

pub async fn cancel(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id, Form(v): Form<pages::Form>) -> PageResult {
    let r = cancel_reason(opt(&v, "reason").as_deref()).map(Ending::Cancelled);
    ended(&app, &a, l, id, r.map_err(ApiError::from)).await
}

pub async fn no_show(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id) -> PageResult {
    ended(&app, &a, l, id, Ok(Ending::NoShow)).await
}

// ---- the fleet ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "test_drives/cars.html")]
struct CarsPage {
    l: Layout,
    cars: Vec<CarLabel>,
    models: Vec<VehicleModel>,
    dealers: Vec<(i64, String, String)>,
    v: pages::Form,
    errors: Errors,
}

impl CarsPage {
    fn val(&self, k: &str) -> &str {
        field(&self.v, k)
    }
    fn sel(&self, k: &str, id: &i64) -> bool {
        self.val(k) == id.to_string()
    }
}

async fn cars_page(app: &App, a: &Actor, l: Layout, v: pages::Form, errors: Errors, status: StatusCode) -> PageResult {
    let p = PageRequest::parse(Some(page::MAX_LIMIT), Some("id"), None, &views::CAR_SORT, "id").map_err(|_| PageError(StatusCode::BAD_REQUEST))?;
    let mut r = render(&CarsPage {
        cars: views::cars(&app.db, &a.scope, None, None, &p).await?.items,
        models: models::choices(&app.db).await?,
        dealers: if a.dealer_id.is_some() { vec![] } else { org::options(&app.db, &a.scope, &org::DEALER).await? },
        l,
        v,
        errors,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn cars(State(app): State<App>, Caller(a): Caller, l: Layout) -> PageResult {
    cars_page(&app, &a, l, pages::Form::new(), vec![], StatusCode::OK).await
}

pub async fn create_car(State(app): State<App>, Caller(a): Caller, l: Layout, Form(v): Form<pages::Form>) -> PageResult {
    let input = CarInput {
        dealer_id: opt_id(&v, "dealer_id"),
        model_id: opt_id(&v, "model_id"),
        plate: field(&v, "plate").to_string(),
        vin: opt(&v, "vin"),
        color: opt(&v, "color"),
        note: opt(&v, "note"),
    };
    match cars::create(&app.db, &a, input).await {
        Ok(_) => Ok(see_other("/demo-cars")),
        Err(e) => {
            let e = ApiError::from(e);
            let status = e.status;
            cars_page(&app, &a, l, v, field_errors(e)?, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "test_drives/car.html")]
struct CarPage {
    l: Layout,
    car: CarLabel,
    models: Vec<VehicleModel>,
    errors: Errors,
}

async fn car_page(app: &App, a: &Actor, l: Layout, id: i64, errors: Errors, status: StatusCode) -> PageResult {
    let car = cars::get(&app.db, &a.scope, id).await?;
    let p = PageRequest::parse(Some(page::MAX_LIMIT), Some("id"), None, &views::CAR_SORT, "id").map_err(|_| PageError(StatusCode::BAD_REQUEST))?;
    let label = views::cars(&app.db, &a.scope, Some(car.dealer_id), None, &p).await?.items.into_iter().find(|c| c.id == id);
    let car = label.ok_or(PageError(StatusCode::NOT_FOUND))?;
    let mut r = render(&CarPage { l, car, models: models::choices(&app.db).await?, errors });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn car(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id) -> PageResult {
    car_page(&app, &a, l, id, vec![], StatusCode::OK).await
}

pub async fn update_car(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id, Form(v): Form<pages::Form>) -> PageResult {
    let patch = CarPatch {
        model_id: opt_id(&v, "model_id"),
        plate: opt(&v, "plate"),
        vin: v.contains_key("vin").then(|| opt(&v, "vin")),
        color: v.contains_key("color").then(|| opt(&v, "color")),
        note: v.contains_key("note").then(|| opt(&v, "note")),
        active: v.get("active").map(|x| x == "true"),
    };
    let version = opt_id(&v, "version").unwrap_or_default();
    match cars::update(&app.db, &a, id, version, patch).await {
        Ok(_) => Ok(see_other("/demo-cars")),
        Err(e) => {
            let e = ApiError::from(e);
            if e.status == StatusCode::NOT_FOUND {
                return Err(PageError(StatusCode::NOT_FOUND));
            }
            let status = e.status;
            car_page(&app, &a, l, id, field_errors(e)?, status).await
        }
    }
}
