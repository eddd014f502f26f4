//! Giving a quote: the list price in force, the lines added up, the validity, and
//! the warning about a colleague's different recent quote — computed the same way
//! for the preview (which writes nothing) and for saving.

use autocrm_domain::FieldError;
use autocrm_domain::leads::Stage;
use autocrm_domain::quotes::{QuoteLine, QuoteTotals, RECENT_DAYS, RecentQuote, format_yuan, quote_conflict, quote_no, totals, valid_until};
use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{Quote, Warning, prices};
use crate::auth::Actor;
use crate::db::sql;
use crate::leads::{Lead, NewActivity, activity};
use crate::record;
use crate::{Db, StoreError, Tx, now};

pub const MODEL_REQUIRED: &str = "is required: the lead has no model of interest";
pub const NO_PRICE: &str = "has no list price valid today";
pub const NOTE_TOO_LONG: &str = "must be at most 500 characters";

/// What a consultant fills in.
#[derive(Debug, Clone, Default)]
pub struct QuoteInput {
    pub lead_id: i64,
    /// Default: the lead's model of interest.
    pub model_id: Option<i64>,
    pub lines: Vec<QuoteLine>,
    /// Default: a week from today.
    pub valid_until: Option<NaiveDate>,
    pub note: Option<String>,
}

/// A quote worked out but not saved.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub lead: Lead,
    pub model_id: i64,
    pub totals: QuoteTotals,
    pub lines: Vec<QuoteLine>,
    pub valid_until: NaiveDate,
    pub note: Option<String>,
    pub conflict: Option<Warning>,
}

/// Works a quote out within the actor's scope without writing anything: the same
/// reads as [`create`], in a transaction that is rolled back (dropped).
pub async fn prepare(db: &Db, actor: &Actor, i: &QuoteInput) -> Result<Prepared, StoreError> {
    let mut tx = db.begin().await?;
    prepare_in(&mut tx, actor, i).await
}

async fn prepare_in(tx: &mut Tx, actor: &Actor, i: &QuoteInput) -> Result<Prepared, StoreError> {
    let t = now();
    let (lead, _) = crate::leads::open_lead(tx, &actor.scope, i.lead_id).await?;
    let model_id = i.model_id.or(lead.model_id).ok_or_else(|| FieldError::new("model_id", MODEL_REQUIRED))?;
    let known: Option<(i64,)> = tx.fetch_optional(sql("SELECT id FROM vehicle_model WHERE id = $1", vec![model_id.into()])).await?;
    if known.is_none() {
        return Err(FieldError::new("model_id", prices::NO_SUCH_MODEL).into());
    }
    let list_price = prices::current_in(tx, model_id, crate::customers::today()).await?.ok_or_else(|| FieldError::new("model_id", NO_PRICE))?;
    let lines: Vec<QuoteLine> =
        i.lines.iter().map(|l| QuoteLine { kind: l.kind, label: l.label.trim().to_string(), amount: l.amount }).collect();
    let totals = totals(list_price, &lines)?;
    let valid_until = valid_until(i.valid_until, crate::customers::today())?;
    let note = i.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
    if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
        return Err(FieldError::new("note", NOTE_TOO_LONG).into());
    }
    let recent = recent_quotes(tx, lead.customer_id, t).await?;
    let conflict = quote_conflict(actor.user_id, model_id, totals.total, t, &recent).map(Warning::from);
    Ok(Prepared { lead, model_id, totals, lines, valid_until, note, conflict })
}

/// The customer's quotes of the last [`RECENT_DAYS`] at every dealer: the warning
/// must see a colleague's price wherever the customer asked.
async fn recent_quotes(tx: &mut Tx, customer_id: i64, t: DateTime<Utc>) -> Result<Vec<RecentQuote>, StoreError> {
    let rows: Vec<(i64, i64, String, String, i64, i64, DateTime<Utc>)> = tx
        .fetch_all(sql(
            "SELECT q.id, q.user_id, q.user_name, d.name, q.model_id, q.total, q.created_at FROM quote q \
             JOIN dealer d ON d.id = q.dealer_id WHERE q.customer_id = $1 AND q.created_at >= $2 ORDER BY q.id DESC LIMIT 200",
            vec![customer_id.into(), (t - Duration::days(RECENT_DAYS)).into()],
        ))
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, user_id, user_name, dealer_name, model_id, total, at)| RecentQuote { id, user_id, user_name, dealer_name, model_id, total, at })
        .collect())
}

/// Saves a quote: the lead moves to the quote stage, the customer's timeline shows
/// the total, and a colleague's different price is recorded on it.
pub async fn create(db: &Db, actor: &Actor, i: &QuoteInput) -> Result<(Quote, Option<Warning>), StoreError> {
    let mut tx = db.begin().await?;
    tx.lock("lead", i.lead_id).await?;
    let p = prepare_in(&mut tx, actor, i).await?;
    let t = now();
    let id = tx.next_id("quote").await?;
    let q = Quote {
        id,
        quote_no: quote_no(id),
        lead_id: Some(p.lead.id),
        customer_id: p.lead.customer_id,
        dealer_id: p.lead.dealer_id.unwrap_or_default(),
        user_id: actor.user_id,
        user_name: actor.display_name.clone(),
        model_id: p.model_id,
        list_price: p.totals.list_price,
        discounts: p.totals.discounts,
        gifts_value: p.totals.gifts_value,
        fees: p.totals.fees,
        total: p.totals.total,
        lines: p.lines.clone(),
        valid_until: p.valid_until,
        note: p.note.clone(),
        conflict_quote_id: p.conflict.as_ref().map(|c| c.quote_id),
        conflict_difference: p.conflict.as_ref().map(|c| c.difference),
        version: 0,
        created_at: t,
        updated_at: t,
    };
    let stored: Quote = record::insert_stored(&mut tx, actor, &q, Some(id), vec![]).await?;
    let (label,): (String,) = tx
        .fetch_one(sql("SELECT series || ' ' || model FROM vehicle_model WHERE id = $1", vec![p.model_id.into()]))
        .await?;
    let mut a = NewActivity::new("quote");
    a.reaches = Some(Stage::Quote);
    a.note = Some(format!("{} {label} ¥{}", quote_no(id), format_yuan(p.totals.total)));
    activity::log(&mut tx, actor, &p.lead, a).await?;
    tx.commit().await?;
    Ok((stored, p.conflict))
}
