//! `autocrm`: the one binary. Starts the server (with or without demo data),
//! applies migrations, manages users and generates benchmark data.

mod demo;
mod import;
mod seed;
mod user;

use std::path::PathBuf;

use anyhow_lite::{Context, Result};
use autocrm_store::{Db, migrations};
use autocrm_web::config::Config;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "autocrm", version, about = "autocrm — the open-source CRM for the car business")]
struct Cli {
    /// Configuration file (TOML). Environment variables AUTOCRM_* override it, and
    /// flags override both.
    #[arg(long, global = true, env = "AUTOCRM_CONFIG")]
    config: Option<PathBuf>,
    /// Database: sqlite://PATH (embedded, the default) or postgres://USER@HOST/DB.
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Log format: text or json.
    #[arg(long, global = true, default_value = "text")]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start autocrm with realistic demo data on an embedded database, and print
    /// where to sign in. Reuses the data directory when it exists.
    Demo {
        /// Where the embedded database lives.
        #[arg(long, default_value = "./autocrm-data")]
        data: PathBuf,
        /// Port to listen on (127.0.0.1).
        #[arg(long, default_value_t = 8080)]
        port: u16,
    },
    /// Start the server (production). Applies pending migrations first.
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080.
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply pending schema migrations and exit.
    Migrate,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Generate a large deterministic data set for benchmarks (bulk load).
    Seed(seed::SeedArgs),
    /// Import customers and vehicles from a CSV or .xlsx file (dry run, then commit).
    Import(import::ImportArgs),
    /// Build the screen-pop card of every customer without one (after upgrading
    /// to schema version 10, or a large import), while the servers serve: until
    /// then their screen-pops are answered from the tables.
    Cards,
    /// Run today's lead distribution now instead of at its hour (once a day: a
    /// second run the same day sends nothing unless --again).
    Distribute {
        /// Send what is waiting even though today's run is done.
        #[arg(long)]
        again: bool,
    },
}

/// mimalloc instead of glibc's allocator: a request allocates and frees many small
/// buffers on whichever worker thread runs it, and glibc's arenas spent a fifth
/// of a lead capture's CPU in `malloc`/`free`/`malloc_consolidate`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.log_format);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("autocrm: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(format: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("AUTOCRM_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only for a person at a terminal, not in log files and captured output.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let b = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    if format == "json" { b.json().init() } else { b.init() }
}

/// File, then environment, then flags.
fn load_config(cli: &Cli) -> Result<Config> {
    let mut config = match &cli.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).context(format!("reading {}", path.display()))?;
            Config::from_toml(&text).context(format!("{}", path.display()))?
        }
        None => Config::default(),
    };
    config.apply_env(|k| std::env::var(k).ok()).context("environment")?;
    if let Some(url) = &cli.database_url {
        config.database_url = url.clone();
    }
    Ok(config)
}

async fn open(config: &Config) -> Result<Db> {
    let db = Db::connect(&config.database_url, config.pool_size).await.context("opening the database")?;
    migrations::apply(&db).await.context("applying migrations")?;
    Ok(db)
}

async fn run(cli: Cli) -> Result<()> {
    let mut config = load_config(&cli)?;
    match cli.command {
        Command::Demo { data, port } => {
            if cli.database_url.is_none() {
                config.database_url = format!("sqlite://{}", data.join("autocrm.db").display());
            }
            config.listen = format!("127.0.0.1:{port}");
            let db = open(&config).await?;
            let accounts = demo::ensure(&db).await.context("loading demo data")?;
            let listener = autocrm_web::bind(&config.listen).await.context(format!("listening on {}", config.listen))?;
            demo::print_welcome(&format!("http://{}", listener.local_addr().context("address")?), &accounts);
            autocrm_web::serve(listener, db, config).await.context("serving")?;
        }
        Command::Serve { listen } => {
            if let Some(l) = listen {
                config.listen = l;
            }
            let db = open(&config).await?;
            let listener = autocrm_web::bind(&config.listen).await.context(format!("listening on {}", config.listen))?;
            tracing::info!(addr = %config.listen, engine = db.engine().as_str(), "autocrm serving");
            autocrm_web::serve(listener, db, config).await.context("serving")?;
        }
        Command::Migrate => {
            let db = Db::connect(&config.database_url, 2).await.context("opening the database")?;
            let applied = migrations::apply(&db).await.context("applying migrations")?;
            let now = migrations::current_version(&db).await.context("reading the schema version")?;
            println!("applied {} migration(s); schema is at version {now}", applied.len());
        }
        Command::User(cmd) => user::run(&open(&config).await?, cmd).await?,
        Command::Seed(args) => seed::run(&open(&config).await?, args).await?,
        Command::Import(args) => import::run(&open(&config).await?, args).await?,
        Command::Cards => cards(&open(&config).await?).await?,
        Command::Distribute { again } => distribute(&open(&config).await?, again).await?,
    }
    Ok(())
}

async fn distribute(db: &Db, again: bool) -> Result<()> {
    use autocrm_jobs::distribution::{self, Outcome};
    use autocrm_store::leads::distribution::Which;
    let started = std::time::Instant::now();
    let actor = autocrm_store::auth::Actor::system();
    let day = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive().to_string();
    let outcome = if again {
        distribution::now(db, &actor, Which::Pending).await
    } else {
        distribution::run(db, &actor, &day, Which::Pending).await
    }
    .context("distributing")?;
    match outcome {
        Outcome::Ran(d, run) => println!(
            "{}: {} leads to {} dealers ({} hot), {} routed first, {} unroutable; {:.2} s",
            run.run_key,
            d.leads,
            d.dealers,
            d.hot,
            d.routed,
            d.unroutable,
            started.elapsed().as_secs_f64()
        ),
        Outcome::Taken(run) => println!(
            "{} was already run ({}): {}; use --again to send what waits now",
            run.run_key,
            run.status,
            run.result.unwrap_or_default()
        ),
    }
    Ok(())
}

/// A minimal error-with-context type for the command line (no extra crate).
mod anyhow_lite {
    pub type Result<T> = std::result::Result<T, Error>;

    #[derive(Debug)]
    pub struct Error(pub String);

    impl std::fmt::Display for Error {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    pub trait Context<T> {
        fn context(self, what: impl std::fmt::Display) -> Result<T>;
    }

    impl<T, E: std::fmt::Display> Context<T> for std::result::Result<T, E> {
        fn context(self, what: impl std::fmt::Display) -> Result<T> {
            self.map_err(|e| Error(format!("{what}: {e}")))
        }
    }

    impl From<String> for Error {
        fn from(s: String) -> Self {
            Error(s)
        }
    }
}

/// `autocrm cards`: every missing screen-pop card, with a progress bar at a terminal.
async fn cards(db: &Db) -> Result<()> {
    use autocrm_store::search::cards;
    use indicatif::{ProgressBar, ProgressStyle};
    let started = std::time::Instant::now();
    let missing = cards::missing(db).await.context("counting the customers without a card")?;
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) { ProgressBar::new(missing as u64) } else { ProgressBar::hidden() };
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} cards, {eta} left") {
        bar.set_style(style);
    }
    let built = cards::build_missing(db, |n| bar.set_position(n as u64)).await.context("building cards")?;
    bar.finish_and_clear();
    println!("built {built} screen-pop card(s) in {:.2} s", started.elapsed().as_secs_f64());
    Ok(())
}
