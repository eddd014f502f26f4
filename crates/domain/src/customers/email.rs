//! E-mail addresses of customers: a contact channel, and a strong identity key
//! once verified.

use serde::{Deserialize, Serialize};

use super::{NOT_AN_EMAIL, REQUIRED, TOO_LONG_254};
use crate::FieldError;
use crate::text::{display_as_str, string_newtype};

/// RFC 5321's limit on a forward path.
pub const EMAIL_MAX_LEN: usize = 254;

/// A trimmed, lower-cased address with one `@`, a non-empty local part and a
/// domain of at least two non-empty labels.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

string_newtype!(Email, Email::parse);
display_as_str!(Email);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, FieldError> {
        let err = |m: &str| FieldError::new("email", m);
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(err(REQUIRED));
        }
        if s.chars().count() > EMAIL_MAX_LEN {
            return Err(err(TOO_LONG_254));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(err(NOT_AN_EMAIL));
        };
        let ok = !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && domain.split('.').all(|label| !label.is_empty())
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok { Ok(Email(s)) } else { Err(err(NOT_AN_EMAIL)) }
    }

    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map(|(l, _)| l).unwrap_or_default()
    }

    pub fn domain(&self) -> &str {
        self.0.split_once('@').map(|(_, d)| d).unwrap_or_default()
    }

    /// The form shown in lists: first character of the local part, then `***`:
    /// `z***@example.com`.
    pub fn masked(&self) -> String {
        let first = self.local_part().chars().next().unwrap_or('*');
        format!("{first}***@{}", self.domain())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_email_is_trimmed_and_lowercased() {
        let e = Email::parse("  Zhang.San@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "zhang.san@example.com");
        assert_eq!((e.local_part(), e.domain()), ("zhang.san", "example.com"));
        assert_eq!(e.masked(), "z***@example.com");
        assert!(Email::parse("王@例子.中国").is_ok());
    }

    #[test]
    fn malformed_addresses_are_rejected() {
        for raw in [
            "zhangsan",
            "@example.com",
            "zs@",
            "zs@localhost",
            "zs@@example.com",
            "z s@example.com",
            "zs@example..com",
            "zs@.example.com",
            "zs@example.com.",
        ] {
            assert_eq!(Email::parse(raw).unwrap_err().message, NOT_AN_EMAIL, "{raw}");
        }
        assert_eq!(Email::parse(" ").unwrap_err().message, REQUIRED);
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long).unwrap_err().message, TOO_LONG_254);
    }

    proptest! {
        #[test]
        fn a_parsed_email_parses_to_itself(raw in "[ a-zA-Z0-9.@_+-]{0,40}") {
            if let Ok(e) = Email::parse(&raw) {
                prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e.clone());
                prop_assert_eq!(e.as_str().matches('@').count(), 1);
                prop_assert_eq!(e.as_str().to_lowercase(), e.as_str());
            }
        }
    }
}
