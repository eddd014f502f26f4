//! `Idempotency-Key` on API POSTs: the first successful response to a key is
//! stored and replayed to retries, so a client that lost an answer can resend
//! without creating anything twice.

use autocrm_store::idempotency::{self, Claim};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::App;
use crate::error::ApiError;

pub const HEADER: &str = "idempotency-key";

pub async fn run(app: &App, actor_id: i64, req: Request, next: Next) -> Response {
    let Some(key) = req.headers().get(HEADER).map(|v| v.to_str().map(str::to_string)) else {
        return next.run(req).await;
    };
    let key = match key {
        Ok(k) if !k.is_empty() && k.len() <= 200 => k,
        _ => return ApiError::field("Idempotency-Key", "must be 1 to 200 visible ASCII characters").into_response(),
    };
    let method_path = format!("{} {}", req.method(), req.uri().path());
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, app.config.http.body_limit).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the request body is too large")
                .into_response();
        }
    };
    let hash = idempotency::request_hash(&method_path, &bytes);
    match idempotency::claim(&app.db, actor_id, &key, &method_path, &hash).await {
        Err(e) => ApiError::from(e).into_response(),
        Ok(Claim::Replay { status, body }) => {
            let (headers, body) = unwrap_stored(body);
            let mut r = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            for (name, value) in headers {
                if let Ok(v) = HeaderValue::from_str(&value) {
                    r.headers_mut().insert(name, v);
                }
            }
            r.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            r
        }
        Ok(Claim::InProgress) => ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_in_progress",
            "a request with this Idempotency-Key is still being processed",
        )
        .into_response(),
        Ok(Claim::Mismatch) => {
            ApiError::field("Idempotency-Key", "was already used for a different request").into_response()
        }
        Ok(Claim::Fresh) => {
            let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
            let (rparts, rbody) = resp.into_parts();
            let out = match axum::body::to_bytes(rbody, usize::MAX).await {
                Ok(b) => b,
                Err(_) => {
                    let _ = idempotency::release(&app.db, actor_id, &key).await;
                    return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
            };
            let text = wrap_stored(&rparts.headers, &String::from_utf8_lossy(&out));
            if let Err(e) = idempotency::complete(&app.db, actor_id, &key, rparts.status.as_u16(), &text).await {
                tracing::error!(error = %e, "storing an idempotent response failed");
            }
            Response::from_parts(rparts, Body::from(out))
        }
    }
}

/// Headers of the first answer that a replay repeats: where the new record is and
/// its version.
const REPLAYED_HEADERS: [header::HeaderName; 2] = [header::LOCATION, header::ETAG];

/// The stored form of an answer: `{"headers": {...}, "body": "..."}`.
fn wrap_stored(headers: &header::HeaderMap, body: &str) -> String {
    let kept: serde_json::Map<String, serde_json::Value> = REPLAYED_HEADERS
        .iter()
        .filter_map(|h| Some((h.as_str().to_string(), headers.get(h)?.to_str().ok()?.into())))
        .collect();
    serde_json::json!({"headers": kept, "body": body}).to_string()
}

fn unwrap_stored(stored: String) -> (Vec<(header::HeaderName, String)>, String) {
    let Ok(serde_json::Value::Object(mut v)) = serde_json::from_str::<serde_json::Value>(&stored) else {
        return (vec![], stored);
    };
    let Some(serde_json::Value::String(body)) = v.remove("body") else { return (vec![], stored) };
    let headers = REPLAYED_HEADERS
        .iter()
        .filter_map(|h| Some((h.clone(), v.get("headers")?.get(h.as_str())?.as_str()?.to_string())))
        .collect();
    (headers, body)
}
