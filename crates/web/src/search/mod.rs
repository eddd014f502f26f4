//! Finding people fast: the one search box (mobile, name, pinyin, VIN tail, plate…)
//! and the hotline's screen-pop by phone number.

pub mod api;
mod pages;

use autocrm_domain::access::Action::CustomerRead;
use axum::http::Method;

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::GET, "/api/v1/search", CustomerRead, api::search)
        .api(Method::GET, "/api/v1/screen-pop", CustomerRead, api::screen_pop)
        .page(Method::GET, "/search", CustomerRead, pages::results)
        .page(Method::GET, "/search/suggest", CustomerRead, pages::suggest)
        .page(Method::GET, "/screen-pop", CustomerRead, pages::screen_pop)
}
