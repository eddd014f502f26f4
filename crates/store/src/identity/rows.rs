//! Whole rows as JSON, read and written back exactly, for the merge snapshot: what
//! a merge changed is kept as it was, so an unmerge puts every row back.
//!
//! Column lists and types come from the schema definition (folding every
//! migration), so a column added later is snapshotted without touching this code.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sea_query::{Expr, ExprTrait, Query, Value};
use serde_json::{Map, Value as Json};

use crate::db::{FromRow, Row};
use crate::schema::{Change, Kind};
use crate::{StoreError, Tx};

/// A row: column name → value (bools as booleans, times as RFC 3339 with
/// microseconds, dates as `YYYY-MM-DD`).
pub type JsonRow = Map<String, Json>;

fn tables() -> &'static HashMap<&'static str, Vec<(&'static str, Kind)>> {
    static T: OnceLock<HashMap<&'static str, Vec<(&'static str, Kind)>>> = OnceLock::new();
    T.get_or_init(|| {
        let mut out: HashMap<&'static str, Vec<(&'static str, Kind)>> = HashMap::new();
        for m in crate::migrations::all() {
            for c in m.changes {
                match c {
                    Change::CreateTable(t) => {
                        out.insert(t.name, t.columns.iter().map(|c| (c.name, c.kind)).collect());
                    }
                    Change::AddColumn(t, c) => out.entry(t).or_default().push((c.name, c.kind)),
                    _ => {}
                }
            }
        }
        out
    })
}

pub(crate) fn columns(table: &str) -> &'static [(&'static str, Kind)] {
    tables().get(table).map(Vec::as_slice).unwrap_or(&[])
}

/// Raw cells as read, before the column kinds give them their JSON shape.
struct Cells(Vec<Json>);

impl FromRow for Cells {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
        let mut out = Vec::new();
        match row {
            Row::Sqlite(r) => {
                use rusqlite::types::ValueRef;
                for i in 0..r.as_ref().column_count() {
                    let v = r.get_ref(i).map_err(|e| StoreError::Decode(e.to_string()))?;
                    out.push(match v {
                        ValueRef::Null => Json::Null,
                        ValueRef::Integer(n) => Json::from(n),
                        ValueRef::Real(f) => Json::from(f),
                        ValueRef::Text(t) => Json::from(String::from_utf8_lossy(t).into_owned()),
                        ValueRef::Blob(_) => return Err(StoreError::Decode(format!("column {i}: blob"))),
                    });
                }
            }
            Row::Pg(r) => {
                use tokio_postgres::types::Type;
                let err = |i: usize, e: tokio_postgres::Error| StoreError::Decode(format!("column {i}: {e}"));
                for (i, c) in r.columns().iter().enumerate() {
                    let t = c.type_();
                    out.push(if *t == Type::INT8 {
                        r.try_get::<_, Option<i64>>(i).map_err(|e| err(i, e))?.map_or(Json::Null, Json::from)
                    } else if *t == Type::INT4 {
                        r.try_get::<_, Option<i32>>(i).map_err(|e| err(i, e))?.map_or(Json::Null, Json::from)
                    } else if *t == Type::BOOL {
                        r.try_get::<_, Option<bool>>(i).map_err(|e| err(i, e))?.map_or(Json::Null, Json::from)
                    } else if *t == Type::TIMESTAMPTZ {
                        r.try_get::<_, Option<DateTime<Utc>>>(i)
                            .map_err(|e| err(i, e))?
                            .map_or(Json::Null, |t| Json::from(t.to_rfc3339_opts(SecondsFormat::Micros, true)))
                    } else if *t == Type::DATE {
                        r.try_get::<_, Option<NaiveDate>>(i)
                            .map_err(|e| err(i, e))?
                            .map_or(Json::Null, |d| Json::from(d.format("%Y-%m-%d").to_string()))
                    } else {
                        r.try_get::<_, Option<String>>(i).map_err(|e| err(i, e))?.map_or(Json::Null, Json::from)
                    });
                }
            }
        }
        Ok(Cells(out))
    }
}

/// Gives a raw cell its canonical JSON shape for the column's kind.
fn shape(kind: Kind, v: Json) -> Json {
    match (kind, v) {
        (_, Json::Null) => Json::Null,
        (Kind::Bool, Json::Number(n)) => Json::Bool(n.as_i64().unwrap_or(0) != 0),
        (Kind::Timestamp, Json::String(s)) => match DateTime::parse_from_rfc3339(&s) {
            Ok(t) => Json::from(t.with_timezone(&Utc).to_rfc3339_opts(SecondsFormat::Micros, true)),
            Err(_) => Json::String(s),
        },
        (_, v) => v,
    }
}

/// The bound value of a JSON cell for a column of `kind`.
fn value(kind: Kind, v: &Json) -> Value {
    match kind {
        Kind::Id | Kind::BigInt => Value::BigInt(v.as_i64()),
        Kind::Text => Value::String(v.as_str().map(str::to_string)),
        Kind::Bool => Value::Bool(v.as_bool()),
        Kind::Timestamp => Value::ChronoDateTimeUtc(
            v.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()).map(|t| t.with_timezone(&Utc)),
        ),
        Kind::Date => Value::ChronoDate(v.as_str().and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())),
    }
}

/// Every row of `table` where `column = id`, ordered by id.
pub async fn rows_where(tx: &mut Tx, table: &'static str, column: &'static str, id: i64) -> Result<Vec<JsonRow>, StoreError> {
    let cols = columns(table);
    let mut q = Query::select();
    q.from(table);
    for (c, _) in cols {
        q.column(*c);
    }
    q.and_where(Expr::col(column).eq(id)).order_by("id", sea_query::Order::Asc);
    let raw: Vec<Cells> = tx.fetch_all(q).await?;
    Ok(raw
        .into_iter()
        .map(|Cells(cells)| cols.iter().zip(cells).map(|((c, k), v)| (c.to_string(), shape(*k, v))).collect())
        .collect())
}

pub async fn row_by_id(tx: &mut Tx, table: &'static str, id: i64) -> Result<Option<JsonRow>, StoreError> {
    Ok(rows_where(tx, table, "id", id).await?.into_iter().next())
}

pub fn id_of(row: &JsonRow) -> i64 {
    row.get("id").and_then(Json::as_i64).unwrap_or_default()
}

pub fn int(row: &JsonRow, col: &str) -> Option<i64> {
    row.get(col).and_then(Json::as_i64)
}

pub fn text<'a>(row: &'a JsonRow, col: &str) -> Option<&'a str> {
    row.get(col).and_then(Json::as_str)
}

/// Puts a row back exactly as `row` says: updates it if its id still exists,
/// inserts it with that id otherwise (a row the merge deleted).
pub async fn restore(tx: &mut Tx, table: &'static str, row: &JsonRow) -> Result<(), StoreError> {
    let id = id_of(row);
    let cols = columns(table);
    let exists: Option<(i64,)> =
        tx.fetch_optional(Query::select().column("id").from(table).and_where(Expr::col("id").eq(id)).to_owned()).await?;
    if exists.is_some() {
        let mut q = Query::update();
        q.table(table);
        for (c, k) in cols.iter().filter(|(c, _)| *c != "id") {
            q.value(*c, value(*k, row.get(*c).unwrap_or(&Json::Null)));
        }
        q.and_where(Expr::col("id").eq(id));
        tx.execute(q).await?;
    } else {
        let q = Query::insert()
            .into_table(table)
            .columns(cols.iter().map(|(c, _)| *c))
            .values(cols.iter().map(|(c, k)| Expr::val(value(*k, row.get(*c).unwrap_or(&Json::Null)))))
            .map_err(|e| StoreError::Decode(e.to_string()))?
            .to_owned();
        tx.execute(q).await?;
    }
    Ok(())
}

/// Updates some columns of one row from JSON values (typed by the schema).
pub async fn set(tx: &mut Tx, table: &'static str, id: i64, values: &[(&str, Json)]) -> Result<u64, StoreError> {
    let cols = columns(table);
    let mut q = Query::update();
    q.table(table);
    for (c, v) in values {
        let Some((name, kind)) = cols.iter().find(|(n, _)| n == c) else {
            return Err(StoreError::Decode(format!("{table} has no column {c}")));
        };
        q.value(*name, value(*kind, v));
    }
    q.and_where(Expr::col("id").eq(id));
    tx.execute(q).await
}

pub async fn delete(tx: &mut Tx, table: &'static str, id: i64) -> Result<u64, StoreError> {
    tx.execute(Query::delete().from_table(table).and_where(Expr::col("id").eq(id)).to_owned()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_from_either_engine_have_one_json_shape() {
        assert_eq!(shape(Kind::Bool, Json::from(1)), Json::Bool(true));
        assert_eq!(shape(Kind::Bool, Json::from(0)), Json::Bool(false));
        // SQLite's stored text and PostgreSQL's timestamptz end up as the same text.
        let sqlite = shape(Kind::Timestamp, Json::from("2026-11-25T03:04:05.123456+00:00"));
        let pg = Json::from(
            DateTime::parse_from_rfc3339("2026-11-25T11:04:05.123456+08:00")
                .unwrap()
                .with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Micros, true),
        );
        assert_eq!(sqlite, pg);
        assert_eq!(shape(Kind::Text, Json::Null), Json::Null);
    }

    #[test]
    fn json_cells_bind_as_the_column_kind() {
        assert_eq!(value(Kind::BigInt, &Json::from(7)), Value::BigInt(Some(7)));
        assert_eq!(value(Kind::BigInt, &Json::Null), Value::BigInt(None));
        assert_eq!(value(Kind::Bool, &Json::Bool(true)), Value::Bool(Some(true)));
        assert_eq!(
            value(Kind::Date, &Json::from("2022-01-10")),
            Value::ChronoDate(NaiveDate::from_ymd_opt(2022, 1, 10))
        );
        let t = value(Kind::Timestamp, &Json::from("2026-11-25T03:04:05.123456Z"));
        assert!(matches!(t, Value::ChronoDateTimeUtc(Some(_))));
    }

    #[test]
    fn every_table_a_merge_touches_is_known_to_the_schema() {
        for t in ["customer", "contact_point", "consent", "customer_dealer", "relationship", "ownership", "timeline_event", "search_key", "identity_review"] {
            let cols = columns(t);
            assert_eq!(cols.first().map(|c| c.0), Some("id"), "{t}");
        }
        assert!(columns("customer").iter().any(|c| c.0 == "merged_into"));
    }
}
