//! autocrm's business rules as plain functions over plain types.
//!
//! Nothing here touches a database, the network or the clock: every rule can be
//! tested with the vectors in DOMAIN.md and property tests. One module per business
//! capability, named as in every other layer (`store::org`, `web::org`, …).

pub mod access;
pub mod analytics;
pub mod audit;
pub mod customers;
pub mod identity;
pub mod leads;
pub mod org;
pub mod quotes;
pub mod test_drives;
pub mod traffic;
pub mod users;
pub mod vehicles;

mod error;
mod text;
pub use error::FieldError;
