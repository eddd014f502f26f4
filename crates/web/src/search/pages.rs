//! Pages: the header search box's suggestions (htmx, as you type), the results
//! page, and the screen-pop a hotline agent sees when a call comes in.

use askama::Template;
use autocrm_domain::customers::Phone;
use autocrm_store::search::{self, Hit, ScreenPop};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::App;
use crate::auth::Caller;
use crate::extract::Query;
use crate::pages::{Layout, PageResult, render};

/// Suggestions under the header box.
const SUGGEST_LIMIT: u64 = 8;
/// Rows on the results page.
const RESULTS_LIMIT: u64 = 50;

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "search/suggest.html")]
struct Suggest {
    l: Layout,
    q: String,
    hits: Vec<Hit>,
    hint: Option<String>,
}

/// The top hits for the header box (an HTML fragment for htmx).
pub async fn suggest(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<SearchQuery>) -> PageResult {
    let text = q.q.trim().to_string();
    let hint = search::classify(&a.scope, &text).hint.map(|h| l.msg(h));
    let hits = if text.is_empty() { Vec::new() } else { search::find(&app.db, &a.scope, &text, SUGGEST_LIMIT).await? };
    Ok(render(&Suggest { l, q: text, hits, hint }))
}

#[derive(Template)]
#[template(path = "search/results.html")]
struct Results {
    l: Layout,
    q: String,
    hits: Vec<Hit>,
    hint: Option<String>,
}

/// `/search?q=`: every hit in a table.
pub async fn results(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<SearchQuery>) -> PageResult {
    let text = q.q.trim().to_string();
    let hint = search::classify(&a.scope, &text).hint.map(|h| l.msg(h));
    let hits = if text.is_empty() { Vec::new() } else { search::find(&app.db, &a.scope, &text, RESULTS_LIMIT).await? };
    Ok(render(&Results { l, q: text, hits, hint }))
}

#[derive(Deserialize, Default)]
pub struct PopQuery {
    #[serde(default)]
    phone: String,
}

#[derive(Template)]
#[template(path = "search/pop.html")]
struct Pop {
    l: Layout,
    phone: String,
    /// A message about the number (not a phone number, nobody on file).
    problem: Option<String>,
    pop: Option<ScreenPop>,
}

/// `/screen-pop?phone=`: the caller, their vehicles, open items and last contacts.
pub async fn screen_pop(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<PopQuery>) -> PageResult {
    let phone = q.phone.trim().to_string();
    if phone.is_empty() {
        return Ok(render(&Pop { l, phone, problem: None, pop: None }));
    }
    let (status, problem, pop) = match Phone::parse(&phone) {
        Err(_) => (StatusCode::UNPROCESSABLE_ENTITY, Some(l.t("search.pop.not_a_phone").to_string()), None),
        Ok(p) => match search::screen_pop(&app.db, &app.cards, &a.scope, &p).await? {
            Some(pop) => (StatusCode::OK, None, Some(pop)),
            None => (StatusCode::NOT_FOUND, Some(l.t("search.pop.nobody").to_string()), None),
        },
    };
    let mut resp = render(&Pop { l, phone, problem, pop });
    *resp.status_mut() = status;
    Ok(resp)
}
