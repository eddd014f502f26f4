//! JSON API for accounts.

use autocrm_domain::FieldError;
use autocrm_domain::access::{Action, Role};
use autocrm_domain::org::parse_optional_text;
use autocrm_domain::users::{check_password, parse_username};
use autocrm_store::auth::Actor;
use autocrm_store::record;
use autocrm_store::users::{self, Filter, User};
use autocrm_store::StoreError;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{Id, Json, Query};
use crate::org::api::{Errors, double_option};
use crate::rest::{self, Paging, parse_bool};

/// The signed-in user and what they may do.
#[derive(Serialize, ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub actor: Actor,
    /// Actions this role grants.
    pub actions: Vec<String>,
}

/// Who am I: the signed-in user, role, scope and permitted actions.
#[utoipa::path(get, path = "/api/v1/me", tag = "users", responses((status = 200, body = Me), (status = 401, body = ErrorResponse)))]
pub async fn me(Caller(a): Caller) -> axum::Json<Me> {
    let actions = Action::ALL.iter().filter(|x| a.role.grants(**x)).map(|x| x.as_str().to_string()).collect();
    axum::Json(Me { actor: a, actions })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Change your own password (ends your other sessions).
#[utoipa::path(post, path = "/api/v1/me/password", tag = "users", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = ErrorResponse)))]
pub async fn change_own_password(
    State(app): State<App>,
    Caller(a): Caller,
    Json(p): Json<PasswordChange>,
) -> ApiResult<StatusCode> {
    change_password(&app, &a, &p.current_password, &p.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn change_password(app: &App, a: &Actor, current: &str, new: &str) -> ApiResult<()> {
    if !users::password_matches(&app.db, a.user_id, current).await? {
        return Err(ApiError::field("current_password", "is not your current password"));
    }
    check_password("new_password", new)?;
    users::set_password(&app.db, a, &autocrm_domain::access::Scope::Oem, a.user_id, new).await?;
    app.tokens.clear();
    Ok(())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Substring of username or name.
    pub q: Option<String>,
    pub role: Option<String>,
    pub dealer_id: Option<i64>,
    pub active: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `username`, `display_name`, `role`, `id`.
    pub sort: Option<String>,
}

/// List users within your scope.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserQuery),
    responses((status = 200, body = inline(rest::PageOf<User>)), (status = 422, body = ErrorResponse)))]
pub async fn list_users(State(app): State<App>, Caller(a): Caller, Query(q): Query<UserQuery>) -> ApiResult<Response> {
    let p = Paging { limit: q.limit, cursor: q.cursor.clone(), sort: q.sort.clone() }.request(&users::SORT, "username")?;
    let role = match q.role.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => Some(Role::parse(r).ok_or_else(|| ApiError::field("role", "unknown role"))?),
        None => None,
    };
    let f = Filter { q: q.q.clone(), role, dealer_id: q.dealer_id, active: parse_bool("active", q.active.as_deref())? };
    Ok(rest::page(record::list::<User>(&app.db, &a.scope, f.condition(), &p).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    /// admin, oem_sales_ops, oem_marketing, regional_manager, cac_agent, tech_support,
    /// group_manager, dealer_manager, sales_consultant, service_advisor
    pub role: String,
    /// Required for dealer staff.
    pub dealer_id: Option<i64>,
    /// Required for a group manager.
    pub group_id: Option<i64>,
    /// Required for a regional manager.
    pub region_id: Option<i64>,
    pub department_id: Option<i64>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Initial password (at least 8 characters, not only digits).
    pub password: String,
}

fn parse_role(raw: &str) -> Result<Role, FieldError> {
    Role::parse(raw.trim()).ok_or_else(|| FieldError::new("role", "unknown role"))
}

fn parse_email(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let e = parse_optional_text("email", raw, 120)?;
    match e {
        Some(e) if !e.contains('@') || e.starts_with('@') || e.ends_with('@') => Err(FieldError::new("email", "is not an e-mail address")),
        other => Ok(other.map(|e| e.to_lowercase())),
    }
}

/// Validates a new account, collecting every field error.
pub fn validate_user(input: &UserInput) -> ApiResult<User> {
    let mut e = Errors::default();
    let username = e.take(parse_username(&input.username));
    let display_name = e.take(autocrm_domain::org::parse_name("display_name", &input.display_name));
    let role = e.take(parse_role(&input.role));
    let phone = e.take(parse_optional_text("phone", input.phone.as_deref(), 30));
    let email = e.take(parse_email(input.email.as_deref()));
    e.take(check_password("password", &input.password));
    e.finish()?;
    let mut u = users::blank(username.unwrap_or_default(), display_name.unwrap_or_default(), role.unwrap_or(Role::SalesConsultant));
    u.dealer_id = input.dealer_id;
    u.group_id = input.group_id;
    u.region_id = input.region_id;
    u.department_id = input.department_id;
    u.phone = phone.flatten();
    u.email = email.flatten();
    Ok(u)
}

/// Create an account (you may only give roles within your own reach).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UserInput,
    responses((status = 201, body = User), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_user(State(app): State<App>, Caller(a): Caller, Json(input): Json<UserInput>) -> ApiResult<Response> {
    let u = validate_user(&input)?;
    Ok(rest::created(users::create(&app.db, &a, u, &input.password).await?, "/api/v1/users"))
}

/// One user (404 outside your scope).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = ErrorResponse)))]
pub async fn get_user(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    Ok(rest::ok(record::get::<User>(&app.db, &a.scope, id).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub version: Option<i64>,
    pub display_name: Option<String>,
    pub role: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub dealer_id: Option<Option<i64>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub group_id: Option<Option<i64>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub region_id: Option<Option<i64>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<Option<i64>>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// `false` deactivates the account (it can no longer sign in).
    pub active: Option<bool>,
    /// `zh-CN` or `en`.
    pub locale: Option<String>,
}

/// Applies a patch to an account: role and placement are re-checked against the
/// actor's reach; deactivation ends the user's sessions.
pub async fn apply_patch(app: &App, a: &Actor, id: i64, version: i64, p: &UserPatch) -> ApiResult<User> {
    let current = record::get::<User>(&app.db, &a.scope, id).await?;
    let mut next = current.clone();
    let mut e = Errors::default();
    if let Some(n) = &p.display_name {
        next.display_name = e.take(autocrm_domain::org::parse_name("display_name", n)).unwrap_or_default();
    }
    if let Some(r) = &p.role {
        next.role = e.take(parse_role(r)).unwrap_or(next.role);
    }
    if let Some(d) = p.dealer_id {
        next.dealer_id = d;
    }
    if let Some(g) = p.group_id {
        next.group_id = g;
    }
    if let Some(r) = p.region_id {
        next.region_id = r;
    }
    if let Some(d) = p.department_id {
        next.department_id = d;
    }
    if let Some(ph) = &p.phone {
        next.phone = e.take(parse_optional_text("phone", Some(ph), 30)).flatten();
    }
    if let Some(em) = &p.email {
        next.email = e.take(parse_email(Some(em))).flatten();
    }
    if let Some(act) = p.active {
        if !act && id == a.user_id {
            e.0.push(FieldError::new("active", "you cannot deactivate your own account"));
        }
        next.active = act;
    }
    if let Some(l) = &p.locale {
        if crate::i18n::LANGS.iter().any(|(k, _)| k == l) {
            next.locale = l.clone();
        } else {
            e.0.push(FieldError::new("locale", "must be zh-CN or en"));
        }
    }
    e.finish()?;
    let placement_changed = (next.role, next.dealer_id, next.group_id, next.region_id, next.department_id)
        != (current.role, current.dealer_id, current.group_id, current.region_id, current.department_id);
    if placement_changed {
        users::check_placement(&app.db, a, &mut next).await?;
    }
    let stored = record::update::<User>(&app.db, a, id, version, |_| Ok(next.clone())).await?;
    if !stored.active || placement_changed {
        app.tokens.clear();
    }
    Ok(stored)
}

/// Change an account.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UserPatch,
    responses((status = 200, body = User), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_user(
    State(app): State<App>,
    Caller(a): Caller,
    Id(id): Id,
    headers: HeaderMap,
    Json(p): Json<UserPatch>,
) -> ApiResult<Response> {
    let version = rest::expected_version(&headers, p.version)?;
    Ok(rest::ok(apply_patch(&app, &a, id, version, &p).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub new_password: String,
}

/// Reset a user's password (ends their sessions).
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = i64, Path)), request_body = PasswordReset,
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn reset_password(
    State(app): State<App>,
    Caller(a): Caller,
    Id(id): Id,
    Json(p): Json<PasswordReset>,
) -> ApiResult<Response> {
    reset(&app, &a, id, &p.new_password).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn reset(app: &App, a: &Actor, id: i64, password: &str) -> ApiResult<()> {
    check_password("new_password", password)?;
    let target = record::get::<User>(&app.db, &a.scope, id).await?;
    if !a.role.can_assign(target.role) {
        return Err(StoreError::NotFound.into());
    }
    users::set_password(&app.db, a, &a.scope, id, password).await?;
    app.tokens.clear();
    Ok(())
}

