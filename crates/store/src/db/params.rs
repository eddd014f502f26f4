//! Bound values, converted from sea-query's `Value` to each driver's parameter type.

use sea_query::Value;

use crate::StoreError;

pub(super) fn to_sqlite(v: &Value) -> Result<rusqlite::types::Value, StoreError> {
    use rusqlite::types::Value as S;
    Ok(match v {
        Value::Bool(b) => b.map_or(S::Null, |b| S::Integer(b as i64)),
        Value::TinyInt(i) => i.map_or(S::Null, |i| S::Integer(i.into())),
        Value::SmallInt(i) => i.map_or(S::Null, |i| S::Integer(i.into())),
        Value::Int(i) => i.map_or(S::Null, |i| S::Integer(i.into())),
        Value::BigInt(i) => i.map_or(S::Null, S::Integer),
        Value::TinyUnsigned(i) => i.map_or(S::Null, |i| S::Integer(i.into())),
        Value::SmallUnsigned(i) => i.map_or(S::Null, |i| S::Integer(i.into())),
        Value::Unsigned(i) => i.map_or(S::Null, |i| S::Integer(i.into())),
        Value::BigUnsigned(i) => i.map_or(S::Null, |i| S::Integer(i as i64)),
        Value::Float(f) => f.map_or(S::Null, |f| S::Real(f.into())),
        Value::Double(f) => f.map_or(S::Null, S::Real),
        Value::String(s) => s.as_ref().map_or(S::Null, |s| S::Text(s.clone())),
        Value::Char(c) => c.map_or(S::Null, |c| S::Text(c.to_string())),
        Value::Bytes(b) => b.as_ref().map_or(S::Null, |b| S::Blob(b.clone())),
        Value::Json(j) => j.as_ref().map_or(S::Null, |j| S::Text(j.to_string())),
        Value::ChronoDate(d) => d.map_or(S::Null, |d| S::Text(d.format("%Y-%m-%d").to_string())),
        Value::ChronoDateTimeUtc(t) => t.map_or(S::Null, |t| S::Text(sqlite_timestamp(&t))),
        other => return Err(StoreError::Decode(format!("unsupported parameter type {other:?}"))),
    })
}

/// Timestamps are stored in SQLite as fixed-width UTC text, so they sort and
/// compare as text and rusqlite reads them back as `DateTime<Utc>`.
pub(crate) fn sqlite_timestamp(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

pub(super) type PgParam = Box<dyn tokio_postgres::types::ToSql + Sync + Send>;

pub(super) fn to_pg(v: &Value) -> Result<PgParam, StoreError> {
    Ok(match v {
        Value::Bool(b) => Box::new(*b),
        Value::TinyInt(i) => Box::new(i.map(i64::from)),
        Value::SmallInt(i) => Box::new(i.map(i64::from)),
        Value::Int(i) => Box::new(i.map(i64::from)),
        Value::BigInt(i) => Box::new(*i),
        Value::TinyUnsigned(i) => Box::new(i.map(i64::from)),
        Value::SmallUnsigned(i) => Box::new(i.map(i64::from)),
        Value::Unsigned(i) => Box::new(i.map(i64::from)),
        Value::BigUnsigned(i) => Box::new(i.map(|i| i as i64)),
        Value::Float(f) => Box::new(f.map(f64::from)),
        Value::Double(f) => Box::new(*f),
        Value::String(s) => Box::new(s.clone()),
        Value::Char(c) => Box::new(c.map(|c| c.to_string())),
        Value::Bytes(b) => Box::new(b.clone()),
        Value::Json(j) => Box::new(j.as_ref().map(|j| j.to_string())),
        Value::ChronoDate(d) => Box::new(*d),
        Value::ChronoDateTimeUtc(t) => Box::new(*t),
        other => return Err(StoreError::Decode(format!("unsupported parameter type {other:?}"))),
    })
}

/// The text form of a value inside a PostgreSQL `COPY … (FORMAT text)` stream.
pub(super) fn copy_text(v: &Value, out: &mut String) {
    use std::fmt::Write;
    let null = "\\N";
    match v {
        Value::Bool(b) => out.push_str(b.map_or(null, |b| if b { "t" } else { "f" })),
        Value::BigInt(Some(i)) => {
            let _ = write!(out, "{i}");
        }
        Value::Int(Some(i)) => {
            let _ = write!(out, "{i}");
        }
        Value::Double(Some(f)) => {
            let _ = write!(out, "{f}");
        }
        Value::String(Some(s)) => escape_copy(s, out),
        Value::Json(Some(j)) => escape_copy(&j.to_string(), out),
        Value::ChronoDate(Some(d)) => {
            let _ = write!(out, "{}", d.format("%Y-%m-%d"));
        }
        Value::ChronoDateTimeUtc(Some(t)) => {
            let _ = write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S%.6f+00"));
        }
        _ => out.push_str(null),
    }
}

fn escape_copy(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}
