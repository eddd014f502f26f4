//! Yuan as people type and read it, over fen as stored: `158800`, `158,800.5`,
//! `￥1 588.00` in; `158,800.00` out. Integer arithmetic only.

use super::{Fen, NOT_MONEY, TOO_LARGE};
use crate::FieldError;
use crate::text::fold_width;

/// Parses an amount in yuan (at most two decimals; `,`, spaces and a leading `¥`
/// allowed) into fen. Zero and negative amounts are the caller's rule.
pub fn parse_yuan(field: &str, raw: &str) -> Result<Fen, FieldError> {
    let s: String = raw.chars().map(fold_width).filter(|c| !c.is_whitespace() && *c != ',').collect();
    let s = s.trim_start_matches(['¥', '￥']);
    let bad = || FieldError::new(field, NOT_MONEY);
    if s.is_empty() {
        return Err(FieldError::new(field, super::REQUIRED));
    }
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 2 || !whole.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if whole.len() > 13 {
        return Err(FieldError::new(field, TOO_LARGE));
    }
    let yuan: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    let fen = yuan * 100 + cents;
    Ok(if neg { -fen } else { fen })
}

/// `158,800.00`: yuan with thousands separators and two decimals.
pub fn format_yuan(fen: Fen) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    let whole = (a / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", a % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn yuan_in_and_out() {
        assert_eq!(parse_yuan("x", "158800"), Ok(15_880_000));
        assert_eq!(parse_yuan("x", "¥158,800.5"), Ok(15_880_050));
        assert_eq!(parse_yuan("x", "１２.３４"), Ok(1234));
        assert_eq!(parse_yuan("x", ".5"), Ok(50));
        assert_eq!(parse_yuan("x", "1.234").map_err(|e| e.message), Err(NOT_MONEY.into()));
        assert_eq!(parse_yuan("x", "abc").map_err(|e| e.field), Err("x".into()));
        assert_eq!(parse_yuan("x", " ").map_err(|e| e.message), Err(super::super::REQUIRED.into()));
        assert_eq!(format_yuan(15_880_050), "158,800.50");
        assert_eq!(format_yuan(5), "0.05");
        assert_eq!(format_yuan(-123_456), "-1,234.56");
        assert_eq!(format_yuan(100_000_000), "1,000,000.00");
    }

    proptest! {
        #[test]
        fn what_is_printed_reads_back_as_the_same_fen(fen in -1_000_000_000_000i64..1_000_000_000_000) {
            prop_assert_eq!(parse_yuan("x", &format_yuan(fen)), Ok(fen));
        }
    }
}
