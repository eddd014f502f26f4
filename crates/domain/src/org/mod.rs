//! The automaker's network: regions, dealer groups, dealers (4S stores) and their
//! departments. Rules here decide what a valid code, level or department is.

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// Dealer classification by the OEM's network assessment (A is the strongest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DealerLevel {
    A,
    B,
    C,
    D,
}

impl DealerLevel {
    pub const ALL: [DealerLevel; 4] = [DealerLevel::A, DealerLevel::B, DealerLevel::C, DealerLevel::D];

    pub fn as_str(self) -> &'static str {
        match self {
            DealerLevel::A => "A",
            DealerLevel::B => "B",
            DealerLevel::C => "C",
            DealerLevel::D => "D",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// Departments of a dealer (or of the OEM's own organization).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    Sales,
    Service,
    Parts,
    Finance,
    Cac,
    TechSupport,
    Marketing,
}

impl DepartmentKind {
    pub const ALL: [DepartmentKind; 7] = [
        DepartmentKind::Sales,
        DepartmentKind::Service,
        DepartmentKind::Parts,
        DepartmentKind::Finance,
        DepartmentKind::Cac,
        DepartmentKind::TechSupport,
        DepartmentKind::Marketing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DepartmentKind::Sales => "sales",
            DepartmentKind::Service => "service",
            DepartmentKind::Parts => "parts",
            DepartmentKind::Finance => "finance",
            DepartmentKind::Cac => "cac",
            DepartmentKind::TechSupport => "tech_support",
            DepartmentKind::Marketing => "marketing",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Mainland provinces, municipalities and autonomous regions (GB/T 2260 names).
pub const PROVINCES: [&str; 31] = [
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽",
    "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州",
    "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆",
];

/// An organization code (region, group or dealer): 2–16 characters of capital
/// letters, digits and dashes, as the OEM's dealer numbering uses. Trimmed and
/// uppercased on the way in.
pub fn parse_code(field: &str, raw: &str) -> Result<String, FieldError> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() < 2 || code.len() > 16 {
        return Err(FieldError::new(field, "must be 2 to 16 characters"));
    }
    if !code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-') {
        return Err(FieldError::new(field, "may contain only letters A–Z, digits and '-'"));
    }
    Ok(code)
}

/// A display name: trimmed, 1–100 characters.
pub fn parse_name(field: &str, raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    let n = name.chars().count();
    if n == 0 {
        return Err(FieldError::new(field, "is required"));
    }
    if n > 100 {
        return Err(FieldError::new(field, "must be at most 100 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    Ok(name.to_string())
}

pub fn parse_province(field: &str, raw: &str) -> Result<String, FieldError> {
    let p = raw.trim();
    if p.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    PROVINCES
        .iter()
        .find(|known| p == **known || p.strip_suffix('省').or(p.strip_suffix('市')) == Some(known))
        .map(|known| known.to_string())
        .ok_or_else(|| FieldError::new(field, "is not a province of mainland China"))
}

/// Optional free text such as an address: trimmed, empty becomes `None`.
pub fn parse_optional_text(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) if t.chars().count() > max => Err(FieldError::new(field, format!("must be at most {max} characters"))),
        Some(t) => Ok(Some(t.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_are_normalized() {
        assert_eq!(parse_code("code", " sh-001 ").unwrap(), "SH-001");
        assert!(parse_code("code", "x").is_err());
        assert!(parse_code("code", "上海01").is_err());
        assert_eq!(parse_code("code", "a b").unwrap_err().field, "code");
    }

    #[test]
    fn provinces_accept_the_common_suffixes() {
        assert_eq!(parse_province("province", "广东省").unwrap(), "广东");
        assert_eq!(parse_province("province", "上海市").unwrap(), "上海");
        assert_eq!(parse_province("province", "新疆").unwrap(), "新疆");
        assert!(parse_province("province", "加州").is_err());
    }

    #[test]
    fn names_are_required_and_bounded() {
        assert!(parse_name("name", "  ").is_err());
        assert_eq!(parse_name("name", " 上海浦东4S店 ").unwrap(), "上海浦东4S店");
        assert!(parse_name("name", &"长".repeat(101)).is_err());
    }

    #[test]
    fn levels_and_departments_round_trip() {
        for l in DealerLevel::ALL {
            assert_eq!(DealerLevel::parse(l.as_str()), Some(l));
        }
        for k in DepartmentKind::ALL {
            assert_eq!(DepartmentKind::parse(k.as_str()), Some(k));
        }
    }

    proptest! {
        #[test]
        fn a_parsed_code_parses_to_itself(raw in "[ a-zA-Z0-9-]{0,20}") {
            if let Ok(code) = parse_code("code", &raw) {
                prop_assert_eq!(parse_code("code", &code).unwrap(), code.clone());
                prop_assert!(code.len() >= 2 && code.len() <= 16);
            }
        }

        #[test]
        fn name_parsing_never_panics(raw in "\\PC{0,120}") {
            let _ = parse_name("name", &raw);
        }
    }
}
