//! The daily distribution over HTTP: the dealer's list of distributed leads with
//! a feedback form on each, the OEM's view of feedback per dealer (overdue first),
//! the runs, "distribute now", and the export of the list.

use askama::Template;
use autocrm_domain::leads::Feedback;
use autocrm_jobs::distribution::{self as job, Outcome};
use autocrm_store::auth::Actor;
use autocrm_store::imports::export::Format;
use autocrm_store::job_runs::{self, JobRun};
use autocrm_store::leads::distribution::{self, DealerFeedback, Distribution, Which};
use autocrm_store::leads::today::{self, LeadFilter, LeadRow};
use autocrm_store::leads::{Lead, distribution::feedback as give_feedback};
use autocrm_store::page::{Page, PageRequest};
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{Id, Json, Query};
use crate::imports::api::download;
use crate::pages::{self, Layout, PageError, PageResult, china_day, render, see_other};
use crate::rest;

#[derive(OpenApi)]
#[openapi(
    paths(feedback, run_now, runs, by_dealer, export),
    components(schemas(FeedbackIn, RunOut, Distribution, JobRun, DealerFeedback))
)]
pub struct Doc;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackIn {
    /// `contacted`, `visited`, `not_reachable`, `not_interested`, `already_bought`, `invalid`.
    pub feedback: String,
    pub note: Option<String>,
}

/// The dealer's feedback on a lead the OEM distributed to it (within the SLA).
#[utoipa::path(post, path = "/api/v1/leads/{id}/feedback", tag = "leads", params(("id" = i64, Path)), request_body = FeedbackIn,
    responses((status = 200, body = Lead), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn feedback(State(app): State<App>, Caller(a): Caller, Id(id): Id, Json(i): Json<FeedbackIn>) -> ApiResult<Response> {
    Ok(rest::ok(give_feedback(&app.db, &a, id, &i.feedback, i.note).await?))
}

#[derive(Serialize, ToSchema)]
pub struct RunOut {
    /// What this call sent; absent when the run was already taken.
    pub distribution: Option<Distribution>,
    pub run: JobRun,
}

fn run_out(o: Outcome) -> RunOut {
    match o {
        Outcome::Ran(d, run) => RunOut { distribution: Some(d), run },
        Outcome::Taken(run) => RunOut { distribution: None, run },
    }
}

/// Distribute now: routes unrouted OEM leads and sends every dealer in your scope
/// its new ones (the daily run does the same at its hour). Nothing goes out twice.
#[utoipa::path(post, path = "/api/v1/lead-distribution/runs", tag = "leads",
    responses((status = 201, body = RunOut), (status = 403, body = ErrorResponse)))]
pub async fn run_now(State(app): State<App>, Caller(a): Caller) -> ApiResult<Response> {
    let o = job::now(&app.db, &a, Which::Pending).await?;
    Ok((StatusCode::CREATED, axum::Json(run_out(o))).into_response())
}

/// The latest distribution runs (daily and on demand).
#[utoipa::path(get, path = "/api/v1/lead-distribution/runs", tag = "leads", responses((status = 200, body = Vec<JobRun>)))]
pub async fn runs(State(app): State<App>) -> ApiResult<Response> {
    Ok(axum::Json(job_runs::recent(&app.db, job::NAME, 30).await?).into_response())
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day (China time); default a week ago.
    pub from: Option<NaiveDate>,
    /// Last day, included; default today.
    pub to: Option<NaiveDate>,
}

impl PeriodQuery {
    fn span(&self) -> ApiResult<(NaiveDate, NaiveDate)> {
        let today = (Utc::now() + Duration::hours(8)).date_naive();
        let to = self.to.unwrap_or(today);
        let from = self.from.unwrap_or(to - Duration::days(6));
        if from > to {
            return Err(ApiError::field("from", "must not be after to"));
        }
        if (to - from).num_days() > 366 {
            return Err(ApiError::field("from", "the period is at most a year"));
        }
        Ok((from, to))
    }
}

async fn dealer_table(app: &App, a: &Actor, from: NaiveDate, to: NaiveDate) -> ApiResult<Vec<DealerFeedback>> {
    let (start, _) = china_day(from);
    let (_, end) = china_day(to);
    Ok(distribution::feedback_by_dealer(&app.db, &a.scope, start, end, autocrm_store::now()).await?)
}

/// Feedback per dealer on the leads distributed in a period: on time, late,
/// waiting, overdue (most overdue first). Scoped.
#[utoipa::path(get, path = "/api/v1/lead-distribution/dealers", tag = "leads", params(PeriodQuery),
    responses((status = 200, body = Vec<DealerFeedback>), (status = 422, body = ErrorResponse)))]
pub async fn by_dealer(State(app): State<App>, Caller(a): Caller, Query(q): Query<PeriodQuery>) -> ApiResult<Response> {
    let (from, to) = q.span()?;
    Ok(axum::Json(dealer_table(&app, &a, from, to).await?).into_response())
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `any` (default), `awaiting`, `overdue`, `answered`.
    pub status: Option<String>,
    /// Distributed on this day (China time).
    pub day: Option<NaiveDate>,
    /// `xlsx` (default) or `csv` (export only).
    pub format: Option<String>,
}

impl ListQuery {
    fn filter(&self) -> ApiResult<LeadFilter> {
        let status = self.status.as_deref().filter(|s| !s.is_empty()).unwrap_or("any");
        if !today::DISTRIBUTION_FILTERS.contains(&status) {
            return Err(ApiError::field("status", "must be any, awaiting, overdue or answered"));
        }
        Ok(LeadFilter { distribution: Some(status.into()), distributed_between: self.day.map(china_day), ..Default::default() })
    }
}

/// The distributed leads in scope (a day, a status) as an Excel or CSV file,
/// mobiles masked; audited.
#[utoipa::path(get, path = "/api/v1/lead-distribution/export", tag = "leads", params(ListQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String),
        (status = 422, body = ErrorResponse)))]
pub async fn export(State(app): State<App>, Caller(a): Caller, Query(q): Query<ListQuery>) -> ApiResult<Response> {
    let format = Format::parse(q.format.as_deref().unwrap_or("xlsx")).ok_or_else(|| ApiError::field("format", "must be csv or xlsx"))?;
    let e = distribution::export(&app.db, &a, &q.filter()?, format).await?;
    Ok(download(e.bytes, format.content_type(), &e.filename))
}

// ---- the page ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "leads/distribution.html")]
struct DistributionPage {
    l: Layout,
    status: String,
    day: String,
    page: Page<LeadRow>,
    dealers: Vec<DealerFeedback>,
    runs: Vec<JobRun>,
    waiting: i64,
    feedback_words: Vec<&'static str>,
    statuses: [&'static str; 4],
    ran: Option<String>,
    error: bool,
}

impl DistributionPage {
    fn run_result(&self, r: &JobRun) -> String {
        match r.result.as_deref().map(serde_json::from_str::<Distribution>) {
            Some(Ok(d)) => format!("{} / {} / {}", d.leads, d.hot, d.dealers),
            _ => r.result.clone().unwrap_or_default(),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    status: Option<String>,
    day: Option<String>,
    ran: Option<String>,
    error: Option<String>,
}

/// Dealer staff: what the OEM sent and what still needs an answer. OEM and
/// managers above a dealer: feedback per dealer over the last week too.
pub async fn page(State(app): State<App>, Caller(a): Caller, l: Layout, Query(pq): Query<PageQuery>) -> PageResult {
    let day = pq.day.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let status = pq.status.clone().filter(|s| today::DISTRIBUTION_FILTERS.contains(&s.as_str())).unwrap_or_else(|| "awaiting".into());
    let f = ListQuery { status: Some(status.clone()), day, format: None }.filter().map_err(|_| PageError(StatusCode::NOT_FOUND))?;
    let p = PageRequest::parse(Some(200), Some("id"), None, &today::LEAD_SORT, "id").map_err(|_| PageError(StatusCode::NOT_FOUND))?;
    let page = today::list(&app.db, &a.scope, &f, &p).await?;
    let above_dealer = a.dealer_id.is_none();
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let dealers = if above_dealer {
        dealer_table(&app, &a, today - Duration::days(6), today).await.map_err(|e| PageError(e.status))?
    } else {
        vec![]
    };
    let runs = if above_dealer { job_runs::recent(&app.db, job::NAME, 7).await? } else { vec![] };
    let waiting = distribution::waiting(&app.db, &a).await?;
    Ok(render(&DistributionPage {
        l,
        status,
        day: day.map(|d| d.to_string()).unwrap_or_default(),
        page,
        dealers,
        runs,
        waiting,
        feedback_words: Feedback::ALL.iter().map(|f| f.as_str()).collect(),
        statuses: today::DISTRIBUTION_FILTERS,
        ran: pq.ran,
        error: pq.error.is_some(),
    }))
}

/// The feedback form on the list (or the lead page): back to where it was sent from.
pub async fn feedback_form(State(app): State<App>, Caller(a): Caller, Id(id): Id, Form(v): Form<pages::Form>) -> PageResult {
    let back = match v.get("back").map(String::as_str) {
        Some("lead") => format!("/leads/{id}"),
        _ => "/leads/distribution".to_string(),
    };
    match give_feedback(&app.db, &a, id, pages::field(&v, "feedback"), v.get("note").cloned()).await {
        Ok(_) => Ok(see_other(&back)),
        Err(autocrm_store::StoreError::Invalid(_)) => Ok(see_other(&format!("{back}?error=feedback"))),
        Err(e) => Err(e.into()),
    }
}

/// "Distribute now" from the page.
pub async fn run_form(State(app): State<App>, Caller(a): Caller) -> PageResult {
    let o = job::now(&app.db, &a, Which::Pending).await?;
    let sent = match o {
        Outcome::Ran(d, _) => d.leads,
        Outcome::Taken(_) => 0,
    };
    Ok(see_other(&format!("/leads/distribution?ran={sent}")))
}
