//! Pages of prospects: quick capture (phone first: a mobile or a name, the model,
//! the timeframe), the list, the lead page with its follow-up, funnel and close
//! forms, the consultant's day and the manager's team view.

use askama::Template;
use autocrm_domain::leads::{CloseKind, CloseRequest, LostCategory, Source, Stage, Timeframe, INVALID_REASONS, next_stages};
use autocrm_store::leads::today::{self, LeadFilter, LeadRow, TeamMember};
use autocrm_store::leads::{self, Activity, Capture, Lead, NewActivity, activity, stage as moves};
use autocrm_store::page::{Page, PageRequest};
use autocrm_store::vehicles::{VehicleModel, models};
use autocrm_store::{customers, search};
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{NaiveDateTime, TimeZone};
use serde::Deserialize;

use crate::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{Id, Query};
use crate::pages::{self, Layout, PageError, PageResult, field, opt_id, render, see_other};

pub(crate) type Errors = Vec<(String, String)>;

/// A client error as the (field, message) list a form shows; other errors as the error page.
pub(crate) fn field_errors(e: ApiError) -> Result<Errors, PageError> {
    if e.status.is_client_error() {
        let mut out: Errors = e.body.fields.into_iter().map(|f| (f.path, f.message)).collect();
        if out.is_empty() {
            out.push((String::new(), e.body.message));
        }
        Ok(out)
    } else {
        Err(PageError(e.status))
    }
}

pub(crate) fn opt(f: &pages::Form, k: &str) -> Option<String> {
    f.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A `datetime-local` value (China time) as UTC.
pub(crate) fn local_time(f: &pages::Form, k: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
    match opt(f, k) {
        None => Ok(None),
        Some(v) => NaiveDateTime::parse_from_str(&v, "%Y-%m-%dT%H:%M")
            .ok()
            .and_then(|n| pages::china_time().from_local_datetime(&n).single())
            .map(|t| Some(t.with_timezone(&chrono::Utc)))
            .ok_or_else(|| ApiError::field(k, "must be a date and time")),
    }
}

// ---- list ------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct ListQuery {
    stage: Option<String>,
    grade: Option<String>,
    source: Option<String>,
    overdue: Option<String>,
    close_pending: Option<String>,
    owner: Option<String>,
    q: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "leads/list.html")]
struct ListPage {
    l: Layout,
    page: Page<LeadRow>,
    f: ListQuery,
    stages: Vec<&'static str>,
    sources: Vec<&'static str>,
    next_href: Option<String>,
}

impl ListPage {
    fn sel(&self, v: &Option<String>, x: &str) -> bool {
        v.as_deref() == Some(x)
    }
}

pub async fn list(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<ListQuery>) -> PageResult {
    let stage = q.stage.clone().filter(|s| s == "open" || s == "closed" || Stage::parse(s).is_some());
    let f = LeadFilter {
        stage: stage.clone(),
        grade: q.grade.clone().filter(|s| !s.is_empty()),
        source: q.source.clone().filter(|s| Source::parse(s).is_some()),
        overdue: q.overdue.as_deref() == Some("on"),
        close_pending: q.close_pending.as_deref() == Some("on"),
        owner_user_id: q.owner.as_deref().and_then(|o| o.parse().ok()),
        q: q.q.clone(),
        ..Default::default()
    };
    let p = PageRequest::parse(Some(50), Some("-id"), q.cursor.as_deref(), &today::LEAD_SORT, "-id")
        .map_err(|_| PageError(StatusCode::NOT_FOUND))?;
    let page = today::list(&app.db, &a.scope, &f, &p).await?;
    let next_href = page.next_cursor.as_ref().map(|c| {
        let qs: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("stage", stage.as_deref().unwrap_or(""))
            .append_pair("grade", q.grade.as_deref().unwrap_or(""))
            .append_pair("source", q.source.as_deref().unwrap_or(""))
            .append_pair("overdue", q.overdue.as_deref().unwrap_or(""))
            .append_pair("q", q.q.as_deref().unwrap_or(""))
            .append_pair("owner", q.owner.as_deref().unwrap_or(""))
            .append_pair("cursor", c)
            .finish();
        format!("/leads?{qs}")
    });
    Ok(render(&ListPage {
        l,
        page,
        f: q,
        stages: Stage::ALL.iter().map(|s| s.as_str()).collect(),
        sources: Source::ALL.iter().map(|s| s.as_str()).collect(),
        next_href,
    }))
}

// ---- quick capture ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "leads/new.html")]
struct NewPage {
    l: Layout,
    v: pages::Form,
    errors: Errors,
    models: Vec<VehicleModel>,
    timeframes: Vec<&'static str>,
    sources: Vec<&'static str>,
    /// A fresh key per form: a double-tapped or retried submit captures once.
    submission_key: String,
}

impl NewPage {
    fn val(&self, k: &str) -> &str {
        field(&self.v, k)
    }
    fn error(&self, k: &str) -> bool {
        self.errors.iter().any(|(f, _)| f == k)
    }
}

async fn new_page(app: &App, l: Layout, v: pages::Form, errors: Errors, status: StatusCode) -> PageResult {
    let submission_key = v.get("submission_key").cloned().unwrap_or_else(|| autocrm_store::auth::new_secret()[..24].to_string());
    let mut r = render(&NewPage {
        l,
        v,
        errors,
        models: models::choices(&app.db).await?,
        timeframes: Timeframe::ALL.iter().map(|t| t.as_str()).collect(),
        sources: Source::ALL.iter().map(|s| s.as_str()).collect(),
        submission_key,
    });
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    customer_id: Option<i64>,
    mobile: Option<String>,
    source: Option<String>,
    event: Option<String>,
}

pub async fn new_lead(State(app): State<App>, l: Layout, Query(q): Query<NewQuery>) -> PageResult {
    let mut v = pages::Form::new();
    let dealer_staff = l.me().dealer_id.is_some();
    v.insert("source".into(), q.source.unwrap_or_else(|| if dealer_staff { "walk_in".into() } else { "hotline".into() }));
    if let Some(c) = q.customer_id {
        v.insert("customer_id".into(), c.to_string());
    }
    if let Some(m) = q.mobile {
        v.insert("mobile".into(), m);
    }
    if let Some(e) = q.event {
        v.insert("event".into(), e);
    }
    new_page(&app, l, v, vec![], StatusCode::OK).await
}

fn capture_of(v: &pages::Form) -> Result<Capture, ApiError> {
    let num = |k: &str| -> Result<Option<i64>, ApiError> {
        match opt(v, k) {
            None => Ok(None),
            Some(s) => s.parse().map(Some).map_err(|_| ApiError::field(k, "must be a whole number")),
        }
    };
    Ok(Capture {
        customer_id: num("customer_id")?,
        mobile: opt(v, "mobile"),
        name: opt(v, "name"),
        model_id: num("model_id")?,
        timeframe: field(v, "timeframe").to_string(),
        source: opt(v, "source"),
        event: opt(v, "event"),
        budget_yuan: num("budget_yuan")?,
        trade_in: v.get("trade_in").is_some_and(|x| x == "on"),
        trade_in_model: opt(v, "trade_in_model"),
        competitors: opt(v, "competitors"),
        preferred_dealer_id: None,
        owner_user_id: None,
        referrer_id: num("referrer_id")?,
        note: opt(v, "note"),
        submission_key: opt(v, "submission_key"),
    })
}

pub async fn create(State(app): State<App>, Caller(a): Caller, l: Layout, Form(v): Form<pages::Form>) -> PageResult {
    let saved = match capture_of(&v) {
        Ok(c) => super::api::capture_lead(&app, &a, c).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(c) => Ok(see_other(&format!("/leads/{}", c.lead.id))),
        Err(e) => {
            let status = e.status;
            new_page(&app, l, v, field_errors(e)?, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "leads/prefill.html")]
struct PrefillPartial {
    l: Layout,
    hit: Option<search::Hit>,
    open_leads: Vec<LeadRow>,
}

#[derive(Deserialize, Default)]
pub struct PrefillQuery {
    mobile: Option<String>,
}

/// As the consultant types a mobile: the customer on file (within scope) and their
/// open leads, so nothing is typed twice.
pub async fn prefill(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<PrefillQuery>) -> PageResult {
    let mobile = q.mobile.unwrap_or_default();
    let hit = match autocrm_domain::customers::Mobile::parse(&mobile) {
        Ok(m) => search::find(&app.db, &a.scope, m.as_str(), 1).await?.into_iter().next(),
        Err(_) => None,
    };
    let open_leads = match &hit {
        Some(h) => {
            let f = LeadFilter { customer_id: Some(h.customer_id), stage: Some("open".into()), ..Default::default() };
            let p = PageRequest::parse(Some(5), Some("-id"), None, &today::LEAD_SORT, "-id").map_err(|_| PageError(StatusCode::BAD_REQUEST))?;
            today::list(&app.db, &a.scope, &f, &p).await?.items
        }
        None => vec![],
    };
    Ok(render(&PrefillPartial { l, hit, open_leads }))
}

// ---- the lead page ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "leads/show.html")]
struct ShowPage {
    l: Layout,
    lead: Lead,
    row: LeadRow,
    activities: Vec<Activity>,
    moves: Vec<&'static str>,
    close_kinds: Vec<&'static str>,
    categories: Vec<&'static str>,
    reasons: Vec<&'static str>,
    consultants: Vec<(i64, String)>,
    timeframes: Vec<&'static str>,
    errors: Errors,
    drives: Vec<autocrm_store::test_drives::TestDriveRow>,
    quotes: Vec<autocrm_store::quotes::QuoteRow>,
}

impl ShowPage {
    fn feedback_words(&self) -> Vec<&'static str> {
        autocrm_domain::leads::Feedback::ALL.iter().map(|f| f.as_str()).collect()
    }
    fn owns(&self, id: &i64) -> bool {
        self.lead.owner_user_id == Some(*id)
    }
    fn request_text(&self) -> String {
        self.lead.close_request.as_ref().map(|v| {
            let g = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
            [self.l.tv("lead_close_kind", &g("kind")), self.l.tv("lost_category", &g("category")), self.l.tv("lost_reason", &g("reason")), g("competitor_brand"), g("competitor_model"), g("note")]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · ")
        }).unwrap_or_default()
    }
}

async fn show_page(app: &App, a: &autocrm_store::auth::Actor, l: Layout, id: i64, errors: Errors, status: StatusCode) -> PageResult {
    let lead = leads::get(&app.db, &a.scope, id).await?;
    let row = today::row(&app.db, &a.scope, id).await?;
    let consultants = match lead.dealer_id {
        Some(d) if l.can("lead_manage") => autocrm_store::leads::rules::consultant_options(&app.db, d).await?,
        _ => vec![],
    };
    let moves = next_stages(lead.stage()).into_iter().filter(|s| !s.needs_approval()).map(|s| s.as_str()).collect();
    let close_kinds = CloseKind::ALL.iter().filter(|k| autocrm_domain::leads::can_move(lead.stage(), k.stage())).map(|k| k.as_str()).collect();
    let mut reasons: Vec<&'static str> = LostCategory::ALL.iter().flat_map(|c| c.reasons().iter().copied()).collect();
    reasons.extend(INVALID_REASONS);
    reasons.sort();
    reasons.dedup();
    let drives = autocrm_store::test_drives::views::all(&app.db, &a.scope, &autocrm_store::test_drives::DriveFilter { lead_id: Some(id), ..Default::default() }, 50).await?;
    let quotes = autocrm_store::quotes::views::latest(&app.db, &a.scope, &autocrm_store::quotes::QuoteFilter { lead_id: Some(id), ..Default::default() }, 20).await?;
    let mut r = render(&ShowPage {
        drives,
        quotes,
        activities: activity::for_lead(&app.db, id).await?,
        l,
        lead,
        row,
        moves,
        close_kinds,
        categories: LostCategory::ALL.iter().map(|c| c.as_str()).collect(),
        reasons,
        consultants,
        timeframes: Timeframe::ALL.iter().map(|t| t.as_str()).collect(),
        errors,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn show(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id) -> PageResult {
    show_page(&app, &a, l, id, vec![], StatusCode::OK).await
}

/// After a form post on the lead page: back to it, or the page again with errors.
async fn done(app: &App, a: &autocrm_store::auth::Actor, l: Layout, id: i64, r: Result<Lead, ApiError>) -> PageResult {
    match r {
        Ok(_) => Ok(see_other(&format!("/leads/{id}"))),
        Err(e) if e.status == StatusCode::NOT_FOUND => Err(PageError(StatusCode::NOT_FOUND)),
        Err(e) => {
            let status = e.status;
            show_page(app, a, l, id, field_errors(e)?, status).await
        }
    }
}

pub async fn add_activity(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id, Form(v): Form<pages::Form>) -> PageResult {
    let r = async {
        let mut act = NewActivity::new(super::api::manual_kind(field(&v, "kind"))?);
        act.outcome = opt(&v, "outcome");
        act.note = opt(&v, "note");
        act.next_follow_up_at = local_time(&v, "next_follow_up_at")?;
        Ok(moves::log_activity(&app.db, &a, id, act).await?)
    }
    .await;
    done(&app, &a, l, id, r).await
}

pub async fn set_follow_up(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id, Form(v): Form<pages::Form>) -> PageResult {
    let r = async {
        let when = local_time(&v, "next_follow_up_at")?;
        let timeframe = opt(&v, "timeframe");
        if when.is_none() && timeframe.is_none() {
            return Err(ApiError::field("next_follow_up_at", "is required"));
        }
        let patch = moves::LeadPatch { next_follow_up_at: when, timeframe, ..Default::default() };
        Ok(moves::update(&app.db, &a, id, None, patch).await?)
    }
    .await;
    done(&app, &a, l, id, r).await
}

pub async fn move_stage(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id, Form(v): Form<pages::Form>) -> PageResult {
    let r = async {
        let to = Stage::parse(field(&v, "stage")).ok_or_else(|| ApiError::field("stage", "must be a stage"))?;
        Ok(moves::advance(&app.db, &a, id, None, to, opt(&v, "note")).await?)
    }
    .await;
    done(&app, &a, l, id, r).await
}

pub async fn close(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id, Form(v): Form<pages::Form>) -> PageResult {
    let req = CloseRequest {
        kind: field(&v, "kind").to_string(),
        category: opt(&v, "category"),
        reason: opt(&v, "reason"),
        competitor_brand: opt(&v, "competitor_brand"),
        competitor_model: opt(&v, "competitor_model"),
        note: opt(&v, "note"),
        date: None,
    };
    let r = async {
        let lead = leads::get(&app.db, &a.scope, id).await?;
        req.validate(lead.stage(), customers::today()).map_err(ApiError::invalid)?;
        Ok(moves::request_close(&app.db, &a, id, None, req).await?)
    }
    .await;
    done(&app, &a, l, id, r).await
}

pub async fn close_decision(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id, Form(v): Form<pages::Form>) -> PageResult {
    let approve = field(&v, "approve") == "true";
    let r = moves::decide_close(&app.db, &a, id, approve, opt(&v, "note")).await.map_err(ApiError::from);
    done(&app, &a, l, id, r).await
}

pub async fn assign(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id, Form(v): Form<pages::Form>) -> PageResult {
    let r = moves::assign(&app.db, &a, id, None, opt_id(&v, "owner_user_id")).await.map_err(ApiError::from);
    done(&app, &a, l, id, r).await
}

// ---- today and the team -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "leads/today.html")]
struct TodayPage {
    l: Layout,
    sections: Vec<(&'static str, Vec<LeadRow>)>,
    drives: Vec<autocrm_store::test_drives::TestDriveRow>,
}

pub async fn today(State(app): State<App>, Caller(a): Caller, l: Layout) -> PageResult {
    let day = today::today(&app.db, &a.scope, a.user_id, autocrm_store::now()).await?;
    let sections = vec![
        ("leads.overdue_follow_ups", day.overdue),
        ("leads.due_today", day.due_today),
        ("leads.new_assignments", day.new_assignments),
    ];
    Ok(render(&TodayPage { l, sections, drives: day.test_drives }))
}

#[derive(Template)]
#[template(path = "leads/team.html")]
struct TeamPage {
    l: Layout,
    team: Vec<TeamMember>,
    pending: Vec<LeadRow>,
    overdue: Vec<LeadRow>,
}

pub async fn team(State(app): State<App>, Caller(a): Caller, l: Layout) -> PageResult {
    let now = autocrm_store::now();
    let p = PageRequest::parse(Some(50), Some("-id"), None, &today::LEAD_SORT, "-id").map_err(|_| PageError(StatusCode::BAD_REQUEST))?;
    let pending = today::list(&app.db, &a.scope, &LeadFilter { close_pending: true, ..Default::default() }, &p).await?.items;
    let overdue = today::list(&app.db, &a.scope, &LeadFilter { overdue: true, ..Default::default() }, &p).await?.items;
    Ok(render(&TeamPage { team: today::team(&app.db, &a.scope, None, now).await?, pending, overdue, l }))
}
