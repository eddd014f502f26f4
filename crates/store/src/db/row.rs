use chrono::{DateTime, Utc};

use crate::StoreError;

/// One result row of either engine.
pub enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Pg(&'a tokio_postgres::Row),
}

/// A column value readable from both engines (integers are BIGINT everywhere,
/// timestamps `timestamptz` on PostgreSQL and fixed-width UTC text on SQLite).
pub trait Col: Sized {
    fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self>;
    fn from_pg(row: &tokio_postgres::Row, idx: usize) -> Result<Self, tokio_postgres::Error>;
}

/// Types both drivers decode the same way (and their `Option`s).
macro_rules! col_by_driver {
    ($($t:ty),*) => {$(
        impl Col for $t {
            fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self> {
                row.get(idx)
            }
            fn from_pg(row: &tokio_postgres::Row, idx: usize) -> Result<Self, tokio_postgres::Error> {
                row.try_get(idx)
            }
        }
        impl Col for Option<$t> {
            fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self> {
                row.get(idx)
            }
            fn from_pg(row: &tokio_postgres::Row, idx: usize) -> Result<Self, tokio_postgres::Error> {
                row.try_get(idx)
            }
        }
    )*};
}
col_by_driver!(i64, i32, f64, bool, String, Vec<u8>, chrono::NaiveDate, serde_json::Value);

impl Col for DateTime<Utc> {
    fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self> {
        match Option::<DateTime<Utc>>::from_sqlite(row, idx)? {
            Some(t) => Ok(t),
            None => Err(rusqlite::Error::InvalidColumnType(idx, "NULL".into(), rusqlite::types::Type::Null)),
        }
    }
    fn from_pg(row: &tokio_postgres::Row, idx: usize) -> Result<Self, tokio_postgres::Error> {
        row.try_get(idx)
    }
}

impl Col for Option<DateTime<Utc>> {
    /// Timestamps are stored in one fixed-width form ([`super::params::sqlite_timestamp`]);
    /// it is read directly, and anything else through the driver's general parser.
    fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self> {
        if let rusqlite::types::ValueRef::Text(t) = row.get_ref(idx)?
            && let Some(at) = parse_sqlite_timestamp(t)
        {
            return Ok(Some(at));
        }
        row.get(idx)
    }
    fn from_pg(row: &tokio_postgres::Row, idx: usize) -> Result<Self, tokio_postgres::Error> {
        row.try_get(idx)
    }
}

/// `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`, the form every timestamp is written in.
fn parse_sqlite_timestamp(t: &[u8]) -> Option<DateTime<Utc>> {
    if t.len() != 32 || &t[26..] != b"+00:00" || t[4] != b'-' || t[7] != b'-' || t[10] != b'T' || t[13] != b':' || t[16] != b':' || t[19] != b'.' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        t[r].iter().try_fold(0u32, |n, &b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
    };
    let date = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let time = chrono::NaiveTime::from_hms_micro_opt(num(11..13)?, num(14..16)?, num(17..19)?, num(20..26)?)?;
    Some(date.and_time(time).and_utc())
}

impl Row<'_> {
    pub fn get<T: Col>(&self, idx: usize) -> Result<T, StoreError> {
        match self {
            Row::Sqlite(r) => T::from_sqlite(r, idx).map_err(|e| StoreError::Decode(format!("column {idx}: {e}"))),
            Row::Pg(r) => T::from_pg(r, idx).map_err(|e| StoreError::Decode(format!("column {idx}: {e}"))),
        }
    }
}

/// Builds a value from a result row, reading columns by position.
pub trait FromRow: Sized {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError>;
}

macro_rules! tuple_from_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Col),+> FromRow for ($($t,)+) {
            fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
                Ok(($(row.get::<$t>($i)?,)+))
            }
        }
    };
}
tuple_from_row!(A 0);
tuple_from_row!(A 0, B 1);
tuple_from_row!(A 0, B 1, C 2);
tuple_from_row!(A 0, B 1, C 2, D 3);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn stored_timestamps_read_back_exactly() {
        let at = Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 58).unwrap() + chrono::Duration::microseconds(123_456);
        let text = super::super::params::sqlite_timestamp(&at);
        assert_eq!(parse_sqlite_timestamp(text.as_bytes()), Some(at));
        // Other forms are left to the driver's general parser.
        for other in ["2024-02-29 23:59:58", "2024-02-29T23:59:58.123456+08:00", "2024-02-30T00:00:00.000000+00:00"] {
            assert_eq!(parse_sqlite_timestamp(other.as_bytes()), None, "{other}");
        }
    }
}
