//! JSON API of prospects: capture (idempotent by submission key), the list, one
//! lead with its activities, edits, activities, funnel moves, close requests and
//! decisions, assignment, the consultant's day and the team view, grading rules
//! and routing policy.

use autocrm_domain::leads::{CloseRequest, ConsultantPolicy, GradeRules, Stage};
use autocrm_store::auth::Actor;
use autocrm_store::leads::stage::{self as moves, LeadPatch};
use autocrm_store::leads::today::{self, LeadFilter, LeadRow, TeamMember, Today};
use autocrm_store::leads::{self, Activity, Capture, Lead, NewActivity, activity, capture, rules};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{Id, Json, Query};
use crate::org::api::double_option;
use crate::rest::{self, Paging};

#[derive(OpenApi)]
#[openapi(
    paths(create, list, get_one, update, add_activity, move_stage, close, close_decision, assign, my_day, team, get_rules, put_rules, put_routing, put_duty),
    components(schemas(LeadIn, CaptureOut, Lead, LeadRow, LeadDetail, Activity, LeadPatchIn, ActivityIn, StageIn, CloseIn, DecisionIn, AssignIn, Today, TeamMember, RoutingIn, DutyIn))
)]
pub struct Doc;

const BASE: &str = "/api/v1/leads";

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct LeadIn {
    /// A customer on file; else `mobile` and/or `name` find or create one.
    pub customer_id: Option<i64>,
    pub mobile: Option<String>,
    pub name: Option<String>,
    /// Model of interest (catalog id).
    pub model_id: Option<i64>,
    /// `immediately`, `within_3_months`, `within_6_months`, `within_1_year`, `later`.
    pub timeframe: String,
    pub source: Option<String>,
    /// The auto show, campaign or event.
    pub event: Option<String>,
    pub budget_yuan: Option<i64>,
    #[serde(default)]
    pub trade_in: bool,
    pub trade_in_model: Option<String>,
    pub competitors: Option<String>,
    pub preferred_dealer_id: Option<i64>,
    pub owner_user_id: Option<i64>,
    pub referrer_id: Option<i64>,
    pub note: Option<String>,
    /// A key the caller keeps per submission (web forms send one): a retry returns the first lead.
    pub submission_key: Option<String>,
}

impl From<LeadIn> for Capture {
    fn from(i: LeadIn) -> Capture {
        Capture {
            customer_id: i.customer_id,
            mobile: i.mobile,
            name: i.name,
            model_id: i.model_id,
            timeframe: i.timeframe,
            source: i.source,
            event: i.event,
            budget_yuan: i.budget_yuan,
            trade_in: i.trade_in,
            trade_in_model: i.trade_in_model,
            competitors: i.competitors,
            preferred_dealer_id: i.preferred_dealer_id,
            owner_user_id: i.owner_user_id,
            referrer_id: i.referrer_id,
            note: i.note,
            submission_key: i.submission_key,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaptureOut {
    pub lead: Lead,
    /// The prospect was already on file.
    pub existing_customer: bool,
    /// The same submission was captured before: this is the first lead, nothing new was written.
    pub replayed: bool,
}

/// Captures a lead: the same path for the web form, the API and imports.
pub async fn capture_lead(app: &App, a: &Actor, c: Capture) -> ApiResult<leads::Captured> {
    let errors = capture::validate(&c);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    Ok(leads::capture(&app.db, a, c).await?)
}

/// Capture a prospect (walk-in, phone-in, hotline, website, event…).
#[utoipa::path(post, path = "/api/v1/leads", tag = "leads", request_body = LeadIn,
    responses((status = 201, body = CaptureOut), (status = 200, description = "a retried submission", body = CaptureOut), (status = 422, body = ErrorResponse)))]
pub async fn create(State(app): State<App>, Caller(a): Caller, Json(i): Json<LeadIn>) -> ApiResult<Response> {
    let c = capture_lead(&app, &a, i.into()).await?;
    let status = if c.replayed { StatusCode::OK } else { StatusCode::CREATED };
    let id = c.lead.id;
    let mut r = (status, axum::Json(CaptureOut { lead: c.lead, existing_customer: c.existing_customer, replayed: c.replayed })).into_response();
    if let Ok(v) = format!("{BASE}/{id}").parse() {
        r.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(r)
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LeadQuery {
    /// A stage, or `open` / `closed`.
    pub stage: Option<String>,
    pub grade: Option<String>,
    pub source: Option<String>,
    pub event: Option<String>,
    pub dealer_id: Option<i64>,
    pub owner_user_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub overdue: Option<String>,
    pub close_pending: Option<String>,
    pub referred: Option<String>,
    /// Distributed leads by feedback: `any`, `awaiting`, `overdue`, `answered`.
    pub distribution: Option<String>,
    /// Only leads distributed on this day (China time, `YYYY-MM-DD`).
    pub distributed_on: Option<NaiveDate>,
    pub q: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `id` or `-id` (default, newest first).
    pub sort: Option<String>,
}

impl LeadQuery {
    pub fn filter(&self) -> ApiResult<LeadFilter> {
        if let Some(s) = self.stage.as_deref().filter(|s| !s.is_empty() && *s != "open" && *s != "closed")
            && Stage::parse(s).is_none()
        {
            return Err(ApiError::field("stage", "must be a stage, open or closed"));
        }
        Ok(LeadFilter {
            stage: self.stage.clone().filter(|s| !s.is_empty()),
            grade: self.grade.clone().filter(|s| !s.is_empty()),
            source: self.source.clone().filter(|s| !s.is_empty()),
            event: self.event.clone().filter(|s| !s.is_empty()),
            dealer_id: self.dealer_id,
            owner_user_id: self.owner_user_id,
            customer_id: self.customer_id,
            overdue: rest::parse_bool("overdue", self.overdue.as_deref())?.unwrap_or(false),
            close_pending: rest::parse_bool("close_pending", self.close_pending.as_deref())?.unwrap_or(false),
            referred: rest::parse_bool("referred", self.referred.as_deref())?.unwrap_or(false),
            distribution: match self.distribution.as_deref().filter(|s| !s.is_empty()) {
                Some(d) if today::DISTRIBUTION_FILTERS.contains(&d) => Some(d.to_string()),
                Some(_) => return Err(ApiError::field("distribution", "must be any, awaiting, overdue or answered")),
                None => None,
            },
            distributed_between: self.distributed_on.map(crate::pages::china_day),
            q: self.q.clone(),
        })
    }
}

/// List leads within scope.
#[utoipa::path(get, path = "/api/v1/leads", tag = "leads", params(LeadQuery),
    responses((status = 200, body = inline(rest::PageOf<LeadRow>)), (status = 422, body = ErrorResponse)))]
pub async fn list(State(app): State<App>, Caller(a): Caller, Query(q): Query<LeadQuery>) -> ApiResult<Response> {
    let p = Paging { limit: q.limit, cursor: q.cursor.clone(), sort: q.sort.clone() }.request(&today::LEAD_SORT, "-id")?;
    Ok(rest::page(today::list(&app.db, &a.scope, &q.filter()?, &p).await?))
}

#[derive(Serialize, ToSchema)]
pub struct LeadDetail {
    pub lead: Lead,
    pub activities: Vec<Activity>,
}

/// One lead with its activities.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = i64, Path)),
    responses((status = 200, body = LeadDetail), (status = 404, body = ErrorResponse)))]
pub async fn get_one(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    let lead = leads::get(&app.db, &a.scope, id).await?;
    let activities = activity::for_lead(&app.db, id).await?;
    Ok(axum::Json(LeadDetail { lead, activities }).into_response())
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct LeadPatchIn {
    pub version: Option<i64>,
    pub timeframe: Option<String>,
    pub model_id: Option<i64>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub budget_yuan: Option<Option<i64>>,
    pub trade_in: Option<bool>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub trade_in_model: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub competitors: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub event: Option<Option<String>>,
    /// Adjust the next follow-up (the grade's rule set it).
    pub next_follow_up_at: Option<DateTime<Utc>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
}

/// Change a lead (timeframe regrades it; the follow-up date is adjustable).
#[utoipa::path(patch, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = i64, Path)), request_body = LeadPatchIn,
    responses((status = 200, body = Lead), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update(State(app): State<App>, Caller(a): Caller, Id(id): Id, headers: HeaderMap, Json(p): Json<LeadPatchIn>) -> ApiResult<Response> {
    let version = rest::expected_version(&headers, p.version)?;
    let patch = LeadPatch {
        timeframe: p.timeframe,
        model_id: p.model_id,
        budget_yuan: p.budget_yuan,
        trade_in: p.trade_in,
        trade_in_model: p.trade_in_model,
        competitors: p.competitors,
        event: p.event,
        next_follow_up_at: p.next_follow_up_at,
        note: p.note,
    };
    Ok(rest::ok(moves::update(&app.db, &a, id, Some(version), patch).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityIn {
    /// `call`, `visit`, `message`, `note`.
    pub kind: String,
    /// E.g. `reached`, `not_reached`, `invited`.
    pub outcome: Option<String>,
    pub note: Option<String>,
    /// The next follow-up; default: the grade's rule.
    pub next_follow_up_at: Option<DateTime<Utc>>,
}

pub fn manual_kind(kind: &str) -> ApiResult<&'static str> {
    activity::MANUAL_KINDS
        .iter()
        .copied()
        .find(|k| *k == kind)
        .ok_or_else(|| ApiError::field("kind", "must be one of call, visit, message, note"))
}

/// Log a follow-up (call, visit, message) or a note.
#[utoipa::path(post, path = "/api/v1/leads/{id}/activities", tag = "leads", params(("id" = i64, Path)), request_body = ActivityIn,
    responses((status = 200, body = Lead), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_activity(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(i): Json<ActivityIn>) -> ApiResult<Response> {
    let mut act = NewActivity::new(manual_kind(&i.kind)?);
    act.outcome = i.outcome.filter(|s| !s.trim().is_empty());
    act.note = i.note.filter(|s| !s.trim().is_empty());
    act.next_follow_up_at = i.next_follow_up_at;
    Ok(rest::ok(moves::log_activity(&app.db, &a, id, act).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageIn {
    /// A later funnel stage (`order`, `delivered`, …) or `returned`.
    pub stage: String,
    pub version: Option<i64>,
    pub note: Option<String>,
}

/// Move a lead forward through the funnel.
#[utoipa::path(post, path = "/api/v1/leads/{id}/stage", tag = "leads", params(("id" = i64, Path)), request_body = StageIn,
    responses((status = 200, body = Lead), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn move_stage(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(i): Json<StageIn>) -> ApiResult<Response> {
    let to = Stage::parse(i.stage.trim()).ok_or_else(|| ApiError::field("stage", "must be a stage"))?;
    Ok(rest::ok(moves::advance(&app.db, &a, id, i.version, to, i.note).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CloseIn {
    /// `lost`, `cancelled` (an order), `invalid`.
    pub kind: String,
    /// Lost: `other_brand`, `same_brand`, `plan_cancelled`, `unreachable`.
    pub category: Option<String>,
    pub reason: Option<String>,
    pub competitor_brand: Option<String>,
    pub competitor_model: Option<String>,
    pub note: Option<String>,
    pub date: Option<NaiveDate>,
    pub version: Option<i64>,
}

/// Close a lead as lost, cancelled or invalid: a consultant's request waits for a
/// manager; a manager's is approved at once.
#[utoipa::path(post, path = "/api/v1/leads/{id}/close", tag = "leads", params(("id" = i64, Path)), request_body = CloseIn,
    responses((status = 200, body = Lead), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn close(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(i): Json<CloseIn>) -> ApiResult<Response> {
    let lead = leads::get(&app.db, &a.scope, id).await?;
    let r = CloseRequest {
        kind: i.kind,
        category: i.category,
        reason: i.reason,
        competitor_brand: i.competitor_brand,
        competitor_model: i.competitor_model,
        note: i.note,
        date: i.date,
    };
    r.validate(lead.stage(), autocrm_store::customers::today()).map_err(ApiError::invalid)?;
    Ok(rest::ok(moves::request_close(&app.db, &a, id, i.version, r).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    pub approve: bool,
    pub note: Option<String>,
}

/// Approve or reject a waiting close request.
#[utoipa::path(post, path = "/api/v1/leads/{id}/close-decision", tag = "leads", params(("id" = i64, Path)), request_body = DecisionIn,
    responses((status = 200, body = Lead), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn close_decision(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(i): Json<DecisionIn>) -> ApiResult<Response> {
    Ok(rest::ok(moves::decide_close(&app.db, &a, id, i.approve, i.note).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignIn {
    /// Place an unrouted lead at a dealer (OEM staff).
    pub dealer_id: Option<i64>,
    /// The consultant; omitted: the dealer's routing policy chooses.
    pub owner_user_id: Option<i64>,
}

/// Assign a lead to a consultant (and a dealer).
#[utoipa::path(post, path = "/api/v1/leads/{id}/assign", tag = "leads", params(("id" = i64, Path)), request_body = AssignIn,
    responses((status = 200, body = Lead), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn assign(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(i): Json<AssignIn>) -> ApiResult<Response> {
    Ok(rest::ok(moves::assign(&app.db, &a, id, i.dealer_id, i.owner_user_id).await?))
}

/// The signed-in consultant's day: overdue and due follow-ups, new assignments.
#[utoipa::path(get, path = "/api/v1/leads/today", tag = "leads", responses((status = 200, body = Today)))]
pub async fn my_day(State(app): State<App>, Caller(a): Caller) -> ApiResult<Response> {
    Ok(axum::Json(today::today(&app.db, &a.scope, a.user_id, autocrm_store::now()).await?).into_response())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TeamQuery {
    pub dealer_id: Option<i64>,
}

/// Each consultant's open, hot, due, overdue and new leads (managers).
#[utoipa::path(get, path = "/api/v1/leads/team", tag = "leads", params(TeamQuery), responses((status = 200, body = Vec<TeamMember>)))]
pub async fn team(State(app): State<App>, Caller(a): Caller, Query(q): Query<TeamQuery>) -> ApiResult<Response> {
    Ok(axum::Json(today::team(&app.db, &a.scope, q.dealer_id, autocrm_store::now()).await?).into_response())
}

/// The grading rules in force (timeframe → grade, follow-up days, expected conversion).
#[utoipa::path(get, path = "/api/v1/lead-rules", tag = "leads", responses((status = 200, body = Object)))]
pub async fn get_rules(State(app): State<App>) -> ApiResult<Response> {
    Ok(axum::Json(rules::lead_rules(&app.db).await?).into_response())
}

/// Replace the grading rules (the OEM's configuration).
#[utoipa::path(put, path = "/api/v1/lead-rules", tag = "leads", request_body = Object,
    responses((status = 200, body = Object), (status = 422, body = ErrorResponse)))]
pub async fn put_rules(State(app): State<App>, Caller(a): Caller, Json(r): Json<GradeRules>) -> ApiResult<Response> {
    Ok(axum::Json(rules::save_lead_rules(&app.db, &a, &r).await?).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingIn {
    /// `round_robin` or `least_loaded`.
    pub policy: String,
}

/// Set how a dealer hands new leads to its consultants.
#[utoipa::path(put, path = "/api/v1/dealers/{id}/lead-routing", tag = "leads", params(("id" = i64, Path)), request_body = RoutingIn,
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn put_routing(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(i): Json<RoutingIn>) -> ApiResult<Response> {
    let policy = ConsultantPolicy::parse(i.policy.trim()).ok_or_else(|| ApiError::field("policy", "must be round_robin or least_loaded"))?;
    if !autocrm_store::scope::dealer_visible(&app.db, &a.scope, id).await? {
        return Err(autocrm_store::StoreError::NotFound.into());
    }
    rules::set_consultant_policy(&app.db, &a, id, policy).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyIn {
    pub on_duty: bool,
}

/// Put a consultant on or off duty (only those on duty receive new leads).
#[utoipa::path(put, path = "/api/v1/users/{id}/on-duty", tag = "leads", params(("id" = i64, Path)), request_body = DutyIn,
    responses((status = 204), (status = 404, body = ErrorResponse)))]
pub async fn put_duty(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(i): Json<DutyIn>) -> ApiResult<Response> {
    rules::set_on_duty(&app.db, &a, id, i.on_duty).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
