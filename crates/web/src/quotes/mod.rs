//! Quotes: building a quote for a lead with a live preview of the totals and of a
//! colleague's different recent price, the printable quote, the quote list (with
//! the ones that contradicted a colleague), and the price list the quotes use.

pub mod api;
mod pages;

use autocrm_domain::access::Action::{LeadRead, LeadWrite, OrgManage};
use axum::http::Method;

use crate::routes::Routes;

pub(crate) use pages::customer_quotes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::GET, "/api/v1/quotes", LeadRead, api::list)
        .api(Method::POST, "/api/v1/quotes", LeadWrite, api::create)
        .api(Method::POST, "/api/v1/quotes/preview", LeadWrite, api::preview)
        .api(Method::GET, "/api/v1/quotes/{id}", LeadRead, api::get_one)
        .api(Method::GET, "/api/v1/vehicle-models/{id}/prices", LeadRead, api::list_prices)
        .api(Method::POST, "/api/v1/vehicle-models/{id}/prices", OrgManage, api::add_price)
        .page(Method::GET, "/quotes", LeadRead, pages::list)
        .page(Method::GET, "/quotes/new", LeadWrite, pages::new_quote)
        .page(Method::POST, "/quotes/preview", LeadWrite, pages::preview)
        .page(Method::POST, "/quotes", LeadWrite, pages::create)
        .page(Method::GET, "/quotes/{id}", LeadRead, pages::show)
        .page(Method::GET, "/price-list", LeadRead, pages::price_list)
        .page(Method::POST, "/price-list", OrgManage, pages::add_price)
}
