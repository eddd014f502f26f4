//! `autocrm seed`: loads a large deterministic data set for benchmarks into a freshly
//! migrated database, showing progress per table, and reports the load rate.

use std::io::IsTerminal;
use std::sync::Mutex;

use autocrm_store::Db;
use autocrm_store::seed::{self as store_seed, Scale, SeedOptions, SeedReport};
use indicatif::{ProgressBar, ProgressStyle};

use crate::anyhow_lite::{Context, Result};

#[derive(clap::Args)]
pub struct SeedArgs {
    /// oem: 8 regions, 60 dealer groups, 1,000 dealers, 20,000 staff;
    /// dealer: one dealer group with 3 stores and 300 staff.
    #[arg(long, value_enum, default_value_t = ScaleArg::Oem)]
    pub scale: ScaleArg,
    /// The same seed always gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Customers to generate, with ~1.2 vehicles each, their contact points,
    /// consents, dealer links and ~1 % near-duplicates for review (default:
    /// 1,000,000 at oem scale, 10,000 at dealer scale; 0 for none).
    #[arg(long)]
    pub customers: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScaleArg {
    Oem,
    Dealer,
}

impl From<ScaleArg> for Scale {
    fn from(s: ScaleArg) -> Scale {
        match s {
            ScaleArg::Oem => Scale::Oem,
            ScaleArg::Dealer => Scale::Dealer,
        }
    }
}

pub async fn run(db: &Db, args: SeedArgs) -> Result<()> {
    let opts = SeedOptions { scale: args.scale.into(), seed: args.seed, customers: args.customers };
    eprintln!(
        "seeding {} scale data (seed {}) into {} …",
        opts.scale.as_str(),
        opts.seed,
        db.engine().as_str()
    );
    let progress = Progress::new(std::io::stderr().is_terminal());
    let report = store_seed::run(db, &opts, &|table: &str, done: u64, total: u64| progress.update(table, done, total))
        .await
        .context("seeding");
    progress.finish();
    print_report(&report?);
    Ok(())
}

/// One bar per table on a terminal; a log line per chunk otherwise (CI, pipes).
struct Progress {
    terminal: bool,
    current: Mutex<Option<(String, ProgressBar)>>,
}

impl Progress {
    fn new(terminal: bool) -> Progress {
        Progress { terminal, current: Mutex::new(None) }
    }

    fn update(&self, table: &str, done: u64, total: u64) {
        if !self.terminal {
            eprintln!("seed: {table} {done}/{total}");
            return;
        }
        let mut current = self.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if current.as_ref().is_none_or(|(t, _)| t != table) {
            if let Some((_, bar)) = current.take() {
                bar.finish();
            }
            let bar = ProgressBar::new(total);
            let style = ProgressStyle::with_template("{prefix:>12} [{bar:30}] {human_pos:>7}/{human_len:<7} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(table.to_string());
            *current = Some((table.to_string(), bar));
        }
        if let Some((_, bar)) = current.as_ref() {
            bar.set_length(total);
            bar.set_position(done);
        }
    }

    fn finish(&self) {
        let mut current = self.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, bar)) = current.take() {
            bar.finish();
        }
    }
}

fn print_report(report: &SeedReport) {
    let secs = report.elapsed.as_secs_f64();
    println!();
    println!("{:<16} {:>10} {:>10} {:>12}", "table", "rows", "seconds", "rows/s");
    for t in &report.tables {
        let s = t.elapsed.as_secs_f64();
        println!("{:<16} {:>10} {:>10.3} {:>12}", t.table, t.rows, s, rate(t.rows, s));
    }
    println!("{:<16} {:>10} {:>10.3} {:>12}", "total", report.total_rows(), secs, rate(report.total_rows(), secs));
    println!();
    println!(
        "seeded {} scale data with seed {} in {secs:.2} s. Every seeded account's password is {}; \
         sign in as {} (admin) or {} (sales consultant).",
        report.scale.as_str(),
        report.seed,
        store_seed::SEED_PASSWORD,
        store_seed::ADMIN_USERNAME,
        store_seed::CONSULTANT_USERNAME,
    );
}

fn rate(rows: u64, secs: f64) -> String {
    if secs > 0.0 { format!("{:.0}", rows as f64 / secs) } else { "—".into() }
}
