//! Sign-in and sign-out pages, and the language switch.

use askama::Template;
use autocrm_store::auth::{self as store_auth, SESSION_HOURS, SignIn};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use super::{Credentials, cookie, set_cookie};
use crate::App;
use crate::extract::Query;
use crate::i18n::LANG_COOKIE;
use crate::pages::{Layout, render, see_other};
use crate::routes::Routes;

const LOGIN_CSRF_COOKIE: &str = "acrm_login_csrf";

pub fn routes(r: Routes) -> Routes {
    use axum::http::Method;
    r.public_page(Method::GET, "/login", login_form)
        .public_page(Method::POST, "/login", login)
        .public_page(Method::POST, "/logout", logout)
        .public_page(Method::GET, "/lang/{lang}", switch_language)
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    l: Layout,
    csrf: String,
    next: String,
    username: String,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct Next {
    next: Option<String>,
}

/// Only local paths, so the sign-in page cannot redirect elsewhere.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/login") => n.to_string(),
        _ => "/".into(),
    }
}

fn login_page(app: &App, headers: &HeaderMap, l: Layout, next: String, username: String, error: String) -> Response {
    // Double-submit token: the form carries the value the cookie holds.
    let csrf = store_auth::new_secret();
    let mut r = render(&LoginPage { l, csrf: csrf.clone(), next, username, error });
    if let Ok(v) = HeaderValue::from_str(&set_cookie(app, headers, LOGIN_CSRF_COOKIE, &csrf, Some(3600))) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub async fn login_form(State(app): State<App>, headers: HeaderMap, l: Layout, Query(q): Query<Next>) -> Response {
    if l.actor.is_some() {
        return see_other(&safe_next(q.next.as_deref()));
    }
    login_page(&app, &headers, l, safe_next(q.next.as_deref()), String::new(), String::new())
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(rename = "_csrf")]
    csrf: String,
    next: Option<String>,
}

pub async fn login(
    State(app): State<App>,
    headers: HeaderMap,
    super::Peer(peer): super::Peer,
    l: Layout,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let cookie_csrf = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if cookie_csrf.is_empty() || !super::constant_time_eq(cookie_csrf.as_bytes(), f.csrf.as_bytes()) {
        let msg = l.t("login.expired").to_string();
        let mut r = login_page(&app, &headers, l, next, f.username, msg);
        *r.status_mut() = axum::http::StatusCode::FORBIDDEN;
        return r;
    }
    let client = super::client_addr(&headers, peer);
    let outcome = store_auth::sign_in(&app.db, &f.username, &f.password, &client).await;
    let (status, msg) = match outcome {
        Ok(SignIn::Ok(actor)) => {
            let Ok((token, _csrf)) = store_auth::create_session(&app.db, actor.user_id).await else {
                return crate::pages::PageError(axum::http::StatusCode::INTERNAL_SERVER_ERROR).into_response();
            };
            let mut r = see_other(&next);
            let c = set_cookie(&app, &headers, super::SESSION_COOKIE, &token, Some(SESSION_HOURS * 3600));
            if let Ok(v) = HeaderValue::from_str(&c) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            return r;
        }
        Ok(SignIn::BadCredentials) => (axum::http::StatusCode::UNAUTHORIZED, l.t("login.failed").to_string()),
        Ok(SignIn::Throttled(secs)) => {
            (axum::http::StatusCode::TOO_MANY_REQUESTS, format!("{} ({}s)", l.t("login.throttled"), secs))
        }
        Err(e) => {
            tracing::error!(error = %e, "sign-in failed");
            (axum::http::StatusCode::INTERNAL_SERVER_ERROR, l.t("error.internal").to_string())
        }
    };
    let mut r = login_page(&app, &headers, l, next, f.username, msg);
    *r.status_mut() = status;
    r
}

/// Sign out: the session ends on the server, the cookie is cleared. Needs the
/// session's CSRF token like every other form post.
pub async fn logout(State(app): State<App>, headers: HeaderMap, creds: Option<Extension<Credentials>>) -> Response {
    if let Some(Extension(Credentials::Session { token, .. })) = creds {
        let _ = store_auth::end_session(&app.db, &token).await;
    }
    let mut r = see_other("/login");
    if let Ok(v) = HeaderValue::from_str(&set_cookie(&app, &headers, super::SESSION_COOKIE, "", Some(0))) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// Switch the UI language (a cookie), then go back.
pub async fn switch_language(
    State(app): State<App>,
    headers: HeaderMap,
    axum::extract::Path(lang): axum::extract::Path<String>,
    Query(q): Query<Next>,
) -> Response {
    let lang = crate::i18n::Tr::new(&lang).lang;
    let mut r = see_other(&safe_next(q.next.as_deref()));
    if let Ok(v) = HeaderValue::from_str(&set_cookie(&app, &headers, LANG_COOKIE, lang, Some(365 * 86400))) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}
