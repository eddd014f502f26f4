//! Identity resolution: the same person entered twice is found, reviewed, merged
//! with all history kept — and a wrong merge can be undone.

pub mod api;
mod pages;

use autocrm_domain::access::Action::CustomerMerge;
use axum::http::Method;

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::GET, "/api/v1/identity/reviews", CustomerMerge, api::list_reviews)
        .api(Method::GET, "/api/v1/identity/reviews/{id}", CustomerMerge, api::get_review)
        .api(Method::POST, "/api/v1/identity/reviews/{id}/dismiss", CustomerMerge, api::dismiss_review)
        .api(Method::POST, "/api/v1/identity/merges", CustomerMerge, api::create_merge)
        .api(Method::GET, "/api/v1/identity/merges/{id}", CustomerMerge, api::get_merge)
        .api(Method::POST, "/api/v1/identity/merges/{id}/undo", CustomerMerge, api::undo_merge)
        .page(Method::GET, "/identity", CustomerMerge, pages::queue)
        .page(Method::GET, "/identity/reviews/{id}", CustomerMerge, pages::review)
        .page(Method::POST, "/identity/reviews/{id}/merge", CustomerMerge, pages::merge)
        .page(Method::POST, "/identity/reviews/{id}/dismiss", CustomerMerge, pages::dismiss)
        .page(Method::GET, "/identity/merges/{id}", CustomerMerge, pages::show_merge)
        .page(Method::POST, "/identity/merges/{id}/undo", CustomerMerge, pages::undo)
}
