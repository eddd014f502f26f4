//! JSON API of showroom traffic: a dealer's day (recorded, or suggested from the
//! day's leads), saving it cell by cell, and the traffic report over a period
//! (`format=xlsx`: the same table as an audited Excel file).

use autocrm_domain::traffic::{BAD_GROUPING, Grouping, RawCell, check_cells, parse_day};
use autocrm_store::analytics::Filters;
use autocrm_store::traffic::{self, DayTraffic, TrafficCell, TrafficReport, TrafficRow};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};

use crate::App;
use crate::analytics::api::{ReportParams, export, filename, period, wants_xlsx};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{Json, Query};
use crate::i18n::Tr;

#[derive(OpenApi)]
#[openapi(paths(get_day, put_day, report), components(schemas(DayTraffic, TrafficCell, DayIn, CellIn, TrafficReport, TrafficRow)))]
pub struct Doc;

/// The dealer id and day of `/dealers/{id}/traffic/{day}`: a non-numeric id is
/// simply not found, a bad day names the `day` field.
fn dealer_day(raw: (String, String)) -> ApiResult<(i64, NaiveDate)> {
    let id = raw.0.parse().map_err(|_| ApiError::not_found())?;
    Ok((id, parse_day(&raw.1, autocrm_store::customers::today())?))
}

/// A dealer's day: every cell of the grid (channels × media sources); when the
/// store has not recorded the day yet, the counts its captured walk-in and
/// phone-in leads suggest.
#[utoipa::path(get, path = "/api/v1/dealers/{id}/traffic/{day}", tag = "traffic",
    params(("id" = i64, Path), ("day" = String, Path, description = "YYYY-MM-DD (China time)")),
    responses((status = 200, body = DayTraffic), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn get_day(State(app): State<App>, Caller(a): Caller, Path(raw): Path<(String, String)>) -> ApiResult<Response> {
    let (id, day) = dealer_day(raw)?;
    Ok(axum::Json(traffic::day(&app.db, &a.scope, id, day).await?).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayIn {
    /// The cells to set; cells not given keep their count.
    pub counts: Vec<CellIn>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CellIn {
    /// `walk_in` or `phone`.
    pub channel: String,
    /// `internet`, `auto_portal`, `tv`, `radio`, `newspaper`, `outdoor`, `referral`, `auto_show`, `passing_by`, `other`.
    pub source: String,
    /// 0–9999.
    pub visits: i64,
}

/// Record a dealer's day: each cell is upserted (dealer, day, channel, source);
/// only changed cells are written and audited, so repeating the call is harmless.
#[utoipa::path(put, path = "/api/v1/dealers/{id}/traffic/{day}", tag = "traffic",
    params(("id" = i64, Path), ("day" = String, Path, description = "YYYY-MM-DD (China time), not in the future")), request_body = DayIn,
    responses((status = 200, body = DayTraffic), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn put_day(State(app): State<App>, Caller(a): Caller, Path(raw): Path<(String, String)>, Json(i): Json<DayIn>) -> ApiResult<Response> {
    let (id, day) = dealer_day(raw)?;
    let raw: Vec<RawCell> = i.counts.into_iter().map(|c| RawCell { channel: c.channel, source: c.source, visits: c.visits }).collect();
    let cells = check_cells(&raw)?;
    Ok(axum::Json(traffic::record(&app.db, &a, id, day, &cells).await?).into_response())
}

pub fn grouping(by: Option<&str>) -> ApiResult<Grouping> {
    match by.map(str::trim).filter(|b| !b.is_empty()) {
        None => Ok(Grouping::Region),
        Some(b) => Grouping::parse(b).ok_or_else(|| ApiError::field("by", BAD_GROUPING)),
    }
}

/// Walk-ins and phone inquiries over a period within your scope, grouped by
/// dealer, region, media source, channel or day, each row split by media source.
#[utoipa::path(get, path = "/api/v1/traffic", tag = "traffic", params(ReportParams),
    responses((status = 200, description = "the report; with format=xlsx the same table as an Excel file",
            content((TrafficReport = "application/json"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 422, body = ErrorResponse)))]
pub async fn report(State(app): State<App>, Caller(a): Caller, Query(q): Query<ReportParams>) -> ApiResult<Response> {
    let (p, by, xlsx) = (period(q.from.as_deref(), q.to.as_deref())?, grouping(q.by.as_deref())?, wants_xlsx(q.format.as_deref())?);
    let filters = Filters { dealer_id: q.dealer_id, region_id: q.region_id };
    let r = traffic::report(&app.db, &a.scope, &p, by, &filters).await?;
    if xlsx {
        let table = super::pages::table(&Tr::new(&a.locale), &r, by);
        let params = serde_json::json!({"period": p, "by": by.as_str(), "filters": filters});
        return export(&app, &a, "showroom_traffic", &table, params, &filename("traffic", Some(by.as_str()), &p)).await;
    }
    Ok(axum::Json(r).into_response())
}
