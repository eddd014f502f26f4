//! JSON API of quotes: list (by customer, lead, dealer; or only those that
//! contradicted a colleague), create (with the `conflict` the consultant should
//! know about), preview (totals and conflict, nothing written), one quote, and
//! each catalog model's list prices.

use autocrm_domain::FieldError;
use autocrm_domain::quotes::{QuoteLine, QuoteLineKind};
use autocrm_store::quotes::views::{self, QuoteFilter, QuoteRow};
use autocrm_store::quotes::{self as quotes, ModelPrice, PriceInput, Quote, QuoteInput, Warning, prices};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::App;
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{Id, Json, Query};
use crate::rest::{self, Paging};

#[derive(OpenApi)]
#[openapi(
    paths(list, create, preview, get_one, list_prices, add_price),
    components(schemas(Quote, QuoteRow, Warning, QuoteIn, LineIn, QuoteOut, PreviewOut, ModelPrice, PriceIn))
)]
pub struct Doc;

const BASE: &str = "/api/v1/quotes";

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QuoteQuery {
    pub customer_id: Option<i64>,
    pub lead_id: Option<i64>,
    pub dealer_id: Option<i64>,
    /// Who quoted.
    pub user_id: Option<i64>,
    /// `true`: only quotes that differed from a colleague's recent quote.
    pub conflicted: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `id` or `-id` (default, newest first).
    pub sort: Option<String>,
}

/// Quotes within scope.
#[utoipa::path(get, path = "/api/v1/quotes", tag = "quotes", params(QuoteQuery),
    responses((status = 200, body = inline(rest::PageOf<QuoteRow>)), (status = 422, body = ErrorResponse)))]
pub async fn list(State(app): State<App>, Caller(a): Caller, Query(q): Query<QuoteQuery>) -> ApiResult<Response> {
    let p = Paging { limit: q.limit, cursor: q.cursor.clone(), sort: q.sort.clone() }.request(&views::QUOTE_SORT, "-id")?;
    let f = QuoteFilter {
        customer_id: q.customer_id,
        lead_id: q.lead_id,
        dealer_id: q.dealer_id,
        user_id: q.user_id,
        conflicted: rest::parse_bool("conflicted", q.conflicted.as_deref())?.unwrap_or(false),
    };
    Ok(rest::page(views::list(&app.db, &a.scope, &f, &p).await?))
}

#[derive(Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct LineIn {
    /// `discount`, `gift`, `fee`.
    pub kind: String,
    pub label: String,
    /// Fen, greater than zero.
    pub amount: i64,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct QuoteIn {
    pub lead_id: i64,
    /// Default: the lead's model of interest.
    pub model_id: Option<i64>,
    #[serde(default)]
    pub lines: Vec<LineIn>,
    /// Default: a week from today.
    pub valid_until: Option<NaiveDate>,
    pub note: Option<String>,
}

impl QuoteIn {
    fn input(self) -> ApiResult<QuoteInput> {
        let mut lines = vec![];
        for (i, l) in self.lines.into_iter().enumerate() {
            let kind = QuoteLineKind::parse(l.kind.trim()).ok_or_else(|| FieldError::new(format!("lines[{i}].kind"), "must be discount, gift or fee"))?;
            lines.push(QuoteLine { kind, label: l.label, amount: l.amount });
        }
        Ok(QuoteInput { lead_id: self.lead_id, model_id: self.model_id, lines, valid_until: self.valid_until, note: self.note })
    }
}

#[derive(Serialize, ToSchema)]
pub struct QuoteOut {
    pub quote: Quote,
    /// A colleague's recent quote to the same customer and model with a different
    /// total (at any dealer); the quote was saved and records it.
    pub conflict: Option<Warning>,
}

/// Give a quote: the list price in force, the lines, the validity. The lead moves
/// to the quote stage; a colleague's different recent price comes back as `conflict`.
#[utoipa::path(post, path = "/api/v1/quotes", tag = "quotes", request_body = QuoteIn,
    responses((status = 201, body = QuoteOut), (status = 422, body = ErrorResponse)))]
pub async fn create(State(app): State<App>, Caller(a): Caller, Json(i): Json<QuoteIn>) -> ApiResult<Response> {
    let (quote, conflict) = quotes::create(&app.db, &a, &i.input()?).await?;
    let location = format!("{BASE}/{}", quote.id);
    let mut r = (StatusCode::CREATED, axum::Json(QuoteOut { quote, conflict })).into_response();
    if let Ok(v) = location.parse() {
        r.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(r)
}

#[derive(Serialize, ToSchema)]
pub struct PreviewOut {
    pub model_id: i64,
    /// Fen.
    pub list_price: i64,
    pub discounts: i64,
    pub gifts_value: i64,
    pub fees: i64,
    pub total: i64,
    pub valid_until: NaiveDate,
    pub conflict: Option<Warning>,
}

/// Work a quote out without saving it: totals and the colleague warning.
#[utoipa::path(post, path = "/api/v1/quotes/preview", tag = "quotes", request_body = QuoteIn,
    responses((status = 200, body = PreviewOut), (status = 422, body = ErrorResponse)))]
pub async fn preview(State(app): State<App>, Caller(a): Caller, Json(i): Json<QuoteIn>) -> ApiResult<Response> {
    let p = quotes::prepare(&app.db, &a, &i.input()?).await?;
    let t = p.totals;
    Ok(axum::Json(PreviewOut {
        model_id: p.model_id,
        list_price: t.list_price,
        discounts: t.discounts,
        gifts_value: t.gifts_value,
        fees: t.fees,
        total: t.total,
        valid_until: p.valid_until,
        conflict: p.conflict,
    })
    .into_response())
}

/// One quote.
#[utoipa::path(get, path = "/api/v1/quotes/{id}", tag = "quotes", params(("id" = i64, Path)),
    responses((status = 200, body = Quote), (status = 404, body = ErrorResponse)))]
pub async fn get_one(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    Ok(rest::ok(views::get(&app.db, &a.scope, id).await?))
}

/// A catalog model's list prices, newest first (the one valid today is in force).
#[utoipa::path(get, path = "/api/v1/vehicle-models/{id}/prices", tag = "quotes", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ModelPrice>), (status = 404, body = ErrorResponse)))]
pub async fn list_prices(State(app): State<App>, Id(id): Id) -> ApiResult<Response> {
    autocrm_store::vehicles::models::get(&app.db, id).await?;
    Ok(axum::Json(prices::list(&app.db, id).await?).into_response())
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PriceIn {
    /// Fen.
    pub list_price: Option<i64>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Add a list price for a model (the OEM's price list).
#[utoipa::path(post, path = "/api/v1/vehicle-models/{id}/prices", tag = "quotes", params(("id" = i64, Path)), request_body = PriceIn,
    responses((status = 201, body = ModelPrice), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_price(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(i): Json<PriceIn>) -> ApiResult<Response> {
    let input = PriceInput { list_price: i.list_price, valid_from: i.valid_from, valid_to: i.valid_to, note: i.note };
    Ok(rest::created(prices::add(&app.db, &a, id, input).await?, &format!("/api/v1/vehicle-models/{id}/prices")))
}
