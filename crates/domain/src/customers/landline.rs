//! Fixed-line numbers (home, office, a fleet customer's switchboard), kept apart
//! from mobiles: a landline is shared by a household or an office, so it is only
//! weak identity evidence.

use serde::{Deserialize, Serialize};

use super::{NOT_A_LANDLINE, REQUIRED};
use crate::FieldError;
use crate::text::{display_as_str, fold_width, string_newtype};

/// A normalized landline: `021-58881234`, or with an extension `021-58881234-123`.
///
/// The area code is `010` or `02x` (the 3-digit codes of Beijing, Guangzhou,
/// Shanghai and the other large cities) or `0` + 3 digits starting 3–9; the local
/// number is 7–8 digits starting 2–9; an extension is 1–6 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Landline(String);

string_newtype!(Landline, Landline::parse);
display_as_str!(Landline);

impl Landline {
    /// Accepts `021-58881234`, `(021) 5888 1234`, `02158881234`, `+86 21 5888 1234`,
    /// `0755-2888888-123`, `021-58881234转123`.
    pub fn parse(raw: &str) -> Result<Landline, FieldError> {
        let err = || FieldError::new("landline", NOT_A_LANDLINE);
        let s: String = raw.chars().map(fold_width).collect();
        let s = s.trim();
        if s.is_empty() {
            return Err(FieldError::new("landline", REQUIRED));
        }
        let (main, ext) = match s.split_once('转') {
            Some((m, e)) => (m, Some(e.trim())),
            None => (s, None),
        };
        let compact: String = main.chars().filter(|c| !c.is_whitespace()).collect();
        let (international, main) = match compact.strip_prefix("+86").or_else(|| compact.strip_prefix("0086")) {
            Some(rest) => (true, rest),
            None => (false, compact.as_str()),
        };
        let groups: Vec<&str> =
            main.split(['-', '.', '(', ')', '\u{2013}', '\u{2014}']).filter(|g| !g.is_empty()).collect();
        if groups.is_empty() || !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit())) {
            return Err(err());
        }
        let with_zero = |d: String| if international && !d.starts_with('0') { format!("0{d}") } else { d };
        if let Some(ext) = ext {
            return Self::build(&with_zero(groups.concat()), Some(ext)).ok_or_else(err);
        }
        // A trailing group after a whole local number (7+ digits) is an extension:
        // `0755-2888888-123`; otherwise the groups are just the number written in
        // parts: `021-5888-1234`.
        if let [.., before, last] = groups.as_slice()
            && before.len() >= 7
            && let Some(l) = Self::build(&with_zero(groups[..groups.len() - 1].concat()), Some(last))
        {
            return Ok(l);
        }
        Self::build(&with_zero(groups.concat()), None).ok_or_else(err)
    }

    fn build(digits: &str, ext: Option<&str>) -> Option<Landline> {
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let area_len = area_code_len(digits)?;
        let (area, local) = digits.split_at(area_len);
        if !(7..=8).contains(&local.len()) || !matches!(local.as_bytes()[0], b'2'..=b'9') {
            return None;
        }
        match ext {
            None => Some(Landline(format!("{area}-{local}"))),
            Some(e) if (1..=6).contains(&e.len()) && e.bytes().all(|b| b.is_ascii_digit()) => {
                Some(Landline(format!("{area}-{local}-{e}")))
            }
            Some(_) => None,
        }
    }

    /// `021`, `0755`.
    pub fn area_code(&self) -> &str {
        self.0.split('-').next().unwrap_or_default()
    }

    /// The local number without area code or extension: `58881234`.
    pub fn local_number(&self) -> &str {
        self.0.split('-').nth(1).unwrap_or_default()
    }

    pub fn extension(&self) -> Option<&str> {
        self.0.split('-').nth(2)
    }

    /// Area code and local number without the extension: the part two records
    /// must share to be "the same landline" (an office's extensions all ring at
    /// the same switchboard).
    pub fn without_extension(&self) -> &str {
        match self.0.match_indices('-').nth(1) {
            Some((i, _)) => &self.0[..i],
            None => &self.0,
        }
    }

    /// The form shown in lists: `021-****1234`.
    pub fn masked(&self) -> String {
        let local = self.local_number();
        format!("{}-****{}", self.area_code(), &local[local.len() - 4..])
    }
}

/// 3 for `010` and `02x`, 4 for `0[3-9]xx`, `None` for anything else.
fn area_code_len(digits: &str) -> Option<usize> {
    let b = digits.as_bytes();
    match b {
        [b'0', b'1', b'0', ..] | [b'0', b'2', _, ..] => Some(3),
        [b'0', b'3'..=b'9', _, _, ..] => Some(4),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_landline_is_normalized_with_its_area_code() {
        for raw in [
            "021-58881234",
            "(021) 5888 1234",
            "02158881234",
            "021-5888-1234",
            "+86 21 5888 1234",
            "0086-21-58881234",
            "（０２１）５８８８１２３４",
        ] {
            assert_eq!(Landline::parse(raw).unwrap().as_str(), "021-58881234", "{raw}");
        }
        assert_eq!(Landline::parse("0755 2888888").unwrap().as_str(), "0755-2888888");
        assert_eq!(Landline::parse("010-62345678").unwrap().area_code(), "010");
    }

    #[test]
    fn an_office_extension_is_kept_apart() {
        for raw in ["021-58881234-123", "021-58881234转123", "021 5888 1234 转 123", "02158881234-123"] {
            let l = Landline::parse(raw).unwrap();
            assert_eq!(l.as_str(), "021-58881234-123", "{raw}");
            assert_eq!(l.extension(), Some("123"));
            assert_eq!(l.without_extension(), "021-58881234");
        }
        let short = Landline::parse("0755-2888888-8").unwrap();
        assert_eq!((short.local_number(), short.extension()), ("2888888", Some("8")));
    }

    #[test]
    fn mobiles_and_malformed_numbers_are_not_landlines() {
        for raw in [
            "13812341234",
            "58881234",
            "021-588812",
            "021-588812345",
            "021-08881234",
            "011-58881234",
            "021-58881234转",
            "021-58881234转1234567",
            "021-5888abcd",
        ] {
            assert_eq!(Landline::parse(raw).unwrap_err().message, NOT_A_LANDLINE, "{raw}");
        }
        assert_eq!(Landline::parse("").unwrap_err().message, REQUIRED);
    }

    #[test]
    fn lists_show_a_masked_landline() {
        assert_eq!(Landline::parse("021-58881234-12").unwrap().masked(), "021-****1234");
    }

    proptest! {
        #[test]
        fn a_normalized_landline_parses_to_itself(raw in "[0-9 ()+转-]{0,20}") {
            if let Ok(l) = Landline::parse(&raw) {
                prop_assert_eq!(Landline::parse(l.as_str()).unwrap(), l.clone());
                prop_assert!(l.area_code().starts_with('0'));
            }
        }

        #[test]
        fn any_area_and_local_number_round_trip(area in "0(10|2[0-9]|[3-9][0-9]{2})", local in "[2-9][0-9]{6,7}", ext in proptest::option::of("[0-9]{1,6}")) {
            let typed = match &ext { Some(e) => format!("({area}) {local} 转 {e}"), None => format!("{area} {local}") };
            let l = Landline::parse(&typed).unwrap();
            prop_assert_eq!(l.area_code(), area.as_str());
            prop_assert_eq!(l.local_number(), local.as_str());
            prop_assert_eq!(l.extension(), ext.as_deref());
        }
    }
}
