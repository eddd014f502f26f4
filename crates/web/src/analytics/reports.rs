//! Each report as the manager sees it: the table (the same one the Excel export
//! writes) and its charts, with every label in the reader's language.

use autocrm_domain::analytics::{Dimension, Period};
use autocrm_domain::leads::Stage;
use autocrm_store::analytics::forecast::ForecastReport;
use autocrm_store::analytics::{FunnelReport, FunnelRow, TimelinessReport, TimelinessRow};

use super::charts::{BarChart, Funnel, PairChart};
use super::table::{Cell, Table};
use crate::i18n::Tr;

/// `2026-01-01 – 2026-12-31`.
pub fn period_text(p: &Period) -> String {
    format!("{} – {}", p.from, p.to)
}

/// The name of a row's group in the reader's language.
pub fn group_label(tr: &Tr, by: Dimension, key: Option<&str>, label: Option<&str>) -> String {
    let none = || tr.t("analytics.none").to_string();
    match by {
        Dimension::Source => key.map_or_else(none, |k| tr.tv("lead_source", k)),
        Dimension::Timeframe => key.map_or_else(none, |k| tr.tv("lead_timeframe", k)),
        Dimension::Grade => key.map_or_else(none, |k| tr.tv("lead_grade", k)),
        Dimension::Event => key.map_or_else(none, str::to_string),
        Dimension::Dealer | Dimension::Region | Dimension::Consultant => match (label, key) {
            (Some(l), Some(k)) if by != Dimension::Consultant => format!("{l} ({k})"),
            (Some(l), _) => l.to_string(),
            (None, Some(k)) => k.to_string(),
            (None, None) => tr.t("analytics.unassigned").to_string(),
        },
    }
}

fn funnel_cells(first: String, r: &FunnelRow) -> Vec<Cell> {
    let s = &r.step_rates;
    vec![
        Cell::Text(first),
        Cell::Int(r.leads),
        Cell::Int(r.contacted),
        Cell::Rate(s.contacted),
        Cell::Int(r.visited),
        Cell::Rate(s.visited),
        Cell::Int(r.test_drive),
        Cell::Rate(s.test_drive),
        Cell::Int(r.quoted),
        Cell::Rate(s.quoted),
        Cell::Int(r.ordered),
        Cell::Rate(s.ordered),
        Cell::Int(r.delivered),
        Cell::Rate(s.delivered),
        Cell::Rate(r.order_rate),
        Cell::Rate(r.delivery_rate),
        Cell::Int(r.lost),
        Cell::Int(r.invalid),
        Cell::Int(r.cancelled),
    ]
}

pub fn funnel_table(tr: &Tr, r: &FunnelReport, by: Dimension) -> Table {
    let t = |k: &str| tr.t(k).to_string();
    let stage = |s: Stage| tr.tv("lead_stage", s.as_str());
    let rate = |s: Stage| format!("{}{}", stage(s), tr.t("analytics.rate_suffix"));
    let headers = vec![
        tr.tv("analytics.dimension", by.as_str()),
        t("analytics.leads"),
        stage(Stage::Contacted),
        rate(Stage::Contacted),
        stage(Stage::ShowroomVisit),
        rate(Stage::ShowroomVisit),
        stage(Stage::TestDrive),
        rate(Stage::TestDrive),
        stage(Stage::Quote),
        rate(Stage::Quote),
        stage(Stage::Order),
        rate(Stage::Order),
        stage(Stage::Delivered),
        rate(Stage::Delivered),
        t("analytics.order_rate"),
        t("analytics.delivery_rate"),
        stage(Stage::Lost),
        stage(Stage::Invalid),
        t("analytics.cancelled"),
    ];
    Table {
        title: format!("{} · {}", t("analytics.funnel"), tr.tv("analytics.dimension", by.as_str())),
        subtitle: period_text(&r.period),
        headers,
        rows: r.rows.iter().map(|row| funnel_cells(group_label(tr, by, row.key.as_deref(), row.label.as_deref()), row)).collect(),
        total: Some(funnel_cells(t("analytics.total"), &r.total)),
    }
}

/// The funnel of all leads in the report, and the order rate of each group.
pub fn funnel_charts(tr: &Tr, r: &FunnelReport, by: Dimension) -> (Funnel, BarChart) {
    let steps = r.total.counts().steps().iter().map(|(s, n)| (if *s == Stage::New { tr.t("analytics.leads").to_string() } else { tr.tv("lead_stage", s.as_str()) }, *n)).collect();
    let funnel = Funnel::new(tr.t("analytics.funnel_chart").to_string(), steps, r.total.counts().step_rates().to_vec());
    let by_group = BarChart::rates(
        format!("{} · {}", tr.t("analytics.order_rate"), tr.tv("analytics.dimension", by.as_str())),
        r.rows.iter().take(20).map(|row| (group_label(tr, by, row.key.as_deref(), row.label.as_deref()), row.order_rate)).collect(),
    );
    (funnel, by_group)
}

pub fn forecast_table(tr: &Tr, r: &ForecastReport) -> Table {
    let t = |k: &str| tr.t(k).to_string();
    let headers = ["analytics.timeframe", "analytics.leads", "analytics.open", "analytics.ordered", "lead_stage.delivered", "analytics.expected_rate",
        "analytics.expected_orders", "analytics.actual_rate", "analytics.projected_orders"]
        .iter()
        .map(|k| t(k))
        .collect();
    let mut rows: Vec<Vec<Cell>> = r
        .lines
        .iter()
        .map(|l| {
            vec![
                Cell::Text(l.timeframe.as_deref().map_or_else(|| t("analytics.total"), |k| tr.tv("lead_timeframe", k))),
                Cell::Int(l.leads),
                Cell::Int(l.open),
                Cell::Int(l.ordered),
                Cell::Int(l.delivered),
                Cell::Rate(l.expected_rate),
                Cell::Num(l.expected_orders),
                Cell::Rate(l.actual_rate),
                Cell::Num(l.projected_orders),
            ]
        })
        .collect();
    let total = rows.pop();
    Table { title: t("analytics.forecast"), subtitle: period_text(&r.period), headers, rows, total }
}

pub fn forecast_chart(tr: &Tr, r: &ForecastReport) -> PairChart {
    PairChart::rates(
        tr.t("analytics.expected_vs_actual").to_string(),
        (tr.t("analytics.expected_rate").to_string(), tr.t("analytics.actual_rate").to_string()),
        r.lines.iter().filter_map(|l| Some((tr.tv("lead_timeframe", l.timeframe.as_deref()?), l.expected_rate, l.actual_rate))).collect(),
    )
}

fn timeliness_cells(first: String, r: &TimelinessRow) -> Vec<Cell> {
    vec![
        Cell::Text(first),
        Cell::Int(r.leads),
        Cell::Int(r.contacted_in_time),
        Cell::Int(r.contacted_late),
        Cell::Int(r.not_contacted),
        Cell::Rate(r.contact_rate),
        Cell::Int(r.open),
        Cell::Int(r.overdue),
        Cell::Rate(r.overdue_rate),
        Cell::Int(r.distributed),
        Cell::Int(r.feedback_on_time),
        Cell::Int(r.feedback_late),
        Cell::Int(r.feedback_missing),
        Cell::Rate(r.feedback_rate),
    ]
}

fn dealer_label(tr: &Tr, r: &TimelinessRow) -> String {
    group_label(tr, Dimension::Dealer, r.dealer_code.as_deref(), r.dealer_name.as_deref())
}

pub fn timeliness_table(tr: &Tr, r: &TimelinessReport) -> Table {
    let t = |k: &str| tr.t(k).to_string();
    let headers = [
        "analytics.dealer", "analytics.leads", "analytics.contacted_in_time", "analytics.contacted_late", "analytics.not_contacted",
        "analytics.contact_rate", "analytics.open", "analytics.overdue", "analytics.overdue_rate", "analytics.distributed",
        "analytics.feedback_on_time", "analytics.feedback_late", "analytics.feedback_missing", "analytics.feedback_rate",
    ]
    .iter()
    .map(|k| t(k))
    .collect();
    Table {
        title: t("analytics.timeliness"),
        subtitle: format!("{} · {}", period_text(&r.period), tr.t("analytics.first_contact_hours").replace("{h}", &r.first_contact_hours.to_string())),
        headers,
        rows: r.rows.iter().map(|row| timeliness_cells(dealer_label(tr, row), row)).collect(),
        total: Some(timeliness_cells(t("analytics.total"), &r.total)),
    }
}

pub fn timeliness_charts(tr: &Tr, r: &TimelinessReport) -> (BarChart, BarChart) {
    let rows = || r.rows.iter().take(20);
    (
        BarChart::rates(tr.t("analytics.contact_rate").to_string(), rows().map(|x| (dealer_label(tr, x), x.contact_rate)).collect()),
        BarChart::rates(tr.t("analytics.feedback_rate").to_string(), rows().map(|x| (dealer_label(tr, x), x.feedback_rate)).collect()),
    )
}
