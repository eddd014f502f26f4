//! Demo data for `autocrm demo`: a small, realistic dealer network of the fictional
//! automaker 东岳汽车 with one signed-in-ready account per role, so a visitor (and the
//! browser tests) can try every view at once.
//!
//! Unlike the benchmark [`seed`](crate::seed), everything here goes through the
//! audited record path, so the audit trail of a demo has content from the start.

use autocrm_domain::access::Role;
use autocrm_domain::org::DepartmentKind;
use sea_query::Value;

use crate::auth::{self, Actor};
use crate::db::sql;
use crate::org::{Dealer, DealerGroup, Department, Region};
use crate::record::{self, Record};
use crate::users::{self, User};
use crate::{Db, StoreError, Tx, now};

/// Every demo account signs in with this password.
pub const DEMO_PASSWORD: &str = "demo1234";
pub const OEM_NAME: &str = "东岳汽车";

/// An account to show on the welcome screen of `autocrm demo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub display_name: String,
    /// The dealer code for dealer staff (`SH001`); `None` for OEM, region and group staff.
    pub dealer: Option<String>,
}

const REGIONS: [(&str, &str); 4] = [("EAST", "华东大区"), ("SOUTH", "华南大区"), ("NORTH", "华北大区"), ("WEST", "西南大区")];

const GROUPS: [(&str, &str); 2] = [("HXG", "华信汽车集团"), ("YTG", "粤通汽车集团")];

struct DemoDealer {
    code: &'static str,
    name: &'static str,
    level: &'static str,
    region: &'static str,
    group: Option<&'static str>,
    province: &'static str,
    city: &'static str,
    address: &'static str,
    phone: &'static str,
}

#[rustfmt::skip]
const DEALERS: [DemoDealer; 12] = [
    DemoDealer { code: "SH001", name: "上海浦东东岳4S店", level: "A", region: "EAST", group: Some("HXG"), province: "上海", city: "上海", address: "上海市浦东新区张杨路1688号", phone: "021-58881234" },
    DemoDealer { code: "SH002", name: "上海闵行东岳4S店", level: "B", region: "EAST", group: Some("HXG"), province: "上海", city: "上海", address: "上海市闵行区沪闵路6088号", phone: "021-64301288" },
    DemoDealer { code: "SUZ001", name: "苏州园区东岳4S店", level: "B", region: "EAST", group: Some("HXG"), province: "江苏", city: "苏州", address: "苏州工业园区星湖街218号", phone: "0512-62881566" },
    DemoDealer { code: "HZ001", name: "杭州滨江东岳4S店", level: "A", region: "EAST", group: None, province: "浙江", city: "杭州", address: "杭州市滨江区江南大道3880号", phone: "0571-86601399" },
    DemoDealer { code: "NJ001", name: "南京江宁东岳4S店", level: "C", region: "EAST", group: None, province: "江苏", city: "南京", address: "南京市江宁区双龙大道1118号", phone: "025-52101477" },
    DemoDealer { code: "GZ001", name: "广州天河东岳4S店", level: "A", region: "SOUTH", group: None, province: "广东", city: "广州", address: "广州市天河区黄埔大道西668号", phone: "020-38881234" },
    DemoDealer { code: "SZ001", name: "深圳福田东岳4S店", level: "A", region: "SOUTH", group: Some("YTG"), province: "广东", city: "深圳", address: "深圳市福田区深南大道7008号", phone: "0755-83881655" },
    DemoDealer { code: "FS001", name: "佛山南海东岳4S店", level: "C", region: "SOUTH", group: Some("YTG"), province: "广东", city: "佛山", address: "佛山市南海区桂城南海大道北28号", phone: "0757-86301722" },
    DemoDealer { code: "BJ001", name: "北京亦庄东岳4S店", level: "A", region: "NORTH", group: None, province: "北京", city: "北京", address: "北京市大兴区亦庄荣华南路15号", phone: "010-67881909" },
    DemoDealer { code: "TJ001", name: "天津河西东岳4S店", level: "D", region: "NORTH", group: None, province: "天津", city: "天津", address: "天津市河西区友谊路35号", phone: "022-23281344" },
    DemoDealer { code: "CD001", name: "成都高新东岳4S店", level: "B", region: "WEST", group: None, province: "四川", city: "成都", address: "成都市高新区天府大道中段1268号", phone: "028-85121588" },
    DemoDealer { code: "CQ001", name: "重庆渝北东岳4S店", level: "C", region: "WEST", group: None, province: "重庆", city: "重庆", address: "重庆市渝北区金开大道88号", phone: "023-67801636" },
];

/// The departments every store has, and the OEM's own.
const DEALER_DEPARTMENTS: [(DepartmentKind, &str); 4] = [
    (DepartmentKind::Sales, "销售部"),
    (DepartmentKind::Service, "售后服务部"),
    (DepartmentKind::Parts, "配件部"),
    (DepartmentKind::Finance, "财务部"),
];
const OEM_DEPARTMENTS: [(DepartmentKind, &str); 3] = [
    (DepartmentKind::Cac, "客户服务中心"),
    (DepartmentKind::TechSupport, "技术支持中心"),
    (DepartmentKind::Marketing, "市场部"),
];

/// Where an account sits: the OEM (optionally in one of its departments), a
/// region, a dealer group or a dealer (in the department matching the role).
#[derive(Clone, Copy)]
enum Place {
    Oem(Option<DepartmentKind>),
    Region(&'static str),
    Group(&'static str),
    Dealer(&'static str),
}

struct DemoUser {
    username: &'static str,
    display_name: &'static str,
    role: Role,
    place: Place,
    phone: &'static str,
}

#[rustfmt::skip]
const USERS: [DemoUser; 16] = [
    DemoUser { username: "admin", display_name: "郑宇", role: Role::Admin, place: Place::Oem(None), phone: "13800000001" },
    DemoUser { username: "salesops", display_name: "周涛", role: Role::OemSalesOps, place: Place::Oem(None), phone: "13916052231" },
    DemoUser { username: "marketing", display_name: "孙悦", role: Role::OemMarketing, place: Place::Oem(Some(DepartmentKind::Marketing)), phone: "13761208845" },
    DemoUser { username: "region.east", display_name: "陈建国", role: Role::RegionalManager, place: Place::Region("EAST"), phone: "13601827760" },
    DemoUser { username: "cac", display_name: "刘婷", role: Role::CacAgent, place: Place::Oem(Some(DepartmentKind::Cac)), phone: "15821093347" },
    DemoUser { username: "tech", display_name: "吴昊", role: Role::TechSupport, place: Place::Oem(Some(DepartmentKind::TechSupport)), phone: "18616730092" },
    DemoUser { username: "group.mgr", display_name: "赵志强", role: Role::GroupManager, place: Place::Group("HXG"), phone: "13564478810" },
    DemoUser { username: "dealer.mgr", display_name: "李明", role: Role::DealerManager, place: Place::Dealer("SH001"), phone: "13817765502" },
    DemoUser { username: "dealer.mgr.gz", display_name: "黄海涛", role: Role::DealerManager, place: Place::Dealer("GZ001"), phone: "13926648817" },
    DemoUser { username: "consultant", display_name: "王丽", role: Role::SalesConsultant, place: Place::Dealer("SH001"), phone: "13661925573" },
    DemoUser { username: "consultant2", display_name: "张强", role: Role::SalesConsultant, place: Place::Dealer("SH001"), phone: "13918852064" },
    DemoUser { username: "advisor", display_name: "杨帆", role: Role::ServiceAdvisor, place: Place::Dealer("SH001"), phone: "15900783316" },
    DemoUser { username: "consultant.sh2", display_name: "徐静", role: Role::SalesConsultant, place: Place::Dealer("SH002"), phone: "13524406681" },
    DemoUser { username: "consultant.gz", display_name: "林晓燕", role: Role::SalesConsultant, place: Place::Dealer("GZ001"), phone: "13711350928" },
    DemoUser { username: "advisor.gz", display_name: "何俊", role: Role::ServiceAdvisor, place: Place::Dealer("GZ001"), phone: "13802497715" },
    DemoUser { username: "consultant.bj", display_name: "马超", role: Role::SalesConsultant, place: Place::Dealer("BJ001"), phone: "13911027364" },
];

/// Loads the demo data into an empty database (no accounts yet) and returns the
/// accounts to sign in with. On a database that already has accounts (a re-run of
/// `autocrm demo` on the same data directory) it changes nothing and returns the
/// demo accounts that still exist.
pub async fn ensure(db: &Db) -> Result<Vec<DemoAccount>, StoreError> {
    let (users,): (i64,) = db.fetch_one(sql("SELECT COUNT(*) FROM app_user", vec![])).await?;
    if users == 0 {
        load(db).await?;
        tracing::info!(users = USERS.len(), dealers = DEALERS.len(), "loaded demo data");
    }
    let existing: Vec<(String,)> = db.fetch_all(sql("SELECT username FROM app_user", vec![])).await?;
    Ok(accounts().into_iter().filter(|a| existing.iter().any(|(u,)| *u == a.username)).collect())
}

/// The demo accounts, OEM staff first, then the network from the top down.
pub fn accounts() -> Vec<DemoAccount> {
    USERS
        .iter()
        .map(|u| DemoAccount {
            username: u.username.into(),
            password: DEMO_PASSWORD.into(),
            role: u.role,
            display_name: u.display_name.into(),
            dealer: match u.place {
                Place::Dealer(code) => Some(code.into()),
                _ => None,
            },
        })
        .collect()
}

/// Everything in one transaction: a demo is either fully there or not at all, so an
/// interrupted first start is simply retried by the next one.
async fn load(db: &Db) -> Result<(), StoreError> {
    let system = Actor::system();
    let t = now();
    let mut tx = db.begin().await?;
    tx.execute(sql(
        "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        vec!["oem.name".into(), OEM_NAME.into(), t.into()],
    ))
    .await?;

    let mut regions = Vec::new();
    for (code, name) in REGIONS {
        let r = Region { id: 0, code: code.into(), name: name.into(), active: true, version: 0, created_at: t, updated_at: t };
        regions.push((code, insert(&mut tx, &system, &r).await?));
    }
    let mut groups = Vec::new();
    for (code, name) in GROUPS {
        let g = DealerGroup { id: 0, code: code.into(), name: name.into(), active: true, version: 0, created_at: t, updated_at: t };
        groups.push((code, insert(&mut tx, &system, &g).await?));
    }
    let region_id = |code: &str| lookup(&regions, code);
    let group_id = |code: &str| lookup(&groups, code);

    let mut dealers = Vec::new();
    let mut departments: Vec<((Option<i64>, DepartmentKind), i64)> = Vec::new();
    for d in &DEALERS {
        let dealer = Dealer {
            id: 0,
            code: d.code.into(),
            name: d.name.into(),
            level: d.level.into(),
            region_id: region_id(d.region)?,
            group_id: d.group.map(group_id).transpose()?,
            province: d.province.into(),
            city: d.city.into(),
            address: Some(d.address.into()),
            phone: Some(d.phone.into()),
            active: true,
            version: 0,
            created_at: t,
            updated_at: t,
        };
        let id = insert(&mut tx, &system, &dealer).await?;
        dealers.push((d.code, id));
        for (kind, name) in DEALER_DEPARTMENTS {
            departments.push(((Some(id), kind), insert(&mut tx, &system, &department(Some(id), kind, name)).await?));
        }
    }
    for (kind, name) in OEM_DEPARTMENTS {
        departments.push(((None, kind), insert(&mut tx, &system, &department(None, kind, name)).await?));
    }
    let department_id =
        |dealer: Option<i64>, kind: DepartmentKind| departments.iter().find(|(k, _)| *k == (dealer, kind)).map(|(_, id)| *id);

    // One hash for every demo account: argon2id is deliberately slow.
    let hash = auth::hash_password(DEMO_PASSWORD);
    for u in &USERS {
        let mut user = users::blank(u.username.into(), u.display_name.into(), u.role);
        user.phone = Some(u.phone.into());
        user.email = Some(format!("{}@dongyue-auto.example", u.username));
        match u.place {
            Place::Oem(kind) => user.department_id = kind.and_then(|k| department_id(None, k)),
            Place::Region(code) => user.region_id = Some(region_id(code)?),
            Place::Group(code) => user.group_id = Some(group_id(code)?),
            Place::Dealer(code) => {
                let dealer = lookup(&dealers, code)?;
                user.dealer_id = Some(dealer);
                let kind = match u.role {
                    Role::SalesConsultant => Some(DepartmentKind::Sales),
                    Role::ServiceAdvisor => Some(DepartmentKind::Service),
                    _ => None,
                };
                user.department_id = kind.and_then(|k| department_id(Some(dealer), k));
            }
        }
        record::insert_stored::<User>(&mut tx, &system, &user, None, vec![("password_hash", Value::from(hash.clone()))]).await?;
    }
    // Customers around every dealer, then the vehicles of those who bought one.
    let customers = crate::customers::demo::load(&mut tx).await?;
    let vehicles = crate::vehicles::demo::load(&mut tx, &customers.bought).await?;
    let leads = crate::leads::demo::load(&mut tx).await?;
    let (demo_cars, test_drives) = crate::test_drives::demo::load(&mut tx).await?;
    let quotes = crate::quotes::demo::load(&mut tx).await?;
    let traffic = crate::traffic::demo::load(&mut tx).await?;
    tracing::info!(customers = customers.customers, vehicles, leads, demo_cars, test_drives, quotes, traffic, "loaded demo customers, leads and showroom traffic");
    tx.commit().await
}

async fn insert<T: Record>(tx: &mut Tx, actor: &Actor, r: &T) -> Result<i64, StoreError> {
    record::insert_in(tx, actor, r).await
}

fn department(dealer_id: Option<i64>, kind: DepartmentKind, name: &str) -> Department {
    let t = now();
    Department { id: 0, dealer_id, kind: kind.as_str().into(), name: name.into(), active: true, version: 0, created_at: t, updated_at: t }
}

fn lookup(ids: &[(&str, i64)], code: &str) -> Result<i64, StoreError> {
    ids.iter()
        .find(|(c, _)| *c == code)
        .map(|(_, id)| *id)
        .ok_or_else(|| StoreError::Decode(format!("demo data refers to unknown code {code}")))
}

#[cfg(test)]
mod tests {
    use autocrm_domain::org::{PROVINCES, parse_code};
    use autocrm_domain::users::parse_username;

    use super::*;

    #[test]
    fn demo_data_is_valid_by_the_domain_rules() {
        for d in &DEALERS {
            assert_eq!(parse_code("code", d.code).unwrap(), d.code);
            assert!(PROVINCES.contains(&d.province), "{} province {}", d.code, d.province);
            assert!(autocrm_domain::org::DealerLevel::parse(d.level).is_some());
        }
        for u in &USERS {
            assert_eq!(parse_username(u.username).unwrap(), u.username);
        }
        assert_eq!(DEALERS.iter().filter(|d| d.group == Some("HXG")).count(), 3);
    }

    #[test]
    fn every_role_has_a_demo_account() {
        for role in Role::ALL {
            assert!(accounts().iter().any(|a| a.role == role), "no demo account for {role}");
        }
    }

    #[test]
    fn dealer_staff_sit_in_a_dealer_and_others_do_not() {
        for u in &USERS {
            assert_eq!(matches!(u.place, Place::Dealer(_)), u.role.belongs_to_dealer(), "{}", u.username);
        }
    }
}
