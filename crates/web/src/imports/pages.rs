//! Import pages: upload and recent jobs; one job with its mapping, the dry run's
//! preview with each row's problems, the commit and its progress.

use askama::Template;
use autocrm_store::StoreError;
use autocrm_store::imports::fields::{Column, Field};
use autocrm_store::imports::run::RowOutcome;
use autocrm_store::imports::{self, Job, JobSummary, Problem};
use autocrm_store::leads::import::EventOptions;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::api::{self, ExportParams};
use crate::App;
use crate::auth::Caller;
use crate::extract::{Id, Query};
use crate::pages::{Form, Layout, PageError, PageResult, field, render, see_other};

#[derive(Template)]
#[template(path = "imports/list.html")]
struct ListPage {
    l: Layout,
    jobs: Vec<JobSummary>,
    dealers: Vec<(i64, String, String)>,
    needs_dealer: bool,
    models: Vec<autocrm_store::vehicles::VehicleModel>,
    timeframes: Vec<&'static str>,
}

async fn dealers_for(app: &App, l: &Layout) -> Result<Vec<(i64, String, String)>, StoreError> {
    let me = l.me();
    if me.dealer_id.is_some() {
        return Ok(vec![]);
    }
    let mut q = autocrm_store::scope::select(&me.scope, &autocrm_store::org::DEALER);
    q.columns([("dealer", "id"), ("dealer", "code"), ("dealer", "name")]).order_by(("dealer", "code"), sea_query::Order::Asc).limit(2000);
    app.db.fetch_all(q).await
}

pub async fn list(State(app): State<App>, l: Layout) -> PageResult {
    let jobs = imports::recent(&app.db, &l.me().scope, 20).await?;
    let dealers = dealers_for(&app, &l).await?;
    let needs_dealer = matches!(l.me().scope, autocrm_domain::access::Scope::Group { .. } | autocrm_domain::access::Scope::Region { .. });
    let models = autocrm_store::vehicles::models::choices(&app.db).await?;
    let timeframes = autocrm_domain::leads::Timeframe::ALL.iter().map(|t| t.as_str()).collect();
    Ok(render(&ListPage { l, jobs, dealers, needs_dealer, models, timeframes }))
}

/// The upload form posts the file as the raw body (fetch with the CSRF header);
/// success redirects to the job, a refused file answers 422 with the reason.
pub async fn upload(State(app): State<App>, Caller(a): Caller, l: Layout, Query(p): Query<api::UploadParams>, req: Request) -> Response {
    let result = async {
        let bytes = api::file_body(req).await.map_err(|e| e.body.message)?;
        p.start(&app, &a, &bytes).await.map_err(|e| {
            if e.status.is_client_error() {
                let field = e.body.fields.first().map(|f| f.path.clone()).unwrap_or_else(|| "file".into());
                format!("{}: {}", l.tv("imports.field", &field), l.msg(&e.body.fields.first().map(|f| f.message.clone()).unwrap_or(e.body.message)))
            } else {
                l.t("error.internal").to_string()
            }
        })
    }
    .await;
    match result {
        Ok(job) => see_other(&format!("/imports/{}", job.id)),
        Err(message) => (StatusCode::UNPROCESSABLE_ENTITY, message).into_response(),
    }
}

/// One row of the preview: its outcome and the problems found in it.
pub struct PreviewRow {
    pub o: RowOutcome,
    pub problems: Vec<Problem>,
}

#[derive(Template)]
#[template(path = "imports/show.html")]
struct ShowPage {
    l: Layout,
    job: Job,
    fields: Vec<&'static str>,
    preview: Vec<PreviewRow>,
    problems: Vec<Problem>,
    error: String,
    event: Option<EventOptions>,
    event_model: String,
}

impl ShowPage {
    fn selected(&self, c: &Column, f: &str) -> bool {
        c.field.map(Field::as_str) == Some(f)
    }
    fn reason(&self, p: &Problem) -> String {
        match &p.detail {
            Some(d) => format!("{} ({d})", self.l.msg(&p.reason)),
            None => self.l.msg(&p.reason),
        }
    }
    fn outcome(&self, o: &RowOutcome) -> &'static str {
        use autocrm_store::imports::run::Outcome;
        match o.outcome {
            Outcome::New => "new",
            Outcome::Link => "link",
            Outcome::Invalid => "invalid",
            Outcome::Created => "created",
            Outcome::Linked => "linked",
        }
    }
}

async fn show_page(app: &App, l: Layout, job: Job, error: String) -> Result<Response, PageError> {
    let event = autocrm_store::leads::import::options_of(&app.db, job.id).await?;
    let event_model = match &event {
        Some(e) => autocrm_store::vehicles::models::get(&app.db, e.model_id).await.map(|m| m.label()).unwrap_or_default(),
        None => String::new(),
    };
    let preview = job
        .rows
        .iter()
        .take(api::PREVIEW_ROWS)
        .map(|o| PreviewRow { o: o.clone(), problems: job.problems.iter().filter(|p| p.row == o.row).cloned().collect() })
        .collect();
    let problems = job.problems.iter().take(200).cloned().collect();
    let fields = Field::ALL.iter().map(|f| f.as_str()).collect();
    Ok(render(&ShowPage { l, job, fields, preview, problems, error, event, event_model }))
}

pub async fn show(State(app): State<App>, l: Layout, Id(id): Id) -> PageResult {
    let job = imports::get(&app.db, &l.me().scope, id).await?;
    show_page(&app, l, job, String::new()).await
}

/// The mapping form: one select per column (`col_<n>` = field or empty).
pub async fn set_mapping(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id, axum::Form(f): axum::Form<Form>) -> PageResult {
    let job = imports::get(&app.db, &a.scope, id).await?;
    let overrides: Vec<(String, String)> =
        job.mapping.iter().map(|c| ((c.index + 1).to_string(), field(&f, &format!("col_{}", c.index)).to_string())).collect();
    match imports::set_mapping(&app.db, &a, id, &overrides).await {
        Ok(_) => Ok(see_other(&format!("/imports/{id}"))),
        Err(StoreError::Invalid(e)) => show_page(&app, l, job, e.message).await,
        Err(e) => Err(PageError::from(e)),
    }
}

/// Starts the commit in the background and shows the job, which polls its progress.
pub async fn commit(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id) -> PageResult {
    let job = match imports::claim(&app.db, &a, id).await {
        Ok(j) => j,
        Err(StoreError::Invalid(e)) => {
            let job = imports::get(&app.db, &a.scope, id).await?;
            return show_page(&app, l, job, e.message).await;
        }
        Err(e) => return Err(e.into()),
    };
    tokio::spawn(async move {
        match imports::commit_claimed(&app.db, &a, &job, &|_, _| {}).await {
            Ok((job, created)) => api::after_commit(&app, &a, &job, created).await,
            Err(e) => tracing::error!(error = %e, job = job.id, "import commit failed"),
        }
    });
    Ok(see_other(&format!("/imports/{id}")))
}

#[derive(Template)]
#[template(path = "imports/progress.html")]
struct ProgressPart {
    l: Layout,
    s: JobSummary,
}

impl ProgressPart {
    fn done(&self) -> i64 {
        self.s.created_count + self.s.linked_count
    }
}

/// The progress line htmx polls every second while the commit runs; once the job
/// is finished it asks for a reload to show the final report.
pub async fn progress(State(app): State<App>, l: Layout, Id(id): Id) -> PageResult {
    let s = imports::summary(&app.db, &l.me().scope, id).await?;
    let finished = s.status != "committing";
    let mut r = render(&ProgressPart { l, s });
    if finished {
        r.headers_mut().insert("hx-refresh", axum::http::HeaderValue::from_static("true"));
    }
    Ok(r)
}

pub async fn report_csv(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> PageResult {
    let job = imports::get(&app.db, &a.scope, id).await?;
    Ok(api::download(imports::report_csv(&job).into_bytes(), "text/csv; charset=utf-8", &format!("import-{id}-report.csv")))
}

/// The search results page's export buttons.
pub async fn export(State(app): State<App>, Caller(a): Caller, Query(p): Query<ExportParams>) -> PageResult {
    api::run_export(&app, &a, &p).await.map_err(|e| PageError(e.status))
}
