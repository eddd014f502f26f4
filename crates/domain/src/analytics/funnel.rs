//! What the funnel counts: a lead has reached a stage when that stage's milestone
//! or any later one is set (an order without a recorded test drive still passed
//! the earlier stages), so the counts never grow down the funnel; and the rates
//! from one stage to the next and from lead to order and delivery.

use serde::Serialize;

use super::rate;
use crate::leads::Stage;

/// The stages whose milestone shows that a lead reached `stage`: the stage itself
/// and every later one of [`Stage::FUNNEL`] (empty for stages off the funnel).
pub fn reached_by(stage: Stage) -> &'static [Stage] {
    match stage.rank() {
        Some(r) => &Stage::FUNNEL[r..],
        None => &[],
    }
}

/// What one lead contributes to the funnel: which milestones are set (in the
/// order of `Stage::FUNNEL[1..]`: contacted … delivered) and where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadFacts {
    pub milestones: [bool; 6],
    pub stage: Stage,
}

impl LeadFacts {
    fn reached(&self, stage: Stage) -> bool {
        stage == Stage::New || reached_by(stage).iter().any(|s| s.rank().is_some_and(|r| r > 0 && self.milestones[r - 1]))
    }
}

/// Leads of one group and how far they got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FunnelCounts {
    pub leads: i64,
    pub contacted: i64,
    pub visited: i64,
    pub test_drive: i64,
    pub quoted: i64,
    pub ordered: i64,
    pub delivered: i64,
    /// Closed as lost (战败).
    pub lost: i64,
    /// Closed as invalid (无效).
    pub invalid: i64,
    /// Orders cancelled and cars returned.
    pub cancelled: i64,
}

impl FunnelCounts {
    /// Counts a set of leads by the rule of [`reached_by`] (what the store's one
    /// aggregate computes in SQL).
    pub fn tally(leads: impl IntoIterator<Item = LeadFacts>) -> FunnelCounts {
        let mut c = FunnelCounts::default();
        for l in leads {
            c.leads += 1;
            let steps = c.steps_mut();
            for (i, s) in Stage::FUNNEL.iter().enumerate().skip(1) {
                if l.reached(*s) {
                    *steps[i - 1] += 1;
                }
            }
            match l.stage {
                Stage::Lost => c.lost += 1,
                Stage::Invalid => c.invalid += 1,
                Stage::Cancelled | Stage::Returned => c.cancelled += 1,
                _ => {}
            }
        }
        c
    }

    fn steps_mut(&mut self) -> [&mut i64; 6] {
        [&mut self.contacted, &mut self.visited, &mut self.test_drive, &mut self.quoted, &mut self.ordered, &mut self.delivered]
    }

    /// Each stage of the funnel with the leads that reached it, from new (all
    /// leads) to delivered.
    pub fn steps(&self) -> [(Stage, i64); 7] {
        let n = [self.leads, self.contacted, self.visited, self.test_drive, self.quoted, self.ordered, self.delivered];
        std::array::from_fn(|i| (Stage::FUNNEL[i], n[i]))
    }

    /// The conversion from each stage to the next (contacted/new … delivered/order).
    pub fn step_rates(&self) -> [Option<f64>; 6] {
        let s = self.steps();
        std::array::from_fn(|i| rate(s[i + 1].1, s[i].1))
    }

    /// Leads that became an order.
    pub fn order_rate(&self) -> Option<f64> {
        rate(self.ordered, self.leads)
    }

    /// Leads that ended with a delivered car.
    pub fn delivery_rate(&self) -> Option<f64> {
        rate(self.delivered, self.leads)
    }

    pub fn lost_rate(&self) -> Option<f64> {
        rate(self.lost, self.leads)
    }

    pub fn invalid_rate(&self) -> Option<f64> {
        rate(self.invalid, self.leads)
    }

    /// Sums two groups (the total row of a report).
    pub fn add(&mut self, o: &FunnelCounts) {
        self.leads += o.leads;
        self.contacted += o.contacted;
        self.visited += o.visited;
        self.test_drive += o.test_drive;
        self.quoted += o.quoted;
        self.ordered += o.ordered;
        self.delivered += o.delivered;
        self.lost += o.lost;
        self.invalid += o.invalid;
        self.cancelled += o.cancelled;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn facts(m: [bool; 6], stage: Stage) -> LeadFacts {
        LeadFacts { milestones: m, stage }
    }

    #[test]
    fn a_later_milestone_counts_for_the_earlier_stages() {
        let order_without_test_drive = facts([true, false, false, true, true, false], Stage::Order);
        let lost_after_call = facts([true, false, false, false, false, false], Stage::Lost);
        let fresh = facts([false; 6], Stage::New);
        let c = FunnelCounts::tally([order_without_test_drive, lost_after_call, fresh]);
        assert_eq!(
            c,
            FunnelCounts { leads: 3, contacted: 2, visited: 1, test_drive: 1, quoted: 1, ordered: 1, delivered: 0, lost: 1, invalid: 0, cancelled: 0 }
        );
        assert_eq!(c.step_rates()[0], Some(2.0 / 3.0));
        assert_eq!(c.step_rates()[5], Some(0.0), "the order is not delivered yet");
        assert_eq!(c.order_rate(), Some(1.0 / 3.0));
        assert_eq!(reached_by(Stage::Quote), &[Stage::Quote, Stage::Order, Stage::Delivered]);
        assert!(reached_by(Stage::Lost).is_empty());
    }

    #[test]
    fn an_empty_funnel_has_no_rates() {
        let c = FunnelCounts::default();
        assert!(c.step_rates().iter().all(Option::is_none));
        assert_eq!(c.order_rate(), None);
    }

    fn lead() -> impl Strategy<Value = LeadFacts> {
        (proptest::array::uniform6(any::<bool>()), proptest::sample::select(Stage::ALL.to_vec()))
            .prop_map(|(milestones, stage)| LeadFacts { milestones, stage })
    }

    proptest! {
        #[test]
        fn counts_never_grow_down_the_funnel_and_rates_are_shares(leads in proptest::collection::vec(lead(), 0..60)) {
            let c = FunnelCounts::tally(leads.clone());
            let steps = c.steps();
            prop_assert_eq!(steps[0].1, leads.len() as i64);
            for w in steps.windows(2) {
                prop_assert!(w[1].1 <= w[0].1, "{:?} > {:?}", w[1], w[0]);
            }
            for r in c.step_rates().into_iter().chain([c.order_rate(), c.delivery_rate(), c.lost_rate(), c.invalid_rate()]).flatten() {
                prop_assert!((0.0..=1.0).contains(&r));
            }
            prop_assert!(c.lost + c.invalid + c.cancelled <= c.leads);
        }

        #[test]
        fn the_total_of_groups_is_the_count_of_all(a in proptest::collection::vec(lead(), 0..30), b in proptest::collection::vec(lead(), 0..30)) {
            let mut sum = FunnelCounts::tally(a.clone());
            sum.add(&FunnelCounts::tally(b.clone()));
            prop_assert_eq!(sum, FunnelCounts::tally(a.into_iter().chain(b)));
        }
    }
}
