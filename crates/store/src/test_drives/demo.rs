//! Demo fleet and bookings: every demo dealer gets two or three demo cars; the
//! leads that reached the test-drive stage drove one this week (completed, with
//! feedback), and some open leads are booked for today and the coming days, so
//! the schedule, the lead pages and each consultant's day show drives.

use autocrm_domain::test_drives::Status;
use chrono::{DateTime, Duration, DurationRound, Utc};

use super::{DemoCar, TestDrive, drive_no};
use crate::auth::Actor;
use crate::db::sql;
use crate::leads::activity::timeline_kind;
use crate::vehicles::demo::{demo_vin, plate_prefix};
use crate::{StoreError, Tx, now, record};

const COLORS: [&str; 4] = ["珍珠白", "星空灰", "宝石蓝", "曜石黑"];
const FEEDBACK: [(&str, i64); 4] =
    [("动力够用，底盘扎实，后排空间满意", 5), ("隔音不错，想再对比一下竞品", 4), ("中控屏反应快，座椅偏硬", 4), ("家人觉得空间略小", 3)];
const ROUTES: [&str; 2] = ["店外环线 8 公里（含高架）", "城市道路 5 公里"];

struct Lead {
    id: i64,
    customer_id: i64,
    owner: i64,
    owner_name: String,
    stage: String,
}

/// The demo plate of a dealer's `k`-th car (a valid new-energy style plate).
pub fn demo_plate(province: &str, city: &str, dealer_index: usize, k: usize) -> String {
    let (p, l) = plate_prefix(province, city);
    format!("{p}{l}D8{:02}{k}{}", dealer_index % 100, dealer_index % 10)
}

/// Loads the demo fleet and bookings inside the demo transaction; returns the
/// number of (cars, drives).
pub async fn load(tx: &mut Tx) -> Result<(usize, usize), StoreError> {
    let dealers: Vec<(i64, String, String)> = tx.fetch_all(sql("SELECT id, province, city FROM dealer ORDER BY id", vec![])).await?;
    let models: Vec<(i64,)> = tx.fetch_all(sql("SELECT id FROM vehicle_model WHERE active = $1 ORDER BY id", vec![true.into()])).await?;
    if models.is_empty() {
        return Ok((0, 0));
    }
    let t0 = now();
    let (mut cars_n, mut drives_n) = (0, 0);
    for (di, (dealer, province, city)) in dealers.iter().enumerate() {
        let mut cars = vec![];
        for k in 0..(2 + di % 2) {
            let car = DemoCar {
                id: 0,
                dealer_id: *dealer,
                model_id: models[(di + k) % models.len()].0,
                plate: demo_plate(province, city, di, k),
                vin: Some(demo_vin("DMC01", 2026, 900_000 + (di * 10 + k) as u64)),
                color: Some(COLORS[(di + k) % COLORS.len()].into()),
                active: true,
                note: None,
                version: 0,
                created_at: t0,
                updated_at: t0,
            };
            cars.push(record::insert_in(tx, &Actor::system(), &car).await?);
        }
        cars_n += cars.len();
        let leads: Vec<Lead> = tx
            .fetch_all::<(i64, i64, i64, String, String)>(sql(
                "SELECT l.id, l.customer_id, l.owner_user_id, u.display_name, l.stage FROM lead l JOIN app_user u ON u.id = l.owner_user_id \
                 WHERE l.dealer_id = $1 AND l.stage IN ('contacted', 'showroom_visit', 'test_drive', 'quote', 'order') ORDER BY l.id",
                vec![(*dealer).into()],
            ))
            .await?
            .into_iter()
            .map(|(id, customer_id, owner, owner_name, stage)| Lead { id, customer_id, owner, owner_name, stage })
            .collect();
        // Drove this week: leads already at the test-drive stage or beyond.
        let driven = leads.iter().filter(|l| matches!(l.stage.as_str(), "test_drive" | "quote" | "order")).take(4);
        let local_midnight = (t0 + Duration::hours(8)).duration_trunc(Duration::days(1)).unwrap_or(t0) - Duration::hours(8);
        for (k, l) in driven.enumerate() {
            let start = local_midnight - Duration::days(1 + k as i64 / 2) + Duration::hours(10 + 3 * (k as i64 % 2));
            let (feedback, rating) = FEEDBACK[k % FEEDBACK.len()];
            drive(tx, l, cars[k % cars.len()], start, Status::Completed, Some((feedback, rating, ROUTES[k % 2]))).await?;
            drives_n += 1;
        }
        // Booked: one lead per consultant today (later today when there is time
        // left, else earlier today, still to be recorded), and a few this week.
        let (mut seen, mut booked): (Vec<i64>, Vec<i64>) = (vec![], vec![]);
        let waiting: Vec<&Lead> = leads.iter().filter(|l| matches!(l.stage.as_str(), "contacted" | "showroom_visit")).collect();
        let mut today_k = 0;
        for l in &waiting {
            if seen.contains(&l.owner) {
                continue;
            }
            seen.push(l.owner);
            let later = t0.duration_trunc(Duration::minutes(30)).unwrap_or(t0) + Duration::hours(2 + today_k);
            let start = if later + Duration::minutes(45) < local_midnight + Duration::days(1) {
                later
            } else {
                t0.duration_trunc(Duration::minutes(30)).unwrap_or(t0) - Duration::hours(2 + today_k)
            };
            if start < local_midnight {
                continue;
            }
            drive(tx, l, cars[today_k as usize % cars.len()], start, Status::Booked, None).await?;
            booked.push(l.id);
            today_k += 1;
            drives_n += 1;
        }
        for (k, l) in waiting.iter().filter(|l| !booked.contains(&l.id)).take(3).enumerate() {
            let start = local_midnight + Duration::days(1 + k as i64) + Duration::hours(11);
            drive(tx, l, cars[k % cars.len()], start, Status::Booked, None).await?;
            drives_n += 1;
        }
    }
    Ok((cars_n, drives_n))
}

async fn drive(
    tx: &mut Tx,
    l: &Lead,
    car: i64,
    start: DateTime<Utc>,
    status: Status,
    record: Option<(&str, i64, &str)>,
) -> Result<(), StoreError> {
    let actor = Actor { user_id: l.owner, display_name: l.owner_name.clone(), ..Actor::system() };
    let (dealer,): (i64,) = tx.fetch_one(sql("SELECT dealer_id FROM demo_car WHERE id = $1", vec![car.into()])).await?;
    let d = TestDrive {
        id: 0,
        lead_id: Some(l.id),
        customer_id: l.customer_id,
        dealer_id: dealer,
        demo_car_id: car,
        consultant_id: l.owner,
        starts_at: start,
        ends_at: start + Duration::minutes(45),
        status: status.as_str().into(),
        feedback: record.map(|r| r.0.into()),
        rating: record.map(|r| r.1),
        route: record.map(|r| r.2.into()),
        cancel_reason: None,
        ended_at: record.map(|_| start + Duration::minutes(45)),
        booked_by: Some(l.owner),
        version: 0,
        created_at: start - Duration::days(1),
        updated_at: start,
    };
    let id = record::insert_in(tx, &actor, &d).await?;
    let at = if record.is_some() { start + Duration::minutes(45) } else { now() };
    let note = format!("{} {}", drive_no(id), record.map(|r| format!("★{} · {}", r.1, r.0)).unwrap_or_default());
    tx.execute(sql(
        "INSERT INTO lead_activity (lead_id, customer_id, dealer_id, user_id, user_name, kind, outcome, note, at) \
         VALUES ($1, $2, $3, $4, $5, 'test_drive', $6, $7, $8)",
        vec![l.id.into(), l.customer_id.into(), dealer.into(), l.owner.into(), l.owner_name.clone().into(), format!("drive_{}", status.as_str()).into(),
            note.trim().to_string().into(), at.min(now()).into()],
    ))
    .await?;
    tx.execute(sql(
        "INSERT INTO timeline_event (customer_id, at, kind, title, body, actor_id, actor_name, dealer_id, ref_entity, ref_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'test_drive', $9)",
        vec![l.customer_id.into(), at.min(now()).into(), timeline_kind("test_drive").into(), drive_no(id).into(), note.trim().to_string().into(),
            l.owner.into(), l.owner_name.clone().into(), dealer.into(), id.into()],
    ))
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_plates_are_valid_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for (di, (p, c)) in [("上海", "上海"), ("广东", "广州"), ("北京", "北京"), ("江苏", "苏州")].iter().enumerate() {
            for k in 0..3 {
                let plate = demo_plate(p, c, di, k);
                let parsed = autocrm_domain::vehicles::Plate::parse(&plate).map(|x| x.as_str().to_string());
                assert_eq!(parsed.as_deref(), Ok(plate.as_str()));
                assert!(seen.insert(plate));
            }
        }
    }
}
