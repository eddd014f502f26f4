//! Resident identity card numbers (GB 11643): a strong identity key and sensitive
//! personal information (PIPL Art. 28) — shown masked everywhere, never logged.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Gender, ID_BIRTH_DATE, ID_FORMAT, ID_FUTURE, LENGTH_18, REQUIRED, WRONG_CHECK};
use crate::FieldError;
use crate::text::{fold_width, string_newtype};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";
/// Birth dates before this year are typing errors, not people.
const EARLIEST_BIRTH_YEAR: i32 = 1800;

/// A valid 18-character resident ID number, upper-case `X` check character.
///
/// `Debug` shows only the masked form so the number cannot leak into logs; there
/// is deliberately no `Display`: use [`IdNumber::masked`] for screens and
/// [`IdNumber::as_str`] only where the full number is needed (encrypting it for
/// storage, an audited reveal).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

string_newtype!(IdNumber, IdNumber::parse);

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

/// The check character of the first 17 digits (`None` unless they are 17 ASCII digits).
pub fn id_check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    Some(CHECK_CHARS[(sum % 11) as usize] as char)
}

impl IdNumber {
    /// Validation of a number typed in today: everything [`IdNumber::parse`] checks,
    /// and the birth date must not be after `today`.
    pub fn parse_on(raw: &str, today: NaiveDate) -> Result<IdNumber, FieldError> {
        let id = Self::parse(raw)?;
        if id.birth_date() > today {
            return Err(FieldError::new("id_number", ID_FUTURE));
        }
        Ok(id)
    }

    /// Structural validation without a clock: 18 characters, a real birth date (year
    /// 1800 or later), the right check character. Lower-case `x` is accepted. Use
    /// [`IdNumber::parse_on`] for user input; this is for numbers already accepted
    /// once (reading back from storage, deserializing).
    pub fn parse(raw: &str) -> Result<IdNumber, FieldError> {
        let err = |m: &str| FieldError::new("id_number", m);
        let s: String =
            raw.chars().map(fold_width).filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        if s.is_empty() {
            return Err(err(REQUIRED));
        }
        if s.chars().count() != 18 {
            return Err(err(LENGTH_18));
        }
        if !s.is_ascii() {
            return Err(err(ID_FORMAT));
        }
        let (first17, check) = s.split_at(17);
        if !first17.bytes().all(|b| b.is_ascii_digit()) || !matches!(check.as_bytes()[0], b'0'..=b'9' | b'X') {
            return Err(err(ID_FORMAT));
        }
        if birth_date_of(&s).is_none() {
            return Err(err(ID_BIRTH_DATE));
        }
        if id_check_char(first17) != check.chars().next() {
            return Err(err(WRONG_CHECK));
        }
        Ok(IdNumber(s))
    }

    /// First 6 and last 4 characters: `110105********002X`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }

    /// The 6-digit administrative area of first issue (GB/T 2260).
    pub fn area_code(&self) -> &str {
        &self.0[..6]
    }

    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0).expect("validated by parse")
    }

    /// Position 17: odd for men, even for women.
    pub fn gender(&self) -> Gender {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 { Gender::Male } else { Gender::Female }
    }
}

fn birth_date_of(s: &str) -> Option<NaiveDate> {
    let y: i32 = s.get(6..10)?.parse().ok()?;
    let m: u32 = s.get(10..12)?.parse().ok()?;
    let d: u32 = s.get(12..14)?.parse().ok()?;
    if y < EARLIEST_BIRTH_YEAR {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_standard_vectors_are_valid() {
        let a = IdNumber::parse_on("11010519491231002X", day(2025, 1, 1)).unwrap();
        assert_eq!(a.birth_date(), day(1949, 12, 31));
        assert_eq!(a.gender(), Gender::Female);
        assert_eq!(a.area_code(), "110105");
        let b = IdNumber::parse("440524188001010014").unwrap();
        assert_eq!((b.birth_date(), b.gender()), (day(1880, 1, 1), Gender::Male));
    }

    #[test]
    fn an_id_number_is_masked_in_every_view_and_in_logs() {
        let id = IdNumber::parse(" 11010519491231002x ").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(110105********002X)");
    }

    #[test]
    fn a_mistyped_id_number_says_what_is_wrong() {
        let msg = |raw: &str| IdNumber::parse_on(raw, day(2025, 6, 1)).unwrap_err().message;
        assert_eq!(msg(""), REQUIRED);
        assert_eq!(msg("110105194912310"), LENGTH_18);
        assert_eq!(msg("1101051949123100X2"), ID_FORMAT);
        assert_eq!(msg("11010519491232002X"), ID_BIRTH_DATE);
        assert_eq!(msg("110105194912310021"), WRONG_CHECK);
        let future = format!("11010520300101001{}", id_check_char("11010520300101001").unwrap());
        assert_eq!(msg(&future), ID_FUTURE);
        assert!(IdNumber::parse(&future).is_ok(), "the clock-free parse checks structure only");
    }

    #[test]
    fn february_29_exists_only_in_leap_years() {
        let make = |p: &str| format!("{p}{}", id_check_char(p).unwrap());
        assert!(IdNumber::parse(&make("11010520000229001")).is_ok());
        assert_eq!(IdNumber::parse(&make("11010519000229001")).unwrap_err().message, ID_BIRTH_DATE);
    }

    proptest! {
        #[test]
        fn a_generated_id_with_its_check_char_is_valid(area in "[1-8][0-9]{5}", y in 1900i32..2024, m in 1u32..=12, d in 1u32..=28, seq in "[0-9]{3}") {
            let first17 = format!("{area}{y:04}{m:02}{d:02}{seq}");
            let id = IdNumber::parse_on(&format!("{first17}{}", id_check_char(&first17).unwrap()), day(2024, 1, 1)).unwrap();
            prop_assert_eq!(id.birth_date(), day(y, m, d));
            prop_assert_eq!(id.masked().len(), 18);
            prop_assert_eq!(id.gender() == Gender::Male, seq.as_bytes()[2] % 2 == 1);
        }

        #[test]
        fn changing_any_one_digit_breaks_the_check(pos in 0usize..18, delta in 1u8..10) {
            let valid = "440524188001010014";
            let mut b = valid.as_bytes().to_vec();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            prop_assert!(IdNumber::parse(std::str::from_utf8(&b).unwrap()).is_err());
        }

        #[test]
        fn id_parsing_never_panics(raw in "\\PC{0,24}") {
            let _ = IdNumber::parse(&raw);
        }
    }
}
