//! Staff accounts: one's own profile and password, and user administration.

pub mod api;
mod pages;

use autocrm_domain::access::Action::{SelfService, UserManage, UserRead};
use axum::http::Method;

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::GET, "/api/v1/me", SelfService, api::me)
        .api(Method::POST, "/api/v1/me/password", SelfService, api::change_own_password)
        .api(Method::GET, "/api/v1/users", UserRead, api::list_users)
        .api(Method::POST, "/api/v1/users", UserManage, api::create_user)
        .api(Method::GET, "/api/v1/users/{id}", UserRead, api::get_user)
        .api(Method::PATCH, "/api/v1/users/{id}", UserManage, api::update_user)
        .api(Method::POST, "/api/v1/users/{id}/password", UserManage, api::reset_password)
        .page(Method::GET, "/account", SelfService, pages::account)
        .page(Method::POST, "/account/password", SelfService, pages::change_password)
        .page(Method::GET, "/users", UserRead, pages::list)
        .page(Method::GET, "/users/new", UserManage, pages::new_user)
        .page(Method::POST, "/users", UserManage, pages::create)
        .page(Method::GET, "/users/{id}", UserRead, pages::show)
        .page(Method::POST, "/users/{id}", UserManage, pages::update)
        .page(Method::POST, "/users/{id}/password", UserManage, pages::reset_password)
}
