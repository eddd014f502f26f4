//! Identity resolution: deciding when two customer records — entered by two
//! dealers, the CAC and the website — are the same customer.
//!
//! Strong keys (the same mobile, ID number, USCC, or verified e-mail) link two
//! records automatically: [`strong_match`]. Weaker evidence (the same name at the
//! same address, …) puts the pair in a review queue with a score and the reasons:
//! [`weak_evidence`]. Both work on a plain [`Candidate`] the store fills from a
//! customer record; merging and unmerging are the store's business.

mod distance;
mod evidence;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::customers::{CustomerKind, Email, IdNumber, Landline, Mobile, Uscc};
use crate::vehicles::Vin;

pub use distance::edit_distance;
pub use evidence::{
    Evidence, REVIEW_THRESHOLD, Reason, WEIGHT_SAME_NAME_SAME_ADDRESS, WEIGHT_SAME_NAME_SAME_EMAIL,
    WEIGHT_SAME_NAME_SAME_LANDLINE, WEIGHT_SAME_VIN_OVERLAPPING_OWNERSHIP, WEIGHT_SIMILAR_NAME_SAME_CITY_MODEL,
    similar_names, weak_evidence,
};

/// What identity resolution needs to know about one customer record. Identifiers
/// are the validated types, so "the same mobile" is plain equality; free text
/// (name, addresses, city, models) is normalized again when compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidate {
    pub kind: CustomerKind,
    /// Person's or organization's name as recorded.
    pub name: String,
    pub mobiles: Vec<Mobile>,
    pub landlines: Vec<Landline>,
    pub id_number: Option<IdNumber>,
    pub email: Option<Email>,
    /// Whether the customer proved they own the e-mail address (clicked a link).
    pub email_verified: bool,
    pub addresses: Vec<String>,
    pub city: Option<String>,
    /// Models of the vehicles the customer owns or is interested in.
    pub vehicle_models: Vec<String>,
    pub uscc: Option<Uscc>,
    pub ownerships: Vec<Ownership>,
}

/// A period during which the customer owned a vehicle: `[from, until)`, `until`
/// open while they still own it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ownership {
    pub vin: Vin,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl Ownership {
    /// Whether both periods share at least one day. A handover on the day one
    /// ends and the other starts is not an overlap.
    pub fn overlaps(&self, other: &Ownership) -> bool {
        let before = |d: NaiveDate, end: Option<NaiveDate>| end.is_none_or(|e| d < e);
        self.vin == other.vin && before(self.from, other.until) && before(other.from, self.until)
    }
}

/// The key two records share that makes them one customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "key", content = "value", rename_all = "snake_case")]
pub enum StrongKey {
    IdNumber(IdNumber),
    Uscc(Uscc),
    Mobile(Mobile),
    /// Only when both records have verified it.
    Email(Email),
}

/// Whether two records are provably different customers, whatever else they
/// share: a person and an organization (a company's record carries its fleet
/// manager's mobile), two different ID numbers (family members sharing one
/// mobile), two different USCCs (subsidiaries of one group sharing a contact).
pub fn known_different(a: &Candidate, b: &Candidate) -> bool {
    let differ = |x: Option<&str>, y: Option<&str>| matches!((x, y), (Some(x), Some(y)) if x != y);
    a.kind.is_organization() != b.kind.is_organization()
        || differ(a.id_number.as_ref().map(IdNumber::as_str), b.id_number.as_ref().map(IdNumber::as_str))
        || differ(a.uscc.as_ref().map(Uscc::as_str), b.uscc.as_ref().map(Uscc::as_str))
}

/// The strong key two records share, if any, and they are not
/// [`known_different`]: link them automatically. When several keys are shared,
/// the most specific is reported: ID number, USCC, mobile (the smallest shared
/// one), verified e-mail.
pub fn strong_match(a: &Candidate, b: &Candidate) -> Option<StrongKey> {
    if known_different(a, b) {
        return None;
    }
    let same = |x: &Option<IdNumber>, y: &Option<IdNumber>| x.is_some() && x == y;
    if same(&a.id_number, &b.id_number) {
        return a.id_number.clone().map(StrongKey::IdNumber);
    }
    if a.uscc.is_some() && a.uscc == b.uscc {
        return a.uscc.clone().map(StrongKey::Uscc);
    }
    if let Some(m) = a.mobiles.iter().filter(|m| b.mobiles.contains(m)).min() {
        return Some(StrongKey::Mobile(m.clone()));
    }
    if a.email_verified && b.email_verified && a.email.is_some() && a.email == b.email {
        return a.email.clone().map(StrongKey::Email);
    }
    None
}
