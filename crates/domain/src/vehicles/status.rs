//! Where a vehicle is in its life: built, shipped, in a dealer's stock, with an
//! owner, scrapped — and which moves between those are possible.

use crate::text::str_enum;

str_enum! {
    /// Production and logistics status of a vehicle.
    pub enum VehicleStatus {
        InProduction => "in_production",
        InTransit => "in_transit",
        InDealerStock => "in_dealer_stock",
        Sold => "sold",
        Scrapped => "scrapped",
    }
}

/// Whether a vehicle may go from `from` to `to`:
///
/// - in production → in transit (leaves the plant);
/// - in transit → in dealer stock (arrives);
/// - in dealer stock → in transit (transfer to another store), sold, or scrapped
///   (stock written off after damage);
/// - sold → in dealer stock (traded in or bought back) or scrapped;
/// - scrapped is final. Staying in the same status is not a move.
pub fn can_move(from: VehicleStatus, to: VehicleStatus) -> bool {
    use VehicleStatus::*;
    matches!(
        (from, to),
        (InProduction, InTransit)
            | (InTransit, InDealerStock)
            | (InDealerStock, InTransit | Sold | Scrapped)
            | (Sold, InDealerStock | Scrapped)
    )
}

/// The statuses a vehicle in `from` can move to, in lifecycle order (for the
/// choices a screen offers).
pub fn next_statuses(from: VehicleStatus) -> Vec<VehicleStatus> {
    VehicleStatus::ALL.iter().copied().filter(|&to| can_move(from, to)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use VehicleStatus::*;
    use proptest::prelude::*;

    #[test]
    fn a_car_goes_from_the_plant_to_its_owner() {
        let path = [InProduction, InTransit, InDealerStock, Sold, Scrapped];
        assert!(path.windows(2).all(|w| can_move(w[0], w[1])));
        assert!(!can_move(InProduction, Sold), "a car is delivered through a dealer's stock");
        assert!(can_move(Sold, InDealerStock), "a trade-in returns to stock");
        assert_eq!(next_statuses(InDealerStock), vec![InTransit, Sold, Scrapped]);
        for &s in VehicleStatus::ALL {
            assert_eq!(VehicleStatus::parse(s.as_str()), Some(s));
        }
    }

    fn status() -> impl Strategy<Value = VehicleStatus> {
        proptest::sample::select(VehicleStatus::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn a_scrapped_car_never_moves_and_nothing_stays_put(to in status(), s in status()) {
            prop_assert!(!can_move(Scrapped, to));
            prop_assert!(!can_move(s, s));
            prop_assert!(!can_move(s, InProduction), "nothing goes back to the plant");
        }

        #[test]
        fn every_status_is_reachable_from_production(target in status()) {
            let mut seen = vec![InProduction];
            let mut i = 0;
            while i < seen.len() {
                for n in next_statuses(seen[i]) {
                    if !seen.contains(&n) { seen.push(n); }
                }
                i += 1;
            }
            prop_assert!(seen.contains(&target));
        }
    }
}
