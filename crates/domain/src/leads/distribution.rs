//! The daily distribution of the OEM's prospects to dealers and the dealers'
//! feedback on each (DOMAIN.md §2 "Routing and distribution"): which leads go out,
//! what a piece of feedback says about the funnel, and whether it came in time.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Feedback, Source, Stage};

/// Whether a lead goes out in the next distribution: captured centrally by the
/// OEM, still open and not sent before.
pub fn distributable(source: Source, stage: Stage, distributed_at: Option<DateTime<Utc>>) -> bool {
    source.from_oem() && stage.is_open() && distributed_at.is_none()
}

impl Feedback {
    /// The funnel stage the feedback shows the prospect reached, if any.
    pub fn reaches(self) -> Option<Stage> {
        match self {
            Feedback::Contacted | Feedback::NotInterested | Feedback::AlreadyBought => Some(Stage::Contacted),
            Feedback::Visited => Some(Stage::ShowroomVisit),
            Feedback::NotReachable | Feedback::Invalid => None,
        }
    }
}

/// Where a distributed lead's feedback stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackStatus {
    /// Not due yet, not given yet.
    Waiting,
    /// Due and not given: the dealer is late.
    Overdue,
    /// Given before it was due.
    OnTime,
    /// Given, but after it was due.
    Late,
}

impl FeedbackStatus {
    /// From the lead's due time and first feedback time, at `now`.
    pub fn of(due: DateTime<Utc>, given: Option<DateTime<Utc>>, now: DateTime<Utc>) -> FeedbackStatus {
        match given {
            Some(g) if g <= due => FeedbackStatus::OnTime,
            Some(_) => FeedbackStatus::Late,
            None if now > due => FeedbackStatus::Overdue,
            None => FeedbackStatus::Waiting,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackStatus::Waiting => "waiting",
            FeedbackStatus::Overdue => "overdue",
            FeedbackStatus::OnTime => "on_time",
            FeedbackStatus::Late => "late",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000 + h * 3600, 0).unwrap_or_default()
    }

    #[test]
    fn only_open_oem_leads_not_sent_before_go_out() {
        assert!(distributable(Source::Hotline, Stage::New, None));
        assert!(distributable(Source::AutoShow, Stage::Contacted, None));
        assert!(!distributable(Source::WalkIn, Stage::New, None), "the dealer's own walk-in");
        assert!(!distributable(Source::Website, Stage::Lost, None), "closed");
        assert!(!distributable(Source::Website, Stage::Delivered, None), "delivered");
        assert!(!distributable(Source::Website, Stage::New, Some(at(0))), "sent already");
    }

    #[test]
    fn feedback_moves_the_funnel_only_when_someone_was_reached() {
        assert_eq!(Feedback::Visited.reaches(), Some(Stage::ShowroomVisit));
        assert_eq!(Feedback::Contacted.reaches(), Some(Stage::Contacted));
        assert_eq!(Feedback::NotReachable.reaches(), None);
        assert_eq!(Feedback::Invalid.reaches(), None);
    }

    #[test]
    fn a_late_answer_is_late_and_a_missing_one_overdue() {
        let due = at(24);
        assert_eq!(FeedbackStatus::of(due, Some(at(3)), at(30)), FeedbackStatus::OnTime);
        assert_eq!(FeedbackStatus::of(due, Some(at(24)), at(30)), FeedbackStatus::OnTime, "at the deadline counts");
        assert_eq!(FeedbackStatus::of(due, Some(at(25)), at(30)), FeedbackStatus::Late);
        assert_eq!(FeedbackStatus::of(due, None, at(30)), FeedbackStatus::Overdue);
        assert_eq!(FeedbackStatus::of(due, None, at(10)), FeedbackStatus::Waiting);
    }

    proptest! {
        #[test]
        fn given_feedback_never_counts_as_overdue(due in 0i64..1000, given in proptest::option::of(0i64..1000), now in 0i64..2000) {
            let s = FeedbackStatus::of(at(due), given.map(at), at(now));
            prop_assert_eq!(given.is_some(), matches!(s, FeedbackStatus::OnTime | FeedbackStatus::Late));
            if given.is_none() {
                prop_assert_eq!(s == FeedbackStatus::Overdue, at(now) > at(due));
            }
            // Time passing never turns an answer around; waiting may only become overdue.
            let later = FeedbackStatus::of(at(due), given.map(at), at(now) + Duration::days(100));
            match s {
                FeedbackStatus::Waiting => prop_assert_eq!(later, FeedbackStatus::Overdue),
                other => prop_assert_eq!(later, other),
            }
        }
    }
}
