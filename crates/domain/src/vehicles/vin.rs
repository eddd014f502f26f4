//! Vehicle identification numbers (ISO 3779 / GB 16735): the vehicle's life-long
//! key, validated with its check digit, and searchable by its last 6 or 8
//! characters.

use serde::{Deserialize, Serialize};

use super::{REQUIRED, VIN_ALPHABET_MSG, VIN_CHECK, VIN_LENGTH};
use crate::FieldError;
use crate::text::{display_as_str, fold_width, string_newtype};

const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/// A 17-character VIN of digits and capital letters other than I, O and Q. Its
/// check digit is right unless it was accepted with a warning (see
/// [`VinParsed::check_ok`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Vin(String);

string_newtype!(Vin, |s| Vin::parse(s).map(|p| p.vin));
display_as_str!(Vin);

/// A parsed VIN and whether its check digit is right. `check_ok == false` only
/// happens for WMIs where the check digit is not mandatory: the user is warned
/// and may keep the VIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VinParsed {
    pub vin: Vin,
    pub check_ok: bool,
}

/// The check-digit value of a VIN character (`None` for I, O, Q and non-VIN characters).
fn value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        'A' | 'J' => Some(1),
        'B' | 'K' | 'S' => Some(2),
        'C' | 'L' | 'T' => Some(3),
        'D' | 'M' | 'U' => Some(4),
        'E' | 'N' | 'V' => Some(5),
        'F' | 'W' => Some(6),
        'G' | 'P' | 'X' => Some(7),
        'H' | 'Y' => Some(8),
        'R' | 'Z' => Some(9),
        _ => None,
    }
}

/// Whether a wrong check digit rejects the VIN: Chinese-market WMIs (`L…`) and
/// North-American ones (`1`–`5`) always carry a real check digit.
pub fn check_digit_required(vin: &str) -> bool {
    matches!(vin.chars().next(), Some('L' | '1'..='5'))
}

/// The check digit (`0`–`9` or `X`) for 17 VIN characters; position 9 itself is
/// ignored (weight 0), so a placeholder there is fine. `None` unless the other 16
/// are VIN characters.
pub fn compute_check_digit(vin17: &str) -> Option<char> {
    if vin17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0;
    for (i, (c, w)) in vin17.chars().zip(WEIGHTS).enumerate() {
        if i != 8 {
            sum += value(c)? * w;
        }
    }
    Some(match sum % 11 {
        10 => 'X',
        r => char::from_digit(r, 10).unwrap_or('X'),
    })
}

impl Vin {
    /// Trims, removes spaces, uppercases; then 17 VIN characters; then the check
    /// digit: a mismatch is an error for `L` and `1`–`5` WMIs, a warning otherwise.
    pub fn parse(raw: &str) -> Result<VinParsed, FieldError> {
        let err = |m: &str| FieldError::new("vin", m);
        let s: String = raw.chars().map(fold_width).filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        if s.is_empty() {
            return Err(err(REQUIRED));
        }
        if s.chars().count() != 17 {
            return Err(err(VIN_LENGTH));
        }
        if !s.chars().all(|c| value(c).is_some()) {
            return Err(err(VIN_ALPHABET_MSG));
        }
        let check_ok = compute_check_digit(&s) == s.chars().nth(8);
        if !check_ok && check_digit_required(&s) {
            return Err(err(VIN_CHECK));
        }
        Ok(VinParsed { vin: Vin(s), check_ok })
    }

    /// The VIN with position 9 set to its check digit, for generating valid VINs
    /// (seed data, tests). `None` unless the input is 17 VIN characters (position
    /// 9 may be anything).
    pub fn with_check_digit(vin17: &str) -> Option<String> {
        let check = compute_check_digit(vin17)?;
        Some(vin17.chars().enumerate().map(|(i, c)| if i == 8 { check } else { c }).collect())
    }

    /// Positions 1–3: the world manufacturer identifier.
    pub fn wmi(&self) -> &str {
        &self.0[..3]
    }

    /// Position 9.
    pub fn check_char(&self) -> char {
        self.0.as_bytes()[8] as char
    }

    /// Position 10: the model-year code.
    pub fn model_year_code(&self) -> char {
        self.0.as_bytes()[9] as char
    }

    /// The last `n` characters (at most 17): the serial part staff search by,
    /// usually 6 or 8 (see [`vin_search_tail`]).
    pub fn serial_tail(&self, n: usize) -> &str {
        &self.0[17 - n.min(17)..]
    }
}

/// If a search term looks like the tail of a VIN (6 or 8 VIN characters after
/// normalization), that tail, uppercased; otherwise `None`.
pub fn vin_search_tail(raw: &str) -> Option<String> {
    let s: String = raw.chars().map(fold_width).filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    let n = s.chars().count();
    ((n == 6 || n == 8) && s.chars().all(|c| value(c).is_some())).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VECTORS: [&str; 3] = ["1M8GDM9AXKP042788", "WBAXW1104J0X16755", "1G1BL52P7TR115520"];
    const VIN_CHARS: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    #[test]
    fn the_standard_vectors_are_valid() {
        for (v, check) in VECTORS.into_iter().zip(['X', '4', '7']) {
            let p = Vin::parse(v).unwrap();
            assert!(p.check_ok, "{v}");
            assert_eq!(p.vin.check_char(), check);
            assert_eq!(compute_check_digit(v), Some(check));
        }
        let p = Vin::parse(" 1m8gdm9axkp 042788 ").unwrap();
        assert_eq!(p.vin.as_str(), "1M8GDM9AXKP042788");
        assert_eq!((p.vin.wmi(), p.vin.model_year_code()), ("1M8", 'K'));
        assert_eq!((p.vin.serial_tail(6), p.vin.serial_tail(8)), ("042788", "KP042788"));
    }

    #[test]
    fn a_wrong_check_digit_is_an_error_in_china_and_north_america_only() {
        assert_eq!(Vin::parse("1M8GDM9A1KP042788").unwrap_err().message, VIN_CHECK);
        let chinese = Vin::with_check_digit("LSVAU2180N2183294").unwrap();
        assert!(Vin::parse(&chinese).unwrap().check_ok);
        let wrong = format!("{}0{}", &chinese[..8], &chinese[9..]);
        let wrong = if wrong == chinese { format!("{}1{}", &chinese[..8], &chinese[9..]) } else { wrong };
        assert_eq!(Vin::parse(&wrong).unwrap_err().message, VIN_CHECK);
        let european = Vin::parse("WBAXW1105J0X16755").unwrap();
        assert!(!european.check_ok, "a German VIN with a wrong check digit is only a warning");
    }

    #[test]
    fn malformed_vins_say_what_is_wrong() {
        assert_eq!(Vin::parse(" ").unwrap_err().message, REQUIRED);
        assert_eq!(Vin::parse("1M8GDM9AXKP04278").unwrap_err().message, VIN_LENGTH);
        assert_eq!(Vin::parse("1M8GDM9AXKP0427880").unwrap_err().message, VIN_LENGTH);
        assert_eq!(Vin::parse("1M8GDM9AXKPO42788").unwrap_err().message, VIN_ALPHABET_MSG);
        assert_eq!(Vin::parse("WBAXW1104J0X1675Q").unwrap_err().message, VIN_ALPHABET_MSG);
    }

    #[test]
    fn the_check_digit_cannot_see_a_swap_between_equal_values() {
        // A and 1 both count as 1: the one kind of single-character change the
        // check digit cannot catch.
        assert!(Vin::parse("AM8GDM9AXKP042788").unwrap().check_ok);
    }

    #[test]
    fn staff_can_search_by_the_last_6_or_8_characters() {
        assert_eq!(vin_search_tail(" kp042788 "), Some("KP042788".to_string()));
        assert_eq!(vin_search_tail("042788"), Some("042788".to_string()));
        assert_eq!(vin_search_tail("0427880"), None);
        assert_eq!(vin_search_tail("04278O"), None);
    }

    proptest! {
        #[test]
        fn changing_any_one_character_of_a_vector_is_caught(v in 0usize..3, pos in 0usize..17, c in proptest::sample::select(VIN_CHARS.chars().collect::<Vec<_>>())) {
            let valid = VECTORS[v];
            let old = valid.as_bytes()[pos] as char;
            prop_assume!(c != old);
            // Only a change to a character of the same check value slips past.
            prop_assume!(pos == 8 || value(c).is_none() || value(c) != value(old));
            let changed: String = valid.chars().enumerate().map(|(i, o)| if i == pos { c } else { o }).collect();
            match Vin::parse(&changed) {
                Ok(p) => prop_assert!(!p.check_ok),
                Err(e) => prop_assert!(e.message == VIN_CHECK || (matches!(c, 'I' | 'O' | 'Q') && e.message == VIN_ALPHABET_MSG)),
            }
        }

        #[test]
        fn a_generated_vin_is_valid(body in "[A-HJ-NPR-Z0-9]{17}") {
            let vin = Vin::with_check_digit(&body).unwrap();
            let p = Vin::parse(&vin).unwrap();
            prop_assert!(p.check_ok);
            prop_assert_eq!(p.vin.serial_tail(6), &body[11..]);
        }

        #[test]
        fn vin_parsing_never_panics(raw in "\\PC{0,20}") {
            let _ = Vin::parse(&raw);
        }
    }
}
