//! The audit trail page: filters, newest first, before and after of each change.

use askama::Template;
use autocrm_store::audit::{self, AuditEvent};
use autocrm_store::page::Page;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::api::AuditQuery;
use crate::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::Query;
use crate::pages::{Layout, PageError, PageResult, render};

const PAGE_SIZE: u64 = 50;

/// Entities that have entries, for the filter (labels in `audit.entity.*`).
const ENTITIES: [&str; 7] = ["user", "dealer", "department", "region", "dealer_group", "api_token", "database"];
/// Kinds of change (labels in `audit.action.*`).
const ACTIONS: [&str; 5] = ["create", "update", "delete", "password_set", "seed"];

/// The filter form: all text, so a bad value is shown as an error, not a failure.
#[derive(Deserialize, Default)]
pub struct Filters {
    entity: Option<String>,
    entity_id: Option<String>,
    action: Option<String>,
    actor: Option<String>,
    from: Option<String>,
    to: Option<String>,
    cursor: Option<String>,
}

pub struct Row {
    pub e: AuditEvent,
    /// Where the changed record is shown, if it has a page.
    pub href: Option<String>,
    pub before: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    l: Layout,
    rows: Vec<Row>,
    entities: Vec<&'static str>,
    actions: Vec<&'static str>,
    f: Filters,
    errors: Vec<(String, String)>,
    first_href: Option<String>,
    next_href: Option<String>,
}

impl AuditPage {
    fn val<'a>(&'a self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }
    fn is(&self, v: &Option<String>, x: &str) -> bool {
        v.as_deref() == Some(x)
    }
}

/// Compact JSON of a before/after snapshot (empty when there is none).
fn compact(v: &Option<serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(v) => serde_json::to_string(v).unwrap_or_default(),
    }
}

fn link(l: &Layout, e: &AuditEvent) -> Option<String> {
    let id = e.entity_id?;
    match e.entity.as_str() {
        "user" if l.can("user_read") => Some(format!("/users/{id}")),
        "dealer" => Some(format!("/org/dealers/{id}")),
        _ => None,
    }
}

fn page_href(f: &Filters, cursor: Option<&str>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("entity", &f.entity),
        ("entity_id", &f.entity_id),
        ("action", &f.action),
        ("actor", &f.actor),
        ("from", &f.from),
        ("to", &f.to),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            s.append_pair(k, v);
        }
    }
    if let Some(c) = cursor {
        s.append_pair("cursor", c);
    }
    format!("/audit?{}", s.finish())
}

fn field_errors(l: &Layout, e: ApiError) -> Result<Vec<(String, String)>, PageError> {
    if !e.status.is_client_error() {
        return Err(PageError(e.status));
    }
    let mut out: Vec<(String, String)> = e.body.fields.into_iter().map(|f| (f.path, l.msg(&f.message))).collect();
    if out.is_empty() {
        out.push((String::new(), e.body.message));
    }
    Ok(out)
}

pub async fn list(State(app): State<App>, Caller(a): Caller, l: Layout, Query(mut f): Query<Filters>) -> PageResult {
    // Usernames are stored lowercase; the filter matches them exactly.
    f.actor = f.actor.map(|s| s.trim().to_ascii_lowercase());
    let mut errors = vec![];
    let entity_id = match f.entity_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match s.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(("entity_id".to_string(), l.msg("must be a number")));
                None
            }
        },
    };
    let q = AuditQuery {
        entity: f.entity.clone(),
        entity_id,
        action: f.action.clone(),
        actor: f.actor.clone(),
        from: f.from.clone(),
        to: f.to.clone(),
        limit: Some(PAGE_SIZE),
        cursor: f.cursor.clone(),
        sort: None,
    };
    let mut page = Page { items: vec![], next_cursor: None };
    if errors.is_empty() {
        let listed = match (q.filter(), q.paging().request(&audit::SORT, "-at")) {
            (Ok(filter), Ok(p)) => audit::list(&app.db, &a.scope, &filter, &p).await.map_err(ApiError::from),
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        match listed {
            Ok(p) => page = p,
            Err(e) => errors = field_errors(&l, e)?,
        }
    }
    let rows = page
        .items
        .into_iter()
        .map(|e| Row { href: link(&l, &e), before: compact(&e.before), after: compact(&e.after), e })
        .collect();
    let next_href = page.next_cursor.as_deref().map(|c| page_href(&f, Some(c)));
    let first_href = f.cursor.as_deref().filter(|c| !c.is_empty()).map(|_| page_href(&f, None));
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut r = render(&AuditPage {
        rows,
        entities: ENTITIES.to_vec(),
        actions: ACTIONS.to_vec(),
        f,
        errors,
        first_href,
        next_href,
        l,
    });
    *r.status_mut() = status;
    Ok(r)
}
