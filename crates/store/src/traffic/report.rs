//! The traffic report: walk-ins and phone inquiries over a period of days, grouped
//! by dealer, region, media source, channel or day, with the split by media source
//! on every row (the media effect by region). One aggregate over the day range.

use std::collections::BTreeMap;

use autocrm_domain::access::Scope;
use autocrm_domain::analytics::Period;
use autocrm_domain::traffic::{Channel, Grouping, MediaSource};
use sea_query::{Expr, ExprTrait, SelectStatement};
use serde::Serialize;

use super::TRAFFIC;
use crate::analytics::Filters;
use crate::analytics::names::{Entity, Group, Names};
use crate::{Db, StoreError, scope};

/// One group of the report.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct TrafficRow {
    /// A dealer's or region's code, a source, a channel or a day (`YYYY-MM-DD`).
    pub key: Option<String>,
    /// The dealer's or region's id.
    pub id: Option<i64>,
    /// The dealer's or region's name.
    pub label: Option<String>,
    pub walk_in: i64,
    pub phone: i64,
    pub total: i64,
    /// Visitors by media source.
    pub sources: BTreeMap<String, i64>,
}

impl TrafficRow {
    fn add(&mut self, channel: Option<Channel>, source: &str, visits: i64) {
        match channel {
            Some(Channel::WalkIn) => self.walk_in += visits,
            Some(Channel::Phone) => self.phone += visits,
            None => {}
        }
        self.total += visits;
        *self.sources.entry(source.to_string()).or_insert(0) += visits;
    }

    pub fn source(&self, s: &str) -> i64 {
        self.sources.get(s).copied().unwrap_or(0)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrafficReport {
    #[schema(value_type = Object)]
    pub period: Period,
    /// The grouping of the rows.
    pub by: String,
    pub filters: Filters,
    /// The media sources, in the order of the managed list.
    pub sources: Vec<String>,
    pub rows: Vec<TrafficRow>,
    pub total: TrafficRow,
}

/// Adds the group of `by` as the first two columns — a text key (source, channel,
/// day) or the dealer's id (dealers and regions, named and rolled up afterwards) —
/// with its GROUP BY. No join per row.
fn group_by(q: &mut SelectStatement, by: Grouping) {
    let t = "showroom_traffic";
    let null_id = || Expr::cust("CAST(NULL AS BIGINT)");
    match by {
        Grouping::Dealer | Grouping::Region => {
            q.expr(Expr::cust("CAST(NULL AS TEXT)")).column((t, "dealer_id")).group_by_col((t, "dealer_id"));
        }
        Grouping::Source | Grouping::Channel => {
            let col = (t, if by == Grouping::Source { "source" } else { "channel" });
            q.column(col).expr(null_id()).group_by_col(col);
        }
        Grouping::Day => {
            let day = Expr::cust("CAST(showroom_traffic.day AS TEXT)");
            q.expr(day.clone()).expr(null_id()).add_group_by([day]);
        }
    }
}

/// Traffic of the days of `period` within `scope`, grouped `by`.
pub async fn report(db: &Db, scope: &Scope, period: &Period, by: Grouping, filters: &Filters) -> Result<TrafficReport, StoreError> {
    filters.check(db, scope).await?;
    let t = "showroom_traffic";
    let mut q = scope::select(scope, &TRAFFIC);
    q.and_where(Expr::col((t, "day")).gte(period.from))
        .and_where(Expr::col((t, "day")).lte(period.to))
        .cond_where(filters.condition(t, "dealer_id"));
    group_by(&mut q, by);
    // SUM of a BIGINT is NUMERIC on PostgreSQL: cast it back.
    q.column((t, "channel")).column((t, "source")).expr(Expr::cust("CAST(SUM(showroom_traffic.visits) AS BIGINT)")).group_by_columns([
        (t, "channel"),
        (t, "source"),
    ]);
    let found: Vec<(Option<String>, Option<i64>, String, String, i64)> = db.fetch_all(q).await?;
    let ids: Vec<i64> = found.iter().filter_map(|r| r.1).collect();
    let names = Names::load(db, scope, Entity::of_traffic(by), &ids).await?;
    let mut groups: BTreeMap<Group, TrafficRow> = BTreeMap::new();
    let mut total = TrafficRow::default();
    for (key, id, channel, source, visits) in found {
        let channel = Channel::parse(&channel);
        let (key, id, label) = names.group(key, id);
        groups.entry((key.clone(), id, label.clone())).or_insert_with(|| TrafficRow { key, id, label, ..Default::default() }).add(channel, &source, visits);
        total.add(channel, &source, visits);
    }
    let mut rows: Vec<TrafficRow> = groups.into_values().collect();
    let rank = |r: &TrafficRow| -> usize {
        let k = r.key.as_deref().unwrap_or("");
        match by {
            Grouping::Source => MediaSource::parse(k).and_then(|s| MediaSource::ALL.iter().position(|x| *x == s)).unwrap_or(usize::MAX),
            Grouping::Channel => Channel::parse(k).and_then(|c| Channel::ALL.iter().position(|x| *x == c)).unwrap_or(usize::MAX),
            _ => 0,
        }
    };
    match by {
        Grouping::Day => rows.sort_by(|a, b| a.key.cmp(&b.key)),
        _ => rows.sort_by(|a, b| rank(a).cmp(&rank(b)).then(b.total.cmp(&a.total)).then(a.key.cmp(&b.key))),
    }
    Ok(TrafficReport {
        period: *period,
        by: by.as_str().into(),
        filters: *filters,
        sources: MediaSource::ALL.iter().map(|s| s.as_str().to_string()).collect(),
        rows,
        total,
    })
}
