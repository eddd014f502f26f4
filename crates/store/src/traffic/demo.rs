//! Demo showroom traffic: every demo dealer's walk-ins and phone inquiries by media
//! source over the past 60 days (today is left for the receptionist to record),
//! busier at weekends and at stronger stores, with a regional flavour of media so
//! the media-effect-by-region report has something to say.

use autocrm_domain::traffic::{Channel, MediaSource};
use chrono::{Datelike, Duration, Weekday};
use sea_query::{Expr, Query};

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::sql;
use crate::seed::rng::{Rng, cumulative};
use crate::{StoreError, Tx, now};

/// How visitors of an average store heard of it (per mille).
pub(crate) const MEDIA_MIX: [(MediaSource, u64); 10] = [
    (MediaSource::Internet, 220),
    (MediaSource::AutoPortal, 200),
    (MediaSource::Tv, 60),
    (MediaSource::Radio, 50),
    (MediaSource::Newspaper, 30),
    (MediaSource::Outdoor, 60),
    (MediaSource::Referral, 150),
    (MediaSource::AutoShow, 50),
    (MediaSource::PassingBy, 120),
    (MediaSource::Other, 60),
];

/// The medium that works better than average in a region.
pub(crate) fn regional_bias(region_code: &str) -> MediaSource {
    match region_code {
        "EAST" => MediaSource::Internet,
        "SOUTH" => MediaSource::AutoShow,
        "NORTH" => MediaSource::Radio,
        _ => MediaSource::Outdoor,
    }
}

/// The mix of a store in a region, as cumulative weights in [`MEDIA_MIX`] order.
pub(crate) fn mix_for(region_code: &str) -> Vec<u64> {
    let bias = regional_bias(region_code);
    cumulative(MEDIA_MIX.iter().map(|(s, w)| if *s == bias { w + 120 } else { *w }))
}

/// Walk-ins on an ordinary weekday at a store of `level`.
pub(crate) fn base_walk_ins(level: &str) -> u64 {
    match level {
        "A" => 18,
        "B" => 12,
        "C" => 8,
        _ => 5,
    }
}

const DAYS: i64 = 60;

/// Loads the traffic inside the demo transaction; returns the rows written.
pub async fn load(tx: &mut Tx) -> Result<usize, StoreError> {
    let dealers: Vec<(i64, String, String, String)> = tx
        .fetch_all(sql("SELECT d.id, d.code, d.level, r.code FROM dealer d JOIN region r ON r.id = d.region_id ORDER BY d.id", vec![]))
        .await?;
    let today = crate::customers::today();
    let t = now();
    let mut r = Rng::for_step(0x2026_1126, "traffic");
    let mut written = 0;
    for (dealer, code, level, region) in dealers {
        let mix = mix_for(&region);
        let mut q = Query::insert()
            .into_table("showroom_traffic")
            .columns(["dealer_id", "day", "channel", "source", "visits", "created_at", "updated_at"])
            .to_owned();
        let mut rows = 0;
        for back in 1..=DAYS {
            let day = today - Duration::days(back);
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            let base = base_walk_ins(&level) * if weekend { 16 } else { 10 } / 10;
            let walk_ins = r.range(base * 7 / 10, base * 13 / 10 + 1);
            let phones = walk_ins * 45 / 100 + r.below(3);
            for (channel, total) in [(Channel::WalkIn, walk_ins), (Channel::Phone, phones)] {
                let mut cells = [0i64; 10];
                for _ in 0..total {
                    cells[r.weighted(&mix)] += 1;
                }
                for (i, visits) in cells.iter().enumerate().filter(|(_, v)| **v > 0) {
                    let values = [
                        Expr::val(dealer),
                        Expr::val(day),
                        Expr::val(channel.as_str()),
                        Expr::val(MEDIA_MIX[i].0.as_str()),
                        Expr::val(*visits),
                        Expr::val(t),
                        Expr::val(t),
                    ];
                    q.values(values).map_err(|e| StoreError::Decode(e.to_string()))?;
                    rows += 1;
                }
            }
        }
        if rows > 0 {
            tx.execute(q).await?;
        }
        audit::record(
            tx,
            &Actor::system(),
            Change {
                action: "create",
                entity: "showroom_traffic",
                entity_id: None,
                dealer_id: Some(dealer),
                summary: Some(format!("{code}: demo showroom traffic of the past {DAYS} days ({rows} cells)")),
                before: None,
                after: None,
            },
        )
        .await?;
        written += rows;
    }
    Ok(written)
}
