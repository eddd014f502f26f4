//! The funnel: new → contacted → showroom visit → test drive → quote → order →
//! delivered, and the terminal outcomes lost, cancelled (order), returned
//! (vehicle) and invalid (DOMAIN.md §2).

use crate::text::str_enum;

str_enum! {
    /// Where a lead stands. The open stages are in funnel order.
    pub enum Stage {
        New => "new",
        Contacted => "contacted",
        ShowroomVisit => "showroom_visit",
        TestDrive => "test_drive",
        Quote => "quote",
        Order => "order",
        Delivered => "delivered",
        Lost => "lost",
        Cancelled => "cancelled",
        Returned => "returned",
        Invalid => "invalid",
    }
}

impl Stage {
    /// The stages a prospect passes on the way to a delivered car, in order.
    pub const FUNNEL: [Stage; 7] =
        [Stage::New, Stage::Contacted, Stage::ShowroomVisit, Stage::TestDrive, Stage::Quote, Stage::Order, Stage::Delivered];

    /// A closed lead gets no follow-ups and cannot move on.
    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Lost | Stage::Cancelled | Stage::Returned | Stage::Invalid)
    }

    /// Still being worked by sales (open and not yet delivered).
    pub fn is_open(self) -> bool {
        !self.is_closed() && self != Stage::Delivered
    }

    /// Position in [`Stage::FUNNEL`], for the funnel stages.
    pub fn rank(self) -> Option<usize> {
        Stage::FUNNEL.iter().position(|s| *s == self)
    }

    /// Closing as lost, cancelled or invalid needs a manager's approval.
    pub fn needs_approval(self) -> bool {
        matches!(self, Stage::Lost | Stage::Cancelled | Stage::Invalid)
    }
}

/// Whether a lead may move from `from` to `to`:
///
/// - forward through the funnel, skipping stages (a walk-in may test-drive at once),
///   but delivery only from an order;
/// - lost or invalid from any open stage before the order;
/// - an order may be cancelled, a delivered car returned;
/// - never backwards, never out of a closed stage, never to the same stage.
pub fn can_move(from: Stage, to: Stage) -> bool {
    use Stage::*;
    match (from, to) {
        (Order, Delivered | Cancelled) => true,
        (Delivered, Returned) => true,
        (_, Delivered | Cancelled | Returned) => false,
        (New | Contacted | ShowroomVisit | TestDrive | Quote, Lost | Invalid) => true,
        (f, t) => match (f.rank(), t.rank()) {
            (Some(a), Some(b)) => b > a && t != New,
            _ => false,
        },
    }
}

/// The stages a lead at `from` can move to, in order.
pub fn next_stages(from: Stage) -> Vec<Stage> {
    Stage::ALL.iter().copied().filter(|&to| can_move(from, to)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stage::*;
    use proptest::prelude::*;

    #[test]
    fn a_prospect_walks_the_funnel() {
        assert!(Stage::FUNNEL.windows(2).all(|w| can_move(w[0], w[1])));
        assert!(can_move(New, TestDrive), "a walk-in may test-drive at once");
        assert!(!can_move(Quote, Delivered), "delivery needs an order");
        assert!(can_move(Order, Cancelled) && !can_move(Quote, Cancelled));
        assert!(can_move(Delivered, Returned) && !can_move(Order, Returned));
        assert!(can_move(Quote, Lost) && !can_move(Order, Lost), "an order is cancelled, not lost");
        assert_eq!(next_stages(Quote), vec![Order, Lost, Invalid]);
    }

    fn stage() -> impl Strategy<Value = Stage> {
        proptest::sample::select(Stage::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn closed_leads_never_move_and_nothing_goes_back(from in stage(), to in stage()) {
            if from.is_closed() { prop_assert!(!can_move(from, to)); }
            prop_assert!(!can_move(from, from));
            if let (Some(a), Some(b)) = (from.rank(), to.rank()) {
                if b <= a { prop_assert!(!can_move(from, to)); }
            }
            prop_assert!(!can_move(from, New));
        }

        #[test]
        fn every_outcome_is_reachable_from_new(target in stage()) {
            let mut seen = vec![New];
            let mut i = 0;
            while i < seen.len() {
                for n in next_stages(seen[i]) { if !seen.contains(&n) { seen.push(n); } }
                i += 1;
            }
            prop_assert!(seen.contains(&target));
        }
    }
}
