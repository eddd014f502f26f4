//! autocrm's storage layer: one schema and one set of queries for embedded SQLite
//! and PostgreSQL.
//!
//! Modules are named after business capabilities, as in `domain` and `web`. Every
//! query of scoped data takes the caller's [`Scope`](autocrm_domain::access::Scope)
//! and goes through [`scope`], which adds the row filter.

pub mod db;
mod error;
pub mod migrations;
pub mod schema;
pub mod scope;

pub mod analytics;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod customers;
pub mod handover;
pub mod identity;
pub mod imports;
pub mod job_runs;
pub mod leads;
pub mod notifications;
pub mod quotes;
pub mod search;
pub mod test_drives;
pub mod traffic;
pub mod vehicles;
pub mod demo;
pub mod idempotency;
pub mod org;
pub mod page;
pub mod record;
pub mod seed;
pub mod users;

pub use db::{Db, Engine, Tx};
pub use error::StoreError;

/// The current time, truncated to microseconds (what both engines store).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(6)
}
