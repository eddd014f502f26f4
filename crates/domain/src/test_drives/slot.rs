//! Test-drive slots: a booking holds a demo car and a consultant for a time span;
//! two bookings of the same car or consultant may not overlap.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{SLOT_LENGTH, SLOT_ORDER, SLOT_PAST};
use crate::FieldError;

/// A half-open time span `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Shortest and longest test drive, and how far back a booking may start (a drive
/// recorded right after it happened).
pub const MIN_MINUTES: i64 = 15;
pub const MAX_MINUTES: i64 = 240;
pub const GRACE_HOURS: i64 = 12;

impl Slot {
    /// Checks a requested slot at time `now`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>, now: DateTime<Utc>) -> Result<Slot, FieldError> {
        if end <= start {
            return Err(FieldError::new("ends_at", SLOT_ORDER));
        }
        let minutes = (end - start).num_minutes();
        if !(MIN_MINUTES..=MAX_MINUTES).contains(&minutes) {
            return Err(FieldError::new("ends_at", SLOT_LENGTH));
        }
        if start < now - Duration::hours(GRACE_HOURS) {
            return Err(FieldError::new("starts_at", SLOT_PAST));
        }
        Ok(Slot { start, end })
    }
}

/// Whether two slots share any moment (touching ends do not overlap).
/// The store's overlap query is the same comparison in SQL.
pub fn overlaps(a: Slot, b: Slot) -> bool {
    a.start < b.end && b.start < a.end
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(m: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000 + m * 60, 0).unwrap_or_default()
    }

    #[test]
    fn back_to_back_drives_do_not_collide() {
        let a = Slot { start: t(0), end: t(30) };
        assert!(!overlaps(a, Slot { start: t(30), end: t(60) }));
        assert!(overlaps(a, Slot { start: t(29), end: t(60) }));
        assert!(overlaps(a, Slot { start: t(5), end: t(10) }));
        assert_eq!(Slot::new(t(10), t(10), t(0)).map_err(|e| e.field), Err("ends_at".into()));
        assert_eq!(Slot::new(t(0), t(300), t(0)).map_err(|e| e.field), Err("ends_at".into()));
        assert_eq!(Slot::new(t(-24 * 60), t(-24 * 60 + 30), t(0)).map_err(|e| e.field), Err("starts_at".into()));
        assert!(Slot::new(t(60), t(90), t(0)).is_ok());
    }

    proptest! {
        #[test]
        fn overlap_is_symmetric_and_matches_shared_minutes(a in 0i64..500, la in 1i64..120, b in 0i64..500, lb in 1i64..120) {
            let (x, y) = (Slot { start: t(a), end: t(a + la) }, Slot { start: t(b), end: t(b + lb) });
            prop_assert_eq!(overlaps(x, y), overlaps(y, x));
            let shared = (a..a + la).any(|m| (b..b + lb).contains(&m));
            prop_assert_eq!(overlaps(x, y), shared);
        }
    }
}
