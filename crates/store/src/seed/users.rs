//! Staff accounts for every role: OEM staff (admins, sales operations, marketing,
//! the CAC's hotline agents, tech support), regional and group managers, and each
//! store's manager, sales consultants and service advisors — bigger stores (level A)
//! get more people. All share [`SEED_PASSWORD`](super::SEED_PASSWORD).

use std::collections::HashMap;

use autocrm_domain::access::Role;
use autocrm_domain::org::DepartmentKind;
use sea_query::Value;

use super::names::{GIVEN_ONE, GIVEN_TWO, MOBILE_PREFIXES, SURNAMES};
use super::org::load;
use super::rng::{Rng, cumulative};
use super::{ADMIN_USERNAME, CONSULTANT_USERNAME, Load, Scale, SeedUser, Step, World, id, opt_id, opt_text, text};

pub(crate) const STEP: Step = Step { name: "users", tables: &["app_user"], plan };

const COLUMNS: &[&str] = &[
    "id", "username", "display_name", "role", "dealer_id", "group_id", "region_id", "department_id", "phone", "email",
    "password_hash", "active", "locale", "version", "created_at", "updated_at",
];

const EMAIL_DOMAIN: &str = "dongyue-auto.example";

/// How many accounts of each kind a scale has.
struct Shape {
    total: usize,
    /// OEM staff by role, with the OEM department they work in.
    oem: &'static [(Role, usize, Option<DepartmentKind>)],
    regional_managers_per_region: usize,
    /// Every store has at least this many consultants and advisors; the rest of
    /// `total` is spread over the stores by their level.
    min_consultants: usize,
    min_advisors: usize,
}

fn shape(scale: Scale) -> Shape {
    match scale {
        Scale::Oem => Shape {
            total: 20_000,
            oem: &[
                (Role::Admin, 5, None),
                (Role::OemSalesOps, 60, None),
                (Role::OemMarketing, 40, Some(DepartmentKind::Marketing)),
                (Role::CacAgent, 200, Some(DepartmentKind::Cac)),
                (Role::TechSupport, 50, Some(DepartmentKind::TechSupport)),
            ],
            regional_managers_per_region: 2,
            min_consultants: 3,
            min_advisors: 2,
        },
        Scale::Dealer => Shape {
            total: 300,
            oem: &[(Role::Admin, 1, None)],
            regional_managers_per_region: 0,
            min_consultants: 3,
            min_advisors: 2,
        },
    }
}

/// One account before it becomes a row.
struct Account {
    role: Role,
    dealer_id: Option<i64>,
    group_id: Option<i64>,
    region_id: Option<i64>,
    department_id: Option<i64>,
    active: bool,
    fixed_username: Option<&'static str>,
}

impl Account {
    fn new(role: Role) -> Account {
        Account { role, dealer_id: None, group_id: None, region_id: None, department_id: None, active: true, fixed_username: None }
    }
}

fn plan(world: &mut World, rng: &mut Rng) -> Vec<Load> {
    let shape = shape(world.scale);
    let mut accounts = Vec::with_capacity(shape.total);

    for (role, n, kind) in shape.oem {
        let department_id = kind.and_then(|k| world.oem_departments.iter().find(|(d, _)| *d == k).map(|(_, id)| *id));
        for _ in 0..*n {
            accounts.push(Account { department_id, ..Account::new(*role) });
        }
    }
    if let Some(first_admin) = accounts.iter_mut().find(|a| a.role == Role::Admin) {
        first_admin.fixed_username = Some(ADMIN_USERNAME);
    }
    for r in &world.regions {
        for _ in 0..shape.regional_managers_per_region {
            accounts.push(Account { region_id: Some(r.id), ..Account::new(Role::RegionalManager) });
        }
    }
    for g in &world.groups {
        accounts.push(Account { group_id: Some(g.id), ..Account::new(Role::GroupManager) });
    }

    // Store staff: the minimum everywhere, the rest where the business is.
    let dealers = &world.dealers;
    let fixed = accounts.len() + dealers.len() * (1 + shape.min_consultants + shape.min_advisors);
    let extra = shape.total.checked_sub(fixed).expect("the scale has room for every store's minimum staff");
    let mut consultants = vec![shape.min_consultants; dealers.len()];
    let mut advisors = vec![shape.min_advisors; dealers.len()];
    let weights = cumulative(dealers.iter().map(|d| match d.level {
        "A" => 4,
        "B" => 3,
        "C" => 2,
        _ => 1,
    }));
    for _ in 0..extra {
        let d = rng.weighted(&weights);
        if rng.chance(55) { consultants[d] += 1 } else { advisors[d] += 1 }
    }
    for (i, d) in dealers.iter().enumerate() {
        let staff = |role: Role, kind: Option<DepartmentKind>| Account {
            dealer_id: Some(d.id),
            department_id: kind.and_then(|k| d.department(k)),
            ..Account::new(role)
        };
        accounts.push(staff(Role::DealerManager, None));
        for c in 0..consultants[i] {
            let mut a = staff(Role::SalesConsultant, Some(DepartmentKind::Sales));
            if i == 0 && c == 0 {
                a.fixed_username = Some(CONSULTANT_USERNAME);
            } else {
                // Some have left the store: their records await a handover.
                a.active = !rng.chance(2);
            }
            accounts.push(a);
        }
        for _ in 0..advisors[i] {
            let mut a = staff(Role::ServiceAdvisor, Some(DepartmentKind::Service));
            a.active = !rng.chance(2);
            accounts.push(a);
        }
    }
    debug_assert_eq!(accounts.len(), shape.total);

    let mut suffixes = HashMap::new();
    let mut rows = Vec::with_capacity(accounts.len());
    for a in accounts {
        let uid = world.next_id("app_user");
        let (display_name, base) = person(rng);
        let username = match a.fixed_username {
            Some(u) => {
                world.usernames.insert(u.to_string());
                u.to_string()
            }
            None => unique_username(&mut world.usernames, &mut suffixes, base),
        };
        let phone = format!("{}{}", rng.pick(MOBILE_PREFIXES), rng.digits(8));
        let email = (a.dealer_id.is_none() || rng.chance(70)).then(|| format!("{username}@{EMAIL_DOMAIN}"));
        world.users.push(SeedUser { id: uid, role: a.role, dealer_id: a.dealer_id });
        rows.push(vec![
            id(uid),
            text(username),
            text(display_name),
            text(a.role.as_str()),
            opt_id(a.dealer_id),
            opt_id(a.group_id),
            opt_id(a.region_id),
            opt_id(a.department_id),
            text(phone),
            opt_text(email),
            text(world.password_hash.clone()),
            a.active.into(),
            text("zh-CN"),
            Value::from(1i64),
            world.now.into(),
            world.now.into(),
        ]);
    }
    vec![load("app_user", COLUMNS, rows)]
}

/// A Chinese name and the pinyin username it suggests (`王丽` → `wang.li`).
fn person(rng: &mut Rng) -> (String, String) {
    let (surname, sp) = rng.pick_skewed(SURNAMES);
    let (given, gp) = if rng.chance(30) { rng.pick(GIVEN_ONE) } else { rng.pick(GIVEN_TWO) };
    (format!("{surname}{given}"), format!("{sp}.{gp}"))
}

/// `wang.li`, then `wang.li2`, `wang.li3`… as namesakes join.
fn unique_username(
    taken: &mut std::collections::HashSet<String>,
    next: &mut HashMap<String, u32>,
    base: String,
) -> String {
    let n = next.entry(base.clone()).or_insert(1);
    loop {
        let candidate = if *n == 1 { base.clone() } else { format!("{base}{n}") };
        *n += 1;
        if taken.insert(candidate.clone()) {
            return candidate;
        }
    }
}

#[cfg(test)]
mod tests {
    use autocrm_domain::users::parse_username;

    use super::*;

    #[test]
    fn usernames_are_unique_and_valid() {
        let mut rng = Rng::for_step(42, "users");
        let mut taken = std::collections::HashSet::from(["wang.li".to_string()]);
        let mut next = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..5_000 {
            let (_, base) = person(&mut rng);
            let u = unique_username(&mut taken, &mut next, base);
            assert_eq!(parse_username(&u).unwrap(), u);
            assert!(seen.insert(u.clone()), "{u} twice");
            assert_ne!(u, "wang.li");
        }
    }
}
