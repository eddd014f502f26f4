//! The API's one error shape, and the single mapping from store errors to HTTP.
//!
//! `{"error": {"code": "...", "message": "...", "fields": [{"path": "...", "message": "..."}]}}`

use autocrm_domain::FieldError;
use autocrm_store::StoreError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldMessage {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `validation_failed`, `stale_version`.
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldMessage>,
    /// For `stale_version`: the record's current version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// For `conflict`: the record the request collides with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts_with: Option<ConflictsWith>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConflictsWith {
    /// E.g. `test_drive`.
    pub entity: String,
    pub id: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    pub retry_after: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody { code: code.into(), message: message.into(), fields: vec![], current_version: None, conflicts_with: None },
            retry_after: None,
        }
    }
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed_request", message)
    }
    pub fn unauthorized(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "your role does not allow this action")
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such record")
    }
    pub fn invalid(fields: Vec<FieldError>) -> Self {
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "the request has invalid fields");
        e.body.fields = fields.into_iter().map(|f| FieldMessage { path: f.field, message: f.message }).collect();
        e
    }
    pub fn field(path: &str, message: &str) -> Self {
        Self::invalid(vec![FieldError::new(path, message)])
    }
    pub fn too_many(retry_after: i64) -> Self {
        let mut e = Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", "too many failed sign-in attempts; try again later");
        e.retry_after = Some(retry_after);
        e
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::invalid(vec![e])
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(e: Vec<FieldError>) -> Self {
        ApiError::invalid(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Stale { current } => {
                let mut e = ApiError::new(
                    StatusCode::CONFLICT,
                    "stale_version",
                    format!("the record was changed by someone else; it is now at version {current}"),
                );
                e.body.current_version = Some(current);
                e
            }
            StoreError::Duplicate { field } => {
                let mut e = ApiError::new(StatusCode::CONFLICT, "duplicate", format!("{field} is already taken"));
                e.body.fields = vec![FieldMessage { path: field, message: "is already taken".into() }];
                e
            }
            StoreError::Invalid(f) => ApiError::invalid(vec![f]),
            StoreError::Conflict { field, message, entity, id } => {
                let mut e = ApiError::new(StatusCode::CONFLICT, "conflict", format!("{field} {message} ({entity} {id})"));
                e.body.fields = vec![FieldMessage { path: field, message }];
                e.body.conflicts_with = Some(ConflictsWith { entity: entity.into(), id });
                e
            }
            StoreError::Unavailable(m) => {
                tracing::error!(error = %m, "database unavailable");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the database is unavailable; retry shortly")
            }
            other => {
                tracing::error!(error = %other, "internal error");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, axum::Json(ErrorResponse { error: self.body })).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(s) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
