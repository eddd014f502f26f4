//! The audit trail, read-only: who changed what, when, before and after.

pub mod api;
mod pages;

use autocrm_domain::access::Action::AuditRead;
use axum::http::Method;

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::GET, "/api/v1/audit-events", AuditRead, api::list).page(Method::GET, "/audit", AuditRead, pages::list)
}
