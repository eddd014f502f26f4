//! What a quote adds up to (list price, itemized discounts, gifts and fees) and the
//! warning when it differs from a colleague's recent quote to the same customer.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::RECENT_DAYS;
use crate::FieldError;
use crate::text::str_enum;

/// Money in fen (1/100 yuan); never floats for money.
pub type Fen = i64;

str_enum! {
    pub enum QuoteLineKind {
        /// Lowers the price the customer pays.
        Discount => "discount",
        /// Given for free (floor mats, first maintenance): listed with its value, not charged.
        Gift => "gift",
        /// Charged on top (accessories, registration service, insurance).
        Fee => "fee",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteLine {
    pub kind: QuoteLineKind,
    pub label: String,
    /// Always positive; the kind says which way it counts.
    pub amount: Fen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteTotals {
    pub list_price: Fen,
    pub discounts: Fen,
    pub gifts_value: Fen,
    pub fees: Fen,
    /// What the customer pays: list − discounts + fees.
    pub total: Fen,
}

/// Adds up a quote; names the line that is wrong.
pub fn totals(list_price: Fen, lines: &[QuoteLine]) -> Result<QuoteTotals, FieldError> {
    if list_price <= 0 {
        return Err(FieldError::new("list_price", super::POSITIVE));
    }
    let mut t = QuoteTotals { list_price, discounts: 0, gifts_value: 0, fees: 0, total: 0 };
    for (i, l) in lines.iter().enumerate() {
        if l.amount <= 0 {
            return Err(FieldError::new(format!("lines[{i}].amount"), super::POSITIVE));
        }
        if l.label.trim().is_empty() {
            return Err(FieldError::new(format!("lines[{i}].label"), super::REQUIRED));
        }
        if l.label.trim().chars().count() > super::LABEL_MAX {
            return Err(FieldError::new(format!("lines[{i}].label"), super::LABEL_TOO_LONG));
        }
        let slot = match l.kind {
            QuoteLineKind::Discount => &mut t.discounts,
            QuoteLineKind::Gift => &mut t.gifts_value,
            QuoteLineKind::Fee => &mut t.fees,
        };
        *slot = slot.checked_add(l.amount).ok_or_else(|| FieldError::new(format!("lines[{i}].amount"), super::TOO_LARGE))?;
    }
    t.total = list_price - t.discounts + t.fees;
    if t.total <= 0 {
        return Err(FieldError::new("lines", super::DISCOUNTS_EXCEED));
    }
    Ok(t)
}

/// A quote already given to the same customer.
#[derive(Debug, Clone, PartialEq)]
pub struct RecentQuote {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    /// Where it was given: any dealer that serves the customer counts.
    pub dealer_name: String,
    pub model_id: i64,
    pub total: Fen,
    pub at: DateTime<Utc>,
}

/// Why a new quote needs a second look.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteConflict {
    pub quote_id: i64,
    pub user_name: String,
    pub dealer_name: String,
    pub at: DateTime<Utc>,
    pub total: Fen,
    /// New total minus the earlier one.
    pub difference: Fen,
}

/// The most recent quote for the same model by another consultant within
/// [`RECENT_DAYS`] whose total differs from `total`.
pub fn quote_conflict(user_id: i64, model_id: i64, total: Fen, now: DateTime<Utc>, recent: &[RecentQuote]) -> Option<QuoteConflict> {
    recent
        .iter()
        .filter(|q| q.user_id != user_id && q.model_id == model_id && q.total != total)
        .filter(|q| q.at >= now - Duration::days(RECENT_DAYS) && q.at <= now)
        .max_by_key(|q| (q.at, q.id))
        .map(|q| QuoteConflict {
            quote_id: q.id,
            user_name: q.user_name.clone(),
            dealer_name: q.dealer_name.clone(),
            at: q.at,
            total: q.total,
            difference: total - q.total,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(kind: QuoteLineKind, amount: Fen) -> QuoteLine {
        QuoteLine { kind, label: "x".into(), amount }
    }

    fn at(d: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000 + d * 86_400, 0).unwrap_or_default()
    }

    #[test]
    fn a_quote_adds_up() {
        let t = totals(15_880_000, &[line(QuoteLineKind::Discount, 800_000), line(QuoteLineKind::Gift, 300_000), line(QuoteLineKind::Fee, 50_000)]);
        assert_eq!(t.map(|t| (t.total, t.gifts_value)), Ok((15_130_000, 300_000)));
        assert_eq!(totals(100, &[line(QuoteLineKind::Discount, 100)]).map_err(|e| e.field), Err("lines".into()));
        assert_eq!(totals(100, &[line(QuoteLineKind::Fee, -1)]).map_err(|e| e.field), Err("lines[0].amount".into()));
        assert_eq!(totals(0, &[]).map_err(|e| e.field), Err("list_price".into()));
    }

    #[test]
    fn a_colleagues_different_price_is_flagged() {
        let q = |id, user_id, model_id, total, day| RecentQuote { id, user_id, user_name: format!("u{user_id}"), dealer_name: "d".into(), model_id, total, at: at(day) };
        let recent = [q(1, 7, 1, 15_000_000, -40), q(2, 7, 1, 15_100_000, -3), q(3, 8, 2, 9_000_000, -1), q(4, 5, 1, 15_200_000, -2)];
        let c = quote_conflict(5, 1, 14_900_000, at(0), &recent);
        assert_eq!(c.map(|c| (c.quote_id, c.difference)), Some((2, -200_000)), "own quotes, other models and old quotes do not count");
        assert_eq!(quote_conflict(5, 1, 15_100_000, at(0), &recent), None, "same price: nothing to explain");
    }

    proptest! {
        #[test]
        fn the_total_is_list_minus_discounts_plus_fees(list in 1i64..100_000_000, amounts in proptest::collection::vec((0usize..3, 1i64..1_000_000), 0..10)) {
            let lines: Vec<QuoteLine> = amounts.iter().map(|(k, a)| line(QuoteLineKind::ALL[*k], *a)).collect();
            if let Ok(t) = totals(list, &lines) {
                prop_assert_eq!(t.total, list - t.discounts + t.fees);
                prop_assert!(t.total > 0);
                prop_assert_eq!(t.discounts + t.gifts_value + t.fees, amounts.iter().map(|(_, a)| a).sum::<i64>());
            }
        }

        #[test]
        fn ones_own_quotes_never_conflict(totals_ in proptest::collection::vec(1i64..1_000_000, 1..10), mine in 1i64..1_000_000) {
            let recent: Vec<RecentQuote> = totals_.iter().enumerate()
                .map(|(i, t)| RecentQuote { id: i as i64, user_id: 1, user_name: "me".into(), dealer_name: "d".into(), model_id: 1, total: *t, at: at(-1) }).collect();
            prop_assert_eq!(quote_conflict(1, 1, mine, at(0), &recent), None);
        }
    }
}
