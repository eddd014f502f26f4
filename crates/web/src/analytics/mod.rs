//! Funnel analytics: the funnel and conversion by one dimension at a time,
//! expected against actual conversion per timeframe, and follow-up timeliness per
//! dealer — as JSON, as pages with charts, and as audited Excel exports of the
//! same tables.

pub mod api;
pub mod charts;
pub mod pages;
pub mod reports;
pub mod table;

use autocrm_domain::access::Action::LeadReport;
use axum::http::Method;

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::GET, "/api/v1/analytics/funnel", LeadReport, api::funnel)
        .api(Method::GET, "/api/v1/analytics/conversion-forecast", LeadReport, api::conversion_forecast)
        .api(Method::GET, "/api/v1/analytics/follow-up-timeliness", LeadReport, api::follow_up_timeliness)
        .page(Method::GET, "/analytics", LeadReport, pages::funnel)
        .page(Method::GET, "/analytics/forecast", LeadReport, pages::forecast)
        .page(Method::GET, "/analytics/timeliness", LeadReport, pages::timeliness)
}
