//! JSON API of the organization.

use autocrm_domain::FieldError;
use autocrm_domain::org::{DealerLevel, DepartmentKind, parse_code, parse_name, parse_optional_text, parse_province};
use autocrm_store::auth::Actor;
use autocrm_store::org::{self, CodeNamed, Dealer, DealerFilter, DealerGroup, Department, Region};
use autocrm_store::record;
use autocrm_store::now;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use sea_query::{Condition, Expr, ExprTrait};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{Id, Json, Query};
use crate::rest::{self, Paging, parse_bool};

fn yes() -> bool {
    true
}

/// Collects every field error instead of stopping at the first.
#[derive(Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }
    pub fn finish(self) -> ApiResult<()> {
        if self.0.is_empty() { Ok(()) } else { Err(ApiError::invalid(self.0)) }
    }
}

// ---- regions and dealer groups (code + name) -----------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeNameInput {
    /// 2–16 characters: A–Z, 0–9, `-`.
    pub code: String,
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeNamePatch {
    /// The version you read; or send `If-Match`.
    pub version: Option<i64>,
    pub code: Option<String>,
    pub name: Option<String>,
    pub active: Option<bool>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CodeNameQuery {
    /// Substring of code or name.
    pub q: Option<String>,
    pub active: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `code`, `name`, `id` (prefix `-` for descending).
    pub sort: Option<String>,
}

fn code_name_filter(table: &'static str, q: &CodeNameQuery) -> ApiResult<Condition> {
    let mut c = Condition::all();
    if let Some(text) = q.q.as_deref().filter(|t| !t.trim().is_empty()) {
        c = c.add(record::text_search(table, &["code", "name"], text));
    }
    if let Some(a) = parse_bool("active", q.active.as_deref())? {
        c = c.add(Expr::col((table, "active")).eq(a));
    }
    Ok(c)
}

fn paging(limit: Option<u64>, cursor: &Option<String>, sort: &Option<String>) -> Paging {
    Paging { limit, cursor: cursor.clone(), sort: sort.clone() }
}

fn parse_code_name(input: &CodeNameInput) -> ApiResult<(String, String)> {
    let mut e = Errors::default();
    let code = e.take(parse_code("code", &input.code));
    let name = e.take(parse_name("name", &input.name));
    e.finish()?;
    Ok((code.unwrap_or_default(), name.unwrap_or_default()))
}

async fn list_code_named<T: CodeNamed>(app: &App, a: &Actor, q: &CodeNameQuery) -> ApiResult<Response> {
    let p = paging(q.limit, &q.cursor, &q.sort).request(&org::CODE_NAME_SORT, "code")?;
    Ok(rest::page(record::list::<T>(&app.db, &a.scope, code_name_filter(T::SCOPED.table, q)?, &p).await?))
}

/// Creates a region or dealer group from validated input (shared with the pages).
pub async fn create_code_named<T: CodeNamed>(app: &App, a: &Actor, input: &CodeNameInput) -> ApiResult<T> {
    let (code, name) = parse_code_name(input)?;
    Ok(record::insert(&app.db, a, &T::new(code, name, input.active)).await?)
}

async fn update_code_named<T: CodeNamed>(
    app: &App,
    a: &Actor,
    id: i64,
    headers: &HeaderMap,
    p: &CodeNamePatch,
) -> ApiResult<Response> {
    let version = rest::expected_version(headers, p.version)?;
    let r = record::update::<T>(&app.db, a, id, version, |cur| {
        let mut next = cur.clone();
        let (code, name, active) = next.parts_mut();
        if let Some(c) = &p.code {
            *code = parse_code("code", c)?;
        }
        if let Some(n) = &p.name {
            *name = parse_name("name", n)?;
        }
        if let Some(x) = p.active {
            *active = x;
        }
        Ok(next)
    })
    .await?;
    Ok(rest::ok(r))
}

/// List regions.
#[utoipa::path(get, path = "/api/v1/regions", tag = "org", params(CodeNameQuery),
    responses((status = 200, body = inline(rest::PageOf<Region>)), (status = 422, body = ErrorResponse)))]
pub async fn list_regions(State(app): State<App>, Caller(a): Caller, Query(q): Query<CodeNameQuery>) -> ApiResult<Response> {
    list_code_named::<Region>(&app, &a, &q).await
}

/// Create a region.
#[utoipa::path(post, path = "/api/v1/regions", tag = "org", request_body = CodeNameInput,
    responses((status = 201, body = Region), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_region(State(app): State<App>, Caller(a): Caller, Json(input): Json<CodeNameInput>) -> ApiResult<Response> {
    Ok(rest::created(create_code_named::<Region>(&app, &a, &input).await?, "/api/v1/regions"))
}

/// One region.
#[utoipa::path(get, path = "/api/v1/regions/{id}", tag = "org", params(("id" = i64, Path)),
    responses((status = 200, body = Region), (status = 404, body = ErrorResponse)))]
pub async fn get_region(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    Ok(rest::ok(record::get::<Region>(&app.db, &a.scope, id).await?))
}

/// Change a region (optimistic concurrency: a stale version gets 409).
#[utoipa::path(patch, path = "/api/v1/regions/{id}", tag = "org", params(("id" = i64, Path)), request_body = CodeNamePatch,
    responses((status = 200, body = Region), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_region(
    State(app): State<App>,
    Caller(a): Caller,
    Id(id): Id,
    headers: HeaderMap,
    Json(p): Json<CodeNamePatch>,
) -> ApiResult<Response> {
    update_code_named::<Region>(&app, &a, id, &headers, &p).await
}

/// List dealer groups.
#[utoipa::path(get, path = "/api/v1/dealer-groups", tag = "org", params(CodeNameQuery),
    responses((status = 200, body = inline(rest::PageOf<DealerGroup>)), (status = 422, body = ErrorResponse)))]
pub async fn list_groups(State(app): State<App>, Caller(a): Caller, Query(q): Query<CodeNameQuery>) -> ApiResult<Response> {
    list_code_named::<DealerGroup>(&app, &a, &q).await
}

/// Create a dealer group.
#[utoipa::path(post, path = "/api/v1/dealer-groups", tag = "org", request_body = CodeNameInput,
    responses((status = 201, body = DealerGroup), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_group(State(app): State<App>, Caller(a): Caller, Json(input): Json<CodeNameInput>) -> ApiResult<Response> {
    Ok(rest::created(create_code_named::<DealerGroup>(&app, &a, &input).await?, "/api/v1/dealer-groups"))
}

/// One dealer group.
#[utoipa::path(get, path = "/api/v1/dealer-groups/{id}", tag = "org", params(("id" = i64, Path)),
    responses((status = 200, body = DealerGroup), (status = 404, body = ErrorResponse)))]
pub async fn get_group(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    Ok(rest::ok(record::get::<DealerGroup>(&app.db, &a.scope, id).await?))
}

/// Change a dealer group.
#[utoipa::path(patch, path = "/api/v1/dealer-groups/{id}", tag = "org", params(("id" = i64, Path)), request_body = CodeNamePatch,
    responses((status = 200, body = DealerGroup), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_group(
    State(app): State<App>,
    Caller(a): Caller,
    Id(id): Id,
    headers: HeaderMap,
    Json(p): Json<CodeNamePatch>,
) -> ApiResult<Response> {
    update_code_named::<DealerGroup>(&app, &a, id, &headers, &p).await
}

// ---- dealers -------------------------------------------------------------------------------------

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DealerInput {
    pub code: String,
    pub name: String,
    /// `A`, `B`, `C` or `D`.
    pub level: String,
    pub region_id: i64,
    pub group_id: Option<i64>,
    /// A mainland province, e.g. `广东`.
    pub province: String,
    pub city: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealerPatch {
    pub version: Option<i64>,
    pub code: Option<String>,
    pub name: Option<String>,
    pub level: Option<String>,
    pub region_id: Option<i64>,
    /// `null` removes the dealer from its group.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub group_id: Option<Option<i64>>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub active: Option<bool>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

fn parse_level(raw: &str) -> Result<String, FieldError> {
    DealerLevel::parse(raw.trim()).map(|l| l.as_str().to_string()).ok_or_else(|| FieldError::new("level", "must be A, B, C or D"))
}

/// Validates a dealer, collecting every field error.
pub fn validate_dealer(d: &DealerInput) -> ApiResult<Dealer> {
    let mut e = Errors::default();
    let code = e.take(parse_code("code", &d.code));
    let name = e.take(parse_name("name", &d.name));
    let level = e.take(parse_level(&d.level));
    let province = e.take(parse_province("province", &d.province));
    let city = e.take(parse_name("city", &d.city));
    let address = e.take(parse_optional_text("address", d.address.as_deref(), 200));
    let phone = e.take(parse_optional_text("phone", d.phone.as_deref(), 30));
    e.finish()?;
    let t = now();
    Ok(Dealer {
        id: 0,
        code: code.unwrap_or_default(),
        name: name.unwrap_or_default(),
        level: level.unwrap_or_default(),
        region_id: d.region_id,
        group_id: d.group_id,
        province: province.unwrap_or_default(),
        city: city.unwrap_or_default(),
        address: address.flatten(),
        phone: phone.flatten(),
        active: d.active,
        version: 0,
        created_at: t,
        updated_at: t,
    })
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DealerQuery {
    /// Substring of code, name or city.
    pub q: Option<String>,
    pub region_id: Option<i64>,
    pub group_id: Option<i64>,
    pub level: Option<String>,
    pub active: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `code`, `name`, `city`, `id` (prefix `-` for descending).
    pub sort: Option<String>,
}

/// List dealers within your scope.
#[utoipa::path(get, path = "/api/v1/dealers", tag = "org", params(DealerQuery),
    responses((status = 200, body = inline(rest::PageOf<Dealer>)), (status = 422, body = ErrorResponse)))]
pub async fn list_dealers(State(app): State<App>, Caller(a): Caller, Query(q): Query<DealerQuery>) -> ApiResult<Response> {
    let p = paging(q.limit, &q.cursor, &q.sort).request(&org::DEALER_SORT, "code")?;
    let f = DealerFilter {
        q: q.q.clone(),
        region_id: q.region_id,
        group_id: q.group_id,
        level: q.level.clone(),
        active: parse_bool("active", q.active.as_deref())?,
    };
    Ok(rest::page(record::list::<Dealer>(&app.db, &a.scope, f.condition(), &p).await?))
}

/// Create a dealer (store).
#[utoipa::path(post, path = "/api/v1/dealers", tag = "org", request_body = DealerInput,
    responses((status = 201, body = Dealer), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_dealer(State(app): State<App>, Caller(a): Caller, Json(input): Json<DealerInput>) -> ApiResult<Response> {
    let d = validate_dealer(&input)?;
    org::check_dealer_refs(&app.db, d.region_id, d.group_id).await?;
    Ok(rest::created(record::insert(&app.db, &a, &d).await?, "/api/v1/dealers"))
}

/// One dealer (404 outside your scope).
#[utoipa::path(get, path = "/api/v1/dealers/{id}", tag = "org", params(("id" = i64, Path)),
    responses((status = 200, body = Dealer), (status = 404, body = ErrorResponse)))]
pub async fn get_dealer(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    Ok(rest::ok(record::get::<Dealer>(&app.db, &a.scope, id).await?))
}

/// Change a dealer.
#[utoipa::path(patch, path = "/api/v1/dealers/{id}", tag = "org", params(("id" = i64, Path)), request_body = DealerPatch,
    responses((status = 200, body = Dealer), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_dealer(
    State(app): State<App>,
    Caller(a): Caller,
    Id(id): Id,
    headers: HeaderMap,
    Json(p): Json<DealerPatch>,
) -> ApiResult<Response> {
    let version = rest::expected_version(&headers, p.version)?;
    let current = record::get::<Dealer>(&app.db, &a.scope, id).await?;
    let merged = DealerInput {
        code: p.code.clone().unwrap_or(current.code),
        name: p.name.clone().unwrap_or(current.name),
        level: p.level.clone().unwrap_or(current.level),
        region_id: p.region_id.unwrap_or(current.region_id),
        group_id: p.group_id.unwrap_or(current.group_id),
        province: p.province.clone().unwrap_or(current.province),
        city: p.city.clone().unwrap_or(current.city),
        address: p.address.clone().or(current.address),
        phone: p.phone.clone().or(current.phone),
        active: p.active.unwrap_or(current.active),
    };
    let next = validate_dealer(&merged)?;
    org::check_dealer_refs(&app.db, next.region_id, next.group_id).await?;
    let d = record::update::<Dealer>(&app.db, &a, id, version, |cur| Ok(Dealer { id: cur.id, ..next.clone() })).await?;
    Ok(rest::ok(d))
}

// ---- departments -------------------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentInput {
    /// The dealer; omit for an OEM department.
    pub dealer_id: Option<i64>,
    /// sales, service, parts, finance, cac, tech_support, marketing
    pub kind: String,
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentPatch {
    pub version: Option<i64>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub active: Option<bool>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DepartmentQuery {
    pub dealer_id: Option<i64>,
    pub kind: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `name`, `kind`, `id`.
    pub sort: Option<String>,
}

fn parse_kind(raw: &str) -> Result<String, FieldError> {
    DepartmentKind::parse(raw.trim())
        .map(|k| k.as_str().to_string())
        .ok_or_else(|| FieldError::new("kind", "must be one of sales, service, parts, finance, cac, tech_support, marketing"))
}

/// List departments within your scope.
#[utoipa::path(get, path = "/api/v1/departments", tag = "org", params(DepartmentQuery),
    responses((status = 200, body = inline(rest::PageOf<Department>)), (status = 422, body = ErrorResponse)))]
pub async fn list_departments(State(app): State<App>, Caller(a): Caller, Query(q): Query<DepartmentQuery>) -> ApiResult<Response> {
    let p = paging(q.limit, &q.cursor, &q.sort).request(&org::DEPARTMENT_SORT, "name")?;
    let mut c = Condition::all();
    if let Some(d) = q.dealer_id {
        c = c.add(Expr::col(("department", "dealer_id")).eq(d));
    }
    if let Some(k) = &q.kind {
        c = c.add(Expr::col(("department", "kind")).eq(k.as_str()));
    }
    Ok(rest::page(record::list::<Department>(&app.db, &a.scope, c, &p).await?))
}

/// Create a department under a dealer within your scope.
#[utoipa::path(post, path = "/api/v1/departments", tag = "org", request_body = DepartmentInput,
    responses((status = 201, body = Department), (status = 422, body = ErrorResponse)))]
pub async fn create_department(
    State(app): State<App>,
    Caller(a): Caller,
    Json(input): Json<DepartmentInput>,
) -> ApiResult<Response> {
    let mut e = Errors::default();
    let kind = e.take(parse_kind(&input.kind));
    let name = e.take(parse_name("name", &input.name));
    e.finish()?;
    org::check_department_dealer(&app.db, &a.scope, input.dealer_id).await?;
    let t = now();
    let d = Department {
        id: 0,
        dealer_id: input.dealer_id,
        kind: kind.unwrap_or_default(),
        name: name.unwrap_or_default(),
        active: input.active,
        version: 0,
        created_at: t,
        updated_at: t,
    };
    Ok(rest::created(record::insert(&app.db, &a, &d).await?, "/api/v1/departments"))
}

/// One department.
#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "org", params(("id" = i64, Path)),
    responses((status = 200, body = Department), (status = 404, body = ErrorResponse)))]
pub async fn get_department(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    Ok(rest::ok(record::get::<Department>(&app.db, &a.scope, id).await?))
}

/// Change a department.
#[utoipa::path(patch, path = "/api/v1/departments/{id}", tag = "org", params(("id" = i64, Path)), request_body = DepartmentPatch,
    responses((status = 200, body = Department), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_department(
    State(app): State<App>,
    Caller(a): Caller,
    Id(id): Id,
    headers: HeaderMap,
    Json(p): Json<DepartmentPatch>,
) -> ApiResult<Response> {
    let version = rest::expected_version(&headers, p.version)?;
    let d = record::update::<Department>(&app.db, &a, id, version, |cur| {
        let mut next = cur.clone();
        if let Some(k) = &p.kind {
            next.kind = parse_kind(k)?;
        }
        if let Some(n) = &p.name {
            next.name = parse_name("name", n)?;
        }
        if let Some(act) = p.active {
            next.active = act;
        }
        Ok(next)
    })
    .await?;
    Ok(rest::ok(d))
}

