//! JSON API of identity resolution: the review queue, merges and their undo.

use autocrm_store::identity::{self, Merge, MergeRequest, REVIEW_SORT, Review};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;

use crate::App;
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{Id, Json, Query};
use crate::rest::{self, Paging};

/// This capability's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(list_reviews, get_review, dismiss_review, create_merge, get_merge, undo_merge),
    components(schemas(Review, identity::PairSide, Merge, MergeRequest, identity::Side))
)]
pub struct Doc;

/// The review queue: open pairs of customers that may be one person, both
/// visible to you, highest score first (`sort=-score`, the default; or `id`).
#[utoipa::path(get, path = "/api/v1/identity/reviews", tag = "identity", params(Paging),
    responses((status = 200, body = inline(rest::PageOf<Review>)), (status = 422, body = ErrorResponse)))]
pub async fn list_reviews(State(app): State<App>, Caller(a): Caller, Query(p): Query<Paging>) -> ApiResult<Response> {
    let p = p.request(&REVIEW_SORT, "-score")?;
    Ok(rest::page(identity::queue(&app.db, &a.scope, &p).await?))
}

/// One pair of the queue.
#[utoipa::path(get, path = "/api/v1/identity/reviews/{id}", tag = "identity", params(("id" = i64, Path)),
    responses((status = 200, body = Review), (status = 404, body = ErrorResponse)))]
pub async fn get_review(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    Ok(axum::Json(identity::review(&app.db, &a.scope, id).await?).into_response())
}

/// "Not the same person": the pair leaves the queue for good (audited).
#[utoipa::path(post, path = "/api/v1/identity/reviews/{id}/dismiss", tag = "identity", params(("id" = i64, Path)),
    responses((status = 200, body = Review), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn dismiss_review(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    Ok(axum::Json(identity::dismiss(&app.db, &a, id).await?).into_response())
}

/// Merge `merged_id` into `survivor_id`: for each field in `choices` (`name`,
/// `gender`, `birthday`, `occupation`, `id_number`, `uscc`, `mobile`, `email`,
/// `address`, `tags`) the side whose value survives; a field left out keeps the
/// survivor's value unless only the merged record has one. Contact points,
/// consents, dealer links, relationships, vehicles (ownerships) and the timeline
/// move to the survivor; the merged record keeps `status: "merged"` and
/// `merged_into` (lists and search no longer show it; dealer staff get 404 for
/// it). Undo with `POST /api/v1/identity/merges/{id}/undo`.
#[utoipa::path(post, path = "/api/v1/identity/merges", tag = "identity", request_body = MergeRequest,
    responses((status = 201, body = Merge), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_merge(State(app): State<App>, Caller(a): Caller, Json(req): Json<MergeRequest>) -> ApiResult<Response> {
    let m = identity::merge(&app.db, &a, &req).await?;
    let location = format!("/api/v1/identity/merges/{}", m.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], axum::Json(m)).into_response())
}

/// One merge: who, when, the choices, what moved, whether it was undone.
#[utoipa::path(get, path = "/api/v1/identity/merges/{id}", tag = "identity", params(("id" = i64, Path)),
    responses((status = 200, body = Merge), (status = 404, body = ErrorResponse)))]
pub async fn get_merge(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    Ok(axum::Json(identity::get_merge(&app.db, &a.scope, id).await?).into_response())
}

/// Undo a merge: both records, and what belonged to each, as before it.
#[utoipa::path(post, path = "/api/v1/identity/merges/{id}/undo", tag = "identity", params(("id" = i64, Path)),
    responses((status = 200, body = Merge), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn undo_merge(State(app): State<App>, Caller(a): Caller, Id(id): Id) -> ApiResult<Response> {
    Ok(axum::Json(identity::unmerge(&app.db, &a, id).await?).into_response())
}
