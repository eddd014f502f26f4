//! The network's structure: regions, dealer groups, dealers and their departments.

pub mod api;
mod pages;

use autocrm_domain::access::Action::{DepartmentManage, OrgManage, OrgRead};
use axum::http::Method;

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::GET, "/api/v1/regions", OrgRead, api::list_regions)
        .api(Method::POST, "/api/v1/regions", OrgManage, api::create_region)
        .api(Method::GET, "/api/v1/regions/{id}", OrgRead, api::get_region)
        .api(Method::PATCH, "/api/v1/regions/{id}", OrgManage, api::update_region)
        .api(Method::GET, "/api/v1/dealer-groups", OrgRead, api::list_groups)
        .api(Method::POST, "/api/v1/dealer-groups", OrgManage, api::create_group)
        .api(Method::GET, "/api/v1/dealer-groups/{id}", OrgRead, api::get_group)
        .api(Method::PATCH, "/api/v1/dealer-groups/{id}", OrgManage, api::update_group)
        .api(Method::GET, "/api/v1/dealers", OrgRead, api::list_dealers)
        .api(Method::POST, "/api/v1/dealers", OrgManage, api::create_dealer)
        .api(Method::GET, "/api/v1/dealers/{id}", OrgRead, api::get_dealer)
        .api(Method::PATCH, "/api/v1/dealers/{id}", OrgManage, api::update_dealer)
        .api(Method::GET, "/api/v1/departments", OrgRead, api::list_departments)
        .api(Method::POST, "/api/v1/departments", DepartmentManage, api::create_department)
        .api(Method::GET, "/api/v1/departments/{id}", OrgRead, api::get_department)
        .api(Method::PATCH, "/api/v1/departments/{id}", DepartmentManage, api::update_department)
        .page(Method::GET, "/org/dealers", OrgRead, pages::dealers)
        .page(Method::GET, "/org/dealers/new", OrgManage, pages::new_dealer)
        .page(Method::POST, "/org/dealers", OrgManage, pages::create_dealer)
        .page(Method::GET, "/org/dealers/{id}", OrgRead, pages::dealer)
        .page(Method::GET, "/org/dealers/{id}/edit", OrgManage, pages::edit_dealer)
        .page(Method::POST, "/org/dealers/{id}", OrgManage, pages::update_dealer)
        .page(Method::POST, "/org/dealers/{id}/departments", DepartmentManage, pages::create_department)
        .page(Method::GET, "/org/regions", OrgManage, pages::regions)
        .page(Method::POST, "/org/regions", OrgManage, pages::create_region)
        .page(Method::POST, "/org/groups", OrgManage, pages::create_group)
}
