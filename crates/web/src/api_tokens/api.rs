//! JSON API for integration tokens.

use autocrm_domain::org::parse_name;
use autocrm_store::api_tokens::{self, ApiToken};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{Id, Json};

#[derive(Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<ApiToken>,
}

/// Integration tokens (never the secrets themselves).
#[utoipa::path(get, path = "/api/v1/api-tokens", tag = "api-tokens", responses((status = 200, body = TokenList)))]
pub async fn list(State(app): State<App>) -> ApiResult<axum::Json<TokenList>> {
    Ok(axum::Json(TokenList { items: api_tokens::list(&app.db).await? }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    /// What the token is for, e.g. `DMS sync, Shanghai stores`.
    pub name: String,
    /// The account the integration acts as (its role and scope apply).
    pub user_id: i64,
    /// Optional expiry (RFC 3339).
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub record: ApiToken,
    /// The secret: shown only in this response.
    pub token: String,
}

/// Create an integration token; the secret is returned only once.
#[utoipa::path(post, path = "/api/v1/api-tokens", tag = "api-tokens", request_body = TokenInput,
    responses((status = 201, body = CreatedToken), (status = 422, body = ErrorResponse)))]
pub async fn create(State(app): State<App>, Caller(a): Caller, Json(input): Json<TokenInput>) -> ApiResult<Response> {
    let name = parse_name("name", &input.name)?;
    if input.expires_at.is_some_and(|t| t <= Utc::now()) {
        return Err(ApiError::field("expires_at", "must be in the future"));
    }
    let (record, token) = api_tokens::create(&app.db, &a, input.user_id, &name, input.expires_at).await?;
    Ok((StatusCode::CREATED, axum::Json(CreatedToken { record, token })).into_response())
}

/// Revoke a token; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/api-tokens/{id}", tag = "api-tokens", params(("id" = i64, Path)),
    responses((status = 200, body = ApiToken), (status = 404, body = ErrorResponse)))]
pub async fn revoke(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<axum::Json<ApiToken>> {
    let t = api_tokens::revoke(&app.db, &a, id).await?;
    app.tokens.clear();
    Ok(axum::Json(t))
}
