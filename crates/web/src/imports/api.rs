//! JSON API for imports (upload → dry run → mapping → commit → report) and
//! exports of customer lists.

use autocrm_store::auth::Actor;
use autocrm_store::imports::export::{self, Format};
use autocrm_store::leads::import::{self as lead_import, EventOptions, LeadResult};
use autocrm_store::imports::fields::Column;
use autocrm_store::imports::run::RowOutcome;
use autocrm_store::imports::{self, Job, Problem};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{Id, Json, Query};

/// This capability's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(upload, get_job, set_mapping, commit, report_csv, export_customers),
    components(schemas(JobView, Column, Problem, RowOutcome, MappingChange, EventOptions, LeadResult))
)]
pub struct Doc;

/// The largest file an import accepts (a 100,000-row customer list is ~15 MB).
pub const MAX_FILE: usize = 64 * 1024 * 1024;
/// Rows of the outcome list a job view carries.
pub const PREVIEW_ROWS: usize = 50;
/// Problems a job view carries (the CSV report has all of them).
pub const PREVIEW_PROBLEMS: usize = 500;

/// An import job as the API shows it: counts, the mapping, the first problems and
/// the first rows' outcomes (the full list is in the CSV report).
#[derive(Serialize, ToSchema)]
pub struct JobView {
    pub id: i64,
    pub filename: String,
    /// `previewed`, `committing`, `done`, `failed`.
    pub status: String,
    pub dealer_id: Option<i64>,
    pub total_rows: i64,
    pub valid_rows: i64,
    pub invalid_rows: i64,
    /// Dry run: new customers / links to customers on file.
    pub new_count: u64,
    pub link_count: u64,
    /// Commit: rows created / linked so far.
    pub created_count: i64,
    pub linked_count: i64,
    pub mapping: Vec<Column>,
    pub mapping_errors: Vec<String>,
    pub problem_count: usize,
    pub problems: Vec<Problem>,
    pub rows: Vec<RowOutcome>,
    /// Where the error report is.
    pub report_url: String,
    /// An event import: the event, the defaults and, once committed, the leads it captured.
    pub event: Option<EventOptions>,
}

impl From<Job> for JobView {
    fn from(j: Job) -> Self {
        let problem_count = j.problems.len();
        JobView {
            report_url: format!("/api/v1/imports/{}/report.csv", j.id),
            id: j.id,
            filename: j.filename,
            status: j.status,
            dealer_id: j.dealer_id,
            total_rows: j.total_rows,
            valid_rows: j.valid_rows,
            invalid_rows: j.invalid_rows,
            new_count: j.new_count,
            link_count: j.link_count,
            created_count: j.created_count,
            linked_count: j.linked_count,
            mapping: j.mapping,
            mapping_errors: j.mapping_errors,
            problem_count,
            problems: j.problems.into_iter().take(PREVIEW_PROBLEMS).collect(),
            rows: j.rows.into_iter().take(PREVIEW_ROWS).collect(),
            event: None,
        }
    }
}

/// The job as the API shows it, with its event when it is a lead import.
pub async fn view(app: &App, j: imports::Job) -> ApiResult<JobView> {
    let event = lead_import::options_of(&app.db, j.id).await?;
    Ok(JobView { event, ..JobView::from(j) })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// The file's name (`.csv` or `.xlsx`); also tells the format.
    pub filename: String,
    /// The dealer the customers belong to (required for group managers; dealer
    /// staff import for their own store).
    pub dealer_id: Option<i64>,
    /// Changes to the detected mapping: `column=field,…` (column by header or 1-based number).
    pub mapping: Option<String>,
    /// An auto show or campaign: every valid row becomes a lead with this event
    /// (then `model_id` and `timeframe` are the defaults for cards that name none).
    pub event: Option<String>,
    /// The lead source (default `auto_show`).
    pub source: Option<String>,
    pub model_id: Option<i64>,
    pub timeframe: Option<String>,
}

impl UploadParams {
    /// The event options of a lead import, when an event is given.
    pub fn event_options(&self) -> ApiResult<Option<EventOptions>> {
        let Some(event) = self.event.as_deref().filter(|e| !e.trim().is_empty()) else { return Ok(None) };
        let model_id = self.model_id.ok_or_else(|| ApiError::field("model_id", "is required for an event import: the model a card without one is about"))?;
        Ok(Some(EventOptions {
            source: self.source.clone().unwrap_or_default(),
            event: event.to_string(),
            model_id,
            timeframe: self.timeframe.clone().unwrap_or_else(|| "within_3_months".into()),
            result: None,
        }))
    }

    /// Starts the import: a lead import when an event is given, else customers.
    pub async fn start(&self, app: &App, a: &Actor, bytes: &[u8]) -> ApiResult<imports::Job> {
        let overrides = overrides(self.mapping.as_deref())?;
        Ok(match self.event_options()? {
            Some(o) => lead_import::start(&app.db, a, &self.filename, bytes, self.dealer_id, &overrides, o).await?,
            None => imports::start(&app.db, a, &self.filename, bytes, self.dealer_id, &overrides).await?,
        })
    }
}

/// Reads the request body up to [`MAX_FILE`] (beyond the server's JSON limit).
pub async fn file_body(req: Request) -> ApiResult<Vec<u8>> {
    let bytes = axum::body::to_bytes(req.into_body(), MAX_FILE).await.map_err(|_| {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the file is larger than 64 MB: split it")
    })?;
    if bytes.is_empty() {
        return Err(ApiError::field("file", "is empty: send the file as the request body"));
    }
    Ok(bytes.to_vec())
}

pub fn overrides(spec: Option<&str>) -> ApiResult<Vec<(String, String)>> {
    match spec {
        None => Ok(vec![]),
        Some(s) => imports::fields::parse_overrides(s).map_err(|e| ApiError::field("mapping", &e)),
    }
}

/// Upload a CSV (UTF-8 or GBK) or .xlsx file as the raw request body: the header
/// row is detected, a mapping proposed and every row dry-run (validated and
/// matched against the customers on file). Nothing is written until the commit.
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports", params(UploadParams),
    request_body(content = Vec<u8>, content_type = "text/csv"),
    responses((status = 201, body = JobView), (status = 413, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn upload(State(app): State<App>, Caller(a): Caller, Query(p): Query<UploadParams>, req: Request) -> ApiResult<Response> {
    let bytes = file_body(req).await?;
    let job = p.start(&app, &a, &bytes).await?;
    let location = format!("/api/v1/imports/{}", job.id);
    let mut r = (StatusCode::CREATED, axum::Json(view(&app, job).await?)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

/// An import job: status, counts, mapping, problems and first rows.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports", params(("id" = i64, Path)),
    responses((status = 200, body = JobView), (status = 404, body = ErrorResponse)))]
pub async fn get_job(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<axum::Json<JobView>> {
    Ok(axum::Json(view(&app, imports::get(&app.db, &a.scope, id).await?).await?))
}

/// Changes to the mapping: column (header text or 1-based number) → field name
/// (`name`, `mobile`, `vin`…; empty: do not import the column).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MappingChange {
    pub mapping: std::collections::BTreeMap<String, String>,
}

/// Change the column mapping of a previewed job; every row is validated again.
#[utoipa::path(put, path = "/api/v1/imports/{id}/mapping", tag = "imports", params(("id" = i64, Path)), request_body = MappingChange,
    responses((status = 200, body = JobView), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn set_mapping(
    State(app): State<App>,
    Caller(a): Caller,
    Id(id): Id,
    Json(m): Json<MappingChange>,
) -> ApiResult<axum::Json<JobView>> {
    let o: Vec<(String, String)> = m.mapping.into_iter().collect();
    Ok(axum::Json(view(&app, imports::set_mapping(&app.db, &a, id, &o).await?).await?))
}

/// Commit a previewed job: the valid rows are written (new customers, links to
/// customers on file, vehicles, ownership, dealer links); invalid rows change
/// nothing. Answers when done.
#[utoipa::path(post, path = "/api/v1/imports/{id}/commit", tag = "imports", params(("id" = i64, Path)),
    responses((status = 200, body = JobView), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn commit(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<axum::Json<JobView>> {
    let job = imports::claim(&app.db, &a, id).await?;
    let (job, created) = imports::commit_claimed(&app.db, &a, &job, &|_, _| {}).await?;
    after_commit(&app, &a, &job, created).await;
    Ok(axum::Json(view(&app, imports::get(&app.db, &a.scope, id).await?).await?))
}

/// Weak evidence about the new customers (same name and address…) goes to the
/// duplicate-review queue; strong keys were already resolved by the import. An
/// event import then captures its leads and sends them out.
pub async fn after_commit(app: &App, a: &Actor, job: &imports::Job, created: Vec<i64>) {
    if let Err(e) = autocrm_store::identity::detect_many(&app.db, &created).await {
        tracing::error!(error = %e, "duplicate detection after an import failed");
    }
    if let Err(e) = autocrm_jobs::distribution::import_leads(&app.db, a, job).await {
        tracing::error!(error = %e, job = job.id, "capturing the leads of an event import failed");
    }
}

/// The error report: one CSV line per problem (row, column, value, reason).
#[utoipa::path(get, path = "/api/v1/imports/{id}/report.csv", tag = "imports", params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorResponse)))]
pub async fn report_csv(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    let job = imports::get(&app.db, &a.scope, id).await?;
    let body = imports::report_csv(&job);
    Ok(download(body.into_bytes(), "text/csv; charset=utf-8", &format!("import-{id}-report.csv")))
}

pub fn download(bytes: Vec<u8>, content_type: &str, filename: &str) -> Response {
    let mut r = Response::new(Body::from(bytes));
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// A search (mobile, name, pinyin, VIN tail, plate…); empty: every customer in scope.
    pub q: Option<String>,
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
}

pub async fn run_export(app: &App, a: &Actor, p: &ExportParams) -> ApiResult<Response> {
    let format = Format::parse(p.format.as_deref().unwrap_or("csv")).ok_or_else(|| ApiError::field("format", "must be csv or xlsx"))?;
    let e = export::export(&app.db, a, p.q.as_deref().unwrap_or(""), format).await?;
    let mut r = download(e.bytes, format.content_type(), &e.filename);
    if let Ok(v) = HeaderValue::from_str(&e.rows.to_string()) {
        r.headers_mut().insert("x-row-count", v);
    }
    Ok(r)
}

/// Export the customers a search finds (or all in scope) as CSV or Excel, with
/// personal identifiers masked unless your role may reveal them. Audited.
#[utoipa::path(get, path = "/api/v1/exports/customers", tag = "imports", params(ExportParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorResponse)))]
pub async fn export_customers(State(app): State<App>, Caller(a): Caller, Query(p): Query<ExportParams>) -> ApiResult<Response> {
    run_export(&app, &a, &p).await
}
