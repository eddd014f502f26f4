//! The period a report covers: whole days in China time (UTC+8), both ends
//! included, as the period picker shows them.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::Serialize;

use crate::FieldError;

/// The longest period one report covers (three years: enough to compare a year
/// with the one before, short enough to stay one pass over an index range).
pub const MAX_PERIOD_DAYS: i64 = 1_096;
/// Without a choice: the last 90 days up to today.
const DEFAULT_DAYS: i64 = 90;

pub const BAD_DATE: &str = "must be a date YYYY-MM-DD";
pub const BEFORE_FROM: &str = "must not be before from";
pub const TOO_LONG: &str = "must be at most 1096 days after from";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The period from the picker's `from` and `to` (either may be empty); a bad
    /// value names its field.
    pub fn parse(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<Period, FieldError> {
        let date = |field: &str, v: Option<&str>| -> Result<Option<NaiveDate>, FieldError> {
            match v.map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d").map(Some).map_err(|_| FieldError::new(field, BAD_DATE)),
            }
        };
        let (from, to) = (date("from", from)?, date("to", to)?);
        let to = to.unwrap_or(today);
        let from = from.unwrap_or(to - Duration::days(DEFAULT_DAYS - 1));
        Period::new(from, to)
    }

    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, FieldError> {
        if to < from {
            return Err(FieldError::new("to", BEFORE_FROM));
        }
        if (to - from).num_days() >= MAX_PERIOD_DAYS {
            return Err(FieldError::new("to", TOO_LONG));
        }
        Ok(Period { from, to })
    }

    /// The first instant of the period (midnight of `from` in China).
    pub fn start(&self) -> DateTime<Utc> {
        china_midnight(self.from)
    }

    /// The first instant after the period (midnight after `to` in China).
    pub fn end(&self) -> DateTime<Utc> {
        china_midnight(self.to + Duration::days(1))
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

/// The UTC instant at which `day` begins in China (no daylight saving).
pub fn china_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc() - Duration::hours(8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn the_default_is_the_last_90_days() {
        let p = Period::parse(None, Some(""), d("2026-11-25")).unwrap();
        assert_eq!((p.from, p.to, p.days()), (d("2026-08-28"), d("2026-11-25"), 90));
    }

    #[test]
    fn days_are_cut_in_china_time() {
        let p = Period::parse(Some("2026-01-01"), Some("2026-12-31"), d("2026-11-25")).unwrap();
        assert_eq!(p.start().to_rfc3339(), "2025-12-31T16:00:00+00:00");
        assert_eq!(p.end().to_rfc3339(), "2026-12-31T16:00:00+00:00");
        assert_eq!(p.days(), 365);
    }

    #[test]
    fn a_bad_period_names_the_field() {
        let today = d("2026-11-25");
        assert_eq!(Period::parse(Some("2026-13-01"), None, today).map_err(|e| e.field), Err("from".into()));
        assert_eq!(Period::parse(None, Some("soon"), today).map_err(|e| e.field), Err("to".into()));
        assert_eq!(Period::parse(Some("2026-11-02"), Some("2026-11-01"), today).map_err(|e| e.message), Err(BEFORE_FROM.into()));
        assert_eq!(Period::parse(Some("2020-01-01"), Some("2026-11-01"), today).map_err(|e| e.message), Err(TOO_LONG.into()));
        assert!(Period::parse(Some("2023-11-26"), Some("2026-11-25"), today).is_ok(), "three years fit");
    }
}
