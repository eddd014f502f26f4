//! Screen-pop: everything a hotline agent needs about a caller, from the number
//! the call came from. The hottest path of the product: the caller's customers in
//! scope and their vehicles, open items, latest contacts and consents come back as
//! tagged rows of one shape.
//!
//! Everything after a customer's profile (vehicles, open items, latest contacts,
//! consents) usually comes from the customer's card (migration 10, [`super::cards`]):
//! one row read with the profile. A customer without a card is answered from the
//! tables, and the card is asked for.

use std::collections::HashMap;
use std::sync::{OnceLock, PoisonError, RwLock};

use autocrm_domain::access::Scope;
use autocrm_domain::customers::{IdNumber, Phone, PhoneKind};
use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, JoinType, Value};
use serde::{Deserialize, Serialize};

use super::cards::Cards;
use super::{MOBILE_OF_CUSTOMER, customers_in, mask_phone};
use crate::db::{Engine, FromRow, Rendered, Row, Stmt};
use crate::{Db, StoreError};

/// Callers sharing a number (a family landline, a fleet's switchboard): at most this many.
const MAX_CUSTOMERS: u64 = 5;
/// The last contacts shown per customer.
const LAST_CONTACTS: usize = 5;
/// Open items shown at most (over all the caller's customers).
const OPEN_ITEMS: usize = 50;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScreenPop {
    /// The caller's number, masked.
    pub phone_masked: String,
    /// `mobile` or `landline`.
    pub phone_kind: String,
    /// The customers on file with that number (usually one), oldest record first.
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
    /// Open commitments (later: open cases and leads), soonest due first, undated last.
    pub open_items: Vec<PopEvent>,
    /// The latest timeline entries, newest first.
    pub last_contacts: Vec<PopEvent>,
    /// The consent in force per channel and purpose.
    pub consents: Vec<PopConsent>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PopVehicle {
    pub vehicle_id: i64,
    pub model: Option<String>,
    pub plate: Option<String>,
    /// The last 8 characters of the VIN.
    pub vin_tail: String,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PopEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub title: String,
    pub actor_name: String,
    pub due_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PopConsent {
    pub channel: String,
    pub purpose: String,
    pub granted: bool,
    pub at: DateTime<Utc>,
}

/// The parts of the answer, tagged in the first column of every row.
const PART_CUSTOMER: i64 = 0;
const PART_VEHICLE: i64 = 1;
const PART_OPEN: i64 = 2;
const PART_LAST: i64 = 3;
const PART_CONSENT: i64 = 4;

/// The caller's customers in `scope` (not merged away, with a contact point of that
/// number), in no particular order (an `ORDER BY` costs SQLite a temporary B-tree)
/// and not made distinct (a customer holds a number once; a `DISTINCT` cost
/// PostgreSQL a sort of every column, and [`screen_pop`] drops repeated rows), as
/// rows of the one row shape of the answer:
/// `part, customer_id, id, seq, t1…t9 (text), at, day, flag, card` — here t1
/// customer number, t2 name, t3 kind, t4 gender, t5 mobile, t6 ID number, t7
/// province, t8 city, t9 tags, and the customer's card (`body`, NULL without one).
/// The NULLs are cast so PostgreSQL can type the union's columns.
///
/// The mobile shown is the primary one, else (a mobile calling) the number itself;
/// a landline caller's first mobile takes a subquery.
///
/// The text depends on the engine, the scope, the kind of number and `limit` only,
/// and the number is its last parameter: it is built once per combination and kept
/// (building and rendering it took 2 µs of a screen-pop's 35).
fn customers(engine: Engine, scope: &Scope, phone: &Phone, limit: u64) -> Rendered {
    type Key = (Engine, Scope, PhoneKind, u64);
    static RENDERED: OnceLock<RwLock<HashMap<Key, (String, Vec<Value>)>>> = OnceLock::new();
    let cache = RENDERED.get_or_init(RwLock::default);
    let key = (engine, *scope, phone.kind(), limit);
    let number = Value::from(phone.as_str());
    if let Some((text, values)) = cache.read().unwrap_or_else(PoisonError::into_inner).get(&key) {
        let mut values = values.clone();
        if let Some(last) = values.last_mut() {
            *last = number;
        }
        return Rendered { text: text.clone(), values };
    }
    let mut q = customers_in(scope);
    q.expr(Expr::cust("CAST(0 AS BIGINT)"))
        .column(("customer", "id"))
        .expr(Expr::cust("CAST(NULL AS BIGINT)"))
        .expr(Expr::cust("CAST(NULL AS BIGINT)"))
        .columns([("customer", "customer_no"), ("customer", "name"), ("customer", "kind"), ("customer", "gender")])
        .expr(Expr::cust(match phone.kind() {
            PhoneKind::Mobile => "COALESCE(customer.mobile, contact_point.value)",
            PhoneKind::Landline => MOBILE_OF_CUSTOMER,
        }))
        .columns([("customer", "id_number"), ("customer", "province"), ("customer", "city"), ("customer", "tags")])
        .expr(Expr::cust("CAST(NULL AS TIMESTAMPTZ)"))
        .expr(Expr::cust("CAST(NULL AS DATE)"))
        .expr(Expr::cust("CAST(NULL AS BOOLEAN)"))
        .column(("screen_pop_card", "body"))
        .join(JoinType::InnerJoin, "contact_point", Expr::col(("contact_point", "customer_id")).equals(("customer", "id")))
        .join(JoinType::LeftJoin, "screen_pop_card", Expr::col(("screen_pop_card", "id")).equals(("customer", "id")))
        .and_where(Expr::col(("contact_point", "kind")).eq(phone.kind().as_str()))
        .and_where(Expr::col(("contact_point", "value")).eq(phone.as_str()));
    // The limit is written out, so the number stays the last parameter.
    let (text, values) = q.render(engine);
    let text = format!("{text} LIMIT {limit}");
    // Kept only while the number is the last parameter (a later change to the scope
    // filter that broke this would cost the 2 µs again, not answer another number).
    if values.last() == Some(&number) {
        let mut cache = cache.write().unwrap_or_else(PoisonError::into_inner);
        if cache.len() > 10_000 {
            cache.clear();
        }
        cache.insert(key, (text.clone(), values.clone()));
    }
    Rendered { text, values }
}

/// Everything after the profile, for the customers of `c` (PostgreSQL: the
/// relation of their ids that [`parts_of`] defines) or for the one customer `?1`
/// (SQLite), in the row shape of [`customers`]:
///
/// - vehicles: id = vehicle, seq = ownership (their order), t1 vin, t2 plate,
///   t3 status, t4 brand, t5 model;
/// - open commitments (soonest due first, at most 50 per customer) and the newest
///   entries (5 per customer), each read in the order of its index (migration 9:
///   no sort; `LATERAL` per customer on PostgreSQL): id, t1 kind, t2 title, t3
///   actor, at, day = due date;
/// - consents: seq = consent id, t1 channel, t2 purpose, at, flag = granted.
///
/// `c CROSS JOIN t` makes `c` the outer loop of the join. Every part's tag is a
/// `BIGINT`, as the profile's is: a column whose type differs between the parts
/// of a `UNION ALL` makes PostgreSQL convert it in a projection above each part.
/// Without those four projections the statement answered 8–14 % more calls a
/// second under `pgbench`.
fn parts(engine: Engine) -> String {
    const EVENT: &str = "e.customer_id, e.id, CAST(NULL AS BIGINT), e.kind, e.title, e.actor_name, \
        NULL, NULL, NULL, NULL, NULL, NULL, e.at, e.due_date, CAST(NULL AS BOOLEAN), NULL";
    let (from, id) = match engine {
        Engine::Postgres => ("c CROSS JOIN ", "c.id"),
        Engine::Sqlite => ("", "?1"),
    };
    let (per_customer, soonest_first) = match engine {
        // The open commitments of each customer in the order of their index
        // (ascending puts the undated last): no sort, as for the newest entries.
        Engine::Postgres => ("c CROSS JOIN LATERAL", "x.due_date, x.at, x.id"),
        Engine::Sqlite => ("", "x.due_date IS NULL, x.due_date, x.at, x.id"),
    };
    let entries = format!(
        "SELECT x.id, x.customer_id, x.kind, x.title, x.actor_name, x.at, x.due_date FROM timeline_event x WHERE x.customer_id = {id}"
    );
    format!(
        "SELECT CAST(1 AS BIGINT), o.customer_id, v.id, o.id, v.vin, v.plate, v.status, m.brand, m.model, \
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL \
           FROM {from}ownership o JOIN vehicle v ON v.id = o.vehicle_id \
           LEFT JOIN vehicle_model m ON m.id = v.model_id WHERE o.customer_id = {id} AND o.to_date IS NULL \
         UNION ALL SELECT CAST(2 AS BIGINT), {EVENT} FROM {per_customer} ({entries} \
           AND x.kind = 'commitment' AND x.done_at IS NULL ORDER BY {soonest_first} LIMIT {OPEN_ITEMS}) AS e \
         UNION ALL SELECT CAST(3 AS BIGINT), {EVENT} FROM {per_customer} ({entries} \
           ORDER BY x.at DESC, x.id DESC LIMIT {LAST_CONTACTS}) AS e \
         UNION ALL SELECT CAST(4 AS BIGINT), k.customer_id, CAST(NULL AS BIGINT), k.id, k.channel, k.purpose, \
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, k.at, NULL, k.granted, NULL FROM {from}consent k WHERE k.customer_id = {id}"
    )
}

/// Customers a statement of [`parts_of`] reads on PostgreSQL (fewer are repeated).
pub(super) const PARTS_BATCH: usize = 64;

/// The statements that read the parts of the customers `ids` from the tables: on
/// PostgreSQL one per [`PARTS_BATCH`] customers (the last batch padded with its
/// last id, so every statement has the same text and is prepared once), on SQLite
/// one per customer.
pub(super) fn parts_of(engine: Engine, ids: &[i64]) -> Vec<Rendered> {
    static PG: OnceLock<String> = OnceLock::new();
    static SQLITE: OnceLock<String> = OnceLock::new();
    match engine {
        Engine::Postgres => {
            let text = PG.get_or_init(|| {
                let list = (1..=PARTS_BATCH).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
                format!("WITH c AS (SELECT id FROM customer WHERE id IN ({list})) {}", parts(Engine::Postgres))
            });
            ids.chunks(PARTS_BATCH)
                .map(|chunk| {
                    let last = chunk[chunk.len() - 1];
                    let values = (0..PARTS_BATCH).map(|i| Value::from(chunk.get(i).copied().unwrap_or(last))).collect();
                    Rendered { text: text.clone(), values }
                })
                .collect()
        }
        Engine::Sqlite => {
            let text = SQLITE.get_or_init(|| parts(Engine::Sqlite));
            ids.iter().map(|id| Rendered { text: text.clone(), values: vec![(*id).into()] }).collect()
        }
    }
}

/// The rows of the answer: the profile and card of each of the caller's customers
/// (at most 5, each once, by id), then the parts of those without a card (usually
/// none). On SQLite in one read
/// transaction; on PostgreSQL each statement on its own (a card is true whenever
/// it is there, so the two need no common snapshot). The parts in the same
/// statement as the profiles (a `UNION ALL` over a CTE, one round trip even
/// without a card) cost PostgreSQL their executor set-up on every call: 0.66–0.69×
/// the bare lookup against 0.77–0.81× without (2026-12-07).
async fn rows(db: &Db, scope: &Scope, phone: &Phone) -> Result<Vec<PartRow>, StoreError> {
    // A customer with the number twice appears twice: ask for more, keep 5.
    let customers = customers(db.engine(), scope, phone, MAX_CUSTOMERS * 2);
    // Each customer once, their card decoded; the ids of those without a card (or
    // with one this build cannot read) to read from the tables.
    let trim = |rows: &mut Vec<PartRow>| {
        rows.sort_by_key(|r| r.customer_id);
        rows.dedup_by_key(|r| r.customer_id);
        rows.truncate(MAX_CUSTOMERS as usize);
        for r in rows.iter_mut() {
            r.parts = r.card.take().and_then(|body| {
                serde_json::from_str::<Parts>(&body)
                    .map_err(|e| tracing::warn!(customer = r.customer_id, error = %e, "unreadable screen-pop card; rebuilding it"))
                    .ok()
            });
        }
        rows.iter().filter(|r| r.parts.is_none()).map(|r| r.customer_id).collect::<Vec<i64>>()
    };
    match db.engine() {
        Engine::Postgres => {
            let mut rows: Vec<PartRow> = db.fetch_all(customers).await?;
            let uncarded = trim(&mut rows);
            for stmt in parts_of(Engine::Postgres, &uncarded) {
                rows.extend(db.fetch_all::<PartRow>(stmt).await?);
            }
            Ok(rows)
        }
        Engine::Sqlite => {
            let mut snap = db.snapshot().await?;
            let mut rows: Vec<PartRow> = snap.fetch_all(customers).await?;
            let uncarded = trim(&mut rows);
            for stmt in parts_of(Engine::Sqlite, &uncarded) {
                rows.extend(snap.fetch_all::<PartRow>(stmt).await?);
            }
            Ok(rows)
        }
    }
}

/// One row of the answer (see [`customers`] and [`parts`]).
pub(super) struct PartRow {
    part: i64,
    customer_id: i64,
    id: Option<i64>,
    seq: Option<i64>,
    t: [Option<String>; 9],
    at: Option<DateTime<Utc>>,
    day: Option<NaiveDate>,
    flag: Option<bool>,
    /// The customer's card (profile rows only), then what it holds (see [`rows`]).
    card: Option<String>,
    parts: Option<Parts>,
}

impl FromRow for PartRow {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let mut t: [Option<String>; 9] = Default::default();
        for (i, v) in t.iter_mut().enumerate() {
            *v = r.get(4 + i)?;
        }
        Ok(PartRow {
            part: r.get(0)?,
            customer_id: r.get(1)?,
            id: r.get(2)?,
            seq: r.get(3)?,
            t,
            at: r.get(13)?,
            day: r.get(14)?,
            flag: r.get(15)?,
            card: r.get(16)?,
            parts: None,
        })
    }
}

impl PartRow {
    /// Text column `n` (1-based, as in the row shape), which the part never leaves NULL.
    fn text(&mut self, n: usize) -> Result<String, StoreError> {
        self.t[n - 1].take().ok_or_else(|| StoreError::Decode(format!("screen-pop part {}: t{n} is NULL", self.part)))
    }

    fn id(&self) -> Result<i64, StoreError> {
        self.id.ok_or_else(|| StoreError::Decode(format!("screen-pop part {}: id is NULL", self.part)))
    }

    fn at(&self) -> Result<DateTime<Utc>, StoreError> {
        self.at.ok_or_else(|| StoreError::Decode(format!("screen-pop part {}: at is NULL", self.part)))
    }

    fn customer(mut self) -> Result<PopCustomer, StoreError> {
        let id_number = self.t[5].take();
        Ok(PopCustomer {
            customer_id: self.customer_id,
            customer_no: self.text(1)?,
            name: self.text(2)?,
            kind: self.text(3)?,
            gender: self.t[3].take(),
            mobile_masked: self.t[4].take().as_deref().map(mask_phone),
            id_number_masked: id_number.map(|n| match IdNumber::parse(&n) {
                Ok(id) => id.masked(),
                Err(_) => "******************".chars().take(n.chars().count()).collect(),
            }),
            province: self.t[6].take(),
            city: self.t[7].take(),
            tags: self.t[8].take(),
            vehicles: Vec::new(),
            open_items: Vec::new(),
            last_contacts: Vec::new(),
            consents: Vec::new(),
        })
    }

    fn vehicle(mut self) -> Result<PopVehicle, StoreError> {
        let vin = self.text(1)?;
        let (brand, model) = (self.t[3].take(), self.t[4].take());
        Ok(PopVehicle {
            vehicle_id: self.id()?,
            vin_tail: vin.chars().skip(vin.chars().count().saturating_sub(8)).collect(),
            plate: self.t[1].take(),
            status: self.text(3)?,
            model: match (brand, model) {
                (Some(b), Some(m)) => Some(format!("{b} {m}")),
                (b, m) => b.or(m),
            },
        })
    }

    fn event(mut self) -> Result<PopEvent, StoreError> {
        Ok(PopEvent {
            id: self.id()?,
            at: self.at()?,
            kind: self.text(1)?,
            title: self.text(2)?,
            actor_name: self.text(3)?,
            due_date: self.day,
        })
    }

    fn consent(mut self) -> Result<PopConsent, StoreError> {
        Ok(PopConsent {
            channel: self.text(1)?,
            purpose: self.text(2)?,
            granted: self.flag.ok_or_else(|| StoreError::Decode("screen-pop consent: granted is NULL".into()))?,
            at: self.at()?,
        })
    }
}

/// What a card holds: one customer's answer after the profile, each part in its
/// order (vehicles by ownership, open items soonest due first, the latest contacts
/// newest first, the consent in force per channel and purpose).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Parts {
    vehicles: Vec<PopVehicle>,
    open_items: Vec<PopEvent>,
    last_contacts: Vec<PopEvent>,
    consents: Vec<PopConsent>,
}

impl PopCustomer {
    fn set_parts(&mut self, parts: Parts) {
        self.vehicles = parts.vehicles;
        self.open_items = parts.open_items;
        self.last_contacts = parts.last_contacts;
        self.consents = parts.consents;
    }
}

/// The order of open items: soonest due first, undated last.
fn soonest(e: &PopEvent) -> (bool, Option<NaiveDate>, DateTime<Utc>, i64) {
    (e.due_date.is_none(), e.due_date, e.at, e.id)
}

/// The parts rows of some customers (no profile rows), as each customer's parts.
/// Rows come in no guaranteed order and a customer's may be repeated (on file
/// twice with the number): each part is put in its order here, each row kept once.
pub(super) fn group(rows: Vec<PartRow>) -> Result<HashMap<i64, Parts>, StoreError> {
    let mut vehicles: Vec<(i64, i64, PopVehicle)> = Vec::new();
    let mut open: Vec<(i64, PopEvent)> = Vec::new();
    let mut last: Vec<(i64, PopEvent)> = Vec::new();
    let mut consents: Vec<(i64, i64, PopConsent)> = Vec::new();
    for row in rows {
        let c = row.customer_id;
        match row.part {
            PART_VEHICLE => vehicles.push((c, row.seq.unwrap_or(0), row.vehicle()?)),
            PART_OPEN => open.push((c, row.event()?)),
            PART_LAST => last.push((c, row.event()?)),
            PART_CONSENT => consents.push((c, row.seq.unwrap_or(0), row.consent()?)),
            other => return Err(StoreError::Decode(format!("screen-pop: unexpected part {other}"))),
        }
    }
    vehicles.sort_by_key(|(c, seq, _)| (*c, *seq));
    vehicles.dedup_by_key(|(c, seq, _)| (*c, *seq));
    open.sort_by(|(ca, a), (cb, b)| (ca, soonest(a)).cmp(&(cb, soonest(b))));
    open.dedup_by_key(|(c, e)| (*c, e.id));
    last.sort_by(|(ca, a), (cb, b)| (ca, b.at, b.id).cmp(&(cb, a.at, a.id)));
    last.dedup_by_key(|(c, e)| (*c, e.id));
    // The latest consent per channel and purpose is in force.
    consents.sort_by(|(ca, ia, a), (cb, ib, b)| {
        (ca, &a.channel, &a.purpose).cmp(&(cb, &b.channel, &b.purpose)).then((b.at, ib).cmp(&(a.at, ia)))
    });
    consents.dedup_by(|(cb, _, b), (ca, _, a)| ca == cb && a.channel == b.channel && a.purpose == b.purpose);

    let mut by_customer: HashMap<i64, Parts> = HashMap::new();
    for (c, _, v) in vehicles {
        by_customer.entry(c).or_default().vehicles.push(v);
    }
    for (c, e) in open {
        let parts = by_customer.entry(c).or_default();
        if parts.open_items.len() < OPEN_ITEMS {
            parts.open_items.push(e);
        }
    }
    for (c, e) in last {
        let parts = by_customer.entry(c).or_default();
        if parts.last_contacts.len() < LAST_CONTACTS {
            parts.last_contacts.push(e);
        }
    }
    for (c, _, k) in consents {
        by_customer.entry(c).or_default().consents.push(k);
    }
    Ok(by_customer)
}

/// The caller's customers within `scope` and what the agent needs about each;
/// `None` when no customer in scope has that number. Identifiers are always
/// masked here: revealing one is the audited action of the 360 page. A customer
/// without a card (or with one this build cannot read) is answered from the
/// tables, and `cards` is asked to build theirs.
pub async fn screen_pop(db: &Db, cards: &Cards, scope: &Scope, phone: &Phone) -> Result<Option<ScreenPop>, StoreError> {
    let (profiles, part_rows): (Vec<PartRow>, Vec<PartRow>) =
        rows(db, scope, phone).await?.into_iter().partition(|r| r.part == PART_CUSTOMER);
    if profiles.is_empty() {
        return Ok(None);
    }
    let mut from_tables = group(part_rows)?;
    let mut customers = Vec::with_capacity(profiles.len());
    for mut row in profiles {
        let card = row.parts.take();
        let mut customer = row.customer()?;
        customer.set_parts(card.unwrap_or_else(|| {
            cards.request(customer.customer_id);
            from_tables.remove(&customer.customer_id).unwrap_or_default()
        }));
        customers.push(customer);
    }
    // At most 50 open items over all the caller's customers, the soonest due.
    let mut open: Vec<(usize, PopEvent)> = Vec::new();
    for (i, c) in customers.iter_mut().enumerate() {
        open.extend(std::mem::take(&mut c.open_items).into_iter().map(|e| (i, e)));
    }
    open.sort_by(|(_, a), (_, b)| soonest(a).cmp(&soonest(b)));
    open.truncate(OPEN_ITEMS);
    for (i, e) in open {
        customers[i].open_items.push(e);
    }
    Ok(Some(ScreenPop { phone_masked: phone.masked(), phone_kind: phone.kind().as_str().to_string(), customers }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(s: &str) -> Phone {
        Phone::parse(s).expect("a valid number")
    }

    #[test]
    fn the_kept_customer_statement_takes_each_call_s_number_and_scope() {
        for engine in [Engine::Sqlite, Engine::Postgres] {
            let a = customers(engine, &Scope::Dealer { dealer_id: 7 }, &phone("13812345678"), 10);
            let b = customers(engine, &Scope::Dealer { dealer_id: 7 }, &phone("13987654321"), 10);
            assert_eq!(a.text, b.text, "the same shape is rendered once");
            assert_eq!(a.values.last(), Some(&Value::from("13812345678")));
            assert_eq!(b.values.last(), Some(&Value::from("13987654321")));
            assert!(b.values.contains(&Value::from(7i64)), "the dealer is bound: {:?}", b.values);

            let other = customers(engine, &Scope::Dealer { dealer_id: 8 }, &phone("13987654321"), 10);
            assert!(other.values.contains(&Value::from(8i64)) && !other.values.contains(&Value::from(7i64)));
            let oem = customers(engine, &Scope::Oem, &phone("13987654321"), 10);
            assert_ne!(oem.text, b.text, "another scope is another statement");
            let landline = customers(engine, &Scope::Oem, &phone("021-58881234"), 10);
            assert!(landline.values.contains(&Value::from("landline")), "{:?}", landline.values);
            assert!(oem.text.ends_with(" LIMIT 10") && customers(engine, &Scope::Oem, &phone("13987654321"), 5).text.ends_with(" LIMIT 5"));
        }
    }
}
