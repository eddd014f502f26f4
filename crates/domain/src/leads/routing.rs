//! Where a lead goes: to a dealer (the customer's chosen one, else the dealer
//! already serving the customer, else one in the customer's city, else province,
//! else the least loaded), and within the dealer to a consultant on duty (round
//! robin or least loaded). The rule that decided is kept on the lead.

use chrono::{DateTime, Utc};

use crate::text::str_enum;

str_enum! {
    /// Which routing rule chose the dealer or consultant.
    pub enum DealerRule {
        /// The customer (or the capturing staff) chose the dealer.
        Chosen => "chosen_dealer",
        /// A dealer already serving the customer (bought, serviced, assigned).
        CustomerDealer => "customer_dealer",
        City => "city",
        Province => "province",
        Load => "load",
        /// Captured by dealer staff: the lead stays at their dealer.
        CapturedAtDealer => "captured_at_dealer",
    }
}

/// A dealer that could take the lead.
#[derive(Debug, Clone, PartialEq)]
pub struct DealerCandidate {
    pub id: i64,
    pub province: Option<String>,
    pub city: Option<String>,
    /// Open leads now at the dealer.
    pub open_leads: i64,
}

/// The dealers a lead without a chosen or serving dealer may go to, by the first
/// rule that finds any: the customer's city, else province, else all. Loads do
/// not matter yet, so the caller can count open leads for these dealers only.
pub fn dealer_pool<'a>(province: Option<&str>, city: Option<&str>, candidates: &'a [DealerCandidate]) -> (DealerRule, Vec<&'a DealerCandidate>) {
    let same = |a: &Option<String>, b: Option<&str>| matches!((a.as_deref(), b), (Some(x), Some(y)) if !y.is_empty() && (x == y || x.trim_end_matches('市') == y.trim_end_matches('市')));
    let in_city: Vec<&DealerCandidate> = candidates.iter().filter(|c| same(&c.city, city)).collect();
    if !in_city.is_empty() {
        return (DealerRule::City, in_city);
    }
    let in_province: Vec<&DealerCandidate> = candidates.iter().filter(|c| same(&c.province, province)).collect();
    if !in_province.is_empty() {
        return (DealerRule::Province, in_province);
    }
    (DealerRule::Load, candidates.iter().collect())
}

/// Chooses the dealer for a lead. `chosen` and `serving` must already be known to
/// be active dealers; candidates are the active dealers of the network; within
/// the pool the least loaded wins.
pub fn route_dealer(
    chosen: Option<i64>,
    serving: Option<i64>,
    province: Option<&str>,
    city: Option<&str>,
    candidates: &[DealerCandidate],
) -> Option<(i64, DealerRule)> {
    if let Some(d) = chosen {
        return Some((d, DealerRule::Chosen));
    }
    if let Some(d) = serving {
        return Some((d, DealerRule::CustomerDealer));
    }
    let (rule, pool) = dealer_pool(province, city, candidates);
    pool.into_iter().min_by_key(|c| (c.open_leads, c.id)).map(|c| (c.id, rule))
}

str_enum! {
    /// How a dealer hands new leads to its consultants.
    pub enum ConsultantPolicy {
        /// Whoever waited longest since their last assignment.
        RoundRobin => "round_robin",
        /// Whoever has the fewest open leads.
        LeastLoaded => "least_loaded",
    }
}

/// A consultant of the dealer.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsultantCandidate {
    pub user_id: i64,
    pub on_duty: bool,
    pub open_leads: i64,
    pub last_assigned_at: Option<DateTime<Utc>>,
}

/// Chooses the consultant among those on duty; `None` when nobody is.
pub fn route_consultant(policy: ConsultantPolicy, candidates: &[ConsultantCandidate]) -> Option<i64> {
    let on_duty = candidates.iter().filter(|c| c.on_duty);
    match policy {
        // Never assigned sorts first (None < Some).
        ConsultantPolicy::RoundRobin => on_duty.min_by_key(|c| (c.last_assigned_at, c.user_id)),
        ConsultantPolicy::LeastLoaded => on_duty.min_by_key(|c| (c.open_leads, c.last_assigned_at, c.user_id)),
    }
    .map(|c| c.user_id)
}

/// Who takes each of `items` records of a leaving consultant (a customer with
/// their leads): the least loaded consultant on duty each time, counting what
/// they already received; everyone active when nobody is on duty, because a
/// handover leaves nothing behind. Empty when there is nobody to take them.
pub fn spread(items: usize, candidates: &[ConsultantCandidate]) -> Vec<i64> {
    let on_duty: Vec<&ConsultantCandidate> = candidates.iter().filter(|c| c.on_duty).collect();
    let pool: Vec<&ConsultantCandidate> = if on_duty.is_empty() { candidates.iter().collect() } else { on_duty };
    if pool.is_empty() {
        return Vec::new();
    }
    let mut load: Vec<(i64, i64)> = pool.iter().map(|c| (c.open_leads, c.user_id)).collect();
    (0..items)
        .map(|_| {
            let (i, _) = load.iter().enumerate().min_by_key(|(_, l)| **l).unwrap_or((0, &(0, 0)));
            load[i].0 += 1;
            load[i].1
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dealer(id: i64, province: &str, city: &str, open: i64) -> DealerCandidate {
        DealerCandidate { id, province: Some(province.into()), city: Some(city.into()), open_leads: open }
    }

    #[test]
    fn chosen_then_serving_then_city_then_province_then_load() {
        let ds = [dealer(1, "上海市", "上海市", 40), dealer(2, "上海市", "上海市", 10), dealer(3, "广东省", "广州市", 5), dealer(4, "广东省", "深圳市", 1)];
        assert_eq!(route_dealer(Some(3), Some(1), None, Some("上海"), &ds), Some((3, DealerRule::Chosen)));
        assert_eq!(route_dealer(None, Some(1), None, Some("上海"), &ds), Some((1, DealerRule::CustomerDealer)));
        assert_eq!(route_dealer(None, None, None, Some("上海"), &ds), Some((2, DealerRule::City)), "least loaded in the city");
        assert_eq!(route_dealer(None, None, Some("广东省"), Some("佛山市"), &ds), Some((4, DealerRule::Province)));
        assert_eq!(route_dealer(None, None, None, None, &ds), Some((4, DealerRule::Load)));
        assert_eq!(route_dealer(None, None, None, None, &[]), None);
    }

    #[test]
    fn consultants_take_turns_or_share_the_load() {
        let t = |h: i64| DateTime::<Utc>::from_timestamp(1_700_000_000 + h * 3600, 0);
        let cs = [
            ConsultantCandidate { user_id: 1, on_duty: true, open_leads: 9, last_assigned_at: t(1) },
            ConsultantCandidate { user_id: 2, on_duty: true, open_leads: 3, last_assigned_at: t(5) },
            ConsultantCandidate { user_id: 3, on_duty: false, open_leads: 0, last_assigned_at: None },
        ];
        assert_eq!(route_consultant(ConsultantPolicy::RoundRobin, &cs), Some(1));
        assert_eq!(route_consultant(ConsultantPolicy::LeastLoaded, &cs), Some(2));
        assert_eq!(route_consultant(ConsultantPolicy::RoundRobin, &cs[2..]), None, "nobody on duty");
    }

    proptest! {
        #[test]
        fn round_robin_spreads_leads_evenly(n in 1usize..8, leads in 1usize..60) {
            let mut cs: Vec<ConsultantCandidate> = (0..n as i64)
                .map(|i| ConsultantCandidate { user_id: i + 1, on_duty: true, open_leads: 0, last_assigned_at: None })
                .collect();
            for k in 0..leads {
                let chosen = route_consultant(ConsultantPolicy::RoundRobin, &cs);
                prop_assert!(chosen.is_some());
                let c = cs.iter_mut().find(|c| Some(c.user_id) == chosen);
                if let Some(c) = c {
                    c.open_leads += 1;
                    c.last_assigned_at = DateTime::<Utc>::from_timestamp(1_700_000_000 + k as i64, 0);
                }
            }
            let max = cs.iter().map(|c| c.open_leads).max().unwrap_or(0);
            let min = cs.iter().map(|c| c.open_leads).min().unwrap_or(0);
            prop_assert!(max - min <= 1);
        }

        #[test]
        fn a_lead_always_finds_a_dealer_when_there_is_one(loads in proptest::collection::vec(0i64..100, 1..20), city in "[a-d]") {
            let ds: Vec<DealerCandidate> = loads.iter().enumerate()
                .map(|(i, l)| dealer(i as i64 + 1, "p", ["a", "b"][i % 2], *l)).collect();
            let (id, rule) = route_dealer(None, None, Some("x"), Some(&city), &ds).unwrap_or((0, DealerRule::Load));
            prop_assert!(ds.iter().any(|d| d.id == id));
            if rule == DealerRule::City {
                prop_assert_eq!(ds.iter().find(|d| d.id == id).and_then(|d| d.city.clone()), Some(city.clone()));
            }
            if rule == DealerRule::Load {
                let min = ds.iter().map(|d| d.open_leads).min().unwrap_or(0);
                prop_assert_eq!(ds.iter().find(|d| d.id == id).map(|d| d.open_leads), Some(min));
            }
        }
    }

    fn consultant(user_id: i64, on_duty: bool, open_leads: i64) -> ConsultantCandidate {
        ConsultantCandidate { user_id, on_duty, open_leads, last_assigned_at: None }
    }

    #[test]
    fn a_handover_fills_up_the_least_loaded_first() {
        let cs = [consultant(1, true, 5), consultant(2, true, 1), consultant(3, false, 0)];
        assert_eq!(spread(5, &cs), vec![2, 2, 2, 2, 1], "off duty gets nothing while someone is on duty");
        assert_eq!(spread(2, &[consultant(3, false, 0), consultant(4, false, 0)]), vec![3, 4], "nobody on duty: everyone");
        assert!(spread(3, &[]).is_empty());
    }

    proptest! {
        #[test]
        fn a_handover_places_everything_and_keeps_loads_level(items in 0usize..200, loads in proptest::collection::vec(0i64..20, 1..8)) {
            let cs: Vec<ConsultantCandidate> = loads.iter().enumerate().map(|(i, l)| consultant(i as i64 + 1, true, *l)).collect();
            let to = spread(items, &cs);
            prop_assert_eq!(to.len(), items);
            let after: Vec<i64> = cs.iter().map(|c| c.open_leads + to.iter().filter(|u| **u == c.user_id).count() as i64).collect();
            let took: Vec<bool> = cs.iter().map(|c| to.contains(&c.user_id)).collect();
            let ceiling = after.iter().zip(&took).filter(|(_, t)| **t).map(|(a, _)| *a).max().unwrap_or(0);
            let floor = after.iter().min().copied().unwrap_or(0);
            // Nobody who received something ends more than one above the least loaded.
            prop_assert!(items == 0 || ceiling <= floor + 1, "{:?} -> {:?}", loads, after);
        }
    }
}
