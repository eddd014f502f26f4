//! Long-lived API tokens for integrations, managed by admins.

pub mod api;
mod pages;

use autocrm_domain::access::Action::ApiTokenManage;
use axum::http::Method;

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::GET, "/api/v1/api-tokens", ApiTokenManage, api::list)
        .api(Method::POST, "/api/v1/api-tokens", ApiTokenManage, api::create)
        .api(Method::DELETE, "/api/v1/api-tokens/{id}", ApiTokenManage, api::revoke)
        .page(Method::GET, "/api-tokens", ApiTokenManage, pages::list)
        .page(Method::POST, "/api-tokens", ApiTokenManage, pages::create)
        .page(Method::POST, "/api-tokens/{id}/revoke", ApiTokenManage, pages::revoke)
}
