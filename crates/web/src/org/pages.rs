//! Pages of the organization: the dealer list and profile, the dealer form,
//! departments, regions and dealer groups.

use std::collections::HashMap;

use askama::Template;
use autocrm_domain::FieldError;
use autocrm_domain::org::{DealerLevel, DepartmentKind, PROVINCES};
use autocrm_store::org::{self, Dealer, DealerFilter, DealerGroup, Department, Region};
use autocrm_store::page::{Page, PageRequest};
use autocrm_store::users::{self, User};
use autocrm_store::{StoreError, now, record};
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;

use sea_query::{Condition, Expr, ExprTrait};
use serde::Deserialize;

use super::api::{CodeNameInput, DealerInput, validate_dealer};
use crate::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{Id, Query};
use crate::pages::{Layout, PageError, PageResult, render, see_other};

type Options = Vec<(i64, String, String)>;

fn name_of(opts: &Options, id: Option<i64>) -> String {
    id.and_then(|id| opts.iter().find(|o| o.0 == id)).map(|o| o.2.clone()).unwrap_or_default()
}

/// Field errors of a failed save, for re-rendering the form.
fn field_errors(e: ApiError) -> Result<Vec<(String, String)>, PageError> {
    if e.status.is_client_error() {
        let mut out: Vec<(String, String)> = e.body.fields.into_iter().map(|f| (f.path, f.message)).collect();
        if out.is_empty() {
            out.push((String::new(), e.body.message));
        }
        Ok(out)
    } else {
        Err(PageError(e.status))
    }
}

// ---- dealer list -------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    region_id: Option<String>,
    level: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "org/dealers.html")]
struct DealersPage {
    l: Layout,
    page: Page<Dealer>,
    q: String,
    region_id: Option<i64>,
    level: String,
    regions: Options,
    groups: Options,
    levels: Vec<&'static str>,
    next_href: Option<String>,
}

impl DealersPage {
    fn is_region(&self, id: &i64) -> bool {
        self.region_id == Some(*id)
    }
    fn group_name(&self, id: &Option<i64>) -> String {
        name_of(&self.groups, *id)
    }
}

pub async fn dealers(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<ListQuery>) -> PageResult {
    let region_id = q.region_id.as_deref().and_then(|r| r.parse().ok());
    let level = q.level.clone().filter(|l| DealerLevel::parse(l).is_some());
    let f = DealerFilter { q: q.q.clone(), region_id, level: level.clone(), ..Default::default() };
    let p = PageRequest::parse(Some(50), None, q.cursor.as_deref(), &org::DEALER_SORT, "code")
        .map_err(|_| PageError(StatusCode::NOT_FOUND))?;
    let page = record::list::<Dealer>(&app.db, &a.scope, f.condition(), &p).await?;
    let next_href = page.next_cursor.as_ref().map(|c| {
        let qs: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("q", q.q.as_deref().unwrap_or(""))
            .append_pair("region_id", &region_id.map(|r| r.to_string()).unwrap_or_default())
            .append_pair("level", level.as_deref().unwrap_or(""))
            .append_pair("cursor", c)
            .finish();
        format!("/org/dealers?{qs}")
    });
    Ok(render(&DealersPage {
        regions: org::options(&app.db, &a.scope, &org::REGION).await?,
        groups: org::options(&app.db, &a.scope, &org::GROUP).await?,
        levels: DealerLevel::ALL.iter().map(|l| l.as_str()).collect(),
        q: q.q.unwrap_or_default(),
        level: level.unwrap_or_default(),
        region_id,
        page,
        next_href,
        l,
    }))
}

// ---- dealer profile ------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "org/dealer.html")]
struct DealerPage {
    l: Layout,
    d: Dealer,
    region: String,
    group: String,
    departments: Vec<Department>,
    staff: Vec<User>,
    kinds: Vec<&'static str>,
    errors: Vec<(String, String)>,
}

async fn dealer_page(app: &App, a: &autocrm_store::auth::Actor, l: Layout, id: i64, errors: Vec<(String, String)>) -> PageResult {
    let d = record::get::<Dealer>(&app.db, &a.scope, id).await?;
    let by_dealer = |t: &'static str| Condition::all().add(Expr::col((t, "dealer_id")).eq(id));
    let all = PageRequest::parse(Some(500), None, None, &org::DEPARTMENT_SORT, "name").map_err(StoreError::from)?;
    let departments = record::list::<Department>(&app.db, &a.scope, by_dealer("department"), &all).await?.items;
    let staff = if a.role.grants(autocrm_domain::access::Action::UserRead) {
        let p = PageRequest::parse(Some(500), None, None, &users::SORT, "role").map_err(StoreError::from)?;
        record::list::<User>(&app.db, &a.scope, by_dealer("app_user"), &p).await?.items
    } else {
        vec![]
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut r = render(&DealerPage {
        region: name_of(&org::options(&app.db, &a.scope, &org::REGION).await?, Some(d.region_id)),
        group: name_of(&org::options(&app.db, &a.scope, &org::GROUP).await?, d.group_id),
        kinds: DepartmentKind::ALL.iter().map(|k| k.as_str()).collect(),
        d,
        departments,
        staff,
        errors,
        l,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn dealer(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id) -> PageResult {
    dealer_page(&app, &a, l, id, vec![]).await
}

#[derive(Deserialize)]
pub struct DepartmentForm {
    kind: String,
    name: String,
}

pub async fn create_department(
    State(app): State<App>,
    Caller(a): Caller,
    l: Layout,
    Id(id): Id,
    Form(f): Form<DepartmentForm>,
) -> PageResult {
    // Same rules as the API: a known kind, a name, a dealer within scope.
    record::get::<Dealer>(&app.db, &a.scope, id).await?;
    let mut errors = vec![];
    let kind = DepartmentKind::parse(&f.kind);
    if kind.is_none() {
        errors.push(("kind".to_string(), l.t("org.kind_required").to_string()));
    }
    let name = autocrm_domain::org::parse_name("name", &f.name).map_err(|e| errors.push((e.field, e.message))).ok();
    if !errors.is_empty() {
        return dealer_page(&app, &a, l, id, errors).await;
    }
    org::check_department_dealer(&app.db, &a.scope, Some(id)).await?;
    let t = now();
    let dep = Department {
        id: 0,
        dealer_id: Some(id),
        kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        name: name.unwrap_or_default(),
        active: true,
        version: 0,
        created_at: t,
        updated_at: t,
    };
    record::insert(&app.db, &a, &dep).await?;
    Ok(see_other(&format!("/org/dealers/{id}")))
}

// ---- dealer form ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "org/dealer_form.html")]
struct DealerForm {
    l: Layout,
    /// None: a new dealer.
    id: Option<i64>,
    version: i64,
    v: HashMap<String, String>,
    errors: Vec<(String, String)>,
    regions: Options,
    groups: Options,
    levels: Vec<&'static str>,
    provinces: Vec<&'static str>,
}

impl DealerForm {
    fn val(&self, k: &str) -> &str {
        self.v.get(k).map(String::as_str).unwrap_or("")
    }
    fn error(&self, k: &str) -> &str {
        self.errors.iter().find(|(f, _)| f == k).map(|(_, m)| m.as_str()).unwrap_or("")
    }
}

async fn dealer_form(
    app: &App,
    a: &autocrm_store::auth::Actor,
    l: Layout,
    id: Option<i64>,
    version: i64,
    v: HashMap<String, String>,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> PageResult {
    let mut r = render(&DealerForm {
        l,
        id,
        version,
        v,
        errors,
        regions: org::options(&app.db, &a.scope, &org::REGION).await?,
        groups: org::options(&app.db, &a.scope, &org::GROUP).await?,
        levels: DealerLevel::ALL.iter().map(|l| l.as_str()).collect(),
        provinces: PROVINCES.to_vec(),
    });
    *r.status_mut() = status;
    Ok(r)
}

fn dealer_values(d: &Dealer) -> HashMap<String, String> {
    let mut v = HashMap::new();
    v.insert("code".into(), d.code.clone());
    v.insert("name".into(), d.name.clone());
    v.insert("level".into(), d.level.clone());
    v.insert("region_id".into(), d.region_id.to_string());
    v.insert("group_id".into(), d.group_id.map(|g| g.to_string()).unwrap_or_default());
    v.insert("province".into(), d.province.clone());
    v.insert("city".into(), d.city.clone());
    v.insert("address".into(), d.address.clone().unwrap_or_default());
    v.insert("phone".into(), d.phone.clone().unwrap_or_default());
    v.insert("active".into(), if d.active { "on".into() } else { String::new() });
    v
}

/// The form's values as API input; unparsable ids become field errors, reported
/// together with every other field's.
fn form_input(v: &HashMap<String, String>) -> Result<DealerInput, ApiError> {
    let get = |k: &str| v.get(k).cloned().unwrap_or_default();
    let mut id_errors = vec![];
    let region_id = get("region_id").trim().parse::<i64>().unwrap_or_else(|_| {
        id_errors.push(FieldError::new("region_id", "is required"));
        0
    });
    let group_id = match get("group_id").trim() {
        "" => None,
        g => g.parse::<i64>().map_err(|_| id_errors.push(FieldError::new("group_id", "is not a dealer group"))).ok(),
    };
    let input = DealerInput {
        code: get("code"),
        name: get("name"),
        level: get("level"),
        region_id,
        group_id,
        province: get("province"),
        city: get("city"),
        address: Some(get("address")),
        phone: Some(get("phone")),
        active: v.get("active").is_some_and(|a| a == "on"),
    };
    match (validate_dealer(&input), id_errors.is_empty()) {
        (Ok(_), true) => Ok(input),
        (Ok(_), false) => Err(ApiError::invalid(id_errors)),
        (Err(mut e), _) => {
            let mut fields: Vec<_> = id_errors.into_iter().map(|f| crate::error::FieldMessage { path: f.field, message: f.message }).collect();
            fields.append(&mut e.body.fields);
            e.body.fields = fields;
            Err(e)
        }
    }
}

pub async fn new_dealer(State(app): State<App>, Caller(a): Caller, l: Layout) -> PageResult {
    let mut v = HashMap::new();
    v.insert("active".to_string(), "on".to_string());
    v.insert("level".to_string(), "B".to_string());
    dealer_form(&app, &a, l, None, 0, v, vec![], StatusCode::OK).await
}

async fn save_dealer(app: &App, a: &autocrm_store::auth::Actor, id: Option<i64>, version: i64, v: &HashMap<String, String>) -> Result<Dealer, ApiError> {
    let d = validate_dealer(&form_input(v)?)?;
    org::check_dealer_refs(&app.db, d.region_id, d.group_id).await?;
    Ok(match id {
        None => record::insert(&app.db, a, &d).await?,
        Some(id) => record::update::<Dealer>(&app.db, a, id, version, |cur| Ok(Dealer { id: cur.id, ..d.clone() })).await?,
    })
}

pub async fn create_dealer(State(app): State<App>, Caller(a): Caller, l: Layout, Form(v): Form<HashMap<String, String>>) -> PageResult {
    match save_dealer(&app, &a, None, 0, &v).await {
        Ok(d) => Ok(see_other(&format!("/org/dealers/{}", d.id))),
        Err(e) => {
            let status = e.status;
            dealer_form(&app, &a, l, None, 0, v, field_errors(e)?, status).await
        }
    }
}

pub async fn edit_dealer(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id) -> PageResult {
    let d = record::get::<Dealer>(&app.db, &a.scope, id).await?;
    dealer_form(&app, &a, l, Some(id), d.version, dealer_values(&d), vec![], StatusCode::OK).await
}

pub async fn update_dealer(
    State(app): State<App>,
    Caller(a): Caller,
    l: Layout,
    Id(id): Id,
    Form(v): Form<HashMap<String, String>>,
) -> PageResult {
    let version = v.get("version").and_then(|x| x.parse().ok()).unwrap_or(0);
    match save_dealer(&app, &a, Some(id), version, &v).await {
        Ok(d) => Ok(see_other(&format!("/org/dealers/{}", d.id))),
        Err(e) if e.status == StatusCode::CONFLICT && e.body.code == "stale_version" => {
            let msg = l.t("common.stale").to_string();
            dealer_form(&app, &a, l, Some(id), version, v, vec![(String::new(), msg)], StatusCode::CONFLICT).await
        }
        Err(e) => {
            let status = e.status;
            dealer_form(&app, &a, l, Some(id), version, v, field_errors(e)?, status).await
        }
    }
}

// ---- regions and groups --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "org/regions.html")]
struct RegionsPage {
    l: Layout,
    regions: Vec<Region>,
    groups: Vec<DealerGroup>,
    errors: Vec<(String, String)>,
}

async fn regions_page(app: &App, a: &autocrm_store::auth::Actor, l: Layout, errors: Vec<(String, String)>) -> PageResult {
    let all = PageRequest::parse(Some(500), None, None, &org::CODE_NAME_SORT, "code").map_err(StoreError::from)?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut r = render(&RegionsPage {
        regions: record::list::<Region>(&app.db, &a.scope, Condition::all(), &all).await?.items,
        groups: record::list::<DealerGroup>(&app.db, &a.scope, Condition::all(), &all).await?.items,
        errors,
        l,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn regions(State(app): State<App>, Caller(a): Caller, l: Layout) -> PageResult {
    regions_page(&app, &a, l, vec![]).await
}

#[derive(Deserialize)]
pub struct CodeNameForm {
    code: String,
    name: String,
}

async fn save_code_name(app: &App, a: &autocrm_store::auth::Actor, f: &CodeNameForm, group: bool) -> Result<(), ApiError> {
    let input = CodeNameInput { code: f.code.clone(), name: f.name.clone(), active: true };
    if group {
        super::api::create_code_named::<DealerGroup>(app, a, &input).await?;
    } else {
        super::api::create_code_named::<Region>(app, a, &input).await?;
    }
    Ok(())
}

async fn create_code_name(app: App, a: autocrm_store::auth::Actor, l: Layout, f: CodeNameForm, group: bool) -> PageResult {
    match save_code_name(&app, &a, &f, group).await {
        Ok(()) => Ok(see_other("/org/regions")),
        Err(e) => {
            let errors = field_errors(e)?;
            regions_page(&app, &a, l, errors).await
        }
    }
}

pub async fn create_region(State(app): State<App>, Caller(a): Caller, l: Layout, Form(f): Form<CodeNameForm>) -> PageResult {
    create_code_name(app, a, l, f, false).await
}

pub async fn create_group(State(app): State<App>, Caller(a): Caller, l: Layout, Form(f): Form<CodeNameForm>) -> PageResult {
    create_code_name(app, a, l, f, true).await
}
