//! Version 7: the screen-pop answers from indexes where it can.
//!
//! Every read the screen-pop makes is a B-tree descent, and each descent costs the
//! same whether it finds an index entry or a table row. Four of them went to a
//! table only to read a column or two that the index could carry:
//!
//! - the caller's number → the customer: `contact_point (kind, value)` now also
//!   holds `customer_id` (identity resolution and the search box read it too);
//! - the customer's vehicles: `ownership (customer_id)` becomes
//!   `(customer_id, to_date, vehicle_id)`;
//! - the consents: `consent (customer_id, channel)` also holds purpose, time and
//!   whether it was granted;
//! - the open commitments: a partial index of the open ones, so a customer with
//!   none (nearly all) costs one descent that finds nothing instead of reading
//!   every timeline entry to look at its kind.

use crate::schema::{Change, index, partial};

pub fn changes() -> Vec<Change> {
    vec![
        Change::DropIndex("ix_contact_point_value"),
        index("ix_contact_point_value", "contact_point", &["kind", "value", "customer_id"]),
        Change::DropIndex("ix_ownership_customer"),
        index("ix_ownership_customer", "ownership", &["customer_id", "to_date", "vehicle_id"]),
        Change::DropIndex("ix_consent_customer"),
        index("ix_consent_customer", "consent", &["customer_id", "channel", "purpose", "at", "granted"]),
        partial(
            "ix_timeline_open_commitment",
            "timeline_event",
            &["customer_id", "due_date"],
            "kind = 'commitment' AND done_at IS NULL",
        ),
    ]
}
