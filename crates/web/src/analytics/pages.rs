//! Pages of the funnel analytics: one frame (report tabs, the period picker, the
//! dimension tabs, the export link) around each report's charts and table.

use askama::Template;
use autocrm_domain::analytics::{Dimension, Period};
use autocrm_store::StoreError;
use autocrm_store::analytics::{self, Filters};
use axum::extract::State;
use chrono::{Datelike, Duration, NaiveDate};
use serde::Deserialize;

use super::charts::{BarChart, Funnel, PairChart};
use super::table::Table;
use super::{api, reports};
use crate::App;
use crate::auth::Caller;
use crate::extract::Query;
use crate::pages::{Layout, PageError, PageResult, render};

/// What every report page reads from its URL (lenient: a bad value is shown as an
/// error on the page, not a 422).
#[derive(Deserialize, Default)]
pub struct PageParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub by: Option<String>,
    pub dealer_id: Option<String>,
    pub region_id: Option<String>,
    pub format: Option<String>,
}

/// A link of a tab bar.
pub struct Tab {
    pub label: String,
    pub href: String,
    pub active: bool,
}

/// The frame of a report page.
pub struct Frame {
    /// The page's path (`/analytics`, `/traffic/report`…).
    pub path: &'static str,
    pub period: Period,
    pub filters: Filters,
    pub by: Option<String>,
    pub errors: Vec<(String, String)>,
    pub reports: Vec<Tab>,
    pub presets: Vec<Tab>,
    pub dims: Vec<Tab>,
    pub table: Option<Table>,
    /// The dealers and regions the caller may narrow the report to.
    pub dealers: Vec<(i64, String, String)>,
    pub regions: Vec<(i64, String, String)>,
    xlsx: bool,
}

fn qs(pairs: &[(&str, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        s.append_pair(k, v);
    }
    s.finish()
}

/// The reports, in the order of their tabs (path, label key).
const REPORTS: [(&str, &str); 4] = [
    ("/analytics", "analytics.funnel"),
    ("/analytics/forecast", "analytics.forecast"),
    ("/analytics/timeliness", "analytics.timeliness"),
    ("/traffic/report", "traffic.report"),
];

impl Frame {
    /// Reads the period and filters; `dims` are the grouping choices of the page
    /// (value, label), the first one the default.
    pub fn new(l: &Layout, path: &'static str, q: &PageParams, dims: Vec<(&'static str, String)>) -> Frame {
        let today = autocrm_store::customers::today();
        let mut errors = vec![];
        let period = Period::parse(q.from.as_deref(), q.to.as_deref(), today).unwrap_or_else(|e| {
            errors.push((e.field, e.message));
            Period::parse(None, None, today).unwrap_or(Period { from: today, to: today })
        });
        let mut id = |field: &str, v: &Option<String>| match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => v.parse().map_err(|_| errors.push((field.to_string(), "must be a whole number".into()))).ok(),
        };
        let filters = Filters { dealer_id: id("dealer_id", &q.dealer_id), region_id: id("region_id", &q.region_id) };
        let by = match q.by.as_deref().filter(|b| !b.is_empty()) {
            _ if dims.is_empty() => None,
            Some(b) if dims.iter().any(|d| d.0 == b) => Some(b.to_string()),
            Some(_) => {
                errors.push(("by".into(), "is not a grouping of this report".into()));
                dims.first().map(|d| d.0.to_string())
            }
            None => dims.first().map(|d| d.0.to_string()),
        };
        let mut f = Frame {
            path,
            period,
            filters,
            by,
            errors,
            reports: vec![],
            presets: vec![],
            dims: vec![],
            table: None,
            dealers: vec![],
            regions: vec![],
            xlsx: q.format.as_deref() == Some("xlsx"),
        };
        f.reports = REPORTS
            .iter()
            .map(|(p, k)| Tab { label: l.t(k).to_string(), href: f.href_to(p, None, &period), active: *p == path })
            .collect();
        let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
        let this_year = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
        let last_year = Period { from: this_year.with_year(today.year() - 1).unwrap_or(this_year), to: this_year - Duration::days(1) };
        let presets = [
            ("analytics.last_30_days", Period { from: today - Duration::days(29), to: today }),
            ("analytics.last_90_days", Period { from: today - Duration::days(89), to: today }),
            ("analytics.this_month", Period { from: this_month, to: today }),
            ("analytics.this_year", Period { from: this_year, to: today }),
            ("analytics.last_year", last_year),
        ];
        f.presets = presets.iter().map(|(k, p)| Tab { label: l.t(k).to_string(), href: f.href(f.by.as_deref(), p), active: *p == period }).collect();
        f.dims = dims.into_iter().map(|(v, label)| Tab { label, href: f.href(Some(v), &period), active: f.by.as_deref() == Some(v) }).collect();
        f
    }

    fn href_to(&self, path: &str, by: Option<&str>, p: &Period) -> String {
        let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        let q = qs(&[
            ("from", p.from.to_string()),
            ("to", p.to.to_string()),
            ("by", by.unwrap_or("").to_string()),
            ("dealer_id", id(self.filters.dealer_id)),
            ("region_id", id(self.filters.region_id)),
        ]);
        format!("{path}?{q}")
    }

    /// This page with another grouping or period.
    pub fn href(&self, by: Option<&str>, p: &Period) -> String {
        self.href_to(self.path, by, p)
    }

    /// The same report as an Excel file.
    pub fn export_href(&self) -> String {
        format!("{}&format=xlsx", self.href(self.by.as_deref(), &self.period))
    }

    /// Loads the dealer and region choices of the picker (within scope).
    pub async fn options(&mut self, db: &autocrm_store::Db, scope: &autocrm_domain::access::Scope) -> Result<(), PageError> {
        use autocrm_store::org;
        self.dealers = org::options(db, scope, &org::DEALER).await?;
        self.regions = org::options(db, scope, &org::REGION).await?;
        Ok(())
    }

    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The report, or the field it refused shown on the page.
    pub fn lift<T>(&mut self, r: Result<T, StoreError>) -> Result<Option<T>, PageError> {
        match r {
            Ok(t) => Ok(Some(t)),
            Err(StoreError::Invalid(e)) => {
                self.errors.push((e.field, e.message));
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// When the page was asked for as Excel: the download of its table (audited).
    pub async fn download(&self, app: &App, l: &Layout, entity: &str, report: &str) -> Option<PageResult> {
        let table = self.table.as_ref().filter(|_| self.xlsx && self.ok())?;
        let params = serde_json::json!({"period": self.period, "by": self.by, "filters": self.filters});
        let name = api::filename(report, self.by.as_deref(), &self.period);
        Some(api::export(app, l.me(), entity, table, params, &name).await.map_err(|e| PageError(e.status)))
    }
}

#[derive(Template)]
#[template(path = "analytics/funnel.html")]
struct FunnelPage {
    l: Layout,
    f: Frame,
    charts: Option<(Funnel, BarChart)>,
}

fn dimensions(l: &Layout) -> Vec<(&'static str, String)> {
    Dimension::ALL.iter().map(|d| (d.as_str(), l.tv("analytics.dimension", d.as_str()))).collect()
}

/// The funnel by one dimension (source first).
pub async fn funnel(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<PageParams>) -> PageResult {
    let mut f = Frame::new(&l, "/analytics", &q, dimensions(&l));
    f.options(&app.db, &a.scope).await?;
    let by = f.by.as_deref().and_then(Dimension::parse).unwrap_or(Dimension::Source);
    let report = if f.ok() { f.lift(analytics::funnel(&app.db, &a.scope, &f.period, by, &f.filters).await)? } else { None };
    let charts = report.as_ref().map(|r| reports::funnel_charts(&l.tr, r, by));
    f.table = report.as_ref().map(|r| reports::funnel_table(&l.tr, r, by));
    if let Some(download) = f.download(&app, &l, "analytics_funnel", "funnel").await {
        return download;
    }
    Ok(render(&FunnelPage { l, f, charts }))
}

#[derive(Template)]
#[template(path = "analytics/forecast.html")]
struct ForecastPage {
    l: Layout,
    f: Frame,
    chart: Option<PairChart>,
}

/// Expected against actual conversion per timeframe.
pub async fn forecast(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<PageParams>) -> PageResult {
    let mut f = Frame::new(&l, "/analytics/forecast", &q, vec![]);
    f.options(&app.db, &a.scope).await?;
    let report = if f.ok() { f.lift(analytics::conversion_forecast(&app.db, &a.scope, &f.period, &f.filters).await)? } else { None };
    let chart = report.as_ref().map(|r| reports::forecast_chart(&l.tr, r));
    f.table = report.as_ref().map(|r| reports::forecast_table(&l.tr, r));
    if let Some(download) = f.download(&app, &l, "analytics_forecast", "conversion-forecast").await {
        return download;
    }
    Ok(render(&ForecastPage { l, f, chart }))
}

#[derive(Template)]
#[template(path = "analytics/timeliness.html")]
struct TimelinessPage {
    l: Layout,
    f: Frame,
    charts: Option<(BarChart, BarChart)>,
}

/// Follow-up timeliness per dealer.
pub async fn timeliness(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<PageParams>) -> PageResult {
    let mut f = Frame::new(&l, "/analytics/timeliness", &q, vec![]);
    f.options(&app.db, &a.scope).await?;
    let report =
        if f.ok() { f.lift(analytics::timeliness(&app.db, &a.scope, &f.period, &f.filters, autocrm_store::now()).await)? } else { None };
    let charts = report.as_ref().map(|r| reports::timeliness_charts(&l.tr, r));
    f.table = report.as_ref().map(|r| reports::timeliness_table(&l.tr, r));
    if let Some(download) = f.download(&app, &l, "analytics_timeliness", "follow-up-timeliness").await {
        return download;
    }
    Ok(render(&TimelinessPage { l, f, charts }))
}
