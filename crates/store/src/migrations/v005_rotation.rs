//! Version 5: the consultants' rotation is read from their leads.
//!
//! Round robin needs each consultant's latest assignment. It was a column of
//! `app_user` updated by every capture and assignment, so all the captures of one
//! consultant queued on that one row (on PostgreSQL the row lock is held until
//! commit). The latest `lead.assigned_at` per owner says the same, with an index
//! to read it. `ix_lead_created` goes too: `ix_lead_analytics` starts with
//! `created_at` and serves every query that used it.

use crate::schema::{Change, index};

pub fn changes() -> Vec<Change> {
    vec![
        Change::DropColumn("app_user", "last_assigned_at"),
        index("ix_lead_owner_assigned", "lead", &["owner_user_id", "assigned_at"]),
        Change::DropIndex("ix_lead_created"),
    ]
}
