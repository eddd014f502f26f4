//! Prospects and the sales funnel: quick capture, the lead list and page, follow-ups,
//! funnel moves and closes, the consultant's day and the manager's team view.

pub mod api;
pub mod distribution;
pub(crate) mod pages;

use autocrm_domain::access::Action::{CustomerExport, LeadManage, LeadRead, LeadWrite, OrgManage};
use axum::http::Method;

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::POST, "/api/v1/leads", LeadWrite, api::create)
        .api(Method::GET, "/api/v1/leads", LeadRead, api::list)
        .api(Method::GET, "/api/v1/leads/today", LeadRead, api::my_day)
        .api(Method::GET, "/api/v1/leads/team", LeadManage, api::team)
        .api(Method::GET, "/api/v1/leads/{id}", LeadRead, api::get_one)
        .api(Method::PATCH, "/api/v1/leads/{id}", LeadWrite, api::update)
        .api(Method::POST, "/api/v1/leads/{id}/activities", LeadWrite, api::add_activity)
        .api(Method::POST, "/api/v1/leads/{id}/stage", LeadWrite, api::move_stage)
        .api(Method::POST, "/api/v1/leads/{id}/close", LeadWrite, api::close)
        .api(Method::POST, "/api/v1/leads/{id}/close-decision", LeadManage, api::close_decision)
        .api(Method::POST, "/api/v1/leads/{id}/assign", LeadManage, api::assign)
        .api(Method::POST, "/api/v1/leads/{id}/feedback", LeadWrite, distribution::feedback)
        .api(Method::POST, "/api/v1/lead-distribution/runs", LeadManage, distribution::run_now)
        .api(Method::GET, "/api/v1/lead-distribution/runs", LeadRead, distribution::runs)
        .api(Method::GET, "/api/v1/lead-distribution/dealers", LeadRead, distribution::by_dealer)
        .api(Method::GET, "/api/v1/lead-distribution/export", CustomerExport, distribution::export)
        .api(Method::GET, "/api/v1/lead-rules", LeadRead, api::get_rules)
        .api(Method::PUT, "/api/v1/lead-rules", OrgManage, api::put_rules)
        .api(Method::PUT, "/api/v1/dealers/{id}/lead-routing", LeadManage, api::put_routing)
        .api(Method::PUT, "/api/v1/users/{id}/on-duty", LeadManage, api::put_duty)
        .page(Method::GET, "/leads", LeadRead, pages::list)
        .page(Method::GET, "/leads/new", LeadWrite, pages::new_lead)
        .page(Method::GET, "/leads/prefill", LeadWrite, pages::prefill)
        .page(Method::POST, "/leads", LeadWrite, pages::create)
        .page(Method::GET, "/leads/team", LeadManage, pages::team)
        .page(Method::GET, "/leads/distribution", LeadRead, distribution::page)
        .page(Method::POST, "/leads/distribution/run", LeadManage, distribution::run_form)
        .page(Method::POST, "/leads/{id}/feedback", LeadWrite, distribution::feedback_form)
        .page(Method::GET, "/leads/{id}", LeadRead, pages::show)
        .page(Method::POST, "/leads/{id}/activities", LeadWrite, pages::add_activity)
        .page(Method::POST, "/leads/{id}/stage", LeadWrite, pages::move_stage)
        .page(Method::POST, "/leads/{id}/follow-up", LeadWrite, pages::set_follow_up)
        .page(Method::POST, "/leads/{id}/close", LeadWrite, pages::close)
        .page(Method::POST, "/leads/{id}/close-decision", LeadManage, pages::close_decision)
        .page(Method::POST, "/leads/{id}/assign", LeadManage, pages::assign)
        .page(Method::GET, "/today", LeadRead, pages::today)
}
