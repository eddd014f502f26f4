//! The life of a versioned business record, written once: scoped reads, lists with
//! cursor pagination, inserts and optimistic-concurrency updates that write their
//! audit entry in the same transaction. Capability modules describe their records
//! with [`Record`] and keep only their own rules.

use autocrm_domain::access::Scope;
use sea_query::{Condition, Expr, ExprTrait, Query, SimpleExpr, Value};
use serde::Serialize;

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::FromRow;
use crate::page::{Page, PageRequest};
use crate::scope::{self, Scoped};
use crate::{Db, StoreError, Tx, now};

pub trait Record: FromRow + Serialize + Clone + Send {
    /// The name in the audit trail and in error messages.
    const ENTITY: &'static str;
    const SCOPED: Scoped;
    /// Columns read, in the order `from_row` expects; must start with `id` and end
    /// with `version, created_at, updated_at`.
    const COLUMNS: &'static [&'static str];
    /// Columns written by insert and update, matching [`Record::writable_values`].
    const WRITABLE: &'static [&'static str];

    fn writable_values(&self) -> Vec<Value>;
    fn id(&self) -> i64;
    fn version(&self) -> i64;
    /// The dealer the record belongs to (for the audit entry's visibility).
    fn dealer_id(&self) -> Option<i64>;
    fn summary(&self) -> String;
}

/// `SELECT` of a record's columns within `scope` (add conditions, joins, order).
pub(crate) fn select_columns<T: Record>(scope: &Scope) -> sea_query::SelectStatement {
    let mut q = scope::select(scope, &T::SCOPED);
    for c in T::COLUMNS {
        q.column((T::SCOPED.table, *c));
    }
    q
}

pub async fn get<T: Record>(db: &Db, scope: &Scope, id: i64) -> Result<T, StoreError> {
    let mut q = select_columns::<T>(scope);
    q.and_where(Expr::col((T::SCOPED.table, "id")).eq(id));
    db.fetch_optional(q).await?.ok_or(StoreError::NotFound)
}

/// A page of records within scope, filtered by `filter`.
pub async fn list<T: Record>(db: &Db, scope: &Scope, filter: Condition, p: &PageRequest) -> Result<Page<T>, StoreError> {
    let mut q = select_columns::<T>(scope);
    q.cond_where(filter);
    p.apply(&mut q, T::SCOPED.table);
    let rows: Vec<T> = db.fetch_all(q).await?;
    let sort = p.sort.name;
    Ok(p.finish(rows, |r| {
        let v = serde_json::to_value(r).ok().and_then(|v| v.get(sort).cloned()).unwrap_or_default();
        (v, r.id())
    }))
}

/// A case-insensitive substring match over some text columns (`q=` in the API).
pub fn text_search(table: &'static str, columns: &[&'static str], q: &str) -> Condition {
    let pattern = format!("%{}%", q.trim().to_lowercase().replace(['%', '_'], ""));
    let mut c = Condition::any();
    for col in columns {
        c = c.add(SimpleExpr::from(sea_query::Func::lower(Expr::col((table, *col)))).like(pattern.as_str()));
    }
    c
}

/// Inserts a new record (version 1) and its audit entry; returns the stored record.
pub async fn insert<T: Record>(db: &Db, actor: &Actor, record: &T) -> Result<T, StoreError> {
    let mut tx = db.begin().await?;
    let stored = insert_stored(&mut tx, actor, record, None, vec![]).await?;
    tx.commit().await?;
    Ok(stored)
}

pub async fn insert_in<T: Record>(tx: &mut Tx, actor: &Actor, record: &T) -> Result<i64, StoreError> {
    Ok(insert_stored(tx, actor, record, None, vec![]).await?.id())
}

/// The `INSERT` of a new record at version 1, created at `t` (under `id` when
/// one was reserved), with `extra` columns written once and never read back.
pub(crate) fn insert_statement<T: Record>(
    record: &T,
    id: Option<i64>,
    t: chrono::DateTime<chrono::Utc>,
    extra: Vec<(&'static str, Value)>,
) -> Result<sea_query::InsertStatement, StoreError> {
    let mut cols: Vec<&str> = T::WRITABLE.to_vec();
    cols.extend(["version", "created_at", "updated_at"]);
    let mut values = record.writable_values();
    values.extend([Value::from(1i64), t.into(), t.into()]);
    for (c, v) in extra.into_iter().chain(id.map(|id| ("id", id.into()))) {
        cols.push(c);
        values.push(v);
    }
    Ok(Query::insert()
        .into_table(T::SCOPED.table)
        .columns(cols)
        .values(values.into_iter().map(Expr::val))
        .map_err(|e| StoreError::Decode(e.to_string()))?
        .to_owned())
}

/// Inserts a record (under `id` when one was reserved with [`Tx::next_id`], so
/// numbers derived from it are written with the row) with its audit entry, and
/// returns it as stored: `RETURNING` reads it back in the same statement, which
/// the audit entry shows, and a record whose dealer is itself (a dealer) only
/// knows it once it has an id.
pub async fn insert_stored<T: Record>(
    tx: &mut Tx,
    actor: &Actor,
    record: &T,
    id: Option<i64>,
    extra: Vec<(&'static str, Value)>,
) -> Result<T, StoreError> {
    let q = insert_statement(record, id, now(), extra)?.returning(Query::returning().columns(T::COLUMNS.iter().copied())).to_owned();
    let stored: T = tx.fetch_one(q).await?;
    audit_create(tx, actor, &stored).await?;
    Ok(stored)
}

/// Inserts a record whose every column is known — its reserved id, version 1,
/// created and updated at `t` — with its audit entry, without reading it back:
/// `record` is what is stored. On PostgreSQL both go out with the transaction's
/// next statement; a failure (a duplicate key) fails that statement or the commit.
pub async fn insert_known<T: Record>(tx: &mut Tx, actor: &Actor, record: &T, t: chrono::DateTime<chrono::Utc>) -> Result<(), StoreError> {
    debug_assert_eq!(record.version(), 1, "a new record is at version 1");
    tx.write_later(known_insert(record, t)).await?;
    audit_create(tx, actor, record).await
}

/// The insert of a record under its reserved id at version 1, created and updated
/// at `t`: [`insert_statement`]'s row, in a text written once per table (the hot
/// inserts, a captured lead and its new customer, built and rendered a query of
/// forty-odd columns on every call).
pub(crate) fn known_insert<T: Record>(record: &T, t: chrono::DateTime<chrono::Utc>) -> crate::db::Raw {
    use std::collections::HashMap;
    use std::sync::{OnceLock, PoisonError, RwLock};
    static TEXTS: OnceLock<RwLock<HashMap<&'static str, String>>> = OnceLock::new();
    let texts = TEXTS.get_or_init(RwLock::default);
    let table = T::SCOPED.table;
    let mut values = record.writable_values();
    values.extend([Value::from(1i64), t.into(), t.into(), record.id().into()]);
    if let Some(text) = texts.read().unwrap_or_else(PoisonError::into_inner).get(table) {
        return crate::db::sql(text, values);
    }
    let columns = T::WRITABLE.iter().copied().chain(["version", "created_at", "updated_at", "id"]).collect::<Vec<_>>();
    let text = crate::db::insert_text(table, &columns);
    let stmt = crate::db::sql(&text, values);
    texts.write().unwrap_or_else(PoisonError::into_inner).insert(table, text);
    stmt
}

async fn audit_create<T: Record>(tx: &mut Tx, actor: &Actor, stored: &T) -> Result<(), StoreError> {
    audit::record(
        tx,
        actor,
        Change {
            action: "create",
            entity: T::ENTITY,
            entity_id: Some(stored.id()),
            dealer_id: stored.dealer_id(),
            summary: Some(stored.summary()),
            before: None,
            after: Some(serde_json::to_value(stored).unwrap_or_default()),
        },
    )
    .await
}

pub async fn get_in<T: Record>(tx: &mut Tx, id: i64) -> Result<T, StoreError> {
    scope::get_for_update(tx, &Scope::Oem, &T::SCOPED, T::COLUMNS, id).await
}

/// Read-modify-write with optimistic concurrency: `change` gets the current record
/// (only if it is within scope) and returns the new one; a `version` other than the
/// current one fails with [`StoreError::Stale`] and changes nothing.
pub async fn update<T: Record>(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    change: impl FnOnce(&T) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut tx = db.begin().await?;
    let current: T = scope::get_for_update(&mut tx, &actor.scope, &T::SCOPED, T::COLUMNS, id).await?;
    if current.version() != version {
        return Err(StoreError::Stale { current: current.version() });
    }
    let next = change(&current)?;
    let stored = save_in(&mut tx, actor, &current, &next).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Writes `next` over `current` (read in this transaction, within the actor's
/// scope) if its version is still `current`'s, with the audit entry; for changes
/// that write more than the record in one transaction.
pub async fn save_in<T: Record>(tx: &mut Tx, actor: &Actor, current: &T, next: &T) -> Result<T, StoreError> {
    let (id, version) = (current.id(), current.version());
    let mut q = scope::update(&actor.scope, &T::SCOPED);
    for (c, v) in T::WRITABLE.iter().zip(next.writable_values()) {
        q.value(*c, v);
    }
    q.value("version", version + 1).value("updated_at", now());
    q.and_where(Expr::col((T::SCOPED.table, "id")).eq(id)).and_where(Expr::col((T::SCOPED.table, "version")).eq(version));
    if tx.execute(q).await? != 1 {
        return Err(StoreError::Stale { current: version + 1 });
    }
    let stored = get_in::<T>(tx, id).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "update",
            entity: T::ENTITY,
            entity_id: Some(id),
            dealer_id: stored.dealer_id().or(current.dealer_id()),
            summary: Some(stored.summary()),
            before: Some(serde_json::to_value(current).unwrap_or_default()),
            after: Some(serde_json::to_value(&stored).unwrap_or_default()),
        },
    )
    .await?;
    Ok(stored)
}
