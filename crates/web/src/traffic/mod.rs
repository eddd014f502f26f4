//! Showroom traffic: each dealer's daily walk-ins and phone inquiries by media
//! source — the receptionist's day form and its API, and the traffic report by
//! region, dealer, source, channel or day (table, chart, Excel).

pub mod api;
mod pages;

use autocrm_domain::access::Action::{LeadReport, LeadWrite};
use axum::http::Method;

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::GET, "/api/v1/dealers/{id}/traffic/{day}", LeadWrite, api::get_day)
        .api(Method::PUT, "/api/v1/dealers/{id}/traffic/{day}", LeadWrite, api::put_day)
        .api(Method::GET, "/api/v1/traffic", LeadReport, api::report)
        .page(Method::GET, "/traffic", LeadWrite, pages::day)
        .page(Method::POST, "/traffic", LeadWrite, pages::save)
        .page(Method::GET, "/traffic/report", LeadReport, pages::report)
}
