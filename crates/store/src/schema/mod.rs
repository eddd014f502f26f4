//! The schema, defined once. Migrations are lists of [`Change`]s; each renders the
//! DDL for the engine at hand (through sea-query), and folding them gives the
//! expected schema that [`verify`] compares with what the engine actually has.

mod verify;

use std::collections::BTreeMap;

use sea_query::{ColumnDef, ForeignKey, Index, PostgresQueryBuilder, SqliteQueryBuilder, Table as SeaTable};

use crate::Engine;
pub use verify::{actual_schema, verify};

/// Logical column types. Integers are 64-bit everywhere so values bind the same way
/// on both engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `id`: 64-bit auto-increment primary key.
    Id,
    BigInt,
    Text,
    Bool,
    /// A moment in time (UTC): `timestamptz` / fixed-width UTC text.
    Timestamp,
    Date,
}

impl Kind {
    /// The type name each engine reports for a column of this kind.
    pub fn catalog_name(self, engine: Engine) -> &'static str {
        match (engine, self) {
            (Engine::Sqlite, Kind::Id | Kind::BigInt) => "integer",
            (Engine::Sqlite, Kind::Text) => "text",
            (Engine::Sqlite, Kind::Bool) => "boolean",
            (Engine::Sqlite, Kind::Timestamp) => "timestamp_with_timezone_text",
            (Engine::Sqlite, Kind::Date) => "date_text",
            (Engine::Postgres, Kind::Id | Kind::BigInt) => "bigint",
            (Engine::Postgres, Kind::Text) => "text",
            (Engine::Postgres, Kind::Bool) => "boolean",
            (Engine::Postgres, Kind::Timestamp) => "timestamp with time zone",
            (Engine::Postgres, Kind::Date) => "date",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
    pub references: Option<&'static str>,
    pub default: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct TableDef {
    pub name: &'static str,
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone)]
pub struct IndexDef {
    pub name: &'static str,
    pub table: &'static str,
    pub columns: Vec<&'static str>,
    pub unique: bool,
    /// A partial index's predicate, in SQL both engines read alike.
    pub predicate: Option<&'static str>,
}

/// One step of a migration.
#[derive(Debug, Clone)]
pub enum Change {
    CreateTable(TableDef),
    AddColumn(&'static str, Column),
    CreateIndex(IndexDef),
    /// `table`, `column`: a column nothing reads any more (not indexed, no foreign key).
    DropColumn(&'static str, &'static str),
    /// An index by name.
    DropIndex(&'static str),
    /// Engine-specific SQL for what has no portable form (triggers). Use sparingly.
    Raw { sqlite: &'static str, postgres: &'static str },
}

/// Builder for a table: `table("dealer").text("code").fk("region_id", "region")…`.
pub fn table(name: &'static str) -> TableDef {
    TableDef { name, columns: vec![Column { name: "id", kind: Kind::Id, nullable: false, references: None, default: None }] }
}

impl TableDef {
    fn col(mut self, name: &'static str, kind: Kind, nullable: bool) -> Self {
        self.columns.push(Column { name, kind, nullable, references: None, default: None });
        self
    }
    pub fn text(self, name: &'static str) -> Self {
        self.col(name, Kind::Text, false)
    }
    pub fn text_null(self, name: &'static str) -> Self {
        self.col(name, Kind::Text, true)
    }
    pub fn bigint(self, name: &'static str) -> Self {
        self.col(name, Kind::BigInt, false)
    }
    pub fn bigint_null(self, name: &'static str) -> Self {
        self.col(name, Kind::BigInt, true)
    }
    pub fn boolean(self, name: &'static str) -> Self {
        self.col(name, Kind::Bool, false)
    }
    pub fn timestamp(self, name: &'static str) -> Self {
        self.col(name, Kind::Timestamp, false)
    }
    pub fn timestamp_null(self, name: &'static str) -> Self {
        self.col(name, Kind::Timestamp, true)
    }
    pub fn date(self, name: &'static str) -> Self {
        self.col(name, Kind::Date, false)
    }
    pub fn date_null(self, name: &'static str) -> Self {
        self.col(name, Kind::Date, true)
    }
    /// A foreign key to `target.id`.
    pub fn fk(mut self, name: &'static str, target: &'static str, nullable: bool) -> Self {
        self.columns.push(Column { name, kind: Kind::BigInt, nullable, references: Some(target), default: None });
        self
    }
    /// The bookkeeping every business table has: optimistic-concurrency version and
    /// creation/update times.
    pub fn versioned(self) -> Self {
        self.bigint("version").timestamp("created_at").timestamp("updated_at")
    }
    pub fn create(self) -> Change {
        Change::CreateTable(self)
    }
}

pub fn index(name: &'static str, table: &'static str, columns: &[&'static str]) -> Change {
    Change::CreateIndex(IndexDef { name, table, columns: columns.to_vec(), unique: false, predicate: None })
}

/// An index of the rows matching `predicate` only (`kind = 'commitment' AND done_at
/// IS NULL`): small, and a query whose WHERE repeats the predicate reads it alone.
pub fn partial(name: &'static str, table: &'static str, columns: &[&'static str], predicate: &'static str) -> Change {
    Change::CreateIndex(IndexDef { name, table, columns: columns.to_vec(), unique: false, predicate: Some(predicate) })
}

/// A unique index of the rows matching `predicate` (`key IS NOT NULL`): a sparse
/// key stays unique without an entry for every row that has none.
pub fn unique_partial(name: &'static str, table: &'static str, columns: &[&'static str], predicate: &'static str) -> Change {
    Change::CreateIndex(IndexDef { name, table, columns: columns.to_vec(), unique: true, predicate: Some(predicate) })
}

pub fn unique(name: &'static str, table: &'static str, columns: &[&'static str]) -> Change {
    Change::CreateIndex(IndexDef { name, table, columns: columns.to_vec(), unique: true, predicate: None })
}

fn column_def(c: &Column) -> ColumnDef {
    let mut d = ColumnDef::new(c.name);
    match c.kind {
        Kind::Id => {
            d.big_integer().not_null().auto_increment().primary_key();
            return d;
        }
        Kind::BigInt => d.big_integer(),
        Kind::Text => d.text(),
        Kind::Bool => d.boolean(),
        Kind::Timestamp => d.timestamp_with_time_zone(),
        Kind::Date => d.date(),
    };
    if c.nullable {
        d.null();
    } else {
        d.not_null();
    }
    if let Some(default) = c.default {
        d.default(sea_query::Expr::cust(default));
    }
    d
}

impl Change {
    /// The SQL text of this change for `engine`.
    pub fn render(&self, engine: Engine) -> String {
        macro_rules! build {
            ($stmt:expr) => {
                match engine {
                    Engine::Sqlite => $stmt.to_string(SqliteQueryBuilder),
                    Engine::Postgres => $stmt.to_string(PostgresQueryBuilder),
                }
            };
        }
        match self {
            Change::CreateTable(t) => {
                let mut stmt = SeaTable::create();
                stmt.table(t.name);
                for c in &t.columns {
                    stmt.col(column_def(c));
                    if let Some(target) = c.references {
                        stmt.foreign_key(ForeignKey::create().from(t.name, c.name).to(target, "id"));
                    }
                }
                build!(stmt)
            }
            Change::AddColumn(t, c) => {
                let mut stmt = SeaTable::alter();
                stmt.table(*t).add_column(column_def(c));
                build!(stmt)
            }
            Change::CreateIndex(i) => {
                let mut stmt = Index::create();
                stmt.name(i.name).table(i.table);
                for c in &i.columns {
                    stmt.col(*c);
                }
                if i.unique {
                    stmt.unique();
                }
                match i.predicate {
                    Some(p) => format!("{} WHERE {p}", build!(stmt)),
                    None => build!(stmt),
                }
            }
            // The same text on both engines (SQLite has had DROP COLUMN since 3.35).
            Change::DropColumn(t, c) => format!("ALTER TABLE {t} DROP COLUMN {c}"),
            Change::DropIndex(name) => format!("DROP INDEX {name}"),
            Change::Raw { sqlite, postgres } => match engine {
                Engine::Sqlite => sqlite.to_string(),
                Engine::Postgres => postgres.to_string(),
            },
        }
    }
}

/// The schema a list of changes produces: tables with their columns, and indexes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    /// table → (column, type name as the engine reports it, nullable)
    pub tables: BTreeMap<String, Vec<(String, String, bool)>>,
    /// index name → (table, columns, unique)
    pub indexes: BTreeMap<String, (String, Vec<String>, bool)>,
}

pub fn expected<'a>(changes: impl IntoIterator<Item = &'a Change>, engine: Engine) -> Expected {
    let mut out = Expected::default();
    let col = |c: &Column| (c.name.to_string(), c.kind.catalog_name(engine).to_string(), c.nullable);
    for ch in changes {
        match ch {
            Change::CreateTable(t) => {
                out.tables.insert(t.name.to_string(), t.columns.iter().map(col).collect());
            }
            Change::AddColumn(t, c) => out.tables.entry(t.to_string()).or_default().push(col(c)),
            Change::CreateIndex(i) => {
                out.indexes.insert(
                    i.name.to_string(),
                    (i.table.to_string(), i.columns.iter().map(|c| c.to_string()).collect(), i.unique),
                );
            }
            Change::DropColumn(t, c) => {
                if let Some(cols) = out.tables.get_mut(*t) {
                    cols.retain(|(name, _, _)| name != c);
                }
            }
            Change::DropIndex(name) => {
                out.indexes.remove(*name);
            }
            Change::Raw { .. } => {}
        }
    }
    out
}
