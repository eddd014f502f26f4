//! JSON API for customers: create (or link by strong key), list, the 360 bundle,
//! changes, notes and commitments, the timeline, and the audited reveal.

use autocrm_domain::FieldError;
use autocrm_domain::access::Action;
use autocrm_domain::customers::CustomerKind;
use autocrm_store::auth::Actor;
use autocrm_store::customers::timeline::{self, TimelineEvent};
use autocrm_store::customers::{
    self, ContactPointInput, Customer, Customer360, CustomerPatch, NewAddress, NewConsent, NewCustomer, RelationshipInput,
    RevealField,
};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorResponse, FieldMessage};
use crate::extract::{Id, Json, Query};
use crate::org::api::double_option;
use crate::rest::{self, Paging};

/// This capability's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(list, create, get_one, update, add_note, add_commitment, commitment_done, reveal, timeline_page),
    components(schemas(
        CustomerInput, AddressInput, ConsentInput, CustomerOut, CustomerPatchInput, ContactPointIn, RelationshipIn, NoteInput,
        CommitmentInput, RevealInput, Revealed, Customer, Customer360, TimelineEvent
    ))
)]
pub struct Doc;

const BASE: &str = "/api/v1/customers";

// ---- create ----------------------------------------------------------------------------------

#[derive(Deserialize, ToSchema, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    /// Street and number.
    pub line: String,
    pub label: Option<String>,
}

#[derive(Deserialize, ToSchema, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    /// `sms`, `phone`, `email`, `mail`, `wechat`.
    pub channel: String,
    pub granted: bool,
    /// Defaults to `marketing`.
    pub purpose: Option<String>,
    /// Where it was given: `showroom`, `hotline`, `web`… (default `staff`).
    pub source: Option<String>,
}

/// A new customer. Persons need a name and a way to reach them (usually a
/// mobile); everything else is optional.
#[derive(Deserialize, ToSchema, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// `person` (default), `enterprise`, `government`.
    pub kind: Option<String>,
    pub name: String,
    /// `male`, `female`, `unknown`.
    pub gender: Option<String>,
    /// `YYYY-MM-DD`.
    pub birthday: Option<String>,
    pub occupation: Option<String>,
    /// Resident ID number (persons).
    pub id_number: Option<String>,
    /// Unified social credit code (organizations); a wrong check character is a warning.
    pub uscc: Option<String>,
    /// The primary mobile.
    pub mobile: Option<String>,
    /// Further mobiles.
    #[serde(default)]
    pub mobiles: Vec<String>,
    pub landline: Option<String>,
    #[serde(default)]
    pub landlines: Vec<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    pub wechat: Option<String>,
    #[serde(default)]
    pub wechats: Vec<String>,
    pub address: Option<AddressInput>,
    #[serde(default)]
    pub addresses: Vec<AddressInput>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub consents: Vec<ConsentInput>,
    /// The dealer to link to (default: your own).
    pub dealer_id: Option<i64>,
    /// `lead` (default), `bought`, `serviced`, `assigned`.
    pub link_kind: Option<String>,
    /// The consultant who follows the customer at that dealer.
    pub owner_user_id: Option<i64>,
}

fn with_first<T: Clone>(first: &Option<T>, rest: &[T]) -> Vec<T> {
    first.iter().cloned().chain(rest.iter().cloned()).collect()
}

fn nonempty(v: Vec<String>) -> Vec<String> {
    v.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

impl CustomerInput {
    pub fn into_new(self) -> NewCustomer {
        let address = |a: AddressInput| NewAddress { province: a.province, city: a.city, district: a.district, line: a.line, label: a.label };
        NewCustomer {
            kind: self.kind,
            name: self.name,
            gender: self.gender,
            birthday: self.birthday,
            occupation: self.occupation,
            id_number: self.id_number,
            uscc: self.uscc,
            mobiles: nonempty(with_first(&self.mobile, &self.mobiles)),
            landlines: nonempty(with_first(&self.landline, &self.landlines)),
            emails: nonempty(with_first(&self.email, &self.emails)),
            wechats: nonempty(with_first(&self.wechat, &self.wechats)),
            addresses: with_first(&self.address, &self.addresses).into_iter().filter(|a| !a.line.trim().is_empty()).map(address).collect(),
            tags: self.tags,
            consents: self
                .consents
                .into_iter()
                .map(|c| NewConsent { channel: c.channel, granted: c.granted, purpose: c.purpose, source: c.source })
                .collect(),
            dealer_id: self.dealer_id,
            link_kind: self.link_kind,
            owner_user_id: self.owner_user_id,
        }
    }
}

/// A customer as the API returns it after a write: mobile and ID number masked.
#[derive(Serialize, ToSchema)]
pub struct CustomerOut {
    #[serde(flatten)]
    pub customer: Customer,
    /// An existing customer with the same mobile, ID number or USCC was linked
    /// instead of a new one created.
    pub linked: bool,
    /// Accepted values worth a second look (e.g. a USCC with a wrong check character).
    pub warnings: Vec<FieldMessage>,
}

fn messages(w: Vec<FieldError>) -> Vec<FieldMessage> {
    w.into_iter().map(|f| FieldMessage { path: f.field, message: f.message }).collect()
}

fn respond(status: StatusCode, c: Customer, linked: bool, warnings: Vec<FieldError>, location: bool) -> Response {
    let (id, version) = (c.id, c.version);
    let mut r = (status, axum::Json(CustomerOut { customer: c.masked(), linked, warnings: messages(warnings) })).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        r.headers_mut().insert(header::ETAG, v);
    }
    if location && let Ok(v) = HeaderValue::from_str(&format!("{BASE}/{id}")) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// Validates and creates (or links); shared with the page.
pub async fn create_customer(app: &App, a: &Actor, input: NewCustomer) -> ApiResult<customers::Created> {
    let valid = customers::validate(&input, customers::today()).map_err(ApiError::invalid)?;
    Ok(customers::create_valid(&app.db, a, valid).await?)
}

/// Create a customer. When a customer with the same mobile, ID number or USCC is
/// already on file, that customer is linked to your dealer and completed instead
/// (200 with `"linked": true`); otherwise 201.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", request_body = CustomerInput,
    responses((status = 201, body = CustomerOut), (status = 200, description = "an existing customer was linked", body = CustomerOut),
        (status = 422, body = ErrorResponse)))]
pub async fn create(State(app): State<App>, Caller(a): Caller, Json(input): Json<CustomerInput>) -> ApiResult<Response> {
    let c = create_customer(&app, &a, input.into_new()).await?;
    let status = if c.linked { StatusCode::OK } else { StatusCode::CREATED };
    Ok(respond(status, c.customer, c.linked, c.warnings, true))
}

// ---- list and read ------------------------------------------------------------------------------

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Part of the name, the customer number, pinyin initials, a mobile or its last 4 digits.
    pub q: Option<String>,
    /// Only customers linked to this dealer (also accepted as `dealer`).
    #[serde(alias = "dealer")]
    pub dealer_id: Option<i64>,
    /// `person`, `enterprise`, `government`.
    pub kind: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `id` (default `-id`: newest first), `name`, `customer_no`.
    pub sort: Option<String>,
}

pub fn filter_of(q: Option<String>, dealer_id: Option<i64>, kind: Option<&str>) -> ApiResult<customers::Filter> {
    let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(CustomerKind::parse(k).ok_or_else(|| ApiError::field("kind", "must be one of person, enterprise, government"))?),
        None => None,
    };
    Ok(customers::Filter { q, dealer_id, kind })
}

/// Customers in your scope, newest first, masked.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(ListQuery),
    responses((status = 200, body = inline(rest::PageOf<Customer>)), (status = 422, body = ErrorResponse)))]
pub async fn list(State(app): State<App>, Caller(a): Caller, Query(q): Query<ListQuery>) -> ApiResult<Response> {
    let p = Paging { limit: q.limit, cursor: q.cursor.clone(), sort: q.sort.clone() }.request(&customers::SORT, "-id")?;
    let f = filter_of(q.q.clone(), q.dealer_id, q.kind.as_deref())?;
    let mut page = customers::list(&app.db, &a.scope, &f, &p).await?;
    page.items = page.items.into_iter().map(Customer::masked).collect();
    Ok(rest::page(page))
}

/// The 360 view of one customer (404 outside your scope): profile, contact
/// points, consents in force, dealer links, relationships, vehicles, open
/// commitments and the newest timeline entries.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = Customer360), (status = 404, body = ErrorResponse)))]
pub async fn get_one(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    let v = customers::get_360(&app.db, &a.scope, id).await?;
    let etag = format!("\"{}\"", v.customer.version);
    let mut r = axum::Json(v).into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    Ok(r)
}

// ---- update -----------------------------------------------------------------------------------------

#[derive(Deserialize, ToSchema, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct ContactPointIn {
    /// `mobile`, `landline`, `email`, `wechat`, `address`.
    pub kind: String,
    /// The number, e-mail, WeChat id, or an address's street line.
    pub value: String,
    pub label: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    /// Make it the primary of its kind.
    #[serde(default)]
    pub primary: bool,
}

#[derive(Deserialize, ToSchema, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct RelationshipIn {
    pub related_id: i64,
    /// `family`, `colleague`, `friend`, `referred_by`, `referred`, `employee_of`, `employer_of`
    /// (read "this customer is KIND the related one"); the inverse is stored too.
    pub kind: String,
}

/// A change: absent fields stay, `null` clears. Contact points are added,
/// removed (by id) or made primary; a consent is a new row (history is kept).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatchInput {
    pub version: Option<i64>,
    pub name: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub gender: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub birthday: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub occupation: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub id_number: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub uscc: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub add_contact_points: Vec<ContactPointIn>,
    #[serde(default)]
    pub remove_contact_points: Vec<i64>,
    #[serde(default)]
    pub set_primary: Vec<i64>,
    #[serde(default)]
    pub consents: Vec<ConsentInput>,
    #[serde(default)]
    pub relationships: Vec<RelationshipIn>,
}

impl CustomerPatchInput {
    pub fn into_patch(self) -> CustomerPatch {
        CustomerPatch {
            name: self.name,
            gender: self.gender,
            birthday: self.birthday,
            occupation: self.occupation,
            id_number: self.id_number,
            uscc: self.uscc,
            tags: self.tags,
            add_contact_points: self
                .add_contact_points
                .into_iter()
                .map(|p| ContactPointInput {
                    kind: p.kind,
                    value: p.value,
                    label: p.label,
                    province: p.province,
                    city: p.city,
                    district: p.district,
                    primary: p.primary,
                })
                .collect(),
            remove_contact_points: self.remove_contact_points,
            set_primary: self.set_primary,
            consents: self
                .consents
                .into_iter()
                .map(|c| NewConsent { channel: c.channel, granted: c.granted, purpose: c.purpose, source: c.source })
                .collect(),
            relationships: self.relationships.into_iter().map(|r| RelationshipInput { related_id: r.related_id, kind: r.kind }).collect(),
        }
    }
}

/// Checks every field (the store stops at the first), then applies the patch.
pub async fn apply_patch(app: &App, a: &Actor, id: i64, version: i64, p: &CustomerPatch) -> ApiResult<customers::Updated> {
    let current = customers::get(&app.db, &a.scope, id).await?;
    let errors = customers::check_patch(&current, p);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    Ok(customers::update(&app.db, a, id, version, p).await?)
}

/// Change a customer (with the version you read: `If-Match` or `version`; 409 when stale).
#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = i64, Path)), request_body = CustomerPatchInput,
    responses((status = 200, body = CustomerOut), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn update(
    State(app): State<App>,
    Caller(a): Caller,
    Id(id): Id,
    headers: HeaderMap,
    Json(p): Json<CustomerPatchInput>,
) -> ApiResult<Response> {
    let version = rest::expected_version(&headers, p.version)?;
    let u = apply_patch(&app, &a, id, version, &p.into_patch()).await?;
    Ok(respond(StatusCode::OK, u.customer, false, u.warnings, false))
}

// ---- notes and commitments ------------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    pub text: String,
}

/// Write a note on the customer's timeline.
#[utoipa::path(post, path = "/api/v1/customers/{id}/notes", tag = "customers", params(("id" = i64, Path)), request_body = NoteInput,
    responses((status = 201, body = TimelineEvent), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_note(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(n): Json<NoteInput>) -> ApiResult<Response> {
    let e = timeline::add_note(&app.db, &a, id, &n.text).await?;
    Ok((StatusCode::CREATED, axum::Json(e)).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentInput {
    /// What was promised ("free first maintenance").
    pub text: String,
    pub details: Option<String>,
    /// `YYYY-MM-DD`.
    pub due_date: String,
}

pub fn parse_due(raw: &str) -> Result<NaiveDate, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::new("due_date", "is required"));
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| FieldError::new("due_date", "must be a date YYYY-MM-DD"))
}

/// Record a commitment made to the customer: who promised what, and by when.
#[utoipa::path(post, path = "/api/v1/customers/{id}/commitments", tag = "customers", params(("id" = i64, Path)),
    request_body = CommitmentInput,
    responses((status = 201, body = TimelineEvent), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_commitment(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(c): Json<CommitmentInput>) -> ApiResult<Response> {
    let mut errors = vec![];
    if c.text.trim().is_empty() {
        errors.push(FieldError::new("text", "is required"));
    }
    let due = parse_due(&c.due_date).map_err(|e| errors.push(e)).ok();
    let Some(due) = due.filter(|_| errors.is_empty()) else { return Err(ApiError::invalid(errors)) };
    let e = timeline::add_commitment(&app.db, &a, id, &c.text, c.details.as_deref(), due).await?;
    Ok((StatusCode::CREATED, axum::Json(e)).into_response())
}

/// Mark a commitment kept.
#[utoipa::path(post, path = "/api/v1/customers/{id}/commitments/{event_id}/done", tag = "customers",
    params(("id" = i64, Path), ("event_id" = i64, Path)),
    responses((status = 200, body = TimelineEvent), (status = 404, body = ErrorResponse)))]
pub async fn commitment_done(State(app): State<App>, Caller(a): Caller, Path((id, event)): Path<(String, String)>) -> ApiResult<Response> {
    let (Ok(id), Ok(event)) = (id.parse::<i64>(), event.parse::<i64>()) else { return Err(ApiError::not_found()) };
    let e = timeline::mark_done(&app.db, &a, id, event).await?;
    Ok(axum::Json(e).into_response())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    /// Only entries of this kind (`note`, `commitment`…).
    pub kind: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The customer's timeline, newest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/timeline", tag = "customers", params(("id" = i64, Path), TimelineQuery),
    responses((status = 200, body = inline(rest::PageOf<TimelineEvent>)), (status = 404, body = ErrorResponse)))]
pub async fn timeline_page(State(app): State<App>, Caller(a): Caller, Id(id): Id, Query(q): Query<TimelineQuery>) -> ApiResult<Response> {
    let p = Paging { limit: q.limit, cursor: q.cursor.clone(), sort: None }.request(&timeline::SORT, "-id")?;
    let kind = q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty());
    Ok(rest::page(timeline::list(&app.db, &a.scope, id, kind, &p).await?))
}

// ---- reveal -------------------------------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealInput {
    /// `mobile` or `id_number`.
    pub field: String,
    /// A particular mobile contact point (default: the primary mobile).
    pub contact_point_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Revealed {
    pub field: String,
    pub value: String,
}

pub async fn do_reveal(app: &App, a: &Actor, id: i64, field: &str, cp: Option<i64>) -> ApiResult<Revealed> {
    if !a.role.grants(Action::PiiReveal) {
        return Err(ApiError::forbidden());
    }
    let f = RevealField::parse(field)?;
    let value = customers::reveal(&app.db, a, id, f, cp).await?;
    Ok(Revealed { field: f.as_str().into(), value })
}

/// See a customer's mobile or ID number in clear. Every reveal is in the audit trail.
#[utoipa::path(post, path = "/api/v1/customers/{id}/reveal", tag = "customers", params(("id" = i64, Path)), request_body = RevealInput,
    responses((status = 200, body = Revealed), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn reveal(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(r): Json<RevealInput>) -> ApiResult<Response> {
    Ok(axum::Json(do_reveal(&app, &a, id, &r.field, r.contact_point_id).await?).into_response())
}
