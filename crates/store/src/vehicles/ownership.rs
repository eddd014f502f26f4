//! Who owned the vehicle when. Ownership is a list of dated periods, not an owner
//! column: a sale opens the first period, a transfer closes the open one and opens
//! the next, so a used car changing hands keeps its history.

use autocrm_domain::access::Scope;
use autocrm_domain::vehicles::{VehicleStatus, can_move};
use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait};
use serde::Serialize;

use super::{DEFAULT_WARRANTY_YEARS, VEHICLE, Vehicle, plus_years};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::customers::{self, timeline::{self, NewEvent}};
use crate::db::{FromRow, Row, sql};
use crate::record::{self, Record};
use crate::scope;
use crate::{Db, StoreError, Tx, now};

pub const CUSTOMER_NOT_FOUND: &str = "is not a customer you can see";
pub const NO_OWNER: &str = "has no owner to transfer from: sell it first";
pub const SAME_OWNER: &str = "already owns this vehicle";
pub const BEFORE_CURRENT: &str = "must not be before the current owner's start";
pub const NOT_FOR_SALE: &str = "cannot be sold in its current status";
pub const IN_FUTURE: &str = "must not be in the future";

/// How the vehicle changes hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Handover {
    /// A dealer sells it from stock (status becomes `sold`).
    Sell,
    /// The owner passes it to someone else (used car).
    Transfer,
}

/// One period of the ownership history, with the customer's name when the viewer
/// may see that customer (a past owner known only to another dealer stays hidden).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnershipPeriod {
    pub id: i64,
    /// `None` (like the name and number) when the customer is outside the
    /// viewer's scope: another dealer's customer is not even hinted at.
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub customer_no: Option<String>,
    pub role: String,
    pub from_date: Option<NaiveDate>,
    pub to_date: Option<NaiveDate>,
    pub current: bool,
    pub created_at: DateTime<Utc>,
}

/// The open owner period of a vehicle: (ownership id, customer id).
pub async fn current_owner(tx: &mut Tx, vehicle_id: i64) -> Result<Option<(i64, i64)>, StoreError> {
    tx.fetch_optional(sql(
        "SELECT id, customer_id FROM ownership WHERE vehicle_id = $1 AND role = 'owner' AND to_date IS NULL ORDER BY id DESC LIMIT 1",
        vec![vehicle_id.into()],
    ))
    .await
}

struct Period(i64, i64, String, Option<NaiveDate>, Option<NaiveDate>, DateTime<Utc>, String, String);

impl FromRow for Period {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(Period(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
    }
}

/// The ownership history of a vehicle the caller can see (newest first).
pub async fn history(db: &Db, scope: &Scope, vehicle_id: i64) -> Result<Vec<OwnershipPeriod>, StoreError> {
    let rows: Vec<Period> = db
        .fetch_all(sql(
            "SELECT o.id, o.customer_id, o.role, o.from_date, o.to_date, o.created_at, c.name, c.customer_no \
             FROM ownership o JOIN customer c ON c.id = o.customer_id WHERE o.vehicle_id = $1 \
             ORDER BY CASE WHEN o.to_date IS NULL THEN 0 ELSE 1 END, o.from_date DESC, o.id DESC",
            vec![vehicle_id.into()],
        ))
        .await?;
    let ids: Vec<i64> = rows.iter().map(|p| p.1).collect();
    let visible: Vec<(i64,)> = if ids.is_empty() {
        vec![]
    } else {
        let q = scope::select(scope, &customers::CUSTOMER)
            .column(("customer", "id"))
            .and_where(Expr::col(("customer", "id")).is_in(ids))
            .to_owned();
        db.fetch_all(q).await?
    };
    Ok(rows
        .into_iter()
        .map(|p| {
            let seen = visible.iter().any(|v| v.0 == p.1);
            OwnershipPeriod {
                id: p.0,
                customer_id: seen.then_some(p.1),
                customer_name: seen.then_some(p.6),
                customer_no: seen.then_some(p.7),
                role: p.2,
                from_date: p.3,
                to_date: p.4,
                current: p.4.is_none(),
                created_at: p.5,
            }
        })
        .collect())
}

/// A sale or transfer to `customer_id` on `date` (today when `None`).
#[derive(Debug, Clone)]
pub struct ChangeOwner {
    pub kind: Handover,
    pub customer_id: i64,
    pub date: Option<NaiveDate>,
}

/// Sells the vehicle from stock, or transfers it from its current owner, to a
/// customer the actor can see. Closes the open owner period, opens the new one,
/// writes both customers' timelines and the audit trail.
pub async fn change_owner(db: &Db, actor: &Actor, vehicle_id: i64, c: &ChangeOwner) -> Result<Vehicle, StoreError> {
    let mut tx = db.begin().await?;
    change_owner_in(&mut tx, actor, vehicle_id, c).await?;
    let v = record::get_in::<Vehicle>(&mut tx, vehicle_id).await?;
    tx.commit().await?;
    Ok(v)
}

pub async fn change_owner_in(tx: &mut Tx, actor: &Actor, vehicle_id: i64, c: &ChangeOwner) -> Result<(), StoreError> {
    let v: Vehicle = scope::get_for_update(tx, &actor.scope, &VEHICLE, Vehicle::COLUMNS, vehicle_id).await?;
    let q = scope::select(&actor.scope, &customers::CUSTOMER)
        .column(("customer", "id"))
        .and_where(Expr::col(("customer", "id")).eq(c.customer_id))
        .to_owned();
    if tx.fetch_optional::<(i64,)>(q).await?.is_none() {
        return Err(StoreError::invalid("customer_id", CUSTOMER_NOT_FOUND));
    }
    let today = now().date_naive();
    let date = c.date.unwrap_or(today);
    if date > today {
        return Err(StoreError::invalid("date", IN_FUTURE));
    }
    let open: Option<(i64, i64, Option<NaiveDate>)> = tx
        .fetch_optional(sql(
            "SELECT id, customer_id, from_date FROM ownership WHERE vehicle_id = $1 AND role = 'owner' AND to_date IS NULL \
             ORDER BY id DESC LIMIT 1",
            vec![vehicle_id.into()],
        ))
        .await?;
    if let Some((_, owner, from)) = open {
        if owner == c.customer_id {
            return Err(StoreError::invalid("customer_id", SAME_OWNER));
        }
        if from.is_some_and(|f| date < f) {
            return Err(StoreError::invalid("date", BEFORE_CURRENT));
        }
    }
    let status = v.status();
    let (next_status, sale_date, warranty_end) = match c.kind {
        Handover::Sell => {
            // From stock; or a car registered as sold whose owner was not known yet
            // (imported from a DMS, registered at a service visit).
            let ownerless_sold = status == Some(VehicleStatus::Sold) && open.is_none();
            if !ownerless_sold && !status.is_some_and(|s| can_move(s, VehicleStatus::Sold)) {
                return Err(StoreError::invalid("status", NOT_FOR_SALE));
            }
            // A first sale starts the warranty; a resold trade-in keeps its original one.
            let first_sale = v.sale_date.is_none();
            let sale = if first_sale { Some(date) } else { v.sale_date };
            let warranty = if first_sale { v.warranty_end.or(Some(plus_years(date, DEFAULT_WARRANTY_YEARS))) } else { v.warranty_end };
            (VehicleStatus::Sold, sale, warranty)
        }
        Handover::Transfer => {
            if open.is_none() {
                return Err(StoreError::invalid("customer_id", NO_OWNER));
            }
            (status.unwrap_or(VehicleStatus::Sold), v.sale_date, v.warranty_end)
        }
    };
    if let Some((id, _, _)) = open {
        tx.execute(sql("UPDATE ownership SET to_date = $1 WHERE id = $2", vec![date.into(), id.into()])).await?;
    }
    let ownership_id = tx
        .insert_returning_id(sql(
            "INSERT INTO ownership (vehicle_id, customer_id, role, from_date, to_date, created_at) VALUES ($1, $2, 'owner', $3, NULL, $4)",
            vec![vehicle_id.into(), c.customer_id.into(), date.into(), now().into()],
        ))
        .await?;
    // A dealer that sells a car becomes its selling dealer.
    let dealer_id = if c.kind == Handover::Sell { actor.dealer_id.or(v.dealer_id) } else { v.dealer_id };
    tx.execute(sql(
        "UPDATE vehicle SET status = $1, sale_date = $2, warranty_end = $3, dealer_id = $4, version = version + 1, updated_at = $5 \
         WHERE id = $6",
        vec![
            next_status.as_str().into(),
            sale_date.into(),
            warranty_end.into(),
            dealer_id.into(),
            now().into(),
            vehicle_id.into(),
        ],
    ))
    .await?;
    let (kind, action) = match c.kind {
        Handover::Sell => ("vehicle_sold", "sell"),
        Handover::Transfer => ("vehicle_transferred", "transfer"),
    };
    let title = super::title_of(tx, &v).await?;
    audit::record(
        tx,
        actor,
        Change {
            action,
            entity: "vehicle",
            entity_id: Some(vehicle_id),
            dealer_id,
            summary: Some(format!("{title} → customer {}", c.customer_id)),
            before: Some(serde_json::json!({ "owner": open.map(|o| o.1), "status": v.status })),
            after: Some(serde_json::json!({ "owner": c.customer_id, "status": next_status.as_str(), "ownership_id": ownership_id })),
        },
    )
    .await?;
    timeline::add(
        tx,
        actor,
        NewEvent {
            customer_id: c.customer_id,
            kind,
            title: title.clone(),
            body: Some(date.to_string()),
            dealer_id,
            reference: Some(("vehicle", vehicle_id)),
            due_date: None,
        },
    )
    .await?;
    if let Some((_, previous, _)) = open {
        timeline::add(
            tx,
            actor,
            NewEvent {
                customer_id: previous,
                kind: "vehicle_handed_over",
                title,
                body: Some(date.to_string()),
                dealer_id,
                reference: Some(("vehicle", vehicle_id)),
                due_date: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// Finds the customer a sale or transfer goes to by customer number or mobile
/// (as staff type it), within scope: (id, name, customer number).
pub async fn find_customer(db: &Db, scope: &Scope, q: &str) -> Result<Option<(i64, String, String)>, StoreError> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(None);
    }
    let mut by = sea_query::Condition::any().add(Expr::col(("customer", "customer_no")).eq(q.to_uppercase()));
    if let Ok(m) = autocrm_domain::customers::Mobile::parse(q) {
        let owners_of_number = sea_query::Query::select()
            .column(("contact_point", "customer_id"))
            .from("contact_point")
            .and_where(Expr::col(("contact_point", "kind")).eq("mobile"))
            .and_where(Expr::col(("contact_point", "value")).eq(m.as_str()))
            .to_owned();
        by = by.add(Expr::col(("customer", "mobile")).eq(m.as_str())).add(Expr::col(("customer", "id")).in_subquery(owners_of_number));
    }
    let mut s = scope::select(scope, &customers::CUSTOMER);
    s.columns([("customer", "id"), ("customer", "name"), ("customer", "customer_no")])
        .cond_where(by)
        .and_where(Expr::col(("customer", "merged_into")).is_null())
        .order_by(("customer", "id"), sea_query::Order::Asc)
        .limit(1);
    db.fetch_optional(s).await
}
