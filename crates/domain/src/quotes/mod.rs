//! Quotes: the price a consultant offers a customer for a model — the list price
//! from the price list, itemized discounts, gifts and fees — and the warning when
//! it differs from a colleague's recent quote to the same customer (the customer's
//! complaint: "two consultants quoted two prices"). All pure.

mod money;
mod totals;

use chrono::{Duration, NaiveDate};

pub use money::{format_yuan, parse_yuan};
pub use totals::{Fen, QuoteConflict, QuoteLine, QuoteLineKind, QuoteTotals, RecentQuote, quote_conflict, totals};

use crate::FieldError;

/// How far back another consultant's quote counts as recent.
pub const RECENT_DAYS: i64 = 30;
/// How long a quote holds unless the consultant says otherwise.
pub const DEFAULT_VALID_DAYS: i64 = 7;
/// The longest a line's label may be (it is printed on one line).
pub const LABEL_MAX: usize = 40;

// The validation messages of this module; the UI translates them by their exact text.
pub const POSITIVE: &str = "must be greater than zero";
pub const REQUIRED: &str = "is required";
pub const TOO_LARGE: &str = "is too large";
pub const DISCOUNTS_EXCEED: &str = "the discounts exceed the price";
pub const LABEL_TOO_LONG: &str = "must be at most 40 characters";
pub const NOT_MONEY: &str = "must be an amount in yuan with at most two decimals";
pub const VALID_UNTIL_PAST: &str = "must not be before today";
pub const VALID_UNTIL_FAR: &str = "must be within 90 days";
pub const PRICE_RANGE: &str = "valid_to must not be before valid_from";

/// Every message above, for the UI's check that each has a translation.
pub const MESSAGES: &[&str] =
    &[POSITIVE, REQUIRED, TOO_LARGE, DISCOUNTS_EXCEED, LABEL_TOO_LONG, NOT_MONEY, VALID_UNTIL_PAST, VALID_UNTIL_FAR, PRICE_RANGE];

/// `Q` + zero-padded id: what the customer reads on the printed quote.
pub fn quote_no(id: i64) -> String {
    format!("Q{id:08}")
}

/// The date a quote holds until: the consultant's choice (today to 90 days ahead),
/// else [`DEFAULT_VALID_DAYS`] from today.
pub fn valid_until(chosen: Option<NaiveDate>, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    match chosen {
        None => Ok(today + Duration::days(DEFAULT_VALID_DAYS)),
        Some(d) if d < today => Err(FieldError::new("valid_until", VALID_UNTIL_PAST)),
        Some(d) if d > today + Duration::days(90) => Err(FieldError::new("valid_until", VALID_UNTIL_FAR)),
        Some(d) => Ok(d),
    }
}

/// Whether a price row `[from, to]` (either end open) holds on `day`.
pub fn price_valid_on(from: Option<NaiveDate>, to: Option<NaiveDate>, day: NaiveDate) -> bool {
    from.is_none_or(|f| f <= day) && to.is_none_or(|t| day <= t)
}

/// Checks a price row's validity range.
pub fn price_range(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<(), FieldError> {
    match (from, to) {
        (Some(f), Some(t)) if t < f => Err(FieldError::new("valid_to", PRICE_RANGE)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn a_quote_holds_a_week_unless_chosen() {
        let today = d("2026-11-25");
        assert_eq!(valid_until(None, today), Ok(d("2026-12-02")));
        assert_eq!(valid_until(Some(d("2026-11-30")), today), Ok(d("2026-11-30")));
        assert_eq!(valid_until(Some(d("2026-11-24")), today).map_err(|e| e.field), Err("valid_until".into()));
        assert!(valid_until(Some(d("2027-06-01")), today).is_err());
        assert_eq!(quote_no(42), "Q00000042");
    }

    #[test]
    fn the_current_price_is_the_one_valid_today() {
        let day = d("2026-11-25");
        assert!(price_valid_on(None, None, day));
        assert!(price_valid_on(Some(day), Some(day), day));
        assert!(!price_valid_on(Some(d("2026-11-26")), None, day));
        assert!(!price_valid_on(None, Some(d("2026-11-24")), day));
        assert!(price_range(Some(day), Some(d("2026-11-24"))).is_err());
    }
}
