//! Mainland China mobile numbers: the strongest identity key, and the number the
//! CAC looks a caller up by.

use serde::{Deserialize, Serialize};

use super::{NOT_A_MOBILE, REQUIRED};
use crate::FieldError;
use crate::text::{display_as_str, fold_width, string_newtype};

/// A normalized mainland mobile number: 11 digits, `1[3-9]` then 9 digits, with no
/// country code or separators (`13812341234`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mobile(String);

string_newtype!(Mobile, Mobile::parse);
display_as_str!(Mobile);

/// Removes the separators people type inside phone numbers (spaces, dashes, dots,
/// parentheses) and folds full-width digits.
pub(super) fn strip_separators(raw: &str) -> String {
    raw.chars()
        .map(fold_width)
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '(' | ')' | '\u{2013}' | '\u{2014}'))
        .collect()
}

impl Mobile {
    /// Accepts `138 1234 1234`, `138-1234-1234`, `+86 138…`, `0086138…`, `86138…`
    /// (the country code is dropped only when 11 digits remain).
    pub fn parse(raw: &str) -> Result<Mobile, FieldError> {
        let err = || FieldError::new("mobile", NOT_A_MOBILE);
        let s = strip_separators(raw);
        if s.is_empty() {
            return Err(FieldError::new("mobile", REQUIRED));
        }
        let digits = if let Some(rest) = s.strip_prefix("+86").or_else(|| s.strip_prefix("0086")) {
            rest
        } else if s.len() == 13 && s.starts_with("86") {
            &s[2..]
        } else {
            &s
        };
        if Self::is_valid(digits) { Ok(Mobile(digits.to_string())) } else { Err(err()) }
    }

    /// `1[3-9]` followed by 9 digits, exactly.
    fn is_valid(d: &str) -> bool {
        let b = d.as_bytes();
        b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit)
    }

    /// The form shown in lists and exports: `138****1234`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }

    /// The last four digits, which callers and staff use to confirm a number.
    pub fn last4(&self) -> &str {
        &self.0[7..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_mobile_is_found_however_it_was_typed() {
        for raw in [
            "13812341234",
            " 138 1234 1234 ",
            "138-1234-1234",
            "+86 138 1234 1234",
            "+86-13812341234",
            "0086 13812341234",
            "8613812341234",
            "(+86) 138.1234.1234",
            "１３８１２３４１２３４",
        ] {
            assert_eq!(Mobile::parse(raw).unwrap().as_str(), "13812341234", "{raw}");
        }
    }

    #[test]
    fn landlines_and_foreign_numbers_are_not_mobiles() {
        for raw in [
            "021-58881234",
            "12812341234",
            "1381234123",
            "138123412345",
            "+1 415 555 0100",
            "+85291234567",
            "1381234123a",
        ] {
            assert_eq!(Mobile::parse(raw).unwrap_err().message, NOT_A_MOBILE, "{raw}");
        }
        assert_eq!(Mobile::parse("  ").unwrap_err().message, REQUIRED);
    }

    #[test]
    fn lists_show_a_masked_mobile() {
        let m = Mobile::parse("13812341234").unwrap();
        assert_eq!(m.masked(), "138****1234");
        assert_eq!(m.last4(), "1234");
    }

    #[test]
    fn a_mobile_serializes_as_its_normalized_text() {
        let m = Mobile::parse("+86 139 0000 0000").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"13900000000\"");
        assert_eq!(serde_json::from_str::<Mobile>("\"13900000000\"").unwrap(), m);
        assert!(serde_json::from_str::<Mobile>("\"12900000000\"").is_err());
    }

    proptest! {
        #[test]
        fn every_valid_mobile_survives_any_common_spelling(second in 3u8..=9, rest in "[0-9]{9}", style in 0usize..4) {
            let plain = format!("1{second}{rest}");
            let typed = match style {
                0 => plain.clone(),
                1 => format!("+86 {} {} {}", &plain[..3], &plain[3..7], &plain[7..]),
                2 => format!("0086-{plain}"),
                _ => format!("86{plain}"),
            };
            let m = Mobile::parse(&typed).unwrap();
            prop_assert_eq!(m.as_str(), plain.as_str());
            prop_assert_eq!(Mobile::parse(m.as_str()).unwrap(), m.clone());
            prop_assert_eq!(m.masked().chars().count(), 11);
        }

        #[test]
        fn mobile_parsing_never_panics(raw in "\\PC{0,20}") {
            let _ = Mobile::parse(&raw);
        }
    }
}
