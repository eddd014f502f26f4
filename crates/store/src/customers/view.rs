//! The 360 view: everything about one customer that the caller may see, read in
//! one go — profile, contact points, consents in force, dealer links,
//! relationships, vehicles and the newest page of the timeline.

use autocrm_domain::access::Scope;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::timeline::{self, TimelineEvent};
use super::{CONTACT_COLUMNS, ContactPoint, Customer};
use crate::db::{FromRow, Row, sql};
use crate::page::{Page, PageRequest};
use crate::{Db, StoreError};

/// The consent in force for one channel and purpose (the latest row).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsentView {
    pub channel: String,
    pub purpose: String,
    pub granted: bool,
    pub source: String,
    pub at: DateTime<Utc>,
}

impl FromRow for ConsentView {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(ConsentView { channel: r.get(0)?, purpose: r.get(1)?, granted: r.get(2)?, source: r.get(3)?, at: r.get(4)? })
    }
}

/// How a dealer knows the customer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DealerLinkView {
    pub dealer_id: i64,
    pub dealer_code: String,
    pub dealer_name: String,
    /// `lead`, `bought`, `serviced`, `assigned`.
    pub kind: String,
    pub owner_user_id: Option<i64>,
    pub owner_name: Option<String>,
    pub since: DateTime<Utc>,
}

impl FromRow for DealerLinkView {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(DealerLinkView {
            dealer_id: r.get(0)?,
            dealer_code: r.get(1)?,
            dealer_name: r.get(2)?,
            kind: r.get(3)?,
            owner_user_id: r.get(4)?,
            owner_name: r.get(5)?,
            since: r.get(6)?,
        })
    }
}

/// A relationship to another customer, read "this customer is `kind` the other".
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RelationshipView {
    pub related_id: i64,
    pub related_no: String,
    pub related_name: String,
    pub kind: String,
    /// Whether the caller may open the related customer (a family member may be
    /// known to another dealer only).
    pub visible: bool,
}

/// Everything about one customer, masked for display.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Customer360 {
    pub customer: Customer,
    pub contact_points: Vec<ContactPoint>,
    pub consents: Vec<ConsentView>,
    pub dealer_links: Vec<DealerLinkView>,
    pub relationships: Vec<RelationshipView>,
    /// Current and past vehicles.
    pub vehicles: Vec<crate::vehicles::VehicleSummary>,
    /// Commitments not yet kept, earliest due first.
    pub open_commitments: Vec<TimelineEvent>,
    /// The newest timeline entries.
    pub timeline: Vec<TimelineEvent>,
    pub timeline_next_cursor: Option<String>,
}

/// The 360 bundle of a customer within scope (404 outside it). Mobiles and the
/// ID number are masked; the reveal action is the only way to the clear values.
pub async fn get_360(db: &Db, scope: &Scope, id: i64) -> Result<Customer360, StoreError> {
    let customer = super::get(db, scope, id).await?.masked();
    let contact_points: Vec<ContactPoint> = db
        .fetch_all(sql(
            &format!("SELECT {CONTACT_COLUMNS} FROM contact_point WHERE customer_id = $1 ORDER BY kind, is_primary DESC, id"),
            vec![id.into()],
        ))
        .await?;
    let contact_points = contact_points.into_iter().map(ContactPoint::masked).collect();
    // The latest row per channel and purpose is in force.
    let consents: Vec<ConsentView> = db
        .fetch_all(sql(
            "SELECT c.channel, c.purpose, c.granted, c.source, c.at FROM consent c \
             WHERE c.customer_id = $1 AND c.id = (SELECT MAX(c2.id) FROM consent c2 \
               WHERE c2.customer_id = c.customer_id AND c2.channel = c.channel AND c2.purpose = c.purpose) \
             ORDER BY c.channel, c.purpose",
            vec![id.into()],
        ))
        .await?;
    let dealer_links: Vec<DealerLinkView> = db
        .fetch_all(sql(
            "SELECT d.id, d.code, d.name, l.kind, l.owner_user_id, u.display_name, l.since \
             FROM customer_dealer l JOIN dealer d ON d.id = l.dealer_id LEFT JOIN app_user u ON u.id = l.owner_user_id \
             WHERE l.customer_id = $1 ORDER BY l.since, l.id",
            vec![id.into()],
        ))
        .await?;
    let rels: Vec<(i64, String, String, String)> = db
        .fetch_all(sql(
            "SELECT c.id, c.customer_no, c.name, r.kind FROM relationship r JOIN customer c ON c.id = r.related_id \
             WHERE r.customer_id = $1 ORDER BY r.id",
            vec![id.into()],
        ))
        .await?;
    let mut relationships = vec![];
    for (rid, no, name, kind) in rels {
        let visible = super::get(db, scope, rid).await.is_ok();
        relationships.push(RelationshipView { related_id: rid, related_no: no, related_name: name, kind, visible });
    }
    let vehicles = crate::vehicles::of_customer(db, scope, id).await?;
    let open_commitments = timeline::open_commitments(db, scope, id).await?;
    let p = PageRequest::parse(Some(20), Some("-id"), None, &timeline::SORT, "-id").map_err(StoreError::Invalid)?;
    let Page { items, next_cursor } = timeline::list(db, scope, id, None, &p).await?;
    Ok(Customer360 {
        customer,
        contact_points,
        consents,
        dealer_links,
        relationships,
        vehicles,
        open_commitments,
        timeline: items,
        timeline_next_cursor: next_cursor,
    })
}

/// Whether the customer may be contacted on `channel` for `purpose` (e.g.
/// `marketing`): only with a consent in force, i.e. the latest row for the channel
/// and purpose granted. Every sending feature asks this before it sends; an
/// opt-out takes effect at once.
pub async fn may_contact(db: &Db, customer_id: i64, channel: autocrm_domain::customers::ContactChannel, purpose: &str) -> Result<bool, StoreError> {
    let latest: Option<(bool,)> = db
        .fetch_optional(sql(
            "SELECT granted FROM consent WHERE customer_id = $1 AND channel = $2 AND purpose = $3 ORDER BY id DESC LIMIT 1",
            vec![customer_id.into(), channel.as_str().into(), purpose.into()],
        ))
        .await?;
    Ok(latest.is_some_and(|(g,)| g))
}
