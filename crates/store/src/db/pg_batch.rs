//! What one round trip of a PostgreSQL write transaction carries: the statements
//! queued since the last one, shaped to cost the server as few statements as
//! they can. The rows appended to a log table become one multi-row insert, and
//! inserts of values into different tables that follow one another become one
//! statement.

use sea_query::Value;

pub(super) enum Pending {
    Script(String),
    Write(String, Vec<Value>),
    /// A read whose rows are kept for a later `PgTx::take`.
    Read(String, Vec<Value>, usize),
    /// A row of a log table (see `Tx::append`).
    Append { table: &'static str, columns: &'static [&'static str], row: Vec<Value> },
}

/// Rows of one log table per statement at most (well under PostgreSQL's 65,535
/// parameters for any table here).
const APPEND_ROWS: usize = 200;

/// The appended rows of each table become one multi-row insert, after the other
/// writes queued with them and before the next read or script (a prefetched read,
/// a savepoint, the commit), so whatever runs after them sees them.
fn coalesce(pending: Vec<Pending>) -> Vec<Pending> {
    type Group = (&'static str, &'static [&'static str], Vec<Value>, usize);
    fn emit(out: &mut Vec<Pending>, groups: &mut Vec<Group>) {
        for (table, columns, values, rows) in groups.drain(..) {
            let k = columns.len();
            let mut values = values.into_iter();
            let mut left = rows;
            while left > 0 {
                let n = left.min(APPEND_ROWS);
                out.push(Pending::Write(super::insert_rows_text(table, columns, n), values.by_ref().take(n * k).collect()));
                left -= n;
            }
        }
    }
    let mut out = Vec::with_capacity(pending.len());
    let mut groups: Vec<Group> = vec![];
    for p in pending {
        match p {
            Pending::Append { table, columns, row } => match groups.iter_mut().find(|g| g.0 == table && g.1 == columns) {
                Some(g) => {
                    g.2.extend(row);
                    g.3 += 1;
                }
                None => groups.push((table, columns, row, 1)),
            },
            Pending::Write(..) => out.push(p),
            Pending::Read(..) | Pending::Script(_) => {
                emit(&mut out, &mut groups);
                out.push(p);
            }
        }
    }
    emit(&mut out, &mut groups);
    out
}

/// The pending statements as they go out.
pub(super) fn batch(pending: Vec<Pending>) -> Vec<Pending> {
    merge_inserts(coalesce(pending))
}

/// Inserts in one merged statement at most, and their parameters: the texts a
/// connection prepares stay few, and far from PostgreSQL's 65,535 parameters.
const MERGE_STATEMENTS: usize = 8;
const MERGE_PARAMS: usize = 2_000;

/// Runs of inserts of values into different tables, each run as one statement,
/// `WITH w1 AS (INSERT …), w2 AS (INSERT …) INSERT …`: the server starts one
/// executor for the run instead of one per insert. The statements of a run cannot
/// see each other's rows, which an insert of values does not look for (none
/// merged has a `SELECT`); a foreign key from one to another is checked, and
/// `AFTER` row triggers (the screen-pop cards') fire, when the whole statement
/// ends. Two inserts into one table stay in different statements (an
/// `ON CONFLICT` must see the rows before it).
fn merge_inserts(pending: Vec<Pending>) -> Vec<Pending> {
    let mut out = Vec::with_capacity(pending.len());
    let mut run: Vec<(String, String, Vec<Value>)> = vec![];
    for p in pending {
        let Pending::Write(sql, values) = p else {
            end_run(&mut out, &mut run);
            out.push(p);
            continue;
        };
        let Some(table) = inserted_table(&sql).map(str::to_string) else {
            end_run(&mut out, &mut run);
            out.push(Pending::Write(sql, values));
            continue;
        };
        let params: usize = run.iter().map(|r| r.2.len()).sum();
        if run.len() == MERGE_STATEMENTS || params + values.len() > MERGE_PARAMS || run.iter().any(|r| r.0 == table) {
            end_run(&mut out, &mut run);
        }
        run.push((table, sql, values));
    }
    end_run(&mut out, &mut run);
    out
}

fn end_run(out: &mut Vec<Pending>, run: &mut Vec<(String, String, Vec<Value>)>) {
    // A run of one goes out as it was queued.
    if run.len() < 2 {
        out.extend(run.drain(..).map(|(_, sql, values)| Pending::Write(sql, values)));
        return;
    }
    let mut parts = Vec::with_capacity(run.len());
    let mut values = vec![];
    for (_, sql, v) in run.drain(..) {
        parts.push(shift_params(&sql, values.len()));
        values.extend(v);
    }
    let last = parts.pop().unwrap_or_default();
    let ctes: Vec<String> = parts.iter().enumerate().map(|(i, p)| format!("w{} AS ({p})", i + 1)).collect();
    out.push(Pending::Write(format!("WITH {} {last}", ctes.join(", ")), values));
}

/// The table a statement inserts values into, when it may be merged: a single
/// `INSERT INTO t (…) VALUES …` (an `ON CONFLICT` clause allowed) that reads no
/// table and returns nothing.
fn inserted_table(sql: &str) -> Option<&str> {
    let rest = sql.strip_prefix("INSERT INTO ")?;
    let table = rest.split([' ', '(']).next()?.trim_matches('"');
    let plain = rest.contains(" VALUES ") && !rest.contains("SELECT") && !rest.contains("RETURNING") && !rest.contains(';');
    (plain && !table.is_empty()).then_some(table)
}

/// `sql` with every placeholder `$n` outside quotes renumbered `$(n + offset)`.
fn shift_params(sql: &str, offset: usize) -> String {
    if offset == 0 {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        match (c, quote) {
            ('\'' | '"', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            ('$', None) if chars.peek().is_some_and(char::is_ascii_digit) => {
                let mut n = 0usize;
                while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                    n = n * 10 + d as usize;
                    chars.next();
                }
                out.push_str(&(n + offset).to_string());
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const AUDIT: &[&str] = &["a", "b"];
    const TIMELINE: &[&str] = &["c"];

    fn shape(p: &[Pending]) -> Vec<String> {
        p.iter()
            .map(|p| match p {
                Pending::Script(s) => format!("script {s}"),
                Pending::Write(sql, v) => format!("{sql} {}", v.len()),
                Pending::Read(sql, _, slot) => format!("read {slot} {sql}"),
                Pending::Append { table, .. } => format!("append {table}"),
            })
            .collect()
    }

    fn append(table: &'static str, columns: &'static [&'static str]) -> Pending {
        Pending::Append { table, columns, row: columns.iter().map(|_| Value::from(1i64)).collect() }
    }

    #[test]
    fn appended_rows_of_a_table_become_one_insert_before_the_next_read_or_script() {
        let pending = vec![
            Pending::Script("BEGIN".into()),
            append("audit_event", AUDIT),
            Pending::Write("INSERT INTO lead".into(), vec![]),
            append("timeline_event", TIMELINE),
            append("audit_event", AUDIT),
            append("timeline_event", TIMELINE),
            Pending::Read("SELECT 1".into(), vec![], 7),
            append("audit_event", AUDIT),
            Pending::Script("COMMIT".into()),
        ];
        assert_eq!(
            shape(&coalesce(pending)),
            [
                "script BEGIN",
                "INSERT INTO lead 0",
                "INSERT INTO audit_event (a, b) VALUES ($1, $2), ($3, $4) 4",
                "INSERT INTO timeline_event (c) VALUES ($1), ($2) 2",
                "read 7 SELECT 1",
                "INSERT INTO audit_event (a, b) VALUES ($1, $2) 2",
                "script COMMIT",
            ]
        );
    }

    #[test]
    fn a_long_run_of_appended_rows_is_split_into_statements_of_bounded_size() {
        let pending: Vec<Pending> = (0..APPEND_ROWS * 2 + 1).map(|_| append("audit_event", AUDIT)).collect();
        let out = coalesce(pending);
        let sizes: Vec<usize> = out
            .iter()
            .map(|p| match p {
                Pending::Write(_, v) => v.len() / AUDIT.len(),
                _ => 0,
            })
            .collect();
        assert_eq!(sizes, [APPEND_ROWS, APPEND_ROWS, 1]);
    }

    fn write(sql: &str, n: usize) -> Pending {
        Pending::Write(sql.into(), (0..n as i64).map(Value::from).collect())
    }

    fn values(p: &Pending) -> Vec<i64> {
        match p {
            Pending::Write(_, v) => v.iter().map(|v| if let Value::BigInt(Some(n)) = v { *n } else { -1 }).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn a_captures_writes_go_out_as_one_statement_before_the_commit() {
        let pending = vec![
            write("INSERT INTO customer_dealer (a, b) VALUES ($1, $2) ON CONFLICT (a) DO UPDATE SET b = excluded.b WHERE customer_dealer.b IS NULL", 2),
            write("INSERT INTO lead (a) VALUES ($1)", 1),
            write("INSERT INTO lead_activity (a, b) VALUES ($1, $2)", 2),
            append("audit_event", AUDIT),
            append("timeline_event", TIMELINE),
            append("timeline_event", TIMELINE),
            Pending::Script("COMMIT".into()),
        ];
        let out = batch(pending);
        assert_eq!(
            shape(&out),
            [
                "WITH w1 AS (INSERT INTO customer_dealer (a, b) VALUES ($1, $2) ON CONFLICT (a) DO UPDATE SET b = excluded.b \
                 WHERE customer_dealer.b IS NULL), w2 AS (INSERT INTO lead (a) VALUES ($3)), \
                 w3 AS (INSERT INTO lead_activity (a, b) VALUES ($4, $5)), w4 AS (INSERT INTO audit_event (a, b) VALUES ($6, $7)) \
                 INSERT INTO timeline_event (c) VALUES ($8), ($9) 9",
                "script COMMIT",
            ]
        );
        // The values follow the statements they belong to.
        assert_eq!(values(&out[0]), [0, 1, 0, 0, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn a_second_insert_into_a_table_or_any_other_statement_ends_a_merged_run() {
        let pending = vec![
            write("INSERT INTO a (x) VALUES ($1)", 1),
            write("INSERT INTO b (x) VALUES ($1)", 1),
            write("INSERT INTO a (x) VALUES ($1) ON CONFLICT DO NOTHING", 1),
            write("UPDATE c SET x = $1 WHERE id = $2", 2),
            write("INSERT INTO d (x) SELECT x FROM a WHERE id = $1", 1),
            write("DELETE FROM e WHERE id = $1", 1),
            write("INSERT INTO f (x) VALUES ($1) RETURNING id", 1),
            Pending::Read("SELECT 1".into(), vec![], 1),
            write("INSERT INTO g (x) VALUES ($1)", 1),
        ];
        assert_eq!(
            shape(&batch(pending)),
            [
                "WITH w1 AS (INSERT INTO a (x) VALUES ($1)) INSERT INTO b (x) VALUES ($2) 2",
                "INSERT INTO a (x) VALUES ($1) ON CONFLICT DO NOTHING 1",
                "UPDATE c SET x = $1 WHERE id = $2 2",
                "INSERT INTO d (x) SELECT x FROM a WHERE id = $1 1",
                "DELETE FROM e WHERE id = $1 1",
                "INSERT INTO f (x) VALUES ($1) RETURNING id 1",
                "read 1 SELECT 1",
                "INSERT INTO g (x) VALUES ($1) 1",
            ]
        );
    }

    #[test]
    fn a_merged_run_stays_within_its_bounds() {
        let many: Vec<Pending> = (0..MERGE_STATEMENTS + 1).map(|i| write(&format!("INSERT INTO t{i} (x) VALUES ($1)"), 1)).collect();
        assert_eq!(batch(many).len(), 2);
        let wide = vec![write("INSERT INTO a (x) VALUES ($1)", MERGE_PARAMS - 1), write("INSERT INTO b (x) VALUES ($1)", 2)];
        assert_eq!(batch(wide).len(), 2);
    }

    #[test]
    fn placeholders_in_quotes_are_not_renumbered() {
        assert_eq!(
            shift_params(r#"INSERT INTO "t" (a, b, c) VALUES ($1, '$2 it''s $3', $12)"#, 5),
            r#"INSERT INTO "t" (a, b, c) VALUES ($6, '$2 it''s $3', $17)"#
        );
        assert_eq!(inserted_table(r#"INSERT INTO "lead" ("a") VALUES ($1)"#), Some("lead"));
    }

    proptest! {
        /// However many inserts are merged, the placeholders of the statement are
        /// $1…$n in order and the values are those of the inserts, in order.
        #[test]
        fn merged_placeholders_number_the_values_in_order(sizes in proptest::collection::vec(1usize..12, 1..MERGE_STATEMENTS)) {
            let pending: Vec<Pending> = sizes
                .iter()
                .enumerate()
                .map(|(t, &n)| {
                    let holders = (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
                    Pending::Write(format!("INSERT INTO t{t} (x) VALUES ({holders})"), (0..n).map(|i| Value::from((t * 100 + i) as i64)).collect())
                })
                .collect();
            let out = batch(pending);
            prop_assert_eq!(out.len(), 1);
            let Pending::Write(text, _) = &out[0] else { panic!("a write") };
            let total: usize = sizes.iter().sum();
            let numbers: Vec<usize> = text.split('$').skip(1).map(|s| s.chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()).collect();
            prop_assert_eq!(numbers, (1..=total).collect::<Vec<_>>());
            let expected: Vec<i64> = sizes.iter().enumerate().flat_map(|(t, &n)| (0..n).map(move |i| (t * 100 + i) as i64)).collect();
            prop_assert_eq!(values(&out[0]), expected);
        }
    }
}
