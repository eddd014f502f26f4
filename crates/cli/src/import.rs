//! `autocrm import FILE`: the same import as the web UI (dry run, then commit of
//! the valid rows) from the command line, with a progress bar and the error
//! report written next to the file.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use autocrm_store::Db;
use autocrm_store::auth::Actor;
use autocrm_store::imports::{self, Job, fields};
use autocrm_store::leads::import::{self as lead_import, EventOptions};
use indicatif::{ProgressBar, ProgressStyle};

use crate::anyhow_lite::{Context, Error, Result};

#[derive(clap::Args)]
pub struct ImportArgs {
    /// A CSV (UTF-8 or GBK) or .xlsx file with a header row.
    pub file: PathBuf,
    /// The code of the dealer (store) the customers belong to; none: OEM customers.
    #[arg(long)]
    pub dealer: Option<String>,
    /// Check every row and show what would happen, without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Changes to the detected column mapping: `column=field,…` (column by header
    /// or 1-based number; an empty field skips the column).
    #[arg(long)]
    pub mapping: Option<String>,
    /// Where to write the error report (default: FILE.errors.csv).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Import auto-show cards or event forms as leads of this event: every valid
    /// row becomes a lead (graded, routed and distributed at once).
    #[arg(long)]
    pub event: Option<String>,
    /// With --event: the lead source (auto_show, campaign, dealer_import).
    #[arg(long, default_value = "auto_show")]
    pub source: String,
    /// With --event: the catalog code of the model of interest for cards that name none.
    #[arg(long)]
    pub model: Option<String>,
    /// With --event: the timeframe for cards that say nothing about when.
    #[arg(long, default_value = "within_3_months")]
    pub timeframe: String,
}

/// The event options of `--event`, with the model looked up by its code.
async fn event_options(db: &Db, args: &ImportArgs) -> Result<Option<EventOptions>> {
    let Some(event) = &args.event else { return Ok(None) };
    let code = args.model.as_deref().ok_or_else(|| Error("--event needs --model CODE (the model of interest of cards that name none)".into()))?;
    let found: Option<(i64,)> = db
        .fetch_optional(autocrm_store::db::sql("SELECT id FROM vehicle_model WHERE code = $1", vec![code.into()]))
        .await
        .context("--model")?;
    let (model_id,) = found.ok_or_else(|| Error(format!("--model: no model has the code {code:?}")))?;
    Ok(Some(EventOptions { source: args.source.clone(), event: event.clone(), model_id, timeframe: args.timeframe.clone(), result: None }))
}

pub async fn run(db: &Db, args: ImportArgs) -> Result<()> {
    let bytes = std::fs::read(&args.file).context(format!("reading {}", args.file.display()))?;
    let filename = args.file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let actor = Actor::system();
    let dealer = match &args.dealer {
        Some(code) => Some(imports::dealer_by_code(db, code).await.context("--dealer")?),
        None => None,
    };
    let overrides = match &args.mapping {
        Some(spec) => fields::parse_overrides(spec).map_err(|e| Error(format!("--mapping: {e}")))?,
        None => vec![],
    };
    let started = Instant::now();
    let event = event_options(db, &args).await?;
    let job = match event {
        Some(o) => lead_import::start(db, &actor, &filename, &bytes, dealer, &overrides, o).await,
        None => imports::start(db, &actor, &filename, &bytes, dealer, &overrides).await,
    }
    .context("checking the file")?;
    let checked = started.elapsed().as_secs_f64();
    print_mapping(&job);
    println!(
        "checked {} rows in {checked:.2} s: {} new, {} linked to customers on file, {} invalid",
        job.total_rows, job.new_count, job.link_count, job.invalid_rows
    );
    write_report(&job, &args)?;
    if !job.mapping_errors.is_empty() {
        return Err(Error(format!("the mapping cannot be used: {}", job.mapping_errors.join("; "))));
    }
    if args.dry_run {
        println!("dry run: nothing was written (job {})", job.id);
        return Ok(());
    }
    let job = imports::claim(db, &actor, job.id).await.context("starting the commit")?;
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new(job.valid_rows as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("importing [{bar:30}] {human_pos:>7}/{human_len:<7} {elapsed} {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let t = Instant::now();
    let result = imports::commit_claimed(db, &actor, &job, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await;
    bar.finish_and_clear();
    let (done, created) = result.context("importing")?;
    let secs = t.elapsed().as_secs_f64();
    let total = started.elapsed().as_secs_f64();
    let t = Instant::now();
    let queued = autocrm_store::identity::detect_many(db, &created).await.context("looking for duplicates")?;
    println!("{queued} possible duplicates queued for review ({:.2} s)", t.elapsed().as_secs_f64());
    if let Some(r) = autocrm_jobs::distribution::import_leads(db, &actor, &done).await.context("capturing the leads")? {
        println!(
            "leads: {} created, {} imported before, {} with defaults, {} distributed to dealers",
            r.created, r.already, r.defaulted, r.distributed
        );
    }
    println!(
        "imported job {}: {} created, {} linked, {} invalid rows skipped; commit {secs:.2} s ({:.0} rows/s), \
         check + commit {total:.2} s ({:.0} rows/s)",
        done.id,
        done.created_count,
        done.linked_count,
        done.invalid_rows,
        done.total_rows as f64 / secs.max(1e-9),
        done.total_rows as f64 / total.max(1e-9),
    );
    Ok(())
}

fn print_mapping(job: &Job) {
    for c in &job.mapping {
        println!("  column {:>2} {:<16} → {}", c.index + 1, c.header, c.field.map(|f| f.as_str()).unwrap_or("(not imported)"));
    }
}

fn report_path(args: &ImportArgs) -> PathBuf {
    args.report.clone().unwrap_or_else(|| {
        let mut p = args.file.clone().into_os_string();
        p.push(".errors.csv");
        PathBuf::from(p)
    })
}

fn write_report(job: &Job, args: &ImportArgs) -> Result<()> {
    if job.problems.is_empty() {
        return Ok(());
    }
    let path = report_path(args);
    std::fs::write(&path, imports::report_csv(job)).context(format!("writing {}", path.display()))?;
    println!("{} problems; the error report (row, column, value, reason) is in {}", job.problems.len(), show(&path));
    Ok(())
}

fn show(p: &Path) -> String {
    p.display().to_string()
}
