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

impl<T> Col for T
where
    T: rusqlite::types::FromSql + for<'a> tokio_postgres::types::FromSql<'a>,
{
    fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self> {
        row.get(idx)
    }
    fn from_pg(row: &tokio_postgres::Row, idx: usize) -> Result<Self, tokio_postgres::Error> {
        row.try_get(idx)
    }
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
