//! Staff accounts: what a valid username and password are.

use crate::FieldError;

/// Usernames are 3–32 characters of lowercase letters, digits, `.`, `_`, `-`,
/// starting with a letter; lowercased on the way in so `Zhang.San` and `zhang.san`
/// are the same account.
pub fn parse_username(raw: &str) -> Result<String, FieldError> {
    let u = raw.trim().to_ascii_lowercase();
    if u.len() < 3 || u.len() > 32 {
        return Err(FieldError::new("username", "must be 3 to 32 characters"));
    }
    if !u.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(FieldError::new("username", "must start with a letter"));
    }
    if !u.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')) {
        return Err(FieldError::new("username", "may contain only a–z, 0–9, '.', '_' and '-'"));
    }
    Ok(u)
}

/// At least 8 characters and not only digits; at most 128 so hashing stays bounded.
pub fn check_password(field: &str, password: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < 8 {
        return Err(FieldError::new(field, "must be at least 8 characters"));
    }
    if n > 128 {
        return Err(FieldError::new(field, "must be at most 128 characters"));
    }
    if password.chars().all(|c| c.is_ascii_digit()) {
        return Err(FieldError::new(field, "must not be only digits"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn usernames() {
        assert_eq!(parse_username(" Zhang.San ").unwrap(), "zhang.san");
        assert!(parse_username("zs").is_err());
        assert!(parse_username("1abc").is_err());
        assert!(parse_username("张三abc").is_err());
    }

    #[test]
    fn passwords() {
        assert!(check_password("password", "12345678").is_err());
        assert!(check_password("password", "short1").is_err());
        assert!(check_password("password", "demo-pass-1").is_ok());
    }

    proptest! {
        #[test]
        fn parsed_usernames_are_stable(raw in "\\PC{0,40}") {
            if let Ok(u) = parse_username(&raw) {
                prop_assert_eq!(parse_username(&u).unwrap(), u);
            }
        }
    }
}
