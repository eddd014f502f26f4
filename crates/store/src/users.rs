//! Staff accounts: who they are, their role and where they sit in the network.

use autocrm_domain::FieldError;
use autocrm_domain::access::{Role, Scope};
use chrono::{DateTime, Utc};
use sea_query::{Condition, Expr, ExprTrait, Value};
use serde::Serialize;

use crate::audit::{self, Change};
use crate::auth::{self, Actor};
use crate::db::{FromRow, Row, sql};
use crate::page::{self, SortField};
use crate::record::{self, Record};
use crate::scope::{self, Link, Scoped};
use crate::{Db, StoreError, now};

pub const USER: Scoped =
    Scoped { table: "app_user", link: Link::Dealer("dealer_id"), region: Some("region_id"), group: Some("group_id"), owner: None };

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = String)]
    pub role: Role,
    pub dealer_id: Option<i64>,
    pub group_id: Option<i64>,
    pub region_id: Option<i64>,
    pub department_id: Option<i64>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub locale: String,
    pub last_login_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FromRow for User {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let role: String = r.get(3)?;
        Ok(User {
            id: r.get(0)?,
            username: r.get(1)?,
            display_name: r.get(2)?,
            role: Role::parse(&role).ok_or_else(|| StoreError::Decode(format!("unknown role {role}")))?,
            dealer_id: r.get(4)?,
            group_id: r.get(5)?,
            region_id: r.get(6)?,
            department_id: r.get(7)?,
            phone: r.get(8)?,
            email: r.get(9)?,
            active: r.get(10)?,
            locale: r.get(11)?,
            last_login_at: r.get(12)?,
            version: r.get(13)?,
            created_at: r.get(14)?,
            updated_at: r.get(15)?,
        })
    }
}

impl Record for User {
    const ENTITY: &'static str = "user";
    const SCOPED: Scoped = USER;
    const COLUMNS: &'static [&'static str] = &[
        "id", "username", "display_name", "role", "dealer_id", "group_id", "region_id", "department_id", "phone", "email",
        "active", "locale", "last_login_at", "version", "created_at", "updated_at",
    ];
    const WRITABLE: &'static [&'static str] = &[
        "username", "display_name", "role", "dealer_id", "group_id", "region_id", "department_id", "phone", "email", "active",
        "locale",
    ];
    fn writable_values(&self) -> Vec<Value> {
        vec![
            self.username.clone().into(),
            self.display_name.clone().into(),
            self.role.as_str().into(),
            self.dealer_id.into(),
            self.group_id.into(),
            self.region_id.into(),
            self.department_id.into(),
            self.phone.clone().into(),
            self.email.clone().into(),
            self.active.into(),
            self.locale.clone().into(),
        ]
    }
    fn id(&self) -> i64 {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn dealer_id(&self) -> Option<i64> {
        self.dealer_id
    }
    fn summary(&self) -> String {
        format!("{} {}", self.display_name, self.username)
    }
}

pub const SORT: [SortField; 4] =
    [page::text("username", "username"), page::text("display_name", "display_name"), page::text("role", "role"), page::int("id", "id")];

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub q: Option<String>,
    pub role: Option<Role>,
    pub dealer_id: Option<i64>,
    pub active: Option<bool>,
}

impl Filter {
    pub fn condition(&self) -> Condition {
        let mut c = Condition::all();
        if let Some(q) = self.q.as_deref().filter(|q| !q.trim().is_empty()) {
            c = c.add(record::text_search("app_user", &["username", "display_name"], q));
        }
        if let Some(r) = self.role {
            c = c.add(Expr::col(("app_user", "role")).eq(r.as_str()));
        }
        if let Some(d) = self.dealer_id {
            c = c.add(Expr::col(("app_user", "dealer_id")).eq(d));
        }
        if let Some(a) = self.active {
            c = c.add(Expr::col(("app_user", "active")).eq(a));
        }
        c
    }
}

/// Checks that `actor` may give `user` its role and place: nobody grants more than
/// their own reach, and dealer staff sit in a dealer within the actor's scope.
/// Fills the group and region of group and regional managers' accounts.
pub async fn check_placement(db: &Db, actor: &Actor, user: &mut User) -> Result<(), StoreError> {
    if !actor.role.can_assign(user.role) {
        return Err(FieldError::new("role", "you may not assign this role").into());
    }
    let kind = user.role.scope_kind();
    use autocrm_domain::access::ScopeKind;
    match kind {
        ScopeKind::Dealer | ScopeKind::Own => {
            let d = user.dealer_id.ok_or_else(|| FieldError::new("dealer_id", "is required for this role"))?;
            if !scope::dealer_visible(db, &actor.scope, d).await? {
                return Err(FieldError::new("dealer_id", "no such dealer within your scope").into());
            }
            user.group_id = None;
            user.region_id = None;
        }
        ScopeKind::Group => {
            let g = user.group_id.ok_or_else(|| FieldError::new("group_id", "is required for this role"))?;
            let visible = match actor.scope {
                Scope::Oem => db.fetch_optional::<(i64,)>(sql("SELECT id FROM dealer_group WHERE id = $1", vec![g.into()])).await?.is_some(),
                Scope::Group { group_id } => group_id == g,
                _ => false,
            };
            if !visible {
                return Err(FieldError::new("group_id", "no such dealer group within your scope").into());
            }
            user.dealer_id = None;
            user.region_id = None;
        }
        ScopeKind::Region => {
            let r = user.region_id.ok_or_else(|| FieldError::new("region_id", "is required for this role"))?;
            if !actor.scope.is_oem()
                || db.fetch_optional::<(i64,)>(sql("SELECT id FROM region WHERE id = $1", vec![r.into()])).await?.is_none()
            {
                return Err(FieldError::new("region_id", "no such region within your scope").into());
            }
            user.dealer_id = None;
            user.group_id = None;
        }
        ScopeKind::Oem => {
            user.dealer_id = None;
            user.group_id = None;
            user.region_id = None;
        }
    }
    if let Some(dep) = user.department_id {
        let ok: Option<(Option<i64>,)> =
            db.fetch_optional(sql("SELECT dealer_id FROM department WHERE id = $1", vec![dep.into()])).await?;
        if ok.is_none_or(|(d,)| d != user.dealer_id) {
            return Err(FieldError::new("department_id", "no such department in the user's dealer").into());
        }
    }
    Ok(())
}

/// Creates an account with an initial password.
pub async fn create(db: &Db, actor: &Actor, mut user: User, password: &str) -> Result<User, StoreError> {
    check_placement(db, actor, &mut user).await?;
    let hash = auth::hash_password(password);
    let mut tx = db.begin().await?;
    // The hash is written once and never read back.
    let stored = record::insert_stored(&mut tx, actor, &user, None, vec![("password_hash", hash.into())]).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Sets a new password (self-service change or a manager's reset) and ends the
/// user's sessions and access tokens. `scope` is the actor's for a reset; a user changing their own
/// password passes `Scope::Oem` with their own id.
pub async fn set_password(db: &Db, actor: &Actor, scope: &Scope, user_id: i64, password: &str) -> Result<(), StoreError> {
    let hash = auth::hash_password(password);
    let mut tx = db.begin().await?;
    let mut q = scope::update(scope, &USER);
    q.value("password_hash", hash).value("updated_at", now()).and_where(Expr::col(("app_user", "id")).eq(user_id));
    if tx.execute(q).await? != 1 {
        return Err(StoreError::NotFound);
    }
    let (dealer_id,): (Option<i64>,) =
        tx.fetch_one(sql("SELECT dealer_id FROM app_user WHERE id = $1", vec![user_id.into()])).await?;
    auth::end_sessions_of(&mut tx, user_id).await?;
    // Access tokens issued with the old password stop working too (integration
    // tokens are managed on their own page).
    tx.execute(sql(
        "UPDATE api_token SET revoked_at = $1 WHERE user_id = $2 AND kind = 'access' AND revoked_at IS NULL",
        vec![now().into(), user_id.into()],
    ))
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "password_set",
            entity: "user",
            entity_id: Some(user_id),
            dealer_id,
            summary: None,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Checks a user's current password (for the self-service change).
pub async fn password_matches(db: &Db, user_id: i64, password: &str) -> Result<bool, StoreError> {
    let row: Option<(String,)> =
        db.fetch_optional(sql("SELECT password_hash FROM app_user WHERE id = $1", vec![user_id.into()])).await?;
    Ok(row.is_some_and(|(h,)| auth::verify_password(&h, password)))
}

/// An account by username (any scope: for the command line and sign-in helpers).
pub async fn find_by_username(db: &Db, username: &str) -> Result<Option<User>, StoreError> {
    let mut q = scope::select(&Scope::Oem, &USER);
    for c in User::COLUMNS {
        q.column(("app_user", *c));
    }
    q.and_where(Expr::col(("app_user", "username")).eq(username.trim().to_ascii_lowercase()));
    db.fetch_optional(q).await
}

/// A blank account for `role`, to be filled by the caller before [`create`].
pub fn blank(username: String, display_name: String, role: Role) -> User {
    let t = now();
    User {
        id: 0,
        username,
        display_name,
        role,
        dealer_id: None,
        group_id: None,
        region_id: None,
        department_id: None,
        phone: None,
        email: None,
        active: true,
        locale: "zh-CN".into(),
        last_login_at: None,
        version: 0,
        created_at: t,
        updated_at: t,
    }
}
