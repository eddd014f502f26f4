//! Handing a leaving consultant's records over: the form on the staff member's
//! page (what would move, to whom), the result, the history, and the API.

use askama::Template;
use autocrm_domain::access::Action::LeadManage;
use autocrm_store::handover::{self, Handover, Outcome, Pending, Request, Share};
use autocrm_store::users::User;
use autocrm_store::{StoreError, record};
use axum::Form;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};

use crate::App;
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{Id, Json};
use crate::pages::{self, Layout, PageResult, render};
use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::GET, "/api/v1/users/{id}/handover", LeadManage, preview)
        .api(Method::POST, "/api/v1/users/{id}/handover", LeadManage, create)
        .api(Method::GET, "/api/v1/users/{id}/handovers", LeadManage, history)
        .page(Method::GET, "/users/{id}/handover", LeadManage, page)
        .page(Method::POST, "/users/{id}/handover", LeadManage, submit)
}

#[derive(OpenApi)]
#[openapi(paths(preview, create, history), components(schemas(HandoverIn, Outcome, Handover, Share, Pending)))]
pub struct Doc;

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct HandoverIn {
    /// A colleague at the same dealer who takes everything; absent: spread over the consultants on duty.
    pub to_user_id: Option<i64>,
    pub note: Option<String>,
    /// Close the account in the same step.
    #[serde(default)]
    pub deactivate: bool,
}

/// What a handover of this staff member would move now.
#[utoipa::path(get, path = "/api/v1/users/{id}/handover", tag = "handover", params(("id" = i64, Path)),
    responses((status = 200, body = Pending), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn preview(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    Ok(axum::Json(handover::pending(&app.db, &a, id).await?).into_response())
}

/// Hand a staff member's open leads, customers and booked test drives over to
/// one colleague or spread them over the team, keeping every record's history.
#[utoipa::path(post, path = "/api/v1/users/{id}/handover", tag = "handover", params(("id" = i64, Path)), request_body = HandoverIn,
    responses((status = 201, body = Outcome), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(i): Json<HandoverIn>) -> ApiResult<Response> {
    let o = run(&app, &a, id, Request { to_user_id: i.to_user_id, note: i.note, deactivate: i.deactivate }).await?;
    Ok((StatusCode::CREATED, axum::Json(o)).into_response())
}

async fn run(app: &App, a: &autocrm_store::auth::Actor, id: i64, req: Request) -> Result<Outcome, StoreError> {
    let deactivate = req.deactivate;
    let o = handover::hand_over(&app.db, a, id, req).await?;
    if deactivate {
        // Cached bearer tokens of a closed account stop at once on this instance.
        app.tokens.clear();
    }
    Ok(o)
}

/// Earlier handovers of this staff member's records.
#[utoipa::path(get, path = "/api/v1/users/{id}/handovers", tag = "handover", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Handover>), (status = 404, body = ErrorResponse)))]
pub async fn history(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    Ok(axum::Json(handover::of_user(&app.db, &a, id).await?).into_response())
}

#[derive(Template)]
#[template(path = "handover/form.html")]
struct FormPage {
    l: Layout,
    u: User,
    pending: Option<Pending>,
    team: Vec<(i64, String)>,
    history: Vec<Handover>,
    done: Option<Outcome>,
    error: Option<(String, String)>,
}

impl FormPage {
    fn name(&self, id: &Option<i64>) -> String {
        id.and_then(|id| self.team.iter().find(|t| t.0 == id).map(|t| t.1.clone())).unwrap_or_else(|| self.l.t("handover.spread").to_string())
    }
}

async fn form_page(app: &App, a: &autocrm_store::auth::Actor, l: Layout, id: i64, done: Option<Outcome>, error: Option<(String, String)>) -> PageResult {
    let u: User = record::get(&app.db, &a.scope, id).await?;
    let pending = match handover::pending(&app.db, a, id).await {
        Ok(p) => Some(p),
        Err(StoreError::Invalid(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let team = match handover::team(&app.db, a, id).await {
        Ok(t) => t,
        Err(StoreError::Invalid(_)) => vec![],
        Err(e) => return Err(e.into()),
    };
    let history = handover::of_user(&app.db, a, id).await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r = render(&FormPage { l, u, pending, team, history, done, error });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn page(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id) -> PageResult {
    form_page(&app, &a, l, id, None, None).await
}

pub async fn submit(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id, Form(v): Form<pages::Form>) -> PageResult {
    let req = Request {
        to_user_id: pages::opt_id(&v, "to_user_id"),
        note: v.get("note").cloned(),
        deactivate: v.get("deactivate").is_some_and(|d| d == "on" || d == "true"),
    };
    match run(&app, &a, id, req).await {
        Ok(o) => form_page(&app, &a, l, id, Some(o), None).await,
        Err(StoreError::Invalid(e)) => form_page(&app, &a, l, id, None, Some((e.field, e.message))).await,
        Err(e) => Err(e.into()),
    }
}
