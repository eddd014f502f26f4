//! Pages of showroom traffic: the receptionist's day form (a compact grid of
//! channels × media sources, phone first, prefilled from the day's leads) and the
//! traffic report by region, dealer, source, channel or day, with its chart.

use askama::Template;
use autocrm_domain::analytics::Period;
use autocrm_domain::traffic::{Channel, Grouping, MediaSource, RawCell, check_cells, parse_day};
use autocrm_store::auth::Actor;
use autocrm_store::traffic::{self, DayTraffic, TrafficReport, TrafficRow};
use autocrm_store::{analytics::Filters, org};
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use crate::App;
use crate::analytics::charts::StackChart;
use crate::analytics::pages::{Frame, PageParams};
use crate::analytics::table::{Cell, Table};
use crate::auth::Caller;
use crate::extract::Query;
use crate::i18n::Tr;
use crate::pages::{self, Layout, PageError, PageResult, field, render, see_other};

// ---- the day form ------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct DayQuery {
    dealer_id: Option<String>,
    day: Option<String>,
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "traffic/day.html")]
struct DayPage {
    l: Layout,
    dealers: Vec<(i64, String, String)>,
    dealer: Option<(i64, String, String)>,
    day: NaiveDate,
    today: NaiveDate,
    traffic: Option<DayTraffic>,
    /// What was typed, when the form comes back with errors.
    typed: Option<pages::Form>,
    errors: Vec<(String, String)>,
    saved: bool,
    recent: Vec<TrafficRow>,
    channels: Vec<&'static str>,
    sources: Vec<&'static str>,
}

impl DayPage {
    fn name(channel: &str, source: &str) -> String {
        format!("{channel}.{source}")
    }
    /// The value of a cell's input: what was typed, else the recorded or suggested count.
    fn value(&self, channel: &str, source: &str) -> String {
        match &self.typed {
            Some(f) => field(f, &Self::name(channel, source)).to_string(),
            None => self.traffic.as_ref().map_or(0, |t| t.visits(channel, source)).to_string(),
        }
    }
    fn total(&self, channel: &str) -> i64 {
        self.traffic.as_ref().map_or(0, |t| t.channel_total(channel))
    }
    fn leads(&self, channel: &str) -> i64 {
        self.traffic.as_ref().and_then(|t| t.leads_captured.get(channel).copied()).unwrap_or(0)
    }
    fn error(&self, channel: &str, source: &str) -> bool {
        let n = Self::name(channel, source);
        self.errors.iter().any(|(f, _)| *f == n)
    }
    fn href(&self, day: &NaiveDate) -> String {
        let d = self.dealer.as_ref().map(|d| d.0.to_string()).unwrap_or_default();
        format!("/traffic?dealer_id={d}&day={day}")
    }
    fn prev(&self) -> String {
        self.href(&(self.day - Duration::days(1)))
    }
    fn next(&self) -> Option<String> {
        (self.day < self.today).then(|| self.href(&(self.day + Duration::days(1))))
    }
}

/// The dealer the form is for: the one asked for (within scope), else the user's own.
async fn dealer_of(app: &App, a: &Actor, asked: Option<i64>) -> Result<(Vec<(i64, String, String)>, Option<(i64, String, String)>), PageError> {
    let dealers = org::options(&app.db, &a.scope, &org::DEALER).await?;
    let want = asked.or(a.dealer_id).or_else(|| (dealers.len() == 1).then(|| dealers[0].0));
    let dealer = match want {
        Some(id) => Some(dealers.iter().find(|d| d.0 == id).cloned().ok_or(PageError(StatusCode::NOT_FOUND))?),
        None => None,
    };
    Ok((dealers, dealer))
}

#[allow(clippy::too_many_arguments)]
async fn day_page(app: &App, a: &Actor, l: Layout, asked: Option<i64>, day: Result<NaiveDate, (String, String)>, typed: Option<pages::Form>, mut errors: Vec<(String, String)>, saved: bool) -> PageResult {
    let today = autocrm_store::customers::today();
    let (dealers, dealer) = dealer_of(app, a, asked).await?;
    let day = day.unwrap_or_else(|e| {
        errors.push(e);
        today
    });
    let (traffic, recent) = match &dealer {
        Some(d) => {
            let recent_days = Period { from: today - Duration::days(13), to: today };
            let by_day = traffic::report(&app.db, &a.scope, &recent_days, Grouping::Day, &Filters { dealer_id: Some(d.0), region_id: None }).await?;
            let mut recent = by_day.rows;
            recent.reverse();
            (Some(traffic::day(&app.db, &a.scope, d.0, day).await?), recent)
        }
        None => (None, vec![]),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut r = render(&DayPage {
        l,
        dealers,
        dealer,
        day,
        today,
        traffic,
        typed,
        errors,
        saved,
        recent,
        channels: Channel::ALL.iter().map(|c| c.as_str()).collect(),
        sources: MediaSource::ALL.iter().map(|s| s.as_str()).collect(),
    });
    *r.status_mut() = status;
    Ok(r)
}

fn day_of(raw: Option<&str>) -> Result<NaiveDate, (String, String)> {
    let today = autocrm_store::customers::today();
    match raw.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(today),
        Some(d) => parse_day(d, today).map_err(|e| (e.field, e.message)),
    }
}

pub async fn day(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<DayQuery>) -> PageResult {
    let asked = q.dealer_id.as_deref().and_then(|d| d.trim().parse().ok());
    day_page(&app, &a, l, asked, day_of(q.day.as_deref()), None, vec![], q.saved.is_some()).await
}

/// Saves the grid: an empty cell is 0; errors come back on the form, naming the cell.
pub async fn save(State(app): State<App>, Caller(a): Caller, l: Layout, Form(v): Form<pages::Form>) -> PageResult {
    let dealer_id: i64 = field(&v, "dealer_id").trim().parse().map_err(|_| PageError(StatusCode::NOT_FOUND))?;
    let day = day_of(Some(field(&v, "day")));
    let mut errors = vec![];
    let mut raw = vec![];
    for c in Channel::ALL {
        for s in MediaSource::ALL {
            let name = DayPage::name(c.as_str(), s.as_str());
            let typed = field(&v, &name).trim();
            match if typed.is_empty() { Ok(0) } else { typed.parse::<i64>() } {
                Ok(visits) => raw.push(RawCell { channel: c.as_str().into(), source: s.as_str().into(), visits }),
                Err(_) => errors.push((name, "must be a whole number from 0 to 9999".to_string())),
            }
        }
    }
    let cells = check_cells(&raw).unwrap_or_else(|e| {
        // Name the grid cell (`walk_in.tv`), not the position in the list.
        errors.extend(e.into_iter().filter_map(|f| {
            let i: usize = f.field.strip_prefix("counts[")?.split(']').next()?.parse().ok()?;
            raw.get(i).map(|c| (DayPage::name(&c.channel, &c.source), f.message))
        }));
        vec![]
    });
    match (&day, errors.is_empty()) {
        (Ok(d), true) => {
            traffic::record(&app.db, &a, dealer_id, *d, &cells).await?;
            Ok(see_other(&format!("/traffic?dealer_id={dealer_id}&day={d}&saved=1")))
        }
        _ => day_page(&app, &a, l, Some(dealer_id), day, Some(v), errors, false).await,
    }
}

// ---- the report ----------------------------------------------------------------------

/// The report's table: one row per group, visitors by channel and by media source.
pub fn table(tr: &Tr, r: &TrafficReport, by: Grouping) -> Table {
    let label = |row: &TrafficRow| -> String {
        let k = row.key.as_deref().unwrap_or("");
        match by {
            Grouping::Source => tr.tv("media_source", k),
            Grouping::Channel => tr.tv("traffic_channel", k),
            Grouping::Day => k.to_string(),
            Grouping::Dealer | Grouping::Region => match &row.label {
                Some(l) => format!("{l} ({k})"),
                None => k.to_string(),
            },
        }
    };
    let cells = |first: String, row: &TrafficRow| -> Vec<Cell> {
        let mut c = vec![Cell::Text(first), Cell::Int(row.walk_in), Cell::Int(row.phone), Cell::Int(row.total)];
        c.extend(r.sources.iter().map(|s| Cell::Int(row.source(s))));
        c
    };
    let mut headers = vec![
        tr.tv("traffic.grouping", by.as_str()),
        tr.tv("traffic_channel", "walk_in"),
        tr.tv("traffic_channel", "phone"),
        tr.t("analytics.total").to_string(),
    ];
    headers.extend(r.sources.iter().map(|s| tr.tv("media_source", s)));
    Table {
        title: format!("{} · {}", tr.t("traffic.report"), tr.tv("traffic.grouping", by.as_str())),
        subtitle: crate::analytics::reports::period_text(&r.period),
        headers,
        rows: r.rows.iter().map(|row| cells(label(row), row)).collect(),
        total: Some(cells(tr.t("analytics.total").to_string(), &r.total)),
    }
}

fn chart(tr: &Tr, r: &TrafficReport, t: &Table) -> StackChart {
    let legend = r.sources.iter().map(|s| tr.tv("media_source", s)).collect();
    let rows = r
        .rows
        .iter()
        .zip(&t.rows)
        .take(31)
        .map(|(row, cells)| (cells.first().map(Cell::display).unwrap_or_default(), r.sources.iter().map(|s| row.source(s)).collect()))
        .collect();
    StackChart::new(tr.t("traffic.by_source_chart").to_string(), legend, rows)
}

#[derive(Template)]
#[template(path = "traffic/report.html")]
struct ReportPage {
    l: Layout,
    f: Frame,
    chart: Option<StackChart>,
}

pub async fn report(State(app): State<App>, Caller(a): Caller, l: Layout, Query(q): Query<PageParams>) -> PageResult {
    let groupings = Grouping::ALL.iter().map(|g| (g.as_str(), l.tv("traffic.grouping", g.as_str()))).collect();
    let mut f = Frame::new(&l, "/traffic/report", &q, groupings);
    f.options(&app.db, &a.scope).await?;
    let by = f.by.as_deref().and_then(Grouping::parse).unwrap_or(Grouping::Region);
    let r = if f.ok() { f.lift(traffic::report(&app.db, &a.scope, &f.period, by, &f.filters).await)? } else { None };
    f.table = r.as_ref().map(|r| table(&l.tr, r, by));
    let chart = match (&r, &f.table) {
        (Some(r), Some(t)) => Some(chart(&l.tr, r, t)),
        _ => None,
    };
    if let Some(download) = f.download(&app, &l, "showroom_traffic", "traffic").await {
        return download;
    }
    Ok(render(&ReportPage { l, f, chart }))
}
