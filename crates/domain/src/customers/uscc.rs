//! Unified social credit codes (GB 32100): the identity key of enterprise and
//! government customers (fleet buyers, rental companies, public institutions).

use serde::{Deserialize, Serialize};

use super::{LENGTH_18, REQUIRED, USCC_ALPHABET_MSG};
use crate::FieldError;
use crate::text::{display_as_str, fold_width, string_newtype};

/// The 31 characters a USCC is written in (no I, O, S, V, Z).
pub const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// An 18-character USCC in the standard alphabet. Its check character may be
/// wrong (old registrations exist): see [`UsccParsed::check_ok`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

string_newtype!(Uscc, |s| Uscc::parse(s).map(|p| p.code));
display_as_str!(Uscc);

/// The result of parsing a USCC: the code, and whether its check character is
/// right. A wrong check is a warning to show the user, not a rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsccParsed {
    pub code: Uscc,
    pub check_ok: bool,
}

fn index(c: char) -> Option<u32> {
    USCC_ALPHABET.find(c).map(|i| i as u32)
}

/// The check character for the first 17 characters (`None` unless they are 17
/// characters of the alphabet).
pub fn uscc_check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += index(c)? * w;
    }
    let c = (31 - sum % 31) % 31;
    USCC_ALPHABET.chars().nth(c as usize)
}

impl Uscc {
    /// Trims, removes spaces, uppercases; 18 characters of [`USCC_ALPHABET`].
    pub fn parse(raw: &str) -> Result<UsccParsed, FieldError> {
        let err = |m: &str| FieldError::new("uscc", m);
        let s: String = raw.chars().map(fold_width).filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        if s.is_empty() {
            return Err(err(REQUIRED));
        }
        if s.chars().count() != 18 {
            return Err(err(LENGTH_18));
        }
        if !s.chars().all(|c| index(c).is_some()) {
            return Err(err(USCC_ALPHABET_MSG));
        }
        let check_ok = uscc_check_char(&s[..17]) == s.chars().nth(17);
        Ok(UsccParsed { code: Uscc(s), check_ok })
    }

    /// Position 1: the registering authority (`9` = market regulation, i.e. a company).
    pub fn authority_code(&self) -> char {
        self.0.as_bytes()[0] as char
    }

    /// Positions 3–8: the administrative area of registration (GB/T 2260).
    pub fn area_code(&self) -> &str {
        &self.0[2..8]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_standard_vectors_are_valid() {
        for v in ["91350200776049653A", "91230184MA1BUFLT44"] {
            let p = Uscc::parse(v).unwrap();
            assert!(p.check_ok, "{v}");
            assert_eq!(p.code.as_str(), v);
        }
        let p = Uscc::parse(" 9135 0200 7760 4965 3a ").unwrap();
        assert_eq!((p.code.as_str(), p.check_ok), ("91350200776049653A", true));
        assert_eq!(p.code.area_code(), "350200");
        assert_eq!(p.code.authority_code(), '9');
    }

    #[test]
    fn a_wrong_check_character_is_a_warning_not_a_rejection() {
        let p = Uscc::parse("91350200776049653B").unwrap();
        assert!(!p.check_ok);
        assert_eq!(p.code.as_str(), "91350200776049653B");
        let back: Uscc = serde_json::from_str("\"91350200776049653B\"").unwrap();
        assert_eq!(back, p.code);
    }

    #[test]
    fn a_wrong_length_or_letter_is_rejected() {
        assert_eq!(Uscc::parse("").unwrap_err().message, REQUIRED);
        assert_eq!(Uscc::parse("9135020077604965").unwrap_err().message, LENGTH_18);
        assert_eq!(Uscc::parse("91350200776049653O").unwrap_err().message, USCC_ALPHABET_MSG);
        assert_eq!(Uscc::parse("9135020077604965SA").unwrap_err().message, USCC_ALPHABET_MSG);
        assert_eq!(Uscc::parse("91350200776049653张").unwrap_err().message, USCC_ALPHABET_MSG);
    }

    proptest! {
        #[test]
        fn a_code_with_its_computed_check_passes(first17 in "[0-9A-HJ-NP-RTUWXY]{17}") {
            let c = uscc_check_char(&first17).unwrap();
            let p = Uscc::parse(&format!("{first17}{c}")).unwrap();
            prop_assert!(p.check_ok);
        }

        #[test]
        fn changing_one_character_fails_the_check(pos in 0usize..18, shift in 1usize..31) {
            let valid = "91230184MA1BUFLT44";
            let mut chars: Vec<char> = valid.chars().collect();
            let i = USCC_ALPHABET.find(chars[pos]).unwrap();
            chars[pos] = USCC_ALPHABET.chars().nth((i + shift) % 31).unwrap();
            let p = Uscc::parse(&chars.into_iter().collect::<String>()).unwrap();
            prop_assert!(!p.check_ok);
        }
    }
}
