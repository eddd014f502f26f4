//! Odometer readings as records: each with its date and source. Readings only go
//! up, except when the meter was replaced (the replacement's first reading starts
//! a new count). The vehicle's `mileage_km` is the latest reading.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{VEHICLE, Vehicle};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::customers::timeline::{self, NewEvent};
use crate::db::sql;
use crate::record::Record;
use crate::scope;
use crate::{Db, StoreError, Tx, now};

pub const LOWER_THAN_BEFORE: &str = "must not be lower than the previous reading unless the meter was replaced";
pub const HIGHER_THAN_LATER: &str = "must not be higher than a later reading";
pub const KM_RANGE: &str = "must be between 0 and 2000000";
pub const SOURCE_METER_REPLACED: &str = "meter_replaced";
/// Where a reading comes from.
pub const SOURCES: [&str; 5] = ["manual", "service", "sale", "initial", SOURCE_METER_REPLACED];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reading {
    pub id: i64,
    pub km: i64,
    pub read_at: DateTime<Utc>,
    /// `manual`, `service`, `sale`, `initial`, or `meter_replaced` (the first
    /// reading of a new meter).
    pub source: String,
}

/// Inserts a reading row without checks (creation, demo, import).
pub async fn insert_row(tx: &mut Tx, vehicle_id: i64, km: i64, at: DateTime<Utc>, source: &str) -> Result<i64, StoreError> {
    tx.insert_returning_id(sql(
        "INSERT INTO odometer_reading (vehicle_id, km, read_at, source) VALUES ($1, $2, $3, $4)",
        vec![vehicle_id.into(), km.into(), at.into(), source.into()],
    ))
    .await
}

pub async fn list(db: &Db, vehicle_id: i64, limit: u64) -> Result<Vec<Reading>, StoreError> {
    let rows: Vec<(i64, i64, DateTime<Utc>, String)> = db
        .fetch_all(sql(
            &format!(
                "SELECT id, km, read_at, source FROM odometer_reading WHERE vehicle_id = $1 ORDER BY read_at DESC, id DESC LIMIT {limit}"
            ),
            vec![vehicle_id.into()],
        ))
        .await?;
    Ok(rows.into_iter().map(|(id, km, read_at, source)| Reading { id, km, read_at, source }).collect())
}

/// A new reading.
#[derive(Debug, Clone)]
pub struct NewReading {
    pub km: i64,
    /// Now when `None`.
    pub read_at: Option<DateTime<Utc>>,
    /// `manual` when `None`.
    pub source: Option<String>,
    /// The meter was replaced: this reading starts a new count and may be lower.
    pub meter_replaced: bool,
}

/// Records a reading on a vehicle the actor can see; refuses one that goes down
/// (422 naming `km`) unless the meter was replaced. Updates the vehicle's mileage,
/// the audit trail and the current owner's timeline.
pub async fn record_reading(db: &Db, actor: &Actor, vehicle_id: i64, r: &NewReading) -> Result<Reading, StoreError> {
    if !(0..=2_000_000).contains(&r.km) {
        return Err(StoreError::invalid("km", KM_RANGE));
    }
    let t = now();
    let at = r.read_at.unwrap_or(t);
    if at > t + chrono::Duration::minutes(5) {
        return Err(StoreError::invalid("read_at", super::ownership::IN_FUTURE));
    }
    let source = if r.meter_replaced {
        SOURCE_METER_REPLACED.to_string()
    } else {
        match r.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => "manual".to_string(),
            Some(s) if SOURCES[..4].contains(&s) => s.to_string(),
            Some(_) => return Err(StoreError::invalid("source", "must be one of manual, service, sale, initial")),
        }
    };
    let mut tx = db.begin().await?;
    let v: Vehicle = scope::get_for_update(&mut tx, &actor.scope, &VEHICLE, Vehicle::COLUMNS, vehicle_id).await?;
    if !r.meter_replaced {
        let before: Option<(i64,)> = tx
            .fetch_optional(sql(
                "SELECT km FROM odometer_reading WHERE vehicle_id = $1 AND read_at <= $2 ORDER BY read_at DESC, id DESC LIMIT 1",
                vec![vehicle_id.into(), at.into()],
            ))
            .await?;
        if before.is_some_and(|(k,)| r.km < k) {
            return Err(StoreError::invalid("km", LOWER_THAN_BEFORE));
        }
    }
    let after: Option<(i64, String)> = tx
        .fetch_optional(sql(
            "SELECT km, source FROM odometer_reading WHERE vehicle_id = $1 AND read_at > $2 ORDER BY read_at, id LIMIT 1",
            vec![vehicle_id.into(), at.into()],
        ))
        .await?;
    if after.is_some_and(|(k, s)| s != SOURCE_METER_REPLACED && k < r.km) {
        return Err(StoreError::invalid("km", HIGHER_THAN_LATER));
    }
    let id = insert_row(&mut tx, vehicle_id, r.km, at, &source).await?;
    let (latest,): (i64,) = tx
        .fetch_one(sql(
            "SELECT km FROM odometer_reading WHERE vehicle_id = $1 ORDER BY read_at DESC, id DESC LIMIT 1",
            vec![vehicle_id.into()],
        ))
        .await?;
    tx.execute(sql(
        "UPDATE vehicle SET mileage_km = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        vec![latest.into(), t.into(), vehicle_id.into()],
    ))
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "reading",
            entity: "vehicle",
            entity_id: Some(vehicle_id),
            dealer_id: v.dealer_id,
            summary: Some(format!("{} {} km ({source})", v.vin, r.km)),
            before: Some(serde_json::json!({ "mileage_km": v.mileage_km })),
            after: Some(serde_json::json!({ "mileage_km": latest, "reading_km": r.km, "source": source })),
        },
    )
    .await?;
    if let Some((_, customer_id)) = super::ownership::current_owner(&mut tx, vehicle_id).await? {
        let title = super::title_of(&mut tx, &v).await?;
        timeline::add(
            &mut tx,
            actor,
            NewEvent {
                customer_id,
                kind: "vehicle_reading",
                title,
                body: Some(format!("{} km", r.km)),
                dealer_id: v.dealer_id.or(actor.dealer_id),
                reference: Some(("vehicle", vehicle_id)),
                due_date: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Reading { id, km: r.km, read_at: at, source })
}
