//! HTTP-level tests against real autocrm servers, each test on SQLite and on
//! PostgreSQL (`both_engines!`). One module per capability, named as in every other
//! layer; test names say what the product promises.

mod analytics;
mod api_tokens;
mod audit;
mod auth;
mod conventions;
mod customers;
mod distribution;
mod handover;
mod identity;
mod imports;
mod lead_imports;
mod leads;
mod migrations;
mod notifications;
mod ops;
mod org;
mod permissions;
mod quotes;
mod search;
mod test_drives;
mod transactions;
mod traffic;
mod users;
mod vehicles;
