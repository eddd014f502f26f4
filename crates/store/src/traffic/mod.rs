//! Showroom traffic: each dealer's daily walk-ins and phone inquiries by media
//! source, one row per cell of the day's grid. The grid opens prefilled with what
//! the day's captured leads already say (walk-in and phone-in leads, with the
//! media guessed from the customer's history), so the receptionist only corrects;
//! saving upserts the cells that changed and audits them.

pub mod demo;
pub mod report;

use std::collections::BTreeMap;

use autocrm_domain::access::Scope;
use autocrm_domain::analytics::Period;
use autocrm_domain::leads::Source;
use autocrm_domain::traffic::{Cell, Channel, MediaSource, channel_of, media_hint};
use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Alias, Expr, ExprTrait, JoinType};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::sql;
use crate::scope::{self, Scoped};
use crate::{Db, StoreError, now};

pub use report::{TrafficReport, TrafficRow, report};

/// Traffic belongs to its dealer.
pub const TRAFFIC: Scoped = Scoped::by_dealer("showroom_traffic", "dealer_id");

/// One cell of the grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TrafficCell {
    /// `walk_in` or `phone`.
    pub channel: String,
    /// `internet`, `auto_portal`, `tv`, `radio`, `newspaper`, `outdoor`, `referral`, `auto_show`, `passing_by`, `other`.
    pub source: String,
    pub visits: i64,
}

/// A dealer's day: every cell of the grid (channels × media sources).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DayTraffic {
    pub dealer_id: i64,
    pub day: NaiveDate,
    /// The store saved this day; otherwise `cells` is the suggestion from the day's leads.
    pub recorded: bool,
    pub cells: Vec<TrafficCell>,
    /// Walk-in and phone-in leads captured at the store that day, by channel.
    pub leads_captured: BTreeMap<String, i64>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl DayTraffic {
    pub fn visits(&self, channel: &str, source: &str) -> i64 {
        self.cells.iter().find(|c| c.channel == channel && c.source == source).map_or(0, |c| c.visits)
    }

    pub fn channel_total(&self, channel: &str) -> i64 {
        self.cells.iter().filter(|c| c.channel == channel).map(|c| c.visits).sum()
    }
}

fn key(channel: Channel, source: MediaSource) -> String {
    format!("{}.{}", channel.as_str(), source.as_str())
}

fn grid(counts: &BTreeMap<(Channel, MediaSource), i64>) -> Vec<TrafficCell> {
    let mut cells = vec![];
    for c in Channel::ALL {
        for s in MediaSource::ALL {
            let visits = counts.get(&(*c, *s)).copied().unwrap_or(0);
            cells.push(TrafficCell { channel: c.as_str().into(), source: s.as_str().into(), visits });
        }
    }
    cells
}

/// What the day's captured leads say: one visitor per walk-in or phone-in lead,
/// with the media its customer's history suggests.
async fn from_leads(db: &Db, dealer_id: i64, day: NaiveDate) -> Result<BTreeMap<(Channel, MediaSource), i64>, StoreError> {
    let period = Period { from: day, to: day };
    // The store's traffic is a fact about the whole store, whoever captured the
    // leads: the caller has checked the dealer is within their scope.
    let mut q = scope::select(&Scope::Dealer { dealer_id }, &crate::leads::LEAD);
    let earlier = Alias::new("earlier");
    q.columns([("lead", "id"), ("lead", "source"), ("lead", "referrer_id")])
        .column((earlier.clone(), "source"))
        .join_as(
            JoinType::LeftJoin,
            "lead",
            earlier.clone(),
            Expr::col((earlier.clone(), "customer_id"))
                .equals(("lead", "customer_id"))
                .and(Expr::col((earlier.clone(), "created_at")).lt(Expr::col(("lead", "created_at")))),
        )
        .and_where(Expr::col(("lead", "created_at")).gte(period.start()))
        .and_where(Expr::col(("lead", "created_at")).lt(period.end()))
        .and_where(Expr::col(("lead", "source")).is_in([Source::WalkIn.as_str(), Source::PhoneIn.as_str()]));
    let rows: Vec<(i64, String, Option<i64>, Option<String>)> = db.fetch_all(q).await?;
    let mut leads: BTreeMap<i64, (Option<Channel>, bool, Vec<Source>)> = BTreeMap::new();
    for (id, source, referrer, before) in rows {
        let e = leads.entry(id).or_insert_with(|| (Source::parse(&source).and_then(channel_of), referrer.is_some(), vec![]));
        e.2.extend(before.as_deref().and_then(Source::parse));
    }
    let mut counts = BTreeMap::new();
    for (channel, referred, earlier) in leads.into_values() {
        if let Some(c) = channel {
            *counts.entry((c, media_hint(referred, &earlier))).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

type Stored = BTreeMap<(Channel, MediaSource), i64>;

/// `SELECT channel, source, visits, updated_at` of a dealer's recorded day.
fn stored_query(scope: &Scope, dealer_id: i64, day: NaiveDate) -> sea_query::SelectStatement {
    scope::select(scope, &TRAFFIC)
        .columns([("showroom_traffic", "channel"), ("showroom_traffic", "source"), ("showroom_traffic", "visits"), ("showroom_traffic", "updated_at")])
        .and_where(Expr::col(("showroom_traffic", "dealer_id")).eq(dealer_id))
        .and_where(Expr::col(("showroom_traffic", "day")).eq(day))
        .to_owned()
}

fn stored(rows: Vec<(String, String, i64, DateTime<Utc>)>) -> (Stored, Option<DateTime<Utc>>) {
    let updated = rows.iter().map(|r| r.3).max();
    let cells = rows
        .into_iter()
        .filter_map(|(c, s, v, _)| Some(((Channel::parse(&c)?, MediaSource::parse(&s)?), v)))
        .collect();
    (cells, updated)
}

/// A dealer's day within `scope`: what was recorded, or what the leads suggest.
pub async fn day(db: &Db, scope: &Scope, dealer_id: i64, day: NaiveDate) -> Result<DayTraffic, StoreError> {
    if !scope::dealer_visible(db, scope, dealer_id).await? {
        return Err(StoreError::NotFound);
    }
    let suggested = from_leads(db, dealer_id, day).await?;
    let (recorded, updated_at) = stored(db.fetch_all(stored_query(scope, dealer_id, day)).await?);
    let mut leads_captured = BTreeMap::new();
    for c in Channel::ALL {
        leads_captured.insert(c.as_str().to_string(), suggested.iter().filter(|((ch, _), _)| ch == c).map(|(_, n)| n).sum());
    }
    let is_recorded = !recorded.is_empty();
    Ok(DayTraffic {
        dealer_id,
        day,
        recorded: is_recorded,
        cells: grid(if is_recorded { &recorded } else { &suggested }),
        leads_captured,
        updated_at,
    })
}

/// Saves the cells of a dealer's day (upsert per cell). Only cells whose count
/// changed are written and audited, so saving the same grid twice changes
/// nothing the second time.
pub async fn record(db: &Db, actor: &Actor, dealer_id: i64, d: NaiveDate, cells: &[Cell]) -> Result<DayTraffic, StoreError> {
    if !scope::dealer_visible(db, &actor.scope, dealer_id).await? {
        return Err(StoreError::NotFound);
    }
    let mut tx = db.begin().await?;
    let (current, _) = stored(tx.fetch_all(stored_query(&actor.scope, dealer_id, d)).await?);
    let changed: Vec<&Cell> = cells.iter().filter(|c| current.get(&(c.channel, c.source)) != Some(&c.visits)).collect();
    if !changed.is_empty() {
        let t = now();
        let (mut before, mut after) = (Map::new(), Map::new());
        for c in &changed {
            tx.execute(sql(
                "INSERT INTO showroom_traffic (dealer_id, day, channel, source, visits, recorded_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dealer_id, day, channel, source) \
                 DO UPDATE SET visits = excluded.visits, recorded_by = excluded.recorded_by, updated_at = excluded.updated_at",
                vec![
                    dealer_id.into(),
                    d.into(),
                    c.channel.as_str().into(),
                    c.source.as_str().into(),
                    c.visits.into(),
                    actor.audit_id().into(),
                    t.into(),
                    t.into(),
                ],
            ))
            .await?;
            let k = key(c.channel, c.source);
            before.insert(k.clone(), current.get(&(c.channel, c.source)).map_or(Value::Null, |v| json!(v)));
            after.insert(k, json!(c.visits));
        }
        audit::record(
            &mut tx,
            actor,
            Change {
                action: if current.is_empty() { "create" } else { "update" },
                entity: "showroom_traffic",
                entity_id: None,
                dealer_id: Some(dealer_id),
                summary: Some(format!("showroom traffic {d}: {} cells", changed.len())),
                before: Some(Value::Object(before)),
                after: Some(Value::Object(after)),
            },
        )
        .await?;
    }
    tx.commit().await?;
    day(db, &actor.scope, dealer_id, d).await
}
