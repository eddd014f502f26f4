use autocrm_domain::FieldError;

/// Everything the store can fail with. The web layer maps each kind to one HTTP
/// status in one place.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// An optimistic-concurrency check failed: the row changed since it was read.
    #[error("stale version: the record is now at version {current}")]
    Stale { current: i64 },
    /// A unique key is already taken (the field that clashed).
    #[error("{field} is already taken")]
    Duplicate { field: String },
    /// Input that passed parsing but breaks a rule that needs the database to check
    /// (e.g. a dealer id that does not exist or is out of the caller's scope).
    #[error(transparent)]
    Invalid(#[from] FieldError),
    /// The request collides with another record (a test drive booked for the same
    /// car or consultant at the same time): the field at fault and the other record.
    #[error("{field} {message} ({entity} {id})")]
    Conflict { field: String, message: String, entity: &'static str, id: i64 },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("decode: {0}")]
    Decode(String),
    #[error("sqlite: {0}")]
    Sqlite(rusqlite::Error),
    #[error("postgres: {}", with_cause(.0))]
    Postgres(tokio_postgres::Error),
}

/// tokio-postgres keeps the server's message (e.g. `ERROR: duplicate key…`) in
/// `source()` and displays only "db error"; show both.
fn with_cause(e: &tokio_postgres::Error) -> String {
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

impl StoreError {
    pub fn invalid(field: &str, message: &str) -> Self {
        StoreError::Invalid(FieldError::new(field, message))
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, Some(msg)) = &e
            && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        {
            // "UNIQUE constraint failed: dealer.code" → "code"
            let field = msg.rsplit(['.', ' ']).next().unwrap_or("value").to_string();
            return StoreError::Duplicate { field };
        }
        StoreError::Sqlite(e)
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        if let Some(db) = e.as_db_error()
            && *db.code() == tokio_postgres::error::SqlState::UNIQUE_VIOLATION
        {
            // detail: "Key (code)=(SH001) already exists." → "code"
            let field = db
                .detail()
                .and_then(|d| d.strip_prefix("Key ("))
                .and_then(|d| d.split(')').next())
                .map(|cols| cols.rsplit(", ").next().unwrap_or(cols).to_string())
                .unwrap_or_else(|| "value".into());
            return StoreError::Duplicate { field };
        }
        if e.is_closed() {
            return StoreError::Unavailable(e.to_string());
        }
        StoreError::Postgres(e)
    }
}
