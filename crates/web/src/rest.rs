//! Conventions every JSON resource follows: ETag/If-Match versions, 201 with
//! Location on create, pages with `next_cursor`.

use autocrm_store::page::{Page, PageRequest, SortField};
use autocrm_store::record::Record;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult};

/// A record with its version as the ETag.
pub fn ok<T: Record>(rec: T) -> Response {
    with_etag(StatusCode::OK, rec, None)
}

pub fn created<T: Record>(rec: T, base: &str) -> Response {
    let location = format!("{base}/{}", rec.id());
    with_etag(StatusCode::CREATED, rec, Some(location))
}

fn with_etag<T: Record>(status: StatusCode, rec: T, location: Option<String>) -> Response {
    let etag = format!("\"{}\"", rec.version());
    let mut r = (status, axum::Json(rec)).into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    if let Some(l) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        r.headers_mut().insert(header::LOCATION, l);
    }
    r
}

/// The version an update expects: `If-Match` header, else the body's `version`.
pub fn expected_version(headers: &HeaderMap, body: Option<i64>) -> ApiResult<i64> {
    crate::extract::if_match(headers)
        .or(body)
        .ok_or_else(|| ApiError::field("version", "is required: send the version you read (or an If-Match header)"))
}

/// Paging and sorting parameters shared by every list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Items per page, 1–500 (default 50).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// A sort field, `-field` for descending.
    pub sort: Option<String>,
}

impl Paging {
    pub fn request(&self, allowed: &[SortField], default: &str) -> ApiResult<PageRequest> {
        Ok(PageRequest::parse(self.limit, self.sort.as_deref(), self.cursor.as_deref(), allowed, default)?)
    }
}

/// One page of a list.
#[derive(Serialize, ToSchema)]
pub struct PageOf<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

pub fn page<T: Serialize>(p: Page<T>) -> Response {
    axum::Json(p).into_response()
}

/// Parses an optional boolean query value (`true`/`false`/`1`/`0`).
pub fn parse_bool(field: &str, v: Option<&str>) -> ApiResult<Option<bool>> {
    match v {
        None | Some("") => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(_) => Err(ApiError::field(field, "must be true or false")),
    }
}
