//! Customer 360: the validated pieces of one golden customer record — contact
//! points (mobile, landline, e-mail), identity documents (resident ID, USCC),
//! names and their pinyin search keys, and the closed lists (customer kind,
//! gender, contact channel, dealer link, relationship).
//!
//! Every identifier has a `parse` constructor that is the only way to build it,
//! normalizes what people type (spaces, dashes, full-width digits, `+86`) and
//! serializes as the normalized text, so equal identifiers are equal strings in
//! every layer — which identity resolution relies on.

mod email;
mod id_number;
mod kinds;
mod landline;
mod mobile;
mod name;
mod phone;
mod uscc;

pub use email::{EMAIL_MAX_LEN, Email};
pub use id_number::{IdNumber, id_check_char};
pub use kinds::{ContactChannel, CustomerKind, DealerLinkKind, Gender, RelationshipKind};
pub use landline::Landline;
pub use mobile::Mobile;
pub use name::{PERSON_NAME_MAX_LEN, PersonName, UNNAMED, is_cjk, is_unnamed, pinyin_full, pinyin_initials, unnamed};
pub use phone::{Phone, PhoneKind};
pub use uscc::{USCC_ALPHABET, Uscc, UsccParsed, uscc_check_char};

// The validation messages of this module. The UI translates them by their exact
// text, so they are fixed and all listed here.
pub const REQUIRED: &str = "is required";
pub const NOT_A_MOBILE: &str = "is not a mainland China mobile number";
pub const NOT_A_LANDLINE: &str = "is not a landline number with area code";
pub const NOT_A_PHONE: &str = "is not a mobile or landline number";
pub const LENGTH_18: &str = "must be 18 characters";
pub const ID_FORMAT: &str = "must be 17 digits followed by a digit or X";
pub const ID_BIRTH_DATE: &str = "has an impossible birth date";
pub const ID_FUTURE: &str = "has a birth date in the future";
/// An error for ID numbers; for USCCs the same text is shown as a warning
/// ([`UsccParsed::check_ok`] is false).
pub const WRONG_CHECK: &str = "has a wrong check character";
pub const USCC_ALPHABET_MSG: &str = "may contain only digits and capital letters except I, O, S, V and Z";
pub const NOT_AN_EMAIL: &str = "is not an e-mail address";
pub const TOO_LONG_254: &str = "must be at most 254 characters";
pub const TOO_LONG_50: &str = "must be at most 50 characters";
pub const CONTROL_CHARS: &str = "must not contain control characters";

/// Every message above, for the UI's check that each has a translation.
pub const MESSAGES: &[&str] = &[
    REQUIRED,
    NOT_A_MOBILE,
    NOT_A_LANDLINE,
    NOT_A_PHONE,
    LENGTH_18,
    ID_FORMAT,
    ID_BIRTH_DATE,
    ID_FUTURE,
    WRONG_CHECK,
    USCC_ALPHABET_MSG,
    NOT_AN_EMAIL,
    TOO_LONG_254,
    TOO_LONG_50,
    CONTROL_CHARS,
];
