//! Merging two customer records into one, and undoing it.
//!
//! A merge keeps a snapshot (JSON, in `customer_merge.snapshot`) of every row it
//! changed or deleted, as it was: both customer rows, the merged customer's
//! contact points, consents, dealer links, relationships, ownerships, timeline,
//! the survivor's rows whose flags it changed, both customers' search keys and
//! their review pairs. Unmerge writes those rows back, so both records — and
//! what belonged to each — are as before, including rows the merge removed as
//! duplicates.

use std::collections::BTreeMap;

use autocrm_domain::access::Scope;
use autocrm_domain::customers::CustomerKind;
use autocrm_domain::identity::known_different;
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use utoipa::ToSchema;

use super::rows::{self, JsonRow};
use super::{candidates, detect::detect_ids, visible};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::customers::timeline::{self, NewEvent};
use crate::db::{FromRow, Row, sql};
use crate::{Db, StoreError, Tx, now};

/// The fields whose surviving value the user chooses, and the columns each covers.
pub const FIELDS: &[(&str, &[&str])] = &[
    ("name", &["name", "name_pinyin", "name_initials"]),
    ("gender", &["gender"]),
    ("birthday", &["birthday"]),
    ("occupation", &["occupation"]),
    ("id_number", &["id_number"]),
    ("uscc", &["uscc"]),
    ("mobile", &["mobile"]),
    ("email", &["email"]),
    ("address", &["province", "city", "district", "address"]),
    ("tags", &["tags"]),
];

/// Which record's value survives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Survivor,
    Merged,
}

/// What to merge: `merged_id` is folded into `survivor_id`. A field not in
/// `choices` keeps the survivor's value, unless the survivor has none and the
/// merged record has one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    pub survivor_id: i64,
    pub merged_id: i64,
    #[serde(default)]
    pub choices: BTreeMap<String, Side>,
}

/// A recorded merge.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Merge {
    pub id: i64,
    pub survivor_id: i64,
    pub merged_id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub undone_at: Option<DateTime<Utc>>,
    pub undone_by: Option<i64>,
    /// The merged record's number and name as they were.
    pub merged_customer_no: String,
    pub merged_name: String,
    pub survivor_name: String,
    /// field → the side whose value survived.
    #[schema(value_type = Object)]
    pub choices: BTreeMap<String, Side>,
    /// table → rows moved from the merged record to the survivor (duplicates
    /// removed are counted in `deduplicated`).
    #[schema(value_type = Object)]
    pub moved: BTreeMap<String, usize>,
    #[schema(value_type = Object)]
    pub deduplicated: BTreeMap<String, usize>,
}

/// The snapshot stored with a merge.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Snapshot {
    choices: BTreeMap<String, Side>,
    survivor: JsonRow,
    merged: JsonRow,
    /// The survivor's columns the merge changed, with the values it wrote.
    survivor_after: JsonRow,
    /// table → rows as they were before the merge changed or deleted them.
    rows: BTreeMap<String, Vec<JsonRow>>,
    /// Both customers' search keys before the merge.
    search_keys: Vec<JsonRow>,
    /// Both customers' review pairs before the merge.
    reviews: Vec<JsonRow>,
    /// Pairs the merge's own detection queued (removed again on undo if still open).
    created_reviews: Vec<i64>,
    moved: BTreeMap<String, usize>,
    deduplicated: BTreeMap<String, usize>,
}

impl Snapshot {
    /// Keeps the before-image of a row the merge is about to change (once).
    fn keep(&mut self, table: &str, row: &JsonRow) {
        let list = self.rows.entry(table.to_string()).or_default();
        if !list.iter().any(|r| rows::id_of(r) == rows::id_of(row)) {
            list.push(row.clone());
        }
    }
    fn count(map: &mut BTreeMap<String, usize>, table: &str) {
        *map.entry(table.to_string()).or_default() += 1;
    }
}

pub const SAME_CUSTOMER: &str = "must differ from the survivor";
pub const ALREADY_MERGED: &str = "has been merged into another customer";
pub const KNOWN_DIFFERENT: &str = "is provably a different customer (kind, ID number or USCC differ)";
pub const UNKNOWN_FIELD: &str = "is not a field that can be chosen";
pub const ALREADY_UNDONE: &str = "has already been undone";
pub const MERGED_AGAIN: &str = "cannot be undone while the surviving customer is itself merged; undo that merge first";

fn is_empty(v: Option<&Json>) -> bool {
    match v {
        None | Some(Json::Null) => true,
        Some(Json::String(s)) => s.trim().is_empty(),
        _ => false,
    }
}

/// Folds `req.merged_id` into `req.survivor_id` in one transaction; returns the
/// merge. Both customers must be visible to the actor and not merged already.
pub async fn merge(db: &Db, actor: &Actor, req: &MergeRequest) -> Result<Merge, StoreError> {
    let (s_id, m_id) = (req.survivor_id, req.merged_id);
    if s_id == m_id {
        return Err(StoreError::invalid("merged_id", SAME_CUSTOMER));
    }
    for field in req.choices.keys() {
        if !FIELDS.iter().any(|(f, _)| f == field) {
            return Err(StoreError::invalid(&format!("choices.{field}"), UNKNOWN_FIELD));
        }
    }
    let mut tx = db.begin().await?;
    for (field, id) in [("survivor_id", s_id), ("merged_id", m_id)] {
        if !visible(&mut tx, &actor.scope, id).await? {
            let merged_into: Option<(Option<i64>,)> =
                tx.fetch_optional(sql("SELECT merged_into FROM customer WHERE id = $1", vec![id.into()])).await?;
            if matches!(merged_into, Some((Some(_),))) && seen_before_merge(&mut tx, &actor.scope, id).await? {
                return Err(StoreError::invalid(field, ALREADY_MERGED));
            }
            return Err(StoreError::NotFound);
        }
    }
    let cands = candidates(&mut tx, &[s_id, m_id]).await?;
    if let (Some(a), Some(b)) = (cands.get(&s_id), cands.get(&m_id))
        && known_different(a, b)
    {
        return Err(StoreError::invalid("merged_id", KNOWN_DIFFERENT));
    }
    let survivor = rows::row_by_id(&mut tx, "customer", s_id).await?.ok_or(StoreError::NotFound)?;
    let merged = rows::row_by_id(&mut tx, "customer", m_id).await?.ok_or(StoreError::NotFound)?;
    let mut snap = Snapshot { survivor: survivor.clone(), merged: merged.clone(), ..Default::default() };

    // The surviving values, field by field.
    let mut after = JsonRow::new();
    for (field, cols) in FIELDS {
        let side = req.choices.get(*field).copied().unwrap_or_else(|| {
            let empty = |r: &JsonRow| cols.iter().all(|c| is_empty(r.get(*c)));
            if empty(&survivor) && !empty(&merged) { Side::Merged } else { Side::Survivor }
        });
        snap.choices.insert(field.to_string(), side);
        if side == Side::Merged {
            for c in *cols {
                let v = merged.get(*c).cloned().unwrap_or(Json::Null);
                if survivor.get(*c) != Some(&v) {
                    after.insert(c.to_string(), v);
                }
            }
        }
    }

    // Search keys and review pairs of both, as they were.
    for id in [s_id, m_id] {
        snap.search_keys.extend(rows::rows_where(&mut tx, "search_key", "customer_id", id).await?);
        for col in ["customer_a", "customer_b"] {
            for r in rows::rows_where(&mut tx, "identity_review", col, id).await? {
                if !snap.reviews.iter().any(|x| rows::id_of(x) == rows::id_of(&r)) {
                    snap.reviews.push(r);
                }
            }
        }
    }

    move_contact_points(&mut tx, &mut snap, s_id, m_id, &after).await?;
    move_simple(&mut tx, &mut snap, "consent", s_id, m_id).await?;
    move_dealer_links(&mut tx, &mut snap, s_id, m_id).await?;
    move_relationships(&mut tx, &mut snap, s_id, m_id).await?;
    move_simple(&mut tx, &mut snap, "ownership", s_id, m_id).await?;
    move_simple(&mut tx, &mut snap, "timeline_event", s_id, m_id).await?;

    // The survivor takes the chosen values; the merged record steps aside.
    let t = now();
    let mut set: Vec<(&str, Json)> = after.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let s_version = rows::int(&survivor, "version").unwrap_or(0);
    let m_version = rows::int(&merged, "version").unwrap_or(0);
    let t_json = json!(t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
    set.push(("version", json!(s_version + 1)));
    set.push(("updated_at", t_json.clone()));
    rows::set(&mut tx, "customer", s_id, &set).await?;
    rows::set(
        &mut tx,
        "customer",
        m_id,
        &[("status", json!("merged")), ("merged_into", json!(s_id)), ("version", json!(m_version + 1)), ("updated_at", t_json)],
    )
    .await?;
    snap.survivor_after = after.clone();
    rewrite_search_keys(&mut tx, s_id).await?;
    tx.execute(sql("DELETE FROM search_key WHERE customer_id = $1", vec![m_id.into()])).await?;
    let (a, b) = if s_id < m_id { (s_id, m_id) } else { (m_id, s_id) };
    tx.execute(sql(
        "UPDATE identity_review SET status = 'merged', decided_by = $1, decided_at = $2 WHERE customer_a = $3 AND customer_b = $4",
        vec![actor.audit_id().into(), t.into(), a.into(), b.into()],
    ))
    .await?;
    // The survivor now carries the merged record's addresses, phones and cars.
    snap.created_reviews = detect_ids(&mut tx, s_id).await?;

    let snapshot = serde_json::to_string(&snap).map_err(|e| StoreError::Decode(e.to_string()))?;
    let merge_id = tx
        .insert_returning_id(sql(
            "INSERT INTO customer_merge (survivor_id, merged_id, at, actor_id, snapshot) VALUES ($1, $2, $3, $4, $5)",
            vec![s_id.into(), m_id.into(), t.into(), actor.audit_id().into(), snapshot.into()],
        ))
        .await?;
    let label = |r: &JsonRow| format!("{} ({})", rows::text(r, "name").unwrap_or(""), rows::text(r, "customer_no").unwrap_or(""));
    timeline::add(
        &mut tx,
        actor,
        NewEvent {
            customer_id: s_id,
            kind: "merged",
            title: label(&merged),
            body: None,
            dealer_id: actor.dealer_id,
            reference: Some(("customer_merge", merge_id)),
            due_date: None,
        },
    )
    .await?;
    let dealer = |r: &JsonRow| rows::int(r, "origin_dealer_id");
    // The audit trail never keeps an ID number in clear.
    let for_audit = |mut m: JsonRow| {
        if let Some(Json::String(id)) = m.get("id_number") {
            let masked = crate::customers::mask_id_number(id);
            m.insert("id_number".into(), json!(masked));
        }
        Json::Object(m)
    };
    let before_fields: JsonRow = after.keys().map(|k| (k.clone(), survivor.get(k).cloned().unwrap_or(Json::Null))).collect();
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "merge",
            entity: "customer",
            entity_id: Some(s_id),
            dealer_id: dealer(&survivor),
            summary: Some(format!("{} ← {}", label(&survivor), label(&merged))),
            before: Some(for_audit(before_fields)),
            after: Some(for_audit(after)),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "merge",
            entity: "customer",
            entity_id: Some(m_id),
            dealer_id: dealer(&merged),
            summary: Some(format!("{} → {}", label(&merged), label(&survivor))),
            before: Some(json!({ "status": merged.get("status"), "merged_into": Json::Null })),
            after: Some(json!({ "status": "merged", "merged_into": s_id })),
        },
    )
    .await?;
    tx.commit().await?;
    get_merge(db, &actor.scope, merge_id).await
}

/// Moves the merged customer's rows of `table` (by `customer_id`) to the survivor.
async fn move_simple(tx: &mut Tx, snap: &mut Snapshot, table: &'static str, s_id: i64, m_id: i64) -> Result<(), StoreError> {
    for r in rows::rows_where(tx, table, "customer_id", m_id).await? {
        snap.keep(table, &r);
        rows::set(tx, table, rows::id_of(&r), &[("customer_id", json!(s_id))]).await?;
        Snapshot::count(&mut snap.moved, table);
    }
    Ok(())
}

/// Contact points: one per (kind, value) — a duplicate of one the survivor has is
/// removed (its `verified` carried over); the primary of each kind stays the
/// survivor's unless the user chose the merged record's mobile, e-mail or address.
async fn move_contact_points(
    tx: &mut Tx,
    snap: &mut Snapshot,
    s_id: i64,
    m_id: i64,
    after: &JsonRow,
) -> Result<(), StoreError> {
    const T: &str = "contact_point";
    let mine = rows::rows_where(tx, T, "customer_id", s_id).await?;
    let key = |r: &JsonRow| (rows::text(r, "kind").unwrap_or("").to_string(), rows::text(r, "value").unwrap_or("").to_string());
    let verified = |r: &JsonRow| r.get("verified").and_then(Json::as_bool).unwrap_or(false);
    for r in rows::rows_where(tx, T, "customer_id", m_id).await? {
        snap.keep(T, &r);
        if let Some(dup) = mine.iter().find(|s| key(s) == key(&r)) {
            if verified(&r) && !verified(dup) {
                snap.keep(T, dup);
                rows::set(tx, T, rows::id_of(dup), &[("verified", json!(true))]).await?;
            }
            rows::delete(tx, T, rows::id_of(&r)).await?;
            Snapshot::count(&mut snap.deduplicated, T);
        } else {
            let has_primary = mine.iter().any(|s| key(s).0 == key(&r).0 && s.get("is_primary") == Some(&json!(true)));
            let mut set = vec![("customer_id", json!(s_id))];
            if has_primary {
                set.push(("is_primary", json!(false)));
            }
            rows::set(tx, T, rows::id_of(&r), &set).await?;
            Snapshot::count(&mut snap.moved, T);
        }
    }
    // The chosen mobile, e-mail and address become the primaries of their kind
    // (the customer row mirrors the primaries).
    for kind in ["mobile", "email", "address"] {
        let Some(value) = after.get(kind).and_then(Json::as_str) else { continue };
        let now_mine = rows::rows_where(tx, T, "customer_id", s_id).await?;
        if !now_mine.iter().any(|r| key(r) == (kind.to_string(), value.to_string())) {
            continue;
        }
        for r in now_mine.iter().filter(|r| key(r).0 == kind) {
            let primary = rows::text(r, "value") == Some(value);
            if r.get("is_primary").and_then(Json::as_bool) != Some(primary) {
                // A moved row's before-image is already kept (first image wins).
                snap.keep(T, r);
                rows::set(tx, T, rows::id_of(r), &[("is_primary", json!(primary))]).await?;
            }
        }
    }
    Ok(())
}

/// Dealer links: one per (dealer, kind); the survivor's older link is kept.
async fn move_dealer_links(tx: &mut Tx, snap: &mut Snapshot, s_id: i64, m_id: i64) -> Result<(), StoreError> {
    const T: &str = "customer_dealer";
    let mine = rows::rows_where(tx, T, "customer_id", s_id).await?;
    let key = |r: &JsonRow| (rows::int(r, "dealer_id"), rows::text(r, "kind").map(str::to_string));
    for r in rows::rows_where(tx, T, "customer_id", m_id).await? {
        snap.keep(T, &r);
        if mine.iter().any(|s| key(s) == key(&r)) {
            rows::delete(tx, T, rows::id_of(&r)).await?;
            Snapshot::count(&mut snap.deduplicated, T);
        } else {
            rows::set(tx, T, rows::id_of(&r), &[("customer_id", json!(s_id))]).await?;
            Snapshot::count(&mut snap.moved, T);
        }
    }
    Ok(())
}

/// Relationships in both directions; one between the two records themselves, or
/// one the survivor already has, is removed.
async fn move_relationships(tx: &mut Tx, snap: &mut Snapshot, s_id: i64, m_id: i64) -> Result<(), StoreError> {
    const T: &str = "relationship";
    let swap = |v: Option<i64>| if v == Some(m_id) { Some(s_id) } else { v };
    let key = |r: &JsonRow| (swap(rows::int(r, "customer_id")), swap(rows::int(r, "related_id")), rows::text(r, "kind").map(str::to_string));
    let mut existing: Vec<_> = Vec::new();
    for col in ["customer_id", "related_id"] {
        existing.extend(rows::rows_where(tx, T, col, s_id).await?.iter().filter(|r| {
            rows::int(r, "customer_id") != Some(m_id) && rows::int(r, "related_id") != Some(m_id)
        }).map(key));
    }
    let mut affected = rows::rows_where(tx, T, "customer_id", m_id).await?;
    for r in rows::rows_where(tx, T, "related_id", m_id).await? {
        if !affected.iter().any(|x| rows::id_of(x) == rows::id_of(&r)) {
            affected.push(r);
        }
    }
    for r in affected {
        snap.keep(T, &r);
        let k = key(&r);
        if k.0 == k.1 || existing.contains(&k) {
            rows::delete(tx, T, rows::id_of(&r)).await?;
            Snapshot::count(&mut snap.deduplicated, T);
        } else {
            rows::set(tx, T, rows::id_of(&r), &[("customer_id", json!(k.0)), ("related_id", json!(k.1))]).await?;
            existing.push(k);
            Snapshot::count(&mut snap.moved, T);
        }
    }
    Ok(())
}

/// The survivor's name keys, from its current name (the merge may have changed it).
async fn rewrite_search_keys(tx: &mut Tx, id: i64) -> Result<(), StoreError> {
    let row: Option<(String, String)> =
        tx.fetch_optional(sql("SELECT name, kind FROM customer WHERE id = $1", vec![id.into()])).await?;
    let Some((name, kind)) = row else { return Ok(()) };
    let keys = crate::customers::search_keys(&name, CustomerKind::parse(&kind).unwrap_or_default());
    let current: Vec<(String,)> =
        tx.fetch_all(sql("SELECT key FROM search_key WHERE customer_id = $1 ORDER BY key", vec![id.into()])).await?;
    let mut current: Vec<String> = current.into_iter().map(|r| r.0).collect();
    current.dedup();
    if current == keys {
        return Ok(());
    }
    tx.execute(sql("DELETE FROM search_key WHERE customer_id = $1", vec![id.into()])).await?;
    for k in keys {
        tx.execute(sql("INSERT INTO search_key (customer_id, key) VALUES ($1, $2)", vec![id.into(), k.into()])).await?;
    }
    Ok(())
}

/// Whether the merged customer of some merge was visible to `scope` before the
/// merge (its own dealer links, as kept in the snapshot, are in scope).
async fn seen_before_merge(tx: &mut Tx, scope: &Scope, merged_id: i64) -> Result<bool, StoreError> {
    if matches!(scope, Scope::Oem) {
        return Ok(true);
    }
    let snaps: Vec<(String,)> = tx
        .fetch_all(sql(
            "SELECT snapshot FROM customer_merge WHERE merged_id = $1 ORDER BY id DESC LIMIT 1",
            vec![merged_id.into()],
        ))
        .await?;
    let Some((text,)) = snaps.into_iter().next() else { return Ok(false) };
    let snap: Snapshot = serde_json::from_str(&text).map_err(|e| StoreError::Decode(e.to_string()))?;
    links_in_scope(tx, scope, &snap, merged_id).await
}

async fn links_in_scope(tx: &mut Tx, scope: &Scope, snap: &Snapshot, merged_id: i64) -> Result<bool, StoreError> {
    let links: Vec<&JsonRow> = snap
        .rows
        .get("customer_dealer")
        .map(|l| l.iter().filter(|r| rows::int(r, "customer_id") == Some(merged_id)).collect())
        .unwrap_or_default();
    for l in links {
        let Some(dealer) = rows::int(l, "dealer_id") else { continue };
        let ok = match *scope {
            Scope::Oem => true,
            Scope::Nothing => false,
            Scope::Own { user_id, dealer_id } => dealer == dealer_id && rows::int(l, "owner_user_id") == Some(user_id),
            _ => {
                let q = crate::scope::select(scope, &crate::org::DEALER)
                    .column(("dealer", "id"))
                    .and_where(Expr::col(("dealer", "id")).eq(dealer))
                    .to_owned();
                tx.fetch_optional::<(i64,)>(q).await?.is_some()
            }
        };
        if ok {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn in_scope(tx: &mut Tx, scope: &Scope, c: i64) -> Result<bool, StoreError> {
    let q = crate::scope::select(scope, &crate::customers::CUSTOMER)
        .column(("customer", "id"))
        .and_where(Expr::col(("customer", "id")).eq(c))
        .to_owned();
    Ok(tx.fetch_optional::<(i64,)>(q).await?.is_some())
}

struct MergeRow {
    id: i64,
    survivor_id: i64,
    merged_id: i64,
    at: DateTime<Utc>,
    actor_id: Option<i64>,
    snapshot: String,
    undone_at: Option<DateTime<Utc>>,
    undone_by: Option<i64>,
}

impl FromRow for MergeRow {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(MergeRow {
            id: r.get(0)?,
            survivor_id: r.get(1)?,
            merged_id: r.get(2)?,
            at: r.get(3)?,
            actor_id: r.get(4)?,
            snapshot: r.get(5)?,
            undone_at: r.get(6)?,
            undone_by: r.get(7)?,
        })
    }
}

const MERGE_COLUMNS: &str = "id, survivor_id, merged_id, at, actor_id, snapshot, undone_at, undone_by";

/// Reads a merge the caller may see: its survivor is visible (or, once undone,
/// either record is), and the merged record was visible before the merge.
async fn load(tx: &mut Tx, scope: &Scope, id: i64) -> Result<(MergeRow, Snapshot), StoreError> {
    let row: MergeRow = tx
        .fetch_optional(sql(&format!("SELECT {MERGE_COLUMNS} FROM customer_merge WHERE id = $1"), vec![id.into()]))
        .await?
        .ok_or(StoreError::NotFound)?;
    let snap: Snapshot = serde_json::from_str(&row.snapshot).map_err(|e| StoreError::Decode(e.to_string()))?;
    let survivor_ok = in_scope(tx, scope, row.survivor_id).await?;
    let merged_ok = if row.undone_at.is_some() { in_scope(tx, scope, row.merged_id).await? } else { false }
        || links_in_scope(tx, scope, &snap, row.merged_id).await?;
    if !(survivor_ok && merged_ok) {
        return Err(StoreError::NotFound);
    }
    Ok((row, snap))
}

fn to_merge(row: MergeRow, snap: Snapshot, survivor_name: String) -> Merge {
    Merge {
        id: row.id,
        survivor_id: row.survivor_id,
        merged_id: row.merged_id,
        at: row.at,
        actor_id: row.actor_id,
        undone_at: row.undone_at,
        undone_by: row.undone_by,
        merged_customer_no: rows::text(&snap.merged, "customer_no").unwrap_or("").to_string(),
        merged_name: rows::text(&snap.merged, "name").unwrap_or("").to_string(),
        survivor_name,
        choices: snap.choices,
        moved: snap.moved,
        deduplicated: snap.deduplicated,
    }
}

/// One merge, if the caller may see both of its customers.
pub async fn get_merge(db: &Db, scope: &Scope, id: i64) -> Result<Merge, StoreError> {
    // A read-only look through the writer keeps one code path for both engines.
    let mut tx = db.begin().await?;
    let (row, snap) = load(&mut tx, scope, id).await?;
    let name: Option<(String,)> =
        tx.fetch_optional(sql("SELECT name FROM customer WHERE id = $1", vec![row.survivor_id.into()])).await?;
    drop(tx);
    Ok(to_merge(row, snap, name.map(|n| n.0).unwrap_or_default()))
}

/// Undoes a merge: both records, and what belonged to each, as before it.
pub async fn unmerge(db: &Db, actor: &Actor, id: i64) -> Result<Merge, StoreError> {
    let mut tx = db.begin().await?;
    let (row, snap) = load(&mut tx, &actor.scope, id).await?;
    if row.undone_at.is_some() {
        return Err(StoreError::invalid("merge", ALREADY_UNDONE));
    }
    let (s_id, m_id) = (row.survivor_id, row.merged_id);
    let survivor_now = rows::row_by_id(&mut tx, "customer", s_id).await?.ok_or(StoreError::NotFound)?;
    let merged_now = rows::row_by_id(&mut tx, "customer", m_id).await?.ok_or(StoreError::NotFound)?;
    if rows::int(&survivor_now, "merged_into").is_some() {
        return Err(StoreError::invalid("merge", MERGED_AGAIN));
    }
    // Rows the merge changed or removed, as they were. Links first: they decide
    // who sees what.
    for table in ["customer_dealer", "contact_point", "consent", "relationship", "ownership", "timeline_event"] {
        for r in snap.rows.get(table).into_iter().flatten() {
            rows::restore(&mut tx, table, r).await?;
        }
    }
    // Search keys of both, exactly as they were.
    for c in [s_id, m_id] {
        tx.execute(sql("DELETE FROM search_key WHERE customer_id = $1", vec![c.into()])).await?;
    }
    for r in &snap.search_keys {
        rows::restore(&mut tx, "search_key", r).await?;
    }
    // Review pairs: those the merge queued go (if nobody decided them), the
    // others return to how they were.
    for r in &snap.created_reviews {
        tx.execute(sql("DELETE FROM identity_review WHERE id = $1 AND status = 'open'", vec![(*r).into()])).await?;
    }
    for r in &snap.reviews {
        rows::restore(&mut tx, "identity_review", r).await?;
    }
    // The merged customer: its own values back, with a new version.
    let t = now();
    let t_json = json!(t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
    let mut merged = snap.merged.clone();
    merged.insert("version".into(), json!(rows::int(&merged_now, "version").unwrap_or(0) + 1));
    merged.insert("updated_at".into(), t_json.clone());
    rows::restore(&mut tx, "customer", &merged).await?;
    // The survivor: each value the merge wrote goes back, unless someone has
    // changed it since (a later correction wins over the undo).
    let mut set: Vec<(&str, Json)> = Vec::new();
    for (col, written) in &snap.survivor_after {
        if survivor_now.get(col) == Some(written) {
            set.push((col.as_str(), snap.survivor.get(col).cloned().unwrap_or(Json::Null)));
        }
    }
    set.push(("version", json!(rows::int(&survivor_now, "version").unwrap_or(0) + 1)));
    set.push(("updated_at", t_json));
    rows::set(&mut tx, "customer", s_id, &set).await?;
    tx.execute(sql(
        "UPDATE customer_merge SET undone_at = $1, undone_by = $2 WHERE id = $3",
        vec![t.into(), actor.audit_id().into(), id.into()],
    ))
    .await?;
    let label = |r: &JsonRow| format!("{} ({})", rows::text(r, "name").unwrap_or(""), rows::text(r, "customer_no").unwrap_or(""));
    for (on, other) in [(s_id, &snap.merged), (m_id, &snap.survivor)] {
        timeline::add(
            &mut tx,
            actor,
            NewEvent {
                customer_id: on,
                kind: "unmerged",
                title: label(other),
                body: None,
                dealer_id: actor.dealer_id,
                reference: Some(("customer_merge", id)),
                due_date: None,
            },
        )
        .await?;
    }
    for (c, r) in [(s_id, &snap.survivor), (m_id, &snap.merged)] {
        audit::record(
            &mut tx,
            actor,
            Change {
                action: "unmerge",
                entity: "customer",
                entity_id: Some(c),
                dealer_id: rows::int(r, "origin_dealer_id"),
                summary: Some(format!("{} ↛ {}", label(&snap.merged), label(&snap.survivor))),
                before: None,
                after: Some(json!({ "merge_id": id })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    get_merge(db, &actor.scope, id).await
}
