//! Text normalization shared by the identifier rules: what people type on a
//! Chinese keyboard (full-width digits and letters, the ideographic space) is
//! folded to the ASCII the standards are written in.

/// Folds a full-width ASCII variant (`１`, `Ａ`, `＋`, `（`) to its ASCII form and the
/// ideographic space to a plain space; every other character is returned as is.
pub(crate) fn fold_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Trims, folds full-width characters and collapses every run of whitespace to one
/// space.
pub(crate) fn collapse_whitespace(raw: &str) -> String {
    raw.chars().map(fold_width).collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Implements the string plumbing of a validated newtype: `as_str`, `Display`,
/// `AsRef<str>`, and the serde conversions (serialized as the normalized string,
/// deserialized through the given parse expression so a stored value is checked
/// again on the way in).
macro_rules! string_newtype {
    ($ty:ident, $parse:expr) => {
        impl $ty {
            /// The normalized form, as stored and as shown to staff allowed to see it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.0
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::FieldError;
            fn try_from(raw: String) -> Result<Self, Self::Error> {
                let parse: fn(&str) -> Result<$ty, $crate::FieldError> = $parse;
                parse(&raw)
            }
        }
    };
}

/// `Display` as the normalized string, for identifiers that are not sensitive.
macro_rules! display_as_str {
    ($ty:ident) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// A closed list of values stored and sent as fixed snake_case words: the enum,
/// `ALL`, `as_str`, `parse`, and serde under the same words.
macro_rules! str_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $s)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $s),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

pub(crate) use display_as_str;
pub(crate) use str_enum;
pub(crate) use string_newtype;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_input_is_folded_to_ascii() {
        assert_eq!("１３８（Ａ）＋".chars().map(fold_width).collect::<String>(), "138(A)+");
        assert_eq!(collapse_whitespace("  张\u{3000}\u{3000}三 \t x "), "张 三 x");
    }
}
