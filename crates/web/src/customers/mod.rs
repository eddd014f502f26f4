//! Customer 360: the golden record of persons and organizations, their contact
//! points, consents, dealer links, relationships and one timeline of everything.

pub mod api;
mod pages;

use autocrm_domain::access::Action::{CustomerRead, CustomerWrite, PiiReveal};
use axum::http::Method;

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::GET, "/api/v1/customers", CustomerRead, api::list)
        .api(Method::POST, "/api/v1/customers", CustomerWrite, api::create)
        .api(Method::GET, "/api/v1/customers/{id}", CustomerRead, api::get_one)
        .api(Method::PATCH, "/api/v1/customers/{id}", CustomerWrite, api::update)
        .api(Method::POST, "/api/v1/customers/{id}/notes", CustomerWrite, api::add_note)
        .api(Method::POST, "/api/v1/customers/{id}/commitments", CustomerWrite, api::add_commitment)
        .api(Method::POST, "/api/v1/customers/{id}/commitments/{event_id}/done", CustomerWrite, api::commitment_done)
        .api(Method::POST, "/api/v1/customers/{id}/reveal", PiiReveal, api::reveal)
        .api(Method::GET, "/api/v1/customers/{id}/timeline", CustomerRead, api::timeline_page)
        .page(Method::GET, "/customers", CustomerRead, pages::list)
        .page(Method::GET, "/customers/new", CustomerWrite, pages::new_customer)
        .page(Method::POST, "/customers", CustomerWrite, pages::create)
        .page(Method::GET, "/customers/{id}", CustomerRead, pages::show)
        .page(Method::POST, "/customers/{id}", CustomerWrite, pages::update)
        .page(Method::GET, "/customers/{id}/edit", CustomerWrite, pages::edit)
        .page(Method::POST, "/customers/{id}/notes", CustomerWrite, pages::add_note)
        .page(Method::POST, "/customers/{id}/commitments", CustomerWrite, pages::add_commitment)
        .page(Method::POST, "/customers/{id}/commitments/{event_id}/done", CustomerWrite, pages::commitment_done)
        .page(Method::POST, "/customers/{id}/reveal", PiiReveal, pages::reveal)
}
