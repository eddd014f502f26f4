//! The network's structure: regions, dealer groups, dealers and departments.

use autocrm_domain::FieldError;
use autocrm_domain::access::Scope;
use chrono::{DateTime, Utc};
use sea_query::{Condition, Expr, ExprTrait, Value};
use serde::Serialize;

use crate::db::{FromRow, Row, sql};
use crate::page::{self, SortField};
use crate::record::Record;
use crate::scope::{Link, Scoped};
use crate::{Db, StoreError};

pub const REGION: Scoped = Scoped { table: "region", link: Link::Region("id"), region: None, group: None, owner: None };
pub const GROUP: Scoped = Scoped { table: "dealer_group", link: Link::Group("id"), region: None, group: None, owner: None };
pub const DEALER: Scoped =
    Scoped { table: "dealer", link: Link::Dealer("id"), region: Some("region_id"), group: Some("group_id"), owner: None };
/// OEM departments (no dealer) are visible to OEM scope only.
pub const DEPARTMENT: Scoped = Scoped::by_dealer("department", "dealer_id");

pub const CODE_NAME_SORT: [SortField; 3] = [page::text("code", "code"), page::text("name", "name"), page::int("id", "id")];

macro_rules! versioned_from_row {
    ($t:ident { $($f:ident),* }) => {
        impl FromRow for $t {
            fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
                let mut i = 0usize;
                let mut next = || { i += 1; i - 1 };
                Ok($t { $($f: r.get(next())?,)* })
            }
        }
    };
}

// ---- regions and dealer groups ------------------------------------------------------

/// Regions and dealer groups are both a code, a name and a status; they differ in
/// how they relate to the caller's scope.
pub trait CodeNamed: Record {
    fn new(code: String, name: String, active: bool) -> Self;
    fn parts_mut(&mut self) -> (&mut String, &mut String, &mut bool);
}

macro_rules! code_named {
    ($(#[$doc:meta])* $t:ident, $entity:literal, $scoped:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
        pub struct $t {
            pub id: i64,
            pub code: String,
            pub name: String,
            pub active: bool,
            pub version: i64,
            pub created_at: DateTime<Utc>,
            pub updated_at: DateTime<Utc>,
        }
        versioned_from_row!($t { id, code, name, active, version, created_at, updated_at });

        impl Record for $t {
            const ENTITY: &'static str = $entity;
            const SCOPED: Scoped = $scoped;
            const COLUMNS: &'static [&'static str] = &["id", "code", "name", "active", "version", "created_at", "updated_at"];
            const WRITABLE: &'static [&'static str] = &["code", "name", "active"];
            fn writable_values(&self) -> Vec<Value> {
                vec![self.code.clone().into(), self.name.clone().into(), self.active.into()]
            }
            fn id(&self) -> i64 {
                self.id
            }
            fn version(&self) -> i64 {
                self.version
            }
            fn dealer_id(&self) -> Option<i64> {
                None
            }
            fn summary(&self) -> String {
                format!("{} {}", self.code, self.name)
            }
        }

        impl CodeNamed for $t {
            fn new(code: String, name: String, active: bool) -> Self {
                let t = crate::now();
                $t { id: 0, code, name, active, version: 0, created_at: t, updated_at: t }
            }
            fn parts_mut(&mut self) -> (&mut String, &mut String, &mut bool) {
                (&mut self.code, &mut self.name, &mut self.active)
            }
        }
    };
}

code_named!(
    /// A sales region of the OEM (华东大区…); regional managers see its dealers.
    Region, "region", REGION
);
code_named!(
    /// A dealer group owning several stores; its manager sees all of them.
    DealerGroup, "dealer_group", GROUP
);

// ---- dealers ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dealer {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Network classification, `A` (strongest) to `D`.
    pub level: String,
    pub region_id: i64,
    pub group_id: Option<i64>,
    pub province: String,
    pub city: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
versioned_from_row!(Dealer {
    id, code, name, level, region_id, group_id, province, city, address, phone, active, version, created_at, updated_at
});

impl Record for Dealer {
    const ENTITY: &'static str = "dealer";
    const SCOPED: Scoped = DEALER;
    const COLUMNS: &'static [&'static str] = &[
        "id", "code", "name", "level", "region_id", "group_id", "province", "city", "address", "phone", "active", "version",
        "created_at", "updated_at",
    ];
    const WRITABLE: &'static [&'static str] =
        &["code", "name", "level", "region_id", "group_id", "province", "city", "address", "phone", "active"];
    fn writable_values(&self) -> Vec<Value> {
        vec![
            self.code.clone().into(),
            self.name.clone().into(),
            self.level.clone().into(),
            self.region_id.into(),
            self.group_id.into(),
            self.province.clone().into(),
            self.city.clone().into(),
            self.address.clone().into(),
            self.phone.clone().into(),
            self.active.into(),
        ]
    }
    fn id(&self) -> i64 {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn dealer_id(&self) -> Option<i64> {
        (self.id != 0).then_some(self.id)
    }
    fn summary(&self) -> String {
        format!("{} {}", self.code, self.name)
    }
}

pub const DEALER_SORT: [SortField; 4] =
    [page::text("code", "code"), page::text("name", "name"), page::text("city", "city"), page::int("id", "id")];

#[derive(Debug, Clone, Default)]
pub struct DealerFilter {
    pub q: Option<String>,
    pub region_id: Option<i64>,
    pub group_id: Option<i64>,
    pub level: Option<String>,
    pub active: Option<bool>,
}

impl DealerFilter {
    pub fn condition(&self) -> Condition {
        let mut c = Condition::all();
        if let Some(q) = self.q.as_deref().filter(|q| !q.trim().is_empty()) {
            c = c.add(crate::record::text_search("dealer", &["code", "name", "city"], q));
        }
        if let Some(r) = self.region_id {
            c = c.add(Expr::col(("dealer", "region_id")).eq(r));
        }
        if let Some(g) = self.group_id {
            c = c.add(Expr::col(("dealer", "group_id")).eq(g));
        }
        if let Some(l) = &self.level {
            c = c.add(Expr::col(("dealer", "level")).eq(l.as_str()));
        }
        if let Some(a) = self.active {
            c = c.add(Expr::col(("dealer", "active")).eq(a));
        }
        c
    }
}

/// Checks that the region and group a dealer points at exist.
pub async fn check_dealer_refs(db: &Db, region_id: i64, group_id: Option<i64>) -> Result<(), StoreError> {
    let r: Option<(i64,)> = db.fetch_optional(sql("SELECT id FROM region WHERE id = $1", vec![region_id.into()])).await?;
    if r.is_none() {
        return Err(FieldError::new("region_id", "no such region").into());
    }
    if let Some(g) = group_id {
        let r: Option<(i64,)> = db.fetch_optional(sql("SELECT id FROM dealer_group WHERE id = $1", vec![g.into()])).await?;
        if r.is_none() {
            return Err(FieldError::new("group_id", "no such dealer group").into());
        }
    }
    Ok(())
}

// ---- departments -------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Department {
    pub id: i64,
    /// The dealer it belongs to; none for the OEM's own departments (CAC, tech support…).
    pub dealer_id: Option<i64>,
    pub kind: String,
    pub name: String,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
versioned_from_row!(Department { id, dealer_id, kind, name, active, version, created_at, updated_at });

impl Record for Department {
    const ENTITY: &'static str = "department";
    const SCOPED: Scoped = DEPARTMENT;
    const COLUMNS: &'static [&'static str] = &["id", "dealer_id", "kind", "name", "active", "version", "created_at", "updated_at"];
    const WRITABLE: &'static [&'static str] = &["dealer_id", "kind", "name", "active"];
    fn writable_values(&self) -> Vec<Value> {
        vec![self.dealer_id.into(), self.kind.clone().into(), self.name.clone().into(), self.active.into()]
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
        self.name.clone()
    }
}

pub const DEPARTMENT_SORT: [SortField; 3] = [page::text("name", "name"), page::text("kind", "kind"), page::int("id", "id")];

/// A department may be placed under a dealer only if that dealer is within the
/// caller's scope; OEM departments (no dealer) only by OEM-wide roles.
pub async fn check_department_dealer(db: &Db, scope: &Scope, dealer_id: Option<i64>) -> Result<(), StoreError> {
    let ok = match dealer_id {
        Some(d) => crate::scope::dealer_visible(db, scope, d).await?,
        None => scope.is_oem(),
    };
    if ok { Ok(()) } else { Err(FieldError::new("dealer_id", "no such dealer within your scope").into()) }
}

/// Small lookups for forms and labels: (id, code, name) of what the scope sees.
pub async fn options(db: &Db, scope: &Scope, t: &Scoped) -> Result<Vec<(i64, String, String)>, StoreError> {
    let mut q = crate::scope::select(scope, t);
    q.columns([(t.table, "id"), (t.table, "code"), (t.table, "name")]).order_by((t.table, "code"), sea_query::Order::Asc);
    db.fetch_all(q).await
}

/// The OEM's name, shown in the header.
pub async fn oem_name(db: &Db) -> Result<String, StoreError> {
    Ok(crate::scope::setting(db, "oem.name").await?.unwrap_or_else(|| "autocrm".into()))
}
