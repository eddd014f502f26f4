//! Bound values, converted from sea-query's `Value` to each driver's parameter type.

use sea_query::Value;

use crate::StoreError;

/// A value bound on SQLite as it is: text and blobs are lent to SQLite, not copied,
/// and numbers need no conversion (bulk loads and imports bind millions).
pub(super) struct SqliteParam<'a>(pub &'a Value);

impl rusqlite::ToSql for SqliteParam<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput as O, Value as S, ValueRef as R};
        let int = |i: Option<i64>| i.map_or(O::Borrowed(R::Null), |i| O::Owned(S::Integer(i)));
        Ok(match self.0 {
            Value::Bool(b) => int(b.map(i64::from)),
            Value::TinyInt(i) => int(i.map(i64::from)),
            Value::SmallInt(i) => int(i.map(i64::from)),
            Value::Int(i) => int(i.map(i64::from)),
            Value::BigInt(i) => int(*i),
            Value::TinyUnsigned(i) => int(i.map(i64::from)),
            Value::SmallUnsigned(i) => int(i.map(i64::from)),
            Value::Unsigned(i) => int(i.map(i64::from)),
            Value::BigUnsigned(i) => int(i.map(|i| i as i64)),
            Value::Float(f) => f.map_or(O::Borrowed(R::Null), |f| O::Owned(S::Real(f.into()))),
            Value::Double(f) => f.map_or(O::Borrowed(R::Null), |f| O::Owned(S::Real(f))),
            Value::String(s) => s.as_ref().map_or(O::Borrowed(R::Null), |s| O::Borrowed(R::Text(s.as_bytes()))),
            Value::Char(c) => c.map_or(O::Borrowed(R::Null), |c| O::Owned(S::Text(c.to_string()))),
            Value::Bytes(b) => b.as_ref().map_or(O::Borrowed(R::Null), |b| O::Borrowed(R::Blob(b))),
            Value::Json(j) => j.as_ref().map_or(O::Borrowed(R::Null), |j| O::Owned(S::Text(j.to_string()))),
            Value::ChronoDate(d) => d.map_or(O::Borrowed(R::Null), |d| O::Owned(S::Text(sqlite_date(&d)))),
            Value::ChronoDateTimeUtc(t) => t.map_or(O::Borrowed(R::Null), |t| O::Owned(S::Text(sqlite_timestamp(&t)))),
            other => {
                return Err(rusqlite::Error::ToSqlConversionFailure(format!("unsupported parameter type {other:?}").into()));
            }
        })
    }
}

/// Timestamps are stored in SQLite as fixed-width UTC text, so they sort and
/// compare as text and read back exactly (`YYYY-MM-DDTHH:MM:SS.ffffff+00:00`).
/// Written digit by digit: chrono's format strings are parsed on every call.
pub(crate) fn sqlite_timestamp(t: &chrono::DateTime<chrono::Utc>) -> String {
    let mut s = String::with_capacity(32);
    push_timestamp(&mut s, t, 'T', "+00:00");
    s
}

/// `YYYY-MM-DD{sep}HH:MM:SS.ffffff{zone}`.
fn push_timestamp(s: &mut String, t: &chrono::DateTime<chrono::Utc>, sep: char, zone: &str) {
    use chrono::Timelike;
    let year = chrono::Datelike::year(t);
    if !(0..=9999).contains(&year) || t.nanosecond() >= 1_000_000_000 {
        s.push_str(&t.format(&format!("%Y-%m-%d{sep}%H:%M:%S%.6f{zone}")).to_string());
        return;
    }
    push_date(s, t.date_naive());
    s.push(sep);
    push_digits(s, t.hour(), 2);
    s.push(':');
    push_digits(s, t.minute(), 2);
    s.push(':');
    push_digits(s, t.second(), 2);
    s.push('.');
    push_digits(s, t.nanosecond() / 1000, 6);
    s.push_str(zone);
}

/// Dates as SQLite stores them: `YYYY-MM-DD`.
pub(crate) fn sqlite_date(d: &chrono::NaiveDate) -> String {
    if !(0..=9999).contains(&chrono::Datelike::year(d)) {
        return d.format("%Y-%m-%d").to_string();
    }
    let mut s = String::with_capacity(10);
    push_date(&mut s, *d);
    s
}

fn push_date(s: &mut String, d: chrono::NaiveDate) {
    use chrono::Datelike;
    push_digits(s, d.year() as u32, 4);
    s.push('-');
    push_digits(s, d.month(), 2);
    s.push('-');
    push_digits(s, d.day(), 2);
}

/// `n` as exactly `width` decimal digits (the callers keep `n` below 10^width).
fn push_digits(s: &mut String, n: u32, width: u32) {
    let mut div = 10u32.pow(width - 1);
    while div > 0 {
        s.push(char::from(b'0' + (n / div % 10) as u8));
        div /= 10;
    }
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
pub(super) fn copy_text(v: &Value, out: &mut String) -> Result<(), StoreError> {
    use std::fmt::Write;
    match v {
        Value::Bool(Some(b)) => out.push_str(if *b { "t" } else { "f" }),
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
        Value::ChronoDate(Some(d)) => out.push_str(&sqlite_date(d)),
        Value::ChronoDateTimeUtc(Some(t)) => push_timestamp(out, t, ' ', "+00"),
        other if *other == other.as_null() => out.push_str("\\N"),
        other => return Err(StoreError::Decode(format!("unsupported COPY value {other:?}"))),
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate, TimeZone, Utc};

    use super::*;

    #[test]
    fn timestamps_and_dates_are_written_as_chrono_would() {
        let base = Utc.with_ymd_and_hms(1999, 12, 31, 23, 59, 59).unwrap();
        for step in [0, 1, 999, 1_000_001, 86_399_999_999, 9_000_000_000_123] {
            let t = base + Duration::microseconds(step) + Duration::nanoseconds(step % 1000);
            assert_eq!(sqlite_timestamp(&t), t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string());
            let mut copy = String::new();
            copy_text(&Value::ChronoDateTimeUtc(Some(t)), &mut copy).unwrap();
            assert_eq!(copy, t.format("%Y-%m-%d %H:%M:%S%.6f+00").to_string());
            let d = t.date_naive();
            assert_eq!(sqlite_date(&d), d.format("%Y-%m-%d").to_string());
        }
        let far = NaiveDate::from_ymd_opt(12345, 1, 2).unwrap();
        assert_eq!(sqlite_date(&far), far.format("%Y-%m-%d").to_string());
    }
}
