//! Sign-in: passwords, browser sessions, bearer tokens and the throttle on failed
//! logins. The [`Actor`] built here travels with every request.

use autocrm_domain::access::{Role, Scope};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{FromRow, Row, sql};
use crate::{Db, StoreError, now};

/// The signed-in user a request acts for, with the rows they may touch.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = String)]
    pub role: Role,
    pub dealer_id: Option<i64>,
    pub group_id: Option<i64>,
    pub region_id: Option<i64>,
    #[schema(value_type = Object)]
    pub scope: Scope,
    pub locale: String,
}

impl Actor {
    /// The command line acting on the operator's authority (e.g. `autocrm user add`).
    pub fn system() -> Actor {
        Actor {
            user_id: 0,
            username: "system".into(),
            display_name: "system".into(),
            role: Role::Admin,
            dealer_id: None,
            group_id: None,
            region_id: None,
            scope: Scope::Oem,
            locale: "zh-CN".into(),
        }
    }

    /// The audit trail's actor id (`None` for the system).
    pub fn audit_id(&self) -> Option<i64> {
        (self.user_id != 0).then_some(self.user_id)
    }
}

const ACTOR_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.dealer_id, \
    COALESCE(u.group_id, d.group_id), COALESCE(u.region_id, d.region_id), u.locale";

impl FromRow for Actor {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let user_id: i64 = r.get(0)?;
        let role_s: String = r.get(3)?;
        let role = Role::parse(&role_s).ok_or_else(|| StoreError::Decode(format!("unknown role {role_s}")))?;
        let dealer_id: Option<i64> = r.get(4)?;
        let group_id: Option<i64> = r.get(5)?;
        let region_id: Option<i64> = r.get(6)?;
        Ok(Actor {
            user_id,
            username: r.get(1)?,
            display_name: r.get(2)?,
            role,
            dealer_id,
            group_id,
            region_id,
            scope: Scope::bind(role.scope_kind(), user_id, dealer_id, group_id, region_id),
            locale: r.get(7)?,
        })
    }
}

// ---- passwords ---------------------------------------------------------------

pub fn hash_password(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut salt = [0u8; 16];
    fill_random(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
    argon2::Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2id with default parameters").to_string()
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash).is_ok_and(|h| argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash that never verifies, checked against when the username is unknown so
/// the response time does not reveal which usernames exist.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("not-a-real-password"))
}

fn fill_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random source");
}

/// A fresh random secret: 32 bytes, hex. Only its SHA-256 is stored.
pub fn new_secret() -> String {
    let mut b = [0u8; 32];
    fill_random(&mut b);
    hex(&b)
}

pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}

// ---- password sign-in with throttling -----------------------------------------

/// Failed attempts allowed per username (and, ×4, per client address) within
/// [`THROTTLE_WINDOW_MINUTES`] before further attempts are refused for that long.
pub const THROTTLE_MAX_FAILURES: i64 = 5;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;

#[derive(Debug)]
pub enum SignIn {
    Ok(Actor),
    BadCredentials,
    /// Too many failures: try again after this many seconds.
    Throttled(i64),
}

pub async fn sign_in(db: &Db, username: &str, password: &str, client: &str) -> Result<SignIn, StoreError> {
    let username = username.trim().to_ascii_lowercase();
    let keys = [(format!("user:{username}"), THROTTLE_MAX_FAILURES), (format!("ip:{client}"), THROTTLE_MAX_FAILURES * 4)];
    let t = now();
    for (key, _) in &keys {
        let row: Option<(Option<DateTime<Utc>>,)> =
            db.fetch_optional(sql("SELECT locked_until FROM login_throttle WHERE key = $1", vec![key.clone().into()])).await?;
        if let Some((Some(until),)) = row
            && until > t
        {
            return Ok(SignIn::Throttled((until - t).num_seconds().max(1)));
        }
    }
    let row: Option<(i64, String, bool)> = db
        .fetch_optional(sql(
            "SELECT id, password_hash, active FROM app_user WHERE username = $1",
            vec![username.clone().into()],
        ))
        .await?;
    let ok = match &row {
        Some((_, hash, active)) => verify_password(hash, password) && *active,
        None => {
            verify_password(dummy_hash(), password);
            false
        }
    };
    if !ok {
        let mut tx = db.begin().await?;
        for (key, max) in &keys {
            let cur: Option<(i64, DateTime<Utc>)> = tx
                .fetch_optional(sql("SELECT failures, window_start FROM login_throttle WHERE key = $1", vec![key.clone().into()]))
                .await?;
            let window = Duration::minutes(THROTTLE_WINDOW_MINUTES);
            let (failures, start) = match cur {
                Some((f, start)) if t - start < window => (f + 1, start),
                _ => (1, t),
            };
            let locked: Option<DateTime<Utc>> = (failures >= *max).then(|| t + window);
            tx.execute(sql(
                "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (key) DO UPDATE SET failures = $2, window_start = $3, locked_until = $4",
                vec![key.clone().into(), failures.into(), start.into(), locked.into()],
            ))
            .await?;
        }
        tx.commit().await?;
        return Ok(SignIn::BadCredentials);
    }
    let (user_id, _, _) = row.expect("checked above");
    let mut tx = db.begin().await?;
    tx.execute(sql("DELETE FROM login_throttle WHERE key = $1", vec![keys[0].0.clone().into()])).await?;
    tx.execute(sql("UPDATE app_user SET last_login_at = $1 WHERE id = $2", vec![t.into(), user_id.into()])).await?;
    tx.commit().await?;
    Ok(SignIn::Ok(actor(db, user_id).await?.ok_or(StoreError::NotFound)?))
}

/// The actor for a user id, if the account exists and is active.
pub async fn actor(db: &Db, user_id: i64) -> Result<Option<Actor>, StoreError> {
    db.fetch_optional(sql(
        &format!("SELECT {ACTOR_COLUMNS} FROM app_user u LEFT JOIN dealer d ON d.id = u.dealer_id WHERE u.id = $1 AND u.active"),
        vec![user_id.into()],
    ))
    .await
}

// ---- browser sessions -----------------------------------------------------------

pub const SESSION_HOURS: i64 = 12;

/// Creates a session; returns (cookie token, CSRF token).
pub async fn create_session(db: &Db, user_id: i64) -> Result<(String, String), StoreError> {
    let token = new_secret();
    let csrf = new_secret();
    let t = now();
    db.execute(sql(
        "INSERT INTO session (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        vec![
            hash_token(&token).into(),
            user_id.into(),
            csrf.clone().into(),
            t.into(),
            (t + Duration::hours(SESSION_HOURS)).into(),
        ],
    ))
    .await?;
    Ok((token, csrf))
}

/// The actor and CSRF token of a live session.
pub async fn session(db: &Db, token: &str) -> Result<Option<(Actor, String)>, StoreError> {
    let row: Option<(i64, String)> = db
        .fetch_optional(sql(
            "SELECT s.user_id, s.csrf_token FROM session s WHERE s.token_hash = $1 AND s.expires_at > $2",
            vec![hash_token(token).into(), now().into()],
        ))
        .await?;
    let Some((user_id, csrf)) = row else { return Ok(None) };
    Ok(actor(db, user_id).await?.map(|a| (a, csrf)))
}

pub async fn end_session(db: &Db, token: &str) -> Result<(), StoreError> {
    db.execute(sql("DELETE FROM session WHERE token_hash = $1", vec![hash_token(token).into()])).await?;
    Ok(())
}

/// Ends every session of a user (after a password change or deactivation).
pub async fn end_sessions_of(tx: &mut crate::Tx, user_id: i64) -> Result<(), StoreError> {
    tx.execute(sql("DELETE FROM session WHERE user_id = $1", vec![user_id.into()])).await?;
    Ok(())
}

// ---- bearer tokens ----------------------------------------------------------------

/// Lifetime of an access token from `POST /api/v1/auth/token`.
pub const ACCESS_TOKEN_SECONDS: i64 = 3600;

/// Issues a short-lived access token for a signed-in user.
pub async fn issue_access_token(db: &Db, user_id: i64) -> Result<String, StoreError> {
    let token = format!("acs_{}", new_secret());
    let t = now();
    db.execute(sql(
        "INSERT INTO api_token (token_hash, prefix, user_id, name, kind, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, 'access', 'access', $3, $4, $5)",
        vec![
            hash_token(&token).into(),
            token[..12].to_string().into(),
            user_id.into(),
            t.into(),
            (t + Duration::seconds(ACCESS_TOKEN_SECONDS)).into(),
        ],
    ))
    .await?;
    Ok(token)
}

/// The actor a bearer token acts for, if it is live.
pub async fn token_actor(db: &Db, token: &str) -> Result<Option<Actor>, StoreError> {
    db.fetch_optional(sql(
        &format!(
            "SELECT {ACTOR_COLUMNS} FROM api_token t JOIN app_user u ON u.id = t.user_id \
             LEFT JOIN dealer d ON d.id = u.dealer_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.active"
        ),
        vec![hash_token(token).into(), now().into()],
    ))
    .await
}

/// Deletes expired sessions, access tokens and throttle rows.
pub async fn purge_expired(db: &Db) -> Result<u64, StoreError> {
    let t = now();
    let mut n = db.execute(sql("DELETE FROM session WHERE expires_at < $1", vec![t.into()])).await?;
    n += db.execute(sql("DELETE FROM api_token WHERE kind = 'access' AND expires_at < $1", vec![t.into()])).await?;
    n += db
        .execute(sql(
            "DELETE FROM login_throttle WHERE window_start < $1 AND (locked_until IS NULL OR locked_until < $2)",
            vec![(t - Duration::minutes(THROTTLE_WINDOW_MINUTES)).into(), t.into()],
        ))
        .await?;
    Ok(n)
}
