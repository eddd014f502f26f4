//! Who may do what, and on which rows.
//!
//! A role grants *actions* (what kind of thing a user may do) and carries a *data
//! scope kind* (which rows they may do it on). The store turns the scope kind plus
//! the user's organization into a [`Scope`] that every query of scoped data takes.

mod role;
mod scope;

pub use role::{Action, Role};
pub use scope::{Scope, ScopeKind};
