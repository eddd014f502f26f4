//! `GET /api/v1/audit-events`.

use autocrm_store::audit::{self, AuditEvent, Filter};
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::Query;
use crate::rest::{self, Paging};

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// e.g. `dealer`, `user`, `region`.
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    /// `create`, `update`, `delete`, `password_set`…
    pub action: Option<String>,
    /// Username of the actor.
    pub actor: Option<String>,
    /// From this day (inclusive, `YYYY-MM-DD`, China time).
    pub from: Option<String>,
    /// Until this day (inclusive).
    pub to: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `at` or `-at` (default: newest first).
    pub sort: Option<String>,
}

/// Midnight China time of a `YYYY-MM-DD` day, in UTC.
fn day_start(field: &str, raw: &str, plus_days: i64) -> ApiResult<DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| ApiError::field(field, "must be a date YYYY-MM-DD"))?;
    Ok(crate::pages::china_midnight_utc(d + chrono::Duration::days(plus_days)))
}

impl AuditQuery {
    pub fn filter(&self) -> ApiResult<Filter> {
        let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
        Ok(Filter {
            entity: nonempty(&self.entity),
            entity_id: self.entity_id,
            action: nonempty(&self.action),
            actor: nonempty(&self.actor),
            from: nonempty(&self.from).map(|f| day_start("from", &f, 0)).transpose()?,
            to: nonempty(&self.to).map(|t| day_start("to", &t, 1)).transpose()?,
        })
    }

    pub fn paging(&self) -> Paging {
        Paging { limit: self.limit, cursor: self.cursor.clone(), sort: self.sort.clone() }
    }
}

/// Browse the audit trail within your scope, newest first.
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit", params(AuditQuery),
    responses((status = 200, body = inline(rest::PageOf<AuditEvent>)), (status = 422, body = ErrorResponse)))]
pub async fn list(State(app): State<App>, Caller(a): Caller, Query(q): Query<AuditQuery>) -> ApiResult<Response> {
    let p = q.paging().request(&audit::SORT, "-at")?;
    Ok(rest::page(audit::list(&app.db, &a.scope, &q.filter()?, &p).await?))
}
