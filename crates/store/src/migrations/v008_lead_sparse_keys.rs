//! Version 8: the lead's sparse keys are indexed only where they are set.
//!
//! Few leads come from a retried web form (`submission_key`) or name who referred
//! them (`referrer_id`), yet every capture wrote a NULL entry into both indexes,
//! inside the one writer's transaction. Each becomes a partial index of the rows
//! that have the key; the lookups by key (`= $1`) imply the predicate, so they
//! read the same index as before, and the submission key stays unique.

use crate::schema::{Change, partial, unique_partial};

pub fn changes() -> Vec<Change> {
    vec![
        Change::DropIndex("ux_lead_submission"),
        unique_partial("ux_lead_submission", "lead", &["submission_key"], "submission_key IS NOT NULL"),
        Change::DropIndex("ix_lead_referrer"),
        partial("ix_lead_referrer", "lead", &["referrer_id"], "referrer_id IS NOT NULL"),
    ]
}
