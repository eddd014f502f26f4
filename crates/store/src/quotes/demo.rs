//! Demo price list and quotes: every catalog model has a list price (one with a
//! promotion laid over it this month), leads at the quote stage or beyond carry the
//! quote they got, and one prospect of the demo consultant was quoted a different
//! price by a colleague days ago — so the warning shows on her next quote and the
//! manager's list of contradicting quotes is not empty.

use autocrm_domain::quotes::{QuoteLine, QuoteLineKind, format_yuan, quote_no, totals};
use chrono::{Duration, NaiveDate};

use super::prices::ModelPrice;
use super::{Quote, QUOTE};
use crate::auth::Actor;
use crate::db::sql;
use crate::leads::activity::timeline_kind;
use crate::{StoreError, Tx, now, record};

/// Base list prices by model code (yuan).
const PRICES: [(&str, i64); 10] = [
    ("DY-YF-15T-SS", 119_800),
    ("DY-YF-15T-HH", 135_800),
    ("DY-YY-20T-JY", 189_800),
    ("DY-YY-20T-QJ", 219_800),
    ("DY-YT-15T-SS", 149_800),
    ("DY-YT-15T-4H", 172_800),
    ("DY-YFG-20T-ZX", 259_800),
    ("DY-E5-400-BZ", 159_800),
    ("DY-E5-520-CX", 186_800),
    ("DY-YX-15T-SW", 198_800),
];

fn line(kind: QuoteLineKind, label: &str, yuan: i64) -> QuoteLine {
    QuoteLine { kind, label: label.into(), amount: yuan * 100 }
}

/// The lines of the `k`-th demo quote: a discount that varies, a gift, a fee.
fn lines(k: usize) -> Vec<QuoteLine> {
    let mut out = vec![line(QuoteLineKind::Discount, "店内优惠", 5_000 + (k as i64 % 4) * 1_000)];
    if k % 2 == 0 {
        out.push(line(QuoteLineKind::Gift, "全车脚垫+首保", 1_800));
    }
    if k % 3 == 0 {
        out.push(line(QuoteLineKind::Fee, "上牌服务费", 500));
    }
    out
}

/// Loads the demo prices and quotes inside the demo transaction; returns how many quotes.
pub async fn load(tx: &mut Tx) -> Result<usize, StoreError> {
    let t0 = now();
    let today = (t0 + Duration::hours(8)).date_naive();
    let models: Vec<(i64, String)> = tx.fetch_all(sql("SELECT id, code FROM vehicle_model ORDER BY id", vec![])).await?;
    let since = NaiveDate::from_ymd_opt(2026, 1, 1);
    let mut price_of = vec![];
    for (i, (id, code)) in models.iter().enumerate() {
        let yuan = PRICES.iter().find(|(c, _)| c == code).map(|p| p.1).unwrap_or(129_800 + i as i64 * 10_000);
        let base = ModelPrice { id: 0, model_id: *id, list_price: yuan * 100, valid_from: since.filter(|d| *d <= today), valid_to: None, note: None, version: 0, created_at: t0, updated_at: t0 };
        record::insert_in(tx, &Actor::system(), &base).await?;
        price_of.push((*id, yuan * 100));
    }
    // This month's promotion on the electric E5 standard range.
    if let Some((id, _)) = models.iter().find(|(_, c)| c == "DY-E5-400-BZ") {
        let promo = ModelPrice {
            id: 0,
            model_id: *id,
            list_price: 149_800 * 100,
            valid_from: Some(today - Duration::days(10)),
            valid_to: Some(today + Duration::days(20)),
            note: Some("双十一限时价".into()),
            version: 0,
            created_at: t0,
            updated_at: t0,
        };
        record::insert_in(tx, &Actor::system(), &promo).await?;
        if let Some(p) = price_of.iter_mut().find(|p| p.0 == *id) {
            p.1 = promo.list_price;
        }
    }
    // The demo consultant's prospect whom a colleague quoted first: 张强 three days
    // ago, then 王丽 yesterday with a bigger discount (recorded as contradicting).
    // Her lead is at the quote stage, still open: her next quote is warned too.
    let pair: Option<(i64, i64, i64, i64, String, i64, i64, String)> = tx
        .fetch_optional(sql(
            "SELECT l.id, l.customer_id, l.dealer_id, a.id, a.display_name, l.model_id, b.id, b.display_name FROM lead l \
             JOIN app_user a ON a.id = l.owner_user_id JOIN app_user b ON b.dealer_id = l.dealer_id AND b.username = 'consultant2' \
             WHERE a.username = 'consultant' AND l.stage = 'quote' AND l.model_id IS NOT NULL ORDER BY l.id LIMIT 1",
            vec![],
        ))
        .await?;
    let mut count = 0;
    let mut done = None;
    if let Some((lead, customer, dealer, me, my_name, model, colleague, colleague_name)) = pair {
        let first = quote(tx, (lead, customer, dealer, model), (colleague, &colleague_name), &price_of, lines(1), t0 - Duration::days(3), None).await?;
        quote(tx, (lead, customer, dealer, model), (me, &my_name), &price_of, lines(2), t0 - Duration::days(1), Some(first)).await?;
        count += 2;
        done = Some(lead);
    }
    // Leads that got a quote, newest activity first; each with its owner.
    let leads: Vec<(i64, i64, i64, i64, String, Option<i64>)> = tx
        .fetch_all(sql(
            "SELECT l.id, l.customer_id, l.dealer_id, l.owner_user_id, u.display_name, l.model_id FROM lead l \
             JOIN app_user u ON u.id = l.owner_user_id WHERE l.stage IN ('quote', 'order') AND l.model_id IS NOT NULL ORDER BY l.id",
            vec![],
        ))
        .await?;
    for (k, (lead, customer, dealer, user, name, model)) in leads.iter().enumerate() {
        let Some(model) = model.filter(|_| done != Some(*lead)) else { continue };
        let days = 2 + (k as i64 % 20);
        quote(tx, (*lead, *customer, *dealer, model), (*user, name), &price_of, lines(k), t0 - Duration::days(days), None).await?;
        count += 1;
    }
    Ok(count)
}

/// Writes one demo quote with its lead activity and timeline entry; returns its
/// id and total. `contradicts`: the colleague's earlier quote (id, total).
async fn quote(
    tx: &mut Tx,
    (lead, customer, dealer, model): (i64, i64, i64, i64),
    (user, name): (i64, &str),
    price_of: &[(i64, i64)],
    lines: Vec<QuoteLine>,
    at: chrono::DateTime<chrono::Utc>,
    contradicts: Option<(i64, i64)>,
) -> Result<(i64, i64), StoreError> {
    let list = price_of.iter().find(|p| p.0 == model).map(|p| p.1).unwrap_or(129_800_00);
    let t = totals(list, &lines)?;
    let differs = contradicts.filter(|(_, total)| *total != t.total);
    let q = Quote {
        id: 0,
        quote_no: format!("~demo{lead}-{user}"),
        lead_id: Some(lead),
        customer_id: customer,
        dealer_id: dealer,
        user_id: user,
        user_name: name.into(),
        model_id: model,
        list_price: t.list_price,
        discounts: t.discounts,
        gifts_value: t.gifts_value,
        fees: t.fees,
        total: t.total,
        lines,
        valid_until: (at + Duration::hours(8)).date_naive() + Duration::days(7),
        note: None,
        conflict_quote_id: differs.map(|c| c.0),
        conflict_difference: differs.map(|c| t.total - c.1),
        version: 0,
        created_at: at,
        updated_at: at,
    };
    let actor = Actor { user_id: user, display_name: name.into(), ..Actor::system() };
    let id = record::insert_in(tx, &actor, &q).await?;
    tx.execute(sql(
        &format!("UPDATE {} SET quote_no = $1, created_at = $2, updated_at = $2 WHERE id = $3", QUOTE.table),
        vec![quote_no(id).into(), at.into(), id.into()],
    ))
    .await?;
    let note = format!("{} ¥{}", quote_no(id), format_yuan(t.total));
    tx.execute(sql(
        "INSERT INTO lead_activity (lead_id, customer_id, dealer_id, user_id, user_name, kind, note, at) VALUES ($1, $2, $3, $4, $5, 'quote', $6, $7)",
        vec![lead.into(), customer.into(), dealer.into(), user.into(), name.into(), note.clone().into(), at.into()],
    ))
    .await?;
    tx.execute(sql(
        "INSERT INTO timeline_event (customer_id, at, kind, title, body, actor_id, actor_name, dealer_id, ref_entity, ref_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'quote', $9)",
        vec![customer.into(), at.into(), timeline_kind("quote").into(), quote_no(id).into(), note.into(), user.into(), name.into(),
            dealer.into(), id.into()],
    ))
    .await?;
    Ok((id, t.total))
}
