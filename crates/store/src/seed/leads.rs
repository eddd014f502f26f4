//! Seeded prospects: about three leads per ten customers, spread over the past
//! year, in every stage of the funnel with the milestones, grade and next
//! follow-up the rules would have given them, so the funnel report, the daily
//! distribution and each consultant's day have realistic work at automaker scale.

use autocrm_domain::leads::{GradeRules, Source, Stage, Timeframe};
use chrono::{DateTime, Duration, Utc};
use sea_query::Value;

use super::customers::{Ctx, customer_id, dealer_of, flag, int, load, rng, ts};
use super::{Load, id, opt_id, opt_text, text};

const LEAD_COLUMNS: &[&str] = &[
    "id", "lead_no", "customer_id", "dealer_id", "owner_user_id", "source", "event", "model_id", "timeframe", "grade",
    "stage", "budget_yuan", "trade_in", "dealer_rule", "consultant_rule", "assigned_at", "next_follow_up_at",
    "last_activity_at", "contacted_at", "visited_at", "test_drive_at", "quoted_at", "ordered_at", "delivered_at",
    "closed_at", "lost_category", "close_reason", "close_approved_by", "distributed_at", "feedback_due_at", "feedback",
    "feedback_at", "version", "created_at", "updated_at",
];

/// Leads for `n` customers.
pub(super) fn count(n: u64) -> u64 {
    n * 3 / 10
}

/// The customer (1-based index) of lead `k` (0-based): every 3.33rd customer.
fn customer_of(k: u64) -> u64 {
    k * 10 / 3 + 1
}

/// Share (per mille) of leads that end in each stage, roughly a working funnel.
const OUTCOMES: &[(Stage, u64)] = &[
    (Stage::New, 60),
    (Stage::Contacted, 180),
    (Stage::ShowroomVisit, 150),
    (Stage::TestDrive, 100),
    (Stage::Quote, 80),
    (Stage::Order, 40),
    (Stage::Delivered, 90),
    (Stage::Lost, 250),
    (Stage::Invalid, 40),
    (Stage::Cancelled, 10),
];

const SOURCES: &[(Source, u64)] = &[
    (Source::WalkIn, 30),
    (Source::PhoneIn, 12),
    (Source::Website, 18),
    (Source::Hotline, 8),
    (Source::AutoShow, 14),
    (Source::Referral, 8),
    (Source::Campaign, 6),
    (Source::DealerImport, 4),
];

const TIMEFRAMES: &[(Timeframe, u64)] = &[
    (Timeframe::Immediately, 15),
    (Timeframe::Within3Months, 35),
    (Timeframe::Within6Months, 20),
    (Timeframe::Within1Year, 15),
    (Timeframe::Later, 15),
];

const EVENTS: &[&str] = &["2026 上海车展", "2026 广州车展", "岳风上市发布会", "春季试驾节"];
const LOST: &[(&str, &str)] = &[("other_brand", "price"), ("other_brand", "product"), ("same_brand", "price"), ("plan_cancelled", "")];

fn pick<T: Copy>(r: &mut super::rng::Rng, table: &[(T, u64)]) -> T {
    let cum = super::rng::cumulative(table.iter().map(|t| t.1));
    table[r.weighted(&cum)].0
}

/// The bulk load of every seeded lead; ids start at `first`.
pub(super) fn load_leads(ctx: &std::sync::Arc<Ctx>, first: i64) -> Load {
    let total = count(ctx.n);
    let ctx = ctx.clone();
    let rules = GradeRules::default();
    load("lead", LEAD_COLUMNS, total, Box::new((0..total).map(move |k| lead_row(&ctx, &rules, first, k))))
}

fn lead_row(ctx: &Ctx, rules: &GradeRules, first: i64, k: u64) -> Vec<Value> {
    let i = customer_of(k);
    let mut r = rng(ctx, i, 40 + k % 7);
    let (dealer, owner) = dealer_of(ctx, i);
    let source = pick(&mut r, SOURCES);
    let timeframe = pick(&mut r, TIMEFRAMES);
    let stage = pick(&mut r, OUTCOMES);
    // Created within the past year; the newer a lead, the less far it got.
    let age_days = r.below(365) as i64;
    let created = ctx.now - Duration::days(age_days) - Duration::minutes(r.below(600) as i64);
    let step = |n: i64| created + Duration::hours(n * (6 + age_days.min(60) * 2));
    let reached = |s: Stage| match (stage.rank(), s.rank()) {
        (Some(a), Some(b)) => b <= a,
        // A closed lead got as far as a random open stage before it closed.
        (None, Some(b)) => b <= (k % 4) as usize + 1,
        _ => false,
    };
    let at = |s: Stage, n: i64| (reached(s) && s != Stage::New).then(|| step(n));
    let contacted = at(Stage::Contacted, 1);
    let visited = at(Stage::ShowroomVisit, 2);
    let drove = at(Stage::TestDrive, 3);
    let quoted = at(Stage::Quote, 4);
    let ordered = matches!(stage, Stage::Order | Stage::Delivered | Stage::Cancelled).then(|| step(6));
    let delivered = (stage == Stage::Delivered).then(|| step(9));
    let closed = stage.is_closed().then(|| step(7));
    let last = [contacted, visited, drove, quoted, ordered, delivered, closed].into_iter().flatten().max();
    let grade = rules.grade(stage, timeframe);
    // Follow-ups scheduled from the last activity; old ones not done are overdue.
    let next = stage.is_open().then(|| rules.next_follow_up(grade, last.unwrap_or(created))).flatten();
    let oem = source.from_oem();
    let distributed = (oem && r.chance(90)).then(|| created + Duration::hours(12));
    let feedback = distributed.filter(|_| r.chance(85)).map(|d| {
        let f = if contacted.is_some() { "contacted" } else { *r.pick(&["not_reachable", "contacted", "not_interested"]) };
        (f, d + Duration::hours(r.range(1, 60) as i64))
    });
    let (lost_category, close_reason) = match stage {
        Stage::Lost => {
            let (c, why) = *r.pick(LOST);
            (Some(c.to_string()), Some(if why.is_empty() { c.to_string() } else { why.to_string() }))
        }
        Stage::Invalid => (None, Some("wrong_number".to_string())),
        Stage::Cancelled => (None, Some("plan_cancelled".to_string())),
        _ => (None, None),
    };
    let stamp = |t: Option<DateTime<Utc>>| Value::ChronoDateTimeUtc(t);
    let lead_id = first + k as i64;
    vec![
        id(lead_id),
        text(crate::leads::lead_no(lead_id)),
        int(customer_id(ctx, i)),
        int(dealer),
        opt_id(owner),
        text(source.as_str()),
        opt_text(matches!(source, Source::AutoShow | Source::Campaign).then(|| r.pick(EVENTS).to_string())),
        int(ctx.models[(i as usize + k as usize) % ctx.models.len()].0),
        text(timeframe.as_str()),
        text(grade.as_str()),
        text(stage.as_str()),
        opt_id(r.chance(40).then(|| r.range(8, 30) as i64 * 10_000)),
        flag(r.chance(20)),
        text(if oem { "city" } else { "captured_at_dealer" }),
        opt_text(owner.map(|_| if oem { "round_robin" } else { "captured_by" }.to_string())),
        stamp(owner.map(|_| created)),
        stamp(next),
        stamp(last),
        stamp(contacted),
        stamp(visited),
        stamp(drove),
        stamp(quoted),
        stamp(ordered),
        stamp(delivered),
        stamp(closed),
        opt_text(lost_category),
        opt_text(close_reason),
        Value::BigInt(None),
        stamp(distributed),
        stamp(distributed.map(|d| rules.feedback_due(timeframe, d))),
        opt_text(feedback.map(|f| f.0.to_string())),
        stamp(feedback.map(|f| f.1)),
        int(1),
        ts(created),
        ts(last.unwrap_or(created)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leads_spread_over_customers_and_stay_within_them() {
        assert_eq!(count(1_000), 300);
        assert_eq!(customer_of(0), 1);
        assert!(customer_of(count(1_000) - 1) <= 1_000);
        assert!(customer_of(count(7) - 1) <= 7);
    }
}
