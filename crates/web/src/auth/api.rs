//! `POST /api/v1/auth/token`: username and password for a bearer token.

use autocrm_store::auth::{self as store_auth, ACCESS_TOKEN_SECONDS, SignIn};
use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::App;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::Json;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// Exchange a username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorResponse),
              (status = 422, body = ErrorResponse), (status = 429, body = ErrorResponse)))]
pub async fn token(
    State(app): State<App>,
    headers: HeaderMap,
    super::Peer(peer): super::Peer,
    Json(req): Json<TokenRequest>,
) -> ApiResult<axum::Json<TokenResponse>> {
    let client = super::client_addr(&headers, peer);
    match store_auth::sign_in(&app.db, &req.username, &req.password, &client).await? {
        SignIn::Ok(actor) => {
            let access_token = store_auth::issue_access_token(&app.db, actor.user_id).await?;
            Ok(axum::Json(TokenResponse { access_token, token_type: "Bearer".into(), expires_in: ACCESS_TOKEN_SECONDS }))
        }
        SignIn::BadCredentials => Err(ApiError::unauthorized("wrong username or password")),
        SignIn::Throttled(secs) => Err(ApiError::too_many(secs)),
    }
}
