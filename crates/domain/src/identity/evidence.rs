//! Weak evidence that two records are one customer: not enough to link them, but
//! enough to put the pair in front of a person with a score and the reasons.

use serde::{Deserialize, Serialize};

use super::{Candidate, edit_distance, known_different};
use crate::customers::{is_unnamed, pinyin_full};
use crate::text::{collapse_whitespace, fold_width};

/// Same name and the same address.
pub const WEIGHT_SAME_NAME_SAME_ADDRESS: u32 = 70;
/// Same name and the same landline (extension ignored).
pub const WEIGHT_SAME_NAME_SAME_LANDLINE: u32 = 70;
/// Same name and the same e-mail address (a strong key only once both verified it).
pub const WEIGHT_SAME_NAME_SAME_EMAIL: u32 = 60;
/// Similar name, same city, and a vehicle model in common.
pub const WEIGHT_SIMILAR_NAME_SAME_CITY_MODEL: u32 = 60;
/// Both recorded as owning the same VIN at overlapping dates.
pub const WEIGHT_SAME_VIN_OVERLAPPING_OWNERSHIP: u32 = 60;
/// Pairs scoring at least this go to the review queue. Each kind of evidence in
/// DOMAIN.md §5 reaches it on its own; more reasons rank a pair higher.
pub const REVIEW_THRESHOLD: u32 = 60;

/// Why a pair of records may be one customer. Listed in [`Evidence::reasons`] in
/// this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    SameNameSameAddress,
    SameNameSameLandline,
    SameNameSameEmail,
    SimilarNameSameCityModel,
    SameVinOverlappingOwnership,
}

impl Reason {
    pub const ALL: [Reason; 5] = [
        Reason::SameNameSameAddress,
        Reason::SameNameSameLandline,
        Reason::SameNameSameEmail,
        Reason::SimilarNameSameCityModel,
        Reason::SameVinOverlappingOwnership,
    ];

    pub fn weight(self) -> u32 {
        match self {
            Reason::SameNameSameAddress => WEIGHT_SAME_NAME_SAME_ADDRESS,
            Reason::SameNameSameLandline => WEIGHT_SAME_NAME_SAME_LANDLINE,
            Reason::SameNameSameEmail => WEIGHT_SAME_NAME_SAME_EMAIL,
            Reason::SimilarNameSameCityModel => WEIGHT_SIMILAR_NAME_SAME_CITY_MODEL,
            Reason::SameVinOverlappingOwnership => WEIGHT_SAME_VIN_OVERLAPPING_OWNERSHIP,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::SameNameSameAddress => "same_name_same_address",
            Reason::SameNameSameLandline => "same_name_same_landline",
            Reason::SameNameSameEmail => "same_name_same_email",
            Reason::SimilarNameSameCityModel => "similar_name_same_city_model",
            Reason::SameVinOverlappingOwnership => "same_vin_overlapping_ownership",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A score from 0 to 100 (the capped sum of the reasons' weights) and the reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub score: u32,
    pub reasons: Vec<Reason>,
}

impl Evidence {
    pub fn needs_review(&self) -> bool {
        self.score >= REVIEW_THRESHOLD
    }
}

/// Names compare trimmed, whitespace-collapsed, case-insensitive. An unnamed
/// prospect's placeholder (`未留名客户 5678`) is no name: it compares like none.
fn norm_name(s: &str) -> String {
    if is_unnamed(s) {
        return String::new();
    }
    collapse_whitespace(s).to_lowercase()
}

/// Addresses, cities and models compare without spaces or punctuation,
/// case-insensitive: `张江路 100 号` = `张江路100号`.
fn norm_text(s: &str) -> String {
    s.chars().map(fold_width).filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn norm_city(s: &str) -> String {
    let t = norm_text(s);
    t.strip_suffix('市').map(str::to_string).unwrap_or(t)
}

fn share(a: &[String], b: &[String], norm: fn(&str) -> String) -> bool {
    let b: Vec<String> = b.iter().map(|s| norm(s)).filter(|s| !s.is_empty()).collect();
    a.iter().map(|s| norm(s)).any(|s| !s.is_empty() && b.contains(&s))
}

/// Similar names: equal, or one edit apart when both have at least 2 characters
/// (`张三` / `张山`, not `张` / `李`), or the same full pinyin (`张三` / `章三` /
/// `Zhang San`).
pub fn similar_names(a: &str, b: &str) -> bool {
    let (a, b) = (norm_name(a), norm_name(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let shorter = a.chars().count().min(b.chars().count());
    if a == b || (shorter >= 2 && edit_distance(&a, &b) <= 1) {
        return true;
    }
    let (pa, pb) = (pinyin_full(&a), pinyin_full(&b));
    !pa.is_empty() && pa == pb
}

/// The weak evidence that `a` and `b` are one customer, `None` when there is none
/// or they are [`known_different`]. Symmetric in `a` and `b`.
pub fn weak_evidence(a: &Candidate, b: &Candidate) -> Option<Evidence> {
    if known_different(a, b) {
        return None;
    }
    let same_name = {
        let n = norm_name(&a.name);
        !n.is_empty() && n == norm_name(&b.name)
    };
    let same_landline =
        a.landlines.iter().any(|x| b.landlines.iter().any(|y| x.without_extension() == y.without_extension()));
    let same_email = a.email.is_some() && a.email == b.email;
    let same_city = match (&a.city, &b.city) {
        (Some(x), Some(y)) => !norm_city(x).is_empty() && norm_city(x) == norm_city(y),
        _ => false,
    };
    let mut reasons = Vec::new();
    let mut add = |yes: bool, r: Reason| {
        if yes {
            reasons.push(r);
        }
    };
    add(same_name && share(&a.addresses, &b.addresses, norm_text), Reason::SameNameSameAddress);
    add(same_name && same_landline, Reason::SameNameSameLandline);
    add(same_name && same_email, Reason::SameNameSameEmail);
    add(
        same_city && similar_names(&a.name, &b.name) && share(&a.vehicle_models, &b.vehicle_models, norm_text),
        Reason::SimilarNameSameCityModel,
    );
    add(a.ownerships.iter().any(|x| b.ownerships.iter().any(|y| x.overlaps(y))), Reason::SameVinOverlappingOwnership);
    if reasons.is_empty() {
        return None;
    }
    let score = reasons.iter().map(|r| r.weight()).sum::<u32>().min(100);
    Some(Evidence { score, reasons })
}
