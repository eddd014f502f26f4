//! Version 9: a customer's timeline read in index order, with no sort.
//!
//! Both timeline reads of the screen-pop name a full order: the latest entries by
//! `(at, id)` descending and the open commitments by `(due_date, at, id)`. The
//! indexes stopped one column short, so PostgreSQL sorted their rows in a `Sort`
//! node on every call, which costs a sort's set-up even when it has one row or none.
//! With the tie-breaker in the index a backward or forward scan yields the order
//! itself. SQLite's index entries already end with the row id, so its scans were in
//! that order before; there the id written out costs a few bytes an entry.

use crate::schema::{Change, index, partial};

pub fn changes() -> Vec<Change> {
    vec![
        Change::DropIndex("ix_timeline_customer"),
        index("ix_timeline_customer", "timeline_event", &["customer_id", "at", "id"]),
        Change::DropIndex("ix_timeline_open_commitment"),
        partial(
            "ix_timeline_open_commitment",
            "timeline_event",
            &["customer_id", "due_date", "at", "id"],
            "kind = 'commitment' AND done_at IS NULL",
        ),
    ]
}
