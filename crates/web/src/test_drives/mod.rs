//! Test drives: the dealer's demo fleet (managed by the dealer's managers), booking
//! a car for a lead's customer with a consultant, recording how the drive went, the
//! day's schedule per car and the bookings on a lead.
//!
//! Demo cars are managed with `LeadManage`: the fleet is sales equipment whose
//! bookings drive the funnel, managed by the same people who assign leads (dealer,
//! group and OEM sales managers); `DepartmentManage` is about the org chart and
//! would not fit an OEM sales-ops user who runs the network's demo programme.

pub mod api;
mod pages;

use autocrm_domain::access::Action::{LeadManage, LeadRead, LeadWrite};
use axum::http::Method;

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::GET, "/api/v1/demo-cars", LeadRead, api::list_cars)
        .api(Method::POST, "/api/v1/demo-cars", LeadManage, api::create_car)
        .api(Method::GET, "/api/v1/demo-cars/{id}", LeadRead, api::get_car)
        .api(Method::PATCH, "/api/v1/demo-cars/{id}", LeadManage, api::update_car)
        .api(Method::GET, "/api/v1/test-drives", LeadRead, api::list)
        .api(Method::POST, "/api/v1/test-drives", LeadWrite, api::create)
        .api(Method::GET, "/api/v1/test-drives/{id}", LeadRead, api::get_one)
        .api(Method::POST, "/api/v1/test-drives/{id}/complete", LeadWrite, api::complete)
        .api(Method::POST, "/api/v1/test-drives/{id}/cancel", LeadWrite, api::cancel)
        .api(Method::POST, "/api/v1/test-drives/{id}/no-show", LeadWrite, api::no_show)
        .page(Method::GET, "/test-drives", LeadRead, pages::schedule)
        .page(Method::GET, "/test-drives/new", LeadWrite, pages::new_booking)
        .page(Method::POST, "/test-drives", LeadWrite, pages::create)
        .page(Method::GET, "/test-drives/{id}", LeadRead, pages::show)
        .page(Method::POST, "/test-drives/{id}/complete", LeadWrite, pages::complete)
        .page(Method::POST, "/test-drives/{id}/cancel", LeadWrite, pages::cancel)
        .page(Method::POST, "/test-drives/{id}/no-show", LeadWrite, pages::no_show)
        .page(Method::GET, "/demo-cars", LeadManage, pages::cars)
        .page(Method::POST, "/demo-cars", LeadManage, pages::create_car)
        .page(Method::GET, "/demo-cars/{id}", LeadManage, pages::car)
        .page(Method::POST, "/demo-cars/{id}", LeadManage, pages::update_car)
}
