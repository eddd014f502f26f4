//! Sales analytics computed from the leads themselves, never typed in: the funnel
//! and its conversion rates by one dimension at a time, expected against actual
//! conversion per purchase timeframe, and how promptly dealers follow up. The
//! store counts; the rules here say what a count and a rate mean.

mod forecast;
mod funnel;
mod period;
mod timeliness;

pub use forecast::{ForecastRow, TimeframeCounts, conversion_forecast};
pub use funnel::{FunnelCounts, LeadFacts, reached_by};
pub use period::{MAX_PERIOD_DAYS, Period};
pub use timeliness::{ContactClass, FeedbackClass, Timeliness, contact_class, feedback_class};

use crate::text::str_enum;

str_enum! {
    /// What a report's rows are grouped by (one dimension at a time).
    pub enum Dimension {
        Source => "source",
        Event => "event",
        Timeframe => "timeframe",
        Grade => "grade",
        Dealer => "dealer",
        Consultant => "consultant",
        Region => "region",
    }
}

pub const BAD_DIMENSION: &str = "must be one of source, event, timeframe, grade, dealer, consultant, region";

/// `part` of `whole` as a share in [0, 1]; `None` when there is nothing to divide
/// (a rate of an empty group is unknown, not zero).
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part.clamp(0, whole) as f64) / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_empty_group_has_no_rate() {
        assert_eq!(rate(0, 0), None);
        assert_eq!(rate(1, 4), Some(0.25));
        assert_eq!(Dimension::parse("region"), Some(Dimension::Region));
        assert_eq!(Dimension::parse("colour"), None);
    }

    proptest! {
        #[test]
        fn rates_are_shares(part in -10i64..1000, whole in 0i64..1000) {
            if let Some(r) = rate(part, whole) {
                prop_assert!((0.0..=1.0).contains(&r));
            } else {
                prop_assert_eq!(whole, 0);
            }
        }
    }
}
