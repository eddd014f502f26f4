//! Finding the records that may be the same customer as one just written: a few
//! index lookups gather the few plausible candidates (same name, landline,
//! address, e-mail, full pinyin, or a VIN in common), the domain's
//! [`weak_evidence`] scores each pair, and pairs worth a look go to the queue.

use std::collections::{BTreeSet, HashMap};

use autocrm_domain::customers::{CustomerKind, Email, IdNumber, Landline, Mobile, Uscc, is_unnamed, pinyin_full};
use autocrm_domain::identity::{Candidate, Ownership, weak_evidence};
use autocrm_domain::vehicles::Vin;
use chrono::NaiveDate;
use sea_query::Value;

use crate::auth::Actor;
use crate::db::{FromRow, Row, sql};
use crate::{Db, StoreError, Tx, now};

/// At most this many other records are scored per lookup kind: a name shared
/// by thousands (张伟) must not turn one save into a scan.
const PER_LOOKUP: i64 = 50;

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The customer row's part of a candidate.
struct Keys {
    id: i64,
    kind: String,
    name: String,
    id_number: Option<String>,
    uscc: Option<String>,
    mobile: Option<String>,
    email: Option<String>,
    city: Option<String>,
    address: Option<String>,
}

impl FromRow for Keys {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(Keys {
            id: r.get(0)?,
            kind: r.get(1)?,
            name: r.get(2)?,
            id_number: r.get(3)?,
            uscc: r.get(4)?,
            mobile: r.get(5)?,
            email: r.get(6)?,
            city: r.get(7)?,
            address: r.get(8)?,
        })
    }
}

/// Ids per `IN (…)` list.
const IN_CHUNK: usize = 500;

/// The identity candidates of some customers (merged ones are skipped).
pub async fn candidates(tx: &mut Tx, ids: &[i64]) -> Result<HashMap<i64, Candidate>, StoreError> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        candidates_into(tx, chunk, &mut out).await?;
    }
    Ok(out)
}

async fn candidates_into(tx: &mut Tx, ids: &[i64], out: &mut HashMap<i64, Candidate>) -> Result<(), StoreError> {
    let list = placeholders(1, ids.len());
    let vals = || ids.iter().map(|i| Value::from(*i)).collect::<Vec<_>>();
    let rows: Vec<Keys> = tx
        .fetch_all(sql(
            &format!(
                "SELECT id, kind, name, id_number, uscc, mobile, email, city, address FROM customer \
                 WHERE id IN ({list}) AND merged_into IS NULL"
            ),
            vals(),
        ))
        .await?;
    for k in rows {
        out.insert(k.id, from_row(k));
    }
    let points: Vec<Point> = tx
        .fetch_all(sql(
            &format!("SELECT customer_id, kind, value, verified, city FROM contact_point WHERE customer_id IN ({list}) ORDER BY id"),
            vals(),
        ))
        .await?;
    for (id, kind, value, verified, city) in &points {
        if let Some(c) = out.get_mut(id) {
            add_point(c, kind, value, *verified, city.as_deref());
        }
    }
    type Owned = (i64, String, Option<NaiveDate>, Option<NaiveDate>, Option<String>);
    let owned: Vec<Owned> = tx
        .fetch_all(sql(
            &format!(
                "SELECT o.customer_id, v.vin, o.from_date, o.to_date, m.model FROM ownership o \
                 JOIN vehicle v ON v.id = o.vehicle_id LEFT JOIN vehicle_model m ON m.id = v.model_id \
                 WHERE o.customer_id IN ({list})"
            ),
            vals(),
        ))
        .await?;
    for (id, vin, from, until, model) in owned {
        let Some(c) = out.get_mut(&id) else { continue };
        if let Some(m) = model
            && !c.vehicle_models.contains(&m)
        {
            c.vehicle_models.push(m);
        }
        if let (Ok(v), Some(from)) = (Vin::parse(&vin), from) {
            c.ownerships.push(Ownership { vin: v.vin, from, until });
        }
    }
    Ok(())
}

/// A contact point as the candidate reads it: customer id, kind, value, verified, city.
type Point = (i64, String, String, bool, Option<String>);

/// The candidate of a customer row, before its contact points and vehicles.
fn from_row(k: Keys) -> Candidate {
    let mut c = Candidate {
        kind: CustomerKind::parse(&k.kind).unwrap_or_default(),
        name: k.name,
        id_number: k.id_number.and_then(|s| IdNumber::parse(&s).ok()),
        uscc: k.uscc.and_then(|s| Uscc::parse(&s).ok()).map(|u| u.code),
        email: k.email.and_then(|e| Email::parse(&e).ok()),
        city: k.city.filter(|s| !s.trim().is_empty()),
        ..Default::default()
    };
    c.mobiles.extend(k.mobile.and_then(|s| Mobile::parse(&s).ok()));
    c.addresses.extend(k.address.filter(|s| !s.trim().is_empty()));
    c
}

/// Adds one contact point (in the order they were written) to a candidate.
fn add_point(c: &mut Candidate, kind: &str, value: &str, verified: bool, city: Option<&str>) {
    match kind {
        "mobile" => {
            if let Ok(m) = Mobile::parse(value)
                && !c.mobiles.contains(&m)
            {
                c.mobiles.push(m);
            }
        }
        "landline" => c.landlines.extend(Landline::parse(value).ok()),
        "email" => {
            let e = Email::parse(value).ok();
            if c.email.is_none() || c.email == e {
                c.email_verified |= verified && e.is_some();
                c.email = c.email.take().or(e);
            }
        }
        "address" => {
            c.addresses.push(value.to_string());
            if c.city.is_none() {
                c.city = city.filter(|s| !s.trim().is_empty()).map(str::to_string);
            }
        }
        _ => {}
    }
}

/// A customer just written by this transaction, with no vehicles yet: what
/// [`candidates`] would read back, built from what was written instead (its row's
/// columns and its contact points in the order they were inserted).
pub(crate) struct Written<'a> {
    pub customer: &'a crate::customers::Customer,
    /// kind, value, verified, city.
    pub points: Vec<(&'a str, &'a str, bool, Option<&'a str>)>,
}

fn written_candidate(w: &Written<'_>) -> Candidate {
    let c = w.customer;
    let mut out = from_row(Keys {
        id: c.id,
        kind: c.kind.as_str().to_string(),
        name: c.name.clone(),
        id_number: c.id_number.clone(),
        uscc: c.uscc.clone(),
        mobile: c.mobile.clone(),
        email: c.email.clone(),
        city: c.city.clone(),
        address: c.address.clone(),
    });
    for &(kind, value, verified, city) in &w.points {
        add_point(&mut out, kind, value, verified, city);
    }
    out
}

/// Other, not merged, customers that share something with `c` worth scoring.
/// `owns`: whether the customer may own vehicles ([`Owns::Nothing`] only for one
/// just written, who has none yet).
async fn lookups(tx: &mut Tx, id: i64, c: &Candidate, owns: Owns) -> Result<BTreeSet<i64>, StoreError> {
    let mut found = BTreeSet::new();
    let mut add = |rows: Vec<(i64,)>| found.extend(rows.into_iter().map(|r| r.0).filter(|o| *o != id));
    let name = c.name.trim().to_string();
    // Name-based evidence also needs the same address or city, so within a city
    // when the record has one: 张伟 is common, 张伟 in one district is not.
    let city = c.city.clone().filter(|c| !c.trim().is_empty());
    // These read the `(name, city)` and `(name_pinyin, city)` indexes alone; the
    // merged-away customers among what they find are left out when the
    // candidates are read.
    // An unnamed prospect's placeholder is no name to look for.
    if !name.is_empty() && !is_unnamed(&name) {
        let same_name = match &city {
            Some(city) => sql(
                "SELECT id FROM customer WHERE name = $1 AND id <> $2 AND (city IS NULL OR city = $3) ORDER BY id DESC LIMIT $4",
                vec![name.clone().into(), id.into(), city.clone().into(), PER_LOOKUP.into()],
            ),
            None => sql(
                "SELECT id FROM customer WHERE name = $1 AND id <> $2 ORDER BY id DESC LIMIT $3",
                vec![name.clone().into(), id.into(), PER_LOOKUP.into()],
            ),
        };
        add(tx.fetch_all(same_name).await?);
        let full = pinyin_full(&name);
        if let (false, false, Some(city)) = (full.is_empty(), c.kind.is_organization(), &city) {
            add(tx
                .fetch_all(sql(
                    "SELECT id FROM customer WHERE name_pinyin = $1 AND city = $2 AND id <> $3 LIMIT $4",
                    vec![full.into(), city.clone().into(), id.into(), PER_LOOKUP.into()],
                ))
                .await?);
        }
    }
    for l in &c.landlines {
        let base = l.without_extension().to_string();
        // The number itself and its extensions (`base-123`) form one index range:
        // `-` sorts just before `.`, digits after. (An `=`-or-range condition made
        // SQLite scan every landline.)
        add(tx
            .fetch_all(sql(
                "SELECT customer_id FROM contact_point WHERE kind = 'landline' \
                 AND value >= $1 AND value < $2 AND customer_id <> $3 LIMIT $4",
                vec![base.clone().into(), format!("{base}.").into(), id.into(), PER_LOOKUP.into()],
            ))
            .await?);
    }
    for a in &c.addresses {
        add(tx
            .fetch_all(sql(
                "SELECT customer_id FROM contact_point WHERE kind = 'address' AND value = $1 AND customer_id <> $2 LIMIT $3",
                vec![a.clone().into(), id.into(), PER_LOOKUP.into()],
            ))
            .await?);
    }
    if let Some(e) = &c.email {
        add(tx
            .fetch_all(sql(
                "SELECT customer_id FROM contact_point WHERE kind = 'email' AND value = $1 AND customer_id <> $2 LIMIT $3",
                vec![e.as_str().into(), id.into(), PER_LOOKUP.into()],
            ))
            .await?);
    }
    // Earlier owners of the same vehicles: none to look for without a vehicle.
    if owns == Owns::Maybe {
        add(tx
            .fetch_all(sql(
                "SELECT o2.customer_id FROM ownership o1 JOIN ownership o2 ON o2.vehicle_id = o1.vehicle_id \
                 WHERE o1.customer_id = $1 AND o2.customer_id <> $1 LIMIT $2",
                vec![id.into(), PER_LOOKUP.into()],
            ))
            .await?);
    }
    Ok(found)
}

/// Scores `customer_id` against the plausible candidates and queues every pair
/// reaching the review threshold; returns the ids of the pairs newly queued. A
/// pair already queued keeps its decision (a dismissed pair stays dismissed); an
/// open one gets the new score and reasons.
pub(crate) async fn detect_ids(tx: &mut Tx, customer_id: i64) -> Result<Vec<i64>, StoreError> {
    let me = candidates(tx, &[customer_id]).await?;
    let Some(mine) = me.get(&customer_id) else {
        return Ok(vec![]);
    };
    compare(tx, customer_id, mine, Owns::Maybe).await
}

/// Whether a customer whose pairs are looked for may own vehicles.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owns {
    Maybe,
    Nothing,
}

/// The pairs of `customer_id` (whose candidate is `mine`) worth a look, queued.
async fn compare(tx: &mut Tx, customer_id: i64, mine: &Candidate, owns: Owns) -> Result<Vec<i64>, StoreError> {
    let others: Vec<i64> = lookups(tx, customer_id, mine, owns).await?.into_iter().collect();
    let theirs = candidates(tx, &others).await?;
    queue(tx, customer_id, mine, &others, &theirs).await
}

/// Queues the pairs of `customer_id` with those of `others` (read in `theirs`)
/// whose evidence needs a look; returns the ids of the pairs newly queued.
async fn queue(
    tx: &mut Tx,
    customer_id: i64,
    mine: &Candidate,
    others: &[i64],
    theirs: &HashMap<i64, Candidate>,
) -> Result<Vec<i64>, StoreError> {
    let mut created = Vec::new();
    for &other in others {
        let Some(c) = theirs.get(&other) else { continue };
        let Some(ev) = weak_evidence(mine, c).filter(|e| e.needs_review()) else { continue };
        let (a, b) = if customer_id < other { (customer_id, other) } else { (other, customer_id) };
        let reasons = ev.reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",");
        let existing: Option<(i64, String)> = tx
            .fetch_optional(sql(
                "SELECT id, status FROM identity_review WHERE customer_a = $1 AND customer_b = $2",
                vec![a.into(), b.into()],
            ))
            .await?;
        match existing {
            Some((id, status)) if status == "open" => {
                tx.execute(sql(
                    "UPDATE identity_review SET score = $1, reasons = $2 WHERE id = $3",
                    vec![i64::from(ev.score).into(), reasons.into(), id.into()],
                ))
                .await?;
            }
            Some(_) => {}
            // Another transaction may be queueing the same pair (each saved one of
            // the two): the first stands, the other waits for it and adds nothing.
            None => {
                let ids: Vec<(i64,)> = tx
                    .fetch_all(sql(
                        "INSERT INTO identity_review (customer_a, customer_b, score, reasons, status, created_at) \
                         VALUES ($1, $2, $3, $4, 'open', $5) ON CONFLICT (customer_a, customer_b) DO NOTHING RETURNING id",
                        vec![a.into(), b.into(), i64::from(ev.score).into(), reasons.into(), now().into()],
                    ))
                    .await?;
                created.extend(ids.into_iter().map(|(id,)| id));
            }
        }
    }
    Ok(created)
}

/// Queues the weak-evidence pairs of a customer just created or changed, inside
/// the transaction that wrote it; returns how many new pairs were queued.
pub async fn detect(tx: &mut Tx, _actor: &Actor, customer_id: i64) -> Result<u64, StoreError> {
    Ok(detect_ids(tx, customer_id).await?.len() as u64)
}

/// [`detect`] for a customer this transaction has just written (see [`Written`]):
/// the same pairs, without reading the new record back.
pub(crate) async fn detect_written(tx: &mut Tx, written: &Written<'_>) -> Result<u64, StoreError> {
    let mine = written_candidate(written);
    // Debug builds (every test) check it against what reading it back gives.
    if cfg!(debug_assertions) {
        let id = written.customer.id;
        let read = candidates(tx, &[id]).await?.remove(&id);
        assert_eq!(read.as_ref(), Some(&mine), "the candidate of a new customer, built from what was written, differs from the stored one");
    }
    Ok(compare(tx, written.customer.id, &mine, Owns::Nothing).await?.len() as u64)
}

/// [`detect`] for many customers (after an import's commit), in transactions of a
/// few hundred so other writers are not held up for the whole file. Each
/// transaction reads the candidates of its customers, and of everybody they are
/// compared with, once: the customers of one file share names, cities and
/// addresses, so the same others come up again and again.
pub async fn detect_many(db: &Db, ids: &[i64]) -> Result<u64, StoreError> {
    let mut queued = 0;
    for chunk in ids.chunks(IN_CHUNK) {
        let mut tx = db.begin().await?;
        let mut known = candidates(&mut tx, chunk).await?;
        let mut compared = Vec::with_capacity(chunk.len());
        for id in chunk {
            if let Some(mine) = known.get(id) {
                let others: Vec<i64> = lookups(&mut tx, *id, mine, Owns::Maybe).await?.into_iter().collect();
                compared.push((*id, others));
            }
        }
        let unread: BTreeSet<i64> = compared.iter().flat_map(|(_, o)| o.iter().copied()).filter(|o| !known.contains_key(o)).collect();
        known.extend(candidates(&mut tx, &unread.into_iter().collect::<Vec<_>>()).await?);
        for (id, others) in &compared {
            if let Some(mine) = known.get(id) {
                queued += queue(&mut tx, *id, mine, others, &known).await?.len() as u64;
            }
        }
        tx.commit().await?;
    }
    Ok(queued)
}
