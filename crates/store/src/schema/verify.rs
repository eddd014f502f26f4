//! Reads the schema an engine actually has and compares it with the definition.

use std::collections::BTreeMap;

use super::Expected;
use crate::db::sql;
use crate::{Db, Engine, StoreError};

/// What the engine's catalog says, in the same shape as [`Expected`].
pub async fn actual_schema(db: &Db) -> Result<Expected, StoreError> {
    let mut out = Expected::default();
    match db.engine() {
        Engine::Sqlite => {
            let tables: Vec<(String,)> = db
                .fetch_all(sql(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                     AND name <> 'schema_migration' ORDER BY name",
                    vec![],
                ))
                .await?;
            for (t,) in tables {
                let cols: Vec<(String, String, bool, i64)> = db
                    .fetch_all(sql(
                        "SELECT name, lower(type), \"notnull\" = 0, pk FROM pragma_table_info($1) ORDER BY cid",
                        vec![t.clone().into()],
                    ))
                    .await?;
                let cols = cols.into_iter().map(|(n, ty, nullable, pk)| (n, ty, nullable && pk == 0)).collect();
                out.tables.insert(t, cols);
            }
            let idx: Vec<(String, String, bool)> = db
                .fetch_all(sql(
                    "SELECT m.name, m.tbl_name, l.\"unique\" FROM sqlite_master m \
                     JOIN pragma_index_list(m.tbl_name) l ON l.name = m.name \
                     WHERE m.type = 'index' AND m.sql IS NOT NULL",
                    vec![],
                ))
                .await?;
            for (name, table, unique) in idx {
                let cols: Vec<(String,)> = db
                    .fetch_all(sql("SELECT name FROM pragma_index_info($1) ORDER BY seqno", vec![name.clone().into()]))
                    .await?;
                out.indexes.insert(name, (table, cols.into_iter().map(|c| c.0).collect(), unique));
            }
        }
        Engine::Postgres => {
            let cols: Vec<(String, String, String, bool)> = db
                .fetch_all(sql(
                    "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'YES' \
                     FROM information_schema.columns WHERE table_schema = current_schema() \
                     AND table_name <> 'schema_migration' ORDER BY table_name, ordinal_position",
                    vec![],
                ))
                .await?;
            let mut tables: BTreeMap<String, Vec<(String, String, bool)>> = BTreeMap::new();
            for (t, c, ty, nullable) in cols {
                tables.entry(t).or_default().push((c, ty, nullable));
            }
            out.tables = tables;
            let idx: Vec<(String, String, String, bool)> = db
                .fetch_all(sql(
                    "SELECT i.relname::text, t.relname::text, \
                            string_agg(a.attname::text, ',' ORDER BY k.ord), ix.indisunique \
                     FROM pg_index ix \
                     JOIN pg_class i ON i.oid = ix.indexrelid \
                     JOIN pg_class t ON t.oid = ix.indrelid \
                     JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema() \
                     CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) \
                     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                     WHERE NOT ix.indisprimary AND t.relname <> 'schema_migration' \
                     GROUP BY i.relname, t.relname, ix.indisunique",
                    vec![],
                ))
                .await?;
            for (name, table, cols, unique) in idx {
                out.indexes.insert(name, (table, cols.split(',').map(str::to_string).collect(), unique));
            }
        }
    }
    Ok(out)
}

/// Differences between the definition and the database, one line each; empty when
/// they match.
pub async fn verify(db: &Db) -> Result<Vec<String>, StoreError> {
    let want = super::expected(crate::migrations::all().iter().flat_map(|m| m.changes.iter()), db.engine());
    let have = actual_schema(db).await?;
    let mut diffs = Vec::new();
    for (t, cols) in &want.tables {
        match have.tables.get(t) {
            None => diffs.push(format!("table {t} is missing")),
            Some(h) if h != cols => diffs.push(format!("table {t}: defined {cols:?}, found {h:?}")),
            _ => {}
        }
    }
    for t in have.tables.keys().filter(|t| !want.tables.contains_key(*t)) {
        diffs.push(format!("table {t} is not in the definition"));
    }
    for (i, def) in &want.indexes {
        match have.indexes.get(i) {
            None => diffs.push(format!("index {i} is missing")),
            Some(h) if h != def => diffs.push(format!("index {i}: defined {def:?}, found {h:?}")),
            _ => {}
        }
    }
    for i in have.indexes.keys().filter(|i| !want.indexes.contains_key(*i)) {
        diffs.push(format!("index {i} is not in the definition"));
    }
    Ok(diffs)
}
