//! Screen-pop: everything a hotline agent needs about a caller, from the number
//! the call came from. The hottest path of the product: a handful of indexed
//! statements, each answering for all the caller's customers at once.

use autocrm_domain::access::Scope;
use autocrm_domain::customers::{IdNumber, Phone};
use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, JoinType};
use serde::Serialize;

use super::{MOBILE_OF_CUSTOMER, customers_in, mask_phone};
use crate::db::{FromRow, Row, sql};
use crate::{Db, StoreError};

/// Callers sharing a number (a family landline, a fleet's switchboard): at most this many.
const MAX_CUSTOMERS: u64 = 5;
/// The last contacts shown per customer.
const LAST_CONTACTS: usize = 5;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScreenPop {
    /// The caller's number, masked.
    pub phone_masked: String,
    /// `mobile` or `landline`.
    pub phone_kind: String,
    /// The customers on file with that number (usually one).
    pub customers: Vec<PopCustomer>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PopCustomer {
    pub customer_id: i64,
    pub customer_no: String,
    pub name: String,
    pub kind: String,
    pub gender: Option<String>,
    pub mobile_masked: Option<String>,
    pub id_number_masked: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub tags: Option<String>,
    pub vehicles: Vec<PopVehicle>,
    /// Open commitments (later: open cases and leads), soonest due first.
    pub open_items: Vec<PopEvent>,
    /// The latest timeline entries, newest first.
    pub last_contacts: Vec<PopEvent>,
    /// The consent in force per channel and purpose.
    pub consents: Vec<PopConsent>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PopVehicle {
    pub vehicle_id: i64,
    pub model: Option<String>,
    pub plate: Option<String>,
    /// The last 8 characters of the VIN.
    pub vin_tail: String,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PopEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub title: String,
    pub actor_name: String,
    pub due_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PopConsent {
    pub channel: String,
    pub purpose: String,
    pub granted: bool,
    pub at: DateTime<Utc>,
}

struct Profile {
    id: i64,
    customer_no: String,
    name: String,
    kind: String,
    gender: Option<String>,
    mobile: Option<String>,
    id_number: Option<String>,
    province: Option<String>,
    city: Option<String>,
    tags: Option<String>,
}

impl FromRow for Profile {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(Profile {
            id: r.get(0)?,
            customer_no: r.get(1)?,
            name: r.get(2)?,
            kind: r.get(3)?,
            gender: r.get(4)?,
            mobile: r.get(5)?,
            id_number: r.get(6)?,
            province: r.get(7)?,
            city: r.get(8)?,
            tags: r.get(9)?,
        })
    }
}

struct EventRow {
    customer_id: i64,
    event: PopEvent,
}

impl FromRow for EventRow {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(EventRow {
            customer_id: r.get(0)?,
            event: PopEvent {
                id: r.get(1)?,
                at: r.get(2)?,
                kind: r.get(3)?,
                title: r.get(4)?,
                actor_name: r.get(5)?,
                due_date: r.get(6)?,
            },
        })
    }
}

struct VehicleRow {
    customer_id: i64,
    v: PopVehicle,
}

impl FromRow for VehicleRow {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let vin: String = r.get(2)?;
        let brand: Option<String> = r.get(5)?;
        let model: Option<String> = r.get(6)?;
        Ok(VehicleRow {
            customer_id: r.get(0)?,
            v: PopVehicle {
                vehicle_id: r.get(1)?,
                vin_tail: vin.chars().skip(vin.chars().count().saturating_sub(8)).collect(),
                plate: r.get(3)?,
                status: r.get(4)?,
                model: match (brand, model) {
                    (Some(b), Some(m)) => Some(format!("{b} {m}")),
                    (b, m) => b.or(m),
                },
            },
        })
    }
}

fn in_list(ids: &[i64]) -> (String, Vec<sea_query::Value>) {
    let p = (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(",");
    (p, ids.iter().map(|i| (*i).into()).collect())
}

/// The caller's customers within `scope` and what the agent needs about each;
/// `None` when no customer in scope has that number. Identifiers are always
/// masked here: revealing one is the audited action of the 360 page.
pub async fn screen_pop(db: &Db, scope: &Scope, phone: &Phone) -> Result<Option<ScreenPop>, StoreError> {
    let kind = phone.kind().as_str();
    let mut q = customers_in(scope);
    q.columns([
        ("customer", "id"),
        ("customer", "customer_no"),
        ("customer", "name"),
        ("customer", "kind"),
        ("customer", "gender"),
    ])
    .expr(Expr::cust(MOBILE_OF_CUSTOMER))
    .columns([("customer", "id_number"), ("customer", "province"), ("customer", "city"), ("customer", "tags")])
    .join(JoinType::InnerJoin, "contact_point", Expr::col(("contact_point", "customer_id")).equals(("customer", "id")))
    .and_where(Expr::col(("contact_point", "kind")).eq(kind))
    .and_where(Expr::col(("contact_point", "value")).eq(phone.as_str()))
    .limit(MAX_CUSTOMERS * 2);
    // All reads of one answer in one snapshot (one read transaction on SQLite, one
    // connection on PostgreSQL).
    let mut snap = db.snapshot().await?;
    let mut profiles: Vec<Profile> = snap.fetch_all(q).await?;
    let mut seen = std::collections::HashSet::new();
    profiles.retain(|p| seen.insert(p.id));
    profiles.truncate(MAX_CUSTOMERS as usize);
    if profiles.is_empty() {
        return Ok(None);
    }
    let ids: Vec<i64> = profiles.iter().map(|p| p.id).collect();
    let (list, values) = in_list(&ids);

    let vehicles: Vec<VehicleRow> = snap
        .fetch_all(sql(
            &format!(
                "SELECT o.customer_id, v.id, v.vin, v.plate, v.status, m.brand, m.model FROM ownership o \
                 JOIN vehicle v ON v.id = o.vehicle_id LEFT JOIN vehicle_model m ON m.id = v.model_id \
                 WHERE o.customer_id IN ({list}) AND o.to_date IS NULL ORDER BY o.customer_id, o.id"
            ),
            values.clone(),
        ))
        .await?;
    let open: Vec<EventRow> = snap
        .fetch_all(sql(
            &format!(
                "SELECT customer_id, id, at, kind, title, actor_name, due_date FROM timeline_event \
                 WHERE customer_id IN ({list}) AND kind = 'commitment' AND done_at IS NULL \
                 ORDER BY due_date, at LIMIT 50"
            ),
            values.clone(),
        ))
        .await?;
    // The newest entries per customer: the (customer_id, at) index read backwards.
    let mut last: Vec<EventRow> = Vec::new();
    for id in &ids {
        let rows: Vec<EventRow> = snap
            .fetch_all(sql(
                "SELECT customer_id, id, at, kind, title, actor_name, due_date FROM timeline_event \
                 WHERE customer_id = $1 ORDER BY at DESC, id DESC LIMIT 5",
                vec![(*id).into()],
            ))
            .await?;
        last.extend(rows);
    }
    let consents: Vec<(i64, String, String, bool, DateTime<Utc>)> = snap
        .fetch_all(sql(
            &format!(
                "SELECT customer_id, channel, purpose, granted, at FROM consent WHERE customer_id IN ({list}) \
                 ORDER BY customer_id, channel, purpose, at DESC, id DESC"
            ),
            values,
        ))
        .await?;
    drop(snap);

    let customers = profiles
        .into_iter()
        .map(|p| {
            let mut cons: Vec<PopConsent> = Vec::new();
            for (c, channel, purpose, granted, at) in consents.iter().filter(|c| c.0 == p.id) {
                let _ = c;
                if !cons.iter().any(|x| &x.channel == channel && &x.purpose == purpose) {
                    cons.push(PopConsent { channel: channel.clone(), purpose: purpose.clone(), granted: *granted, at: *at });
                }
            }
            PopCustomer {
                customer_id: p.id,
                customer_no: p.customer_no,
                name: p.name,
                kind: p.kind,
                gender: p.gender,
                mobile_masked: p.mobile.as_deref().map(mask_phone),
                id_number_masked: p.id_number.as_deref().map(|n| match IdNumber::parse(n) {
                    Ok(id) => id.masked(),
                    Err(_) => "******************".chars().take(n.chars().count()).collect(),
                }),
                province: p.province,
                city: p.city,
                tags: p.tags,
                vehicles: vehicles.iter().filter(|v| v.customer_id == p.id).map(|v| v.v.clone()).collect(),
                open_items: open.iter().filter(|e| e.customer_id == p.id).map(|e| e.event.clone()).collect(),
                last_contacts: last
                    .iter()
                    .filter(|e| e.customer_id == p.id)
                    .take(LAST_CONTACTS)
                    .map(|e| e.event.clone())
                    .collect(),
                consents: cons,
            }
        })
        .collect();
    Ok(Some(ScreenPop { phone_masked: phone.masked(), phone_kind: kind.to_string(), customers }))
}
