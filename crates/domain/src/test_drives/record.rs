//! How a booking ends: the drive happened (the customer's feedback, a rating and
//! the route driven), it was cancelled (why), or the customer did not come.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{NOT_STARTED, RATING_RANGE, REASON_REQUIRED, TEXT_TOO_LONG};
use crate::FieldError;
use crate::text::str_enum;

str_enum! {
    pub enum Status {
        /// Reserved: the car and the consultant are held for the slot.
        Booked => "booked",
        /// Driven, with the customer's feedback.
        Completed => "completed",
        /// Called off before it happened (the slot is free again).
        Cancelled => "cancelled",
        /// The customer did not come.
        NoShow => "no_show",
    }
}

impl Status {
    /// A booking that still holds its car and consultant.
    pub fn holds_slot(self) -> bool {
        self == Status::Booked
    }
}

/// Which moves a booking may make: only a booked drive ends, and only once.
pub fn can_move(from: Status, to: Status) -> bool {
    from == Status::Booked && to != Status::Booked
}

/// Whether an ending `to` may be recorded at `now` for a drive starting at `start`:
/// a drive is completed or missed only once its slot has begun; it can be
/// cancelled any time before.
pub fn check_time(to: Status, start: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), FieldError> {
    if matches!(to, Status::Completed | Status::NoShow) && now < start {
        return Err(FieldError::new("status", NOT_STARTED));
    }
    Ok(())
}

/// What a completed drive records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriveRecord {
    pub rating: i64,
    pub feedback: Option<String>,
    pub route: Option<String>,
}

fn text(field: &str, v: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    let v = v.map(str::trim).filter(|s| !s.is_empty());
    match v {
        Some(s) if s.chars().count() > max => Err(FieldError::new(field, TEXT_TOO_LONG)),
        Some(s) if s.chars().any(char::is_control) => Err(FieldError::new(field, "must not contain control characters")),
        other => Ok(other.map(str::to_string)),
    }
}

impl DriveRecord {
    pub fn parse(rating: Option<i64>, feedback: Option<&str>, route: Option<&str>) -> Result<DriveRecord, FieldError> {
        let rating = rating.ok_or_else(|| FieldError::new("rating", REASON_REQUIRED))?;
        if !(1..=5).contains(&rating) {
            return Err(FieldError::new("rating", RATING_RANGE));
        }
        Ok(DriveRecord { rating, feedback: text("feedback", feedback, 500)?, route: text("route", route, 500)? })
    }
}

/// The reason a booking is cancelled: required, short.
pub fn cancel_reason(raw: Option<&str>) -> Result<String, FieldError> {
    text("reason", raw, 500)?.ok_or_else(|| FieldError::new("reason", REASON_REQUIRED))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_drive_ends_once() {
        assert!(can_move(Status::Booked, Status::Completed));
        assert!(can_move(Status::Booked, Status::Cancelled));
        assert!(can_move(Status::Booked, Status::NoShow));
        assert!(!can_move(Status::Booked, Status::Booked));
        for from in [Status::Completed, Status::Cancelled, Status::NoShow] {
            for to in Status::ALL {
                assert!(!can_move(from, *to), "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn a_drive_is_recorded_with_a_rating_of_one_to_five() {
        assert_eq!(DriveRecord::parse(None, None, None).map_err(|e| e.field), Err("rating".into()));
        assert_eq!(DriveRecord::parse(Some(6), None, None).map_err(|e| e.message), Err(RATING_RANGE.into()));
        assert_eq!(DriveRecord::parse(Some(4), Some("x".repeat(501).as_str()), None).map_err(|e| e.field), Err("feedback".into()));
        let r = DriveRecord::parse(Some(5), Some("  动力好，底盘稳 "), Some("")).unwrap();
        assert_eq!((r.feedback.as_deref(), r.route), (Some("动力好，底盘稳"), None));
        assert_eq!(cancel_reason(Some("  ")).map_err(|e| e.field), Err("reason".into()));
    }

    #[test]
    fn only_a_begun_drive_is_completed_or_missed() {
        let start = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let before = start - chrono::Duration::minutes(1);
        assert!(check_time(Status::Completed, start, before).is_err());
        assert!(check_time(Status::NoShow, start, before).is_err());
        assert!(check_time(Status::Cancelled, start, before).is_ok());
        assert!(check_time(Status::Completed, start, start).is_ok());
    }

    proptest! {
        #[test]
        fn ratings_outside_one_to_five_are_refused(r in -100i64..100) {
            prop_assert_eq!(DriveRecord::parse(Some(r), None, None).is_ok(), (1..=5).contains(&r));
        }
    }
}
