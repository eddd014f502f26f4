//! Bulk import of customers and vehicles from CSV and Excel, with a dry run, a
//! row-by-row report and identity resolution; and export of lists.

pub mod api;
mod pages;

use autocrm_domain::access::Action::{CustomerExport, CustomerImport};
use axum::http::Method;

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.api(Method::POST, "/api/v1/imports", CustomerImport, api::upload)
        .api(Method::GET, "/api/v1/imports/{id}", CustomerImport, api::get_job)
        .api(Method::PUT, "/api/v1/imports/{id}/mapping", CustomerImport, api::set_mapping)
        .api(Method::POST, "/api/v1/imports/{id}/commit", CustomerImport, api::commit)
        .api(Method::GET, "/api/v1/imports/{id}/report.csv", CustomerImport, api::report_csv)
        .api(Method::GET, "/api/v1/exports/customers", CustomerExport, api::export_customers)
        .page(Method::GET, "/imports", CustomerImport, pages::list)
        .page(Method::POST, "/imports/upload", CustomerImport, pages::upload)
        .page(Method::GET, "/imports/{id}", CustomerImport, pages::show)
        .page(Method::POST, "/imports/{id}/mapping", CustomerImport, pages::set_mapping)
        .page(Method::POST, "/imports/{id}/commit", CustomerImport, pages::commit)
        .page(Method::GET, "/imports/{id}/progress", CustomerImport, pages::progress)
        .page(Method::GET, "/imports/{id}/report.csv", CustomerImport, pages::report_csv)
        .page(Method::GET, "/exports/customers", CustomerExport, pages::export)
}
