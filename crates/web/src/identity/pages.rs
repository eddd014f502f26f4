//! Pages of identity resolution: the review queue, the merge screen (two records
//! side by side, a choice per field) and a merge with its undo button.

use askama::Template;
use autocrm_store::StoreError;
use autocrm_store::customers::{Customer, Customer360, TIMELINE, get_360};
use autocrm_store::identity::{self, FIELDS, Merge, MergeRequest, REVIEW_SORT, Review, Side};
use autocrm_store::page::Page;
use autocrm_store::scope;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use sea_query::{Cond, Expr, ExprTrait};
use serde::Deserialize;

use crate::App;
use crate::auth::Caller;
use crate::extract::{Id, Query};
use crate::pages::{Form, Layout, PageError, PageResult, field, render, see_other};
use crate::rest::Paging;

#[derive(Template)]
#[template(path = "identity/queue.html")]
struct QueuePage {
    l: Layout,
    page: Page<Review>,
}

/// The review queue.
pub async fn queue(State(app): State<App>, l: Layout, Caller(a): Caller, Query(p): Query<QueueQuery>) -> PageResult {
    let paging = Paging { limit: Some(50), cursor: p.cursor, sort: None };
    let req = paging.request(&REVIEW_SORT, "-score").map_err(|_| PageError(StatusCode::BAD_REQUEST))?;
    let page = identity::queue(&app.db, &a.scope, &req).await?;
    Ok(render(&QueuePage { l, page }))
}

#[derive(Deserialize)]
pub struct QueueQuery {
    pub cursor: Option<String>,
}

/// One row of the side-by-side comparison.
pub struct FieldRow {
    pub key: &'static str,
    pub a: String,
    pub b: String,
    /// Whether B's value is preselected (A has none and B has one).
    pub pick_b: bool,
}

impl FieldRow {
    pub fn differs(&self) -> bool {
        self.a != self.b
    }
}

/// One record on the merge screen.
pub struct SideView {
    pub c: Customer360,
    pub timeline_count: i64,
}

#[derive(Template)]
#[template(path = "identity/review.html")]
struct ReviewPage {
    l: Layout,
    r: Review,
    a: SideView,
    b: SideView,
    rows: Vec<FieldRow>,
    error: String,
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// A field's display value (masked identifiers stay masked).
fn value(l: &Layout, c: &Customer, key: &str) -> String {
    match key {
        "name" => c.name.clone(),
        "gender" => c.gender.map(|g| l.tv("identity.gender", g.as_str())).unwrap_or_default(),
        "birthday" => c.birthday.map(|d| d.to_string()).unwrap_or_default(),
        "occupation" => opt(&c.occupation),
        "id_number" => opt(&c.id_number),
        "uscc" => opt(&c.uscc),
        "mobile" => opt(&c.mobile),
        "email" => opt(&c.email),
        "address" => [&c.province, &c.city, &c.district, &c.address]
            .iter()
            .filter_map(|p| p.as_deref())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        "tags" => c.tags.join("、"),
        _ => String::new(),
    }
}

async fn side(app: &App, scope: &autocrm_domain::access::Scope, id: i64) -> Result<SideView, StoreError> {
    let c = get_360(&app.db, scope, id).await?;
    let timeline_count = scope::count(&app.db, scope, &TIMELINE, Some(Cond::all().add(Expr::col(("timeline_event", "customer_id")).eq(id)))).await?;
    Ok(SideView { c, timeline_count })
}

async fn review_page(app: &App, l: Layout, scope: &autocrm_domain::access::Scope, id: i64, error: String) -> PageResult {
    let r = identity::review(&app.db, scope, id).await?;
    let (a, b) = (side(app, scope, r.a.id).await?, side(app, scope, r.b.id).await?);
    let rows = FIELDS
        .iter()
        .map(|(key, _)| {
            let (va, vb) = (value(&l, &a.c.customer, key), value(&l, &b.c.customer, key));
            FieldRow { key, pick_b: va.is_empty() && !vb.is_empty(), a: va, b: vb }
        })
        // Nothing to choose where neither record has a value.
        .filter(|r| !(r.a.is_empty() && r.b.is_empty()))
        .collect();
    Ok(render(&ReviewPage { l, r, a, b, rows, error }))
}

/// The merge screen of one pair.
pub async fn review(State(app): State<App>, l: Layout, Caller(a): Caller, Id(id): Id) -> PageResult {
    review_page(&app, l, &a.scope, id, String::new()).await
}

/// Merge from the merge screen: `survivor` is `a` or `b`; each field's radio
/// names the record whose value survives.
pub async fn merge(State(app): State<App>, l: Layout, Caller(actor): Caller, Id(id): Id, axum::Form(f): axum::Form<Form>) -> PageResult {
    let r = identity::review(&app.db, &actor.scope, id).await?;
    let survivor_is_a = field(&f, "survivor") != "b";
    let (survivor_id, merged_id) = if survivor_is_a { (r.a.id, r.b.id) } else { (r.b.id, r.a.id) };
    let choices = FIELDS
        .iter()
        .filter_map(|(key, _)| {
            let pick = field(&f, &format!("f_{key}"));
            if pick.is_empty() {
                return None;
            }
            let from_survivor = (pick == "a") == survivor_is_a;
            Some((key.to_string(), if from_survivor { Side::Survivor } else { Side::Merged }))
        })
        .collect();
    match identity::merge(&app.db, &actor, &MergeRequest { survivor_id, merged_id, choices }).await {
        Ok(m) => Ok(see_other(&format!("/identity/merges/{}", m.id))),
        Err(StoreError::Invalid(e)) => {
            let message = format!("{}{}{}", l.tv("identity.field", &e.field), l.t("common.colon"), l.msg(&e.message));
            let mut resp = review_page(&app, l, &actor.scope, id, message).await?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

/// "Not the same person".
pub async fn dismiss(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> PageResult {
    match identity::dismiss(&app.db, &a, id).await {
        Ok(_) | Err(StoreError::Invalid(_)) => Ok(see_other("/identity")),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "identity/merge.html")]
struct MergePage {
    l: Layout,
    m: Merge,
    error: String,
}

impl MergePage {
    /// The choices in the order of the merge screen.
    fn choices(&self) -> Vec<(&'static str, Side)> {
        FIELDS.iter().filter_map(|(k, _)| self.m.choices.get(*k).map(|s| (*k, *s))).collect()
    }

    fn side_label(&self, s: &Side) -> &str {
        match s {
            Side::Survivor => self.l.t("identity.side.survivor"),
            Side::Merged => self.l.t("identity.side.merged"),
        }
    }
}

/// A merge and its undo button.
pub async fn show_merge(State(app): State<App>, l: Layout, Caller(a): Caller, Id(id): Id) -> PageResult {
    let m = identity::get_merge(&app.db, &a.scope, id).await?;
    Ok(render(&MergePage { l, m, error: String::new() }))
}

/// Undo a merge.
pub async fn undo(State(app): State<App>, l: Layout, Caller(a): Caller, Id(id): Id) -> PageResult {
    match identity::unmerge(&app.db, &a, id).await {
        Ok(_) => Ok(see_other(&format!("/identity/merges/{id}"))),
        Err(StoreError::Invalid(e)) => {
            let m = identity::get_merge(&app.db, &a.scope, id).await?;
            let error = l.msg(&e.message);
            let mut resp = render(&MergePage { l, m, error }).into_response();
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}
