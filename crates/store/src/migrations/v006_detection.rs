//! Version 6: duplicate detection reads indexes only.
//!
//! Detection asks for customers with the same name, or the same full pinyin,
//! in the same city. With an index on the name alone every customer of a common
//! name (up to ~180 of 1M) was read from the table to see its city, and the
//! pinyin went through `search_key` (homophones: hundreds per key) and then the
//! table. `(name, city)` and `(name_pinyin, city)` answer both from the index;
//! the first also serves everything the name index did.

use crate::schema::{Change, index};

pub fn changes() -> Vec<Change> {
    vec![
        Change::DropIndex("ix_customer_name"),
        index("ix_customer_name_city", "customer", &["name", "city"]),
        index("ix_customer_pinyin_city", "customer", &["name_pinyin", "city"]),
    ]
}
