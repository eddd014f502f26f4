//! Prospects from a file: the business cards and forms collected at an auto show
//! (or a campaign) go through the customer import — dry run, mapping, row report,
//! identity resolution, nothing invalid written — and every valid row becomes a
//! lead with the event as its source, graded by what the card says about when,
//! and routed; the caller then distributes them at once. Running the same file
//! again creates nothing new: each row's lead has a key made of the file and row.

use autocrm_domain::FieldError;
use autocrm_domain::leads::{Source, Timeframe};
use serde::{Deserialize, Serialize};

use super::capture::{self, Capture};
use crate::auth::Actor;
use crate::db::sql;
use crate::imports::read::{self, Table};
use crate::imports::{self, Job, fields};
use crate::{Db, StoreError};

/// Header words of the columns a lead import reads besides the customer's.
const INTEREST: &[&str] = &["意向车型", "关注车型", "感兴趣车型", "意向", "车型", "interest", "model", "modelofinterest"];
const WHEN: &[&str] = &["购车时间", "预计购车时间", "购买时间", "购车计划", "计划购车", "timeframe", "purchasetime", "when"];
const NOTE: &[&str] = &["备注", "留言", "需求", "说明", "note", "notes", "remark", "comment"];

/// What applies to every row of the file: the event, and what a card that says
/// nothing about the model or the timeframe is taken to mean.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventOptions {
    /// `auto_show` (default), `campaign`, `dealer_import`, …
    pub source: String,
    /// The show or campaign, e.g. "2026 上海车展".
    pub event: String,
    /// The model of interest when the card names none (or one not in the catalog).
    pub model_id: i64,
    /// The timeframe when the card says nothing known.
    pub timeframe: String,
    /// After the commit: what the lead step did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<LeadResult>,
}

/// What the lead step of a committed import did, kept on the job.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LeadResult {
    pub created: usize,
    /// Rows whose lead an earlier run of the same file had created.
    pub already: usize,
    /// Rows whose card named a model or timeframe the import did not know (the defaults were used).
    pub defaulted: usize,
    /// Leads sent to dealers at once.
    pub distributed: u64,
}

impl EventOptions {
    /// Checks the options (naming the field) and returns them cleaned.
    async fn check(self, db: &Db) -> Result<EventOptions, StoreError> {
        let source = if self.source.trim().is_empty() { Source::AutoShow.as_str().to_string() } else { self.source.trim().to_string() };
        if Source::parse(&source).is_none() {
            return Err(FieldError::new("source", capture::BAD_SOURCE).into());
        }
        let event = self.event.trim().to_string();
        if event.is_empty() || event.chars().count() > 100 {
            return Err(FieldError::new("event", "is required (at most 100 characters): the show or campaign the cards come from").into());
        }
        if Timeframe::parse(self.timeframe.trim()).is_none() {
            return Err(FieldError::new("timeframe", capture::BAD_TIMEFRAME).into());
        }
        let active: Option<(i64,)> =
            db.fetch_optional(sql("SELECT id FROM vehicle_model WHERE id = $1 AND active = $2", vec![self.model_id.into(), true.into()])).await?;
        if active.is_none() {
            return Err(FieldError::new("model_id", capture::NO_SUCH_MODEL).into());
        }
        Ok(EventOptions { source, event, model_id: self.model_id, timeframe: self.timeframe.trim().to_string(), result: None })
    }
}

/// The column whose header is one of `words` (compared like the customer import does).
fn column(table: &Table, words: &[&str]) -> Option<usize> {
    let wanted: Vec<String> = words.iter().map(|w| fields::normalize(w)).collect();
    table.headers.iter().position(|h| wanted.contains(&fields::normalize(h)))
}

/// Reads the file, dry-runs it as a customer import and keeps the event on the
/// job. A card's model column is the model of interest, not an owned car, so it
/// is kept out of the customer import when the file has no VINs.
pub async fn start(
    db: &Db,
    actor: &Actor,
    filename: &str,
    bytes: &[u8],
    dealer: Option<i64>,
    overrides: &[(String, String)],
    options: EventOptions,
) -> Result<Job, StoreError> {
    let options = options.check(db).await?;
    let table = read::read(filename, bytes).map_err(|m| FieldError::new("file", m))?;
    let mapping = fields::detect_mapping(&table.headers);
    let mut overrides = overrides.to_vec();
    if !mapping.iter().any(|c| c.field == Some(fields::Field::Vin)) {
        for c in mapping.iter().filter(|c| c.field == Some(fields::Field::Model)) {
            overrides.push(((c.index + 1).to_string(), String::new()));
        }
    }
    let job = imports::start(db, actor, filename, bytes, dealer, &overrides).await?;
    db.execute(sql(
        "UPDATE import_job SET kind = 'leads', options = $1 WHERE id = $2",
        vec![serde_json::to_string(&options).unwrap_or_default().into(), job.id.into()],
    ))
    .await?;
    imports::get(db, &actor.scope, job.id).await
}

/// The event of a lead import (`None` for a plain customer import).
pub async fn options_of(db: &Db, job_id: i64) -> Result<Option<EventOptions>, StoreError> {
    let row: Option<(String, Option<String>)> =
        db.fetch_optional(sql("SELECT kind, options FROM import_job WHERE id = $1", vec![job_id.into()])).await?;
    Ok(match row {
        Some((kind, Some(o))) if kind == "leads" => serde_json::from_str(&o).ok(),
        _ => None,
    })
}

/// The leads [`capture_rows`] created, and the counts for the job.
#[derive(Debug, Clone, Default)]
pub struct Captured {
    pub created: Vec<i64>,
    pub result: LeadResult,
}

/// Keeps what the lead step did on the job.
pub async fn save_result(db: &Db, job_id: i64, options: &EventOptions) -> Result<(), StoreError> {
    db.execute(sql(
        "UPDATE import_job SET options = $1 WHERE id = $2",
        vec![serde_json::to_string(options).unwrap_or_default().into(), job_id.into()],
    ))
    .await?;
    Ok(())
}

/// After the customer commit of a lead import: one lead per valid row.
pub async fn capture_rows(db: &Db, actor: &Actor, job: &Job, options: &EventOptions) -> Result<Captured, StoreError> {
    let (content, hash): (String, String) = db
        .fetch_one(sql(
            "SELECT f.content, j.file_hash FROM import_file f JOIN import_job j ON j.id = f.import_job_id WHERE j.id = $1",
            vec![job.id.into()],
        ))
        .await?;
    let table: Table = serde_json::from_str(&content).map_err(|e| StoreError::Decode(e.to_string()))?;
    let (interest, when, note) = (column(&table, INTEREST), column(&table, WHEN), column(&table, NOTE));
    let models: Vec<(i64, String, String, String)> =
        db.fetch_all(sql("SELECT id, code, series, model FROM vehicle_model WHERE active = $1 ORDER BY id", vec![true.into()])).await?;
    let default_timeframe = Timeframe::parse(&options.timeframe).unwrap_or(Timeframe::Within3Months);
    let by_row: std::collections::HashMap<usize, &Vec<String>> = table.rows.iter().map(|(n, c)| (*n, c)).collect();
    let mut out = Captured::default();
    for r in job.rows.iter().filter(|r| r.customer_no.is_some()) {
        let Some(cells) = by_row.get(&r.row) else { continue };
        let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).map(|s| s.trim()).filter(|s| !s.is_empty());
        let model = cell(interest).and_then(|text| {
            models.iter().find(|(_, code, series, model)| {
                text.eq_ignore_ascii_case(code) || text.contains(series.as_str()) || (!model.is_empty() && text.contains(model.as_str()))
            })
        });
        let timeframe = cell(when).and_then(Timeframe::from_text);
        if (cell(interest).is_some() && model.is_none()) || (cell(when).is_some() && timeframe.is_none()) {
            out.result.defaulted += 1;
        }
        let no = r.customer_no.as_deref().unwrap_or_default();
        let Some((customer_id,)) = db.fetch_optional::<(i64,)>(sql("SELECT id FROM customer WHERE customer_no = $1", vec![no.into()])).await? else {
            continue;
        };
        let c = Capture {
            customer_id: Some(customer_id),
            model_id: Some(model.map(|m| m.0).unwrap_or(options.model_id)),
            timeframe: timeframe.unwrap_or(default_timeframe).as_str().into(),
            source: Some(options.source.clone()),
            event: Some(options.event.clone()),
            note: cell(note).map(|n| n.chars().take(1000).collect()),
            submission_key: Some(format!("import:{}:{}", &hash[..hash.len().min(32)], r.row)),
            ..Capture::default()
        };
        let captured = capture::capture(db, actor, c).await?;
        if captured.replayed {
            out.result.already += 1;
        } else {
            out.created.push(captured.lead.id);
            out.result.created += 1;
        }
    }
    Ok(out)
}
