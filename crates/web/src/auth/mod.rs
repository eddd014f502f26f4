//! Who is calling: a bearer token (API clients) or a session cookie (the browser),
//! resolved once per request into a [`Caller`]. Cookie-authenticated requests that
//! change something must carry the session's CSRF token.

pub mod api;
pub mod pages;

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use autocrm_store::auth::{self as store_auth, Actor};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::App;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "acrm_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "_csrf";

/// The signed-in user of this request (set by [`authenticate`]).
#[derive(Clone, Debug)]
pub struct Caller(pub Actor);

/// How the request authenticated.
#[derive(Clone, Debug)]
pub enum Credentials {
    Bearer,
    Session { token: String, csrf: String },
    /// A bearer token was sent but is unknown, expired or revoked.
    Invalid,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(|| ApiError::unauthorized("sign in first"))
    }
}

/// Resolved bearer tokens, kept a few seconds so a hot API client does not cost a
/// database read per request. Revocations and password changes clear it.
pub struct TokenCache {
    ttl: Duration,
    map: RwLock<HashMap<String, (Actor, Instant)>>,
}

impl TokenCache {
    pub fn new(ttl_seconds: u64) -> Self {
        TokenCache { ttl: Duration::from_secs(ttl_seconds), map: RwLock::new(HashMap::new()) }
    }

    async fn resolve(&self, app: &App, token: &str) -> Result<Option<Actor>, ApiError> {
        let key = store_auth::hash_token(token);
        if let Some((actor, at)) = self.map.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(&key)
            && at.elapsed() < self.ttl
        {
            return Ok(Some(actor.clone()));
        }
        let actor = store_auth::token_actor(&app.db, token).await?;
        if let Some(a) = &actor
            && !self.ttl.is_zero()
        {
            let mut map = self.map.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            if map.len() > 100_000 {
                map.clear();
            }
            map.insert(key, (a.clone(), Instant::now()));
        }
        Ok(actor)
    }

    pub fn clear(&self) {
        self.map.write().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when served over TLS.
pub fn set_cookie(app: &App, headers: &HeaderMap, name: &str, value: &str, max_age: Option<i64>) -> String {
    let secure = match app.config.http.secure_cookies.as_str() {
        "always" => true,
        "never" => false,
        _ => headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https"),
    };
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// Global middleware: resolves the caller and enforces CSRF on cookie-authenticated
/// requests that change something.
pub async fn authenticate(State(app): State<App>, mut req: Request, next: Next) -> Response {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_string());
    if let Some(token) = bearer {
        match app.tokens.resolve(&app, &token).await {
            Ok(Some(actor)) => {
                req.extensions_mut().insert(Caller(actor));
                req.extensions_mut().insert(Credentials::Bearer);
            }
            Ok(None) => {
                req.extensions_mut().insert(Credentials::Invalid);
            }
            Err(e) => return e.into_response(),
        }
        return next.run(req).await;
    }
    let session = cookie(req.headers(), SESSION_COOKIE).map(str::to_string);
    if let Some(token) = session {
        match store_auth::session(&app.db, &token).await {
            Ok(Some((actor, csrf))) => {
                if !is_safe(req.method()) {
                    let page_head = (!req.uri().path().starts_with("/api/")).then(|| crate::pages::head(&req));
                    req = match check_csrf(req, &csrf, app.config.http.body_limit).await {
                        Ok(req) => req,
                        // A browser form gets a page that says to reload, not JSON.
                        Err(resp) => match page_head {
                            Some(mut head) if resp.status() == StatusCode::FORBIDDEN => {
                                head.extensions.insert(Caller(actor));
                                head.extensions.insert(Credentials::Session { token, csrf });
                                return crate::pages::csrf_failed(&app, head).await;
                            }
                            _ => return resp,
                        },
                    };
                }
                req.extensions_mut().insert(Caller(actor));
                req.extensions_mut().insert(Credentials::Session { token, csrf });
            }
            Ok(None) => {}
            Err(e) => return ApiError::from(e).into_response(),
        }
    }
    next.run(req).await
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The CSRF token may come as a header (htmx, fetch) or as the `_csrf` form field.
async fn check_csrf(req: Request, expected: &str, limit: usize) -> Result<Request, Response> {
    let refused = || ApiError::new(StatusCode::FORBIDDEN, "csrf", "missing or wrong CSRF token; reload the page").into_response();
    if req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) == Some(expected) {
        return Ok(req);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(refused());
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the request body is too large").into_response()
    })?;
    let ok = form_urlencoded::parse(&bytes).any(|(k, v)| k == CSRF_FIELD && constant_time_eq(v.as_bytes(), expected.as_bytes()));
    if !ok {
        return Err(refused());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The socket peer, when the server was started with connection info.
pub struct Peer(pub Option<std::net::SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0)))
    }
}

/// The client address for sign-in throttling: the proxy's `X-Forwarded-For` first
/// hop when present, else the socket peer.
pub fn client_addr(headers: &HeaderMap, peer: Option<std::net::SocketAddr>) -> String {
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|s| s.trim().to_string())
        .or_else(|| peer.map(|p| p.ip().to_string()))
        .unwrap_or_else(|| "unknown".into())
}
