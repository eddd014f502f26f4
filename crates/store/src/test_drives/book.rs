//! Booking a demo car and recording how the drive went.
//!
//! No double booking, even under concurrent requests: on SQLite every write
//! transaction already runs alone (one writer, `BEGIN IMMEDIATE`); on PostgreSQL the
//! transaction locks the lead, the demo car and the consultant's user row (in that
//! order, always, so two bookings never wait on each other in a cycle) with
//! `SELECT … FOR UPDATE` before it looks for overlapping bookings. A second booking
//! of the same car or consultant therefore waits for the first to commit and then
//! sees it.

use autocrm_domain::FieldError;
use autocrm_domain::leads::Stage;
use autocrm_domain::test_drives::{DriveRecord, Slot, Status, can_move, check_time};
use chrono::{DateTime, Utc};

use super::{TEST_DRIVE, TestDrive, drive_no};
use crate::auth::Actor;
use crate::db::sql;
use crate::leads::{Lead, NewActivity, activity};
use crate::record::{self, Record};
use crate::{Db, StoreError, Tx, now, scope};

pub const NO_SUCH_CAR: &str = "is not an active demo car of the lead's dealer";
pub const NO_SUCH_CONSULTANT: &str = "is not an active consultant of the lead's dealer";
pub const TAKEN: &str = "is already booked at that time";

/// A booking request.
#[derive(Debug, Clone)]
pub struct Booking {
    pub lead_id: i64,
    pub demo_car_id: i64,
    /// Default: the lead's owner, else the signed-in user.
    pub consultant_id: Option<i64>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// How a booking ends.
#[derive(Debug, Clone)]
pub enum Ending {
    Completed(DriveRecord),
    Cancelled(String),
    NoShow,
}

impl Ending {
    fn status(&self) -> Status {
        match self {
            Ending::Completed(_) => Status::Completed,
            Ending::Cancelled(_) => Status::Cancelled,
            Ending::NoShow => Status::NoShow,
        }
    }
}

/// The first booking holding `column = id` during `slot`.
async fn holder(tx: &mut Tx, column: &str, id: i64, slot: Slot) -> Result<Option<i64>, StoreError> {
    // The SQL form of `overlaps`: a.start < b.end AND b.start < a.end. Completed
    // drives used the car too; cancelled ones and no-shows did not.
    let found: Option<(i64,)> = tx
        .fetch_optional(sql(
            &format!(
                "SELECT id FROM test_drive WHERE {column} = $1 AND status IN ('booked', 'completed') \
                 AND starts_at < $2 AND ends_at > $3 ORDER BY starts_at, id LIMIT 1"
            ),
            vec![id.into(), slot.end.into(), slot.start.into()],
        ))
        .await?;
    Ok(found.map(|r| r.0))
}

fn taken(field: &str, id: i64) -> StoreError {
    StoreError::Conflict { field: field.into(), message: TAKEN.into(), entity: "test_drive", id }
}

/// Books a demo car for a lead's customer; returns the booking.
pub async fn book(db: &Db, actor: &Actor, b: Booking) -> Result<TestDrive, StoreError> {
    let t = now();
    let slot = Slot::new(b.starts_at, b.ends_at, t)?;
    let mut tx = db.begin().await?;
    tx.lock("lead", b.lead_id).await?;
    let (lead, dealer_id) = crate::leads::open_lead(&mut tx, &actor.scope, b.lead_id).await?;
    tx.lock("demo_car", b.demo_car_id).await?;
    let car: Option<(i64,)> = tx
        .fetch_optional(sql(
            "SELECT id FROM demo_car WHERE id = $1 AND dealer_id = $2 AND active = $3",
            vec![b.demo_car_id.into(), dealer_id.into(), true.into()],
        ))
        .await?;
    if car.is_none() {
        return Err(FieldError::new("demo_car_id", NO_SUCH_CAR).into());
    }
    let consultant_id = b.consultant_id.or(lead.owner_user_id).unwrap_or(actor.user_id);
    tx.lock("app_user", consultant_id).await?;
    let consultant: Option<(i64,)> = tx
        .fetch_optional(sql(
            "SELECT id FROM app_user WHERE id = $1 AND dealer_id = $2 AND active = $3 AND role IN ('sales_consultant', 'dealer_manager')",
            vec![consultant_id.into(), dealer_id.into(), true.into()],
        ))
        .await?;
    if consultant.is_none() {
        return Err(FieldError::new("consultant_id", NO_SUCH_CONSULTANT).into());
    }
    if let Some(other) = holder(&mut tx, "demo_car_id", b.demo_car_id, slot).await? {
        return Err(taken("demo_car_id", other));
    }
    if let Some(other) = holder(&mut tx, "consultant_id", consultant_id, slot).await? {
        return Err(taken("consultant_id", other));
    }
    let drive = TestDrive {
        id: 0,
        lead_id: Some(lead.id),
        customer_id: lead.customer_id,
        dealer_id,
        demo_car_id: b.demo_car_id,
        consultant_id,
        starts_at: slot.start,
        ends_at: slot.end,
        status: Status::Booked.as_str().into(),
        feedback: None,
        rating: None,
        route: None,
        cancel_reason: None,
        ended_at: None,
        booked_by: actor.audit_id(),
        version: 0,
        created_at: t,
        updated_at: t,
    };
    let id = record::insert_in(&mut tx, actor, &drive).await?;
    // On the lead and the customer's timeline; the next follow-up is the drive.
    let mut a = NewActivity::new("test_drive");
    a.outcome = Some(format!("drive_{}", Status::Booked.as_str()));
    a.note = Some(describe(&mut tx, id).await?);
    a.next_follow_up_at = Some(slot.start);
    activity::log(&mut tx, actor, &lead, a).await?;
    let stored = record::get_in::<TestDrive>(&mut tx, id).await?;
    tx.commit().await?;
    Ok(stored)
}

/// `T00000012 岳风 1.5T 沪AD12345 2026-11-25 14:00–14:30` (China time) for the
/// timeline: language-neutral, the UI translates the kind around it.
async fn describe(tx: &mut Tx, id: i64) -> Result<String, StoreError> {
    let (plate, brand, series, model, trim, start, end): (String, String, String, String, Option<String>, DateTime<Utc>, DateTime<Utc>) = tx
        .fetch_one(sql(
            "SELECT c.plate, m.brand, m.series, m.model, m.trim, d.starts_at, d.ends_at FROM test_drive d \
             JOIN demo_car c ON c.id = d.demo_car_id JOIN vehicle_model m ON m.id = c.model_id WHERE d.id = $1",
            vec![id.into()],
        ))
        .await?;
    let local = |t: DateTime<Utc>| t + chrono::Duration::hours(8);
    Ok(format!(
        "{} {} {} {}–{}",
        drive_no(id),
        crate::vehicles::model_label(&brand, &series, &model, trim.as_deref()),
        plate,
        local(start).format("%Y-%m-%d %H:%M"),
        local(end).format("%H:%M")
    ))
}

/// Completes, cancels or marks a booking as a no-show (optimistic on `version`
/// when given). Completing moves the lead to the test-drive stage.
pub async fn finish(db: &Db, actor: &Actor, id: i64, version: Option<i64>, end: Ending) -> Result<TestDrive, StoreError> {
    let t = now();
    let mut tx = db.begin().await?;
    let current: TestDrive = scope::get_for_update(&mut tx, &actor.scope, &TEST_DRIVE, TestDrive::COLUMNS, id).await?;
    if let Some(v) = version
        && v != current.version
    {
        return Err(StoreError::Stale { current: current.version });
    }
    let to = end.status();
    if !can_move(current.status(), to) {
        return Err(FieldError::new("status", autocrm_domain::test_drives::BAD_TRANSITION).into());
    }
    check_time(to, current.starts_at, t)?;
    let mut next = current.clone();
    next.status = to.as_str().into();
    next.ended_at = Some(t);
    let mut a = NewActivity::new("test_drive");
    a.outcome = Some(format!("drive_{}", to.as_str()));
    let detail = describe(&mut tx, id).await?;
    match &end {
        Ending::Completed(r) => {
            next.rating = Some(r.rating);
            next.feedback = r.feedback.clone();
            next.route = r.route.clone();
            a.reaches = Some(Stage::TestDrive);
            a.note = Some([Some(detail), Some(format!("★{}", r.rating)), r.feedback.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · "));
        }
        Ending::Cancelled(reason) => {
            next.cancel_reason = Some(reason.clone());
            a.note = Some(format!("{detail} · {reason}"));
        }
        Ending::NoShow => a.note = Some(detail),
    }
    let stored = record::save_in(&mut tx, actor, &current, &next).await?;
    if let Some(lead_id) = current.lead_id {
        // The drive was in scope, so its lead is the dealer's: read it as such.
        let lead: Lead = record::get_in(&mut tx, lead_id).await?;
        activity::log(&mut tx, actor, &lead, a).await?;
    }
    tx.commit().await?;
    Ok(stored)
}
