//! How promptly a dealer follows its leads up: new leads first contacted within
//! the rules' first-contact hours, open leads past their follow-up date, and the
//! feedback owed on every lead the OEM distributed (on time, late, missing).

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::rate;

/// Where a lead stands against its first-contact window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactClass {
    InTime,
    Late,
    /// The window passed without a contact.
    Missed,
    /// Not contacted yet, but the window is still open.
    Waiting,
}

pub fn contact_class(created: DateTime<Utc>, contacted: Option<DateTime<Utc>>, hours: i64, now: DateTime<Utc>) -> ContactClass {
    let due = created + Duration::hours(hours);
    match contacted {
        Some(c) if c <= due => ContactClass::InTime,
        Some(_) => ContactClass::Late,
        None if now > due => ContactClass::Missed,
        None => ContactClass::Waiting,
    }
}

/// Where a distributed lead's feedback stands against its due time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackClass {
    OnTime,
    Late,
    Missing,
    Pending,
}

pub fn feedback_class(due: DateTime<Utc>, given: Option<DateTime<Utc>>, now: DateTime<Utc>) -> FeedbackClass {
    match given {
        Some(g) if g <= due => FeedbackClass::OnTime,
        Some(_) => FeedbackClass::Late,
        None if now > due => FeedbackClass::Missing,
        None => FeedbackClass::Pending,
    }
}

/// One dealer's (or the total's) follow-up record over the leads of a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Timeliness {
    pub leads: i64,
    pub contacted_in_time: i64,
    pub contacted_late: i64,
    pub not_contacted: i64,
    /// Still open now, and of those past their follow-up date.
    pub open: i64,
    pub overdue: i64,
    /// Leads the OEM distributed to the dealer, and the feedback on them.
    pub distributed: i64,
    pub feedback_on_time: i64,
    pub feedback_late: i64,
    pub feedback_missing: i64,
}

impl Timeliness {
    /// Share of leads whose first-contact window has passed that were contacted
    /// within it (leads still inside their window are not judged yet).
    pub fn contact_rate(&self) -> Option<f64> {
        rate(self.contacted_in_time, self.contacted_in_time + self.contacted_late + self.not_contacted)
    }

    pub fn overdue_rate(&self) -> Option<f64> {
        rate(self.overdue, self.open)
    }

    /// Share of the feedback due so far that came on time.
    pub fn feedback_rate(&self) -> Option<f64> {
        rate(self.feedback_on_time, self.feedback_on_time + self.feedback_late + self.feedback_missing)
    }

    pub fn add(&mut self, o: &Timeliness) {
        self.leads += o.leads;
        self.contacted_in_time += o.contacted_in_time;
        self.contacted_late += o.contacted_late;
        self.not_contacted += o.not_contacted;
        self.open += o.open;
        self.overdue += o.overdue;
        self.distributed += o.distributed;
        self.feedback_on_time += o.feedback_on_time;
        self.feedback_late += o.feedback_late;
        self.feedback_missing += o.feedback_missing;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-20T00:00:00Z").map(|d| d.with_timezone(&Utc)).unwrap_or_default() + Duration::hours(h)
    }

    #[test]
    fn first_contact_within_the_window_is_in_time() {
        assert_eq!(contact_class(at(0), Some(at(24)), 24, at(100)), ContactClass::InTime, "the 24th hour still counts");
        assert_eq!(contact_class(at(0), Some(at(25)), 24, at(100)), ContactClass::Late);
        assert_eq!(contact_class(at(0), None, 24, at(100)), ContactClass::Missed);
        assert_eq!(contact_class(at(0), None, 24, at(3)), ContactClass::Waiting);
        assert_eq!(feedback_class(at(24), Some(at(2)), at(100)), FeedbackClass::OnTime);
        assert_eq!(feedback_class(at(24), Some(at(30)), at(100)), FeedbackClass::Late);
        assert_eq!(feedback_class(at(24), None, at(100)), FeedbackClass::Missing);
        assert_eq!(feedback_class(at(24), None, at(10)), FeedbackClass::Pending);
    }

    #[test]
    fn shares_leave_out_what_is_not_due_yet() {
        let t = Timeliness { leads: 10, contacted_in_time: 6, contacted_late: 2, not_contacted: 0, open: 4, overdue: 1, distributed: 5,
            feedback_on_time: 3, feedback_late: 1, feedback_missing: 0 };
        assert_eq!(t.contact_rate(), Some(0.75), "two leads still in their window are not judged");
        assert_eq!(t.feedback_rate(), Some(0.75), "one distributed lead is not due yet");
        assert_eq!(t.overdue_rate(), Some(0.25));
        assert_eq!(Timeliness::default().contact_rate(), None);
    }

    proptest! {
        #[test]
        fn every_lead_falls_in_one_class(created in 0i64..1000, contact in proptest::option::of(0i64..2000), hours in 1i64..168, now in 0i64..3000) {
            let c = contact_class(at(created), contact.map(at), hours, at(now));
            let due = created + hours;
            match contact {
                Some(x) => prop_assert_eq!(c == ContactClass::InTime, x <= due),
                None => prop_assert_eq!(c == ContactClass::Missed, now > due),
            }
        }
    }
}
