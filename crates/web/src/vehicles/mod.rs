//! Vehicles and ownership: VIN-identified vehicles, the model catalog, who owned
//! each vehicle when, and odometer readings.

pub mod api;
mod pages;

use autocrm_domain::access::Action::{CustomerRead, CustomerWrite, OrgManage};
use axum::http::Method;

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::GET, "/api/v1/vehicle-models", CustomerRead, api::list_models)
        .api(Method::POST, "/api/v1/vehicle-models", OrgManage, api::create_model)
        .api(Method::PATCH, "/api/v1/vehicle-models/{id}", OrgManage, api::update_model)
        .api(Method::GET, "/api/v1/vehicles", CustomerRead, api::list_vehicles)
        .api(Method::POST, "/api/v1/vehicles", CustomerWrite, api::create_vehicle)
        .api(Method::GET, "/api/v1/vehicles/{id}", CustomerRead, api::get_vehicle)
        .api(Method::PATCH, "/api/v1/vehicles/{id}", CustomerWrite, api::update_vehicle)
        .api(Method::POST, "/api/v1/vehicles/{id}/ownership", CustomerWrite, api::change_owner)
        .api(Method::POST, "/api/v1/vehicles/{id}/readings", CustomerWrite, api::add_reading)
        .page(Method::GET, "/vehicles", CustomerRead, pages::list)
        .page(Method::GET, "/vehicles/new", CustomerWrite, pages::new_vehicle)
        .page(Method::POST, "/vehicles", CustomerWrite, pages::create_vehicle)
        .page(Method::GET, "/vehicles/{id}", CustomerRead, pages::show)
        .page(Method::GET, "/vehicles/{id}/edit", CustomerWrite, pages::edit_vehicle)
        .page(Method::POST, "/vehicles/{id}", CustomerWrite, pages::update_vehicle)
        .page(Method::POST, "/vehicles/{id}/ownership", CustomerWrite, pages::change_owner)
        .page(Method::POST, "/vehicles/{id}/readings", CustomerWrite, pages::add_reading)
}
