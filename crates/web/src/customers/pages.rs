//! Pages for customers: the list, quick capture on a phone, the 360 page with
//! its timeline (notes, commitments) and the audited reveal, and the edit form.
//! Validation lives in the store and [`super::api`]; pages turn forms into the
//! same calls and show the field errors.

use std::collections::HashMap;

use askama::Template;
use autocrm_domain::access::Action;
use autocrm_domain::customers::{ContactChannel, CustomerKind, DealerLinkKind, Gender, RelationshipKind};
use autocrm_store::auth::Actor;
use autocrm_store::customers::timeline::{self, TimelineEvent};
use autocrm_store::customers::{
    self, ConsentView, ContactPoint, ContactPointInput, Customer, Customer360, CustomerPatch, NewAddress, NewConsent,
    NewCustomer, RelationshipInput,
};
use autocrm_store::db::sql;
use autocrm_store::org;
use autocrm_store::page::{Page, PageRequest};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::api::{apply_patch, create_customer, do_reveal, filter_of, parse_due};
use crate::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::Query;
use crate::pages::{Layout, PageError, PageResult, field, render, see_other};

type Values = HashMap<String, String>;
type Options = Vec<(i64, String, String)>;
/// `(field, message)`; the field is empty for a message about the whole form.
type Errors = Vec<(String, String)>;

const PAGE_SIZE: u64 = 50;

fn with_status(mut r: Response, status: StatusCode) -> Response {
    *r.status_mut() = status;
    r
}

fn parse_path_id(raw: &str) -> Result<i64, PageError> {
    raw.parse().map_err(|_| PageError(StatusCode::NOT_FOUND))
}

/// Errors of a failed save for the form, or an error page.
fn form_errors(l: &Layout, e: ApiError) -> Result<(StatusCode, Errors), PageError> {
    match e.status {
        StatusCode::NOT_FOUND => Err(PageError(StatusCode::NOT_FOUND)),
        StatusCode::CONFLICT if e.body.code == "stale_version" => {
            Ok((StatusCode::CONFLICT, vec![(String::new(), l.t("common.stale").to_string())]))
        }
        s if s.is_client_error() => {
            let mut out: Errors = e.body.fields.iter().map(|f| (f.path.clone(), l.msg(&f.message))).collect();
            if out.is_empty() {
                out.push((String::new(), l.msg(&e.body.message)));
            }
            Ok((s, out))
        }
        s => Err(PageError(s)),
    }
}

fn message_of<'a>(errors: &'a Errors, k: &str) -> &'a str {
    errors.iter().find(|(f, _)| f == k).map(|(_, m)| m.as_str()).unwrap_or("")
}

fn opt(v: &Values, k: &str) -> Option<String> {
    Some(field(v, k).trim().to_string()).filter(|s| !s.is_empty())
}

fn tags_of(raw: &str) -> Vec<String> {
    raw.split([',', '，', '、']).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect()
}

#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
    cursor: Option<String>,
}

// ---- the list ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    kind: Option<String>,
    dealer_id: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "customers/list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Customer>,
    kinds: Vec<&'static str>,
    dealers: Options,
    q: String,
    kind: String,
    dealer_id: Option<i64>,
    first_href: Option<String>,
    next_href: Option<String>,
}

impl ListPage {
    fn is_dealer(&self, id: &i64) -> bool {
        self.dealer_id == Some(*id)
    }
}

pub async fn list(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<ListQuery>) -> PageResult {
    let text = q.q.as_deref().map(str::trim).unwrap_or("").to_string();
    let kind = q.kind.as_deref().map(str::trim).filter(|k| CustomerKind::parse(k).is_some()).unwrap_or("").to_string();
    let dealer_id = q.dealer_id.as_deref().and_then(|d| d.trim().parse::<i64>().ok());
    let f = filter_of(Some(text.clone()).filter(|t| !t.is_empty()), dealer_id, Some(&kind)).map_err(|_| PageError(StatusCode::NOT_FOUND))?;
    let p = PageRequest::parse(Some(PAGE_SIZE), Some("-id"), q.cursor.as_deref(), &customers::SORT, "-id")
        .map_err(|_| PageError(StatusCode::NOT_FOUND))?;
    let Page { items, next_cursor } = customers::list(&app.db, &a.scope, &f, &p).await?;
    let dealers = org::options(&app.db, &a.scope, &org::DEALER).await?;
    let href = |cursor: Option<&str>| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        let dealer = dealer_id.map(|d| d.to_string()).unwrap_or_default();
        for (k, v) in [("q", text.as_str()), ("kind", kind.as_str()), ("dealer_id", &dealer)].into_iter().chain(cursor.map(|c| ("cursor", c))) {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        format!("/customers?{}", s.finish())
    };
    let next_href = next_cursor.as_deref().map(|c| href(Some(c)));
    let first_href = q.cursor.as_deref().filter(|c| !c.is_empty()).map(|_| href(None));
    Ok(render(&ListPage {
        rows: items.into_iter().map(Customer::masked).collect(),
        kinds: CustomerKind::ALL.iter().map(|k| k.as_str()).collect(),
        dealers,
        q: text,
        kind,
        dealer_id,
        first_href,
        next_href,
        l,
    }))
}

// ---- quick capture ------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "customers/new.html")]
struct NewPage {
    l: Layout,
    v: Values,
    errors: Errors,
    kinds: Vec<&'static str>,
    genders: Vec<&'static str>,
    links: Vec<&'static str>,
    channels: Vec<&'static str>,
    /// Staff outside a dealer choose the store.
    dealers: Options,
}

impl NewPage {
    fn val(&self, k: &str) -> &str {
        field(&self.v, k)
    }
    fn error(&self, k: &str) -> &str {
        message_of(&self.errors, k)
    }
    fn checked(&self, k: &str) -> bool {
        field(&self.v, k) == "on"
    }
    /// The optional part starts folded (name and mobile are all a walk-in needs)
    /// unless something in it was filled in or needs fixing.
    fn optional_open(&self) -> bool {
        let defaults = [("kind", "person"), ("link_kind", "lead")];
        self.errors.iter().any(|(f, _)| f != "name" && f != "mobile")
            || self.v.iter().any(|(k, v)| {
                !matches!(k.as_str(), "name" | "mobile" | "_csrf") && !v.trim().is_empty() && !defaults.contains(&(k.as_str(), v.as_str()))
            })
    }
    fn picked(&self, k: &str, id: &i64) -> bool {
        field(&self.v, k).trim() == id.to_string()
    }
}

async fn new_page(app: &App, a: &Actor, l: Layout, v: Values, errors: Errors, status: StatusCode) -> PageResult {
    let dealers = if a.dealer_id.is_none() { org::options(&app.db, &a.scope, &org::DEALER).await? } else { vec![] };
    let page = NewPage {
        l,
        v,
        errors,
        kinds: CustomerKind::ALL.iter().map(|k| k.as_str()).collect(),
        genders: Gender::ALL.iter().map(|g| g.as_str()).collect(),
        links: DealerLinkKind::ALL.iter().map(|k| k.as_str()).collect(),
        channels: ContactChannel::ALL.iter().map(|c| c.as_str()).collect(),
        dealers,
    };
    Ok(with_status(render(&page), status))
}

pub async fn new_customer(State(app): State<App>, Caller(a): Caller, l: Layout) -> PageResult {
    let mut v = Values::new();
    v.insert("kind".into(), "person".into());
    v.insert("link_kind".into(), "lead".into());
    new_page(&app, &a, l, v, vec![], StatusCode::OK).await
}

fn new_of(v: &Values, errors: &mut Errors, l: &Layout) -> NewCustomer {
    let list = |k: &str| opt(v, k).into_iter().collect::<Vec<_>>();
    let line = field(v, "line").trim().to_string();
    let addresses = if line.is_empty() {
        vec![]
    } else {
        vec![NewAddress { province: opt(v, "province"), city: opt(v, "city"), district: opt(v, "district"), line, label: None }]
    };
    let source = opt(v, "consent_source").unwrap_or_else(|| "showroom".into());
    let consents = ContactChannel::ALL
        .iter()
        .filter(|c| field(v, &format!("consent_{}", c.as_str())) == "on")
        .map(|c| NewConsent { channel: c.as_str().into(), granted: true, purpose: None, source: Some(source.clone()) })
        .collect();
    let kind = opt(v, "kind");
    let person = kind.as_deref().is_none_or(|k| k == "person");
    // The form says it: persons are captured with a mobile.
    if person && field(v, "mobile").trim().is_empty() {
        errors.push(("mobile".into(), l.msg("is required")));
    }
    NewCustomer {
        kind,
        name: field(v, "name").to_string(),
        gender: opt(v, "gender"),
        birthday: opt(v, "birthday"),
        occupation: opt(v, "occupation"),
        id_number: if person { opt(v, "id_number") } else { None },
        uscc: if person { None } else { opt(v, "uscc") },
        mobiles: list("mobile"),
        landlines: list("landline"),
        emails: list("email"),
        wechats: list("wechat"),
        addresses,
        tags: tags_of(field(v, "tags")),
        consents,
        dealer_id: opt(v, "dealer_id").and_then(|d| d.parse().ok()),
        link_kind: opt(v, "link_kind"),
        owner_user_id: None,
    }
}

pub async fn create(State(app): State<App>, Caller(a): Caller, l: Layout, Form(v): Form<Values>) -> PageResult {
    let mut errors = vec![];
    let input = new_of(&v, &mut errors, &l);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let more = if errors.is_empty() {
        match create_customer(&app, &a, input).await {
            Ok(c) => {
                let done = if c.linked { "linked" } else { "created" };
                return Ok(see_other(&format!("/customers/{}?done={done}", c.customer.id)));
            }
            Err(e) => {
                let (s, more) = form_errors(&l, e)?;
                status = s;
                more
            }
        }
    } else {
        // Show the rest of what needs fixing too, without saving anything.
        customers::validate(&input, customers::today())
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|f| (f.field, l.msg(&f.message)))
            .collect()
    };
    for (f, m) in more {
        if !errors.iter().any(|(g, _)| *g == f) {
            errors.push((f, m));
        }
    }
    new_page(&app, &a, l, v, errors, status).await
}

// ---- the 360 page ------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "customers/show.html")]
struct ShowPage {
    l: Layout,
    v: Customer360,
    can_write: bool,
    can_reveal: bool,
    notice: String,
    errors: Errors,
    /// The posted note / commitment form values, to show again with errors.
    f: Values,
    older_href: Option<String>,
    newest_href: Option<String>,
    /// The customer's latest quotes (empty for roles that do not see quotes).
    quotes: Vec<autocrm_store::quotes::QuoteRow>,
    can_see_quotes: bool,
}

impl ShowPage {
    fn error(&self, k: &str) -> &str {
        message_of(&self.errors, k)
    }
    fn val(&self, k: &str) -> &str {
        field(&self.f, k)
    }
    fn is_org(&self) -> bool {
        self.v.customer.kind.is_organization()
    }
    fn kind(&self) -> &'static str {
        self.v.customer.kind.as_str()
    }
    fn gender(&self) -> &'static str {
        self.v.customer.gender.map(|g| g.as_str()).unwrap_or("")
    }
    fn event_class(&self, e: &TimelineEvent) -> &'static str {
        match e.kind.as_str() {
            "commitment" if e.overdue => "event commitment overdue",
            "commitment" => "event commitment",
            "note" => "event note",
            _ => "event",
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn show_page(app: &App, a: &Actor, l: Layout, id: i64, notice: String, cursor: Option<&str>, errors: Errors, f: Values, status: StatusCode) -> PageResult {
    let mut v = customers::get_360(&app.db, &a.scope, id).await?;
    let (mut older_href, mut newest_href) = (v.timeline_next_cursor.as_ref().map(|c| format!("/customers/{id}?cursor={c}#timeline")), None);
    if let Some(c) = cursor.filter(|c| !c.is_empty()) {
        let p = PageRequest::parse(Some(20), Some("-id"), Some(c), &timeline::SORT, "-id").map_err(|_| PageError(StatusCode::NOT_FOUND))?;
        let page = timeline::list(&app.db, &a.scope, id, None, &p).await?;
        v.timeline = page.items;
        older_href = page.next_cursor.map(|c| format!("/customers/{id}?cursor={c}#timeline"));
        newest_href = Some(format!("/customers/{id}#timeline"));
    }
    let quotes = crate::quotes::customer_quotes(&app.db, a, v.customer.id).await?;
    let page = ShowPage {
        quotes,
        can_see_quotes: a.role.grants(Action::LeadRead),
        can_write: a.role.grants(Action::CustomerWrite),
        can_reveal: a.role.grants(Action::PiiReveal),
        v,
        notice,
        errors,
        f,
        older_href,
        newest_href,
        l,
    };
    Ok(with_status(render(&page), status))
}

pub async fn show(State(app): State<App>, Caller(a): Caller, l: Layout, Path(raw): Path<String>, Query(q): Query<Done>) -> PageResult {
    let id = parse_path_id(&raw)?;
    let notice = match q.done.as_deref() {
        Some("created") => l.t("customers.created").to_string(),
        Some("linked") => l.t("customers.linked").to_string(),
        Some("saved") => l.t("customers.saved").to_string(),
        _ => String::new(),
    };
    show_page(&app, &a, l, id, notice, q.cursor.as_deref(), vec![], Values::new(), StatusCode::OK).await
}

pub async fn add_note(State(app): State<App>, Caller(a): Caller, l: Layout, Path(raw): Path<String>, Form(f): Form<Values>) -> PageResult {
    let id = parse_path_id(&raw)?;
    match timeline::add_note(&app.db, &a, id, field(&f, "text")).await {
        Ok(_) => Ok(see_other(&format!("/customers/{id}#timeline"))),
        Err(e) => {
            let (status, errors) = form_errors(&l, e.into())?;
            let errors = errors.into_iter().map(|(k, m)| (format!("note_{k}"), m)).collect();
            show_page(&app, &a, l, id, String::new(), None, errors, f, status).await
        }
    }
}

pub async fn add_commitment(State(app): State<App>, Caller(a): Caller, l: Layout, Path(raw): Path<String>, Form(f): Form<Values>) -> PageResult {
    let id = parse_path_id(&raw)?;
    let text = field(&f, "text");
    let result = match parse_due(field(&f, "due_date")) {
        Ok(due) => timeline::add_commitment(&app.db, &a, id, text, Some(field(&f, "details")), due).await.map_err(ApiError::from),
        Err(e) => {
            // The customer must exist in scope before a form error is shown.
            customers::get(&app.db, &a.scope, id).await?;
            Err(ApiError::from(e))
        }
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/customers/{id}#timeline"))),
        Err(e) => {
            let (status, errors) = form_errors(&l, e)?;
            let errors = errors.into_iter().map(|(k, m)| (format!("commitment_{k}"), m)).collect();
            show_page(&app, &a, l, id, String::new(), None, errors, f, status).await
        }
    }
}

pub async fn commitment_done(State(app): State<App>, Caller(a): Caller, Path((raw, event)): Path<(String, String)>) -> PageResult {
    let id = parse_path_id(&raw)?;
    let event = parse_path_id(&event)?;
    timeline::mark_done(&app.db, &a, id, event).await?;
    Ok(see_other(&format!("/customers/{id}#commitments")))
}

/// The htmx reveal: answers the clear value as a fragment that replaces the button.
pub async fn reveal(State(app): State<App>, Caller(a): Caller, l: Layout, Path(raw): Path<String>, Form(f): Form<Values>) -> PageResult {
    let id = parse_path_id(&raw)?;
    let cp = field(&f, "contact_point_id").trim().parse::<i64>().ok();
    match do_reveal(&app, &a, id, field(&f, "field"), cp).await {
        Ok(r) => {
            let value = askama::filters::escape(&r.value, askama::filters::Html).map(|v| v.to_string()).unwrap_or_default();
            Ok(Html(format!("<strong class=\"revealed\" data-field=\"{}\">{value}</strong>", r.field)).into_response())
        }
        Err(e) if e.status == StatusCode::NOT_FOUND => Err(PageError(StatusCode::NOT_FOUND)),
        Err(e) => {
            let msg = e.body.fields.first().map(|f| l.msg(&f.message)).unwrap_or_else(|| l.msg(&e.body.message));
            let msg = askama::filters::escape(&msg, askama::filters::Html).map(|v| v.to_string()).unwrap_or_default();
            Ok(with_status(Html(format!("<span class=\"error\">{msg}</span>")).into_response(), e.status))
        }
    }
}

// ---- editing -------------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "customers/edit.html")]
struct EditPage {
    l: Layout,
    c: Customer,
    points: Vec<ContactPoint>,
    consents: Vec<ConsentView>,
    v: Values,
    errors: Errors,
    version: i64,
    genders: Vec<&'static str>,
    channels: Vec<&'static str>,
    point_kinds: Vec<&'static str>,
    relationship_kinds: Vec<&'static str>,
}

impl EditPage {
    fn val(&self, k: &str) -> &str {
        field(&self.v, k)
    }
    fn error(&self, k: &str) -> &str {
        message_of(&self.errors, k)
    }
    fn is_org(&self) -> bool {
        self.c.kind.is_organization()
    }
    fn consent_of(&self, channel: &str) -> String {
        self.consents
            .iter()
            .find(|c| c.channel == channel && c.purpose == "marketing")
            .map(|c| if c.granted { "granted" } else { "withdrawn" })
            .unwrap_or("")
            .to_string()
    }
}

fn values_of(c: &Customer) -> Values {
    let mut v = Values::new();
    v.insert("name".into(), c.name.clone());
    v.insert("gender".into(), c.gender.map(|g| g.as_str().to_string()).unwrap_or_default());
    v.insert("birthday".into(), c.birthday.map(|b| b.to_string()).unwrap_or_default());
    v.insert("occupation".into(), c.occupation.clone().unwrap_or_default());
    v.insert("uscc".into(), c.uscc.clone().unwrap_or_default());
    v.insert("tags".into(), c.tags.join(", "));
    v
}

#[allow(clippy::too_many_arguments)]
async fn edit_page(app: &App, a: &Actor, l: Layout, id: i64, v: Option<Values>, errors: Errors, version: Option<i64>, status: StatusCode) -> PageResult {
    let full = customers::get_360(&app.db, &a.scope, id).await?;
    let page = EditPage {
        v: v.unwrap_or_else(|| values_of(&full.customer)),
        version: version.unwrap_or(full.customer.version),
        c: full.customer,
        points: full.contact_points,
        consents: full.consents,
        errors,
        genders: Gender::ALL.iter().map(|g| g.as_str()).collect(),
        channels: ContactChannel::ALL.iter().map(|c| c.as_str()).collect(),
        point_kinds: vec!["mobile", "landline", "email", "wechat", "address"],
        relationship_kinds: RelationshipKind::ALL.iter().map(|k| k.as_str()).collect(),
        l,
    };
    Ok(with_status(render(&page), status))
}

pub async fn edit(State(app): State<App>, Caller(a): Caller, l: Layout, Path(raw): Path<String>) -> PageResult {
    let id = parse_path_id(&raw)?;
    edit_page(&app, &a, l, id, None, vec![], None, StatusCode::OK).await
}

/// The edit form as a patch: profile fields, contact points to remove, the
/// primary of each kind, one new contact point, consent changes and one new
/// relationship (by the other customer's number).
async fn patch_of(app: &App, a: &Actor, l: &Layout, id: i64, v: &Values, errors: &mut Errors) -> Result<CustomerPatch, PageError> {
    let current = customers::get_360(&app.db, &a.scope, id).await?;
    let c = &current.customer;
    let text = |k: &str| v.get(k).map(|s| s.trim().to_string());
    let clearable = |k: &str| v.get(k).map(|s| Some(s.trim().to_string()).filter(|s| !s.is_empty()));
    let mut p = CustomerPatch {
        name: text("name"),
        gender: clearable("gender"),
        birthday: clearable("birthday"),
        occupation: clearable("occupation"),
        // The ID number is never put in a form in clear: empty keeps it.
        id_number: opt(v, "id_number").map(Some),
        uscc: if c.kind.is_organization() { clearable("uscc") } else { None },
        tags: v.get("tags").map(|t| tags_of(t)),
        ..CustomerPatch::default()
    };
    for cp in &current.contact_points {
        if field(v, &format!("remove_{}", cp.id)) == "on" {
            p.remove_contact_points.push(cp.id);
        } else if !cp.is_primary && field(v, &format!("primary_{}", cp.kind)) == cp.id.to_string() {
            p.set_primary.push(cp.id);
        }
    }
    if let Some(value) = opt(v, "new_value") {
        p.add_contact_points.push(ContactPointInput {
            kind: field(v, "new_kind").to_string(),
            value,
            label: opt(v, "new_label"),
            province: opt(v, "new_province"),
            city: opt(v, "new_city"),
            district: opt(v, "new_district"),
            primary: field(v, "new_primary") == "on",
        });
    }
    let source = opt(v, "consent_source").unwrap_or_else(|| "staff".into());
    for ch in ContactChannel::ALL {
        let now = current.consents.iter().find(|c| c.channel == ch.as_str() && c.purpose == "marketing").map(|c| c.granted);
        let want = match field(v, &format!("consent_{}", ch.as_str())) {
            "granted" => Some(true),
            "withdrawn" => Some(false),
            _ => None,
        };
        if let Some(w) = want
            && now != Some(w)
        {
            p.consents.push(NewConsent { channel: ch.as_str().into(), granted: w, purpose: None, source: Some(source.clone()) });
        }
    }
    if let Some(no) = opt(v, "rel_no") {
        let found: Option<(i64,)> =
            app.db.fetch_optional(sql("SELECT id FROM customer WHERE customer_no = $1", vec![no.to_uppercase().into()])).await?;
        match found {
            Some((rid,)) => p.relationships.push(RelationshipInput { related_id: rid, kind: field(v, "rel_kind").to_string() }),
            None => errors.push(("rel_no".into(), l.msg("no such customer within your scope"))),
        }
    }
    Ok(p)
}

/// Store field names of the patch, as the edit form names its inputs.
fn form_field(path: &str) -> String {
    if path.starts_with("add_contact_points") {
        "new_value".into()
    } else if path.starts_with("relationships") {
        "rel_no".into()
    } else {
        path.to_string()
    }
}

pub async fn update(State(app): State<App>, Caller(a): Caller, l: Layout, Path(raw): Path<String>, Form(v): Form<Values>) -> PageResult {
    let id = parse_path_id(&raw)?;
    let version = field(&v, "version").trim().parse::<i64>().unwrap_or(0);
    let mut errors = vec![];
    let patch = patch_of(&app, &a, &l, id, &v, &mut errors).await?;
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        match apply_patch(&app, &a, id, version, &patch).await {
            Ok(_) => return Ok(see_other(&format!("/customers/{id}?done=saved"))),
            Err(e) => {
                let (s, more) = form_errors(&l, e)?;
                status = s;
                errors = more.into_iter().map(|(f, m)| (form_field(&f), m)).collect();
            }
        }
    }
    edit_page(&app, &a, l, id, Some(v), errors, Some(version), status).await
}
