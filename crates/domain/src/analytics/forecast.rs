//! Expected against actual conversion per purchase timeframe: the OEM's rules say
//! what share of each timeframe's prospects buys (the GM programme saw about 10 %
//! of 3-month and 4 % of 1-year prospects); the orders say what happened; the
//! prospects still open say how many more buyers to expect.

use serde::Serialize;

use super::rate;
use crate::leads::{GradeRules, Timeframe, forecast};

/// The leads of one timeframe created in the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeframeCounts {
    pub leads: i64,
    /// Still being worked (not ordered, delivered or closed).
    pub open: i64,
    pub ordered: i64,
    pub delivered: i64,
}

/// One line of the expected-versus-actual report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastRow {
    /// `None` on the total line.
    pub timeframe: Option<Timeframe>,
    pub leads: i64,
    pub open: i64,
    pub ordered: i64,
    pub delivered: i64,
    /// The configured share of prospects who buy (for the total: the leads-weighted mean).
    pub expected_rate: Option<f64>,
    /// Buyers the rate predicts among these leads.
    pub expected_orders: f64,
    /// Orders so far among these leads.
    pub actual_rate: Option<f64>,
    /// Orders so far plus the buyers to expect among the prospects still open.
    pub projected_orders: f64,
}

/// One row per timeframe (in the OEM's order, also those without leads) and the
/// total as the last row.
pub fn conversion_forecast(rules: &GradeRules, counts: &[(Timeframe, TimeframeCounts)]) -> Vec<ForecastRow> {
    let of = |t: Timeframe| counts.iter().filter(|c| c.0 == t).fold(TimeframeCounts::default(), |a, c| add(a, c.1));
    let mut rows: Vec<ForecastRow> = Timeframe::ALL
        .iter()
        .map(|&t| {
            let c = of(t);
            ForecastRow {
                timeframe: Some(t),
                leads: c.leads,
                open: c.open,
                ordered: c.ordered,
                delivered: c.delivered,
                expected_rate: Some(rules.conversion(t)),
                expected_orders: forecast(rules, [(t, c.leads)]),
                actual_rate: rate(c.ordered, c.leads),
                projected_orders: c.ordered as f64 + forecast(rules, [(t, c.open)]),
            }
        })
        .collect();
    let total = rows.iter().fold(TimeframeCounts::default(), |a, r| {
        add(a, TimeframeCounts { leads: r.leads, open: r.open, ordered: r.ordered, delivered: r.delivered })
    });
    let expected: f64 = rows.iter().map(|r| r.expected_orders).sum();
    let projected: f64 = rows.iter().map(|r| r.projected_orders).sum();
    rows.push(ForecastRow {
        timeframe: None,
        leads: total.leads,
        open: total.open,
        ordered: total.ordered,
        delivered: total.delivered,
        expected_rate: (total.leads > 0).then(|| expected / total.leads as f64),
        expected_orders: expected,
        actual_rate: rate(total.ordered, total.leads),
        projected_orders: projected,
    });
    rows
}

fn add(a: TimeframeCounts, b: TimeframeCounts) -> TimeframeCounts {
    TimeframeCounts { leads: a.leads + b.leads, open: a.open + b.open, ordered: a.ordered + b.ordered, delivered: a.delivered + b.delivered }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_gm_programme_rates_predict_the_buyers() {
        let rules = GradeRules::default();
        let counts = [
            (Timeframe::Within3Months, TimeframeCounts { leads: 200, open: 100, ordered: 15, delivered: 10 }),
            (Timeframe::Within1Year, TimeframeCounts { leads: 100, open: 90, ordered: 1, delivered: 0 }),
        ];
        let rows = conversion_forecast(&rules, &counts);
        assert_eq!(rows.len(), Timeframe::ALL.len() + 1);
        let three = &rows[1];
        assert_eq!(three.timeframe, Some(Timeframe::Within3Months));
        assert!((three.expected_orders - 20.0).abs() < 1e-9, "10 % of 200");
        assert_eq!(three.actual_rate, Some(0.075));
        assert!((three.projected_orders - 25.0).abs() < 1e-9, "15 ordered + 10 % of 100 open");
        let year = &rows[3];
        assert!((year.expected_orders - 4.0).abs() < 1e-9, "4 % of 100");
        let total = rows.last().unwrap();
        assert_eq!((total.timeframe, total.leads, total.ordered), (None, 300, 16));
        assert!((total.expected_orders - 24.0).abs() < 1e-9);
        assert!((total.expected_rate.unwrap() - 0.08).abs() < 1e-9);
        assert_eq!(rows[0].actual_rate, None, "no immediate buyers in the period: unknown, not 0 %");
    }

    fn counts() -> impl Strategy<Value = TimeframeCounts> {
        (0i64..500, 0i64..100, 0i64..100).prop_map(|(leads, a, b)| {
            let ordered = leads * a / 100;
            let open = (leads - ordered) * b / 100;
            TimeframeCounts { leads, open, ordered, delivered: ordered / 2 }
        })
    }

    proptest! {
        #[test]
        fn rates_are_shares_and_the_projection_is_between_orders_and_all_leads(
            c in proptest::collection::vec((proptest::sample::select(Timeframe::ALL.to_vec()), counts()), 0..8)
        ) {
            for r in conversion_forecast(&GradeRules::default(), &c) {
                for x in [r.expected_rate, r.actual_rate].into_iter().flatten() {
                    prop_assert!((0.0..=1.0).contains(&x));
                }
                prop_assert!(r.projected_orders >= r.ordered as f64 - 1e-9);
                prop_assert!(r.projected_orders <= r.leads as f64 + 1e-9);
                prop_assert!(r.expected_orders <= r.leads as f64 + 1e-9);
            }
        }
    }
}
