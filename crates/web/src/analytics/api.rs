//! JSON API of the funnel analytics: the funnel by one dimension, expected against
//! actual conversion, and follow-up timeliness, each for a period and within the
//! caller's scope; `format=xlsx` returns the same table as an audited Excel file.

use autocrm_domain::analytics::{BAD_DIMENSION, Dimension, Period};
use autocrm_store::analytics::forecast::{ForecastLine, ForecastReport};
use autocrm_store::analytics::funnel::StepRates;
use autocrm_store::analytics::{self, Filters, FunnelReport, FunnelRow, TimelinessReport, TimelinessRow};
use autocrm_store::auth::Actor;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use super::reports;
use super::table::Table;
use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::Query;
use crate::i18n::Tr;

#[derive(OpenApi)]
#[openapi(
    paths(funnel, conversion_forecast, follow_up_timeliness),
    components(schemas(FunnelReport, FunnelRow, StepRates, Filters, ForecastReport, ForecastLine, TimelinessReport, TimelinessRow))
)]
pub struct Doc;

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The period of a report from `from`/`to` (China days; default: the last 90 days).
pub fn period(from: Option<&str>, to: Option<&str>) -> ApiResult<Period> {
    Ok(Period::parse(from, to, autocrm_store::customers::today())?)
}

/// `json` (default) or `xlsx`.
pub fn wants_xlsx(format: Option<&str>) -> ApiResult<bool> {
    match format.map(str::trim) {
        None | Some("" | "json") => Ok(false),
        Some("xlsx") => Ok(true),
        Some(_) => Err(ApiError::field("format", "must be json or xlsx")),
    }
}

/// The table as an Excel download; the export is audited first (a failed audit
/// means no file).
pub async fn export(app: &App, a: &Actor, entity: &str, table: &Table, params: serde_json::Value, filename: &str) -> ApiResult<Response> {
    let bytes = table.xlsx().map_err(|e| ApiError::from(autocrm_store::StoreError::Decode(e.to_string())))?;
    analytics::record_export(&app.db, a, entity, table.len(), params).await?;
    let mut r = crate::imports::api::download(bytes, XLSX, filename);
    if let Ok(v) = HeaderValue::from_str(&table.len().to_string()) {
        r.headers_mut().insert("x-row-count", v);
    }
    Ok(r)
}

/// `funnel-source-20260101-20261231.xlsx`
pub fn filename(report: &str, by: Option<&str>, p: &Period) -> String {
    let by = by.map(|b| format!("-{b}")).unwrap_or_default();
    format!("{report}{by}-{}-{}.xlsx", p.from.format("%Y%m%d"), p.to.format("%Y%m%d"))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// First day (China time, `YYYY-MM-DD`); default: 89 days before `to`.
    pub from: Option<String>,
    /// Last day, included; default: today.
    pub to: Option<String>,
    /// The grouping of the rows. Funnel: `source` (default), `event`, `timeframe`,
    /// `grade`, `dealer`, `consultant`, `region`. Traffic: `region` (default),
    /// `dealer`, `source`, `channel`, `day`.
    pub by: Option<String>,
    /// Only this dealer (within your scope).
    pub dealer_id: Option<i64>,
    /// Only this region's dealers (within your scope).
    pub region_id: Option<i64>,
    /// `json` (default) or `xlsx`.
    pub format: Option<String>,
}

pub fn dimension(by: Option<&str>) -> ApiResult<Dimension> {
    match by.map(str::trim).filter(|b| !b.is_empty()) {
        None => Ok(Dimension::Source),
        Some(b) => Dimension::parse(b).ok_or_else(|| ApiError::field("by", BAD_DIMENSION)),
    }
}

/// The funnel of the leads created in the period, grouped by one dimension:
/// counts reaching each stage, lost and invalid, stage-to-stage and lead → order /
/// delivered rates. `format=xlsx`: the same table as an Excel file (audited).
#[utoipa::path(get, path = "/api/v1/analytics/funnel", tag = "analytics", params(ReportParams),
    responses((status = 200, description = "the report; with format=xlsx the same table as an Excel file",
            content((FunnelReport = "application/json"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 422, body = ErrorResponse)))]
pub async fn funnel(State(app): State<App>, Caller(a): Caller, Query(q): Query<ReportParams>) -> ApiResult<Response> {
    let (p, by, xlsx) = (period(q.from.as_deref(), q.to.as_deref())?, dimension(q.by.as_deref())?, wants_xlsx(q.format.as_deref())?);
    let filters = Filters { dealer_id: q.dealer_id, region_id: q.region_id };
    let r = analytics::funnel(&app.db, &a.scope, &p, by, &filters).await?;
    if xlsx {
        let table = reports::funnel_table(&Tr::new(&a.locale), &r, by);
        let params = serde_json::json!({"period": p, "by": by.as_str(), "filters": filters});
        return export(&app, &a, "analytics_funnel", &table, params, &filename("funnel", Some(by.as_str()), &p)).await;
    }
    Ok(axum::Json(r).into_response())
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// First day (China time, `YYYY-MM-DD`); default: 89 days before `to`.
    pub from: Option<String>,
    /// Last day, included; default: today.
    pub to: Option<String>,
    pub dealer_id: Option<i64>,
    pub region_id: Option<i64>,
    /// `json` (default) or `xlsx`.
    pub format: Option<String>,
}

/// Expected against actual conversion per purchase timeframe: the OEM's grading
/// rules' conversion rates against the orders of the leads created in the period,
/// and the orders to expect from the prospects still open.
#[utoipa::path(get, path = "/api/v1/analytics/conversion-forecast", tag = "analytics", params(PeriodParams),
    responses((status = 200, description = "the report; with format=xlsx the same table as an Excel file",
            content((ForecastReport = "application/json"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 422, body = ErrorResponse)))]
pub async fn conversion_forecast(State(app): State<App>, Caller(a): Caller, Query(q): Query<PeriodParams>) -> ApiResult<Response> {
    let (p, xlsx) = (period(q.from.as_deref(), q.to.as_deref())?, wants_xlsx(q.format.as_deref())?);
    let filters = Filters { dealer_id: q.dealer_id, region_id: q.region_id };
    let r = analytics::conversion_forecast(&app.db, &a.scope, &p, &filters).await?;
    if xlsx {
        let table = reports::forecast_table(&Tr::new(&a.locale), &r);
        let params = serde_json::json!({"period": p, "filters": filters});
        return export(&app, &a, "analytics_forecast", &table, params, &filename("conversion-forecast", None, &p)).await;
    }
    Ok(axum::Json(r).into_response())
}

/// Lead follow-up timeliness per dealer over the leads created in the period:
/// first contact within the grading rules' hours, open leads overdue now, and
/// feedback on distributed leads on time, late or missing.
#[utoipa::path(get, path = "/api/v1/analytics/follow-up-timeliness", tag = "analytics", params(PeriodParams),
    responses((status = 200, description = "the report; with format=xlsx the same table as an Excel file",
            content((TimelinessReport = "application/json"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 422, body = ErrorResponse)))]
pub async fn follow_up_timeliness(State(app): State<App>, Caller(a): Caller, Query(q): Query<PeriodParams>) -> ApiResult<Response> {
    let (p, xlsx) = (period(q.from.as_deref(), q.to.as_deref())?, wants_xlsx(q.format.as_deref())?);
    let filters = Filters { dealer_id: q.dealer_id, region_id: q.region_id };
    let r = analytics::timeliness(&app.db, &a.scope, &p, &filters, autocrm_store::now()).await?;
    if xlsx {
        let table = reports::timeliness_table(&Tr::new(&a.locale), &r);
        let params = serde_json::json!({"period": p, "filters": filters});
        return export(&app, &a, "analytics_timeliness", &table, params, &filename("follow-up-timeliness", None, &p)).await;
    }
    Ok(axum::Json(r).into_response())
}
