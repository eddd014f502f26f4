//! The organization every test server starts with: a small slice of a real dealer
//! network, built through the same store constructors production uses.
//!
//! ```text
//! 东岳汽车 (OEM)                admin, oem.salesops, oem.marketing, cac.agent, tech.support
//! ├── EAST 华东大区             east.manager (regional manager)
//! │   ├── SHA01 上海浦东 (A)    in group HXG: sha01.manager, sha01.consultant, sha01.advisor
//! │   └── HZC01 杭州滨江         no group, no staff
//! └── SOUTH 华南大区
//!     └── GZB01 广州天河 (B)    gzb01.manager, gzb01.consultant
//! HXG 华信汽车集团              hxg.manager (group manager of SHA01 only)
//! ```

use autocrm_domain::access::Role;
use autocrm_domain::org::DepartmentKind;
use autocrm_store::auth::Actor;
use autocrm_store::db::sql;
use autocrm_store::org::{Dealer, DealerGroup, Department, Region};
use autocrm_store::{Db, now, record, users};

/// Every fixture account's password.
pub const PASSWORD: &str = "test-pass-1";
pub const OEM_NAME: &str = "东岳汽车";

pub const ADMIN: &str = "admin";
pub const SALES_OPS: &str = "oem.salesops";
pub const MARKETING: &str = "oem.marketing";
pub const CAC_AGENT: &str = "cac.agent";
pub const TECH_SUPPORT: &str = "tech.support";
pub const EAST_MANAGER: &str = "east.manager";
pub const HXG_MANAGER: &str = "hxg.manager";
pub const SHA01_MANAGER: &str = "sha01.manager";
pub const SHA01_CONSULTANT: &str = "sha01.consultant";
pub const SHA01_ADVISOR: &str = "sha01.advisor";
pub const GZB01_MANAGER: &str = "gzb01.manager";
pub const GZB01_CONSULTANT: &str = "gzb01.consultant";

/// A fixture account.
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: i64,
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub dealer_id: Option<i64>,
}

/// Ids of what the fixture created.
#[derive(Debug, Clone)]
pub struct Org {
    pub east: i64,
    pub south: i64,
    pub hxg: i64,
    /// Dealer A: SHA01, region EAST, group HXG.
    pub dealer_a: i64,
    /// Dealer B: GZB01, region SOUTH, no group.
    pub dealer_b: i64,
    /// HZC01: region EAST, no group — tells a region's reach from a group's.
    pub dealer_c: i64,
    pub sales_a: i64,
    pub service_a: i64,
    pub sales_b: i64,
    pub staff: Vec<Staff>,
}

impl Org {
    /// The account with `username`.
    pub fn staff(&self, username: &str) -> &Staff {
        self.staff.iter().find(|s| s.username == username).unwrap_or_else(|| panic!("no fixture account {username}"))
    }

    /// The account that represents `role` (dealer A's staff for dealer roles).
    pub fn user(&self, role: Role) -> &Staff {
        let username = match role {
            Role::Admin => ADMIN,
            Role::OemSalesOps => SALES_OPS,
            Role::OemMarketing => MARKETING,
            Role::CacAgent => CAC_AGENT,
            Role::TechSupport => TECH_SUPPORT,
            Role::RegionalManager => EAST_MANAGER,
            Role::GroupManager => HXG_MANAGER,
            Role::DealerManager => SHA01_MANAGER,
            Role::SalesConsultant => SHA01_CONSULTANT,
            Role::ServiceAdvisor => SHA01_ADVISOR,
        };
        self.staff(username)
    }

    pub fn id(&self, username: &str) -> i64 {
        self.staff(username).id
    }
}

fn region(code: &str, name: &str) -> Region {
    let t = now();
    Region { id: 0, code: code.into(), name: name.into(), active: true, version: 0, created_at: t, updated_at: t }
}

#[allow(clippy::too_many_arguments)]
fn dealer(code: &str, name: &str, level: &str, region_id: i64, group_id: Option<i64>, province: &str, city: &str, address: &str) -> Dealer {
    let t = now();
    Dealer {
        id: 0,
        code: code.into(),
        name: name.into(),
        level: level.into(),
        region_id,
        group_id,
        province: province.into(),
        city: city.into(),
        address: Some(address.into()),
        phone: None,
        active: true,
        version: 0,
        created_at: t,
        updated_at: t,
    }
}

fn department(dealer_id: i64, kind: DepartmentKind, name: &str) -> Department {
    let t = now();
    Department {
        id: 0,
        dealer_id: Some(dealer_id),
        kind: kind.as_str().into(),
        name: name.into(),
        active: true,
        version: 0,
        created_at: t,
        updated_at: t,
    }
}

/// Loads the fixture into a migrated, empty database.
pub async fn seed(db: &Db) -> Org {
    let system = Actor::system();
    db.execute(sql(
        "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, $3)",
        vec!["oem.name".into(), OEM_NAME.into(), now().into()],
    ))
    .await
    .expect("the OEM's name");

    let insert_region = |code: &'static str, name: &'static str| {
        let system = system.clone();
        async move { record::insert(db, &system, &region(code, name)).await.expect("a fixture region").id }
    };
    let east = insert_region("EAST", "华东大区").await;
    let south = insert_region("SOUTH", "华南大区").await;
    let t = now();
    let hxg = record::insert(
        db,
        &system,
        &DealerGroup { id: 0, code: "HXG".into(), name: "华信汽车集团".into(), active: true, version: 0, created_at: t, updated_at: t },
    )
    .await
    .expect("the fixture group")
    .id;

    let dealer_a = record::insert(
        db,
        &system,
        &dealer("SHA01", "上海浦东东岳4S店", "A", east, Some(hxg), "上海", "上海", "上海市浦东新区张杨路1688号"),
    )
    .await
    .expect("dealer A")
    .id;
    let dealer_b = record::insert(
        db,
        &system,
        &dealer("GZB01", "广州天河东岳4S店", "B", south, None, "广东", "广州", "广州市天河区黄埔大道西668号"),
    )
    .await
    .expect("dealer B")
    .id;
    let dealer_c = record::insert(
        db,
        &system,
        &dealer("HZC01", "杭州滨江东岳4S店", "C", east, None, "浙江", "杭州", "杭州市滨江区江南大道3880号"),
    )
    .await
    .expect("dealer C")
    .id;

    let dep = |dealer_id, kind, name: &'static str| {
        let system = system.clone();
        async move { record::insert(db, &system, &department(dealer_id, kind, name)).await.expect("a fixture department").id }
    };
    let sales_a = dep(dealer_a, DepartmentKind::Sales, "销售部").await;
    let service_a = dep(dealer_a, DepartmentKind::Service, "售后服务部").await;
    let sales_b = dep(dealer_b, DepartmentKind::Sales, "销售部").await;

    enum Place {
        Oem,
        Region(i64),
        Group(i64),
        Dealer(i64, Option<i64>),
    }
    #[rustfmt::skip]
    let accounts = [
        (ADMIN, "王建国", Role::Admin, Place::Oem),
        (SALES_OPS, "李娜", Role::OemSalesOps, Place::Oem),
        (MARKETING, "周敏", Role::OemMarketing, Place::Oem),
        (CAC_AGENT, "陈静", Role::CacAgent, Place::Oem),
        (TECH_SUPPORT, "赵磊", Role::TechSupport, Place::Oem),
        (EAST_MANAGER, "孙浩", Role::RegionalManager, Place::Region(east)),
        (HXG_MANAGER, "吴刚", Role::GroupManager, Place::Group(hxg)),
        (SHA01_MANAGER, "张伟", Role::DealerManager, Place::Dealer(dealer_a, None)),
        (SHA01_CONSULTANT, "刘洋", Role::SalesConsultant, Place::Dealer(dealer_a, Some(sales_a))),
        (SHA01_ADVISOR, "黄丽", Role::ServiceAdvisor, Place::Dealer(dealer_a, Some(service_a))),
        (GZB01_MANAGER, "林峰", Role::DealerManager, Place::Dealer(dealer_b, None)),
        (GZB01_CONSULTANT, "何欣", Role::SalesConsultant, Place::Dealer(dealer_b, Some(sales_b))),
    ];
    let mut staff = Vec::new();
    for (username, display_name, role, place) in accounts {
        let mut u = users::blank(username.into(), display_name.into(), role);
        u.email = Some(format!("{username}@dongyue-auto.example"));
        match place {
            Place::Oem => {}
            Place::Region(r) => u.region_id = Some(r),
            Place::Group(g) => u.group_id = Some(g),
            Place::Dealer(d, dep) => {
                u.dealer_id = Some(d);
                u.department_id = dep;
            }
        }
        let stored = users::create(db, &system, u, PASSWORD).await.unwrap_or_else(|e| panic!("fixture account {username}: {e}"));
        staff.push(Staff { id: stored.id, username, display_name, role, dealer_id: stored.dealer_id });
    }
    Org { east, south, hxg, dealer_a, dealer_b, dealer_c, sales_a, service_a, sales_b, staff }
}
