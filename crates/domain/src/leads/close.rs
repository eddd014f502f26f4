//! Closing a lead without a sale: lost (战败), cancelled order (退订), invalid
//! (无效). Each needs a reason and the date; lost also the category and, when
//! known, the competitor. A manager approves the close.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Stage;
use crate::FieldError;
use crate::text::str_enum;

str_enum! {
    /// What kind of close is requested.
    pub enum CloseKind {
        Lost => "lost",
        Cancelled => "cancelled",
        Invalid => "invalid",
    }
}

impl CloseKind {
    pub fn stage(self) -> Stage {
        match self {
            CloseKind::Lost => Stage::Lost,
            CloseKind::Cancelled => Stage::Cancelled,
            CloseKind::Invalid => Stage::Invalid,
        }
    }
}

str_enum! {
    /// Why a prospect was lost.
    pub enum LostCategory {
        /// 他品战败: bought another brand.
        OtherBrand => "other_brand",
        /// 同品战败: bought our brand at another dealer.
        SameBrand => "same_brand",
        /// 客户取消计划.
        PlanCancelled => "plan_cancelled",
        /// 客户失联.
        Unreachable => "unreachable",
    }
}

impl LostCategory {
    /// The reasons that may be given for this category (empty: none needed).
    pub fn reasons(self) -> &'static [&'static str] {
        match self {
            LostCategory::OtherBrand => &["price", "product", "brand_preference", "promotion", "location_service", "delivery_time"],
            LostCategory::SameBrand => &["price", "relationship", "location"],
            LostCategory::PlanCancelled | LostCategory::Unreachable => &[],
        }
    }
}

/// Reasons for an invalid lead.
pub const INVALID_REASONS: [&str; 3] = ["wrong_number", "duplicate", "not_a_person"];

/// A close as typed (raw text, checked by [`CloseRequest::validate`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CloseRequest {
    pub kind: String,
    pub category: Option<String>,
    pub reason: Option<String>,
    pub competitor_brand: Option<String>,
    pub competitor_model: Option<String>,
    pub note: Option<String>,
    pub date: Option<NaiveDate>,
}

/// A close that satisfies the rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidClose {
    pub kind: CloseKind,
    pub category: Option<LostCategory>,
    pub reason: String,
    pub competitor_brand: Option<String>,
    pub competitor_model: Option<String>,
    pub note: Option<String>,
    pub date: NaiveDate,
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

impl CloseRequest {
    /// Checks the close of a lead at `stage` on `today`; names every field to fix.
    pub fn validate(&self, stage: Stage, today: NaiveDate) -> Result<ValidClose, Vec<FieldError>> {
        let mut errors = vec![];
        let kind = CloseKind::parse(self.kind.trim());
        let Some(kind) = kind else {
            return Err(vec![FieldError::new("kind", "must be one of lost, cancelled, invalid")]);
        };
        if !super::can_move(stage, kind.stage()) {
            errors.push(FieldError::new("kind", format!("a lead at stage {} cannot be closed as {}", stage.as_str(), kind.as_str())));
        }
        let date = self.date.unwrap_or(today);
        if date > today {
            errors.push(FieldError::new("date", "cannot be in the future"));
        }
        let reason = clean(&self.reason);
        let mut category = None;
        match kind {
            CloseKind::Lost => match self.category.as_deref().map(str::trim).map(LostCategory::parse) {
                None => errors.push(FieldError::new("category", "is required when a prospect is lost")),
                Some(None) => errors.push(FieldError::new("category", "must be one of other_brand, same_brand, plan_cancelled, unreachable")),
                Some(Some(c)) => {
                    category = Some(c);
                    let allowed = c.reasons();
                    match reason.as_deref() {
                        None if !allowed.is_empty() => errors.push(FieldError::new("reason", "is required for this category")),
                        Some(r) if !allowed.is_empty() && !allowed.contains(&r) => {
                            errors.push(FieldError::new("reason", format!("must be one of {}", allowed.join(", "))))
                        }
                        _ => {}
                    }
                    if c == LostCategory::OtherBrand && clean(&self.competitor_brand).is_none() && clean(&self.competitor_model).is_some() {
                        errors.push(FieldError::new("competitor_brand", "is required with a competitor model"));
                    }
                }
            },
            CloseKind::Invalid => match reason.as_deref() {
                Some(r) if INVALID_REASONS.contains(&r) => {}
                _ => errors.push(FieldError::new("reason", "must be one of wrong_number, duplicate, not_a_person")),
            },
            CloseKind::Cancelled => {
                if reason.is_none() {
                    errors.push(FieldError::new("reason", "is required when an order is cancelled"));
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let reason = reason.or_else(|| category.map(|c| c.as_str().to_string())).unwrap_or_default();
        Ok(ValidClose {
            kind,
            category,
            reason,
            competitor_brand: clean(&self.competitor_brand),
            competitor_model: clean(&self.competitor_model),
            note: clean(&self.note),
            date,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
    }

    fn req(kind: &str, category: Option<&str>, reason: Option<&str>) -> CloseRequest {
        CloseRequest {
            kind: kind.into(),
            category: category.map(Into::into),
            reason: reason.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn lost_to_another_brand_names_why_and_to_whom() {
        let mut r = req("lost", Some("other_brand"), Some("price"));
        r.competitor_brand = Some("比亚迪".into());
        r.competitor_model = Some("秦PLUS".into());
        let v = r.validate(Stage::Quote, today()).map_err(|e| e[0].clone());
        assert_eq!(v.as_ref().map(|v| v.category), Ok(Some(LostCategory::OtherBrand)));
        assert_eq!(v.map(|v| v.date), Ok(today()));
    }

    #[test]
    fn every_missing_piece_is_named() {
        let fields = |r: CloseRequest, s: Stage| r.validate(s, today()).err().unwrap_or_default().into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(fields(req("lost", None, None), Stage::Contacted), ["category"]);
        assert_eq!(fields(req("lost", Some("same_brand"), Some("brand_preference")), Stage::Contacted), ["reason"]);
        assert_eq!(fields(req("lost", Some("unreachable"), None), Stage::Contacted), Vec::<String>::new());
        assert_eq!(fields(req("invalid", None, Some("spam")), Stage::New), ["reason"]);
        assert_eq!(fields(req("cancelled", None, None), Stage::Order), ["reason"]);
        assert_eq!(fields(req("cancelled", None, Some("financing refused")), Stage::Quote), ["kind"]);
        assert_eq!(fields(req("won", None, None), Stage::New), ["kind"]);
        let mut late = req("invalid", None, Some("duplicate"));
        late.date = today().succ_opt();
        assert_eq!(fields(late, Stage::New), ["date"]);
    }

    proptest! {
        #[test]
        fn a_valid_close_always_has_a_reason(cat in proptest::sample::select(LostCategory::ALL.to_vec()), i in 0usize..6) {
            let reason = cat.reasons().get(i % cat.reasons().len().max(1)).map(|s| s.to_string());
            let r = CloseRequest { kind: "lost".into(), category: Some(cat.as_str().into()), reason, ..Default::default() };
            let v = r.validate(Stage::ShowroomVisit, today());
            prop_assert!(v.is_ok());
            prop_assert!(v.map(|v| !v.reason.is_empty()).unwrap_or(false));
        }
    }
}
