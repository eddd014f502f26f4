//! Licence plates (GA 36): how service advisors and the CAC find a car when the
//! owner only knows the plate.

use serde::{Deserialize, Serialize};

use super::{PLATE_FORMAT, PLATE_LENGTH, PLATE_PROVINCE, REQUIRED};
use crate::FieldError;
use crate::text::{display_as_str, fold_width, string_newtype};

/// The one-character abbreviations plates start with (31 mainland provinces).
#[rustfmt::skip]
pub const PLATE_PROVINCES: [char; 31] = [
    '京', '津', '冀', '晋', '蒙', '辽', '吉', '黑', '沪', '苏', '浙', '皖', '闽', '赣', '鲁', '豫', '鄂', '湘', '粤',
    '桂', '琼', '渝', '川', '贵', '云', '藏', '陕', '甘', '青', '宁', '新',
];
/// Final characters of special ordinary-format plates: trailer, driving school,
/// police, Hong Kong and Macau cross-border, consulate.
pub const PLATE_SUFFIXES: [char; 6] = ['挂', '学', '警', '港', '澳', '领'];

/// A normalized plate without separators: `沪A12345`, `粤BD12345` (new energy),
/// `使014578` (embassy).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Plate(String);

string_newtype!(Plate, Plate::parse);
display_as_str!(Plate);

/// A capital letter other than I and O (they read as 1 and 0).
fn plate_letter(c: char) -> bool {
    c.is_ascii_uppercase() && c != 'I' && c != 'O'
}

fn plate_alnum(c: char) -> bool {
    c.is_ascii_digit() || plate_letter(c)
}

impl Plate {
    /// Uppercases and removes spaces and separators (`·`, `•`, `.`, `・`, `-`).
    pub fn parse(raw: &str) -> Result<Plate, FieldError> {
        let err = |m: &str| FieldError::new("plate", m);
        let s: String = raw
            .chars()
            .map(fold_width)
            .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '•' | '.' | '・' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let c: Vec<char> = s.chars().collect();
        let Some(&first) = c.first() else {
            return Err(err(REQUIRED));
        };
        if first == '使' {
            // Embassy plates: 使, a 3-digit embassy code, a 3-digit serial.
            return if c.len() == 7 && c[1..].iter().all(char::is_ascii_digit) {
                Ok(Plate(s))
            } else {
                Err(err(PLATE_FORMAT))
            };
        }
        if !PLATE_PROVINCES.contains(&first) {
            return Err(err(PLATE_PROVINCE));
        }
        let ok = match c.len() {
            7 => {
                plate_letter(c[1])
                    && c[2..6].iter().all(|&x| plate_alnum(x))
                    && (plate_alnum(c[6]) || PLATE_SUFFIXES.contains(&c[6]))
            }
            8 => {
                let small = matches!(c[2], 'D' | 'F') && c[3..].iter().all(|&x| plate_alnum(x));
                let large = c[2..7].iter().all(char::is_ascii_digit) && matches!(c[7], 'D' | 'F');
                plate_letter(c[1]) && (small || large)
            }
            _ => return Err(err(PLATE_LENGTH)),
        };
        if ok { Ok(Plate(s)) } else { Err(err(PLATE_FORMAT)) }
    }

    /// New-energy plates are 8 characters (green plates).
    pub fn is_new_energy(&self) -> bool {
        self.0.chars().count() == 8
    }

    /// The first character: a province abbreviation, or 使 for embassy plates.
    pub fn province(&self) -> char {
        self.0.chars().next().unwrap_or('?')
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plate(raw: &str) -> Result<String, String> {
        Plate::parse(raw).map(|p| p.as_str().to_string()).map_err(|e| e.message)
    }

    #[test]
    fn the_standard_vectors() {
        assert_eq!(plate("沪A12345").unwrap(), "沪A12345");
        assert_eq!(plate("沪A·12345").unwrap(), "沪A12345");
        assert_eq!(plate("粤B D12345").unwrap(), "粤BD12345");
        assert!(Plate::parse("粤B D12345").unwrap().is_new_energy());
        assert_eq!(plate("京AD12345").unwrap(), "京AD12345");
        assert_eq!(plate("京A12345D").unwrap(), "京A12345D");
        assert_eq!(plate("京I12345").unwrap_err(), PLATE_FORMAT);
        assert_eq!(plate("加A12345").unwrap_err(), PLATE_PROVINCE);
    }

    #[test]
    fn plates_are_found_however_they_were_typed() {
        assert_eq!(plate(" 沪a • 1234k ").unwrap(), "沪A1234K");
        assert_eq!(plate("沪Ａ．１２３４５").unwrap(), "沪A12345");
        assert_eq!(plate("浙B-1234挂").unwrap(), "浙B1234挂");
        assert_eq!(plate("沪A·0023领").unwrap(), "沪A0023领");
        assert_eq!(plate("使014·578").unwrap(), "使014578");
        assert!(!Plate::parse("沪A12345").unwrap().is_new_energy());
        assert_eq!(Plate::parse("沪A12345").unwrap().province(), '沪');
    }

    #[test]
    fn malformed_plates_say_what_is_wrong() {
        assert_eq!(plate(" · ").unwrap_err(), REQUIRED);
        assert_eq!(plate("沪A1234").unwrap_err(), PLATE_LENGTH);
        assert_eq!(plate("沪A1234567").unwrap_err(), PLATE_LENGTH);
        assert_eq!(plate("沪112345").unwrap_err(), PLATE_FORMAT);
        assert_eq!(plate("沪A1234O").unwrap_err(), PLATE_FORMAT);
        assert_eq!(plate("沪AX12345").unwrap_err(), PLATE_FORMAT);
        assert_eq!(plate("沪A1234DD").unwrap_err(), PLATE_FORMAT);
        assert_eq!(plate("使01457").unwrap_err(), PLATE_FORMAT);
    }

    proptest! {
        #[test]
        fn an_ordinary_plate_with_any_separator_parses(p in proptest::sample::select(PLATE_PROVINCES.to_vec()), l in "[A-HJ-NP-Z]", tail in "[A-HJ-NP-Z0-9]{5}", sep in proptest::sample::select(vec!["", " ", "·", "•", ".", "・"])) {
            let parsed = Plate::parse(&format!("{p}{l}{sep}{}", tail.to_lowercase())).unwrap();
            prop_assert_eq!(parsed.as_str(), format!("{p}{l}{tail}"));
            prop_assert!(!parsed.is_new_energy());
            prop_assert_eq!(Plate::parse(parsed.as_str()).unwrap(), parsed.clone());
        }

        #[test]
        fn new_energy_plates_of_both_sizes_parse(p in proptest::sample::select(PLATE_PROVINCES.to_vec()), l in "[A-HJ-NP-Z]", e in "[DF]", small in "[A-HJ-NP-Z0-9]{5}", large in "[0-9]{5}") {
            let (small, large) = (format!("{p}{l}{e}{small}"), format!("{p}{l}{large}{e}"));
            prop_assert!(Plate::parse(&small).unwrap().is_new_energy());
            prop_assert!(Plate::parse(&large).unwrap().is_new_energy());
        }

        #[test]
        fn plate_parsing_never_panics(raw in "\\PC{0,12}") {
            let _ = Plate::parse(&raw);
        }
    }
}
