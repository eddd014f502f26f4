//! Bulk import of customers and vehicles from CSV and Excel, with a dry run, a
//! row-by-row report and identity resolution; and export of lists.
//!
//! A dealer that joins the pilot brings its customer list as a spreadsheet. The
//! import reads it ([`read`]), proposes what each column means ([`fields`]),
//! checks every row with the domain's validators ([`validate`]), finds who is
//! already on file by mobile, ID number, USCC or verified e-mail ([`run`]) and
//! shows the outcome before anything is written. The commit writes only the valid
//! rows, in batches; running the same file again creates nothing new.

pub mod export;
pub mod fields;
pub mod read;
pub mod run;
pub mod validate;

use autocrm_domain::FieldError;
use autocrm_domain::access::Scope;
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Order};
use serde::{Deserialize, Serialize};

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::{FromRow, Row, sql};
use crate::scope::{self, Scoped};
use crate::{Db, StoreError, now};
use fields::Column;
use read::Table;
use run::{Outcome, Pass, RowOutcome, Writing};

/// Jobs are visible where their dealer is in scope (OEM imports to the OEM).
pub const IMPORT_JOB: Scoped = Scoped::by_dealer("import_job", "dealer_id");

/// One thing wrong with one row: the row number in the file, the column header,
/// the value found and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    pub row: usize,
    pub column: String,
    pub value: String,
    /// A fixed English sentence (the UI translates it).
    pub reason: String,
    /// What the reason refers to: the earlier row, the customer on file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Problem {
    pub fn new(row: usize, column: &str, value: &str, reason: &str) -> Problem {
        Problem { row, column: column.into(), value: value.into(), reason: reason.into(), detail: None }
    }

    pub fn detail(mut self, d: String) -> Problem {
        self.detail = Some(d);
        self
    }
}

/// What the dry run (or the commit) found, kept on the job.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    pub mapping_errors: Vec<String>,
    pub problems: Vec<Problem>,
    pub rows: Vec<RowOutcome>,
    pub new: u64,
    pub link: u64,
}

/// An import job: the file, the mapping, what the dry run found, and — once
/// committed — what was written.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub filename: String,
    /// `previewed` (dry run done, nothing written), `committing`, `done`, `failed`.
    pub status: String,
    pub dealer_id: Option<i64>,
    pub total_rows: i64,
    pub valid_rows: i64,
    pub invalid_rows: i64,
    /// Dry run: rows that will create a customer / link to one.
    pub new_count: u64,
    pub link_count: u64,
    /// Commit: rows that created a customer / were linked so far.
    pub created_count: i64,
    pub linked_count: i64,
    pub mapping: Vec<Column>,
    pub mapping_errors: Vec<String>,
    pub problems: Vec<Problem>,
    /// Each row's outcome, in file order.
    pub rows: Vec<RowOutcome>,
    pub actor_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Job {
    /// Rows written so far during a commit, of `valid_rows`.
    pub fn done(&self) -> i64 {
        self.created_count + self.linked_count
    }
}

const JOB_COLUMNS: [&str; 15] = [
    "id", "kind", "filename", "status", "dealer_id", "total_rows", "valid_rows", "invalid_rows", "created_count", "linked_count",
    "mapping", "report", "actor_id", "created_at", "finished_at",
];

impl FromRow for Job {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let mapping: Option<String> = r.get(10)?;
        let report: Option<String> = r.get(11)?;
        let report: Report = report.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default();
        Ok(Job {
            id: r.get(0)?,
            kind: r.get(1)?,
            filename: r.get(2)?,
            status: r.get(3)?,
            dealer_id: r.get(4)?,
            total_rows: r.get(5)?,
            valid_rows: r.get(6)?,
            invalid_rows: r.get(7)?,
            created_count: r.get(8)?,
            linked_count: r.get(9)?,
            mapping: mapping.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default(),
            mapping_errors: report.mapping_errors,
            problems: report.problems,
            rows: report.rows,
            new_count: report.new,
            link_count: report.link,
            actor_id: r.get(12)?,
            created_at: r.get(13)?,
            finished_at: r.get(14)?,
        })
    }
}

/// The summary of a job for lists and progress polling (no report).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JobSummary {
    pub id: i64,
    pub filename: String,
    pub status: String,
    pub total_rows: i64,
    pub valid_rows: i64,
    pub invalid_rows: i64,
    pub created_count: i64,
    pub linked_count: i64,
    pub created_at: DateTime<Utc>,
}

impl FromRow for JobSummary {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(JobSummary {
            id: r.get(0)?,
            filename: r.get(1)?,
            status: r.get(2)?,
            total_rows: r.get(3)?,
            valid_rows: r.get(4)?,
            invalid_rows: r.get(5)?,
            created_count: r.get(6)?,
            linked_count: r.get(7)?,
            created_at: r.get(8)?,
        })
    }
}

fn invalid(field: &str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(FieldError::new(field, message))
}

/// The dealer the imported customers are linked to: a store's staff import for
/// their store; a group manager names one of the group's stores; OEM staff may name
/// any dealer or none (customers of the OEM only).
pub async fn import_dealer(db: &Db, actor: &Actor, requested: Option<i64>) -> Result<Option<i64>, StoreError> {
    match (actor.scope, requested) {
        (Scope::Dealer { dealer_id } | Scope::Own { dealer_id, .. }, None) => Ok(Some(dealer_id)),
        (Scope::Oem, None) => Ok(None),
        (_, None) => Err(invalid("dealer", "is required: choose the store the customers belong to")),
        (scope, Some(d)) => {
            if scope::dealer_visible(db, &scope, d).await? {
                Ok(Some(d))
            } else {
                Err(invalid("dealer", "is not a dealer you can import for"))
            }
        }
    }
}

/// The dealer id of a dealer code (the command line's `--dealer`).
pub async fn dealer_by_code(db: &Db, code: &str) -> Result<i64, StoreError> {
    db.fetch_optional::<(i64,)>(sql("SELECT id FROM dealer WHERE code = $1", vec![code.trim().into()]))
        .await?
        .map(|r| r.0)
        .ok_or_else(|| invalid("dealer", format!("no dealer has the code {code:?}")))
}

fn today() -> chrono::NaiveDate {
    (now() + chrono::Duration::hours(8)).date_naive()
}

/// Validates every row and resolves identities without writing anything (or,
/// with `write`, writes the valid rows batch by batch, reporting progress).
async fn pass(
    db: &Db,
    table: &Table,
    mapping: &[Column],
    write: Option<&Writing<'_>>,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<(Report, u64, u64, Vec<i64>), StoreError> {
    let mapping_errors = fields::check(mapping);
    let mut report = Report { mapping_errors: mapping_errors.clone(), problems: table.problems.clone(), ..Report::default() };
    let total = (table.rows.len() + table.problems.len()) as u64;
    if !mapping_errors.is_empty() {
        return Ok((report, total, 0, vec![]));
    }
    let today = today();
    // Sized up front: grown by doubling, it would copy its rows into fresh memory
    // each time (the first touch of memory is dear on a virtual machine).
    let mut valid = Vec::with_capacity(table.rows.len());
    let mut p = Pass::new(mapping);
    for (row, cells) in &table.rows {
        match validate::validate(*row, cells, mapping, today) {
            Ok(r) => valid.push(r),
            Err(problems) => {
                p.problems.extend(problems);
                p.outcomes.push(RowOutcome {
                    row: *row,
                    outcome: Outcome::Invalid,
                    customer_no: None,
                    name: mapping
                        .iter()
                        .find(|c| c.field == Some(fields::Field::Name))
                        .and_then(|c| cells.get(c.index))
                        .cloned()
                        .unwrap_or_default(),
                    mobile: None,
                    vin: None,
                    same_as_row: None,
                });
            }
        }
    }
    let n = valid.len() as u64;
    let mut done = 0u64;
    let size = run::batch_size(db.engine());
    let batches = valid.len().div_ceil(size);
    for (i, batch) in valid.chunks(size).enumerate() {
        p.batch(db, batch, write, i + 1 == batches).await?;
        done += batch.len() as u64;
        progress(done, n);
    }
    for problem in &table.problems {
        p.outcomes.push(RowOutcome {
            row: problem.row,
            outcome: Outcome::Invalid,
            customer_no: None,
            name: String::new(),
            mobile: None,
            vin: None,
            same_as_row: None,
        });
    }
    p.outcomes.sort_by_key(|o| o.row);
    report.problems.extend(std::mem::take(&mut p.problems));
    report.problems.sort_by_key(|p| p.row);
    let invalid_rows = p.outcomes.iter().filter(|o| o.outcome == Outcome::Invalid).count() as u64;
    let created = p.created_ids();
    report.new = p.new;
    report.link = p.link;
    report.rows = std::mem::take(&mut p.outcomes);
    Ok((report, total, total - invalid_rows, created))
}

/// Reads an uploaded file, proposes the mapping (with the user's `overrides`),
/// dry-runs it and keeps the job and the file for the commit. Nothing else is written.
pub async fn start(
    db: &Db,
    actor: &Actor,
    filename: &str,
    bytes: &[u8],
    dealer: Option<i64>,
    overrides: &[(String, String)],
) -> Result<Job, StoreError> {
    let dealer_id = import_dealer(db, actor, dealer).await?;
    let table = read::read(filename, bytes).map_err(|m| invalid("file", m))?;
    if table.headers.is_empty() {
        return Err(invalid("file", read::NOT_A_TABLE));
    }
    let mut mapping = fields::detect_mapping(&table.headers);
    if !overrides.is_empty() {
        fields::apply_overrides(&mut mapping, overrides).map_err(|e| invalid("mapping", e.join("; ")))?;
    }
    let (report, total, valid, _) = pass(db, &table, &mapping, None, &|_, _| {}).await?;
    let hash = {
        use sha2::{Digest, Sha256};
        Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let content = serde_json::to_string(&table).map_err(|e| StoreError::Decode(e.to_string()))?;
    let mut tx = db.begin().await?;
    let id = tx
        .insert_returning_id(sql(
            "INSERT INTO import_job (kind, filename, file_hash, status, total_rows, valid_rows, invalid_rows, created_count, linked_count, mapping, report, actor_id, dealer_id, created_at) \
             VALUES ('customers', $1, $2, 'previewed', $3, $4, $5, 0, 0, $6, $7, $8, $9, $10)",
            vec![
                filename.into(),
                hash.into(),
                (total as i64).into(),
                (valid as i64).into(),
                ((total - valid) as i64).into(),
                to_json(&mapping)?.into(),
                to_json(&report)?.into(),
                actor.audit_id().into(),
                dealer_id.into(),
                now().into(),
            ],
        ))
        .await?;
    tx.execute(sql(
        "INSERT INTO import_file (import_job_id, content, created_at) VALUES ($1, $2, $3)",
        vec![id.into(), content.into(), now().into()],
    ))
    .await?;
    tx.commit().await?;
    get(db, &actor.scope, id).await
}

fn to_json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Decode(e.to_string()))
}

/// One job within scope.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Job, StoreError> {
    let mut q = scope::select(scope, &IMPORT_JOB);
    for c in JOB_COLUMNS {
        q.column(("import_job", c));
    }
    q.and_where(Expr::col(("import_job", "id")).eq(id));
    db.fetch_optional(q).await?.ok_or(StoreError::NotFound)
}

/// Status and counts only (for polling while a commit runs).
pub async fn summary(db: &Db, scope: &Scope, id: i64) -> Result<JobSummary, StoreError> {
    let mut q = summary_query(scope);
    q.and_where(Expr::col(("import_job", "id")).eq(id));
    db.fetch_optional(q).await?.ok_or(StoreError::NotFound)
}

fn summary_query(scope: &Scope) -> sea_query::SelectStatement {
    let mut q = scope::select(scope, &IMPORT_JOB);
    for c in ["id", "filename", "status", "total_rows", "valid_rows", "invalid_rows", "created_count", "linked_count", "created_at"] {
        q.column(("import_job", c));
    }
    q
}

/// The most recent jobs within scope.
pub async fn recent(db: &Db, scope: &Scope, limit: u64) -> Result<Vec<JobSummary>, StoreError> {
    let mut q = summary_query(scope);
    q.order_by(("import_job", "id"), Order::Desc).limit(limit);
    db.fetch_all(q).await
}

async fn file_of(db: &Db, id: i64) -> Result<Table, StoreError> {
    let (content,): (String,) =
        db.fetch_one(sql("SELECT content FROM import_file WHERE import_job_id = $1", vec![id.into()])).await?;
    serde_json::from_str(&content).map_err(|e| StoreError::Decode(e.to_string()))
}

fn not_previewed(job: &Job) -> StoreError {
    StoreError::Invalid(FieldError::new("status", format!("the job is {}; only a previewed job can change", job.status)))
}

/// Changes the mapping (`(column, field)` overrides) and dry-runs again.
pub async fn set_mapping(db: &Db, actor: &Actor, id: i64, overrides: &[(String, String)]) -> Result<Job, StoreError> {
    let job = get(db, &actor.scope, id).await?;
    if job.status != "previewed" {
        return Err(not_previewed(&job));
    }
    let mut mapping = job.mapping.clone();
    fields::apply_overrides(&mut mapping, overrides).map_err(|e| invalid("mapping", e.join("; ")))?;
    let table = file_of(db, id).await?;
    let (report, total, valid, _) = pass(db, &table, &mapping, None, &|_, _| {}).await?;
    db.execute(sql(
        "UPDATE import_job SET mapping = $1, report = $2, total_rows = $3, valid_rows = $4, invalid_rows = $5 WHERE id = $6 AND status = 'previewed'",
        vec![
            to_json(&mapping)?.into(),
            to_json(&report)?.into(),
            (total as i64).into(),
            (valid as i64).into(),
            ((total - valid) as i64).into(),
            id.into(),
        ],
    ))
    .await?;
    get(db, &actor.scope, id).await
}

/// Marks a previewed job as committing (once: a second commit is refused).
pub async fn claim(db: &Db, actor: &Actor, id: i64) -> Result<Job, StoreError> {
    let job = get(db, &actor.scope, id).await?;
    if !job.mapping_errors.is_empty() {
        return Err(invalid("mapping", job.mapping_errors.join("; ")));
    }
    let n = db
        .execute(sql("UPDATE import_job SET status = 'committing' WHERE id = $1 AND status = 'previewed'", vec![id.into()]))
        .await?;
    if n != 1 {
        return Err(not_previewed(&job));
    }
    Ok(job)
}

/// Writes the valid rows of a job claimed with [`claim`], batch by batch; the
/// job's counts grow as batches commit (`progress` is told too). Returns the
/// finished job and the ids of the customers it created, for the caller to look
/// for weak duplicates among them afterwards ([`crate::identity::detect_many`]):
/// strong keys were resolved here, and the file's rows need not wait for the
/// review queue.
pub async fn commit_claimed(
    db: &Db,
    actor: &Actor,
    job: &Job,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<(Job, Vec<i64>), StoreError> {
    let table = file_of(db, job.id).await?;
    let w = Writing { actor, job_id: job.id, dealer_id: job.dealer_id, filename: &job.filename };
    let result = pass(db, &table, &job.mapping, Some(&w), progress).await;
    let (report, total, valid, created) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = db
                .execute(sql("UPDATE import_job SET status = 'failed', finished_at = $1 WHERE id = $2", vec![now().into(), job.id.into()]))
                .await;
            return Err(e);
        }
    };
    let mut tx = db.begin().await?;
    tx.execute(sql(
        "UPDATE import_job SET status = 'done', report = $1, total_rows = $2, valid_rows = $3, invalid_rows = $4, finished_at = $5 WHERE id = $6",
        vec![
            to_json(&report)?.into(),
            (total as i64).into(),
            (valid as i64).into(),
            ((total - valid) as i64).into(),
            now().into(),
            job.id.into(),
        ],
    ))
    .await?;
    let created_n = report.rows.iter().filter(|r| r.outcome == Outcome::Created).count();
    let linked_n = report.rows.iter().filter(|r| r.outcome == Outcome::Linked).count();
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "import",
            entity: "import_job",
            entity_id: Some(job.id),
            dealer_id: job.dealer_id,
            summary: Some(format!(
                "{}: {created_n} created, {linked_n} linked, {} invalid",
                job.filename,
                total - valid
            )),
            before: None,
            after: Some(serde_json::json!({"filename": job.filename, "created": created_n, "linked": linked_n, "invalid": total - valid})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((get(db, &Scope::Oem, job.id).await?, created))
}

/// The error report: one line per problem — row, column, value, reason.
pub fn report_csv(job: &Job) -> String {
    let mut w = csv::Writer::from_writer(vec![]);
    let _ = w.write_record(["row", "column", "value", "reason"]);
    for p in &job.problems {
        let reason = match &p.detail {
            Some(d) => format!("{} ({d})", p.reason),
            None => p.reason.clone(),
        };
        let _ = w.write_record([p.row.to_string(), p.column.clone(), p.value.clone(), reason]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    // A BOM so Excel opens the UTF-8 report with its Chinese intact.
    format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
}
