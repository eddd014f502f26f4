//! Pages of vehicles: the list, the vehicle form, and the vehicle page with its
//! ownership history, odometer readings, and the sell/transfer form.

use std::collections::HashMap;

use askama::Template;
use autocrm_domain::FieldError;
use autocrm_domain::vehicles::{VehicleStatus, next_statuses};
use autocrm_store::auth::Actor;
use autocrm_store::org;
use autocrm_store::page::{Page, PageRequest};
use autocrm_store::vehicles::{
    self, ChangeOwner, Handover, NewReading, Vehicle, VehicleDetail, VehicleFilter, VehicleInput, VehicleModel, models,
    ownership, vehicle,
};
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{Id, Query};
use crate::pages::{Layout, PageError, PageResult, china_midnight_utc, render, see_other};

type Errors = Vec<(String, String)>;

/// Field errors of a failed save, for re-rendering the form.
fn field_errors(e: ApiError) -> Result<Errors, PageError> {
    if e.status.is_client_error() {
        let mut out: Errors = e.body.fields.into_iter().map(|f| (f.path, f.message)).collect();
        if out.is_empty() {
            out.push((String::new(), e.body.message));
        }
        Ok(out)
    } else {
        Err(PageError(e.status))
    }
}

fn labels(models: &[VehicleModel]) -> HashMap<i64, String> {
    models.iter().map(|m| (m.id, m.label())).collect()
}

// ---- list ------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "vehicles/list.html")]
struct ListPage {
    l: Layout,
    page: Page<Vehicle>,
    q: String,
    status: String,
    statuses: Vec<&'static str>,
    models: HashMap<i64, String>,
    next_href: Option<String>,
}

impl ListPage {
    fn model(&self, id: &Option<i64>) -> String {
        id.and_then(|id| self.models.get(&id).cloned()).unwrap_or_default()
    }
    fn km(&self, k: &i64) -> String {
        thousands(*k)
    }
}

pub async fn list(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<ListQuery>) -> PageResult {
    let status = q.status.clone().filter(|s| VehicleStatus::parse(s).is_some());
    let f = VehicleFilter { q: q.q.clone(), status: status.clone(), ..Default::default() };
    let p = PageRequest::parse(Some(50), Some("-id"), q.cursor.as_deref(), &vehicle::VEHICLE_SORT, "-id")
        .map_err(|_| PageError(StatusCode::NOT_FOUND))?;
    let page = vehicle::list(&app.db, &a.scope, &f, &p).await?;
    let next_href = page.next_cursor.as_ref().map(|c| {
        let qs: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("q", q.q.as_deref().unwrap_or(""))
            .append_pair("status", status.as_deref().unwrap_or(""))
            .append_pair("cursor", c)
            .finish();
        format!("/vehicles?{qs}")
    });
    Ok(render(&ListPage {
        models: labels(&models::choices(&app.db).await?),
        statuses: VehicleStatus::ALL.iter().map(|s| s.as_str()).collect(),
        q: q.q.unwrap_or_default(),
        status: status.unwrap_or_default(),
        page,
        next_href,
        l,
    }))
}

// ---- form ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "vehicles/form.html")]
struct FormPage {
    l: Layout,
    /// None: a new vehicle.
    id: Option<i64>,
    version: i64,
    v: HashMap<String, String>,
    errors: Errors,
    models: Vec<VehicleModel>,
    dealers: Vec<(i64, String, String)>,
    statuses: Vec<&'static str>,
    /// The VIN's check digit is wrong but may be kept: show the confirmation box.
    confirm_vin: bool,
}

impl FormPage {
    fn val(&self, k: &str) -> &str {
        self.v.get(k).map(String::as_str).unwrap_or("")
    }
    fn error(&self, k: &str) -> &str {
        self.errors.iter().find(|(f, _)| f == k).map(|(_, m)| m.as_str()).unwrap_or("")
    }
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    app: &App,
    a: &Actor,
    l: Layout,
    id: Option<i64>,
    version: i64,
    v: HashMap<String, String>,
    errors: Errors,
    statuses: Vec<&'static str>,
    status: StatusCode,
) -> PageResult {
    let confirm_vin = errors.iter().any(|(f, m)| f == "vin" && m == vehicle::VIN_CONFIRM);
    let mut r = render(&FormPage {
        models: models::choices(&app.db).await?,
        dealers: org::options(&app.db, &a.scope, &org::DEALER).await?,
        l,
        id,
        version,
        v,
        errors,
        statuses,
        confirm_vin,
    });
    *r.status_mut() = status;
    Ok(r)
}

fn values(v: &Vehicle) -> HashMap<String, String> {
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    let d = |o: &Option<NaiveDate>| o.map(|d| d.to_string()).unwrap_or_default();
    let n = |o: Option<i64>| o.map(|n| n.to_string()).unwrap_or_default();
    HashMap::from([
        ("vin".to_string(), v.vin.clone()),
        ("vin_check_override".to_string(), if v.vin_check_ok { String::new() } else { "on".into() }),
        ("engine_no".to_string(), s(&v.engine_no)),
        ("production_no".to_string(), s(&v.production_no)),
        ("model_id".to_string(), n(v.model_id)),
        ("color".to_string(), s(&v.color)),
        ("plate".to_string(), s(&v.plate)),
        ("status".to_string(), v.status.clone()),
        ("sale_date".to_string(), d(&v.sale_date)),
        ("warranty_end".to_string(), d(&v.warranty_end)),
        ("dealer_id".to_string(), n(v.dealer_id)),
    ])
}

/// The form's values as store input; unparsable numbers and dates are field
/// errors reported with every other field's.
fn form_input(v: &HashMap<String, String>) -> Result<VehicleInput, ApiError> {
    let get = |k: &str| v.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut errors = vec![];
    let mut num = |k: &str| {
        get(k).and_then(|s| s.parse::<i64>().map_err(|_| errors.push(FieldError::new(k, "must be a whole number"))).ok())
    };
    let model_id = num("model_id");
    let dealer_id = num("dealer_id");
    let mileage_km = num("mileage_km");
    let mut date = |k: &str| {
        get(k).and_then(|s| s.parse::<NaiveDate>().map_err(|_| errors.push(FieldError::new(k, "must be a date"))).ok())
    };
    let sale_date = date("sale_date");
    let warranty_end = date("warranty_end");
    let input = VehicleInput {
        vin: get("vin").unwrap_or_default(),
        vin_check_override: v.get("vin_check_override").is_some_and(|x| x == "on"),
        engine_no: get("engine_no"),
        production_no: get("production_no"),
        model_id,
        color: get("color"),
        plate: get("plate"),
        status: get("status"),
        sale_date,
        warranty_end,
        mileage_km,
        dealer_id,
    };
    if let Err(mut e) = input.validate() {
        errors.append(&mut e);
    }
    if errors.is_empty() { Ok(input) } else { Err(ApiError::invalid(errors)) }
}

fn create_statuses() -> Vec<&'static str> {
    [VehicleStatus::InDealerStock, VehicleStatus::InTransit, VehicleStatus::InProduction].iter().map(|s| s.as_str()).collect()
}

fn edit_statuses(current: &str) -> Vec<&'static str> {
    let Some(s) = VehicleStatus::parse(current) else { return vec![] };
    std::iter::once(s).chain(next_statuses(s)).map(|s| s.as_str()).collect()
}

pub async fn new_vehicle(State(app): State<App>, Caller(a): Caller, l: Layout) -> PageResult {
    let mut v = HashMap::new();
    v.insert("status".to_string(), "in_dealer_stock".to_string());
    if let Some(d) = a.dealer_id {
        v.insert("dealer_id".to_string(), d.to_string());
    }
    form_page(&app, &a, l, None, 0, v, vec![], create_statuses(), StatusCode::OK).await
}

pub async fn create_vehicle(State(app): State<App>, Caller(a): Caller, l: Layout, Form(v): Form<HashMap<String, String>>) -> PageResult {
    let saved = match form_input(&v) {
        Ok(input) => super::api::create(&app, &a, &input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(veh) => Ok(see_other(&format!("/vehicles/{}", veh.id))),
        Err(e) => {
            let status = e.status;
            form_page(&app, &a, l, None, 0, v, field_errors(e)?, create_statuses(), status).await
        }
    }
}

pub async fn edit_vehicle(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id) -> PageResult {
    let veh = vehicle::get(&app.db, &a.scope, id).await?;
    form_page(&app, &a, l, Some(id), veh.version, values(&veh), vec![], edit_statuses(&veh.status), StatusCode::OK).await
}

pub async fn update_vehicle(
    State(app): State<App>,
    Caller(a): Caller,
    l: Layout,
    Id(id): Id,
    Form(v): Form<HashMap<String, String>>,
) -> PageResult {
    let current = vehicle::get(&app.db, &a.scope, id).await?;
    let version = v.get("version").and_then(|x| x.parse().ok()).unwrap_or(0);
    let saved = match form_input(&v) {
        Ok(mut input) => {
            // The mileage comes from readings, not from this form.
            input.mileage_km = current.mileage_km;
            match input.validate() {
                Ok(next) => vehicle::update(&app.db, &a, id, version, next).await.map_err(ApiError::from),
                Err(e) => Err(ApiError::invalid(e)),
            }
        }
        Err(e) => Err(e),
    };
    let statuses = edit_statuses(&current.status);
    match saved {
        Ok(_) => Ok(see_other(&format!("/vehicles/{id}"))),
        Err(e) if e.status == StatusCode::CONFLICT && e.body.code == "stale_version" => {
            let msg = l.t("common.stale").to_string();
            form_page(&app, &a, l, Some(id), version, v, vec![(String::new(), msg)], statuses, StatusCode::CONFLICT).await
        }
        Err(e) => {
            let status = e.status;
            form_page(&app, &a, l, Some(id), version, v, field_errors(e)?, statuses, status).await
        }
    }
}

// ---- vehicle page ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "vehicles/show.html")]
struct ShowPage {
    l: Layout,
    d: VehicleDetail,
    /// Which form the errors belong to: `owner` or `reading`.
    errors_for: &'static str,
    errors: Errors,
    /// What was typed in the form that failed.
    v: HashMap<String, String>,
    today: String,
}

impl ShowPage {
    fn val(&self, k: &str) -> &str {
        self.v.get(k).map(String::as_str).unwrap_or("")
    }
    fn has_owner(&self) -> bool {
        self.d.ownership.iter().any(|o| o.current && o.role == "owner")
    }
    fn can_sell(&self) -> bool {
        VehicleStatus::parse(&self.d.vehicle.status).is_some_and(|s| autocrm_domain::vehicles::can_move(s, VehicleStatus::Sold))
    }
    fn date(&self, d: &Option<NaiveDate>) -> String {
        d.map(|d| d.to_string()).unwrap_or_default()
    }
    fn km(&self, k: &i64) -> String {
        thousands(*k)
    }
    fn in_warranty(&self) -> bool {
        self.d.vehicle.warranty_end.is_some_and(|w| w >= chrono::Utc::now().date_naive())
    }
}

/// `12345` → `12,345`.
pub fn thousands(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

async fn show_page(app: &App, a: &Actor, l: Layout, id: i64, errors_for: &'static str, errors: Errors, v: HashMap<String, String>) -> PageResult {
    let d = vehicles::detail(&app.db, &a.scope, id).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let today = chrono::Utc::now().with_timezone(&crate::pages::china_time()).date_naive().to_string();
    let mut r = render(&ShowPage { l, d, errors_for, errors, v, today });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn show(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id) -> PageResult {
    show_page(&app, &a, l, id, "", vec![], HashMap::new()).await
}

pub async fn change_owner(
    State(app): State<App>,
    Caller(a): Caller,
    l: Layout,
    Id(id): Id,
    Form(v): Form<HashMap<String, String>>,
) -> PageResult {
    let get = |k: &str| v.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let kind = if get("kind") == "transfer" { Handover::Transfer } else { Handover::Sell };
    let mut errors: Errors = vec![];
    let date = match get("date").as_str() {
        "" => None,
        d => d.parse::<NaiveDate>().map_err(|_| errors.push(("date".into(), "must be a date".into()))).ok(),
    };
    let customer = ownership::find_customer(&app.db, &a.scope, &get("customer")).await?;
    if customer.is_none() {
        errors.push(("customer".into(), ownership::CUSTOMER_NOT_FOUND.into()));
    }
    if let (Some((customer_id, _, _)), true) = (customer, errors.is_empty()) {
        match vehicles::change_owner(&app.db, &a, id, &ChangeOwner { kind, customer_id, date }).await {
            Ok(_) => return Ok(see_other(&format!("/vehicles/{id}"))),
            Err(e) => errors = field_errors(ApiError::from(e))?,
        }
    }
    show_page(&app, &a, l, id, "owner", errors, v).await
}

pub async fn add_reading(
    State(app): State<App>,
    Caller(a): Caller,
    l: Layout,
    Id(id): Id,
    Form(v): Form<HashMap<String, String>>,
) -> PageResult {
    let get = |k: &str| v.get(k).map(|s| s.trim().replace([',', ' '], "")).unwrap_or_default();
    let mut errors: Errors = vec![];
    let km = get("km").parse::<i64>().map_err(|_| errors.push(("km".into(), "must be a whole number".into()))).ok();
    let today = chrono::Utc::now().with_timezone(&crate::pages::china_time()).date_naive();
    let read_at = match get("date").as_str() {
        "" => None,
        d => match d.parse::<NaiveDate>() {
            // A reading dated today is taken now; an earlier day at noon China time.
            Ok(day) if day == today => None,
            Ok(day) => Some(china_midnight_utc(day) + chrono::Duration::hours(12)),
            Err(_) => {
                errors.push(("date".into(), "must be a date".into()));
                None
            }
        },
    };
    if let (Some(km), true) = (km, errors.is_empty()) {
        let r = NewReading {
            km,
            read_at,
            source: Some(get("source")).filter(|s| !s.is_empty()),
            meter_replaced: v.get("meter_replaced").is_some_and(|x| x == "on"),
        };
        match vehicles::record_reading(&app.db, &a, id, &r).await {
            Ok(_) => return Ok(see_other(&format!("/vehicles/{id}"))),
            Err(e) => errors = field_errors(ApiError::from(e))?,
        }
    }
    show_page(&app, &a, l, id, "reading", errors, v).await
}
