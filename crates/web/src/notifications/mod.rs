//! In-app notifications: what the system tells a user (a lead assigned to them,
//! the day's distributed leads, records handed over). Always the signed-in user's
//! own; opening one marks it read and goes where it points.

use askama::Template;
use autocrm_domain::access::Action::SelfService;
use autocrm_store::notifications::{self, Notification};
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::App;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::Id;
use crate::pages::{Layout, PageResult, render, see_other};
use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::GET, "/api/v1/notifications", SelfService, list)
        .api(Method::POST, "/api/v1/notifications/{id}/read", SelfService, read_one)
        .api(Method::POST, "/api/v1/notifications/read-all", SelfService, read_all)
        .page(Method::GET, "/notifications", SelfService, page)
        .page(Method::POST, "/notifications/{id}/open", SelfService, open)
        .page(Method::POST, "/notifications/read-all", SelfService, read_all_form)
}

#[derive(OpenApi)]
#[openapi(paths(list, read_one, read_all), components(schemas(Notifications, Notification)))]
pub struct Doc;

const SHOWN: i64 = 100;

#[derive(Serialize, ToSchema)]
pub struct Notifications {
    pub unread: i64,
    /// The latest, newest first.
    pub items: Vec<Notification>,
}

/// Your latest notifications and how many are unread.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", responses((status = 200, body = Notifications)))]
pub async fn list(State(app): State<App>, Caller(a): Caller) -> ApiResult<Response> {
    let items = notifications::recent(&app.db, a.user_id, SHOWN).await?;
    let unread = notifications::unread_count(&app.db, a.user_id).await?;
    Ok(axum::Json(Notifications { unread, items }).into_response())
}

/// Mark one of your notifications read (someone else's is not found).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 204), (status = 404)))]
pub async fn read_one(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    if notifications::get(&app.db, a.user_id, id).await?.is_none() {
        return Err(crate::error::ApiError::not_found());
    }
    notifications::mark_read(&app.db, a.user_id, Some(id)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Mark all your notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications", responses((status = 204)))]
pub async fn read_all(State(app): State<App>, Caller(a): Caller) -> ApiResult<Response> {
    notifications::mark_read(&app.db, a.user_id, None).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Template)]
#[template(path = "notifications/list.html")]
struct ListPage {
    l: Layout,
    items: Vec<Notification>,
}

pub async fn page(State(app): State<App>, Caller(a): Caller, l: Layout) -> PageResult {
    let items = notifications::recent(&app.db, a.user_id, SHOWN).await?;
    Ok(render(&ListPage { l, items }))
}

/// Opens a notification: marks it read and goes where it points.
pub async fn open(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> PageResult {
    let n = notifications::get(&app.db, a.user_id, id).await?.ok_or(crate::pages::PageError(StatusCode::NOT_FOUND))?;
    notifications::mark_read(&app.db, a.user_id, Some(id)).await?;
    // Links are the product's own page paths; anything else goes back to the list.
    let to = n.link.filter(|l| l.starts_with('/') && !l.starts_with("//")).unwrap_or_else(|| "/notifications".into());
    Ok(see_other(&to))
}

pub async fn read_all_form(State(app): State<App>, Caller(a): Caller) -> PageResult {
    notifications::mark_read(&app.db, a.user_id, None).await?;
    Ok(see_other("/notifications"))
}
