//! Any phone number a customer gives, classified as a mobile or a landline, for
//! forms and imports that have a single "phone" field.

use serde::{Deserialize, Serialize};

use super::{Landline, Mobile, NOT_A_PHONE, REQUIRED};
use crate::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    Mobile,
    Landline,
}

impl PhoneKind {
    pub const ALL: [PhoneKind; 2] = [PhoneKind::Mobile, PhoneKind::Landline];

    pub fn as_str(self) -> &'static str {
        match self {
            PhoneKind::Mobile => "mobile",
            PhoneKind::Landline => "landline",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A validated phone number of either kind. Serialized as its normalized text;
/// the kind is recovered from the text (mobiles start with 1, landlines with 0).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Phone {
    Mobile(Mobile),
    Landline(Landline),
}

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, FieldError> {
        if raw.trim().is_empty() {
            return Err(FieldError::new("phone", REQUIRED));
        }
        if let Ok(m) = Mobile::parse(raw) {
            return Ok(Phone::Mobile(m));
        }
        Landline::parse(raw).map(Phone::Landline).map_err(|_| FieldError::new("phone", NOT_A_PHONE))
    }

    pub fn kind(&self) -> PhoneKind {
        match self {
            Phone::Mobile(_) => PhoneKind::Mobile,
            Phone::Landline(_) => PhoneKind::Landline,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Phone::Mobile(m) => m.as_str(),
            Phone::Landline(l) => l.as_str(),
        }
    }

    pub fn masked(&self) -> String {
        match self {
            Phone::Mobile(m) => m.masked(),
            Phone::Landline(l) => l.masked(),
        }
    }

    pub fn as_mobile(&self) -> Option<&Mobile> {
        match self {
            Phone::Mobile(m) => Some(m),
            Phone::Landline(_) => None,
        }
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        match p {
            Phone::Mobile(m) => m.into(),
            Phone::Landline(l) => l.into(),
        }
    }
}

impl TryFrom<String> for Phone {
    type Error = FieldError;
    fn try_from(raw: String) -> Result<Self, FieldError> {
        Phone::parse(&raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_phone_field_tells_mobiles_from_landlines() {
        assert_eq!(Phone::parse("+86 138 1234 1234").unwrap().kind(), PhoneKind::Mobile);
        let l = Phone::parse("(021) 5888 1234").unwrap();
        assert_eq!((l.kind(), l.as_str()), (PhoneKind::Landline, "021-58881234"));
        assert_eq!(Phone::parse("12345").unwrap_err().message, NOT_A_PHONE);
        assert_eq!(Phone::parse(" ").unwrap_err().message, REQUIRED);
        for k in PhoneKind::ALL {
            assert_eq!(PhoneKind::parse(k.as_str()), Some(k));
        }
    }

    proptest! {
        #[test]
        fn a_phone_keeps_its_kind_through_storage(raw in "[0-9 +()-]{7,20}") {
            if let Ok(p) = Phone::parse(&raw) {
                let json = serde_json::to_string(&p).unwrap();
                let back: Phone = serde_json::from_str(&json).unwrap();
                prop_assert_eq!(back.kind(), p.kind());
                prop_assert_eq!(back, p);
            }
        }
    }
}
