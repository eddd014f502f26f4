//! The dry run and the commit are one pass over the valid rows, batch by batch:
//! look up the batch's strong keys and VINs on file with `IN (…)`, resolve each
//! row (new customer, link to one on file, or a problem), and — when committing —
//! write the batch in one transaction. Running the same
//! code for both is what makes the preview a promise of what the commit does.
//!
//! The rows go in with [`Tx::bulk_insert`], inside the batch's transaction: a
//! batch's customers, contact points, links, vehicles and ownerships commit
//! together, and a failure half-way cannot leave customers without their contact
//! points — which a re-run could no longer match. (`Db::bulk_insert` would run in
//! a transaction of its own.) Ids are reserved up front (the SQLite writer is
//! held; PostgreSQL's sequence hands out a block).
//!
//! That transaction is [`Db::begin_bulk`]: on SQLite it is not grouped with
//! other writers' and checks no foreign keys. Every row a batch refers to is one
//! it writes before the reference (new customers and vehicles), or one it read in
//! the same transaction (customers and vehicles on file), or the job's dealer, the
//! actor, a catalog model: tables nothing deletes from. Against 1M customers
//! this took a 100,000-row commit from 11.0–11.9 s to 7.7–8.6 s (grouped and
//! checked, against alone and unchecked, in alternating runs).

use std::collections::{HashMap, HashSet};

use sea_query::Value;
use serde::{Deserialize, Serialize};

use super::Problem;
use super::validate::RowData;
use crate::auth::Actor;
use crate::db::{FromRow, Row, sql};
use crate::{Db, Engine, StoreError, Tx, now};

/// Rows per transaction when committing. Large on SQLite: every batch rewrites
/// the index pages it touches (search keys, contact points, VINs are random keys
/// in B-trees of millions of entries: a batch of 50,000 rows wrote 240 MiB of
/// WAL, nearly every leaf of those indexes), so few large batches write far less
/// than many small ones. Against 1M customers, 100,000 rows committed at 1,900
/// rows/s in batches of 2,000, 17,800 in batches of 25,000, 20,400 in batches of
/// 50,000 and 24,000 in one batch (an earlier machine); on this session's, in
/// alternating runs, 5.7–6.6 s in batches of 100,000 against 6.6–7.1 s in batches
/// of 50,000. The price: other writers wait while a batch holds the writer (about
/// five seconds for 100,000 rows), and the progress moves once a batch.
pub fn batch_size(engine: Engine) -> usize {
    match engine {
        Engine::Sqlite => 100_000,
        Engine::Postgres => 5_000,
    }
}
/// Values per IN list.
const IN_CHUNK: usize = 500;

pub const DUPLICATE_ROW: &str = "duplicates an earlier row of this file";
pub const VIN_REPEATED: &str = "repeats a VIN of an earlier row of this file";
pub const VIN_OTHER_OWNER: &str = "is on file as the vehicle of another customer";
pub const KEYS_DISAGREE: &str = "belongs to a different customer on file than the other identifiers of this row";
pub const UNKNOWN_MODEL: &str = "is not a model code or name of the catalog";

pub const MESSAGES: &[&str] = &[DUPLICATE_ROW, VIN_REPEATED, VIN_OTHER_OWNER, KEYS_DISAGREE, UNKNOWN_MODEL];

/// What happens (dry run) or happened (commit) to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Dry run: a new customer will be created.
    New,
    /// Dry run: the row will be linked to a customer on file (or to one an
    /// earlier row of the file creates).
    Link,
    Invalid,
    Created,
    Linked,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowOutcome {
    pub row: usize,
    pub outcome: Outcome,
    /// The customer on file the row links to (or was created as).
    pub customer_no: Option<String>,
    pub name: String,
    /// Masked.
    pub mobile: Option<String>,
    pub vin: Option<String>,
    /// For rows linking to a customer an earlier row creates: that row.
    pub same_as_row: Option<usize>,
}

/// Whom a row belongs to.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    OnFile { id: i64, no: String },
    /// The customer an earlier row of the file creates (its row number).
    EarlierRow(usize),
    New,
}

/// State carried across batches: the keys and VINs already seen in the file, and
/// (when committing) the ids of customers the file created.
#[derive(Default)]
pub struct Pass {
    keys: HashMap<String, usize>,
    vins: HashMap<String, usize>,
    created: HashMap<usize, (i64, String)>,
    /// Customers that got the job's dealer link in this run.
    linked_here: HashSet<i64>,
    pub outcomes: Vec<RowOutcome>,
    pub problems: Vec<Problem>,
    pub new: u64,
    pub link: u64,
    models: Option<HashMap<String, i64>>,
    /// Field name → the header the user sees, for problems found here.
    headers: HashMap<&'static str, String>,
}

/// What the commit writes to besides the rows themselves.
pub struct Writing<'a> {
    pub actor: &'a Actor,
    pub job_id: i64,
    pub dealer_id: Option<i64>,
    pub filename: &'a str,
}

fn keys_of(r: &RowData) -> Vec<(String, &'static str)> {
    let mut k = Vec::new();
    if let Some(m) = &r.mobile {
        k.push((format!("m:{}", m.as_str()), "mobile"));
    }
    if let Some(i) = &r.id_number {
        k.push((format!("i:{}", i.as_str()), "id_number"));
    }
    if let Some(u) = &r.uscc {
        k.push((format!("u:{}", u.as_str()), "uscc"));
    }
    if let Some(e) = &r.email {
        k.push((format!("e:{}", e.as_str()), "email"));
    }
    k
}

/// Where lookups read: the database (dry run) or the commit's transaction.
enum Src<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl Src<'_> {
    async fn all<T: FromRow>(&mut self, text: &str, values: Vec<Value>) -> Result<Vec<T>, StoreError> {
        match self {
            Src::Db(db) => db.fetch_all(sql(text, values)).await,
            Src::Tx(tx) => tx.fetch_all(sql(text, values)).await,
        }
    }
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
}

/// `value → (customer id, customer no)` for one kind of key.
async fn lookup_customers(src: &mut Src<'_>, query: &str, values: &[String]) -> Result<HashMap<String, (i64, String)>, StoreError> {
    let mut out = HashMap::new();
    for chunk in values.chunks(IN_CHUNK) {
        let q = query.replace("{IN}", &placeholders(1, chunk.len()));
        let rows: Vec<(String, i64, String)> = src.all(&q, chunk.iter().map(|v| v.clone().into()).collect()).await?;
        for (v, id, no) in rows {
            out.entry(v).or_insert((id, no));
        }
    }
    Ok(out)
}

struct OnFileVehicle {
    id: i64,
    owner: Option<(i64, String)>,
}

impl FromRow for (String, OnFileVehicle) {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let owner_id: Option<i64> = r.get(2)?;
        let owner_no: Option<String> = r.get(3)?;
        Ok((r.get(0)?, OnFileVehicle { id: r.get(1)?, owner: owner_id.zip(owner_no) }))
    }
}

async fn lookup_vehicles(src: &mut Src<'_>, vins: &[String]) -> Result<HashMap<String, OnFileVehicle>, StoreError> {
    let mut out = HashMap::new();
    for chunk in vins.chunks(IN_CHUNK) {
        let q = format!(
            "SELECT v.vin, v.id, o.customer_id, c.customer_no FROM vehicle v \
             LEFT JOIN ownership o ON o.vehicle_id = v.id AND o.to_date IS NULL \
             LEFT JOIN customer c ON c.id = o.customer_id WHERE v.vin IN ({})",
            placeholders(1, chunk.len())
        );
        let rows: Vec<(String, OnFileVehicle)> = src.all(&q, chunk.iter().map(|v| v.clone().into()).collect()).await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Catalog models by code, model name and "series model", lower-cased.
async fn load_models(src: &mut Src<'_>) -> Result<HashMap<String, i64>, StoreError> {
    let rows: Vec<(i64, String, String, String)> = src.all("SELECT id, code, series, model FROM vehicle_model", vec![]).await?;
    let mut m = HashMap::new();
    for (id, code, series, model) in rows {
        m.insert(code.to_lowercase(), id);
        m.entry(model.to_lowercase()).or_insert(id);
        m.entry(format!("{} {}", series, model).to_lowercase()).or_insert(id);
    }
    Ok(m)
}

impl Pass {
    pub fn new(mapping: &[super::fields::Column]) -> Pass {
        let headers = mapping.iter().filter_map(|c| c.field.map(|f| (f.as_str(), c.header.clone()))).collect();
        Pass { headers, ..Pass::default() }
    }

    fn header(&self, field: &str) -> String {
        self.headers.get(field).cloned().unwrap_or_else(|| field.to_string())
    }

    /// Resolves (and, with `write`, commits) one batch of valid rows; `last`: the
    /// file's last batch.
    pub async fn batch(&mut self, db: &Db, rows: &[RowData], write: Option<&Writing<'_>>, last: bool) -> Result<(), StoreError> {
        match write {
            None => self.resolve_and_write(Src::Db(db), rows, None).await,
            Some(w) => {
                let mut tx = db.begin_bulk().await?;
                let engine = tx.engine();
                if engine == Engine::Sqlite {
                    // The batches touch index pages all over tables of millions of
                    // rows: a larger page cache while they run, kept from one batch
                    // to the next (back to the connection's default after the last,
                    // or after a failure).
                    tx.batch("PRAGMA cache_size = -262144").await?;
                }
                let result = self.resolve_and_write(Src::Tx(&mut tx), rows, Some(w)).await;
                if engine == Engine::Sqlite && (last || result.is_err()) {
                    tx.batch(crate::db::USUAL_CACHE_SIZE).await?;
                }
                result?;
                tx.commit().await
            }
        }
    }

    async fn resolve_and_write(&mut self, mut src: Src<'_>, rows: &[RowData], write: Option<&Writing<'_>>) -> Result<(), StoreError> {
        if self.models.is_none() {
            self.models = Some(load_models(&mut src).await?);
        }
        let collect = |f: &dyn Fn(&RowData) -> Option<String>| -> Vec<String> {
            let mut v: Vec<String> = rows.iter().filter_map(f).collect();
            v.sort();
            v.dedup();
            v
        };
        let mobiles = collect(&|r| r.mobile.as_ref().map(|m| m.as_str().to_string()));
        let ids = collect(&|r| r.id_number.as_ref().map(|m| m.as_str().to_string()));
        let usccs = collect(&|r| r.uscc.as_ref().map(|m| m.as_str().to_string()));
        let emails = collect(&|r| r.email.as_ref().map(|m| m.as_str().to_string()));
        let vins = collect(&|r| r.vehicle.as_ref().map(|v| v.vin.as_str().to_string()));
        let by_contact = |kind: &str, verified: bool| {
            format!(
                "SELECT cp.value, c.id, c.customer_no FROM contact_point cp JOIN customer c ON c.id = cp.customer_id \
                 WHERE cp.kind = '{kind}' AND cp.value IN ({{IN}}) AND c.status = 'active'{} ORDER BY c.id",
                if verified { " AND cp.verified = TRUE" } else { "" }
            )
        };
        let by_column = |col: &str| {
            format!("SELECT {col}, id, customer_no FROM customer WHERE {col} IN ({{IN}}) AND status = 'active' ORDER BY id")
        };
        let mut on_file: HashMap<String, (i64, String)> = HashMap::new();
        for (prefix, q, values) in [
            // Mobiles through contact points: every customer's mobile is one, and
            // `customer.mobile` has no index.
            ("m", by_contact("mobile", false), &mobiles),
            ("i", by_column("id_number"), &ids),
            ("u", by_column("uscc"), &usccs),
            ("e", by_contact("email", true), &emails),
        ] {
            for (v, c) in lookup_customers(&mut src, &q, values).await? {
                on_file.entry(format!("{prefix}:{v}")).or_insert(c);
            }
        }
        let vehicles = lookup_vehicles(&mut src, &vins).await?;
        let models = self.models.clone().unwrap_or_default();

        // Resolve each row in file order.
        let start = self.outcomes.len();
        let mut resolved: Vec<(&RowData, Target, Option<i64>)> = Vec::new();
        for r in rows {
            let keys = keys_of(r);
            let mut problems = Vec::new();
            let mut file_row: Option<usize> = None;
            let mut target: Option<(i64, String)> = None;
            for (k, col) in &keys {
                if let Some(c) = on_file.get(k) {
                    match &target {
                        Some(t) if t.0 != c.0 => problems.push(Problem::new(r.row, &self.header(col), "", KEYS_DISAGREE).detail(format!("{} / {}", t.1, c.1))),
                        _ => target = Some(c.clone()),
                    }
                }
                if file_row.is_none() {
                    file_row = self.keys.get(k).copied();
                }
            }
            let mut model_id = None;
            if let Some(v) = &r.vehicle {
                if let Some(m) = &v.model {
                    match models.get(&m.to_lowercase()) {
                        Some(id) => model_id = Some(*id),
                        None => problems.push(Problem::new(r.row, &self.header("model"), m, UNKNOWN_MODEL)),
                    }
                }
                if let Some(earlier) = self.vins.get(v.vin.as_str()) {
                    problems.push(Problem::new(r.row, &self.header("vin"), v.vin.as_str(), VIN_REPEATED).detail(format!("row {earlier}")));
                } else if let Some(on) = vehicles.get(v.vin.as_str())
                    && let Some((owner, no)) = &on.owner
                    && target.as_ref().map(|t| t.0) != Some(*owner)
                {
                    problems.push(Problem::new(r.row, &self.header("vin"), v.vin.as_str(), VIN_OTHER_OWNER).detail(no.clone()));
                }
            }
            if let Some(earlier) = file_row {
                let same_vehicle_or_none = r.vehicle.is_none();
                if same_vehicle_or_none && problems.is_empty() {
                    problems.push(Problem::new(r.row, &self.header(keys.first().map(|k| k.1).unwrap_or("")), "", DUPLICATE_ROW).detail(format!("row {earlier}")));
                }
            }
            let masked = r.mobile.as_ref().map(|m| m.masked());
            let vin = r.vehicle.as_ref().map(|v| v.vin.as_str().to_string());
            if !problems.is_empty() {
                self.problems.extend(problems);
                self.outcomes.push(RowOutcome { row: r.row, outcome: Outcome::Invalid, customer_no: None, name: r.name.clone(), mobile: masked, vin, same_as_row: None });
                continue;
            }
            let t = match (target, file_row) {
                (Some((id, no)), _) => Target::OnFile { id, no },
                (None, Some(row)) => Target::EarlierRow(row),
                (None, None) => Target::New,
            };
            for (k, _) in &keys {
                self.keys.entry(k.clone()).or_insert(r.row);
            }
            if let Some(v) = &r.vehicle {
                self.vins.insert(v.vin.as_str().to_string(), r.row);
            }
            let (outcome, no, same) = match &t {
                Target::OnFile { no, .. } => (Outcome::Link, Some(no.clone()), None),
                Target::EarlierRow(row) => (Outcome::Link, self.created.get(row).map(|c| c.1.clone()), Some(*row)),
                Target::New => (Outcome::New, None, None),
            };
            if outcome == Outcome::New {
                self.new += 1;
            } else {
                self.link += 1;
            }
            self.outcomes.push(RowOutcome { row: r.row, outcome, customer_no: no, name: r.name.clone(), mobile: masked, vin, same_as_row: same });
            resolved.push((r, t, model_id));
        }

        let (Some(w), Src::Tx(tx)) = (write, src) else { return Ok(()) };
        self.write(tx, w, resolved, &vehicles, start).await
    }

    async fn write(
        &mut self,
        tx: &mut Tx,
        w: &Writing<'_>,
        resolved: Vec<(&RowData, Target, Option<i64>)>,
        vehicles: &HashMap<String, OnFileVehicle>,
        start: usize,
    ) -> Result<(), StoreError> {
        let t = now();
        let new_rows: Vec<&RowData> = resolved.iter().filter(|(_, t, _)| *t == Target::New).map(|(r, _, _)| *r).collect();
        let ids = tx.reserve_ids("customer", new_rows.len()).await?;
        let mut customers = Vec::new();
        let mut contacts = Vec::new();
        let mut keys = Vec::new();
        for (r, id) in new_rows.iter().zip(&ids) {
            let no = crate::customers::customer_no(*id);
            self.created.insert(r.row, (*id, no.clone()));
            customers.push(vec![
                (*id).into(),
                no.into(),
                r.kind.as_str().into(),
                r.name.clone().into(),
                autocrm_domain::customers::pinyin_full(&r.name).into(),
                autocrm_domain::customers::pinyin_initials(&r.name).into(),
                r.gender.map(|g| g.as_str().to_string()).into(),
                r.birthday.into(),
                r.occupation.clone().into(),
                r.id_number.as_ref().map(|v| v.as_str().to_string()).into(),
                r.uscc.as_ref().map(|v| v.as_str().to_string()).into(),
                r.mobile.as_ref().map(|v| v.as_str().to_string()).into(),
                r.email.as_ref().map(|v| v.as_str().to_string()).into(),
                r.province.clone().into(),
                r.city.clone().into(),
                r.district.clone().into(),
                r.address.clone().into(),
                Value::String(None),
                "active".into(),
                Value::BigInt(None),
                w.dealer_id.into(),
                1i64.into(),
                t.into(),
                t.into(),
            ]);
            let mut cp = |kind: &str, value: String, tail4: Option<String>, place: bool| {
                contacts.push(vec![
                    (*id).into(),
                    kind.into(),
                    value.into(),
                    tail4.into(),
                    true.into(),
                    false.into(),
                    if place { r.province.clone() } else { None }.into(),
                    if place { r.city.clone() } else { None }.into(),
                    if place { r.district.clone() } else { None }.into(),
                    t.into(),
                ])
            };
            if let Some(m) = &r.mobile {
                cp("mobile", m.as_str().to_string(), Some(m.last4().to_string()), false);
            }
            if let Some(l) = &r.landline {
                let local = l.local_number();
                cp("landline", l.as_str().to_string(), Some(local[local.len().saturating_sub(4)..].to_string()), false);
            }
            if let Some(e) = &r.email {
                cp("email", e.as_str().to_string(), None, false);
            }
            if let Some(a) = &r.address {
                cp("address", a.clone(), None, true);
            }
            for k in crate::customers::search_keys(&r.name, r.kind) {
                keys.push(vec![(*id).into(), k.into()]);
            }
        }
        // Sorted by their indexed key, so each index page is visited once.
        let text_at = |r: &Vec<Value>, i: usize| match &r[i] {
            Value::String(Some(s)) => s.clone(),
            _ => String::new(),
        };
        contacts.sort_by_cached_key(|r| (text_at(r, 1), text_at(r, 2)));
        keys.sort_by_cached_key(|r| text_at(r, 1));
        tx.bulk_insert("customer", CUSTOMER_COLUMNS, &customers).await?;
        tx.bulk_insert("contact_point", CONTACT_COLUMNS, &contacts).await?;
        tx.bulk_insert("search_key", &["customer_id", "key"], &keys).await?;

        // Every row's customer id, now that the new ones exist.
        let customer_of = |t: &Target, row: usize, created: &HashMap<usize, (i64, String)>| -> Option<(i64, String)> {
            match t {
                Target::OnFile { id, no } => Some((*id, no.clone())),
                Target::EarlierRow(r) => created.get(r).cloned(),
                Target::New => created.get(&row).cloned(),
            }
        };
        let mut changed: HashSet<i64> = ids.iter().copied().collect();

        // Dealer links for customers not yet linked to the job's dealer.
        if let Some(dealer) = w.dealer_id {
            let mut want: Vec<(i64, &'static str)> = Vec::new();
            for (r, tg, _) in &resolved {
                if let Some((id, _)) = customer_of(tg, r.row, &self.created)
                    && self.linked_here.insert(id)
                {
                    want.push((id, if r.vehicle.is_some() { "bought" } else { "lead" }));
                }
            }
            let candidates: Vec<i64> = want.iter().map(|w| w.0).collect();
            let mut have = HashSet::new();
            for chunk in candidates.chunks(IN_CHUNK) {
                let q = format!(
                    "SELECT customer_id FROM customer_dealer WHERE dealer_id = $1 AND customer_id IN ({})",
                    placeholders(2, chunk.len())
                );
                let mut values: Vec<Value> = vec![dealer.into()];
                values.extend(chunk.iter().map(|&i| Value::from(i)));
                let rows: Vec<(i64,)> = tx.fetch_all(sql(&q, values)).await?;
                have.extend(rows.into_iter().map(|r| r.0));
            }
            let links: Vec<Vec<Value>> = want
                .into_iter()
                .filter(|(id, _)| !have.contains(id))
                .map(|(id, kind)| {
                    changed.insert(id);
                    vec![id.into(), dealer.into(), kind.into(), Value::BigInt(None), t.into()]
                })
                .collect();
            tx.bulk_insert("customer_dealer", &["customer_id", "dealer_id", "kind", "owner_user_id", "since"], &links).await?;
        }

        // Vehicles: new ones, and owners for vehicles on file that have none.
        let mut new_vehicles = Vec::new();
        let mut ownerships: Vec<(Option<usize>, i64, i64, Option<chrono::NaiveDate>)> = Vec::new();
        for (r, tg, model_id) in &resolved {
            let (Some(v), Some((cid, _))) = (&r.vehicle, customer_of(tg, r.row, &self.created)) else { continue };
            match vehicles.get(v.vin.as_str()) {
                None => {
                    new_vehicles.push((*r, v, *model_id, cid));
                }
                Some(on) if on.owner.is_none() => {
                    changed.insert(cid);
                    ownerships.push((None, on.id, cid, v.sale_date));
                }
                Some(_) => {}
            }
        }
        let vids = tx.reserve_ids("vehicle", new_vehicles.len()).await?;
        let mut vrows = Vec::new();
        for ((_, v, model_id, cid), vid) in new_vehicles.iter().zip(&vids) {
            changed.insert(*cid);
            let vin = v.vin.as_str();
            vrows.push(vec![
                (*vid).into(),
                vin.into(),
                vin.chars().rev().collect::<String>().into(),
                v.vin_check_ok.into(),
                v.engine_no.clone().into(),
                Value::String(None),
                (*model_id).into(),
                v.color.clone().into(),
                v.plate.as_ref().map(|p| p.as_str().to_string()).into(),
                "sold".into(),
                v.sale_date.into(),
                Value::ChronoDate(None),
                Value::BigInt(None),
                w.dealer_id.into(),
                1i64.into(),
                t.into(),
                t.into(),
            ]);
            ownerships.push((None, *vid, *cid, v.sale_date));
        }
        tx.bulk_insert("vehicle", VEHICLE_COLUMNS, &vrows).await?;
        let orows: Vec<Vec<Value>> = ownerships
            .into_iter()
            .map(|(_, vid, cid, from)| vec![vid.into(), cid.into(), "owner".into(), from.into(), Value::ChronoDate(None), t.into()])
            .collect();
        tx.bulk_insert("ownership", &["vehicle_id", "customer_id", "role", "from_date", "to_date", "created_at"], &orows).await?;

        // One timeline entry per customer the file added or changed.
        let mut seen = HashSet::new();
        let mut events = Vec::new();
        for (r, tg, _) in &resolved {
            let Some((cid, _)) = customer_of(tg, r.row, &self.created) else { continue };
            if changed.contains(&cid) && seen.insert(cid) {
                let created = matches!(tg, Target::New);
                events.push(vec![
                    cid.into(),
                    t.into(),
                    if created { "imported" } else { "import_updated" }.into(),
                    format!("{} {}", if created { "Imported from" } else { "Updated by import of" }, w.filename).into(),
                    Value::String(None),
                    w.actor.audit_id().into(),
                    w.actor.display_name.clone().into(),
                    w.dealer_id.into(),
                    "import_job".into(),
                    w.job_id.into(),
                ]);
            }
        }
        tx.bulk_insert(
            "timeline_event",
            &["customer_id", "at", "kind", "title", "body", "actor_id", "actor_name", "dealer_id", "ref_entity", "ref_id"],
            &events,
        )
        .await?;

        // The batch's outcomes become final.
        let (mut created, mut linked) = (0i64, 0i64);
        for o in &mut self.outcomes[start..] {
            match o.outcome {
                Outcome::New => {
                    o.outcome = Outcome::Created;
                    o.customer_no = self.created.get(&o.row).map(|c| c.1.clone());
                    created += 1;
                }
                Outcome::Link => {
                    o.outcome = Outcome::Linked;
                    if let Some(r) = o.same_as_row {
                        o.customer_no = self.created.get(&r).map(|c| c.1.clone());
                    }
                    linked += 1;
                }
                _ => {}
            }
        }
        tx.execute(sql(
            "UPDATE import_job SET created_count = created_count + $1, linked_count = linked_count + $2 WHERE id = $3",
            vec![created.into(), linked.into(), w.job_id.into()],
        ))
        .await?;
        Ok(())
    }

    /// The customers this run created (for identity detection afterwards).
    pub fn created_ids(&self) -> Vec<i64> {
        let mut v: Vec<i64> = self.created.values().map(|c| c.0).collect();
        v.sort_unstable();
        v
    }
}

const CUSTOMER_COLUMNS: &[&str] = &[
    "id", "customer_no", "kind", "name", "name_pinyin", "name_initials", "gender", "birthday", "occupation", "id_number", "uscc",
    "mobile", "email", "province", "city", "district", "address", "tags", "status", "merged_into", "origin_dealer_id", "version",
    "created_at", "updated_at",
];
const CONTACT_COLUMNS: &[&str] =
    &["customer_id", "kind", "value", "tail4", "is_primary", "verified", "province", "city", "district", "created_at"];
const VEHICLE_COLUMNS: &[&str] = &[
    "id", "vin", "vin_rev", "vin_check_ok", "engine_no", "production_no", "model_id", "color", "plate", "status", "sale_date",
    "warranty_end", "mileage_km", "dealer_id", "version", "created_at", "updated_at",
];

