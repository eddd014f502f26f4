//! Demo prospects: leads in every funnel stage at the demo dealers, with their
//! follow-up history, so the funnel, the lists and each consultant's day are alive
//! on first start. Dates are spread over the last four months; some follow-ups are
//! overdue, some due today, some leads are fresh assignments, a few closes wait for
//! approval, and OEM leads carry their distribution and feedback.

use autocrm_domain::leads::{GradeRules, LostCategory, Source, Stage, Timeframe};
use chrono::{DateTime, Duration, Utc};

use super::{Lead, lead_no};
use crate::auth::Actor;
use crate::db::sql;
use crate::record;
use crate::seed::rng::Rng;
use crate::{StoreError, Tx, now};

const EVENTS: [(&str, Source); 4] = [
    ("2026广州国际车展", Source::AutoShow),
    ("2026上海国际车展", Source::AutoShow),
    ("双十一购车节", Source::Campaign),
    ("岳电E5上市发布会", Source::Campaign),
];
const COMPETITORS: [&str; 5] = ["比亚迪 宋PLUS", "吉利 星越L", "长安 CS75", "大众 途观L", "丰田 RAV4"];
const NOTES: [&str; 6] = ["周末带家人来看车", "关注油耗和空间", "对比了竞品，价格敏感", "想要白色，问了现车", "需要贷款方案", "老客户介绍"];

struct Who {
    id: i64,
    name: String,
}

/// Loads the demo leads inside the demo transaction; returns how many.
pub async fn load(tx: &mut Tx) -> Result<usize, StoreError> {
    let rules = GradeRules::default();
    let models: Vec<(i64,)> = tx.fetch_all(sql("SELECT id FROM vehicle_model WHERE active = $1 ORDER BY id", vec![true.into()])).await?;
    if models.is_empty() {
        return Ok(0);
    }
    // Prospects and past buyers with the dealer and consultant who know them.
    let links: Vec<(i64, i64, String, Option<i64>)> = tx
        .fetch_all(sql(
            "SELECT customer_id, dealer_id, kind, owner_user_id FROM customer_dealer WHERE kind IN ('lead', 'bought') ORDER BY id",
            vec![],
        ))
        .await?;
    let users: Vec<(i64, String, Option<i64>, String)> =
        tx.fetch_all(sql("SELECT id, display_name, dealer_id, role FROM app_user ORDER BY id", vec![])).await?;
    let consultant = |dealer: i64, owner: Option<i64>, pick: u64| -> Option<Who> {
        let at: Vec<&(i64, String, Option<i64>, String)> =
            users.iter().filter(|u| u.2 == Some(dealer) && u.3 == "sales_consultant").collect();
        if let Some(o) = owner.and_then(|o| at.iter().find(|u| u.0 == o)) {
            return Some(Who { id: o.0, name: o.1.clone() });
        }
        (!at.is_empty()).then(|| at[(pick % at.len() as u64) as usize]).map(|u| Who { id: u.0, name: u.1.clone() })
    };
    let manager = |dealer: i64| users.iter().find(|u| u.2 == Some(dealer) && u.3 == "dealer_manager").map(|u| u.0);
    let cac = users.iter().find(|u| u.3 == "cac_agent").map(|u| Who { id: u.0, name: u.1.clone() });

    let mut r = Rng::for_step(0x2026_1125, "leads");
    let t0 = now();
    let mut count = 0;
    let mut buyers_seen = 0;
    let mut asked: Vec<i64> = vec![];
    for (i, (customer, dealer, kind, owner)) in links.iter().enumerate() {
        let bought = kind == "bought";
        // Every prospect has a lead; one in four buyers shows the delivered history.
        if bought {
            buyers_seen += 1;
            if buyers_seen % 4 != 0 {
                continue;
            }
        }
        let Some(who) = consultant(*dealer, *owner, i as u64) else { continue };
        let stage = if bought {
            Stage::Delivered
        } else {
            match r.below(100) {
                0..=14 => Stage::New,
                15..=34 => Stage::Contacted,
                35..=49 => Stage::ShowroomVisit,
                50..=61 => Stage::TestDrive,
                62..=71 => Stage::Quote,
                72..=79 => Stage::Order,
                80..=83 => Stage::Delivered,
                84..=93 => Stage::Lost,
                _ => Stage::Invalid,
            }
        };
        let timeframe = Timeframe::ALL[r.below(5) as usize];
        let (source, event) = match r.below(10) {
            0..=2 => (Source::WalkIn, None),
            3 => (Source::PhoneIn, None),
            4 => (Source::Hotline, None),
            5 => (Source::Website, None),
            6 => (Source::Referral, None),
            _ => {
                let (e, s) = EVENTS[r.below(EVENTS.len() as u64) as usize];
                (s, Some(e.to_string()))
            }
        };
        // A fresh lead was captured in the last days; a delivered one months ago.
        let age_days = match stage {
            Stage::New => 0,
            Stage::Delivered | Stage::Lost | Stage::Invalid => r.range(30, 120),
            _ => r.range(3, 60),
        } as i64;
        let created = t0 - Duration::days(age_days) - Duration::minutes(r.range(if stage == Stage::New { 30 } else { 0 }, 2400) as i64);
        let step = |k: i64| created + Duration::hours(20 * k) + Duration::minutes((k * 37) % 300);
        let mut lead = Lead {
            id: 0,
            lead_no: format!("~demo{i}"),
            customer_id: *customer,
            dealer_id: Some(*dealer),
            owner_user_id: Some(who.id),
            source: source.as_str().into(),
            event,
            model_id: Some(models[r.below(models.len() as u64) as usize].0),
            timeframe: timeframe.as_str().into(),
            grade: rules.grade(stage, timeframe).as_str().into(),
            stage: stage.as_str().into(),
            budget_yuan: r.chance(50).then(|| r.range(10, 30) as i64 * 10_000),
            trade_in: r.chance(25),
            trade_in_model: None,
            competitors: r.chance(40).then(|| COMPETITORS[r.below(COMPETITORS.len() as u64) as usize].to_string()),
            preferred_dealer_id: None,
            referrer_id: None,
            dealer_rule: Some(if source.from_oem() { "city" } else { "captured_at_dealer" }.into()),
            consultant_rule: Some(if source.from_oem() { "round_robin" } else { "captured_by" }.into()),
            assigned_at: Some(created),
            next_follow_up_at: None,
            last_activity_at: None,
            contacted_at: None,
            visited_at: None,
            test_drive_at: None,
            quoted_at: None,
            ordered_at: None,
            delivered_at: None,
            closed_at: None,
            close_request: None,
            close_requested_by: None,
            lost_category: None,
            close_reason: None,
            competitor: None,
            close_approved_by: None,
            distributed_at: None,
            feedback_due_at: None,
            feedback: None,
            feedback_note: None,
            feedback_at: None,
            submission_key: None,
            note: r.chance(40).then(|| NOTES[r.below(NOTES.len() as u64) as usize].to_string()),
            version: 1,
            created_at: created,
            updated_at: created,
        };
        // The activities that brought the lead where it is.
        let mut acts: Vec<(&str, Option<String>, DateTime<Utc>)> = vec![("created", Some(source.as_str().into()), created)];
        let reached = stage.rank().unwrap_or(match stage {
            Stage::Lost => 1 + r.below(4) as usize,
            _ => 1,
        });
        let milestones = [
            (Stage::Contacted, "call", "reached"),
            (Stage::ShowroomVisit, "visit", "invited"),
            (Stage::TestDrive, "stage", "test_drive"),
            (Stage::Quote, "stage", "quote"),
            (Stage::Order, "stage", "order"),
            (Stage::Delivered, "stage", "delivered"),
        ];
        let mut last = created;
        for (k, (s, act, outcome)) in milestones.iter().enumerate() {
            if s.rank().unwrap_or(9) > reached || stage == Stage::New {
                break;
            }
            let at = step(k as i64 + 1).min(t0 - Duration::minutes(30));
            super::activity::mark_milestones(&mut lead, *s, at);
            acts.push((act, Some((*outcome).into()), at));
            last = at;
        }
        // Half the open leads were called again in the last three days.
        if stage.is_open() && stage != Stage::New && r.chance(50) {
            let at = (t0 - Duration::hours(r.range(1, 72) as i64)).max(last);
            acts.push(("call", Some("reached".into()), at));
            last = at;
        }
        if stage != Stage::New {
            lead.last_activity_at = Some(last);
        }
        match stage {
            Stage::Lost | Stage::Invalid => {
                let at = last + Duration::days(2);
                lead.closed_at = Some(at.min(t0));
                lead.next_follow_up_at = None;
                lead.close_approved_by = manager(*dealer);
                if stage == Stage::Lost {
                    let cat = LostCategory::ALL[r.below(4) as usize];
                    lead.lost_category = Some(cat.as_str().into());
                    let reasons = cat.reasons();
                    lead.close_reason =
                        Some(if reasons.is_empty() { cat.as_str() } else { reasons[r.below(reasons.len() as u64) as usize] }.into());
                    if cat == LostCategory::OtherBrand {
                        lead.competitor = Some(COMPETITORS[r.below(COMPETITORS.len() as u64) as usize].into());
                    }
                } else {
                    lead.close_reason = Some("wrong_number".into());
                }
                acts.push(("close_approved", Some(stage.as_str().into()), lead.closed_at.unwrap_or(t0)));
            }
            Stage::Delivered => lead.next_follow_up_at = None,
            _ => {
                // The grade's rhythm from the last activity: older leads come out
                // overdue, recent ones due today or later.
                let base = if stage == Stage::New { created } else { last };
                lead.next_follow_up_at = rules.next_follow_up(rules.grade(stage, timeframe), base);
                // Some appointments the consultant set for later today.
                if stage != Stage::New && r.chance(15) {
                    lead.next_follow_up_at = Some(t0 + Duration::minutes(r.range(30, 300) as i64).min(super::today::end_of_day(t0) - t0 - Duration::minutes(1)));
                }
            }
        }
        // A few consultants asked to close a cold lead; the manager has to decide.
        if matches!(stage, Stage::Contacted) && (r.chance(15) || !asked.contains(dealer)) {
            asked.push(*dealer);
            lead.close_request = Some(serde_json::json!({"kind": "lost", "category": "plan_cancelled", "reason": "plan_cancelled",
                "competitor_brand": null, "competitor_model": null, "note": "客户说明年再考虑", "date": (t0 + Duration::hours(8)).date_naive()}));
            lead.close_requested_by = Some(who.id);
        }
        // OEM leads went out in a daily distribution; most dealers answered.
        if source.from_oem() {
            let sent = created + Duration::hours(12);
            if sent < t0 {
                lead.distributed_at = Some(sent);
                lead.feedback_due_at = Some(rules.feedback_due(timeframe, sent));
                if stage != Stage::New || r.chance(30) {
                    let fb = if stage == Stage::New { "not_reachable" } else if stage.rank() >= Some(2) { "visited" } else { "contacted" };
                    lead.feedback = Some(fb.into());
                    lead.feedback_at = Some((sent + Duration::hours(r.range(2, 60) as i64)).min(t0));
                }
            }
        }
        let actor = match (&cac, source.from_oem()) {
            (Some(c), true) => Actor { user_id: c.id, display_name: c.name.clone(), ..Actor::system() },
            _ => Actor { user_id: who.id, display_name: who.name.clone(), ..Actor::system() },
        };
        let id = record::insert_in(tx, &actor, &lead).await?;
        tx.execute(sql(
            "UPDATE lead SET lead_no = $1, created_at = $2, updated_at = $3 WHERE id = $4",
            vec![lead_no(id).into(), created.into(), last.into(), id.into()],
        ))
        .await?;
        for (k, (kind, outcome, at)) in acts.iter().enumerate() {
            let by = if k == 0 { &actor.display_name } else { &who.name };
            let by_id = if k == 0 { actor.user_id } else { who.id };
            tx.execute(sql(
                "INSERT INTO lead_activity (lead_id, customer_id, dealer_id, user_id, user_name, kind, outcome, note, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                vec![id.into(), (*customer).into(), (*dealer).into(), by_id.into(), by.clone().into(), (*kind).into(), outcome.clone().into(),
                    (k == 0).then(|| lead.note.clone()).flatten().into(), (*at).into()],
            ))
            .await?;
            tx.execute(sql(
                "INSERT INTO timeline_event (customer_id, at, kind, title, actor_id, actor_name, dealer_id, ref_entity, ref_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'lead', $8)",
                vec![(*customer).into(), (*at).into(), super::activity::timeline_kind(kind).into(), lead_no(id).into(), by_id.into(),
                    by.clone().into(), (*dealer).into(), id.into()],
            ))
            .await?;
        }
        count += 1;
    }
    Ok(count)
}
