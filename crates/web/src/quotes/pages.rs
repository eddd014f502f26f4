//! Pages of quotes: the quote form for a lead whose totals and colleague warning
//! are recomputed as the consultant types (an htmx partial), the printable quote,
//! the list (a manager filters the quotes that contradicted a colleague), and the
//! price list with the OEM's form to add a price.

use askama::Template;
use autocrm_domain::access::{Action, Scope};
use autocrm_domain::quotes::{QuoteLine, QuoteLineKind, parse_yuan};
use autocrm_store::auth::Actor;
use autocrm_store::leads::today::LeadRow;
use autocrm_store::page::PageRequest;
use autocrm_store::quotes::views::{self, QuoteFilter, QuoteRow};
use autocrm_store::quotes::{self as quotes, ModelPrice, Prepared, PriceInput, Quote, QuoteInput, prices};
use autocrm_store::vehicles::VehicleModel;
use autocrm_store::{Db, StoreError, leads};
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{Id, Query};
use crate::leads::pages::{Errors, field_errors, opt};
use crate::pages::{self, Layout, PageError, PageResult, field, opt_id, render, see_other};

/// Line rows on the form; empty rows are ignored.
const ROWS: usize = 5;
/// What each row offers first: a discount, a gift, a fee, then free choice.
const ROW_KINDS: [QuoteLineKind; ROWS] =
    [QuoteLineKind::Discount, QuoteLineKind::Gift, QuoteLineKind::Fee, QuoteLineKind::Discount, QuoteLineKind::Gift];

/// A customer's latest quotes for the Customer 360 page, if the viewer may see quotes.
pub async fn customer_quotes(db: &Db, a: &Actor, customer_id: i64) -> Result<Vec<QuoteRow>, StoreError> {
    if !a.role.grants(Action::LeadRead) {
        return Ok(vec![]);
    }
    views::latest(db, &a.scope, &QuoteFilter { customer_id: Some(customer_id), ..Default::default() }, 10).await
}

/// The form's rows as quote lines, with the row each came from (error paths name
/// the row the consultant sees).
fn lines_of(v: &pages::Form) -> Result<(Vec<QuoteLine>, Vec<usize>), ApiError> {
    let (mut lines, mut rows) = (vec![], vec![]);
    for row in 0..ROWS {
        let label = field(v, &format!("line_label_{row}")).trim().to_string();
        let amount = field(v, &format!("line_amount_{row}")).trim().to_string();
        if label.is_empty() && amount.is_empty() {
            continue;
        }
        let kind = QuoteLineKind::parse(field(v, &format!("line_kind_{row}"))).unwrap_or(ROW_KINDS[row]);
        let amount = if amount.is_empty() { 0 } else { parse_yuan(&format!("lines[{row}].amount"), &amount)? };
        lines.push(QuoteLine { kind, label, amount });
        rows.push(row);
    }
    Ok((lines, rows))
}

/// `lines[2].amount` of the non-empty lines → `lines[4].amount` of the form's rows.
fn to_row(mut e: ApiError, rows: &[usize]) -> ApiError {
    for f in &mut e.body.fields {
        if let Some(rest) = f.path.strip_prefix("lines[")
            && let Some((i, tail)) = rest.split_once(']')
            && let Some(row) = i.parse::<usize>().ok().and_then(|i| rows.get(i))
        {
            f.path = format!("lines[{row}]{tail}");
        }
    }
    e
}

/// Names a line's field the way the form shows it (`第 3 行 金额`), so the shared
/// error list can print it; other fields keep their path (translated by group).
fn readable(l: &Layout, errors: Errors) -> Errors {
    errors
        .into_iter()
        .map(|(f, m)| {
            let row = f.strip_prefix("lines[").and_then(|r| r.split_once("].")).and_then(|(i, part)| Some((i.parse::<usize>().ok()?, part.to_string())));
            match row {
                Some((i, part)) => (format!("{}{}{} {}", l.t("quotes.row"), i + 1, l.t("quotes.row_suffix"), l.tv("quote_field", &part)), m),
                None => (f, m),
            }
        })
        .collect()
}

fn input_of(v: &pages::Form) -> Result<(QuoteInput, Vec<usize>), ApiError> {
    let lead_id = opt_id(v, "lead_id").ok_or_else(|| ApiError::field("lead_id", "is required"))?;
    let (lines, rows) = lines_of(v)?;
    let valid_until = match opt(v, "valid_until") {
        None => None,
        Some(d) => Some(NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| ApiError::field("valid_until", "must be a date YYYY-MM-DD"))?),
    };
    Ok((QuoteInput { lead_id, model_id: opt_id(v, "model_id"), lines, valid_until, note: opt(v, "note") }, rows))
}

// ---- the quote form and its live preview ----------------------------------------------------

#[derive(Template)]
#[template(path = "quotes/new.html")]
struct NewPage {
    l: Layout,
    lead: LeadRow,
    models: Vec<(VehicleModel, Option<ModelPrice>)>,
    kinds: Vec<&'static str>,
    rows: Vec<(usize, &'static str)>,
    v: pages::Form,
    errors: Errors,
    preview: PreviewPartial,
    /// The lead's model of interest: the model chosen unless the form says otherwise.
    lead_model: Option<i64>,
}

impl NewPage {
    fn val(&self, k: &str) -> String {
        field(&self.v, k).to_string()
    }
    fn row_val(&self, k: &str, row: &usize) -> String {
        self.val(&format!("{k}_{row}"))
    }
    fn row_kind(&self, row: &usize, kind: &str, default: &str) -> bool {
        let v = self.row_val("line_kind", row);
        if v.is_empty() { kind == default } else { v == kind }
    }
    fn model_selected(&self, id: &i64) -> bool {
        let v = self.val("model_id");
        if v.is_empty() { self.lead_model == Some(*id) } else { v == id.to_string() }
    }
}

#[derive(Template)]
#[template(path = "quotes/preview.html")]
struct PreviewPartial {
    l: Layout,
    p: Option<Prepared>,
    errors: Errors,
}

async fn preview_of(app: &App, a: &Actor, l: Layout, v: &pages::Form) -> Result<PreviewPartial, PageError> {
    let r = match input_of(v) {
        Ok((i, rows)) => quotes::prepare(&app.db, a, &i).await.map_err(|e| to_row(ApiError::from(e), &rows)),
        Err(e) => Err(e),
    };
    Ok(match r {
        Ok(p) => PreviewPartial { l, p: Some(p), errors: vec![] },
        Err(e) => {
            let errors = readable(&l, field_errors(e)?);
            PreviewPartial { l, p: None, errors }
        }
    })
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    lead_id: Option<i64>,
}

async fn new_page(app: &App, a: &Actor, l: Layout, v: pages::Form, errors: Errors, status: StatusCode) -> PageResult {
    let lead_id = opt_id(&v, "lead_id").ok_or(PageError(StatusCode::NOT_FOUND))?;
    let lead = leads::today::row(&app.db, &a.scope, lead_id).await?;
    let full = leads::get(&app.db, &a.scope, lead_id).await?;
    let preview_layout = Layout { tr: l.tr, actor: l.actor.clone(), csrf: l.csrf.clone(), oem: l.oem.clone(), nav: vec![], path: l.path.clone(), unread: l.unread };
    let preview = preview_of(app, a, preview_layout, &v).await?;
    let errors = readable(&l, errors);
    let mut r = render(&NewPage {
        lead_model: full.model_id,
        models: prices::price_list(&app.db, autocrm_store::customers::today()).await?,
        kinds: QuoteLineKind::ALL.iter().map(|k| k.as_str()).collect(),
        rows: ROW_KINDS.iter().enumerate().map(|(i, k)| (i, k.as_str())).collect(),
        lead,
        v,
        errors,
        preview,
        l,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn new_quote(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<NewQuery>) -> PageResult {
    let mut v = pages::Form::new();
    v.insert("lead_id".into(), q.lead_id.ok_or(PageError(StatusCode::NOT_FOUND))?.to_string());
    new_page(&app, &a, l, v, vec![], StatusCode::OK).await
}

/// The htmx partial: totals and the colleague warning for the form as it is.
pub async fn preview(State(app): State<App>, Caller(a): Caller, l: Layout, Form(v): Form<pages::Form>) -> PageResult {
    Ok(render(&preview_of(&app, &a, l, &v).await?))
}

pub async fn create(State(app): State<App>, Caller(a): Caller, l: Layout, Form(v): Form<pages::Form>) -> PageResult {
    let r = match input_of(&v) {
        Ok((i, rows)) => quotes::create(&app.db, &a, &i).await.map_err(|e| to_row(ApiError::from(e), &rows)),
        Err(e) => Err(e),
    };
    match r {
        Ok((q, _)) => Ok(see_other(&format!("/quotes/{}", q.id))),
        Err(e) if opt_id(&v, "lead_id").is_none() => Err(PageError(e.status)),
        Err(e) => {
            let status = e.status;
            new_page(&app, &a, l, v, field_errors(e)?, status).await
        }
    }
}

// ---- the printable quote ------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "quotes/show.html")]
struct ShowPage {
    l: Layout,
    q: Quote,
    row: QuoteRow,
    conflict: Option<QuoteRow>,
}

pub async fn show(State(app): State<App>, Caller(a): Caller, l: Layout, Id(id): Id) -> PageResult {
    let q = views::get(&app.db, &a.scope, id).await?;
    let row = views::row(&app.db, &a.scope, id).await?;
    // The contradicted quote may be at another dealer: shown with who and where,
    // read past the viewer's scope on purpose (it is what the warning said).
    let conflict = match q.conflict_quote_id {
        Some(c) => views::row(&app.db, &Scope::Oem, c).await.ok(),
        None => None,
    };
    Ok(render(&ShowPage { l, q, row, conflict }))
}

// ---- the list -----------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct ListQuery {
    conflicted: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "quotes/list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<QuoteRow>,
    conflicted: bool,
    next_href: Option<String>,
}

pub async fn list(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<ListQuery>) -> PageResult {
    let conflicted = q.conflicted.as_deref() == Some("on");
    let p = PageRequest::parse(Some(50), Some("-id"), q.cursor.as_deref(), &views::QUOTE_SORT, "-id").map_err(|_| PageError(StatusCode::NOT_FOUND))?;
    let page = views::list(&app.db, &a.scope, &QuoteFilter { conflicted, ..Default::default() }, &p).await?;
    let next_href = page.next_cursor.map(|c| format!("/quotes?conflicted={}&cursor={c}", if conflicted { "on" } else { "" }));
    Ok(render(&ListPage { l, rows: page.items, conflicted, next_href }))
}

// ---- the price list ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "quotes/prices.html")]
struct PricesPage {
    l: Layout,
    models: Vec<(VehicleModel, Option<ModelPrice>)>,
    v: pages::Form,
    errors: Errors,
}

impl PricesPage {
    fn val(&self, k: &str) -> &str {
        field(&self.v, k)
    }
    fn sel(&self, id: &i64) -> bool {
        self.val("model_id") == id.to_string()
    }
}

async fn prices_page(app: &App, l: Layout, v: pages::Form, errors: Errors, status: StatusCode) -> PageResult {
    let models = prices::price_list(&app.db, autocrm_store::customers::today()).await?;
    let mut r = render(&PricesPage { l, models, v, errors });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn price_list(State(app): State<App>, l: Layout) -> PageResult {
    prices_page(&app, l, pages::Form::new(), vec![], StatusCode::OK).await
}

pub async fn add_price(State(app): State<App>, Caller(a): Caller, l: Layout, Form(v): Form<pages::Form>) -> PageResult {
    let r = async {
        let model_id = opt_id(&v, "model_id").ok_or_else(|| ApiError::field("model_id", "is required"))?;
        let list_price = parse_yuan("list_price", field(&v, "list_price"))?;
        let date = |k: &str| -> Result<Option<NaiveDate>, ApiError> {
            opt(&v, k).map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| ApiError::field(k, "must be a date YYYY-MM-DD"))).transpose()
        };
        let input = PriceInput { list_price: Some(list_price), valid_from: date("valid_from")?, valid_to: date("valid_to")?, note: opt(&v, "note") };
        prices::add(&app.db, &a, model_id, input).await.map_err(ApiError::from)
    }
    .await;
    match r {
        Ok(_) => Ok(see_other("/price-list")),
        Err(e) => {
            let status = if e.status == StatusCode::NOT_FOUND { StatusCode::UNPROCESSABLE_ENTITY } else { e.status };
            let errors = if e.status == StatusCode::NOT_FOUND { vec![("model_id".into(), "is not a model in the catalog".into())] } else { field_errors(e)? };
            prices_page(&app, l, v, errors, status).await
        }
    }
}
