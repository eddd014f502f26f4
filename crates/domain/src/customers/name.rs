//! Customers' names, and the pinyin keys the one search box finds them by
//! (`zs` or `zhangsan` for 张三).

use pinyin::ToPinyin;
use serde::{Deserialize, Serialize};

use super::{CONTROL_CHARS, REQUIRED, TOO_LONG_50};
use crate::FieldError;
use crate::text::{collapse_whitespace, display_as_str, string_newtype};

pub const PERSON_NAME_MAX_LEN: usize = 50;

/// A person's name: trimmed, inner whitespace collapsed to one space, full-width
/// letters folded, 1–50 characters, no control characters. Minority names keep
/// their separator dot (`阿依古丽·买买提`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

string_newtype!(PersonName, PersonName::parse);
display_as_str!(PersonName);

impl PersonName {
    pub fn parse(raw: &str) -> Result<PersonName, FieldError> {
        let err = |m: &str| FieldError::new("name", m);
        let name = collapse_whitespace(raw);
        if name.is_empty() {
            return Err(err(REQUIRED));
        }
        if name.chars().count() > PERSON_NAME_MAX_LEN {
            return Err(err(TOO_LONG_50));
        }
        if name.chars().any(char::is_control) {
            return Err(err(CONTROL_CHARS));
        }
        Ok(PersonName(name))
    }

    /// See [`pinyin_initials`].
    pub fn pinyin_initials(&self) -> String {
        pinyin_initials(&self.0)
    }

    /// See [`pinyin_full`].
    pub fn pinyin_full(&self) -> String {
        pinyin_full(&self.0)
    }
}

/// The plain reading of one Chinese character in search-key form (`ü` typed as
/// `v`, as on every pinyin keyboard); for polyphonic characters the first
/// (most common) reading.
fn reading(c: char) -> Option<String> {
    let p = c.to_pinyin()?.plain();
    Some(
        p.chars()
            .filter_map(|ch| match ch {
                'ü' => Some('v'),
                'ê' => Some('e'),
                c if c.is_ascii_alphabetic() => Some(c),
                _ => None,
            })
            .collect(),
    )
}

/// Surnames whose reading differs from the character's most common one: 曾 is
/// `zeng` as a surname (not `ceng`), 单 `shan`, 解 `xie`… A person's name starts
/// with the surname, so its first character is read from this table first.
const SURNAME_READINGS: &[(char, &str)] = &[
    ('曾', "zeng"),
    ('单', "shan"),
    ('解', "xie"),
    ('区', "ou"),
    ('朴', "piao"),
    ('查', "zha"),
    ('仇', "qiu"),
    ('覃', "qin"),
    ('尉', "yu"),
    ('盖', "ge"),
    ('乐', "yue"),
    ('缪', "miao"),
    ('召', "shao"),
    ('翟', "zhai"),
    ('任', "ren"),
    ('种', "chong"),
    ('秘', "bi"),
    ('长', "zhang"),
    ('员', "yun"),
    ('句', "gou"),
    ('洗', "xian"),
    ('冼', "xian"),
    ('宓', "fu"),
    ('繁', "po"),
    ('蕃', "pi"),
    ('万', "wan"),
    ('沈', "shen"),
    ('折', "she"),
    ('那', "na"),
    ('华', "hua"),
    ('柏', "bai"),
    ('薄', "bo"),
    ('过', "guo"),
];

/// The surname reading of `c`, if it is one of the polyphonic surnames.
fn surname_reading(c: char) -> Option<&'static str> {
    SURNAME_READINGS.iter().find(|(s, _)| *s == c).map(|(_, r)| *r)
}

/// Builds a search key: each Chinese character through `f`, other letters and
/// digits lowercased as they are (so are the few archaic characters without a
/// reading), everything else (spaces, dots) dropped. The first character takes
/// its surname reading.
fn search_key(name: &str, f: impl Fn(String) -> String) -> String {
    let mut out = String::new();
    let mut first = true;
    for c in name.chars() {
        let surname = if first && !c.is_whitespace() { surname_reading(c).map(str::to_string) } else { None };
        first &= c.is_whitespace();
        if let Some(r) = surname.or_else(|| reading(c)) {
            out.push_str(&f(r));
        } else if c.is_alphanumeric() {
            out.extend(crate::text::fold_width(c).to_lowercase());
        }
    }
    out
}

/// What a prospect who gave no name is recorded as: `未留名客户` and the last four
/// digits of the mobile (`未留名客户 5678`), so lists can tell them apart until a
/// consultant asks the name. A label, not a name: it is no evidence that two
/// records are one customer, and no search key.
pub const UNNAMED: &str = "未留名客户";

/// The placeholder name of an unnamed prospect with a mobile ending in `last4`.
pub fn unnamed(last4: &str) -> String {
    format!("{UNNAMED} {last4}").trim_end().to_string()
}

/// Whether `name` is the placeholder of an unnamed prospect (a real name merely
/// beginning with the same characters is not: the placeholder is the label and
/// digits only).
pub fn is_unnamed(name: &str) -> bool {
    name.trim().strip_prefix(UNNAMED).is_some_and(|rest| rest.trim().chars().all(|c| c.is_ascii_digit()))
}

/// A Chinese character (the CJK blocks names are written in).
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FFFF}')
}

/// The first letters of each character's pinyin: 张三 → `zs`. Latin letters and
/// digits pass through lowercased (`王A` → `wa`).
pub fn pinyin_initials(name: &str) -> String {
    search_key(name, |r| r.chars().take(1).collect())
}

/// The full toneless pinyin: 张三 → `zhangsan`, 吕 → `lv`. A romanized spelling of
/// the same name gives the same key (`Zhang San` → `zhangsan`).
pub fn pinyin_full(name: &str) -> String {
    search_key(name, |r| r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_unnamed_prospect_has_a_label_not_a_name() {
        assert_eq!(unnamed("5678"), "未留名客户 5678");
        assert_eq!(unnamed(""), "未留名客户");
        assert!(is_unnamed("未留名客户 5678") && is_unnamed("未留名客户") && is_unnamed(" 未留名客户  0001 "));
        assert!(!is_unnamed("未留名客户王五") && !is_unnamed("王五") && !is_unnamed("未留名"));
    }

    proptest! {
        #[test]
        fn every_placeholder_is_recognized(last4 in "[0-9]{0,4}") {
            prop_assert!(is_unnamed(&unnamed(&last4)));
        }

        #[test]
        fn no_name_of_cjk_characters_is_a_placeholder(name in "[\\u{4E00}-\\u{9FFF}]{1,6}") {
            prop_assert_eq!(is_unnamed(&name), name == UNNAMED);
        }
    }

    #[test]
    fn a_name_is_found_by_its_pinyin() {
        assert_eq!(pinyin_initials("张三"), "zs");
        assert_eq!(pinyin_full("张三"), "zhangsan");
        assert_eq!(pinyin_full("吕绿"), "lvlv");
        assert_eq!(pinyin_full("Zhang San"), "zhangsan");
        assert_eq!(pinyin_initials("王A 2号"), "wa2h");
        assert_eq!(pinyin_full("阿依古丽·买买提"), "ayigulimaimaiti");
        assert_eq!(pinyin_full("瓰"), "瓰", "an archaic character without a reading is kept");
        let n = PersonName::parse("欧阳 娜娜").unwrap();
        assert_eq!((n.pinyin_initials(), n.pinyin_full()), ("oynn".to_string(), "ouyangnana".to_string()));
    }

    #[test]
    fn a_polyphonic_surname_is_read_as_a_surname() {
        assert_eq!(pinyin_full("曾志伟"), "zengzhiwei");
        assert_eq!(pinyin_initials("曾志伟"), "zzw");
        assert_eq!(pinyin_full("单田芳"), "shantianfang");
        assert_eq!(pinyin_full("解晓东"), "xiexiaodong");
        assert_eq!(pinyin_full("区丽"), "ouli");
        assert_eq!(pinyin_full("朴明"), "piaoming");
        assert_eq!(pinyin_full("查良镛"), "zhaliangyong");
        assert_eq!(pinyin_full("仇英"), "qiuying");
        assert_eq!(pinyin_full("覃静"), "qinjing");
        assert_eq!(pinyin_initials("尉迟恭"), "ycg");
        // Only the first character is a surname: 曾 later in a name keeps its reading.
        assert_eq!(pinyin_full("王曾"), format!("wang{}", reading('曾').unwrap()));
    }

    #[test]
    fn a_name_is_tidied_but_kept_as_written() {
        assert_eq!(PersonName::parse("  张\u{3000}三  ").unwrap().as_str(), "张 三");
        assert_eq!(PersonName::parse(" John   Smith ").unwrap().as_str(), "John Smith");
        assert_eq!(PersonName::parse(" ").unwrap_err().message, REQUIRED);
        assert_eq!(PersonName::parse(&"长".repeat(51)).unwrap_err().message, TOO_LONG_50);
        assert_eq!(PersonName::parse("张\u{0007}三").unwrap_err().message, CONTROL_CHARS);
        assert!(PersonName::parse(&"长".repeat(50)).is_ok());
    }

    proptest! {
        #[test]
        fn every_chinese_character_gives_one_initial(name in "[\u{4e00}-\u{9fa5}]{1,6}") {
            // A few archaic characters have no reading and are kept as they are.
            let full = pinyin_full(&name);
            let initials = pinyin_initials(&name);
            prop_assert!(full.chars().all(|c| c.is_ascii_lowercase() || name.contains(c)));
            prop_assert_eq!(initials.chars().count(), name.chars().count());
            prop_assert!(full.starts_with(initials.chars().next().unwrap()));
        }

        #[test]
        fn a_parsed_name_parses_to_itself(raw in "\\PC{0,60}") {
            if let Ok(n) = PersonName::parse(&raw) {
                prop_assert_eq!(PersonName::parse(n.as_str()).unwrap(), n.clone());
                prop_assert!(!n.as_str().contains("  "));
            }
        }
    }
}
