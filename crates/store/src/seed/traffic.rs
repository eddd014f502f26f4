//! Seeded showroom traffic: every dealer's walk-ins and phone inquiries of the past
//! days, four cells a day (walk-ins split over three media sources, phone calls
//! from one), so the OEM's traffic report and media effect by region run over a
//! realistic table: 90 days (360,000 rows at 1,000 dealers) from 900,000 customers
//! up, a week for the small sets of tests.

use autocrm_domain::traffic::Channel;
use chrono::Duration;
use sea_query::Value;

use super::rng::Rng;
use super::{Load, Step, World, id, text};
use crate::traffic::demo::{MEDIA_MIX, base_walk_ins, mix_for};

pub(crate) const STEP: Step = Step { name: "traffic", tables: &["showroom_traffic"], plan };

/// Days of history: one per 10,000 customers, at least a week, at most 90.
fn days(customers: u64) -> u64 {
    (customers / 10_000).clamp(7, 90)
}
/// Cells per dealer and day: three walk-in sources and one phone source.
const CELLS: u64 = 4;
const COLUMNS: &[&str] = &["id", "dealer_id", "day", "channel", "source", "visits", "created_at", "updated_at"];

fn plan(world: &mut World, _rng: &mut Rng) -> Vec<Load> {
    if world.dealers.is_empty() {
        return Vec::new();
    }
    let first = world.next_id("showroom_traffic");
    let region_code = |rid: i64| world.regions.iter().find(|r| r.id == rid).map_or("EAST", |r| r.code);
    let dealers: Vec<(i64, &'static str, Vec<u64>)> =
        world.dealers.iter().map(|d| (d.id, d.level, mix_for(region_code(d.region_id)))).collect();
    let (seed, now, days) = (world.seed, world.now, days(world.customers));
    let today = (now + Duration::hours(8)).date_naive();
    let t: Value = now.into();
    let total = dealers.len() as u64 * days * CELLS;
    let rows = dealers.into_iter().enumerate().flat_map(move |(k, (dealer, level, mix))| {
        let t = t.clone();
        (1..=days).flat_map(move |back| {
            let mut r = Rng::for_step(seed ^ (k as u64 * 1_000 + back).wrapping_mul(0x9e37_79b9_7f4a_7c15), "traffic");
            let day = today - Duration::days(back as i64);
            let walk_ins = base_walk_ins(level) + r.below(8);
            // Three different media for the walk-ins, one for the calls.
            let mut sources: Vec<usize> = vec![];
            while sources.len() < 3 {
                let s = r.weighted(&mix);
                if !sources.contains(&s) {
                    sources.push(s);
                }
            }
            let split = [walk_ins / 2, walk_ins / 3, walk_ins - walk_ins / 2 - walk_ins / 3];
            let phone = (r.weighted(&mix), walk_ins * 45 / 100 + r.below(3));
            let cells: Vec<(Channel, usize, u64)> = (0..3)
                .map(|i| (Channel::WalkIn, sources[i], split[i]))
                .chain([(Channel::Phone, phone.0, phone.1)])
                .collect();
            let t = t.clone();
            cells.into_iter().enumerate().map(move |(i, (channel, source, visits))| {
                let row = first + ((k as u64 * days + back - 1) * CELLS + i as u64) as i64;
                vec![
                    id(row),
                    id(dealer),
                    Value::ChronoDate(Some(day)),
                    text(channel.as_str()),
                    text(MEDIA_MIX[source].0.as_str()),
                    id(visits as i64),
                    t.clone(),
                    t.clone(),
                ]
            })
        })
    });
    vec![super::customers::load("showroom_traffic", COLUMNS, total, Box::new(rows))]
}
