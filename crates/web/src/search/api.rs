//! JSON API: the one search box and the hotline's screen-pop.

use autocrm_domain::customers::Phone;
use autocrm_store::search::{self, Hit, ScreenPop};
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::Query;

/// This capability's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(search, screen_pop),
    components(schemas(
        SearchResult,
        Hit,
        search::HitVehicle,
        search::Field,
        ScreenPop,
        search::PopCustomer,
        search::PopVehicle,
        search::PopEvent,
        search::PopConsent
    ))
)]
pub struct Doc;

pub const DEFAULT_LIMIT: u64 = 10;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// A mobile (full, or its last 4 digits within your dealer), a name or part of
    /// it, pinyin initials (`zs`) or full pinyin, a VIN or its last 6/8
    /// characters, a plate, an e-mail or a customer number.
    pub q: String,
    /// 1–100, default 10.
    pub limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResult {
    /// Best first, one per customer.
    pub hits: Vec<Hit>,
    /// Why nothing was searched, when the query was too broad for your role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// Find customers in your scope by any key; ranked, strong identifiers first.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchQuery),
    responses((status = 200, body = SearchResult), (status = 422, body = ErrorResponse)))]
pub async fn search(State(app): State<App>, Caller(a): Caller, Query(q): Query<SearchQuery>) -> ApiResult<axum::Json<SearchResult>> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=search::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field("limit", "must be between 1 and 100"));
    }
    let hint = search::classify(&a.scope, &q.q).hint.map(str::to_string);
    let hits = search::find(&app.db, &a.scope, &q.q, limit).await?;
    Ok(axum::Json(SearchResult { hits, hint }))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PopQuery {
    /// The caller's number: a mobile or a landline with area code, in any usual notation.
    pub phone: String,
}

/// Everything a hotline agent needs about a caller: customer(s), vehicles, open
/// items, last contacts and consents. 404 when no customer in scope has the number.
#[utoipa::path(get, path = "/api/v1/screen-pop", tag = "search", params(PopQuery),
    responses((status = 200, body = ScreenPop), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn screen_pop(State(app): State<App>, Caller(a): Caller, Query(q): Query<PopQuery>) -> ApiResult<axum::Json<ScreenPop>> {
    let phone = Phone::parse(&q.phone)?;
    match search::screen_pop(&app.db, &app.cards, &a.scope, &phone).await? {
        Some(pop) => Ok(axum::Json(pop)),
        None => Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "no customer with this number")),
    }
}
