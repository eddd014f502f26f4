use sea_query::{
    DeleteStatement, InsertStatement, PostgresQueryBuilder, SelectStatement,
    SqliteQueryBuilder, UpdateStatement, Value,
};

use super::Engine;

/// Something that renders to SQL text plus bound values for an engine. Rendering
/// consumes the statement, so its values move into the driver uncopied.
pub trait Stmt {
    fn render(self, engine: Engine) -> (String, Vec<Value>);
}

macro_rules! sea_stmt {
    ($($t:ty),*) => {$(
        impl Stmt for $t {
            fn render(self, engine: Engine) -> (String, Vec<Value>) {
                (&self).render(engine)
            }
        }
        impl Stmt for &$t {
            fn render(self, engine: Engine) -> (String, Vec<Value>) {
                let (sql, values) = match engine {
                    Engine::Sqlite => self.build(SqliteQueryBuilder),
                    Engine::Postgres => self.build(PostgresQueryBuilder),
                };
                (sql, values.0)
            }
        }
    )*};
}
sea_stmt!(SelectStatement, InsertStatement, UpdateStatement, DeleteStatement);

/// Portable SQL written once with `$1`, `$2`… placeholders. SQLite gets them as
/// `?1`, `?2`… (explicitly numbered, so order and reuse are safe).
pub struct Raw {
    text: String,
    values: Vec<Value>,
}

pub fn sql(text: &str, values: Vec<Value>) -> Raw {
    Raw { text: text.to_string(), values }
}

/// `INSERT INTO table (columns) VALUES ($1, $2, …)`: the text of a one-row insert,
/// for [`sql`] with the row's values in the order of `columns`.
pub fn insert_text(table: &str, columns: &[&str]) -> String {
    insert_rows_text(table, columns, 1)
}

/// [`insert_text`] for `rows` rows: their values one row after the other.
pub fn insert_rows_text(table: &str, columns: &[&str], rows: usize) -> String {
    let k = columns.len();
    let tuples = (0..rows)
        .map(|r| format!("({})", (1..=k).map(|i| format!("${}", r * k + i)).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>();
    format!("INSERT INTO {table} ({}) VALUES {}", columns.join(", "), tuples.join(", "))
}

impl Stmt for Raw {
    fn render(self, engine: Engine) -> (String, Vec<Value>) {
        let text = match engine {
            Engine::Postgres => self.text,
            Engine::Sqlite => to_sqlite_placeholders(&self.text),
        };
        (text, self.values)
    }
}

/// SQL already in one engine's placeholder syntax: what a hot path renders once and
/// keeps (the engine it was rendered for is the caller's to match).
pub struct Rendered {
    pub text: String,
    pub values: Vec<Value>,
}

impl Stmt for Rendered {
    fn render(self, _: Engine) -> (String, Vec<Value>) {
        (self.text, self.values)
    }
}

/// `$n` outside string literals becomes `?n`. Byte-wise: `$` and `'` are ASCII, so
/// they never occur inside a multi-byte character (hot paths render every call).
fn to_sqlite_placeholders(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut copied = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\'' => in_string = !in_string,
            b'$' if !in_string && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                out.push_str(&text[copied..i]);
                out.push('?');
                copied = i + 1;
            }
            _ => {}
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_sqlite() {
        assert_eq!(
            to_sqlite_placeholders("SELECT '$1' FROM t WHERE a = $1 AND b = $12 OR c = $1"),
            "SELECT '$1' FROM t WHERE a = ?1 AND b = ?12 OR c = ?1"
        );
    }

    #[test]
    fn a_one_row_insert_numbers_its_values_in_column_order() {
        let text = insert_text("audit_event", &["at", "actor_id", "summary"]);
        assert_eq!(text, "INSERT INTO audit_event (at, actor_id, summary) VALUES ($1, $2, $3)");
        let (sqlite, values) = sql(&text, vec![1i64.into()]).render(Engine::Sqlite);
        assert_eq!((sqlite.as_str(), values.len()), ("INSERT INTO audit_event (at, actor_id, summary) VALUES (?1, ?2, ?3)", 1));
    }
}
