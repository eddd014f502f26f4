//! Pages for accounts: one's own profile and password, and user administration
//! (list, create, change, reset a password). Validation and the rules of who may
//! give which role live in [`super::api`]; the pages only translate forms into
//! the same calls and re-render the form with the field errors.

use std::collections::HashMap;

use askama::Template;
use autocrm_domain::access::{Role, Scope};
use autocrm_store::auth::{self as store_auth, Actor};
use autocrm_store::org::{self, Dealer, DealerGroup, Department, Region};
use autocrm_store::page::{Page, PageRequest};
use autocrm_store::users::{self, Filter, User};
use autocrm_store::record;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;

use super::api::{UserInput, UserPatch, apply_patch, change_password as change_own_password, reset, validate_user};
use crate::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::Query;
use crate::pages::{Layout, PageError, PageResult, field, render, see_other};

/// Posted (or prefilled) form values by field name.
type Values = HashMap<String, String>;
/// `(id, code, name)` for a select.
type Options = Vec<(i64, String, String)>;
/// `(field, message)` of a failed save; the field is empty for a message about the
/// whole form.
type Errors = Vec<(String, String)>;

const PAGE_SIZE: u64 = 50;

/// A field error, its message translated when the catalogue knows it.
fn err(l: &Layout, field: &str, message: &str) -> (String, String) {
    (field.to_string(), l.msg(message))
}

/// What to show for a failed save: the form again with its errors (and the status
/// to send), or an error page (not found, database down).
fn form_errors(l: &Layout, e: ApiError) -> Result<(StatusCode, Errors), PageError> {
    match e.status {
        StatusCode::NOT_FOUND => Err(PageError(StatusCode::NOT_FOUND)),
        StatusCode::CONFLICT if e.body.code == "stale_version" => {
            Ok((StatusCode::CONFLICT, vec![(String::new(), l.t("common.stale").to_string())]))
        }
        s if s.is_client_error() => {
            let mut out: Errors = e.body.fields.iter().map(|f| err(l, &f.path, &f.message)).collect();
            if out.is_empty() {
                out.push(err(l, "", &e.body.message));
            }
            Ok((s, out))
        }
        s => Err(PageError(s)),
    }
}

fn message_of<'a>(errors: &'a Errors, k: &str) -> &'a str {
    errors.iter().find(|(f, _)| f == k).map(|(_, m)| m.as_str()).unwrap_or("")
}

/// An optional id from a select or number field: `Ok(None)` when empty.
fn id_field(l: &Layout, f: &Values, k: &str, errors: &mut Errors) -> Option<i64> {
    let raw = field(f, k).trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ => {
            errors.push(err(l, k, "must be a number"));
            None
        }
    }
}

fn parse_path_id(raw: &str) -> Result<i64, PageError> {
    raw.parse().map_err(|_| PageError(StatusCode::NOT_FOUND))
}

fn name_of(opts: &Options, id: Option<i64>) -> String {
    id.and_then(|id| opts.iter().find(|o| o.0 == id)).map(|o| o.2.clone()).unwrap_or_default()
}

fn with_status(mut r: Response, status: StatusCode) -> Response {
    *r.status_mut() = status;
    r
}

/// A password change ends all of the user's sessions, this one included: sign the
/// browser in again with a fresh session so the person stays where they were.
async fn renew_session(app: &App, headers: &HeaderMap, user_id: i64, to: &str) -> PageResult {
    let (token, _csrf) = store_auth::create_session(&app.db, user_id).await?;
    let mut r = see_other(to);
    let c = crate::auth::set_cookie(app, headers, crate::auth::SESSION_COOKIE, &token, Some(store_auth::SESSION_HOURS * 3600));
    if let Ok(v) = HeaderValue::from_str(&c) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

/// The roles `a` may give, in the catalogue's order.
fn assignable(a: &Actor) -> Vec<Role> {
    Role::ALL.into_iter().filter(|r| a.role.can_assign(*r)).collect()
}

#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

// ---- my account -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "users/account.html")]
struct AccountPage {
    l: Layout,
    u: User,
    dealer: String,
    group: String,
    region: String,
    department: String,
    errors: Errors,
    changed: bool,
}

impl AccountPage {
    fn error(&self, k: &str) -> &str {
        message_of(&self.errors, k)
    }
}

async fn account_page(app: &App, a: &Actor, l: Layout, errors: Errors, changed: bool, status: StatusCode) -> PageResult {
    // One's own record and place, whatever the role's data scope.
    let u = record::get::<User>(&app.db, &Scope::Oem, a.user_id).await?;
    let dealer = match a.dealer_id {
        Some(id) => record::get::<Dealer>(&app.db, &Scope::Oem, id).await?.name,
        None => String::new(),
    };
    let group = match a.group_id {
        Some(id) => record::get::<DealerGroup>(&app.db, &Scope::Oem, id).await?.name,
        None => String::new(),
    };
    let region = match a.region_id {
        Some(id) => record::get::<Region>(&app.db, &Scope::Oem, id).await?.name,
        None => String::new(),
    };
    let department = match u.department_id {
        Some(id) => record::get::<Department>(&app.db, &Scope::Oem, id).await?.name,
        None => String::new(),
    };
    let page = AccountPage { l, u, dealer, group, region, department, errors, changed };
    Ok(with_status(render(&page), status))
}

pub async fn account(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<Done>) -> PageResult {
    let changed = q.done.as_deref() == Some("password");
    account_page(&app, &a, l, vec![], changed, StatusCode::OK).await
}

pub async fn change_password(
    State(app): State<App>,
    Caller(a): Caller,
    headers: HeaderMap,
    l: Layout,
    Form(f): Form<Values>,
) -> PageResult {
    let current = field(&f, "current_password");
    let new = field(&f, "new_password");
    let mut errors = vec![];
    if current.is_empty() {
        errors.push(err(&l, "current_password", "is required"));
    }
    if new != field(&f, "repeat_password") {
        errors.push(err(&l, "repeat_password", "does not match the new password"));
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        match change_own_password(&app, &a, current, new).await {
            Ok(()) => return renew_session(&app, &headers, a.user_id, "/account?done=password").await,
            Err(e) => (status, errors) = form_errors(&l, e)?,
        }
    }
    account_page(&app, &a, l, errors, false, status).await
}

// ---- the user list ----------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    role: Option<String>,
    dealer_id: Option<String>,
    active: Option<String>,
    cursor: Option<String>,
}

pub struct UserRow {
    pub u: User,
    pub dealer: String,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<UserRow>,
    roles: Vec<Role>,
    dealers: Options,
    q: String,
    role: String,
    dealer_id: Option<i64>,
    active: String,
    first_href: Option<String>,
    next_href: Option<String>,
}

impl ListPage {
    fn is_dealer(&self, id: &i64) -> bool {
        self.dealer_id == Some(*id)
    }
}

pub async fn list(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<ListQuery>) -> PageResult {
    let role = q.role.as_deref().and_then(Role::parse);
    let dealer_id = q.dealer_id.as_deref().and_then(|d| d.trim().parse::<i64>().ok());
    let active = match q.active.as_deref() {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
    let text = q.q.as_deref().map(str::trim).unwrap_or("").to_string();
    let f = Filter { q: Some(text.clone()).filter(|t| !t.is_empty()), role, dealer_id, active };
    let p = PageRequest::parse(Some(PAGE_SIZE), None, q.cursor.as_deref(), &users::SORT, "username")
        .map_err(|_| PageError(StatusCode::NOT_FOUND))?;
    let Page { items, next_cursor } = record::list::<User>(&app.db, &a.scope, f.condition(), &p).await?;
    let dealers = org::options(&app.db, &a.scope, &org::DEALER).await?;
    let rows = items.into_iter().map(|u| UserRow { dealer: name_of(&dealers, u.dealer_id), u }).collect();
    let active_s = active.map(|b| b.to_string()).unwrap_or_default();
    let href = |cursor: Option<&str>| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        let dealer = dealer_id.map(|d| d.to_string()).unwrap_or_default();
        let pairs = [("q", text.as_str()), ("role", role.map(Role::as_str).unwrap_or("")), ("dealer_id", &dealer), ("active", &active_s)];
        for (k, v) in pairs.into_iter().chain(cursor.map(|c| ("cursor", c))) {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        format!("/users?{}", s.finish())
    };
    let next_href = next_cursor.as_deref().map(|c| href(Some(c)));
    let first_href = q.cursor.as_deref().filter(|c| !c.is_empty()).map(|_| href(None));
    Ok(render(&ListPage {
        rows,
        roles: Role::ALL.to_vec(),
        dealers,
        q: text,
        role: role.map(|r| r.as_str().to_string()).unwrap_or_default(),
        dealer_id,
        active: active_s,
        first_href,
        next_href,
        l,
    }))
}

// ---- a new user ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "users/new.html")]
struct NewPage {
    l: Layout,
    v: Values,
    errors: Errors,
    roles: Vec<Role>,
    dealers: Options,
    groups: Options,
    regions: Options,
}

impl NewPage {
    fn val(&self, k: &str) -> &str {
        field(&self.v, k)
    }
    fn error(&self, k: &str) -> &str {
        message_of(&self.errors, k)
    }
    fn picked(&self, k: &str, id: &i64) -> bool {
        field(&self.v, k).trim() == id.to_string()
    }
}

async fn new_page(app: &App, a: &Actor, l: Layout, v: Values, errors: Errors, status: StatusCode) -> PageResult {
    let roles = assignable(a);
    let groups = if roles.contains(&Role::GroupManager) { org::options(&app.db, &a.scope, &org::GROUP).await? } else { vec![] };
    let regions =
        if roles.contains(&Role::RegionalManager) { org::options(&app.db, &a.scope, &org::REGION).await? } else { vec![] };
    let page = NewPage { dealers: org::options(&app.db, &a.scope, &org::DEALER).await?, groups, regions, roles, v, errors, l };
    Ok(with_status(render(&page), status))
}

pub async fn new_user(State(app): State<App>, Caller(a): Caller, l: Layout) -> PageResult {
    let mut v = Values::new();
    // Dealer staff usually join their manager's store.
    if let Some(d) = a.dealer_id {
        v.insert("dealer_id".into(), d.to_string());
    }
    v.insert("role".into(), Role::SalesConsultant.as_str().into());
    new_page(&app, &a, l, v, vec![], StatusCode::OK).await
}

pub async fn create(State(app): State<App>, Caller(a): Caller, l: Layout, Form(mut v): Form<Values>) -> PageResult {
    let mut errors = vec![];
    let input = UserInput {
        username: field(&v, "username").to_string(),
        display_name: field(&v, "display_name").to_string(),
        role: field(&v, "role").to_string(),
        dealer_id: id_field(&l, &v, "dealer_id", &mut errors),
        group_id: id_field(&l, &v, "group_id", &mut errors),
        region_id: id_field(&l, &v, "region_id", &mut errors),
        department_id: id_field(&l, &v, "department_id", &mut errors),
        phone: Some(field(&v, "phone").to_string()),
        email: Some(field(&v, "email").to_string()),
        password: field(&v, "password").to_string(),
    };
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        let saved = match validate_user(&input) {
            Ok(u) => users::create(&app.db, &a, u, &input.password).await.map_err(ApiError::from),
            Err(e) => Err(e),
        };
        match saved {
            Ok(u) => return Ok(see_other(&format!("/users/{}", u.id))),
            Err(e) => (status, errors) = form_errors(&l, e)?,
        }
    }
    v.remove("password");
    new_page(&app, &a, l, v, errors, status).await
}

// ---- one user --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "users/show.html")]
struct ShowPage {
    l: Layout,
    u: User,
    dealer: String,
    group: String,
    region: String,
    department: String,
    /// The actor may change this account (and reset its password).
    can_edit: bool,
    version: i64,
    v: Values,
    edit_errors: Errors,
    reset_errors: Errors,
    notice: &'static str,
    roles: Vec<Role>,
    dealers: Options,
    groups: Options,
    regions: Options,
    langs: Vec<&'static str>,
}

impl ShowPage {
    fn val(&self, k: &str) -> &str {
        field(&self.v, k)
    }
    fn edit_error(&self, k: &str) -> &str {
        message_of(&self.edit_errors, k)
    }
    fn is_locale(&self, lang: &str) -> bool {
        field(&self.v, "locale") == lang
    }
    fn reset_error(&self, k: &str) -> &str {
        message_of(&self.reset_errors, k)
    }
    fn picked(&self, k: &str, id: &i64) -> bool {
        field(&self.v, k).trim() == id.to_string()
    }
}

fn user_values(u: &User) -> Values {
    let id = |x: Option<i64>| x.map(|x| x.to_string()).unwrap_or_default();
    let mut v = Values::new();
    v.insert("display_name".into(), u.display_name.clone());
    v.insert("role".into(), u.role.as_str().into());
    v.insert("dealer_id".into(), id(u.dealer_id));
    v.insert("group_id".into(), id(u.group_id));
    v.insert("region_id".into(), id(u.region_id));
    v.insert("department_id".into(), id(u.department_id));
    v.insert("phone".into(), u.phone.clone().unwrap_or_default());
    v.insert("email".into(), u.email.clone().unwrap_or_default());
    v.insert("active".into(), if u.active { "on".into() } else { String::new() });
    v.insert("locale".into(), u.locale.clone());
    v
}

/// What the detail page shows besides the record: a notice, or the posted form
/// with its errors.
struct Posted {
    version: Option<i64>,
    v: Option<Values>,
    edit_errors: Errors,
    reset_errors: Errors,
    notice: &'static str,
    status: StatusCode,
}

impl Posted {
    fn nothing() -> Posted {
        Posted { version: None, v: None, edit_errors: vec![], reset_errors: vec![], notice: "", status: StatusCode::OK }
    }
}

async fn show_page(app: &App, a: &Actor, l: Layout, id: i64, posted: Posted) -> PageResult {
    let u = record::get::<User>(&app.db, &a.scope, id).await?;
    let can_edit = a.role.grants(autocrm_domain::access::Action::UserManage) && a.role.can_assign(u.role);
    let dealers = org::options(&app.db, &a.scope, &org::DEALER).await?;
    let mut roles = assignable(a);
    if !roles.contains(&u.role) {
        roles.insert(0, u.role);
    }
    let (groups, regions) = if can_edit {
        let groups = if roles.contains(&Role::GroupManager) { org::options(&app.db, &a.scope, &org::GROUP).await? } else { vec![] };
        let regions =
            if roles.contains(&Role::RegionalManager) { org::options(&app.db, &a.scope, &org::REGION).await? } else { vec![] };
        (groups, regions)
    } else {
        (vec![], vec![])
    };
    // Names of the place, read with the caller's scope (a dealer manager sees their
    // store but not the region around it: then the id is not shown at all).
    let group = match u.group_id {
        Some(g) => record::get::<DealerGroup>(&app.db, &a.scope, g).await.map(|g| g.name).unwrap_or_default(),
        None => String::new(),
    };
    let region = match u.region_id {
        Some(r) => record::get::<Region>(&app.db, &a.scope, r).await.map(|r| r.name).unwrap_or_default(),
        None => String::new(),
    };
    let department = match u.department_id {
        Some(d) => record::get::<Department>(&app.db, &a.scope, d).await.map(|d| d.name).unwrap_or_default(),
        None => String::new(),
    };
    let page = ShowPage {
        dealer: name_of(&dealers, u.dealer_id),
        group,
        region,
        department,
        can_edit,
        version: posted.version.unwrap_or(u.version),
        v: posted.v.unwrap_or_else(|| user_values(&u)),
        edit_errors: posted.edit_errors,
        reset_errors: posted.reset_errors,
        notice: posted.notice,
        roles,
        dealers,
        groups,
        regions,
        langs: crate::i18n::LANGS.iter().map(|(k, _)| *k).collect(),
        u,
        l,
    };
    Ok(with_status(render(&page), posted.status))
}

pub async fn show(State(app): State<App>, Caller(a): Caller, l: Layout, Path(raw): Path<String>, Query(q): Query<Done>) -> PageResult {
    let id = parse_path_id(&raw)?;
    let notice = match q.done.as_deref() {
        Some("saved") => l.t("common.saved"),
        Some("reset") => l.t("users.reset_done"),
        _ => "",
    };
    show_page(&app, &a, l, id, Posted { notice, ..Posted::nothing() }).await
}

/// The edit form as a patch; only fields the form has are changed.
fn form_patch(l: &Layout, v: &Values, version: i64, errors: &mut Errors) -> UserPatch {
    let text = |k: &str| v.get(k).cloned();
    let id = |k: &str, errors: &mut Errors| v.contains_key(k).then(|| id_field(l, v, k, errors));
    UserPatch {
        version: Some(version),
        display_name: text("display_name"),
        role: text("role"),
        dealer_id: id("dealer_id", errors),
        group_id: id("group_id", errors),
        region_id: id("region_id", errors),
        department_id: id("department_id", errors),
        phone: text("phone"),
        email: text("email"),
        active: Some(field(v, "active") == "on"),
        locale: text("locale"),
    }
}

pub async fn update(
    State(app): State<App>,
    Caller(a): Caller,
    l: Layout,
    Path(raw): Path<String>,
    Form(v): Form<Values>,
) -> PageResult {
    let id = parse_path_id(&raw)?;
    let version = field(&v, "version").trim().parse::<i64>().unwrap_or(0);
    let mut errors = vec![];
    let patch = form_patch(&l, &v, version, &mut errors);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        match apply_patch(&app, &a, id, version, &patch).await {
            Ok(u) => return Ok(see_other(&format!("/users/{}?done=saved", u.id))),
            Err(e) => (status, errors) = form_errors(&l, e)?,
        }
    }
    let posted = Posted { version: Some(version), v: Some(v), edit_errors: errors, status, ..Posted::nothing() };
    show_page(&app, &a, l, id, posted).await
}

pub async fn reset_password(
    State(app): State<App>,
    Caller(a): Caller,
    headers: HeaderMap,
    l: Layout,
    Path(raw): Path<String>,
    Form(f): Form<Values>,
) -> PageResult {
    let id = parse_path_id(&raw)?;
    let new = field(&f, "new_password");
    let mut errors = vec![];
    if new != field(&f, "repeat_password") {
        errors.push(err(&l, "repeat_password", "does not match the new password"));
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        match reset(&app, &a, id, new).await {
            // Resetting one's own password ends one's own session too.
            Ok(()) if id == a.user_id => return renew_session(&app, &headers, id, &format!("/users/{id}?done=reset")).await,
            Ok(()) => return Ok(see_other(&format!("/users/{id}?done=reset"))),
            Err(e) => (status, errors) = form_errors(&l, e)?,
        }
    }
    show_page(&app, &a, l, id, Posted { reset_errors: errors, status, ..Posted::nothing() }).await
}
