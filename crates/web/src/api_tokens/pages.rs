//! The integration-token page: the list with revoke buttons, and the create form
//! whose answer shows the new secret once.

use std::collections::HashMap;

use askama::Template;
use autocrm_domain::org::parse_name;
use autocrm_store::api_tokens::{self, ApiToken};
use autocrm_store::auth::Actor;
use autocrm_store::page::PageRequest;
use autocrm_store::users::{self, Filter, User};
use autocrm_store::{StoreError, record};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use crate::App;
use crate::auth::Caller;
use crate::extract::Query;
use crate::pages::{Layout, PageError, PageResult, field, opt_id, render, see_other};

type Values = HashMap<String, String>;
type Errors = Vec<(String, String)>;

pub struct TokenRow {
    pub t: ApiToken,
    /// `active`, `expired` or `revoked` (labels in `api_tokens.state.*`).
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "api_tokens/list.html")]
struct TokensPage {
    l: Layout,
    tokens: Vec<TokenRow>,
    users: Vec<User>,
    v: Values,
    errors: Errors,
    /// The secret of the token just created (shown only in this answer).
    secret: String,
    created: Option<ApiToken>,
    notice: &'static str,
}

impl TokensPage {
    fn val(&self, k: &str) -> &str {
        field(&self.v, k)
    }
    fn error(&self, k: &str) -> &str {
        self.errors.iter().find(|(f, _)| f == k).map(|(_, m)| m.as_str()).unwrap_or("")
    }
    fn picked(&self, id: &i64) -> bool {
        field(&self.v, "user_id").trim() == id.to_string()
    }
}

/// What the page shows besides the list.
#[derive(Default)]
struct Extra {
    v: Values,
    errors: Errors,
    secret: String,
    created: Option<ApiToken>,
    notice: &'static str,
}

async fn tokens_page(app: &App, a: &Actor, l: Layout, extra: Extra, status: StatusCode) -> PageResult {
    let now = Utc::now();
    let tokens = api_tokens::list(&app.db)
        .await?
        .into_iter()
        .map(|t| {
            let state = if t.revoked_at.is_some() {
                "revoked"
            } else if t.expires_at.is_some_and(|e| e <= now) {
                "expired"
            } else {
                "active"
            };
            TokenRow { t, state }
        })
        .collect();
    // The accounts an integration may act as: active users within scope.
    let all = PageRequest::parse(Some(500), None, None, &users::SORT, "username").map_err(StoreError::from)?;
    let active = Filter { active: Some(true), ..Filter::default() };
    let users = record::list::<User>(&app.db, &a.scope, active.condition(), &all).await?.items;
    let mut r = render(&TokensPage {
        l,
        tokens,
        users,
        v: extra.v,
        errors: extra.errors,
        secret: extra.secret,
        created: extra.created,
        notice: extra.notice,
    });
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

pub async fn list(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<Done>) -> PageResult {
    let notice = if q.done.as_deref() == Some("revoked") { l.t("api_tokens.revoked_notice") } else { "" };
    tokens_page(&app, &a, l, Extra { notice, ..Extra::default() }, StatusCode::OK).await
}

/// The end of a `YYYY-MM-DD` day, China time (the token works through that day).
fn end_of_day(raw: &str) -> Option<DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()?;
    let next = d.succ_opt()?.and_hms_opt(0, 0, 0)?;
    Some(next.and_utc() - chrono::Duration::hours(8))
}

pub async fn create(State(app): State<App>, Caller(a): Caller, l: Layout, Form(v): Form<Values>) -> PageResult {
    let msg = |m: &str| l.msg(m);
    let mut errors = vec![];
    let name = parse_name("name", field(&v, "name")).map_err(|e| errors.push((e.field, msg(&e.message)))).ok();
    let user_id = opt_id(&v, "user_id");
    if user_id.is_none() {
        errors.push(("user_id".to_string(), msg("is required")));
    }
    let expires_at = match field(&v, "expires_at").trim() {
        "" => None,
        raw => match end_of_day(raw) {
            Some(t) if t > Utc::now() => Some(t),
            Some(_) => {
                errors.push(("expires_at".to_string(), msg("must be in the future")));
                None
            }
            None => {
                errors.push(("expires_at".to_string(), msg("must be a date YYYY-MM-DD")));
                None
            }
        },
    };
    if let (true, Some(name), Some(user_id)) = (errors.is_empty(), name, user_id) {
        match api_tokens::create(&app.db, &a, user_id, &name, expires_at).await {
            Ok((created, secret)) => {
                let extra = Extra { secret, created: Some(created), ..Extra::default() };
                return tokens_page(&app, &a, l, extra, StatusCode::CREATED).await;
            }
            Err(StoreError::Invalid(e)) => errors.push((e.field, msg(&e.message))),
            Err(e) => return Err(e.into()),
        }
    }
    let extra = Extra { v, errors, ..Extra::default() };
    tokens_page(&app, &a, l, extra, StatusCode::UNPROCESSABLE_ENTITY).await
}

pub async fn revoke(State(app): State<App>, Caller(a): Caller, Path(raw): Path<String>) -> PageResult {
    let id: i64 = raw.parse().map_err(|_| PageError(StatusCode::NOT_FOUND))?;
    api_tokens::revoke(&app.db, &a, id).await?;
    // Bearer tokens are cached for a few seconds; a revoked one must stop at once.
    app.tokens.clear();
    Ok(see_other("/api-tokens?done=revoked"))
}
