//! What every page shares: the layout (language, navigation by role, CSRF token),
//! rendering, the sign-in redirect and the error pages.

use askama::Template;
use autocrm_domain::access::Action;
use autocrm_store::StoreError;
use autocrm_store::auth::Actor;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::App;
use crate::auth::{Caller, Credentials};
use crate::i18n::{self, Tr};

/// China Standard Time (UTC+8, no daylight saving): how dates are shown and days cut.
pub fn china_time() -> chrono::FixedOffset {
    use chrono::Offset;
    chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::Utc.fix())
}

/// The UTC instant at which `day` begins in China.
pub fn china_midnight_utc(day: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc() - chrono::Duration::hours(8)
}

/// The UTC span `[start, end)` of `day` in China.
pub fn china_day(day: chrono::NaiveDate) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let start = china_midnight_utc(day);
    (start, start + chrono::Duration::days(1))
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// Navigation: (path, label key, action needed). Shown only to roles granted it.
const NAV: &[(&str, &str, Action)] = &[
    ("/", "nav.home", Action::SelfService),
    ("/today", "nav.today", Action::LeadRead),
    ("/leads", "nav.leads", Action::LeadRead),
    ("/leads/distribution", "nav.distribution", Action::LeadRead),
    ("/test-drives", "nav.test_drives", Action::LeadRead),
    ("/quotes", "nav.quotes", Action::LeadRead),
    ("/traffic", "nav.traffic", Action::LeadWrite),
    ("/analytics", "nav.analytics", Action::LeadReport),
    ("/org/dealers", "nav.dealers", Action::OrgRead),
    ("/org/regions", "nav.regions", Action::OrgManage),
    ("/users", "nav.users", Action::UserRead),
    ("/audit", "nav.audit", Action::AuditRead),
    ("/api-tokens", "nav.api_tokens", Action::ApiTokenManage),
    ("/customers", "nav.customers", Action::CustomerRead),
    ("/screen-pop", "nav.screen_pop", Action::CustomerRead),
    ("/vehicles", "nav.vehicles", Action::CustomerRead),
    ("/identity", "nav.identity", Action::CustomerMerge),
    ("/imports", "nav.imports", Action::CustomerImport),
    ("/api", "nav.api_docs", Action::SelfService),
];

/// The frame of every page.
pub struct Layout {
    pub tr: Tr,
    pub actor: Option<Actor>,
    pub csrf: String,
    pub oem: String,
    pub nav: Vec<NavItem>,
    pub path: String,
    /// The signed-in user's unread notifications (the bell in the header).
    pub unread: i64,
}

impl Layout {
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.tr.t(key)
    }
    pub fn tv(&self, group: &str, value: &str) -> String {
        self.tr.tv(group, value)
    }
    pub fn msg(&self, message: &str) -> String {
        self.tr.msg(message)
    }
    pub fn lang(&self) -> &'static str {
        self.tr.lang
    }
    /// The signed-in user (pages behind the guard always have one).
    pub fn me(&self) -> &Actor {
        static NOBODY: std::sync::LazyLock<Actor> = std::sync::LazyLock::new(|| Actor {
            user_id: -1,
            username: String::new(),
            display_name: String::new(),
            role: autocrm_domain::access::Role::SalesConsultant,
            dealer_id: None,
            group_id: None,
            region_id: None,
            scope: autocrm_domain::access::Scope::Nothing,
            locale: String::new(),
        });
        self.actor.as_ref().unwrap_or(&NOBODY)
    }
    pub fn can(&self, action: &str) -> bool {
        let Some(a) = &self.actor else { return false };
        Action::ALL.iter().any(|x| x.as_str() == action && a.role.grants(*x))
    }
    /// A local time for display (China Standard Time).
    pub fn time(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        t.with_timezone(&china_time()).format("%Y-%m-%d %H:%M").to_string()
    }
    /// The time of day only (China time), for slots within one day.
    pub fn clock(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        t.with_timezone(&china_time()).format("%H:%M").to_string()
    }
    /// The China date of an instant (`2026-11-25`).
    pub fn day(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        t.with_timezone(&china_time()).format("%Y-%m-%d").to_string()
    }
    /// Fen as yuan with two decimals (`158,800.00`).
    pub fn yuan(&self, fen: impl std::borrow::Borrow<i64>) -> String {
        autocrm_domain::quotes::format_yuan(*fen.borrow())
    }
    pub fn time_opt(&self, t: &Option<chrono::DateTime<chrono::Utc>>) -> String {
        t.as_ref().map(|t| self.time(t)).unwrap_or_default()
    }
}

impl FromRequestParts<App> for Layout {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let actor = parts.extensions.get::<Caller>().map(|c| c.0.clone());
        let csrf = match parts.extensions.get::<Credentials>() {
            Some(Credentials::Session { csrf, .. }) => csrf.clone(),
            _ => String::new(),
        };
        let tr = Tr::new(i18n::negotiate(&parts.headers, actor.as_ref().map(|a| a.locale.as_str())));
        let path = parts.uri.path().to_string();
        // The entry whose path is the longest prefix of this page's is the active one.
        let current = NAV
            .iter()
            .filter(|(href, _, _)| if *href == "/" { path == "/" } else { path.starts_with(href) })
            .max_by_key(|(href, _, _)| href.len())
            .map(|(href, _, _)| *href);
        let nav = match &actor {
            Some(a) => NAV
                .iter()
                .filter(|(_, _, action)| a.role.grants(*action))
                .map(|(href, key, _)| NavItem { href, label: tr.t(key), active: current == Some(*href) })
                .collect(),
            None => vec![],
        };
        let unread = match &actor {
            Some(a) => autocrm_store::notifications::unread_count(&app.db, a.user_id).await.unwrap_or(0),
            None => 0,
        };
        Ok(Layout { tr, actor, csrf, oem: app.oem_name.clone(), nav, path, unread })
    }
}

pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// Redirect to the sign-in page, coming back here afterwards.
pub fn to_login(uri: &Uri) -> Response {
    let next = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let target = format!("/login?next={}", form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
    Redirect::to(&target).into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    status: u16,
    title: &'static str,
    message: &'static str,
}

pub fn error_page(l: Layout, status: StatusCode) -> Response {
    let (title, message) = match status {
        StatusCode::FORBIDDEN => (l.t("error.forbidden_title"), l.t("error.forbidden")),
        StatusCode::NOT_FOUND => (l.t("error.not_found_title"), l.t("error.not_found")),
        _ => (l.t("error.internal_title"), l.t("error.internal")),
    };
    let mut r = render(&ErrorPage { l, status: status.as_u16(), title, message });
    *r.status_mut() = status;
    r
}

/// The 403 page, from a copy of the request's head (see [`head`]).
pub async fn forbidden(app: &App, mut parts: Parts) -> Response {
    let Ok(l) = Layout::from_request_parts(&mut parts, app).await;
    error_page(l, StatusCode::FORBIDDEN)
}

/// A form posted with a missing or stale CSRF token (e.g. a page left open past
/// its session).
pub async fn csrf_failed(app: &App, mut parts: Parts) -> Response {
    let Ok(l) = Layout::from_request_parts(&mut parts, app).await;
    let (title, message) = (l.t("error.csrf_title"), l.t("error.csrf"));
    let mut r = render(&ErrorPage { l, status: 403, title, message });
    *r.status_mut() = StatusCode::FORBIDDEN;
    r
}

/// A copy of a request's head with the caller, to render a page after the request
/// itself has been handed on.
pub fn head(req: &Request) -> Parts {
    clone_parts(req).0
}

fn clone_parts(req: &Request) -> (Parts, ()) {
    let mut r = axum::http::Request::new(());
    *r.method_mut() = req.method().clone();
    *r.uri_mut() = req.uri().clone();
    *r.headers_mut() = req.headers().clone();
    if let Some(c) = req.extensions().get::<Caller>() {
        r.extensions_mut().insert(c.clone());
    }
    if let Some(c) = req.extensions().get::<Credentials>() {
        r.extensions_mut().insert(c.clone());
    }
    r.into_parts()
}

/// A page handler's failure. Handlers just use `?`; the route guard sees the
/// marker and renders the error page in the user's language.
#[derive(Debug)]
pub struct PageError(pub StatusCode);

#[derive(Clone, Copy, Debug)]
pub struct PageFailure(pub StatusCode);

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => PageError(StatusCode::NOT_FOUND),
            e => {
                tracing::error!(error = %e, "page failed");
                PageError(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut r = self.0.into_response();
        r.extensions_mut().insert(PageFailure(self.0));
        r
    }
}

/// Runs a page handler and turns a [`PageFailure`] into the rendered error page.
pub async fn with_error_pages(app: &App, req: Request, next: axum::middleware::Next) -> Response {
    let (mut parts, ()) = clone_parts(&req);
    let resp = next.run(req).await;
    match resp.extensions().get::<PageFailure>() {
        Some(PageFailure(status)) => {
            let Ok(l) = Layout::from_request_parts(&mut parts, app).await;
            error_page(l, *status)
        }
        None => resp,
    }
}

pub type PageResult = Result<Response, PageError>;

/// After a successful form post: back to a page (303, so reload does not repost).
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// Form values from a urlencoded body, for handlers that re-render with errors.
pub type Form = std::collections::HashMap<String, String>;

pub fn field<'a>(f: &'a Form, k: &str) -> &'a str {
    f.get(k).map(String::as_str).unwrap_or("")
}

/// Optional id fields from selects (`""` means none).
pub fn opt_id(f: &Form, k: &str) -> Option<i64> {
    f.get(k).and_then(|v| v.trim().parse().ok())
}
