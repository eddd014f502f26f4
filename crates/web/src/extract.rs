//! Request extractors that turn bad input into the API's error shape: malformed
//! JSON is a 400, a body that parses but has wrong types, unknown or missing fields
//! is a 422 naming the field, an oversized body a 413.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON request body.
pub struct Json<T>(pub T);

fn classify(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    match inner.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof | serde_json::error::Category::Io => {
            ApiError::malformed(format!("malformed JSON: {inner}"))
        }
        serde_json::error::Category::Data => {
            let msg = inner.to_string();
            // serde reports a missing field at the parent's path; name the field itself.
            // (An unknown field's path already ends with its name.)
            let field = match msg.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
                Some(f) if path == "." => f.to_string(),
                Some(f) => format!("{path}.{f}"),
                None => path.clone(),
            };
            let message = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            ApiError::field(if field.is_empty() { "." } else { &field }, &message)
        }
    }
}

fn field_in_message(msg: &str) -> Option<String> {
    for prefix in ["unknown field `", "missing field `"] {
        if let Some(rest) = msg.strip_prefix(prefix) {
            return rest.split('`').next().map(str::to_string);
        }
    }
    None
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json") || ct.contains("+json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the request body is too large")
            } else {
                ApiError::malformed(r.body_text())
            }
        })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(de).map_err(classify)?;
        Ok(Json(value))
    }
}

/// Query-string parameters; a bad value is a 422 naming the parameter.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de).map(Query).map_err(|e| {
            let path = e.path().to_string();
            let msg = e.inner().to_string();
            let field = field_in_message(&msg).unwrap_or(path);
            ApiError::field(&field, &msg)
        })
    }
}

/// A numeric record id from the path; anything else is simply not found (the API's
/// JSON 404 under `/api/`, the 404 page elsewhere).
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let raw = axum::extract::Path::<String>::from_request_parts(parts, state).await.map(|p| p.0).unwrap_or_default();
        raw.parse().map(Id).map_err(|_| {
            if parts.uri.path().starts_with("/api/") {
                ApiError::not_found().into_response()
            } else {
                crate::pages::PageError(StatusCode::NOT_FOUND).into_response()
            }
        })
    }
}

/// The expected version for an update: `If-Match: "3"` (or `W/"3"`) header.
pub fn if_match(parts: &axum::http::HeaderMap) -> Option<i64> {
    let v = parts.get(header::IF_MATCH)?.to_str().ok()?;
    v.trim().trim_start_matches("W/").trim_matches('"').parse().ok()
}
